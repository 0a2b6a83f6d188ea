"""Does a fit recover the truth?  Simulate records of the shipped cases from known values, refit,
and report the bias of each estimate and how often its 90 % interval covers the truth.

Run: ``python scripts/recovery.py [--replicates 100] [--free precision_challenger precision_pivot]
[--seed 0]``.

Each replicate draws one history for every built-in case whose game begins with the crisis (the
others' histories would need their early moves coded), as long as its record, from the engine
at the medians of the case's ranges (so every coefficient's true value is 0), codes its
challenges and responses, and fits the terms to these histories together by maximum
likelihood, as ``pivotal fit`` fits the real records; each fit's 90 % Wald interval is judged with
the inverse information's standard errors and with errors clustered by case.  The
simulated histories code no hedging and no early moves, so the target's coefficients (which only
hedging reveals) are not studied here.  docs/estimation.md reports a run of it.
"""

from __future__ import annotations

import argparse

import numpy as np

from pivotal.estimation.mle import Objective, climb, sandwich
from pivotal.estimation.record import simulated_records
from pivotal.estimation.structural import Likelihood
from pivotal.estimation.terms import design, parse_terms
from pivotal.scenario import builtin_names, builtin_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--free", nargs="+", default=["precision_challenger", "precision_pivot"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    terms = parse_terms(args.free)
    scenarios = [
        s
        for s in map(builtin_scenario, builtin_names())
        if not (s.game.target_moves_first or s.game.pivot_posture)
    ]
    histories = [simulated_records(s, args.replicates, seed=args.seed + i) for i, s in enumerate(scenarios)]
    estimates, errors, clustered, failed = [], [], [], 0
    for r in range(args.replicates):
        cases = [case_histories[r] for case_histories in histories]
        laid = design(terms, cases)
        likelihood = Likelihood(laid)
        objective = Objective(likelihood.value_and_gradient, likelihood.hessian, likelihood.scores)
        fitted = climb(objective, laid.labels)
        if not fitted.converged:
            failed += 1
            continue
        estimates.append(fitted.estimates)
        errors.append(fitted.std_errors)
        robust = sandwich(likelihood.scores(fitted.estimates), fitted.covariance, likelihood.clusters())
        clustered.append(np.sqrt(np.diag(robust)))
    estimates, errors, clustered = np.array(estimates), np.array(errors), np.array(clustered)
    print(
        f"{args.replicates} replicates of the {len(scenarios)} shipped cases' histories (truth: every "
        f"coefficient 0); {failed} fits did not converge or were not identified and are left out"
    )
    print("standard errors: inverse information (model-based) and clustered by case (sandwich)")
    print(
        f"{'term':24} {'bias':>8} {'sd of est.':>11} {'median s.e.':>11} {'90% coverage':>13} "
        f"{'clustered s.e.':>15} {'90% coverage':>13}"
    )
    for j, term in enumerate(terms):
        covered = np.abs(estimates[:, j]) <= 1.645 * errors[:, j]
        robust = np.abs(estimates[:, j]) <= 1.645 * clustered[:, j]
        print(
            f"{term.label:24} {estimates[:, j].mean():8.3f} {estimates[:, j].std(ddof=1):11.3f} "
            f"{np.median(errors[:, j]):11.3f} {covered.mean():13.2f} {np.median(clustered[:, j]):15.3f} "
            f"{robust.mean():13.2f}"
        )


if __name__ == "__main__":
    main()
