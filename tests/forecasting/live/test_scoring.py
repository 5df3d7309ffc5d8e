"""Scoring a cycle as of a date: the as-of rule, the filing-deadline hurdle, drivers, bad dates."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from features.kernel.errors import InputError
from features.kernel.dates import parse_as_of
from forecasting.live.scoring import known_challengers, score_cycle
from forecasting.live.snapshots import FEED_COLUMNS, HISTORY_COLUMNS
from tests.forecasting.live_fixtures import table, toy_model, watchlist  # noqa: F401  (fixtures)

NOW = pd.Timestamp("2026-11-26 12:00")


@pytest.fixture(scope="module")
def snap(table, toy_model, watchlist):
    return score_cycle(table, toy_model, 2026, "2025-12-31", watchlist=watchlist, now=NOW)


def _race(df, state, district, party="D"):
    out = df[(df["state"] == state) & (df["district"] == district) & (df["party"] == party)]
    assert len(out) == 1, f"{state}-{district} {party}"
    return out.iloc[0]


def test_one_row_per_2026_incumbent_with_the_feed_columns(snap, table):
    live = table[table["cycle"] == 2026]
    live = live[~(live["roster_end"] <= pd.Timestamp("2025-12-31"))]     # sitting on the as-of date
    assert len(snap) == len(live)
    assert list(snap.columns[:len(FEED_COLUMNS)]) == FEED_COLUMNS
    assert set(HISTORY_COLUMNS) <= set(snap.columns)
    assert not snap.duplicated(["state", "district", "party", "incumbent"]).any()
    assert snap["p_loss"].between(0, 1).all()
    assert (snap["share_p10"] <= snap["share_p50"]).all() and (snap["share_p50"] <= snap["share_p90"]).all()
    assert (snap["as_of"] == pd.Timestamp("2025-12-31")).all()
    assert (snap["model"] == "toy").all() and (snap["model_version"] == "toy-unregistered").all()
    assert snap["p_loss"].is_monotonic_decreasing


def test_ca34_gomez(snap):
    row = _race(snap, "CA", 34)
    assert row["incumbent"] == "Jimmy Gomez"
    assert "Angela Gonzales-Torres" in row["challengers"]
    # CA's filing deadline (2026-03-06) had not passed: the hurdle includes P(a challenger files)
    assert not row["field_known"]
    assert row["filing_deadline"] == pd.Timestamp("2026-03-06")
    assert row["p_loss"] == pytest.approx(row["p_contested"] * row["p_loss_if_contested"])
    drivers = {d["driver"]: d["delta"] for d in json.loads(row["drivers"])}
    assert drivers["insurgent endorsements of the challenger"] > 0.005
    assert "insurgent endorsements of the challenger +" in row["drivers_text"]


def test_after_the_filing_deadline_the_known_field_decides(snap, table):
    # Texas filing closed 2025-12-08: as of 2025-12-31 a member with a registered challenger is contested
    tx = snap[snap["state"] == "TX"].merge(table[table["cycle"] == 2026][["state", "district", "party",
                                                                          "incumbent", "contested"]])
    known = tx[tx["contested"].fillna(False).astype(bool)]
    assert len(known) and known["field_known"].all() and (known["p_contested"] == 1).all()
    # no registered challenger is not proof of none: those rows keep the hurdle
    unknown = tx[tx["contested"].isna()]
    assert not unknown["field_known"].any()
    assert ((unknown["p_contested"] > 0) & (unknown["p_contested"] < 1)).all()
    ca = snap[snap["state"] == "CA"]
    assert not ca["field_known"].any()
    assert ((ca["p_contested"] > 0) & (ca["p_contested"] < 1)).all()


def test_an_uncontested_member_past_the_deadline_cannot_lose(table, toy_model):
    # 2024 scored as of 2024-03-01: Texas filing had closed (2023-12-11), primary on 2024-03-05
    past = score_cycle(table, toy_model, 2024, "2024-03-01", now=NOW, states=["TX"])
    rows = past.merge(table[table["cycle"] == 2024][["state", "district", "party", "incumbent", "contested"]])
    unc = rows[rows["contested"].eq(False).fillna(False).astype(bool)]
    assert len(unc) > 5
    assert unc["field_known"].all() and (unc["p_loss"] == 0).all() and (unc["share_p50"] == 1).all()


def test_the_watchlist_is_not_double_counted(table, toy_model, watchlist):
    # the curated data already hold the CA-34 Justice Democrats endorsement (dated 2025 -> 2025-12-31)
    kw = dict(now=NOW, states=["CA"])
    on = score_cycle(table, toy_model, 2026, "2025-12-31", watchlist=watchlist, **kw)
    off = score_cycle(table, toy_model, 2026, "2025-12-31", watchlist=None, **kw)
    assert _race(on, "CA", 34)["p_loss"] == pytest.approx(_race(off, "CA", 34)["p_loss"])
    assert "Angela Gonzales-Torres" in _race(off, "CA", 34)["challengers"]


def test_a_watchlist_event_counts_only_from_its_date(table, toy_model):
    from features.evidence.watchlist import parse_watchlist

    # a hypothetical entry (not a fact): an insurgent endorsement in NY-10 dated 2026-02-01
    doc = {"cycle": 2026, "races": [{"state": "NY", "district": 10, "party": "D", "endorsements": [
        {"endorser": "Justice Democrats", "class": "justice-democrats", "side": "challenger",
         "date": "2026-02-01", "source": "https://example.org/hypothetical"}]}]}
    wl = parse_watchlist(doc, "test-watchlist", table)
    kw = dict(now=NOW, states=["NY"])
    before = score_cycle(table, toy_model, 2026, "2026-01-31", watchlist=wl, **kw)
    plain = score_cycle(table, toy_model, 2026, "2026-01-31", watchlist=None, **kw)
    after = score_cycle(table, toy_model, 2026, "2026-02-01", watchlist=wl, **kw)
    plain_after = score_cycle(table, toy_model, 2026, "2026-02-01", watchlist=None, **kw)
    assert _race(before, "NY", 10)["p_loss"] == pytest.approx(_race(plain, "NY", 10)["p_loss"])
    assert _race(after, "NY", 10)["p_loss"] > _race(plain_after, "NY", 10)["p_loss"] + 0.01
    other = after[after["district"] != 10].set_index("district")["p_loss"]
    assert other.equals(plain_after[plain_after["district"] != 10].set_index("district")["p_loss"])


def test_money_is_not_used_before_it_is_known(table, toy_model):
    early = score_cycle(table, toy_model, 2026, "2025-06-30", now=NOW, states=["CA"])
    row = _race(early, "CA", 34)
    assert "Rob Lucero" not in row["challengers"]      # FEC field known from 2025-12-31 only
    assert "challenger's money" not in row["drivers_text"]


@pytest.mark.parametrize("as_of,message", [
    ("2026-11-27", "in the future"),
    ("2024-12-31", "before the 2026 cycle's data start 2025-01-01"),
    ("31/12/2025", "not a date"),
    ("someday", "not a date"),
])
def test_bad_as_of_dates(table, toy_model, as_of, message):
    with pytest.raises(InputError, match=message) as err:
        score_cycle(table, toy_model, 2026, as_of, now=NOW)
    assert err.value.field == "as_of"


def test_as_of_today_is_allowed():
    assert parse_as_of("2026-11-26", 2026, now=NOW) == pd.Timestamp("2026-11-26")


def test_unknown_cycle_and_wrong_watchlist(table, toy_model, watchlist):
    with pytest.raises(InputError, match="no rows for cycle 2028"):
        score_cycle(table, toy_model, 2028, "2027-06-01", now=pd.Timestamp("2028-01-01"))
    with pytest.raises(InputError, match="watchlist is for cycle 2026"):
        score_cycle(table, toy_model, 2024, "2024-01-31", watchlist=watchlist, now=NOW)


def test_drivers_are_model_agnostic(table, toy_model):
    """Any PrimaryModel works: a model ignoring every feature has no drivers at all."""
    class Flat(type(toy_model)):
        name = "flat"

        def _predict_parts(self, t):
            parts = super()._predict_parts(t)
            parts["p_loss_if_contested"] = np.full(len(t), 0.1)
            parts["p_contested"] = np.full(len(t), 0.3)
            return parts

    flat = Flat().fit(table)
    out = score_cycle(table, flat, 2026, "2025-12-31", now=NOW, states=["CA", "NY"])
    assert (out["drivers"] == "[]").all()
    assert out.loc[~out["field_known"], "p_loss"].round(6).eq(0.03).all()


def test_known_challengers_dedupes_and_cleans_names():
    view = pd.DataFrame({"field_known": [True, False], "lost": [pd.NA, pd.NA],
                         "money_cvg_end": [pd.Timestamp("2025-12-31"), pd.NaT],
                         "challengers": ["Rob Lucero;Angela Gonzales-Torres", "Someone Registered"],
                         "top_challenger": ["Rob Lucero", None],
                         "chal_name_fec": ["LUCERO, ROB", "LANKFORD, JAMES PAUL MR."],
                         "watchlist_challengers": ["Angela Gonzales-Torres", "James Paul Lankford"]})
    assert known_challengers(view) == ["Rob Lucero; Angela Gonzales-Torres", "James Paul Lankford"]


def test_forecast_command(tmp_path, capsys):
    from forecasting.cli import main as cli_main
    from tests.forecasting.live_fixtures import TABLE_CSV

    args = ["forecast", "--cycle", "2026", "--as-of", "2025-12-31", "--model", "base_rate",
            "--table", str(TABLE_CSV), "--store", str(tmp_path), "--top", "5"]
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    assert "P(loss)" in out and "base_rate" in out and "new rows in" in out
    assert cli_main(args[:4] + ["2099-01-01"] + args[5:]) == 2
    assert "is in the future" in capsys.readouterr().err


def test_ca34_drivers_are_the_same_however_many_races_are_scored(table, toy_model, watchlist):
    """The site scores every race, a race notebook its state, a re-scoring the states near a deadline:
    CA-34's drivers are computed against the same national reference in all three."""
    when = "2025-12-31"
    full = score_cycle(table, toy_model, 2026, when, watchlist=watchlist, now=pd.Timestamp("2026-01-05"))
    notebook = score_cycle(table, toy_model, 2026, when, watchlist=watchlist, now=pd.Timestamp("2026-01-05"),
                           states=["CA"])
    rescore = score_cycle(table, toy_model, 2026, when, watchlist=watchlist, now=pd.Timestamp("2026-01-05"),
                          states=["CA", "KY", "NY"])

    def ca34(snap):
        return snap[(snap["state"] == "CA") & (snap["district"] == 34)]["drivers"].iloc[0]
    assert ca34(full) == ca34(notebook) == ca34(rescore)
    assert "money" in ca34(full)                                   # the toy model's money moves it
