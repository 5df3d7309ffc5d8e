"""Ablation of the Bayesian hurdle model (``forecasting.models.bayes``) in the rolling-origin backtest.

Configurations (each backtested alone, as of the day before each primary, pre-primary money, the
comparison's sampler settings: nutpie, 1000 draws, 1000 tuning steps, 2 chains):

- ``current``: the features without the evidence families (``DEFAULT_FEATURES`` without ``EVIDENCE``);
- ``+evidence``: ideology (``np_extremity``, ``np_moderate_pct``), challenger quality
  (``chal_former_member``, ``chal_state_office``; share stage only) and FEC pro-Israel money
  (``log_pi_fec_against_inc``, ``log_pi_fec_for_inc``), the families in the logit/boosted defaults;
- ``... + pair rule``: the same posterior draws, with each member-vs-member primary's
  P(loss | contested) rescaled to sum to one loser (``forecasting.models.pairs``; a prediction-time
  rule, so it is scored on the same fits, not refitted);
- extra sampler variants given with ``--target-accept``.

Each run is fitted with ``pair_rule=False`` and its predictions and fold diagnostics saved under
``--save-dir`` (one CSV pair per configuration and cycle set), so runs of different cycle sets
combine; ``--report`` scores every saved run: pooled Brier skill against the base rate and the
pairing-aware reference, skill on rows without pairings, AUC, recall in each cycle's top 10 / 25,
per-fold skill and convergence (max R-hat, min bulk / tail ESS, divergences).

Run (about 3-6 min per fold on 2 cores):
``PYTHONPATH=. python benchmarks/ablation_bayes.py --run +evidence --cycles 2016 2018 2020 2022 2024``
then ``PYTHONPATH=. python benchmarks/ablation_bayes.py --report`` -> ``reports/ablation_bayes.md``.
``--reuse-comparison`` takes the ``current`` run from a comparison backtest folder
(``predictions.csv[.gz]`` / ``timings.csv``, model ``bayes``) instead of refitting it; the recorded
``current`` run (``reports/ablation_bayes/current_2008-2024.*``) is the comparison backtest of main
8ab5d03 (the Bayes defaults before this ablation), copied so that later comparisons do not replace it.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.constants import BACKTEST_CYCLES
from features.table.store import load_table
from forecasting.evaluation import metrics
from forecasting.evaluation.backtest import run_backtest
from forecasting.models import bayes
from forecasting.models.registry import make_model

EVIDENCE = ("np_extremity", "np_moderate_pct", "chal_former_member", "chal_state_office",
            "log_pi_fec_against_inc", "log_pi_fec_for_inc")
CURRENT = [f for f in bayes.DEFAULT_FEATURES if f not in EVIDENCE]
EVIDENCE_FEATURES = CURRENT + [f for f in EVIDENCE if f not in CURRENT]
#: the published defaults + Justice Democrats' endorsement of a challenger (share stage only: a ``*chal*``
#: feature; 2018+, so it can only matter in the 2020-2024 folds)
DEFAULTS_JD = list(bayes.DEFAULT_FEATURES) + ["end_jd_chal"]
FEATURE_SETS = {"current": CURRENT, "+evidence": EVIDENCE_FEATURES, "defaults+jd": DEFAULTS_JD}
SAMPLER = {"draws": 1000, "tune": 1000, "chains": 2, "target_accept": 0.85, "sampler": "nutpie"}
SEED = 20260101
KEY = ["cycle", "state", "district", "party"]
ID = KEY + ["incumbent"]
DIAG = ["diag_max_rhat", "diag_min_ess_bulk", "diag_min_ess_tail", "diag_divergences", "fit_seconds"]


def run_name(features: str, target_accept: float) -> str:
    return features if target_accept == SAMPLER["target_accept"] else f"{features} ta={target_accept:g}"


def factory(features: str, target_accept: float):
    sampler = {**SAMPLER, "target_accept": target_accept}
    return lambda: make_model("bayes", features=list(FEATURE_SETS[features]), sampler_config=sampler,
                              random_seed=SEED, pair_rule=False)


def run(features: str, target_accept: float, cycles: list[int], save_dir: Path) -> Path:
    """Backtest one configuration; save its (and the references') predictions and the timings."""
    table = load_table()
    t0 = time.perf_counter()
    res = run_backtest(table, {"bayes": factory(features, target_accept)}, money_modes=["preprimary"],
                       cycles=cycles,
                       progress=lambda msg: print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True))
    name = run_name(features, target_accept)
    tag = f"{name.replace(' ', '_').replace('+', 'plus_').replace('=', '')}_{min(cycles)}-{max(cycles)}"
    save_dir.mkdir(parents=True, exist_ok=True)
    pred = res.predictions.drop(columns=["row"], errors="ignore").assign(config=name)
    pred.to_csv(save_dir / f"{tag}.predictions.csv", index=False)
    res.timings.assign(config=name, minutes=(time.perf_counter() - t0) / 60).to_csv(
        save_dir / f"{tag}.timings.csv", index=False)
    return save_dir / f"{tag}.predictions.csv"


def with_pair_rule(pred: pd.DataFrame) -> pd.DataFrame:
    """The pair rule applied to saved predictions (``forecasting.models.pairs.apply_pair_rule`` on the
    rows the backtest flags ``pairing``, which are ``member_pairs`` of the fold's test view)."""
    out = pred.copy()
    pairing = (out["pairing"].astype("boolean").fillna(False).to_numpy(dtype=bool)
               & (out["model"] == "bayes").to_numpy())            # the references keep their own rule
    plc = out["p_loss_if_contested"].to_numpy(dtype=float).copy()
    keys = out[KEY].astype(str).agg("|".join, axis=1).to_numpy()
    for key in pd.unique(keys[pairing]):
        members = np.flatnonzero(pairing & (keys == key))
        k, total = len(members), plc[members].sum()
        plc[members] = np.clip(plc[members] * (k - 1) / total, 0, 1) if total > 0 else (k - 1) / k
    out.loc[pairing, "p_loss_if_contested"] = plc[pairing]
    out.loc[pairing, "p_loss"] = out.loc[pairing, "p_contested"].to_numpy(dtype=float) * plc[pairing]
    return out


def load_runs(save_dir: Path, comparison: Path | None) -> tuple[dict, pd.DataFrame]:
    """Saved runs: config -> predictions (bayes and the references), and all fold timings."""
    preds, times = {}, []
    if comparison is not None:
        from forecasting.evaluation.scoreboard import at_horizon, read_predictions
        p = at_horizon(read_predictions(comparison), "day_before")      # predictions.csv(.gz)
        p = p[(p["money_mode"] == "preprimary") & p["model"].isin(["bayes", "base_rate", "pair_base_rate"])]
        preds.setdefault("current", []).append(p)
        t = pd.read_csv(comparison / "timings.csv")
        times.append(t[(t["model"] == "bayes") & (t["money_mode"] == "preprimary")].assign(config="current"))
    for path in sorted(save_dir.glob("*.predictions.csv")):
        p = pd.read_csv(path)
        preds.setdefault(p["config"].iloc[0], []).append(p.drop(columns=["config"]))
        t = pd.read_csv(path.with_name(path.name.replace(".predictions.", ".timings.")))
        times.append(t[t["model"] == "bayes"])
    out = {}
    for name, parts in preds.items():
        p = pd.concat(parts, ignore_index=True)
        out[name] = p.drop_duplicates(subset=["model"] + ID, keep="last")
    return out, pd.concat(times, ignore_index=True) if times else pd.DataFrame()


def score_run(p: pd.DataFrame, cycles: list[int]) -> tuple[dict, pd.DataFrame]:
    """Pooled scores and per-fold skill of the bayes rows of ``p`` on ``cycles``."""
    p = p[p["cycle"].astype(int).isin(cycles) & p["y"].notna()]
    ref = p[p["model"] == "base_rate"].set_index(ID)["p_loss"]
    pref = p[p["model"] == "pair_base_rate"].set_index(ID)["p_loss"]
    b = p[p["model"] == "bayes"].copy()
    idx = pd.MultiIndex.from_frame(b[ID])
    b["p_ref"], b["p_pair"] = ref.reindex(idx).to_numpy(), pref.reindex(idx).to_numpy()
    s = metrics.score(b, b["p_ref"].to_numpy())
    nopair = ~b["pairing"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    pooled = {"cycles": f"{min(cycles)}-{max(cycles)}", "n": s["n"], "n_lost": s["n_lost"], "brier": s["brier"],
              "skill_vs_base": s["brier_skill"],
              "skill_vs_pair_ref": metrics.brier_skill(b["y"], b["p_loss"], b["p_pair"]),
              "skill_no_pairs": metrics.brier_skill(b["y"][nopair], b["p_loss"][nopair], b["p_ref"][nopair]),
              "auc": s["auc"], "recall_top10": s["recall_top10"], "recall_top25": s["recall_top25"],
              "share_mae": s["share_mae"], "share_cov80": s["share_cov80"],
              "mean_p_loss": float(b["p_loss"].mean()), "loss_rate": float(b["y"].mean())}
    folds = b.groupby("cycle").apply(lambda g: pd.Series({
        "skill": metrics.brier_skill(g["y"], g["p_loss"], g["p_ref"]),
        "skill_vs_pair_ref": metrics.brier_skill(g["y"], g["p_loss"], g["p_pair"])}), include_groups=False)
    return pooled, folds


def markdown(df: pd.DataFrame) -> str:
    def cell(v):
        return f"{v:.3f}" if isinstance(v, (float, np.floating)) else str(v)
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule] + body)


def report(save_dir: Path, comparison: Path | None, out_path: Path, notes: Path | None = None) -> str:
    runs, times = load_runs(save_dir, comparison)
    pooled_rows, fold_rows = [], []
    for name, p in runs.items():
        have = sorted(set(p.loc[p["model"] == "bayes", "cycle"].astype(int)))
        cycle_sets = [have]
        late = [c for c in have if c >= 2016]
        if late and late != have:
            cycle_sets.append(late)
        for variant, frame in ((name, p), (f"{name} + pair rule", with_pair_rule(p))):
            for cycles in cycle_sets:
                pooled, folds = score_run(frame, cycles)
                pooled_rows.append({"config": variant, **pooled})
                if cycles is have:
                    for cyc, f in folds.iterrows():
                        fold_rows.append({"config": variant, "cycle": int(cyc), **f.to_dict()})
    pooled = pd.DataFrame(pooled_rows).sort_values(["cycles", "config"], ascending=[False, True])
    folds = pd.DataFrame(fold_rows)
    skill = folds.pivot(index="config", columns="cycle", values="skill").reset_index()
    skill.columns = [str(c) for c in skill.columns]
    diag = times.copy()
    diag["cycle"] = diag["cycle"].astype(int)
    diag = diag.drop_duplicates(subset=["config", "cycle"], keep="last").sort_values(["config", "cycle"])
    diag = diag[["config", "cycle", *DIAG]]
    diag["converged"] = (diag["diag_max_rhat"] < 1.01) & (diag["diag_min_ess_bulk"] >= 400) \
        & (diag["diag_divergences"] == 0)
    lines = ["# Bayesian hurdle model: ablation (issue #9)", "",
             "`bayes` alone, rolling origin, as of the day before each primary, pre-primary money; nutpie, "
             "1000 draws, 1000 tuning steps, 2 chains unless the config names another `target_accept`. Skill "
             "against the base rate fitted in the same fold; `skill_vs_pair_ref` against the pairing-aware "
             "reference `pair_base_rate`; `skill_no_pairs` on rows without member-vs-member pairings. "
             "`+ pair rule`: the same fits, each member pair's P(loss | contested) rescaled to one loser. "
             "Generated by `benchmarks/ablation_bayes.py`.", "",
             "## Pooled", "", markdown(pooled), "",
             "## Brier skill against the base rate, per fold", "", markdown(skill), "",
             "## Convergence per fold", "",
             "`converged`: max R-hat < 1.01, min bulk ESS >= 400, no divergences.", "",
             markdown(diag), ""]
    if notes is not None and notes.exists():
        lines += [notes.read_text().rstrip(), ""]
    text = "\n".join(lines)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text)
    pooled.to_csv(out_path.with_suffix(".csv"), index=False)
    return text


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", choices=sorted(FEATURE_SETS), help="feature set to backtest")
    ap.add_argument("--target-accept", type=float, default=SAMPLER["target_accept"])
    ap.add_argument("--cycles", type=int, nargs="*", default=list(BACKTEST_CYCLES))
    ap.add_argument("--save-dir", type=Path, default=Path("reports/ablation_bayes"))
    ap.add_argument("--report", action="store_true", help="score every saved run")
    ap.add_argument("--reuse-comparison", type=Path, nargs="?", const=Path("reports/backtest"), default=None,
                    help="take `current` from a comparison backtest folder (model bayes)")
    ap.add_argument("--notes", type=Path, default=None, help="Markdown appended to the report (the reading)")
    ap.add_argument("--out", type=Path, default=Path("reports/ablation_bayes.md"))
    args = ap.parse_args(argv)
    if args.run:
        print(run(args.run, args.target_accept, args.cycles, args.save_dir))
    if args.report:
        print(report(args.save_dir, args.reuse_comparison, args.out, args.notes))


if __name__ == "__main__":
    main()
