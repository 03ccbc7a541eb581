"""The caching layer: a transport that wraps another and owns the modes.

    offline  cache only; a miss raises CacheMissError naming the request and how to fill it
    cached   cache first, then the wrapped transport on a miss; the answer is stored
    live     the wrapped transport first; the answer replaces the cached one, and what changed
             against it (count, ids added and removed) is recorded in ``drift``

One file per answer, ``<cache_dir>/<service>/<key>.xml`` (``.json`` for JSON services), with a
``.json`` sidecar beside it recording the request, the date and the answer's summary (count,
query translation). A key hashes the service and the sorted parameters *without* ``api_key``,
``email`` and ``tool``, so secrets never reach the disk and a new key keeps the cache valid.
Only answers the wrapped transport accepted are stored; ``WebEnv`` and ``QueryKey`` are stripped
first, since they expire within hours. Writes go to a temporary file renamed into place, so a
reader never sees half a file and two processes writing one entry both leave a whole one.
``stats`` counts what went to the network and what the cache answered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CacheError, CacheMissError, EvidenceError
from ..files import atomic_write
from ..settings import Settings
from .transport import Answer, Transport

__all__ = ["CachingTransport", "DriftEntry", "RequestStats", "cache_key", "request_params"]

log = logging.getLogger(__name__)

UNKEYED_PARAMS = frozenset({"api_key", "email", "tool"})
_SESSION_TAGS = re.compile(rb"<(WebEnv|QueryKey)>[^<]*</\1>\s*")


def request_params(params: Mapping[str, object]) -> dict[str, str]:
    """The parameters that identify a request: strings, secrets and tool name removed."""
    out = {}
    for key, value in params.items():
        if key in UNKEYED_PARAMS or value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        out[key] = str(value)
    return dict(sorted(out.items()))


def cache_key(service: str, params: Mapping[str, object]) -> str:
    canonical = json.dumps({"util": service, "params": request_params(params)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class DriftEntry:
    """What changed between the cached answer and a live one for the same request."""

    service: str
    params: dict[str, str]
    old_count: int | None
    new_count: int | None
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def term(self) -> str:
        return self.params.get("term", self.params.get("query.term", ""))


@dataclass
class RequestStats:
    network: int = 0
    cache_hits: int = 0
    by_service: dict[str, int] = field(default_factory=dict)


class CachingTransport:
    """Wraps ``inner`` (any Transport) with the cache, in the mode the settings name."""

    def __init__(self, inner: Transport, settings: Settings, *, suffix: str = ".xml", today: dt.date | None = None):
        self.inner = inner
        self.name = inner.name
        self.settings = settings
        self.mode = settings.mode
        self.directory = Path(settings.cache_dir)
        self.suffix = suffix
        self.stats = RequestStats()
        self.drift: list[DriftEntry] = []
        self._today = today

    # -- the Transport interface ----------------------------------------------------
    def decode(self, service, body, *, source):
        return self.inner.decode(service, body, source=source)

    def summarize(self, service, document):
        return self.inner.summarize(service, document)

    def get(self, service: str, params: Mapping[str, str]) -> Answer:
        cached = None
        try:
            cached = self._read(service, params)
        except CacheError as exc:
            if self.mode == "offline":
                raise
            log.warning("%s; fetching it again", exc)
        if cached is not None and self.mode in ("offline", "cached"):
            self.stats.cache_hits += 1
            return cached
        if self.mode == "offline":
            raise self.miss(service, params)
        answer = self.inner.get(service, params)
        self.stats.network += 1
        self.stats.by_service[service] = self.stats.by_service.get(service, 0) + 1
        self._store(service, params, answer)
        if self.mode == "live" and cached is not None:
            self._record_drift(service, params, cached, answer)
        return answer

    # -- the cache ----------------------------------------------------------------------
    def path_for(self, service: str, params: Mapping[str, object]) -> Path:
        return self.directory / service / f"{cache_key(service, params)}{self.suffix}"

    def miss(self, service: str, params: Mapping[str, object]) -> CacheMissError:
        """The error offline mode raises for a request that is not cached."""
        shown = request_params(params)
        path = self.settings.display_path(self.path_for(service, params))
        return CacheMissError(
            f"offline mode: {service} {json.dumps(shown, sort_keys=True)} is not in the cache ({path}). "
            "Fix: with network, set NCBI_EMAIL and run once with EVIDENCE_MODE=cached "
            "(or `evidence refresh`) to fetch and store it; offline runs then replay it.",
            util=service,
            params=shown,
            path=path,
        )

    def _read(self, service: str, params: Mapping[str, object]) -> Answer | None:
        """The stored answer, or None. A damaged entry raises CacheError naming its path."""
        path = self.path_for(service, params)
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            return None
        shown = self.settings.display_path(path)
        try:
            document = self.inner.decode(service, body, source=shown)
        except EvidenceError as exc:
            raise CacheError(
                f"cache entry {shown} is damaged ({exc}). Fix: delete it and run again in cached mode "
                "to fetch it anew."
            ) from None
        return Answer(body, document)

    def _store(self, service: str, params: Mapping[str, object], answer: Answer) -> None:
        path = self.path_for(service, params)
        summary = self.inner.summarize(service, answer.document)
        meta = {"util": service, "params": request_params(params), "retrieved": self._date()}
        if summary.count is not None:
            meta.update(count=summary.count, query_translation=summary.note)
        atomic_write(path, _SESSION_TAGS.sub(b"", answer.body))
        atomic_write(self._sidecar(path), (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode("utf-8"))

    def _sidecar(self, path: Path) -> Path:
        return path.with_suffix(".meta.json" if self.suffix == ".json" else ".json")

    def _record_drift(self, service: str, params: Mapping[str, str], old: Answer, new: Answer) -> None:
        before, after = self.inner.summarize(service, old.document), self.inner.summarize(service, new.document)
        if before.count is None and after.count is None:
            return
        added = sorted(set(after.ids) - set(before.ids), key=_id_order)
        removed = sorted(set(before.ids) - set(after.ids), key=_id_order)
        if added or removed or before.count != after.count:
            self.drift.append(DriftEntry(service, request_params(params), before.count, after.count,
                                         tuple(added), tuple(removed)))

    def _date(self) -> str:
        return (self._today or dt.date.today()).isoformat()


def _id_order(value: str) -> tuple[int, str]:
    digits = "".join(ch for ch in value if ch.isdigit())
    return (int(digits) if digits else 0, value)
