"""Ranking a batch of records, learning from decisions, simulation and its metrics, the stopping test, and the
ASReview round trip. Every record here is written for these tests (titles and abstracts invented, PMIDs from the
90,000,000 range no fixture uses); none is a real PubMed record."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import numpy as np
import pytest
import rispy
from support import read_csv

from evidence.errors import DataError
from evidence.register.claims import Claim
from evidence.screening import (
    rank,
    rank_candidates,
    recall_at,
    recall_curve,
    relevance,
    simulate,
    stopping_advice,
    wss,
)
from evidence.screening.interop import LABEL_COLUMNS, export_asreview, read_asreview
from evidence.screening.stopping import remaining_relevant
from evidence.sources.records import AbstractSection, MeshHeading, Record

TODAY = dt.date(2026, 12, 4)
STATEMENT = "Intravenous ketamine infusion reduces PTSD symptom severity"


def record(pmid: int, title: str, abstract: str, mesh: tuple[str, ...] = (), year: int = 2020) -> Record:
    return Record(pmid=str(pmid), title=title, journal="J Test", year=year, authors=("Doe J", "Roe R"),
                  abstract=(AbstractSection("", "", abstract),),
                  mesh=tuple(MeshHeading(m, f"D{i:06d}", False) for i, m in enumerate(mesh)))


# -- rank and relevance ----------------------------------------------------------------------------------------------
def test_relevance_rises_with_the_statement_words_found_and_counts_the_title_more():
    title = "Intravenous ketamine infusion reduced PTSD symptom severity"
    assert relevance(STATEMENT, "", "") == 0.0
    assert relevance("", "anything", "at all") == 0.0
    full = relevance(STATEMENT, title, "")
    assert 0 < relevance(STATEMENT, "Ketamine in depression", "") < full <= 1
    assert relevance(STATEMENT, "", title) < full  # the same words in the abstract only count less
    assert relevance(STATEMENT, title, "Ketamine infusion lowered PTSD severity in veterans.") > full


def test_rank_scores_each_record_the_same_whatever_the_order_of_the_batch():
    records = [("Ketamine infusion for PTSD", "A randomized trial of intravenous ketamine in PTSD."),
               ("Esketamine for depression", "Nasal esketamine in treatment-resistant depression."),
               ("Sleep in veterans", "A survey of sleep quality."), ("", "")]
    scores = rank(STATEMENT, records)
    assert all(0 <= s <= 1 for s in scores) and scores[-1] == 0.0
    assert scores[0] == max(scores) and scores[2] == 0.0
    shuffled = [3, 1, 0, 2]
    assert rank(STATEMENT, [records[i] for i in shuffled]) == [scores[i] for i in shuffled]


def test_rank_rewards_the_claims_phrases_and_pico_facets_beyond_its_words():
    together = ("Ketamine infusion and PTSD symptom severity", "Veterans with PTSD received a ketamine infusion.")
    scattered = ("Severity of symptoms after infusion", "Ketamine was given; PTSD was measured; one infusion.")
    other = ("Anesthesia in children", "Ketamine for sedation of children in the emergency room.")
    scores = rank(STATEMENT, [together, scattered, other])
    assert scores[0] > scores[1] > scores[2]
    # naming the claim's population counts once the population is one of the claim's facets
    bare = ("Ketamine infusion and PTSD symptom severity", "")
    with_population = ("Ketamine infusion and PTSD symptom severity in veterans", "")
    plain = rank(STATEMENT, [bare, with_population])
    faceted = rank(STATEMENT, [bare, with_population], pico=("veterans", "ketamine", "PTSD symptom severity"))
    assert plain[1] <= plain[0] and faceted[1] > faceted[0]


def test_mesh_headings_count_where_the_record_has_them():
    plain = ("Outcomes after treatment", "Measures were taken at one week.")
    indexed = (*plain, "Ketamine; Stress Disorders, Post-Traumatic; Infusions, Intravenous")
    assert rank(STATEMENT, [plain, indexed])[1] > rank(STATEMENT, [plain, indexed])[0] == 0.0


# -- learning from decisions -----------------------------------------------------------------------------------------
CLAIM = Claim(claim_id="C04", section="s", quote="q", statement="Ketamine reduces symptoms", group="efficacy",
              claim_type="efficacy", population="adults", intervention="ketamine", comparator="placebo",
              outcome="symptoms", query="ketamine", filters="")


def topic_records() -> list[Record]:
    """Two topics that the claim's words cannot tell apart: nasal esketamine for depression (wanted by the
    decisions below) and ketamine sedation in children (not)."""
    wanted = [record(90_000_001 + i, f"Nasal esketamine spray and depressive symptoms {i}",
                     "Esketamine nasal spray was given to adults with treatment-resistant depression; ketamine "
                     f"reduces symptoms on the MADRS scale. Report {i}.") for i in range(4)]
    unwanted = [record(90_000_101 + i, f"Ketamine sedation for fracture reduction in children {i}",
                       "Intramuscular ketamine sedation in the paediatric emergency department; ketamine reduces "
                       f"symptoms of distress during reduction. Report {i}.") for i in range(4)]
    return wanted + unwanted


def test_decisions_change_the_order_of_the_remaining_candidates():
    records = topic_records()
    wanted, unwanted = {r.pmid for r in records[:4]}, {r.pmid for r in records[4:]}
    before, basis = rank_candidates(CLAIM, records)
    assert basis.basis == "text"
    decided = {records[0].pmid: False, records[4].pmid: True}
    remaining = [c.pmid for c in before if c.pmid not in decided]
    assert set(remaining[:3]) == wanted - set(decided)  # the claim's words favour the esketamine reports
    after, basis = rank_candidates(CLAIM, records, skip=set(decided), decisions=decided)
    assert (basis.basis, basis.relevant, basis.irrelevant) == ("learned", 1, 1)
    order = [c.pmid for c in after]
    assert sorted(order) == sorted(remaining) and order != remaining
    assert set(order[:3]) == unwanted - set(decided)  # the decisions want the sedation reports instead
    # the opposite decisions agree with the claim's words
    agreeing, _ = rank_candidates(CLAIM, records, skip=set(decided),
                                  decisions={records[0].pmid: True, records[4].pmid: False})
    assert set(c.pmid for c in agreeing[:3]) == wanted - set(decided)


def test_one_kind_of_decision_alone_leaves_the_text_ranking():
    records = topic_records()
    _, basis = rank_candidates(CLAIM, records, decisions={records[0].pmid: True, records[1].pmid: True})
    assert basis.basis == "text"


# -- simulation and its metrics --------------------------------------------------------------------------------------
def separable_set(n_relevant: int = 12, n_irrelevant: int = 60, seed: int = 3):
    rng = random.Random(seed)
    wanted = ["triptan", "migraine", "headache", "sumatriptan", "aura", "relief"]
    other = ["asthma", "inhaler", "wheeze", "budesonide", "airway", "spirometry", "child", "school"]
    common = ["patients", "outcome", "dose", "week", "randomized", "placebo"]
    records, labels = [], []
    for i in range(n_relevant + n_irrelevant):
        relevant = i < n_relevant
        words = rng.sample(wanted if relevant else other, 3) + rng.sample(common, 3)
        records.append((" ".join(words[:3]), " ".join(rng.sample(words, len(words))) + f" report {i}"))
        labels.append(relevant)
    pairs = list(zip(records, labels))
    rng.shuffle(pairs)
    return [p[0] for p in pairs], [p[1] for p in pairs]


def test_simulate_screens_every_record_once_starting_from_one_include_and_one_exclude():
    records, labels = separable_set()
    order = simulate(records, labels, seed=0)
    assert sorted(order) == list(range(len(records)))
    assert labels[order[0]] is True and labels[order[1]] is False
    assert simulate(records, labels, seed=0) == order
    assert simulate(records, labels, seed=1)[:2] != order[:2]
    # learning finds every relevant record long before random order would
    assert recall_at(order, labels, 20) == 1.0
    assert wss(order, labels) > 0.6
    with pytest.raises(ValueError, match="labels"):
        simulate(records, labels[:-1])


def test_simulate_with_one_class_only_follows_the_statement():
    records = [("Asthma inhalers", ""), ("Migraine triptans", ""), ("Sleep", "")]
    assert simulate(records, [False, False, False], statement="triptans for migraine") == [1, 0, 2]
    assert simulate(records, [True, True, True]) == [0, 1, 2]


def test_recall_curve_wss_and_recall_at_on_an_order_worked_by_hand():
    labels = [True, False, False, True, False, False, False, False, False, False]
    best = [0, 3, 1, 2, 4, 5, 6, 7, 8, 9]
    assert recall_curve(best, labels)[:3] == [0.5, 1.0, 1.0]
    # 95% of 2 relevant records needs both: 2 screened of 10, so (10 - 2) / 10 - 0.05
    assert wss(best, labels) == pytest.approx(0.75)
    worst = best[::-1]
    assert wss(worst, labels) == pytest.approx(-0.05)
    assert recall_at(worst, labels, 8) == 0.0 and recall_at(worst, labels, 9) == 0.5
    assert recall_at(worst, labels, 0) == 0.0


# -- stopping --------------------------------------------------------------------------------------------------------
def test_the_stopping_test_waits_while_relevant_records_keep_coming_and_stops_after_a_long_dry_run():
    busy = stopping_advice([True] * 20 + [False, True] * 10, 1000)
    assert not busy.stop and busy.p_value > 0.5
    dry = stopping_advice([True] * 20 + [False] * 950, 1000)
    assert dry.stop and dry.p_value < 0.05
    assert "you may stop" in dry.sentence() and "10.1186/s13643-020-01521-4" in dry.sentence()
    assert "keep screening" in busy.sentence()
    assert stopping_advice([], 100).p_value is None and not stopping_advice([], 100).stop
    assert stopping_advice([False, True], 2).stop  # everything screened


def test_what_probably_remains_shrinks_as_irrelevant_records_are_screened():
    early = stopping_advice([True] * 20 + [False] * 50, 1000)
    late = stopping_advice([True] * 20 + [False] * 500, 1000)
    assert early.remaining_upper >= early.remaining_estimate >= late.remaining_estimate
    assert late.remaining_upper < early.remaining_upper
    assert remaining_relevant([True, False], 2, 0.95) == 0
    assert remaining_relevant([], 50, 0.95) == 50


def test_on_a_random_order_the_estimate_is_median_like_and_the_bound_holds_at_its_confidence():
    """Where the method's own assumption holds (records screened in random order), the 'about' figure should fall
    below the truth about half the time and the 95% bound at most 5% of the time (the tightest of many windows
    missed the truth 12 to 20% of the time before the bound was corrected for them)."""
    rng = np.random.default_rng(20261204)
    trials, below_estimate, below_bound = 120, 0, 0
    for _ in range(trials):
        labels = np.zeros(600, dtype=bool)
        labels[:40] = True
        rng.shuffle(labels)
        truth = int(labels[300:].sum())
        advice = stopping_advice(labels[:300].tolist(), 600)
        below_estimate += advice.remaining_estimate < truth
        below_bound += advice.remaining_upper < truth
    assert 0.3 <= below_estimate / trials <= 0.7
    assert below_bound / trials <= 0.05


# -- ASReview interoperability ---------------------------------------------------------------------------------------
def hits() -> list[Record]:
    return [record(90_000_201, "=HYPERLINK(\"http://example.org\") ketamine trial", "Line one.\nLine two.",
                   ("Ketamine",)),
            record(90_000_202, "Ketamine and PTSD", "A trial.", ("Ketamine", "Stress Disorders, Post-Traumatic")),
            record(90_000_203, "Esketamine spray", "A cohort.")]


def read_like_asreview(path) -> pd.DataFrame:
    """What ASReview's CSV reader does first (asreview.data.tabular.CSVReader.read_data; BaseReader's label
    cleaning): pandas sniffing the separator, column names lower-cased, 0/1/empty labels."""
    frame = pd.read_csv(path, sep=None, encoding="utf-8", engine="python")
    frame.columns = [c.lower().strip() for c in frame.columns]
    return frame


def test_the_csv_export_has_the_columns_and_labels_asreview_reads(tmp_path):
    path = tmp_path / "C04.csv"
    assert export_asreview(path, hits(), {"90000201": True, "90000202": False}) == 3
    frame = read_like_asreview(path)
    assert {"title", "abstract", "keywords", "authors", "year", "doi", "url", "included"} <= set(frame.columns)
    labels = dict(zip(frame["pmid"].astype(str), frame["included"]))
    assert labels["90000201"] == 1 and labels["90000202"] == 0 and pd.isna(labels["90000203"])
    first = frame.set_index(frame["pmid"].astype(str)).loc["90000201"]
    assert first["title"].startswith("'=HYPERLINK")  # a spreadsheet shows it as text, never runs it
    assert "\n" not in first["abstract"] and first["url"] == "https://pubmed.ncbi.nlm.nih.gov/90000201/"


def asreview_csv_export(ours, labels_and_times) -> str:
    """ASReview LAB's export of a project made from ``ours``, as its export code writes it
    (asreview.webapp._api.projects: the input data joined with the results prefixed asreview_, relevant first,
    then unseen, then irrelevant; pandas to_csv with the index)."""
    frame = pd.read_csv(ours, sep=None, engine="python")
    frame["asreview_label"] = [labels_and_times.get(str(p), (None, None))[0] for p in frame["pmid"]]
    frame["asreview_time"] = [labels_and_times.get(str(p), (None, None))[1] for p in frame["pmid"]]
    frame["asreview_note"] = None
    frame = pd.concat([frame[frame["asreview_label"] == 1], frame[frame["asreview_label"].isna()],
                       frame[frame["asreview_label"] == 0]])
    return frame.to_csv(index=True)


def test_an_asreview_csv_export_comes_back_as_decisions_in_screening_order(tmp_path):
    ours = tmp_path / "C04.csv"
    export_asreview(ours, hits(), {})
    exported = tmp_path / "asreview_relevant_not_seen_irrelevant_C04.csv"
    exported.write_text(asreview_csv_export(ours, {"90000203": (1, "2026-12-04 10:02:00"),
                                                   "90000201": (0, "2026-12-04 10:01:00")}), encoding="utf-8")
    decisions = read_asreview(exported, "C04", {"C04"}, today=TODAY)
    assert [(d.pmid, d.decision, d.reason) for d in decisions] == [
        ("90000201", "exclude", "title_abstract"), ("90000203", "maybe", "")]
    assert LABEL_COLUMNS[0] == "asreview_label"


def test_the_ris_export_and_an_asreview_ris_export_round_trip(tmp_path):
    ours = tmp_path / "C04.ris"
    export_asreview(ours, hits(), {"90000202": True})
    entries = rispy.loads(ours.read_text(encoding="utf-8"))
    assert [e["accession_number"] for e in entries] == ["90000201", "90000202", "90000203"]
    assert entries[1]["notes"] == ["ASReview_relevant"] and "notes" not in entries[0]
    assert entries[1]["keywords"] == ["Ketamine", "Stress Disorders, Post-Traumatic"]
    # ASReview's RIS writer puts the label note first and each asreview_ column as a JSON note
    entries[0]["notes"] = ["ASReview_irrelevant", 'asreview_time: "2026-12-04 10:05:00"']
    entries[1]["notes"] = ["ASReview_relevant", 'asreview_time: "2026-12-04 10:00:00"']
    entries[2]["notes"] = ["ASReview_not_seen"]
    back = tmp_path / "asreview_export.ris"
    back.write_text(rispy.dumps(entries), encoding="utf-8")
    decisions = read_asreview(back, "C04", {"C04"}, today=TODAY)
    assert [(d.pmid, d.decision) for d in decisions] == [("90000202", "maybe"), ("90000201", "exclude")]


def test_a_bad_label_stops_the_import_naming_file_line_and_field(tmp_path):
    text = "pmid,title,asreview_label\n90000201,A,1\n90000202,\"B,\nsplit\",2\n"
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as error:
        read_asreview(path, "C04", {"C04"}, today=TODAY)
    assert (error.value.file, error.value.line, error.value.column) == ("export.csv", 3, "asreview_label")
    path.write_text("pmid,title,asreview_label\nPMID12,A,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="not a PMID") as error:
        read_asreview(path, "C04", {"C04"}, today=TODAY)
    assert error.value.column == "pmid" and error.value.line == 2
    path.write_text("title,asreview_label\nA,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="no pmid column"):
        read_asreview(path, "C04", {"C04"}, today=TODAY)


def test_the_import_records_labels_atomically_through_the_command_line(tmp_path, monkeypatch, capsys):
    from support import copy_project

    from evidence import cli

    root = copy_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    log = root / "data" / "screening.csv"
    log.write_text("claim_id,pmid,decision,reason,screened_on\n", encoding="utf-8")
    before = log.read_bytes()
    bad = tmp_path / "asreview.csv"
    bad.write_text("pmid,title,asreview_label\n90000201,A,1\n90000202,B,yes please\n", encoding="utf-8")
    assert cli.main(["screen", "C04", "--asreview-import", str(bad)]) == 2
    assert "asreview.csv, line 3, column 'asreview_label'" in capsys.readouterr().err
    assert log.read_bytes() == before
    good = tmp_path / "asreview_ok.csv"
    good.write_text("pmid,title,asreview_label,asreview_time\n90000201,A,1.0,2026-12-04 10:00:00\n"
                    "90000202,B,0.0,2026-12-04 09:00:00\n90000203,C,,\n", encoding="utf-8")
    assert cli.main(["screen", "C04", "--asreview-import", str(good)]) == 0
    assert "recorded 2 decision(s)" in capsys.readouterr().out
    assert [(r["pmid"], r["decision"], r["reason"]) for r in read_csv(log)] == [
        ("90000202", "exclude", "title_abstract"), ("90000201", "maybe", "")]


def test_an_import_that_carries_back_our_own_decisions_changes_only_what_it_changes(tmp_path, monkeypatch, capsys):
    from support import copy_project

    from evidence import cli
    from evidence.register.project import load_register

    root = copy_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    registered = next(s.pmid for _, s in load_register(root).for_claim("C04") if s.pmid)
    log = root / "data" / "screening.csv"
    log.write_text("claim_id,pmid,decision,reason,screened_on\nC04,90000301,exclude,wrong_population,2026-12-01\n"
                   "C04,90000302,exclude,wrong_design,2026-12-01\nC04,90000303,maybe,,2026-12-01\n", encoding="utf-8")
    # ASReview's export carries the project's decisions back as prior labels (1 relevant, 0 not)
    labels = tmp_path / "asreview.csv"
    labels.write_text(f"pmid,title,asreview_label\n{registered},A,1\n90000301,B,0\n90000302,C,1\n90000303,D,1\n",
                      encoding="utf-8")
    assert cli.main(["screen", "C04", "--asreview-import", str(labels)]) == 0
    out = capsys.readouterr().out
    assert "recorded 1 decision(s)" in out and "3 ASReview label(s) agreed with the decision already recorded" in out
    # the exclusion's reason stays, the register's study is not turned into a 'maybe', and the changed mind is kept
    assert [(r["pmid"], r["decision"], r["reason"]) for r in read_csv(log)] == [
        ("90000301", "exclude", "wrong_population"), ("90000303", "maybe", ""), ("90000302", "maybe", "")]
    labels.write_text("pmid,title,asreview_label\n90000301,B,0\n", encoding="utf-8")
    before = log.read_bytes()
    assert cli.main(["screen", "C04", "--asreview-import", str(labels)]) == 0
    assert "every ASReview label (1) agreed with the decision already recorded" in capsys.readouterr().out
    assert log.read_bytes() == before


# -- the screening sequence the stopping test reads ------------------------------------------------------------------
def test_the_screening_sequence_puts_the_register_first_then_the_log_in_recorded_order(tmp_path):
    from support import ROOT

    from evidence.register.project import load_register
    from evidence.screening import Decision, ScreeningLog, screening_sequence

    register = load_register(ROOT)
    registered = [s.pmid for _, s in register.for_claim("C04") if s.pmid][:2]  # in the register's order
    log = ScreeningLog(tmp_path / "screening.csv", {"C04", "C05"}).with_decisions([
        Decision("C04", "90000402", "exclude", "title_abstract", "2026-12-04"),
        Decision("C04", "90000401", "maybe", "", "2026-12-04"),
        Decision("C05", "90000403", "exclude", "wrong_design", "2026-12-04"),  # another claim's
        Decision("C04", "90000404", "exclude", "wrong_design", "2026-12-04"),  # not among the hits
    ])
    log = log.with_decisions([Decision("C04", "90000402", "maybe", "", "2026-12-05")])  # decided again: moves last
    hits = [*registered, "90000401", "90000402", "90000403"]
    assert screening_sequence("C04", log, register, hits) == [
        (registered[0], True), (registered[1], True), ("90000401", True), ("90000402", True)]
    assert [(d.pmid, d.decision) for d in log.in_order("C04")] == [
        ("90000401", "maybe"), ("90000404", "exclude"), ("90000402", "maybe")]
    assert log.text().splitlines()[1:] == [  # the last column, forced, is empty: none was recorded with --force
        "C04,90000401,maybe,,2026-12-04,", "C05,90000403,exclude,wrong_design,2026-12-04,",
        "C04,90000404,exclude,wrong_design,2026-12-04,", "C04,90000402,maybe,,2026-12-05,"]


def test_records_with_no_word_of_two_letters_still_simulate():
    from evidence.screening.learning import simulate

    assert sorted(simulate([("a", ""), ("b", "")], [True, False])) == [0, 1]
    assert sorted(simulate([("!", ""), ("?", ""), (".", "")], [True, False, True])) == [0, 1, 2]
