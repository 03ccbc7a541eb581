"""ClinicalTrials.gov (API v2) behind the same transport seam as E-utilities.

``CtgovTransport`` sends ``GET <base>studies`` (and ``studies/<NCT id>``) with ``requests``, retrying 429 and 5xx
with the shared backoff (honouring ``Retry-After``) and malformed JSON as a broken transfer; it answers with the
decoded JSON. ``ctgov_transport`` wraps it in the caching layer, so the modes, cache keys and drift work as for
PubMed (answers are stored as ``.json``). ``ClinicalTrials.search`` follows ``nextPageToken`` until the last page
and reads each study into a ``RegisteredTrial``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from ..errors import ConfigurationError, NetworkError, ParseError, RateLimitError, RegistryError
from ..settings import Settings
from ..vocab import NCT_PATTERN
from .caching import CachingTransport
from .transport import Answer, Summary, retry_delay

__all__ = ["ClinicalTrials", "CtgovTransport", "RegisteredTrial", "ctgov_transport", "trial_from_study"]

log = logging.getLogger(__name__)
SERVICES = ("studies",)
RETRYABLE = frozenset({429, 500, 502, 503, 504})
PAGE_SIZE = 100


class CtgovTransport:
    """Sends ClinicalTrials.gov API v2 requests; no caching."""

    name = "ctgov"

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None):
        self.settings = settings
        self._sleep = sleep
        self._session = session or requests.Session()

    def decode(self, service: str, body: bytes, *, source: str) -> Any:
        try:
            document = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ParseError(f"{source}: not valid JSON ({exc}); the answer may be truncated.", source=source) from None
        if not isinstance(document, dict):
            raise ParseError(f"{source}: expected a JSON object, got {type(document).__name__}.", source=source)
        return document

    def summarize(self, service: str, document: Any) -> Summary:
        studies = document.get("studies")
        if studies is None:
            return Summary()
        ids = tuple(_nct_id(s) for s in studies)
        return Summary(count=document.get("totalCount"), ids=tuple(i for i in ids if i))

    def get(self, service: str, params: Mapping[str, str]) -> Answer:
        if service not in SERVICES:
            raise ConfigurationError(f"unknown ClinicalTrials.gov service {service!r}; expected one of {SERVICES}.")
        url = self.settings.ctgov_base + service
        last: Exception | None = None
        status = None
        for attempt in range(1, self.settings.max_tries + 1):
            delay = retry_delay(self.settings, attempt, None)
            try:
                response = self._session.get(url, params=dict(params), timeout=self.settings.timeout)
                status = response.status_code
                if status in RETRYABLE:
                    last = (RateLimitError(f"{status}", url=url) if status == 429
                            else RegistryError(f"{status}", url=url))
                    delay = retry_delay(self.settings, attempt, response.headers.get("Retry-After"))
                elif status >= 400:
                    raise RegistryError(f"ClinicalTrials.gov answered HTTP {status} to {response.url}. Fix: check the "
                                    "query parameters.", url=response.url, status=status)
                else:
                    body = response.content
                    return Answer(body, self.decode(service, body, source=f"ClinicalTrials.gov {response.url}"))
            except ParseError as exc:
                last = exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = exc
            log.warning("ClinicalTrials.gov %s: %s; attempt %d of %d", service, last, attempt, self.settings.max_tries)
            if attempt < self.settings.max_tries:
                self._sleep(delay)
        tries = self.settings.max_tries
        if isinstance(last, RateLimitError):
            return _raise(RateLimitError(f"ClinicalTrials.gov kept answering 429 Too Many Requests after {tries} "
                                         "tries. Fix: wait a minute and run again.", url=url))
        if isinstance(last, RegistryError):
            return _raise(RegistryError(f"ClinicalTrials.gov answered HTTP {status} on all {tries} tries at {url}. "
                                    "Fix: the service may be down; run again later.", url=url, status=status))
        if isinstance(last, ParseError):
            return _raise(ParseError(f"{last} (still malformed after {tries} tries). Fix: run again later; "
                                     "nothing was stored.", source=last.source))
        return _raise(NetworkError(f"could not reach ClinicalTrials.gov at {url} after {tries} tries: {last}. "
                                   "Fix: check the network, or run with EVIDENCE_MODE=offline.", url=url))


def _raise(error: Exception):
    raise error


def ctgov_transport(settings: Settings, **options) -> CachingTransport:
    """The ClinicalTrials.gov transport wrapped by the caching layer."""
    return CachingTransport(CtgovTransport(settings, **options), settings, suffix=".json")


@dataclass(frozen=True)
class RegisteredTrial:
    nct_id: str
    title: str
    status: str
    enrollment: int | None
    enrollment_type: str
    start: str
    primary_completion: str
    completion: str
    results_posted: bool
    conditions: tuple[str, ...]


def _nct_id(study: Mapping[str, Any]) -> str:
    return str(study.get("protocolSection", {}).get("identificationModule", {}).get("nctId", ""))


def trial_from_study(study: Mapping[str, Any]) -> RegisteredTrial:
    """One API v2 study object as a RegisteredTrial (ParseError when it has no NCT id)."""
    protocol = study.get("protocolSection", {})
    ident = protocol.get("identificationModule", {})
    status = protocol.get("statusModule", {})
    design = protocol.get("designModule", {})
    nct_id = ident.get("nctId", "")
    if not NCT_PATTERN.fullmatch(nct_id or ""):
        raise ParseError(f"a ClinicalTrials.gov study has no valid NCT id ({nct_id!r}).", source="ClinicalTrials.gov")
    enrollment = design.get("enrollmentInfo", {})
    return RegisteredTrial(
        nct_id=nct_id,
        title=ident.get("briefTitle", ""),
        status=status.get("overallStatus", ""),
        enrollment=enrollment.get("count"),
        enrollment_type=enrollment.get("type", ""),
        start=status.get("startDateStruct", {}).get("date", ""),
        primary_completion=status.get("primaryCompletionDateStruct", {}).get("date", ""),
        completion=status.get("completionDateStruct", {}).get("date", ""),
        results_posted=bool(study.get("hasResults", False)),
        conditions=tuple(protocol.get("conditionsModule", {}).get("conditions", [])),
    )


class ClinicalTrials:
    """Search ClinicalTrials.gov through the cache, in the mode the settings name."""

    def __init__(self, settings: Settings | None = None, *, transport=None):
        self.settings = settings or Settings.from_env()
        self.transport = transport or ctgov_transport(self.settings)

    def search(self, term: str, *, page_size: int = PAGE_SIZE) -> list[RegisteredTrial]:
        """Every study matching ``term``, page by page (``pageToken``), each NCT id once."""
        params = {"query.term": term, "pageSize": str(page_size), "countTotal": "true", "format": "json"}
        trials: dict[str, RegisteredTrial] = {}
        total = None
        while True:
            document = self.transport.get("studies", params).document
            total = document.get("totalCount", total)
            for study in document.get("studies", []):
                trial = trial_from_study(study)
                trials.setdefault(trial.nct_id, trial)
            token = document.get("nextPageToken")
            if not token:
                break
            params = {**params, "pageToken": token}
        if total is not None and total != len(trials):
            raise RegistryError(f"ClinicalTrials.gov counted {total} studies for {term!r} but {len(trials)} came back. "
                            "Fix: the registry changed during the search; run it again.")
        return list(trials.values())
