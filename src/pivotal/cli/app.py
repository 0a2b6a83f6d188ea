"""The ``pivotal`` command line; each group of commands lives in its own module."""

from __future__ import annotations

from pivotal.cli import analyses, runs  # noqa: F401  (importing registers the commands)
from pivotal.cli import evidence as _evidence  # noqa: F401  (registers the evidence group)
from pivotal.cli import explain as _explain  # noqa: F401  (registers explain)
from pivotal.cli import fit as _fit  # noqa: F401  (registers fit, fits, fit-show)
from pivotal.cli import report as _report  # noqa: F401  (registers report)
from pivotal.cli import serve as _serve  # noqa: F401  (registers serve)
from pivotal.cli import sweep as _sweep  # noqa: F401  (registers sweep, sweeps, sweep-show)
from pivotal.cli import system as _system  # noqa: F401  (registers the system group)
from pivotal.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
