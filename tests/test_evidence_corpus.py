"""Evidence is scoped to a scenario's corpus: another region's documents never show beside its parameters.

The store holds a Karabakh note in the default corpus, a Kashmir note in the corpus
``india-pakistan``, and a note in a third corpus that India–Pakistan cites by title.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import pivotal
from pivotal.cli.app import app
from pivotal.evidence import EvidenceError, EvidenceStore, ingest, passages_beside_parameters
from pivotal.scenario import parse_scenario

runner = CliRunner()
#: The title of one of india-pakistan's sources (it has no file, so a document matches it by title).
CITED_TITLE = "Kashmir: Recent Developments and U.S. Concerns (CRS Report RL31481)"


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def write_notes(folder: Path) -> dict[str, Path]:
    """Three short notes, each worded like its region's parameters."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "karabakh.txt": "Peacekeepers in Karabakh\nRussia's peacekeepers stood aside when Azerbaijan closed "
        "the Lachin corridor, and the pivot left Armenia, its treaty ally, to face the "
        "offensive without an answer to its appeal.\n",
        "kashmir.txt": "Crisis diplomacy over Kashmir\nThe United States pressed Pakistan to pull its troops "
        "back across the Line of Control and mediated between India and Pakistan to bring "
        "the crisis down without a war.\n",
        "crs.txt": "Notes on a congressional report\nWashington urged restraint on India after the militant "
        "attack and mediated between the two nuclear-armed rivals, carrying Pakistan's pledges "
        "to Delhi.\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {name: folder / name for name in texts}


@pytest.fixture
def notes(tmp_path) -> dict[str, Path]:
    return write_notes(tmp_path / "notes")


@pytest.fixture
def store(notes) -> EvidenceStore:
    """The user's store (PIVOTAL_HOME), filled as `pivotal evidence add` would."""
    store = EvidenceStore()
    ingest([notes["karabakh.txt"]], store)
    ingest([notes["kashmir.txt"]], store, corpus="india-pakistan")
    ingest([notes["crs.txt"]], store, corpus="library", title=CITED_TITLE)
    return store


def files_beside(scenario_name: str, store: EvidenceStore) -> set[str]:
    """The files of the passages the report and the web app show beside the parameters."""
    notes = passages_beside_parameters(pivotal.builtin_scenario(scenario_name), store)
    return {note.file_name for passages in notes.values() for note in passages}


def test_each_scenario_sees_its_own_corpus_and_what_it_cites(store):
    assert files_beside("india-pakistan", store) == {"kashmir.txt", "crs.txt"}
    assert files_beside("south-caucasus", store) == {"karabakh.txt"}


def test_the_report_of_a_run_shows_only_its_scenario_evidence(store, tmp_path):
    for name, own, other in [
        ("india-pakistan", "Crisis diplomacy over Kashmir", "Peacekeepers in Karabakh"),
        ("south-caucasus", "Peacekeepers in Karabakh", "Crisis diplomacy over Kashmir"),
    ]:
        assert invoke("run", name, "-n", "50", "-s", "1").exit_code == 0
        out = tmp_path / f"{name}.html"
        assert invoke("report", "-o", str(out)).exit_code == 0
        html = out.read_text(encoding="utf-8")
        assert own in html and other not in html, name


def test_a_run_records_the_corpus_only_when_the_scenario_names_one(store):
    from pivotal.store import RunStore

    for name in ("south-caucasus", "india-pakistan"):
        assert invoke("run", name, "-n", "20", "-s", "1").exit_code == 0
    recorded = {r.scenario_id: RunStore().get(r.run_id).scenario_json for r in RunStore().list_runs()}
    assert '"corpus"' not in recorded["south-caucasus"]  # as 0.4 wrote it: 0.4 can still read the run
    assert '"corpus":"india-pakistan"' in recorded["india-pakistan"]


def test_evidence_for_and_check_are_scoped_too(store):
    shown = json.loads(invoke("evidence", "for", "india-pakistan", "--ranking", "bm25", "--json").stdout)
    files = {p["file"] for entry in shown["parameters"].values() for p in entry["passages"]}
    assert files == {"kashmir.txt", "crs.txt"}
    builtin = json.loads(invoke("evidence", "for", "--ranking", "bm25", "--json").stdout)
    assert {p["file"] for entry in builtin["parameters"].values() for p in entry["passages"]} == {
        "karabakh.txt"
    }
    checked = json.loads(invoke("evidence", "check", "india-pakistan", "--json").stdout)
    assert (checked["corpus"], checked["documents"], checked["passages"]) == ("india-pakistan", 2, 4)
    table = invoke("evidence", "check", "india-pakistan")
    assert (
        "against 2 documents (4 passages: corpus india-pakistan and the documents the scenario cites)"
        in table.stdout
    )


def test_a_scenario_with_an_empty_corpus_says_how_to_fill_it(store, tiny_text, tmp_path):
    path = tmp_path / "elsewhere.yaml"
    path.write_text(tiny_text + "\ncorpus: elsewhere\n", encoding="utf-8")
    result = invoke("evidence", "for", str(path))
    assert result.exit_code == 0, result.output
    assert (
        "no documents in the corpus 'elsewhere' of scenario tiny-triangle, nor any it cites" in result.stdout
    )
    assert "pivotal evidence add PATH --corpus elsewhere" in result.stdout


def test_add_tags_documents_and_list_shows_their_corpus(notes):
    added = invoke("evidence", "add", str(notes["kashmir.txt"]), "--corpus", "india-pakistan")
    assert added.exit_code == 0, added.output
    assert "“Crisis diplomacy over Kashmir” (2 paragraphs) to corpus india-pakistan" in added.stdout
    assert "to corpus default" in invoke("evidence", "add", str(notes["karabakh.txt"])).stdout
    listed = json.loads(invoke("evidence", "list", "--json").stdout)
    assert {d["file_name"]: d["corpora"] for d in listed} == {
        "kashmir.txt": ["india-pakistan"],
        "karabakh.txt": ["default"],
    }
    table = invoke("evidence", "list").stdout
    assert "Corpus" in table and "india-pakistan" in table


def test_adding_a_stored_document_to_another_corpus_keeps_it_where_it_was(notes):
    assert invoke("evidence", "add", str(notes["karabakh.txt"])).exit_code == 0
    again = invoke("evidence", "add", str(notes["karabakh.txt"]), "--corpus", "india-pakistan")
    assert "already stored" in again.stdout and "in corpora default, india-pakistan" in again.stdout
    plain = invoke("evidence", "add", str(notes["karabakh.txt"]))  # no --corpus: memberships unchanged
    assert "in corpora default, india-pakistan" in plain.stdout


def test_a_corpus_name_a_scenario_could_not_name_is_refused(notes):
    result = invoke("evidence", "add", str(notes["kashmir.txt"]), "--corpus", "India Pakistan")
    assert result.exit_code == 1
    assert "error: --corpus: expected a name of lower-case letters" in result.output
    with pytest.raises(EvidenceError):
        ingest([notes["kashmir.txt"]], EvidenceStore(), corpus="")


def test_the_scenario_field_is_optional_and_checked(tiny_text):
    assert parse_scenario(tiny_text).corpus == "default"
    assert parse_scenario(tiny_text + "\ncorpus: india-pakistan\n").corpus == "india-pakistan"
    with pytest.raises(pivotal.ScenarioError, match="corpus"):
        parse_scenario(tiny_text + "\ncorpus: Not A Name\n")


def test_the_corpus_does_not_change_a_scenario_hash(tiny_text):
    plain = parse_scenario(tiny_text)
    named = parse_scenario(tiny_text + "\ncorpus: elsewhere\n")
    assert pivotal.scenario_hash(plain) == pivotal.scenario_hash(named)


# ---- a store written before corpora existed ---------------------------------------------------------


@pytest.fixture
def old_store(tmp_path, notes) -> Path:
    """A store as release 0.4.0 left it: documents and passages, and no table of corpora."""
    path = tmp_path / "old" / "runs.duckdb"
    ingest([notes["karabakh.txt"], notes["kashmir.txt"]], EvidenceStore(path))
    with duckdb.connect(str(path)) as connection:
        connection.execute("DROP TABLE document_corpora")
    return path


def tables(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {name for (name,) in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


@pytest.mark.slow
def test_an_old_store_is_read_without_being_changed_its_documents_in_default(old_store):
    store = EvidenceStore(old_store)
    assert [d.corpora for d in store.documents()] == [("default",), ("default",)]
    assert files_beside("south-caucasus", store) == {"karabakh.txt", "kashmir.txt"}
    assert files_beside("india-pakistan", store) == set()
    assert "document_corpora" not in tables(old_store)  # reading never writes into a store


def test_an_old_store_takes_new_documents_and_corpora(old_store, notes):
    store = EvidenceStore(old_store)
    added = ingest([notes["crs.txt"]], store, corpus="india-pakistan")
    assert added.added[0].corpora == ("india-pakistan",)
    moved = ingest([notes["kashmir.txt"]], store, corpus="india-pakistan")
    assert moved.already[0].corpora == ("default", "india-pakistan")  # an old document stays in default
    corpora = {d.file_name: d.corpora for d in store.documents()}
    assert corpora == {
        "karabakh.txt": ("default",),
        "kashmir.txt": ("default", "india-pakistan"),
        "crs.txt": ("india-pakistan",),
    }
    assert files_beside("india-pakistan", store) == {"kashmir.txt", "crs.txt"}
