"""Bad scenario input: one ScenarioError with the exact located message."""

from __future__ import annotations

import pytest

from pivotal import ScenarioError, load_scenario, parse_scenario

BALANCE = "balance:\n    - {periods: '2001-2003', low: 0.5, mode: 0.6, high: 0.7"
SHIELD = "patron_shield:\n    - {periods: '2001-2003', low: 0, mode: 0.2, high: 0.4"

CASES = {
    "malformed YAML": (
        ("aliases: [Pivot]}", "aliases: [Pivot}"),
        "tiny.yaml:9:52: (document): expected well-formed YAML, found expected ',' or ']', but got '}'",
    ),
    "unknown key": (
        ("title: Tiny triangle", "title: Tiny triangle\ncolour: blue"),
        "tiny.yaml:4:1: colour: expected one of the known keys: id, title, description, periods, "
        "sources, actors, roles, commitments, episodes, game, parameters, record, corpus, "
        "found unknown key `colour`",
    ),
    "unknown nested key": (
        ("    initiator: CHA", "    initiator: CHA\n    casualties: 3"),
        "tiny.yaml:29:5: episodes[0].casualties: expected one of the known keys: id, title, start, "
        "end, initiator, sources, note, found unknown key `casualties`",
    ),
    "empty sources": (
        ("    sources: [{ref: note-a, at: '¶2'}]", "    sources: []"),
        "tiny.yaml:29:5: episodes[0].sources: expected at least 1 item, found 0",
    ),
    "missing sources": (
        ("    sources: [{ref: note-a, at: '¶2'}]\n", ""),
        "tiny.yaml:24:5: episodes[0].sources: expected a value for required field `sources`, found nothing",
    ),
    "low above high": (
        (BALANCE, BALANCE.replace("low: 0.5", "low: 0.8")),
        "tiny.yaml:34:51: parameters.balance[0].high: expected high >= low (0.8), found 0.7",
    ),
    "probability above one": (
        (SHIELD, SHIELD.replace("high: 0.4", "high: 1.4")),
        "tiny.yaml:48:49: parameters.patron_shield[0].high: expected a value of `patron_shield` "
        "in [0, 1], found 1.4",
    ),
    "dates out of order": (
        ("    end: 2002-05-04", "    end: 2002-04-04"),
        "tiny.yaml:27:5: episodes[0].end: expected an end date on or after start (2002-05-01), "
        "found 2002-04-04",
    ),
    "undefined actor": (
        ("    initiator: CHA", "    initiator: XYZ"),
        "tiny.yaml:28:5: episodes[0].initiator: expected an actor defined under `actors` "
        "(CHA, PAT, PIV, TAR), found 'XYZ'",
    ),
    "duplicate key": (
        ("title: Tiny triangle", "title: Tiny triangle\ntitle: Again"),
        "tiny.yaml:4:1: title: expected each key once in a mapping, found `title` again (first at line 3)",
    ),
    "unknown challenge": (
        ("challenge: probe", "challenge: war"),
        "tiny.yaml:84:5: record[1].challenge: expected 'none', 'probe' or 'offensive', found 'war'",
    ),
    "undeclared source": (
        ("[{ref: note-a, at: '¶2'}]", "[{ref: note-b, at: '¶2'}]"),
        "tiny.yaml:29:16: episodes[0].sources[0].ref: expected a source id defined under "
        "`sources` (note-a), found 'note-b'",
    ),
    "parameter gap": (
        ("precision:\n    - {periods: '2001-2003'", "precision:\n    - {periods: '2001-2002'"),
        "tiny.yaml:77:3: parameters.precision: expected parameter `precision` covering every "
        "period 2001-2003, found no entry for 2003",
    ),
    "bad period": (
        ("  - periods: 2001\n", "  - periods: 'twenty'\n"),
        "tiny.yaml:80:5: record[0].periods: expected a year like 2016, a range like '1994-2019', or an "
        "episode played as a period (its id or start date, or 'FROM..TO'), found 'twenty'",
    ),
    "response without challenge": (
        ("    challenge: none\n", "    challenge: none\n    pivot_response: mediate\n"),
        "tiny.yaml:82:5: record[0].pivot_response: expected no pivot response when challenge is "
        "none, found 'mediate'",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_names_file_line_field_expected_and_found(name, tiny_text):
    (old, new), message = CASES[name]
    assert old in tiny_text, "the test's edit must apply to the fixture"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(tiny_text.replace(old, new, 1), source="tiny.yaml")
    assert str(caught.value) == message


def test_error_carries_its_parts(tiny_text):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(tiny_text.replace("    initiator: CHA", "    initiator: XYZ"), "s.yaml")
    error = caught.value
    assert (error.source, error.line, error.field) == ("s.yaml", 28, "episodes[0].initiator")
    assert error.found == "'XYZ'"


def test_several_problems_are_counted(tiny_text):
    text = tiny_text.replace("initiator: CHA", "initiator: XYZ").replace("challenge: probe", "challenge: war")
    with pytest.raises(ScenarioError, match=r"\(and \d+ more problems?\)$"):
        parse_scenario(text.replace("title: Tiny triangle", "title: Tiny triangle\nextra: 1"))


def test_non_mapping_document():
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("- a\n- b\n", "list.yaml")
    assert str(caught.value) == (
        "list.yaml:1:1: (document): expected a mapping of scenario sections (id, title, ...), found a list"
    )


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="expected an existing scenario file, found no such file"):
        load_scenario(tmp_path / "nope.yaml")


def test_valid_fixture_loads(tiny_path):
    scenario = load_scenario(tiny_path)
    assert scenario.years == [2001, 2002, 2003]
    assert scenario.record_for(2002).pivot_response == "acquiesce"
    assert scenario.record_for(2003) is None
