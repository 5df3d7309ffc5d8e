"""Presidential two-party vote by district for 2002-2008 (the 2002-2010 lines), for ``pres_lean``.

Source: ``pres-by-cd-2000-2004/pres2000_2004_on_2002_2010_lines.csv`` (Jacobson's ``dpres`` checked
against the Almanac; see its README).  The last presidential election *before* each primary:
- 2002, 2004: Gore 2000 on the 2002 lines (``dpres2000_2002lines_recommended``: the Almanac row for
  Illinois, where Jacobson's 2002 values are implausible, Jacobson elsewhere).  Texas drew new lines
  for 2004 and no 2000 value exists on them: Texas 2004 stays missing (the 2004 value on those lines
  is from November 2004, after the primary).
- 2006, 2008: Kerry 2004 on the lines in force (``jac_dpres2004_on_2004lines``; Georgia and Texas,
  redrawn for 2006, ``dpres2004_2006lines_GA_TX``).
National two-party Democratic shares are the official popular vote (FEC "Federal Elections 2000" and
"2004"): Gore 51,009,810 v Bush 50,462,412; Kerry 59,028,444 v Bush 62,040,610.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.errors import InputError
from features.kernel.rawio import read_csv, to_number

SOURCE = "pres-by-cd-2000-2004/pres2000_2004_on_2002_2010_lines.csv"
NATIONAL_D_TWO_PARTY = {2000: 51_009_810 / (51_009_810 + 50_462_412), 2004: 59_028_444 / (59_028_444 + 62_040_610)}
CYCLES = (2002, 2004, 2006, 2008)
REDRAWN_2006 = ("GA", "TX")
_COLS = ["state_abb", "district", "dpres2000_2002lines_recommended", "jac_dpres2004_on_2004lines",
         "dpres2004_2006lines_GA_TX"]


def pres_2000s(raw: Path) -> pd.DataFrame:
    """One row per (cycle, state, district) 2002-2008: d_pres_share (0-1), national_d_share, pres_elec."""
    df = read_csv(raw, SOURCE, required=_COLS, dtype=str, keep_default_na=False).reset_index(drop=True)
    path = Path(raw) / SOURCE
    vals = {c: to_number(df[c], path, c) / 100.0 for c in _COLS[2:]}
    for c, v in vals.items():
        bad = v.notna() & ~v.between(0, 1)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, f"share outside 0-100: {df[c].iloc[i]!r}", row=i + 1, field=c)
    district = pd.to_numeric(df["district"], errors="coerce")
    if district.isna().any():
        i = int(np.flatnonzero(district.isna().to_numpy())[0])
        raise InputError(path, f"not a district: {df['district'].iloc[i]!r}", row=i + 1, field="district")
    n = district.groupby(df["state_abb"]).transform("max")
    district = district.where(n > 1, 0).astype(int)
    parts = []
    for cycle in CYCLES:
        if cycle <= 2004:
            share, elec = vals["dpres2000_2002lines_recommended"].copy(), 2000
            if cycle == 2004:
                share[df["state_abb"] == "TX"] = np.nan
        else:
            share, elec = vals["jac_dpres2004_on_2004lines"].copy(), 2004
            redrawn = df["state_abb"].isin(REDRAWN_2006)
            share[redrawn] = vals["dpres2004_2006lines_GA_TX"][redrawn]
        parts.append(pd.DataFrame({"cycle": cycle, "state": df["state_abb"], "district": district,
                                   "d_pres_share": share, "national_d_share": NATIONAL_D_TWO_PARTY[elec],
                                   "pres_elec": elec}))
    out = pd.concat(parts, ignore_index=True)
    out["pres_elec"] = out["pres_elec"].astype("Int64")
    return out


def fill_pres_2000s(raw: Path, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with d_pres_share / national_d_share / pres_elec filled for 2002-2008 where missing."""
    rows = rows.copy()
    src = pres_2000s(raw).set_index(["cycle", "state", "district"])
    key = pd.MultiIndex.from_arrays([rows["cycle"].astype(int), rows["state"], rows["district"].astype(int)])
    got = src.reindex(key)
    for col in ("d_pres_share", "national_d_share"):
        rows[col] = pd.to_numeric(rows[col], errors="coerce").fillna(pd.Series(got[col].to_numpy(), index=rows.index))
    filled = pd.Series(got["pres_elec"].to_numpy(), index=rows.index).astype("Int64")
    filled = filled.where(pd.Series(got["d_pres_share"].notna().to_numpy(), index=rows.index))
    rows["pres_elec"] = rows["pres_elec"].astype("Int64").fillna(filled) if "pres_elec" in rows else filled
    return rows
