"""Challenger quality on real races: former members and state office holders in the filed field."""
from __future__ import annotations

import pandas as pd
import pytest

from features.evidence.challenger_quality import OPENSTATES, challenger_quality
from features.kernel.paths import raw_dir
from features.table.store import load_table
from features.view.asof import as_of_view, assert_as_of
from features.view.matrix import model_frame

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / OPENSTATES).is_file(), reason="raw openstates folder absent")

RACES = [(2016, "PA", 2, "D"), (2016, "VA", 2, "R"), (2024, "VA", 5, "R"), (2024, "NY", 16, "D"),
         (2024, "CA", 17, "D"), (2018, "NY", 11, "R"), (2010, "NY", 14, "D"), (2026, "MO", 1, "D")]


@pytest.fixture(scope="module")
def rows():
    t = load_table()
    keys = pd.MultiIndex.from_frame(t[["cycle", "state", "district", "party"]])
    sel = t[keys.isin(RACES)].copy()
    assert len(sel) == len(RACES)
    from features.evidence.challenger_quality import COLUMNS
    sel = sel.drop(columns=[c for c in COLUMNS if c in sel.columns])
    return sel.join(challenger_quality(RAW, sel))


def race(rows, cycle, state, district):
    return rows[(rows["cycle"] == cycle) & (rows["state"] == state) & (rows["district"] == district)].iloc[0]


def test_state_legislators_who_beat_incumbents(rows):
    for cycle, st, d, who in [(2016, "PA", 2, "Evans"), (2016, "VA", 2, "Taylor"), (2024, "VA", 5, "MCGUIRE"),
                              (2024, "NY", 16, "LATIMER")]:
        r = race(rows, cycle, st, d)
        assert r["chal_state_office"] == 1.0 and who in r["chal_quality_names"], (cycle, st, r["chal_quality_names"])


def test_former_members_and_the_incumbent_never_counts(rows):
    grimm = race(rows, 2018, "NY", 11)            # Grimm (resigned 2015) challenged Donovan
    assert grimm["chal_former_member"] == 1.0 and "Grimm" in grimm["chal_quality_names"]
    khanna = race(rows, 2024, "CA", 17)           # his own FEC row is not a challenger
    assert khanna["chal_former_member"] == 0.0
    bush = race(rows, 2026, "MO", 1)              # Cori Bush (lost 2024) in the live FEC field against Bell
    assert bush["chal_former_member"] == 1.0


def test_open_states_unknown_before_2012(rows):
    assert pd.isna(race(rows, 2010, "NY", 14)["chal_state_office"])


def test_field_evidence_waits_for_the_filing_deadline(rows):
    r = rows[rows["cycle"] == 2016].copy()
    early = as_of_view(r, as_of=pd.Timestamp("2015-06-30"))
    assert early["chal_state_office"].isna().all() and early["chal_quality_date"].isna().all()
    assert_as_of(early)
    assert model_frame(early, groups=("challenger_quality",)).isna().all().all()
    late = as_of_view(r, as_of="pre-primary")
    assert_as_of(late)
    assert (model_frame(late, groups=("challenger_quality",))["chal_state_office"] == 1.0).all()
    leaky = r.assign(as_of=pd.Timestamp("2015-06-30"))
    with pytest.raises(AssertionError, match="challenger_quality"):
        assert_as_of(leaky, feature_columns=["chal_state_office", "chal_former_member"])
