r"""Global sensitivity: Sobol indices of an output over the scenario's uncertain parameters.

Each uncertain parameter enters as its quantile :math:`q_j \sim U(0, 1)` (the
engine draws parameters the same way, one quantile per parameter shared by its
period pieces), so the indices apportion the variance of the output

.. math:: Y = \frac{1}{|T|}\sum_{t \in T} \bar m_t(q)

among the parameters: first order :math:`S_j = V[E(Y \mid q_j)]/V(Y)` and total
:math:`S_{Tj} = E[V(Y \mid q_{-j})]/V(Y)`, estimated by SALib from a Sobol
sequence (Saltelli's scheme, Jansen's estimator) with bootstrap 95% intervals.
With the record in use and every period recorded, *Y* is a deterministic
function of *q*; simulated periods add Monte Carlo noise to it.

Convergence is checked by estimating the indices again from the first half of
the sample: the estimate is called converged when no total index moved by more
than ``tolerance`` and no interval is wider than ``2 * tolerance``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from pivotal.model.parameters import OF_PIVOT, PARAMETER_NAMES
from pivotal.scenario.schema import PeriodRange, Scenario
from pivotal.scenario.timeline import Period, year_of
from pivotal.simulation.engine import METRICS, Chunk, Progress, iter_chunks
from pivotal.simulation.kernel import make_plan
from pivotal.simulation.random import BLOCK_DRAWS
from pivotal.simulation.sampling import quantile_row

DEFAULT_TOLERANCE = 0.05


@dataclass(frozen=True, repr=False)
class SobolResult:
    """First-order and total Sobol indices with intervals, and the verdict on convergence."""

    scenario_id: str
    metric: str
    periods: PeriodRange
    samples: int  # base sample N
    evaluations: int  # N (D + 2) model runs
    mean: float
    variance: float
    indices: pd.DataFrame  # parameter, S1, S1_conf, ST, ST_conf, ST_half; sorted by ST
    max_change: float
    max_interval: float
    tolerance: float

    @property
    def converged(self) -> bool:
        return self.max_change <= self.tolerance and self.max_interval <= 2 * self.tolerance

    def verdict(self) -> str:
        if self.variance == 0:
            return "the output does not vary with the uncertain parameters; indices are undefined"
        if self.converged:
            return (
                f"converged: total indices moved at most {self.max_change:.3f} from N/2 to N and "
                f"no 95% interval is wider than {2 * self.tolerance:.2f}"
            )
        return (
            f"N = {self.samples} is too small: total indices moved up to {self.max_change:.3f} from "
            f"N/2 to N and the widest 95% interval is {self.max_interval:.3f} (tolerance "
            f"{self.tolerance:.2f}); try --samples {self.samples * 4}, or read only the largest "
            "indices"
        )

    def __repr__(self) -> str:
        top = ", ".join(f"{r.parameter} {r.ST:.2f}" for r in self.indices.head(3).itertuples())
        return (
            f"SobolResult(scenario={self.scenario_id!r}, metric={self.metric!r}, periods={self.periods}, "
            f"N={self.samples}, converged={self.converged}, largest ST: {top})"
        )

    def _repr_html_(self) -> str:
        table = self.indices.to_html(index=False, float_format="{:.3f}".format)
        return f"<p>{escape(self.verdict())}</p>{table}"

    def to_frame(self) -> pd.DataFrame:
        """The indices as a table, largest total index first.

        Returns
        -------
        pandas.DataFrame
            One row per uncertain parameter: ``parameter``, ``S1`` and ``ST`` with the half-widths
            of their 95% intervals (``S1_conf``, ``ST_conf``), and ``ST_half``, the total index
            estimated from the first half of the sample.
        """
        return self.indices

    def plot(self, top: int = 12, ax: Any = None) -> Any:
        """First-order and total indices of the ``top`` parameters, with their 95% intervals.

        Returns
        -------
        matplotlib.axes.Axes
            ``ax``, or new axes on a new figure when ``ax`` is None.
        """
        import matplotlib.pyplot as plt

        shown = self.indices.head(top).iloc[::-1]
        ax = ax if ax is not None else plt.subplots(figsize=(7, 0.35 * len(shown) + 1.2))[1]
        rows = np.arange(len(shown))
        ax.barh(rows + 0.2, shown["ST"], height=0.4, xerr=shown["ST_conf"], label="total (ST)")
        ax.barh(rows - 0.2, shown["S1"], height=0.4, xerr=shown["S1_conf"], label="first order (S1)")
        ax.set_yticks(rows, shown["parameter"])
        ax.set(xlabel="Sobol index", title=f"What drives mean {self.metric} over {self.periods}")
        ax.legend(loc="lower right", frameon=False)
        return ax

    def to_dict(self) -> dict:
        return {
            "scenario_id": self.scenario_id,
            "metric": self.metric,
            "periods": str(self.periods),
            "samples": self.samples,
            "evaluations": self.evaluations,
            "mean": self.mean,
            "variance": self.variance,
            "converged": self.converged,
            "verdict": self.verdict(),
            "indices": self.indices.to_dict(orient="records"),
        }


def uncertain_parameters(scenario: Scenario, last: Period) -> list[str]:
    """Parameters the file gives with a non-degenerate range in some piece that holds a period up to
    ``last`` (a year: to its end).

    A parameter left to its default is fixed, or follows another parameter's quantile, so it is
    no input of its own.
    """
    until = PeriodRange(scenario.periods.start, last)
    return [
        name
        for name in PARAMETER_NAMES
        if name in scenario.parameters
        and any(
            p.high > p.low and any(t in until for t in scenario.periods_in(p.periods))
            for p in scenario.parameters[name]
        )
    ]


#: Without a sample size, N starts here and doubles until the indices converge, up to the last.
AUTO_SAMPLES = (1024, 2048, 4096, 8192, 16384)


def sobol_indices(
    scenario: Scenario,
    *,
    metric: str = "p_offensive",
    periods: PeriodRange | None = None,
    samples: int | None = None,
    seed: int = 0,
    use_record: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
    progress: Callable[[int], None] | None = None,
    step: Progress | None = None,
) -> SobolResult:
    """Sobol indices of the mean of ``metric`` over ``periods`` (default: all periods).

    Parameters
    ----------
    samples : base sample size N, a power of two (at least 4); the model runs N (D + 2) draws.
        None: the sizes of :data:`AUTO_SAMPLES` in turn, stopping at the first that converges (the
        last result is returned, converged or not, and says which).
    seed : seeds the scrambled Sobol sequence, the bootstrap and the engine's other random numbers.
    progress : called with each N before it is tried.
    step : told (draws done, draws to run) as the model runs for each N; may raise to stop.

    Returns
    -------
    SobolResult
        The indices (:meth:`SobolResult.to_frame`), the output's mean and variance, and whether
        the estimate converged (:meth:`SobolResult.verdict` says it in words).

    Examples
    --------
    What drives the chance of a major offensive in 2020-2023? A first look with N = 64 (a
    converged answer needs more):

    >>> import pivotal
    >>> from pivotal.scenario import PeriodRange
    >>> scenario = pivotal.builtin_scenario("south-caucasus")
    >>> sobol = pivotal.sobol_indices(
    ...     scenario, metric="p_offensive", periods=PeriodRange(2020, 2023), samples=64
    ... )
    >>> sobol.evaluations, sobol.converged  # N (D + 2) draws for D = 34 uncertain parameters
    (2304, False)
    >>> "war_cost" in sobol.to_frame()["parameter"].head(3).tolist()
    True
    """
    sizes = AUTO_SAMPLES if samples is None else (samples,)
    evaluated = np.empty(0)
    for size in sizes:
        if progress is not None:
            progress(size)
        result, evaluated = _sobol_at(
            scenario,
            metric=metric,
            periods=periods,
            samples=size,
            seed=seed,
            use_record=use_record,
            tolerance=tolerance,
            evaluated=evaluated,
            step=step,
        )
        if result.converged or result.variance == 0:
            break
    return result


def _sobol_at(
    scenario: Scenario,
    *,
    metric: str,
    periods: PeriodRange | None,
    samples: int,
    seed: int,
    use_record: bool,
    tolerance: float,
    evaluated: np.ndarray,
    step: Progress | None = None,
) -> tuple[SobolResult, np.ndarray]:
    """Sobol indices from a base sample of ``samples``, and the model's outputs for that sample.

    The sample of N base points begins with the sample of N/2 (a Sobol sequence is nested, and
    Saltelli's rows for a base point follow each other), and draw i has the same random numbers in
    any run; so the outputs ``evaluated`` for a smaller sample are the first ones of this sample,
    and only the rest are run.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    if samples < 4 or samples & (samples - 1):
        raise ValueError(f"samples must be a power of two, at least 4, got {samples}")
    periods = periods or PeriodRange(scenario.periods.start, scenario.periods.end)
    if periods.start < scenario.periods.start or year_of(periods.end) > scenario.periods.end:
        raise ValueError(f"periods must lie within {scenario.periods.start}-{scenario.periods.end}")
    names = uncertain_parameters(scenario, periods.end)
    if not names:
        raise ValueError("the scenario has no uncertain parameter")
    rows, groups = sobol_inputs(scenario, names)
    problem = {
        "num_vars": len(rows),
        "names": [f"{g}#{i}" for i, g in enumerate(groups)],
        "bounds": [[0.0, 1.0]] * len(rows),
    }
    if len(rows) > len(names):  # a parameter of the pivot, drawn once per pivot: one factor
        problem["groups"] = groups
    x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    done = len(evaluated) if len(evaluated) <= len(x) else 0
    y = np.concatenate(
        [evaluated[:done], _evaluate(scenario, rows, x[done:], metric, periods, seed, use_record, done, step)]
    )
    full = _analyse(problem, y, seed)
    half = _analyse(problem, y[: len(y) // 2], seed)
    indices = pd.DataFrame(
        {
            "parameter": names,
            "S1": full["S1"],
            "S1_conf": full["S1_conf"],
            "ST": full["ST"],
            "ST_conf": full["ST_conf"],
            "ST_half": half["ST"],
        }
    )
    indices = indices.sort_values("ST", ascending=False, ignore_index=True)
    variance = float(np.var(y))
    finite = indices.fillna(0.0)
    return SobolResult(
        scenario_id=scenario.id,
        metric=metric,
        periods=periods,
        samples=samples,
        evaluations=len(y),
        mean=float(np.mean(y)),
        variance=variance,
        indices=indices,
        max_change=float(np.max(np.abs(finite["ST"] - finite["ST_half"]))),
        # SALib's *_conf are half-widths; the check is on the whole interval.
        max_interval=float(2 * np.max(np.concatenate([finite["S1_conf"], finite["ST_conf"]]))),
        tolerance=tolerance,
    ), y


def sobol_inputs(scenario: Scenario, names: list[str]) -> tuple[list[int], list[str]]:
    """The quantile row each Sobol input sets, and the parameter it belongs to.

    One input per uncertain parameter; where the pivot changes, each parameter of the pivot has a
    quantile per pivot (``OF_PIVOT``), so it has an input per pivot too, all of them one factor of
    the analysis (SALib's groups): the indices break down the variance of the model the engine
    runs, with the pivots drawn independently.
    """
    pivots = make_plan(scenario).pivots
    rows = [quantile_row(name, 0) for name in names]
    groups = list(names)
    for pivot in range(1, pivots):
        for name in names:
            if name in OF_PIVOT:
                rows.append(quantile_row(name, pivot))
                groups.append(name)
    return rows, groups


def _evaluate(
    scenario: Scenario,
    rows: list[int],
    x: np.ndarray,
    metric: str,
    periods: PeriodRange,
    seed: int,
    use_record: bool,
    first_draw: int = 0,
    step: Progress | None = None,
) -> np.ndarray:
    """The output for each row of ``x`` (column ``c`` setting quantile row ``rows[c]``), the rows
    being draws ``first_draw`` on of one run; unset quantiles are medians.

    Streamed: each chunk is reduced to its draws' means where it was computed, so memory does not
    grow with the sample (N (D + 2) draws of every output would reach gigabytes).
    """
    plan = make_plan(scenario, use_record=use_record)
    quantiles = np.full((plan.quantile_rows, x.shape[0]), 0.5)
    for column, row in enumerate(rows):
        quantiles[row] = x[:, column]
    rows = [t for t, p in enumerate(plan.periods) if p in periods]
    column = METRICS.index(metric)

    def mean_of(chunk: Chunk) -> tuple[int, int, np.ndarray]:
        return chunk.start, chunk.stop, chunk.output.metrics[rows, column].mean(axis=0)

    y = np.empty(x.shape[0])
    for start, stop, means in iter_chunks(
        plan,
        x.shape[0],
        seed,
        quantiles=quantiles,
        first_draw=first_draw,
        digest=mean_of,
        digest_bytes=8 * BLOCK_DRAWS,
    ):
        y[start:stop] = means
        if step is not None:
            step(stop, x.shape[0])
    return y


def _analyse(problem: dict, y: np.ndarray, seed: int) -> dict:
    if np.var(y) == 0:
        nan = np.full(len(pd.unique(np.array(problem.get("groups") or problem["names"]))), np.nan)
        return {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
    with np.errstate(divide="ignore", invalid="ignore"):
        return sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=200, seed=seed)
