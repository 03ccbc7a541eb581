"""The rule tables (``rules/*.csv``), read by one reader.

Every rule the program applies (search filters, the publication-type → design mapping, the design
vocabulary, which designs answer which kind of claim, certainty, verdict and gap rules) is a row of
a CSV file in this folder, with the source it rests on. ``rule_rows`` reads a table and checks its
header; ``lookup`` finds a row by key. Any problem is a ``RuleError`` that names the table, the row
and the valid options.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import DataError, RuleError
from ..files import read_text_rows

__all__ = ["ARTICLE_TABLES", "RULE_TABLES", "RuleRow", "article_rule_rows", "check_option", "lookup", "rule_rows",
           "table_text"]

# Each table and its columns, in file order.
RULE_TABLES: dict[str, tuple[str, ...]] = {
    "search_filters": ("name", "label", "query", "source", "source_url"),
    "publication_types": ("order", "kind", "ui", "name", "design", "source_url"),
    "designs": ("design", "label", "group", "grade_start", "source_url"),
    "claim_types": ("claim_type", "strong_designs", "why", "source_url"),
    "certainty_rules": ("kind", "name", "condition", "explanation", "source_url"),
    "gap_rules": ("condition", "message", "source_url"),
    "outcome_scales": ("scale", "family", "direction", "mcid", "mcid_note", "source_url"),
    "time_windows": ("window", "label", "target_hours", "definition", "source_url"),
    "synthesis": ("name", "value", "why", "source_url"),
    "comparators": ("pattern", "kind", "unblinding", "why", "source_url"),
    "effect_certainty_rules": ("kind", "name", "condition", "explanation", "source_url"),
    "verdict_profile": ("order", "verdict", "condition", "explanation", "source_url"),
    "design_direction_rules": ("order", "direction", "condition", "explanation", "source_url"),
    "effect_direction_rules": ("order", "direction", "condition", "explanation", "source_url"),
    "exclusion_reasons": ("reason", "label", "why", "source_url"),
    "relevance": ("component", "weight", "why", "source_url"),
    "wording_limits": ("verdict", "forbidden", "why", "source_url"),
    "review_criteria": ("criterion", "question", "source_url"),
    "claimreview_scale": ("verdict", "rating_value", "alternate_name", "why", "source_url"),
    "claim_cues": ("cue", "pattern", "why", "source_url"),
    "claim_type_cues": ("order", "claim_type", "needs", "from_heading", "pattern", "why", "source_url"),
    "non_claims": ("kind", "pattern", "why", "source_url"),
    "query_words": ("kind", "words", "why", "source_url"),
    "query_blocks": ("claim_type", "use", "block", "why", "source_url"),
    "csv_injection": ("character", "name", "why", "source_url"),
    "verdict_glossary": ("verdict", "meaning", "writer_may_say", "source_url"),
    "certainty_words": ("certainty", "says", "means", "avoid", "source_url"),
    "stopping": ("name", "value", "why", "source_url"),
    "citation_types": ("pub_type", "csl", "csl_genre", "ris", "bibtex", "why", "source_url"),
}
# The tables an article's project supplies itself, in its own ``rules/`` folder: which outcome scales its
# trials use (with their family, direction of benefit and minimal important difference), which comparators
# they have and how well each masks the intervention, and which time windows its claims ask about. The package
# ships neutral defaults only; a project's rows come first and replace a default row with the same key.
ARTICLE_TABLES = ("comparators", "outcome_scales", "time_windows")
# Columns that may be left empty (every other cell of a rule table is required).
OPTIONAL = {("outcome_scales", "mcid"), ("outcome_scales", "direction"), ("time_windows", "target_hours"),
            ("citation_types", "csl_genre")}


@dataclass(frozen=True)
class RuleRow:
    """One row of a rule table: its values by column, and the line it stands on (for errors)."""

    table: str
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def error(self, message: str, options: tuple[str, ...] = ()) -> RuleError:
        return RuleError(message, table=self.table, row=self.line, options=options)


def _known(table: str) -> tuple[str, ...]:
    if table not in RULE_TABLES:
        raise RuleError("no such rule table.", table=table, options=tuple(RULE_TABLES))
    return RULE_TABLES[table]


def table_text(table: str) -> str:
    """The text of ``rules/<table>.csv`` as shipped with the package."""
    return resources.files(__name__).joinpath(f"{table}.csv").read_text(encoding="utf-8")


def _rows(table: str, text: str, where: str) -> tuple[RuleRow, ...]:
    columns = _known(table)
    try:
        rows = tuple(RuleRow(table, line, values) for line, values in read_text_rows(text, columns, name=where))
    except DataError as exc:
        raise RuleError(str(exc).split(": ", 1)[-1], table=table, row=exc.line) from None
    for row in rows:
        empty = [c for c in columns if not row[c] and (table, c) not in OPTIONAL]
        if empty:
            raise row.error(f"column {empty[0]!r} is empty; every rule needs every column.")
    return rows


@cache
def rule_rows(table: str) -> tuple[RuleRow, ...]:
    """The rows of ``rules/<table>.csv`` as shipped with the package, in file order."""
    _known(table)
    return _rows(table, table_text(table), f"{table}.csv")


def article_rule_rows(table: str, folder: Path | None) -> tuple[RuleRow, ...]:
    """An article table (``ARTICLE_TABLES``): the rows of ``folder/<table>.csv`` when the project has that file,
    followed by the package's default rows whose key (first column) the project does not redefine."""
    if table not in ARTICLE_TABLES:
        raise RuleError("not a table a project supplies.", table=table, options=ARTICLE_TABLES)
    defaults = rule_rows(table)
    path = folder / f"{table}.csv" if folder is not None else None
    if path is None or not path.is_file():
        return defaults
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot be read ({exc}).", table=table) from None
    own = _rows(table, text, f"rules/{table}.csv")
    key = RULE_TABLES[table][0]
    keys = {row[key] for row in own}
    return own + tuple(row for row in defaults if row[key] not in keys)


def lookup(table: str, column: str, value: str) -> RuleRow:
    """The row of ``table`` whose ``column`` is ``value``; RuleError listing the valid values otherwise."""
    rows = rule_rows(table)
    for row in rows:
        if row[column] == value:
            return row
    raise RuleError(f"no row has {column} {value!r}.", table=table, options=tuple(r[column] for r in rows))


def check_option(row: RuleRow, column: str, options: tuple[str, ...]) -> str:
    """``row[column]`` when it is one of ``options``; RuleError naming the row and the options otherwise."""
    value = row[column]
    if value not in options:
        raise row.error(f"{column} {value!r} is not a known option.", options)
    return value
