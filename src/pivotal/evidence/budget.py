"""What reading one document may cost: its size, its text and its time.

A report or a book is far inside these limits; a file past them is almost surely built to exhaust
the reader (a PDF whose pages share one huge content stream, HTML made of nothing but "</"), and
is refused with a message instead of taking hours and gigabytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pivotal.evidence.errors import UnreadableDocument

#: Largest file read, extracted text kept and seconds spent on one document.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_TEXT_CHARACTERS = 20_000_000
READ_SECONDS = 60.0
#: Address space the process that reads documents may take (see :mod:`pivotal.evidence.isolated`).
MAX_READER_MEMORY = 4 * 1024**3


@dataclass(frozen=True)
class Limits:
    """The limits above as they stand in this process, to hand to the reading process."""

    document_bytes: int
    text_characters: int
    seconds: float
    memory: int

    @classmethod
    def current(cls) -> Limits:
        return cls(MAX_DOCUMENT_BYTES, MAX_TEXT_CHARACTERS, READ_SECONDS, MAX_READER_MEMORY)

    def apply(self) -> None:
        """Make these the limits of this process (the reading process, which reads nothing else)."""
        global MAX_DOCUMENT_BYTES, MAX_TEXT_CHARACTERS, READ_SECONDS, MAX_READER_MEMORY
        MAX_DOCUMENT_BYTES, MAX_TEXT_CHARACTERS = self.document_bytes, self.text_characters
        READ_SECONDS, MAX_READER_MEMORY = self.seconds, self.memory


class Budget:
    """Time and text a reader may still spend on one document; a reader calls :meth:`spend`
    between pieces of work and stops with UnreadableDocument when either runs out."""

    def __init__(self, seconds: float | None = None, characters: int | None = None) -> None:
        self.seconds = READ_SECONDS if seconds is None else seconds
        self.deadline = time.monotonic() + self.seconds
        self.limit = MAX_TEXT_CHARACTERS if characters is None else characters
        self.characters = self.limit

    def spend(self, characters: int = 0) -> None:
        self.characters -= characters
        if self.characters < 0:
            raise UnreadableDocument(
                f"more than {self.limit:,} characters of text; split the "
                "document or add the parts that matter"
            )
        if time.monotonic() > self.deadline:
            raise UnreadableDocument(
                f"still not read after {self.seconds:g} s; this file is built in a "
                "way the reader cannot get through (save it again as plain text or "
                "a simpler PDF)"
            )
