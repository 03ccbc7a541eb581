"""Load and validate claims.csv: one row per checkable claim of the article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, InputError
from ..export_fields import csv_value
from ..files import read_rows
from ..rules.article import ArticleRules, load_article_rules
from .filters import apply_filter, search_filters

__all__ = ["CLAIM_COLUMNS", "CLAIM_TYPES", "GROUP_PATTERN", "Claim", "check_query", "claims_in_group", "get_claim",
           "load_claims"]

CLAIM_COLUMNS = (
    "claim_id", "section", "quote", "statement", "group", "claim_type", "population",
    "intervention", "comparator", "outcome", "query", "filters", "subjects", "effect_family", "effect_window",
)
# Whom a claim is about: it decides which designs answer it directly (rules/claim_types.csv).
SUBJECTS = ("people", "animals", "both")
REQUIRED = ("claim_id", "section", "quote", "statement", "group", "claim_type", "query")
CLAIM_TYPES = (
    "efficacy", "speed", "durability", "mechanism", "safety", "epidemiology", "comorbidity", "combination-therapy",
    "regulatory", "indication", "prevalence",
)
# PubMed search field tags, long and short forms (PubMed Help, "Search field descriptions and tags").
FIELD_TAGS = frozenset(
    tag.lower()
    for tag in (
        "Affiliation", "ad", "All Fields", "all", "Author", "au", "Book", "book", "Conflict of Interest Statements",
        "cois", "Corporate Author", "cn", "Create Date", "crdt", "Completion Date", "dcom", "EC/RN Number", "rn",
        "Editor", "ed", "Entry Date", "edat", "Filter", "filter", "sb", "First Author Name", "1au", "Full Author Name",
        "fau", "Grants and Funding", "gr", "Investigator", "ir", "ISBN", "isbn", "Issue", "ip", "Journal", "ta",
        "Language", "la", "Last Author Name", "lastau", "Location ID", "lid", "MeSH Date", "mhda", "MeSH Major Topic",
        "majr", "MeSH Subheading", "sh", "MeSH Terms", "mh", "MeSH", "Modification Date", "lr", "NLM Unique ID", "jid",
        "Other Term", "ot", "Pagination", "pg", "Personal Name as Subject", "ps", "Pharmacological Action", "pa",
        "Place of Publication", "pl", "PMID", "pmid", "Publication Date", "dp", "Publication Type", "pt", "Publisher",
        "pubn", "Secondary Source ID", "si", "Subset", "Supplementary Concept", "nm", "Text Words", "tw", "Title", "ti",
        "Title/Abstract", "tiab", "Transliterated Title", "tt", "Volume", "vi", "doi", "mesh: noexp", "mh:noexp",
        "MeSH Terms:noexp", "majr:noexp",
    )
)
_CLAIM_ID = re.compile(r"^C\d{2,3}$")
# A group names a notebook file (NN-<group>.ipynb), so it is a slug: nothing that could leave the folder.
GROUP_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG = re.compile(r"\[([^\[\]]*)\]")


@dataclass(frozen=True)
class Claim:
    claim_id: str
    section: str
    quote: str
    statement: str
    group: str
    claim_type: str
    population: str
    intervention: str
    comparator: str
    outcome: str
    query: str
    filters: str
    subjects: str = "people"
    effect_family: str = ""
    effect_window: str = ""
    line: int = 0

    @property
    def search_query(self) -> str:
        """The query as sent to PubMed, with the named filter applied."""
        return apply_filter(self.query, self.filters or None)


def check_query(query: str) -> str | None:
    """Why ``query`` is not a well-formed PubMed query, or None when it is."""
    if not query.strip():
        return "the query is empty"
    depth = 0
    in_quote = False
    for position, char in enumerate(query, start=1):
        if char == '"':
            in_quote = not in_quote
        elif in_quote:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return f"a ')' at character {position} closes nothing (unbalanced parentheses)"
    if in_quote:
        return "a double quote is not closed"
    if depth:
        return f"{depth} '(' never closed (unbalanced parentheses)"
    for match in _TAG.finditer(query):
        tag = re.sub(r"\s+", " ", match.group(1).strip()).lower()
        if tag not in FIELD_TAGS and tag.replace(" ", "") not in FIELD_TAGS:
            return f"[{match.group(1)}] is not a PubMed field tag"
    if query.count("[") != query.count("]"):
        return "unbalanced square brackets around a field tag"
    return None


def load_claims(path: str | Path, rules: ArticleRules | None = None) -> list[Claim]:
    """Every claim in ``path``, validated against the article's ``rules`` (its outcome families and time windows;
    default: the package's neutral tables); DataError names file, line and column on the first problem. A cell
    written with a formula guard (``export_fields.csv_cell``: a ``'`` before ``= + - @``) is read as the text
    after it."""
    path = Path(path)
    rules = rules or load_article_rules(None)
    name = path.name
    filters = search_filters()
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for line, cells in read_rows(path, CLAIM_COLUMNS):
        # `evidence init` writes a cell that would start a formula with a leading quote: the text is what follows it
        values = {column: csv_value(cell) for column, cell in cells.items()}
        for column in REQUIRED:
            if not values[column]:
                raise DataError(f"{column} is empty.", file=name, line=line, column=column)
        claim_id = values["claim_id"]
        if not _CLAIM_ID.match(claim_id):
            raise DataError(f"claim_id {claim_id!r} is not of the form C01.", file=name, line=line, column="claim_id")
        if claim_id in seen:
            raise DataError(f"claim_id {claim_id} is used twice (first on line {seen[claim_id]}).", file=name,
                            line=line, column="claim_id", fix="give each claim its own id.")
        seen[claim_id] = line
        if not GROUP_PATTERN.match(values["group"]):
            raise DataError(f"group {values['group']!r} is not a slug (lower-case letters, digits and single hyphens).",
                            file=name, line=line, column="group",
                            fix="name a group of notebooks/groups.csv, e.g. efficacy.")
        if values["claim_type"] not in CLAIM_TYPES:
            raise DataError(f"claim_type {values['claim_type']!r} is not one of {', '.join(CLAIM_TYPES)}.",
                            file=name, line=line, column="claim_type")
        problem = check_query(values["query"])
        if problem:
            raise DataError(f"{problem}.", file=name, line=line, column="query",
                            fix="write the query as it would be pasted into PubMed.")
        if values["filters"] and values["filters"] not in filters:
            raise DataError(f"unknown filter {values['filters']!r}.", file=name, line=line, column="filters",
                            fix=f"use one of {', '.join(sorted(filters))}, or leave it empty.")
        if values["subjects"] not in SUBJECTS:
            raise DataError(f"subjects {values['subjects']!r} is not one of {', '.join(SUBJECTS)}.", file=name,
                            line=line, column="subjects", fix="say whom the claim is about.")
        problem = _effect_question(values, rules)
        if problem:
            raise DataError(problem, file=name, line=line, column="effect_family",
                            fix="name the outcome family and time window of the claim's effect question, "
                                "or leave both empty.")
        claims.append(Claim(**values, line=line))
    if not claims:
        raise DataError("no claims.", file=name, line=2, fix="add one row per claim.")
    return claims


def _effect_question(values: dict[str, str], rules: ArticleRules) -> str | None:
    family, window = values["effect_family"], values["effect_window"]
    if bool(family) != bool(window):
        return "effect_family and effect_window go together."
    if family and family not in rules.families:
        return (f"effect_family {family!r} is not one of {', '.join(sorted(rules.families))} "
                "(the families of rules/outcome_scales.csv).")
    if window and window not in rules.time_windows:
        return f"effect_window {window!r} is not one of {', '.join(rules.time_windows)} (rules/time_windows.csv)."
    return None


def get_claim(claims: list[Claim], claim_id: str) -> Claim:
    for claim in claims:
        if claim.claim_id == claim_id.strip().upper():
            return claim
    raise InputError(f"unknown claim id {claim_id!r}. Fix: use one of {', '.join(c.claim_id for c in claims)}.")


def claims_in_group(claims: list[Claim], group: str) -> list[Claim]:
    """The claims of ``group``; InputError naming the valid groups when there is none."""
    chosen = [c for c in claims if c.group == group.strip()]
    if not chosen:
        groups = sorted({c.group for c in claims})
        raise InputError(f"no claim is in group {group!r}. Fix: use one of {', '.join(groups)}.")
    return chosen
