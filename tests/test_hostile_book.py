"""Stored XSS, end to end: `evidence init` on an article written for this test, whose heading and claim carry an
``<img onerror>`` payload, with a study, an evidence row (outcome, follow-up, effect, rationale), a suggested wording
and the project's title carrying it too; `evidence report` builds the project's book and brief; every page, opened
in headless Chromium with the network off, shows the payload as text and never as an element, and no script runs.

The article, the study (PMID 99000001) and its evidence row are fixtures written for this test, not real data."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

from evidence.register.studies import EVIDENCE_COLUMNS, STUDY_COLUMNS

PAYLOAD = "<img src=x onerror=alert(1)>"
ARTICLE = f"""{PAYLOAD} Treatment

Studies show that {PAYLOAD} ketamine infusions reduce depression symptoms in 70% of patients within hours.
Talk to your doctor.
"""
EVIDENCE = Path(sys.executable).with_name("evidence")
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def append_row(path: Path, columns, values: dict[str, str]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n").writerow(
            {c: values.get(c, "") for c in columns})


def run(command, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NCBI_"))}
    env.update(EVIDENCE_MODE="offline", PYTHONHASHSEED="0")
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "project"
    article = folder.parent / "hostile-article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    made = run([str(EVIDENCE), "init", str(article), str(folder), "--title", f"Checking {PAYLOAD}"], ROOT)
    assert made.returncode == 0, made.stdout + made.stderr
    append_row(folder / "data" / "studies.csv", STUDY_COLUMNS, {
        "study_id": "pmid:99000001", "pmid": "99000001", "first_author": "Fixture", "year": "2020",
        "journal": "Test Journal", "title": f"A fixture {PAYLOAD} trial", "design": "rct", "n": "10",
        "population": PAYLOAD, "source_url": "https://example.org/fixture", "verified_on": "2026-01-01",
        "provenance": "curated"})
    append_row(folder / "data" / "evidence.csv", EVIDENCE_COLUMNS, {
        "claim_id": "C01", "study_id": "pmid:99000001", "stance": "supports", "outcome_measured": PAYLOAD,
        "follow_up": PAYLOAD, "effect": PAYLOAD, "rationale": f"Because {PAYLOAD} says so."})
    append_row(folder / "data" / "wording.csv", ("claim_id", "wording"), {"claim_id": "C01", "wording": PAYLOAD})
    report = run([str(EVIDENCE), "report"], folder)
    assert report.returncode == 0, report.stdout[-2000:] + report.stderr[-2000:]
    return folder / "site"


def test_the_payload_never_becomes_an_element_on_any_page(site):
    if CHROMIUM is None:
        pytest.skip("Chromium not installed (python3 tasks.py test installs it as root)")
    from playwright.sync_api import sync_playwright

    shown_on, dialogs = set(), []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        pages = sorted(site.glob("*.html"))
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            assert page.locator("img[src='x'], img[onerror], [onerror]").count() == 0, path.name
            if PAYLOAD in page.locator("body").inner_text():
                shown_on.add(path.name)
        context.close()
        browser.close()
    assert dialogs == [], f"a script ran: {dialogs}"
    assert {"index.html", "00-overview.html", "01-claims.html", "brief.html"} <= shown_on, shown_on


def test_the_claims_section_shows_every_field_as_text(site):
    section = (site / "01-claims.html").read_text(encoding="utf-8")
    assert "<img src=x" not in section and "<img src=&quot;x" not in section
    escaped = PAYLOAD.replace("<", "&lt;").replace(">", "&gt;")
    # statement (heading), section, quote, outcome, follow-up, effect and rationale: seven places at least
    assert section.count(escaped) >= 7, section.count(escaped)
