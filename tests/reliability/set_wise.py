"""Loading a file per record and set-wise (etl/sources/bulk.py) into two warehouses, and comparing the results."""

from __future__ import annotations

import dataclasses
import json

from helpers import query

from etl import runner
from etl.model import FIGURE_COLUMNS
from etl.sources import bulk
from etl.sources.base import Options


def both_ways(settings, tmp_path, monkeypatch, source: str, path, before=(), set_wise_runs=True):
    """(counts, figures, rejects) of loading `path` per record, then set-wise into a second warehouse."""
    staged, stage = [], bulk.stage
    monkeypatch.setattr(bulk, "stage", lambda ctx, mapped: staged.append(ctx.source) or stage(ctx, mapped))
    columns = "figure_id, " + ", ".join(c for c in FIGURE_COLUMNS if c != "detail")

    def loaded(settings_):
        results = runner.run(settings_, [*before, source], Options(from_file=path))
        assert [r.status for r in results] == ["ok"] * len(results), [r.error for r in results]
        figures = query(settings_, f"SELECT {columns}, detail FROM v_figures WHERE source = ? ORDER BY figure_id",
                        [source])
        rejects = query(settings_, "SELECT location, reason FROM v_rejects WHERE source = ? ORDER BY ALL", [source])
        result = results[-1]
        counts = (result.rows_read, result.rows_loaded, result.rows_rejected)
        return counts, [row[:-1] + (json.loads(row[-1]),) for row in figures], rejects

    per_record = loaded(settings)
    monkeypatch.setattr(bulk, "BULK_BYTES", 0)
    set_wise = loaded(dataclasses.replace(settings, db=tmp_path / "set-wise.duckdb"))
    assert set_wise[0] == per_record[0] and per_record[0][1] > 20 and per_record[0][2] > 20  # figures and rejects
    assert set_wise[1] == per_record[1]
    assert set_wise[2] == per_record[2]
    assert staged == ([source] if set_wise_runs else [])
    return per_record
