"""Commands that question a scenario: score, whatif, sensitivity."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from pivotal.cli.common import Draws, ScenarioArg, app, out, progress_bar, user_errors
from pivotal.cli.render_analyses import precision_line, reliability_table, score_table
from pivotal.scenario import resolve_scenario

Seed = Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed (fixed so results repeat).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print results as JSON on stdout.")]


@app.command()
@user_errors
def score(
    scenario: ScenarioArg = None,
    draws: Draws = 1000,
    seed: Seed = 0,
    start: Annotated[int | None, typer.Option(
        help="First scored period (default: five periods after the first).")] = None,
    as_json: AsJson = False,
) -> None:
    """Score the model's forecasts against the record, beside baselines, out of sample."""
    from pivotal.evaluation import score_scenario
    from pivotal.evaluation.calibration import PRECISION_SCALES

    loaded = resolve_scenario(scenario)
    first, last = loaded.periods.start, loaded.periods.end
    if start is not None and not first <= start <= last:
        raise typer.BadParameter(f"must lie in {first}-{last}, got {start}", param_hint="--start")
    if not loaded.record:
        raise typer.BadParameter("the scenario has no record to score against", param_hint="SCENARIO")
    with progress_bar(f"{loaded.id}: fitting precision", len(PRECISION_SCALES)) as update:
        report = score_scenario(loaded, draws=draws, seed=seed, start=start, progress=update)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, default=str) + "\n")
        return
    out.print(score_table(report, f"{loaded.title}: forecasts of {report.start}–{last} scored against "
                                  f"the record ({draws:,} draws, seed {seed})"))
    out.print(precision_line(report), highlight=False)
    for outcome in ("offensive", "probe"):
        out.print(reliability_table(report, outcome))
    for line in report.verdicts:
        out.print(f"• {line}", highlight=False)
