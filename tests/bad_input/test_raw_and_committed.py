"""Raw files and committed tables are checked against what the build last accepted: a curated file
with repeated rows or a last row cut short, and a committed table that no longer matches its manifest,
are refused before anything is built, scored or committed."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from features.kernel.errors import InputError
from features.kernel.paths import PROCESSED_DIR, raw_dir
from tests.features.table.test_build import mirror_raw

RAW = raw_dir()
SPENDING = "curated-outside-spending/primary_outside_spending.csv"
CURATED_2024 = "curated-2024-primaries/incumbent_primaries_2024.csv"
pytestmark = pytest.mark.skipif(not (RAW / SPENDING).is_file(), reason="raw folder not available")


def _replace(tmp_path, rel: str, data: bytes):
    raw = mirror_raw(tmp_path, skip={rel})
    (raw / rel).parent.mkdir(parents=True, exist_ok=True)
    (raw / rel).write_bytes(data)
    return raw


def test_every_outside_spending_row_twice_is_refused(tmp_path):
    from features.evidence.outside_spending import spending_events

    text = (RAW / SPENDING).read_bytes()
    head, body = text.split(b"\n", 1)
    raw = _replace(tmp_path, SPENDING, head + b"\n" + body + body)
    with pytest.raises(InputError, match="repeats row 1 word for word") as err:
        spending_events(raw)
    assert err.value.file.endswith(SPENDING) and err.value.row == len(body.splitlines()) + 1


@pytest.mark.skipif(not (RAW / CURATED_2024).is_file(), reason="curated 2024 file not available")
def test_the_curated_2024_file_cut_mid_row_is_refused(tmp_path):
    from features.contests.results_2024 import contest_rows_2024

    text = (RAW / CURATED_2024).read_bytes().rstrip(b"\n")
    cut = text[: text.rindex(b",")]                       # the last row loses its last field(s)
    raw = _replace(tmp_path, CURATED_2024, cut)
    with pytest.raises(InputError, match="cut short") as err:
        contest_rows_2024(raw)
    assert err.value.file.endswith(CURATED_2024)


def _committed_copy(tmp_path):
    out = tmp_path / "processed"
    shutil.copytree(PROCESSED_DIR, out)
    return out


def test_a_committed_table_cut_short_is_refused(tmp_path):
    from features.table.store import load_table

    out = _committed_copy(tmp_path)
    table = out / "incumbent_primaries.csv"
    lines = table.read_bytes().splitlines(keepends=True)
    table.write_bytes(b"".join(lines[:-120]))
    with pytest.raises(InputError, match="does not match its manifest") as err:
        load_table(table)
    assert err.value.file == str(table)
    assert len(load_table(PROCESSED_DIR / "incumbent_primaries.csv")) == len(lines) - 1   # the real one loads


def test_an_event_table_with_repeated_rows_is_refused_by_the_view(tmp_path):
    from features.table.store import load_table
    from features.view.asof import as_of_view

    out = _committed_copy(tmp_path)
    events = out / "outside_spending_events.csv"
    head, body = events.read_bytes().split(b"\n", 1)
    events.write_bytes(head + b"\n" + body + body)
    table = load_table(out / "incumbent_primaries.csv")
    with pytest.raises(InputError, match="does not match its manifest") as err:
        as_of_view(table[table["cycle"] == 2026], pd.Timestamp("2025-12-31"), events_dir=out)
    assert err.value.file == str(events)


def test_weball26_cut_mid_line_is_refused(tmp_path):
    from features.contests.roster_2026 import WEBALL26, read_weball

    text = (RAW / WEBALL26).read_bytes().rstrip(b"\n")
    raw = _replace(tmp_path, WEBALL26, text[: text.rindex(b"|", 0, len(text) - 10)])
    with pytest.raises(InputError, match="cut short") as err:
        read_weball(raw)
    assert err.value.file.endswith(WEBALL26) and err.value.row == text.count(b"\n") + 1


def test_an_impossible_calendar_date_is_named(tmp_path):
    from features.contests.calendar import CURATED, build_calendar

    text = (RAW / CURATED).read_text()
    bad = text.replace("2026-06-02", "2026-02-30", 1)
    raw = _replace(tmp_path, CURATED, bad.encode())
    row = bad[: bad.index("2026-02-30")].count("\n")          # data rows after the header
    with pytest.raises(InputError, match="not a date: '2026-02-30'") as err:
        build_calendar(raw)
    assert err.value.field == "primary_date" and err.value.row == row
