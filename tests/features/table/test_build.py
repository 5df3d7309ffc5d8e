"""The build: byte-for-byte reproducible from the raw folder, and safe on bad input."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from features.kernel.errors import InputError
from features.kernel.paths import CALENDAR_DIR, PROCESSED_DIR, raw_dir
from forecasting.cli import main

RAW = raw_dir()
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="raw data folder not present")


def mirror_raw(tmp: Path, skip: set[str] = frozenset()) -> Path:
    """A symlinked copy of the raw folder in which files can be removed or replaced."""
    dst = tmp / "raw"
    for path in RAW.rglob("*"):
        rel = path.relative_to(RAW)
        if path.is_file() and str(rel) not in skip:
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, dst / rel)
    return dst


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rebuild")
    calendar = CALENDAR_DIR / "house_primary_calendar.csv"
    before = (calendar.read_bytes(), calendar.stat().st_mtime_ns)
    assert main(["data", "build", "--out", str(out)]) == 0
    assert (calendar.read_bytes(), calendar.stat().st_mtime_ns) == before    # --out leaves data/calendar alone
    assert (out / "calendar" / "house_primary_calendar.csv").read_bytes() == before[0]
    return out


@pytest.mark.parametrize("name", ["incumbent_primaries.csv", "outside_spending_events.csv",
                                  "endorsement_events.csv"])
def test_build_reproduces_committed_tables_byte_for_byte(rebuilt, name):
    assert (rebuilt / name).read_bytes() == (PROCESSED_DIR / name).read_bytes()


def test_build_reproduces_committed_calendar():
    from features.contests.calendar import build_calendar, load_calendar

    built = build_calendar(RAW).reset_index(drop=True)
    committed = load_calendar(CALENDAR_DIR / "house_primary_calendar.csv").reset_index(drop=True)
    assert built[["cycle", "state", "primary_date", "filing_deadline"]].equals(
        committed[["cycle", "state", "primary_date", "filing_deadline"]])


def test_manifest_lists_raw_checksums(rebuilt):
    import json

    manifest = json.loads((rebuilt / "manifest.json").read_text())
    assert manifest["rows_total"] > 4500
    assert "fec-federal-elections/federalelections2018.xlsx" in manifest["raw_files"]
    assert all(len(h) == 64 for h in manifest["raw_files"].values())


def test_missing_raw_file_is_one_clear_error_and_leaves_tables_untouched(tmp_path, capsys):
    raw = mirror_raw(tmp_path, skip={"fec-federal-elections/2002fedresults.xls"})
    out = tmp_path / "out"
    out.mkdir()
    sentinel = out / "incumbent_primaries.csv"
    sentinel.write_text("previous table\n")
    code = main(["data", "build", "--raw", str(raw), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "2002fedresults.xls" in err and err.count("error") == 1
    assert sentinel.read_text() == "previous table\n"


def test_changed_header_names_file_and_field(tmp_path):
    from features.contests.results_2024 import contest_rows_2024

    rel = "curated-2024-primaries/incumbent_primaries_2024.csv"
    raw = mirror_raw(tmp_path, skip={rel})
    text = (RAW / rel).read_text().replace("incumbent_pct", "inc_percent", 1)
    (raw / rel).write_text(text)
    with pytest.raises(InputError) as exc:
        contest_rows_2024(raw)
    assert "incumbent_primaries_2024.csv" in str(exc.value)
    assert "incumbent_pct" in str(exc.value)


def test_unparseable_row_names_file_row_and_field(tmp_path):
    from features.contests.results_2024 import contest_rows_2024

    rel = "curated-2024-primaries/incumbent_primaries_2024.csv"
    raw = mirror_raw(tmp_path, skip={rel})
    lines = (RAW / rel).read_text().splitlines(keepends=True)
    import csv
    import io

    rows = list(csv.reader(io.StringIO("".join(lines))))
    header = rows[0]
    col = header.index("incumbent_pct")
    target = next(i for i, r in enumerate(rows[1:], start=1) if r[col])
    rows[target][col] = "forty-three"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (raw / rel).write_text(buf.getvalue())
    with pytest.raises(InputError) as exc:
        contest_rows_2024(raw)
    msg = str(exc.value)
    assert "incumbent_primaries_2024.csv" in msg and "incumbent_pct" in msg and f"row {target}" in msg
