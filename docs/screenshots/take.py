"""Screenshots of the book for the README: the front page and one claim's section, at a laptop's width (1,366 px)
and a phone's (390 px), taken by headless Chromium with the network off from the committed site/.

    .venv/bin/python docs/screenshots/take.py      # after `python3 tasks.py report`; writes docs/screenshots/*.png
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
WIDTHS = {"laptop": (1366, 1500), "phone": (390, 1600)}
PAGES = {"front": ("index.html", None), "claim": ("03-efficacy.html", "claim-C04")}


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for device, (width, height) in WIDTHS.items():
            context = browser.new_context(offline=True, viewport={"width": width, "height": height})
            page = context.new_page()
            for name, (file, anchor) in PAGES.items():
                page.goto((ROOT / "site" / file).as_uri())
                page.wait_for_load_state("load")
                if anchor:
                    page.evaluate(f"document.getElementById('{anchor}').scrollIntoView()")
                path = OUT / f"{name}-{width}.png"
                page.screenshot(path=str(path))
                print(f"wrote {path.relative_to(ROOT)} ({device})")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
