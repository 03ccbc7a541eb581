"""The curated evidence register: data/studies.csv and data/evidence.csv.

``load_studies`` and ``load_evidence`` check everything a reviewer relies on: the schema, the vocabularies,
PMID/DOI/PMCID syntax, unique keys, and that every evidence row names a claim of claims.csv and a study of
studies.csv. The first problem raises a DataError naming the file, line and column, and what to do. The register
as a whole is assembled in ``project.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import DataError
from ..files import project_file_label, read_rows
from ..rules.article import designs
from ..vocab import (DOI_PATTERN, PMCID_PATTERN, PMID_PATTERN, REGISTRY_ID, STANCES, URL_PATTERN, VERDICTS, doi_url,
                     pubmed_url)
from .claims import Claim

__all__ = [
    "EVIDENCE_COLUMNS",
    "OVERRIDE_COLUMNS",
    "STUDY_COLUMNS",
    "EvidenceRow",
    "Override",
    "Study",
    "load_evidence",
    "load_overrides",
    "load_studies",
]

STUDY_COLUMNS = (
    "study_id", "pmid", "doi", "pmcid", "first_author", "year", "journal", "title", "design", "n",
    "population", "source_url", "verified_on", "provenance", "second_pass", "seen_at", "seen_kind", "trial_id",
)
# A second, independent check of each study's identity (data/README.md gives the figures).
SECOND_PASS = ("confirmed", "corrected", "unconfirmed", "")
SEEN_KINDS = ("pubmed", "pmc", "europepmc", "publisher", "mirror", "other", "")
EVIDENCE_COLUMNS = ("claim_id", "study_id", "stance", "outcome_measured", "follow_up", "effect", "rationale")
OVERRIDE_COLUMNS = ("claim_id", "verdict", "reason")
PROVENANCES = ("curated", "entrez")


@dataclass(frozen=True)
class Study:
    study_id: str
    pmid: str
    doi: str
    pmcid: str
    first_author: str
    year: int
    journal: str
    title: str
    design: str
    n: int | None
    population: str
    source_url: str
    verified_on: str
    provenance: str
    second_pass: str = ""
    seen_at: str = ""  # the page, found by the second pass, that prints the identifier beside the title
    seen_kind: str = ""  # pubmed, pmc, europepmc, publisher, mirror (only when nothing else printed it), other
    # the trial's registry id (NCT..., ACTRN...); reports of one trial share it; empty: its own trial
    trial_id: str = ""
    line: int = 0

    @property
    def trial_key(self) -> str:
        """The unit a pool counts: the registry id the report shares with the trial's other reports, else its own id."""
        return self.trial_id or self.study_id

    @property
    def link(self) -> str:
        """The canonical link, built from the identifier: PubMed for a PMID, doi.org for a DOI."""
        return pubmed_url(self.pmid) if self.pmid else doi_url(self.doi)

    @property
    def label(self) -> str:
        return f"{self.first_author} {self.year}"


@dataclass(frozen=True)
class EvidenceRow:
    claim_id: str
    study_id: str
    stance: str
    outcome_measured: str
    follow_up: str
    effect: str
    rationale: str
    line: int = 0


@dataclass(frozen=True)
class Override:
    """A verdict set by a curator (data/verdict_overrides.csv), which wins over the rules."""

    verdict: str
    reason: str


def load_studies(path: Path, *, today: dt.date | None = None) -> dict[str, Study]:
    name = project_file_label(path)
    latest_year = (today or dt.date.today()).year + 1
    studies: dict[str, Study] = {}
    seen_pmid: dict[str, int] = {}
    seen_doi: dict[str, int] = {}
    vocabulary = designs()
    for line, row in read_rows(path, STUDY_COLUMNS, display=name):
        def fail(column: str, message: str, fix: str = "", line: int = line) -> DataError:
            return DataError(message, file=name, line=line, column=column, fix=fix)

        for column in ("study_id", "first_author", "year", "journal", "title", "design", "source_url",
                       "verified_on", "provenance"):
            if not row[column]:
                raise fail(column, f"{column} is empty.", "every study needs it; leave a study out rather than guess.")
        pmid, doi, pmcid = row["pmid"], row["doi"], row["pmcid"]
        if pmid and not PMID_PATTERN.match(pmid):
            raise fail("pmid", f"{pmid!r} is not a PMID (1 to 9 digits).")
        if doi and not DOI_PATTERN.match(doi):
            raise fail("doi", f"{doi!r} is not a DOI (10.<registrant>/<suffix>).", "write the bare DOI, no https://doi.org/.")
        if pmcid and not PMCID_PATTERN.match(pmcid):
            raise fail("pmcid", f"{pmcid!r} is not a PMCID (PMC followed by digits).")
        if not pmid and not doi:
            raise fail("pmid", "neither a PMID nor a DOI.", "record at least one verified identifier.")
        expected = f"pmid:{pmid}" if pmid else f"doi:{doi}"
        if row["study_id"] != expected:
            raise fail("study_id", f"study_id {row['study_id']!r} should be {expected!r}.",
                       "use pmid:<PMID> when the PMID is known, else doi:<DOI>.")
        if row["study_id"] in studies:
            raise fail("study_id", f"{row['study_id']} is listed twice "
                                   f"(first on line {studies[row['study_id']].line}).")
        if doi:
            key = doi.lower()
            if key in seen_doi:
                raise fail("doi", f"DOI {doi} is already used on line {seen_doi[key]}.", "merge the two rows.")
            seen_doi[key] = line
        if pmid:
            seen_pmid[pmid] = line
        if not re.fullmatch(r"[0-9]{4}", row["year"]):
            raise fail("year", f"year {row['year']!r} is not a four-digit year.")
        year = int(row["year"])
        if not 1800 <= year <= latest_year:
            raise fail("year", f"year {year} is outside 1800-{latest_year}.")
        if row["design"] not in vocabulary:
            raise fail("design", f"design {row['design']!r} is not in the vocabulary.",
                       f"use one of {', '.join(vocabulary)}.")
        n = None
        if row["n"]:
            if not re.fullmatch(r"[0-9]+", row["n"]) or int(row["n"]) == 0:
                raise fail("n", f"n {row['n']!r} is not a positive whole number.", "leave it empty when unknown.")
            n = int(row["n"])
        for url in row["source_url"].split():
            if not URL_PATTERN.match(url):
                raise fail("source_url", f"{url!r} is not an http(s) URL.", "separate several URLs with spaces.")
        try:
            dt.date.fromisoformat(row["verified_on"])
        except ValueError:
            raise fail("verified_on", f"{row['verified_on']!r} is not a date (YYYY-MM-DD).") from None
        if row["second_pass"] not in SECOND_PASS:
            raise fail("second_pass",
                       f"second_pass {row['second_pass']!r} is not one of confirmed, corrected, unconfirmed.",
                       "leave it empty until a second check is made.")
        if row["seen_at"] and not URL_PATTERN.match(row["seen_at"]):
            raise fail("seen_at", f"{row['seen_at']!r} is not an http(s) URL.")
        if row["seen_kind"] not in SEEN_KINDS:
            raise fail("seen_kind",
                       f"seen_kind {row['seen_kind']!r} is not one of {', '.join(k for k in SEEN_KINDS if k)}.")
        if row["provenance"] not in PROVENANCES:
            raise fail("provenance", f"provenance {row['provenance']!r} is not one of {', '.join(PROVENANCES)}.")
        if row["trial_id"] and not REGISTRY_ID.match(row["trial_id"]):
            raise fail("trial_id", f"trial_id {row['trial_id']!r} is not a registry number (NCT and 8 digits, or "
                       "ACTRN and 14).", "write the trial's registry id as the report prints it, or leave it empty "
                       "when the report is its own trial.")
        values = {f.name: row[f.name] for f in fields(Study) if f.name in row}
        values.update(year=year, n=n, line=line)
        studies[row["study_id"]] = Study(**values)
    return studies  # an empty register is a new project's start


def load_evidence(path: Path, claims: Sequence[Claim], studies: dict[str, Study]) -> tuple[EvidenceRow, ...]:
    name = project_file_label(path)
    claim_ids = {c.claim_id for c in claims}
    rows: list[EvidenceRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in read_rows(path, EVIDENCE_COLUMNS, display=name):
        def fail(column: str, message: str, fix: str = "", line: int = line) -> DataError:
            return DataError(message, file=name, line=line, column=column, fix=fix)

        for column in ("claim_id", "study_id", "stance", "rationale"):
            if not row[column]:
                raise fail(column, f"{column} is empty.")
        if row["claim_id"] not in claim_ids:
            raise fail("claim_id", f"claim {row['claim_id']!r} is not in claims.csv.",
                       f"use one of {', '.join(sorted(claim_ids))}.")
        if row["study_id"] not in studies:
            raise fail("study_id", f"study {row['study_id']!r} is not in data/studies.csv.",
                       "add the study to data/studies.csv first.")
        if row["stance"] not in STANCES:
            raise fail("stance", f"stance {row['stance']!r} is not one of {', '.join(STANCES)}.")
        key = (row["claim_id"], row["study_id"])
        if key in seen:
            raise fail("study_id", f"{key[1]} is already listed for {key[0]} on line {seen[key]}.",
                       "merge the two rows.")
        seen[key] = line
        rows.append(EvidenceRow(**row, line=line))
    return tuple(rows)


def load_overrides(path: Path, claim_ids: set[str]) -> dict[str, Override]:
    """data/verdict_overrides.csv: claim_id -> Override; a missing file means none."""
    if not path.is_file():
        return {}
    overrides: dict[str, Override] = {}
    name = project_file_label(path)
    for line, row in read_rows(path, OVERRIDE_COLUMNS, display=name):
        where = dict(file=name, line=line)
        if row["claim_id"] not in claim_ids:
            raise DataError(f"claim {row['claim_id']!r} is not in claims.csv.", column="claim_id", **where)
        if row["verdict"] not in VERDICTS:
            raise DataError(f"verdict {row['verdict']!r} is not one of {', '.join(VERDICTS)}.", column="verdict",
                            **where)
        if not row["reason"]:
            raise DataError("an override needs its reason.", column="reason", **where)
        if row["claim_id"] in overrides:
            raise DataError(f"{row['claim_id']} is overridden twice.", column="claim_id", **where)
        overrides[row["claim_id"]] = Override(row["verdict"], row["reason"])
    return overrides
