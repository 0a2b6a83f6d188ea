"""Fuzzing the scenario, overlay and sweep-spec loaders: valid documents, mutated ones and raw bytes.

Every input must either load or be refused with a :class:`ScenarioError` that names a
line: no other exception, and no input may take long.  The suite runs a few thousand
inputs (``tests/test_fuzz_loaders.py``); the full campaign is

    python -m tests.fuzz_loaders --inputs 100000

which prints how many inputs of each kind were tried, accepted and refused, and the
slowest one.  Inputs come from Hypothesis with a fixed seed, so a campaign repeats.
"""

from __future__ import annotations

import argparse
import functools
import gc
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from pivotal.model.parameters import LARGEST, PARAMETERS
from pivotal.scenario import ScenarioError, parse_scenario
from pivotal.scenario.loader import decode_document
from pivotal.scenario.overlay import check_overlay, read_overlay
from pivotal.sweep import build_variants, read_spec

TINY = Path(__file__).parent / "data" / "tiny.yaml"
#: An input that takes more CPU time than this counts as a hang (CPU time, not wall time, so
#: other work on the machine does not make an input look slow).
SLOW_SECONDS = 2.0

# ---------------------------------------------------------------- valid documents

#: Values at the edges: zero, one, the bounds, the tiny and the huge.
EDGES = (0.0, 1.0, 1e-300, 1e-12, 0.5, 1e3, LARGEST)


def _values(spec, extreme: bool) -> st.SearchStrategy[float]:
    if extreme:
        inside = [v for v in (*EDGES, spec.lower, spec.largest) if spec.contains(v)]
        return st.sampled_from(sorted(set(inside)))
    upper = spec.upper if spec.upper < float("inf") else 50.0
    return st.floats(spec.lower, upper, allow_nan=False)


def _piece(draw: Callable, spec, periods: str, extreme: bool = False) -> dict[str, Any]:
    values = sorted(draw(st.lists(_values(spec, extreme), min_size=3, max_size=3)))
    if spec.lower_open and values[0] <= spec.lower:
        values = [v if v > spec.lower else spec.lower + 1e-3 for v in values]
        values.sort()
    low, mode, high = values
    dist = draw(st.sampled_from(["triangular", "pert", "uniform", "beta"]))
    piece: dict[str, Any] = {
        "periods": periods,
        "dist": dist,
        "low": low,
        "high": high,
        "sources": [{"ref": "s", "at": "¶1"}],
    }
    if dist in ("triangular", "pert"):
        piece["mode"] = mode
    if dist == "beta":
        piece["alpha"] = draw(st.floats(0.1, 10))
        piece["beta"] = draw(st.floats(0.1, 10))
    return piece


@st.composite
def scenario_documents(draw: Callable, extreme: bool = False) -> dict[str, Any]:
    """A valid scenario as plain data: 1-6 years, one sometimes played episode by episode, every
    parameter, a record for some years.

    With ``extreme``, every parameter value is an edge: a bound, 0, 1, 1e-300 or the largest allowed.
    """
    start = draw(st.integers(1800, 2090))
    end = start + draw(st.integers(0, 5))
    years = list(range(start, end + 1))
    cut = draw(st.integers(start, end))
    spans = [f"{start}-{cut}"] + ([f"{cut + 1}-{end}"] if cut < end else [])
    split = draw(st.booleans())
    parameters = {
        spec.name: [_piece(draw, spec, span, extreme) for span in (spans if split else [f"{start}-{end}"])]
        for spec in PARAMETERS
    }
    episodes = [
        {
            "id": f"e{i}",
            "title": f"Episode {i}",
            "sources": [{"ref": "s", "at": "¶2"}],
            "start": f"{draw(st.sampled_from(years))}-05-0{i + 1}",
        }
        for i in range(draw(st.integers(0, 2)))
    ]
    periods: dict[str, Any] = {"start": start, "end": end}
    if episodes and draw(st.booleans()):  # play the first episode's year episode by episode
        year = int(episodes[0]["start"][:4])
        periods["split"] = {year: [e["id"] for e in episodes if e["start"].startswith(str(year))]}
    record = []
    for year in draw(st.lists(st.sampled_from(years), unique=True, max_size=len(years))):
        challenge = draw(st.sampled_from(["none", "probe", "offensive"]))
        entry: dict[str, Any] = {
            "periods": year,
            "challenge": challenge,
            "sources": [{"ref": "s", "at": "¶3"}],
        }
        if challenge != "none":
            entry["pivot_response"] = draw(st.sampled_from(["restrain", "mediate", "acquiesce"]))
            entry["appeal_answered"] = draw(st.sampled_from([None, True, False]))
            entry["ceasefire_days"] = draw(st.sampled_from([None, 0, 4, 45]))
        entry["target_hedged"] = draw(st.sampled_from([None, True, False]))
        if episodes and draw(st.booleans()):
            entry["episodes"] = [episodes[0]["id"]]
        record.append(entry)
    return {
        "id": "fuzzed",
        "title": "A generated scenario",
        "periods": periods,
        "sources": {"s": {"kind": "document", "title": "Generated source"}},
        "actors": {
            "P": {"name": "Pivotia", "kind": "state"},
            "C": {"name": "Challengia", "kind": "state"},
            "T": {"name": "Targetia", "kind": "state"},
            "A": {"name": "Patronia", "kind": "state"},
        },
        "roles": [
            {
                "periods": f"{start}-{end}",
                "pivot": "P",
                "challenger": "C",
                "target": "T",
                "challenger_patrons": draw(st.sampled_from([[], ["A"]])),
            }
        ],
        "commitments": [
            {
                "id": "tie",
                "kind": "alliance",
                "parties": ["P", "T"],
                "scope": "Targetia",
                "start": f"{start}-01-01",
                "sources": [{"ref": "s", "at": "¶4"}],
            }
        ],
        "episodes": episodes,
        "parameters": parameters,
        "record": record,
    }


@st.composite
def overlay_documents(draw: Callable) -> dict[str, Any]:
    """A valid overlay of the tiny scenario (2001-2003)."""
    spec = draw(st.sampled_from(PARAMETERS))
    first = draw(st.integers(2001, 2003))
    span = f"{first}-{draw(st.integers(first, 2003))}"
    piece = {**_piece(draw, spec, span), "sources": [{"ref": "note-a", "at": "¶9"}]}
    document: dict[str, Any] = {
        "id": "fuzzed-overlay",
        "title": "A generated overlay",
        "scenario": "tiny-triangle",
        "parameters": {spec.name: [piece]},
    }
    if draw(st.booleans()):
        document["record"] = [
            {
                "periods": first,
                "challenge": "probe",
                "pivot_response": "restrain",
                "sources": [{"ref": "note-a", "at": "¶8"}],
            }
        ]
    return document


@st.composite
def sweep_documents(draw: Callable) -> dict[str, Any]:
    """A valid sweep spec over the tiny scenario (2001-2003): a grid, a sample, or both."""

    def span() -> str:
        first = draw(st.integers(2001, 2003))
        return f"{first}-{draw(st.integers(first, 2003))}"

    names = draw(st.lists(st.sampled_from(PARAMETERS), min_size=1, max_size=3, unique_by=lambda p: p.name))
    document: dict[str, Any] = {"scenario": "tiny-triangle", "periods": span()}
    cut = draw(st.integers(0, len(names)))
    grid, ranged = names[:cut], names[cut:]
    if grid:
        document["grid"] = [
            {
                "path": spec.name,
                "periods": span(),
                "values": draw(
                    st.lists(_values(spec, False).filter(spec.contains), min_size=1, max_size=3, unique=True)
                ),
            }
            for spec in grid
        ]
    if ranged:
        method = draw(st.sampled_from(["lhs", "sobol"]))
        ranges = []
        for spec in ranged:
            low, high = sorted(
                draw(
                    st.lists(_values(spec, False).filter(spec.contains), min_size=2, max_size=2, unique=True)
                )
            )
            ranges.append({"path": spec.name, "low": low, "high": high})
        document["sample"] = {
            "size": draw(st.sampled_from([1, 2, 4, 8] if method == "sobol" else [1, 3, 5])),
            "method": method,
            "ranges": ranges,
        }
    return document


# ---------------------------------------------------------------- mutations

#: Values a mutation puts where another value was: wrong types, edge numbers, odd text.
_ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.sampled_from([0, -1, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["2020-13-45", "1994-2019", "2025-1994", "¶", "", " ", "nan", ".inf", "~", "9999-99"]),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in nested dicts and lists."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _parent(document: Any, path: tuple) -> Any:
    for part in path[:-1]:
        document = document[part]
    return document


@st.composite
def mutated(draw: Callable, documents: st.SearchStrategy[dict]) -> str:
    """A valid document with one to four values deleted, replaced, renamed, or (in lists) duplicated."""
    document = draw(documents)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(document, path), path[-1]
        action = draw(st.sampled_from(["delete", "replace", "replace", "duplicate", "rename"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(_ODD_VALUES)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(parent[key])
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = parent.pop(key)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


_YAML_PIECES = st.sampled_from(
    [
        ":",
        "-",
        "[",
        "]",
        "{",
        "}",
        "&a",
        "*a",
        "!!",
        "|",
        ">",
        "#",
        "'",
        '"',
        "\t",
        "\n",
        "  ",
        "? ",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "\\",
        "\ufeff",
        "\x85",
        "\u2028",
        "\x00",
        "\x07",
        "é",
        "𝄞",
        "1e999",
        "0x1F",
        "0o17",
    ]
)


@st.composite
def edited_text(draw: Callable, texts: st.SearchStrategy[str]) -> str:
    """A YAML text with one to five character-level edits: cuts, insertions, swapped lines."""
    text = draw(texts)
    for _ in range(draw(st.integers(1, 5))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "insert", "swap", "truncate"]))
        if action == "cut":
            text = text[:where] + text[where + draw(st.integers(1, 40)) :]
        elif action == "insert":
            piece = draw(st.one_of(_YAML_PIECES, st.text(max_size=8)))
            text = text[:where] + piece + text[where:]
        elif action == "swap":
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:
            text = text[:where]
    return text


def _dump(documents: st.SearchStrategy[dict]) -> st.SearchStrategy[str]:
    return documents.map(lambda d: yaml.safe_dump(d, sort_keys=False, allow_unicode=True))


# ---------------------------------------------------------------- checking one input


@dataclass
class Tally:
    """What a campaign saw, per kind of input."""

    tried: Counter = field(default_factory=Counter)
    accepted: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    slowest: float = 0.0
    slowest_kind: str = ""


class LoaderDefect(AssertionError):
    """An input the loader did not answer with a result or a located ScenarioError, or too slowly."""


def check(kind: str, load: Callable[[], Any], tally: Tally) -> None:
    """Run ``load``; pass on success or a located ScenarioError, raise LoaderDefect otherwise."""
    tally.tried[kind] += 1
    try:
        elapsed = _timed(load)
    except ScenarioError as err:
        if err.line is None or err.line < 1:
            raise LoaderDefect(f"{kind}: refused without a line: {err}") from err
        tally.refused[kind] += 1
        elapsed = err.__dict__.pop("_elapsed", 0.0)
    except Exception as err:
        raise LoaderDefect(f"{kind}: {type(err).__name__} instead of a ScenarioError: {err}") from err
    else:
        tally.accepted[kind] += 1
    if kind.startswith("valid") and tally.refused[kind]:
        raise LoaderDefect(f"{kind}: a valid document was refused")
    if elapsed > SLOW_SECONDS:  # a hang repeats; a pause of the machine or the collector does not
        elapsed = min(elapsed, _timed_quietly(load))
    if elapsed > tally.slowest:
        tally.slowest, tally.slowest_kind = elapsed, kind
    if elapsed > SLOW_SECONDS:
        raise LoaderDefect(f"{kind}: took {elapsed:.1f} s of CPU, twice")


def _timed(load: Callable[[], Any]) -> float:
    """CPU seconds of ``load``, with Python's cycle collector held off while it runs.

    The collector's pauses grow with everything the campaign has allocated, not with the
    input; they are left to run between inputs.  A ScenarioError carries its time out.
    """
    gc.disable()
    began = time.process_time()
    try:
        load()
    except ScenarioError as err:
        err._elapsed = time.process_time() - began  # type: ignore[attr-defined]
        raise
    finally:
        gc.enable()
    return time.process_time() - began


def _timed_quietly(load: Callable[[], Any]) -> float:
    try:
        return _timed(load)
    except ScenarioError as err:
        return err.__dict__.pop("_elapsed", 0.0)


def _load_overlay(text: str) -> None:
    overlay, positions = read_overlay(text, "fuzz-overlay.yaml")
    check_overlay(overlay, _tiny(), "fuzz-overlay.yaml", positions)


@functools.cache
def _tiny():
    return parse_scenario(TINY.read_text(encoding="utf-8"), source="tiny.yaml")


def _load_bytes(data: bytes) -> None:
    parse_scenario(decode_document(data, "fuzz.yaml"), source="fuzz.yaml")


def _load_scenario(text: str) -> None:
    parse_scenario(text, source="fuzz.yaml")


def _load_sweep(text: str) -> None:
    build_variants(read_spec(text, "fuzz-sweep.yaml"), _tiny(), seed=0)


#: Each kind of input: its strategy and how it is loaded.

TARGETS: dict[str, tuple[st.SearchStrategy, Callable[[Any], None]]] = {
    "valid scenario": (_dump(scenario_documents()), _load_scenario),
    "mutated scenario": (mutated(scenario_documents()), _load_scenario),
    "edited scenario text": (edited_text(st.just(TINY.read_text(encoding="utf-8"))), _load_scenario),
    "valid overlay": (_dump(overlay_documents()), _load_overlay),
    "mutated overlay": (mutated(overlay_documents()), _load_overlay),
    "edited overlay text": (edited_text(_dump(overlay_documents())), _load_overlay),
    "valid sweep spec": (_dump(sweep_documents()), _load_sweep),
    "mutated sweep spec": (mutated(sweep_documents()), _load_sweep),
    "edited sweep spec text": (edited_text(_dump(sweep_documents())), _load_sweep),
    "raw bytes": (st.binary(max_size=400), _load_bytes),
    "raw text": (st.text(max_size=400), _load_scenario),
}


def campaign(inputs: int, seed_value: int = 0, tally: Tally | None = None) -> Tally:
    """Spread ``inputs`` over the targets and check every one; raises LoaderDefect on the first defect."""
    tally = tally or Tally()
    each, extra = divmod(inputs, len(TARGETS))
    for index, (kind, (strategy, load)) in enumerate(TARGETS.items()):
        examples = each + (index < extra)
        if examples:
            _target_test(kind, strategy, load, examples, seed_value, tally)()
    return tally


def _target_test(
    kind: str,
    strategy: st.SearchStrategy,
    load: Callable[[Any], None],
    examples: int,
    seed_value: int,
    tally: Tally,
) -> Callable[[], None]:
    """A Hypothesis test that feeds ``examples`` inputs of one kind to its loader."""

    @seed(seed_value)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        check(kind, lambda: load(value), tally)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    began = time.perf_counter()
    tally = campaign(args.inputs, args.seed)
    elapsed = time.perf_counter() - began
    print(f"{'kind':<22} {'tried':>8} {'accepted':>9} {'refused':>8}")
    for kind in TARGETS:
        print(f"{kind:<22} {tally.tried[kind]:>8,} {tally.accepted[kind]:>9,} {tally.refused[kind]:>8,}")
    total = sum(tally.tried.values())
    print(f"{'all':<22} {total:>8,} {sum(tally.accepted.values()):>9,} {sum(tally.refused.values()):>8,}")
    print(
        f"every refusal a located ScenarioError; slowest input {tally.slowest * 1000:.0f} ms of CPU "
        f"({tally.slowest_kind}); {elapsed:.0f} s in all, seed {args.seed}"
    )


if __name__ == "__main__":
    main()
