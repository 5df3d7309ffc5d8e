"""Fixtures of the model / backtest / tracking tests: the real central table and its as-of views.

The tests run on the committed table (``data/processed/incumbent_primaries.csv``) and skip cleanly
when it has not been built.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pytest

from features.table.store import TABLE_CSV


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    from features.table.store import load_table
    return load_table(TABLE_CSV)


def real_table() -> pd.DataFrame:
    """The central table (a copy), or skip the test when it is not built."""
    if not TABLE_CSV.is_file():
        pytest.skip("central table not built (data/processed/incumbent_primaries.csv)")
    return _load().copy()


@lru_cache(maxsize=4)
def _view(money: str) -> pd.DataFrame:
    from features.view.asof import as_of_view
    return as_of_view(_load(), money=money)


def pre_primary_view(money: str = "preprimary") -> pd.DataFrame:
    """The table as of the day before each primary (a copy), or skip."""
    real_table()
    return _view(money).copy()


def row(frame: pd.DataFrame, cycle: int, state: str, district: int, party: str) -> pd.Series:
    """The single row of an incumbent contest (fails the test if absent or ambiguous)."""
    sel = frame[(frame["cycle"] == cycle) & (frame["state"] == state) & (frame["district"] == district)
                & (frame["party"] == party)]
    assert len(sel) == 1, f"{cycle} {state}-{district} {party}: {len(sel)} rows"
    return sel.iloc[0]
