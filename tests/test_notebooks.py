"""The notebooks and the rendered site: every claim shown once, deterministic output, nothing volatile."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest
from support import ROOT

from evidence.claims import load_claims
from evidence.notebooks import execute_notebook, notebook_paths
from evidence.site import build_site

CLAIMS = load_claims(ROOT / "claims.csv")
NOTEBOOKS = notebook_paths(ROOT)
GROUP_NOTEBOOKS = [p for p in NOTEBOOKS if p.stem[:2] not in {"00", "99"}]
SHOWN = re.compile(r'show_claim\(ws, "(C\d+)"\)')


def claims_shown(path):
    notebook = nbformat.read(path, as_version=4)
    return [m for cell in notebook.cells if cell.cell_type == "code" for m in SHOWN.findall(cell.source)]


def test_every_claim_in_exactly_one_group_notebook_of_its_group():
    seen: dict[str, str] = {}
    for path in GROUP_NOTEBOOKS:
        for claim_id in claims_shown(path):
            assert claim_id not in seen, f"{claim_id} is shown in {seen[claim_id]} and {path.name}"
            seen[claim_id] = path.name
    assert sorted(seen) == sorted(c.claim_id for c in CLAIMS)
    for claim in CLAIMS:
        assert seen[claim.claim_id].split("-", 1)[1] == f"{claim.group}.ipynb", claim.claim_id


def test_every_claim_in_the_overview_matrix():
    overview = nbformat.read(ROOT / "notebooks" / "00-overview.ipynb", as_version=4)
    matrix = next(
        o["data"]["text/html"]
        for cell in overview.cells if cell.cell_type == "code"
        for o in cell.get("outputs", []) if "verdict-matrix" in o.get("data", {}).get("text/html", "")
    )
    for claim in CLAIMS:
        assert f">{claim.claim_id}<" in matrix


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_are_clean(path):
    notebook = nbformat.read(path, as_version=4)
    text = json.dumps(notebook)
    assert not re.search(r"/(root|work|home|tmp)/", text), "machine path in outputs"
    assert not re.search(r" at 0x[0-9a-f]{6,}", text), "memory address in outputs"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert sum(1 for cell in code if cell.outputs) >= len(code) - 1, "committed without outputs"
    for cell in code:
        assert cell.execution_count is not None
        assert "execution" not in cell.metadata
        for output in cell.outputs:
            assert output.output_type != "error"
            assert not (output.output_type == "stream" and output.name == "stderr"), output.text


def test_report_is_byte_identical_when_run_twice(tmp_path):
    """The main command's two steps (execute in place, render the site) twice over: the same bytes."""
    runs = []
    for run in ("first", "second"):
        folder = tmp_path / run / "notebooks"
        folder.mkdir(parents=True)
        for path in NOTEBOOKS:
            shutil.copy(path, folder / path.name)
            execute_notebook(folder / path.name)
        site = build_site(tmp_path / run / "site", root=ROOT, notebooks=sorted(folder.glob("*.ipynb")),
                          progress=lambda m: None)
        runs.append({p.name: p.read_bytes() for p in [*folder.glob("*.ipynb"), *site]})
    assert runs[0].keys() == runs[1].keys()
    for name in runs[0]:
        assert runs[0][name] == runs[1][name], f"{name} differs between two runs"
