"""The analyst watchlist: sourced additions and corrections applied on top of the central table.

A watchlist (``data/watchlist/<cycle>.yaml``) lists races with dated, sourced events:

- ``challengers``: a same-party challenger known to be running (name, date known by, source;
  optionally ``experience`` and the FEC candidate id ``fec_id``);
- ``endorsements``: an endorser of a known class backing the incumbent or the challenger;
- ``outside_spending``: an outside-spending figure (dollars) for or against a side, by spender class.

``load_watchlist`` validates the file against its pydantic schema (``WatchlistDoc``: ``RaceDoc``,
``ChallengerDoc``, ``EndorsementDoc``, ``SpendingDoc``) and raises one
:class:`features.kernel.errors.InputError` naming the entry and YAML line (``races[i] (ST-NN P), line N``)
and the field for the first bad value: an unknown state, district or party, an unknown key (unknown
keys are refused, never ignored), a value of the wrong type, a negative or non-numeric amount, an
impossible date, a missing source, an unknown endorser or spender class; a race listed twice, a
duplicate YAML key and bytes that are not UTF-8 are refused too (``features.kernel.validation``).
``apply_watchlist`` applies the events dated on or before each row's ``as_of`` to an as-of view
(``features.view.asof.as_of_view``); later events are ignored, so the as-of rule holds.  What a listed
challenger says about the field (contested, experience, a rematch of the member's previous primary)
counts only once the field is known (the filing deadline has passed), as for the table's own field.

A rematch: a listed challenger who is the member's previous top primary challenger
(``prev_top_challenger``; the same person by ``features.evidence.challenger_history.same_challenger``: FEC
ids when both sides have one, else the names with case, accents, suffixes and middle names
normalised) sets ``rematch`` (and ``rematch_name``) on the row.  A member without a previous primary
as a member keeps ``rematch`` missing; the watchlist adds a rematch, never removes the field's.

Dates may be ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.  A partial date is taken as the *end* of its
period (``2025`` -> 2025-12-31), so an event is never used before it was surely known.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Field, field_validator

from features.evidence import endorsements as _endorsements
from features.evidence import outside_spending as _outside
from features.evidence.challenger_history import FEC_HOUSE_ID, same_challenger
from features.kernel.columns import GROUPS
from features.kernel.constants import PARTIES, STATES
from features.kernel.errors import InputError
from features.kernel.validation import (
    Dollars,
    HttpSource,
    StrictModel,
    Text,
    none_as,
    one_of,
    read_text,
    read_yaml,
    validate,
)

SIDES = ("incumbent", "challenger")
#: endorser classes and spender classes: the same vocabularies as the curated event tables
ENDORSER_CLASSES = _endorsements.ENDORSER_CLASSES
SPENDER_CLASSES = _outside.SPENDER_CLASSES


#: challenger experience a watchlist entry can carry -> central-table flag (features.evidence.challenger_quality)
EXPERIENCE = {"former-member": "chal_former_member", "state-office": "chal_state_office"}


@dataclass(frozen=True)
class Event:
    """One dated, sourced watchlist fact about a race."""

    kind: str                      # 'challenger' | 'endorsement' | 'outside_spending'
    date: pd.Timestamp             # end of the stated period
    date_text: str                 # as written
    source: str
    name: str                      # challenger name, endorser or spender
    cls: str = ""                  # endorser / spender class
    side: str = ""                 # side endorsed, or 'for_inc' / 'against_inc' / 'for_chal' / 'against_chal'
    amount: float = 0.0
    candidate: str = ""
    note: str = ""
    fec_id: str = ""               # a challenger's FEC candidate id, when the watchlist gives it


@dataclass
class RaceEntry:
    """The watchlist entry for one race (identified by state, district, party, optionally incumbent)."""

    label: str
    state: str
    district: int
    party: str
    incumbent: str | None
    note: str = ""
    events: list[Event] = field(default_factory=list)


@dataclass
class Watchlist:
    path: Path
    cycle: int
    races: list[RaceEntry]

    def events_frame(self) -> pd.DataFrame:
        """All events as one tidy frame (one row per event)."""
        rows = []
        for race in self.races:
            for ev in race.events:
                rows.append({"entry": race.label, "state": race.state, "district": race.district,
                             "party": race.party, "incumbent": race.incumbent, "kind": ev.kind,
                             "date": ev.date, "date_text": ev.date_text, "name": ev.name, "class": ev.cls,
                             "side": ev.side, "amount_usd": ev.amount, "candidate": ev.candidate,
                             "source": ev.source})
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# The file's schema (pydantic) and loading
# ---------------------------------------------------------------------------------------------
def parse_event_date(value) -> pd.Timestamp | None:
    """Parse YYYY-MM-DD / YYYY-MM / YYYY (or a YAML date) to a Timestamp at the end of the period."""
    if isinstance(value, _dt.datetime):
        return pd.Timestamp(value.date())
    if isinstance(value, _dt.date):
        return pd.Timestamp(value)
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return pd.Timestamp(year, 12, 31)
        month = int(month)
        if day is None:
            return pd.Timestamp(year, month, _calendar.monthrange(year, month)[1])
        return pd.Timestamp(year, month, int(day))
    except ValueError:
        return None


def _event_date(value) -> str:
    when = parse_event_date(value)
    if when is None or not 1990 <= when.year <= 2100:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)")
    today = pd.Timestamp.now().normalize()
    if pd.Timestamp(when.year, when.month, 1) > today:
        raise ValueError(f"{value!r} is after today ({today.date()}): a watchlist records what is known")
    return str(value)


#: an event date as written (YYYY-MM-DD, YYYY-MM or YYYY); ``parse_event_date`` gives its Timestamp
EventDate = Annotated[str, BeforeValidator(_event_date)]


def _code(allowed, message: str):
    """Validator of a code (state, party: upper-cased; side: as written); ``message`` takes {value!r}."""
    def check(value):
        got = str(value).strip().upper() if isinstance(value, str) and allowed is not SIDES else value
        if got not in allowed:
            raise ValueError(message.format(value=value))
        return got
    return BeforeValidator(check)


def _district(value) -> int:
    if isinstance(value, str) and value.strip().upper() in ("AL", "AT-LARGE"):
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"district must be an integer (0 = at-large), got {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"district must be an integer (0 = at-large), got {value!r}") from None
    if not 0 <= number <= 60:
        raise ValueError(f"unknown district {value!r}")
    return number


def _fec_id(value):
    text = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(text, str) or not FEC_HOUSE_ID.match(text):
        raise ValueError(f"not a House FEC candidate id: {value!r} (like H6CA34286)")
    return text


Side = Annotated[str, _code(SIDES, "side must be one of " + str(SIDES) + ", got {value!r}")]
FecId = Annotated[str, BeforeValidator(_fec_id)]
Note = Annotated[str, none_as(""), BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v)]


class ChallengerDoc(StrictModel):
    """``challengers[j]``: a same-party challenger known to be running."""

    name: Text
    date: EventDate
    source: HttpSource
    experience: one_of(EXPERIENCE, "experience") | None = None
    fec_id: FecId | None = None
    note: Note = ""


class EndorsementDoc(StrictModel):
    """``endorsements[j]``: an endorser of a known class backing one side."""

    endorser: Text
    cls: one_of(ENDORSER_CLASSES, "endorser class") = Field(alias="class")
    side: Side
    candidate: Note = ""
    date: EventDate
    source: HttpSource
    note: Note = ""


class SpendingDoc(StrictModel):
    """``outside_spending[j]``: a running total (dollars) for or against one side, by spender class."""

    spender: Text
    cls: one_of(SPENDER_CLASSES, "spender class") = Field(alias="class")
    opposes: Side | None = None
    supports: Side | None = Field(None, validate_default=True)
    amount_usd: Dollars = Field(None, validate_default=True)
    amount_is: Note = ""
    date: EventDate
    source: HttpSource
    note: Note = ""

    @field_validator("supports")
    @classmethod
    def _one_direction(cls, value, info):
        if "opposes" in info.data and (value is None) == (info.data["opposes"] is None):
            raise ValueError("give exactly one of 'supports' or 'opposes' (incumbent or challenger)")
        return value


class RaceDoc(StrictModel):
    """``races[i]``: one race (state, district, party, optionally the incumbent) and its events."""

    state: Annotated[str, _code(STATES, "unknown state {value!r}")]
    district: Annotated[int, BeforeValidator(_district)]
    party: Annotated[str, _code(PARTIES, "party must be D or R, got {value!r}")]
    incumbent: Text | None = None
    note: Note = ""
    challengers: Annotated[list[ChallengerDoc], none_as([])] = []
    endorsements: Annotated[list[EndorsementDoc], none_as([])] = []
    outside_spending: Annotated[list[SpendingDoc], none_as([])] = []


def _cycle(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value % 2:
        raise ValueError(f"cycle must be an even election year, got {value!r}")
    return value


class WatchlistDoc(StrictModel):
    """A watchlist file: ``cycle``, ``races`` and an optional ``note``."""

    cycle: Annotated[int, BeforeValidator(_cycle)]
    races: Annotated[list[RaceDoc], none_as([])] = []
    note: Note = ""


def load_watchlist(path: str | Path, table: pd.DataFrame | None = None) -> Watchlist:
    """Read and validate a watchlist YAML file.

    Parameters
    ----------
    path : the YAML file.
    table : optional central table; when given, every entry must match a row of the watchlist's cycle
        (an unknown district, or a member not seeking renomination, is an error).

    Returns
    -------
    Watchlist
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "watchlist file not found")
    text = read_text(path)
    return parse_watchlist(read_yaml(path, text), path, table, text=text)


def resolve_watchlist(arg: str | None, cycle: int, table: pd.DataFrame | None = None):
    """A command line's ``--watchlist``: 'default' (``data/watchlist/<cycle>.yaml`` if present),
    'none' / None (no watchlist), or a path."""
    from features.kernel.paths import WATCHLIST_DIR

    if arg is None or str(arg).lower() == "none":
        return None
    if arg == "default":
        path = WATCHLIST_DIR / f"{cycle}.yaml"
        return load_watchlist(path, table) if path.is_file() else None
    return load_watchlist(Path(arg), table)


def _race_label(i: int, race) -> str:
    """``races[i] (CA-34 D)`` from the entry as written (normalised where it can be)."""
    if not isinstance(race, dict):
        return f"races[{i}]"
    state = str(race.get("state", "")).strip().upper()
    try:
        district = _district(race.get("district"))
    except ValueError:
        district = race.get("district")
    party = str(race.get("party", "")).strip().upper() if isinstance(race.get("party"), str) else race.get("party")
    return f"races[{i}] ({state}-{district} {party})"


def parse_watchlist(doc, path: str | Path = "watchlist", table: pd.DataFrame | None = None,
                    text: str | None = None) -> Watchlist:
    """Validate an already-parsed watchlist document (see :func:`load_watchlist`); ``text`` (the YAML)
    lets an error name the line."""
    path = Path(path)

    def locate(loc):
        if len(loc) >= 2 and loc[0] == "races" and isinstance(loc[1], int):
            return _race_label(loc[1], doc["races"][loc[1]]), loc[2:]
        return None, loc

    parsed = validate(WatchlistDoc, doc, path, text, locate,
                      what="a watchlist is a mapping with keys 'cycle' and 'races'")
    races = [_race_entry(i, r) for i, r in enumerate(parsed.races)]
    seen: dict[tuple, str] = {}
    for race in races:
        key = (race.state, race.district, race.party, (race.incumbent or "").lower())
        if key in seen:
            raise InputError(path, f"duplicate race: {race.state}-{race.district} {race.party} is also "
                                   f"{seen[key].split(' ')[0]}; merge the two entries", row=race.label,
                             field="district")
        seen[key] = race.label
    watchlist = Watchlist(path, parsed.cycle, races)
    if table is not None:
        check_against_table(watchlist, table)
    return watchlist


def _race_entry(i: int, race: RaceDoc) -> RaceEntry:
    entry = RaceEntry(f"races[{i}] ({race.state}-{race.district} {race.party})", race.state, race.district,
                      race.party, race.incumbent, race.note)
    for c in race.challengers:
        entry.events.append(Event("challenger", parse_event_date(c.date), c.date, c.source, c.name,
                                  cls=c.experience or "", note=c.note, fec_id=c.fec_id or ""))
    for e in race.endorsements:
        entry.events.append(Event("endorsement", parse_event_date(e.date), e.date, e.source, e.endorser, e.cls,
                                  e.side, candidate=e.candidate, note=e.note))
    for o in race.outside_spending:
        key, target = ("supports", o.supports) if o.supports is not None else ("opposes", o.opposes)
        side = ("for_" if key == "supports" else "against_") + ("inc" if target == "incumbent" else "chal")
        entry.events.append(Event("outside_spending", parse_event_date(o.date), o.date, o.source, o.spender,
                                  o.cls, side, amount=o.amount_usd, note=o.note))
    return entry


def check_against_table(watchlist: Watchlist, table: pd.DataFrame) -> None:
    """Every entry must match a row of the watchlist's cycle; raise InputError naming the entry."""
    rows = table[table["cycle"] == watchlist.cycle]
    for race in watchlist.races:
        _match_rows(watchlist, race, rows)


def _match_rows(watchlist: Watchlist, race: RaceEntry, rows: pd.DataFrame) -> np.ndarray:
    same_state = rows["state"] == race.state
    if not same_state.any():
        raise InputError(watchlist.path, f"no {watchlist.cycle} incumbent in {race.state}", row=race.label,
                         field="state")
    hit = same_state & (rows["district"] == race.district) & (rows["party"] == race.party)
    if not hit.any():
        raise InputError(watchlist.path,
                         f"no {watchlist.cycle} {race.party} incumbent seeking renomination in "
                         f"{race.state}-{race.district} (unknown district, or the seat is open)",
                         row=race.label, field="district")
    if race.incumbent:
        named = hit & rows["incumbent"].map(lambda n: _same_person(n, race.incumbent))
        if not named.any():
            have = ", ".join(rows.loc[hit, "incumbent"].astype(str))
            raise InputError(watchlist.path, f"incumbent {race.incumbent!r} does not match the table ({have})",
                             row=race.label, field="incumbent")
        hit = named
    return hit.to_numpy()


def _name_tokens(name: str) -> set[str]:
    return {t for t in re.split(r"[^a-z]+", str(name).lower()) if len(t) > 1}


def _same_person(table_name: str, watch_name: str) -> bool:
    """Loose match: every token of the watchlist's surname appears in the table's name."""
    want = _name_tokens(watch_name.split()[-1]) if watch_name.split() else set()
    return bool(want) and want <= _name_tokens(table_name)


# ---------------------------------------------------------------------------------------------
# Applying to an as-of view
# ---------------------------------------------------------------------------------------------
_END_FLAGS = [c for c in GROUPS["endorsements"] if c != "end_last_date"]
_OS_AMOUNTS = [c for c in GROUPS["outside_spending"] if c != "os_last_date"]
_SPEND_CLASS_COLUMN = {"crypto": "os_crypto", "progressive": "os_progressive",
                       "party-aligned": "os_party_aligned", "conservative": "os_conservative"}


def apply_watchlist(view: pd.DataFrame, watchlist: Watchlist, strict: bool = True) -> pd.DataFrame:
    """Apply the events dated on or before each row's ``as_of`` to an as-of view.

    - challengers are added to the ``watchlist_challengers`` column (shown with the race); once the
      row's field is known (``field_known``) a listed challenger makes the row contested, carries its
      ``experience``, and sets ``rematch`` if it is the member's previous top challenger (module docstring);
    - endorsements set their class's columns (flags, never double-counted) and ``end_last_date``;
    - outside spending: per (spender, direction) the latest figure counts (figures are running
      totals, not increments); it is added to ``os_<direction>`` and the class columns, and
      ``os_last_date`` moves to the figure's date.

    Rows of other cycles are returned unchanged.  With ``strict`` an entry that matches no row raises
    InputError; without it (a view of a few states, already checked with ``check_against_table``)
    entries of states not in the view are skipped.
    """
    out = view.copy()
    if not out.index.is_unique:
        raise ValueError("apply_watchlist needs a view with a unique index")
    out["watchlist_challengers"] = ""
    out["watchlist_sources"] = ""
    rows = out[out["cycle"] == watchlist.cycle]
    if rows.empty:
        return out
    when = pd.to_datetime(out["as_of"])
    for race in watchlist.races:
        if not strict and not ((rows["state"] == race.state) & (rows["district"] == race.district)).any():
            continue
        for idx in rows.index[_match_rows(watchlist, race, rows)]:
            known = [ev for ev in race.events if ev.date <= when.loc[idx]]
            if known:
                _apply_row(out, idx, known)
    return out


def _apply_row(out: pd.DataFrame, idx, events: list[Event]) -> None:
    names = [ev.name for ev in events if ev.kind == "challenger"]
    out.at[idx, "watchlist_challengers"] = "; ".join(dict.fromkeys(names))
    out.at[idx, "watchlist_sources"] = " ; ".join(dict.fromkeys(ev.source for ev in events))
    field_known = bool(out.at[idx, "field_known"]) if "field_known" in out.columns and \
        not pd.isna(out.at[idx, "field_known"]) else False
    if names and field_known:
        if "contested" in out.columns:
            out.at[idx, "contested"] = True
        if "n_candidates" in out.columns:
            n = out.at[idx, "n_candidates"]
            out.at[idx, "n_candidates"] = max(2, int(n) if not pd.isna(n) else 0)
        # an announced challenger's experience (features.evidence.challenger_quality), known once the field is
        for ev in events:
            if ev.kind == "challenger" and ev.cls in EXPERIENCE:
                out.at[idx, EXPERIENCE[ev.cls]] = 1.0
                _later_date(out, idx, "chal_quality_date", ev.date)
        _apply_rematch(out, idx, [ev for ev in events if ev.kind == "challenger"])

    endorsements = [ev for ev in events if ev.kind == "endorsement"]
    if endorsements:
        _mark_covered(out, idx, "end_covered", _END_FLAGS)
    for ev in endorsements:
        for col in _endorsements.endorsement_columns(ev.cls, ev.side, str(out.at[idx, "party"])):
            _set_flag(out, idx, col)
    if endorsements:
        _later_date(out, idx, "end_last_date", max(ev.date for ev in endorsements))

    spending = [ev for ev in events if ev.kind == "outside_spending"]
    latest: dict[tuple[str, str], Event] = {}
    for ev in sorted(spending, key=lambda e: e.date):
        latest[(ev.name.lower(), ev.side)] = ev
    if latest:
        _mark_covered(out, idx, "os_covered", _OS_AMOUNTS)
    for ev in latest.values():
        _add_amount(out, idx, f"os_{ev.side}", ev.amount)
        if ev.cls == "pro-israel" and ev.side in ("against_inc", "for_chal"):
            _add_amount(out, idx, "os_pro_israel_against_inc", ev.amount)
        elif ev.cls == "pro-israel":
            _add_amount(out, idx, "os_pro_israel_for_inc", ev.amount)
        elif ev.cls in _SPEND_CLASS_COLUMN:
            _add_amount(out, idx, _SPEND_CLASS_COLUMN[ev.cls], ev.amount)
    if latest:
        _later_date(out, idx, "os_last_date", max(ev.date for ev in latest.values()))


def _apply_rematch(out: pd.DataFrame, idx, challengers: list[Event]) -> None:
    """``rematch`` = 1 where a listed challenger is the previous primary's top challenger (called
    once the field is known, with the events dated on or before the row's as-of date)."""
    if "prev_top_challenger" not in out.columns or "prev_primary_date" not in out.columns:
        return
    if pd.isna(out.at[idx, "prev_primary_date"]):          # no previous primary as a member
        return
    prev = out.at[idx, "prev_top_challenger"]
    # the central table does not carry the previous top challenger's FEC id yet (a table that does,
    # in ``prev_top_challenger_fec_id``, lets an entry's ``fec_id`` decide); today the names do
    prev_id = out.at[idx, "prev_top_challenger_fec_id"] if "prev_top_challenger_fec_id" in out.columns else None
    prev_id = prev_id if isinstance(prev_id, str) else None
    hit = [ev for ev in challengers if same_challenger(ev.name, prev, ev.fec_id or None, prev_id)]
    if not hit:
        return
    if "rematch" not in out.columns:
        out["rematch"] = np.nan
    current = out.at[idx, "rematch"]
    if not pd.isna(current) and float(current) == 1.0:    # the field already has them
        return
    first = min(hit, key=lambda ev: ev.date)
    out["rematch"] = pd.to_numeric(out["rematch"], errors="coerce").astype(float)
    out.at[idx, "rematch"] = 1.0
    if "rematch_name" not in out.columns:
        out["rematch_name"] = None
    out["rematch_name"] = out["rematch_name"].astype(object)
    out.at[idx, "rematch_name"] = first.name
    _later_date(out, idx, "chal_quality_date", first.date)


def _mark_covered(out: pd.DataFrame, idx, flag: str, columns: list[str]) -> None:
    """The watchlist now covers this row's group: unknown (NA) values of the group become 0."""
    if flag not in out.columns:
        out[flag] = pd.array([False] * len(out), dtype="boolean")
    numeric = pd.api.types.is_numeric_dtype(out[flag]) and not pd.api.types.is_bool_dtype(out[flag])
    out.at[idx, flag] = 1.0 if numeric else True
    for col in columns:
        if col in out.columns and pd.isna(out.at[idx, col]):
            out.at[idx, col] = False if out[col].dtype in ("boolean", bool) else 0.0


def _set_flag(out: pd.DataFrame, idx, col: str) -> None:
    if col not in out.columns:
        out[col] = 0.0
    current = out.at[idx, col]
    if out[col].dtype == "boolean" or out[col].dtype == bool:
        out.at[idx, col] = True
    else:
        out.at[idx, col] = max(1.0, 0.0 if pd.isna(current) else float(current))


def _add_amount(out: pd.DataFrame, idx, col: str, amount: float) -> None:
    if col not in out.columns:
        out[col] = np.nan
    current = out.at[idx, col]
    out.at[idx, col] = (0.0 if pd.isna(current) else float(current)) + amount


def _later_date(out: pd.DataFrame, idx, col: str, when: pd.Timestamp) -> None:
    if col not in out.columns:
        out[col] = pd.NaT
        out[col] = pd.to_datetime(out[col])
    current = out.at[idx, col]
    out.at[idx, col] = when if pd.isna(current) else max(pd.Timestamp(current), when)
