"""The compiled engine against the NumPy reference, on the same random numbers.

:mod:`pivotal.simulation.fused` runs the equations of ``kernel.period_step`` in compiled code; every
output of every period must agree with NumPy's to 1e-12 and every sampled move must be the same, on
every built-in scenario, with the record and without, for every kind of period (early moves on and
off, a pivot that changes or is absent, fitted values), and the streamed summaries must agree too.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

import pivotal
from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.model.period_game import GameOptions
from pivotal.model.stage_game import STAGE_NAMES
from pivotal.scenario import parse_scenario, resolve_scenario
from pivotal.scenario.loader import builtin_names
from pivotal.scenario.schema import Game
from pivotal.simulation import fused, fused_walk
from pivotal.simulation.engine import simulate, stage_for_draw
from pivotal.simulation.fitted import FittedValues
from pivotal.simulation.kernel import METRICS, UNIFORMS_PER_PERIOD, make_plan, run_chunk
from pivotal.simulation.random import PeriodStream, draw_uniforms, root_sequence
from pivotal.simulation.streaming import HISTOGRAM_BINS, simulate_summary
from tests.test_no_pivot import without_pivot_in_2002
from tests.test_pivot_change import with_pivots

TOLERANCE = 1e-12
#: More than one block of the kernel, and a block cut short.
DRAWS = fused.BLOCK + 61


def _inputs(plan, draws: int, seed: int):
    rng = np.random.default_rng(seed)
    return (
        rng.random((plan.quantile_rows, draws)),
        rng.random((len(plan.steps), UNIFORMS_PER_PERIOD, draws)),
    )


def assert_same_chunk(plan, draws: int = DRAWS, seed: int = 0, fitted=None) -> None:
    quantiles, uniforms = _inputs(plan, draws, seed)
    columns = None if fitted is None else fitted.columns(0, draws)
    reference = run_chunk(plan, quantiles, uniforms, fitted=columns)
    compiled = fused_walk.run_chunk(plan, quantiles, uniforms, columns)
    # NaN where the record codes a move the game lacks (a posture with postures switched off): the
    # same outputs must be NaN on both.
    assert np.array_equal(np.isnan(reference.metrics), np.isnan(compiled.metrics))
    gap = np.nan_to_num(np.abs(reference.metrics - compiled.metrics))
    t, m, i = np.unravel_index(np.argmax(gap), gap.shape)
    assert gap.max() <= TOLERANCE, f"{METRICS[m]} in period {plan.periods[t]}, draw {i}: {gap.max():.2e}"
    assert np.array_equal(reference.challenge, compiled.challenge)
    assert np.array_equal(reference.response, compiled.response)


def test_the_kernel_reads_every_parameter_the_period_step_reads():
    assert set(fused.KERNEL_NAMES) == set(STAGE_NAMES) | {"hedge_erosion", "resolve_turnover"}
    assert set(fused.KERNEL_NAMES) <= set(PARAMETER_NAMES)
    assert len(fused.KERNEL_NAMES) == fused.N_KERNEL and len(METRICS) == fused.N_METRICS


@pytest.mark.parametrize("name", builtin_names())
@pytest.mark.parametrize("use_record", [True, False], ids=["record", "free"])
def test_compiled_and_numpy_agree_on_every_built_in_scenario(name, use_record):
    assert_same_chunk(make_plan(resolve_scenario(name), use_record=use_record))


@pytest.mark.parametrize(
    "options",
    [
        GameOptions(),
        GameOptions(target_moves_first=True),
        GameOptions(pivot_posture=True),
        GameOptions(target_moves_first=True, pivot_posture=True),
    ],
    ids=["crisis", "target-first", "posture", "both"],
)
@pytest.mark.parametrize("use_record", [True, False], ids=["record", "free"])
def test_compiled_and_numpy_agree_with_every_kind_of_early_move(options, use_record):
    scenario = resolve_scenario("south-caucasus")
    game = Game(target_moves_first=options.target_moves_first, pivot_posture=options.pivot_posture)
    assert_same_chunk(make_plan(scenario.model_copy(update={"game": game}), use_record=use_record), seed=3)


@pytest.mark.parametrize("pivots", ["PIV PIV PAT", "PIV PAT PIV"])
def test_compiled_and_numpy_agree_when_the_pivot_changes(tiny_text, pivots):
    scenario = parse_scenario(with_pivots(tiny_text, *pivots.split()), source="pivots.yaml")
    for use_record in (True, False):
        assert_same_chunk(make_plan(scenario, use_record=use_record), seed=5)


def test_compiled_and_numpy_agree_through_a_period_without_a_pivot(tiny_text):
    scenario = parse_scenario(without_pivot_in_2002(tiny_text), source="gap.yaml")
    for use_record in (True, False):
        assert_same_chunk(make_plan(scenario, use_record=use_record), seed=6)


def test_compiled_and_numpy_agree_with_fitted_values():
    scenario = resolve_scenario("south-caucasus")
    n_periods = len(scenario.timeline)
    rng = np.random.default_rng(9)
    fitted = FittedValues(
        {
            "precision_pivot": rng.uniform(0.5, 8.0, (n_periods, 7)),
            "prior_resolve": rng.uniform(0.1, 0.9, (n_periods, 7)),
            "precision": rng.uniform(0.5, 8.0, (n_periods, 7)),
        }
    )
    assert_same_chunk(make_plan(scenario, fitted=fitted), seed=7, fitted=fitted)


def test_compiled_and_numpy_agree_at_extreme_precisions():
    """Precisions high enough that response probabilities underflow: Bayes' rule in logarithms."""
    scenario = resolve_scenario("south-caucasus")
    n_periods = len(scenario.timeline)
    fitted = FittedValues(
        {
            "precision_pivot": np.full((n_periods, 1), 400.0),
            "precision_challenger": np.full((n_periods, 1), 60.0),
        }
    )
    for use_record in (True, False):
        assert_same_chunk(make_plan(scenario, use_record=use_record, fitted=fitted), seed=8, fitted=fitted)


def test_the_inline_exponential_is_the_c_librarys_to_an_ulp_or_two():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.uniform(-708.0, 709.0, 200_000),
            rng.uniform(-5.0, 5.0, 200_000),
            [0.0, -0.0, 1e-300, -1e-300, 709.0, -708.0],
        ]
    )
    ours = np.array([fused._exp.py_func(v) for v in x[:2000]])  # the Python source, as written
    compiled = _exp_compiled(x)
    assert np.array_equal(ours, compiled[:2000])
    assert np.max(np.abs(compiled / np.exp(x) - 1.0)) <= 4 * np.finfo(float).eps
    edges = _exp_compiled(np.array([-800.0, -math.inf, 709.9, 800.0, math.inf, math.nan]))
    assert list(edges[:2]) == [0.0, 0.0] and list(edges[2:5]) == [math.inf] * 3 and math.isnan(edges[5])


def _exp_compiled(x: np.ndarray) -> np.ndarray:
    from numba import njit

    @njit
    def each(values, out):
        for i in range(values.shape[0]):
            out[i] = fused._exp(values[i])

    out = np.empty_like(x)
    each(x, out)
    return out


def test_a_period_stream_draws_the_numbers_draw_uniforms_draws():
    root = root_sequence(11)
    head, per_period, periods, tail = len(PARAMETER_NAMES), UNIFORMS_PER_PERIOD, 5, len(PARAMETER_NAMES)
    for start, stop in ((0, 4096), (100, 9000), (5000, 5001), (4096 * 3, 4096 * 5)):
        rows = draw_uniforms(root, head + per_period * periods + tail, start, stop)
        stream = PeriodStream(root, start, stop, head=head, per_period=per_period, periods=periods, tail=tail)
        quantiles = stream.head_and_tail()
        assert np.array_equal(quantiles, np.concatenate([rows[:head], rows[head + per_period * periods :]]))
        for t in range(periods):
            first = head + per_period * t
            assert np.array_equal(stream.next_period(), rows[first : first + per_period])
        with pytest.raises(RuntimeError):
            stream.next_period()


@pytest.mark.parametrize("name", ["south-caucasus", "india-pakistan"])
def test_streamed_summaries_agree_with_numpys(name):
    scenario = resolve_scenario(name)
    draws = 4096 + 700  # a chunk and part of another
    compiled = simulate_summary(scenario, draws, seed=4, backend="numba", threads=2)
    reference = simulate_summary(scenario, draws, seed=4, backend="numpy", threads=2)
    assert np.max(np.abs(compiled.mean - reference.mean)) <= TOLERANCE
    # Interval ends come from histograms: a value moved across a bin's edge by rounding moves an
    # end by at most a bin.
    assert np.max(np.abs(compiled.low - reference.low)) <= 1.0 / HISTOGRAM_BINS
    assert np.max(np.abs(compiled.high - reference.high)) <= 1.0 / HISTOGRAM_BINS


def test_streamed_summaries_do_not_depend_on_threads_or_chunks():
    scenario = resolve_scenario("india-pakistan")
    one = simulate_summary(scenario, 9000, seed=2, backend="numba", threads=1)
    two = simulate_summary(scenario, 9000, seed=2, backend="numba", threads=2, memory_budget=40 << 20)
    assert np.array_equal(one.low, two.low) and np.array_equal(one.high, two.high)
    assert np.max(np.abs(one.mean - two.mean)) <= TOLERANCE


def test_kept_draws_agree_with_numpys():
    scenario = resolve_scenario("sudan-south-sudan")
    compiled = simulate(scenario, draws=500, seed=3, backend="numba")
    reference = simulate(scenario, draws=500, seed=3, backend="numpy")
    for name in METRICS:
        assert np.max(np.abs(compiled.metrics[name] - reference.metrics[name])) <= TOLERANCE, name
    assert np.array_equal(compiled.challenge, reference.challenge)


def test_period_counts_are_added_under_the_lock_and_nothing_else_is_shared():
    """Two chunks played at once add their counts into one histogram: every draw counted once."""
    scenario = resolve_scenario("india-pakistan")
    plan = make_plan(scenario)
    n_periods = len(plan.steps)
    counts = np.zeros((n_periods, len(METRICS), HISTOGRAM_BINS), dtype=np.int32)
    lock = threading.Lock()
    root = root_sequence(1)
    head = len(PARAMETER_NAMES)

    def play(start, stop):
        stream = PeriodStream(
            root,
            start,
            stop,
            head=head,
            per_period=UNIFORMS_PER_PERIOD,
            periods=n_periods,
            tail=plan.quantile_rows - head,
        )
        fused_walk.chunk_statistics(plan, stream.head_and_tail(), stream.next_period, counts, lock)

    workers = [threading.Thread(target=play, args=(start, start + 3000)) for start in (0, 3000, 6000)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert np.all(counts.sum(axis=-1) == 9000)


def test_compiled_outputs_agree_with_gambit(request):
    """Gambit's logit equilibrium of a period's game against the compiled engine's outputs for it:
    the challenger's moves, and the pivot's answer to each challenge, to 1e-6."""
    gambit = pytest.importorskip("pygambit")  # noqa: F841 - Gambit itself is what is checked against
    from pivotal.verify.gambit import solve_with_gambit

    scenario = resolve_scenario("india-pakistan")  # a crisis-only game: outputs are one stage game's
    run = pivotal.simulate(scenario, draws=40, seed=13, backend="numba", use_record=False)
    rng = np.random.default_rng(13)
    worst = 0.0
    for pick in rng.choice(len(run.periods) * run.draws, size=24, replace=False):
        period, draw = run.periods[int(pick) // run.draws], int(pick) % run.draws
        t = run.periods.index(period)
        params, belief = stage_for_draw(run, period, draw)
        solved = solve_with_gambit(params, belief)
        ours = {name: run.metrics[name][t, draw] for name in METRICS}
        mixed = belief * solved.pivot_resolved + (1.0 - belief) * solved.pivot_irresolute  # (2, 3)
        pairs = [
            (solved.challenger[0], ours["p_deterred"]),
            (solved.challenger[1], ours["p_probe"]),
            (solved.challenger[2], ours["p_offensive"]),
            (mixed[0, 0] + mixed[0, 1], ours["p_intervene_probe"]),
            (mixed[1, 0] + mixed[1, 1], ours["p_intervene_offensive"]),
            (mixed[0, 1], ours["p_mediate_probe"]),
            (mixed[1, 1], ours["p_mediate_offensive"]),
        ]
        worst = max(worst, *(abs(a - b) for a, b in pairs))
    assert worst <= 1e-6, worst


def test_a_system_of_dyads_is_played_alike_on_both_engines(system_path):
    from pivotal.scenario.system import load_system
    from pivotal.simulation.system import simulate_system

    loaded = load_system(system_path)
    for contagion in (0.0, 0.7):
        compiled = simulate_system(loaded, draws=300, seed=5, contagion=contagion, backend="numba")
        reference = simulate_system(loaded, draws=300, seed=5, contagion=contagion, backend="numpy")
        for ours, theirs in zip(compiled.dyads, reference.dyads, strict=True):
            for name in METRICS:
                assert np.max(np.abs(ours.metrics[name] - theirs.metrics[name])) <= TOLERANCE, name
            assert np.array_equal(ours.challenge, theirs.challenge)
