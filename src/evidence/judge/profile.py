"""An evidence profile per claim, and the verdict it maps to: the basis, its direction, its magnitude against what
the claim says, and its certainty (GRADE), instead of shares of studies.

* **Basis.** For an effect claim with numbers, our pool of its randomized trials (or one trial, or, where we cannot
  pool and a published pool can hold every trial we know of, that pool; ``synthesis``). Otherwise the studies of a
  design that answers the claim's type, for whom the claim is about: human studies for a claim about people, with
  animal and in-vitro work as indirect evidence, and as direct evidence for the animal half of a claim made for
  animals and people both. A meta-analysis or systematic review is the body of evidence: when the basis holds one
  that takes a side, the syntheses give the direction, not one vote each beside their own trials.
* **Direction.** From a pool, by ``rules/effect_direction_rules.csv`` (benefit, harm, no important effect measured
  precisely, no clear effect, inconsistent); a randomized trial that found against the claim and holds at least as
  many participants as the basis, but prints no numbers to pool, makes the direction inconsistent. Without numbers,
  by the direction of each basis study weighted by its size (Cochrane Handbook 12.2.2: vote counting on the
  direction of effect; the effect direction plot's 70% rule, Thomson & Thomas 2013),
  ``rules/design_direction_rules.csv``.
* **Magnitude** against the claim: whether a pooled benefit reaches the minimal important difference.
* **Certainty**: GRADE's five domains (``rules/effect_certainty_rules.csv`` for a pool, ``rules/certainty_rules.csv``
  for a body without numbers), indirectness included.

The verdict is the first row of ``rules/verdict_profile.csv`` whose condition the profile meets: one table, each row
with its reason and source (the reader's meanings are in ``rules/verdict_glossary.csv``). Indirect evidence, an
imprecise null or observational studies alone can never make a claim ``contradicted``: that needs at least moderate
certainty of the opposite or of no important effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from ..register.claims import Claim
from ..register.studies import EvidenceRow, Study
from ..rules import RuleRow, check_option, rule_rows
from ..vocab import VERDICTS
from .conditions import check_condition, evaluate, follow_up_weeks
from .design import PRECLINICAL, RANDOMIZED, SYNTHESES, DesignCall

__all__ = [
    "DESIGN_DIRECTIONS",
    "DESIGN_FEATURES",
    "PROFILE_FEATURES",
    "Profile",
    "design_basis",
    "design_direction_rules",
    "ordered_rules",
    "profile_features",
    "verdict_profile_rules",
]

OBSERVATIONAL = frozenset({"cohort", "case-control", "cross-sectional", "case-series", "case-report"})
WEAK_FOR_EFFECTS = frozenset({"open-label", "non-randomized-trial", "case-series", "case-report"})
# Human primary studies of any design: those a claim's type does not list answer it at a lower grade.
LOWER_GRADE = WEAK_FOR_EFFECTS | OBSERVATIONAL | {"human-experimental"}
# Claims about what a treatment does or whom it is for (an indication rests on its effect); regulatory, prevalence and
# epidemiology claims are not.
INTERVENTION_TYPES = frozenset({"efficacy", "speed", "durability", "combination-therapy", "safety", "indication"})
# What guidance or a regulator says is settled by its own documents, not by studies.
GUIDANCE_TYPES = frozenset({"regulatory"})
# How often something happens or goes with something else: population studies answer it at high certainty (GRADE
# for prognosis, Iorio et al. BMJ 2015).
FREQUENCY_TYPES = frozenset({"epidemiology", "comorbidity", "prevalence"})
# What a study whose size is not recorded weighs when no study beside it records one (else: their median).
UNKNOWN_N = 20

DESIGN_DIRECTIONS = ("benefit", "against", "inconsistent", "none")
# The features the design route's direction and certainty rules may name.
DESIGN_FEATURES = (
    "sided", "share_for", "minority_share", "basis_n", "basis_randomized", "basis_observational", "basis_syntheses",
    "basis_experimental", "basis_guidance", "weak_design_share", "indirect_only", "partly_indirect",
    "intervention_claim", "frequency_claim", "mechanism_claim", "guidance_claim", "small_trials_only", "supporting",
    "durability_claim", "longest_trial_weeks", "claim_both", "animal_share",
)
# The features the verdict table may name: the profile.
PROFILE_FEATURES = (
    "dir_benefit", "dir_against", "dir_null_precise", "dir_null_imprecise", "dir_inconsistent", "dir_none",
    "certainty_rank", "indirect_only", "partly_indirect", "mag_small", "robust", "supporting", "observational_only",
    "effect_route", "can_contradict", "registered",
)


@dataclass(frozen=True)
class Profile:
    """What a claim's verdict rests on, as a reviewer would write it in a summary-of-findings table."""

    basis: str  # "pool", "single", "published", "studies", "lower-grade studies", "indirect studies" or "none"
    basis_label: str  # in words, with its size
    basis_ids: tuple[str, ...]  # the studies (or the published pool) the basis is made of
    direction: str  # benefit, harm, against, null-precise, null-imprecise, inconsistent or none
    direction_reason: str
    magnitude: str  # important, small or unknown
    directness: str  # direct, partly indirect or indirect only
    certainty: str


def ordered_rules(table: str, column: str, options: tuple[str, ...], features: tuple[str, ...]) -> tuple[RuleRow, ...]:
    """A rule table whose rows are tried in ``order``: each row's ``column`` one of ``options``, its condition over
    ``features``; sorted by order."""
    rows = rule_rows(table)
    for row in rows:
        check_option(row, column, options)
        if not row["order"].isdigit():
            raise row.error(f"order {row['order']!r} is not a whole number.")
        check_condition(row, features)
    return tuple(sorted(rows, key=lambda r: int(r["order"])))


@cache
def design_direction_rules() -> tuple[RuleRow, ...]:
    return ordered_rules("design_direction_rules", "direction", DESIGN_DIRECTIONS, DESIGN_FEATURES)


@cache
def verdict_profile_rules() -> tuple[RuleRow, ...]:
    return ordered_rules("verdict_profile", "verdict", VERDICTS, PROFILE_FEATURES)


def _weights(rows: Sequence[tuple[EvidenceRow, Study, DesignCall]]) -> list[float]:
    """How much each study weighs in the direction: its size; a study whose size is not recorded, the median of those
    that are (UNKNOWN_N when none is); every synthesis alike, since a review is one body of evidence and its
    participant count answers its own question, not this one."""
    if rows and all(d.design in SYNTHESES for _, _, d in rows):
        return [1.0] * len(rows)
    known = sorted(float(s.n) for _, s, _ in rows if s.n)
    fallback = known[len(known) // 2] if known else float(UNKNOWN_N)
    return [float(s.n) if s.n else fallback for _, s, _ in rows]


def _shares(rows: Sequence[tuple[EvidenceRow, Study, DesignCall]]) -> tuple[float, float]:
    """(weight for the claim, weight against it); a mixed finding counts half each way."""
    for_, against = 0.0, 0.0
    for (row, _, _), w in zip(rows, _weights(rows)):
        if row.stance == "supports":
            for_ += w
        elif row.stance == "contrasts":
            against += w
        elif row.stance == "mixed":
            for_, against = for_ + w / 2, against + w / 2
    return for_, against


def design_basis(claim: Claim, linked: Sequence[tuple[EvidenceRow, Study, DesignCall]],
                 answering: frozenset[str]) -> tuple[str, list[tuple[EvidenceRow, Study, DesignCall]],
                                                     dict[str, float]]:
    """(kind of basis, its studies, the features the design route's rules read) for a claim judged without numbers.

    ``answering`` are the designs that answer the claim's type (rules/claim_types.csv). For a claim made for animals
    and people both, animal and laboratory studies answer its animal half directly and join the human ones."""
    sided = [(r, s, d) for r, s, d in linked if r.stance != "context"]
    human = [(r, s, d) for r, s, d in sided if d.design in answering and d.design not in PRECLINICAL]
    animal = [(r, s, d) for r, s, d in sided if d.design in PRECLINICAL]
    # human studies of a design below the claim's type (uncontrolled series for an effect, say): evidence of a lower
    # grade, which certainty starts low for (GRADE), the basis only when no better design takes a side
    lower = [(r, s, d) for r, s, d in sided if d.design in LOWER_GRADE and d.design not in answering]
    about_animals = claim.subjects in ("animals", "both")
    if about_animals and (human or animal):
        basis, kind = human + animal, "studies"
    elif human:
        basis, kind = human, "studies"
    elif lower:
        basis, kind = lower, "lower-grade studies"
    elif animal:
        basis, kind = animal, "indirect studies"
    else:
        basis, kind = [], "none"
    syntheses = [(r, s, d) for r, s, d in basis if d.design in SYNTHESES]
    deciding = syntheses or basis  # a synthesis is the body of evidence, not one more vote
    for_, against = _shares(deciding)
    total = for_ + against
    share = round(100 * for_ / total) if total else 0
    primary = [(r, s, d) for r, s, d in basis if d.design not in SYNTHESES]
    sizes = _weights(primary)
    weak = sum(w for (_, _, d), w in zip(primary, sizes) if d.design in WEAK_FOR_EFFECTS)
    # how much information the basis holds: its largest synthesis's participants when reviews lead, else the
    # primary studies' (for imprecision, GRADE's optimal information size)
    biggest_review = max((s.n or 0 for _, s, _ in syntheses), default=0)
    basis_n = biggest_review or sum(sizes)
    trials = [s for _, s, d in basis if d.design in RANDOMIZED]
    trial_weeks = [w for r, _, d in basis if d.design in RANDOMIZED and (w := follow_up_weeks(r.follow_up)) is not None]
    features = {
        "sided": len(deciding),
        "share_for": share,
        "minority_share": min(share, 100 - share) if total else 0,
        "basis_n": round(basis_n),
        "basis_randomized": int(bool(trials) or bool(syntheses) and claim.claim_type in INTERVENTION_TYPES),
        "basis_observational": int(bool(basis) and all(d.design in OBSERVATIONAL | SYNTHESES for _, _, d in basis)),
        "basis_syntheses": len(syntheses),
        # controlled experiments: randomized trials, or animal experiments where the claim is made for animals too
        # (GRADE for preclinical studies, Hooijmans et al. 2018)
        "basis_experimental": int(bool(trials) or about_animals and bool(animal)),
        "basis_guidance": int(any(d.design == "guideline" for _, _, d in basis)),
        "weak_design_share": round(100 * weak / sum(sizes)) if sizes and sum(sizes) else 0,
        "indirect_only": int(kind == "indirect studies"),
        # a claim about animals and people whose human half rests on animal studies alone
        "partly_indirect": int(claim.subjects == "both" and not human and bool(animal)),
        "intervention_claim": int(claim.claim_type in INTERVENTION_TYPES),
        "frequency_claim": int(claim.claim_type in FREQUENCY_TYPES),
        "mechanism_claim": int(claim.claim_type == "mechanism"),
        "guidance_claim": int(claim.claim_type in GUIDANCE_TYPES),
        "small_trials_only": int(len(trials) >= 2 and all((s.n or 0) < 100 for s in trials)),
        "supporting": sum(1 for r, _, _ in basis if r.stance == "supports"),
        "durability_claim": int(claim.claim_type == "durability"),
        "claim_both": int(claim.subjects == "both"),
        # the share of the basis's weight (by size) that is animal or laboratory work
        "animal_share": round(100 * sum(w for (_, _, d), w in zip(basis, _weights(basis)) if d.design in PRECLINICAL)
                              / sum(_weights(basis))) if basis and sum(_weights(basis)) else 0,
        # how long the longest randomized trial in the basis follows patients (0: none says)
        "longest_trial_weeks": round(max(trial_weeks), 1) if trial_weeks else 0,
    }
    return kind, basis, features


def profile_features(*, direction: str, certainty_rank: int, indirect_only: bool, partly_indirect: bool,
                     magnitude: str, robust: bool, supporting: int, observational_only: bool,
                     effect_route: bool, frequency_claim: bool = False, registered: int = 1) -> dict[str, float]:
    """The profile as the numbers the verdict table is written over."""
    return {
        "dir_benefit": int(direction == "benefit"),
        "dir_against": int(direction in ("harm", "against")),
        "dir_null_precise": int(direction == "null-precise"),
        "dir_null_imprecise": int(direction == "null-imprecise"),
        "dir_inconsistent": int(direction == "inconsistent"),
        "dir_none": int(direction == "none"),
        "certainty_rank": certainty_rank,
        "indirect_only": int(indirect_only),
        "partly_indirect": int(partly_indirect),
        "mag_small": int(magnitude == "small"),
        "robust": int(robust),
        "supporting": supporting,
        "observational_only": int(observational_only),
        "effect_route": int(effect_route),
        # only numbers can show that a null is precise (or a harm real); without them a study 'against' the claim may
        # be an imprecise null, which weakens a claim but cannot contradict it. Population studies of how common a
        # condition is are the exception: their counts are the numbers.
        "can_contradict": int(effect_route or frequency_claim),
        "registered": registered,  # studies registered for the claim, whatever their stance
    }


def first_rule(rules: Sequence[RuleRow], features: Mapping[str, float]) -> RuleRow:
    return next(r for r in rules if evaluate(r["condition"], features))
