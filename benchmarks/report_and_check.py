"""Benchmarks for the report that redoes only what changed, and for `evidence check` against importing pandas.

1. `python3 tasks.py report --force` (every step redone), then `python3 tasks.py report` with nothing changed, one
   after the other, on this checkout (target: the second at most 20% of the first);
2. `python -c "import pandas"` and `evidence check` (assessments already cached by content key), alternated, each
   run REPEATS times; the medians are compared (target: check at most twice the pandas import).

    python3 benchmarks/report_and_check.py     # prints a section for benchmarks/results.md

Wall-clock seconds on a shared machine vary with its load; alternating the two commands of a pair exposes both to
the same load, and the medians are what is compared.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
EVIDENCE = ROOT / ".venv" / "bin" / "evidence"
REPEATS = 7


def timed(command: list[str]) -> float:
    env = {**os.environ, "EVIDENCE_MODE": "offline"}
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    full = timed([sys.executable, "tasks.py", "report", "--force"])
    unchanged = timed([sys.executable, "tasks.py", "report"])
    timed([str(EVIDENCE), "check"])  # warms the assessment cache, as any earlier run does
    pandas, check = [], []
    for _ in range(REPEATS):
        pandas.append(timed([str(PYTHON), "-c", "import pandas"]))
        check.append(timed([str(EVIDENCE), "check"]))
    p, c = statistics.median(pandas), statistics.median(check)
    print(f"`python3 benchmarks/report_and_check.py`, Python {platform.python_version()}, {os.cpu_count()} cores.\n")
    print("| run | seconds | share of the full run |\n| --- | ---: | ---: |")
    print(f"| `tasks.py report --force` (every notebook executed, book built, brief printed) | {full:.1f} | 100% |")
    print(f"| `tasks.py report`, nothing changed | {unchanged:.1f} | {100 * unchanged / full:.0f}% |\n")
    print(f"| command ({REPEATS} runs, alternated) | median seconds | min | max |\n| --- | ---: | ---: | ---: |")
    print(f"| `python -c \"import pandas\"` | {p:.2f} | {min(pandas):.2f} | {max(pandas):.2f} |")
    print(f"| `evidence check` | {c:.2f} | {min(check):.2f} | {max(check):.2f} |\n")
    print(f"`evidence check` takes {c / p:.2f}× the pandas import (target: at most 2×).")


if __name__ == "__main__":
    main()
