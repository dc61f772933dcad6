"""HTTP for API sources: timeouts, retries with backoff on 429/5xx (honouring Retry-After), clear auth errors.

Secrets never reach a message: errors name the setting to fix, not its value, and URLs are logged without query.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from etl.sources.base import SourceError

log = logging.getLogger("etl.http")
USER_AGENT = "displacement-dashboard/0.1 (+https://github.com/; humanitarian figures ETL)"


class HttpClient:
    def __init__(self, ctx, auth_settings: tuple[str, ...] = (), backoff: float = 1.0):
        self.ctx = ctx
        self.source = ctx.source
        self.auth_settings = auth_settings
        self.timeout = ctx.settings.http_timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        retry = Retry(
            total=ctx.settings.http_retries,
            backoff_factor=backoff,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=None,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._saved = 0

    def request(self, method: str, url: str, passthrough: tuple[int, ...] = (), **kwargs) -> requests.Response:
        """One request with retries; statuses in `passthrough` are returned to the caller instead of raising."""
        kwargs.setdefault("timeout", self.timeout)
        where = _redact(url)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.exceptions.RetryError as exc:
            raise SourceError(f"{self.source}: {where} kept failing after retries ({_reason(exc)})") from None
        except requests.exceptions.Timeout:
            raise SourceError(f"{self.source}: {where} timed out after {self.timeout:g}s") from None
        except requests.exceptions.RequestException as exc:
            if _timed_out(exc):  # read timeouts retried to exhaustion surface as ConnectionError
                raise SourceError(f"{self.source}: {where} timed out after {self.timeout:g}s") from None
            raise SourceError(f"{self.source}: cannot reach {where} ({_reason(exc)})") from None
        if response.status_code in passthrough:
            return response
        if response.status_code in (401, 403):
            needed = " or ".join(f"DISPLACEMENT_{s.upper()}" for s in self.auth_settings) or "the source's credentials"
            raise SourceError(
                f"{self.source}: {where} refused access (HTTP {response.status_code}); check {needed}"
            )
        if response.status_code >= 400:
            raise SourceError(f"{self.source}: {where} answered HTTP {response.status_code}")
        return response

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def get_json(self, url: str, save_as: str | None = None, **kwargs):
        response = self.get(url, **kwargs)
        self.save(save_as, response.content, ".json")
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"{self.source}: {_redact(url)} did not return JSON") from None

    def save(self, name: str | None, content: bytes, suffix: str = "") -> None:
        """Keep the raw response when --save is on, numbered in the order received."""
        if not self.ctx.options.save:
            return
        self._saved += 1
        stem = name or f"response-{self._saved:04d}"
        self.ctx.save_raw(stem if stem.endswith(suffix) else stem + suffix, content)


def _redact(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _timed_out(exc: Exception) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # NewConnectionError (refused) subclasses ConnectTimeoutError in urllib3 2
    return isinstance(reason, (ReadTimeoutError, ConnectTimeoutError)) and not isinstance(reason, NewConnectionError)


def _reason(exc: Exception) -> str:
    text = re.sub(r"\?[^\s'\")]*", "", str(exc))  # drop query strings: they may carry keys
    return text.splitlines()[0][:200] if text else type(exc).__name__


def load_json_file(path, source: str):
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise SourceError(f"{source}: no such file {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{source}: {path} is not readable JSON ({str(exc).splitlines()[0]})") from None


def split(setting: str) -> list[str]:
    return [part.strip() for part in (setting or "").split(",") if part.strip()]


def is_url(location: str) -> bool:
    return urlsplit(str(location)).scheme in ("http", "https")


def file_name(url: str, content: bytes, default: str) -> str:
    """A local name for downloaded content: the URL's suffix, or the content's kind."""
    suffix = Path(urlsplit(url).path).suffix.lower()
    if content[:2] == b"PK":
        suffix = ".xlsx"
    return "download" + (suffix if suffix in (".csv", ".xlsx", ".json", ".geojson", ".xml") else default)


def fetch(ctx, location: str, save_as: str | None = None, http: HttpClient | None = None,
          params: dict | None = None) -> bytes | None:
    """The bytes of a URL or file, or None when they have not changed since the last successful load.

    URLs are asked conditionally (ETag / Last-Modified); files and servers without validators are compared by
    SHA-256. The cursors live in source_state and are only committed with the load, so a failed run retries.
    """
    key = hashlib.sha1(location.encode()).hexdigest()[:12]
    if is_url(location):
        http = http or HttpClient(ctx)
        headers = {}
        if not ctx.options.full:
            if ctx.get_state(f"etag:{key}"):
                headers["If-None-Match"] = ctx.get_state(f"etag:{key}")
            if ctx.get_state(f"modified:{key}"):
                headers["If-Modified-Since"] = ctx.get_state(f"modified:{key}")
        response = http.get(location, headers=headers, params=params)
        if response.status_code == 304:
            return None
        content = response.content
        if save_as and not Path(save_as).suffix:
            save_as += Path(urlsplit(location).path).suffix
        http.save(save_as, content)
        ctx.set_state(f"etag:{key}", response.headers.get("ETag"))
        ctx.set_state(f"modified:{key}", response.headers.get("Last-Modified"))
    else:
        path = Path(location).expanduser()
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"{ctx.source}: no such file {path}") from None
        except OSError as exc:
            raise SourceError(f"{ctx.source}: cannot read {path} ({exc.strerror})") from None
    digest = hashlib.sha256(content).hexdigest()
    if ctx.get_state(f"sha256:{key}") == digest and not ctx.options.full:
        return None
    ctx.set_state(f"sha256:{key}", digest)
    return content
