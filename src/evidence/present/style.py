"""HTML styling of the tables of ``tables.py`` (colours from ``vocab``); nothing is computed here.

Every cell is written through ``escape.html_text`` (pandas' Styler does not escape by default), and the only HTML a
cell may hold is a link built by ``escape.html_link`` from an identifier's address.
"""

from __future__ import annotations

import pandas as pd

from ..vocab import STANCE_FILLS, STANCES, VERDICT_FILLS
from .escape import html_link, html_text
from .tables import EVIDENCE_COLUMNS

__all__ = ["StyledTable", "style_evidence", "style_verdict_matrix"]

_CELLS = [{"selector": "td", "props": "text-align: left; vertical-align: top;"}]
# Columns of running text keep a readable width; a table wider than the page scrolls in its own box (the book's
# stylesheet) rather than squeezing them to a word a line.
MIN_WIDTHS = {"claim": "16em", "authorities": "14em", "outcome": "8em", "follow_up": "8em", "effect": "13em",
              "rationale": "15em"}


class StyledTable:
    """A pandas Styler shown as HTML, with a stable plain-text form (a Styler's repr carries a memory address)."""

    def __init__(self, styler, text: str):
        self.styler = styler
        self.text = text

    def _repr_html_(self) -> str:
        return self.styler.to_html()

    def __repr__(self) -> str:
        return self.text


def _text(value) -> str:
    """A cell as HTML text: escaped, empty for a missing value, whole numbers without a decimal point."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return html_text(value)


def _styler(shown: pd.DataFrame, uuid: str, *, html_columns: tuple[str, ...] = ()):
    """``shown`` as a Styler with a stable id, no index, every cell escaped except ``html_columns`` (built by
    ``html_link``)."""
    styler = shown.style.set_uuid(uuid).hide(axis="index").format(_text)
    if html_columns:
        styler = styler.format(lambda html: html, subset=list(html_columns))
    widths = [{"selector": f"td.col{i}", "props": f"min-width: {MIN_WIDTHS[name]};"}
              for i, name in enumerate(shown.columns) if name in MIN_WIDTHS]
    return styler.set_table_styles(_CELLS + widths)


def style_evidence(frame: pd.DataFrame, *, uuid: str) -> StyledTable:
    """The evidence table as HTML: rows coloured by stance, identifiers linked, a stable id for nbval."""
    shown = frame.copy()
    shown["link"] = [html_link(label, url) for label, url in zip(frame["link"], frame["url"])]
    shown.loc[frame["retracted"], "study"] = shown.loc[frame["retracted"], "study"] + " (RETRACTED)"
    flagged = frame["notices"] != ""
    shown.loc[flagged, "study"] = shown.loc[flagged, "study"] + " [" + frame.loc[flagged, "notices"] + "]"
    styler = _styler(shown[EVIDENCE_COLUMNS], uuid, html_columns=("link",))
    styler = styler.apply(lambda r: [f"background-color: {STANCE_FILLS[r['stance']]}"] * len(r), axis=1)
    counts = frame["stance"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in STANCES)
    return StyledTable(styler, f"Evidence table ({len(frame)} studies: {summary})")


def style_verdict_matrix(frame: pd.DataFrame, *, uuid: str = "verdict-matrix", links: dict[str, str] | None = None
                         ) -> StyledTable:
    """The verdict matrix (full or compact) coloured by verdict; ``links`` (claim id -> the claim's section) makes
    each claim id a link."""
    shown = frame.copy()
    linked = ()
    if links:
        shown["claim_id"] = [html_link(c, links[c]) if c in links else html_text(c) for c in frame["claim_id"]]
        linked = ("claim_id",)

    def colour(value: str) -> str:
        return f"background-color: {VERDICT_FILLS.get(value.split(' ')[0], '#ffffff')}"

    styler = _styler(shown, uuid, html_columns=linked).map(colour, subset=["verdict"])
    return StyledTable(styler, frame.to_string(index=False))
