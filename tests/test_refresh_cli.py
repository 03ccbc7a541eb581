"""`evidence refresh` against the double, and the command line's handling of user errors."""

from __future__ import annotations


import pytest
from support import RULES, ROOT, SENTINEL_KEY, bare_project, read_csv, write_csv

from evidence import cli
from evidence.register.claims import load_claims
from evidence.sources.pubmed import PubMed
from evidence.register.refresh import refresh_register
from evidence.register.project import load_register
from evidence.register.studies import EVIDENCE_COLUMNS, STUDY_COLUMNS

FIXTURE_STUDIES = [
    # study_id, pmid, doi, first_author, year, journal, title
    ("pmid:99000001", "99000001", "10.9999/fixture.0001", "Fixture", "2021", "Fixture J Psychiatry",
     "A fixture trial of N-methyl-D-aspartate antagonism with 103 simulated visits."),
    ("pmid:99000002", "99000002", "", "Fixture Consortium Study Group", "1999", "Fixture Quarterly",
     "A fixture survey of trauma types"),
    ("doi:10.9999/fixture.0004", "", "10.9999/fixture.0004", "Withdrawn", "2015", "Fixture Letters",
     "A retracted fixture study of mice."),
]


@pytest.fixture
def fixture_project(tmp_path):
    """A project whose register holds only fixture studies (never real data)."""
    bare_project(tmp_path)
    studies = [
        [sid, pmid, doi, "", author, year, journal, title, "rct", "30", "fixture", "https://example.org/fixture",
         "2026-11-25", "curated", "", "", "", ""]
        for sid, pmid, doi, author, year, journal, title in FIXTURE_STUDIES
    ]
    write_csv(tmp_path / "data" / "studies.csv", STUDY_COLUMNS, studies)
    claims = load_claims(tmp_path / "claims.csv", RULES)
    evidence = [
        [claim.claim_id, FIXTURE_STUDIES[i % 3][0], "supports", "", "", "", "Fixture row for the tests."]
        for i, claim in enumerate(claims)
    ]
    write_csv(tmp_path / "data" / "evidence.csv", EVIDENCE_COLUMNS, evidence)
    return tmp_path


def test_refresh_reports_mismatches_resolves_dois_and_caches(double, make_settings, fixture_project):
    double.add_search("10.9999/fixture.0004[doi]", ["99000004"])
    settings = make_settings(root=fixture_project)
    report_path = fixture_project / "reports" / "refresh.csv"
    report = refresh_register(load_register(fixture_project), PubMed(settings), report_path=report_path,
                              progress=lambda message: None)
    assert report.resolved_dois == {"doi:10.9999/fixture.0004": "99000004"}
    found = {(m.study_id, m.field): (m.register, m.pubmed) for m in report.mismatches}
    assert found == {
        ("pmid:99000002", "year"): ("1999", "1998"),
        ("doi:10.9999/fixture.0004", "pmid"): ("", "99000004"),
        ("doi:10.9999/fixture.0004", "title"): ("A retracted fixture study of mice.",
                                                "A retracted fixture study of rats."),
        ("doi:10.9999/fixture.0004", "retracted"): ("", "99000005"),
    }
    # the title of 99000002 differs only by its final period, and "Fixture J Psychiatry" abbreviates
    # "Fixture Journal of Psychiatry": neither is reported
    rows = read_csv(report_path)
    assert len(rows) == len(report.mismatches)
    assert list(rows[0]) == ["study_id", "pmid", "field", "register", "pubmed", "note"]
    assert ({(r["study_id"], r["field"]): r["note"] for r in rows}[("pmid:99000002", "year")]
            == "data/studies.csv, line 3")
    assert double.count("esearch") == 1 and double.count("efetch") == 1

    double.reset_log()
    refresh_register(load_register(fixture_project), PubMed(settings), progress=lambda message: None)
    assert double.count() == 0  # a second refresh in cached mode is answered by the cache


def test_cli_refresh_end_to_end(double, fixture_project, monkeypatch, capsys):
    double.add_search("10.9999/fixture.0004[doi]", ["99000004"])
    monkeypatch.chdir(fixture_project)
    monkeypatch.setenv("EVIDENCE_MODE", "cached")
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    monkeypatch.setenv("NCBI_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("EVIDENCE_EUTILS_BASE", double.base)
    assert cli.main(["refresh"]) == 0
    out, err = capsys.readouterr()
    assert "checked 3 PubMed records; 1 DOI(s) resolved" in out and "reports/refresh.csv" in out
    # no study has a citations row yet: 99000001's authors, author_count, volume, issue and pmcid, and 99000002's
    # authors, author_count and volume could be filled; 99000004 is left alone (its title disagrees)
    assert "citation fields: 0 checked, 0 disagreed, 0 filled, 8 could be filled from PubMed (--fill-citations)" in out
    assert (fixture_project / "data" / "citations.csv").read_text(encoding="utf-8").count("\n") == 1  # not written
    assert "efetch batch 1 of 1" in err
    for path in fixture_project.rglob("*"):
        if path.is_file():
            assert SENTINEL_KEY not in path.read_text(encoding="utf-8", errors="replace")
    assert SENTINEL_KEY not in out + err


def test_cli_register_summary(capsys):
    assert cli.main(["register", "--summary"]) == 0
    out = capsys.readouterr().out
    assert "Evidence rows per claim and stance" in out and "Studies per design" in out
    for claim in load_claims(ROOT / "claims.csv", RULES):
        assert claim.claim_id in out
    assert "Studies without a verified PMID" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "C99"], "unknown claim id 'C99'"),
        (["search", "C04"], "offline mode: esearch"),
        (["refresh"], "refresh needs the network"),
    ],
)
def test_user_errors_print_one_line_and_no_traceback(argv, message, monkeypatch, capsys):
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("evidence: error: ") and message in err
    assert "Traceback" not in err


def test_bad_setting_is_a_user_error(monkeypatch, capsys):
    monkeypatch.setenv("EVIDENCE_MODE", "sometimes")
    assert cli.main(["claims"]) == 2
    assert "EVIDENCE_MODE='sometimes' is not a mode" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("file", "breakage", "message"),
    [
        ("claims.csv", lambda t: t.replace("claim_id,", "claim,", 1), "claims.csv, line 1, column 'claim_id'"),
        ("data/studies.csv", lambda t: t + 'pmid:1,1,,,"unclosed\n', "data/studies.csv, line 5"),
        ("data/evidence.csv", lambda t: t.replace("supports", "agrees", 1), "column 'stance'"),
    ],
)
def test_broken_files_are_one_line_user_errors(fixture_project, monkeypatch, capsys, file, breakage, message):
    path = fixture_project / file
    path.write_text(breakage(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.chdir(fixture_project)
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    for argv in (["register", "--summary"], ["check", "--format", "json"], ["report"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda t: t.replace("(", "((", 1), "claims.csv, line 2, column 'query': 1 '(' never closed"),
        (lambda t: t.replace("\nC02,", "\nC01,", 1),
         "claims.csv, line 3, column 'claim_id': claim_id C01 is used twice"),
    ],
)
def test_the_main_command_stops_on_a_broken_claims_file_before_any_notebook(
        fixture_project, monkeypatch, capsys, breakage, message):
    """As a new user would break it: one line with file, line, column and fix; exit 2; nothing executed."""
    path = fixture_project / "claims.csv"
    path.write_text(breakage(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.chdir(fixture_project)
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    assert cli.main(["report"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("evidence: error: ") and message in captured.err and "Fix:" in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err and "executing" not in captured.err
    assert sorted(p.name for p in (fixture_project / "notebooks").iterdir()) == ["groups.csv"]
    assert not (fixture_project / "site").exists()


def test_an_unknown_group_names_the_valid_groups(monkeypatch, capsys):
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    assert cli.main(["claims", "--group", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "no claim is in group 'nosuch'" in err
    assert "background, comorbidity, efficacy, mechanism, psychotherapy, safety" in err
    assert cli.main(["claims", "--group", "safety"]) == 0
    out = capsys.readouterr().out
    assert "C18" in out and "C04" not in out
