"""When to stop screening, and how many relevant records probably remain.

The rule is the statistical stopping test of Callaghan & Müller-Hansen (2020), "Statistical stopping criteria for
automated screening in systematic reviews", Systematic Reviews 9:273 (doi:10.1186/s13643-020-01521-4), computed
by its authors' library ``buscarpy``: the records screened last are taken as a random sample of those that were
unscreened before them (conservative when the ranking puts likelier records first), and the hypothesis that
recall is still below the target is tested against every such window; screening may stop when it is rejected.
Its parameters are rows of ``rules/stopping.csv``.

The estimate of what remains uses the same sampling view. The upper bound is the largest number of relevant records
among the unscreened that every window of records screened last leaves plausible at ``confidence``, each window
tested at (1 - confidence) / windows (Bonferroni), so that the bound holds at that confidence although the tightest
window is taken. The estimate is the same at ``estimate_confidence`` from one window fixed in advance, the last
``estimate_window_share`` of the records screened: the tightest of many windows would be the luckiest, and biased low.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..rules import rule_rows

__all__ = ["STOPPING_SOURCE", "StoppingAdvice", "remaining_relevant", "stopping_advice", "stopping_p_value",
           "stopping_rules"]

STOPPING_SOURCE = ("Callaghan & Müller-Hansen 2020, Statistical stopping criteria for automated screening in "
                   "systematic reviews, Syst Rev 9:273, https://doi.org/10.1186/s13643-020-01521-4")


@cache
def stopping_rules() -> dict[str, float]:
    """rules/stopping.csv: name -> value."""
    return {row["name"]: float(row["value"]) for row in rule_rows("stopping")}


@dataclass(frozen=True)
class StoppingAdvice:
    screened: int
    total: int
    found: int
    p_value: float | None  # of the hypothesis that recall is below the target; None before anything is screened
    stop: bool
    remaining_estimate: int
    remaining_upper: int
    recall_target: float
    confidence: float

    def sentence(self) -> str:
        """The advice in words, with its source."""
        left = self.total - self.screened
        estimate = (f"relevant records probably left among the {left:,} unscreened: about {self.remaining_estimate:,} "
                    f"(at most {self.remaining_upper:,} at {self.confidence:.0%} confidence)")
        if self.screened == 0:
            return f"nothing screened yet: no estimate of what remains; keep screening ({STOPPING_SOURCE})."
        if left == 0:
            return f"every record is screened ({self.found} relevant)."
        target = f"recall below {self.recall_target:.0%}"
        verdict = (f"you may stop: {target} is rejected (p = {self.p_value:.3f})" if self.stop else
                   f"keep screening: {target} cannot be rejected (p = {self.p_value:.3f}, stop below "
                   f"{1 - self.confidence:.2f})")
        return f"{estimate}; {verdict}, by the stopping test of {STOPPING_SOURCE}."


def stopping_p_value(sequence: Sequence[bool], total: int, recall_target: float | None = None) -> float:
    """The p value of the hypothesis that recall is below ``recall_target`` (default: rules/stopping.csv) after
    screening ``sequence`` (relevant or not, in order) out of ``total`` records."""
    from buscarpy import calculate_h0

    recall_target = stopping_rules()["recall_target"] if recall_target is None else recall_target
    p = float(calculate_h0(np.asarray(sequence, dtype=np.int8), N=total, recall_target=recall_target))
    # a window whose urn cannot hold the relevant records the hypothesis needs makes scipy answer NaN; the
    # hypothesis is then impossible in that window, and other windows still decide
    if math.isnan(p):
        p = _p_value_without_impossible_windows(sequence, total, recall_target)
    return p


def _p_value_without_impossible_windows(sequence: Sequence[bool], total: int, recall_target: float) -> float:
    from scipy.stats import hypergeom

    labels = np.asarray(sequence, dtype=np.int64)
    seen = int(labels.sum())
    windows = np.cumsum(labels[::-1])
    sizes = np.arange(1, len(labels) + 1)
    needed = np.floor(seen / recall_target + 1 - (seen - windows))
    urns = total - (len(labels) - sizes)
    possible = needed <= urns
    if not possible.any():
        return 0.0
    return float(np.min(hypergeom.cdf(windows[possible], urns[possible], needed[possible], sizes[possible])))


def remaining_relevant(sequence: Sequence[bool], total: int, confidence: float, *, window_share: float | None = None
                       ) -> int:
    """The largest number of relevant records among the ``total - len(sequence)`` unscreened that the records
    screened last, taken as a random sample of what was then unscreened, leave plausible at ``confidence``.

    Without ``window_share``: every window of records screened last, each at (1 - confidence) / windows, the
    tightest taken (a bound that holds at ``confidence``). With it: the one window of the last ``window_share`` of
    the records screened."""
    from scipy.stats import hypergeom

    labels = np.asarray(sequence, dtype=np.int64)
    left = total - len(labels)
    if left <= 0:
        return 0
    if len(labels) == 0:
        return left
    windows = np.cumsum(labels[::-1])  # relevant among the last n screened
    sizes = np.arange(1, len(labels) + 1)
    alpha = 1 - confidence
    if window_share is None:
        alpha /= len(sizes)  # Bonferroni over the windows tested
    else:
        last = max(1, math.ceil(window_share * len(labels)))
        windows, sizes = windows[last - 1:last], sizes[last - 1:last]
    urns = left + sizes
    low, high = np.zeros(len(sizes), dtype=np.int64), np.full(len(sizes), left, dtype=np.int64)
    # the largest x with P(at most k relevant in the window | x + k relevant in its urn) >= alpha, by bisection
    # over all windows at once (that probability falls as x grows)
    while (low < high).any():
        middle = (low + high + 1) // 2
        plausible = hypergeom.cdf(windows, urns, middle + windows, sizes) >= alpha
        low = np.where(plausible, middle, low)
        high = np.where(plausible, high, middle - 1)
    return int(low.min())


def stopping_advice(sequence: Sequence[bool], total: int) -> StoppingAdvice:
    """The stopping test and the estimate of what remains, for ``sequence`` (relevant or not, in screening order)
    out of ``total`` records."""
    rules = stopping_rules()
    target, confidence = rules["recall_target"], rules["confidence"]
    screened = len(sequence)
    if screened > total:
        raise ValueError(f"{screened} records screened out of {total}.")
    p = stopping_p_value(sequence, total, target) if screened else None
    return StoppingAdvice(
        screened=screened, total=total, found=int(sum(bool(x) for x in sequence)), p_value=p,
        stop=screened == total or (p is not None and p < 1 - confidence),
        remaining_estimate=remaining_relevant(sequence, total, rules["estimate_confidence"],
                                              window_share=rules["estimate_window_share"]),
        remaining_upper=remaining_relevant(sequence, total, confidence),
        recall_target=target, confidence=confidence)
