"""The article's own rule tables, read once per project: outcome scales, comparators and time windows.

A project keeps them in its ``rules/`` folder (``evidence init`` writes a first version); the package ships neutral
defaults only (the standardized mean difference, a catch-all comparator, the 'any time' window), which follow the
project's rows. ``ArticleRules`` is what the loaders, the synthesis and the verdict read them through, so no module
holds a table of one article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import RuleRow, article_rule_rows, rule_rows

__all__ = ["DIRECTIONS", "ROB_LEVELS", "ArticleRules", "designs", "load_article_rules"]

# Which way an outcome improves.
DIRECTIONS = ("lower_better", "higher_better")
# RoB 2's judgement levels, which a comparator's risk of functional unblinding is stated in.
ROB_LEVELS = ("low", "some concerns", "high")


@dataclass(frozen=True)
class ArticleRules:
    """The article tables, by key: each row's values as read (blank cells are empty strings)."""

    outcome_scales: dict[str, dict[str, str]]
    time_windows: dict[str, dict[str, str]]
    comparators: tuple[tuple[re.Pattern, str, str], ...]  # (pattern, kind, functional-unblinding risk), in order

    @property
    def families(self) -> frozenset[str]:
        """The outcome families the scales belong to, and ``any``."""
        return frozenset({row["family"] for row in self.outcome_scales.values()} | {"any"})

    def comparator_kind(self, comparison: str) -> tuple[str, str]:
        """(kind, unblinding risk) of the comparator named after 'vs' in ``comparison``."""
        control = re.split(r"\bvs\.?\b", comparison, maxsplit=1)[-1]
        for pattern, kind, unblinding in self.comparators:
            if pattern.search(control):
                return kind, unblinding
        raise AssertionError("the package's comparators table ends with a catch-all row")


def _check_directions(rows: tuple[RuleRow, ...]) -> None:
    for row in rows:
        if row["direction"] not in (*DIRECTIONS, ""):
            raise row.error(f"direction {row['direction']!r} is not a direction.", DIRECTIONS)


def _check_numbers(rows: tuple[RuleRow, ...], column: str) -> None:
    for row in rows:
        if row[column]:
            try:
                float(row[column])
            except ValueError:
                raise row.error(f"{column} {row[column]!r} is not a number.") from None


def load_article_rules(folder: Path | None = None) -> ArticleRules:
    """The article tables of the project whose ``rules/`` folder is ``folder`` (None: the package defaults)."""
    scales = article_rule_rows("outcome_scales", folder)
    _check_directions(scales)
    _check_numbers(scales, "mcid")
    windows = article_rule_rows("time_windows", folder)
    _check_numbers(windows, "target_hours")
    comparators = []
    for row in article_rule_rows("comparators", folder):
        if row["unblinding"] not in ROB_LEVELS:
            raise row.error(f"unblinding {row['unblinding']!r} is not a risk-of-bias level.", ROB_LEVELS)
        try:
            comparators.append((re.compile(row["pattern"], re.I), row["kind"], row["unblinding"]))
        except re.error as exc:
            raise row.error(f"pattern {row['pattern']!r} is not a regular expression ({exc}).") from None
    return ArticleRules(
        outcome_scales={row["scale"]: row.values for row in scales},
        time_windows={row["window"]: row.values for row in windows},
        comparators=tuple(comparators),
    )


@cache
def designs() -> dict[str, dict[str, str]]:
    """The design vocabulary (rules/designs.csv, the package's): design -> label, group, GRADE starting certainty,
    source. Not an article table; it lives here so the register's loaders and the judge read one copy."""
    return {row["design"]: row.values for row in rule_rows("designs")}
