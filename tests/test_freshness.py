"""The report redoes only what changed, and assessments are read back by content key: the keys cover every input (a
changed data file, rule table or notebook cell is seen), and the cache rebuilds nothing but the package's own
records."""

from __future__ import annotations

import json

import pytest
from support import ROOT, copy_project

from evidence.judge.verdict import assess_project
from evidence.present.freshness import (ASSESSMENT_CACHE, FreshnessLog, cached_assessments, decode, encode,
                                        notebook_digest, project_digest)
from evidence.register.project import load_project


def test_the_project_digest_sees_every_input_and_nothing_else(tmp_path):
    project = copy_project(tmp_path)
    before = project_digest(project)
    assert project_digest(project) == before  # deterministic
    (project / "reports").mkdir()
    (project / "reports" / "brief.pdf").write_bytes(b"an output, not an input")
    assert project_digest(project) == before
    for name in ("claims.csv", "rules/outcome_scales.csv", "data/effects.csv", "evidence.toml",
                 "notebooks/groups.csv"):
        path = project / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert project_digest(project) != before, name
        path.write_bytes(original)
    assert project_digest(project) == before


def test_a_notebook_key_follows_its_sources_not_its_outputs(tmp_path):
    import nbformat

    path = tmp_path / "n.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1", id="a")])
    nbformat.write(notebook, path)
    key = notebook_digest(path, "inputs")
    notebook.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    nbformat.write(notebook, path)
    assert notebook_digest(path, "inputs") == key
    assert notebook_digest(path, "other inputs") != key
    notebook.cells[0].source = "1 + 2"
    nbformat.write(notebook, path)
    assert notebook_digest(path, "inputs") != key


def test_a_step_is_fresh_only_with_the_same_key_and_the_output_it_left(tmp_path):
    log = FreshnessLog(tmp_path / "build" / "state.json")
    assert not log.fresh("execute a", "k1", "o1")
    log.record("execute a", "k1", "o1")
    again = FreshnessLog(tmp_path / "build" / "state.json")  # written whole, read back
    assert again.fresh("execute a", "k1", "o1")
    assert not again.fresh("execute a", "k2", "o1")  # an input changed
    assert not again.fresh("execute a", "k1", "o2")  # the output was edited or deleted by hand
    assert not again.fresh("execute a", "k1", "")
    (tmp_path / "build" / "state.json").write_text("{not json", encoding="utf-8")
    assert FreshnessLog(tmp_path / "build" / "state.json").records == {}  # damage costs a full run, not a crash


def test_assessments_round_trip_through_the_codec_exactly():
    assessments = assess_project(load_project(ROOT))
    assert decode(json.loads(json.dumps(encode(assessments)))) == assessments


@pytest.mark.parametrize("planted", [
    {"$dataclass": "subprocess:Popen", "fields": {"args": ["true"]}},
    {"$dataclass": "evidence.settings:Settings.from_env", "fields": {}},
    {"$dataclass": "evidence.judge.verdict:assess_project", "fields": {}},
    {"__reduce__": "os.system"},
])
def test_the_codec_builds_only_evidence_dataclasses(planted):
    with pytest.raises(ValueError, match="refusing|did not write"):
        decode(planted)


def test_cached_assessments_are_computed_once_and_recomputed_when_an_input_changes(tmp_path):
    project = copy_project(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return assess_project(load_project(project))

    first = cached_assessments(project, {}, compute)
    assert cached_assessments(project, {}, compute) == first and len(calls) == 1
    (project / "data" / "wording.csv").write_text(
        (project / "data" / "wording.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    cached_assessments(project, {}, compute)
    assert len(calls) == 2
    for path in (project / ASSESSMENT_CACHE).glob("*.json"):
        path.write_text('{"$dataclass": "os:system", "fields": {}}', encoding="utf-8")
    assert cached_assessments(project, {}, compute) == first and len(calls) == 3  # a planted file is not trusted


def test_the_report_redoes_only_the_steps_whose_inputs_changed(tmp_path, monkeypatch):
    import nbformat

    from evidence.present import report
    from evidence.settings import Settings

    project = copy_project(tmp_path)
    for name in ("00-overview.ipynb", "99-methods.ipynb"):
        (project / "notebooks" / name).write_bytes((ROOT / "notebooks" / name).read_bytes())
    executed, books = [], []
    monkeypatch.setattr(report, "_execute", lambda path: executed.append(path.name) or path)

    def build(out, notebooks, assessments, **kwargs):
        books.append(1)
        out.mkdir(exist_ok=True)
        (out / "index.html").write_text(f"book {len(books)}", encoding="utf-8")
        return out / "index.html"

    monkeypatch.setattr(report, "build_book", build)
    monkeypatch.setattr(report, "find_chromium", lambda named: None)
    settings = Settings.from_env({"EVIDENCE_MODE": "offline"}, root=project)

    def run(**kwargs):
        executed.clear()
        report.run_report(settings, progress=lambda message: None, **kwargs)
        return sorted(executed)

    first = run()
    everything = sorted(p.name for p in (project / "notebooks").glob("[0-9][0-9]-*.ipynb"))  # the generated ones too
    assert first == everything and len(everything) == 8 and len(books) == 1
    assert run() == [] and len(books) == 1  # nothing changed: nothing redone
    notebook = nbformat.read(project / "notebooks" / "99-methods.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("A note.", id="note"))
    nbformat.write(notebook, project / "notebooks" / "99-methods.ipynb")
    assert run() == ["99-methods.ipynb"] and len(books) == 2  # one notebook's cells changed: that one, and the book
    (project / "site" / "index.html").write_text("edited by hand", encoding="utf-8")
    assert run() == [] and len(books) == 3  # an output changed by hand is made again
    effects = project / "data" / "effects.csv"
    effects.write_text(effects.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run() == everything  # a data file every notebook reads
    assert run(force=True) == everything
