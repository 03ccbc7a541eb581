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

from ..register.project import load_project
from ..settings import Settings
from .book import build_book, claim_links
from .brief import BRIEF_PAGE, find_chromium, print_pdf, render_brief
from .execute import execute_notebook, notebook_paths
from .notebook import write_group_notebooks
from .workspace import Workspace, load_workspace

__all__ = ["BRIEF_PDF", "brief_page", "build_project_book", "run_report"]

# Notebooks run in parallel, each in its own kernel; two match the machines this project targets.
WORKERS = 2
BRIEF_PDF = Path("reports") / "brief.pdf"


def run_report(settings: Settings, *, notebooks: Sequence[Path] = (), progress: Callable[[str], None] = print) -> int:
    root = settings.root
    project = load_project(root)  # raises the loaders' one-line errors before anything runs
    write_group_notebooks(project)
    chosen = [Path(p).resolve() for p in notebooks] or notebook_paths(root)
    progress(f"executing {len(chosen)} notebook(s) in mode {settings.mode} ...")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for path in pool.map(_execute, chosen):
            progress(f"  executed {settings.display_path(path)}")
    index = build_project_book(load_workspace(settings, project=project), root / "site",
                               staging=root / "build" / "book-src", progress=progress)
    progress(f"wrote the book: {settings.display_path(index)}")
    chromium = find_chromium(settings.chromium)
    if chromium is None:
        progress(f"Chromium was not found, so the brief was not printed to {BRIEF_PDF.as_posix()}: install it "
                 f"(Debian: apt-get install chromium; or set EVIDENCE_CHROMIUM) or print site/{BRIEF_PAGE} from a browser.")
    else:
        pdf = print_pdf(index.parent / BRIEF_PAGE, root / BRIEF_PDF, chromium=chromium)
        progress(f"printed the writer's brief: {settings.display_path(pdf)}")
    return 0


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


def _execute(path: Path) -> Path:
    execute_notebook(path)
    return path
