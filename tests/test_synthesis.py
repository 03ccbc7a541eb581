"""Effect sizes, random-effects pools and the effect route of the verdict.

The pooling is checked against a published worked example whose inputs and results are both printed:
Kacker (2004), "Combining information from interlaboratory evaluations using a random effects model",
Metrologia 41:132-136, Table 1 (nine laboratories' means and variances; tau by Paule-Mandel 0.8399). The
same inputs run through R's metafor (``rma(method="PM")``) are printed in statsmodels' test results
(statsmodels/stats/tests/results/results_meta.py, ``exk1_metafor``), which we match to their printed digits.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats
from support import RULES

from evidence.judge.synthesis import (
    ClaimSynthesis,
    StudyEffect,
    TrialBias,
    combine_arms,
    egger_test,
    md_effect,
    pool_effects,
    prediction_interval,
    smd_effect,
    synthesize_claim,
)
from evidence.judge.verdict import EFFECT_FEATURES, assess_claim, effect_certainty_rules, effect_features, evaluate
from evidence.register.claims import Claim
from evidence.register.effects import EffectData, EffectRow, PublishedPool
from evidence.register.studies import EvidenceRow, Study
from evidence.rules.article import load_article_rules

KACKER_MEANS = [61.00, 61.40, 62.21, 62.30, 62.34, 62.60, 62.70, 62.84, 65.90]
KACKER_VARIANCES = [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]
LOW_BIAS = TrialBias("low", "low", "low", "low", "low", "low", ())


def effect(name, estimate, se, participants=None, bias=LOW_BIAS):
    return StudyEffect(name, name, estimate, se, participants, "MADRS", "hours", "fixture", (0,), bias)


# -- the published worked example -----------------------------------------------------------------
def test_paule_mandel_pool_reproduces_kacker_2004_and_metafor():
    effects = [effect(f"lab{i}", m, math.sqrt(v)) for i, (m, v) in enumerate(zip(KACKER_MEANS, KACKER_VARIANCES))]
    pool = pool_effects(effects, tau2_method="PM")
    assert round(math.sqrt(pool.tau2), 4) == 0.8399  # Kacker 2004, Table 1, PM row
    assert pool.tau2 == pytest.approx(0.705395309224248, abs=1e-6)  # metafor, printed to 15 digits
    assert pool.estimate == pytest.approx(62.4076199113286, abs=1e-6)
    assert pool.q == pytest.approx(24.801897741835, abs=1e-9)
    # the (modified) Hartung-Knapp interval is the t(k-1) interval around the estimate with the HKSJ variance; under
    # Paule-Mandel with tau² > 0 the scale q is exactly 1, so the floor does not bind
    assert pool.hk_scale == pytest.approx(1.0, abs=1e-8)
    weights = 1 / (np.array(KACKER_VARIANCES) + pool.tau2)
    hk_var = np.sum(weights * (np.array(KACKER_MEANS) - pool.estimate) ** 2) / ((len(weights) - 1) * weights.sum())
    half = stats.t.ppf(0.975, len(weights) - 1) * math.sqrt(hk_var)
    assert pool.ci == pytest.approx((pool.estimate - half, pool.estimate + half), abs=1e-9)
    assert sum(pool.weights) == pytest.approx(100)


def test_prediction_interval_follows_higgins_2009_and_needs_three_trials():
    low, high = prediction_interval(-4.0, 1.0, 2.0, k=5)
    half = stats.t.ppf(0.975, 3) * math.sqrt(2.0 + 1.0)
    assert (low, high) == pytest.approx((-4.0 - half, -4.0 + half))
    assert prediction_interval(-4.0, 1.0, 2.0, k=2) is None


def test_small_study_test_runs_only_from_ten_trials():
    few = pool_effects([effect(str(i), -1.0 - 0.1 * i, 0.5 + 0.1 * i) for i in range(5)])
    assert few.egger_p is None and "fewer than the 10" in few.small_study_test
    rng = np.random.default_rng(7)
    ses = np.linspace(0.1, 1.0, 12)
    many = pool_effects([effect(str(i), float(-0.5 + rng.normal(0, s)), float(s)) for i, s in enumerate(ses)])
    assert many.egger_p is not None and many.egger_p == pytest.approx(
        egger_test([e.estimate for e in many.studies], ses))
    assert len(many.leave_one_out) == 12


# -- effect sizes, each by its named method ----------------------------------------------------------------
def row(**values) -> EffectRow:
    base = dict(study_id="pmid:1", claim_ids=("C01",), comparison="ketamine vs midazolam", outcome="MADRS",
                direction="lower_better", after="first_dose", hours_after=24.0, window="hours", timepoint="24 h",
                n_treat=None, n_control=None, value_kind="", mean_treat=None, sd_treat=None, mean_control=None,
                sd_control=None, se=None, effect_type="", estimate=None, convention="", ci_low=None, ci_high=None,
                ci_level=None, p_value="", where="Table 2", source_url="https://example.org", second_pass="confirmed",
                notes="fixture", line=2)
    base.update(values)
    base.setdefault("family", RULES.outcome_scales[base["outcome"]]["family"])  # as the loader sets it
    return EffectRow(**base)


def test_mean_difference_from_arms_ci_and_exact_p():
    arms = row(n_treat=20, n_control=19, mean_treat=12.7, sd_treat=7.6, mean_control=16.4, sd_control=10.0)
    md, se, how = md_effect(arms)
    assert md == pytest.approx(-3.7) and se == pytest.approx(math.sqrt(7.6**2 / 20 + 10.0**2 / 19))
    assert "6.5.1.1" in how
    md, se, how = md_effect(row(effect_type="MD", estimate=-3.8, convention="treat_minus_control", ci_low=-6.56,
                                ci_high=-1.09, ci_level=95))
    assert (md, se) == pytest.approx((-3.8, (6.56 - 1.09) / (2 * 1.959964)), rel=1e-5) and "6.5.2.3" in how
    _, se90, _ = md_effect(row(effect_type="MD", estimate=-1.0, convention="treat_minus_control", ci_low=-5.77,
                               ci_high=3.70, ci_level=90))
    assert se90 == pytest.approx((5.77 + 3.70) / (2 * 1.644854), rel=1e-5)
    md, se, how = md_effect(row(effect_type="MD", estimate=-12.7, convention="treat_minus_control", p_value="0.02"))
    assert se == pytest.approx(12.7 / stats.norm.ppf(0.99)) and "P value" in how
    assert md_effect(row(effect_type="MD", estimate=-1.0, convention="treat_minus_control", p_value="<0.001")) is None
    # a reduction printed as positive is turned to the 'negative = benefit' sign
    assert md_effect(row(effect_type="MD", estimate=4.96, convention="improvement_positive", se=1.3))[0] == -4.96


def test_standardized_difference_from_arms_ci_and_a_sibling_mean_difference():
    g, se, how = smd_effect(row(n_treat=36, n_control=21, mean_treat=1.13, sd_treat=2.65, mean_control=3.95,
                                sd_control=6.46))
    pooled_sd = math.sqrt((35 * 2.65**2 + 20 * 6.46**2) / 55)
    correction = 1 - 3 / (4 * 55 - 1)
    assert g == pytest.approx((1.13 - 3.95) / pooled_sd * correction, rel=1e-4) and "Hedges" in how
    d = row(effect_type="d", estimate=0.75, convention="improvement_positive", outcome="SSI")
    md = row(effect_type="MD", estimate=4.96, convention="improvement_positive", ci_low=2.33, ci_high=7.59,
             ci_level=95, outcome="SSI")
    value, se, how = smd_effect(d, [d, md])
    assert value == -0.75 and se == pytest.approx(0.75 * ((7.59 - 2.33) / (2 * 1.959964)) / 4.96, rel=1e-5)
    assert "scaled" in how
    assert smd_effect(d, [d]) is None


def test_an_smds_se_is_scaled_from_the_md_of_the_same_time_and_comparison_only():
    d = row(effect_type="d", estimate=0.75, convention="improvement_positive", outcome="SSI")
    md = dict(effect_type="MD", convention="improvement_positive", outcome="SSI", se=2.0)
    earlier = row(estimate=2.0, hours_after=4.0, timepoint="4 h", **md)  # another hour: another SE
    other_arm = row(estimate=3.0, comparison="ketamine vs saline", **md)
    same = row(estimate=6.0, **md)
    assert smd_effect(d, [d, earlier, other_arm, same])[1] == pytest.approx(0.75 * 2.0 / 6.0)
    assert smd_effect(d, [d, earlier, other_arm]) is None


def test_an_se_of_zero_makes_a_row_unusable_not_exact():
    # an MD of 0 with its P value, and a CI printed as one point, give no weight a pool could use
    assert md_effect(row(effect_type="MD", estimate=0.0, convention="treat_minus_control", p_value="0.5")) is None
    assert md_effect(row(effect_type="MD", estimate=-1.0, convention="treat_minus_control", ci_low=-1.0, ci_high=-1.0,
                         ci_level=95)) is None
    assert smd_effect(row(effect_type="g", estimate=-0.4, convention="treat_minus_control", ci_low=-0.4, ci_high=-0.4,
                          ci_level=95)) is None


def single_synthesis(single):
    return ClaimSynthesis("C01", "depressive_symptoms", "hours", None, single, (), "single", None, "one trial")


def test_a_single_trials_smd_is_judged_against_the_standardized_mcid():
    smd_single = StudyEffect("pmid:1", "Trial 2020", -0.3, 0.06, 120, "MADRS", "hours", "g as printed; SE from its "
                             "95% CI", (2,), LOW_BIAS, measure="SMD")
    md_single = replace(smd_single, estimate=-3.8, se=1.4, derivation="SE from the printed 95% CI", measure="MD")
    data = EffectData(rules=RULES)
    smd_features = effect_features(single_synthesis(smd_single), data)
    md_features = effect_features(single_synthesis(md_single), data)
    # g -0.3 (-0.42 to -0.18) sits below the SMD's 0.5, not inside the MADRS's 3 points
    assert smd_features["mcid_known"] == 1 and smd_features["within_mcid"] == 1 and smd_features["reaches_mcid"] == 0
    assert md_features["mcid_known"] == 1 and md_features["reaches_mcid"] == 1  # whatever its derivation says


def test_combined_arms_match_the_pooled_sample():
    rng = np.random.default_rng(3)
    samples = [rng.normal(m, s, n) for m, s, n in ((-15.2, 13.0, 39), (-14.5, 10.5, 34), (-15.1, 12.2, 39))]
    n, mean, sd = combine_arms([len(x) for x in samples], [x.mean() for x in samples],
                               [x.std(ddof=1) for x in samples])
    everything = np.concatenate(samples)
    assert (n, mean, sd) == pytest.approx((len(everything), everything.mean(), everything.std(ddof=1)))


def test_comparators_map_to_unblinding_risk():
    # the project's own table (rules/comparators.csv at its root), then the package's catch-all
    assert RULES.comparator_kind("ketamine 0.5 mg/kg vs midazolam 0.045 mg/kg") == ("active placebo", "some concerns")
    assert RULES.comparator_kind("esketamine 84 mg vs placebo nasal spray") == ("inert placebo", "high")
    assert RULES.comparator_kind("ketamine vs ketorolac 15 mg") == ("active treatment", "some concerns")
    assert RULES.comparator_kind("drug vs something unnamed") == ("unnamed comparator", "high")
    neutral = load_article_rules(None)  # what a new project starts from: every comparator is the catch-all
    assert neutral.comparator_kind("ketamine vs midazolam") == ("unnamed comparator", "high")


# -- no participant counts twice --------------------------------------------------------------------------
def study(study_id, design="rct", n=100, year=2020):
    return Study(study_id, study_id.split(":")[1] if study_id.startswith("pmid:") else "", "", "", "Author", year,
                 "J", f"Title {study_id}", design, n, "", "https://example.org", "2026-11-25", "curated")


CLAIM = Claim("C01", "S", "q", "s", "g", "efficacy", "", "", "", "", "ketamine[tiab]", "", "people",
              "depressive_symptoms", "hours")


def test_a_meta_analysis_and_a_pooled_analysis_never_count_their_members_twice():
    studies = {s.study_id: s for s in (study("pmid:1"), study("pmid:2"), study("pmid:3"),
                                       study("pmid:10", "meta-analysis", 300), study("pmid:11", "rct", 200))}
    arms = dict(n_treat=50, n_control=50, sd_treat=10.0, sd_control=10.0, mean_control=20.0,
                comparison="ketamine vs placebo")
    rows = (
        row(study_id="pmid:1", mean_treat=16.0, line=2, **arms),
        row(study_id="pmid:2", mean_treat=15.0, line=3, **arms),
        row(study_id="pmid:3", mean_treat=17.0, line=4, **arms),
        # a meta-analysis of trials 1 and 2, and a pooled analysis of trials 1 and 3, both with numbers
        row(study_id="pmid:10", effect_type="MD", estimate=-4.5, convention="treat_minus_control", se=1.0, line=5),
        row(study_id="pmid:11", effect_type="MD", estimate=-3.5, convention="treat_minus_control", se=1.2, line=6),
    )
    data = EffectData(rules=RULES, effects=rows, members={"pmid:10": frozenset({"pmid:1", "pmid:2"}),
                                             "pmid:11": frozenset({"pmid:1", "pmid:3"})})
    synthesis = synthesize_claim(CLAIM, studies, data)
    assert sorted(s.study_id for s in synthesis.pool.studies) == ["pmid:1", "pmid:2", "pmid:3"]
    reasons = dict(synthesis.excluded)
    assert "synthesis" in reasons["Author 2020"] or "included individually" in reasons["Author 2020"]
    assert synthesis.pool.participants == 300  # each participant once
    # without its members, the pooled analysis is one unit of the pool
    alone = synthesize_claim(CLAIM, studies, data, included={"pmid:2", "pmid:11"})
    assert sorted(s.study_id for s in alone.pool.studies) == ["pmid:11", "pmid:2"]


def test_unconfirmed_numbers_and_other_scales_stay_out_with_a_reason():
    studies = {s.study_id: s for s in (study("pmid:1"), study("pmid:2"), study("pmid:3"))}
    arms = dict(n_treat=30, n_control=30, sd_treat=8.0, sd_control=8.0, mean_control=20.0)
    data = EffectData(rules=RULES, effects=(
        row(study_id="pmid:1", mean_treat=16.0, **arms),
        row(study_id="pmid:2", mean_treat=15.0, second_pass="unconfirmed", **arms),
        row(study_id="pmid:3", mean_treat=15.0, outcome="QIDS-SR", **arms),
    ))
    synthesis = synthesize_claim(CLAIM, studies, data)
    # one MADRS and one QIDS-SR trial share no scale, so they are pooled as standardized differences
    assert synthesis.pool.measure.startswith("SMD") and synthesis.pool.k == 2
    assert "pmid:2" not in {s.study_id for s in synthesis.pool.studies}
    assert any("second pass" in why for _, why in synthesis.excluded)


# -- the effect route's certainty and direction rules, one test each (the verdict table: test_verdict.py) --------------
def features(**changes):
    values = dict(own_pool=1, published_basis=0, single_trial=0, k=5, participants=800, participants_known=1,
                  benefit=1, ci_excludes_null=1, pi_available=1, pi_excludes_null=1, pi_unreliable=0, mcid_known=1,
                  reaches_mcid=1, within_mcid=0, ci_crosses_mcid=0, ois_met=1, i2=10, rob_concern=0, rob_high_share=0,
                  indirect_share=0, indirect_serious_share=0, small_trials_only=0, egger_p=-1, bias_adjusted_null=0,
                  unreported_trials=0, publication_bias_direct=0, robust=1, certainty_rank=0)
    values.update(changes)
    assert tuple(values) == EFFECT_FEATURES
    return values


@pytest.mark.parametrize(("changes", "domain", "reasons"), [
    (dict(rob_concern=1), "risk of bias", 1),
    (dict(rob_concern=1, rob_high_share=80), "risk of bias", 2),
    (dict(own_pool=0, published_basis=1), "risk of bias", 1),
    (dict(i2=60), "inconsistency", 1),
    (dict(pi_excludes_null=0, i2=60), "inconsistency", 2),
    (dict(pi_excludes_null=0, pi_unreliable=1), None, 0),  # an unreliable PI is not evidence of inconsistency
    (dict(indirect_share=90), "indirectness", 1),
    (dict(indirect_share=90, indirect_serious_share=60), "indirectness", 2),
    (dict(ci_excludes_null=0), "imprecision", 1),
    (dict(ci_crosses_mcid=1), "imprecision", 1),
    (dict(ois_met=0), "imprecision", 1),
    (dict(ci_excludes_null=0, ois_met=0), "imprecision", 2),
    (dict(egger_p=0.03), "publication bias", 1),
    (dict(small_trials_only=1), "publication bias", 1),
    (dict(bias_adjusted_null=1), "publication bias", 1),
    (dict(unreported_trials=2), "publication bias", 1),
])
def test_each_effect_certainty_rule(changes, domain, reasons):
    fired = [r for r in effect_certainty_rules()
             if r["kind"] == "downgrade" and evaluate(r["condition"], features(**changes))]
    assert [r["name"] for r in fired] == [domain] * reasons


@pytest.mark.parametrize(("changes", "levels"), [
    (dict(small_trials_only=1, unreported_trials=2), 1),  # suspected only: at most one level
    (dict(small_trials_only=1, unreported_trials=2, bias_adjusted_null=1, publication_bias_direct=1), 2),
])
def test_publication_bias_costs_one_level_without_direct_evidence(changes, levels):
    from evidence.judge.verdict import _certainty

    _, _, domains = _certainty(features(**changes), effect_certainty_rules())
    assert {d.name: d.levels for d in domains} == {"publication bias": levels}


@pytest.mark.parametrize(("changes", "direction"), [
    (dict(), "benefit"),
    (dict(benefit=0), "harm"),
    (dict(ci_excludes_null=0, within_mcid=1), "null-precise"),
    (dict(ci_excludes_null=0), "null-imprecise"),
    (dict(i2=75, pi_excludes_null=0), "inconsistent"),
    (dict(i2=75, pi_excludes_null=0, pi_unreliable=1), "benefit"),
])
def test_each_direction_rule(changes, direction):
    from evidence.judge.verdict import effect_direction_rules

    assert next(r["direction"] for r in effect_direction_rules()
                if evaluate(r["condition"], features(**changes))) == direction


def evidence_row(study_, stance="supports"):
    return EvidenceRow("C01", study_.study_id, stance, "", "24 h", "", "fixture")


def test_the_verdict_follows_the_pool_not_the_count_of_studies():
    """Three small positive trials and one large null trial: counting says 'mostly supports', the pool decides."""
    studies = [study("pmid:1", n=20), study("pmid:2", n=24), study("pmid:3", n=22), study("pmid:4", n=400)]
    arms = dict(sd_treat=10.0, sd_control=10.0, mean_control=20.0, comparison="ketamine vs midazolam")
    rows = tuple(row(study_id=s.study_id, n_treat=s.n / 2, n_control=s.n / 2, mean_treat=m, line=i + 2, **arms)
                 for i, (s, m) in enumerate(zip(studies, (12.0, 13.0, 12.5, 19.8))))
    linked = [(evidence_row(s, stance), s) for s, stance in zip(studies, ("supports", "supports", "supports",
                                                                            "contrasts"))]
    assessment = assess_claim(CLAIM, linked, effect_data=EffectData(rules=RULES, effects=rows))
    assert assessment.route == "effect" and assessment.synthesis.pool.k == 4
    assert assessment.stance_counts()["supports"] == 3
    assert assessment.verdict in ("mixed", "unsupported", "weak")  # not supported on the weight of one big trial
    large = next(w for w, s in zip(assessment.synthesis.pool.weights, assessment.synthesis.pool.studies)
                 if s.study_id == "pmid:4")
    assert large > 40


def test_a_published_pool_is_the_basis_when_our_pool_is_too_small():
    studies = {s.study_id: s for s in (study("pmid:1"), study("pmid:2"), study("pmid:9", "meta-analysis", 900))}
    published = PublishedPool("pmid:9", ("C01",), "", "", "", "MADRS", "depressive_symptoms", "SMD", "hours",
                              "24 h", "primary", 12, 900, -0.6, "treat_minus_control", -0.8, -0.4, "", "", "",
                              "abstract", "https://example.org", "confirmed", "")
    arms = dict(n_treat=30, n_control=30, sd_treat=8.0, sd_control=8.0, mean_control=20.0)
    data = EffectData(rules=RULES, effects=(row(study_id="pmid:1", mean_treat=16.0, **arms),
                               row(study_id="pmid:2", mean_treat=15.0, **arms)), pools=(published,))
    synthesis = synthesize_claim(CLAIM, studies, data)
    assert synthesis.pool.k == 2 and synthesis.basis == "published" and synthesis.basis_pool is published
    assert synthesize_claim(replace(CLAIM, effect_family=""), studies, data).basis == "none"


# -- a trial is one unit; the outcome, the values and the design each decide what is pooled ---------------------------
def registered(study_id, trial_id, **kwargs):
    return replace(study(study_id, **kwargs), trial_id=trial_id)


ARMS = dict(n_treat=40, n_control=40, sd_treat=8.0, sd_control=8.0, mean_control=20.0,
            comparison="ketamine vs midazolam")


def test_reports_of_one_trial_count_once_from_the_report_with_its_primary_outcome():
    studies = {s.study_id: s for s in (registered("pmid:1", "NCT00000001"), registered("pmid:2", "NCT00000001"),
                                       study("pmid:3"), study("pmid:4"))}
    data = EffectData(rules=RULES, effects=(
        row(study_id="pmid:1", mean_treat=15.0, line=2, **ARMS),  # a secondary report, role not recorded
        row(study_id="pmid:2", mean_treat=16.0, outcome_role="primary", line=3, **ARMS),
        row(study_id="pmid:3", mean_treat=17.0, line=4, **ARMS),
        row(study_id="pmid:4", mean_treat=14.0, line=5, **ARMS),
    ))
    synthesis = synthesize_claim(CLAIM, studies, data)
    assert synthesis.pool.k == 3 and synthesis.pool.participants == 240
    assert {e.study_id for e in synthesis.pool.studies} == {"pmid:2", "pmid:3", "pmid:4"}
    assert ("Author 2020", "another report of trial NCT00000001; the trial counts once, from Author 2020") \
        in synthesis.excluded
    assert next(e for e in synthesis.pool.studies if e.study_id == "pmid:2").unit == "NCT00000001"


def test_the_primary_outcome_wins_over_the_first_listed():
    studies = {s.study_id: s for s in (study("pmid:1"), study("pmid:2"))}
    data = EffectData(rules=RULES, effects=(
        row(study_id="pmid:1", outcome="QIDS-SR", mean_treat=5.0, outcome_role="secondary", line=2, **ARMS),
        row(study_id="pmid:1", outcome="MADRS", mean_treat=16.0, outcome_role="primary", line=3, **ARMS),
        row(study_id="pmid:2", outcome="MADRS", mean_treat=15.0, outcome_role="primary", line=4, **ARMS),
    ))
    synthesis = synthesize_claim(CLAIM, studies, data)
    assert synthesis.pool.measure == "MD (MADRS)" and synthesis.pool.k == 2
    assert all(e.bias.reporting == "low" for e in synthesis.pool.studies)  # RoB 2 D5: the registered primary


def test_an_unrecorded_outcome_role_gives_a_sensitivity_row_per_alternative_outcome():
    studies = {s.study_id: s for s in (study("pmid:1"), study("pmid:2"))}
    data = EffectData(rules=RULES, effects=(
        row(study_id="pmid:1", outcome="BSS", mean_treat=10.0, value_kind="endpoint", line=2, **ARMS),
        row(study_id="pmid:1", outcome="MADRS-SI", mean_treat=21.0, value_kind="endpoint", line=3, **ARMS),
        row(study_id="pmid:2", outcome="SSI", mean_treat=14.0, value_kind="endpoint", outcome_role="primary", line=4,
            **ARMS),
    ))
    claim = replace(CLAIM, effect_family="suicidal_ideation")
    pool = synthesize_claim(claim, studies, data).pool
    assert pool.measure.startswith("SMD") and pool.value_kinds == "final values"
    first = next(e for e in pool.studies if e.study_id == "pmid:1")
    assert first.outcome == "BSS" and "outcome role not recorded" in first.derivation
    alternative = next(r for r in pool.sensitivity if r.kind == "outcome")
    assert "MADRS-SI instead of BSS" in alternative.label and alternative.counts
    # on MADRS-SI the first trial favours the control: the conclusion flips, so the pool is not robust
    assert alternative.flips and not pool.robust and alternative in pool.flipped


def test_smds_of_change_scores_and_of_final_values_are_not_pooled_together():
    studies = {s.study_id: s for s in (study("pmid:1"), study("pmid:2"), study("pmid:3"))}
    claim = replace(CLAIM, effect_family="suicidal_ideation")
    data = EffectData(rules=RULES, effects=(
        row(study_id="pmid:1", outcome="BSS", mean_treat=12.0, value_kind="endpoint", line=2, **ARMS),
        row(study_id="pmid:2", outcome="SSI", mean_treat=13.0, value_kind="endpoint", line=3, **ARMS),
        row(study_id="pmid:3", outcome="MADRS-SI", mean_treat=-5.0, value_kind="change", line=4,
            **{**ARMS, "mean_control": -1.0}),
    ))
    synthesis = synthesize_claim(claim, studies, data)
    assert synthesis.pool.k == 2 and synthesis.pool.value_kinds == "final values"
    assert any("an SMD of change scores is not pooled with SMDs of final values" in why
               for _, why in synthesis.excluded)
    # two trials, one of each kind: no pool at all, and the reason says why
    two = synthesize_claim(claim, studies, data, included={"pmid:1", "pmid:3"})
    assert two.pool is None and any("not pooled together" in why for _, why in two.excluded)


def test_mean_differences_of_change_and_endpoint_share_a_pool_and_each_kind_is_a_sensitivity_row():
    studies = {s.study_id: s for s in (study("pmid:1"), study("pmid:2"), study("pmid:3"))}
    data = EffectData(rules=RULES, effects=(
        row(study_id="pmid:1", mean_treat=-8.0, value_kind="change", line=2, **{**ARMS, "mean_control": -4.0}),
        row(study_id="pmid:1", mean_treat=18.0, value_kind="endpoint", line=3, **ARMS),
        row(study_id="pmid:2", mean_treat=15.0, value_kind="endpoint", line=4, **ARMS),
        row(study_id="pmid:3", mean_treat=16.0, value_kind="endpoint", line=5, **ARMS),
    ))
    pool = synthesize_claim(CLAIM, studies, data).pool
    assert pool.k == 3 and {e.value_kind for e in pool.studies} == {"change", "endpoint"}
    swap = next(r for r in pool.sensitivity if r.kind == "value kind")
    assert "Author 2020" in swap.label and swap.counts and swap.estimate != pool.estimate


def test_baseline_imbalance_sends_a_trial_to_its_change_values_or_out_with_the_reason():
    studies = {s.study_id: s for s in (study("pmid:1"), study("pmid:2"), study("pmid:3"))}
    imbalanced = dict(baseline_treat=25.1, baseline_control=29.9, value_kind="endpoint")  # 0.6 SD apart
    rows = (
        row(study_id="pmid:1", mean_treat=12.7, line=2, **ARMS, **imbalanced),
        row(study_id="pmid:2", mean_treat=15.0, line=3, **ARMS),
        row(study_id="pmid:3", mean_treat=16.0, line=4, **ARMS),
    )
    synthesis = synthesize_claim(CLAIM, studies, EffectData(rules=RULES, effects=rows))
    assert "pmid:1" not in {e.study_id for e in synthesis.pool.studies}
    why = dict(synthesis.excluded)["Author 2020"]
    assert "differed at baseline by 0.60 SD (25.1 vs 29.9)" in why and "no change-from-baseline" in why
    shown = next(r for r in synthesis.pool.sensitivity if r.kind == "baseline")
    assert shown.k == 3 and not shown.counts  # shown, but not a reasonable alternative
    # with a change-from-baseline row, that row is used
    change = row(study_id="pmid:1", mean_treat=-12.4, value_kind="change", line=5,
                 **{**ARMS, "mean_control": -13.5})
    again = synthesize_claim(CLAIM, studies, EffectData(rules=RULES, effects=(*rows, change)))
    used = next(e for e in again.pool.studies if e.study_id == "pmid:1")
    assert used.value_kind == "change" and used.estimate == pytest.approx(1.1)


def test_crossover_rows_say_first_period_or_paired_and_are_analysed_accordingly():
    from evidence.judge.synthesis import synthesis_settings

    r = float(synthesis_settings()["crossover_correlation"])
    studies = {s.study_id: s for s in (study("pmid:1", "crossover-rct"), study("pmid:2"), study("pmid:3"))}
    paired = row(study_id="pmid:1", crossover="paired", mean_treat=14.0, line=2, **{**ARMS, "n_treat": 30,
                                                                                      "n_control": 30})
    others = (row(study_id="pmid:2", mean_treat=15.0, line=3, **ARMS), row(study_id="pmid:3", mean_treat=16.0,
                                                                            line=4, **ARMS))
    pool = synthesize_claim(CLAIM, studies, EffectData(rules=RULES, effects=(paired, *others))).pool
    crossover = next(e for e in pool.studies if e.study_id == "pmid:1")
    assert crossover.se == pytest.approx(math.sqrt((8.0**2 + 8.0**2 - 2 * r * 8.0 * 8.0) / 30))
    assert "within-person correlation" in crossover.derivation and crossover.participants == 30
    first_period = replace(paired, crossover="first-period")
    pool = synthesize_claim(CLAIM, studies, EffectData(rules=RULES, effects=(first_period, *others))).pool
    parallel = next(e for e in pool.studies if e.study_id == "pmid:1")
    assert parallel.se == pytest.approx(math.sqrt(64 / 30 + 64 / 30)) and parallel.participants == 60
    unsaid = replace(paired, crossover="")
    synthesis = synthesize_claim(CLAIM, studies, EffectData(rules=RULES, effects=(unsaid, *others)))
    assert "pmid:1" not in {e.study_id for e in synthesis.pool.studies}
    assert "first-period data or a paired analysis" in dict(synthesis.excluded)["Author 2020"]


def test_the_pool_reports_its_method_and_flags_a_prediction_interval_resting_on_a_zero_tau2():
    pool = pool_effects([effect("a", -3.8, 1.39), effect("b", -3.9, 1.39), effect("c", -7.2, 2.85)], mcid=3.0)
    assert (pool.tau2_method, pool.ci_method) == ("REML", "mHK")
    assert pool.tau2 == 0.0 and pool.pi_unreliable and pool.hk_scale < 1
    assert pool.tau2_ci[0] == 0.0 and pool.tau2_ci[1] > 1
    kinds = [r.kind for r in pool.sensitivity]
    assert kinds[0] == "main" and {"estimator", "interval", "leave-one-out"} <= set(kinds)
    # leaving one of three out leaves two trials and t on 1 df: the conclusion flips, so not robust
    assert not pool.robust and all(r.kind == "leave-one-out" for r in pool.flipped)
