"""What capping BLAS threads around the baselines' regressions does to ``pivotal score``.

Run: ``python benchmarks/score_threads.py [SCENARIO] [--draws 300] [--repeats 3]``.

Times ``score_scenario`` as shipped (linear algebra on one thread around the regressions, see
``pivotal.evaluation.baselines.one_blas_thread``) beside the same call with the cap lifted (the
reference, measured in the same run), each with every core free and with one core kept busy by
another process, as on a shared machine.  Prints the minimum of the repeats.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import time

from pivotal.evaluation import baselines, score
from pivotal.scenario import resolve_scenario


def _spin(stop: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    while not stop.is_set():
        pass


def _timed(scenario, draws: int, repeats: int, capped: bool) -> float:  # type: ignore[no-untyped-def]
    shipped = baselines.one_blas_thread
    if not capped:
        baselines.one_blas_thread = contextlib.nullcontext  # type: ignore[assignment]
    try:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            score.score_scenario(scenario, draws=draws, seed=0)
            times.append(time.perf_counter() - start)
        return min(times)
    finally:
        baselines.one_blas_thread = shipped  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="south-caucasus")
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scenario = resolve_scenario(args.scenario)
    _timed(scenario, args.draws, 1, True)  # imports and first-call costs
    for busy in (False, True):
        stop = multiprocessing.Event()
        spinner = multiprocessing.Process(target=_spin, args=(stop,)) if busy else None
        if spinner is not None:
            spinner.start()
        try:
            capped = _timed(scenario, args.draws, args.repeats, True)
            free = _timed(scenario, args.draws, args.repeats, False)
        finally:
            if spinner is not None:
                stop.set()
                spinner.join()
        label = "one core busy" if busy else "cores free   "
        print(
            f"{label}: score {capped:6.2f} s with BLAS on one thread; {free:6.2f} s with the cap lifted "
            f"(reference); ratio {free / capped:4.1f}x"
        )


if __name__ == "__main__":
    main()
