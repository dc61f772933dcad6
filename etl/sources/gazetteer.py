"""`gazetteer`: the bundled place names (countries, admin1/admin2 of every HDX-listed country) into `places`."""

from __future__ import annotations

from etl.sources.base import LoadContext, Source


class GazetteerSource(Source):
    name = "gazetteer"
    kind = "dataset"
    description = "Bundled gazetteer: countries and the admin1/admin2 areas of every HDX-listed country, with p-codes"
    licence = "OCHA Global P-codes via HDX (CC BY); towns from GeoNames (CC BY 4.0); spellings by the project (MIT)"

    def configured(self, settings) -> bool:
        return True

    def load(self, ctx: LoadContext) -> None:
        from etl.places import bundled_places

        for place in bundled_places():
            ctx.advance()
            ctx.place(**place)
