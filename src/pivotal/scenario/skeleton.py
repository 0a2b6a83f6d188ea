"""A new scenario's starting point: every section, every required parameter, one record entry.

The file validates as written, so an author can run ``pivotal validate`` after each edit and meet
only the problems they make.  Its numbers are the built-in South Caucasus scenario's first
period, marked as placeholders: they show each parameter's scale, and every one carries a
``TODO`` source to be replaced by the document the author's own value comes from.
"""

from __future__ import annotations

import re

from pivotal.model.parameters import PARAMETERS
from pivotal.scenario.loader import builtin_scenario

START, END = 2000, 2004
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9\-]*$")


def skeleton(scenario_id: str) -> str:
    """The YAML text of a new scenario named ``scenario_id`` (lower case, digits and dashes)."""
    if not ID_PATTERN.match(scenario_id):
        raise ValueError(f"a scenario id is lower case letters, digits and dashes, found {scenario_id!r}")
    example = builtin_scenario()
    lines = [
        f"# {scenario_id}: a pivotal scenario. docs/writing-a-scenario.md explains each section and",
        "# docs/scenario-format.md every field; `pivotal validate` checks the file after each edit.",
        "# Replace every TODO. The numbers below are placeholders (the South Caucasus scenario's first",
        "# period, to show each parameter's scale): give each your own range and its source.",
        f"id: {scenario_id}",
        "title: TODO the pivot between the two rivals, and the years",
        "description: TODO what the scenario covers, in what units payoffs are measured, how",
        "  paragraphs are counted in your sources.",
        f"periods: {{start: {START}, end: {END}}}      # years, both ends included",
        "",
        "sources:                                # every number cites one of these by id",
        "  todo-source: {kind: document, title: TODO the document a number comes from, date: 2000}",
        "",
        "actors:                                 # referred to by id everywhere else",
        "  PIV: {name: TODO the pivot, kind: state}",
        "  CHA: {name: TODO the challenger, kind: state}",
        "  TAR: {name: TODO the target, kind: state}",
        "",
        "roles:                                  # who is pivot, challenger and target, period by period",
        f"  - {{periods: '{START}-{END}', pivot: PIV, challenger: CHA, target: TAR,",
        "     challenger_patrons: [], target_patrons: []}",
        "",
        "commitments: []                         # alliances, basing, arms supply, peacekeeping, mediation",
        "episodes: []                            # dated crises, cited by the record",
        "",
        "parameters:                             # one list of pieces per parameter, covering every period",
    ]
    for spec in PARAMETERS:
        if not spec.required:
            continue
        piece = example.parameters[spec.name][0]
        lines += [
            f"  # {spec.name} ({spec.symbol}): {spec.meaning}; admissible {spec.describe_bounds()}",
            f"  {spec.name}:",
            f"    - {{periods: '{START}-{END}', low: {piece.low:g}, mode: {_mode(piece):g}, "
            f"high: {piece.high:g},",
            "       sources: [{ref: todo-source, at: 'TODO ¶', note: 'TODO placeholder value'}]}",
        ]
    optional = ", ".join(spec.name for spec in PARAMETERS if not spec.required)
    lines += [
        f"  # Optional, each off (or following `precision`) unless given: {optional}.",
        "",
        "record:                                 # what happened, period by period; periods left out",
        "  - periods: 2000                       # are simulated",
        "    challenge: none                     # none | probe | offensive",
        "    sources: [{ref: todo-source, at: 'TODO ¶'}]",
        "",
    ]
    return "\n".join(lines)


def _mode(piece) -> float:
    return piece.mode if piece.mode is not None else (piece.low + piece.high) / 2
