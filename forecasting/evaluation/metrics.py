"""Scores for probabilistic forecasts of rare events and for vote-share intervals.

All functions take plain arrays: ``y`` (0/1 outcome), ``p`` (forecast probability), shares as
fractions.  Rows with a missing outcome must be removed by the caller.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score

LOG_LOSS_EPS = 1e-4     # a forecast of exactly 0 that happens costs log(1e-4) ~ 9.2 nats, not infinity


def _arrays(y, p) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"y and p differ in shape: {y.shape} vs {p.shape}")
    return y, p


def brier(y, p) -> float:
    """Mean squared error of the probability."""
    y, p = _arrays(y, p)
    return float(np.mean((p - y) ** 2)) if len(y) else float("nan")


def log_loss(y, p, eps: float = LOG_LOSS_EPS) -> float:
    """Mean negative log-likelihood (natural log), probabilities clipped to [eps, 1-eps]."""
    y, p = _arrays(y, p)
    if not len(y):
        return float("nan")
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def brier_skill(y, p, p_ref) -> float:
    """1 - Brier(p) / Brier(p_ref): 0 = no better than the reference, 1 = perfect."""
    ref = brier(y, p_ref)
    return float(1 - brier(y, p) / ref) if ref > 0 else float("nan")


def auc(y, p) -> float:
    """Area under the ROC curve (NaN when only one class is present)."""
    y, p = _arrays(y, p)
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, p))


def recall_top_k(y, p, k: int) -> float:
    """Share of actual losers among the ``k`` highest forecasts.

    Ties at the cut-off get fractional credit (the expected recall when ties are broken at
    random), so a constant forecast scores k/n, not an arbitrary order's luck.
    """
    y, p = _arrays(y, p)
    n_pos = y.sum()
    if n_pos == 0:
        return float("nan")
    return float(_hits_top_k(y, p, k) / n_pos)


def _hits_top_k(y: np.ndarray, p: np.ndarray, k: int) -> float:
    if k >= len(p):
        return float(y.sum())
    threshold = np.sort(p)[::-1][k - 1]
    above = p > threshold
    tied = p == threshold
    slots = k - above.sum()
    return float(y[above].sum() + y[tied].sum() * slots / tied.sum())


def recall_top_k_by_group(y, p, groups, k: int) -> float:
    """Pooled recall@k where the top ``k`` is taken within each group (each cycle's list)."""
    y, p = _arrays(y, p)
    groups = np.asarray(groups)
    if y.sum() == 0:
        return float("nan")
    hits = sum(_hits_top_k(y[groups == g], p[groups == g], k) for g in np.unique(groups))
    return float(hits / y.sum())


def share_mae(share, share_p50) -> float:
    """Mean absolute error of the median share forecast."""
    share, pred = _arrays(share, share_p50)
    return float(np.mean(np.abs(pred - share))) if len(share) else float("nan")


def share_coverage(share, lower, upper) -> float:
    """Share of actual values inside [lower, upper] (80% interval: p10-p90)."""
    share = np.asarray(share, dtype=float)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if not len(share):
        return float("nan")
    return float(np.mean((share >= lower - 1e-9) & (share <= upper + 1e-9)))


#: reliability bins that spread the low end, where nearly every forecast of a rare event lies
LOW_END_EDGES = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)


def reliability_table(y, p, n_bins: int = 10, band: float = 0.90, edges=None) -> pd.DataFrame:
    """Calibration by probability bins (``n_bins`` of equal width, or the given ``edges``), each race
    counted once.

    Returns one row per bin (empty bins included): ``bin``, ``lower``, ``upper``, ``n``, ``mean_p``,
    ``observed`` (event rate), ``events``, and the ``band`` binomial band of the observed rate if
    the forecasts were calibrated (``band_low``, ``band_high``: quantiles of Binomial(n, mean_p)/n),
    and ``in_band``.
    """
    y, p = _arrays(y, p)
    edges = np.linspace(0, 1, n_bins + 1) if edges is None else np.asarray(edges, dtype=float)
    n_bins = len(edges) - 1
    idx = np.clip(np.digitize(p, edges[1:-1], right=False), 0, n_bins - 1)
    rows = []
    alpha = (1 - band) / 2
    for b in range(n_bins):
        sel = idx == b
        n = int(sel.sum())
        if n:
            mean_p, events = float(p[sel].mean()), float(y[sel].sum())
            lo = stats.binom.ppf(alpha, n, mean_p) / n
            hi = stats.binom.ppf(1 - alpha, n, mean_p) / n
            observed = events / n
            in_band = bool(lo - 1e-12 <= observed <= hi + 1e-12)
        else:
            mean_p = events = observed = lo = hi = float("nan")
            in_band = pd.NA
        rows.append({"bin": b, "lower": edges[b], "upper": edges[b + 1], "n": n, "mean_p": mean_p,
                     "observed": observed, "events": events, "band_low": lo, "band_high": hi,
                     "in_band": in_band})
    out = pd.DataFrame(rows)
    out["in_band"] = out["in_band"].astype("boolean")
    return out


def score(frame: pd.DataFrame, p_ref=None) -> dict[str, float]:
    """All scores of one set of forecasts.

    ``frame`` needs ``y`` (0/1), ``p_loss``, ``cycle``, and for the share scores ``share``
    (NaN where not scored), ``share_p10``, ``share_p50``, ``share_p90``.  ``p_ref`` is the
    reference forecast of the Brier skill score (aligned with ``frame``).
    """
    y, p = frame["y"].to_numpy(dtype=float), frame["p_loss"].to_numpy(dtype=float)
    has_share = frame["share"].notna().to_numpy()
    s = frame.loc[has_share]
    out = {
        "n": int(len(frame)), "n_lost": int(y.sum()), "n_share": int(has_share.sum()),
        "brier": brier(y, p), "log_loss": log_loss(y, p),
        "brier_skill": brier_skill(y, p, p_ref) if p_ref is not None else float("nan"),
        "auc": auc(y, p),
        "recall_top10": recall_top_k_by_group(y, p, frame["cycle"].to_numpy(), 10),
        "recall_top25": recall_top_k_by_group(y, p, frame["cycle"].to_numpy(), 25),
        "share_mae": share_mae(s["share"], s["share_p50"]),
        "share_cov80": share_coverage(s["share"], s["share_p10"], s["share_p90"]),
    }
    return out


BOOTSTRAP_DRAWS = 2000
BOOTSTRAP_LEVEL = 0.90
BOOTSTRAP_SEED = 20260


def cluster_ids(frame: pd.DataFrame, columns=("cycle", "state", "district")) -> np.ndarray:
    """Integer cluster id per row from the values of ``columns`` (default: one cycle-district)."""
    key = pd.MultiIndex.from_frame(frame[list(columns)].astype(str))
    return pd.factorize(key)[0]


def brier_skill_interval(y, p, p_ref, clusters=None, n_boot: int = BOOTSTRAP_DRAWS,
                         level: float = BOOTSTRAP_LEVEL, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile bootstrap interval of the pooled Brier skill score ``1 - sum(se) / sum(se_ref)``.

    Whole clusters are resampled with replacement (``clusters``: one id per row, e.g.
    ``cluster_ids`` by cycle-district, so the two members of a member-vs-member primary stay
    together); ``clusters=None`` resamples rows.  Forecast and reference are resampled together
    (paired).  Seeded: the same inputs and seed give the same interval.

    Returns
    -------
    (low, high) : the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles (NaN when the
    reference has zero error in a draw's whole sample, i.e. never in practice).
    """
    y, p = _arrays(y, p)
    _, r = _arrays(y, p_ref)
    if not len(y):
        return float("nan"), float("nan")
    ids = np.arange(len(y)) if clusters is None else pd.factorize(np.asarray(clusters))[0]
    n_clusters = int(ids.max()) + 1
    se = np.bincount(ids, weights=(p - y) ** 2, minlength=n_clusters)
    se_ref = np.bincount(ids, weights=(r - y) ** 2, minlength=n_clusters)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_clusters, size=(n_boot, n_clusters))
    num, den = se[draws].sum(axis=1), se_ref[draws].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        skill = np.where(den > 0, 1 - num / den, np.nan)
    skill = skill[np.isfinite(skill)]
    if not len(skill):
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    lo, hi = np.quantile(skill, [alpha, 1 - alpha])
    return float(lo), float(hi)
