"""With a sentinel NCBI_API_KEY, an end-to-end live run against the double (failures included)
leaves the key in no file written, no notebook output, no log line and no exception text."""

from __future__ import annotations

import logging

import pytest
from eutils_double import Fault
from support import RULES, ROOT, SENTINEL_KEY

from evidence import cli
from evidence.register.claims import load_claims
from evidence.errors import EvidenceError
from evidence.present import load_workspace, search_status_table, style_verdict_matrix, verdict_matrix
from evidence.settings import Settings

CLAIMS = load_claims(ROOT / "claims.csv", RULES)


def scan(tmp_path, *texts):
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SENTINEL_KEY.encode() not in path.read_bytes(), f"key written to {path.relative_to(tmp_path)}"
    for text in texts:
        assert SENTINEL_KEY not in text


@pytest.fixture
def live_env(double, tmp_path, monkeypatch):
    for index, claim in enumerate(CLAIMS[:5]):
        double.add_search(claim.search_query, ["99000001", "99000002"][: 1 + index % 2])
    monkeypatch.setenv("EVIDENCE_MODE", "live")
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    monkeypatch.setenv("NCBI_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("EVIDENCE_EUTILS_BASE", double.base)
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_live_run_with_failures_leaks_no_key(double, live_env, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    errors = []
    double.fail_next("esearch", Fault("status", status=503))
    double.fail_next("esearch", Fault("status", status=429, headers={"Retry-After": "0"}))
    double.fail_next("esearch", Fault("truncate"))
    settings = Settings.from_env(backoff_seconds=0.01, max_tries=4)
    workspace = load_workspace(settings)
    assert workspace.searches["C01"].count >= 1
    double.fail_next("efetch", Fault("status", status=400))
    double.fail_next("esearch", Fault("error", message="Search Backend failed"))
    for call in (lambda: workspace.client.fetch(["99000001"]), lambda: workspace.client.search("anything")):
        try:
            call()
        except EvidenceError as error:
            errors.append(f"{error} {error!r} {getattr(error, 'url', '')}")
    assert len(errors) == 2
    assert cli.main(["-v", "search", "C01"]) == 0
    double.fail_next("esearch", Fault("status", status=403), times=1)
    assert cli.main(["search", "C02"]) == 2
    out, err = capsys.readouterr()
    assert "api_key=***" in caplog.text  # requests were logged, masked
    scan(live_env, caplog.text, out, err, *errors)


def test_what_the_overview_shows_live_carries_no_key(double, live_env):
    """The overview notebook's outputs, computed in process from a live workspace (nbval runs the notebook
    itself offline): the settings' repr, the verdict matrix and the search status hold no key."""
    double.fail_next("esearch", Fault("status", status=502))
    workspace = load_workspace(Settings.from_env(backoff_seconds=0.01))
    status = search_status_table(workspace.register.claims, workspace.searches, workspace.search_misses)
    matrix = style_verdict_matrix(verdict_matrix(workspace.assessments()))
    shown = [repr(workspace.settings), status.to_html(), repr(matrix), matrix._repr_html_()]
    assert "mode='live'" in shown[0] and "api_key='***'" in shown[0]
    assert list(status["status"]).count("answered") == len(CLAIMS)
    assert double.count("esearch") >= len(CLAIMS)
    scan(live_env, *shown)
