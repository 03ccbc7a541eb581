"""What `evidence report` may skip: a content key per step over everything the step reads.

A notebook is executed again only when its key changed: the notebook's own cells (sources, not outputs), every file
of the project it can read (evidence.toml, rules/, claims.csv, data/ with the cache, notebooks/groups.csv), the
package's own code and rule tables, and the versions of the libraries that shape its outputs. The book is built
again when its key changed (the notebooks as they now are, plus the same inputs), and the brief is printed again
when its page changed. Each record also keeps a digest of what the step wrote, so an output edited or deleted by
hand is made again.

Why not myst-nb's cache (jupyter-cache): it keys a notebook on its code cells only, so a changed data file would
replay stale outputs; our notebooks read the whole project, which the key must cover. The records live in
``build/report-state.json`` (not committed): a fresh clone executes everything once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from ..errors import DataError
from ..files import atomic_write

__all__ = ["ASSESSMENT_CACHE", "STATE_FILE", "FreshnessLog", "book_digest", "cached_assessments", "decode", "encode",
           "file_digest", "notebook_digest", "project_digest", "tree_digest"]

STATE_FILE = Path("build") / "report-state.json"
# Assessments computed once are kept here, named by the same content key, so `evidence check` and the notebooks read
# them back instead of loading statsmodels and pooling again.
ASSESSMENT_CACHE = Path("build") / "assessments"
PACKAGE = Path(__file__).resolve().parents[1]
# The libraries whose versions change what a notebook or the book shows.
LIBRARIES = ("pandas", "numpy", "matplotlib", "statsmodels", "scipy", "nbformat", "nbclient", "ipykernel", "sphinx",
             "myst-nb", "sphinx-book-theme", "pydata-sphinx-theme")


def _digest(parts: Iterable[bytes]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))  # length-prefixed, so no two sequences hash alike
        hasher.update(part)
    return hasher.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def tree_digest(folder: Path) -> str:
    """Every file below ``folder``, by relative path and content ("" when the folder is missing)."""
    if not folder.is_dir():
        return ""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return _digest(part for p in files for part in (p.relative_to(folder).as_posix().encode(), p.read_bytes()))


def _versions() -> bytes:
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=absent")
    return (" ".join(found) + f" python={sys.version_info[:3]}").encode()


def project_digest(root: Path) -> str:
    """Everything a notebook of the project can read, the package's code and rule tables, and library versions."""
    inputs = [root / "claims.csv", root / "evidence.toml", root / "notebooks" / "groups.csv"]
    # hidden files in data/ are no data: the locks writers hold (data/.screening.csv.lock) and atomic writes'
    # temporaries
    inputs += sorted((root / "rules").glob("*.csv")) + sorted(p for p in (root / "data").rglob("*") if p.is_file()
                                                              and not p.name.startswith("."))
    package = sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".csv", ".css", ".html"))
    parts = [part for p in inputs if p.is_file() for part in (p.relative_to(root).as_posix().encode(), p.read_bytes())]
    parts += [part for p in package for part in (p.relative_to(PACKAGE).as_posix().encode(), p.read_bytes())]
    parts.append(_versions())
    return _digest(parts)


def notebook_digest(path: Path, inputs: str) -> str:
    """The key of executing ``path``: its cells' kinds and sources (not their outputs) and the project's inputs."""
    import nbformat  # here: `evidence check` reads cached assessments through this module and needs no notebook

    notebook = nbformat.read(path, as_version=4)
    return _digest([inputs.encode(), *(f"{c.cell_type}\0{c.source}".encode() for c in notebook.cells)])


def book_digest(inputs: str, notebooks: Iterable[Path]) -> str:
    """The key of building the book: the notebooks as they now are (outputs included) and the project's inputs."""
    return _digest([inputs.encode(), *(part for p in notebooks for part in (p.name.encode(), file_digest(p).encode()))])


class FreshnessLog:
    """step name -> (input key, digest of the output the step left); read and written whole (atomically)."""

    def __init__(self, path: Path):
        self.path = path
        self.records: dict[str, dict[str, str]] = {}
        if path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                loaded = None  # a damaged record only costs a full run
            if isinstance(loaded, dict):
                self.records = {k: v for k, v in loaded.items() if isinstance(v, dict)}

    def fresh(self, step: str, key: str, output: str) -> bool:
        """Whether ``step`` last ran with ``key`` and its output is still what it left."""
        record = self.records.get(step)
        return bool(output) and record == {"key": key, "output": output}

    def record(self, step: str, key: str, output: str) -> None:
        self.records[step] = {"key": key, "output": output}
        try:
            atomic_write(self.path, (json.dumps(self.records, indent=1, sort_keys=True) + "\n").encode("utf-8"))
        except OSError as exc:
            raise DataError(f"cannot record what the report did ({exc.strerror}).", file=str(STATE_FILE),
                            fix="make build/ writable; the next report will redo this step.") from None


# -- a JSON codec for the package's own frozen dataclasses ----------------------------------------------------------
# Why not pickle: a file under build/ is data, and unpickling data can run code. This codec rebuilds only dataclasses
# defined in evidence's own modules, from plain JSON values; anything else in the file is refused.
def encode(value) -> object:
    """``value`` (dataclasses of evidence, tuples, lists, dicts, dates and JSON scalars) as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        return {"$dataclass": f"{kind.__module__}:{kind.__qualname__}",
                "fields": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, frozenset):
        return {"$frozenset": sorted(encode(v) for v in value)}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(value) -> object:
    """The inverse of ``encode``; a ValueError for anything it did not write."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$tuple" in value:
        return tuple(decode(v) for v in value["$tuple"])
    if "$dict" in value:
        return {decode(k): decode(v) for k, v in value["$dict"]}
    if "$frozenset" in value:
        return frozenset(decode(v) for v in value["$frozenset"])
    if "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if "$dataclass" in value:
        module, _, name = str(value["$dataclass"]).partition(":")
        if not module.startswith("evidence.") or "." in name:
            raise ValueError(f"refusing to build {value['$dataclass']!r}: not one of evidence's dataclasses")
        kind = getattr(importlib.import_module(module), name, None)
        if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
            raise ValueError(f"refusing to build {value['$dataclass']!r}: not a dataclass")
        return kind(**{k: decode(v) for k, v in value["fields"].items()})
    raise ValueError("an object the codec did not write")


KEEP_CACHED = 8  # assessment files kept (the newest), so build/ does not grow without end


def cached_assessments(root: Path, records: object, compute):
    """``compute()``'s result for this project, these records and this code: read back from build/assessments/
    when it was computed before (the key covers every input), else computed and stored. A damaged or foreign file is
    computed again; a folder that cannot be written only costs the computation."""
    key = _digest([project_digest(root).encode(), json.dumps(encode(records), sort_keys=True).encode()])
    folder = root / ASSESSMENT_CACHE
    path = folder / f"{key}.json"
    if path.is_file():
        try:
            return decode(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            pass  # written by another version, or damaged: compute again
    value = compute()
    try:
        atomic_write(path, json.dumps(encode(value), sort_keys=True).encode("utf-8"))
        for old in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-KEEP_CACHED]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only project still gets its answer
    return value
