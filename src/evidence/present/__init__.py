"""What people see: tables (computed), styles, figures (drawn), notebook sections, the generated
notebooks, their execution and the book.

The names notebooks use are gathered here and loaded on first use (PEP 562), so that importing one
module of this package (the command line imports ``tables``) does not import matplotlib, IPython and
nbformat as well.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "contents_card": "notebook",
    "plot_claim": "plots", "plot_evidence_map": "plots", "plot_timeline": "plots", "plot_verdict_summary": "plots",
    "claim_card": "sections", "search_card": "sections", "verdict_card": "sections", "glossary_card": "sections",
    "pool_card": "sections", "forest_card": "sections", "prisma_card": "sections",
    "screening_card": "sections", "trials_card": "sections", "unreported_trials_table": "tables",
    "article_review_table": "tables", "plot_prisma": "plots", "prisma_s_table": "tables",
    "authorities_card": "sections", "plot_forest": "plots",
    "plot_screening_simulation": "plots", "screening_benchmark_table": "tables",
    "published_pools_table": "tables", "synthesis_comparison_table": "tables", "reconciliation_table": "tables",
    "sensitivity_table": "tables", "pool_members_table": "tables", "calibration_table": "tables",
    "disagreement_table": "tables",
    "StyledTable": "style", "style_evidence": "style", "style_verdict_matrix": "style",
    "claim_coverage_table": "tables", "claims_table": "tables", "design_table": "tables",
    "evidence_map_table": "tables", "evidence_table": "tables",
    "search_status_table": "tables", "studies_without_pmid_table": "tables", "verdict_matrix": "tables",
    "Workspace": "workspace", "exclude": "workspace", "load_workspace": "workspace",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
