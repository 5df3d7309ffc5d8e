"""Write the static site and feeds, atomically.

``publish(out_dir, snapshots)`` renders everything into a temporary sibling folder and swaps it in
for ``out_dir`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames with a roll
back), under an exclusive lock.  If anything fails the temporary folder is removed and the previous
site is left as it was.  The site's ``history.csv`` and every number on it come from the snapshot
store alone; a missing store is an error, never a reason to republish the site's own copy.  Every
string from data goes through Jinja2 with autoescaping on.

Pages: ``index.html`` (all races, sortable), ``races/<ST>-<NN>-<P>.html`` (drivers, what-if note,
timeline), ``checking-our-work.html`` (calibration plot and skill table from ``reports/backtest``).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from features.kernel.atomic import swap_folder
from features.kernel.errors import InputError
from features.kernel.paths import PROJECT_ROOT, REPORTS_DIR
from forecasting.live.drivers import drivers_text
from forecasting.live.snapshots import (
    as_of_dates,
    default_publish_as_of,
    file_lock,
    history_path,
    latest_snapshot,
    model_key,
    model_label,
    read_history,
    typed,
    validate_races,
)
from forecasting.publish import charts, checking, feeds, horizon_skill, race_facts, second_target
from forecasting.publish.formats import number, pct, pts, share_words, usd, vote_share
from forecasting.publish.target import check_publish_target, mark_site

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    """The Jinja2 environment: autoescape on for every template, undefined names are errors."""
    from jinja2 import StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["pct"] = pct
    env.filters["pts"] = pts
    env.filters["date"] = _date
    env.filters["field_status"] = field_status
    env.filters["usd"] = usd
    env.filters["vote_share"] = vote_share
    env.filters["share_words"] = share_words
    env.filters["num"] = lambda v: "" if v is None or pd.isna(v) else f"{float(v):.6f}"
    return env


def race_slug(state: str, district: int, party: str) -> str:
    return f"{state}-{int(district):02d}-{party}"


def publish(out_dir: str | Path, snapshots=None, backtest_dir: str | Path | None = None,
            cycle: int | None = None, as_of=None, table: pd.DataFrame | None = None,
            events_dir: str | Path | None = None) -> Path:
    """Write the site and feeds to ``out_dir`` (atomic swap; the old site survives any failure).

    Parameters
    ----------
    out_dir : the site folder (created or replaced as a whole).
    snapshots : the snapshot history: a DataFrame (``snapshots.read_history`` form), a path to a
        history CSV or to the store folder; default ``data/snapshots``.
    backtest_dir : where ``scoreboard.csv`` and per-race backtest predictions live
        (default ``reports/backtest``); missing files give a page that says so.
    cycle : cycle to publish (default: the latest in the history).
    as_of : the date the index and feeds show: each race's latest snapshot on or before it (default:
        the latest as-of date with a snapshot that is not simulated, see ``snapshots.is_simulated``).
    table : the central table for the race pages' money and FEC links (default: the committed one,
        if built; without it the pages say so).
    events_dir : the dated endorsement / outside-spending event tables (default ``data/processed``).

    Returns
    -------
    Path of the published site.
    """
    out = check_publish_target(out_dir)         # refuse a folder that is not a previous site
    out.parent.mkdir(parents=True, exist_ok=True)
    backtest_dir = Path(backtest_dir) if backtest_dir is not None else REPORTS_DIR / "backtest"
    with file_lock(out.parent / f".{out.name}.publish.lock"):
        check_publish_target(out)               # again under the lock: another writer may have raced us
        if not isinstance(snapshots, pd.DataFrame) and not history_path(snapshots).is_file():
            raise InputError(history_path(snapshots), "no snapshots to publish: the snapshot store is missing "
                             "(a site is only ever published from the store, never from its own copy)")
        history = snapshots if isinstance(snapshots, pd.DataFrame) else read_history(snapshots)
        validate_races(history, "snapshots to publish")  # state/district/party name files: no paths
        if history.empty:
            raise InputError(history_path(snapshots if not isinstance(snapshots, pd.DataFrame) else None),
                             "no snapshots to publish; run `primary-forecast forecast` first")
        for stale in list(out.parent.glob(f".{out.name}.tmp-*")) + list(out.parent.glob(f".{out.name}.old-*")):
            shutil.rmtree(stale, ignore_errors=True)       # left by a killed publish (we hold the lock)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-"))
        os.chmod(tmp, 0o755)                       # mkdtemp makes it private; a site is served
        try:
            _render_site(tmp, history, backtest_dir, cycle, as_of, table, events_dir)
            mark_site(tmp)
            _swap_in(tmp, out)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return out


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------
#: the index's probability filter: [low, high) and its label
PROBABILITY_BANDS = [(0.0, 0.01, "under 1%"), (0.01, 0.05, "1% to 5%"), (0.05, 0.20, "5% to 20%"),
                     (0.20, float("inf"), "20% or more")]


def probability_band(p) -> int | None:
    """Index into PROBABILITY_BANDS of a P(loss) (None when missing)."""
    if p is None or pd.isna(p):
        return None
    return next(i for i, (lo, hi, _) in enumerate(PROBABILITY_BANDS) if lo <= max(float(p), 0.0) < hi)


def chosen_as_of(history: pd.DataFrame, cycle: int | None, as_of) -> pd.Timestamp:
    """The date the site shows: ``as_of`` if given (validated), else ``default_publish_as_of``."""
    if as_of is None:
        return default_publish_as_of(history, cycle)
    try:
        when = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        when = pd.NaT
    if pd.isna(when):
        raise InputError("publish", f"not a date: {as_of!r} (use YYYY-MM-DD)", field="as_of")
    dates = as_of_dates(history, cycle)
    if dates.empty or when.normalize() < dates["as_of"].min():
        first = "none" if dates.empty else dates["as_of"].min().date().isoformat()
        raise InputError("publish", f"no snapshot on or before {when.date()} (the first is {first})",
                         field="as_of")
    return when.normalize()


def _committed_table() -> pd.DataFrame | None:
    from features.table.store import TABLE_CSV, load_table
    return load_table(TABLE_CSV) if TABLE_CSV.is_file() else None


def _render_site(root: Path, history: pd.DataFrame, backtest_dir: Path, cycle: int | None, as_of=None,
                 table: pd.DataFrame | None = None, events_dir=None) -> None:
    env = environment()
    cycle = int(typed(history)["cycle"].max()) if cycle is None else int(cycle)
    shown = chosen_as_of(history, cycle, as_of)
    latest = latest_snapshot(history, cycle, as_of=shown)
    if latest.empty:
        raise InputError("publish", f"no snapshot of cycle {cycle} to publish", field="cycle")
    hist = typed(history)
    hist = hist[hist["cycle"] == cycle]
    latest["slug"] = [race_slug(s, d, p) for s, d, p in zip(latest["state"], latest["district"], latest["party"])]
    dates = as_of_dates(history, cycle)
    sim = latest["simulated"].astype(bool) if "simulated" in latest.columns else pd.Series(False, index=latest.index)
    through = latest["inputs_through"].dropna().max() if "inputs_through" in latest.columns else None
    meta = {"cycle": cycle, "as_of": shown, "model": _join(latest["model"]),
            "model_version": _join(latest["model_version"]), "model_label": _join(model_label(latest)),
            "n_races": int(len(latest)),
            "n_snapshots": int(hist["as_of"].nunique()),
            "n_simulated_rows": int(sim.sum()), "simulated": bool(sim.any()),
            "inputs_through": None if through is None or pd.isna(through) else through,
            "dates": [{"as_of": r.as_of, "n_rows": int(r.n_rows), "simulated": bool(r.simulated),
                       "shown": r.as_of == shown} for r in dates.itertuples()],
            "n_later_simulated": int(((dates["as_of"] > shown) & dates["simulated"]).sum()),
            "expected": second_target.expected_defeats(latest)}
    # how good a forecast of this horizon has been, and how many will lose (reports/backtest)
    horizon = horizon_skill.published_horizon(latest)
    champion = str(latest["model"].mode().iloc[0]) if latest["model"].notna().any() else ""
    meta.update(horizon=horizon, horizon_label=horizon_skill.HORIZON_LABELS[horizon],
                skill=horizon_skill.skill_summary(backtest_dir, champion, horizon),
                defeats=horizon_skill.defeat_interval(latest, backtest_dir, champion, horizon))

    (root / "races").mkdir()
    latest["band"] = [probability_band(v) for v in latest["p_loss"]]
    latest["model_label"] = model_label(latest)
    latest["bar_px"] = [probability_bar(v) for v in latest["p_loss"]]
    latest["top_driver"] = [top_driver(d) for d in latest["drivers"]]
    latest["seat_differs"] = [None not in (number(a), number(b)) and abs(number(a) - number(b)) >= 0.0005
                              for a, b in zip(latest["p_loss"], latest["p_lose_seat_same_party"])]
    races = _records(latest)
    _write(root / "index.html", env.get_template("index.html").render(
        meta=meta, races=races, root="", bands=[label for _, _, label in PROBABILITY_BANDS],
        states=sorted(latest["state"].unique()), parties=sorted(latest["party"].unique())))
    timelines = _timelines(hist)
    facts = race_facts.race_facts(table if table is not None else _committed_table(), races, events_dir)
    by_slug: dict[str, list[dict]] = {}
    for rec in races:
        by_slug.setdefault(rec["slug"], []).append(rec)
    race_tpl = env.get_template("race.html")
    for slug, recs in by_slug.items():
        _render_race(race_tpl, root, slug, recs, timelines, meta, facts)
    _render_checking(env, root, backtest_dir, meta)
    _render_methodology(env, root, meta)

    records = feeds.forecast_records(latest)
    feeds.write_forecast_csv(records, root / "forecast.csv")
    feeds.write_forecast_json(records, root / "forecast.json")
    feeds.write_history_csv(history, root / "history.csv")


_RACE_KEY = ("state", "district", "party", "incumbent")


def _timelines(hist: pd.DataFrame) -> dict[tuple, list[dict]]:
    """Per incumbent, one record per as-of date (the last stored), in date order."""
    h = hist.assign(_order=range(len(hist))).sort_values(["as_of", "_order"])
    h = h.drop_duplicates(list(_RACE_KEY) + ["as_of"], keep="last").drop(columns="_order")
    h = h.assign(model_id=model_key(h), model_label=model_label(h))
    out: dict[tuple, list[dict]] = {}
    for rec in _records(h):
        past = out.setdefault(tuple(rec[k] for k in _RACE_KEY), [])
        rec["model_changed"] = bool(past) and past[-1]["model_id"] != rec["model_id"]
        past.append(rec)
    return out


def _render_race(template, root: Path, slug: str, recs: list[dict], timelines: dict, meta: dict,
                 facts: dict | None = None) -> None:
    members = []
    for rec in recs:
        past = timelines.get(tuple(rec[k] for k in _RACE_KEY), [])
        drivers = json.loads(rec["drivers"]) if isinstance(rec.get("drivers"), str) and rec["drivers"] else []
        biggest = max((abs(d["delta"]) for d in drivers), default=0) or 1.0
        for d in drivers:
            d["bar"] = int(round(200 * abs(d["delta"]) / biggest))
        members.append({**rec, "drivers_list": drivers, "drivers_text": drivers_text(drivers),
                        "what_if": what_if_note(rec, drivers),
                        "chart": Markup(charts.p_loss_svg([(t["as_of"], t["p_loss"], t["simulated"], t["model_id"])
                                                           for t in past])),
                        "timeline": past,
                        "timeline_mixed_share": any(not (v := vote_share(t))["conditional"] and not v["unopposed"]
                                                    for t in past),
                        "facts": (facts or {}).get(tuple(rec[k] for k in _RACE_KEY)),
                        "november": second_target.november_system(rec),
                        "explanation": second_target.explanation(
                            rec, [r["incumbent"] for r in recs if r is not rec])})
    first = recs[0]
    _write(root / "races" / f"{slug}.html", template.render(
        meta=meta, members=members, pair=second_target.pair_summary(recs),
        race={"slug": slug, "state": first["state"],
                                          "district": int(first["district"]), "party": first["party"]},
        root="../"))


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts with every missing value (NaN, NA, NaT) as None, for the templates."""
    out = []
    for rec in df.to_dict(orient="records"):
        out.append({k: (None if not isinstance(v, (list, dict, str)) and pd.isna(v) else v)
                    for k, v in rec.items()})
    return out


def field_status(rec) -> str:
    """'known', 'filing open until <deadline>', or, past the deadline with no ballot list in the data,
    'deadline <date> passed; ballot unconfirmed' (the forecast then keeps the hurdle)."""
    get = rec.get if isinstance(rec, dict) else (lambda k: getattr(rec, k, None))
    if get("field_known"):
        return "known"
    deadline, as_of = get("filing_deadline"), get("as_of")
    if deadline is None or pd.isna(deadline):
        return "field not final"
    if as_of is not None and not pd.isna(as_of) and pd.Timestamp(as_of) > pd.Timestamp(deadline):
        return f"deadline {_date(deadline)} passed; ballot unconfirmed"
    return f"filing open until {_date(deadline)}"


#: drivers whose what-if reads better as its own clause than "If the <driver> were <reference>"
WHAT_IF_CLAUSES = {"rematch of the last primary": "If the last primary's top challenger were not running again"}


def what_if_note(rec: dict, drivers: list[dict]) -> str:
    """Plain sentences on what would change the forecast (numbers from the snapshot, no model call)."""
    p = rec.get("p_loss")
    if p is None or pd.isna(p):
        return "No forecast."
    parts = []
    known = rec.get("field_known")
    if known is not None and not bool(known):
        deadline = rec.get("filing_deadline")
        when = f" ({_date(deadline)})" if deadline is not None and not pd.isna(deadline) else ""
        plc, pc = rec.get("p_loss_if_contested"), rec.get("p_contested")
        if plc is not None and not pd.isna(plc):
            parts.append(f"The field is not final{when}: the model gives {pct(pc)} that a same-party "
                         f"challenger is on the ballot, and {pct(plc)} that the incumbent loses if one is.")
    elif p <= 0:
        return "No same-party challenger is on the ballot: renomination is settled unless the field changes."
    if drivers:
        from forecasting.live.drivers import ZERO_REFERENCE

        top = drivers[0]
        alt = min(1.0, max(0.0, p - top["delta"]))
        typical = "none, as in most races" if top["driver"] in ZERO_REFERENCE else "typical (the cycle's median)"
        clause = WHAT_IF_CLAUSES.get(top["driver"], f"If the {top['driver']} were {typical}")
        parts.append(f"{clause}, the chance of losing would be about {pct(alt)} instead of {pct(p)}.")
    return " ".join(parts) or "The forecast rests on the model's baseline for a contested incumbent."


def _render_checking(env: Environment, root: Path, backtest_dir: Path, meta: dict) -> None:
    """checking-our-work.html (+ calibration.png) from reports/backtest (see ``publish.checking``): one
    section per horizon, the published forecast's horizon first; calibration at that horizon."""
    from features.view.horizons import HORIZON_LABELS
    from forecasting.evaluation.scoreboard import best_model, horizons_of

    sections, calib_tables, calib_img, note = [], [], None, []
    published = meta.get("horizon", "day_before")
    rel = checking.read_reliability(backtest_dir)
    sb_path = backtest_dir / "scoreboard.csv"
    best = None
    if sb_path.is_file():
        board = pd.read_csv(sb_path, dtype={"cycle": str})
        present = horizons_of(board)
        for h in sorted(present, key=lambda h: (h != published, present.index(h))):
            best_h = best_model(board, horizon=h) if "money_mode" in board.columns else None
            sections.append({"horizon": h, "label": HORIZON_LABELS.get(h, h), "published": h == published,
                             "tables": checking.skill_tables(board, rel, h if "horizon" in board.columns else None),
                             "best": best_h, **_count_rows(board, best_h, h)})
        best = sections[0]["best"] if sections else None
    else:
        note.append(f"No backtest scoreboard yet ({sb_path.name} not found): run `primary-forecast backtest`.")
    if rel is not None:
        horizon = published if "horizon" in rel.columns and (rel["horizon"] == published).any() else None
        calib_tables = checking.calibration_tables(rel, first_model=best, horizon=horizon)
        if checking.calibration_png(rel, root / "calibration.png", horizon=horizon, highlight=best) is not None:
            calib_img = "calibration.png"
    else:
        note.append("No reliability table (reliability.csv) or per-race backtest predictions found, "
                    "so no calibration yet.")
    _write(root / "checking-our-work.html", env.get_template("checking.html").render(
        meta=meta, sections=sections, calibration=calib_img, calibration_tables=calib_tables, best=best,
        column_labels=checking.COLUMN_LABELS, second_labels={**checking.COLUMN_LABELS, **checking.SECOND_TARGET_LABELS},
        notes=note, root="", second=checking.second_target_tables(backtest_dir)))


#: the repository's methodology notes, rendered as the site's methodology page
METHODOLOGY_MD = PROJECT_ROOT / "docs" / "methodology.md"


def _render_methodology(env: Environment, root: Path, meta: dict, source: Path = METHODOLOGY_MD) -> None:
    """methodology.html from ``docs/methodology.md`` (Markdown; raw HTML in it is escaped, not run)."""
    from markdown_it import MarkdownIt

    text = source.read_text(encoding="utf-8") if source.is_file() else "# Methodology\n\nNot available."
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    _write(root / "methodology.html", env.get_template("methodology.html").render(
        meta=meta, root="", body=Markup(body)))


def _count_rows(board: pd.DataFrame, model: str | None, horizon: str) -> dict:
    """The per-cycle defeat counts of ``model`` at ``horizon`` (scoreboard ``COUNT_COLUMNS``)."""
    need = {"expected_lost", "lost_p10", "lost_p90", "lost_covered80", "horizon"}
    if model is None or not need <= set(board.columns):
        return {"count_rows": [], "counts": None}
    per = board[(board["horizon"] == horizon) & (board["model"] == model) & (board["money_mode"] == "preprimary")
                & (board["cycle"] != "pooled")]
    rows = [{"cycle": r.cycle, "n_lost": int(r.n_lost), "expected_lost": float(r.expected_lost),
             "lost_p10": int(r.lost_p10), "lost_p90": int(r.lost_p90), "covered": bool(r.lost_covered80)}
            for r in per.itertuples()]
    return {"count_rows": rows, "counts": {"covered": sum(r["covered"] for r in rows), "cycles": len(rows)}}


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The atomic swap
# ---------------------------------------------------------------------------------------------
def _swap_in(tmp: Path, out: Path) -> None:
    """Make ``tmp`` the new ``out``; afterwards ``tmp`` holds the old site (removed by the caller)."""
    if out.exists() and not out.is_dir():
        raise InputError(out, "publish target exists and is not a folder")
    swap_folder(tmp, out)


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


def _date(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "–"
    return pd.Timestamp(v).date().isoformat()


def _join(values: pd.Series) -> str:
    return ", ".join(dict.fromkeys(str(v) for v in values if isinstance(v, str) and v))


#: the probability bar's full width (px) and its range: a log scale from 0.1% (no bar) to 50% (full)
BAR_PX, BAR_LOW, BAR_HIGH = 80, 0.001, 0.5


def probability_bar(p) -> int:
    """Width in px of P(loss)'s bar on the index: log scale, so 1%, 5% and 20% read apart."""
    if p is None or pd.isna(p) or float(p) <= BAR_LOW:
        return 0
    frac = (np.log10(float(p)) - np.log10(BAR_LOW)) / (np.log10(BAR_HIGH) - np.log10(BAR_LOW))
    return int(round(BAR_PX * min(1.0, frac)))


def top_driver(drivers) -> str:
    """The factor that raises the forecast most, in words ('' when none raises it)."""
    try:
        items = json.loads(drivers) if isinstance(drivers, str) and drivers else []
    except ValueError:
        return ""
    up = [d for d in items if isinstance(d, dict) and d.get("delta", 0) > 0]
    return str(max(up, key=lambda d: d["delta"])["driver"]) if up else ""
