"""`evidence refresh` checks data/citations.csv (and studies.csv's PMCIDs) against PubMed's records and, with
--fill-citations, fills what the register leaves empty. The records are the hand-written fixtures 99000001,
99000010 and 99000011 (tests/fixtures/README.md); every study and citation row here is invented for the tests."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace

import pytest
from support import RULES, SENTINEL_KEY, article_set, bare_project, csv_text, read_csv, write_csv

from evidence import cli, files
from evidence.errors import DataError, LockError
from evidence.files import locked, read_text_rows
from evidence.register.citation_refresh import (FILLED_WHERE, check_citation, fill_citations_text, fill_pmcids_text,
                                                pubmed_values)
from evidence.register.citations import CITATION_COLUMNS, check_citation_rows, load_citations
from evidence.register.claims import load_claims
from evidence.register.project import load_project
from evidence.register.refresh import refresh_register
from evidence.register.studies import EVIDENCE_COLUMNS, STUDY_COLUMNS, load_studies
from evidence.sources.pubmed import PubMed
from evidence.sources.records import parse_pubmed_xml

STUDIES = [
    # study_id, pmid, doi, pmcid, first_author, year, journal, title
    ("pmid:99000010", "99000010", "10.9999/fixture.0010", "PMC9900099", "Zweiundzwanzig", "2005",
     "Fixture J Trauma Stud", "A fixture cohort followed for ten simulated years."),
    ("pmid:99000011", "99000011", "10.9999/fixture.0011", "", "Fixture Registry Collaborative Group", "2021",
     "Fixture Open", "A fixture registry report written by a consortium."),
    ("pmid:99000001", "99000001", "10.9999/fixture.0001", "", "Fixture", "2021", "Fixture J Psychiatry",
     "A fixture trial of N-methyl-D-aspartate antagonism with 103 simulated visits."),
]
# PubMed's first 20 of the 22 authors of 99000010, as the register writes them
PUBMED_20 = ["Zweiundzwanzig A", "Ñandú-Fixture JP", "Testwell C 3rd",
             *(f"Author{chr(ord('A') + i)} F" for i in range(17))]
assert PUBMED_20[-1] == "AuthorQ F"
# the register's row for 99000010 disagrees with PubMed in every field: author 3, the count, volume, issue, pages
PLANTED = {
    "study_id": "pmid:99000010", "authors": "; ".join([*PUBMED_20[:2], "Testwel C", *PUBMED_20[3:], "et al."]),
    "author_count": "21", "volume": "163", "issue": "8", "pages": "1320-1328", "pub_type": "article-journal",
    "url": "https://example.org/fixture-publisher-page", "where": "the fixture page's header", "kind": "publisher",
    "second_pass": "confirmed",
}
# 99000011's row leaves authors, author_count and volume empty, disagrees on the issue and gives the article number
SPARSE = {"study_id": "pmid:99000011", "issue": "4", "pages": "e0099011", "pub_type": "article-journal",
          "url": "https://example.org/fixture-open-page", "kind": "publisher", "notes": "Read from the fixture page."}


def study_rows(first_authors=None):
    first_authors = first_authors or {}
    return [[sid, pmid, doi, pmcid, first_authors.get(sid, author), year, journal, title, "cohort", "", "fixture",
             "https://example.org/fixture", "2026-11-25", "curated", "", "", "", ""]
            for sid, pmid, doi, pmcid, author, year, journal, title in STUDIES]


@pytest.fixture
def project(tmp_path):
    """A project whose register holds only fixture studies, and citations rows with planted disagreements."""
    root = bare_project(tmp_path / "project")
    write_csv(root / "data" / "studies.csv", STUDY_COLUMNS, study_rows())
    claims = load_claims(root / "claims.csv", RULES)
    write_csv(root / "data" / "evidence.csv", EVIDENCE_COLUMNS,
              [[c.claim_id, STUDIES[i % 3][0], "supports", "", "", "", "Fixture row."] for i, c in enumerate(claims)])
    write_csv(root / "data" / "citations.csv", CITATION_COLUMNS, [PLANTED, SPARSE])
    return root


def refresh(root, settings, *, fill=False):
    project = load_project(root)
    return refresh_register(project.register, PubMed(settings), report_path=root / "reports" / "refresh.csv",
                            progress=lambda message: None, citations=project.citations, data_dir=root / "data",
                            fill=fill)


@pytest.fixture(scope="module")
def records():
    return {r.pmid: r for r in parse_pubmed_xml(article_set("99000001", "99000010", "99000011"))}


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    path = tmp_path_factory.mktemp("studies") / "studies.csv"
    write_csv(path, STUDY_COLUMNS, study_rows())
    return load_studies(path)


def citation(studies, **row):
    values = {column: "" for column in CITATION_COLUMNS}
    values.update(pub_type="article-journal", url="https://example.org/fixture", kind="publisher", **row)
    return check_citation_rows([(2, values)], studies)[values["study_id"]]


# -- what PubMed gives, and the check ---------------------------------------------------------------------------
def test_pubmed_values_in_the_registers_format(records):
    cohort = pubmed_values(records["99000010"])
    assert cohort["authors"] == "; ".join([*PUBMED_20, "et al."])  # the first 20, then et al.
    assert cohort["authors"].count(";") == 20
    assert (cohort["author_count"], cohort["volume"], cohort["issue"], cohort["pages"], cohort["pmcid"]) == (
        "22", "162", "7", "1320-7", "PMC9900010")
    online = pubmed_values(records["99000011"])
    assert online["authors"] == "Fixture Registry Collaborative Group; de Example R; Sample TK"
    assert online["pages"] == "e0099011"  # the article number, from the ELocationID


def test_a_register_that_agrees_up_to_folding_has_no_finding(records, studies):
    agreeing = citation(studies, study_id="pmid:99000010",
                        authors="; ".join(["ZWEIUNDZWANZIG A", "Nandu-Fixture J-P", "Testwell C",
                                           *PUBMED_20[3:], "et al."]),
                        author_count="22", volume=" 162", issue="7", pages="1320-1327")
    study = replace(studies["pmid:99000010"], pmcid="PMC9900010")
    assert check_citation(study, agreeing, records["99000010"]) == (6, [])
    article_number = citation(studies, study_id="pmid:99000011", authors="Fixture Registry Collaborative Group; "
                              "de Example R; Sample TK", author_count="3", volume="16", issue="3", pages="E0099011")
    assert check_citation(studies["pmid:99000011"], article_number, records["99000011"]) == (5, [])


@pytest.mark.parametrize(("row", "field", "note"), [
    ({"authors": "Zweiundzwanzig A; Ñandú-Fixture JP; Testwell C", "author_count": ""}, "authors",
     "the register lists 3 author(s), PubMed 22: list the first 20, then et al."),
    ({"authors": "Zweiundzwanzig A; et al."}, "authors", "the register lists 1 author(s), PubMed 22"),
    ({"authors": "; ".join(PUBMED_20), "author_count": ""}, "authors", "end the list in et al."),
    ({"authors": "; ".join(["Zweiundzwanzig AB", *PUBMED_20[1:], "et al."])}, "authors",
     "author 1 is Zweiundzwanzig AB in the register, Zweiundzwanzig A in PubMed"),
    ({"authors": "; ".join([*PUBMED_20[:19], "Authorx F", "et al."])}, "authors",
     "author 20 is Authorx F in the register, AuthorQ F in PubMed"),
    ({"author_count": "23"}, "author_count", "PubMed lists 22 author(s)"),
    ({"volume": "16"}, "volume", ""),
    ({"issue": "7A"}, "issue", ""),
    ({"pages": "1320-1237"}, "pages", ""),
    ({"pages": "e1320"}, "pages", "article number"),
])
def test_each_planted_disagreement_is_a_finding_for_its_field(records, studies, row, field, note):
    values = {"study_id": "pmid:99000010", "authors": "; ".join([*PUBMED_20, "et al."]), "author_count": "22",
              "volume": "162", "issue": "7", "pages": "1320-7"}
    values.update(row)
    if field == "pages" and row["pages"] == "1320-1237":
        with pytest.raises(DataError, match="end before they begin"):  # the loader refuses it before any check
            citation(studies, **values)
        return
    study = replace(studies["pmid:99000010"], pmcid="")  # studies.csv's pmcid is checked on its own, below
    _, findings = check_citation(study, citation(studies, **values), records["99000010"])
    assert [f.field for f in findings] == [field]
    assert note in findings[0].note and "data/citations.csv, line 2" in findings[0].note


def test_the_pmcid_is_checked_against_studies_csv(records, studies):
    _, findings = check_citation(studies["pmid:99000010"], None, records["99000010"])
    assert [(f.field, f.register, f.pubmed) for f in findings] == [("pmcid", "PMC9900099", "PMC9900010")]
    assert findings[0].note.startswith("data/studies.csv, line 2")


def test_an_author_list_pubmed_marks_incomplete_is_a_lower_bound(records, studies):
    partial = replace(records["99000011"], authors_complete=False)
    listed = "Fixture Registry Collaborative Group; de Example R; Sample TK"
    assert pubmed_values(partial)["authors"] == listed + "; et al." and pubmed_values(partial)["author_count"] == ""
    longer = citation(studies, study_id="pmid:99000011", authors=listed + "; Fourth F", author_count="4")
    assert check_citation(studies["pmid:99000011"], longer, partial) == (2, [])
    same = citation(studies, study_id="pmid:99000011", authors=listed, author_count="3")
    assert sorted(f.field for f in check_citation(studies["pmid:99000011"], same, partial)[1]) == [
        "author_count", "authors"]


# -- refresh against the double ----------------------------------------------------------------------------------
def test_refresh_reports_a_disagreement_in_each_field_and_only_counts_the_fill(double, make_settings, project):
    before = {name: (project / "data" / name).read_bytes() for name in ("citations.csv", "studies.csv")}
    report = refresh(project, make_settings(root=project))
    found = {(m.study_id, m.field): (m.register, m.pubmed) for m in report.mismatches}
    assert found == {
        ("pmid:99000010", "authors"): (PLANTED["authors"], "; ".join([*PUBMED_20, "et al."])),
        ("pmid:99000010", "author_count"): ("21", "22"),
        ("pmid:99000010", "volume"): ("163", "162"),
        ("pmid:99000010", "issue"): ("8", "7"),
        ("pmid:99000010", "pages"): ("1320-1328", "1320-7 or S9999-0010(05)00010-X"),
        ("pmid:99000010", "pmcid"): ("PMC9900099", "PMC9900010"),
        ("pmid:99000011", "issue"): ("4", "3"),
    }
    notes = {(m.study_id, m.field): m.note for m in report.mismatches}
    assert notes[("pmid:99000010", "authors")] == ("data/citations.csv, line 2: author 3 is Testwel C in the "
                                                   "register, Testwell C in PubMed.")
    # 99000011's authors, author_count and volume, and 99000001's new row (authors, author_count, volume, issue) and
    # pmcid could be filled; 99000011's pages agree with the article number
    c = report.citations
    assert (c.checked, c.disagreed, c.filled, c.fillable, c.not_filled) == (8, 7, 0, 8, 0)
    assert {name: (project / "data" / name).read_bytes() for name in before} == before  # nothing written
    rows = read_csv(project / "reports" / "refresh.csv")
    assert [(r["study_id"], r["field"]) for r in rows] == list(found)


def test_fill_writes_empty_fields_and_new_rows_and_never_overwrites(double, make_settings, project):
    settings = make_settings(root=project)
    citations_before = (project / "data" / "citations.csv").read_text(encoding="utf-8")
    report = refresh(project, settings, fill=True)
    c = report.citations
    assert (c.checked, c.disagreed, c.filled, c.fillable, c.not_filled) == (8, 7, 8, 0, 0)

    studies = load_studies(project / "data" / "studies.csv")
    written = load_citations(project / "data" / "citations.csv", studies)  # the written file loads cleanly
    text = (project / "data" / "citations.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(CITATION_COLUMNS)
    # the rows were in study_id order, so the new row takes its place in that order
    assert [line.split(",")[0] for line in lines[1:]] == ["pmid:99000001", "pmid:99000010", "pmid:99000011"]
    assert lines[2] == citations_before.splitlines()[1]  # the planted row, disagreements and all, is untouched

    new = written["pmid:99000001"]
    assert [(a.family, a.initials) for a in new.authors] == [("Fixture", "A"), ("Testcase", "BC")]
    assert (new.author_count, new.volume, new.issue, new.pages) == (2, "1", "2", "")
    assert (new.pub_type, new.url, new.where, new.kind, new.second_pass) == (
        "article-journal", "https://pubmed.ncbi.nlm.nih.gov/99000001/", FILLED_WHERE, "pubmed", "")

    sparse = written["pmid:99000011"]
    assert sparse.authors[0].is_group and sparse.authors[0].family == "Fixture Registry Collaborative Group"
    assert (sparse.author_count, sparse.volume, sparse.issue, sparse.pages) == (3, "16", "4", "e0099011")  # issue kept
    assert (sparse.url, sparse.kind) == (SPARSE["url"], "publisher")
    assert sparse.notes == ("Read from the fixture page. authors, author_count, volume filled from the PubMed record "
                            "(efetch) of PMID 99000011, not yet confirmed by a second reader.")

    # studies.csv: the empty pmcid is filled, the one that disagrees is kept; nothing else changed
    assert studies["pmid:99000001"].pmcid == "PMC9900001" and studies["pmid:99000010"].pmcid == "PMC9900099"
    expected = csv_text(STUDY_COLUMNS, study_rows()).replace("\npmid:99000001,99000001,10.9999/fixture.0001,,",
                                                            "\npmid:99000001,99000001,10.9999/fixture.0001,PMC9900001,")
    assert (project / "data" / "studies.csv").read_text(encoding="utf-8") == expected

    # a second run has nothing left to fill and changes nothing; the filled fields are now checked and agree
    again = refresh(project, settings, fill=True)
    assert (again.citations.checked, again.citations.disagreed, again.citations.filled) == (16, 7, 0)
    assert (project / "data" / "citations.csv").read_text(encoding="utf-8") == text


def test_a_value_the_loader_would_refuse_is_reported_not_filled(double, make_settings, project):
    # studies.csv names another first author for 99000011: PubMed's authors cannot be written beside it
    write_csv(project / "data" / "studies.csv", STUDY_COLUMNS,
              study_rows({"pmid:99000011": "Someone Else"}))
    report = refresh(project, make_settings(root=project), fill=True)
    refused = {(m.study_id, m.field): m.note for m in report.mismatches if m.note.startswith("not filled")}
    assert set(refused) == {("pmid:99000011", "authors"), ("pmid:99000011", "author_count")}
    assert "the first author 'Fixture Registry Collaborative Group' is not the study's first author" in refused[
        ("pmid:99000011", "authors")]
    assert "author_count is given but no authors are listed" in refused[("pmid:99000011", "author_count")]
    assert report.citations.not_filled == 2
    written = load_citations(project / "data" / "citations.csv", load_studies(project / "data" / "studies.csv"))
    assert written["pmid:99000011"].authors == () and written["pmid:99000011"].volume == "16"


def test_a_record_whose_title_disagrees_is_neither_checked_nor_filled(double, make_settings, project):
    rows = study_rows()
    rows[2][7] = "Another fixture title."
    write_csv(project / "data" / "studies.csv", STUDY_COLUMNS, rows)
    report = refresh(project, make_settings(root=project), fill=True)
    title = next(m for m in report.mismatches if m.field == "title")
    assert title.study_id == "pmid:99000001" and "nothing is checked in or filled into" in title.note
    written = load_citations(project / "data" / "citations.csv", load_studies(project / "data" / "studies.csv"))
    assert "pmid:99000001" not in written
    assert load_studies(project / "data" / "studies.csv")["pmid:99000001"].pmcid == ""


@pytest.mark.parametrize("held_file", ["citations.csv", "studies.csv"])
def test_the_fill_waits_for_the_files_lock_and_gives_up_with_one_line(double, make_settings, project, monkeypatch,
                                                                      held_file):
    path = project / "data" / held_file
    # whichever lock is held, neither file is written: the fill writes only when it holds both
    before = {name: (project / "data" / name).read_bytes() for name in ("citations.csv", "studies.csv")}
    # another process holds the lock until its standard input closes
    with subprocess.Popen(
            [sys.executable, "-c", "import sys; from filelock import FileLock; lock = FileLock(sys.argv[1]); "
                                   "lock.acquire(); print('held', flush=True); sys.stdin.read()",
             str(path.parent / f".{path.name}.lock")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline().strip() == "held"
            monkeypatch.setattr(files, "LOCK_TIMEOUT_SECONDS", 0.05)
            escaped = re.escape(held_file)
            held = (rf"data/{escaped} is being written by another run: its lock \(data/\.{escaped}\.lock\) "
                    r"was not free after 0\.05 s\. Fix")
            with pytest.raises(LockError, match=held):
                refresh(project, make_settings(root=project), fill=True)
            assert {name: (project / "data" / name).read_bytes() for name in before} == before
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
    with locked(path, timeout=5):  # released with its holder
        pass


def test_cli_fill_citations_end_to_end(double, project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    monkeypatch.setenv("EVIDENCE_MODE", "cached")
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    monkeypatch.setenv("NCBI_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("EVIDENCE_EUTILS_BASE", double.base)
    assert cli.main(["refresh"]) == 0
    out = capsys.readouterr().out
    assert ("citation fields: 8 checked, 7 disagreed, 0 filled, 8 could be filled from PubMed (--fill-citations)"
            in out)
    assert cli.main(["refresh", "--fill-citations"]) == 0
    out = capsys.readouterr().out
    assert "7 finding(s) written to reports/refresh.csv; citation fields: 8 checked, 7 disagreed, 8 filled\n" in out
    assert "pmid:99000001" in load_project(project).citations
    assert SENTINEL_KEY not in (project / "data" / "citations.csv").read_text(encoding="utf-8")


# -- the fill as a function of the file's text --------------------------------------------------------------------
def test_rows_out_of_study_id_order_keep_their_order_and_new_rows_go_last(records, studies):
    text = csv_text(CITATION_COLUMNS, [SPARSE, PLANTED])  # 99000011 before 99000010
    result = fill_citations_text(text, studies, {"pmid:99000001": records["99000001"]})
    assert [row["study_id"] for _, row in read_text_rows(result.text, CITATION_COLUMNS, name="t")] == [
        "pmid:99000011", "pmid:99000010", "pmid:99000001"]
    assert result.text.startswith(text)  # the rows found are written back byte for byte


def test_the_files_column_order_is_kept(records, studies):
    columns = list(reversed(CITATION_COLUMNS))
    result = fill_citations_text(csv_text(columns, []), studies, {"pmid:99000011": records["99000011"]})
    assert result.text.splitlines()[0] == ",".join(columns)
    assert [f.field for f in result.filled] == ["authors", "author_count", "volume", "issue", "pages"]
    assert check_citation_rows(read_text_rows(result.text, CITATION_COLUMNS, name="t"), studies)


def test_a_preprint_or_book_gets_no_new_row(records, studies):
    preprint = replace(records["99000001"], publication_types=(("D000000", "Preprint"),))
    result = fill_citations_text(csv_text(CITATION_COLUMNS, []), studies, {"pmid:99000001": preprint})
    assert result.filled == () and [f.field for f in result.refused] == ["pub_type"]
    assert "add its row to data/citations.csv by hand" in result.refused[0].note


def test_a_pmcid_that_is_not_one_is_not_filled(records):
    text = csv_text(STUDY_COLUMNS, study_rows())
    odd = replace(records["99000001"], pmcid="9900001")
    result = fill_pmcids_text(text, {"pmid:99000001": odd})
    assert result.text == text
    assert [f.note for f in result.refused] == ["not filled: not a PMCID (PMC followed by digits)."]


def test_the_report_starts_no_spreadsheet_formula_and_reads_back_whole():
    from evidence.export_fields import csv_value
    from evidence.register.refresh import Mismatch, RefreshReport

    hostile = '=HYPERLINK("http://example.invalid","t")'
    report = RefreshReport(checked=1, resolved_dois={}, mismatches=(
        Mismatch("pmid:1", "1", "title", "+A title, with a comma", hostile, "@note"),))
    row = list(csv_text_rows(report.to_csv()))[1]
    assert row[3:] == ["'+A title, with a comma", "'" + hostile, "'@note"]
    assert [csv_value(cell) for cell in row[3:]] == ["+A title, with a comma", hostile, "@note"]


def csv_text_rows(text):
    import csv
    import io

    return csv.reader(io.StringIO(text))


def test_a_report_path_that_is_a_folder_is_refused_before_any_request(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    monkeypatch.setenv("EVIDENCE_MODE", "cached")
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    monkeypatch.setenv("EVIDENCE_EUTILS_BASE", "http://127.0.0.1:9")  # nothing listens: a request would fail
    (project / "reports").mkdir(exist_ok=True)
    before = (project / "data" / "citations.csv").read_bytes()
    assert cli.main(["refresh", "--fill-citations", "--report", "reports"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("evidence: error: --report reports is a folder") and err.count("\n") == 1
    assert (project / "data" / "citations.csv").read_bytes() == before
