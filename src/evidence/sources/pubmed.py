"""The PubMed client that notebooks and the command line call.

``PubMed.search`` runs one esearch per query over a frozen entry-date window; when PubMed
counts more than 9,999 hits (the most esearch returns) it splits the window in halves until
every slice fits and checks that the slice counts add up to the total. ``PubMed.fetch``
fetches records by PMID in batches of at most 200, sorted so the same set of PMIDs always
makes the same batches (and so the same cache entries). ``PubMed.pmid_for_doi`` resolves a DOI.
``PubMed.probe`` asks only for a query's count and PubMed's translation of it (automatic term mapping).

The client holds one transport and no cache logic: by default the E-utilities transport
wrapped by the caching layer (``eutils_transport``), which applies the mode.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import InputError, NCBIError
from ..settings import Settings
from ..vocab import DOI_PATTERN, PMID_PATTERN
from .caching import CachingTransport, DriftEntry, RequestStats
from .records import Record, SearchPage, esearch_page, pubmed_records
from .transport import EutilsTransport, Transport

__all__ = [
    "ESEARCH_MAX_IDS",
    "EFETCH_BATCH",
    "FetchResult",
    "PubMed",
    "SearchResult",
    "eutils_transport",
    "normalize_pmid",
]

log = logging.getLogger(__name__)

ESEARCH_MAX_IDS = 9999
EFETCH_BATCH = 200
EARLIEST_DATE = "1800/01/01"


def normalize_pmid(value: object) -> str:
    """``value`` as a PMID string, or InputError saying what a PMID looks like."""
    text = str(value).strip()
    if text.lower().startswith("pmid:"):
        text = text[5:].strip()
    if not PMID_PATTERN.match(text):
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


def eutils_transport(settings: Settings, **options) -> CachingTransport:
    """The E-utilities transport wrapped by the caching layer (``options`` go to the transport)."""
    return CachingTransport(EutilsTransport(settings, **options), settings)


class PubMed:
    """Search and fetch PubMed through the cache, in the mode the settings name."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: Transport | None = None,
        progress: Callable[[str], None] | None = None,
        snapshot_date: str | dt.date | None = None,
    ):
        """``snapshot_date`` freezes searches at an Entrez date (a project's evidence.toml names it) so a rerun
        reproduces them; without it a search runs up to ``max_date``, which must then be given."""
        self.settings = settings or Settings.from_env()
        if isinstance(snapshot_date, dt.date):
            snapshot_date = _format_date(snapshot_date)
        self.snapshot_date = snapshot_date
        self.transport = transport or eutils_transport(self.settings)
        self._progress = progress or (lambda message: log.info(message))

    @property
    def stats(self) -> RequestStats:
        """Requests sent and answered from the cache (kept by the caching layer)."""
        return getattr(self.transport, "stats", RequestStats())

    @property
    def drift(self) -> list[DriftEntry]:
        """What live answers changed against the cache (kept by the caching layer)."""
        return getattr(self.transport, "drift", [])

    # -- public API ------------------------------------------------------------------
    def search(self, query: str, *, max_date: str | None = None, min_date: str | None = None) -> SearchResult:
        """Every PMID matching ``query`` with an Entrez date in [min_date, max_date]. ``max_date`` defaults to the
        client's snapshot date; with neither, the search is not frozen (everything PubMed holds now), which suits
        a live look but not a reproducible project."""
        if not query or not query.strip():
            raise InputError("empty PubMed query. Fix: give the query text as it would be typed into PubMed.")
        max_date = max_date or self.snapshot_date
        hi = _parse_date(max_date, "max_date") if max_date else None
        lo = _parse_date(min_date or EARLIEST_DATE, "min_date")
        if hi is not None and lo > hi:
            raise InputError(f"min_date {min_date} is after max_date {max_date}.")
        frozen = hi is not None or min_date is not None
        first = self._esearch(query, lo if frozen else None, hi)
        slices: list[SearchSlice] = []
        if first.count > ESEARCH_MAX_IDS and hi is None:
            hi, frozen = dt.date.today(), True  # an unfrozen search is split over dates only when it must be
        ids = self._collect(query, lo if frozen else None, hi, first, slices)
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
            min_date=_format_date(lo) if frozen else "",
            max_date=_format_date(hi) if hi is not None else "",
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
            root = self.transport.get("efetch", params).document
            for record in pubmed_records(root, source=f"efetch batch {number} ({batch[0]}..{batch[-1]})"):
                if record.pmid in batch:
                    records[record.pmid] = record
        missing = tuple(p for p in wanted if p not in records)
        ordered = {p: records[p] for p in wanted if p in records}
        return FetchResult(records=ordered, missing=missing)

    def probe(self, query: str) -> SearchPage:
        """One esearch for ``query`` that returns no PMIDs: its count (frozen at the snapshot date when the client has
        one) and PubMed's translation of each term (``SearchPage.translation_set``: the MeSH headings its automatic
        term mapping chose)."""
        if not query or not query.strip():
            raise InputError("empty PubMed query. Fix: give the query text as it would be typed into PubMed.")
        params = {"db": "pubmed", "term": query, "retmax": "0"}
        if self.snapshot_date:
            params.update(datetype="edat", mindate=EARLIEST_DATE,
                          maxdate=_format_date(_parse_date(self.snapshot_date, "snapshot_date")))
        return esearch_page(self.transport.get("esearch", params).document, source=f"esearch {query[:60]!r}")

    def pmid_for_doi(self, doi: str) -> str | None:
        """The PMID PubMed files under ``doi``, or None when there is not exactly one."""
        doi = doi.strip()
        if doi.lower().startswith("doi:"):
            doi = doi[4:]
        if not DOI_PATTERN.match(doi):
            raise InputError(f"{doi!r} is not a DOI. Fix: a DOI looks like 10.1176/appi.ajp.2020.20050596.")
        params = {"db": "pubmed", "term": f"{doi}[doi]", "retmax": "2"}
        page = esearch_page(self.transport.get("esearch", params).document)
        return page.ids[0] if page.count == 1 and page.ids else None

    # -- internals -------------------------------------------------------------------
    def _collect(self, query: str, lo: dt.date | None, hi: dt.date | None, page: SearchPage,
                 slices: list[SearchSlice]) -> list[str]:
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
        return (self._collect(query, lo, mid, left, slices)
                + self._collect(query, mid + dt.timedelta(days=1), hi, right, slices))

    def _esearch(self, query: str, lo: dt.date | None, hi: dt.date | None) -> SearchPage:
        params = {"db": "pubmed", "term": query, "retmax": str(ESEARCH_MAX_IDS)}
        if lo is not None or hi is not None:  # E-utilities wants both bounds of a date range together
            params.update(datetype="edat", mindate=_format_date(lo or dt.date(1800, 1, 1)),
                          maxdate=_format_date(hi or dt.date.today()))
        return esearch_page(self.transport.get("esearch", params).document, source=f"esearch {query[:60]!r}")


def _parse_date(value: str, name: str) -> dt.date:
    try:
        return dt.datetime.strptime(value.strip(), "%Y/%m/%d").date()
    except ValueError:
        raise InputError(f"{name}={value!r} is not a date. Fix: write it as YYYY/MM/DD, e.g. 2024/01/31.") from None


def _format_date(day: dt.date | None) -> str:
    """A date as E-utilities writes it (YYYY/MM/DD); empty for no date (an unfrozen search)."""
    return "" if day is None else f"{day.year:04d}/{day.month:02d}/{day.day:02d}"
