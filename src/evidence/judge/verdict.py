"""Per claim: a GRADE-style certainty with named domains, a verdict, and the gaps, by one of two routes.

* The **effect route**, for a claim that asks an effect question (claims.csv names its outcome family
  and time window) and has numbers to answer it: the verdict follows the pooled evidence
  (``synthesis.synthesize_claim``): its direction, whether the confidence and prediction intervals
  exclude no effect, whether it reaches the minimal important difference, and GRADE's domains
  computed from the pool (risk of bias per trial, inconsistency, imprecision, publication bias).
  Rules: ``rules/effect_certainty_rules.csv`` and ``rules/effect_verdict_rules.csv``.
* The **design route**, for mechanism, frequency and co-occurrence claims, and for effect claims with
  no usable numbers: certainty starts from the designs that answer that kind of claim for whom it is
  about (``subjects``: laboratory and animal studies answer a mechanism claimed in animals too, and are
  indirect for people). Rules: ``rules/certainty_rules.csv`` and ``rules/verdict_rules.csv``.

Counts by stance stay as a descriptive table; they decide only on the design route. Nothing here is an
``if`` about a particular verdict: features are measured, and rules kept as data (each with its
explanation and source) are evaluated over them. A curator's override (``data/verdict_overrides.csv``)
wins and is shown as such. Everything is computed from the values handed in.

A condition is one or more comparisons joined by ``and``: ``name op number`` with op one of
``== != >= <= > <``, names being the keys of ``claim_features``.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from ..errors import RuleError
from ..register.claims import CLAIM_TYPES, Claim
from ..register.effects import Authority, EffectData, Trial
from ..register.project import Project, Register
from ..register.studies import EvidenceRow, Override, Study
from ..rules import RuleRow, check_option, rule_rows
from ..sources.records import Record
from ..vocab import CERTAINTY_LEVELS, STANCES, VERDICTS
from .design import DesignCall, resolve_design
from .synthesis import ClaimSynthesis, harmonised, published_upper_participants, synthesize_claim

__all__ = [
    "Assessment",
    "Domain",
    "assess_claim",
    "assess_project",
    "assess_register",
    "claim_features",
    "effect_features",
    "evaluate",
]

# Claims about what a treatment does or whom it is for (an indication rests on its effect); regulatory, prevalence and
# epidemiology claims are not.
INTERVENTION_TYPES = frozenset({"efficacy", "speed", "durability", "combination-therapy", "safety", "indication"})
RANDOMIZED = frozenset({"rct", "crossover-rct"})
PRECLINICAL = frozenset({"preclinical-animal", "preclinical-in-vitro"})
SYNTHESES = frozenset({"meta-analysis", "systematic-review"})
LARGE_TRIAL_N = 100
_OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_COMPARISON = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*(h|hr|hrs|hours?|days?|d|weeks?|wk|wks|months?|mo|years?|yr)\b",
    re.I,
)
_WEEKS_PER = {"h": 1 / 168, "d": 1 / 7, "w": 1, "m": 4.345, "y": 52.18}


@cache
def strong_designs() -> dict[str, frozenset[str]]:
    return {check_option(row, "claim_type", CLAIM_TYPES): frozenset(row["strong_designs"].split())
            for row in rule_rows("claim_types")}


def answering_designs(claim: Claim) -> frozenset[str]:
    """The designs that answer ``claim`` directly: its type's, plus laboratory and animal studies when the claim
    is about animals too."""
    strong = strong_designs()[claim.claim_type]
    return strong | PRECLINICAL if claim.subjects in ("animals", "both") else strong


def _ordered_verdict_rules(table: str, features: tuple[str, ...]) -> tuple[RuleRow, ...]:
    rows = rule_rows(table)
    for row in rows:
        check_option(row, "verdict", VERDICTS)
        if not row["order"].isdigit():
            raise row.error(f"order {row['order']!r} is not a whole number.")
        _check_condition(row, features)
    return tuple(sorted(rows, key=lambda r: int(r["order"])))


def _certainty_table(table: str, features: tuple[str, ...]) -> tuple[RuleRow, ...]:
    rows = rule_rows(table)
    for row in rows:
        check_option(row, "kind", ("start", "downgrade"))
        if row["kind"] == "start":
            check_option(row, "name", CERTAINTY_LEVELS)
        _check_condition(row, features)
    return rows


@cache
def verdict_rules() -> tuple[RuleRow, ...]:
    return _ordered_verdict_rules("verdict_rules", FEATURES)


@cache
def certainty_rules() -> tuple[RuleRow, ...]:
    return _certainty_table("certainty_rules", FEATURES)


@cache
def effect_verdict_rules() -> tuple[RuleRow, ...]:
    return _ordered_verdict_rules("effect_verdict_rules", EFFECT_FEATURES)


@cache
def effect_certainty_rules() -> tuple[RuleRow, ...]:
    return _certainty_table("effect_certainty_rules", EFFECT_FEATURES)


@cache
def gap_rules() -> tuple[RuleRow, ...]:
    rows = rule_rows("gap_rules")
    for row in rows:
        _check_condition(row, FEATURES)
    return rows


# The names a rule condition may use: the keys of claim_features (checked when a table is read).
FEATURES = (
    "studies", "supports", "contrasts", "mixed", "context", "human_studies", "human_support", "strong_support",
    "strong_contrast", "synthesis_support", "synthesis_contrast", "strong_support_n", "max_supporting_n",
    "against_share", "preclinical_share", "weak_design_support_share", "randomized_studies", "supporting_trials",
    "large_supporting_trials", "largest_trial_contrasts", "max_trial_follow_up_weeks", "intervention_claim",
    "about_people",
)
# The names an effect rule may use: the keys of effect_features, and the certainty the domains leave.
EFFECT_FEATURES = (
    "own_pool", "published_basis", "single_trial", "k", "participants", "participants_known", "benefit",
    "ci_excludes_null", "pi_available", "pi_excludes_null", "mcid_known", "reaches_mcid", "within_mcid", "i2",
    "rob_concern", "small_trials_only", "egger_p", "bias_adjusted_null", "unreported_trials", "certainty_rank",
)


def _parse_condition(condition: str, features: tuple[str, ...]) -> list[tuple[str, str, float]]:
    """``condition`` as (feature, operator, number) terms; ValueError naming the first bad term."""
    terms = []
    for term in condition.split(" and "):
        match = _COMPARISON.match(term)
        if not match:
            raise ValueError(f"malformed comparison {term!r}; write `feature op number`, op one of {' '.join(_OPS)}")
        name, op, value = match.groups()
        if name not in features:
            raise ValueError(f"unknown feature {name!r}")
        terms.append((name, op, float(value)))
    return terms


def _check_condition(row: RuleRow, features: tuple[str, ...]) -> None:
    try:
        _parse_condition(row["condition"], features)
    except ValueError as exc:
        raise row.error(f"condition {row['condition']!r}: {exc}.", features) from None


def evaluate(condition: str, features: Mapping[str, float]) -> bool:
    """Whether ``condition`` (comparisons joined by ``and``) holds for ``features``."""
    names = tuple(features)
    try:
        terms = _parse_condition(condition, names)
    except ValueError as exc:
        raise RuleError(f"condition {condition!r}: {exc}.", table="verdict_rules", options=names) from None
    return all(_OPS[op](features[name], value) for name, op, value in terms)


def follow_up_weeks(text: str) -> float | None:
    """The longest duration written in ``text`` ("24 h", "2 weeks after the last infusion", "6 months"), in weeks."""
    longest = None
    for low, high, unit in _DURATION.findall(text or ""):
        weeks = float(high or low) * _WEEKS_PER[unit[0].lower()]
        longest = weeks if longest is None else max(longest, weeks)
    return longest


def claim_features(claim: Claim, linked: list[tuple[EvidenceRow, Study, DesignCall]]) -> dict[str, float]:
    """The measurements the design-route rules are written over (and the descriptive counts by stance)."""
    strong = answering_designs(claim)
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
        "studies": len(linked),
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
        "about_people": int(claim.subjects == "people"),
    }


def unreported_trials(claim_id: str, data: EffectData, as_of: dt.date | None) -> list:
    """Registered trials on the claim completed over a year before ``as_of`` (the snapshot date) with no results and
    no report; none when no date is given."""
    if as_of is None:
        return []
    return [t for t in data.trials if claim_id in t.claim_ids and t.unreported(as_of)]


def effect_features(synthesis: ClaimSynthesis, data: EffectData, as_of: dt.date | None = None
                    ) -> dict[str, float] | None:
    """The measurements the effect-route rules are written over, from the claim's basis; None when it has none.

    Estimates are on the 'negative = benefit' scale. Unknown values are -1 (``i2``, ``egger_p``).
    """
    if synthesis.basis == "none":
        return None
    pool, single, published = synthesis.pool, synthesis.single, synthesis.basis_pool
    egger, i2, pi, bias_null, rob = -1.0, -1.0, None, 0, 1
    if synthesis.basis == "pool":
        estimate, (low, high), k, participants = pool.estimate, pool.ci, pool.k, pool.participants
        mcid, i2, pi = pool.mcid, pool.i2, pool.pi
        egger = pool.egger_p if pool.egger_p is not None else -1.0
        concern = sum(w for w, e in zip(pool.weights, pool.studies) if e.bias.overall != "low")
        rob = int(concern >= 50)
        small = int(all(e.participants is not None and e.participants < LARGE_TRIAL_N for e in pool.studies))
    elif synthesis.basis == "published":
        estimate, low, high = harmonised(published)
        k = published.k or 0
        participants = published_upper_participants(published, data)
        measure = "SMD" if published.measure in ("g", "d", "SMD") else published.outcome
        mcid_text = data.rules.outcome_scales.get(measure, {}).get("mcid", "")
        mcid = float(mcid_text) if mcid_text else None
        small = int(bool(participants and k and participants / k < LARGE_TRIAL_N))
        bias_null = int(any(
            p.study_id == published.study_id and p.role == "sensitivity" and p.ci_low is not None
            and p.ci_low <= 0 <= p.ci_high for p in data.pools))
    else:
        estimate, (low, high), k, participants = single.estimate, single.ci, 1, single.participants
        scale = data.rules.outcome_scales.get(single.outcome, {})
        mcid = float(scale["mcid"]) if scale.get("mcid") and "MD" in single.derivation else None
        rob = int(single.bias.overall != "low")
        small = int(single.participants is not None and single.participants < LARGE_TRIAL_N)
    return {
        "own_pool": int(synthesis.basis == "pool"),
        "published_basis": int(synthesis.basis == "published"),
        "single_trial": int(synthesis.basis == "single"),
        "k": k,
        "participants": participants or 0,
        "participants_known": int(participants is not None),
        "benefit": int(estimate < 0),
        "ci_excludes_null": int(high < 0 or low > 0),
        "pi_available": int(pi is not None),
        "pi_excludes_null": int(pi is not None and (pi[1] < 0 or pi[0] > 0)),
        "mcid_known": int(mcid is not None),
        "reaches_mcid": int(mcid is not None and estimate <= -mcid),
        "within_mcid": int(mcid is not None and -mcid < low and high < mcid),
        "i2": i2,
        "rob_concern": rob,
        "small_trials_only": small,
        "egger_p": egger,
        "bias_adjusted_null": bias_null,
        "unreported_trials": len(unreported_trials(synthesis.claim_id, data, as_of)),
        "certainty_rank": 0,
    }


@dataclass(frozen=True)
class Domain:
    """One GRADE domain's judgement: how many levels it costs and why."""

    name: str
    levels: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    claim: Claim
    evidence: tuple[tuple[EvidenceRow, Study, DesignCall], ...]
    features: dict[str, float]  # the design-route measurements (and the counts by stance)
    verdict: str
    verdict_reason: str
    overridden: bool
    rule_verdict: str
    certainty: str
    certainty_start: str
    downgrades: tuple[tuple[str, str], ...]
    gaps: tuple[str, ...]
    route: str = "design"  # "effect" or "design"
    synthesis: ClaimSynthesis | None = None
    effect: dict[str, float] | None = None
    domains: tuple[Domain, ...] = ()
    authorities: tuple[Authority, ...] = ()
    unreported: tuple[Trial, ...] = ()  # registered trials on the claim, ended over a year before the snapshot, unreported

    def stance_counts(self) -> dict[str, int]:
        return {stance: int(self.features[stance]) for stance in STANCES}


def _certainty(features: Mapping[str, float], rules: Sequence[RuleRow]) -> tuple[str, str, tuple[Domain, ...]]:
    """Start at the first start rule that holds; each domain costs one level per rule that fires, two at most."""
    start = next(r for r in rules if r["kind"] == "start" and evaluate(r["condition"], features))
    fired: dict[str, list[str]] = {}
    for rule in rules:
        if rule["kind"] == "downgrade" and evaluate(rule["condition"], features):
            fired.setdefault(rule["name"], []).append(rule["explanation"])
    domains = tuple(Domain(name, min(len(reasons), 2), tuple(reasons)) for name, reasons in fired.items())
    level = CERTAINTY_LEVELS.index(start["name"]) + sum(d.levels for d in domains)
    return CERTAINTY_LEVELS[min(level, len(CERTAINTY_LEVELS) - 1)], start["name"], domains


def _format_weeks(value: float) -> str:
    return f"{value:g}"


def assess_claim(
    claim: Claim,
    linked: Sequence[tuple[EvidenceRow, Study]],
    *,
    records: Mapping[str, Record] | None = None,
    override: Override | None = None,
    effect_data: EffectData | None = None,
    studies: Mapping[str, Study] | None = None,
    as_of: dt.date | None = None,
) -> Assessment:
    """The verdict and certainty for ``claim`` from the evidence rows handed in.

    ``effect_data`` (the register's numbers) and ``studies`` (every study, for pooled analyses' members)
    open the effect route; leaving a study out of ``linked`` leaves its numbers out of the pool too. ``as_of``
    (the project's snapshot date) decides which registered trials count as unreported.
    """
    records = records or {}
    data = effect_data or EffectData()
    with_design = [(row, study, resolve_design(study, records.get(study.pmid))) for row, study in linked]
    features = claim_features(claim, with_design)
    every = dict(studies or {}) | {study.study_id: study for _, study in linked}
    synthesis = synthesize_claim(claim, every, data, included={study.study_id for _, study in linked})
    effect = effect_features(synthesis, data, as_of)
    values = {k: _format_weeks(v) if isinstance(v, float) else v for k, v in features.items()}
    gaps = tuple(g["message"].format(**values) for g in gap_rules() if evaluate(g["condition"], features))
    if effect is not None:
        certainty, start, domains = _certainty(effect, effect_certainty_rules())
        effect["certainty_rank"] = CERTAINTY_LEVELS.index(certainty)
        rule = next(r for r in effect_verdict_rules() if evaluate(r["condition"], effect))
        route = "effect"
    else:
        certainty, start, domains = _certainty(features, certainty_rules())
        rule = next(r for r in verdict_rules() if evaluate(r["condition"], features))
        route = "design"
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
        downgrades=tuple((d.name, " ".join(d.reasons)) for d in domains),
        gaps=gaps,
        route=route,
        synthesis=synthesis,
        effect=effect,
        domains=domains,
        authorities=tuple(a for a in data.authorities if a.claim_id == claim.claim_id),
        unreported=tuple(unreported_trials(claim.claim_id, data, as_of)),
    )


def assess_register(register: Register, *, records: Mapping[str, Record] | None = None,
                    as_of: dt.date | None = None) -> list[Assessment]:
    """Every claim of the register assessed once, with its curated override (if any)."""
    return [
        assess_claim(claim, register.for_claim(claim.claim_id), records=records,
                     override=register.overrides.get(claim.claim_id), effect_data=register.effect_data,
                     studies=register.studies, as_of=as_of)
        for claim in register.claims
    ]


def assess_project(project: Project, *, records: Mapping[str, Record] | None = None) -> list[Assessment]:
    """Every claim of ``project`` assessed once, as of its snapshot date."""
    return assess_register(project.register, records=records, as_of=project.config.snapshot_date)
