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

from pivotal.scenario import ScenarioError
from pivotal.simulation import BackendUnavailable
from pivotal.store import StoreError

app = typer.Typer(
    help="Pivotal deterrence as a model you can run, question and test.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable)

MAX_DRAWS = 100_000_000


def user_errors(command: F) -> F:
    """Print a library error as one line on standard error and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (ScenarioError, StoreError, BackendUnavailable) as error:
            err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on standard error; yields ``update(done, total)``."""
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done, total: bar.update(task, completed=done, total=total)


ScenarioArg = Annotated[
    str | None,
    typer.Argument(help="A built-in scenario name or a YAML file (default: south-caucasus)."),
]

Draws = Annotated[int, typer.Option("--draws", "-n", min=1, max=MAX_DRAWS,
                                   help="Monte Carlo parameter draws.")]
