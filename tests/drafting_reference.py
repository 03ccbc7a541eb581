"""Measuring `evidence init`'s drafts against claims written by hand (imported by the tests by name).

Two kinds of reference:

- **Our own article's claims.csv** (the ketamine article, hand-made before init could draft anything): for each of
  its claims, is its quote inside a drafted sentence, does the draft's claim type match, and do the concepts of its
  query (each top-level AND block) appear in the draft's query.
- **The fixture articles** (tests/fixtures/article-*.txt, written by the team) with their hand-written expectations
  (tests/fixtures/article-*.expected.csv): which sentences are headings, claims (with a type and concept blocks) or
  not claims (and why), and the article's verbs and filler words, which must never be search terms.

A concept "appears" in a query when one of its words starts a word of the query, compared on the first six letters
(so "depress" finds "depressive", "traumatic" finds "post-traumatic"); the generic words of MeSH and PubMed syntax
("disorders", "terms", "studies") are not concepts.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from evidence.drafting import Decision, draft_article, read_article
from evidence.register.claims import Claim

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_ARTICLES = ("article-omega3", "article-magnesium", "article-tens-device", "article-probiotics",
                    "article-flu-vaccine")
# Words of a hand query that name no concept of their own.
NOT_CONCEPTS = frozenset("""and or not of the a an in with to for as by mesh terms title abstract all fields
subheading studies study disorder disorders disease diseases effects adverse""".split())
_TAG = re.compile(r"\[[^\]]*\]")


def drafts_of(text: str) -> list[Decision]:
    return list(draft_article(read_article(text), text))


def top_level_blocks(query: str) -> list[str]:
    """The parts of ``query`` joined by AND outside any bracket or quote."""
    blocks, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(query):
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and query.startswith(" AND ", index):
            blocks.append(query[start:index])
            start = index + 5
    blocks.append(query[start:])
    return [b.strip() for b in blocks if b.strip()]


def query_words(query: str) -> set[str]:
    """The lower-case words a query searches (field tags left out)."""
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", _TAG.sub(" ", query))
            for w in [w] + w.split("-")}


def tiab_words(query: str) -> set[str]:
    """The words of a query's title/abstract terms (what the draft chose from the article)."""
    words = set()
    for term in re.findall(r'("[^"]+"|[^\s()"]+)\[Title/Abstract\]', query):
        words.update(w.lower() for w in re.findall(r"[A-Za-z0-9]+", term))
    return words


def _prefix(word: str) -> str:
    return word.lower()[:6]


def concept_found(concept_words: set[str], query: str) -> bool:
    """Whether a word of the concept starts a word of the query (first six letters)."""
    have = {_prefix(w) for w in query_words(query)}
    return any(_prefix(w) in have for w in concept_words)


def hand_concepts(query: str) -> list[set[str]]:
    """The concepts of a hand-made query: each top-level AND block's content words."""
    concepts = []
    for block in top_level_blocks(query):
        words = {w for w in query_words(block) if w not in NOT_CONCEPTS and len(w) > 2}
        if words:
            concepts.append(words)
    return concepts


@dataclass(frozen=True)
class ClaimMatch:
    claim: Claim
    decision: Decision | None  # the drafted sentence holding the claim's quote, if any

    @property
    def drafted(self) -> bool:
        return self.decision is not None

    @property
    def same_type(self) -> bool:
        return self.drafted and self.decision.draft.claim_type == self.claim.claim_type

    @property
    def concepts(self) -> tuple[int, int]:
        """(concepts of the hand query found in the draft query, concepts of the hand query)."""
        wanted = hand_concepts(self.claim.query)
        if not self.drafted:
            return 0, len(wanted)
        return sum(concept_found(c, self.decision.draft.query) for c in wanted), len(wanted)


def match_claims(claims: list[Claim], text: str) -> list[ClaimMatch]:
    drafted = [d for d in drafts_of(text) if d.draft is not None]
    return [ClaimMatch(claim, next((d for d in drafted if claim.quote in d.sentence.text), None)) for claim in claims]


@dataclass(frozen=True)
class Measure:
    claims: int
    drafted: int
    same_type: int
    concepts_found: int
    concepts: int

    @property
    def type_agreement(self) -> float:
        return self.same_type / self.drafted if self.drafted else 0.0

    @property
    def coverage(self) -> float:
        return self.concepts_found / self.concepts if self.concepts else 0.0


def measure(matches: list[ClaimMatch]) -> Measure:
    found = sum(m.concepts[0] for m in matches)
    total = sum(m.concepts[1] for m in matches)
    return Measure(len(matches), sum(m.drafted for m in matches), sum(m.same_type for m in matches), found, total)


# -- fixture expectations ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expected:
    kind: str  # heading, claim, not-claim, non-terms
    text: str
    claim_type: str
    concepts: tuple[tuple[str, ...], ...]  # blocks, each a tuple of alternatives
    why: str


def expectations(name: str) -> list[Expected]:
    with (FIXTURES / f"{name}.expected.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [Expected(row["kind"], row["text"], row["claim_type"],
                     tuple(tuple(a.strip() for a in block.split("|")) for block in row["concepts"].split(";")
                           if block.strip()), row["why"]) for row in rows]


def alternative_found(alternatives: tuple[str, ...], query: str) -> bool:
    """Whether one of the alternatives starts a word (or a run of words) of the query, ignoring case."""
    plain = _TAG.sub(" ", query).lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(a.lower())}", plain) for a in alternatives)
