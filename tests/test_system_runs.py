"""A system run in the store: one run per dyad, written together, known as a system's everywhere a
run is shown (the command line, the report, the web app)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pivotal.cli.app import app
from pivotal.report.html import build_report
from pivotal.runner import record_system_run
from pivotal.scenario.system import load_system
from pivotal.simulation.system import simulate_system
from pivotal.store import RunStore
from pivotal.store.runstore import NewRun
from pivotal.web.app import create_app


def _runs_of(store: RunStore) -> list:
    return sorted(store.list_runs(), key=lambda r: r.scenario_id)


def test_a_system_run_is_recorded_as_one_run_per_dyad_and_shown_as_a_systems(system_path):
    runner = CliRunner()
    ran = runner.invoke(app, ["system", "run", str(system_path), "-n", "120", "--seed", "5", "--json"])
    assert ran.exit_code == 0, ran.output
    ids = json.loads(ran.stdout)["run_ids"]
    assert list(ids) == ["tiny-triangle", "tiny-quiet"]
    assert f"tiny-triangle {ids['tiny-triangle']}, tiny-quiet {ids['tiny-quiet']}" in ran.stderr
    quiet, triangle = _runs_of(RunStore())
    assert (quiet.run_id, triangle.run_id) == (ids["tiny-quiet"], ids["tiny-triangle"])
    for record in (quiet, triangle):
        assert record.settings["system"]["id"] == "tiny-system"
        assert record.settings["system"]["dyads"] == ["tiny-triangle", "tiny-quiet"]
        assert (record.seed, record.draws, record.use_record) == (5, 120, True)
    assert quiet.settings["system"]["run"] == triangle.settings["system"]["run"]
    assert quiet.settings["system"]["dyad"] == "tiny-quiet"

    listed = runner.invoke(app, ["runs"], terminal_width=200)
    assert "tiny-quiet (system tiny-system)" in listed.stdout
    shown = runner.invoke(app, ["show", ids["tiny-quiet"]], terminal_width=200)
    assert "(a dyad of system tiny-system)" in shown.stdout
    report = build_report(ids["tiny-quiet"])
    assert "one dyad of a run of the system <code>tiny-system</code>" in report
    assert f"<code>{ids['tiny-triangle']}</code> (tiny-triangle)" in report


def test_the_numbers_recorded_are_the_system_runs(system_path):
    loaded = load_system(system_path)
    result = simulate_system(loaded, draws=150, seed=2, contagion=0.5)
    ids = record_system_run(RunStore(), result, contagion=0.5)
    from pivotal.simulation import summarise

    for dyad, run_id in zip(result.dyads, ids, strict=True):
        stored = RunStore().get(run_id)
        assert stored.record.settings["system"]["contagion"] == 0.5
        expected = summarise(dyad)
        assert stored.summary["belief"].tolist() == pytest.approx(expected["belief"].tolist(), abs=1e-12)


def test_a_system_run_is_written_whole_or_not_at_all(system_path):
    loaded = load_system(system_path)
    result = simulate_system(loaded, draws=50, seed=1)
    from pivotal.simulation import METRICS, summarise

    good = summarise(result.dyads[0])
    run = dict(
        scenario_id="a",
        scenario_title="A",
        scenario_hash="h",
        scenario_json="{}",
        draws=50,
        seed=1,
        use_record=True,
        package_version="x",
        metrics=METRICS,
        settings={},
    )
    broken = pd.DataFrame({"period": good["period"]})  # the second dyad's table lacks its columns
    store = RunStore()
    with pytest.raises(KeyError):
        store.record_together([NewRun(summary=good, **run), NewRun(summary=broken, **run)])
    assert store.list_runs() == []


def test_the_web_app_names_the_system_and_does_not_pair_or_rerun_a_dyad_alone(system_path, tiny_path):
    runner = CliRunner()
    assert runner.invoke(app, ["system", "run", str(system_path), "-n", "60", "--seed", "3"]).exit_code == 0
    assert runner.invoke(app, ["run", str(tiny_path), "-n", "60", "--seed", "3"]).exit_code == 0
    with TestClient(create_app()) as client:
        runs = client.get("/api/runs").json()
        alone = next(r for r in runs if r["system"] is None)
        dyad = next(r for r in runs if r["scenario_id"] == "tiny-triangle" and r["system"] == "tiny-system")
        assert dyad["system_run"] and alone["system_run"] is None
        refused = client.post(f"/api/runs/{dyad['run_id']}/rerun", json={"seed": "3", "draws": 60})
        assert refused.status_code == 422
        assert "pivotal system run tiny-system" in refused.json()["detail"]
        compared = client.get("/api/compare", params={"a": alone["run_id"], "b": dyad["run_id"]}).json()
        assert compared["paired"] is False and compared["pairable"] is False
        assert "dyad of a system run" in compared["note"]


def test_a_system_what_if_is_recorded_per_dyad_for_the_systems_reports(system_path):
    runner = CliRunner()
    asked = runner.invoke(
        app,
        [
            "system",
            "whatif",
            str(system_path),
            "--dyad",
            "tiny-triangle",
            "--set",
            "record.pivot_response=restrain@2002",
            "-n",
            "80",
            "--contagion",
            "0.5",
            "--json",
        ],
    )
    assert asked.exit_code == 0, asked.output
    content = json.loads(asked.stdout)
    assert set(content["dyads"]) == {"tiny-triangle", "tiny-quiet"}
    recorded = RunStore().list_analyses()
    assert sorted((a.kind, a.scenario_id) for a in recorded) == [
        ("whatif", "tiny-quiet"),
        ("whatif", "tiny-triangle"),
    ]
    assert all(
        a.settings["system"] == "tiny-system" and a.settings["dyad"] == "tiny-triangle" for a in recorded
    )
    assert runner.invoke(app, ["system", "run", str(system_path), "-n", "60"]).exit_code == 0
    quiet = RunStore().list_runs(scenario_id="tiny-quiet")[0]
    assert "record.pivot_response=restrain@2002" in build_report(quiet.run_id)


def test_figures_of_a_run_alone_leave_out_the_systems_analyses(system_path, tiny_path, tmp_path):
    from pivotal.report.files import write_figures

    runner = CliRunner()
    assert (
        runner.invoke(
            app,
            [
                "system",
                "whatif",
                str(system_path),
                "--dyad",
                "tiny-triangle",
                "--set",
                "record.pivot_response=restrain@2002",
                "-n",
                "40",
            ],
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["system", "run", str(system_path), "-n", "40"]).exit_code == 0
    assert runner.invoke(app, ["run", str(tiny_path), "-n", "40"]).exit_code == 0
    runs = RunStore().list_runs(scenario_id="tiny-triangle")
    dyad = next(r for r in runs if "system" in r.settings)
    alone = next(r for r in runs if "system" not in r.settings)
    names = {
        run.run_id: {f.stem for f in write_figures(run.run_id, tmp_path / run.run_id, "svg", RunStore())}
        for run in (dyad, alone)
    }
    assert "whatif" in names[dyad.run_id] and "whatif" not in names[alone.run_id]
    with TestClient(create_app()) as client:

        def charts(run_id: str) -> set:
            drawn = client.get(f"/api/runs/{run_id}/figures").json()["charts"]
            return {figure["layout"]["meta"]["chart"] for figure in drawn}

        assert "whatif" in charts(dyad.run_id) and "whatif" not in charts(alone.run_id)
