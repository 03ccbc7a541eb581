"""The blind review packet (`evidence packet`): every claim, the evidence a rater needs, none of the engine's answer,
and register text shown as text."""

from __future__ import annotations

import dataclasses

from markdown_it import MarkdownIt
from support import ROOT, copy_project

from evidence import cli
from evidence.judge.verdict import assess_project
from evidence.present.packet import claim_packet
from evidence.register.project import load_project


def test_the_packet_has_every_claim_and_none_of_the_engines_answers(tmp_path, monkeypatch, capsys):
    project = load_project(ROOT)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "packet"
    assert cli.main(["packet", "--out", str(out)]) == 0
    assert "19 claims, no verdicts" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == sorted(["README.md", *(f"{c.claim_id}.md" for c in project.claims)])
    assert "What a verdict means" in (out / "README.md").read_text(encoding="utf-8")
    for assessment in assess_project(project):
        page = (out / f"{assessment.claim.claim_id}.md").read_text(encoding="utf-8")
        assert assessment.claim.statement in page
        # the rules' verdict, certainty and reasons stay out of what the raters read
        assert "verdict" not in page.lower() and assessment.verdict_reason not in page
        for study_id in {s.study_id for _, s, _ in assessment.evidence}:
            assert study_id in page


def test_register_text_in_the_packets_tables_stays_text(tmp_path):
    root = copy_project(tmp_path / "project")
    project = load_project(root)
    hostile = "10.1234/a|[click](https://evil.example/x)|![t](https://evil.example/p.png)|<b>bold</b>"
    row, study = project.register.for_claim("C01")[0]
    studies = {**project.register.studies, f"doi:{hostile}": dataclasses.replace(study, study_id=f"doi:{hostile}",
                                                                                  first_author="<i>Lin</i>")}
    evidence = tuple(dataclasses.replace(r, study_id=f"doi:{hostile}") if r is row else r
                     for r in project.register.evidence)
    project = dataclasses.replace(project, register=dataclasses.replace(project.register, studies=studies,
                                                                        evidence=evidence))
    html = MarkdownIt("commonmark").enable("table").render(claim_packet(project, project.claim("C01")))
    assert "<a " not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;i&gt;Lin&lt;/i&gt;" in html
