"""Per claim: a GRADE-style certainty with named downgrade reasons, a verdict, and the gaps.

Nothing here is an ``if`` about a particular verdict: ``claim_features`` measures the evidence
behind a claim (counts by stance, how many supporting studies have a design that suits the
claim's type, participants, follow-up), and the rules in ``rules/verdict_rules.csv``,
``rules/certainty_rules.csv`` and ``rules/gap_rules.csv`` are conditions over those features,
each with its explanation and source. The first verdict rule that holds decides; a curator's
override (loaded with the register from ``data/verdict_overrides.csv``) wins and is shown as such.
Everything is computed from the values handed in: no file is read here but the rule tables.

A condition is one or more comparisons joined by ``and``: ``name op number`` with op one of
``== != >= <= > <``, names being the keys of ``claim_features``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from ..errors import RuleError
from ..register.claims import CLAIM_TYPES, Claim
from ..register.studies import EvidenceRow, Override, Register, Study
from ..rules import RuleRow, check_option, rule_rows
from ..sources.records import Record
from ..vocab import CERTAINTY_LEVELS, STANCES, VERDICTS
from .design import DesignCall, resolve_design

__all__ = [
    "Assessment",
    "assess_claim",
    "assess_register",
    "claim_features",
    "evaluate",
]

INTERVENTION_TYPES = frozenset({"efficacy", "speed", "durability", "combination-therapy", "safety"})
RANDOMIZED = frozenset({"rct", "crossover-rct"})
PRECLINICAL = frozenset({"preclinical-animal", "preclinical-in-vitro"})
SYNTHESES = frozenset({"meta-analysis", "systematic-review"})
LARGE_TRIAL_N = 100
_OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_COMPARISON = re.compile(r"^\s*([a-z_]+)\s*(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*(h|hr|hrs|hours?|days?|d|weeks?|wk|wks|months?|mo|years?|yr)\b",
    re.I,
)
_WEEKS_PER = {"h": 1 / 168, "d": 1 / 7, "w": 1, "m": 4.345, "y": 52.18}


@cache
def strong_designs() -> dict[str, frozenset[str]]:
    return {check_option(row, "claim_type", CLAIM_TYPES): frozenset(row["strong_designs"].split())
            for row in rule_rows("claim_types")}


@cache
def verdict_rules() -> tuple[RuleRow, ...]:
    rows = rule_rows("verdict_rules")
    for row in rows:
        check_option(row, "verdict", VERDICTS)
        _check_condition(row)
    return tuple(sorted(rows, key=lambda r: int(r["order"])))


@cache
def certainty_rules() -> tuple[RuleRow, ...]:
    rows = rule_rows("certainty_rules")
    for row in rows:
        check_option(row, "kind", ("start", "downgrade"))
        if row["kind"] == "start":
            check_option(row, "name", CERTAINTY_LEVELS)
        _check_condition(row)
    return rows


@cache
def gap_rules() -> tuple[RuleRow, ...]:
    rows = rule_rows("gap_rules")
    for row in rows:
        _check_condition(row)
    return rows


# The names a rule condition may use: the keys of claim_features (checked when a table is read).
FEATURES = (
    "supports", "contrasts", "mixed", "context", "human_studies", "human_support", "strong_support",
    "strong_contrast", "synthesis_support", "synthesis_contrast", "strong_support_n", "max_supporting_n",
    "against_share", "preclinical_share", "weak_design_support_share", "randomized_studies", "supporting_trials",
    "large_supporting_trials", "largest_trial_contrasts", "max_trial_follow_up_weeks", "intervention_claim",
)


def _parse_condition(condition: str) -> list[tuple[str, str, float]]:
    """``condition`` as (feature, operator, number) terms; ValueError naming the first bad term."""
    terms = []
    for term in condition.split(" and "):
        match = _COMPARISON.match(term)
        if not match:
            raise ValueError(f"malformed comparison {term!r}; write `feature op number`, op one of {' '.join(_OPS)}")
        name, op, value = match.groups()
        if name not in FEATURES:
            raise ValueError(f"unknown feature {name!r}")
        terms.append((name, op, float(value)))
    return terms


def _check_condition(row: RuleRow) -> None:
    try:
        _parse_condition(row["condition"])
    except ValueError as exc:
        raise row.error(f"condition {row['condition']!r}: {exc}.", FEATURES) from None


def evaluate(condition: str, features: Mapping[str, float]) -> bool:
    """Whether ``condition`` (comparisons joined by ``and``) holds for ``features``."""
    try:
        terms = _parse_condition(condition)
    except ValueError as exc:
        raise RuleError(f"condition {condition!r}: {exc}.", table="verdict_rules", options=FEATURES) from None
    return all(_OPS[op](features[name], value) for name, op, value in terms)


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
        return {stance: int(self.features[stance]) for stance in STANCES}


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
    linked: Sequence[tuple[EvidenceRow, Study]],
    *,
    records: Mapping[str, Record] | None = None,
    override: Override | None = None,
) -> Assessment:
    """The verdict and certainty for ``claim`` from the evidence rows handed in (and PubMed records, if any)."""
    records = records or {}
    with_design = [(row, study, resolve_design(study, records.get(study.pmid))) for row, study in linked]
    features = claim_features(claim, with_design)
    rule = next(r for r in verdict_rules() if evaluate(r["condition"], features))
    certainty, start, downgrades = _certainty(features)
    values = {k: _format_weeks(v) if isinstance(v, float) else v for k, v in features.items()}
    gaps = tuple(g["message"].format(**values) for g in gap_rules() if evaluate(g["condition"], features))
    verdict, reason = rule["verdict"], rule["explanation"]
    if override is not None:
        verdict, reason = override.verdict, override.reason
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


def assess_register(register: Register, *, records: Mapping[str, Record] | None = None) -> list[Assessment]:
    """Every claim of the register assessed, with its curated override (if any)."""
    return [
        assess_claim(claim, register.for_claim(claim.claim_id), records=records,
                     override=register.overrides.get(claim.claim_id))
        for claim in register.claims
    ]
