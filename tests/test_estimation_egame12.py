"""The estimation layer against the field's tool: the R package ``games``' egame12 (Kenkel and
Signorino 2014) fitted to its own war1800 data, probit and logit, estimates and standard errors as
the package printed them (tests/data/egame12/, a copy of the reference kept beside the tests)."""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from pivotal.estimation import egame12
from pivotal.estimation.links import log_choice

DATA = Path(__file__).parent / "data" / "egame12"
#: The package's log-likelihoods at its estimates, on the 282 complete rows.
LOG_LIKELIHOOD = {"probit": -286.1238, "logit": -286.1828}


@pytest.fixture(scope="module")
def war1800() -> egame12.GameData:
    return egame12.war1800_design(pd.read_csv(DATA / "war1800.csv"))


@pytest.mark.parametrize("link", ["probit", "logit"])
def test_egame12_reproduces_the_games_package(war1800, link):
    reference = pd.read_csv(DATA / "reference.csv").query("model == @link")
    fitted = egame12.fit(war1800, link)
    assert war1800.rows == 282
    assert list(fitted.names) == list(reference["term"])
    assert fitted.converged, fitted.message
    np.testing.assert_allclose(fitted.estimates, reference["estimate"], atol=5e-4)
    np.testing.assert_allclose(fitted.std_errors, reference["std_error"], atol=5e-4)
    assert fitted.log_likelihood == pytest.approx(LOG_LIKELIHOOD[link], abs=1e-3)


def test_egame12_finds_the_same_maximum_from_elsewhere(war1800):
    """The maximum does not depend on where the climb starts (zeros by default)."""
    from_zero = egame12.fit(war1800, "logit")
    from_far = egame12.fit(war1800, "logit", start=np.linspace(-1.5, 1.5, len(war1800.names)))
    np.testing.assert_allclose(from_far.estimates, from_zero.estimates, atol=1e-6)


@pytest.mark.parametrize("link", ["probit", "logit"])
def test_the_three_outcomes_are_a_distribution(war1800, link):
    rng = np.random.default_rng(0)
    theta = jnp.asarray(rng.normal(size=len(war1800.names)))
    total = 0.0
    for outcome in range(3):
        rows = egame12.GameData(
            x11=war1800.x11,
            x14=war1800.x14,
            x24=war1800.x24,
            outcome=np.full(war1800.rows, outcome),
            names=war1800.names,
        )
        total = total + np.exp(
            np.asarray([egame12.log_likelihood(theta, _one(rows, i), link) for i in range(5)])
        )
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_log_choice_is_stable_far_in_the_tails():
    for link in ("logit", "probit"):
        first, second = log_choice(jnp.asarray([-80.0, 0.0, 80.0]), link)
        assert np.all(np.isfinite(first)) and np.all(np.isfinite(second))
        np.testing.assert_allclose(np.exp(first) + np.exp(second), 1.0, atol=1e-12)


def _one(data: egame12.GameData, i: int) -> egame12.GameData:
    return egame12.GameData(
        x11=data.x11[i : i + 1],
        x14=data.x14[i : i + 1],
        x24=data.x24[i : i + 1],
        outcome=data.outcome[i : i + 1],
        names=data.names,
    )


def test_clustered_errors_with_a_cluster_per_row_are_the_robust_ones(war1800):
    """Each row its own cluster gives the heteroskedasticity-robust sandwich times n/(n-1); one
    cluster per initiator (rows of one state's disputes may be dependent) changes the errors but
    not the estimates."""
    import jax

    plain = egame12.fit(war1800, "logit")
    per_row = egame12.fit(war1800, "logit", clusters=range(war1800.rows))
    arrays = egame12._device(war1800)
    scores = np.asarray(
        jax.jacfwd(lambda t: egame12.row_log_likelihood(t, arrays, "logit"))(jnp.asarray(plain.estimates))
    )
    np.testing.assert_allclose(scores.sum(axis=0), 0.0, atol=1e-6)  # the score vanishes at a maximum
    sandwich = plain.covariance @ (scores.T @ scores) @ plain.covariance
    n = war1800.rows
    np.testing.assert_allclose(per_row.covariance, n / (n - 1) * sandwich, rtol=1e-9)
    np.testing.assert_allclose(per_row.estimates, plain.estimates, atol=1e-9)
    initiators = pd.read_csv(DATA / "war1800.csv").loc[war1800.kept, "ccode1"]
    by_state = egame12.fit(war1800, "logit", clusters=initiators.to_numpy())
    np.testing.assert_allclose(by_state.estimates, plain.estimates, atol=1e-9)
    assert not np.allclose(by_state.std_errors, plain.std_errors, rtol=1e-3)
    with pytest.raises(ValueError, match="one label per row"):
        egame12.fit(war1800, "logit", clusters=[1, 2, 3])


def test_the_profile_likelihood_peaks_at_the_estimate_and_matches_the_errors(war1800):
    fitted = egame12.fit(war1800, "probit")
    term = "u1(~esc):s_wt_re1"
    b, se = fitted.estimates[fitted.names.index(term)], fitted.std_errors[fitted.names.index(term)]
    values = [b - 1.96 * se, b, b + 1.96 * se]
    profile = egame12.profile(war1800, fitted, term, values, "probit")
    assert profile[1] == pytest.approx(fitted.log_likelihood, abs=1e-8)
    drops = fitted.log_likelihood - profile[[0, 2]]
    assert np.all(drops > 0)
    np.testing.assert_allclose(drops, 1.96**2 / 2, rtol=0.25)  # near-quadratic: the Wald and LR agree


def test_an_unidentified_coefficient_is_said_not_to_be_identified():
    frame = pd.read_csv(DATA / "war1800.csv")
    frame["twice"] = 2 * frame["s_wt_re1"]
    data = egame12.war1800_design(frame)
    outcome = pd.Series(data.outcome, index=data.kept)
    collinear = egame12.design(frame.loc[data.kept], outcome, ["s_wt_re1", "twice"], ["revis1"], ["balanc"])
    fitted = egame12.fit(collinear, "logit")
    assert not fitted.converged and "not identified" in fitted.message
    assert np.isnan(fitted.std_errors).all()


def test_outcomes_outside_the_game_are_refused(war1800):
    frame = pd.read_csv(DATA / "war1800.csv")
    with pytest.raises(ValueError, match="outcomes must be 0"):
        egame12.design(frame, pd.Series(3, index=frame.index), ["s_wt_re1"], [], ["balanc"])
