"""DataFrames for notebooks, the book and the command line. Computed here from values handed in;
styled in ``style.py`` and drawn in ``plots.py``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ..export_fields import csv_cell
from ..judge import meta
from ..judge.synthesis import ClaimSynthesis, harmonised
from ..register.effects import Authority, EffectData, PublishedPool
from ..judge.verdict import Assessment, unreported_trials
from ..register.claims import Claim
from ..register.filters import search_filters
from ..register.project import Project, Register
from ..register.ratings import Rating
from ..register.texts import ReviewRating
from ..rules.article import designs
from ..sources.pubmed import SearchResult
from ..sources.records import Record
from ..vocab import OVERRIDE_LABEL, STANCES

__all__ = [
    "EVIDENCE_COLUMNS",
    "claim_coverage_table",
    "claims_table",
    "design_table",
    "evidence_map_table",
    "evidence_table",
    "search_status_table",
    "studies_without_pmid_table",
    "prisma_s_table",
    "published_pools_table",
    "pool_members_table",
    "reconciliation_table",
    "sensitivity_table",
    "unreported_trials_table",
    "article_review_table",
    "synthesis_comparison_table",
    "screening_benchmark_table",
    "authorities_label",
    "short_text",
    "verdict_matrix",
]

EVIDENCE_COLUMNS = ["study", "year", "design", "n", "stance", "outcome", "follow_up", "effect", "rationale", "link"]


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


def search_status_table(claims: Sequence[Claim], searches: Mapping[str, SearchResult | None],
                        misses: Mapping[str, str]) -> pd.DataFrame:
    """For each claim: whether its search was answered in this mode, the hit count, or the cache file it lacks."""
    rows = []
    for claim in claims:
        result = searches.get(claim.claim_id)
        if result is None:
            rows.append({"claim_id": claim.claim_id, "status": "not in snapshot", "count": pd.NA,
                         "max_date": "", "cache_file": misses.get(claim.claim_id, "")})
        else:
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


def evidence_table(assessment: Assessment, records: Mapping[str, Record] | None = None) -> pd.DataFrame:
    """The studies behind one claim, in stance order (supports first), newest first within a stance."""
    records = records or {}
    order = {stance: i for i, stance in enumerate(STANCES)}
    rows = []
    for row, study, design in sorted(assessment.evidence,
                                     key=lambda t: (order[t[0].stance], -t[1].year, t[1].study_id)):
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
            "study_id": study.study_id,
            "retracted": bool(record and record.retracted),
            "notices": "; ".join(f"{kind} (PMID {pmid})" if pmid else kind
                                 for kind, pmid in (record.notices if record else ())),
        })
    frame = pd.DataFrame(rows, columns=[*EVIDENCE_COLUMNS, "url", "study_id", "retracted", "notices"])
    frame["n"] = frame["n"].astype("Int64")
    return frame


def evidence_map_table(assessment: Assessment) -> pd.DataFrame:
    """Studies by design (rows, in vocabulary order) and stance (columns)."""
    vocabulary = list(designs())
    frame = pd.DataFrame([(d.design, r.stance) for r, _, d in assessment.evidence], columns=["design", "stance"])
    table = pd.crosstab(frame["design"], frame["stance"]).reindex(columns=list(STANCES), fill_value=0)
    return table.reindex([d for d in vocabulary if d in table.index])


# The front page's matrix shows each claim's statement cut to about this many characters (its section has it whole).
SHORT_CLAIM = 80
COMPACT_COLUMNS = ["claim_id", "claim", "verdict", "certainty", "rests on"]


def verdict_matrix(assessments: Sequence[Assessment], *, compact: bool = False) -> pd.DataFrame:
    """One row per claim: verdict, certainty, what it rests on, the authorities' positions (each body once) and
    studies by stance. ``compact`` keeps what the book's front page shows: claim id, the statement cut short,
    verdict, certainty and what the verdict rests on (the details stay in each claim's section)."""
    rows = []
    for a in assessments:
        rows.append({
            "claim_id": a.claim.claim_id,
            "group": a.claim.group,
            "claim": short_text(a.claim.statement, SHORT_CLAIM) if compact else a.claim.statement,
            "verdict": a.verdict + (f" {OVERRIDE_LABEL}" if a.overridden else ""),
            "certainty": a.certainty,
            "basis": _basis_label(a),
            "authorities": authorities_label(a.authorities),
            **a.stance_counts(),
        })
    frame = pd.DataFrame(rows, columns=["claim_id", "group", "claim", "verdict", "certainty", "basis", "authorities",
                                        *STANCES])
    if compact:
        return frame.rename(columns={"basis": "rests on"})[COMPACT_COLUMNS]
    return frame


def short_text(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def authorities_label(authorities: Sequence[Authority]) -> str:
    """The positions the authorities take, each body once, in the order they first appear: its years with one
    position (``VA/DoD 2023, 2017: for``), or each position with its years when they differ
    (``FDA 2019: against, 2023: for``). Rows that do not address the claim are left out."""
    by_body: dict[str, dict[str, list[int]]] = {}
    for a in authorities:
        if a.position == "not addressed":
            continue
        years = by_body.setdefault(a.body, {}).setdefault(a.position, [])
        if a.year and a.year not in years:
            years.append(a.year)
    entries = []
    for body, positions in by_body.items():
        parts = [(", ".join(str(y) for y in sorted(years, reverse=True)), position)
                 for position, years in positions.items()]
        if len(parts) == 1:
            years, position = parts[0]
            entries.append(f"{body} {years}: {position}" if years else f"{body}: {position}")
        else:
            entries.append(f"{body} " + ", ".join(f"{years}: {position}" if years else position
                                                  for years, position in parts))
    return "; ".join(entries)


def _basis_label(a: Assessment) -> str:
    if a.route == "design":
        return "study designs"
    synthesis = a.synthesis
    return {"pool": f"pool of {synthesis.pool.k} trials" if synthesis.pool else "",
            "published": "published pool", "single": "one trial"}[synthesis.basis]


def published_pools_table(assessment: Assessment) -> pd.DataFrame:
    """The pooled estimates published meta-analyses print for the claim, as printed (sign convention noted)."""
    rows = [{
        "study_id": p.study_id, "measure": p.measure, "outcome": p.outcome, "timepoint": p.timepoint,
        "role": p.role, "k": p.k, "participants": p.participants, "estimate": p.estimate,
        "ci_low": p.ci_low, "ci_high": p.ci_high, "i2": p.i2,
        "sign": "positive favours the intervention" if p.convention == "improvement_positive"
                else "intervention minus control",
    } for p in (assessment.synthesis.published if assessment.synthesis else ())]
    frame = pd.DataFrame(rows, columns=["study_id", "measure", "outcome", "timepoint", "role", "k", "participants",
                                        "estimate", "ci_low", "ci_high", "i2", "sign"])
    return frame.astype({"k": "Int64", "participants": "Int64"})


def _method(pool) -> str:
    return f"random effects, {meta.TAU2_LABELS[pool.tau2_method]} tau², {meta.CI_LABELS[pool.ci_method]}"


def synthesis_comparison_table(assessments: Sequence[Assessment], studies: Mapping[str, object]) -> pd.DataFrame:
    """Our pools beside the published pools for the same claims: measure, window, k, estimate and CI.

    Estimates are shown with negative favouring the intervention (published ones harmonised to that sign)."""
    rows = []
    for a in assessments:
        synthesis = a.synthesis
        if synthesis is None or not synthesis.family:
            continue
        pool = synthesis.pool
        if pool is not None:
            rows.append({"claim_id": a.claim.claim_id, "source": "this project", "measure": pool.measure,
                         "timepoint": synthesis.window.replace("_", " "), "k": pool.k,
                         "estimate": round(pool.estimate, 2), "ci": f"{pool.ci[0]:.2f} to {pool.ci[1]:.2f}",
                         "method": _method(pool)})
        for p in synthesis.published:
            if p.role not in ("primary", "subgroup") or p.estimate is None or p.ci_low is None:
                continue
            estimate, low, high = harmonised(p)
            study = studies[p.study_id]
            rows.append({"claim_id": a.claim.claim_id, "source": f"{study.first_author} {study.year}",
                         "measure": p.measure, "timepoint": p.timepoint, "k": p.k, "estimate": round(estimate, 2),
                         "ci": f"{low:.2f} to {high:.2f}", "method": p.model or "not printed"})
    frame = pd.DataFrame(rows, columns=["claim_id", "source", "measure", "timepoint", "k", "estimate", "ci", "method"])
    return frame.astype({"k": "Int64"})


RATIO_MEASURES = frozenset({"RR", "OR", "HR"})
STANDARDIZED = frozenset({"SMD", "g", "d", "standardized effect size"})


def measure_as_read(pool: PublishedPool) -> str:
    """The measure a published pool prints, and what its numbers show it to be when the label cannot be right."""
    if pool.measure in RATIO_MEASURES and pool.estimate is not None and (
            pool.estimate <= 0 or (pool.ci_low is not None and pool.ci_low <= 0)):
        return f"printed as {pool.measure}, but a ratio cannot be zero or negative: a difference"
    return pool.measure


def _their_trials(pool: PublishedPool, synthesis: ClaimSynthesis, data: EffectData, studies) -> str:
    members = data.members.get(pool.study_id)
    theirs = f"k = {pool.k}" if pool.k else "k not printed"
    if not members:
        return f"{theirs}, members not recorded"
    keys = {studies[m].trial_key for m in members if m in studies}
    ours = {e.unit for e in synthesis.pool.studies} if synthesis.pool else set()
    return f"{theirs}; {len(keys)} trials recorded, {len(keys & ours)} of them in our pool"


def _why_they_differ(pool: PublishedPool, synthesis: ClaimSynthesis, data: EffectData, studies) -> str:
    """One line: how a published pool differs from ours for the same question (trials, outcome, time, measure)."""
    ours = synthesis.pool
    mine = f" vs our {ours.k}" if ours else ("; we have one trial" if synthesis.single else "; we have none")
    parts = [f"trials: {_their_trials(pool, synthesis, data, studies)}{mine}"]
    if ours is not None:
        theirs_std = pool.measure in STANDARDIZED
        ours_std = ours.measure.startswith("SMD")
        if theirs_std != ours_std or pool.measure in RATIO_MEASURES:
            parts.append(f"measure: {measure_as_read(pool)} vs our {ours.measure}")
        parts.append(f"outcome: {pool.outcome}")
    windows = data.rules.time_windows
    if pool.window != synthesis.window:
        parts.append(f"time point: {pool.timepoint} ({windows[pool.window]['label']}) vs "
                     f"{windows[synthesis.window]['label']}")
    else:
        parts.append(f"time point: {pool.timepoint}")
    return "; ".join(parts)


def reconciliation_table(assessments: Sequence[Assessment], register: Register) -> pd.DataFrame:
    """Each published pool in the register beside our pool (or its absence) for the same claim's question, with one
    line on why they differ and any flag on the pool as printed. Negative favours the intervention throughout."""
    rows = []
    for a in assessments:
        synthesis = a.synthesis
        if synthesis is None or not synthesis.family:
            continue
        ours, single = synthesis.pool, synthesis.single
        if ours is not None:
            mine = f"{ours.measure} {ours.estimate:.2f} ({ours.ci[0]:.2f} to {ours.ci[1]:.2f}), k = {ours.k}"
        elif single is not None:
            mine = (f"one trial ({single.label}, {single.outcome}): {single.estimate:.2f} "
                    f"({single.ci[0]:.2f} to {single.ci[1]:.2f})")
        else:
            mine = "no trial with usable numbers"
        for p in synthesis.published:
            study = register.studies[p.study_id]
            numbers = ""
            if p.estimate is not None and p.ci_low is not None:
                estimate, low, high = harmonised(p)
                numbers = f"{estimate:.2f} ({low:.2f} to {high:.2f})"
            rows.append({
                "claim_id": a.claim.claim_id, "published": f"{study.first_author} {study.year}", "role": p.role,
                "measure": measure_as_read(p), "timepoint": p.timepoint, "k": p.k, "participants": p.participants,
                "theirs": numbers, "ours": mine, "basis": synthesis.basis_pool == p and synthesis.basis == "published",
                "why they differ": _why_they_differ(p, synthesis, register.effect_data, register.studies),
                "flag": p.flag,
            })
    columns = ["claim_id", "published", "role", "measure", "timepoint", "k", "participants", "theirs", "ours",
               "basis", "why they differ", "flag"]
    return pd.DataFrame(rows, columns=columns).astype({"k": "Int64", "participants": "Int64"})


def sensitivity_table(assessment: Assessment) -> pd.DataFrame:
    """Our pool recomputed under each alternative choice, and whether its conclusion changes."""
    pool = assessment.synthesis.pool if assessment.synthesis else None
    rows = [{"analysis": r.label, "kind": r.kind, "k": r.k, "estimate": round(r.estimate, 2),
             "ci": f"{r.ci[0]:.2f} to {r.ci[1]:.2f}", "tau2": round(r.tau2, 3),
             "decides robustness": r.counts, "conclusion changes": r.flips} for r in (pool.sensitivity if pool else ())]
    return pd.DataFrame(rows, columns=["analysis", "kind", "k", "estimate", "ci", "tau2", "decides robustness",
                                       "conclusion changes"])


def pool_members_table(assessments: Sequence[Assessment]) -> pd.DataFrame:
    """Every pool's members, one row per trial, in the layout metafor's ``escalc``/``rma`` read (``yi``, ``vi``,
    ``sei``, ``ni``) and RevMan's generic inverse-variance import takes (study, estimate ``yi``, SE ``sei``).

    ``rma(yi, vi, data=subset(read.csv(FILE), claim == "C13"), method="REML", test="adhoc")`` reproduces our pool.
    """
    rows = []
    for a in assessments:
        pool = a.synthesis.pool if a.synthesis else None
        if pool is None:
            continue
        for effect, weight in zip(pool.studies, pool.weights):
            rows.append({"claim": a.claim.claim_id, "window": pool.window, "measure": pool.measure,
                         "study": csv_cell(effect.label), "study_id": effect.study_id, "trial_id": effect.unit,
                         "yi": round(effect.estimate, 6), "vi": round(effect.se**2, 6), "sei": round(effect.se, 6),
                         "ni": effect.participants, "outcome": csv_cell(effect.outcome),
                         "value_kind": effect.value_kind, "outcome_role": effect.outcome_role,
                         "weight": round(weight, 2), "derivation": csv_cell(effect.derivation)})
    columns = ["claim", "window", "measure", "study", "study_id", "trial_id", "yi", "vi", "sei", "ni", "outcome",
               "value_kind", "outcome_role", "weight", "derivation"]
    return pd.DataFrame(rows, columns=columns).astype({"ni": "Int64"})


def prisma_s_table(claims: Sequence[Claim], searches: Mapping[str, SearchResult | None], *, snapshot: str
                   ) -> pd.DataFrame:
    """The PRISMA-S search log: database, interface, date (``snapshot``, the Entrez date searches are frozen at, for
    those not run), the query exactly as sent, filters and count."""
    filters = search_filters()
    rows = []
    for claim in claims:
        result = searches.get(claim.claim_id)
        rows.append({
            "claim_id": claim.claim_id,
            "database": "PubMed (MEDLINE and PubMed-only records)",
            "interface": "NCBI E-utilities esearch through Biopython Bio.Entrez",
            "entrez_dates": f"{result.min_date} to {result.max_date}" if result else f"up to {snapshot} (frozen)",
            "query_as_sent": claim.search_query,
            "filter": filters[claim.filters].label if claim.filters else "none",
            "count": result.count if result else pd.NA,
            "status": "run" if result else "not in this snapshot",
        })
    frame = pd.DataFrame(rows)
    frame["count"] = frame["count"].astype("Int64")
    return frame


def unreported_trials_table(project: Project) -> pd.DataFrame:
    """Per claim, the registered trials completed over a year before the snapshot with no results and no report."""
    register = project.register
    rows = [{"claim_id": claim.claim_id, "nct_id": t.nct_id, "title": t.title, "status": t.status.lower(),
             "ended": t.ended, "enrollment": t.enrollment, "results_posted": t.results_posted or "not shown"}
            for claim in register.claims
            for t in unreported_trials(claim.claim_id, register.effect_data, project.config.snapshot_date)]
    frame = pd.DataFrame(rows, columns=["claim_id", "nct_id", "title", "status", "ended", "enrollment",
                                        "results_posted"])
    return frame.astype({"enrollment": "Int64"})


def article_review_table(ratings: Sequence[ReviewRating]) -> pd.DataFrame:
    """The article's scorecard (data/article_review.csv), one row per HealthNewsReview.org criterion."""
    return pd.DataFrame([{"criterion": r.criterion, "question": r.question, "rating": r.rating, "reason": r.reason,
                          "rests on": r.evidence} for r in ratings],
                        columns=["criterion", "question", "rating", "reason", "rests on"])


def screening_benchmark_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The recorded screening simulation per set and order: WSS@95 (mean of the seeds, with the range), recall
    after 10% and 20% screened, average precision, and where the stopping test stops the seed-0 order."""
    frame = summary.copy()
    frame["WSS@95 range"] = [f"{a:.3f} to {b:.3f}" if s > 1 else "" for a, b, s in
                             zip(frame["wss95_min"], frame["wss95_max"], frame["seeds"])]
    frame["stops after"] = [f"{s} of {n} (recall {r:.2f})" for s, n, r in
                            zip(frame["stopped_at"], frame["records"], frame["recall_at_stop"])]
    frame = frame.rename(columns={"set": "set", "method": "order", "relevant": "relevant", "wss95": "WSS@95",
                                  "recall_at_10pct": "recall@10%", "recall_at_20pct": "recall@20%",
                                  "average_precision": "AP"})
    columns = ["set", "records", "relevant", "order", "seeds", "WSS@95", "WSS@95 range", "recall@10%", "recall@20%",
               "AP", "stops after"]
    return frame[columns].round(3).reset_index(drop=True)


def calibration_table(ratings: Sequence[Rating], assessments: Sequence[Assessment]) -> pd.DataFrame:
    """Agreement on the verdict and on certainty: each pair of blind raters, each rater with the consensus, and the
    engine's suggested verdict with the consensus (exact, within one step, linearly weighted kappa)."""
    from ..judge.calibration import agreement_table

    engine = {a.claim.claim_id: (a.suggested, a.certainty) for a in assessments}
    return pd.DataFrame([{"axis": g.axis, "between": g.first, "and": g.second, "claims": g.claims,
                          "exact": f"{g.exact} ({100 * g.exact_share:.0f}%)", "within one step": g.within_one,
                          "weighted kappa": round(g.kappa, 2)} for g in agreement_table(ratings, engine)],
                        columns=["axis", "between", "and", "claims", "exact", "within one step", "weighted kappa"])


def disagreement_table(ratings: Sequence[Rating], assessments: Sequence[Assessment]) -> pd.DataFrame:
    """The claims where the engine's suggested verdict differs from the blind review's consensus, both positions
    side by side."""
    from ..judge.calibration import disagreements

    by_id = {a.claim.claim_id: a for a in assessments}
    found = disagreements(ratings, {c: (a.suggested, a.certainty) for c, a in by_id.items()})
    return pd.DataFrame([{"claim": c, "rules": f"{by_id[c].suggested} ({by_id[c].certainty})",
                          "blind review": f"{r.verdict} ({r.certainty})",
                          "why the rules say so": by_id[c].verdict_reason,
                          "why the reviewers say so": r.reasons} for c, r in sorted(found.items())],
                        columns=["claim", "rules", "blind review", "why the rules say so", "why the reviewers say so"])
