"""The main job (``evidence report``): check the project's files, generate the group notebooks,
execute every notebook in place, and build the book into ``site/``.

The checks come first, so a broken claims.csv or register stops the job with the one-line error
of its loader (file, line, column, fix) before any notebook runs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..register.studies import load_register
from ..settings import Settings
from ..errors import DataError
from .book import build_book
from .execute import execute_notebook, notebook_paths
from .notebook import write_group_notebooks
from .workspace import load_workspace

__all__ = ["run_report"]

# Notebooks run in parallel, each in its own kernel; two match the machines this project targets.
WORKERS = 2


def run_report(settings: Settings, *, notebooks: Sequence[Path] = (), progress: Callable[[str], None] = print) -> int:
    root = settings.root
    register = load_register(root)  # raises the loaders' one-line errors before anything runs
    write_group_notebooks(register.claims, root / "notebooks")
    chosen = [Path(p).resolve() for p in notebooks] or notebook_paths(root)
    progress(f"executing {len(chosen)} notebook(s) in mode {settings.mode} ...")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for path in pool.map(_execute, chosen):
            progress(f"  executed {settings.display_path(path)}")
    every = notebook_paths(root)
    index = build_book(root / "site", every, load_workspace(settings).assessments(), title=project_title(root),
                       staging=root / "build" / "book-src", progress=progress)
    progress(f"wrote the book: {settings.display_path(index)}")
    return 0


def project_title(root: Path) -> str:
    """The title in evidence.toml (the project's own description), else the folder's name."""
    path = root / "evidence.toml"
    if not path.is_file():
        return root.name
    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8")).get("title") or root.name)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc}).", file="evidence.toml", fix="write it as `title = \"...\"`.") from None


def _execute(path: Path) -> Path:
    execute_notebook(path)
    return path
