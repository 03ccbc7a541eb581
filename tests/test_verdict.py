"""verdict.py on constructed registers: one test per row of the verdict table, the profiles that may never be
`contradicted`, and the certainty and gap rules."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import pytest
from eutils_double import FIXTURES
from support import RULES, article_set

from evidence.errors import DataError, RuleError
from evidence.judge.design import classify_record, resolve_design
from evidence.judge.profile import first_rule, profile_features, verdict_profile_rules
from evidence.judge.verdict import FEATURES, assess_claim, claim_features, evaluate, follow_up_weeks
from evidence.register.claims import Claim
from evidence.register.effects import PICO, EffectData, EffectRow, Indirectness, RiskOfBias
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


# -- the verdict table, one test per row, each through a register built for it -------------------------------------
def effect_claim(**changes):
    return replace(claim(), effect_family="depressive_symptoms", effect_window="hours", **changes)


# A comparator matched for felt effects and trials at low risk of bias in every RoB 2 domain, so that certainty moves
# only with what each case changes.
MATCHED = replace(RULES, comparators=((re.compile("matched"), "active placebo matched for felt effects", "low"),
                                      *RULES.comparators))


def low_risk(study_id):
    return RiskOfBias(study_id, "computer-generated", "central", "double-blind", "reported", "fixture",
                      "https://example.org", "fixture", "low")


def trials(*specs):
    """specs: (stance, n, mean_treat) per randomized trial at low risk of bias, each reporting MADRS at 24 h with SD 8
    in both arms and a control mean of 20 (MADRS's minimal important difference is 3, rules/outcome_scales.csv) ->
    (linked, effect data)."""
    linked_, rows = [], []
    for line, (stance, n, mean_treat) in enumerate(specs, start=2):
        s = study("rct", n)
        linked_.append((row(stance, s, "24 h"), s))
        rows.append(EffectRow(
            study_id=s.study_id, claim_ids=("C01",), comparison="ketamine vs matched placebo", outcome="MADRS",
            direction="lower_better", after="first_dose", hours_after=24.0, window="hours", timepoint="24 h",
            n_treat=n // 2, n_control=n // 2, value_kind="endpoint", mean_treat=mean_treat, sd_treat=8.0,
            mean_control=20.0, sd_control=8.0, se=None, effect_type="", estimate=None, convention="", ci_low=None,
            ci_high=None, ci_level=None, p_value="", where="fixture", source_url="https://example.org",
            second_pass="confirmed", notes="fixture", line=line, family="depressive_symptoms", outcome_role="primary"))
    return linked_, EffectData(rules=MATCHED, effects=tuple(rows),
                               risk_of_bias={s.study_id: low_risk(s.study_id) for _, s in linked_})


def by_effects(*specs, indirect=""):
    """The effect route over ``trials(*specs)``; ``indirect`` names a PICO element every trial is indirect in."""
    linked_, data = trials(*specs)
    if indirect:
        judged = {name: "indirect" if name == indirect else "direct" for name in PICO}
        data = replace(data,
                       indirectness={("C01", s.study_id): Indirectness("C01", s.study_id, **judged, reason="fixture")
                                     for _, s in linked_})
    return assess_claim(effect_claim(), linked_, effect_data=data)


def by_design(*items, claim_type="efficacy", subjects="people"):
    return assess_claim(replace(claim(claim_type), subjects=subjects), linked(*items))


# Each row of rules/verdict_profile.csv with a register that meets it first: (order, verdict, how it is built).
ROW_CASES = {
    1: lambda: by_design(),
    2: lambda: by_design(("context", "rct", 200)),
    3: lambda: by_design(("contrasts", "cross-sectional", 5000), ("contrasts", "cohort", 3000),
                         claim_type="epidemiology"),
    4: lambda: by_effects(*[("contrasts", 200, 20.0)] * 4),  # four trials of 200 that find no difference
    5: lambda: by_design(("contrasts", "rct", 200)),
    6: lambda: by_design(("supports", "rct", 30), ("contrasts", "rct", 300)),
    7: lambda: by_effects(*[("contrasts", 98, 20.0)] * 6),  # the same null from small trials only: low certainty
    8: lambda: by_design(("supports", "rct", 150), ("contrasts", "rct", 150)),
    9: lambda: by_effects(("contrasts", 40, 19.0), ("contrasts", 40, 21.0)),
    10: lambda: by_effects(("supports", 40, 17.0), ("contrasts", 40, 21.0)),
    11: lambda: by_design(("supports", "preclinical-animal", 40), ("supports", "preclinical-animal", 60),
                          claim_type="mechanism"),
    12: lambda: by_design(("supports", "open-label", 30), ("supports", "case-series", 20)),
    13: lambda: by_design(("supports", "rct", 30), ("supports", "rct", 40), ("supports", "rct", 25)),
    14: lambda: by_effects(*[("supports", 400, 16.0)] * 5, indirect="population"),  # trials in another population
    15: lambda: by_effects(*[("supports", 400, 18.5)] * 5),  # 1.5 points: real, but under the MID of 3
    16: lambda: by_effects(("supports", 200, 16.0), ("supports", 200, 16.0), ("supports", 200, 16.0)),
    17: lambda: by_design(("supports", "rct", 300), ("supports", "rct", 250)),
}


def test_every_row_of_the_verdict_table_has_a_case():
    assert sorted(ROW_CASES) == sorted(int(r["order"]) for r in verdict_profile_rules())


@pytest.mark.parametrize("order", sorted(ROW_CASES))
def test_each_verdict_table_row(order):
    rule = next(r for r in verdict_profile_rules() if int(r["order"]) == order)
    a = ROW_CASES[order]()
    assert first_rule(verdict_profile_rules(), a.profile_features) is rule
    assert (a.verdict, a.suggested, a.verdict_reason) == (rule["verdict"], rule["verdict"], rule["explanation"])


def test_the_verdict_table_names_every_verdict_and_cites_a_source():
    rules = verdict_profile_rules()
    assert {r["verdict"] for r in rules} == set(VERDICTS)
    assert all(r["source_url"].startswith("https://") for r in rules)
    # the last row is reached by anything that points the claim's way at moderate or high certainty
    assert rules[-1]["condition"] == "certainty_rank <= 1"


def test_a_claim_with_nothing_registered_says_so():
    a = by_design()
    assert a.verdict == "unsupported" and "No study is registered" in a.verdict_reason
    assert "No study is registered" not in by_design(("context", "rct", 200)).verdict_reason


def test_a_precise_null_of_moderate_certainty_contradicts_and_names_its_basis():
    a = ROW_CASES[4]()
    assert (a.route, a.direction, a.certainty) == ("effect", "null-precise", "moderate")
    assert (a.profile.basis == "pool" and len(a.profile.basis_ids) == 4
            and "our pool of 4 trials" in a.profile.basis_label)


# -- what can never contradict ---------------------------------------------------------------------------------------
def all_profiles(**fixed):
    """Every combination of the verdict table's features over their ranges, with ``fixed`` held."""
    ranges = dict(direction=("benefit", "harm", "against", "null-precise", "null-imprecise", "inconsistent", "none"),
                  certainty_rank=range(4), indirect_only=(False, True), partly_indirect=(False, True),
                  magnitude=("important", "small", "unknown"), robust=(False, True), supporting=(0, 1, 3),
                  observational_only=(False, True), effect_route=(False, True), frequency_claim=(False, True),
                  registered=(0, 4))
    ranges.update({k: (v,) for k, v in fixed.items()})
    names = list(ranges)
    for values in itertools.product(*ranges.values()):
        yield profile_features(**dict(zip(names, values)))


@pytest.mark.parametrize("fixed", [dict(indirect_only=True), dict(direction="null-imprecise"),
                                   dict(observational_only=True), dict(certainty_rank=2), dict(certainty_rank=3),
                                   dict(effect_route=False, frequency_claim=False)],
                         ids=["indirect", "imprecise-null", "observational-only", "low", "very-low", "no-numbers"])
def test_nothing_in_these_profiles_is_ever_contradicted(fixed):
    verdicts = {first_rule(verdict_profile_rules(), f)["verdict"] for f in all_profiles(**fixed)}
    assert "contradicted" not in verdicts and len(verdicts) >= 2


def test_animal_studies_against_a_claim_about_people_do_not_contradict_it():
    a = by_design(*[("contrasts", "preclinical-animal", 300)] * 4, claim_type="mechanism")
    assert a.profile.directness == "indirect only" and a.direction == "against"
    assert a.verdict == "unsupported"


def test_an_imprecise_null_pool_does_not_contradict():
    a = ROW_CASES[9]()
    assert a.direction == "null-imprecise" and a.verdict == "unsupported"


def test_observational_studies_alone_do_not_contradict_a_treatment_claim():
    a = by_design(("contrasts", "cohort", 20000), ("contrasts", "cohort", 15000), claim_type="safety")
    assert a.profile_features["observational_only"] == 1 and a.verdict != "contradicted"
    # the same counts contradict a claim of how common something is: population counts are its numbers
    assert by_design(("contrasts", "cohort", 20000), ("contrasts", "cohort", 15000),
                     claim_type="epidemiology").verdict == "contradicted"


def test_a_review_speaks_for_its_trials_instead_of_voting_beside_them():
    a = by_design(("supports", "meta-analysis", 900), ("contrasts", "rct", 60), ("contrasts", "rct", 50))
    assert a.direction == "benefit" and a.profile_features["dir_benefit"] == 1


def test_a_large_unpooled_trial_against_makes_the_pooled_direction_inconsistent():
    linked_, data = trials(("supports", 40, 15.0), ("supports", 40, 15.5), ("supports", 40, 15.2))
    big = study("rct", 400)
    a = assess_claim(effect_claim(), [*linked_, (row("contrasts", big, "24 h"), big)], effect_data=data)
    assert a.direction == "inconsistent" and a.verdict == "mixed"
    assert f"{big.label} (n=400)" in a.direction_reason


# -- certainty -------------------------------------------------------------------------------
def test_imprecision_and_publication_bias_for_small_trials():
    a = verdict_of(("supports", "rct", 30), ("supports", "rct", 40), ("supports", "rct", 25))
    reasons = dict(a.downgrades)
    assert "imprecision" in reasons and "publication bias" in reasons
    assert a.certainty == "low"  # high, minus two


def test_inconsistency_downgrade_and_floor_at_very_low():
    a = verdict_of(("supports", "open-label", 10), ("contrasts", "open-label", 12),
                   ("mixed", "preclinical-animal", None), ("mixed", "preclinical-animal", None))
    assert (a.certainty == "very low"
            and a.profile.basis == "lower-grade studies")  # the open-label pair, not the animals
    assert {"inconsistency", "risk of bias"} <= set(dict(a.downgrades))


def test_a_claim_for_animals_and_people_resting_on_animals_alone_loses_two_levels_for_indirectness():
    a = by_design(("supports", "preclinical-animal", 150), claim_type="mechanism", subjects="both")
    assert a.profile.directness == "partly indirect" and a.certainty_start == "high"  # Hooijmans 2018
    assert (dict((d.name, d.levels) for d in a.domains), a.certainty) == ({"indirectness": 2}, "low")
    assert a.verdict == "supported-with-caveats"


def test_a_claim_for_animals_and_people_resting_mostly_on_animals_loses_a_level_for_its_human_half():
    mostly = by_design(("supports", "rct", 40), ("supports", "preclinical-animal", 200), claim_type="mechanism",
                       subjects="both")
    assert mostly.profile.directness == "direct" and mostly.profile_features["partly_indirect"] == 0
    assert dict((d.name, d.levels) for d in mostly.domains)["indirectness"] == 1
    balanced = by_design(("supports", "rct", 200), ("supports", "preclinical-animal", 40), claim_type="mechanism",
                         subjects="both")
    assert "indirectness" not in dict(balanced.downgrades)


def test_a_claim_of_lasting_benefit_answered_by_short_trials_is_indirect_in_its_outcome():
    long_ = by_design(("supports", "rct", 300, "6 months"), ("supports", "rct", 250, "12 weeks"),
                      claim_type="durability")
    short = by_design(("supports", "rct", 300, "4 weeks"), ("supports", "rct", 250, "2 weeks"), claim_type="durability")
    assert "indirectness" not in dict(long_.downgrades)
    assert "12 weeks" in dict(short.downgrades)["indirectness"] and short.certainty == "moderate"


# -- gaps and follow-up ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "weeks"),
    [("24 h", 24 / 168), ("2 weeks after the last infusion", 2), ("6 months", 6 * 4.345), ("28 days", 4),
     ("3-6 months", 6 * 4.345), ("", None), ("baseline only", None)],
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
    a = verdict_of(("supports", "rct", 150), ("contrasts", "rct", 158),
                   override=Override("weak", "curators' judgement"))
    assert (a.verdict, a.overridden, a.suggested) == ("weak", True, "mixed")
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
