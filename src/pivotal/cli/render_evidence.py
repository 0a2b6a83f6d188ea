"""Tables and JSON for evidence; presentation only, the ranking comes from pivotal.evidence."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from pivotal.evidence import CheckReport, Document, Passage, snippet

HIGHLIGHT = "bold yellow"


def highlighted(text: str, query: str) -> Text:
    """A snippet of ``text`` around the query's words, those words highlighted."""
    shown, spans = snippet(text, query)
    rich_text = Text(shown)
    for start, end in spans:
        rich_text.stylize(HIGHLIGHT, start, end)
    return rich_text


def documents_table(documents: list[Document]) -> Table:
    table = Table(title="Documents in the evidence store")
    for column in ("Id", "Title", "Outlet", "Author", "Date", "¶", "File", "Corpus"):
        table.add_column(
            column,
            no_wrap=column in ("Id", "Date"),
            justify="right" if column == "¶" else "left",
            overflow="fold",
        )
    for d in documents:
        table.add_row(
            d.document_id,
            d.title,
            d.outlet or "",
            d.author or "",
            d.date or "",
            str(d.paragraphs),
            d.file_name,
            ", ".join(d.corpora),
        )
    return table


def hits_table(
    hits: list[Passage], query: str, title: str, cited: set[tuple[str, int]] | None = None
) -> Table:
    """Ranked passages: document, ¶, score and a highlighted snippet; ``cited`` marks cited ones."""
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Document", overflow="fold", max_width=28)
    table.add_column("¶", justify="right", no_wrap=True)
    table.add_column("Score", justify="right")
    table.add_column("Passage", overflow="fold", ratio=1)
    for rank, hit in enumerate(hits, start=1):
        mark = " (cited)" if cited is not None and (hit.document_id, hit.paragraph) in cited else ""
        table.add_row(
            str(rank),
            Text.assemble(hit.title, "\n", (hit.document_id, "dim")),
            hit.locator + mark,
            f"{hit.score:.2f}",
            highlighted(hit.text, query),
        )
    return table


def hit_json(hit: Passage, rank: int, query: str) -> dict[str, Any]:
    return {
        "rank": rank,
        "document_id": hit.document_id,
        "title": hit.title,
        "file": hit.file_name,
        "paragraph": hit.paragraph,
        "locator": hit.locator,
        "line_start": hit.line_start,
        "line_end": hit.line_end,
        "page": hit.page,
        "score": round(hit.score, 6),
        "actors": list(hit.actors),
        "snippet": snippet(hit.text, query)[0],
        "text": hit.text,
    }


def search_json(hits: list[Passage], query: str, filters: dict[str, Any]) -> str:
    return json.dumps(
        {
            "query": query,
            "filters": filters,
            "results": [hit_json(h, i, query) for i, h in enumerate(hits, start=1)],
        },
        ensure_ascii=False,
        indent=2,
    )


def check_output(report: CheckReport) -> Group:
    """(a) citations the corpus cannot confirm, grouped by source; (b) unsupported parameters;
    (c) parameters that cite nothing in the corpus."""
    parts: list[Any] = [
        Text(
            f"{report.scenario_id}: {report.checked} parameter citations checked against "
            f"{report.documents} documents ({report.passages} passages: corpus {report.corpus} and the "
            f"documents the scenario cites); {report.confirmed} found.",
            style="italic",
        )
    ]
    if report.problems:
        table = Table(title="(a) Citations not found in the corpus", title_justify="left")
        for column in ("Source", "Cited at", "Parameters", "Why"):
            table.add_column(column, overflow="fold")
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for p in report.problems:
            grouped.setdefault((p.ref, p.at if p.reason == "out-of-range" else "", p.detail), []).append(
                f"{p.parameter} {p.periods}"
            )
        for (ref, at, detail), where in grouped.items():
            table.add_row(ref, at or "any", ", ".join(dict.fromkeys(where)), detail)
        parts.append(table)
    else:
        parts.append(Text("(a) every cited source is ingested and every cited ¶ exists.", style="green"))
    if report.unsupported:
        lines = ", ".join(f"{n} (best {report.best_scores[n]:.1f})" for n in report.unsupported)
        parts.append(Text(f"(b) no passage scores {report.min_score:g} or more for: {lines}", style="red"))
    else:
        parts.append(
            Text(f"(b) every parameter has a passage scoring {report.min_score:g} or more.", style="green")
        )
    if report.uncited:
        parts.append(
            Text("(c) no citation points into the corpus for: " + ", ".join(report.uncited), style="red")
        )
    else:
        parts.append(Text("(c) every parameter cites at least one passage of the corpus.", style="green"))
    return Group(*parts)


def check_json(report: CheckReport) -> str:
    return json.dumps(
        {
            "scenario": report.scenario_id,
            "corpus": report.corpus,
            "documents": report.documents,
            "passages": report.passages,
            "checked": report.checked,
            "confirmed": report.confirmed,
            "min_score": report.min_score,
            "problems": [p.__dict__ for p in report.problems],
            "unsupported": report.unsupported,
            "uncited": report.uncited,
            "best_scores": {k: round(v, 6) for k, v in report.best_scores.items()},
        },
        ensure_ascii=False,
        indent=2,
    )
