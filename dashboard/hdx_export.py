"""HDX conventions for the /figures page's CSV and Excel downloads: each figure's licence and attribution, no rows
of no-redistribution sources on a public server, and an HXL hashtag row under the header."""

from __future__ import annotations

import pandas as pd

from etl import hxl_tags, licences

EXTRA_TAGS = {"value_text": "#meta+value_text"}


def prepare(reader, df: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """`df` (one row per figure, with figure_id and source) with licence and attribution, restricted if asked."""
    if restricted:
        df = df[~df["source"].isin(licences.restricted_sources())]
    ids = [str(i) for i in df["figure_id"]]
    columns, rows = reader.query(
        "SELECT figure_id, licence, attribution FROM v_figures WHERE list_contains(?, figure_id)", [ids])
    extra = pd.DataFrame(rows, columns=columns)
    return df.merge(extra, on="figure_id", how="left")


def with_hxl_row(df: pd.DataFrame) -> pd.DataFrame:
    """The same table with its HXL hashtags as the first row (the header stays the column names)."""
    tags = [EXTRA_TAGS.get(c) or hxl_tags.TAGS.get(c, "") for c in df.columns]
    return pd.concat([pd.DataFrame([tags], columns=df.columns), df.astype(object)], ignore_index=True)
