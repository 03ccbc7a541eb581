"""Generate the group notebooks from claims.csv (``evidence notebooks``).

Each group of claims gets one notebook, ``NN-<group>.ipynb``, numbered in the order of
``notebooks/groups.csv`` (which also gives each its title and introduction; the project's loader refuses a claim
whose group it does not list, so no name from claims.csv reaches a file name unchecked). Each claim is a section of
short cells that a researcher can read and change: the claim, its search, the evidence (with a commented line
that leaves a study out), the verdict computed from that evidence, the figure and the verdict's
reasons. Changing a cell and re-running the section changes what follows.

Generation is deterministic (cell ids are derived from the claim and the step), so regenerating an
unchanged project rewrites nothing; executing is a separate step (``execute.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from IPython.display import Markdown

from ..files import atomic_write
from ..register.claims import Claim
from ..register.project import Project
from .escape import html_attr, md, md_link

__all__ = ["GroupPage", "contents_card", "group_pages", "render_group_notebook", "render_methods_notebook",
           "render_overview_notebook", "write_group_notebooks"]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
SETUP = '''%config InlineBackend.print_figure_kwargs = {'metadata': {'Software': None}}
from evidence.present import (authorities_card, claim_card, evidence_map_table, evidence_table, exclude,
                              forest_card, load_workspace, plot_claim, pool_card, prisma_card, screening_card,
                              search_card, style_evidence, trials_card, verdict_card)

ws = load_workspace()
print(f"mode: {ws.settings.mode}; {len(ws.register.studies)} studies in the register")'''
HOW_TO_READ = (
    "Each claim below is a section of short cells: the article's words and our testable statement, the search "
    "as run (or a plain note that the committed snapshot holds none), the studies behind the verdict coloured "
    "by stance (green supports, yellow mixed, red contrasts, grey context), an evidence map and timeline, for an "
    "effect claim the pooled numbers and a forest plot, what guidelines and regulators conclude, and "
    "the verdict with its certainty, GRADE domains and gaps. To see how a verdict rests on one study, remove the `#` "
    "before `exclude(...)` in a section's evidence cell, put in the study's id, and run the section's cells again. "
    "How verdicts are reached: [99-methods](99-methods.ipynb). All claims: [00-overview](00-overview.ipynb)."
)


@dataclass(frozen=True)
class GroupPage:
    number: int
    group: str
    title: str
    intro: str
    claims: tuple[Claim, ...]

    @property
    def stem(self) -> str:
        return f"{self.number:02d}-{self.group}"


def group_pages(project: Project) -> list[GroupPage]:
    """The group notebooks to write, in groups.csv order, with their claims in claims.csv order."""
    return [GroupPage(g.number, g.group, g.title, g.intro, tuple(c for c in project.claims if c.group == g.group))
            for g in project.groups]


def contents_card(project: Project) -> Markdown:
    """Markdown links to each group notebook with its claims."""
    pages = group_pages(project)
    lines = [
        md("- {}: ", md_link(f"{page.number:02d} · {page.title}", f"{page.stem}.ipynb"))
        + ", ".join(md_link(c.claim_id, f"{page.stem}.ipynb#claim-{c.claim_id}") for c in page.claims)
        for page in pages
    ]
    lines.append("- [99 · Methods](99-methods.ipynb): searches, designs, certainty and verdict rules")
    return Markdown("\n".join(lines))


def _claim_cells(claim: Claim) -> list:
    cid = claim.claim_id
    key = cid.lower()
    code = nbformat.v4.new_code_cell
    markdown = nbformat.v4.new_markdown_cell
    cells = [
        markdown(f'<a id="claim-{html_attr(cid)}"></a>\n\n'
                 + md("## {} · {}\n\n*Article section: {}*", cid, claim.statement, claim.section),
                 id=f"{key}-heading"),
        code(f'claim = ws.claim("{cid}")\nclaim_card(claim)', id=f"{key}-claim"),
        code(f'search = ws.searches["{cid}"]\nsearch_card(claim, search)', id=f"{key}-search"),
        code(
            f'evidence = ws.evidence("{cid}")\n'
            f'# evidence = exclude(evidence, "<study_id>")  # leave a study out, then run the cells below again\n'
            f'assessment = ws.assess("{cid}", evidence)\n'
            f'table = evidence_table(assessment, ws.records)\n'
            f'style_evidence(table, uuid="evidence-{cid}")',
            id=f"{key}-evidence",
        ),
        code(f'decisions = ws.screening.for_claim("{cid}")\nscreening_card(search, decisions, ws.candidates("{cid}"))',
             id=f"{key}-screening"),
        code("prisma_card(search, decisions, assessment)", id=f"{key}-flow"),
        code(f'plot_claim(evidence_map_table(assessment), table, claim_id="{cid}")', id=f"{key}-figure"),
    ]
    if claim.effect_family:
        cells += [
            code("forest_card(assessment.synthesis)", id=f"{key}-forest"),
            code("pool_card(assessment)", id=f"{key}-pool"),
        ]
    cells += [
        code("trials_card(assessment, ws.register.effect_data.trials)", id=f"{key}-trials"),
        code("authorities_card(assessment)", id=f"{key}-authorities"),
        code("verdict_card(assessment, ws.project.ratings)", id=f"{key}-verdict"),
    ]
    return cells


def render_group_notebook(page: GroupPage):
    """The notebook for one group, without outputs."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    intro = md("\n\n{}", page.intro) if page.intro else ""
    cells = [
        nbformat.v4.new_markdown_cell(md("# {:02d} · {}", page.number, page.title) + f"{intro}\n\n{HOW_TO_READ}",
                                      id="title"),
        nbformat.v4.new_code_cell(SETUP, id="setup"),
    ]
    for claim in page.claims:
        cells.extend(_claim_cells(claim))
    notebook.cells = cells
    return notebook


def write_group_notebooks(project: Project) -> list[Path]:
    """Write every group notebook into the project's notebooks/ (outputs of unchanged cells kept); remove stale
    ones."""
    folder = project.root / "notebooks"
    written = []
    for page in group_pages(project):
        path = folder / f"{page.stem}.ipynb"
        fresh = render_group_notebook(page)
        if path.is_file():
            fresh = _keep_outputs(fresh, nbformat.read(path, as_version=4))
        text = nbformat.writes(fresh) + "\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text.encode("utf-8"))
        written.append(path)
    keep = {p.name for p in written} | {"00-overview.ipynb", "99-methods.ipynb"}
    for stale in folder.glob("[0-9][0-9]-*.ipynb"):
        if stale.name not in keep:
            stale.unlink()
    return written


def _keep_outputs(fresh, old):
    """Carry the outputs of cells whose source did not change (so regenerating does not blank them)."""
    previous = {cell.get("id"): cell for cell in old.cells}
    for cell in fresh.cells:
        before = previous.get(cell.id)
        if cell.cell_type == "code" and before is not None and before.source == cell.source:
            cell.outputs = before.get("outputs", [])
            cell.execution_count = before.get("execution_count")
    fresh.metadata = old.metadata if old.metadata.get("kernelspec") else fresh.metadata
    return fresh


# The overview and methods notebooks of a project started by `evidence init` (the first article's own are
# written by hand): the same building blocks, with no claim-specific narrative.
OVERVIEW_SETUP = '''%config InlineBackend.print_figure_kwargs = {'metadata': {'Software': None}}
from evidence.present import (contents_card, glossary_card, load_workspace, search_status_table,
                              style_verdict_matrix, verdict_matrix)

ws = load_workspace()
print(f"mode: {ws.settings.mode}; {len(ws.register.claims)} claims; {len(ws.register.studies)} studies in the register")'''
METHOD_TABLES = ("claim_cues", "search_filters", "relevance", "stopping", "designs", "claim_types", "certainty_rules",
                 "design_direction_rules", "effect_direction_rules", "effect_certainty_rules", "verdict_profile",
                 "verdict_glossary", "certainty_words", "gap_rules", "claimreview_scale")


def _notebook(cells):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    notebook.cells = cells
    return notebook


def render_overview_notebook(title: str, article: str):
    """00-overview for a new project: the verdicts, the contents, the searches and how to fill the snapshot."""
    text, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    about = md(" The article: {}.", article) if article else ""
    return _notebook([
        text(md("# 00 · Overview: {}", title) + "\n\nEach checkable sentence of the article is a row of "
             f"`claims.csv`, judged against the register in `data/`.{about} Claims marked *(draft)* still need a "
             "testable statement and a PubMed query of their own (see the README).", id="title"),
        code(OVERVIEW_SETUP, id="setup"),
        text("## Verdicts\n\nOne row per claim. A claim with no registered study is *unsupported* until its "
             "search is screened: the verdict says so.", id="verdicts-intro"),
        code("style_verdict_matrix(verdict_matrix(ws.assessments()))", id="verdicts"),
        text("## What a verdict means\n\nWhat the evidence behind each verdict shows and what a writer may say; "
             "certainty is a separate axis, with its own words.", id="glossary-intro"),
        code("glossary_card()", id="glossary"),
        text("## The claims by group", id="contents-intro"),
        code("contents_card(ws.project)", id="contents"),
        text("## The searches\n\nOffline, a search is answered only from `data/cache/`, which holds only what a "
             "live run received; run `EVIDENCE_MODE=cached python3 tasks.py report` on a machine with network to "
             "fill it.", id="searches-intro"),
        code("search_status_table(ws.register.claims, ws.searches, ws.search_misses)", id="searches"),
    ])


def render_methods_notebook():
    """99-methods for a new project: every rule table the verdicts rest on, with its source."""
    text, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        text("# 99 · Methods: the rules behind the verdicts\n\nEvery rule is data in the package's `rules/` folder, "
             "with its source; the code only evaluates it.", id="title"),
        code("import pandas as pd\n\nfrom evidence.present.methods import rule_table\n\n"
             "pd.set_option(\"display.max_colwidth\", None)", id="setup"),
    ]
    cells += [code(f'rule_table("{name}")', id=f"rule-{name.replace('_', '-')}") for name in METHOD_TABLES]
    return _notebook(cells)
