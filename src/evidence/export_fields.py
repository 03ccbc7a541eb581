"""The one place that neutralises text for the files we export: spreadsheet cells (CSV), BibTeX values and RIS
values. Every writer of such a file passes each untrusted value through the function of its format.

- ``csv_cell``: a cell that starts with ``= + - @``, a tab or a carriage return (or a NUL) is read as a formula by
  spreadsheets; it gets a leading ``'`` as OWASP's "CSV Injection" page and ASVS 1.2.10 advise. A plain number
  (``-0.52``) is left as it is: it cannot be a formula, and a quote would turn data into text.
- ``bibtex_value``: one line; a backslash and LaTeX's special characters are escaped, and braces are kept only in
  balanced pairs (an unmatched one becomes ``\\textbraceleft{}`` or ``\\textbraceright{}``), so no value can close
  its field, forge another or run a LaTeX command. Addresses and DOIs, which LaTeX prints verbatim, keep their
  characters; a brace or backslash in them is percent-encoded.
- ``ris_value``: one line (RIS reads a record line by line, so a line break in a value would start a new tag or
  end the record).

Written by hand: rispy and bibtexparser write what they are given, and no maintained library does this.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .rules import rule_rows

__all__ = ["bibtex_value", "csv_cell", "csv_value", "formula_starts", "one_line", "ris_value"]

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# LaTeX's special characters in text, each with the form that prints it
_LATEX = {"\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "_": r"\_",
          "^": r"\^{}", "~": r"\~{}"}


def one_line(value: object) -> str:
    """``value`` as text on one line: every run of white space (line and paragraph separators, tabs, form feeds
    included) becomes one space, and NUL and other control characters are dropped."""
    text = "".join(ch for ch in str(value) if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cs"))
    return " ".join(text.split())


@cache
def formula_starts() -> tuple[str, ...]:
    """The characters that make a spreadsheet read a cell as a formula (rules/csv_injection.csv, after OWASP)."""
    return tuple(chr(int(row["character"][2:], 16)) if row["character"].startswith("U+") else row["character"]
                 for row in rule_rows("csv_injection"))


def csv_cell(value: object) -> str:
    """``value`` as a spreadsheet cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(formula_starts()) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_value(cell: str) -> str:
    """The value a cell written by ``csv_cell`` stands for (its protective quote removed), for readers of files that
    were written so and not opened in a spreadsheet since (a spreadsheet saves the value without the quote)."""
    if cell.startswith("'") and cell[1:].startswith(formula_starts()) and not _PLAIN_NUMBER.match(cell[1:]):
        return cell[1:]
    return cell


def bibtex_value(value: object, *, verbatim: bool = False) -> str:
    """``value`` as the inside of a braced BibTeX field: one line, LaTeX specials escaped, braces balanced. A
    ``verbatim`` field (an address, a DOI: LaTeX prints them as they are) keeps its characters and has a brace or a
    backslash percent-encoded, as an address writes them."""
    if verbatim:
        return one_line(value).replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
    text = "".join(_LATEX.get(ch, ch) for ch in one_line(value))
    # keep a brace only with its partner (the escapes above are pairs of their own); escape the others
    opened: list[int] = []
    unmatched: set[int] = set()
    for i, ch in enumerate(text):
        if ch == "{":
            opened.append(i)
        elif ch == "}":
            if opened:
                opened.pop()
            else:
                unmatched.add(i)
    unmatched.update(opened)
    return "".join((r"\textbraceleft{}" if ch == "{" else r"\textbraceright{}") if i in unmatched else ch
                   for i, ch in enumerate(text))


def ris_value(value: object) -> str:
    """``value`` as one RIS field: one line."""
    return one_line(value)
