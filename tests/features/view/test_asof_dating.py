"""The as-of rule through the live cycle's once-undated columns: the roster, the 2025
mid-decade maps and the post-deadline field are dated, and ``assert_as_of`` checks them."""
from __future__ import annotations

import pandas as pd
import pytest

from features.view.asof import AsOfViolation, as_of_view, assert_as_of
from forecasting.live.scoring import score_cycle
from tests.forecasting.live_fixtures import table, toy_model  # noqa: F401  (fixtures)

NOW = pd.Timestamp("2026-11-26")
# members who came in by special election in 2025 (congress-legislators term start)
SPECIALS = {("TN", 7): "Van Epps", ("FL", 6): "Fine", ("FL", 1): "Patronis", ("AZ", 7): "Adelita",
            ("VA", 11): "Walkinshaw"}


# members who left the House during 2025 (died or resigned; roster_2026.DEPARTURES, public record)
DEPARTED_2025 = {("FL", 6): ("Waltz", "2025-01-20"), ("TX", 18): ("Turner", "2025-03-05"),
                 ("AZ", 7): ("Raúl Grijalva", "2025-03-13"), ("VA", 11): ("Connolly", "2025-05-21"),
                 ("TN", 7): ("Green", "2025-07-20"), ("NJ", 11): ("Sherrill", "2025-11-20")}


def _live(table):
    return table[table["cycle"] == 2026]


def _names(snap, seat):
    return list(snap.loc[(snap["state"] == seat[0]) & (snap["district"] == seat[1]), "incumbent"])


def test_members_elected_later_in_2025_are_not_scored_before(table, toy_model):
    early = score_cycle(table, toy_model, 2026, "2025-01-01", now=NOW, explain=False)
    late = score_cycle(table, toy_model, 2026, "2025-12-31", now=NOW, explain=False)
    for seat, name in SPECIALS.items():
        assert not any(name in n for n in _names(early, seat)), seat
        assert any(name in n for n in _names(late, seat)), seat
    # Van Epps was sworn in on 2025-12-04: not on 12-03, scored on 12-04
    assert not _names(score_cycle(table, toy_model, 2026, "2025-12-03", now=NOW, explain=False, states=["TN"]),
                      ("TN", 7))
    assert _names(score_cycle(table, toy_model, 2026, "2025-12-04", now=NOW, explain=False, states=["TN"]),
                  ("TN", 7))
    assert len(late) - len(early) == len(SPECIALS) - len(DEPARTED_2025)


def _sitting(view, seat) -> list[str]:
    return list(view.loc[(view["state"] == seat[0]) & (view["district"] == seat[1]), "incumbent"])


def test_members_who_left_in_2025_are_in_the_views_before_they_left(table):
    live = _live(table)
    jan = as_of_view(live, "2025-01-01")
    dec = as_of_view(live, "2025-12-31")
    for seat, (name, left) in DEPARTED_2025.items():
        assert [n for n in _sitting(jan, seat) if name in n], seat          # sitting on 2025-01-01
        assert not [n for n in _sitting(dec, seat) if name in n], seat      # gone by 2025-12-31
        before = as_of_view(live, pd.Timestamp(left) - pd.Timedelta(days=1))
        on = as_of_view(live, left)
        assert [n for n in _sitting(before, seat) if name in n], (seat, "the day before")
        assert not [n for n in _sitting(on, seat) if name in n], (seat, "the day they left")
    # one member per seat on every date: Connolly until 2025-05-20, nobody, then Walkinshaw (2025-09-10)
    va11 = [_sitting(as_of_view(live, d), ("VA", 11)) for d in ("2025-05-20", "2025-06-01", "2025-09-10")]
    assert [len(v) for v in va11] == [1, 0, 1] and "Connolly" in va11[0][0] and "Walkinshaw" in va11[2][0]
    # LaMalfa (CA-1) died on 2026-01-06: in the 2025-12-31 forecast, not in a later one
    assert [n for n in _sitting(dec, ("CA", 1)) if "LaMalfa" in n]
    assert not _sitting(as_of_view(live, "2026-01-06"), ("CA", 1))


def test_an_as_of_view_holds_exactly_the_members_sitting_that_day(table):
    """Checked against congress-legislators (raw): every member of the live rows is in the view of a
    date exactly when the legislators data (and the public-record departures) say they sat."""
    from features.contests.roster_2026 import LEGISLATORS_CURRENT, members_on
    from features.kernel.paths import raw_dir

    raw = raw_dir()
    if not (raw / LEGISLATORS_CURRENT).is_file():
        pytest.skip("raw folder absent")
    live = _live(table)
    ours = set(live["bioguide_id"])
    for day in ("2025-01-03", "2025-01-20", "2025-03-10", "2025-06-01", "2025-09-10", "2025-11-20",
                "2025-12-31", "2026-01-06"):
        sitting = set(members_on(raw, day)["bioguide_id"]) & ours
        assert set(as_of_view(live, day)["bioguide_id"]) == sitting, day


def test_a_member_who_had_left_is_an_as_of_violation(table):
    live = _live(table)
    view = as_of_view(live, "2025-02-01")
    turner = view["incumbent"].str.contains("Turner") & (view["state"] == "TX")
    assert turner.sum() == 1
    with pytest.raises(AsOfViolation, match="left the House on 2025-03-05"):
        assert_as_of(view[turner].assign(as_of=pd.Timestamp("2025-03-06")))


def test_the_2025_maps_count_only_from_their_enactment(table):
    live = _live(table)
    tx_rows = live[live["state"] == "TX"]                               # the table: TX redrew for 2026,
    assert tx_rows.loc[tx_rows["district"] != 19, "new_lines"].all()     # all but TX-19 (same lines)
    assert not tx_rows.loc[tx_rows["district"] == 19, "new_lines"].any()
    before = as_of_view(live, "2025-08-28")                              # TX HB 4 signed 2025-08-29
    after = as_of_view(live, "2025-09-01")
    tx_b, tx_a = before[before["state"] == "TX"], after[after["state"] == "TX"]
    assert not tx_b["new_lines"].any() and not tx_b["new_lines_state"].any()
    assert tx_a["new_lines"].sum() == len(tx_a) - 1
    assert not after.loc[after["state"] == "CA", "new_lines"].any()      # Prop 50 passed 2025-11-04
    assert as_of_view(live, "2025-11-04").loc[lambda v: v["state"] == "CA", "new_lines"].all()


def test_the_live_field_is_hidden_before_its_file_date(table):
    live = _live(table)
    tx = live[live["state"] == "TX"]
    assert tx["filing_deadline"].max() < pd.Timestamp("2025-12-10")     # TX filing closed 2025-12-08
    assert tx["contested"].notna().any()                                 # the weball26 field knows some
    mid = as_of_view(tx, "2025-12-10")                                   # past the deadline, before 12-31
    assert not mid["field_known"].any() and mid["contested"].isna().all()
    assert mid["top_challenger"].isna().all()
    end = as_of_view(tx, "2025-12-31")
    assert end["field_known"].all() and end["contested"].notna().any()


def test_assert_as_of_checks_the_roster_the_lines_and_the_field(table):
    live = _live(table)
    view = as_of_view(live, "2025-12-31")
    assert_as_of(view)
    early = view.assign(as_of=pd.Timestamp("2025-06-01"))
    with pytest.raises(AsOfViolation, match="roster_date"):
        assert_as_of(early)
    regular = early[early["roster_date"] <= pd.Timestamp("2025-06-01")]
    with pytest.raises(AsOfViolation, match="lines_enacted"):
        assert_as_of(regular)
    old_lines = regular.assign(new_lines=False, new_lines_state=False, lines_stale=False, demog_stale=False,
                               lean_new_lines=False, lean_registered=False,
                               pres_lean=regular["pres_lean_prev_lines"].fillna(regular["pres_lean"]))
    with pytest.raises(AsOfViolation, match="field_date"):
        assert_as_of(old_lines)
    no_field = old_lines.assign(contested=pd.NA, n_candidates=pd.NA, incumbent_vs_incumbent=pd.NA,
                                other_incumbent=pd.NA, top_challenger=pd.NA, top_challenger_party=pd.NA)
    from features.view.asof import _assert_dated_columns
    _assert_dated_columns(no_field, pd.to_datetime(no_field["as_of"]))   # the three dated columns pass
    assert_as_of(as_of_view(live, "2025-06-01"))                          # the view itself is clean
