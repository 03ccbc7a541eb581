"""Writers that cannot lose data: `evidence screen` holds the locks of the screening log and the register's files
(``evidence.files.locked``) from reading them to writing them, so runs recording at once each keep their decision.

The concurrency test starts a dozen `evidence screen` processes at once against the loopback double (synthetic
fixture records only, never real data). Its outcome does not depend on timing: without the lock some decisions are
lost whenever two runs interleave, with it none can be, however the processes are scheduled."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from support import ROOT, RULES, SENTINEL_KEY, copy_project, read_csv

from evidence import cli, files
from evidence.errors import LockError
from evidence.register.claims import load_claims
from evidence.register.project import load_register
from evidence.screening import ScreeningLog

EVIDENCE = Path(sys.executable).with_name("evidence")
RUNS = 12  # half include (the register grows too), half exclude
HITS = [str(81_000_000 + i) for i in range(40)]


def test_the_lock_file_sits_beside_its_file_hidden_and_ignored_by_git(tmp_path):
    assert files.lock_path(tmp_path / "data" / "screening.csv") == tmp_path / "data" / ".screening.csv.lock"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".*.lock" in ignored


def test_a_lock_held_elsewhere_is_one_error_naming_the_file(tmp_path):
    target = tmp_path / "data" / "screening.csv"
    target.parent.mkdir()
    with FileLock(files.lock_path(target)):  # another holder: the test itself, for as long as the check lasts
        with pytest.raises(LockError) as caught:
            with files.locked(target, timeout=0.05):
                pass  # pragma: no cover - never reached
    message = str(caught.value)
    assert "data/screening.csv is being written by another run" in message and ".screening.csv.lock" in message
    assert "Fix:" in message and caught.value.path == str(target)
    with files.locked(target, timeout=0.05):  # free again once the holder let go
        pass


def test_screen_waiting_past_the_timeout_exits_4_in_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    root = copy_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.setenv("EVIDENCE_MODE", "offline")
    monkeypatch.setattr(files, "LOCK_TIMEOUT_SECONDS", 0.05)
    before = {p.name: p.read_bytes() for p in (root / "data").glob("*.csv")}
    pmid = next(s.pmid for _, s in load_register(root).for_claim("C04") if s.pmid)  # known: in the register
    with FileLock(files.lock_path(root / "data" / "screening.csv")):
        code = cli.main(["screen", "C04", "--exclude", pmid, "--reason", "wrong_design"])
    err = capsys.readouterr().err
    assert code == 4 and err.startswith("evidence: error: data/screening.csv is being written by another run")
    assert err.count("\n") == 1
    assert {p.name: p.read_bytes() for p in (root / "data").glob("*.csv")} == before


@pytest.fixture
def served_project(tmp_path, double, monkeypatch):
    """A copy of the project whose claim C04 finds 40 synthetic records at the double, the search and the records
    cached once (as a first `evidence screen` would leave them)."""
    root = copy_project(tmp_path / "project")
    claim = next(c for c in load_claims(root / "claims.csv", RULES) if c.claim_id == "C04")
    dates = double.add_synthetic(HITS, start=dt.date(2010, 1, 1), per_day=1)
    double.add_search(claim.search_query, HITS, dates=dates)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NCBI_"))}
    env.update(EVIDENCE_MODE="cached", NCBI_EMAIL="tests@example.org", NCBI_API_KEY=SENTINEL_KEY,
               EVIDENCE_EUTILS_BASE=double.base, EVIDENCE_CACHE_DIR=str(root / "cache"), PYTHONHASHSEED="0")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(root)
    assert cli.main(["screen", "C04", "--limit", "1"]) == 0  # fills the cache: the runs below share it
    return root, env


def test_concurrent_screen_runs_all_keep_their_decisions(served_project):
    root, env = served_project
    register_before = load_register(root)
    commands = []
    for i, pmid in enumerate(HITS[:RUNS]):
        if i % 2:
            commands.append(["screen", "C04", "--exclude", pmid, "--reason", "wrong_design"])
        else:
            commands.append(["screen", "C04", "--include", pmid, "--stance", "supports",
                             "--rationale", f"Fixture record {pmid} included by run {i}."])
    # every process starts before any is waited for; the lock, not the order they run in, decides the outcome
    processes = [subprocess.Popen([str(EVIDENCE), *argv], cwd=root, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for argv in commands]
    results = [(p.wait(timeout=600), *p.communicate()) for p in processes]
    for (code, out, err), argv in zip(results, commands):
        assert code == 0, (argv, err[-2000:])
        assert "recorded 1 decision(s) in data/screening.csv" in out, (argv, out)
    log = ScreeningLog.load(root, [c.claim_id for c in register_before.claims])  # loads cleanly
    recorded = {(d.pmid, d.decision) for d in log.for_claim("C04")}
    expected = {(argv[3], argv[2].removeprefix("--")) for argv in commands}
    assert recorded == expected
    assert len(read_csv(root / "data" / "screening.csv")) == RUNS
    register = load_register(root)  # the register loads cleanly: every new study has its evidence row
    included = {argv[3] for argv in commands if argv[2] == "--include"}
    added = {s.pmid for s in register.studies.values()} - {s.pmid for s in register_before.studies.values()}
    assert added == included
    rows = {(r.claim_id, r.study_id) for r in register.evidence} - {(r.claim_id, r.study_id)
                                                                   for r in register_before.evidence}
    assert rows == {("C04", f"pmid:{p}") for p in included}
    assert not list((root / "data").glob(".*.tmp"))  # no temporary file left behind
