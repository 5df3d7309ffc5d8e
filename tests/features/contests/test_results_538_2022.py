"""2022 contest rows from 538's primary-project-2022 (+ Louisiana), checked against known results."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from features.contests.results_538_2022 import FILES, contest_rows_2022, read_538_2022
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / FILES["D"]).is_file(), reason="raw data folder absent")

LOSERS_2022 = {  # documented: Fortenberry (resigned before the primary) dropped, Van Taylor (withdrew) kept
    "Kurt Schrader", "Carolyn Bourdeaux", "Marie Newman", "Andy Levin", "Mondaire L. Jones",
    "Carolyn B. Maloney", "Van Taylor", "David B. McKinley", "Madison Cawthorn", "Steven Palazzo",
    "Tom Rice", "Rodney Davis", "Peter Meijer", "Jaime Herrera Beutler", "Liz Cheney",
}


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return contest_rows_2022(RAW)


def one(rows, state, district, party=None):
    sel = rows[(rows["state"] == state) & (rows["district"] == district)]
    if party:
        sel = sel[sel["party"] == party]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_wy_at_large_cheney_lost(rows):
    r = one(rows, "WY", 0, "R")                     # 538 "At-Large" -> 0, "Wyoming" -> WY
    assert r["incumbent"] == "Liz Cheney" and r["lost"]
    assert r["top_challenger"] == "Harriet Hageman"
    assert r["incumbent_share"] == pytest.approx(0.2894, abs=5e-4)      # 538 rounds it to 29%
    assert pd.isna(r["incumbent_share_all"])                             # party primary


def test_ca34_gomez_advanced_with_kim_top_two_across_both_files(rows):
    r = one(rows, "CA", 34, "D")
    assert r["incumbent"] == "Jimmy Gomez" and not r["lost"]
    assert r["challenger_advanced"]
    assert r["top_challenger"] == "David Kim" and r["primary_system_hint"] == "top-two"
    assert r["n_candidates"] == 3                    # Gomez, Kim (dem file) + VonBuck (rep file)
    assert r["incumbent_share"] == pytest.approx(45376 / (45376 + 34921 + 9150))
    assert r["incumbent_share_all"] == r["incumbent_share"]


def test_losers_are_the_documented_fifteen(rows):
    losers = set(rows.loc[rows["lost"].fillna(False), "incumbent"])
    assert losers == LOSERS_2022
    assert 14 <= len(losers) <= 16


def test_withdrawals(rows):
    taylor = one(rows, "TX", 3, "R")
    assert taylor["incumbent"] == "Van Taylor" and taylor["lost"] and taylor["withdrew"]
    assert not taylor["went_to_runoff"]
    assert "Jeff Fortenberry" not in set(rows["incumbent"])


def test_incumbent_vs_incumbent_pairs(rows):
    ivi = rows[rows["incumbent_vs_incumbent"]]
    pairs = {frozenset((a, b)) for a, b in zip(ivi["incumbent"], ivi["other_incumbent"])}
    assert pairs == {
        frozenset(("Carolyn Bourdeaux", "Lucy McBath")), frozenset(("Marie Newman", "Sean Casten")),
        frozenset(("Andy Levin", "Haley Stevens")), frozenset(("Carolyn B. Maloney", "Jerrold L. Nadler")),
        frozenset(("Rodney Davis", "Mary Miller")), frozenset(("David B. McKinley", "Alexander X. Mooney")),
    }
    assert ivi["lost"].sum() == 6


def test_runoffs(rows):
    palazzo = one(rows, "MS", 4, "R")
    assert palazzo["went_to_runoff"] and palazzo["lost"]
    assert palazzo["runoff_share"] == pytest.approx(0.4623, abs=5e-4)
    cuellar = one(rows, "TX", 28, "D")
    assert cuellar["went_to_runoff"] and not cuellar["lost"] and cuellar["runoff_share"] > 0.5


def test_unopposed_canceled_race_has_no_share(rows):
    ross = one(rows, "NC", 2, "D")                  # 538: Primary Votes 1, 100% (canceled)
    assert not ross["contested"] and pd.isna(ross["incumbent_share"]) and ross["n_candidates"] == 1
    assert ross["unopposed_canceled"]
    assert rows.loc[~rows["contested"].astype(bool), "incumbent_share"].isna().all()


def test_convention_nomination_va5(rows):
    good = one(rows, "VA", 5, "R")
    assert good["incumbent"] == "Bob Good" and good["contested"] and not good["lost"]
    assert good["primary_system_hint"] == "convention" and pd.isna(good["incumbent_share"])


def test_louisiana_from_election_results(rows):
    la = rows[rows["state"] == "LA"]
    assert len(la) == 6 and not la["lost"].any()
    assert (la["primary_system_hint"] == "louisiana-jungle").all()
    assert (la["primary_date"] == pd.Timestamp("2022-11-08")).all()
    johnson = one(rows, "LA", 4)
    assert not johnson["contested"] and pd.isna(johnson["incumbent_share"])
    scalise = one(rows, "LA", 1)
    assert scalise["incumbent_share"] == pytest.approx(0.728, abs=1e-3)
    assert la["special_election_member"].sum() == 2          # Letlow, Carter (2021 specials)


def test_contract_shape(rows):
    assert len(rows) == 380
    assert rows["contested"].sum() == 226
    assert set(rows["party"]) == {"D", "R"}
    assert rows["bioguide_id"].notna().all() and rows["fec_id"].notna().all()
    for col in ("contested", "lost", "incumbent_vs_incumbent", "went_to_runoff"):
        assert str(rows[col].dtype) == "boolean"
    shares = rows["incumbent_share"].dropna()
    assert shares.between(0, 1).all()
    assert not rows.duplicated(["state", "district", "party", "incumbent"]).any()


def test_bad_state_names_file_row_field(tmp_path):
    for rel in FILES.values():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(RAW / rel, tmp_path / rel)
    path = tmp_path / FILES["D"]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",Texas,", ",Texass,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_538_2022(tmp_path)
    assert err.value.field == "State" and err.value.row == 1 and "dem_candidates" in err.value.file
