"""Scoring rules, baselines, the precision fit, and the no-peeking rule of rolling forecasts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from pivotal import builtin_scenario
from pivotal.evaluation import OUTCOMES, fit_precision, scale_precision, score_scenario
from pivotal.evaluation.baselines import base_rate, persistence
from pivotal.evaluation.metrics import brier, log_loss, reliability, roc_auc
from pivotal.evaluation.score import IN_SAMPLE
from pivotal.simulation import simulate


def test_scoring_rules_on_hand_computed_cases():
    p, y = np.array([0.8, 0.3, 0.5]), np.array([1.0, 0.0, 1.0])
    assert brier(p, y) == pytest.approx((0.04 + 0.09 + 0.25) / 3)
    assert log_loss(p, y) == pytest.approx(-(np.log(0.8) + np.log(0.7) + np.log(0.5)) / 3)
    assert roc_auc(p, y) == 1.0
    assert roc_auc(p, np.ones(3)) is None


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=2, max_size=40))
def test_auc_matches_scikit_learn(pairs):
    p = np.array([a for a, _ in pairs])
    y = np.array([b for _, b in pairs], dtype=float)
    expected = roc_auc_score(y, p) if 0 < y.sum() < len(y) else None
    assert roc_auc(p, y) == (pytest.approx(expected) if expected is not None else None)


def test_reliability_table_counts_every_forecast_once():
    p = np.array([0.05, 0.15, 0.5, 0.95, 1.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    table = reliability(p, y)
    assert table["count"].sum() == 5
    assert table.iloc[-1]["observed_rate"] == 1.0


def test_rolling_baselines_use_only_earlier_periods():
    y = np.array([1.0, np.nan, 0.0, 0.0, 1.0])
    assert base_rate(y).tolist() == pytest.approx([1 / 2, 2 / 3, 2 / 3, 2 / 4, 2 / 5])
    assert persistence(y).tolist() == pytest.approx([0.5, 0.9, 0.9, 0.1, 0.1])


def test_precision_scaling_multiplies_every_draw():
    scenario = builtin_scenario()
    base = simulate(scenario, draws=50, seed=3)
    doubled = simulate(scale_precision(scenario, 2.0), draws=50, seed=3)
    assert doubled.scenario.parameters["precision"][0].high == 2 * scenario.parameters["precision"][0].high
    assert not np.allclose(base.metrics["p_challenge"], doubled.metrics["p_challenge"])


def test_posterior_before_the_first_period_is_the_prior(tiny_scenario):
    fit = fit_precision(tiny_scenario, draws=50, seed=1)
    assert fit.posterior(before=tiny_scenario.periods.start) == pytest.approx(fit.prior)
    assert fit.posterior().sum() == pytest.approx(1.0)
    assert fit.prior[len(fit.prior) // 2] == fit.prior.max()


def _change_record(scenario, period, **changes):
    record = [e.model_copy(update=changes) if period in e.periods else e for e in scenario.record]
    return scenario.model_copy(update={"record": record})


def test_changing_a_later_record_leaves_earlier_forecasts_unchanged():
    scenario = builtin_scenario()
    war = scenario.span("war2020").start  # the 2020 war, a period of its own
    changed = _change_record(
        scenario, war, challenge="none", pivot_response=None, appeal_answered=None, ceasefire_days=None
    )
    before = score_scenario(scenario, draws=100, seed=5).forecasts
    after = score_scenario(changed, draws=100, seed=5).forecasts
    # Up to and including the war for the unconditional outcomes: a period's own record never enters
    # its forecast. The conditional ones (intervention, appeal answered) are forecast given the
    # period's recorded kind of challenge, which this change removes, so they are checked before only.
    unconditional = before["outcome"].isin(["offensive", "probe"])
    honest = (before["fit"] != IN_SAMPLE) & (
        (before["period"] < war) | (unconditional & (before["period"] == war))
    )
    keys = ["period", "outcome", "method", "fit"]
    merged = before[honest].merge(after, on=keys, suffixes=("", "_changed"))
    assert len(merged) == honest.sum()
    assert np.array_equal(merged["forecast"], merged["forecast_changed"])
    later = before.merge(after, on=keys, suffixes=("", "_changed")).query("period > @war")
    assert not np.allclose(later["forecast"], later["forecast_changed"]), "the change should matter later"


def test_score_report_has_every_method_for_every_coded_outcome():
    report = score_scenario(builtin_scenario(), draws=100, seed=2)
    assert report.start == 1999
    assert report.forecasts["period"].min() == 1999
    counts = report.table.groupby("outcome").size()
    assert (counts == 8).all()
    assert report.table[["brier", "log_loss"]].notna().all().all()
    scored = [o.label for o in OUTCOMES if o.name in set(report.table["outcome"])]
    assert [line.split(":")[0] for line in report.verdicts[: len(scored)]] == scored
    uncoded = [o.label for o in OUTCOMES if o.name not in set(report.table["outcome"])]
    assert (
        report.verdicts[len(scored) :] == []
        if not uncoded
        else report.verdicts[-1].endswith(", ".join(uncoded) + ".")
    )


def test_each_verdict_quotes_the_out_of_sample_models_own_brier():
    """Every outcome's sentence gives the Brier of the fitted model by rolling origin, not of
    another method, and names each baseline it loses to, beats or ties with."""
    from pivotal.evaluation.score import BASELINES, MODEL_FITTED, ROLLING

    report = score_scenario(builtin_scenario("peru-ecuador"), draws=100, seed=0, start=1981)
    table = report.table
    for outcome in OUTCOMES:
        rows = table[
            (table["outcome"] == outcome.name) & (table["method"] == MODEL_FITTED) & (table["fit"] == ROLLING)
        ]
        if rows.empty:
            continue
        sentence = next(v for v in report.verdicts if v.startswith(f"{outcome.label}:"))
        assert f"has Brier {rows['brier'].iloc[0]:.3f}" in sentence
        assert all(method in sentence for method, _ in BASELINES)


def test_the_baselines_regressions_run_blas_on_one_thread(monkeypatch):
    """Tiny regressions gain nothing from a BLAS thread pool and lose much when cores are shared."""
    from threadpoolctl import threadpool_info

    from pivotal.evaluation import baselines

    seen = []
    fit_predict = baselines._fit_predict

    def watched(*args):
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return fit_predict(*args)

    monkeypatch.setattr(baselines, "_fit_predict", watched)
    rng = np.random.default_rng(0)
    baselines.logistic(rng.normal(size=(12, 3)), (rng.random(12) < 0.5).astype(float))
    assert seen and set(seen) == {1}
