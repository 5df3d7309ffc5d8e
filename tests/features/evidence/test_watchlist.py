"""The analyst watchlist: validation (one clear error per bad entry) and the as-of rule when applied."""
from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from features.evidence.watchlist import apply_watchlist, load_watchlist, parse_event_date, parse_watchlist
from features.kernel.errors import InputError
from features.kernel.paths import raw_dir
from features.view.asof import as_of_view
from tests.forecasting.live_fixtures import WATCHLIST_2026, table, watchlist  # noqa: F401  (fixtures)

JD_URL = ("https://madisony.com/influential-group-behind-aocs-victory-seeks-to-oust-l-a-democratic-"
          "congressman")


def _doc() -> dict:
    return yaml.safe_load(WATCHLIST_2026.read_text())


def _ca34(tbl: pd.DataFrame) -> pd.DataFrame:
    return tbl[(tbl["cycle"] == 2026) & (tbl["state"] == "CA") & (tbl["district"] == 34)]


def test_ca34_entry_matches_the_curated_endorsement():
    wl = load_watchlist(WATCHLIST_2026)
    race = next(r for r in wl.races if (r.state, r.district) == ("CA", 34))
    assert race.party == "D" and race.incumbent == "Jimmy Gomez"
    (jd,) = [e for e in race.events if e.kind == "endorsement"]
    assert jd.name == "Justice Democrats" and jd.cls == "justice-democrats" and jd.side == "challenger"
    assert jd.candidate == "Angela Gonzales-Torres"
    assert jd.date == pd.Timestamp("2025-12-31")          # year-level date counts from the period end
    assert jd.source == JD_URL
    csv = raw_dir() / "curated-endorsements" / "endorsements.csv"
    if not csv.is_file():
        pytest.skip("raw folder absent")
    raw = pd.read_csv(csv, dtype=str)
    row = raw[(raw["cycle"] == "2026") & (raw["state"] == "CA") & (raw["district"] == "34")
              & (raw["endorser"] == "Justice Democrats")].iloc[0]
    assert row["candidate"] == "Angela Gonzales-Torres"
    assert row["endorsement_date"] == jd.date_text == "2025"
    assert row["source_url"] == jd.source


def test_ca34_matches_the_table(watchlist, table):
    assert watchlist.cycle == 2026
    assert len(_ca34(table)) == 1


@pytest.mark.parametrize("text,expected", [
    ("2025-10-08", "2025-10-08"), ("2025-10", "2025-10-31"), ("2025", "2025-12-31"), ("2024-02", "2024-02-29"),
])
def test_partial_dates_count_from_the_end_of_their_period(text, expected):
    assert parse_event_date(text) == pd.Timestamp(expected)


@pytest.mark.parametrize("path,value,field,message", [
    (("state",), "XX", "state", "unknown state"),
    (("district",), "thirty-four", "district", "district must be an integer"),
    (("district",), 99, "district", "unknown district"),
    (("party",), "G", "party", "party must be D or R"),
    (("endorsements", 0, "class"), "big-donor-club", "endorsements[0].class", "unknown endorser class"),
    (("endorsements", 0, "date"), "last autumn", "endorsements[0].date", "not a date"),
    (("endorsements", 0, "date"), "2025-13-01", "endorsements[0].date", "not a date"),
    (("endorsements", 0, "source"), "madisony.com", "endorsements[0].source", "http(s) URL"),
    (("endorsements", 0, "side"), "both", "endorsements[0].side", "side must be"),
    (("challengers", 0, "name"), "", "challengers[0].name", "required"),
    (("challengers", 0, "nmae"), "typo", "challengers[0].nmae", "unknown key"),
])
def test_bad_entries_give_one_clear_error(path, value, field, message):
    doc = _doc()
    node = doc["races"][0]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InputError) as err:
        parse_watchlist(doc, WATCHLIST_2026)
    assert err.value.field == field
    assert err.value.row.startswith("races[0]")
    assert message in str(err.value)
    assert "2026.yaml" in str(err.value)


def _with_spending(**item) -> dict:
    doc = _doc()
    base = {"spender": "United Democracy Project", "class": "pro-israel", "supports": "incumbent",
            "amount_usd": 1000000, "date": "2026-05-01", "source": "https://example.org/udp"}
    base.update(item)
    doc["races"][0]["outside_spending"] = [{k: v for k, v in base.items() if v is not None}]
    return doc


@pytest.mark.parametrize("amount,message", [(-5, "negative"), ("a lot", "not a number"), (None, "not a number")])
def test_bad_money(amount, message):
    with pytest.raises(InputError, match=message) as err:
        parse_watchlist(_with_spending(amount_usd=amount), WATCHLIST_2026)
    assert err.value.field == "outside_spending[0].amount_usd"


def test_money_with_dollar_sign_and_commas_is_a_number():
    wl = parse_watchlist(_with_spending(amount_usd="$1,250,000"), WATCHLIST_2026)
    (ev,) = [e for e in wl.races[0].events if e.kind == "outside_spending"]
    assert ev.amount == 1_250_000 and ev.side == "for_inc"


def test_unknown_spender_class_and_missing_direction():
    with pytest.raises(InputError, match="unknown spender class"):
        parse_watchlist(_with_spending(**{"class": "bankers"}), WATCHLIST_2026)
    with pytest.raises(InputError, match="exactly one of"):
        parse_watchlist(_with_spending(supports=None), WATCHLIST_2026)


def test_unknown_district_against_the_table(table):
    doc = _doc()
    doc["races"][0]["district"] = 53                    # CA has 52 districts
    with pytest.raises(InputError, match="CA-53") as err:
        parse_watchlist(doc, WATCHLIST_2026, table)
    assert err.value.field == "district"
    doc = _doc()
    doc["races"][0]["incumbent"] = "Nancy Pelosi"
    with pytest.raises(InputError, match="does not match") as err:
        parse_watchlist(doc, WATCHLIST_2026, table)
    assert err.value.field == "incumbent"


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_watchlist(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("cycle: 2026\nraces: [\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_watchlist(bad)


def test_apply_respects_the_as_of_date(table, watchlist):
    rows = _ca34(table)
    before = apply_watchlist(as_of_view(rows, "2025-12-30"), watchlist)
    after = apply_watchlist(as_of_view(rows, "2025-12-31"), watchlist)
    assert before["watchlist_challengers"].iloc[0] == ""
    assert not (pd.to_numeric(before["end_jd_chal"]).fillna(0) > 0).any()
    assert after["watchlist_challengers"].iloc[0] == "Angela Gonzales-Torres"
    assert int(after["end_jd_chal"].iloc[0]) == 1 and int(after["end_insurgent_chal"].iloc[0]) == 1
    assert bool(after["end_covered"].iloc[0])
    assert after["end_last_date"].iloc[0] == pd.Timestamp("2025-12-31")
    assert JD_URL in after["watchlist_sources"].iloc[0]


def test_spending_snapshots_are_not_summed(table):
    doc = _with_spending()
    later = dict(doc["races"][0]["outside_spending"][0], amount_usd=3000000, date="2026-05-20")
    doc["races"][0]["outside_spending"].append(later)
    wl = parse_watchlist(copy.deepcopy(doc), WATCHLIST_2026, table)
    rows = _ca34(table)
    mid = apply_watchlist(as_of_view(rows, "2026-05-10"), wl)
    end = apply_watchlist(as_of_view(rows, "2026-05-31"), wl)
    base = as_of_view(rows, "2026-05-31")
    base_for = float(pd.to_numeric(base.get("os_for_inc", pd.Series([0.0]))).fillna(0).iloc[0])
    assert float(mid["os_for_inc"].iloc[0]) == pytest.approx(base_for + 1_000_000)
    assert float(end["os_for_inc"].iloc[0]) == pytest.approx(base_for + 3_000_000)   # latest figure, not 4M
    assert float(end["os_pro_israel_for_inc"].iloc[0]) >= 3_000_000
    assert end["os_last_date"].iloc[0] >= pd.Timestamp("2026-05-20")


def test_announced_challenger_carries_experience_after_the_deadline(table):
    doc = _doc()
    doc["races"][0]["challengers"][0]["experience"] = "state-office"
    wl = parse_watchlist(copy.deepcopy(doc), WATCHLIST_2026, table)
    rows = _ca34(table)                       # CA filing deadline 2026-03-06
    before = apply_watchlist(as_of_view(rows, "2026-01-15"), wl)
    after = apply_watchlist(as_of_view(rows, "2026-03-10"), wl)
    assert pd.isna(before.get("chal_state_office", pd.Series([float("nan")])).iloc[0]) \
        or before["chal_state_office"].iloc[0] != 1.0
    assert after["chal_state_office"].iloc[0] == 1.0
    assert after["chal_quality_date"].iloc[0] <= pd.Timestamp("2026-03-10")
    doc["races"][0]["challengers"][0]["experience"] = "mayor"
    with pytest.raises(InputError, match="experience"):
        parse_watchlist(copy.deepcopy(doc), WATCHLIST_2026, table)
