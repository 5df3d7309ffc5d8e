"""Publishing: escaped names, the atomic swap, feeds with the contract columns, history never lost."""
from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from forecasting.cli import main as cli_main
from forecasting.evaluation.scoreboard import write_predictions
from forecasting.live import snapshots
from forecasting.live.scoring import score_cycle
from forecasting.publish import publish, site
from tests.forecasting.live_fixtures import table, toy_model, watchlist  # noqa: F401  (fixtures)

NOW = pd.Timestamp("2026-11-26")
EVIL = "<script>alert('x')</script> O'Brien & \"Co\""


@pytest.fixture(scope="module")
def store(tmp_path_factory, table, toy_model, watchlist):
    root = tmp_path_factory.mktemp("store")
    for d in ("2025-12-31", "2026-03-10"):
        snap = score_cycle(table, toy_model, 2026, d, watchlist=watchlist, now=NOW, states=["CA", "NY", "KY"])
        snapshots.append_snapshot(snap, root)
    return root


@pytest.fixture(scope="module")
def published(tmp_path_factory, store):
    out = tmp_path_factory.mktemp("pub") / "site"
    # the 2026-03-10 snapshot is a replay (recorded later, inputs to 2025-12-31): shown only when asked
    return publish(out, snapshots.read_history(store), backtest_dir=store / "no-backtest", as_of="2026-03-10")


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_site_layout(published, store):
    latest = snapshots.latest_snapshot(snapshots.read_history(store))
    names = _files(published)
    for f in ("index.html", "checking-our-work.html", "forecast.csv", "forecast.json", "history.csv"):
        assert f in names
    pages = {n for n in names if n.startswith("races/")}
    assert pages == {f"races/{s}-{d:02d}-{p}.html" for s, d, p in
                     latest[["state", "district", "party"]].drop_duplicates().itertuples(index=False)}
    index = (published / "index.html").read_text()
    assert index.count('<tr data-state=') == len(latest)   # one row per incumbent
    assert "Jimmy Gomez" in index and 'href="races/CA-34-D.html"' in index
    page = (published / "races" / "CA-34-D.html").read_text()
    assert "<svg" in page and "What drives this forecast" in page and "What if:" in page
    assert "insurgent endorsements of the challenger" in page
    assert "No backtest scoreboard yet" in (published / "checking-our-work.html").read_text()


def test_feeds_have_the_contract_columns(published, store):
    with open(published / "forecast.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0].keys())
    assert header[:len(snapshots.FEED_COLUMNS)] == snapshots.FEED_COLUMNS
    doc = json.loads((published / "forecast.json").read_text())
    assert doc["cycle"] == 2026 and doc["as_of"] == "2026-03-10"
    assert len(doc["records"]) == len(rows)
    for rec, row in zip(doc["records"], rows):
        assert rec["state"] == row["state"] and rec["incumbent"] == row["incumbent"]
        assert rec["p_loss"] == pytest.approx(float(row["p_loss"]), abs=1e-6)
        assert rec["as_of"] == row["as_of"] == "2026-03-10"
        assert isinstance(rec["drivers"], list)
    hist = pd.read_csv(published / "history.csv", dtype=str)
    assert list(hist.columns[:len(snapshots.FEED_COLUMNS)]) == snapshots.FEED_COLUMNS
    assert sorted(hist["as_of"].unique()) == ["2025-12-31", "2026-03-10"]
    assert (published / "history.csv").read_bytes() == snapshots.history_path(store).read_bytes()


def test_names_from_data_are_escaped(tmp_path, store):
    hist = snapshots.read_history(store)
    hist.loc[hist["state"] == "NY", "incumbent"] = EVIL
    hist.loc[hist["state"] == "NY", "challengers"] = "<img src=x onerror=alert(1)>"
    out = publish(tmp_path / "site", hist, backtest_dir=tmp_path)
    for page in [out / "index.html"] + sorted((out / "races").glob("NY-*.html")):
        text = page.read_text()
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; O&#39;Brien &amp; &#34;Co&#34;" in text
    assert EVIL in (out / "forecast.csv").read_text() or EVIL.replace('"', '""') in (out / "forecast.csv").read_text()


def test_a_failed_publish_leaves_the_old_site_intact(tmp_path, store, monkeypatch):
    out = publish(tmp_path / "site", store, backtest_dir=tmp_path)
    before = _files(out)

    def boom(*a, **k):
        raise RuntimeError("disk full while rendering")

    monkeypatch.setattr(site, "_render_checking", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        publish(out, store, backtest_dir=tmp_path)
    assert _files(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.tmp")] == []


def test_the_swap_replaces_the_whole_folder(tmp_path, store):
    out = publish(tmp_path / "site", store, backtest_dir=tmp_path)
    (out / "stale.html").write_text("old")
    (tmp_path / ".site.tmp-killed").mkdir()                         # a publish killed half-way
    publish(out, store, backtest_dir=tmp_path)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    assert oct(out.stat().st_mode & 0o777) == "0o755"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == [".site.publish.lock"]


def test_the_published_history_is_the_stores(tmp_path, store):
    """The site's history.csv is the store's, never merged with the site's own earlier copy: what is
    published can always be traced to the store."""
    out = publish(tmp_path / "site", store, backtest_dir=tmp_path)
    hist = snapshots.read_history(store)
    assert len(pd.read_csv(out / "history.csv", dtype=str)) == len(hist)
    only_latest = hist[hist["as_of"] == "2026-03-10"]
    publish(out, only_latest, backtest_dir=tmp_path)
    site_hist = pd.read_csv(out / "history.csv", dtype=str)
    assert sorted(site_hist["as_of"].unique()) == ["2026-03-10"] and len(site_hist) == len(only_latest)


def test_checking_our_work_reads_the_backtest(tmp_path, store):
    bt = tmp_path / "backtest"
    bt.mkdir()
    pd.DataFrame({"model": ["boosted", "boosted", "base_rate", "boosted"], "money_mode": ["preprimary"] * 3 + ["yearend"],
                  "cycle": ["2022", "pooled", "pooled", "pooled"],
                  "n": [400, 3600, 3600, 3600], "n_lost": [16, 80, 80, 80], "brier": [0.03, 0.02, 0.022, 0.01],
                  "log_loss": [0.1, 0.09, 0.1, 0.05], "brier_skill": [0.1, 0.08, 0.0, 0.4], "auc": [0.8, 0.78, 0.5, 0.9],
                  "recall_top10": [0.2, 0.1, 0.0, 0.5], "recall_top25": [0.3, 0.2, 0.1, 0.6],
                  "share_mae": [0.08, 0.09, 0.1, 0.07], "share_cov80": [0.79, 0.8, 0.7, 0.8],
                  "skill_vs_pairing": [0.05, 0.04, 0.0, 0.3],
                  "brier_skill_ci_low": [0.01, 0.021, -0.01, 0.3], "brier_skill_ci_high": [0.2, 0.139, 0.01, 0.5],
                  "brier_skill_pair": [0.04, 0.031, -0.02, 0.35], "brier_skill_pair_ci_low": [0.0, -0.012, -0.05, 0.2],
                  "brier_skill_pair_ci_high": [0.1, 0.077, 0.0, 0.4]}).to_csv(bt / "scoreboard.csv", index=False)
    pd.DataFrame({"model": ["boosted"] * 4, "money_mode": ["preprimary"] * 4, "p_loss": [0.01, 0.02, 0.3, 0.5],
                  "y": [0, 0, 1, 0]}).pipe(write_predictions, bt / "predictions.csv.gz")
    out = publish(tmp_path / "site", store, backtest_dir=bt)
    page = (out / "checking-our-work.html").read_text()
    assert 'src="calibration.png"' in page and "Brier skill" in page
    # a scoreboard without horizons is the day before the primary
    assert page.index('id="pooled-day_before"') < page.index('id="cycles-day_before"')   # pooled rows first
    assert page.index("0.400") > page.index('id="pooled-leaky"')          # the leak sits apart
    assert "skill_vs_pairing" in page                                      # a new scoreboard column is shown
    pooled = page[page.index('id="pooled-day_before"'):page.index('id="pooled-leaky"')]
    assert "0.021 to 0.139" in pooled and "0.031 (-0.012 to 0.077)" in pooled   # honest-eval's intervals
    assert "brier_skill_ci_low" not in page
    assert "4 of 4 non-empty bins" in page             # bins 1-2%, 2-5%, 20-35%, 50-75% (the low end spread)
    assert (out / "calibration.png").read_bytes()[:4] == b"\x89PNG"


def test_publish_command(tmp_path, store, capsys):
    assert cli_main(["publish", "--out", str(tmp_path / "site"), "--store", str(store)]) == 0
    assert (tmp_path / "site" / "index.html").is_file()
    assert "published" in capsys.readouterr().out
    assert cli_main(["publish", "--out", str(tmp_path / "site2"), "--store", str(tmp_path / "empty")]) == 2
    assert "no snapshots to publish" in capsys.readouterr().err


def test_field_status_distinguishes_open_filing_from_an_unconfirmed_ballot():
    from forecasting.publish.site import field_status

    # NC-13 2026: filing closed 2025-12-19; re-scored 2026-05-04 with no ballot list in the data.
    base = {"filing_deadline": "2025-12-19", "field_known": False}
    assert field_status({**base, "as_of": "2025-12-01"}) == "filing open until 2025-12-19"
    assert field_status({**base, "as_of": "2026-05-04"}) == "deadline 2025-12-19 passed; ballot unconfirmed"
    assert field_status({**base, "as_of": "2026-05-04", "field_known": True}) == "known"


def test_vote_share_is_given_a_contest_with_the_chance_of_no_opponent_apart(published, store):
    latest = snapshots.typed(snapshots.latest_snapshot(snapshots.read_history(store), as_of="2026-03-10"))
    assert latest["share_if_contested_p90"].notna().any()
    index = (published / "index.html").read_text()
    assert "Vote share if challenged" in index
    cells = index.split('class="num share"')[1:]
    assert len(cells) == len(latest)
    # the mixed range ends at 100% wherever a race may go unopposed; the conditional one does not
    ending_100 = sum("&ndash;100%" in c.split("</td>")[0] for c in cells)
    assert ending_100 < 0.1 * len(cells) < (latest["share_p90"] >= 0.995).sum()
    open_field = latest[~latest["field_known"].fillna(False).astype(bool) & (latest["p_contested"] < 0.995)]
    assert len(open_field) and index.count("no opponent</span>") == len(open_field)
    gomez = latest[latest["incumbent"] == "Jimmy Gomez"].iloc[0]
    page = (published / "races" / "CA-34-D.html").read_text()
    assert f"{100 * gomez['share_if_contested_p10']:.0f}%-{100 * gomez['share_if_contested_p90']:.0f}% if challenged" in page
