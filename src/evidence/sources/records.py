"""Pure functions from E-utilities XML to typed records. No I/O, no network.

``parse_pubmed_xml`` reads an efetch ``PubmedArticleSet`` (journal and book articles) into
``Record`` objects that stay faithful to PubMed's data model: publication types are
``(UI, name)`` pairs, MeSH headings keep their qualifiers and major-topic flags, authors keep
last name, initials and suffix apart (a group by its collective name), the issue's volume,
issue and pagination are read as printed, and inline markup (``<i>``, ``<sup>``, ...) is kept
as its text, never dropped.
"""

from __future__ import annotations

import contextlib
import gc
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import NCBIError, ParseError
from ..vocab import NCT_PATTERN

__all__ = [
    "AbstractSection",
    "AuthorName",
    "MeshHeading",
    "Record",
    "SearchPage",
    "Translation",
    "check_response",
    "esearch_page",
    "parse_esearch",
    "parse_pubmed_xml",
    "pubmed_records",
]

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class AbstractSection:
    label: str
    category: str
    text: str


@dataclass(frozen=True)
class MeshHeading:
    descriptor: str
    ui: str
    major: bool
    qualifiers: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class AuthorName:
    """An author as PubMed lists them: a person (``LastName``, ``Initials``, ``Suffix``) or a group
    (``CollectiveName``)."""

    last_name: str = ""
    initials: str = ""
    suffix: str = ""
    collective: str = ""

    @property
    def is_group(self) -> bool:
        return bool(self.collective)

    def __str__(self) -> str:
        return self.collective or f"{self.last_name} {self.initials}".strip()


@dataclass(frozen=True)
class Record:
    """One PubMed citation, journal or book article."""

    pmid: str
    title: str
    journal: str = ""
    journal_abbrev: str = ""
    year: int | None = None
    authors: tuple[str, ...] = ()  # "Last Initials" or a group's name, one per author_names entry
    author_names: tuple[AuthorName, ...] = ()
    authors_complete: bool = True  # AuthorList CompleteYN: "N" when PubMed lists fewer authors than the work has
    volume: str = ""
    issue: str = ""
    pagination: str = ""  # MedlinePgn as printed (1320-7, e0123456), else StartPage-EndPage
    elocations: tuple[tuple[str, str], ...] = ()  # (EIdType, value) of the valid ELocationIDs: doi, pii
    abstract: tuple[AbstractSection, ...] = ()
    doi: str = ""
    pmcid: str = ""
    publication_types: tuple[tuple[str, str], ...] = ()
    mesh: tuple[MeshHeading, ...] = ()
    nct_ids: tuple[str, ...] = ()
    comments_corrections: tuple[tuple[str, str], ...] = field(default=())
    is_book: bool = False

    @property
    def abstract_text(self) -> str:
        return " ".join(s.text if not s.label else f"{s.label}: {s.text}" for s in self.abstract)

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else ""

    @property
    def piis(self) -> tuple[str, ...]:
        """The publisher's identifiers (ELocationID ``pii``): an article number such as e0123456, or an internal
        code such as S0006-3223(15)00123-4."""
        return tuple(value for kind, value in self.elocations if kind == "pii")

    def linked(self, ref_type: str) -> tuple[str, ...]:
        """PMIDs linked by a CommentsCorrections type, e.g. ``RetractionIn``."""
        return tuple(pmid for kind, pmid in self.comments_corrections if kind == ref_type)

    @property
    def retracted(self) -> bool:
        return bool(self.linked("RetractionIn")) or any(ui == "D016441" for ui, _ in self.publication_types)

    @property
    def expression_of_concern(self) -> bool:
        return bool(self.linked("ExpressionOfConcernIn"))

    @property
    def errata(self) -> tuple[str, ...]:
        return self.linked("ErratumIn")

    @property
    def notices(self) -> tuple[tuple[str, str], ...]:
        """(kind, PMID of the notice) for retractions, expressions of concern and errata, most serious first."""
        found = [("retraction", p) for p in self.linked("RetractionIn")]
        if self.retracted and not found:
            found.append(("retraction", ""))
        found += [("expression of concern", p) for p in self.linked("ExpressionOfConcernIn")]
        found += [("erratum", p) for p in self.errata]
        return tuple(found)


_MAPPED = re.compile(r'"([^"]+)"\[(MeSH Terms|Supplementary Concept)\]')


@dataclass(frozen=True)
class Translation:
    """One entry of esearch's ``TranslationSet``: a term as sent (``From``) and what PubMed's automatic term mapping
    searched for it (``To``), e.g. ``"neoplasms"[MeSH Terms] OR "cancer"[All Fields]``."""

    source: str
    searched: str

    @property
    def mesh_headings(self) -> tuple[str, ...]:
        """The MeSH headings (and supplementary concepts) the term was mapped to, as PubMed writes them."""
        return tuple(dict.fromkeys(match.group(1) for match in _MAPPED.finditer(self.searched)))


@dataclass(frozen=True)
class SearchPage:
    """One esearch answer."""

    count: int
    ids: tuple[str, ...]
    retstart: int = 0
    retmax: int = 0
    query_translation: str = ""
    webenv: str = ""
    query_key: str = ""
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    translation_set: tuple[Translation, ...] = ()

    @property
    def mesh_headings(self) -> tuple[str, ...]:
        """Every MeSH heading PubMed mapped a term of the query to, in order."""
        return tuple(dict.fromkeys(h for t in self.translation_set for h in t.mesh_headings))


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a tree is built and read.

    An efetch answer of 5,000 records is about 180,000 elements: each allocation batch triggers a collection
    that walks the growing tree again, which takes more time than the parse itself, and it can free nothing,
    because a tree and the records made from it hold no reference cycles (reference counting frees them).
    The collector's state is restored as found.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _xml_root(body: bytes, source: str) -> ET.Element:
    try:
        with _cyclic_gc_paused():
            return ET.fromstring(body)
    except ET.ParseError as exc:
        raise ParseError(
            f"{source or 'response'}: not well-formed XML ({exc}); the response may be truncated.",
            source=source,
        ) from None


def check_response(body: bytes, *, source: str = "") -> ET.Element:
    """Return the root of ``body`` if it is well-formed XML without an NCBI ``<ERROR>``."""
    if not body or not body.strip():
        raise ParseError(f"{source or 'response'}: empty body where XML was expected.", source=source)
    root = _xml_root(body, source)
    error = root if root.tag == "ERROR" else root.find("ERROR")
    if error is not None:
        message = _text(error) or "(empty ERROR element)"
        raise NCBIError(f"NCBI reported an error for {source or 'the request'}: {message}")
    return root


def parse_esearch(body: bytes, *, source: str = "esearch") -> SearchPage:
    """An esearch answer as it arrived (bytes): checked, then read by ``esearch_page``."""
    return esearch_page(check_response(body, source=source), source=source)


def esearch_page(root: ET.Element, *, source: str = "esearch") -> SearchPage:
    """A checked esearch answer (its XML root) as a ``SearchPage``."""
    if root.tag != "eSearchResult":
        raise ParseError(f"{source}: expected <eSearchResult>, got <{root.tag}>.", source=source)
    try:
        count = int(_text(root.find("Count")) or "0")
        retmax = int(_text(root.find("RetMax")) or "0")
        retstart = int(_text(root.find("RetStart")) or "0")
    except ValueError as exc:
        raise ParseError(f"{source}: a numeric field is not a number ({exc}).", source=source) from None
    ids = tuple(_text(e) for e in _findall(root, "IdList/Id"))
    return SearchPage(
        count=count,
        ids=ids,
        retstart=retstart,
        retmax=retmax,
        query_translation=_text(root.find("QueryTranslation")),
        webenv=_text(root.find("WebEnv")),
        query_key=_text(root.find("QueryKey")),
        errors=tuple(f"{e.tag}: {_text(e)}" for e in root.findall("ErrorList/*")),
        warnings=tuple(f"{e.tag}: {_text(e)}" for e in root.findall("WarningList/*")),
        translation_set=tuple(Translation(_text(e.find("From")), _text(e.find("To")))
                              for e in root.findall("TranslationSet/Translation")),
    )


def parse_pubmed_xml(body: bytes, *, source: str = "efetch") -> list[Record]:
    """Every ``PubmedArticle`` and ``PubmedBookArticle`` in an efetch answer (bytes), in order."""
    with _cyclic_gc_paused():  # the tree is freed inside too
        return pubmed_records(check_response(body, source=source), source=source)


def pubmed_records(root: ET.Element, *, source: str = "efetch") -> list[Record]:
    """The records of a checked efetch answer (its XML root), in order."""
    if root.tag != "PubmedArticleSet":
        raise ParseError(f"{source}: expected <PubmedArticleSet>, got <{root.tag}>.", source=source)
    records = []
    with _cyclic_gc_paused():
        for element in root:
            if element.tag == "PubmedArticle":
                records.append(_journal_article(element, source))
            elif element.tag == "PubmedBookArticle":
                records.append(_book_article(element, source))
    return records


def _journal_article(element: ET.Element, source: str) -> Record:
    citation = element.find("MedlineCitation")
    pmid = _text(citation.find("PMID")) if citation is not None else ""
    if not pmid:
        raise ParseError(f"{source}: a PubmedArticle has no MedlineCitation/PMID.", source=source)
    article = citation.find("Article")
    if article is None:
        raise ParseError(f"{source}: PMID {pmid} has no Article element.", source=source, pmid=pmid)
    journal = article.find("Journal")
    pub_date = _find(journal, "JournalIssue/PubDate") if journal is not None else None
    abstract = _abstract(article.find("Abstract"))
    ids = _article_ids(_find(element, "PubmedData/ArticleIdList"))
    elocations = _elocations(article)
    doi = ids.get("doi") or next((value for kind, value in elocations if kind == "doi"), "")
    names, complete = _author_names(article.findall("AuthorList"))
    issue = _find(journal, "JournalIssue") if journal is not None else None
    banks = [
        _text(acc)
        for bank in _findall(article, "DataBankList/DataBank")
        if _text(bank.find("DataBankName")).lower() == "clinicaltrials.gov"
        for acc in _findall(bank, "AccessionNumberList/AccessionNumber")
    ]
    return Record(
        pmid=pmid,
        title=_text(article.find("ArticleTitle")),
        journal=_text(journal.find("Title")) if journal is not None else "",
        journal_abbrev=(_text(journal.find("ISOAbbreviation")) if journal is not None else "")
        or _text(_find(citation, "MedlineJournalInfo/MedlineTA")),
        year=_year(pub_date) or _year(article.find("ArticleDate")),
        authors=tuple(str(name) for name in names),
        author_names=names,
        authors_complete=complete,
        volume=_text(issue.find("Volume")) if issue is not None else "",
        issue=_text(issue.find("Issue")) if issue is not None else "",
        pagination=_pagination(article.find("Pagination")),
        elocations=elocations,
        abstract=abstract,
        doi=doi,
        pmcid=ids.get("pmc", ""),
        publication_types=tuple(
            (e.get("UI", ""), _text(e)) for e in _findall(article, "PublicationTypeList/PublicationType")
        ),
        mesh=_mesh(citation.find("MeshHeadingList")),
        nct_ids=_nct_ids(banks, abstract),
        comments_corrections=tuple(
            (e.get("RefType", ""), _text(e.find("PMID")))
            for e in _findall(citation, "CommentsCorrectionsList/CommentsCorrections")
            if e.find("PMID") is not None
        ),
    )


def _book_article(element: ET.Element, source: str) -> Record:
    document = element.find("BookDocument")
    pmid = _text(document.find("PMID")) if document is not None else ""
    if not pmid:
        raise ParseError(f"{source}: a PubmedBookArticle has no BookDocument/PMID.", source=source)
    book = document.find("Book")
    title = _text(document.find("ArticleTitle")) or _text(book.find("BookTitle") if book is not None else None)
    abstract = _abstract(document.find("Abstract"))
    ids = _article_ids(_find(element, "PubmedBookData/ArticleIdList"))
    # the document's authors (a chapter's), else the book's; a list of editors names no authors
    names, complete = _author_names(document.findall("AuthorList"))
    if not names and book is not None:
        names, complete = _author_names(book.findall("AuthorList"))
    return Record(
        pmid=pmid,
        title=title,
        journal=_text(_find(book, "Publisher/PublisherName")) if book is not None else "",
        year=_year(book.find("PubDate")) if book is not None else None,
        authors=tuple(str(name) for name in names),
        author_names=names,
        authors_complete=complete,
        volume=_text(book.find("Volume")) if book is not None else "",
        pagination=_pagination(document.find("Pagination")),
        elocations=_elocations(book) if book is not None else (),
        abstract=abstract,
        doi=ids.get("doi", ""),
        pmcid=ids.get("pmc", ""),
        publication_types=tuple(
            (e.get("UI", ""), _text(e)) for e in document.findall("PublicationType")
        ),
        nct_ids=_nct_ids([], abstract),
        is_book=True,
    )


def _find(element: ET.Element | None, path: str) -> ET.Element | None:
    """``element.find(path)`` one tag at a time (ElementTree answers a single tag in C, a path in Python)."""
    for tag in path.split("/"):
        if element is None:
            return None
        element = element.find(tag)
    return element


def _findall(element: ET.Element | None, path: str) -> list[ET.Element]:
    """``element.findall(path)`` for ``parent/child`` paths, one tag at a time."""
    parent_path, _, tag = path.rpartition("/")
    parent = _find(element, parent_path) if parent_path else element
    return parent.findall(tag) if parent is not None else []


def _text(element: ET.Element | None) -> str:
    """All text of ``element``, inline markup included, with white space folded."""
    if element is None:
        return ""
    # a leaf (most elements) needs no walk over its descendants
    text = (element.text or "") if len(element) == 0 else "".join(element.itertext())
    return " ".join(text.split())


def _year(date: ET.Element | None) -> int | None:
    if date is None:
        return None
    year = _text(date.find("Year"))
    if year.isdigit():
        return int(year)
    match = _YEAR.search(_text(date.find("MedlineDate")))
    return int(match.group(1)) if match else None


def _author_names(author_lists: list[ET.Element]) -> tuple[tuple[AuthorName, ...], bool]:
    """The authors of the first AuthorList that is not a list of editors, and whether PubMed lists them all."""
    author_list = next((a for a in author_lists if a.get("Type") != "editors"), None)
    if author_list is None:
        return (), True
    names = []
    for author in author_list.findall("Author"):
        if author.get("ValidYN") == "N":  # a name an erratum withdrew (its corrected form follows, valid)
            continue
        collective = _text(author.find("CollectiveName"))
        if collective:
            names.append(AuthorName(collective=collective))
            continue
        last = _text(author.find("LastName"))
        initials = _text(author.find("Initials")) or _text(author.find("ForeName"))[:1]
        if last:
            names.append(AuthorName(last, initials, _text(author.find("Suffix"))))
    return tuple(names), author_list.get("CompleteYN") != "N"


def _pagination(pagination: ET.Element | None) -> str:
    """MedlinePgn as printed, else StartPage-EndPage (the DTD allows either)."""
    if pagination is None:
        return ""
    printed = _text(pagination.find("MedlinePgn"))
    if printed:
        return printed
    start, end = _text(pagination.find("StartPage")), _text(pagination.find("EndPage"))
    return f"{start}-{end}" if start and end else start


def _elocations(parent: ET.Element) -> tuple[tuple[str, str], ...]:
    return tuple((e.get("EIdType", ""), _text(e)) for e in parent.findall("ELocationID")
                 if e.get("ValidYN") != "N" and _text(e))


def _abstract(abstract: ET.Element | None) -> tuple[AbstractSection, ...]:
    if abstract is None:
        return ()
    return tuple(
        AbstractSection(label=e.get("Label", ""), category=e.get("NlmCategory", ""), text=_text(e))
        for e in abstract.findall("AbstractText")
    )


def _article_ids(id_list: ET.Element | None) -> dict[str, str]:
    if id_list is None:
        return {}
    return {e.get("IdType", ""): _text(e) for e in id_list.findall("ArticleId")}


def _mesh(heading_list: ET.Element | None) -> tuple[MeshHeading, ...]:
    if heading_list is None:
        return ()
    headings = []
    for heading in heading_list.findall("MeshHeading"):
        descriptor = heading.find("DescriptorName")
        if descriptor is None:
            continue
        headings.append(
            MeshHeading(
                descriptor=_text(descriptor),
                ui=descriptor.get("UI", ""),
                major=descriptor.get("MajorTopicYN") == "Y",
                qualifiers=tuple(
                    (_text(q), q.get("MajorTopicYN") == "Y") for q in heading.findall("QualifierName")
                ),
            )
        )
    return tuple(headings)


def _nct_ids(banks: list[str], abstract: tuple[AbstractSection, ...]) -> tuple[str, ...]:
    found = [b for b in banks if NCT_PATTERN.fullmatch(b)]
    for section in abstract:
        found.extend(NCT_PATTERN.findall(section.text))
    return tuple(dict.fromkeys(found))
