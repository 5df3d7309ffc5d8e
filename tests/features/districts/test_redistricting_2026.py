"""The 2026 Texas and Florida plans: strict reading of the district summaries, the new-plan lean on
the committed live rows, and the as-of rule (old lines before enactment, the new plan from that day)."""
from __future__ import annotations

import pandas as pd
import pytest

from features.contests.live_dating import map_enactments
from features.districts.redistricting_2026 import PLANS, _check_old_lines, plan_summary
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir
from features.table.store import load_table
from features.view.asof import AsOfViolation, as_of_view, assert_as_of

RAW = raw_dir()
needs_raw = pytest.mark.skipif(not (RAW / "redistricting-2026-tx-fl").is_dir(), reason="raw folder not present")
TX_FILE = PLANS["TX"].relpath
NATIONAL_2024 = 0.491587      # Harris two-party share, national, from the Downballot district file


@pytest.fixture(scope="module")
def live():
    t = load_table()
    return t[t["cycle"] == 2026].reset_index(drop=True)


def _row(view, state, district, name):
    r = view[(view["state"] == state) & (view["district"] == district) & view["incumbent"].str.contains(name)]
    assert len(r) == 1, (state, district, name)
    return r.iloc[0]


# --- the raw summaries --------------------------------------------------------------------------

@needs_raw
def test_the_readme_check_27_to_30_republican_seats_and_which_seats_flipped():
    tx, fl = plan_summary(RAW, "TX"), plan_summary(RAW, "FL")
    assert len(tx) == 38 and len(fl) == 28
    assert (tx["pres2024_old"] < 0.5).sum() == 27 and (tx["pres2024_new"] < 0.5).sum() == 30
    flipped = tx[(tx["pres2024_old"] > 0.5) & (tx["pres2024_new"] < 0.5)]["district"].tolist()
    assert flipped == [9, 32, 35]                      # Green, Johnson, Casar's seats drawn Trump-won
    assert (fl["pres2024_old"] < 0.5).sum() == 20 and (fl["pres2024_new"] < 0.5).sum() == 24
    assert fl[(fl["pres2024_old"] > 0.5) & (fl["pres2024_new"] < 0.5)]["district"].tolist() == [9, 14, 22, 25]
    assert tx.loc[~tx["changed"], "district"].tolist() == [19]        # TX-19 identical on both plans
    assert fl.loc[~fl["changed"], "district"].tolist() == [1, 2, 3, 4, 5, 6, 7]


def _copy(tmp_path, edit):
    raw = tmp_path / "raw"
    (raw / "redistricting-2026-tx-fl").mkdir(parents=True)
    text = (RAW / TX_FILE).read_text()
    (raw / TX_FILE).write_text(edit(text))
    return raw


@needs_raw
@pytest.mark.parametrize("edit, row, field, says", [
    (lambda t: t.replace("9,17,2,0.761087", "9,17,2,0.76l087"), 9, "mean_old", "not a number"),
    (lambda t: t.replace("0.399677", ""), 9, "pres2024_new", "blank"),
    (lambda t: t.replace("0.399677", "39.9677"), 9, "pres2024_new", "outside 0-1"),
    (lambda t: t.replace("\n9,17,2,", "\n9,17,19,"), 9, "dem_wins_new", "0..17"),
    (lambda t: t.replace("\n10,0,0,", "\n9,0,0,"), 10, "district", "listed twice"),
    (lambda t: t.replace("\n38,0,0,", "\n39,0,0,"), 38, "district", "1..38"),
])
def test_a_bad_cell_is_one_error_naming_file_row_and_field(tmp_path, edit, row, field, says):
    raw = _copy(tmp_path, edit)
    with pytest.raises(InputError, match=says) as err:
        plan_summary(raw, "TX")
    assert (err.value.row, err.value.field) == (row, field)
    assert "tx_district_summary_2021_vs_2025_plan.csv" in str(err.value)


@needs_raw
def test_a_missing_column_or_a_missing_district_is_named(tmp_path):
    raw = _copy(tmp_path, lambda t: t.replace('"pres2024_new"', '"pres2024_nw"'))
    with pytest.raises(InputError) as err:
        plan_summary(raw, "TX")
    assert err.value.field == "pres2024_new"
    lines = (RAW / TX_FILE).read_text().splitlines(keepends=True)
    raw = _copy(tmp_path / "b", lambda t: "".join(lines[:20] + lines[21:]))      # district 20 dropped
    with pytest.raises(InputError, match=r"37 districts.*missing \[20\]") as err:
        plan_summary(raw, "TX")
    assert err.value.field == "district"


@needs_raw
def test_a_summary_whose_rows_do_not_match_the_districts_is_refused(tmp_path, live):
    """Shares swapped between two rows (a renumbered file) disagree with the Downballot 2024 lines."""
    lines = (RAW / TX_FILE).read_text().splitlines(keepends=True)
    a, b = lines[9].split(",", 1), lines[13].split(",", 1)              # districts 9 and 13
    lines[9], lines[13] = a[0] + "," + b[1], b[0] + "," + a[1]
    raw = _copy(tmp_path, lambda t: "".join(lines))
    summary = plan_summary(raw, "TX").set_index(["state", "district"])
    old = live.assign(d_pres_share=live["d_pres_share_prev_lines"].fillna(live["d_pres_share"]),
                      pres_lean_lines=live["pres_lean_lines_prev"].fillna(live["pres_lean_lines"]))
    with pytest.raises(InputError, match="district 9: old-lines 2024 share 0.2588") as err:
        _check_old_lines(old[old["state"] == "TX"], summary, raw)
    assert (err.value.row, err.value.field) == (9, "pres2024_old")


# --- the committed table ------------------------------------------------------------------------

def test_live_tx_fl_rows_carry_the_new_plan_lean_in_the_pres_lean_convention(live):
    green = _row(live, "TX", 9, "Green")            # D, registered in new TX-18 (Harris 77.9%)
    assert green["lean_district"] == 18
    assert green["pres_lean"] == pytest.approx(0.778624 - NATIONAL_2024, abs=1e-6)
    assert green["pres_lean_prev_lines"] == pytest.approx(0.232214, abs=1e-6)       # old TX-9, 72.4%
    assert green["pres_lean_held_district"] == pytest.approx(0.399677 - NATIONAL_2024, abs=1e-6)  # new TX-9
    williams = _row(live, "TX", 25, "Williams")     # R: national minus the Harris share
    assert williams["pres_lean"] == pytest.approx(NATIONAL_2024 - 0.378264, abs=1e-6)
    assert williams["pres_lean_prev_lines"] == pytest.approx(0.175324, abs=1e-6)
    soto = _row(live, "FL", 9, "Soto")              # D seat drawn Trump-won: lean changes sign
    assert soto["pres_lean_prev_lines"] > 0.02 and soto["pres_lean"] == pytest.approx(-0.08124, abs=1e-5)
    assert soto["lean_lines_date"] == pd.Timestamp("2026-04-24")
    tx, fl = live[live["state"] == "TX"], live[live["state"] == "FL"]
    assert tx["lean_lines_date"].dropna().eq(pd.Timestamp("2025-08-29")).all()
    assert (tx["pres_lean_lines"] == 2026).sum() == len(tx) - 1                    # all but TX-19
    assert (fl["pres_lean_lines"] == 2026).sum() == len(fl) - 8                    # FL-1..7 (and Waltz, FL-6)


@needs_raw
def test_the_old_lines_shares_agree_between_the_two_sources(live):
    """Downballot (the table's 2024 lines) and DRA (the summary's old lines) per district."""
    for state, tol in (("TX", 0.0002), ("FL", 0.019)):
        rows = live[live["state"] == state]
        theirs = rows["district"].map(plan_summary(RAW, state).set_index("district")["pres2024_old"])
        assert (rows["d_pres_share_prev_lines"] - theirs).abs().max() < tol, state


def test_lines_stale_is_cleared_for_tx_fl_and_kept_where_no_source_has_the_new_map(live):
    for state in ("TX", "FL"):
        rows = live[live["state"] == state]
        assert not rows["lines_stale"].any(), state
    assert live.loc[live["state"].isin(["CA", "MO", "NC", "OH", "UT"]), "lines_stale"].all()
    assert _row(live, "CA", 34, "Gomez")["lines_stale"]
    # demographics are still the 2024 lines' wherever the district changed
    assert _row(live, "TX", 9, "Green")["demog_stale"] and not _row(live, "TX", 19, "Arrington")["demog_stale"]
    assert not _row(live, "TX", 19, "Arrington")["new_lines"] and not _row(live, "FL", 1, "Patronis")["new_lines"]
    assert _row(live, "FL", 9, "Soto")["new_lines"]
    # a kept district is still in a state that redrew: dated like the rest of the state
    assert _row(live, "TX", 19, "Arrington")["lines_enacted"] == pd.Timestamp("2025-08-29")
    assert not _row(as_of_view(live, "2025-08-28"), "TX", 19, "Arrington")["new_lines_state"]


def test_the_map_enactment_dates():
    enacted = map_enactments().set_index("state")["lines_enacted"]
    assert enacted["TX"] == pd.Timestamp("2025-08-29") and enacted["FL"] == pd.Timestamp("2026-04-24")


# --- the as-of rule -----------------------------------------------------------------------------

def test_before_enactment_the_old_lean_on_and_after_the_new(live):
    """TX-25 Williams (R) loses 6 points of lean on PLANC2333; FL-9 Soto's seat goes from Harris to
    Trump on the April 2026 plan."""
    def lean(day, state, district, name):
        return _row(as_of_view(live, day), state, district, name)["pres_lean"]

    assert lean("2025-08-28", "TX", 25, "Williams") == pytest.approx(0.175324, abs=1e-6)
    assert lean("2025-08-29", "TX", 25, "Williams") == pytest.approx(0.113323, abs=1e-6)
    assert lean("2026-04-23", "FL", 9, "Soto") == pytest.approx(0.026188, abs=1e-6)
    assert lean("2026-04-24", "FL", 9, "Soto") == pytest.approx(-0.081240, abs=1e-5)
    # a member who re-registered in another district: old lines, then his own new district, then the new one
    assert lean("2025-08-28", "TX", 9, "Green") == pytest.approx(0.232214, abs=1e-6)
    assert lean("2025-12-31", "TX", 9, "Green") == pytest.approx(-0.091910, abs=1e-5)   # new TX-9
    assert lean("2026-02-11", "TX", 9, "Green") == pytest.approx(0.287037, abs=1e-5)    # new TX-18
    before = as_of_view(live, "2025-08-28")
    assert not before["lean_new_lines"].any()
    assert (before["pres_lean_lines"].dropna() == 2024).all()
    assert before.loc[before["state"] == "TX", "pres_lean"].equals(
        before.loc[before["state"] == "TX", "pres_lean_prev_lines"])


def test_assert_as_of_refuses_a_new_plan_lean_before_its_date(live):
    for day in ("2025-08-28", "2025-12-31", "2026-02-11", "2026-04-24"):
        assert_as_of(as_of_view(live, day))
    tx = as_of_view(live, "2025-08-29")
    tx = tx[(tx["state"] == "TX") & (tx["district"] == 25)]
    with pytest.raises(AsOfViolation, match="lean_lines_date"):
        assert_as_of(tx.assign(as_of=pd.Timestamp("2025-08-28"), new_lines=False, new_lines_state=False,
                               demog_stale=False))
    # the value alone gives it away: flag cleared, new lean kept
    with pytest.raises(AsOfViolation, match="pres_lean"):
        assert_as_of(tx.assign(as_of=pd.Timestamp("2025-08-28"), new_lines=False, new_lines_state=False,
                               demog_stale=False, lean_new_lines=False))
    green = as_of_view(live, "2026-02-11")
    green = green[(green["state"] == "TX") & (green["district"] == 9)]
    with pytest.raises(AsOfViolation, match="lean_district_date"):
        assert_as_of(green.assign(as_of=pd.Timestamp("2026-02-10"), lean_registered=False))
