"""One draw's whole period, with the moves before the crisis, as a Gambit ``.efg`` file.

The tree extends the crisis of :mod:`pivotal.verify.efg`:

* the pivot takes a posture (one information set), when the game has postures;
* the target, seeing it, concedes, holds or provokes (one information set per posture), when the
  game lets the target move first; after a provocation the pivot reins it in or tolerates it
  (one information set per posture);
* the challenger, seeing all that, keeps the status quo, probes or attacks (one information set
  per context);
* only then does chance draw the pivot's type: its resolve under fire, which nothing before the
  crisis reveals;
* the crisis follows as in the crisis-only tree: the pivot's response (one information set per
  context, type and challenge), the target's hedging (one per context and what it saw, across
  both types) and, after a mediation, the ceasefire's chance move.

Payoffs are the crisis payoffs in the context (:func:`pivotal.model.period_game.context_stage`)
plus the earlier moves' transfers and costs (:func:`~pivotal.model.period_game.early_payoffs`);
the target also loses, at every end, what the challenger takes from it.  As in the crisis tree,
each player's payoffs are scaled by its precision over the largest, at which Gambit solves.
"""

from __future__ import annotations

import numpy as np

from pivotal.model.period_game import (
    ANSWERS,
    FIRST_MOVES,
    POSTURES,
    PROVOKE,
    Context,
    GameOptions,
    context_stage,
    early_payoffs,
)
from pivotal.model.stage_game import (
    RESPONSES,
    StageParameters,
    _challenger_payoffs,
    _gains,
    _kept_shares,
    _pivot_payoffs,
    ceasefire_hold_probability,
    status_quo_payoff,
)
from pivotal.verify.efg import (
    CHALLENGE_LABELS,
    PLAYERS,
    TYPES,
    _chance_probabilities,
    _comment,
    _number,
    _one,
    _payoff_scales,
    _quote,
)

#: The target's hedging moves, as in the crisis tree.
HEDGE_MOVES = ("hold", "hedge")


def _scalar(array: np.ndarray) -> float:
    return float(np.asarray(array).reshape(-1)[0])


def period_efg(
    params: StageParameters, belief: float, options: GameOptions, *, title: str | None = None, note: str = ""
) -> str:
    """The whole period of one draw as Gambit ``.efg`` text.

    Parameters
    ----------
    params : StageParameters of one draw (every array of size 1).
    belief : the observers' belief that the pivot is resolved.
    options : which early moves the period has (at least one).
    title : the game's title; a generic one when omitted.
    note : added to the comment line.
    """
    values = _one(params)
    scale = _payoff_scales(values)
    types = dict(zip(TYPES, _chance_probabilities(float(belief)), strict=True))
    holds = _chance_probabilities(_scalar(ceasefire_hold_probability(params)))
    lines = [
        f"EFG 2 R {_quote(title or 'Pivotal deterrence: one whole period')} "
        f"{{ {' '.join(_quote(p) for p in PLAYERS)} }}",
        _quote(_comment(values, belief, f"whole period: {options}; {note}".rstrip("; "))),
        "",
    ]
    counters = {"chance": 0, "outcome": 0}
    infosets: dict[tuple, int] = {}

    def infoset(player: int, key: tuple) -> int:
        return infosets.setdefault((player, key), 1 + sum(1 for p, _ in infosets if p == player))

    def decision(label: str, player: int, key: tuple, moves: tuple[str, ...]) -> None:
        number = infoset(player, key)
        moves_text = " ".join(_quote(m) for m in moves)
        lines.append(
            f"p {_quote(label)} {player} {number} {_quote(' / '.join(map(str, key)))} {{ {moves_text} }} 0"
        )

    def chance(label: str, actions: tuple[str, str], probabilities: tuple[str, str]) -> None:
        counters["chance"] += 1
        branches = f"{_quote(actions[0])} {probabilities[0]} {_quote(actions[1])} {probabilities[1]}"
        lines.append(f"c {_quote(label)} {counters['chance']} {_quote(label)} {{ {branches} }} 0")

    def terminal(label: str, payoffs: tuple[float, float, float]) -> None:
        counters["outcome"] += 1
        numbers = ", ".join(_number(x * k) for x, k in zip(payoffs, scale, strict=True))
        lines.append(f't "" {counters["outcome"]} {_quote(label)} {{ {numbers} }}')

    def crisis(context: Context, path: str) -> None:
        stage = context_stage(params, context)
        early = early_payoffs(params, context)
        early_c, early_p, early_t = (_scalar(x) for x in (early.challenger, early.pivot, early.target))
        challenger = _challenger_payoffs(stage, np)[:, :, 0]  # (response, challenge)
        base, bonus = _pivot_payoffs(stage, np)
        pivot = {"resolved": (base + bonus)[:, :, 0], "irresolute": base[:, :, 0]}
        gains = _gains(stage, np)[:, 0]
        hedge_gap = values["alt_patron_support"] - values["pivot_leverage"]
        hedge = {"resolved": hedge_gap - values["protection_value"], "irresolute": hedge_gap}
        ends = {}
        for held in (True, False):
            chi = np.array([float(held)])
            ends[held] = (
                _challenger_payoffs(stage, np, holds=chi)[1, :, 0],
                _pivot_payoffs(stage, np, holds=chi)[0][1, :, 0],
                _kept_shares(stage, np, holds=chi)[1, 0],
            )
        kept = _kept_shares(stage, np)[:, 0]
        decision(f"{path}challenger", 1, ("challenger", context.label), CHALLENGE_LABELS)
        status_quo = _scalar(status_quo_payoff(stage))
        for a, label in enumerate(CHALLENGE_LABELS):
            chance(f"{path}{label}: pivot's type", TYPES, (types["resolved"], types["irresolute"]))
            for kind in TYPES:
                if a == 0:
                    seen = "status quo"
                    decision(f"{path}{kind}, {seen}", 3, ("target after", context.label, seen), HEDGE_MOVES)
                    for move in HEDGE_MOVES:
                        gap = hedge[kind] if move == "hedge" else 0.0
                        terminal(
                            f"{path}{kind}, {seen}, {move}", (status_quo + early_c, early_p, gap + early_t)
                        )
                    continue
                decision(f"{path}{kind}, {label}", 2, ("pivot", context.label, kind, label), RESPONSES)
                for r, response in enumerate(RESPONSES):
                    seen = f"{label}, {response}"
                    decision(f"{path}{kind}, {seen}", 3, ("target after", context.label, seen), HEDGE_MOVES)
                    for move in HEDGE_MOVES:
                        gap = hedge[kind] if move == "hedge" else 0.0
                        if response != "mediate":
                            lost = kept[r] * gains[a - 1]
                            terminal(
                                f"{path}{kind}, {seen}, {move}",
                                (
                                    challenger[r, a - 1] + early_c,
                                    pivot[kind][r, a - 1] + early_p,
                                    gap + early_t - lost,
                                ),
                            )
                            continue
                        chance(f"{path}{kind}, {seen}, {move}: ceasefire", ("holds", "breaks"), holds)
                        for held, word in ((True, "holds"), (False, "breaks")):
                            c_end, p_end, kept_end = ends[held]
                            bonus_m = _scalar(bonus[1, 0]) if kind == "resolved" else 0.0
                            terminal(
                                f"{path}{kind}, {seen}, {move}, ceasefire {word}",
                                (
                                    c_end[a - 1] + early_c,
                                    p_end[a - 1] + bonus_m + early_p,
                                    gap + early_t - kept_end * gains[a - 1],
                                ),
                            )

    postures = range(3) if options.pivot_posture else (0,)
    if options.pivot_posture:
        decision("posture", 2, ("posture",), POSTURES)
    for z in postures:
        prefix = f"{POSTURES[z]}, " if options.pivot_posture else ""
        if not options.target_moves_first:
            crisis(Context(z, 1, None), prefix)
            continue
        decision(f"{prefix}target", 3, ("target first", POSTURES[z]), FIRST_MOVES)
        for m, move in enumerate(FIRST_MOVES):
            if m != PROVOKE:
                crisis(Context(z, m, None), f"{prefix}{move}, ")
                continue
            decision(f"{prefix}{move}: answer", 2, ("answer", POSTURES[z]), ANSWERS)
            for q, answer in enumerate(ANSWERS):
                crisis(Context(z, m, q), f"{prefix}{move}, {answer}, ")
    return "\n".join(lines) + "\n"


def solve_period_with_gambit(params: StageParameters, belief: float, options: GameOptions) -> dict:
    """Gambit's logit QRE of the whole period, as the arrays :func:`pivotal_period_quantities` gives.

    Keys: ``posture`` (3,), ``first_move`` (3, 3), ``answer`` (3, 2) and, per context label,
    ``challenger`` (3,), ``resolved`` and ``irresolute`` (2, 3), ``posterior`` (2, 3),
    ``hedge_after_status_quo`` (1,) and ``hedge_after_response`` (2, 3).
    """
    from pivotal.verify.gambit import require_pygambit, solve_efg_profile

    gbt = require_pygambit()
    text = period_efg(params, belief, options)
    profile, _ = solve_efg_profile(text, float(np.asarray(params.precision).reshape(())))
    beliefs = {history.actions: value for history, value in profile.beliefs}

    def probs(*history: str, actions: tuple[str, ...]) -> np.ndarray:
        mixed = profile[gbt.H.path(*history)]
        return np.array([float(mixed[action]) for action in actions])

    result: dict = {"posture": np.zeros(3), "first_move": np.zeros((3, 3)), "answer": np.zeros((3, 2))}
    postures = range(3) if options.pivot_posture else (0,)
    if options.pivot_posture:
        result["posture"] = probs(actions=POSTURES)
    else:
        result["posture"][0] = 1.0
    for context in options.contexts:
        head = [POSTURES[context.posture]] if options.pivot_posture else []
        if options.target_moves_first:
            if context.posture in postures:
                result["first_move"][context.posture] = probs(*head, actions=FIRST_MOVES)
                result["answer"][context.posture] = probs(*head, "provoke", actions=ANSWERS)
            head = [*head, FIRST_MOVES[context.move]]
            if context.answer is not None:
                head.append(ANSWERS[context.answer])
        else:
            result["first_move"][context.posture, 1] = 1.0
        challenges = CHALLENGE_LABELS[1:]
        result[context.label] = {
            "challenger": probs(*head, actions=CHALLENGE_LABELS),
            "resolved": np.array([probs(*head, a, "resolved", actions=RESPONSES) for a in challenges]),
            "irresolute": np.array([probs(*head, a, "irresolute", actions=RESPONSES) for a in challenges]),
            "posterior": np.array(
                [[float(beliefs[(*head, a, "resolved", r)]) for r in RESPONSES] for a in challenges]
            ),
            "hedge_after_status_quo": probs(*head, CHALLENGE_LABELS[0], "resolved", actions=("hedge",)),
            "hedge_after_response": np.array(
                [
                    [probs(*head, a, "resolved", r, actions=("hedge",))[0] for r in RESPONSES]
                    for a in challenges
                ]
            ),
        }
    return result


def pivotal_period_quantities(solution, draw: int = 0) -> dict:
    """One draw of :func:`pivotal.model.period_game.solve_period`'s answer, shaped as Gambit's."""
    result: dict = {
        "posture": np.asarray(solution.posture)[:, draw],
        "first_move": np.asarray(solution.first_move)[:, :, draw],
        "answer": np.asarray(solution.answer)[:, :, draw],
    }
    for context, stage in zip(solution.contexts, solution.stages, strict=True):
        result[context.label] = {
            "challenger": np.asarray(stage.challenger[draw]),
            "resolved": np.asarray(stage.pivot_resolved[draw]),
            "irresolute": np.asarray(stage.pivot_irresolute[draw]),
            "posterior": np.asarray(stage.posterior[draw]),
            "hedge_after_status_quo": np.asarray(stage.hedge_after_status_quo[draw : draw + 1]),
            "hedge_after_response": np.asarray(stage.hedge_after_response[draw]),
        }
    return result


def largest_period_difference(gambit: dict, ours: dict, options: GameOptions) -> float:
    """The largest absolute difference between the two answers, over every compared quantity."""
    gaps = []
    for key in ("posture", "first_move", "answer"):
        if key == "answer" and not options.target_moves_first:
            continue
        gaps.append(np.max(np.abs(np.asarray(gambit[key]) - ours[key])))
    for context in options.contexts:
        for name, value in gambit[context.label].items():
            gaps.append(np.max(np.abs(value - ours[context.label][name])))
    return float(max(gaps))
