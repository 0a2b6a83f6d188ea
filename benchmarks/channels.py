"""What each mechanism of the argument does over a span of a scenario's path.

Run: ``python benchmarks/channels.py [SCENARIO] [--over 2020-2023] [--draws 4000] [--seed 0]``.

For each channel the script removes it over the span (or, for learning, everywhere) and runs
the scenario again with the same seed, so that draw i of both runs has the same parameters and
random numbers; it prints the mean over the span of ``p_challenge`` and ``p_offensive`` in the
baseline, and the paired change with the 5-95% range of the per-draw changes. Two readings:

* *on the record*: both runs update beliefs on the recorded moves throughout (a hindcast: what
  the channel did to the forecasts, given what happened);
* *simulated*: as ``pivotal whatif`` does, both runs use the record only before the change and
  simulate from there (what the channel did once its consequences play out).

The channels and how each is removed:

* distraction: ``pivot_distraction = 0`` over the span;
* shield: ``patron_shield = 0`` over the span;
* learning: ``resolve_turnover = 1`` in every period, so no belief is carried from one crisis to
  the next (each period starts from the prior);
* status quo: ``status_quo_value = 0`` and ``force_cost = 0`` over the span;
* peacekeepers: ``peacekeepers = 0`` and ``peacekeeper_tripwire = 0`` over the span;
* ceasefires: ``ceasefire_fragility = 0`` over the span (every ceasefire holds);
* provocation: ``provocation_pressure = 0`` over the span (a provocation moves the challenger not at all);
* reining in: ``target_restraint_cost = 100`` over the span (the pivot cannot afford to press the target);
* tilt: ``tilt_commitment = 0`` over the span (a posture commits the pivot to nothing);
* ultimatum: ``ultimatum_gain = 0`` over the span (leaning extracts nothing).

The last four matter only in a scenario whose ``game`` has the moves before the crisis.
"""

from __future__ import annotations

import argparse

from pivotal.analysis.counterfactual import what_if
from pivotal.scenario import resolve_scenario
from pivotal.scenario.overlay import overlay_from_settings
from pivotal.scenario.schema import parse_periods

CHANNELS: dict[str, list[str]] = {
    "distraction": ["pivot_distraction=0"],
    "shield": ["patron_shield=0"],
    "learning": ["resolve_turnover=1@ALL"],
    "status quo": ["status_quo_value=0", "force_cost=0"],
    "peacekeepers": ["peacekeepers=0", "peacekeeper_tripwire=0"],
    "ceasefires": ["ceasefire_fragility=0"],
    "provocation": ["provocation_pressure=0"],
    "reining in": ["target_restraint_cost=100"],
    "tilt": ["tilt_commitment=0"],
    "ultimatum": ["ultimatum_gain=0"],
}
METRICS = ("p_challenge", "p_offensive")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="south-caucasus")
    parser.add_argument("--over", default="2020-2023")
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    base = resolve_scenario(args.scenario)
    span = parse_periods(args.over)
    whole = f"{base.periods.start}-{base.periods.end}"
    print(
        f"{base.title}: each channel removed, {args.draws:,} draws, seed {args.seed}, "
        f"means over {span}; change = without the channel minus with it (5-95% of draws)"
    )
    for mode, shared in (("on the record", base.timeline), ("simulated", ())):
        print(f"\n{mode}")
        print(
            f"{'channel':<14}"
            + "".join(f"{m + ' baseline':>22}{'change':>10}{'5%':>8}{'95%':>8}" for m in METRICS)
        )
        for channel, settings in CHANNELS.items():
            settings = [s.replace("@ALL", f"@{whole}") for s in settings]
            overlay = overlay_from_settings(settings, base, periods=str(span))
            result = what_if(base, [overlay], draws=args.draws, seed=args.seed, shared_record=shared)
            table = result.averages(METRICS, span).set_index("metric")
            cells = "".join(
                f"{table.loc[m, 'baseline']:>22.3f}{table.loc[m, 'difference']:>+10.3f}"
                f"{table.loc[m, 'low']:>+8.3f}{table.loc[m, 'high']:>+8.3f}"
                for m in METRICS
            )
            print(f"{channel:<14}{cells}")


if __name__ == "__main__":
    main()
