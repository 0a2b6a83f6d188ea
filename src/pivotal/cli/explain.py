"""``pivotal explain``: one period's stage game for one parameter draw, laid open.

The Monte Carlo solves thousands of small games; this command rebuilds one of
them so a reader can see its inputs and its equilibrium, export it to Gambit,
and have Gambit solve it independently (``--check``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.table import Table

from pivotal.cli.common import MAX_SEED, Draws, ScenarioArg, app, err, error_line, out, styled, user_errors

if TYPE_CHECKING:
    from pivotal.model import StageParameters, StageSolution
    from pivotal.model.period_game import GameOptions, PeriodSolution

#: Largest difference from Gambit that ``--check`` accepts.
CHECK_TOLERANCE = 1e-6


def _fail(option: str, message: str) -> NoReturn:
    """A one-line error that names the option at fault, then exit 1."""
    err.print(error_line(f"{option}: {message}"), highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _refuse(option: str, expected: str, found: object) -> NoReturn:
    """An option's value the command cannot use: what it expected and what it found."""
    _fail(option, f"expected {expected}, found {found}")


def _p(probability: float) -> str:
    """A probability to four places, or in scientific notation when it is smaller than that."""
    return f"{probability:.4f}" if probability >= 1e-4 or probability == 0 else f"{probability:.1e}"


def _parameters_table(params: StageParameters) -> Table:
    import numpy as np

    from pivotal.model import PARAMETERS_BY_NAME
    from pivotal.model.stage_game import STAGE_NAMES

    table = Table(title="Parameters of this draw")
    for column, justify in (("name", "left"), ("symbol", "left"), ("value", "right"), ("meaning", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name in STAGE_NAMES:
        spec = PARAMETERS_BY_NAME[name]
        value = float(np.asarray(getattr(params, name)).reshape(()))
        table.add_row(name, spec.symbol, f"{value:.6g}", spec.meaning)
    return table


def _equilibrium_tables(solution: StageSolution) -> list[Table]:
    """pivotal's logit QRE of the game: who does what, and what the target believes."""

    from pivotal.model import RESPONSES

    challenger = Table(title="Challenger (does not see the pivot's type)")
    for label in ("status quo", "probe", "offensive"):
        challenger.add_column(label, justify="right")
    challenger.add_row(*(_p(p) for p in solution.challenger[0]))

    pivot = Table(title="Pivot's response, by type and challenge")
    pivot.add_column("type")
    pivot.add_column("after")
    for response in RESPONSES:
        pivot.add_column(response, justify="right")
    types = (("resolved", solution.pivot_resolved[0]), ("irresolute", solution.pivot_irresolute[0]))
    for kind, probs in types:
        for a, challenge in enumerate(("probe", "offensive")):
            pivot.add_row(kind, challenge, *(_p(p) for p in probs[a]))

    target = Table(title="Target: belief in resolve and hedging, after what it saw")
    for column, justify in (("after", "left"), ("belief", "right"), ("hedges", "right")):
        target.add_column(column, justify=justify)  # type: ignore[arg-type]
    target.add_row("status quo", _p(solution.belief[0]), _p(solution.hedge_after_status_quo[0]))
    for a, challenge in enumerate(("probe", "offensive")):
        for r, response in enumerate(RESPONSES):
            target.add_row(
                f"{challenge}, {response}",
                _p(solution.posterior[0, a, r]),
                _p(solution.hedge_after_response[0, a, r]),
            )
    return [challenger, pivot, target]


def _early_tables(period: PeriodSolution) -> list[Table]:
    """The moves before the crisis: the posture, the target's first move and the pivot's answer."""

    import numpy as np

    from pivotal.model.period_game import (
        ANSWERS,
        FIRST_MOVES,
        POSTURES,
    )

    options = period.options
    tables = []
    if options.pivot_posture:
        posture = Table(title="Pivot's posture (before it knows its type)")
        for label in POSTURES:
            posture.add_column(label.replace("_", " "), justify="right")
        posture.add_row(*(_p(p) for p in np.asarray(period.posture)[:, 0]))
        tables.append(posture)
    if options.target_moves_first:
        first = Table(title="Target's first move, and the pivot's answer to a provocation, by posture")
        first.add_column("posture")
        for label in (*FIRST_MOVES, *ANSWERS):
            first.add_column(label.replace("_", " "), justify="right")
        postures = range(3) if options.pivot_posture else (0,)
        for z in postures:
            first.add_row(
                POSTURES[z].replace("_", " "),
                *(_p(p) for p in np.asarray(period.first_move)[z, :, 0]),
                *(_p(p) for p in np.asarray(period.answer)[z, :, 0]),
            )
        tables.append(first)
    return tables


def _check_period(
    params: StageParameters, belief: float, options: GameOptions, period: PeriodSolution
) -> bool:
    """The whole period against Gambit: the largest difference over every compared quantity."""
    from pivotal.verify.gambit import TracerStoppedShort
    from pivotal.verify.period_efg import (
        largest_period_difference,
        pivotal_period_quantities,
        solve_period_with_gambit,
    )

    try:
        gambit = solve_period_with_gambit(params, belief, options)
    except TracerStoppedShort as error:
        _fail("--check", str(error))
    gap = largest_period_difference(gambit, pivotal_period_quantities(period), options)
    agree = gap <= CHECK_TOLERANCE
    out.print(
        f"The whole period in Gambit: largest |Gambit - pivotal| over every choice and belief "
        f"compared = {gap:.2e}; they {'agree' if agree else 'DISAGREE'} within {CHECK_TOLERANCE:g}.",
        highlight=False,
    )
    return agree


def _check(params: StageParameters, belief: float, solution: StageSolution) -> bool:
    """Solve with Gambit, print the largest differences; True if all are within tolerance."""

    import numpy as np

    from pivotal.verify.gambit import TracerStoppedShort, largest_differences, solve_with_gambit

    try:
        gambit = solve_with_gambit(params, belief)
    except TracerStoppedShort as error:
        _fail("--check", str(error))
    differences = largest_differences(gambit, solution)
    table = Table(title=f"Gambit's logit QRE at lambda = {gambit.lam:.10g}: largest |Gambit - pivotal|")
    table.add_column("quantity")
    table.add_column("largest difference", justify="right")
    for name, value in differences.items():
        table.add_row(name, "undefined in Gambit" if np.isnan(value) else f"{value:.2e}")
    out.print(table)
    agree = all(np.isnan(v) or v <= CHECK_TOLERANCE for v in differences.values())
    verdict = "agree" if agree else "DISAGREE"
    out.print(f"Gambit and pivotal {verdict} within {CHECK_TOLERANCE:g}.", highlight=False)
    return agree


def _one_period(loaded, text: str):
    """The one period ``--period`` names; a split year names several, so its episodes are listed."""
    first, last = loaded.periods.start, loaded.periods.end
    try:
        periods = loaded.periods_in(loaded.span(text))
    except ValueError:
        periods = []
    if len(periods) != 1:
        episodes = ", ".join(loaded.period_name(p) for p in periods)
        _refuse(
            "--period",
            f"one period of {loaded.id} ({first}-{last})"
            + (f"; {text} is played episode by episode: {episodes}" if len(periods) > 1 else ""),
            text,
        )
    return periods[0]


@app.command()
@user_errors
def explain(
    period_text: Annotated[
        str,
        typer.Option(
            "--period",
            "-p",
            metavar="PERIOD",
            help="The period whose stage game to rebuild: a year, or an episode played as a period "
            "(id or date).",
        ),
    ],
    scenario: ScenarioArg = None,
    draw: Annotated[int, typer.Option("--draw", "-d", help="Which parameter draw, from 0.")] = 0,
    draws: Draws = 100,
    seed: Annotated[
        int, typer.Option("--seed", "-s", min=0, max=MAX_SEED, help="Random seed of the run.")
    ] = 0,
    efg_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the game as a Gambit .efg file.", dir_okay=False)
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Also solve it with Gambit and print the largest differences "
            '(needs pip install "pivotal[verify]").',
        ),
    ] = False,
) -> None:
    """Rebuild one period's stage game for one draw: its inputs, its equilibrium, and a Gambit file."""

    import numpy as np

    from pivotal.model import solve_stage
    from pivotal.model.period_game import (
        GameOptions,
        solve_period,
    )
    from pivotal.scenario import resolve_scenario
    from pivotal.simulation import simulate
    from pivotal.simulation.engine import stage_for_draw
    from pivotal.verify.efg import stage_efg, write_efg

    loaded = resolve_scenario(scenario)
    period = _one_period(loaded, period_text)
    name = loaded.period_name(period)
    if not 0 <= draw < draws:
        _refuse("--draw", f"a draw from 0 to {draws - 1} (--draws {draws})", draw)
    if efg_path is not None and not efg_path.parent.is_dir():
        _refuse("--out", "a file in an existing folder", efg_path)
    if check:
        from pivotal.verify.gambit import GambitUnavailable, require_pygambit

        try:
            require_pygambit()
        except GambitUnavailable as error:
            _fail("--check", str(error))

    result = simulate(loaded, draws=draws, seed=seed)
    params, belief = stage_for_draw(result, period, draw)
    solution = solve_stage(params, np.array([belief]))
    options = GameOptions(
        target_moves_first=loaded.game.target_moves_first, pivot_posture=loaded.game.pivot_posture
    )
    whole = None if options.crisis_only else solve_period(params, np.array([belief]), options)
    source = result.belief_source[result.periods.index(period)]

    out.print(
        styled((loaded.title, "bold"), f": the stage game of {name}, draw {draw} of {draws:,} (seed {seed})"),
        highlight=False,
    )
    out.print(_parameters_table(params))
    out.print(
        f"Belief that the pivot is resolved, at the start of {name}: {belief:.6g} "
        f"(this period's evidence comes from the {source})",
        highlight=False,
    )
    if whole is not None:
        for table in _early_tables(whole):
            out.print(table)
        out.print(
            "The crisis below is the one that follows an ambiguous posture and a target that holds.",
            highlight=False,
        )
    for table in _equilibrium_tables(solution):
        out.print(table)

    if efg_path is not None:
        note = f"scenario {loaded.id}, period {name}, draw {draw} of {draws}, seed {seed}"
        title = f"{loaded.title}: stage game of {name}, draw {draw}"
        try:
            if whole is None:
                text = stage_efg(params, belief, title=title, note=note)
            else:
                from pivotal.verify.period_efg import period_efg

                title = f"{loaded.title}: the whole period of {name}, draw {draw}"
                text = period_efg(params, belief, options, title=title, note=note)
            write_efg(efg_path, text)
        except OSError as error:
            _fail("--out", f"cannot write {efg_path}: {error.strerror or error}")
        err.print(f"wrote {efg_path} (open it in Gambit, or pygambit.read_efg)", highlight=False)
    if check and not _check(params, belief, solution):
        raise typer.Exit(1)
    if check and whole is not None and not _check_period(params, belief, options, whole):
        raise typer.Exit(1)
