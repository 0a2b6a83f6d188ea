"""Counterfactual overlays: a scenario's parameters or record changed over some periods.

An overlay is a small YAML file (or a list of ``--set`` settings) that replaces
parameter pieces and record entries of a base scenario over the periods it
names and leaves the rest as it was.  It is validated like a scenario and its
mistakes raise the same located :class:`ScenarioError`.  Sources are optional
in an overlay (a counterfactual is an assumption), but the ones given must
resolve against the base scenario's sources or the overlay's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import Field

from pivotal.model.parameters import PARAMETERS_BY_NAME
from pivotal.scenario.checks import (
    Problem,
    a_parameter,
    coverage,
    piece_problems,
    range_inside,
    record_entry_problems,
)
from pivotal.scenario.errors import ScenarioError
from pivotal.scenario.loader import (
    BUILTIN_PACKAGE,
    raise_first_problem,
    read_document,
    validate_data,
    validate_document,
)
from pivotal.scenario.positions import Path as FieldPath
from pivotal.scenario.schema import (
    Citation,
    ParameterPiece,
    PeriodRange,
    RecordEntry,
    Scenario,
    Source,
    Strict,
)
from pivotal.scenario.timeline import Period, period_label

OVERLAY_FOLDER = "overlays"


class OverlayPiece(ParameterPiece):
    sources: list[Citation] = Field(default_factory=list)


class OverlayRecordEntry(RecordEntry):
    sources: list[Citation] = Field(default_factory=list)


class Overlay(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    title: str
    description: str = ""
    scenario: str | None = None
    sources: dict[str, Source] = Field(default_factory=dict)
    parameters: dict[str, Annotated[list[OverlayPiece], Field(min_length=1)]] = Field(default_factory=dict)
    record: list[OverlayRecordEntry] = Field(default_factory=list)

    def changed_periods(self) -> list[PeriodRange]:
        return [p.periods for pieces in self.parameters.values() for p in pieces] + [
            r.periods for r in self.record
        ]

    @property
    def first_period(self) -> Period | None:
        """The first period the overlay changes; the counterfactual diverges there."""
        starts = [r.start for r in self.changed_periods()]
        return min(starts) if starts else None

    def record_periods(self, base: Scenario) -> set[Period]:
        """Periods of ``base`` whose record the overlay rewrites."""
        return {period for entry in self.record for period in base.periods_in(entry.periods)}


def read_overlay(text: str, source: str) -> tuple[Overlay, dict]:
    """Parse and validate an overlay's own fields; check it against a base with :func:`check_overlay`."""
    return validate_document(text, source, Overlay, "overlay sections (id, title, parameters, record)")


def check_overlay(overlay: Overlay, base: Scenario, source: str, positions: dict | None = None) -> None:
    """Raise a located ScenarioError for the first way ``overlay`` does not fit ``base``."""
    raise_first_problem(source, positions or {}, overlay_problems(overlay, base))


def overlay_problems(overlay: Overlay, base: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    if overlay.scenario is not None and overlay.scenario != base.id:
        problems.append(
            Problem(
                ("scenario",),
                f"the id of the scenario it is applied to ({base.id!r})",
                repr(overlay.scenario),
            )
        )
    if not overlay.parameters and not overlay.record:
        problems.append(Problem((), "at least one change under `parameters` or `record`", "none"))
    for name, pieces in overlay.parameters.items():
        path = ("parameters", name)
        if name not in PARAMETERS_BY_NAME:
            problems.append(Problem(path, a_parameter(name), repr(name)))
            continue
        for i, piece in enumerate(pieces):
            problems += range_inside(base, piece.periods, (*path, i, "periods"))
            problems += piece_problems(name, piece, (*path, i))
        problems += coverage(base, [p.periods for p in pieces], path, f"parameter `{name}`", complete=False)
    for i, entry in enumerate(overlay.record):
        problems += record_entry_problems(base, entry, ("record", i))
    problems += coverage(base, [r.periods for r in overlay.record], ("record",), "the record", complete=False)
    known = {**base.sources, **overlay.sources}
    cited: list[tuple[FieldPath, list[Citation]]] = [
        (("parameters", n, i, "sources"), p.sources)
        for n, ps in overlay.parameters.items()
        for i, p in enumerate(ps)
    ] + [(("record", i, "sources"), r.sources) for i, r in enumerate(overlay.record)]
    for cited_at, citations in cited:
        for j, citation in enumerate(citations):
            if citation.ref not in known:
                problems.append(
                    Problem(
                        (*cited_at, j, "ref"),
                        "a source id of the scenario or the overlay",
                        repr(citation.ref),
                    )
                )
    return problems


def load_overlay(path: str | Path) -> tuple[Overlay, dict, str]:
    """Read an overlay file: the overlay, the positions of its values and its name for errors."""
    text = read_document(path, "overlay")
    overlay, positions = read_overlay(text, str(path))
    return overlay, positions, str(path)


def builtin_overlay_names() -> list[str]:
    """Names of the counterfactuals shipped with the package."""
    folder = resources.files(BUILTIN_PACKAGE).joinpath(OVERLAY_FOLDER)
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def resolve_overlay(name_or_path: str) -> tuple[Overlay, dict, str]:
    """A shipped counterfactual by name, or an overlay file."""
    if name_or_path in builtin_overlay_names():
        source = f"{OVERLAY_FOLDER}/{name_or_path}.yaml"
        text = resources.files(BUILTIN_PACKAGE).joinpath(source).read_text(encoding="utf-8")
        overlay, positions = read_overlay(text, source)
        return overlay, positions, source
    if not Path(name_or_path).exists():
        names = ", ".join(builtin_overlay_names()) or "none installed"
        raise ScenarioError(
            source=name_or_path,
            line=None,
            column=None,
            field="",
            expected=f"a shipped counterfactual ({names}) or an existing overlay file",
            found="neither",
        )
    return load_overlay(name_or_path)


def apply_overlay(base: Scenario, overlay: Overlay) -> Scenario:
    """The base scenario with the overlay's pieces and record entries put in over their periods."""
    parameters = dict(base.parameters)
    for name, pieces in overlay.parameters.items():
        parameters[name] = _put_in(base.pieces_of(name), pieces, ParameterPiece, base)
    record = _put_in(base.record, overlay.record, RecordEntry, base) if overlay.record else list(base.record)
    return base.model_copy(
        update={"parameters": parameters, "record": record, "sources": {**base.sources, **overlay.sources}}
    )


Item = TypeVar("Item", ParameterPiece, RecordEntry)


def _put_in(old: list[Item], new: Sequence[Item], kind: type[Item], base: Scenario) -> list[Item]:
    """``old`` pieces or record entries with the ``new`` ones (made plain ``kind``) put in over their
    periods, in time order."""
    spans = [item.periods for item in new]
    kept = [part for item in old for part in _outside(item, spans, base)]
    added = [kind.model_construct(**dict(item)) for item in new]
    return sorted(kept + added, key=lambda item: item.periods.start)


def _outside(item: Item, spans: list[PeriodRange], base: Scenario) -> list[Item]:
    """The parts of a piece or record entry not covered by ``spans``, as copies with narrowed periods:
    one for each run of consecutive periods of ``base`` that the item covers and no span does."""
    runs: list[list[Period]] = []
    previous = None
    for period in base.timeline:
        if period in item.periods and not any(period in span for span in spans):
            if runs and runs[-1][-1] == previous:
                runs[-1].append(period)
            else:
                runs.append([period])
        previous = period
    return [item.model_copy(update={"periods": PeriodRange(run[0], run[-1])}) for run in runs]


#: Record fields that answer a challenge, so go where a period is left without one.
ANSWER_FIELDS = ("pivot_response", "appeal_answered", "ceasefire_days", "ceasefire_held")
#: Record fields that describe a challenge, so go with it too.
CHALLENGE_FIELDS = ("ceasefire_broker", "challenger_kept", "against")

SETTABLE_RECORD_FIELDS = (
    "challenge",
    "pivot_response",
    "appeal_answered",
    "target_hedged",
    "ceasefire_days",
    "ceasefire_held",
    "target_move",
    "pivot_answer",
    "pivot_posture",
)


def overlay_from_settings(
    settings: list[str], base: Scenario, periods: str | None = None, option: str = "--set"
) -> Overlay:
    """Build an overlay from ``PATH=VALUE[@PERIODS]`` settings, as typed after ``--set``.

    ``PATH`` is a parameter name (optionally ``parameters.NAME``) with a number
    or ``low,mode,high`` as value, or ``record.FIELD`` with a value for that
    record field, set in each period's own record entry: a response goes only to
    periods that have a challenge to answer, what a change leaves unsaid (a ceasefire
    after a response that is no longer a mediation) goes, and periods left as they were
    are not part of the overlay unless no setting changes anything.  A period with no
    record takes a setting only with a ``record.challenge`` for it.  ``PERIODS`` (a year,
    ``2020-2025``, an episode played as a period) defaults to ``periods``, else the
    scenario's whole span.  ``option`` names the settings in errors.
    """
    default = periods or f"{base.periods.start}-{base.periods.end}"
    parameters: dict[str, list[dict]] = {}
    record: dict[Period, dict] = {}  # one entry per period a setting reaches, from that period's own
    given: set[tuple[Period, str]] = set()  # (period, record field) set explicitly
    answers: dict[str, list[Period]] = {}  # a response setting's span -> the periods it reached
    for setting in settings:
        where = f"{option} {setting}"
        path, value, span = _split_setting(setting, default, where)
        if path.startswith("record."):
            field = path.removeprefix("record.")
            if field not in SETTABLE_RECORD_FIELDS:
                raise _setting_error(
                    where, path, f"a record field ({', '.join(SETTABLE_RECORD_FIELDS)})", repr(field)
                )
            empty = value.lower() in ("null", "") or (value.lower() == "none" and field != "challenge")
            for period in _periods_of(base, span, where):
                entry = record.setdefault(period, _record_start(base, period))
                entry[field] = None if empty else value  # "none" is a challenge, and no value elsewhere
                given.add((period, field))
                if field in ANSWER_FIELDS and not empty:
                    answers.setdefault(where, []).append(period)
        else:
            name = path.removeprefix("parameters.")
            parameters.setdefault(name, []).append({"periods": span, **_piece_values(value, where, path)})
    for period, entry in record.items():
        # What answers a challenge goes where none is left (a setting over several periods reaches
        # some without one); whether a ceasefire held is said only of a mediation, and the pivot's
        # answer only of a provocation: ones kept from the base record go when a setting changes that.
        if base.record_for(period) is None and (period, "challenge") not in given:
            raise _setting_error(
                f"{option} " + " ".join(settings),
                "periods",
                f"a record.challenge for {period_label(period)} too (the scenario has no "
                "record there, so the model simulates it)",
                "no challenge given",
            )
        if entry.get("challenge") == "none":
            for field in (*ANSWER_FIELDS, *CHALLENGE_FIELDS):
                entry.pop(field, None)
        elif (period, "deterred") not in given:
            entry.pop("deterred", None)  # a threat called off is said only of a period without a challenge
        if entry.get("pivot_response") != "mediate" and not entry.get("ceasefire_broker"):
            for field in ("ceasefire_held", "ceasefire_days"):
                if (period, field) not in given:
                    entry.pop(field, None)
        if entry.get("target_move") != "provoke" and (period, "pivot_answer") not in given:
            entry.pop("pivot_answer", None)
    for where, reached in answers.items():
        if all(record[p].get("challenge") == "none" for p in reached):
            raise _setting_error(
                where,
                "periods",
                "periods with a challenge to answer (set "
                "record.challenge too, or name a period with a probe or an offensive)",
                ", ".join(period_label(p) for p in reached) + ": no challenge",
            )
    changed = {period: entry for period, entry in record.items() if entry != _record_start(base, period)}
    if not changed and not parameters:
        changed = record  # settings restating the record are a variant too (a sweep grid's base value)
    data = {
        "id": "settings",
        "title": f"Settings given with {option}",
        "parameters": parameters,
        "record": [
            {"periods": str(PeriodRange(period, period)), **entry} for period, entry in changed.items()
        ],
    }
    overlay = validate_data(data, {}, option, Overlay, {"episodes": [e.model_dump() for e in base.episodes]})
    check_overlay(overlay, base, option)
    return overlay


def _split_setting(setting: str, default: str, where: str) -> tuple[str, str, str]:
    path, sep, rest = setting.partition("=")
    if not sep or not path.strip():
        raise _setting_error(where, "", "PATH=VALUE, e.g. patron_shield=0.1@2020-2025", repr(setting))
    value, _, span = rest.partition("@")
    return path.strip(), value.strip(), span.strip() or default


def _piece_values(value: str, where: str, path: str) -> dict[str, float | str]:
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 1:
        return {"low": numbers[0], "mode": numbers[0], "high": numbers[0]}
    if len(numbers) == 3:
        return {"low": numbers[0], "mode": numbers[1], "high": numbers[2]}
    raise _setting_error(where, path, "a number or low,mode,high", repr(value))


def _periods_of(base: Scenario, span: str, where: str) -> list[Period]:
    """The periods of ``base`` a setting's ``@PERIODS`` names."""
    try:
        return base.periods_in(base.span(span))
    except ValueError as error:
        expected = str(error).removeprefix("expected ").rsplit(", found ", 1)[0]
        raise _setting_error(where, "periods", expected, repr(span)) from None


def _record_start(base: Scenario, period: Period) -> dict:
    """The base record of one period, every field it gives, to be changed field by field."""
    entry = base.record_for(period)
    if entry is None:
        return {"challenge": "none"}
    return {
        name: value
        for name, value in entry.model_dump(exclude={"periods"}).items()
        if value is not None and value != []
    }


def _setting_error(where: str, field: str, expected: str, found: str) -> ScenarioError:
    return ScenarioError(source=where, line=None, column=None, field=field, expected=expected, found=found)
