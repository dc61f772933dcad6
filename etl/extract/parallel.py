"""Figures of many documents, in order, over N processes (`displacement extract --jobs N`).

The gazetteer is loaded once (`load`, called with `arg`): in this process when the workers are forked from it, else
once in each worker. Each worker runs the pure function `etl.extract.extract(doc, gazetteer)` on the documents it
is given; results come back in input order, so the output is the same as with one process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from etl.extract import extract
from etl.model import Document

_gazetteer = None  # the worker's gazetteer, set once by _start


def _start(load: Callable, arg) -> None:
    global _gazetteer
    _gazetteer = load(arg)


def _inherit(gazetteer) -> None:
    global _gazetteer
    _gazetteer = gazetteer


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

    if "fork" in multiprocessing.get_all_start_methods():
        # forked workers share the gazetteer loaded here (copy-on-write) instead of each loading its own
        ctx, init, args = multiprocessing.get_context("fork"), _inherit, (load(arg),)
    else:
        ctx, init, args = multiprocessing.get_context("spawn"), _start, (load, arg)
    with ctx.Pool(jobs, initializer=init, initargs=args) as pool:
        yield from pool.imap(_figures, docs, chunksize=8)
