"""The verdict engine against the blind dual review (data/ratings.csv): agreement on the verdict and on certainty
for each pair of raters and for the engine's suggested verdicts against the consensus, then the claims where the
engine and the consensus differ. Prints Markdown for benchmarks/results.md.

    .venv/bin/python benchmarks/calibration.py
"""

from __future__ import annotations

from pathlib import Path

from evidence.judge.calibration import agreement_table, disagreements
from evidence.judge.verdict import assess_project
from evidence.register.project import load_project

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    project = load_project(ROOT)
    engine = {a.claim.claim_id: (a.suggested, a.certainty) for a in assess_project(project)}
    print("| axis | between | and | claims | exact | within one step | weighted kappa (linear) |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for g in agreement_table(project.ratings, engine):
        print(f"| {g.axis} | {g.first} | {g.second} | {g.claims} | {g.exact} ({100 * g.exact_share:.0f}%) | "
              f"{g.within_one} | {g.kappa:.2f} |")
    print("\n| claim | engine (suggested) | consensus |")
    print("| --- | --- | --- |")
    for claim_id, rating in sorted(disagreements(project.ratings, engine).items()):
        verdict, certainty = engine[claim_id]
        print(f"| {claim_id} | {verdict} ({certainty}) | {rating.verdict} ({rating.certainty}) |")


if __name__ == "__main__":
    main()
