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
    """A finished fit; ``content`` (``result.to_dict()``) is what is recorded and printed, and
    ``fit_id`` is set once it is recorded."""

    result: StructuralFit
    content: dict[str, Any]
    fit_id: str | None = None


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
    outcome = FitOutcome(result, result.to_dict())
    if not save:
        return outcome
    fit_id = patiently(
        lambda where: where.record_fit(
            method=method,
            terms=list(result.terms),
            scenarios={s.id: scenario_hash(s) for s in scenarios},
            settings={
                "chains": chains,
                "warmup": warmup,
                "samples": samples,
                "seed": seed,
                "cluster": cluster,
            },
            result=outcome.content,
        ),
        store or RunStore(),
        "fit",
        on_busy,
    )
    return dataclasses.replace(outcome, fit_id=fit_id)
