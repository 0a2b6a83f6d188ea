"""Run a sweep's variants as Ray tasks; the driver records each one as it finishes.

Workers only compute: each task returns its variant's per-period summary (a
few kB), never the per-draw arrays, and never opens the run store.  The driver
is the store's one writer, so DuckDB's one-writer rule holds however many
workers there are, and a sweep stopped half-way keeps every variant that had
finished.  A task that raises is retried by Ray; one that still fails is
recorded as failed with its error, never dropped.

Ray is an optional dependency, imported only when a sweep runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from pivotal.scenario import Scenario, scenario_hash
from pivotal.service.run import compute_summary, record_summary
from pivotal.simulation.engine import MEMORY_BUDGET, default_threads
from pivotal.store import RunStore
from pivotal.store.runstore import SweepTask
from pivotal.sweep.spec import Variant

LOCAL = "local"
# Summaries are a few kB; Ray's default object store (30% of memory) would be wasted here.
OBJECT_STORE_BYTES = 100 * 1024 * 1024
CONNECT_SECONDS = 5.0  # to see whether a cluster's address answers at all
WAIT_SECONDS = 0.5  # how long the driver blocks in ray.wait, so Ctrl-C is noticed promptly
INSTALL_HINT = 'sweeps run on Ray, which is not installed: pip install "pivotal[sweep]"'


class SweepError(RuntimeError):
    """A sweep cannot run (Ray missing or unreachable); the CLI prints it as one line."""


class TaskFunction(Protocol):
    def __call__(self, scenario: Scenario, *, draws: int, seed: int, use_record: bool) -> pd.DataFrame: ...


def simulate_variant(scenario: Scenario, *, draws: int, seed: int, use_record: bool) -> pd.DataFrame:
    """The default task: one variant's summary, computed without touching the store.

    Ray gives each task one CPU and runs one per CPU, so a task uses one thread and its share of
    the engine's memory budget: a sweep holds no more than one run would."""
    share = MEMORY_BUDGET // default_threads()
    _, summary = compute_summary(
        scenario, draws=draws, seed=seed, use_record=use_record, threads=1, memory_budget=share
    )
    return summary


@dataclass(frozen=True)
class TaskOutcome:
    """How one variant ended: a recorded run, or the error it failed with after its attempts."""

    variant: Variant
    run_id: str | None
    attempts: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.run_id is not None


@dataclass(frozen=True)
class SweepResult:
    sweep_id: str
    seed: int
    outcomes: list[TaskOutcome]

    @property
    def failed(self) -> list[TaskOutcome]:
        return [o for o in self.outcomes if not o.ok]


def import_ray() -> Any:
    """The ``ray`` module, or a SweepError that says how to install it."""
    try:
        import ray
    except ImportError as err:
        raise SweepError(INSTALL_HINT) from err
    return ray


@contextlib.contextmanager
def ray_cluster(address: str | None = None, cpus: int | None = None) -> Iterator[str]:
    """Join the cluster at ``address``, or start a local one that is shut down however we leave.

    A Ray session already open in this process (a notebook, a test fixture) is
    used as it is and left running.  Yields a few words saying which cluster.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield "the Ray session already open in this process"
        return
    quiet = {"include_dashboard": False, "logging_level": logging.WARNING, "log_to_driver": False}
    if address is None:
        # A new cluster for this command only, without Ray's token (unless the user asked for
        # one).  Passing "local" keeps ray.init from joining a cluster RAY_ADDRESS or /tmp/ray names.
        with _environ("RAY_AUTH_MODE", "disabled"):
            with _started(ray, "could not start a local Ray cluster"):
                ray.init(address=LOCAL, num_cpus=cpus, object_store_memory=OBJECT_STORE_BYTES, **quiet)
            try:
                yield f"a local Ray cluster with {_cpus(ray)}"
            finally:
                ray.shutdown()
        return
    _check_reachable(address)
    with _started(ray, f"could not join the Ray cluster at {address}"):
        ray.init(address=address, **quiet)
    try:
        yield f"the Ray cluster at {address} ({_cpus(ray)})"
    finally:
        ray.shutdown()


def run_sweep(
    base: Scenario,
    variants: Sequence[Variant],
    *,
    spec: dict[str, Any],
    draws: int,
    seed: int,
    use_record: bool = True,
    store: RunStore | None = None,
    address: str | None = None,
    cpus: int | None = None,
    retries: int = 2,
    task: TaskFunction = simulate_variant,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run every variant as a Ray task with one shared seed and record each as it arrives.

    ``task`` computes one variant's summary; it is a parameter so tests and
    other engines can put their own in.  A task is tried ``retries + 1`` times
    at most.  The sweep ends 'done', 'failed' (some variants failed) or
    'interrupted' (Ctrl-C or an error in the driver); what finished is kept.
    """
    store = store or RunStore()
    # Ray's driver prints retry notices on stdout from a thread; stdout is for results.
    with contextlib.redirect_stdout(sys.stderr), ray_cluster(address, cpus):
        ray = import_ray()
        remote = ray.remote(_run_variant).options(max_retries=retries, retry_exceptions=True, num_cpus=1)
        # recorded as running (its lease held) last, just before the try that always finishes it
        sweep_id = store.start_sweep(
            scenario_id=base.id,
            scenario_hash=scenario_hash(base),
            spec=spec,
            seed=seed,
            draws=draws,
            address=address or LOCAL,
            variants=len(variants),
        )
        pending: dict[Any, Variant] = {}
        outcomes: list[TaskOutcome] = []
        try:
            for variant in variants:
                pending[remote.remote(task, variant.scenario, draws, seed, use_record)] = variant
            if progress:
                progress(0, len(variants))
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=WAIT_SECONDS)
                for ref in ready:
                    variant = pending.pop(ref)
                    outcomes.append(
                        _finish(
                            ray,
                            ref,
                            variant,
                            store,
                            sweep_id,
                            draws=draws,
                            seed=seed,
                            use_record=use_record,
                            retries=retries,
                        )
                    )
                    if progress:
                        progress(len(outcomes), len(variants))
        except BaseException:
            # Ctrl-C or a driver error: stop what is still running, keep what finished.
            for ref in pending:
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=True)
            with contextlib.suppress(Exception):  # the failure in flight is the one to report
                store.finish_sweep(sweep_id, "interrupted")
            raise
        store.finish_sweep(sweep_id, "failed" if any(not o.ok for o in outcomes) else "done")
    outcomes.sort(key=lambda o: o.variant.index)
    return SweepResult(sweep_id, seed, outcomes)


class VariantFailed(Exception):
    """A task's error on its way back to the driver, with the attempt it happened on."""

    def __init__(self, attempts: int | None, message: str) -> None:
        super().__init__(attempts, message)
        self.attempts = attempts
        self.message = message

    def __str__(self) -> str:
        return self.message


def _run_variant(
    task: TaskFunction, scenario: Scenario, draws: int, seed: int, use_record: bool
) -> tuple[pd.DataFrame, int | None]:
    """What a Ray worker runs: the task, plus which attempt this was."""
    attempt = _attempt_number()
    try:
        return task(scenario, draws=draws, seed=seed, use_record=use_record), attempt
    except Exception as error:
        # The message travels as text: the original exception may not unpickle on the driver.
        raise VariantFailed(attempt, f"{type(error).__name__}: {error}") from None


def _attempt_number() -> int | None:
    """The running task's attempt, from 1; Ray 2.60 keeps it on the core worker, with no public API."""
    try:
        from ray._private.worker import global_worker

        core = global_worker.core_worker  # type: ignore[attr-defined]  # set when Ray connects; untyped
        return int(core.get_current_task_attempt_number()) + 1
    except Exception:  # a private API may move; the count is only informative
        return None


def _finish(
    ray: Any,
    ref: Any,
    variant: Variant,
    store: RunStore,
    sweep_id: str,
    *,
    draws: int,
    seed: int,
    use_record: bool,
    retries: int,
) -> TaskOutcome:
    """Record one finished task: its run and task row together, or the task as failed."""
    try:
        summary, attempts = ray.get(ref)
    except ray.exceptions.RayError as err:
        cause = getattr(err, "cause", None)
        if isinstance(cause, VariantFailed):
            attempts, message = cause.attempts or retries + 1, cause.message
        else:  # the worker died or the task was cancelled: Ray retried it as often as allowed
            attempts, message = retries + 1, str(err).strip().splitlines()[0]
        task = SweepTask(sweep_id, variant.index, variant.to_dict(), "failed", attempts, message)
        store.record_failed_task(task)
        return TaskOutcome(variant, None, attempts, message)
    task = SweepTask(sweep_id, variant.index, variant.to_dict(), "done", attempts)
    run_id = record_summary(
        store,
        variant.scenario,
        draws=draws,
        seed=seed,
        use_record=use_record,
        summary=summary,
        sweep_task=task,
    )
    return TaskOutcome(variant, run_id, attempts)


@contextlib.contextmanager
def _started(ray: Any, failure: str) -> Iterator[None]:
    """Around ``ray.init``: whatever stops it half-way (Ctrl-C included) takes down what it started."""
    try:
        yield
    except BaseException as err:
        with contextlib.suppress(Exception):
            ray.shutdown()
        if isinstance(err, Exception):
            raise SweepError(f"{failure}: {err}") from err
        raise


def _check_reachable(address: str, timeout: float = CONNECT_SECONDS) -> None:
    """Fail fast when nothing listens at ``HOST:PORT``: Ray 2.60 would retry the GCS for many minutes."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto" and other forms Ray resolves itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        raise SweepError(
            f"nothing answers at {address} ({err.strerror or err}); start the cluster "
            "with `ray start --head` there, or leave out --address for a local one"
        ) from err


def _cpus(ray: Any) -> str:
    count = int(ray.cluster_resources().get("CPU", 0))
    return f"{count} CPU{'' if count == 1 else 's'}"


@contextlib.contextmanager
def _environ(name: str, default: str) -> Iterator[None]:
    """Set ``name`` to ``default`` unless the user set it, and put it back afterwards."""
    if name in os.environ:
        yield
        return
    os.environ[name] = default
    try:
        yield
    finally:
        os.environ.pop(name, None)
