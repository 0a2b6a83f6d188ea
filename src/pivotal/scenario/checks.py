"""Rules that relate one part of a scenario to another.

Each rule yields a :class:`Problem` at the field that breaks it; the loader
turns the first into a located :class:`~pivotal.scenario.errors.ScenarioError`.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from pivotal.model.parameters import PARAMETER_NAMES, PARAMETERS_BY_NAME, REQUIRED_NAMES
from pivotal.scenario.errors import one_of
from pivotal.scenario.positions import Path
from pivotal.scenario.schema import (
    MAX_PERIODS,
    Citation,
    ParameterPiece,
    PeriodRange,
    RecordEntry,
    Roles,
    Scenario,
)
from pivotal.scenario.timeline import Period, is_year, period_label, year_of


@dataclass(frozen=True)
class Problem:
    path: Path
    expected: str
    found: str


def find_problems(s: Scenario) -> list[Problem]:
    """All cross-field problems, in document order of the sections."""
    checks = (
        _periods,
        _actors,
        _roles,
        _commitments,
        _episodes,
        _parameters,
        _record,
        _citations,
    )
    return [problem for check in checks for problem in check(s)]


def _periods(s: Scenario) -> Iterator[Problem]:
    if s.periods.end < s.periods.start:
        yield Problem(("periods", "end"), f"an end year >= start ({s.periods.start})", str(s.periods.end))
        return
    if s.periods.end - s.periods.start >= MAX_PERIODS:
        yield Problem(
            ("periods", "end"),
            f"at most {MAX_PERIODS} periods from {s.periods.start}",
            f"{s.periods.end - s.periods.start + 1} periods",
        )
        return
    yield from _split(s)
    if len(s.timeline) > MAX_PERIODS:
        yield Problem(
            ("periods", "split"), f"at most {MAX_PERIODS} periods in all", f"{len(s.timeline)} periods"
        )


def _split(s: Scenario) -> Iterator[Problem]:
    """Each year played episode by episode lists episodes of that year, each starting on its own day."""
    episodes = {e.id: e for e in s.episodes}
    for year, listed in s.periods.split.items():
        path = ("periods", "split", year)
        if not s.periods.start <= year <= s.periods.end:
            yield Problem(path, f"a year within {s.periods.start}-{s.periods.end}", str(year))
            continue
        days: dict[object, str] = {}
        for j, episode_id in enumerate(listed):
            episode = episodes.get(episode_id)
            if episode_id in listed[:j]:
                yield Problem((*path, j), "each episode listed once", repr(episode_id))
            elif episode is None:
                known = ", ".join(sorted(episodes)) or "none defined"
                yield Problem(
                    (*path, j), f"an episode id defined under `episodes` ({known})", repr(episode_id)
                )
            elif episode.start.year != year:
                yield Problem(
                    (*path, j),
                    f"an episode that starts in {year}",
                    f"{episode_id!r}, which starts on {episode.start.isoformat()}",
                )
            elif episode.start in days:
                yield Problem(
                    (*path, j),
                    f"episodes that start on different days (each is a period, "
                    f"known by its start date; {days[episode.start]!r} also starts on "
                    f"{episode.start.isoformat()})",
                    repr(episode_id),
                )
            else:
                days[episode.start] = episode_id


def unknown_actor(s: Scenario, actor: str | None, path: Path) -> Iterator[Problem]:
    if actor is not None and actor not in s.actors:
        known = ", ".join(sorted(s.actors)) or "none defined"
        yield Problem(path, f"an actor defined under `actors` ({known})", repr(actor))


def _actors(s: Scenario) -> Iterator[Problem]:
    for actor_id, actor in s.actors.items():
        for i, member in enumerate(actor.members):
            yield from unknown_actor(s, member, ("actors", actor_id, "members", i))


def range_inside(s: Scenario, periods: PeriodRange, path: Path) -> Iterator[Problem]:
    timeline = s.timeline
    if periods.reversed:
        yield Problem(
            path,
            f"a range whose end is >= its start ({period_label(periods.start)})",
            period_label(periods.end),
        )
    elif periods.start < s.periods.start or year_of(periods.end) > s.periods.end:
        yield Problem(path, f"periods within {s.periods.start}-{s.periods.end}", f"'{periods}'")
    else:
        for end in dict.fromkeys(periods):
            if not is_year(end) and end not in timeline:
                yield Problem(
                    path,
                    "a year, or an episode that is a period of its own (listed under `periods.split`)",
                    f"{period_label(end)}, which is not a period",
                )
                return
            if is_year(end) and end not in timeline and not any(year_of(p) == end for p in timeline):
                yield Problem(
                    path,
                    "a year with periods (each episode of a split year, or the year)",
                    f"{end}, which has none",
                )
                return


class _Ends(Protocol):
    @property
    def start(self) -> Period: ...
    @property
    def end(self) -> Period: ...


class Covered(Protocol):
    """What a coverage check asks of a document: its span, its periods and those in a range."""

    @property
    def periods(self) -> _Ends: ...
    @property
    def timeline(self) -> list[Period]: ...
    def periods_in(self, span: PeriodRange) -> list[Period]: ...


def coverage(
    s: Covered, ranges: list[PeriodRange], path: Path, what: str, complete: bool
) -> Iterator[Problem]:
    """Ranges must not overlap, and when ``complete`` must cover every period."""
    seen: dict[Period, int] = {}
    for i, periods in enumerate(ranges):
        for period in s.periods_in(periods):
            if period in seen:
                yield Problem(
                    (*path, i, "periods"),
                    f"each period covered once in {what}",
                    f"{period_label(period)} also in entry {seen[period]}",
                )
                return
            seen[period] = i
    if complete:
        missing = [p for p in s.timeline if p not in seen]
        if missing:
            yield Problem(
                path,
                f"{what} covering every period {s.periods.start}-{s.periods.end}",
                f"no entry for {_periods_text(missing)}",
            )


def _periods_text(periods: list[Period]) -> str:
    return ", ".join(period_label(p) for p in periods[:5]) + (" ..." if len(periods) > 5 else "")


def _roles(s: Scenario) -> Iterator[Problem]:
    for i, roles in enumerate(s.roles):
        path = ("roles", i)
        yield from range_inside(s, roles.periods, (*path, "periods"))
        for field in ("pivot", "challenger", "target"):
            yield from unknown_actor(s, getattr(roles, field), (*path, field))
        for field in ("challenger_patrons", "target_patrons"):
            for j, actor in enumerate(getattr(roles, field)):
                yield from unknown_actor(s, actor, (*path, field, j))
        if roles.target in (roles.pivot, roles.challenger):
            other = "pivot" if roles.target == roles.pivot else "challenger"
            yield Problem(
                (*path, "target"), f"a target other than the {other} ({roles.target})", repr(roles.target)
            )
        elif roles.challenger == roles.pivot:
            yield Problem(
                (*path, "challenger"),
                f"a challenger other than the pivot ({roles.pivot})",
                repr(roles.challenger),
            )
    yield from coverage(s, [r.periods for r in s.roles], ("roles",), "roles", complete=True)


def _dates_in_order(start, end, path: Path) -> Iterator[Problem]:
    if end is not None and end < start:
        yield Problem((*path, "end"), f"an end date on or after start ({start.isoformat()})", end.isoformat())


def _duplicate_ids(items: list, section: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            yield Problem((section, i, "id"), f"a unique id in {section}", f"{item.id!r} again")
        seen.add(item.id)


def _commitments(s: Scenario) -> Iterator[Problem]:
    yield from _duplicate_ids(s.commitments, "commitments")
    for i, c in enumerate(s.commitments):
        for j, party in enumerate(c.parties):
            yield from unknown_actor(s, party, ("commitments", i, "parties", j))
        yield from _dates_in_order(c.start, c.end, ("commitments", i))


def _episodes(s: Scenario) -> Iterator[Problem]:
    yield from _duplicate_ids(s.episodes, "episodes")
    for i, e in enumerate(s.episodes):
        yield from unknown_actor(s, e.initiator, ("episodes", i, "initiator"))
        yield from _dates_in_order(e.start, e.end, ("episodes", i))


def a_parameter(found: str) -> str:
    """What an unknown parameter name should have been."""
    every = f"a model parameter ({', '.join(PARAMETER_NAMES)})"
    return one_of(every, "a model parameter", PARAMETER_NAMES, found)


def _parameters(s: Scenario) -> Iterator[Problem]:
    for name in s.parameters:
        if name not in PARAMETERS_BY_NAME:
            yield Problem(("parameters", name), a_parameter(name), repr(name))
    missing = [name for name in REQUIRED_NAMES if name not in s.parameters]
    if missing:
        yield Problem(
            ("parameters",),
            "every required model parameter to be given",
            f"no entry for {', '.join(missing)}",
        )
    for name, pieces in s.parameters.items():
        path = ("parameters", name)
        for i, piece in enumerate(pieces):
            yield from range_inside(s, piece.periods, (*path, i, "periods"))
            yield from piece_problems(name, piece, (*path, i))
        yield from coverage(s, [p.periods for p in pieces], path, f"parameter `{name}`", complete=True)


def piece_problems(name: str, piece: ParameterPiece, path: Path) -> Iterator[Problem]:
    if piece.high < piece.low:
        yield Problem((*path, "high"), f"high >= low ({piece.low:g})", f"{piece.high:g}")
        return
    if piece.dist in ("triangular", "pert"):
        if piece.mode is None:
            yield Problem(path, f"a `mode` for a {piece.dist} distribution", "none")
            return
        if not piece.low <= piece.mode <= piece.high:
            yield Problem(
                (*path, "mode"), f"low <= mode <= high ({piece.low:g} to {piece.high:g})", f"{piece.mode:g}"
            )
            return
    if piece.dist == "beta" and (piece.alpha is None or piece.beta is None):
        yield Problem(path, "`alpha` and `beta` for a beta distribution", "one or both missing")
        return
    spec = PARAMETERS_BY_NAME.get(name)
    if spec is None:
        return
    for field in ("low", "mode", "high"):
        value = getattr(piece, field)
        if value is not None and not spec.contains(value):
            yield Problem((*path, field), f"a value of `{name}` in {spec.describe_bounds()}", f"{value:g}")
            return


def _record(s: Scenario) -> Iterator[Problem]:
    for i, entry in enumerate(s.record):
        yield from record_entry_problems(s, entry, ("record", i))
    yield from coverage(s, [r.periods for r in s.record], ("record",), "the record", complete=False)


def record_entry_problems(s: Scenario, entry: RecordEntry, path: Path) -> Iterator[Problem]:
    """Problems of one record entry: its periods, its response and its episodes."""
    yield from range_inside(s, entry.periods, (*path, "periods"))
    if entry.challenge == "none" and entry.pivot_response is not None:
        yield Problem(
            (*path, "pivot_response"), "no pivot response when challenge is none", repr(entry.pivot_response)
        )
    played = s.periods_in(entry.periods)
    without = [
        period_label(p) for p in played if (roles := _roles_at(s, p)) is not None and roles.pivot is None
    ]
    if without and entry.pivot_response in ("restrain", "mediate"):
        yield Problem(
            (*path, "pivot_response"),
            f"no pivot response other than acquiesce in {without[0]}, "
            "a period without a pivot (roles give `pivot: null`)",
            entry.pivot_response,
        )
    for field in ("appeal_answered", "pivot_answer", "pivot_posture"):
        if without and getattr(entry, field) is not None:
            yield Problem(
                (*path, field),
                f"no `{field}` in {without[0]}, a period without a pivot (roles give `pivot: null`)",
                repr(getattr(entry, field)),
            )
    if entry.ceasefire_broker is not None:
        yield from unknown_actor(s, entry.ceasefire_broker, (*path, "ceasefire_broker"))
        pivots = {roles.pivot for p in played if (roles := _roles_at(s, p)) is not None}
        if entry.ceasefire_broker in pivots:
            yield Problem(
                (*path, "ceasefire_broker"),
                "a broker other than the period's pivot (a ceasefire the pivot brokered is "
                "coded `pivot_response: mediate`)",
                entry.ceasefire_broker,
            )
    if entry.ceasefire_held is not None and entry.pivot_response != "mediate":
        yield Problem(
            (*path, "ceasefire_held"),
            "`ceasefire_held` only after a `pivot_response` of mediate",
            f"pivot_response {entry.pivot_response or 'none'}",
        )
    if entry.against is not None:
        yield from unknown_actor(s, entry.against, (*path, "against"))
        sides = {
            a
            for p in played
            if (roles := _roles_at(s, p)) is not None
            for a in (roles.challenger, roles.pivot)
        }
        if entry.against in sides:
            yield Problem(
                (*path, "against"),
                "a third party: neither the challenger nor the pivot (leave "
                "`against` out when the challenge fell on the target)",
                entry.against,
            )
    if entry.deterred and entry.challenge != "none":
        yield Problem(
            (*path, "deterred"),
            "`deterred` only with `challenge: none` (a challenge prepared and called off before any move)",
            f"challenge {entry.challenge}",
        )
    if entry.challenger_kept is not None and entry.challenge == "none":
        yield Problem(
            (*path, "challenger_kept"),
            "`challenger_kept` only after a probe or an offensive",
            "challenge none",
        )
    if entry.appeal_answered is True and entry.pivot_response == "mediate" and entry.ceasefire_held is False:
        yield Problem(
            (*path, "appeal_answered"),
            "an appeal answered by a mediation to come with a ceasefire that held (the pivot "
            "acts for the target by restraining, or by brokering a ceasefire that holds)",
            "ceasefire_held false",
        )
    if entry.pivot_answer is not None and entry.target_move != "provoke":
        yield Problem(
            (*path, "pivot_answer"),
            "`pivot_answer` only after a `target_move` of provoke",
            f"target_move {entry.target_move or 'none'}",
        )
    if entry.target_move is not None and not s.game.target_moves_first:
        yield Problem(
            (*path, "target_move"),
            "`game: {target_moves_first: true}` for a recorded target move",
            "a game in which the target does not move first",
        )
    if entry.pivot_posture is not None and not s.game.pivot_posture:
        yield Problem(
            (*path, "pivot_posture"),
            "`game: {pivot_posture: true}` for a recorded posture",
            "a game in which the pivot takes no posture",
        )
    if entry.challenge != "none" and entry.pivot_response is None:
        yield Problem(path, f"a `pivot_response` to the {entry.challenge}", "none")
    episode_ids = {e.id for e in s.episodes}
    for j, episode in enumerate(entry.episodes):
        if episode not in episode_ids:
            yield Problem((*path, "episodes", j), "an episode id defined under `episodes`", repr(episode))


def _roles_at(s: Scenario, period: Period) -> Roles | None:
    """The roles of a period; None where no roles entry covers it (reported under `roles`)."""
    return next((r for r in s.roles if period in r.periods), None)


def _citations(s: Scenario) -> Iterator[Problem]:
    groups: list[tuple[Path, list[Citation]]] = [
        (("roles", i, "sources"), r.sources) for i, r in enumerate(s.roles)
    ]
    for section in ("commitments", "episodes", "record"):
        groups += [((section, i, "sources"), item.sources) for i, item in enumerate(getattr(s, section))]
    for name, pieces in s.parameters.items():
        groups += [(("parameters", name, i, "sources"), piece.sources) for i, piece in enumerate(pieces)]
    yield from citation_problems(s.sources, groups)


def citation_problems(sources: dict, groups: list[tuple[Path, list[Citation]]]) -> Iterator[Problem]:
    """Citations whose source id is not defined under ``sources``."""
    known = ", ".join(sorted(sources)) or "none defined"
    for path, citations in groups:
        for i, citation in enumerate(citations):
            if citation.ref not in sources:
                yield Problem(
                    (*path, i, "ref"), f"a source id defined under `sources` ({known})", repr(citation.ref)
                )


def find_warnings(s: Scenario, folder: str | None = None) -> list[Problem]:
    """What a scenario says that the model does not use, and so is likely a mistake; a scenario
    with these still runs (files of earlier releases keep working), and `pivotal validate` says
    so.  ``folder``: where the scenario file is, to look for the files its sources name."""
    return [
        *_unused_modes(s),
        *_episodes_outside(s),
        *_ceasefires_not_brokered(s),
        *_missing_files(s, folder),
    ]


def _unused_modes(s: Scenario) -> Iterator[Problem]:
    for name, pieces in s.parameters.items():
        for i, piece in enumerate(pieces):
            if piece.dist in ("uniform", "beta") and "mode" in piece.model_fields_set:
                shape = "flat from low to high" if piece.dist == "uniform" else "set by alpha and beta"
                yield Problem(
                    ("parameters", name, i, "mode"),
                    f"no `mode` for a {piece.dist} distribution, whose shape is {shape} (the "
                    "mode is not used; drop it, or make the piece triangular or pert)",
                    f"{piece.mode:g}",
                )


def _episodes_outside(s: Scenario) -> Iterator[Problem]:
    for i, e in enumerate(s.episodes):
        end = e.end or e.start
        if e.start.year < s.periods.start or end.year > s.periods.end:
            yield Problem(
                ("episodes", i, "start"),
                f"an episode within the periods {s.periods.start}-{s.periods.end} (one "
                "outside them is in no period the model plays)",
                f"{e.start.isoformat()} to {end.isoformat()}",
            )


def _ceasefires_not_brokered(s: Scenario) -> Iterator[Problem]:
    for i, entry in enumerate(s.record):
        if (
            entry.ceasefire_days is not None
            and entry.pivot_response != "mediate"
            and entry.ceasefire_broker is None
        ):
            yield Problem(
                ("record", i, "ceasefire_days"),
                "`ceasefire_days` with a `pivot_response` of mediate (it counts the days to "
                "a ceasefire the pivot brokered), or a `ceasefire_broker` naming who brokered it",
                f"pivot_response {entry.pivot_response or 'none'}",
            )


def _missing_files(s: Scenario, folder: str | None) -> Iterator[Problem]:
    if folder is None:
        return
    for source_id, source in s.sources.items():
        if source.file and not any(
            (base / source.file).exists() for base in (pathlib.Path(folder), pathlib.Path.cwd())
        ):
            yield Problem(
                ("sources", source_id, "file"),
                "a file beside the scenario or in the current folder (`pivotal evidence add` "
                "it to search its passages)",
                repr(source.file),
            )
