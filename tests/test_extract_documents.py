"""Reading files: text, HTML main text, JSON Lines with good and bad lines, folders, and bad input."""

import json
import time
from pathlib import Path

import pytest

from etl.extract import extract
from etl.extract.documents import DocumentError, html_to_text, iter_paths, read_path, read_path_lenient
from etl.model import Document

FIX = Path(__file__).parent / "fixtures" / "extract"


def test_text_file_keeps_offsets_into_the_original_text():
    [doc] = read_path(FIX / "idlib_variant.txt")
    assert doc.doc_id == "idlib_variant"
    assert doc.text.startswith("Accessibility links")  # the text is kept as given
    figs = extract(doc)
    assert figs and all(doc.text[f["char_start"]:f["char_end"]] == f["quantity_text"] for f in figs)
    assert all("Breaking News" not in f["evidence"] for f in figs)


def test_html_main_text_without_boilerplate():
    [doc] = read_path(FIX / "article.html")
    assert doc.doc_id == "article"
    assert "About 2,500 families were displaced" in doc.text
    for junk in ("Accessibility links", "Breaking News", "Share this", "Copyright", "400 tents"):
        assert junk not in doc.text
    figs = extract(doc)
    assert ("displaced", 2500, "households") in [(f["metric"], f["value"], f["unit"]) for f in figs]
    assert all(doc.text[f["char_start"]:f["char_end"]] == f["quantity_text"] for f in figs)


def test_html_fallback_without_trafilatura(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_trafilatura(name, *args, **kw):
        if name.startswith("trafilatura"):
            raise ImportError(name)
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_trafilatura)
    text, title, _ = html_to_text((FIX / "article.html").read_text(encoding="utf-8"))
    assert "About 2,500 families were displaced" in text
    assert "Breaking News" not in text and "Copyright" not in text
    assert title == "Floods force thousands from homes in Deir ez-Zor"


def test_jsonl_lenient_keeps_good_lines_and_reports_bad_ones():
    docs, bad = read_path_lenient(FIX / "mixed.jsonl")
    assert [d.doc_id for d in docs] == ["ok-1", "ok-2"]
    assert str(docs[1].published) == "2016-06-15"  # ISO datetime accepted
    assert "Some 300 families fled" in docs[1].text  # html field read as its main text
    assert [where.rsplit(":", 1)[1] for where, _, _ in bad] == ["2", "3"]
    assert "bad JSON" in bad[0][1] and "bad date" in bad[1][1]
    assert bad[1][2].startswith('{"id": "bad-date"')


def test_jsonl_strict_raises_naming_file_and_line():
    with pytest.raises(DocumentError, match=r"mixed\.jsonl:2: bad JSON"):
        read_path(FIX / "mixed.jsonl")


@pytest.mark.parametrize("line,reason", [
    ('{"text": "x"}', 'missing "id"'),
    ('{"id": "a"}', 'needs "text" or "html"'),
    ('[1, 2]', "JSON object"),
    ('{"id": "a", "text": "x", "published": "yesterday"}', "bad date"),
])
def test_jsonl_bad_records(tmp_path, line, reason):
    path = tmp_path / "d.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=reason):
        read_path(path)


def test_missing_binary_and_unknown_files(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        read_path(tmp_path / "nope.txt")
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(DocumentError, match=r"x\.txt: binary"):
        read_path(binary)
    odd = tmp_path / "x.pdf"
    odd.write_text("hello", encoding="utf-8")
    with pytest.raises(DocumentError, match="unknown file type"):
        read_path(odd)


def test_iter_paths_expands_folders_not_recursively(tmp_path):
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "b.md").write_text("b", encoding="utf-8")
    (tmp_path / "c.pdf").write_text("c", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text("d", encoding="utf-8")
    assert [p.name for p in iter_paths([tmp_path])] == ["a.txt", "b.md"]


def test_empty_and_whitespace_documents(tmp_path):
    empty = tmp_path / "e.txt"
    empty.write_text("", encoding="utf-8")
    [doc] = read_path(empty)
    assert extract(doc) == []
    assert extract(Document("w", "   \n\t ")) == []


def test_ten_megabytes_in_bounded_time():
    para = ("Shelling on Tuesday killed at least 12 people in Idlib, the Syrian Observatory for Human Rights said. "
            + "The offensive has continued for weeks and aid groups warn of a worsening crisis in the north. " * 4
            + "\n\n")
    text = (para * (10_000_000 // len(para) + 1))[:10_000_000]
    started = time.perf_counter()
    figs = extract(Document("big", text))
    assert time.perf_counter() - started < 120
    assert len(figs) > 10_000
    f = figs[0]
    assert text[f["char_start"]:f["char_end"]] == f["quantity_text"]


def test_module_cli_prints_json_lines(tmp_path, capsys):
    from etl.extract.__main__ import main

    path = tmp_path / "one.jsonl"
    record = {"id": "a", "text": "At least 20 people were killed in Aleppo."}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main([str(path), "--json"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["value"] == 20
