"""Small raw folders cut from the real pro-Israel PAC transactions file (tests of its readers)."""
from __future__ import annotations

import csv
from pathlib import Path

from features.evidence.pro_israel_money import SOURCE


def fixture_raw(raw: Path, tmp_path: Path, rows: set[int], edit: dict | None = None) -> Path:
    """A raw folder holding the header and these file rows (1-based, in file order) of ``raw``'s
    transactions file; ``edit`` maps a row to ``[(field, value), ...]`` written over it."""
    out = tmp_path / SOURCE
    out.parent.mkdir(parents=True)
    with open(Path(raw) / SOURCE, newline="") as f, open(out, "w", newline="") as g:
        r, w = csv.reader(f), csv.writer(g)
        header = next(r)
        w.writerow(header)
        for n, line in enumerate(r, start=1):
            if n in rows:
                for field, value in (edit or {}).get(n, []):
                    line[header.index(field)] = value
                w.writerow(line)
    return tmp_path
