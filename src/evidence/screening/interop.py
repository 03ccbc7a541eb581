"""ASReview LAB interoperability: a claim's hits out as a dataset ASReview imports, its labels back in.

Export (CSV or RIS, by the file's suffix) holds every hit of the claim's search: title, abstract, MeSH headings as
keywords, authors, year, journal, DOI, the PubMed address, and the PMID (CSV column ``pmid``, RIS tag ``AN``),
which ASReview keeps through its own export. Records already decided carry their label, which ASReview takes as
prior knowledge: CSV column ``included`` (1 relevant, 0 irrelevant, blank unseen); RIS note ``ASReview_relevant``
or ``ASReview_irrelevant``. These are the names ASReview's readers look for (``asreview.data.base.BaseReader``'s
alternative column names and ``asreview.data.ris``'s label notes, ASReview 3.0).

Import reads ASReview's export of such a project: CSV (label column ``asreview_label``, or any other name
ASReview reads, such as ``included``; screening time ``asreview_time``) or RIS (the label notes, ``asreview_time``
as a note). A record marked relevant becomes ``maybe`` in data/screening.csv (it passed title and abstract
screening; its full text decides inclusion, stance and rationale); an irrelevant one becomes ``exclude`` with
reason ``title_abstract``. Decisions are recorded in ASReview's screening order. Every row is checked before
anything is written; a bad one is named with its file, line and field.

ASReview itself is not a dependency: it pins pandas below 3 and rispy 0.9, older than this project's, so it
cannot share the environment. The tests check the files against the formats above, and
``benchmarks/asreview_roundtrip.py`` runs ASReview's own readers and writers from a separate environment.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import DataError, InputError
from ..export_fields import csv_cell, one_line, ris_value
from ..files import atomic_write
from ..sources.pubmed import normalize_pmid
from ..sources.records import Record
from ..vocab import pubmed_url
from .gather import Decision, _check_decision

__all__ = ["ASREVIEW_CSV_COLUMNS", "LABEL_COLUMNS", "export_asreview", "new_labels", "read_asreview"]

ASREVIEW_CSV_COLUMNS = ("pmid", "title", "abstract", "keywords", "authors", "year", "journal", "doi", "url",
                        "included")
# The label columns ASReview's readers accept, in its order of preference (asreview.data.base.BaseReader).
LABEL_COLUMNS = ("asreview_label", "included", "label", "final_included", "label_included", "included_label",
                 "included_final", "included_flag", "include")
LABEL_VALUES = {"1": True, "1.0": True, "yes": True, "y": True, "0": False, "0.0": False, "no": False, "n": False,
                "": None}
RIS_LABELS = {"ASReview_relevant": True, "ASReview_irrelevant": False, "ASReview_not_seen": None}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # how ASReview writes asreview_time


def _field(text: object) -> str:
    """Untrusted text made safe for a CSV cell (one line, no formula: ``export_fields.csv_cell``)."""
    return csv_cell(one_line(text))


def export_asreview(path: Path, records: Sequence[Record], labels: Mapping[str, bool]) -> int:
    """Write ``records`` (a claim's hits) for ASReview LAB, as CSV or RIS by ``path``'s suffix; ``labels`` (PMID ->
    relevant) are the decisions so far. Returns how many records were written."""
    suffix = path.suffix.lower()
    ordered = sorted(records, key=lambda r: int(r.pmid))
    if suffix == ".csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(ASREVIEW_CSV_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for record in ordered:
            label = labels.get(record.pmid)
            writer.writerow({
                "pmid": record.pmid, "title": _field(record.title), "abstract": _field(record.abstract_text),
                "keywords": _field("; ".join(h.descriptor for h in record.mesh)),
                "authors": _field("; ".join(record.authors)), "year": record.year or "",
                "journal": _field(record.journal), "doi": _field(record.doi), "url": pubmed_url(record.pmid),
                "included": "" if label is None else int(label)})
        text = out.getvalue()
    elif suffix == ".ris":
        import rispy

        entries = []
        for record in ordered:
            entry = {"type_of_reference": "JOUR", "title": ris_value(record.title),
                     "abstract": ris_value(record.abstract_text), "accession_number": record.pmid,
                     "urls": [pubmed_url(record.pmid)], "name_of_database": "PubMed"}
            optional = {"authors": [ris_value(a) for a in record.authors],
                        "keywords": [ris_value(h.descriptor) for h in record.mesh],
                        "year": str(record.year or ""), "journal_name": ris_value(record.journal),
                        "doi": ris_value(record.doi)}
            entry.update({k: v for k, v in optional.items() if v})
            label = labels.get(record.pmid)
            if label is not None:
                entry["notes"] = ["ASReview_relevant" if label else "ASReview_irrelevant"]
            entries.append(entry)
        text = rispy.dumps(entries)
    else:
        raise InputError(f"{path.name}: ASReview files are .csv or .ris, not {suffix or 'a file without suffix'}.")
    atomic_write(path, text.encode("utf-8"))
    return len(ordered)


def read_asreview(path: Path, claim_id: str, claim_ids: set[str], *, today: dt.date) -> list[Decision]:
    """The labelled records of an ASReview export as decisions for ``claim_id``, in ASReview's screening order.

    Unlabelled records are skipped. Raises DataError naming the file, line and field of the first bad row, before
    anything is returned.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file. Fix: give the path of the file ASReview LAB exported.")
    suffix = path.suffix.lower()
    rows = _csv_rows(path) if suffix in {".csv", ".tsv", ".tab"} else _ris_rows(path) if suffix in {".ris", ".txt"} \
        else None
    if rows is None:
        raise InputError(f"{path.name}: ASReview exports are .csv or .ris, not {suffix or 'a file without suffix'}.")
    found = []
    for line, pmid, label, when in rows:
        def fail(column, message, fix="", line=line):
            return DataError(message, file=path.name, line=line, column=column, fix=fix)

        if label is None:
            continue
        decision = "maybe" if label else "exclude"
        reason = "" if label else "title_abstract"
        _check_decision({"claim_id": claim_id, "pmid": pmid, "decision": decision, "reason": reason}, fail,
                        claim_ids)
        found.append((when, len(found), Decision(claim_id, normalize_pmid(pmid), decision, reason,
                                                 today.isoformat(), line)))
    # screening order: ASReview's time stamps where there are, the file's order among equal or missing ones
    found.sort(key=lambda f: (f[0] is None, f[0] or dt.datetime.min, f[1]))
    return [d for _, _, d in found]


def new_labels(decisions: Sequence[Decision], earlier: Mapping[str, str]) -> tuple[list[Decision], int]:
    """The imported ``decisions`` that say something new, and how many agreed with what was already decided
    (``earlier``: PMID -> include, maybe or exclude, from the log and the register).

    An export carries the project's own decisions back as ASReview's prior labels, and a label is only relevant or
    not: read as new, an inclusion would come back as 'maybe' and an exclusion would lose its PRISMA reason. A label
    on the same side as the earlier decision changes nothing; one on the other side is a changed mind, recorded."""
    from .gather import RELEVANT_DECISIONS

    kept = [d for d in decisions if d.pmid not in earlier
            or (earlier[d.pmid] in RELEVANT_DECISIONS) != (d.decision in RELEVANT_DECISIONS)]
    return kept, len(decisions) - len(kept)


def _when(value: str, fail) -> dt.datetime | None:
    value = value.strip().strip('"')
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise fail(f"{value!r} is not a time as ASReview writes it ({TIME_FORMAT}).") from None


def _label(value: str, fail) -> bool | None:
    key = value.strip().lower()
    if key not in LABEL_VALUES:
        raise fail(f"label {value!r} is not 1, 0 or empty.")
    return LABEL_VALUES[key]


def _csv_rows(path: Path):
    text = path.read_text(encoding="utf-8-sig")
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise DataError("the file is empty or its header is not CSV.", file=path.name, line=1) from None
    if "pmid" not in header:
        raise DataError("no pmid column: the file was not made from `evidence screen --asreview-export`.",
                        file=path.name, line=1, column="pmid",
                        fix="export the claim with --asreview-export, screen it in ASReview LAB, export that.")
    label_column = next((c for c in LABEL_COLUMNS if c in header), None)
    if label_column is None:
        raise DataError(f"no label column (ASReview writes asreview_label; also read: {', '.join(LABEL_COLUMNS[1:])}).",
                        file=path.name, line=1, column="asreview_label")
    where = {c: header.index(c) for c in ("pmid", label_column, "asreview_time") if c in header}
    rows = []
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(f"malformed CSV ({exc}).", file=path.name, line=line) from None
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise DataError(f"{len(fields)} fields where the header has {len(header)}.", file=path.name, line=line)

        def fail(column, line=line):
            return lambda message: DataError(message, file=path.name, line=line, column=column)

        label = _label(fields[where[label_column]], fail(label_column))
        when = _when(fields[where["asreview_time"]], fail("asreview_time")) if "asreview_time" in where else None
        rows.append((line, fields[where["pmid"]].strip().lstrip("'"), label, when))
    return rows


def _ris_rows(path: Path):
    import rispy

    text = path.read_text(encoding="utf-8-sig")
    starts = [i for i, line in enumerate(text.splitlines(), start=1) if line.startswith("TY  -")]
    try:
        entries = rispy.loads(text, skip_unknown_tags=True)
    except Exception as exc:  # rispy raises plain IOError/ValueError/KeyError on a malformed file
        raise DataError(f"not a RIS file rispy can read ({exc}).", file=path.name) from None
    rows = []
    for index, entry in enumerate(entries):
        line = starts[index] if index < len(starts) else None

        def fail(column, line=line):
            return lambda message: DataError(message, file=path.name, line=line, column=column)

        notes = entry.get("notes") or []
        labels = [RIS_LABELS[n.strip()] for n in notes if n.strip() in RIS_LABELS]
        if len(set(labels)) > 1:
            raise fail("N1")("the record has more than one ASReview label note.")
        times = [n.split(":", 1)[1] for n in notes if n.startswith("asreview_time:")]
        when = _when(times[0], fail("N1")) if times else None
        pmid = str(entry.get("accession_number") or "").strip()
        if not pmid:
            raise fail("AN")("no PMID (tag AN): the file was not made from `evidence screen --asreview-export`.")
        rows.append((line, pmid, labels[0] if labels else None, when))
    return rows
