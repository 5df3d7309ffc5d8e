"""An announced challenger who was the member's previous top challenger sets ``rematch`` (the watchlist).

Real rows: IA-1 2026 (Miller-Meeks; David Pautsch took 43.9% in the 2024 primary and is in the
FEC field as "David Alfred Pautsch", H4IA01127), SC-2 2026 (Wilson; "Hamp Redmond" in the 2024
results, "Hampton Redmond" at the FEC), CA-34 2026 (Gomez; the committed watchlist's Gonzales-Torres
is no rematch) and AL-2 2026 (Figures, first renomination: no previous primary as a member).  To
show what the watchlist adds, the IA-1 / SC-2 rows are given the field the FEC file would hold had
the challenger registered after 2025-12-31 (nobody): the watchlist then is the only source.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from features.evidence.watchlist import apply_watchlist, load_watchlist, parse_watchlist
from features.kernel.errors import InputError
from features.view.asof import as_of_view, assert_as_of
from features.view.matrix import model_frame
from forecasting.live import drivers as drv
from forecasting.live import snapshots
from features.view.asof import live_view
from forecasting.live.scoring import score_cycle
from forecasting.publish import publish
from tests.forecasting.live_fixtures import WATCHLIST_2026, ToyModel, table  # noqa: F401  (fixtures)

FEC_PAUTSCH = "https://www.fec.gov/data/candidate/H4IA01127/"
NOW = pd.Timestamp("2026-11-26")
IA_DEADLINE = pd.Timestamp("2026-03-13")


def _row(tbl, state, district):
    r = tbl[(tbl["cycle"] == 2026) & (tbl["state"] == state) & (tbl["district"] == district)]
    assert len(r) == 1
    return r.copy()


def _without_field(rows: pd.DataFrame) -> pd.DataFrame:
    """The row as if the FEC field file held no challenger (registered after its 2025-12-31 end)."""
    out = rows.copy()
    out["rematch"] = 0.0
    out["rematch_name"] = None
    for col in ("challengers", "challenger_ids", "top_challenger", "chal_quality_names"):
        if col in out.columns:
            out[col] = None
    out["contested"] = pd.array([False] * len(out), dtype="boolean")
    out["n_candidates"] = 1
    return out


def _doc(state="IA", district=1, party="R", incumbent="Mariannette Miller-Meeks", name="David Pautsch",
         date="2025-12-31", **extra):
    item = {"name": name, "date": date, "source": FEC_PAUTSCH, **extra}
    return {"cycle": 2026, "races": [{"state": state, "district": district, "party": party,
                                      "incumbent": incumbent, "challengers": [item]}]}


def _view(rows, when, doc=None, tbl=None):
    view = as_of_view(rows, pd.Timestamp(when))
    if doc is None:
        return view
    return apply_watchlist(view, parse_watchlist(doc, "test-watchlist.yaml", tbl))


@pytest.fixture(scope="module")
def ia1(table):
    rows = _row(table, "IA", 1)
    r = rows.iloc[0]
    # the real row: the field has him, so the build already flags the rematch
    assert r["prev_top_challenger"] == "David Pautsch" and r["rematch"] == 1.0
    assert r["challenger_ids"] == "H4IA01127" and r["prev_chal_share"] == pytest.approx(0.439)
    assert r["filing_deadline"] == IA_DEADLINE
    return _without_field(rows)


def test_announced_rematch_sets_the_flag_once_the_field_is_known(ia1, table):
    plain = _view(ia1, "2026-03-20")
    assert plain["rematch"].iloc[0] == 0.0                       # nobody in the field: no rematch
    view = _view(ia1, "2026-03-20", _doc(), table)
    assert view["rematch"].iloc[0] == 1.0 and view["rematch_name"].iloc[0] == "David Pautsch"
    assert bool(view["contested"].iloc[0])
    assert view["chal_quality_date"].iloc[0] <= pd.Timestamp("2026-03-20")
    assert_as_of(view)
    m = model_frame(view, ("rematch",))
    assert m["rematch"].iloc[0] == 1.0 and m["rematch_share"].iloc[0] == pytest.approx(0.439)


def test_before_the_filing_deadline_the_rematch_waits(ia1, table):
    view = _view(ia1, "2026-02-01", _doc(), table)              # announced, but the field is not known
    assert view["watchlist_challengers"].iloc[0] == "David Pautsch"
    assert pd.isna(view["rematch"].iloc[0])
    m = model_frame(view, ("rematch",))
    assert np.isnan(m["rematch"].iloc[0]) and np.isnan(m["rematch_share"].iloc[0])


def test_an_announcement_after_the_forecast_date_does_not_count(ia1, table):
    doc = _doc(date="2026-04-01")
    before = _view(ia1, "2026-03-20", doc, table)               # field known, announcement not yet
    assert before["rematch"].iloc[0] == 0.0 and before["watchlist_challengers"].iloc[0] == ""
    on_the_day = _view(ia1, "2026-04-01", doc, table)
    assert on_the_day["rematch"].iloc[0] == 1.0
    assert on_the_day["chal_quality_date"].iloc[0] == pd.Timestamp("2026-04-01")
    assert_as_of(on_the_day)
    month = _view(ia1, "2026-04-29", _doc(date="2026-04"), table)   # a month counts from its end
    assert month["rematch"].iloc[0] == 0.0
    assert _view(ia1, "2026-04-30", _doc(date="2026-04"), table)["rematch"].iloc[0] == 1.0


@pytest.mark.parametrize("name,expected", [
    ("David Pautsch", 1.0), ("PAUTSCH, DAVID ALFRED", 1.0), ("Dave Pautsch", 1.0), ("david  pautsch jr.", 1.0),
    ("Dávid A. Pautsch", 1.0), ("Daniel Pautsch", 0.0), ("David Paulsen", 0.0), ("Pautsch", 0.0),
])
def test_names_as_the_data_holds_them(ia1, table, name, expected):
    assert _view(ia1, "2026-03-20", _doc(name=name), table)["rematch"].iloc[0] == expected


def test_nickname_and_full_name_on_the_real_sc2_row(table):
    rows = _row(table, "SC", 2)
    assert rows["prev_top_challenger"].iloc[0] == "Hamp Redmond" and rows["rematch"].iloc[0] == 1.0
    bare = _without_field(rows)
    doc = _doc("SC", 2, "R", "Joe Wilson", name="Hampton Redmond", date="2025-12-31")
    assert pd.isna(_view(bare, "2026-03-29", doc, table)["rematch"].iloc[0])    # SC deadline 2026-03-30
    assert _view(bare, "2026-03-31", doc, table)["rematch"].iloc[0] == 1.0
    assert _view(bare, "2026-03-31", doc, table)["rematch_name"].iloc[0] == "Hampton Redmond"
    other = _doc("SC", 2, "R", "Joe Wilson", name="Hampton Redmond III", date="2025-12-31")
    assert _view(bare, "2026-03-31", other, table)["rematch"].iloc[0] == 1.0    # one suffix: no conflict


def test_fec_ids_decide_when_both_sides_have_them(ia1, table):
    with_id = ia1.assign(prev_top_challenger_fec_id="H4IA01127")
    same = _view(with_id, "2026-03-20", _doc(name="Pautsch", fec_id="H4IA01127"), table)
    assert same["rematch"].iloc[0] == 1.0                    # the surname alone would not do
    assert _view(ia1, "2026-03-20", _doc(name="Pautsch", fec_id="H4IA01127"), table)["rematch"].iloc[0] == 0.0
    other = _view(with_id, "2026-03-20", _doc(fec_id="H6IA01999"), table)
    assert other["rematch"].iloc[0] == 0.0                   # same name, another candidate id
    named = _view(ia1, "2026-03-20", _doc(fec_id="H6IA01999"), table)   # one side has no id: names
    assert named["rematch"].iloc[0] == 1.0


def test_real_2026_watchlist_entry_is_no_rematch(table):
    rows = _row(table, "CA", 34)
    wl = load_watchlist(WATCHLIST_2026, table)
    view = apply_watchlist(as_of_view(rows, pd.Timestamp("2026-03-10")), wl)   # CA deadline 2026-03-06
    assert view["watchlist_challengers"].iloc[0] == "Angela Gonzales-Torres"
    assert view["rematch"].iloc[0] == 0.0
    # Gomez's 2024 runner-up is not in the curated 2024 file: no previous top challenger to match
    assert pd.isna(view["prev_top_challenger"].iloc[0])
    kim = _doc("CA", 34, "D", "Jimmy Gomez", name="David Kim")
    assert _view(rows, "2026-03-10", kim, table)["rematch"].iloc[0] == 0.0


def test_no_previous_primary_keeps_the_rematch_missing(table):
    rows = _row(table, "AL", 2)                                # Figures, elected 2024
    assert pd.isna(rows["prev_primary_date"].iloc[0]) and pd.isna(rows["rematch"].iloc[0])
    doc = _doc("AL", 2, "D", "Shomari Figures", name="Anthony Daniels")
    assert pd.isna(_view(rows, "2026-03-20", doc, table)["rematch"].iloc[0])


@pytest.mark.parametrize("value", ["H4IA0112", "C00123456", "S4IA01127", 4101127, "H4IA01127X"])
def test_a_bad_fec_id_is_one_error_naming_file_row_field(value):
    with pytest.raises(InputError, match="not a House FEC candidate id") as err:
        parse_watchlist(_doc(fec_id=value), "watch.yaml")
    assert err.value.field == "challengers[0].fec_id"
    assert err.value.row.startswith("races[0] (IA-1 R)")
    assert "watch.yaml" in str(err.value)


def test_a_lower_case_fec_id_is_read_upper_case():
    wl = parse_watchlist(_doc(fec_id=" h4ia01127 "), "watch.yaml")
    assert wl.races[0].events[0].fec_id == "H4IA01127"


class RematchToy(ToyModel):
    """The toy of the live tests, plus a rematch raising P(loss | contested) as a real model's would."""

    def _predict_parts(self, table):
        parts = super()._predict_parts(table)
        r = pd.to_numeric(table.get("rematch", pd.Series(0.0, index=table.index)), errors="coerce")
        known = table["field_known"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        bump = np.where(known, r.fillna(0.0).to_numpy(dtype=float), 0.0)
        z = np.log(parts["p_loss_if_contested"] / (1 - parts["p_loss_if_contested"])) + 2.0 * bump
        parts["p_loss_if_contested"] = 1 / (1 + np.exp(-z))
        return parts


@pytest.fixture(scope="module")
def toy(table):
    return RematchToy().fit(table[table["cycle"] < 2026])


def test_the_rematch_is_a_driver(ia1, table, toy):
    wl = parse_watchlist(_doc(), "test-watchlist.yaml", table)
    view = live_view(ia1, pd.Timestamp("2026-03-20"), wl)
    deltas = drv.driver_deltas(toy, view)
    assert deltas["rematch of the last primary"].iloc[0] > 0.01
    plain = live_view(ia1, pd.Timestamp("2026-03-20"), None)
    assert drv.driver_deltas(toy, plain)["rematch of the last primary"].iloc[0] == 0.0
    early = live_view(ia1, pd.Timestamp("2026-02-01"), wl)    # unknown stays unknown: no effect
    assert drv.driver_deltas(toy, early)["rematch of the last primary"].iloc[0] == 0.0


def test_every_previous_primary_default_column_has_a_driver():
    from features.view.matrix import DEFAULT_GROUPS, SOURCE_COLUMNS

    assert "rematch" in DEFAULT_GROUPS
    labelled = {c for cols in drv.DRIVERS.values() for c in cols}
    dates = {"chal_quality_date", "prev_primary_date", "field_known"}
    for group in ("rematch", "challenger_history", "district_switch"):
        assert set(SOURCE_COLUMNS[group]) - dates <= labelled, group


def test_the_race_page_explains_the_rematch(tmp_path, ia1, table, toy):
    tbl = pd.concat([table.drop(index=ia1.index), ia1])
    evil = "<script>David</script> Pautsch"                     # markup in a name that still matches
    wl = parse_watchlist(_doc(name=evil), "test-watchlist.yaml", tbl)
    snap = score_cycle(tbl, toy, 2026, "2026-03-20", watchlist=wl, now=NOW, states=["IA"])
    row = snap[snap["district"] == 1].iloc[0]
    effects = {d["driver"]: d["delta"] for d in json.loads(row["drivers"])}
    assert effects["rematch of the last primary"] > 0.01
    assert evil in row["challengers"]
    snapshots.append_snapshot(snap, tmp_path / "store")
    out = publish(tmp_path / "site", snapshots.read_history(tmp_path / "store"), backtest_dir=tmp_path)
    page = (out / "races" / "IA-01-R.html").read_text()
    assert "rematch of the last primary" in page
    assert "If the last primary&#39;s top challenger were not running again, the chance of losing" in page
    assert "<script>David" not in page and "&lt;script&gt;David&lt;/script&gt; Pautsch" in page
