"""pres_lean for 2002-2008 from the 2000 and 2004 presidential vote on the 2002-2010 lines."""
from __future__ import annotations

import pandas as pd
import pytest

from features.districts.district import pres_lean
from features.districts.pres_2000s import NATIONAL_D_TWO_PARTY, SOURCE, fill_pres_2000s, pres_2000s
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / SOURCE).is_file(), reason="raw pres-by-cd-2000-2004 absent")


@pytest.fixture(scope="module")
def pres():
    return pres_2000s(RAW).set_index(["cycle", "state", "district"])


def test_last_election_before_the_primary(pres):
    # MD-1 (Gilchrest): Gore 2000 for 2002/2004, Kerry 2004 for 2006/2008
    assert pres.loc[(2002, "MD", 1), "d_pres_share"] == pres.loc[(2004, "MD", 1), "d_pres_share"]
    assert pres.loc[(2008, "MD", 1), "pres_elec"] == 2004 and pres.loc[(2004, "MD", 1), "pres_elec"] == 2000
    assert pres.loc[(2008, "MD", 1), "d_pres_share"] == pytest.approx(0.3681)
    # Illinois 2000 values come from the Almanac (Jacobson's are implausible): IL-1 is deep blue
    assert pres.loc[(2002, "IL", 1), "d_pres_share"] > 0.80
    # Texas redrew for 2004: no 2000 value on those lines (the 2004 one is after the primary)
    assert pres.loc[(2004, "TX", 1), "d_pres_share"] != pres.loc[(2004, "TX", 1), "d_pres_share"]
    # Georgia 2006-2008 uses the 2006 lines: GA-3 29.41 on the new map, 44.36 on the old one
    assert pres.loc[(2006, "GA", 3), "d_pres_share"] == pytest.approx(0.2941)
    assert pres.loc[(2002, "AK", 0), "d_pres_share"] < 0.40           # at-large coded 0


def test_fill_and_lean():
    rows = pd.DataFrame({"cycle": [2008, 2012], "state": ["MD", "MD"], "district": [1, 1], "party": ["R", "R"],
                         "d_pres_share": [float("nan"), 0.40], "national_d_share": [float("nan"), 0.52],
                         "pres_elec": pd.array([pd.NA, 2008], dtype="Int64")})
    out = fill_pres_2000s(RAW, rows)
    assert out.loc[1, "d_pres_share"] == 0.40                    # later cycles untouched
    assert out.loc[0, "national_d_share"] == pytest.approx(NATIONAL_D_TWO_PARTY[2004])
    lean = pres_lean(out["d_pres_share"], out["national_d_share"], out["party"])
    assert lean.iloc[0] > 0.10                                   # a Republican seat: R share above national
