"""The result of an analysis as the charts read it, whatever form it is handed over in."""

from __future__ import annotations

from typing import Any


def analysis_result(analysis: Any, key: str, kind: str) -> dict[str, Any]:
    """The result content of an analysis: its ``--json`` dict, or a stored record holding one.

    ``key`` is the entry a chart of ``kind`` plots; ValueError when the analysis is missing, is
    of another kind or holds nothing to plot, so an old or empty analysis is refused by name.
    """
    if analysis is None:
        raise ValueError(f"chart {kind!r} needs analysis= (the {kind} result)")
    if hasattr(analysis, "result") and not isinstance(analysis, dict):
        analysis = analysis.result
    if isinstance(analysis, dict) and key not in analysis and isinstance(analysis.get("result"), dict):
        analysis = analysis["result"]
    if not isinstance(analysis, dict) or key not in analysis:
        raise ValueError(f"chart {kind!r} needs a {kind} result with {key!r}; got something else")
    if not analysis[key]:
        raise ValueError(f"chart {kind!r} has nothing to plot: the {kind} result holds no {key}")
    return analysis
