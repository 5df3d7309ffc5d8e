"""Ablation of the evidence families (ideology, challenger quality, pro-Israel money, misconduct) in the rolling-origin backtest.

For each configuration (the current features; + each evidence family alone; all of them) the
ensemble (logit + boosted, the published champion's settings) is backtested 2008-2024 as of the day
before each primary with pre-primary money, and scored pooled: Brier skill against the base rate,
Brier skill against a pairing-aware reference (the base rate, with 1/2 for each member of a
member-vs-member primary once the field is known: one of the two must lose; the project's
``pair_base_rate`` model where the backtest provides it), AUC, recall of losers
among each cycle's 25 highest-risk incumbents.  It also lists the defeats the current features rank
below 25th in their cycle ("misses") and which of them each family brings into the top 25.

With ``--on-defaults`` the baseline is the published defaults instead, and the previous-primary
families (``NEW_FAMILIES``: challenger history, district switch, rematch, ideology x party) are added
to it alone, all together, and in the ``--combos`` given ('challenger_history+rematch').

Run: ``PYTHONPATH=. python benchmarks/ablation_evidence.py [--cycles 2012 2014 ...] [--out reports/ablation_evidence.md]``
``[--on-defaults [--families FAMILY ...] [--combos A+B ...]]``
(about 2-4 min per configuration on 2 cores).  The output is recorded in ``reports/``.

Measured families (``MEASURED_FAMILIES``, e.g. J Street PAC money) are not among the four: they are
scored alone (``+family``, on the features without evidence) and on the published defaults
(``defaults`` = ideology, challenger quality, FEC pro-Israel money and, since 2026-12-04, the rematch;
``defaults + family``), never
inside the "all evidence" / leave-one-out rows, whose meaning stays fixed.  ``--section NAME
--configs ...`` runs only the named configurations and writes them as their own section of the report
(replacing a section of that name, keeping every other line) and merges their rows into the CSV by
config name, so one family can be measured without re-running (or overwriting) the others.
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
from features.view.matrix import DEFAULT_GROUPS, FEATURES
from forecasting.evaluation import metrics
from forecasting.evaluation.backtest import run_backtest
from forecasting.models import logit as logit_mod
from forecasting.models.registry import make_model

#: evidence family -> (feature groups for the boosted member, extra logit features of P(loss | contested)
#: and the share, extra logit features of P(contested)); field-like families never enter P(contested)
FAMILIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "ideology": (("ideology",), ("np_extremity", "np_moderate_pct"), ("np_extremity", "np_moderate_pct")),
    "misconduct": (("misconduct",), ("misconduct_serious_4y", "misconduct_n_2y"),
                   ("misconduct_serious_4y", "misconduct_n_2y")),
    "challenger_quality": (("challenger_quality",), ("chal_former_member", "chal_state_office"), ()),
    "outside_money_fec": (("outside_money_fec",), ("log_pi_fec_against_inc", "log_pi_fec_for_inc"),
                          ("log_pi_fec_against_inc", "log_pi_fec_for_inc")),
    # J Street PAC primary money, its own columns (features.evidence.pro_israel_money): measured, not a default
    "outside_money_jstreet": (("outside_money_jstreet",), ("log_js_fec_against_inc", "log_js_fec_for_inc"),
                              ("log_js_fec_against_inc", "log_js_fec_for_inc")),
    # NORPAC's contributions, their own columns (features.evidence.pro_israel_money): measured, not a default
    "outside_money_norpac": (("outside_money_norpac",), ("log_norpac_fec_against_inc", "log_norpac_fec_for_inc"),
                             ("log_norpac_fec_against_inc", "log_norpac_fec_for_inc")),
}
#: families measured alone and on the defaults, outside the "all evidence" combinations
MEASURED_FAMILIES = ("outside_money_jstreet", "outside_money_norpac")
#: the evidence families in the published defaults (features.view.matrix.DEFAULT_GROUPS, logit EVIDENCE_*)
DEFAULT_FAMILIES = ("ideology", "challenger_quality", "outside_money_fec")


#: previous-primary families (features.evidence.challenger_history), measured on top of the published defaults
#: (``--on-defaults``): the baseline is then the defaults themselves, not the features without evidence
NEW_FAMILIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "challenger_history": (("challenger_history",), ("prev_chal_share", "prev_contested"),
                           ("prev_chal_share", "prev_contested")),
    "district_switch": (("district_switch",), ("district_switch",), ("district_switch",)),
    "rematch": (("rematch",), ("rematch", "rematch_share"), ()),
    "ideology_party": (("ideology_party",), ("np_extremity_x_R", "np_moderate_pct_x_R"),
                       ("np_extremity_x_R", "np_moderate_pct_x_R")),
    # curated endorsements of a challenger (2018+; the boosted member has the whole group already):
    # Justice Democrats' slate, and any insurgent group's (JD, Our Revolution, Sunrise, WFP, Sanders, AOC)
    "jd_endorsement": ((), ("end_jd_chal",), ()),
    "insurgent_endorsement": ((), ("end_insurgent_chal",), ()),
}


#: the previous-primary and endorsement families in the published defaults (features.view.matrix, logit EVIDENCE_LOSS)
DEFAULT_NEW_FAMILIES = ("rematch", "jd_endorsement")


#: every logit feature of the families, old and new (stripped from the logit defaults for the
#: "current" baseline: none of the evidence families)
EVIDENCE_FEATURES = frozenset(f for fams in (FAMILIES, NEW_FAMILIES) for _, loss, cont in fams.values()
                              for f in loss + cont)


def available_families() -> dict:
    """The families whose feature groups exist in ``features.view.matrix`` (built so far)."""
    return {k: v for k, v in FAMILIES.items() if all(g in FEATURES for g in v[0])}



#: the two halves of the backtest, scored apart: a family kept in the defaults should help in both
HALVES = {"skill_2008_2014": (2008, 2014), "skill_2016_2024": (2016, 2024)}


def ensemble_factory(groups: list[str], extra: tuple[list[str], list[str]], strip: frozenset = EVIDENCE_FEATURES):
    loss_extra, cont_extra = extra
    base_loss = [f for f in logit_mod.LOSS_FEATURES if f not in strip]
    base_cont = [f for f in logit_mod.CONTESTED_FEATURES if f not in strip]
    logit_kw = {"prior_scale": 1.0, "pair_rule": True,
                "loss_features": base_loss + [f for f in loss_extra if f not in base_loss],
                "contested_features": base_cont + [f for f in cont_extra if f not in base_cont],
                "share_features": base_loss + [f for f in loss_extra if f not in base_loss]}
    boosted_kw = {"max_iter": 100, "min_samples_leaf": 40, "calibration": "sigmoid",
                  "share_conformal_folds": 3, "pair_rule": True, "groups": list(groups)}
    return lambda: make_model("ensemble", members=["logit", "boosted"],
                              member_kwargs={"logit": logit_kw, "boosted": boosted_kw}, pair_rule=True,
                              random_state=20260101)


def configurations(families: dict, leave_one_out: bool = True
                   ) -> dict[str, tuple[list[str], tuple[list[str], list[str]]]]:
    evidence_groups = {g for fams in (FAMILIES, NEW_FAMILIES) for groups, _, _ in fams.values() for g in groups}
    base = [g for g in DEFAULT_GROUPS if g not in evidence_groups]
    out = {"current": (base, ([], []))}
    for name, (groups, loss_extra, cont_extra) in families.items():
        out[f"+{name}"] = (base + list(groups), (list(loss_extra), list(cont_extra)))
    combined = {k: v for k, v in families.items() if k not in MEASURED_FAMILIES}
    if len(combined) > 1:
        out["all evidence"] = _combined(base, combined)
        if leave_one_out and len(combined) > 2:
            for name in combined:
                out[f"all - {name}"] = _combined(base, {k: v for k, v in combined.items() if k != name})
    measured = [k for k in families if k in MEASURED_FAMILIES]
    if measured:
        defaults = {k: families[k] for k in DEFAULT_FAMILIES if k in families}
        defaults.update({k: NEW_FAMILIES[k] for k in DEFAULT_NEW_FAMILIES})     # the rematch (2026-12-04), JD (2026-12-07)
        out["defaults"] = _combined(base, defaults)
        for name in measured:
            out[f"defaults + {name}"] = _combined(base, {**defaults, name: families[name]})
    return out


def configurations_on_defaults(families: dict) -> dict[str, tuple[list[str], tuple[list[str], list[str]]]]:
    """The published defaults ("defaults"), + each family alone, + all of them (new families only)."""
    base = list(DEFAULT_GROUPS)
    out = {"defaults": (base, ([], []))}
    for name, (groups, loss_extra, cont_extra) in families.items():
        out[f"defaults +{name}"] = (base + [g for g in groups if g not in base], (list(loss_extra), list(cont_extra)))
    if len(families) > 1:
        out["defaults + all new"] = _combined(base, families)
    return out


def _combined(base: list[str], families: dict) -> tuple[list[str], tuple[list[str], list[str]]]:
    return (base + [g for gs, _, _ in families.values() for g in gs],
            ([f for _, ex, _ in families.values() for f in ex], [f for _, _, ex in families.values() for f in ex]))


def markdown(df: pd.DataFrame) -> str:
    """A plain Markdown table (floats to 3 decimals)."""
    def cell(v):
        return f"{v:.3f}" if isinstance(v, (float, np.floating)) else str(v)
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule] + body)


def pair_reference(pred: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """Base-rate forecast, with 1/2 for member-vs-member primaries (one of the two must lose)."""
    ivi = table.loc[pred["row"], "incumbent_vs_incumbent"].astype("boolean").fillna(False).to_numpy()
    return np.where(ivi, 0.5, pred["p_ref"].to_numpy())


def _half_skill(e: pd.DataFrame, lo: int, hi: int) -> float:
    sel = e["cycle"].astype(int).between(lo, hi).to_numpy()
    return metrics.brier_skill(e["y"][sel], e["p_loss"][sel], e["p_ref"][sel])


def ranks(pred: pd.DataFrame) -> pd.Series:
    return pred.groupby("cycle")["p_loss"].rank(ascending=False, method="first")


def run(cycles, out_path: Path, only: list[str] | None = None, section: str | None = None,
        on_defaults: bool = False, families: list[str] | None = None, combos: list[str] | None = None) -> str:
    table = load_table()
    if on_defaults:
        fams = {k: v for k, v in NEW_FAMILIES.items() if all(g in FEATURES for g in v[0])}
        fams = {k: v for k, v in fams.items() if not families or k in families}
        configs, strip, baseline = configurations_on_defaults(fams), frozenset(), "defaults"
        for combo in combos or []:
            names = combo.split("+")
            configs["defaults + " + " + ".join(names)] = _combined(list(DEFAULT_GROUPS),
                                                                  {k: NEW_FAMILIES[k] for k in names})
    else:
        fams = available_families()
        configs, strip, baseline = configurations(fams), EVIDENCE_FEATURES, "current"
    if only:
        unknown = [c for c in only if c not in configs]
        if unknown:
            raise SystemExit(f"unknown configuration(s) {unknown}; known: {list(configs)}")
        configs = {k: v for k, v in configs.items() if k in only or k == baseline}
    rows, rank_by_config, ref_cache = [], {}, None
    for name, (groups, extra) in configs.items():
        t0 = time.perf_counter()
        res = run_backtest(table, {"ensemble": ensemble_factory(groups, extra, strip)}, money_modes=["preprimary"],
                           cycles=cycles)
        p = res.predictions
        ref = p[p["model"] == "base_rate"].set_index("row")["p_loss"]
        e = p[p["model"] == "ensemble"].copy()
        e["p_ref"] = ref.reindex(e["row"]).to_numpy()
        e = e[e["y"].notna()]
        pair_model = p[p["model"] == "pair_base_rate"].set_index("row")["p_loss"]
        if len(pair_model):       # forecasting.models.baseline.PairAwareBaseRateModel (honest evaluation)
            pref = pair_model.reindex(e["row"]).to_numpy()
            nopair = ~e["pairing"].astype("boolean").fillna(False).to_numpy()
        else:
            pref = pair_reference(e, table)
            nopair = ~table.loc[e["row"], "incumbent_vs_incumbent"].astype("boolean").fillna(False).to_numpy()
        s = metrics.score(e, e["p_ref"].to_numpy())
        rows.append({"config": name, "n": s["n"], "n_lost": s["n_lost"], "brier": s["brier"],
                     "skill_vs_base": s["brier_skill"],
                     "skill_vs_pair_ref": metrics.brier_skill(e["y"], e["p_loss"], pref),
                     "skill_no_pairs": metrics.brier_skill(e["y"][nopair], e["p_loss"][nopair],
                                                           e["p_ref"][nopair]),
                     **{k: _half_skill(e, lo, hi) for k, (lo, hi) in HALVES.items()},
                     "auc": s["auc"], "recall_top10": s["recall_top10"], "recall_top25": s["recall_top25"],
                     "minutes": (time.perf_counter() - t0) / 60})
        e["rank"] = ranks(e).to_numpy()
        rank_by_config[name] = e.set_index("row")[["cycle", "state", "district", "incumbent", "y", "rank",
                                                   "p_loss"]]
        print(f"{name}: {rows[-1]}", file=sys.stderr)
    scores = pd.DataFrame(rows)
    base = rank_by_config[baseline]
    losers = base[base["y"] == 1]
    misses = losers[losers["rank"] > 25].sort_values(["cycle", "rank"])
    caught = {}
    for name, r in rank_by_config.items():
        if name == baseline:
            continue
        rr = r.loc[misses.index, "rank"]
        caught[name] = misses.index[rr <= 25].tolist()
    if section:
        return _write_section(out_path, section, scores, misses, losers, rank_by_config, caught, cycles)
    lines = ["# Evidence ablation (issue #9)", "",
             f"Ensemble (logit + boosted), rolling origin {min(cycles)}-{max(cycles)}, as of the day before "
             "each primary, pre-primary money. Skill against the base rate fitted in the same fold; "
             "`skill_vs_pair_ref`: against the pairing-aware reference `pair_base_rate` (1/2 for each "
             "member of a member-vs-member primary, the base rate fitted on the other rows); `skill_no_pairs`: rows without such pairings. Generated by "
             "`benchmarks/ablation_evidence.py`.", "",
             markdown(scores), "",
             f"## Misses of the {'published defaults' if on_defaults else 'current features'}: {len(misses)} of "
             f"{len(losers)} defeats ranked below 25th", ""]
    m = misses.copy()
    for name, r in rank_by_config.items():
        if name != baseline:
            m[f"rank {name}"] = r.loc[m.index, "rank"].astype(int)
    m["rank"] = m["rank"].astype(int)
    lines += [markdown(m.drop(columns=["y", "p_loss"])), "", "## Caught (moved into the top 25)", ""]
    for name, idx in caught.items():
        who = ", ".join(f"{misses.loc[i, 'incumbent']} {misses.loc[i, 'state']}-{misses.loc[i, 'district']} "
                        f"{misses.loc[i, 'cycle']}" for i in idx) or "none"
        lost = [i for i in losers.index if losers.loc[i, "rank"] <= 25 and rank_by_config[name].loc[i, "rank"] > 25]
        lines.append(f"- **{name}**: {len(idx)} caught ({who}); {len(lost)} previously caught now missed")
    text = "\n".join(lines) + "\n"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text)
    scores.to_csv(out_path.with_suffix(".csv"), index=False)
    return text


def _write_section(out_path: Path, section: str, scores: pd.DataFrame, misses: pd.DataFrame,
                   losers: pd.DataFrame, rank_by_config: dict, caught: dict, cycles) -> str:
    """Write the configurations run as the report's section ``## <section>`` (replacing one of that
    name, keeping every other line) and merge their rows into the CSV by config name."""
    head = f"## {section}"
    body = [head, "",
            f"Same ensemble, folds and scoring as above ({min(cycles)}-{max(cycles)}, pre-primary money); "
            "`defaults` = the published evidence families (ideology, challenger quality, FEC pro-Israel "
            "money). Generated by `benchmarks/ablation_evidence.py --section`.", "",
            markdown(scores), ""]
    for name, idx in caught.items():
        who = ", ".join(f"{misses.loc[i, 'incumbent']} {misses.loc[i, 'state']}-{misses.loc[i, 'district']} "
                        f"{misses.loc[i, 'cycle']}" for i in idx) or "none"
        lost = [i for i in losers.index if losers.loc[i, "rank"] <= 25 and rank_by_config[name].loc[i, "rank"] > 25]
        body.append(f"- **{name}**: {len(idx)} of the {len(misses)} misses of `current` caught ({who}); "
                    f"{len(lost)} previously caught now missed")
    text = out_path.read_text() if out_path.is_file() else "# Evidence ablation (issue #9)\n"
    lines = text.rstrip("\n").split("\n")
    if head in lines:                       # replace the old section up to the next "## " heading
        i = lines.index(head)
        j = next((k for k in range(i + 1, len(lines)) if lines[k].startswith("## ")), len(lines))
        keep_tail = lines[j:]
        lines = lines[:i] + body + ([""] + keep_tail if keep_tail else [])
    else:
        lines = lines + [""] + body
    out = "\n".join(lines).rstrip("\n") + "\n"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(out)
    csv_path = out_path.with_suffix(".csv")
    if csv_path.is_file():
        old = pd.read_csv(csv_path)
        # the configurations this section asked for replace their rows; the reference ('current')
        # re-run for the comparison is added only if the CSV lacks it (the full run's row stands)
        new = scores[(scores["config"] != "current") | ~scores["config"].isin(old["config"])]
        rest = old[~old["config"].isin(new["config"])]
        merged = pd.concat([rest, new], ignore_index=True)
        merged = merged[list(old.columns) + [c for c in scores.columns if c not in old.columns]]
    else:
        merged = scores
    merged.to_csv(csv_path, index=False)
    return "\n".join(body) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, nargs="*", default=list(BACKTEST_CYCLES))
    ap.add_argument("--out", type=Path, default=Path("reports/ablation_evidence.md"))
    ap.add_argument("--configs", nargs="*", default=None,
                    help="run only these configurations (and 'current'), e.g. '+outside_money_jstreet'")
    ap.add_argument("--section", default=None,
                    help="write the run as this section of --out (kept apart from the other rows)")
    ap.add_argument("--on-defaults", action="store_true",
                    help="baseline = the published defaults; add the previous-primary families (NEW_FAMILIES)")
    ap.add_argument("--families", nargs="*", default=None, help="with --on-defaults: these families only")
    ap.add_argument("--combos", nargs="*", default=None,
                    help="with --on-defaults: extra configurations, each a '+'-joined list of families")
    args = ap.parse_args(argv)
    print(run(args.cycles, args.out, only=args.configs, section=args.section, on_defaults=args.on_defaults,
              families=args.families, combos=args.combos))


if __name__ == "__main__":
    main()
