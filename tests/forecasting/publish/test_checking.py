"""'Checking our work' on the real backtest reports (``reports/backtest``, as `backtest` writes them).

Before: every model appeared three times with no money mode (the leaky year-end rows, Brier skill
0.41, looked like the best skill on the page), and the calibration code read ``lost`` from the
predictions, a column the backtest never writes (it writes ``y``), so the page fell back to copying
a 3-panel PNG shrunk to 550 px.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from features.kernel.paths import REPORTS_DIR
from forecasting.evaluation.scoreboard import best_model, write_predictions
from forecasting.live import snapshots
from forecasting.publish import checking, publish

BACKTEST = REPORTS_DIR / "backtest"


@pytest.fixture(scope="module")
def board():
    if not (BACKTEST / "scoreboard.csv").is_file() or not (BACKTEST / "reliability.csv").is_file():
        pytest.skip("no committed backtest reports")
    return pd.read_csv(BACKTEST / "scoreboard.csv", dtype={"cycle": str})


@pytest.fixture(scope="module")
def page(tmp_path_factory, board):
    hist = snapshots.read_history()
    if hist.empty:
        pytest.skip("no committed snapshot history")
    out = publish(tmp_path_factory.mktemp("chk") / "site", hist, backtest_dir=BACKTEST)
    return out, (out / "checking-our-work.html").read_text()


def _table(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_every_horizon_has_its_table_and_the_published_one_leads(page, board):
    """One section per horizon, the published forecast's (year_end: the site's forecast is dated
    2025-12-31) first; every row says its money mode and the year-end leak sits apart."""
    _, html = page
    pooled = board[board["cycle"] == "pooled"]
    assert html.index('id="horizon-year_end"') < html.index('id="horizon-filing_deadline"') \
        < html.index('id="horizon-day_before"')
    assert "the horizon of the forecast on this site" in html[html.index('id="horizon-year_end"'):][:400]
    for horizon in ("year_end", "filing_deadline", "day_before"):
        at = pooled[pooled["horizon"] == horizon]
        clean = _table(html, f"pooled-{horizon}")
        assert len(clean) == int((at["money_mode"] != "yearend").sum())
        best = best_model(board, horizon=horizon)
        assert clean[0][0] == best and clean[0][1] == "pre-primary FEC money"
        row = at[(at["model"] == best) & (at["money_mode"] == "preprimary")].iloc[0]
        assert clean[0][5] == f"{row['brier_skill']:.3f}"
        pairs = [(r[0], r[1]) for r in clean]
        assert len(pairs) == len(set(pairs))
    leaky = _table(html, "pooled-leaky")
    assert len(leaky) == int((pooled["money_mode"] == "yearend").sum()) > 0
    assert {r[1] for r in leaky} == {"year-end FEC totals (leak)"}
    assert html.index('id="pooled-day_before"') < html.index('id="pooled-leaky"')


def test_the_published_horizon_shows_its_defeat_counts(page, board):
    _, html = page
    best = best_model(board, horizon="year_end")
    per = board[(board["horizon"] == "year_end") & (board["model"] == best) & (board["money_mode"] == "preprimary")
                & (board["cycle"] != "pooled")]
    section = html[html.index('id="horizon-year_end"'):html.index('id="horizon-filing_deadline"')]
    covered = int(per["lost_covered80"].sum())
    assert f"held the actual count in {covered} of {len(per)} cycles" in section
    assert "<td>2022</td><td class=\"num\">15</td>" in section


def test_calibration_comes_from_the_real_reliability_table(page):
    out, html = page
    rel = pd.read_csv(BACKTEST / "reliability.csv")
    ens = rel[(rel["model"] == "ensemble") & (rel["money_mode"] == "preprimary") & (rel["n"] > 0)
              & (rel["horizon"] == "year_end")]
    rows = re.search(r'<table class="calibration" data-model="ensemble" data-mode="preprimary">.*?<tbody>(.*?)'
                     r"</tbody>", html, re.S).group(1)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", rows)]
    assert [int(c[1]) for c in cells] == ens["n"].astype(int).tolist()
    assert [int(c[4]) for c in cells] == ens["events"].astype(int).tolist()
    assert [c[6] for c in cells] == ["yes" if v else "no" for v in ens["in_band"]]
    inside = int(ens["in_band"].sum())
    assert f"{inside} of {len(ens)} non-empty bins inside" in html
    pooled = _table(html, "pooled-year_end")
    assert f"{inside} of {len(ens)}" in next(r for r in pooled if r[0] == "ensemble" and r[1].startswith("pre"))
    # the bins spread the low end, where nearly every forecast lies
    assert (rel["upper"] <= 0.0051).any() and len(set(rel["bin"])) == 10
    # the leaky mode has no calibration table of its own
    assert re.findall(r'<table class="calibration" data-model="[^"]+" data-mode="yearend"', html) == []
    png = out / "calibration.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    from PIL import Image
    with Image.open(png) as im:
        assert im.width >= 900 and im.height >= 700
    assert '<img class="chart" src="calibration.png"' in html and 'width="550"' not in html


def test_reliability_falls_back_to_the_predictions_the_backtest_writes(tmp_path):
    if not (BACKTEST / "predictions.csv.gz").is_file():
        pytest.skip("no committed backtest predictions")
    preds = pd.read_csv(BACKTEST / "predictions.csv.gz")
    assert "y" in preds.columns and "lost" not in preds.columns       # what the old code looked for
    write_predictions(preds[preds["model"] == "ensemble"], tmp_path / "predictions.csv.gz")
    rel = checking.read_reliability(tmp_path)
    real = pd.read_csv(BACKTEST / "reliability.csv")
    real = real[real["model"] == "ensemble"].reset_index(drop=True)
    # the file keeps 5 significant digits: a forecast within rounding of a bin edge may change bins
    assert sum(rel["n"]) == sum(real["n"]) and sum(rel["events"].fillna(0)) == sum(real["events"].fillna(0))
    assert (rel["n"] - real["n"]).abs().max() <= 2
    assert (rel["events"].fillna(0) - real["events"].fillna(0)).abs().max() <= 1


def test_the_committed_predictions_are_compressed_and_give_the_committed_scoreboard(board):
    """reports/backtest/predictions.csv.gz (was a 7 MB plain CSV): small, and the pre-primary scores
    recomputed from it are those of scoreboard.csv."""
    from forecasting.evaluation.scoreboard import read_predictions, scoreboard

    path = BACKTEST / "predictions.csv.gz"
    if not path.is_file():
        pytest.skip("no committed backtest predictions")
    assert not (BACKTEST / "predictions.csv").exists()
    assert path.stat().st_size < 5_000_000
    preds = read_predictions(BACKTEST)
    pre = preds[preds["money_mode"] == "preprimary"]
    again = scoreboard(pre).merge(board, on=["horizon", "model", "money_mode", "cycle"], suffixes=("", "_committed"))
    assert len(again) == (board["money_mode"] == "preprimary").sum() > 0
    for col in ("n", "n_lost", "brier_skill", "auc", "recall_top25"):
        assert (again[col] - again[col + "_committed"]).abs().max() < 1e-4, col
    # a sum of up to 3,508 probabilities each kept to 5 significant digits (relative error <= 5e-5 each)
    rel = (again["expected_lost"] - again["expected_lost_committed"]).abs() / again["expected_lost_committed"]
    assert rel.max() < 1e-4


def test_a_malformed_reliability_table_names_the_file_and_field(tmp_path):
    from features.kernel.errors import InputError

    pd.DataFrame({"model": ["x"], "money_mode": ["preprimary"], "n": [3]}).to_csv(tmp_path / "reliability.csv",
                                                                                  index=False)
    with pytest.raises(InputError, match="reliability table lacks a column") as err:
        checking.read_reliability(tmp_path)
    assert err.value.field == "bin" and "reliability.csv" in str(err.value)
