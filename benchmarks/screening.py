"""Screening benchmarks (no network): ranking against BM25, active learning replayed, and ranking's cost.

1. Ranking on the public set: each of the four Cohen et al. (2006) drug class review sets in ../shared/screening-sets/
   with the review's question (benchmarks/screening_sets.csv, our words) as the statement; `rank` against BM25 with
   the same candidate statistics (each set's own records).
2. Simulation, as ASReview's simulate mode: every set screened in five orders (random, BM25, rank, learning,
   learning with the question); recall against records screened, WSS@95, recall@10% and @20%, where the stopping
   test would stop. The curves and the summary are written to benchmarks/screening_simulation.csv and
   benchmarks/screening_summary.csv, which 99-methods plots; tests/test_screening_benchmark.py recomputes a set and
   compares when ../shared/ is there.
3. The project's own screening log (data/screening.csv), replayed the same way when it holds decisions.
4. Ranking 10,000 records with `rank`: wall seconds and peak memory, in a fresh process.

    .venv/bin/python benchmarks/screening.py            # prints the sections for benchmarks/results.md
    .venv/bin/python benchmarks/screening.py --timing   # section 4 only (run by the full run in a subprocess)
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT.parent / "shared" / "screening-sets"
QUESTIONS = ROOT / "benchmarks" / "screening_sets.csv"


def labelled_sets():
    from evidence.screening.benchmark import read_labelled_set, read_questions

    questions = read_questions(QUESTIONS)
    for name, question in questions.items():
        yield read_labelled_set(SETS / f"{name}.csv", name=name, statement=question["statement"],
                                pico=(question["population"], question["intervention"], question["outcome"]))


def simulation_sections() -> list[str]:
    from evidence.files import atomic_write
    from evidence.screening.benchmark import CURVE_COLUMNS, SUMMARY_COLUMNS, curve_rows, summary_rows, table_text

    if not SETS.is_dir():
        return ["# Screening simulation", "", f"{SETS} is not there: nothing recomputed."]
    summaries, curves = [], []
    for labelled in labelled_sets():
        start = time.perf_counter()
        rows, orders = summary_rows(labelled)
        summaries += rows
        curves += curve_rows(labelled, orders)
        print(f"{labelled.name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    atomic_write(ROOT / "benchmarks" / "screening_summary.csv", table_text(SUMMARY_COLUMNS, summaries).encode())
    atomic_write(ROOT / "benchmarks" / "screening_simulation.csv", table_text(CURVE_COLUMNS, curves).encode())
    lines = ["# Ranking against BM25 (the public set)", "",
             "Each set's records ranked once for its question; average precision (AP), reciprocal rank of the first "
             "relevant record (RR), recall after 10% of the records, WSS@95 of that fixed order.", "",
             "| set | records | relevant | method | AP | RR | recall@10% | WSS@95 |",
             "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    for row in summaries:
        if row["method"] in {"bm25", "rank"}:
            lines.append(f"| {row['set']} | {row['records']} | {row['relevant']} | {row['method']} | "
                         f"{row['average_precision']:.3f} | {row['reciprocal_rank']:.2f} | "
                         f"{row['recall_at_10pct']:.3f} | {row['wss95']:.3f} |")
    lines += ["", "# Screening simulation", "",
              "WSS@95 (mean of the seeds, min-max), recall after 10% and 20% screened, and where the stopping test "
              "(Callaghan & Müller-Hansen 2020, 95% recall at 95% confidence) stops the seed-0 order.", "",
              "| set | method | seeds | WSS@95 | range | recall@10% | recall@20% | stops after | recall there |",
              "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    for row in summaries:
        lines.append(f"| {row['set']} | {row['method']} | {row['seeds']} | {row['wss95']:.3f} | "
                     f"{row['wss95_min']:.3f} to {row['wss95_max']:.3f} | {row['recall_at_10pct']:.3f} | "
                     f"{row['recall_at_20pct']:.3f} | {row['stopped_at']} of {row['records']} | "
                     f"{row['recall_at_stop']:.3f} |")
    return lines


def own_log_section() -> list[str]:
    """The project's screening log replayed: every claim with a relevant and an excluded decision."""
    from evidence.errors import CacheMissError
    from evidence.register.project import load_project
    from evidence.screening import ScreeningLog, record_text, screening_sequence, simulate, wss
    from evidence.settings import Settings
    from evidence.sources.pubmed import PubMed

    project = load_project(ROOT)
    register = project.register
    log = ScreeningLog.load(ROOT, [c.claim_id for c in register.claims])
    lines = ["# The project's own screening log", ""]
    if not log.decisions:
        return lines + ["`data/screening.csv` holds no decision yet (its header only), so there is nothing of our own "
                        "to replay. The same code replays it once it holds, for a claim, at least one relevant "
                        "(include or maybe) and one excluded decision among the records of the claim's search."]
    client = PubMed(Settings.from_env(), progress=lambda message: None, snapshot_date=project.config.snapshot_date)
    for claim in register.claims:
        if not log.for_claim(claim.claim_id):
            continue
        try:
            result = client.search(claim.search_query)
            records = client.fetch(result.ids).records
        except CacheMissError:
            lines.append(f"- {claim.claim_id}: {len(log.for_claim(claim.claim_id))} decisions, but the snapshot "
                         "holds no live search to read the records from.")
            continue
        sequence = screening_sequence(claim.claim_id, log, register, result.ids)
        pmids = [p for p, _ in sequence]
        labels = [relevant for _, relevant in sequence]
        if len(set(labels)) < 2:
            lines.append(f"- {claim.claim_id}: {len(labels)} decisions, all of one kind: nothing to learn from.")
            continue
        order = simulate([record_text(records[p]) for p in pmids], labels, statement=claim.statement)
        lines.append(f"- {claim.claim_id}: {len(labels)} screened records, WSS@95 {wss(order, labels):.3f}.")
    return lines


def timing_section() -> list[str]:
    """Rank 10,000 records for one question (the four sets' records repeated; fixtures when ../shared is absent)."""
    from evidence.screening import rank

    statement = "Triptans differ in effectiveness and harms for the acute treatment of migraine."
    pico = ("adults with migraine", "sumatriptan, rizatriptan, zolmitriptan", "headache relief, adverse events")
    if SETS.is_dir():
        pool = [r for labelled in labelled_sets() for r in labelled.records]
        origin = f"the {len(pool):,} records of the four shared sets, repeated"
    else:
        sys.path.insert(0, str(ROOT / "tests"))
        from eutils_double import FIXTURES

        from evidence.screening import record_text
        from evidence.sources.records import parse_pubmed_xml

        pool = [record_text(r) for p in sorted(FIXTURES.glob("*.xml")) for r in parse_pubmed_xml(p.read_bytes())]
        origin = "the hand-written PubMed fixtures, repeated"
    records = [pool[i % len(pool)] for i in range(10_000)]
    rank(statement, records[:10], pico=pico)  # imports and the stemmer's start-up, outside the timing
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    scores = rank(statement, records, pico=pico)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # a second run under tracemalloc for the peak of Python's allocations (tracemalloc slows it several times over)
    tracemalloc.start()
    rank(statement, records, pico=pico)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return ["# Ranking 10,000 records", "",
            f"`evidence.screening.rank` of one question over 10,000 records ({origin}): {len(scores):,} scores.", "",
            "| wall seconds | peak Python memory (tracemalloc) | peak resident memory of the process | "
            "of which before ranking (records and libraries loaded) |",
            "| ---: | ---: | ---: | ---: |",
            f"| {seconds:.1f} | {peak / 1e6:.0f} MB | {rss:.0f} MB | {before:.0f} MB |", "",
            "Targets: under 10 s and 500 MB."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timing", action="store_true", help="only time ranking 10,000 records")
    args = parser.parse_args()
    if args.timing:
        print("\n".join(timing_section()))
        return
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores.\n")
    timing = subprocess.run([sys.executable, __file__, "--timing"], capture_output=True, text=True, check=True)
    for lines in (simulation_sections(), own_log_section()):
        print("\n".join(lines) + "\n")
    print(timing.stdout)


if __name__ == "__main__":
    main()
