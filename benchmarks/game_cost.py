"""What the moves before the crisis cost the engine: draw-periods per second with and without them.

Run: ``python benchmarks/game_cost.py [SCENARIO] [--draws 200000]``.

The same scenario is run twice on the default (compiled) engine, with the same seed and chunking: as written
(its ``game`` on) and as the crisis alone (``game`` off), the reference measured in the same run.
With both early moves on a period solves twelve crises (three postures, and concede, hold, or a
provocation reined in or tolerated), so the whole period costs about twelve crisis-only periods
and some bookkeeping.
"""

from __future__ import annotations

import argparse
import time

from pivotal.scenario import resolve_scenario
from pivotal.scenario.schema import Game
from pivotal.simulation.engine import iter_chunks
from pivotal.simulation.kernel import make_plan


def rate(scenario, draws: int) -> float:
    """Draw-periods per second of the streamed default engine on ``scenario``."""
    plan = make_plan(scenario)
    start = time.perf_counter()
    for _ in iter_chunks(plan, draws, 0):
        pass
    return draws * len(plan.steps) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="south-caucasus")
    parser.add_argument("--draws", type=int, default=200_000)
    args = parser.parse_args()
    scenario = resolve_scenario(args.scenario)
    crisis_only = scenario.model_copy(update={"game": Game()})
    reference = rate(crisis_only, args.draws)
    whole = rate(scenario, args.draws)
    print(
        f"{scenario.id}, {args.draws:,} draws: crisis only {reference:,.0f} draw-periods/s (reference); "
        f"as written (game {scenario.game.model_dump()}) {whole:,.0f} draw-periods/s, "
        f"{reference / whole:.1f} times slower"
    )


if __name__ == "__main__":
    main()
