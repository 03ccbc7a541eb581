"""data/studies.csv and data/evidence.csv: the committed register is valid and broad; each kind
of broken row is rejected with a message naming file, line and column."""

from __future__ import annotations

import re

import pytest
from support import ROOT, copy_project, read_csv, write_csv

from evidence.errors import DataError
from evidence.judge.verdict import assess_project, assess_register
from evidence.register.project import load_project, load_register
from evidence.register.studies import EVIDENCE_COLUMNS, STUDY_COLUMNS

REGISTER = load_register(ROOT)


# -- the committed register --------------------------------------------------------------
def test_committed_register_is_broad_enough():
    assert len(REGISTER.studies) >= 80
    for claim in REGISTER.claims:
        linked = {study.study_id for _, study in REGISTER.for_claim(claim.claim_id)}
        minimum = 6 if claim.claim_type in {"efficacy", "speed", "durability", "safety"} else 3
        assert len(linked) >= minimum, (claim.claim_id, len(linked))


def test_committed_register_is_not_one_sided():
    """Every claim has contrasting or mixed evidence, except those data/README.md names with a reason."""
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for claim in REGISTER.claims:
        stances = {row.stance for row, _ in REGISTER.for_claim(claim.claim_id)}
        if not stances & {"contrasts", "mixed"}:
            assert re.search(rf"\b{claim.claim_id}\b.*no contrasting", readme), claim.claim_id


def test_every_study_records_where_it_was_verified():
    for study in REGISTER.studies.values():
        assert study.source_url.startswith("http"), study.study_id
        assert study.verified_on and study.provenance in {"curated", "entrez"}


def test_rationales_are_one_short_sentence_in_our_words():
    for row in REGISTER.evidence:
        assert len(row.rationale) <= 300, (row.claim_id, row.study_id)
        assert row.rationale.count(". ") == 0, (row.claim_id, row.study_id, row.rationale)


def test_no_abstract_text_in_data():
    """The register holds figures and titles, not prose lifted from sources: no long free-text fields."""
    for row in REGISTER.evidence:
        assert len(row.effect) <= 400 and len(row.outcome_measured) <= 200, (row.claim_id, row.study_id)
    for study in REGISTER.studies.values():
        assert len(study.population) <= 300, study.study_id


# -- broken files ------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path):
    """A copy of claims.csv and the register, to break one row at a time."""
    return copy_project(tmp_path)


def edit(path, columns, row_index, **changes):
    """Change fields of data row ``row_index`` (0-based); return the physical line it is on."""
    rows = read_csv(path)
    rows[row_index].update(changes)
    write_csv(path, columns, rows)
    return row_index + 2


STUDY_BREAKS = [
    ("pmid", "12a45", "is not a PMID"),
    ("doi", "https://doi.org/10.1/x", "is not a DOI"),
    ("pmcid", "12345", "is not a PMCID"),
    ("year", "20x1", "is not a four-digit year"),
    ("year", "2199", "outside 1800"),
    ("design", "anecdote", "not in the vocabulary"),
    ("n", "-3", "not a positive whole number"),
    ("n", "12.5", "not a positive whole number"),  # a fractional n is refused, not rounded
    ("title", "", "title is empty"),
    ("source_url", "", "source_url is empty"),
    ("source_url", "pubmed/123", "not an http(s) URL"),
    ("verified_on", "25/11/2026", "not a date"),
    ("provenance", "memory", "provenance 'memory'"),
    ("trial_id", "NCT123", "is not a registry number"),
]


EVIDENCE_BREAKS = [
    ("claim_id", "C99", "not in claims.csv"),
    ("study_id", "pmid:1", "not in data/studies.csv"),
    ("stance", "agrees", "stance 'agrees' is not one of"),
    ("rationale", "", "rationale is empty"),
]
BREAKS = [("studies.csv", STUDY_COLUMNS, 4, *b) for b in STUDY_BREAKS] + \
         [("evidence.csv", EVIDENCE_COLUMNS, 2, *b) for b in EVIDENCE_BREAKS]


@pytest.mark.parametrize(("name", "columns", "index", "column", "value", "message"), BREAKS,
                         ids=[f"{b[0]}-{b[3]}-{b[4] or 'empty'}" for b in BREAKS])
def test_broken_row_names_file_line_and_column(project, name, columns, index, column, value, message):
    line = edit(project / "data" / name, columns, index, **{column: value})
    with pytest.raises(DataError) as caught:
        load_register(project)
    error = caught.value
    assert (error.file, error.line) == (f"data/{name}", line)
    assert message in str(error)
    assert error.column in {column, "study_id"}


def test_study_id_must_follow_its_identifiers(project):
    path = project / "data" / "studies.csv"
    first = read_csv(path)[0]
    line = edit(path, STUDY_COLUMNS, 0, study_id="pmid:1" if first["pmid"] != "1" else "pmid:2")
    with pytest.raises(DataError, match=rf"data/studies.csv, line {line}, column 'study_id': study_id .* should be"):
        load_register(project)


@pytest.mark.parametrize(("name", "message"), [("studies.csv", r"listed twice \(first on line 2\)"),
                                               ("evidence.csv", r"already listed for .* on line 2")])
def test_a_repeated_row_names_both_lines(project, name, message):
    path = project / "data" / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    with pytest.raises(DataError, match=rf"data/{name}, line {len(lines) + 1}, column 'study_id': .*{message}"):
        load_register(project)


def test_a_claim_without_evidence_is_unsupported_and_says_nothing_is_registered(project):
    rows = read_csv(project / "claims.csv")
    write_csv(project / "claims.csv", list(rows[0]), rows + [{**rows[6], "claim_id": "C99"}])
    register = load_register(project)
    assert register.for_claim("C99") == []
    assessment = next(a for a in assess_register(register) if a.claim.claim_id == "C99")
    assert assessment.verdict == "unsupported" and "No study is registered" in assessment.verdict_reason
    assert "no study has been registered for this claim yet" in assessment.gaps


def test_malformed_csv_row(project):
    path = project / "data" / "evidence.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write('C01,pmid:1,supports,"unclosed\n')
    with pytest.raises(DataError, match=r"data/evidence.csv, line \d+: malformed CSV|field\(s\)"):
        load_register(project)


def test_missing_column(project):
    path = project / "data" / "studies.csv"
    text = path.read_text(encoding="utf-8").replace("verified_on", "checked_on", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_register(project)
    assert (caught.value.line, caught.value.column) == (1, "verified_on")


def test_every_displayed_link_is_built_from_the_identifier():
    """The link a reader sees is PubMed's page for a PMID, else doi.org for a DOI; where the identifier was seen is
    provenance, kept apart (source_url, seen_at)."""
    from evidence.present.tables import evidence_table
    from evidence.vocab import doi_url, pubmed_url

    for assessment in assess_project(load_project(ROOT)):
        frame = evidence_table(assessment)
        for study_id, url in zip(frame["study_id"], frame["url"]):
            study = REGISTER.studies[study_id]
            assert url == (pubmed_url(study.pmid) if study.pmid else doi_url(study.doi)), study_id


def test_the_second_pass_is_recorded_for_every_study():
    passes = [s.second_pass for s in REGISTER.studies.values()]
    assert all(passes), "every study has been checked a second time"
    assert passes.count("unconfirmed") <= 10
    for study in REGISTER.studies.values():
        assert study.seen_at.startswith("http") or study.second_pass == "unconfirmed", study.study_id
        assert study.seen_kind or not study.seen_at, study.study_id


@pytest.mark.parametrize(("study_id", "trial_id", "message"), [
    # data/trials.csv lists Abdallah 2022 as the report of NCT02655692
    ("pmid:35046508", "NCT00749203", "names trial NCT00749203, but data/trials.csv line"),
    # NCT04889664 lists only Feder 2025 among its reports
    ("doi:10.1176/appi.ajp.2020.20050596", "NCT04889664", "lists other reports (pmid:40215385)"),
])
def test_a_trial_id_must_agree_with_trials_csv_where_both_speak(project, study_id, trial_id, message):
    import shutil

    from support import ROOT

    shutil.copy(ROOT / "data" / "trials.csv", project / "data" / "trials.csv")
    path = project / "data" / "studies.csv"
    index = next(i for i, row in enumerate(read_csv(path)) if row["study_id"] == study_id)
    line = edit(path, STUDY_COLUMNS, index, trial_id=trial_id)
    with pytest.raises(DataError) as caught:
        load_register(project)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("data/studies.csv", line, "trial_id")
    assert message in str(caught.value)


def test_reports_of_one_trial_share_its_key():
    register = load_register(ROOT)
    keys = {s.study_id: s.trial_key for s in register.studies.values()}
    assert keys["pmid:35046508"] == "NCT02655692"  # as data/trials.csv lists it
    assert keys["pmid:29362795"] == "pmid:29362795"  # no registry id recorded: its own trial
