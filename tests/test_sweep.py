"""Sweeps on a real local 2-CPU Ray cluster: recording, common random numbers, retries, failures, CLI."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app
from pivotal.runner import compute_summary
from pivotal.scenario import ScenarioError, load_scenario, scenario_hash
from pivotal.scenario.overlay import apply_overlay, overlay_from_settings
from pivotal.simulation import METRICS
from pivotal.store import RunStore
from pivotal.sweep import build_variants, read_spec, run_sweep, spec_from_settings
from pivotal.sweep.executor import INSTALL_HINT, SweepError, import_ray, ray_cluster

ray = pytest.importorskip("ray")
runner = CliRunner(env={"COLUMNS": "200"})
GRID = ["patron_shield=0,0.4", "record.pivot_response=restrain,acquiesce@2002"]


@pytest.fixture(scope="module")
def workers_home(tmp_path_factory):
    """One local cluster for the module; its workers get a PIVOTAL_HOME no test reads from.

    If a worker ever wrote to the store, its rows would land there and be missing
    from each test's own store, so the tests below would fail.
    """
    home = tmp_path_factory.mktemp("workers-home")
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("PIVOTAL_HOME", str(home))
            stack.enter_context(ray_cluster(cpus=2))
        yield home


@pytest.fixture
def tiny(tiny_path):
    return load_scenario(tiny_path)


def test_grid_records_one_run_per_variant_with_common_random_numbers(tiny, workers_home):
    store = RunStore()
    variants = build_variants(spec_from_settings(GRID), tiny, seed=11)
    result = run_sweep(tiny, variants, spec={"grid": GRID}, draws=150, seed=11, store=store)

    assert [o.ok for o in result.outcomes] == [True] * 4
    assert {r.run_id for r in store.list_runs()} == {o.run_id for o in result.outcomes}
    stored = store.get_sweep(result.sweep_id)
    assert (stored.record.status, stored.record.seed, stored.record.variants) == ("done", 11, 4)
    assert list(stored.tasks["run_id"]) == [o.run_id for o in result.outcomes]
    assert stored.tasks["settings"][3]["settings"] == [
        "patron_shield=0.4@2001-2003",
        "record.pivot_response=acquiesce@2002",
    ]
    for outcome in result.outcomes:  # the same numbers as running the variant on its own
        alone = apply_overlay(tiny, overlay_from_settings(list(outcome.variant.settings), tiny))
        _, expected = compute_summary(alone, draws=150, seed=11)
        recorded = store.get(outcome.run_id)
        assert recorded.record.seed == 11
        for metric in METRICS:
            np.testing.assert_allclose(recorded.summary[metric], expected[metric], rtol=1e-12)
    means = stored.tasks["p_offensive"]
    assert means[2] > means[0]  # a stronger patron shield emboldens the challenger

    where = ray.get(ray.remote(lambda: os.environ.get("PIVOTAL_HOME")).remote())
    assert where == str(workers_home) and not any(workers_home.iterdir())


def test_a_transient_failure_is_retried_and_succeeds(tiny, tmp_path, workers_home):
    markers = tmp_path / "markers"
    markers.mkdir()

    def flaky(scenario, *, draws, seed, use_record):
        marker = markers / scenario_hash(scenario)  # the same in every worker process
        if not marker.exists():
            marker.touch()
            raise RuntimeError("lost the connection, once")
        return compute_summary(scenario, draws=draws, seed=seed, use_record=use_record)[1]

    store = RunStore()
    variants = build_variants(spec_from_settings(["patron_shield=0,0.4"]), tiny, seed=2)
    result = run_sweep(tiny, variants, spec={}, draws=50, seed=2, store=store, retries=2, task=flaky)

    assert [(o.ok, o.attempts) for o in result.outcomes] == [(True, 2), (True, 2)]
    tasks = store.get_sweep(result.sweep_id).tasks
    assert list(tasks["attempts"]) == [2, 2] and list(tasks["status"]) == ["done", "done"]


def test_a_task_that_always_fails_is_recorded_as_failed_and_the_others_kept(tiny, workers_home):
    def picky(scenario, *, draws, seed, use_record):
        if scenario.parameters["patron_shield"][0].low == 0.4:
            raise ValueError("no good at 0.4")
        return compute_summary(scenario, draws=draws, seed=seed, use_record=use_record)[1]

    store = RunStore()
    variants = build_variants(spec_from_settings(["patron_shield=0,0.4,0.2"]), tiny, seed=3)
    result = run_sweep(tiny, variants, spec={}, draws=50, seed=3, store=store, retries=1, task=picky)

    [failed] = result.failed
    assert (failed.variant.index, failed.attempts, failed.error) == (1, 2, "ValueError: no good at 0.4")
    stored = store.get_sweep(result.sweep_id)
    assert stored.record.status == "failed" and (stored.record.done, stored.record.failed) == (2, 1)
    row = stored.tasks.iloc[1]
    assert (row["status"], row["run_id"], row["error"]) == ("failed", None, "ValueError: no good at 0.4")
    assert len(store.list_runs()) == 2


def test_a_bad_setting_is_a_located_error_before_ray_is_contacted(tiny_path, isolated_home):
    # Nothing listens on port 9: had the sweep tried to join first, the error would be about that.
    env = {**os.environ, "PIVOTAL_HOME": str(isolated_home), "COLUMNS": "200"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pivotal",
            "sweep",
            str(tiny_path),
            "--set",
            "patron_shield=0,1.4",
            "--address",
            "127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: --set patron_shield=0,1.4: parameters.patron_shield[0].low: "
        "expected a value of `patron_shield` in [0, 1], found 1.4"
    )
    assert not isolated_home.exists()


def test_spec_file_mistakes_name_the_line_and_field(tiny):
    def first_error(text: str) -> str:
        with pytest.raises(ScenarioError) as caught:
            build_variants(read_spec(text, "s.yaml"), tiny, seed=0)
        return str(caught.value)

    grid = (
        "grid:\n  - path: patron_shield\n    values: [0, 0.2]\n"
        "  - path: mediated_share\n    values: [0.5, 7]\n"
    )
    assert first_error(grid) == (
        "s.yaml:5:19: grid[1].values[1]: expected a value of `mediated_share` in [0, 1], found 7"
    )
    assert first_error("grid:\n  - {path: patron_shield, values: [0.1], periods: 1990}\n") == (
        "s.yaml:2:42: grid[0].periods: expected periods within 2001-2003, found '1990'"
    )
    sample = "sample:\n  method: lhs\n  size: -1\n  ranges: [{path: war_cost, low: 0, high: 1}]\n"
    assert first_error(sample) == "s.yaml:3:3: sample.size: expected greater than or equal to 1, found -1"
    with pytest.raises(ScenarioError, match=r"^--sample: .*power of 2.*found 6$"):
        build_variants(spec_from_settings(["war_cost=0.2:0.8"], sample=6, method="sobol"), tiny, seed=0)


def test_samples_are_stratified_and_repeat_with_the_seed(tiny):
    spec = spec_from_settings(["patron_shield=0.1:0.3@2002", "war_cost=0.3/0.5/0.7,0.8"], sample=8)
    first = build_variants(spec, tiny, seed=5)
    assert len(first) == 16 and first[0].values["war_cost"] == "0.3/0.5/0.7"
    drawn = sorted(v.values["patron_shield@2002"] for v in first[:8])
    assert [int((x - 0.1) / 0.2 * 8) for x in drawn] == list(range(8))  # one point per stratum
    assert [v.settings for v in build_variants(spec, tiny, seed=5)] == [v.settings for v in first]
    assert [v.settings for v in build_variants(spec, tiny, seed=6)] != [v.settings for v in first]


def test_cli_sweep_then_list_and_show(tiny_path, workers_home):
    ran = runner.invoke(
        app,
        [
            "sweep",
            str(tiny_path),
            *[a for s in GRID for a in ("--set", s)],
            "-n",
            "80",
            "-s",
            "4",
            "--metric",
            "p_challenge",
            "--over",
            "2002-2003",
        ],
    )
    assert ran.exit_code == 0, ran.output
    assert "4 variants, 80 draws, seed 4 (shared), done" in ran.stdout
    assert "p_challenge: mean over parameter draws, averaged over 2002-2003" in ran.stdout
    listed = runner.invoke(app, ["sweeps"])
    assert "tiny-triangle" in listed.stdout and "4/4" in listed.stdout
    sweep_id = RunStore().list_sweeps()[0].sweep_id
    shown = runner.invoke(app, ["sweep-show", sweep_id[:6], "--json"])
    payload = json.loads(shown.stdout)
    assert payload["sweep"]["seed"] == 4 and payload["sweep"]["spec"]["scenario"] == "tiny-triangle"
    assert [t["values"] for t in payload["tasks"]][1] == {
        "patron_shield": 0.0,
        "record.pivot_response@2002": "acquiesce",
    }
    run = runner.invoke(app, ["show", payload["tasks"][1]["run_id"]])
    assert run.exit_code == 0 and "80 draws, seed 4" in run.stdout


def test_cli_end_to_end_with_its_own_local_cluster(tiny_path, isolated_home, tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        "sample:\n  size: 2\n  ranges:\n    - {path: patron_shield, low: 0.1, high: 0.3}\n", encoding="utf-8"
    )
    env = {**os.environ, "PIVOTAL_HOME": str(isolated_home), "COLUMNS": "200"}
    env.pop("RAY_ADDRESS", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pivotal",
            "sweep",
            str(tiny_path),
            "--spec",
            str(spec),
            "--set",
            "war_cost=0.5,0.7",
            "--cpus",
            "1",
            "-n",
            "60",
            "-s",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "4 variants, 60 draws, seed 1 (shared), done" in done.stdout
    assert "running on a local Ray cluster with 1 CPU" in done.stderr
    assert len(RunStore(isolated_home / "runs.duckdb").list_runs()) == 4


def test_missing_ray_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets when it is not installed
    with pytest.raises(SweepError, match="not installed") as caught:
        import_ray()
    assert str(caught.value) == INSTALL_HINT


def test_only_running_a_sweep_imports_ray():
    code = "import sys, pivotal, pivotal.cli.app, pivotal.sweep; print('ray' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_ray_is_imported_by_the_sweep_executor_only():
    src = Path(__file__).resolve().parents[1] / "src" / "pivotal"

    def imports_ray(path: Path) -> bool:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            if any(name == "ray" or name.startswith("ray.") for name in names):
                return True
        return False

    users = sorted(str(p.relative_to(src)) for p in src.rglob("*.py") if imports_ray(p))
    assert users == ["sweep/executor.py"]
