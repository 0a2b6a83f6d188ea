r"""The two-player, three-outcome deterrence game with agent error ("egame12"), estimated from data.

Player 1 keeps the status quo or escalates; after escalation player 2 capitulates or fights.
Utilities are linear in covariates, with capitulation worth 0 to both players (the usual
identification restriction: only differences of utilities are identified):

.. math::

    u_{11} = x_{11}'\beta, \qquad u_{14} = x_{14}'\gamma, \qquad u_{24} = x_{24}'\delta,

    p_4 = F\!\left(\tfrac{u_{24}}{\sqrt 2}\right), \qquad
    p_2 = F\!\left(\tfrac{p_4 u_{14} - u_{11}}{\sqrt 2}\right),

    \Pr(\text{sq}) = 1 - p_2, \quad \Pr(\text{cap}) = p_2 (1 - p_4), \quad \Pr(\text{war}) = p_2 p_4,

solved by backward induction (player 1 best-responds, with error, to player 2's choice
probabilities).  This is Signorino's (1999) strategic probit/logit, as the R package ``games``
fits it (Kenkel and Signorino 2014); it is here as the check that the estimation layer computes
what the field's tool computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from pivotal.estimation.links import Link, log_choice
from pivotal.estimation.mle import MaximumLikelihood, maximise, profile_likelihood

#: The outcomes, coded 0, 1, 2.
OUTCOMES = ("sq", "cap", "war")
#: The three utilities a specification gives covariates for, named as ``games`` names them.
UTILITIES = {"u11": "u1(~esc)", "u14": "u1(esc,war)", "u24": "u2(esc,war)"}


@dataclass(frozen=True, eq=False)
class GameData:
    """The rows of an egame12 fit: one design matrix per utility (intercept first) and the outcome,
    as NumPy arrays, or JAX arrays on the device for the likelihood."""

    x11: np.ndarray | jax.Array
    x14: np.ndarray | jax.Array
    x24: np.ndarray | jax.Array
    outcome: np.ndarray | jax.Array  # 0 status quo, 1 capitulation, 2 war
    names: tuple[str, ...]
    kept: np.ndarray | None = None  # the frame's index of the rows used (to align cluster labels)

    @property
    def rows(self) -> int:
        return len(self.outcome)


def design(
    frame: pd.DataFrame, outcome: pd.Series, u11: Sequence[str], u14: Sequence[str], u24: Sequence[str]
) -> GameData:
    """Design matrices from numeric columns of ``frame`` (each utility gets an intercept).

    Rows with a missing value in any column used, or in the outcome, are dropped, as the
    package drops them.
    """
    used = list(dict.fromkeys([*u11, *u14, *u24]))
    missing = [c for c in used if c not in frame.columns]
    if missing:
        raise ValueError(f"no column {missing[0]!r} in the data (columns: {', '.join(frame.columns)})")
    keep = frame[used].notna().all(axis=1) & outcome.notna()
    rows = frame.loc[keep]
    codes = outcome[keep]
    wrong = codes[~codes.isin(range(len(OUTCOMES)))]
    if len(wrong):
        raise ValueError(
            f"outcomes must be 0 (status quo), 1 (capitulation) or 2 (war); row "
            f"{wrong.index[0]!r} has {wrong.iloc[0]!r}"
        )

    def matrix(columns: Sequence[str]) -> np.ndarray:
        return np.column_stack([np.ones(len(rows)), *(rows[c].to_numpy(dtype=float) for c in columns)])

    names = tuple(
        f"{UTILITIES[u]}:{term}"
        for u, terms in (("u11", u11), ("u14", u14), ("u24", u24))
        for term in ("(Intercept)", *terms)
    )
    return GameData(
        x11=matrix(u11),
        x14=matrix(u14),
        x24=matrix(u24),
        outcome=codes.to_numpy(dtype=int),
        names=names,
        kept=rows.index.to_numpy(),
    )


def log_likelihood(theta: jnp.ndarray, data: GameData, link: Link) -> jnp.ndarray:
    """The sum over rows of log Pr(observed outcome | theta), theta = (beta, gamma, delta)."""
    return row_log_likelihood(theta, data, link).sum()


def row_log_likelihood(theta: jnp.ndarray, data: GameData, link: Link) -> jnp.ndarray:
    """log Pr(observed outcome | theta) of each row, (rows,)."""
    k11, k14 = data.x11.shape[1], data.x14.shape[1]
    u11 = jnp.matmul(data.x11, theta[:k11])
    u14 = jnp.matmul(data.x14, theta[k11 : k11 + k14])
    u24 = jnp.matmul(data.x24, theta[k11 + k14 :])
    log_fight, log_capitulate = log_choice(u24, link)
    log_escalate, log_stay = log_choice(jnp.exp(log_fight) * u14 - u11, link)
    by_outcome = jnp.stack([log_stay, log_escalate + log_capitulate, log_escalate + log_fight])
    return jnp.take_along_axis(by_outcome, data.outcome[None, :], axis=0)[0]


def fit(
    data: GameData, link: Link = "probit", start: np.ndarray | None = None, clusters: Sequence | None = None
) -> MaximumLikelihood:
    """Maximum-likelihood estimates of the three utilities' coefficients; with ``clusters`` (one
    label per row, e.g. the dyad), standard errors clustered on them."""
    arrays = _device(data)
    return maximise(
        lambda theta: log_likelihood(theta, arrays, link),
        data.names,
        start,
        rows=lambda theta: row_log_likelihood(theta, arrays, link),
        clusters=clusters,
    )


def profile(
    data: GameData, fitted: MaximumLikelihood, term: str, values: Sequence[float], link: Link = "probit"
) -> np.ndarray:
    """The profile log-likelihood of one coefficient at ``values`` (the others re-maximised)."""
    arrays = _device(data)
    return profile_likelihood(
        lambda theta: log_likelihood(theta, arrays, link), fitted, fitted.names.index(term), values
    )


def _device(data: GameData) -> GameData:
    return GameData(
        x11=jnp.asarray(data.x11),
        x14=jnp.asarray(data.x14),
        x24=jnp.asarray(data.x24),
        outcome=jnp.asarray(data.outcome),
        names=data.names,
        kept=data.kept,
    )


def war1800_design(frame: pd.DataFrame) -> GameData:
    """The specification of ``games``' own example on its ``war1800`` data: player 1's status quo
    on alliance similarity and revisionism, its war payoff on its regime, player 2's war payoff
    on the balance of capabilities and its regime (dummies against autocracy)."""
    data = frame.copy()
    for side in ("1", "2"):
        for level in ("dem", "mixed"):
            regime = data[f"regime{side}"]
            data[f"regime{side}{level}"] = (regime == level).astype(float).where(regime.notna())
    outcome = pd.Series(np.where(data["esc"] == 0, 0, np.where(data["war"] == 1, 2, 1)), index=data.index)
    outcome = outcome.where(data["esc"].notna() & (data["esc"].eq(0) | data["war"].notna()))
    return design(
        data,
        outcome,
        u11=["s_wt_re1", "revis1"],
        u14=["regime1dem", "regime1mixed"],
        u24=["balanc", "regime2dem", "regime2mixed"],
    )
