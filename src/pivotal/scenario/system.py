"""Systems of dyads that share one pivot: several scenarios whose observers watch the same power.

A pivot's reputation is one asset across all its clients: what it does between one pair of rivals
is watched by the others.  A system file names the scenarios (dyads), the pivot they share, and
``contagion``: the share of what the observers of one dyad learn about the pivot's resolve that
carries to the observers of another (0: each dyad learns only from its own crises; 1: everyone
learns from every crisis, as if all watched one belief).  Each dyad keeps its own actors,
parameters and record; the system adds only what links them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field

from pivotal.model.parameters import ParameterSpec
from pivotal.scenario.checks import Problem, citation_problems, coverage, piece_problems
from pivotal.scenario.errors import ScenarioError
from pivotal.scenario.loader import (
    BUILTIN_PACKAGE,
    builtin_names,
    builtin_scenario,
    load_scenario,
    raise_first_problem,
    read_document,
    validate_document,
)
from pivotal.scenario.schema import ParameterPiece, PeriodRange, Scenario, Source, Strict, typed_span
from pivotal.scenario.timeline import Period, year_of

CONTAGION = ParameterSpec(
    "contagion",
    "omega",
    0,
    1,
    "share of what one dyad's observers learn of the pivot's resolve that carries to another dyad's",
)


class Dyad(Strict):
    scenario: str  # a built-in scenario's name, or a file path relative to the system file
    note: str | None = None


class System(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    title: str
    description: str = ""
    pivot: str  # the actor code every dyad's roles give as pivot (a dyad may have periods with none)
    dyads: Annotated[list[Dyad], Field(min_length=2)]
    contagion: Annotated[list[ParameterPiece], Field(min_length=1)]
    sources: dict[str, Source]


@dataclass(frozen=True)
class LoadedSystem:
    """A system with its dyads' scenarios loaded, in the file's order."""

    system: System
    scenarios: tuple[Scenario, ...]

    @property
    def years(self) -> tuple[int, int]:
        """The first dyad's first year and the last one's last."""
        return min(s.periods.start for s in self.scenarios), max(s.periods.end for s in self.scenarios)

    @property
    def periods(self) -> PeriodRange:
        """From the first dyad's first period to the last one's last."""
        return PeriodRange(*self.years)

    @property
    def timeline(self) -> list[Period]:
        """Every period of any dyad, in time order (a year played whole comes before its episodes)."""
        return sorted({p for s in self.scenarios for p in s.timeline})

    def periods_in(self, span: PeriodRange) -> list[Period]:
        return [p for p in self.timeline if p in span]

    def span(self, text: str) -> PeriodRange:
        """Periods typed by a user (``--over``), checked against the dyads' periods."""
        episodes = {e.id: e.start for s in self.scenarios for e in s.episodes}
        return typed_span(text, *self.years, self.timeline, episodes)


def parse_system(text: str, source: str = "<string>", folder: Path | None = None) -> LoadedSystem:
    """Parse a system from YAML text; dyad files are looked for beside it (``folder``)."""
    _not_a_scenario(text, source)
    system, positions = validate_document(
        text, source, System, "system sections (id, title, pivot, dyads, ...)"
    )
    scenarios = []
    problems: list[Problem] = []
    for i, dyad in enumerate(system.dyads):
        try:
            scenarios.append(_dyad_scenario(dyad.scenario, folder))
        except ScenarioError as err:
            problems.append(
                Problem(
                    ("dyads", i, "scenario"),
                    "a built-in scenario or a valid scenario file",
                    f"{dyad.scenario!r}: {err}",
                )
            )
    raise_first_problem(source, positions, problems)
    loaded = LoadedSystem(system, tuple(scenarios))
    raise_first_problem(source, positions, list(system_problems(loaded)))
    return loaded


#: Where the built-in systems ship: beside the built-in scenarios, which their dyads name.
SYSTEMS_FOLDER = "systems"


def builtin_system_names() -> list[str]:
    """Names of the systems shipped with the package, in alphabetical order."""
    folder = resources.files(BUILTIN_PACKAGE).joinpath(SYSTEMS_FOLDER)
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def resolve_system(name_or_path: str) -> LoadedSystem:
    """A built-in system's name or a path to a system file."""
    if name_or_path in builtin_system_names():
        text = (
            resources.files(BUILTIN_PACKAGE)
            .joinpath(SYSTEMS_FOLDER, f"{name_or_path}.yaml")
            .read_text(encoding="utf-8")
        )
        return parse_system(text, source=f"{name_or_path}.yaml")
    if not Path(name_or_path).exists():
        names = ", ".join(builtin_system_names()) or "none installed"
        raise ScenarioError(
            source=name_or_path,
            line=None,
            column=None,
            field="",
            expected=f"a built-in system ({names}) or an existing system file",
            found="neither",
        )
    return load_system(name_or_path)


def _not_a_scenario(text: str, source: str) -> None:
    """A scenario given where a system is expected: say so, rather than list its unknown keys."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return  # the validator locates the YAML error
    if isinstance(data, dict) and {"roles", "actors"} <= set(data) and "dyads" not in data:
        raise ScenarioError(
            source=source,
            line=1,
            column=1,
            field="",
            expected="a system file (id, title, pivot, dyads, contagion, sources)",
            found="a scenario (it has actors and roles): check it with `pivotal validate`",
        )


def load_system(path: str | Path) -> LoadedSystem:
    """Load a system file; errors name the file as given."""
    return parse_system(read_document(path, "system"), source=str(path), folder=Path(path).resolve().parent)


def _dyad_scenario(name: str, folder: Path | None) -> Scenario:
    if name in builtin_names():
        return builtin_scenario(name)
    path = Path(name) if folder is None or Path(name).is_absolute() else folder / name
    if not path.exists():
        raise ScenarioError(
            source=name,
            line=None,
            column=None,
            field="",
            expected=f"a built-in scenario ({', '.join(builtin_names())}) or a file",
            found="neither",
        )
    return load_scenario(path)


def system_problems(loaded: LoadedSystem) -> list[Problem]:
    """What makes a system's parts not fit together."""
    system, found = loaded.system, []
    ids = [s.id for s in loaded.scenarios]
    pivots = [{r.pivot for r in scenario.roles if r.pivot is not None} for scenario in loaded.scenarios]
    if all(system.pivot not in named for named in pivots):  # the system's pivot is the mistake
        named = sorted(set().union(*pivots))
        found.append(
            Problem(
                ("pivot",),
                f"the actor code the dyads' roles name as pivot ({', '.join(named)})",
                repr(system.pivot),
            )
        )
    for i, scenario in enumerate(loaded.scenarios):
        if ids.index(scenario.id) != i:
            found.append(
                Problem(("dyads", i, "scenario"), "each dyad a different scenario", repr(scenario.id))
            )
        elif pivots[i] != {system.pivot} and any(system.pivot in named for named in pivots):
            found.append(
                Problem(
                    ("dyads", i, "scenario"),
                    f"a scenario whose roles name `{system.pivot}` as the pivot throughout",
                    f"{scenario.id}: pivots {', '.join(sorted(pivots[i])) or 'none'}",
                )
            )
    span = _Span(loaded.periods, loaded.timeline)
    for i, piece in enumerate(system.contagion):
        first, last = span.periods.start, span.periods.end
        if piece.periods.start < first or year_of(piece.periods.end) > last or piece.periods.reversed:
            found.append(
                Problem(
                    ("contagion", i, "periods"),
                    f"periods within the dyads' {first}-{last}",
                    f"'{piece.periods}'",
                )
            )
        found += piece_problems_of(piece, ("contagion", i))
    found += coverage(
        span,
        [p.periods for p in system.contagion],
        ("contagion",),
        "`contagion`",
        complete=True,
    )
    found += citation_problems(
        system.sources, [(("contagion", i, "sources"), p.sources) for i, p in enumerate(system.contagion)]
    )
    return found


def piece_problems_of(piece: ParameterPiece, path: tuple) -> list[Problem]:
    found = list(piece_problems("contagion", piece, path))
    if found:
        return found
    return [
        Problem((*path, field), f"a value of `contagion` in {CONTAGION.describe_bounds()}", f"{value:g}")
        for field in ("low", "mode", "high")
        if (value := getattr(piece, field)) is not None and not CONTAGION.contains(value)
    ][:1]


@dataclass(frozen=True)
class _Span:
    """The periods a coverage check asks about."""

    periods: PeriodRange
    timeline: list[Period]

    def periods_in(self, span: PeriodRange) -> list[Period]:
        return [p for p in self.timeline if p in span]
