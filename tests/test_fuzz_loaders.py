"""Bad input to the scenario, overlay and sweep-spec loaders: a located ScenarioError, never another error.

A short campaign of generated, mutated and random inputs (the full one is
``python -m tests.fuzz_loaders``), and the hostile documents fuzzing found or that are
known to hurt YAML readers, each with the message it must give.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from pivotal.scenario import ScenarioError, parse_scenario
from pivotal.scenario.loader import decode_document
from tests.fuzz_loaders import TARGETS, campaign

LAUGHS = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True)
)


@pytest.mark.slow
def test_a_short_campaign_finds_no_defect():
    tally = campaign(2400, seed_value=7)
    assert sum(tally.tried.values()) == 2400
    assert set(tally.tried) == set(TARGETS)
    for kind in ("valid scenario", "valid overlay", "valid sweep spec"):
        assert tally.accepted[kind] == tally.tried[kind] > 0
    for kind in ("raw bytes", "mutated scenario", "mutated overlay", "mutated sweep spec"):
        assert tally.refused[kind] > 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 5000 + "]" * 5000, "expected at most 32 levels of nesting, found deeper nesting"),
        ("[" * 10**6 + "]" * 10**6, "expected at most 32 levels of nesting, found deeper nesting"),
        ("a:\n  b: " + "[" * 40 + "]" * 40, "expected at most 32 levels of nesting, found deeper nesting"),
        (LAUGHS, None),
        ("id: a\x00b", "x.yaml:1:6: (document): expected printable characters, found the character #x0000"),
        ("id: \ud800", "x.yaml:1:5: (document): expected Unicode text, found the unpaired surrogate #xd800"),
        # A date-shaped mistake is text to YAML; the schema names the field that wants a date.
        (
            "id: 2020-13-45",
            "x.yaml:1:1: title: expected a value for required field `title`, found nothing "
            "(and 5 more problems)",
        ),
        (
            "id: " + "1" * 5000,
            "expected well-formed YAML, found '1111111111111111111111111111111111111...' is "
            "not a valid integer (too many digits)",
        ),
        (
            "? [a, b]\n: 1",
            "x.yaml:1:3: (document): expected a plain key (a name or a number), found a list used as a key",
        ),
        (
            "!!python/object:os.system {}",
            "x.yaml:1:1: (document): expected well-formed YAML, found could not "
            "determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object:os.system'",
        ),
        (
            "\tid: x",
            "x.yaml:1:1: (document): expected well-formed YAML, found character '\\t' that cannot start "
            "any token",
        ),
    ],
    ids=[
        "deep-flow",
        "very-deep-flow",
        "deep-block",
        "billion-laughs",
        "nul",
        "surrogate",
        "bad-date",
        "huge-int",
        "list-key",
        "python-tag",
        "tab",
    ],
)
def test_hostile_documents_are_refused_quickly_at_a_line(text, message):
    began = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="x.yaml")
    assert time.perf_counter() - began < 1.0
    assert caught.value.line is not None
    if message is not None:  # the whole message, or its end where the path is long
        assert str(caught.value).endswith(message)
        assert str(caught.value).startswith(f"x.yaml:{caught.value.line}:")


def test_many_deep_lines_before_a_syntax_error_are_refused_quickly():
    """libyaml allows 999 levels; the first line past the limit is refused before the later error."""
    deep = "[" * 999 + "]" * 999
    text = "\n".join(f"a{i}: {deep}" for i in range(40)) + "\nb: [unclosed\nc: d\n"
    began = time.process_time()
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="x.yaml")
    assert time.process_time() - began < 2.0
    assert caught.value.line == 1
    assert str(caught.value).endswith("expected at most 32 levels of nesting, found deeper nesting")


def test_a_bad_character_after_other_scripts_is_located_by_character():
    for text, where in (("id: 'ééé\x07'", "x.yaml:1:9:"), ("x: é\ny: \x07", "x.yaml:2:4:")):
        with pytest.raises(ScenarioError) as caught:
            parse_scenario(text, source="x.yaml")
        assert str(caught.value).startswith(where)


def test_billion_laughs_is_refused_at_its_first_alias():
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(LAUGHS, source="x.yaml")
    assert caught.value.expected == "each value written out where it is used"
    assert caught.value.line == 1


def test_bytes_that_are_not_utf8_are_located():
    with pytest.raises(ScenarioError) as caught:
        decode_document(b"id: x\ntitle: caf" + b"\xe9\n", "x.yaml")
    assert str(caught.value) == "x.yaml:2:11: (document): expected UTF-8 text, found the byte 0xe9"


def test_out_of_range_numbers_are_refused_at_their_field(tiny_text):
    for old, new, field in [
        ("low: 5, mode: 8, high: 12", "low: 5, mode: 8, high: 1e7", "parameters.precision[0].high"),
        ("low: 0.4, mode: 0.6, high: 0.8", "low: 0.4, mode: 0.6, high: .inf", "parameters.war_cost[0].high"),
        ("{start: 2001, end: 2003}", "{start: 2001, end: 99999}", "periods.end"),
        ("{start: 2001, end: 2003}", "{start: 1001, end: 2003}", "periods.end"),
    ]:
        assert old in tiny_text
        with pytest.raises(ScenarioError) as caught:
            parse_scenario(tiny_text.replace(old, new, 1), source="tiny.yaml")
        assert caught.value.field == field, str(caught.value)
        assert caught.value.line is not None


FALLBACK = """
import yaml
del yaml.CSafeLoader  # as if PyYAML had been built without libyaml
from pivotal.scenario import ScenarioError, parse_scenario, resolve_scenario
from pivotal.scenario.positions import _BaseLoader
assert _BaseLoader is yaml.SafeLoader
print(resolve_scenario("south-caucasus").id)
for text in ["[" * 5000 + "]" * 5000, "? [a, b]\\n: 1", "a: &x 1\\nb: *x"]:
    try:
        parse_scenario(text, source="x.yaml")
    except ScenarioError as err:
        print(err)
"""


def test_without_libyaml_the_pure_python_parser_gives_the_same_answers():
    result = subprocess.run([sys.executable, "-c", FALLBACK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "south-caucasus",
        "x.yaml:1:33: " + "[0]" * 32 + ": expected at most 32 levels of nesting, found deeper nesting",
        "x.yaml:1:3: (document): expected a plain key (a name or a number), found a list used as a key",
        "x.yaml:1:4: a: expected each value written out where it is used, found a value anchored here "
        "(&name) and used again (*name)",
    ]
