"""One draw's stage game written out as a Gambit extensive-form (``.efg``) file.

Writing the game as a plain tree lets a tool that knows nothing of pivotal,
Gambit, solve it and check :func:`pivotal.model.solve_stage`; it also lets a
reader open the game in Gambit's graphical interface and see every payoff.

The tree (players numbered as in :data:`PLAYERS`):

* chance draws the pivot's type, resolved with probability ``belief``;
* the challenger, not seeing the type (one information set over both chance
  nodes), keeps the status quo, probes or launches an offensive;
* after a challenge the pivot, knowing its type, restrains, mediates or
  acquiesces (one information set per type and challenge, four in all);
* the target, seeing the history but not the type, holds or hedges (one
  information set per observed history: after the status quo and after each
  challenge and response, seven in all, each spanning both types);
* after a mediation and the target's move, chance settles whether the
  ceasefire holds (probability :math:`\\chi`) or breaks.

Payoffs are those of :mod:`pivotal.model.stage_game`, at the ends of the
ceasefire's chance move (the model uses their expectation).  Gambit's logit
solver has one precision for all players, and the model one per role; since a
logit response depends on precision times payoff only, each player's payoffs
are written multiplied by its precision over the largest of the three, and the
game is solved at that largest precision.  The target's payoff of
hedging is :math:`w - \\ell - v` against a resolved pivot and :math:`w - \\ell`
against an irresolute one, so its expected advantage at belief :math:`\\mu'` is
the :math:`(w - \\ell) - \\mu' v` of the model.  Holding pays the target 0.

The text follows Gambit's documented "EFG 2 R" format: ``c`` chance nodes,
``p`` personal nodes, ``t`` terminal nodes, depth first, one outcome per
terminal node.  Payoffs are written with :func:`repr`; the two chance
probabilities are written so that they add up to exactly 1, as Gambit
requires, and read back as the model's own doubles (see
:func:`_chance_probabilities`).  The comment line lists the draw's
parameters, so a file explains itself.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import fields
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np

from pivotal.model.stage_game import (
    CHALLENGES,
    RESPONSES,
    TARGET_MOVES,
    StageParameters,
    ceasefire_hold_probability,
    ceasefire_payoffs,
    challenger_payoffs,
    pivot_payoffs,
    status_quo_payoff,
)

#: Gambit's players, in the order of the payoff vectors.
PLAYERS: tuple[str, str, str] = ("challenger", "pivot", "target")
#: The pivot's types, in the order chance draws them.
TYPES: tuple[str, str] = ("resolved", "irresolute")

#: The challenger's actions as Gambit shows them, in the order of :data:`CHALLENGES`.
CHALLENGE_LABELS: tuple[str, ...] = tuple(c.replace("_", " ") for c in CHALLENGES)
#: Gambit converts a rational to the nearest double only up to this denominator.
_EXACT_DENOMINATOR = 2**53


def _quote(text: str) -> str:
    """A double-quoted EFG string; backslashes and quotes are escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: float) -> str:
    """A float as text that reads back as the same double."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"every number of the game must be finite, found {value!r}")
    return repr(value + 0.0)  # + 0.0 turns -0.0 into 0.0


def _chance_probabilities(belief: float) -> tuple[str, str]:
    """``belief`` and ``1 - belief`` as exact numbers that add up to exactly 1.

    Gambit keeps every number of the file as an exact rational and rejects
    chance probabilities whose sum is not exactly 1.  It turns a rational into
    a double exactly only when the denominator is at most :math:`2^{53}`;
    beyond that the error is about :math:`10^{-16}` in absolute terms, which is
    harmless for a payoff but not for a prior of :math:`10^{-12}`, nor for the
    complement of a belief that close to 1.  So the pair is written, in order
    of preference, as short decimals, as fractions ``p/q`` with
    :math:`q \\le 2^{53}`, each only if Gambit will read back the model's own
    doubles ``belief`` and ``1.0 - belief``; and failing both (a belief below
    about :math:`10^{-16}`) as the exact decimal values of those doubles.
    """
    with localcontext(prec=1100):  # exact: a double has at most 767 significant digits
        short = Decimal(_number(belief))
        if _reads_back(Fraction(short), belief):
            return _decimal(short), _decimal(1 - short)
        close = Fraction(belief).limit_denominator(_EXACT_DENOMINATOR)
        if _reads_back(close, belief):
            p, q = close.numerator, close.denominator
            return f"{p}/{q}", f"{q - p}/{q}"
        exact = Decimal(belief)
        return _decimal(exact), _decimal(1 - exact)


def _reads_back(mu: Fraction, belief: float) -> bool:
    """Whether Gambit, given ``mu`` and ``1 - mu``, computes with ``belief`` and ``1.0 - belief``."""
    return mu.denominator <= _EXACT_DENOMINATOR and float(mu) == belief and float(1 - mu) == 1.0 - belief


def _decimal(value: Decimal) -> str:
    return str(value).replace("E", "e")


def _one(params: StageParameters) -> dict[str, float]:
    """The draw's parameters as floats; the game is written for exactly one draw."""
    values = {}
    for f in fields(params):
        array = np.asarray(getattr(params, f.name), dtype=float)
        if array.size != 1:
            raise ValueError(f"expected the parameters of one draw, found {f.name} with shape {array.shape}")
        values[f.name] = float(array.reshape(()))
    return values


def _comment(values: dict[str, float], belief: float, note: str) -> str:
    """The comment line: what the file is, then every parameter, so it explains itself."""
    head = (
        "One period of pivotal deterrence for one parameter draw, to be solved as an agent "
        "logit QRE at lambda = the largest role precision (each player's payoffs are scaled "
        "by its own precision over that one)"
    )
    if note:
        head += f"; {note}"
    params = ", ".join(f"{name}={_number(value)}" for name, value in values.items())
    return f"{head}. belief (prior that the pivot is resolved)={_number(belief)}; {params}"


def stage_efg(params: StageParameters, belief: float, *, title: str | None = None, note: str = "") -> str:
    """The stage game of one draw as Gambit ``.efg`` text.

    Parameters
    ----------
    params : StageParameters of one draw (every array of size 1), as
        returned by :func:`pivotal.simulation.engine.stage_for_draw`.
    belief : float in [0, 1], the prior that the pivot is resolved.
    title : the game's title; a generic one when omitted.
    note : added to the comment line, e.g. the scenario, period and draw.

    Returns
    -------
    str, the whole file, ending in a newline.
    """
    values = _one(params)
    belief = float(belief)
    if not 0.0 <= belief <= 1.0:
        raise ValueError(f"belief must lie in [0, 1], found {belief!r}")
    chance = dict(zip(TYPES, _chance_probabilities(belief), strict=True))

    scale = _payoff_scales(values)
    challenger = challenger_payoffs(params)[0] * scale[0]  # (challenge, response), expected
    base, bonus = pivot_payoffs(params)
    pivot = {"resolved": (base[0] + bonus[0]) * scale[1], "irresolute": base[0] * scale[1]}
    ends = {held: ceasefire_payoffs(params, held) for held in (True, False)}
    challenger_ends = {held: c[0] * scale[0] for held, (c, _) in ends.items()}  # (challenge,)
    mediation_bonus = bonus[0, 0, RESPONSES.index("mediate")]
    pivot_ends = {
        (kind, held): (p[0] + (mediation_bonus if kind == "resolved" else 0.0)) * scale[1]
        for held, (_, p) in ends.items()
        for kind in TYPES
    }
    holds = _chance_probabilities(float(ceasefire_hold_probability(params).reshape(-1)[0]))
    hedge_gap = values["alt_patron_support"] - values["pivot_leverage"]
    target = {
        "resolved": (hedge_gap - values["protection_value"]) * scale[2],
        "irresolute": hedge_gap * scale[2],
    }
    status_quo = float(status_quo_payoff(params).reshape(-1)[0]) * scale[0]

    actions = {1: CHALLENGE_LABELS, 2: RESPONSES, 3: TARGET_MOVES}
    # Information sets are numbered per player in the order a depth-first walk meets them.
    target_infosets: list[tuple[str | None, str | None]] = [(None, None)] + [
        (a, r) for a in CHALLENGE_LABELS[1:] for r in RESPONSES
    ]

    lines = [
        f"EFG 2 R {_quote(title or 'Pivotal deterrence: one stage game')} "
        f"{{ {' '.join(_quote(p) for p in PLAYERS)} }}",
        _quote(_comment(values, belief, note)),
        "",
        f'c "" 1 "pivot\'s type" {{ "resolved" {chance["resolved"]} "irresolute" {chance["irresolute"]} }} 0',
    ]
    chance_infosets = [1]

    def decision(node: str, player: int, infoset: int, infoset_label: str) -> None:
        moves = " ".join(_quote(m) for m in actions[player])
        lines.append(f"p {_quote(node)} {player} {infoset} {_quote(infoset_label)} {{ {moves} }} 0")

    def terminal(label: str, numbers: tuple[float, float, float]) -> None:
        outcome = sum(line.startswith("t ") for line in lines) + 1
        lines.append(f't "" {outcome} {_quote(label)} {{ {", ".join(_number(x) for x in numbers)} }}')

    def target_moves(
        kind: str, challenge: str | None, response: str | None, payoffs: tuple[float, float]
    ) -> None:
        seen = "status quo" if challenge is None else f"{challenge}, {response}"
        infoset = 1 + target_infosets.index((challenge, response))
        decision(f"{kind}, {seen}", 3, infoset, f"target after {seen}")
        for move in TARGET_MOVES:
            hedge = target[kind] if move == "hedge" else 0.0
            if response != "mediate":
                terminal(f"{kind}, {seen}, {move}", (*payoffs, hedge))
                continue
            a = CHALLENGE_LABELS.index(challenge) - 1
            chance_infosets.append(chance_infosets[-1] + 1)
            lines.append(
                f'c "{kind}, {seen}, {move}" {chance_infosets[-1]} '
                f'"ceasefire after {kind}, {seen}, {move}" '
                f'{{ "holds" {holds[0]} "breaks" {holds[1]} }} 0'
            )
            for held, word in ((True, "holds"), (False, "breaks")):
                terminal(
                    f"{kind}, {seen}, {move}, ceasefire {word}",
                    (challenger_ends[held][a], pivot_ends[(kind, held)][a], hedge),
                )

    for t, kind in enumerate(TYPES):
        decision(kind, 1, 1, "challenger")
        target_moves(kind, None, None, (status_quo, 0.0))
        for a, challenge in enumerate(CHALLENGE_LABELS[1:]):
            decision(f"{kind}, {challenge}", 2, 1 + 2 * t + a, f"pivot {kind}, after {challenge}")
            for r, response in enumerate(RESPONSES):
                target_moves(kind, challenge, response, (challenger[a, r], pivot[kind][a, r]))
    return "\n".join(lines) + "\n"


def _payoff_scales(values: dict[str, float]) -> tuple[float, float, float]:
    """Each player's precision over the largest: a one-precision solver then gives each its own."""
    roles = (values["precision_challenger"], values["precision_pivot"], values["precision_target"])
    top = max(roles)
    challenger, pivot, target = (x / top if top > 0 else 1.0 for x in roles)
    return challenger, pivot, target


def write_efg(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``.efg`` text to ``path`` atomically: a temporary file beside it, then a rename.

    A reader never sees a half-written game, and an existing file is replaced
    only once the new one is complete.
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
