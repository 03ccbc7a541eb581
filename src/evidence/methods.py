"""The rule tables of rules/*.csv as DataFrames, for the methods notebook and the report."""

from __future__ import annotations

import io
from importlib import resources

import pandas as pd

from .errors import InputError

__all__ = ["RULE_FILES", "rule_table"]

RULE_FILES = (
    "search_filters", "publication_types", "designs", "claim_types", "certainty_rules", "verdict_rules", "gap_rules",
)


def rule_table(name: str) -> pd.DataFrame:
    """The rules of ``rules/<name>.csv`` as they are applied."""
    if name not in RULE_FILES:
        raise InputError(f"unknown rule table {name!r}. Fix: use one of {', '.join(RULE_FILES)}.")
    text = resources.files("evidence").joinpath(f"rules/{name}.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
