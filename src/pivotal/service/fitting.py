"""The fit job: the game's chosen coefficients estimated from the records of one or many cases.

Needs the estimation extra (JAX; NumPyro for NUTS), imported when a fit is made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pivotal.scenario import Scenario, scenario_hash
from pivotal.service.saving import OnBusy, patiently
from pivotal.store import RunStore

if TYPE_CHECKING:
    from pivotal.estimation.fit import StructuralFit


@dataclass(frozen=True)
class FitOutcome:
    """A finished fit; ``content`` (``result.to_dict()``) is what is recorded and printed, with
    the method, the hash of each case by id and the sampler's settings; ``fit_id`` is set once it
    is recorded."""

    result: StructuralFit
    content: dict[str, Any]
    fit_id: str | None = None
    method: str = "mle"
    scenarios: dict[str, str] = dataclasses.field(default_factory=dict)
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)


def fit(
    scenarios: Sequence[Scenario],
    free: Sequence[str],
    method: Literal["mle", "nuts"] = "mle",
    *,
    chains: int = 4,
    warmup: int = 500,
    samples: int = 500,
    seed: int = 0,
    cluster: bool = False,
    store: RunStore | None = None,
    save: bool = True,
    on_busy: OnBusy | None = None,
) -> FitOutcome:
    """Estimate the coefficients ``free`` names from the records of ``scenarios``
    (:func:`pivotal.estimation.fit.fit_scenarios`) and record the fit when ``save``, with the
    hash of each scenario it was made from."""
    from pivotal.estimation.fit import fit_scenarios

    result = fit_scenarios(
        scenarios, free, method, chains=chains, warmup=warmup, samples=samples, seed=seed, cluster=cluster
    )
    settings = {"chains": chains, "warmup": warmup, "samples": samples, "seed": seed, "cluster": cluster}
    outcome = FitOutcome(
        result, result.to_dict(), method=method, scenarios=_hashes(scenarios), settings=settings
    )
    return save_fit(outcome, store or RunStore(), on_busy) if save else outcome


def save_fit(outcome: FitOutcome, store: RunStore, on_busy: OnBusy | None = None) -> FitOutcome:
    """Record a finished fit (one computed with ``save=False``); returns it with its id."""
    fit_id = patiently(
        lambda where: where.record_fit(
            method=outcome.method,
            terms=list(outcome.result.terms),
            scenarios=outcome.scenarios,
            settings=outcome.settings,
            result=outcome.content,
        ),
        store,
        "fit",
        on_busy,
    )
    return dataclasses.replace(outcome, fit_id=fit_id)


def _hashes(scenarios: Sequence[Scenario]) -> dict[str, str]:
    """The content hash of each scenario a fit was made from, by id."""
    return {s.id: scenario_hash(s) for s in scenarios}
