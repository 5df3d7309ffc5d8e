"""Voteview ideology in the Congress before the primary: real members, party medians, the as-of rule."""
from __future__ import annotations

import pandas as pd
import pytest

from features.evidence.ideology import FOLDER, congress_end, ideology_features, members
from features.kernel.paths import raw_dir
from features.view.asof import as_of_view, assert_as_of
from features.view.matrix import model_frame

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / FOLDER).is_dir(), reason="raw voteview folder absent")


def rows(*records):
    return pd.DataFrame([dict(cycle=c, party=p, bioguide_id=b, state=s, district=d, primary_date=pd.Timestamp(pd_))
                         for c, p, b, s, d, pd_ in records])


@pytest.fixture(scope="module")
def known():
    r = rows((2008, "R", "G000180", "MD", 1, "2008-02-12"),     # Gilchrest, lost
             (2022, "D", "S001180", "OR", 5, "2022-05-17"),     # Schrader, lost
             (2022, "R", "C001109", "WY", 0, "2022-08-16"),     # Cheney, lost
             (2022, "R", "M001186", "MI", 3, "2022-08-02"),     # Meijer, first term
             (2002, "D", "P000197", "CA", 8, "2002-03-05"))     # Pelosi: 2002 would need the 106th
    return r.join(ideology_features(RAW, r))


def test_never_career_nominate():
    m = members(RAW, 116)
    cheney = m[m["bioguide_id"] == "C001109"].iloc[0]
    assert cheney["np_raw"] == pytest.approx(0.519)            # nokken_poole_dim1 (nominate_dim1 is 0.405)


def test_moderates_beaten_from_their_flank(known):
    gil, sch = known.iloc[0], known.iloc[1]
    assert gil["ideology_congress"] == 109 and gil["np_dim1_prev"] == pytest.approx(0.241)
    assert gil["np_extremity"] < -0.15 and gil["np_moderate_pct"] < 0.1
    assert sch["ideology_congress"] == 116
    assert sch["np_dim1_prev"] == pytest.approx(0.139)        # D sign-flipped: raw -0.139
    assert sch["np_moderate_pct"] < 0.05


def test_previous_congress_only(known):
    cheney, meijer, pelosi = known.iloc[2], known.iloc[3], known.iloc[4]
    # the 117th (her 2021 crossing, raw 0.282) includes votes after her August 2022 primary: not used
    assert cheney["ideology_congress"] == 116 and cheney["np_dim1_prev"] == pytest.approx(0.519)
    assert cheney["ideology_date"] == congress_end(116) == pd.Timestamp("2021-01-03")
    assert pd.isna(meijer["np_dim1_prev"])                    # not in the House in the 116th
    assert pd.isna(pelosi["np_dim1_prev"])                    # no 106th file


def test_as_of_excludes_later_dated_ideology(known):
    early = as_of_view(known, as_of=pd.Timestamp("2020-12-31"), events_dir=RAW / "none")
    # Cheney's and Schrader's 116th scores are dated 2021-01-03: unknown on 2020-12-31
    assert early.loc[[1, 2], "np_dim1_prev"].isna().all()
    assert early.loc[0, "np_dim1_prev"] == pytest.approx(known.loc[0, "np_dim1_prev"])   # 110th: known
    assert_as_of(early)
    late = known.assign(as_of=pd.Timestamp("2020-12-31"))
    with pytest.raises(AssertionError, match="ideology"):
        assert_as_of(late)
    assert model_frame(early, groups=("ideology",)).loc[2].isna().all()
