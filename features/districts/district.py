"""District attributes on the lines in force: presidential lean, demographics, new-lines flag.

Which map was in force
----------------------
Maps are identified by their *vintage*: the year a state's plan was first used. Every state redrew
for 2002, 2012 and 2022; mid-decade changes are listed in ``MIDDECADE_CHANGES``. From 2016 on they are
also visible in the presidential-by-district files (a test checks that the data agree with the table).

Sources (raw folder)
--------------------
- ``downballot_pres_by_cd_ccesMRPprep/cd_info_long.csv`` (+ ``cd_info_2024.csv`` for the 2024
  election on 2024 lines): presidential two-party vote by district for every set of lines 2008-2024.
  The lines-2018 rows for the 2008 and 2012 elections are wrong (even at-large states disagree with
  every other file by 1-3 points) and are dropped; ``cd_info_2016``'s ``*_20`` columns are not read.
- ``rdh_cong119_district_data``: race/ethnicity (2020 census), BA+ and foreign-born (ACS 2018-22) on
  the 2024 lines. ``acs2017_cd115_dp05``: race/ethnicity and median age (ACS 2013-17) on the 115th
  plan. ``policyengine_acs2023_age_cd118``: age bins (ACS 2023) on the 2022 lines -> median age.
  ``fivethirtyeight/district-urbanization-index-2022``: urbanization index on the 2022 lines.
- Nothing covers the 2002-2010 lines' demographics, or renter share on any lines.

Demographics are treated as structural: a source whose survey vintage postdates a cycle's primary
(ACS 2013-17 for 2012-2016, ACS 2023 for 2022) is still used when it describes the same lines.
The presidential share never uses an election held on or after the primary (the as-of rule).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from features.kernel.constants import STATE_BY_NAME, STATES
from features.kernel.errors import InputError
from features.kernel.rawio import read_csv, require_file, to_number

PRES_DIR = "downballot_pres_by_cd_ccesMRPprep"
PRES_LONG = f"{PRES_DIR}/cd_info_long.csv"
PRES_2024 = f"{PRES_DIR}/cd_info_2024.csv"
RDH = "rdh_cong119_district_data/national_cong119_district_data.csv"
ACS17 = "acs2017_cd115_dp05/ACS_17_5YR_DP05.csv"
PE_AGE = "policyengine_acs2023_age_cd118/age_district.csv"
URBAN = "fivethirtyeight/district-urbanization-index-2022/urbanization-index-2022.csv"

# Line sets that have a presidential file (cd_info_long 'lines' + cd_info_2024).
PRES_LINES = (2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024)
# (lines, election) combinations in cd_info_long that are wrong: dropped.
BOGUS_PRES = frozenset({(2018, 2008), (2018, 2012)})

REDISTRICTING_CYCLES = (2002, 2012, 2022)
# Mid-decade changes: cycle -> {state: districts changed (None = treat every district as changed)}.
# 2004-2006 from the record (no presidential file covers those lines): Texas's 2003 plan (first used
# 2004) and the 2006 LULAC v. Perry remedial map (TX-15/21/23/25/28); Georgia's 2005 plan (used 2006).
# 2016-2024 are confirmed by the presidential files. 2026: the 2025 redraws listed in SOURCES-2.md
# ("Mid-decade 2025-26 redraws") and Florida's April 2026 plan; no presidential-by-CD file has those
# lines, so 2026 uses the 2024 lines, flagged stale -- except TX and FL, whose new-plan lean comes from
# the district summaries in redistricting-2026-tx-fl (features.districts.redistricting_2026, applied in the build).
MIDDECADE_CHANGES: dict[int, dict[str, tuple[int, ...] | None]] = {
    2004: {"TX": None},
    2006: {"TX": (15, 21, 23, 25, 28), "GA": None},
    2016: {"FL": None, "NC": None, "VA": None},
    2018: {"PA": None},
    2020: {"NC": None},
    2024: {"AL": None, "GA": None, "LA": None, "NC": None, "NY": None},
    2026: {"CA": None, "FL": None, "MO": None, "NC": None, "OH": None, "TX": None, "UT": None},
}
FIRST_CYCLE, LAST_CYCLE = 2002, 2026
NEW_LINES_TOL = 0.004       # a district whose share for the same election moves more than this has new lines

SRC_RDH = "rdh-cong119(census2020,acs2018-22)"
SRC_ACS17 = "acs2013-17-dp05-cd115"
SRC_PE = "policyengine-acs2023-s0101-cd118"
SRC_URBAN = "538-urbanization-2022"


def _decade_start(cycle: int) -> int:
    return max(y for y in REDISTRICTING_CYCLES if y <= cycle)


def _check_cycle(cycle: int) -> None:
    if not FIRST_CYCLE <= int(cycle) <= LAST_CYCLE or int(cycle) % 2:
        raise InputError("district lines", f"cycle {cycle} outside {FIRST_CYCLE}-{LAST_CYCLE}", field="cycle")


def _check(cycle: int, state: str) -> None:
    if state not in STATES:
        raise InputError("district lines", f"unknown state {state!r}", field="state")
    _check_cycle(cycle)


def map_vintage(cycle: int, state: str) -> int:
    """Year the state's map in force in ``cycle`` was first used (e.g. PA 2020 -> 2018, CA 2016 -> 2012)."""
    _check(cycle, state)
    start = _decade_start(cycle)
    changes = [y for y, states in MIDDECADE_CHANGES.items() if start < y <= cycle and state in states]
    return max(changes, default=start)


class LinesInfo(NamedTuple):
    """Which presidential-file lines describe a (cycle, state) map."""
    lines_year: int | None   # a year of PRES_LINES, or None if no file has these lines
    exact: bool              # False when a stand-in is used (2026 redrawn states)
    note: str


def lines_for_cycle(cycle: int, state: str) -> LinesInfo:
    """The presidential-file lines that match the map in force in ``cycle``.

    The 2008 file (= 2006-2010 maps) also describes 2002-2004 outside TX and GA, whose maps did not change
    until 2006 -- but the only election on those lines is 2008, after those primaries. TX 2002/2004 and
    GA 2002/2004 have no file. For 2026 the 2024 lines are returned; in states that redrew for 2026 they
    are a stand-in (``exact`` False): no source has the 2026 maps.
    """
    _check(cycle, state)
    if cycle > 2024:
        exact = map_vintage(cycle, state) == map_vintage(2024, state)
        note = "" if exact else f"{state} redrew for {cycle}: those maps are in no source; 2024 lines used"
        return LinesInfo(2024, exact, note)
    v = map_vintage(cycle, state)
    same = [y for y in PRES_LINES if _decade_start(y) == _decade_start(cycle) and map_vintage(y, state) == v]
    if not same:
        return LinesInfo(None, False, f"no presidential-by-district file for {state}'s {v} lines")
    best = min(same, key=lambda y: (abs(y - cycle), -y))
    return LinesInfo(best, True, "" if best == cycle else f"{best} file has the same {state} map")


def pres_lean(d_share, national, party):
    """The incumbent party's two-party presidential share minus the national one (D: d - n; R: n - d)."""
    if isinstance(party, pd.Series) or isinstance(d_share, pd.Series):
        d = pd.Series(d_share, dtype=float) if not isinstance(d_share, pd.Series) else d_share.astype(float)
        diff = d - national
        p = party if isinstance(party, pd.Series) else pd.Series(party, index=d.index)
        return diff.where(p == "D", -diff).where(p.isin(["D", "R"]))
    if party not in ("D", "R") or pd.isna(d_share) or pd.isna(national):
        return np.nan
    diff = float(d_share) - float(national)
    return diff if party == "D" else -diff


# --------------------------------------------------------------------------------------------------
# presidential vote by district

_CD = re.compile(r"^([A-Z]{2})-(\d{2})$")


def _parse_cd(s: pd.Series, file, row_offset: int = 1) -> tuple[pd.Series, pd.Series]:
    m = s.astype("string").str.extract(_CD)
    bad = m[0].isna() | ~m[0].isin(list(STATES))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(file, f"bad district code {s.iloc[i]!r}", row=i + row_offset, field="cd")
    return m[0].astype("string"), m[1].astype(int)


def pres_vote(raw: Path) -> pd.DataFrame:
    """Presidential two-party vote by district for every set of lines and election in the files.

    Returns
    -------
    DataFrame [lines_year, state, district, elec, d_two_party, presvotes_DR (NaN where the file has no
    counts), national_d_two_party]. The national share of an election is computed from the file on that
    election's own lines (sum of D votes / sum of D+R votes).
    """
    return _pres_vote(*_stamp(raw, PRES_LONG, PRES_2024)).copy()


def _stamp(raw: Path, *rels: str) -> tuple[str, tuple[float, ...]]:
    """Cache key: the raw folder and the modification times of the files read."""
    return str(Path(raw).resolve()), tuple(require_file(raw, r).stat().st_mtime for r in rels)


@lru_cache(maxsize=2)
def _pres_vote(root: str, _mtimes: tuple) -> pd.DataFrame:
    raw = Path(root)
    path = raw / PRES_LONG
    lg = read_csv(raw, PRES_LONG, required=["lines", "cd", "elec", "party", "pct", "presvotes_DR"])
    lg = lg.reset_index(drop=True)
    lg["pct"] = to_number(lg["pct"], path, "pct")
    lg["presvotes_DR"] = to_number(lg["presvotes_DR"], path, "presvotes_DR")
    out_of_range = ~lg["pct"].between(0, 1)
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range.to_numpy())[0])
        raise InputError(path, "share outside 0-1", row=i + 1, field="pct")
    d = lg[lg["party"] == "D"].copy()
    r = lg[lg["party"] == "R"].set_index(["lines", "cd", "elec"])["pct"]
    total = d.set_index(["lines", "cd", "elec"])["pct"] + r.reindex(d.set_index(["lines", "cd", "elec"]).index)
    if ((total - 1).abs() > 1e-6).any():
        raise InputError(path, "D and R shares do not sum to 1 (not two-party?)", field="pct")
    d = d[[(int(a), int(b)) not in BOGUS_PRES for a, b in zip(d["lines"], d["elec"])]]
    d = d.reset_index(drop=True)
    st, dist = _parse_cd(d["cd"], path)
    long = pd.DataFrame({"lines_year": d["lines"].astype(int), "state": st, "district": dist,
                         "elec": d["elec"].astype(int), "d_two_party": d["pct"].astype(float),
                         "presvotes_DR": d["presvotes_DR"].astype(float)})
    long["district"] = _atlarge_to_zero(long)

    p24path = Path(raw) / PRES_2024
    p24 = read_csv(raw, PRES_2024, required=["cd", "pct_trump", "presvotes_DR"]).reset_index(drop=True)
    pt = to_number(p24["pct_trump"], p24path, "pct_trump")
    st24, dist24 = _parse_cd(p24["cd"], p24path)
    y24 = pd.DataFrame({"lines_year": 2024, "state": st24, "district": dist24, "elec": 2024,
                        "d_two_party": 1.0 - pt, "presvotes_DR": to_number(p24["presvotes_DR"], p24path,
                                                                          "presvotes_DR")})
    y24["district"] = _atlarge_to_zero(y24)
    out = pd.concat([long, y24], ignore_index=True)
    own = out[(out["lines_year"] == out["elec"]) & out["presvotes_DR"].notna()]
    nat = (own["d_two_party"] * own["presvotes_DR"]).groupby(own["elec"]).sum() / \
        own.groupby("elec")["presvotes_DR"].sum()
    out["national_d_two_party"] = out["elec"].map(nat)
    return out.sort_values(["lines_year", "elec", "state", "district"]).reset_index(drop=True)


def _atlarge_to_zero(df: pd.DataFrame) -> pd.Series:
    """The files code at-large seats '-01': 0 where the state has one district in that set of lines."""
    n = df["district"].groupby([df["lines_year"], df["elec"], df["state"]]).transform("max")
    return df["district"].where(n > 1, 0)


def national_share(raw: Path) -> pd.Series:
    """National Democratic two-party share by presidential election, from the district files."""
    pv = pres_vote(raw)
    return pv.drop_duplicates("elec").set_index("elec")["national_d_two_party"].sort_index()


# --------------------------------------------------------------------------------------------------
# demographics loaders (one row per district of the source's lines)


def _rdh(raw: Path) -> pd.DataFrame:
    cols = ["STATE", "DISTRICT", "NH White", "NH Black plus NH Black and White",
            "NH Asian plus NH Asian and White", "Hispanic", "BACH_PLUS_pct", "FOREIGN_BORN_pct"]
    df = read_csv(raw, RDH, required=cols, dtype={"DISTRICT": str}).reset_index(drop=True)
    path = Path(raw) / RDH
    dist = df["DISTRICT"].str.strip()
    d = pd.to_numeric(dist.where(dist != "AT-LARGE", "0"), errors="coerce")
    if d.isna().any():
        i = int(np.flatnonzero(d.isna().to_numpy())[0])
        raise InputError(path, f"bad district {dist.iloc[i]!r}", row=i + 1, field="DISTRICT")
    return pd.DataFrame({
        "state": df["STATE"].astype("string"), "district": d.astype(int),
        "latino_share": to_number(df["Hispanic"], path, "Hispanic"),
        "black_share": to_number(df["NH Black plus NH Black and White"], path, "NH Black plus NH Black and White"),
        "asian_share": to_number(df["NH Asian plus NH Asian and White"], path, "NH Asian plus NH Asian and White"),
        "white_share": to_number(df["NH White"], path, "NH White"),
        "ba_plus_share": to_number(df["BACH_PLUS_pct"], path, "BACH_PLUS_pct"),
        "foreign_born_share": to_number(df["FOREIGN_BORN_pct"], path, "FOREIGN_BORN_pct"),
    })


_ACS_LABEL = re.compile(r"^Congressional District (\d+|\(at Large\)) \(\d+th Congress\), (.+)$")


def _census_geo(labels: pd.Series, file, row_offset: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse 'Congressional District 14 (115th Congress), New York' -> (keep, state, district)."""
    m = labels.astype("string").str.extract(_ACS_LABEL)
    is_delegate = labels.astype("string").str.contains("Delegate District|Resident Commissioner", na=False)
    bad = m[0].isna() & ~is_delegate
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(file, f"unrecognised geography {labels.iloc[i]!r}", row=i + row_offset, field="NAME")
    state = m[1].map(STATE_BY_NAME)
    keep = ~is_delegate & state.notna()
    dist = m[0].where(m[0] != "(at Large)", "0")
    return keep, state, dist


def _acs17(raw: Path) -> pd.DataFrame:
    path = Path(raw) / ACS17
    codes = {"HC01_VC24": "median_age", "HC03_VC93": "latino_share", "HC03_VC99": "white_share",
             "HC03_VC100": "black_share", "HC03_VC102": "asian_share"}
    df = read_csv(raw, ACS17, required=["GEO.display-label", *codes], skiprows=[1], encoding="latin-1",
                  dtype=str).reset_index(drop=True)
    keep, state, dist = _census_geo(df["GEO.display-label"], path, row_offset=2)
    out = pd.DataFrame({"state": state, "district": dist})
    for code, name in codes.items():
        v = to_number(df[code], path, code, row_offset=2)
        out[name] = v if name == "median_age" else v / 100.0
    out = out[keep.to_numpy()].copy()
    out["district"] = out["district"].astype(int)
    out["state"] = out["state"].astype("string")
    return out.reset_index(drop=True)


AGE_BINS = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54",
            "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+"]


def median_from_bins(counts) -> float:
    """Median age from 5-year bin counts (0-4 ... 80-84, 85+), linear within the bin holding the median."""
    c = np.asarray(counts, dtype=float)
    half = c.sum() / 2.0
    cum = np.cumsum(c)
    i = int(np.searchsorted(cum, half))
    before = cum[i - 1] if i > 0 else 0.0
    return 5.0 * i + 5.0 * (half - before) / c[i]


def _pe_age(raw: Path) -> pd.DataFrame:
    path = Path(raw) / PE_AGE
    df = read_csv(raw, PE_AGE, required=["NAME", *AGE_BINS]).reset_index(drop=True)
    keep, state, dist = _census_geo(df["NAME"], path, row_offset=1)
    counts = np.column_stack([to_number(df[b], path, b).to_numpy() for b in AGE_BINS])
    med = [median_from_bins(row) for row in counts]
    out = pd.DataFrame({"state": state, "district": dist, "median_age": med})[keep.to_numpy()]
    return out.assign(district=lambda x: x["district"].astype(int), state=lambda x: x["state"].astype("string")
                      ).reset_index(drop=True)


def _urban(raw: Path) -> pd.DataFrame:
    path = Path(raw) / URBAN
    df = read_csv(raw, URBAN, required=["state", "cd", "urbanindex"]).reset_index(drop=True)
    bad = ~df["state"].isin(list(STATES))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"unknown state {df['state'].iloc[i]!r}", row=i + 1, field="state")
    cd = to_number(df["cd"], path, "cd").astype(int)
    n = cd.groupby(df["state"]).transform("max")
    return pd.DataFrame({"state": df["state"].astype("string"), "district": cd.where(n > 1, 0),
                         "urban_index": to_number(df["urbanindex"], path, "urbanindex")})


# --------------------------------------------------------------------------------------------------
# the per-cycle district table

DEMOG_COLS = ["latino_share", "black_share", "asian_share", "white_share", "ba_plus_share",
              "foreign_born_share", "median_age", "urban_index", "renter_share"]


def _effective_vintage(cycle: int, state: str) -> int:
    """Vintage of the lines whose data is used: the map in force, or the 2024 stand-in for 2026."""
    return map_vintage(min(cycle, 2024), state) if cycle > 2024 else map_vintage(cycle, state)


def _district_list(pv: pd.DataFrame, cycle: int) -> pd.DataFrame:
    base = {2002: 2008, 2012: 2012, 2022: 2024}[_decade_start(cycle)]
    return pv.loc[pv["lines_year"] == base, ["state", "district"]].drop_duplicates().reset_index(drop=True)


def _n_districts(pv: pd.DataFrame, lines_year: int) -> pd.Series:
    return pv[pv["lines_year"] == lines_year].groupby("state")["district"].nunique()


def _new_lines(pv: pd.DataFrame, cycle: int, dl: pd.DataFrame) -> pd.Series:
    """Per-district new-lines flag (see district_features)."""
    if cycle in REDISTRICTING_CYCLES:
        if cycle == 2002:
            return pd.Series(dl["district"] > 0, index=dl.index)     # at-large states kept one seat
        prev, cur = _n_districts(pv, 2010 if cycle == 2012 else 2020), _n_districts(pv, cycle if cycle < 2022
                                                                                   else 2022)
        both_atlarge = dl["state"].map(lambda s: prev.get(s, 0) == 1 and cur.get(s, 0) == 1)
        return ~both_atlarge
    if cycle in (2016, 2018, 2020, 2024):
        a = pv[pv["lines_year"] == cycle - 2]
        b = pv[pv["lines_year"] == cycle]
        elec = max(set(a["elec"]) & set(b["elec"]))
        j = b[b["elec"] == elec].merge(a[a["elec"] == elec], on=["state", "district"], how="left",
                                       suffixes=("", "_prev"))
        moved = ((j["d_two_party"] - j["d_two_party_prev"]).abs() > NEW_LINES_TOL) | j["d_two_party_prev"].isna()
        flag = dl.merge(j.assign(moved=moved)[["state", "district", "moved"]], on=["state", "district"],
                        how="left")["moved"]
        return flag.fillna(True).astype(bool)
    changes = MIDDECADE_CHANGES.get(cycle, {})
    return pd.Series([s in changes and (changes[s] is None or d in changes[s])
                      for s, d in zip(dl["state"], dl["district"])], index=dl.index)


def district_features(raw: Path, cycle: int) -> pd.DataFrame:
    """District attributes for every district on the lines in force in ``cycle``.

    Returns
    -------
    DataFrame [cycle, state, district, d_pres_share, national_d_share, pres_elec, pres_lean_lines,
    latino_share, black_share, asian_share, white_share, ba_plus_share, foreign_born_share, median_age,
    urban_index, renter_share, demog_source, source_district, new_lines, new_lines_state, lines_stale,
    demog_stale, map_vintage]

    d_pres_share is the Democratic two-party share in the most recent presidential election held
    BEFORE the cycle (never the same-year November result) on the lines in force, found on any file
    with the same map (e.g. 2012 uses the 2008 election re-computed on the 2016 lines outside FL/NC/VA).
    NA for 2002-2008 (no pre-primary election on those lines) and FL/NC/VA 2012.
    new_lines: True where the district's lines differ from the previous cycle's: all multi-district
    states in 2002/2012/2022; in 2016-2024 per district, where the district's two-party share for the
    same election moved by more than NEW_LINES_TOL on the new lines (minor boundary tweaks can go
    unflagged, e.g. FL-16 2016 moved 0.35 pt); from MIDDECADE_CHANGES otherwise (TX 2006 per district;
    2026: every district of a state that redrew in 2025). new_lines_state: the state redrew at all.
    lines_stale: 2026 rows in redrawn states whose presidential lean is the 2024 lines' (here every
    redrawn state; ``features.districts.redistricting_2026`` clears it for TX and FL, whose lean it puts on the
    new plans). demog_stale: 2026 rows in redrawn states whose demographics are the 2024 lines' (no
    source has them on any 2026 plan).
    """
    _check_cycle(cycle)
    pv = pres_vote(raw)
    dl = _district_list(pv, cycle)
    states = dl["state"].astype(str)
    eff = states.map(lambda s: _effective_vintage(cycle, s))
    pv = pv.assign(vintage=[map_vintage(y, s) for y, s in zip(pv["lines_year"], pv["state"])])

    # presidential share: latest election before the cycle on a file with the same map
    prior = pv[pv["elec"] < cycle]
    prior = prior[prior["lines_year"].map(_decade_start) == _decade_start(min(cycle, 2024))]
    prior = prior.assign(gap=(prior["lines_year"] - cycle).abs(), has_votes=prior["presvotes_DR"].notna())
    prior = prior.sort_values(["elec", "has_votes", "gap"], ascending=[False, False, True])
    key = dl.assign(vintage=eff.to_numpy())
    pres = key.merge(prior, on=["state", "district", "vintage"], how="left").drop_duplicates(
        ["state", "district"], keep="first").set_index(["state", "district"]).reindex(
        pd.MultiIndex.from_frame(dl[["state", "district"]]))

    out = dl.copy()
    out.insert(0, "cycle", int(cycle))
    out["d_pres_share"] = pres["d_two_party"].to_numpy(dtype=float)
    out["national_d_share"] = pres["national_d_two_party"].to_numpy(dtype=float)
    out["pres_elec"] = pd.array(pres["elec"].to_numpy(), dtype="Int64")
    out["pres_lean_lines"] = pd.array(pres["lines_year"].to_numpy(), dtype="Int64")
    out["source_district"] = pd.array(
        [f"downballot-cd_info(lines={int(l)},elec={int(e)})" if not pd.isna(e) else pd.NA
         for l, e in zip(pres["lines_year"], pres["elec"])], dtype="string")

    # demographics
    for c in DEMOG_COLS:
        out[c] = np.nan
    sources = [[] for _ in range(len(out))]

    def fill(df: pd.DataFrame, cols: list[str], applies: pd.Series, label: str) -> None:
        j = out[["state", "district"]].merge(df, on=["state", "district"], how="left")
        ok = applies.to_numpy() & j[cols].notna().any(axis=1).to_numpy()
        for c in cols:
            out.loc[ok, c] = j.loc[ok, c].to_numpy(dtype=float)
        for i in np.flatnonzero(ok):
            sources[i].append(label)

    if 2012 <= cycle <= 2020:
        same115 = states.map(lambda s: map_vintage(cycle, s) == map_vintage(2016, s))
        fill(_acs17(raw), ["latino_share", "black_share", "asian_share", "white_share", "median_age"],
             same115, SRC_ACS17)
    if cycle >= 2022:
        same119 = pd.Series(eff.to_numpy() == states.map(lambda s: map_vintage(2024, s)).to_numpy())
        same118 = pd.Series(eff.to_numpy() == states.map(lambda s: map_vintage(2022, s)).to_numpy())
        fill(_rdh(raw), ["latino_share", "black_share", "asian_share", "white_share", "ba_plus_share",
                         "foreign_born_share"], same119, SRC_RDH)
        fill(_pe_age(raw), ["median_age"], same118, SRC_PE)
        fill(_urban(raw), ["urban_index"], same118, SRC_URBAN)
    out["demog_source"] = pd.array([";".join(s) if s else pd.NA for s in sources], dtype="string")

    out["new_lines"] = pd.array(_new_lines(pv, cycle, dl).to_numpy(), dtype="boolean")
    redrew = out.groupby("state")["new_lines"].transform("any")
    out["new_lines_state"] = pd.array(redrew.to_numpy(dtype=bool), dtype="boolean")
    out["lines_stale"] = pd.array([not lines_for_cycle(cycle, s).exact and cycle > 2024 for s in states],
                                  dtype="boolean")
    out["demog_stale"] = out["lines_stale"].copy()
    out["map_vintage"] = pd.array([map_vintage(cycle, s) for s in states], dtype="Int64")
    out["state"] = out["state"].astype("string")
    out["district"] = out["district"].astype(int)
    return out
