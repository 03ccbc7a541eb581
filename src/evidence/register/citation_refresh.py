"""The register's bibliographic details checked against PubMed records, and filled from them.

``check_citation`` compares what data/citations.csv (and data/studies.csv, for the PMCID) holds for a study with
the study's efetch record, field by field: the authors (the first 20, family name and initials, folded for case,
accents and punctuation; ``et al.`` exactly when PubMed has more than 20), author_count, volume, issue, pages (an
abbreviated last page is the whole one, 1320-7 = 1320-1327; an article number equals the record's ELocationID of
type pii) and the PMCID. A field is checked when both sides give it; each disagreement is a ``Finding``.

``fill_citations_text`` and ``fill_pmcids_text`` are the fill, as pure functions over a file's text: a field the
register leaves empty, and a study without a citations row, get PubMed's value, never replacing one already there.
A new row names the PubMed page as its source (``where``: PubMed record (efetch), ``kind``: pubmed) and leaves
``second_pass`` empty: a second reader must still confirm it. A filled field of an existing row is named in its
notes. Every value is checked by the loader's own rules before it is kept, and one the loader would refuse is
reported instead. ``refresh.py`` runs them under the file's lock and writes atomically.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import DataError
from ..files import read_text_rows
from ..sources.records import AuthorName, Record
from ..vocab import PMCID_PATTERN, pubmed_url
from .citations import (CITATION_COLUMNS, ET_AL, MAX_LISTED_AUTHORS, SUFFIXES, Author, Citation, check_citation_rows,
                        expand_pages, format_authors, plain_name)
from .studies import STUDY_COLUMNS, Study

__all__ = ["CITATION_FIELDS", "FILLED_WHERE", "FillResult", "Filled", "Finding", "check_citation",
           "fill_citations_text", "fill_pmcids_text", "pubmed_values"]

# The fields compared, in report order; all but pmcid are columns of data/citations.csv.
CITATION_FIELDS = ("authors", "author_count", "volume", "issue", "pages", "pmcid")
_FILLABLE = ("authors", "author_count", "volume", "issue", "pages")
FILLED_WHERE = "PubMed record (efetch)"
CITATIONS_NAME = "data/citations.csv"
STUDIES_NAME = "data/studies.csv"


@dataclass(frozen=True)
class Finding:
    """A field where the register and PubMed disagree, or a value PubMed gives that could not be filled."""

    study_id: str
    field: str
    register: str
    pubmed: str
    note: str


@dataclass(frozen=True)
class Filled:
    study_id: str
    field: str
    value: str


@dataclass(frozen=True)
class FillResult:
    text: str  # the file's new text (the old one when nothing was filled)
    filled: tuple[Filled, ...]
    refused: tuple[Finding, ...]


# -- what PubMed says, in the register's own format ------------------------------------------------------------
def _author(name: AuthorName) -> Author:
    if name.is_group:
        return Author(name.collective)
    suffix = name.suffix.rstrip(".")
    return Author(name.last_name, name.initials, suffix if suffix in SUFFIXES else "")


def _pubmed_more(record: Record) -> bool:
    """Whether the work has more authors than the register lists from PubMed: more than 20, or a list PubMed itself
    marks incomplete (AuthorList CompleteYN="N")."""
    return len(record.author_names) > MAX_LISTED_AUTHORS or (bool(record.author_names) and not record.authors_complete)


def _pubmed_pages(record: Record) -> str:
    """The pages to write: PubMed's pagination as printed (its first range), else an article number given only as an
    ELocationID (a publisher's internal pii such as S0006-3223(15)00123-4 is not one)."""
    if record.pagination:
        first = re.split(r"[;,]", record.pagination)[0].strip()
        return first if expand_pages(first) else ""
    return next((pii for pii in record.piis if expand_pages(pii)), "")


def pubmed_values(record: Record) -> dict[str, str]:
    """Each field of ``CITATION_FIELDS`` as the register would hold it from ``record`` (empty: PubMed gives none)."""
    names = record.author_names
    return {
        "authors": format_authors([_author(n) for n in names[:MAX_LISTED_AUTHORS]], _pubmed_more(record)),
        "author_count": str(len(names)) if names and record.authors_complete else "",
        "volume": record.volume,
        "issue": record.issue,
        "pages": _pubmed_pages(record),
        "pmcid": record.pmcid,
    }


# -- the check -----------------------------------------------------------------------------------------------
def _folded(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    return re.sub(r"[^0-9a-z]", "", "".join(ch for ch in text if not unicodedata.combining(ch)).lower())


def _same_author(ours: Author, theirs: Author) -> bool:
    if ours.is_group or theirs.is_group:  # a group's name may end in capitals that read as initials (Group UK)
        return plain_name(ours.family + ours.initials) == plain_name(theirs.family + theirs.initials)
    return (plain_name(ours.family), plain_name(ours.initials)) == (plain_name(theirs.family),
                                                                    plain_name(theirs.initials))


def _label(author: Author) -> str:
    return " ".join(part for part in (author.family, author.initials) if part)


def _authors_problem(citation: Citation, record: Record) -> str:
    """Why the register's authors disagree with PubMed's, or "" when they agree."""
    ours, theirs = citation.authors, [_author(n) for n in record.author_names]
    for position, (a, b) in enumerate(zip(ours, theirs[:MAX_LISTED_AUTHORS]), start=1):
        if not _same_author(a, b):
            return f"author {position} is {_label(a)} in the register, {_label(b)} in PubMed."
    expected = min(len(theirs), MAX_LISTED_AUTHORS)
    if len(ours) < expected:
        return f"the register lists {len(ours)} author(s), PubMed {len(theirs)}: list the first {expected}" + (
            f", then {ET_AL}" if len(theirs) > MAX_LISTED_AUTHORS else ".")
    if record.authors_complete:
        if len(ours) > len(theirs):
            return f"the register lists {len(ours)} authors, PubMed {len(theirs)}."
        if citation.more_authors and len(theirs) <= MAX_LISTED_AUTHORS:
            return f"the register ends in {ET_AL}, but PubMed's {len(theirs)} author(s) are all listed."
        if not citation.more_authors and len(theirs) > MAX_LISTED_AUTHORS:
            return f"PubMed has {len(theirs)} authors: after the first {MAX_LISTED_AUTHORS}, end the list in {ET_AL}"
    elif not citation.more_authors and len(ours) <= len(theirs):
        return (f"PubMed marks its list of {len(theirs)} author(s) incomplete: the work has more; list them from the "
                f"article, or end the list in {ET_AL}")
    return ""


def check_citation(study: Study, citation: Citation | None, record: Record) -> tuple[int, list[Finding]]:
    """How many fields both sides give (each compared), and the findings where they disagree."""
    theirs = pubmed_values(record)
    findings: list[Finding] = []
    checked = 0

    def differs(field: str, ours: str, note: str) -> None:
        findings.append(Finding(study.study_id, field, ours, theirs[field], note))

    where = f"{CITATIONS_NAME}, line {citation.line}" if citation else ""
    if citation is not None:
        if citation.authors and record.author_names:
            checked += 1
            problem = _authors_problem(citation, record)
            if problem:
                differs("authors", format_authors(citation.authors, citation.more_authors), f"{where}: {problem}")
        if citation.author_count is not None and record.author_names:
            checked += 1
            count = len(record.author_names)
            if record.authors_complete and citation.author_count != count:
                differs("author_count", str(citation.author_count), f"{where}: PubMed lists {count} author(s).")
            elif not record.authors_complete and citation.author_count <= count:
                findings.append(Finding(study.study_id, "author_count", str(citation.author_count),
                                        f"more than {count}", f"{where}: PubMed lists {count} author(s) and marks "
                                                              "its list incomplete."))
        for field in ("volume", "issue"):
            ours = getattr(citation, field)
            if ours and theirs[field]:
                checked += 1
                if _folded(ours) != _folded(theirs[field]):
                    differs(field, ours, f"{where}: compared without case, spaces or punctuation.")
        if citation.pages and (record.pagination or record.piis):
            checked += 1
            printed = [re.split(r"[;,]", record.pagination)[0].strip()] if record.pagination else []
            candidates = {_folded(expand_pages(p) or p) for p in printed} | {_folded(p) for p in record.piis}
            if _folded(citation.pages) not in candidates:
                findings.append(Finding(study.study_id, "pages", citation.pages,
                                        " or ".join(dict.fromkeys([*printed, *record.piis])),
                                        f"{where}: an abbreviated last page counts as the whole one; an article "
                                        "number matches the record's ELocationID (pii)."))
    if study.pmcid and record.pmcid:
        checked += 1
        if study.pmcid.upper() != record.pmcid.upper():
            differs("pmcid", study.pmcid, f"{STUDIES_NAME}, line {study.line}: PubMed's ArticleIdList (pmc).")
    return checked, findings


# -- the fill ------------------------------------------------------------------------------------------------
def _header(text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))), [])
    return [h.strip() for h in first]


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[column] for column in header])
    return out.getvalue()


def _fill_row(row: dict[str, str], line: int, values: Mapping[str, str], studies: Mapping[str, Study],
              study_id: str) -> tuple[list[Filled], list[Finding]]:
    """Fill ``row``'s empty fields from ``values`` in place, each kept only if the loader accepts the row with it."""
    filled, refused = [], []
    for field in _FILLABLE:
        if row[field] or not values[field]:
            continue
        row[field] = values[field]
        try:
            check_citation_rows([(line, row)], studies, name=CITATIONS_NAME)
        except DataError as exc:
            row[field] = ""
            refused.append(Finding(study_id, field, "", values[field], f"not filled: {exc}"))
            continue
        filled.append(Filled(study_id, field, values[field]))
    return filled, refused


def _is_preprint(record: Record) -> bool:
    return any(name == "Preprint" for _, name in record.publication_types)


def fill_citations_text(text: str, studies: Mapping[str, Study], records: Mapping[str, Record]) -> FillResult:
    """citations.csv's ``text`` with the fields it leaves empty filled from ``records`` (study id -> its record).

    Rows keep their order and the file its column order; a new row (a study without one) goes where study_id
    order puts it when the rows are in that order, else at the end. Nothing already written is changed, except that
    an existing row's notes name the fields filled into it.
    """
    header = _header(text)
    current = list(read_text_rows(text, CITATION_COLUMNS, name=CITATIONS_NAME))
    check_citation_rows(current, studies, name=CITATIONS_NAME)  # the file as found must load
    rows = [row for _, row in current]
    by_study = {row["study_id"]: (line, row) for line, row in current}
    next_line = max((line for line, _ in current), default=1) + 1
    filled: list[Filled] = []
    refused: list[Finding] = []
    added: list[dict[str, str]] = []
    for study_id in sorted(records):
        record = records[study_id]
        values = pubmed_values(record)
        if study_id in by_study:
            line, row = by_study[study_id]
            done, not_done = _fill_row(row, line, values, studies, study_id)
            if done:
                note = (f"{', '.join(f.field for f in done)} filled from the {FILLED_WHERE} of PMID {record.pmid}, "
                        "not yet confirmed by a second reader.")
                row["notes"] = f"{row['notes']} {note}".strip()
            filled += done
            refused += not_done
            continue
        if not any(values[field] for field in _FILLABLE):
            continue
        if record.is_book or _is_preprint(record):
            refused.append(Finding(study_id, "pub_type", "", "book" if record.is_book else "preprint",
                                   f"not filled: PubMed's record of PMID {record.pmid} is a "
                                   f"{'book or chapter' if record.is_book else 'preprint'}; add its row to "
                                   f"{CITATIONS_NAME} by hand, with the pub_type it has."))
            continue
        row = {column: "" for column in CITATION_COLUMNS}
        row.update(study_id=study_id, pub_type="article-journal", url=pubmed_url(record.pmid), where=FILLED_WHERE,
                   kind="pubmed")
        done, not_done = _fill_row(row, next_line, values, studies, study_id)
        refused += not_done
        if done:
            filled += done
            added.append(row)
            next_line += 1
    if not filled:
        return FillResult(text, (), tuple(refused))
    ids = [row["study_id"] for row in rows]
    if ids == sorted(ids):
        rows = sorted(rows + added, key=lambda row: row["study_id"])
    else:
        rows += sorted(added, key=lambda row: row["study_id"])
    new_text = _csv(header, rows)
    check_citation_rows(read_text_rows(new_text, CITATION_COLUMNS, name=CITATIONS_NAME), studies, name=CITATIONS_NAME)
    return FillResult(new_text, tuple(filled), tuple(refused))


def fill_pmcids_text(text: str, records: Mapping[str, Record]) -> FillResult:
    """studies.csv's ``text`` with each empty pmcid filled from the study's record (study id -> record); every other
    cell, and the order of rows and columns, as found."""
    header = _header(text)
    current = list(read_text_rows(text, STUDY_COLUMNS, name=STUDIES_NAME))
    filled: list[Filled] = []
    refused: list[Finding] = []
    for _, row in current:
        record = records.get(row["study_id"])
        if record is None or row["pmcid"] or not record.pmcid:
            continue
        if not PMCID_PATTERN.match(record.pmcid):
            refused.append(Finding(row["study_id"], "pmcid", "", record.pmcid,
                                   "not filled: not a PMCID (PMC followed by digits)."))
            continue
        row["pmcid"] = record.pmcid
        filled.append(Filled(row["study_id"], "pmcid", record.pmcid))
    if not filled:
        return FillResult(text, (), tuple(refused))
    return FillResult(_csv(header, [row for _, row in current]), tuple(filled), tuple(refused))
