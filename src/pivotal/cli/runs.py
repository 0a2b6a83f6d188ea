"""Commands about runs: run, validate, list scenarios, list and show recorded runs."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from pivotal.cli.common import (
    MAX_SEED,
    Draws,
    ScenarioArg,
    app,
    engine_notice,
    err,
    error_line,
    fitting,
    out,
    progress_bar,
    styled,
    user_errors,
    waiting,
)
from pivotal.cli.fit import FitOption


@app.command()
@user_errors
def run(
    scenario: ScenarioArg = None,
    draws: Draws = 2000,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", "-s", min=0, max=MAX_SEED, help="Random seed; omitted, one is chosen and recorded."
        ),
    ] = None,
    free: Annotated[bool, typer.Option("--free", help="Ignore the record: simulate every period.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON on stdout.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print results as CSV on stdout.")] = False,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the run.")] = False,
    backend: Annotated[
        str,
        typer.Option(
            "--backend",
            help="Engine: numba (compiled; the first run on a machine compiles it, about "
            "half a minute, then it is cached), numpy (the reference, slower), or jax (pip install "
            '"pivotal[jax]"; for a GPU: on a CPU it runs about half as fast as numpy and needs '
            "three to four times its memory).",
        ),
    ] = "numba",
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads", min=1, help="Worker threads for the numba and numpy engines (default: all CPUs)."
        ),
    ] = None,
    fit: FitOption = None,
) -> None:
    """Simulate a scenario period by period beside what actually happened, and record the run."""

    from pivotal.cli.fit import load_fitted
    from pivotal.cli.output import run_json, summary_csv
    from pivotal.cli.render import narrow_summary_table, summary_table
    from pivotal.scenario import (
        resolve_scenario,
    )
    from pivotal.service.run import record_run, run_scenario
    from pivotal.simulation import BACKENDS, DEFAULT_BACKEND, get_backend
    from pivotal.store import RunStore, StoreError

    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv")
    if backend not in BACKENDS:
        raise typer.BadParameter(
            f"expected one of {', '.join(BACKENDS)}, got {backend!r}", param_hint="--backend"
        )
    engine = get_backend(backend)
    engine_notice(engine.name)
    loaded = resolve_scenario(scenario)
    fitted = load_fitted(fit, loaded)
    if not no_store:
        RunStore().check_writable()  # before the work, not after it
    with progress_bar(f"{loaded.id}: {draws:,} draws", draws) as update:
        finished = run_scenario(
            loaded,
            draws=draws,
            seed=seed,
            use_record=not free,
            save=False,
            progress=update,
            backend=engine.name,
            threads=threads,
            fitted=fitted,
        )
    run_id, unrecorded, store = None, None, RunStore()
    if not no_store:
        # Recorded before it is printed, so that --json carries the id; a store that fails now
        # (a full disk) still lets the finished results be printed below.
        try:
            run_id = record_run(
                store,
                finished,
                draws=draws,
                use_record=not free,
                settings=None if fitted is None else {"fit": fitted.fit_id},
                on_busy=waiting,
            )
        except StoreError as failed:
            unrecorded = failed
    meta = {
        "run_id": run_id,
        "scenario_id": loaded.id,
        "draws": draws,
        "seed": finished.seed,
        "use_record": not free,
    }
    if fitted is not None:
        meta["fit"] = fitted.fit_id
    if as_json:
        sys.stdout.write(run_json(meta, finished.summary) + "\n")
    elif as_csv:
        sys.stdout.write(summary_csv(finished.summary))
    else:
        title = f"{loaded.title} — {draws:,} draws, seed {finished.seed}" + (
            "" if fitted is None else f", fit {fitted.fit_id}"
        )
        out.print(
            fitting(summary_table(finished.summary, title), narrow_summary_table(finished.summary, title))
        )
    if no_store:
        return
    if unrecorded is not None:
        chosen = "" if engine.name == DEFAULT_BACKEND else f" --backend {engine.name}"
        rerun = (
            f"pivotal run {shlex.quote(scenario or loaded.id)} --draws {draws} --seed {finished.seed}"
            + (" --free" if free else "")
            + chosen
            + ("" if fitted is None else f" --fit {fitted.fit_id}")
        )
        raise StoreError(f"{unrecorded}. The results are printed above and `{rerun}` computes them again")
    assert run_id is not None  # stored: neither --no-store nor a store error
    err.print(styled("recorded run ", (run_id, "bold"), f" in {store.path}"), highlight=False)


@app.command()
@user_errors
def validate(
    path: Annotated[str, typer.Argument(help="Scenario YAML file to check, or a built-in name.")],
) -> None:
    """Check a scenario file; report every problem found with its file, line and field, and
    which optional parameters it leaves to their defaults."""

    from pivotal.scenario import (
        ScenarioError,
        builtin_names,
        resolve_scenario,
    )
    from pivotal.scenario.loader import scenario_warnings

    is_file = path not in builtin_names()  # as for `run`: a built-in's name means the built-in
    try:
        scenario = resolve_scenario(path)
    except ScenarioError as failed:
        for problem in failed.problems:
            err.print(error_line(problem.located()), highlight=False, soft_wrap=True)
        if len(failed.problems) > 1:
            err.print(
                f"{len(failed.problems)} problems; the file is checked again for others once these are fixed",
                highlight=False,
            )
        raise typer.Exit(1) from None
    where = path if is_file else f"{path} (built-in)"
    out.print(
        f"ok: {where}: scenario '{scenario.id}' with {len(scenario.timeline)} periods, "
        f"{len(scenario.actors)} actors, {len(scenario.episodes)} episodes, "
        f"{len(scenario.record)} record entries",
        highlight=False,
    )
    defaults = scenario.defaults_used()
    if defaults:
        values = ", ".join(f"{name} = {_default_text(name)}" for name in defaults)
        out.print(
            f"defaults for optional parameters the file leaves out: {values}", highlight=False, markup=False
        )
    if is_file:  # what the file says that the model would not use
        for warning in scenario_warnings(path):
            out.print(
                styled(("warning:", "bold yellow"), f" {warning.located()}"), highlight=False, soft_wrap=True
            )


def _default_text(name: str) -> str:
    from pivotal.model.parameters import PARAMETERS_BY_NAME

    spec = PARAMETERS_BY_NAME[name]
    return spec.default_from if spec.default_from is not None else f"{spec.default:g}"


@app.command()
@user_errors
def new(
    scenario_id: Annotated[
        str, typer.Argument(help="The new scenario's id: lower case letters, digits and dashes.")
    ],
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="The file to write (default: SCENARIO_ID.yaml here); never overwritten."
        ),
    ] = None,
) -> None:
    """Write a new scenario to start from: every section, every required parameter with a
    placeholder range and a TODO source, and one record entry; it validates as written."""
    from pivotal.scenario.skeleton import skeleton

    try:
        text = skeleton(scenario_id)
    except ValueError as bad:
        raise typer.BadParameter(str(bad), param_hint="SCENARIO_ID") from None
    path = out_path or Path(f"{scenario_id}.yaml")
    try:
        with path.open("x", encoding="utf-8") as stream:  # "x": an existing file is never replaced
            stream.write(text)
    except FileExistsError:
        raise typer.BadParameter(f"{path} exists already; give another --out", param_hint="--out") from None
    except OSError as failed:
        raise typer.BadParameter(
            f"cannot write {path}: {failed.strerror or failed}", param_hint="--out"
        ) from None
    out.print(f"wrote {path}; replace its TODOs, then `pivotal validate {path}`", highlight=False)


@app.command()
@user_errors
def scenarios() -> None:
    """List the built-in scenarios."""

    from pivotal.scenario import (
        builtin_names,
        builtin_scenario,
    )

    for name in builtin_names():
        s = builtin_scenario(name)
        out.print(f"{name}\t{s.title} ({s.periods.start}–{s.periods.end})", highlight=False)


@app.command()
@user_errors
def runs(
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Only the runs of this scenario id.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-l", min=1, metavar="N", help="Only the latest N runs.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    delete: Annotated[
        str | None,
        typer.Option(
            "--delete",
            metavar="RUN_ID",
            help="Remove the run with this id (or the start of one) and its tables.",
        ),
    ] = None,
) -> None:
    """List recorded runs, newest first; or remove one."""

    from pivotal.cli.output import run_record_json
    from pivotal.cli.render import runs_table
    from pivotal.store import RunStore

    store = RunStore()
    if delete is not None:
        removed = store.delete_run(delete)
        out.print(
            f"removed run {removed.run_id} of {removed.scenario_id} "
            f"({removed.draws:,} draws, seed {removed.seed}) from {store.path}",
            highlight=False,
        )
        return
    records = store.list_runs(scenario_id=scenario, limit=limit)
    if as_json:
        sys.stdout.write(json.dumps([run_record_json(r) for r in records], indent=2) + "\n")
        return
    if not records:
        which = f" of scenario {scenario!r}" if scenario is not None else ""
        out.print(f"no runs{which} recorded yet in {store.path}", highlight=False)
        return
    out.print(runs_table(records))


@app.command()
@user_errors
def show(
    run_id: Annotated[
        str | None, typer.Argument(help="A run id, or the start of one (default: the latest run).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print as CSV.")] = False,
) -> None:
    """Print one recorded run."""

    from pivotal.cli.output import run_json, summary_csv
    from pivotal.cli.render import narrow_summary_table, summary_table
    from pivotal.store import RunStore

    store = RunStore()
    stored = store.get(store.resolve(run_id))
    r = stored.record
    if as_json:
        sys.stdout.write(run_json(r, stored.summary) + "\n")
    elif as_csv:
        sys.stdout.write(summary_csv(stored.summary))
    else:
        system = r.settings.get("system")
        within = f" (a dyad of system {system.get('id')})" if isinstance(system, dict) else ""
        title = (
            f"run {r.run_id} — {r.scenario_title}{within} — {r.draws:,} draws, seed {r.seed}, "
            f"pivotal {r.package_version}"
        )
        out.print(fitting(summary_table(stored.summary, title), narrow_summary_table(stored.summary, title)))
