"""Sweeps: many variants of a scenario, run on Ray with one shared seed and recorded together.

Importing this package does not import Ray; running a sweep does.
"""

from pivotal.sweep.executor import SweepError, SweepResult, TaskOutcome, ray_cluster, run_sweep
from pivotal.sweep.spec import (
    SweepSpec,
    Variant,
    build_variants,
    load_spec,
    merge,
    read_spec,
    spec_from_settings,
)

__all__ = [
    "SweepError",
    "SweepResult",
    "SweepSpec",
    "TaskOutcome",
    "Variant",
    "build_variants",
    "load_spec",
    "merge",
    "ray_cluster",
    "read_spec",
    "run_sweep",
    "spec_from_settings",
]
