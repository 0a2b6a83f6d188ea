"""The five source analyses as a corpus: do the built-in parameters find the paragraphs they cite?

Each parameter is ranked by its own words only (meaning, piece notes, citation notes; never
the locators), and counts as found when any paragraph it cites in a seed analysis (any in a
range such as ¶15-¶17) is among its top five passages.  The seeds are read at run time and
only when they sit beside the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pivotal
from pivotal.evidence import EvidenceStore, cited_locations, ingest, parameter_evidence

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed analyses are not beside the repo")

TOP = 5


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """{parameter: (found in top five?, cited (document, ¶) pairs, top five pairs)} for seed-citing ones."""
    scenario = pivotal.builtin_scenario("south-caucasus")
    store = EvidenceStore(tmp_path_factory.mktemp("seeds") / "runs.duckdb")
    report = ingest(sorted(SEEDS.glob("0*.txt")), store, scenario)
    assert len(report.added) == 5 and not report.skipped
    documents = store.documents()
    evidence = parameter_evidence(scenario, store, k=TOP)
    result = {}
    for name, hits in evidence.items():
        cited = cited_locations(scenario, name, documents)
        if cited:
            top = {(h.document_id, h.paragraph) for h in hits}
            result[name] = (bool(top & cited), cited, top)
    return result


def test_every_seed_citing_parameter_is_checked(outcome):
    # every parameter but resolve_turnover and precision cites a seed
    assert len(outcome) == 22


@pytest.mark.xfail(strict=True, reason=(
    "21 of 22 parameters find a cited paragraph in their top five; mediation_credit's query, its "
    "meaning and one short note, ranks its cited paragraph (seed-004 ¶5, long, worded differently) 8th"))
def test_every_parameter_finds_a_cited_paragraph_in_its_top_five(outcome):
    missed = sorted(name for name, (found, _, _) in outcome.items() if not found)
    assert not missed, f"{len(outcome) - len(missed)} of {len(outcome)} found; missed: {missed}"


def test_the_ranking_does_not_fall_below_its_measured_level(outcome):
    """A guard for regressions at the level measured when the ranking was written (21 of 22)."""
    found = sum(found for found, _, _ in outcome.values())
    assert found >= len(outcome) - 1, f"only {found} of {len(outcome)} parameters found a cited paragraph"
