"""``pivotal system``: run a system of dyads that share a pivot, and ask what-ifs across it."""

from __future__ import annotations

import json
import shlex
import sys
from typing import Annotated

import typer

from pivotal.cli.common import Draws, Seed, app, err, fitting, out, progress_bar, user_errors

system_app = typer.Typer(
    help="Systems of dyads that share one pivot: what its observers learn in one dyad carries to "
    "the others (docs/model.md, 'Systems of dyads').",
    no_args_is_help=True,
)
app.add_typer(system_app, name="system")

SystemFile = Annotated[
    str, typer.Argument(metavar="SYSTEM", help="A built-in system's name or a system YAML file.")
]
Contagion = Annotated[
    float | None,
    typer.Option(
        min=0.0, max=1.0, help="A fixed contagion for every year and draw instead of the file's range."
    ),
]


@system_app.command("validate")
@user_errors
def validate(path: SystemFile) -> None:
    """Check a system file and the scenarios it names."""
    from pivotal.scenario.system import resolve_system

    loaded = resolve_system(path)
    dyads = ", ".join(f"{s.id} ({s.periods.start}-{s.periods.end})" for s in loaded.scenarios)
    out.print(
        f"ok: {path}: system '{loaded.system.id}' of {len(loaded.scenarios)} dyads sharing "
        f"{loaded.system.pivot}: {dyads}",
        highlight=False,
    )


@system_app.command("run")
@user_errors
def run(
    path: SystemFile,
    draws: Draws = 2000,
    seed: Seed = 0,
    contagion: Contagion = None,
    free: Annotated[bool, typer.Option("--free", help="Ignore the records: simulate every period.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print each dyad's table as JSON.")] = False,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the run.")] = False,
) -> None:
    """Simulate every dyad in step, period by period, with shared evidence; one table per dyad.

    Each dyad is recorded as a run of its scenario (`pivotal runs`, `show`, `report`), all of
    them in one transaction, marked as one run of the system."""

    from pivotal import service
    from pivotal.cli.common import waiting
    from pivotal.cli.render import narrow_summary_table, summary_table
    from pivotal.scenario.system import resolve_system
    from pivotal.simulation import summarise
    from pivotal.simulation.system import simulate_system
    from pivotal.store import RunStore, StoreError

    loaded = resolve_system(path)
    store = RunStore()
    if not no_store:
        store.check_writable()  # before the work, not after it
    with progress_bar(f"{loaded.system.id}: {draws:,} draws", draws) as update:
        result = simulate_system(
            loaded, draws=draws, seed=seed, use_record=not free, contagion=contagion, progress=update
        )
    summaries = {dyad.scenario.id: summarise(dyad) for dyad in result.dyads}
    run_ids: dict[str, str] = {}
    unrecorded = None
    if not no_store:
        try:
            recorded = service.record_system_run(
                store,
                result,
                contagion=contagion,
                summaries=list(summaries.values()),
                on_busy=waiting,
            )
            run_ids = dict(zip(summaries, recorded, strict=True))
        except StoreError as failed:
            unrecorded = failed
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "system": loaded.system.id,
                    "draws": draws,
                    "seed": seed,
                    "contagion": service.contagion_text(contagion),
                    "run_ids": run_ids or None,
                    "dyads": {k: json.loads(v.to_json(orient="records")) for k, v in summaries.items()},
                },
                indent=2,
            )
            + "\n"
        )
    else:
        for dyad in result.dyads:
            summary = summaries[dyad.scenario.id]
            title = f"{loaded.system.title} · {dyad.scenario.title} — {draws:,} draws, seed {seed}"
            out.print(fitting(summary_table(summary, title), narrow_summary_table(summary, title)))
        out.print(
            f"contagion: {service.contagion_text(contagion)} (mean {float(result.contagion.mean()):.2f})",
            highlight=False,
        )
    if no_store:
        return
    if unrecorded is not None:
        again = (
            f"pivotal system run {shlex.quote(path)} --draws {draws} --seed {seed}"
            + (" --free" if free else "")
            + ("" if contagion is None else f" --contagion {contagion:g}")
        )
        raise StoreError(f"{unrecorded}. The results are printed above and `{again}` computes them again")
    runs = ", ".join(f"{scenario_id} {run_id}" for scenario_id, run_id in run_ids.items())
    err.print(f"recorded one run per dyad in {store.path}: {runs}", highlight=False, soft_wrap=True)


@system_app.command("score")
@user_errors
def score(
    path: SystemFile,
    draws: Draws = 1000,
    seed: Seed = 0,
    start: Annotated[
        int | None,
        typer.Option(
            help="First scored period of every dyad (default: five periods after each dyad's first)."
        ),
    ] = None,
    contagion: Contagion = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each dyad's scores as JSON.")] = False,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the scores.")] = False,
) -> None:
    """Score every dyad's forecasts against its record, from the system run, beside baselines.

    One precision multiplier is fitted for the whole system, each period's forecast from every
    dyad's record before it (docs/evaluation.md); each dyad's score is recorded as an analysis of
    its scenario, marked as the system's."""

    from pivotal import service
    from pivotal.cli.analyses import keep_analysis
    from pivotal.cli.render_analyses import score_output
    from pivotal.evaluation.calibration import PRECISION_SCALES
    from pivotal.scenario.system import resolve_system
    from pivotal.scenario.timeline import period_label
    from pivotal.store import RunStore

    loaded = resolve_system(path)
    if not no_store:
        RunStore().check_writable()
    with progress_bar(f"{loaded.system.id}: fitting precision", len(PRECISION_SCALES)) as update:
        try:
            scored = service.system_score(
                loaded,
                draws=draws,
                seed=seed,
                start=start,
                progress=update,
                contagion=contagion,
                save=False,
            )
        except ValueError as error:
            hint = "--start" if start is not None else "SYSTEM"
            raise typer.BadParameter(str(error), param_hint=hint) from None
    if as_json:
        sys.stdout.write(json.dumps(scored.content, indent=2, default=str) + "\n")
    else:
        for analysis in scored.analyses:
            scenario, report = analysis.scenario, analysis.report
            title = (
                f"{loaded.system.title} · {scenario.title}: forecasts of {period_label(report.start)}–"
                f"{period_label(scenario.timeline[-1])} scored against the record ({draws:,} draws, "
                f"seed {seed})"
            )
            for item in score_output(report, title):
                out.print(item, highlight=False)
        out.print(f"contagion: {service.contagion_text(contagion)}", highlight=False)
    if scored.unscored:
        err.print(
            f"not scored, for want of a record from the first scored period on: "
            f"{', '.join(scored.unscored)} (its record still counts in the fit)",
            highlight=False,
            soft_wrap=True,
        )
    if no_store:
        return
    for analysis in scored.analyses:
        keep_analysis(analysis)


@system_app.command("whatif")
@user_errors
def whatif(
    path: SystemFile,
    dyad: Annotated[str, typer.Option(help="The dyad (its scenario id) the changes apply to.")],
    settings: Annotated[
        list[str],
        typer.Option(
            "--set",
            metavar="PATH=VALUE[@PERIODS]",
            help="A change to that dyad, e.g. record.pivot_response=restrain@2022 (each period of 2022 "
            "with a challenge); repeatable.",
        ),
    ],
    metrics: Annotated[
        list[str] | None,
        typer.Option(
            "--metric", "-m", metavar="METRIC", help="Metrics to show (default p_challenge, belief)."
        ),
    ] = None,
    over: Annotated[
        str | None,
        typer.Option(metavar="PERIODS", help="Also give each metric averaged over these periods, per dyad."),
    ] = None,
    draws: Draws = 2000,
    seed: Seed = 0,
    contagion: Contagion = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each dyad's what-if as JSON.")] = False,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the what-if.")] = False,
) -> None:
    """What a change in one dyad does to every dyad of the system, paired draw by draw.

    Both runs use the records before the first change (and the changed entries); later periods
    are simulated.  Each dyad's part is recorded as a what-if of its scenario, marked as the
    system's, so the reports of that system's runs show it."""

    from pivotal import service
    from pivotal.cli.analyses import keep_analysis
    from pivotal.cli.render import observed_text
    from pivotal.cli.render_analyses import average_line, whatif_table
    from pivotal.scenario.overlay import overlay_from_settings
    from pivotal.scenario.system import resolve_system
    from pivotal.scenario.timeline import as_period, period_label
    from pivotal.simulation import METRICS, summarise
    from pivotal.store import RunStore

    loaded = resolve_system(path)
    ids = [s.id for s in loaded.scenarios]
    if dyad not in ids:
        raise typer.BadParameter(f"expected one of {', '.join(ids)}, found {dyad!r}", param_hint="--dyad")
    chosen = tuple(metrics or ["p_challenge", "belief"])
    for metric in chosen:
        if metric not in METRICS:
            raise typer.BadParameter(
                f"expected one of {', '.join(METRICS)}, found {metric!r}", param_hint="--metric"
            )
    change = overlay_from_settings(settings, loaded.scenarios[ids.index(dyad)])
    if over is not None:
        _periods(over, loaded)
    if not no_store:
        RunStore().check_writable()
    compared = service.system_whatif(
        loaded,
        dyad,
        change,
        changes=settings,
        metrics=chosen,
        over=over,
        draws=draws,
        seed=seed,
        contagion=contagion,
        save=False,
    )
    if as_json:
        sys.stdout.write(json.dumps(compared.content, indent=2, default=str) + "\n")
    else:
        for analysis in compared.analyses:
            scenario_id, result = analysis.scenario.id, analysis.result
            frame = result.differences(chosen)
            summary = summarise(result.baseline)
            observed = {as_period(r["period"]): observed_text(r) for _, r in summary.iterrows()}
            where = "where the change is made" if scenario_id == dyad else f"reached from {dyad}"
            title = (
                f"{result.baseline.scenario.title} ({where}): {', '.join(settings)} — {draws:,} draws, "
                f"seed {seed}"
            )
            out.print(whatif_table(frame[frame["period"] >= result.shown_from], chosen, title, observed))
            if analysis.over is not None:
                for row in result.averages(chosen, analysis.over).itertuples():
                    out.print(f"{scenario_id}: {average_line(row)}", highlight=False)
    err.print(
        f"contagion: {service.contagion_text(contagion)}; records used in both runs before "
        f"{period_label(compared.diverges)} and for the changed entries",
        highlight=False,
    )
    if no_store:
        return
    for analysis in compared.analyses:
        keep_analysis(analysis)


def _periods(text: str, loaded):
    try:
        return loaded.span(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--over") from None
