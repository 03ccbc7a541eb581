"""How well the engine's verdicts agree with independent reviewers, and the reviewers with each other.

The verdicts are read as one ordered scale, from the claim best supported to the claim shown false (``VERDICTS``:
well-supported, supported-with-caveats, mixed, weak, unsupported, contradicted), and certainty as GRADE's four
levels. For each pair of raters: exact agreement, agreement within one step, and Cohen's kappa with linear weights
(scikit-learn), the statistic of agreement on an ordered scale beyond chance. The engine is compared on its
*suggested* verdict, before any curator's override.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..register.ratings import CONSENSUS, Rating
from ..vocab import CERTAINTY_LEVELS, VERDICTS

__all__ = ["ENGINE", "Agreement", "agreement", "agreement_table", "disagreements"]

ENGINE = "engine"


@dataclass(frozen=True)
class Agreement:
    first: str
    second: str
    axis: str  # "verdict" or "certainty"
    claims: int
    exact: int
    within_one: int
    kappa: float  # linearly weighted

    @property
    def exact_share(self) -> float:
        return self.exact / self.claims if self.claims else 0.0


def _kappa(first: Sequence[int], second: Sequence[int], levels: int) -> float:
    from sklearn.metrics import cohen_kappa_score  # loaded only when agreement is computed

    if list(first) == list(second):
        return 1.0
    return float(cohen_kappa_score(first, second, labels=list(range(levels)), weights="linear"))


def agreement(first: Mapping[str, str], second: Mapping[str, str], axis: str, names: tuple[str, str]) -> Agreement:
    """Agreement of two raters' judgements (claim id -> verdict or certainty) on the claims both judged."""
    scale = VERDICTS if axis == "verdict" else CERTAINTY_LEVELS
    claims = sorted(set(first) & set(second))
    a = [scale.index(first[c]) for c in claims]
    b = [scale.index(second[c]) for c in claims]
    exact = sum(x == y for x, y in zip(a, b))
    within = sum(abs(x - y) <= 1 for x, y in zip(a, b))
    return Agreement(names[0], names[1], axis, len(claims), exact, within, _kappa(a, b, len(scale)) if claims else 0.0)


def _by_rater(ratings: Sequence[Rating]) -> dict[str, dict[str, Rating]]:
    found: dict[str, dict[str, Rating]] = {}
    for r in ratings:
        found.setdefault(r.rater, {})[r.claim_id] = r
    return found


def agreement_table(ratings: Sequence[Rating], engine: Mapping[str, tuple[str, str]]) -> list[Agreement]:
    """Every pair of raters, each rater against the consensus, and the engine (claim id -> (suggested verdict,
    certainty)) against the consensus, on both axes."""
    raters = _by_rater(ratings)
    names = sorted(r for r in raters if r != CONSENSUS)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]] + [(r, CONSENSUS) for r in names]
    table = []
    for axis in ("verdict", "certainty"):
        pick = (lambda r: r.verdict) if axis == "verdict" else (lambda r: r.certainty)
        for a, b in pairs:
            table.append(agreement({c: pick(r) for c, r in raters[a].items()},
                                   {c: pick(r) for c, r in raters[b].items()}, axis, (a, b)))
        if CONSENSUS in raters:
            ours = {c: (v if axis == "verdict" else k) for c, (v, k) in engine.items()}
            table.append(agreement(ours, {c: pick(r) for c, r in raters[CONSENSUS].items()}, axis,
                                   (ENGINE, CONSENSUS)))
    return table


def disagreements(ratings: Sequence[Rating], engine: Mapping[str, tuple[str, str]]) -> dict[str, Rating]:
    """claim id -> the consensus rating, for each claim whose suggested verdict differs from it."""
    consensus = _by_rater(ratings).get(CONSENSUS, {})
    return {c: r for c, r in consensus.items() if c in engine and engine[c][0] != r.verdict}
