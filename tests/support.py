"""Helpers shared by the tests (imported by name; conftest.py holds the fixtures).

Fixture files and builders here are written by the team to imitate NCBI's formats; none is a real
PubMed record (see fixtures/README.md).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from eutils_double import FIXTURES, PUBMED_DOCTYPE, strip_comment, xml_document

from evidence.rules.article import load_article_rules
from evidence.settings import Settings
from evidence.sources.pubmed import PubMed, eutils_transport

ROOT = Path(__file__).resolve().parents[1]
# The committed project's own rule tables (outcome scales, comparators, time windows), for loaders tested alone.
RULES = load_article_rules(ROOT / "rules")
SENTINEL_KEY = "SENTINEL0api0key0do0not0leak"
# Every file a project is loaded from (evidence.register.project): each is required.
PROJECT_FILES = ("claims.csv", "evidence.toml", "notebooks/groups.csv",
                 *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "rules").glob("*.csv")),
                 *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "data").glob("*.csv")))


def article_set(*pmids: str) -> bytes:
    """An efetch answer holding the hand-written fixture records ``pmids``."""
    body = "\n".join(strip_comment((FIXTURES / f"{p}.xml").read_text(encoding="utf-8")) for p in pmids)
    return xml_document(PUBMED_DOCTYPE, f"<PubmedArticleSet>{body}</PubmedArticleSet>")


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object] | Sequence[object]]) -> str:
    """CSV text with ``columns`` as header; a row is a mapping (missing columns empty) or a sequence in column order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns] if isinstance(row, Mapping) else list(row))
    return out.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object] | Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text(columns, rows), encoding="utf-8")
    return path


def copy_project(target: Path) -> Path:
    """The project's own files (claims, evidence.toml, rules, data, groups) copied under ``target``."""
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.exists():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)
    return target


def bare_project(target: Path) -> Path:
    """The committed project's claims, evidence.toml, rules and groups under ``target``, with every data file
    present but holding its header only: a register to fill in a test."""
    from evidence.register.citations import CITATION_COLUMNS
    from evidence.register.effects import EFFECT_FILES
    from evidence.register.studies import EVIDENCE_COLUMNS, OVERRIDE_COLUMNS, STUDY_COLUMNS
    from evidence.register.ratings import RATING_COLUMNS
    from evidence.register.texts import REVIEW_COLUMNS, WORDING_COLUMNS

    for name in PROJECT_FILES:
        if not name.startswith("data/"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, target / name)
    headers = {"studies.csv": STUDY_COLUMNS, "evidence.csv": EVIDENCE_COLUMNS,
               "verdict_overrides.csv": OVERRIDE_COLUMNS,
               "wording.csv": WORDING_COLUMNS, "article_review.csv": REVIEW_COLUMNS, "citations.csv": CITATION_COLUMNS,
               "ratings.csv": RATING_COLUMNS, **EFFECT_FILES}
    for name, columns in headers.items():
        write_csv(target / "data" / name, columns, [])
    return target


def pubmed(settings: Settings, sleeps: list[float] | None = None) -> PubMed:
    """A client whose transport records its back-off sleeps in ``sleeps`` instead of sleeping."""
    sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return PubMed(settings, transport=eutils_transport(settings, sleep=sleep))
