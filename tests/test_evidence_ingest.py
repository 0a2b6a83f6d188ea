"""Adding documents: metadata per format, numbered passages, actors, dates, re-adds and skips."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

import pivotal
from pivotal.evidence import EvidenceError, EvidenceStore, ingest
from pivotal.evidence.actors import actor_matchers, find_actors
from pivotal.evidence.dates import find_dates, parse_date
from tests.evidence_files import make_library


@pytest.fixture
def store(tmp_path):
    return EvidenceStore(tmp_path / "runs.duckdb")


@pytest.fixture
def library(tmp_path):
    return make_library(tmp_path / "library")


@pytest.fixture
def ingested(library, store, tiny_scenario):
    report = ingest([library], store, tiny_scenario)
    return report, {d.file_name: d for d in store.documents()}


def _rows(store, sql, *values):
    con = duckdb.connect(str(store.path))
    try:
        return con.execute(sql, list(values)).fetchall()
    finally:
        con.close()


def test_every_format_goes_in_with_its_metadata(ingested):
    _, docs = ingested
    assert sorted(docs) == ["border-notes.txt", "briefing.md", "bulletin.html", "report.pdf"]
    assert {d.format for d in docs.values()} == {"text", "markdown", "html", "pdf"}
    md, html, pdf = docs["briefing.md"], docs["bulletin.html"], docs["report.pdf"]
    txt = docs["border-notes.txt"]
    assert (md.title, md.author, md.outlet, md.date) == (
        "Briefing on the ridge crisis",
        "Ada Example, Ben Sample",
        "The Invented Review",
        "2003-04-15",
    )
    assert (html.title, html.author, html.outlet, html.date) == (
        "Patronia's new bases",
        "Cora Placeholder",
        "Imaginary Wire",
        "2002-11-20",
    )
    assert (pdf.title, pdf.author, pdf.date) == ("Garrison report", "A. Tester", "2021-03-04")
    assert (txt.title, txt.author, txt.date) == ("Border notes from Targetia", None, None)
    assert len({d.document_id for d in docs.values()}) == 4


def test_passages_keep_their_paragraph_number_and_line_span(ingested, store):
    _, docs = ingested
    by_key = {(p.file_name, p.paragraph): p for p in store.passages()}
    # text: one paragraph per non-empty line, numbered over non-empty lines
    notes = by_key[("border-notes.txt", 3)]
    assert notes.text.startswith("Pivot envoys") and (notes.line_start, notes.line_end) == (5, 5)
    assert docs["border-notes.txt"].paragraphs == 5
    # Markdown: blank-line blocks, front matter left out, a heading and each list item alone
    wrapped = by_key[("briefing.md", 2)]
    assert (wrapped.line_start, wrapped.line_end) == (10, 11)
    assert "treasury in Pivotia" in wrapped.text and "**" not in wrapped.text
    assert by_key[("briefing.md", 1)].text == "The ridge crisis"
    assert by_key[("briefing.md", 5)].text == "fewer drones in Challengia's hands"
    assert by_key[("briefing.md", 6)].text.endswith("see the annex for the figures of 2002.")
    # HTML: block elements, entities decoded, script and style dropped
    html = [p for p in store.passages() if p.file_name == "bulletin.html"]
    assert html[2].text == (
        "Patronia opened two air bases in Challengia in October 2002, within reach of Targetia."
    )
    assert (html[2].line_start, html[2].line_end) == (17, 18)
    assert "provocation & asked" in html[3].text
    assert not any("ignored" in p.text or "color" in p.text for p in html)
    # PDF: lines rejoined into paragraphs, page kept
    pdf = [p for p in store.passages() if p.file_name == "report.pdf"]
    assert [p.text for p in pdf] == [
        "Pivotia kept a garrison in Targetia through the winter of 2002 and warned Challengia twice "
        "about the ridge.",
        "Patronia answered in kind on 4 March 2003.",
    ]
    assert (pdf[0].line_start, pdf[0].line_end, pdf[0].page, pdf[0].locator) == (1, 2, 1, "p. 1, ¶1")


def test_the_scenarios_actors_are_tagged_by_name_and_alias(ingested, store):
    _, docs = ingested
    notes = docs["border-notes.txt"].document_id
    tagged = _rows(
        store,
        "SELECT paragraph, list(actor_id ORDER BY actor_id) FROM passage_actors "
        "WHERE document_id = ? GROUP BY paragraph ORDER BY paragraph",
        notes,
    )
    assert tagged == [(1, ["TAR"]), (2, ["CHA", "PIV"]), (3, ["PIV"]), (4, ["CHA", "PAT"])]


def test_actor_matching_is_whole_word_and_acronyms_keep_their_case(tiny_scenario):
    tiny = actor_matchers(tiny_scenario)
    assert find_actors("Pivotians met CHALLENGIA", tiny) == ["CHA"]
    assert find_actors("the pivot's envoy", tiny) == ["PIV"]
    caucasus = actor_matchers(pivotal.builtin_scenario("south-caucasus"))
    assert find_actors("Let us wait for Moscow", caucasus) == ["RUS"]
    assert find_actors("the US and the Kremlin", caucasus) == ["RUS", "USA"]


def test_dates_mentioned_are_stored_as_intervals(ingested, store):
    _, docs = ingested
    notes = docs["border-notes.txt"].document_id
    dates = _rows(
        store,
        "SELECT paragraph, mention, date_start, date_end, precision FROM passage_dates "
        "WHERE document_id = ? ORDER BY paragraph, date_start",
        notes,
    )
    assert dates == [
        (2, "2 May 2002", dt.date(2002, 5, 2), dt.date(2002, 5, 2), "day"),
        (3, "March 2003", dt.date(2003, 3, 1), dt.date(2003, 3, 31), "month"),
        (4, "1990s", dt.date(1990, 1, 1), dt.date(1999, 12, 31), "decade"),
        (4, "2001", dt.date(2001, 1, 1), dt.date(2001, 12, 31), "year"),
    ]


def test_date_shapes():
    found = find_dates("On September 13, 2022 and 13 Sept. 2022, in 2021-10 and 1994-2019; 140,000 people.")
    assert [(d.text, d.iso()) for d in found] == [
        ("September 13, 2022", "2022-09-13"),
        ("13 Sept. 2022", "2022-09-13"),
        ("2021-10", "2021-10"),
        ("1994", "1994"),
        ("2019", "2019"),
    ]
    assert parse_date("2020-10-12T08:30:00Z").iso() == "2020-10-12"


def test_a_day_and_month_alone_take_the_year_named_before_them():
    text = "In October 2020 the fighting went on; on 17 October a truce, and by October 18, none."
    assert [(d.text, d.iso()) for d in find_dates(text)] == [
        ("October 2020", "2020-10"),
        ("17 October", "2020-10-17"),
        ("October 18", "2020-10-18"),
    ]
    assert [d.iso() for d in find_dates("On 10 October the truce broke.", year=2020)] == ["2020-10-10"]
    assert find_dates("On 10 October the truce broke.") == []  # no year known: no date
    assert find_dates("They may 3 times refuse.", year=2020) == []  # not a month as prose writes one


def test_impossible_or_missing_dates_parse_to_none():
    assert parse_date("31 February 2020") is None
    assert parse_date("soon") is None


def test_adding_the_same_content_again_stores_nothing_new(ingested, library, store, tiny_scenario, tmp_path):
    _, docs = ingested
    before = _rows(store, "SELECT count(*) FROM passages")[0][0]
    copy = tmp_path / "renamed.txt"
    copy.write_bytes((library / "border-notes.txt").read_bytes())
    again = ingest([library, copy], store, tiny_scenario)
    assert again.added == []
    assert sorted(d.file_name for d in again.already) == sorted(docs)
    assert len(store.documents()) == 4
    assert _rows(store, "SELECT count(*) FROM passages")[0][0] == before
    assert (
        _rows(store, "SELECT count(*) FROM passage_actors")[0][0]
        == _rows(store, "SELECT count(DISTINCT (document_id, paragraph, actor_id)) FROM passage_actors")[0][0]
    )


def test_unreadable_files_are_reported_and_skipped_and_the_rest_go_in(ingested):
    report, _ = ingested
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert set(reasons) == {"latin1.txt", "broken.pdf", "junk.md"}
    assert reasons["latin1.txt"].startswith("not UTF-8 text (byte 0x92 at offset 7)")
    assert reasons["broken.pdf"].startswith("broken PDF")
    assert reasons["junk.md"] == "binary data, not text (it contains NUL bytes)"
    assert len(report.added) == 4 and report.readable == 4


def test_nothing_readable_means_nothing_stored(tmp_path, store):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00junk")
    picture = tmp_path / "picture.png"
    picture.write_bytes(b"\x89PNG")
    report = ingest([bad, tmp_path / "missing.md", picture], store)
    assert report.readable == 0 and store.documents() == []
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert reasons["missing.md"] == "no such file or folder"
    assert reasons["bad.txt"] == "binary data, not text (it contains NUL bytes)"
    assert reasons["picture.png"].startswith("not a format pivotal reads (.htm, .html, .markdown, .md, .pdf")


def test_flags_override_what_the_file_says(library, store):
    report = ingest(
        [library / "bulletin.html"], store, title="Bases", outlet="Wire", author="C. P.", date="Nov 2002"
    )
    d = report.added[0]
    assert (d.title, d.outlet, d.author, d.date) == ("Bases", "Wire", "C. P.", "2002-11")
    again = ingest([library / "bulletin.html"], store, outlet="Another Wire")
    assert again.already[0].outlet == "Another Wire" and again.already[0].title == "Bases"


def test_bad_flags_are_refused_before_anything_is_read(library, store):
    with pytest.raises(EvidenceError, match="--date: expected a date like 2022-09-13"):
        ingest([library], store, date="last spring")
    with pytest.raises(EvidenceError, match="--title names one document, but 5 files"):
        ingest(
            [
                library / "briefing.md",
                library / "bulletin.html",
                library / "report.pdf",
                library / "border-notes.txt",
                library / "junk.md",
            ],
            store,
            title="One",
        )
    assert store.documents() == []


def test_each_document_is_its_own_transaction(library, store, monkeypatch):
    original = duckdb.DuckDBPyConnection.register
    calls = {"n": 0}

    def fail_on_second_document(self, name, frame):
        if name == "new_passages":
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("interrupted")
        return original(self, name, frame)

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "register", fail_on_second_document)
    with pytest.raises(RuntimeError, match="interrupted"):
        ingest([library / "border-notes.txt", library / "briefing.md"], store)
    monkeypatch.undo()
    docs = store.documents()
    assert [d.file_name for d in docs] == ["border-notes.txt"]
    assert _rows(store, "SELECT DISTINCT document_id FROM passages") == [(docs[0].document_id,)]
    others = "SELECT count(*) FROM passage_dates WHERE document_id <> ?"
    assert _rows(store, others, docs[0].document_id) == [(0,)]


def test_the_run_store_still_works_beside_the_evidence(ingested, store, tiny_scenario):
    run = pivotal.run_scenario(tiny_scenario, draws=20, seed=1, store=store._runs)
    assert store._runs.get(run.run_id).record.seed == 1
    assert len(store.documents()) == 4
