"""Citations out, for a writer's reference manager: RIS (rispy), BibTeX (bibtexparser) and CSL-JSON, per claim or
for the whole article, with DOIs and PMIDs carried through; and the key studies behind each verdict.

Each format is written by the maintained library of its field where one exists (rispy, bibtexparser); CSL-JSON is
plain JSON in the Citation Style Language schema, which needs no library.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import rispy
from bibtexparser import model

from ..errors import DataError, InputError
from ..files import read_rows
from ..rules import rule_rows
from ..judge.verdict import Assessment
from ..register.studies import Study
from ..rules.article import designs

__all__ = ["FORMATS", "cite", "key_studies", "overclaims", "studies_for"]

FORMATS = ("ris", "bibtex", "csljson")
# RIS and CSL types by design: a guideline is a report, everything else a journal article
RIS_TYPE = {"guideline": "RPRT"}
CSL_TYPE = {"guideline": "report"}


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


def overclaims(wording: str, verdict: str) -> list[str]:
    """Words of ``wording`` that claim more than ``verdict`` allows (rules/wording_limits.csv)."""
    limits = {row["verdict"]: set(row["forbidden"].split()) for row in rule_rows("wording_limits")}
    words = re.findall(r"[a-z]+", wording.lower())
    return sorted({w for w in words if w in limits.get(verdict, set())})


def _key(study: Study) -> str:
    author = unicodedata.normalize("NFKD", study.first_author).encode("ascii", "ignore").decode()
    word = re.sub(r"[^A-Za-z]", "", author.split()[0] if author else "anon") or "anon"
    return f"{word}{study.year}_{re.sub(r'[^0-9A-Za-z]', '', study.pmid or study.doi)[-8:]}"


def _ris(studies: Sequence[Study]) -> str:
    entries = []
    for s in studies:
        entry = {"type_of_reference": RIS_TYPE.get(s.design, "JOUR"), "title": s.title, "authors": [s.first_author],
                 "year": str(s.year), "journal_name": s.journal, "urls": [s.link]}
        if s.doi:
            entry["doi"] = s.doi
        if s.pmid:
            entry["accession_number"] = s.pmid
            entry["notes"] = [f"PMID: {s.pmid}"]
        entries.append(entry)
    return rispy.dumps(entries)


def _bibtex(studies: Sequence[Study]) -> str:
    library = bibtexparser.Library()
    for s in studies:
        fields = [model.Field("title", s.title), model.Field("author", s.first_author),
                  model.Field("year", str(s.year)), model.Field("journal", s.journal), model.Field("url", s.link)]
        if s.doi:
            fields.append(model.Field("doi", s.doi))
        if s.pmid:
            fields.append(model.Field("pmid", s.pmid))
        kind = "techreport" if s.design == "guideline" else "article"
        library.add(model.Entry(kind, _key(s), fields))
    return bibtexparser.write_string(library)


def _csl(studies: Sequence[Study]) -> str:
    items = []
    for s in studies:
        item = {"id": _key(s), "type": CSL_TYPE.get(s.design, "article-journal"), "title": s.title,
                "author": [{"literal": s.first_author}], "issued": {"date-parts": [[s.year]]},
                "container-title": s.journal, "URL": s.link}
        if s.doi:
            item["DOI"] = s.doi
        if s.pmid:
            item["PMID"] = s.pmid
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def cite(studies: Sequence[Study], fmt: str) -> str:
    """``studies`` as RIS, BibTeX or CSL-JSON text."""
    writers = {"ris": _ris, "bibtex": _bibtex, "csljson": _csl}
    if fmt not in writers:
        raise InputError(f"unknown citation format {fmt!r}. Fix: use one of {', '.join(FORMATS)}.")
    return writers[fmt](studies)
