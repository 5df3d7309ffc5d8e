"""Outside-spending events and per-race aggregates on the real curated file."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from features.evidence.outside_spending import (
    EVENT_COLUMNS,
    SOURCE,
    aggregate_spending,
    read_events,
    spender_class,
    spending_events,
    write_events,
)
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / SOURCE).is_file(), reason="curated outside-spending file not available")
T = pd.Timestamp


@pytest.fixture(scope="module")
def events():
    return spending_events(RAW)


def race(cycle, state, district, party, incumbent):
    return dict(cycle=cycle, state=state, district=district, party=party, incumbent=incumbent)


def agg(events, rows, as_of):
    races = pd.DataFrame(rows)
    if not isinstance(as_of, pd.Timestamp):
        as_of = pd.Series(pd.to_datetime(as_of), index=races.index)
    return aggregate_spending(events, races, as_of)


def test_events_schema_and_parsing(events):
    assert list(events.columns) == EVENT_COLUMNS
    assert len(events) == 125            # 123 rows, the two WA-3;4 pooled rows repeated on both districts
    assert events["district"].dtype == int and (events.loc[events["state"] == "WY", "district"] == 0).all()
    pooled = events[events["pooled_districts"].notna()]
    assert sorted(pooled["district"]) == [3, 3, 4, 4] and (pooled["spender_type"] == "aggregate").all()
    # month-level dates run to the END of the month (never used before the month is over)
    nc11 = events[(events["cycle"] == 2022) & (events["state"] == "NC") & (events["district"] == 11)]
    assert set(nc11["as_of"]) == {T("2022-05-31")} and set(nc11["as_of_precision"]) == {"month"}
    assert set(events["spender_class"]) <= {"pro-israel", "crypto", "progressive", "party-aligned", "conservative",
                                            "other"}


@pytest.mark.parametrize("spender,cls", [
    ("United Democracy Project", "pro-israel"), ("Democratic Majority for Israel", "pro-israel"),
    ("J Street PAC", "other"), ("Fairshake", "crypto"), ("Protect Our Future", "crypto"),
    ("Justice Democrats", "progressive"), ("Working Families Party", "progressive"),
    ("Defending Main Street", "party-aligned"), ("DCCC (independent expenditure arm)", "party-aligned"),
    ("School Freedom Fund (Club for Growth)", "conservative"), ("MAGA KY (super PAC launched by Trump advisers)",
                                                                "conservative"),
    ("All outside groups (OpenSecrets)", "other"), ("EMILY's List (Women Vote!)", "other"),
])
def test_spender_classes(spender, cls):
    assert spender_class(spender) == cls


def test_ny16_2024_udp_latest_snapshot_never_summed(events):
    bowman = race(2024, "NY", 16, "D", "Jamaal Bowman")
    out = agg(events, [bowman] * 4, ["2024-05-01", "2024-05-22", "2024-06-24", "2024-08-01"])
    # as of 2024-05-01 the UDP figures (first dated 2024-05-22) do not exist yet
    assert not out["os_covered"].iloc[0] and pd.isna(out["os_against_inc"].iloc[0])
    # 2024-05-22: the combined $4.81M snapshot (which includes the $2.34M pro-Latimer part) is used alone
    assert out["os_against_inc"].iloc[1] == 4_813_617 and out["os_for_chal"].iloc[1] == 0
    # primary eve: UDP's latest is the 06-10 $9.3M pro-Latimer figure (+ DMFI $0.82M); Fairshake $2.07M against
    eve = out.iloc[2]
    assert eve["os_for_chal"] == 9_300_000 + 819_000 and eve["os_against_inc"] == 2_070_000
    assert eve["os_pro_israel_against_inc"] == 9_300_000 + 819_000 and eve["os_crypto"] == 2_070_000
    assert eve["os_against_chal"] == 406_000 and eve["os_progressive"] == 406_000      # WFP against Latimer
    # after the 07-30 report: UDP = its final $14.5M snapshot, not 14.5 + 14 + 9.3 + 4.8 + 2.3
    final = out.iloc[3]
    assert final["os_against_inc"] == 14_500_000 + 2_070_000
    assert final["os_pro_israel_against_inc"] == 14_500_000 + 819_000
    assert final["os_last_date"] == T("2024-07-30")
    assert (out["os_last_date"].dropna() <= pd.to_datetime(
        ["2024-05-22", "2024-06-24", "2024-08-01"]).values).all()


def test_true_zero_and_missing_are_different(events):
    rows = [race(2024, "PA", 12, "D", "Summer Lee"), race(2024, "CA", 34, "D", "Jimmy Gomez")]
    out = agg(events, rows, T("2024-12-31"))
    lee, gomez = out.iloc[0], out.iloc[1]
    assert lee["os_covered"] and lee["os_against_inc"] == 0        # UDP spent $0 against Lee in 2024
    assert not gomez["os_covered"] and not gomez["os_in_file"] and pd.isna(gomez["os_against_inc"])


def test_member_vs_member_sides(events):
    rows = [race(2022, "WV", 2, "R", "David McKinley"), race(2022, "WV", 2, "R", "Alex Mooney")]
    out = agg(events, rows, T("2022-05-09"))
    # School Freedom Fund: for Mooney / against McKinley, one combined $246K figure -> the incumbent's side only
    assert out["os_against_inc"].iloc[0] == 246_000 and out["os_for_chal"].iloc[0] == 0
    assert out["os_for_inc"].iloc[1] == 246_000 and out["os_against_chal"].iloc[1] == 0
    assert (out["os_conservative"] == 246_000).all()


def test_live_cycle_kentucky(events):
    massie = race(2026, "KY", 4, "R", "Thomas Massie")
    out = agg(events, [massie, massie], ["2025-10-16", "2025-12-31"])
    assert not out["os_covered"].iloc[0]
    assert out["os_against_inc"].iloc[1] == 1_800_000 and out["os_conservative"].iloc[1] == 1_800_000


def test_only_aggregate_tallies_leave_amounts_unknown(events):
    out = agg(events, [race(2022, "WA", 4, "R", "Dan Newhouse")], T("2022-08-01"))
    assert out["os_covered"].iloc[0] and out["os_n_figures"].iloc[0] == 0 and pd.isna(out["os_for_inc"].iloc[0])


def test_events_round_trip(events, tmp_path):
    path = tmp_path / "outside_spending_events.csv"
    write_events(events, path)
    back = read_events(path)
    pd.testing.assert_frame_equal(back.sort_values(["cycle", "state", "district", "source_row"]).reset_index(drop=True),
                                  events.sort_values(["cycle", "state", "district", "source_row"])
                                  .reset_index(drop=True))


def test_bad_amount_names_row_and_field(tmp_path):
    src = RAW / SOURCE
    dst = tmp_path / SOURCE
    dst.parent.mkdir(parents=True)
    shutil.copy(src, dst)
    lines = dst.read_text().splitlines()
    lines[2] = lines[2].replace(",44230,", ",44k,")
    dst.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as exc:
        spending_events(tmp_path)
    assert exc.value.row == 2 and exc.value.field == "amount_usd"
