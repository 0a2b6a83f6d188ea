"""A plain-text document's title is its headline, not the page furniture saved around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app
from pivotal.evidence.readers import read_bytes

runner = CliRunner()

BODY = (
    "Azerbaijan's forces crossed the line on the first morning, and the pivot's envoys did not "
    "reach either capital for three days."
)


def title_of(text: str, name: str = "saved-page.txt") -> str:
    return read_bytes(text.encode("utf-8"), name=name, kind="text").metadata.title


@pytest.mark.parametrize(
    "furniture",
    [
        ["Follow us on social", "Shutterstock_1649847241-scaled"],
        ["Skip to main content", "Menu", "Subscribe", "Share this article"],
        ["We use cookies to make this site work", "Accept"],
        ["Home | Analysis | Caucasus", "Analysis | Middle East"],
        ["Home News Analysis Opinion Podcasts", "Sign up to receive our newsletter."],
        ["Main Image Credit Soldiers at a checkpoint", "12 October 2020", "By A. Writer"],
    ],
)
def test_boilerplate_and_menus_above_the_headline_are_passed_over(furniture):
    text = "\n".join([*furniture, "The pivot hesitates as the ceasefire collapses", BODY, ""])
    assert title_of(text) == "The pivot hesitates as the ceasefire collapses"


def test_a_headline_is_the_first_line_when_it_leads():
    assert title_of(f"Border notes from the ridge\n\n{BODY}\n") == "Border notes from the ridge"


def test_a_section_heading_after_the_body_starts_is_not_the_title():
    text = f"{BODY}\nThe New Geopolitics of the Region\n{BODY}\n"
    assert title_of(text, name="notes-2020.txt") == "notes-2020"


def test_without_a_headline_the_file_name_is_the_title():
    only_furniture = "Follow us on social\nLatest\nNewsletter\n" + BODY + "\n"
    assert title_of(only_furniture, name="003_page.txt") == "003_page"


def test_add_prints_the_headline(tmp_path: Path):
    page = tmp_path / "page.txt"
    page.write_text(
        f"Follow us on social\nPicture: a column of trucks\nA corridor closes, a patron looks "
        f"away\nAnalysis | Caucasus\n{BODY}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["evidence", "add", str(page)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "“A corridor closes, a patron looks away”" in result.stdout
