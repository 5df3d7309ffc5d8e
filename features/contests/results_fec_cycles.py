"""Contest rows for every FEC cycle 2002-2020 in one frame (the 'results 2002-2020' build step)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from features.contests.fec_dates import fec_primary_dates
from features.contests.primary_contests import incumbent_contests
from features.contests.results_fec import FEC20_CYCLE, FEC_WORKBOOKS, general_winners, load_fec_candidates
from features.kernel.constants import louisiana_jungle
from features.kernel.errors import InputError

FEC_CYCLES = tuple(sorted(FEC_WORKBOOKS)) + (FEC20_CYCLE,)


def fec_contest_rows(raw: Path, cycles: Iterable[int] = range(2002, 2021, 2),
                     sitting_fn: Callable[[int], pd.DataFrame] | None = None) -> pd.DataFrame:
    """Contest rows (docs/TEAM_NOTES.md contract) for the FEC cycles, concatenated.

    Parameters
    ----------
    raw : the raw-data folder
    cycles : cycles among 2002, 2004, ..., 2020
    sitting_fn : optional ``cycle -> members sitting in that cycle's Congress`` (e.g.
        ``lambda c: legislators.sitting_members(raw, c)``); adds the incumbents the FEC (I) flag
        misses. Those are accepted only if they won the previous November election (so the previous
        cycle's results are read too).

    Returns
    -------
    DataFrame of contest rows with ``primary_date`` from the workbook's primary-date sheet
    (2002-2018; Louisiana's all-party election: election day; 2020: NaT, left to the calendar).
    """
    raw = Path(raw)
    cycles = sorted(set(int(c) for c in cycles))
    unknown = [c for c in cycles if c not in FEC_CYCLES]
    if unknown:
        raise InputError("fec_contest_rows", f"no FEC results for cycle {unknown[0]}", field="cycle")
    parts = []
    winners: dict[int, pd.DataFrame] = {}
    for cycle in cycles:
        cands = load_fec_candidates(raw, cycle)
        winners[cycle] = general_winners(cands)
        sitting, prior = None, None
        if sitting_fn is not None:
            sitting = sitting_fn(cycle)
            prev = cycle - 2
            if prev in FEC_CYCLES and prev not in winners:
                winners[prev] = general_winners(load_fec_candidates(raw, prev))
            prior = winners.get(prev)
        rows = incumbent_contests(cands, cycle, sitting=sitting, prior_winners=prior)
        parts.append(attach_primary_dates(rows, raw, cycle))
    return pd.concat(parts, ignore_index=True)


def attach_primary_dates(rows: pd.DataFrame, raw: Path, cycle: int) -> pd.DataFrame:
    """Fill ``primary_date`` from the FEC primary-date sheet; Louisiana's all-party 'primary' is the
    November election (election day by rule: the Tuesday after the first Monday of November)."""
    rows = rows.copy()
    if cycle in FEC_WORKBOOKS:
        dates = fec_primary_dates(raw, cycle).set_index("state")["primary_date"]
        rows["primary_date"] = rows["state"].map(dates)
    jungle = rows["state"].map(lambda s: louisiana_jungle(s, cycle)).astype(bool)
    rows.loc[jungle, "primary_date"] = election_day(cycle)
    rows["primary_date"] = pd.to_datetime(rows["primary_date"]).astype("datetime64[ns]")
    return rows


def election_day(cycle: int) -> pd.Timestamp:
    """The federal general election: the Tuesday after the first Monday of November."""
    first = pd.Timestamp(cycle, 11, 1)
    first_monday = first + pd.Timedelta(days=(7 - first.weekday()) % 7)
    return first_monday + pd.Timedelta(days=1)
