"""Ghost committees in weball26 are not 2026 challengers (real rows: Mullin, Heinrich, Kennedy)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.contests.fec_active import inactive_reasons
from features.contests.roster_2026 import WEBALL26, contest_rows_2026, read_weball
from features.evidence.money import candidate_money, race_money
from features.kernel.paths import raw_dir
from features.view.matrix import DEFAULT_GROUPS, feature_names, model_frame

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / WEBALL26).is_file(), reason="raw data folder absent")


@pytest.fixture(scope="module")
def reasons() -> pd.Series:
    w = read_weball(RAW)
    return pd.Series(inactive_reasons(w, 2026, live=True).to_numpy(), index=w["CAND_ID"])


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return contest_rows_2026(RAW, "2025-12-31")


def seat(rows, state, district):
    sel = rows[(rows["state"] == state) & (rows["district"] == district)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_senators_twin_house_ids_and_dormant_committees(reasons):
    assert reasons["H2OK02083"] == "senate-committee"     # Mullin: same $3,006,445.05 as S2OK00186 (I)
    assert reasons["H8NM01224"] == "senate-committee"     # Heinrich = S2NM00088 (sitting senator)
    assert reasons["H0OK05114"] == "senate-committee"     # Lankford = S4OK00232
    assert reasons["H6LA05234"] == "senate-committee"     # Miguez: twin of a 2026 Senate registration
    assert reasons["H6MA08141"] == "dormant"              # Kennedy II: $209,986 receipts, $0 raised
    assert reasons["H6CA24048"] == "dormant"              # Waxman
    # real 2026 challengers stay
    assert pd.isna(reasons["H6MD08549"])   # Trone: twin of a 2024 Senate ID (S4MD00319), self-funded $5M loan
    assert pd.isna(reasons["H0NJ06214"])   # Hsu: candidate master says 2020/P, but $56,854 from individuals
    assert pd.isna(reasons["H6MI13254"])   # McKinney MI-13
    assert pd.isna(reasons["H6MA08307"])   # Roath MA-8
    assert pd.isna(reasons["H2MI13204"])   # Thanedar (his net receipts are negative; he raised $145k)


def test_live_field_drops_ghosts(rows):
    nm1 = seat(rows, "NM", 1)
    assert pd.isna(nm1["challengers"]) and "Martin Heinrich (senate-committee)" in nm1["field_dropped_fec"]
    ma8 = seat(rows, "MA", 8)
    assert ma8["challengers"] == "Patrick Thomas Roath"
    assert "Kennedy" in ma8["field_dropped_fec"]
    assert seat(rows, "MI", 13)["challengers"] == "Donavan McKinney;Adam Hollier"
    everyone = ";".join(rows["challengers"].dropna())
    for ghost in ("Heinrich", "Mullin", "Lankford", "Joseph P Kennedy", "Waxman", "Stearns"):
        assert ghost not in everyone


def test_live_money_challenger_is_not_a_senator():
    contests = pd.DataFrame([dict(cycle=2026, state="OK", district=2, party="R", incumbent="Josh Brecheen",
                                  fec_id="H2OK02315"),
                             dict(cycle=2026, state="MA", district=8, party="D", incumbent="Stephen F. Lynch",
                                  fec_id="H2MA09072")])
    out = race_money(contests, candidate_money(RAW, 2026, "preprimary"), pd.Timestamp("2025-12-31"))
    # was Mullin's $3,006,445 Senate money (his old House ID, ICI 'I', shares the senator's committee)
    assert not out.loc[0, "chal_name_fec"].startswith("MULLIN")
    assert out.loc[0, "chal_receipts"] < 100_000
    assert out.loc[1, "chal_name_fec"].startswith("ROATH")
    assert out.loc[1, "chal_receipts"] == pytest.approx(600551.04)


def test_negative_receipts_are_unknown_not_the_floor():
    view = pd.DataFrame([dict(cycle=2026, state="MI", district=13, party="D", incumbent="Shri Thanedar",
                              inc_receipts=-303215.61, inc_cash=6396751.63, chal_receipts=755798.51,
                              chal_cash=1.0e5, primary_system="closed"),
                         dict(cycle=2026, state="MI", district=12, party="D", incumbent="Rashida Tlaib",
                              inc_receipts=0.0, inc_cash=1.0, chal_receipts=np.nan, chal_cash=np.nan,
                              primary_system="closed")])
    m = model_frame(view, groups=("money",))
    assert np.isnan(m.loc[0, "log_inc_receipts"]) and np.isnan(m.loc[0, "log_money_ratio"])
    assert m.loc[0, "log_inc_cash"] > 15
    assert m.loc[1, "log_inc_receipts"] == 0.0            # a true zero stays zero


def test_leadership_is_not_a_default_feature():
    assert "leadership" not in feature_names(DEFAULT_GROUPS)
    assert "leadership" not in DEFAULT_GROUPS
