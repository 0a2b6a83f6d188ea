"""The engine's period loop compiled into one pass per draw (Numba), for the CPU.

:func:`pivotal.simulation.kernel.period_step` solves a period for a chunk of draws with some
150 NumPy array operations, each a pass over memory with its own temporaries.  Here the same
equations run draw by draw in compiled code: the whole period (every context's crisis, the early
moves, the Bayes update, the sampled moves and the 23 outputs) stays in registers and small
scratch arrays, and nothing of the size of a chunk is allocated inside a period.  The NumPy step
stays the reference: the operations are taken in the same order, so the two agree to rounding
(``tests/test_fused.py`` holds them to 1e-12 on every built-in scenario).

Three savings are exact, not approximations.  The pivot's answer to a challenge, the observers'
posterior and the target's hedge depend on the context only through the prize (a concession
shrinks it) and the pivot's posture, so they are solved once per *variant* (at most six) rather
than once per context (at most twelve).  Where both types' response probabilities are normal
numbers, Bayes' ratio is their quotient, not the exponential of the difference of their
logarithms (the logarithms are used where either underflows).  Quantities every context shares
(costs, leverage, the ceasefire's chance) are computed once.

Compiled code is cached on disk (Numba's cache, beside this file or in the user's cache
directory), so the compilation, some seconds, is paid once per machine and Python version.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: The parameters the kernel reads, in the order of the rows it is given.
KERNEL_NAMES: tuple[str, ...] = (
    "prize", "balance", "war_cost", "probe_gain", "probe_cost", "third_party_deterrence",
    "pivot_distraction", "pivot_punishment", "patron_shield", "pivot_stake_target", "target_alignment",
    "pivot_stake_challenger", "restraint_cost", "mediation_cost", "mediated_share", "peacekeepers",
    "resolve_value", "mediation_credit", "protection_value", "alt_patron_support", "pivot_leverage",
    "status_quo_value", "force_cost", "peacekeeper_tripwire", "ceasefire_fragility",
    "precision_challenger", "precision_pivot", "precision_target", "concession_share",
    "provocation_pressure", "provocation_value", "target_restraint_cost", "tilt_commitment",
    "ultimatum_gain", "hedge_erosion", "resolve_turnover",
)
(PRIZE, BALANCE, WAR_COST, PROBE_GAIN, PROBE_COST, THIRD_PARTY, DISTRACTION, PUNISHMENT, SHIELD,
 STAKE_TARGET, ALIGNMENT, STAKE_CHALLENGER, RESTRAINT_COST, MEDIATION_COST, MEDIATED_SHARE,
 PEACEKEEPERS, RESOLVE_VALUE, MEDIATION_CREDIT, PROTECTION, ALT_SUPPORT, LEVERAGE, STATUS_QUO,
 FORCE_COST, TRIPWIRE, FRAGILITY, LAMBDA_C, LAMBDA_P, LAMBDA_T, CONCESSION, PROVOCATION_PRESSURE,
 PROVOCATION_VALUE, TARGET_RESTRAINT_COST, TILT, ULTIMATUM, EROSION, TURNOVER) = range(len(KERNEL_NAMES))
N_KERNEL = len(KERNEL_NAMES)
N_METRICS = 23
#: Columns of a period's record codes; -1 where the record is silent (or for ``RECORDED`` 0, unused).
RECORDED, R_CHALLENGE, R_RESPONSE, R_POSTURE, R_FIRST, R_ANSWER, R_HEDGED = range(7)
#: The contexts' moves (posture, first move, answer or -1), and the variant that holds the pivot's
#: side of each context's crisis.
C_POSTURE, C_MOVE, C_ANSWER, C_VARIANT = range(4)
CONCEDE, HOLD, PROVOKE = range(3)
REIN, TOLERATE = range(2)
#: Bayes' ratio of two probabilities is taken as their quotient above this (normal numbers).
NORMAL = 1e-300
#: Powers of two from 2**-1075 (0 in double precision) to 2**1024 (infinite), for :func:`_exp`.
_POW2_OFFSET = 1075
_POW2 = np.ldexp(1.0, np.arange(-1075, 1025))
_LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits, so that n * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_TAYLOR = tuple(1.0 / math.factorial(k) for k in range(14))


@njit(cache=True, nogil=True, inline="always")
def _exp(x):  # pragma: no cover - compiled
    r"""The exponential, inline: :math:`e^x = 2^n e^r` with :math:`|r| \le \ln 2 / 2` and
    :math:`e^r` from its Taylor series to degree 13 (truncation below 5e-18).

    Within a few units in the last place of the C library's, at a third of its cost in a loop
    of scalar code (no vector library is available to the compiler for ``math.exp``).
    """
    if x != x:
        return x
    if x < -745.2:
        return 0.0
    if x > 709.8:
        return np.inf
    n = math.floor(x * _INV_LN2 + 0.5)
    r = (x - n * _LN2_HI) - n * _LN2_LO
    c = _TAYLOR
    p = c[13]
    p = p * r + c[12]
    p = p * r + c[11]
    p = p * r + c[10]
    p = p * r + c[9]
    p = p * r + c[8]
    p = p * r + c[7]
    p = p * r + c[6]
    p = p * r + c[5]
    p = p * r + c[4]
    p = p * r + c[3]
    p = p * r + c[2]
    p = p * r + c[1]
    p = p * r + c[0]
    return p * _POW2[int(n) + _POW2_OFFSET]


@njit(cache=True, nogil=True, inline="always")
def _hedge(posterior, advantage, protection, lam_t):  # pragma: no cover - compiled
    x = lam_t * (advantage - posterior * protection)
    z = _exp(-abs(x))
    return (1.0 if x >= 0.0 else z) / (1.0 + z)


@njit(cache=True, nogil=True, inline="always")
def _posterior(mu, p_res, p_irr, s_res, total_res, s_irr, total_irr):  # pragma: no cover - compiled
    """Bayes' rule on one response; in logarithms (``s - log total``) where a probability underflows."""
    if p_res > NORMAL and p_irr > NORMAL:
        ratio = p_irr / p_res
    else:
        log_res = s_res - math.log(total_res)
        log_irr = s_irr - math.log(total_irr)
        ratio = _exp(min(max(log_irr - log_res, -700.0), 700.0))
    return mu / (mu + (1.0 - mu) * ratio)


@njit(cache=True, nogil=True, inline="always")
def _logit3(u0, u1, u2, lam, out, row):  # pragma: no cover - compiled
    """Logit probabilities of three options into out[row]; returns the scaled utilities less their
    largest, and the sum of their exponentials (the logarithms are ``s - log(total)``)."""
    s0, s1, s2 = lam * u0, lam * u1, lam * u2
    top = max(max(s0, s1), s2)
    s0, s1, s2 = s0 - top, s1 - top, s2 - top
    w0, w1, w2 = _exp(s0), _exp(s1), _exp(s2)
    total = w0 + w1 + w2
    out[row, 0], out[row, 1], out[row, 2] = w0 / total, w1 / total, w2 / total
    return s0, s1, s2, total


@njit(cache=True, nogil=True, inline="always")
def _logit2(u0, u1, lam):  # pragma: no cover - compiled
    s0, s1 = lam * u0, lam * u1
    top = max(s0, s1)
    w0, w1 = _exp(s0 - top), _exp(s1 - top)
    total = w0 + w1
    return w0 / total, w1 / total


@njit(cache=True, nogil=True, inline="always")
def _clip(x):  # pragma: no cover - compiled
    return min(max(x, 0.0), 1.0)


@njit(cache=True, nogil=True)
def play_period(table, rows, fitted, slots, overrides, belief, resolved, erosion, prior, type_drawn,
                uniforms, record, contexts, variants, crisis_only, target_moves_first, pivot_posture,
                floor, metrics, challenge, response):  # pragma: no cover - compiled
    """One period for every draw: the equations of ``period_step``, draw by draw.

    Parameters
    ----------
    table : (n, n_pieces) every parameter piece's value, draw by draw (a draw's values side by side).
    rows : (N_KERNEL,) the period's row of ``table`` for each parameter of KERNEL_NAMES.
    fitted, slots : (F, n) fitted values for the period, and each parameter's row in it (-1: drawn).
    overrides : (N_KERNEL,) values that replace the drawn ones (a period without a pivot), NaN: none.
    belief, resolved, erosion, prior : (n,) the carried state; the first three are moved on in place.
    type_drawn : whether ``resolved`` holds a type drawn in an earlier period.
    uniforms : (9, n) the period's uniforms.
    record : (7,) int codes of the period's record (RECORDED 0 when the run does not use one).
    contexts : (K, 4) int, the period's contexts; variants : (V,) the first context of each variant.
    metrics : (N_METRICS, n) written; challenge, response : (n,) int8 written.
    """
    n = belief.shape[0]
    k_count = contexts.shape[0]
    n_variants = variants.shape[0]
    recorded = record[RECORDED] == 1
    # Scratch, reused by every draw.
    par = np.empty(N_KERNEL)
    res = np.empty((n_variants, 3, 2))
    irr = np.empty((n_variants, 3, 2))
    sres = np.empty((n_variants, 3, 2))  # scaled utilities less their largest, and the totals
    sirr = np.empty((n_variants, 3, 2))  # of their exponentials: logarithms of the response
    tres = np.empty((n_variants, 2))  # probabilities when they are needed
    tirr = np.empty((n_variants, 2))
    post = np.empty((n_variants, 3, 2))
    hedge = np.empty((n_variants, 3, 2))
    resp = np.empty((n_variants, 3, 2))
    hsq = np.empty(n_variants)
    kept = np.empty((n_variants, 3))
    gain = np.empty((n_variants, 2))
    by_type = np.empty((n_variants, 2))
    lost_t = np.empty((n_variants, 2))
    hedging = np.empty((n_variants, 2))
    hedging_sq = np.empty(n_variants)
    ch = np.empty((k_count, 3))
    mix = np.empty((k_count, 2))
    pivot_w = np.empty(k_count)
    target_w = np.empty(k_count)
    weights = np.empty(k_count)
    work0 = np.empty(k_count)
    work1 = np.empty(k_count)
    work2 = np.empty(k_count)
    posture = np.empty(3)
    posture_value = np.empty(3)
    first = np.zeros((3, 3))
    answer = np.zeros((3, 2))
    tmp = np.empty((1, 3))
    value = np.empty(2)
    for i in range(n):
        for j in range(N_KERNEL):
            if not math.isnan(overrides[j]):
                par[j] = overrides[j]
            elif slots[j] >= 0:
                par[j] = fitted[slots[j], i]
            else:
                par[j] = table[i, rows[j]]
        mu = belief[i]
        align = par[ALIGNMENT] * erosion[i]
        prize = par[PRIZE]
        lam_c, lam_p, lam_t = par[LAMBDA_C], par[LAMBDA_P], par[LAMBDA_T]
        delta, sigma = par[DISTRACTION], par[SHIELD]
        leverage = (1.0 - delta) * (1.0 - sigma)
        chi = 1.0 - par[FRAGILITY] * (1.0 - leverage)
        capacity = max(1.0 - delta, floor)
        shared = par[FORCE_COST] + par[TRIPWIRE]
        cost_p = par[PROBE_COST] + shared
        cost_o = par[WAR_COST] + par[THIRD_PARTY] + shared
        punishment = par[PUNISHMENT] * leverage
        stake = par[STAKE_TARGET] * align
        restraint = par[STAKE_CHALLENGER] + par[RESTRAINT_COST] * (1.0 + sigma) / capacity
        mediation = par[MEDIATION_COST] / capacity
        rho = par[RESOLVE_VALUE]
        credit_rho = par[MEDIATION_CREDIT] * rho
        advantage = par[ALT_SUPPORT] - par[LEVERAGE]
        protection = par[PROTECTION]
        concession = par[CONCESSION]
        tilt_c = par[TILT]
        hsq_common = _hedge(mu, advantage, protection, lam_t)
        # The pivot's side of the crisis, once per variant (prize and posture).
        for v in range(n_variants):
            k = variants[v]
            prize_v = (1.0 - concession) * prize if contexts[k, C_MOVE] == CONCEDE else prize
            z = contexts[k, C_POSTURE]
            tilt = tilt_c if z == 1 else (-tilt_c if z == 2 else 0.0)
            g_p, g_o = par[PROBE_GAIN] * prize_v, par[BALANCE] * prize_v
            gain[v, 0], gain[v, 1] = g_p, g_o
            kept_r = 1.0 - leverage
            kept_m = 1.0 - (1.0 - par[MEDIATED_SHARE]) * leverage * chi
            kept[v, 0], kept[v, 1], kept[v, 2] = kept_r, kept_m, 1.0
            for a in range(2):
                g = g_p if a == 0 else g_o
                b0 = -stake * kept_r * g - restraint + tilt
                b1 = -stake * kept_m * g - mediation + tilt
                b2 = -stake * 1.0 * g - par[PEACEKEEPERS]
                l0, l1, l2, total = _logit3(b0, b1, b2, lam_p, tmp, 0)
                irr[v, 0, a], irr[v, 1, a], irr[v, 2, a] = tmp[0, 0], tmp[0, 1], tmp[0, 2]
                sirr[v, 0, a], sirr[v, 1, a], sirr[v, 2, a], tirr[v, a] = l0, l1, l2, total
                r0, r1, r2, total = _logit3(b0 + rho, b1 + credit_rho, b2 + 0.0, lam_p, tmp, 0)
                res[v, 0, a], res[v, 1, a], res[v, 2, a] = tmp[0, 0], tmp[0, 1], tmp[0, 2]
                sres[v, 0, a], sres[v, 1, a], sres[v, 2, a], tres[v, a] = r0, r1, r2, total
                sum_res = 0.0
                sum_irr = 0.0
                lost = 0.0
                hedged = 0.0
                for r in range(3):
                    post[v, r, a] = _posterior(mu, res[v, r, a], irr[v, r, a], sres[v, r, a], tres[v, a],
                                               sirr[v, r, a], tirr[v, a])
                    hedge[v, r, a] = _hedge(post[v, r, a], advantage, protection, lam_t)
                    resp[v, r, a] = mu * res[v, r, a] + (1.0 - mu) * irr[v, r, a]
                    base = b0 if r == 0 else (b1 if r == 1 else b2)
                    bonus = rho if r == 0 else (credit_rho if r == 1 else 0.0)
                    taken = kept[v, r] * g
                    if r == 0:
                        sum_res = res[v, r, a] * (base + bonus)
                        sum_irr = irr[v, r, a] * base
                        lost = resp[v, r, a] * taken
                        hedged = resp[v, r, a] * hedge[v, r, a] * (advantage - post[v, r, a] * protection)
                    else:
                        sum_res += res[v, r, a] * (base + bonus)
                        sum_irr += irr[v, r, a] * base
                        lost += resp[v, r, a] * taken
                        hedged += resp[v, r, a] * hedge[v, r, a] * (advantage - post[v, r, a] * protection)
                by_type[v, a] = mu * sum_res + (1.0 - mu) * sum_irr
                lost_t[v, a] = lost
                hedging[v, a] = hedged
            hsq[v] = hsq_common
            hedging_sq[v] = hsq_common * (advantage - mu * protection)
        # The challenger's side, once per context.
        sq = par[STATUS_QUO]
        for k in range(k_count):
            v = contexts[k, C_VARIANT]
            move, q = contexts[k, C_MOVE], contexts[k, C_ANSWER]
            pressure = 0.0
            if move == PROVOKE:
                pressure = (1.0 if q == TOLERATE else delta) * par[PROVOCATION_PRESSURE]
            prize_v = (1.0 - concession) * prize if move == CONCEDE else prize
            for a in range(2):
                g = gain[v, a]
                cost = (cost_p if a == 0 else cost_o) - pressure
                u0 = kept[v, 0] * g - cost - punishment
                u1 = kept[v, 1] * g - cost
                u2 = kept[v, 2] * g - cost
                e0 = resp[v, 0, a]
                e1 = resp[v, 1, a]
                e2 = resp[v, 2, a]
                value[a] = e0 * u0 + e1 * u1 + e2 * u2
            _logit3(sq * prize_v, value[0], value[1], lam_c, ch, k)
            mix[k, 0], mix[k, 1] = _logit2(value[0], value[1], lam_c)
            if not crisis_only:
                pivot_w[k] = ch[k, 1] * by_type[v, 0] + ch[k, 2] * by_type[v, 1]
                target_w[k] = (ch[k, 0] * hedging_sq[v] + ch[k, 1] * (hedging[v, 0] - lost_t[v, 0])
                               + ch[k, 2] * (hedging[v, 1] - lost_t[v, 1]))
                # What the early moves themselves pay.
                given = concession * prize if move == CONCEDE else 0.0
                z = contexts[k, C_POSTURE]
                rein = move == PROVOKE and q == REIN
                early_p = -par[STAKE_TARGET] * align * given
                if rein:
                    early_p = early_p - par[TARGET_RESTRAINT_COST] / capacity
                if z != 0:
                    early_p = early_p + par[ULTIMATUM]
                standing = 0.0
                if move == PROVOKE:
                    standing = 1.0 if q == TOLERATE else delta
                early_t = -given + standing * par[PROVOCATION_VALUE]
                if z == 2:
                    early_t = early_t - par[ULTIMATUM]
                pivot_w[k] += early_p
                target_w[k] += early_t
        # The early moves, by backward induction over the contexts' values.
        if crisis_only:
            posture[0], posture[1], posture[2] = 1.0, 0.0, 0.0
            for z in range(3):
                first[z, 0], first[z, 1], first[z, 2] = 0.0, 1.0, 0.0
                answer[z, 0], answer[z, 1] = 0.0, 0.0
            weights[0] = 1.0
        else:
            for z in range(3):
                first[z, 0], first[z, 1], first[z, 2] = 0.0, 0.0, 0.0
                answer[z, 0], answer[z, 1] = 0.0, 0.0
            k = 0
            while k < k_count:
                z = contexts[k, C_POSTURE]
                if target_moves_first:  # concede, hold, rein, tolerate
                    a0, a1 = _logit2(pivot_w[k + 2], pivot_w[k + 3], lam_p)
                    answer[z, 0], answer[z, 1] = a0, a1
                    provoke_p = a0 * pivot_w[k + 2] + a1 * pivot_w[k + 3]
                    provoke_t = a0 * target_w[k + 2] + a1 * target_w[k + 3]
                    _logit3(target_w[k], target_w[k + 1], provoke_t, lam_t, first, z)
                    posture_value[z] = first[z, 0] * pivot_w[k] + first[z, 1] * pivot_w[k + 1] + first[z, 2] * provoke_p
                    k += 4
                else:
                    first[z, 0], first[z, 1], first[z, 2] = 0.0, 1.0, 0.0
                    posture_value[z] = pivot_w[k]
                    k += 1
            if pivot_posture:
                _logit3(posture_value[0], posture_value[1], posture_value[2], lam_p, tmp, 0)
                posture[0], posture[1], posture[2] = tmp[0, 0], tmp[0, 1], tmp[0, 2]
            else:
                posture[0], posture[1], posture[2] = 1.0, 0.0, 0.0
            for k in range(k_count):
                z, move, q = contexts[k, C_POSTURE], contexts[k, C_MOVE], contexts[k, C_ANSWER]
                w = posture[z] * first[z, move]
                if q >= 0:
                    w = w * answer[z, q]
                weights[k] = w
        # The period's moves: the record's, or drawn.
        belief_after = mu
        if recorded:
            code, r_code = record[R_CHALLENGE], record[R_RESPONSE]
            total = 0.0
            count = 0.0
            for k in range(k_count):
                admitted = ((record[R_POSTURE] < 0 or record[R_POSTURE] == contexts[k, C_POSTURE])
                            and (record[R_FIRST] < 0 or record[R_FIRST] == contexts[k, C_MOVE])
                            and (record[R_ANSWER] < 0 or record[R_ANSWER] == contexts[k, C_ANSWER]))
                work0[k] = 1.0 if admitted else 0.0
                weights[k] = weights[k] * work0[k]
                total += weights[k]
                count += work0[k]
            _normalise(weights, work0, total, count)
            challenge[i] = code
            response[i] = r_code
            if code != 0 and r_code >= 0:
                if crisis_only:
                    belief_after = post[0, r_code, code - 1]
                else:
                    belief_after = _recorded_posterior(mu, weights, ch, sres, tres, sirr, tirr, contexts, code, r_code,
                                                       work0, work1)
            if record[R_HEDGED] >= 0:
                hedged_p = float(record[R_HEDGED])
            else:
                hedged_p = _hedge_at_record(weights, ch, resp, hedge, hsq, contexts, code, r_code,
                                            crisis_only, work0, work1, work2)
        else:
            if not type_drawn:
                resolved[i] = uniforms[0, i] < mu
            landed = 0
            if not crisis_only:
                u = uniforms[5, i]
                zz = int(u >= posture[0]) + int(u >= posture[0] + posture[1])
                u = uniforms[6, i]
                mm = int(u >= first[zz, 0]) + int(u >= first[zz, 0] + first[zz, 1])
                qq = int(uniforms[7, i] >= answer[zz, 0])
                landed = -1
                for k in range(k_count):
                    if (contexts[k, C_POSTURE] == zz and contexts[k, C_MOVE] == mm
                            and (contexts[k, C_ANSWER] < 0 or contexts[k, C_ANSWER] == qq)):
                        landed = k
                        break
            if landed < 0:  # no context holds the moves drawn (cannot happen with probabilities in [0, 1])
                landed = 0
            v = contexts[landed, C_VARIANT]
            u = uniforms[1, i]
            code = int(u >= ch[landed, 0]) + int(u >= ch[landed, 0] + ch[landed, 1])
            a = 1 if code == 2 else 0
            o0 = res[v, 0, a] if resolved[i] else irr[v, 0, a]
            o1 = res[v, 1, a] if resolved[i] else irr[v, 1, a]
            u = uniforms[2, i]
            chosen = int(u >= o0) + int(u >= o0 + o1)
            challenge[i] = code
            if code == 0:
                response[i] = -1
                hedge_p = hsq[v]
            else:
                response[i] = chosen
                belief_after = post[v, chosen, a]
                hedge_p = hedge[v, chosen, a]
            hedged_p = 1.0 if uniforms[8, i] < hedge_p else 0.0
        if recorded and record[R_POSTURE] >= 0:
            p0 = 1.0 if record[R_POSTURE] == 0 else 0.0
            p1 = 1.0 if record[R_POSTURE] == 1 else 0.0
            p2 = 1.0 if record[R_POSTURE] == 2 else 0.0
        else:
            p0, p1, p2 = posture[0], posture[1], posture[2]
        _metrics(metrics, i, weights, ch, mix, resp, hedge, hsq, contexts, crisis_only, chi,
                 p0, p1, p2, posture, first, answer, align, mu, belief_after, work0, work1, work2)
        turnover = par[TURNOVER]
        belief[i] = min(max((1.0 - turnover) * belief_after + turnover * prior[i], 0.0), 1.0)
        if uniforms[3, i] < turnover:
            resolved[i] = uniforms[4, i] < prior[i]
        erosion[i] = erosion[i] * (1.0 - par[EROSION] * hedged_p)


@njit(cache=True, nogil=True, inline="always")
def _normalise(weights, fallback, total, count):  # pragma: no cover - compiled
    """``weights`` scaled to sum to 1, in place; ``fallback`` spread evenly where they are all 0."""
    for k in range(weights.shape[0]):
        if total > 0:
            weights[k] = weights[k] / total
        else:
            weights[k] = fallback[k] / (count if count > 0 else 1.0)


@njit(cache=True, nogil=True, inline="always")
def _seen(weights, chance, seen):  # pragma: no cover - compiled
    """Weights times a chance per context, normalised over contexts with weight (into ``seen``)."""
    total = 0.0
    count = 0.0
    for k in range(weights.shape[0]):
        seen[k] = weights[k] * chance[k]
        total += seen[k]
        count += 1.0 if weights[k] > 0 else 0.0
    for k in range(weights.shape[0]):
        if total > 0:
            seen[k] = seen[k] / total
        else:
            seen[k] = (1.0 if weights[k] > 0 else 0.0) / (count if count > 0 else 1.0)


@njit(cache=True, nogil=True, inline="always")
def _recorded_posterior(mu, weights, ch, sres, tres, sirr, tirr, contexts, code, r_code, chance, seen):  # pragma: no cover - compiled
    """Bayes' rule on the recorded moves, mixed over contexts in logarithms."""
    k_count = weights.shape[0]
    for k in range(k_count):
        chance[k] = ch[k, code]
    _seen(weights, chance, seen)
    a = code - 1
    top_res = -np.inf
    top_irr = -np.inf
    for k in range(k_count):  # the terms kept in chance (resolved) and seen (irresolute)
        v = contexts[k, C_VARIANT]
        log_seen = math.log(seen[k]) if seen[k] > 0 else -np.inf
        chance[k] = log_seen + (sres[v, r_code, a] - math.log(tres[v, a]))
        seen[k] = log_seen + (sirr[v, r_code, a] - math.log(tirr[v, a]))
        top_res = max(top_res, chance[k])
        top_irr = max(top_irr, seen[k])
    sum_res = 0.0
    sum_irr = 0.0
    for k in range(k_count):
        sum_res += _exp(chance[k] - top_res)
        sum_irr += _exp(seen[k] - top_irr)
    ll_res = top_res + math.log(sum_res)
    ll_irr = top_irr + math.log(sum_irr)
    ratio = _exp(min(max(ll_irr - ll_res, -700.0), 700.0))
    return mu / (mu + (1.0 - mu) * ratio)


@njit(cache=True, nogil=True, inline="always")
def _hedge_at_record(weights, ch, resp, hedge, hsq, contexts, code, r_code, crisis_only, chance, hedges,
                     seen):  # pragma: no cover - compiled
    """The target's chance of hedging at the recorded moves, mixed over contexts."""
    a = code - 1
    for k in range(weights.shape[0]):
        v = contexts[k, C_VARIANT]
        if code == 0:
            chance[k], hedges[k] = ch[k, 0], hsq[v]
        elif r_code < 0:
            chance[k] = ch[k, code]
            hedges[k] = (resp[v, 0, a] * hedge[v, 0, a] + resp[v, 1, a] * hedge[v, 1, a]
                         + resp[v, 2, a] * hedge[v, 2, a])
        else:
            chance[k], hedges[k] = ch[k, code] * resp[v, r_code, a], hedge[v, r_code, a]
    if crisis_only:
        return hedges[0]
    _seen(weights, chance, seen)
    total = 0.0
    for k in range(weights.shape[0]):
        total += seen[k] * hedges[k]
    return total


@njit(cache=True, nogil=True, inline="always")
def _given(weights, condition, part, crisis_only):  # pragma: no cover - compiled
    """A crisis quantity conditional on ``condition``, mixed over contexts by Bayes' rule."""
    if crisis_only:
        return part[0]
    total = 0.0
    mean = 0.0
    joint = 0.0
    for k in range(weights.shape[0]):
        seen = condition[k] * weights[k]
        total += seen
        mean += part[k] * weights[k]
        joint += seen * part[k]
    return _clip(joint / total if total > 0 else mean)


@njit(cache=True, nogil=True, inline="always")
def _mixed(weights, part, crisis_only):  # pragma: no cover - compiled
    if crisis_only:
        return part[0]
    total = 0.0
    for k in range(weights.shape[0]):
        total += part[k] * weights[k]
    return total


@njit(cache=True, nogil=True, inline="always")
def _metrics(metrics, i, weights, ch, mix, resp, hedge, hsq, contexts, crisis_only, chi, p0, p1, p2,
             posture, first, answer, align, mu, belief_after, part, condition,
             challenged):  # pragma: no cover - compiled
    """Every output of the period for draw ``i`` (the order of kernel.METRICS)."""
    k_count = weights.shape[0]
    for k in range(k_count):
        challenged[k] = _clip(ch[k, 1] + ch[k, 2])
    metrics[0, i] = _mixed(weights, challenged, crisis_only)
    for k in range(k_count):
        part[k] = ch[k, 2]
    metrics[1, i] = _mixed(weights, part, crisis_only)
    for k in range(k_count):
        part[k] = ch[k, 1]
    metrics[2, i] = _mixed(weights, part, crisis_only)
    # p_intervene and p_restrain, given a challenge.
    for k in range(k_count):
        v = contexts[k, C_VARIANT]
        i0 = _clip(resp[v, 0, 0] + resp[v, 1, 0])
        i1 = _clip(resp[v, 0, 1] + resp[v, 1, 1])
        part[k] = _clip(mix[k, 0] * i0 + mix[k, 1] * i1)
    metrics[3, i] = _given(weights, challenged, part, crisis_only)
    for k in range(k_count):
        v = contexts[k, C_VARIANT]
        part[k] = _clip(mix[k, 0] * resp[v, 0, 0] + mix[k, 1] * resp[v, 0, 1])
    metrics[4, i] = _given(weights, challenged, part, crisis_only)
    for k in range(k_count):
        part[k] = ch[k, 0]
    metrics[5, i] = _mixed(weights, part, crisis_only)
    for k in range(k_count):
        v = contexts[k, C_VARIANT]
        after0 = resp[v, 0, 0] * hedge[v, 0, 0] + resp[v, 1, 0] * hedge[v, 1, 0] + resp[v, 2, 0] * hedge[v, 2, 0]
        after1 = resp[v, 0, 1] * hedge[v, 0, 1] + resp[v, 1, 1] * hedge[v, 1, 1] + resp[v, 2, 1] * hedge[v, 2, 1]
        part[k] = _clip(ch[k, 0] * hsq[v] + ch[k, 1] * after0 + ch[k, 2] * after1)
    metrics[6, i] = _mixed(weights, part, crisis_only)
    # Intervention and action given each challenge.
    for a in range(2):
        for k in range(k_count):
            v = contexts[k, C_VARIANT]
            condition[k] = ch[k, 1 + a]
            part[k] = _clip(resp[v, 0, a] + resp[v, 1, a])
        metrics[7 + a, i] = _given(weights, condition, part, crisis_only)
    for k in range(k_count):
        v = contexts[k, C_VARIANT]
        a0 = _clip(resp[v, 0, 0] + resp[v, 1, 0] * chi)
        a1 = _clip(resp[v, 0, 1] + resp[v, 1, 1] * chi)
        part[k] = _clip(mix[k, 0] * a0 + mix[k, 1] * a1)
    metrics[9, i] = _given(weights, challenged, part, crisis_only)
    for a in range(2):
        for k in range(k_count):
            v = contexts[k, C_VARIANT]
            condition[k] = ch[k, 1 + a]
            part[k] = _clip(resp[v, 0, a] + resp[v, 1, a] * chi)
        metrics[10 + a, i] = _given(weights, condition, part, crisis_only)
    metrics[12, i] = chi
    for a in range(2):
        for k in range(k_count):
            v = contexts[k, C_VARIANT]
            condition[k] = ch[k, 1 + a]
            part[k] = resp[v, 1, a]
        metrics[13 + a, i] = _given(weights, condition, part, crisis_only)
    provoke = p0 * first[0, PROVOKE] + p1 * first[1, PROVOKE] + p2 * first[2, PROVOKE]
    concede = p0 * first[0, CONCEDE] + p1 * first[1, CONCEDE] + p2 * first[2, CONCEDE]
    rein = (p0 * first[0, PROVOKE] * answer[0, REIN] + p1 * first[1, PROVOKE] * answer[1, REIN]
            + p2 * first[2, PROVOKE] * answer[2, REIN])
    metrics[15, i] = provoke
    metrics[16, i] = concede
    metrics[17, i] = rein / provoke if provoke > 0 else 0.0
    metrics[18, i] = posture[1]
    metrics[19, i] = posture[2]
    metrics[20, i] = align
    metrics[21, i] = mu
    metrics[22, i] = belief_after


@njit(cache=True, nogil=True)
def extremes_and_counts(metrics, minimum, maximum, counts):  # pragma: no cover - compiled
    """Each output's minimum and maximum over the draws, and its histogram (counts zeroed first;
    bin ``min(floor(value x bins), bins - 1)``, as the NumPy summaries bin them)."""
    bins = counts.shape[1]
    for m in range(metrics.shape[0]):
        low = metrics[m, 0]
        high = metrics[m, 0]
        for b in range(bins):
            counts[m, b] = 0
        for i in range(metrics.shape[1]):
            value = metrics[m, i]
            low = min(low, value)
            high = max(high, value)
            counts[m, min(int(value * bins), bins - 1)] += 1
        minimum[m] = low
        maximum[m] = high
