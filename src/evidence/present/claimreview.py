"""schema.org ClaimReview JSON-LD, one per claim, for fact-check consumers (search engines, fact-check archives).

The fields follow schema.org/ClaimReview and the properties Google's fact-check documentation requires
(``claimReviewed``, ``reviewRating`` with ``alternateName``, ``url``, ``author``) or recommends (``itemReviewed`` as a
``Claim`` with its ``appearance``, ``datePublished``). Our six verdicts map onto a 1–5 ``ratingValue`` by
``rules/claimreview_scale.csv``; the date is the snapshot's, so the markup changes only when the evidence does.
Nothing is invented: the article's address and author appear only when ``evidence.toml`` gives them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import RuleError
from ..judge.verdict import Assessment
from ..rules import rule_rows
from ..vocab import VERDICTS
from ..register.project import ProjectConfig
from .escape import json_script

__all__ = ["BEST_RATING", "WORST_RATING", "claim_review", "claim_reviews", "jsonld_script", "rating_scale"]

BEST_RATING, WORST_RATING = 5, 1


def rating_scale() -> dict[str, tuple[int, str]]:
    """verdict -> (ratingValue, alternateName), checked: every verdict once, values within 1–5."""
    scale: dict[str, tuple[int, str]] = {}
    for row in rule_rows("claimreview_scale"):
        if row["verdict"] not in VERDICTS:
            raise row.error(f"verdict {row['verdict']!r} is not a verdict.", VERDICTS)
        if row["verdict"] in scale:
            raise row.error(f"verdict {row['verdict']!r} is mapped twice.")
        value = row["rating_value"]
        if not value.isdigit() or not WORST_RATING <= int(value) <= BEST_RATING:
            raise row.error(f"rating_value {value!r} is not a whole number from {WORST_RATING} to {BEST_RATING}.")
        scale[row["verdict"]] = (int(value), row["alternate_name"])
    missing = [v for v in VERDICTS if v not in scale]
    if missing:
        raise RuleError(f"verdicts not mapped: {', '.join(missing)}; add a row for each.", table="claimreview_scale",
                        options=VERDICTS)
    return scale


def claim_review(assessment: Assessment, *, project: ProjectConfig, wording: Mapping[str, str] | None = None,
                 page: str = "brief.html") -> dict:
    """The ClaimReview of one claim; ``page`` is where it is published (the writer's brief), anchored per claim.
    It is dated by the project's snapshot date: the evidence it weighs is as of that day."""
    claim = assessment.claim
    value, name = rating_scale()[assessment.verdict]
    appearance = {"@type": "CreativeWork", "name": project.article or project.title}
    if project.article_url:
        appearance["url"] = project.article_url
    said = (wording or {}).get(claim.claim_id)
    body = f"Verdict: {assessment.verdict}, {assessment.certainty} certainty. {assessment.verdict_reason}"
    if said:
        body += f" What the evidence supports saying: {said}"
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": f"{project.site_url}{page}#claim-{claim.claim_id}",
        "url": f"{project.site_url}{page}#claim-{claim.claim_id}",
        "claimReviewed": claim.quote,
        "itemReviewed": {"@type": "Claim", "appearance": [appearance], "firstAppearance": appearance},
        "author": {"@type": "Organization", "name": project.publisher},
        "datePublished": project.snapshot_date.isoformat(),
        "reviewRating": {"@type": "Rating", "ratingValue": value, "bestRating": BEST_RATING,
                         "worstRating": WORST_RATING, "alternateName": name},
        "reviewBody": body,
    }


def claim_reviews(assessments: Sequence[Assessment], **kwargs) -> list[dict]:
    return [claim_review(a, **kwargs) for a in assessments]


def jsonld_script(reviews: Sequence[dict]) -> str:
    """A <script type="application/ld+json"> block for an HTML page (``escape.json_script``: no text can close it)."""
    return json_script(list(reviews))
