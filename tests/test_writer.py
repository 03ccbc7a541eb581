"""The writer's desk, first part: `evidence check` for people and pipelines (key studies, one claim in full,
--fail-on exit codes) and citations out (RIS, BibTeX, CSL-JSON), each read back and compared field by field."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from support import ROOT

from evidence import cli
from evidence.judge.verdict import assess_project, assess_register
from evidence.present.exports import cite, key_studies, studies_for
from evidence.present.references import references, type_names
from evidence.register.project import load_project, load_register

PROJECT = load_project(ROOT)
REGISTER = PROJECT.register
ASSESSMENTS = {a.claim.claim_id: a for a in assess_project(PROJECT)}
STUDIES = studies_for(list(ASSESSMENTS.values()))
REFERENCES = references(STUDIES, PROJECT.citations)


def latex_text(value: str) -> str:
    """A BibTeX value as text (pylatexenc, which bibtexparser depends on, undoes the LaTeX escapes)."""
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text().latex_to_text(value)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("EVIDENCE_MODE", "offline")


def test_ris_round_trip_carries_every_field_and_identifier():
    entries = rispy.loads(cite(STUDIES, "ris", PROJECT.citations))
    assert len(entries) == len(STUDIES)
    for entry, ref in zip(entries, REFERENCES):
        assert (entry["title"], entry["year"]) == (ref.title, str(ref.year))
        assert entry.get("journal_name", "") == ref.journal and entry.get("publisher", "") == ref.publisher
        assert entry["type_of_reference"] == type_names()[ref.pub_type]["ris"]
        assert entry["urls"] == [ref.url] and entry.get("doi", "") == ref.doi
        assert entry.get("accession_number", "") == ref.pmid
        assert entry["authors"][0].split(",")[0] == ref.authors[0].family


def test_bibtex_round_trip_carries_every_field_and_identifier():
    library = bibtexparser.parse_string(cite(STUDIES, "bibtex", PROJECT.citations))
    assert not library.failed_blocks and len(library.entries) == len(STUDIES)
    assert len({e.key for e in library.entries}) == len(STUDIES)  # keys are unique
    for entry, ref in zip(library.entries, REFERENCES):
        fields = {f.key: f.value for f in entry.fields}
        container = fields.get("journal", fields.get("booktitle", ""))
        assert (latex_text(fields["title"]), fields["year"], latex_text(container)) == (ref.title, str(ref.year),
                                                                                    ref.journal)
        assert fields.get("doi", "") == ref.doi and fields.get("pmid", "") == ref.pmid
        assert entry.entry_type == type_names()[ref.pub_type]["bibtex"]


def test_csl_json_round_trip_carries_every_field_and_identifier():
    items = json.loads(cite(STUDIES, "csljson", PROJECT.citations))
    for item, ref in zip(items, REFERENCES):
        assert item["title"] == ref.title and item["issued"]["date-parts"] == [[ref.year]]
        assert item.get("DOI", "") == ref.doi and item.get("PMID", "") == ref.pmid and item["URL"] == ref.url
        assert item["type"] == type_names()[ref.pub_type]["csl"]


def test_cite_for_one_claim_writes_only_its_studies(tmp_path, capsys):
    out = tmp_path / "c13.ris"
    assert cli.main(["cite", "--claim", "C13", "--format", "ris", "--out", str(out)]) == 0
    titles = {e["title"] for e in rispy.loads(out.read_text(encoding="utf-8"))}
    assert titles == {s.title for _, s, _ in ASSESSMENTS["C13"].evidence}


def test_key_studies_start_with_what_the_verdict_rests_on():
    assert key_studies(ASSESSMENTS["C04"])[0].study_id == ASSESSMENTS["C04"].synthesis.basis_pool.study_id
    pooled = {e.study_id for e in ASSESSMENTS["C13"].synthesis.pool.studies}
    assert {s.study_id for s in key_studies(ASSESSMENTS["C13"])} <= pooled


def test_check_table_and_one_claim_in_full(capsys):
    assert cli.main(["check"]) == 0
    table = capsys.readouterr().out
    assert "key studies" in table and "Borgogna 2024" in table
    assert cli.main(["check", "--claim", "c13"]) == 0
    full = capsys.readouterr().out
    pooled = ASSESSMENTS["C13"].synthesis.pool.k
    assert "Testable statement:" in full and f"Rests on: our pool of {pooled} trials" in full
    assert "What the authorities conclude:" in full and "https://pubmed.ncbi.nlm.nih.gov/32861217/" in full


@pytest.mark.parametrize(("fail_on", "code"), [
    ("contradicted", 3),                     # C10 and C11 are contradicted
    ("weak,unsupported,contradicted", 3),
    ("well-supported", 3),                   # every verdict is at or below the best one
])
def test_fail_on_exit_codes(fail_on, code, capsys):
    assert cli.main(["check", "--fail-on", fail_on]) == code
    assert "claim(s) at or below" in capsys.readouterr().err


def test_fail_on_passes_for_a_claim_above_the_threshold_and_rejects_unknown_verdicts(capsys):
    above = next(c for c, a in ASSESSMENTS.items() if a.verdict in ("well-supported", "supported-with-caveats"))
    assert cli.main(["check", "--claim", above, "--fail-on", "mixed"]) == 0
    assert cli.main(["check", "--fail-on", "dubious"]) == 2
    assert "dubious is not a verdict" in capsys.readouterr().err


def test_every_claim_below_well_supported_has_a_wording_that_claims_no_more_than_its_verdict():
    from evidence.present.exports import overclaims

    wording = PROJECT.wording
    for claim_id, assessment in ASSESSMENTS.items():
        if assessment.verdict != "well-supported":
            assert claim_id in wording, f"{claim_id} ({assessment.verdict}) has no suggested wording"
        if claim_id in wording:
            assert overclaims(wording[claim_id], assessment.verdict) == [], claim_id
    assert overclaims("Ketamine is a proven cure that always works.", "mixed") == ["always", "cure", "proven", "works"]
    assert overclaims("Ketamine is effective.", "supported-with-caveats") == []


def test_the_full_claim_view_gives_what_can_be_said(capsys):
    assert cli.main(["check", "--claim", "C04"]) == 0
    assert "What can be said: A few small trials suggest" in capsys.readouterr().out


def test_article_scorecard_rates_every_criterion_once_in_rule_order_with_a_reason():
    from evidence.register.texts import RATINGS
    from evidence.rules import rule_rows

    card = PROJECT.review
    assert [r.criterion for r in card] == [row["criterion"] for row in rule_rows("review_criteria")]
    assert all(r.rating in RATINGS and r.reason and r.question for r in card)


@pytest.mark.parametrize("row, complaint", [
    ("reliance on promotional material,excellent,why,\n", "rating 'excellent'"),
    ("cost,satisfactory,why,\n", "criterion 'cost'"),
    ("reliance on promotional material,satisfactory,,\n", "needs a reason"),
    ("costs,satisfactory,again,\n", "rated twice"),
])
def test_article_scorecard_errors_name_file_line_and_column(tmp_path, row, complaint):
    from evidence.errors import DataError
    from evidence.register.texts import load_article_review

    (tmp_path / "data").mkdir()
    lines = (ROOT / "data" / "article_review.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "data" / "article_review.csv").write_text("".join(lines[:-1]) + row, encoding="utf-8")  # replaces row 11
    with pytest.raises(DataError, match=complaint) as caught:
        load_article_review(tmp_path / "data" / "article_review.csv")
    assert "data/article_review.csv, line 11" in str(caught.value)


def test_article_scorecard_names_the_criteria_left_unrated(tmp_path):
    from evidence.errors import DataError
    from evidence.register.texts import load_article_review

    (tmp_path / "data").mkdir()
    lines = (ROOT / "data" / "article_review.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "data" / "article_review.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(DataError, match="criteria not rated: reliance on promotional material"):
        load_article_review(tmp_path / "data" / "article_review.csv")
