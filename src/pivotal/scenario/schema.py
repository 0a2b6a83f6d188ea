"""The pydantic schema of a scenario file (see ``docs/scenario-format.md``).

The schema checks shapes and types field by field; rules that relate fields to
one another (ordering, coverage, references) live in :mod:`pivotal.scenario.checks`
so each problem can be reported at the field that causes it.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from pivotal.model.parameters import PARAMETERS_BY_NAME

_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-|–|\.\.)\s*(\d{4})\s*$")


class PeriodRange(NamedTuple):
    """An inclusive range of annual periods."""

    start: int
    end: int

    def __contains__(self, period: object) -> bool:
        return isinstance(period, int) and self.start <= period <= self.end

    def years(self) -> range:
        return range(self.start, self.end + 1)

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


def parse_periods(value: object) -> PeriodRange:
    """A year (2016) or an inclusive range ('1994-2019') as a PeriodRange; ValueError otherwise."""
    if isinstance(value, PeriodRange):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return PeriodRange(value, value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return PeriodRange(int(text), int(text))
        match = _RANGE.match(text)
        if match:
            return PeriodRange(int(match.group(1)), int(match.group(2)))
    raise ValueError("a year like 2016 or a range like '1994-2019'")


Periods = Annotated[PeriodRange, BeforeValidator(parse_periods)]
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
        "alliance", "basing", "arms_supply", "peacekeeping", "mediation", "partnership", "monitoring",
        "sanctions", "embargo", "guarantee", "declaration", "statute", "neutrality", "peace_settlement",
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
    def years(self) -> list[int]:
        return list(range(self.periods.start, self.periods.end + 1))

    def __repr__(self) -> str:  # the full model runs to ~100,000 characters: name what it is
        return (f"Scenario(id={self.id!r}, title={self.title!r}, periods={self.periods.start}-"
                f"{self.periods.end}, actors={len(self.actors)}, parameters={len(self.parameters)}, "
                f"record={len(self.record)}, sources={len(self.sources)})")

    def _repr_html_(self) -> str:
        """A notebook's view: the title, the span, who is pivot, challenger and target, and counts."""
        rows = [("periods", f"{self.periods.start}-{self.periods.end}")]
        name = {key: actor.name for key, actor in self.actors.items()}
        rows += [(f"roles {r.periods}", f"{name.get(r.pivot or '', 'no pivot')} between "
                  f"{name[r.challenger]} (challenger) and {name[r.target]}") for r in self.roles]
        rows += [("actors", str(len(self.actors))), ("parameters", str(len(self.parameters))),
                 ("record entries", str(len(self.record))), ("episodes", str(len(self.episodes))),
                 ("sources", str(len(self.sources)))]
        body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
                       f"{escape(v)}</td></tr>" for k, v in rows)
        heading = f"<strong>{escape(self.title)}</strong> <code>{escape(self.id)}</code>"
        return f"<div>{heading}<table>{body}</table></div>"

    def roles_in(self, period: int) -> Roles:
        return next(r for r in self.roles if period in r.periods)

    def record_for(self, period: int) -> RecordEntry | None:
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
        return [name for name, spec in PARAMETERS_BY_NAME.items()
                if not spec.required and name not in self.parameters]


def _following(piece: ParameterPiece, name: str) -> ParameterPiece:
    """A copy of ``piece`` (of parameter ``name``) drawn on ``name``'s quantile wherever it goes."""
    copy = piece.model_copy()
    copy._follows = piece.quantile_of(name)
    return copy


def default_piece(value: float, periods: PeriodRange) -> ParameterPiece:
    """A fixed value over ``periods``, standing for an optional parameter the file leaves out."""
    return ParameterPiece.model_construct(
        periods=periods, dist="uniform", low=value, mode=value, high=value, alpha=None, beta=None,
        sources=[], note="model default",
    )
