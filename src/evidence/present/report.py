"""The main job (``evidence report``): check the project's files, generate the group notebooks,
execute every notebook in place, build the book into ``site/`` (the writer's brief included) and print
the brief to ``reports/brief.pdf`` through headless Chromium.

The checks come first, so a broken claims.csv or register stops the job with the one-line error
of its loader (file, line, column, fix) before any notebook runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import InputError
from ..register.project import load_project
from ..screening import ScreeningLog
from ..settings import Settings
from .book import build_book, claim_links
from .brief import BRIEF_PAGE, find_chromium, print_pdf, render_brief
from .execute import execute_notebook, notebook_paths
from .freshness import (STATE_FILE, FreshnessLog, book_digest, file_digest, notebook_digest, project_digest,
                        tree_digest)
from .notebook import write_group_notebooks
from .workspace import Workspace, load_workspace

__all__ = ["BRIEF_PDF", "brief_page", "build_project_book", "run_report"]

# Notebooks run in parallel, each in its own kernel; two match the machines this project targets.
WORKERS = 2
BRIEF_PDF = Path("reports") / "brief.pdf"


def run_report(settings: Settings, *, notebooks: Sequence[Path] = (), progress: Callable[[str], None] = print,
               force: bool = False) -> int:
    """Check, generate, execute, build and print; each step is skipped when nothing it reads changed since it last
    ran (``freshness``), unless ``force``."""
    root = settings.root
    project = load_project(root)  # raises the loaders' one-line errors before anything runs
    ScreeningLog.load(root, [c.claim_id for c in project.claims])  # the notebooks read it too: check it here first
    write_group_notebooks(project)  # deterministic: an unchanged project rewrites nothing
    chosen = _chosen_notebooks(root, notebooks)
    state = FreshnessLog(root / STATE_FILE)
    inputs = project_digest(root)
    keys = {path: notebook_digest(path, inputs) for path in chosen}
    stale = [p for p in chosen if force or not state.fresh(_step(root, p), keys[p], file_digest(p))]
    progress(f"executing {len(stale)} notebook(s) in mode {settings.mode}"
             + (f" ({len(chosen) - len(stale)} unchanged, kept as they are)" if len(stale) < len(chosen) else "")
             + " ...")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for path in pool.map(_execute, stale):
            state.record(_step(root, path), keys[path], file_digest(path))
            progress(f"  executed {settings.display_path(path)}")
    site = root / "site"
    book_key = book_digest(inputs, notebook_paths(root))
    if force or not state.fresh("book", book_key, tree_digest(site)):
        index = build_project_book(load_workspace(settings, project=project), site,
                                   staging=root / "build" / "book-src", progress=progress)
        state.record("book", book_key, tree_digest(site))
        progress(f"wrote the book: {settings.display_path(index)}")
    else:
        index = site / "index.html"
        progress(f"the book is up to date: {settings.display_path(index)}")
    chromium = find_chromium(settings.chromium)
    page, pdf = index.parent / BRIEF_PAGE, root / BRIEF_PDF
    if chromium is None:
        progress(f"Chromium was not found, so the brief was not printed to {BRIEF_PDF.as_posix()}: install it "
                 f"(Debian: apt-get install chromium; or set EVIDENCE_CHROMIUM) or print site/{BRIEF_PAGE} "
                 "from a browser.")
    elif force or not state.fresh("brief", file_digest(page), file_digest(pdf)):
        print_pdf(page, pdf, chromium=chromium)
        state.record("brief", file_digest(page), file_digest(pdf))
        progress(f"printed the writer's brief: {settings.display_path(pdf)}")
    else:
        progress(f"the writer's brief is up to date: {settings.display_path(pdf)}")
    return 0


def _step(root: Path, notebook: Path) -> str:
    return f"execute {notebook.relative_to(root).as_posix()}"


def build_project_book(workspace: Workspace, out_dir: Path, *, staging: Path,
                       progress: Callable[[str], None] = print) -> Path:
    """The book of ``workspace``'s project: its notebooks, verdict matrix, scorecard and writer's brief."""
    project = workspace.project
    return build_book(out_dir, notebook_paths(project.root), workspace.assessments(), title=project.config.title,
                      staging=staging, scorecard=project.review,
                      extra_pages={BRIEF_PAGE: brief_page(workspace)}, progress=progress)


def brief_page(workspace: Workspace, site_prefix: str = "") -> str:
    """The writer's brief of ``workspace``'s project, as the book publishes it (``site_prefix`` leads from where the
    page is written to site/, for its links to the claims' sections)."""
    project = workspace.project
    assessments = workspace.assessments()
    links = claim_links(notebook_paths(project.root), assessments)
    return render_brief(assessments, project=project.config, wording=project.wording, review=project.review,
                        section_links={claim: site_prefix + link for claim, link in links.items()},
                        citations=project.citations)


def _chosen_notebooks(root: Path, named: Sequence[Path]) -> list[Path]:
    """The notebooks to execute: those named (each must be one of the project's), else all of them."""
    known = notebook_paths(root)
    if not named:
        return known
    chosen = []
    for path in named:
        resolved = Path(path).resolve()
        if resolved not in known:
            options = ", ".join(p.relative_to(root).as_posix() for p in known)
            raise InputError(f"{path} is not one of the project's notebooks. Fix: name one of {options} (new group "
                             "notebooks come from claims.csv: run without arguments to generate them).")
        chosen.append(resolved)
    return chosen


def _execute(path: Path) -> Path:
    execute_notebook(path)
    return path
