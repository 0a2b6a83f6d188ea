"""What every command shares: the Typer app, consoles, error handling and a progress bar.

Library errors (ScenarioError, StoreError) become one red line and a non-zero
exit; a traceback means a bug in pivotal, not a user mistake.
"""

from __future__ import annotations

import contextlib
import copy
import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console, ConsoleDimensions, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperArgument, TyperOption

if TYPE_CHECKING:  # the Click that Typer ships inside it, whose Context its help hooks are given
    from typer._click import Context as ClickContext

app = typer.Typer(
    help="Pivotal deterrence as a model you can run, question and test.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    # Help is printed as written: "pivotal[jax]" must not be read as a Rich tag.
    rich_markup_mode=None,
)

#: Width of lines written where output is not a terminal: long enough that no table is cut.
PIPED_WIDTH = 250


class _Console(Console):
    """A console that writes whole lines where output is not a terminal (a pipe, a file, ``!pivotal``
    in a notebook) and COLUMNS does not say otherwise: tables at their natural width, not cut to 80."""

    @property
    def size(self) -> ConsoleDimensions:
        measured = super().size
        columns = self._environ.get("COLUMNS", "")
        if not self.is_terminal and self._width is None and not columns.isdigit():
            return ConsoleDimensions(PIPED_WIDTH, measured.height)
        return measured

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


_typer_badge = getattr(TyperOption, "display_type_rich", None)


def _value_name(option: TyperOption, ctx: ClickContext) -> str | None:
    """What help prints after an option that takes a value: its metavar, its choices, or its
    longest flag in capitals (``--draws DRAWS``), as Click does, instead of the badges Typer prints
    (``<int range>``, ``<list[str]>``), which say how a value is parsed rather than what it is."""
    badge = _typer_badge(option, ctx) if _typer_badge is not None else None
    if option.metavar is not None or badge is None:
        return badge
    if "|" in badge:  # choices: html|png|svg
        return badge.strip("<>.")
    flag = max(option.opts, key=len).lstrip("-") if option.opts else (option.name or "value")
    return flag.replace("-", "_").upper()


# One place, so that every command's help agrees; an argument's name already says what it is.
# (Typer 0.29 added these badges; where the hook is missing, help is left as Typer prints it.)
if _typer_badge is not None:
    # mypy does not follow a method replaced on its class (it reads the new one as taking self twice)
    TyperOption.display_type_rich = _value_name  # type: ignore[method-assign, assignment]
    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


# Nothing printed is read as Rich markup: titles, paths, messages and search terms come from users
# and may hold square brackets.  Styles are given explicitly, with :func:`styled`.
out = _Console(markup=False)
err = _Console(stderr=True, markup=False)


def fitting(wide: RenderableType, narrow: RenderableType) -> RenderableType:
    """``wide`` where it fits the output's width, else ``narrow`` (a layout made for 80 columns).

    It fits when Rich lays it out without cutting a cell short (an ellipsis); text columns may
    wrap.  Rich's measurement cannot say this, as it counts cells that will not wrap at less than
    their width."""
    body = copy.copy(wide)  # the cells alone: a title may hold an ellipsis of its own
    if isinstance(body, Table):
        body.title = body.caption = None
    lines = out.render_lines(body, out.options, pad=False)
    cut = any("…" in segment.text for line in lines for segment in line)
    return narrow if cut else wide


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain strings and (string, style) pairs, none of them read as markup."""
    return Text.assemble(*parts)


def error_line(message: str, label: str = "error:") -> Text:
    """The red label and the message as one line of plain text."""
    return styled((label, "bold red"), f" {message}")


def waiting(message: str) -> None:
    """Say that a finished result waits for a store another process holds."""
    err.print(error_line(message, "waiting:"), highlight=False, soft_wrap=True)


F = TypeVar("F", bound=Callable)

MAX_DRAWS = 100_000_000
#: Largest seed the run store can record (a signed 64-bit integer); checked before any work.
MAX_SEED = 2**63 - 1


def user_errors(command: F) -> F:
    """Print a library error as one line on standard error and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except Exception as error:
            if not isinstance(error, _user_error_types()):
                raise
            err.print(error_line(str(error)), highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _user_error_types() -> tuple[type[Exception], ...]:
    """The library's errors that are the user's to mend, imported when one is raised (so that a
    command that needs neither the scenario format nor the store does not load them)."""
    from pivotal.scenario import ScenarioError
    from pivotal.simulation import BackendUnavailable
    from pivotal.store import StoreError

    return ScenarioError, StoreError, BackendUnavailable


@contextlib.contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on standard error; yields ``update(done, total)``."""
    with Progress(
        TextColumn("{task.description}", markup=False, style="progress.description"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def engine_notice(backend: str | None = None) -> None:
    """Say on standard error that the compiled engine is being compiled, when it is not yet in the
    cache of this machine (its first use: half a minute, paid once)."""
    from pivotal.simulation import DEFAULT_BACKEND

    if (backend or DEFAULT_BACKEND) != "numba":
        return
    try:
        from pivotal.simulation.fused import compiled_on_disk
    except ImportError:  # no Numba: the engine says so itself, with what to install
        return
    if not compiled_on_disk():
        err.print(
            "compiling the engine for this machine: once, about half a minute; later runs reuse it",
            highlight=False,
        )


ScenarioArg = Annotated[
    str | None,
    typer.Argument(help="A built-in scenario name or a YAML file (default: south-caucasus)."),
]

Draws = Annotated[
    int, typer.Option("--draws", "-n", min=1, max=MAX_DRAWS, help="Monte Carlo parameter draws.")
]
Seed = Annotated[
    int, typer.Option("--seed", "-s", min=0, max=MAX_SEED, help="Random seed (fixed so results repeat).")
]


def _print_version(value: bool) -> None:
    if value:
        from pivotal import __version__

        out.print(f"pivotal {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print pivotal's version and exit."
        ),
    ] = False,
) -> None:
    """Pivotal deterrence as a model you can run, question and test."""
