"""FEC pro-Israel PAC money: UDP against Bowman and Bush 2024, dated; later money excluded."""
from __future__ import annotations

import pandas as pd
import pytest

from features.evidence.pro_israel_money import (
    SOURCE,
    aggregate_pro_israel,
    pro_israel_events,
    read_events,
    write_events,
)
from features.kernel.paths import raw_dir
from features.view.matrix import model_frame

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / SOURCE).is_file(), reason="raw pro-Israel PAC folder absent")
T = pd.Timestamp


@pytest.fixture(scope="module")
def events():
    return pro_israel_events(RAW)


def rows():
    return pd.DataFrame([
        dict(cycle=2024, state="NY", district=16, party="D", fec_id="H0NY16143", incumbent="Jamaal Bowman"),
        dict(cycle=2024, state="MO", district=1, party="D", fec_id="H8MO01143", incumbent="Cori Bush"),
        dict(cycle=2022, state="MI", district=11, party="D", fec_id="H8MI09118", incumbent="Andy Levin"),
        dict(cycle=2020, state="NY", district=16, party="D", fec_id="H8NY19058", incumbent="Eliot Engel")])


def test_udp_against_bowman_and_bush_before_their_primaries(events):
    r = rows()
    as_of = pd.Series([T("2024-06-24"), T("2024-08-05"), T("2022-08-01"), T("2020-06-22")])
    out = aggregate_pro_israel(events, r, as_of)
    # NY-16: UDP against Bowman + for Latimer, by the day before the 2024-06-25 primary
    assert 5e6 < out.loc[0, "pi_fec_against_inc"] < 9.83e6 + 4.64e6
    assert out.loc[0, "pi_fec_last_date"] <= T("2024-06-24")
    assert out.loc[1, "pi_fec_against_inc"] > 2e6 and out.loc[1, "pi_fec_for_inc"] == 0
    assert out.loc[2, "pi_fec_against_inc"] > 5e5            # UDP for Haley Stevens against Levin
    assert out.loc[3, "pi_fec_against_inc"] == 0             # no UDP before the 2022 cycle
    m = model_frame(out.join(r), groups=("outside_money_fec",))
    assert m.loc[0, "log_pi_fec_against_inc"] > 15 and m.loc[3, "log_pi_fec_against_inc"] == 0


def test_later_dated_money_is_excluded(events):
    r = rows().iloc[:2]
    early = aggregate_pro_israel(events, r, T("2024-01-31"))
    late = aggregate_pro_israel(events, r, T("2024-12-31"))
    assert (early["pi_fec_against_inc"] < late["pi_fec_against_inc"]).all()
    assert late.loc[0, "pi_fec_against_inc"] >= 9_834_425     # the whole P2024 total once all is dated
    assert (early["pi_fec_last_date"].dropna() <= T("2024-01-31")).all()


def test_general_election_money_never_counts(events):
    assert set(events["election_type"]) <= {"P", "R"}
    assert not events["pac"].isin(["jstreet"]).any()


def test_round_trip(events, tmp_path):
    path = tmp_path / "pro_israel_events.csv"
    write_events(events, path)
    back = read_events(path)
    assert len(back) == len(events) and back["amount"].sum() == pytest.approx(events["amount"].sum())
