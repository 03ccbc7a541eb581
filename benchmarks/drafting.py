"""Benchmark: drafting time against the article's length (evidence.drafting, as `evidence init` runs it).

Each article is N distinct sentences, each naming a treatment of its own (a made-up medicine by its INN stem), so
the article knows N treatments; that is what made drafting grow faster than the article. Prints the rows of the
"Drafting an article" section of benchmarks/results.md and a digest of the drafts (claim types, cues and queries),
which must not change when only the speed does.

    .venv/bin/python benchmarks/drafting.py [N ...]     # default 250 500 1000 2000; at most 3,375 (the names)
"""

from __future__ import annotations

import hashlib
import itertools
import platform
import sys
import time

from evidence.drafting import draft_article, read_article

SYLLABLES = ("ba", "co", "de", "fi", "ga", "lu", "mo", "ne", "pi", "ro", "su", "ta", "vi", "xo", "ze")
STEMS = ("statin", "mab", "pril", "sartan", "olol", "tinib")
CONDITIONS = ("insomnia", "migraine", "asthma", "eczema", "arthritis", "depression", "anxiety", "psoriasis")


def article(n: int) -> str:
    names = ("".join(parts) + stem for stem, parts in zip(itertools.cycle(STEMS),
                                                          itertools.product(SYLLABLES, repeat=3)))
    return "".join(f"In trials, {name} reduced {CONDITIONS[i % len(CONDITIONS)]} symptoms by {i % 90 + 1}% "
                   "and improved sleep quality compared with placebo.\n" for i, name in zip(range(n), names))


def run(n: int) -> tuple[float, int, str]:
    text = article(n)
    start = time.perf_counter()
    decisions = draft_article(read_article(text), text)
    seconds = time.perf_counter() - start
    drafts = [d.draft for d in decisions if d.draft is not None]
    digest = hashlib.sha256("\n".join(f"{d.claim_type}|{d.type_cue}|{d.query}" for d in drafts).encode()).hexdigest()
    return seconds, len(drafts), digest[:12]


def main(sizes: list[int]) -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, one process.\n")
    print("| sentences | drafts | seconds | drafts' digest |\n| ---: | ---: | ---: | --- |")
    for n in sizes:
        seconds, drafts, digest = run(n)
        print(f"| {n:,} | {drafts:,} | {seconds:.2f} | {digest} |", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [250, 500, 1000, 2000])
