"""Figures, drawn from the DataFrames of tables.py: each takes ``ax=None`` and returns the axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..vocab import STANCE_MARKS, STANCES

__all__ = ["plot_claim", "plot_evidence_map", "plot_timeline", "plot_verdict_summary"]


def _axes(ax, size):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_evidence_map(table: pd.DataFrame, *, ax=None, title: str = ""):
    """Design × stance counts as an annotated grid (rows: designs, columns: stances)."""
    ax = _axes(ax, (6, 0.45 * max(len(table), 2) + 1.2))
    values = table.reindex(columns=list(STANCES), fill_value=0).to_numpy()
    ax.imshow(values, cmap="Greens", aspect="auto", vmin=0, vmax=max(values.max(), 1))
    ax.set_xticks(range(len(STANCES)), labels=list(STANCES))
    ax.set_yticks(range(len(table.index)), labels=list(table.index))
    for (i, j), value in pd.DataFrame(values).stack().items():
        if value:
            ax.text(j, i, str(value), ha="center", va="center", fontsize=10)
    ax.set_title(title or "Evidence map: studies by design and stance")
    return ax


def plot_timeline(frame: pd.DataFrame, *, ax=None, title: str = ""):
    """Studies by publication year, one row per stance (frame from tables.evidence_table)."""
    ax = _axes(ax, (7, 2.6))
    for row, stance in enumerate(STANCES):
        years = frame.loc[frame["stance"] == stance, "year"]
        ax.scatter(years, [row] * len(years), s=60, color=STANCE_MARKS[stance], alpha=0.8,
                   edgecolors="black", linewidths=0.4)
    ax.set_yticks(range(len(STANCES)), labels=list(STANCES))
    ax.set_ylim(-0.6, len(STANCES) - 0.4)
    ax.set_xlabel("publication year")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or "When the evidence was published")
    return ax


def plot_verdict_summary(matrix: pd.DataFrame, *, ax=None):
    """Studies per claim stacked by stance, each bar labelled with the claim's verdict."""
    ax = _axes(ax, (9, 0.38 * len(matrix) + 1.5))
    ordered = matrix.iloc[::-1].reset_index(drop=True)
    left = pd.Series(0, index=ordered.index)
    for stance in STANCES:
        ax.barh(ordered["claim_id"], ordered[stance], left=left, color=STANCE_MARKS[stance], label=stance)
        left = left + ordered[stance]
    for index, row in ordered.iterrows():
        ax.text(left[index] + 0.3, index, f"{row['verdict']} ({row['certainty']})", va="center", fontsize=8)
    ax.set_xlim(0, left.max() * 1.6 + 1)
    ax.set_xlabel("studies in the register")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Verdict and evidence by claim")
    return ax


def plot_claim(map_table: pd.DataFrame, evidence: pd.DataFrame, *, claim_id: str):
    """One claim's figure: the evidence map beside the timeline. Returned closed, so a notebook shows it once."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 3.2), gridspec_kw={"width_ratios": [1, 1.3]})
    plot_evidence_map(map_table, ax=left, title=f"{claim_id}: design × stance")
    plot_timeline(evidence, ax=right, title=f"{claim_id}: studies by year")
    figure.tight_layout()
    plt.close(figure)
    return figure
