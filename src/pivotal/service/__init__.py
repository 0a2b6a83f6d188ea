"""The service layer: each job computes, records and returns a typed result.

The interfaces (the command line, the web app) parse a request and render the answer; the
computing layers (simulation, analysis, evaluation, estimation) know nothing of the run store.
Between them, one function per job computes the result, records it in a given
:class:`~pivotal.store.RunStore` when ``save`` is true, and returns it as a frozen dataclass:
:func:`run_scenario`, :func:`score`, :func:`whatif`, :func:`sensitivity`, :func:`fit`, and
:func:`system_score` and :func:`system_whatif` over a system's dyads.  An analysis's or a fit's
``content`` is what ``--json`` prints, the store keeps and the web app answers, built once.
Given ``on_busy``, a job whose store another process holds tells it why and waits, rather than
throwing the finished result away.  The command line prints an analysis before it records it, so
it computes with ``save=False`` and records afterwards (:func:`save_analysis`); a run is recorded
first (:func:`record_run`), so that its printed results carry its id.

Sweeps build on this layer: :func:`pivotal.sweep.run_sweep` records each variant's run through
:func:`record_summary` as it arrives.  Each name here is imported when first used, so that one
job does not load the others' dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pivotal.service.analysis import Analysis, record_analysis, save_analysis
    from pivotal.service.counterfactuals import WhatIfOutcome, whatif
    from pivotal.service.fitting import FitOutcome, fit, save_fit
    from pivotal.service.run import (
        Run,
        compute_summary,
        fresh_seed,
        load_run,
        record_run,
        record_summary,
        record_system_run,
        run_scenario,
    )
    from pivotal.service.scoring import ScoreOutcome, score
    from pivotal.service.sobol import SensitivityOutcome, sensitivity
    from pivotal.service.systems import (
        SystemScoreOutcome,
        SystemWhatIfOutcome,
        contagion_text,
        system_score,
        system_whatif,
    )

_LAZY = {
    **dict.fromkeys(("Analysis", "record_analysis", "save_analysis"), "pivotal.service.analysis"),
    **dict.fromkeys(("FitOutcome", "fit", "save_fit"), "pivotal.service.fitting"),
    **dict.fromkeys(
        (
            "Run",
            "compute_summary",
            "fresh_seed",
            "load_run",
            "record_run",
            "record_summary",
            "record_system_run",
            "run_scenario",
        ),
        "pivotal.service.run",
    ),
    **dict.fromkeys(("ScoreOutcome", "score"), "pivotal.service.scoring"),
    **dict.fromkeys(("SensitivityOutcome", "sensitivity"), "pivotal.service.sobol"),
    **dict.fromkeys(
        ("SystemScoreOutcome", "SystemWhatIfOutcome", "contagion_text", "system_score", "system_whatif"),
        "pivotal.service.systems",
    ),
    **dict.fromkeys(("WhatIfOutcome", "whatif"), "pivotal.service.counterfactuals"),
}

__all__ = [
    "Analysis",
    "FitOutcome",
    "Run",
    "ScoreOutcome",
    "SensitivityOutcome",
    "SystemScoreOutcome",
    "SystemWhatIfOutcome",
    "WhatIfOutcome",
    "compute_summary",
    "contagion_text",
    "fit",
    "fresh_seed",
    "load_run",
    "record_analysis",
    "record_run",
    "record_summary",
    "record_system_run",
    "run_scenario",
    "save_analysis",
    "save_fit",
    "score",
    "sensitivity",
    "system_score",
    "system_whatif",
    "whatif",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pivotal.service' has no attribute {name!r}")
