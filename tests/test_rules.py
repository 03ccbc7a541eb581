"""The rule tables: one reader, and one error (RuleError, under EvidenceError) that names the table, the
row and the valid options for every kind of broken rule."""

from __future__ import annotations

import pytest

import evidence.rules as rules
from evidence.errors import EvidenceError, RuleError
from evidence.judge import design, profile, verdict
from evidence.present.methods import rule_table
from evidence.register import filters, studies

CACHED = (rules.rule_rows, design.design_rules, verdict.strong_designs, profile.verdict_profile_rules,
          profile.design_direction_rules,
          verdict.certainty_rules, verdict.gap_rules, studies.designs, filters.search_filters)


@pytest.fixture
def broken(monkeypatch):
    """Replace one table's text (the others stay as shipped), with every rule cache emptied around it."""
    shipped = rules.table_text

    def use(table: str, change):
        text = change(shipped(table))
        monkeypatch.setattr(rules, "table_text", lambda name: text if name == table else shipped(name))
        for function in CACHED:
            function.cache_clear()

    yield use
    monkeypatch.setattr(rules, "table_text", shipped)
    for function in CACHED:
        function.cache_clear()


def test_every_shipped_table_reads_and_cites_its_source():
    for table, columns in rules.RULE_TABLES.items():
        rows = rules.rule_rows(table)
        assert rows, table
        assert all(row["source_url"].startswith(("https://", "http://")) for row in rows), table
        assert list(rule_table(table).columns) == list(columns)
    assert all((design.design_rules(), profile.verdict_profile_rules(), profile.design_direction_rules(),
                verdict.certainty_rules(), verdict.gap_rules()))


def test_an_unknown_table_lists_the_tables():
    with pytest.raises(RuleError, match=r"rules/nosuch.csv: no such rule table. Valid options: search_filters"):
        rules.rule_rows("nosuch")
    assert issubclass(RuleError, EvidenceError)


def test_a_missing_column_names_the_table_and_header_row(broken):
    broken("designs", lambda text: text.replace("grade_start", "start", 1))
    with pytest.raises(RuleError, match=r"rules/designs.csv, row 1: missing column\(s\) grade_start"):
        studies.designs()


def test_an_unknown_design_kind_names_the_row_and_the_valid_kinds(broken):
    broken("publication_types", lambda text: text.replace("1,publication_type,", "1,pub_type,", 1))
    with pytest.raises(RuleError, match=r"publication_types.csv, row 2: kind 'pub_type' is not a known option. "
                                        r"Valid options: publication_type, mesh"):
        design.design_rules()


def test_a_design_outside_the_vocabulary_names_the_designs(broken):
    broken("publication_types", lambda text: text.replace(",meta-analysis,", ",megastudy,", 1))
    with pytest.raises(RuleError, match=r"row 2: design 'megastudy' .* Valid options: meta-analysis, "
                                        r"systematic-review"):
        design.design_rules()


def test_a_malformed_verdict_condition_names_the_row_and_the_features(broken):
    broken("verdict_profile", lambda text: text.replace("dir_against == 1 and certainty_rank <= 1",
                                                        "dir_against = 1 and certainty_rank <= 1", 1))
    with pytest.raises(RuleError, match=r"verdict_profile.csv, row 4: condition 'dir_against = 1 and .*': malformed "
                                        r"comparison 'dir_against = 1'.*Valid options: dir_benefit"):
        profile.verdict_profile_rules()


def test_a_verdict_condition_on_an_unknown_feature_names_the_features(broken):
    broken("verdict_profile", lambda text: text.replace("dir_none == 1", "against_share >= 80", 1))
    with pytest.raises(RuleError, match=r"verdict_profile.csv, row 3: .*unknown feature 'against_share'"):
        profile.verdict_profile_rules()


def test_an_unknown_verdict_names_the_verdicts(broken):
    broken("verdict_profile", lambda text: text.replace(",contradicted,", ",debunked,", 1))
    with pytest.raises(RuleError, match=r"verdict 'debunked' is not a known option. Valid options: well-supported"):
        profile.verdict_profile_rules()


def test_an_unknown_claim_type_names_the_claim_types(broken):
    broken("claim_types", lambda text: text.replace("\nspeed,", "\nvelocity,", 1))
    with pytest.raises(RuleError, match=r"claim_types.csv, row 3: claim_type 'velocity' .* Valid options: efficacy"):
        verdict.strong_designs()


def test_an_empty_cell_names_its_column(broken):
    broken("gap_rules", lambda text: text.replace("no study in people", "", 1))
    with pytest.raises(RuleError, match=r"gap_rules.csv, row \d+: column 'message' is empty"):
        verdict.gap_rules()


def test_an_unknown_search_filter_lists_the_filters():
    from evidence.errors import InputError

    with pytest.raises(InputError, match=r"unknown search filter 'nosuch'. Fix: use one of therapy_narrow"):
        filters.get_filter("nosuch")


def test_an_unknown_direction_names_the_row_and_the_valid_directions(broken):
    broken("effect_direction_rules", lambda text: text.replace("2,benefit,", "2,helps,", 1))
    verdict.effect_direction_rules.cache_clear()
    try:
        with pytest.raises(RuleError, match=r"effect_direction_rules.csv, row 3: direction 'helps' is not a known "
                                            r"option. Valid options: benefit, harm, null-precise"):
            verdict.effect_direction_rules()
    finally:
        verdict.effect_direction_rules.cache_clear()
