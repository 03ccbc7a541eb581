"""DataFrames for notebooks, reports and the command line (computed here, drawn elsewhere)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .claims import Claim
from .errors import CacheMissError
from .filters import search_filters
from .pubmed import PubMed, SearchResult
from .records import Record
from .register import STANCES, Register, designs
from .verdict import Assessment

__all__ = [
    "claim_coverage_table",
    "claims_table",
    "design_table",
    "evidence_map_table",
    "evidence_table",
    "search_flow_table",
    "search_status_table",
    "studies_without_pmid_table",
    "style_evidence",
    "style_verdict_matrix",
    "StyledTable",
    "verdict_matrix",
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


class StyledTable:
    """A pandas Styler shown as HTML, with a stable plain-text form (a Styler's repr carries a memory address)."""

    def __init__(self, styler, text: str):
        self.styler = styler
        self.text = text

    def _repr_html_(self) -> str:
        return self.styler.to_html()

    def __repr__(self) -> str:
        return self.text


STANCE_COLOURS = {"supports": "#d9f0d3", "contrasts": "#f4cccc", "mixed": "#fff2cc", "context": "#e8e8e8"}
EVIDENCE_COLUMNS = ["study", "year", "design", "n", "stance", "outcome", "follow_up", "effect", "rationale", "link"]


def evidence_table(assessment: Assessment, records: Mapping[str, Record] | None = None) -> pd.DataFrame:
    """The studies behind one claim: supports first, then mixed, contrasts and context; newest first."""
    records = records or {}
    order = {"supports": 0, "mixed": 1, "contrasts": 2, "context": 3}
    rows = []
    for row, study, design in sorted(assessment.evidence, key=lambda t: (order[t[0].stance], -t[1].year, t[1].study_id)):
        record = records.get(study.pmid)
        rows.append({
            "study": study.first_author,
            "year": study.year,
            "design": design.design,
            "n": study.n,
            "stance": row.stance,
            "outcome": row.outcome_measured,
            "follow_up": row.follow_up,
            "effect": row.effect,
            "rationale": row.rationale,
            "link": f"PMID {study.pmid}" if study.pmid else f"DOI {study.doi}",
            "url": study.link,
            "retracted": bool(record and record.retracted),
        })
    frame = pd.DataFrame(rows, columns=[*EVIDENCE_COLUMNS, "url", "retracted"])
    frame["n"] = frame["n"].astype("Int64")
    return frame


def style_evidence(frame: pd.DataFrame, *, uuid: str):
    """The evidence table as HTML: rows coloured by stance, identifiers linked, a stable id for nbval."""
    shown = frame.copy()
    shown["link"] = [f'<a href="{url}">{label}</a>' for label, url in zip(frame["link"], frame["url"])]
    shown.loc[frame["retracted"], "study"] = shown.loc[frame["retracted"], "study"] + " (RETRACTED)"
    shown = shown[EVIDENCE_COLUMNS]
    styler = shown.style.set_uuid(uuid).hide(axis="index")
    styler = styler.apply(lambda r: [f"background-color: {STANCE_COLOURS[r['stance']]}"] * len(r), axis=1)
    styler = styler.format(na_rep="", escape=None).format(subset=["n"], na_rep="", precision=0)
    styler = styler.set_table_styles([{"selector": "td", "props": "text-align: left; vertical-align: top;"}])
    counts = frame["stance"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in STANCES)
    return StyledTable(styler, f"Evidence table ({len(frame)} studies: {summary})")


def evidence_map_table(assessment: Assessment) -> pd.DataFrame:
    """Studies by design (rows, in vocabulary order) and stance (columns)."""
    vocabulary = list(designs())
    frame = pd.DataFrame([(d.design, r.stance) for r, _, d in assessment.evidence], columns=["design", "stance"])
    table = pd.crosstab(frame["design"], frame["stance"]).reindex(columns=list(STANCES), fill_value=0)
    return table.reindex([d for d in vocabulary if d in table.index])


def verdict_matrix(assessments: Sequence[Assessment]) -> pd.DataFrame:
    """One row per claim: verdict, certainty and studies by stance."""
    rows = []
    for a in assessments:
        counts = a.stance_counts()
        rows.append({
            "claim_id": a.claim.claim_id,
            "group": a.claim.group,
            "claim": a.claim.statement,
            "verdict": a.verdict + (" (override)" if a.overridden else ""),
            "certainty": a.certainty,
            **counts,
        })
    return pd.DataFrame(rows, columns=["claim_id", "group", "claim", "verdict", "certainty", *STANCES])


VERDICT_COLOURS = {
    "well-supported": "#b6d7a8", "supported-with-caveats": "#d9ead3", "mixed": "#fff2cc",
    "weak": "#fce5cd", "unsupported": "#f4cccc", "contradicted": "#e06666",
}


def style_verdict_matrix(frame: pd.DataFrame, *, uuid: str = "verdict-matrix"):
    def colour(value: str) -> str:
        return f"background-color: {VERDICT_COLOURS.get(value.split(' ')[0], '#ffffff')}"

    styler = frame.style.set_uuid(uuid).hide(axis="index").map(colour, subset=["verdict"]).set_table_styles(
        [{"selector": "td", "props": "text-align: left; vertical-align: top;"}]
    )
    return StyledTable(styler, frame.to_string(index=False))


def search_flow_table(result: SearchResult | None, assessment: Assessment) -> pd.DataFrame | None:
    """PRISMA-style counts for a claim whose search is in the snapshot, else None."""
    if result is None:
        return None
    hits = set(result.ids)
    included = [s for _, s, _ in assessment.evidence]
    found = sum(1 for s in included if s.pmid and s.pmid in hits)
    return pd.DataFrame(
        {
            "stage": [
                "records identified by the PubMed search",
                "included studies that the search found",
                "included studies from other sources (reference lists, reviews, registries)",
                "studies included in the register for this claim",
            ],
            "count": [result.count, found, len(included) - found, len(included)],
        }
    )
