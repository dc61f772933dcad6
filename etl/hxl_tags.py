"""HXL hashtags for the figure columns, for CSV and Excel exports (the `hxl` source reads them back).

A figure is a long-format indicator row: `#indicator+code` holds the metric and `#indicator+value+num` the value.
"""

from __future__ import annotations

TAGS = {
    "figure_id": "#meta+id",
    "metric": "#indicator+code",
    "value": "#indicator+value+num",
    "value_low": "#indicator+value+min",
    "value_high": "#indicator+value+max",
    "qualifier": "#indicator+qualifier",
    "quantity_text": "#indicator+text",
    "unit": "#indicator+unit",
    "stock_or_flow": "#indicator+type",
    "claimed_by": "#meta+claimed_by",
    "claimed_by_org": "#org+name",
    "location_text": "#loc+name",
    "country_iso3": "#country+code",
    "country_name": "#country+name",
    "admin1_pcode": "#adm1+code",
    "admin1_name": "#adm1+name",
    "admin2_pcode": "#adm2+code",
    "admin2_name": "#adm2+name",
    "asylum_iso3": "#meta+asylum",
    "period_start": "#date+start",
    "period_end": "#date+end",
    "source": "#meta+etl_source",
    "source_type": "#meta+source_type",
    "doc_id": "#meta+doc_id",
    "url": "#meta+url",
    "title": "#meta+title",
    "publisher": "#meta+publisher",
    "published": "#date+published",
    "dataset": "#meta+dataset",
    "record_id": "#meta+record_id",
    "evidence": "#meta+evidence",
    "char_start": "#meta+char_start",
    "char_end": "#meta+char_end",
    "licence": "#meta+licence",
    "attribution": "#meta+attribution",
    "place": "#loc+name",
    "org": "#org+name",
}


def tag_row(columns) -> list[str]:
    """The HXL row for these columns (an empty cell for a column with no tag)."""
    return [TAGS.get(c, "") for c in columns]
