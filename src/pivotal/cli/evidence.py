"""``pivotal evidence``: add documents, search passages, source and check a scenario's parameters."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pivotal.cli.common import ScenarioArg, app, err, error_line, out, styled, user_errors

if TYPE_CHECKING:
    from pivotal.evidence import EvidenceStore
    from pivotal.scenario import Scenario

#: The library's defaults (``pivotal.evidence.parameters``), repeated here so that ``--help`` need
#: not load the evidence store; a test holds them equal.
DEFAULT_K = 5
MIN_SCORE = 6.0

evidence_app = typer.Typer(
    help="Documents in, sourced parameters out: add analyses, search their passages, "
    "find the passages behind each parameter and check a scenario's citations.",
    no_args_is_help=True,
)
app.add_typer(evidence_app, name="evidence")

AsJson = Annotated[bool, typer.Option("--json", help="Print as JSON on stdout.")]
RankingOption = Annotated[
    str,
    typer.Option(
        "--ranking",
        help="bm25, hybrid (BM25 fused with a sentence-embedding model; the `semantic` extra) "
        "or auto: hybrid when the extra is installed.",
    ),
]


@evidence_app.command("add")
@user_errors
def add(
    paths: Annotated[
        list[Path], typer.Argument(help="Text, Markdown, HTML or PDF files, or folders of them.")
    ],
    title: Annotated[
        str | None, typer.Option(help="Title (one file only); overrides the file's own.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet or publisher; overrides the file's own.")] = None,
    author: Annotated[str | None, typer.Option(help="Author; overrides the file's own.")] = None,
    date: Annotated[str | None, typer.Option(help="Publication date: 2022-09-13, 2022-09 or 2022.")] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario", help="Scenario whose actors are tagged in the passages (default: south-caucasus)."
        ),
    ] = None,
    corpus: Annotated[
        str | None,
        typer.Option(
            "--corpus",
            metavar="NAME",
            help="Corpus the documents go into (a scenario's evidence comes from the corpus it names with "
            "`corpus:`, and from the documents it cites). Default: default; a document already stored "
            "joins the corpus given and keeps its others.",
        ),
    ] = None,
) -> None:
    """Add documents to the evidence store; unreadable files are reported and skipped."""

    from pivotal.evidence import (
        EvidenceStore,
        ingest,
    )
    from pivotal.scenario import resolve_scenario

    store = EvidenceStore()
    report = ingest(
        paths,
        store,
        resolve_scenario(scenario),
        title=title,
        outlet=outlet,
        author=author,
        date=date,
        corpus=corpus,
    )
    for d in report.added:
        out.print(
            f"added {d.document_id}  {d.file_name}  “{d.title}” ({d.paragraphs} paragraphs) "
            f"to {_corpora(d.corpora)}",
            highlight=False,
        )
    for d in report.already:
        out.print(
            f"already stored {d.document_id}  {d.file_name}  “{d.title}” in {_corpora(d.corpora)}",
            highlight=False,
        )
    for s in report.skipped:
        err.print(styled(("skipped", "yellow"), f" {s.path}: {s.reason}"), highlight=False, soft_wrap=True)
    summary = (
        f"{len(report.added)} added, {len(report.already)} already stored, {len(report.skipped)} skipped"
    )
    if report.readable == 0:
        err.print(error_line(f"nothing could be read ({summary})"), highlight=False)
        raise typer.Exit(1)
    err.print(f"{summary}; store {store.path}", highlight=False)


def _corpora(names: tuple[str, ...]) -> str:
    """'corpus default', or 'corpora default, india-pakistan'."""
    return f"{'corpus' if len(names) == 1 else 'corpora'} {', '.join(names)}"


@evidence_app.command("list")
@user_errors
def list_documents(as_json: AsJson = False) -> None:
    """List the documents in the evidence store, oldest first."""

    from pivotal.cli.render_evidence import (
        documents_table,
    )
    from pivotal.evidence import (
        EvidenceStore,
    )

    store = EvidenceStore()
    documents = store.documents()
    if as_json:
        rows = [{**d.__dict__, "added_at": d.added_at.isoformat()} for d in documents]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif not documents:
        out.print(f"no documents yet in {store.path}; add some with `pivotal evidence add`", highlight=False)
    else:
        out.print(documents_table(documents))


def _date_option(value: str | None, name: str, end: bool) -> dt.date | None:
    from pivotal.evidence.dates import parse_date

    if value is None:
        return None
    mention = parse_date(value)
    if mention is None:
        raise typer.BadParameter(
            f"expected a date like 2022-09-13, 2022-09 or 2022, found {value!r}", param_hint=name
        )
    return mention.end if end else mention.start


@evidence_app.command("search")
@user_errors
def search_command(
    query: Annotated[str, typer.Argument(help="Words to look for.")],
    actor: Annotated[
        str | None, typer.Option(help="Only passages naming this actor (id, name or alias).")
    ] = None,
    date_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="Only passages mentioning a date on or after this (2020, 2020-10, 2020-10-12).",
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Only passages mentioning a date on or before this."),
    ] = None,
    document: Annotated[str | None, typer.Option(help="Only this document (an id or its start).")] = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, help="How many passages.")] = 10,
    ranking: RankingOption = "auto",
    as_json: AsJson = False,
) -> None:
    """Rank passages for a query, best first, with the query's words highlighted."""

    from pivotal.cli.render_evidence import (
        hits_table,
        search_json,
    )
    from pivotal.evidence import (
        EvidenceStore,
        Filters,
        search,
    )

    filters = Filters(
        actor=actor,
        date_from=_date_option(date_from, "--from", end=False),
        date_to=_date_option(date_to, "--to", end=True),
        document=document,
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise typer.BadParameter("--from is after --to", param_hint="--from")
    how = _ranking_option(ranking)
    hits = search(EvidenceStore(), query, k=k, filters=filters, ranking=how)
    if as_json:
        chosen = {
            "actor": actor,
            "from": date_from,
            "to": date_to,
            "document": document,
            "k": k,
            "ranking": how,
        }
        sys.stdout.write(search_json(hits, query, chosen) + "\n")
    elif not hits:
        out.print(f"no passage matches {query!r}", highlight=False)
    else:
        out.print(hits_table(hits, query, f"{len(hits)} passages for “{query}”"))


@evidence_app.command("for")
@user_errors
def for_parameters(
    scenario: ScenarioArg = None,
    parameter: Annotated[str | None, typer.Option(help="Only this parameter (default: every one).")] = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, help="Passages per parameter.")] = DEFAULT_K,
    ranking: RankingOption = "auto",
    as_json: AsJson = False,
) -> None:
    """For each parameter, the passages that bear on it, ranked by its own words (never its citations)."""

    from pivotal.cli.render_evidence import (
        hit_json,
        hits_table,
    )
    from pivotal.evidence import (
        EvidenceStore,
        cited_locations,
        parameter_evidence,
        parameter_query,
        scenario_corpus,
    )
    from pivotal.scenario import resolve_scenario

    how = _ranking_option(ranking)
    loaded = resolve_scenario(scenario)
    if parameter is not None and parameter not in loaded.parameters:
        raise typer.BadParameter(
            f"expected one of {', '.join(loaded.parameters)}, found {parameter!r}", param_hint="--parameter"
        )
    store = EvidenceStore()
    corpus = scenario_corpus(loaded, store)
    if not corpus.passages:
        out.print(_no_documents(loaded, store), highlight=False)
        return
    names = [parameter] if parameter else list(loaded.parameters)
    evidence = parameter_evidence(loaded, store, k=k, corpus=corpus, parameters=names, ranking=how)
    documents = store.documents()
    if as_json:
        payload = {}
        for name, hits in evidence.items():
            query = parameter_query(loaded, name)
            cited = cited_locations(loaded, name, documents)
            payload[name] = {
                "query": query,
                "passages": [
                    {**hit_json(h, i, query), "cited": (h.document_id, h.paragraph) in cited}
                    for i, h in enumerate(hits, start=1)
                ],
            }
        sys.stdout.write(
            json.dumps(
                {"scenario": loaded.id, "k": k, "ranking": how, "parameters": payload},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        return
    for name, hits in evidence.items():
        title = f"{name} — {len(hits)} passages" if hits else f"{name} — no passage shares its words"
        out.print(
            hits_table(hits, parameter_query(loaded, name), title, cited_locations(loaded, name, documents))
        )


def _no_documents(scenario: Scenario, store: EvidenceStore) -> str:
    """Why a scenario has no evidence: an empty store, or nothing in its corpus."""

    from pivotal.scenario.schema import DEFAULT_CORPUS

    if not store.documents():
        return f"no documents yet in {store.path}; add some with `pivotal evidence add`"
    flag = "" if scenario.corpus == DEFAULT_CORPUS else f" --corpus {scenario.corpus}"
    return (
        f"no documents in the corpus {scenario.corpus!r} of scenario {scenario.id}, nor any it cites; "
        f"add some with `pivotal evidence add PATH{flag}`"
    )


def _ranking_option(ranking: str) -> Literal["bm25", "hybrid"]:
    """'bm25' or 'hybrid'; an unknown name is a usage error, a missing extra a one-line error."""
    from pivotal.evidence.search import RANKINGS, resolve_ranking

    if ranking not in RANKINGS:
        raise typer.BadParameter(
            f"expected one of {', '.join(RANKINGS)}, found {ranking!r}", param_hint="--ranking"
        )
    return resolve_ranking(ranking)


@evidence_app.command("check")
@user_errors
def check(
    scenario: ScenarioArg = None,
    min_score: Annotated[
        float,
        typer.Option(
            "--min-score", min=0, help="BM25 score a passage needs to count as bearing on a parameter."
        ),
    ] = MIN_SCORE,
    as_json: AsJson = False,
) -> None:
    """List parameter citations the corpus cannot confirm, and parameters no passage supports.

    Exits 1 when it finds either, like a linter.
    """

    from pivotal.cli.render_evidence import (
        check_json,
        check_output,
    )
    from pivotal.evidence import (
        EvidenceStore,
        check_scenario,
    )
    from pivotal.scenario import resolve_scenario

    report = check_scenario(resolve_scenario(scenario), EvidenceStore(), min_score=min_score)
    if as_json:
        sys.stdout.write(check_json(report) + "\n")
    else:
        out.print(check_output(report))
    if not report.ok:
        raise typer.Exit(1)
