"""Replaying screening on labelled sets: the figures ``benchmarks/screening.py`` records and 99-methods plots.

A labelled set is a CSV of records with a title/abstract decision each: Cohen et al. (2006)'s drug class review
format (``title``, ``abstracts``, ``keywords`` as MeSH, ``label1``: I include; E, or a digit coding the
exclusion's reason, exclude; the README's counts of inclusions are the I rows), or ASReview's (``title``, ``abstract``,
``keywords``, and a label column it reads, such as ``included`` or ``label_included`` with 1/0). Each set is
screened in five orders:

    random               a random permutation (the curve: seed 0; the summary: the mean of 10 seeds)
    bm25                 plain BM25 of the set's question over title and abstract (bm25s, the set's own statistics)
    rank                 ``ranking.rank`` of the question and its PICO facets (same statistics)
    learning             ``learning.simulate`` from one include and one exclude, without the question (5 seeds)
    learning+question    the same with the question's ``rank`` score as one more feature (5 seeds)

and summarised by WSS@95, recall after 10% and 20% of the records, average precision, the reciprocal rank of the
first relevant record, and where the stopping test (``stopping``) would have stopped the seed-0 order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .learning import recall_at, simulate, wss
from .ranking import rank, tokens
from .stopping import stopping_p_value, stopping_rules

__all__ = ["CURVE_COLUMNS", "METHODS", "SUMMARY_COLUMNS", "LabelledSet", "curve_rows", "orders", "read_labelled_set",
           "read_questions", "recorded", "stopping_point", "summary_rows", "table_text"]

METHODS = ("random", "bm25", "rank", "learning", "learning+question")
CURVE_COLUMNS = ("set", "method", "screened", "found")
SUMMARY_COLUMNS = ("set", "method", "records", "relevant", "seeds", "wss95", "wss95_min", "wss95_max",
                   "recall_at_10pct", "recall_at_20pct", "average_precision", "reciprocal_rank", "stopped_at",
                   "recall_at_stop")
RANDOM_SEEDS = 10
LEARNING_SEEDS = 5
ASREVIEW_LABELS = ("included", "label_included", "final_included", "label", "included_label", "include")


@dataclass(frozen=True)
class LabelledSet:
    name: str
    records: list[tuple[str, str, str]]  # (title, abstract, MeSH)
    labels: list[bool]
    statement: str = ""
    pico: tuple[str, ...] = field(default=())


def _value(text: str) -> str:
    return "" if text.strip() in {"NA", "nan"} else text.strip()


def read_labelled_set(path: Path, *, name: str = "", statement: str = "", pico: Sequence[str] = ()) -> LabelledSet:
    """A labelled set from a CSV in Cohen et al.'s or ASReview's format (see the module's docstring)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path}: no records.")
    columns = {c.lower(): c for c in rows[0]}
    abstract = columns.get("abstracts") or columns.get("abstract")
    label = columns.get("label1") or next((columns[c] for c in ASREVIEW_LABELS if c in columns), None)
    if "title" not in columns or label is None:
        raise ValueError(f"{path}: needs a title column and a label column (label1, or one of "
                         f"{', '.join(ASREVIEW_LABELS)}).")
    records, labels = [], []
    for line, row in enumerate(rows, start=2):
        value = _value(row[label])
        if label == columns.get("label1"):
            relevant = True if value == "I" else False if value == "E" or value.isdigit() else None
        else:
            relevant = {"1": True, "1.0": True, "0": False, "0.0": False}.get(value)
        if relevant is None:
            raise ValueError(f"{path}, line {line}: label {value!r} is not I, E or an exclusion code (label1), "
                             "or 1/0.")
        records.append((_value(row[columns["title"]]), _value(row[abstract]) if abstract else "",
                        _value(row[columns["keywords"]]) if "keywords" in columns else ""))
        labels.append(relevant)
    return LabelledSet(name or path.stem, records, labels, statement, tuple(pico))


def read_questions(path: Path) -> dict[str, dict[str, str]]:
    """benchmarks/screening_sets.csv: set -> its question (statement) and PICO facets, in our words."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["set"]: row for row in csv.DictReader(handle)}


def _bm25_order(labelled: LabelledSet) -> list[int]:
    import bm25s

    documents = [tokens(f"{t} {a}") or [""] for t, a, _ in labelled.records]
    retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    retriever.index(documents, show_progress=False)
    query = sorted(q for q in set(tokens(labelled.statement)) if q in retriever.vocab_dict)
    scores = retriever.get_scores(query) if query else np.zeros(len(documents))
    return sorted(range(len(documents)), key=lambda i: (-float(scores[i]), i))


def orders(labelled: LabelledSet, method: str, seed: int = 0) -> list[int]:
    """The order in which ``method`` would screen the set."""
    n = len(labelled.records)
    if method == "random":
        return [int(i) for i in np.random.default_rng(seed).permutation(n)]
    if method == "bm25":
        return _bm25_order(labelled)
    if method == "rank":
        scores = rank(labelled.statement, labelled.records, pico=labelled.pico)
        return sorted(range(n), key=lambda i: (-scores[i], i))
    if method == "learning":
        return simulate(labelled.records, labelled.labels, seed=seed)
    if method == "learning+question":
        return simulate(labelled.records, labelled.labels, statement=labelled.statement, pico=labelled.pico,
                        seed=seed)
    raise ValueError(f"unknown method {method!r}; one of {', '.join(METHODS)}.")


def stopping_point(order: Sequence[int], labels: Sequence[bool]) -> int:
    """How many records the stopping test lets a screener stop after, following ``order``."""
    sequence = [bool(labels[i]) for i in order]
    threshold = 1 - stopping_rules()["confidence"]
    for screened in range(1, len(sequence) + 1):
        if stopping_p_value(sequence[:screened], len(sequence)) < threshold:
            return screened
    return len(sequence)


def _average_precision(order: Sequence[int], labels: Sequence[bool]) -> float:
    found, total = 0, 0.0
    for position, index in enumerate(order, start=1):
        if labels[index]:
            found += 1
            total += found / position
    return total / found if found else 0.0


def summary_rows(labelled: LabelledSet) -> tuple[list[dict[str, object]], dict[str, list[int]]]:
    """One summary row per method, and each method's seed-0 order (for the curves)."""
    n, labels = len(labelled.records), labelled.labels
    rows, curves = [], {}
    for method in METHODS:
        seeds = RANDOM_SEEDS if method == "random" else LEARNING_SEEDS if method.startswith("learning") else 1
        runs = [orders(labelled, method, seed) for seed in range(seeds)]
        curves[method] = runs[0]
        savings = [wss(order, labels) for order in runs]
        stop = stopping_point(runs[0], labels)
        first = next(p for p, i in enumerate(runs[0], start=1) if labels[i])
        rows.append({
            "set": labelled.name, "method": method, "records": n, "relevant": sum(labels), "seeds": seeds,
            "wss95": round(float(np.mean(savings)), 4), "wss95_min": round(min(savings), 4),
            "wss95_max": round(max(savings), 4),
            "recall_at_10pct": round(float(np.mean([recall_at(o, labels, round(0.1 * n)) for o in runs])), 4),
            "recall_at_20pct": round(float(np.mean([recall_at(o, labels, round(0.2 * n)) for o in runs])), 4),
            "average_precision": round(float(np.mean([_average_precision(o, labels) for o in runs])), 4),
            "reciprocal_rank": round(1 / first, 4), "stopped_at": stop,
            "recall_at_stop": round(recall_at(runs[0], labels, stop), 4),
        })
    return rows, curves


def curve_rows(labelled: LabelledSet, curves: dict[str, list[int]]) -> list[dict[str, object]]:
    """Relevant records found after each record screened, per method (seed 0)."""
    rows = []
    for method, order in curves.items():
        found = np.cumsum([labelled.labels[i] for i in order])
        rows += [{"set": labelled.name, "method": method, "screened": k, "found": int(f)}
                 for k, f in enumerate(found, start=1)]
    return rows


def table_text(columns: Sequence[str], rows: Sequence[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def recorded(root: Path):
    """(curves, summary) as recorded in ``benchmarks/screening_simulation.csv`` and ``screening_summary.csv``."""
    import pandas as pd

    folder = root / "benchmarks"
    return (pd.read_csv(folder / "screening_simulation.csv"), pd.read_csv(folder / "screening_summary.csv"))
