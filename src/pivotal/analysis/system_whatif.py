"""What a change in one dyad of a system does to every dyad: paired runs of the whole system."""

from __future__ import annotations

from pivotal.analysis.counterfactual import WhatIf
from pivotal.scenario.overlay import Overlay
from pivotal.scenario.system import LoadedSystem
from pivotal.simulation.system import simulate_system


def system_what_if(
    loaded: LoadedSystem,
    dyad: str,
    change: Overlay,
    *,
    draws: int = 2000,
    seed: int = 0,
    contagion: float | None = None,
) -> dict[str, WhatIf]:
    """The system as written against the system with ``change`` applied to ``dyad``, per dyad.

    Both runs share the seed and draws (paired draw by draw) and use every dyad's record before the
    change's first period, and the changed dyad's changed entries; every other later period is
    simulated, so what the change teaches one dyad's observers can move what happens in the others.
    """
    ids = [s.id for s in loaded.scenarios]
    if dyad not in ids:
        raise ValueError(f"no dyad {dyad!r} in system {loaded.system.id!r} (dyads: {', '.join(ids)})")
    if change.first_period is None:
        raise ValueError("the change changes nothing")
    diverges = change.first_period
    before = {y for y in loaded.timeline if y < diverges}
    # Every dyad's record before the change; the changed entries are the changed dyad's alone.
    record = {
        s.id: sorted(before | (change.record_periods(s) if s.id == dyad else set())) for s in loaded.scenarios
    }
    runs = [
        simulate_system(
            loaded, draws=draws, seed=seed, record_periods=record, contagion=contagion, overlays=overlays
        )
        for overlays in (None, {dyad: change})
    ]
    return {
        baseline.scenario.id: WhatIf(
            overlays=[change],
            baseline=baseline,
            counterfactual=counterfactual,
            diverges=diverges,
            record_periods=record[baseline.scenario.id],
        )
        for baseline, counterfactual in zip(runs[0].dyads, runs[1].dyads, strict=True)
    }
