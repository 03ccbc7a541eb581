"""The ClinicalTrials.gov API v2 client against its loopback double: paging, the cache and modes, and faults."""

from __future__ import annotations

import pytest
from ctgov_double import CtgovDouble, Fault, fixture_study
from support import SENTINEL_KEY

from evidence.errors import CacheMissError, ParseError, RateLimitError, RegistryError
from evidence.settings import Settings
from evidence.sources.ctgov import ClinicalTrials, ctgov_transport


@pytest.fixture
def registry():
    with CtgovDouble() as double:
        yield double


@pytest.fixture
def make(registry, tmp_path):
    def make(mode="cached", sleeps=None, **changes):
        settings = Settings(mode=mode, email="tests@example.org", api_key=SENTINEL_KEY, cache_dir=tmp_path / "cache",
                            ctgov_base=registry.base, root=tmp_path, max_tries=3, backoff_seconds=0.01,
                            max_backoff_seconds=0.5, **changes)
        sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
        return ClinicalTrials(settings, transport=ctgov_transport(settings, sleep=sleep))
    return make


def test_paging_collects_every_study_once_and_a_rerun_is_answered_from_the_cache(registry, make, tmp_path):
    registry.add("ketamine PTSD", [fixture_study(i, results=i % 2 == 0) for i in range(230)])
    trials = make().search("ketamine PTSD", page_size=100)
    assert len(trials) == 230 and len({t.nct_id for t in trials}) == 230
    assert registry.count() == 3 and registry.requests[1]["pageToken"] == "tok100"
    first = trials[0]
    assert ((first.nct_id, first.status, first.enrollment, first.results_posted)
            == ("NCT09000000", "COMPLETED", 40, True))
    assert sorted(p.name for p in (tmp_path / "cache" / "studies").iterdir())[0].endswith(".json")
    before = registry.count()
    assert len(make(mode="offline").search("ketamine PTSD", page_size=100)) == 230
    assert registry.count() == before
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert SENTINEL_KEY not in path.read_text(encoding="utf-8")


def test_offline_miss_is_one_clear_error(make, registry):
    with pytest.raises(CacheMissError, match="offline mode: studies"):
        make(mode="offline").search("anything")
    assert registry.count() == 0


def test_429_is_honoured_then_succeeds_and_persistent_429_is_a_rate_limit_error(registry, make):
    registry.add("q", [fixture_study(1)])
    sleeps: list[float] = []
    registry.fail_next(Fault("status", 429, {"Retry-After": "0.2"}))
    assert len(make(sleeps=sleeps).search("q")) == 1
    assert sleeps == [0.2]
    registry.fail_next(Fault("status", 429, {"Retry-After": "0"}), times=3)
    with pytest.raises(RateLimitError, match="429"):
        make(mode="live").search("q")


def test_server_errors_are_retried_then_reported(registry, make, tmp_path):
    registry.add("q", [fixture_study(1)])
    registry.fail_next(Fault("status", 503), times=2)
    assert len(make().search("q")) == 1
    registry.fail_next(Fault("status", 502), times=3)
    with pytest.raises(RegistryError, match="HTTP 502 on all 3 tries"):
        make(mode="live").search("q")


def test_malformed_json_is_retried_and_never_stored(registry, make, tmp_path):
    registry.add("q", [fixture_study(1)])
    registry.fail_next(Fault("malformed"), times=3)
    with pytest.raises(ParseError, match="not valid JSON.*still malformed after 3 tries"):
        make().search("q")
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").rglob("*.json"))
    registry.fail_next(Fault("malformed"))
    assert len(make().search("q")) == 1
