"""tables.py, plots.py and present.py on the committed register and constructed data."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

from support import ROOT  # noqa: E402

from evidence import cli  # noqa: E402
from evidence.judge.verdict import assess_project  # noqa: E402
from evidence.present import (  # noqa: E402
    claim_card,
    evidence_map_table,
    evidence_table,
    plot_claim,
    plot_evidence_map,
    plot_timeline,
    plot_verdict_summary,
    prisma_card,
    screening_card,
    search_card,
    search_status_table,
    style_evidence,
    style_verdict_matrix,
    verdict_card,
    verdict_matrix,
)
from evidence.register.project import load_project  # noqa: E402
from evidence.screening import Decision, prisma_counts  # noqa: E402
from evidence.sources.pubmed import SearchResult, SearchSlice  # noqa: E402
from evidence.vocab import STANCES  # noqa: E402

PROJECT = load_project(ROOT)
REGISTER = PROJECT.register
ASSESSMENTS = {a.claim.claim_id: a for a in assess_project(PROJECT)}


def test_evidence_table_orders_by_stance_then_newest():
    frame = evidence_table(ASSESSMENTS["C04"])
    order = {stance: rank for rank, stance in enumerate(STANCES)}
    ranks = [order[s] for s in frame["stance"]]
    assert ranks == sorted(ranks)
    for _, group in frame.groupby("stance"):
        assert list(group["year"]) == sorted(group["year"], reverse=True)
    assert len(frame) == len(REGISTER.for_claim("C04"))
    assert all(u.startswith(("https://pubmed.ncbi.nlm.nih.gov/", "https://doi.org/")) for u in frame["url"])


def test_styled_tables_are_stable_html_with_plain_text():
    styled = style_evidence(evidence_table(ASSESSMENTS["C04"]), uuid="evidence-C04")
    html = styled._repr_html_()
    assert "T_evidence-C04" in html and "#f4cccc" in html and '<a href="https://' in html
    assert styled._repr_html_() == html
    assert repr(styled).startswith("Evidence table (") and " at 0x" not in repr(styled)
    matrix = style_verdict_matrix(verdict_matrix(list(ASSESSMENTS.values())))
    assert "C19" in repr(matrix) and "T_verdict-matrix" in matrix._repr_html_()


def test_evidence_map_counts_every_study_once():
    table = evidence_map_table(ASSESSMENTS["C18"])
    assert table.to_numpy().sum() == len(REGISTER.for_claim("C18"))
    assert list(table.columns) == list(STANCES)


def test_verdict_matrix_has_every_claim():
    matrix = verdict_matrix(list(ASSESSMENTS.values()))
    assert list(matrix["claim_id"]) == [c.claim_id for c in REGISTER.claims]
    counts = matrix[list(STANCES)].sum(axis=1)
    assert list(counts) == [len(REGISTER.for_claim(c.claim_id)) for c in REGISTER.claims]


def test_prisma_flow_counts():
    assessment = ASSESSMENTS["C04"]
    pmids = [s.pmid for _, s, _ in assessment.evidence if s.pmid]
    result = SearchResult("q", 250, (*pmids[:2], "1", "2"), "", "1800/01/01", "2026/11/25",
                          (SearchSlice("1800/01/01", "2026/11/25", 250),))
    decisions = [Decision("C04", "1", "exclude", "wrong_design", "2026-12-02"),
                 Decision("C04", "2", "maybe", "", "2026-12-02"), Decision("C04", "3", "exclude", "wrong_design", "x")]
    counts = prisma_counts(result, decisions, set(pmids), len(assessment.evidence))
    assert counts["identified"] == 250 and counts["duplicates_removed"] == 0
    assert counts["screened"] == 2 + 3 and counts["excluded"] == 2 and counts["awaiting"] == 1
    assert counts["excluded_by_reason"] == {"Wrong study design": 2}
    assert counts["included_from_search"] == 2 and counts["other_sources"] == len(assessment.evidence) - 2
    offline = prisma_counts(None, [], set(pmids), len(assessment.evidence))
    assert offline["identified"] is None and offline["other_sources"] == len(assessment.evidence)


def test_search_status_reports_what_the_workspace_holds_without_searching():
    claims = REGISTER.claims[:2]
    result = SearchResult("q", 3, ("1", "2", "3"), "", "1800/01/01", "2026/11/25", ())
    table = search_status_table(claims, {claims[0].claim_id: result, claims[1].claim_id: None},
                                {claims[1].claim_id: "data/cache/esearch/abc.xml"})
    assert list(table["status"]) == ["answered", "not in snapshot"]
    assert table["count"].iloc[0] == 3 and table["cache_file"].iloc[1] == "data/cache/esearch/abc.xml"


def test_plots_draw_on_given_axes_and_return_them():
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3)
    assessment = ASSESSMENTS["C11"]
    assert plot_evidence_map(evidence_map_table(assessment), ax=axes[0]) is axes[0]
    assert plot_timeline(evidence_table(assessment), ax=axes[1]) is axes[1]
    assert plot_verdict_summary(verdict_matrix(list(ASSESSMENTS.values())), ax=axes[2]) is axes[2]
    assert len(axes[1].collections) == 4  # one scatter per stance
    plt.close(figure)
    claim_figure = plot_claim(evidence_map_table(assessment), evidence_table(assessment), claim_id="C11")
    assert [ax.get_title() for ax in claim_figure.axes] == ["C11: design × stance", "C11: studies by year"]
    assert claim_figure.number not in plt.get_fignums()  # closed: a notebook shows it once


def test_markdown_cards():
    claim = REGISTER.claims[3]
    assert claim.quote in claim_card(claim).data and claim.statement in claim_card(claim).data
    offline = search_card(claim, None).data
    assert "Not in this snapshot" in offline and "PubMed Clinical Queries" in offline
    assert "\n" not in offline.split("**Search strategy.**", 1)[1]  # the whole note is one paragraph
    # the screening and flow cells say nothing more without a search
    assert screening_card(None, []) is None and prisma_card(None, [], ASSESSMENTS["C04"]) is None
    c04 = ASSESSMENTS["C04"]
    text = verdict_card(c04).data
    assert (f"**Verdict: {c04.verdict}**" in text and "GRADE domains that lower the certainty" in text
            and "Gaps:" in text)
    assert "*What it means:*" in text and "**Evidence profile**" in text and c04.verdict_reason in text
    assert f"| {c04.profile.direction} | {c04.profile.magnitude} | {c04.profile.directness} |" in text
    assert "design route" in text and "effect route" in verdict_card(ASSESSMENTS["C13"]).data
    assert "Independent review" not in text  # no ratings handed in


def test_the_verdict_card_flags_a_disagreement_with_the_blind_review_and_shows_both_positions():
    from evidence.register.ratings import Rating

    c04 = ASSESSMENTS["C04"]
    other = next(v for v in ("weak", "mixed") if v != c04.suggested)
    agree = verdict_card(c04, [Rating("C04", "consensus", c04.suggested, "low", "our reasons")]).data
    assert "**Independent review agrees.**" in agree and "⚑" not in agree
    differ = verdict_card(c04, [Rating("C04", "A", c04.suggested, "low", "x"),
                                Rating("C04", "consensus", other, "very low", "the <b>raters'</b> reasons")]).data
    assert "**⚑ Independent review disagrees.**" in differ
    assert f"reached *{other}* at very low certainty" in differ and f"The rules give *{c04.suggested}*" in differ
    assert "the \\<b\\>raters'\\</b\\> reasons" in differ  # the raters' text is escaped like any other


def test_check_json(monkeypatch, capsys):
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    assert cli.main(["check", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["claim_id"] for r in rows] == [c.claim_id for c in REGISTER.claims]
    for row in rows:
        assert row["verdict"] == ASSESSMENTS[row["claim_id"]].verdict
        assert tuple(row["counts"]) == STANCES
        assert row["certainty"] in {"high", "moderate", "low", "very low"}


def test_evidence_table_flags_retractions_concerns_and_errata():
    from dataclasses import replace

    from support import article_set

    from evidence.sources.records import parse_pubmed_xml

    fixture = {r.pmid: r for r in parse_pubmed_xml(article_set("99000002", "99000004"))}
    assessment = ASSESSMENTS["C04"]
    studies = [s for _, s, _ in assessment.evidence if s.pmid][:2]
    records = {studies[0].pmid: replace(fixture["99000004"], pmid=studies[0].pmid),
               studies[1].pmid: replace(fixture["99000002"], pmid=studies[1].pmid,
                                        comments_corrections=(("ExpressionOfConcernIn", "99000008"),))}
    frame = evidence_table(assessment, records).set_index("study_id")
    assert frame.loc[studies[0].study_id, "retracted"]
    assert frame.loc[studies[0].study_id, "notices"] == "retraction (PMID 99000005); erratum (PMID 99000006)"
    assert frame.loc[studies[1].study_id, "notices"] == "expression of concern (PMID 99000008)"
    html = style_evidence(evidence_table(assessment, records), uuid="t")._repr_html_()
    assert "(RETRACTED)" in html and "expression of concern (PMID 99000008)" in html


def test_the_compact_matrix_keeps_what_the_front_page_shows():
    from evidence.present.tables import SHORT_CLAIM

    compact = verdict_matrix(list(ASSESSMENTS.values()), compact=True)
    assert list(compact.columns) == ["claim_id", "claim", "verdict", "certainty", "rests on"]
    assert all(len(text) <= SHORT_CLAIM for text in compact["claim"])
    cut = [text for text in compact["claim"] if text.endswith("…")]
    assert cut and all(c.statement.startswith(text[:-1]) for text, c in zip(compact["claim"], REGISTER.claims)
                       if text in cut)


def test_each_authority_is_named_once_with_its_years_and_positions():
    from evidence.present.tables import authorities_label
    from evidence.register.effects import Authority

    def row(body, year, position):
        return Authority("C01", body, year, "a document", position, "", "a summary", "", "https://example.org")

    rows = [row("VA/DoD", 2017, "for"), row("FDA", 2019, "against"), row("VA/DoD", 2023, "for"),
            row("FDA", 2023, "for"), row("NICE", None, "for"), row("WHO", 2020, "not addressed"),
            row("VA/DoD", 2023, "for")]
    assert authorities_label(rows) == "VA/DoD 2023, 2017: for; FDA 2019: against, 2023: for; NICE: for"
