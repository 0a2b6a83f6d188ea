"""Runs and analyses in the background, so the server keeps answering while a long one computes.

A job is a run, what-if, score or sensitivity analysis the page asked for: it
waits in a small thread pool, reports its progress, and is recorded in the store
when it has finished.  Jobs live in memory only; the recorded result is what lasts.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pivotal.scenario import Scenario
from pivotal.service.run import run_scenario
from pivotal.service.saving import giving_up_when
from pivotal.simulation.engine import MEMORY_BUDGET
from pivotal.store import RunStore
from pivotal.web.models import JobInfo, JobKind, JobStatus

#: Progress as (done, total); raises Cancelled when the job was asked to stop.
Progress = Callable[[int, int], None]
#: A job's work: computes with the memory budget it is given, reports progress, records the
#: result and returns its id.
Work = Callable[[Progress, int], str]


def wait_quietly(message: str) -> None:
    """A finished job waits for a busy store rather than being lost; the page shows it running."""


class JobNotFound(KeyError):
    """No job with that id (finished jobs are forgotten after a while)."""


class TooBusy(RuntimeError):
    """Too many runs are waiting; the client should try again when some have finished."""


class Cancelled(Exception):
    """Raised inside a run's progress callback to stop it between chunks."""


@dataclass
class Job:
    """One job's state, shared between the worker thread and the request handlers."""

    job_id: str
    kind: JobKind
    scenario: Scenario
    draws: int
    seed: int
    use_record: bool
    settings: list[str]
    work: Work
    total: int
    unit: str = "draws"
    status: JobStatus = "queued"
    done: int = 0
    result_id: str | None = None
    error: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    cancel_requested: threading.Event = field(default_factory=threading.Event)

    @property
    def run_id(self) -> str | None:
        return self.result_id if self.kind == "run" else None

    def info(self) -> JobInfo:
        return JobInfo(
            job_id=self.job_id,
            kind=self.kind,
            status=self.status,
            done=self.done,
            total=self.total,
            unit=self.unit,
            scenario_id=self.scenario.id,
            draws=self.draws,
            seed=str(self.seed),
            use_record=self.use_record,
            settings=self.settings,
            created_at=self.created_at,
            run_id=self.run_id,
            analysis_id=None if self.kind == "run" else self.result_id,
            error=self.error,
        )


class JobManager:
    """A bounded thread pool of runs.

    Parameters
    ----------
    store : where finished runs are recorded.
    workers : runs computed at once; each run also spreads its chunks over the CPUs.
    max_pending : queued plus running jobs allowed before :class:`TooBusy`.
    keep : finished jobs remembered for polling; older ones are forgotten.
    """

    def __init__(self, store: RunStore, *, workers: int = 2, max_pending: int = 8, keep: int = 200) -> None:
        self.store = store
        self.max_pending = max_pending
        self.keep = keep
        self.workers = workers
        self._pool = self._new_pool()
        self._stopped = False
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def _new_pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="pivotal-web-run")

    def start(self) -> None:
        """Take runs again after :meth:`shutdown` (an app started anew, as a test client does)."""
        with self._lock:
            if self._stopped:
                self._pool, self._stopped = self._new_pool(), False

    def submit(
        self, scenario: Scenario, *, draws: int, seed: int, use_record: bool, settings: list[str]
    ) -> Job:
        """Queue a run and return its job at once."""

        def work(progress: Progress, budget: int) -> str:
            run = run_scenario(
                scenario,
                draws=draws,
                seed=seed,
                use_record=use_record,
                progress=progress,
                memory_budget=budget,
                store=self.store,
                settings={"set": settings, "via": "web"},
                on_busy=wait_quietly,
            )
            if run.run_id is None:
                raise RuntimeError("the run was not recorded")
            return run.run_id

        return self.submit_work(
            "run",
            scenario,
            work,
            draws=draws,
            seed=seed,
            use_record=use_record,
            settings=settings,
            total=draws,
        )

    def submit_work(
        self,
        kind: JobKind,
        scenario: Scenario,
        work: Work,
        *,
        draws: int,
        seed: int,
        use_record: bool,
        settings: list[str],
        total: int,
        unit: str = "draws",
    ) -> Job:
        """Queue any job (a run or an analysis) and return it at once."""
        job = Job(uuid.uuid4().hex[:12], kind, scenario, draws, seed, use_record, settings, work, total, unit)
        with self._lock:
            active = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if active >= self.max_pending:
                raise TooBusy(
                    f"{active} runs and analyses are already queued or running; wait for one "
                    "to finish or cancel one"
                )
            self._jobs[job.job_id] = job
            self._forget_old()
        self._pool.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            try:
                return self._jobs[job_id]
            except KeyError:
                raise JobNotFound(job_id) from None

    def jobs(self) -> list[Job]:
        """Jobs still remembered, newest first."""
        with self._lock:
            return list(reversed(self._jobs.values()))

    def cancel(self, job_id: str) -> Job:
        """Ask a job to stop; a queued one never starts, a running one stops after its current chunk."""
        job = self.get(job_id)
        job.cancel_requested.set()
        with self._lock:
            if job.status == "queued":
                job.status = "cancelled"
        return job

    def shutdown(self) -> None:
        """Stop every job quickly (server shutdown): cancel all, wait for the workers."""
        with self._lock:
            self._stopped = True
            for job in self._jobs.values():
                job.cancel_requested.set()
                if job.status == "queued":  # its future is dropped below and will never run
                    job.status = "cancelled"
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job: Job) -> None:
        with self._lock:
            if job.cancel_requested.is_set():
                job.status = "cancelled"
                return
            job.status = "running"

        def progress(done: int, total: int) -> None:
            job.done = min(done, job.total)
            if job.cancel_requested.is_set():
                raise Cancelled

        try:
            # Runs computed at once share the engine's memory budget, so the app stays within it; an
            # analysis bounds its own arrays (a what-if's draws x periods, a streamed sensitivity).
            with giving_up_when(job.cancel_requested.is_set):
                result_id = job.work(progress, MEMORY_BUDGET // self.workers)
        except Cancelled:
            with self._lock:
                job.status = "cancelled"
            return
        except Exception as err:  # shown to the user with the job; the server must keep serving
            with self._lock:
                if job.cancel_requested.is_set():  # it gave up waiting for a busy store
                    job.status = "cancelled"
                else:
                    job.status, job.error = "failed", f"{type(err).__name__}: {err}"
            return
        with self._lock:
            job.done, job.result_id, job.status = job.total, result_id, "done"

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status not in ("queued", "running")]
        for key in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[key]
