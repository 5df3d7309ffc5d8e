"""How many incumbents will lose: the number of defeats in a cycle, with a cycle-level shock.

Per-row probabilities treat the rows of a cycle as independent, but cycles differ as a whole
(2012 and 2022 lost 14 and 15 members, 2004 and 2006 two each): a wave moves every race at once.
The count is modelled with a shared shift of every row's log-odds,

    P(row i loses | u) = expit(logit(p_i) + c(sigma) + u),    u ~ Normal(0, sigma^2),

where the offset c(sigma) keeps the expected count at sum(p_i) (the per-race probabilities are
calibrated marginals; the shock only makes the races move together), and ``sigma`` (the cycle effect's scale) is learned from how the forecast's own past cycles
missed: its posterior on a grid (half-normal prior, scale ``PRIOR_SCALE``) given, for each earlier
cycle, the out-of-sample probabilities of that cycle and the number who lost.  The count's
distribution integrates over ``sigma``'s posterior and ``u`` (Gauss-Hermite nodes) of the exact
Poisson-binomial distribution of the independent rows given the shift.  No simulation noise: the
same inputs give the same interval on any machine.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

PRIOR_SCALE = 0.5                       # half-normal prior scale of sigma (logit units)
SIGMA_GRID = np.linspace(0.0, 2.0, 41)
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(21)     # E[f(Z)], Z ~ N(0, 1)
_GH_W = _GH_W / _GH_W.sum()
INTERVAL = (0.10, 0.90)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(p) - np.log1p(-p)


MAX_COUNT = 80                          # counts above this have negligible probability in any cycle


def poisson_binomial(p: np.ndarray, max_count: int = MAX_COUNT) -> np.ndarray:
    """P(K = k), k = 0..max_count, for independent Bernoulli(p_i); ``p`` is (n,) or (m, n) (one
    distribution per row of ``p``).  Exact by convolution, truncated at ``max_count``."""
    P = np.atleast_2d(np.asarray(p, dtype=float))
    dist = np.zeros((P.shape[0], max_count + 1))
    dist[:, 0] = 1.0
    for i in range(P.shape[1]):
        pi = P[:, i:i + 1]
        dist[:, 1:] = dist[:, 1:] * (1 - pi) + dist[:, :-1] * pi
        dist[:, :1] *= 1 - pi
    return dist[0] if np.ndim(p) == 1 else dist


def _centre(z: np.ndarray, target: float) -> np.ndarray:
    """Per sigma of ``SIGMA_GRID``, the offset c with E[sum_i expit(z_i + c + sigma Z)] = ``target``
    (Newton's method): the shock moves the races together without moving the expected count."""
    c = np.zeros(len(SIGMA_GRID))
    for _ in range(30):
        q = special.expit(z[None, None, :] + c[:, None, None] + SIGMA_GRID[:, None, None] * _GH_X[None, :, None])
        f = np.einsum("gni,n->g", q, _GH_W) - target
        df = np.einsum("gni,n->g", q * (1 - q), _GH_W)
        step = f / np.maximum(df, 1e-12)
        c = c - step
        if np.max(np.abs(step)) < 1e-10:
            break
    return c


def _by_sigma(p: np.ndarray) -> np.ndarray:
    """P(K = k | sigma) for every sigma of ``SIGMA_GRID``: (grid, MAX_COUNT + 1), integrated over the
    shared shift u = c(sigma) + sigma * Z by Gauss-Hermite quadrature; c(sigma) keeps the expected count
    at sum(p), so the per-race probabilities stay what the model says (calibrated marginals) and the
    shock only makes the races move together."""
    z = _logit(p)
    z = z[:, None] + _centre(z, float(np.clip(p, 1e-9, 1 - 1e-9).sum()))[None, :]     # (n, grid)
    shifts = (SIGMA_GRID[:, None] * _GH_X[None, :])                      # (grid, nodes)
    probs = special.expit(z.T[:, None, :] + shifts[:, :, None])           # (grid, nodes, n)
    dist = poisson_binomial(probs.reshape(-1, len(p)))
    dist = dist.reshape(len(SIGMA_GRID), len(_GH_X), -1)
    return np.einsum("gnk,n->gk", dist, _GH_W)


def _log_likelihood(by_sigma: np.ndarray, lost: int) -> np.ndarray:
    """Log P(K = lost | sigma) over ``SIGMA_GRID``, from a cycle's ``_by_sigma``."""
    return np.log(np.clip(by_sigma[:, min(int(lost), MAX_COUNT)], 1e-300, None))


def _posterior(log_likelihoods: list[np.ndarray], prior_scale: float = PRIOR_SCALE) -> np.ndarray:
    log_post = stats.halfnorm.logpdf(SIGMA_GRID, scale=prior_scale)
    for like in log_likelihoods:
        log_post = log_post + like
    w = np.exp(log_post - log_post.max())
    return w / w.sum()


def sigma_posterior(history: list[tuple[np.ndarray, int]], prior_scale: float = PRIOR_SCALE) -> np.ndarray:
    """Posterior weights of ``SIGMA_GRID`` given earlier cycles' (probabilities, defeats)."""
    return _posterior([_log_likelihood(_by_sigma(np.asarray(p, dtype=float)), lost) for p, lost in history],
                      prior_scale)


def _mix(by_sigma: np.ndarray, sigma_weights: np.ndarray) -> np.ndarray:
    out = np.asarray(sigma_weights, dtype=float) @ by_sigma
    return out / out.sum()


def count_distribution(p: np.ndarray, sigma_weights: np.ndarray) -> np.ndarray:
    """P(K = k) of a cycle's defeats, integrated over sigma's posterior weights."""
    return _mix(_by_sigma(np.asarray(p, dtype=float)), sigma_weights)


def summarise(dist: np.ndarray, interval=INTERVAL) -> dict:
    """Expected count, the interval's ends (the smallest k whose cumulative probability reaches each
    level), and the distribution's cumulative function."""
    k = np.arange(len(dist))
    cdf = np.cumsum(dist)
    lo = int(np.searchsorted(cdf, interval[0] - 1e-12))
    hi = int(np.searchsorted(cdf, interval[1] - 1e-12))
    return {"expected_lost": float((k * dist).sum()), "lost_p10": lo, "lost_p90": hi}


def cycle_counts(pred: pd.DataFrame, p_col: str = "p_loss", y_col: str = "y",
                 cycle_col: str = "cycle") -> pd.DataFrame:
    """Per cycle of one model's out-of-sample predictions (one horizon, one money mode): the expected
    number of defeats, its 80% interval with sigma learned from the earlier cycles only (the rolling
    origin: the first cycle uses the prior alone), the actual count, and whether it is covered."""
    rows = []
    earlier: list[np.ndarray] = []          # each earlier cycle's log-likelihood of sigma, computed once
    for cycle, g in sorted(pred.groupby(cycle_col), key=lambda kv: int(kv[0])):
        p = g[p_col].to_numpy(dtype=float)
        lost = int(np.nansum(g[y_col].to_numpy(dtype=float)))
        by_sigma = _by_sigma(p)
        s = summarise(_mix(by_sigma, _posterior(earlier)))
        rows.append({"cycle": int(cycle), "n_lost": lost, **s, "sigma_cycles": len(earlier),
                     "covered80": bool(s["lost_p10"] <= lost <= s["lost_p90"])})
        earlier.append(_log_likelihood(by_sigma, lost))
    return pd.DataFrame(rows)


def live_count(p: np.ndarray, history: list[tuple[np.ndarray, int]]) -> dict:
    """Expected defeats and 80% interval for a live cycle, sigma learned from ``history`` (the
    backtest's out-of-sample cycles at the same horizon)."""
    return summarise(count_distribution(np.asarray(p, dtype=float), sigma_posterior(history)))


def history_from_predictions(pred: pd.DataFrame, model: str, horizon: str, money: str = "preprimary",
                             p_col: str = "p_loss") -> list[tuple[np.ndarray, int]]:
    """The (probabilities, defeats) of every backtest cycle of ``model`` at ``horizon``."""
    g = pred[(pred["model"] == model) & (pred["money_mode"] == money)]
    if "horizon" in g.columns:
        g = g[g["horizon"] == horizon]
    return [(c[p_col].to_numpy(dtype=float), int(np.nansum(c["y"].to_numpy(dtype=float))))
            for _, c in sorted(g.groupby("cycle"), key=lambda kv: int(kv[0]))]
