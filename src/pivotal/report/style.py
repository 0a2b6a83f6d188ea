"""How the report's charts look: the colour-blind-safe palette, the colours and words of each metric,
kind of tie and record code, and the matplotlib settings every chart is drawn under.

The web app's interactive charts take their colours from here too, so both show the same thing in
the same colour.  Matplotlib's settings are process-wide, so drawing under them holds a lock.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, cast

import matplotlib
from cycler import cycler

#: Okabe and Ito's palette, distinguishable with the common forms of colour blindness.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#8C8C8C"

#: Metric: (words for it, colour).
METRIC_STYLE = {
    "p_challenge": ("challenge (probe or offensive)", OKABE_ITO["blue"]),
    "p_offensive": ("major offensive", OKABE_ITO["vermillion"]),
    "p_probe": ("limited probe", OKABE_ITO["orange"]),
    "p_intervene": ("pivot acts if challenged (restrains or mediates)", OKABE_ITO["bluish_green"]),
    "p_restrain": ("pivot restrains if challenged", OKABE_ITO["reddish_purple"]),
    "p_deterred": ("challenger keeps the status quo", OKABE_ITO["sky_blue"]),
    "p_hedge": ("target hedges", OKABE_ITO["orange"]),
    "p_intervene_probe": ("pivot acts after a probe", OKABE_ITO["bluish_green"]),
    "p_intervene_offensive": ("pivot acts after an offensive", OKABE_ITO["reddish_purple"]),
    "belief": ("belief that the pivot is resolved (start of the year)", OKABE_ITO["black"]),
    "belief_after": ("belief after the year's events", GREY),
}

KIND_COLOURS = {
    "alliance": OKABE_ITO["blue"],
    "basing": OKABE_ITO["vermillion"],
    "arms_supply": OKABE_ITO["orange"],
    "peacekeeping": OKABE_ITO["bluish_green"],
    "mediation": OKABE_ITO["sky_blue"],
    "partnership": OKABE_ITO["reddish_purple"],
    "monitoring": OKABE_ITO["yellow"],
    "patronage": GREY,
    # Kinds beyond Okabe and Ito's eight: Paul Tol's "muted" scheme, also safe for colour blindness.
    "sanctions": "#882255",
    "embargo": "#AA4499",
    "guarantee": "#332288",
    "declaration": "#DDCC77",
    "statute": "#999933",
    "neutrality": "#88CCEE",
    "peace_settlement": "#117733",
}

#: Record codes: (marker, colour, filled, words).
CHALLENGE_MARKS = {
    "offensive": ("^", OKABE_ITO["vermillion"], True, "offensive recorded"),
    "probe": ("^", OKABE_ITO["orange"], False, "probe recorded"),
    "none": (".", GREY, True, "no challenge recorded"),
}
RESPONSE_MARKS = {
    "restrain": ("s", OKABE_ITO["bluish_green"], True, "pivot restrained"),
    "mediate": ("D", OKABE_ITO["sky_blue"], True, "pivot mediated"),
    "acquiesce": ("X", OKABE_ITO["black"], True, "pivot acquiesced"),
}

#: Score methods shown (out of sample or not fitted), with their colours.
SCORE_METHODS = (
    ("model, fitted precision", "rolling-origin", OKABE_ITO["blue"]),
    ("model, precision as written", "not fitted", OKABE_ITO["sky_blue"]),
    ("base rate", "rolling-origin", OKABE_ITO["orange"]),
    ("persistence", "not fitted", GREY),
    ("logistic regression", "rolling-origin", OKABE_ITO["reddish_purple"]),
)
OUTCOME_LABELS = {
    "offensive": "major offensive",
    "probe": "limited probe",
    "intervention": "pivot intervenes",
    "appeal_answered": "appeal answered",
    "ceasefire_held": "ceasefire holds",
    "hedge": "target hedges",
    "provoke": "target provokes",
    "concede": "target concedes",
    "rein": "pivot reins in the target",
    "lean_target": "pivot leans to target",
    "lean_challenger": "pivot leans to challenger",
}

STYLE: dict[str, Any] = {
    "svg.hashsalt": "pivotal-report",
    "svg.fonttype": "none",  # real text: searchable and selectable; generic sans-serif fallback
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.titlesize": 11.0,
    "axes.titlelocation": "left",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO.values())[1:]),
    "legend.frameon": False,
    "legend.fontsize": 8.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "figure.dpi": 100.0,
}

PNG_DPI = 200
_LOCK = threading.RLock()
F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def drawing_style(extra: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Hold the drawing lock and the report's settings (with ``extra`` on top) while inside."""
    with _LOCK, matplotlib.rc_context(cast(Any, {**STYLE, **(extra or {})})):
        yield


def styled(function: F) -> F:
    """Draw under the report's style and the drawing lock."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with drawing_style():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def metric(name: str) -> tuple[str, str]:
    """A metric's words and colour; ValueError for a metric no chart knows."""
    if name not in METRIC_STYLE:
        raise ValueError(f"unknown metric {name!r}; expected one of {', '.join(METRIC_STYLE)}")
    return METRIC_STYLE[name]
