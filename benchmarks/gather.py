"""Benchmarks for gathering and growth (no network; synthetic data in a temporary folder, never in data/):

1. the project's PubMed XML parser against ``Bio.Entrez.read`` on one large efetch answer (target: 3× faster);
2. screening 10,000 hit records for one claim: parse, classify, score and rank; wall time and peak memory
   (target: under 20 s and 500 MB on 2 cores);
3. how `evidence check` and the offline report grow with a register 1×, 10× and 100× today's size.

    .venv/bin/python benchmarks/gather.py [--skip-report]   # prints the sections of benchmarks/results.md

The records are the hand-written fixtures of tests/fixtures/pubmed/ given new PMIDs; none is a real record.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from eutils_double import FIXTURES, PUBMED_DOCTYPE, strip_comment, xml_document  # noqa: E402

from evidence.register.claims import load_claims  # noqa: E402
from evidence.rules.article import load_article_rules  # noqa: E402
from evidence.screening import rank_candidates  # noqa: E402
from evidence.sources.records import _cyclic_gc_paused, parse_pubmed_xml  # noqa: E402


def large_efetch(count: int) -> bytes:
    """An efetch answer of ``count`` records cycling through the fixtures, each with its own PMID."""
    templates = [strip_comment((FIXTURES / f"{p}.xml").read_text(encoding="utf-8")) for p in
                 ("99000001", "99000002", "99000004", "99000005")]
    parts = []
    for i in range(count):
        template = templates[i % len(templates)]
        original = template.split("<PMID Version=\"1\">", 1)[1].split("<", 1)[0]
        parts.append(template.replace(original, str(70_000_000 + i)))
    return xml_document(PUBMED_DOCTYPE, "<PubmedArticleSet>" + "\n".join(parts) + "</PubmedArticleSet>")


def parser_section() -> list[str]:
    from Bio import Entrez

    body = large_efetch(5000)

    def entrez_read_collector_paused():
        # the same pause parse_pubmed_xml makes, to show how much of the gap is the garbage collector
        with _cyclic_gc_paused():
            return Entrez.read(io.BytesIO(body))["PubmedArticle"]

    timings = {}
    for name, parse in (("evidence.sources.records.parse_pubmed_xml", lambda: parse_pubmed_xml(body)),
                        ("Bio.Entrez.read", lambda: Entrez.read(io.BytesIO(body))["PubmedArticle"]),
                        ("Bio.Entrez.read, cyclic GC paused", entrez_read_collector_paused)):
        best = min(_timed(parse) for _ in range(3))
        timings[name] = best
    ours, theirs = timings["evidence.sources.records.parse_pubmed_xml"], timings["Bio.Entrez.read"]
    paused = timings["Bio.Entrez.read, cyclic GC paused"]
    lines = ["# Parser throughput", "",
             f"One efetch answer of 5,000 records ({len(body) / 1e6:.1f} MB), best of 3 runs.", "",
             "| parser | seconds | records per second |", "| --- | ---: | ---: |"]
    for name, seconds in timings.items():
        lines.append(f"| {name} | {seconds:.2f} | {5000 / seconds:,.0f} |")
    lines += ["", f"Ours is {theirs / ours:.1f}× the throughput of `Bio.Entrez.read` as it is called (target 3×), "
              f"and {paused / ours:.1f}× with the collector paused for both."]
    return lines


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def screening_section() -> list[str]:
    claim = load_claims(ROOT / "claims.csv", load_article_rules(ROOT / "rules"))[3]
    body = large_efetch(10_000)
    # the ranking libraries (bm25s, scikit-learn's stop words, the stemmer) load once per process, outside the timing
    rank_candidates(claim, parse_pubmed_xml(_batch(body, 0))[:10])
    tracemalloc.start()
    start = time.perf_counter()
    records = []
    for chunk in range(0, 10_000, 200):  # as fetched: batches of 200
        records.extend(parse_pubmed_xml(_batch(body, chunk)))
    ranked, _ = rank_candidates(claim, records)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return ["# Screening 10,000 hit records", "",
            f"Parse (in batches of 200), classify by design, score and rank 10,000 records for C04: "
            f"{len(ranked):,} candidates.", "",
            "| wall seconds | peak Python memory (tracemalloc) | peak resident memory of the process |",
            "| ---: | ---: | ---: |",
            f"| {seconds:.1f} | {peak / 1e6:.0f} MB | {rss:.0f} MB |", "",
            "Targets: under 20 s and 500 MB on 2 cores. The ranking libraries are loaded before the timing."]


def _batch(body: bytes, start: int) -> bytes:
    text = body.decode("utf-8")
    head, rest = text.split("<PubmedArticleSet>", 1)
    articles = rest.rsplit("</PubmedArticleSet>", 1)[0].split("</PubmedArticle>")
    chosen = [a + "</PubmedArticle>" for a in articles[start:start + 200] if a.strip()]
    return (head + "<PubmedArticleSet>" + "".join(chosen) + "</PubmedArticleSet>").encode("utf-8")


def scaled_project(folder: Path, factor: int) -> Path:
    """A copy of the project whose register is ``factor`` times today's: each study repeated with new ids."""
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(".venv", ".git", "site", "build", "reports",
                                                                  "__pycache__", "*.egg-info"))
    if factor == 1:
        return folder
    studies = list(csv.DictReader((ROOT / "data" / "studies.csv").open(encoding="utf-8")))
    evidence = list(csv.DictReader((ROOT / "data" / "evidence.csv").open(encoding="utf-8")))
    new_studies, new_evidence = list(studies), list(evidence)
    for copy in range(1, factor):
        for index, study in enumerate(studies):
            pmid = str(90_000_000 + copy * 10_000 + index)
            new_studies.append({**study, "study_id": f"pmid:{pmid}", "pmid": pmid, "doi": "", "pmcid": ""})
        ids = {s["study_id"]: f"pmid:{90_000_000 + copy * 10_000 + i}" for i, s in enumerate(studies)}
        new_evidence += [{**row, "study_id": ids[row["study_id"]]} for row in evidence]
    for name, rows in (("studies.csv", new_studies), ("evidence.csv", new_evidence)):
        with (folder / "data" / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def growth_section(skip_report: bool) -> list[str]:
    evidence = str(Path(sys.executable).with_name("evidence"))
    env = {**os.environ, "EVIDENCE_MODE": "offline"}
    lines = ["# Growth with the register", "",
             "A temporary copy of the project whose register repeats every study under new ids.", "",
             "| register | studies | `evidence check` seconds | `evidence report` seconds |",
             "| --- | ---: | ---: | ---: |"]
    for factor in (1, 10, 100):
        with tempfile.TemporaryDirectory() as tmp:
            project = scaled_project(Path(tmp) / "project", factor)
            count = sum(1 for _ in (project / "data" / "studies.csv").open(encoding="utf-8")) - 1
            check = _run([evidence, "check"], project, env)
            report = "not run" if skip_report else f"{_run([evidence, 'report'], project, env):.0f}"
            lines.append(f"| {factor}× | {count:,} | {check:.1f} | {report} |")
    return lines


def _run(command: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}: {result.stderr[-800:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-report", action="store_true", help="time `evidence check` only")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores.\n")
    # screening first: its resident-memory figure is the process's peak so far, which the parser runs would raise
    for make in (screening_section, parser_section, lambda: growth_section(args.skip_report)):
        print("\n".join(make()) + "\n")


if __name__ == "__main__":
    main()
