"""The web app's HTTP API through Starlette's TestClient: every endpoint, its 4xx answers, and jobs.

Runs are small (a few hundred draws) except the one that shows a long run does
not hold up other requests; that one is cancelled as soon as it has been seen
running.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pivotal.evidence import EvidenceStore, ingest
from pivotal.report.data import scenario_from_json as parse_scenario_json
from pivotal.scenario import ScenarioError, parse_scenario
from pivotal.scenario.loader import builtin_scenario
from pivotal.store import RunStore
from pivotal.web import create_app
from pivotal.web.jobs import JobManager, TooBusy
from pivotal.web.models import MAX_DRAWS, MAX_UPLOAD_BYTES

STATIC = Path(__file__).resolve().parents[1] / "src" / "pivotal" / "web" / "static"
SCENARIO = "south-caucasus"


@pytest.fixture
def client():
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def broken_text(tiny_text: str) -> str:
    """The tiny scenario with one bound broken: `balance` is a share, so 1.4 is out of [0, 1]."""
    text = tiny_text.replace("low: 0.5, mode: 0.6, high: 0.7", "low: 0.5, mode: 0.6, high: 1.4", 1)
    assert text != tiny_text
    return text


def wait_for(client: TestClient, job_id: str, timeout: float = 120.0) -> dict:
    """Poll a job until it leaves the queue; fail, not hang, if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")


def run_done(client: TestClient, **body) -> dict:
    response = client.post("/api/runs", json={"scenario": SCENARIO, "draws": 300, "seed": 7, **body})
    assert response.status_code == 202, response.text
    job = wait_for(client, response.json()["job_id"])
    assert job["status"] == "done", job
    return job


# ---- pages -----------------------------------------------------------------------------------------


def test_page_script_and_style_are_served_and_load_nothing_from_elsewhere(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'src="/static/app.js"' in page.text and 'href="/static/app.css"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("app.js", "app.css"):
        assert client.get(f"/static/{name}").status_code == 200
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), path.name


def test_docs_page_works_offline_and_openapi_lists_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/meta",
        "/api/scenarios",
        "/api/scenarios/{name}",
        "/api/scenarios/upload",
        "/api/runs",
        "/api/jobs",
        "/api/jobs/{job_id}",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/charts/{name}.svg",
        "/api/runs/{run_id}/results.csv",
        "/api/runs/{run_id}/results.parquet",
        "/api/compare",
        "/runs/{run_id}/report",
    } <= paths
    assert set(spec["paths"]["/api/jobs/{job_id}"]) == {"get", "delete"}
    run_body = spec["components"]["schemas"]["RunRequest"]["properties"]["draws"]
    assert run_body["maximum"] == MAX_DRAWS and run_body["minimum"] == 1
    invalid = spec["paths"]["/api/runs"]["post"]["responses"]["422"]["content"]["application/json"]
    assert invalid["schema"] == {"$ref": "#/components/schemas/ApiError"}
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text and "/api/runs/{run_id}/results.parquet" in docs.text
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text
    assert client.get("/redoc").status_code == 404


# ---- scenarios and uploads --------------------------------------------------------------------------


def test_meta_and_builtin_scenarios(client):
    meta = client.get("/api/meta").json()
    assert "probabilities" in meta["charts"] and "p_offensive" in meta["metrics"]
    assert meta["max_draws"] == MAX_DRAWS and meta["max_upload_bytes"] == MAX_UPLOAD_BYTES
    listed = client.get("/api/scenarios").json()
    assert SCENARIO in [s["name"] for s in listed]
    info = client.get(f"/api/scenarios/{SCENARIO}").json()
    assert (info["start"], info["end"]) == (1994, 2025)
    balance = next(p for p in info["parameters"] if p["name"] == "balance")
    assert (balance["lower"], balance["upper"]) == (0, 1)
    prize = next(p for p in info["parameters"] if p["name"] == "prize")
    assert prize["upper"] is None  # unbounded above, said as null: JSON has no infinity
    assert prize["largest"] == 1e6 and balance["largest"] == 1  # what the validator still accepts


@pytest.mark.parametrize(
    "name",
    [
        "nope",
        "upload",
        "..",
        "Bad_Name",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "south-caucasus.yaml",
    ],
)
def test_scenario_names_are_only_looked_up_never_read_as_paths(client, name):
    response = client.get(f"/api/scenarios/{name}")
    assert response.status_code in (404, 422)
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "name,status", [("../../etc/passwd", 422), ("/etc/passwd", 422), ("nope", 404), ("tests/data/tiny", 422)]
)
def test_runs_refuse_scenario_paths(client, name, status):
    response = client.post("/api/runs", json={"scenario": name, "draws": 10})
    assert response.status_code == status, response.text
    assert client.get("/api/jobs").json() == []


def test_a_valid_upload_can_be_run(client, tiny_text):
    upload = client.post("/api/scenarios/upload", files={"file": ("mine.yaml", tiny_text.encode())})
    assert upload.status_code == 200, upload.text
    info = upload.json()
    assert info["id"] == "tiny-triangle" and re.fullmatch(r"[0-9a-f]{16}", info["upload_id"])
    response = client.post("/api/runs", json={"upload_id": info["upload_id"], "draws": 200, "seed": 1})
    job = wait_for(client, response.json()["job_id"])
    assert job["status"] == "done"
    assert RunStore().get(job["run_id"]).record.scenario_id == "tiny-triangle"


def test_a_broken_upload_answers_422_with_the_cli_s_located_message(client, broken_text):
    response = client.post("/api/scenarios/upload", files={"file": ("my.yaml", broken_text.encode())})
    assert response.status_code == 422
    body = response.json()
    with pytest.raises(ScenarioError) as expected:
        parse_scenario(broken_text, source="my.yaml")
    assert body["detail"] == str(expected.value)
    assert body["detail"].startswith(f"my.yaml:{body['line']}:{body['column']}: parameters.balance[0].high: ")
    assert body["detail"].endswith("expected a value of `balance` in [0, 1], found 1.4")
    assert body["kind"] == "scenario" and body["source"] == "my.yaml"
    assert body["field"] == "parameters.balance[0].high"
    assert isinstance(body["line"], int) and body["line"] > 1


def test_an_upload_s_folders_are_dropped_from_its_name(client, broken_text):
    response = client.post(
        "/api/scenarios/upload", files={"file": ("../../etc/my.yaml", broken_text.encode())}
    )
    assert response.json()["source"] == "my.yaml"
    renamed = client.post(
        "/api/scenarios/upload", files={"file": ("Scénario (1)<b>.yaml", broken_text.encode())}
    )
    assert renamed.json()["source"] == "Scénario (1)_b_.yaml"


def test_upload_that_is_not_yaml_text(client):
    not_utf8 = client.post("/api/scenarios/upload", files={"file": ("x.yaml", b"id: \xff\xfe\n")})
    assert not_utf8.status_code == 422 and (
        not_utf8.json()["detail"] == "x.yaml:1:5: (document): expected UTF-8 text, found the byte 0xff"
    )
    not_yaml = client.post("/api/scenarios/upload", files={"file": ("y.yaml", b"id: [unclosed\n")})
    assert not_yaml.status_code == 422 and "expected well-formed YAML" in not_yaml.json()["detail"]
    empty = client.post("/api/scenarios/upload", files={"file": ("z.yaml", b"")})
    assert empty.status_code == 422 and empty.json()["line"] == 1
    no_file = client.post("/api/scenarios/upload")
    assert no_file.status_code == 422 and no_file.json()["kind"] == "invalid"


def test_oversize_uploads_answer_413_as_json(client):
    just_over = b"#" * (MAX_UPLOAD_BYTES + 1)
    response = client.post("/api/scenarios/upload", files={"file": ("big.yaml", just_over)})
    assert response.status_code == 413 and response.json()["kind"] == "too_large"
    far_over = b"#" * (3 * MAX_UPLOAD_BYTES)
    response = client.post("/api/scenarios/upload", files={"file": ("big.yaml", far_over)})
    assert response.status_code == 413 and response.json()["kind"] == "too_large"
    huge_json = client.post(
        "/api/runs",
        content=b'{"scenario": "' + b"a" * 400_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert huge_json.status_code == 413 and huge_json.json()["kind"] == "too_large"


# ---- starting runs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,status,says",
    [
        ({"draws": 0}, 422, "body.draws"),
        ({"draws": MAX_DRAWS + 1}, 422, "less than or equal to 1000000"),
        ({"draws": 2.5}, 422, "body.draws"),
        ({"seed": -1}, 422, "body.seed"),
        ({"scenario": None}, 422, "exactly one of"),
        ({"upload_id": "0123456789abcdef"}, 422, "exactly one of"),
        ({"scenario": None, "upload_id": "0123456789abcdef"}, 404, "no uploaded scenario"),
        (
            {"settings": [{"parameter": "war_cost", "value": 0.2, "start": 2022, "end": 2020}]},
            422,
            "must not be after end",
        ),
        (
            {"settings": [{"parameter": "war_cost", "value": 0.2, "start": 1990, "end": 2020}]},
            422,
            "parameters.war_cost[0].periods: expected periods within 1994-2025",
        ),
        ({"settings": [{"parameter": "war_cst", "value": 0.2}]}, 422, "expected a model parameter"),
        (
            {"settings": [{"parameter": "balance", "value": 1.5}]},
            422,
            "expected a value of `balance` in [0, 1]",
        ),
        ({"settings": [{"parameter": "WAR", "value": 1}]}, 422, "body.settings.0.parameter"),
        ({"unknown": 1, "draws": "many"}, 422, "body.draws"),
    ],
)
def test_bad_run_requests_answer_4xx_and_start_nothing(client, body, status, says):
    response = client.post("/api/runs", json={"scenario": SCENARIO, "draws": 100, **body})
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]
    assert client.get("/api/jobs").json() == []


def test_a_run_goes_from_queued_to_done_and_is_recorded(client):
    response = client.post(
        "/api/runs",
        json={
            "scenario": SCENARIO,
            "draws": 500,
            "seed": 11,
            "settings": [{"parameter": "war_cost", "value": 0.2, "start": 2020, "end": 2025}],
        },
    )
    assert response.status_code == 202
    started = response.json()
    assert started["status"] in ("queued", "running") and started["total"] == 500
    assert response.headers["location"] == f"/api/jobs/{started['job_id']}"
    job = wait_for(client, started["job_id"])
    assert (job["status"], job["done"], job["error"]) == ("done", 500, None)
    stored = RunStore().get(job["run_id"])
    assert (stored.record.draws, stored.record.seed) == (500, 11)
    assert stored.record.settings["set"] == ["war_cost=0.2@2020-2025"]
    recorded = parse_scenario_json(stored.scenario_json)  # the run's scenario is still a valid, sourced one
    assert recorded.parameters["war_cost"][-1].sources[0].ref == "web-controls"
    assert recorded.parameters["war_cost"][-1].low == recorded.parameters["war_cost"][-1].high == 0.2
    listed = client.get("/api/runs").json()
    assert listed[0]["run_id"] == job["run_id"] and listed[0]["settings"] == ["war_cost=0.2@2020-2025"]
    assert client.get(f"/api/runs/{job['run_id'][:6]}").json()["run_id"] == job["run_id"]
    assert [j["job_id"] for j in client.get("/api/jobs").json()] == [started["job_id"]]


def test_not_a_number_is_refused(client):
    body = b'{"scenario": "south-caucasus", "settings": [{"parameter": "war_cost", "value": NaN}]}'
    response = client.post("/api/runs", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "body.settings.0.value" in response.json()["detail"]


def test_a_free_run_ignores_the_record(client):
    job = run_done(client, free=True)
    assert job["use_record"] is False and RunStore().get(job["run_id"]).record.use_record is False


def test_without_a_seed_a_fresh_one_is_chosen_and_recorded(client):
    job = run_done(client, seed=None)
    assert job["seed"].isdigit() and RunStore().get(job["run_id"]).record.seed == int(job["seed"])


def test_a_63_bit_seed_goes_in_and_out_as_written(client):
    """JavaScript numbers keep 53 bits: seeds travel as strings, and are accepted as strings."""
    seed = "6108892268037191662"
    job = run_done(client, seed=seed)
    assert job["seed"] == seed
    listed = client.get("/api/runs").json()
    assert any(run["seed"] == seed for run in listed)
    assert RunStore().get(job["run_id"]).record.seed == int(seed)
    too_big = client.post("/api/runs", json={"scenario": SCENARIO, "seed": "9223372036854775808"})
    assert too_big.status_code == 422


def test_a_long_run_does_not_hold_up_other_requests(client):
    started = client.post("/api/runs", json={"scenario": SCENARIO, "draws": MAX_DRAWS, "seed": 3}).json()
    runs = client.get("/api/runs")  # answered while the million draws are still being computed
    during = client.get(f"/api/jobs/{started['job_id']}").json()
    assert runs.status_code == 200
    assert during["status"] in ("queued", "running") and during["done"] < during["total"]
    cancelled = client.delete(f"/api/jobs/{started['job_id']}")
    assert cancelled.status_code == 200
    job = wait_for(client, started["job_id"])
    assert job["status"] == "cancelled" and job["run_id"] is None
    assert RunStore().list_runs() == []


def test_unknown_and_malformed_job_ids(client):
    assert client.get("/api/jobs/0123456789ab").status_code == 404
    assert client.delete("/api/jobs/0123456789ab").status_code == 404
    assert client.get("/api/jobs/not-a-job").status_code == 422


def test_too_many_waiting_runs_are_refused(tiny_scenario, tmp_path):
    jobs = JobManager(RunStore(tmp_path / "runs.duckdb"), workers=1, max_pending=1)
    try:
        first = jobs.submit(tiny_scenario, draws=MAX_DRAWS, seed=1, use_record=True, settings=[])
        with pytest.raises(TooBusy, match="wait for one to finish"):
            jobs.submit(tiny_scenario, draws=10, seed=1, use_record=True, settings=[])
        jobs.cancel(first.job_id)
    finally:
        jobs.shutdown()
    assert first.status == "cancelled"


def test_an_app_started_again_takes_runs_again(tmp_path):
    app = create_app(tmp_path / "runs.duckdb")
    for _ in range(2):  # each `with` starts and stops the app, as a server's life would
        with TestClient(app) as again:
            job = again.post("/api/runs", json={"scenario": "south-caucasus", "draws": 20, "seed": 1}).json()
            assert wait_for(again, job["job_id"])["status"] == "done"
    assert len(RunStore(tmp_path / "runs.duckdb").list_runs()) == 2


# ---- recorded runs: charts, downloads, comparison, report ----------------------------------------


def test_charts_are_svg_with_title_and_desc(client):
    run_id = run_done(client)["run_id"]
    response = client.get(f"/api/runs/{run_id}/charts/probabilities.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.lstrip().startswith("<svg")
    assert "<title" in response.text and "<desc" in response.text
    assert client.get(f"/api/runs/{run_id}/charts/nope.svg").status_code == 404
    needs_analysis = client.get(f"/api/runs/{run_id}/charts/sensitivity.svg")
    assert needs_analysis.status_code == 422 and "sensitivity" in needs_analysis.json()["detail"]
    assert client.get("/api/runs/abcabcabcabc/charts/probabilities.svg").status_code == 404


def test_a_changed_parameter_changes_the_chart(client):
    plain = run_done(client)["run_id"]
    fixed = run_done(client, settings=[{"parameter": "war_cost", "value": 0.01, "start": 2015}])["run_id"]
    before = client.get(f"/api/runs/{plain}/charts/probabilities.svg").text
    after = client.get(f"/api/runs/{fixed}/charts/probabilities.svg").text
    assert before != after


def test_results_download_as_csv_and_parquet(client, tmp_path):
    run_id = run_done(client)["run_id"]
    csv = client.get(f"/api/runs/{run_id}/results.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"] == f'attachment; filename="pivotal-{run_id}.csv"'
    assert csv.text.splitlines()[0].startswith("period,pivot,challenger,target,belief_source,p_challenge,")
    parquet = client.get(f"/api/runs/{run_id}/results.parquet")
    assert parquet.status_code == 200 and parquet.content[:4] == b"PAR1"
    path = tmp_path / "results.parquet"
    path.write_bytes(parquet.content)
    table = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").df()
    timeline = builtin_scenario().timeline
    assert len(table) == len(timeline) and list(table.columns) == csv.text.splitlines()[0].split(",")
    assert table["period"].tolist() == pytest.approx(timeline)  # years and episodes' keys, in order
    assert csv.text.splitlines()[1].startswith("1994,")  # a year is written as a year
    import pandas as pd

    assert table["p_offensive"].tolist() == pytest.approx(pd.read_csv(io.StringIO(csv.text))["p_offensive"])
    for suffix in ("csv", "parquet"):
        assert client.get(f"/api/runs/abcabcabcabc/results.{suffix}").status_code == 404
        assert client.get(f"/api/runs/XYZ/results.{suffix}").status_code == 422


def test_compare_two_runs_period_by_period(client):
    plain = run_done(client)["run_id"]
    fixed = run_done(client, settings=[{"parameter": "war_cost", "value": 0.01, "start": 2020, "end": 2025}])[
        "run_id"
    ]
    result = client.get("/api/compare", params={"a": plain, "b": fixed, "metric": "p_offensive"}).json()
    assert (result["a"]["run_id"], result["b"]["run_id"], result["metric"]) == (plain, fixed, "p_offensive")
    rows = {row["period"]: row for row in result["rows"]}
    assert sorted(rows) == builtin_scenario().timeline
    assert [row["label"] for row in result["rows"]][26:28] == ["2020-07-12", "2020-09-27"]
    assert all(rows[year]["difference"] == pytest.approx(rows[year]["b"] - rows[year]["a"]) for year in rows)
    assert all(rows[year]["difference"] == 0 for year in range(1994, 2020))  # same seed, same draws
    # a cheaper war is fought more
    assert any(row["difference"] > 0 for period, row in rows.items() if period >= 2020)
    assert client.get("/api/compare", params={"a": plain, "b": fixed, "metric": "nope"}).status_code == 422
    assert client.get("/api/compare", params={"a": plain, "b": "abcabcabcabc"}).status_code == 404
    assert client.get("/api/compare", params={"a": plain}).status_code == 422


def test_runs_recorded_elsewhere_with_settings_are_shown_without_a_500(client):
    from pivotal.runner import run_scenario
    from pivotal.scenario import builtin_scenario
    from pivotal.scenario.overlay import apply_overlay, overlay_from_settings

    base = builtin_scenario(SCENARIO)  # as `pivotal sweep` records variants: uncited overlay pieces
    variant = apply_overlay(base, overlay_from_settings(["war_cost=0.2@2020-2025"], base))
    run_id = run_scenario(variant, draws=200, seed=1).run_id
    assert client.get(f"/api/runs/{run_id}/charts/probabilities.svg").status_code == 200
    assert client.get(f"/runs/{run_id}/report").status_code in (200, 422)


def test_unknown_run(client):
    for path in ("/api/runs/abcabcabcabc", "/runs/abcabcabcabc/report"):
        response = client.get(path)
        assert response.status_code == 404 and "no run with id" in response.json()["detail"]
    assert client.get("/api/runs?limit=0").status_code == 422


def test_report_page(client):
    run_id = run_done(client)["run_id"]
    report = client.get(f"/runs/{run_id}/report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert run_id in report.text and "<svg" in report.text
    assert report.headers["content-security-policy"].startswith("default-src 'none'")


# ---- hosts and the command -------------------------------------------------------------------------


def test_a_loopback_server_refuses_other_host_names():
    app = create_app(allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1") as local:
        assert local.get("/api/scenarios").status_code == 200
    with TestClient(app, base_url="http://attacker.example") as rebound:
        assert rebound.get("/api/scenarios").status_code == 400


def test_serve_binds_loopback_by_default_and_warns_otherwise(monkeypatch):
    import uvicorn

    from pivotal.cli.app import app
    from pivotal.cli.serve import allowed_hosts, is_loopback

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: calls.append(kw))
    runner = CliRunner()
    quiet = runner.invoke(app, ["serve", "--port", "8123"])
    assert quiet.exit_code == 0 and "warning" not in quiet.output
    assert calls[-1] == {"host": "127.0.0.1", "port": 8123, "log_level": "warning"}
    loud = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert loud.exit_code == 0 and "warning: binding to 0.0.0.0" in loud.output
    assert runner.invoke(app, ["serve", "--port", "70000"]).exit_code != 0
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    assert allowed_hosts("0.0.0.0") is None and allowed_hosts("192.168.1.5") is None
    assert allowed_hosts("127.0.0.1") == ["127.0.0.1", "[::1]", "localhost"]
    assert "[::1]" in (allowed_hosts("::1") or []) and "127.0.0.2" in (allowed_hosts("127.0.0.2") or [])


# ---- evidence beside the parameters ----------------------------------------------------------------


def test_evidence_lists_passages_beside_parameters_once_documents_are_added(client, tmp_path):
    empty = client.get("/api/scenarios/south-caucasus/evidence")
    assert empty.status_code == 200 and empty.json() == {"documents": 0, "parameters": {}}
    note = tmp_path / "overstretch.md"
    note.write_text(
        "# Overstretch\n\nRussia's capacity is tied up in Ukraine: a large share of its army "
        "and of the pivot's capacity is held down far from the Caucasus.\n",
        encoding="utf-8",
    )
    ingest([note], EvidenceStore())
    found = client.get("/api/scenarios/south-caucasus/evidence").json()
    assert found["documents"] == 1
    (passage,) = found["parameters"]["pivot_distraction"]
    assert passage["title"] == "Overstretch" and passage["locator"].startswith("¶")
    assert "tied up" in passage["excerpt"] and passage["cited"] is False
    for bad in ("/api/scenarios/..%2Fetc/evidence", "/api/uploads/nothex/evidence"):
        assert client.get(bad).status_code in (404, 422), bad
    assert client.get("/api/scenarios/atlantis/evidence").status_code == 404
    assert client.get(f"/api/uploads/{'0' * 16}/evidence").status_code == 404


def test_a_report_is_drawn_once_until_what_it_shows_changes(client, tmp_path, monkeypatch):
    """Report pages are kept: the same page is served without drawing it again, and a new one is
    drawn when the evidence beside the parameters changes, even a document's title alone."""
    import pivotal.report.html as html

    drawn = []
    real = html.render_report
    monkeypatch.setattr(html, "render_report", lambda *a, **k: drawn.append(1) or real(*a, **k))
    run_id = run_done(client)["run_id"]
    first = client.get(f"/runs/{run_id}/report").text
    assert client.get(f"/runs/{run_id}/report").text == first and len(drawn) == 1
    note = tmp_path / "overstretch.md"
    note.write_text(
        "# Overstretch\n\nRussia's capacity is tied up in Ukraine: a large share of its army "
        "and of the pivot's capacity is held down far from the Caucasus.\n",
        encoding="utf-8",
    )
    ingest([note], EvidenceStore())
    with_note = client.get(f"/runs/{run_id}/report").text
    assert len(drawn) == 2 and "Overstretch" in with_note
    ingest([note], EvidenceStore(), title="Stretched thin")
    assert "Stretched thin" in client.get(f"/runs/{run_id}/report").text and len(drawn) == 3


def test_an_upload_whose_last_piece_is_uniform_has_no_mode_to_show(client, tiny_text):
    """A uniform piece gives no mode: the scenario's information says so instead of failing."""
    text = tiny_text.replace(
        "{periods: '2001-2003', low: 0.5, mode: 0.6, high: 0.7,",
        "{periods: '2001-2003', dist: uniform, low: 0.5, high: 0.7,",
        1,
    )
    assert text != tiny_text
    upload = client.post("/api/scenarios/upload", files={"file": ("flat.yaml", text.encode())})
    assert upload.status_code == 200, upload.text
    modes = {p["name"]: p["scenario_mode"] for p in upload.json()["parameters"]}
    assert modes["balance"] is None and modes["war_cost"] == 0.6
