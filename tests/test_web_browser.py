"""The web app in a real browser: Debian's Chromium, driven by Playwright, against a real uvicorn server.

What a person would do: load the page, run the built-in scenario and see the
probability chart, fix a parameter in one period and see the chart change, upload a
broken scenario and read the located error, download the results, open the report,
compare two runs (and pair them), and ask a what-if, a score and a sensitivity
question.  Screenshots go to ``$PIVOTAL_SCREENSHOTS`` or
``tests/artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pivotal.scenario import ScenarioError, builtin_scenario, parse_scenario

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = 30_000

MISSING = (
    "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does it)"
)
if not CHROMIUM.exists() and os.environ.get("PIVOTAL_REQUIRE_BROWSER"):
    # CI sets PIVOTAL_REQUIRE_BROWSER: there a missing browser fails the run instead of skipping it.
    pytest.fail(MISSING, pytrace=False)
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=MISSING)


def screenshot_folder() -> Path:
    folder = Path(os.environ.get("PIVOTAL_SCREENSHOTS") or ROOT / "tests" / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the server's store."""
    return tmp_path_factory.mktemp("pivotal-home")


@pytest.fixture(scope="module")
def server(server_home: Path) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread, over its own empty store."""
    from pivotal.web import create_app
    from pivotal.web.server import running_server

    home = server_home
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIVOTAL_HOME", str(home))
        patch.setenv("MPLCONFIGDIR", str(home / "mpl"))
        app = create_app(home / "runs.duckdb", allowed_hosts=["127.0.0.1"])
        with running_server(app) as url:
            yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, server: str, width: int = 1400):
    """A page of the app and the errors it meets: script errors, console errors, 4xx/5xx answers."""
    context = browser.new_context(viewport={"width": width, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on(
        "response",
        lambda answer: errors.append(f"{answer.status} {answer.url}") if answer.status >= 400 else None,
    )
    page.goto(server)
    page.wait_for_selector("body[data-ready=yes]")
    return context, page, errors


@pytest.fixture
def page(browser, server):
    context, page, errors = open_page(browser, server)
    page.errors = errors  # a test that provokes an error answer takes it off this list
    yield page
    context.close()
    assert errors == [], f"errors on the page: {errors}"


def run_from_page(page, draws: int = 400, seed: int = 5) -> str:
    """Press Run and wait until the new run's charts are in; returns its id."""
    shown = page.get_attribute("#charts", "data-run") or ""
    page.fill("#draws", str(draws))
    page.fill("#seed", str(seed))
    page.click("#run-button")
    page.wait_for_function(
        "shown => { const r = document.getElementById('charts').dataset.run; return r && r !== shown; }",
        arg=shown,
    )
    return page.get_attribute("#charts", "data-run") or ""


def test_a_63_bit_seed_is_shown_as_typed(page):
    """A seed past 2^53 printed through a JavaScript number lost its last digits (…192000)."""
    run_from_page(page, draws=50, seed=6108892268037191662)
    assert "seed 6108892268037191662" in page.inner_text("#run-meta")


def plotted(page, chart: str) -> dict:
    """What a chart shows, read from the Plotly figure on the page: title, series names and values."""
    page.wait_for_selector(f"#figure-{chart} .main-svg")
    return page.evaluate(
        """name => {
        const node = document.getElementById(`figure-${name}`);
        return { title: node.layout.title.text, names: node.data.map((t) => t.name || ""),
                 ys: node.data.map((t) => (t.y || []).map(String)), run: node.dataset.run };
    }""",
        chart,
    )


def test_run_see_the_chart_then_fix_a_parameter_in_one_period_and_see_it_change(page):
    first = run_from_page(page)
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert page.get_attribute("#progress", "value") == "400"
    assert "done: 400 / 400 draws" in page.inner_text("#progress-text")
    before = plotted(page, "probabilities")
    assert before["title"] == "Probabilities per period: Azerbaijan and Armenia, Russia as pivot"
    assert "major offensive" in before["names"]
    assert page.inner_text("#run-meta").startswith(f"run {first} · 400 draws · seed 5")
    page.screenshot(path=str(screenshot_folder() / "01-after-run.png"), full_page=True)

    war_cost = page.locator('.param[data-name="war_cost"] .piece').last
    assert war_cost.locator(".span").inner_text() == "2024–2025"
    page.fill("#value-war_cost-3", "0.01")
    assert page.is_checked("#fix-war_cost-3")  # typing a value fixes the parameter in that period
    assert not page.is_checked("#fix-war_cost-0")
    second = run_from_page(page)
    after = plotted(page, "probabilities")
    assert second != first and after["run"] == second and after["ys"] != before["ys"]
    assert "war_cost=0.01@2024-2025" in page.inner_text("#run-meta")
    page.screenshot(path=str(screenshot_folder() / "02-after-fixing-war-cost.png"), full_page=True)


def test_parameters_show_their_meaning_and_their_values_period_by_period(page):
    prize = page.locator('.param[data-name="prize"]')
    assert prize.locator(".meaning").is_visible()
    assert prize.locator(".meaning").inner_text() == "value to the challenger of what is contested now"
    pieces = prize.locator(".piece")
    assert [pieces.nth(i).locator(".span").inner_text() for i in range(pieces.count())] == [
        "1994–2020-09-27",
        "2020-12-11–2023",
        "2024–2025",
    ]  # the 2020 war, then Hadrut, as episodes
    assert page.input_value("#value-prize-0") == "1" and page.input_value("#value-prize-2") == "0.15"
    assert pieces.nth(1).locator(".hint").inner_text() == "scenario: 0.20–0.60, most likely 0.35"
    page.fill("#parameter-filter", "shield")
    shown = [
        n
        for n in page.locator("#parameter-list .param").evaluate_all(
            "rows => rows.filter((r) => !r.hidden).map((r) => r.dataset.name)"
        )
    ]
    assert shown == ["patron_shield"]


def test_charts_name_actors_and_commitments_in_words(page):
    run_from_page(page, draws=100, seed=3)
    labels = " ".join(" ".join(map(str, ys)) for ys in plotted(page, "commitments")["ys"])
    assert "Collective Security Treaty" in labels and "Iran backs Armenia" in labels
    assert "cst-art4" not in labels and "IRN" not in labels
    assert "begun by Azerbaijan" in plotted(page, "episodes")["names"]
    network = page.evaluate(
        "() => document.getElementById('figure-network').data.flatMap((t) => t.text || [])"
    )
    assert "Russia" in network and "RUS" not in network
    assert page.locator("#figure-network .slider-container").count() == 1  # one graph, a year slider


def test_a_new_title_never_sits_over_the_previous_runs_charts(page, tiny_path):
    run_from_page(page, draws=100, seed=4)
    # Whatever changes first (the title or a chart), every frame painted must show one run's pair.
    page.evaluate("""() => {
        window.seen = [];
        const sample = () => window.seen.push([
            document.getElementById('run-title').textContent,
            document.querySelector('#figure-probabilities .gtitle').textContent]);  // as drawn
        const watch = new MutationObserver(() => requestAnimationFrame(sample));
        for (const id of ['run-title', 'charts']) {
            watch.observe(document.getElementById(id),
                          { childList: true, characterData: true, subtree: true, attributes: true });
        }
    }""")
    page.set_input_files("#upload", str(tiny_path))
    page.wait_for_function("() => document.getElementById('scenario').value.startsWith('upload:')")
    run_from_page(page, draws=100)
    seen = page.evaluate("() => window.seen")
    assert seen and all(("Tiny" in title) == ("Pivotia" in chart) for title, chart in seen), seen


def test_the_page_fits_a_phone(browser, server):
    context, phone, errors = open_page(browser, server, width=390)
    try:
        run_from_page(phone, draws=100, seed=2)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(screenshot_folder() / "07-phone.png"))
    finally:
        context.close()
    assert errors == []


def test_a_broken_upload_shows_the_located_error(page, tmp_path, tiny_text):
    broken = tiny_text.replace("low: 0.5, mode: 0.6, high: 0.7", "low: 0.5, mode: 0.6, high: 1.4", 1)
    path = tmp_path / "my.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ScenarioError) as expected:
        parse_scenario(broken, source="my.yaml")
    page.set_input_files("#upload", str(path))
    page.wait_for_selector("#scenario-error:not([hidden])")
    shown = page.inner_text("#scenario-error")
    assert shown == str(expected.value)
    assert shown.startswith("my.yaml:") and "parameters.balance[0].high: expected" in shown
    assert any(e.startswith("422 ") and e.endswith("/api/scenarios/upload") for e in page.errors)
    page.errors.clear()  # the refusal was the point
    page.screenshot(path=str(screenshot_folder() / "03-broken-upload.png"), full_page=True)


def test_a_valid_upload_runs(page, tiny_path):
    page.set_input_files("#upload", str(tiny_path))
    page.wait_for_function("() => document.getElementById('scenario').value.startsWith('upload:')")
    assert "valid scenario 'tiny-triangle'" in page.inner_text("#upload-status")
    assert page.inner_text('.param[data-name="war_cost"] .piece .span') == "2001–2003"
    run_from_page(page, draws=200)
    assert page.inner_text("#run-title") == "Tiny triangle"


def test_download_the_results(page):
    run_id = run_from_page(page, draws=300, seed=9)
    with page.expect_download() as download:
        page.click("#download-csv")
    assert download.value.suggested_filename == f"pivotal-{run_id}.csv"
    with open(download.value.path(), encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:6] == ["period", "pivot", "challenger", "target", "belief_source", "p_challenge"]
    with page.expect_download() as parquet:
        page.click("#download-parquet")
    assert Path(parquet.value.path()).read_bytes()[:4] == b"PAR1"


def test_open_the_report(page):
    run_id = run_from_page(page, draws=300, seed=10)
    with page.context.expect_page() as opened:
        page.click("#report-link")
    report = opened.value
    report.wait_for_load_state()
    assert report.url.endswith(f"/runs/{run_id}/report")
    assert run_id in report.content()
    report.screenshot(path=str(screenshot_folder() / "04-report.png"))


def test_compare_two_runs(page):
    run_from_page(page, draws=300, seed=1)
    page.fill("#value-patron_shield-4", "0.9")
    run_from_page(page, draws=300, seed=1)
    page.select_option("#compare-metric", "p_offensive")
    page.click("#compare-button")
    page.wait_for_selector("#compare-table:not([hidden]) tbody tr")
    rows = page.locator("#compare-table tbody tr")
    assert rows.count() == len(builtin_scenario().timeline)  # a row per period, episodes included
    assert rows.first.locator("td").first.inner_text() == "1994"
    assert page.is_hidden("#compare-note")  # same seed and draws: paired, no warning
    page.screenshot(path=str(screenshot_folder() / "05-compare.png"), full_page=True)


def test_an_unpaired_comparison_says_so_and_can_be_paired(page):
    first = run_from_page(page, draws=300, seed=11)
    page.fill("#value-patron_shield-4", "0.9")
    second = run_from_page(page, draws=200, seed=12)
    page.select_option("#compare-a", first)
    page.select_option("#compare-b", second)
    page.click("#compare-button")
    page.wait_for_selector("#compare-note:not([hidden])")
    assert page.inner_text("#compare-note-text").startswith(
        "Not paired: the runs differ in seeds (11 and 12) and draws (300 and 200)"
    )
    assert page.is_visible("#pair-button")
    page.click("#pair-button")
    page.wait_for_function(
        "b => { const v = document.getElementById('compare-b').value; return v && v !== b "
        "&& document.getElementById('compare-note').hidden; }",
        arg=second,
    )
    assert page.input_value("#compare-a") == first
    assert "patron_shield=0.9@2021-2025" in page.inner_text("#run-meta")
    assert "300 draws · seed 11" in page.inner_text("#run-meta")


def ask(page, task: str) -> str:
    """Ask the chosen question and wait for its analysis to be shown; returns the analysis id."""
    shown = page.get_attribute("#analysis", "data-analysis") or ""
    page.check(f"input[name=task][value={task}]")
    page.click("#run-button")
    page.wait_for_function(
        "shown => { const a = document.getElementById('analysis').dataset.analysis; "
        "return a && a !== shown; }",
        arg=shown,
        timeout=120_000,
    )
    return page.get_attribute("#analysis", "data-analysis") or ""


def test_a_what_if_from_the_page(page):
    page.check("input[name=task][value=whatif]")
    page.click("#run-button")
    assert page.inner_text("#run-error") == (
        "a what-if needs a change: fix at least one parameter value under Parameters"
    )
    page.fill("#value-patron_shield-1", "0.9")
    page.fill("#draws", "200")
    page.fill("#seed", "3")
    ask(page, "whatif")
    assert page.inner_text("#run-button") == "Run the what-if"
    assert "200 draws · seed 3 · patron_shield=0.9@2010-2015" in page.inner_text("#analysis-meta")
    chart = page.evaluate("() => document.getElementById('analysis-chart').layout.title.text")
    assert chart == "What if: patron_shield=0.9@2010-2015"
    page.locator("#analysis").screenshot(path=str(screenshot_folder() / "08-what-if.png"))


def test_a_score_and_a_sensitivity_analysis_from_the_page(page):
    page.fill("#draws", "40")
    page.fill("#seed", "1")
    ask(page, "score")
    assert "Forecasts scored against the record" in page.inner_text("#analysis-title")
    assert page.locator("#analysis-lines li").count() >= 1
    page.check("input[name=task][value=sensitivity]")
    assert page.is_hidden("#draws")
    page.select_option("#sensitivity-samples", "256")
    page.fill("#sensitivity-from", "2020")
    ask(page, "sensitivity")
    assert "What drives the output" in page.inner_text("#analysis-title")
    assert page.evaluate("() => document.getElementById('analysis-chart').layout.title.text").startswith(
        "What drives mean p_offensive over 2020-2025 (N = 256)"
    )
    page.locator("#analysis").screenshot(path=str(screenshot_folder() / "09-sensitivity.png"))


def test_passages_of_added_documents_show_beside_a_parameter(page, server_home, tmp_path):
    from pivotal.evidence import EvidenceStore, ingest

    note = tmp_path / "overstretch.md"
    note.write_text(
        "# Overstretch\n\nRussia's capacity is tied up in Ukraine: a large share of its army "
        "and of the pivot's capacity is held down far from the Caucasus.\n",
        encoding="utf-8",
    )
    ingest([note], EvidenceStore(server_home / "runs.duckdb"))
    page.reload()
    page.wait_for_selector("body[data-ready=yes]")
    details = page.locator('.param[data-name="pivot_distraction"] details.evidence')
    details.locator("summary").click()
    assert "1 passage in your documents" in details.inner_text()
    assert "Overstretch, ¶" in details.inner_text() and "tied up in Ukraine" in details.inner_text()
    page.locator('.param[data-name="pivot_distraction"]').screenshot(
        path=str(screenshot_folder() / "06-passages-beside-a-parameter.png")
    )
