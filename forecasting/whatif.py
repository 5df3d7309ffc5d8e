"""What-if scenarios for one race: change the known facts, re-predict, report how the number moves.

An override dict (JSON-friendly; the CLI's ``--whatif``) may hold:

- ``os_for_inc`` / ``os_against_inc`` / ``os_for_chal`` / ``os_against_chal``: extra outside spending
  (dollars, added to what is known), either a number or ``{"amount": 10e6, "class": "pro-israel",
  "spender": "United Democracy Project"}``; ``class`` is a spender class of
  ``features.outside_spending.SPENDER_CLASSES`` (default 'other');
- ``outside_spending``: a list of ``{"side": "against_chal", "amount": ..., "class": ..., "spender": ...}``;
- ``endorse`` / ``unendorse``: an endorsement added or removed -- a dict ``{"class": "justice-democrats",
  "side": "challenger"}`` (or ``"endorser": "Justice Democrats"``, classified by
  ``features.endorsements.endorser_class``), a list of them, or a bare class name (side: challenger);
- ``chal_receipts`` / ``chal_cash`` / ``inc_receipts`` / ``inc_cash``: set the pre-primary money
  (dollars; ``money_ratio`` is recomputed).

Added spending and endorsements go through the watchlist's own rules
(``forecasting.watchlist.apply_watchlist``), so a what-if moves exactly the columns a sourced
watchlist entry would.  Any bad value -- negative or non-numeric money, an unknown endorser, class,
side or key, a race that is not in the view -- raises one :class:`features.errors.InputError`
naming the field.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from features import endorsements as _endorsements
from features import outside_spending as _outside
from features.errors import InputError
from forecasting import watchlist as wl

SOURCE = "what-if"
SPEND_KEYS = ("os_for_inc", "os_against_inc", "os_for_chal", "os_against_chal")
MONEY_KEYS = ("chal_receipts", "chal_cash", "inc_receipts", "inc_cash")
KEYS = SPEND_KEYS + MONEY_KEYS + ("outside_spending", "endorse", "unendorse")
PREDICTION_KEYS = ("p_loss", "p_contested", "p_loss_if_contested", "share_mean", "share_p10", "share_p50",
                   "share_p90", "p_lose_seat_same_party")
_INSURGENT_FLAGS = {"justice-democrats": "end_jd_chal", "our-revolution": "end_our_revolution_chal",
                    "sunrise": "end_sunrise_chal", "wfp": "end_wfp_chal", "sanders": "end_sanders_chal",
                    "aoc": "end_aoc_chal"}


def parse_overrides(overrides) -> dict:
    """Validate an override dict (or its JSON text) and return it in canonical form:
    ``{"spending": [...], "endorse": [...], "unendorse": [...], "money": {...}}``."""
    if overrides is None:
        overrides = {}
    if isinstance(overrides, str):
        try:
            overrides = json.loads(overrides) if overrides.strip() else {}
        except json.JSONDecodeError as exc:
            raise InputError(SOURCE, f"not valid JSON: {exc}", field="whatif") from None
    if not isinstance(overrides, dict):
        raise InputError(SOURCE, "what-if overrides must be a mapping", field="whatif")
    unknown = sorted(set(overrides) - set(KEYS))
    if unknown:
        raise InputError(SOURCE, f"unknown key (known: {', '.join(KEYS)})", field=unknown[0])
    out = {"spending": [], "endorse": [], "unendorse": [], "money": {}}
    for key in SPEND_KEYS:
        if key in overrides:
            out["spending"].append(_spending(overrides[key], key, key[3:]))
    items = overrides.get("outside_spending") or []
    if not isinstance(items, list):
        items = [items]
    for i, item in enumerate(items):
        field = f"outside_spending[{i}]"
        if not isinstance(item, dict):
            raise InputError(SOURCE, "each item is a mapping with side, amount, class", field=field)
        side = item.get("side")
        if side not in [k[3:] for k in SPEND_KEYS]:
            raise InputError(SOURCE, f"side must be one of for_inc, against_inc, for_chal, against_chal, got "
                                     f"{side!r}", field=f"{field}.side")
        out["spending"].append(_spending({k: v for k, v in item.items() if k != "side"}, field, side))
    for key in ("endorse", "unendorse"):
        items = overrides.get(key) or []
        if not isinstance(items, list):
            items = [items]
        out[key] = [_endorsement(item, f"{key}[{i}]") for i, item in enumerate(items)]
    for key in MONEY_KEYS:
        if key in overrides:
            out["money"][key] = _amount(overrides[key], key)
    return out


def _amount(value, field: str) -> float:
    amount = wl.parse_amount(value)
    if amount is None:
        raise InputError(SOURCE, f"not a number of dollars: {value!r}", field=field)
    if amount < 0:
        raise InputError(SOURCE, f"money cannot be negative: {value!r}", field=field)
    return amount


def _spending(value, field: str, side: str) -> dict:
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"amount", "class", "spender"})
        if unknown:
            raise InputError(SOURCE, "unknown key (allowed: amount, class, spender)", field=f"{field}.{unknown[0]}")
        if "amount" not in value:
            raise InputError(SOURCE, "amount is required", field=f"{field}.amount")
        amount = _amount(value["amount"], f"{field}.amount")
        cls = str(value.get("class", "other"))
        spender = str(value.get("spender") or f"what-if ({cls})")
    else:
        amount, cls, spender = _amount(value, field), "other", "what-if"
    if cls not in _outside.SPENDER_CLASSES:
        raise InputError(SOURCE, f"unknown spender class {cls!r} (known: {', '.join(_outside.SPENDER_CLASSES)})",
                         field=f"{field}.class")
    return {"side": side, "amount": amount, "class": cls, "spender": spender}


def _endorsement(item, field: str) -> dict:
    if isinstance(item, str):
        item = {"class": item, "side": "challenger"}
    if not isinstance(item, dict):
        raise InputError(SOURCE, "an endorsement is a class name or a mapping with class/endorser and side",
                         field=field)
    unknown = sorted(set(item) - {"class", "endorser", "side"})
    if unknown:
        raise InputError(SOURCE, "unknown key (allowed: class, endorser, side)", field=f"{field}.{unknown[0]}")
    if "class" in item:
        cls = str(item["class"])
        if cls not in _endorsements.ENDORSER_CLASSES:
            raise InputError(SOURCE, f"unknown endorser class {cls!r} (known: "
                                     f"{', '.join(_endorsements.ENDORSER_CLASSES)})", field=f"{field}.class")
    elif "endorser" in item:
        cls = _endorsements.endorser_class(item["endorser"])
        if cls == "other":
            raise InputError(SOURCE, f"unknown endorser {item['endorser']!r}: not one of the classified groups "
                                     f"(give a class: {', '.join(_endorsements.ENDORSER_CLASSES)})",
                             field=f"{field}.endorser")
    else:
        raise InputError(SOURCE, "give the endorser's class (or the endorser)", field=f"{field}.class")
    side = item.get("side", "challenger")
    if side not in wl.SIDES:
        raise InputError(SOURCE, f"side must be one of {wl.SIDES}, got {side!r}", field=f"{field}.side")
    return {"class": cls, "side": side, "endorser": str(item.get("endorser") or cls)}


def apply_whatif(view_rows: pd.DataFrame, overrides) -> pd.DataFrame:
    """Apply what-if overrides to rows of an as-of view (normally the one race's row).

    Parameters
    ----------
    view_rows : rows of ``features.asof.as_of_view`` (with ``as_of``), optionally with a watchlist applied.
    overrides : dict or JSON text (module docstring).

    Returns
    -------
    A modified copy (same index); ``whatif`` holds the canonical overrides as JSON.
    """
    return _apply(view_rows, parse_overrides(overrides))


def _apply(view_rows: pd.DataFrame, spec: dict) -> pd.DataFrame:
    rows = view_rows.copy()
    if rows.empty:
        raise InputError(SOURCE, "no race rows to apply the what-if to", field="race")
    if "as_of" not in rows.columns:
        raise InputError(SOURCE, "the rows are not an as-of view (no 'as_of' column)", field="as_of")
    keep = {c: rows[c].copy() for c in ("watchlist_challengers", "watchlist_sources") if c in rows.columns}
    events = []
    for s in spec["spending"]:
        events.append(("outside_spending", s["spender"], s["class"], s["side"], s["amount"]))
    for e in spec["endorse"]:
        events.append(("endorsement", e["endorser"], e["class"], e["side"], 0.0))
    for idx, row in rows.iterrows():
        if events:
            when = pd.Timestamp(row["as_of"])
            evs = [wl.Event(kind, when, str(when.date()), SOURCE, name, cls, side, amount=amount)
                   for kind, name, cls, side, amount in events]
            race = wl.RaceEntry(SOURCE, row["state"], int(row["district"]), row["party"], None, events=evs)
            one = wl.apply_watchlist(rows.loc[[idx]], wl.Watchlist(SOURCE, int(row["cycle"]), [race]))
            for col in one.columns:
                if col not in rows.columns:
                    rows[col] = pd.Series(pd.NA, index=rows.index, dtype=one[col].dtype)
                rows.loc[idx, col] = one.at[idx, col]
        for e in spec["unendorse"]:
            _remove_endorsement(rows, idx, e)
        for col, amount in spec["money"].items():
            rows.loc[idx, col] = amount
        if spec["money"]:
            inc, chal = rows.at[idx, "inc_receipts"], rows.at[idx, "chal_receipts"]
            if pd.notna(inc) and pd.notna(chal) and float(inc) + float(chal) > 0:
                rows.loc[idx, "money_ratio"] = float(inc) / (float(inc) + float(chal))
    for col, values in keep.items():
        rows[col] = values
    rows["whatif"] = json.dumps(spec, sort_keys=True)
    return rows


def _remove_endorsement(rows: pd.DataFrame, idx, e: dict) -> None:
    """Clear the class's flags (the analyst asserts the race's endorsements: ``end_covered``)."""
    cols = wl.endorsement_columns(e["class"], e["side"], str(rows.at[idx, "party"]))
    if "end_covered" in rows.columns:
        rows.loc[idx, "end_covered"] = True
    for col in cols:
        if col == "end_insurgent_chal":
            continue
        if col in rows.columns:
            rows.loc[idx, col] = False if rows[col].dtype in ("boolean", bool) else 0
    if "end_insurgent_chal" in cols and "end_insurgent_chal" in rows.columns:
        # still insurgent-backed if another insurgent class remains (a Squad member's endorsement has no
        # flag of its own and is lost here)
        remaining = [rows.at[idx, c] for c in _INSURGENT_FLAGS.values()
                     if c in rows.columns and c != _INSURGENT_FLAGS.get(e["class"])]
        still = any(pd.notna(v) and float(v) > 0 for v in remaining)
        rows.loc[idx, "end_insurgent_chal"] = 1 if still else 0


def race_rows(view: pd.DataFrame, race_key) -> pd.DataFrame:
    """The view's rows of one race; ``race_key`` = (cycle, state, district[, party]) or a dict of them."""
    if isinstance(race_key, dict):
        key = [race_key.get(k) for k in ("cycle", "state", "district", "party")]
    else:
        key = list(race_key) + [None] * (4 - len(race_key))
    cycle, state, district, party = key[:4]
    from features.neighbours import find_race

    row = find_race(view, cycle, state, district, party, source=SOURCE)
    return view.loc[[row.name]]


def whatif_delta(model, view: pd.DataFrame, race_key, overrides) -> dict:
    """P(loss) and the share distribution of one race before and after the what-if.

    Parameters
    ----------
    model : a fitted :class:`forecasting.models.base.PrimaryModel`.
    view : an as-of view holding the race (``race_view`` builds the one live scoring uses).
    race_key : (cycle, state, district[, party]).
    overrides : dict or JSON text.

    Returns
    -------
    dict with ``before`` and ``after`` (dicts of ``PREDICTION_KEYS``), ``delta`` (after - before),
    ``overrides`` (as given), ``canonical`` (``parse_overrides``) and ``race`` (cycle, state, district,
    party, incumbent).
    """
    rows = race_rows(view, race_key)
    spec = parse_overrides(overrides)
    changed = _apply(rows, spec)
    before = model.predict(rows)
    after = model.predict(changed)
    b = {k: float(before[k].iloc[0]) for k in PREDICTION_KEYS}
    a = {k: float(after[k].iloc[0]) for k in PREDICTION_KEYS}
    r = rows.iloc[0]
    requested = json.loads(overrides) if isinstance(overrides, str) and overrides.strip() else overrides
    return {"race": {"cycle": int(r["cycle"]), "state": r["state"], "district": int(r["district"]),
                     "party": r["party"], "incumbent": r["incumbent"]},
            "before": b, "after": a, "delta": {k: a[k] - b[k] for k in PREDICTION_KEYS},
            "overrides": requested or {}, "canonical": spec}


def race_view(table: pd.DataFrame, cycle: int, state: str, as_of, watchlist=None) -> pd.DataFrame:
    """The view ``forecasting.scoring.score_cycle`` scores (``scoring.live_view``), for one state's rows
    of a cycle."""
    from forecasting.scoring import live_view, parse_as_of

    when = parse_as_of(as_of, int(cycle))
    rows = table[(table["cycle"] == int(cycle)) & (table["state"] == str(state).upper())].reset_index(drop=True)
    if rows.empty:
        raise InputError(SOURCE, f"no {cycle} incumbent in state {state!r}", field="state")
    return live_view(rows, when, watchlist)


def whatif_table(result: dict) -> pd.DataFrame:
    """``whatif_delta``'s result as a small before / after / change table (rows: the prediction keys)."""
    return pd.DataFrame({"before": result["before"], "after": result["after"], "change": result["delta"]},
                        index=list(PREDICTION_KEYS)).astype(float).replace({np.nan: None})
