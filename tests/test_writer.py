"""The writer's desk, first part: `evidence check` for people and pipelines (key studies, one claim in full,
--fail-on exit codes) and citations out (RIS, BibTeX, CSL-JSON), each read back and compared field by field."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from support import ROOT, copy_project, read_csv, write_csv

from evidence import cli
from evidence.judge.verdict import assess_project
from evidence.judge.wording import stale_mentions, wording_conflicts, wording_problems
from evidence.present.exports import cite, key_studies, studies_for
from evidence.present.references import references, type_names
from evidence.present.sections import basis_summary
from evidence.register.project import load_project

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
        first = ref.authors[0]
        assert (entry["authors"][0] if first.is_group else entry["authors"][0].split(",")[0]) == \
            first.family.replace(",", "")  # a group's commas would split it into family and given names


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
    published = [a for a in ASSESSMENTS.values() if a.synthesis and a.synthesis.basis == "published"]
    assert published
    for assessment in published:
        assert key_studies(assessment)[0].study_id == assessment.synthesis.basis_pool.study_id == \
            assessment.profile.basis_ids[0]
    # without numbers, the designs that answer the claim come first: a review before its trials
    first = key_studies(ASSESSMENTS["C16"])[0]
    assert (first.design in ("meta-analysis", "systematic-review")
            and first.study_id in ASSESSMENTS["C16"].profile.basis_ids)


def test_check_table_and_one_claim_in_full(capsys):
    assert cli.main(["check"]) == 0
    table = capsys.readouterr().out
    assert "key studies" in table and "Borgogna 2024" in table
    assert cli.main(["check", "--claim", "c13"]) == 0
    full = capsys.readouterr().out
    basis = ASSESSMENTS["C13"].synthesis.basis_pool.study_id
    assert "Testable statement:" in full and f"Rests on: {basis_summary(ASSESSMENTS['C13'])}" in full
    assert "What it means:" in full and "A writer may say:" in full and "Independent review" in full
    assert ("What the authorities conclude:" in full
            and f"https://pubmed.ncbi.nlm.nih.gov/{basis.split(':')[1]}/" in full)


@pytest.mark.parametrize(("fail_on", "code"), [
    ("contradicted", 0),                     # no claim is contradicted
    ("weak,unsupported,contradicted", 3),    # C07, C09, C11 and C17 are
    ("well-supported", 3),                   # every verdict is at or below the best one
])
def test_fail_on_exit_codes(fail_on, code, capsys):
    assert cli.main(["check", "--fail-on", fail_on]) == code
    assert ("claim(s) at or below" in capsys.readouterr().err) == (code == 3)


def test_fail_on_passes_for_a_claim_above_the_threshold_and_rejects_unknown_verdicts(capsys):
    above = next(c for c, a in ASSESSMENTS.items() if a.verdict in ("well-supported", "supported-with-caveats"))
    assert cli.main(["check", "--claim", above, "--fail-on", "mixed"]) == 0
    assert cli.main(["check", "--fail-on", "dubious"]) == 2
    assert "dubious is not a verdict" in capsys.readouterr().err


def test_every_claim_below_well_supported_has_a_wording_that_fits_its_verdict_and_certainty():
    wording = PROJECT.wording
    for claim_id, assessment in ASSESSMENTS.items():
        if assessment.verdict != "well-supported":
            assert claim_id in wording, f"{claim_id} ({assessment.verdict}) has no suggested wording"
    judged = {c: (a.verdict, a.certainty) for c, a in ASSESSMENTS.items()}
    assert wording_conflicts(wording, judged) == {}


@pytest.mark.parametrize(("wording", "verdict", "certainty", "caught"), [
    ("Ketamine is a proven cure that always works.", "mixed", None, ["proven", "cure", "always", "works"]),
    ("In animal studies ketamine increases synapses.", "well-supported", None, ["animal studies"]),
    ("Ketamine increases synapses in rodents.", "well-supported", None, ["in rodents"]),
    ("It is not yet known whether ketamine restores circuits.", "well-supported", None, ["not yet known"]),
    ("Ketamine may reduce symptoms.", "well-supported", None, ["may"]),
    ("Ketamine probably reduces symptoms.", "supported-with-caveats", "low", ["probably"]),
    ("Ketamine may reduce symptoms.", "supported-with-caveats", "high", ["may"]),
    ("The evidence is very uncertain whether ketamine helps.", "supported-with-caveats", "moderate",
     ["very uncertain"]),
    ("Ketamine clearly reduces symptoms.", "weak", "very low", ["clearly"]),
    ("Ketamine may reduce symptoms in the first day.", "supported-with-caveats", "low", []),
    ("Ketamine probably reduces symptoms.", "well-supported", "moderate", []),
    ("Ketamine is effective.", "supported-with-caveats", "moderate", []),
    ("Mayfield patients were studied.", "well-supported", "high", []),  # whole words only
])
def test_wording_rules_catch_what_does_not_fit(wording, verdict, certainty, caught):
    problems = wording_problems(wording, verdict, certainty)
    assert [p.split("'")[1] for p in problems] == caught


def test_check_and_brief_refuse_a_wording_that_contradicts_its_verdict(tmp_path, monkeypatch, capsys):
    project = copy_project(tmp_path / "project")
    path = project / "data" / "wording.csv"
    rows = read_csv(path)
    weak = next(c for c, a in ASSESSMENTS.items() if a.verdict == "weak")
    write_csv(path, list(rows[0]), [{**r, "wording": "A proven cure."} if r["claim_id"] == weak else r for r in rows])
    monkeypatch.chdir(project)
    before = sorted(p.name for p in project.iterdir() if p.name != "build")  # build/: the assessment cache
    for verb in (["check"], ["check", "--claim", weak], ["brief", "--html-only"]):
        assert cli.main(verb) == 2
        err = capsys.readouterr().err
        assert f"data/wording.csv, column 'wording': the suggested wording of {weak} contradicts its verdict" in err
        assert "'proven' does not fit the verdict weak" in err and "Fix:" in err and "Traceback" not in err
    assert sorted(p.name for p in project.iterdir() if p.name != "build") == before  # no brief, nothing written


def test_texts_in_data_that_name_a_verdict_name_the_current_one():
    """The scorecard, the wordings, the authorities' summaries and the data notes may name a claim's verdict or
    certainty ("C10 mixed (moderate)"); each such mention must be the claim's verdict now."""
    judged = {c: (a.verdict, a.certainty) for c, a in ASSESSMENTS.items()}
    texts = [("article_review.csv", f"{r.reason} {r.evidence}") for r in PROJECT.review]
    texts += [("wording.csv", w) for w in PROJECT.wording.values()]
    texts += [("authorities.csv", a.summary) for a in PROJECT.register.effect_data.authorities]
    texts += [("published_pools.csv", p.flag) for p in PROJECT.register.effect_data.pools]
    texts += [("README.md", (ROOT / "data" / "README.md").read_text(encoding="utf-8"))]
    found = [(name, problem) for name, text in texts for problem in stale_mentions(text, judged)]
    assert found == []
    assert any(stale_mentions(f"{r.reason} {r.evidence}", judged) == [] and "C0" in r.evidence for r in PROJECT.review)


def test_a_stale_verdict_in_a_text_is_caught():
    judged = {"C10": ("mixed", "moderate"), "C11": ("weak", "low"), "C04": ("mixed", "low")}
    assert stale_mentions("C10 and C11 contradicted", judged) == [
        "'C10 and C11 contradicted' calls C10 contradicted, but its verdict is mixed",
        "'C10 and C11 contradicted' calls C11 contradicted, but its verdict is weak"]
    assert stale_mentions("verdict matrix: C04 weak (very low); C10 mixed", judged) == [
        "'verdict matrix: C04 weak (very low)' calls C04 weak, but its verdict is mixed",
        "'verdict matrix: C04 weak (very low)' gives C04 very low certainty, but it is low"]
    assert stale_mentions("C04 mixed (low). C11: weak, low certainty", judged) == []
    assert stale_mentions("C04 is mixed or weak", judged)[0].endswith("give each claim its own clause")
    assert stale_mentions("Pooled g 0.27 (95% CI 0.03 to 0.51) at low certainty", judged) == []


def test_the_full_claim_view_gives_what_can_be_said(capsys):
    assert cli.main(["check", "--claim", "C04"]) == 0
    out = capsys.readouterr().out
    assert "What can be said: A few small trials suggest" in out
    assert out.count(ASSESSMENTS["C04"].verdict_reason) == 1  # said once, not again as what it rests on


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
    # replaces row 11
    (tmp_path / "data" / "article_review.csv").write_text("".join(lines[:-1]) + row, encoding="utf-8")
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
