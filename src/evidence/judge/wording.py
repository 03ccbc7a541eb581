"""Whether a sentence a writer may publish says more, or less, than its verdict and certainty allow.

Two rule tables, each phrase matched as whole words, case aside: ``rules/wording_limits.csv`` names what a verdict
forbids (a 'proven cure' beside a weak verdict; 'in animals' or 'not yet known' beside a well-supported one), and
``rules/certainty_words.csv`` what each GRADE certainty must not be dressed in (Santesso et al. 2020: 'probably'
is moderate certainty, 'may' low, 'very uncertain' very low). ``evidence check`` and ``evidence brief`` refuse to
publish a wording that breaks them, as the tests do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from ..errors import DataError
from ..rules import rule_rows

__all__ = ["Meaning", "glossary", "require_fitting_wordings", "stale_mentions", "wording_conflicts", "wording_problems"]


@dataclass(frozen=True)
class Meaning:
    """One verdict of the glossary (rules/verdict_glossary.csv): what the evidence shows, what a writer may say."""

    verdict: str
    meaning: str
    writer_may_say: str
    source_url: str


@cache
def glossary() -> dict[str, Meaning]:
    """verdict -> its meaning for readers, in the order of the verdict scale."""
    return {row["verdict"]: Meaning(row["verdict"], row["meaning"], row["writer_may_say"], row["source_url"])
            for row in rule_rows("verdict_glossary")}


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(p.strip().lower() for p in text.split(";") if p.strip())


@cache
def _limits() -> dict[str, tuple[str, ...]]:
    return {row["verdict"]: _phrases(row["forbidden"]) for row in rule_rows("wording_limits")}


@cache
def _avoid() -> dict[str, tuple[str, ...]]:
    return {row["certainty"]: _phrases(row["avoid"]) for row in rule_rows("certainty_words")}


def _found(phrases: tuple[str, ...], text: str) -> list[str]:
    lowered = " ".join(text.lower().split())
    return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", lowered)]


def wording_problems(wording: str, verdict: str, certainty: str | None = None) -> list[str]:
    """What in ``wording`` contradicts ``verdict`` (and ``certainty``, when given), each as a short reason; empty when
    nothing does."""
    problems = [f"'{p}' does not fit the verdict {verdict}" for p in _found(_limits().get(verdict, ()), wording)]
    if certainty:
        problems += [f"'{p}' does not fit {certainty} certainty" for p in _found(_avoid().get(certainty, ()), wording)]
    return problems


def wording_conflicts(wordings: Mapping[str, str], judged: Mapping[str, tuple[str, str]]) -> dict[str, list[str]]:
    """claim id -> what its suggested wording says that its verdict and certainty do not allow, for every claim whose
    wording breaks the rules (``judged``: claim id -> (verdict, certainty))."""
    found = {}
    for claim_id, wording in wordings.items():
        if claim_id in judged and (problems := wording_problems(wording, *judged[claim_id])):
            found[claim_id] = problems
    return found


def require_fitting_wordings(wordings: Mapping[str, str], judged: Mapping[str, tuple[str, str]],
                             display: str = "data/wording.csv") -> None:
    """Raise DataError naming the first claim whose suggested wording contradicts its verdict or certainty: what
    `evidence check` and `evidence brief` publish must not say more, or less, than the evidence."""
    conflicts = wording_conflicts(wordings, judged)
    if conflicts:
        claim_id, problems = next(iter(sorted(conflicts.items())))
        verdict, certainty = judged[claim_id]
        more = f" ({len(conflicts) - 1} more claim(s) too)" if len(conflicts) > 1 else ""
        raise DataError(f"the suggested wording of {claim_id} contradicts its verdict ({verdict}, {certainty} "
                        f"certainty): {'; '.join(problems)}{more}.", file=display, column="wording",
                        fix="reword it as the verdict glossary allows (rules/verdict_glossary.csv, "
                            "rules/certainty_words.csv), then run the command again.")


_CLAIM_ID = re.compile(r"\bC\d{2,3}\b")
_CERTAINTY_NAMED = re.compile(r"\b(very low|high|moderate|low)\b(?=\)| certainty)")


def _named_verdicts(clause: str) -> list[str]:
    from ..vocab import VERDICTS

    return [v for v in VERDICTS if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", clause)]


def stale_mentions(text: str, judged: Mapping[str, tuple[str, str]]) -> list[str]:
    """Where ``text`` names a claim's verdict or certainty that is not its current one (``judged``: claim id ->
    (verdict, certainty)), each as a short reason.

    A text names a verdict the way the scorecard does: claim ids and then the verdict in one clause (clauses end at
    ';' or at a full stop), with a certainty written '(low)' or 'low certainty': "C04 mixed (low)", "C01 and C02:
    well-supported", "C18: mixed, moderate certainty". A clause naming two verdicts is ambiguous and reported."""
    problems = []
    for clause in re.split(r";|\.(?!\d)", text):
        ids = [c for c in _CLAIM_ID.findall(clause) if c in judged]
        verdicts = _named_verdicts(clause)
        certainties = _CERTAINTY_NAMED.findall(clause)
        if not ids or not (verdicts or certainties):
            continue
        where = " ".join(clause.split())
        if len(verdicts) > 1 or len(set(certainties)) > 1:
            problems.append(f"'{where}' names more than one verdict or certainty: give each claim its own clause")
            continue
        for claim_id in ids:
            verdict, certainty = judged[claim_id]
            if verdicts and verdicts[0] != verdict:
                problems.append(f"'{where}' calls {claim_id} {verdicts[0]}, but its verdict is {verdict}")
            if certainties and certainties[0] != certainty:
                problems.append(f"'{where}' gives {claim_id} {certainties[0]} certainty, but it is {certainty}")
    return problems
