"""Per claim: a GRADE-style certainty with named downgrade reasons, a verdict, and the gaps.

Nothing here is an ``if`` about a particular verdict: ``claim_features`` measures the evidence
behind a claim (counts by stance, how many supporting studies have a design that suits the
claim's type, participants, follow-up), and the rules in ``rules/verdict_rules.csv``,
``rules/certainty_rules.csv`` and ``rules/gap_rules.csv`` are conditions over those features,
each with its explanation and source. The first verdict rule that holds decides; a row of
``data/verdict_overrides.csv`` wins over the rules and is shown as an override.

A condition is one or more comparisons joined by ``and``: ``name op number`` with op one of
``== != >= <= > <``, names being the keys of ``claim_features``.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .claims import Claim
from .csvfile import project_file_label, read_rows
from .design import DesignCall, resolve_design
from .errors import DataError
from .records import Record
from .register import EvidenceRow, Register, Study

__all__ = [
    "CERTAINTY_LEVELS",
    "VERDICTS",
    "Assessment",
    "assess_claim",
    "assess_register",
    "claim_features",
    "evaluate",
    "load_overrides",
]

VERDICTS = ("well-supported", "supported-with-caveats", "mixed", "weak", "unsupported", "contradicted")
CERTAINTY_LEVELS = ("high", "moderate", "low", "very low")
INTERVENTION_TYPES = frozenset({"efficacy", "speed", "durability", "combination-therapy", "safety"})
RANDOMIZED = frozenset({"rct", "crossover-rct"})
PRECLINICAL = frozenset({"preclinical-animal", "preclinical-in-vitro"})
SYNTHESES = frozenset({"meta-analysis", "systematic-review"})
LARGE_TRIAL_N = 100
OVERRIDE_COLUMNS = ("claim_id", "verdict", "reason")
_OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_COMPARISON = re.compile(r"^\s*([a-z_]+)\s*(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*(h|hr|hrs|hours?|days?|d|weeks?|wk|wks|months?|mo|years?|yr)\b",
    re.I,
)
_WEEKS_PER = {"h": 1 / 168, "d": 1 / 7, "w": 1, "m": 4.345, "y": 52.18}


def _rules(name: str) -> list[dict[str, str]]:
    text = resources.files("evidence").joinpath(f"rules/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def strong_designs() -> dict[str, frozenset[str]]:
    return {row["claim_type"]: frozenset(row["strong_designs"].split()) for row in _rules("claim_types.csv")}


@cache
def verdict_rules() -> tuple[dict[str, str], ...]:
    return tuple(sorted(_rules("verdict_rules.csv"), key=lambda r: int(r["order"])))


@cache
def certainty_rules() -> tuple[dict[str, str], ...]:
    return tuple(_rules("certainty_rules.csv"))


@cache
def gap_rules() -> tuple[dict[str, str], ...]:
    return tuple(_rules("gap_rules.csv"))


def evaluate(condition: str, features: Mapping[str, float]) -> bool:
    """Whether ``condition`` (comparisons joined by ``and``) holds for ``features``."""
    for term in condition.split(" and "):
        match = _COMPARISON.match(term)
        if not match:
            raise ValueError(f"malformed rule condition {term!r} in {condition!r}")
        name, op, value = match.groups()
        if name not in features:
            raise ValueError(f"rule condition {condition!r} names an unknown feature {name!r}")
        if not _OPS[op](features[name], float(value)):
            return False
    return True


def follow_up_weeks(text: str) -> float | None:
    """The longest duration written in ``text`` ("24 h", "2 weeks after the last infusion", "6 months"), in weeks."""
    longest = None
    for low, high, unit in _DURATION.findall(text or ""):
        weeks = float(high or low) * _WEEKS_PER[unit[0].lower()]
        longest = weeks if longest is None else max(longest, weeks)
    return longest


def claim_features(claim: Claim, linked: list[tuple[EvidenceRow, Study, DesignCall]]) -> dict[str, float]:
    """The measurements the rules are written over."""
    strong = strong_designs()[claim.claim_type]
    taking_side = [(r, s, d) for r, s, d in linked if r.stance != "context"]
    supports = [(r, s, d) for r, s, d in linked if r.stance == "supports"]
    human = [(r, s, d) for r, s, d in linked if d.design not in PRECLINICAL]
    human_support = [(r, s, d) for r, s, d in supports if d.design not in PRECLINICAL]
    strong_support = [(r, s, d) for r, s, d in supports if d.design in strong]
    trials = [(r, s, d) for r, s, d in taking_side if d.design in RANDOMIZED]
    supporting_trials = [(r, s, d) for r, s, d in supports if d.design in RANDOMIZED]
    largest = max(trials, key=lambda t: (t[1].n or 0, t[1].year), default=None)
    against = sum(1 for r, _, _ in taking_side if r.stance in ("contrasts", "mixed"))
    trial_weeks = [w for r, _, d in linked if d.design in RANDOMIZED for w in [follow_up_weeks(r.follow_up)] if w]
    return {
        "supports": len(supports),
        "contrasts": sum(1 for r, _, _ in linked if r.stance == "contrasts"),
        "mixed": sum(1 for r, _, _ in linked if r.stance == "mixed"),
        "context": sum(1 for r, _, _ in linked if r.stance == "context"),
        "human_studies": len(human),
        "human_support": len(human_support),
        "strong_support": len(strong_support),
        "strong_contrast": sum(1 for r, _, d in linked if r.stance == "contrasts" and d.design in strong),
        "synthesis_support": sum(1 for _, _, d in supports if d.design in SYNTHESES),
        "synthesis_contrast": sum(1 for r, _, d in linked if r.stance == "contrasts" and d.design in SYNTHESES),
        "strong_support_n": sum(s.n or 0 for _, s, _ in strong_support),
        "max_supporting_n": max((s.n or 0 for _, s, _ in supports), default=0),
        "against_share": round(100 * against / len(taking_side)) if taking_side else 0,
        "preclinical_share": round(100 * (len(linked) - len(human)) / len(linked)) if linked else 0,
        "weak_design_support_share": (
            round(100 * sum(1 for _, _, d in human_support if d.design not in strong) / len(human_support))
            if human_support else 0
        ),
        "randomized_studies": sum(1 for _, _, d in linked if d.design in RANDOMIZED),
        "supporting_trials": len(supporting_trials),
        "large_supporting_trials": sum(1 for _, s, _ in supporting_trials if (s.n or 0) >= LARGE_TRIAL_N),
        "largest_trial_contrasts": int(largest is not None and largest[0].stance == "contrasts"),
        "max_trial_follow_up_weeks": round(max(trial_weeks), 1) if trial_weeks else 0,
        "intervention_claim": int(claim.claim_type in INTERVENTION_TYPES),
    }


@dataclass(frozen=True)
class Assessment:
    claim: Claim
    evidence: tuple[tuple[EvidenceRow, Study, DesignCall], ...]
    features: dict[str, float]
    verdict: str
    verdict_reason: str
    overridden: bool
    rule_verdict: str
    certainty: str
    certainty_start: str
    downgrades: tuple[tuple[str, str], ...]
    gaps: tuple[str, ...]

    def stance_counts(self) -> dict[str, int]:
        return {stance: int(self.features[stance]) for stance in ("supports", "contrasts", "mixed", "context")}


def _certainty(features: Mapping[str, float]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    rules = certainty_rules()
    start = next(r for r in rules if r["kind"] == "start" and evaluate(r["condition"], features))
    downgrades = tuple(
        (r["name"], r["explanation"]) for r in rules if r["kind"] == "downgrade" and evaluate(r["condition"], features)
    )
    level = CERTAINTY_LEVELS.index(start["name"]) + len(downgrades)
    return CERTAINTY_LEVELS[min(level, len(CERTAINTY_LEVELS) - 1)], start["name"], downgrades


def _format_weeks(value: float) -> str:
    return f"{value:g}"


def assess_claim(
    claim: Claim,
    linked: list[tuple[EvidenceRow, Study]],
    *,
    records: Mapping[str, Record] | None = None,
    override: tuple[str, str] | None = None,
) -> Assessment:
    records = records or {}
    with_design = [(row, study, resolve_design(study, records.get(study.pmid))) for row, study in linked]
    features = claim_features(claim, with_design)
    rule = next(r for r in verdict_rules() if evaluate(r["condition"], features))
    certainty, start, downgrades = _certainty(features)
    values = {k: _format_weeks(v) if isinstance(v, float) else v for k, v in features.items()}
    gaps = tuple(g["message"].format(**values) for g in gap_rules() if evaluate(g["condition"], features))
    verdict, reason = rule["verdict"], rule["explanation"]
    if override is not None:
        verdict, reason = override
    return Assessment(
        claim=claim,
        evidence=tuple(with_design),
        features=features,
        verdict=verdict,
        verdict_reason=reason,
        overridden=override is not None,
        rule_verdict=rule["verdict"],
        certainty=certainty,
        certainty_start=start,
        downgrades=downgrades,
        gaps=gaps,
    )


def load_overrides(path: Path, claim_ids: set[str]) -> dict[str, tuple[str, str]]:
    """data/verdict_overrides.csv: claim_id -> (verdict, reason); a missing file means none."""
    if not path.is_file():
        return {}
    overrides: dict[str, tuple[str, str]] = {}
    name = project_file_label(path)
    for line, row in read_rows(path, OVERRIDE_COLUMNS, display=name):
        where = dict(file=name, line=line)
        if row["claim_id"] not in claim_ids:
            raise DataError(f"claim {row['claim_id']!r} is not in claims.csv.", column="claim_id", **where)
        if row["verdict"] not in VERDICTS:
            raise DataError(f"verdict {row['verdict']!r} is not one of {', '.join(VERDICTS)}.", column="verdict", **where)
        if not row["reason"]:
            raise DataError("an override needs its reason.", column="reason", **where)
        if row["claim_id"] in overrides:
            raise DataError(f"{row['claim_id']} is overridden twice.", column="claim_id", **where)
        overrides[row["claim_id"]] = (row["verdict"], row["reason"])
    return overrides


def assess_register(register: Register, root: Path, *, records: Mapping[str, Record] | None = None) -> list[Assessment]:
    overrides = load_overrides(root / "data" / "verdict_overrides.csv", {c.claim_id for c in register.claims})
    return [
        assess_claim(claim, register.for_claim(claim.claim_id), records=records, override=overrides.get(claim.claim_id))
        for claim in register.claims
    ]

