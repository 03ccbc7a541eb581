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
from evidence.judge.verdict import EFFECT_FEATURES, assess_claim, effect_certainty_rules, effect_verdict_rules, evaluate
from evidence.register.claims import Claim
from evidence.register.effects import EffectData, EffectRow, PublishedPool
from evidence.register.studies import EvidenceRow, Study
from evidence.rules.article import load_article_rules

KACKER_MEANS = [61.00, 61.40, 62.21, 62.30, 62.34, 62.60, 62.70, 62.84, 65.90]
KACKER_VARIANCES = [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]
LOW_BIAS = TrialBias("low", "low", "low", ())


def effect(name, estimate, se, participants=None, bias=LOW_BIAS):
    return StudyEffect(name, name, estimate, se, participants, "MADRS", "hours", "fixture", (0,), bias)


# -- the published worked example -----------------------------------------------------------------
def test_paule_mandel_pool_reproduces_kacker_2004_and_metafor():
    effects = [effect(f"lab{i}", m, math.sqrt(v)) for i, (m, v) in enumerate(zip(KACKER_MEANS, KACKER_VARIANCES))]
    pool = pool_effects(effects)
    assert round(math.sqrt(pool.tau2), 4) == 0.8399  # Kacker 2004, Table 1, PM row
    assert pool.tau2 == pytest.approx(0.705395309224248, abs=1e-6)  # metafor, printed to 15 digits
    assert pool.estimate == pytest.approx(62.4076199113286, abs=1e-6)
    assert pool.q == pytest.approx(24.801897741835, abs=1e-9)
    # the Hartung-Knapp interval is the t(k-1) interval around the estimate with the HKSJ variance
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
    assert many.egger_p is not None and many.egger_p == pytest.approx(egger_test([e.estimate for e in many.studies], ses))
    assert len(many.leave_one_out) == 12


# -- effect sizes, each by its named method ----------------------------------------------------------------
def row(**values) -> EffectRow:
    base = dict(study_id="pmid:1", claim_ids=("C01",), comparison="ketamine vs midazolam", outcome="MADRS",
                direction="lower_better", after="first_dose", hours_after=24.0, window="hours", timepoint="24 h",
                n_treat=None, n_control=None, value_kind="", mean_treat=None, sd_treat=None, mean_control=None,
                sd_control=None, se=None, effect_type="", estimate=None, convention="", ci_low=None, ci_high=None,
                ci_level=None, p_value="", where="Table 2", source_url="https://example.org", second_pass="confirmed",
                notes="fixture", line=2, family="depressive_symptoms")
    base.update(values)
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


# -- the effect route's rules, one test each -----------------------------------------------------------------
def features(**changes):
    values = dict(own_pool=1, published_basis=0, single_trial=0, k=5, participants=800, participants_known=1,
                  benefit=1, ci_excludes_null=1, pi_available=1, pi_excludes_null=1, mcid_known=1, reaches_mcid=1,
                  within_mcid=0, i2=10, rob_concern=0, small_trials_only=0, egger_p=-1, bias_adjusted_null=0,
                  unreported_trials=0, certainty_rank=0)
    values.update(changes)
    assert tuple(values) == EFFECT_FEATURES
    return values


def first_verdict(values) -> str:
    return next(r["verdict"] for r in effect_verdict_rules() if evaluate(r["condition"], values))


@pytest.mark.parametrize(("changes", "verdict"), [
    (dict(benefit=0), "contradicted"),
    (dict(own_pool=0, single_trial=1, ci_excludes_null=0), "unsupported"),
    (dict(own_pool=0, single_trial=1), "weak"),
    (dict(ci_excludes_null=0, within_mcid=1), "unsupported"),
    (dict(ci_excludes_null=0), "mixed"),
    (dict(certainty_rank=3), "weak"),
    (dict(), "well-supported"),
    (dict(pi_excludes_null=0), "supported-with-caveats"),
    (dict(reaches_mcid=0, certainty_rank=1), "supported-with-caveats"),
])
def test_each_effect_verdict_rule(changes, verdict):
    assert first_verdict(features(**changes)) == verdict


@pytest.mark.parametrize(("changes", "domain", "reasons"), [
    (dict(rob_concern=1), "risk of bias", 1),
    (dict(own_pool=0, published_basis=1), "risk of bias", 1),
    (dict(i2=60), "inconsistency", 1),
    (dict(pi_excludes_null=0, i2=60), "inconsistency", 2),
    (dict(ci_excludes_null=0), "imprecision", 1),
    (dict(ci_excludes_null=0, participants=120), "imprecision", 2),
    (dict(egger_p=0.03), "publication bias", 1),
    (dict(small_trials_only=1), "publication bias", 1),
    (dict(bias_adjusted_null=1), "publication bias", 1),
    (dict(unreported_trials=2), "publication bias", 1),
])
def test_each_effect_certainty_rule(changes, domain, reasons):
    fired = [r for r in effect_certainty_rules() if r["kind"] == "downgrade" and evaluate(r["condition"], features(**changes))]
    assert [r["name"] for r in fired] == [domain] * reasons


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
