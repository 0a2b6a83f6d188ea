"""Estimating strategic models from data: maximum likelihood for agent-error games solved by
backward induction, with exact derivatives (JAX), inverse-information or clustered standard
errors, and likelihood profiles (docs/estimation.md).

This layer may use the model core and is used by nothing below it.  It needs JAX
(``pip install "pivotal[jax]"``).
"""

try:
    import jax  # noqa: F401
except ImportError as error:  # pragma: no cover - the test extra installs JAX
    raise ImportError('the estimation layer needs JAX: pip install "pivotal[jax]"') from error

from pivotal.estimation.mle import MaximumLikelihood, clustered_covariance, maximise, profile_likelihood

__all__ = ["MaximumLikelihood", "clustered_covariance", "maximise", "profile_likelihood"]
