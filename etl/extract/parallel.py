"""Figures of many documents, in order, over N processes (`displacement extract --jobs N`).

Each worker process loads its gazetteer once (`load`, called with `arg`) and then runs the pure function
`etl.extract.extract(doc, gazetteer)` on each document it is given; results come back in input order, so the
output is the same as with one process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from etl.extract import extract
from etl.model import Document

_gazetteer = None  # the worker's gazetteer, set once by _start


def _start(load: Callable, arg) -> None:
    global _gazetteer
    _gazetteer = load(arg)


def _figures(doc: Document) -> list[dict]:
    return extract(doc, _gazetteer)


def extract_many(docs: Iterable[Document], jobs: int, load: Callable, arg) -> Iterator[list[dict]]:
    """The figures of each document, in input order. jobs <= 1 runs in this process."""
    if jobs <= 1:
        gazetteer = load(arg)
        for doc in docs:
            yield extract(doc, gazetteer)
        return
    import multiprocessing  # here: one process (the default) does not pay for importing it

    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ctx.Pool(jobs, initializer=_start, initargs=(load, arg)) as pool:
        yield from pool.imap(_figures, docs, chunksize=8)
