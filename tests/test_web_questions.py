"""The web app's figures, analyses and paired comparisons through the HTTP API.

Each analysis the page can ask for (what-if, score, sensitivity) runs as a job,
is recorded in the run store as the CLI records it, and comes back with the
same result the library gives for the same inputs.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pivotal.analysis import what_if
from pivotal.scenario import builtin_scenario
from pivotal.scenario.overlay import overlay_from_settings
from pivotal.store import RunStore
from pivotal.web import create_app
from pivotal.web.figures import FIGURES, figure
from tests.test_web_api import SCENARIO, run_done, wait_for


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(tmp_path / "runs.duckdb")) as test_client:
        yield test_client


def started(client: TestClient, path: str, **body) -> dict:
    response = client.post(path, json={"scenario": SCENARIO, **body})
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/api/jobs/{response.json()['job_id']}"
    job = wait_for(client, response.json()["job_id"])
    assert job["status"] == "done", job
    return job


def test_a_runs_figures_are_every_chart_it_can_draw_with_actors_by_name(client):
    run = run_done(client)
    answer = client.get(f"/api/runs/{run['run_id'][:6]}/figures")
    assert answer.status_code == 200
    charts = {f["layout"]["meta"]["chart"]: f for f in answer.json()["charts"]}
    assert list(charts) == ["probabilities", "belief", "commitments", "network", "episodes"]
    assert charts["probabilities"]["layout"]["title"]["text"] == (
        "Probabilities per period: Azerbaijan and Armenia, Russia as pivot"
    )
    labels = [label for trace in charts["commitments"]["data"] for label in trace["y"]]
    assert len(labels) == len(set(labels)) and not any("cst-" in label for label in labels)
    years = charts["network"]["layout"]["sliders"][0]["steps"]
    assert [s["label"] for s in years] == [str(y) for y in range(1994, 2026)]


def test_a_what_if_is_the_librarys_paired_counterfactual_and_is_recorded(client):
    change = {"parameter": "patron_shield", "value": 0.9, "start": 2021, "end": 2025}
    job = started(client, "/api/whatif", draws=150, seed="4", settings=[change])
    assert job["kind"] == "whatif" and job["unit"] == "draws" and job["done"] == job["total"] == 300
    found = client.get(f"/api/analyses/{job['analysis_id']}").json()
    assert found["kind"] == "whatif" and found["seed"] == "4" and found["settings"]["via"] == "web"
    base = builtin_scenario(SCENARIO)
    change_overlay = overlay_from_settings(["patron_shield=0.9@2021-2025"], base)
    expected = what_if(base, [change_overlay], draws=150, seed=4)
    rows = expected.to_dict(("p_offensive", "p_challenge", "belief"))["differences"]
    got = found["result"]["differences"]
    assert len(got) == len(rows)
    for answered, computed in zip(got, rows, strict=True):  # approx takes flat mappings only
        assert answered.keys() == computed.keys()
        numbers = [key for key, value in computed.items() if isinstance(value, float | int)]
        assert {key: answered[key] for key in answered if key not in numbers} == {
            key: computed[key] for key in computed if key not in numbers
        }
        expected = {key: computed[key] for key in numbers}
        assert {key: answered[key] for key in numbers} == pytest.approx(expected)
    assert [r.kind for r in RunStore(client.app.state.store.path).list_analyses()] == ["whatif"]
    drawn = client.get(f"/api/analyses/{job['analysis_id']}/figure").json()
    assert drawn["layout"]["title"]["text"] == "What if: patron_shield=0.9@2021-2025"


def test_a_what_if_without_a_change_is_refused(client):
    answer = client.post("/api/whatif", json={"scenario": SCENARIO, "settings": []})
    assert answer.status_code == 422 and "settings" in answer.json()["detail"]


def test_score_and_sensitivity_jobs_record_their_analyses_and_the_run_shows_them(client):
    run = run_done(client)
    score = started(client, "/api/score", draws=30, seed=1)
    assert score["unit"] == "precision grid points"
    sensitivity = started(client, "/api/sensitivity", samples=256, start=2020, metric="p_challenge")
    result = client.get(f"/api/analyses/{sensitivity['analysis_id']}").json()["result"]
    assert result["samples"] == 256 and result["periods"] == "2020-2025" and result["metric"] == "p_challenge"
    drawn = client.get(f"/api/runs/{run['run_id']}/figures").json()["charts"]
    charts = [f["layout"]["meta"]["chart"] for f in drawn]
    assert charts[-2:] == ["score", "sensitivity"]


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("/api/score", {"start": 1990}, "start: must lie in 1994-2025, got 1990"),
        ("/api/sensitivity", {"start": 2030}, "the periods must lie within 1994-2025"),
    ],
)
def test_analyses_refuse_periods_outside_the_scenario(client, path, body, says):
    answer = client.post(path, json={"scenario": SCENARIO, **body})
    assert answer.status_code == 422 and says in answer.json()["detail"]


def test_an_unknown_analysis_is_a_404(client):
    answer = client.get("/api/analyses/abcdef")
    assert answer.status_code == 404 and answer.json()["kind"] == "not_found"


def test_a_comparison_says_when_it_is_not_paired_and_a_rerun_pairs_it(client):
    a = run_done(client, seed=1, draws=200)
    b = run_done(client, seed=2, draws=100, settings=[{"parameter": "prize", "value": 0.5}])
    unpaired = client.get("/api/compare", params={"a": a["run_id"], "b": b["run_id"]}).json()
    assert not unpaired["paired"]
    assert unpaired["note"].startswith(
        "Not paired: the runs differ in seeds (1 and 2) and draws (200 and 100)"
    )
    assert unpaired["pairable"]
    rerun = client.post(f"/api/runs/{b['run_id']}/rerun", json={"seed": a["seed"], "draws": a["draws"]})
    assert rerun.status_code == 202
    again = wait_for(client, rerun.json()["job_id"])
    assert again["settings"] == ["prize=0.5@1994-2025"] and again["seed"] == "1" and again["draws"] == 200
    paired = client.get("/api/compare", params={"a": a["run_id"], "b": again["run_id"]}).json()
    assert paired["paired"] and paired["note"] is None


def test_parameters_come_with_their_pieces_over_time(client):
    parameters = client.get(f"/api/scenarios/{SCENARIO}").json()["parameters"]
    prize = next(p for p in parameters if p["name"] == "prize")
    assert [(p["periods"], p["mode"]) for p in prize["pieces"]] == [
        ("1994..2020-09-27", 1.0),
        ("2020-12-11..2023", 0.35),
        ("2024-2025", 0.15),
    ]


def test_plotly_js_is_served_from_the_installed_package(client):
    answer = client.get("/static/vendor/plotly.min.js")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/javascript")
    assert len(answer.content) > 1_000_000


def test_every_figure_of_the_tiny_scenario_draws(tiny_scenario):
    from pivotal.runner import compute_summary

    _, summary = compute_summary(tiny_scenario, draws=50, seed=1)
    for name in ("probabilities", "belief", "commitments", "network", "episodes"):
        drawn = figure(name, summary=summary, scenario=tiny_scenario)
        assert drawn["layout"]["meta"]["chart"] == name and drawn["data"]
    assert (
        "Challengia and Targetia, Pivotia as pivot"
        in figure("probabilities", summary=summary, scenario=tiny_scenario)["layout"]["title"]["text"]
    )
    with pytest.raises(ValueError, match="needs a whatif analysis"):
        figure("whatif")
    with pytest.raises(ValueError, match="unknown chart"):
        figure("pie")
    assert set(FIGURES) == {
        "probabilities",
        "belief",
        "commitments",
        "network",
        "episodes",
        "whatif",
        "score",
        "sensitivity",
    }


def test_pairing_also_matches_the_use_of_the_record(client):
    a = run_done(client, seed=1, draws=100, free=True)
    b = run_done(client, seed=1, draws=100)
    unpaired = client.get("/api/compare", params={"a": a["run_id"], "b": b["run_id"]}).json()
    assert "use of the record (one ignores it)" in unpaired["note"] and unpaired["pairable"]
    again = wait_for(
        client,
        client.post(f"/api/runs/{b['run_id']}/rerun", json={"seed": "1", "draws": 100, "free": True}).json()[
            "job_id"
        ],
    )
    assert not again["use_record"]
    paired = client.get("/api/compare", params={"a": a["run_id"], "b": again["run_id"]}).json()
    assert paired["paired"]


def test_runs_of_different_scenarios_are_never_called_paired(client, tiny_text):
    upload = client.post("/api/scenarios/upload", files={"file": ("tiny.yaml", tiny_text)}).json()
    a = run_done(client, seed=1, draws=100)
    started = client.post("/api/runs", json={"upload_id": upload["upload_id"], "draws": 100, "seed": 1})
    b = wait_for(client, started.json()["job_id"])
    found = client.get("/api/compare", params={"a": a["run_id"], "b": b["run_id"]}).json()
    assert not found["paired"] and not found["pairable"]
    assert found["note"].startswith("Not paired: the runs are of different scenarios or periods")


def test_a_rerun_with_the_same_seed_and_draws_gives_the_same_numbers(client):
    b = run_done(client, seed=8, draws=150, settings=[{"parameter": "prize", "value": 0.5, "start": 2010}])
    again = wait_for(
        client, client.post(f"/api/runs/{b['run_id']}/rerun", json={"seed": 8, "draws": 150}).json()["job_id"]
    )
    first = client.get(f"/api/runs/{b['run_id']}/results.csv").text
    second = client.get(f"/api/runs/{again['run_id']}/results.csv").text
    assert again["run_id"] != b["run_id"] and first == second


def test_a_cancelled_sensitivity_analysis_stops_and_records_nothing(client):
    started = client.post("/api/sensitivity", json={"scenario": SCENARIO, "samples": 4096})
    job = started.json()["job_id"]
    while client.get(f"/api/jobs/{job}").json()["done"] == 0:
        pass
    client.delete(f"/api/jobs/{job}")
    assert wait_for(client, job, timeout=30)["status"] == "cancelled"
    assert RunStore(client.app.state.store.path).list_analyses() == []


def test_a_what_if_too_large_for_memory_is_refused_with_the_most_it_can_take(client, monkeypatch):
    import pivotal.web.api

    monkeypatch.setattr(pivotal.web.api, "MAX_WHATIF_CELLS", 100_000)
    answer = client.post(
        "/api/whatif",
        json={"scenario": SCENARIO, "draws": 20_000, "settings": [{"parameter": "prize", "value": 0.5}]},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"].endswith(
        "20,000 draws x 40 periods is over 100,000, so at most 2,500 draws for this scenario"
    )


def test_a_deleted_run_is_gone_from_the_app_too(client):
    run = run_done(client, seed=2, draws=50)
    assert client.get(f"/api/runs/{run['run_id']}/figures").status_code == 200
    RunStore(client.app.state.store.path).delete_run(run["run_id"])
    assert client.get(f"/api/runs/{run['run_id']}/figures").status_code == 404
    assert client.get(f"/api/runs/{run['run_id']}/results.csv").status_code == 404


def test_the_network_draws_when_no_tie_holds_in_the_last_year(tiny_text):
    from pivotal.scenario import parse_scenario

    ended = tiny_text.replace("    end: null", "    end: 2002-01-01")
    ended = ended.replace(", challenger_patrons: [PAT]", "")
    scenario = parse_scenario(ended, source="ended.yaml")
    drawn = figure("network", scenario=scenario)
    steps = drawn["layout"]["sliders"][0]["steps"]
    assert [s["label"] for s in steps] == ["2001", "2002", "2003"]
    from pivotal.report.data import ties

    count = len(ties(scenario))
    assert count == 1 and steps[0]["args"][0]["visible"][:count] == [True]
    assert steps[-1]["args"][0]["visible"][:count] == [False]


def test_scenario_text_cannot_put_markup_into_a_chart(tiny_text):
    from pivotal.scenario import parse_scenario

    marked = tiny_text.replace("{name: Pivotia,", "{name: '<a href=\"https://x.example\">Pivotia</a>',")
    assert marked != tiny_text
    drawn = figure("network", scenario=parse_scenario(marked, source="marked.yaml"))
    names = [n for t in drawn["data"] for n in (t.get("text") or [])]
    assert '&lt;a href="https://x.example"&gt;Pivotia&lt;/a&gt;' in names
