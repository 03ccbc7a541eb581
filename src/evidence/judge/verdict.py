"""Per claim: an evidence profile (basis, direction, magnitude against the claim, directness, certainty with GRADE's
named domains), the verdict it maps to, and the gaps. The profile is built by one of two routes (``profile``):

* The **effect route**, for a claim that asks an effect question (claims.csv names its outcome family and time window)
  and has numbers to answer it: the basis is the pooled evidence (``synthesis.synthesize_claim``), its direction
  (benefit, harm, a precise or an imprecise null, inconsistent) follows ``rules/effect_direction_rules.csv``, and its
  certainty GRADE's domains computed from the pool (risk of bias per trial by RoB 2 domain, inconsistency,
  indirectness from ``data/indirectness.csv``, imprecision against the MID and the optimal information size,
  publication bias at most one level without direct evidence): ``rules/effect_certainty_rules.csv``.
* The **design route**, for mechanism, frequency and co-occurrence claims, and for effect claims with no usable
  numbers: the basis is the studies of a design that answers that kind of claim for whom it is about (``subjects``),
  their direction by size-weighted direction of effect (``rules/design_direction_rules.csv``), their certainty by
  ``rules/certainty_rules.csv``.

Both routes end in the same table, ``rules/verdict_profile.csv``: the first row whose condition the profile meets
gives the verdict. Counts by stance stay as a descriptive table and decide nothing. Nothing here is an ``if`` about a
particular verdict: features are measured, and rules kept as data (each with its explanation and source) are
evaluated over them. A curator's override (``data/verdict_overrides.csv``) wins and is shown as such; the engine's
own verdict stays available as ``Assessment.suggested``. Everything is computed from the values handed in.

A condition is one or more comparisons joined by ``and``: ``name op number`` with op one of ``== != >= <= > <``,
names being the features the table declares.

A certainty table's rows are of three kinds: ``start`` (the first that holds sets the starting level),
``downgrade`` (each that holds costs its domain one level, two at most) and ``limit`` (while it holds,
its domain costs at most one level).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from ..register.claims import CLAIM_TYPES, Claim
from ..register.effects import Authority, EffectData, Trial
from ..register.project import Project, Register
from ..register.studies import EvidenceRow, Override, Study
from ..rules import RuleRow, check_option, rule_rows
from ..sources.records import Record
from ..vocab import CERTAINTY_LEVELS, STANCES
from .conditions import check_condition as _check_condition, evaluate, follow_up_weeks
from .design import PRECLINICAL, RANDOMIZED, SYNTHESES, DesignCall, resolve_design
from .profile import (DESIGN_FEATURES, FREQUENCY_TYPES, INTERVENTION_TYPES, Profile, design_basis,
                      design_direction_rules, first_rule, ordered_rules, profile_features, verdict_profile_rules)
from .synthesis import (
    ClaimSynthesis,
    harmonised,
    published_upper_participants,
    synthesis_settings,
    synthesize_claim,
)

__all__ = [
    "Assessment",
    "Domain",
    "assess_claim",
    "assess_project",
    "assess_register",
    "claim_features",
    "effect_features",
    "evaluate",
    "weight_share",
]

LARGE_TRIAL_N = 100


@cache
def strong_designs() -> dict[str, frozenset[str]]:
    return {check_option(row, "claim_type", CLAIM_TYPES): frozenset(row["strong_designs"].split())
            for row in rule_rows("claim_types")}


def answering_designs(claim: Claim) -> frozenset[str]:
    """The designs that answer ``claim`` directly: its type's, plus laboratory and animal studies when the claim
    is about animals too."""
    strong = strong_designs()[claim.claim_type]
    return strong | PRECLINICAL if claim.subjects in ("animals", "both") else strong


def _certainty_table(table: str, features: tuple[str, ...]) -> tuple[RuleRow, ...]:
    rows = rule_rows(table)
    for row in rows:
        check_option(row, "kind", ("start", "downgrade", "limit"))
        if row["kind"] == "start":
            check_option(row, "name", CERTAINTY_LEVELS)
        _check_condition(row, features)
    return rows


@cache
def certainty_rules() -> tuple[RuleRow, ...]:
    return _certainty_table("certainty_rules", DESIGN_FEATURES)


@cache
def effect_certainty_rules() -> tuple[RuleRow, ...]:
    return _certainty_table("effect_certainty_rules", EFFECT_FEATURES)


@cache
def effect_direction_rules() -> tuple[RuleRow, ...]:
    """rules/effect_direction_rules.csv in order; the last must always hold."""
    return ordered_rules("effect_direction_rules", "direction", DIRECTIONS, EFFECT_FEATURES)


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
    "ci_excludes_null", "pi_available", "pi_excludes_null", "pi_unreliable", "mcid_known", "reaches_mcid",
    "within_mcid", "ci_crosses_mcid", "ois_met", "i2", "rob_concern", "rob_high_share", "indirect_share",
    "indirect_serious_share", "small_trials_only", "egger_p", "bias_adjusted_null", "unreported_trials",
    "publication_bias_direct", "robust", "certainty_rank",
)
# Which way the evidence points (rules/effect_direction_rules.csv), for the verdicts and for readers.
DIRECTIONS = ("benefit", "harm", "null-precise", "null-imprecise", "inconsistent")


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


def weight_share(weights: Sequence[float], flags: Sequence[bool]) -> int:
    """The percentage of the pool's weight carried by the trials flagged, rounded."""
    total = sum(weights)
    return round(100 * sum(w for w, f in zip(weights, flags) if f) / total) if total else 0


def _indirect(claim_id: str, study_id: str, data: EffectData, studies: Mapping[str, Study] | None = None
              ) -> tuple[str, ...] | None:
    """The PICO elements judged indirect for the claim (data/indirectness.csv), or None when not judged; another
    report of the same trial answers for it."""
    judgement = data.indirectness.get((claim_id, study_id))
    if judgement is None and studies and study_id in studies and studies[study_id].trial_id:
        key = studies[study_id].trial_id
        judgement = next((j for (c, s), j in data.indirectness.items()
                          if c == claim_id and s in studies and studies[s].trial_id == key), None)
    return None if judgement is None else judgement.indirect


def optimal_information_size(standardized_mcid: float | None) -> float:
    """GRADE's optimal information size: the participants one trial needs to detect the minimal important difference
    (two-sided alpha, power from rules/synthesis.csv), when that difference is standardized; else the rule of thumb."""
    settings = synthesis_settings()
    if not standardized_mcid:
        return float(settings["optimal_information_size"])
    from statistics import NormalDist

    z = NormalDist().inv_cdf(1 - float(settings["ois_alpha"]) / 2) + NormalDist().inv_cdf(float(settings["ois_power"]))
    return 4 * z**2 / standardized_mcid**2


def effect_features(synthesis: ClaimSynthesis, data: EffectData, studies: Mapping[str, Study] | None = None,
                    as_of: dt.date | None = None
                    ) -> dict[str, float] | None:
    """The measurements the effect-route rules are written over, from the claim's basis; None when it has none.

    Estimates are on the 'negative = benefit' scale. Unknown values are -1 (``i2``, ``egger_p``). Weight shares are
    percentages of the pool's random-effects weight.
    """
    if synthesis.basis == "none":
        return None
    pool, single, published = synthesis.pool, synthesis.single, synthesis.basis_pool
    egger, i2, pi, bias_null, rob, rob_high, robust, pi_unreliable = -1.0, -1.0, None, 0, 1, 0, 0, 0
    indirect, serious = 0, 0
    claim_id = synthesis.claim_id
    if synthesis.basis == "pool":
        estimate, (low, high), k, participants = pool.estimate, pool.ci, pool.k, pool.participants
        mcid, i2, pi = pool.mcid, pool.i2, pool.pi
        standardized = pool.measure.startswith("SMD")
        egger = pool.egger_p if pool.egger_p is not None else -1.0
        rob = int(weight_share(pool.weights, [e.bias.overall != "low" for e in pool.studies]) >= 50)
        rob_high = weight_share(pool.weights, [e.bias.overall == "high" for e in pool.studies])
        judged = [_indirect(claim_id, e.study_id, data, studies) or () for e in pool.studies]
        indirect = weight_share(pool.weights, [len(j) >= 1 for j in judged])
        serious = weight_share(pool.weights, [len(j) >= 2 for j in judged])
        small = int(all(e.participants is not None and e.participants < LARGE_TRIAL_N for e in pool.studies))
        robust, pi_unreliable = int(pool.robust), int(pool.pi_unreliable)
    elif synthesis.basis == "published":
        estimate, low, high = harmonised(published)
        k = published.k or 0
        participants = published_upper_participants(published, data)
        standardized = published.measure in ("g", "d", "SMD")
        measure = "SMD" if standardized else published.outcome
        mcid_text = data.rules.outcome_scales.get(measure, {}).get("mcid", "")
        mcid = float(mcid_text) if mcid_text else None
        small = int(bool(participants and k and participants / k < LARGE_TRIAL_N))
        # the review's own small-study adjustment of the same question (same window) leaves no clear effect
        bias_null = int(any(
            p.study_id == published.study_id and p.role == "sensitivity" and p.window == published.window
            and p.ci_low is not None and p.ci_low <= 0 <= p.ci_high for p in data.pools))
        robust = int(not bias_null)  # a published pool's robustness is what its own sensitivity analyses show
        judged = _indirect(claim_id, published.study_id, data, studies) or ()
        indirect, serious = 100 * int(len(judged) >= 1), 100 * int(len(judged) >= 2)
    else:
        estimate, (low, high), k, participants = single.estimate, single.ci, 1, single.participants
        standardized = single.measure == "SMD"
        # an MD is judged on its outcome's scale, a standardized difference against the standardized MCID
        scale = data.rules.outcome_scales.get("SMD" if standardized else single.outcome, {})
        mcid = float(scale["mcid"]) if scale.get("mcid") else None
        rob = int(single.bias.overall != "low")
        rob_high = 100 * int(single.bias.overall == "high")
        small = int(single.participants is not None and single.participants < LARGE_TRIAL_N)
        judged = _indirect(claim_id, single.study_id, data, studies) or ()
        indirect, serious = 100 * int(len(judged) >= 1), 100 * int(len(judged) >= 2)
    unreported = len(unreported_trials(synthesis.claim_id, data, as_of))
    ois = optimal_information_size(mcid if standardized else None)
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
        "pi_unreliable": pi_unreliable,
        "mcid_known": int(mcid is not None),
        "reaches_mcid": int(mcid is not None and estimate <= -mcid),
        "within_mcid": int(mcid is not None and -mcid < low and high < mcid),
        "ci_crosses_mcid": int(mcid is not None and (low < -mcid < high or low < mcid < high)),
        "ois_met": int(participants is not None and participants >= ois),
        "i2": i2,
        "rob_concern": rob,
        "rob_high_share": rob_high,
        "indirect_share": indirect,
        "indirect_serious_share": serious,
        "small_trials_only": small,
        "egger_p": egger,
        "bias_adjusted_null": bias_null,
        "unreported_trials": unreported,
        "publication_bias_direct": int(unreported >= 1 and ((0 <= egger < 0.1) or bias_null == 1)),
        "robust": robust,
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
    direction: str = ""  # effect route: benefit, harm, null-precise, null-imprecise or inconsistent
    direction_reason: str = ""
    # registered trials on the claim, ended over a year before the snapshot, unreported
    unreported: tuple[Trial, ...] = ()
    profile: Profile | None = None  # basis, direction, magnitude, directness and certainty: what the verdict maps from
    profile_features: dict[str, float] | None = None  # the profile as the verdict table reads it

    @property
    def suggested(self) -> str:
        """The engine's verdict before any curator's override."""
        return self.rule_verdict

    def stance_counts(self) -> dict[str, int]:
        return {stance: int(self.features[stance]) for stance in STANCES}


def _certainty(features: Mapping[str, float], rules: Sequence[RuleRow]) -> tuple[str, str, tuple[Domain, ...]]:
    """Start at the first start rule that holds; each domain costs one level per rule that fires, two at most, and
    one at most while one of its limit rules holds."""
    start = next(r for r in rules if r["kind"] == "start" and evaluate(r["condition"], features))
    fired: dict[str, list[str]] = {}
    for rule in rules:
        if rule["kind"] == "downgrade" and evaluate(rule["condition"], features):
            fired.setdefault(rule["name"], []).append(rule["explanation"])
    limits = {r["name"]: r["explanation"] for r in rules if r["kind"] == "limit" and r["name"] in fired
              and len(fired[r["name"]]) > 1 and evaluate(r["condition"], features)}
    domains = tuple(Domain(name, 1 if name in limits else min(len(reasons), 2),
                           tuple(reasons) + ((limits[name],) if name in limits else ()))
                    for name, reasons in fired.items())
    level = CERTAINTY_LEVELS.index(start["name"]) + sum(d.levels for d in domains)
    return CERTAINTY_LEVELS[min(level, len(CERTAINTY_LEVELS) - 1)], start["name"], domains


def _format_weeks(value: float) -> str:
    return f"{value:g}"


def _basis_of(synthesis: ClaimSynthesis, studies: Mapping[str, Study]) -> tuple[str, tuple[str, ...], int | None]:
    """(the basis in words, its study ids, its participants) for an effect claim."""
    if synthesis.basis == "pool":
        pool = synthesis.pool
        people = f", {pool.participants} participants" if pool.participants else ""
        return (f"our pool of {pool.k} trials ({pool.measure} {pool.estimate:.2f}, 95% CI {pool.ci[0]:.2f} to "
                f"{pool.ci[1]:.2f}{people})", tuple(e.study_id for e in pool.studies), pool.participants)
    if synthesis.basis == "published":
        basis = synthesis.basis_pool
        estimate, low, high = harmonised(basis)
        name = studies[basis.study_id].label if basis.study_id in studies else basis.study_id
        return (f"the published pool of {name} ({basis.measure} {estimate:.2f}, 95% CI {low:.2f} to "
                f"{high:.2f}; {basis.timepoint})", (basis.study_id,), basis.participants)
    single = synthesis.single
    return (f"one trial, {single.label} ({single.measure_label} {single.estimate:.2f}, 95% CI {single.ci[0]:.2f} to "
            f"{single.ci[1]:.2f})", (single.study_id,), single.participants)


def _unpooled_against(claim: Claim, synthesis: ClaimSynthesis, linked, data: EffectData,
                      participants: int | None) -> list[Study]:
    """Randomized trials of the claim, direct for it, that found against it but are not in the basis (no numbers to
    pool) and hold at least as many participants as the basis: evidence that could turn the pooled direction."""
    if synthesis.basis == "published" or participants is None:
        return []
    inside = {e.study_id for e in synthesis.pool.studies} if synthesis.pool else set()
    if synthesis.single is not None:
        inside.add(synthesis.single.study_id)
    units = {every.trial_key for _, every, _ in linked if every.study_id in inside}
    found = []
    for row, study, design in linked:
        judged = data.indirectness.get((claim.claim_id, study.study_id))
        if (design.design in RANDOMIZED and row.stance == "contrasts" and study.study_id not in inside
                and study.trial_key not in units and not (judged and judged.indirect)
                and (study.n or 0) >= participants):
            found.append(study)
    return found


def _effect_profile(claim: Claim, synthesis: ClaimSynthesis, effect: dict[str, float], linked,
                    data: EffectData, studies: Mapping[str, Study]) -> tuple[Profile, str, tuple[Domain, ...]]:
    certainty, start, domains = _certainty(effect, effect_certainty_rules())
    effect["certainty_rank"] = CERTAINTY_LEVELS.index(certainty)
    heading = next(r for r in effect_direction_rules() if evaluate(r["condition"], effect))
    direction, reason = heading["direction"], heading["explanation"]
    label, ids, participants = _basis_of(synthesis, studies)
    against = _unpooled_against(claim, synthesis, linked, data, participants)
    if against and direction in ("benefit", "null-imprecise"):
        names = ", ".join(f"{s.label} (n={s.n})" for s in against)
        direction = "inconsistent"
        reason = (f"{reason.rstrip('.')}; but {names}, a randomized trial at least as large as the basis, "
                  "found against the claim and prints no numbers to pool, so the trials point different ways "
                  "(Cochrane Handbook 13: results missing from a synthesis can change its conclusion).")
    if effect["reaches_mcid"]:
        magnitude = "important"
    elif effect["mcid_known"] and effect["benefit"] and effect["ci_excludes_null"]:
        magnitude = "small"
    else:
        magnitude = "unknown"
    directness = ("indirect only" if effect["indirect_serious_share"] >= 50 else
                  "partly indirect" if effect["indirect_share"] >= 50 else "direct")
    profile = Profile(synthesis.basis, label, ids, direction, reason, magnitude, directness, certainty)
    return profile, start, domains


def _design_profile(claim: Claim, linked) -> tuple[Profile, str, tuple[Domain, ...]]:
    kind, basis, features = design_basis(claim, linked, answering_designs(claim))
    heading = first_rule(design_direction_rules(), features)
    certainty, start, domains = _certainty(features, certainty_rules())
    sizes = sum(s.n or 0 for _, s, _ in basis)
    syntheses = features["basis_syntheses"]
    what = {"indirect studies": "indirect (animal or laboratory) studies",
            "lower-grade studies": "studies of a lower grade than the claim needs (uncontrolled or observational)"
            }.get(kind, "studies of a design that answers the claim")
    label = (f"{len(basis)} {what}" + (f", {syntheses} of them systematic reviews that give the direction"
                                       if syntheses else "") + (f"; {sizes} participants" if sizes else "")
             ) if basis else "no study of a design that answers the claim takes a side"
    directness = ("indirect only" if features["indirect_only"] else
                  "partly indirect" if features["partly_indirect"] else "direct")
    profile = Profile("studies" if kind == "studies" else kind, label, tuple(s.study_id for _, s, _ in basis),
                      heading["direction"], heading["explanation"], "unknown", directness, certainty)
    return profile, start, domains


def _supporting(claim: Claim, linked) -> int:
    """How many studies of a design that answers the claim support it (people's, for a claim about people)."""
    answering = answering_designs(claim)
    return sum(1 for r, _, d in linked if r.stance == "supports" and d.design in answering
               and (claim.subjects != "people" or d.design not in PRECLINICAL))


def _observational_only(claim: Claim, linked, route: str) -> bool:
    """A treatment claim answered by observational studies alone: they cannot contradict it (GRADE: low at best)."""
    if route == "effect" or claim.claim_type not in INTERVENTION_TYPES:
        return False
    sided = [d.design for r, _, d in linked if r.stance != "context" and d.design not in PRECLINICAL]
    return bool(sided) and not any(d in RANDOMIZED for d in sided)


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
    effect = effect_features(synthesis, data, every, as_of)
    values = {k: _format_weeks(v) if isinstance(v, float) else v for k, v in features.items()}
    gaps = tuple(g["message"].format(**values) for g in gap_rules() if evaluate(g["condition"], features))
    if effect is not None:
        profile, start, domains = _effect_profile(claim, synthesis, effect, with_design, data, every)
        route = "effect"
    else:
        profile, start, domains = _design_profile(claim, with_design)
        route = "design"
    certainty = profile.certainty
    if effect is not None:
        effect["certainty_rank"] = CERTAINTY_LEVELS.index(certainty)
    table = profile_features(
        direction=profile.direction, certainty_rank=CERTAINTY_LEVELS.index(certainty),
        indirect_only=profile.directness == "indirect only", partly_indirect=profile.directness == "partly indirect",
        magnitude=profile.magnitude, robust=bool(effect["robust"]) if effect is not None else True,
        supporting=_supporting(claim, with_design), observational_only=_observational_only(claim, with_design, route),
        effect_route=route == "effect", frequency_claim=claim.claim_type in FREQUENCY_TYPES, registered=len(linked))
    rule = first_rule(verdict_profile_rules(), table)
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
        direction=profile.direction,
        direction_reason=profile.direction_reason,
        unreported=tuple(unreported_trials(claim.claim_id, data, as_of)),
        profile=profile,
        profile_features=table,
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
