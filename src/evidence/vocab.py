"""Every shared vocabulary, defined once: stances and their order and colours, verdicts and their
colours, certainty levels, identifier patterns, and the label an override carries.

Modules import these names; none of them spells a stance list, a colour or an identifier pattern
of its own.
"""

from __future__ import annotations

import re

__all__ = [
    "CERTAINTY_LEVELS",
    "DOI_PATTERN",
    "NCT_PATTERN",
    "OVERRIDE_LABEL",
    "PMCID_PATTERN",
    "PMID_PATTERN",
    "REGISTRY_ID",
    "POSITION_LEANING",
    "STANCES",
    "STANCE_FILLS",
    "STANCE_MARKS",
    "URL_PATTERN",
    "VERDICTS",
    "VERDICT_FILLS",
    "VERDICT_LEANING",
    "doi_url",
    "pmc_url",
    "pubmed_url",
    "trial_url",
]

# Stances, in the order tables list them (support first, context last).
STANCES = ("supports", "mixed", "contrasts", "context")
# Pale fills for table rows, and saturated marks for plots (ColorBrewer Set1 hues).
STANCE_FILLS = {"supports": "#d9f0d3", "mixed": "#fff2cc", "contrasts": "#f4cccc", "context": "#e8e8e8"}
STANCE_MARKS = {"supports": "#4daf4a", "mixed": "#ff7f00", "contrasts": "#e41a1c", "context": "#999999"}

VERDICTS = ("well-supported", "supported-with-caveats", "mixed", "weak", "unsupported", "contradicted")
VERDICT_FILLS = {
    "well-supported": "#b6d7a8", "supported-with-caveats": "#d9ead3", "mixed": "#fff2cc",
    "weak": "#fce5cd", "unsupported": "#f4cccc", "contradicted": "#e06666",
}
CERTAINTY_LEVELS = ("high", "moderate", "low", "very low")
# Which way a verdict, or an authority's position, leans: compared to say where we disagree with a body.
VERDICT_LEANING = {"well-supported": "for", "supported-with-caveats": "for", "mixed": "uncertain",
                   "weak": "uncertain", "unsupported": "against", "contradicted": "against"}
POSITION_LEANING = {"for": "for", "against": "against", "insufficient evidence": "uncertain", "not addressed": ""}
# How a verdict set by a curator (data/verdict_overrides.csv) is marked wherever it is shown.
OVERRIDE_LABEL = "(override)"

PMID_PATTERN = re.compile(r"^[1-9][0-9]{0,8}\Z")  # ASCII digits only: \d would take other scripts' digits
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
PMCID_PATTERN = re.compile(r"^PMC\d{4,9}$")
NCT_PATTERN = re.compile(r"\bNCT\d{8}\b")
# A trial registry number: ClinicalTrials.gov (NCT and 8 digits) or ANZCTR (ACTRN and 14).
REGISTRY_ID = re.compile(r"^(NCT\d{8}|ACTRN\d{14})$")
URL_PATTERN = re.compile(r"^https?://\S+$")


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def trial_url(registry_id: str) -> str:
    """The registry page of a trial: ClinicalTrials.gov for an NCT number, ANZCTR for an ACTRN."""
    if registry_id.startswith("ACTRN"):
        return f"https://www.anzctr.org.au/ACTRN{registry_id[5:]}.aspx"
    return f"https://clinicaltrials.gov/study/{registry_id}"


def pmc_url(pmcid: str) -> str:
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"
