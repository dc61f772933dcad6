"""HDX conventions for the /figures page's CSV and Excel downloads (dashboard/export_route.py, with each figure's
licence and attribution and no rows of no-redistribution sources on a public server): the HXL hashtag row."""

from __future__ import annotations

from etl import hxl_tags

EXTRA_TAGS = {"value_text": "#meta+value_text"}


def tag_row(columns) -> list[str]:
    """The HXL hashtags of these columns, the row written under the header."""
    return [EXTRA_TAGS.get(c) or hxl_tags.TAGS.get(c, "") for c in columns]

