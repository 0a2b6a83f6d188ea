"""Faults found by trying to break pivotal, each with the test that failed before its fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app

runner = CliRunner()
TINY = Path(__file__).parent / "data" / "tiny.yaml"


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- 1. no user text is ever read as Rich markup ------------------------------------------------


def test_a_scenario_title_with_brackets_is_run_shown_and_scored(tmp_path):
    path = tmp_path / "brackets.yaml"
    path.write_text(
        TINY.read_text(encoding="utf-8").replace("title: ", "title: Tiny [/bold] [red]x ", 1),
        encoding="utf-8",
    )
    run = invoke("run", str(path), "-n", "50", "-s", "1")
    assert run.exit_code == 0, run.output
    assert "Tiny [/bold] [red]x" in one_line(run.output) and "recorded run" in run.output
    run_id = one_line(run.output).split("recorded run ")[1].split()[0]
    shown = invoke("show", run_id)
    assert shown.exit_code == 0, shown.output
    assert "Tiny [/bold] [red]x" in one_line(shown.output)
    scored = invoke("score", str(path), "-n", "50", "--start", "2002")
    assert scored.exit_code == 0, scored.output


def test_brackets_in_paths_ids_and_settings_come_back_as_typed():
    missing = invoke("run", "x[/y].yaml")
    assert missing.exit_code == 1 and "x[/y].yaml" in one_line(missing.output)
    unknown = invoke("show", "[/x]")
    assert unknown.exit_code == 1 and "'[/x]'" in one_line(unknown.output)
    setting = invoke("whatif", "--set", "war_cost=[/b]", "-n", "10")
    assert setting.exit_code == 1 and "'[/b]'" in one_line(setting.output)


def test_error_messages_and_help_keep_their_square_brackets(tmp_path):
    path = tmp_path / "bad-id.yaml"
    path.write_text(TINY.read_text(encoding="utf-8").replace("id: tiny", "id: Tiny!", 1), encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert "^[a-z0-9][a-z0-9\\-]*$" in one_line(result.output)
    assert 'pip install "pivotal[jax]"' in one_line(invoke("run", "--help").output)
    assert 'pip install "pivotal[verify]"' in one_line(invoke("explain", "--help").output)


def test_evidence_titled_with_brackets_is_added_listed_and_searched(tmp_path):
    document = tmp_path / "report.md"
    document.write_text(
        "# Report [/bold] on war\n\nThe ridge was taken in [bold]two days[/bold] of war.\n", encoding="utf-8"
    )
    added = invoke("evidence", "add", str(document))
    assert added.exit_code == 0, added.output
    assert "Report [/bold] on war" in one_line(added.output)
    listed = invoke("evidence", "list")
    assert listed.exit_code == 0 and "Report [/bold] on war" in one_line(listed.output)
    found = invoke("evidence", "search", "war [/bold]")
    assert found.exit_code == 0, found.output
    assert "[bold]two days[/bold]" in one_line(found.output)


# --- 3. results are not computed only to be thrown away -------------------------------------------


def test_a_seed_the_store_cannot_hold_is_refused_before_any_work():
    for command in (
        ["run", str(TINY)],
        ["whatif", "--set", "war_cost=0.1", str(TINY)],
        ["score", str(TINY)],
        ["explain", "--period", "2002", str(TINY)],
    ):
        result = invoke(*command, "-s", str(2**63))
        assert result.exit_code == 2, (command, result.output)
        assert "--seed" in one_line(result.output)
    assert invoke("run", str(TINY), "-n", "20", "-s", str(2**63 - 1), "--json").exit_code == 0
    assert json.loads(invoke("run", str(TINY), "-n", "20", "-s", str(2**63 - 1), "--json").stdout)


# --- 4. one analysis cannot poison every later report ---------------------------------------------


def test_a_score_with_nothing_to_score_is_refused_before_any_work():
    result = invoke("score", str(TINY))
    assert result.exit_code == 2
    assert "no period from 2003 on has a record to score" in one_line(result.output)
    assert "no analyses recorded yet" in invoke("analyses").output  # nothing was stored


def test_an_empty_stored_analysis_is_passed_over_by_reports_and_can_be_removed(tmp_path):
    from pivotal.report.html import build_report
    from pivotal.scenario import load_scenario, scenario_hash
    from pivotal.store import RunStore

    run = invoke("run", str(TINY), "-n", "30", "-s", "1")
    run_id = one_line(run.output).split("recorded run ")[1].split()[0]
    scenario = load_scenario(TINY)
    store = RunStore()
    good = invoke("score", str(TINY), "-n", "30", "--start", "2002")
    assert good.exit_code == 0, good.output
    # What release 0.2 stored for a score with no period to score.
    empty = store.record_analysis(
        kind="score",
        scenario_id="tiny",
        scenario_hash=scenario_hash(scenario),
        draws=30,
        seed=0,
        settings={},
        result={"scores": [], "forecasts": []},
    )
    html = build_report(run_id, store)
    assert "Forecast scores against the record" in html  # the earlier, usable score is shown
    listed = one_line(invoke("analyses").output)
    assert empty in listed and "score" in listed
    removed = invoke("analyses", "--delete", empty[:6])
    assert removed.exit_code == 0 and f"removed score analysis {empty}" in one_line(removed.output)
    assert empty not in invoke("analyses").output
    assert invoke("analyses", "--delete", "nope").exit_code == 1


# --- 2. a store that cannot be used is one clear line, and is never written by a reader ------------


def _recorded_store(home: Path) -> Path:
    result = invoke("run", str(TINY), "-n", "30", "-s", "1")
    assert result.exit_code == 0, result.output
    return home / "runs.duckdb"


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "flipped bits":  # every block's contents, headers spared
        for i in range(3 * 4096 + 64, len(data), 97):
            data[i] ^= 0xFF
    else:  # half truncated
        data = data[: len(data) // 2]
    path.write_bytes(bytes(data))


def test_a_damaged_store_is_named_and_left_as_it_is(isolated_home):
    for how in ("flipped bits", "half truncated"):
        path = _recorded_store(isolated_home)
        _damage(path, how)
        before = path.read_bytes()
        for command in (["runs"], ["evidence", "list"], ["show", "abc"]):
            result = invoke(*command)
            assert result.exit_code == 1, (how, command, result.output)
            text = one_line(result.output)
            assert f"the run store {path} is damaged" in text, (how, command, text)
            assert "Traceback" not in result.output
        assert path.read_bytes() == before, f"{how}: a reader wrote into the damaged store"
        for extra in isolated_home.glob("runs.duckdb*"):
            extra.unlink()


def test_a_store_location_that_cannot_hold_a_store_is_refused_before_the_run(tmp_path, monkeypatch):
    afile = tmp_path / "not-a-folder"
    afile.write_text("x", encoding="utf-8")
    monkeypatch.setenv("PIVOTAL_HOME", str(afile))
    result = invoke("run", str(TINY), "-n", "30", "-s", "1")
    assert result.exit_code == 1 and "is a file, not a folder" in one_line(result.output)
    monkeypatch.setenv("PIVOTAL_HOME", "~no-such-user-of-pivotal/x")
    result = invoke("runs")
    assert result.exit_code == 1 and "cannot be used" in one_line(result.output)
    assert "Traceback" not in result.output


@pytest.fixture
def small_disk(tmp_path):
    """A real file system of 2 MB of its own (tmpfs), where this machine lets the tests mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)]
    if os.geteuid() != 0 or subprocess.run(command, capture_output=True).returncode != 0:
        pytest.skip("mounting a small file system needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(disk: Path) -> None:
    with (disk / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass


def test_a_full_disk_is_named_and_the_finished_results_are_still_printed(small_disk, monkeypatch):
    monkeypatch.setenv("PIVOTAL_HOME", str(small_disk / "home"))
    assert invoke("run", str(TINY), "-n", "30", "-s", "1").exit_code == 0
    _fill(small_disk)
    whatif = ["whatif", "--scenario", str(TINY), "--set", "prize=0.5", "-n", "30"]
    for command in (["run", str(TINY), "-n", "30", "-s", "2"], whatif):
        result = invoke(*command)
        text = one_line(result.output)
        assert result.exit_code == 1 and "the disk is full" in text, text
        assert "Tiny triangle" in text and "2003" in text, "the finished results were not printed"
        assert "computes them again" in text and "Traceback" not in result.output
    (small_disk / "filler").unlink()
    listed = invoke("runs")
    assert listed.exit_code == 0 and listed.output.count("tiny-triangle") >= 1


def test_a_store_on_a_read_only_file_system_is_read_and_not_written(small_disk, monkeypatch):
    monkeypatch.setenv("PIVOTAL_HOME", str(small_disk / "home"))
    assert invoke("run", str(TINY), "-n", "30", "-s", "1").exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    listed = invoke("runs")
    assert listed.exit_code == 0 and "tiny-triangle" in listed.output
    assert invoke("evidence", "list").exit_code == 0
    result = invoke("run", str(TINY), "-n", "30", "-s", "2")
    assert result.exit_code == 1 and "mounted read-only" in one_line(result.output)
    assert "Traceback" not in result.output


def test_the_web_app_answers_a_damaged_store_with_json(isolated_home):
    from fastapi.testclient import TestClient

    from pivotal.web.app import create_app

    path = _recorded_store(isolated_home)
    _damage(path, "half truncated")
    with TestClient(create_app(path)) as client:
        answer = client.get("/api/runs")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/json")
    assert "is damaged" in answer.json()["detail"]


def test_a_failed_write_reports_its_own_cause_not_the_rollback():
    import duckdb

    from pivotal.store.runstore import _roll_back

    con = duckdb.connect(":memory:")
    _roll_back(con)  # no transaction open (a failure already ended it): nothing raised
    con.close()


# --- 3 (cont.). finished work waits for a busy store instead of being thrown away -----------------


def test_a_finished_run_waits_for_a_store_held_past_the_timeout(isolated_home, monkeypatch):
    import threading
    import time

    from pivotal.store.runstore import _file_lock

    monkeypatch.setenv("PIVOTAL_LOCK_TIMEOUT", "0.3")
    assert invoke("runs").exit_code == 0
    isolated_home.mkdir(parents=True, exist_ok=True)
    lock = _file_lock(str(isolated_home / "runs.duckdb"))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    threading.Timer(1.5, release.set).start()
    started = time.monotonic()
    result = invoke("run", str(TINY), "-n", "30", "-s", "1")
    holder.join()
    assert result.exit_code == 0, result.output
    assert "waiting:" in result.output and "recorded run" in result.output
    assert time.monotonic() - started >= 1.0
    assert "tiny" in invoke("runs").output


def test_a_batch_of_documents_lets_other_processes_in_between_documents(tmp_path, monkeypatch):
    import threading

    from pivotal.evidence import EvidenceStore
    from pivotal.evidence.store import _Writer

    monkeypatch.setattr(_Writer, "HOLD_SECONDS", 0.0)  # as if each document took over a second
    from pivotal.evidence.readers import read_document
    from pivotal.store.runstore import _file_lock

    store = EvidenceStore(tmp_path / "runs.duckdb")
    document = tmp_path / "a.md"
    document.write_text("# A note\n\nThe ridge was quiet.\n", encoding="utf-8")
    acquired = []
    with store.writer() as writer:
        writer.add(read_document(document), None, [], [])

        def other() -> None:
            lock = _file_lock(str(store.path))
            try:
                lock.acquire(timeout=0.2)
                acquired.append(True)
                lock.release()
            except Exception:
                acquired.append(False)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert acquired == [True]


# --- 7. the surface: sizes, paths, words --------------------------------------------------------


def test_an_oversized_scenario_is_refused_without_reading_it_all(tmp_path):
    from pivotal.scenario.loader import MAX_DOCUMENT_BYTES

    big = tmp_path / "big.yaml"
    big.write_bytes(TINY.read_bytes() + b"#" * (MAX_DOCUMENT_BYTES + 1) + b"\n")
    result = invoke("validate", str(big))
    assert result.exit_code == 1
    assert "expected a scenario file of at most 2 MB" in one_line(result.output)


def test_a_report_to_a_missing_folder_is_refused_before_it_is_built(tmp_path):
    run = invoke("run", str(TINY), "-n", "30", "-s", "1")
    assert run.exit_code == 0
    result = invoke("report", "-o", str(tmp_path / "missing" / "x.html"))
    assert result.exit_code == 1 and "does not exist" in one_line(result.output)
    assert "Traceback" not in result.output


def test_a_scenario_given_as_an_overlay_is_named_for_what_it_is():
    result = invoke("whatif", str(TINY))
    assert result.exit_code == 1
    text = one_line(result.output)
    assert "a whole scenario" in text and "--scenario" in text and "unknown key" not in text
    assert (
        invoke("whatif", "--set", "war_cost=0.1", "--scenario", str(TINY), "-n", "20", "--no-store").exit_code
        == 0
    )


def test_the_web_app_says_which_methods_a_path_allows():
    from fastapi.testclient import TestClient

    from pivotal.web.app import create_app

    with TestClient(create_app()) as client:
        for method, path, allowed in (
            ("delete", "/api/runs", "GET, POST"),
            ("post", "/api/meta", "GET"),
            ("delete", "/", "GET"),
        ):
            answer = getattr(client, method)(path)
            assert answer.status_code == 405 and answer.headers["allow"] == allowed, (path, answer.headers)


def test_another_sites_page_cannot_upload_or_start_runs():
    from fastapi.testclient import TestClient

    from pivotal.web.app import create_app

    files = {"file": ("tiny.yaml", TINY.read_bytes(), "application/x-yaml")}
    with TestClient(create_app()) as client:
        for headers in (
            {"Origin": "https://evil.example"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Origin": "null"},
        ):
            answer = client.post("/api/scenarios/upload", files=files, headers=headers)
            assert answer.status_code == 403, headers
            assert answer.json()["kind"] == "invalid"
            assert (
                client.post(
                    "/api/runs", json={"scenario": "south-caucasus", "draws": 10}, headers=headers
                ).status_code
                == 403
            )
        own = client.post("/api/scenarios/upload", files=files, headers={"Origin": "http://testserver"})
        assert own.status_code in (200, 201), own.text
        assert client.post("/api/scenarios/upload", files=files).status_code in (200, 201)  # scripts


def test_a_request_body_that_stops_arriving_is_answered_408():
    import asyncio

    from pivotal.web.limits import BodyReadTimeout

    sent: list[dict] = []

    async def app(scope, receive, send):  # an endpoint that reads its whole body
        while (await receive()).get("more_body", False):
            pass

    async def receive():
        await asyncio.sleep(3600)  # the client sent its headers and stopped

    async def send(message):
        sent.append(message)

    guard = BodyReadTimeout(app, timeout=0.1)
    asyncio.run(guard({"type": "http", "method": "POST", "path": "/api/runs", "headers": []}, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 408


# --- 5. memory is bounded by the chunks' size, not by the core count -----------------------------


def _long_scenario(last_year: int):
    from pivotal.scenario.loader import parse_scenario

    text = (
        TINY.read_text(encoding="utf-8")
        .replace("end: 2003}", f"end: {last_year}}}")
        .replace("'2001-2003'", f"'2001-{last_year}'")
    )
    return parse_scenario(text, "long.yaml")


def test_chunks_shrink_with_periods_and_cores_to_stay_within_the_budget():
    from pivotal.scenario import builtin_scenario
    from pivotal.simulation.engine import MEMORY_BUDGET, bytes_per_draw, chunk_plan
    from pivotal.simulation.kernel import make_plan

    long = make_plan(_long_scenario(2500))
    short = make_plan(builtin_scenario())
    for plan in (short, long):
        for workers in (1, 2, 8, 64):
            draws, in_flight = chunk_plan(
                plan, 16384, workers, digest_bytes=50_000_000, held_bytes=100_000_000
            )
            assert 256 <= draws <= 16384 and 1 <= in_flight <= 2 * workers
            assert in_flight * (draws * bytes_per_draw(plan) + 50_000_000) + 100_000_000 <= MEMORY_BUDGET
    assert chunk_plan(long, 16384, 8)[0] < chunk_plan(short, 16384, 8)[0]


def test_a_long_scenario_on_many_threads_holds_no_more_than_the_budget(monkeypatch):
    """Every array a NumPy run allocates is NumPy's, which tracemalloc sees: its peak is the run's."""
    import tracemalloc

    from pivotal.simulation import engine
    from pivotal.simulation.kernel import make_plan
    from pivotal.simulation.streaming import chunk_count_type, histogram_bytes, simulate_summary

    scenario = _long_scenario(2100)  # 100 periods
    budget = 200 << 20
    plan = make_plan(scenario)
    draws, in_flight = engine.chunk_plan(
        plan, 16384, 8, histogram_bytes(100, chunk_count_type(16384)), histogram_bytes(100), budget
    )
    assert in_flight >= 2 and draws < 4000, "the budget must bind, with chunks computed side by side"
    monkeypatch.setattr(engine, "MEMORY_BUDGET", budget)
    tracemalloc.start()
    try:
        summary = simulate_summary(scenario, 12_000, seed=2, threads=8, backend="numpy")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert summary.draws == 12_000 and len(summary.periods) == 100
    assert peak <= budget, f"peak {peak / 2**20:.0f} MiB over a budget of {budget / 2**20:.0f} MiB"


def test_a_long_compiled_run_holds_its_histogram_and_its_chunk_budget_whatever_the_threads():
    """The compiled engine's arrays made in Python are NumPy's (its kernels' scratch is a few
    hundred rows of 256 numbers): the peak stays within the histogram and PLAYED_BUDGET, on one
    thread as on eight."""
    import tracemalloc

    from pivotal.simulation.streaming import PLAYED_BUDGET, histogram_bytes, simulate_summary

    scenario = _long_scenario(2100)  # 100 periods
    for threads in (1, 8):
        tracemalloc.start()
        try:
            summary = simulate_summary(scenario, 40_000, seed=2, threads=threads, backend="numba")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert summary.draws == 40_000
        assert peak <= histogram_bytes(100) + PLAYED_BUDGET, f"{threads} threads: {peak / 2**20:.0f} MiB"


def test_a_chunk_of_a_few_draws_draws_the_same_numbers_as_its_whole_block():
    import numpy as np

    from pivotal.simulation.random import BLOCK_DRAWS, block_uniforms, draw_uniforms, root_sequence

    root = root_sequence(11)
    whole = np.concatenate([block_uniforms(root, b, 150) for b in range(3)], axis=1)
    for start, stop in ((0, 1), (5, 900), (BLOCK_DRAWS - 3, BLOCK_DRAWS + 70), (100, 3 * BLOCK_DRAWS)):
        np.testing.assert_array_equal(draw_uniforms(root, 150, start, stop), whole[:, start:stop])


def test_small_chunks_give_the_same_numbers(monkeypatch):
    import numpy as np

    from pivotal.scenario import builtin_scenario
    from pivotal.simulation import engine
    from pivotal.simulation.streaming import simulate_summary

    scenario = builtin_scenario()
    whole = simulate_summary(scenario, 1500, seed=4, threads=2)
    monkeypatch.setattr(engine, "MEMORY_BUDGET", 8 << 20)  # forces chunks of a few hundred draws
    pieces = simulate_summary(scenario, 1500, seed=4, threads=2)
    np.testing.assert_allclose(pieces.mean, whole.mean, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(pieces.low, whole.low)
    np.testing.assert_array_equal(pieces.high, whole.high)


# --- 6. evidence has a budget ----------------------------------------------------------------------


def test_html_of_stray_end_tags_is_read_in_linear_time(tmp_path):
    """A megabyte of "</" took Python's HTML parser minutes; it is text, and is now read as such."""
    import time

    from pivotal.evidence.readers import read_document

    page = tmp_path / "trap.html"
    page.write_text("<html><body><p>A note. " + "</" * 500_000, encoding="utf-8")
    started = time.monotonic()
    read = read_document(page)
    assert time.monotonic() - started < 10
    assert read.paragraphs[0].text.startswith("A note.")


def test_a_pdf_with_more_text_than_the_budget_is_refused_with_a_reason(tmp_path, monkeypatch):
    from pivotal.evidence import budget
    from tests.evidence_files import PDF_LINES, minimal_pdf

    monkeypatch.setattr(budget, "MAX_TEXT_CHARACTERS", 20)
    document = tmp_path / "long.pdf"
    document.write_bytes(minimal_pdf(PDF_LINES, title="Long"))
    result = invoke("evidence", "add", str(document))
    assert result.exit_code == 1
    assert "more than 20 characters of text" in one_line(result.output)


def test_an_oversized_document_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    from pivotal.evidence import budget

    monkeypatch.setattr(budget, "MAX_DOCUMENT_BYTES", 1000)
    document = tmp_path / "big.md"
    document.write_text("# Big\n\n" + "word " * 1000, encoding="utf-8")
    result = invoke("evidence", "add", str(document))
    assert result.exit_code == 1 and "larger than" in one_line(result.output)


def test_the_app_itself_answers_a_stalled_body_with_408(monkeypatch):
    """Through FastAPI, which turns other errors met while reading a body into a 400."""
    import asyncio

    from pivotal.web import limits
    from pivotal.web.app import create_app

    monkeypatch.setattr(limits, "BODY_READ_TIMEOUT", 0.2)
    app = create_app()
    sent: list[dict] = []

    async def receive():
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/runs",
        "raw_path": b"/api/runs",
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5000),
        "http_version": "1.1",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", b"20"),
        ],
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 408


needs_isolation = pytest.mark.skipif(
    not __import__("pivotal.evidence.isolated").evidence.isolated.AVAILABLE,
    reason="documents are read in a worker process on POSIX systems only",
)


@needs_isolation
def test_html_that_stalls_the_parser_is_stopped_at_the_deadline_and_the_batch_goes_on(tmp_path, monkeypatch):
    """Unfinished end tags make Python's parser rescan the rest of the page at every step: a
    megabyte took over a minute in one call that no check between steps could interrupt."""
    import time

    from pivotal.evidence import budget

    monkeypatch.setattr(budget, "READ_SECONDS", 2.0)
    (tmp_path / "trap.html").write_text("<html><body><p>A note. " + "</p" * 300_000, encoding="utf-8")
    (tmp_path / "fine.md").write_text("# Fine\n\nArmenia and Azerbaijan met in Brussels.\n", encoding="utf-8")
    started = time.monotonic()
    result = invoke("evidence", "add", str(tmp_path))
    assert time.monotonic() - started < 20
    output = one_line(result.output)
    assert "trap.html" in output and "still not read after 2 s" in output
    assert "Fine" in output and "Traceback" not in output
    assert "trap" not in one_line(invoke("evidence", "list").output)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory ceiling is Linux's RLIMIT_AS")
def test_a_document_past_the_memory_ceiling_is_refused_and_the_next_is_read(tmp_path, monkeypatch):
    from pivotal.evidence import budget

    big = tmp_path / "big.md"
    big.write_text("# Note\n\n" + "Words about a border. " * 20_000, encoding="utf-8")
    monkeypatch.setattr(budget, "MAX_READER_MEMORY", 64 * 1024**2)  # less than the reader holds
    result = invoke("evidence", "add", str(big))
    assert result.exit_code == 1, result.output
    assert "needs more than 0.0625 GB of memory" in one_line(result.output)
    monkeypatch.undo()
    assert invoke("evidence", "add", str(big)).exit_code == 0  # under the default ceiling


@needs_isolation
def test_a_reader_that_cannot_start_is_one_error_not_a_refusal_of_every_file(tmp_path, monkeypatch):
    from pivotal.evidence import isolated

    monkeypatch.setattr(isolated.sys, "executable", "/bin/false")
    (tmp_path / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# B\n\nMore text.\n", encoding="utf-8")
    result = invoke("evidence", "add", str(tmp_path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert one_line(result.output) == (
        "error: the document reader (python -m pivotal.evidence.isolated) "
        "could not start: it ended with status 1"
    )
