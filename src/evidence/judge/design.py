"""Study design and evidence level.

A PubMed record's design is read from its publication types (by NLM UI code) and MeSH
headings, by the first matching rule of ``rules/publication_types.csv`` (Animals without
Humans makes a study preclinical; Randomized Controlled Trial with Cross-Over Studies makes
a crossover trial). When no rule matches, or no record was fetched, the register's curated
design stands. Each design's group and GRADE starting certainty come from
``rules/designs.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..register.studies import Study
from ..rules import check_option, rule_rows
from ..rules.article import designs
from ..sources.records import Record

__all__ = ["PRECLINICAL", "RANDOMIZED", "SYNTHESES", "DesignCall", "DesignRule", "classify_record", "design_rules",
           "resolve_design"]

HUMANS = "D006801"
# Groups of the design vocabulary (rules/designs.csv) that the judging modules ask about.
RANDOMIZED = frozenset({"rct", "crossover-rct"})
PRECLINICAL = frozenset({"preclinical-animal", "preclinical-in-vitro"})
SYNTHESES = frozenset({"meta-analysis", "systematic-review"})
RULE_KINDS = ("publication_type", "mesh", "publication_type+mesh", "animals_only")


@dataclass(frozen=True)
class DesignRule:
    order: int
    kind: str
    ui: str
    name: str
    design: str
    source_url: str

    def matches(self, publication_types: set[str], mesh: set[str]) -> bool:
        if self.kind == "publication_type":
            return self.ui in publication_types
        if self.kind == "mesh":
            return self.ui in mesh
        if self.kind == "publication_type+mesh":
            publication_type, heading = self.ui.split("+")
            return publication_type in publication_types and heading in mesh
        return self.ui in mesh and HUMANS not in mesh  # animals_only


@dataclass(frozen=True)
class DesignCall:
    design: str
    source: str  # "pubmed" or "curated"
    reason: str


@cache
def design_rules() -> tuple[DesignRule, ...]:
    """rules/publication_types.csv, checked (kinds, designs, orders) and in order."""
    rules = []
    for row in rule_rows("publication_types"):
        check_option(row, "kind", RULE_KINDS)
        check_option(row, "design", tuple(designs()))
        if not row["order"].isdigit():
            raise row.error(f"order {row['order']!r} is not a whole number.")
        if row["kind"] == "publication_type+mesh" and row["ui"].count("+") != 1:
            raise row.error(f"ui {row['ui']!r} should be two NLM UIs joined by '+' for this kind.")
        rules.append(DesignRule(**{**row.values, "order": int(row["order"])}))
    return tuple(sorted(rules, key=lambda r: r.order))


def classify_record(record: Record) -> DesignCall | None:
    """The design PubMed's indexing implies for ``record``, or None when no rule applies."""
    publication_types = {ui for ui, _ in record.publication_types}
    mesh = {heading.ui for heading in record.mesh}
    for rule in design_rules():
        if rule.matches(publication_types, mesh):
            return DesignCall(rule.design, "pubmed", f"{rule.name} ({rule.ui})")
    return None


def resolve_design(study: Study, record: Record | None = None) -> DesignCall:
    """PubMed's indexing when it settles the design, else the curated design of the register."""
    if record is not None:
        call = classify_record(record)
        if call is not None:
            return call
    return DesignCall(study.design, "curated", "curated in data/studies.csv")

