"""`articles`: text, Markdown, HTML and JSONL documents from a folder, with their extracted figures."""

from __future__ import annotations

from pathlib import Path

from etl.sources.base import LoadContext, Source, SourceError
from etl.warehouse import scalar


def gazetteer_for(ctx: LoadContext):
    """The warehouse's places when loaded (all countries after `pcodes`), else the bundled list."""
    from etl.places import Gazetteer

    if ctx.con is not None and scalar(ctx.con, "SELECT count(*) FROM places"):
        return Gazetteer.from_connection(ctx.con)
    return Gazetteer.bundled()


def load_documents(ctx: LoadContext, documents, by_text: bool = False) -> None:
    """Stage documents and the figures extracted from them (shared by articles, feeds and reliefweb).

    `by_text`: ids come from file names, so a document's identity is its text: the same text under another id (a
    renamed file) adds nothing. Feeds and APIs keep the provider's own ids."""
    from etl.extract import extract

    gazetteer = gazetteer_for(ctx)
    first_with_text = _loaded_texts(ctx, {doc.doc_id for doc in documents}) if by_text else {}
    for doc in documents:
        same = first_with_text.setdefault(doc.sha256, doc.doc_id) if by_text else doc.doc_id
        if same != doc.doc_id:
            ctx.reject(f"same text as document {same} (a renamed copy?): not loaded again",
                       {"doc_id": doc.doc_id, "title": doc.title, "url": doc.url}, doc.doc_id)
            continue
        if not ctx.document(doc):
            continue  # rejected with its reason
        for figure in extract(doc, gazetteer):
            ctx.figure(location=f"{doc.doc_id}:{figure['char_start']}", **figure)


def _loaded_texts(ctx: LoadContext, reloading: set[str]) -> dict[str, str]:
    """sha256 -> doc_id of this source's stored documents, but those being loaded again (their text may change)."""
    if ctx.con is None:
        return {}
    rows = ctx.con.execute("SELECT sha256, min(doc_id) FROM documents WHERE source = ? GROUP BY sha256",
                           [ctx.source]).fetchall()
    return {sha: doc_id for sha, doc_id in rows if doc_id not in reloading}


class ArticlesSource(Source):
    name = "articles"
    kind = "documents"
    description = "Articles and reports from files (.txt, .md, .html, .jsonl) in the articles folder"
    licence = "Each document keeps its own; the bundled VOA article is public domain"

    def configured(self, settings) -> bool:
        return Path(settings.articles_dir).is_dir()

    def load(self, ctx: LoadContext) -> None:
        from etl.extract.documents import DocumentError, iter_paths, read_path_lenient

        root = Path(ctx.options.from_file or ctx.settings.articles_dir)
        if not root.exists():
            raise SourceError(f"{self.name}: no such file or folder {root}")
        documents = []
        for path in iter_paths([root]):
            try:
                docs, bad = read_path_lenient(path)
            except DocumentError as exc:  # a bad file is rejected whole; the others still load
                docs, bad = [], [(str(path), str(exc), "")]
            for location, reason, raw in bad:
                ctx.reject(reason, raw, location)
            ctx.advance(len(docs) + len(bad))
            documents += docs
        load_documents(ctx, documents, by_text=True)
