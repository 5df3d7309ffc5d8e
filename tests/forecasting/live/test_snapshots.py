"""The snapshot store: append-only, idempotent, safe under concurrent writers."""
from __future__ import annotations

import multiprocessing as mp

import pandas as pd
import pytest

from features.kernel.errors import InputError
from forecasting.live import snapshots
from forecasting.live.scoring import score_cycle
from tests.forecasting.live_fixtures import table, toy_model  # noqa: F401  (fixtures)

NOW = pd.Timestamp("2026-11-26")


@pytest.fixture(scope="module")
def snaps(table, toy_model):
    return {d: score_cycle(table, toy_model, 2026, d, now=NOW, states=["CA", "NY", "TX"], explain=False)
            for d in ("2025-12-31", "2026-03-10", "2026-06-01")}


def test_append_is_idempotent_and_never_rewrites(tmp_path, snaps):
    store = tmp_path / "snapshots"
    first = snaps["2025-12-31"]
    assert snapshots.append_snapshot(first, store) == len(first)
    path = snapshots.history_path(store)
    bytes1, mtime1 = path.read_bytes(), path.stat().st_mtime_ns
    assert snapshots.append_snapshot(first, store) == 0                  # same as-of, same model
    assert path.read_bytes() == bytes1 and path.stat().st_mtime_ns == mtime1
    assert snapshots.append_snapshot(snaps["2026-03-10"], store) == len(snaps["2026-03-10"])
    assert path.read_bytes().startswith(bytes1)                         # earlier rows untouched
    hist = snapshots.read_history(store)
    assert list(hist.columns) == snapshots.HISTORY_COLUMNS
    assert hist["as_of"].value_counts().to_dict() == {"2025-12-31": len(first),
                                                      "2026-03-10": len(snaps["2026-03-10"])}
    assert not hist.duplicated(snapshots.SNAPSHOT_KEY).any()
    # the same forecast under a new registry version is not new; a different model's forecast is
    assert snapshots.append_snapshot(first.assign(model_version="toy-v2"), store) == 0
    other = first.assign(model_version="toy-v2", forecast_id=first["forecast_id"] + "-other-model")
    assert snapshots.append_snapshot(other, store) == len(first)
    assert not list(store.glob(".history.csv.*.tmp"))


def test_partial_overlap_appends_only_the_new_rows(tmp_path, snaps):
    store = tmp_path / "s"
    snap = snaps["2025-12-31"]
    ca = snap[snap["state"] == "CA"]
    assert snapshots.append_snapshot(ca, store) == len(ca)
    assert snapshots.append_snapshot(snap, store) == len(snap) - len(ca)


def test_a_member_who_left_has_no_latest_row(tmp_path, snaps):
    """Doug LaMalfa (CA-1) died on 2026-01-06: scored as of 2025-12-31, not in the later CA snapshots,
    so the forecast as it stands on 2026-03-10 does not show his 2025-12-31 row."""
    ca1 = {d: list(s.loc[(s["state"] == "CA") & (s["district"] == 1), "incumbent"]) for d, s in snaps.items()}
    assert ca1 == {"2025-12-31": ["Doug LaMalfa"], "2026-03-10": [], "2026-06-01": []}
    store = tmp_path / "s"
    for snap in snaps.values():
        snapshots.append_snapshot(snap, store)
    hist = snapshots.read_history(store)
    assert "Doug LaMalfa" in set(snapshots.latest_snapshot(hist, as_of="2026-01-05")["incumbent"])
    assert "Doug LaMalfa" not in set(snapshots.latest_snapshot(hist, as_of="2026-03-10")["incumbent"])


def test_latest_snapshot_and_change(tmp_path, snaps):
    store = tmp_path / "s"
    for snap in snaps.values():
        snapshots.append_snapshot(snap, store)
    latest = snapshots.latest_snapshot(snapshots.read_history(store))
    assert len(latest) == len(snaps["2026-06-01"])
    assert (latest["as_of"] == pd.Timestamp("2026-06-01")).all()
    assert (latest["as_of_prev"] == pd.Timestamp("2026-03-10")).all()
    row = latest[(latest["state"] == "CA") & (latest["district"] == 34)].iloc[0]
    prev = snaps["2026-03-10"]
    prev_p = prev[(prev["state"] == "CA") & (prev["district"] == 34)]["p_loss"].iloc[0]
    assert row["p_loss_change"] == pytest.approx(row["p_loss"] - prev_p, abs=1e-6)
    assert latest["p_loss"].is_monotonic_decreasing


def test_a_foreign_header_is_refused(tmp_path, snaps):
    path = tmp_path / "history.csv"
    path.write_text("cycle,as_of,state\n2026,2025-12-31,CA\n")
    with pytest.raises(InputError, match="snapshot history lacks a feed column"):
        snapshots.append_snapshot(snaps["2025-12-31"], path)
    assert path.read_text() == "cycle,as_of,state\n2026,2025-12-31,CA\n"


def _append_worker(snap, store, barrier, results):
    barrier.wait()                       # all writers start appending at the same moment
    results.put(snapshots.append_snapshot(snap, store))


def test_concurrent_writers_cannot_corrupt_the_history(tmp_path, snaps):
    store = tmp_path / "concurrent"
    dates = ["2025-12-31", "2026-03-10", "2025-12-31", "2026-03-10", "2026-06-01", "2026-06-01"]
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(len(dates)), ctx.Queue()
    procs = [ctx.Process(target=_append_worker, args=(snaps[d], store, barrier, results)) for d in dates]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    added = sorted(results.get(timeout=5) for _ in dates)
    n = sorted(len(snaps[d]) for d in ("2025-12-31", "2026-03-10", "2026-06-01"))
    assert added == [0, 0, 0] + n                                       # each date written exactly once
    hist = snapshots.read_history(store)
    assert len(hist) == sum(n) and not hist.duplicated(snapshots.SNAPSHOT_KEY).any()
    assert sorted(hist["as_of"].unique()) == ["2025-12-31", "2026-03-10", "2026-06-01"]
