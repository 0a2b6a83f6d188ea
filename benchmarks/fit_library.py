"""How long a fit of the whole case library takes, beside the egame12 fit in the same run.

Run: ``python benchmarks/fit_library.py [--free precision_challenger precision_pivot ...]``.

Prints, for a maximum-likelihood fit of the terms on every built-in case: the compilation of the
likelihood (the first evaluation in the process, with JAX's disk cache off), the fit itself once
compiled (wall time, Newton iterations, gradient evaluations), the time of one value-and-gradient
evaluation over the library, and as the reference the egame12 fit of ``games``' war1800 data
(282 rows, 8 coefficients; tests/data/egame12) timed the same way.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pivotal.estimation import egame12
from pivotal.estimation.mle import Objective, climb
from pivotal.estimation.record import case_record
from pivotal.estimation.structural import Likelihood
from pivotal.estimation.terms import design, parse_terms, range_spreads
from pivotal.scenario import builtin_names, builtin_scenario

WAR1800 = Path(__file__).resolve().parents[1] / "tests" / "data" / "egame12" / "war1800.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--free", nargs="+", default=["precision_challenger", "precision_pivot", "precision_target"]
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    scenarios = [builtin_scenario(name) for name in builtin_names()]
    laid = design(
        parse_terms(args.free), [case_record(s) for s in scenarios], [range_spreads(s) for s in scenarios]
    )
    likelihood = Likelihood(laid)
    theta = np.zeros(len(laid.terms))
    start = time.perf_counter()
    likelihood.value_and_gradient(theta)
    likelihood.hessian(theta)
    compiled = time.perf_counter() - start
    objective = Objective(likelihood.value_and_gradient, likelihood.hessian, likelihood.scores)
    fits = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        fitted = climb(objective, laid.labels, clusters=likelihood.clusters())
        fits.append(time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(20):
        likelihood.value_and_gradient(theta)
    evaluation = (time.perf_counter() - start) / 20
    data = egame12.war1800_design(pd.read_csv(WAR1800))
    egame12.fit(data, "logit")  # compile
    reference = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        egame12.fit(data, "logit")
        reference.append(time.perf_counter() - start)
    periods = sum(int(c.coded.sum()) for c in laid.cases)
    print(f"library: {len(laid.cases)} cases, {periods} coded periods; terms {', '.join(laid.labels)}")
    print(f"compile (first value, gradient and Hessian):    {compiled:8.2f} s")
    print(
        f"fit, compiled (min of {args.repeats}):                  {min(fits):8.3f} s "
        f"({fitted.iterations} Newton iterations, {fitted.gradient_evaluations} gradient evaluations)"
    )
    print(f"one value and gradient over the library:        {evaluation * 1e3:8.2f} ms")
    print(
        f"reference: egame12 logit fit, war1800 (min of {args.repeats}): {min(reference):8.3f} s "
        "(includes its own compilation: a new jit per fit)"
    )


if __name__ == "__main__":
    main()
