"""The writer's brief: one printable HTML page with, per claim, the article's words, the verdict and its certainty,
what the evidence supports saying, and the studies to cite; the article's scorecard at the end; the claims'
ClaimReview JSON-LD in its head. ``evidence report`` writes it into the book (``site/brief.html``) and prints it
to ``reports/brief.pdf`` through headless Chromium.

The page is plain HTML with its own print stylesheet (no scripts, no outside assets), so it reads the same in a
browser, on paper and in the PDF, and is byte-stable for a given register. Every text reaches it through
``escape`` (HTML text and attributes, checked links, JSON in the script element); the studies to cite are the same
APA references, formatted by citeproc-py, that a reference manager makes of ``evidence cite``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import EvidenceError
from ..files import atomic_write
from ..judge.verdict import Assessment
from ..register.citations import Citation
from ..register.project import ProjectConfig
from ..register.texts import ReviewRating
from ..vocab import VERDICT_FILLS, VERDICTS
from .claimreview import claim_reviews, jsonld_script
from .escape import html_attr, html_link, html_text
from .exports import key_studies
from .references import references, render_references

__all__ = ["BRIEF_PAGE", "find_chromium", "print_pdf", "render_brief", "scorecard_table"]

BRIEF_PAGE = "brief.html"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

STYLE = """
body { font: 10.5pt/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222;
       max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.05rem; margin: 0 0 .3rem; }
.lead { color: #444; margin-top: 0; }
.claim { border-top: 1px solid #bbb; padding: .55rem 0; break-inside: avoid; page-break-inside: avoid; }
.verdict { display: inline-block; padding: .05rem .45rem; border-radius: .25rem; font-weight: 600; }
blockquote { margin: .25rem 0 .35rem 0; padding-left: .6rem; border-left: 3px solid #999; color: #333; }
.say { margin: .2rem 0; }
.cite { margin: .2rem 0 0 1.1rem; padding: 0; }
.cite li { margin: .1rem 0; }
table.scorecard { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
table.scorecard th, table.scorecard td { border: 1px solid #ccc; padding: .2rem .35rem; text-align: left;
                                         vertical-align: top; }
.muted { color: #666; font-size: 9pt; }
a { color: #1a4f8b; }
@page { size: A4; margin: 14mm 13mm; }
@media print { body { margin: 0; max-width: none; } a { text-decoration: none; } }
"""


def _claim_block(assessment: Assessment, wording: str | None, section_link: str | None,
                 citations: Mapping[str, Citation]) -> str:
    claim = assessment.claim
    fill = VERDICT_FILLS.get(assessment.verdict, "#ffffff")
    overridden = " (set by a curator)" if assessment.overridden else ""
    say = (f'<p class="say"><b>What the evidence supports saying:</b> {html_text(wording)}</p>' if wording else
           '<p class="say"><b>What the evidence supports saying:</b> the article\'s words stand as written.</p>')
    lines = render_references(references(key_studies(assessment), citations), "apa", html=True)
    cite = ("<ul class=\"cite\">" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>") if lines else \
        '<p class="muted">No study is registered for this claim yet.</p>'
    more = " " + html_link("full evidence", section_link, css_class="muted") if section_link else ""
    return f"""<section class="claim" id="claim-{html_attr(claim.claim_id)}">
<h2>{html_text(claim.claim_id)} · \
<span class="verdict" style="background:{html_attr(fill)}">{html_text(assessment.verdict)}</span>
{html_text(assessment.certainty)} certainty{overridden}{more}</h2>
<blockquote>{html_text(claim.quote)}</blockquote>
{say}
<p class="say"><b>Cite:</b></p>
{cite}
</section>"""


def scorecard_table(review: Sequence[ReviewRating], table_class: str) -> str:
    """The article's scorecard as an HTML table (the brief and the book's front page show the same one)."""
    rows = "".join(f"<tr><td>{html_text(r.criterion)}</td><td>{html_text(r.rating)}</td>"
                   f"<td>{html_text(r.reason)}</td></tr>" for r in review)
    return (f'<table class="{html_attr(table_class)}"><thead><tr><th>criterion</th><th>rating</th><th>reason</th>'
            '</tr></thead>\n'
            f"<tbody>{rows}</tbody></table>")


def _scorecard(review: Sequence[ReviewRating]) -> str:
    if not review:
        return ""
    return f"""<section class="claim" id="scorecard">
<h2>The article as a whole</h2>
<p class="muted">Ten criteria after HealthNewsReview.org, rated in our words.</p>
{scorecard_table(review, "scorecard")}
</section>"""


def render_brief(assessments: Sequence[Assessment], *, project: ProjectConfig,
                 wording: Mapping[str, str] | None = None, review: Sequence[ReviewRating] = (),
                 section_links: Mapping[str, str] | None = None,
                 citations: Mapping[str, Citation] | None = None) -> str:
    """The brief as one HTML page (deterministic: the same register gives the same bytes); ``citations`` are the
    studies' bibliographic details (data/citations.csv)."""
    wording = wording or {}
    links = section_links or {}
    reviews = claim_reviews(assessments, project=project, wording=wording, page=BRIEF_PAGE)
    verdicts = [a.verdict for a in assessments]
    tally = ", ".join(f"{verdicts.count(v)} {v}" for v in VERDICTS if v in verdicts)
    blocks = "\n".join(_claim_block(a, wording.get(a.claim.claim_id), links.get(a.claim.claim_id), citations or {})
                       for a in assessments)
    article = f" on {html_text(project.article)}" if project.article else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Writer's brief · {html_text(project.title)}</title>
<style>{STYLE}</style>
{jsonld_script(reviews)}
</head>
<body>
<h1>Writer's brief</h1>
<p class="lead">{html_text(project.title)}. {len(assessments)} claims checked{article}: {html_text(tally)}.
Evidence as of {project.snapshot_date.isoformat()}.</p>
<p class="muted">For each claim: the article's words, our verdict and its GRADE certainty, a wording the evidence
supports, and the studies to cite first. Every study links to its PubMed or DOI record; the book
(<a href="index.html">index.html</a>) shows the evidence behind each verdict.</p>
{blocks}
{_scorecard(review)}
</body>
</html>
"""


def find_chromium(named: str = "") -> str | None:
    """A Chromium or Chrome executable: ``named`` (``Settings.chromium``, from EVIDENCE_CHROMIUM), else on PATH."""
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdf(page: Path, pdf: Path, *, chromium: str, timeout: float = 120) -> Path:
    """Print ``page`` to ``pdf`` with headless Chromium (printed into a scratch folder, then written atomically)."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="evidence-pdf-") as scratch:
        out = Path(scratch) / pdf.name
        command = [chromium, "--headless", "--disable-gpu", "--no-pdf-header-footer", f"--user-data-dir={scratch}",
                   f"--print-to-pdf={out}", page.resolve().as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise EvidenceError(f"Chromium did not print {page.name} within {timeout:.0f} s. Fix: run "
                                "`evidence report` again, or print the page from a browser.") from None
        if result.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            raise EvidenceError(f"Chromium could not print {page.name} (exit {result.returncode}): "
                                f"{result.stderr.strip()[-400:]} Fix: check that `{chromium} --headless` runs here.")
        atomic_write(pdf, out.read_bytes())
    return pdf
