"""The report's charts by name as files and markup: an inline SVG, a standalone SVG or a PNG file.

SVG output is deterministic: a fixed hash salt for its ids and no date in its metadata, so the
same inputs give the same bytes.  Files are written through a temporary file and a rename, so a
reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import uuid
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

import pandas as pd

from pivotal.report.registry import chart_alt_text, chart_named, draw_chart
from pivotal.report.style import PNG_DPI, drawing_style
from pivotal.scenario.schema import Scenario


def chart_svg(
    name: str,
    *,
    summary: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    analysis: dict[str, Any] | None = None,
) -> str:
    """The chart as an ``<svg>`` element ready to inline in HTML, with ``<title>`` and ``<desc>``.

    Raises ValueError for an unknown name or a missing input.  The same inputs
    give the same text.
    """
    alt = chart_alt_text(name, summary=summary, scenario=scenario, analysis=analysis)
    with drawing_style({"svg.id": f"chart-{name}"}):
        figure = draw_chart(name, summary=summary, scenario=scenario, analysis=analysis)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _inline_svg(buffer.getvalue(), name, chart_named(name).title, alt)


def _inline_svg(text: str, name: str, title: str, alt: str) -> str:
    """Matplotlib's SVG document as an element to inline: no XML prolog or metadata, and labelled
    for screen readers by its ``<title>`` and ``<desc>``."""
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    head_end = text.index(">") + 1
    ident = f"chart-{name}"
    head = text[:head_end].replace(
        "<svg ", f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" ', 1
    )
    labels = (
        f'\n <title id="{ident}-title">{escape(title)}</title>\n <desc id="{ident}-desc">{escape(alt)}</desc>'
    )
    return head + labels + text[head_end:].rstrip() + "\n"


def save_chart(
    name: str,
    path: str | Path,
    fmt: Literal["png", "svg"],
    *,
    summary: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    analysis: dict[str, Any] | None = None,
) -> Path:
    """Write one chart as a PNG (for papers, 200 dpi) or a standalone SVG file; returns the path.

    The file is written to a temporary name beside ``path`` and then moved into
    place, so a reader never sees half a file.  A PNG carries the title and the
    alt text in its metadata.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"format must be 'png' or 'svg', got {fmt!r}")
    path = Path(path)
    if fmt == "svg":
        text = chart_svg(name, summary=summary, scenario=scenario, analysis=analysis)
        data = ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + text).encode("utf-8")
    else:
        alt = chart_alt_text(name, summary=summary, scenario=scenario, analysis=analysis)
        with drawing_style():
            figure = draw_chart(name, summary=summary, scenario=scenario, analysis=analysis)
            buffer = io.BytesIO()
            figure.savefig(
                buffer,
                format="png",
                dpi=PNG_DPI,
                metadata={"Title": chart_named(name).title, "Description": alt},
            )
        data = buffer.getvalue()
    write_atomic(path, data)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    The temporary file is created with the usual permissions (0o666 less the
    umask), not mkstemp's private 0o600, so the result reads like any other file.
    """
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:  # name the file asked for, not the temporary one
        raise OSError(error.errno, error.strerror, str(path)) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
