r"""Out-of-sample forecasts across cases: does the fitted strategic model beat simple rivals?

Two schemes, each forecasting a period only from what its forecaster was fitted on:

* **leave one case out**: the terms are fitted on every other case; the held-out case is forecast
  period by period, its belief filtered on its own earlier record;
* **rolling origin**: each period of each case from its ``min_history``-th on is forecast by a fit
  on every other case and the case's own earlier periods.

Two outcomes: the challenge (status quo, probe, offensive; a three-way forecast) and, where the
record shows a challenge and the pivot's answer, whether the pivot intervened (restrained or
mediated).  The strategic model forecasts a period before any of its moves, as its rivals do: the
period's recorded early moves (posture, the target's first move) are not given to it, and the
held-out case's covariates are standardised as the training fit's were.  Rivals, fitted on the same
training periods: the base rate (add-one smoothed), persistence (the case's last outcome with
probability 0.9), and a non-strategic multinomial logit (a logistic regression for intervention) on
the same covariates, every parameter's median in the period.  Scores: the Brier score (summed over
the three classes for the challenge) and log loss; differences from each rival with a 90 % interval
from a paired bootstrap over cases; and Vuong's (1989) test of the strategic model's out-of-sample
log-likelihood against the multinomial logit's, :math:`z = \sqrt n\, \bar d / s_d` with :math:`d_i`
the difference of the two log probabilities of period :math:`i`'s outcome (periods taken as
independent).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from pivotal.estimation.mle import Objective, climb
from pivotal.estimation.record import CaseRecord, case_record
from pivotal.estimation.structural import Likelihood, walk_case
from pivotal.estimation.terms import Term, design, parse_terms
from pivotal.evaluation.baselines import one_blas_thread
from pivotal.scenario.schema import Scenario

STRATEGIC = "strategic model"
BASE_RATE = "base rate"
PERSISTENCE = "persistence"
LOGIT = "multinomial logit"
METHODS = (STRATEGIC, BASE_RATE, PERSISTENCE, LOGIT)
SCHEMES = ("leave one case out", "rolling origin")
PERSISTENCE_CONFIDENCE = 0.9
BOOTSTRAP = 2000
#: Fewest distinct cases behind a comparison for its bootstrap interval to be judged.
FEWEST_CASES = 5


@dataclass(frozen=True)
class CrossValidation:
    """Every out-of-sample forecast (one row per scheme, method, outcome and period), the scores
    and the comparisons, with sentences that say where the strategic model loses."""

    forecasts: pd.DataFrame
    scores: pd.DataFrame
    comparisons: pd.DataFrame
    vuong: pd.DataFrame
    verdicts: list[str]
    terms: tuple[str, ...]
    failed_fits: int = 0  # training fits that did not converge (their estimates were still used)


def cross_validate(
    scenarios: Sequence[Scenario], free: Sequence[str], *, min_history: int = 5, seed: int = 0
) -> CrossValidation:
    """Forecast every case's record out of sample by both schemes and score the forecasts."""
    if len(scenarios) < 2:
        raise ValueError("leaving one case out needs at least two cases")
    names = [s.id for s in scenarios]
    if len(set(names)) != len(names):  # a copy left in training would leak the held-out case
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"a case is named twice: {', '.join(twice)}")
    terms = parse_terms(free)
    cases = [case_record(s) for s in scenarios]
    rows: list[dict] = []
    failed = 0
    for c, case in enumerate(cases):
        others = [other for i, other in enumerate(cases) if i != c]
        made, converged = _forecast_case(case, others, terms, SCHEMES[0], range(len(case.periods)))
        rows, failed = rows + made, failed + (not converged)
        for t in range(min_history, len(case.periods)):
            made, converged = _forecast_case(case, [*others, _up_to(case, t)], terms, SCHEMES[1], [t])
            rows, failed = rows + made, failed + (not converged)
    forecasts = pd.DataFrame(rows)
    scores = _scores(forecasts)
    comparisons = _comparisons(forecasts, np.random.default_rng(seed))
    vuong = _vuong(forecasts)
    verdicts = _verdicts(comparisons, vuong)
    if failed:
        verdicts.append(f"{failed} training fits did not converge; their last estimates were used.")
    return CrossValidation(
        forecasts, scores, comparisons, vuong, verdicts, tuple(t.label for t in terms), failed
    )


def _up_to(case: CaseRecord, t: int) -> CaseRecord:
    """The case with its record silent from period ``t`` on (what a forecaster at ``t`` knew)."""
    coded = case.coded.copy()
    coded[t:] = False
    return replace(case, coded=coded)


def _forecast_case(
    case: CaseRecord, training: list[CaseRecord], terms: Sequence[Term], scheme: str, periods: Sequence[int]
) -> tuple[list[dict], bool]:
    """Forecasts of ``periods`` of ``case`` by every method, each fitted on ``training``, and
    whether the strategic model's fit converged (the authors' values, 0, where it gave no number)."""
    laid = design(terms, training)
    likelihood = Likelihood(laid)
    fitted = climb(Objective(likelihood.value_and_gradient, likelihood.hessian), laid.labels)
    finite = bool(np.all(np.isfinite(fitted.estimates)))
    theta = fitted.estimates if finite else np.zeros(len(terms))
    # The held-out case walked with the training fit's standardisation of the covariates.
    walked = walk_case(theta, design(terms, [case], covariates=laid.covariates), 0)
    x_train, x_case = _features(training), case.center.T
    y_train = np.concatenate([_challenges(t) for t in training])
    a_train = np.concatenate([_answers(t) for t in training])
    rows = []
    y_case, a_case = case.challenge, _answers(case)
    challenge_logit = _logit_forecasts(x_train, y_train, x_case, 3)
    answer_logit = _logit_forecasts(x_train, a_train, x_case, 2)
    for t in periods:
        if not case.coded[t]:
            continue
        base = _base_rate(y_train, 3)
        last = y_case[t - 1] if t > 0 and case.coded[t - 1] else None
        methods = {
            STRATEGIC: walked.challenge_before[t],
            BASE_RATE: base,
            LOGIT: challenge_logit[t],
            PERSISTENCE: base if last is None else _persist(last, 3),
        }
        rows += [
            {
                "scheme": scheme,
                "case": case.name,
                "period": case.periods[t],
                "outcome": "challenge",
                "method": m,
                "observed": int(y_case[t]),
                "p": np.asarray(p, dtype=float),
            }
            for m, p in methods.items()
        ]
        if a_case[t] >= 0:
            base = _base_rate(a_train, 2)
            before = [a for a in a_case[:t] if a >= 0]
            strategic = walked.response_before[t]
            intervene = float(strategic[0] + strategic[1])
            methods = {
                STRATEGIC: np.array([1 - intervene, intervene]),
                BASE_RATE: base,
                LOGIT: answer_logit[t],
                PERSISTENCE: base if not before else _persist(before[-1], 2),
            }
            rows += [
                {
                    "scheme": scheme,
                    "case": case.name,
                    "period": case.periods[t],
                    "outcome": "intervention",
                    "method": m,
                    "observed": int(a_case[t]),
                    "p": np.asarray(p, dtype=float),
                }
                for m, p in methods.items()
            ]
    return rows, fitted.converged and finite


def _challenges(case: CaseRecord) -> np.ndarray:
    return np.where(case.coded, case.challenge, -1)


def _answers(case: CaseRecord) -> np.ndarray:
    """1 where the pivot intervened after a recorded challenge, 0 where it acquiesced, -1 otherwise."""
    answered = case.coded & (case.challenge > 0) & (case.response >= 0)
    return np.where(answered, (case.response <= 1).astype(int), -1)


def _features(cases: Sequence[CaseRecord]) -> np.ndarray:
    return np.concatenate([c.center.T for c in cases])


def _base_rate(y: np.ndarray, k: int) -> np.ndarray:
    counts = np.bincount(y[y >= 0], minlength=k)[:k] + 1.0
    return counts / counts.sum()


def _persist(last: int, k: int) -> np.ndarray:
    p = np.full(k, (1 - PERSISTENCE_CONFIDENCE) / (k - 1))
    p[last] = PERSISTENCE_CONFIDENCE
    return p


def _logit_forecasts(x: np.ndarray, y: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """A (multinomial) logistic regression on standardised covariates, L2-penalised (C = 1);
    classes never seen in training get the add-one share."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    keep = y >= 0
    x, y = x[keep], y[keep]
    varying = x.std(axis=0) > 0
    fallback = np.tile(_base_rate(y, k), (len(rows), 1))
    if len(np.unique(y)) < 2 or not varying.any():
        return fallback
    scaler = StandardScaler().fit(x[:, varying])
    with warnings.catch_warnings(), one_blas_thread():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=1.0, max_iter=5000).fit(scaler.transform(x[:, varying]), y)
    probabilities = model.predict_proba(scaler.transform(rows[:, varying]))
    out = np.full((len(rows), k), 1e-3)
    out[:, model.classes_] = probabilities
    return out / out.sum(axis=1, keepdims=True)


def _brier(p: np.ndarray, y: int) -> float:
    return float(((p - np.eye(len(p))[y]) ** 2).sum())


def _log_score(p: np.ndarray, y: int) -> float:
    return float(np.log(np.clip(p[y], 1e-12, 1.0)))


def _scores(forecasts: pd.DataFrame) -> pd.DataFrame:
    pairs = list(zip(forecasts.p, forecasts.observed, strict=True))
    frame = forecasts.assign(
        brier=[_brier(p, y) for p, y in pairs], log_loss=[-_log_score(p, y) for p, y in pairs]
    )
    return (
        frame.groupby(["scheme", "outcome", "method"], sort=False)
        .agg(n=("brier", "size"), brier=("brier", "mean"), log_loss=("log_loss", "mean"))
        .reset_index()
    )


def _comparisons(forecasts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Brier of the strategic model minus each rival's, with a 90 % paired bootstrap over cases."""
    rows = []
    for (scheme, outcome), group in forecasts.groupby(["scheme", "outcome"], sort=False):
        scores = group.assign(brier=[_brier(p, y) for p, y in zip(group.p, group.observed, strict=True)])
        wide = scores.pivot_table(index=["case", "period"], columns="method", values="brier").reset_index()
        cases = wide["case"].unique()
        by_case = {c: wide[wide["case"] == c] for c in cases}
        for rival in (BASE_RATE, PERSISTENCE, LOGIT):
            difference = wide[STRATEGIC] - wide[rival]
            draws = []
            for _ in range(BOOTSTRAP):
                chosen = rng.choice(cases, size=len(cases), replace=True)
                sample = pd.concat([by_case[c] for c in chosen])
                draws.append(float((sample[STRATEGIC] - sample[rival]).mean()))
            low, high = np.quantile(draws, [0.05, 0.95])
            rows.append(
                {
                    "scheme": scheme,
                    "outcome": outcome,
                    "rival": rival,
                    "n": len(wide),
                    "cases": len(cases),
                    "difference": float(difference.mean()),
                    "low": float(low),
                    "high": float(high),
                }
            )
    return pd.DataFrame(rows)


def _vuong(forecasts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (scheme, outcome), group in forecasts.groupby(["scheme", "outcome"], sort=False):
        logs = group.assign(log=[_log_score(p, y) for p, y in zip(group.p, group.observed, strict=True)])
        wide = logs.pivot_table(index=["case", "period"], columns="method", values="log")
        d = (wide[STRATEGIC] - wide[LOGIT]).to_numpy()
        spread = d.std(ddof=1) if len(d) > 1 else np.nan
        z = float(np.sqrt(len(d)) * d.mean() / spread) if spread > 0 else np.nan
        rows.append(
            {
                "scheme": scheme,
                "outcome": outcome,
                "n": len(d),
                "mean_difference": float(d.mean()),
                "z": z,
                "p_value": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _verdicts(comparisons: pd.DataFrame, vuong: pd.DataFrame) -> list[str]:
    lines = []
    for (scheme, outcome), group in comparisons.groupby(["scheme", "outcome"], sort=False):
        n = int(group["n"].iloc[0])
        if int(group["cases"].iloc[0]) < FEWEST_CASES:
            lines.append(
                f"{outcome}, {scheme}, {n} periods: from {int(group['cases'].iloc[0])} cases, too "
                f"few (fewer than {FEWEST_CASES}) for a difference from a rival to be judged."
            )
            continue
        loses = [
            f"{r.rival} (Brier {r.difference:+.3f}, 90 % {r.low:+.3f} to {r.high:+.3f})"
            for r in group.itertuples()
            if r.low > 0
        ]
        beats = [
            f"{r.rival} ({r.difference:+.3f}, {r.low:+.3f} to {r.high:+.3f})"
            for r in group.itertuples()
            if r.high < 0
        ]
        unclear = [r.rival for r in group.itertuples() if r.low <= 0 <= r.high]
        text = f"{outcome}, {scheme}, {n} periods: the strategic model"
        text += f" loses to {'; '.join(loses)}" if loses else ""
        text += f"{';' if loses else ''} beats {'; '.join(beats)}" if beats else ""
        if unclear:
            text += f"{';' if loses or beats else ''} cannot be told apart from {', '.join(unclear)}"
        test = vuong[(vuong.scheme == scheme) & (vuong.outcome == outcome)].iloc[0]
        if np.isfinite(test.z):
            side = "the strategic model" if test.z > 0 else "the multinomial logit"
            verdict = f"{side} fits better" if test.p_value < 0.05 else "neither fits better at the 5 % level"
            text += f". Vuong z = {test.z:+.2f} (p = {test.p_value:.3f}): {verdict}"
        lines.append(text + ".")
    return lines
