"""Screening: a claim's PubMed hits ranked, decisions recorded and learned from, and when to stop.

    ranking     ``rank(statement, records)``: one search's hits scored together (BM25F over title, abstract and
                MeSH, the claim's phrases and PICO facets); ``relevance(statement, title, abstract)`` for one record
    learning    re-ranking from decisions (TF-IDF and logistic regression), ``simulate`` (ASReview's simulate
                mode) and its metrics (recall curve, WSS, recall@k)
    stopping    the statistical stopping test of Callaghan & Müller-Hansen (2020) and how many relevant records
                probably remain
    gather      candidates from a claim's search, the screening log, PRISMA counts, the living update
    interop     ASReview LAB: export a claim's candidates as CSV or RIS, import an export's labels back
    benchmark   labelled sets (Cohen et al. 2006's format), the recorded simulation figures and their check
"""

from __future__ import annotations

from .gather import (
    DECISIONS,
    EXPORT_COLUMNS,
    RELEVANT_DECISIONS,
    SCREENING_COLUMNS,
    Candidate,
    Decision,
    Ranking,
    ScreeningLog,
    UpdateReport,
    apply_decisions,
    candidates,
    claim_facets,
    conclusions,
    exclusion_reasons,
    gather_claim,
    manual_decision,
    prisma_counts,
    rank_candidates,
    refuse_contradictions,
    screening_files_locked,
    read_export,
    record_text,
    screening_sequence,
    update,
    write_candidates,
)
from .learning import learned_scores, recall_at, recall_curve, simulate, wss
from .ranking import rank, relevance
from .stopping import StoppingAdvice, remaining_relevant, stopping_advice

__all__ = [
    "DECISIONS",
    "EXPORT_COLUMNS",
    "RELEVANT_DECISIONS",
    "SCREENING_COLUMNS",
    "Candidate",
    "Decision",
    "Ranking",
    "ScreeningLog",
    "StoppingAdvice",
    "UpdateReport",
    "apply_decisions",
    "candidates",
    "claim_facets",
    "conclusions",
    "exclusion_reasons",
    "gather_claim",
    "learned_scores",
    "manual_decision",
    "prisma_counts",
    "rank",
    "rank_candidates",
    "refuse_contradictions",
    "screening_files_locked",
    "read_export",
    "recall_at",
    "recall_curve",
    "record_text",
    "relevance",
    "remaining_relevant",
    "screening_sequence",
    "simulate",
    "stopping_advice",
    "update",
    "write_candidates",
    "wss",
]
