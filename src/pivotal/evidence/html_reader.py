"""HTML to paragraphs and metadata, with the standard library's ``html.parser``.

Why not BeautifulSoup: we need only the text of block elements and a few meta tags, and
the line of the source where each paragraph starts and ends, which ``HTMLParser.getpos``
gives directly; BeautifulSoup would add a dependency to get the same from the same parser.
``html.parser`` is also forgiving of broken markup: unclosed tags end at the next block.

A paragraph is the text between two block boundaries (the start or end of p, div,
h1-h6, li, blockquote, td, ...), whitespace collapsed; text in script, style, head
(except <title>) and similar is ignored.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pivotal.evidence.budget import Budget
from pivotal.evidence.dates import parse_date
from pivotal.evidence.readers import decode_text
from pivotal.evidence.records import Metadata, Paragraph

BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "object"})

# Meta keys (name, property or itemprop) in order of preference.
TITLE_KEYS = ("citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title")
AUTHOR_KEYS = (
    "citation_author",
    "author",
    "dc.creator",
    "dcterms.creator",
    "article:author",
    "parsely-author",
    "sailthru.author",
)
OUTLET_KEYS = (
    "citation_journal_title",
    "og:site_name",
    "publisher",
    "dc.publisher",
    "dcterms.publisher",
    "application-name",
)
DATE_KEYS = (
    "citation_publication_date",
    "article:published_time",
    "datepublished",
    "citation_date",
    "dc.date",
    "dcterms.date",
    "dcterms.issued",
    "date",
    "pubdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
)

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:]+)""", re.IGNORECASE)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.title_parts: list[str] = []
        self.first_h1: str | None = None
        self.paragraphs: list[Paragraph] = []
        self._hidden = 0
        self._in_title = False
        self._in_h1 = False
        self._parts: list[str] = []
        self._lines: tuple[int, int] | None = None

    # The parser calls these as it reads.
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._meta(dict(attrs))
        elif tag == "title":
            self._in_title = True
        elif tag in HIDDEN:
            self._hidden += 1
        elif tag in BLOCKS:
            self._flush()
            self._in_h1 = tag == "h1" and self.first_h1 is None
        elif tag == "br":
            self._parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self._flush()
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in BLOCKS:
            text = self._flush()
            if tag == "h1" and self._in_h1 and text:
                self.first_h1 = text
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._hidden or not data.strip():
            if data and self._parts:
                self._parts.append(" ")
            return
        line = self.getpos()[0]
        first = line + data[: len(data) - len(data.lstrip())].count("\n")
        last = line + data.rstrip().count("\n")
        self._lines = (self._lines[0] if self._lines else first, last)
        self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> str | None:
        text = " ".join("".join(self._parts).split())
        if text and self._lines is not None:
            self.paragraphs.append(Paragraph(len(self.paragraphs) + 1, text, *self._lines))
        self._parts, self._lines = [], None
        return text or None

    def _meta(self, attrs: dict[str, str | None]) -> None:
        key = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
        content = attrs.get("content")
        if key and content and content.strip():
            self.meta.setdefault(key.strip().lower(), []).append(" ".join(content.split()))


_STRAY_END_TAG = re.compile(r"</(?![A-Za-z])")

#: Characters handed to the HTML parser at a time, between checks of the reading budget.
FEED_CHARACTERS = 16_384


def read_html(data: bytes) -> tuple[Metadata, list[Paragraph]]:
    """Paragraphs of the block elements; title, author, outlet and date from meta tags."""
    declared = _CHARSET.search(data[:4096])
    text = decode_text(data, declared.group(1).decode("ascii") if declared else "utf-8")
    # "</" not followed by a letter is text to a browser; Python's parser instead holds it back and
    # rescans it at every later step, which takes quadratic time (a megabyte of "</": minutes).
    text = _STRAY_END_TAG.sub("&lt;/", text)
    collector = _Collector()
    budget = Budget()
    for start in range(0, len(text), FEED_CHARACTERS):  # the budget is checked between pieces
        collector.feed(text[start : start + FEED_CHARACTERS])
        budget.spend()
    collector.close()
    meta = collector.meta
    title = _first(meta, TITLE_KEYS) or " ".join("".join(collector.title_parts).split()) or None
    authors = next((meta[k] for k in AUTHOR_KEYS if k in meta), [])
    author = ", ".join(a for a in dict.fromkeys(authors) if not a.startswith(("http://", "https://")))
    date = _first(meta, DATE_KEYS)
    mention = parse_date(date) if date else None
    return (
        Metadata(
            title=title or collector.first_h1,
            outlet=_first(meta, OUTLET_KEYS),
            author=author or None,
            date=mention.iso() if mention else None,
        ),
        collector.paragraphs,
    )


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None
