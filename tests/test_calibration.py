"""The blind dual review (data/ratings.csv) and how well the engine's suggested verdicts agree with it (issue 17):
the loader's checks, the agreement statistics against scikit-learn's definition, and the project's figures."""

from __future__ import annotations

import pytest
from support import ROOT, write_csv

from evidence.errors import DataError
from evidence.judge.calibration import ENGINE, agreement, agreement_table, disagreements
from evidence.judge.verdict import assess_project
from evidence.register.project import load_project
from evidence.register.ratings import CONSENSUS, RATING_COLUMNS, Rating, load_ratings
from evidence.vocab import VERDICTS

PROJECT = load_project(ROOT)
ENGINE_SAYS = {a.claim.claim_id: (a.suggested, a.certainty) for a in assess_project(PROJECT)}


def engine_against_consensus(axis: str):
    return next(a for a in agreement_table(PROJECT.ratings, ENGINE_SAYS) if (a.first, a.second, a.axis) ==
                (ENGINE, CONSENSUS, axis))


# -- the project's figures (issue 17: within one step on every claim, exact on at least 70%) ---------------------------
def test_every_claim_has_two_independent_ratings_and_a_consensus():
    raters = {}
    for r in PROJECT.ratings:
        raters.setdefault(r.claim_id, set()).add(r.rater)
    assert set(raters) == {c.claim_id for c in PROJECT.claims}
    assert all(len(names - {CONSENSUS}) >= 2 and CONSENSUS in names for names in raters.values())


def test_the_engine_is_within_one_step_of_the_consensus_on_every_claim_and_exact_on_most():
    verdicts = engine_against_consensus("verdict")
    assert verdicts.claims == len(PROJECT.claims)
    assert verdicts.within_one == verdicts.claims
    assert verdicts.exact_share >= 0.70
    assert verdicts.kappa > 0.6


def test_the_disagreements_shown_in_the_book_are_the_claims_where_engine_and_consensus_differ():
    found = disagreements(PROJECT.ratings, ENGINE_SAYS)
    consensus = {r.claim_id: r.verdict for r in PROJECT.ratings if r.rater == CONSENSUS}
    assert set(found) == {c for c, (v, _) in ENGINE_SAYS.items() if consensus[c] != v}
    assert len(found) == engine_against_consensus("verdict").claims - engine_against_consensus("verdict").exact


# -- the statistics ----------------------------------------------------------------------------------------------------
def test_agreement_counts_exact_and_within_one_step_and_weights_kappa_linearly():
    from sklearn.metrics import cohen_kappa_score

    first = {"C01": "well-supported", "C02": "mixed", "C03": "weak", "C04": "contradicted", "C05": "weak"}
    second = {"C01": "well-supported", "C02": "weak", "C03": "weak", "C04": "weak", "C05": "unsupported", "C09": "weak"}
    result = agreement(first, second, "verdict", ("a", "b"))
    assert (result.claims, result.exact, result.within_one) == (5, 2, 4)  # C09 is rated by one only
    ranks = [[VERDICTS.index(x[c]) for c in sorted(first)] for x in (first, second)]
    expected = cohen_kappa_score(*ranks, labels=list(range(len(VERDICTS))), weights="linear")
    assert result.kappa == pytest.approx(expected)
    assert agreement(first, first, "verdict", ("a", "a")).kappa == 1.0


def test_the_table_pairs_every_rater_and_puts_the_engine_against_the_consensus_only():
    ratings = [Rating(c, rater, v, "low", "r") for c, rater, v in (
        ("C01", "A", "weak"), ("C01", "B", "mixed"), ("C01", CONSENSUS, "weak"),
        ("C02", "A", "mixed"), ("C02", "B", "mixed"), ("C02", CONSENSUS, "mixed"))]
    table = agreement_table(ratings, {"C01": ("weak", "low"), "C02": ("weak", "low")})
    pairs = [(a.first, a.second) for a in table if a.axis == "verdict"]
    assert pairs == [("A", "B"), ("A", CONSENSUS), ("B", CONSENSUS), (ENGINE, CONSENSUS)]
    engine = next(a for a in table if a.first == ENGINE and a.axis == "verdict")
    assert (engine.exact, engine.within_one) == (1, 2)


# -- the file ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("rows", "message"), [
    ([("C99", "A", "weak", "low", "r")], r"line 2, column 'claim_id': claim 'C99' is not in claims.csv"),
    ([("C01", "", "weak", "low", "r")], r"column 'rater': rater is empty"),
    ([("C01", "A", "debunked", "low", "r")], r"column 'verdict': verdict 'debunked' is not one of well-supported"),
    ([("C01", "A", "weak", "medium", "r")], r"column 'certainty': certainty 'medium' is not one of high"),
    ([("C01", "A", "weak", "low", "")], r"column 'reasons': a rating needs its reasons"),
    ([("C01", "A", "weak", "low", "r"), ("C01", "A", "mixed", "low", "r")],
     r"line 3, column 'rater': rater 'A' rates C01 twice \(first on line 2\)"),
    ([("C01", "A", "weak", "low", "r")], r"C01 rated without a consensus row.*Fix: add the third reviewer"),
])
def test_a_bad_ratings_file_is_refused_with_where_and_why(tmp_path, rows, message):
    path = write_csv(tmp_path / "ratings.csv", RATING_COLUMNS, rows)
    with pytest.raises(DataError, match=message):
        load_ratings(path, ["C01", "C02"])


def test_an_empty_ratings_file_is_a_review_not_yet_done(tmp_path):
    assert load_ratings(write_csv(tmp_path / "ratings.csv", RATING_COLUMNS, []), ["C01"]) == ()
    assert agreement_table((), {"C01": ("weak", "low")}) == []
