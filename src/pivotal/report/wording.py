"""Words the charts and their alt texts share: who the actors are, which years, signed numbers."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pivotal.scenario.timeline import Period, as_period, period_label, periods_text


def years_text(periods: list[Period]) -> str:
    """Periods as compact ranges of years, episodes by date: 1994–1996, 2001, 2022-08-01."""
    return periods_text(periods, dash="–") or "none"


def roles_text(summary: pd.DataFrame) -> str:
    """The run's actors in its roles: ``CHA and TAR, PIV as pivot``."""

    def names(column: str) -> str:
        return "/".join(dict.fromkeys(actor_code(v) for v in summary[column]))

    pivots = pivots_text(list(map(actor_code, summary["pivot"])))
    return f"{names('challenger')} and {names('target')}, {pivots}"


def pivots_text(names: list[str]) -> str:
    """The pivots of a run in words: ``Russia as pivot``, ``Russia as pivot (none in some years)``."""
    present = [n for n in dict.fromkeys(names) if n != "no pivot"]
    if not present:
        return "no pivot"
    return f"{'/'.join(present)} as pivot" + (" (none in some years)" if "no pivot" in names else "")


def actor_code(value: Any) -> str:
    """An actor code from a summary column; a period without a pivot has none."""
    return "no pivot" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def number(value: Any) -> float:
    """A stored number as a float; a missing one (None, as JSON keeps NaN) as NaN."""
    return math.nan if value is None else float(value)


def count(n: int, noun: str) -> str:
    """``1 year``, ``3 years``."""
    return f"{n} {noun}{'s' * (n != 1)}"


def signed(value: float, digits: int = 3) -> str:
    """A signed number that stays readable when it is very small: +0.012, -2.8e-05."""
    if value != 0 and abs(value) < 10**-digits:
        return f"{value:+.1e}"
    return f"{value:+.{digits}f}"


def diverges_text(result: dict) -> str:
    """The period a what-if result's two worlds part, in words (``?`` when it does not say)."""
    diverges = result.get("diverges")
    return "?" if diverges is None else period_label(as_period(diverges))
