"""Scoring a system of dyads: one precision multiplier fitted on every dyad's record.

The test system (``system_path`` in conftest) is the tiny scenario beside a copy in which nothing
happens in 2002.  With contagion 0 the first dyad's runs are its scenario's alone, so what the
system fit adds to that dyad is only the other dyad's record, in the posterior.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pivotal.evaluation import PrecisionFit, fit_precision, fit_system_precision, score_scenario, score_system
from pivotal.evaluation.calibration import PRECISION_SCALES
from pivotal.evaluation.score import MODEL_AS_WRITTEN, MODEL_FITTED, ROLLING
from pivotal.scenario.system import load_system


def test_the_first_dyads_grid_runs_are_its_scenario_alone_and_the_other_dyad_adds_evidence(system_path):
    loaded = load_system(system_path)
    fits = fit_system_precision(loaded, draws=30, seed=4, contagion=0.0)
    assert list(fits) == ["tiny-triangle", "tiny-quiet"]
    together, quiet = fits["tiny-triangle"], fits["tiny-quiet"]
    alone = fit_precision(loaded.scenarios[0], draws=30, seed=4)
    for mine, its in zip(together.predictive, alone.predictive, strict=True):  # common random numbers
        pd.testing.assert_frame_equal(mine, its, check_exact=True)
    assert np.array_equal(together.loglik, alone.loglik)
    pd.testing.assert_frame_equal(together.observed, alone.observed)
    # Each dyad carries the other's record likelihoods, and only those.
    assert together.other_periods == tuple(quiet.periods) and quiet.other_periods == tuple(together.periods)
    assert np.array_equal(together.other_loglik, quiet.loglik)
    assert np.array_equal(quiet.other_loglik, together.loglik)
    assert not np.allclose(quiet.loglik[:, 0], quiet.loglik[0, 0])  # the quiet 2001 is evidence
    # The posterior differs from the scenario's alone by the other dyad's earlier periods exactly.
    for before in [*together.periods, None]:
        earlier = np.array([before is None or p < before for p in quiet.periods])
        gap = np.log(together.posterior(before)) - np.log(alone.posterior(before))
        gap -= quiet.loglik[:, earlier].sum(axis=1)
        assert np.ptp(gap) < 1e-9, before
    assert np.array_equal(together.posterior(2001), alone.posterior(2001))  # nothing heard yet
    assert not np.allclose(together.posterior(2002), alone.posterior(2002))
    assert not together.path()[["scale_low", "scale_median", "scale_high"]].isna().any().any()


def test_a_period_another_dyad_shares_is_not_known_before_it():
    """Evidence from other dyads counts strictly before the forecast period: not the same period,
    and a whole year before the episodes played within it."""
    k = len(PRECISION_SCALES)
    rng = np.random.default_rng(0)
    own = rng.normal(size=(k, 2))
    others = rng.normal(size=(k, 3))
    fit = PrecisionFit(
        periods=[2002, 2002.3324],
        scales=PRECISION_SCALES,
        prior=np.full(k, 1 / k),
        predictive=[],
        loglik=own,
        observed=pd.DataFrame(),
        other_periods=(2001, 2002, 2002.3324),
        other_loglik=others,
    )

    def expected(log_w):
        w = np.exp(log_w - log_w.max())
        return w / w.sum()

    log_prior = np.log(fit.prior)
    assert fit.posterior(2002) == pytest.approx(expected(log_prior + others[:, 0]))
    assert fit.posterior(2002.3324) == pytest.approx(expected(log_prior + own[:, 0] + others[:, :2].sum(1)))
    assert fit.posterior() == pytest.approx(expected(log_prior + own.sum(1) + others.sum(1)))
    alone = PrecisionFit(
        periods=fit.periods,
        scales=fit.scales,
        prior=fit.prior,
        predictive=[],
        loglik=own,
        observed=fit.observed,
    )
    assert alone.other_loglik.shape == (k, 0)
    assert alone.posterior(2002.3324) == pytest.approx(expected(log_prior + own[:, 0]))


def test_every_dyad_with_a_record_is_scored_as_a_scenario_is(system_path):
    loaded = load_system(system_path)
    told = []
    reports = score_system(
        loaded,
        draws=30,
        seed=4,
        start=2002,
        contagion=0.0,
        progress=lambda done, total: told.append((done, total)),
    )
    assert told[-1] == (25, 25) and len(told) == 25
    assert list(reports) == ["tiny-triangle", "tiny-quiet"]
    alone = score_scenario(loaded.scenarios[0], draws=30, seed=4, start=2002)
    watched = reports["tiny-triangle"]
    assert list(watched.table.columns) == list(alone.table.columns)
    assert list(watched.forecasts.columns) == list(alone.forecasts.columns)
    pairs = ["outcome", "method", "fit"]
    pd.testing.assert_frame_equal(watched.table[pairs], alone.table[pairs])
    assert (watched.start, watched.draws, watched.seed) == (2002, 30, 4)
    # Precision as written: the system's first dyad at contagion 0 is its scenario alone.
    as_written = watched.forecasts[watched.forecasts["method"] == MODEL_AS_WRITTEN]
    assert (
        as_written["forecast"].tolist()
        == alone.forecasts[alone.forecasts["method"] == MODEL_AS_WRITTEN]["forecast"].tolist()
    )
    # The baselines are the dyad's own, as when the scenario is scored alone.
    baselines = ~watched.forecasts["method"].str.startswith("model")
    pd.testing.assert_frame_equal(
        watched.forecasts[baselines].reset_index(drop=True),
        alone.forecasts[~alone.forecasts["method"].str.startswith("model")].reset_index(drop=True),
    )
    for report in reports.values():
        assert "fitted on all the dyads' records" in report.verdicts[0]
        assert report.verdicts[1:] and (MODEL_FITTED, ROLLING) in set(
            zip(report.table["method"], report.table["fit"], strict=True)
        )
        report.to_dict()  # JSON-ready, as a scenario's report
    assert set(reports["tiny-quiet"].table["outcome"]) == {"offensive", "probe"}


def test_a_dyad_with_nothing_to_score_is_left_out_but_its_record_still_counts(system_path):
    quiet = system_path.parent / "quiet.yaml"
    text = quiet.read_text(encoding="utf-8")
    entry = """  - periods: 2002
    challenge: none
    sources: [{ref: note-a, at: '¶5'}]"""
    assert entry in text
    quiet.write_text(text.replace(entry, ""), encoding="utf-8")
    loaded = load_system(system_path)
    reports = score_system(loaded, draws=20, seed=1, start=2002)
    assert list(reports) == ["tiny-triangle"]
    fits = fit_system_precision(loaded, draws=20, seed=1)
    assert fits["tiny-triangle"].other_periods == (2001, 2002, 2003)
    assert reports["tiny-triangle"].precision.equals(fits["tiny-triangle"].path())


def test_a_system_with_nothing_to_score_is_refused_with_the_reason(system_path):
    loaded = load_system(system_path)
    with pytest.raises(
        ValueError,
        match=r"no dyad of system 'tiny-system' has a record to score from its "
        r"default start \(tiny-triangle 2003, tiny-quiet 2003\)",
    ):
        score_system(loaded, draws=10)
    with pytest.raises(ValueError, match="no dyad of system 'tiny-system' has a record to score from 2003"):
        score_system(loaded, draws=10, start=2003)
    with pytest.raises(ValueError, match="start must lie in 2001-2003, got 1999"):
        score_system(loaded, draws=10, start=1999)


def test_system_score_records_each_dyads_score_for_the_systems_reports(system_path, tiny_path):
    import json

    from typer.testing import CliRunner

    from pivotal.cli.app import app
    from pivotal.report.html import build_report
    from pivotal.store import RunStore

    runner = CliRunner()
    scored = runner.invoke(
        app,
        ["system", "score", str(system_path), "-n", "60", "--start", "2002", "--contagion", "0.5", "--json"],
    )
    assert scored.exit_code == 0, scored.output
    content = json.loads(scored.stdout)
    assert set(content["dyads"]) == {"tiny-triangle", "tiny-quiet"}
    analyses = RunStore().list_analyses()
    assert sorted(a.scenario_id for a in analyses) == ["tiny-quiet", "tiny-triangle"]
    assert {a.settings["system"] for a in analyses} == {"tiny-system"}
    assert runner.invoke(app, ["system", "run", str(system_path), "-n", "60"]).exit_code == 0
    assert runner.invoke(app, ["run", str(tiny_path), "-n", "60"]).exit_code == 0
    runs = RunStore().list_runs(scenario_id="tiny-triangle")
    dyad = next(r for r in runs if "system" in r.settings)
    alone = next(r for r in runs if "system" not in r.settings)
    assert "system tiny-system" in build_report(dyad.run_id)  # the system's score is shown with it
    assert "system tiny-system" not in build_report(alone.run_id)  # and not with the scenario alone
    late = runner.invoke(app, ["system", "score", str(system_path), "--start", "1990"])
    assert late.exit_code == 2 and "start must lie in" in late.output
