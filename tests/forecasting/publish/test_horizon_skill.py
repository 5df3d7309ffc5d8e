"""The site says how good the forecast on the page is: the backtest skill of its own horizon, and how
many members will lose, on the committed history and backtest."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from features.kernel.paths import REPORTS_DIR
from forecasting.evaluation.scoreboard import best_model
from forecasting.live import snapshots
from forecasting.publish import horizon_skill, publish

BACKTEST = REPORTS_DIR / "backtest"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not (BACKTEST / "scoreboard.csv").is_file():
        pytest.skip("no committed backtest reports")
    hist = snapshots.read_history()
    if hist.empty:
        pytest.skip("no committed snapshot history")
    return publish(tmp_path_factory.mktemp("hz") / "site", hist, backtest_dir=BACKTEST), hist


def _text(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}">(.*?)</p>', html, re.S)
    assert m, element_id
    return re.sub(r"<[^>]+>", "", m.group(1))


def test_the_header_quotes_the_year_end_skill(site):
    out, _ = site
    board = pd.read_csv(BACKTEST / "scoreboard.csv", dtype={"cycle": str})
    for page in (out / "index.html", out / "races" / "CA-34-D.html", out / "checking-our-work.html"):
        text = _text(page.read_text(), "horizon-skill")
        assert "December 31 of the year before the election" in text
        assert "day before the primary" not in text
        model = re.search(r"election \(([a-z_]+)", text).group(1)
        row = board[(board["horizon"] == "year_end") & (board["model"] == model) & (board["cycle"] == "pooled")
                    & (board["money_mode"] == "preprimary")].iloc[0]
        assert f"Brier skill of {row['brier_skill']:.2f}" in text
        assert f"{row['brier_skill_ci_low']:.2f} to {row['brier_skill_ci_high']:.2f}" in text
        assert "public by January 31" in text


def test_the_index_shows_how_many_will_lose(site):
    out, hist = site
    text = _text((out / "index.html").read_text(), "defeat-count")
    m = re.search(r"expected ([0-9.]+); 80% interval (\d+) to (\d+)", text)
    expected, lo, hi = float(m.group(1)), int(m.group(2)), int(m.group(3))
    assert lo <= expected <= hi and hi > lo
    latest = snapshots.latest_snapshot(hist, 2026, as_of=snapshots.default_publish_as_of(hist, 2026))
    assert expected == pytest.approx(latest["p_loss"].sum(), abs=0.06)
    direct = horizon_skill.defeat_interval(latest, BACKTEST, str(latest["model"].iloc[0]), "year_end")
    assert (direct["lost_p10"], direct["lost_p90"]) == (lo, hi)


def test_the_published_horizon_is_the_year_end_one(site):
    _, hist = site
    latest = snapshots.latest_snapshot(hist, 2026, as_of=snapshots.default_publish_as_of(hist, 2026))
    assert horizon_skill.published_horizon(latest) == "year_end"
    board = pd.read_csv(BACKTEST / "scoreboard.csv", dtype={"cycle": str})
    assert best_model(board) == best_model(board, horizon="year_end")
