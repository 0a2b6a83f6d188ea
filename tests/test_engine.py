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


def test_generator_seed_is_accepted(tiny):
    a = simulate(tiny, draws=50, seed=np.random.default_rng(5)).metrics["belief"]
    b = simulate(tiny, draws=50, seed=5).metrics["belief"]
    np.testing.assert_array_equal(a, b)


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
