"""Benchmark: requests and wall time for searching every claim and fetching all their records,
against the loopback E-utilities double (no network). Cold cache, then warm cache, then a
search of 25,000 hits that must be split by date.

    .venv/bin/python benchmarks/request_economy.py   # prints the section of benchmarks/results.md

Wall time includes Biopython's own rate limit (0.1 s between requests with an API key), which is
what a real run pays too.
"""

from __future__ import annotations

import datetime as dt
import math
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from eutils_double import EutilsDouble  # noqa: E402

from evidence.register.claims import load_claims  # noqa: E402
from evidence.rules.article import load_article_rules  # noqa: E402
from evidence.sources.pubmed import EFETCH_BATCH, PubMed  # noqa: E402
from evidence.settings import Settings  # noqa: E402

HITS_PER_CLAIM = 600


def settings_for(double: EutilsDouble, cache: Path) -> Settings:
    return Settings(mode="cached", email="bench@example.org", api_key="bench-key", cache_dir=cache,
                    eutils_base=double.base, root=cache)


def run_claims(double, settings, claims):
    client = PubMed(settings, progress=lambda message: None)
    start = time.perf_counter()
    union = {pmid for claim in claims for pmid in client.search(claim.search_query).ids}
    client.fetch(union)
    return time.perf_counter() - start, len(union)


def main() -> None:
    claims = load_claims(ROOT / "claims.csv", load_article_rules(ROOT / "rules"))
    rows = []
    with EutilsDouble() as double, tempfile.TemporaryDirectory() as folder:
        for k, claim in enumerate(claims):
            ids = [str(30_000_000 + 300 * k + i) for i in range(HITS_PER_CLAIM)]
            double.add_synthetic(ids)
            double.add_search(claim.search_query, ids)
        settings = settings_for(double, Path(folder) / "cache")
        for label in ("cold cache", "warm cache"):
            double.reset_log()
            seconds, union = run_claims(double, settings, claims)
            rows.append((f"{len(claims)} claims, {label}", double.count("esearch"), double.count("efetch"),
                         f"{seconds:.2f}", f"{union} unique PMIDs; at most {len(claims)} esearch and "
                         f"{math.ceil(union / EFETCH_BATCH)} efetch expected cold, 0 warm"))
        ids = [str(40_000_000 + i) for i in range(25_000)]
        dates = double.add_synthetic(ids, start=dt.date(2001, 3, 1), per_day=9)
        double.add_search("large", ids, dates=dates)
        double.reset_log()
        start = time.perf_counter()
        result = PubMed(settings, progress=lambda message: None).search("large")
        seconds = time.perf_counter() - start
        rows.append(("one search of 25,000 hits", double.count("esearch"), double.count("efetch"), f"{seconds:.2f}",
                     f"{len(result.slices)} date slices, {len(result.ids)} ids collected"))
    print("# Request economy (loopback double)\n")
    print(f"Python {platform.python_version()} on {platform.machine()}, {HITS_PER_CLAIM} hits per claim, "
          "neighbouring claims sharing half their hits.\n")
    print("| run | esearch | efetch | seconds | notes |\n| --- | ---: | ---: | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


if __name__ == "__main__":
    main()
