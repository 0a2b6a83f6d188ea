"""The HTTP API's request and response bodies, and its limits.

Declared as pydantic models so FastAPI's OpenAPI schema states every field,
bound and pattern precisely, and bad input is refused before any work starts.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pivotal.evidence.parameters import PassageNote
from pivotal.service.counterfactuals import WHATIF_METRICS
from pivotal.simulation import METRICS

MAX_DRAWS = 1_000_000
#: Draws of a what-if or a score: a score runs once per point of its precision grid.
MAX_ANALYSIS_DRAWS = 20_000
#: A what-if keeps every draw's outputs for both runs, about 200 bytes a draw and period each:
#: draws x periods is held under this (20,000 draws of a 32-period scenario, ~260 MB).
MAX_WHATIF_CELLS = 640_000
DEFAULT_DRAWS = 2000
MAX_SEED = 2**63 - 1
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_SETTINGS = 96

SCENARIO_NAME = r"^[a-z0-9][a-z0-9\-]{0,63}$"
UPLOAD_ID = r"^[0-9a-f]{16}$"
RUN_ID = r"^[0-9a-f]{1,32}$"
JOB_ID = r"^[0-9a-f]{12}$"
ANALYSIS_ID = r"^[0-9a-f]{1,12}$"
SEED_TEXT = r"^[0-9]{1,19}$"
SEED_DIGITS = re.compile(SEED_TEXT.strip("^$"))
#: Seeds go out as strings: a JavaScript number keeps 53 bits, and a seed has up to 63.
MetricName = Literal[METRICS]  # type: ignore[valid-type]
SEED_NOTE = "The seed, as a string of digits (JavaScript numbers lose digits past 2^53)."


def seed_number(value: object) -> int:
    """A whole number or a string of digits, 0 to 2^63 - 1, and nothing looser (no sign, spaces,
    underscores or booleans), as the schema says; one message for every mistake."""
    digits = isinstance(value, str) and SEED_DIGITS.fullmatch(value) is not None
    whole = isinstance(value, int) and not isinstance(value, bool)
    if (digits or whole) and 0 <= int(value) <= MAX_SEED:  # type: ignore[call-overload]
        return int(value)  # type: ignore[call-overload]
    raise ValueError(f"a seed is a whole number from 0 to {MAX_SEED}, as a number or a string of digits")


class ApiError(BaseModel):
    """Every 4xx answer: one line to show, and where the problem is when it is in a scenario."""

    detail: str = Field(description="One line that says what was wrong and what to do instead.")
    kind: Literal["scenario", "invalid", "not_found", "too_large", "busy", "unavailable"]
    source: str | None = Field(None, description="File (or --set) the scenario problem is in.")
    line: int | None = Field(None, description="1-based line of the problem in that file.")
    column: int | None = Field(None, description="1-based column of the problem in that file.")
    field: str | None = Field(None, description="Dotted path of the field at fault.")
    expected: str | None = None
    found: str | None = None


class PieceInfo(BaseModel):
    """One piece of a parameter: its periods and its range."""

    start: int | float = Field(
        description="First period's key: a year, or an episode's start date as a decimal year."
    )
    end: int | float = Field(description="Last period's key.")
    periods: str = Field(
        description="The periods as a setting names them: 2021-2023, 2022-08-01, 2021..2022-08-01."
    )
    low: float
    mode: float | None = Field(description="Most likely value; null for a uniform or beta piece.")
    high: float
    dist: str


class ParameterInfo(BaseModel):
    """A model parameter with its admissible bounds and the scenario's spread of values."""

    name: str
    symbol: str
    meaning: str
    lower: float
    upper: float | None = Field(description="Natural upper bound; null when there is none.")
    largest: float = Field(description="The largest value accepted: the upper bound, or a ceiling.")
    scenario_low: float = Field(description="Smallest `low` over the scenario's pieces.")
    scenario_mode: float | None = Field(
        description="`mode` of the scenario's last piece; null when that piece is uniform or beta, "
        "whose shape has no mode given."
    )
    scenario_high: float = Field(description="Largest `high` over the scenario's pieces.")
    pieces: list[PieceInfo] = Field(default_factory=list, description="The values over time, piece by piece.")


class ScenarioInfo(BaseModel):
    """A scenario ready to run: a built-in one (``name``) or an uploaded one (``upload_id``)."""

    name: str | None = None
    upload_id: str | None = None
    id: str
    title: str
    start: int
    end: int
    parameters: list[ParameterInfo]


class ParameterEvidence(BaseModel):
    """For each parameter, the passages of the documents in the store that bear on it most."""

    documents: int = Field(
        description="Documents of the scenario's corpus (and those it cites); 0 when none "
        "was added with `pivotal evidence add`."
    )
    parameters: dict[str, list[PassageNote]] = Field(
        description="Per parameter, the best passages: where (title, file, locator), BM25 score, an excerpt "
        "and whether the scenario cites that paragraph for it."
    )


class BuiltinScenario(BaseModel):
    name: str
    title: str
    start: int
    end: int


class Meta(BaseModel):
    """What the page needs to build its controls."""

    version: str
    metrics: list[str]
    charts: list[str]
    max_draws: int
    max_analysis_draws: int = Field(MAX_ANALYSIS_DRAWS, description="Most draws a what-if or score takes.")
    max_upload_bytes: int


class ParameterSetting(BaseModel):
    """Fix one parameter at one value over a span of periods (``--set NAME=VALUE@START-END``)."""

    parameter: str = Field(pattern=r"^[a-z_]{1,40}$", examples=["war_cost"])
    value: float = Field(allow_inf_nan=False, examples=[0.2])
    start: int | None = Field(None, ge=1, le=9999, description="First period; default the scenario's.")
    end: int | None = Field(None, ge=1, le=9999, description="Last period; default the scenario's.")
    periods: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.\-]{1,80}$",
        examples=["2021..2022-08-01"],
        description="The periods as text (a piece's `periods`), in place of "
        "start and end: for pieces that begin or end at an episode.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> ParameterSetting:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"start ({self.start}) must not be after end ({self.end})")
        return self


class ScenarioChoice(BaseModel):
    """One scenario (built-in or uploaded), parameter values fixed with the controls, and a seed."""

    # Exactly one of `scenario` and `upload_id`, said in the schema as well as checked below.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["scenario"], "not": {"required": ["upload_id"]}},
                {"required": ["upload_id"], "not": {"required": ["scenario"]}},
            ]
        }
    )

    scenario: str | None = Field(
        None,
        pattern=SCENARIO_NAME,
        description="A built-in scenario name.",
        json_schema_extra={"type": "string"},
    )
    upload_id: str | None = Field(
        None,
        pattern=UPLOAD_ID,
        description="An uploaded scenario's id.",
        json_schema_extra={"type": "string"},
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | Annotated[str, Field(pattern=SEED_TEXT)] | None = Field(
        None,
        description="Omitted: a fresh seed, recorded. Digits in a string are accepted too, as "
        "JavaScript numbers lose digits past 2^53.",
    )
    settings: list[ParameterSetting] = Field(default_factory=list, max_length=MAX_SETTINGS)

    @field_validator("seed", mode="before")
    @classmethod
    def _seed_as_number(cls, value: object) -> int | None:
        return None if value is None else seed_number(value)

    @model_validator(mode="after")
    def _one_scenario(self) -> ScenarioChoice:
        if (self.scenario is None) == (self.upload_id is None):
            raise ValueError("give exactly one of `scenario` (a built-in name) and `upload_id`")
        return self


class RunRequest(ScenarioChoice):
    """A run to start: one scenario, optional parameter settings, draws and seed."""

    draws: int = Field(DEFAULT_DRAWS, ge=1, le=MAX_DRAWS)
    free: bool = Field(False, description="Ignore the record: simulate every period.")


class WhatIfRequest(ScenarioChoice):
    """A counterfactual: the scenario as written against the scenario with ``settings`` applied,
    both runs sharing the seed and draws (paired draw by draw)."""

    settings: list[ParameterSetting] = Field(
        min_length=1, max_length=MAX_SETTINGS, description="The changes; at least one."
    )
    draws: int = Field(DEFAULT_DRAWS, ge=1, le=MAX_ANALYSIS_DRAWS)
    metrics: list[MetricName] = Field(
        default_factory=lambda: list(WHATIF_METRICS), min_length=1, max_length=8
    )


class ScoreRequest(ScenarioChoice):
    """Forecasts of the scenario (with ``settings`` applied) scored against its record, out of sample."""

    draws: int = Field(1000, ge=10, le=MAX_ANALYSIS_DRAWS, description="Draws per run of the precision grid.")
    start: int | None = Field(None, ge=1, le=9999, description="First scored period; default five in.")


class SensitivityRequest(ScenarioChoice):
    """Sobol indices of one output's mean over a span of periods."""

    metric: MetricName = "p_offensive"
    start: int | None = Field(None, ge=1, le=9999, description="First period averaged; default the first.")
    end: int | None = Field(None, ge=1, le=9999, description="Last period averaged; default the last.")
    samples: Literal[256, 512, 1024, 2048, 4096, 8192, 16384] | None = Field(
        None, description="Base sample N; omitted: from 1024, doubled until the indices converge."
    )
    free: bool = Field(False, description="Ignore the record: simulate every period.")

    @model_validator(mode="after")
    def _ordered(self) -> SensitivityRequest:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"start ({self.start}) must not be after end ({self.end})")
        return self


class RerunRequest(BaseModel):
    """Run a recorded run's scenario and settings again with another seed and draw count."""

    draws: int = Field(ge=1, le=MAX_DRAWS)
    free: bool | None = Field(
        None, strict=True, description="Ignore the record; omitted: as the recorded run did."
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | Annotated[str, Field(pattern=SEED_TEXT)] = Field(
        description="As for a run: a number or a string of digits."
    )

    @field_validator("seed", mode="before")
    @classmethod
    def _seed_as_number(cls, value: object) -> int:
        return seed_number(value)


JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]


JobKind = Literal["run", "whatif", "score", "sensitivity"]


class JobInfo(BaseModel):
    """A background run or analysis and how far it has got."""

    job_id: str
    kind: JobKind = "run"
    status: JobStatus
    done: int
    total: int
    unit: str = Field("draws", description="What `done` and `total` count.")
    scenario_id: str
    draws: int
    seed: str = Field(description=SEED_NOTE)
    use_record: bool
    settings: list[str]
    created_at: datetime
    run_id: str | None = Field(None, description="The recorded run, once a run is done.")
    analysis_id: str | None = Field(None, description="The recorded analysis, once an analysis is done.")
    error: str | None = None


class RunInfo(BaseModel):
    """A recorded run, without its per-period table."""

    run_id: str
    created_at: datetime
    scenario_id: str
    scenario_title: str
    draws: int
    seed: str | None = Field(description=SEED_NOTE)
    use_record: bool
    package_version: str
    settings: list[str] = Field(description="Parameter settings the web app applied, if any.")
    system: str | None = Field(
        None,
        description="For one dyad of a run of a system (`pivotal system run`): "
        "the system's id; null for a scenario run alone.",
    )
    system_run: str | None = Field(None, description="The id shared by the runs of that system run's dyads.")


class ComparisonRow(BaseModel):
    period: int | float
    label: str = Field(description="The period as people read it: 2021, or an episode's start date.")
    a: float | None
    b: float | None
    difference: float | None = Field(description="b - a; null where a period is in one run only.")


class Comparison(BaseModel):
    """One metric's per-period means in two runs, side by side."""

    metric: str
    a: RunInfo
    b: RunInfo
    rows: list[ComparisonRow]
    paired: bool = Field(
        description="Same scenario, periods, seed, draws and record use: the difference is "
        "the settings' alone."
    )
    note: str | None = Field(None, description="Why the comparison is not paired, and what to do.")
    pairable: bool = Field(
        False, description="Rerunning B with A's seed, draws and record use would pair them."
    )


class AnalysisInfo(BaseModel):
    """A recorded score, what-if or sensitivity analysis and its result (the CLI's --json content)."""

    analysis_id: str
    kind: str
    created_at: datetime
    scenario_id: str
    draws: int
    seed: str | None = Field(description=SEED_NOTE)
    settings: dict[str, Any]
    result: dict[str, Any]
