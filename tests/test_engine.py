"""The period-by-period engine: determinism, record use and information flow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pivotal import load_scenario, parse_scenario, simulate, summarise
from pivotal.simulation import METRICS


@pytest.fixture
def tiny(tiny_path):
    return load_scenario(tiny_path)


def test_same_seed_same_numbers(tiny):
    first = simulate(tiny, draws=300, seed=11)
    second = simulate(tiny, draws=300, seed=11)
    for name in METRICS:
        np.testing.assert_array_equal(first.metrics[name], second.metrics[name])
    np.testing.assert_array_equal(first.challenge, second.challenge)


def test_different_seeds_differ(tiny):
    a = simulate(tiny, draws=300, seed=1).metrics["p_challenge"]
    b = simulate(tiny, draws=300, seed=2).metrics["p_challenge"]
    assert not np.array_equal(a, b)


def test_seed_forms_agree(tiny):
    """An int and the SeedSequence it names give one run; equal generators give equal runs."""
    a = simulate(tiny, draws=50, seed=5).metrics["belief"]
    b = simulate(tiny, draws=50, seed=np.random.SeedSequence(5)).metrics["belief"]
    np.testing.assert_array_equal(a, b)
    c = simulate(tiny, draws=50, seed=np.random.default_rng(5)).metrics["belief"]
    d = simulate(tiny, draws=50, seed=np.random.default_rng(5)).metrics["belief"]
    np.testing.assert_array_equal(c, d)


def test_draws_do_not_depend_on_run_size_chunks_or_threads(tiny):
    """Draw i has the same numbers in a run of any size, however the run is split."""
    small = simulate(tiny, draws=5000, seed=8, use_record=False)
    large = simulate(tiny, draws=40_000, seed=8, use_record=False, threads=2)
    one_thread = simulate(tiny, draws=40_000, seed=8, use_record=False, threads=1)
    for name in METRICS:
        np.testing.assert_array_equal(small.metrics[name], large.metrics[name][:, :5000])
        np.testing.assert_array_equal(large.metrics[name], one_thread.metrics[name])
    np.testing.assert_array_equal(small.response, large.response[:, :5000])


def test_record_periods_follow_the_record(tiny):
    run = simulate(tiny, draws=200, seed=3)
    assert run.belief_source == ["record", "record", "simulated"]
    # 2001: no challenge observed, so nothing is learnt about the pivot.
    np.testing.assert_array_equal(run.metrics["belief_after"][0], run.metrics["belief"][0])
    # 2002: the pivot acquiesced to a probe, which can only lower the belief.
    assert np.all(run.metrics["belief_after"][1] <= run.metrics["belief"][1] + 1e-12)
    assert run.metrics["belief_after"][1].mean() < run.metrics["belief"][1].mean() - 0.1


def test_free_mode_simulates_every_period(tiny):
    run = simulate(tiny, draws=200, seed=3, use_record=False)
    assert run.belief_source == ["simulated"] * 3
    assert set(np.unique(run.challenge)) <= {0, 1, 2}


def test_a_period_uses_only_earlier_record(tiny_text):
    """Changing a later period's record leaves earlier periods' numbers untouched."""
    changed = tiny_text.replace("pivot_response: acquiesce", "pivot_response: restrain")
    before = simulate(parse_scenario(tiny_text), draws=200, seed=9)
    after = simulate(parse_scenario(changed), draws=200, seed=9)
    for name in METRICS[:-1]:  # belief_after of 2002 is where the record enters
        np.testing.assert_array_equal(before.metrics[name][:2], after.metrics[name][:2])
    assert after.metrics["belief_after"][1].mean() > before.metrics["belief_after"][1].mean()


def test_one_draw_runs(tiny):
    run = simulate(tiny, draws=1, seed=0)
    table = summarise(run)
    assert len(table) == 3
    assert table["p_challenge"].between(0, 1).all()


def test_draws_must_be_positive(tiny):
    with pytest.raises(ValueError, match="draws must be at least 1"):
        simulate(tiny, draws=0, seed=0)


def test_summary_has_ordered_intervals_and_the_record(tiny):
    table = summarise(simulate(tiny, draws=400, seed=4))
    for name in METRICS:
        assert (table[f"{name}_low"] <= table[f"{name}_high"]).all()
        assert table[name].between(0, 1).all()
    assert list(table["observed_challenge"].iloc[:2]) == ["none", "probe"]
    assert pd.isna(table["observed_challenge"].iloc[2])


def test_fixed_parameters_give_zero_width_intervals(tiny_text):
    import re

    fixed = re.sub(r"low: ([\d.]+), mode: [\d.]+, high: [\d.]+", r"low: \1, mode: \1, high: \1", tiny_text)
    table = summarise(simulate(parse_scenario(fixed), draws=50, seed=1))
    row = table.iloc[0]
    assert row["p_challenge_low"] == pytest.approx(row["p_challenge_high"])


def test_streamed_summary_matches_the_exact_one(tiny):
    """Means agree to rounding; interval ends sit within a bin of the bracketing order statistics."""
    from pivotal.simulation.streaming import HISTOGRAM_BINS, simulate_summary

    draws = 9000
    kept = simulate(tiny, draws=draws, seed=21, use_record=False)
    streamed = simulate_summary(tiny, draws=draws, seed=21, use_record=False)
    for m, name in enumerate(METRICS):
        values = np.sort(kept.metrics[name], axis=1)
        np.testing.assert_allclose(streamed.mean[:, m], values.mean(axis=1), rtol=0, atol=1e-12)
        for q, ends in ((0.05, streamed.low), (0.95, streamed.high)):
            rank = q * (draws - 1)
            below = values[:, int(np.floor(rank))] - 1 / HISTOGRAM_BINS
            above = values[:, int(np.ceil(rank))] + 1 / HISTOGRAM_BINS
            assert np.all((ends[:, m] >= below) & (ends[:, m] <= above)), name
