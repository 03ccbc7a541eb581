"""Execute the project's notebooks in place, deterministically (a step of ``evidence report``).

Outputs are kept with their execution counts (nbval compares them), per-cell timing is not
recorded and ``metadata.execution`` is stripped, so an unchanged project re-executes to
byte-identical files.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

from ..settings import project_root

__all__ = ["execute_notebook", "notebook_paths"]

KERNEL = "python3"
TIMEOUT_SECONDS = 600


def notebook_paths(root: Path | None = None) -> list[Path]:
    return sorted((root or project_root()).joinpath("notebooks").glob("[0-9][0-9]-*.ipynb"))


def execute_notebook(path: Path) -> None:
    """Run ``path`` top to bottom in a fresh kernel started in its folder, and write it back."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="evidence-kernel-") as sockets:
        # IPC sockets in a private folder rather than TCP ports: nothing listens on the network
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(
            notebook,
            config=ipc,
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
