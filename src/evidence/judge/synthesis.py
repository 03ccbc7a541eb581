"""Effect sizes and random-effects pools, per claim × outcome family × time window.

From ``data/effects.csv`` (numbers as printed) each trial gets one effect on the pool's scale, by a
named method (below), with the sign harmonised so that a negative value means a benefit of the claim's
intervention (fewer symptoms, or more of a good outcome). Trials that share a scale are pooled as a mean difference (MD); otherwise as a standardized
mean difference (Hedges' g). Pools use ``statsmodels.stats.meta_analysis.combine_effects`` with the
Paule-Mandel estimate of tau² and the Hartung-Knapp-Sidik-Jonkman interval (``rules/synthesis.csv``
says why). The 95% prediction interval (Higgins, Thompson and Spiegelhalter 2009) and Egger's
regression test are computed here because statsmodels has neither; both are a few lines of the
published formulas.

No participant counts twice: syntheses (meta-analyses, systematic reviews) never enter a pool of
trials (their printed pools are in ``data/published_pools.csv``), and a pooled analysis whose member
trials are present (``data/members.csv``) is left out in favour of its members. A trial with several
arms against one shared control contributes one comparison, its arms combined (Cochrane Handbook
23.3.4). A crossover trial contributes its paired, within-person estimate with the SE from its printed CI or
P value (Cochrane Handbook 23.2.6); first-period data are not used. Only numbers that a second, independent
pass saw printed are used.

Derivations, each named where it is used (Cochrane Handbook, chapter 6):
    arm means, SDs and sizes  -> MD, SE = sqrt(sd1²/n1 + sd2²/n2)              (6.5.1.1)
                              -> Hedges' g with its small-sample correction   (6.5.1.2, statsmodels)
    MD or SMD with a CI       -> SE = (upper - lower) / (2 z), z for the CI's level   (6.5.2.3)
    MD with an exact P value  -> SE = |MD| / z(1 - P/2)                        (6.3.2)
    d or g printed with an MD and its SE for the same contrast -> SE(d) = |d| SE(MD) / |MD|
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from statistics import NormalDist

import numpy as np

from ..register.claims import Claim
from ..register.effects import EffectData, EffectRow, PublishedPool
from ..register.studies import Study
from ..rules import rule_rows

__all__ = [
    "ClaimSynthesis",
    "Pool",
    "StudyEffect",
    "TrialBias",
    "combine_arms",
    "pool_effects",
    "prediction_interval",
    "synthesis_settings",
    "synthesize_claim",
    "trial_bias",
]

SYNTHESES = frozenset({"meta-analysis", "systematic-review"})
RANDOMIZED = frozenset({"rct", "crossover-rct"})
ROB_ORDER = ("low", "some concerns", "high")


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
    """Risk of bias of one trial, by domain, from data/risk_of_bias.csv and the comparator (RoB 2 style)."""

    randomization: str
    blinding: str
    overall: str
    reasons: tuple[str, ...]


def trial_bias(study_id: str, comparison: str, data: EffectData) -> TrialBias:
    record = data.risk_of_bias.get(study_id)
    reasons = []
    if record is None:
        randomization = "some concerns"
        reasons.append("randomization and allocation concealment not assessed (not described in the sources read)")
    elif "not described" in (record.sequence_generation, record.allocation_concealment):
        randomization = "some concerns"
        reasons.append("sequence generation or allocation concealment not described")
    else:
        randomization = "low"
    kind, unblinding = data.rules.comparator_kind(comparison)
    reasons.append(f"{kind} comparator: functional unblinding {unblinding}")
    overall = max((randomization, unblinding), key=ROB_ORDER.index)
    return TrialBias(randomization, unblinding, overall, tuple(reasons))


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

    @property
    def ci(self) -> tuple[float, float]:
        z = _NORMAL.inv_cdf(0.975)
        return self.estimate - z * self.se, self.estimate + z * self.se


@dataclass(frozen=True)
class Pool:
    claim_id: str
    family: str
    window: str
    measure: str  # "MD (MADRS)" or "SMD (Hedges' g)"
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

    @property
    def k(self) -> int:
        return len(self.studies)

    @property
    def participants(self) -> int | None:
        counts = [s.participants for s in self.studies]
        return sum(counts) if all(c is not None for c in counts) else None


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


def md_effect(row: EffectRow) -> tuple[float, float, str] | None:
    """(MD, SE, derivation) on the row's scale, negative = benefit; None when the row cannot give one."""
    if _has_arms(row):
        md = (row.mean_treat - row.mean_control) * _arm_sign(row)
        se = math.sqrt(row.sd_treat**2 / row.n_treat + row.sd_control**2 / row.n_control)
        return md, se, f"MD and SE from arm {row.value_kind or 'endpoint'} means, SDs and sizes (Cochrane 6.5.1.1)"
    if row.effect_type != "MD" or row.estimate is None:
        return None
    md = row.estimate * _sign(row)
    if row.se is not None:
        return md, row.se, "MD and its SE as printed"
    if row.ci_low is not None:
        se = float((row.ci_high - row.ci_low) / (2 * _z(row.ci_level)))
        return md, se, f"SE from the printed {row.ci_level:g}% CI (Cochrane 6.5.2.3)"
    p = _exact_p(row.p_value)
    if p is not None:
        return md, float(abs(md) / _NORMAL.inv_cdf(1 - p / 2)), "SE from the MD and its exact P value (Cochrane 6.3.2)"
    return None


def smd_effect(row: EffectRow, siblings: Sequence[EffectRow] = ()) -> tuple[float, float, str] | None:
    """(g or d, SE, derivation), negative = benefit; ``siblings`` are the study's other rows (an MD with its SE)."""
    if _has_arms(row):
        from statsmodels.stats.meta_analysis import effectsize_smd

        g, var = effectsize_smd(row.mean_treat, row.sd_treat, row.n_treat, row.mean_control, row.sd_control,
                                row.n_control)
        return float(g) * _arm_sign(row), float(math.sqrt(float(var))), \
            "Hedges' g with small-sample correction from arm means, SDs and sizes (statsmodels effectsize_smd)"
    if row.effect_type not in ("SMD", "g", "d") or row.estimate is None:
        return None
    value = row.estimate * _sign(row)
    if row.ci_low is not None:
        return value, float((row.ci_high - row.ci_low) / (2 * _z(row.ci_level))), \
            f"{row.effect_type} as printed; SE from its {row.ci_level:g}% CI (Cochrane 6.5.2.3)"
    for other in siblings:
        md = md_effect(other) if other is not row and other.outcome == row.outcome else None
        if md is not None and md[0] != 0:
            return value, float(abs(value) * md[1] / abs(md[0])), \
                f"{row.effect_type} as printed; SE scaled from the SE of the same contrast's MD"
    return None


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
    keys = {(r.mean_control, r.sd_control, r.n_control, r.outcome, r.window) for r in armed}
    return armed if len(armed) >= 2 and len(keys) == 1 else []


def _combined_row(rows: Sequence[EffectRow]) -> EffectRow:
    n, mean, sd = combine_arms([r.n_treat for r in rows], [r.mean_treat for r in rows], [r.sd_treat for r in rows])
    return replace(rows[0], n_treat=n, mean_treat=mean, sd_treat=sd, effect_type="", estimate=None,
                   comparison=f"{len(rows)} intervention arms combined vs shared control")


# -- pooling -------------------------------------------------------------------------------------------
def prediction_interval(estimate: float, se: float, tau2: float, k: int, level: float = 0.95
                        ) -> tuple[float, float] | None:
    """Higgins, Thompson and Spiegelhalter (2009): estimate ± t(k-2) sqrt(tau² + SE²); None below 3 trials."""
    if k < int(_setting("min_trials_for_prediction_interval")):
        return None
    from scipy import stats

    t = stats.t.ppf(0.5 + level / 2, k - 2)
    half = float(t * math.sqrt(tau2 + se**2))
    return estimate - half, estimate + half


def egger_test(estimates: Sequence[float], ses: Sequence[float]) -> float:
    """Egger's regression test: P value of the intercept of z on precision (Egger et al. BMJ 1997)."""
    from statsmodels.regression.linear_model import OLS

    y = np.asarray(estimates) / np.asarray(ses)
    x = np.column_stack([np.ones(len(y)), 1 / np.asarray(ses)])
    return float(OLS(y, x).fit().pvalues[0])


def pool_effects(effects: Sequence[StudyEffect], *, claim_id: str = "", family: str = "", window: str = "",
                 measure: str = "", mcid: float | None = None, mcid_note: str = "", mcid_source: str = "",
                 loo: bool = True) -> Pool:
    """Random-effects pool (Paule-Mandel tau², Hartung-Knapp CI) of two or more study effects."""
    from statsmodels.stats.meta_analysis import combine_effects

    eff = np.array([e.estimate for e in effects], dtype=float)
    var = np.array([e.se**2 for e in effects], dtype=float)
    # tau² iterated to 1e-10 (statsmodels' default stops at 1e-5, short of metafor's printed digits)
    result = combine_effects(eff, var, method_re="iterated", use_t=True, atol=1e-10)
    level = _setting("ci_level")
    ci_low, ci_high = result.conf_int(alpha=1 - level, use_t=True)[3]  # random effects, Hartung-Knapp
    estimate = float(result.mean_effect_re)
    weights = 1 / (var + result.tau2)
    k = len(effects)
    min_k = int(_setting("min_trials_for_small_study_test"))
    egger = egger_test(eff, np.sqrt(var)) if k >= min_k else None
    small = (f"Egger's test P = {egger:.2f}" if egger is not None
             else f"not tested: {k} trials, fewer than the {min_k} a small-study test needs")
    leave_one_out = ()
    if loo and k >= 3:
        leave_one_out = tuple(
            (left.study_id, float(p.estimate), *map(float, p.ci))
            for left, p in ((e, pool_effects([o for o in effects if o is not e], loo=False)) for e in effects)
        )
    return Pool(
        claim_id=claim_id, family=family, window=window, measure=measure, studies=tuple(effects),
        weights=tuple(float(w) for w in 100 * weights / weights.sum()), estimate=estimate,
        ci=(float(ci_low), float(ci_high)),
        pi=prediction_interval(estimate, float(result.sd_eff_w_re), float(result.tau2), k, level),
        tau2=float(result.tau2), i2=max(0.0, float(result.i2)) * 100, q=float(result.q), mcid=mcid, mcid_note=mcid_note,
        mcid_source=mcid_source, leave_one_out=leave_one_out, small_study_test=small, egger_p=egger,
    )


# -- per claim -------------------------------------------------------------------------------------------
def _label(study: Study) -> str:
    return f"{study.first_author} {study.year}"


def _participants(row: EffectRow, study: Study) -> int | None:
    if row.n_treat is not None and row.n_control is not None:
        return int(row.n_treat + row.n_control)
    return study.n


def _closest(rows: Sequence[EffectRow], window: str, windows: dict[str, dict[str, str]]) -> list[EffectRow]:
    """The study's rows ordered by fitness for the window: nearest the target hour, then file order."""
    target = windows[window]["target_hours"] if window in windows else ""
    if not target:
        return list(rows)
    goal = float(target)
    return sorted(rows, key=lambda r: (r.hours_after is None, abs((r.hours_after or 0) - goal), r.line))


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
            excluded.append((_label(study), f"numbers not yet confirmed by a second pass (data/effects.csv line {row.line})"))
            continue
        by_study.setdefault(row.study_id, []).append(row)
    # a pooled analysis whose member trials are present gives way to them
    for synthesis_id, members in data.members.items():
        if synthesis_id in by_study and members & set(by_study):
            del by_study[synthesis_id]
            excluded.append((_label(studies[synthesis_id]), "pools trials that are included individually"))

    md_candidates: dict[str, tuple[StudyEffect, str]] = {}
    smd_candidates: dict[str, StudyEffect] = {}
    for study_id, study_rows in by_study.items():
        study = studies[study_id]
        arms = _shared_control_arms(study_rows)
        ordered = ([_combined_row(arms)] if arms else []) + _closest([r for r in study_rows if r not in arms], window,
                                                                    data.rules.time_windows)
        note = " (arms combined, Cochrane 23.3.4)" if arms else ""
        for row in ordered:
            md = md_effect(row)
            if md is not None:
                bias = trial_bias(study_id, row.comparison, data)
                effect = StudyEffect(study_id, _label(study), md[0], md[1], _participants(row, study), row.outcome,
                                     row.window, md[2] + note, (row.line,), bias)
                md_candidates[study_id] = (effect, row.outcome)
                break
        for row in ordered:
            smd = smd_effect(row, study_rows)
            if smd is not None:
                bias = trial_bias(study_id, row.comparison, data)
                smd_candidates[study_id] = StudyEffect(study_id, _label(study), smd[0], smd[1],
                                                       _participants(row, study), row.outcome, row.window,
                                                       smd[2] + note, (row.line,), bias)
                break
        if study_id not in md_candidates and study_id not in smd_candidates:
            excluded.append((_label(study), "no estimable effect in the numbers printed (e.g. only a P value, "
                                            "a binary or median outcome, or no numbers)"))

    scales: dict[str, list[StudyEffect]] = {}
    for effect, scale in md_candidates.values():
        scales.setdefault(scale, []).append(effect)
    min_k = int(_setting("min_trials_for_pool"))
    best_scale = max(scales, key=lambda s: (len(scales[s]), s), default=None)
    scale_rows = data.rules.outcome_scales
    pool = None
    if best_scale is not None and len(scales[best_scale]) >= min_k:
        members = sorted(scales[best_scale], key=lambda e: e.study_id)
        for effect, scale in md_candidates.values():
            if scale != best_scale:
                excluded.append((effect.label, f"reported on {scale}, not {best_scale}"))
        mcid = scale_rows[best_scale]["mcid"]
        pool = pool_effects(members, claim_id=claim.claim_id, family=family, window=window,
                            measure=f"MD ({best_scale})", mcid=float(mcid) if mcid else None,
                            mcid_note=scale_rows[best_scale]["mcid_note"],
                            mcid_source=scale_rows[best_scale]["source_url"])
    elif len(smd_candidates) >= min_k:
        smd = scale_rows["SMD"]
        pool = pool_effects(sorted(smd_candidates.values(), key=lambda e: e.study_id), claim_id=claim.claim_id,
                            family=family, window=window, measure="SMD (Hedges' g or d)", mcid=float(smd["mcid"]),
                            mcid_note=smd["mcid_note"], mcid_source=smd["source_url"])
    single = None
    if pool is None:
        only = [e for e, _ in md_candidates.values()] or list(smd_candidates.values())
        single = only[0] if len(only) == 1 else None
    basis_pool = _published_basis(published, family, window, studies)
    enough = pool is not None and pool.k >= int(_setting("min_trials_for_prediction_interval"))
    if pool is not None and (enough or basis_pool is None):
        basis, reason = "pool", f"{pool.k} trials pooled"
    elif basis_pool is not None:
        basis = "published"
        mine = f"our pool has only {pool.k} trials" if pool is not None else "fewer than two comparable trials with usable numbers"
        reason = f"{mine}; the published pool of {_label(studies[basis_pool.study_id])} is the basis"
    elif single is not None:
        basis, reason = "single", "one trial with usable numbers: no pool is possible"
    else:
        basis, reason = "none", "no trial with usable numbers for this question, and no published pool"
    return ClaimSynthesis(claim.claim_id, family, window, pool, single, published, basis, basis_pool, reason,
                          tuple(excluded), data.rules.time_windows.get(window, {}).get("label", window))


def _published_basis(pools: Sequence[PublishedPool], family: str, window: str,
                     studies: Mapping[str, Study]) -> PublishedPool | None:
    """The primary published pool for the question: same window before 'any', then the most recent."""
    fitting = [p for p in pools if p.role == "primary" and p.estimate is not None and p.ci_low is not None
               and (family == "any" or p.family == family) and p.window in (window, "any")]
    return min(fitting, key=lambda p: (p.window != window, -studies[p.study_id].year, p.line), default=None)


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
