"""Project files: strict CSV reading that reports file, line and column, atomic writes, and a lock for a
read-modify-write of a project file."""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import DataError

__all__ = ["atomic_write", "file_lock", "project_file_label", "read_rows", "read_text_rows"]

LOCK_TIMEOUT = 30.0  # seconds to wait for another process's read-modify-write of the same file


def project_file_label(path: Path) -> str:
    """How error messages name a project file: ``data/studies.csv`` for files in data/, else the file name."""
    return f"data/{path.name}" if path.parent.name == "data" else path.name


def read_rows(path: Path, columns: Sequence[str], *, display: str | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each non-blank row; the header must hold exactly ``columns``.

    Values are stripped. ``line`` is the physical line where the row starts.
    """
    name = display or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("file not found.", file=str(path), fix="run from the project root, or pass the path.") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 ({exc.reason} at byte {exc.start}).", file=name, fix="save it as UTF-8.") from None
    yield from read_text_rows(text, columns, name=name)


def read_text_rows(text: str, columns: Sequence[str], *, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``read_rows`` over CSV text already in memory; ``name`` is how errors name its file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DataError(f"the header is not valid CSV ({exc}).", file=name, line=1) from None
    if not header:
        raise DataError("the file is empty.", file=name, line=1, fix=f"the header must be: {','.join(columns)}")
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}.", file=name, line=1, column=missing[0],
                        fix=f"the header must be: {','.join(columns)}")
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise DataError(f"unknown column {unknown[0]!r}.", file=name, line=1, column=unknown[0],
                        fix=f"the header must be: {','.join(columns)}")
    if len(set(header)) != len(header):
        duplicate = next(h for h in header if header.count(h) > 1)
        raise DataError(f"column {duplicate!r} appears twice.", file=name, line=1, column=duplicate)
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(f"malformed CSV ({exc}).", file=name, line=start,
                            fix="check the quoting of this row (a field with a comma or quote must be quoted).") from None
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            more = len(fields) - len(header)
            what = f"{more} more field(s) than" if more > 0 else f"{-more} field(s) fewer than"
            raise DataError(f"{what} the header has.", file=name, line=start,
                            fix="quote fields that contain commas; every row needs every column.")
        yield start, {h: f.strip() for h, f in zip(header, fields)}


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the project's files are readable by all
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


@contextlib.contextmanager
def file_lock(path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` while it is read, changed and written back, so two processes cannot lose
    each other's changes; wait ``timeout`` seconds (default ``LOCK_TIMEOUT``) for another holder. The lock is the
    file ``.<name>.lock`` beside it (an OS lock through filelock: it ends with the process, so a lock file left
    behind holds nothing)."""
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    lock = FileLock(path.parent / f".{path.name}.lock", timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise DataError(f"another process has held the lock {project_file_label(Path(lock.lock_file))} for "
                        f"{timeout:g} s.",
                        file=project_file_label(path), fix="wait for the other evidence command to finish, "
                                                            "then run this one again.") from None
    try:
        yield
    finally:
        lock.release()
