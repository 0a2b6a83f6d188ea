"""The engine's period loop compiled into one pass over memory per period (Numba), for the CPU.

:func:`pivotal.simulation.kernel.period_step` solves a period for a chunk of draws with some
150 NumPy array operations, each a pass over the whole chunk with its own temporaries.  Here the
same equations run on blocks of :data:`BLOCK` draws whose working arrays stay in the processor's
caches, in loops the compiler turns into vector instructions (several draws per instruction):
every context's crisis, the early moves, the Bayes update, the sampled moves and the 23 outputs
of a block are computed before the next block is touched.  The NumPy step stays the reference:
each draw's operations are taken in the same order, so the two agree to rounding
(``tests/test_fused.py`` holds them to 1e-12 on every built-in scenario).

Four things differ in how, not in what, is computed:

* the pivot's answer to a challenge, the observers' posterior and the target's hedge depend on the
  context only through the prize (a concession shrinks it) and the pivot's posture, so they are
  solved once per *variant* (at most six) rather than once per context (at most twelve);
* Bayes' ratio is the quotient of the two types' response probabilities where both are normal
  numbers, and the exponential of the difference of their logarithms only where one underflows;
* the exponential is computed inline (:func:`_exp`), so that loops calling it can be vectorised
  (the C library's cannot be, and no vector library is available to the compiler);
* quantities every context shares (costs, leverage, the ceasefire's chance) are computed once.

Compiled code is cached on disk (Numba's cache, beside this file or in the user's cache directory),
so the compilation, some seconds, is paid once per machine and Python version.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: The parameters the kernel reads, in the order of the rows it is given.
KERNEL_NAMES: tuple[str, ...] = (
    "prize",
    "balance",
    "war_cost",
    "probe_gain",
    "probe_cost",
    "third_party_deterrence",
    "pivot_distraction",
    "pivot_punishment",
    "patron_shield",
    "pivot_stake_target",
    "target_alignment",
    "pivot_stake_challenger",
    "restraint_cost",
    "mediation_cost",
    "mediated_share",
    "peacekeepers",
    "resolve_value",
    "mediation_credit",
    "protection_value",
    "alt_patron_support",
    "pivot_leverage",
    "status_quo_value",
    "force_cost",
    "peacekeeper_tripwire",
    "ceasefire_fragility",
    "precision_challenger",
    "precision_pivot",
    "precision_target",
    "concession_share",
    "provocation_pressure",
    "provocation_value",
    "target_restraint_cost",
    "tilt_commitment",
    "ultimatum_gain",
    "hedge_erosion",
    "resolve_turnover",
)
(
    PRIZE,
    BALANCE,
    WAR_COST,
    PROBE_GAIN,
    PROBE_COST,
    THIRD_PARTY,
    DISTRACTION,
    PUNISHMENT,
    SHIELD,
    STAKE_TARGET,
    ALIGNMENT,
    STAKE_CHALLENGER,
    RESTRAINT_COST,
    MEDIATION_COST,
    MEDIATED_SHARE,
    PEACEKEEPERS,
    RESOLVE_VALUE,
    MEDIATION_CREDIT,
    PROTECTION,
    ALT_SUPPORT,
    LEVERAGE,
    STATUS_QUO,
    FORCE_COST,
    TRIPWIRE,
    FRAGILITY,
    LAMBDA_C,
    LAMBDA_P,
    LAMBDA_T,
    CONCESSION,
    PROVOCATION_PRESSURE,
    PROVOCATION_VALUE,
    TARGET_RESTRAINT_COST,
    TILT,
    ULTIMATUM,
    EROSION,
    TURNOVER,
) = range(len(KERNEL_NAMES))
N_KERNEL = len(KERNEL_NAMES)
#: Outputs per period, in the order of :data:`pivotal.simulation.kernel.METRICS`.
N_METRICS = 23
#: Columns of a period's record codes: whether the run uses a record there (1) or not (0), then
#: the challenge, the response, the posture, the target's first move, the pivot's answer and
#: whether the target hedged, each -1 where the record is silent.
RECORDED, R_CHALLENGE, R_RESPONSE, R_POSTURE, R_FIRST, R_ANSWER, R_HEDGED = range(7)
#: Columns of a context: posture, first move, answer (-1: none) and the variant that holds the
#: pivot's side of its crisis.
C_POSTURE, C_MOVE, C_ANSWER, C_VARIANT = range(4)
CONCEDE, HOLD, PROVOKE = range(3)
REIN, TOLERATE = range(2)
#: Draws solved together: their working arrays (a few hundred rows of BLOCK numbers) stay in cache.
BLOCK = 256
#: Bayes' ratio of two probabilities is taken as their quotient above this (normal numbers).
NORMAL = 1e-300
#: Powers of two from 2**-1075 (0 in double precision) to 2**1024 (infinite), for :func:`_exp`.
_POW2_OFFSET = 1075
_POW2 = np.array([math.ldexp(1.0, k) for k in range(-1075, 1024)] + [math.inf])
_LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits, so that n * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_TAYLOR = tuple(1.0 / math.factorial(k) for k in range(14))

_jit = njit(cache=True, nogil=True, error_model="numpy")
_inline = njit(cache=True, nogil=True, error_model="numpy", inline="always")


def compiled_on_disk() -> bool:
    """Whether Numba's cache holds this kernel, compiled from this source, so that a run compiles
    nothing (best effort, through Numba's cache index: False when it cannot tell)."""
    try:
        # Numba's types leave out the dispatcher's private cache.
        return bool(play_period._cache._cache_file._load_index())  # type: ignore[attr-defined]
    except Exception:  # a private interface of Numba's: not knowing is the answer
        return False


@_inline
def _exp(x):  # pragma: no cover - compiled
    r"""The exponential, inline and branch-free: :math:`e^x = 2^n e^r`, :math:`|r| \le \ln 2 / 2`,
    :math:`e^r` from its Taylor series to degree 13 (truncation below 5e-18).

    Within about one unit in the last place of the C library's for finite arguments down to
    -708 (below, the small numbers it gives are within 1e-308 of them); infinite above 709.78,
    0 below -745.2 and NaN for NaN, as the C library's.
    """
    y = min(max(x, -745.2), 709.8) if x == x else 0.0
    n = math.floor(y * _INV_LN2 + 0.5)
    r = (y - n * _LN2_HI) - n * _LN2_LO
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
    return p * _POW2[n + _POW2_OFFSET] if x == x else x


@_inline
def _hedge(posterior, advantage, protection, lam_t):  # pragma: no cover - compiled
    """The target's logit chance of hedging, computed as ``stage_game.hedge_probability``."""
    x = lam_t * (advantage - posterior * protection)
    z = _exp(-abs(x))
    return (1.0 if x >= 0.0 else z) / (1.0 + z)


@_inline
def _clip(x):  # pragma: no cover - compiled
    return min(max(x, 0.0), 1.0)


@_inline
def _bayes(mu, ratio):  # pragma: no cover - compiled
    return mu / (mu + (1.0 - mu) * ratio)


@_jit
def play_period(
    table,
    rows,
    fitted,
    slots,
    overrides,
    belief,
    resolved,
    erosion,
    prior,
    type_drawn,
    uniforms,
    record,
    contexts,
    variants,
    crisis_only,
    target_moves_first,
    pivot_posture,
    floor,
    metrics,
    challenge,
    response,
):  # pragma: no cover - compiled
    """One period for every draw: the equations of ``kernel.period_step``, block by block.

    Parameters
    ----------
    table : (n_pieces, n) every parameter piece's value per draw.
    rows : (N_KERNEL,) the period's row of ``table`` for each parameter of KERNEL_NAMES.
    fitted, slots : (F, n) fitted values for the period, and each parameter's row in it (-1: drawn).
    overrides : (N_KERNEL,) values that replace the drawn ones (a period without a pivot), NaN: none.
    belief, resolved, erosion, prior : (n,) the carried state; the first three are moved on in place.
    type_drawn : whether ``resolved`` holds a type drawn in an earlier period.
    uniforms : (9, n) the period's uniforms.
    record : (7,) int codes of the period's record (see RECORDED).
    contexts : (K, 4) int, the period's contexts; variants : (V,) the first context of each variant.
    floor : the capacity floor of the costs of acting.
    metrics : (N_METRICS, n) written; challenge, response : (n,) int8 written.
    """
    n = belief.shape[0]
    k_count, n_variants, B = contexts.shape[0], variants.shape[0], BLOCK
    recorded = record[RECORDED] == 1
    par = np.empty((N_KERNEL, B))
    common = np.empty((16, B))
    (
        mu,
        align,
        leverage,
        chi,
        capacity,
        cost_p,
        cost_o,
        punishment,
        stake,
        restraint,
        mediation,
        credit_rho,
        advantage,
        kept_m,
        hsq,
        hedging_sq,
    ) = (
        common[0],
        common[1],
        common[2],
        common[3],
        common[4],
        common[5],
        common[6],
        common[7],
        common[8],
        common[9],
        common[10],
        common[11],
        common[12],
        common[13],
        common[14],
        common[15],
    )
    res = np.empty((n_variants, 3, 2, B))  # response probabilities, resolved and irresolute type
    irr = np.empty((n_variants, 3, 2, B))
    resp = np.empty((n_variants, 3, 2, B))  # mixed at the belief
    post = np.empty((n_variants, 3, 2, B))  # belief after each response
    hedge = np.empty((n_variants, 3, 2, B))  # the target's hedge after each response
    gain = np.empty((n_variants, 2, B))
    by_type = np.empty((n_variants, 2, B))  # the pivot's expected crisis payoff given each challenge
    lost_t = np.empty((n_variants, 2, B))  # what the target expects to lose to each challenge
    hedging = np.empty((n_variants, 2, B))  # what its hedging is worth after each challenge
    underflow = np.empty(B)
    ch = np.empty((k_count, 3, B))  # the challenger's moves in each context
    mix = np.empty((k_count, 2, B))  # probe or offensive, given a challenge
    pivot_w = np.empty((k_count, B))  # each context's worth to the pivot and to the target
    target_w = np.empty((k_count, B))
    weights = np.empty((k_count, B))
    part = np.empty((k_count, B))
    condition = np.empty((k_count, B))
    challenged = np.empty((k_count, B))
    posture = np.empty((3, B))
    posture_value = np.empty((3, B))
    first = np.zeros((3, 3, B))
    answer = np.zeros((3, 2, B))
    belief_after = np.empty(B)
    hedged_p = np.empty(B)
    acc = np.empty((3, B))
    scratch = np.empty((4, k_count))
    logs = np.empty((n_variants, 2, 3))
    admitted = np.empty(k_count)
    count = 0.0
    if recorded:  # which contexts the record allows: the same for every draw
        for k in range(k_count):
            ok = (
                (record[R_POSTURE] < 0 or record[R_POSTURE] == contexts[k, C_POSTURE])
                and (record[R_FIRST] < 0 or record[R_FIRST] == contexts[k, C_MOVE])
                and (record[R_ANSWER] < 0 or record[R_ANSWER] == contexts[k, C_ANSWER])
            )
            admitted[k] = 1.0 if ok else 0.0
            count += admitted[k]
    for lo in range(0, n, B):
        m = min(B, n - lo)
        # The block's parameters.
        for j in range(N_KERNEL):
            row = par[j]
            if not math.isnan(overrides[j]):
                value = overrides[j]
                for b in range(m):
                    row[b] = value
            elif slots[j] >= 0:
                source = fitted[slots[j]]
                for b in range(m):
                    row[b] = source[lo + b]
            else:
                source = table[rows[j]]
                for b in range(m):
                    row[b] = source[lo + b]
        # What every context shares.
        for b in range(m):
            mu_b = belief[lo + b]
            mu[b] = mu_b
            al = par[ALIGNMENT, b] * erosion[lo + b]
            align[b] = al
            delta, sigma = par[DISTRACTION, b], par[SHIELD, b]
            lev = (1.0 - delta) * (1.0 - sigma)
            leverage[b] = lev
            c = 1.0 - par[FRAGILITY, b] * (1.0 - lev)
            chi[b] = c
            cap = max(1.0 - delta, floor)
            capacity[b] = cap
            shared = par[FORCE_COST, b] + par[TRIPWIRE, b]
            cost_p[b] = par[PROBE_COST, b] + shared
            cost_o[b] = par[WAR_COST, b] + par[THIRD_PARTY, b] + shared
            punishment[b] = par[PUNISHMENT, b] * lev
            stake[b] = par[STAKE_TARGET, b] * al
            restraint[b] = par[STAKE_CHALLENGER, b] + par[RESTRAINT_COST, b] * (1.0 + sigma) / cap
            mediation[b] = par[MEDIATION_COST, b] / cap
            credit_rho[b] = par[MEDIATION_CREDIT, b] * par[RESOLVE_VALUE, b]
            adv = par[ALT_SUPPORT, b] - par[LEVERAGE, b]
            advantage[b] = adv
            kept_m[b] = 1.0 - (1.0 - par[MEDIATED_SHARE, b]) * lev * c
            h = _hedge(mu_b, adv, par[PROTECTION, b], par[LAMBDA_T, b])
            hsq[b] = h
            hedging_sq[b] = h * (adv - mu_b * par[PROTECTION, b])
        # The pivot's side of the crisis, once per variant (prize and posture).
        for v in range(n_variants):
            k = variants[v]
            concede = contexts[k, C_MOVE] == CONCEDE
            z = contexts[k, C_POSTURE]
            for a in range(2):
                _pivot_side(
                    par,
                    m,
                    v,
                    a,
                    concede,
                    z,
                    mu,
                    stake,
                    leverage,
                    kept_m,
                    restraint,
                    mediation,
                    credit_rho,
                    advantage,
                    gain,
                    res,
                    irr,
                    resp,
                    post,
                    hedge,
                    by_type,
                    lost_t,
                    hedging,
                    underflow,
                )
        # The challenger's side, once per context, and what each context is worth before it.
        for k in range(k_count):
            _challenger_side(
                par,
                m,
                contexts[k],
                gain[contexts[k, C_VARIANT]],
                resp[contexts[k, C_VARIANT]],
                leverage,
                kept_m,
                cost_p,
                cost_o,
                punishment,
                ch[k],
                mix[k],
            )
            if not crisis_only:
                _context_worth(
                    par,
                    m,
                    contexts[k],
                    ch[k],
                    by_type[contexts[k, C_VARIANT]],
                    lost_t[contexts[k, C_VARIANT]],
                    hedging[contexts[k, C_VARIANT]],
                    hedging_sq,
                    align,
                    capacity,
                    pivot_w[k],
                    target_w[k],
                )
        # The early moves, by backward induction over the contexts' worth.
        if crisis_only:
            for b in range(m):
                posture[0, b], posture[1, b], posture[2, b] = 1.0, 0.0, 0.0
                weights[0, b] = 1.0
                for z in range(3):
                    first[z, 0, b], first[z, 1, b], first[z, 2, b] = 0.0, 1.0, 0.0
                    answer[z, 0, b], answer[z, 1, b] = 0.0, 0.0
        else:
            _early_moves(
                par,
                m,
                contexts,
                target_moves_first,
                pivot_posture,
                pivot_w,
                target_w,
                posture,
                posture_value,
                first,
                answer,
                weights,
            )
        # The period's moves: the record's, or drawn.
        if recorded:
            code, r_code = record[R_CHALLENGE], record[R_RESPONSE]
            for b in range(m):
                total = 0.0
                for k in range(k_count):
                    weights[k, b] = weights[k, b] * admitted[k]
                    total += weights[k, b]
                for k in range(k_count):
                    if total > 0:
                        weights[k, b] = weights[k, b] / total
                    else:
                        weights[k, b] = admitted[k] / (count if count > 0 else 1.0)
            for b in range(m):
                challenge[lo + b] = code
                response[lo + b] = r_code
                belief_after[b] = mu[b]
                if code != 0 and r_code >= 0:
                    if crisis_only:
                        belief_after[b] = post[0, r_code, code - 1, b]
                    else:
                        belief_after[b] = _recorded_posterior(
                            par,
                            b,
                            mu[b],
                            weights,
                            ch,
                            contexts,
                            variants,
                            code,
                            r_code,
                            stake,
                            leverage,
                            kept_m,
                            restraint,
                            mediation,
                            credit_rho,
                            logs,
                            scratch,
                        )
                if record[R_HEDGED] >= 0:
                    hedged_p[b] = float(record[R_HEDGED])
                else:
                    hedged_p[b] = _hedge_at_record(
                        b, weights, ch, resp, hedge, hsq, contexts, code, r_code, crisis_only, scratch
                    )
        else:
            for b in range(m):
                i = lo + b
                if not type_drawn:
                    resolved[i] = uniforms[0, i] < mu[b]
                landed = 0
                if not crisis_only:
                    u = uniforms[5, i]
                    zz = int(u >= posture[0, b]) + int(u >= posture[0, b] + posture[1, b])
                    u = uniforms[6, i]
                    mm = int(u >= first[zz, 0, b]) + int(u >= first[zz, 0, b] + first[zz, 1, b])
                    qq = int(uniforms[7, i] >= answer[zz, 0, b])
                    for k in range(k_count):
                        if (
                            contexts[k, C_POSTURE] == zz
                            and contexts[k, C_MOVE] == mm
                            and (contexts[k, C_ANSWER] < 0 or contexts[k, C_ANSWER] == qq)
                        ):
                            landed = k
                            break
                v = contexts[landed, C_VARIANT]
                u = uniforms[1, i]
                code = int(u >= ch[landed, 0, b]) + int(u >= ch[landed, 0, b] + ch[landed, 1, b])
                a = 1 if code == 2 else 0
                o0 = res[v, 0, a, b] if resolved[i] else irr[v, 0, a, b]
                o1 = res[v, 1, a, b] if resolved[i] else irr[v, 1, a, b]
                u = uniforms[2, i]
                chosen = int(u >= o0) + int(u >= o0 + o1)
                challenge[i] = code
                if code == 0:
                    response[i] = -1
                    belief_after[b] = mu[b]
                    hedge_p = hsq[b]
                else:
                    response[i] = chosen
                    belief_after[b] = post[v, chosen, a, b]
                    hedge_p = hedge[v, chosen, a, b]
                hedged_p[b] = 1.0 if uniforms[8, i] < hedge_p else 0.0
        # The outputs, mixed over the contexts with the period's weights.
        _metrics(
            metrics,
            lo,
            m,
            k_count,
            crisis_only,
            weights,
            ch,
            mix,
            resp,
            hedge,
            hsq,
            contexts,
            chi,
            record,
            recorded,
            posture,
            first,
            answer,
            align,
            mu,
            belief_after,
            part,
            condition,
            challenged,
            acc,
        )
        # The state carried into the next period.
        for b in range(m):
            i = lo + b
            turnover = par[TURNOVER, b]
            belief[i] = min(max((1.0 - turnover) * belief_after[b] + turnover * prior[i], 0.0), 1.0)
            if uniforms[3, i] < turnover:
                resolved[i] = uniforms[4, i] < prior[i]
            erosion[i] = erosion[i] * (1.0 - par[EROSION, b] * hedged_p[b])


@_inline
def _pivot_side(
    par,
    m,
    v,
    a,
    concede,
    z,
    mu,
    stake,
    leverage,
    kept_m,
    restraint,
    mediation,
    credit_rho,
    advantage,
    gain,
    res,
    irr,
    resp,
    post,
    hedge,
    by_type,
    lost_t,
    hedging,
    underflow,
):  # pragma: no cover - compiled
    """The pivot's response to challenge ``a`` in one variant, each type's; the observers' posterior
    and the target's hedge after each response; what the crisis is worth to the pivot and the target.
    Arrays (V, 3, 2, B) are indexed (variant, response, challenge, draw), (V, 2, B) (variant,
    challenge, draw)."""
    tilt_sign = 1.0 if z == 1 else (-1.0 if z == 2 else 0.0)
    for b in range(m):
        prize = (1.0 - par[CONCESSION, b]) * par[PRIZE, b] if concede else par[PRIZE, b]
        g = (par[PROBE_GAIN, b] if a == 0 else par[BALANCE, b]) * prize
        gain[v, a, b] = g
        tilt = tilt_sign * par[TILT, b]
        st, kept_r = stake[b], 1.0 - leverage[b]
        km = kept_m[b]
        b0 = -st * kept_r * g - restraint[b] + tilt
        b1 = -st * km * g - mediation[b] + tilt
        b2 = -st * 1.0 * g - par[PEACEKEEPERS, b]
        lam = par[LAMBDA_P, b]
        rho, crho = par[RESOLVE_VALUE, b], credit_rho[b]
        s0, s1, s2 = lam * b0, lam * b1, lam * b2
        top = max(max(s0, s1), s2)
        w0, w1, w2 = _exp(s0 - top), _exp(s1 - top), _exp(s2 - top)
        total = w0 + w1 + w2
        i0, i1, i2 = w0 / total, w1 / total, w2 / total
        s0, s1, s2 = lam * (b0 + rho), lam * (b1 + crho), lam * (b2 + 0.0)
        top = max(max(s0, s1), s2)
        w0, w1, w2 = _exp(s0 - top), _exp(s1 - top), _exp(s2 - top)
        total = w0 + w1 + w2
        r0, r1, r2 = w0 / total, w1 / total, w2 / total
        irr[v, 0, a, b], irr[v, 1, a, b], irr[v, 2, a, b] = i0, i1, i2
        res[v, 0, a, b], res[v, 1, a, b], res[v, 2, a, b] = r0, r1, r2
        mu_b = mu[b]
        normal = r0 > NORMAL and i0 > NORMAL and r1 > NORMAL and i1 > NORMAL and r2 > NORMAL and i2 > NORMAL
        underflow[b] = 0.0 if normal else 1.0
        p0, p1, p2 = _bayes(mu_b, i0 / r0), _bayes(mu_b, i1 / r1), _bayes(mu_b, i2 / r2)
        post[v, 0, a, b], post[v, 1, a, b], post[v, 2, a, b] = p0, p1, p2
        adv, prot, lam_t = advantage[b], par[PROTECTION, b], par[LAMBDA_T, b]
        h0, h1, h2 = _hedge(p0, adv, prot, lam_t), _hedge(p1, adv, prot, lam_t), _hedge(p2, adv, prot, lam_t)
        hedge[v, 0, a, b], hedge[v, 1, a, b], hedge[v, 2, a, b] = h0, h1, h2
        e0 = mu_b * r0 + (1.0 - mu_b) * i0
        e1 = mu_b * r1 + (1.0 - mu_b) * i1
        e2 = mu_b * r2 + (1.0 - mu_b) * i2
        resp[v, 0, a, b], resp[v, 1, a, b], resp[v, 2, a, b] = e0, e1, e2
        by_type[v, a, b] = mu_b * (r0 * (b0 + rho) + r1 * (b1 + crho) + r2 * (b2 + 0.0)) + (1.0 - mu_b) * (
            i0 * b0 + i1 * b1 + i2 * b2
        )
        lost_t[v, a, b] = e0 * (kept_r * g) + e1 * (km * g) + e2 * (1.0 * g)
        hedging[v, a, b] = (
            e0 * h0 * (adv - p0 * prot) + e1 * h1 * (adv - p1 * prot) + e2 * h2 * (adv - p2 * prot)
        )
    for b in range(m):  # a response so unlikely its probability underflows: Bayes in logarithms
        if underflow[b] == 0.0:
            continue
        _posterior_in_logs(
            par,
            b,
            v,
            a,
            concede,
            z,
            mu[b],
            stake[b],
            leverage[b],
            kept_m[b],
            restraint[b],
            mediation[b],
            credit_rho[b],
            post,
        )
        adv, prot, lam_t = advantage[b], par[PROTECTION, b], par[LAMBDA_T, b]
        for r in range(3):
            hedge[v, r, a, b] = _hedge(post[v, r, a, b], adv, prot, lam_t)
        hedging[v, a, b] = (
            resp[v, 0, a, b] * hedge[v, 0, a, b] * (adv - post[v, 0, a, b] * prot)
            + resp[v, 1, a, b] * hedge[v, 1, a, b] * (adv - post[v, 1, a, b] * prot)
            + resp[v, 2, a, b] * hedge[v, 2, a, b] * (adv - post[v, 2, a, b] * prot)
        )


@_inline
def _log_responses(
    par, b, a, concede, z, stake, leverage, kept_m, restraint, mediation, credit_rho, out
):  # pragma: no cover - compiled
    """Logarithms of each type's response probabilities to challenge ``a``, into out (2, 3):
    resolved first, as ``stage_game._logit`` gives them."""
    prize = (1.0 - par[CONCESSION, b]) * par[PRIZE, b] if concede else par[PRIZE, b]
    g = (par[PROBE_GAIN, b] if a == 0 else par[BALANCE, b]) * prize
    tilt = (1.0 if z == 1 else (-1.0 if z == 2 else 0.0)) * par[TILT, b]
    kept_r = 1.0 - leverage
    b0 = -stake * kept_r * g - restraint + tilt
    b1 = -stake * kept_m * g - mediation + tilt
    b2 = -stake * 1.0 * g - par[PEACEKEEPERS, b]
    lam, rho = par[LAMBDA_P, b], par[RESOLVE_VALUE, b]
    for kind in range(2):
        if kind == 0:
            s0, s1, s2 = lam * (b0 + rho), lam * (b1 + credit_rho), lam * (b2 + 0.0)
        else:
            s0, s1, s2 = lam * b0, lam * b1, lam * b2
        top = max(max(s0, s1), s2)
        s0, s1, s2 = s0 - top, s1 - top, s2 - top
        log_total = math.log(math.exp(s0) + math.exp(s1) + math.exp(s2))
        out[kind, 0], out[kind, 1], out[kind, 2] = s0 - log_total, s1 - log_total, s2 - log_total


@_inline
def _posterior_in_logs(
    par, b, v, a, concede, z, mu, stake, leverage, kept_m, restraint, mediation, credit_rho, post
):  # pragma: no cover - compiled
    logs = np.empty((2, 3))
    _log_responses(par, b, a, concede, z, stake, leverage, kept_m, restraint, mediation, credit_rho, logs)
    for r in range(3):
        post[v, r, a, b] = _bayes(mu, math.exp(min(max(logs[1, r] - logs[0, r], -700.0), 700.0)))


@_inline
def _challenger_side(
    par, m, context, gain, resp, leverage, kept_m, cost_p, cost_o, punishment, ch, mix
):  # pragma: no cover - compiled
    """The challenger's logit choice in one context: (3, B) moves and (2, B) probe or offensive."""
    move, answer = context[C_MOVE], context[C_ANSWER]
    for b in range(m):
        pressure = 0.0
        if move == PROVOKE:
            pressure = (1.0 if answer == TOLERATE else par[DISTRACTION, b]) * par[PROVOCATION_PRESSURE, b]
        prize = (1.0 - par[CONCESSION, b]) * par[PRIZE, b] if move == CONCEDE else par[PRIZE, b]
        kept_r, km = 1.0 - leverage[b], kept_m[b]
        g = gain[0, b]
        cost = cost_p[b] - pressure
        v0 = (
            resp[0, 0, b] * (kept_r * g - cost - punishment[b])
            + resp[1, 0, b] * (km * g - cost)
            + resp[2, 0, b] * (1.0 * g - cost)
        )
        g = gain[1, b]
        cost = cost_o[b] - pressure
        v1 = (
            resp[0, 1, b] * (kept_r * g - cost - punishment[b])
            + resp[1, 1, b] * (km * g - cost)
            + resp[2, 1, b] * (1.0 * g - cost)
        )
        lam = par[LAMBDA_C, b]
        s0, s1, s2 = lam * (par[STATUS_QUO, b] * prize), lam * v0, lam * v1
        top = max(max(s0, s1), s2)
        w0, w1, w2 = _exp(s0 - top), _exp(s1 - top), _exp(s2 - top)
        total = w0 + w1 + w2
        ch[0, b], ch[1, b], ch[2, b] = w0 / total, w1 / total, w2 / total
        top = max(s1, s2)
        w1, w2 = _exp(s1 - top), _exp(s2 - top)
        total = w1 + w2
        mix[0, b], mix[1, b] = w1 / total, w2 / total


@_inline
def _context_worth(
    par, m, context, ch, by_type, lost_t, hedging, hedging_sq, align, capacity, pivot_w, target_w
):  # pragma: no cover - compiled
    """What one context is worth, before it, to the pivot and to the target: the crisis's expected
    payoffs (``period_game.crisis_values``) and what the early moves pay (``_joint_early``)."""
    z, move, answer = context[C_POSTURE], context[C_MOVE], context[C_ANSWER]
    rein = move == PROVOKE and answer == REIN
    for b in range(m):
        crisis_p = ch[1, b] * by_type[0, b] + ch[2, b] * by_type[1, b]
        crisis_t = (
            ch[0, b] * hedging_sq[b]
            + ch[1, b] * (hedging[0, b] - lost_t[0, b])
            + ch[2, b] * (hedging[1, b] - lost_t[1, b])
        )
        given = par[CONCESSION, b] * par[PRIZE, b] if move == CONCEDE else 0.0
        early_p = -par[STAKE_TARGET, b] * align[b] * given
        if rein:
            early_p = early_p - par[TARGET_RESTRAINT_COST, b] / capacity[b]
        if z != 0:
            early_p = early_p + par[ULTIMATUM, b]
        standing = 0.0
        if move == PROVOKE:
            standing = 1.0 if answer == TOLERATE else par[DISTRACTION, b]
        early_t = -given + standing * par[PROVOCATION_VALUE, b]
        if z == 2:
            early_t = early_t - par[ULTIMATUM, b]
        pivot_w[b] = crisis_p + early_p
        target_w[b] = crisis_t + early_t


@_inline
def _logit3_into(lam, u0, u1, u2, out, b):  # pragma: no cover - compiled
    s0, s1, s2 = lam * u0, lam * u1, lam * u2
    top = max(max(s0, s1), s2)
    w0, w1, w2 = _exp(s0 - top), _exp(s1 - top), _exp(s2 - top)
    total = w0 + w1 + w2
    out[0, b], out[1, b], out[2, b] = w0 / total, w1 / total, w2 / total


@_inline
def _early_moves(
    par,
    m,
    contexts,
    target_moves_first,
    pivot_posture,
    pivot_w,
    target_w,
    posture,
    posture_value,
    first,
    answer,
    weights,
):  # pragma: no cover - compiled
    """The pivot's posture, the target's first move and the pivot's answer to a provocation, each a
    logit response to the worth of what follows (``period_game.solve_period``); the contexts' weights."""
    k_count = contexts.shape[0]
    for z in range(3):
        for b in range(m):
            first[z, 0, b], first[z, 1, b], first[z, 2, b] = 0.0, 0.0, 0.0
            answer[z, 0, b], answer[z, 1, b] = 0.0, 0.0
            posture_value[z, b] = 0.0
    k = 0
    while k < k_count:
        z = contexts[k, C_POSTURE]
        if target_moves_first:  # concede, hold, rein, tolerate
            for b in range(m):
                lam_p, lam_t = par[LAMBDA_P, b], par[LAMBDA_T, b]
                s0, s1 = lam_p * pivot_w[k + 2, b], lam_p * pivot_w[k + 3, b]
                top = max(s0, s1)
                w0, w1 = _exp(s0 - top), _exp(s1 - top)
                total = w0 + w1
                a0, a1 = w0 / total, w1 / total
                answer[z, 0, b], answer[z, 1, b] = a0, a1
                provoke_p = a0 * pivot_w[k + 2, b] + a1 * pivot_w[k + 3, b]
                provoke_t = a0 * target_w[k + 2, b] + a1 * target_w[k + 3, b]
                _logit3_into(lam_t, target_w[k, b], target_w[k + 1, b], provoke_t, first[z], b)
                posture_value[z, b] = (
                    first[z, 0, b] * pivot_w[k, b]
                    + first[z, 1, b] * pivot_w[k + 1, b]
                    + first[z, 2, b] * provoke_p
                )
            k += 4
        else:
            for b in range(m):
                first[z, 0, b], first[z, 1, b], first[z, 2, b] = 0.0, 1.0, 0.0
                posture_value[z, b] = pivot_w[k, b]
            k += 1
    for b in range(m):
        if pivot_posture:
            _logit3_into(
                par[LAMBDA_P, b], posture_value[0, b], posture_value[1, b], posture_value[2, b], posture, b
            )
        else:
            posture[0, b], posture[1, b], posture[2, b] = 1.0, 0.0, 0.0
    for k in range(k_count):
        z, move, q = contexts[k, C_POSTURE], contexts[k, C_MOVE], contexts[k, C_ANSWER]
        for b in range(m):
            w = posture[z, b] * first[z, move, b]
            if q >= 0:
                w = w * answer[z, q, b]
            weights[k, b] = w


@_inline
def _seen(weights, b, chance, seen):  # pragma: no cover - compiled
    """Draw b's weights times a chance per context, normalised over the contexts with weight."""
    total = 0.0
    count = 0.0
    for k in range(weights.shape[0]):
        seen[k] = weights[k, b] * chance[k]
        total += seen[k]
        count += 1.0 if weights[k, b] > 0 else 0.0
    for k in range(weights.shape[0]):
        if total > 0:
            seen[k] = seen[k] / total
        else:
            seen[k] = (1.0 if weights[k, b] > 0 else 0.0) / (count if count > 0 else 1.0)


@_inline
def _recorded_posterior(
    par,
    b,
    mu,
    weights,
    ch,
    contexts,
    variants,
    code,
    r_code,
    stake,
    leverage,
    kept_m,
    restraint,
    mediation,
    credit_rho,
    logs,
    scratch,
):  # pragma: no cover - compiled
    """Bayes' rule on the recorded challenge and response, the likelihoods mixed over the contexts
    in logarithms (``kernel._recorded_posterior``)."""
    k_count = weights.shape[0]
    a = code - 1
    chance, seen, log_res, log_irr = scratch[0], scratch[1], scratch[2], scratch[3]
    for k in range(k_count):
        chance[k] = ch[k, code, b]
    _seen(weights, b, chance, seen)
    for v in range(variants.shape[0]):
        kv = variants[v]
        _log_responses(
            par,
            b,
            a,
            contexts[kv, C_MOVE] == CONCEDE,
            contexts[kv, C_POSTURE],
            stake[b],
            leverage[b],
            kept_m[b],
            restraint[b],
            mediation[b],
            credit_rho[b],
            logs[v],
        )
    top_res = -np.inf
    top_irr = -np.inf
    for k in range(k_count):
        v = contexts[k, C_VARIANT]
        log_seen = math.log(seen[k]) if seen[k] > 0 else -np.inf
        log_res[k] = log_seen + logs[v, 0, r_code]
        log_irr[k] = log_seen + logs[v, 1, r_code]
        top_res = max(top_res, log_res[k])
        top_irr = max(top_irr, log_irr[k])
    sum_res = 0.0
    sum_irr = 0.0
    for k in range(k_count):
        sum_res += math.exp(log_res[k] - top_res)
        sum_irr += math.exp(log_irr[k] - top_irr)
    ll_res = top_res + math.log(sum_res)
    ll_irr = top_irr + math.log(sum_irr)
    return _bayes(mu, math.exp(min(max(ll_irr - ll_res, -700.0), 700.0)))


@_inline
def _hedge_at_record(
    b, weights, ch, resp, hedge, hsq, contexts, code, r_code, crisis_only, scratch
):  # pragma: no cover - compiled
    """The target's chance of hedging at the recorded moves, mixed over contexts."""
    a = code - 1
    chance, hedges, seen = scratch[0], scratch[1], scratch[2]
    for k in range(weights.shape[0]):
        v = contexts[k, C_VARIANT]
        if code == 0:
            chance[k], hedges[k] = ch[k, 0, b], hsq[b]
        elif r_code < 0:
            chance[k] = ch[k, code, b]
            hedges[k] = (
                resp[v, 0, a, b] * hedge[v, 0, a, b]
                + resp[v, 1, a, b] * hedge[v, 1, a, b]
                + resp[v, 2, a, b] * hedge[v, 2, a, b]
            )
        else:
            chance[k], hedges[k] = ch[k, code, b] * resp[v, r_code, a, b], hedge[v, r_code, a, b]
    if crisis_only:
        return hedges[0]
    _seen(weights, b, chance, seen)
    total = 0.0
    for k in range(weights.shape[0]):
        total += seen[k] * hedges[k]
    return total


@_inline
def _mixed_into(out, lo, m, part, weights, crisis_only):  # pragma: no cover - compiled
    """A crisis quantity (K, B) mixed over the contexts with the weights, into out[lo:lo + m]."""
    if crisis_only:
        for b in range(m):
            out[lo + b] = part[0, b]
        return
    for b in range(m):
        out[lo + b] = 0.0
    for k in range(weights.shape[0]):
        for b in range(m):
            out[lo + b] += part[k, b] * weights[k, b]


@_inline
def _given_into(out, lo, m, condition, part, weights, crisis_only, acc):  # pragma: no cover - compiled
    """A crisis quantity conditional on ``condition``, mixed over the contexts by Bayes' rule."""
    if crisis_only:
        for b in range(m):
            out[lo + b] = part[0, b]
        return
    total, mean, joint = acc[0], acc[1], acc[2]
    for b in range(m):
        total[b], mean[b], joint[b] = 0.0, 0.0, 0.0
    for k in range(weights.shape[0]):
        for b in range(m):
            seen = condition[k, b] * weights[k, b]
            total[b] += seen
            mean[b] += part[k, b] * weights[k, b]
            joint[b] += seen * part[k, b]
    for b in range(m):
        out[lo + b] = _clip(joint[b] / total[b] if total[b] > 0 else mean[b])


@_inline
def _metrics(
    metrics,
    lo,
    m,
    k_count,
    crisis_only,
    weights,
    ch,
    mix,
    resp,
    hedge,
    hsq,
    contexts,
    chi,
    record,
    recorded,
    posture,
    first,
    answer,
    align,
    mu,
    belief_after,
    part,
    condition,
    challenged,
    acc,
):  # pragma: no cover - compiled
    """Every output of the period for the block's draws, in the order of ``kernel.METRICS``."""
    for k in range(k_count):
        for b in range(m):
            challenged[k, b] = _clip(ch[k, 1, b] + ch[k, 2, b])
    _mixed_into(metrics[0], lo, m, challenged, weights, crisis_only)
    for move, row in ((2, 1), (1, 2), (0, 5)):  # offensive, probe, deterred
        for k in range(k_count):
            for b in range(m):
                part[k, b] = ch[k, move, b]
        _mixed_into(metrics[row], lo, m, part, weights, crisis_only)
    for k in range(k_count):  # intervene, given a challenge
        v = contexts[k, C_VARIANT]
        for b in range(m):
            i0 = _clip(resp[v, 0, 0, b] + resp[v, 1, 0, b])
            i1 = _clip(resp[v, 0, 1, b] + resp[v, 1, 1, b])
            part[k, b] = _clip(mix[k, 0, b] * i0 + mix[k, 1, b] * i1)
    _given_into(metrics[3], lo, m, challenged, part, weights, crisis_only, acc)
    for k in range(k_count):  # restrain, given a challenge
        v = contexts[k, C_VARIANT]
        for b in range(m):
            part[k, b] = _clip(mix[k, 0, b] * resp[v, 0, 0, b] + mix[k, 1, b] * resp[v, 0, 1, b])
    _given_into(metrics[4], lo, m, challenged, part, weights, crisis_only, acc)
    for k in range(k_count):  # hedge, over everything that can happen
        v = contexts[k, C_VARIANT]
        for b in range(m):
            after0 = (
                resp[v, 0, 0, b] * hedge[v, 0, 0, b]
                + resp[v, 1, 0, b] * hedge[v, 1, 0, b]
                + resp[v, 2, 0, b] * hedge[v, 2, 0, b]
            )
            after1 = (
                resp[v, 0, 1, b] * hedge[v, 0, 1, b]
                + resp[v, 1, 1, b] * hedge[v, 1, 1, b]
                + resp[v, 2, 1, b] * hedge[v, 2, 1, b]
            )
            part[k, b] = _clip(ch[k, 0, b] * hsq[b] + ch[k, 1, b] * after0 + ch[k, 2, b] * after1)
    _mixed_into(metrics[6], lo, m, part, weights, crisis_only)
    for a in range(2):  # intervene, given each challenge
        for k in range(k_count):
            v = contexts[k, C_VARIANT]
            for b in range(m):
                condition[k, b] = ch[k, 1 + a, b]
                part[k, b] = _clip(resp[v, 0, a, b] + resp[v, 1, a, b])
        _given_into(metrics[7 + a], lo, m, condition, part, weights, crisis_only, acc)
    for k in range(k_count):  # act, given a challenge
        v = contexts[k, C_VARIANT]
        for b in range(m):
            a0 = _clip(resp[v, 0, 0, b] + resp[v, 1, 0, b] * chi[b])
            a1 = _clip(resp[v, 0, 1, b] + resp[v, 1, 1, b] * chi[b])
            part[k, b] = _clip(mix[k, 0, b] * a0 + mix[k, 1, b] * a1)
    _given_into(metrics[9], lo, m, challenged, part, weights, crisis_only, acc)
    for a in range(2):  # act, given each challenge
        for k in range(k_count):
            v = contexts[k, C_VARIANT]
            for b in range(m):
                condition[k, b] = ch[k, 1 + a, b]
                part[k, b] = _clip(resp[v, 0, a, b] + resp[v, 1, a, b] * chi[b])
        _given_into(metrics[10 + a], lo, m, condition, part, weights, crisis_only, acc)
    for b in range(m):
        metrics[12, lo + b] = chi[b]
    for a in range(2):  # mediate, given each challenge
        for k in range(k_count):
            v = contexts[k, C_VARIANT]
            for b in range(m):
                condition[k, b] = ch[k, 1 + a, b]
                part[k, b] = resp[v, 1, a, b]
        _given_into(metrics[13 + a], lo, m, condition, part, weights, crisis_only, acc)
    fixed = recorded and record[R_POSTURE] >= 0  # the record's posture, where it gives one
    for b in range(m):
        if fixed:
            p0 = 1.0 if record[R_POSTURE] == 0 else 0.0
            p1 = 1.0 if record[R_POSTURE] == 1 else 0.0
            p2 = 1.0 if record[R_POSTURE] == 2 else 0.0
        else:
            p0, p1, p2 = posture[0, b], posture[1, b], posture[2, b]
        provoke = p0 * first[0, PROVOKE, b] + p1 * first[1, PROVOKE, b] + p2 * first[2, PROVOKE, b]
        rein = (
            p0 * first[0, PROVOKE, b] * answer[0, REIN, b]
            + p1 * first[1, PROVOKE, b] * answer[1, REIN, b]
            + p2 * first[2, PROVOKE, b] * answer[2, REIN, b]
        )
        metrics[15, lo + b] = provoke
        metrics[16, lo + b] = (
            p0 * first[0, CONCEDE, b] + p1 * first[1, CONCEDE, b] + p2 * first[2, CONCEDE, b]
        )
        metrics[17, lo + b] = rein / provoke if provoke > 0 else 0.0
        metrics[18, lo + b] = posture[1, b]
        metrics[19, lo + b] = posture[2, b]
        metrics[20, lo + b] = align[b]
        metrics[21, lo + b] = mu[b]
        metrics[22, lo + b] = belief_after[b]


@_jit
def extremes_and_counts(metrics, minimum, maximum, counts):  # pragma: no cover - compiled
    """Each output's minimum and maximum over the draws, and its histogram (counts zeroed first;
    bin ``min(floor(value x bins), bins - 1)``, as the NumPy summaries bin them).  A NaN output
    (possible only in a scenario the format refuses) makes its extremes NaN and is not counted."""
    bins = counts.shape[1]
    for m in range(metrics.shape[0]):
        low = metrics[m, 0]
        high = metrics[m, 0]
        for b in range(bins):
            counts[m, b] = 0
        for i in range(metrics.shape[1]):
            value = metrics[m, i]
            if value != value:
                low = high = value
                continue
            if low == low:
                low = min(low, value)
                high = max(high, value)
            counts[m, min(max(int(value * bins), 0), bins - 1)] += 1
        minimum[m] = low
        maximum[m] = high
