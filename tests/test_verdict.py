"""verdict.py on constructed registers: one test per verdict rule, certainty and gap rule."""

from __future__ import annotations

import itertools

import pytest
from eutils_double import FIXTURES
from support import article_set

from evidence.errors import DataError, RuleError
from evidence.judge.design import classify_record, resolve_design
from evidence.judge.verdict import FEATURES, assess_claim, claim_features, evaluate, follow_up_weeks, verdict_rules
from evidence.register.claims import Claim
from evidence.register.studies import EvidenceRow, Override, Study, load_overrides
from evidence.sources.records import parse_pubmed_xml
from evidence.vocab import VERDICTS

_ids = itertools.count(1)


def claim(claim_type="efficacy"):
    return Claim("C01", "S", "q", "s", "g", claim_type, "", "", "", "", "ketamine[tiab]", "")


def study(design="rct", n=50, year=2020):
    number = next(_ids)
    return Study(f"pmid:{number}", str(number), "", "", "Author", year, "J", f"Title {number}", design, n, "",
                 "https://example.org", "2026-11-25", "curated")


def row(stance, study_, follow_up="2 weeks"):
    return EvidenceRow("C01", study_.study_id, stance, "", follow_up, "", "fixture")


def linked(*items):
    """items: (stance, design, n[, follow_up]) -> [(EvidenceRow, Study)]"""
    out = []
    for stance, design, n, *rest in items:
        s = study(design, n)
        out.append((row(stance, s, *rest), s))
    return out


def verdict_of(*items, claim_type="efficacy", **kwargs):
    return assess_claim(claim(claim_type), linked(*items), **kwargs)


# -- verdicts, one per rule ----------------------------------------------------------------
def test_consistent_supporting_rcts_are_well_supported():
    a = verdict_of(("supports", "rct", 200), ("supports", "rct", 250), ("supports", "meta-analysis", 900))
    assert a.verdict == "well-supported"
    assert a.certainty == "high" and a.downgrades == ()


def test_large_null_rct_against_small_positive_trials_is_mixed():
    a = verdict_of(("supports", "rct", 30), ("supports", "crossover-rct", 41), ("contrasts", "rct", 158))
    assert a.verdict == "mixed"
    assert a.features["largest_trial_contrasts"] == 1
    assert "the largest randomized trial is null" in a.verdict_reason


def test_only_preclinical_support_is_weak():
    a = verdict_of(("supports", "preclinical-animal", None), ("supports", "preclinical-animal", None),
                   claim_type="mechanism")
    assert a.verdict == "weak"
    assert "indirectness" in dict(a.downgrades)
    assert "most of the evidence comes from animal studies" in a.gaps


def test_nothing_in_favour_and_a_trial_against_is_contradicted():
    assert verdict_of(("contrasts", "rct", 120), ("context", "cohort", 80)).verdict == "contradicted"


def test_no_support_without_strong_contrast_is_unsupported():
    assert verdict_of(("contrasts", "case-series", 12)).verdict == "unsupported"
    assert verdict_of(("mixed", "rct", 30), ("contrasts", "rct", 40)).verdict == "unsupported"


def test_overwhelming_contrary_evidence_is_contradicted_despite_one_supporting_study():
    a = verdict_of(("supports", "cohort", 147), ("contrasts", "cohort", 56), ("contrasts", "cohort", 50),
                   ("contrasts", "cohort", 274), ("contrasts", "cohort", 1158), claim_type="mechanism")
    assert a.verdict == "contradicted"


def test_agreeing_syntheses_outweigh_single_discordant_trials():
    a = verdict_of(("supports", "meta-analysis", 588), ("supports", "meta-analysis", 1877), ("supports", "rct", 120),
                   ("contrasts", "rct", 90), ("contrasts", "rct", 60), ("mixed", "rct", 40))
    assert a.verdict == "supported-with-caveats"
    assert "systematic reviews or meta-analyses" in a.verdict_reason


def test_half_against_is_mixed():
    a = verdict_of(("supports", "rct", 60), ("supports", "rct", 70), ("contrasts", "rct", 50), ("mixed", "rct", 40))
    assert a.verdict == "mixed"


def test_support_only_from_weak_designs_is_weak():
    a = verdict_of(("supports", "open-label", 15), ("supports", "case-series", 30))
    assert a.verdict == "weak"
    assert a.certainty_start == "low" and "risk of bias" in dict(a.downgrades)


def test_one_strong_study_with_some_dissent_is_supported_with_caveats():
    a = verdict_of(("supports", "rct", 400), ("supports", "cohort", 90), ("mixed", "open-label", 20))
    assert a.verdict == "supported-with-caveats"


def test_claim_type_sets_which_designs_are_strong():
    items = (("supports", "cross-sectional", 5000), ("supports", "cohort", 3000))
    assert verdict_of(*items, claim_type="epidemiology").verdict == "well-supported"
    assert verdict_of(*items, claim_type="efficacy").verdict == "weak"


def test_every_verdict_rule_is_reachable_and_in_the_vocabulary():
    assert {r["verdict"] for r in verdict_rules()} == set(VERDICTS)
    assert all(r["source_url"].startswith("https://") for r in verdict_rules())


# -- certainty -------------------------------------------------------------------------------
def test_imprecision_and_publication_bias_for_small_trials():
    a = verdict_of(("supports", "rct", 30), ("supports", "rct", 40), ("supports", "rct", 25))
    reasons = dict(a.downgrades)
    assert "imprecision" in reasons and "publication bias" in reasons
    assert a.certainty == "low"  # high, minus two


def test_inconsistency_downgrade_and_floor_at_very_low():
    a = verdict_of(("supports", "open-label", 10), ("contrasts", "open-label", 12), ("mixed", "preclinical-animal", None),
                   ("mixed", "preclinical-animal", None))
    assert a.certainty == "very low"
    assert {"inconsistency", "indirectness", "risk of bias"} <= set(dict(a.downgrades))


# -- gaps and follow-up ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "weeks"),
    [("24 h", 24 / 168), ("2 weeks after the last infusion", 2), ("6 months", 6 * 4.345), ("28 days", 4), ("3-6 months", 6 * 4.345),
     ("", None), ("baseline only", None)],
)
def test_follow_up_weeks(text, weeks):
    assert follow_up_weeks(text) == (pytest.approx(weeks) if weeks is not None else None)


def test_short_trials_gap_names_the_longest_follow_up():
    a = verdict_of(("supports", "rct", 200, "24 h"), ("supports", "rct", 300, "4 weeks after last infusion"))
    assert "no randomized trial follows patients beyond 4 weeks" in a.gaps


def test_no_randomized_trial_gap():
    a = verdict_of(("supports", "cohort", 500), ("contrasts", "cohort", 300), claim_type="safety")
    assert "no randomized trial tests this claim" in a.gaps


# -- overrides -------------------------------------------------------------------------------------
def test_override_wins_and_is_shown():
    a = verdict_of(("supports", "rct", 30), ("contrasts", "rct", 158), override=Override("weak", "curators' judgement"))
    assert (a.verdict, a.overridden, a.rule_verdict) == ("weak", True, "mixed")
    assert a.verdict_reason == "curators' judgement"


def test_override_file_is_validated(tmp_path):
    path = tmp_path / "verdict_overrides.csv"
    path.write_text("claim_id,verdict,reason\nC01,proven,because\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2, column 'verdict': verdict 'proven'"):
        load_overrides(path, {"C01"})
    path.write_text("claim_id,verdict,reason\nC02,weak,because\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'claim_id'"):
        load_overrides(path, {"C01"})
    assert load_overrides(tmp_path / "absent.csv", {"C01"}) == {}


def test_malformed_condition_is_refused_with_the_valid_features():
    with pytest.raises(RuleError, match="malformed comparison 'supports >> 1'"):
        evaluate("supports >> 1", {"supports": 2})
    with pytest.raises(RuleError, match=r"unknown feature 'support'.*Valid options: supports\."):
        evaluate("support >= 1", {"supports": 2})


def test_the_features_rules_may_name_are_the_features_computed():
    assert tuple(claim_features(claim(), [])) == FEATURES


# -- design from PubMed indexing ------------------------------------------------------------------
def fixture_records():
    return {r.pmid: r for r in parse_pubmed_xml(article_set(*sorted(p.stem for p in FIXTURES.glob("*.xml"))))}


def test_design_from_publication_types_and_mesh():
    records = fixture_records()
    assert classify_record(records["99000001"]).design == "rct"
    assert classify_record(records["99000004"]).design == "preclinical-animal"  # Animals without Humans
    assert classify_record(records["99000003"]).design == "narrative-review"  # book chapter typed Review
    assert classify_record(records["99000002"]) is None  # Journal Article says nothing about design


def test_pubmed_design_wins_over_curated_and_curated_is_the_fallback():
    records = fixture_records()
    curated = study("cohort", 30)
    assert resolve_design(curated, records["99000001"]).design == "rct"
    call = resolve_design(curated, records["99000002"])
    assert (call.design, call.source) == ("cohort", "curated")
    assert resolve_design(curated, None).source == "curated"
