"""The notebooks: the group notebooks are what `evidence notebooks` generates from claims.csv, every
claim has one section, committed outputs are clean, and a researcher who leaves a study out of a
section and re-runs it sees the verdict move.

nbval executes every committed notebook once (figures compared too, see notebooks/conftest.py); the
tests here execute only a trimmed copy of one section.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from support import RULES, ROOT, copy_project

from evidence import cli
from evidence.errors import DataError
from evidence.judge.verdict import assess_claim
from evidence.present.execute import execute_notebook, notebook_paths
from evidence.present.nbval_ipc import IPCKernelManager
from evidence.present.notebook import group_pages, render_group_notebook, write_group_notebooks
from evidence.register.claims import load_claims
from evidence.register.project import load_project

CLAIMS = load_claims(ROOT / "claims.csv", RULES)
NOTEBOOKS = notebook_paths(ROOT)
PAGES = group_pages(load_project(ROOT))


def sources(notebook) -> list[tuple[str, str, str]]:
    return [(cell.get("id"), cell.cell_type, cell.source) for cell in notebook.cells]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_committed_group_notebooks_are_what_the_generator_writes(page):
    committed = nbformat.read(ROOT / "notebooks" / f"{page.stem}.ipynb", as_version=4)
    assert sources(committed) == sources(render_group_notebook(page)), (
        f"{page.stem}.ipynb is not what `evidence notebooks` generates from claims.csv; run `python3 tasks.py report`"
    )


def test_every_claim_has_exactly_one_section_in_the_notebook_of_its_group():
    seen: dict[str, str] = {}
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            for claim_id in re.findall(r'<a id="claim-(C\d+)"></a>',
                                       cell.source if cell.cell_type == "markdown" else ""):
                assert claim_id not in seen, f"{claim_id} is shown in {seen[claim_id]} and {path.name}"
                seen[claim_id] = path.name
    assert sorted(seen) == sorted(c.claim_id for c in CLAIMS)
    for claim in CLAIMS:
        assert seen[claim.claim_id].split("-", 1)[1] == f"{claim.group}.ipynb", claim.claim_id


def test_a_new_claim_gets_a_section_once_its_group_is_listed(tmp_path):
    project = copy_project(tmp_path)
    text = (project / "claims.csv").read_text(encoding="utf-8").rstrip("\n").splitlines()
    new = text[4].replace("C04,", "C20,", 1).replace(",efficacy,efficacy,", ",dosing,efficacy,", 1)
    (project / "claims.csv").write_text("\n".join([*text, new]) + "\n", encoding="utf-8")
    folder = project / "notebooks"
    before = sorted(p.name for p in folder.iterdir())
    # a typo in a group no longer adds a chapter silently: the group must be one of groups.csv
    with pytest.raises(DataError, match=r"claims.csv, line 21, column 'group': group 'dosing' is not in "
                                        r"notebooks/groups.csv. Fix: use one of background, mechanism"):
        load_project(project)
    assert sorted(p.name for p in folder.iterdir()) == before
    groups = folder / "groups.csv"
    groups.write_text(groups.read_text(encoding="utf-8") + "dosing,Dosing,\n", encoding="utf-8")
    written = write_group_notebooks(load_project(project))
    assert [p.name for p in written][-1] == "07-dosing.ipynb"
    notebook = nbformat.read(folder / "07-dosing.ipynb", as_version=4)
    assert notebook.cells[0].source.startswith("# 07 · Dosing")
    assert any('ws.evidence("C20")' in cell.source for cell in notebook.cells)
    again = {p: p.read_bytes() for p in written}
    write_group_notebooks(load_project(project))
    assert {p: p.read_bytes() for p in written} == again  # regenerating rewrites nothing
    groups.write_text(groups.read_text(encoding="utf-8") + "nosuch,Nothing,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"notebooks/groups.csv.*'nosuch' has no claim.*Fix: use one of background"):
        load_project(project)


@pytest.mark.parametrize("group", ["../../x", "x/../../y", "Efficacy"])
def test_a_group_that_could_leave_the_folder_is_refused_and_nothing_is_written(tmp_path, group, monkeypatch,
                                                                              capsys):
    project = copy_project(tmp_path / "project")
    text = (project / "claims.csv").read_text(encoding="utf-8")
    (project / "claims.csv").write_text(text.replace(",efficacy,efficacy,", f",{group},efficacy,", 1),
                                        encoding="utf-8")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    monkeypatch.chdir(project)
    assert cli.main(["notebooks"]) == 2
    assert "column 'group'" in capsys.readouterr().err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


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
    assert not re.search(r"(?<![\w.-])/(root|work|home|tmp)/", text), "machine path in outputs"
    assert not re.search(r" at 0x[0-9a-f]{6,}", text), "memory address in outputs"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    # a section's screening and flow cells show nothing when the snapshot holds no search (its search card says so)
    quiet = [cell for cell in code if cell.id.endswith(("-screening", "-flow"))]
    assert sum(1 for cell in code if cell.outputs or cell in quiet) >= len(code) - 1, "committed without outputs"
    for cell in code:
        assert cell.execution_count is not None
        assert "execution" not in cell.metadata
        for output in cell.outputs:
            assert output.output_type != "error"
            assert not (output.output_type == "stream" and output.name == "stderr"), output.text


def _verdict_text(notebook, claim_id: str) -> str:
    cell = next(c for c in notebook.cells if c.get("id") == f"{claim_id.lower()}-verdict")
    return cell.outputs[0]["data"]["text/markdown"]


def test_leaving_a_study_out_of_a_section_moves_its_verdict(tmp_path):
    """A researcher copies the efficacy notebook, leaves the large null trial and the meta-analysis the verdict
    rests on out of C04, and re-runs the section: counts, pool and verdict follow."""
    source = ROOT / "notebooks" / "03-efficacy.ipynb"
    committed = nbformat.read(source, as_version=4)
    section = [c for c in committed.cells if c.get("id") in ("setup",) or str(c.get("id", "")).startswith("c04-")]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.from_dict(dict(c)) for c in section],
                                        metadata=committed.metadata)
    evidence_cell = next(c for c in notebook.cells if c.id == "c04-evidence")
    assert '# evidence = exclude(evidence, "<study_id>")' in evidence_cell.source
    evidence_cell.source = evidence_cell.source.replace(
        '# evidence = exclude(evidence, "<study_id>")',
        'evidence = exclude(evidence, "pmid:35046508", "doi:10.1080/20008066.2023.2299124")')
    copy = tmp_path / "03-efficacy.ipynb"
    nbformat.write(notebook, copy)
    execute_notebook(copy)
    executed = nbformat.read(copy, as_version=4)
    for cell in executed.cells:  # what execute_notebook writes: counts kept (nbval needs them), no timing
        assert cell.cell_type != "code" or (cell.execution_count is not None and "execution" not in cell.metadata)
    figure = next(c for c in executed.cells if c.id == "c04-figure")
    assert any("image/png" in output.get("data", {}) for output in figure.outputs)
    before, after = _verdict_text(committed, "C04"), _verdict_text(executed, "C04")
    assert before != after
    assert "1 contrasts" in after and "2 contrasts" in before
    # the section shows what the package computes for the register without those two studies
    project = load_project(ROOT)
    left = {"pmid:35046508", "doi:10.1080/20008066.2023.2299124"}
    linked = [(r, s) for r, s in project.register.for_claim("C04") if s.study_id not in left]
    expected = assess_claim(project.claim("C04"), linked, effect_data=project.register.effect_data,
                            studies=project.register.studies, as_of=project.config.snapshot_date)
    assert f"**Verdict: {expected.verdict}** · certainty **{expected.certainty}**" in after
    assert expected.profile.basis_label in after and expected.profile.basis_label not in before
    pool_before, pool_after = (next(c for c in nb.cells
                                    if c.get("id") == "c04-pool").outputs[0]["data"]["text/markdown"]
                               for nb in (committed, executed))
    assert "Borgogna 2024 (g" in pool_before and "Borgogna" not in pool_after  # among the pools not used


def test_nbval_kernels_listen_on_unix_sockets_not_tcp_ports(tmp_path):
    """The plugin in pyproject.toml's addopts: a kernel nbval starts takes no TCP port, so none of the
    suite's loopback servers and connections can take its port before it binds."""
    import nbval.kernel

    assert nbval.kernel.KernelManager is IPCKernelManager
    manager, client = nbval.kernel.start_new_kernel(kernel_name=nbval.kernel.CURRENT_ENV_KERNEL_NAME, cwd=str(tmp_path))
    try:
        info = manager.get_connection_info()
        assert info["transport"] == "ipc" and info["ip"].startswith("/")
        for channel in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
            assert Path(f"{info['ip']}-{info[channel]}").is_socket(), channel
        reply = client.execute_interactive("answer = 6 * 7", timeout=60)
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
