"""The rendered notebooks as a book: Sphinx with myst-nb and sphinx-book-theme (the engine of
Jupyter Book 1), built offline from the committed notebook outputs (nothing is executed here).

The front page carries the verdict matrix, each claim id linking to the claim's section
(``NN-group.html#claim-C04``, an anchor the generated notebooks set); the sidebar lists the
notebooks; Sphinx's search index gives full-text search. No page loads anything from another
host: the theme's assets are copied into ``_static``, and myst-nb's ipywidgets scripts (fetched
from a CDN by default) are switched off.

Sphinx reads a source folder; ``build_book`` stages one under ``build/book-src`` (the notebooks,
a generated ``index.md`` and ``conf.py``, the book's stylesheet in ``_static``), then writes the HTML into ``site/``.

The stylesheet (``book/evidence.css``, shipped with the package) keeps every page within its column: a wide table
scrolls inside its own box, long words and addresses wrap. Text from the project reaches the front page and the
configuration only through ``escape`` (the title as Markdown text, as HTML, and as a Python string literal).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from ..errors import EvidenceError
from ..files import atomic_write
from ..judge.verdict import Assessment
from ..register.texts import ReviewRating
from .brief import scorecard_table
from .escape import html_text, md
from .style import style_verdict_matrix
from .tables import verdict_matrix

__all__ = ["build_book", "claim_links", "escape_theme_titles", "front_page"]

STYLESHEET = Path(__file__).with_name("book") / "evidence.css"
CONF = '''# Written by evidence.present.book; edit the template there, not this copy.
from markupsafe import Markup

# The title, HTML-escaped once: Markup keeps Sphinx's own escaping (|e) from escaping it twice, and the theme's
# templates that print it unescaped print the escaped text.
project = Markup({title!r})
author = "the evidence project"
copyright = "the evidence project"
extensions = ["myst_nb"]
html_theme = "sphinx_book_theme"
html_title = Markup({title!r})
html_static_path = ["_static"]
html_css_files = ["evidence.css"]   # keeps wide tables and long words within the page (offline, no other host)
html_theme_options = {{"show_toc_level": 2, "use_download_button": False, "use_fullscreen_button": False}}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
nb_execution_mode = "off"          # render the committed outputs; never execute here
nb_ipywidgets_js = {{}}             # myst-nb loads require.js and widgets from a CDN by default
nb_merge_streams = True
myst_enable_extensions = ["colon_fence"]
suppress_warnings = ["mystnb.unknown_mime_type"]
exclude_patterns = ["_html", "_extra", "jupyter_execute", ".jupyter_cache", "**.ipynb_checkpoints"]
html_extra_path = ["_extra"]       # pages written whole by evidence (the writer's brief), copied as they are


def setup(app):
    from evidence.present.book import escape_theme_titles

    app.connect("html-page-context", escape_theme_titles, priority=900)  # after the theme has set them
'''
# Read by docutils from the folder of conf.py: no directive of a page may insert a file from the build machine
# (include, raw or csv-table with :file:), whatever text reaches a page.
DOCUTILS_CONF = """[general]
file_insertion_enabled: false
"""


def escape_theme_titles(app, pagename, templatename, context, doctree) -> None:
    """sphinx-book-theme gives its templates each page's title as plain text (``pagetitle``, ``root_title``) and
    prints it unescaped (the print header's ``<h1>``): give them escaped, as Markup so that no template escapes them
    twice."""
    from markupsafe import Markup

    for name in ("pagetitle", "root_title"):
        value = context.get(name)
        if isinstance(value, str) and not isinstance(value, Markup):
            context[name] = Markup(html_text(value))


def claim_links(notebooks: Sequence[Path], assessments: Sequence[Assessment]) -> dict[str, str]:
    """claim id -> the page and anchor of its section (group notebooks are named NN-<group>)."""
    page_of_group = {path.stem.split("-", 1)[1]: path.stem for path in notebooks}
    return {
        a.claim.claim_id: f"{page_of_group[a.claim.group]}.html#claim-{a.claim.claim_id}"
        for a in assessments if a.claim.group in page_of_group
    }


def front_page(title: str, notebooks: Sequence[Path], assessments: Sequence[Assessment],
               scorecard: Sequence[ReviewRating] = ()) -> str:
    """index.md: what the book is, the verdict matrix linking each claim to its section, the writer's brief, the
    article's scorecard (when rated), the contents."""
    matrix = style_verdict_matrix(verdict_matrix(assessments, compact=True), links=claim_links(notebooks, assessments))
    toctree = "\n".join(path.stem for path in notebooks)
    card = ""
    if scorecard:
        card = f"""
(scorecard)=
## The article as a whole

Ten questions a careful health journalist asks of any story about a treatment (after HealthNewsReview.org's
criteria; our questions, ratings and reasons, with the evidence each rests on, are in the overview notebook).

```{{raw}} html
<div id="scorecard">
{scorecard_table(scorecard, "table")}
</div>
```
"""
    return f"""{md("# {}", title)}

Each checkable claim of the article was turned into a testable statement and judged against a register of
real, verified studies, supporting and contrasting, with a GRADE-style certainty. The chapters are the
project's notebooks exactly as committed (their outputs are what the code produces from the committed data);
every study links to its PubMed or DOI record. Select a claim id to open its section.

```{{raw}} html
<p id="brief-link">For writers: the <a href="brief.html">writer's brief</a> puts on one printable page what each
claim's evidence supports saying and the studies to cite, with its ClaimReview markup.</p>
```

(verdict-matrix)=
## Verdict matrix

One row per claim: its verdict, the certainty of the evidence, and what the verdict rests on (our pool of trials, a
published meta-analysis's pool, one trial, or the study designs that answer that kind of claim). Each claim's
section gives the studies, the authorities' positions and the reasons.

```{{raw}} html
<div id="verdict-matrix">
{matrix._repr_html_()}
</div>
```
{card}
```{{toctree}}
:maxdepth: 1
:caption: Notebooks

{toctree}
```
"""


def build_book(out_dir: Path, notebooks: Sequence[Path], assessments: Sequence[Assessment], *,
               title: str, staging: Path, scorecard: Sequence[ReviewRating] = (),
               extra_pages: Mapping[str, str] | None = None, progress: Callable[[str], None] = print) -> Path:
    """Stage the sources and build the HTML book into ``out_dir``; return its index.html.

    ``extra_pages`` (file name -> HTML) are copied beside the book's pages as they are (Sphinx's html_extra_path)."""
    from sphinx.application import Sphinx  # imported here: only the book needs Sphinx

    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for path in notebooks:
        shutil.copy2(path, staging / path.name)
    atomic_write(staging / "conf.py", CONF.format(title=html_text(title)).encode("utf-8"))
    atomic_write(staging / "docutils.conf", DOCUTILS_CONF.encode("utf-8"))
    atomic_write(staging / "_static" / STYLESHEET.name, STYLESHEET.read_bytes())
    atomic_write(staging / "index.md", front_page(title, notebooks, assessments, scorecard).encode("utf-8"))
    (staging / "_extra").mkdir()
    for name, text in (extra_pages or {}).items():
        atomic_write(staging / "_extra" / name, text.encode("utf-8"))
    progress(f"building the book from {len(notebooks)} notebooks into {out_dir.name}/")
    # Sphinx writes into the staging folder (myst-nb puts its working copies beside the output folder), and the
    # finished HTML replaces out_dir only once the build succeeded
    built = staging / "_html"
    log = io.StringIO()
    with redirect_stdout(log), redirect_stderr(log):
        app = Sphinx(str(staging), str(staging), str(built), str(staging / ".doctrees"), "html",
                     freshenv=True, warningiserror=False, status=log, warning=log)
        app.build(force_all=True)
    if app.statuscode:
        raise EvidenceError(f"the book did not build (Sphinx status {app.statuscode}): {log.getvalue()[-1500:]} "
                            "Fix: run `evidence report` again after correcting the notebook it names.")
    (built / ".buildinfo").unlink(missing_ok=True)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(built, out_dir)
    return out_dir / "index.html"
