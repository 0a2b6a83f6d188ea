"""Years played episode by episode: each listed episode is a period of its own.

The tiny scenario's 2002 holds its border clash (May) and, added here, a threat called off in
September; with ``periods.split`` the model plays both, and the observers' belief moves after each.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app
from pivotal.runner import record_summary
from pivotal.scenario import ScenarioError, parse_scenario
from pivotal.scenario.overlay import apply_overlay, overlay_from_settings
from pivotal.scenario.schema import PeriodRange, parse_periods
from pivotal.scenario.timeline import as_period, is_year, period_key, period_label, start_date
from pivotal.simulation import simulate, summarise
from pivotal.simulation.sampling import parameter_values
from pivotal.store.runstore import RunStore, schema_version

DATA = Path(__file__).parent / "data"
CLASH, THREAT = period_key(dt.date(2002, 5, 1)), period_key(dt.date(2002, 9, 15))

THREAT_EPISODE = """  - id: threat2002
    title: Troops massed, then withdrawn
    start: 2002-09-15
    end: 2002-09-30
    initiator: CHA
    sources: [{ref: note-a, at: '¶6'}]
"""

SPLIT_RECORD = """  - periods: clash2002
    challenge: probe
    pivot_response: acquiesce
    appeal_answered: false
    episodes: [clash2002]
    sources: [{ref: note-a, at: '¶5'}]
  - periods: threat2002
    challenge: none
    deterred: true
    episodes: [threat2002]
    sources: [{ref: note-a, at: '¶6'}]
"""


def split(tiny_text: str, listed: str = "[clash2002, threat2002]") -> str:
    """The tiny scenario with 2002 played episode by episode."""
    text = tiny_text.replace(
        "periods: {start: 2001, end: 2003}", f"periods: {{start: 2001, end: 2003, split: {{2002: {listed}}}}}"
    )
    text = text.replace("parameters:\n", THREAT_EPISODE + "parameters:\n", 1)
    start = text.index("  - periods: 2002\n")
    return text[:start] + SPLIT_RECORD


@pytest.fixture
def episodes(tiny_text):
    return parse_scenario(split(tiny_text), source="split.yaml")


def test_keys_are_years_or_dates_that_never_look_like_a_year():
    for day in (dt.date(2022, 1, 1), dt.date(2022, 8, 1), dt.date(2020, 12, 31), dt.date(2021, 12, 31)):
        key = period_key(day)
        assert not is_year(key) and day.year < key < day.year + 1
        assert start_date(key) == day and period_label(key) == day.isoformat()
        assert as_period(float(key)) == key
    assert as_period(2022.0) == 2022 and isinstance(as_period(2022.0), int) and period_label(2022) == "2022"


def test_a_split_year_is_its_episodes_in_date_order(episodes, tiny_scenario):
    assert tiny_scenario.timeline == [2001, 2002, 2003]  # annual files are as they were
    assert all(isinstance(p, int) for p in tiny_scenario.timeline)
    assert episodes.timeline == [2001, CLASH, THREAT, 2003]
    assert [episodes.period_name(p) for p in episodes.timeline] == [
        "2001",
        "2002-05-01 clash2002",
        "2002-09-15 threat2002",
        "2003",
    ]
    listed_backwards = parse_scenario(split(tiny_text_of(episodes), "[threat2002, clash2002]"))
    assert listed_backwards.timeline == episodes.timeline


def tiny_text_of(_scenario) -> str:
    return (DATA / "tiny.yaml").read_text(encoding="utf-8")


def test_periods_can_name_an_episode_by_id_date_or_range(episodes):
    assert episodes.record_for(CLASH).challenge == "probe"
    threat = episodes.record_for(THREAT)
    assert threat.challenge == "none" and threat.deterred is True
    assert episodes.roles_in(THREAT).pivot == "PIV"  # a range of years takes in the year's episodes
    assert episodes.periods_in(PeriodRange(2002, 2002)) == [CLASH, THREAT]
    assert episodes.span("2002-09-15") == PeriodRange(THREAT, THREAT)
    assert episodes.span("threat2002") == PeriodRange(THREAT, THREAT)
    assert episodes.periods_in(episodes.span("2001..clash2002")) == [2001, CLASH]
    assert str(PeriodRange(2001, CLASH)) == "2001..2002-05-01"
    assert parse_periods(str(PeriodRange(2001, CLASH))) == PeriodRange(2001, CLASH)


def test_the_belief_moves_after_each_episode(episodes):
    """An unanswered probe in May is evidence of irresolution that September's observers start from."""
    run = simulate(episodes, draws=400, seed=5)
    t = run.periods.index(CLASH)
    before, after = run.metrics["belief"][t], run.metrics["belief_after"][t]
    assert after.mean() < before.mean()
    whole = simulate(parse_scenario(tiny_text_of(episodes)), draws=400, seed=5)
    # The September observers start where May left them (less the pivot's possible turnover), as
    # 2003's observers start where the whole of 2002 left them when the year is played whole.
    assert run.metrics["belief"][t + 1].mean() < before.mean()
    assert np.allclose(run.metrics["belief"][t], whole.metrics["belief"][1])


PRIZE = (
    "  prize:\n    - {periods: '2001-2003', low: 1, mode: 1, high: 1, sources: [{ref: note-a, at: '¶3'}]}\n"
)
PIECE = (
    "    - {{periods: {}, low: {value}, mode: {value}, high: {value}, "
    "sources: [{{ref: note-a, at: '¶3'}}]}}\n"
)


def with_prize(text: str, first: str, second: str) -> str:
    """The scenario with its prize 1 over ``first`` and 0.5 over ``second``."""
    return text.replace(PRIZE, "  prize:\n" + PIECE.format(first, value=1) + PIECE.format(second, value=0.5))


def test_parameters_can_differ_by_episode(tiny_text):
    scenario = parse_scenario(with_prize(split(tiny_text), "'2001..clash2002'", "'threat2002..2003'"))
    run = simulate(scenario, draws=20, seed=1)
    prize = parameter_values(scenario, run.quantiles)["prize"]
    assert prize[:, 0].tolist() == [1.0, 1.0, 0.5, 0.5]


def test_a_deterred_threat_comes_only_with_no_challenge(tiny_text):
    text = split(tiny_text).replace(
        "    challenge: none\n    deterred: true\n",
        "    challenge: probe\n    pivot_response: acquiesce\n    deterred: true\n",
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="split.yaml")
    assert "record[2].deterred: expected `deterred` only with `challenge: none`" in str(caught.value)


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        ("[clash2002, nowhere]", "split[2002][1]: expected an episode id defined under `episodes`"),
        ("[clash2002, clash2002]", "split[2002][1]: expected each episode listed once, found 'clash2002'"),
    ],
)
def test_a_bad_split_is_located(tiny_text, listed, expected):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(split(tiny_text, listed), source="split.yaml")
    assert expected in str(caught.value)


def test_an_episode_of_another_year_cannot_split_this_one(tiny_text):
    text = split(tiny_text).replace("start: 2002-09-15", "start: 2003-09-15")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="split.yaml")
    assert "expected an episode that starts in 2002, found 'threat2002', which starts on 2003-09-15" in str(
        caught.value
    )


def test_an_episode_not_played_as_a_period_cannot_be_named_as_one(tiny_text):
    text = split(tiny_text, "[threat2002]")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="split.yaml")
    expected = "record[1].periods: expected a year, or an episode that is a period of its own"
    assert expected in str(caught.value)


def test_a_year_played_whole_is_still_named_by_the_record(tiny_text):
    """A record entry for a split year covers each of its episodes: the same outcome in each."""
    text = split(tiny_text)
    start = text.index("  - periods: clash2002\n")
    text = text[:start] + ("  - periods: 2002\n    challenge: none\n    sources: [{ref: note-a, at: '¶5'}]\n")
    scenario = parse_scenario(text)
    assert [scenario.record_for(p).challenge for p in (CLASH, THREAT)] == ["none", "none"]


def test_a_what_if_can_change_one_episode(episodes):
    overlay = overlay_from_settings(["record.pivot_response=restrain@clash2002"], episodes)
    changed = apply_overlay(episodes, overlay)
    assert changed.record_for(CLASH).pivot_response == "restrain"
    assert changed.record_for(THREAT).deterred is True
    assert overlay.first_period == CLASH and overlay.record_periods(episodes) == {CLASH}
    prize = overlay_from_settings(["prize=0.5@threat2002"], episodes)
    pieces = apply_overlay(episodes, prize).parameters["prize"]
    assert [str(p.periods) for p in pieces] == ["2001..2002-05-01", "2002-09-15", "2003"]


def test_runs_are_the_same_for_the_same_seed(episodes):
    a, b = (summarise(simulate(episodes, draws=300, seed=9)) for _ in range(2))
    assert a.equals(b)


def _record(store: RunStore, run) -> str:
    return record_summary(
        store, run.scenario, draws=run.draws, seed=run.seed, use_record=True, summary=summarise(run)
    )


def test_a_run_with_episodes_round_trips_through_the_store(episodes, tmp_path):
    store = RunStore(tmp_path / "runs.duckdb")
    run = simulate(episodes, draws=200, seed=2)
    run_id = _record(store, run)
    back = store.get(run_id).summary
    assert back["period"].tolist() == [2001, CLASH, THREAT, 2003]
    assert np.allclose(back["belief"], summarise(run)["belief"])


def test_a_store_of_an_earlier_release_takes_episodes_and_keeps_its_runs(tiny_scenario, episodes, tmp_path):
    old = tmp_path / "runs.duckdb"
    with gzip.open(DATA / "store-0.1.0.duckdb.gz", "rb") as source, old.open("wb") as target:
        shutil.copyfileobj(source, target)
    store = RunStore(old)
    before = {r.run_id: store.get(r.run_id).summary for r in store.list_runs()}
    assert before, "the old store holds runs"
    new_id = _record(store, simulate(episodes, draws=50, seed=1))
    assert schema_version(old) == 3
    with duckdb.connect(str(old), read_only=True) as connection:
        kinds = connection.execute(
            "SELECT data_type FROM duckdb_columns() WHERE column_name = 'period' ORDER BY table_name"
        ).fetchall()
    assert kinds == [("DOUBLE",), ("DOUBLE",)]
    for run_id, summary in before.items():
        again = store.get(run_id).summary
        assert again.equals(summary), run_id
    assert store.get(new_id).summary["period"].tolist() == [2001, CLASH, THREAT, 2003]


def test_the_command_line_shows_episodes_by_date(episodes, tmp_path):
    path = tmp_path / "split.yaml"
    path.write_text(split((DATA / "tiny.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(path), "-n", "100", "--no-store"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "2002-05-01" in result.output and "2002-09-15" in result.output and "2002.4" not in result.output
    explained = runner.invoke(app, ["explain", str(path), "--period", "threat2002", "-n", "20"])
    assert explained.exit_code == 0, explained.output
    assert "the stage game of 2002-09-15 threat2002" in explained.output
    whole_year = runner.invoke(app, ["explain", str(path), "--period", "2002", "-n", "20"])
    assert whole_year.exit_code != 0
    assert "2002 is played episode by episode: 2002-05-01 clash2002, 2002-09-15 threat2002" in (
        whole_year.output
    )


def test_gambit_agrees_on_an_episodes_game(tmp_path):
    pytest.importorskip("pygambit")
    path = tmp_path / "split.yaml"
    path.write_text(split((DATA / "tiny.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["explain", str(path), "--period", "2002-05-01", "-n", "20", "-d", "3", "--check"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "the stage game of 2002-05-01 clash2002" in result.output
    assert "Gambit and pivotal agree within" in result.output


def test_the_web_app_runs_fixes_and_compares_episodes(tiny_text):
    from fastapi.testclient import TestClient

    from pivotal.web.app import create_app
    from tests.test_web_api import wait_for

    with TestClient(create_app()) as client:
        document = {"file": ("split.yaml", split(tiny_text).encode())}
        upload = client.post("/api/scenarios/upload", files=document)
        assert upload.status_code == 200, upload.text
        info = upload.json()
        prize = next(p for p in info["parameters"] if p["name"] == "prize")
        assert [piece["periods"] for piece in prize["pieces"]] == ["2001-2003"]
        runs = []
        for settings in ([], [{"parameter": "prize", "value": 0.5, "periods": "threat2002"}]):
            response = client.post(
                "/api/runs",
                json={"upload_id": info["upload_id"], "draws": 200, "seed": 4, "settings": settings},
            )
            assert response.status_code == 202, response.text
            job = wait_for(client, response.json()["job_id"])
            assert job["status"] == "done", job
            runs.append(job["run_id"])
        figures = client.get(f"/api/runs/{runs[0]}/figures")
        assert figures.status_code == 200
        pair = {"a": runs[0], "b": runs[1], "metric": "p_challenge"}
        compared = client.get("/api/compare", params=pair).json()
        assert [row["label"] for row in compared["rows"]] == ["2001", "2002-05-01", "2002-09-15", "2003"]
        moved = [row["difference"] for row in compared["rows"]]
        assert moved[:2] == [0.0, 0.0] and moved[2] != 0.0


def test_files_that_use_no_new_key_keep_their_json_and_hash(tiny_scenario, episodes):
    """A run stores the scenario's JSON and analyses are linked by its hash: neither may change for
    a file written before years could be split."""
    from pivotal.scenario.loader import scenario_json

    stored = scenario_json(tiny_scenario)
    assert '"split"' not in stored and '"deterred"' not in stored
    assert '"split"' in scenario_json(episodes) and '"deterred":true' in scenario_json(episodes)


LAST_SPLIT_EPISODES = """  - {id: a2003, title: First, start: 2003-03-01, sources: [{ref: note-a, at: '¶7'}]}
  - {id: b2003, title: Second, start: 2003-08-30, sources: [{ref: note-a, at: '¶7'}]}
"""
ROLES = "  - {{periods: {}, pivot: PIV, challenger: CHA, target: TAR{}}}"


@pytest.fixture
def last_split(tiny_text):
    """The last year split, roles and prize changing at its second episode."""
    text = tiny_text.replace(
        "periods: {start: 2001, end: 2003}",
        "periods: {start: 2001, end: 2003, split: {2003: [a2003, b2003]}}",
    )
    text = text.replace("parameters:\n", LAST_SPLIT_EPISODES + "parameters:\n", 1)
    patron = ", challenger_patrons: [PAT]"
    text = text.replace(
        ROLES.format("'2001-2003'", patron),
        ROLES.format("'2001..a2003'", patron) + "\n" + ROLES.format("b2003", ""),
    )
    return parse_scenario(with_prize(text, "'2001..a2003'", "b2003"))


def test_ties_end_and_start_at_episodes(last_split):
    from pivotal.report.data import ties

    patron = [t for t in ties(last_split) if t.kind == "patronage"]
    assert [(t.start, t.end) for t in patron] == [(dt.date(2001, 1, 1), dt.date(2003, 8, 29))]


def test_the_web_shows_pieces_that_start_or_end_at_an_episode(last_split):
    from pivotal.web.api import _scenario_info

    info = _scenario_info(last_split)
    prize = next(p for p in info.parameters if p.name == "prize")
    assert [piece.periods for piece in prize.pieces] == ["2001..2003-03-01", "2003-08-30"]


def test_score_and_sensitivity_take_split_years(last_split, episodes):
    from pivotal.analysis.sensitivity import sobol_indices, uncertain_parameters
    from pivotal.evaluation import score_scenario

    assert "prize" not in uncertain_parameters(last_split, 2002)
    report = score_scenario(episodes, draws=40, seed=1, start=2002)
    assert set(report.precision["before"].dropna()) <= set(episodes.timeline)
    sobol = sobol_indices(last_split, metric="belief", periods=last_split.span("2002..a2003"), samples=4)
    assert sobol.periods == PeriodRange(2002, period_key(dt.date(2003, 3, 1)))


def test_a_sweep_averages_whole_years_only(tmp_path):
    result = CliRunner().invoke(app, ["sweep-show", "nothing", "--over", "2002-05-01"])
    assert result.exit_code != 0 and "whole years" in result.output
