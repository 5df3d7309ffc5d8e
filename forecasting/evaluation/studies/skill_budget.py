"""Where the champion's Brier loss lies, and how far the data here can take it: a benchmark, not a test.

    .venv/bin/python benchmarks/skill_budget.py [--backtest reports/backtest] [--model ensemble_bayes]
        [--out reports/skill_budget.md]

Reads ``predictions.csv.gz`` of the last comparison backtest (pre-primary money) and the central
table, and reports, for one model (default: the champion the scoreboard picks):

1. the loss budget: the model's summed squared error in member-vs-member pairings, in the defeats it
   ranked in its cycle's top 25, in the defeats it missed, and in the members who won, against the
   plain and the pairing-aware references;
2. skill by era: 2008-2016 (no pre-primary money in 2008, 2010, 2016 and only masked post-primary
   copies in most of 2012; no curated outside money or endorsements before 2018) and 2018-2024;
3. counterfactual bounds on the same predictions: every pairing called right, every pairing left at
   1/2, and what the rows without pairings would have to score for the skill targets;
4. pair proxies: for every member-vs-member primary 2002-2024 where one must lose, how often the
   member each pre-primary proxy favours (more receipts, more cash, longer tenure, ...) won;
5. the evidence each missed defeat (ranked below 25th, no pairing) carried on the day before its
   primary: the red flags a reporter would look for, as the table holds them for that date.

Nothing is refitted: (1)-(3) read the out-of-sample predictions, (4)-(5) the table's as-of view
(``forecasting.evaluation.backtest.backtest_view``, the one the backtest used).  Prints Markdown; ``--out`` writes it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.evaluation import metrics
from forecasting.evaluation.scoreboard import ROW_KEY, TARGETS
from forecasting.evaluation.tables import fmt, md_table

TOP_K = 25
#: the eras of the report: which folds had which evidence (README "Data")
ERAS = {"2008-2016": (2008, 2016), "2018-2024": (2018, 2024)}


def scored_rows(predictions: pd.DataFrame, model: str, money: str = "preprimary") -> pd.DataFrame:
    """One row per scored contest: ``y``, ``pairing``, the model's ``p`` and both references
    (``p_ref`` plain base rate, ``p_ref_pair`` pairing-aware), and ``rank`` of ``p`` in its cycle."""
    from forecasting.evaluation.scoreboard import _with_reference

    pre = _with_reference(predictions[predictions["money_mode"] == money])
    rows = pre[pre["model"] == model]
    if rows.empty:
        raise SystemExit(f"no {money} predictions of model {model!r}")
    out = rows[ROW_KEY + ["y", "pairing", "p_loss", "p_ref", "p_ref_pair"]].rename(columns={"p_loss": "p"})
    out["pairing"] = out["pairing"].astype("boolean").fillna(False).astype(bool)
    out["rank"] = out.groupby("cycle")["p"].rank(ascending=False, method="first").astype(int)
    return out.reset_index(drop=True)


def _se(y, p) -> float:
    return float(((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2).sum())


def _skills(rows: pd.DataFrame, p=None) -> dict:
    p = rows["p"] if p is None else p
    y = rows["y"]
    recall = metrics.recall_top_k_by_group(y.to_numpy(), np.asarray(p, dtype=float), rows["cycle"].to_numpy(), TOP_K)
    return {"brier_skill": 1 - _se(y, p) / _se(y, rows["p_ref"]),
            "brier_skill_pair": 1 - _se(y, p) / _se(y, rows["p_ref_pair"]),
            "recall_top25": recall}


def loss_budget(rows: pd.DataFrame) -> pd.DataFrame:
    """Summed squared error of the model and both references by part of the table."""
    lost = rows["y"] == 1
    parts = {
        "member-vs-member pairings (both members)": rows["pairing"],
        f"other defeats ranked in the cycle's top {TOP_K}": ~rows["pairing"] & lost & (rows["rank"] <= TOP_K),
        f"other defeats ranked below {TOP_K}th (the misses)": ~rows["pairing"] & lost & (rows["rank"] > TOP_K),
        "members who won (no pairing)": ~rows["pairing"] & ~lost,
    }
    total = _se(rows["y"], rows["p"])
    out = []
    for name, m in parts.items():
        g = rows[m]
        se = _se(g["y"], g["p"])
        out.append({"part": name, "rows": len(g), "defeats": int(g["y"].sum()), "model": se,
                    "base rate": _se(g["y"], g["p_ref"]), "pairing-aware": _se(g["y"], g["p_ref_pair"]),
                    "share of the model's loss": se / total, "mean p of the defeats":
                    float(g.loc[g["y"] == 1, "p"].mean()) if g["y"].any() else np.nan})
    out.append({"part": "all", "rows": len(rows), "defeats": int(rows["y"].sum()), "model": total,
                "base rate": _se(rows["y"], rows["p_ref"]), "pairing-aware": _se(rows["y"], rows["p_ref_pair"]),
                "share of the model's loss": 1.0, "mean p of the defeats": float(rows.loc[rows["y"] == 1, "p"].mean())})
    return pd.DataFrame(out)


def era_scores(rows: pd.DataFrame, eras: dict = ERAS) -> pd.DataFrame:
    """Skill against both references (90% cluster-bootstrap intervals) and recall, per era and pooled."""
    out = []
    for name, (lo, hi) in {**eras, "pooled": (-np.inf, np.inf)}.items():
        g = rows[rows["cycle"].between(lo, hi)]
        clusters = metrics.cluster_ids(g)
        s = _skills(g)
        ci = metrics.brier_skill_interval(g["y"], g["p"], g["p_ref"], clusters)
        ci_pair = metrics.brier_skill_interval(g["y"], g["p"], g["p_ref_pair"], clusters)
        out.append({"era": name, "rows": len(g), "defeats": int(g["y"].sum()),
                    "pairing defeats": int(g.loc[g["pairing"], "y"].sum()), **s,
                    "ci": ci, "ci_pair": ci_pair})
    return pd.DataFrame(out)


def counterfactuals(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Skill of the model's predictions with the pairings replaced; what the other rows would need."""
    pair = rows["pairing"].to_numpy()
    y = rows["y"].to_numpy(dtype=float)
    p = rows["p"].to_numpy(dtype=float)
    cases = {"as published": p,
             "every pairing called right (1 for the loser, 0 for the winner)": np.where(pair, y, p),
             "every pairing left at 1/2 (the pairing-aware reference's)": np.where(pair, 0.5, p)}
    table = pd.DataFrame([{"case": k, **_skills(rows, v)} for k, v in cases.items()])
    # the squared error the rows without pairings may keep for each target, pairings as published
    se_pair = _se(y[pair], p[pair])
    ref_rest = _se(y[~pair], rows["p_ref_pair"].to_numpy()[~pair])
    need = {}
    for metric, ref in (("brier_skill", "p_ref"), ("brier_skill_pair", "p_ref_pair")):
        allowed = (1 - TARGETS[metric]) * _se(y, rows[ref]) - se_pair
        need[metric] = 1 - allowed / ref_rest
    need["brier_skill_nopair_now"] = 1 - _se(y[~pair], p[~pair]) / ref_rest
    lost_in = metrics.recall_top_k_by_group(y, p, rows["cycle"].to_numpy(), TOP_K) * y.sum()
    need["defeats_in_top25_now"] = int(round(lost_in))
    need["defeats_in_top25_needed"] = int(np.ceil(TARGETS["recall_top25"] * y.sum()))
    return table, need


# ---- pre-primary evidence of the table's as-of view --------------------------------------------------

def _num(view: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(view[col], errors="coerce") if col in view.columns else pd.Series(np.nan, index=view.index)


#: proxy -> the value whose larger side is the proxy's favourite in a member-vs-member primary
PAIR_PROXIES = {
    "more pre-primary receipts": lambda v: _num(v, "inc_receipts"),
    "more pre-primary cash": lambda v: _num(v, "inc_cash"),
    "longer tenure": lambda v: _num(v, "tenure_years"),
    "younger": lambda v: -_num(v, "incumbent_age"),
    "further from the centre (Nokken-Poole, previous Congress)": lambda v: _num(v, "np_extremity")
    * np.where(v["party"].astype("string") == "R", 1.0, -1.0),
    "runs in the district number of their last primary": lambda v: (_num(v, "district") == _num(v, "prev_district"))
    .astype(float).where(_num(v, "prev_district").notna()),
    "Trump endorsed them (2018+)": lambda v: _num(v, "end_trump_for_inc"),
    "stronger last primary": lambda v: _num(v, "last_primary_share"),
}


def pair_proxies(view: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """For each proxy: pairs where the favourite won, lost, or the proxy could not tell (missing, tie)."""
    from forecasting.models.pairs import member_pairs

    known = view[view["lost"].notna()].reset_index(drop=True)
    groups = [g for g in member_pairs(known) if len(g) == 2]
    out = []
    for name, fn in PAIR_PROXIES.items():
        value = fn(known).to_numpy(dtype=float)
        right = wrong = undecided = 0
        for a, b in groups:
            va, vb = value[a], value[b]
            if np.isnan(va) or np.isnan(vb) or va == vb:
                undecided += 1
                continue
            fav = a if va > vb else b
            if known.loc[fav, "lost"] in (False, 0):
                right += 1
            else:
                wrong += 1
        out.append({"proxy": name, "favourite won": right, "favourite lost": wrong, "cannot tell": undecided})
    return pd.DataFrame(out), len(groups)


def senior_rule(view: pd.DataFrame, rows: pd.DataFrame) -> dict:
    """The best-looking proxy as a forecast, rolling origin: in each scored cycle's pairings the
    longer-serving member wins with the rate seen in earlier cycles' pairings (Laplace-smoothed; 1/2
    on a tie).  Returns its summed squared error on the scored pairings beside the model's."""
    from forecasting.models.pairs import member_pairs

    known = view[view["lost"].notna()].reset_index(drop=True)
    pairs = []
    for a, b in (g for g in member_pairs(known) if len(g) == 2):
        ta, tb = float(known.loc[a, "tenure_years"]), float(known.loc[b, "tenure_years"])
        senior = None if ta == tb or np.isnan(ta) or np.isnan(tb) else (a if ta > tb else b)
        pairs.append({"cycle": int(known.loc[a, "cycle"]), "rows": (a, b), "senior": senior,
                      "senior_won": None if senior is None else not bool(known.loc[senior, "lost"])})
    scored = set(rows["cycle"].unique())
    se = 0.0
    for pair in pairs:
        if pair["cycle"] not in scored:
            continue
        earlier = [q["senior_won"] for q in pairs if q["cycle"] < pair["cycle"] and q["senior"] is not None]
        p_senior_wins = (sum(earlier) + 1) / (len(earlier) + 2)
        for r in pair["rows"]:
            p_loss = 0.5 if pair["senior"] is None else (1 - p_senior_wins if r == pair["senior"] else p_senior_wins)
            se += (p_loss - float(known.loc[r, "lost"])) ** 2
    model = rows[rows["pairing"]]
    return {"rule": se, "model": _se(model["y"], model["p"]), "pairs": int(len(model) // 2)}


#: red flag -> rows where the table, as of the day before the primary, shows it
RED_FLAGS = {
    "challengers raised >= 1/4 of the member (pre-primary FEC)": lambda v: _num(v, "money_ratio") <= 0.8,
    "misconduct event in the 2 years before": lambda v: _num(v, "misconduct_n_2y") > 0,
    "Trump endorsed a challenger": lambda v: _num(v, "end_trump_against_inc") > 0,
    "an insurgent group endorsed a challenger": lambda v: _num(v, "end_insurgent_chal") > 0,
    "former member or state office holder in the field": lambda v: (_num(v, "chal_former_member") > 0)
    | (_num(v, "chal_state_office") > 0),
    "rematch of the last primary": lambda v: _num(v, "rematch") > 0,
    "new lines": lambda v: v["new_lines"].astype("boolean").fillna(False).astype(bool),
    "ran in another district last time": lambda v: _num(v, "district_switch") > 0,
    "last primary share below 65%": lambda v: _num(v, "last_primary_share") < 0.65,
    "party's 10% most moderate (previous Congress)": lambda v: _num(v, "np_moderate_pct") <= 0.10,
    "pro-Israel or curated outside money against": lambda v: (_num(v, "pi_fec_against_inc") > 0)
    | (_num(v, "os_against_inc") > 0),
}


def red_flags(view: pd.DataFrame) -> pd.DataFrame:
    """Boolean frame: each red flag on each row of ``view``."""
    return pd.DataFrame({name: fn(view).fillna(False).astype(bool) for name, fn in RED_FLAGS.items()},
                        index=view.index)


def miss_evidence(rows: pd.DataFrame, view: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The missed defeats with their red flags, and how common each flag is among all scored rows."""
    v = view.assign(_key=view[ROW_KEY].astype(str).agg("|".join, axis=1))
    flags = red_flags(v).set_index(v["_key"])
    flags = flags[~flags.index.duplicated()]
    keys = rows[ROW_KEY].astype(str).agg("|".join, axis=1)
    f = flags.reindex(keys).fillna(False).astype(bool).set_index(rows.index)
    miss = ~rows["pairing"] & (rows["y"] == 1) & (rows["rank"] > TOP_K)
    listed = rows.loc[miss, ["cycle", "state", "district", "incumbent", "p", "rank"]].copy()
    listed["red flags"] = [", ".join(c for c in f.columns if f.loc[i, c]) or "none" for i in listed.index]
    listed = listed.sort_values(["cycle", "rank"])
    lost = rows["y"] == 1
    rates = pd.DataFrame([{"red flag": c, "misses with it": int(f.loc[miss, c].sum()),
                           "defeats with it": int(f.loc[lost & ~rows["pairing"], c].sum()),
                           "members who won with it": int(f.loc[~lost & ~rows["pairing"], c].sum())}
                          for c in f.columns])
    return listed, rates


# ---- report --------------------------------------------------------------------------------------------

def report(backtest_dir: Path, model: str | None = None, note: str = "") -> str:
    from features.table.store import load_table
    from forecasting.evaluation import scoreboard as sb
    from forecasting.evaluation.backtest import backtest_view

    predictions = sb.read_predictions(backtest_dir)
    if predictions is None:
        sys.exit(f"{backtest_dir}: no predictions.csv.gz (run `primary-forecast backtest` first)")
    predictions = sb.at_horizon(predictions, "day_before")      # the budget of the day-before forecast
    model = model or sb.best_model(sb.scoreboard(predictions))
    rows = scored_rows(predictions, model)
    view = backtest_view(load_table(), "preprimary")
    budget = loss_budget(rows)
    eras = era_scores(rows)
    cf, need = counterfactuals(rows)
    proxies, n_pairs = pair_proxies(view)
    senior = senior_rule(view, rows)
    misses, rates = miss_evidence(rows, view)
    n_none = int((misses["red flags"] == "none").sum())

    lines = [f"# Skill budget of `{model}`: where the loss is, and what the data here can reach", "",
             f"`python benchmarks/skill_budget.py` on `{sb.predictions_path(backtest_dir)}` (pre-primary money, "
             "as of the day before each primary) and the table's as-of view. Nothing is refitted.", "",
             *([note, ""] if note else []),
             "## 1. Loss budget", "",
             "Summed squared error (Brier x rows) of the model and of the two references on each part of the "
             f"{len(rows):,} scored rows.", ""]
    lines += md_table(budget.rename(columns={"model": model})).splitlines()
    lines += ["", "## 2. By era", "",
              "2008-2016: no pre-primary FEC money in 2008, 2010 and 2016, and in 2012 mostly post-primary copies "
              "(masked); curated outside money and endorsements start in 2018. 2018-2024 has all of it. "
              "Brackets: 90% bootstrap intervals over whole cycle-districts.", "",
              "| era | rows | defeats | of them pairings | skill vs base rate (>= 0.30) | "
              "skill vs pairing-aware (>= 0.20) | recall top 25 (>= 0.75) |", "|---|---|---|---|---|---|---|"]
    for _, r in eras.iterrows():
        lines.append(f"| {r['era']} | {r['rows']} | {r['defeats']} | {r['pairing defeats']} | "
                     f"{fmt(r['brier_skill'])} [{fmt(r['ci'][0])}, {fmt(r['ci'][1])}] | "
                     f"{fmt(r['brier_skill_pair'])} [{fmt(r['ci_pair'][0])}, {fmt(r['ci_pair'][1])}] | "
                     f"{fmt(r['recall_top25'])} |")
    lines += ["", "## 3. Counterfactual bounds", "",
              "The model's own predictions with the pairings replaced (an oracle, not a forecast).", ""]
    lines += md_table(cf.rename(columns={"brier_skill": "skill vs base rate", "brier_skill_pair": "skill vs pairing-aware",
                                    "recall_top25": "recall top 25"})).splitlines()
    lines += ["", f"With the pairings as published, the rows without pairings would need skill "
              f"{fmt(need['brier_skill'])} against their base rate for the 0.30 target and "
              f"{fmt(need['brier_skill_pair'])} for the 0.20 target; they score {fmt(need['brier_skill_nopair_now'])}. "
              f"Recall: {need['defeats_in_top25_now']} defeats are in their cycle's top 25, the target needs "
              f"{need['defeats_in_top25_needed']}.", "",
              "## 4. Who wins a member-vs-member primary: the proxies in the table", "",
              f"All {n_pairs} member-vs-member primaries 2002-2024 where one of the two must lose (top-two and "
              "top-four excepted), as of the day before the primary. A proxy that could carry the pairings "
              "would name the winner far more often than half the time.", ""]
    lines += md_table(proxies).splitlines()
    lines += ["", f"The best of them as a forecast, rolling origin (the longer-serving member wins at the rate of "
              f"the earlier cycles' pairings): summed squared error {fmt(senior['rule'])} on the {senior['pairs']} "
              f"scored pairings, against the model's {fmt(senior['model'])} and the pairing-aware reference's "
              f"{fmt(0.5 * senior['pairs'])} (1/2 each)."]
    lines += ["", f"## 5. The misses: {len(misses)} defeats outside pairings ranked below {TOP_K}th", "",
              f"Red flags in the table as of the day before the primary. {n_none} of the {len(misses)} carry none.", ""]
    lines += md_table(misses.rename(columns={"p": "P(loss)"})).splitlines()
    lines += ["", "How common each flag is (rows without pairings): a flag the members who won carry as often "
              "as the defeated ones cannot lift the defeats without lifting the winners.", ""]
    lines += md_table(rates).splitlines()
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backtest", default="reports/backtest", help="folder with predictions.csv.gz")
    parser.add_argument("--model", default=None, help="model to analyse (default: the scoreboard's champion)")
    parser.add_argument("--note", default="", help="a paragraph under the heading (which run this is)")
    parser.add_argument("--out", default=None, help="write the Markdown here (e.g. reports/skill_budget.md)")
    args = parser.parse_args(argv)
    text = report(Path(args.backtest), args.model, args.note)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
