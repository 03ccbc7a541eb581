"""data/effects.csv, published_pools.csv, members.csv, risk_of_bias.csv and authorities.csv: the committed files
are valid and complete, each kind of broken row is named by file, line and column, and every effect claim's section
shows a pool with its forest plot or says plainly why there is none."""

from __future__ import annotations

import json

import nbformat
import pytest
from support import ROOT, copy_project, read_csv, write_csv

from evidence import cli
from evidence.errors import DataError
from evidence.judge.verdict import assess_project
from evidence.present.sections import basis_summary, authorities_card
from evidence.register.effects import (
    AUTHORITY_COLUMNS,
    EFFECT_COLUMNS,
    INDIRECTNESS_COLUMNS,
    POOL_COLUMNS,
    ROB_COLUMNS,
)
from evidence.register.project import load_project, load_register

PROJECT = load_project(ROOT)
REGISTER = PROJECT.register
ASSESSMENTS = {a.claim.claim_id: a for a in assess_project(PROJECT)}
EFFECT_TYPES = {"efficacy", "speed", "durability", "combination-therapy"}


def test_every_number_names_its_page_and_place():
    data = REGISTER.effect_data
    assert (len(data.effects) >= 40 and len(data.pools) >= 15
            and len(data.authorities) >= 15)  # only positions read on the body's own page
    for row in [*data.effects, *data.pools]:
        assert row.source_url.startswith("http") and row.where, (row.study_id, row.line)


def test_every_effect_claim_has_a_pool_or_says_why_not():
    """Each efficacy, speed, durability and combination claim, and each effect claim on depression or suicidality:
    a pool with a forest plot, or a plain statement of why none is possible and what the single trial found."""
    effect_claims = [c for c in REGISTER.claims if c.claim_type in EFFECT_TYPES or c.effect_family in
                     ("depressive_symptoms", "suicidal_ideation")]
    assert {c.claim_id for c in effect_claims} >= {"C04", "C08", "C09", "C13", "C14", "C15", "C17"}
    for claim in effect_claims:
        synthesis = ASSESSMENTS[claim.claim_id].synthesis
        assert synthesis.family, f"{claim.claim_id} asks no effect question in claims.csv"
        assert synthesis.reason
        if synthesis.basis == "single":
            assert synthesis.single is not None
        page = next(p for p in (ROOT / "notebooks").glob(f"*-{claim.group}.ipynb"))
        cells = {c.get("id"): c for c in nbformat.read(page, as_version=4).cells}
        forest = cells[f"{claim.claim_id.lower()}-forest"].outputs[0]["data"]
        pool_text = cells[f"{claim.claim_id.lower()}-pool"].outputs[0]["data"]["text/markdown"]
        assert synthesis.reason in pool_text
        if synthesis.pool or synthesis.single or synthesis.basis_pool:
            assert "image/png" in forest, claim.claim_id
        else:
            assert "Nothing to draw" in forest["text/markdown"], claim.claim_id


def test_the_depression_pool_keeps_the_pooled_analysis_out():
    pool = ASSESSMENTS["C13"].synthesis.pool
    assert pool.k >= 3 and "pmid:34412104" not in {s.study_id for s in pool.studies}
    assert ("Canuso 2021", "pools trials that are included individually") in ASSESSMENTS["C13"].synthesis.excluded


@pytest.mark.parametrize(("name", "columns", "change", "column", "message"), [
    ("effects.csv", EFFECT_COLUMNS, {"outcome": "HAMD-99"}, "outcome", "not in rules/outcome_scales.csv"),
    ("effects.csv", EFFECT_COLUMNS, {"study_id": "pmid:1"}, "study_id", "not in data/studies.csv"),
    ("effects.csv", EFFECT_COLUMNS, {"claim_ids": "C04 C99"}, "claim_ids", "claim 'C99' is not in claims.csv"),
    ("effects.csv", EFFECT_COLUMNS, {"se": "-2"}, "se", "must be positive"),
    ("effects.csv", EFFECT_COLUMNS, {"estimate": "big"}, "estimate", "is not a number"),
    ("effects.csv", EFFECT_COLUMNS, {"where": ""}, "where", "where is empty"),
    ("effects.csv", EFFECT_COLUMNS, {"window": "someday"}, "window", "window 'someday' is not one of"),
    ("effects.csv", EFFECT_COLUMNS, {"value_kind": "delta"}, "value_kind", "value_kind 'delta' is not one of"),
    ("effects.csv", EFFECT_COLUMNS, {"outcome_role": "main"}, "outcome_role", "outcome_role 'main' is not one of"),
    ("effects.csv", EFFECT_COLUMNS, {"crossover": "paired"}, "crossover", "on a study whose design is rct"),
    ("effects.csv", EFFECT_COLUMNS, {"baseline_treat": "20"}, "baseline_control", "baseline means come in pairs"),
    ("risk_of_bias.csv", ROB_COLUMNS, {"missing_outcome_data": "bad"}, "missing_outcome_data", "is not one of"),
    ("indirectness.csv", INDIRECTNESS_COLUMNS, {"population": "partly"}, "population", "'partly' is not one of"),
    ("indirectness.csv", INDIRECTNESS_COLUMNS, {"reason": ""}, "reason", "reason is empty"),
    ("indirectness.csv", INDIRECTNESS_COLUMNS, {"claim_id": "C99"}, "claim_id", "not in claims.csv"),
    ("published_pools.csv", POOL_COLUMNS, {"k": "2.5"}, "k", "not a positive whole number"),
    ("published_pools.csv", POOL_COLUMNS, {"role": "main"}, "role", "role 'main' is not one of"),
    ("authorities.csv", AUTHORITY_COLUMNS, {"position": "maybe"}, "position", "position 'maybe' is not one of"),
    ("authorities.csv", AUTHORITY_COLUMNS, {"year": "23"}, "year", "not a four-digit year"),
])
def test_broken_rows_name_file_line_and_column(tmp_path, name, columns, change, column, message):
    project = copy_project(tmp_path)
    path = project / "data" / name
    rows = read_csv(path)
    rows[1].update(change)
    write_csv(path, columns, rows)
    with pytest.raises(DataError) as caught:
        load_register(project)
    assert (caught.value.file, caught.value.line, caught.value.column) == (f"data/{name}", 3, column)
    assert message in str(caught.value)


@pytest.mark.parametrize("name", ["effects.csv", "published_pools.csv", "members.csv", "risk_of_bias.csv",
                                  "authorities.csv", "trials.csv", "studies.csv", "evidence.csv",
                                  "verdict_overrides.csv", "wording.csv", "article_review.csv"])
def test_a_missing_data_file_is_an_error_that_says_how_to_restore_it(tmp_path, name):
    # a deleted effects.csv used to mean "no numbers" and changed verdicts with exit 0
    project = copy_project(tmp_path)
    (project / "data" / name).unlink()
    with pytest.raises(DataError, match=rf"data/{name}: the file is missing. Fix: restore it \(git checkout -- "
                                        rf"data/{name}\), or create it with the header"):
        load_project(project)


def test_a_header_only_data_file_means_none_of_its_kind(tmp_path):
    project = copy_project(tmp_path)
    for name in ("effects.csv", "authorities.csv"):
        text = (project / "data" / name).read_text(encoding="utf-8")
        (project / "data" / name).write_text(text.splitlines()[0] + "\n", encoding="utf-8")
    register = load_register(project)
    assert register.effect_data.effects == () and register.effect_data.authorities == ()


def test_the_section_says_where_we_differ_from_an_authority_and_why():
    """An authority whose position leans the other way from our verdict gets a line saying where and why we differ;
    one that leans our way does not."""
    from evidence.vocab import POSITION_LEANING, VERDICT_LEANING

    assessment = ASSESSMENTS["C13"]
    text = authorities_card(assessment).data
    assert "| NICE | 2022 | insufficient evidence |" in text
    ours = VERDICT_LEANING[assessment.verdict]
    for authority in assessment.authorities:
        differs = POSITION_LEANING[authority.position] != ours
        year = f" ({authority.year})" if authority.year else ""
        assert (f"*Where we differ from {authority.body}{year}:*" in text) == differs, authority.body
    assert any(POSITION_LEANING[a.position] != ours for a in assessment.authorities)
    assert basis_summary(assessment) in text
    assert "No guideline" in authorities_card(ASSESSMENTS["C07"]).data


def test_check_json_carries_pools_domains_and_authorities(monkeypatch, capsys):
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    assert cli.main(["check", "--format", "json"]) == 0
    rows = {r["claim_id"]: r for r in json.loads(capsys.readouterr().out)}
    c13 = rows["C13"]
    assert c13["route"] == "effect" and c13["direction"] == ASSESSMENTS["C13"].direction
    ours = next(p for p in c13["pools"] if p["source"] == "this project")
    pool = ASSESSMENTS["C13"].synthesis.pool
    assert ours["k"] == pool.k == len(ours["members"]) and len(ours["ci"]) == 2 and ours["prediction_interval"]
    assert (ours["tau2_method"], ours["ci_method"]) == ("REML", "mHK") and len(ours["tau2_ci"]) == 2
    assert {"study_id", "trial_id", "estimate", "se", "n"} <= set(ours["members"][0])
    assert ours["robust"] is pool.robust and ours["sensitivity"][0]["kind"] == "main"
    assert [(d["domain"], d["levels"]) for d in c13["domains"]] == \
        [(d.name, d.levels) for d in ASSESSMENTS["C13"].domains]
    assert any(a["body"] == "NICE" for a in c13["authorities"])
    assert rows["C05"]["route"] == "design" and rows["C05"]["pools"] == []


def test_check_json_lists_notices_from_pubmed_records(monkeypatch, capsys):
    from dataclasses import replace

    from support import article_set

    from evidence.sources.records import parse_pubmed_xml

    retracted = parse_pubmed_xml(article_set("99000004"))[0]
    study = next(s for _, s, _ in ASSESSMENTS["C04"].evidence if s.pmid)
    from evidence.present import workspace

    real = workspace.load_workspace

    def with_notice(*args, **kwargs):
        loaded = real(*args, **kwargs)
        loaded.records = {study.pmid: replace(retracted, pmid=study.pmid)}
        return loaded

    monkeypatch.setattr(workspace, "load_workspace", with_notice)
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    assert cli.main(["check", "--format", "json"]) == 0
    rows = {r["claim_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert {"study_id": study.study_id, "kind": "retraction", "notice_pmid": "99000005"} in rows["C04"]["notices"]
