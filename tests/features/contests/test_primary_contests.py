"""Incumbent renomination contest rows 2002-2020 on the real FEC files, and the Miller & Camberg cross-check.

Headline loser counts: voting members, D/R, judged on the D/R line. The Louisiana rows (the November
all-party election is LA's 'primary', ``primary_system_hint == 'louisiana-jungle'``) are kept in
the table but EXCLUDED from the headline counts, which match the usual lists of primary losers;
with them 2012 has one more loser (LA-3 Landry, December runoff vs Rep. Boustany) and 2014 one more
(LA-5 McAllister, third in November). Both numbers are asserted below.

The ``sitting`` frame is built here from the raw files (congress-legislators fec_ids + 538's
per-Congress roster), independent of ``features.contests.legislators``.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
import pytest

from features.contests.crosscheck_miller_camberg import MC_FILE, miller_camberg_agreement, miller_camberg_disagreements
from features.contests.primary_contests import apply_overrides, incumbent_contests, load_overrides
from features.contests.results_fec import FEC_DIR, general_winners, load_fec_candidates
from features.contests.results_fec_cycles import fec_contest_rows
from features.kernel.columns import CONTRACT
from features.kernel.constants import congress_for_cycle
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not (RAW / FEC_DIR).is_dir() or not (RAW / "congress-legislators").is_dir(),
                                reason="raw data folder absent")
CYCLES = list(range(2002, 2021, 2))

# surnames of the incumbents who lost renomination (voting members, D/R; Louisiana excluded)
LOSERS = {
    2002: {"Hilliard", "Condit", "McKinney", "Barr", "Kerns", "Rivers", "Sawyer", "Mascara"},
    2004: {"Bell", "Rodriguez"},
    2006: {"McKinney", "Schwarz"},                       # Schwarz: unflagged by the FEC
    2008: {"Gilchrest", "Wynn", "Davis", "Cannon"},      # NJ-1 Andrews ('#', ran for Senate) is no row
    2010: {"Griffith", "Kilpatrick", "Inglis", "Mollohan"},
    2012: {"Quayle", "Stearns", "Adams", "Manzullo", "Clarke", "Carnahan", "Rothman", "Schmidt",
           "Kucinich", "Sullivan", "Altmire", "Holden", "Reyes"},
    2014: {"Tierney", "Bentivolio", "Hall", "Cantor"},
    2016: {"Brown", "Huelskamp", "Ellmers", "Fattah", "Forbes"},
    2018: {"Capuano", "Pittenger", "Crowley", "Sanford"},   # Guam delegate dropped; VA-5 Garrett not a loser
    2020: {"Tipton", "Spano", "King", "Lipinski", "Watkins", "Clay", "Engel", "Riggleman"},
}
LA_LOSERS = {2012: {"Landry"}, 2014: {"McAllister"}}


# ------------------------------------------------------------------ fixtures built from the raw files
@lru_cache(maxsize=1)
def sitting_all() -> pd.DataFrame:
    """Members of each cycle's Congress: 538 roster (bioguide, state) + congress-legislators fec_ids."""
    aging = pd.read_csv(RAW / "fivethirtyeight/congress-demographics/data_aging_congress.csv", dtype=str)
    leg = pd.concat([pd.read_csv(RAW / f"congress-legislators/legislators-{k}.csv", dtype=str)
                     for k in ("historical", "current")])
    leg = leg[["bioguide_id", "fec_ids", "last_name", "first_name", "middle_name", "nickname"]]
    leg = leg.drop_duplicates("bioguide_id")
    parts = []
    for cycle in CYCLES:
        a = aging[(aging["chamber"] == "House") & (aging["congress"] == str(congress_for_cycle(cycle)))]
        a = a.merge(leg, on="bioguide_id", how="left")
        parts.append(pd.DataFrame({
            "cycle": cycle, "state": a["state_abbrev"].to_numpy(), "fec_ids": a["fec_ids"].to_numpy(),
            "name": a["bioname"].to_numpy(), "bioguide_id": a["bioguide_id"].to_numpy(),
            "last_name": a["last_name"].to_numpy(), "first_name": a["first_name"].to_numpy(),
            "middle_name": a["middle_name"].to_numpy(), "nickname": a["nickname"].to_numpy(),
            "party": a["party_code"].map({"100": "D", "200": "R"}).to_numpy()}))
    return pd.concat(parts, ignore_index=True)


@lru_cache(maxsize=None)
def cands(cycle: int) -> pd.DataFrame:
    return load_fec_candidates(RAW, cycle)


@lru_cache(maxsize=None)
def rows(cycle: int, with_sitting: bool = True) -> pd.DataFrame:
    sit = sitting_all()
    if not with_sitting:
        return incumbent_contests(cands(cycle), cycle)
    prior = general_winners(cands(cycle - 2)) if cycle > 2002 else None
    return incumbent_contests(cands(cycle), cycle, sitting=sit[sit["cycle"] == cycle], prior_winners=prior)


@lru_cache(maxsize=1)
def all_rows() -> pd.DataFrame:
    return pd.concat([rows(c) for c in CYCLES], ignore_index=True)


def surname(name) -> str:
    return str(name).split(",")[0].strip()


def one(cycle, state, district, party=None, incumbent=None) -> pd.Series:
    r = rows(cycle)
    sel = r[(r["state"] == state) & (r["district"] == district)]
    if party:
        sel = sel[sel["party"] == party]
    if incumbent:
        sel = sel[sel["incumbent"].map(surname) == incumbent]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def losers(cycle, include_la: bool) -> set[str]:
    r = rows(cycle)
    if not include_la:
        r = r[r["primary_system_hint"] != "louisiana-jungle"]
    return set(r.loc[r["lost"].astype(bool), "incumbent"].map(surname))


# ------------------------------------------------------------------ headline counts
@pytest.mark.parametrize("cycle", CYCLES)
def test_losers_per_cycle_excluding_louisiana(cycle):
    assert losers(cycle, include_la=False) == LOSERS[cycle]


@pytest.mark.parametrize("cycle", CYCLES)
def test_losers_per_cycle_including_louisiana(cycle):
    assert losers(cycle, include_la=True) == LOSERS[cycle] | LA_LOSERS.get(cycle, set())


def test_headline_numbers():
    counts = {c: len(losers(c, include_la=False)) for c in CYCLES}
    assert counts == {2002: 8, 2004: 2, 2006: 2, 2008: 4, 2010: 4, 2012: 13, 2014: 4, 2016: 5, 2018: 4, 2020: 8}
    assert len(losers(2012, include_la=True)) == 14 and len(losers(2014, include_la=True)) == 5


@pytest.mark.parametrize("cycle", CYCLES)
def test_incumbent_counts(cycle):
    # 2018 (a record retirement year) has 375 voting-member incumbents seeking renomination
    assert 370 <= len(rows(cycle)) <= 410


# ------------------------------------------------------------------ the contract
def test_contract_columns_and_types():
    r = all_rows()
    needed = ["cycle", "state", "district", "party", "incumbent", "fec_id", "bioguide_id", "primary_date",
              "primary_system_hint", "contested", "n_candidates", "incumbent_vs_incumbent", "other_incumbent",
              "special_election_member", "lost", "incumbent_share", "incumbent_share_all", "top_challenger",
              "top_challenger_party", "top_challenger_share", "went_to_runoff", "runoff_share",
              "challenger_advanced", "result_source", "source_row"]
    assert set(needed) <= set(r.columns)
    for col in ("contested", "incumbent_vs_incumbent", "special_election_member", "lost", "went_to_runoff",
                "challenger_advanced"):
        assert str(r[col].dtype) == "boolean", col
    assert r["lost"].notna().all() and r["contested"].notna().all()
    assert r["party"].isin(["D", "R"]).all()
    assert not r.duplicated(["cycle", "state", "district", "party", "incumbent"]).any()
    assert r["incumbent"].str.len().ge(2).all()
    assert r["fec_id"].dropna().str.fullmatch(r"H\d[A-Z]{2}\d{5}").all()
    for col in ("incumbent_share", "incumbent_share_all", "top_challenger_share", "runoff_share"):
        s = r[col].dropna()
        assert ((s >= 0) & (s <= 1)).all(), col
    assert r["primary_system_hint"].dropna().isin(["top-two", "louisiana-jungle", "convention", "runoff"]).all()
    assert r["source_row"].str.match(r"^(fec-federal-elections|fec20-rpackage)/.+:\d+$").all()
    assert set(r["result_source"]) == {f"fec-{c}-workbook" for c in CYCLES[:-1]} | {"fec20"}
    assert (r.loc[~r["contested"], "top_challenger"].isna()).all()
    assert r["bioguide_id"].notna().mean() > 0.99
    assert set(CONTRACT) - set(r.columns) <= {"primary_system", "incumbent_age", "tenure_years", "pres_lean"}


# ------------------------------------------------------------------ known rows
def test_ny14_2018_crowley():
    r = one(2018, "NY", 14, "D")
    assert r["incumbent"] == "Crowley, Joseph" and r["lost"] and r["contested"]
    assert r["incumbent_share"] == pytest.approx(0.4325, abs=5e-5)
    assert r["top_challenger"] == "Ocasio-Cortez, Alexandria" and r["top_challenger_party"] == "D"
    assert r["top_challenger_share"] == pytest.approx(0.5675, abs=5e-5)
    # the WF / WEP fusion lines he kept in November do not make a second row
    assert len(rows(2018)[rows(2018)["incumbent"] == "Crowley, Joseph"]) == 1


def test_ny16_2020_engel_and_mo1_clay():
    engel = one(2020, "NY", 16, "D")
    assert engel["lost"] and engel["incumbent_share"] == pytest.approx(0.406, abs=5e-4)
    assert surname(engel["top_challenger"]) == "Bowman" and engel["result_source"] == "fec20"
    clay = one(2020, "MO", 1, "D")
    assert clay["lost"] and surname(clay["top_challenger"]) == "Bush"
    assert clay["incumbent_share"] == pytest.approx(0.456, abs=5e-4)


def test_ca34_2020_gomez_top_two():
    r = one(2020, "CA", 34, "D")
    assert surname(r["incumbent"]) == "Gomez" and not r["lost"] and r["primary_system_hint"] == "top-two"
    assert r["incumbent_share"] == r["incumbent_share_all"] == pytest.approx(0.52, abs=5e-3)
    assert r["top_challenger"] == "Kim, David" and r["top_challenger_party"] == "D"
    assert r["top_challenger_share"] == pytest.approx(0.21, abs=5e-3)
    assert r["challenger_advanced"]


def test_ca30_2012_berman_sherman_top_two_incumbent_vs_incumbent():
    berman, sherman = one(2012, "CA", 30, "D", "Berman"), one(2012, "CA", 30, "D", "Sherman")
    assert berman["incumbent_vs_incumbent"] and berman["other_incumbent"] == "Sherman, Brad"
    assert not berman["lost"] and not sherman["lost"]          # both advanced; Berman lost in November
    assert berman["challenger_advanced"] and sherman["challenger_advanced"]


def test_cantor_2014():
    r = one(2014, "VA", 7, "R")
    assert surname(r["incumbent"]) == "Cantor" and r["lost"]
    assert r["incumbent_share"] == pytest.approx(0.4447, abs=5e-4) and surname(r["top_challenger"]) == "Brat"


def test_ks1_2016_huelskamp_in_the_r_primary():
    r = one(2016, "KS", 1, "R")
    assert r["incumbent"] == "Huelskamp, Tim" and r["lost"] and r["n_candidates"] == 2
    assert r["top_challenger"] == "Marshall, Roger" and r["incumbent_share"] == pytest.approx(0.4344, abs=5e-4)


def test_va5_conventions():
    garrett = one(2018, "VA", 5, "R")                 # nominated ('*'), then retired: not a loser
    assert surname(garrett["incumbent"]) == "Garrett" and not garrett["lost"]
    assert garrett["primary_system_hint"] == "convention" and not garrett["contested"]   # Riggleman '#'
    riggleman = one(2020, "VA", 5, "R")               # lost the convention to Bob Good
    assert surname(riggleman["incumbent"]) == "Riggleman" and riggleman["lost"]
    assert riggleman["primary_system_hint"] == "convention" and pd.isna(riggleman["incumbent_share"])
    assert surname(riggleman["nominee"]) == "Good"


def test_nj1_2008_andrews_has_no_row():
    r = rows(2008)
    assert r[(r["state"] == "NJ") & (r["district"] == 1)].empty


def test_runoff_sc4_2010_inglis_and_al7_2002_hilliard():
    inglis = one(2010, "SC", 4, "R")
    assert inglis["lost"] and inglis["went_to_runoff"] and inglis["primary_system_hint"] == "runoff"
    assert inglis["incumbent_share"] == pytest.approx(0.2746, abs=5e-4)
    assert inglis["runoff_share"] == pytest.approx(0.2934, abs=5e-4)
    hilliard = one(2002, "AL", 7, "D")
    assert hilliard["lost"] and hilliard["went_to_runoff"] and hilliard["incumbent_share"] > 0.45


def test_incumbent_vs_incumbent_oh9_2012():
    kaptur, kucinich = one(2012, "OH", 9, "D", "Kaptur"), one(2012, "OH", 9, "D", "Kucinich")
    assert kaptur["incumbent_vs_incumbent"] and kucinich["incumbent_vs_incumbent"]
    assert kaptur["other_incumbent"] == "Kucinich, Dennis J." and kucinich["other_incumbent"] == "Kaptur, Marcy"
    assert kucinich["lost"] and not kaptur["lost"]
    n_ivi = {c: int(rows(c)["incumbent_vs_incumbent"].sum()) for c in (2002, 2012)}
    assert n_ivi[2012] >= 14 and n_ivi[2002] >= 8


def test_louisiana_jungle_rows():
    landry, boustany = one(2012, "LA", 3, "R", "Landry"), one(2012, "LA", 3, "R", "Boustany")
    assert landry["primary_system_hint"] == "louisiana-jungle" and landry["lost"] and not boustany["lost"]
    assert landry["went_to_runoff"] and landry["runoff_share"] == pytest.approx(0.391, abs=1e-3)
    assert landry["incumbent_share"] == landry["incumbent_share_all"] == pytest.approx(0.3004, abs=1e-3)
    mcallister = one(2014, "LA", 5, "R")
    assert mcallister["lost"] and not mcallister["went_to_runoff"]          # third in November
    assert not one(2014, "LA", 1, "R")["lost"]                             # Scalise, 78% in November


def test_schwarz_2006_needs_the_sitting_frame():
    r = one(2006, "MI", 7, "R")
    assert r["incumbent"] == "Schwarz, Joe" and r["lost"] and r["incumbent_source"] == "sitting-match"
    assert r["bioguide_id"] == "S001161"
    flag_only = rows(2006, with_sitting=False)
    assert flag_only[(flag_only["state"] == "MI") & (flag_only["district"] == 7)].empty
    assert set(flag_only.loc[flag_only["lost"].astype(bool), "incumbent"].map(surname)) == {"McKinney"}


def test_sitting_frame_corrections():
    added = all_rows()[all_rows()["incumbent_source"] == "sitting-match"]
    assert set(zip(added["cycle"], added["state"], added["district"], added["incumbent"].map(surname))) == {
        (2002, "TX", 32, "Sessions"), (2006, "MI", 7, "Schwarz"), (2010, "FL", 21, "Diaz-Balart"),
        (2016, "FL", 26, "Curbelo"), (2016, "NH", 1, "Guinta"), (2018, "PA", 2, "Boyle")}
    # former members the 2016 workbook flags (I) in rematches are dropped
    assert set(rows(2016).attrs["dropped_unsitting_flags"]) == {"FL-26 Garcia, Joe", "NH-1 Shea-Porter, Carol"}
    # members elected in a special election after the primary are in the Congress, not incumbents
    for cycle, state, dist, name in [(2014, "VA", 7, "Brat"), (2016, "PA", 2, "Evans"),
                                     (2018, "MI", 13, "Jones"), (2012, "KY", 4, "Massie")]:
        r = rows(cycle)
        sel = r[(r["state"] == state) & (r["district"] == dist) & (r["incumbent"].map(surname) == name)]
        assert sel.empty, (cycle, state, name)


def test_special_election_member_flag():
    lesko = one(2018, "AZ", 8, "R")            # elected in an April 2018 special, before the primary
    assert surname(lesko["incumbent"]) == "Lesko" and lesko["special_election_member"]
    assert not one(2018, "NY", 14, "D")["special_election_member"]


def test_tn7_2020_override_restores_the_incumbent():
    r = one(2020, "TN", 7, "R")
    assert r["incumbent"] == "Green, Mark" and r["fec_id"] == "H8TN07076"
    assert r["override_fields"] == "incumbent;fec_id" and not r["lost"]
    ov = load_overrides()
    assert len(ov) <= 5 and ov["source_url"].str.startswith("https://").all()


def test_overrides_bad_input(tmp_path):
    r = rows(2020)
    bad = pd.DataFrame([{"cycle": "2020", "state": "TN", "district": "7", "party": "R", "incumbent": "Nobody, Here",
                         "field": "lost", "value": "true", "source_url": "https://example.org", "reason": "x"}])
    with pytest.raises(InputError) as err:
        apply_overrides(r, bad)
    assert err.value.field == "incumbent"
    path = tmp_path / "ov.csv"
    bad.assign(source_url="none").to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_overrides(path)
    assert (err.value.row, err.value.field) == (1, "source_url")


def test_candidates_missing_column_is_input_error():
    with pytest.raises(InputError) as err:
        incumbent_contests(cands(2014).drop(columns=["primary_status"]), 2014)
    assert err.value.field == "primary_status"


# ------------------------------------------------------------------ the cycles wrapper (dates attached)
def test_fec_contest_rows_with_dates():
    sit = sitting_all()
    r = fec_contest_rows(RAW, cycles=[2014], sitting_fn=lambda c: sit[sit["cycle"] == c])
    assert len(r) == len(rows(2014)) and set(r["cycle"]) == {2014}
    assert r["primary_date"].notna().all()
    assert (r.loc[r["state"] == "LA", "primary_date"] == pd.Timestamp("2014-11-04")).all()      # election day
    assert (r.loc[r["state"] == "VA", "primary_date"] == pd.Timestamp("2014-06-10")).all()
    assert str(r["primary_date"].dtype) == "datetime64[ns]"


def test_with_the_legislators_helper_when_present():
    legislators = pytest.importorskip("features.contests.legislators")
    if not hasattr(legislators, "sitting_members"):
        pytest.skip("features.contests.legislators.sitting_members not available")
    sm = legislators.sitting_members(RAW, 2006)
    r = incumbent_contests(cands(2006), 2006, sitting=sm, prior_winners=general_winners(cands(2004)))
    assert set(r.loc[r["lost"].astype(bool), "incumbent"].map(surname)) == LOSERS[2006]


# ------------------------------------------------------------------ Miller & Camberg 2012-2018
@pytest.mark.skipif(not (RAW / MC_FILE).is_file(), reason="Miller & Camberg file absent")
def test_miller_camberg_crosscheck():
    r = all_rows()
    summary = miller_camberg_agreement(RAW, r)
    # 1,292 incumbents matched (CA/WA/LA are not in Miller & Camberg); 975 of 1,004 comparable
    # shares agree within 0.005 (97.1%): the rest are write-ins the FEC counts (PA) and a few
    # Miller & Camberg totals (IL-7 2012, NY-15 2014)
    assert summary["loser_sets_agree"], set(summary["fec_losers"]) ^ set(summary["mc_losers"])
    assert summary["share_agreement_rate"] > 0.95
    assert summary["matched"] > 1250 and summary["only_mc"] == 0
    issues = miller_camberg_disagreements(RAW, r)
    assert set(issues["kind"]) <= {"share", "only-fec"}
    assert not ((issues["kind"] == "share") & ~issues["state"].isin(["PA", "NY", "NE", "IL"])).any()
    crowley = issues[(issues["cycle"] == 2018) & (issues["incumbent"] == "Crowley, Joseph")]
    assert crowley.empty


def test_miller_camberg_bad_file(tmp_path):
    (tmp_path / MC_FILE).parent.mkdir(parents=True)
    (tmp_path / MC_FILE).write_text("raceid\tyear\n1\t2012\n", encoding="latin-1")
    with pytest.raises(InputError) as err:
        miller_camberg_agreement(tmp_path, all_rows())
    assert err.value.field == "stcd" and re.search(r"house_primary_2012_2018\.tab", str(err.value))
