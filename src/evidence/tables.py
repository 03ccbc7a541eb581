"""DataFrames for notebooks, reports and the command line (computed here, drawn elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .claims import Claim
from .errors import CacheMissError
from .filters import search_filters
from .pubmed import PubMed

__all__ = ["claims_table", "search_status_table"]


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
