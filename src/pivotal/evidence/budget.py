"""What reading one document may cost: its size, its text and its time.

A report or a book is far inside these limits; a file past them is almost surely built to exhaust
the reader (a PDF whose pages share one huge content stream, HTML made of nothing but "</"), and
is refused with a message instead of taking hours and gigabytes.
"""

from __future__ import annotations

import time

from pivotal.evidence.errors import UnreadableDocument

#: Largest file read, extracted text kept and seconds spent on one document.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_TEXT_CHARACTERS = 20_000_000
READ_SECONDS = 60.0


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
            raise UnreadableDocument(f"more than {self.limit:,} characters of text; split the "
                                     "document or add the parts that matter")
        if time.monotonic() > self.deadline:
            raise UnreadableDocument(f"still not read after {self.seconds:g} s; this file is built in a "
                                     "way the reader cannot get through (save it again as plain text or "
                                     "a simpler PDF)")


