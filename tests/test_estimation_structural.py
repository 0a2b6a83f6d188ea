"""Fitting pivotal's game: the likelihood's filter is the engine's belief, its derivatives are
exact, a fit recovers the truth it was simulated from, and the command records what it fitted."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("jax")

from pivotal.estimation.fit import fit_scenarios
from pivotal.estimation.mle import Objective, climb
from pivotal.estimation.record import case_record, simulated_records
from pivotal.estimation.structural import Likelihood, walk_case
from pivotal.estimation.terms import SpecificationError, design, parse_terms
from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.scenario import builtin_names, builtin_scenario
from pivotal.simulation.engine import simulate


@pytest.mark.parametrize("name", builtin_names())
def test_the_filter_moves_beliefs_as_the_engine_does(name):
    """At the medians of every range, the likelihood's belief in each period and its forecast of the
    challenge equal the engine's run on the record, period by period."""
    scenario = builtin_scenario(name)
    laid = design(parse_terms(["precision"]), [case_record(scenario)])
    walked = walk_case(np.zeros(1), laid, 0)
    run = simulate(scenario, draws=1, seed=0, quantiles=np.full((len(PARAMETER_NAMES), 1), 0.5), threads=1)
    engine = np.stack([run.metrics[k][:, 0] for k in ("p_deterred", "p_probe", "p_offensive")], axis=1)
    assert np.abs(walked.belief - run.metrics["belief"][:, 0]).max() < 1e-12
    assert np.abs(walked.challenge - engine).max() < 1e-12
    assert np.all(np.isfinite(walked.log_likelihood)) and np.all(walked.log_likelihood <= 0)


@pytest.fixture(scope="module")
def two_cases():
    scenarios = [builtin_scenario("india-pakistan"), builtin_scenario("south-caucasus")]
    return scenarios, [case_record(s) for s in scenarios]


@pytest.mark.slow
def test_gradient_and_hessian_are_the_derivatives_of_the_likelihood(two_cases):
    """Central differences of the value agree with the gradient, and of the gradient with the
    Hessian, at a point away from the scenarios' values (both links, and a covariate)."""
    _, cases = two_cases
    laid = design(parse_terms(["precision_challenger", "patron_shield", "prize~balance"]), cases)
    likelihood = Likelihood(laid)
    theta = np.array([-0.4, 0.3, 0.2])
    value, gradient = likelihood.value_and_gradient(theta)
    hessian = likelihood.hessian(theta)
    h = 1e-5
    for j in range(3):
        step = np.eye(3)[j] * h
        up, down = likelihood.value_and_gradient(theta + step), likelihood.value_and_gradient(theta - step)
        assert (up[0] - down[0]) / (2 * h) == pytest.approx(gradient[j], rel=1e-6, abs=1e-6)
        assert np.allclose((up[1] - down[1]) / (2 * h), hessian[j], rtol=1e-5, atol=1e-4)
    assert np.isfinite(value)


def test_a_fit_recovers_the_values_the_histories_were_drawn_from():
    """Histories simulated by the engine at the scenario's medians (every coefficient 0) give
    estimates whose 95 % intervals cover 0, and errors that shrink with more histories."""
    scenario = builtin_scenario("india-pakistan")
    errors = []
    for histories in (40, 160):
        cases = simulated_records(scenario, histories, seed=7)
        laid = design(parse_terms(["precision_challenger", "precision_pivot"]), cases)
        likelihood = Likelihood(laid)
        fitted = climb(Objective(likelihood.value_and_gradient, likelihood.hessian), laid.labels)
        assert fitted.converged, fitted.message
        assert np.all(np.abs(fitted.estimates) < 1.96 * fitted.std_errors + 1e-9), fitted.table()
        errors.append(fitted.std_errors)
    assert np.all(errors[1] < 0.7 * errors[0])  # about 1/2 with four times the histories


def test_terms_are_checked_with_what_to_do():
    assert [t.label for t in parse_terms(["precision", "prize~balance"])] == ["precision", "prize~balance"]
    with pytest.raises(SpecificationError, match="not a model parameter"):
        parse_terms(["precison"])
    with pytest.raises(SpecificationError, match="named twice"):
        parse_terms(["prize", "prize"])
    with pytest.raises(SpecificationError, match="not both"):
        parse_terms(["precision", "precision_pivot"])
    with pytest.raises(SpecificationError, match="at least one"):
        parse_terms([])
    beagle = case_record(builtin_scenario("beagle-channel"))
    with pytest.raises(SpecificationError, match="cannot move it"):
        design(parse_terms(["ceasefire_fragility"]), [beagle])  # 0 throughout: nothing to scale


def test_clustered_maximum_likelihood_fit_reports_its_checks(two_cases):
    scenarios, _ = two_cases
    fitted = fit_scenarios(
        [*scenarios, builtin_scenario("peru-ecuador")], ["precision"], keep=50, cluster=True
    )
    assert fitted.converged and fitted.method == "mle" and fitted.diagnostics["clustered"]
    assert any("too small" in w for w in fitted.warnings)  # three clusters
    assert fitted.lower[0] < fitted.estimates[0] < fitted.upper[0]
    assert len(fitted.draws) == 50
    again = type(fitted).from_dict(json.loads(json.dumps(fitted.to_dict())))
    assert again == fitted
    few = fit_scenarios(scenarios, ["precision"], keep=0, cluster=True)  # two cases, one term
    assert not few.diagnostics["clustered"] and any("too few to cluster" in w for w in few.warnings)
    plain = fit_scenarios(scenarios, ["precision"], keep=0)  # the inverse information's, unasked
    assert not plain.diagnostics["clustered"] and not plain.warnings


def test_a_context_whose_probability_underflows_does_not_poison_later_beliefs(two_cases):
    """Far from the authors' values the recorded early moves can have probability 0 in floating
    point; the likelihood stays finite, and so does every later belief."""
    _, cases = two_cases
    laid = design(parse_terms(["precision_pivot"]), cases[1:])
    value, gradient = Likelihood(laid).value_and_gradient(np.array([6.0]))
    assert np.isfinite(value) and np.all(np.isfinite(gradient))
    assert np.all(np.isfinite(walk_case(np.array([6.0]), laid, 0).belief))


@pytest.mark.slow
def test_the_posterior_is_sampled_and_its_diagnostics_warn():
    """A short NUTS run reports R-hat and effective sample sizes, and says when they are too poor."""
    fitted = fit_scenarios(
        [builtin_scenario("peru-ecuador")], ["precision"], "nuts", chains=2, warmup=30, samples=30, keep=40
    )
    assert fitted.method == "nuts"
    assert set(fitted.diagnostics["rhat"]) == {"precision"}
    assert fitted.diagnostics["ess_bulk"]["precision"] > 0
    assert any("effective sample size" in note for note in fitted.warnings)  # 60 draws: too few
    assert not fitted.converged
    assert len(fitted.draws) == 40


def test_fit_fits_and_fit_show_as_a_user_runs_them():
    from typer.testing import CliRunner

    from pivotal.cli.app import app

    runner = CliRunner()
    made = runner.invoke(
        app, ["fit", "peru-ecuador", "india-pakistan", "--free", "precision"], env={"COLUMNS": "200"}
    )
    assert made.exit_code == 0, made.output
    assert "maximum likelihood on peru-ecuador, india-pakistan" in made.stdout
    assert "clustered" not in made.stdout  # the inverse information's errors unless --cluster
    listed = runner.invoke(app, ["fits"], env={"COLUMNS": "200"})
    fit_id = listed.stdout.split("│")[1].strip() if "│" in listed.stdout else None
    assert fit_id and "precision" in listed.stdout
    shown = json.loads(runner.invoke(app, ["fit-show", fit_id[:6], "--json"]).stdout)
    assert shown["fit_id"] == fit_id and shown["terms"] == ["precision"] and shown["converged"]
    assert shown["estimates"][0] == pytest.approx(-1.236, abs=0.01)  # the records' precision is lower


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "india-pakistan", "--free", "precison"], "not a model parameter"),
        (["fit", "no-such-case", "--free", "precision"], "built-in"),
        (["fit", "india-pakistan", "--free", "precision", "--method", "gibbs"], "expected mle or nuts"),
        (["fit-show", "ffffff"], "no single fit"),
    ],
)
def test_mistakes_get_one_clear_line_and_no_fit(args, message):
    from typer.testing import CliRunner

    from pivotal.cli.app import app

    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code in (1, 2)
    assert message in result.output and "Traceback" not in result.output
    assert "no fits recorded" in CliRunner().invoke(app, ["fits"]).stdout


def test_fitted_values_are_the_likelihoods_values_and_runs_take_them():
    """A fit's draws become the same parameter values the likelihood used; at the scenario's own
    medians they change nothing in a run at the medians, and a run's draw i takes fit draw i mod S
    however the run is cut into chunks."""
    from pivotal.estimation.fit import fitted_values
    from pivotal.estimation.structural import _padded
    from pivotal.estimation.terms import term_values
    from pivotal.simulation.fitted import FittedValues

    scenario = builtin_scenario("india-pakistan")
    case = case_record(scenario)
    laid = design(parse_terms(["precision", "prize~balance"]), [case])
    theta = np.array([-0.7, 0.3])
    values, _, _ = _padded(laid, 0).values(theta)
    mapped = term_values(laid.labels, theta[None], case, laid.covariates)
    for name, column in mapped.items():
        assert np.allclose(column[:, 0], values[PARAMETER_NAMES.index(name), : len(case.periods)], rtol=1e-14)
    medians = np.full((len(PARAMETER_NAMES), 64), 0.5)
    at_medians = FittedValues({"prize": np.repeat(case.value("prize")[:, None], 3, axis=1)})
    plain = simulate(scenario, draws=64, seed=3, quantiles=medians, threads=1)
    fitted = simulate(scenario, draws=64, seed=3, quantiles=medians, threads=1, fitted=at_medians)
    assert np.array_equal(plain.metrics["p_challenge"], fitted.metrics["p_challenge"])
    record = fit_scenarios([scenario], ["precision_challenger"], keep=7)
    six = fitted_values(record, scenario, "x")
    assert six.columns(5, 9)["precision_challenger"].shape == (len(case.periods), 4)
    whole = simulate(scenario, draws=40, seed=1, fitted=six, threads=1)
    later = simulate(scenario, draws=20, seed=1, fitted=six, threads=1, first_draw=20)
    assert np.array_equal(whole.metrics["p_probe"][:, 20:], later.metrics["p_probe"])


def test_run_whatif_and_score_use_a_recorded_fit():
    from typer.testing import CliRunner

    from pivotal.cli.app import app
    from pivotal.store import RunStore

    runner = CliRunner()
    env = {"COLUMNS": "200"}
    made = runner.invoke(app, ["fit", "india-pakistan", "peru-ecuador", "-f", "precision"], env=env)
    assert made.exit_code == 0, made.output
    fit_id = RunStore().list_fits()[0].fit_id
    ran = runner.invoke(
        app, ["run", "kyrgyzstan-tajikistan", "-n", "200", "-s", "1", "--fit", fit_id], env=env
    )
    assert ran.exit_code == 0, ran.output
    assert f"fit {fit_id}" in ran.stdout
    assert RunStore().list_runs()[0].settings == {"fit": fit_id}
    clash = runner.invoke(
        app,
        ["whatif", "--scenario", "india-pakistan", "--set", "precision=5@2019", "--fit", fit_id, "-n", "100"],
        env=env,
    )
    assert clash.exit_code == 2 and "which the what-if changes" in clash.output
    paired = runner.invoke(
        app,
        [
            "whatif",
            "--scenario",
            "india-pakistan",
            "--set",
            "patron_shield=0.9@2019",
            "--fit",
            fit_id,
            "-n",
            "100",
            "--json",
        ],
        env=env,
    )
    assert paired.exit_code == 0 and json.loads(paired.stdout)["fit"] == fit_id
    scored = runner.invoke(
        app, ["score", "kyrgyzstan-tajikistan", "-n", "100", "--fit", fit_id, "--json"], env=env
    )
    assert scored.exit_code == 0, scored.output
    table = json.loads(scored.stdout)["scores"]
    rows = [r for r in table if r["method"] == f"model, fit {fit_id}"]
    assert rows and all(r["fit"] == "fitted on other cases" for r in rows)
    assert any(f"the model with fit {fit_id}" in v for v in json.loads(scored.stdout)["verdicts"])


@pytest.mark.slow
def test_scores_across_cases_compare_the_fitted_game_with_its_rivals_out_of_sample():
    from pivotal.estimation.crossval import BASE_RATE, LOGIT, PERSISTENCE, SCHEMES, STRATEGIC, cross_validate

    names = ("india-pakistan", "peru-ecuador", "kyrgyzstan-tajikistan", "gulf-qatar", "beagle-channel")
    scenarios = [builtin_scenario(n) for n in names]
    result = cross_validate(scenarios, ["precision_challenger"], min_history=20)
    forecasts = result.forecasts
    assert set(forecasts["scheme"]) == set(SCHEMES)
    assert set(forecasts["method"]) == {STRATEGIC, BASE_RATE, PERSISTENCE, LOGIT}
    for p in forecasts["p"]:  # every forecast a probability distribution
        assert np.all(p >= 0) and abs(p.sum() - 1) < 1e-9
    held_out = forecasts[(forecasts.scheme == SCHEMES[0]) & (forecasts.outcome == "challenge")]
    assert len(held_out) == 4 * (24 + 23 + 18 + 10 + 9)  # every period of every case, by each method
    rolling = forecasts[(forecasts.scheme == SCHEMES[1]) & (forecasts.outcome == "challenge")]
    assert len(rolling) == 4 * ((24 - 20) + (23 - 20))  # periods from the 21st on
    comparisons = result.comparisons
    assert np.all(comparisons["low"] <= comparisons["difference"] + 1e-12)
    assert np.all(comparisons["difference"] <= comparisons["high"] + 1e-12)
    verdicts = dict(
        zip([(v.split(", ")[0], v.split(", ")[1]) for v in result.verdicts], result.verdicts, strict=False)
    )
    assert "the strategic model" in verdicts[("challenge", SCHEMES[0])]  # five cases: judged
    assert "too few" in verdicts[("challenge", SCHEMES[1])]  # two cases reach the 21st period
    assert set(result.vuong["outcome"]) == {"challenge", "intervention"}
    with pytest.raises(ValueError, match="named twice"):
        cross_validate([scenarios[0], scenarios[0]], ["precision_challenger"])


def test_a_held_out_case_is_forecast_from_the_other_cases_alone():
    """Leaving a case out, its forecasts do not depend on its own later record: changing the record
    of its last period leaves the forecasts of every earlier period as they were."""
    from pivotal.estimation.crossval import SCHEMES, STRATEGIC, cross_validate

    scenarios = [builtin_scenario(n) for n in ("india-pakistan", "peru-ecuador")]
    base = cross_validate(scenarios, ["precision_challenger"], min_history=30).forecasts
    record = scenarios[1].record
    changed_last = record[-1].model_copy(
        update={"challenge": "probe" if record[-1].challenge == "none" else "none", "pivot_response": None}
    )
    edited = scenarios[1].model_copy(update={"record": [*record[:-1], changed_last]})
    assert case_record(edited).challenge[-1] != case_record(scenarios[1]).challenge[-1]
    again = cross_validate([scenarios[0], edited], ["precision_challenger"], min_history=30).forecasts

    def held_out(frame):
        rows = frame[
            (frame.scheme == SCHEMES[0])
            & (frame.method == STRATEGIC)
            & (frame.case == "peru-ecuador")
            & (frame.outcome == "challenge")
        ]
        return np.stack(rows["p"].to_list())[:-1]

    assert np.allclose(held_out(base), held_out(again), atol=1e-12)
    # ... and the record itself did change
    last = [
        f[(f.case == "peru-ecuador") & (f.outcome == "challenge")]["observed"].iloc[-1] for f in (base, again)
    ]
    assert last[0] != last[1]


def test_a_whatif_that_moves_a_covariate_moves_the_fitted_parameter_with_it():
    """With a slope on a covariate, each run of a what-if gets its own fitted values: changing the
    covariate changes the fitted parameter in the counterfactual, and only there."""
    from pivotal.analysis.counterfactual import fitted_clash
    from pivotal.estimation.fit import fitted_values
    from pivotal.scenario.overlay import apply_overlay, overlay_from_settings

    scenario = builtin_scenario("india-pakistan")
    others = [builtin_scenario("peru-ecuador"), builtin_scenario("kyrgyzstan-tajikistan")]
    fit = fit_scenarios([scenario, *others], ["pivot_punishment~pivot_distraction"], keep=5)
    overlay = overlay_from_settings(["pivot_distraction=0.9@2019"], scenario, None)
    changed = apply_overlay(scenario, overlay)
    before = fitted_values(fit, scenario).values["pivot_punishment"]
    after = fitted_values(fit, changed).values["pivot_punishment"]
    moved = ~np.isclose(before, after).all(axis=1)
    periods = [p for p, m in zip(scenario.timeline, moved, strict=True) if m]
    assert periods and all(str(p).startswith("2019") for p in periods)
    assert fitted_clash([overlay], fitted_values(fit, scenario)) is None
    punished = overlay_from_settings(["pivot_punishment=0@2019"], scenario, None)
    assert "pivot_punishment" in fitted_clash([punished], fitted_values(fit, scenario))
