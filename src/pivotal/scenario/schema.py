"""The pydantic schema of a scenario file (see ``docs/scenario-format.md``).

The schema checks shapes and types field by field; rules that relate fields to
one another (ordering, coverage, references) live in :mod:`pivotal.scenario.checks`
so each problem can be reported at the field that causes it.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from html import escape
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationInfo

from pivotal.model.parameters import PARAMETERS_BY_NAME
from pivotal.scenario.timeline import Period, is_year, period_key, period_label, year_of

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-|–|\.\.)\s*(\d{4})\s*$")
_ENDS = re.compile(r"^\s*(\S+?)\s*\.\.\s*(\S+)\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeriodRange(NamedTuple):
    """An inclusive range of periods, from the period keyed ``start`` to the one keyed ``end``.

    An end that is a whole year takes in that year's episodes, if the year is played episode
    by episode; an end that is an episode's key stops at that episode (see :mod:`.timeline`).
    """

    start: Period
    end: Period

    def __contains__(self, period: object) -> bool:
        if isinstance(period, bool) or not isinstance(period, numbers.Real):
            return False
        if period < self.start:
            return False
        return period < self.end + 1 if is_year(self.end) else period <= self.end

    @property
    def reversed(self) -> bool:
        """Whether it ends before it starts, so that no period can lie in it."""
        return self.start >= self.end + 1 if is_year(self.end) else self.start > self.end

    def __str__(self) -> str:
        if self.start == self.end:
            return period_label(self.start)
        if is_year(self.start) and is_year(self.end):
            return f"{period_label(self.start)}-{period_label(self.end)}"
        return f"{period_label(self.start)}..{period_label(self.end)}"


def parse_periods(value: object, info: ValidationInfo | None = None) -> PeriodRange:
    """Periods as written in a file or a setting (see :func:`read_periods`); episode ids are known
    from the validation context's ``episodes`` (id -> start date), which the loaders pass."""
    episodes = (info.context or {}).get("episodes", {}) if info is not None else {}
    return read_periods(value, episodes)


def read_periods(value: object, episodes: dict[str, dt.date]) -> PeriodRange:
    """Periods as written in a file or a setting, as a PeriodRange; ValueError otherwise.

    A year (2016), a range of years ('1994-2019'), an episode played as a period, by its id
    ('lachin-2022') or its start date ('2022-08-01'), or a range between any two of these
    ('2021..lachin-2022'); ``episodes`` maps the episode ids known to their start dates.
    """
    if isinstance(value, PeriodRange):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return PeriodRange(value, value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        key = period_key(value)
        return PeriodRange(key, key)
    if isinstance(value, str):
        text = value.strip()
        match = _YEARS.match(text)
        if match:
            return PeriodRange(int(match.group(1)), int(match.group(2)))
        ends = None if text in episodes else _ENDS.match(text)  # an id may itself hold '..'
        parts = (ends.group(1), ends.group(2)) if ends else (text, text)
        start, end = (_period_end(part, episodes) for part in parts)
        if start is not None and end is not None:
            return PeriodRange(start, end)
    raise ValueError(
        "a year like 2016, a range like '1994-2019', or an episode played as a period "
        "(its id or start date, or 'FROM..TO')"
    )


def _period_end(text: str, episodes: dict[str, dt.date]) -> Period | None:
    """One end of a range: a year, an episode's start date, or a known episode id."""
    if text.isdigit():
        return int(text)
    if _DATE.match(text):
        try:
            return period_key(dt.date.fromisoformat(text))
        except ValueError:
            return None
    start = episodes.get(text)
    return period_key(start) if start is not None else None


def typed_span(
    text: str, first: int, last: int, timeline: list[Period], episodes: dict[str, dt.date]
) -> PeriodRange:
    """Periods typed by a user, checked against the years ``first``-``last`` and the ``timeline``
    they hold: ValueError, saying what was expected, if unreadable or not periods there."""
    try:
        span = read_periods(text, episodes)
    except ValueError:
        raise ValueError(
            f"expected a year like {last}, a range like {first}-{last}, or an episode played "
            f"as a period (its id or date), found {text!r}"
        ) from None
    inside = first <= span.start and year_of(span.end) <= last and not span.reversed
    if (
        not inside
        or not any(p in span for p in timeline)
        or any(not is_year(end) and end not in timeline for end in span)
    ):
        raise ValueError(f"expected periods within {first}-{last}, found {text!r}")
    return span


def episode_context(data: object) -> dict[str, dict[str, dt.date]]:
    """The validation context of a scenario's raw data: its episodes' ids and start dates, so
    that periods can be given by episode id (unreadable entries are left to validation)."""
    found: dict[str, dt.date] = {}
    episodes = data.get("episodes") if isinstance(data, dict) else None
    for entry in episodes if isinstance(episodes, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            start = entry.get("start")
            if isinstance(start, str):
                try:
                    start = dt.date.fromisoformat(start.strip())
                except ValueError:
                    continue
            if isinstance(start, dt.date):
                found[entry["id"].strip()] = start if not isinstance(start, dt.datetime) else start.date()
    return {"episodes": found}


def _periods_field(value: object, info: ValidationInfo) -> PeriodRange:
    return parse_periods(value, info)


Periods = Annotated[PeriodRange, BeforeValidator(_periods_field)]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")]


MAX_PERIODS = 500
"""Most periods a scenario may span: every run holds draws x periods numbers."""

Year = Annotated[int, Field(ge=1, le=9999)]

#: The evidence corpus of a scenario that names none, and of documents added without ``--corpus``.
DEFAULT_CORPUS = "default"
#: What a corpus name may be: one word of lower-case letters, digits, dots, underscores and dashes.
CORPUS_PATTERN = r"^[a-z0-9][a-z0-9._\-]*$"
CorpusName = Annotated[str, Field(pattern=CORPUS_PATTERN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


class Citation(Strict):
    ref: str
    at: str
    note: str | None = None


Sources = Annotated[list[Citation], Field(min_length=1)]


class Source(Strict):
    kind: Literal["document", "dataset", "method"]
    title: str
    author: str | None = None
    outlet: str | None = None
    publisher: str | None = None
    date: dt.date | str | int | None = None
    year: int | None = None
    file: str | None = None
    url: str | None = None
    note: str | None = None


class Actor(Strict):
    name: str
    kind: Literal["state", "organisation"]
    aliases: list[str] = []
    members: list[str] = []
    note: str | None = None


class PeriodSpan(Strict):
    start: Year
    end: Year
    #: Years played episode by episode: each listed episode (by id) is a period of its own, in
    #: order of start date, in place of the whole year.
    split: dict[Year, Annotated[list[str], Field(min_length=1)]] = {}


class Roles(Strict):
    periods: Periods
    pivot: str | None  # null: no third power stands between the rivals in these periods
    challenger: str
    target: str
    challenger_patrons: list[str] = []
    target_patrons: list[str] = []
    contested: str | None = None  # what the rivals contest in these periods, in words
    sources: list[Citation] = []
    note: str | None = None


class Commitment(Strict):
    id: Identifier
    kind: Literal[
        "alliance",
        "basing",
        "arms_supply",
        "peacekeeping",
        "mediation",
        "partnership",
        "monitoring",
        "sanctions",
        "embargo",
        "guarantee",
        "declaration",
        "statute",
        "neutrality",
        "peace_settlement",
    ]
    parties: Annotated[list[str], Field(min_length=1)]
    scope: str
    start: dt.date
    end: dt.date | None = None
    sources: Sources
    note: str | None = None


class Episode(Strict):
    id: Identifier
    title: str
    start: dt.date
    end: dt.date | None = None
    initiator: str | None = None
    sources: Sources
    note: str | None = None


class ParameterPiece(Strict):
    periods: Periods
    dist: Literal["triangular", "pert", "uniform", "beta"] = "triangular"
    low: float
    mode: float | None = None
    high: float
    alpha: Annotated[float, Field(gt=0)] | None = None
    beta: Annotated[float, Field(gt=0)] | None = None
    sources: Sources
    note: str | None = None
    #: The parameter whose quantile this piece is drawn on, when it stands in for a parameter the
    #: file leaves to follow another (a per-role precision following ``precision``); None: its own.
    _follows: str | None = PrivateAttr(default=None)

    def quantile_of(self, name: str) -> str:
        """The parameter whose quantile draws this piece, as a piece of parameter ``name``."""
        return self._follows or name


class RecordEntry(Strict):
    periods: Periods
    challenge: Literal["none", "probe", "offensive"]
    #: A challenge prepared and called off before any move (with ``challenge: none``): recorded,
    #: and scored as no challenge, since the game has no move for a threat.
    deterred: bool | None = None
    pivot_response: Literal["restrain", "mediate", "acquiesce"] | None = None
    ceasefire_days: Annotated[int, Field(ge=0)] | None = None
    ceasefire_broker: str | None = None  # an actor: who brokered the ceasefire, when not the pivot
    ceasefire_held: bool | None = None
    appeal_answered: bool | Literal["partial"] | None = None  # partial: the pivot answered part of it
    against: str | None = None  # an actor other than the target that the challenge fell on
    challenger_kept: Annotated[float, Field(ge=0, le=1)] | None = None  # share of its gains held at the end
    target_hedged: bool | None = None
    target_move: Literal["concede", "hold", "provoke"] | None = None
    pivot_answer: Literal["restrain_target", "tolerate"] | None = None
    pivot_posture: Literal["ambiguous", "lean_target", "lean_challenger"] | None = None
    episodes: list[str] = []
    sources: Sources
    note: str | None = None


class Game(Strict):
    """Which moves come before the crisis in every period (both off: the period is the crisis)."""

    target_moves_first: bool = False
    pivot_posture: bool = False


class Scenario(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    title: str
    description: str = ""
    periods: PeriodSpan
    sources: dict[str, Source]
    actors: dict[str, Actor]
    roles: Annotated[list[Roles], Field(min_length=1)]
    commitments: list[Commitment] = []
    episodes: list[Episode] = []
    game: Game = Game()
    parameters: dict[str, Annotated[list[ParameterPiece], Field(min_length=1)]]
    record: list[RecordEntry] = []
    #: The evidence corpus whose documents are shown as evidence for this scenario's parameters.
    corpus: CorpusName = DEFAULT_CORPUS

    @property
    def timeline(self) -> list[Period]:
        """Every period's key in time order: each year, or the episodes of a year played episode
        by episode (``periods.split``)."""
        starts = {e.id: e.start for e in self.episodes}
        keys: list[Period] = []
        for year in range(self.periods.start, self.periods.end + 1):
            listed = self.periods.split.get(year)
            if not listed:
                keys.append(year)
                continue
            keys += sorted({period_key(starts[i]) for i in listed if i in starts and starts[i].year == year})
        return keys

    @property
    def years(self) -> list[Period]:
        """The periods' keys (:attr:`timeline`): the years, where no year is split."""
        return self.timeline

    def periods_in(self, span: PeriodRange) -> list[Period]:
        """The periods of this scenario that ``span`` takes in, in time order."""
        return [p for p in self.timeline if p in span]

    def episode_at(self, period: Period) -> Episode | None:
        """The episode played as this period, if the period is one."""
        if is_year(period):
            return None
        listed = set(self.periods.split.get(int(period // 1), []))
        return next((e for e in self.episodes if e.id in listed and period_key(e.start) == period), None)

    def span(self, text: str) -> PeriodRange:
        """Periods typed by a user (``--periods``, ``--over``), checked against this scenario."""
        return typed_span(
            text, self.periods.start, self.periods.end, self.timeline, {e.id: e.start for e in self.episodes}
        )

    def period_name(self, period: Period) -> str:
        """A period as people read it: the year, or an episode's date and id."""
        episode = self.episode_at(period)
        return period_label(period) if episode is None else f"{period_label(period)} {episode.id}"

    def __repr__(self) -> str:  # the full model runs to ~100,000 characters: name what it is
        return (
            f"Scenario(id={self.id!r}, title={self.title!r}, periods={self.periods.start}-"
            f"{self.periods.end}, actors={len(self.actors)}, parameters={len(self.parameters)}, "
            f"record={len(self.record)}, sources={len(self.sources)})"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: the title, the span, who is pivot, challenger and target, and counts."""
        rows = [("periods", f"{self.periods.start}-{self.periods.end}")]
        name = {key: actor.name for key, actor in self.actors.items()}
        rows += [
            (
                f"roles {r.periods}",
                f"{name.get(r.pivot or '', 'no pivot')} between "
                f"{name[r.challenger]} (challenger) and {name[r.target]}",
            )
            for r in self.roles
        ]
        rows += [
            ("actors", str(len(self.actors))),
            ("parameters", str(len(self.parameters))),
            ("record entries", str(len(self.record))),
            ("episodes", str(len(self.episodes))),
            ("sources", str(len(self.sources))),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
            f"{escape(v)}</td></tr>"
            for k, v in rows
        )
        heading = f"<strong>{escape(self.title)}</strong> <code>{escape(self.id)}</code>"
        return f"<div>{heading}<table>{body}</table></div>"

    def roles_in(self, period: Period) -> Roles:
        return next(r for r in self.roles if period in r.periods)

    def record_for(self, period: Period) -> RecordEntry | None:
        return next((r for r in self.record if period in r.periods), None)

    def pieces_of(self, name: str) -> list[ParameterPiece]:
        """The pieces of parameter ``name``: as the file gives them, else the model's default.

        A parameter that follows another by default (the per-role precisions follow
        ``precision``) gets that one's pieces; the engine also gives it that one's
        quantile, so the two are equal draw by draw.
        """
        if name in self.parameters:
            return self.parameters[name]
        spec = PARAMETERS_BY_NAME[name]
        if spec.default_from is not None:
            return [_following(piece, spec.default_from) for piece in self.pieces_of(spec.default_from)]
        if spec.default is None:
            raise KeyError(name)
        return [default_piece(spec.default, PeriodRange(self.periods.start, self.periods.end))]

    def follows(self, name: str) -> str:
        """The parameter whose quantile ``name`` uses in every period: itself, or the one it follows
        by default."""
        spec = PARAMETERS_BY_NAME[name]
        if name in self.parameters or spec.default_from is None:
            return name
        return self.follows(spec.default_from)

    def defaults_used(self) -> list[str]:
        """Optional parameters the file leaves out, so that their defaults apply."""
        return [
            name
            for name, spec in PARAMETERS_BY_NAME.items()
            if not spec.required and name not in self.parameters
        ]


def _following(piece: ParameterPiece, name: str) -> ParameterPiece:
    """A copy of ``piece`` (of parameter ``name``) drawn on ``name``'s quantile wherever it goes."""
    copy = piece.model_copy()
    copy._follows = piece.quantile_of(name)
    return copy


def default_piece(value: float, periods: PeriodRange) -> ParameterPiece:
    """A fixed value over ``periods``, standing for an optional parameter the file leaves out."""
    return ParameterPiece.model_construct(
        periods=periods,
        dist="uniform",
        low=value,
        mode=value,
        high=value,
        alpha=None,
        beta=None,
        sources=[],
        note="model default",
    )
