"""The hurdle model's posterior predictive: P(loss | contested) under each election rule, integrated
over the share noise and the field with common random numbers (one stream per group label)."""
from __future__ import annotations

import zlib

import numpy as np
from scipy import special, stats

_CHUNK = 128          # rows per vectorised block of the posterior predictive


def _loss_probability(ls, s, post, rule, k, u_split, logk_mean, allcand_k) -> np.ndarray:
    """P(loss | posterior draw, replicate share).

    Arrays are (rows, D, R); all rows share ``rule`` and ``k``.
    ``k``: number of challengers if known (else NaN); ``u_split``: common uniforms (4, D, R);
    ``allcand_k``: typical number of other candidates in an all-candidate primary (k unknown).
    """
    kind = rule["kind"]

    def par(name):                                      # a posterior vector as (1, D, 1)
        return post[name][None, :, None]

    if np.isfinite(k):
        p1 = np.full(ls.shape, float(k == 1))
    else:
        p1 = special.expit(par("single_intercept") + par("single_slope") * (ls - 1.0)
                           + par("single_all_candidate") * float(rule["all_candidate"]))

    def split_ab(logk, where=None):
        """Beta parameters of the top challenger's fraction (at the ``where`` elements, if given)."""
        m = special.expit(par("split_intercept") + par("split_slope") * (ls - 1.0)
                          + par("split_logk") * (logk - logk_mean))
        phi = np.broadcast_to(par("split_phi"), m.shape)
        if where is not None:
            m, phi = m[where], phi[where]
        return m * phi, (1 - m) * phi

    def uniforms(level, where):
        return np.broadcast_to(u_split[level], s.shape)[where]

    # the special functions are evaluated only where a loss is possible at all (s < 1/2, 1/3, 1/5)
    if kind in ("top_two", "top_four"):
        # eliminated iff `ahead` others all finish above the incumbent: break the non-incumbent
        # vote with the split model (largest, then the largest of the rest, ...)
        ahead = 2 if kind == "top_two" else 4
        others = int(k) if np.isfinite(k) else int(allcand_k)
        beaten = np.zeros(s.shape)
        possible = s < 1.0 / (ahead + 1)
        if others < ahead or not possible.any():
            return beaten
        sm = s[possible]
        pool, lowest = 1 - sm, np.full(sm.shape, np.inf)
        for level in range(ahead):
            remaining = others - level
            f = (special.betaincinv(*split_ab(np.log(remaining - 1), possible), uniforms(level, possible))
                 if remaining >= 2 else np.ones(sm.shape))
            t = f * pool
            lowest, pool = np.minimum(lowest, t), pool - t
        beaten[possible] = sm < lowest
        return beaten if np.isfinite(k) else (1 - p1) * beaten

    logk = np.log(k - 1) if (np.isfinite(k) and k >= 2) else logk_mean
    possible = s < 0.5
    if kind == "plurality":
        multi = np.zeros(s.shape)                                    # lost iff f > s / (1 - s)
        if possible.any():
            sm = s[possible]
            multi[possible] = special.betaincc(*split_ab(logk, possible), sm / (1 - sm))
        return p1 * possible + (1 - p1) * multi

    thr = rule["threshold"]
    delta, sd_r = par("runoff_delta"), par("runoff_sigma")
    f_multi = np.zeros(s.shape)          # s >= 1/2 wins outright whatever the split (t <= 1 - s)
    if possible.any():
        f_multi[possible] = special.betaincinv(*split_ab(logk, possible), uniforms(0, possible))

    def runoff_loss(t):
        win_outright = (s >= thr) & (s > t)
        lose_outright = ((t > s) & (t >= thr)) | (s < 1 - s - t)     # a challenger majority / third place
        pair = np.clip(s / (s + t), 1e-6, 1 - 1e-6)
        p_runoff_loss = stats.norm.cdf(-(special.logit(pair) + delta) / sd_r)
        return np.where(win_outright, 0.0, np.where(lose_outright, 1.0, p_runoff_loss))

    return p1 * runoff_loss(1 - s) + (1 - p1) * runoff_loss(f_multi * (1 - s))


def _label_rng(seed: int, effect: str, label: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(effect.encode()), zlib.crc32(str(label).encode())])
