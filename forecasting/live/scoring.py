"""Score a cycle as of a date: the live forecast, one row per incumbent seeking renomination.

``score_cycle`` takes the cycle's rows of the central table, builds the as-of view
(``features.view.asof.as_of_view``: before a state's filing deadline ``field_known`` is False and the
model's hurdle includes the chance that a serious challenger still files; after it the known field
decides -- where the data know it: a row whose ``contested`` is unknown keeps the hurdle), applies the analyst watchlist (events dated after the as-of date are ignored), proves the
as-of rule (``assert_as_of``), predicts with any :class:`~forecasting.models.base.PrimaryModel`, and
explains each P(loss) with the model-agnostic what-if deltas of :mod:`forecasting.live.drivers`.
"""
from __future__ import annotations


import pandas as pd

from features.evidence.watchlist import Watchlist, check_against_table
from features.kernel.errors import InputError
from features.view.asof import live_view
from forecasting.live import drivers as drv
from forecasting.live.snapshots import HISTORY_COLUMNS, RECORD_FORMAT, is_simulated
from forecasting.models.base import CONTESTED_SHARE_COLUMNS
from forecasting.models.identity import model_content_hash
from features.kernel.dates import parse_as_of
from features.kernel.names import dedupe_key, fec_display_name


def inputs_through(table: pd.DataFrame, cycle: int) -> pd.Timestamp | None:
    """The date the cycle's committed inputs run to: the latest FEC coverage end of its money
    (weball26: 2025-12-31); None without money dates.  The default as-of date of ``forecast``."""
    rows = table[table["cycle"] == int(cycle)]
    if "money_cvg_end" not in rows.columns:
        return None
    cvg = pd.to_datetime(rows["money_cvg_end"]).max()
    return None if pd.isna(cvg) else pd.Timestamp(cvg).normalize()


def default_as_of(table: pd.DataFrame, cycle: int, now=None) -> pd.Timestamp:
    """The as-of date ``forecast`` uses when none is given: the date the inputs run to (capped at today),
    else today."""
    today = pd.Timestamp(now if now is not None else pd.Timestamp.now()).normalize()
    through = inputs_through(table, cycle)
    return today if through is None else min(through, today)


def model_identity(model, model_version: str | None = None) -> tuple[str, str]:
    """(model name, model version): explicit version, else the model's ``model_version_`` /
    ``version_`` attribute, else 'unregistered'."""
    name = str(getattr(model, "name", type(model).__name__))
    version = model_version or getattr(model, "model_version_", None) or getattr(model, "version_", None)
    return name, str(version) if version else f"{name}-unregistered"


def forecast_ids(model, view: pd.DataFrame) -> list[str]:
    """Per row, the snapshot identity: model content hash and the hash of the row's inputs (the as-of
    view the model saw: table, events, watchlist, as-of date) in the store's record format."""
    import hashlib

    m = model_content_hash(model)[:16]
    # roster_end only selects the rows of a view (members who left are not in it): not an input
    inputs = view.drop(columns=[c for c in ("watchlist_sources", "roster_end") if c in view.columns])
    rows = pd.util.hash_pandas_object(inputs.reset_index(drop=True), index=False).to_numpy()
    fmt = RECORD_FORMAT.to_bytes(2, "little")
    return [f"{m}-{hashlib.sha256(int(h).to_bytes(8, 'little') + fmt).hexdigest()[:16]}" for h in rows]


def score_cycle(table: pd.DataFrame, model, cycle: int, as_of, watchlist: Watchlist | None = None,
                now=None, model_version: str | None = None, states=None, explain: bool = True,
                n_drivers: int = 4, recorded_on=None) -> pd.DataFrame:
    """Forecast every incumbent of ``cycle`` as of ``as_of``.

    Parameters
    ----------
    table : the central table (``features.table.store.load_table()``).
    model : a fitted PrimaryModel.
    cycle : election year to score.
    as_of : the forecast date; must not be after ``now`` nor before the cycle's data start.
    watchlist : optional analyst watchlist (``features.evidence.watchlist.load_watchlist``).
    now : the current time (default: the machine clock); injectable for tests.
    model_version : recorded with every row (default: from the model, else '<name>-unregistered').
    states : optional iterable of state codes to score (re-scoring a few states); default all.
    explain : compute the top drivers (one extra model predict per driver group).
    n_drivers : drivers kept per race.
    recorded_on : the day the snapshot is made (default: the machine clock, whatever ``now`` says);
        with the inputs' date it decides ``simulated`` (``forecasting.live.snapshots.is_simulated``).

    Returns
    -------
    DataFrame, one row per incumbent, with ``forecasting.live.snapshots.HISTORY_COLUMNS`` (the feed
    columns of DESIGN.md section 9 first) plus ``drivers_text`` and ``watchlist_sources``.
    """
    cycle = int(cycle)
    when = parse_as_of(as_of, cycle, now)
    rows = table[table["cycle"] == cycle]
    if rows.empty:
        raise InputError("central table", f"no rows for cycle {cycle}", field="cycle")
    through = inputs_through(table, cycle)
    simulated = is_simulated(when, through, recorded_on if recorded_on is not None else pd.Timestamp.now())
    if watchlist is not None:
        if watchlist.cycle != cycle:
            raise InputError(watchlist.path, f"watchlist is for cycle {watchlist.cycle}, not {cycle}",
                             field="cycle")
        check_against_table(watchlist, rows)
    cycle_rows = rows
    if states is not None:
        states = sorted(set(states))
        rows = rows[rows["state"].isin(states)]
        if rows.empty:
            return pd.DataFrame(columns=HISTORY_COLUMNS + ["drivers_text", "watchlist_sources"])
    rows = rows.reset_index(drop=True)

    view = live_view(rows, when, watchlist)
    preds = model.predict(view)
    name, version = model_identity(model, model_version)
    out = pd.DataFrame({
        "cycle": cycle,
        "as_of": when,
        "state": view["state"].astype(str),
        "district": view["district"].astype(int),
        "party": view["party"].astype(str),
        "incumbent": view["incumbent"].astype(str),
        "challengers": known_challengers(view),
        "p_loss": preds["p_loss"].to_numpy(),
        "share_p10": preds["share_p10"].to_numpy(),
        "share_p50": preds["share_p50"].to_numpy(),
        "share_p90": preds["share_p90"].to_numpy(),
        "model": name,
        "model_version": version,
        "p_contested": preds["p_contested"].to_numpy(),
        "p_loss_if_contested": preds["p_loss_if_contested"].to_numpy(),
        "share_mean": preds["share_mean"].to_numpy(),
        **{col: preds[col].to_numpy() for col in CONTESTED_SHARE_COLUMNS},
        "field_known": view["field_known"].astype("boolean").to_numpy(),
        "forecast_id": forecast_ids(model, view),
    }, index=view.index)
    for col, values in second_target(view, preds).items():
        out[col] = values
    for col in ("filing_deadline", "primary_date", "runoff_date"):
        out[col] = pd.to_datetime(view[col]) if col in view.columns else pd.NaT
    for col in ("primary_system", "bioguide_id"):
        out[col] = view[col] if col in view.columns else None
    out["simulated"] = simulated
    out["inputs_through"] = through if through is not None else pd.NaT
    if explain:
        # drivers against one fixed reference, the cycle's national view as of the date, whichever
        # states are scored (the site, a race notebook and a re-scoring then agree)
        reference = view if states is None else live_view(cycle_rows.reset_index(drop=True), when, watchlist)
        deltas = drv.driver_deltas(model, view, base_p=preds["p_loss"].to_numpy(), reference=reference)
        tops = drv.top_drivers(deltas, k=n_drivers)
    else:
        tops = [[] for _ in range(len(view))]
    out["drivers"] = [drv.drivers_json(t) for t in tops]
    out["drivers_text"] = [drv.drivers_text(t) for t in tops]
    out["watchlist_sources"] = view.get("watchlist_sources", pd.Series("", index=view.index)).fillna("")
    out = out.sort_values(["p_loss", "state", "district"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True)


def second_target(view: pd.DataFrame, preds: pd.DataFrame) -> dict:
    """The snapshot's second-target columns (``forecasting.live.snapshots.SECOND_TARGET_COLUMNS``).

    ``p_lose_seat_same_party``: P(losing the nomination, or the seat to a same-party rival in
    November); ``p_same_party_rival_november``: P(the member advances and a same-party challenger is
    the other finalist) = (1 - p_loss) x P(same-party rival | advances); ``p_lose_general``: P(losing
    that same-party general).  The last two only where two finalists go to November (top-two CA/WA,
    top-four AK: ``forecasting.models.same_party.november_decides``), empty elsewhere; all three empty
    for a model fitted before the second target existed.
    """
    import numpy as np

    from forecasting.models.same_party import november_decides

    def col(name):
        return (pd.to_numeric(preds[name], errors="coerce").to_numpy(dtype=float) if name in preds.columns
                else np.full(len(view), np.nan))

    decides = november_decides(view)
    p_loss = col("p_loss")
    return {"p_lose_seat_same_party": col("p_lose_seat_same_party"),
            "p_same_party_rival_november": np.where(decides, (1 - p_loss) * col("p_same_party_november"), np.nan),
            "p_lose_general": np.where(decides, col("p_lose_general"), np.nan)}


def known_challengers(view: pd.DataFrame) -> list[str]:
    """Per row, the challengers known as of the view's date, '; '-joined.

    The table's field (``challengers``, ``top_challenger``) counts once the filing deadline has passed;
    in the live cycle the field is the FEC registrations, known from the FEC summary's coverage date,
    so it also counts when the view kept the money columns (``money_cvg_end`` on or before the as-of
    date).  Without a field, the FEC-matched challenger of the money columns (display-cased); then
    the watchlist's dated challengers.
    """
    n = len(view)
    known = _bool(view, "field_known")
    money_known = view["money_cvg_end"].notna().to_numpy() if "money_cvg_end" in view.columns else [False] * n
    live = view["lost"].isna().to_numpy() if "lost" in view.columns else [True] * n
    out = []
    for i, (_, row) in enumerate(view.iterrows()):
        field = []
        if known[i] or (live[i] and money_known[i]):
            field = _split(row.get("challengers")) + (_split(row.get("top_challenger")) if known[i] else [])
        fec = [] if field else [fec_display_name(n) for n in _split(row.get("chal_name_fec"))]
        names = field + fec + _split(row.get("watchlist_challengers"))
        seen: dict[str, str] = {}
        for name in names:
            seen.setdefault(dedupe_key(name), name)
        out.append("; ".join(seen.values()))
    return out


def _bool(view: pd.DataFrame, col: str):
    if col not in view.columns:
        return [False] * len(view)
    return view[col].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _split(value) -> list[str]:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [n.strip() for n in str(value).split(";") if n.strip()]


