"""GovTrack misconduct events: real members, outcome entries dropped, later-dated events excluded."""
from __future__ import annotations

import pandas as pd
import pytest

from features.evidence.misconduct import SOURCE, aggregate_misconduct, misconduct_events, read_events, write_events
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / SOURCE).is_file(), reason="raw govtrack folder absent")
T = pd.Timestamp


@pytest.fixture(scope="module")
def events():
    return misconduct_events(RAW)


def member(events, bio):
    return events[events["bioguide_id"] == bio]


def test_outcome_and_minor_entries_are_dropped(events):
    actions = " ".join(events["action"].str.lower())
    assert "pardoned" not in actions and "did not run for reelection" not in actions
    assert "was reelected" not in actions and "did not seek reelection" not in actions
    assert not events["body"].str.contains("Sergeant at Arms", na=False).any()
    # Hunter (CA-50): indicted 2018-08-21 is kept and serious; "Hunter was reelected" (2018-11-06) is not
    hunter = member(events, "H001048")
    assert T("2018-08-21") in set(hunter["known_by"])
    assert hunter.loc[hunter["known_by"] == T("2018-08-21"), "serious"].all()
    assert T("2018-11-06") not in set(hunter["known_by"])


def test_partial_dates_are_known_only_at_the_end_of_their_period(events):
    fattah = member(events, "F000043")           # "2016" conviction entry (with his resignation: dropped)
    assert fattah.empty or (fattah["known_by"] >= T("2016-06-24")).all()
    grimm = member(events, "G000569")            # "2014": pleaded guilty -> known 2014-12-31
    plea = grimm[grimm["date"] == "2014"]
    assert plea["known_by"].tolist() == [T("2014-12-31")]


def test_as_of_excludes_later_events(events):
    rows = pd.DataFrame({"bioguide_id": ["S001222", "S001222", "C001063", "C001063", "P000197"]})
    # Santos: first entry 2022-09-01 (the North Shore Leader story), indicted 2023-05-10; Cuellar: indicted 2024-05-03 (after his 2024-03-05 primary)
    as_of = pd.Series([T("2022-08-31"), T("2023-06-01"), T("2024-03-04"), T("2025-12-31"), T("2025-12-31")])
    out = aggregate_misconduct(events, rows, as_of)
    assert out.loc[0, "misconduct_serious_4y"] == 0 and pd.isna(out.loc[0, "misconduct_last_date"])
    assert out.loc[1, "misconduct_serious_4y"] == 1 and out.loc[1, "misconduct_n_2y"] >= 2
    assert out.loc[1, "misconduct_last_date"] <= T("2023-06-01")
    assert out.loc[2, "misconduct_serious_4y"] == 0          # the indictment came after the primary
    assert out.loc[3, "misconduct_serious_4y"] == 1
    assert (out["misconduct_last_date"].dropna() <= as_of[out["misconduct_last_date"].notna()]).all()


def test_event_table_round_trip(events, tmp_path):
    path = tmp_path / "misconduct_events.csv"
    write_events(events, path)
    back = read_events(path)
    assert len(back) == len(events)
    assert back["known_by"].equals(events.sort_values(["bioguide_id", "known_by", "source_row"])["known_by"]
                                   .reset_index(drop=True))
    assert back["serious"].sum() == events["serious"].sum()
