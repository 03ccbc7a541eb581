"""Bad input that used to be taken silently is refused in one line, and nothing is written: contradictory options,
a PMID that neither the claim's search nor the register holds (unless --force, which the log records), fractional
counts, malformed option values. The fixture records at the double are synthetic, never real data."""

from __future__ import annotations

import datetime as dt

import pytest
from support import ROOT, RULES, SENTINEL_KEY, copy_project, read_csv, write_csv

from evidence import cli
from evidence.errors import DataError, InputError
from evidence.register.claims import load_claims
from evidence.register.effects import EFFECT_COLUMNS, POOL_COLUMNS, TRIAL_COLUMNS
from evidence.register.project import load_project, load_register
from evidence.screening import EXPORT_COLUMNS, SCREENING_COLUMNS, ScreeningLog
from evidence.sources.pubmed import normalize_pmid


def snapshot(root):
    """Every file under ``root`` (path -> bytes): what a refused command must leave as it was. The empty lock files
    that `screen` takes beside the files it reads (data/.screening.csv.lock; ignored by git and by the report's
    freshness key) are no content, and are left out."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    return root


def registered(root, claim_id="C04", count=1):
    """PMIDs the register holds for ``claim_id``: known records, which need no --force."""
    return [s.pmid for _, s in load_register(root).for_claim(claim_id) if s.pmid][:count]


def one_line_error(capsys, code_expected, code):
    err = capsys.readouterr().err
    assert code == code_expected, err
    assert err.startswith("evidence: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


# -- contradictory options ---------------------------------------------------------------------------------------
EXCLUDE = ["--reason", "wrong_design"]
INCLUDE = ["--stance", "supports", "--rationale", "A fixture rationale."]


@pytest.mark.parametrize(("argv", "message"), [
    (["screen", "C04", "--include", "{p}", "--exclude", "{p}", *EXCLUDE, *INCLUDE],
     "--include and --exclude name the same record"),
    (["screen", "C04", "--exclude", "{p}", "--maybe", "PMID:{p}", *EXCLUDE],
     "--exclude and --maybe name the same record"),
    (["screen", "C04", "--include", "{p}", "--maybe", "{p}", *INCLUDE], "--include and --maybe name the same record"),
    (["screen", "C04", "--maybe", "{p}", *EXCLUDE], "--reason is the reason for an exclusion, but no --exclude"),
    (["screen", "C04", "--exclude", "{p}", *EXCLUDE, "--stance", "supports"], "--stance is an inclusion's stance"),
    (["screen", "C04", "--maybe", "{p}", "--rationale", "why"], "--rationale is an inclusion's rationale"),
    (["screen", "C04", "--force"], "--force records a PMID given with --include, --exclude or --maybe"),
    (["screen", "C04", "--import", "x.csv", "--export", "x.csv"], "--import and --export name the same file"),
    (["screen", "C04", "--asreview-import", "a.ris", "--asreview-export", "./a.ris"], "name the same file"),
    (["screen", "C04", "--export", "data/candidates.csv"], "would write into the project's inputs"),
    (["cite", "--out", "claims.csv"], "--out claims.csv would write into the project's inputs"),
    (["pools", "--out", "data/effects.csv"], "would write into the project's inputs (data/effects.csv)"),
    (["claimreview", "--out", "evidence.toml"], "would write into the project's inputs"),
    (["refresh", "--report", "rules/comparators.csv"], "would write into the project's inputs"),
    (["brief", "--html-only", "--out", "data/brief.pdf"], "--out data/brief.html would write into the project's"),
    (["brief", "--html-only", "--out", "."], "--out . is a folder; it names the PDF to write"),
    (["packet", "--out", "."], "is the project's own folder"),
    (["packet", "--out", "data"], "is the project's own folder"),
    (["update", "--until", "2001/01/01"], "is not after the snapshot date"),
    (["init", "--map", "elsewhere", "--title", "A title"], "--title set up a new project"),
])
def test_contradictory_options_are_refused_in_one_line_and_write_nothing(project, capsys, argv, message):
    pmid = registered(project)[0]
    before = snapshot(project)
    code = cli.main([a.replace("{p}", pmid) for a in argv])
    assert message in one_line_error(capsys, 2, code)
    assert snapshot(project) == before


def test_an_import_and_an_option_that_decide_one_record_differently_are_refused(project, capsys, tmp_path):
    pmid = registered(project)[0]
    export = write_csv(tmp_path / "decisions.csv", EXPORT_COLUMNS, [{
        "claim_id": "C04", "pmid": pmid, "decision": "include", "stance": "supports", "rationale": "Fixture."}])
    before = snapshot(project)
    code = cli.main(["screen", "C04", "--import", str(export), "--exclude", pmid, *EXCLUDE])
    err = one_line_error(capsys, 2, code)
    assert f"PMID {pmid} is given two decisions for C04" in err and "decisions.csv, line 2" in err
    assert snapshot(project) == before


def test_one_option_per_decision_carries_its_own_details(project, capsys):
    include, exclude = registered(project, count=2)
    # --reason belongs to the exclusion only: the maybe beside it is recorded without one
    assert cli.main(["screen", "C04", "--exclude", exclude, *EXCLUDE, "--maybe", include]) == 0
    rows = {r["pmid"]: r for r in read_csv(project / "data" / "screening.csv")}
    assert (rows[exclude]["decision"], rows[exclude]["reason"]) == ("exclude", "wrong_design")
    assert (rows[include]["decision"], rows[include]["reason"]) == ("maybe", "")


# -- unknown PMIDs ---------------------------------------------------------------------------------------------------
def test_an_unknown_pmid_is_refused_offline_unless_forced_and_the_log_says_it_was(project, capsys):
    before = snapshot(project)
    code = cli.main(["screen", "C04", "--exclude", "12345678", *EXCLUDE])
    err = one_line_error(capsys, 2, code)
    assert "PMID 12345678 is not among the register" in err and "snapshot holds no search for C04" in err
    assert "--force" in err and "nothing was recorded" in err
    assert snapshot(project) == before

    assert cli.main(["screen", "C04", "--exclude", "12345678", *EXCLUDE, "--force"]) == 0
    out = capsys.readouterr().out
    assert "recorded 1 decision(s) in data/screening.csv (1 forced: 12345678)" in out and "(forced)" in out
    known = registered(project)[0]
    assert cli.main(["screen", "C04", "--maybe", known]) == 0  # in the register: no --force needed
    rows = read_csv(project / "data" / "screening.csv")
    assert [(r["pmid"], r["forced"]) for r in rows] == [("12345678", "yes"), (known, "")]
    log = ScreeningLog.load(project, [c.claim_id for c in load_register(project).claims])
    assert [d.forced for d in log.in_order("C04")] == [True, False]

    # decided again, the forced PMID keeps its mark: being in the log makes it known, not found by a search
    assert cli.main(["screen", "C04", "--maybe", "12345678"]) == 0
    rows = read_csv(project / "data" / "screening.csv")
    assert [(r["pmid"], r["decision"], r["forced"]) for r in rows] == [(known, "maybe", ""),
                                                                       ("12345678", "maybe", "yes")]


def test_with_the_search_at_hand_its_hits_are_known_and_others_are_not(tmp_path, double, monkeypatch, capsys):
    root = copy_project(tmp_path / "project")
    claim = next(c for c in load_claims(root / "claims.csv", RULES) if c.claim_id == "C04")
    hits = [str(82_000_000 + i) for i in range(5)]
    double.add_synthetic(hits, start=dt.date(2010, 1, 1))
    double.add_search(claim.search_query, hits)
    monkeypatch.chdir(root)
    for name, value in dict(EVIDENCE_MODE="cached", NCBI_EMAIL="tests@example.org", NCBI_API_KEY=SENTINEL_KEY,
                            EVIDENCE_EUTILS_BASE=double.base, EVIDENCE_CACHE_DIR=str(root / "cache")).items():
        monkeypatch.setenv(name, value)
    before = (root / "data" / "screening.csv").read_bytes()
    code = cli.main(["screen", "C04", "--exclude", "82000099", *EXCLUDE])
    assert "PMID 82000099 is not among C04's 5 search hits, nor in the register" in one_line_error(capsys, 2, code)
    assert (root / "data" / "screening.csv").read_bytes() == before
    assert cli.main(["screen", "C04", "--exclude", hits[0], *EXCLUDE]) == 0
    assert [(r["pmid"], r["forced"]) for r in read_csv(root / "data" / "screening.csv")] == [(hits[0], "")]


def test_a_log_written_before_the_forced_column_still_loads_and_gains_it_when_written(project, capsys):
    log = project / "data" / "screening.csv"
    known = registered(project, count=2)
    log.write_text(f"claim_id,pmid,decision,reason,screened_on\nC04,{known[0]},exclude,wrong_design,2026-12-01\n",
                   encoding="utf-8")
    claim_ids = [c.claim_id for c in load_register(project).claims]
    assert [(d.pmid, d.forced) for d in ScreeningLog.load(project, claim_ids).in_order("C04")] == [(known[0], False)]
    assert cli.main(["screen", "C04", "--maybe", known[1]]) == 0
    assert log.read_text(encoding="utf-8").splitlines() == [
        ",".join(SCREENING_COLUMNS), f"C04,{known[0]},exclude,wrong_design,2026-12-01,",
        f"C04,{known[1]},maybe,,{dt.date.today().isoformat()},"]


def test_a_forced_value_other_than_yes_names_its_line_and_column(project):
    log = project / "data" / "screening.csv"
    log.write_text(",".join(SCREENING_COLUMNS) + "\nC04,12345678,maybe,,2026-12-01,perhaps\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        ScreeningLog.load(project, ["C04"])
    assert (caught.value.file, caught.value.line, caught.value.column) == ("data/screening.csv", 2, "forced")


@pytest.mark.parametrize("text", ["١٢٣٤٥", "１２３", "12\n3", "0123", "1234567890", "12a"])
def test_a_pmid_is_ascii_digits_only(text):
    with pytest.raises(InputError, match="is not a PMID"):
        normalize_pmid(text)


# -- counts ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "columns", "column", "value"), [
    ("effects.csv", EFFECT_COLUMNS, "n_treat", "12.5"),
    ("effects.csv", EFFECT_COLUMNS, "n_control", "7.25"),
    ("effects.csv", EFFECT_COLUMNS, "n_treat", "0"),
    ("published_pools.csv", POOL_COLUMNS, "participants", "310.5"),
    ("trials.csv", TRIAL_COLUMNS, "enrollment", "30.5"),
    ("trials.csv", TRIAL_COLUMNS, "enrollment", "-1"),
])
def test_a_fractional_count_names_file_line_column_and_fix(tmp_path, name, columns, column, value):
    # a fractional n was taken as it came and shifted a pool's weights
    root = copy_project(tmp_path)
    path = root / "data" / name
    rows = read_csv(path)
    line = next(i for i, row in enumerate(rows) if row[column])
    rows[line][column] = value
    write_csv(path, columns, rows)
    with pytest.raises(DataError) as caught:
        load_register(root)
    assert (caught.value.file, caught.value.line, caught.value.column) == (f"data/{name}", line + 2, column)
    assert "whole number" in str(caught.value) and "Fix: write the count as printed" in str(caught.value)


def test_a_withdrawn_trial_may_have_enrolled_no_one(tmp_path):
    root = copy_project(tmp_path)
    path = root / "data" / "trials.csv"
    rows = read_csv(path)
    rows[0]["enrollment"] = "0"
    write_csv(path, TRIAL_COLUMNS, rows)
    assert load_register(root).effect_data.trials[0].enrollment == 0


def test_counts_read_as_whole_numbers():
    register = load_register(ROOT)
    counts = [(r.n_treat, r.n_control) for r in register.effect_data.effects]
    assert all(isinstance(n, int) for pair in counts for n in pair if n is not None)


# -- option values ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("argv", "message"), [
    (["screen", "C04", "--limit", "2.5"], "argument --limit: '2.5' is not a whole number of at least 1"),
    (["search", "C04", "--show", "-3"], "argument --show: '-3' is not a whole number of at least 1"),
    (["check", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    (["init", "a.txt", "b", "--snapshot-date", "2024-13-01"], "is not a date; write it as YYYY-MM-DD"),
    (["update", "--until", "tomorrow"], "is not a date; write it as YYYY/MM/DD"),
    (["cite", "--out", "refs\x00.ris"], "is not a usable path"),
    (["pools", "--out", ""], "is not a usable path"),
    (["nosuchverb"], "invalid choice: 'nosuchverb'"),
    (["screen"], "the following arguments are required: claim_id"),
    (["check", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    (["check", "--claim="], "argument --claim: it is empty"),
    (["screen", "C04", "--exclude=", "--reason=wrong_design"], "argument --exclude: it is empty"),
    (["check", "--fail-on", " "], "argument --fail-on: it is empty"),
])
def test_a_bad_option_value_is_one_line_with_the_fix(project, capsys, argv, message):
    before = snapshot(project)
    err = one_line_error(capsys, 2, cli.main(argv))
    assert message in err and "Fix: see `evidence" in err
    assert snapshot(project) == before


# -- control characters ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "line", "column"), [
    ("\x0bclaim_id,wording\nC04,Say less.\n", 1, None),  # in the header, even where stripping would hide it
    ("claim_id,wording\nC04,Say\x00 less.\n", 2, "wording"),
    ("claim_id,wording\nC04,Say less.\n\x0c\n", 3, "claim_id"),  # a line holding only a form feed is no blank line
])
def test_a_control_character_names_file_line_and_column(tmp_path, text, line, column):
    # found by tests/test_fuzz.py: a NUL or a form feed in a cell reached the pages; U+000B before the header passed
    root = copy_project(tmp_path)
    (root / "data" / "wording.csv").write_text(text, encoding="utf-8", newline="")
    with pytest.raises(DataError, match="control character") as caught:
        load_project(root)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("data/wording.csv", line, column)


def test_a_line_separator_inside_a_cell_no_longer_splits_the_row(tmp_path):
    root = copy_project(tmp_path)
    (root / "data" / "wording.csv").write_text("claim_id,wording\nC04,Say\u2028less.\n", encoding="utf-8")
    assert load_project(root).wording["C04"] == "Say\u2028less."
