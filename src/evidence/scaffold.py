"""``evidence init ARTICLE.txt DIR``: a new project folder for a second article.

The article is split into sentences (a short line without closing punctuation is a section heading). Each
sentence is matched against the cues of ``rules/claim_cues.csv`` (numbers, causal verbs, appeals to studies,
treatment and outcome words, and cues that suggest a kind of claim); a sentence with at least
``CANDIDATE_MIN_CUES`` different cues becomes a draft claim. The folder gets:

    article.txt          the article as given
    sentences.csv        every sentence with the cues it matched and the draft claim it became (if any)
    claims.csv           the draft claims: the article's words, a suggested claim type, a first PubMed query
    evidence.toml        the project's title, a line on the article and the snapshot date (the day of init)
    rules/               the article's own rule tables (outcome scales, comparators, time windows), headers only:
                         the package's neutral defaults apply until the writer adds rows
    data/                the register's files with their headers and no rows
    notebooks/           00-overview, one generated group notebook, 99-methods, the nbval settings
    tests/               the project's tests (the register loads, the notebooks match claims.csv and run)
    tasks.py, README.md  the two commands (report, test), installing evidence from this checkout

Drafts are drafts: a statement in the writer's own words and a real PubMed query are the writer's job
(``docs/new-article.md`` walks through it). Nothing here is executed; ``python3 tasks.py report`` does that.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat

from .errors import ConfigurationError, InputError
from .files import atomic_write
from .present.notebook import render_methods_notebook, render_overview_notebook, write_group_notebooks
from .register.citations import CITATION_COLUMNS
from .register.claims import CLAIM_COLUMNS
from .register.effects import EFFECT_FILES
from .register.project import load_project
from .register.studies import EVIDENCE_COLUMNS, OVERRIDE_COLUMNS, STUDY_COLUMNS
from .register.texts import REVIEW_COLUMNS, WORDING_COLUMNS
from .rules import ARTICLE_TABLES, RULE_TABLES, rule_rows

__all__ = ["CANDIDATE_MIN_CUES", "Sentence", "draft_claims", "init_project", "sentence_cues", "split_sentences"]

# Two different cues: one alone (a number, a treatment word) marks too many sentences of a health article to
# screen; two (a treatment and an outcome, a causal verb and a number) is where checkable claims start.
CANDIDATE_MIN_CUES = 2
# A draft claim whose cues suggest no narrower kind is a treatment-effect claim, the commonest in health articles.
DEFAULT_CLAIM_TYPE = "efficacy"
DRAFT_GROUP = "claims"
HEADING_MAX_WORDS = 12
STOPWORDS = frozenset("""a about after all also an and any are as at be been being between both but by can could did
does each even for from has have having how however in into is it its itself may might more most much must new no
nor not of on one only or other our out over own same should so some such than that the their them then there these
they this those through to too under until up very was we were what when where which while who will with within
would you your offer offers offering providing provide provides well various such including called people everyone
almost many take takes taking show shows shown normal""".split())

SCREENING_COLUMNS = ("claim_id", "pmid", "decision", "reason", "screened_on")
GROUPS = f'group,title,intro\n{DRAFT_GROUP},Claims of the article,"The draft claims found by evidence init."\n'


@dataclass(frozen=True)
class Sentence:
    line: int
    section: str
    text: str


@cache
def _cues() -> tuple[tuple[str, re.Pattern, str], ...]:
    found = []
    for row in rule_rows("claim_cues"):
        try:
            found.append((row["cue"], re.compile(row["pattern"], re.IGNORECASE), row["suggests"]))
        except re.error as exc:
            raise row.error(f"pattern is not a valid regular expression ({exc}).") from None
    return tuple(found)


def split_sentences(text: str) -> list[Sentence]:
    """The article's sentences, each with its line and the heading above it."""
    sentences: list[Sentence] = []
    section = "Introduction"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = " ".join(raw.split())
        if not line:
            continue
        if not re.search(r"[.!?:;\"”']$", line) and len(line.split()) <= HEADING_MAX_WORDS:
            section = line
            continue
        for part in re.split(r"(?<=[.!?])[\"”']?\s+(?=[A-Z\"“(])", line):
            if len(part.split()) >= 4:
                sentences.append(Sentence(number, section, part.strip()))
    return sentences


def sentence_cues(sentence: str) -> tuple[str, ...]:
    """The cues of rules/claim_cues.csv that ``sentence`` matches, in table order."""
    return tuple(cue for cue, pattern, _ in _cues() if pattern.search(sentence))


def _claim_type(cues: Sequence[str]) -> str:
    suggests = {cue: kind for cue, _, kind in _cues() if kind}
    return next((suggests[c] for c in cues if c in suggests), DEFAULT_CLAIM_TYPE)


def _draft_query(sentence: str) -> str:
    """A first PubMed query: the sentence's three longest content words, each in title or abstract. A starting
    point the writer replaces; it only has to be valid so the project runs."""
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", sentence) if w.lower() not in STOPWORDS]
    chosen = sorted(dict.fromkeys(words), key=lambda w: (-len(w), words.index(w)))[:3]
    return " AND ".join(f"{word}[Title/Abstract]" for word in sorted(chosen, key=words.index)) or "review[pt]"


def draft_claims(sentences: Sequence[Sentence]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(claims.csv rows, sentences.csv rows) for the article's sentences."""
    claims: list[dict[str, str]] = []
    log: list[dict[str, str]] = []
    for sentence in sentences:
        cues = sentence_cues(sentence.text)
        claim_id = ""
        if len(cues) >= CANDIDATE_MIN_CUES:
            claim_id = f"C{len(claims) + 1:02d}"
            claims.append({column: "" for column in CLAIM_COLUMNS} | {
                "claim_id": claim_id, "section": sentence.section, "quote": sentence.text,
                "statement": f"(draft) {sentence.text}", "group": DRAFT_GROUP, "claim_type": _claim_type(cues),
                "query": _draft_query(sentence.text), "subjects": "people",
            })
        log.append({"line": str(sentence.line), "section": sentence.section, "sentence": sentence.text,
                    "cues": "; ".join(cues), "claim_id": claim_id})
    return claims, log


def _csv(columns: Sequence[str], rows: Sequence[dict[str, str]] = ()) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _source_checkout() -> Path:
    """The evidence checkout this package runs from (its tasks.py is the new project's)."""
    here = Path(__file__).resolve().parents[2]
    if not (here / "tasks.py").is_file() or not (here / "pyproject.toml").is_file():
        raise ConfigurationError(f"evidence init needs the evidence checkout (tasks.py and pyproject.toml) above "
                                 f"the package, and found none at {here}. Fix: install evidence from its checkout "
                                 "with `pip install -e .`.")
    return here


def _toml_text(value: str) -> str:
    """``value`` as a TOML basic string (one line: new lines become spaces)."""
    return '"' + " ".join(value.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_project(article: Path, target: Path, *, title: str | None = None, snapshot: dt.date | None = None
                 ) -> list[Path]:
    """Create the project folder ``target`` for ``article``; return the files written. ``target`` must be new or
    empty, so nothing of an existing project is overwritten. ``snapshot`` (default today) is the Entrez date the
    project's searches are frozen at."""
    if not article.is_file():
        raise InputError(f"no article at {article}. Fix: give the path of a plain-text file.")
    text = article.read_text(encoding="utf-8")
    sentences = split_sentences(text)
    if not sentences:
        raise InputError(f"{article.name} holds no sentence of four words or more. Fix: give the article's text.")
    if target.exists() and any(target.iterdir()):
        raise InputError(f"{target} exists and is not empty. Fix: name a new folder, so no project is overwritten.")
    checkout = _source_checkout()
    claims, log = draft_claims(sentences)
    if not claims:
        raise InputError(f"no sentence of {article.name} matched {CANDIDATE_MIN_CUES} cues of rules/claim_cues.csv. "
                         "Fix: write claims.csv by hand (docs/new-article.md shows its columns).")
    title = title or f"Checking {article.stem.replace('-', ' ').replace('_', ' ')}"
    tasks = (checkout / "tasks.py").read_text(encoding="utf-8")
    tasks = tasks.replace("PACKAGE = ROOT\n", f"PACKAGE = Path({str(checkout)!r})\n", 1)
    files: dict[str, bytes] = {
        "article.txt": text.encode("utf-8"),
        "sentences.csv": _csv(("line", "section", "sentence", "cues", "claim_id"), log),
        "claims.csv": _csv(CLAIM_COLUMNS, claims),
        "evidence.toml": (f"# The project's own description (see evidence.register.project).\n"
                          f"title = {_toml_text(title)}\narticle = {_toml_text(article.name)}\n"
                          f"# the Entrez date every search is frozen at (a rerun reproduces the snapshot)\n"
                          f'snapshot_date = "{(snapshot or dt.date.today()).isoformat()}"\n').encode("utf-8"),
        **{f"rules/{table}.csv": _csv(RULE_TABLES[table]) for table in ARTICLE_TABLES},
        "data/studies.csv": _csv(STUDY_COLUMNS),
        "data/evidence.csv": _csv(EVIDENCE_COLUMNS),
        "data/verdict_overrides.csv": _csv(OVERRIDE_COLUMNS),
        "data/screening.csv": _csv(SCREENING_COLUMNS),
        "data/wording.csv": _csv(WORDING_COLUMNS),
        "data/article_review.csv": _csv(REVIEW_COLUMNS),
        "data/citations.csv": _csv(CITATION_COLUMNS),
        **{f"data/{name}": _csv(columns) for name, columns in EFFECT_FILES.items()},
        "notebooks/groups.csv": GROUPS.encode("utf-8"),
        "notebooks/conftest.py": (checkout / "notebooks" / "conftest.py").read_bytes(),
        "notebooks/sanitize.cfg": (checkout / "notebooks" / "sanitize.cfg").read_bytes(),
        "notebooks/00-overview.ipynb": _notebook_bytes(render_overview_notebook(title, article.name)),
        "notebooks/99-methods.ipynb": _notebook_bytes(render_methods_notebook()),
        "tests/test_project.py": PROJECT_TESTS.encode("utf-8"),
        "pytest.ini": PYTEST_INI.encode("utf-8"),
        ".gitignore": b".venv/\n__pycache__/\n.ipynb_checkpoints/\nbuild/\nreports/\n",
        "tasks.py": tasks.encode("utf-8"),
        "README.md": README.format(title=title, article=article.name, claims=len(claims), sentences=len(sentences),
                                   checkout=checkout).encode("utf-8"),
    }
    written = []
    for name, data in files.items():
        atomic_write(target / name, data)
        written.append(target / name)
    written += write_group_notebooks(load_project(target))
    return written


def _notebook_bytes(notebook) -> bytes:
    return (nbformat.writes(notebook) + "\n").encode("utf-8")


PYTEST_INI = """[pytest]
testpaths = tests notebooks
# nbval runs every notebook offline and compares its outputs with the committed ones; its kernels use Unix
# sockets (evidence.present.nbval_ipc), so they never race other local servers for a TCP port
addopts = -p no:cacheprovider -p evidence.present.nbval_ipc --nbval --nbval-sanitize-with notebooks/sanitize.cfg --nbval-current-env
"""

PROJECT_TESTS = '''"""This project's own checks (written by `evidence init`): the register loads, every claim has a verdict, the
group notebooks are what claims.csv generates, and suggested wordings claim no more than their verdicts allow.
nbval (pytest.ini) runs every notebook and compares its outputs."""

from pathlib import Path

import nbformat

from evidence import assess_project, load_project
from evidence.present.exports import overclaims
from evidence.present.notebook import group_pages, render_group_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_the_project_loads_and_every_claim_has_a_verdict():
    project = load_project(ROOT)
    assessments = assess_project(project)
    assert [a.claim.claim_id for a in assessments] == [c.claim_id for c in project.claims]
    assert all(a.verdict and a.certainty for a in assessments)


def test_the_group_notebooks_are_what_claims_csv_generates():
    for page in group_pages(load_project(ROOT)):
        committed = nbformat.read(ROOT / "notebooks" / f"{page.stem}.ipynb", as_version=4)
        fresh = render_group_notebook(page)
        assert [c.source for c in committed.cells] == [c.source for c in fresh.cells], (
            f"notebooks/{page.stem}.ipynb is stale: run `python3 tasks.py report`")


def test_no_wording_claims_more_than_its_verdict():
    project = load_project(ROOT)
    for assessment in assess_project(project):
        said = project.wording.get(assessment.claim.claim_id)
        if said:
            assert overclaims(said, assessment.verdict) == [], assessment.claim.claim_id
'''

README = """# {title}

A project of **evidence** (started with `evidence init` from `{article}`): each checkable claim of the article is a
row of `claims.csv`, judged against the studies registered in `data/`.

`evidence init` read {sentences} sentences and drafted {claims} claims from those that matched at least two cues
(numbers, causal verbs, appeals to studies, treatment and outcome words; the cues are the package's
`rules/claim_cues.csv`). `sentences.csv` lists every sentence with its cues, so you can promote or drop drafts.

## Two commands

```bash
python3 tasks.py report   # check the project, regenerate and execute the notebooks offline, build the book in site/,
                          # print the writer's brief to reports/brief.pdf
python3 tasks.py test     # the project's tests and nbval on every notebook
```

Both install evidence from {checkout} into `.venv/`. With network and an NCBI e-mail address,
`EVIDENCE_MODE=cached python3 tasks.py report` runs every claim's PubMed search and stores the answers in `data/cache/`.

## From draft to verdict

1. In `claims.csv`, rewrite each `(draft)` statement as a testable statement in your own words, fix its
   `claim_type` and replace its first query with a real PubMed query; delete drafts that are not claims.
2. Gather studies: `evidence screen C01` (needs the snapshot or network), then include or exclude each candidate.
3. Add a suggested wording per claim in `data/wording.csv`, then `evidence check`, `evidence brief` and
   `evidence cite` give the verdicts, the brief and the citations.

The evidence checkout's `docs/new-article.md` walks through every step.
"""
