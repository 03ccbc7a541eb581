"""Faults injected by the loopback double: each ends in success after retries or in one clear
error, no error response reaches the cache, and nothing is left half-written."""

from __future__ import annotations

import json
import multiprocessing
import xml.etree.ElementTree as ET

import pytest
from eutils_double import Fault
from support import pubmed

from evidence.errors import CacheError, EvidenceError, NCBIError, NetworkError, ParseError, RateLimitError


def client(make_settings, sleeps=None, **changes):
    return pubmed(make_settings(**changes), sleeps)


def assert_cache_clean(cache_dir):
    """Every stored file is whole: parseable XML or JSON, no temporary file left behind."""
    for path in cache_dir.rglob("*") if cache_dir.exists() else []:
        if path.is_dir():
            continue
        assert not path.name.endswith(".tmp"), f"half-written file left: {path.name}"
        if path.suffix == ".xml":
            root = ET.fromstring(path.read_bytes())
            assert root.find("ERROR") is None and root.tag != "ERROR"
        else:
            json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def cache_dir(tmp_path):
    return tmp_path / "cache"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_with_backoff(double, make_settings, cache_dir, status):
    double.add_search("ketamine", ["99000001"])
    double.fail_next("esearch", Fault("status", status=status), times=2)
    sleeps: list[float] = []
    assert client(make_settings, sleeps).search("ketamine").count == 1
    assert sleeps == [0.01, 0.02]
    assert double.count("esearch") == 3
    assert_cache_clean(cache_dir)


def test_server_errors_past_the_last_try_are_one_clear_error(double, make_settings, cache_dir):
    double.fail_next("efetch", Fault("status", status=503), times=3)
    with pytest.raises(NCBIError, match=r"HTTP 503 to efetch on all 3 tries.*run again later"):
        client(make_settings).fetch(["99000001"])
    assert not list(cache_dir.rglob("*.xml")) if cache_dir.exists() else True


def test_429_retry_after_is_honoured_then_gives_up_with_rate_limit_error(double, make_settings):
    double.fail_next("esearch", Fault("status", status=429, headers={"Retry-After": "7"}), times=3)
    sleeps: list[float] = []
    with pytest.raises(RateLimitError, match="NCBI_API_KEY"):
        client(make_settings, sleeps, max_backoff_seconds=5.0).search("ketamine")
    assert sleeps == [5.0, 5.0]  # Retry-After 7 s, bounded by max_backoff_seconds


def test_connection_reset_is_retried(double, make_settings, cache_dir):
    double.add_search("ketamine", ["99000001"])
    double.fail_next("esearch", Fault("reset"))
    assert client(make_settings).search("ketamine").count == 1
    assert double.count("esearch") == 2
    assert_cache_clean(cache_dir)


def test_read_timeout_is_retried(double, make_settings, cache_dir):
    double.add_search("ketamine", ["99000001"])
    # the slow answer comes long after the timeout, and the timeout leaves the retry's answer seconds to arrive, so a
    # busy machine cannot turn the retry into a second timeout (a 0.5 s budget could be spent waiting for a CPU)
    double.fail_next("esearch", Fault("slow", seconds=8.0))
    assert client(make_settings, timeout=2.0).search("ketamine").count == 1
    assert double.count("esearch") == 2


def test_persistent_timeouts_end_in_a_network_error(double, make_settings, cache_dir):
    double.fail_next("esearch", Fault("slow", seconds=1.0), times=2)
    with pytest.raises(NetworkError, match=r"could not reach NCBI for esearch .* after 2 tries.*EVIDENCE_MODE=offline"):
        client(make_settings, timeout=0.3, max_tries=2).search("ketamine")
    assert not cache_dir.exists() or not list(cache_dir.rglob("*.xml"))


def test_truncated_xml_is_retried_and_never_stored(double, make_settings, cache_dir):
    double.fail_next("efetch", Fault("truncate"))
    result = client(make_settings).fetch(["99000001", "99000002"])
    assert list(result.records) == ["99000001", "99000002"]
    assert double.count("efetch") == 2
    assert_cache_clean(cache_dir)


def test_truncated_every_time_is_a_parse_error(double, make_settings, cache_dir):
    double.fail_next("efetch", Fault("truncate"), times=3)
    with pytest.raises(ParseError, match="still malformed after 3 tries"):
        client(make_settings).fetch(["99000001"])
    assert not cache_dir.exists() or not list(cache_dir.rglob("*.xml"))


def test_empty_body_is_retried(double, make_settings):
    double.add_search("ketamine", ["99000001"])
    double.fail_next("esearch", Fault("empty"))
    assert client(make_settings).search("ketamine").count == 1


def test_error_body_is_one_clear_error_and_not_stored(double, make_settings, cache_dir):
    double.fail_next("esearch", Fault("error", message="Search Backend failed: timeout"))
    with pytest.raises(NCBIError, match="Search Backend failed"):
        client(make_settings).search("ketamine")
    assert double.count("esearch") == 1  # an answer, not a transfer failure: not retried
    assert not cache_dir.exists() or not list(cache_dir.rglob("*.xml"))


def test_empty_result_is_a_result(double, make_settings):
    result = client(make_settings).search("a query that finds nothing")
    assert (result.count, result.ids) == (0, ())
    assert result.warnings  # PhraseNotFound is passed on


def test_short_batch_names_the_missing_pmids(double, make_settings):
    double.fail_next("efetch", Fault("short", drop=1))
    result = client(make_settings).fetch(["99000001", "99000002", "99000004"])
    assert result.missing == ("99000004",)
    assert list(result.records) == ["99000001", "99000002"]


def test_corrupt_cache_entry_is_refetched_in_cached_mode(double, make_settings, cache_dir):
    double.add_search("ketamine", ["99000001"])
    client(make_settings).search("ketamine")
    [entry] = list(cache_dir.rglob("*.xml"))
    entry.write_bytes(entry.read_bytes()[:40])
    double.reset_log()
    assert client(make_settings).search("ketamine").count == 1
    assert double.count("esearch") == 1
    assert_cache_clean(cache_dir)


def test_corrupt_cache_entry_is_reported_with_its_path_offline(double, make_settings, cache_dir):
    double.add_search("ketamine", ["99000001"])
    client(make_settings).search("ketamine")
    [entry] = list(cache_dir.rglob("*.xml"))
    entry.write_text("not xml at all", encoding="utf-8")
    with pytest.raises(CacheError) as caught:
        client(make_settings, mode="offline").search("ketamine")
    assert f"cache/esearch/{entry.name}" in str(caught.value) and "delete it" in str(caught.value)
    assert double.count("esearch") == 1


def _worker(settings, queue):
    try:
        client_ = pubmed(settings)
        for _ in range(3):
            result = client_.search("concurrent")
            client_.fetch(result.ids)
        queue.put("ok")
    except EvidenceError as exc:  # pragma: no cover - reported to the parent
        queue.put(f"error: {exc}")


def test_two_processes_share_one_cache_directory(double, make_settings, cache_dir):
    ids = [str(60_000_000 + i) for i in range(600)]
    double.add_synthetic(ids)
    double.add_search("concurrent", ids)
    settings = make_settings(mode="live")  # live: both processes write every entry, racing on each
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_worker, args=(settings, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sorted(queue.get(timeout=5) for _ in workers) == ["ok", "ok"]
    assert_cache_clean(cache_dir)
    offline = client(make_settings, mode="offline")
    assert set(offline.fetch(offline.search("concurrent").ids).records) == set(ids)
