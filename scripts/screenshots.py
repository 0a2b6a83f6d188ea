"""Regenerate the README's pictures of the web app: ``docs/images/app.png`` and ``docs/images/report.png``.

Starts ``pivotal``'s web app on a free loopback port over a throw-away run
store, runs the built-in scenario from the page in Debian's Chromium (driven by
Playwright), and photographs the page after the run and the top of the run's
report.  Usage::

    python scripts/screenshots.py [--out docs/images] [--draws 20000] [--seed 42]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 960}


def take(out: Path, draws: int, seed: int) -> list[Path]:
    """Run the scenario in the app and write the two screenshots; returns their paths."""
    from playwright.sync_api import sync_playwright

    from pivotal.web import create_app
    from pivotal.web.server import running_server

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pivotal-screens-") as home:
        os.environ["PIVOTAL_HOME"] = home  # never touch the user's own runs
        os.environ.setdefault("MPLCONFIGDIR", str(Path(home) / "mpl"))
        app = create_app(Path(home) / "runs.duckdb", allowed_hosts=["127.0.0.1"])
        with running_server(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
                page.set_default_timeout(120_000)
                page.goto(url)
                page.wait_for_selector("body[data-ready=yes]")
                page.fill("#draws", str(draws))
                page.fill("#seed", str(seed))
                page.click("#run-button")
                page.wait_for_function("() => document.getElementById('charts').dataset.run")
                page.wait_for_selector("#figure-probabilities svg")
                app_png = out / "app.png"
                page.screenshot(path=str(app_png))
                page.goto(url + (page.get_attribute("#report-link", "href") or ""), wait_until="load")
                report_png = out / "report.png"
                page.screenshot(path=str(report_png))
            finally:
                browser.close()
    return [app_png, report_png]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="folder for the PNGs")
    parser.add_argument("--draws", type=int, default=20_000, help="Monte Carlo draws of the run shown")
    parser.add_argument("--seed", type=int, default=42, help="seed of the run shown")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(
            f"error: {CHROMIUM} not found; install Debian's chromium (apt-get install chromium)",
            file=sys.stderr,
        )
        return 1
    for path in take(args.out, args.draws, args.seed):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
