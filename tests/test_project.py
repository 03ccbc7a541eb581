"""One Project: every command and notebook works from one load of the project's files, each claim is assessed once,
and the package itself holds nothing of any one article (its drug, its condition, its snapshot date)."""

from __future__ import annotations

import re

import pytest
from support import ROOT, copy_project

import evidence.judge.verdict as verdict
import evidence.register.project as project_module
from evidence import cli
from evidence.errors import DataError
from evidence.register.project import load_project

PACKAGE = ROOT / "src" / "evidence"
CLAIMS = len(load_project(ROOT).claims)


@pytest.fixture
def counted(monkeypatch):
    """How often the project is loaded (its evidence.toml read) and a claim assessed."""
    counts = {"loads": 0, "assessed": []}
    load_config, assess_claim = project_module.load_config, verdict.assess_claim

    def counting_load(root):
        counts["loads"] += 1
        return load_config(root)

    def counting_assess(claim, *args, **kwargs):
        counts["assessed"].append(claim.claim_id)
        return assess_claim(claim, *args, **kwargs)

    monkeypatch.setattr(project_module, "load_config", counting_load)
    monkeypatch.setattr(verdict, "assess_claim", counting_assess)
    return counts


@pytest.mark.parametrize("argv", [["check"], ["check", "--format", "json"], ["check", "--claim", "C04"],
                                  ["cite", "--format", "bibtex"], ["claimreview"]])
def test_a_command_loads_the_project_once_and_assesses_each_claim_once(counted, argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path))  # a project with no assessments cached yet
    assert cli.main(argv) == 0
    first = capsys.readouterr().out
    assert counted["loads"] == 1
    assert sorted(counted["assessed"]) == sorted(set(counted["assessed"])) and len(counted["assessed"]) == CLAIMS
    assert cli.main(argv) == 0  # the second time the assessments are read back by their content key
    assert capsys.readouterr().out == first
    assert counted["loads"] == 2 and len(counted["assessed"]) == CLAIMS


def test_the_report_loads_the_project_once_and_assesses_each_claim_once(counted, monkeypatch, tmp_path):
    from evidence.present import report
    from evidence.settings import Settings

    project = copy_project(tmp_path)
    (project / "notebooks" / "00-overview.ipynb").write_bytes((ROOT / "notebooks" / "00-overview.ipynb").read_bytes())
    built = {}
    monkeypatch.setattr(report, "_execute", lambda path: path)  # the kernels are other processes; not counted here
    monkeypatch.setattr(report, "build_book", lambda out, notebooks, assessments, **kw: built.update(
        assessments=assessments, brief=kw["extra_pages"]) or out / "index.html")
    monkeypatch.setattr(report, "find_chromium", lambda named: None)
    assert report.run_report(Settings.from_env({"EVIDENCE_MODE": "offline"}, root=project),
                             progress=lambda message: None) == 0
    assert counted["loads"] == 1
    assert len(counted["assessed"]) == CLAIMS == len(built["assessments"])
    assert "brief.html" in built["brief"]


def _package_files():
    return sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_the_package_names_no_article_drug_condition_or_snapshot_date():
    """The first article's subject lives in its project (claims.csv, rules/, data/, evidence.toml); the package
    ships neutral defaults only. Every file of the package is read: code, rule tables, templates."""
    subject = re.compile(r"ketamine|esketamine|\bPTSD\b|post-?traumatic|midazolam", re.I)
    snapshot = load_project(ROOT).config
    dates = re.compile("|".join(re.escape(d) for d in (snapshot.entrez_date, snapshot.snapshot_date.isoformat())))
    found = [f"{p.relative_to(PACKAGE)}:{n}: {line.strip()[:80]}"
             for p in _package_files() for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if subject.search(line) or dates.search(line)]
    assert found == []


def test_a_project_without_its_own_rule_tables_uses_the_neutral_defaults(tmp_path):
    from evidence.rules.article import load_article_rules

    neutral = load_article_rules(None)
    assert set(neutral.outcome_scales) == {"SMD"} and set(neutral.time_windows) == {"any"}
    ours = load_article_rules(ROOT / "rules")
    assert {"CAPS-5", "MADRS", "SMD"} <= set(ours.outcome_scales)  # the project's rows, then the defaults
    assert list(ours.time_windows)[-1] == "any"
    project = copy_project(tmp_path)
    (project / "rules" / "outcome_scales.csv").unlink()
    with pytest.raises(DataError, match=r"effect_family .ptsd_symptoms. is not one of any, standardized"):
        load_project(project)
