"""An interrupted refresh resumes: kill `evidence refresh` mid-way, run it again, and the batches
already stored are not fetched again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from eutils_double import Fault
from support import RULES, ROOT, SENTINEL_KEY, bare_project, write_csv

from evidence.register.claims import load_claims
from evidence.register.studies import EVIDENCE_COLUMNS, STUDY_COLUMNS

STUDIES = 450  # three efetch batches of at most 200


def synthetic_project(tmp_path, double):
    """A project whose register holds synthetic fixture studies only."""
    project = bare_project(tmp_path / "project")
    ids = [str(70_000_000 + i) for i in range(STUDIES)]
    dates = double.add_synthetic(ids)
    studies = [
        [f"pmid:{pmid}", pmid, "", "", "Synthetic", str(day.year), "Synthetic Fixture Journal",
         f"Synthetic fixture record {pmid}.", "rct", "", "", "https://example.org/fixture", "2026-11-25", "curated",
         "", "", "", ""]
        for pmid, day in zip(ids, dates)
    ]
    write_csv(project / "data" / "studies.csv", STUDY_COLUMNS, studies)
    claim_ids = [claim.claim_id for claim in load_claims(ROOT / "claims.csv", RULES)]
    evidence = [[claim_ids[i % len(claim_ids)], f"pmid:{pmid}", "supports", "", "", "", "Fixture row."]
                for i, pmid in enumerate(ids)]
    write_csv(project / "data" / "evidence.csv", EVIDENCE_COLUMNS, evidence)
    return project, sorted(ids, key=int)


def refresh_process(project, double):
    env = {
        **os.environ,
        "EVIDENCE_MODE": "cached",
        "NCBI_EMAIL": "tests@example.org",
        "NCBI_API_KEY": SENTINEL_KEY,
        "EVIDENCE_EUTILS_BASE": double.base,
        "EVIDENCE_CACHE_DIR": str(project / "data" / "cache"),
    }
    # the project is found from the working directory, as for a user in a second project's folder
    code = "import sys; from evidence.cli import main; sys.exit(main(['refresh']))"
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_killed_refresh_resumes_without_refetching(tmp_path, double):
    project, ids = synthetic_project(tmp_path, double)
    double.fail_next("efetch", Fault("none"))  # batch 1 is answered at once
    double.fail_next("efetch", Fault("slow", seconds=20))  # batch 2 hangs: the process is killed meanwhile
    first = refresh_process(project, double)
    wait_for(lambda: double.count("efetch") == 2)
    wait_for(lambda: any((project / "data" / "cache" / "efetch").glob("*.xml")))
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=10)  # reaps it and closes its pipes
    stored = list((project / "data" / "cache" / "efetch").glob("*.xml"))
    assert len(stored) == 1  # batch 1 only, whole
    assert not list((project / "data" / "cache").rglob("*.tmp"))

    double.reset_log()
    second = refresh_process(project, double)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    fetched = [r.params["id"].split(",") for r in double.requests if r.util == "efetch"]
    assert len(fetched) == 2  # batches 2 and 3; batch 1 came from the cache
    assert not set(ids[:200]) & {p for batch in fetched for p in batch}
    assert "checked 450 PubMed records" in out
    assert SENTINEL_KEY not in out + err
