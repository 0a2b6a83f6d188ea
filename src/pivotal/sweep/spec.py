"""What a sweep varies: grid axes and sampled ranges, expanded into validated variants.

A sweep is written as ``--set`` options or as a YAML file with ``grid`` and
``sample`` sections.  Each variant is the base scenario with an overlay built
by :func:`~pivotal.scenario.overlay.overlay_from_settings`, so a sweep can
change exactly what ``pivotal whatif --set`` can.  Every variant is built and
validated here, before anything runs: a bad value is a located
:class:`ScenarioError` pointing at the option or at the spec file's line, not
a task that fails on a worker.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from pivotal.model.parameters import PARAMETER_NAMES, PARAMETERS_BY_NAME
from pivotal.scenario.errors import ScenarioError
from pivotal.scenario.loader import read_document, validate_document
from pivotal.scenario.overlay import SETTABLE_RECORD_FIELDS, apply_overlay, overlay_from_settings
from pivotal.scenario.positions import dotted, locate
from pivotal.scenario.schema import Periods, Scenario, Strict

MAX_VARIANTS = 10_000
METHODS = ("lhs", "sobol")
# Mixed into the sweep's seed so the sampler's stream differs from the simulation's.
SAMPLER_STREAM = 0x5EE9


@dataclass(frozen=True)
class Origin:
    """Where a piece of a sweep was written, so an error about it can point there."""

    source: str
    line: int | None = None
    column: int | None = None
    field: str = ""

    def error(self, expected: str, found: str, field: str | None = None) -> ScenarioError:
        return ScenarioError(
            source=self.source,
            line=self.line,
            column=self.column,
            field=self.field if field is None else field,
            expected=expected,
            found=found,
        )

    def relocate(self, error: ScenarioError) -> ScenarioError:
        """The same complaint, pointed at this origin rather than at the overlay built from it."""
        field = self.field if self.line is not None else error.field
        return self.error(error.expected, error.found, field)


@dataclass(frozen=True)
class Choice:
    """One value of a grid axis: ``text`` as ``--set`` takes it, ``shown`` for tables and JSON."""

    text: str
    shown: Any
    origin: Origin


@dataclass(frozen=True)
class GridAxis:
    path: str
    periods: str | None
    choices: tuple[Choice, ...]
    origin: Origin
    periods_origin: Origin | None = None  # where the span was written, when apart from the path

    @property
    def label(self) -> str:
        return _label(self.path, self.periods)


@dataclass(frozen=True)
class SampleRange:
    path: str
    periods: str | None
    low: float
    high: float
    origin: Origin
    periods_origin: Origin | None = None
    bound_origins: tuple[Origin, Origin] | None = None  # where LOW and HIGH were written

    @property
    def label(self) -> str:
        return _label(self.path, self.periods)


@dataclass(frozen=True)
class SweepSpec:
    """Grid axes crossed with ``size`` points sampled over ``ranges`` (either part may be empty)."""

    grid: tuple[GridAxis, ...] = ()
    ranges: tuple[SampleRange, ...] = ()
    size: int | None = None
    method: str | None = None  # None: not said, a Latin hypercube
    scenario: str | None = None
    sample_origin: Origin | None = None

    @property
    def design(self) -> str:
        return self.method or "lhs"

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data, kept with the sweep in the store."""
        data: dict[str, Any] = {
            "scenario": self.scenario,
            "grid": [
                {"path": a.path, "periods": a.periods, "values": [c.shown for c in a.choices]}
                for a in self.grid
            ],
        }
        if self.ranges:
            data["sample"] = {
                "size": self.size,
                "method": self.design,
                "ranges": [
                    {"path": r.path, "periods": r.periods, "low": r.low, "high": r.high} for r in self.ranges
                ],
            }
        return data


@dataclass(frozen=True)
class Variant:
    """One scenario of a sweep: the settings that make it, their values by axis, and the result."""

    index: int
    settings: tuple[str, ...]
    values: dict[str, Any]
    scenario: Scenario

    def to_dict(self) -> dict[str, Any]:
        return {"settings": list(self.settings), "values": self.values}


# ---- from the command line -------------------------------------------------------------------


def spec_from_settings(
    settings: list[str],
    *,
    sample: int | None = None,
    method: str | None = None,
    periods: str | None = None,
) -> SweepSpec:
    """Parse ``--set PATH=V1,V2,...[@PERIODS]`` (grid) and ``--set PATH=LOW:HIGH[@PERIODS]`` (sampled).

    In a grid value, ``low/mode/high`` stands for a triangular range, since
    commas separate the grid's values.  ``periods`` is the span of settings
    that give none.
    """
    grid: list[GridAxis] = []
    ranges: list[SampleRange] = []
    for setting in settings:
        origin = Origin(f"--set {setting}")
        path, sep, rest = setting.partition("=")
        path = path.strip()
        if not sep or not path:
            raise origin.error(
                "PATH=V1,V2,...[@PERIODS] or PATH=LOW:HIGH[@PERIODS], e.g. patron_shield=0,0.2,0.4@2020-2025",
                repr(setting),
                field="",
            )
        origin = Origin(origin.source, field=path)
        value, _, written_span = rest.partition("@")
        span = written_span.strip() or periods
        if ":" in value:
            ranges.append(_cli_range(path, value, span, origin))
        else:
            choices = tuple(_cli_choice(path, text.strip(), origin) for text in value.split(","))
            grid.append(GridAxis(path, span, choices, origin))
    sample_origin = Origin("--sample") if sample is not None else None
    return SweepSpec(tuple(grid), tuple(ranges), sample, method, None, sample_origin)


def _cli_range(path: str, value: str, span: str | None, origin: Origin) -> SampleRange:
    low_text, _, high_text = value.partition(":")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise origin.error("LOW:HIGH with two numbers, e.g. 0.1:0.6", repr(value)) from None
    return SampleRange(path, span, low, high, origin)


def _cli_choice(path: str, text: str, origin: Origin) -> Choice:
    if not text:
        raise origin.error("values separated by single commas", "an empty value")
    if not path.startswith("record.") and "/" in text:
        return Choice(text.replace("/", ","), text, origin)
    return Choice(text, _number_or_text(text), origin)


def merge(first: SweepSpec, second: SweepSpec) -> SweepSpec:
    """A spec file's sweep extended by command-line options; the options' sample size and method win."""
    size = second.size if second.size is not None else first.size
    method = second.method or first.method
    return SweepSpec(
        first.grid + second.grid,
        first.ranges + second.ranges,
        size,
        method,
        second.scenario or first.scenario,
        second.sample_origin or first.sample_origin,
    )


# ---- from a YAML file ------------------------------------------------------------------------


class GridAxisDoc(Strict):
    path: str
    values: Annotated[list[Any], Field(min_length=1)]  # checked one by one in _doc_choice
    periods: Periods | None = None


class SampleRangeDoc(Strict):
    path: str
    low: float
    high: float
    periods: Periods | None = None


class SampleDoc(Strict):
    size: Annotated[int, Field(ge=1)]
    method: Literal["lhs", "sobol"] = "lhs"
    ranges: Annotated[list[SampleRangeDoc], Field(min_length=1)]


class SweepDoc(Strict):
    scenario: str | None = None
    periods: Periods | None = None
    grid: list[GridAxisDoc] = Field(default_factory=list)
    sample: SampleDoc | None = None


def read_spec(text: str, source: str = "<string>") -> SweepSpec:
    """Parse a sweep YAML document; mistakes are ScenarioErrors naming the line and field."""
    sections = "sweep sections (scenario, periods, grid, sample)"
    doc, positions = validate_document(text, source, SweepDoc, sections)

    def origin(*path: str | int) -> Origin:
        _, mark = locate(positions, path)
        return Origin(source, mark.line if mark else None, mark.column if mark else None, dotted(path))

    default = str(doc.periods) if doc.periods is not None else None
    grid = []
    for i, axis in enumerate(doc.grid):
        span = str(axis.periods) if axis.periods is not None else default
        choices = tuple(
            _doc_choice(value, origin("grid", i, "values", j)) for j, value in enumerate(axis.values)
        )
        grid.append(
            GridAxis(
                axis.path,
                span,
                choices,
                origin("grid", i, "path"),
                _periods_origin(axis.periods, origin, "grid", i),
            )
        )
    ranges: list[SampleRange] = []
    sample_origin = None
    if doc.sample is not None:
        sample_origin = origin("sample", "size")
        for i, r in enumerate(doc.sample.ranges):
            span = str(r.periods) if r.periods is not None else default
            at = ("sample", "ranges", i)
            ranges.append(
                SampleRange(
                    r.path,
                    span,
                    r.low,
                    r.high,
                    origin(*at, "path"),
                    _periods_origin(r.periods, origin, *at),
                    (origin(*at, "low"), origin(*at, "high")),
                )
            )
    if not grid and not ranges:
        raise origin().error("a `grid` or a `sample` section", "neither")
    return SweepSpec(
        tuple(grid),
        tuple(ranges),
        doc.sample.size if doc.sample else None,
        doc.sample.method if doc.sample else None,
        doc.scenario,
        sample_origin,
    )


def load_spec(path: str | Path) -> SweepSpec:
    """Read a sweep spec file; errors name the file as given."""
    return read_spec(read_document(path, "sweep spec"), str(path))


def _periods_origin(periods: Any, origin: Any, *at: str | int) -> Origin | None:
    return origin(*at, "periods") if periods is not None else None


def _doc_choice(value: Any, origin: Origin) -> Choice:
    """A grid value: a number, ``[low, mode, high]``, or a record value (text, true/false, null)."""
    if isinstance(value, list):
        if len(value) != 3 or not all(_is_number(v) for v in value):
            raise origin.error("[low, mode, high] with three numbers", f"a list of {len(value)}: {value!r}")
        parts = [_number_text(v) for v in value]
        return Choice(",".join(parts), "/".join(parts), origin)
    if value is None:
        return Choice("none", None, origin)
    if isinstance(value, bool):
        return Choice(str(value).lower(), value, origin)
    if _is_number(value):
        return Choice(_number_text(value), float(value), origin)
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(value)
        shown = f"{digits[:12]}... ({len(digits)} digits)" if len(digits) > 20 else digits
        raise origin.error("a finite number", shown)
    if isinstance(value, str) and value.strip():
        return Choice(value.strip(), _number_or_text(value.strip()), origin)
    raise origin.error(
        "a number, [low, mode, high], or a record value such as restrain",
        "a mapping" if isinstance(value, dict) else repr(value),
    )


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool); an integer too large for a float is no number here."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


# ---- expansion and validation ----------------------------------------------------------------


def build_variants(spec: SweepSpec, base: Scenario, seed: int) -> list[Variant]:
    """Every variant of ``spec`` over ``base``, each validated; the first mistake is raised, located.

    Sampled points come from a Latin hypercube or a scrambled Sobol' sequence
    seeded from ``seed``, so the same sweep gives the same variants.
    """
    _check_shape(spec)
    for axis in spec.grid:
        _check_path(axis.path, axis.origin)
        for choice in axis.choices:
            _check_setting(
                _setting(axis.path, choice.text, axis.periods, base), base, choice.origin, axis.periods_origin
            )
    for r in spec.ranges:
        if r.path.startswith("record."):
            raise r.origin.error(
                "a model parameter (only parameters can be sampled; give record values as a grid)",
                repr(r.path),
            )
        _check_path(r.path, r.origin)
        low_at, high_at = r.bound_origins or (r.origin, r.origin)
        if r.low > r.high:
            raise high_at.error(f"HIGH >= LOW ({_number_text(r.low)})", _number_text(r.high))
        for bound, at in ((r.low, low_at), (r.high, high_at)):
            _check_setting(_setting(r.path, _number_text(bound), r.periods, base), base, at, r.periods_origin)
    points = sample_points(spec, seed) if spec.ranges else np.empty((1, 0))
    variants: list[Variant] = []
    for grid_point in itertools.product(*(axis.choices for axis in spec.grid)):
        for row in points:
            settings = [
                _setting(a.path, c.text, a.periods, base) for a, c in zip(spec.grid, grid_point, strict=True)
            ]
            settings += [
                _setting(r.path, _number_text(float(x)), r.periods, base)
                for r, x in zip(spec.ranges, row, strict=True)
            ]
            values = {a.label: c.shown for a, c in zip(spec.grid, grid_point, strict=True)}
            values |= {r.label: float(x) for r, x in zip(spec.ranges, row, strict=True)}
            index = len(variants)
            where = Origin(f"sweep variant {index} ({', '.join(settings)})")
            try:
                overlay = overlay_from_settings(settings, base)
            except ScenarioError as err:
                raise where.relocate(err) from err
            variants.append(Variant(index, tuple(settings), values, apply_overlay(base, overlay)))
    return variants


def sample_points(spec: SweepSpec, seed: int) -> np.ndarray:
    """``spec.size`` points in the box of ``spec.ranges``, one row per point."""
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence([seed, SAMPLER_STREAM]))
    dims = len(spec.ranges)
    engine = qmc.Sobol(dims, rng=rng) if spec.design == "sobol" else qmc.LatinHypercube(dims, rng=rng)
    unit = engine.random(spec.size or 0)
    low = np.array([r.low for r in spec.ranges])
    high = np.array([r.high for r in spec.ranges])
    return low + unit * (high - low)


def variant_count(spec: SweepSpec) -> int:
    grid = math.prod(len(axis.choices) for axis in spec.grid)
    return grid * (spec.size or 0) if spec.ranges else grid


def _check_shape(spec: SweepSpec) -> None:
    """Mistakes in the sweep as a whole: nothing to vary, a sample without ranges, too many variants."""
    if not spec.grid and not spec.ranges:
        raise Origin("--set").error(
            "at least one --set PATH=V1,V2,... or PATH=LOW:HIGH, or a --spec file",
            "nothing to vary",
            field="",
        )
    if spec.ranges and spec.size is None:
        first = spec.ranges[0]
        raise first.origin.error("--sample N to draw N values between LOW and HIGH", "no --sample")
    if spec.size is not None and not spec.ranges:
        where = spec.sample_origin or Origin("--sample")
        raise where.error(
            "at least one range to sample, e.g. --set patron_shield=0.1:0.6", "none", field=where.field
        )
    if spec.design not in METHODS:
        where = spec.sample_origin or Origin("--method")
        raise where.error(f"one of {', '.join(METHODS)}", repr(spec.method))
    if spec.ranges and spec.design == "sobol" and spec.size is not None and spec.size & (spec.size - 1):
        where = spec.sample_origin or Origin("--sample")
        raise where.error(
            "a power of 2 for a Sobol' sample (e.g. 16, 32, 64), or --method lhs for any size", str(spec.size)
        )
    seen: dict[str, Origin] = {}
    items: tuple[GridAxis | SampleRange, ...] = (*spec.grid, *spec.ranges)
    for item in items:
        if item.label in seen:
            raise item.origin.error("each PATH@PERIODS once in a sweep", f"{item.label} again")
        seen[item.label] = item.origin
    count = variant_count(spec)
    if count > MAX_VARIANTS:
        # said at the sample's size, or at the grid, where a spec file gives their lines
        given_at = spec.sample_origin if spec.grid == () else spec.grid[0].origin
        said_at = given_at if given_at is not None and given_at.line is not None else Origin("sweep")
        raise said_at.error(
            f"at most {MAX_VARIANTS:,} variants; split the sweep or sample it",
            f"{count:,}",
            field=said_at.field if said_at.line is not None else "",
        )


def _check_path(path: str, origin: Origin) -> None:
    """A path names a model parameter or a settable record field; said at the path, not at a value."""
    if path.startswith("record."):
        if path.removeprefix("record.") not in SETTABLE_RECORD_FIELDS:
            raise origin.error(
                f"record.FIELD with FIELD one of {', '.join(SETTABLE_RECORD_FIELDS)}", repr(path)
            )
    elif path.removeprefix("parameters.") not in PARAMETERS_BY_NAME:
        raise origin.error(f"a model parameter ({', '.join(PARAMETER_NAMES)}) or record.FIELD", repr(path))


def _check_setting(setting: str, base: Scenario, origin: Origin, periods_origin: Origin | None) -> None:
    """One value on its own against the base; a bad span is reported where the span was written."""
    try:
        overlay_from_settings([setting], base)
    except ScenarioError as err:
        at = periods_origin if periods_origin is not None and err.field.endswith("periods") else origin
        raise at.relocate(err) from err


def _setting(path: str, text: str, periods: str | None, base: Scenario) -> str:
    """A ``--set`` setting with its span written out, so a stored variant can be typed back in."""
    return f"{path}={text}@{periods or f'{base.periods.start}-{base.periods.end}'}"


def _label(path: str, periods: str | None) -> str:
    return path if periods is None else f"{path}@{periods}"


def _number_text(value: float) -> str:
    """Shortest text that reads back as the same float; ``1.0`` as ``1``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _number_or_text(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text
