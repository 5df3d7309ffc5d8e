"""The build refuses truncated inputs and replaces its outputs all together."""
from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from features.kernel.errors import InputError
from features.kernel.paths import CALENDAR_DIR, PROCESSED_DIR, raw_dir
from forecasting.cli import main
from tests.features.table.test_build import mirror_raw

RAW = raw_dir()
REL_2024 = "curated-2024-primaries/incumbent_primaries_2024.csv"
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="raw data folder not present")


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_truncated_raw_file_is_refused_naming_file_and_field(tmp_path, capsys):
    raw = mirror_raw(tmp_path, skip={REL_2024})
    rows = list(csv.reader(io.StringIO((RAW / REL_2024).read_text())))
    header, body = rows[0], rows[1:192]                          # cut after 191 of 385 data rows
    assert len(body) == 191 and len(rows) - 1 > 191
    outcome = header.index("outcome")
    assert sum(r[outcome].endswith("lost") for r in body) == 1   # one loser (AL-1) left of the four
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header] + body)
    (raw / REL_2024).write_text(buf.getvalue())
    committed, calendar = _digest(PROCESSED_DIR), _digest(CALENDAR_DIR)
    out = tmp_path / "out"
    assert main(["data", "build", "--raw", str(raw), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "incumbent_primaries_2024.csv" in err and "field 'rows'" in err and "191 data rows" in err
    assert err.count("error") == 1
    assert not out.exists()
    assert _digest(PROCESSED_DIR) == committed and _digest(CALENDAR_DIR) == calendar


def test_the_manifest_records_the_expected_counts():
    manifest = json.loads((PROCESSED_DIR / "manifest.json").read_text())
    assert manifest["raw_rows"][REL_2024] == 385
    assert manifest["lost"]["2024"] == 4 and manifest["lost"]["2022"] == 15
    assert manifest["rows"]["2024"] == 385


def test_a_table_with_fewer_rows_or_other_losers_is_refused():
    from features.table.build import check_table_counts, expected_counts
    from features.table.store import load_table

    table = load_table()
    expected = expected_counts()
    check_table_counts(table, expected)                           # the committed table passes
    half = table[(table["cycle"] != 2024) | (table.index % 2 == 0)]
    with pytest.raises(InputError, match="cycle 2024 has 19") as err:
        check_table_counts(half, expected)
    assert err.value.field == "rows" and "2024" in err.value.file
    lost = table.copy()
    lost.loc[lost["cycle"] == 2012, "lost"] = False
    with pytest.raises(InputError, match="0 defeated") as err:
        check_table_counts(lost, expected)
    assert err.value.field == "lost"


def _result(drop_rows: int = 0):
    from features.contests.calendar import load_calendar
    from features.table.build import BuildResult
    from features.table.store import load_table

    table = load_table()
    if drop_rows:
        table = table.iloc[:-drop_rows]
    from features.evidence.sources import EVENT_SOURCES

    return BuildResult(table, load_calendar(), {s.name: s.read(PROCESSED_DIR / s.file) for s in EVENT_SOURCES})


def test_a_crash_between_renames_never_mixes_old_and_new(tmp_path, monkeypatch):
    from features.contests.calendar import load_calendar
    from features.kernel import atomic as atomic_outputs
    from features.table import build
    from features.table.store import load_table

    monkeypatch.setattr(build, "raw_checksums", lambda raw: {})
    monkeypatch.setattr(build, "raw_row_counts", lambda raw: {})
    processed, calendar = tmp_path / "data" / "processed", tmp_path / "data" / "calendar"
    build.write_outputs(_result(), RAW, processed, calendar)
    n_old = len(load_table(processed / "incumbent_primaries.csv"))
    cal_old = (calendar / "house_primary_calendar.csv").read_bytes()

    new = _result(drop_rows=5)
    new.calendar = new.calendar.iloc[:-1]
    real_swap, calls = atomic_outputs._swap, []

    def crash_after_first(a, b):
        calls.append(b)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed between the two swaps")
        real_swap(a, b)

    monkeypatch.setattr(atomic_outputs, "_swap", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        build.write_outputs(new, RAW, processed, calendar)
    monkeypatch.setattr(atomic_outputs, "_swap", real_swap)
    # the first reader completes the interrupted commit: table and calendar are both new
    assert len(load_table(processed / "incumbent_primaries.csv")) == n_old - 5
    assert (calendar / "house_primary_calendar.csv").read_bytes() != cal_old
    assert len(load_calendar(calendar / "house_primary_calendar.csv")) == len(new.calendar)
    assert json.loads((processed / "manifest.json").read_text())["rows_total"] == n_old - 5
    assert not list((tmp_path / "data").glob(".build-stage-*"))
    assert not (processed / ".build-id").exists() and not (calendar / ".build-id").exists()


def test_a_build_killed_before_its_commit_leaves_the_old_outputs(tmp_path, monkeypatch):
    from features.kernel import atomic as atomic_outputs
    from features.table import build

    monkeypatch.setattr(build, "raw_checksums", lambda raw: {})
    monkeypatch.setattr(build, "raw_row_counts", lambda raw: {})
    processed, calendar = tmp_path / "data" / "processed", tmp_path / "data" / "calendar"
    build.write_outputs(_result(), RAW, processed, calendar)
    before = _digest(tmp_path / "data")

    def killed(stage, targets):
        raise KeyboardInterrupt("killed while staging")

    monkeypatch.setattr(atomic_outputs, "commit_folders", killed)
    with pytest.raises(KeyboardInterrupt):
        build.write_outputs(_result(drop_rows=3), RAW, processed, calendar)
    assert _digest(tmp_path / "data") == before
    assert not list((tmp_path / "data").glob(".build-stage-*"))
