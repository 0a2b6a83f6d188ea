"""The report: analyses in the store, the charts, the offline HTML file and `pivotal report`."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as xml_escape

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from typer.testing import CliRunner

import pivotal
from pivotal.cli.app import app
from pivotal.model.parameters import REQUIRED_NAMES
from pivotal.report.charts import CHART_NAMES, chart_alt_text, chart_svg, plot_probability_bands, save_chart
from pivotal.report.data import scenario_from_json
from pivotal.report.files import write_figures
from pivotal.report.html import build_report
from pivotal.report.registry import ANALYSIS_CHARTS, CHARTS
from pivotal.store import ANALYSIS_KINDS, RunStore

runner = CliRunner()

#: A src=, href= or CSS url() that reaches outside the file (http, https or protocol-relative).
EXTERNAL = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)\s*(?:https?:)?//""", re.IGNORECASE
)
SECTIONS = (
    "run",
    "probabilities",
    "belief",
    "commitments",
    "episodes",
    "analyses",
    "score",
    "whatif",
    "sensitivity",
    "sources",
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "80"})


@pytest.fixture
def tiny_run(tiny_scenario) -> pivotal.Run:
    return pivotal.run_scenario(tiny_scenario, draws=200, seed=3)


def svgs(html: str) -> dict[str, str]:
    """Each inline chart of a report, by name."""
    found = re.findall(r'(<svg role="img"[^>]*\bid="chart-([a-z]+)".*?</svg>)', html, re.DOTALL)
    return {name: svg for svg, name in found}


# ------------------------------------------------------------------ the store


def test_analyses_are_kept_by_scenario_hash_latest_first():
    store = RunStore()
    first = store.record_analysis(
        kind="score",
        scenario_id="a",
        scenario_hash="h1",
        draws=10,
        seed=1,
        settings={"start": 2002},
        result={"brier": float("nan"), "n": np.int64(3)},
    )
    second = store.record_analysis(
        kind="whatif",
        scenario_id="a",
        scenario_hash="h1",
        draws=10,
        seed=1,
        settings={},
        result={"differences": []},
    )
    store.record_analysis(
        kind="score", scenario_id="b", scenario_hash="h2", draws=10, seed=None, settings={}, result={}
    )
    found = store.analyses_for("h1")
    assert [a.analysis_id for a in found] == [second, first]
    assert found[1].result == {"brier": None, "n": 3}  # NaN stored as null: strict JSON
    assert found[1].settings == {"start": 2002} and found[1].draws == 10 and found[1].kind == "score"
    assert store.analyses_for("nothing") == []
    with pytest.raises(ValueError, match="kind must be one of"):
        store.record_analysis(
            kind="poll", scenario_id="a", scenario_hash="h1", draws=1, seed=1, settings={}, result={}
        )


def test_a_store_from_before_analyses_gains_the_table(tiny_run):
    store = RunStore()
    con = duckdb.connect(str(store.path))
    con.execute("DROP TABLE analyses")
    con.close()
    assert store.analyses_for("anything") == []
    store.record_analysis(
        kind="sensitivity",
        scenario_id="x",
        scenario_hash="h",
        draws=1,
        seed=0,
        settings={},
        result={"indices": []},
    )
    assert len(store.analyses_for("h")) == 1
    assert store.get(tiny_run.run_id).record.run_id == tiny_run.run_id


def test_the_stored_scenario_reads_back_unchanged(tiny_scenario):
    for scenario in (tiny_scenario, pivotal.builtin_scenario()):
        again = scenario_from_json(scenario.model_dump_json())
        # Equal content; a source date may come back as its ISO text, which dumps (and hashes) the same.
        assert again.model_dump_json() == scenario.model_dump_json()
        assert pivotal.scenario_hash(again) == pivotal.scenario_hash(scenario)
        assert again.years == scenario.years and again.roles == scenario.roles


def test_a_variant_with_uncited_pieces_reads_back_and_reports(tiny_scenario):
    from pivotal.scenario.overlay import apply_overlay, overlay_from_settings

    variant = apply_overlay(
        tiny_scenario,
        overlay_from_settings(
            ["war_cost=0.2@2002-2003", "record.pivot_response=restrain@2002"], tiny_scenario
        ),
    )
    again = scenario_from_json(variant.model_dump_json())
    assert again.model_dump_json() == variant.model_dump_json()
    assert [p.sources for p in again.parameters["war_cost"] if p.low == 0.2] == [[]]
    run = pivotal.run_scenario(variant, draws=50, seed=1)
    html = build_report(run.run_id)
    assert "no source: set for this run by an overlay or a setting" in html


# ------------------------------------------------------------------ charts


def test_chart_svg_is_inline_labelled_and_deterministic(tiny_run, tiny_scenario):
    inputs = {"summary": tiny_run.summary, "scenario": tiny_scenario}
    for name in ("probabilities", "belief", "commitments", "network", "episodes"):
        svg = chart_svg(name, **inputs)
        assert svg.startswith("<svg ") and "<?xml" not in svg and "<metadata>" not in svg
        assert f'<title id="chart-{name}-title">' in svg
        assert f'<desc id="chart-{name}-desc">{xml_escape(chart_alt_text(name, **inputs))}</desc>' in svg
        assert not EXTERNAL.search(svg)
        assert svg == chart_svg(name, **inputs)


def test_chart_svg_refuses_unknown_names_and_missing_inputs(tiny_run):
    with pytest.raises(ValueError, match="unknown chart 'map'"):
        chart_svg("map", summary=tiny_run.summary)
    with pytest.raises(ValueError, match="needs summary="):
        chart_svg("belief")
    with pytest.raises(ValueError, match="needs scenario="):
        chart_alt_text("episodes", summary=tiny_run.summary)
    with pytest.raises(ValueError, match="needs analysis="):
        chart_svg("score", summary=tiny_run.summary)
    with pytest.raises(ValueError, match="with 'indices'"):
        chart_svg("sensitivity", analysis={"scores": []})
    assert CHART_NAMES == (
        "probabilities",
        "belief",
        "commitments",
        "network",
        "episodes",
        "score",
        "whatif",
        "sensitivity",
    )


#: A small result of each kind of analysis, enough for its chart (the real ones take minutes to make).
SMALL_ANALYSES = {
    "score": {
        "start": 2002,
        "scores": [
            {"outcome": "offensive", "method": m, "fit": f, "brier": b, "n": 2, "events": 1}
            for m, f, b in (
                ("model, fitted precision", "rolling-origin", 0.1),
                ("base rate", "rolling-origin", 0.2),
            )
        ],
    },
    "whatif": {
        "titles": ["a change"],
        "diverges": 2002,
        "differences": [
            {"metric": "p_offensive", "period": p, "difference": 0.01, "low": 0.0, "high": 0.02}
            for p in (2002, 2003)
        ],
    },
    "sensitivity": {
        "metric": "p_offensive",
        "periods": "2001-2003",
        "samples": 16,
        "indices": [{"parameter": "war_cost", "S1": 0.5, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.1}],
    },
}


def test_the_registry_lists_every_chart_the_report_shows_and_writes(tiny_run, tmp_path):
    assert tuple(CHARTS) == CHART_NAMES
    assert set(ANALYSIS_CHARTS) == set(ANALYSIS_KINDS) == set(SMALL_ANALYSES)
    for name, chart in CHARTS.items():
        assert chart.name == name
        assert chart.title.strip() and chart.heading.strip() and chart.how_to_read.strip(), name
    store = RunStore()
    record = store.get(tiny_run.run_id).record
    for kind, result in SMALL_ANALYSES.items():
        store.record_analysis(
            kind=kind,
            scenario_id=record.scenario_id,
            scenario_hash=record.scenario_hash,
            draws=10,
            seed=1,
            settings={},
            result=result,
        )
    html = build_report(tiny_run.run_id)
    assert list(svgs(html)) == list(CHARTS)  # every chart, in the registry's order
    for number, chart in enumerate(CHARTS.values(), start=1):
        assert f"Figure {number}. {escape(chart.heading)}.</strong> {escape(chart.how_to_read)}" in html
        assert f'<title id="chart-{chart.name}-title">{xml_escape(chart.title)}</title>' in html
    written = write_figures(tiny_run.run_id, tmp_path / "figures", "svg")
    assert [p.name for p in written] == [f"{name}.svg" for name in CHARTS]


def test_the_network_shows_the_ties_in_force_each_year(tiny_scenario):
    from pivotal.report.network import actor_places, network_years, ties_in_force

    assert network_years(tiny_scenario) == [2001, 2002, 2003]  # three periods: one panel each
    caucasus = pivotal.builtin_scenario()
    assert network_years(caucasus) == [1994, 2004, 2015, 2025]
    in_force = {t.id for t in ties_in_force(tiny_scenario, 2002)}
    assert in_force == {"piv-tar-alliance", "PAT-patron-of-CHA"}
    places = actor_places(tiny_scenario)
    assert places["PIV"][1] > places["CHA"][1] and places["PIV"][1] > places["TAR"][1]  # pivot on top
    text = chart_alt_text("network", scenario=tiny_scenario)
    assert "2002: PAT–CHA (patronage" in text and "PIV–TAR (alliance" in text
    ukraine = {t.id for t in ties_in_force(caucasus, 2025)} - {t.id for t in ties_in_force(caucasus, 2015)}
    assert ukraine, "ties begun after 2015 appear in the 2025 panel only"


def test_the_probability_chart_draws_the_summary(tiny_run):
    summary = tiny_run.summary
    ax = plot_probability_bands(summary, metrics=("p_challenge", "p_offensive"))
    means = [line for line in ax.get_lines() if len(line.get_xdata()) == len(summary)]
    assert len(means) == 2
    for line, name in zip(means, ("p_challenge", "p_offensive"), strict=True):
        assert list(line.get_xdata()) == list(summary["period"])
        assert np.allclose(line.get_ydata(), summary[name])
    assert ax.get_ylabel() == "Probability (0–1)" and ax.get_xlabel().startswith("Year")


def summaries() -> st.SearchStrategy[pd.DataFrame]:
    """Summaries of 1 to 12 periods with random means inside random 90% intervals."""

    @st.composite
    def build(draw) -> pd.DataFrame:
        first = draw(st.integers(1900, 2100))
        n = draw(st.integers(1, 12))
        unit = st.floats(0, 1, allow_nan=False)
        frame = pd.DataFrame(
            {
                "period": range(first, first + n),
                "pivot": "P",
                "challenger": "C",
                "target": "T",
                "belief_source": "record",
                "observed_challenge": None,
                "observed_response": None,
            }
        )
        for name in ("p_challenge", "p_offensive", "p_intervene"):
            values = np.sort(np.array([[draw(unit) for _ in range(3)] for _ in range(n)]), axis=1)
            frame[f"{name}_low"], frame[name], frame[f"{name}_high"] = values.T
        return frame

    return build()


@settings(max_examples=60, deadline=None)
@given(summaries())
def test_the_probability_alt_text_states_the_years_and_each_peak(summary):
    text = chart_alt_text("probabilities", summary=summary)
    first, last = int(summary["period"].iloc[0]), int(summary["period"].iloc[-1])
    assert f"{first}–{last}" in text
    for name in ("p_challenge", "p_offensive", "p_intervene"):
        peak = int(np.argmax(summary[name].to_numpy()))
        assert f"mean peaks at {summary[name].iloc[peak]:.2f} in {int(summary['period'].iloc[peak])}" in text


def test_save_chart_writes_png_and_svg(tmp_path, tiny_scenario):
    png = save_chart("episodes", tmp_path / "e.png", "png", scenario=tiny_scenario)
    assert png.read_bytes().startswith(PNG_MAGIC)
    svg = save_chart("episodes", tmp_path / "e.svg", "svg", scenario=tiny_scenario)
    assert svg.read_text(encoding="utf-8").startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.png", "e.svg"]  # no temporary files left
    with pytest.raises(ValueError, match="format must be"):
        save_chart("episodes", tmp_path / "e.pdf", "pdf", scenario=tiny_scenario)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the HTML report


def test_the_report_has_every_section_chart_parameter_and_source(tiny_run, tiny_scenario):
    html = build_report(tiny_run.run_id[:6])
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    for section in SECTIONS:
        assert f'id="{section}"' in html, section
    charts = svgs(html)
    assert sorted(charts) == ["belief", "commitments", "episodes", "network", "probabilities"]
    for name, svg in charts.items():
        assert f'<title id="chart-{name}-title">' in svg and f'<desc id="chart-{name}-desc">' in svg
        assert (
            f"Alt text: {escape(chart_alt_text(name, summary=tiny_run.summary, scenario=tiny_scenario))}"
            in html
        )
    sources = html[html.index('id="sources"') :]
    for name in tiny_scenario.parameters:
        assert f"<code>{name}</code>" in sources
    for key, source in tiny_scenario.sources.items():
        assert f'id="source-{key}"' in sources and str(escape(source.title)) in sources
    assert "¶3" in sources  # a citation's locator
    for text in (
        tiny_run.run_id,
        pivotal.scenario_hash(tiny_scenario),
        "Tiny triangle",
        "200",
        pivotal.__version__,
        "piv-tar-alliance",
        "PAT-patron-of-CHA",
        "Border clash",
    ):
        assert text in html
    for kind in ("score", "whatif", "sensitivity"):
        assert f"No {kind} analysis is recorded for this scenario" in html
    assert not EXTERNAL.search(html)
    assert "<script" not in html and "<link" not in html


def test_the_external_reference_check_catches_what_it_should():
    for bad in (
        '<script src="https://cdn.example/x.js">',
        "<link href='http://x/y.css'>",
        '<img src="//x/y.png">',
        "body { background: url( 'https://x/y.png') }",
        '@import "https://x/y.css";',
    ):
        assert EXTERNAL.search(bad), bad
    for fine in ('<a href="#source-note-a">', 'xlink:href="#m1"', "<code>https://example.org</code>"):
        assert not EXTERNAL.search(fine), fine


def test_analysis_charts_appear_once_recorded_and_not_with_no_store(tiny_path, tiny_scenario, tiny_run):
    hash_ = pivotal.scenario_hash(tiny_scenario)
    assert invoke("score", str(tiny_path), "--start", "2002", "-n", "100", "--no-store").exit_code == 0
    assert RunStore().analyses_for(hash_) == []
    assert sorted(svgs(build_report(tiny_run.run_id))) == [
        "belief",
        "commitments",
        "episodes",
        "network",
        "probabilities",
    ]
    commands = (
        ("score", str(tiny_path), "--start", "2002", "-n", "100", "--json"),
        ("whatif", "--scenario", str(tiny_path), "--set", "third_party_deterrence=0.5@2002", "-n", "100"),
        ("sensitivity", str(tiny_path), "--samples", "16"),
    )
    for command in commands:
        result = invoke(*command)
        assert result.exit_code == 0, result.output
        assert f"recorded {command[0]} analysis" in result.output
    assert [a.kind for a in RunStore().analyses_for(hash_)] == ["sensitivity", "whatif", "score"]
    html = build_report(tiny_run.run_id)
    assert sorted(svgs(html)) == sorted(CHART_NAMES)
    assert "No score analysis" not in html
    assert "the worlds diverge in 2002" in html and "Convergence:" in html
    assert not EXTERNAL.search(html)


def test_the_builtin_scenarios_report_builds():
    scenario = pivotal.builtin_scenario()
    run = pivotal.run_scenario(scenario, draws=64, seed=5)
    html = build_report(run.run_id)
    assert sorted(svgs(html)) == ["belief", "commitments", "episodes", "network", "probabilities"]
    for commitment in scenario.commitments:
        assert f"<code>{commitment.id}</code>" in html
    for episode in scenario.episodes:
        assert str(escape(episode.title)) in html
    for key in scenario.sources:
        assert f'id="source-{key}"' in html
    assert "1994–2025" in html and not EXTERNAL.search(html)


# ------------------------------------------------------------------ the command


def test_report_writes_the_latest_run_here_by_default(tmp_path, monkeypatch, tiny_scenario):
    monkeypatch.chdir(tmp_path)
    older = pivotal.run_scenario(tiny_scenario, draws=50, seed=1)
    latest = pivotal.run_scenario(tiny_scenario, draws=50, seed=2)
    result = invoke("report")
    assert result.exit_code == 0, result.output
    written = tmp_path / f"pivotal-report-{latest.run_id}.html"
    assert written.is_file() and f"<code>{latest.run_id}</code>" in written.read_text(encoding="utf-8")
    result = invoke("report", older.run_id[:5], "--out", str(tmp_path / "older.html"))
    assert result.exit_code == 0, result.output
    assert older.run_id in (tmp_path / "older.html").read_text(encoding="utf-8")
    folder = tmp_path / "reports"
    folder.mkdir()
    assert invoke("report", older.run_id, "-o", str(folder)).exit_code == 0
    assert (folder / f"pivotal-report-{older.run_id}.html").is_file()
    assert not [p for p in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_report_writes_each_chart_as_an_image(tmp_path, tiny_run, fmt):
    folder = tmp_path / "figures"
    result = invoke("report", tiny_run.run_id, "--format", fmt, "--out", str(folder))
    assert result.exit_code == 0, result.output
    names = ["belief", "commitments", "episodes", "network", "probabilities"]
    assert sorted(p.name for p in folder.iterdir()) == [f"{n}.{fmt}" for n in names]
    for path in folder.iterdir():
        data = path.read_bytes()
        if fmt == "png":
            assert data.startswith(PNG_MAGIC)
        else:
            assert data.startswith(b"<?xml") and b"<svg " in data and b"<desc " in data


def one_error_line(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.output


def test_report_errors_are_one_line(tmp_path, tiny_scenario, isolated_home):
    one_error_line(invoke("report"), "no runs recorded yet")
    one_error_line(invoke("report", "feedface"), "no run with id 'feedface'")
    run = pivotal.run_scenario(tiny_scenario, draws=20, seed=1)
    one_error_line(invoke("report", "feedface"), "no run with id 'feedface'")
    missing = tmp_path / "no-such-folder" / "r.html"
    one_error_line(invoke("report", run.run_id, "--out", str(missing)), f"cannot write {missing}")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    one_error_line(invoke("report", run.run_id, "--format", "png", "--out", str(blocker)), "cannot write")


def test_the_report_shows_passages_beside_each_parameter(tiny_run, tmp_path):
    from pivotal.evidence import EvidenceStore, ingest
    from tests.evidence_files import make_library

    library = make_library(tmp_path / "library", unreadable=False)
    (library / "capacity.md").write_text(
        "# Overstretch\n\nPivotia's capacity is tied up: a large share of its army is held down by a war far "
        "away, so the share of the pivot's capacity left for Targetia is small.\n",
        encoding="utf-8",
    )
    store = RunStore()
    ingest([library], EvidenceStore(store.path))
    html = build_report(tiny_run.run_id, store)
    table = html[html.index('<table id="parameters">') :]
    table = table[: table.index("</table>")]
    rows = dict(
        re.findall(
            r'<code>([a-z_]+)</code>.*?(<details class="evidence">.*?</details>|no passage in '
            r"your documents bears on it)",
            table,
            re.DOTALL,
        )
    )
    assert set(rows) == set(REQUIRED_NAMES)  # the parameters the file gives; it leaves the optional ones out
    assert "Overstretch, ¶" in rows["pivot_distraction"] and "tied up" in rows["pivot_distraction"]
    assert "no passage in your documents bears on it" in rows.values()
    assert not EXTERNAL.search(html)


def test_without_documents_the_report_shows_no_passages(tiny_run):
    html = build_report(tiny_run.run_id)
    assert 'class="evidence"' not in html and "no passage in your documents" not in html
