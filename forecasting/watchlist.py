"""The analyst watchlist: sourced additions and corrections applied on top of the central table.

A watchlist (``data/watchlist/<cycle>.yaml``) lists races with dated, sourced events:

- ``challengers``: a same-party challenger known to be running (name, date known by, source);
- ``endorsements``: an endorser of a known class backing the incumbent or the challenger;
- ``outside_spending``: an outside-spending figure (dollars) for or against a side, by spender class.

``load_watchlist`` validates the file and raises one :class:`features.errors.InputError` naming the
entry (``races[i] (ST-NN P)``) and the field for the first bad value: an unknown state, district or
party, an unknown key, a negative or non-numeric amount, an unparseable date, a missing source, an
unknown endorser or spender class.  ``apply_watchlist`` applies the events dated on or before each
row's ``as_of`` to an as-of view (``features.asof.as_of_view``); later events are ignored, so the
as-of rule holds.

Dates may be ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.  A partial date is taken as the *end* of its
period (``2025`` -> 2025-12-31), so an event is never used before it was surely known.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from features import endorsements as _endorsements
from features import outside_spending as _outside
from features.columns import GROUPS
from features.constants import PARTIES, STATES
from features.errors import InputError

SIDES = ("incumbent", "challenger")
#: endorser classes and spender classes: the same vocabularies as the curated event tables
ENDORSER_CLASSES = _endorsements.ENDORSER_CLASSES
SPENDER_CLASSES = _outside.SPENDER_CLASSES
_CHAL_FLAGS = {"justice-democrats": "end_jd_chal", "our-revolution": "end_our_revolution_chal",
               "sunrise": "end_sunrise_chal", "wfp": "end_wfp_chal", "sanders": "end_sanders_chal",
               "aoc": "end_aoc_chal", "aipac": "end_aipac_chal", "dmfi": "end_dmfi_chal"}
_INC_FLAGS = {"trump": "end_trump_for_inc", "party-leadership": "end_leadership_inc", "aipac": "end_aipac_inc",
              "dmfi": "end_dmfi_inc"}


def endorsement_columns(cls: str, side: str, party: str) -> list[str]:
    """Central-table flags an endorsement of class ``cls`` for ``side`` sets (as features.endorsements)."""
    if side == "incumbent":
        return [_INC_FLAGS[cls]] if cls in _INC_FLAGS else []
    cols = [_CHAL_FLAGS[cls]] if cls in _CHAL_FLAGS else []
    if cls in _endorsements.INSURGENT_CLASSES:
        cols.append("end_insurgent_chal")
    if cls == "trump" and party == "R":
        cols.append("end_trump_against_inc")
    return cols


_RACE_KEYS = {"state", "district", "party", "incumbent", "note", "challengers", "endorsements",
              "outside_spending"}
_CHALLENGER_KEYS = {"name", "date", "source", "note", "experience"}
#: challenger experience a watchlist entry can carry -> central-table flag (features.challenger_quality)
EXPERIENCE = {"former-member": "chal_former_member", "state-office": "chal_state_office"}
_ENDORSEMENT_KEYS = {"endorser", "class", "side", "candidate", "date", "source", "note"}
_SPENDING_KEYS = {"spender", "class", "supports", "opposes", "amount_usd", "amount_is", "date", "source",
                  "note"}
_URL = re.compile(r"^https?://\S+$")


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
# Loading and validation
# ---------------------------------------------------------------------------------------------
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
    return parse_watchlist(read_yaml(path), path, table)


class DuplicateKey(yaml.YAMLError):
    """A mapping repeats a key (PyYAML would silently keep the last one)."""

    def __init__(self, key, line: int):
        super().__init__(f"duplicate key {key!r} at line {line}")
        self.key, self.line = key, line


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and leaves dates as text (validated by the caller, so an
    impossible date such as 2025-02-30 is a clear error instead of a crash inside the parser)."""


def _strict_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _strict_mapping)
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def read_yaml(path: Path):
    """Parse a YAML file strictly: UTF-8 only, no duplicate keys, dates left as text; any problem is
    one InputError naming the file, the line and (for a duplicate) the key."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} "
                               f"(save the file as UTF-8)", row=f"line {line}") from None
    try:
        return yaml.load(text, Loader=StrictLoader)
    except DuplicateKey as exc:
        raise InputError(path, f"duplicate key at line {exc.line} (a repeated key would silently "
                               f"replace the first)", row=f"line {exc.line}", field=str(exc.key)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = f"line {mark.line + 1}" if mark is not None else None
        raise InputError(path, f"not valid YAML: {str(exc).splitlines()[0]}", row=row) from None


def resolve_watchlist(arg: str | None, cycle: int, table: pd.DataFrame | None = None):
    """A command line's ``--watchlist``: 'default' (``data/watchlist/<cycle>.yaml`` if present),
    'none' / None (no watchlist), or a path."""
    from features.paths import WATCHLIST_DIR

    if arg is None or str(arg).lower() == "none":
        return None
    if arg == "default":
        path = WATCHLIST_DIR / f"{cycle}.yaml"
        return load_watchlist(path, table) if path.is_file() else None
    return load_watchlist(Path(arg), table)


def parse_watchlist(doc, path: str | Path = "watchlist", table: pd.DataFrame | None = None) -> Watchlist:
    """Validate an already-parsed watchlist document (see :func:`load_watchlist`)."""
    path = Path(path)
    if not isinstance(doc, dict):
        raise InputError(path, "a watchlist is a mapping with keys 'cycle' and 'races'")
    unknown = set(doc) - {"cycle", "races", "note"}
    if unknown:
        raise InputError(path, "unknown top-level key", field=sorted(unknown)[0])
    cycle = doc.get("cycle")
    if not isinstance(cycle, int) or isinstance(cycle, bool) or cycle % 2:
        raise InputError(path, f"cycle must be an even election year, got {cycle!r}", field="cycle")
    races_doc = doc.get("races") or []
    if not isinstance(races_doc, list):
        raise InputError(path, "races must be a list", field="races")
    races = [_parse_race(path, i, r) for i, r in enumerate(races_doc)]
    seen: dict[tuple, str] = {}
    for race in races:
        key = (race.state, race.district, race.party, (race.incumbent or "").lower())
        if key in seen:
            raise InputError(path, f"duplicate race: {race.state}-{race.district} {race.party} is also "
                                   f"{seen[key].split(' ')[0]}; merge the two entries", row=race.label,
                             field="district")
        seen[key] = race.label
    if table is not None:
        check_against_table(Watchlist(path, cycle, races), table)
    return Watchlist(path, cycle, races)


def _parse_race(path: Path, i: int, doc) -> RaceEntry:
    label = f"races[{i}]"
    if not isinstance(doc, dict):
        raise InputError(path, "each race is a mapping", row=label)
    state = str(doc.get("state", "")).strip().upper()
    label = f"races[{i}] ({state}-{doc.get('district')} {doc.get('party')})"
    _no_unknown_keys(path, label, doc, _RACE_KEYS, "")
    if state not in STATES:
        raise InputError(path, f"unknown state {doc.get('state')!r}", row=label, field="state")
    district = doc.get("district")
    if isinstance(district, str) and district.strip().upper() in ("AL", "AT-LARGE"):
        district = 0
    try:
        district_int = int(str(district).strip())
    except (TypeError, ValueError):
        raise InputError(path, f"district must be an integer (0 = at-large), got {district!r}",
                         row=label, field="district") from None
    if not 0 <= district_int <= 60:
        raise InputError(path, f"unknown district {district!r}", row=label, field="district")
    party = str(doc.get("party", "")).strip().upper()
    if party not in PARTIES:
        raise InputError(path, f"party must be D or R, got {doc.get('party')!r}", row=label, field="party")
    incumbent = doc.get("incumbent")
    if incumbent is not None and (not isinstance(incumbent, str) or not incumbent.strip()):
        raise InputError(path, "incumbent must be a name", row=label, field="incumbent")
    label = f"races[{i}] ({state}-{district_int} {party})"
    race = RaceEntry(label, state, district_int, party, incumbent.strip() if incumbent else None,
                     str(doc.get("note") or "").strip())
    for key, parser in (("challengers", _parse_challenger), ("endorsements", _parse_endorsement),
                        ("outside_spending", _parse_spending)):
        items = doc.get(key) or []
        if not isinstance(items, list):
            raise InputError(path, f"{key} must be a list", row=label, field=key)
        for j, item in enumerate(items):
            prefix = f"{key}[{j}]"
            if not isinstance(item, dict):
                raise InputError(path, "each item is a mapping", row=label, field=prefix)
            race.events.append(parser(path, label, prefix, item))
    return race


def _no_unknown_keys(path, label, doc, allowed, prefix) -> None:
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise InputError(path, f"unknown key (allowed: {', '.join(sorted(allowed))})", row=label,
                         field=f"{prefix}{unknown[0]}")


def _required_text(path, label, doc, key, prefix) -> str:
    value = doc.get(key)
    if value is None or not str(value).strip():
        raise InputError(path, "required", row=label, field=f"{prefix}.{key}")
    return str(value).strip()


def _source(path, label, doc, prefix) -> str:
    src = _required_text(path, label, doc, "source", prefix)
    if not _URL.match(src):
        raise InputError(path, f"source must be an http(s) URL, got {src!r}", row=label, field=f"{prefix}.source")
    return src


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


def _date(path, label, doc, prefix) -> tuple[pd.Timestamp, str]:
    raw = doc.get("date")
    if raw is None:
        raise InputError(path, "required (YYYY-MM-DD, YYYY-MM or YYYY)", row=label, field=f"{prefix}.date")
    when = parse_event_date(raw)
    if when is None or not 1990 <= when.year <= 2100:
        raise InputError(path, f"not a date: {raw!r} (use YYYY-MM-DD, YYYY-MM or YYYY)", row=label,
                         field=f"{prefix}.date")
    return when, str(raw)


def _parse_challenger(path, label, prefix, doc) -> Event:
    _no_unknown_keys(path, label, doc, _CHALLENGER_KEYS, prefix + ".")
    name = _required_text(path, label, doc, "name", prefix)
    when, text = _date(path, label, doc, prefix)
    exp = doc.get("experience")
    if exp is not None and str(exp) not in EXPERIENCE:
        raise InputError(path, f"unknown experience {exp!r} (known: {', '.join(EXPERIENCE)})", row=label,
                         field=f"{prefix}.experience")
    return Event("challenger", when, text, _source(path, label, doc, prefix), name,
                 cls=str(exp) if exp is not None else "", note=str(doc.get("note") or ""))


def _parse_endorsement(path, label, prefix, doc) -> Event:
    _no_unknown_keys(path, label, doc, _ENDORSEMENT_KEYS, prefix + ".")
    endorser = _required_text(path, label, doc, "endorser", prefix)
    cls = _required_text(path, label, doc, "class", prefix)
    if cls not in ENDORSER_CLASSES:
        raise InputError(path, f"unknown endorser class {cls!r} (known: {', '.join(ENDORSER_CLASSES)})",
                         row=label, field=f"{prefix}.class")
    side = _required_text(path, label, doc, "side", prefix)
    if side not in SIDES:
        raise InputError(path, f"side must be one of {SIDES}, got {side!r}", row=label, field=f"{prefix}.side")
    when, text = _date(path, label, doc, prefix)
    return Event("endorsement", when, text, _source(path, label, doc, prefix), endorser, cls, side,
                 candidate=str(doc.get("candidate") or ""), note=str(doc.get("note") or ""))


def parse_amount(value) -> float | None:
    """A dollar amount: a number or a string such as '$1,200,000'; None if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if np.isfinite(value) else None
    text = str(value).strip().replace(",", "").replace("$", "").replace("_", "")
    try:
        out = float(text)
    except ValueError:
        return None
    return out if np.isfinite(out) else None


def _parse_spending(path, label, prefix, doc) -> Event:
    _no_unknown_keys(path, label, doc, _SPENDING_KEYS, prefix + ".")
    spender = _required_text(path, label, doc, "spender", prefix)
    cls = _required_text(path, label, doc, "class", prefix)
    if cls not in SPENDER_CLASSES:
        raise InputError(path, f"unknown spender class {cls!r} (known: {', '.join(SPENDER_CLASSES)})",
                         row=label, field=f"{prefix}.class")
    supports, opposes = doc.get("supports"), doc.get("opposes")
    if (supports is None) == (opposes is None):
        raise InputError(path, "give exactly one of 'supports' or 'opposes' (incumbent or challenger)",
                         row=label, field=f"{prefix}.supports")
    key, target = ("supports", supports) if supports is not None else ("opposes", opposes)
    if target not in SIDES:
        raise InputError(path, f"must be one of {SIDES}, got {target!r}", row=label, field=f"{prefix}.{key}")
    side = ("for_" if key == "supports" else "against_") + ("inc" if target == "incumbent" else "chal")
    amount = parse_amount(doc.get("amount_usd"))
    if amount is None:
        raise InputError(path, f"amount_usd is not a number: {doc.get('amount_usd')!r}", row=label,
                         field=f"{prefix}.amount_usd")
    if amount < 0:
        raise InputError(path, f"amount_usd is negative: {doc.get('amount_usd')!r}", row=label,
                         field=f"{prefix}.amount_usd")
    when, text = _date(path, label, doc, prefix)
    return Event("outside_spending", when, text, _source(path, label, doc, prefix), spender, cls, side,
                 amount=amount, note=str(doc.get("note") or ""))


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
      row's field is known (``field_known``) a listed challenger makes the row contested;
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
        # an announced challenger's experience (features.challenger_quality), known once the field is
        for ev in events:
            if ev.kind == "challenger" and ev.cls in EXPERIENCE:
                out.at[idx, EXPERIENCE[ev.cls]] = 1.0
                _later_date(out, idx, "chal_quality_date", ev.date)

    endorsements = [ev for ev in events if ev.kind == "endorsement"]
    if endorsements:
        _mark_covered(out, idx, "end_covered", _END_FLAGS)
    for ev in endorsements:
        for col in endorsement_columns(ev.cls, ev.side, str(out.at[idx, "party"])):
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
