"""``pivotal evidence`` end to end, as a user types it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app
from tests.evidence_files import make_library

runner = CliRunner()
TINY = str(Path(__file__).parent / "data" / "tiny.yaml")


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture
def library(tmp_path):
    return make_library(tmp_path / "library")


def test_add_reports_added_and_skipped_files_and_succeeds(library):
    result = invoke("evidence", "add", str(library), "--scenario", TINY)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("added ") == 4
    assert "“Briefing on the ridge crisis” (6 paragraphs)" in result.stdout
    assert f"skipped {library / 'latin1.txt'}: not UTF-8 text" in result.output
    assert "4 added, 0 already stored, 3 skipped" in result.output
    again = invoke("evidence", "add", str(library / "briefing.md"))
    assert again.exit_code == 0 and again.stdout.startswith("already stored ")


def test_add_fails_when_nothing_can_be_read(library):
    result = invoke("evidence", "add", str(library / "junk.md"), str(library / "broken.pdf"))
    assert result.exit_code == 1
    assert "error: nothing could be read (0 added, 0 already stored, 2 skipped)" in result.output
    listed = invoke("evidence", "list")
    assert "no documents yet" in listed.stdout


def test_add_rejects_a_bad_date_in_one_line(library):
    result = invoke("evidence", "add", str(library / "briefing.md"), "--date", "someday")
    assert result.exit_code == 1
    assert "error: --date: expected a date like 2022-09-13, 2022-09 or 2022, found 'someday'" in result.output
    assert "Traceback" not in result.output


def test_list_search_and_json(library):
    assert invoke("evidence", "add", str(library), "--scenario", TINY).exit_code == 0
    listed = invoke("evidence", "list", "--json")
    documents = json.loads(listed.stdout)
    assert {d["file_name"] for d in documents} == {
        "border-notes.txt",
        "briefing.md",
        "bulletin.html",
        "report.pdf",
    }
    table = invoke("evidence", "search", "drones", "-k", "2")
    assert table.exit_code == 0, table.output
    assert "2 passages for “drones”" in table.stdout and "Border notes from Targetia" in table.stdout
    found = json.loads(
        invoke("evidence", "search", "drones", "--actor", "Patronia", "--to", "2001", "--json").stdout
    )
    assert [(r["file"], r["paragraph"]) for r in found["results"]] == [("border-notes.txt", 4)]
    first = found["results"][0]
    assert first["locator"] == "¶4" and first["line_start"] == 6 and first["score"] > 0
    assert first["actors"] == ["Challengia", "Patronia"]
    assert found["filters"]["actor"] == "Patronia"
    nothing = invoke("evidence", "search", "unicorns")
    assert nothing.exit_code == 0 and "no passage matches 'unicorns'" in nothing.stdout


def test_search_reports_bad_filters(library):
    invoke("evidence", "add", str(library))
    bad_date = invoke("evidence", "search", "drones", "--from", "soon")
    assert bad_date.exit_code == 2 and "expected a date like 2022-09-13" in bad_date.output
    unknown = invoke("evidence", "search", "drones", "--document", "ffff")
    assert unknown.exit_code == 1
    assert "error: no document with id 'ffff'; `pivotal evidence list` lists them" in unknown.output


def test_for_and_check(library, tmp_path):
    invoke("evidence", "add", str(library), "--scenario", TINY)
    one = invoke("evidence", "for", TINY, "--parameter", "patron_shield", "-k", "2", "--json")
    assert one.exit_code == 0, one.output
    payload = json.loads(one.stdout)
    assert list(payload["parameters"]) == ["patron_shield"]
    assert payload["parameters"]["patron_shield"]["query"] == "share of coercion the patron neutralises"
    table = invoke("evidence", "for", TINY, "--parameter", "balance")
    assert table.exit_code == 0 and "balance —" in table.stdout
    unknown = invoke("evidence", "for", TINY, "--parameter", "nonsense")
    assert unknown.exit_code == 2 and "expected one of prize, balance" in unknown.output
    checked = invoke("evidence", "check", TINY, "--json")
    assert checked.exit_code == 1  # the tiny scenario's one source was never ingested
    report = json.loads(checked.stdout)
    assert report["checked"] == 24 and report["confirmed"] == 0
    assert {p["reason"] for p in report["problems"]} == {"not-ingested"}
    shown = invoke("evidence", "check", TINY)
    assert "(a) Citations not found in the corpus" in shown.stdout
    assert "no document ingested with the title 'Invented test note'" in shown.stdout


def test_every_evidence_command_has_help_text():
    from pivotal.cli.evidence import evidence_app

    assert {c.name for c in evidence_app.registered_commands} == {"add", "list", "search", "for", "check"}
    for command in evidence_app.registered_commands:
        assert command.callback.__doc__, f"evidence {command.name} lacks help"
    shown = invoke("evidence", "--help")
    assert shown.exit_code == 0 and "search" in shown.stdout
