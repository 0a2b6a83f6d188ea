"""Files to paragraphs and metadata: plain text, Markdown, HTML and PDF.

How a paragraph is cut decides what a locator such as ``¶15`` points at, so the rule
for each format is fixed and documented (``docs/evidence.md``):

- **plain text** (``.txt``): every non-empty line is a paragraph, numbered from 1.  This is
  the convention the built-in scenario cites its source analyses by (text saved from web
  pages has one paragraph per line).  A hard-wrapped text file is therefore split line by
  line: save it as ``.md`` to get blank-line paragraphs.
- **Markdown**: blocks separated by blank lines; a heading and a list item are paragraphs
  of their own; a YAML front matter block is metadata, not text.
- **HTML**: the text of each block element (p, h1-h6, li, blockquote, td, ...);
  see :mod:`pivotal.evidence.html_reader`.
- **PDF**: see :mod:`pivotal.evidence.pdf_reader`.

Every reader raises :class:`UnreadableDocument` with a reason a user can act on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from pivotal.evidence import budget
from pivotal.evidence.dates import parse_date
from pivotal.evidence.errors import UnreadableDocument
from pivotal.evidence.records import Metadata, Paragraph, ReadDocument

FORMATS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}

TITLE_MAX = 150  # a first line longer than this is prose, not a title


def format_of(path: Path) -> str | None:
    """The format a file is read as, from its extension; None for one we do not read."""
    return FORMATS.get(path.suffix.lower())


def read_document(path: Path) -> ReadDocument:
    """Read one file into metadata and numbered paragraphs; UnreadableDocument if it cannot be."""
    kind = format_of(path)
    if kind is None:
        found = path.suffix or "no extension"
        known = ", ".join(sorted(FORMATS))
        raise UnreadableDocument(f"not a format pivotal reads ({known}), found {found!r}")
    try:
        with path.open("rb") as stream:
            data = stream.read(budget.MAX_DOCUMENT_BYTES + 1)
    except OSError as err:
        raise UnreadableDocument(f"cannot be opened: {err.strerror or err}") from err
    if len(data) > budget.MAX_DOCUMENT_BYTES:
        raise UnreadableDocument(f"larger than {budget.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    return read_bytes(data, name=path.name, kind=kind, path=str(path.resolve()))


def read_bytes(data: bytes, *, name: str, kind: str, path: str | None = None) -> ReadDocument:
    """Read a document from its bytes; ``kind`` is one of the values of :data:`FORMATS`."""
    parser = _PARSERS[kind]
    metadata, paragraphs = parser(data)
    if not paragraphs:
        hint = " (a scanned PDF needs OCR first)" if kind == "pdf" else ""
        raise UnreadableDocument(f"no text found{hint}")
    if metadata.title is None:
        metadata = Metadata(Path(name).stem, metadata.outlet, metadata.author, metadata.date)
    return ReadDocument(
        path=path or name,
        file_name=name,
        format=kind,
        content_hash=hashlib.sha256(data).hexdigest(),
        metadata=metadata,
        paragraphs=tuple(paragraphs),
    )


def decode_text(data: bytes, encoding: str = "utf-8") -> str:
    """Text from bytes, strictly: binary data and text in another encoding are refused.

    Guessing an encoding would store mojibake that no search finds; refusing says which
    file to convert.
    """
    if b"\x00" in data:
        raise UnreadableDocument("binary data, not text (it contains NUL bytes)")
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    try:
        return data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as err:
        raise UnreadableDocument(
            f"not {encoding.upper()} text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "convert it to UTF-8 first"
        ) from err
    except LookupError as err:
        raise UnreadableDocument(f"declares an unknown encoding {encoding!r}") from err


# ---- plain text ---------------------------------------------------------------------------


def read_text(data: bytes) -> tuple[Metadata, list[Paragraph]]:
    """One paragraph per non-empty line; the title is the headline above the body, if there is one."""
    paragraphs = [
        Paragraph(number, " ".join(line.split()), index, index)
        for number, (index, line) in enumerate(
            ((i, line) for i, line in enumerate(decode_text(data).splitlines(), start=1) if line.strip()),
            start=1,
        )
    ]
    return Metadata(title=text_title([p.text for p in paragraphs])), paragraphs


#: Lines looked at for a plain-text title: a headline sits above the body, near the top.
TITLE_LINES = 8
#: Words a headline has at least; shorter lines are menu items, section labels or image names.
HEADLINE_WORDS = 3

# What a page saved as text carries around its article: sharing, sign-up and cookie prompts,
# navigation and picture credits.  Most begin the line; a few give themselves away anywhere.
_BOILERPLATE = re.compile(
    r"^(?:follow us|share\b|sign (?:up|in)|log ?in|subscribe|skip to|read more|show (?:more|less)"
    r"|keep reading|get the latest|learn more|view profile|related\b|advertisement|back to top"
    r"|click here|(?:main )?(?:image|photo|picture) (?:credit|by)|(?:image|photo|picture):)"
    r"|\b(?:cookies?|newsletters?|privacy policy|terms of (?:use|service)|all rights reserved"
    r"|follow us|subscribe (?:now|today|to our)|shutterstock|getty images|toggle navigation)\b|©",
    re.IGNORECASE,
)
# Breadcrumbs and menus run items together with separators ('Analysis | Middle East'); a
# byline names the author, not the piece.
_NOT_A_TITLE = re.compile(r"\s[|•·»›>/]\s|^by\s", re.IGNORECASE)
# Words a headline in title case still writes small, and a row of menu items never has.
_SMALL_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "with",
    }
)


def text_title(lines: list[str]) -> str | None:
    """The first headline-like line above the body of a plain-text document; None without one.

    Boilerplate and menu-like lines are passed over; the first line that reads as prose ends
    the search, since a headline comes before the body and a section heading after it.
    """
    for line in lines[:TITLE_LINES]:
        if _BOILERPLATE.search(line) or _NOT_A_TITLE.search(line):
            continue
        if _is_prose(line):
            return None
        if _is_headline(line):
            return line
    return None


def _is_prose(line: str) -> bool:
    """A line of the body: too long for a title, or ending as a sentence or clause does."""
    return len(line) > TITLE_MAX or line.rstrip().endswith((".", ",", ";", ":", "!", "?"))


def _is_headline(line: str) -> bool:
    """Several words (not a date or a file name), and not a row of capitalised menu items."""
    words = [w for w in line.split() if any(c.isalpha() for c in w)]
    if len(words) < HEADLINE_WORDS:
        return False
    menu_like = all(w[0].isupper() for w in words) and not any(w.lower() in _SMALL_WORDS for w in words)
    return not (menu_like and len(words) > HEADLINE_WORDS)


# ---- Markdown -----------------------------------------------------------------------------

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_RULE = re.compile(r"^\s{0,3}([-=*_])(\s*\1){2,}\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|`+)(?=\S)(.+?)(?<=\S)\1")
_UNDERSCORES = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")  # not inside snake_case
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")

OUTLET_KEYS = ("outlet", "publisher", "publication", "source", "site", "journal")
AUTHOR_KEYS = ("author", "authors", "creator")
DATE_KEYS = ("date", "published", "publication_date")


def read_markdown(data: bytes) -> tuple[Metadata, list[Paragraph]]:
    """Blank-line blocks as paragraphs, headings and list items alone; front matter is metadata."""
    lines = decode_text(data).splitlines()
    front, body_start = _front_matter(lines)
    blocks: list[tuple[int, int, list[str]]] = []
    current: list[str] = []
    first = 0
    fence: str | None = None

    def close(last: int) -> None:
        nonlocal current
        if current:
            blocks.append((first, last, current))
        current = []

    for number, line in enumerate(lines[body_start:], start=body_start + 1):
        if fence is not None:
            current.append(line)
            if line.strip().startswith(fence):
                fence = None
                close(number)
            continue
        opening = _FENCE.match(line)
        if opening:
            close(number - 1)
            fence, first, current = opening.group(1), number, [line]
            continue
        if not line.strip():
            close(number - 1)
            continue
        if _HEADING.match(line):
            close(number - 1)
            first, current = number, [line]
            close(number)
            continue
        if _RULE.match(line):  # a rule, or the underline of a setext heading: not text
            close(number)
            continue
        if _LIST_MARK.match(line):  # each list item is a paragraph of its own
            close(number - 1)
        if not current:
            first = number
        current.append(line)
    close(len(lines))

    paragraphs: list[Paragraph] = []
    title = _string(front.get("title"))
    for start, end, block in blocks:
        heading = _HEADING.match(block[0]) if len(block) == 1 else None
        text = heading.group(2) if heading else " ".join(_LIST_MARK.sub("", part) for part in block)
        if _FENCE.match(block[0]):
            text = " ".join(line for line in block if not _FENCE.match(line))
        text = " ".join(_clean_inline(text).split())
        if not text:
            continue
        if title is None and heading:
            title = text
        paragraphs.append(Paragraph(len(paragraphs) + 1, text, start, end))
    metadata = Metadata(
        title=title,
        outlet=_first_key(front, OUTLET_KEYS),
        author=_first_key(front, AUTHOR_KEYS),
        date=_normal_date(front.get(next((k for k in DATE_KEYS if k in front), ""), None)),
    )
    return metadata, paragraphs


def _front_matter(lines: list[str]) -> tuple[dict, int]:
    """YAML between a first line '---' and the next '---' or '...'; ({}, 0) when absent."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            try:
                loaded = yaml.safe_load("\n".join(lines[1:index]))
            except yaml.YAMLError:
                loaded = None
            front = {str(k).lower(): v for k, v in loaded.items()} if isinstance(loaded, dict) else {}
            return front, index + 1
    return {}, 0


def _clean_inline(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    return _UNDERSCORES.sub(r"\2", _EMPHASIS.sub(r"\2", text))


def _string(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        joined = ", ".join(str(v).strip() for v in value if str(v).strip())
        return joined or None
    text = " ".join(str(value).split())
    return text or None


def _first_key(front: dict, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = _string(front.get(key))
        if value:
            return value
    return None


def _normal_date(value: object) -> str | None:
    """ISO date text from a YAML date, an int year or a string; None if it is not a date."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    mention = parse_date(str(value))
    return mention.iso() if mention is not None else None


def _read_html(data: bytes) -> tuple[Metadata, list[Paragraph]]:
    from pivotal.evidence.html_reader import read_html

    return read_html(data)


def _read_pdf(data: bytes) -> tuple[Metadata, list[Paragraph]]:
    from pivotal.evidence.pdf_reader import read_pdf  # pypdf is imported only for PDFs

    return read_pdf(data)


_PARSERS: dict[str, Callable[[bytes], tuple[Metadata, list[Paragraph]]]] = {
    "text": read_text,
    "markdown": read_markdown,
    "html": _read_html,
    "pdf": _read_pdf,
}
