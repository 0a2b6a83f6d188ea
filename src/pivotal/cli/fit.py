"""``pivotal fit``, ``fits`` and ``fit-show``: estimate the game's coefficients from cases' records."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from pivotal.cli.common import app, err, error_line, out, styled, user_errors

if TYPE_CHECKING:
    from pivotal.scenario import Scenario

Cases = Annotated[
    list[str],
    typer.Argument(
        metavar="SCENARIO-OR-SYSTEM...",
        help="Built-in scenarios or systems, or their YAML files: the cases whose records are fitted "
        "(a system gives each of its dyads, fitted as separate cases: contagion is not in the likelihood).",
    ),
]
Free = Annotated[
    list[str],
    typer.Option(
        "--free",
        "-f",
        metavar="NAME[~COVARIATE]",
        help="A coefficient to estimate: NAME shifts that parameter on its link scale (log, or logit for "
        "a share) from each scenario's own values; NAME~COVARIATE its slope on another parameter's "
        "series. Repeat for more; `precision` moves every role's precision.",
    ),
]


@app.command()
@user_errors
def fit(
    cases: Cases,
    free: Free,
    method: Annotated[
        str,
        typer.Option(
            help="mle: maximum likelihood (fast); nuts: the posterior, with the sourced ranges as priors.",
        ),
    ] = "mle",
    chains: Annotated[int, typer.Option(min=1, max=64, help="NUTS chains (nuts only).")] = 4,
    warmup: Annotated[int, typer.Option(min=10, max=100_000, help="NUTS warm-up draws per chain.")] = 500,
    samples: Annotated[int, typer.Option(min=10, max=100_000, help="NUTS draws kept per chain.")] = 500,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, max=2**31 - 1, help="Random seed.")] = 0,
    cluster: Annotated[
        bool,
        typer.Option(
            "--cluster",
            help="Standard errors clustered by case (robust to a wrong model; needs many cases): mle only.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit as JSON.")] = False,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the fit.")] = False,
) -> None:
    """Estimate chosen coefficients of the game from the records of one or many cases.

    Beliefs about the pivot are carried through each case's recorded challenges and responses as
    the engine carries them (the likelihood is a forward filter over its type); see
    docs/estimation.md for the likelihood, the priors and how to read a fit."""

    from pivotal import service
    from pivotal.cli.common import waiting
    from pivotal.store import RunStore, StoreError

    if method not in ("mle", "nuts"):
        raise typer.BadParameter(f"expected mle or nuts, found {method!r}", param_hint="--method")
    try:
        from pivotal.estimation.fit import Method
        from pivotal.estimation.terms import SpecificationError

        if method == "nuts":
            import arviz  # noqa: F401
            import numpyro  # noqa: F401
    except ImportError as error:
        err.print(
            error_line(f'{error}; fitting needs the estimation extra: pip install "pivotal[estimation]"')
        )
        raise typer.Exit(1) from None

    scenarios = _cases(cases)
    store = None if no_store else RunStore()
    if store is not None:
        store.check_writable()
    _compile_cache()
    try:
        with err.status("fitting (the first fit in a session compiles the likelihood: about a minute)"):
            fitted = service.fit(
                scenarios,
                free,
                cast(Method, method),
                chains=chains,
                warmup=warmup,
                samples=samples,
                seed=seed,
                cluster=cluster,
                save=False,
            )
    except SpecificationError as error:
        raise typer.BadParameter(str(error), param_hint="--free") from None
    unrecorded: StoreError | None = None
    if store is not None:  # recorded before it is shown, so that what is printed carries its id
        try:
            fitted = service.save_fit(fitted, store, on_busy=waiting)
        except StoreError as failed:
            unrecorded = failed
    _show(fitted.content, fitted.fit_id, as_json)
    if unrecorded is not None:
        raise StoreError(f"{unrecorded}. The fit is printed above; it was not recorded")
    if fitted.fit_id is not None and store is not None:
        err.print(styled("recorded fit ", (fitted.fit_id, "bold"), f" in {store.path}"), highlight=False)


@app.command()
@user_errors
def fits() -> None:
    """List recorded fits, newest first."""

    from rich.table import Table

    from pivotal.store import RunStore

    store = RunStore()
    records = store.list_fits()
    if not records:
        out.print(f"no fits recorded yet in {store.path}", highlight=False)
        return
    table = Table(title="Fits")
    for column in ("fit", "created", "method", "terms", "cases", "log-lik", "converged"):
        table.add_column(column)
    for record in records:
        result = record.result
        table.add_row(
            record.fit_id,
            record.created_at.strftime("%Y-%m-%d %H:%M"),
            record.method,
            ", ".join(record.terms),
            ", ".join(record.scenarios),
            _number(result["log_likelihood"], 2),
            "yes" if result["converged"] else "no",
        )
    out.print(table)


@app.command("fit-show")
@user_errors
def fit_show(
    fit_id: Annotated[str, typer.Argument(help="A fit id, or the start of one.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit as JSON.")] = False,
) -> None:
    """Print one recorded fit: each coefficient, its interval and the checks of the fit."""

    from pivotal.store import RunStore

    record = RunStore().get_fit(fit_id)
    _show(record.result, record.fit_id, as_json)


def _show(result: dict, fit_id: str | None, as_json: bool) -> None:
    from rich.table import Table

    from pivotal.store.analyses import strict_json

    if as_json:
        data = {key: value for key, value in result.items() if key != "draws"}
        sys.stdout.write(json.dumps(json.loads(strict_json({"fit_id": fit_id, **data})), indent=2) + "\n")
        return
    method = "maximum likelihood" if result["method"] == "mle" else "posterior (NUTS)"
    title = f"Fit {fit_id or '(not recorded)'}: {method} on {', '.join(result['cases'])}"
    table = Table(
        title=title,
        caption=f"{result['periods']} coded periods; log-likelihood "
        f"{_number(result['log_likelihood'])}. A coefficient is a shift on the parameter's link "
        "scale (factor = its multiple of the parameter, or of a share's odds); 0 keeps each "
        "scenario's own values.",
    )
    interval = "90 % interval" if result["method"] == "nuts" else "90 % interval (Wald)"
    for column in ("term", "estimate", "std. error", interval, "factor", "prior sd"):
        table.add_column(column, justify="left" if column == "term" else "right")
    for i, term in enumerate(result["terms"]):
        table.add_row(
            term,
            _number(result["estimates"][i]),
            _number(result["std_errors"][i]),
            f"{_number(result['lower'][i])} to {_number(result['upper'][i])}",
            _number(_factor(result["estimates"][i])),
            _number(result["prior_scale"][i]),
        )
    out.print(table)
    diagnostics = result.get("diagnostics", {})
    if result["method"] == "nuts":
        out.print(
            f"{diagnostics['chains']} chains x {diagnostics['samples']} draws after "
            f"{diagnostics['warmup']} warm-up; divergences {diagnostics['divergences']}; R-hat "
            + ", ".join(f"{k} {_number(v)}" for k, v in diagnostics["rhat"].items())
            + "; bulk ESS "
            + ", ".join(f"{k} {_number(v, 0)}" for k, v in diagnostics["ess_bulk"].items()),
            highlight=False,
        )
    else:
        largest = diagnostics.get("max_gradient")
        out.print(
            f"{result['iterations']} Newton iterations, {result['gradient_evaluations']} gradient "
            f"evaluations; largest gradient at the end {'n/a' if largest is None else f'{largest:.1e}'}"
            + ("; standard errors clustered by case" if diagnostics.get("clustered") else ""),
            highlight=False,
        )
    for note in result.get("warnings", []):
        out.print(error_line(note, "warning:"), highlight=False)


def _number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or value != value else f"{value:.{digits}f}"


def _factor(value: float | None) -> float | None:
    import math

    return None if value is None or value != value else math.exp(min(value, 700.0))


def _cases(names: list[str]) -> list[Scenario]:
    """The scenarios the arguments name, each once, a system's dyads in its order."""
    from pivotal.scenario import resolve_scenario
    from pivotal.scenario.system import builtin_system_names, resolve_system

    found: dict[str, Scenario] = {}
    for name in names:
        if name in builtin_system_names() or _is_system_file(name):
            for scenario in resolve_system(name).scenarios:
                found.setdefault(scenario.id, scenario)
        else:
            scenario = resolve_scenario(name)
            found.setdefault(scenario.id, scenario)
    return list(found.values())


def _is_system_file(name: str) -> bool:
    import yaml

    path = Path(name)
    if not path.is_file():
        return False
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return False
    return isinstance(data, dict) and "dyads" in data


def _compile_cache() -> None:
    """Keep JAX's compiled likelihoods on disk, so that only a machine's first fit compiles them."""
    import jax

    from pivotal.store import pivotal_home

    jax.config.update("jax_compilation_cache_dir", str(pivotal_home() / "cache" / "jax"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)


FitOption = Annotated[
    str | None,
    typer.Option(
        "--fit",
        metavar="FIT_ID",
        help="Use a recorded fit (`pivotal fits`): its draws replace the hand ranges of the parameters it "
        'estimated; the others are still drawn from their ranges (pip install "pivotal[estimation]").',
    ),
]


def load_fitted(fit_id: str | None, scenario):  # type: ignore[no-untyped-def]
    """The fitted values of a recorded fit for a run of ``scenario``, or None without ``--fit``."""
    values_for = fit_values(fit_id, scenario)
    return None if values_for is None else values_for(scenario)


def fit_values(fit_id: str | None, scenario):  # type: ignore[no-untyped-def]
    """A recorded fit as a function from a scenario to its fitted values (a what-if's two runs each
    get their own: a covariate the what-if changes moves the fitted parameters with it), checked
    on ``scenario``, with a warning when the scenario has changed since the fit was made from it;
    None without ``--fit``."""

    from pivotal.store import RunStore

    if fit_id is None:
        return None
    try:
        from pivotal.estimation.fit import StructuralFit, fitted_values
    except ImportError as error:
        err.print(
            error_line(f'{error}; using a fit needs the estimation extra: pip install "pivotal[estimation]"')
        )
        raise typer.Exit(1) from None
    from pivotal.scenario import scenario_hash

    record = RunStore().get_fit(fit_id)
    fitted_on = record.scenarios.get(scenario.id)
    if fitted_on is not None and fitted_on != scenario_hash(scenario):
        err.print(
            error_line(
                f"{scenario.id} has changed since fit {record.fit_id} was made from it: the "
                "fit's values are applied to the scenario as it is now",
                "warning:",
            ),
            highlight=False,
            soft_wrap=True,
        )
    fit = StructuralFit.from_dict(record.result)

    def values_for(other):  # type: ignore[no-untyped-def]
        return fitted_values(fit, other, record.fit_id)

    try:
        values_for(scenario)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--fit") from None
    return values_for
