"""Training targets read from the central table's outcome columns (never model inputs).

- ``contested``: a same-party challenger was on the ballot (NA where the source does not say:
  many 2024 rows; those rows are left out of the P(contested) fit, never imputed);
- ``lost`` among contested rows: the P(loss | contested) target;
- the incumbent's first-round share in the contest they face: ``incumbent_share``, and in all-candidate
  primaries (top-two, top-four, Louisiana jungle) the share of all votes, ``incumbent_share_all``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from features.kernel.constants import louisiana_jungle, top_two_rule

ALL_CANDIDATE_SYSTEMS = ("top-two", "top-four", "louisiana-jungle")
SEVERAL_ADVANCE_SYSTEMS = ("top-two", "top-four")
SHARE_EPS = 0.005      # shares are clipped to [eps, 1-eps] before a logit transform


def all_candidate_primary(table: pd.DataFrame) -> pd.Series:
    """True where the incumbent's first round is an all-candidate primary."""
    if "primary_system" in table.columns:
        system = table["primary_system"].astype("string").str.strip().str.lower()
        flag = system.isin(ALL_CANDIDATE_SYSTEMS).fillna(False)
    else:
        system = pd.Series(pd.NA, index=table.index, dtype="string")
        flag = pd.Series(False, index=table.index)
    by_rule = pd.Series([top_two_rule(s, int(c)) is not None or louisiana_jungle(s, int(c))
                         for s, c in zip(table["state"], table["cycle"])], index=table.index)
    return flag | (system.isna() & by_rule)


def several_advance_primary(table: pd.DataFrame) -> pd.Series:
    """True where more than one candidate advances from the first round to November (top-two,
    top-four): two incumbents of one party can then both survive.  Louisiana's jungle election is
    all-candidate but elects one member (after a runoff), so it is not one of these."""
    if "primary_system" in table.columns:
        system = table["primary_system"].astype("string").str.strip().str.lower()
    else:
        system = pd.Series(pd.NA, index=table.index, dtype="string")
    flag = system.isin(SEVERAL_ADVANCE_SYSTEMS).fillna(False)
    by_rule = pd.Series([top_two_rule(s, int(c)) is not None for s, c in zip(table["state"], table["cycle"])],
                        index=table.index)
    return (flag | (system.isna() & by_rule)).astype(bool)


def contested(table: pd.DataFrame) -> pd.Series:
    """``contested`` as a nullable boolean (NA = unknown)."""
    return table["contested"].astype("boolean")


def lost(table: pd.DataFrame) -> pd.Series:
    """``lost`` as a nullable boolean (NA = no outcome yet)."""
    return table["lost"].astype("boolean")


def contested_mask(table: pd.DataFrame) -> np.ndarray:
    """Rows known to be contested and with a known outcome: the P(loss | contested) training rows."""
    return (contested(table).fillna(False) & lost(table).notna()).to_numpy(dtype=bool)


def incumbent_share(table: pd.DataFrame) -> pd.Series:
    """First-round share in the incumbent's own contest (all-candidate share in top-two etc.)."""
    share = pd.to_numeric(table["incumbent_share"], errors="coerce").astype(float)
    if "incumbent_share_all" in table.columns:
        share_all = pd.to_numeric(table["incumbent_share_all"], errors="coerce").astype(float)
        share = share.mask(all_candidate_primary(table), share_all.fillna(share))
    return share


def share_mask(table: pd.DataFrame) -> np.ndarray:
    """Contested rows with a known first-round share: the vote-share training / scoring rows."""
    return contested(table).fillna(False).to_numpy(dtype=bool) & incumbent_share(table).notna().to_numpy()


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), SHARE_EPS, 1 - SHARE_EPS)
    return np.log(p / (1 - p))


def expit(x) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
