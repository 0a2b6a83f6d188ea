"""The shapes evidence takes: a file read into paragraphs, a stored document, a passage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pivotal.scenario.schema import DEFAULT_CORPUS


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a file as read, before it is stored.

    ``number`` counts from 1 in reading order; ``line_start`` and ``line_end`` are the
    1-based lines of the file it spans (of the extracted text for a PDF, whose ``page``
    is kept too), so a locator such as ``¶15`` or ``lines 40-44`` can be checked.
    """

    number: int
    text: str
    line_start: int
    line_end: int
    page: int | None = None


@dataclass(frozen=True)
class Metadata:
    """What a file says about itself; any field may be missing."""

    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None  # ISO, as precise as known: '2022', '2022-09' or '2022-09-13'


@dataclass(frozen=True)
class ReadDocument:
    """A file read and split, ready to be stored."""

    path: str
    file_name: str
    format: str  # 'text', 'markdown', 'html' or 'pdf'
    content_hash: str  # SHA-256 of the file's bytes: the same bytes are one document
    metadata: Metadata
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Document:
    """A document in the evidence store."""

    document_id: str
    content_hash: str
    path: str
    file_name: str
    format: str
    title: str
    outlet: str | None
    author: str | None
    date: str | None
    added_at: dt.datetime
    paragraphs: int
    corpora: tuple[str, ...] = (DEFAULT_CORPUS,)  # the evidence corpora it belongs to


@dataclass(frozen=True)
class Passage:
    """A stored paragraph, with where it comes from and, when ranked, its BM25 score."""

    document_id: str
    paragraph: int
    line_start: int
    line_end: int
    page: int | None
    text: str
    title: str
    file_name: str
    score: float = 0.0
    actors: tuple[str, ...] = field(default=())

    @property
    def locator(self) -> str:
        """How a scenario cites it: '¶15', with the page for a PDF ('p. 3, ¶15')."""
        return f"p. {self.page}, ¶{self.paragraph}" if self.page is not None else f"¶{self.paragraph}"
