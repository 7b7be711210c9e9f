"""Screenshots of charts of HTML reports, for the documentation (docs/img/).

    python docs/screenshots.py REPORT.html CHART_ID OUT.png [CHART_ID OUT.png ...]

Needs the test extras (``pip install -e '.[test]'``: Playwright's Python package) and
Debian's Chromium (``apt-get install chromium``; no browser is downloaded). Opens the
page in that Chromium (/usr/bin/chromium) through Playwright, headless,
at 1000 pixels wide, and saves each chart's section (title, question, chart and note)
as a PNG. The images in docs/img/ came from the flagship's reports:

    allocator solve cases/frontier-lab-2026.yaml --html solve.html
    allocator frontier cases/frontier-lab-2026.yaml --steps 6 --html frontier.html
    allocator sweep cases/frontier-lab-2026.yaml --draws 12 --seed 1 --html sweep.html
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(page_file: str, *pairs: str) -> None:
    """Save the section of each chart id in ``pairs`` to the PNG file that follows it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.goto(Path(page_file).resolve().as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        for chart, out in zip(pairs[::2], pairs[1::2], strict=True):
            page.locator(f"#chart-{chart}").screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
