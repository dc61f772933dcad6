"""The figure merge (a plain INSERT for a source's first load, else UPDATE-changed plus INSERT-new): figure_id stays
unique through new loads, changed files and reruns, on the set-wise path and the per-record one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import query

from etl import runner
from etl.sources import bulk
from etl.sources.base import Options


def run(settings, path):
    [result] = runner.run(settings, ["hxl"], Options(from_file=path))
    assert result.status == "ok", result.error
    return result


def ids(settings):
    return query(settings, "SELECT count(*), count(DISTINCT figure_id) FROM figures")[0]


def write(path, n: int, changed: int = 0) -> None:
    """n rows of two figures each (idps, killed); the first `changed` rows with other idps counts."""
    lines = ["Country,Admin1,Date,IDPs,Killed", "#country+code,#adm1+code,#date,#affected+idps,#affected+killed"]
    lines += [f"SYR,SY{i % 14 + 1:02d},{date(2019, 1, 1) + timedelta(days=i)},{100 + i + (1000 if i < changed else 0)},"
              f"{i % 7}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("set_wise", [True, False])
@pytest.mark.parametrize("looked_up", [True, False], ids=["ids looked up", "ids joined"])
def test_a_changed_file_updates_its_figures_and_never_doubles_them(settings, tmp_path, monkeypatch, set_wise,
                                                                   looked_up):
    if set_wise:
        monkeypatch.setattr(bulk, "BULK_BYTES", 0)
    if not looked_up:  # a change too large to name its ids: joined against every figure
        monkeypatch.setattr(runner, "INDEX_LOOKUP", 0)
    path = tmp_path / "big.csv"
    write(path, 60)
    first = run(settings, path)
    assert first.rows_loaded == 120 and ids(settings) == (120, 120)
    write(path, 70, changed=5)  # ten new rows, five changed, the others as before
    second = run(settings, path)
    assert second.rows_loaded == 20 and ids(settings) == (140, 140)
    values = query(settings, "SELECT value FROM v_figures WHERE metric = 'displaced' ORDER BY value")
    assert [v for (v,) in values] == sorted([100 + i for i in range(5, 70)] + [1100 + i for i in range(5)])
    assert run(settings, path).rows_loaded == 0 and ids(settings) == (140, 140)
    assert query(settings, "SELECT count(*) FROM figure_facts")[0][0] == 140
