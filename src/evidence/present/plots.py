"""Figures, drawn from the DataFrames of tables.py: each takes ``ax=None`` and returns the axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..judge.synthesis import harmonised
from ..vocab import STANCE_MARKS, STANCES

__all__ = ["plot_claim", "plot_evidence_map", "plot_forest", "plot_prisma", "plot_screening_simulation",
           "plot_timeline", "plot_verdict_summary"]


def _axes(ax, size):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_evidence_map(table: pd.DataFrame, *, ax=None, title: str = ""):
    """Design × stance counts as an annotated grid (rows: designs, columns: stances)."""
    ax = _axes(ax, (6, 0.45 * max(len(table), 2) + 1.2))
    values = table.reindex(columns=list(STANCES), fill_value=0).to_numpy()
    if values.size == 0:  # a claim of a new project, before any study is registered
        ax.text(0.5, 0.5, "no study registered yet", transform=ax.transAxes, ha="center", va="center")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title or "Evidence map: studies by design and stance")
        return ax
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


def plot_forest(synthesis, *, ax=None, title: str = ""):
    """Forest plot of a claim's effect question; negative values favour the intervention. Returns the axes, or None
    when the claim has no numbers to draw.

    Our pool: each trial's estimate with its 95% CI (marker area by weight), the pooled diamond (its interval by the
    pool's method, named in the label), the prediction interval beneath it (dashed when flagged as unreliable), and
    the sensitivity rows as grey intervals (red where the conclusion changes). Without a pool: the published pools
    for the question (the basis first), or the single trial. The minimal important difference is drawn where the
    scale has one. Estimates on different measures are never drawn on one axis.
    """
    from ..judge.meta import TAU2_LABELS

    pool, single, basis = synthesis.pool, synthesis.single, synthesis.basis_pool
    if pool is not None:
        items = [(s.label, s.estimate, *s.ci, "trial", w) for s, w in zip(pool.studies, pool.weights)]
        items.append((f"Pooled, k={pool.k} ({TAU2_LABELS[pool.tau2_method]}, {pool.ci_method})", pool.estimate,
                      *pool.ci, "pool", 0.0))
        items += [(f"{r.short or r.label}"[:40], r.estimate, *r.ci, "flip" if r.flips else "sensitivity", 0.0)
                  for r in pool.sensitivity if r.kind != "main"]
        measure, mcid = pool.measure, pool.mcid
    elif basis is not None:
        related = [p for p in synthesis.published if p.study_id == basis.study_id and p.measure == basis.measure
                   and p.window in (basis.window, "any") and p.ci_low is not None and p.role != "unusable"]
        related.sort(key=lambda p: (p != basis, p.line))
        items = [(f"{p.timepoint} ({p.role})"[:48], *harmonised(p), "published", 0.0) for p in related]
        measure, mcid = f"{basis.measure} (published pool)", None
    elif single is not None:
        items = [(single.label, single.estimate, *single.ci, "trial", 100.0)]
        measure, mcid = "single trial", None
    else:
        return None
    ax = _axes(ax, (8, 0.55 * len(items) + 1.6))
    pooled_row = next((i for i, item in enumerate(items) if item[4] == "pool"), None)
    for row, (label, estimate, low, high, kind, weight) in enumerate(items):
        y = len(items) - 1 - row
        if kind == "trial":
            ax.plot([low, high], [y, y], color="black", linewidth=1)
            ax.scatter([estimate], [y], s=20 + 3 * weight, marker="s", color="#377eb8", zorder=3)
        elif kind in ("sensitivity", "flip"):
            colour = "#e41a1c" if kind == "flip" else "#999999"
            ax.plot([low, high], [y, y], color=colour, linewidth=1)
            ax.scatter([estimate], [y], s=12, marker="o", color=colour, zorder=3)
        else:
            hollow = kind == "published" and row > 0
            ax.fill([low, estimate, high, estimate], [y, y + 0.3, y, y - 0.3], zorder=3,
                    facecolor="none" if hollow else "#e41a1c", edgecolor="#e41a1c", linewidth=1.2)
    labels = [f"{label} ({weight:.0f}%)" if pool is not None and kind == "trial" else label
              for label, *_, kind, weight in items]
    if pool is not None and pool.pi is not None:
        y = len(items) - 1 - pooled_row - 0.45
        ax.plot(list(pool.pi), [y, y], color="#e41a1c", linewidth=2, alpha=0.5,
                linestyle="--" if pool.pi_unreliable else "-")
        labels[pooled_row] += "; PI below" + (" (unreliable)" if pool.pi_unreliable else "")
    ax.set_yticks(range(len(items) - 1, -1, -1), labels=labels)
    ax.axvline(0, color="grey", linewidth=1)
    if mcid:
        ax.axvline(-mcid, color="grey", linewidth=1, linestyle="--")
        ax.text(-mcid, len(items) - 0.5, " minimal important difference", fontsize=8, color="grey", va="bottom")
    ax.set_ylim(-0.8, len(items) - 0.1)
    ax.set_xlabel(f"{measure}: negative favours the intervention")
    ax.set_title(title or f"{synthesis.claim_id}: {synthesis.family.replace('_', ' ')}, "
                          f"{synthesis.window.replace('_', ' ')}")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_prisma(counts: dict, *, ax=None, title: str = ""):
    """A PRISMA 2020 flow diagram (identification, screening, included) from ``screening.prisma_counts``."""
    ax = _axes(ax, (9, 5.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")

    def box(x, y, text, width=4.2, height=1.4):
        ax.add_patch(plt.Rectangle((x, y), width, height, facecolor="#f7f7f7", edgecolor="#444444", linewidth=1))
        ax.text(x + width / 2, y + height / 2, text, ha="center", va="center", fontsize=8, wrap=True)

    def arrow(x1, y1, x2, y2):
        ax.annotate("", xy=(x2, y2), xytext=(x1, y1), arrowprops={"arrowstyle": "->", "color": "#444444"})

    identified = counts["identified"]
    box(0.2, 8.2, "Records identified from PubMed:\n" + (f"{identified}" if identified is not None
                                                          else "search not in this snapshot"))
    box(5.4, 8.2, f"Removed before screening:\nduplicates {counts['duplicates_removed']} (one database)")
    box(0.2, 5.6, f"Records screened: {counts['screened']}\nawaiting a decision: {counts['awaiting']}")
    reasons = "\n".join(f"{label}: {n}" for label, n in counts["excluded_by_reason"].items()) or "none"
    box(5.4, 5.1, f"Records excluded: {counts['excluded']}\n{reasons}", height=2.3)
    box(0.2, 2.6, f"Studies included from the search: {counts['included_from_search']}")
    box(5.4, 2.6, f"Studies from other sources\n(reference lists, reviews, registries): {counts['other_sources']}")
    box(2.8, 0.2, f"Studies in the register for this claim: {counts['included']}", width=4.4, height=1.2)
    arrow(2.3, 8.2, 2.3, 7.0)
    arrow(4.4, 8.9, 5.4, 8.9)
    arrow(4.4, 6.3, 5.4, 6.3)
    arrow(2.3, 5.6, 2.3, 4.0)
    arrow(2.3, 2.6, 4.0, 1.4)
    arrow(7.5, 2.6, 6.0, 1.4)
    ax.set_title(title or "PRISMA 2020 flow")
    return ax


SIMULATION_STYLES = {"random": ("0.6", ":"), "bm25": ("tab:orange", "--"), "rank": ("tab:purple", "-."),
                     "learning": ("tab:blue", "-"), "learning+question": ("tab:green", "-")}


def plot_screening_simulation(curves: pd.DataFrame):
    """Recall against the share of records screened, one panel per labelled set, one line per order
    (``evidence.screening.benchmark``'s recorded curves). Returned closed, so a notebook shows it once."""
    sets = list(dict.fromkeys(curves["set"]))
    figure, axes = plt.subplots(1, max(len(sets), 1), figsize=(3.2 * max(len(sets), 1), 3.4), sharey=True,
                                squeeze=False)
    for ax, name in zip(axes[0], sets):
        frame = curves[curves["set"] == name]
        total = frame["screened"].max()
        relevant = frame["found"].max()
        for method, (colour, dash) in SIMULATION_STYLES.items():
            line = frame[frame["method"] == method]
            if len(line):
                ax.plot(line["screened"] / total, line["found"] / relevant, color=colour, linestyle=dash,
                        label=method, linewidth=1.3)
        ax.axhline(0.95, color="0.3", linewidth=0.6)
        ax.set_title(f"{name}: {relevant} of {total}", fontsize=9)
        ax.set_xlabel("share of records screened")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("recall")
    axes[0][-1].legend(loc="lower right", fontsize=7)
    figure.tight_layout()
    plt.close(figure)
    return figure
