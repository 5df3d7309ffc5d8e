"""Which House committees in an FEC all-candidate summary (``weball``) belong to someone running for the House.

A ``weball`` file lists every committee with activity in the two-year period, not every candidate on
this cycle's ballot.  Two kinds of row look like House challengers but are not:

- ``senate-committee``: a House ID sharing one committee with a Senate (or presidential) ID shows the
  same receipts and cash twice.  When the other ID is a sitting senator (``CAND_ICI == 'I'``) the
  money is the senator's (weball26: OK-2 "MULLIN, MARKWAYNE" $3.0M = S2OK00186; NM-1 "HEINRICH,
  MARTIN" = S2NM00088; OK-5 "LANKFORD" = S4OK00232).  In the live cycle a twin registered for this
  cycle's Senate race (``S6...`` for 2026, ICI C/O) is a Senate run too (LA-5 Miguez = S6LA00540,
  WV-1 Evans = S6WV00147), the rule ``features.contests.roster_2026`` already applies to sitting members.  An
  older Senate ID (MD-6 Trone's S4MD00319 from 2024) says nothing about this cycle: the House row stays.
- ``dormant``: an old committee that raised nothing from anyone this cycle (individual, party, PAC
  contributions, the candidate's own money and loans, transfers in) and whose receipts are interest
  or refunds: MA-8 "KENNEDY, JOSEPH P II" (last a candidate in 1998, $210k receipts, $0 contributed,
  $1.2M cash), CA-24 Waxman, FL-6 Stearns, NJ-9 Wildes.  A committee counts as active when these
  sources exceed the FECA candidate threshold (``MIN_RAISED``, $5,000).

The candidate master in the raw folder (``fec_weball/cn.txt``) is a 2022 vintage: its election year
can mark a 2026 filer as 2022 at best, and alone it would drop active 2026 filers (NJ-6 Hsu: status
P, 2020, $56,854 from individuals; AZ-6 Grantham: P, 2012, $326,523).  Its year and status are
reported (``candidate_master``) for audit, never used to drop a row.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.rawio import require_file, to_number

MIN_RAISED = 5_000.0
RAISED_COLUMNS = ("TTL_INDIV_CONTRIB", "OTHER_POL_CMTE_CONTRIB", "POL_PTY_CONTRIB", "CAND_CONTRIB",
                  "CAND_LOANS", "OTHER_LOANS", "TRANS_FROM_AUTH")
TWIN_COLUMNS = ("CAND_ID", "CAND_ICI", "CAND_OFFICE_ST", "TTL_RECEIPTS", "COH_COP")
CANDIDATE_MASTER = "fec_weball/cn.txt"
CANDIDATE_MASTER_HEADER = "fec_weball/cn_header_file.csv"


def raised(weball: pd.DataFrame, file="weball") -> pd.Series:
    """Money raised this period from any source that makes a candidacy (float dollars, per row)."""
    total = pd.Series(0.0, index=weball.index)
    for col in RAISED_COLUMNS:
        if col in weball.columns:
            total = total + to_number(weball[col], file, col).fillna(0.0)
    return total


def inactive_reasons(weball: pd.DataFrame, cycle: int, live: bool = False, file="weball") -> pd.Series:
    """Why each House row is not an active House candidacy this cycle (NA = active), per row of ``weball``.

    Parameters
    ----------
    weball : a ``weball`` file with its raw column names (strings or numbers)
    cycle : the election year the file covers
    live : the cycle is under way (a twin registered for this cycle's Senate race is a Senate run)
    file : name used in error messages

    Returns
    -------
    Series of ``'senate-committee'``, ``'dormant'`` or NA, aligned with ``weball``; non-House rows
    are NA.  ``'dormant'`` applies to ``CAND_ICI == 'I'`` rows too: former members' old committees
    keep the flag (weball26: Honda CA-17, Esty CT-5, Rush IL-1, Haaland NM-1).  Callers use the
    reasons to choose challengers only; a sitting member's own row is judged by the roster.
    """
    missing = [c for c in TWIN_COLUMNS if c not in weball.columns]
    if missing:
        from features.kernel.errors import InputError
        raise InputError(file, "expected column missing", field=missing[0])
    ids = weball["CAND_ID"].astype("string").str.strip()
    ici = weball["CAND_ICI"].astype("string").str.strip()
    receipts = to_number(weball["TTL_RECEIPTS"], file, "TTL_RECEIPTS").fillna(0.0).round(2)
    cash = to_number(weball["COH_COP"], file, "COH_COP").fillna(0.0).round(2)
    state = weball["CAND_OFFICE_ST"].astype("string").str.strip()
    house = ids.str.startswith("H", na=False)
    this_cycle = f"S{cycle % 10}"
    other = ~house & ids.notna()
    twin_office = other & ((ici == "I") | (live & ids.str.startswith(this_cycle, na=False)
                                           & ici.isin(["C", "O"])))
    twins = set(zip(receipts[twin_office], cash[twin_office]))
    # a sitting senator's twin is his money in any state; a Senate run only in the House row's state
    key = list(zip(receipts, cash))
    twin_state = {(r, c): s for r, c, s in zip(receipts[twin_office], cash[twin_office], state[twin_office])}
    sitting = set(zip(receipts[other & (ici == "I")], cash[other & (ici == "I")]))
    out = pd.Series(pd.NA, index=weball.index, dtype="string")
    for i, (k, h, st) in enumerate(zip(key, house, state)):
        if not h or k[0] <= 0 or k not in twins:
            continue
        if k in sitting or twin_state.get(k) == st:
            out.iloc[i] = "senate-committee"
    if any(c in weball.columns for c in RAISED_COLUMNS):     # weball format; summaries lack them
        dormant = house & (raised(weball, file) <= MIN_RAISED) & out.isna()
        out[dormant.fillna(False).to_numpy()] = "dormant"
    return out


def candidate_master(raw: Path) -> pd.DataFrame:
    """The FEC candidate master in the raw folder (2022 vintage): CAND_ID, election year, status, ICI."""
    names = pd.read_csv(require_file(raw, CANDIDATE_MASTER_HEADER)).columns.tolist()
    path = require_file(raw, CANDIDATE_MASTER)
    cn = pd.read_csv(path, sep="|", header=None, names=names, dtype=str, keep_default_na=False,
                     encoding="latin-1", index_col=False)
    cn["CAND_ELECTION_YR"] = pd.to_numeric(cn["CAND_ELECTION_YR"], errors="coerce").astype("Int64")
    return cn[["CAND_ID", "CAND_NAME", "CAND_ELECTION_YR", "CAND_STATUS", "CAND_ICI"]].drop_duplicates("CAND_ID")


def active_mask(weball: pd.DataFrame, cycle: int, live: bool = False, file="weball") -> np.ndarray:
    """Boolean array: rows that are not flagged by :func:`inactive_reasons`."""
    return inactive_reasons(weball, cycle, live, file).isna().to_numpy()
