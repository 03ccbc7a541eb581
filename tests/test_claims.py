"""claims.csv: the committed file is valid; each kind of broken file is rejected precisely."""

from __future__ import annotations


import pytest
from support import RULES, ROOT, write_csv

from evidence.register.claims import CLAIM_COLUMNS, CLAIM_TYPES, check_query, get_claim, load_claims
from evidence.errors import DataError, InputError
from evidence.register.filters import search_filters

COMMITTED = load_claims(ROOT / "claims.csv", RULES)


def write(tmp_path, rows, header=CLAIM_COLUMNS):
    return write_csv(tmp_path / "claims.csv", header, rows)


def row(claim_id="C01", query="ketamine[Title/Abstract]", **changes):
    values = dict(
        claim_id=claim_id, section="S", quote="q", statement="s", group="efficacy", claim_type="efficacy",
        population="", intervention="", comparator="", outcome="", query=query, filters="", subjects="people",
        effect_family="", effect_window="",
    )
    values.update(changes)
    return [values[c] for c in CLAIM_COLUMNS]


def test_committed_claims_cover_the_article():
    assert len(COMMITTED) >= 15
    ids = [c.claim_id for c in COMMITTED]
    assert len(ids) == len(set(ids))
    assert {c.claim_type for c in COMMITTED} <= set(CLAIM_TYPES)
    # background, mechanism, speed, durability, fear extinction, depression and suicidality,
    # psychotherapy and safety each have at least one claim
    for claim_type in ("epidemiology", "mechanism", "speed", "durability", "comorbidity", "combination-therapy",
                       "safety"):
        assert any(c.claim_type == claim_type for c in COMMITTED), claim_type
    assert any("extinction" in c.statement.lower() for c in COMMITTED)
    assert any("suicid" in c.statement.lower() for c in COMMITTED)


def test_committed_quotes_are_the_articles_own_words():
    article = (ROOT.parent / "shared" / "article" / "ketamine-ptsd-article.txt")
    if not article.is_file():
        pytest.skip("../shared/article is not beside this checkout")
    text = article.read_text(encoding="utf-8")
    for claim in COMMITTED:
        assert claim.quote in text, claim.claim_id


def test_committed_filters_are_published_ones():
    for claim in COMMITTED:
        if claim.filters:
            assert claim.filters in search_filters()
            assert search_filters()[claim.filters].query in claim.search_query


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("(ketamine[tiab] OR esketamine[tiab]", "never closed"),
        ("ketamine[tiab])", "closes nothing"),
        ('"ketamine[tiab]', "double quote"),
        ("ketamine[Titel/Abstract]", "not a PubMed field tag"),
        ("   ", "empty"),
    ],
)
def test_check_query_names_the_problem(query, problem):
    assert problem in check_query(query)


def test_check_query_accepts_real_syntax():
    assert check_query('("Ketamine"[MeSH Terms] OR "ketamine"[tiab]) AND clinical trials as topic '
                       '[mesh: noexp]') is None
    assert check_query('"(not a bracket" AND x[ti]') is None


def test_missing_column(tmp_path):
    header = [c for c in CLAIM_COLUMNS if c != "outcome"]
    path = write(tmp_path, [row()[:9] + row()[10:]], header=header)
    with pytest.raises(DataError) as caught:
        load_claims(path)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("claims.csv", 1, "outcome")
    assert "missing column(s) outcome" in str(caught.value)


def test_duplicate_claim_id(tmp_path):
    path = write(tmp_path, [row("C01"), row("C02"), row("C01")])
    with pytest.raises(DataError) as caught:
        load_claims(path)
    assert (caught.value.line, caught.value.column) == (4, "claim_id")
    assert "used twice (first on line 2)" in str(caught.value)


def test_empty_query(tmp_path):
    path = write(tmp_path, [row("C01"), row("C02", query="")])
    with pytest.raises(DataError) as caught:
        load_claims(path)
    assert str(caught.value).startswith("claims.csv, line 3, column 'query': query is empty.")


def test_unbalanced_parentheses(tmp_path):
    path = write(tmp_path, [row("C01", query="(ketamine[tiab] AND (ptsd[tiab])")])
    with pytest.raises(DataError) as caught:
        load_claims(path)
    assert (caught.value.line, caught.value.column) == (2, "query")
    assert "unbalanced parentheses" in str(caught.value)


def test_unknown_filter_and_claim_type(tmp_path):
    with pytest.raises(DataError, match=r"line 2, column 'filters': unknown filter 'rct'"):
        load_claims(write(tmp_path, [row(filters="rct")]))
    with pytest.raises(DataError, match=r"line 2, column 'claim_type'"):
        load_claims(write(tmp_path, [row(claim_type="cure")]))


def test_subjects_and_effect_question_are_checked(tmp_path):
    with pytest.raises(DataError, match=r"line 2, column 'subjects': subjects 'mice' is not one of people, "
                                        r"animals, both"):
        load_claims(write(tmp_path, [row(subjects="mice")]))
    with pytest.raises(DataError, match=r"column 'effect_family': effect_family and effect_window go together"):
        load_claims(write(tmp_path, [row(effect_family="ptsd_symptoms")]))
    with pytest.raises(DataError, match=r"effect_window 'forever' is not one of hours, end_of_course, follow_up, any"):
        load_claims(write(tmp_path, [row(effect_family="ptsd_symptoms", effect_window="forever")]), RULES)
    claim = load_claims(write(tmp_path, [row(effect_family="depressive_symptoms", effect_window="hours")]), RULES)[0]
    assert (claim.subjects, claim.effect_family, claim.effect_window) == ("people", "depressive_symptoms", "hours")


def test_the_effect_question_is_checked_against_the_projects_own_tables(tmp_path):
    # the package ships neutral tables only: an article's outcome families come from its project's rules/ folder
    with pytest.raises(DataError, match=r"effect_family 'depressive_symptoms' is not one of any, standardized"):
        load_claims(write(tmp_path, [row(effect_family="depressive_symptoms", effect_window="any")]))


@pytest.mark.parametrize("group", ["../../x", "Efficacy", "a b", "x/y", "", "-x", "x--y"])
def test_a_group_that_is_not_a_slug_is_refused(tmp_path, group):
    with pytest.raises(DataError, match=r"line 2, column 'group'"):
        load_claims(write(tmp_path, [row(group=group)]), RULES)


def test_extra_field_and_bad_id(tmp_path):
    with pytest.raises(DataError, match=r"line 2: 1 more field"):
        load_claims(write(tmp_path, [row() + ["stray"]]))
    with pytest.raises(DataError, match=r"column 'claim_id': claim_id 'claim-1'"):
        load_claims(write(tmp_path, [row("claim-1")]))


def test_missing_file_and_unknown_claim(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_claims(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="unknown claim id 'C99'"):
        get_claim(COMMITTED, "C99")
    assert get_claim(COMMITTED, "c04").claim_id == "C04"
