"""The command line refuses bad arguments at the edge: one line on stderr naming the argument, exit
code 2, nothing recorded or published."""
from __future__ import annotations

import pytest

from forecasting.cli import main

SCHEDULE = ["schedule", "--print-cron"]


@pytest.mark.parametrize("argv, field, words", [
    (["rescore", "--now", "", "--no-publish", "--no-mlflow"], "now", "not a datetime"),
    (["rescore", "--now", "banana", "--no-publish", "--no-mlflow"], "now", "not a datetime"),
    (["rescore", "--now", "2026-03-01T06:00", "--window", "99999w", "--no-publish", "--no-mlflow"],
     "window", "longer than a cycle"),
    (["rescore", "--now", "2026-03-01T06:00", "--lookback", "9999999d", "--no-publish", "--no-mlflow"],
     "lookback", "longer than a cycle"),
    (SCHEDULE + ["--window", "banana"], "window", "not a duration"),
    (SCHEDULE + ["--window", "800d"], "window", "longer than a cycle"),
    (SCHEDULE + ["--out", "site\n* * * * * rm -rf ~"], "out", "control character"),
    (SCHEDULE + ["--out", "site%daily"], "out", "'%'"),
])
def test_a_bad_argument_is_one_clear_error(argv, field, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr()
    assert f"field '{field}'" in err.err and words in err.err and "Traceback" not in err.err
    assert "rm -rf" not in err.out                        # nothing printed as a crontab


def test_print_cron_quotes_what_it_prints(capsys):
    assert main(SCHEDULE + ["--out", "my site"]) == 0
    assert "'my site'" in capsys.readouterr().out


def test_forecast_csv_at_a_folder_is_refused_before_any_work(tmp_path, capsys):
    assert main(["forecast", "--cycle", "2026", "--csv", str(tmp_path), "--no-record"]) == 2
    assert "field 'csv'" in capsys.readouterr().err


def test_a_path_that_cannot_be_written_is_one_line(tmp_path, capsys, monkeypatch):
    """publish --out in a folder it may not write (simulated: the tests may run as root)."""
    from forecasting.publish import site

    def refuse(*a, dir=None, **k):
        raise PermissionError(13, "Permission denied", str(dir))
    monkeypatch.setattr(site.tempfile, "mkdtemp", refuse)
    store = tmp_path / "store"
    from tests.bad_input.test_store import _snapshot
    from forecasting.live import snapshots
    snapshots.append_snapshot(_snapshot(), store)
    assert main(["publish", "--out", str(tmp_path / "ro" / "site"), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "Permission denied" in err and str(tmp_path / "ro") in err and "Traceback" not in err


def test_register_an_unknown_run_is_one_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    assert main(["register", "--run-id", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "no run 'nosuch'" in err and "field 'run_id'" in err


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("primary-forecast ")


def test_publish_into_a_real_read_only_folder_is_one_line_and_writes_nothing(tmp_path, capsys):
    """The same without simulation: a folder the process really may not write.  Root may write
    anywhere a mode allows nobody to, so as root the folder is made immutable (``chattr +i``); any
    other user gets a folder with mode 0555."""
    import os
    import shutil
    import subprocess

    from forecasting.live import snapshots
    from tests.bad_input.test_store import _snapshot

    store = tmp_path / "store"
    snapshots.append_snapshot(_snapshot(), store)
    before = (store / "history.csv").read_bytes()
    ro = tmp_path / "ro"
    ro.mkdir()
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(ro)]).returncode != 0:
            pytest.skip("running as root on a file system without immutable folders")
        undo = ["chattr", "-i", str(ro)]
    else:
        os.chmod(ro, 0o555)
        undo = ["chmod", "755", str(ro)]
    try:
        assert main(["publish", "--out", str(ro / "site"), "--store", str(store)]) == 2
        err = capsys.readouterr().err
        assert ("Permission denied" in err or "not permitted" in err) and str(ro) in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert list(ro.iterdir()) == []                       # nothing half-written
        assert (store / "history.csv").read_bytes() == before
    finally:
        subprocess.run(undo)
