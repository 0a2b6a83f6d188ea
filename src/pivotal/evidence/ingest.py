"""Adding documents: files and folders in, passages with actors and dates stored.

Files are read before the store is opened, so a slow PDF does not hold the database
lock that runs also need; then each new document is written in its own transaction.
A file that cannot be read is skipped with its reason; the others still go in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pivotal.evidence import budget
from pivotal.evidence.actors import actor_matchers, find_actors
from pivotal.evidence.dates import find_dates, last_year, parse_date
from pivotal.evidence.errors import EvidenceError, UnreadableDocument
from pivotal.evidence.isolated import IsolatedReader
from pivotal.evidence.readers import format_of
from pivotal.evidence.records import Document, Metadata, ReadDocument
from pivotal.evidence.store import ActorList, ActorRow, DateRow, EvidenceStore
from pivotal.scenario import Scenario
from pivotal.scenario.schema import CORPUS_PATTERN, DEFAULT_CORPUS


@dataclass(frozen=True)
class Skipped:
    """A file that did not go in, and why."""

    path: str
    reason: str


@dataclass
class IngestReport:
    """What became of each file: added, already stored (same content), or skipped."""

    added: list[Document] = field(default_factory=list)
    already: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def readable(self) -> int:
        """Files that were read, new or not: zero means nothing could be used."""
        return len(self.added) + len(self.already)


def overrides(
    *, title: str | None = None, outlet: str | None = None, author: str | None = None, date: str | None = None
) -> dict[str, str]:
    """The metadata flags given, checked; a date that is not one is an EvidenceError."""
    given = {
        k: " ".join(v.split())
        for k, v in {"title": title, "outlet": outlet, "author": author}.items()
        if v is not None and v.strip()
    }
    if date is not None:
        mention = parse_date(date)
        if mention is None or mention.precision == "decade":
            raise EvidenceError(f"--date: expected a date like 2022-09-13, 2022-09 or 2022, found {date!r}")
        given["date"] = mention.iso()
    return given


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """The files named, and those under the folders named (recursively, hidden ones left out).

    In a folder, only files of a format pivotal reads are taken; a file named explicitly is
    always tried, so a wrong extension is reported rather than silently ignored.
    """
    files: list[Path] = []
    missing: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and format_of(p) is not None
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                missing.append(Skipped(str(path), "folder holds no text, Markdown, HTML or PDF file"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Skipped(str(path), "no such file or folder"))
    return list(dict.fromkeys(files)), missing


def corpus_name(corpus: str | None) -> str | None:
    """The corpus name given, checked; one that a scenario could not name is an EvidenceError."""
    if corpus is None:
        return None
    if not re.fullmatch(CORPUS_PATTERN, corpus):
        raise EvidenceError(
            "--corpus: expected a name of lower-case letters, digits, '.', '_' and '-' "
            f"(such as india-pakistan), found {corpus!r}"
        )
    return corpus


def ingest(
    paths: Sequence[str | Path],
    store: EvidenceStore,
    scenario: Scenario | None = None,
    *,
    title: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    date: str | None = None,
    corpus: str | None = None,
) -> IngestReport:
    """Read and store documents; tag the scenario's actors in them (none when it is None).

    ``title``, ``outlet``, ``author`` and ``date`` override what the files say.  A title
    names one document, so it is refused for more than one file.  New documents go into
    ``corpus`` (the default corpus when None); documents already stored join it when it is
    given and otherwise stay where they are.
    """
    given = overrides(title=title, outlet=outlet, author=author, date=date)
    corpus = corpus_name(corpus)
    files, skipped = collect_files(Path(p) for p in paths)
    if "title" in given and len(files) > 1:
        raise EvidenceError(f"--title names one document, but {len(files)} files were given")
    report = IngestReport(skipped=skipped)
    hashes: dict[Path, str] = {}
    for path in files:
        try:
            if path.stat().st_size > budget.MAX_DOCUMENT_BYTES:  # before reading a byte of it
                limit = f"larger than {budget.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
                report.skipped.append(Skipped(str(path), limit))
                continue
            hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as err:
            report.skipped.append(Skipped(str(path), f"cannot be opened: {err.strerror or err}"))
    known = store.known(list(hashes.values()))
    new: list[ReadDocument] = []
    repeated: list[str] = []
    seen: set[str] = set()
    with IsolatedReader() as reader:  # a file built to stall a parser is stopped, not waited for
        for path, digest in hashes.items():
            if digest in known or digest in seen:
                repeated.append(digest)
                continue
            try:
                read = reader.read(path)
            except UnreadableDocument as err:
                report.skipped.append(Skipped(str(path), str(err)))
                continue
            seen.add(digest)
            new.append(_with_overrides(read, given))

    matchers = actor_matchers(scenario) if scenario is not None else []
    actors = (
        ActorList(scenario.id, tuple((m.actor_id, m.name, m.aliases) for m in matchers))
        if scenario is not None
        else None
    )
    with store.writer() as writer:
        for read in new:
            actor_rows = [
                ActorRow(p.number, a) for p in read.paragraphs for a in find_actors(p.text, matchers)
            ]
            date_rows = _date_rows(read)
            document_id = writer.add(read, actors, actor_rows, date_rows, corpus or DEFAULT_CORPUS)
            report.added.append(writer.document(document_id))
        added_hashes = {d.content_hash for d in report.added}
        for digest in dict.fromkeys(repeated):
            if digest in added_hashes:  # the same bytes twice in this batch: stored once above
                report.already.append(next(d for d in report.added if d.content_hash == digest))
                continue
            document_id = known[digest]
            rows = [
                ActorRow(n, a)
                for n, text in writer.stored_texts(document_id)
                for a in find_actors(text, matchers)
            ]
            writer.update(document_id, actors, rows, given, corpus)
            report.already.append(writer.document(document_id))
    return report


def _date_rows(read: ReadDocument) -> list[DateRow]:
    """Dates of every paragraph; a day and month alone take the year last named before them."""
    own = parse_date(read.metadata.date) if read.metadata.date else None
    year = own.start.year if own is not None else None
    rows = []
    for paragraph in read.paragraphs:
        mentions = find_dates(paragraph.text, year)
        rows += [DateRow(paragraph.number, d.text, d.start, d.end, d.precision) for d in mentions]
        year = last_year(mentions, year)
    return rows


def _with_overrides(read: ReadDocument, given: dict[str, str]) -> ReadDocument:
    if not given:
        return read
    meta = read.metadata
    return replace(
        read,
        metadata=Metadata(
            title=given.get("title", meta.title),
            outlet=given.get("outlet", meta.outlet),
            author=given.get("author", meta.author),
            date=given.get("date", meta.date),
        ),
    )
