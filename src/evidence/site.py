"""Render the executed notebooks as a static HTML site: an index with the verdict matrix, and
one page per notebook (``python -m evidence.site [OUT]``, default ``site/``).

Nothing volatile goes in: no build date, no absolute path, and the notebook HTML is what
nbconvert renders from the committed outputs, so the same notebooks give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from .cache import atomic_write
from .notebooks import notebook_paths
from .register import load_register
from .settings import project_root
from .tables import style_verdict_matrix, verdict_matrix
from .verdict import assess_register

__all__ = ["build_site", "notebook_title"]

_NOTEBOOK_LINK = re.compile(r'href="([0-9]{2}-[A-Za-z0-9_-]+)\.ipynb(#[^"]*)?"')
_HEAD_STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)
INDEX_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; font-size: 0.9rem; } th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; }
th { background: #f3f3f3; } a { color: #1a5fb4; } li { margin: 0.2rem 0; }
"""


def notebook_title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "notebook"


def _render(path: Path) -> tuple[str, str, tuple[str, str]]:
    """(title, page, stylesheet): the template's head styles move to a shared stylesheet file."""
    notebook = nbformat.read(path, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    page, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": path.stem}})
    page = _NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', page)
    head, separator, body = page.partition("</head>")
    css = "".join(_HEAD_STYLE.findall(head))
    name = f"notebook-{hashlib.sha256(css.encode('utf-8')).hexdigest()[:12]}.css"
    head = _HEAD_STYLE.sub("", head) + f'<link rel="stylesheet" href="{name}">\n'
    stylesheet = re.sub(r"</?style[^>]*>", "", css)
    return notebook_title(notebook), head + separator + body, (name, stylesheet)


def _index(pages: list[tuple[str, str]], matrix_html: str) -> str:
    items = "\n".join(f'<li><a href="{name}.html">{html.escape(title)}</a></li>' for name, title in pages)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>evidence: ketamine infusion therapy for PTSD</title>
<style>{INDEX_STYLE}</style></head>
<body>
<h1>Checking a clinic's article on ketamine infusion therapy for PTSD</h1>
<p>Each claim of the article was turned into a testable statement and judged against a register of real,
verified studies (supporting and contrasting), with GRADE-style certainty. The pages below are the executed
notebooks, exactly as committed; every study links to its PubMed or DOI record.</p>
<h2>Notebooks</h2>
<ul>
{items}
</ul>
<h2 id="verdict-matrix">Verdict matrix</h2>
{matrix_html}
</body>
</html>
"""


def build_site(out_dir: Path, root: Path | None = None, *, notebooks: list[Path] | None = None,
               progress=print) -> list[Path]:
    """Write ``index.html`` and one page per notebook (default: the project's) into ``out_dir``."""
    root = root or project_root()
    out_dir.mkdir(parents=True, exist_ok=True)
    written, pages = [], []
    for path in notebooks if notebooks is not None else notebook_paths(root):
        progress(f"rendering {path.name}")
        title, body, (css_name, stylesheet) = _render(path)
        target = out_dir / f"{path.stem}.html"
        atomic_write(target, body.encode("utf-8"))
        written.append(target)
        css = out_dir / css_name
        if css not in written:
            atomic_write(css, stylesheet.encode("utf-8"))
            written.append(css)
        pages.append((path.stem, title))
    register = load_register(root)
    matrix = verdict_matrix(assess_register(register, root))
    index = out_dir / "index.html"
    atomic_write(index, _index(pages, style_verdict_matrix(matrix)._repr_html_()).encode("utf-8"))
    stale = {p for pattern in ("*.html", "*.css") for p in out_dir.glob(pattern)} - set(written) - {index}
    for path in stale:
        path.unlink()
    return [index, *written]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=None, help="output folder (default: site/)")
    args = parser.parse_args(argv)
    out = args.out or project_root() / "site"
    pages = [f for f in build_site(out) if f.suffix == ".html"]
    print(f"wrote {len(pages)} page(s) to {out.name}/ (open {out.name}/index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
