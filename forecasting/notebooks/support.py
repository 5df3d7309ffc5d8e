"""Plotting, formatting and loading helpers for the analyst notebooks (``notebooks/``).

The notebooks hold no logic of their own: every computation is a function here or in the
``features`` / ``forecasting`` modules it calls.  Functions return DataFrames or matplotlib figures;
nothing here prints.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.errors import InputError
from features.kernel.paths import REPORTS_DIR
from forecasting.publish.formats import pct, share_words, usd, vote_share
from forecasting.tracking import CHAMPION

BACKTEST_DIR = REPORTS_DIR / "backtest"
PD_FEATURES = ("pres_lean", "log_money_ratio", "incumbent_age", "tenure_years")


# ---------------------------------------------------------------------------------------------
# The race notebook
# ---------------------------------------------------------------------------------------------
@dataclass
class RaceForecast:
    """One race scored as of a date: the forecast row, its as-of view row, and the state's view."""

    score: pd.Series          # the row of forecasting.live.scoring.score_cycle
    target: pd.Series         # the race's row of the as-of view (watchlist applied)
    view: pd.DataFrame        # the state's as-of view (what the model saw)
    key: tuple                # (cycle, state, district, party)
    model_version: str


def load_table() -> pd.DataFrame:
    """The committed central table."""
    from features.table.store import load_table as _load

    return _load()


def race_model(table: pd.DataFrame, model_name: str | None = None, alias: str = CHAMPION,
               fallback: str = "boosted", draws: int | None = None, cycle: int | None = None):
    """The model a race notebook uses: ``(model, version, note)``.

    ``model_name`` None: the registry's ``alias`` (``forecasting.live.live_model.load_live_model``), else
    ``fallback`` fitted on every cycle with an outcome.  A named model is fitted the same way; a
    Bayesian one samples ``draws`` draws and tuning steps per chain when ``draws`` is given.  For a
    past ``cycle`` a model fitted here sees only the cycles before it (as in the backtest); the
    registered model has seen every cycle, which the note says.
    """
    from forecasting.live.live_model import load_live_model

    note = ""
    if model_name is None:
        if not mlflow_available():        # never create a tracking store just to look into it
            note = f"no MLflow tracking store, so no model under @{alias}; "
            model_name = fallback
        else:
            try:
                model, version = load_live_model(alias=alias)
                past = cycle is not None and table.loc[table["cycle"] >= int(cycle), "lost"].notna().any()
                return model, version, (f"registered model @{alias}: {version}" + (
                    f" (trained on every cycle, {cycle} included: a retrospective view)" if past else ""))
            except InputError:
                note = f"no model registered under @{alias}; "
                model_name = fallback
    has_outcome = table["lost"].notna()
    before = cycle is not None and bool((has_outcome & (table["cycle"] >= int(cycle))).any())
    bayes_draws = model_name == "bayes" and bool(draws)
    if not (before or bayes_draws):
        model, version = load_live_model(model_name=model_name, table=table)
        return model, version, note + f"fitted {model_name} on every cycle with an outcome: {version}"
    # as forecasting.live.live_model.fit_named_model (the experiment config, seen as of each primary's eve),
    # on the cycles before a past race and with the notebook's MCMC draws
    from forecasting.models.training import train_model

    spec, money = _named_spec(model_name)
    if bayes_draws:
        spec = {**spec, "sample_kwargs": {**(spec.get("sample_kwargs") or {}), "draws": int(draws),
                                          "tune": int(draws)}}
    model, _, _ = train_model(table[table["cycle"] < int(cycle)] if before else table, spec, money)
    version = "-".join([f"{model_name}-unregistered"] + ([f"draws{int(draws)}"] if bayes_draws else [])
                       + ([f"before{int(cycle)}"] if before else []))
    model.model_version_ = version
    where = f"the cycles before {cycle}" if before else "every cycle with an outcome"
    return model, version, note + f"fitted {model_name} on {where}: {version}"


def _named_spec(model_name: str) -> tuple[dict, str]:
    """(model spec, money mode) of ``experiments/<name>.yaml``, else the registry's defaults."""
    from features.kernel.paths import EXPERIMENTS_DIR
    from forecasting.models.config import load_config
    from forecasting.models.registry import MODELS

    path = EXPERIMENTS_DIR / f"{model_name}.yaml"
    if path.is_file():
        config = load_config(path)
        return config["models"][0], config["train"]["money"]
    if model_name not in MODELS:
        raise InputError("model", f"unknown model {model_name!r}; known: {sorted(MODELS)}", field="model_name")
    return {"name": model_name, "model": model_name, "kwargs": {}, "sample_kwargs": {}, "random_seed": None}, \
        "preprimary"


def race_forecast(table: pd.DataFrame, model, model_version: str, cycle: int, state: str, district: int,
                  party: str | None, as_of, watchlist="default") -> RaceForecast:
    """Score the race's state as of ``as_of`` (``score_cycle``) and return the race."""
    from features.evidence.neighbours import find_race
    from features.evidence.watchlist import resolve_watchlist
    from forecasting.live.scoring import score_cycle
    from forecasting.live.whatif import race_view

    row = find_race(table, cycle, state, district, party)
    key = (int(cycle), row["state"], int(row["district"]), row["party"])
    wlist = resolve_watchlist(watchlist, int(cycle), table) if watchlist else None
    scored = score_cycle(table, model, int(cycle), as_of, watchlist=wlist, states=[key[1]],
                         model_version=model_version)
    score = scored[(scored["district"] == key[2]) & (scored["party"] == key[3])].iloc[0]
    view = race_view(table, int(cycle), key[1], as_of, wlist)
    target = view[(view["district"] == key[2]) & (view["party"] == key[3])].iloc[0]
    return RaceForecast(score, target, view, key, model_version)


def forecast_summary(race: RaceForecast) -> pd.DataFrame:
    """The race's headline numbers as a two-column table."""
    s, t = race.score, race.target
    items = {
        "race": f"{s['state']}-{int(s['district']):02d} ({s['party']}), {int(s['cycle'])}",
        "incumbent": s["incumbent"],
        "known challengers": s["challengers"] or "(none known)",
        "as of": pd.Timestamp(s["as_of"]).date().isoformat(),
        "primary": _date(s.get("primary_date")), "filing deadline": _date(s.get("filing_deadline")),
        "primary system": s.get("primary_system"),
        "field known": bool(s["field_known"]) if pd.notna(s["field_known"]) else False,
        "P(loses renomination)": pct(s["p_loss"]),
        # the second target (forecasting.live.scoring.second_target): the nomination, or a same-party November
        "P(loses the seat to the same party)": pct(s.get("p_lose_seat_same_party")),
        "P(a same-party challenger reaches November with the member)": pct(s.get("p_same_party_rival_november")),
        "P(serious challenge)": pct(s["p_contested"]),
        "P(loss | challenged)": pct(s["p_loss_if_contested"]),
        "first-round share (10th-90th pct)": share_words(s),
        "incumbent receipts (pre-primary)": usd(t.get("inc_receipts"), missing="unknown"),
        "challenger receipts (pre-primary)": usd(t.get("chal_receipts"), missing="unknown"),
        "model": f"{s['model']} ({s['model_version']})",
    }
    return pd.DataFrame({"value": [str(v) for v in items.values()]}, index=list(items))


def drivers_frame(race: RaceForecast) -> pd.DataFrame:
    """The forecast's drivers (``forecasting.live.drivers``), in percentage points of P(loss)."""
    items = json.loads(race.score["drivers"] or "[]")
    df = pd.DataFrame(items, columns=["driver", "delta"])
    df["points"] = 100 * df["delta"].astype(float)
    return df[["driver", "points"]]


def plot_drivers(race: RaceForecast):
    """Horizontal bars: how much each driver moves P(loss), in points."""
    import matplotlib.pyplot as plt

    df = drivers_frame(race).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(df), 1)))
    if df.empty:
        ax.text(0.5, 0.5, "no driver moves P(loss) by 0.01 points or more", ha="center", va="center")
        ax.set_axis_off()
        return fig
    colors = ["#b2182b" if v > 0 else "#2166ac" for v in df["points"]]
    ax.barh(df["driver"], df["points"], color=colors)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("change in P(loss) vs. a typical incumbent, points")
    ax.set_title("What drives the forecast")
    fig.tight_layout()
    return fig


def comparables(table: pd.DataFrame, race: RaceForecast, k: int = 10, **kw) -> pd.DataFrame:
    """Comparable past races (``features.evidence.neighbours.comparable_races``) for the race's view row."""
    from features.evidence.neighbours import comparable_races

    return comparable_races(table, race.target, k=k, **kw)


def format_comparables(comps: pd.DataFrame) -> pd.DataFrame:
    """The comparables as an analyst reads them: race, outcome, shares in %, distance."""
    def share(col):
        return [f"{100 * v:.1f}" if pd.notna(v) else "-" for v in pd.to_numeric(comps[col])]

    out = pd.DataFrame({
        "race": [f"{r.state}-{int(r.district):02d} {int(r.cycle)}" for r in comps.itertuples()],
        "incumbent": comps["incumbent"], "top challenger": comps["top_challenger"].fillna("-"),
        "result": comps["lost"].map({True: "LOST", False: "won"}).fillna("?"),
        "incumbent %": share("incumbent_share"), "challenger %": share("top_challenger_share"),
        "insurgent-left": comps["f_insurgent_left"].map({1.0: "yes", 0.0: "no"}).fillna("unknown"),
        "distance": [f"{v:.2f}" if pd.notna(v) else "-" for v in comps["distance"]], "why": comps["why"]})
    return out.reset_index(drop=True)


def format_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """``features.evidence.neighbours.comparable_outcomes`` for reading: rates in %, one row per group."""
    out = outcomes.copy()
    out["loss_rate"] = [f"{100 * v:.0f}%" if pd.notna(v) else "-" for v in out["loss_rate"]]
    out["median_incumbent_share"] = [f"{100 * v:.0f}%" if pd.notna(v) else "-"
                                     for v in out["median_incumbent_share"]]
    return out.rename(columns={"loss_rate": "loss rate", "median_incumbent_share": "median incumbent share",
                               "losers": "incumbents who lost"}).set_index("group")


def plot_share(race: RaceForecast, whatif: dict | None = None, history: pd.DataFrame | None = None):
    """The incumbent's first-round share: 10-90% range and median, with the what-if's range and the
    member's past contested shares (``history``: comparables rows marked 'same district history')."""
    import matplotlib.pyplot as plt

    s = race.score
    def span(rec):
        v = vote_share(rec)
        return v["low"], v["median"], v["high"]

    rows = [("forecast", *span(s), s["p_loss"])]
    if whatif is not None:
        a = whatif["after"]
        rows.append(("with the what-if", *span(a), a["p_loss"]))
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.7 * len(rows)))
    for i, (label, lo, mid, hi, p) in enumerate(rows):
        y = len(rows) - i
        ax.plot([100 * lo, 100 * hi], [y, y], lw=8, color="#9ecae1", solid_capstyle="butt")
        ax.plot(100 * mid, y, "o", color="#08519c")
        ax.text(100 * hi + 1, y, f"P(loss) {pct(p)}", va="center", fontsize=9)
    ax.set_yticks(range(len(rows), 0, -1), [r[0] for r in rows])
    if history is not None and len(history):
        own = history[history["why"].str.contains("same district")]
        shares = pd.to_numeric(own["incumbent_share"]).dropna()
        ax.plot(100 * shares, [0.4] * len(shares), "k|", ms=14)
        for j, (c, v) in enumerate(sorted(zip(own.loc[shares.index, "cycle"], shares), key=lambda x: x[1])):
            ax.text(100 * v, 0.05 - 0.25 * (j % 2), str(int(c)), ha="center", fontsize=8)
        ax.set_ylim(-0.45, len(rows) + 0.6)
    ax.axvline(50, color="grey", ls="--", lw=0.8)
    ax.set_xlim(0, 105)
    ax.set_xlabel("incumbent's first-round share if challenged, % (bar: 10th-90th percentile; dot: median; "
                  "ticks: past primaries)")
    fig.tight_layout()
    return fig


def run_whatif(model, race: RaceForecast, overrides) -> dict:
    """``forecasting.live.whatif.whatif_delta`` on the race's own as-of view."""
    from forecasting.live.whatif import whatif_delta

    return whatif_delta(model, race.view, race.key, overrides)


#: a standard set of what-ifs shown beside the notebook's own
STANDARD_WHATIFS = {
    "$10M pro-Israel spending against the challenger":
        {"os_against_chal": {"amount": 10_000_000, "class": "pro-israel"}},
    "$10M pro-Israel spending against the incumbent":
        {"os_against_inc": {"amount": 10_000_000, "class": "pro-israel"}},
    "challenger raises $3M before the primary": {"chal_receipts": 3_000_000},
    "Sanders and Ocasio-Cortez endorse the challenger": {"endorse": ["sanders", "aoc"]},
    "Justice Democrats' endorsement withdrawn": {"unendorse": "justice-democrats"},
}


def whatif_grid(model, race: RaceForecast, scenarios: dict | None = None) -> pd.DataFrame:
    """P(loss) and median share under each what-if of ``scenarios`` (default ``STANDARD_WHATIFS``)."""
    rows = []
    for label, overrides in (scenarios or STANDARD_WHATIFS).items():
        r = run_whatif(model, race, overrides)
        rows.append({"what-if": label, "P(loss)": pct(r["after"]["p_loss"]),
                     "change, points": round(100 * r["delta"]["p_loss"], 2),
                     "read by the model": "yes" if whatif_moves(r) else "no: the forecast is unchanged",
                     "P(lose seat, same party)": pct(r["after"].get("p_lose_seat_same_party")),
                     "median share %": round(100 * r["after"]["share_p50"], 1)})
    return pd.DataFrame(rows)


def whatif_frame(result: dict) -> pd.DataFrame:
    """Before / after / change of the what-if, in percent."""
    from forecasting.live.whatif import whatif_table

    labels = {"p_loss": "P(loses renomination) %", "p_contested": "P(serious challenge) %",
              "p_loss_if_contested": "P(loss | challenged) %", "share_mean": "mean first-round share %",
              "share_p10": "share, 10th percentile %", "share_p50": "share, median %",
              "share_p90": "share, 90th percentile %",
              "share_if_contested_p10": "share if challenged, 10th percentile %",
              "share_if_contested_p50": "share if challenged, median %",
              "share_if_contested_p90": "share if challenged, 90th percentile %",
              "p_lose_seat_same_party": "P(loses the seat to the same party) %"}
    return (100 * whatif_table(result).astype(float)).round(2).rename(index=labels)


_SIDES = {"for_inc": "for the incumbent", "against_inc": "against the incumbent",
          "for_chal": "for the challenger", "against_chal": "against the challenger"}
_MONEY = {"chal_receipts": "the challenger's receipts", "chal_cash": "the challenger's cash on hand",
          "inc_receipts": "the incumbent's receipts", "inc_cash": "the incumbent's cash on hand"}


def whatif_words(canonical: dict) -> str:
    """A what-if in words: '$10,000,000 of pro-israel outside spending against the challenger and an
    endorsement of the challenger by sanders' (``forecasting.live.whatif.parse_overrides`` form)."""
    parts = []
    for sp in canonical.get("spending", []):
        cls = "" if sp.get("class") in (None, "other") else f"{sp['class']} "
        parts.append(f"{usd(sp['amount'])} of {cls}outside spending {_SIDES.get(sp['side'], sp['side'])}")
    for e in canonical.get("endorse", []):
        parts.append(f"an endorsement of the {e.get('side', 'challenger')} by {e.get('endorser') or e.get('class')}")
    for e in canonical.get("unendorse", []):
        parts.append(f"no endorsement of the {e.get('side', 'challenger')} by {e.get('endorser') or e.get('class')}")
    for key, value in canonical.get("money", {}).items():
        parts.append(f"{_MONEY.get(key, key)} at {usd(value)}")
    return " and ".join(parts) if parts else "no change"


def whatif_moves(result: dict, tol: float = 1e-6) -> bool:
    """Does the what-if change the forecast at all (the model may not read what it changes)?"""
    return any(abs(v) > tol for v in result["delta"].values())


def race_sentence(race: RaceForecast, whatif: dict | None = None) -> str:
    """One paragraph an analyst can quote, in plain words."""
    s = race.score
    text = (f"As of {pd.Timestamp(s['as_of']).date()}, {s['incumbent']} ({s['state']}-{int(s['district'])}, "
            f"{s['party']}) has a {pct(s['p_loss'])} chance of losing renomination "
            f"(first-round share {share_words(s)}; model {s['model']}).")
    from forecasting.publish.second_target import explanation

    two = explanation(s.to_dict())           # top-two / top-four: what each number means
    if two:
        text += " " + two
    if whatif is not None:
        a = whatif["after"]
        words = whatif_words(whatif["canonical"])
        if whatif_moves(whatif):
            text += (f" With {words}, it would be {pct(a['p_loss'])} ({100 * whatif['delta']['p_loss']:+.1f} "
                     f"points), median share {100 * a['share_p50']:.0f}%.")
        else:
            text += f" {words[0].upper() + words[1:]} would not change it: the model does not read that."
    return text


def race_paragraph(race: RaceForecast, whatif: dict | None = None):
    """``race_sentence`` as a paragraph of the rendered report (Markdown, not a code block)."""
    from IPython.display import Markdown

    return Markdown(race_sentence(race, whatif).replace("$", "\\$"))


# ---------------------------------------------------------------------------------------------
# The history notebook
# ---------------------------------------------------------------------------------------------
def plot_defeats(counts: pd.DataFrame, title: str):
    """Stacked bars of defeats per cycle (``features.contests.history.defeat_counts`` output)."""
    import matplotlib.pyplot as plt

    data = counts.drop(index="all cycles", errors="ignore").drop(columns="total", errors="ignore")
    fig, ax = plt.subplots(figsize=(10, 4.5))
    bottom = np.zeros(len(data))
    cmap = plt.get_cmap("tab10")
    for i, col in enumerate(data.columns):
        ax.bar(data.index.astype(str), data[col], bottom=bottom, label=col, color=cmap(i % 10))
        bottom += data[col].to_numpy()
    ax.set_ylabel("incumbents who lost renomination")
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=2, loc="upper left")
    fig.tight_layout()
    return fig


def plot_defeat_rates(rates: pd.DataFrame):
    """Loss rate per cycle, overall and among contested incumbents."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3.8))
    ax.plot(rates.index, 100 * rates["loss_rate"], "o-", label="of all incumbents seeking renomination")
    ax.plot(rates.index, 100 * rates["loss_rate_if_contested"], "s--", label="of contested incumbents")
    ax.set_ylabel("% who lost renomination")
    ax.set_xticks(rates.index)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# The model-comparison notebook
# ---------------------------------------------------------------------------------------------
def load_backtest(directory: str | Path | None = None, horizon: str | None = None) -> dict[str, pd.DataFrame]:
    """The backtest files under ``reports/backtest`` (scoreboard, reliability, timings, predictions) at
    one horizon (default the published forecast's, ``forecasting.evaluation.scoreboard.pick_horizon``; the chosen
    one is under ``"horizon"``); an empty dict when the backtest has not been run."""
    from forecasting.evaluation.scoreboard import at_horizon, pick_horizon, read_predictions

    directory = Path(directory) if directory else BACKTEST_DIR
    out = {}
    for name in ("scoreboard", "reliability", "timings"):
        path = directory / f"{name}.csv"
        if path.is_file():
            out[name] = pd.read_csv(path, dtype={"cycle": str} if name == "scoreboard" else None)
    predictions = read_predictions(directory)                      # predictions.csv.gz
    if predictions is not None:
        out["predictions"] = predictions
    if "scoreboard" in out:
        chosen = pick_horizon(out["scoreboard"], horizon)
        out = {k: at_horizon(v, chosen) for k, v in out.items()}
        out["horizon"] = chosen
    # the second target's scoreboard (``forecasting.evaluation.scoreboard_same_party``): in the comparison output,
    # else in the two-target benchmark's folder
    for path in (directory / "scoreboard_same_party.csv", directory / "two_targets" / "scoreboard_same_party.csv"):
        if path.is_file():
            out["scoreboard_same_party"] = pd.read_csv(path, dtype={"cycle": str})
            break
    return out


def pooled_two_targets(bt: dict, money_mode: str = "preprimary") -> pd.DataFrame | None:
    """Pooled Brier skill and AUC of each model on both targets (lose the nomination; lose the seat to
    the same party) side by side, from ``load_backtest``; None without the second target's scoreboard."""
    second = bt.get("scoreboard_same_party")
    if second is None:
        return None
    second = second[(second["cycle"] == "pooled") & (second["money_mode"] == money_mode)]
    cols = {"n_lost": "events", "brier": "Brier", "brier_skill": "Brier skill", "auc": "AUC",
            "recall_top25": "recall top 25"}
    out = second.set_index("model")[list(cols)].rename(columns=cols)
    out.columns = pd.MultiIndex.from_product([["lose the seat to the same party"], out.columns])
    first = bt.get("scoreboard")
    if first is not None and "money_mode" in first.columns:
        f = first[(first["cycle"] == "pooled") & (first["money_mode"] == money_mode)].set_index("model")
        f = f[[c for c in cols if c in f.columns]].rename(columns=cols)
        f.columns = pd.MultiIndex.from_product([["lose the nomination"], f.columns])
        out = f.join(out, how="outer")
    return out.sort_values(("lose the seat to the same party", "Brier skill"), ascending=False)


def pooled_scoreboard(board: pd.DataFrame) -> pd.DataFrame:
    """Pooled rows, one per (model, money mode), best Brier skill first."""
    cols = ["model", "money_mode", "n", "n_lost", "brier", "brier_skill", "log_loss", "auc", "recall_top10",
            "recall_top25", "share_mae", "share_cov80", "fit_seconds"]
    p = board[board["cycle"] == "pooled"]
    return p[[c for c in cols if c in p.columns]].sort_values("brier_skill", ascending=False).reset_index(drop=True)


def money_leak_table(board: pd.DataFrame, metric: str = "brier_skill") -> pd.DataFrame:
    """``metric`` pooled, per model (rows) and money mode (columns): how much the leaky year-end money
    flatters each model."""
    p = board[board["cycle"] == "pooled"]
    return p.pivot_table(index="model", columns="money_mode", values=metric).round(3)


def plot_skill_by_cycle(board: pd.DataFrame, money_mode: str = "preprimary", metric: str = "brier_skill"):
    """``metric`` per backtest cycle, one line per model."""
    import matplotlib.pyplot as plt

    b = board[(board["money_mode"] == money_mode) & (board["cycle"] != "pooled")].copy()
    b["cycle"] = b["cycle"].astype(int)
    fig, ax = plt.subplots(figsize=(9, 4))
    for model, g in b.groupby("model"):
        ax.plot(g["cycle"], g[metric], "o-", label=model)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(sorted(b["cycle"].unique()))
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(f"{metric.replace('_', ' ')} per cycle (money: {money_mode})")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_reliability(rel: pd.DataFrame, money_mode: str = "preprimary"):
    """Reliability diagram (10 pooled bins) with each bin's 90% band, one panel per model."""
    import matplotlib.pyplot as plt

    r = rel[(rel["money_mode"] == money_mode) & (rel["n"] > 0)]
    models = list(dict.fromkeys(r["model"]))
    fig, axes = plt.subplots(1, max(len(models), 1), figsize=(3.6 * max(len(models), 1), 3.8), squeeze=False)
    for ax, model in zip(axes[0], models):
        t = r[r["model"] == model]
        ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=0.8)
        if {"band_low", "band_high"} <= set(t.columns):
            ax.vlines(t["mean_p"], t["band_low"], t["band_high"], color="#bbbbbb", lw=3)
        ax.scatter(t["mean_p"], t["observed"], s=15 + 80 * np.sqrt(t["n"] / t["n"].max()), zorder=3)
        top = float(max(t["mean_p"].max(), t["observed"].max(), 0.05)) * 1.1
        ax.set_xlim(0, min(1, top))
        ax.set_ylim(0, min(1, top))
        ax.set_title(model)
        ax.set_xlabel("forecast P(loss)")
    axes[0][0].set_ylabel("observed loss rate (grey: 90% band)")
    fig.suptitle(f"Calibration, backtest pooled (money: {money_mode})")
    fig.tight_layout()
    return fig


def mlflow_available() -> bool:
    """True when a tracking store exists (a SQLite file that is there, or any other URI)."""
    from forecasting import tracking

    db = tracking.sqlite_path()
    return db is None or db.is_file()


def last_train_run(model: str):
    """The latest finished MLflow train run of ``model`` (None without a store or run)."""
    if not mlflow_available():
        return None
    from forecasting import tracking

    try:
        return tracking.last_run("train", model=model)
    except Exception:                       # an unreadable store: the notebook falls back
        return None


def run_artifact_frame(run, path: str) -> pd.DataFrame | None:
    """A CSV artifact of an MLflow run (None if absent)."""
    if run is None:
        return None
    import mlflow

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path=path)
    except Exception:
        return None
    return pd.read_csv(local)


def run_model(run):
    """The fitted PrimaryModel logged by an MLflow run (None if absent)."""
    if run is None or not run.data.tags.get("model_uri"):
        return None
    import mlflow

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = mlflow.pyfunc.load_model(run.data.tags["model_uri"])
        return loaded.unwrap_python_model().model
    except Exception:
        return None


def logit_coefficients(table: pd.DataFrame, use_mlflow: bool = True) -> tuple[pd.DataFrame, str]:
    """The logit's coefficient table and where it came from: the latest MLflow train run's
    ``coef_table.csv``, else a logit fitted here on every cycle with an outcome."""
    run = last_train_run("logit") if use_mlflow else None
    coef = run_artifact_frame(run, "coef_table.csv")
    if coef is not None:
        return coef, f"MLflow train run {run.info.run_id}"
    return fit_here(table, "logit").coef_table_, "fitted in this notebook (no MLflow train run of the logit)"


def plot_coefficients(coef: pd.DataFrame, part: str = "loss"):
    """Forest plot of one part's coefficients (per sd of the feature) with 95% intervals."""
    import matplotlib.pyplot as plt

    c = coef[(coef["part"] == part) & (coef["feature"] != "const")].sort_values("coef")
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.3 * len(c)))
    ax.errorbar(c["coef"], range(len(c)), xerr=[c["coef"] - c["ci_low"], c["ci_high"] - c["coef"]], fmt="o",
                color="#08519c", ecolor="#9ecae1", capsize=2)
    ax.set_yticks(range(len(c)), c["feature"])
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("coefficient (log-odds per sd; share: logit per sd), 95% interval")
    ax.set_title(f"logit: {part}")
    fig.tight_layout()
    return fig


def bayes_summary(use_mlflow: bool = True) -> tuple[pd.DataFrame | None, dict | None, str]:
    """Posterior summary and fit diagnostics of the latest Bayesian train run (MLflow)."""
    run = last_train_run("bayes") if use_mlflow else None
    if run is None:
        return None, None, "no MLflow train run of the Bayesian model"
    summary = run_artifact_frame(run, "bayes/posterior_summary.csv")
    diag = {k.removeprefix("bayes."): v for k, v in run.data.metrics.items() if k.startswith("bayes.")}
    return summary, diag, f"MLflow train run {run.info.run_id}"


def bayes_backtest_diagnostics(bt: dict, money_mode: str = "preprimary") -> pd.DataFrame | None:
    """Convergence of the Bayesian model in each backtest fold (``timings.csv`` ``diag_*`` columns)."""
    t = bt.get("timings")
    if t is None or "diag_max_rhat" not in t.columns:
        return None
    b = t[(t["model"] == "bayes") & (t["money_mode"] == money_mode)]
    if b.empty:
        return None
    cols = ["cycle", "n_train", "fit_seconds", "diag_max_rhat", "diag_min_ess_bulk", "diag_min_ess_tail",
            "diag_divergences", "diag_converged"]
    return b[[c for c in cols if c in b.columns]].rename(columns=lambda c: c.removeprefix("diag_")) \
        .set_index("cycle")


def boosted_model(table: pd.DataFrame, use_mlflow: bool = True, fast: bool = False):
    """The boosted model: the latest MLflow train run's, else fitted here (``fast``: 40 trees, no
    calibration -- for CI)."""
    model = run_model(last_train_run("boosted")) if use_mlflow else None
    if model is not None:
        return model, "MLflow train run"
    kw = {"max_iter": 40, "share_max_iter": 20, "calibration": None, "share_conformal_folds": 0} if fast else {}
    return fit_here(table, "boosted", **kw), "fitted in this notebook" + (" (fast settings)" if fast else "")


def fit_here(table: pd.DataFrame, model_name: str, **kwargs):
    """Fit ``experiments/<name>.yaml`` (constructor ``kwargs`` overriding) on every cycle with an
    outcome, as ``primary-forecast train`` does."""
    from forecasting.models.training import train_model

    spec, money = _named_spec(model_name)
    spec = {**spec, "kwargs": {**(spec.get("kwargs") or {}), **kwargs}}
    return train_model(table, spec, money)[0]


def boosted_partial_dependence(model, table: pd.DataFrame, features=PD_FEATURES) -> pd.DataFrame:
    """Partial dependence of P(loss | contested) on each feature (``sklearn.inspection``), over the
    contested rows with an outcome; long format: feature, value, p_loss_if_contested."""
    from sklearn.inspection import partial_dependence

    from features.view.matrix import model_frame
    from forecasting.models import targets

    rows = table[targets.contested_mask(table) & table["lost"].notna().to_numpy()]
    X = model_frame(rows)[model.features_]
    parts = []
    for feat in features:
        if feat not in X.columns or X[feat].notna().sum() < 20:
            continue
        res = partial_dependence(model.loss_model_, X, [feat], kind="average", method="brute",
                                 grid_resolution=20, percentiles=(0.05, 0.95))
        parts.append(pd.DataFrame({"feature": feat, "value": res["grid_values"][0],
                                   "p_loss_if_contested": res["average"][0]}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["feature", "value", "p_loss_if_contested"])


def plot_partial_dependence(pdp: pd.DataFrame):
    """One panel per feature."""
    import matplotlib.pyplot as plt

    feats = list(dict.fromkeys(pdp["feature"]))
    fig, axes = plt.subplots(1, max(len(feats), 1), figsize=(3.4 * max(len(feats), 1), 3.2), squeeze=False)
    for ax, feat in zip(axes[0], feats):
        g = pdp[pdp["feature"] == feat]
        ax.plot(g["value"], 100 * g["p_loss_if_contested"], color="#b2182b")
        ax.set_xlabel(feat)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("P(loss | contested), %")
    fig.suptitle("Boosted model: partial dependence")
    fig.tight_layout()
    return fig




def _date(value) -> str:
    return pd.Timestamp(value).date().isoformat() if value is not None and pd.notna(value) else "unknown"
