"""Run a scenario end to end: simulate, summarise and record in the run store.

The run job now lives in the service layer (:mod:`pivotal.service.run`); this module keeps the
names it has always offered, for code that imports them from here.
"""

from pivotal.service.analysis import record_analysis
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

__all__ = [
    "Run",
    "compute_summary",
    "fresh_seed",
    "load_run",
    "record_analysis",
    "record_run",
    "record_summary",
    "record_system_run",
    "run_scenario",
]
