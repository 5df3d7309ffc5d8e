"""Member-vs-member primaries: when two sitting members meet in one party primary, one of them loses.

After redistricting (2002, 2012, 2022) a few pairs of incumbents run in the same party primary.
In every such primary 2002-2024 exactly one of the two lost (20 of 20 pairs, Louisiana's 2012
jungle election LA-3 Landry-Boustany included: one seat, so one of them loses); in top-two and
top-four primaries both can advance (both did: CA-30 and CA-44 2012), so the rule does not apply
there.  Once the field is known, the pair's P(loss | contested) are therefore rescaled to sum to
k-1 for a group of k members (the model's ratio between them is kept).  Rows whose partner is not
in the table being predicted are left alone.

``member_pairs`` is the one definition of a "pairing" row: the models' pair rule, the
pairing-aware reference (``forecasting.models.baseline.PairAwareBaseRateModel``) and the
scoreboard's pairing columns all use it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models import targets

KEY = ["cycle", "state", "district", "party"]


def member_pairs(table: pd.DataFrame, november: bool = False) -> list[np.ndarray]:
    """Positions (0-based) of the rows of each member-vs-member contest in ``table``.

    ``november=False``: primaries where one member must lose the nomination; ``True``: top-two /
    top-four primaries, whose finalists meet in November, where one member must lose the seat
    (``apply_seat_pair_rule``).
    """
    if "incumbent_vs_incumbent" not in table.columns:
        return []
    ivi = table["incumbent_vs_incumbent"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    known = (table["field_known"].astype("boolean").fillna(False).to_numpy(dtype=bool)
             if "field_known" in table.columns else np.ones(len(table), dtype=bool))
    several = targets.several_advance_primary(table).to_numpy(dtype=bool)
    one_must_lose = several if november else ~several
    rows = np.flatnonzero(ivi & known & one_must_lose)
    if not len(rows):
        return []
    keys = table.iloc[rows][KEY].astype(str).agg("|".join, axis=1).to_numpy()
    groups = []
    for key in pd.unique(keys):
        members = rows[keys == key]
        if len(members) >= 2:
            groups.append(members)
    return groups


def pairing_mask(table: pd.DataFrame) -> np.ndarray:
    """True on the rows of a member-vs-member primary where one must lose (see ``member_pairs``)."""
    out = np.zeros(len(table), dtype=bool)
    for members in member_pairs(table):
        out[members] = True
    return out


def apply_pair_rule(table: pd.DataFrame, p_loss_if_contested: np.ndarray) -> np.ndarray:
    """P(loss | contested) with each member-vs-member group rescaled to sum to (k - 1)."""
    p = np.asarray(p_loss_if_contested, dtype=float).copy()
    for members in member_pairs(table):
        k = len(members)
        total = p[members].sum()
        if total > 0:
            p[members] = np.clip(p[members] * (k - 1) / total, 0.0, 1.0)
        else:
            p[members] = (k - 1) / k
    return p


def apply_seat_pair_rule(table: pd.DataFrame, p_lose_seat: np.ndarray, p_loss: np.ndarray) -> np.ndarray:
    """P(lose the seat to the same party) with each top-two member-vs-member group summing to k - 1.

    In a top-two state the two members usually both advance and meet again in November
    (Berman-Sherman and Hahn-Richardson 2012; Calvert-Kim CA-40 2026): there the second target is
    the one that must be coherent.  The model's ratio between the members is kept; a member's value
    never drops below their P(lose the nomination).
    """
    p = np.asarray(p_lose_seat, dtype=float).copy()
    floor = np.asarray(p_loss, dtype=float)
    for members in member_pairs(table, november=True):
        k = len(members)
        total = p[members].sum()
        p[members] = p[members] * (k - 1) / total if total > 0 else (k - 1) / k
        p[members] = np.clip(np.maximum(p[members], floor[members]), 0.0, 1.0)
    return p


def expected_defeats(forecast: pd.DataFrame, column: str = "p_loss") -> float:
    """Expected number of incumbents defeated: each contest counted once.

    A member-vs-member contest is one contest whose members' probabilities sum to the number who
    must lose (k - 1 once both run), so summing the rows counts it once, as one defeat.
    """
    return float(pd.to_numeric(forecast[column], errors="coerce").fillna(0.0).sum())
