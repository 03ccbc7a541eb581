"""What a claim's section in a notebook shows, as Markdown built from the package's values.

Each function is pure (values in, text out) and returns an ``IPython.display.Markdown``, so a
notebook cell that ends with one of them shows it; ``.data`` holds the text for tests.
"""

from __future__ import annotations

from IPython.display import Markdown

from ..judge.verdict import Assessment
from ..register.claims import Claim
from ..register.filters import get_filter
from ..sources.pubmed import SearchResult
from ..vocab import OVERRIDE_LABEL
from .tables import search_flow_table

__all__ = ["claim_card", "flow_card", "search_card", "verdict_card"]


def claim_card(claim: Claim) -> Markdown:
    """The article's words, our testable statement, and the question's parts."""
    return Markdown(
        f"> {claim.quote}\n\n"
        f"**Testable statement.** {claim.statement}\n\n"
        f"*Population:* {claim.population or '-'} · *Intervention or exposure:* {claim.intervention or '-'} · "
        f"*Comparator:* {claim.comparator or '-'} · *Outcome:* {claim.outcome or '-'}"
    )


def search_card(claim: Claim, result: SearchResult | None) -> Markdown:
    """The search as run, with its count, or a plain note that the snapshot holds no answer for it."""
    lines = [f"**Search strategy.** `{claim.query}`"]
    if claim.filters:
        chosen = get_filter(claim.filters)
        lines.append(f"combined with the published filter *{chosen.label}* ([source]({chosen.source_url})).")
    if result is None:
        lines.append(
            "\n\nThe committed snapshot holds **no live PubMed answer** for this search, so no count or flow is shown; "
            "the studies below come from the curated register. With network access, run "
            "`EVIDENCE_MODE=cached python3 tasks.py report` (NCBI_EMAIL set) to run it and store the answer."
        )
    else:
        lines.append(
            f"\n\nRun with Entrez dates {result.min_date} to {result.max_date}: **{result.count}** records "
            f"(PubMed's translation: `{result.query_translation}`)."
        )
    return Markdown(" ".join(lines))


def flow_card(result: SearchResult | None, assessment: Assessment) -> Markdown:
    """PRISMA-style counts from the search to the studies in the register, or why there are none."""
    table = search_flow_table(result, assessment)
    if table is None:
        return Markdown(
            f"**Flow.** No search answer in this snapshot, so no PRISMA flow; the register holds "
            f"{len(assessment.evidence)} studies for this claim."
        )
    rows = "\n".join(f"| {stage} | {count} |" for stage, count in zip(table["stage"], table["count"]))
    return Markdown(f"**Flow.**\n\n| stage | records |\n| --- | ---: |\n{rows}")


def verdict_card(assessment: Assessment) -> Markdown:
    """The verdict and certainty, with the rule that decided, the downgrades and the gaps."""
    verdict = f"**Verdict: {assessment.verdict}**"
    if assessment.overridden:
        verdict += f" {OVERRIDE_LABEL} (set by a curator; the rules give *{assessment.rule_verdict}*)"
    counts = assessment.stance_counts()
    text = [
        f"{verdict} · certainty **{assessment.certainty}** (starting at {assessment.certainty_start}).",
        f"\n\n{assessment.verdict_reason}",
        "\n\nStudies: " + ", ".join(f"{n} {stance}" for stance, n in counts.items()) + ".",
    ]
    if assessment.downgrades:
        text.append("\n\nDowngraded for:\n" + "\n".join(f"- **{name}**: {why}" for name, why in assessment.downgrades))
    if assessment.gaps:
        text.append("\n\nGaps:\n" + "\n".join(f"- {gap}" for gap in assessment.gaps))
    return Markdown("".join(text))
