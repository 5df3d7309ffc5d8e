"""The member's previous primary (features.evidence.challenger_history) on real rows, and its as-of dating."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.evidence.challenger_history import COLUMNS, MATCH_MIN, challenger_history, rematch, same_challenger
from features.kernel.names import names_match
from features.table.store import load_table
from features.view.asof import AsOfViolation, as_of_view, assert_as_of
from features.view.matrix import model_frame, source_columns


@pytest.fixture(scope="module")
def table():
    return load_table()


def race(t, cycle, state, district, party=None):
    sel = t[(t["cycle"] == cycle) & (t["state"] == state) & (t["district"] == district)]
    if party:
        sel = sel[sel["party"] == party]
    assert len(sel) == 1, (cycle, state, district)
    return sel.iloc[0]


def test_committed_columns_are_what_the_table_gives(table):
    again = challenger_history(table.drop(columns=COLUMNS))
    for col in ("prev_chal_share", "prev_contested", "district_switch", "prev_district"):
        pd.testing.assert_series_equal(again[col], table[col].astype(float), check_names=False)


def test_forbes_ran_in_another_district(table):
    r = race(table, 2016, "VA", 2)               # Forbes: VA-4 in 2014, VA-2 after the 2016 court map
    assert r["incumbent"] == "J. Forbes" and r["lost"]
    assert r["district_switch"] == 1.0 and r["prev_district"] == 4.0
    assert r["prev_contested"] == 0.0 and r["prev_chal_share"] == 0.0   # unopposed in 2014
    assert r["rematch"] == 0.0                   # Scott Taylor had not run against him
    assert race(table, 2014, "VA", 4)["district_switch"] == 0.0


def test_crowley_no_warning_in_his_previous_primary(table):
    r = race(table, 2018, "NY", 14)              # Ocasio-Cortez was new: nothing in 2016 foretold it
    assert r["incumbent"] == "Joe Crowley"
    assert r["prev_contested"] == 0.0 and r["prev_chal_share"] == 0.0 and r["district_switch"] == 0.0
    assert r["rematch"] == 0.0 and pd.isna(r["rematch_name"])
    aoc = race(table, 2020, "NY", 14)            # her first renomination: no previous row as a member
    assert pd.isna(aoc["prev_contested"]) and pd.isna(aoc["district_switch"]) and pd.isna(aoc["rematch"])


def test_rematches_of_strong_challengers(table):
    wynn = race(table, 2008, "MD", 4)            # Donna Edwards: 46.4% in 2006, won in 2008
    assert wynn["rematch"] == 1.0 and "Edwards" in wynn["rematch_name"]
    assert wynn["prev_chal_share"] == pytest.approx(0.4639, abs=1e-4) and wynn["lost"]
    lip = race(table, 2020, "IL", 3)             # Marie Newman: 48.9% in 2018, won in 2020
    assert lip["rematch"] == 1.0 and "Newman" in lip["rematch_name"] and lip["lost"]
    assert lip["prev_chal_share"] == pytest.approx(0.4887, abs=1e-4)
    gomez = race(table, 2022, "CA", 34)          # top-two: David Kim (D) again; he did not win
    assert gomez["rematch"] == 1.0 and gomez["rematch_name"] == "David Kim" and not gomez["lost"]


def test_top_two_other_party_challenger_is_not_the_same_party_threat(table):
    r = race(table, 2020, "CA", 3)               # Garamendi's 2018 runner-up was a Republican (42%)
    assert r["prev_contested"] == 1.0 and np.isnan(r["prev_chal_share"]) and r["rematch"] == 0.0
    assert pd.isna(r["prev_top_challenger"])


def test_pairing_renumbering_is_a_switch(table):
    # Levin (MI-9 in 2020) ran against Stevens in her renumbered MI-11: a switch for him only
    rows = table[(table["cycle"] == 2022) & (table["state"] == "MI") & (table["district"] == 11)]
    by_name = rows.set_index("incumbent")["district_switch"].to_dict()
    assert by_name == {"Andy Levin": 1.0, "Haley Stevens": 0.0}


def test_as_of_previous_primary_not_yet_held(table):
    r = table[(table["cycle"] == 2018) & (table["state"] == "NY") & (table["district"] == 14)]
    feats = source_columns(("challenger_history", "district_switch", "rematch"))
    # forecasting 2018 as of a date before the 2016 primary (2016-06-28): the previous primary is unknown
    early = as_of_view(r, as_of=pd.Timestamp("2016-03-01"))
    assert early[["prev_chal_share", "prev_contested", "district_switch"]].isna().all().all()
    assert_as_of(early, feature_columns=feats)
    assert model_frame(early, ("challenger_history", "district_switch", "rematch")).isna().all().all()
    forged = r.assign(as_of=pd.Timestamp("2016-03-01"))      # the row's values, unblanked
    with pytest.raises(AsOfViolation, match="challenger_history.*prev_primary_date"):
        assert_as_of(forged, feature_columns=["prev_chal_share", "prev_contested", "district_switch"])
    late = as_of_view(r, as_of="pre-primary")
    assert_as_of(late, feature_columns=feats)
    assert late["prev_contested"].iloc[0] == 0.0


def test_rematch_waits_for_the_filing_deadline(table):
    r = table[(table["cycle"] == 2020) & (table["state"] == "IL") & (table["district"] == 3)]
    before = as_of_view(r, as_of=pd.Timestamp("2019-08-01"))   # IL filing closed 2019-12-02
    m = model_frame(before, ("rematch", "challenger_history"))
    assert np.isnan(m["rematch"].iloc[0]) and np.isnan(m["rematch_share"].iloc[0])
    assert m["prev_chal_share"].iloc[0] == pytest.approx(0.4887, abs=1e-4)   # the 2018 result is known
    after = as_of_view(r, as_of="pre-primary")
    m = model_frame(after, ("rematch",))
    assert m["rematch"].iloc[0] == 1.0 and m["rematch_share"].iloc[0] == pytest.approx(0.4887, abs=1e-4)
    assert_as_of(after)


def test_backtest_views_pass_the_as_of_rule(table):
    feats = source_columns(("challenger_history", "district_switch", "rematch"))
    for cycle in (2008, 2016, 2022, 2024):
        train = table[table["cycle"] < cycle]
        test = table[table["cycle"] == cycle]
        assert_as_of(as_of_view(test, as_of="pre-primary"), feature_columns=feats)
        assert_as_of(as_of_view(train, as_of="pre-primary"), feature_columns=feats)
    live = as_of_view(table[table["cycle"] == 2026], as_of=pd.Timestamp("2025-12-31"))
    assert_as_of(live, feature_columns=feats)
    assert (pd.to_datetime(live["prev_primary_date"]).dropna() <= pd.Timestamp("2024-12-31")).all()


@pytest.mark.parametrize("name,prev,expected", [
    ("Hampton Redmond", "Hamp Redmond", True),              # SC-2 2026: FEC field vs 2024 results
    ("Thomas Eugene Davis", "Thomas E. Davis", True),       # TN-4 2026
    ("David Alfred Pautsch", "David Pautsch", True),        # IA-1 2026
    ("PAUTSCH, DAVID ALFRED", "David Pautsch", True),       # the FEC's "LAST, FIRST MIDDLE"
    ("Donna F. Edwards", "Donna Edwards", True),            # MD-4 2008
    ("GONZALES TORRES, ANGELA", "Angela Gonzáles-Torres", True),
    ("John Smith Jr.", "John Smith", True),                 # one side without the suffix
    ("John Smith Jr.", "John Smith Sr.", False),            # father and son
    ("John Smith II", "John Smith III", False),
    ("Thomas R. Davis", "Thomas E. Davis", False),          # middle initials disagree
    ("Daniel Pautsch", "David Pautsch", False),
    ("Courtney Casgraux", "Jamil Ahmad / Courtney Casgraux", False),   # OR-1 2024: top one unknown
    ("Marie Newman", None, False),
])
def test_same_challenger_rule(name, prev, expected):
    assert same_challenger(name, prev) is expected


def test_the_several_names_cell_would_match_on_names_alone():
    # why the rule refuses "A / B": the name score alone would call Casgraux the 2024 top challenger
    assert names_match("Courtney Casgraux", "Jamil Ahmad / Courtney Casgraux") >= MATCH_MIN


def test_fec_ids_decide_when_both_sides_have_one():
    assert same_challenger("Tommy Davis", "DAVIS, THOMAS E", "H4TN04247", "H4TN04247")
    assert not same_challenger("Thomas E. Davis", "Thomas E. Davis", "H4TN04247", "H6TN04999")
    assert same_challenger("Thomas E. Davis", "Thomas Eugene Davis", "H4TN04247", None)   # names then
    assert same_challenger("Thomas E. Davis", "Thomas Eugene Davis", "not-an-id", "H4TN04247")


def test_2026_rematch_is_the_rule_applied_to_the_live_field(table):
    from pathlib import Path

    from features.evidence.challenger_quality import field_names

    live = table[table["cycle"] == 2026]
    field = field_names(Path("/nonexistent"), live)     # the live field is on the rows (FEC registrations)
    again = rematch(live, field)
    pd.testing.assert_series_equal(again["rematch"], live["rematch"].astype(float), check_names=False)
    assert set(live.loc[again["rematch"] == 1.0, "state"] + "-" + live.loc[again["rematch"] == 1.0,
               "district"].astype(str)) == {"IA-1", "SC-2", "TN-4"}
