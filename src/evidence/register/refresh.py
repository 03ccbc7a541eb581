"""Refresh the register against PubMed: fetch every registered PMID (resolving DOI-only
studies to PMIDs first), store the answers through the cache, and report where the register
and PubMed disagree: title, year, journal and DOI (data/studies.csv), and, given the
citations, authors, author_count, volume, issue, pages and PMCID (``citation_refresh``).

With ``fill`` (``evidence refresh --fill-citations``) the fields data/citations.csv
leaves empty, the rows it lacks and the empty PMCIDs of data/studies.csv are written from the
records, each file re-read under its lock, checked as its loader checks it, and replaced
atomically; nothing already written is overwritten (a disagreement is reported instead). A
study whose record's title or DOI disagrees with the register may have the wrong record: its
citation is neither checked nor filled until that is resolved.

The fetch goes through ``PubMed.fetch``, whose batches are fixed by the sorted PMIDs and
stored one by one, so an interrupted refresh in cached mode resumes where it stopped.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from ..export_fields import csv_cell
from ..files import atomic_write, locked
from ..sources.pubmed import PubMed
from ..sources.records import Record
from .citation_refresh import FillResult, Finding, check_citation, fill_citations_text, fill_pmcids_text
from .citations import Citation
from .project import Register
from .studies import Study

__all__ = ["CitationSummary", "Mismatch", "RefreshReport", "compare", "refresh_register", "same_journal", "same_title"]

REPORT_COLUMNS = ("study_id", "pmid", "field", "register", "pubmed", "note")
# A record whose title or DOI disagrees with the register may be another work: citations are neither checked
# against it nor filled from it.
_IDENTITY_FIELDS = ("title", "doi")
_STOP = {"the", "of", "and", "&", "in", "for", "on"}


@dataclass(frozen=True)
class Mismatch:
    study_id: str
    pmid: str
    field: str
    register: str
    pubmed: str
    note: str = ""  # where the register's value stands, and what the row means


@dataclass(frozen=True)
class CitationSummary:
    """The citation fields (``citation_refresh.CITATION_FIELDS``) of one refresh: compared where both sides give
    one, found to disagree, written from PubMed, left for ``--fill-citations``, and refused by the loader's rules."""

    checked: int = 0
    disagreed: int = 0
    filled: int = 0
    fillable: int = 0
    not_filled: int = 0

    def line(self, filling: bool) -> str:
        text = f"citation fields: {self.checked} checked, {self.disagreed} disagreed, {self.filled} filled"
        if not filling and self.fillable:
            text += f", {self.fillable} could be filled from PubMed (--fill-citations)"
        if self.not_filled:
            text += f", {self.not_filled} could not be filled (see the report)"
        return text


@dataclass(frozen=True)
class RefreshReport:
    checked: int
    resolved_dois: dict[str, str]
    mismatches: tuple[Mismatch, ...]
    citations: CitationSummary = CitationSummary()

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        for m in self.mismatches:
            # PubMed's and the register's text: neutralised so that no cell starts a spreadsheet formula
            writer.writerow([csv_cell(v) for v in (m.study_id, m.pmid, m.field, m.register, m.pubmed, m.note)])
        return out.getvalue()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def same_title(register: str, pubmed: str) -> bool:
    """Equal up to case, accents, punctuation and PubMed's [brackets] for translated titles."""
    return _fold(register) == _fold(pubmed.strip("[]"))


def same_journal(register: str, record: Record) -> bool:
    """The register's journal matches PubMed's full title or its abbreviation (word prefixes allowed)."""
    ours = [w for w in _fold(register).split() if w not in _STOP]
    for candidate in (record.journal, record.journal_abbrev):
        theirs = [w for w in _fold(candidate).split() if w not in _STOP]
        if ours and len(ours) == len(theirs) and all(t.startswith(o) or o.startswith(t) for o, t in zip(ours, theirs)):
            return True
    return False


def compare(study: Study, record: Record) -> list[Mismatch]:
    found = []
    where = f"data/studies.csv, line {study.line}"
    if not same_title(study.title, record.title):
        found.append(Mismatch(study.study_id, record.pmid, "title", study.title, record.title, where))
    if record.year is not None and record.year != study.year:
        found.append(Mismatch(study.study_id, record.pmid, "year", str(study.year), str(record.year), where))
    if not same_journal(study.journal, record):
        pubmed = record.journal + (f" ({record.journal_abbrev})" if record.journal_abbrev else "")
        found.append(Mismatch(study.study_id, record.pmid, "journal", study.journal, pubmed, where))
    if study.doi and record.doi and study.doi.lower() != record.doi.lower():
        found.append(Mismatch(study.study_id, record.pmid, "doi", study.doi, record.doi, where))
    return found


def _as_mismatch(finding: Finding, pmid: str) -> Mismatch:
    return Mismatch(finding.study_id, pmid, finding.field, finding.register, finding.pubmed, finding.note)


def _fill_files(fills: Mapping[Path, Callable[[str], FillResult]], *, write: bool) -> list[FillResult]:
    """Run each file's fill (text -> FillResult). With ``write``, hold every file's lock (in sorted order, as every
    writer of several files does) from the first read to the last write, and write only once every fill has
    succeeded: a fill that fails, or a lock that is not free, leaves every file as it was."""
    paths = sorted(fills)
    with ExitStack() as stack:
        if write:
            for path in paths:
                stack.enter_context(locked(path))
        texts = {path: path.read_text(encoding="utf-8") for path in paths}
        results = {path: fills[path](texts[path]) for path in paths}
        if write:
            for path in paths:
                if results[path].text != texts[path]:
                    atomic_write(path, results[path].text.encode("utf-8"))
    return [results[path] for path in sorted(fills)]


def refresh_register(register: Register, client: PubMed, *, report_path: Path | None = None, progress=print,
                     citations: Mapping[str, Citation] | None = None, data_dir: Path | None = None,
                     fill: bool = False) -> RefreshReport:
    """Fetch and compare (see the module's docstring). ``citations`` (the project's, as loaded) are checked too;
    ``data_dir`` is the project's data/ folder, whose citations.csv and studies.csv ``fill`` writes into (without
    ``fill`` the fill is only counted)."""
    if fill and data_dir is None:
        raise ValueError("fill needs data_dir, the folder of citations.csv and studies.csv")
    studies = sorted(register.studies.values(), key=lambda s: s.study_id)
    resolved: dict[str, str] = {}
    doi_only = [s for s in studies if not s.pmid]
    for number, study in enumerate(doi_only, start=1):
        progress(f"resolving DOI {number} of {len(doi_only)}: {study.doi}")
        pmid = client.pmid_for_doi(study.doi)
        if pmid:
            resolved[study.study_id] = pmid
    pmid_of = {s.study_id: s.pmid or resolved.get(s.study_id, "") for s in studies}
    wanted = sorted({p for p in pmid_of.values() if p}, key=int)
    progress(f"fetching {len(wanted)} PubMed records")
    fetched = client.fetch(wanted)
    mismatches: list[Mismatch] = []
    checked_fields = disagreed = 0
    to_fill: dict[str, Record] = {}
    for study in studies:
        pmid = pmid_of[study.study_id]
        where = f"data/studies.csv, line {study.line}"
        if not pmid:
            mismatches.append(Mismatch(study.study_id, "", "pmid", "", "no PubMed record found for the DOI", where))
            continue
        if study.study_id in resolved:
            mismatches.append(Mismatch(study.study_id, pmid, "pmid", "", pmid, f"{where}: PubMed finds the DOI "
                                       "under this PMID"))
        record = fetched.records.get(pmid)
        if record is None:
            mismatches.append(Mismatch(study.study_id, pmid, "missing", pmid, "PubMed returned no record", where))
            continue
        found = compare(study, record)
        if citations is not None:  # the record may be another work: say why nothing is filled from it
            found = [replace(m, note=f"{m.note}: nothing is checked in or filled into data/citations.csv from this "
                                     "record until it agrees") if m.field in _IDENTITY_FIELDS else m for m in found]
        mismatches.extend(found)
        if record.retracted:
            mismatches.append(Mismatch(study.study_id, pmid, "retracted", "", ",".join(record.linked("RetractionIn")),
                                       "PubMed links a retraction notice (PMID in column pubmed)"))
        if citations is None or any(m.field in _IDENTITY_FIELDS for m in found):
            continue
        checked, differ = check_citation(study, citations.get(study.study_id), record)
        checked_fields += checked
        disagreed += len(differ)
        mismatches.extend(_as_mismatch(f, pmid) for f in differ)
        to_fill[study.study_id] = record
    summary = CitationSummary(checked=checked_fields, disagreed=disagreed)
    if citations is not None and data_dir is not None:
        pmid_of_study = {sid: record.pmid for sid, record in to_fill.items()}
        results = _fill_files({data_dir / "citations.csv": lambda text: fill_citations_text(text, register.studies,
                                                                                            to_fill),
                               data_dir / "studies.csv": lambda text: fill_pmcids_text(text, to_fill)}, write=fill)
        filled = sum(len(r.filled) for r in results)
        refused = [f for r in results for f in r.refused]
        mismatches.extend(_as_mismatch(f, pmid_of_study[f.study_id]) for f in refused)
        summary = CitationSummary(checked=checked_fields, disagreed=disagreed, filled=filled if fill else 0,
                                  fillable=0 if fill else filled, not_filled=len(refused))
    report = RefreshReport(checked=len(wanted), resolved_dois=resolved, mismatches=tuple(mismatches),
                           citations=summary)
    if report_path is not None:
        atomic_write(report_path, report.to_csv().encode("utf-8"))
    return report
