"""The one Settings object. Every DISPLACEMENT_* variable is read here and nowhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from etl.resources import bundled, shown

# The warehouse and raw responses go under ./data of the current directory (never into an installed package);
# the demo inputs are read from the package.
DATA = Path("data")


def _setting(default, help: str, secret: bool = False):
    return field(default=default, metadata={"help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    db: Path = _setting(DATA / "displacement.duckdb", "the live warehouse file")
    articles_dir: Path = _setting(bundled("data", "articles"), "folder the `articles` source reads")
    curated_csv: Path = _setting(bundled("data", "curated", "idlib_figures.csv"), "CSV the `curated` source reads")
    raw_dir: Path = _setting(DATA / "raw", "where `--save` writes raw API responses")
    host: str = _setting("127.0.0.1", "dashboard host")
    port: int = _setting(8050, "dashboard port")
    memory_limit: str = _setting("1GB", "DuckDB memory_limit for every connection")
    threads: int = _setting(2, "DuckDB threads for every connection")
    sql_enabled: bool = _setting(True, "turn the SQL console and /api/sql on or off")
    sql_timeout: float = _setting(5.0, "seconds before an untrusted query is interrupted")
    sql_row_cap: int = _setting(5000, "rows an untrusted query returns at most")
    sql_memory_limit: str = _setting("512MB", "DuckDB memory_limit of the SQL console's worker")
    basic_auth: str = _setting("", "`user:password` turns on HTTP basic auth for the whole app", secret=True)
    public_only: str = _setting(
        "auto", "`true` keeps no-redistribution sources (ACLED, IOM DTM) out of exports, the API and the SQL console;"
        " `auto`: when basic auth is off")
    reviewers: str = _setting(
        "", "comma-separated `user:password` accounts that may review figures (with basic auth on)", secret=True)
    review_db: str = _setting("", "the review store (SQLite, WAL); empty: `<DISPLACEMENT_DB name>.reviews.sqlite`")
    review_without_auth: bool = _setting(False, "with basic auth off, let everyone review (a trusted local install)")
    http_timeout: float = _setting(30.0, "seconds per HTTP request of API sources")
    http_retries: int = _setting(4, "retries on 429 and 5xx, with backoff")
    feeds: str = _setting("", "comma-separated RSS/Atom URLs or files for the `feeds` source")
    reliefweb_appname: str = _setting("", "ReliefWeb API appname (`reliefweb` source)")
    reliefweb_query: str = _setting("displacement", "ReliefWeb full-text query")
    reliefweb_countries: str = _setting("SYR", "comma-separated ISO3 codes for ReliefWeb")
    reliefweb_from: str = _setting("", "earliest ReliefWeb report date, YYYY-MM-DD")
    hapi_app_identifier: str = _setting("", "HDX HAPI app_identifier (base64 of `app:email`)", secret=True)
    hapi_countries: str = _setting("SYR", "comma-separated ISO3 codes for HAPI sources")
    unhcr_years: str = _setting("2014-2024", "year range for `unhcr-population`")
    idmc_client_id: str = _setting("", "IDMC API client_id (`idmc-gidd`, `idmc-idu`)", secret=True)
    acled_username: str = _setting("", "ACLED account e-mail (OAuth password grant)", secret=True)
    acled_password: str = _setting("", "ACLED account password", secret=True)
    acled_countries: str = _setting("Syria", "comma-separated country names for ACLED")
    dtm_subscription_key: str = _setting("", "IOM DTM API v3 subscription key", secret=True)
    pcodes_url: str = _setting("", "URL or file of the HDX global p-code list (`pcodes`)")
    boundaries_url: str = _setting("", "URL or GeoJSON file of COD-AB boundaries (`boundaries`)")
    boundary_tolerance: float = _setting(
        0.005, "degrees (0.005: about 500 m) boundary shapes are simplified to when `boundaries` loads; 0 keeps them")
    hxl_url: str = _setting("", "URL or file of an HXL-tagged CSV/XLSX (`hxl`)")
    plausible_values: str = _setting(
        "*=1000000000;population=10000000000",
        "largest plausible value per metric, `metric=max` pairs `;`-separated (`*` for the rest); larger is a reject",
    )
    plausible_dates: str = _setting(
        "1900-01-01..+366", "plausible dates: earliest `..+` days after today; dates outside are rejects"
    )
    max_request_bytes: int = _setting(10_000_000, "largest request body the dashboard accepts (bytes)")
    sql_per_client: int = _setting(2, "SQL console queries one client may have running or queued")
    sql_queue: int = _setting(4, "SQL console queries the server holds at once (running or queued); more get 429")
    schedule: str = _setting(
        "hapi-*=0 6 * * 1;feeds=0 * * * *;unhcr-population=0 6 1 1 *;idmc-*=0 6 * * 1;articles=*/30 * * * *",
        "`source-glob=cron` pairs, `;`-separated, for `etl schedule`",
    )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(f"DISPLACEMENT_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _convert(f.type, raw, f.name)
        values.update(overrides)
        return cls(**values)

    @property
    def restricted(self) -> bool:
        """Whether exports and the API leave out sources whose terms forbid redistribution."""
        value = self.public_only.strip().lower()
        if value == "auto":
            return not self.basic_auth
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"DISPLACEMENT_PUBLIC_ONLY={self.public_only!r} is not auto, true or false")

    @property
    def next_db(self) -> Path:
        return self.db.with_name(self.db.stem + ".next.duckdb")

    @property
    def review_path(self) -> Path:
        if self.review_db:
            return Path(self.review_db).expanduser()
        return self.db.with_name(self.db.stem + ".reviews.sqlite")

    @property
    def lock_path(self) -> Path:
        return self.db.with_name(self.db.name + ".etl-lock")

    def public(self) -> dict[str, str]:
        """Settings as text with secrets masked, safe to print or log."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = "***" if f.metadata["secret"] and value else str(value)
        return out


def describe() -> list[tuple[str, str, str]]:
    """(variable, default, help) for every setting: the README table."""
    rows = []
    for f in fields(Settings):
        default = f.default
        if isinstance(default, Path):
            default = shown(default)
        rows.append((f"DISPLACEMENT_{f.name.upper()}", str(default), f.metadata["help"]))
    return rows


class SettingsError(ValueError):
    pass


def _convert(kind, raw: str, name: str):
    kind = kind if isinstance(kind, str) else kind.__name__
    try:
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
    except ValueError:
        raise SettingsError(f"DISPLACEMENT_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw
