"""Commands for sweeps: run a grid or sample of scenario variants on Ray, list and show sweeps."""

from __future__ import annotations

import contextlib
import functools
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pivotal.cli.common import (
    MAX_SEED,
    ScenarioArg,
    app,
    err,
    error_line,
    out,
    progress_bar,
    styled,
    user_errors,
)


class Method(StrEnum):
    lhs = "lhs"
    sobol = "sobol"


Metric = Annotated[str, typer.Option("--metric", "-m", help="Metric shown per variant (mean over periods).")]
Over = Annotated[
    str | None,
    typer.Option("--over", help="Periods the metric is averaged over, e.g. 2020-2025 (default: all)."),
]


def sweep_errors(command):
    """Like ``user_errors``, for what only a sweep can run into (Ray missing or unreachable)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from pivotal.sweep.executor import SweepError

        try:
            return command(*args, **kwargs)
        except SweepError as error:
            err.print(error_line(str(error)), highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


@app.command()
@user_errors
@sweep_errors
def sweep(
    scenario: ScenarioArg = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUES[@PERIODS]",
            help="PATH=V1,V2,...[@PERIODS] for a grid axis (low/mode/high for a range value), or "
            "PATH=LOW:HIGH[@PERIODS] to sample with --sample; repeatable.",
        ),
    ] = None,
    sample: Annotated[
        int | None, typer.Option("--sample", min=1, help="Draw this many variants over the LOW:HIGH ranges.")
    ] = None,
    method: Annotated[
        Method | None,
        typer.Option("--method", help="Sampling design: Latin hypercube (default) or Sobol' (a power of 2)."),
    ] = None,
    spec_file: Annotated[
        Path | None, typer.Option("--spec", help="A sweep YAML file with grid: and/or sample: sections.")
    ] = None,
    periods: Annotated[str | None, typer.Option(help="Periods for --set values without @PERIODS.")] = None,
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=1, max=100_000_000, help="Monte Carlo draws per variant.")
    ] = 1000,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            "-s",
            min=0,
            max=MAX_SEED,
            help="Seed shared by every variant; omitted, one is chosen and recorded.",
        ),
    ] = None,
    free: Annotated[bool, typer.Option("--free", help="Ignore the record: simulate every period.")] = False,
    address: Annotated[
        str | None,
        typer.Option(
            "--address", help="Join the Ray cluster at this address instead of starting a local one."
        ),
    ] = None,
    cpus: Annotated[
        int | None,
        typer.Option("--cpus", min=1, help="CPUs of the local Ray cluster (default: all of this machine's)."),
    ] = None,
    retries: Annotated[
        int,
        typer.Option(
            "--retries", min=0, help="Times a failed variant is retried before it counts as failed."
        ),
    ] = 2,
    metric: Metric = "p_offensive",
    over: Over = None,
) -> None:
    """Run a grid or a sample of variants of a scenario on Ray, with one shared seed, and record them."""

    from pivotal.scenario import resolve_scenario
    from pivotal.service.run import fresh_seed
    from pivotal.store import RunStore
    from pivotal.sweep import build_variants, load_spec, merge, run_sweep, spec_from_settings
    from pivotal.sweep.executor import ray_cluster

    if address is not None and cpus is not None:
        raise typer.BadParameter(
            "--cpus sizes a local cluster; a cluster at --address has its own", param_hint="--cpus"
        )
    _check_metric(metric)
    spec = spec_from_settings(settings or [], sample=sample, method=method and method.value, periods=periods)
    if spec_file is not None:
        spec = merge(load_spec(spec_file), spec)
    base = resolve_scenario(scenario or spec.scenario)
    span = _span(over, "--over")
    seed = fresh_seed() if seed is None else seed
    variants = build_variants(spec, base, seed)
    RunStore().check_writable()  # a sweep records every variant: fail before starting any
    stored_spec = {
        **spec.to_dict(),
        "scenario": base.id,
        "use_record": not free,
        "retries": retries,
        "cpus": cpus,
    }
    err.print(
        f"{len(variants)} variants of {base.id}, {draws:,} draws each, seed {seed}; "
        f"{'joining ' + address if address else 'starting a local Ray cluster'}…",
        highlight=False,
    )
    store = RunStore()
    # Ray prints notices on stdout from a thread, up to its shutdown; stdout is for the table.
    with contextlib.redirect_stdout(sys.stderr), ray_cluster(address, cpus) as where:
        err.print(f"running on {where}", highlight=False)
        with progress_bar(f"{base.id}: {len(variants)} variants", len(variants)) as update:
            result = run_sweep(
                base,
                variants,
                spec=stored_spec,
                draws=draws,
                seed=seed,
                use_record=not free,
                store=store,
                address=address,
                retries=retries,
                progress=update,
            )
    stored = store.get_sweep(result.sweep_id, span)
    out.print(_table(stored, metric, over))
    for failure in result.failed:
        err.print(
            error_line(
                f"variant {failure.variant.index} ({', '.join(failure.variant.settings)}) "
                f"after {failure.attempts} attempts: {failure.error}",
                label="failed:",
            ),
            highlight=False,
            soft_wrap=True,
        )
    done = len(result.outcomes) - len(result.failed)
    err.print(
        styled(
            "recorded sweep ",
            (result.sweep_id, "bold"),
            f" ({done} runs, {len(result.failed)} failed) in {store.path}",
        ),
        highlight=False,
    )
    if result.failed:
        raise typer.Exit(1)


@app.command()
@user_errors
def sweeps() -> None:
    """List recorded sweeps, newest first."""

    from pivotal.cli.render_sweeps import sweeps_table
    from pivotal.store import RunStore

    store = RunStore()
    records = store.list_sweeps()
    if not records:
        out.print(f"no sweeps recorded yet in {store.path}", highlight=False)
        return
    out.print(sweeps_table(records))


@app.command("sweep-show")
@user_errors
def sweep_show(
    sweep_id: Annotated[str, typer.Argument(help="A sweep id, or the start of one.")],
    metric: Metric = "p_offensive",
    over: Over = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON, with every metric.")] = False,
) -> None:
    """Print one sweep: each variant's values, result and run id."""

    from pivotal.cli.render_sweeps import sweep_json
    from pivotal.simulation import METRICS
    from pivotal.store import RunStore

    _check_metric(metric)
    stored = RunStore().get_sweep(sweep_id, _span(over, "--over"))
    if as_json:
        sys.stdout.write(sweep_json(stored, METRICS) + "\n")
        return
    out.print(_table(stored, metric, over))


def _table(stored, metric: str, over: str | None):
    from pivotal.cli.render_sweeps import sweep_table

    return sweep_table(stored, metric, over or "all periods")


def _check_metric(metric: str) -> None:
    from pivotal.simulation import METRICS

    if metric not in METRICS:
        raise typer.BadParameter(
            f"expected one of {', '.join(METRICS)}, found {metric!r}", param_hint="--metric"
        )


def _span(text: str | None, option: str) -> tuple[int, int] | None:
    from pivotal.scenario.schema import parse_periods
    from pivotal.scenario.timeline import is_year

    if text is None:
        return None
    try:
        span = parse_periods(text)
    except ValueError:
        raise typer.BadParameter(
            f"expected a year like 2020 or a range like 2020-2023, found {text!r}", param_hint=option
        ) from None
    if not (is_year(span.start) and is_year(span.end)):
        raise typer.BadParameter(
            f"expected whole years (a sweep averages years, each with its episodes), found {text!r}",
            param_hint=option,
        )
    if span.start > span.end:
        raise typer.BadParameter(
            f"expected a range from an earlier to a later year, found {text!r}", param_hint=option
        )
    return int(span.start), int(span.end)
