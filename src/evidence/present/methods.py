"""The rule tables as DataFrames, for the methods notebook and the book."""

from __future__ import annotations

import pandas as pd

from ..register.project import Project
from ..rules import ARTICLE_TABLES, RULE_TABLES, article_rule_rows, rule_rows

__all__ = ["rule_table"]


def rule_table(name: str, project: Project | None = None) -> pd.DataFrame:
    """The rules of ``<name>.csv`` as they are applied: the package's table, or for an article table (outcome scales,
    comparators, time windows) the project's own rows followed by the package's defaults. RuleError lists the tables
    for an unknown name."""
    rows = article_rule_rows(name, project.root / "rules" if project else None) if name in ARTICLE_TABLES \
        else rule_rows(name)
    return pd.DataFrame([row.values for row in rows], columns=list(RULE_TABLES.get(name, ())))
