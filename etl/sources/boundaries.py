"""OCHA COD-AB administrative boundaries: a geometry and names for each p-code, into `places`.

Reads GeoJSON from settings.boundaries_url (comma-separated URLs or files, one per admin level) or --from-file
(a file, or a folder of .geojson/.json files). An ArcGIS FeatureServer/MapServer layer (ITOS hosts the CODs:
https://codgis.itos.uga.edu/arcgis/rest/services/COD_External/…) is queried as GeoJSON page by page.
Properties follow the COD convention: ADM2_PCODE, ADM2_EN, ADM1_PCODE, ADM1_EN, ADM0_PCODE…
Shapes are stored simplified (etl/geometry.py, DISPLACEMENT_BOUNDARY_TOLERANCE), neighbours keeping one border.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from etl.geometry import simplify
from etl.sources.base import Source, SourceError
from etl.sources.http import HttpClient, fetch, is_url, split

PAGE_SIZE = 1000
NAME_SUFFIXES = ("EN", "FR", "ES", "PT", "AR", "RU", "REF", "NAME")
ARCGIS = re.compile(r"/(FeatureServer|MapServer)/\d+(/query)?/?$", re.I)
# ISO 3166-1 alpha-2 -> alpha-3 (COD ADM0_PCODE and p-code prefixes are alpha-2), and Kosovo.
_ISO = (
    "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA AZAZE BABIH BBBRB "
    "BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR "
    "BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR "
    "CYCYP CZCZE DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN FJFJI FKFLK "
    "FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS "
    "GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN "
    "ISISL ITITA JEJEY JMJAM JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO "
    "LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG MHMHL MKMKD "
    "MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER "
    "NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM "
    "PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN SESWE SGSGP "
    "SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF "
    "TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY "
    "UZUZB VAVAT VCVCT VEVEN VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE XKXKX"
)
ISO2_TO_ISO3 = {pair[:2]: pair[2:] for pair in _ISO.split()}


class BoundariesSource(Source):
    name = "boundaries"
    kind = "dataset"
    description = "OCHA COD-AB administrative boundaries: geometry and names per p-code, for maps"
    licence = ("CC BY-IGO — OCHA Common Operational Datasets, administrative boundaries (COD-AB), hosted by ITOS"
               " and HDX (https://data.humdata.org/dashboards/cod). The boundaries and names shown do not imply"
               " official endorsement or acceptance by the United Nations.")
    url = "https://data.humdata.org/dashboards/cod"
    requires = ()

    def configured(self, settings) -> bool:
        return bool(settings.boundaries_url)

    def load(self, ctx) -> None:
        if ctx.options.from_file:
            path = Path(ctx.options.from_file)
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".geojson", ".json")) \
                if path.is_dir() else [path]
            for file in files:
                self.stage(ctx, _json(_read(ctx, file), file.name, self.name), file.name)
            return
        if not ctx.settings.boundaries_url:
            raise SourceError(f"{self.name}: set DISPLACEMENT_BOUNDARIES_URL to a GeoJSON URL, file or ArcGIS layer")
        for i, location in enumerate(split(ctx.settings.boundaries_url)):
            where = Path(urlsplit(location).path).name or location
            if is_url(location) and ARCGIS.search(urlsplit(location).path):
                self.load_arcgis(ctx, location, f"layer{i}")
                continue
            content = fetch(ctx, location, save_as=f"boundaries-{i}.geojson")
            if content is not None:
                self.stage(ctx, _json(content, where, self.name), where)

    def load_arcgis(self, ctx, url: str, name: str) -> None:
        """Page through an ArcGIS layer's /query as GeoJSON (resultOffset, exceededTransferLimit)."""
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        path = path if path.lower().endswith("/query") else path + "/query"
        params = {"where": "1=1", "outFields": "*", "returnGeometry": "true", "outSR": "4326",
                  **dict(parse_qsl(parts.query)), "f": "geojson"}
        base = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        http = HttpClient(ctx)
        offset, page = 0, 0
        while True:
            query = {**params, "resultOffset": offset, "resultRecordCount": PAGE_SIZE}
            body = http.get_json(f"{base}?{urlencode(query)}", save_as=f"{name}-{page:04d}")
            if isinstance(body, dict) and "error" in body:
                raise SourceError(f"{self.name}: {base} answered an ArcGIS error: {body['error'].get('message')}")
            features = self.stage(ctx, body, f"{Path(path).parent.name} page {page}")
            more = (body.get("properties") or {}).get("exceededTransferLimit") or body.get("exceededTransferLimit")
            if not more or not features:
                return
            offset, page = offset + features, page + 1

    def stage(self, ctx, collection, where: str) -> int:
        if not isinstance(collection, dict) or not isinstance(collection.get("features"), list):
            raise SourceError(f"{self.name}: {where} is not a GeoJSON FeatureCollection (no features)")
        features = collection["features"]
        shapes = simplify([f.get("geometry") if isinstance(f, dict) else None for f in features],
                          ctx.settings.boundary_tolerance)
        for i, feature in enumerate(features):
            ctx.advance()
            location = f"{where}:feature {i + 1}"
            props = (feature or {}).get("properties") or {}
            props = {str(k).upper(): v for k, v in props.items()}
            level = admin_level(props)
            if level is None:
                ctx.reject("no ADMn_PCODE property", props, location)
                continue
            pcode = str(props[f"ADM{level}_PCODE"]).strip()
            names = [str(props[k]).strip() for k in _name_keys(props, level) if str(props.get(k) or "").strip()]
            iso3 = country_iso3(props, pcode, ctx)
            if not names:
                ctx.reject(f"no name for {pcode} (ADM{level}_EN or ADM{level}_NAME)", props, location)
            elif not iso3:
                ctx.reject(f"no country for {pcode} (ADM0_PCODE or ISO3)", props, location)
            else:
                parent = str(props.get(f"ADM{level - 1}_PCODE") or "").strip() if level > 1 else iso3
                ctx.place(pcode, level, names[0], iso3, parent or None, names[1:], shapes[i])
        return len(features)


def admin_level(props: dict) -> int | None:
    for level in range(5, 0, -1):
        if str(props.get(f"ADM{level}_PCODE") or "").strip():
            return level
    return None


def _name_keys(props: dict, level: int) -> list[str]:
    """ADMn_EN first, then the other languages and alternative names (ADMn_AR, ADMn_REF, ADMnALT1EN…)."""
    pattern = re.compile(rf"^ADM{level}_?(?:{'|'.join(NAME_SUFFIXES)}|ALT\d?[A-Z]{{2}})$")
    keys = [k for k in props if pattern.match(k)]
    return sorted(keys, key=lambda k: (not k.endswith("_EN"), not k.endswith("_NAME"), k))


def country_iso3(props: dict, pcode: str, ctx=None) -> str | None:
    """ISO3 from ADM0_ISO3/ISO3, a three-letter ADM0_PCODE, a known p-code in places, or the p-code's prefix."""
    for key in ("ADM0_ISO3", "ISO3", "ISO_3", "ADM0_ISO"):
        value = str(props.get(key) or "").strip().upper()
        if len(value) == 3 and value.isalpha():
            return value
    adm0 = str(props.get("ADM0_PCODE") or "").strip().upper()
    if len(adm0) == 3 and adm0.isalpha():
        return adm0
    if ctx is not None and ctx.con is not None:
        row = ctx.con.execute("SELECT country_iso3 FROM places WHERE pcode = ?", [pcode]).fetchone()
        if row:
            return row[0]
    return ISO2_TO_ISO3.get(adm0 or pcode[:2].upper())


def _read(ctx, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{ctx.source}: no such file {path}") from None


def _json(content: bytes, where: str, source: str):
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{source}: {where} is not readable GeoJSON ({str(exc).splitlines()[0]})") from None
