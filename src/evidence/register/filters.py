"""Published PubMed search filters, kept as data (rules/search_filters.csv) with their sources."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..errors import InputError, RuleError
from ..rules import lookup, rule_rows

__all__ = ["SearchFilter", "apply_filter", "get_filter", "search_filters"]


@dataclass(frozen=True)
class SearchFilter:
    name: str
    label: str
    query: str
    source: str
    source_url: str


@cache
def search_filters() -> dict[str, SearchFilter]:
    return {row["name"]: SearchFilter(**row.values) for row in rule_rows("search_filters")}


def get_filter(name: str) -> SearchFilter:
    try:
        return SearchFilter(**lookup("search_filters", "name", name).values)
    except RuleError as exc:
        raise InputError(f"unknown search filter {name!r}. Fix: use one of {', '.join(exc.options)}.") from None


def apply_filter(query: str, name: str | None) -> str:
    """``query`` as it is sent to PubMed: combined with the named filter, if any."""
    if not name:
        return query
    return f"({query}) AND {get_filter(name).query}"
