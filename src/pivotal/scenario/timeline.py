"""Period keys: where each period of a scenario sits in time.

A scenario's periods are whole years unless its file plays a year episode by episode
(``periods.split``).  Every period has a *key*, a number that orders the periods and names them
in results and in the run store:

- a whole year is its year, an ``int`` (``2021``);
- an episode played as a period is its start date as a fraction of its year,
  ``year + round(day_of_year / 367, 4)`` (``2022-08-01`` -> ``2022.5831``), a ``float`` that is
  never whole, so it can never be mistaken for a year, and from which the date is recovered exactly.

A year's key sorts before its episodes' keys, and both before the next year's.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import SupportsFloat

Period = int | float
"""A period's key: a year, or an episode's start date as a decimal year (see the module)."""

_DAYS = 367  # more than any year has, so day 366 of a leap year stays below the next year
_PLACES = 4  # keys keep four decimals: a day is 1/367 = 0.0027 years, so rounding never merges two days


def period_key(day: dt.date) -> float:
    """The key of an episode period that starts on ``day``."""
    return day.year + round(day.timetuple().tm_yday / _DAYS, _PLACES)


def is_year(period: Period) -> bool:
    """Whether a key names a whole year (and not an episode within one)."""
    return float(period).is_integer()


def as_period(value: SupportsFloat | str) -> Period:
    """A key as read back from a table or JSON: whole numbers become ``int`` years again."""
    number = float(value)
    return int(number) if number.is_integer() else round(number, _PLACES)


def year_of(period: Period) -> int:
    """The calendar year a period falls in."""
    return math.floor(period)


def start_date(period: Period) -> dt.date:
    """The first day of a period: 1 January of a year, an episode's start date."""
    year = year_of(period)
    if is_year(period):
        return dt.date(year, 1, 1)
    day = round((float(period) - year) * _DAYS)
    return dt.date(year, 1, 1) + dt.timedelta(days=day - 1)


def period_label(period: Period) -> str:
    """How a period is written for people and in ``--periods``: ``2021``, or ``2022-08-01``."""
    return str(year_of(period)) if is_year(period) else start_date(period).isoformat()


def periods_text(periods: list[Period], dash: str = "-", timeline: list[Period] | None = None) -> str:
    """Periods as compact ranges, episodes by date: ``1994-2019, 2022-08-01, 2023``; with the
    ``timeline`` they are periods of, a run of consecutive periods is one range
    (``1994..2022-12-12``), else only consecutive whole years are."""
    order = {p: t for t, p in enumerate(timeline)} if timeline is not None else None
    spans: list[list[Period]] = []
    for period in map(as_period, periods):
        if spans and _follows(spans[-1][1], period, order):
            spans[-1][1] = period
        else:
            spans.append([period, period])
    return ", ".join(
        period_label(a)
        if a == b
        else f"{a}{dash}{b}"
        if is_year(a) and is_year(b)
        else f"{period_label(a)}..{period_label(b)}"
        for a, b in spans
    )


def _follows(before: Period, period: Period, order: dict[Period, int] | None) -> bool:
    if order is not None and before in order and period in order:
        return order[period] == order[before] + 1
    return is_year(before) and is_year(period) and period == before + 1


def period_extents(periods: list[Period]) -> list[tuple[float, float]]:
    """Where each period's band starts and ends on a time axis: half a year either side of a whole
    year, and no further than halfway to the periods beside it (so episodes' bands do not overlap)."""
    keys = [float(p) for p in periods]
    extents = []
    for i, key in enumerate(keys):
        left = key - 0.5 if i == 0 else max(key - 0.5, (keys[i - 1] + key) / 2)
        right = key + 0.5 if i == len(keys) - 1 else min(key + 0.5, (key + keys[i + 1]) / 2)
        extents.append((left, right))
    return extents


def boundary_before(periods: list[Period], period: Period) -> float:
    """Where on a time axis ``period`` begins among ``periods``: the left edge of its band (see
    :func:`period_extents`), for a line marking a change that starts there."""
    keys = sorted({float(p) for p in periods} | {float(period)})
    return period_extents(keys)[keys.index(float(period))][0]
