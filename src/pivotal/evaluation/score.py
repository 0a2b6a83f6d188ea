"""Score a scenario's forecasts against its record, beside baselines, in and out of sample.

Every method forecasts the same settled periods from ``start`` on.  Methods
marked *rolling-origin* are fitted on the periods before the one they forecast;
*in-sample* ones see every period, the forecast one included, and are shown
only for comparison; *not fitted* ones have nothing to fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from pivotal.evaluation import baselines
from pivotal.evaluation.calibration import AS_SPECIFIED, PRIOR_SD, PrecisionFit, fit_precision
from pivotal.evaluation.metrics import brier, log_loss, reliability, roc_auc
from pivotal.evaluation.outcomes import OUTCOMES, outcome_forecast, predictive_table
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import Period, period_label, year_of
from pivotal.simulation.engine import simulate
from pivotal.simulation.fitted import FittedValues

MODEL_AS_WRITTEN = "model, precision as written"
MODEL_FITTED = "model, fitted precision"
BASE_RATE = "base rate"
PERSISTENCE = "persistence"
LOGISTIC = "logistic regression"

ROLLING = "rolling-origin"
IN_SAMPLE = "in-sample"
NOT_FITTED = "not fitted"
OTHER_CASES = "fitted on other cases"

#: Periods of record before the first scored period, by default.
DEFAULT_HISTORY = 5

#: The out-of-sample competitors the fitted model is compared with.
BASELINES = ((BASE_RATE, ROLLING), (PERSISTENCE, NOT_FITTED), (LOGISTIC, ROLLING))


@dataclass(frozen=True, repr=False)
class ScoreReport:
    """Scores of every method on every outcome, the forecasts behind them and plain verdicts."""

    scenario_id: str
    draws: int
    seed: int
    start: Period
    forecasts: pd.DataFrame  # long: period, outcome, method, fit, forecast, observed
    table: pd.DataFrame  # outcome, method, fit, n, events, brier, log_loss, auc
    precision: pd.DataFrame  # posterior of the precision multiplier before each period
    verdicts: list[str] = field(default_factory=list)

    def reliability(self, outcome: str, method: str = MODEL_FITTED, fit: str = ROLLING) -> pd.DataFrame:
        """Calibration table of one method's forecasts of one outcome.

        Returns
        -------
        pandas.DataFrame
            One row per bin of forecasts: ``bin_low``, ``bin_high``, ``count``,
            ``mean_forecast`` and ``observed_rate``.
        """
        rows = self.forecasts.query("outcome == @outcome and method == @method and fit == @fit")
        return reliability(rows["forecast"].to_numpy(), rows["observed"].to_numpy())

    def __repr__(self) -> str:
        return (
            f"ScoreReport(scenario={self.scenario_id!r}, from={self.start}, draws={self.draws}, "
            f"seed={self.seed}, outcomes={sorted(set(self.table['outcome']))})"
        )

    def _repr_html_(self) -> str:
        verdicts = "".join(f"<li>{escape(line)}</li>" for line in self.verdicts)
        return f"<ul>{verdicts}</ul>" + self.table.to_html(index=False, float_format="{:.3f}".format)

    def to_frame(self) -> pd.DataFrame:
        """Every method's scores on every outcome (Brier, log loss, AUC), as a table.

        Returns
        -------
        pandas.DataFrame
            One row per outcome, method and fit: ``n`` periods scored, ``events``, ``brier``,
            ``log_loss`` and ``auc`` (empty where only one kind of answer was observed).
        """
        return self.table

    def plot(self, score: str = "brier", ax: Any = None) -> Any:
        """One score of every method, outcome by outcome, out of sample only (rolling-origin fits
        and methods with nothing fitted); lower is better for Brier and log loss.

        Returns
        -------
        matplotlib.axes.Axes
            ``ax``, or new axes on a new figure when ``ax`` is None.
        """
        import matplotlib.pyplot as plt

        honest = self.table[self.table["fit"] != IN_SAMPLE]
        wide = honest.pivot_table(index="outcome", columns="method", values=score, aggfunc="first")
        ax = ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]
        wide.plot.bar(ax=ax, rot=0)
        ax.set(ylabel=score, title=f"{self.scenario_id}: forecasts from {self.start} scored")
        ax.legend(frameon=False, fontsize="small")
        return ax

    def to_dict(self) -> dict:
        """Plain JSON-ready content."""
        return {
            "scenario_id": self.scenario_id,
            "draws": self.draws,
            "seed": self.seed,
            "start": self.start,
            "precision_prior": f"ln(multiplier) ~ Normal(0, {PRIOR_SD})",
            "scores": _records(self.table),
            "precision_fit": _records(self.precision),
            "forecasts": _records(self.forecasts),
            "calibration": {
                o.name: _records(self.reliability(o.name))
                for o in OUTCOMES
                if o.name in set(self.table["outcome"])
            },
            "verdicts": self.verdicts,
        }


def score_scenario(
    scenario: Scenario,
    *,
    draws: int = 1000,
    seed: int = 0,
    start: Period | None = None,
    progress: Callable[[int, int], None] | None = None,
    fitted: FittedValues | None = None,
    fitted_here: bool = False,
) -> ScoreReport:
    """Forecast every settled period of ``scenario`` from ``start`` on and score the forecasts.

    Parameters
    ----------
    scenario : a scenario with a record.
    draws : parameter draws per run (one run per point of the precision grid).
    seed : random seed shared by all runs (common random numbers).
    start : first scored period; default the fifth period after the first.
    fitted : a structural fit's values (``pivotal fit``): the model run with them is scored too,
        as "model, fit ID", labelled in-sample when ``fitted_here`` (the fit used this case's
        record) and out of sample (fitted on other cases) when not.

    Returns
    -------
    ScoreReport
        Every method's scores on every outcome the record codes (:meth:`ScoreReport.to_frame`),
        the forecasts behind them, the precision fit period by period, and ``verdicts``: where the
        model beats or loses to each baseline, in words.

    Raises
    ------
    ValueError
        ``start`` lies outside the scenario, or no period from it on has a record.

    Examples
    --------
    >>> import pivotal
    >>> report = pivotal.score_scenario(pivotal.builtin_scenario("peru-ecuador"), draws=100)
    >>> report.start, sorted(set(report.table["outcome"]))
    (1982, ['ceasefire_held', 'intervention', 'offensive', 'probe'])

    Brier scores of the forecasts of a limited probe, out of sample (lower is better):

    >>> probes = report.to_frame().query("outcome == 'probe' and fit != 'in-sample'")
    >>> for row in probes.itertuples():
    ...     print(f"{row.method:<28} {row.fit:<15} {row.brier:.3f}")
    model, precision as written  not fitted      0.108
    model, fitted precision      rolling-origin  0.112
    base rate                    rolling-origin  0.113
    persistence                  not fitted      0.143
    logistic regression          rolling-origin  0.126
    >>> print(report.verdicts[1])  # doctest: +ELLIPSIS
    limited probe: over 18 periods with 2 events, the fitted model (rolling origin) has Brier 0.112; ...
    """
    periods = scenario.timeline
    start = default_start(scenario) if start is None else start
    if not year_of(periods[0]) <= start <= periods[-1]:
        raise ValueError(
            f"start must lie in {period_label(periods[0])}-{period_label(periods[-1])}, "
            f"got {period_label(start)}"
        )
    if not scored_periods(scenario, start):
        raise ValueError(f"no period from {start} on has a record to score")
    fit = fit_precision(scenario, draws=draws, seed=seed, progress=progress)
    structural = None
    if fitted is not None:
        table = predictive_table(simulate(scenario, draws=draws, seed=seed, fitted=fitted))
        structural = (f"model, fit {fitted.fit_id}", IN_SAMPLE if fitted_here else OTHER_CASES, table)
    return score_with_fit(scenario, fit, draws=draws, seed=seed, start=start, structural=structural)


def score_with_fit(
    scenario: Scenario,
    fit: PrecisionFit,
    *,
    draws: int,
    seed: int,
    start: Period,
    structural: tuple[str, str, pd.DataFrame] | None = None,
) -> ScoreReport:
    """Score the forecasts of a fitted precision beside the baselines, from ``start`` on.

    Apart from :func:`score_scenario` so that a fit made elsewhere (a system's, whose posterior
    also weighs the other dyads' records) is scored exactly as a scenario's own: the same methods,
    the same baselines fitted on this scenario's record alone, the same tables and verdicts.

    Parameters
    ----------
    scenario : the scenario whose periods ``fit`` forecasts.
    fit : its precision fit; its runs' forecasts and record are the model's rows.
    draws, seed : those of the runs behind ``fit``, as the report states them.
    start : first scored period (not checked here).
    structural : a further model to score: its method name, how it was fitted, its predictive table.
    """
    periods = scenario.timeline
    observed, challenge = fit.observed, fit.observed["challenge"]
    features = baselines.parameter_features(scenario)
    model_runs = {
        (MODEL_AS_WRITTEN, NOT_FITTED): fit.predictive[AS_SPECIFIED],
        (MODEL_FITTED, ROLLING): fit.rolling(),
        (MODEL_FITTED, IN_SAMPLE): fit.in_sample(),
    }
    if structural is not None:
        model_runs[(structural[0], structural[1])] = structural[2]
    scored = np.array(periods) >= start
    coded = [o for o in OUTCOMES if not observed[o.name].isna().all()]
    rows: list[dict[str, object]] = []
    for outcome in coded:
        y = observed[outcome.name].to_numpy(dtype=float)
        methods = {key: outcome_forecast(table, challenge, outcome) for key, table in model_runs.items()}
        methods[(BASE_RATE, ROLLING)] = baselines.base_rate(y, rolling=True)
        methods[(BASE_RATE, IN_SAMPLE)] = baselines.base_rate(y, rolling=False)
        methods[(PERSISTENCE, NOT_FITTED)] = baselines.persistence(y)
        methods[(LOGISTIC, ROLLING)] = baselines.logistic(features, y, rolling=True)
        methods[(LOGISTIC, IN_SAMPLE)] = baselines.logistic(features, y, rolling=False)
        keep = scored & ~np.isnan(y)
        for (method, fitted), forecast in methods.items():
            rows.extend(
                {
                    "period": p,
                    "outcome": outcome.name,
                    "method": method,
                    "fit": fitted,
                    "forecast": float(f),
                    "observed": float(o),
                }
                for p, f, o in zip(np.array(periods)[keep], forecast[keep], y[keep], strict=True)
            )
    forecasts = pd.DataFrame(rows, columns=["period", "outcome", "method", "fit", "forecast", "observed"])
    table = _score_table(forecasts)
    verdicts = _verdicts(table, coded)
    if structural is not None:
        verdicts.extend(
            _verdicts(
                table,
                coded,
                (structural[0], structural[1]),
                f"the model with fit {structural[0].removeprefix('model, fit ')} ({structural[1]})",
            )
        )
    uncoded = [o.label for o in OUTCOMES if o not in coded]
    if uncoded:
        verdicts.append(f"not coded in this scenario's record, so not scored: {', '.join(uncoded)}.")
    return ScoreReport(
        scenario_id=scenario.id,
        draws=draws,
        seed=seed,
        start=start,
        forecasts=forecasts,
        table=table,
        precision=fit.path(),
        verdicts=verdicts,
    )


def default_start(scenario: Scenario) -> Period:
    """The first scored period when none is asked for: DEFAULT_HISTORY periods in, at most the last."""
    periods = scenario.timeline
    return periods[min(DEFAULT_HISTORY, len(periods) - 1)]


def scored_periods(scenario: Scenario, start: Period) -> list[Period]:
    """The periods from ``start`` on that the record covers: what a score would forecast."""
    return [p for p in scenario.timeline if p >= start and scenario.record_for(p) is not None]


def _score_table(forecasts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for outcome in OUTCOMES:
        subset = forecasts[forecasts["outcome"] == outcome.name]
        for (method, fitted), group in subset.groupby(["method", "fit"], sort=False):
            p, y = group["forecast"].to_numpy(), group["observed"].to_numpy()
            rows.append(
                {
                    "outcome": outcome.name,
                    "method": method,
                    "fit": fitted,
                    "n": len(y),
                    "events": int(y.sum()),
                    "brier": brier(p, y),
                    "log_loss": log_loss(p, y),
                    "auc": roc_auc(p, y),
                }
            )
    return pd.DataFrame(rows, columns=["outcome", "method", "fit", "n", "events", "brier", "log_loss", "auc"])


_RULES = (("brier", "Brier"), ("log_loss", "log loss"))


def _verdicts(
    table: pd.DataFrame,
    outcomes: list,
    key: tuple[str, str] = (MODEL_FITTED, ROLLING),
    name: str = "the fitted model (rolling origin)",
) -> list[str]:
    """One plain sentence per outcome: where the model (the out-of-sample one unless ``key`` names
    another) wins and where it loses."""
    lines = []
    for outcome in outcomes:
        rows = table[table["outcome"] == outcome.name].set_index(["method", "fit"])
        if key not in rows.index:
            lines.append(f"{outcome.label}: no settled period to score.")
            continue
        model = rows.loc[key]
        losses, wins, ties = [], [], []
        for rival in BASELINES:
            other = rows.loc[rival]
            worse = [label for column, label in _RULES if model[column] > other[column] + 1e-12]
            better = [label for column, label in _RULES if model[column] < other[column] - 1e-12]
            if worse:
                losses.append(f"{rival[0]} ({', '.join(worse)})")
            elif better:
                wins.append(rival[0])
            else:
                ties.append(rival[0])
        events = int(model["events"])
        n = int(model["n"])
        text = (
            f"{outcome.label}: over {n} period{'s' * (n != 1)} with {events} event{'s' * (events != 1)}, "
            f"{name} has Brier {model['brier']:.3f}"
        )
        text += f"; it loses to {', '.join(losses)}" if losses else ""
        text += f"; it beats {', '.join(wins)}" if wins else ""
        text += f"; it ties with {', '.join(ties)}" if ties else ""
        if model["events"] < 3 or model["n"] - model["events"] < 3:
            text += "; too few events on one side for the difference to mean much"
        lines.append(text + ".")
    return lines


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in frame.astype(object).to_dict(orient="records")
    ]
