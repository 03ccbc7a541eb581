"""Study design and evidence level.

A PubMed record's design is read from its publication types (by NLM UI code) and MeSH
headings, by the first matching rule of ``rules/publication_types.csv`` (Animals without
Humans makes a study preclinical; Randomized Controlled Trial with Cross-Over Studies makes
a crossover trial). When no rule matches, or no record was fetched, the register's curated
design stands. Each design's group and GRADE starting certainty come from
``rules/designs.csv``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .records import Record
from .register import Study, designs

__all__ = ["DesignCall", "DesignRule", "classify_record", "design_rules", "resolve_design"]

HUMANS = "D006801"


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
        if self.kind == "animals_only":
            return self.ui in mesh and HUMANS not in mesh
        raise ValueError(f"rules/publication_types.csv: unknown rule kind {self.kind!r} (order {self.order})")


@dataclass(frozen=True)
class DesignCall:
    design: str
    source: str  # "pubmed" or "curated"
    reason: str


@cache
def design_rules() -> tuple[DesignRule, ...]:
    text = resources.files("evidence").joinpath("rules/publication_types.csv").read_text(encoding="utf-8")
    rules = [DesignRule(**{**row, "order": int(row["order"])}) for row in csv.DictReader(io.StringIO(text))]
    unknown = [r.design for r in rules if r.design not in designs()]
    if unknown:
        raise ValueError(f"rules/publication_types.csv names designs outside rules/designs.csv: {unknown}")
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

