"""Execute the project's notebooks in place, deterministically (``python -m evidence.notebooks``).

Outputs are kept with their execution counts (nbval compares them), per-cell timing is not
recorded and ``metadata.execution`` is stripped, so an unchanged project re-executes to
byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .settings import project_root

__all__ = ["execute_notebook", "notebook_paths"]

KERNEL = "python3"
TIMEOUT_SECONDS = 600


def notebook_paths(root: Path | None = None) -> list[Path]:
    return sorted((root or project_root()).joinpath("notebooks").glob("[0-9][0-9]-*.ipynb"))


def execute_notebook(path: Path) -> None:
    """Run ``path`` top to bottom in a fresh kernel started in its folder, and write it back."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_SECONDS,
        kernel_name=KERNEL,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    tmp = path.with_suffix(".ipynb.tmp")
    nbformat.write(notebook, tmp)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in notebooks/)")
    args = parser.parse_args(argv)
    paths = args.notebooks or notebook_paths()
    for number, path in enumerate(paths, start=1):
        print(f"[{number}/{len(paths)}] executing {path.name} ...", flush=True)
        execute_notebook(path)
    print(f"executed {len(paths)} notebook(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
