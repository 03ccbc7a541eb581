"""The project's texts about its claims and its article, in our words: suggested wordings (data/wording.csv) and the
article's scorecard (data/article_review.csv). Loaded and checked here; the judgements about them (does a wording
claim more than its verdict?) live in the judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..files import read_rows
from ..rules import rule_rows

__all__ = ["RATINGS", "WORDING_COLUMNS", "REVIEW_COLUMNS", "ReviewRating", "load_article_review", "load_wording"]

WORDING_COLUMNS = ("claim_id", "wording")
REVIEW_COLUMNS = ("criterion", "rating", "reason", "evidence")


def load_wording(path: Path, claim_ids: set[str]) -> dict[str, str]:
    """data/wording.csv: claim id -> a suggested accurate wording, in our words, reviewed against the verdict."""
    found = {}
    for line, row in read_rows(path, WORDING_COLUMNS, display="data/wording.csv"):
        if row["claim_id"] not in claim_ids:
            raise DataError(f"claim {row['claim_id']!r} is not in claims.csv.", file="data/wording.csv", line=line,
                            column="claim_id")
        if not row["wording"]:
            raise DataError("wording is empty.", file="data/wording.csv", line=line, column="wording")
        found[row["claim_id"]] = row["wording"]
    return found


# The ratings HealthNewsReview.org used for each of its criteria (rules/review_criteria.csv cites the page).
RATINGS = ("satisfactory", "not satisfactory", "not applicable")


@dataclass(frozen=True)
class ReviewRating:
    """One criterion of the article's scorecard: the question (ours, after HealthNewsReview.org), our rating,
    why, and which verdicts or studies the reason rests on."""

    criterion: str
    question: str
    rating: str
    reason: str
    evidence: str


def load_article_review(path: Path) -> tuple[ReviewRating, ...]:
    """data/article_review.csv rated against every criterion of rules/review_criteria.csv, in the rule order.

    Each criterion must be rated exactly once, with a known rating and a reason; a file with a header only is a card
    not yet filled in (a new project's start)."""
    display = "data/article_review.csv"
    questions = {row["criterion"]: row["question"] for row in rule_rows("review_criteria")}
    rated: dict[str, ReviewRating] = {}
    for line, row in read_rows(path, REVIEW_COLUMNS, display=display):
        where = {"file": display, "line": line}
        if row["criterion"] not in questions:
            raise DataError(f"criterion {row['criterion']!r} is not one of rules/review_criteria.csv: "
                            f"{', '.join(questions)}.", column="criterion", **where)
        if row["criterion"] in rated:
            raise DataError(f"criterion {row['criterion']!r} is rated twice; keep one row.", column="criterion",
                            **where)
        if row["rating"] not in RATINGS:
            raise DataError(f"rating {row['rating']!r} is not one of {', '.join(RATINGS)}.", column="rating", **where)
        if not row["reason"]:
            raise DataError("a rating needs a reason.", column="reason", **where)
        rated[row["criterion"]] = ReviewRating(row["criterion"], questions[row["criterion"]], row["rating"],
                                               row["reason"], row["evidence"])
    missing = [c for c in questions if c not in rated]
    if missing and rated:
        raise DataError(f"criteria not rated: {', '.join(missing)}; add a row for each (rating 'not applicable' "
                        "is allowed).", file=display)
    return tuple(rated[c] for c in questions if c in rated)
