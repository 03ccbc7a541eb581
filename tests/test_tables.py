"""tables.py, plots.py and present.py on the committed register and constructed data."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

from support import ROOT  # noqa: E402

from evidence import cli  # noqa: E402
from evidence.plots import plot_evidence_map, plot_timeline, plot_verdict_summary  # noqa: E402
from evidence.present import claim_markdown, search_markdown, verdict_markdown  # noqa: E402
from evidence.pubmed import SearchResult, SearchSlice  # noqa: E402
from evidence.register import load_register  # noqa: E402
from evidence.tables import (  # noqa: E402
    evidence_map_table,
    evidence_table,
    search_flow_table,
    style_evidence,
    style_verdict_matrix,
    verdict_matrix,
)
from evidence.verdict import assess_register  # noqa: E402

REGISTER = load_register(ROOT)
ASSESSMENTS = {a.claim.claim_id: a for a in assess_register(REGISTER, ROOT)}


def test_evidence_table_orders_by_stance_then_newest():
    frame = evidence_table(ASSESSMENTS["C04"])
    order = {"supports": 0, "mixed": 1, "contrasts": 2, "context": 3}
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
    assert list(table.columns) == ["supports", "contrasts", "mixed", "context"]


def test_verdict_matrix_has_every_claim():
    matrix = verdict_matrix(list(ASSESSMENTS.values()))
    assert list(matrix["claim_id"]) == [c.claim_id for c in REGISTER.claims]
    counts = matrix[["supports", "contrasts", "mixed", "context"]].sum(axis=1)
    assert list(counts) == [len(REGISTER.for_claim(c.claim_id)) for c in REGISTER.claims]


def test_search_flow_counts():
    assessment = ASSESSMENTS["C04"]
    pmids = [s.pmid for _, s, _ in assessment.evidence if s.pmid]
    result = SearchResult("q", 250, (*pmids[:2], "1", "2"), "", "1800/01/01", "2026/11/25",
                          (SearchSlice("1800/01/01", "2026/11/25", 250),))
    flow = search_flow_table(result, assessment)
    assert list(flow["count"]) == [250, 2, len(assessment.evidence) - 2, len(assessment.evidence)]
    assert search_flow_table(None, assessment) is None


def test_plots_draw_on_given_axes_and_return_them():
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3)
    assessment = ASSESSMENTS["C11"]
    assert plot_evidence_map(evidence_map_table(assessment), ax=axes[0]) is axes[0]
    assert plot_timeline(evidence_table(assessment), ax=axes[1]) is axes[1]
    assert plot_verdict_summary(verdict_matrix(list(ASSESSMENTS.values())), ax=axes[2]) is axes[2]
    assert len(axes[1].collections) == 4  # one scatter per stance
    plt.close(figure)


def test_markdown_texts():
    claim = REGISTER.claims[3]
    assert claim.quote in claim_markdown(claim) and claim.statement in claim_markdown(claim)
    assert "no live PubMed answer" in search_markdown(claim, None)
    assert "PubMed Clinical Queries" in search_markdown(claim, None)
    text = verdict_markdown(ASSESSMENTS["C04"])
    assert "**Verdict: mixed**" in text and "Downgraded for" in text and "Gaps:" in text


def test_check_json(monkeypatch, capsys):
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    assert cli.main(["check", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["claim_id"] for r in rows] == [c.claim_id for c in REGISTER.claims]
    for row in rows:
        assert row["verdict"] == ASSESSMENTS[row["claim_id"]].verdict
        assert set(row["counts"]) == {"supports", "contrasts", "mixed", "context"}
        assert row["certainty"] in {"high", "moderate", "low", "very low"}
