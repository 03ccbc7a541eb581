"""What the notebooks show, built from the package: a ``Workspace`` loaded once per notebook,
Markdown texts (pure functions, tested) and ``show_claim``, which displays one claim's section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import matplotlib.pyplot as plt

from .claims import Claim
from .errors import CacheMissError
from .filters import get_filter
from .plots import plot_evidence_map, plot_timeline
from .pubmed import PubMed, SearchResult
from .records import Record
from .register import Register, load_register
from .settings import Settings
from .tables import evidence_map_table, evidence_table, search_flow_table, style_evidence
from .verdict import Assessment, assess_register

__all__ = ["Workspace", "load_workspace", "search_markdown", "show_claim", "verdict_markdown"]


@dataclass
class Workspace:
    settings: Settings
    register: Register
    client: PubMed
    assessments: dict[str, Assessment]
    searches: dict[str, SearchResult | None] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)


def load_workspace(settings: Settings | None = None) -> Workspace:
    """The register, its assessments, and whatever the cache (or network, by mode) holds for the searches."""
    settings = settings or Settings.from_env()
    register = load_register(settings.root)
    client = PubMed(settings, progress=lambda message: None)
    searches = {}
    for claim in register.claims:
        try:
            searches[claim.claim_id] = client.search(claim.search_query)
        except CacheMissError:  # not in the snapshot; a damaged entry still raises
            searches[claim.claim_id] = None
    records: dict[str, Record] = {}
    pmids = sorted({s.pmid for s in register.studies.values() if s.pmid}, key=int)
    try:
        records = client.fetch(pmids).records
    except CacheMissError:
        records = {}
    assessments = {a.claim.claim_id: a for a in assess_register(register, settings.root, records=records)}
    return Workspace(settings, register, client, assessments, searches, records)


def claim_markdown(claim: Claim) -> str:
    return (
        f"### {claim.claim_id} · {claim.section}\n\n"
        f"> {claim.quote}\n\n"
        f"**Testable statement.** {claim.statement}\n\n"
        f"*Population:* {claim.population or '-'} · *Intervention or exposure:* {claim.intervention or '-'} · "
        f"*Comparator:* {claim.comparator or '-'} · *Outcome:* {claim.outcome or '-'}"
    )


def search_markdown(claim: Claim, result: SearchResult | None) -> str:
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
    return " ".join(lines)


def verdict_markdown(assessment: Assessment) -> str:
    verdict = f"**Verdict: {assessment.verdict}**"
    if assessment.overridden:
        verdict += f" (curated override; the rules give *{assessment.rule_verdict}*)"
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
    return "".join(text)


def show_claim(workspace: Workspace, claim_id: str) -> None:
    """Display one claim's section: statement, search, flow, evidence table, map and timeline, verdict."""
    from IPython.display import Markdown, display

    assessment = workspace.assessments[claim_id]
    claim = assessment.claim
    result = workspace.searches.get(claim_id)
    display(Markdown(claim_markdown(claim)))
    display(Markdown(search_markdown(claim, result)))
    flow = search_flow_table(result, assessment)
    if flow is not None:
        display(flow)
    frame = evidence_table(assessment, workspace.records)
    retracted = frame.loc[frame["retracted"], "link"].tolist()
    if retracted:
        display(Markdown("**Retracted studies in this table:** " + ", ".join(retracted)))
    display(style_evidence(frame, uuid=f"evidence-{claim_id}"))
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 3.2), gridspec_kw={"width_ratios": [1, 1.3]})
    plot_evidence_map(evidence_map_table(assessment), ax=left, title=f"{claim_id}: design × stance")
    plot_timeline(frame, ax=right, title=f"{claim_id}: studies by year")
    figure.tight_layout()
    display(figure)
    plt.close(figure)
    display(Markdown(verdict_markdown(assessment)))

