"""Refresh the register against PubMed: fetch every registered PMID (resolving DOI-only
studies to PMIDs first), store the answers through the cache, and report where the register
and PubMed disagree on title, year or journal.

The fetch goes through ``PubMed.fetch``, whose batches are fixed by the sorted PMIDs and
stored one by one, so an interrupted refresh in cached mode resumes where it stopped.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write
from ..sources.pubmed import PubMed
from ..sources.records import Record
from .project import Register
from .studies import Study

__all__ = ["Mismatch", "RefreshReport", "compare", "refresh_register", "same_journal", "same_title"]

REPORT_COLUMNS = ("study_id", "pmid", "field", "register", "pubmed")
_STOP = {"the", "of", "and", "&", "in", "for", "on"}


@dataclass(frozen=True)
class Mismatch:
    study_id: str
    pmid: str
    field: str
    register: str
    pubmed: str


@dataclass(frozen=True)
class RefreshReport:
    checked: int
    resolved_dois: dict[str, str]
    mismatches: tuple[Mismatch, ...]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        for m in self.mismatches:
            writer.writerow([m.study_id, m.pmid, m.field, m.register, m.pubmed])
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
    if not same_title(study.title, record.title):
        found.append(Mismatch(study.study_id, record.pmid, "title", study.title, record.title))
    if record.year is not None and record.year != study.year:
        found.append(Mismatch(study.study_id, record.pmid, "year", str(study.year), str(record.year)))
    if not same_journal(study.journal, record):
        pubmed = record.journal + (f" ({record.journal_abbrev})" if record.journal_abbrev else "")
        found.append(Mismatch(study.study_id, record.pmid, "journal", study.journal, pubmed))
    if study.doi and record.doi and study.doi.lower() != record.doi.lower():
        found.append(Mismatch(study.study_id, record.pmid, "doi", study.doi, record.doi))
    return found


def refresh_register(register: Register, client: PubMed, *, report_path: Path | None = None,
                     progress=print) -> RefreshReport:
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
    for study in studies:
        pmid = pmid_of[study.study_id]
        if not pmid:
            mismatches.append(Mismatch(study.study_id, "", "pmid", "", "no PubMed record found for the DOI"))
            continue
        if study.study_id in resolved:
            mismatches.append(Mismatch(study.study_id, pmid, "pmid", "", pmid))
        record = fetched.records.get(pmid)
        if record is None:
            mismatches.append(Mismatch(study.study_id, pmid, "missing", pmid, "PubMed returned no record"))
            continue
        mismatches.extend(compare(study, record))
        if record.retracted:
            mismatches.append(Mismatch(study.study_id, pmid, "retracted", "", ",".join(record.linked("RetractionIn"))))
    report = RefreshReport(checked=len(wanted), resolved_dois=resolved, mismatches=tuple(mismatches))
    if report_path is not None:
        atomic_write(report_path, report.to_csv().encode("utf-8"))
    return report
