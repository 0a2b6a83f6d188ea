"""The built-in South Caucasus scenario: valid, sourced, paraphrased, runnable."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

import pivotal
from pivotal.model import PARAMETER_NAMES
from tests.shared_folder import SEEDS, needs_seeds


@pytest.fixture(scope="module")
def scenario():
    return pivotal.builtin_scenario("south-caucasus")


@pytest.fixture(scope="module")
def text():
    return resources.files("pivotal.scenarios").joinpath("south-caucasus.yaml").read_text("utf-8")


def test_it_is_listed_and_spans_1994_to_2025(scenario):
    assert "south-caucasus" in pivotal.builtin_names()
    assert scenario.years[0] == 1994 and scenario.years[-1] == 2025


def test_roles_name_russia_as_pivot_between_azerbaijan_and_armenia(scenario):
    for year in scenario.years:
        roles = scenario.roles_in(year)
        assert (roles.pivot, roles.challenger, roles.target) == ("RUS", "AZE", "ARM")


def test_every_parameter_piece_and_record_entry_is_sourced(scenario):
    # Every parameter with a channel of its own is given and sourced; the per-role precisions are
    # left to follow the common one, and hedging's erosion of alignment is left off because the
    # alignment ranges already follow the record year by year.
    assert set(scenario.parameters) == set(PARAMETER_NAMES) - {
        "precision_challenger",
        "precision_pivot",
        "precision_target",
        "hedge_erosion",
    }
    for pieces in scenario.parameters.values():
        assert all(piece.sources for piece in pieces)
    assert all(entry.sources for entry in scenario.record)
    assert all(c.sources for c in scenario.commitments)
    assert all(e.sources for e in scenario.episodes)


def test_the_record_covers_every_year(scenario):
    assert all(scenario.record_for(year) is not None for year in scenario.years)


def _paragraphs(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@needs_seeds
def test_seed_citations_point_at_existing_paragraphs(scenario):
    counts = {}
    for source_id, source in scenario.sources.items():
        if source.file and (SEEDS / source.file).is_file():
            counts[source_id] = len(_paragraphs(SEEDS / source.file))
    assert counts, "the scenario cites the seed analyses by file"
    cited = []
    for citation in _all_citations(scenario):
        if citation.ref in counts:
            numbers = [int(n) for n in re.findall(r"¶\s*(\d+)", citation.at)]
            assert numbers, f"{citation.ref} cited without a paragraph: {citation.at!r}"
            assert all(1 <= n <= counts[citation.ref] for n in numbers), citation
            cited.append(citation)
    assert cited


ROOT = Path(__file__).resolve().parents[1]
SHIPPED_TEXT = sorted(
    [
        *ROOT.glob("src/pivotal/scenarios/**/*.yaml"),
        *ROOT.glob("docs/*.md"),
        *ROOT.glob("examples/**/*.yaml"),
        *ROOT.glob("examples/**/*.md"),
        ROOT / "README.md",
    ]
)


@needs_seeds
@pytest.mark.parametrize("path", SHIPPED_TEXT, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sentence_is_copied_from_the_seeds(path):
    text = path.read_text(encoding="utf-8")

    def shingles(words: list[str], size: int = 8) -> set[tuple[str, ...]]:
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    def words(value: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", value.lower())

    ours = shingles(words(text))
    for seed in SEEDS.glob("0*.txt"):
        shared = ours & shingles(words(seed.read_text(encoding="utf-8")))
        assert not shared, f"text shared with {seed.name}: {' '.join(next(iter(shared)))}"


def test_it_runs_and_gives_probabilities(scenario):
    table = pivotal.summarise(pivotal.simulate(scenario, draws=300, seed=1))
    assert len(table) == len(scenario.years)
    for column in ("p_challenge", "p_offensive", "p_intervene", "p_deterred", "belief"):
        assert table[column].between(0, 1).all()
    assert (table["belief_source"] == "record").all()


def _all_citations(scenario):
    for roles in scenario.roles:
        yield from roles.sources
    for section in (scenario.commitments, scenario.episodes, scenario.record):
        for item in section:
            yield from item.sources
    for pieces in scenario.parameters.values():
        for piece in pieces:
            yield from piece.sources
