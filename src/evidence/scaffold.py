"""``evidence init``: a new project folder for another article, and ``evidence init --map`` for its drafts' MeSH terms.

``init_project(article, folder)`` reads the article (UTF-8 plain text), drafts claims from it with the pure functions
of ``evidence.drafting`` and writes the project. Everything is built and checked in a temporary folder, beside a new
target (renamed into place at the end) or inside an empty one (its contents moved into it at the end, so the folder
keeps its mode and a shell inside it sees the project); a failure leaves nothing behind and a retry finds the folder
as it was. A new folder has the mode of any new folder (0o777 less the umask).
Limits are checked before anything is written: the article's size, the longest sentence and the number of drafts
(claim ids run from C01 to C999). The folder gets:

    article.txt          the article as given
    sentences.csv        every sentence: the line it starts on, its section, whether it was drafted or why not, its
                         claim cues and the draft it became
    drafts.csv           one row per draft: its claim type and the cue that decided it, its concept blocks, their MeSH
                         headings (or a note that they are not mapped yet and the command that maps them), the draft
                         query's PubMed count and a flag when it is 0 or above 10,000, and the query init (or --map)
                         last wrote to claims.csv, so that --map can tell a query the writer changed
    claims.csv           the drafts: the article's words, a suggested claim type, PICO slots from the sentence, and a
                         PubMed query of concept blocks
    evidence.toml        the project's title, a line on the article and the snapshot date (the day of init)
    rules/               the article's own rule tables (outcome scales, comparators, time windows), headers only
    data/                the register's files with their headers and no rows
    notebooks/           00-overview, one generated group notebook, 99-methods, the nbval settings
    tests/               the project's tests (the register loads, the notebooks match claims.csv and run)
    tasks.py, README.md  the two commands (report, test), installing evidence from this checkout

With network (``NCBI_EMAIL`` set and ``EVIDENCE_MODE`` not offline), init asks PubMed to map every concept to its MeSH
headings (esearch's ``TranslationSet``: PubMed's automatic term mapping) and counts every draft query; the answers
are cached in the project's ``data/cache/``. Offline, each draft says its MeSH terms are not mapped yet and which
command maps them: ``evidence init --map FOLDER``, which maps them later and rewrites the queries the writer has not
changed (only those cells: every other cell of claims.csv is written back as it was read).

Text from the article is untrusted: no file name is made from it, it is escaped in TOML and Markdown, and a CSV cell
that would begin with a formula character gets a leading quote (rules/csv_injection.csv, after OWASP); the loaders
of these files (claims.csv's, and --map's of drafts.csv) remove it again (``export_fields.csv_value``), so the text
that reaches the book is the article's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .drafting import Decision, Draft, draft_article, query_terms, read_article, render_query
from .errors import ConfigurationError, InputError
from .files import atomic_write, read_rows
from .present.notebook import render_methods_notebook, render_overview_notebook, write_group_notebooks
from .export_fields import csv_cell, csv_value
from .present.escape import md_text
from .register.citations import CITATION_COLUMNS
from .register.claims import CLAIM_COLUMNS, check_query
from .register.effects import EFFECT_FILES
from .register.project import load_project
from .register.studies import EVIDENCE_COLUMNS, OVERRIDE_COLUMNS, STUDY_COLUMNS
from .register.ratings import RATING_COLUMNS
from .register.texts import REVIEW_COLUMNS, WORDING_COLUMNS
from .rules import ARTICLE_TABLES, RULE_TABLES
from .settings import Settings
from .sources.pubmed import PubMed

__all__ = ["FLAG_ABOVE", "MAX_ARTICLE_BYTES", "MAX_DRAFTS", "MAX_SENTENCE_CHARS", "InitResult", "init_project",
           "map_project", "read_article_file", "toml_text"]

# Claim ids run from C01 to C999 (register.claims); more drafts than that cannot be numbered.
MAX_DRAFTS = 999
# A health article is some 5 to 50 KB, a book chapter a few hundred. Two megabytes is far above any article, and keeps
# a wrong file (a 20 MB export) from turning into hundreds of megabytes of drafts.
MAX_ARTICLE_BYTES = 2_000_000
# The longest sentence of a real article is a few hundred characters; a run of thousands without a full stop is a
# table, a list without punctuation or a file that is not prose (Python's csv module refuses a cell over 128 KB).
MAX_SENTENCE_CHARS = 3_000
# A draft query with more hits than this cannot be screened by hand (esearch returns at most 9,999 PMIDs a request),
# and one with none finds nothing to judge: both are flagged.
FLAG_ABOVE = 10_000
DRAFT_GROUP = "claims"
SCREENING_COLUMNS = ("claim_id", "pmid", "decision", "reason", "screened_on", "forced")  # as evidence.screening's
SENTENCE_COLUMNS = ("line", "section", "sentence", "outcome", "cues", "claim_id")
DRAFT_COLUMNS = ("claim_id", "line", "claim_type", "type_cue", "concepts", "mesh", "hits", "flag", "draft_query",
                 "written_query")
# drafts.csv of a project made before written_query was recorded lacks it
DRAFT_OPTIONAL = ("written_query",)
GROUPS = f'group,title,intro\n{DRAFT_GROUP},Claims of the article,"The draft claims found by evidence init."\n'
MAP_COMMAND = "evidence init --map ."
NOT_MAPPED = (f"not mapped yet (drafted offline): run `{MAP_COMMAND}` in this folder with network "
              "(NCBI_EMAIL set, EVIDENCE_MODE=cached)")


@dataclass(frozen=True)
class InitResult:
    """What init (or --map) did: the folder, the files written, and the drafts' state."""

    folder: Path
    files: tuple[Path, ...]
    sentences: int
    drafts: int
    mapped: bool
    flags: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # claim ids whose query the writer had changed, which --map leaves as they are


# -- untrusted text (CSV cells and Markdown go through export_fields and present.escape) ----------------------
def toml_text(value: str) -> str:
    """``value`` as a one-line TOML basic string: runs of white space become one space; quotes, backslashes and
    control characters are escaped."""
    out = []
    for char in " ".join(value.split()):
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _csv(columns: Sequence[str], rows: Sequence[Mapping[str, object]] = ()) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: csv_cell(row.get(column, "")) for column in columns})
    return out.getvalue().encode("utf-8")


# -- the article ---------------------------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read_article_file(path: Path) -> str:
    """The article's text; InputError (one line, with the fix) for a missing, oversized, binary or non-UTF-8 file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no article at {path}. Fix: give the path of a plain-text file.")
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise InputError(f"{path.name} is {size:,} bytes, more than the {MAX_ARTICLE_BYTES:,} evidence init reads. "
                         "Fix: give one article as plain text (not a book, an export or a binary file).")
    data = path.read_bytes()
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{path.name} is not a text file (a NUL byte at offset {nul}). "
                         "Fix: save the article as UTF-8 plain text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}). "
                         "Fix: save it as UTF-8 plain text.") from None
    controls = len(_CONTROL.findall(text))
    if controls > max(10, len(text) // 100):
        raise InputError(f"{path.name} is not plain text ({controls} control characters). "
                         "Fix: save the article as UTF-8 plain text.")
    return _CONTROL.sub(" ", text).replace("\f", "\n")


def _drafts(text: str, name: str) -> tuple[list[Decision], list[tuple[str, Decision]]]:
    """Every sentence's decision and the drafts numbered C01..., after the limits are checked."""
    article = read_article(text)
    if not article.sentences:
        raise InputError(f"{name} holds no sentence. Fix: give the article's text.")
    longest = max(article.sentences, key=lambda s: len(s.text))
    if len(longest.text) > MAX_SENTENCE_CHARS:
        raise InputError(f"{name}, line {longest.line}: a sentence of {len(longest.text):,} characters, more than the "
                         f"{MAX_SENTENCE_CHARS:,} evidence init accepts. Fix: give the article as prose with full "
                         "stops (a table or a list without punctuation reads as one sentence).")
    decisions = list(draft_article(article, text, limit=MAX_DRAFTS))
    drafted = [d for d in decisions if d.draft is not None]
    if not drafted:
        raise InputError(f"no sentence of {name} reads as a checkable claim. Fix: write claims.csv by hand "
                         "(docs/new-article.md shows its columns).")
    if len(drafted) > MAX_DRAFTS:
        raise InputError(f"{name} gives more draft claims than the {MAX_DRAFTS} a project holds (claim ids C01 to "
                         f"C999; the next one starts on line {drafted[-1].sentence.line}). Fix: split the article, or "
                         "check the file is one article.")
    width = 2 if len(drafted) < 100 else 3
    return decisions, [(f"C{number:0{width}d}", d) for number, d in enumerate(drafted, start=1)]


# -- PubMed's term mapping -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TermMapping:
    """What PubMed said of the drafts: each term's MeSH headings and each draft query's count."""

    mesh: dict[str, tuple[str, ...]]
    hits: dict[str, int]


def _client(environ: Mapping[str, str] | None, root: Path, snapshot: dt.date, *, required: bool = False
            ) -> PubMed | None:
    """A PubMed client whose cache is ``root``'s, when the settings allow the network; else None (or, when
    ``required``, a ConfigurationError saying what to set)."""
    settings = Settings.from_env(environ, root=root)
    if settings.mode == "offline" or not settings.email:
        if required:
            raise ConfigurationError(
                f"mapping the drafts' terms needs PubMed, and EVIDENCE_MODE is {settings.mode!r}"
                f"{'' if settings.email else ' and NCBI_EMAIL is not set'}. Fix: set NCBI_EMAIL=you@example.org and "
                "EVIDENCE_MODE=cached, then run it again.")
        return None
    return PubMed(settings, snapshot_date=snapshot)


def _map(client: PubMed, drafts: Sequence[tuple[str, Decision]]) -> TermMapping:
    """Ask PubMed for each concept term's MeSH headings, then count each draft's query with them."""
    mesh: dict[str, tuple[str, ...]] = {}
    for _, decision in drafts:
        for term in query_terms(decision.draft.blocks):
            if term not in mesh:
                mesh[term] = client.probe(term).mesh_headings
    hits = {claim_id: client.probe(render_query(decision.draft.blocks, mesh)).count for claim_id, decision in drafts}
    return TermMapping(mesh, hits)


def _flag(hits: int | None) -> str:
    if hits is None:
        return ""
    if hits == 0:
        return "0 hits: a block is too narrow or a term is misspelt; loosen it"
    if hits > FLAG_ABOVE:
        return f"{hits:,} hits, more than {FLAG_ABOVE:,}: add a concept block or a filter"
    return ""


def _mesh_note(draft: Draft, mapping: TermMapping | None) -> str:
    if mapping is None:
        return NOT_MAPPED
    parts = []
    for term in query_terms(draft.blocks):
        headings = mapping.mesh.get(term, ())
        parts.append(f"{term} -> {'; '.join(headings) if headings else '(no MeSH heading)'}")
    return " | ".join(parts) or "(no term to map)"


def _rows(decisions: Sequence[Decision], drafts: Sequence[tuple[str, Decision]], mapping: TermMapping | None
          ) -> tuple[list[dict], list[dict], list[dict]]:
    """(claims.csv, sentences.csv, drafts.csv) rows."""
    ids = {id(decision): claim_id for claim_id, decision in drafts}
    claims, sentences, notes = [], [], []
    for decision in decisions:
        sentence = decision.sentence
        sentences.append({"line": sentence.line, "section": sentence.section, "sentence": sentence.text,
                          "outcome": decision.outcome, "cues": "; ".join(decision.cues),
                          "claim_id": ids.get(id(decision), "")})
    for claim_id, decision in drafts:
        draft, sentence = decision.draft, decision.sentence
        query = render_query(draft.blocks, mapping.mesh if mapping else None)
        hits = mapping.hits.get(claim_id) if mapping else None
        claims.append({
            "claim_id": claim_id, "section": sentence.section, "quote": sentence.text,
            "statement": f"(draft) {sentence.text}", "group": DRAFT_GROUP, "claim_type": draft.claim_type,
            "population": draft.population, "intervention": draft.intervention, "comparator": draft.comparator,
            "outcome": draft.outcome, "query": query, "filters": "", "subjects": draft.subjects,
            "effect_family": "", "effect_window": "",
        })
        notes.append({"claim_id": claim_id, "line": sentence.line, "claim_type": draft.claim_type,
                      "type_cue": draft.type_cue, "concepts": " AND ".join(b.describe() for b in draft.blocks),
                      "mesh": _mesh_note(draft, mapping), "hits": "" if hits is None else hits, "flag": _flag(hits),
                      "draft_query": draft.query, "written_query": query})
    for row in claims:
        problem = check_query(row["query"])
        if problem:  # the drafting guarantees well-formed queries; this keeps a broken one from being written
            raise InputError(f"the draft query of {row['claim_id']} is not valid ({problem}): {row['query']}. "
                             "Fix: report this article to the evidence maintainers.")
    return claims, sentences, notes


# -- the project ---------------------------------------------------------------------------------------------------
def _source_checkout() -> Path:
    """The evidence checkout this package runs from (its tasks.py is the new project's)."""
    here = Path(__file__).resolve().parents[2]
    if not (here / "tasks.py").is_file() or not (here / "pyproject.toml").is_file():
        raise ConfigurationError(f"evidence init needs the evidence checkout (tasks.py and pyproject.toml) above "
                                 f"the package, and found none at {here}. Fix: install evidence from its checkout "
                                 "with `pip install -e .`.")
    return here


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file. Fix: name a new folder for the project.")
    if target.is_dir() and any(target.iterdir()):
        raise InputError(f"{target} exists and is not empty. Fix: name a new folder, so no project is overwritten.")


def _place(target: Path) -> Path:
    """The absolute folder ``target`` names ("." has no name and is its own parent; ".." holds the folder it is run
    from). A ".." after a folder that does not exist is refused: the file system cannot go up out of it, and reading
    it as text would put the project somewhere other than where the path leads."""
    for index, part in enumerate(target.parts):
        if part == ".." and not Path(*target.parts[:index] or ".").is_dir():
            raise InputError(f"{target} goes up ('..') out of {Path(*target.parts[:index])}, which does not exist. "
                             "Fix: name the project's folder without '..' after a new folder.")
    return target.resolve()


def _notebook_bytes(notebook) -> bytes:
    return (nbformat.writes(notebook) + "\n").encode("utf-8")


def _project_files(*, text: str, article_name: str, title: str, snapshot: dt.date, checkout: Path,
                   claims: list[dict], sentences: list[dict], notes: list[dict], mapped: bool) -> dict[str, bytes]:
    tasks = (checkout / "tasks.py").read_text(encoding="utf-8")
    tasks = tasks.replace("PACKAGE = ROOT\n", f"PACKAGE = Path({str(checkout)!r})\n", 1)
    flagged = sum(1 for row in notes if row["flag"])
    return {
        "article.txt": text.encode("utf-8"),
        "sentences.csv": _csv(SENTENCE_COLUMNS, sentences),
        "drafts.csv": _csv(DRAFT_COLUMNS, notes),
        "claims.csv": _csv(CLAIM_COLUMNS, claims),
        "evidence.toml": (f"# The project's own description (see evidence.register.project).\n"
                          f"title = {toml_text(title)}\narticle = {toml_text(article_name)}\n"
                          f"# the Entrez date every search is frozen at (a rerun reproduces the snapshot)\n"
                          f'snapshot_date = "{snapshot.isoformat()}"\n').encode("utf-8"),
        **{f"rules/{table}.csv": _csv(RULE_TABLES[table]) for table in ARTICLE_TABLES},
        "data/studies.csv": _csv(STUDY_COLUMNS),
        "data/evidence.csv": _csv(EVIDENCE_COLUMNS),
        "data/verdict_overrides.csv": _csv(OVERRIDE_COLUMNS),
        "data/screening.csv": _csv(SCREENING_COLUMNS),
        "data/wording.csv": _csv(WORDING_COLUMNS),
        "data/article_review.csv": _csv(REVIEW_COLUMNS),
        "data/ratings.csv": _csv(RATING_COLUMNS),
        "data/citations.csv": _csv(CITATION_COLUMNS),
        **{f"data/{name}": _csv(columns) for name, columns in EFFECT_FILES.items()},
        "notebooks/groups.csv": GROUPS.encode("utf-8"),
        "notebooks/conftest.py": (checkout / "notebooks" / "conftest.py").read_bytes(),
        "notebooks/sanitize.cfg": (checkout / "notebooks" / "sanitize.cfg").read_bytes(),
        "notebooks/00-overview.ipynb": _notebook_bytes(render_overview_notebook(md_text(title),
                                                                                md_text(article_name))),
        "notebooks/99-methods.ipynb": _notebook_bytes(render_methods_notebook()),
        "tests/test_project.py": PROJECT_TESTS.encode("utf-8"),
        "pytest.ini": PYTEST_INI.encode("utf-8"),
        ".gitignore": b".venv/\n__pycache__/\n.ipynb_checkpoints/\nbuild/\nreports/\n.*.lock\n",
        "tasks.py": tasks.encode("utf-8"),
        "README.md": README.format(
            title=md_text(title), article=md_text(article_name), claims=len(claims),
            sentences=len(sentences), checkout=checkout,
            mesh=(f"PubMed mapped each concept to its MeSH headings and counted each draft query; {flagged} "
                  "draft(s) are flagged in `drafts.csv` (no hit, or more than 10,000)." if mapped else
                  "The drafts were made offline, so their MeSH headings are not mapped yet: with network "
                  f"(`NCBI_EMAIL` set, `EVIDENCE_MODE=cached`), run `.venv/bin/{MAP_COMMAND}` here. It asks PubMed's "
                  "term mapping for each concept, adds the MeSH headings to every draft query you have not changed, "
                  "and counts each query (flagging 0 hits and more than 10,000)."),
        ).encode("utf-8"),
    }


def _utf8(value: str, what: str, fix: str) -> str:
    """``value`` when it can be written as UTF-8; a name given in bytes that are not UTF-8 (Python holds them as lone
    surrogates) cannot be, and is refused in one line."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = value.encode("utf-8", "backslashreplace").decode("utf-8")
        raise InputError(f"{what} {shown} is not UTF-8 text, and the project's files name it. Fix: {fix}") from None
    return value


def _title(title: str | None, article: Path) -> str:
    """The project's title on one line (control characters become spaces: evidence.toml refuses them), or, when
    nothing is left of it, the default made from the article's file name."""
    def clean(text: str) -> str:
        return " ".join(_CONTROL.sub(" ", text).split())

    return clean(title or "") or clean(f"Checking {article.stem.replace('-', ' ').replace('_', ' ')}")


def init_project(article: Path, target: Path, *, title: str | None = None, snapshot: dt.date | None = None,
                 environ: Mapping[str, str] | None = None) -> InitResult:
    """Create the project folder ``target`` for ``article``. ``target`` must be new or empty. ``snapshot`` (default
    today) is the Entrez date the project's searches are frozen at. With network (``environ``, default the process
    environment, sets NCBI_EMAIL and a mode other than offline) the drafts' terms are mapped to MeSH and counted."""
    article, target = Path(article), Path(target)
    text = read_article_file(article)
    _utf8(article.name, "the article's file name", "rename the file with a name in UTF-8, then run again.")
    if title is not None:
        _utf8(title, "--title", "give the title as UTF-8 text.")
    _check_target(target)
    checkout = _source_checkout()
    decisions, drafts = _drafts(text, article.name)
    snapshot = snapshot or dt.date.today()
    title = _title(title, article)
    place = _place(target)
    _check_target(place)
    existing = place.is_dir()
    if existing:  # built inside the empty folder, so the move is on its file system and the folder itself is kept
        build = _new_folder(place, ".evidence-init")
    else:
        place.parent.mkdir(parents=True, exist_ok=True)
        build = _new_folder(place.parent, f".{place.name[:100]}.init")
    try:
        client = _client(environ, build, snapshot)
        mapping = _map(client, drafts) if client is not None else None
        claims, sentences, notes = _rows(decisions, drafts, mapping)
        files = _project_files(text=text, article_name=article.name, title=title, snapshot=snapshot,
                               checkout=checkout, claims=claims, sentences=sentences, notes=notes,
                               mapped=mapping is not None)
        for name, data in files.items():
            atomic_write(build / name, data)
        notebooks = write_group_notebooks(load_project(build))  # loading checks every file as `report` will
        written = [target / name for name in files] + [target / p.relative_to(build) for p in notebooks]
        if existing:
            _move_contents(build, place, shown=target)
        else:
            os.rename(build, place)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return InitResult(target, tuple(written), len(decisions), len(drafts), mapping is not None,
                      tuple(f"{row['claim_id']}: {row['flag']}" for row in notes if row["flag"]))


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder in ``parent`` with the mode of any new folder (0o777 less the umask): the project is
    readable by all, as its files are (mkdtemp's 0o700 was kept by the rename)."""
    while True:
        folder = parent / f"{prefix}-{secrets.token_hex(4)}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder


def _move_contents(build: Path, place: Path, *, shown: Path) -> None:
    """Move what ``build`` holds into the empty folder ``place`` (which holds ``build``), then remove ``build``. The
    folder itself stays: its mode and owner are kept, and a shell inside it still sees the project. A failure moves
    back what was moved, so the caller's clean-up leaves the folder empty."""
    if any(p != build for p in place.iterdir()):
        raise InputError(f"{shown} is no longer empty. Fix: name a new folder, so no project is overwritten.")
    moved: list[str] = []
    try:
        for entry in sorted(p.name for p in build.iterdir()):
            os.rename(build / entry, place / entry)
            moved.append(entry)
    except BaseException:
        for entry in moved:
            os.rename(place / entry, build / entry)
        raise
    build.rmdir()


def _recorded_queries(folder: Path) -> dict[str, tuple[str, str]]:
    """claim id -> (draft query, query last written to claims.csv) as drafts.csv records them (a project made before
    the second was recorded has only the first). drafts.csv is init's file: its formula guard is undone."""
    path = folder / "drafts.csv"
    if not path.is_file():
        return {}
    return {csv_value(row["claim_id"]): (csv_value(row["draft_query"]), csv_value(row["written_query"]))
            for _, row in read_rows(path, DRAFT_COLUMNS, optional=DRAFT_OPTIONAL)}


def map_project(folder: Path, *, environ: Mapping[str, str] | None = None) -> InitResult:
    """Map the MeSH terms of a project's drafts with PubMed and count each draft query (``evidence init --map``).
    The drafts are made again from the project's ``article.txt``. A claim whose query is one init or --map wrote
    (drafts.csv records them) gets the mapped query; a query the writer has changed is kept. Only those query cells
    change: every other cell of claims.csv is written back exactly as it was read. claims.csv and drafts.csv are
    rewritten (each atomically) once everything is known."""
    folder = Path(folder)
    project = load_project(folder)  # a project that does not load is fixed first
    article = folder / "article.txt"
    text = read_article_file(article)
    decisions, drafts = _drafts(text, "article.txt")
    client = _client(environ, folder, project.config.snapshot_date, required=True)
    mapping = _map(client, drafts)
    claims, sentences, notes = _rows(decisions, drafts, mapping)
    fresh = {row["claim_id"]: row["query"] for row in claims}
    recorded = _recorded_queries(folder)
    # the queries init or --map wrote: a claim holding one of them was not changed by the writer
    ours = {row["claim_id"]: {row["draft_query"], *recorded.get(row["claim_id"], ())} - {""} for row in notes}
    path = folder / "claims.csv"
    raw = path.read_bytes().decode("utf-8")  # load_project has read it as UTF-8
    bom = raw.startswith("\ufeff")  # Excel's "CSV UTF-8" starts so; kept, as Excel needs it
    raw = raw.removeprefix("\ufeff")
    end = raw.find("\n")
    newline = "\r\n" if end > 0 and raw[end - 1] == "\r" else "\n"
    rows = list(csv.reader(io.StringIO(raw, newline=""), strict=True))
    header = [cell.strip() for cell in rows[0]]
    id_at, query_at = header.index("claim_id"), header.index("query")
    kept, written_now = [], set()
    for row in rows[1:]:
        if len(row) != len(header):
            continue  # a blank line, written back as it is
        claim_id = csv_value(row[id_at].strip())
        if claim_id not in fresh:
            continue
        query = csv_value(row[query_at].strip())
        if query == fresh[claim_id] or query in ours.get(claim_id, ()):
            row[query_at] = csv_cell(fresh[claim_id])
            written_now.add(claim_id)
        else:
            kept.append(claim_id)
    for row in notes:  # a query kept (or a row deleted) was not written now: the last one written stays on record
        if row["claim_id"] not in written_now:
            draft_query, last = recorded.get(row["claim_id"], ("", ""))
            row["written_query"] = last or draft_query or row["draft_query"]
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    written = {
        "claims.csv": ("\ufeff" if bom else "") + out.getvalue(),
        "drafts.csv": _csv(DRAFT_COLUMNS, notes).decode("utf-8"),
    }
    for name, data in written.items():
        atomic_write(folder / name, data.encode("utf-8"))
    load_project(folder)
    return InitResult(folder, tuple(folder / name for name in written), len(decisions), len(drafts), True,
                      tuple(f"{row['claim_id']}: {row['flag']}" for row in notes if row["flag"]), tuple(kept))


PYTEST_INI = """[pytest]
testpaths = tests notebooks
# nbval runs every notebook offline and compares its outputs with the committed ones; its kernels use Unix
# sockets (evidence.present.nbval_ipc), so they never race other local servers for a TCP port
addopts = -p no:cacheprovider -p evidence.present.nbval_ipc --nbval --nbval-sanitize-with notebooks/sanitize.cfg --nbval-current-env
"""

PROJECT_TESTS = '''"""This project's own checks (written by `evidence init`): the register loads, every claim has
a verdict, the group notebooks are what claims.csv generates, and suggested wordings say no more, and no less, than
their verdicts and certainty allow. nbval (pytest.ini) runs every notebook and compares its outputs."""

from pathlib import Path

import nbformat

from evidence import assess_project, load_project
from evidence.judge.wording import wording_conflicts
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


def test_no_wording_contradicts_its_verdict_or_certainty():
    project = load_project(ROOT)
    judged = {a.claim.claim_id: (a.verdict, a.certainty) for a in assess_project(project)}
    assert wording_conflicts(project.wording, judged) == {}
'''

README = """# {title}

A project of **evidence** (started with `evidence init` from {article}): each checkable claim of the article is a
row of `claims.csv`, judged against the studies registered in `data/`.

`evidence init` read {sentences} sentences and drafted {claims} claims. `sentences.csv` lists every sentence with
what init made of it (drafted, or left out as a heading, question, call to action, or for want of a claim cue or a
health concept), so you can promote or drop drafts. `drafts.csv` gives each draft's claim type with the cue that
decided it and its concept blocks: each query is (intervention synonyms) AND (condition or outcome synonyms), with
the claim type's own block where it has one. {mesh}

## Two commands

```bash
python3 tasks.py report   # check the project, regenerate and execute the notebooks offline, build the book in site/,
                          # print the writer's brief to reports/brief.pdf
python3 tasks.py test     # the project's tests and nbval on every notebook
```

Both install evidence from {checkout} into `.venv/`. With network and an NCBI e-mail address,
`EVIDENCE_MODE=cached python3 tasks.py report` runs every claim's PubMed search and stores the answers in `data/cache/`.

## From draft to verdict

1. In `claims.csv`, rewrite each `(draft)` statement as a testable statement in your own words, check its
   `claim_type` and PICO slots, and make its query your own; delete drafts that are not claims.
2. Gather studies: `evidence screen C01` (needs the snapshot or network), then include or exclude each candidate.
3. Add a suggested wording per claim in `data/wording.csv`, then `evidence check`, `evidence brief` and
   `evidence cite` give the verdicts, the brief and the citations.

The evidence checkout's `docs/new-article.md` walks through every step.
"""
