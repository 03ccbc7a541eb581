"""Published PubMed search filters, kept as data (rules/search_filters.csv) with their sources."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import InputError

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
    text = resources.files("evidence").joinpath("rules/search_filters.csv").read_text(encoding="utf-8")
    return {row["name"]: SearchFilter(**row) for row in csv.DictReader(io.StringIO(text))}


def get_filter(name: str) -> SearchFilter:
    filters = search_filters()
    if name not in filters:
        raise InputError(f"unknown search filter {name!r}. Fix: use one of {', '.join(sorted(filters))}.")
    return filters[name]


def apply_filter(query: str, name: str | None) -> str:
    """``query`` as it is sent to PubMed: combined with the named filter, if any."""
    if not name:
        return query
    return f"({query}) AND {get_filter(name).query}"
