"""PDF to paragraphs and metadata with ``pypdf``.

A PDF stores positioned lines, not paragraphs, so they are rebuilt from the extracted text,
page by page: a blank line ends a paragraph, and so does a line that ends a sentence and
stops well short of the page's longest line (the ragged last line of a paragraph).  Lines
are numbered through the whole extracted text (pages joined in order), and each paragraph
keeps its page, so ``p. 3`` and ``¶12`` locators can both be checked.  A word hyphenated
across a line break is joined again.  Metadata: /Title, /Author and the creation date.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pivotal.evidence.budget import Budget
from pivotal.evidence.errors import UnreadableDocument
from pivotal.evidence.records import Metadata, Paragraph

if TYPE_CHECKING:
    from pypdf import PdfReader

SHORT_LINE = 0.85  # a line shorter than this share of the page's longest may end a paragraph
_SENTENCE_END = re.compile(r"""[.!?:;]["'”’)\]]*$""")


def read_pdf(data: bytes) -> tuple[Metadata, list[Paragraph]]:
    """Paragraphs and metadata of a PDF; UnreadableDocument for a broken or locked file."""
    from pypdf import PdfReader

    # pypdf raises many kinds of error on damaged files (PdfReadError, but also ValueError,
    # KeyError, struct errors...), so any failure to open or extract means "broken PDF".
    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadableDocument("encrypted PDF; save a copy without a password first")
            budget = Budget()
            pages = []
            for page in reader.pages:  # the budget is checked between pages
                pages.append(page.extract_text() or "")
                budget.spend(len(pages[-1]))
        except UnreadableDocument:
            raise
        except Exception as err:
            raise UnreadableDocument(f"broken PDF ({type(err).__name__}: {err})") from err
        return _metadata(reader), paragraphs_of_pages(pages)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs each repair it makes to a damaged file; the outcome is reported instead."""
    logger = logging.getLogger("pypdf")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def paragraphs_of_pages(pages: list[str]) -> list[Paragraph]:
    """Paragraphs rebuilt from the text of each page (see the module docstring)."""
    found: list[tuple[str, int, int, int]] = []  # text, first line, last line, page
    line_number = 0
    for page_number, page in enumerate(pages, start=1):
        lines = page.splitlines()
        widest = max((len(line.strip()) for line in lines), default=0)
        current: list[str] = []
        first = 0
        for line in lines:
            line_number += 1
            stripped = line.strip()
            if stripped:
                first = first if current else line_number
                current.append(stripped)
            ends = _SENTENCE_END.search(stripped) and len(stripped) < SHORT_LINE * widest
            if current and (not stripped or ends):
                found.append((_join(current), first, line_number - (not stripped), page_number))
                current = []
        if current:
            found.append((_join(current), first, line_number, page_number))
    return [
        Paragraph(number, text, start, end, page)
        for number, (text, start, end, page) in enumerate(found, start=1)
    ]


def _join(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if text.endswith("-") and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return " ".join(text.split())


def _metadata(reader: PdfReader) -> Metadata:
    """Title, author and creation date; a damaged /Info dictionary gives none rather than failing."""
    try:
        info = reader.metadata
        if info is None:
            return Metadata()
        title = (info.title or "").strip() or None
        author = (info.author or "").strip() or None
        try:
            created = info.creation_date
        except Exception:  # a malformed /CreationDate should not lose the rest
            created = None
    except Exception:
        return Metadata()
    return Metadata(title=title, author=author, date=created.date().isoformat() if created else None)
