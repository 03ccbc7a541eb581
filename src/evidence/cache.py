"""A response cache that wraps the transport: one XML file per request, plus a JSON sidecar.

A request is keyed by a hash of its utility and sorted parameters *without* ``api_key``,
``email`` and ``tool``, so secrets never reach the disk and a new key keeps the cache valid.
Only responses that the transport accepted (well-formed XML, no ``<ERROR>``) are stored;
``WebEnv`` and ``QueryKey`` are stripped first, since they expire within hours. Writes go to
a temporary file in the same folder and are renamed into place, so a reader never sees half
a file and two processes writing the same entry both leave a whole one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import CacheError, CacheMissError, EvidenceError
from .records import check_response, parse_esearch
from .settings import Settings

__all__ = ["CachedResponse", "ResponseCache", "atomic_write", "cache_key", "request_params"]

UNKEYED_PARAMS = frozenset({"api_key", "email", "tool"})
_SESSION_TAGS = re.compile(rb"<(WebEnv|QueryKey)>[^<]*</\1>\s*")


def request_params(params: dict[str, object]) -> dict[str, str]:
    """The parameters that identify a request: strings, secrets and tool name removed."""
    out = {}
    for key, value in params.items():
        if key in UNKEYED_PARAMS or value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        out[key] = str(value)
    return dict(sorted(out.items()))


def cache_key(util: str, params: dict[str, object]) -> str:
    canonical = json.dumps({"util": util, "params": request_params(params)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    meta: dict
    path: Path


class ResponseCache:
    """Files under ``<cache_dir>/<util>/<key>.xml`` with ``<key>.json`` beside them."""

    def __init__(self, settings: Settings, *, today: dt.date | None = None):
        self.settings = settings
        self.directory = Path(settings.cache_dir)
        self._today = today

    def path_for(self, util: str, params: dict[str, object]) -> Path:
        return self.directory / util / f"{cache_key(util, params)}.xml"

    def get(self, util: str, params: dict[str, object]) -> CachedResponse | None:
        """The stored response, or None. A damaged entry raises CacheError naming its path."""
        path = self.path_for(util, params)
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            return None
        shown = self.settings.display_path(path)
        try:
            check_response(body, source=shown)
        except EvidenceError as exc:
            raise CacheError(
                f"cache entry {shown} is damaged ({exc}). Fix: delete it and run again in cached mode "
                "to fetch it anew."
            ) from None
        meta_path = path.with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            meta = {}
        return CachedResponse(body=body, meta=meta, path=path)

    def put(self, util: str, params: dict[str, object], body: bytes) -> CachedResponse:
        """Store a checked response atomically; return what was stored."""
        body = _SESSION_TAGS.sub(b"", body)
        check_response(body, source=f"{util} response")
        path = self.path_for(util, params)
        meta = {"util": util, "params": request_params(params), "retrieved": self._date()}
        if util == "esearch":
            page = parse_esearch(body)
            meta.update(count=page.count, query_translation=page.query_translation)
        atomic_write(path, body)
        atomic_write(path.with_suffix(".json"), (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode("utf-8"))
        return CachedResponse(body=body, meta=meta, path=path)

    def miss(self, util: str, params: dict[str, object]) -> CacheMissError:
        """The error offline mode raises for a request that is not cached."""
        shown = request_params(params)
        path = self.settings.display_path(self.path_for(util, params))
        return CacheMissError(
            f"offline mode: {util} {json.dumps(shown, sort_keys=True)} is not in the cache ({path}). "
            "Fix: with network, set NCBI_EMAIL and run once with EVIDENCE_MODE=cached "
            "(or `evidence refresh`) to fetch and store it; offline runs then replay it.",
            util=util,
            params=shown,
            path=path,
        )

    def _date(self) -> str:
        return (self._today or dt.date.today()).isoformat()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the project's files are readable by all
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
