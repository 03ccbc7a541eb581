"""data/ratings.csv: the blind dual review of the verdicts (VERDICTS.md, "How reviewers judge independently").

Two raters judge every claim alone, from the review packet (``evidence packet``), without the engine's verdicts or
each other's; a third resolves their disagreements by discussion of the evidence. One row per rater per claim:
``claim_id, rater, verdict, certainty, reasons``, the resolved judgement under rater ``consensus``. The file may be
empty (a new project), but a claim rated at all must have a consensus row, and no rater rates a claim twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..files import project_file_label, read_rows
from ..vocab import CERTAINTY_LEVELS, VERDICTS

__all__ = ["CONSENSUS", "RATING_COLUMNS", "Rating", "load_ratings"]

RATING_COLUMNS = ("claim_id", "rater", "verdict", "certainty", "reasons")
CONSENSUS = "consensus"


@dataclass(frozen=True)
class Rating:
    claim_id: str
    rater: str
    verdict: str
    certainty: str
    reasons: str
    line: int = 0


def load_ratings(path: Path, claim_ids: Sequence[str]) -> tuple[Rating, ...]:
    name = project_file_label(path)
    known = set(claim_ids)
    found: dict[tuple[str, str], Rating] = {}
    for line, row in read_rows(path, RATING_COLUMNS, display=name):
        where = {"file": name, "line": line}
        if row["claim_id"] not in known:
            raise DataError(f"claim {row['claim_id']!r} is not in claims.csv.", column="claim_id", **where)
        if not row["rater"]:
            raise DataError("rater is empty.", column="rater", **where, fix="name the rater, or 'consensus'.")
        if row["verdict"] not in VERDICTS:
            raise DataError(f"verdict {row['verdict']!r} is not one of {', '.join(VERDICTS)}.", column="verdict",
                            **where)
        if row["certainty"] not in CERTAINTY_LEVELS:
            raise DataError(f"certainty {row['certainty']!r} is not one of {', '.join(CERTAINTY_LEVELS)}.",
                            column="certainty", **where)
        if not row["reasons"]:
            raise DataError("a rating needs its reasons.", column="reasons", **where)
        key = (row["claim_id"], row["rater"])
        if key in found:
            raise DataError(f"rater {row['rater']!r} rates {row['claim_id']} twice (first on line {found[key].line}).",
                            column="rater", **where)
        found[key] = Rating(**row, line=line)
    rated = {c for c, _ in found}
    missing = sorted(c for c in rated if (c, CONSENSUS) not in found)
    if missing:
        raise DataError(f"{', '.join(missing)} rated without a consensus row.", file=name,
                        fix="add the third reviewer's resolved judgement as rater 'consensus'.")
    return tuple(sorted(found.values(), key=lambda r: (r.line)))
