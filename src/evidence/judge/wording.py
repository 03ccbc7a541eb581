"""Whether a sentence a writer may publish says more, or less, than its verdict and certainty allow.

Two rule tables, each phrase matched as whole words, case aside: ``rules/wording_limits.csv`` names what a verdict
forbids (a 'proven cure' beside a weak verdict; 'in animals' or 'not yet known' beside a well-supported one), and
``rules/certainty_words.csv`` what each GRADE certainty must not be dressed in (Santesso et al. 2020: 'probably'
is moderate certainty, 'may' low, 'very uncertain' very low). ``evidence check`` and ``evidence brief`` refuse to
publish a wording that breaks them, as the tests do.
"""

from __future__ import annotations

import re
from functools import cache

from ..rules import rule_rows

__all__ = ["wording_problems"]


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(p.strip().lower() for p in text.split(";") if p.strip())


@cache
def _limits() -> dict[str, tuple[str, ...]]:
    return {row["verdict"]: _phrases(row["forbidden"]) for row in rule_rows("wording_limits")}


@cache
def _avoid() -> dict[str, tuple[str, ...]]:
    return {row["certainty"]: _phrases(row["avoid"]) for row in rule_rows("certainty_words")}


def _found(phrases: tuple[str, ...], text: str) -> list[str]:
    lowered = " ".join(text.lower().split())
    return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", lowered)]


def wording_problems(wording: str, verdict: str, certainty: str | None = None) -> list[str]:
    """What in ``wording`` contradicts ``verdict`` (and ``certainty``, when given), each as a short reason; empty when
    nothing does."""
    problems = [f"'{p}' does not fit the verdict {verdict}" for p in _found(_limits().get(verdict, ()), wording)]
    if certainty:
        problems += [f"'{p}' does not fit {certainty} certainty" for p in _found(_avoid().get(certainty, ()), wording)]
    return problems
