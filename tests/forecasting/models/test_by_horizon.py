"""One fitted model per horizon: each row goes to the model of its horizon."""
from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models.base import PrimaryModel
from forecasting.models.by_horizon import HorizonModel, row_horizons
from forecasting.models.identity import model_content_hash


class Constant(PrimaryModel):
    """A fitted stand-in: P(loss) = ``p`` everywhere."""

    def __init__(self, p: float = 0.1):
        self.p = p

    def predict(self, table):
        return pd.DataFrame({"p_loss": np.full(len(table), self.p)}, index=table.index)


def frame():
    return pd.DataFrame({
        "field_known": [False, True, True, False],
        "as_of": pd.to_datetime(["2025-12-31", "2026-03-10", "2026-06-01", "2026-03-10"]),
        "primary_date": pd.to_datetime(["2026-06-02"] * 4)}, index=[10, 11, 12, 13])


def test_rows_route_by_field_and_date():
    assert row_horizons(frame()).tolist() == ["year_end", "filing_deadline", "day_before", "year_end"]
    model = HorizonModel({"year_end": Constant(0.3), "filing_deadline": Constant(0.2),
                          "day_before": Constant(0.1)}, name="ensemble_bayes")
    out = model.predict(frame())
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out["p_loss"].tolist() == [0.3, 0.2, 0.1, 0.3]
    assert model.name == "ensemble_bayes"


def test_a_missing_horizon_falls_back_to_the_same_field_knowledge():
    model = HorizonModel({"year_end": Constant(0.3), "day_before": Constant(0.1)})
    assert model.predict(frame())["p_loss"].tolist() == [0.3, 0.1, 0.1, 0.3]


def test_identity_is_the_members():
    a = HorizonModel({"year_end": Constant(0.3), "day_before": Constant(0.1)})
    b = HorizonModel({"year_end": Constant(0.3), "day_before": Constant(0.1)})
    c = HorizonModel({"year_end": Constant(0.4), "day_before": Constant(0.1)})
    assert model_content_hash(a) == model_content_hash(b) != model_content_hash(c)


def test_a_funded_challenger_moves_the_year_end_hurdle_ky4():
    """KY-4 as of 2025-12-31: Ed Gallrein had raised $1.2M with Trump's endorsement. The year-end fit
    (trained on what the FEC and the endorsers showed at the end of earlier odd years) is near certain
    that a challenger will be on the ballot, and well below that for the same row with neither."""
    from features.view.asof import live_view
    from forecasting.models.training import train_model
    from tests.forecasting.model_fixtures import real_table

    table = real_table()
    spec = {"name": "logit", "model": "logit", "kwargs": {}, "sample_kwargs": {}, "random_seed": None}
    model, view, _ = train_model(table, spec, horizons=["year_end"])
    assert not view["field_known"].astype(bool).all()          # trained with the ballot mostly hidden
    live = live_view(table[table["cycle"] == 2026], pd.Timestamp("2025-12-31"))
    ky4 = live[(live["state"] == "KY") & (live["district"] == 4)]
    assert ky4["chal_receipts"].iloc[0] > 1_000_000 and not bool(ky4["field_known"].iloc[0])
    funded = model.predict(ky4)["p_contested"].iloc[0]
    unknown = ky4.assign(chal_receipts=np.nan, money_ratio=np.nan, end_trump_against_inc=False)
    unfunded = model.predict(unknown)["p_contested"].iloc[0]
    assert funded > 0.95 and funded > unfunded + 0.2


def test_identity_does_not_depend_on_where_the_class_lives():
    """Moving a model class to another module of the package keeps its forecasts' identity; its state
    still counts."""
    here = type("Constant", (Constant,), {"__module__": "forecasting.models.a"})
    there = type("Constant", (Constant,), {"__module__": "forecasting.evaluation.b"})
    assert model_content_hash(HorizonModel({"year_end": here(0.3)})) \
        == model_content_hash(HorizonModel({"year_end": there(0.3)})) \
        != model_content_hash(HorizonModel({"year_end": there(0.4)}))
