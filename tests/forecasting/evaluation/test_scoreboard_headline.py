"""The README's headline table is the one the backtest generated (reports/backtest/headline.md), and
it is regenerated from the committed scoreboard."""
from __future__ import annotations

import pandas as pd
import pytest

from features.kernel.paths import PROJECT_ROOT, REPORTS_DIR
from forecasting.evaluation.scoreboard import headline_table

ROOT = PROJECT_ROOT
BACKTEST = REPORTS_DIR / "backtest"


def test_readme_carries_the_generated_headline():
    if not (BACKTEST / "headline.md").is_file():
        pytest.skip("no committed backtest headline")
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- headline:start -->\n", 1)[1].split("<!-- headline:end -->", 1)[0]
    assert block.strip() == (BACKTEST / "headline.md").read_text().strip()
    board = pd.read_csv(BACKTEST / "scoreboard.csv", dtype={"cycle": str})
    assert headline_table(board).strip() == block.strip()
    # the first row is the published forecast's horizon
    rows = [line for line in block.splitlines() if line.startswith("| December 31")]
    assert rows and block.index(rows[0]) < block.index("| the day before the primary")


def test_readme_is_for_users():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    assert readme.splitlines()[3].startswith("make run") and readme.splitlines()[4].startswith("make test")
    for doc in ("docs/methodology.md", "docs/data.md", "docs/guarantees.md", "docs/feeds.md", "CHANGELOG.md"):
        assert doc in readme and (ROOT / doc).is_file()
