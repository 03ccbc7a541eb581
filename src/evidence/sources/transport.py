"""The transport seam: one interface for every remote service, and the E-utilities transport.

A transport answers ``get(service, params)`` with an ``Answer``: the body exactly as received and
the document it was checked into (parsed once, here, and handed on, so no layer parses it again).
It also knows how to ``decode`` a stored body and ``summarize`` a document (a count and the ids,
for the cache's sidecar and its drift report). ``caching.CachingTransport`` wraps any transport
and owns the modes, as hishel wraps an httpx transport; clients (``PubMed``) hold one transport
and no cache logic.

``EutilsTransport`` is the only importer of ``Bio.Entrez``. It sends each request through
Biopython's own request code (``Entrez.esearch`` / ``Entrez.efetch``, which build the URL, choose
GET or POST and rate-limit themselves). Policy that Biopython lacks lives here:

* a timeout on every request (Biopython sets none);
* retries with backoff: Biopython retries 429 and 5xx at once, so ``Entrez.max_tries`` is
  set to 1 and we retry ourselves, honouring ``Retry-After`` (bounded);
* redirection to ``EVIDENCE_EUTILS_BASE`` by wrapping ``Bio.Entrez.urlopen`` (Biopython has
  no base-URL setting; its own tests patch the same seam). The rewrite is idempotent.

Biopython's configuration is module-global, so each request sets it under a lock and
restores it afterwards: two transports never see each other's key.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.error import HTTPError, URLError

from Bio import Entrez

from ..version import __version__
from ..errors import ConfigurationError, NCBIError, NetworkError, ParseError, RateLimitError, redact_url
from ..settings import NCBI_EUTILS_BASE, Settings
from .records import check_response, esearch_page

__all__ = ["TOOL_NAME", "Answer", "EutilsTransport", "Summary", "Transport", "retry_delay"]

log = logging.getLogger(__name__)

TOOL_NAME = "evidence"
_ENTREZ_LOCK = threading.RLock()
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_UTILS = {"esearch": Entrez.esearch, "efetch": Entrez.efetch}


@dataclass(frozen=True)
class Answer:
    """One response: the body as received, and the document it was checked into."""

    body: bytes
    document: Any


@dataclass(frozen=True)
class Summary:
    """What a cache sidecar records of an answer, and what a drift report compares."""

    count: int | None = None
    ids: tuple[str, ...] = ()
    note: str = ""


class Transport(Protocol):
    """The seam every remote service goes through."""

    name: str  # the cache's subfolder for this service family

    def get(self, service: str, params: Mapping[str, str]) -> Answer:
        """Send one request; return the checked answer or raise an EvidenceError."""

    def decode(self, service: str, body: bytes, *, source: str) -> Any:
        """Check a stored body and return its document (raises ParseError or an error of the service)."""

    def summarize(self, service: str, document: Any) -> Summary:
        """The count and ids an answer holds (empty when the service has none)."""


class EutilsTransport:
    """Sends E-utilities requests through Bio.Entrez; no caching."""

    name = "eutils"

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self._sleep = sleep

    def decode(self, service: str, body: bytes, *, source: str) -> ET.Element:
        return check_response(body, source=source)

    def summarize(self, service: str, document: ET.Element) -> Summary:
        if service != "esearch":
            return Summary()
        page = esearch_page(document)
        return Summary(count=page.count, ids=page.ids, note=page.query_translation)

    def get(self, service: str, params: Mapping[str, str]) -> Answer:
        """Send ``service`` (esearch or efetch) with ``params``; return the checked XML answer."""
        util = service
        if util not in _UTILS:
            raise ConfigurationError(f"unknown E-utility {util!r}; expected one of {sorted(_UTILS)}.")
        if not self.settings.email:
            raise ConfigurationError(
                "NCBI_EMAIL is not set, and NCBI asks every E-utilities request to carry an e-mail address. "
                "Fix: export NCBI_EMAIL=you@example.org (and NCBI_API_KEY for 10 requests/s), "
                "or run with EVIDENCE_MODE=offline to use only the committed cache."
            )
        last_error: Exception | None = None
        for attempt in range(1, self.settings.max_tries + 1):
            url = ""
            try:
                with self._entrez() as seen:
                    handle = _UTILS[util](**params)
                    url = seen.get("url", "")
                    try:
                        body = handle.read()
                    finally:
                        handle.close()
                if isinstance(body, str):
                    body = body.encode("utf-8")
                document = self.decode(util, body, source=f"{util} {redact_url(url)}")
                return Answer(body, document)
            except HTTPError as exc:
                exc.close()  # the error carries the open response; release its socket
                url = redact_url(exc.url or url)
                if exc.code not in _RETRYABLE_STATUS:
                    raise NCBIError(
                        f"NCBI answered HTTP {exc.code} ({exc.reason}) to {util} at {url}. "
                        "Fix: check the query and parameters; a 400 usually means a malformed request.",
                        url=url,
                        status=exc.code,
                    ) from None
                last_error = exc
                delay = self._retry_delay(attempt, exc.headers.get("Retry-After") if exc.headers else None)
                log.warning("%s: HTTP %s from %s; attempt %d of %d", util, exc.code, url, attempt,
                            self.settings.max_tries)
            except ParseError as exc:
                # A truncated transfer looks like malformed XML: worth another try.
                last_error = exc
                delay = self._retry_delay(attempt, None)
                log.warning("%s: malformed response (%s); attempt %d of %d", util, exc, attempt,
                            self.settings.max_tries)
            except (URLError, ConnectionError, socket.timeout, TimeoutError, http.client.HTTPException) as exc:
                last_error = exc
                delay = self._retry_delay(attempt, None)
                log.warning(
                    "%s: %s at %s; attempt %d of %d", util, _describe(exc),
                    redact_url(url) or self.settings.eutils_base, attempt, self.settings.max_tries,
                )
            if attempt < self.settings.max_tries:
                self._sleep(delay)
        raise self._final_error(util, last_error)

    def _retry_delay(self, attempt: int, retry_after: str | None) -> float:
        return retry_delay(self.settings, attempt, retry_after)

    def _final_error(self, util: str, error: Exception | None) -> Exception:
        tries = self.settings.max_tries
        where = self.settings.eutils_base
        if isinstance(error, HTTPError) and error.code == 429:
            return RateLimitError(
                f"NCBI kept answering 429 Too Many Requests to {util} after {tries} tries. "
                "Fix: wait a minute and run again; set NCBI_API_KEY to be allowed 10 requests per second.",
                url=redact_url(error.url or where),
            )
        if isinstance(error, HTTPError):
            return NCBIError(
                f"NCBI answered HTTP {error.code} to {util} on all {tries} tries at {redact_url(error.url or where)}. "
                "Fix: NCBI may be down or overloaded; run again later (the cache keeps what was already fetched).",
                url=error.url or where,
                status=error.code,
            )
        if isinstance(error, ParseError):
            return ParseError(
                f"{error} (still malformed after {tries} tries). Fix: run again later; nothing was stored.",
                source=error.source,
            )
        return NetworkError(
            f"could not reach NCBI for {util} at {where} after {tries} tries: {_describe(error)}. "
            "Fix: check the network, or run with EVIDENCE_MODE=offline to use the committed cache.",
            url=where,
        )

    @contextlib.contextmanager
    def _entrez(self) -> Iterator[dict[str, str]]:
        """Configure Bio.Entrez for one request and restore it afterwards."""
        seen: dict[str, str] = {}
        base, timeout = self.settings.eutils_base, self.settings.timeout

        def redirecting_urlopen(request, *args, **kwargs):
            full_url = request.full_url
            if base != NCBI_EUTILS_BASE and full_url.startswith(NCBI_EUTILS_BASE):
                request.full_url = base + full_url[len(NCBI_EUTILS_BASE):]
            seen["url"] = request.full_url
            log.debug("%s %s", request.get_method(), redact_url(request.full_url))
            kwargs.setdefault("timeout", timeout)
            return urllib.request.urlopen(request, *args, **kwargs)

        names = ("email", "api_key", "tool", "max_tries", "urlopen")
        with _ENTREZ_LOCK:
            saved = {name: getattr(Entrez, name) for name in names}
            Entrez.email = self.settings.email
            Entrez.api_key = self.settings.api_key
            Entrez.tool = f"{TOOL_NAME}-{__version__}"
            Entrez.max_tries = 1
            Entrez.urlopen = redirecting_urlopen
            try:
                yield seen
            finally:
                for name, value in saved.items():
                    setattr(Entrez, name, value)


def retry_delay(settings: Settings, attempt: int, retry_after: str | None) -> float:
    """Seconds to wait before the next try: the server's Retry-After when given, else exponential backoff;
    both bounded by ``max_backoff_seconds``. Shared by every transport."""
    limit = settings.max_backoff_seconds
    if retry_after:
        seconds = _parse_retry_after(retry_after)
        if seconds is not None:
            return min(max(seconds, 0.0), limit)
    return min(settings.backoff_seconds * 2 ** (attempt - 1), limit)


def _parse_retry_after(value: str) -> float | None:
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


def _describe(error: Exception | None) -> str:
    if error is None:
        return "no answer"
    if isinstance(error, URLError) and not isinstance(error, HTTPError):
        return f"{type(error.reason).__name__}: {error.reason}"
    return f"{type(error).__name__}: {error}"
