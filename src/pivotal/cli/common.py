"""What every command shares: the Typer app, consoles, error handling and a progress bar.

Library errors (ScenarioError, StoreError) become one red line and a non-zero
exit; a traceback means a bug in pivotal, not a user mistake.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from pivotal.scenario import ScenarioError
from pivotal.simulation import BackendUnavailable
from pivotal.store import StoreError

app = typer.Typer(
    help="Pivotal deterrence as a model you can run, question and test.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    # Help is printed as written: "pivotal[jax]" must not be read as a Rich tag.
    rich_markup_mode=None,
)

# Nothing printed is read as Rich markup: titles, paths, messages and search terms come from users
# and may hold square brackets.  Styles are given explicitly, with :func:`styled`.
out = Console(markup=False)
err = Console(stderr=True, markup=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain strings and (string, style) pairs, none of them read as markup."""
    return Text.assemble(*parts)


def error_line(message: str, label: str = "error:") -> Text:
    """The red label and the message as one line of plain text."""
    return styled((label, "bold red"), f" {message}")

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
        except (ScenarioError, StoreError, BackendUnavailable) as error:
            err.print(error_line(str(error)), highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on standard error; yields ``update(done, total)``."""
    with Progress(TextColumn("{task.description}", markup=False, style="progress.description"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done, total: bar.update(task, completed=done, total=total)


ScenarioArg = Annotated[
    str | None,
    typer.Argument(help="A built-in scenario name or a YAML file (default: south-caucasus)."),
]

Draws = Annotated[int, typer.Option("--draws", "-n", min=1, max=MAX_DRAWS,
                                   help="Monte Carlo parameter draws.")]
