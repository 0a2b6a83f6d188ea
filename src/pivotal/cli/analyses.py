"""Commands that question a scenario: score, whatif, sensitivity."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pivotal.cli.common import (
    Draws,
    ScenarioArg,
    Seed,
    app,
    engine_notice,
    err,
    error_line,
    out,
    progress_bar,
    styled,
    user_errors,
    waiting,
)
from pivotal.cli.fit import FitOption

if TYPE_CHECKING:
    from pivotal.service.analysis import Analysis

AsJson = Annotated[bool, typer.Option("--json", help="Print results as JSON on stdout.")]
NoStore = Annotated[bool, typer.Option("--no-store", help="Do not record the result in the run store.")]


def _check_store(no_store: bool) -> None:
    """Fail before computing when the result could not be recorded."""
    if not no_store:
        from pivotal.store import RunStore

        RunStore().check_writable()


@contextlib.contextmanager
def _kept(analysis: Analysis, *, no_store: bool) -> Iterator[None]:
    """Print the results (the body), then keep them in the run store, so a run's report can show
    them: a store that fails then (a full disk) leaves them on the screen and says so."""
    yield
    if not no_store:
        keep_analysis(analysis)


def keep_analysis(analysis: Analysis) -> None:
    """Record a finished analysis (printed already) in the run store and say so."""
    from pivotal.service.analysis import save_analysis
    from pivotal.store import RunStore, StoreError

    store = RunStore()
    try:
        saved = save_analysis(analysis, store, on_busy=waiting)
    except StoreError as failed:
        raise StoreError(
            f"{failed}. The results are printed above, and the same command (seed {analysis.seed}) "
            "computes them again"
        ) from failed
    err.print(
        styled(f"recorded {analysis.kind} analysis ", (str(saved.analysis_id), "bold"), f" in {store.path}"),
        highlight=False,
    )


@app.command()
@user_errors
def score(
    scenario: ScenarioArg = None,
    draws: Draws = 1000,
    seed: Seed = 0,
    start: Annotated[
        int | None, typer.Option(help="First scored period (default: five periods after the first).")
    ] = None,
    as_json: AsJson = False,
    no_store: NoStore = False,
    fit: FitOption = None,
    cases: Annotated[
        str | None,
        typer.Option(
            "--cases",
            metavar="library|NAME,NAME,...",
            help="Score across cases instead: fit --free terms leaving each case out, and by rolling "
            "origin, beside base rate, persistence and a multinomial logit (docs/estimation.md); "
            "`library` is every built-in case.",
        ),
    ] = None,
    free: Annotated[
        list[str] | None,
        typer.Option(
            "--free",
            "-f",
            metavar="NAME[~COVARIATE]",
            help="With --cases: the terms fitted (default: the three roles' precisions).",
        ),
    ] = None,
    min_history: Annotated[
        int,
        typer.Option(
            min=1, help="With --cases: periods of a case before its rolling-origin forecasts begin."
        ),
    ] = 5,
) -> None:
    """Score the model's forecasts against the record, beside baselines, out of sample."""

    from pivotal import service
    from pivotal.cli.fit import load_fitted
    from pivotal.cli.render_analyses import score_output
    from pivotal.evaluation.calibration import PRECISION_SCALES
    from pivotal.scenario import resolve_scenario
    from pivotal.scenario.timeline import period_label

    if cases is not None:
        given = (
            [
                name
                for name, value in (("SCENARIO", scenario), ("--fit", fit), ("--start", start))
                if value is not None
            ]
            + (["--draws"] if draws != 1000 else [])
            + (["--no-store"] if no_store else [])
        )
        if given:
            raise typer.BadParameter(
                f"{', '.join(given)} do not go with --cases (it fits the game itself and records nothing)",
                param_hint="--cases",
            )
        _score_cases(
            cases,
            free or ["precision_challenger", "precision_pivot", "precision_target"],
            min_history,
            seed,
            as_json,
        )
        return
    if free:
        raise typer.BadParameter("--free goes with --cases", param_hint="--free")
    loaded = resolve_scenario(scenario)
    engine_notice()
    first, last = loaded.periods.start, loaded.periods.end
    if start is not None and not first <= start <= last:
        raise typer.BadParameter(f"must lie in {first}-{last}, got {start}", param_hint="--start")
    if not loaded.record:
        raise typer.BadParameter("the scenario has no record to score against", param_hint="SCENARIO")
    from pivotal.evaluation.score import default_start, scored_periods

    if not scored_periods(loaded, default_start(loaded) if start is None else start):
        first_recorded = min((p for p in loaded.timeline if loaded.record_for(p) is not None), default=None)
        asked = default_start(loaded) if start is None else start
        raise typer.BadParameter(
            f"no period from {period_label(asked)} on has a record to score; the record starts in "
            f"{'no period' if first_recorded is None else period_label(first_recorded)} (give an earlier "
            "--start)",
            param_hint="--start",
        )
    _check_store(no_store)
    fitted = load_fitted(fit, loaded)
    with progress_bar(f"{loaded.id}: fitting precision", len(PRECISION_SCALES)) as update:
        scored = service.score(
            loaded, draws=draws, seed=seed, start=start, fitted=fitted, progress=update, save=False
        )
    report = scored.report
    with _kept(scored, no_store=no_store):
        if as_json:
            sys.stdout.write(json.dumps(scored.content, indent=2, default=str) + "\n")
            return
        title = (
            f"{loaded.title}: forecasts of {period_label(report.start)}–{last} scored against the "
            f"record ({draws:,} draws, seed {seed})"
        )
        for item in score_output(report, title):
            out.print(item, highlight=False)


def _score_cases(names: str, free: list[str], min_history: int, seed: int, as_json: bool) -> None:
    """``pivotal score --cases``: the fitted game out of sample across cases (not recorded)."""

    from rich.table import Table

    from pivotal.scenario import builtin_names, resolve_scenario

    try:
        from pivotal.estimation.crossval import cross_validate
        from pivotal.estimation.terms import SpecificationError
    except ImportError as error:
        err.print(error_line(f'{error}; scoring across cases needs: pip install "pivotal[estimation]"'))
        raise typer.Exit(1) from None
    chosen = (
        builtin_names() if names.strip() == "library" else [n.strip() for n in names.split(",") if n.strip()]
    )
    scenarios = [resolve_scenario(name) for name in chosen]
    if len(scenarios) < 2:
        raise typer.BadParameter("name at least two cases, or `library`", param_hint="--cases")
    try:
        with err.status(
            f"fitting {', '.join(free)} leaving each of {len(scenarios)} cases out, and by "
            "rolling origin (the first fit compiles the likelihood)"
        ):
            result = cross_validate(scenarios, free, min_history=min_history, seed=seed)
    except SpecificationError as error:
        raise typer.BadParameter(str(error), param_hint="--free") from None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--cases") from None
    if as_json:
        from pivotal.store.analyses import strict_json

        content = {
            "cases": chosen,
            "terms": list(result.terms),
            "min_history": min_history,
            "seed": seed,
            "scores": result.scores.to_dict(orient="records"),
            "comparisons": result.comparisons.to_dict(orient="records"),
            "vuong": result.vuong.to_dict(orient="records"),
            "verdicts": result.verdicts,
            "failed_fits": result.failed_fits,
        }
        sys.stdout.write(json.dumps(json.loads(strict_json(content)), indent=2) + "\n")
        return
    table = Table(title=f"Out of sample across {len(scenarios)} cases, fitting {', '.join(result.terms)}")
    for column in ("scheme", "outcome", "method", "periods", "Brier", "log loss"):
        table.add_column(column, justify="right" if column in ("periods", "Brier", "log loss") else "left")
    for row in result.scores.itertuples():
        table.add_row(
            row.scheme, row.outcome, row.method, str(row.n), f"{row.brier:.3f}", f"{row.log_loss:.3f}"
        )
    out.print(table)
    for line in result.verdicts:
        out.print(line, highlight=False)
    out.print(
        "Brier differences: strategic minus rival, 90 % intervals from resampling cases; Brier of the "
        "challenge summed over its three classes. Not recorded in the store.",
        highlight=False,
    )


Metric = Annotated[str, typer.Option("--metric", "-m", help="Output to analyse: one of the run's metrics.")]


def _periods_option(text: str | None, scenario, option: str):
    from pivotal.scenario.schema import PeriodRange

    if text is None:
        return PeriodRange(scenario.periods.start, scenario.periods.end)
    try:
        return scenario.span(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


def _check_metrics(metrics: list[str]) -> tuple[str, ...]:
    from pivotal.simulation import METRICS

    for metric in metrics:
        if metric not in METRICS:
            raise typer.BadParameter(
                f"expected one of {', '.join(METRICS)}, found {metric!r}", param_hint="--metric"
            )
    return tuple(metrics)


@app.command()
@user_errors
def whatif(
    overlay: Annotated[
        str | None, typer.Argument(help="A shipped counterfactual (see --list) or an overlay YAML file.")
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="Base scenario (default: the one the overlay names, else south-caucasus)."),
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUE[@PERIODS]",
            help="A change, e.g. patron_shield=0.1@2020-2025 or "
            "record.pivot_response=restrain@jermuk2022; repeatable.",
        ),
    ] = None,
    periods: Annotated[str | None, typer.Option(help="Periods for --set values without @PERIODS.")] = None,
    assume: Annotated[
        list[str] | None,
        typer.Option(
            "--assume",
            metavar="PATH=VALUE[@PERIODS]",
            help="Applied to the baseline and the counterfactual alike (without @PERIODS: every "
            "period), to ask whether an answer survives another assumption; "
            "repeatable.",
        ),
    ] = None,
    metrics: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            "-m",
            metavar="METRIC",
            help="Metrics to show (default p_offensive, p_challenge, belief).",
        ),
    ] = None,
    over: Annotated[
        str | None,
        typer.Option(
            metavar="PERIODS", help="Also give each metric averaged over these periods, e.g. 2020-2023."
        ),
    ] = None,
    draws: Draws = 2000,
    seed: Seed = 0,
    list_examples: Annotated[bool, typer.Option("--list", help="List the shipped counterfactuals.")] = False,
    as_json: AsJson = False,
    no_store: NoStore = False,
    fit: FitOption = None,
) -> None:
    """What would have happened otherwise: a counterfactual paired with the baseline, draw by draw."""

    from pivotal import service
    from pivotal.cli.fit import fit_values
    from pivotal.cli.render import observed_text
    from pivotal.cli.render_analyses import average_line, whatif_table
    from pivotal.scenario import resolve_scenario
    from pivotal.scenario.overlay import (
        apply_overlay,
        builtin_overlay_names,
        check_overlay,
        overlay_from_settings,
        resolve_overlay,
    )
    from pivotal.scenario.timeline import as_period, period_label

    if list_examples:
        for name in builtin_overlay_names():
            shipped, _, _ = resolve_overlay(name)
            out.print(f"{name}\t{shipped.title} (scenario {shipped.scenario})", highlight=False)
        return
    if overlay is None and not settings:
        raise typer.BadParameter("give an overlay, or changes with --set, or --list", param_hint="OVERLAY")
    from pivotal.service.counterfactuals import WHATIF_METRICS

    chosen = _check_metrics(metrics or list(WHATIF_METRICS))
    engine_notice()
    overlays, base = [], None
    if overlay is not None:
        loaded, positions, source = resolve_overlay(overlay)
        base = resolve_scenario(scenario or loaded.scenario)
        check_overlay(loaded, base, source, positions)
        overlays.append(loaded)
    base = base or resolve_scenario(scenario)
    values_for = fit_values(fit, base)  # checked on the scenario as written, before any --assume
    if periods is not None:
        _periods_option(periods, base, "--periods")
    assumed = overlay_from_settings(assume, base, option="--assume") if assume else None
    if assumed is not None:  # both runs start from the scenario as assumed
        base = apply_overlay(base, assumed)
    if settings:
        overlays.append(overlay_from_settings(settings, base, periods))
    if over is not None:
        _periods_option(over, base, "--over")
    _check_store(no_store)
    fitted = None if values_for is None else values_for(base)
    if fitted is not None:
        from pivotal.analysis.counterfactual import fitted_clash

        clash = fitted_clash(overlays, fitted)
        if clash:
            raise typer.BadParameter(clash, param_hint="--fit")
    compared = service.whatif(
        base,
        overlays,
        metrics=chosen,
        draws=draws,
        seed=seed,
        over=over,
        assume=assume or [],
        shared_record=assumed.record_periods(base) if assumed is not None else (),
        fitted=values_for,
        overlay=overlay,
        changes=settings or [],
        periods=periods,
        save=False,
    )
    result, span = compared.result, compared.over
    with _kept(compared, no_store=no_store):
        if as_json:
            sys.stdout.write(json.dumps(compared.content, indent=2, default=str) + "\n")
            return
        from pivotal.simulation import summarise

        summary = summarise(result.baseline)
        observed = {as_period(row["period"]): observed_text(row) for _, row in summary.iterrows()}
        frame = result.differences(chosen)
        shown = frame[frame["period"] >= result.shown_from]
        assuming = f" (assuming {', '.join(assume)})" if assume else ""
        title = (
            f"{base.title}{assuming}: {' + '.join(o.title for o in overlays)} — {draws:,} draws, "
            f"seed {seed}{'' if fitted is None else f', fit {fitted.fit_id}'}; diverges in "
            f"{period_label(result.diverges)}"
        )
        out.print(whatif_table(shown, chosen, title, observed))
        used = _span_text(result.record_periods, result.baseline.periods)
        out.print(f"record used in both runs for {used}; later periods simulated", highlight=False)
        if span is not None:
            for row in result.averages(chosen, span).itertuples():
                out.print(average_line(row), highlight=False)
        for line in compared.content["unchanged"]:
            out.print(line, highlight=False)


def _span_text(periods: list, timeline: list) -> str:
    """Periods as compact ranges, e.g. ``1994-2019, 2022-08-01``."""
    from pivotal.scenario.timeline import periods_text

    return periods_text(periods, timeline=timeline) or "no period"


@app.command()
@user_errors
def sensitivity(
    scenario: ScenarioArg = None,
    metric: Metric = "p_offensive",
    periods: Annotated[
        str | None, typer.Option(help="Period or range the output is averaged over (default: all).")
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            "-N",
            min=4,
            max=65536,
            help="Base sample N, a power of two; runs N(D+2) draws (default: from 1024, doubled until "
            "the indices converge, up to 16384).",
        ),
    ] = None,
    seed: Seed = 0,
    free: Annotated[bool, typer.Option("--free", help="Ignore the record: simulate every period.")] = False,
    top: Annotated[int, typer.Option(min=1, help="Show this many parameters.")] = 12,
    as_json: AsJson = False,
    no_store: NoStore = False,
) -> None:
    """Which assumptions drive an output: Sobol indices over the uncertain parameters."""

    from pivotal import service
    from pivotal.cli.render_analyses import sobol_table
    from pivotal.scenario import resolve_scenario

    loaded = resolve_scenario(scenario)
    span = _periods_option(periods, loaded, "--periods")
    _check_metrics([metric])
    engine_notice()
    if samples is not None and samples & (samples - 1):
        raise typer.BadParameter(f"expected a power of two, found {samples}", param_hint="--samples")
    _check_store(no_store)

    def trying(size: int) -> None:
        if samples is None:  # the default doubles N until the indices converge: say which N runs
            err.print(f"Sobol indices with N = {size:,}", highlight=False)

    with progress_bar(f"{loaded.id}: Sobol indices", 1) as update:
        found = service.sensitivity(
            loaded,
            metric=metric,
            periods=span,
            samples=samples,
            seed=seed,
            use_record=not free,
            trying=trying,
            save=False,
        )
        update(1, 1)
    result = found.result
    with _kept(found, no_store=no_store):
        if as_json:
            sys.stdout.write(json.dumps(found.content, indent=2, default=str) + "\n")
            return
        title = (
            f"{loaded.title}: what drives mean {metric} over {span} "
            f"(N = {result.samples}, {result.evaluations:,} draws; mean {result.mean:.3f}, "
            f"variance {result.variance:.4f})"
        )
        out.print(sobol_table(result.indices, title, top))
        out.print(result.verdict(), highlight=False)


@app.command("analyses")
@user_errors
def list_analyses(
    delete: Annotated[
        str | None,
        typer.Option(
            "--delete",
            metavar="ANALYSIS_ID",
            help="Remove the analysis with this id (any unique start of it); reports then show "
            "the one before it.",
        ),
    ] = None,
) -> None:
    """List recorded score, what-if and sensitivity analyses, newest first; or remove one."""
    from pivotal.store import RunStore

    store = RunStore()
    if delete is not None:
        removed = store.delete_analysis(delete)
        out.print(
            f"removed {removed.kind} analysis {removed.analysis_id} of {removed.scenario_id} "
            f"from {store.path}",
            highlight=False,
        )
        return
    records = store.list_analyses()
    if not records:
        out.print(f"no analyses recorded yet in {store.path}", highlight=False)
        return
    table = Table(title="Recorded analyses")
    for column in ("Analysis", "Created (UTC)", "Kind", "Scenario", "Draws", "Seed", "Hash"):
        table.add_column(column, no_wrap=column in ("Analysis", "Created (UTC)"))
    for r in records:
        table.add_row(
            r.analysis_id,
            r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            r.kind,
            r.scenario_id,
            str(r.draws),
            str(r.seed),
            r.scenario_hash[:12],
        )
    out.print(table)
