"""`gazetteer`: the bundled place names (countries, Syria's governorates and districts) into `places`."""

from __future__ import annotations

from etl.sources.base import LoadContext, Source


class GazetteerSource(Source):
    name = "gazetteer"
    kind = "dataset"
    description = "Bundled gazetteer: countries, Syria's governorates and districts with OCHA p-codes and spellings"
    licence = "P-codes from OCHA CODs (CC BY-IGO); names and spellings compiled by the project (MIT)"

    def configured(self, settings) -> bool:
        return True

    def load(self, ctx: LoadContext) -> None:
        from etl.places import bundled_places

        for place in bundled_places():
            ctx.advance()
            ctx.place(**place)
