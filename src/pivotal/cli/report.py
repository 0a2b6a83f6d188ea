"""The ``report`` command: a run as one offline HTML file, or its charts as image files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pivotal.cli.common import app, err, error_line, out, user_errors


class ReportFormat(StrEnum):
    """What `pivotal report` writes."""

    html = "html"
    png = "png"
    svg = "svg"


@app.command()
@user_errors
def report(
    run_id: Annotated[
        str | None, typer.Argument(help="A run id, or the start of one (default: the latest run).")
    ] = None,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="HTML: the file (default pivotal-report-<run id>.html here). png/svg: the "
            "folder for the images (default pivotal-report-<run id>/).",
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="html: one self-contained file that opens offline; png or svg: one image "
            "per chart, for papers.",
        ),
    ] = ReportFormat.html,
) -> None:
    """Write a run's report: charts, the record, the analyses and every parameter's sources."""
    from pivotal.report.files import write_figures, write_report
    from pivotal.store import RunStore

    if out_path is not None and fmt is ReportFormat.html and not out_path.is_dir():
        folder = out_path.parent  # say so before building the report, not after
        if not folder.is_dir():
            err.print(
                error_line(f"cannot write {out_path}: the folder {folder} does not exist"),
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1)
    store = RunStore()
    full_id = store.resolve(run_id)
    try:
        if fmt is ReportFormat.html:
            path = write_report(full_id, out_path, store)
            out.print(f"wrote the report of run {full_id} to {path}", highlight=False, soft_wrap=True)
            return
        files = write_figures(full_id, out_path, "png" if fmt is ReportFormat.png else "svg", store)
    except OSError as error:
        where = error.filename or out_path or "the report"
        err.print(
            error_line(f"cannot write {where}: {error.strerror or error}"), highlight=False, soft_wrap=True
        )
        raise typer.Exit(1) from None
    written_to = files[0].parent if files else out_path
    out.print(
        f"wrote {len(files)} {fmt.value} charts of run {full_id} to {written_to}: "
        f"{', '.join(f.name for f in files)}",
        highlight=False,
        soft_wrap=True,
    )
