"""A loopback double of NCBI's E-utilities (esearch, efetch) for the tests.

It speaks NCBI's wire format closely enough for Biopython and our client: ``text/xml``
bodies that start with the XML declaration and carry NCBI's DOCTYPEs, esearch with
``retstart``/``retmax``, the 9,999-id cap, ``mindate``/``maxdate`` over entry dates and
``usehistory`` (``WebEnv``/``query_key``), efetch by id list (GET or POST) and by history.
Faults are injected on demand (``fail_next``) and every request is logged, so tests and
benchmarks can count them. It does not parse PubMed's query language: each term the tests
use is registered with the PMIDs it should find (``add_search``), or a ``counter`` answers the
count of any other query asked with ``retmax=0``.

Automatic term mapping: a term registered with ``add_mesh`` is answered, wherever it stands
untagged in a query, with a ``<Translation>`` in the ``<TranslationSet>`` as PubMed writes it
(``<From>`` the term as sent, ``<To>`` its MeSH heading ORed with the term in all fields, the
white space between elements included). The shape follows the esearch answers Biopython
records in its own tests (Tests/Entrez/esearch*.xml); nothing here is copied from them.

The records it serves are the hand-written fixtures in ``tests/fixtures/pubmed/`` plus
synthetic records generated from a template below; none of them is a real PubMed record.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).parent / "fixtures" / "pubmed"
ESEARCH_DOCTYPE = (
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">'
)
PUBMED_DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
EFETCH_ERROR_DOCTYPE = (
    '<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">'
)
MAX_IDS = 9999
DEFAULT_DATE = dt.date(2020, 1, 1)

SYNTHETIC_TEMPLATE = """<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print">\
<PubDate><Year>{year}</Year></PubDate></JournalIssue>
<Title>Synthetic Fixture Journal</Title></Journal><ArticleTitle>Synthetic fixture record {pmid}.</ArticleTitle>
<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList></Article>
</MedlineCitation>\
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>"""


@dataclass(frozen=True)
class LoggedRequest:
    util: str
    method: str
    params: dict[str, str]
    raw: str  # the query string or form body exactly as received


@dataclass
class Fault:
    """One injected failure. kind: status, reset, slow, truncate, error, short, empty, expire, none (pass)."""

    kind: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    message: str = "Search Backend failed"
    drop: int = 1


def xml_document(doctype: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8" ?>\n{doctype}\n{body}\n'.encode("utf-8")


class EutilsDouble:
    """Start with ``with EutilsDouble() as double:``; ``double.base`` is the E-utilities base URL."""

    def __init__(self) -> None:
        self.records: dict[str, str] = {}
        self.dates: dict[str, dt.date] = {}
        self.searches: dict[str, list[str]] = {}
        self.translations: dict[str, str] = {}
        self.mesh: dict[str, str] = {}
        self.counter = None  # a callable term -> count (or None) for unregistered queries asked with retmax=0
        self.requests: list[LoggedRequest] = []
        self._faults: dict[str, deque[Fault]] = {"esearch": deque(), "efetch": deque()}
        self._history: dict[tuple[str, str], list[str]] = {}
        self._webenv_counter = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for path in sorted(FIXTURES.glob("*.xml")):
            self.records[path.stem] = strip_comment(path.read_text(encoding="utf-8"))

    # -- set-up -------------------------------------------------------------------------
    def add_search(self, term: str, pmids, *, dates=None, translation: str | None = None) -> None:
        """Make ``term`` find ``pmids`` (entry dates from ``dates``, else 2020/01/01)."""
        pmids = [str(p) for p in pmids]
        self.searches[term] = pmids
        self.translations[term] = translation or term
        for index, pmid in enumerate(pmids):
            if dates is not None:
                self.dates[pmid] = dates[index]
            else:
                self.dates.setdefault(pmid, DEFAULT_DATE)

    def add_mesh(self, term: str, heading: str) -> None:
        """Map ``term`` (matched case-insensitively where it stands untagged in a query) to the MeSH ``heading``,
        written in lower case as PubMed's translation writes headings."""
        self.mesh[term.lower()] = heading.lower()

    def _translation_set(self, term: str) -> str:
        found = []
        for key, heading in self.mesh.items():
            match = re.search(rf'(?<![\w"-]){re.escape(key)}(?![\w"\[-])', term, re.IGNORECASE)
            if match:
                source = match.group(0)
                searched = f'"{heading}"[MeSH Terms] OR "{source.lower()}"[All Fields]'
                found.append(f"<Translation>     <From>{escape(source)}</From>     <To>{escape(searched)}</To>    "
                             "</Translation>")
        return f"<TranslationSet>{''.join(found)}</TranslationSet>" if found else "<TranslationSet/>"

    def add_synthetic(self, pmids, *, start: dt.date = dt.date(2000, 1, 1), per_day: int = 7) -> list[dt.date]:
        """Register synthetic records for ``pmids`` with entry dates ``per_day`` to a day from ``start``."""
        dates = []
        for index, pmid in enumerate(pmids):
            pmid = str(pmid)
            day = start + dt.timedelta(days=index // per_day)
            self.records.setdefault(pmid, SYNTHETIC_TEMPLATE.format(pmid=pmid, year=day.year))
            self.dates[pmid] = day
            dates.append(day)
        return dates

    def fail_next(self, util: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults[util].extend([fault] * times)

    def expire_history(self) -> None:
        self._history.clear()

    # -- counting -----------------------------------------------------------------------
    def count(self, util: str | None = None) -> int:
        return sum(1 for r in self.requests if util is None or r.util == util)

    def reset_log(self) -> None:
        self.requests.clear()

    # -- server -------------------------------------------------------------------------
    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/entrez/eutils/"

    def __enter__(self) -> EutilsDouble:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                double._handle(self, urlsplit(self.path).query)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                double._handle(self, self.rfile.read(length).decode("utf-8"))

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # a short poll interval: shutdown() waits for one poll, and every test stops a double
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- handling -----------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, raw: str) -> None:
        path = urlsplit(handler.path).path
        util = path.rsplit("/", 1)[-1].removesuffix(".fcgi")
        params = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(LoggedRequest(util, handler.command, params, raw))
            fault = self._faults.get(util, deque()).popleft() if self._faults.get(util) else None
            if fault is not None and fault.kind == "expire":
                self._history.clear()
        if util == "esearch":
            status, body = self._esearch(params)
        elif util == "efetch":
            status, body = self._efetch(params)
        else:
            status, body = 404, b"unknown utility"
        if fault is not None:
            if fault.kind == "status":
                return self._send(handler, fault.status, b"<html><body>error</body></html>", fault.headers, "text/html")
            if fault.kind == "reset":
                handler.close_connection = True
                handler.connection.shutdown(2)
                return None
            if fault.kind == "slow":
                time.sleep(fault.seconds)
            if fault.kind == "truncate":
                body = body[: max(1, len(body) // 2)]
            if fault.kind == "error":
                root = "eSearchResult" if util == "esearch" else "eFetchResult"
                doctype = ESEARCH_DOCTYPE if util == "esearch" else EFETCH_ERROR_DOCTYPE
                body = xml_document(doctype, f"<{root}><ERROR>{escape(fault.message)}</ERROR></{root}>")
            if fault.kind == "short" and util == "efetch":
                ids = self._ids_for_fetch(params) or []
                status, body = self._articles(ids[: max(0, len(ids) - fault.drop)])
            if fault.kind == "empty":
                body = b""
        self._send(handler, status, body)

    def _send(self, handler, status: int, body: bytes, headers=None, content_type="text/xml; charset=UTF-8") -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _esearch(self, params: dict[str, str]) -> tuple[int, bytes]:
        term = params.get("term", "")
        ids = list(self.searches.get(term, []))
        retmax = int(params.get("retmax") or 20)
        counted = None
        if term not in self.searches and retmax == 0 and self.counter is not None:
            counted = self.counter(term)
        mindate, maxdate = params.get("mindate"), params.get("maxdate")
        if bool(mindate) != bool(maxdate):
            return 200, xml_document(ESEARCH_DOCTYPE,
                                     "<eSearchResult><ERROR>mindate and maxdate must be given together</ERROR>"
                                     "</eSearchResult>")
        if mindate:
            lo, hi = _date(mindate), _date(maxdate)
            ids = [p for p in ids if lo <= self.dates.get(p, DEFAULT_DATE) <= hi]
        retstart = int(params.get("retstart") or 0)
        if retstart > MAX_IDS - 1 and ids:
            return 200, xml_document(
                ESEARCH_DOCTYPE,
                "<eSearchResult><ERROR>Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. "
                "For PubMed, ESearch can only retrieve the first 9,999 records matching the query.</ERROR>"
                "</eSearchResult>",
            )
        page = ids[retstart : retstart + min(retmax, MAX_IDS)]
        history = ""
        if params.get("usehistory") == "y":
            webenv = f"MCID_fixture_{next(self._webenv_counter)}"
            self._history[(webenv, "1")] = ids
            history = f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
        id_xml = "".join(f"<Id>{p}</Id>" for p in page)
        errors = "" if ids or term in self.searches or counted else \
            f"<ErrorList><PhraseNotFound>{escape(term)}</PhraseNotFound></ErrorList>"
        count = counted if counted is not None else len(ids)
        body = (
            f"<eSearchResult><Count>{count}</Count><RetMax>{len(page)}</RetMax><RetStart>{retstart}</RetStart>"
            f"{history}<IdList>{id_xml}</IdList>{self._translation_set(term)}"
            f"<QueryTranslation>{escape(self.translations.get(term, term))}</QueryTranslation>{errors}</eSearchResult>"
        )
        return 200, xml_document(ESEARCH_DOCTYPE, body)

    def _ids_for_fetch(self, params: dict[str, str]) -> list[str] | None:
        if params.get("WebEnv"):
            ids = self._history.get((params["WebEnv"], params.get("query_key", "1")))
            if ids is None:
                return None
            start = int(params.get("retstart") or 0)
            return ids[start : start + int(params.get("retmax") or 20)]
        return [p.strip() for p in params.get("id", "").split(",") if p.strip()]

    def _efetch(self, params: dict[str, str]) -> tuple[int, bytes]:
        ids = self._ids_for_fetch(params)
        if ids is None:
            return 200, xml_document(
                EFETCH_ERROR_DOCTYPE,
                "<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>",
            )
        return self._articles(ids)

    def _articles(self, ids: list[str]) -> tuple[int, bytes]:
        articles = "\n".join(self.records[p] for p in ids if p in self.records)
        return 200, xml_document(PUBMED_DOCTYPE, f"<PubmedArticleSet>\n{articles}\n</PubmedArticleSet>")


def strip_comment(text: str) -> str:
    if text.lstrip().startswith("<!--"):
        text = text.split("-->", 1)[1]
    return text.strip()


def _date(value: str) -> dt.date:
    parts = [int(p) for p in value.replace("-", "/").split("/")]
    while len(parts) < 3:
        parts.append(1)
    return dt.date(*parts)


if __name__ == "__main__":  # manual use: python tests/eutils_double.py
    with EutilsDouble() as double:
        print(double.base, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
