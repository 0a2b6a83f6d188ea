"""Read scenarios from strings, files and the built-in library.

Parsing works on a string; files are thin wrappers (the path becomes the
``source`` named in errors).  Every user mistake becomes one located
:class:`ScenarioError`; the cause is chained for debugging.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pivotal.scenario.checks import Problem, find_problems, find_warnings
from pivotal.scenario.errors import ScenarioError
from pivotal.scenario.positions import (
    YAML_LINE_BREAK,
    DocumentShapeError,
    Mark,
    dotted,
    locate,
    read_yaml,
    reader_offset,
)
from pivotal.scenario.pydantic_errors import describe
from pivotal.scenario.schema import DEFAULT_CORPUS, Scenario, episode_context

BUILTIN_PACKAGE = "pivotal.scenarios"
#: The built-in scenario a command uses when it is given none.
DEFAULT_BUILTIN = "south-caucasus"


M = TypeVar("M", bound=BaseModel)


def parse_scenario(text: str, source: str = "<string>") -> Scenario:
    """Parse and validate a scenario from YAML text.

    Parameters
    ----------
    text : the YAML document.
    source : the name errors give for the document (a file's path, or ``<string>``).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        The first mistake, located at its line and column in ``text`` (the others found at the
        same stage are in its ``problems``).

    Examples
    --------
    >>> from importlib.resources import files
    >>> from pivotal.scenario import ScenarioError, parse_scenario
    >>> text = (files("pivotal.scenarios") / "beagle-channel.yaml").read_text(encoding="utf-8")
    >>> scenario = parse_scenario(text)
    >>> scenario.id, scenario.timeline[0], scenario.timeline[-1]
    ('beagle-channel', 1977, 1985)
    >>> try:
    ...     parse_scenario("id: [")
    ... except ScenarioError as error:
    ...     print(error.line, error.column, error.expected)
    2 1 well-formed YAML
    """
    scenario, positions = validate_document(text, source, Scenario, "scenario sections (id, title, ...)")
    raise_first_problem(source, positions, find_problems(scenario))
    return scenario


def scenario_warnings(path: str | Path) -> list[ScenarioError]:
    """What a valid scenario file says that the model does not use (see
    :func:`~pivotal.scenario.checks.find_warnings`), each located in the file."""
    text = read_document(path)
    scenario, positions = validate_document(text, str(path), Scenario, "scenario sections (id, title, ...)")
    folder = str(Path(path).resolve().parent)
    return [_problem_error(str(path), positions, p, 0) for p in find_warnings(scenario, folder)]


def validate_document(text: str, source: str, model: type[M], sections: str) -> tuple[M, dict]:
    """Parse YAML text and validate it as ``model``; return it with the positions of its values."""
    data, positions = _parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ScenarioError(
            source=source,
            line=1,
            column=1,
            field="",
            expected=f"a mapping of {sections}",
            found=_kind_of(data),
        )
    if model.__name__ == "Scenario" and {"dyads", "contagion"} <= set(data):
        raise ScenarioError(
            source=source,
            line=1,
            column=1,
            field="",
            expected="a scenario (id, title, periods, actors, roles, ...)",
            found="a system of dyads: check it with `pivotal system validate`",
        )
    if model.__name__ == "Overlay" and {"periods", "actors", "roles"} <= set(data):
        raise ScenarioError(
            source=source,
            line=1,
            column=1,
            field="",
            expected="an overlay: a file of changes to a scenario (id, title, parameters, record)",
            found="a whole scenario (it has periods, actors and roles); give it as the base with "
            "--scenario, e.g. pivotal whatif --set NAME=VALUE --scenario THIS-FILE",
        )
    return validate_data(data, positions, source, model), positions


def validate_data(
    data: dict, positions: dict, source: str, model: type[M], episodes_of: dict | None = None
) -> M:
    """Validate already-parsed data as ``model``; the first error becomes a located ScenarioError.

    Periods may name episodes by id: those of ``episodes_of`` (raw scenario data), else the data's own.
    """
    try:
        context = episode_context(data if episodes_of is None else episodes_of)
        return model.model_validate(data, context=context)
    except ValidationError as err:
        located = []
        for error in err.errors():
            loc = tuple(error["loc"])
            path, mark = locate(positions, loc) if positions else (_document_path(loc), None)
            expected, found, field_path = describe(error, path, model)
            located.append(_error(source, field_path, mark, expected, found, 0))
        raise _with_others(located) from err


def _document_path(loc: tuple) -> tuple:
    """A pydantic location without its validator-only parts (union tags), for data with no positions."""
    return tuple(p for p in loc if isinstance(p, int) or not any(c in str(p) for c in "[("))


def raise_first_problem(source: str, positions: dict, problems: list[Problem]) -> None:
    """Raise the first cross-field problem, located, carrying the rest (``ScenarioError.problems``)."""
    if problems:
        raise _with_others([_problem_error(source, positions, p, 0) for p in problems])


def _with_others(located: list[ScenarioError]) -> ScenarioError:
    """The first error, carrying the others."""
    first = located[0]
    return ScenarioError(
        source=first.source,
        line=first.line,
        column=first.column,
        field=first.field,
        expected=first.expected,
        found=first.found,
        others=located[1:],
    )


#: Largest scenario or overlay file read, in bytes: the built-in scenario is about 90 kB, and
#: a document many times larger is a mistake (or an attack) that would take minutes and gigabytes.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


def read_document(path: str | Path, what: str = "scenario") -> str:
    """The text of a YAML file; a missing, unreadable or oversized file is a located ScenarioError."""
    path = Path(path)
    try:
        with path.open("rb") as stream:  # read no more than the limit, whatever the file claims
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError as err:
        raise ScenarioError(
            source=str(path),
            line=None,
            column=None,
            field="",
            expected=f"an existing {what} file",
            found="no such file",
        ) from err
    except OSError as err:
        raise ScenarioError(
            source=str(path),
            line=None,
            column=None,
            field="",
            expected=f"a readable {what} file",
            found=type(err).__name__,
        ) from err
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ScenarioError(
            source=str(path),
            line=None,
            column=None,
            field="",
            expected=f"a {what} file of at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB",
            found="a larger file",
        )
    return decode_document(data, str(path))


def decode_document(data: bytes, source: str) -> str:
    """UTF-8 bytes as text; a byte that is not UTF-8 is a ScenarioError at its line and column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start].decode("utf-8")
        line, column = _line_and_column(before, len(before))
        raise ScenarioError(
            source=source,
            line=line,
            column=column,
            field="",
            expected="UTF-8 text",
            found=f"the byte {data[err.start]:#04x}",
        ) from err


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file; errors name the file as given.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        A missing, unreadable, oversized or invalid file, located (file, line, column, field).

    Examples
    --------
    >>> from importlib.resources import files
    >>> from pivotal.scenario import ScenarioError, load_scenario
    >>> load_scenario(files("pivotal.scenarios") / "beagle-channel.yaml").id
    'beagle-channel'
    >>> try:
    ...     load_scenario("no-such-file.yaml")
    ... except ScenarioError as error:
    ...     print(error)
    no-such-file.yaml: (document): expected an existing scenario file, found no such file
    """
    return parse_scenario(read_document(path), source=str(path))


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with the package: the default first (lists that show them,
    such as the web app's, start on the scenario a command uses when given none), then the rest
    in alphabetical order.

    Returns
    -------
    list of str
        The names :func:`builtin_scenario` accepts.

    Examples
    --------
    >>> from pivotal.scenario import builtin_names
    >>> builtin_names()[0], "beagle-channel" in builtin_names()
    ('south-caucasus', True)
    """
    folder = resources.files(BUILTIN_PACKAGE)
    names = sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
    return sorted(names, key=lambda name: name != DEFAULT_BUILTIN)


def builtin_scenario(name: str = DEFAULT_BUILTIN) -> Scenario:
    """Load a built-in scenario by name.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        ``name`` is not one of :func:`builtin_names`.

    Examples
    --------
    >>> from pivotal.scenario import builtin_scenario
    >>> scenario = builtin_scenario("south-caucasus")
    >>> scenario.timeline[0], scenario.timeline[-1]
    (1994, 2025)
    >>> len(scenario.timeline)  # 32 years, four of them split into crisis episodes
    40
    """
    if name not in builtin_names():
        raise ScenarioError(
            source=name,
            line=None,
            column=None,
            field="",
            expected=f"a built-in scenario ({', '.join(builtin_names())}) or a file path",
            found=repr(name),
        )
    text = resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse_scenario(text, source=f"{name}.yaml")


def resolve_scenario(name_or_path: str | None) -> Scenario:
    """A built-in name, a path to a YAML file, or ``None`` for the default.

    This is how the command line reads its ``SCENARIO`` argument.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        ``name_or_path`` is neither a built-in name nor an existing file, or the file is invalid.

    Examples
    --------
    >>> from pivotal.scenario import resolve_scenario
    >>> resolve_scenario(None).id
    'south-caucasus'
    >>> resolve_scenario("beagle-channel").id
    'beagle-channel'
    """
    if name_or_path is None:
        return builtin_scenario()
    if name_or_path in builtin_names():
        return builtin_scenario(name_or_path)
    if not Path(name_or_path).exists():
        names = ", ".join(builtin_names()) or "none installed"
        raise ScenarioError(
            source=name_or_path,
            line=None,
            column=None,
            field="",
            expected=f"a built-in scenario ({names}) or an existing YAML file",
            found="neither",
        )
    return load_scenario(name_or_path)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated content: formatting and comments do not change it.

    The evidence ``corpus`` is left out: it chooses the documents shown beside the parameters,
    not any number a run gives, and leaving it out keeps the hashes (and the analyses recorded
    under them) of files written before the field existed.

    Returns
    -------
    str
        64 hexadecimal digits; the run store keeps it with every run and analysis.

    Examples
    --------
    >>> from importlib.resources import files
    >>> from pivotal.scenario import parse_scenario, scenario_hash
    >>> text = (files("pivotal.scenarios") / "beagle-channel.yaml").read_text(encoding="utf-8")
    >>> digest = scenario_hash(parse_scenario(text))
    >>> len(digest)
    64
    >>> scenario_hash(parse_scenario("# a comment changes no number\\n" + text)) == digest
    True
    """
    return hashlib.sha256(
        scenario.model_dump_json(exclude=_unused_additions(scenario, corpus=True)).encode()
    ).hexdigest()


def scenario_json(scenario: Scenario) -> str:
    """The validated content as JSON, as a run records it.  Keys a file does not use that were added
    after 0.5 (and the default ``corpus``) are left out, so a release from before them can still read
    the runs of a scenario that does not use them, and such a scenario keeps its hash."""
    unused = _unused_additions(scenario, corpus=scenario.corpus == DEFAULT_CORPUS)
    return scenario.model_dump_json(exclude=unused)


def _unused_additions(scenario: Scenario, corpus: bool) -> dict:
    """What to leave out of a scenario's JSON: ``corpus`` if asked, and ``periods.split`` and the
    record's ``deterred`` where the file does not use them."""
    exclude: dict = {"corpus": True} if corpus else {}
    if not scenario.periods.split:
        exclude["periods"] = {"split"}
    if all(entry.deterred is None for entry in scenario.record):
        exclude["record"] = {"__all__": {"deterred"}}
    return exclude


def _parse_yaml(text: str, source: str) -> tuple[Any, dict]:
    try:
        document = read_yaml(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise ScenarioError(
            source=source,
            line=line,
            column=column,
            field="",
            expected="well-formed YAML",
            found=_found(err.problem or err.context or "a syntax error"),
        ) from err
    except yaml.reader.ReaderError as err:
        line, column = _line_and_column(text, reader_offset(text, err.position))
        raise ScenarioError(
            source=source,
            line=line,
            column=column,
            field="",
            expected="printable characters",
            found=f"the character #x{err.character:04x}"
            if isinstance(err.character, int)
            else repr(err.character),
        ) from err
    except yaml.YAMLError as err:
        raise ScenarioError(
            source=source, line=None, column=None, field="", expected="well-formed YAML", found=str(err)
        ) from err
    except UnicodeEncodeError as err:  # text from Python, not from a file: a lone surrogate
        line, column = _line_and_column(text, err.start)
        raise ScenarioError(
            source=source,
            line=line,
            column=column,
            field="",
            expected="Unicode text",
            found=f"the unpaired surrogate #x{ord(text[err.start]):04x}",
        ) from err
    except DocumentShapeError as err:
        raise _error(source, dotted(err.path), err.mark, err.expected, err.found, 0) from err
    if document.duplicates:
        in_order = sorted(document.duplicates, key=lambda d: (d.second.line, d.second.column))
        raise _with_others(
            [
                _error(
                    source,
                    dotted(dup.path),
                    dup.second,
                    "each key once in a mapping",
                    f"`{dup.path[-1]}` again (first at line {dup.first.line})",
                    0,
                )
                for dup in in_order
            ]
        )
    return document.data, document.positions


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset, with YAML's line breaks."""
    lines = YAML_LINE_BREAK.split(text[:offset])
    return len(lines), len(lines[-1]) + 1


def _found(problem: str) -> str:
    """A parser's problem as the 'found ...' part of a message (it often starts with 'found')."""
    return problem.removeprefix("found ")


def _kind_of(value: Any) -> str:
    return "an empty document" if value is None else f"a {type(value).__name__}"


def _error(source: str, field: str, mark: Mark | None, expected: str, found: str, more: int) -> ScenarioError:
    return ScenarioError(
        source=source,
        line=mark.line if mark else None,
        column=mark.column if mark else None,
        field=field,
        expected=expected,
        found=found,
        more=more,
    )


def _problem_error(source: str, positions: dict, problem: Problem, more: int) -> ScenarioError:
    _, mark = locate(positions, problem.path)
    return _error(source, dotted(problem.path), mark, problem.expected, problem.found, more)
