"""ClaimReview and the writer's brief: the JSON-LD carries the fields fact-check consumers require (schema.org
ClaimReview; Google's fact-check markup: claimReviewed, reviewRating with alternateName, url, author), the verdict
scale is checked as a rule table, and the brief names every claim, its wording and the studies to cite, with the
same ClaimReview embedded in its head."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser

import pytest
from support import ROOT

import evidence.rules as rules
from evidence import cli
from evidence.errors import DataError, EvidenceError, RuleError
import datetime as dt

from evidence.judge.verdict import assess_project
from evidence.present.brief import find_chromium, print_pdf, render_brief
from evidence.present.claimreview import claim_review, claim_reviews, rating_scale
from evidence.present.exports import key_studies
from evidence.register.project import ProjectConfig, load_config, load_project
from evidence.vocab import VERDICTS

FULL = load_project(ROOT)
REGISTER = FULL.register
ASSESSMENTS = assess_project(FULL)
PROJECT = FULL.config
WORDING = FULL.wording
REVIEWS = claim_reviews(ASSESSMENTS, project=PROJECT, wording=WORDING)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("EVIDENCE_MODE", "offline")


def test_every_claim_has_a_review_with_the_required_fields():
    assert len(REVIEWS) == len(REGISTER.claims)
    for review, assessment in zip(REVIEWS, ASSESSMENTS):
        claim = assessment.claim
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == claim.quote and claim.quote
        assert review["url"].endswith(f"brief.html#claim-{claim.claim_id}")
        assert review["author"]["@type"] == "Organization" and review["author"]["name"] == PROJECT.publisher
        assert review["datePublished"] == PROJECT.snapshot_date.isoformat() == "2026-11-25"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", review["datePublished"])
        item = review["itemReviewed"]
        assert item["@type"] == "Claim" and item["appearance"][0]["@type"] == "CreativeWork"
        assert item["appearance"][0]["name"] == PROJECT.article
        assert "url" not in item["appearance"][0]  # evidence.toml gives no address for the article: none is made up
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and (rating["worstRating"], rating["bestRating"]) == (1, 5)
        assert (rating["ratingValue"], rating["alternateName"]) == rating_scale()[assessment.verdict]
        assert isinstance(rating["ratingValue"], int) and 1 <= rating["ratingValue"] <= 5
        assert assessment.verdict in review["reviewBody"] and assessment.certainty in review["reviewBody"]


def test_the_scale_falls_as_the_verdicts_weaken_and_uses_both_ends():
    values = [rating_scale()[v][0] for v in VERDICTS]
    assert values == sorted(values, reverse=True)
    assert (values[0], values[-1]) == (5, 1)
    assert len({rating_scale()[v][1] for v in VERDICTS}) == len(VERDICTS)  # each verdict has its own name


def test_a_contradicted_claim_is_rated_one_and_named_so():
    from dataclasses import replace

    contradicted = replace(ASSESSMENTS[0], verdict="contradicted")  # none of the article's claims is
    rating = claim_review(contradicted, project=PROJECT)["reviewRating"]
    assert (rating["ratingValue"], rating["alternateName"]) == (1, "Contradicted by the evidence")


def test_the_article_url_and_site_address_are_used_when_given():
    project = ProjectConfig(title="t", snapshot_date=dt.date(2024, 1, 31), article="an article",
                            article_url="https://example.org/a", site_url="https://ex.org/")
    review = claim_review(ASSESSMENTS[0], project=project)
    assert review["itemReviewed"]["appearance"][0]["url"] == "https://example.org/a"
    assert review["url"] == f"https://ex.org/brief.html#claim-{ASSESSMENTS[0].claim.claim_id}"


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("contradicted,1,", "debunked,1,"), r"verdict 'debunked' is not a verdict"),
    (lambda t: t.replace("contradicted,1,", "contradicted,0,"), r"rating_value '0' is not a whole number from 1 to 5"),
    (lambda t: t.replace("mixed,3,", "weak,3,"), r"verdict 'weak' is mapped twice"),
])
def test_a_broken_scale_names_the_table_and_row(monkeypatch, change, message):
    shipped = rules.table_text
    text = change(shipped("claimreview_scale"))
    monkeypatch.setattr(rules, "table_text", lambda name: text if name == "claimreview_scale" else shipped(name))
    rules.rule_rows.cache_clear()
    try:
        with pytest.raises(RuleError, match=r"rules/claimreview_scale.csv, row \d+: " + message):
            rating_scale()
    finally:
        monkeypatch.setattr(rules, "table_text", shipped)
        rules.rule_rows.cache_clear()


def test_evidence_toml_rejects_unknown_settings_bad_addresses_and_a_missing_snapshot_date(tmp_path):
    date = 'snapshot_date = "2024-01-31"\n'
    (tmp_path / "evidence.toml").write_text('title = "x"\narticle_url = "example.org"\n' + date, encoding="utf-8")
    with pytest.raises(DataError, match=r"evidence.toml, column 'article_url': .* not an http\(s\) address"):
        load_config(tmp_path)
    (tmp_path / "evidence.toml").write_text('title = "x"\nauthor = "me"\n' + date, encoding="utf-8")
    with pytest.raises(DataError, match=r"unknown setting 'author'"):
        load_config(tmp_path)
    (tmp_path / "evidence.toml").write_text('title = "x"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"snapshot_date '' is not a date"):
        load_config(tmp_path)
    (tmp_path / "evidence.toml").write_text(date, encoding="utf-8")
    assert load_config(tmp_path).title == tmp_path.name
    assert load_config(tmp_path).entrez_date == "2024/01/31"
    (tmp_path / "evidence.toml").unlink()
    with pytest.raises(DataError, match=r"evidence.toml: the file is missing. Fix: .*snapshot_date"):
        load_config(tmp_path)


def test_claimreview_command_writes_one_claim(capsys):
    assert cli.main(["claimreview", "--claim", "C04"]) == 0
    review = json.loads(capsys.readouterr().out)
    assert review["url"].endswith("#claim-C04") and review["claimReviewed"] == REGISTER.claim("C04").quote


class _Collect(HTMLParser):
    """The brief's JSON-LD, its claim sections and its visible text."""

    def __init__(self):
        super().__init__()
        self.jsonld, self.sections, self.text, self._in_jsonld = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_jsonld = tag == "script" and attrs.get("type") == "application/ld+json"
        if tag == "section" and attrs.get("id", "").startswith("claim-"):
            self.sections.append(attrs["id"][6:])

    def handle_endtag(self, tag):
        self._in_jsonld = False

    def handle_data(self, data):
        (self.jsonld if self._in_jsonld else self.text).append(data)


BRIEF = render_brief(ASSESSMENTS, project=PROJECT, wording=WORDING, review=FULL.review)


def test_the_brief_names_every_claim_with_its_words_verdict_wording_and_studies():
    page = _Collect()
    page.feed(BRIEF)
    text = " ".join(" ".join(page.text).split())
    assert page.sections == [c.claim_id for c in REGISTER.claims]
    for assessment in ASSESSMENTS:
        claim = assessment.claim
        assert " ".join(claim.quote.split()) in text
        assert f"{claim.claim_id} · {assessment.verdict} {assessment.certainty} certainty" in text
        if claim.claim_id in WORDING:
            assert " ".join(WORDING[claim.claim_id].split()) in text
        for study in key_studies(assessment):
            assert f'href="{study.link}"' in BRIEF.replace("&amp;", "&")
    assert "The article as a whole" in text


def test_the_brief_embeds_the_claimreviews_and_is_stable():
    page = _Collect()
    page.feed(BRIEF)
    assert json.loads("".join(page.jsonld).replace("<\\/", "</")) == REVIEWS
    again = render_brief(ASSESSMENTS, project=PROJECT, wording=WORDING, review=FULL.review)
    assert again == BRIEF
    assert "<script src" not in BRIEF and "http://" not in BRIEF.split("<body>")[0].replace("https://schema.org", "")


def test_brief_command_writes_the_page_with_links_into_the_site(tmp_path, capsys):
    out = tmp_path / "brief.pdf"
    assert cli.main(["brief", "--html-only", "--out", str(out)]) == 0
    page = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert 'href="' in page and not (tmp_path / "brief.pdf").exists()
    link = re.search(r'href="([^"]+#claim-C04)"', page).group(1)
    assert (tmp_path / link.split("#")[0]).resolve() == (ROOT / "site" / "03-efficacy.html").resolve()


CHROMIUM = find_chromium()


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Chromium not installed")
def test_the_brief_prints_to_a_pdf_that_names_every_claim(tmp_path):
    from pypdf import PdfReader

    assert CHROMIUM is not None, "Chromium is missing: `python3 tasks.py test` installs Debian's chromium package."
    page = tmp_path / "brief.html"
    page.write_text(BRIEF, encoding="utf-8")
    pdf = print_pdf(page, tmp_path / "out" / "brief.pdf", chromium=CHROMIUM)
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 1
    text = " ".join(p.extract_text() for p in reader.pages)
    for claim in REGISTER.claims:
        assert claim.claim_id in text
    assert "Writer's brief" in text


def test_a_chromium_that_fails_is_reported_with_what_to_do(tmp_path):
    page = tmp_path / "brief.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"Chromium could not print brief.html .* Fix: check that"):
        print_pdf(page, tmp_path / "brief.pdf", chromium=shutil.which("false"))
    assert not (tmp_path / "brief.pdf").exists()


def test_evidence_chromium_names_the_browser_that_prints(tmp_path):
    from evidence.settings import Settings

    browser = tmp_path / "my-chromium"
    browser.write_text("#!/bin/sh\n", encoding="utf-8")
    browser.chmod(0o755)
    settings = Settings.from_env({"EVIDENCE_CHROMIUM": str(browser)}, root=ROOT)
    assert find_chromium(settings.chromium) == str(browser)
    assert find_chromium(str(tmp_path / "absent")) is None
