"""`evidence init`: what it drafts, measured against claims written by hand, and the folder it makes.

- Drafting (evidence.drafting): headings (including headings written as questions, Markdown headings and wrapped
  paragraphs), which sentences are claims, claim types with the cue that decided them, and queries of concept blocks,
  on three fixture articles written by the team with hand-written expectations (tests/fixtures/*.expected.csv) and
  on our own article, whose hand-made claims.csv is the first reference.
- The folder (evidence.scaffold): validated before anything is written and renamed into place, limits with one-line
  errors, untrusted text neutralised in CSV, TOML and Markdown; the main command builds the book and the project's
  own tests pass inside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from markdown_it import MarkdownIt
from hypothesis import strategies as st
from drafting_reference import (FIXTURE_ARTICLES, FIXTURES, alternative_found, drafts_of, expectations, match_claims,
                                measure, tiab_words, top_level_blocks)
from support import ROOT, RULES, SENTINEL_KEY, csv_text, read_csv, write_csv

from evidence import cli
from evidence.drafting import abbreviations, read_article, render_query
from evidence.errors import InputError
from evidence.present.brief import find_chromium
from evidence.register.claims import CLAIM_TYPES, check_query, load_claims
from evidence.export_fields import csv_cell
from evidence.present.escape import md_text
from evidence.scaffold import MAX_DRAFTS, MAX_SENTENCE_CHARS, init_project, map_project, toml_text

ARTICLE = FIXTURES / "article-omega3.txt"
KETAMINE = ROOT.parent / "shared" / "article" / "ketamine-ptsd-article.txt"
EVIDENCE = Path(sys.executable).with_name("evidence")
# Never the reason a sentence is left out, whatever else is: a heading is no sentence, and these assert nothing.
NEVER_DRAFTED = ("call-to-action", "question", "meta")


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


# -- reading the article -------------------------------------------------------------------------------------------
def test_headings_become_sections_and_lines_split_into_sentences():
    article = read_article(ARTICLE.read_text(encoding="utf-8"))
    assert [h.text for h in article.headings] == ["Fish oil for low mood", "How it works", "Safety"]
    assert [s.section for s in article.sentences][:3] == ["Fish oil for low mood"] * 3
    assert article.sentences[2].text.startswith("Studies show that omega-3") and article.sentences[2].line == 3
    assert article.sentences[-1].text == "Talk to your doctor." and article.sentences[-1].section == "Safety"


def test_headings_written_as_questions_are_sections():
    article = read_article(fixture("article-magnesium"))
    sections = {s.section for s in article.sentences}
    assert {"What is magnesium?", "Does magnesium help you sleep?", "Is magnesium safe?"} <= sections
    # a question inside a paragraph is a sentence, not a heading
    assert "Struggling to fall asleep?" in [s.text for s in article.sentences]


def test_markdown_headings_lists_and_wrapped_paragraphs():
    article = read_article(fixture("article-tens-device"))
    assert [h.text for h in article.headings][:2] == ["TENS Therapy for Knee Osteoarthritis Pain",
                                                      "How does a TENS unit work?"]
    texts = [s.text for s in article.sentences]
    # a paragraph wrapped over three lines is one run of sentences; each keeps the line it starts on
    wrapped = next(s for s in article.sentences if s.text.startswith("For many of them"))
    assert wrapped.text == "For many of them, pain makes walking and climbing stairs difficult." and wrapped.line == 5
    assert "Most users feel relief within 20 minutes of switching the unit on." in texts  # a list item, marker gone
    assert "This article was written by the evidence team for the test suite." in texts  # emphasis markers gone


def test_a_hard_wrapped_paragraph_keeps_its_first_line_and_headings_stay_headings():
    text = ("Fish oil and the heart\n"
            "In a 2019 review of 26 trials, researchers at the University\n"
            "College London found that omega-3 supplements reduced triglycerides\n"
            "by 15% in adults with high blood pressure.\n"
            "Omega-3 Supplements and Depression in Older Adults\n"
            "Omega-3 fatty acids are found in fish oil and have been studied for depression in\n"
            "many trials since the first small studies.\n"
            "Is fish oil safe?\n"
            "Fish oil is safe for almost everyone at normal doses.\n"
            "Dosage for adults over sixty\n\n"
            "Most adults take one gram a day.\n")
    article = read_article(text)
    # a short line before a much longer one, a Title Case line, a question, a line before a blank line
    assert [h.text for h in article.headings] == ["Fish oil and the heart",
                                                  "Omega-3 Supplements and Depression in Older Adults",
                                                  "Is fish oil safe?", "Dosage for adults over sixty"]
    first = article.sentences[0]
    # the first line of the wrapped paragraph (11 words, the next line starting with a capital) is no heading
    assert first.text.startswith("In a 2019 review of 26 trials, researchers at the University College London found")
    assert (first.line, first.section) == (2, "Fish oil and the heart")


def test_conditions_named_after_people_and_words_with_accents_are_whole_terms():
    drafts = {d.sentence.text: d.draft for d in drafts_of(
        "Curcumin reduces inflammation in patients with Crohn's disease.\n"
        "Sjögren's syndrome affects about 4 million adults in the United States.\n"
        "Betahistine reduces vertigo attacks in people with Ménière's disease.\n"
        "Levodopa improves tremor in Parkinson\u2019s disease compared with placebo.\n") if d.draft}
    crohn = drafts["Curcumin reduces inflammation in patients with Crohn's disease."]
    assert crohn.query == '(curcumin[Title/Abstract]) AND ("crohn\'s disease"[Title/Abstract] OR ' \
                          'inflammation[Title/Abstract])'
    assert crohn.population == "patients with Crohn's disease"
    sjogren = drafts["Sjögren's syndrome affects about 4 million adults in the United States."]
    assert sjogren.query.startswith('("sjögren\'s syndrome"[Title/Abstract]) AND ')
    meniere = drafts["Betahistine reduces vertigo attacks in people with Ménière's disease."]
    assert '"ménière\'s disease"[Title/Abstract]' in meniere.query and "betahistine" in meniere.query
    parkinson = drafts["Levodopa improves tremor in Parkinson\u2019s disease compared with placebo."]
    assert '"parkinson\'s disease"[Title/Abstract]' in parkinson.query
    # a possessive before a word that names no condition is not joined to it
    patient = next(d.draft for d in drafts_of("Acupuncture eased the patient's pain in 3 trials.\n") if d.draft)
    assert "patient" not in patient.query and "pain[Title/Abstract]" in patient.query


def test_abbreviations_the_article_defines():
    assert abbreviations("Post-Traumatic Stress Disorder (PTSD) and cognitive-behavioral therapy (CBT) help.") == {
        "PTSD": "Post-Traumatic Stress Disorder", "CBT": "cognitive-behavioral therapy"}
    assert abbreviations("we explain how transcutaneous electrical nerve stimulation (TENS) works") == {
        "TENS": "transcutaneous electrical nerve stimulation"}
    assert abbreviations("a trial (n) of one (OK) thing") == {}


# -- drafts against the hand-written expectations of the fixture articles ----------------------------------------
@pytest.mark.parametrize("name", FIXTURE_ARTICLES)
def test_every_checkable_sentence_is_drafted_and_no_call_to_action_question_or_heading(name):
    text = fixture(name)
    decisions = {d.sentence.text: d for d in drafts_of(text)}
    expected = expectations(name)
    headings = [h.text for h in read_article(text).headings]
    for row in expected:
        if row.kind == "heading":
            assert row.text in headings and row.text not in decisions, row.text
        elif row.kind == "claim":
            assert row.text in decisions, f"not read as a sentence: {row.text}"
            assert decisions[row.text].draft is not None, f"{row.text}: {decisions[row.text].outcome}"
        elif row.kind == "not-claim":
            assert row.text in decisions, f"not read as a sentence: {row.text}"
            if row.why in NEVER_DRAFTED:
                assert decisions[row.text].draft is None, f"{row.why} drafted: {row.text}"
    # every drafted sentence is one the expectations list (so an unexpected draft is seen)
    listed = {row.text for row in expected}
    assert [t for t, d in decisions.items() if d.draft is not None and t not in listed] == []


@pytest.mark.parametrize("name", FIXTURE_ARTICLES)
def test_claim_types_match_the_expectations_for_at_least_80_percent(name):
    decisions = {d.sentence.text: d for d in drafts_of(fixture(name))}
    claims = [row for row in expectations(name) if row.kind == "claim"]
    same = [row.text for row in claims if decisions[row.text].draft.claim_type == row.claim_type]
    assert len(same) >= 0.8 * len(claims), [(r.text, r.claim_type, decisions[r.text].draft.claim_type)
                                            for r in claims if r.text not in same]
    for row in claims:  # the cue that decided the type is named
        draft = decisions[row.text].draft
        assert draft.type_cue.startswith(f"{draft.claim_type}: ")


@pytest.mark.parametrize("name", FIXTURE_ARTICLES)
def test_queries_hold_the_expected_concept_blocks_and_no_verb_or_filler_word(name):
    decisions = {d.sentence.text: d for d in drafts_of(fixture(name))}
    expected = expectations(name)
    non_terms = {w.lower() for row in expected if row.kind == "non-terms" for w in row.text.split()}
    assert non_terms
    blocks = [(row, block) for row in expected if row.kind == "claim" for block in row.concepts]
    missing = [(row.text, block) for row, block in blocks
               if not alternative_found(block, decisions[row.text].draft.query)]
    assert len(missing) <= 0.1 * len(blocks), missing  # at least 90% of the concepts a librarian expects
    for decision in decisions.values():
        if decision.draft is not None:
            query = decision.draft.query
            assert len(top_level_blocks(query)) >= 2, query
            assert check_query(query) is None, query
            assert tiab_words(query) & non_terms == set(), query


def test_each_draft_fills_its_pico_slots_from_the_sentence():
    decisions = {d.sentence.text: d.draft for d in drafts_of(fixture("article-magnesium"))}
    trial = decisions["A randomized trial in older adults found that magnesium supplements improved insomnia "
                      "severity scores compared with placebo."]
    assert (trial.population, trial.intervention, trial.comparator, trial.outcome) == (
        "older adults", "magnesium", "placebo", "insomnia")
    kidney = decisions["People with kidney disease should not take magnesium supplements without medical advice."]
    assert kidney.population == "People with kidney disease" and kidney.claim_type == "safety"
    assert kidney.type_cue == "safety: \u201cshould not take\u201d"


def test_a_sentence_about_how_long_benefits_last_is_a_durability_claim():
    text = ("Relief from joint pain\nGlucosamine supplements ease joint pain. The benefits last for months after "
            "the last dose.\n")
    drafts = [d.draft for d in drafts_of(text) if d.draft is not None]
    assert [d.claim_type for d in drafts] == ["efficacy", "durability"]
    assert "glucosamine" in drafts[1].query  # the article's treatment, though this sentence names none


def test_without_its_treatment_a_sentence_on_a_condition_is_not_an_effect_claim():
    text = "Asthma often persists for years. Inhaled steroids reduce asthma attacks.\n"
    types = [d.draft.claim_type for d in drafts_of(text) if d.draft is not None]
    assert types == ["epidemiology", "efficacy"]


@pytest.mark.parametrize(("text", "outcome", "claim_type"), [
    ("Weight loss\nBy Dr. Jane Smith, MD | Updated March 2024\nDrug X reduces weight.\n", "left out: byline", ""),
    ("Side effects\nNausea and diarrhea are common in the first weeks of semaglutide.\n", "drafted", "safety"),
    ("Semaglutide\nAdults who took semaglutide lost 15% of their body weight compared with placebo.\n", "drafted",
     "efficacy"),
    ("Semaglutide\nMost people gain the weight back within a year of stopping semaglutide.\n", "drafted", "durability"),
    ("Semaglutide\nBy blocking a receptor, semaglutide reduces appetite.\n", "drafted", "mechanism"),
    ("Asthma\nAsthma affects 8% of adults.\n", "drafted", "prevalence"),
    ("Benefits of semaglutide:\n- **Lasting results:** The benefits of semaglutide persist for months.\n", "drafted",
     "durability"),
])
def test_small_cases_of_sentences_and_types(text, outcome, claim_type):
    decision = drafts_of(text)[0] if outcome.startswith("left") else next(d for d in drafts_of(text) if d.draft)
    assert decision.outcome == outcome, decision
    if claim_type:
        assert decision.draft.claim_type == claim_type, decision.draft.type_cue


def test_a_mapped_query_puts_mesh_headings_first():
    decision = next(d for d in drafts_of(fixture("article-omega3")) if d.draft and d.draft.claim_type == "efficacy")
    mapped = render_query(decision.draft.blocks, {"omega-3": ("fatty acids, omega-3",),
                                                  "depressive symptoms": ("depression",)})
    assert mapped == ('("fatty acids, omega-3"[MeSH Terms] OR "omega-3"[Title/Abstract]) AND '
                      '("depression"[MeSH Terms] OR "depressive symptoms"[Title/Abstract])')
    assert check_query(mapped) is None


# -- our own article's hand-made claims.csv: the first reference -------------------------------------------------
@pytest.fixture(scope="module")
def reference():
    if not KETAMINE.is_file():
        pytest.skip("../shared/article is not beside this checkout")
    return match_claims(load_claims(ROOT / "claims.csv", RULES), KETAMINE.read_text(encoding="utf-8"))


def test_our_article_every_hand_made_quote_is_drafted_with_its_type(reference):
    figures = measure(reference)
    assert figures.drafted == figures.claims, [m.claim.claim_id for m in reference if not m.drafted]
    assert figures.type_agreement >= 0.8, [(m.claim.claim_id, m.claim.claim_type, m.decision.draft.claim_type)
                                           for m in reference if not m.same_type]
    assert figures.coverage >= 0.75


def test_our_article_figures_in_the_walkthrough_are_the_measured_ones(reference):
    figures = measure(reference)
    doc = (ROOT / "docs" / "new-article.md").read_text(encoding="utf-8")
    assert (f"| quotes of claims.csv drafted | {figures.drafted} of {figures.claims} |" in doc and
            f"| claim type as in claims.csv | {figures.same_type} of {figures.drafted} |" in doc and
            f"| concepts of its queries found in the draft queries | {figures.concepts_found} of "
            f"{figures.concepts} |" in doc), "docs/new-article.md: update the reference table"


def test_the_walkthrough_shows_the_drafts_init_makes():
    """docs/new-article.md's table of drafts is init's own output for the magnesium fixture."""
    import re

    drafted = [d for d in drafts_of(fixture("article-magnesium")) if d.draft is not None]
    doc = (ROOT / "docs" / "new-article.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| C(\d\d) \| (.*?) \| (\S+) \| (.*?) \| `(.*)` \|$", doc, re.M)
    assert len(rows) >= 10
    for number, quote, claim_type, cue, query in rows:
        decision = drafted[int(number) - 1]
        assert (decision.sentence.text, decision.draft.claim_type, decision.draft.query) == (quote, claim_type, query)
        assert decision.draft.type_cue == f"{claim_type}: {cue}"


def test_our_article_drafts_leave_out_the_announcement_and_type_definitions_as_epidemiology():
    if not KETAMINE.is_file():
        pytest.skip("../shared/article is not beside this checkout")
    decisions = drafts_of(KETAMINE.read_text(encoding="utf-8"))
    announcement = next(d for d in decisions if d.sentence.text.startswith("In this article, we will explore"))
    assert announcement.draft is None
    manifests = [d for d in decisions if "manifest" in d.sentence.text]
    assert all(d.draft is None or d.draft.claim_type == "epidemiology" for d in manifests)
    definition = next(d for d in decisions if d.sentence.text.startswith("Post-Traumatic Stress Disorder"))
    assert definition.draft.claim_type == "epidemiology"
    for decision in decisions:
        if decision.draft is not None:
            assert len(top_level_blocks(decision.draft.query)) >= 2
            assert decision.draft.claim_type in CLAIM_TYPES
    words = {w for d in decisions if d.draft for w in tiab_words(d.draft.query)}
    # the examples of verbs and filler drafted as search terms
    assert words & {"traditional", "groundbreaking", "individuals", "remarkable", "modulate", "improves"} == set()


# -- the folder ----------------------------------------------------------------------------------------------------
def test_init_refuses_a_folder_in_use_and_a_missing_article(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"exists and is not empty"):
        init_project(ARTICLE, tmp_path / "used")
    assert (tmp_path / "used" / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(InputError, match=r"no article at"):
        init_project(tmp_path / "missing.txt", tmp_path / "new")
    assert cli.main(["init", str(tmp_path / "missing.txt"), str(tmp_path / "new")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["used"]


def _one_line_error(capsys, argv) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "Fix:" in err, err
    return err


def test_a_binary_or_non_utf8_article_gives_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "binary.txt").write_bytes(b"%PDF-1.7\n\x00\x01\x02 stream")
    assert "not a text file" in _one_line_error(capsys, ["init", str(tmp_path / "binary.txt"), str(tmp_path / "a")])
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait reduces fatigue by 40%.".encode("latin-1"))
    assert "not UTF-8" in _one_line_error(capsys, ["init", str(tmp_path / "latin1.txt"), str(tmp_path / "b")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["binary.txt", "latin1.txt"]


def test_limits_are_checked_before_anything_is_written_and_a_retry_works(tmp_path, capsys):
    many = tmp_path / "many.txt"
    many.write_text("".join(f"Drug number {n} reduces pain by {n % 90 + 1}% in trials.\n"
                            for n in range(MAX_DRAFTS + 1)), encoding="utf-8")
    target = tmp_path / "project"
    assert "than the 999 a project holds" in _one_line_error(capsys, ["init", str(many), str(target)])
    long = tmp_path / "long.txt"
    long.write_text("Fish oil reduces pain " + "and more " * MAX_SENTENCE_CHARS + ".\n", encoding="utf-8")
    assert "line 1: a sentence of" in _one_line_error(capsys, ["init", str(long), str(target)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.txt", "many.txt"]  # no project, no temporary folder
    target.mkdir()  # an empty folder is accepted, and a retry with a good article succeeds
    assert cli.main(["init", str(ARTICLE), str(target)]) == 0
    assert (target / "claims.csv").is_file() and sorted(p.name for p in tmp_path.iterdir()) == [
        "long.txt", "many.txt", "project"]


def test_init_into_the_empty_folder_it_is_run_from_keeps_that_folder(tmp_path, monkeypatch):
    article = tmp_path / "article.txt"
    article.write_bytes(ARTICLE.read_bytes())
    here = tmp_path / "here"
    here.mkdir()
    here.chmod(0o750)
    before = here.stat()
    monkeypatch.chdir(here)  # as `cd here && evidence init ../article.txt .`
    assert cli.main(["init", "../article.txt", "."]) == 0
    assert [c.claim_id for c in load_claims(here / "claims.csv")] == ["C01", "C02", "C03", "C04"]
    after = here.stat()
    # the same folder (a shell inside it sees the project), with its own mode; nothing left beside it or inside
    assert (after.st_ino, after.st_mode & 0o777) == (before.st_ino, 0o750)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "here"]
    assert not [p.name for p in here.iterdir() if p.name.startswith(".evidence-init")]


def test_a_folder_named_through_dot_dot_goes_where_the_file_system_would(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "made").mkdir()
    assert cli.main(["init", str(ARTICLE), "made/../p"]) == 0  # "made" exists: the project is p, beside it
    assert (tmp_path / "p" / "claims.csv").is_file()
    capsys.readouterr()
    before = sorted(p.name for p in tmp_path.iterdir())
    # "new" does not exist, so the file system cannot go up out of it: refused, nothing made
    assert cli.main(["init", str(ARTICLE), "new/../q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("evidence: error: new/../q goes up ('..') out of new, which does not exist") and \
        err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_new_project_folder_has_the_mode_of_any_new_folder(tmp_path):
    old = os.umask(0o027)
    try:
        init_project(ARTICLE, tmp_path / "p")
    finally:
        os.umask(old)
    assert [(tmp_path / "p" / name).stat().st_mode & 0o777 for name in ("", "data", "notebooks")] == [0o750] * 3


def test_an_article_whose_file_name_is_not_utf8_gives_one_line_and_exit_2(tmp_path, capsys):
    name = os.fsdecode(b"caf\xe9.txt")  # a Latin-1 name, as Python holds bytes that are not UTF-8
    (tmp_path / name).write_bytes(ARTICLE.read_bytes())
    err = _one_line_error(capsys, ["init", str(tmp_path / name), str(tmp_path / "p")])
    assert "file name caf\\udce9.txt is not UTF-8" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("title", [" ", "\x07\x01", " \t\x1b "])
def test_a_title_of_only_spaces_or_control_characters_gives_the_default_title(tmp_path, title):
    init_project(ARTICLE, tmp_path / "p", title=title)
    config = tomllib.loads((tmp_path / "p" / "evidence.toml").read_text(encoding="utf-8"))
    assert config["title"] == "Checking article omega3"


def test_a_failure_while_building_leaves_no_folder(tmp_path, monkeypatch):
    import evidence.scaffold as scaffold

    def broken(project):
        raise OSError("disk full")

    monkeypatch.setattr(scaffold, "write_group_notebooks", broken)
    with pytest.raises(OSError, match="disk full"):
        init_project(ARTICLE, tmp_path / "project")
    assert list(tmp_path.iterdir()) == []


def test_untrusted_text_is_neutralised_in_csv_toml_and_markdown(tmp_path):
    article = tmp_path / 'evil"name.txt'
    article.write_text("=HYPERLINK(\"http://x\") studies show fish oil reduces pain by 50%.\n"
                       "+Fish oil cuts heart attacks by 30% in trials.\n"
                       "@SUM(1) Omega-3 supplements lower triglycerides in studies.\n"
                       "<script>alert(1)</script> Fish oil improves mood in 3 trials.\n", encoding="utf-8")
    title = 'A "quoted" <b>title</b>\n[link](javascript:alert(1)) \\ \x07bell'
    result = init_project(article, tmp_path / "p", title=title)
    claims = read_csv(tmp_path / "p" / "claims.csv")
    assert [c["quote"][:2] for c in claims[:3]] == ["'=", "'+", "'@"]
    sentences = read_csv(tmp_path / "p" / "sentences.csv")
    assert all(not row["sentence"].startswith(("=", "+", "-", "@")) for row in sentences)
    config = tomllib.loads((tmp_path / "p" / "evidence.toml").read_text(encoding="utf-8"))
    assert config["title"] == " ".join(title.replace("\x07", " ").split()) and config["article"] == 'evil"name.txt'
    readme = (tmp_path / "p" / "README.md").read_text(encoding="utf-8")
    assert "<b>" not in readme and "\\<b\\>" in readme
    html = MarkdownIt("commonmark").render(readme)  # as a Markdown viewer shows it: no tag, no link
    assert "<b>" not in html and "<a " not in html.split("</h1>")[0] and "&lt;b&gt;title" in html
    # no file is named from the article's text
    names = sorted(p.relative_to(tmp_path / "p").as_posix() for p in result.files)
    assert all("evil" not in n and "script" not in n for n in names)
    # the loader undoes the guard: the book shows the article's words as written
    quotes = [c.quote for c in load_claims(tmp_path / "p" / "claims.csv")]
    assert quotes[:3] == ['=HYPERLINK(" studies show fish oil reduces pain by 50%.',
                          "+Fish oil cuts heart attacks by 30% in trials.",
                          "@SUM(1) Omega-3 supplements lower triglycerides in studies."]


def test_the_helpers_for_untrusted_text():
    # a plain number cannot be a formula, and keeps its sign (export_fields.csv_cell)
    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "-cmd", "@A1", "\tx", "\rx", "safe", "")] == [
        "'=1+1", "+1", "-1", "'-cmd", "'@A1", "'\tx", "'\rx", "safe", ""]
    value = 'a "b" \\ c' + chr(7)
    assert tomllib.loads("t = " + toml_text(value))["t"] == value
    text = md_text("# <i>x</i> [a](b)")
    assert text.startswith("\\#") and "\\<i\\>" in text and "\\[a\\]" in text and "<i>" not in text


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("second") / "omega3"
    assert cli.main(["init", str(ARTICLE), str(folder), "--title", "Checking a fish-oil article"]) == 0
    return folder


def test_the_folder_holds_a_valid_project(project):
    claims = load_claims(project / "claims.csv")
    assert [c.claim_id for c in claims] == ["C01", "C02", "C03", "C04"]
    assert [c.claim_type for c in claims] == ["prevalence", "efficacy", "mechanism", "safety"]
    assert all(c.statement == f"(draft) {c.quote}" for c in claims)
    sentences = read_csv(project / "sentences.csv")
    assert {row["claim_id"] for row in sentences} == {"", "C01", "C02", "C03", "C04"}
    assert [row["outcome"] for row in sentences if not row["claim_id"]] == [
        "left out: about the article", "left out: call to action"]
    drafts = read_csv(project / "drafts.csv")
    assert [row["claim_id"] for row in drafts] == ["C01", "C02", "C03", "C04"]
    assert all(row["mesh"].startswith("not mapped yet") and "evidence init --map ." in row["mesh"] for row in drafts)
    assert all(row["hits"] == "" and row["flag"] == "" for row in drafts)
    assert [row["draft_query"] for row in drafts] == [c.query for c in claims]
    for name in ("studies.csv", "evidence.csv", "screening.csv", "wording.csv", "verdict_overrides.csv"):
        assert len((project / "data" / name).read_text(encoding="utf-8").splitlines()) == 1, name
    assert sorted(p.name for p in (project / "notebooks").glob("*.ipynb")) == [
        "00-overview.ipynb", "01-claims.ipynb", "99-methods.ipynb"]
    tasks = (project / "tasks.py").read_text(encoding="utf-8")
    assert f"PACKAGE = Path({str(ROOT)!r})" in tasks
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "python3 tasks.py report" in readme and "evidence init --map ." in readme


def _run(command, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NCBI_"))}
    env.update(EVIDENCE_MODE="offline", PYTHONHASHSEED="0")
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_the_report_and_the_tests_run_in_the_new_project(project):
    report = _run([str(EVIDENCE), "report"], project)
    assert report.returncode == 0, report.stdout[-2000:] + report.stderr[-2000:]
    assert (project / "site" / "index.html").is_file() and (project / "site" / "brief.html").is_file()
    brief = (project / "site" / "brief.html").read_text(encoding="utf-8")
    assert all(f'id="claim-C0{n}"' in brief for n in range(1, 5))
    if find_chromium() is not None or os.environ.get("CI"):
        from pypdf import PdfReader

        reader = PdfReader(project / "reports" / "brief.pdf")
        text = " ".join(page.extract_text() for page in reader.pages)
        assert len(reader.pages) >= 1 and all(f"C0{n}" in text for n in range(1, 5))
    tests = _run([sys.executable, "-m", "pytest", "-q"], project)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "passed" in tests.stdout and "failed" not in tests.stdout


# -- with network: PubMed's term mapping, through the loopback double ---------------------------------------------
def _network(double, **extra) -> dict[str, str]:
    return {"EVIDENCE_MODE": "cached", "NCBI_EMAIL": "tests@example.org", "NCBI_API_KEY": SENTINEL_KEY,
            "EVIDENCE_EUTILS_BASE": double.base, **extra}


def test_with_network_init_maps_terms_to_mesh_and_flags_counts(double, tmp_path):
    double.add_mesh("fish oil", "Fish Oils")
    double.add_mesh("omega-3", "Fatty Acids, Omega-3")
    double.add_mesh("depression", "Depression")
    double.counter = lambda query: 0 if "brain" in query else (25_000 if "safety" in query else 120)
    result = init_project(ARTICLE, tmp_path / "p", environ=_network(double), snapshot=dt.date(2025, 1, 31))
    assert result.mapped
    claims = {c.claim_id: c for c in load_claims(tmp_path / "p" / "claims.csv")}
    assert claims["C01"].query.startswith('("depression"[MeSH Terms] OR depression[Title/Abstract])')
    assert '"fish oils"[MeSH Terms] OR "fish oil"[Title/Abstract]' in claims["C01"].query
    assert '"fatty acids, omega-3"[MeSH Terms]' in claims["C02"].query
    drafts = {row["claim_id"]: row for row in read_csv(tmp_path / "p" / "drafts.csv")}
    assert drafts["C01"]["mesh"] == "depression -> depression | fish oil -> fish oils"
    assert [drafts[c]["hits"] for c in ("C01", "C02", "C03", "C04")] == ["120", "120", "0", "25000"]
    assert drafts["C03"]["flag"].startswith("0 hits") and drafts["C04"]["flag"].startswith("25,000 hits, more than")
    assert drafts["C01"]["flag"] == "" and result.flags == (f"C03: {drafts['C03']['flag']}",
                                                             f"C04: {drafts['C04']['flag']}")
    counts = [r for r in double.requests if r.util == "esearch"]
    assert all(r.params["retmax"] == "0" and r.params["maxdate"] == "2025/01/31" for r in counts)
    assert (tmp_path / "p" / "data" / "cache" / "esearch").is_dir()  # replayed offline from the project's cache
    stored = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "p").rglob("*") if p.is_file())
    assert "tests@example.org" not in stored and SENTINEL_KEY not in stored


def test_map_maps_an_offline_project_and_keeps_the_queries_the_writer_changed(double, tmp_path, capsys, monkeypatch):
    init_project(ARTICLE, tmp_path / "p")
    path = tmp_path / "p" / "claims.csv"
    rows = read_csv(path)
    rows[1]["query"] = "omega-3[tiab] AND depression[tiab]"
    write_csv(path, list(rows[0]), rows)
    double.add_mesh("fish oil", "Fish Oils")
    double.counter = lambda query: 40
    for name, value in _network(double).items():
        monkeypatch.setenv(name, value)
    assert cli.main(["init", "--map", str(tmp_path / "p")]) == 0
    assert "1 claim(s) whose query you changed kept it (C02)" in capsys.readouterr().out
    claims = load_claims(path)
    assert '"fish oils"[MeSH Terms]' in claims[0].query and claims[1].query == "omega-3[tiab] AND depression[tiab]"
    drafts = read_csv(tmp_path / "p" / "drafts.csv")
    assert all(row["hits"] == "40" and not row["mesh"].startswith("not mapped") for row in drafts)


def test_map_after_an_online_init_and_again_keeps_only_the_query_the_writer_changed(double, tmp_path):
    double.add_mesh("fish oil", "Fish Oils")
    double.counter = lambda query: 40
    init_project(ARTICLE, tmp_path / "p", environ=_network(double))
    path = tmp_path / "p" / "claims.csv"
    mapped = path.read_bytes()
    assert '"fish oils"[MeSH Terms]' in load_claims(path)[0].query
    for _ in range(2):  # init wrote these queries, and then --map did: none is the writer's
        assert map_project(tmp_path / "p", environ=_network(double)).kept == ()
        assert path.read_bytes() == mapped
    ours = load_claims(path)[2].query
    rows = read_csv(path)
    rows[2]["query"] = "omega-3[tiab] AND brain[tiab]"
    write_csv(path, list(rows[0]), rows)
    for _ in range(2):  # the writer's query is kept, now and on the next run
        assert map_project(tmp_path / "p", environ=_network(double)).kept == ("C03",)
    claims = load_claims(path)
    assert claims[2].query == "omega-3[tiab] AND brain[tiab]" and '"fish oils"[MeSH Terms]' in claims[0].query
    # drafts.csv records the query last written for each claim
    drafts = [row["written_query"] for row in read_csv(tmp_path / "p" / "drafts.csv")]
    assert drafts == [claims[0].query, claims[1].query, ours, claims[3].query]


def test_map_reads_claims_csv_saved_by_excel_and_writes_back_every_other_cell_as_read(double, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("=HYPERLINK(\"x\") fish oil reduces pain by 50% in trials.\n" + ARTICLE.read_text(
        encoding="utf-8"), encoding="utf-8")
    init_project(article, tmp_path / "p")
    path = tmp_path / "p" / "claims.csv"
    rows = read_csv(path)
    assert rows[0]["quote"].startswith("'=")  # a spreadsheet shows it as text
    rows[1]["comparator"] = "-"  # as a writer types "none" in a spreadsheet
    rows[1]["population"] = "  adults  "
    # Excel's "CSV UTF-8": a byte order mark and CRLF line ends
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(list(rows[0]), rows).replace("\n", "\r\n").encode("utf-8"))
    double.add_mesh("fish oil", "Fish Oils")
    double.counter = lambda query: 40
    assert map_project(tmp_path / "p", environ=_network(double)).kept == ()
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == len(rows) + 1
    after = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert all('"fish oils"[MeSH Terms]' in row["query"] for row in after[:2])
    # every cell but the query exactly as read: the guard of the quote, a "-" and spaces included
    assert [{k: v for k, v in row.items() if k != "query"} for row in after] == [
        {k: v for k, v in row.items() if k != "query"} for row in rows]
    claims = load_claims(path)
    assert claims[0].quote == '=HYPERLINK("x") fish oil reduces pain by 50% in trials.' and claims[1].comparator == "-"


def test_map_without_network_says_what_to_set(tmp_path, capsys):
    init_project(ARTICLE, tmp_path / "p")
    err = _one_line_error(capsys, ["init", "--map", str(tmp_path / "p")])
    assert "NCBI_EMAIL" in err and "EVIDENCE_MODE=cached" in err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.text(min_size=0, max_size=120),
    st.sampled_from(["# Is it safe?", "- Reduces pain by 40%.", "Fish oil (FO) lowers triglycerides.", "Call us today!",
                     "Studies show that X-ray therapy (XRT) cures 3 in 4 cancers within days.", "=SUM(A1)", "",
                     "People who cannot take aspirin should use TENS.", "Why?", "**Bold:** Vitamin D helps."])),
    max_size=12))
def test_any_text_drafts_without_error_into_valid_queries_of_two_blocks(lines):
    text = "\n".join(lines)
    for decision in drafts_of(text):
        assert decision.outcome == "drafted" or decision.outcome.startswith("left out: ")
        if decision.draft is not None:
            query = decision.draft.query
            assert check_query(query) is None, query
            assert len(top_level_blocks(query)) >= 2, query
            assert decision.draft.claim_type in CLAIM_TYPES
