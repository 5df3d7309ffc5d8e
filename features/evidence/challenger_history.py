"""The member's previous primary, as a forecaster knows it before the next one.

Everything here comes from the same member's row of the previous cycle (matched by ``bioguide_id``,
like ``last_primary_share``): a result declared about two years before the primary being forecast,
so it is known on any as-of date of the next cycle.  ``prev_primary_date`` (the previous runoff's
date where there was one, else the previous primary's) dates the group; ``features.view.asof.assert_as_of``
checks it (``features.kernel.columns.DATED_GROUPS['challenger_history']``).

- ``prev_chal_share``: the strongest challenger's first-round share in the previous primary; 0 when
  it was uncontested; NA without a previous row (first renomination after a special election, a
  return after a gap) and where the previous top challenger was of another party in an all-party
  (top-two / jungle) primary: the same-party threat is then not measured.  2024 shares are partly
  missing (the curated file), so 2026 values are too.
- ``prev_contested``: the previous primary was contested (1/0; NA without a previous row).
- ``prev_top_challenger``: that challenger's name (not a model input).
- ``district_switch``: the member runs in a different state or district number than in the
  previous cycle (Forbes VA-4 2014 -> VA-2 2016 after the court-drawn map); NA without a previous
  row.  In redistricting years a renumbered district counts as a switch too.
- ``prev_district``: the previous cycle's district (not a model input).

``rematch`` (the previous top challenger is in this cycle's field: Wynn-Edwards MD-4 2006/2008) reads
the field, so it is known only from the filing deadline on: it lives in the ``challenger_quality``
group of ``features.kernel.columns``, dated by ``chal_quality_date`` and blanked by ``features.view.asof`` before
the field is known, like the other field-derived evidence.  The analyst watchlist sets it too, for an
announced challenger the field file lacks (``features.evidence.watchlist.apply_watchlist``).

Who counts as the same person (:func:`same_challenger`, one rule for the build and the watchlist):

1. FEC candidate ids decide when both sides have one (a House candidate keeps the id from cycle to
   cycle): equal ids are the same person, different ids are not, whatever the names say;
2. otherwise the names, as the sources hold them: ``features.kernel.names.names_match`` >= ``MATCH_MIN``
   (case, accents, mojibake, punctuation, "Last, First" vs "First Last", suffixes and middle names
   ignored, initials and nicknames allowed: "Thomas E. Davis" = "Thomas Eugene Davis", "Hamp
   Redmond" = "Hampton Redmond"), vetoed when both names carry a generational suffix and the two
   differ ("John Smith Jr." is not "John Smith Sr.") or both carry middle names and no middle
   initial agrees ("Thomas E. Davis" is not "Thomas R. Davis");
3. a previous cell naming several challengers ("Jamil Ahmad / Courtney Casgraux": shares not found,
   the top one unknown) names no top challenger, so it matches nobody.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from features.kernel.errors import InputError
from features.kernel.names import names_match, parse_name
from features.kernel.rawio import to_boolean

COLUMNS = ["prev_chal_share", "prev_contested", "prev_top_challenger", "district_switch", "prev_district",
           "prev_primary_date"]
REMATCH_COLUMNS = ["rematch", "rematch_name"]
MATCH_MIN = 0.85        # as features.evidence.challenger_quality
#: generational suffixes: two names with different ones are different people (father and son)
GENERATIONS = {"jr": "jr", "sr": "sr", "ii": "ii", "2nd": "ii", "iii": "iii", "3rd": "iii", "iv": "iv"}
#: a House candidate's FEC id (``H``, the cycle digit, the state, five digits)
FEC_HOUSE_ID = re.compile(r"^H[0-9][A-Z]{2}[0-9]{5}$")
#: a cell naming several people: "Jamil Ahmad / Courtney Casgraux" (a slash beside a space)
SEVERAL = re.compile(r"\s/|/\s")


def previous_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The same member's row of the previous cycle (columns prefixed ``p_``), aligned on ``table``."""
    need = ["cycle", "bioguide_id", "state", "district", "party", "contested", "top_challenger",
            "top_challenger_party", "top_challenger_share", "primary_date"]
    for col in need:
        if col not in table.columns:
            raise InputError("central table", "expected column missing", field=col)
    cols = need + (["runoff_date"] if "runoff_date" in table.columns else [])
    prev = table[cols].dropna(subset=["bioguide_id"]).drop_duplicates(["cycle", "bioguide_id"])
    prev = prev.assign(cycle=prev["cycle"] + 2).rename(
        columns={c: f"p_{c}" for c in cols if c not in ("cycle", "bioguide_id")})
    j = table[["cycle", "bioguide_id"]].merge(prev, on=["cycle", "bioguide_id"], how="left")
    j.index = table.index
    return j


def challenger_history(table: pd.DataFrame) -> pd.DataFrame:
    """``COLUMNS`` for the rows of the central table (any order; previous rows found by bioguide id)."""
    from features.kernel.constants import louisiana_jungle, top_two_rule

    p = previous_rows(table)
    has_prev = p["p_state"].notna()
    contested = to_boolean(p["p_contested"])
    share = pd.to_numeric(p["p_top_challenger_share"], errors="coerce").astype(float)
    tc_party = p["p_top_challenger_party"].astype("string")
    all_party = pd.Series([bool(has and (top_two_rule(s, int(c) - 2) or louisiana_jungle(s, int(c) - 2)))
                           for has, s, c in zip(has_prev, p["p_state"], table["cycle"])], index=table.index)
    other_party = all_party & tc_party.notna() & (tc_party != table["party"].astype("string"))
    other_party = other_party.fillna(False).astype(bool)
    prev_share = share.where(~other_party.to_numpy())
    prev_share = prev_share.mask((contested == False).fillna(False).to_numpy(), 0.0)  # noqa: E712
    prev_share = prev_share.where(has_prev.to_numpy())
    switch = ((p["p_state"] != table["state"]) | (p["p_district"] != table["district"])).astype(float)
    date = pd.to_datetime(p["p_primary_date"])
    if "p_runoff_date" in p.columns:
        date = pd.to_datetime(p["p_runoff_date"]).fillna(date)
    name = p["p_top_challenger"].where(~other_party.to_numpy())
    out = pd.DataFrame({
        "prev_chal_share": prev_share.astype(float),
        "prev_contested": contested.astype("Float64").astype(float).where(has_prev.to_numpy()),
        "prev_top_challenger": name.where(name.notna(), None).astype(object),
        "district_switch": switch.where(has_prev.to_numpy()).astype(float),
        "prev_district": pd.to_numeric(p["p_district"], errors="coerce").astype(float),
        "prev_primary_date": date.where(has_prev.to_numpy()).astype("datetime64[ns]"),
    }, index=table.index)
    return out


def rematch(table: pd.DataFrame, field: pd.Series) -> pd.DataFrame:
    """``rematch``: the previous primary's top (same-party) challenger is in this cycle's field
    (``features.evidence.challenger_quality.field_names``); 0 when a previous row exists and they are not
    (or the previous primary was uncontested); NA without a previous row.  ``rematch_name``: who."""
    hist = challenger_history(table) if "prev_top_challenger" not in table.columns else table
    flags, names = [], []
    for i in table.index:
        prev_date = hist.at[i, "prev_primary_date"] if "prev_primary_date" in hist.columns else pd.NaT
        prev = hist.at[i, "prev_top_challenger"]
        if pd.isna(prev_date):
            flags.append(np.nan)
            names.append(None)
            continue
        hit = [n for n in (field.get(i) or []) if same_challenger(n, prev)]
        flags.append(1.0 if hit else 0.0)
        names.append(hit[0] if hit else None)
    return pd.DataFrame({"rematch": pd.Series(flags, index=table.index, dtype=float),
                         "rematch_name": pd.Series(names, index=table.index, dtype=object)})


def _fec_house_id(value) -> str | None:
    text = value.strip().upper() if isinstance(value, str) else ""
    return text if FEC_HOUSE_ID.match(text) else None


def generation(name) -> str | None:
    """The generational suffix of a name ('Jr.', 'III', ...) normalised ('jr', 'iii'), else None."""
    if not isinstance(name, str):
        return None
    text = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    found = {GENERATIONS[t] for t in re.split(r"[^a-z0-9]+", text.lower()) if t in GENERATIONS}
    return found.pop() if len(found) == 1 else None


def _middle_initials(name: str, other: str) -> set[str]:
    """Initials of a name's middle names, leaving out words of either surname (the parser reads
    'Mariannette Miller-Meeks' as middle 'miller', surname 'meeks')."""
    p, q = parse_name(name), parse_name(other)
    surname = set(p.last_parts) | set(q.last_parts)
    return {m[0] for m in p.middles if m and m not in surname}


def same_challenger(name, prev, fec_id=None, prev_fec_id=None) -> bool:
    """Is ``name`` (a challenger of this cycle) the previous primary's top challenger ``prev``?

    The rule of the module docstring: FEC ids decide when both are well-formed House ids; else the
    names (``names_match`` >= ``MATCH_MIN``, vetoed by conflicting generational suffixes or middle
    initials); a previous cell naming several people ("A / B") matches nobody.
    """
    ids = _fec_house_id(fec_id), _fec_house_id(prev_fec_id)
    if ids[0] and ids[1]:
        return ids[0] == ids[1]
    if not isinstance(name, str) or not isinstance(prev, str) or not name.strip() or not prev.strip():
        return False
    if SEVERAL.search(prev) or SEVERAL.search(name):
        return False
    if names_match(name, prev) < MATCH_MIN:
        return False
    ga, gb = generation(name), generation(prev)
    if ga and gb and ga != gb:
        return False
    ma, mb = _middle_initials(name, prev), _middle_initials(prev, name)
    return not (ma and mb and not ma & mb)
