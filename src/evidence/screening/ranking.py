"""Rank one search's hits together for a claim, as a screening tool sees them.

The score of a record (``rank``), in [0, 1], is a weighted sum of three parts, with the weights and BM25's
parameters in ``rules/relevance.csv``:

    words     BM25F (Robertson, Zaragoza & Taylor 2004) of the claim's words (statement and PICO) over the record's
              title, abstract and MeSH headings, each field's term counts multiplied by its weight (the title counts
              twice): bm25s's Lucene BM25 over the fields' tokens, a title's tokens repeated, which is BM25F with one
              length normalisation. Statistics (document frequencies, average length) are those of the batch.
    phrases   the same BM25 over adjacent word pairs ("allergic rhinitis", "nasal spray"): a record that keeps
              the claim's phrases together scores above one that only has its words scattered
    pico      the share of the claim's PICO facets (population, intervention, outcome) that the record speaks to at
              all (any of a facet's words in its title, abstract or MeSH): a librarian's P AND I AND O

Each BM25 part is divided by its ceiling (the sum of the query words' IDF, which a record would reach with every
word, however often), so the score does not depend on how long the query is. Words are lower-cased, English stop
words dropped (scikit-learn's list and a few that every abstract uses) and Snowball-stemmed (snowballstemmer,
the Porter2 stemmer). The design prior and recency are not part of the score: ``gather.rank_candidates`` uses
them only to order records whose scores fall in the same band.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache

import numpy as np

from ..rules import rule_rows

__all__ = ["RecordText", "rank", "relevance", "tokens", "weights"]

# (title, abstract) or (title, abstract, MeSH headings joined by "; ")
RecordText = Sequence[str]

WORD = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")
# Words every abstract uses, beyond scikit-learn's English stop words: they say nothing about a record's topic.
FILLER = " "  # stands for a word outside the query (no token contains a space)
DOMAIN_STOPWORDS = frozenset("""
study studies patient patients subject subjects participant participants result results method methods conclusion
conclusions background objective objectives aim aims purpose effect effects trial trials use used using compared
versus vs group groups significant significantly reduce reduces reduced reduction
""".split())


@cache
def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | DOMAIN_STOPWORDS


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


_STEMS: dict[str, str] = {}


def tokens(text: str) -> list[str]:
    """The content words of ``text``, lower-cased, stop words dropped, stemmed, in order."""
    stop = _stopwords()
    words = [w for w in WORD.findall((text or "").lower()) if w not in stop and len(w) > 1]
    missing = [w for w in set(words) if w not in _STEMS]
    if missing:  # the stemmer is pure Python: stem each distinct word once per process
        _STEMS.update(zip(missing, _stemmer().stemWords(missing)))
    return [_STEMS[w] for w in words]


def _pairs(words: Sequence[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in zip(words, words[1:])]


@cache
def weights() -> dict[str, float]:
    """rules/relevance.csv: component -> weight (field weights, the parts of the score, BM25's k1 and b, the band)."""
    return {row["component"]: float(row["weight"]) for row in rule_rows("relevance")}


def _bm25(documents: list[list[str]], query: list[str]) -> np.ndarray:
    """bm25s's Lucene BM25 of ``query`` (distinct terms) on each document, divided by the query's ceiling."""
    import bm25s

    query = sorted(set(query))
    if not query or not documents:
        return np.zeros(len(documents))
    w = weights()
    wanted = set(query)
    # Each document is indexed as its query terms plus one filler token for every other word: BM25 of the query
    # depends only on the query terms' counts, their document frequencies and the documents' lengths, all kept,
    # and indexing a few distinct tokens per record instead of hundreds makes 10,000 records fast.
    indexed = [[t if t in wanted else FILLER for t in d] or [FILLER] for d in documents]
    retriever = bm25s.BM25(k1=w["bm25_k1"], b=w["bm25_b"], method="lucene")
    retriever.index(indexed, show_progress=False)
    present = [q for q in query if q in retriever.vocab_dict]
    scores = retriever.get_scores(present) if present else np.zeros(len(documents))
    # Lucene BM25's term-frequency part is below 1, so a term adds at most its IDF (Kamphuis et al. 2020)
    n = len(documents)
    frequency = _document_frequencies(indexed, wanted)
    ceiling = sum(math.log(1 + (n - frequency[q] + 0.5) / (frequency[q] + 0.5)) for q in query)
    return np.asarray(scores, dtype=float) / ceiling


def _document_frequencies(documents: list[list[str]], terms: set[str]) -> dict[str, int]:
    counts = dict.fromkeys(terms, 0)
    for document in documents:
        for term in terms.intersection(document):
            counts[term] += 1
    return counts


def _fields(record: RecordText) -> tuple[list[str], list[str], list[str]]:
    title, abstract, mesh = (*record, "", "", "")[:3]
    return tokens(title), tokens(abstract), tokens(mesh)


def rank(statement: str, records: Sequence[RecordText], *, pico: Sequence[str] = ()) -> list[float]:
    """The relevance of each record to ``statement``, in [0, 1], with the batch's own statistics.

    ``records`` are ``(title, abstract)`` or ``(title, abstract, mesh)``; ``pico`` the claim's facets (population,
    intervention, outcome), each a phrase or a list of words, which also join the query. The score is documented in
    this module's docstring and in the README; equal inputs give equal scores, and the order of ``records`` does
    not change any record's score.
    """
    w = weights()
    fields = [_fields(r) for r in records]
    statement_words = tokens(statement)
    facets = [tokens(f) for f in pico if tokens(f)]
    query = statement_words + [t for f in facets for t in f]
    phrases = _pairs(statement_words) + [p for f in facets for p in _pairs(f)]
    title_weight, mesh_weight = round(w["field_title"]), round(w["field_mesh"])
    documents = [t * title_weight + a + m * mesh_weight for t, a, m in fields]
    parts = {"words": _bm25(documents, query)}
    if phrases:
        pair_documents = [_pairs(t) * title_weight + _pairs(a) + _pairs(m) * mesh_weight for t, a, m in fields]
        parts["phrases"] = _bm25(pair_documents, phrases)
    if facets:
        facet_sets = [set(f) for f in facets]
        parts["pico"] = np.array([sum(1 for f in facet_sets if f.intersection(t, a, m)) / len(facet_sets)
                                  for t, a, m in fields])
    total = sum(w[name] for name in parts)
    score = sum(w[name] * values for name, values in parts.items()) / total
    return [round(float(s), 6) for s in np.clip(score, 0.0, 1.0)]


def relevance(statement: str, title: str, abstract: str) -> float:
    """``rank`` of one record alone, in [0, 1]: with no other records, every word is equally rare."""
    return rank(statement, [(title, abstract)])[0]
