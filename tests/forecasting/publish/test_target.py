"""Publishing never replaces a folder it did not write (`publish --out .` must not replace a checkout)."""
from __future__ import annotations

import pandas as pd
import pytest

from features.kernel.errors import InputError
from forecasting.cli import main as cli_main
from forecasting.live import snapshots
from forecasting.live.scoring import score_cycle
from forecasting.pipeline.rescore import rescore
from forecasting.publish import publish
from tests.forecasting.live_fixtures import table, toy_model, watchlist  # noqa: F401  (fixtures)

NOW = pd.Timestamp("2026-11-26")


@pytest.fixture(scope="module")
def store(tmp_path_factory, table, toy_model, watchlist):
    root = tmp_path_factory.mktemp("store")
    snap = score_cycle(table, toy_model, 2026, "2025-12-31", watchlist=watchlist, now=NOW, states=["CA", "KY"])
    snapshots.append_snapshot(snap, root)
    return root


def _checkout(root):
    """A folder that looks like a project checkout: the files a careless --out would destroy."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text("# primary-forecast\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "data").mkdir()
    (root / "data" / "notes.csv").write_text("a,b\n1,2\n")
    return root


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_publish_refuses_a_folder_that_is_not_a_site(tmp_path, store):
    repo = _checkout(tmp_path / "repo")
    before = _files(repo)
    with pytest.raises(InputError, match="neither empty nor a previous site") as err:
        publish(repo, store, backtest_dir=tmp_path)
    assert err.value.field == "out"
    assert _files(repo) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".repo.tmp")]


def test_publish_dot_in_a_checkout_is_refused(tmp_path, store, monkeypatch, capsys):
    repo = _checkout(tmp_path / "repo")
    before = _files(repo)
    monkeypatch.chdir(repo)
    assert cli_main(["publish", "--out", ".", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refusing to publish" in err and "field 'out'" in err
    assert _files(repo) == before


def test_a_file_target_is_refused(tmp_path, store):
    target = tmp_path / "site"
    target.write_text("not a folder")
    with pytest.raises(InputError, match="not a folder"):
        publish(target, store, backtest_dir=tmp_path)
    assert target.read_text() == "not a folder"


def test_new_empty_and_previous_sites_are_replaced(tmp_path, store):
    from forecasting.publish.target import LEGACY_SITE_FILES, SITE_MARKER, check_publish_target

    out = publish(tmp_path / "new", store, backtest_dir=tmp_path)      # absent
    assert (out / SITE_MARKER).is_file()
    publish(out, store, backtest_dir=tmp_path)                          # a previous site
    (tmp_path / "empty").mkdir()
    assert (publish(tmp_path / "empty", store, backtest_dir=tmp_path) / "index.html").is_file()
    legacy = tmp_path / "legacy"                                        # published before the marker
    (legacy / "races").mkdir(parents=True)
    for name in LEGACY_SITE_FILES:
        (legacy / name).write_text("x")
    (legacy / "history.csv").write_bytes(snapshots.history_path(store).read_bytes())
    assert check_publish_target(legacy) == legacy.resolve()
    assert (publish(legacy, store, backtest_dir=tmp_path) / SITE_MARKER).is_file()


def test_a_folder_with_only_some_site_files_is_refused(tmp_path):
    from forecasting.publish.target import check_publish_target

    half = tmp_path / "half"
    half.mkdir()
    (half / "index.html").write_text("my own homepage")
    with pytest.raises(InputError, match="neither empty nor a previous site"):
        check_publish_target(half)


def test_rescore_refuses_the_target_before_recording(tmp_path, table, toy_model):
    repo = _checkout(tmp_path / "repo")
    store = tmp_path / "store"
    with pytest.raises(InputError, match="refusing to publish"):
        rescore("2025-12-01 07:00", table=table, model=toy_model, model_version="toy/1", watchlist=None,
                store=store, site_dir=repo, record_run=None)
    assert not snapshots.history_path(store).exists()                  # nothing recorded
    assert _files(repo) == _files(_checkout(tmp_path / "twin"))


def test_run_all_refuses_the_target_before_training(tmp_path, monkeypatch, capsys):
    import forecasting.cli as cli

    repo = _checkout(tmp_path / "repo")
    ran = []
    monkeypatch.setattr(cli, "main", lambda argv=None: ran.append(argv) or 0)   # run-all's steps
    from forecasting.cli import run_all
    with pytest.raises(InputError, match="refusing to publish"):
        run_all.run(type("Args", (), {"out": str(repo), "rebuild": False, "raw": None, "backtest": False,
                                      "as_of": None})())
    assert ran == []
