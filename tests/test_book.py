"""The book: built once from the committed notebooks, it equals the committed site/ byte for byte,
and in headless Chromium with the network switched off it shows the verdict matrix linked to each
claim's section, finds text with its search box, and requests nothing from any other host. At a laptop's width
(1,366 px) and a phone's (390 px) no element of any page reaches past the main column: wide tables scroll in their
own box."""

from __future__ import annotations

import json
import os
import shutil
from urllib.parse import urlsplit

import pytest
from support import ROOT

from evidence.present.book import claim_links
from evidence.present.execute import notebook_paths
from evidence.present.report import build_project_book
from evidence.present.workspace import load_workspace
from evidence.settings import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOTEBOOKS = notebook_paths(ROOT)


@pytest.fixture(scope="module")
def workspace():
    return load_workspace(Settings.from_env({"EVIDENCE_MODE": "offline"}, root=ROOT))


@pytest.fixture(scope="module")
def book(tmp_path_factory, workspace):
    out = tmp_path_factory.mktemp("book") / "site"
    build_project_book(workspace, out, staging=tmp_path_factory.mktemp("staging"), progress=lambda message: None)
    return out


def test_the_committed_site_is_what_the_code_builds(book):
    built = sorted(p.relative_to(book).as_posix() for p in book.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ROOT / "site").as_posix() for p in (ROOT / "site").rglob("*") if p.is_file())
    assert built == committed, "site/ is stale: run `python3 tasks.py report`"
    for name in built:
        assert (book / name).read_bytes() == (ROOT / "site" / name).read_bytes(), f"site/{name} differs"


def test_every_claim_links_to_its_own_section(workspace):
    links = claim_links(NOTEBOOKS, workspace.assessments())
    assert sorted(links) == sorted(c.claim_id for c in workspace.register.claims)
    for claim in workspace.register.claims:
        page, anchor = links[claim.claim_id].split("#")
        assert page.split("-", 1)[1] == f"{claim.group}.html" and anchor == f"claim-{claim.claim_id}"


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: `python3 tasks.py test` installs Debian's chromium package.",
                        pytrace=False)
        pytest.skip("Chromium not installed (python3 tasks.py test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page with the network switched off that records every request it makes."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


def outside_hosts(urls):
    return sorted({urlsplit(u).hostname for u in urls if urlsplit(u).scheme not in ("file", "data", "about", "blob")
                   and urlsplit(u).hostname not in ("127.0.0.1", "localhost", "::1")})


def test_front_page_matrix_links_every_claim_to_its_anchor(book, page, workspace):
    page.goto((book / "index.html").as_uri())
    page.wait_for_load_state("load")
    matrix = page.locator("#verdict-matrix table")
    assert matrix.count() == 1
    for claim in workspace.register.claims:
        link = matrix.locator(f"a:text-is('{claim.claim_id}')")
        assert link.count() == 1, claim.claim_id
    matrix.locator("a:text-is('C04')").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("#claim-C04")
    assert page.locator("#claim-C04").count() == 1
    assert page.locator("#evidence-C04, [id^='T_evidence-C04']").count() >= 1
    assert outside_hosts(page.requests) == []


def test_front_page_shows_the_scorecard_and_links_the_brief(book, page, workspace):
    page.goto((book / "index.html").as_uri())
    rows = page.locator("#scorecard table tbody tr")
    assert rows.count() == 10
    page.locator("a[href='brief.html']").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("brief.html")
    assert page.locator("section.claim[id^='claim-']").count() == len(workspace.register.claims)
    reviews = json.loads(page.locator("script[type='application/ld+json']").inner_text())
    assert [r["url"].split("#")[1] for r in reviews] == [f"claim-{c.claim_id}" for c in workspace.register.claims]
    page.locator("#claim-C04 a:text-is('full evidence')").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("#claim-C04") and page.locator("#claim-C04").count() == 1
    assert outside_hosts(page.requests) == []


def test_search_box_finds_a_trial(book, page):
    page.goto((book / "index.html").as_uri())
    assert page.locator("form[action*='search'] input[name='q']").count() >= 1
    page.goto((book / "search.html").as_uri() + "?q=midazolam")
    page.wait_for_selector("#search-results .search-summary", timeout=20_000)
    found = page.locator("#search-results li a").all_inner_texts()
    assert any("Efficacy" in text for text in found), found
    assert outside_hosts(page.requests) == []


def test_no_page_requests_an_outside_host_or_shows_an_error(book, page):
    for path in sorted(book.glob("*.html")):
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert "Traceback (most recent call last)" not in page.content(), path.name
    assert outside_hosts(page.requests) == []
    assert page.requests, "the pages loaded nothing at all"


def test_screenshot_of_the_front_page(book, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.goto((book / "index.html").as_uri())
    shot = page.screenshot(path=str(tmp_path / "index.png"), full_page=False)
    assert shot.startswith(b"\x89PNG") and len(shot) > 20_000


# Every element of the main column that is not inside a box of its own that scrolls or clips (a wide table's, a code
# block's) must lie within the column; and the page itself must not scroll sideways.
OVERFLOW = """() => {
  const main = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const limit = main.getBoundingClientRect();
  const wider = [];
  for (const element of main.querySelectorAll('*')) {
    let parent = element.parentElement, boxed = false;
    while (parent && parent !== main) {
      if (getComputedStyle(parent).overflowX !== 'visible') { boxed = true; break; }
      parent = parent.parentElement;
    }
    const box = element.getBoundingClientRect();
    if (boxed || box.width === 0 || box.height === 0) continue;
    if (box.right > limit.right + 1 || box.left < limit.left - 1) {
      wider.push(`${element.tagName.toLowerCase()}.${element.className} ${Math.round(box.left)}-${Math.round(box.right)}`
                 + ` past ${Math.round(limit.left)}-${Math.round(limit.right)}: ${(element.textContent || '').slice(0, 50)}`);
    }
  }
  return {wider, scroll: document.scrollingElement.scrollWidth};
}"""


@pytest.mark.parametrize("width", [1366, 390])
def test_no_element_of_any_page_is_wider_than_the_main_column(book, browser, width):
    context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for path in sorted(book.glob("*.html")):
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            found = page.evaluate(OVERFLOW)
            assert found["wider"] == [], f"{path.name} at {width} px: {found['wider'][:5]}"
            assert found["scroll"] <= width, f"{path.name} scrolls sideways at {width} px"
    finally:
        context.close()


def test_the_front_page_matrix_is_compact(book, page):
    page.goto((book / "index.html").as_uri())
    headers = page.locator("#verdict-matrix table thead th").all_inner_texts()
    assert headers == ["claim_id", "claim", "verdict", "certainty", "rests on"]


def test_the_authorities_column_lists_each_body_once(book, page, workspace):
    page.goto((book / "00-overview.html").as_uri())
    table = page.locator("table#T_verdict-matrix")
    column = table.locator("thead th").all_inner_texts().index("authorities")
    rows = table.locator("tbody tr")
    assessments = workspace.assessments()
    assert rows.count() == len(assessments)
    for i, assessment in enumerate(assessments):
        expected = list(dict.fromkeys(a.body for a in assessment.authorities if a.position != "not addressed"))
        cell = rows.nth(i).locator("td").nth(column).inner_text().strip()
        entries = [e for e in cell.split("; ") if e]
        bodies = [max((b for b in expected if e.startswith((f"{b} ", f"{b}:"))), key=len, default=e) for e in entries]
        assert bodies == expected, (assessment.claim.claim_id, cell)
