"""What a notebook user meets: short reprs, HTML views, tables and plots of every result."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import pivotal
from pivotal.scenario import PeriodRange


def test_reprs_are_short_and_say_what_the_object_is(tiny_scenario):
    run = pivotal.run_scenario(tiny_scenario, draws=50, seed=1, save=False)
    assert repr(tiny_scenario).startswith("Scenario(id='tiny-triangle', title='Tiny triangle'")
    assert repr(run) == "Run(run_id=None, scenario='tiny-triangle', draws=50, seed=1, periods=2001-2003)"
    simulated = pivotal.simulate(tiny_scenario, draws=50, seed=1)
    for value in (tiny_scenario, run, run.result, simulated):
        assert len(repr(value)) < 300, type(value).__name__
    assert "Pivotia between Challengia (challenger) and Targetia" in tiny_scenario._repr_html_()
    assert "<table" in run._repr_html_() and "p_offensive" in run._repr_html_()


def test_the_old_name_of_save_still_works_and_says_it_is_old(tiny_scenario, tmp_path):
    from pivotal.store import RunStore

    store = RunStore(tmp_path / "runs.duckdb")
    with pytest.warns(DeprecationWarning, match="save="):
        run = pivotal.run_scenario(tiny_scenario, draws=20, seed=1, store=store, record=False)
    assert run.run_id is None and not store.list_runs()
    saved = pivotal.run_scenario(tiny_scenario, draws=20, seed=1, store=store)
    assert [r.run_id for r in store.list_runs()] == [saved.run_id]


def test_analyses_give_frames_plots_and_short_reprs(tiny_scenario):
    changes = pivotal.counterfactual(tiny_scenario, "war_cost=0@2002-2003")
    whatif = pivotal.what_if(tiny_scenario, changes, draws=100, seed=1)
    sobol = pivotal.sobol_indices(tiny_scenario, metric="p_offensive", samples=64)
    score = pivotal.score_scenario(tiny_scenario, draws=50, seed=1, start=2002)
    assert list(whatif.to_frame(("p_challenge",))["period"]) == [2001, 2002, 2003]
    assert list(sobol.to_frame()["parameter"])[:1] == [sobol.indices["parameter"].iloc[0]]
    assert {"outcome", "method", "brier"} <= set(score.to_frame().columns)
    for result, ax in (
        (whatif, whatif.plot("p_challenge")),
        (sobol, sobol.plot(top=5)),
        (score, score.plot()),
    ):
        assert ax.get_title() and len(repr(result)) < 300, type(result).__name__
    ax = score.plot()  # out of sample only: the base rate's bars are its rolling-origin scores
    methods = [text.get_text() for text in ax.get_legend().get_texts()]
    outcomes = [label.get_text() for label in ax.get_xticklabels()]
    rolling = score.table.query("method == 'base rate' and fit == 'rolling-origin'").set_index("outcome")
    heights = [bar.get_height() for bar in ax.containers[methods.index("base rate")]]
    assert heights == pytest.approx([rolling.loc[o, "brier"] for o in outcomes])
    assert sobol.periods == PeriodRange(2001, 2003)
    plt.close("all")


def test_a_recorded_run_and_its_report_from_python(tiny_scenario, isolated_home):
    recorded = pivotal.run_scenario(tiny_scenario, draws=50, seed=3)
    stored = pivotal.load_run()
    assert stored.record.run_id == recorded.run_id and len(stored.summary) == 3
    assert pivotal.build_report().lstrip().lower().startswith("<!doctype html")


def test_the_package_says_it_is_typed():
    from importlib import resources

    assert resources.files("pivotal").joinpath("py.typed").is_file()


def test_a_stored_run_is_short_to_print_and_errors_survive_pickling(tiny_scenario, isolated_home):
    import pickle

    from pivotal.scenario import ScenarioError, parse_scenario

    pivotal.run_scenario(tiny_scenario, draws=30, seed=2)
    assert len(repr(pivotal.load_run())) < 200
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("id: x\nid: y\ntitle: a\ntitle: b\n", "x.yaml")
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and [p.located() for p in again.problems] == [
        "x.yaml:2:1: id: expected each key once in a mapping, found `id` again (first at line 1)",
        "x.yaml:4:1: title: expected each key once in a mapping, found `title` again (first at line 3)",
    ]
