"""HTML styling of the tables of ``tables.py`` (colours from ``vocab``); nothing is computed here."""

from __future__ import annotations

import html

import pandas as pd

from ..vocab import STANCE_FILLS, STANCES, VERDICT_FILLS
from .tables import EVIDENCE_COLUMNS

__all__ = ["StyledTable", "style_evidence", "style_verdict_matrix"]

_CELLS = [{"selector": "td", "props": "text-align: left; vertical-align: top;"}]


class StyledTable:
    """A pandas Styler shown as HTML, with a stable plain-text form (a Styler's repr carries a memory address)."""

    def __init__(self, styler, text: str):
        self.styler = styler
        self.text = text

    def _repr_html_(self) -> str:
        return self.styler.to_html()

    def __repr__(self) -> str:
        return self.text


def style_evidence(frame: pd.DataFrame, *, uuid: str) -> StyledTable:
    """The evidence table as HTML: rows coloured by stance, identifiers linked, a stable id for nbval."""
    shown = frame.copy()
    shown["link"] = [f'<a href="{html.escape(url)}">{html.escape(label)}</a>' for label, url in zip(frame["link"], frame["url"])]
    shown.loc[frame["retracted"], "study"] = shown.loc[frame["retracted"], "study"] + " (RETRACTED)"
    flagged = frame["notices"] != ""
    shown.loc[flagged, "study"] = shown.loc[flagged, "study"] + " [" + frame.loc[flagged, "notices"] + "]"
    shown = shown[EVIDENCE_COLUMNS]
    styler = shown.style.set_uuid(uuid).hide(axis="index")
    styler = styler.apply(lambda r: [f"background-color: {STANCE_FILLS[r['stance']]}"] * len(r), axis=1)
    styler = styler.format(na_rep="", escape=None).format(subset=["n"], na_rep="", precision=0)
    styler = styler.set_table_styles(_CELLS)
    counts = frame["stance"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in STANCES)
    return StyledTable(styler, f"Evidence table ({len(frame)} studies: {summary})")


def style_verdict_matrix(frame: pd.DataFrame, *, uuid: str = "verdict-matrix", links: dict[str, str] | None = None
                         ) -> StyledTable:
    """The verdict matrix coloured by verdict; ``links`` (claim id -> URL) makes each claim id a link."""
    shown = frame.copy()
    if links:
        shown["claim_id"] = [f'<a href="{html.escape(links[c])}">{c}</a>' if c in links else c for c in frame["claim_id"]]

    def colour(value: str) -> str:
        return f"background-color: {VERDICT_FILLS.get(value.split(' ')[0], '#ffffff')}"

    wide_claim = [{"selector": f"td.col{list(frame.columns).index('claim')}", "props": "min-width: 18em;"}]
    styler = shown.style.set_uuid(uuid).hide(axis="index").map(colour, subset=["verdict"])
    styler = styler.set_table_styles(_CELLS + wide_claim)
    if links:
        styler = styler.format(escape=None, subset=["claim_id"])
    return StyledTable(styler, frame.to_string(index=False))
