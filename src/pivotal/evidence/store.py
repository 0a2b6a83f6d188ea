"""Documents and their passages, kept in the run store's DuckDB file.

The evidence shares the database file, the one-writer lock and the wait-then-fail
behaviour of :class:`~pivotal.store.RunStore` by opening its connections through it,
and adds its own tables (created if missing).  Each document is written in one
transaction, so a failure part-way through a folder leaves the documents before it
complete and nothing of the one that failed.  A document is identified by the SHA-256
of its bytes: the same file added twice, under any name, is stored once.

Each document belongs to one or more corpora (``document_corpora``); a document with no
row there, such as one added before corpora existed, belongs to the default corpus.  They
are kept in a table of their own rather than a new column of ``documents`` so that a store
of an earlier release needs no change to be read, even read-only, and so that an earlier
release can still add documents to a store this one has written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pivotal.evidence.errors import DocumentNotFoundError
from pivotal.evidence.records import Document, Passage, ReadDocument
from pivotal.scenario.schema import DEFAULT_CORPUS
from pivotal.store import RunStore
from pivotal.store.schema import (
    DOCUMENT_CORPORA,
    DOCUMENTS,
    EVIDENCE_ACTORS,
    EVIDENCE_TABLES,
    PASSAGE_ACTORS,
    PASSAGE_DATES,
    PASSAGES,
)
from pivotal.store.transaction import transaction

#: The evidence's tables, declared with the store's others in :mod:`pivotal.store.schema`.
SCHEMA = EVIDENCE_TABLES

ID_LENGTH = 12


@dataclass(frozen=True)
class ActorRow:
    """An actor named in one paragraph, for one scenario's list of actors."""

    paragraph: int
    actor_id: str


@dataclass(frozen=True)
class DateRow:
    """A date mentioned in one paragraph, as the interval it covers."""

    paragraph: int
    mention: str
    start: dt.date
    end: dt.date
    precision: str


@dataclass(frozen=True)
class ActorList:
    """A scenario's actors as recorded beside the passages, for ``--actor`` look-ups."""

    scenario_id: str
    actors: tuple[tuple[str, str, tuple[str, ...]], ...]  # (actor_id, name, aliases)


@dataclass(frozen=True)
class Filters:
    """Which passages a search may return; every field left None lets all through."""

    actor: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    document: str | None = None


class EvidenceStore:
    """Documents, passages, actors and dates in the run store's DuckDB file.

    Parameters
    ----------
    path : the database file; defaults to the run store's (``$PIVOTAL_HOME/runs.duckdb``).
    lock_timeout : seconds to wait for another process's lock before failing (as for RunStore).
    """

    def __init__(self, path: str | Path | None = None, lock_timeout: float | None = None) -> None:
        self._runs = RunStore(path, lock_timeout=lock_timeout)
        self.path = self._runs.path

    @contextmanager
    def _connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        # RunStore owns opening the file, waiting on another writer and the run tables.
        with self._runs.connect(read_only=read_only, schema=SCHEMA) as con:
            yield con

    # ---- writing --------------------------------------------------------------------------

    def known(self, hashes: Sequence[str]) -> dict[str, str]:
        """The stored document id of each content hash already in the store."""
        if not hashes:
            return {}
        with self._connect(read_only=True) as con:
            rows = con.execute(
                "SELECT content_hash, document_id FROM documents WHERE list_contains(?, content_hash)",
                [list(hashes)],
            ).fetchall()
        return dict(rows)

    @contextmanager
    def writer(self) -> Iterator[_Writer]:
        """A writer for a batch of documents: each in its own transaction, on a connection given
        up every second or so, so a long batch lets other processes in between documents."""
        writer = _Writer(self)
        try:
            yield writer
        finally:
            writer.close()

    # ---- reading --------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        """Every stored document, oldest first, with the corpora it belongs to."""
        with self._connect(read_only=True) as con:
            rows = con.execute(
                f"SELECT {_DOCUMENT_COLUMNS} FROM documents d ORDER BY added_at, document_id",
                [DEFAULT_CORPUS],
            ).fetchall()
        return [_document(row) for row in rows]

    def resolve(self, document_id: str) -> str:
        """The full id of the one document whose id starts with ``document_id``."""
        prefix = document_id.strip().lower()
        if not prefix:
            raise DocumentNotFoundError("no document id given")
        with self._connect(read_only=True) as con:
            matches = [
                r[0]
                for r in con.execute(
                    "SELECT document_id FROM documents WHERE starts_with(document_id, ?) "
                    "ORDER BY document_id",
                    [prefix],
                ).fetchall()
            ]
        if not matches:
            raise DocumentNotFoundError(f"no document with id {prefix!r}; `pivotal evidence list` lists them")
        if len(matches) > 1:
            raise DocumentNotFoundError(
                f"{len(matches)} documents start with {prefix!r} ({', '.join(matches[:5])}); "
                "give more of the id"
            )
        return matches[0]

    def passages(self, documents: Collection[str] | None = None) -> list[Passage]:
        """Every stored passage with its document's title and file, in a stable order.

        ``documents`` keeps only the passages of those document ids (a scenario's evidence).
        """
        with self._connect(read_only=True) as con:
            rows = con.execute(
                "SELECT p.document_id, p.paragraph, p.line_start, p.line_end, p.page, p.text, "
                "d.title, d.file_name FROM passages p JOIN documents d USING (document_id) "
                "WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], p.document_id) "
                "ORDER BY d.added_at, p.document_id, p.paragraph",
                [None if documents is None else list(documents)] * 2,
            ).fetchall()
        return [Passage(*row) for row in rows]

    def allowed(self, filters: Filters) -> set[tuple[str, int]] | None:
        """(document id, paragraph) of the passages the filters let through; None for all.

        Raises DocumentNotFoundError for an unknown document or actor, so a typo is reported
        rather than answered with nothing.
        """
        if filters == Filters():
            return None
        clauses: list[str] = ["TRUE"]
        values: list[object] = []  # the query's parameters, one for each ``?``
        if filters.document is not None:
            clauses.append("p.document_id = ?")
            values.append(self.resolve(filters.document))
        with self._connect(read_only=True) as con:
            if filters.actor is not None:
                keys = _actor_keys(con, filters.actor)
                clauses.append(
                    "EXISTS (SELECT 1 FROM passage_actors a WHERE a.document_id = p.document_id "
                    "AND a.paragraph = p.paragraph AND list_contains(?, a.scenario_id || '/' || a.actor_id))"
                )
                values.append(keys)
            if filters.date_from is not None or filters.date_to is not None:
                clauses.append(
                    "EXISTS (SELECT 1 FROM passage_dates t WHERE t.document_id = p.document_id "
                    "AND t.paragraph = p.paragraph AND t.date_end >= ? AND t.date_start <= ?)"
                )
                values += [filters.date_from or dt.date.min, filters.date_to or dt.date.max]
            rows = con.execute(
                f"SELECT p.document_id, p.paragraph FROM passages p WHERE {' AND '.join(clauses)}", values
            ).fetchall()
        return {(doc, int(par)) for doc, par in rows}

    def actors_of(
        self, keys: Sequence[tuple[str, int]], scenario_id: str | None = None
    ) -> dict[tuple[str, int], tuple[str, ...]]:
        """Names of the actors found in each passage (of one scenario, or of any)."""
        if not keys:
            return {}
        frame = pd.DataFrame(keys, columns=["document_id", "paragraph"])
        with self._connect(read_only=True) as con:
            con.register("wanted", frame)
            rows = con.execute(
                "SELECT a.document_id, a.paragraph, list(DISTINCT n.name ORDER BY n.name) "
                "FROM passage_actors a JOIN wanted w ON w.document_id = a.document_id "
                "AND w.paragraph = a.paragraph JOIN evidence_actors n ON n.scenario_id = a.scenario_id "
                "AND n.actor_id = a.actor_id WHERE ? IS NULL OR a.scenario_id = ? GROUP BY ALL",
                [scenario_id, scenario_id],
            ).fetchall()
        return {(doc, int(par)): tuple(names) for doc, par, names in rows}


def _actor_keys(con: duckdb.DuckDBPyConnection, actor: str) -> list[str]:
    """'scenario/actor' keys whose id, name or alias is ``actor`` (any case)."""
    wanted = actor.strip().casefold()
    rows = con.execute("SELECT scenario_id, actor_id, name, aliases FROM evidence_actors").fetchall()
    keys = [
        f"{scenario}/{actor_id}"
        for scenario, actor_id, name, aliases in rows
        if wanted in {t.casefold() for t in (actor_id, name, *aliases)}
    ]
    if not keys:
        known = sorted({name for _, _, name, _ in rows})
        raise DocumentNotFoundError(
            f"no actor {actor!r} among the actors tagged at ingestion"
            + (f" ({', '.join(known)})" if known else "; add documents first")
        )
    return keys


class _Writer:
    """Writes documents one transaction each, on a connection opened for that transaction."""

    #: Seconds a writer keeps the store before letting other processes in between documents.
    HOLD_SECONDS = 1.0

    def __init__(self, store: EvidenceStore) -> None:
        self.store = store
        self.con: duckdb.DuckDBPyConnection | None = None
        self._open: contextlib.ExitStack | None = None
        self._since = 0.0

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
        self._open, self.con = None, None

    def add(
        self,
        read: ReadDocument,
        actors: ActorList | None,
        actor_rows: Sequence[ActorRow],
        date_rows: Sequence[DateRow],
        corpus: str = DEFAULT_CORPUS,
    ) -> str:
        """Store one new document in ``corpus`` with its passages, actors and dates; returns its id."""
        document_id = read.content_hash[:ID_LENGTH]
        meta = read.metadata
        passages = pd.DataFrame(
            {
                "document_id": document_id,
                "paragraph": [p.number for p in read.paragraphs],
                "line_start": [p.line_start for p in read.paragraphs],
                "line_end": [p.line_end for p in read.paragraphs],
                "page": pd.array([p.page for p in read.paragraphs], dtype="Int32"),
                "text": [p.text for p in read.paragraphs],
            }
        )
        with self._transaction() as con:
            present = con.execute(
                "SELECT count(*) FROM documents WHERE document_id = ?", [document_id]
            ).fetchall()[0][0]
            if present:  # another process added it since the batch began: nothing to do
                return document_id
            document = {
                "document_id": document_id,
                "content_hash": read.content_hash,
                "path": read.path,
                "file_name": read.file_name,
                "format": read.format,
                "title": meta.title or read.file_name,
                "outlet": meta.outlet,
                "author": meta.author,
                "published": meta.date,
                "added_at": datetime.now(UTC).replace(tzinfo=None),
                "paragraphs": len(read.paragraphs),
            }
            con.execute(*DOCUMENTS.insert_row(document))
            con.execute(*DOCUMENT_CORPORA.insert_row({"document_id": document_id, "corpus": corpus}))
            con.register("new_passages", passages)
            con.execute(PASSAGES.insert_from("new_passages"))
            con.unregister("new_passages")
            if date_rows:
                dates = pd.DataFrame(
                    {
                        "document_id": document_id,
                        "paragraph": [r.paragraph for r in date_rows],
                        "mention": [r.mention for r in date_rows],
                        "date_start": [r.start for r in date_rows],
                        "date_end": [r.end for r in date_rows],
                        "precision": [r.precision for r in date_rows],
                    }
                )
                con.register("new_dates", dates)
                con.execute(PASSAGE_DATES.insert_from("new_dates"))
                con.unregister("new_dates")
            self._tag(con, document_id, actors, actor_rows)
        return document_id

    def update(
        self,
        document_id: str,
        actors: ActorList | None,
        actor_rows: Sequence[ActorRow],
        fields: dict[str, str],
        corpus: str | None = None,
    ) -> None:
        """A document already stored: set the metadata given, tag this scenario's actors, and add
        it to ``corpus`` too (it stays in those it was in: adding never takes evidence away)."""
        columns = {"title": "title", "outlet": "outlet", "author": "author", "date": "published"}
        with self._transaction() as con:
            for key, value in fields.items():
                con.execute(
                    f"UPDATE documents SET {columns[key]} = ? WHERE document_id = ?", [value, document_id]
                )
            if corpus is not None:
                self._join_corpus(con, document_id, corpus)
            self._tag(con, document_id, actors, actor_rows)

    def _join_corpus(self, con: duckdb.DuckDBPyConnection, document_id: str, corpus: str) -> None:
        """Add a stored document to a corpus, writing down first the default one it was in
        without a row (added before corpora existed), so that it stays there."""
        has_rows = con.execute(
            "SELECT count(*) FROM document_corpora WHERE document_id = ?", [document_id]
        ).fetchall()[0][0]
        wanted = [corpus] if has_rows else list(dict.fromkeys([DEFAULT_CORPUS, corpus]))
        for name in wanted:
            row = {"document_id": document_id, "corpus": name}
            con.execute(*DOCUMENT_CORPORA.insert_row(row, verb="INSERT OR IGNORE"))

    def stored_texts(self, document_id: str) -> list[tuple[int, str]]:
        """(paragraph, text) of a stored document, to tag actors without reading the file again."""
        with self._reading() as con:
            return [
                (int(n), t)
                for n, t in con.execute(
                    "SELECT paragraph, text FROM passages WHERE document_id = ? ORDER BY paragraph",
                    [document_id],
                ).fetchall()
            ]

    def document(self, document_id: str) -> Document:
        with self._reading() as con:
            rows = con.execute(
                f"SELECT {_DOCUMENT_COLUMNS} FROM documents d WHERE document_id = ?",
                [DEFAULT_CORPUS, document_id],
            ).fetchall()
        row = rows[0] if rows else None
        if row is None:
            raise DocumentNotFoundError(f"document {document_id} vanished while being written")
        return _document(row)

    @contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writer's open connection, or a reader's when it has let the store go."""
        if self.con is not None:
            yield self.con
        else:
            with self.store._connect(read_only=True) as con:
                yield con

    def _tag(
        self,
        con: duckdb.DuckDBPyConnection,
        document_id: str,
        actors: ActorList | None,
        rows: Sequence[ActorRow],
    ) -> None:
        if actors is None:
            return
        for actor_id, name, aliases in actors.actors:
            row = {
                "scenario_id": actors.scenario_id,
                "actor_id": actor_id,
                "name": name,
                "aliases": list(aliases),
            }
            con.execute(*EVIDENCE_ACTORS.insert_row(row, verb="INSERT OR REPLACE"))
        if rows:
            tagged = pd.DataFrame(
                {
                    "document_id": document_id,
                    "paragraph": [r.paragraph for r in rows],
                    "scenario_id": actors.scenario_id,
                    "actor_id": [r.actor_id for r in rows],
                }
            )
            con.register("new_actors", tagged)
            con.execute(PASSAGE_ACTORS.insert_from("new_actors", verb="INSERT OR IGNORE"))
            con.unregister("new_actors")

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One document's transaction, on a connection kept for up to HOLD_SECONDS (the one it
        yields): a long batch lets other processes in between documents without reopening the
        store for each one."""
        if self._open is None:
            self._open = contextlib.ExitStack()
            self.con = self._open.enter_context(self.store._connect())
            self._since = time.monotonic()
        con = self.con
        if con is None:  # set just above whenever it was not already open
            raise RuntimeError("the evidence writer has no connection")
        try:
            with transaction(con):
                yield con
        except BaseException:
            self.close()
            raise
        if time.monotonic() - self._since > self.HOLD_SECONDS:
            self.close()  # held long enough: others may go before the next document


#: A document's columns, from ``documents d``; the one parameter is the default corpus, given
#: to a document with no row in ``document_corpora``.
_DOCUMENT_COLUMNS = (
    "document_id, content_hash, path, file_name, format, title, outlet, author, published, "
    "added_at, paragraphs, coalesce((SELECT list(c.corpus ORDER BY c.corpus) FROM document_corpora c "
    "WHERE c.document_id = d.document_id), [?])"
)


def _document(row: tuple) -> Document:
    """A row of :data:`_DOCUMENT_COLUMNS`, whose columns are the fields of Document in order."""
    *columns, corpora = row
    names = [field.name for field in dataclasses.fields(Document) if field.name != "corpora"]
    return Document(**dict(zip(names, columns, strict=True)), corpora=tuple(corpora))
