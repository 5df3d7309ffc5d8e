"""J Street PAC money: its own dated columns (never the pro-Israel bloc's), on real rows.

MI-11 2022 (Levin against Stevens, two sitting members): J Street gave Levin $5,000 for the primary on
2021-08-27 -- money for Levin, and against Stevens, from that day on, never before.  IL-3 2020: $1,000
to Marie Newman (2019-10-03), who beat Lipinski.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from features.evidence.pro_israel_money import (
    SOURCE,
    aggregate_jstreet,
    aggregate_pro_israel,
    jstreet_events,
    pro_israel_events,
    read_jstreet_events,
    write_jstreet_events,
)
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir
from features.view.matrix import DEFAULT_GROUPS, model_frame

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / SOURCE).is_file(), reason="raw pro-Israel PAC folder absent")
T = pd.Timestamp


@pytest.fixture(scope="module")
def events():
    return jstreet_events(RAW)


def rows():
    return pd.DataFrame([
        dict(cycle=2022, state="MI", district=11, party="D", fec_id="H8MI09118", incumbent="Andy Levin"),
        dict(cycle=2022, state="MI", district=11, party="D", fec_id="H8MI11254", incumbent="Haley Stevens"),
        dict(cycle=2020, state="IL", district=3, party="D", fec_id="H4IL03077", incumbent="Daniel Lipinski"),
        dict(cycle=2014, state="IL", district=3, party="D", fec_id="H4IL03077", incumbent="Daniel Lipinski"),
        dict(cycle=2016, state="NJ", district=10, party="D", fec_id="H2NJ10154", incumbent="Donald Payne Jr."),
        dict(cycle=2022, state="CA", district=9, party="D", fec_id="H8CA10126", incumbent="Josh Harder")])


def test_levin_stevens_2022_dated(events):
    before = aggregate_jstreet(events, rows(), T("2021-08-26"))
    after = aggregate_jstreet(events, rows(), T("2021-08-27"))
    eve = aggregate_jstreet(events, rows(), T("2022-08-01"))            # the day before the primary
    assert before.loc[0, "js_fec_for_inc"] == 0 and before.loc[1, "js_fec_against_inc"] == 0
    assert pd.isna(before.loc[0, "js_fec_last_date"])
    assert after.loc[0, "js_fec_for_inc"] == 5000 and after.loc[1, "js_fec_against_inc"] == 5000
    assert after.loc[0, "js_fec_last_date"] == T("2021-08-27")
    assert eve.loc[0, "js_fec_for_inc"] == 5000 and eve.loc[0, "js_fec_against_inc"] == 0


def test_newman_against_lipinski_2020(events):
    out = aggregate_jstreet(events, rows(), pd.Series([T("2022-08-01")] * 2 + [T("2019-10-02"), T("2014-03-17")]
                                                      + [T("2016-06-06"), T("2022-06-06")]))
    assert out.loc[2, "js_fec_against_inc"] == 0
    later = aggregate_jstreet(events, rows(), T("2020-03-16"))
    assert later.loc[2, "js_fec_against_inc"] == 1000 and later.loc[2, "js_fec_for_inc"] == 0
    # before 2016 the file does not cover J Street: missing, not zero
    assert pd.isna(out.loc[3, "js_fec_for_inc"]) and pd.isna(out.loc[3, "js_fec_against_inc"])


def test_stale_office_is_not_a_challenger(events):
    # pas2 'office' is the first registration: Payne Sr.'s dormant NJ-10 committee (2016) and retiring
    # McNerney's CA-9 (2022) got J Street primary money but were nobody's challengers
    raw = pd.read_csv(RAW / SOURCE, dtype=str, keep_default_na=False)
    js = raw[(raw["pac_folder"] == "JStreetPAC")]
    assert js[(js["candidate_id"] == "H0NJ10026") & (js["election"] == "P2016")]["office"].eq("House NJ-10").all()
    out = aggregate_jstreet(events, rows(), T("2024-12-31"))
    assert out.loc[4, "js_fec_against_inc"] == 0 and out.loc[5, "js_fec_against_inc"] == 0


def test_only_primary_money_and_not_the_bloc(events):
    assert set(events["election_type"]) <= {"P", "R"}
    assert set(events["pac"]) == {"jstreet"}
    bloc = aggregate_pro_israel(pro_israel_events(RAW), rows(), T("2024-12-31"))
    js = aggregate_jstreet(events, rows(), T("2024-12-31"))
    # Levin's $5,000 is J Street's column, never the bloc's "for" column (the bloc opposed Levin)
    assert js.loc[0, "js_fec_for_inc"] == 5000 and bloc.loc[0, "pi_fec_for_inc"] == 0


def test_matrix_group_not_default(events):
    assert "outside_money_jstreet" not in DEFAULT_GROUPS
    out = aggregate_jstreet(events, rows(), T("2022-08-01")).join(rows())
    m = model_frame(out, groups=("outside_money_jstreet",))
    assert m.loc[0, "log_js_fec_for_inc"] == pytest.approx(8.517, abs=1e-3)     # log1p(5000)
    assert m.loc[3, "log_js_fec_for_inc"] == 0                                    # not covered: 0 in the matrix


def test_round_trip(events, tmp_path):
    path = tmp_path / "jstreet_events.csv"
    write_jstreet_events(events, path)
    back = read_jstreet_events(path)
    assert len(back) == len(events) and back["amount"].sum() == pytest.approx(events["amount"].sum())
    assert (back["ici"].fillna("") == events["ici"].fillna("")).all()


def test_bad_amount_names_file_row_field(tmp_path):
    import csv
    src = RAW / SOURCE
    with open(src, newline="") as fh:
        records = list(csv.reader(fh))
    header = records[0]
    col = {c: i for i, c in enumerate(header)}
    target = next(i for i, r in enumerate(records[1:], start=1)
                  if r[col["pac_folder"]] == "JStreetPAC" and r[col["election"]].startswith("P")
                  and r[col["candidate_id"]].startswith("H") and r[col["transaction_type"]] == "24K")
    records[target][col["amount"]] = "12O.00"
    dst = tmp_path / SOURCE
    dst.parent.mkdir(parents=True)
    with open(dst, "w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(records[: target + 1])
    with pytest.raises(InputError) as err:
        jstreet_events(tmp_path)
    assert err.value.row == target and err.value.field == "amount"
    assert Path(err.value.file).name == Path(SOURCE).name
    assert f"row {target}" in str(err.value) and "'12O.00'" in str(err.value)
