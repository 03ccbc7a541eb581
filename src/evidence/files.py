"""Project files: strict CSV reading that reports file, line and column, atomic writes, and the lock that a
read-modify-write of a project file holds."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import DataError, LockError

__all__ = ["CONTROL_CHARACTER", "LOCK_TIMEOUT_SECONDS", "atomic_write", "control_character", "lock_path", "locked",
           "project_file_label", "read_rows", "read_text_rows"]

# C0 control characters and DEL, less tab, line feed and carriage return: no text holds them; a NUL or an escape in a
# cell comes from a binary file or a bad copy, and would reach the book's pages and every export.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# How long a writer waits for another run to finish with a file. A read-modify-write of the screening log and the
# register takes well under a second; the margin covers a machine that is busy with other work.
LOCK_TIMEOUT_SECONDS = 120.0


def project_file_label(path: Path) -> str:
    """How error messages name a project file: ``data/studies.csv`` for files in data/, else the file name."""
    return f"data/{path.name}" if path.parent.name == "data" else path.name


def control_character(text: str) -> str | None:
    """How a control character in ``text`` is named in an error (``U+0000``), or None when there is none."""
    found = CONTROL_CHARACTER.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def read_rows(path: Path, columns: Sequence[str], *, display: str | None = None,
              optional: Sequence[str] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each non-blank row; the header must hold exactly ``columns``, less any of
    ``optional`` (columns added later, which a file written before may lack: read as empty).

    Values are stripped. ``line`` is the physical line where the row starts.
    """
    name = display or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("file not found.", file=str(path), fix="run from the project root, or pass the path.") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 ({exc.reason} at byte {exc.start}).", file=name, fix="save it as UTF-8.") from None
    yield from read_text_rows(text, columns, name=name, optional=optional)


def read_text_rows(text: str, columns: Sequence[str], *, name: str,
                   optional: Sequence[str] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """``read_rows`` over CSV text already in memory; ``name`` is how errors name its file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    # newline="": rows end at \n, \r\n or \r only (str.splitlines would also break a row at U+2028, a form feed or
    # U+001C-U+001E, which a cell may hold), as the csv module expects
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DataError(f"the header is not valid CSV ({exc}).", file=name, line=1) from None
    if not header:
        raise DataError("the file is empty.", file=name, line=1, fix=f"the header must be: {','.join(columns)}")
    if (character := control_character("".join(header))) is not None:  # before stripping: U+000B is whitespace too
        raise DataError(f"a control character ({character}) is in the header.", file=name, line=1,
                        fix=f"the header must be: {','.join(columns)}")
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header and c not in optional]
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
    absent = {c: "" for c in optional if c not in header}
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(f"malformed CSV ({exc}).", file=name, line=start,
                            fix="check the quoting of this row "
                                "(a field with a comma or quote must be quoted).") from None
        for column, field in zip([*header, *[""] * (len(fields) - len(header))], fields):
            if (character := control_character(field)) is not None:  # checked first: a lone U+000C looks blank
                raise DataError(f"a control character ({character}) is in the text.", file=name, line=start,
                                column=column or None, fix="remove it: text holds none (it comes from a binary file "
                                                           "or a bad copy).")
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            more = len(fields) - len(header)
            what = f"{more} more field(s) than" if more > 0 else f"{-more} field(s) fewer than"
            raise DataError(f"{what} the header has.", file=name, line=start,
                            fix="quote fields that contain commas; every row needs every column.")
        yield start, {**absent, **{h: f.strip() for h, f in zip(header, fields)}}


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


def lock_path(path: Path) -> Path:
    """The lock file that guards ``path``: beside it, hidden (``data/.screening.csv.lock``); .gitignore ignores it."""
    return path.with_name(f".{path.name}.lock")


@contextmanager
def locked(path: Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold ``path``'s lock (an OS advisory lock through ``filelock``) around a read, a change and an atomic write,
    so that runs writing the same file at once each keep their change. ``LockError`` names the file when another
    run holds the lock for more than ``timeout`` seconds (default ``LOCK_TIMEOUT_SECONDS``).

    Locks on one file are not re-entrant across calls; a writer that locks several files takes them in sorted
    order, so two writers never wait on each other.
    """
    timeout = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    lock = FileLock(lock_path(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        shown = project_file_label(path)
        raise LockError(f"{shown} is being written by another run: its lock "
                        f"({project_file_label(lock_path(path))}) was not free after "
                        f"{timeout:g} s. Fix: wait for the other run to finish and run again; if no other run is "
                        "going, the lock is held by a process that hangs: end it.", path=str(path)) from None
    try:
        yield path
    finally:
        lock.release()
