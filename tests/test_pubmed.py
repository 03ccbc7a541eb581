"""The client through the real Bio.Entrez code, against the loopback E-utilities double."""

from __future__ import annotations

import datetime as dt
import logging
import math

import pytest
from support import RULES, ROOT, SENTINEL_KEY, pubmed
from eutils_double import Fault

from evidence.register.claims import load_claims
from evidence.errors import CacheMissError, ConfigurationError, EvidenceError, InputError, NCBIError, RateLimitError
from evidence.sources.pubmed import EFETCH_BATCH, PubMed
from evidence.sources.transport import EutilsTransport


def synthetic_ids(start: int, count: int) -> list[str]:
    return [str(start + i) for i in range(count)]


def test_search_and_fetch_go_through_bio_entrez_to_the_double(double, make_settings):
    double.add_search("ketamine AND ptsd", ["99000001", "99000002"], translation='"ketamine"[MeSH Terms]')
    client = PubMed(make_settings(), snapshot_date="2026/11/25")
    result = client.search("ketamine AND ptsd")
    assert (result.count, result.ids) == (2, ("99000001", "99000002"))
    assert result.query_translation == '"ketamine"[MeSH Terms]'
    fetched = client.fetch(result.ids)
    assert list(fetched.records) == ["99000001", "99000002"]
    search_request = double.requests[0]
    # Biopython's own parameters reached the double: tool, email, api_key, and our frozen window.
    assert search_request.params["tool"].startswith("evidence")
    assert search_request.params["email"] == "tests@example.org"
    assert search_request.params["api_key"] == SENTINEL_KEY
    assert (search_request.params["mindate"], search_request.params["maxdate"]) == ("1800/01/01", "2026/11/25")
    assert search_request.params["datetype"] == "edat"


def test_request_economy_for_every_claim(double, make_settings):
    claims = load_claims(ROOT / "claims.csv", RULES)
    # overlapping result sets: claim k finds 60 ids starting at 30*k, so neighbours share half
    expected_union = set()
    for k, claim in enumerate(claims):
        ids = synthetic_ids(30_000_000 + 30 * k, 60)
        double.add_synthetic(ids)
        double.add_search(claim.search_query, ids)
        expected_union.update(ids)
    settings = make_settings()

    def run():
        client = PubMed(settings)
        results = [client.search(c.search_query) for c in claims]
        union = {pmid for r in results for pmid in r.ids}
        return union, client.fetch(union)

    union, fetched = run()
    assert union == expected_union
    assert set(fetched.records) == expected_union and fetched.missing == ()
    assert double.count("esearch") == len(claims)
    assert double.count("efetch") == math.ceil(len(expected_union) / EFETCH_BATCH)
    assert all(r.method == "POST" for r in double.requests if r.util == "efetch" and r.params["id"].count(",") >= 199)

    double.reset_log()
    union_again, fetched_again = run()
    assert double.count() == 0
    assert union_again == union and fetched_again.records == fetched.records


def test_search_over_the_esearch_cap_returns_every_id_once(double, make_settings):
    ids = synthetic_ids(40_000_000, 25_000)
    dates = double.add_synthetic(ids, start=dt.date(2001, 3, 1), per_day=9)
    double.add_search("large", ids, dates=dates)
    result = PubMed(make_settings()).search("large")
    assert result.count == 25_000
    assert len(result.ids) == len(set(result.ids)) == 25_000
    assert set(result.ids) == set(ids)
    assert sum(s.count for s in result.slices) == 25_000
    assert all(s.count <= 9_999 for s in result.slices)
    # more than one esearch, but only because the count exceeded the cap
    assert double.count("esearch") > 1 and double.count("efetch") == 0


def test_offline_cache_miss_is_one_clear_error_and_sends_nothing(double, make_settings):
    double.add_search("ketamine", ["99000001"])
    client = PubMed(make_settings(mode="offline"))
    with pytest.raises(CacheMissError) as caught:
        client.search("ketamine")
    message = str(caught.value)
    assert "offline mode: esearch" in message and '"term": "ketamine"' in message
    assert "EVIDENCE_MODE=cached" in message and "NCBI_EMAIL" in message
    assert caught.value.path.startswith("cache/esearch/")
    assert double.count() == 0


def test_offline_replays_what_a_cached_run_stored(double, make_settings):
    double.add_search("ketamine", ["99000001", "99000003"])
    PubMed(make_settings()).fetch(PubMed(make_settings()).search("ketamine").ids)
    double.reset_log()
    offline = PubMed(make_settings(mode="offline", email=None, api_key=None))
    result = offline.search("ketamine")
    assert result.ids == ("99000001", "99000003")
    assert offline.fetch(result.ids).records["99000003"].is_book
    assert double.count() == 0


def test_live_mode_refreshes_and_reports_drift(double, make_settings):
    double.add_search("ketamine", ["99000001", "99000002"])
    PubMed(make_settings()).search("ketamine")
    double.add_search("ketamine", ["99000001", "99000004", "99000005"])
    live = PubMed(make_settings(mode="live"))
    result = live.search("ketamine")
    assert result.ids == ("99000001", "99000004", "99000005")
    [drift] = live.drift
    assert ((drift.old_count, drift.new_count, drift.added, drift.removed)
            == (2, 3, ("99000004", "99000005"), ("99000002",)))
    # the refreshed answer replaced the cached one
    assert PubMed(make_settings(mode="offline")).search("ketamine").count == 3


def test_cache_never_holds_secrets_or_webenv(double, make_settings, tmp_path):
    double.add_search("ketamine", ["99000001"])
    client = PubMed(make_settings())
    client.fetch(client.search("ketamine").ids)
    files = list((tmp_path / "cache").rglob("*"))
    assert files
    for path in files:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert SENTINEL_KEY not in text and "tests@example.org" not in text and "<WebEnv>" not in text


def test_a_new_api_key_keeps_the_cache_valid(double, make_settings):
    double.add_search("ketamine", ["99000001"])
    PubMed(make_settings()).search("ketamine")
    double.reset_log()
    PubMed(make_settings(api_key="another-key", email="someone@example.org")).search("ketamine")
    assert double.count() == 0


def test_sentinel_key_in_no_log_and_no_exception(double, make_settings, caplog):
    caplog.set_level(logging.DEBUG)
    double.add_search("ketamine", ["99000001"])
    double.fail_next("esearch", Fault("status", status=503))
    client = PubMed(make_settings())
    assert client.search("ketamine").count == 1
    double.fail_next("efetch", Fault("status", status=400))
    with pytest.raises(NCBIError) as caught:
        client.fetch(["99000001"])
    double.fail_next("esearch", Fault("status", status=429, headers={"Retry-After": "0"}), times=3)
    with pytest.raises(RateLimitError) as limited:
        client.search("something else")
    texts = [str(caught.value), repr(caught.value), caught.value.url, str(limited.value), limited.value.url,
             caplog.text]
    assert "api_key=***" in caplog.text  # the URL was logged, with the key masked
    for text in texts:
        assert SENTINEL_KEY not in text
        assert "tests@example.org" not in text


def test_error_body_is_raised_and_not_cached(double, make_settings, tmp_path):
    double.add_search("ketamine", ["99000001"])
    double.fail_next("esearch", Fault("error", message="Invalid query syntax"))
    client = PubMed(make_settings())
    with pytest.raises(NCBIError, match="Invalid query syntax"):
        client.search("ketamine")
    assert not list((tmp_path / "cache").rglob("*.xml"))
    assert client.search("ketamine").count == 1


def test_retries_5xx_then_succeeds(double, make_settings):
    double.add_search("ketamine", ["99000001"])
    double.fail_next("esearch", Fault("status", status=502), times=2)
    sleeps: list[float] = []
    assert pubmed(make_settings(), sleeps).search("ketamine").count == 1
    assert double.count("esearch") == 3
    assert sleeps == [0.01, 0.02]  # exponential backoff, not Biopython's immediate retry


def test_retry_after_is_honoured_and_bounded(double, make_settings):
    double.add_search("ketamine", ["99000001"])
    double.fail_next("esearch", Fault("status", status=429, headers={"Retry-After": "0.2"}))
    double.fail_next("esearch", Fault("status", status=429, headers={"Retry-After": "3600"}))
    sleeps: list[float] = []
    assert pubmed(make_settings(), sleeps).search("ketamine").count == 1
    assert sleeps == [0.2, 0.5]


def test_redirect_is_idempotent_across_biopython_retries(double, make_settings):
    """Biopython passes the same Request object to urlopen on each try; the base must not be applied twice."""
    from Bio import Entrez

    double.add_search("ketamine", ["99000001"])
    settings = make_settings()
    transport = EutilsTransport(settings)
    with transport._entrez():
        Entrez.max_tries = 3
        double.fail_next("esearch", Fault("status", status=500))
        handle = Entrez.esearch(db="pubmed", term="ketamine")
        assert b"<Count>1</Count>" in handle.read()
    assert double.count("esearch") == 2
    assert Entrez.urlopen.__module__ == "urllib.request"  # restored afterwards


def test_a_network_request_without_email_is_a_configuration_error(double, make_settings):
    with pytest.raises(ConfigurationError, match="NCBI_EMAIL"):
        PubMed(make_settings(email=None)).search("ketamine")
    assert double.count() == 0


def test_malformed_pmids_are_rejected_before_any_request(double, make_settings):
    with pytest.raises(InputError, match="'12a' is not a PMID"):
        PubMed(make_settings()).fetch(["123", "12a"])
    assert double.count() == 0


def test_short_batch_reports_missing_pmids(double, make_settings):
    client = PubMed(make_settings())
    result = client.fetch(["99000001", "99000002", "88888888"])
    assert list(result.records) == ["99000001", "99000002"]
    assert result.missing == ("88888888",)


def test_pmid_for_doi(double, make_settings):
    double.add_search("10.9999/fixture.0001[doi]", ["99000001"])
    client = PubMed(make_settings())
    assert client.pmid_for_doi("doi:10.9999/fixture.0001") == "99000001"
    assert client.pmid_for_doi("10.9999/unknown") is None
    with pytest.raises(InputError, match="not a DOI"):
        client.pmid_for_doi("fixture.0001")


def test_every_error_derives_from_the_root():
    import evidence.errors as errors

    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type):
            assert issubclass(value, EvidenceError)
