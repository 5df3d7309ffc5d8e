"""A race's timeline never joins two models' numbers as one movement (CA-34: 1.4% -> 1.4% -> 0.6% was
a change from ensemble_bayes to the older ensemble, all rows named primary-forecast/1)."""
from __future__ import annotations

import pandas as pd

from forecasting.live import snapshots
from forecasting.publish.charts import p_loss_svg


def _history(rows) -> pd.DataFrame:
    recs = []
    for as_of, model_hash, p in rows:
        recs.append({"cycle": 2026, "as_of": pd.Timestamp(as_of), "state": "CA", "district": 34, "party": "D",
                     "incumbent": "Jimmy Gomez", "challengers": "Angela Gonzales-Torres", "p_loss": p,
                     "share_p10": 0.4, "share_p50": 0.6, "share_p90": 0.8, "model": "ensemble_bayes",
                     "model_version": "primary-forecast/1", "forecast_id": f"{model_hash}-{as_of}"})
    return snapshots.typed(snapshots.to_records(pd.DataFrame(recs)))


def test_change_compares_a_model_with_itself():
    a, b = "a" * 16, "b" * 16
    hist = _history([("2025-12-31", a, 0.014), ("2026-01-15", a, 0.014), ("2026-02-01", b, 0.006)])
    row = snapshots.latest_snapshot(hist).iloc[0]
    assert pd.isna(row["p_loss_prev"]) and bool(row["model_changed"])          # not "-0.8 pts"
    hist = _history([("2025-12-31", a, 0.014), ("2026-01-15", a, 0.014), ("2026-02-01", b, 0.006),
                     ("2026-02-15", b, 0.007)])
    row = snapshots.latest_snapshot(hist).iloc[0]
    assert row["p_loss_change"] == 0.007 - 0.006 and not bool(row["model_changed"])
    assert row["as_of_prev"] == pd.Timestamp("2026-02-01")


def test_labels_name_the_model_by_its_content():
    hist = _history([("2025-12-31", "3f9c1a2b" + "0" * 8, 0.014)])
    assert snapshots.model_label(hist).iloc[0] == "ensemble_bayes #3f9c1a2b"
    legacy = hist.assign(forecast_id="")
    assert snapshots.model_label(legacy).iloc[0] == "ensemble_bayes (primary-forecast/1)"


def test_the_chart_draws_one_line_per_model_and_marks_the_change():
    pts = [(pd.Timestamp("2025-12-31"), 0.014, False, "a"), (pd.Timestamp("2026-01-15"), 0.014, False, "a"),
           (pd.Timestamp("2026-02-01"), 0.006, False, "b"), (pd.Timestamp("2026-02-15"), 0.007, False, "b")]
    svg = p_loss_svg(pts)
    assert svg.count("<polyline") == 2 and svg.count('class="model-change"') == 1
    assert "new model from 2026-02-01" in svg
    one = p_loss_svg([(p[0], p[1], p[2], "a") for p in pts])
    assert one.count("<polyline") == 1 and "model-change" not in one
