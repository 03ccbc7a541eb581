"""A fuzz suite that stays: Hypothesis writes hostile text (markup, formula starts, control characters, NUL, very
long lines, bytes that are not UTF-8, path traversal) into every input file of a project (claims.csv, each data/*.csv,
evidence.toml, notebooks/groups.csv), into an article given to `evidence init`, and into the command line's options,
and runs the command in-process on a copy of a small project. Whatever the input:

- no traceback: the exit code is 0, 2 (a user error), 3 (`--fail-on`) or 4 (the file system), never 5 (a bug), and a
  failure is one line on standard error starting with ``evidence:``;
- bad input is a non-zero exit where it is known to be bad;
- a run that fails leaves every file as it was (nothing written, nothing half-written);
- a run that succeeds shows the text as text: the Markdown it generates (rendered by the parser the book uses) and the
  writer's brief (HTML) hold no element or attribute that the same project without the hostile text lacks, no event
  handler and no ``javascript:`` link, and the brief's JSON-LD still parses.

Each example is cheap (a copied folder of some fifty small files and one or two verbs, no notebook executed, no book
built); the profile keeps the examples few and the deadline off, so the suite's time stays reasonable on two shared
cores. The study and evidence row in the template are fixtures written for these tests, not real data.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support import bare_project, csv_text, write_csv

from evidence import cli
from evidence.files import control_character
from evidence.register.project import load_project
from evidence.register.studies import EVIDENCE_COLUMNS, STUDY_COLUMNS
from evidence.screening import SCREENING_COLUMNS, ScreeningLog
from evidence.vocab import VERDICTS

# EVIDENCE_FUZZ_EXAMPLES=2000 for a longer search (about four minutes on two cores); the suite runs 60 per test
FUZZ = settings(max_examples=int(os.environ.get("EVIDENCE_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# for the tests run once per file or per verb (some twenty each)
FEW = settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 5))
DEPTH = 4  # the project sits this many folders down its sandbox, so "../" paths stay inside the sandbox
EXIT_CODES = {0, 2, 3, 4}

# -- hostile text --------------------------------------------------------------------------------------------------
SAMPLES = [
    "<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "<svg onload=alert(1)>", "<!-- x",
    "[x](javascript:alert(1))", "<a href=javascript:alert(1)>x</a>", "{raw}`<b>x</b>`", "```{raw} html\n<b>x</b>\n```",
    ":::{note}\nx\n:::", "# heading", "- item", "| a | b |", "*em* **strong**", "`code`", "\\", "{{ x }}", "${x}",
    "=1+1", "=HYPERLINK(\"http://e.org\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1", "\r=1",
    "\x00", "nul\x00in", "\x07\x08\x1b[31m", "\x7f", "\u202e", "\u2028", "\ufeff", "\ud7ff", "\r\n", "\n", "\r",
    "../../x", "../../../../../../etc/passwd", "..\\..\\x", "/etc/passwd", "C:\\x", "data/../claims.csv", "~/x",
    '"', "'", ",", '","', '"\n"', "", " ", "C04", "c04", "C99", "efficacy", "12345678", "PMID:12345678", "١٢٣",
    "wrong_design", "supports", "0", "-1", "2.5", "1e3", "2026-01-01", "2026/12/01", "NaN", "inf", "true",
    'title = "x"', "[section]", "]]>", "&amp;", "&#0;", "%s%n", "\\x00",
]
hostile_texts = st.one_of(
    st.sampled_from(SAMPLES),
    st.lists(st.sampled_from(SAMPLES), min_size=2, max_size=5).map("".join),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
    st.integers(2_000, 200_000).map(lambda n: "x" * n),  # very long lines
)
hostile_bytes = st.one_of(
    hostile_texts.map(lambda text: text.encode("utf-8")),
    st.binary(max_size=64),
    st.sampled_from([b"\xff\xfe", b"caf\xe9", b"\x80abc", b"\xc3", b"\x00\x00", b"\xef\xbb\xbf"]),
)


# -- the template project, copied for each example ------------------------------------------------------------------
FIXTURE_STUDY = {
    "study_id": "pmid:99000001", "pmid": "99000001", "first_author": "Fixture", "year": "2020",
    "journal": "Fixture Journal", "title": "A fixture trial of ketamine", "design": "rct", "n": "30",
    "population": "fixture adults", "source_url": "https://example.org/fixture", "verified_on": "2026-01-01",
    "provenance": "curated"}
FIXTURE_EVIDENCE = {
    "claim_id": "C04", "study_id": "pmid:99000001", "stance": "supports", "outcome_measured": "fixture outcome",
    "follow_up": "1 week", "effect": "fixture effect", "rationale": "A fixture row for the fuzz tests."}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A bare project (the committed claims, rules and groups; every data file present) with one fixture study."""
    root = bare_project(tmp_path_factory.mktemp("template") / "project")
    write_csv(root / "data" / "studies.csv", STUDY_COLUMNS, [FIXTURE_STUDY])
    write_csv(root / "data" / "evidence.csv", EVIDENCE_COLUMNS, [FIXTURE_EVIDENCE])
    write_csv(root / "data" / "screening.csv", SCREENING_COLUMNS, [])
    return root


INPUT_FILES = ("claims.csv", "evidence.toml", "notebooks/groups.csv",
               *(f"data/{name}" for name in ("studies.csv", "evidence.csv", "effects.csv", "published_pools.csv",
                                             "members.csv", "risk_of_bias.csv", "authorities.csv", "trials.csv",
                                             "indirectness.csv", "verdict_overrides.csv", "wording.csv",
                                             "article_review.csv", "citations.csv", "ratings.csv",
                                             "screening.csv")))


@contextlib.contextmanager
def sandbox(template: Path):
    """A fresh copy of ``template`` ``DEPTH`` folders down a temporary folder; yields (sandbox, project)."""
    top = Path(tempfile.mkdtemp(prefix="evidence-fuzz-"))
    try:
        project = top.joinpath(*[f"d{i}" for i in range(DEPTH)], "project")
        shutil.copytree(template, project)
        yield top, project
    finally:
        shutil.rmtree(top, ignore_errors=True)


def state(top: Path) -> dict[str, bytes]:
    """Every file under ``top`` by path and content, less the assessment cache in build/ (a cache keyed on the
    inputs' content, which a run may fill before it stops) and the empty lock files writers leave beside their file."""
    return {p.relative_to(top).as_posix(): p.read_bytes() for p in sorted(top.rglob("*"))
            if p.is_file() and "build" not in p.relative_to(top).parts and not p.name.endswith(".lock")}


def run(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """``evidence argv`` in-process from ``cwd``: (exit code, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
    finally:
        os.chdir(previous)
    return code, out.getvalue(), err.getvalue()


def check_outcome(code: int, err: str, before: dict[str, bytes], top: Path, argv) -> None:
    assert code in EXIT_CODES, (argv, code, err[-3000:])
    assert "Traceback" not in err, (argv, err[-3000:])
    if code != 0:
        assert err.startswith("evidence:") and err.count("\n") == 1, (argv, err[-3000:])
    if code not in (0, 3):
        after = state(top)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert not changed, (argv, "a failing run changed", changed[:5])


# -- what a successful run shows ---------------------------------------------------------------------------------
class Shape(HTMLParser):
    """The elements of an HTML text with their attribute names; the attributes' values; the JSON-LD scripts."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: set[tuple[str, tuple[str, ...]]] = set()
        self.attributes: list[tuple[str, str]] = []
        self.jsonld: list[str] = []
        self._script = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.add((tag, tuple(sorted(name for name, _ in attrs))))
        self.attributes += [(name, value or "") for name, value in attrs]
        self._script = [] if tag == "script" and ("type", "application/ld+json") in attrs else None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.jsonld.append("".join(self._script))
            self._script = None


def markdown_html(text: str) -> str:
    """Markdown as the book renders it: MyST's markdown-it with the book's extensions, raw HTML allowed."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML).render(text)


def shown(project: Path) -> dict[str, Shape]:
    """What the project shows: its notebooks' Markdown (rendered) and the writer's brief, each parsed."""
    import nbformat

    pages = {}
    for path in sorted((project / "notebooks").glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        pages[path.name] = Shape(markdown_html("\n\n".join(c.source for c in cells if c.cell_type == "markdown")))
    brief = project / "reports" / "brief.html"
    if brief.is_file():
        pages["brief.html"] = Shape(brief.read_text(encoding="utf-8"))
    return pages


def check_safe(pages: dict[str, Shape], baseline: dict[str, Shape]) -> None:
    allowed = set().union(*(page.elements for page in baseline.values()))
    for name, page in pages.items():
        assert page.elements <= allowed, (name, sorted(page.elements - allowed))
        assert not [a for a, _ in page.attributes if a.lower().startswith("on")], name
        assert not [v for a, v in page.attributes if a in ("href", "src") and "javascript:" in v.lower()], name
        for script in page.jsonld:
            json.loads(script)


VIEWS = (["notebooks"], ["brief", "--html-only"])


@pytest.fixture(scope="module")
def baseline(template):
    with sandbox(template) as (_, project):
        for argv in VIEWS:
            code, _, err = run(argv, project)
            assert code == 0, err
        return shown(project)


# -- 1. every input file ---------------------------------------------------------------------------------------------
def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# The cells that hold free text, which a page or an export shows: hostile text there is often valid input, and must
# then come out as text.
FREE_TEXT = {
    "claims.csv": ("section", "quote", "statement", "population", "intervention", "comparator", "outcome"),
    "notebooks/groups.csv": ("title", "intro"),
    "data/studies.csv": ("first_author", "journal", "title", "population"),
    "data/evidence.csv": ("outcome_measured", "follow_up", "effect", "rationale"),
}


@st.composite
def file_mutations(draw, name: str):
    """A change to ``name``: a free-text cell or any cell set to hostile text, or the file's bytes replaced, appended
    to or cut into."""
    kinds = ["free", "free", "cell", "replace", "append", "splice"] if name in FREE_TEXT else \
        ["cell", "cell", "replace", "append", "splice"]
    return (name, draw(st.sampled_from(kinds)), draw(hostile_texts), draw(hostile_bytes), draw(st.integers(0, 10_000)),
            draw(st.integers(0, 50)))


def mutate(project: Path, mutation) -> bool:
    """Apply ``mutation`` to the project's file; True when the result is known to be bad input."""
    name, kind, text, data, position, column = mutation
    path = project / name
    original = path.read_bytes()
    if kind in ("cell", "free") and name.endswith(".csv"):
        rows = _rows(original.decode("utf-8"))
        header, body = rows[0], rows[1:] or [[""] * len(rows[0])]
        row = body[position % len(body)]
        columns = [header.index(c) for c in FREE_TEXT[name]] if kind == "free" else range(len(header))
        row[columns[column % len(columns)]] = text
        path.write_text(csv_text(header, body), encoding="utf-8", newline="")
        return control_character(text) is not None  # no cell of a project holds a control character
    if kind in ("cell", "free"):  # evidence.toml: a value replaced, kept valid TOML
        escaped = json.dumps(text)  # a TOML basic string, or (astral characters as surrogate pairs) a refused one
        lines = original.decode("utf-8").splitlines()
        keys = [i for i, line in enumerate(lines) if line.startswith(("title", "article"))]
        lines[keys[position % len(keys)]] = lines[keys[position % len(keys)]].split("=")[0] + f"= {escaped}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return control_character(text) is not None
    if kind == "replace":
        path.write_bytes(data)
        return True  # no file of a project is valid without its header (or, for evidence.toml, its keys)
    if kind == "append":
        path.write_bytes(original + data)
    else:
        cut = position % (len(original) + 1)
        path.write_bytes(original[:cut] + data + original[cut:])
    return _bad_bytes(path.read_bytes())


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _bad_bytes(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return control_character(text) is not None


@pytest.mark.parametrize("name", INPUT_FILES)
@FEW
@given(data=st.data())
def test_hostile_text_in_any_input_file(template, baseline, name, data):
    mutation = data.draw(file_mutations(name))
    with sandbox(template) as (top, project):
        known_bad = mutate(project, mutation)
        before = state(top)
        codes = []
        for argv in (["register"], ["check", "--format", "json"], *VIEWS):
            code, _, err = run(argv, project)
            check_outcome(code, err, before, top, argv)
            codes.append(code)
            before = state(top)
        if known_bad:
            assert codes[1] != 0, mutation[:2]  # check reads every file, the screening log included
        event("refused" if codes[1] else "shown")  # --hypothesis-show-statistics: how often each happened
        if codes[-1] == 0 and codes[-2] == 0:
            check_safe(shown(project), baseline)


# -- 2. an article given to `evidence init` ------------------------------------------------------------------------
ARTICLE = ("Ketamine Treatment\n\nStudies show that ketamine infusions reduce depression symptoms in 70% of patients "
           "within hours.\nTalk to your doctor.\n")


@pytest.fixture(scope="module")
def init_baseline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("init-baseline")
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    code, _, err = run(["init", "article.txt", "project"], folder)
    assert code == 0, err
    return shown(folder / "project")


@FUZZ
@given(heading=hostile_texts, sentence=hostile_texts, raw=hostile_bytes, as_bytes=st.booleans())
def test_hostile_article_given_to_init(init_baseline, heading, sentence, raw, as_bytes):
    top = Path(tempfile.mkdtemp(prefix="evidence-fuzz-init-"))
    try:
        article = top / "article.txt"
        if as_bytes:
            article.write_bytes(ARTICLE.encode("utf-8") + raw)
        else:
            article.write_text(f"{heading}\n\nStudies show that {sentence} ketamine reduces depression symptoms in "
                               f"70% of patients.\n", encoding="utf-8", newline="")
        before = state(top)
        code, _, err = run(["init", "article.txt", "project"], top)
        check_outcome(code, err, before, top, ["init"])
        event("refused" if code else "created")
        data = article.read_bytes()
        if b"\x00" in data or not _utf8(data):  # init reads other control characters as spaces, by design
            assert code != 0
        if code == 0:
            project = load_project(top / "project")  # what init wrote loads as a project
            assert project.claims
            check_safe(shown(top / "project"), init_baseline)
        else:
            assert sorted(p.name for p in top.iterdir()) == ["article.txt"]  # no project, no temporary folder
    finally:
        shutil.rmtree(top, ignore_errors=True)


# -- 3. the command line's options -----------------------------------------------------------------------------------
SEGMENTS = ["..", ".", "data", "rules", "notebooks", "reports", "x", "claims.csv", "evidence.toml", "groups.csv",
            "studies.csv", "out.ris", "a b", "\x00", "", "~", "x" * 300]
# Paths built from these stay inside the sandbox: at most DEPTH ".." segments, no absolute path.
paths = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5).filter(
    lambda parts: parts.count("..") <= DEPTH).map("/".join)
values = st.one_of(hostile_texts, paths).filter(lambda v: not v.startswith("/"))


CLAIM_IDS = {f"C{i:02d}" for i in range(1, 20)}


def _not_a_claim(value: str) -> bool:
    return value.strip().upper() not in CLAIM_IDS  # claim ids are matched as the loader does: stripped, any case


def _bad_fail_on(value: str) -> bool:
    named = [v.strip() for v in value.split(",") if v.strip()]
    return not named or any(v not in VERDICTS for v in named)


# Each verb with hostile option values (``--option=value``, so a value is never read as an option): a function of
# (value, another value, a path inside the sandbox) -> (argv, known to be bad, or None when either may be right).
COMMANDS = {
    "claims --group": lambda v, w, p: (["claims", f"--group={v}"], None),
    "search": lambda v, w, p: (["search", "--", v], True),  # offline, and the snapshot holds no search: refused
    "check --claim": lambda v, w, p: (["check", f"--claim={v}"], _not_a_claim(v)),
    "check --format": lambda v, w, p: (["check", f"--format={v}"], v not in ("table", "json")),
    "check --fail-on": lambda v, w, p: (["check", f"--fail-on={v}"], _bad_fail_on(v)),
    "cite --claim": lambda v, w, p: (["cite", f"--claim={v}", "--format=bibtex"], _not_a_claim(v)),
    "cite --out": lambda v, w, p: (["cite", f"--out={p}"], None),
    "pools --out": lambda v, w, p: (["pools", f"--out={p}"], None),
    "claimreview --out": lambda v, w, p: (["claimreview", f"--out={p}"], None),
    "brief --out": lambda v, w, p: (["brief", "--html-only", f"--out={p}"], None),
    "packet --out": lambda v, w, p: (["packet", f"--out={p}"], None),
    "screen --exclude --reason": lambda v, w, p: (["screen", "C04", f"--exclude={v}", f"--reason={w}"], True),
    "screen --exclude --force": lambda v, w, p: (["screen", "C04", f"--exclude={v}", "--reason=wrong_design",
                                                  "--force"], None),
    "screen --maybe --force": lambda v, w, p: (["screen", "C04", f"--maybe={v}", "--force"], None),
    "screen --include": lambda v, w, p: (["screen", "C04", f"--include={v}", "--stance=supports",
                                          f"--rationale={w}", "--force"], True),  # offline: no record to register
    "screen --limit": lambda v, w, p: (["screen", "C04", f"--limit={v}"], None),
    "screen --import": lambda v, w, p: (["screen", "C04", f"--import={p}"], None),
    "screen CLAIM": lambda v, w, p: (["screen", "--", v], _not_a_claim(v)),
    "update --until": lambda v, w, p: (["update", f"--until={v}"], True),  # offline: refused whatever the date
    "refresh --report": lambda v, w, p: (["refresh", f"--report={p}"], True),  # offline: refused
    "init --title": lambda v, w, p: (["init", "article.txt", p, f"--title={v}"], None),
    "init --snapshot-date": lambda v, w, p: (["init", "article.txt", "new", f"--snapshot-date={v}"], None),
}


@pytest.mark.parametrize("verb", COMMANDS)
@FEW
@given(value=values, other=values, path=paths)
def test_hostile_command_line_options(template, verb, value, other, path):
    argv, known_bad = COMMANDS[verb](value, other, path)
    with sandbox(template) as (top, project):
        (project / "article.txt").write_text(ARTICLE, encoding="utf-8")
        before = state(top)
        code, _, err = run(argv, project)
        check_outcome(code, err, before, top, argv)
        event(f"{argv[0]}: exit {code}")
        if known_bad:
            assert code != 0, argv
        if code == 0 and argv[0] == "screen":  # what was recorded loads back
            ScreeningLog.load(project, [c.claim_id for c in load_project(project).claims])
        if code == 0 and argv[0] == "init":
            assert load_project(project / argv[2]).claims  # the new project loads
