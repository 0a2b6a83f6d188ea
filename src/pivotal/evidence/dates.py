"""Dates mentioned in text: full dates, months, years and decades, as intervals.

A small regex set rather than a general date parser: analyses write dates in a few
shapes ("13 September 2022", "September 13, 2022", "2022-09-13", "September 2022",
"2022", "the 1990s"), and a parser that guesses at everything else (``dateutil``'s fuzzy
mode) finds dates in numbers that are not dates.  Every mention becomes the interval of
days it covers, so a search for 2020-10 finds passages that say "2020" and ones that say
"10 October 2020".  A day and month with no year ("on 10 October") take the year last
mentioned before them, in the passage or earlier in the document, or else the document's
own year; with none of those they are left out.  Limits: a four-digit number from 1800 to
2099 is taken for a year ("1994 troops" included); "1994-2019" gives the two ends, not the
years between.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Precision = Literal["day", "month", "year", "decade"]

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"

# Most precise first: a span taken by a full date is not read again as a month or a year.
_PATTERNS: tuple[tuple[Precision, re.Pattern[str]], ...] = (
    ("day", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("day", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("day", re.compile(rf"\b{_YEAR}-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("month", re.compile(rf"\b{_YEAR}-(?P<month>[01]\d)\b(?!-\d)")),
    ("month", re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("decade", re.compile(r"\b(?P<year>1[89]\d0|20\d0)s\b")),
    ("year", re.compile(rf"\b{_YEAR}\b")),
)


# A day and a month not followed by a year: read only once the full forms have had their turn,
# and only with the month capitalised, as prose writes it ("they may 3 times" is no date).
_MONTH_TITLE = r"(?P<month>" + "|".join(sorted((m.title() for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_WITHOUT_YEAR = (
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH_TITLE}(?!\w)(?!,?\s+\d)"),
    re.compile(rf"\b{_MONTH_TITLE}\s+{_DAY}\b(?!,?\s+\d)"),
)


@dataclass(frozen=True)
class DateMention:
    """A date as written (``text``) and the interval of days it covers."""

    text: str
    start: dt.date
    end: dt.date
    precision: Precision

    def iso(self) -> str:
        """'2022-09-13', '2022-09', '2022' or '1990s': as precise as the mention was."""
        if self.precision == "day":
            return self.start.isoformat()
        if self.precision == "month":
            return self.start.isoformat()[:7]
        if self.precision == "decade":
            return f"{self.start.year}s"
        return str(self.start.year)


def _month_number(value: str) -> int:
    return int(value) if value.isdigit() else _MONTHS[value.lower().rstrip(".")]


def _mention(precision: Precision, match: re.Match[str]) -> DateMention | None:
    year = int(match.group("year"))
    try:
        if precision == "decade":
            return DateMention(match.group(), dt.date(year, 1, 1), dt.date(year + 9, 12, 31), precision)
        if precision == "year":
            return DateMention(match.group(), dt.date(year, 1, 1), dt.date(year, 12, 31), precision)
        month = _month_number(match.group("month"))
        if precision == "month":
            last = calendar.monthrange(year, month)[1]
            return DateMention(match.group(), dt.date(year, month, 1), dt.date(year, month, last), precision)
        day = dt.date(year, month, int(match.group("day")))
        return DateMention(match.group(), day, day, precision)
    except (ValueError, KeyError):  # month 13, 31 February: not a date
        return None


def find_dates(text: str, year: int | None = None) -> list[DateMention]:
    """Every date mentioned in ``text``, in order of appearance, each span read once.

    ``year`` is the year a day and month without one fall in when the text names no year
    before them (the year last mentioned earlier in the document, or the document's own).
    """
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, DateMention]] = []

    def keep(start: int, end: int, mention: DateMention | None) -> None:
        if mention is not None and not any(start < t_end and t_start < end for t_start, t_end in taken):
            taken.append((start, end))
            found.append((start, mention))

    for precision, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            keep(*match.span(), _mention(precision, match))
    years = sorted((start, m.start.year) for start, m in found if m.precision != "decade")
    for pattern in _WITHOUT_YEAR:
        for match in pattern.finditer(text):
            before = [y for start, y in years if start < match.start()]
            known = before[-1] if before else year
            if known is not None:
                keep(*match.span(), _day_in(known, match))
    return [mention for _, mention in sorted(found, key=lambda item: item[0])]


def last_year(mentions: list[DateMention], default: int | None) -> int | None:
    """The year of the last mention that names one, for the text that follows."""
    years = [m.end.year for m in mentions if m.precision != "decade"]
    return years[-1] if years else default


def _day_in(year: int, match: re.Match[str]) -> DateMention | None:
    try:
        day = dt.date(year, _month_number(match.group("month")), int(match.group("day")))
    except (ValueError, KeyError):
        return None
    return DateMention(match.group(), day, day, "day")


def parse_date(value: str) -> DateMention | None:
    """A whole string read as one date ('2022', '2022-09', 'Sept 13, 2022'), or None.

    Accepts ISO date-times too ('2020-10-12T08:00:00Z'): the date part is kept.
    """
    text = value.strip()
    iso_time = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}", text)
    if iso_time:
        text = iso_time.group(1)
    for precision, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _mention(precision, match)
    return None
