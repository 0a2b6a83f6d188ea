r"""The agent-error links of a strategic choice model, on the log scale.

Each action carries its own error of scale 1 (logistic or normal), so a choice between two
actions depends on the difference of two errors, of scale :math:`\sqrt 2`:

.. math:: \Pr(\text{first}) = F\!\left(\frac{u_\text{first} - u_\text{second}}{\sqrt 2}\right)

with :math:`F` the standard logistic or normal distribution function (Signorino 1999; Kenkel and
Signorino 2014, section 2).  Log probabilities are computed directly, so that choices made with
near certainty do not round to log 0.
"""

from __future__ import annotations

from typing import Literal

import jax.numpy as jnp
from jax.nn import softplus
from jax.scipy.stats import norm

Link = Literal["logit", "probit"]
LINKS: tuple[Link, ...] = ("logit", "probit")

#: The scale of the difference of two unit errors.
SCALE = jnp.sqrt(2.0)


def log_choice(difference: jnp.ndarray, link: Link) -> tuple[jnp.ndarray, jnp.ndarray]:
    """log Pr(an action) and log Pr(its alternative), given the utility ``difference`` between them.

    Parameters
    ----------
    difference : u(action) - u(alternative), any shape.
    link : "logit" (logistic errors) or "probit" (normal errors).
    """
    z = difference / SCALE
    if link == "logit":
        return -softplus(-z), -softplus(z)
    if link == "probit":
        return norm.logcdf(z), norm.logcdf(-z)
    raise ValueError(f"link must be one of {', '.join(LINKS)}, got {link!r}")


def choice(difference: jnp.ndarray, link: Link) -> jnp.ndarray:
    """Pr(an action) given the utility ``difference`` between it and its alternative."""
    return jnp.exp(log_choice(difference, link)[0])
