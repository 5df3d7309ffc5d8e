"""What-if scenarios for one race: change the known facts, re-predict, report how the number moves.

An override dict (JSON-friendly; the CLI's ``--whatif``) may hold:

- ``os_for_inc`` / ``os_against_inc`` / ``os_for_chal`` / ``os_against_chal``: extra outside spending
  (dollars, added to what is known), either a number or ``{"amount": 10e6, "class": "pro-israel",
  "spender": "United Democracy Project"}``; ``class`` is a spender class of
  ``features.evidence.outside_spending.SPENDER_CLASSES`` (default 'other');
- ``outside_spending``: a list of ``{"side": "against_chal", "amount": ..., "class": ..., "spender": ...}``;
- ``endorse`` / ``unendorse``: an endorsement added or removed -- a dict ``{"class": "justice-democrats",
  "side": "challenger"}`` (or ``"endorser": "Justice Democrats"``, classified by
  ``features.evidence.endorsements.endorser_class``), a list of them, or a bare class name (side: challenger);
- ``chal_receipts`` / ``chal_cash`` / ``inc_receipts`` / ``inc_cash``: set the pre-primary money
  (dollars; ``money_ratio`` is recomputed).

Added spending and endorsements go through the watchlist's own rules
(``features.evidence.watchlist.apply_watchlist``), so a what-if moves exactly the columns a sourced
watchlist entry would.  The overrides are validated by the pydantic model ``WhatIf``: any bad value --
negative or non-numeric money, a value of the wrong type, an unknown endorser, class, side or key
(unknown keys are refused, and named), a race that is not in the view -- raises one
:class:`features.kernel.errors.InputError` naming the field.
"""
from __future__ import annotations

import json
from typing import Annotated, Union

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Discriminator, Field, Tag, field_validator

from features.evidence import endorsements as _endorsements
from features.evidence import outside_spending as _outside
from features.evidence import watchlist as wl
from features.kernel.errors import InputError
from features.kernel.validation import Dollars, StrictModel, Text, one_of, validate

SOURCE = "what-if"
#: the longest what-if text accepted (a few scenarios are a few hundred characters)
MAX_WHATIF_TEXT = 20_000
#: the deepest nesting of lists and mappings a what-if may have (a scenario needs three or four)
MAX_WHATIF_DEPTH = 16


def _nesting(text: str) -> int:
    """The deepest nesting of ``[`` / ``{`` in JSON text (brackets inside strings not counted)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest
SPEND_KEYS = ("os_for_inc", "os_against_inc", "os_for_chal", "os_against_chal")
MONEY_KEYS = ("chal_receipts", "chal_cash", "inc_receipts", "inc_cash")
PREDICTION_KEYS = ("p_loss", "p_contested", "p_loss_if_contested", "share_mean", "share_p10", "share_p50",
                   "share_p90", "share_if_contested_p10", "share_if_contested_p50", "share_if_contested_p90",
                   "p_lose_seat_same_party")
_INSURGENT_FLAGS = {"justice-democrats": "end_jd_chal", "our-revolution": "end_our_revolution_chal",
                    "sunrise": "end_sunrise_chal", "wfp": "end_wfp_chal", "sanders": "end_sanders_chal",
                    "aoc": "end_aoc_chal"}


def _as_list(value):
    return [] if value is None else value if isinstance(value, list) else [value]


class SpendFigure(StrictModel):
    """Extra outside spending: ``{"amount": 10e6, "class": "pro-israel", "spender": "..."}``."""

    amount: Dollars
    cls: one_of(_outside.SPENDER_CLASSES, "spender class") = Field("other", alias="class")
    spender: Text | None = None


def _spend_kind(value) -> str:
    return "(mapping)" if isinstance(value, dict) else "(number)"


#: a figure for one of SPEND_KEYS: dollars, or a SpendFigure mapping
Spend = Annotated[Union[Annotated[SpendFigure, Tag("(mapping)")], Annotated[Dollars, Tag("(number)")]],
                  Discriminator(_spend_kind)]


def _spend_side(value) -> str:
    sides = [k[3:] for k in SPEND_KEYS]
    if value not in sides:
        raise ValueError(f"side must be one of {', '.join(sides)}, got {value!r}")
    return value


class SpendItem(SpendFigure):
    """An ``outside_spending`` item: a SpendFigure with its ``side``."""

    side: Annotated[str, BeforeValidator(_spend_side)]


class EndorseSpec(StrictModel):
    """An endorsement added or removed: a class (or an endorser it is classified from) and a side."""

    cls: one_of(_endorsements.ENDORSER_CLASSES, "endorser class") | None = Field(None, alias="class")
    endorser: Text | None = Field(None, validate_default=True)
    side: wl.Side = "challenger"

    @field_validator("endorser")
    @classmethod
    def _classified(cls, value, info):
        if "cls" not in info.data or info.data["cls"] is not None:
            return value                            # a class given (or already refused)
        if value is None:
            raise ValueError("give the endorser's class (or the endorser)")
        if _endorsements.endorser_class(value) == "other":
            raise ValueError(f"unknown endorser {value!r}: not one of the classified groups (give a class: "
                             f"{', '.join(_endorsements.ENDORSER_CLASSES)})")
        return value

    def canonical(self) -> dict:
        cls = self.cls if self.cls is not None else _endorsements.endorser_class(self.endorser)
        return {"class": cls, "side": self.side, "endorser": self.endorser or cls}


#: a bare class name means an endorsement of the challenger
EndorseItem = Annotated[EndorseSpec, BeforeValidator(
    lambda v: {"class": v, "side": "challenger"} if isinstance(v, str) else v)]
Endorsements = Annotated[list[EndorseItem], BeforeValidator(_as_list)]


class WhatIf(StrictModel):
    """What-if overrides (module docstring); unknown keys are refused."""

    os_for_inc: Spend = None
    os_against_inc: Spend = None
    os_for_chal: Spend = None
    os_against_chal: Spend = None
    outside_spending: Annotated[list[SpendItem], BeforeValidator(_as_list)] = []
    endorse: Endorsements = []
    unendorse: Endorsements = []
    chal_receipts: Dollars = None
    chal_cash: Dollars = None
    inc_receipts: Dollars = None
    inc_cash: Dollars = None


def _spending(value, side: str) -> dict:
    if isinstance(value, SpendFigure):
        return {"side": side, "amount": value.amount, "class": value.cls,
                "spender": value.spender or f"what-if ({value.cls})"}
    return {"side": side, "amount": value, "class": "other", "spender": "what-if"}


def parse_overrides(overrides) -> dict:
    """Validate an override dict (or its JSON text) and return it in canonical form:
    ``{"spending": [...], "endorse": [...], "unendorse": [...], "money": {...}}``."""
    if overrides is None:
        overrides = {}
    if isinstance(overrides, str):
        if len(overrides) > MAX_WHATIF_TEXT:
            raise InputError(SOURCE, f"{len(overrides):,} characters (at most {MAX_WHATIF_TEXT:,})", field="whatif")
        if _nesting(overrides) > MAX_WHATIF_DEPTH:
            raise InputError(SOURCE, f"nested too deeply to read (more than {MAX_WHATIF_DEPTH} levels)",
                             field="whatif")
        try:
            overrides = json.loads(overrides) if overrides.strip() else {}
        except json.JSONDecodeError as exc:
            raise InputError(SOURCE, f"not valid JSON: {exc}", field="whatif") from None
        except RecursionError:
            raise InputError(SOURCE, "nested too deeply to read", field="whatif") from None
    spec = validate(WhatIf, overrides, SOURCE, what="what-if overrides must be a mapping")
    given = spec.model_fields_set
    out = {"spending": [_spending(getattr(spec, k), k[3:]) for k in SPEND_KEYS if k in given],
           "endorse": [e.canonical() for e in spec.endorse],
           "unendorse": [e.canonical() for e in spec.unendorse],
           "money": {k: getattr(spec, k) for k in MONEY_KEYS if k in given}}
    out["spending"] += [_spending(item, item.side) for item in spec.outside_spending]
    return out


def apply_whatif(view_rows: pd.DataFrame, overrides) -> pd.DataFrame:
    """Apply what-if overrides to rows of an as-of view (normally the one race's row).

    Parameters
    ----------
    view_rows : rows of ``features.view.asof.as_of_view`` (with ``as_of``), optionally with a watchlist applied.
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
    cols = _endorsements.endorsement_columns(e["class"], e["side"], str(rows.at[idx, "party"]))
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
    from features.evidence.neighbours import find_race

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
    """The view ``forecasting.live.scoring.score_cycle`` scores (``scoring.live_view``), for one state's rows
    of a cycle."""
    from features.view.asof import live_view
    from features.kernel.dates import parse_as_of

    when = parse_as_of(as_of, int(cycle))
    rows = table[(table["cycle"] == int(cycle)) & (table["state"] == str(state).upper())].reset_index(drop=True)
    if rows.empty:
        raise InputError(SOURCE, f"no {cycle} incumbent in state {state!r}", field="state")
    return live_view(rows, when, watchlist)


def whatif_table(result: dict) -> pd.DataFrame:
    """``whatif_delta``'s result as a small before / after / change table (rows: the prediction keys)."""
    return pd.DataFrame({"before": result["before"], "after": result["after"], "change": result["delta"]},
                        index=list(PREDICTION_KEYS)).astype(float).replace({np.nan: None})
