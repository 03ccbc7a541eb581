"""Citations out, for a writer's reference manager: RIS (rispy), BibTeX (bibtexparser) and CSL-JSON, per claim or
for the whole article, with authors, journal, volume, issue, pages, DOIs, PMIDs and PMCIDs carried through (from
data/studies.csv and data/citations.csv, joined in ``references``); and the key studies behind each verdict.

Each format is written by the maintained library of its field where one exists (rispy, bibtexparser); CSL-JSON is
plain JSON in the Citation Style Language schema, which needs no library. Every RIS and BibTeX value passes through
``evidence.export_fields`` first, so no title can end its field or its record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import bibtexparser
import rispy
from bibtexparser import model

from ..errors import InputError
from ..export_fields import bibtex_value, ris_value
from ..judge.verdict import Assessment
from ..register.citations import Author, Citation
from ..register.studies import Study
from ..rules.article import designs
from .references import Reference, csl_item, references, type_names

__all__ = ["FORMATS", "cite", "key_studies", "studies_for"]

FORMATS = ("ris", "bibtex", "csljson")
VERBATIM = ("doi", "url")  # BibTeX fields LaTeX prints as they are (biblatex's verbatim fields)


def key_studies(assessment: Assessment, count: int = 3) -> list[Study]:
    """The studies a writer should cite first: those the verdict rests on (the pooled trials or the published pool),
    then the strongest designs taking a side, larger first."""
    order = {design: rank for rank, design in enumerate(designs())}
    by_id = {s.study_id: s for _, s, _ in assessment.evidence}
    chosen: list[str] = []
    synthesis = assessment.synthesis
    if synthesis is not None and synthesis.basis == "published":
        chosen.append(synthesis.basis_pool.study_id)
    if synthesis is not None and synthesis.pool is not None and synthesis.basis == "pool":
        chosen += [e.study_id for e in sorted(synthesis.pool.studies, key=lambda e: -(e.participants or 0))]
    siding = sorted((s for r, s, d in assessment.evidence if r.stance != "context"),
                    key=lambda s: (order.get(s.design, len(order)), -(s.n or 0), -s.year, s.study_id))
    chosen += [s.study_id for s in siding]
    unique = list(dict.fromkeys(c for c in chosen if c in by_id))
    return [by_id[c] for c in unique[:count]]


def studies_for(assessments: Sequence[Assessment]) -> list[Study]:
    """Every study behind the given claims, once each, in a stable order."""
    found = {s.study_id: s for a in assessments for _, s, _ in a.evidence}
    return [found[k] for k in sorted(found)]


def _ris_author(author: Author) -> str:
    if author.is_group:  # RIS reads "A, B" as family and given names: a group keeps its words, not its commas
        return ris_value(author.family.replace(",", ""))
    return ris_value(", ".join(x for x in (author.family, author.given, author.suffix) if x))


def _ris(refs: Sequence[Reference]) -> str:
    entries = []
    for r in refs:
        entry = {"type_of_reference": type_names()[r.pub_type]["ris"], "title": ris_value(r.title),
                 "authors": [_ris_author(a) for a in r.authors], "year": str(r.year), "urls": [ris_value(r.url)]}
        optional = {"journal_name": r.journal, "volume": r.volume, "number": r.issue, "start_page": r.first_page,
                    "end_page": r.last_page, "publisher": r.publisher, "doi": r.doi, "accession_number": r.pmid}
        entry.update({k: ris_value(v) for k, v in optional.items() if v})
        notes = [f"PMID: {r.pmid}" if r.pmid else "", f"PMCID: {r.pmcid}" if r.pmcid else "",
                 f"Authors: the first {len(r.authors)} of {r.author_count or 'more'}" if r.more_authors else ""]
        if any(notes):
            entry["notes"] = [ris_value(n) for n in notes if n]
        entries.append(entry)
    return rispy.dumps(entries)


def _bibtex_author(author: Author) -> str:
    if author.is_group:  # braced, so BibTeX reads a group's name as one name, never split at "and"
        return "{" + bibtex_value(author.family) + "}"
    parts = [bibtex_value(author.family)] + ([bibtex_value(author.suffix)] if author.suffix else [])
    return ", ".join(parts + [bibtex_value(author.given)])


def _bibtex(refs: Sequence[Reference]) -> str:
    library = bibtexparser.Library()
    for r in refs:
        kind = type_names()[r.pub_type]["bibtex"]
        authors = " and ".join([_bibtex_author(a) for a in r.authors] + (["others"] if r.more_authors else []))
        container = "booktitle" if kind == "incollection" else "journal"
        issuer = "institution" if kind == "techreport" else "howpublished" if kind == "misc" else "publisher"
        values = {"title": r.title, "author": authors, "year": str(r.year), container: r.journal,
                  "volume": r.volume, "number": r.issue, "pages": r.pages.replace("-", "--"), issuer: r.publisher,
                  "doi": r.doi, "pmid": r.pmid, "pmcid": r.pmcid, "url": r.url}
        fields = [model.Field(name, value if name == "author" else bibtex_value(value, verbatim=name in VERBATIM))
                  for name, value in values.items() if value]
        library.add(model.Entry(kind, r.key, fields))
    return bibtexparser.write_string(library)


def _csl(refs: Sequence[Reference]) -> str:
    return json.dumps([csl_item(r) for r in refs], indent=2, ensure_ascii=False) + "\n"


def cite(studies: Sequence[Study], fmt: str, citations: Mapping[str, Citation] | None = None) -> str:
    """``studies`` as RIS, BibTeX or CSL-JSON text, with the details ``citations`` (data/citations.csv) holds for
    them; a study without a row is written with its first author only."""
    writers = {"ris": _ris, "bibtex": _bibtex, "csljson": _csl}
    if fmt not in writers:
        raise InputError(f"unknown citation format {fmt!r}. Fix: use one of {', '.join(FORMATS)}.")
    return writers[fmt](references(studies, citations))
