"""Gather: candidates from a claim's PubMed hits, the screening log, imports and exports, PRISMA counts, and the
living update, end to end through the command line against the loopback double (fixture records only)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from support import RULES, ROOT, SENTINEL_KEY, copy_project, read_csv, write_csv

from evidence import cli
from evidence.register.claims import load_claims
from evidence.register.project import load_register
from evidence.screening import EXPORT_COLUMNS, conclusions
from evidence.sources.pubmed import EFETCH_BATCH

HITS = 1600
CLAIM = load_claims(ROOT / "claims.csv", RULES)[3]  # C04


# -- conclusions -------------------------------------------------------------------------------------------------
def test_conclusions_prefer_the_labelled_section():
    structured = "BACKGROUND: Why. METHODS: How it was done. CONCLUSIONS: It helped. More trials are needed."
    assert conclusions(structured) == ["It helped.", "More trials are needed."]
    assert conclusions("First. Second point here. Third and last.") == ["Second point here.", "Third and last."]
    assert conclusions("") == []
    assert conclusions("INTERPRETATION: Only this. FUNDING: None.") == ["Only this."]


# -- the whole loop against the double -----------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path, double, monkeypatch):
    root = copy_project(tmp_path / "project")
    ids = [str(80_000_000 + i) for i in range(HITS)]
    dates = double.add_synthetic(ids, start=dt.date(2010, 1, 1), per_day=1)
    double.add_search(CLAIM.search_query, ids, dates=dates)
    monkeypatch.chdir(root)
    monkeypatch.setenv("EVIDENCE_MODE", "cached")
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    monkeypatch.setenv("NCBI_API_KEY", SENTINEL_KEY)  # with a key Biopython waits 0.1 s between requests, not 0.37 s
    monkeypatch.setenv("EVIDENCE_EUTILS_BASE", double.base)
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(root / "cache"))
    return root, ids


def test_screening_end_to_end_with_an_import_that_has_a_bad_row(project, double, capsys, tmp_path):
    root, ids = project
    export = tmp_path / "screen.csv"
    assert cli.main(["screen", "C04", "--export", str(export), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert f"{HITS} hits, {HITS} not yet screened" in out and "ranked by text relevance to the claim" in out
    assert "0 relevant among 0 screened; nothing screened yet" in out
    # one esearch, and the records fetched in batches of 200
    assert double.count("esearch") == 1 and double.count("efetch") == math.ceil(HITS / EFETCH_BATCH)
    rows = read_csv(export)
    assert len(rows) == HITS and len(read_csv(root / "reports" / "candidates" / "C04.csv")) == HITS
    assert [float(r["score"]) for r in rows] == sorted((float(r["score"]) for r in rows), reverse=True)

    studies_before = (root / "data" / "studies.csv").read_bytes()
    log_before = (root / "data" / "screening.csv").read_bytes()
    rows[0].update(decision="include", stance="supports", rationale="A fixture record included for the test.")
    rows[1].update(decision="exclude", reason="wrong_design")
    rows[2].update(decision="maybe")
    rows[3].update(decision="exclude", reason="because")  # not a PRISMA reason
    write_csv(export, EXPORT_COLUMNS, rows)
    assert cli.main(["screen", "C04", "--import", str(export)]) == 2
    err = capsys.readouterr().err
    assert "screen.csv, line 5, column 'reason'" in err and "wrong_population" in err
    assert (root / "data" / "screening.csv").read_bytes() == log_before  # nothing half-recorded
    assert (root / "data" / "studies.csv").read_bytes() == studies_before

    rows[3].update(reason="wrong_population")
    write_csv(export, EXPORT_COLUMNS, rows)
    double.reset_log()
    assert cli.main(["screen", "C04", "--import", str(export)]) == 0
    out = capsys.readouterr().out
    assert "recorded 4 decision(s)" in out
    # an include and a maybe against two exclusions: a model trained on them ranks what is left
    assert "trained on this claim's 2 relevant and 2 excluded record(s)" in out
    assert f"2 relevant among 4 screened; relevant records probably left among the {HITS - 4:,} unscreened" in out
    assert "keep screening" in out and "doi.org/10.1186/s13643-020-01521-4" in out
    # the searches and batches come from the cache; only the included record's own entry is fetched
    assert double.count("esearch") == 0 and double.count("efetch") == 1
    log = read_csv(root / "data" / "screening.csv")
    assert sorted((r["pmid"], r["decision"], r["reason"]) for r in log) == sorted([
        (rows[0]["pmid"], "include", ""), (rows[1]["pmid"], "exclude", "wrong_design"), (rows[2]["pmid"], "maybe", ""),
        (rows[3]["pmid"], "exclude", "wrong_population")])
    register = load_register(root)
    added = register.studies[f"pmid:{rows[0]['pmid']}"]
    assert added.provenance == "entrez" and added.source_url.startswith("https://pubmed.ncbi.nlm.nih.gov/")
    assert any(r.study_id == added.study_id and r.stance == "supports" for r in register.evidence)

    # an excluded record is never proposed again; decisions recorded one by one keep the earlier ones
    assert cli.main(["screen", "C04", "--exclude", rows[4]["pmid"], "--reason", "wrong_outcome"]) == 0
    assert f"{HITS - 5} not yet screened" in capsys.readouterr().out
    assert len(read_csv(root / "data" / "screening.csv")) == 5
    assert cli.main(["screen", "C04", "--include", rows[5]["pmid"]]) == 2
    assert "--include needs --stance" in capsys.readouterr().err


def test_living_update_reports_nothing_then_the_new_records(project, double, capsys):
    root, _ = project
    assert cli.main(["update", "--until", "2026/12/01"]) == 0
    assert "0 record(s) added since the snapshot; claims whose verdict could move: none" in capsys.readouterr().out
    assert "No records were added" in (root / "reports" / "update.md").read_text(encoding="utf-8")
    # a new randomized trial (fixture 99000001) and a plain record enter after the snapshot date
    double.add_search(CLAIM.search_query, ["99000001", "81000000"],
                      dates=[dt.date(2026, 11, 28), dt.date(2026, 11, 30)])
    double.add_synthetic(["81000000"], start=dt.date(2026, 11, 30))
    assert cli.main(["update", "--until", "2026/12/01"]) == 0
    out = capsys.readouterr().out
    assert "2 record(s) added" in out and "could move: C04" in out
    report = (root / "reports" / "update.md").read_text(encoding="utf-8")
    assert "| C04 | 2 | 1 | yes |" in report and "PMID 99000001" in report


def test_offline_screen_shows_the_log_and_says_why_there_are_no_candidates(monkeypatch, capsys):
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    assert cli.main(["screen", "C04"]) == 0
    assert "snapshot holds no live search" in capsys.readouterr().err
    assert cli.main(["update"]) == 2
    assert "update needs the network" in capsys.readouterr().err


def test_the_section_shows_the_best_candidates_with_links_when_the_search_is_there():
    from evidence.present.sections import screening_card
    from evidence.screening import Candidate, Decision
    from evidence.sources.pubmed import SearchResult

    result = SearchResult("q", 3, ("1", "2", "3"), "", "1800/01/01", "2026/11/25", ())
    top = [Candidate("C04", "2", "A fixture trial", "J", 2024, "rct", 0.81, "It helped.")]
    text = screening_card(result, [Decision("C04", "3", "exclude", "wrong_design", "2026-12-02")], top).data
    assert "| 1 | 0.81 | [2](https://pubmed.ncbi.nlm.nih.gov/2/) | 2024 | rct | A fixture trial |" in text
    assert "| [3](https://pubmed.ncbi.nlm.nih.gov/3/) | exclude | wrong\\_design |" in text
    assert screening_card(None, []) is None  # offline the search card says it once


def test_a_study_added_by_screening_keeps_its_first_authors_whole_family_name(tmp_path):
    from evidence.screening.gather import apply_decisions, manual_decision
    from evidence.sources.records import AuthorName, Record

    root = copy_project(tmp_path / "project")
    claim_ids = {c.claim_id for c in load_register(root).claims}
    records = {"81500001": Record("81500001", "A made-up fixture title.", journal="Fixture J", year=2020,
                                  authors=("van Os J", "Kim A"),
                                  author_names=(AuthorName("van Os", "J"), AuthorName("Kim", "A"))),
               "81500002": Record("81500002", "Another made-up fixture title.", journal="Fixture J", year=2021,
                                  authors=("Trials Group",), author_names=(AuthorName(collective="Trials Group"),))}
    decisions = [manual_decision("C04", pmid, "include", stance="supports", rationale="Fixture record for the test.",
                                 claim_ids=claim_ids, today=dt.date(2026, 12, 4)) for pmid in records]
    apply_decisions(root, claim_ids, decisions, records)
    studies = load_register(root).studies
    # "van Os", not "van": data/citations.csv's loader and refresh compare whole family names
    assert studies["pmid:81500001"].first_author == "van Os"
    assert studies["pmid:81500002"].first_author == "Trials Group"


def test_a_record_the_register_would_refuse_is_one_error_and_nothing_is_written(tmp_path):
    from evidence.errors import DataError
    from evidence.screening.gather import apply_decisions, manual_decision
    from evidence.sources.records import Record

    root = copy_project(tmp_path / "project")
    claim_ids = {c.claim_id for c in load_register(root).claims}
    before = {name: (root / "data" / name).read_bytes() for name in ("screening.csv", "studies.csv", "evidence.csv")}
    no_journal = {"81500003": Record("81500003", "A made-up record without a journal.", year=2020, authors=("Lee A",))}
    decision = manual_decision("C04", "81500003", "include", stance="supports", rationale="Fixture record.",
                               claim_ids=claim_ids, today=dt.date(2026, 12, 4))
    with pytest.raises(DataError, match=r"^data/studies.csv, line \d+, column .journal.: journal is empty, in the row "
                                        r"this run built from an included PubMed record; nothing was written. "
                                        r"Fix: add"):
        apply_decisions(root, claim_ids, [decision], no_journal)
    assert {name: (root / "data" / name).read_bytes() for name in before} == before
