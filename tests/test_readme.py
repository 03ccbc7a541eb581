"""The README shows a claim's section as `evidence notebooks` writes it: its example cannot drift from the code."""

from __future__ import annotations

import re

from support import ROOT

from evidence.present.notebook import _claim_cells
from evidence.register.project import load_project


def readme_example() -> tuple[str, str]:
    """(claim id, code) of the README's example section, the python block after its ``claim-section`` marker."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- claim-section: (C\d+) -->\n```python\n(.*?)\n```", text, re.DOTALL)
    assert found, "README.md lost its example section (the <!-- claim-section: C.. --> marker and its block)"
    return found.group(1), found.group(2)


def test_the_readme_example_is_a_generated_section():
    claim_id, code = readme_example()
    cells = _claim_cells(load_project(ROOT).claim(claim_id))
    assert code == "\n\n".join(cell.source for cell in cells if cell.cell_type == "code")


def test_every_card_the_readme_names_exists():
    import evidence.present as present

    _, code = readme_example()
    called = set(re.findall(r"\b([a-z_]+)\(", code))
    assert called - {"claim", "search", "evidence", "assess", "for_claim", "candidates"} <= set(dir(present))
