"""The register's bibliographic details: data/citations.csv, one row per study (a study may lack one).

    study_id      a study of data/studies.csv
    authors       ``Family Initials; Family Initials; ...`` as the source prints them (up to 20, then ``et al.`` as
                  the last entry); a group author by its full name (two words or more, no initials)
    author_count  how many authors the work has (more than listed when the list ends in ``et al.``)
    volume, issue as printed
    pages         ``first-last`` (an abbreviated last page, 1320-7, is read as 1320-1327) or an article number
    pub_type      article-journal, preprint, book, chapter, report or webpage (rules/citation_types.csv)
    publisher     the publisher, or the body that issued a report, or the server that holds a preprint
    url, where    the page the details were read from, and the place on it; kind: pubmed, pmc, europepmc,
                  publisher, mirror or other
    second_pass   confirmed, corrected or unconfirmed by a second, independent check (empty until one is made)
    notes         anything a reader of the row should know

The title, year, journal and identifiers stay in data/studies.csv; exports and the brief join the two. The loader
checks each row (file, line, column and what to do) and that its first author is the study's first author.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..files import project_file_label, read_rows
from ..rules import rule_rows
from ..vocab import URL_PATTERN
from .studies import SECOND_PASS, SEEN_KINDS, Study

__all__ = ["CITATION_COLUMNS", "ET_AL", "MAX_LISTED_AUTHORS", "SUFFIXES", "Author", "Citation", "check_citation_rows",
           "expand_pages", "format_authors", "load_citations", "plain_name", "pub_types"]

CITATION_COLUMNS = ("study_id", "authors", "author_count", "volume", "issue", "pages", "pub_type", "publisher",
                    "url", "where", "kind", "second_pass", "notes")
ET_AL = "et al."
MAX_LISTED_AUTHORS = 20
# "Steenkamp MM", "de Kloet ER", "Acevedo-Diaz EE", "Holtzheimer PE 3rd": a family name, initials, a suffix
SUFFIXES = ("Jr", "Sr", "2nd", "3rd", "4th", "II", "III", "IV")
_PERSON = re.compile(r"^(?P<family>\S.*?)\s+(?P<initials>[A-Z](?:-?[A-Z]){0,5})(?:\s+(?P<suffix>"
                     + "|".join(SUFFIXES) + r"))?$")
_PAGE = r"[A-Za-z]{0,4}\d+(?:[A-Za-z]{1,2}\d+)?[A-Za-z]?"  # 489, e0123456, CD002795, pyaf027, 19m13191
_PAGES = re.compile(rf"^(?P<first>{_PAGE})(?:-(?P<last>{_PAGE}))?$")
_SHORT_FIELD = 40


@dataclass(frozen=True)
class Author:
    """A person (family name and initials, as PubMed prints them) or a group (``family`` holds its name)."""

    family: str
    initials: str = ""
    suffix: str = ""

    @property
    def is_group(self) -> bool:
        return not self.initials

    @property
    def given(self) -> str:
        """The initials as a reference manager expects given names: ``MM`` -> ``M. M.``, ``J-P`` -> ``J.-P.``."""
        return "-".join(" ".join(f"{ch}." for ch in part) for part in self.initials.split("-"))


@dataclass(frozen=True)
class Citation:
    study_id: str
    authors: tuple[Author, ...]
    more_authors: bool  # the list ends in "et al.": the work has more authors than those listed
    author_count: int | None
    volume: str
    issue: str
    pages: str  # "489-500" (abbreviated ranges expanded) or an article number
    pub_type: str
    publisher: str
    url: str
    where: str
    kind: str
    second_pass: str
    notes: str
    line: int = 0

    @property
    def first_page(self) -> str:
        return self.pages.split("-")[0] if self.pages else ""

    @property
    def last_page(self) -> str:
        return self.pages.split("-")[1] if "-" in self.pages else ""


def pub_types() -> tuple[str, ...]:
    """The publication types a citation may have (rules/citation_types.csv)."""
    return tuple(row["pub_type"] for row in rule_rows("citation_types"))


def plain_name(name: str) -> str:
    """A name compared without accents, case, spaces or punctuation (Schönenberg = Schonenberg)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_name.lower())


def format_authors(authors: Sequence[Author], more: bool) -> str:
    """The ``authors`` column for ``authors``, ending in ``et al.`` when the work has ``more``: the loader's inverse."""
    entries = [" ".join(part for part in (a.family, a.initials, a.suffix) if part) for a in authors]
    return "; ".join(entries + ([ET_AL] if more else []))


def _authors(text: str, fail) -> tuple[tuple[Author, ...], bool]:
    entries = [e.strip() for e in text.split(";")] if text else []
    if any(not e for e in entries):
        raise fail("authors", "an author entry is empty (two semicolons, or one at the end).",
                   "separate authors with one semicolon each: Steenkamp MM; Litz BT.")
    more = bool(entries) and entries[-1] == ET_AL
    names = entries[:-1] if more else entries
    if ET_AL in names:
        raise fail("authors", f"{ET_AL!r} may only end the list.", f"list up to {MAX_LISTED_AUTHORS} authors, then "
                   f"{ET_AL}")
    if len(names) > MAX_LISTED_AUTHORS:
        raise fail("authors", f"{len(names)} authors are listed.",
                   f"list the first {MAX_LISTED_AUTHORS}, then {ET_AL!r} as the last entry.")
    if more and not names:
        raise fail("authors", f"{ET_AL!r} needs the authors before it.")
    authors = []
    for name in names:
        person = _PERSON.match(name)
        if person:
            authors.append(Author(person["family"], person["initials"], person["suffix"] or ""))
        elif len(name.split()) >= 2:
            authors.append(Author(name))  # a group author, by its full name
        else:
            raise fail("authors", f"{name!r} is neither Family Initials nor a group's full name.",
                       "write each person as the source prints them, e.g. Steenkamp MM, and a group by its full name.")
    return tuple(authors), more


def expand_pages(text: str) -> str | None:
    """Pages as the register keeps them (``1320-7`` is ``1320-1327``, an article number stays as it is), or None
    when ``text`` is neither a range nor an article number."""
    try:
        return _pages(text, lambda column, message, fix="": DataError(message, file="pages"))
    except DataError:
        return None


def _pages(text: str, fail) -> str:
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace(" ", "")
    if not text:
        return ""
    found = _PAGES.match(text)
    if not found:
        raise fail("pages", f"pages {text!r} are neither first-last nor an article number.",
                   "write e.g. 489-500, 1320-7, e0123456 or CD002795.")
    first, last = found["first"], found["last"]
    if not last:
        return first
    first_digits, last_digits = re.search(r"\d+", first).group(), re.search(r"\d+", last).group()
    if len(last_digits) < len(first_digits) and last == last_digits:  # 1320-7: the last page's leading digits are
        last_digits = first_digits[: len(first_digits) - len(last_digits)] + last_digits  # the first page's
        last = first.replace(first_digits, last_digits)
    if int(last_digits) < int(first_digits):
        raise fail("pages", f"pages {text!r} end before they begin.", "check the range as the source prints it.")
    return f"{first}-{last}"


def load_citations(path: Path, studies: Mapping[str, Study]) -> dict[str, Citation]:
    """data/citations.csv: study id -> Citation, each row checked; a header alone is a file not yet filled in."""
    name = project_file_label(path)
    return check_citation_rows(read_rows(path, CITATION_COLUMNS, display=name), studies, name=name)


def check_citation_rows(rows: Iterable[tuple[int, dict[str, str]]], studies: Mapping[str, Study], *,
                        name: str = "data/citations.csv") -> dict[str, Citation]:
    """``(line, row)`` pairs of citations.csv (as ``read_rows`` yields them) checked as ``load_citations`` checks the
    file: study id -> Citation, or a DataError naming ``name``, the line and the column."""
    types = pub_types()
    found: dict[str, Citation] = {}
    for line, row in rows:
        def fail(column: str, message: str, fix: str = "", line: int = line) -> DataError:
            return DataError(message, file=name, line=line, column=column, fix=fix)

        study = studies.get(row["study_id"])
        if study is None:
            raise fail("study_id", f"study {row['study_id']!r} is not in data/studies.csv.",
                       "use the study_id of its row there (pmid:<PMID> or doi:<DOI>).")
        if row["study_id"] in found:
            raise fail("study_id", f"{row['study_id']} already has a row (line {found[row['study_id']].line}).",
                       "keep one row per study.")
        for column, value in row.items():
            if any(unicodedata.category(ch) == "Cc" for ch in value):
                raise fail(column, "holds a line break or another control character.", "write it on one line.")
        authors, more = _authors(row["authors"], fail)
        # a group may be printed with its parent body after it ("Guideline Development Panel ..., American
        # Psychological Association"); the register names the group itself
        first = plain_name(authors[0].family) if authors else ""
        if authors and first != plain_name(study.first_author) and not (
                authors[0].is_group and first.startswith(plain_name(study.first_author))):
            raise fail("authors", f"the first author {authors[0].family!r} is not the study's first author "
                       f"{study.first_author!r} (data/studies.csv, line {study.line}).",
                       "correct whichever of the two is wrong, so both name the same person or group.")
        count = None
        if row["author_count"]:
            if not row["author_count"].isdigit() or int(row["author_count"]) == 0:
                raise fail("author_count", f"author_count {row['author_count']!r} is not a positive whole number.")
            count = int(row["author_count"])
            if not authors:
                raise fail("author_count", "author_count is given but no authors are listed.", "list them, or "
                           "leave author_count empty.")
            if more and count <= len(authors):
                raise fail("author_count", f"the list ends in {ET_AL!r} but author_count is {count}, no more than "
                           f"the {len(authors)} listed.", "give the number of authors the source prints.")
            if not more and count != len(authors):
                raise fail("author_count", f"author_count is {count} but {len(authors)} authors are listed.",
                           f"list them all (up to {MAX_LISTED_AUTHORS}, then {ET_AL}), or correct the count.")
        for column in ("volume", "issue"):
            if len(row[column]) > _SHORT_FIELD:
                raise fail(column, f"{column} {row[column][:60]!r} is longer than {_SHORT_FIELD} characters.",
                           f"give the {column} as the source prints it.")
        pages = _pages(row["pages"], fail)
        if row["pub_type"] not in types:
            raise fail("pub_type", f"pub_type {row['pub_type']!r} is not one of {', '.join(types)}.")
        if not row["url"]:
            raise fail("url", "url is empty.", "give the page the details were read from.")
        if not URL_PATTERN.match(row["url"]):
            raise fail("url", f"{row['url']!r} is not an http(s) URL.")
        if not row["kind"] or row["kind"] not in SEEN_KINDS:
            raise fail("kind", f"kind {row['kind']!r} is not one of {', '.join(k for k in SEEN_KINDS if k)}.",
                       "say what kind of page the url is.")
        if row["second_pass"] not in SECOND_PASS:
            raise fail("second_pass", f"second_pass {row['second_pass']!r} is not one of confirmed, corrected, "
                       "unconfirmed.", "leave it empty until a second check is made.")
        found[row["study_id"]] = Citation(
            study_id=row["study_id"], authors=authors, more_authors=more, author_count=count, volume=row["volume"],
            issue=row["issue"], pages=pages, pub_type=row["pub_type"], publisher=row["publisher"], url=row["url"],
            where=row["where"], kind=row["kind"], second_pass=row["second_pass"], notes=row["notes"], line=line)
    return found
