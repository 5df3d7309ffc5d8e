"""Endorsement events (curated + 538 2022) and per-race flags under the as-of rule."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from features.evidence.endorsements import (
    CURATED,
    EVENT_COLUMNS,
    FTE_DEM,
    aggregate_endorsements,
    endorsement_events,
    endorser_class,
    read_events,
    write_events,
)
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / CURATED).is_file() or not (RAW / FTE_DEM).is_file(),
                                reason="curated endorsements / 538 2022 files not available")
T = pd.Timestamp


@pytest.fixture(scope="module")
def events():
    return endorsement_events(RAW)


def race(cycle, state, district, party, incumbent, primary=None):
    return dict(cycle=cycle, state=state, district=district, party=party, incumbent=incumbent,
                primary_date=T(primary) if primary else pd.NaT)


def agg(events, rows, as_of):
    races = pd.DataFrame(rows)
    if not isinstance(as_of, pd.Timestamp):
        as_of = pd.Series(pd.to_datetime(as_of), index=races.index)
    return aggregate_endorsements(events, races, as_of)


def test_events_schema_dates_and_classes(events):
    assert list(events.columns) == EVENT_COLUMNS
    ev = events.set_index(["cycle", "state", "district", "candidate", "endorser_class"])
    # 'YYYY' -> Dec 31 (END of the period), 'YYYY-MM' -> month end, blank -> NaT
    gt = ev.loc[(2026, "CA", 34, "Angela Gonzales-Torres", "justice-democrats")]
    assert gt["endorsement_date"] == T("2025-12-31") and gt["date_precision"] == "year"
    cb = ev.loc[(2026, "MO", 1, "Cori Bush", "justice-democrats")]
    assert cb["endorsement_date"] == T("2025-10-31") and cb["date_precision"] == "month"
    aoc = ev.loc[(2018, "NY", 14, "Alexandria Ocasio-Cortez", "justice-democrats")]
    assert aoc["endorsement_date"] == T("2018-12-31") and aoc["candidate_role"] == "challenger"
    assert (events.loc[events["state"] == "WY", "district"] == 0).all()
    assert set(events["candidate_role"]) == {"incumbent", "challenger", "open", "member-vs-member"}


@pytest.mark.parametrize("endorser,cls", [
    ("Justice Democrats", "justice-democrats"), ("Courage to Change (AOC PAC)", "aoc"),
    ("Alexandria Ocasio-Cortez", "aoc"), ("Jamaal Bowman", "squad"), ("Working Families Party", "wfp"),
    ("Sunrise Movement", "sunrise"), ("Bernie Sanders", "sanders"), ("Donald Trump", "trump"),
    ("AIPAC PAC (key race)", "aipac"), ("Democratic Majority for Israel PAC", "dmfi"),
    ("Nancy Pelosi (House Democratic leadership)", "party-leadership"),
    ("Mike Johnson (Speaker / House GOP leadership)", "party-leadership"),
    ("Kevin McCarthy allies (McCarthy network)", "other"), ("Club for Growth PAC", "club-for-growth"),
    ("Allegheny County Democratic Committee", "other"), ("Elizabeth Warren", "other"),
])
def test_endorser_classes(endorser, cls):
    assert endorser_class(endorser) == cls


def test_538_restated_rows_are_deduplicated(events):
    jd22 = events[(events["cycle"] == 2022) & (events["endorser_class"] == "justice-democrats")]
    assert not jd22.duplicated(["state", "district", "party"]).any()
    collins = jd22[(jd22["state"] == "IL") & (jd22["district"] == 7)].iloc[0]
    # the curated restatement carries the precise date; 538's blank-dated twin is merged into it
    assert collins["endorsement_date"] == T("2021-06-01") and "538-primary-project-2022" in collins["source"]
    assert collins["primary_date"] == T("2022-06-28")
    hageman = events[(events["state"] == "WY") & (events["endorser_class"] == "trump") & (events["cycle"] == 2022)]
    assert len(hageman) == 1 and hageman["endorsement_date"].iloc[0] == T("2021-09-09")


def test_crowley_2018_jd_challenger(events):
    crowley = race(2018, "NY", 14, "D", "Joseph Crowley", "2018-06-26")
    out = agg(events, [crowley, crowley], ["2018-06-25", "2018-06-01"])
    # the JD slate page is dated only '2018': known by the primary eve in a past cycle, not before
    assert out["end_jd_chal"].iloc[0] == 1 and out["end_insurgent_chal"].iloc[0] == 1
    assert out["end_last_date"].iloc[0] == T("2018-06-25")
    assert not out["end_covered"].iloc[1] and pd.isna(out["end_jd_chal"].iloc[1])


def test_ca34_2026_gonzales_torres(events):
    gomez = race(2026, "CA", 34, "D", "Jimmy Gomez", "2026-06-02")
    out = agg(events, [gomez, gomez], ["2025-12-31", "2025-11-30"])
    assert out["end_jd_chal"].iloc[0] == 1 and out["end_covered"].iloc[0]
    assert not out["end_covered"].iloc[1]       # a year-level 2025 date is not usable before 2025 is over


def test_ky4_2026_trump_against_massie(events):
    massie = race(2026, "KY", 4, "R", "Thomas Massie", "2026-05-19")
    out = agg(events, [massie, massie], ["2025-12-31", "2025-10-01"])
    assert out["end_trump_against_inc"].iloc[0] == 1 and out["end_trump_for_inc"].iloc[0] == 0
    assert out["end_last_date"].iloc[0] == T("2025-10-17")
    assert pd.isna(out["end_trump_against_inc"].iloc[1]) and not out["end_covered"].iloc[1]


def test_2022_member_vs_member_and_538_coverage(events):
    rows = [race(2022, "WV", 2, "R", "David McKinley", "2022-05-10"),
            race(2022, "WV", 2, "R", "Alex Mooney", "2022-05-10"),
            race(2022, "NY", 16, "D", "Jamaal Bowman", "2022-06-28"),
            race(2022, "OH", 9, "D", "Marcy Kaptur", "2022-05-03")]
    out = agg(events, rows, ["2022-05-09", "2022-05-09", "2022-06-27", "2022-05-02"])
    assert out["end_trump_against_inc"].tolist() == [1, 0, 0, 0]
    assert out["end_trump_for_inc"].tolist() == [0, 1, 0, 0]
    # JD backing Bowman himself is not a challenge to him; Kaptur: 538 covers every 2022 race -> true zeros
    assert out["end_insurgent_chal"].tolist() == [0, 0, 0, 0]
    assert out["end_covered"].all()


def test_blank_dates_never_usable_in_live_cycle(events):
    live = events[events["cycle"] == 2026]
    assert live["endorsement_date"].notna().all()       # the curated 2026 rows are all dated
    fake = live.iloc[[0]].assign(endorsement_date=pd.NaT, date_precision="none")
    r = pd.DataFrame([race(2026, fake["state"].iloc[0], int(fake["district"].iloc[0]), fake["party"].iloc[0],
                           "Someone Else", "2026-06-02")])
    out = aggregate_endorsements(fake, r, T("2026-06-01"))
    assert not out["end_covered"].iloc[0]


def test_no_flag_dated_after_as_of(events):
    rows = [race(2020, "NY", 16, "D", "Eliot Engel", "2020-06-23"), race(2022, "TX", 28, "D", "Henry Cuellar",
                                                                          "2022-03-01"),
            race(2024, "MO", 1, "D", "Cori Bush", "2024-08-06")]
    as_of = ["2020-06-22", "2022-02-28", "2024-08-05"]
    out = agg(events, rows, as_of)
    assert (out["end_last_date"] <= pd.to_datetime(as_of).values).all()
    assert out.loc[0, ["end_jd_chal", "end_aoc_chal", "end_sanders_chal", "end_wfp_chal", "end_dmfi_inc"]].eq(1).all()
    assert out.loc[2, ["end_aipac_chal", "end_dmfi_chal", "end_leadership_inc"]].eq(1).all()


def test_events_round_trip(events, tmp_path):
    path = tmp_path / "endorsement_events.csv"
    write_events(events, path)
    pd.testing.assert_frame_equal(read_events(path), events)


def test_bad_date_names_row_and_field(tmp_path):
    for rel in (CURATED, FTE_DEM, FTE_DEM.replace("dem_", "rep_")):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(RAW / rel, tmp_path / rel)
    path = tmp_path / CURATED
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[4, "endorsement_date"] = "spring 2018"
    df.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        endorsement_events(tmp_path)
    assert exc.value.row == 5 and exc.value.field == "endorsement_date"
