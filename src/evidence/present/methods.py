"""The rule tables of rules/*.csv as DataFrames, for the methods notebook and the book."""

from __future__ import annotations

import pandas as pd

from ..rules import RULE_TABLES, rule_rows

__all__ = ["rule_table"]


def rule_table(name: str) -> pd.DataFrame:
    """The rules of ``rules/<name>.csv`` as they are applied (RuleError lists the tables for an unknown name)."""
    return pd.DataFrame([row.values for row in rule_rows(name)], columns=list(RULE_TABLES.get(name, ())))
