"""Learning from screening decisions, as ASReview does: re-rank what is left with a model of what was decided.

    features     TF-IDF of each record's title, abstract and MeSH headings (scikit-learn: words and word pairs,
                 English stop words dropped, sublinear term frequency, terms in at least two records), fitted on
                 the whole batch once, as ASReview fits its feature extractor on the whole dataset
    model        logistic regression with balanced class weights (scikit-learn), ASReview's family of defaults
                 (its naive Bayes and logistic-regression classifiers on TF-IDF), trained on the decisions so far
    query        certainty-based: the unscreened record the model finds likeliest relevant comes next
    simulate     ASReview's simulate mode: start from one include and one exclude drawn at random (``seed``),
                 screen in the model's order, retrain after each decision (in steps of 1% of the decisions once
                 there are more than a hundred), until every record is screened

With a ``statement``, its ``ranking.rank`` score joins the features as one more column, so the claim itself counts
before many decisions do. Metrics: ``recall_curve``, ``wss`` (work saved over sampling, Cohen et al. 2006) and
``recall_at``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .ranking import RecordText, rank

__all__ = ["learned_scores", "recall_at", "recall_curve", "simulate", "wss"]


def _texts(records: Sequence[RecordText]) -> list[str]:
    return [" ".join(part for part in record if part) for record in records]


def _features(records: Sequence[RecordText], statement: str = "", pico: Sequence[str] = ()):
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = _texts(records)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), stop_words="english", sublinear_tf=True,
                                 min_df=2 if len(texts) > 2 else 1, dtype=np.float64)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no word in two records (tiny or empty texts): fall back to every word, even one letter
        try:
            matrix = TfidfVectorizer(dtype=np.float64, token_pattern=r"(?u)\b\w+\b").fit_transform(
                [t or "empty" for t in texts])
        except ValueError:  # no word at all (punctuation only): one constant feature, so only a prior can rank
            matrix = sparse.csr_matrix(np.ones((len(texts), 1)))
    if statement:
        prior = np.asarray(rank(statement, records, pico=pico), dtype=float).reshape(-1, 1)
        matrix = sparse.hstack([matrix, sparse.csr_matrix(prior)], format="csr")
    return matrix.tocsr()


def _fit_predict(matrix, labelled: Sequence[int], labels: Sequence[bool]) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(class_weight="balanced", solver="liblinear", C=1.0)
    model.fit(matrix[list(labelled)], np.asarray(labels, dtype=int))
    return model.predict_proba(matrix)[:, 1]


def learned_scores(records: Sequence[RecordText], decisions: Mapping[int, bool], *, statement: str = "",
                   pico: Sequence[str] = ()) -> list[float] | None:
    """The model's probability of relevance for every record, trained on ``decisions`` (record index -> relevant).

    None until the decisions hold at least one relevant and one irrelevant record (nothing to learn from yet).
    """
    if len(set(decisions.values())) < 2:
        return None
    matrix = _features(records, statement, pico)
    labelled = sorted(decisions)
    probabilities = _fit_predict(matrix, labelled, [decisions[i] for i in labelled])
    return [round(float(p), 6) for p in probabilities]


def _retrain_step(labelled: int) -> int:
    return 1 if labelled <= 100 else math.ceil(labelled / 100)


def simulate(records: Sequence[RecordText], labels: Sequence[bool], *, statement: str = "", seed: int = 0,
             pico: Sequence[str] = ()) -> list[int]:
    """The order in which ``records`` would be screened, learning from ``labels`` as they are revealed.

    Starts from one relevant and one irrelevant record drawn with ``seed``; returns every index once, those two
    first. With only one class present there is nothing to learn: the order is the statement's ranking (or the
    records' own order without a statement).
    """
    labels = [bool(x) for x in labels]
    if len(labels) != len(records):
        raise ValueError(f"{len(records)} records but {len(labels)} labels.")
    n = len(records)
    relevant = [i for i, x in enumerate(labels) if x]
    irrelevant = [i for i, x in enumerate(labels) if not x]
    if not relevant or not irrelevant:
        if statement and n:
            scores = rank(statement, records, pico=pico)
            return sorted(range(n), key=lambda i: (-scores[i], i))
        return list(range(n))
    rng = np.random.default_rng(seed)
    order = [int(rng.choice(relevant)), int(rng.choice(irrelevant))]
    matrix = _features(records, statement, pico)
    unscreened = np.ones(n, dtype=bool)
    unscreened[order] = False
    while unscreened.any():
        probabilities = _fit_predict(matrix, order, [labels[i] for i in order])
        left = np.flatnonzero(unscreened)
        # likeliest first; ties by index, so the order is reproducible
        ranked = left[np.lexsort((left, -probabilities[left]))]
        chosen = ranked[: _retrain_step(len(order))].tolist()
        order.extend(chosen)
        unscreened[chosen] = False
    return order


def recall_curve(order: Sequence[int], labels: Sequence[bool]) -> list[float]:
    """Recall after each record screened in ``order``: the share of relevant records found so far."""
    total = sum(bool(x) for x in labels)
    found = np.cumsum([bool(labels[i]) for i in order])
    return [float(f) / total if total else 0.0 for f in found]


def screened_for_recall(order: Sequence[int], labels: Sequence[bool], recall: float = 0.95) -> int:
    """How many records must be screened in ``order`` to find ``recall`` of the relevant ones."""
    total = sum(bool(x) for x in labels)
    needed = math.ceil(recall * total - 1e-9)
    found = 0
    for screened, index in enumerate(order, start=1):
        found += bool(labels[index])
        if found >= needed:
            return screened
    return len(order)


def wss(order: Sequence[int], labels: Sequence[bool], recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall`` (Cohen et al. 2006): the share of records left unscreened when
    ``recall`` is reached, less the share random sampling would leave (1 - recall)."""
    n = len(order)
    return (n - screened_for_recall(order, labels, recall)) / n - (1 - recall) if n else 0.0


def recall_at(order: Sequence[int], labels: Sequence[bool], k: int) -> float:
    """Recall after screening the first ``k`` records of ``order``."""
    curve = recall_curve(order, labels)
    return curve[min(k, len(curve)) - 1] if curve and k > 0 else 0.0
