"""The ASReview round trip with ASReview's own readers and writers, in a separate environment.

ASReview cannot share the project's environment (it pins pandas below 3 and rispy 0.9), so the tests check the
files against its documented format instead. This script closes the gap by hand: give it the Python of an
environment where ASReview is installed (e.g. `python3 -m venv /tmp/asr && /tmp/asr/bin/pip install asreview`).

    .venv/bin/python benchmarks/asreview_roundtrip.py /tmp/asr/bin/python

1. `export_asreview` writes three hand-made records (not real PubMed records), two of them labelled, as CSV and RIS;
2. ASReview's CSVReader and RISReader read them (asreview.data), and the labels must arrive as its `included`;
3. ASReview's CSVWriter and RISWriter write them back as its LAB export does (the input data plus asreview_label
   and asreview_time), after a "screening" that labels the third record;
4. `read_asreview` imports those exports, and the decisions must come back in ASReview's screening order.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from evidence.screening.interop import export_asreview, read_asreview
from evidence.sources.records import AbstractSection, MeshHeading, Record

ASREVIEW_SIDE = r'''
import json, sys
import pandas as pd
import asreview
from asreview.data import CSVReader, CSVWriter, RISReader, RISWriter

folder = sys.argv[1]
seen = {"version": asreview.__version__}
for suffix, reader, writer in ((".csv", CSVReader, CSVWriter), (".ris", RISReader, RISWriter)):
    records = reader.read_records(f"{folder}/ours{suffix}", dataset_id="evidence")
    seen[suffix] = [(r.title, r.included) for r in records]
    frame = reader.read_data(f"{folder}/ours{suffix}")
    if suffix == ".ris":
        frame = reader.clean_data(frame)  # RIS: the label notes become `included`, as LAB stores them
    labels = {0: 1, 1: 0, 2: 1}  # what the "screener" decided, in the order 2, 0, 1
    times = {2: "2026-12-04 10:00:00", 0: "2026-12-04 10:01:00", 1: "2026-12-04 10:02:00"}
    frame["asreview_label"] = [labels[i] for i in range(len(frame))]
    frame["asreview_time"] = [times[i] for i in range(len(frame))]
    frame = frame.drop(columns=[c for c in ("included",) if c in frame.columns])
    writer.write_data(frame, f"{folder}/asreview_export{suffix}")
print(json.dumps(seen))
'''


def hits() -> list[Record]:
    def record(pmid, title, label_mesh):
        return Record(pmid=pmid, title=title, journal="J Test", year=2024, authors=("Doe J",),
                      abstract=(AbstractSection("", "", f"An abstract about {title.lower()}."),),
                      mesh=(MeshHeading(label_mesh, "D000001", False),))

    return [record("90000301", "Ketamine infusion for PTSD", "Ketamine"),
            record("90000302", "Sedation in children", "Child"),
            record("90000303", "Esketamine and depression", "Depression")]


def main() -> None:
    python = sys.argv[1] if len(sys.argv) > 1 else ""
    if not python:
        raise SystemExit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for suffix in (".csv", ".ris"):
            export_asreview(folder / f"ours{suffix}", hits(), {"90000301": True, "90000302": False})
        # in the temporary folder: importing ASReview leaves a cache file in the working directory
        done = subprocess.run([python, "-c", ASREVIEW_SIDE, str(folder)], capture_output=True, text=True,
                              cwd=folder)
        if done.returncode:
            raise SystemExit(done.stderr)
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"ASReview {seen['version']}")
        for suffix in (".csv", ".ris"):
            labels = [included for _, included in seen[suffix]]
            assert labels == [1, 0, None], (suffix, seen[suffix])
            decisions = read_asreview(folder / f"asreview_export{suffix}", "C04", {"C04"}, today=dt.date(2026, 12, 4))
            got = [(d.pmid, d.decision) for d in decisions]
            assert got == [("90000303", "maybe"), ("90000301", "maybe"), ("90000302", "exclude")], (suffix, got)
            print(f"{suffix}: ASReview read our labels {labels}; we read its export back as {got}")


if __name__ == "__main__":
    main()
