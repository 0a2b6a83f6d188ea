r"""What a fit estimates: coefficients that move the scenario's parameters on their link scales.

A :class:`Term` moves a parameter (log link for one without an upper bound, logit for a share)
from the scenario's own median in each period:

.. math:: x_{it}(\theta) = g_i^{-1}\bigl(g_i(m_{it}) + \theta_i + \beta_i z_t\bigr),

so :math:`\theta_i = 0` is the author's value and one coefficient serves every case, each keeping
the shape its sources give the parameter over time.  :math:`z_t` is a covariate: another
parameter's median series, standardised over every period fitted.  Parameters not estimated stay
at their medians.  The sourced ranges set each coefficient's prior scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pivotal.estimation.record import CaseRecord
from pivotal.model.parameters import PARAMETER_NAMES, PARAMETERS_BY_NAME
from pivotal.model.stage_game import ROLE_PRECISIONS
from pivotal.scenario.schema import Scenario
from pivotal.simulation.sampling import parameter_values, pivot_groups

#: Names a term may move besides the model's parameters: ``precision`` moves the three roles'.
COMMON = {"precision": ROLE_PRECISIONS}
_INDEX = {name: i for i, name in enumerate(PARAMETER_NAMES)}


class SpecificationError(ValueError):
    """A term names something that cannot be estimated, with what to do instead."""


@dataclass(frozen=True)
class Term:
    """One estimated coefficient: a shift of ``name`` on its link scale, or, with a covariate, the
    slope of that shift on the covariate (standardised)."""

    name: str
    covariate: str | None = None

    @property
    def label(self) -> str:
        return self.name if self.covariate is None else f"{self.name}~{self.covariate}"

    @property
    def targets(self) -> tuple[str, ...]:
        """The model parameters it moves."""
        return COMMON.get(self.name, (self.name,))

    @property
    def link(self) -> str:
        """``logit`` for a share (a parameter bounded by 1), ``log`` otherwise."""
        return link_of(self.targets[0])


def link_of(name: str) -> str:
    return "logit" if PARAMETERS_BY_NAME[name].upper == 1 else "log"


def parse_terms(words: Sequence[str]) -> tuple[Term, ...]:
    """Terms from the command line's words: ``NAME`` (a shift) or ``NAME~COVARIATE`` (a slope)."""
    terms: list[Term] = []
    for word in words:
        name, _, written = word.partition("~")
        name, covariate = name.strip(), written.strip() or None
        for part in (name, covariate):
            if part is not None and part not in PARAMETERS_BY_NAME and part not in COMMON:
                raise SpecificationError(
                    f"{part!r} is not a model parameter (see `pivotal validate` "
                    "or docs/model.md for the names)"
                )
        if covariate in COMMON:
            raise SpecificationError(f"{covariate!r} cannot be a covariate; name one role's precision")
        term = Term(name, covariate)
        if term in terms:
            raise SpecificationError(f"{term.label} is named twice")
        terms.append(term)
    if not terms:
        raise SpecificationError("name at least one parameter to estimate (--free NAME)")
    for kind in {term.covariate for term in terms}:
        moved = [t for term in terms if term.covariate == kind for t in term.targets]
        if len(moved) != len(set(moved)):
            raise SpecificationError(
                "`precision` moves every role's precision: estimate it or the roles' own, not both"
            )
    return tuple(terms)


@dataclass(frozen=True, eq=False)
class Design:
    """The terms laid over every case: per case, its links' offsets and each term's covariate."""

    terms: tuple[Term, ...]
    cases: tuple[CaseRecord, ...]
    offsets: tuple[np.ndarray, ...]  # per case (N, T): g(median) of each moved parameter, 0 elsewhere
    loadings: tuple[np.ndarray, ...]  # per case (J, N, T): how much each term moves each parameter
    moved: np.ndarray  # (N,) bool: the parameters some term moves
    logit_rows: np.ndarray  # (N,) bool: of those, the shares (logit link)
    prior_scale: np.ndarray  # (J,) the prior's standard deviation of each term, from the sourced ranges
    covariates: dict[str, tuple[float, float]]  # each covariate's mean and standard deviation, pooled

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(term.label for term in self.terms)


def design(
    terms: Sequence[Term],
    cases: Sequence[CaseRecord],
    spreads: Sequence[dict[str, np.ndarray]] | None = None,
    covariates: dict[str, tuple[float, float]] | None = None,
) -> Design:
    """Lay ``terms`` over ``cases``: offsets, loadings and the priors' scales.

    ``spreads`` gives, per case, each parameter's 5 % and 95 % quantiles per period (2, T)
    (:func:`range_spreads`); the prior scale of a term is the mean over periods of
    :math:`(g(x_{95}) - g(x_{05})) / (2 \times 1.645)`: a normal prior on the link scale as wide as
    the sourced ranges.  Where the ranges are points, or not given, the scale is 1.
    ``covariates`` standardises each covariate with a given mean and spread (a fit's, to forecast
    other cases with it) instead of these cases' own; the cases are then not fitted, and a term
    whose parameter they hold at a bound is not refused.
    """
    terms = tuple(terms)
    n = len(PARAMETER_NAMES)
    moved = np.zeros(n, dtype=bool)
    for term in terms:
        for target in term.targets:
            moved[_INDEX[target]] = True
    logit_rows = np.array([moved[i] and link_of(name) == "logit" for i, name in enumerate(PARAMETER_NAMES)])
    stats = covariate_stats(terms, cases) if covariates is None else covariates
    standardised = {
        name: [(case.value(name) - mean) / sd for case in cases] for name, (mean, sd) in stats.items()
    }
    offsets, loadings = [], []
    for c, case in enumerate(cases):
        offset = np.zeros_like(case.center)
        with np.errstate(divide="ignore"):
            offset[moved] = _link(case.center[moved], logit_rows[moved][:, None])
        loading = np.zeros((len(terms), *case.center.shape))
        for j, term in enumerate(terms):
            z = np.ones(len(case.periods)) if term.covariate is None else standardised[term.covariate][c]
            for target in term.targets:
                loading[j, _INDEX[target]] = z
        offsets.append(offset)
        loadings.append(loading)
    if covariates is None:
        _refuse_immovable(terms, cases)
    scale = np.ones(len(terms))
    if spreads is not None:
        for j, term in enumerate(terms):
            widths = []
            for spread in spreads:
                low, high = spread[term.targets[0]]
                logit = term.link == "logit"
                with np.errstate(divide="ignore", invalid="ignore"):
                    width = (_link(high, logit) - _link(low, logit)) / (2 * 1.645)
                widths.extend(width[np.isfinite(width) & (width > 0)])
            if widths:
                scale[j] = float(np.mean(widths))
    return Design(
        terms=terms,
        cases=tuple(cases),
        offsets=tuple(offsets),
        loadings=tuple(loadings),
        moved=moved,
        logit_rows=logit_rows,
        prior_scale=scale,
        covariates=stats,
    )


def _link(x: np.ndarray, logit: np.ndarray | bool) -> np.ndarray:
    return np.where(logit, np.log(x) - np.log1p(-np.minimum(x, 1.0)), np.log(x))


def covariate_stats(terms: Sequence[Term], cases: Sequence[CaseRecord]) -> dict[str, tuple[float, float]]:
    """Each covariate's mean and standard deviation over every period of every case, to standardise it."""
    found: dict[str, tuple[float, float]] = {}
    for term in terms:
        if term.covariate is None or term.covariate in found:
            continue
        pooled = np.concatenate([case.value(term.covariate) for case in cases])
        spread = float(pooled.std())
        if not spread > 0:
            raise SpecificationError(
                f"covariate {term.covariate} has one value in every period of the cases "
                "fitted: it cannot explain a difference between them"
            )
        found[term.covariate] = (float(pooled.mean()), spread)
    return found


def term_values(
    labels: Sequence[str], draws: np.ndarray, case: CaseRecord, covariates: dict[str, tuple[float, float]]
) -> dict[str, np.ndarray]:
    """The values of every parameter the terms move, in each period of ``case``, under each row of
    ``draws`` (S, J): (T, S) per parameter, the same map from coefficients to values as the fit's."""
    terms = parse_terms(labels)
    eta: dict[str, np.ndarray] = {}
    for j, term in enumerate(terms):
        if term.covariate is None:
            z = np.ones(len(case.periods))
        else:
            mean, sd = covariates[term.covariate]
            z = (case.value(term.covariate) - mean) / sd
        for target in term.targets:
            if target not in eta:
                with np.errstate(divide="ignore"):
                    eta[target] = np.repeat(
                        _link(case.value(target), link_of(target) == "logit")[:, None], len(draws), axis=1
                    )
            eta[target] = eta[target] + z[:, None] * draws[None, :, j]
    values = {}
    for name, e in eta.items():
        with np.errstate(over="ignore"):
            inverse = 1.0 / (1.0 + np.exp(-e)) if link_of(name) == "logit" else np.exp(e)
        values[name] = np.minimum(inverse, PARAMETERS_BY_NAME[name].largest)
    return values


def _refuse_immovable(terms: Sequence[Term], cases: Sequence[CaseRecord]) -> None:
    """A shift on the link scale cannot move a parameter at a bound of its link (0, or 1 for a
    share): refuse a term whose parameters sit there in every period of every case."""
    for term in terms:
        values = np.concatenate([case.value(t) for case in cases for t in term.targets])
        at_bound = (values <= 0) | ((values >= 1) if term.link == "logit" else False)
        if at_bound.all():
            bound = "0 or 1" if term.link == "logit" else "0"
            raise SpecificationError(
                f"{term.name} is {bound} in every period of {', '.join(c.name for c in cases)}: a "
                "coefficient on its link scale cannot move it; give it a range inside its bounds in the "
                "scenario first"
            )


def range_spreads(scenario: Scenario) -> dict[str, np.ndarray]:
    """Each parameter's 5 % and 95 % quantiles in each period of ``scenario``, (2, T) per name."""
    rows = len(PARAMETER_NAMES) * (max(pivot_groups(scenario).values()) + 1)
    ends = [parameter_values(scenario, np.full((rows, 1), q)) for q in (0.05, 0.95)]
    return {name: np.stack([ends[0][name][:, 0], ends[1][name][:, 0]]) for name in PARAMETER_NAMES}
