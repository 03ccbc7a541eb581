"""DataFrames for notebooks, reports and the command line (computed here, drawn elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .claims import Claim
from .errors import CacheMissError
from .filters import search_filters
from .pubmed import PubMed
from .register import STANCES, Register, designs

__all__ = [
    "claim_coverage_table",
    "claims_table",
    "design_table",
    "search_status_table",
    "studies_without_pmid_table",
]


def claims_table(claims: Sequence[Claim]) -> pd.DataFrame:
    """One row per claim, ordered by group then id, with the query as it is run."""
    filters = search_filters()
    frame = pd.DataFrame(
        {
            "group": [c.group for c in claims],
            "claim_id": [c.claim_id for c in claims],
            "claim_type": [c.claim_type for c in claims],
            "statement": [c.statement for c in claims],
            "query": [c.query for c in claims],
            "filter": [filters[c.filters].label if c.filters else "" for c in claims],
        }
    )
    return frame.sort_values(["group", "claim_id"], kind="stable").reset_index(drop=True)


def search_status_table(client: PubMed, claims: Sequence[Claim]) -> pd.DataFrame:
    """For each claim: whether its search is answered in the client's mode, and the hit count.

    In offline mode a claim whose search was never stored is reported as such (not raised),
    so one missing answer does not hide the others.
    """
    rows = []
    for claim in claims:
        try:
            result = client.search(claim.search_query)
        except CacheMissError as miss:
            rows.append({"claim_id": claim.claim_id, "status": "not in snapshot", "count": pd.NA,
                         "max_date": "", "cache_file": miss.path})
            continue
        rows.append({"claim_id": claim.claim_id, "status": "answered", "count": result.count,
                     "max_date": result.max_date, "cache_file": ""})
    frame = pd.DataFrame(rows, columns=["claim_id", "status", "count", "max_date", "cache_file"])
    frame["count"] = frame["count"].astype("Int64")
    return frame


def claim_coverage_table(register: Register) -> pd.DataFrame:
    """Per claim: studies and evidence rows by stance; claims with no contrasting row are flagged."""
    rows = []
    for claim in register.claims:
        linked = register.for_claim(claim.claim_id)
        counts = {stance: sum(1 for row, _ in linked if row.stance == stance) for stance in STANCES}
        rows.append({"claim_id": claim.claim_id, "group": claim.group, "claim_type": claim.claim_type,
                     "studies": len(linked), **counts,
                     "no_contrasting": counts["contrasts"] + counts["mixed"] == 0})
    return pd.DataFrame(rows)


def design_table(register: Register) -> pd.DataFrame:
    """Distinct studies per design, in the order of the design vocabulary."""
    vocabulary = designs()
    counts = {d: 0 for d in vocabulary}
    for study in register.studies.values():
        counts[study.design] += 1
    frame = pd.DataFrame({"design": list(counts), "label": [vocabulary[d]["label"] for d in counts],
                          "studies": list(counts.values())})
    return frame[frame["studies"] > 0].reset_index(drop=True)


def studies_without_pmid_table(register: Register) -> pd.DataFrame:
    rows = [
        {"study_id": s.study_id, "first_author": s.first_author, "year": s.year, "journal": s.journal}
        for s in sorted(register.studies.values(), key=lambda s: s.study_id)
        if not s.pmid
    ]
    return pd.DataFrame(rows, columns=["study_id", "first_author", "year", "journal"])
