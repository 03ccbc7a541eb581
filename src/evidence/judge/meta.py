"""Random-effects meta-analysis as Cochrane's RevMan (2025) offers it: pure functions, values in, values out.

    tau² estimators   REML and Paule-Mandel (written here), DerSimonian-Laird (statsmodels ``combine_effects``,
                      method_re "chi2")
    tau² interval     Q-profile (Viechtbauer 2007), and from it the intervals of I² and H²
    mean's interval   Wald (normal), Hartung-Knapp (t on k-1 df, scale q) and modified Hartung-Knapp (q floored
                      at 1: Knapp and Hartung 2003; Röver, Knapp and Friede 2015; metafor's test="adhoc")
    prediction        estimate ± t(k-2) sqrt(tau² + SE²) from three trials (Higgins, Thompson and Spiegelhalter
                      2009), flagged as unreliable when tau² is estimated at 0 from fewer than five trials

Cochrane's Statistical Methods Group chose REML, the Q-profile interval, the HKSJ interval and t-based prediction
intervals for RevMan (https://methods.cochrane.org/methods-cochrane/random-effects-meta-analysis-methods-intervention-reviews).
statsmodels (0.15) has Paule-Mandel, DerSimonian-Laird and the unmodified HKSJ interval for its own tau², but no
REML for meta-analysis, no tau² interval and no modified HKSJ, so those are written here, once, each a few lines
of the published formula; so is Paule-Mandel, whose statsmodels iteration reads an overshoot past the root as
tau² = 0 when asked for metafor's precision; ``tests/test_meta.py`` reproduces metafor's printed results for each.

I² is computed from tau² (Higgins and Thompson 2002: tau² / (tau² + s²), s² the typical within-trial variance), as
Cochrane's RevMan now does, so that it reflects the estimator used; under DerSimonian-Laird it equals (Q - df) / Q.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CI_METHODS",
    "TAU2_METHODS",
    "MetaResult",
    "hartung_knapp_scale",
    "i2_from_tau2",
    "prediction_interval",
    "q_profile_ci",
    "random_effects",
    "restricted_loglik",
    "tau2_estimate",
    "tau2_paule_mandel",
    "tau2_reml",
    "typical_variance",
]

TAU2_METHODS = ("REML", "PM", "DL")
CI_METHODS = ("mHK", "HK", "Wald")
# Labels shown to readers.
TAU2_LABELS = {"REML": "REML", "PM": "Paule-Mandel", "DL": "DerSimonian-Laird"}
CI_LABELS = {"mHK": "modified Hartung-Knapp (q ≥ 1)", "HK": "Hartung-Knapp", "Wald": "Wald (normal)"}
# Defaults; the project's values come from rules/synthesis.csv through the callers.
PI_MIN_TRIALS = 3
# Below this many trials a tau² estimated at exactly 0 says little: the prediction interval is then flagged.
RELIABLE_TAU2_TRIALS = 5


@dataclass(frozen=True)
class MetaResult:
    k: int
    estimate: float
    se: float                      # the standard error the interval uses (Wald, HK or modified HK)
    se_wald: float                 # sqrt(1 / sum of random-effects weights)
    ci: tuple[float, float]
    ci_method: str                 # "mHK", "HK" or "Wald"
    tau2: float
    tau2_method: str               # "REML", "PM" or "DL"
    tau2_ci: tuple[float, float] | None   # Q-profile; None for a single trial
    i2: float                      # percent, from tau²
    i2_ci: tuple[float, float] | None
    q: float                       # Cochran's Q (fixed-effect weights)
    hk_scale: float                # the Hartung-Knapp scale q: sum w*(y - mu)² / (k - 1)
    pi: tuple[float, float] | None
    pi_unreliable: bool
    weights: tuple[float, ...]     # random-effects weights, percent
    fixed_estimate: float
    fixed_se: float

    @property
    def df(self) -> int:
        return self.k - 1


def _arrays(effects: Sequence[float], variances: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.shape != v.shape or y.ndim != 1 or len(y) == 0:
        raise ValueError("effects and variances must be two sequences of the same, non-zero length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise ValueError("effects must be finite and variances finite and positive")
    return y, v


def _weighted_mean(y: np.ndarray, v: np.ndarray, tau2: float) -> tuple[float, np.ndarray]:
    w = 1.0 / (v + tau2)
    return float(np.sum(w * y) / np.sum(w)), w


def generalised_q(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Q(tau²) = sum (y - mu(tau²))² / (v + tau²), decreasing in tau²."""
    mu, w = _weighted_mean(y, v, tau2)
    return float(np.sum(w * (y - mu) ** 2))


def restricted_loglik(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """The restricted (REML) log-likelihood of tau², up to a constant."""
    mu, w = _weighted_mean(y, v, tau2)
    return float(-0.5 * (np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2)))


def _reml_score(y: np.ndarray, v: np.ndarray, tau2: float) -> tuple[float, float]:
    """(2 x the score of the restricted log-likelihood, the Fisher information's matching term) at tau²:
    sum w² (y - mu)² - tr P and tr P², with P = W - W 1 1' W / sum w."""
    mu, w = _weighted_mean(y, v, tau2)
    sw = w.sum()
    trace_p = sw - np.sum(w**2) / sw
    trace_pp = np.sum(w**2) - 2 * np.sum(w**3) / sw + np.sum(w**2) ** 2 / sw**2
    return float(np.sum(w**2 * (y - mu) ** 2) - trace_p), float(trace_pp)


def tau2_reml(effects: Sequence[float], variances: Sequence[float], *, tol: float = 1e-10, max_iter: int = 500
              ) -> float:
    """The restricted maximum-likelihood tau² by Fisher scoring (Viechtbauer 2005), truncated at 0.

    Written here because statsmodels' meta-analysis has no REML estimator. Each step adds the score over the
    information, halving a step that would go below 0. When the likelihood falls from tau² = 0 onwards (its score
    there is not positive) the estimate is 0 exactly, as the halved steps would only approach it; when the scoring
    does not settle (it can oscillate), the restricted likelihood is maximised directly (scipy, bounded).
    """
    y, v = _arrays(effects, variances)
    if len(y) < 2:
        return 0.0
    if _reml_score(y, v, 0.0)[0] <= 0:
        return 0.0
    tau2 = max(0.0, float(np.var(y, ddof=1) - np.mean(v)))  # a moment start, as metafor's default
    for _ in range(max_iter):
        score, information = _reml_score(y, v, tau2)
        step = score / information
        new = tau2 + step
        while new < 0 and tau2 > 0:  # step halving keeps the iterate in the parameter space
            step /= 2
            new = tau2 + step
        new = max(0.0, new)
        if abs(new - tau2) < tol:
            return new
        tau2 = new
    from scipy import optimize

    upper = 10.0 * float(np.var(y, ddof=1) + np.max(v))  # well past any maximum these data can have
    found = optimize.minimize_scalar(lambda t: -restricted_loglik(y, v, t), bounds=(0.0, upper), method="bounded",
                                     options={"xatol": tol})
    if not found.success:
        raise ValueError("the REML estimate of tau² did not converge by Fisher scoring or by bounded maximisation")
    return float(found.x)


def tau2_paule_mandel(effects: Sequence[float], variances: Sequence[float]) -> float:
    """The Paule-Mandel tau²: the root of Q(tau²) = k - 1, or 0 when Q(0) is already at most k - 1.

    Written here although statsmodels iterates it (``method_re="iterated"``): asked for metafor's precision, its
    update can overshoot to a tiny negative value, which it then reads as tau² = 0. Q falls steadily in tau², so a
    bracketing root finder (scipy's brentq) finds the root itself.
    """
    from scipy import optimize

    y, v = _arrays(effects, variances)
    k = len(y)
    if k < 2 or generalised_q(y, v, 0.0) <= k - 1:
        return 0.0
    upper = float(np.var(y, ddof=1) + np.max(v))
    while generalised_q(y, v, upper) > k - 1:
        upper *= 2
    return float(optimize.brentq(lambda t: generalised_q(y, v, t) - (k - 1), 0.0, upper, xtol=1e-14, rtol=1e-12))


def tau2_estimate(effects: Sequence[float], variances: Sequence[float], method: str = "REML") -> float:
    """tau² by ``method``: "REML", "PM" (Paule-Mandel) or "DL" (DerSimonian-Laird)."""
    y, v = _arrays(effects, variances)
    if method not in TAU2_METHODS:
        raise ValueError(f"tau² method {method!r} is not one of {', '.join(TAU2_METHODS)}")
    if len(y) < 2:
        return 0.0
    if method == "REML":
        return tau2_reml(y, v)
    if method == "PM":
        return tau2_paule_mandel(y, v)
    from statsmodels.stats.meta_analysis import combine_effects

    # Only tau² is taken from statsmodels. Its summaries divide by Q (0 for identical trials, and so tiny for trials
    # that differ by 1e-158 that 1/Q overflows), and it leaves the DerSimonian-Laird moment estimate untruncated
    # (metafor and RevMan truncate it at 0), so they can take square roots of negative numbers: numpy's warnings
    # about those unused values are silenced here.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        result = combine_effects(y, v, method_re="chi2")
    return max(0.0, float(result.tau2))


def typical_variance(variances: Sequence[float]) -> float:
    """s², the 'typical' within-trial variance of Higgins and Thompson (2002): (k-1) sum w / ((sum w)² - sum w²)."""
    w = 1.0 / np.asarray(variances, dtype=float)
    return float((len(w) - 1) * w.sum() / (w.sum() ** 2 - np.sum(w**2)))


def i2_from_tau2(tau2: float, variances: Sequence[float]) -> float:
    """I² in percent from tau² and the typical within-trial variance."""
    if len(variances) < 2:
        return 0.0
    s2 = typical_variance(variances)
    return 100.0 * tau2 / (tau2 + s2)


def q_profile_ci(effects: Sequence[float], variances: Sequence[float], level: float = 0.95
                 ) -> tuple[float, float] | None:
    """The Q-profile confidence interval of tau² (Viechtbauer 2007): the tau² values at which the generalised Q
    statistic equals the chi² (k-1) quantiles; a bound is 0 when Q(0) already lies below its quantile.

    Written here because statsmodels has no interval for tau².
    """
    from scipy import optimize, stats

    y, v = _arrays(effects, variances)
    k = len(y)
    if k < 2:
        return None
    alpha = 1 - level
    q0 = generalised_q(y, v, 0.0)

    def solve(target: float) -> float:
        if q0 <= target:
            return 0.0
        high = max(1.0, float(np.var(y, ddof=1)))
        while generalised_q(y, v, high) > target:
            high *= 2
        return float(optimize.brentq(lambda t: generalised_q(y, v, t) - target, 0.0, high, xtol=1e-12,
                                     rtol=1e-12, maxiter=500))

    return solve(float(stats.chi2.ppf(1 - alpha / 2, k - 1))), solve(float(stats.chi2.ppf(alpha / 2, k - 1)))


def hartung_knapp_scale(effects: Sequence[float], variances: Sequence[float], tau2: float) -> float:
    """q = sum w* (y - mu)² / (k - 1), the factor Hartung and Knapp multiply the Wald variance by."""
    y, v = _arrays(effects, variances)
    mu, w = _weighted_mean(y, v, tau2)
    return float(np.sum(w * (y - mu) ** 2) / (len(y) - 1)) if len(y) > 1 else 1.0


def prediction_interval(estimate: float, se: float, tau2: float, k: int, level: float = 0.95,
                        min_trials: int = PI_MIN_TRIALS) -> tuple[float, float] | None:
    """Higgins, Thompson and Spiegelhalter (2009): estimate ± t(k-2) sqrt(tau² + SE²); None below three trials."""
    if k < max(min_trials, 3):
        return None
    from scipy import stats

    half = float(stats.t.ppf(0.5 + level / 2, k - 2) * math.sqrt(tau2 + se**2))
    return estimate - half, estimate + half


def random_effects(effects: Sequence[float], variances: Sequence[float], *, tau2_method: str = "REML",
                   ci_method: str = "mHK", level: float = 0.95, pi_min_trials: int = PI_MIN_TRIALS,
                   reliable_tau2_trials: int = RELIABLE_TAU2_TRIALS) -> MetaResult:
    """Inverse-variance random-effects pool of ``effects`` with sampling ``variances``."""
    from scipy import stats

    y, v = _arrays(effects, variances)
    if ci_method not in CI_METHODS:
        raise ValueError(f"CI method {ci_method!r} is not one of {', '.join(CI_METHODS)}")
    k = len(y)
    tau2 = tau2_estimate(y, v, tau2_method)
    mu, w = _weighted_mean(y, v, tau2)
    se_wald = math.sqrt(1.0 / w.sum())
    fixed, w_fixed = _weighted_mean(y, v, 0.0)
    q = float(np.sum(w_fixed * (y - fixed) ** 2))
    scale = hartung_knapp_scale(y, v, tau2)
    if ci_method == "Wald" or k < 2:
        se, crit = se_wald, float(stats.norm.ppf(0.5 + level / 2))
    else:
        factor = scale if ci_method == "HK" else max(scale, 1.0)  # the modification: never below the Wald variance
        se, crit = se_wald * math.sqrt(factor), float(stats.t.ppf(0.5 + level / 2, k - 1))
    tau2_ci = q_profile_ci(y, v, level) if k >= 2 else None
    i2_ci = tuple(i2_from_tau2(t, v) for t in tau2_ci) if tau2_ci else None
    return MetaResult(
        k=k, estimate=mu, se=se, se_wald=se_wald, ci=(mu - crit * se, mu + crit * se), ci_method=ci_method,
        tau2=tau2, tau2_method=tau2_method, tau2_ci=tau2_ci, i2=i2_from_tau2(tau2, v), i2_ci=i2_ci, q=q,
        hk_scale=scale, pi=(pi := prediction_interval(mu, se_wald, tau2, k, level, pi_min_trials)),
        pi_unreliable=pi is not None and tau2 == 0.0 and k < reliable_tau2_trials,
        weights=tuple(float(x) for x in 100 * w / w.sum()), fixed_estimate=fixed,
        fixed_se=math.sqrt(1.0 / w_fixed.sum()),
    )
