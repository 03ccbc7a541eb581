"""The PubMed client that notebooks and the command line call.

``PubMed.search`` runs one esearch per query over a frozen entry-date window; when PubMed
counts more than 9,999 hits (the most esearch returns) it splits the window in halves until
every slice fits and checks that the slice counts add up to the total. ``PubMed.fetch``
fetches records by PMID in batches of at most 200, sorted so the same set of PMIDs always
makes the same batches (and so the same cache entries). Every request goes through the
cache according to the mode: ``offline`` (cache only), ``cached`` (cache, then network) or
``live`` (network, then cache, reporting drift against what was cached).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .cache import ResponseCache
from .errors import CacheError, InputError, NCBIError
from .records import Record, SearchPage, parse_esearch, parse_pubmed_xml
from .settings import Settings
from .transport import Transport

__all__ = [
    "DriftEntry",
    "ESEARCH_MAX_IDS",
    "EFETCH_BATCH",
    "FetchResult",
    "PubMed",
    "SNAPSHOT_DATE",
    "SearchResult",
    "normalize_pmid",
]

log = logging.getLogger(__name__)

ESEARCH_MAX_IDS = 9999
EFETCH_BATCH = 200
# Searches are frozen at this Entrez date (edat) so a rerun reproduces the snapshot; pass
# max_date to search up to another day.
SNAPSHOT_DATE = "2026/11/25"
EARLIEST_DATE = "1800/01/01"
_PMID = re.compile(r"^[1-9]\d{0,8}$")
# how NCBI words an efetch against a history it no longer holds
_EXPIRED_HISTORY = ("Unable to obtain query", "WebEnv")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def normalize_pmid(value: object) -> str:
    """``value`` as a PMID string, or InputError saying what a PMID looks like."""
    text = str(value).strip()
    if text.lower().startswith("pmid:"):
        text = text[5:].strip()
    if not _PMID.match(text):
        raise InputError(f"{value!r} is not a PMID. Fix: a PMID is 1 to 9 digits, e.g. 24740528.")
    return text


@dataclass(frozen=True)
class SearchSlice:
    min_date: str
    max_date: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    query: str
    count: int
    ids: tuple[str, ...]
    query_translation: str
    min_date: str
    max_date: str
    slices: tuple[SearchSlice, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetchResult:
    records: dict[str, Record]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class DriftEntry:
    """What changed between the cached answer and a live one for the same request."""

    util: str
    term: str
    old_count: int | None
    new_count: int | None
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass
class RequestStats:
    network: int = 0
    cache_hits: int = 0
    by_util: dict[str, int] = field(default_factory=dict)


class PubMed:
    """Search and fetch PubMed through the cache, in the mode the settings name."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: Transport | None = None,
        cache: ResponseCache | None = None,
        progress: Callable[[str], None] | None = None,
    ):
        self.settings = settings or Settings.from_env()
        self.transport = transport or Transport(self.settings)
        self.cache = cache or ResponseCache(self.settings)
        self.stats = RequestStats()
        self.drift: list[DriftEntry] = []
        self._progress = progress or (lambda message: log.info(message))

    # -- public API ------------------------------------------------------------------
    def search(self, query: str, *, max_date: str = SNAPSHOT_DATE, min_date: str = EARLIEST_DATE) -> SearchResult:
        """Every PMID matching ``query`` with an Entrez date in [min_date, max_date]."""
        if not query or not query.strip():
            raise InputError("empty PubMed query. Fix: give the query text as it would be typed into PubMed.")
        lo, hi = _parse_date(min_date, "min_date"), _parse_date(max_date, "max_date")
        if lo > hi:
            raise InputError(f"min_date {min_date} is after max_date {max_date}.")
        first = self._esearch(query, lo, hi)
        slices: list[SearchSlice] = []
        ids = self._collect(query, lo, hi, first, slices)
        unique = tuple(dict.fromkeys(ids))
        if len(unique) != first.count:
            raise NCBIError(
                f"esearch for {query!r}: collected {len(unique)} distinct PMIDs but PubMed counted {first.count}. "
                "Fix: PubMed changed during the search; run it again."
            )
        return SearchResult(
            query=query,
            count=first.count,
            ids=unique,
            query_translation=first.query_translation,
            min_date=_format_date(lo),
            max_date=_format_date(hi),
            slices=tuple(slices),
            warnings=first.warnings + first.errors,
        )

    def fetch(self, pmids: Iterable[object]) -> FetchResult:
        """PubMed records for ``pmids`` (fetched once each, in batches of at most 200)."""
        wanted = sorted({normalize_pmid(p) for p in pmids}, key=int)
        records: dict[str, Record] = {}
        batches = [wanted[i : i + EFETCH_BATCH] for i in range(0, len(wanted), EFETCH_BATCH)]
        for number, batch in enumerate(batches, start=1):
            self._progress(f"efetch batch {number} of {len(batches)} ({len(batch)} PMIDs)")
            params = {"db": "pubmed", "id": ",".join(batch), "retmode": "xml"}
            body = self._request("efetch", params)
            for record in parse_pubmed_xml(body, source=f"efetch batch {number} ({batch[0]}..{batch[-1]})"):
                if record.pmid in batch:
                    records[record.pmid] = record
        missing = tuple(p for p in wanted if p not in records)
        ordered = {p: records[p] for p in wanted if p in records}
        return FetchResult(records=ordered, missing=missing)

    def fetch_search(self, query: str, *, max_date: str = SNAPSHOT_DATE, min_date: str = EARLIEST_DATE) -> FetchResult:
        """Every record ``query`` finds, fetched through the search's history on NCBI (WebEnv).

        Batches are cached under the search window and offset, never under the WebEnv, which
        expires within hours; an expired WebEnv is renewed by re-running the search once. Past
        9,999 hits (more than a history can serve) it fetches by PMID instead.
        """
        result = self.search(query, max_date=max_date, min_date=min_date)
        if result.count > ESEARCH_MAX_IDS:
            return self.fetch(result.ids)
        window = {"db": "pubmed", "term": query, "datetype": "edat", "mindate": result.min_date,
                  "maxdate": result.max_date}
        session: list[tuple[str, str]] = []
        records: dict[str, Record] = {}
        starts = range(0, result.count, EFETCH_BATCH)
        for number, start in enumerate(starts, start=1):
            self._progress(f"efetch batch {number} of {len(starts)} by search history")
            key = {**window, "retstart": str(start), "retmax": str(EFETCH_BATCH), "retmode": "xml", "history": "y"}
            body = self._request("efetch", key, send=lambda start=start: self._fetch_by_history(window, start, session))
            for record in parse_pubmed_xml(body, source=f"efetch by history, batch {number} of {query[:60]!r}"):
                records[record.pmid] = record
        wanted = set(result.ids)
        ordered = {p: records[p] for p in result.ids if p in records}
        ordered.update({p: r for p, r in sorted(records.items()) if p not in wanted})
        return FetchResult(records=ordered, missing=tuple(p for p in result.ids if p not in records))

    def pmid_for_doi(self, doi: str) -> str | None:
        """The PMID PubMed files under ``doi``, or None when there is not exactly one."""
        doi = doi.strip()
        if doi.lower().startswith("doi:"):
            doi = doi[4:]
        if not _DOI.match(doi):
            raise InputError(f"{doi!r} is not a DOI. Fix: a DOI looks like 10.1176/appi.ajp.2020.20050596.")
        params = {"db": "pubmed", "term": f"{doi}[doi]", "retmax": "2"}
        page = parse_esearch(self._request("esearch", params))
        return page.ids[0] if page.count == 1 and page.ids else None

    # -- internals -------------------------------------------------------------------
    def _collect(self, query: str, lo: dt.date, hi: dt.date, page: SearchPage, slices: list[SearchSlice]) -> list[str]:
        if page.count <= ESEARCH_MAX_IDS:
            if len(page.ids) != page.count:
                raise NCBIError(
                    f"esearch for {query!r} ({_format_date(lo)}-{_format_date(hi)}): PubMed counted {page.count} "
                    f"but returned {len(page.ids)} PMIDs. Fix: run again; if it persists, report the query."
                )
            slices.append(SearchSlice(_format_date(lo), _format_date(hi), page.count))
            return list(page.ids)
        if lo == hi:
            raise NCBIError(
                f"esearch for {query!r}: {page.count} records on the single day {_format_date(lo)}, more than the "
                f"{ESEARCH_MAX_IDS} esearch can return. Fix: narrow the query."
            )
        mid = lo + (hi - lo) // 2
        self._progress(f"{page.count} hits for the window {_format_date(lo)}-{_format_date(hi)}: splitting it")
        left = self._esearch(query, lo, mid)
        right = self._esearch(query, mid + dt.timedelta(days=1), hi)
        if left.count + right.count != page.count:
            raise NCBIError(
                f"esearch for {query!r}: the halves of {_format_date(lo)}-{_format_date(hi)} count "
                f"{left.count} + {right.count}, not {page.count}. Fix: PubMed changed during the search; run again."
            )
        return self._collect(query, lo, mid, left, slices) + self._collect(query, mid + dt.timedelta(days=1), hi, right, slices)

    def _esearch(self, query: str, lo: dt.date, hi: dt.date) -> SearchPage:
        params = {
            "db": "pubmed",
            "term": query,
            "retmax": str(ESEARCH_MAX_IDS),
            "datetype": "edat",
            "mindate": _format_date(lo),
            "maxdate": _format_date(hi),
        }
        return parse_esearch(self._request("esearch", params), source=f"esearch {query[:60]!r}")

    def _fetch_by_history(self, window: dict[str, str], start: int, session: list[tuple[str, str]]) -> bytes:
        """One efetch through the search's WebEnv, opening (or renewing, once) the history as needed."""
        for attempt in (1, 2):
            if not session:
                page = parse_esearch(self.transport.get("esearch", {**window, "usehistory": "y", "retmax": "0"}))
                self._count_network("esearch")
                if not page.webenv:
                    raise NCBIError(f"esearch for {window['term'][:60]!r} returned no WebEnv although usehistory=y.")
                session.append((page.webenv, page.query_key or "1"))
            webenv, query_key = session[0]
            params = {"db": "pubmed", "WebEnv": webenv, "query_key": query_key, "retstart": str(start),
                      "retmax": str(EFETCH_BATCH), "retmode": "xml"}
            try:
                return self.transport.get("efetch", params)
            except NCBIError as exc:
                if attempt == 2 or not any(s in str(exc) for s in _EXPIRED_HISTORY):
                    raise
                session.clear()
                self._progress("the search's history (WebEnv) expired on NCBI; re-running the search")
        raise AssertionError("unreachable")

    def _count_network(self, util: str) -> None:
        self.stats.network += 1
        self.stats.by_util[util] = self.stats.by_util.get(util, 0) + 1

    def _request(self, util: str, params: dict[str, str], *, send: Callable[[], bytes] | None = None) -> bytes:
        mode = self.settings.mode
        cached = None
        try:
            cached = self.cache.get(util, params)
        except CacheError as exc:
            if mode == "offline":
                raise
            log.warning("%s; fetching it again", exc)
        if mode == "offline":
            if cached is None:
                raise self.cache.miss(util, params)
            self.stats.cache_hits += 1
            return cached.body
        if mode == "cached" and cached is not None:
            self.stats.cache_hits += 1
            return cached.body
        body = send() if send is not None else self.transport.get(util, params)
        self._count_network(util)
        stored = self.cache.put(util, params, body)
        if mode == "live" and cached is not None and util == "esearch":
            self._record_drift(params, cached.body, stored.body)
        return stored.body

    def _record_drift(self, params: dict[str, str], old_body: bytes, new_body: bytes) -> None:
        old, new = parse_esearch(old_body), parse_esearch(new_body)
        added = tuple(sorted(set(new.ids) - set(old.ids), key=int))
        removed = tuple(sorted(set(old.ids) - set(new.ids), key=int))
        if added or removed or old.count != new.count:
            self.drift.append(DriftEntry("esearch", params.get("term", ""), old.count, new.count, added, removed))


def _parse_date(value: str, name: str) -> dt.date:
    try:
        return dt.datetime.strptime(value.strip(), "%Y/%m/%d").date()
    except ValueError:
        raise InputError(f"{name}={value!r} is not a date. Fix: write it as YYYY/MM/DD, e.g. 2026/11/25.") from None


def _format_date(day: dt.date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"
