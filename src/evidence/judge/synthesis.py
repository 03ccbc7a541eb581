"""Effect sizes and random-effects pools, per claim × outcome family × time window.

From ``data/effects.csv`` (numbers as printed) each **trial** gets one effect on the pool's scale, by a named method
(below), with the sign harmonised so that a negative value means a benefit of the claim's
intervention (fewer symptoms, or more of a good outcome). Trials that share a
scale are pooled as a mean difference (MD); otherwise as a standardized mean difference (SMD). The statistics are in
``judge.meta`` (REML tau² with its Q-profile interval, the modified Hartung-Knapp interval, the t(k-2) prediction
interval; ``rules/synthesis.csv`` says which and why); every pool carries sensitivity rows that recompute it under
the reasonable alternatives (other tau² estimators, the Wald interval, each trial left out, change instead of
endpoint values where a trial prints both, another outcome where the trial's primary one is not recorded), and is
``robust`` only when none of them changes the conclusion (whether the CI excludes no effect, and whether the
estimate reaches the minimal important difference).

Choices, each from the Cochrane Handbook:

* **A trial is one unit.** Reports of one trial share a trial key (``studies.csv`` ``trial_id``); the trial enters
  once, from the report that records its primary outcome (or, failing that, the most rows). Syntheses
  (meta-analyses, systematic reviews) never enter a pool of trials, and a pooled analysis whose member trials are
  present (``data/members.csv``) gives way to them.
* **The outcome pooled is the trial's primary one** (``outcome_role``) at the claim's time point, nearest the
  window's target hour; where no row records the role, the first listed is used and each alternative outcome gives a
  sensitivity row.
* **Baseline imbalance.** When a trial's arms differ at baseline by more than ``baseline_imbalance_sd`` SDs, only its
  change-from-baseline or baseline-adjusted estimates are used; a trial that prints neither is left out with the
  reason (its endpoint difference is shown as a sensitivity row that does not count towards robustness).
* **Change and endpoint.** MDs of change and of final values may share a pool (Handbook 10.5.2); SMDs may not, so an
  SMD pool holds one kind (endpoint and baseline-adjusted values together, change scores apart).
* **Crossover trials** (23.2): a row says whether it holds first-period data (analysed as a parallel trial) or a
  paired analysis (its SE from the printed CI or P value, or from the arms with the within-person correlation of
  ``rules/synthesis.csv``); a crossover row that says neither is not used.
* A trial with several arms against one shared control contributes one comparison, its arms combined (23.3.4).
* Only numbers that a second, independent pass saw printed are used.

Derivations, each named where it is used (Cochrane Handbook, chapter 6):
    arm means, SDs and sizes  -> MD, SE = sqrt(sd1²/n1 + sd2²/n2)              (6.5.1.1)
                              -> Hedges' g with its small-sample correction   (6.5.1.2, statsmodels)
    paired crossover arms     -> MD, SE = sqrt((sd1² + sd2² - 2 r sd1 sd2) / n)  (23.2.7.2)
    MD or SMD with a CI       -> SE = (upper - lower) / (2 z), z for the CI's level   (6.5.2.3)
    MD with an exact P value  -> SE = |MD| / z(1 - P/2)                        (6.3.2)
    d or g printed with an MD and its SE for the same contrast -> SE(d) = |d| SE(MD) / |MD|
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from statistics import NormalDist

import numpy as np

from ..register.claims import Claim
from ..register.effects import EffectData, EffectRow, PublishedPool
from ..register.studies import Study
from ..rules import rule_rows
from . import meta
from .design import RANDOMIZED, SYNTHESES

__all__ = [
    "ClaimSynthesis",
    "Pool",
    "SensitivityRow",
    "StudyEffect",
    "TrialBias",
    "baseline_imbalance",
    "combine_arms",
    "pool_effects",
    "prediction_interval",
    "synthesis_settings",
    "synthesize_claim",
    "trial_bias",
]

ROB_ORDER = ("low", "some concerns", "high")
# SMDs of these kinds share a scale (final values, or baseline-adjusted final values); change scores do not
KIND_CLASS = {"endpoint": "final values", "adjusted": "final values", "change": "change scores", "": "unstated values"}


# scipy and statsmodels are imported inside the functions that pool: importing them costs seconds, and the command
# line and most of the package never pool anything.
_NORMAL = NormalDist()


@cache
def synthesis_settings() -> dict[str, str]:
    """rules/synthesis.csv: name -> value."""
    return {row["name"]: row["value"] for row in rule_rows("synthesis")}


def _setting(name: str) -> float:
    return float(synthesis_settings()[name])




@dataclass(frozen=True)
class TrialBias:
    """Risk of bias of one trial's pooled result by RoB 2 domain (data/risk_of_bias.csv, the comparator, the row)."""

    randomization: str  # D1: the randomization process
    deviations: str     # D2: deviations from the intended interventions (blinding of participants and carers)
    missing_data: str   # D3: missing outcome data
    measurement: str    # D4: measurement of the outcome (raters and patients who can tell the arms apart)
    reporting: str      # D5: selection of the reported result
    overall: str        # the worst domain (RoB 2's overall judgement)
    reasons: tuple[str, ...]

    @property
    def domains(self) -> dict[str, str]:
        return {"randomization": self.randomization, "deviations": self.deviations, "missing data": self.missing_data,
                "measurement": self.measurement, "reporting": self.reporting}


def _worst(*levels: str) -> str:
    return max(levels, key=ROB_ORDER.index)


def trial_bias(study_id: str, comparison: str, data: EffectData, outcome_role: str = "") -> TrialBias:
    record = data.risk_of_bias.get(study_id)
    reasons = []
    if record is None:
        randomization = "some concerns"
        reasons.append("D1 some concerns: randomization and allocation concealment not assessed (not described in "
                       "the sources read)")
    elif "not described" in (record.sequence_generation, record.allocation_concealment):
        randomization = "some concerns"
        reasons.append("D1 some concerns: sequence generation or allocation concealment not described")
    else:
        randomization = "low"
    blinding = record.blinding if record else "not stated"
    deviations = {"double-blind": "low", "single-blind": "some concerns", "open": "high"}.get(blinding, "some concerns")
    if deviations != "low":
        reasons.append(f"D2 {deviations}: " + (f"blinding {blinding}" if record else "blinding not assessed"))
    missing = record.missing_outcome_data if record and record.missing_outcome_data else ""
    if not missing:
        missing = "some concerns"
        reasons.append("D3 some concerns: missing outcome data not assessed")
    elif missing != "low":
        reasons.append(f"D3 {missing}: missing outcome data ({record.notes[:120]})")
    kind, unblinding = data.rules.comparator_kind(comparison)
    reasons.append(f"D4 {unblinding}: {kind} comparator, so the intervention's felt effects can unmask the "
                   "allocation to patients and raters")
    if outcome_role == "primary":
        reporting = "low"
    else:
        reporting = "some concerns"
        reasons.append("D5 some concerns: " + ("the pooled outcome is a secondary one" if outcome_role == "secondary"
                                               else "not recorded whether the pooled outcome is the trial's primary"))
    overall = _worst(randomization, deviations, missing, unblinding, reporting)
    return TrialBias(randomization, deviations, missing, unblinding, reporting, overall, tuple(reasons))


@dataclass(frozen=True)
class StudyEffect:
    study_id: str
    label: str
    estimate: float  # negative = a benefit of the intervention
    se: float
    participants: int | None
    outcome: str
    window: str
    derivation: str
    lines: tuple[int, ...]
    bias: TrialBias
    trial_id: str = ""  # the trial key: registry id, or the study id when the report is its own trial
    value_kind: str = ""  # endpoint, change, adjusted, or "" when the row does not say
    outcome_role: str = ""
    measure: str = "MD"  # "MD" on the outcome's scale, or "SMD" (g or d)

    @property
    def ci(self) -> tuple[float, float]:
        z = _NORMAL.inv_cdf(0.975)
        return self.estimate - z * self.se, self.estimate + z * self.se

    @property
    def unit(self) -> str:
        return self.trial_id or self.study_id

    @property
    def measure_label(self) -> str:
        """What the estimate is: "MADRS MD" on the outcome's scale, or "MADRS SMD"."""
        return f"{self.outcome} {self.measure}"


@dataclass(frozen=True)
class SensitivityRow:
    """The pool recomputed under one alternative choice."""

    label: str
    kind: str  # "main", "estimator", "interval", "leave-one-out", "value kind", "outcome", "baseline"
    k: int
    estimate: float
    ci: tuple[float, float]
    tau2: float
    counts: bool  # a reasonable alternative: it decides ``robust``
    flips: bool   # the conclusion (CI vs no effect; reaching the MID) differs from the main analysis
    short: str = ""  # a label short enough for a figure


@dataclass(frozen=True)
class Pool:
    claim_id: str
    family: str
    window: str
    measure: str  # "MD (MADRS)" or "SMD (Hedges' g or d)"
    studies: tuple[StudyEffect, ...]
    weights: tuple[float, ...]  # random-effects weights, percent
    estimate: float
    ci: tuple[float, float]
    pi: tuple[float, float] | None
    tau2: float
    i2: float
    q: float
    mcid: float | None
    mcid_note: str
    mcid_source: str
    leave_one_out: tuple[tuple[str, float, float, float], ...]
    small_study_test: str
    egger_p: float | None
    tau2_method: str = "REML"
    ci_method: str = "mHK"
    se: float = 0.0
    tau2_ci: tuple[float, float] | None = None
    i2_ci: tuple[float, float] | None = None
    hk_scale: float = 1.0
    pi_unreliable: bool = False
    sensitivity: tuple[SensitivityRow, ...] = ()
    robust: bool = True
    value_kinds: str = ""  # for an SMD pool, the kind of values it holds

    @property
    def k(self) -> int:
        return len(self.studies)

    @property
    def participants(self) -> int | None:
        counts = [s.participants for s in self.studies]
        return sum(counts) if all(c is not None for c in counts) else None

    @property
    def flipped(self) -> tuple[SensitivityRow, ...]:
        """The reasonable alternatives under which the conclusion changes."""
        return tuple(r for r in self.sensitivity if r.counts and r.flips)


@dataclass(frozen=True)
class ClaimSynthesis:
    """What a claim's effect question rests on: our pool, a published pool, one trial, or nothing."""

    claim_id: str
    family: str
    window: str
    pool: Pool | None
    single: StudyEffect | None
    published: tuple[PublishedPool, ...]
    basis: str  # "pool", "published", "single" or "none"
    basis_pool: PublishedPool | None
    reason: str
    excluded: tuple[tuple[str, str], ...] = field(default=())  # (study label, why not pooled)
    window_label: str = ""  # the window's label in the article's rules/time_windows.csv
    # (study label, why) for each published pool of the claim's question that is not the basis
    not_basis: tuple[tuple[str, str], ...] = field(default=())


# -- effect sizes ------------------------------------------------------------------------------------
def _z(level: float | None) -> float:
    return _NORMAL.inv_cdf(0.5 + (level or 95.0) / 200.0)


def _sign(row: EffectRow) -> float:
    """Multiplier that puts a printed estimate on the 'negative = benefit' scale."""
    if row.convention == "improvement_positive":
        return -1.0
    return 1.0 if row.direction == "lower_better" else -1.0


def _arm_sign(row: EffectRow) -> float:
    return 1.0 if row.direction == "lower_better" else -1.0


def _has_arms(row: EffectRow) -> bool:
    return None not in (row.mean_treat, row.sd_treat, row.n_treat, row.mean_control, row.sd_control, row.n_control)


def _exact_p(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None  # "<0.001" and the like are not exact
    return value if 0 < value < 1 else None


def _estimable(found):
    """``found`` (estimate, SE, ...) when its SE is a positive finite number, else None: an MD of 0 with its P value,
    or a CI printed as one point, gives an SE of 0, which says the row cannot be weighed, not that it is exact."""
    return found if found is not None and math.isfinite(found[1]) and found[1] > 0 else None


def md_effect(row: EffectRow, correlation: float | None = None) -> tuple[float, float, str] | None:
    """(MD, SE, derivation) on the row's scale, negative = benefit; None when the row cannot give one (nor an SE
    above 0).

    A paired crossover row with only arm means and SDs needs the within-person ``correlation``."""
    return _estimable(_md_effect(row, correlation))


def _md_effect(row: EffectRow, correlation: float | None) -> tuple[float, float, str] | None:
    if _has_arms(row):
        md = (row.mean_treat - row.mean_control) * _arm_sign(row)
        kind = row.value_kind or "endpoint"
        if row.crossover == "paired":
            if correlation is None:
                return None
            n = min(row.n_treat, row.n_control)
            se = math.sqrt((row.sd_treat**2 + row.sd_control**2 - 2 * correlation * row.sd_treat * row.sd_control) / n)
            return md, se, (f"paired MD from crossover arm {kind} means and SDs with a within-person correlation of "
                            f"{correlation:g} (Cochrane 23.2.7.2; rules/synthesis.csv)")
        se = math.sqrt(row.sd_treat**2 / row.n_treat + row.sd_control**2 / row.n_control)
        return md, se, f"MD and SE from arm {kind} means, SDs and sizes (Cochrane 6.5.1.1)"
    if row.effect_type != "MD" or row.estimate is None:
        return None
    md = row.estimate * _sign(row)
    paired = " (paired crossover analysis, Cochrane 23.2.6)" if row.crossover == "paired" else ""
    if row.se is not None:
        return md, row.se, "MD and its SE as printed" + paired
    if row.ci_low is not None:
        se = float((row.ci_high - row.ci_low) / (2 * _z(row.ci_level)))
        return md, se, f"SE from the printed {row.ci_level:g}% CI (Cochrane 6.5.2.3)" + paired
    p = _exact_p(row.p_value)
    if p is not None:
        return md, float(abs(md) / _NORMAL.inv_cdf(1 - p / 2)), \
            "SE from the MD and its exact P value (Cochrane 6.3.2)" + paired
    return None


def _smd(row: EffectRow, siblings: Sequence[EffectRow] = ()) -> tuple[float, float, str, str] | None:
    """(g or d, SE, derivation, value kind) or None (also when the SE is not above 0); the kind of an SMD whose SE
    comes from a sibling MD is that MD's, the two being one contrast."""
    return _estimable(_smd_found(row, siblings))


def _smd_found(row: EffectRow, siblings: Sequence[EffectRow]) -> tuple[float, float, str, str] | None:
    if _has_arms(row):
        if row.crossover == "paired":
            return None  # a paired SMD needs the within-person SD, which no row prints
        from statsmodels.stats.meta_analysis import effectsize_smd

        g, var = effectsize_smd(row.mean_treat, row.sd_treat, row.n_treat, row.mean_control, row.sd_control,
                                row.n_control)
        return float(g) * _arm_sign(row), float(math.sqrt(float(var))), \
            "Hedges' g with small-sample correction from arm means, SDs and sizes (statsmodels effectsize_smd)", \
            row.value_kind
    if row.effect_type not in ("SMD", "g", "d") or row.estimate is None:
        return None
    value = row.estimate * _sign(row)
    if row.ci_low is not None:
        return value, float((row.ci_high - row.ci_low) / (2 * _z(row.ci_level))), \
            f"{row.effect_type} as printed; SE from its {row.ci_level:g}% CI (Cochrane 6.5.2.3)", row.value_kind
    for other in siblings:
        # the same contrast: outcome, time and comparison (an MD at another hour has another SE)
        same = other is not row and _same_measurement(other, row) and other.comparison == row.comparison
        md = md_effect(other) if same else None
        if md is not None and md[0] != 0:
            return value, float(abs(value) * md[1] / abs(md[0])), \
                f"{row.effect_type} as printed; SE scaled from the SE of the same contrast's MD", \
                row.value_kind or other.value_kind
    return None


def smd_effect(row: EffectRow, siblings: Sequence[EffectRow] = ()) -> tuple[float, float, str] | None:
    """(g or d, SE, derivation), negative = benefit; ``siblings`` are the study's other rows (an MD with its SE)."""
    found = _smd(row, siblings)
    return None if found is None else found[:3]


def combine_arms(n: Sequence[float], mean: Sequence[float], sd: Sequence[float]) -> tuple[float, float, float]:
    """One group from several arms: size, mean and SD (Cochrane Handbook 23.3.4, Table 6.5.a)."""
    total, m, s = n[0], mean[0], sd[0]
    for n2, m2, s2 in zip(n[1:], mean[1:], sd[1:]):
        combined = total + n2
        pooled_sd = math.sqrt(((total - 1) * s**2 + (n2 - 1) * s2**2 + total * n2 / combined * (m - m2) ** 2)
                              / (combined - 1))
        m = (total * m + n2 * m2) / combined
        total, s = combined, pooled_sd
    return total, m, s


def _shared_control_arms(rows: Sequence[EffectRow]) -> list[EffectRow]:
    """Rows of one study that compare different arms with one control (same control numbers, arm data)."""
    armed = [r for r in rows if _has_arms(r)]
    keys = {(r.mean_control, r.sd_control, r.n_control, r.outcome, r.window, r.hours_after) for r in armed}
    return armed if len(armed) >= 2 and len(keys) == 1 else []


def _combined_row(rows: Sequence[EffectRow]) -> EffectRow:
    n, mean, sd = combine_arms([r.n_treat for r in rows], [r.mean_treat for r in rows], [r.sd_treat for r in rows])
    return replace(rows[0], n_treat=n, mean_treat=mean, sd_treat=sd, effect_type="", estimate=None,
                   comparison=f"{len(rows)} intervention arms combined vs shared control")


def baseline_imbalance(row: EffectRow) -> float | None:
    """How far apart the arms' baseline means are, in pooled SDs of the row's arms; None when not printed."""
    if row.baseline_treat is None or None in (row.sd_treat, row.sd_control, row.n_treat, row.n_control):
        return None
    n1, n2 = row.n_treat, row.n_control
    pooled = math.sqrt(((n1 - 1) * row.sd_treat**2 + (n2 - 1) * row.sd_control**2) / (n1 + n2 - 2))
    return abs(row.baseline_treat - row.baseline_control) / pooled


# -- pooling -------------------------------------------------------------------------------------------
def prediction_interval(estimate: float, se: float, tau2: float, k: int, level: float = 0.95
                        ) -> tuple[float, float] | None:
    """Higgins, Thompson and Spiegelhalter (2009): estimate ± t(k-2) sqrt(tau² + SE²); None below 3 trials."""
    return meta.prediction_interval(estimate, se, tau2, k, level, int(_setting("min_trials_for_prediction_interval")))


def egger_test(estimates: Sequence[float], ses: Sequence[float]) -> float:
    """Egger's regression test: P value of the intercept of z on precision (Egger et al. BMJ 1997)."""
    from statsmodels.regression.linear_model import OLS

    y = np.asarray(estimates) / np.asarray(ses)
    x = np.column_stack([np.ones(len(y)), 1 / np.asarray(ses)])
    return float(OLS(y, x).fit().pvalues[0])


def _fit(effects: Sequence[StudyEffect], tau2_method: str, ci_method: str) -> meta.MetaResult:
    return meta.random_effects([e.estimate for e in effects], [e.se**2 for e in effects], tau2_method=tau2_method,
                               ci_method=ci_method, level=_setting("ci_level"),
                               pi_min_trials=int(_setting("min_trials_for_prediction_interval")),
                               reliable_tau2_trials=int(_setting("reliable_tau2_trials")))


def _conclusion(estimate: float, ci: tuple[float, float], mcid: float | None) -> tuple[int, bool]:
    """(side of no effect the CI lies on: -1, 0 or 1; whether the estimate reaches the MID in favour of the
    intervention)."""
    side = -1 if ci[1] < 0 else (1 if ci[0] > 0 else 0)
    return side, mcid is not None and estimate <= -mcid


# (label, short label, kind, effects, counts towards robustness)
Alternative = tuple[str, str, str, Sequence[StudyEffect], bool]


def pool_effects(effects: Sequence[StudyEffect], *, claim_id: str = "", family: str = "", window: str = "",
                 measure: str = "", mcid: float | None = None, mcid_note: str = "", mcid_source: str = "",
                 loo: bool = True, tau2_method: str | None = None, ci_method: str | None = None,
                 alternatives: Sequence[Alternative] = (), value_kinds: str = "") -> Pool:
    """Random-effects pool of two or more trial effects (rules/synthesis.csv: REML, modified Hartung-Knapp), with
    its sensitivity rows and whether its conclusion is robust to them."""
    settings = synthesis_settings()
    tau2_method = tau2_method or settings["tau2_estimator"]
    ci_method = ci_method or settings["ci_method"]
    main = _fit(effects, tau2_method, ci_method)
    k = len(effects)
    min_k = int(_setting("min_trials_for_small_study_test"))
    ses = [e.se for e in effects]
    egger = egger_test([e.estimate for e in effects], ses) if k >= min_k else None
    small = (f"Egger's test P = {egger:.2f}" if egger is not None
             else f"not tested: {k} trials, fewer than the {min_k} a small-study test needs")
    reference = _conclusion(main.estimate, main.ci, mcid)

    def row(label: str, short: str, kind: str, members: Sequence[StudyEffect], tau2_m: str, ci_m: str,
            counts: bool = True) -> SensitivityRow:
        fit = _fit(members, tau2_m, ci_m)
        return SensitivityRow(label, kind, fit.k, fit.estimate, fit.ci, fit.tau2, counts,
                              _conclusion(fit.estimate, fit.ci, mcid) != reference, short)

    rows = [SensitivityRow(f"main: {meta.TAU2_LABELS[tau2_method]} tau², {meta.CI_LABELS[ci_method]}", "main", k,
                           main.estimate, main.ci, main.tau2, False, False, f"{tau2_method}, {ci_method}")]
    if loo:
        for other in settings["sensitivity_tau2_estimators"].split():
            rows.append(row(f"{meta.TAU2_LABELS[other]} tau²", f"{other} tau²", "estimator", effects, other,
                            ci_method))
        for other in settings["sensitivity_ci_methods"].split():
            rows.append(row(f"{meta.CI_LABELS[other]} interval", f"{other} CI", "interval", effects, tau2_method,
                            other))
            for estimator in settings["sensitivity_tau2_estimators"].split():
                if estimator == "DL":  # DerSimonian-Laird with a Wald interval: RevMan's former default
                    rows.append(row(f"{meta.TAU2_LABELS[estimator]} tau², {meta.CI_LABELS[other]} interval",
                                    f"{estimator} tau², {other} CI", "interval", effects, estimator, other))
        if k >= 3:
            for left in effects:
                rows.append(row(f"without {left.label}", f"without {left.label}", "leave-one-out",
                                [e for e in effects if e is not left], tau2_method, ci_method))
        for label, short, kind, members, counts in alternatives:
            rows.append(row(label, short, kind, members, tau2_method, ci_method, counts))
    leave_one_out = tuple((left.study_id, r.estimate, *r.ci) for left, r in
                          zip(effects, (r for r in rows if r.kind == "leave-one-out")))
    return Pool(
        claim_id=claim_id, family=family, window=window, measure=measure, studies=tuple(effects),
        weights=main.weights, estimate=main.estimate, ci=main.ci, pi=main.pi, tau2=main.tau2, i2=main.i2, q=main.q,
        mcid=mcid, mcid_note=mcid_note, mcid_source=mcid_source, leave_one_out=leave_one_out,
        small_study_test=small, egger_p=egger, tau2_method=tau2_method, ci_method=ci_method, se=main.se,
        tau2_ci=main.tau2_ci, i2_ci=main.i2_ci, hk_scale=main.hk_scale, pi_unreliable=main.pi_unreliable,
        sensitivity=tuple(rows), robust=not any(r.counts and r.flips for r in rows), value_kinds=value_kinds,
    )


# -- per claim -------------------------------------------------------------------------------------------
def _label(study: Study) -> str:
    return f"{study.first_author} {study.year}"


def _participants(row: EffectRow, study: Study) -> int | None:
    if row.n_treat is not None and row.n_control is not None:
        if row.crossover == "paired":
            return int(max(row.n_treat, row.n_control))  # the same people in both periods
        return int(row.n_treat + row.n_control)
    return study.n


def _closest(rows: Sequence[EffectRow], window: str, windows: dict[str, dict[str, str]]) -> list[EffectRow]:
    """The study's rows ordered by fitness for the window: nearest the target hour, then file order."""
    target = windows[window]["target_hours"] if window in windows else ""
    if not target:
        return sorted(rows, key=lambda r: r.line)
    goal = float(target)
    return sorted(rows, key=lambda r: (r.hours_after is None, abs((r.hours_after or 0) - goal), r.line))


@dataclass
class _Candidates:
    """What one trial can contribute: its chosen MD and SMD, and the alternatives for the sensitivity rows."""

    md: tuple[StudyEffect, str] | None = None  # (effect, scale)
    smd: tuple[StudyEffect, str] | None = None  # (effect, kind class)
    md_other_kind: StudyEffect | None = None  # the same outcome and time with the other kind of values
    smd_other_kind: tuple[StudyEffect, str] | None = None
    smd_other_outcomes: list[StudyEffect] = field(default_factory=list)
    imbalanced_md: tuple[StudyEffect, str] | None = None  # the endpoint MD of a trial left out for imbalance


def _effect(study: Study, row: EffectRow, found: tuple, note: str, data: EffectData, measure: str = "MD"
            ) -> StudyEffect:
    bias = trial_bias(study.study_id, row.comparison, data, row.outcome_role)
    return StudyEffect(study.study_id, _label(study), found[0], found[1], _participants(row, study), row.outcome,
                       row.window, found[2] + note, (row.line,), bias, study.trial_key, row.value_kind,
                       row.outcome_role, measure)


def _same_measurement(a: EffectRow, b: EffectRow) -> bool:
    return a.outcome == b.outcome and a.hours_after == b.hours_after and a.window == b.window


def _trial_candidates(study: Study, rows: Sequence[EffectRow], window: str, data: EffectData,
                      excluded: list[tuple[str, str]]) -> _Candidates:
    label = _label(study)
    found = _Candidates()
    correlation = _setting("crossover_correlation")
    if study.design == "crossover-rct":
        said = [r for r in rows if r.crossover]
        if not said:
            excluded.append((label, "a crossover trial whose rows do not say whether they hold first-period data or "
                                    "a paired analysis (Cochrane Handbook 23.2); recorded in data/effects.csv "
                                    "'crossover'"))
            return found
        rows = said
    limit = _setting("baseline_imbalance_sd")
    gaps = [g for g in (baseline_imbalance(r) for r in rows) if g is not None]
    usable = list(rows)
    if gaps and max(gaps) > limit:
        usable = [r for r in rows if r.value_kind in ("change", "adjusted")]
        if not usable:
            worst = max(rows, key=lambda r: baseline_imbalance(r) or 0)
            excluded.append((label, f"the arms differed at baseline by {max(gaps):.2f} SD ({worst.baseline_treat:g} "
                                    f"vs {worst.baseline_control:g}), more than the {limit:g} SD of "
                                    "rules/synthesis.csv, and no change-from-baseline or baseline-adjusted estimate "
                                    "is printed (Cochrane Handbook 10.5.2)"))
            endpoint = next((r for r in _closest(rows, window, data.rules.time_windows)
                             if md_effect(r, correlation)), None)
            if endpoint is not None:
                found.imbalanced_md = (_effect(study, endpoint, md_effect(endpoint, correlation),
                                               " (endpoint values, baseline imbalance ignored)", data),
                                       endpoint.outcome)
            return found
    primary = [r for r in usable if r.outcome_role == "primary"]
    chosen = primary or usable
    unknown_role = not primary and not any(r.outcome_role for r in usable)
    arms = _shared_control_arms(chosen)
    ordered = ([_combined_row(arms)] if arms else []) + _closest([r for r in chosen if r not in arms], window,
                                                                    data.rules.time_windows)
    note = " (arms combined, Cochrane 23.3.4)" if arms else ""
    if unknown_role:
        note += "; outcome role not recorded, so the first listed at this time is used"
    for row in ordered:
        md = md_effect(row, correlation)
        if md is not None:
            found.md = (_effect(study, row, md, note, data), row.outcome)
            other = next((r for r in usable if r is not row and _same_measurement(r, row) and
                          KIND_CLASS[r.value_kind] != KIND_CLASS[row.value_kind] and md_effect(r, correlation)), None)
            if other is not None:
                found.md_other_kind = _effect(study, other, md_effect(other, correlation), note, data)
            break
    for row in ordered:
        smd = _smd(row, rows)
        if smd is not None:
            found.smd = (_effect(study, row, smd, note, data, "SMD"), KIND_CLASS[smd[3]])
            other = next((r for r in usable if r is not row and _same_measurement(r, row) and (s := _smd(r, rows))
                          and KIND_CLASS[s[3]] != KIND_CLASS[smd[3]]), None)
            if other is not None:
                alt = _smd(other, rows)
                found.smd_other_kind = (_effect(study, other, alt, note, data, "SMD"), KIND_CLASS[alt[3]])
            if unknown_role:
                for outcome in dict.fromkeys(r.outcome for r in ordered if r.outcome != row.outcome):
                    alt_row = next((r for r in ordered if r.outcome == outcome and _smd(r, rows)), None)
                    if alt_row is not None:
                        found.smd_other_outcomes.append(_effect(study, alt_row, _smd(alt_row, rows), "", data,
                                                                "SMD"))
            break
    return found


def synthesize_claim(claim: Claim, studies: Mapping[str, Study], data: EffectData,
                     included: set[str] | None = None) -> ClaimSynthesis:
    """The claim's effect question answered from the rows of ``included`` studies (default: all)."""
    family, window = claim.effect_family, claim.effect_window
    rows, published, _ = data.for_claim(claim.claim_id)
    keep = (lambda sid: True) if included is None else (lambda sid: sid in included)
    published = tuple(p for p in published if keep(p.study_id))
    if not family:
        return ClaimSynthesis(claim.claim_id, "", "", None, None, published, "none", None,
                              "the claim asks no effect question (claims.csv names no outcome family)")
    excluded: list[tuple[str, str]] = []
    by_study: dict[str, list[EffectRow]] = {}
    for row in rows:
        study = studies[row.study_id]
        if not keep(row.study_id):
            continue
        if family != "any" and row.family != family:
            continue
        if window != "any" and row.window != window:
            continue
        if study.design in SYNTHESES:
            excluded.append((_label(study), "a synthesis: its pooled estimate is shown among the published pools"))
            continue
        if study.design not in RANDOMIZED:
            excluded.append((_label(study), f"not a randomized trial ({study.design})"))
            continue
        if not row.checked:
            excluded.append((_label(study), f"numbers not yet confirmed by a second pass "
                                            f"(data/effects.csv line {row.line})"))
            continue
        by_study.setdefault(row.study_id, []).append(row)
    # a pooled analysis whose member trials are present gives way to them
    for synthesis_id, members in data.members.items():
        if synthesis_id not in by_study:
            continue
        own = studies[synthesis_id].trial_key
        present = {studies[s].trial_key for s in by_study} - {own}
        if {studies[m].trial_key for m in members if m in studies} & present:
            del by_study[synthesis_id]
            excluded.append((_label(studies[synthesis_id]), "pools trials that are included individually"))
    # a trial is one unit: of several reports, the one that records the primary outcome (else the most rows)
    by_trial: dict[str, list[str]] = {}
    for study_id in by_study:
        by_trial.setdefault(studies[study_id].trial_key, []).append(study_id)
    chosen_reports = []
    for key, reports in by_trial.items():
        best = min(reports, key=lambda s: (not any(r.outcome_role == "primary" for r in by_study[s]),
                                           -len(by_study[s]), min(r.line for r in by_study[s])))
        chosen_reports.append(best)
        for other in reports:
            if other != best:
                excluded.append((_label(studies[other]), f"another report of trial {key}; the trial counts once, "
                                                         f"from {_label(studies[best])}"))

    candidates = {sid: _trial_candidates(studies[sid], by_study[sid], window, data, excluded) for sid in chosen_reports}
    for study_id, found in candidates.items():
        if found.md is None and found.smd is None and found.imbalanced_md is None and \
                not any(label == _label(studies[study_id]) for label, _ in excluded):
            excluded.append((_label(studies[study_id]), "no estimable effect in the numbers printed (e.g. only a P "
                                                        "value, a binary or median outcome, or no numbers)"))

    scales: dict[str, list[StudyEffect]] = {}
    for found in candidates.values():
        if found.md is not None:
            scales.setdefault(found.md[1], []).append(found.md[0])
    kinds: dict[str, list[StudyEffect]] = {}
    for found in candidates.values():
        if found.smd is not None:
            kinds.setdefault(found.smd[1], []).append(found.smd[0])
    min_k = int(_setting("min_trials_for_pool"))
    best_scale = max(scales, key=lambda s: (len(scales[s]), s), default=None)
    best_kind = max(kinds, key=lambda c: (len(kinds[c]), c == "final values", c), default=None)
    scale_rows = data.rules.outcome_scales
    pool = None
    if best_scale is not None and len(scales[best_scale]) >= min_k:
        members = sorted(scales[best_scale], key=lambda e: e.study_id)
        for found in candidates.values():
            if found.md is not None and found.md[1] != best_scale:
                excluded.append((found.md[0].label, f"reported on {found.md[1]}, not {best_scale}"))
        alternatives: list[Alternative] = []
        swapped = {f.md[0].study_id: f.md_other_kind for f in candidates.values()
                   if f.md is not None and f.md[1] == best_scale and f.md_other_kind is not None}
        if swapped:
            names = ", ".join(sorted(e.label for e in swapped.values()))
            alternatives.append((f"the other kind of values (change or endpoint) where both are printed: {names}",
                                 "other value kind", "value kind", [swapped.get(e.study_id, e) for e in members],
                                 True))
        for found in candidates.values():
            if found.imbalanced_md is not None and found.imbalanced_md[1] == best_scale:
                effect = found.imbalanced_md[0]
                alternatives.append((f"with {effect.label} by its endpoint difference despite the baseline imbalance "
                                     "(not a reasonable choice; shown only)", f"with {effect.label} (imbalanced)",
                                     "baseline",
                                     sorted([*members, effect], key=lambda e: e.study_id), False))
        mcid = scale_rows[best_scale]["mcid"]
        pool = pool_effects(members, claim_id=claim.claim_id, family=family, window=window,
                            measure=f"MD ({best_scale})", mcid=float(mcid) if mcid else None,
                            mcid_note=scale_rows[best_scale]["mcid_note"],
                            mcid_source=scale_rows[best_scale]["source_url"], alternatives=alternatives)
    elif best_kind is not None and len(kinds[best_kind]) >= min_k:
        members = sorted(kinds[best_kind], key=lambda e: e.study_id)
        for found in candidates.values():
            if found.smd is not None and found.smd[1] != best_kind:
                excluded.append((found.smd[0].label, f"an SMD of {found.smd[1]} is not pooled with SMDs of "
                                                     f"{best_kind} (Cochrane Handbook 10.5.2)"))
        alternatives = []
        for found in candidates.values():
            if found.smd is None or found.smd[1] != best_kind:
                continue
            for alt in found.smd_other_outcomes:
                alternatives.append((f"{alt.label} on {alt.outcome} instead of {found.smd[0].outcome}",
                                     f"{alt.label}: {alt.outcome}", "outcome",
                                     [alt if e.study_id == alt.study_id else e for e in members], True))
        smd = scale_rows["SMD"]
        pool = pool_effects(members, claim_id=claim.claim_id, family=family, window=window,
                            measure="SMD (Hedges' g or d)", mcid=float(smd["mcid"]), mcid_note=smd["mcid_note"],
                            mcid_source=smd["source_url"], alternatives=alternatives, value_kinds=best_kind)
    elif best_kind is not None and len(kinds) > 1 and sum(len(v) for v in kinds.values()) >= min_k:
        for found in candidates.values():
            if found.smd is not None and (found.md is None or len(scales) > 1):
                excluded.append((found.smd[0].label, f"its SMD is of {found.smd[1]}, and SMDs of change scores and "
                                                     "of final values are not pooled together (Cochrane Handbook "
                                                     "10.5.2)"))
    single = None
    if pool is None:
        only = [f.md[0] for f in candidates.values() if f.md] or [f.smd[0] for f in candidates.values() if f.smd]
        single = only[0] if len(only) == 1 else None
    basis_pool = _published_basis(published, family, window, studies, claim.claim_id, data)
    mostly_indirect = pool is not None and _indirect_weight(pool, claim.claim_id, data) >= 50
    # a pool of two trials gives no prediction interval and little information: a direct published pool of the same
    # question, which can hold more trials, is the better basis; so is one when ours is mostly of indirect trials
    enough = pool is not None and pool.k >= int(_setting("min_trials_for_prediction_interval"))
    if pool is not None and (enough and not mostly_indirect or basis_pool is None):
        basis, reason = "pool", f"{pool.k} trials pooled"
    elif basis_pool is not None:
        basis = "published"
        if pool is not None and mostly_indirect:
            mine = f"our pool of {pool.k} trials is mostly of trials indirect for the claim (data/indirectness.csv)"
        elif pool is not None:
            mine = f"our pool has only {pool.k} trials"
        else:
            mine = "fewer than two comparable trials with usable numbers"
        reason = (f"{mine}; the published pool of {_label(studies[basis_pool.study_id])}, direct for the claim, "
                  "is the basis")
    elif single is not None:
        basis, reason = "single", "one trial with usable numbers: no pool is possible"
    elif usable := [f for f in candidates.values() if f.md is not None or f.smd is not None]:
        names = ", ".join(sorted(f"{(f.md or f.smd)[0].label} ({(f.md or f.smd)[0].outcome})" for f in usable))
        basis, reason = "none", (f"{len(usable)} trials with usable numbers ({names}), but on different scales and "
                                 "without a standardized difference for each, so they cannot be pooled (Cochrane "
                                 "Handbook 10.5.2), and no published pool can be the basis")
    else:
        basis, reason = "none", ("no trial with usable numbers for this question, and no published pool that can "
                                 "be the basis")
    not_basis = tuple((f"{_label(studies[p.study_id])} ({p.measure} {harmonised(p)[0]:.2f}, 95% CI "
                       f"{harmonised(p)[1]:.2f} to {harmonised(p)[2]:.2f}; {p.timepoint})",
                       _why_not_basis(p, family, window, basis, claim.claim_id, data))
                      for p in published if p is not basis_pool and p.estimate is not None and p.ci_low is not None
                      and (family == "any" or p.family == family))
    return ClaimSynthesis(claim.claim_id, family, window, pool, single, published, basis, basis_pool, reason,
                          tuple(excluded), data.rules.time_windows.get(window, {}).get("label", window), not_basis)


def _why_not_basis(p: PublishedPool, family: str, window: str, basis: str, claim_id: str, data: EffectData) -> str:
    """Why a published pool of the claim's question is not what the verdict rests on, in words."""
    judged = data.indirectness.get((claim_id, p.study_id))
    if p.flag:
        return f"flagged: {p.flag}"
    if judged is not None and judged.indirect:
        return f"judged indirect for the claim ({', '.join(judged.indirect)}; data/indirectness.csv)"
    if p.role != "primary":
        return f"not the review's primary analysis ({p.role})"
    if p.window not in (window, "any"):
        return f"another time window ({p.timepoint})"
    if basis == "pool":
        return "our own pool of the trials is the basis"
    return "another published pool of the same question holds more participants or a closer window"


def _published_basis(pools: Sequence[PublishedPool], family: str, window: str, studies: Mapping[str, Study],
                     claim_id: str = "", data: EffectData | None = None) -> PublishedPool | None:
    """The published pool that can be the basis when we cannot pool the trials ourselves: a primary pool for the
    question (same window before 'any', then the most recent), not flagged (``flag`` in data/published_pools.csv says
    why a pool cannot be taken as printed: a mislabelled measure, or too few participants to hold the trials we know
    of, so that it may leave out the largest one), and not judged indirect for the claim."""
    def direct(p: PublishedPool) -> bool:
        judged = data.indirectness.get((claim_id, p.study_id)) if data is not None else None
        return judged is None or not judged.indirect

    fitting = [p for p in pools if p.role == "primary" and p.estimate is not None and p.ci_low is not None
               and (family == "any" or p.family == family) and p.window in (window, "any") and not p.flag
               and direct(p)]
    # the same window first, then the pool holding the most participants (the most information), then the newest
    return min(fitting, key=lambda p: (p.window != window, -(p.participants or 0), -studies[p.study_id].year, p.line),
               default=None)


def _indirect_weight(pool: Pool, claim_id: str, data: EffectData) -> float:
    """The percentage of ``pool``'s weight carried by trials judged indirect for the claim in any PICO element."""
    flags = []
    for effect in pool.studies:
        judged = data.indirectness.get((claim_id, effect.study_id))
        flags.append(bool(judged and judged.indirect))
    total = sum(pool.weights)
    return 100 * sum(w for w, f in zip(pool.weights, flags) if f) / total if total else 0.0


def published_upper_participants(pool: PublishedPool, data: EffectData) -> int | None:
    """The participants a published pool rests on, or (when not printed) the most its meta-analysis pooled."""
    if pool.participants is not None:
        return pool.participants
    counts = [p.participants for p in data.pools if p.study_id == pool.study_id and p.participants]
    return max(counts, default=None)


def harmonised(pool: PublishedPool) -> tuple[float, float, float]:
    """(estimate, low, high) of a published pool with negative = benefit."""
    sign = -1.0 if pool.convention == "improvement_positive" else 1.0
    low, high = sorted((pool.ci_low * sign, pool.ci_high * sign))
    return pool.estimate * sign, low, high
