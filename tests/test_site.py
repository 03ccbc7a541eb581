"""The rendered site, opened in headless Chromium: the index shows the verdict matrix, no page
shows an error output, and a screenshot is taken."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from support import ROOT

from evidence.claims import load_claims
from evidence.site import build_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: `python3 tasks.py test` installs Debian's chromium package.", pytrace=False)
    pytestmark = pytest.mark.skip(reason="Chromium not installed (python3 tasks.py test installs it as root)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(out, root=ROOT, progress=lambda message: None)
    return out


def chromium(*args, tmp_path):
    profile = tmp_path / "profile"
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_index_shows_the_verdict_matrix(site, tmp_path):
    dom = chromium("--dump-dom", (site / "index.html").as_uri(), tmp_path=tmp_path)
    assert 'id="verdict-matrix"' in dom
    table = dom[dom.index('id="verdict-matrix"'):]
    for claim in load_claims(ROOT / "claims.csv"):
        assert re.search(rf">\s*{claim.claim_id}\s*<", table), claim.claim_id
    for page in sorted(p.name for p in site.glob("[0-9]*.html")):
        assert f'href="{page}"' in dom


def test_screenshot_of_the_index(site, tmp_path):
    shot = tmp_path / "index.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,1600", (site / "index.html").as_uri(), tmp_path=tmp_path)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000


def test_no_page_shows_an_error(site, tmp_path):
    for page in sorted(site.glob("*.html")):
        dom = chromium("--dump-dom", page.as_uri(), tmp_path=tmp_path)
        assert "jp-OutputArea-output" in dom or page.name == "index.html"  # outputs were rendered
        for marker in ("Traceback (most recent call last)", 'data-mime-type="application/vnd.jupyter.stderr"'):
            assert marker not in dom, f"{page.name}: {marker}"
