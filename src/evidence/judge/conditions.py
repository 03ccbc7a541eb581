"""The one condition language of the rule tables, and the reader of follow-up times they compare.

A condition is one or more comparisons joined by ``and``: ``name op number`` with op one of ``== != >= <= > <``,
the names being the features the table declares. Written by hand: a handful of comparisons needs no expression
engine, and this keeps a rule table from running anything but a comparison.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping

from ..errors import RuleError
from ..rules import RuleRow

__all__ = ["check_condition", "evaluate", "follow_up_weeks"]

_OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_COMPARISON = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*(h|hr|hrs|hours?|days?|d|weeks?|wk|wks|months?|mo|years?|yr)\b",
    re.I,
)
_WEEKS_PER = {"h": 1 / 168, "d": 1 / 7, "w": 1, "m": 4.345, "y": 52.18}


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


def check_condition(row: RuleRow, features: tuple[str, ...]) -> None:
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
        raise RuleError(f"condition {condition!r}: {exc}.", table="verdict_profile", options=names) from None
    return all(_OPS[op](features[name], value) for name, op, value in terms)


def follow_up_weeks(text: str) -> float | None:
    """The longest duration written in ``text`` ("24 h", "2 weeks after the last infusion", "6 months"), in weeks."""
    longest = None
    for low, high, unit in _DURATION.findall(text or ""):
        weeks = float(high or low) * _WEEKS_PER[unit[0].lower()]
        longest = weeks if longest is None else max(longest, weeks)
    return longest
