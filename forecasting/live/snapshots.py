"""The snapshot store: every forecast ever recorded, append-only, in ``data/snapshots/history.csv``.

A snapshot is the output of :func:`forecasting.live.scoring.score_cycle` (one row per incumbent). Rows
are keyed by ``(cycle, as_of, forecast_id, state, district, party, incumbent)``, where
``forecast_id`` is the model's content hash plus the hash of the row's inputs
(:func:`forecasting.live.scoring.forecast_ids`): the same model and the same data make the same key
whatever the registry calls the model (``primary-forecast/N`` is not unique across stores and is
renumbered by every ``train --register``), and a different model never collides with a recorded
one.  Rows recorded before ``forecast_id`` existed are keyed by their ``model_version``.

- appending is idempotent: a row whose key is already stored is skipped, so re-running the same
  as-of date with the same model changes nothing (not even the file's bytes or mtime);
- appending never rewrites an earlier row: the new file is the old file's bytes followed by the new
  rows, written to a temporary file and swapped in with ``os.replace``;
- an exclusive lock (``filelock``) on ``history.csv.lock`` serialises concurrent writers.

``simulated`` is ``true`` for a replayed snapshot: recorded after its as-of date, with inputs that
run only to an earlier date (``inputs_through``), so it shows what the model makes of the older
field and money, not what was known on the as-of date (the 2026 "season" re-scored on 2026-11-26
from data collected to 2025-12-31).  The site shows such rows only when asked, and labels them.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pandas as pd

from features.kernel.atomic import write_file_atomic
from features.kernel.errors import InputError
from features.kernel.validation import spreadsheet_safe
from features.kernel.paths import DATA_DIR
# the incumbent's share given a contest (10th, 50th, 90th percentiles; empty where the ballot shows no
# challenger): the feed's ``share_p*`` mix in the chance of no opponent (a share of 100%)
from forecasting.models.base import CONTESTED_SHARE_COLUMNS

SNAPSHOT_DIR = DATA_DIR / "snapshots"
HISTORY_NAME = "history.csv"

#: the public feed columns (DESIGN.md section 9) ...
FEED_COLUMNS = ["cycle", "as_of", "state", "district", "party", "incumbent", "challengers", "p_loss",
                "share_p10", "share_p50", "share_p90", "model", "model_version"]
#: the second target (``forecasting.models.same_party``): P(lose the seat to the same party:
#: the nomination, or a same-party November general), and, where two finalists go to November
#: (top-two CA/WA, top-four AK; empty elsewhere), P(the member advances and a same-party challenger is
#: the other finalist) and P(the member loses that general)
SECOND_TARGET_COLUMNS = ["p_lose_seat_same_party", "p_same_party_rival_november", "p_lose_general"]
#: what one record holds: a new format (here 2: the share given a contest) is part of every
#: ``forecast_id``, so each forecast is recorded once more, with the new columns filled
RECORD_FORMAT = 2
#: ... and what the store keeps besides them
HISTORY_COLUMNS = FEED_COLUMNS + [
    "p_contested", "p_loss_if_contested", "share_mean", "field_known", "filing_deadline", "primary_date",
    "runoff_date", "primary_system", "bioguide_id", "drivers", "simulated", "inputs_through", "forecast_id",
] + SECOND_TARGET_COLUMNS + CONTESTED_SHARE_COLUMNS
#: columns added to the store after it was first written, in the order they were added: an older
#: store is upgraded in place (``migrate_history``), gaining them empty for its earlier rows
ADDED_COLUMNS = ("simulated", "inputs_through", "forecast_id", *SECOND_TARGET_COLUMNS, *CONTESTED_SHARE_COLUMNS)
SNAPSHOT_KEY = ["cycle", "as_of", "forecast_id", "state", "district", "party", "incumbent"]
_DATE_COLUMNS = ("as_of", "filing_deadline", "primary_date", "runoff_date", "inputs_through")
#: free text from the data or a config: made safe to open in a spreadsheet
TEXT_COLUMNS = ("incumbent", "challengers", "model", "model_version", "primary_system", "drivers")
_FLOAT_COLUMNS = ["p_loss", "share_p10", "share_p50", "share_p90", "p_contested", "p_loss_if_contested",
                  "share_mean", *SECOND_TARGET_COLUMNS, *CONTESTED_SHARE_COLUMNS]


@contextlib.contextmanager
def file_lock(path: str | Path):
    """Hold an exclusive lock on ``path`` (``filelock.FileLock``, created if missing) for the block."""
    from filelock import FileLock

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path)):
        yield


def history_path(root: str | Path | None = None) -> Path:
    """``root/history.csv`` (``root`` defaults to ``data/snapshots``); a ``.csv`` path is used as is."""
    root = Path(root) if root is not None else SNAPSHOT_DIR
    return root if root.suffix == ".csv" else root / HISTORY_NAME


def to_records(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Canonical text form of snapshot rows (ISO dates, rounded floats, true/false), HISTORY_COLUMNS order.
    Text from data or configs (``TEXT_COLUMNS``) that a spreadsheet would run as a formula gets a
    leading quote (``features.kernel.validation.spreadsheet_safe``)."""
    missing = [c for c in FEED_COLUMNS if c not in snapshot.columns]
    if missing:
        raise InputError("snapshot", "column missing from the snapshot", field=missing[0])
    out = pd.DataFrame(index=snapshot.index)
    for col in HISTORY_COLUMNS:
        s = snapshot[col] if col in snapshot.columns else pd.Series(pd.NA, index=snapshot.index)
        if col in _DATE_COLUMNS:
            s = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
        elif col in _FLOAT_COLUMNS:
            s = pd.to_numeric(s).astype(float).round(6).map(lambda v: "" if pd.isna(v) else f"{v:.6g}")
        elif col in ("field_known", "simulated"):
            s = s.map(lambda v: "" if pd.isna(v) else ("true" if bool(v) else "false"))
        elif col in ("cycle", "district"):
            s = s.astype(int).astype(str)
        out[col] = s.astype(object).where(s.notna(), "").astype(str)
        if col in TEXT_COLUMNS:
            out[col] = out[col].map(spreadsheet_safe)
    return out.reset_index(drop=True)


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})


def read_history(path: str | Path | None = None) -> pd.DataFrame:
    """All stored snapshot rows in stored order (empty frame with HISTORY_COLUMNS if none yet).

    The file is checked first (``check_history``: one InputError naming file, row and field for an
    unknown, duplicate or empty column, a row with too many or too few fields, a probability that is
    not one).  The frame has ``HISTORY_COLUMNS`` in that order whatever the file's order; a store
    written before some columns existed (``ADDED_COLUMNS``) is read with them empty (the file itself
    is upgraded by ``migrate_history``, which ``append_snapshot`` runs)."""
    df, _ = _read_stored(history_path(path))
    return df.reindex(columns=HISTORY_COLUMNS, fill_value="")


def _read_stored(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The stored rows as text, and the file's own header (empty frame and [] if no file)."""
    if not path.is_file() or path.stat().st_size == 0:
        return empty_history(), []
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")   # a spreadsheet's byte-order mark
    except UnicodeDecodeError as exc:
        raise InputError(path, f"cannot parse the snapshot history: not UTF-8 ({exc})") from exc
    header = check_history(text, path)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise InputError(path, f"cannot parse the snapshot history: {exc}") from exc
    validate_races(df, path)
    return df, header


def check_history(text: str, path="snapshot history") -> list[str]:
    """Check a stored history's text; return its header.

    One InputError naming the file, row (1-based data row; ``header`` for the header) and field for:
    a column name that is empty, repeated or not a store column (``HISTORY_COLUMNS``: a file from a
    newer or foreign tool, which this code would silently drop), a missing feed column, a row with
    more or fewer fields than the header, a probability or share that is not a number in [0, 1].
    """
    import csv

    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, [])
    seen = set()
    for i, name in enumerate(header):
        if not name.strip():
            raise InputError(path, "empty column name in the header", row="header", field=f"column {i + 1}")
        if name in seen:
            raise InputError(path, "column appears twice in the header", row="header", field=name)
        seen.add(name)
        if name not in HISTORY_COLUMNS:
            raise InputError(path, "unknown column in the snapshot history (not one this store records: "
                                   "a newer or foreign file?)", row="header", field=name)
    missing = [c for c in FEED_COLUMNS if c not in seen]
    if missing:
        raise InputError(path, "snapshot history lacks a feed column", row="header", field=missing[0])
    numeric = [(j, c) for j, c in enumerate(header) if c in _FLOAT_COLUMNS]
    n = 0
    for fields in rows:
        if not fields or fields == [""]:
            continue                                  # a blank line (pandas skips it too)
        n += 1
        if len(fields) != len(header):
            field = header[len(fields)] if len(fields) < len(header) else f"extra field {len(header) + 1}"
            raise InputError(path, f"{len(fields)} fields where the header has {len(header)}", row=n,
                             field=field)
        for j, col in numeric:
            value = fields[j].strip()
            if value == "":
                continue
            try:
                v = float(value)
            except ValueError:
                raise InputError(path, f"not a number: {value!r}", row=n, field=col) from None
            if not 0.0 <= v <= 1.0:
                raise InputError(path, f"{value} is outside [0, 1]", row=n, field=col)
    return header


def migrate_history(path: str | Path | None = None) -> list[str]:
    """Upgrade an older store in place: add the ``ADDED_COLUMNS`` its header lacks, empty for every
    stored row; return the columns added ([] if none, or no file).

    Nothing recorded is lost or rewritten: each stored row keeps its bytes, followed by one empty
    field per added column (the file is checked by ``check_history`` first, re-read afterwards and
    compared value by value, and swapped in atomically, under the store's lock).  A header lacking a
    column that is neither a feed column nor an added one cannot be upgraded: one InputError names it.
    ``append_snapshot`` upgrades an older store in the same write as its new rows."""
    path = history_path(path)
    with file_lock(path.with_name(path.name + ".lock")):
        data, absent = _upgraded_text(path)
        if data is not None:
            write_file_atomic(path, data.encode("utf-8"))
    return absent


def _upgraded_text(path: Path) -> tuple[str | None, list[str]]:
    """(the upgraded file's text, the columns added), or (None, []) when the store is current or absent."""
    if not path.is_file() or path.stat().st_size == 0:
        return None, []
    old, header = _read_stored(path)
    absent = [c for c in HISTORY_COLUMNS if c not in header]
    if not absent:
        return None, []
    cannot = [c for c in absent if c not in ADDED_COLUMNS]
    if cannot:
        raise InputError(path, "stored history has an older header that cannot be upgraded "
                               "(a column that is neither a feed column nor an added one is missing)",
                         row="header", field=cannot[0])
    data = _with_empty_columns(path.read_bytes().decode("utf-8"), absent)
    new = pd.read_csv(io.StringIO(data), dtype=str, keep_default_na=False)
    if (list(new.columns) != header + absent or len(new) != len(old)
            or not new[header].equals(old[header]) or (new[absent] != "").any().any()):
        raise InputError(path, "upgrading the stored history would change recorded values; left as it was",
                         field=absent[0])
    return data, absent


def _with_empty_columns(text: str, added: list[str]) -> str:
    """``text`` (a CSV) with ``added`` appended to the header and an empty field to every record;
    each record's own characters are kept (quoted fields may hold newlines: records are split on
    newlines outside quotes)."""
    records, start, quoted = [], 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" and not quoted:
            records.append(text[start:i])
            start = i + 1
    if start < len(text):
        records.append(text[start:])
    pad = "," * len(added)
    out = []
    for k, rec in enumerate(records):
        cr = "\r" if rec.endswith("\r") else ""
        body = rec[:-1] if cr else rec
        if k == 0:
            out.append(body + "".join("," + c for c in added) + cr)
        elif body == "":
            out.append(rec)                           # a blank line stays blank
        else:
            out.append(body + pad + cr)
    return "\n".join(out) + "\n"


def validate_races(history: pd.DataFrame, source="snapshot history") -> None:
    """Every row's race identity is a known state code, an integer district 0-60 and D or R; these
    values name the site's files (``races/<ST>-<NN>-<P>.html``), so anything else -- a path such as
    ``../../x`` -- is refused with one InputError naming the file, row and field."""
    from features.kernel.constants import PARTIES, STATES

    checks = (("state", lambda v: v in STATES),
              ("district", lambda v: v.isdigit() and 0 <= int(v) <= 60),
              ("party", lambda v: v in PARTIES),
              ("cycle", lambda v: v.isdigit() and len(v) == 4))
    for col, ok in checks:
        if col not in history.columns:
            continue
        text = history[col].astype(str).str.strip()
        bad = ~text.map(ok)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(source, f"not a valid {col}: {history[col].iloc[i]!r}", row=i + 1, field=col)


def typed(history: pd.DataFrame) -> pd.DataFrame:
    """History with numbers, dates and booleans parsed (the stored text form is kept by read_history)."""
    df = history.copy()
    for col in ("cycle", "district"):
        df[col] = pd.to_numeric(df[col]).astype(int)
    for col in _FLOAT_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col].replace("", None)).astype(float)
    for col in _DATE_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_datetime(df[col].replace("", None))
    for col in ("field_known", "simulated"):
        if col in df.columns:
            df[col] = df[col].map({"true": True, "false": False}).astype("boolean")
    # histories written before the label: none of their rows was a replay
    df["simulated"] = df["simulated"].fillna(False) if "simulated" in df.columns else pd.array(
        [False] * len(df), dtype="boolean")
    if "inputs_through" not in df.columns:
        df["inputs_through"] = pd.NaT
    for col in (*SECOND_TARGET_COLUMNS, *CONTESTED_SHARE_COLUMNS):   # rows recorded before: unknown
        if col not in df.columns:
            df[col] = float("nan")
    return df


def is_simulated(as_of, inputs_through, recorded_on) -> bool:
    """A replay: recorded after its as-of date, from inputs that end before that date."""
    if inputs_through is None or pd.isna(inputs_through):
        return False
    as_of = pd.Timestamp(as_of).normalize()
    return bool(pd.Timestamp(recorded_on).normalize() > as_of > pd.Timestamp(inputs_through).normalize())


def as_of_dates(history: pd.DataFrame, cycle: int | None = None) -> pd.DataFrame:
    """One row per as-of date of ``cycle`` (default the latest): ``as_of``, ``n_rows``, ``simulated``
    (every row of that date a replay), in date order."""
    df = typed(history)
    if df.empty:
        return pd.DataFrame({"as_of": pd.Series(dtype="datetime64[ns]"), "n_rows": pd.Series(dtype=int),
                             "simulated": pd.Series(dtype=bool)})
    cycle = int(df["cycle"].max()) if cycle is None else int(cycle)
    df = df[df["cycle"] == cycle]
    sim = df["simulated"] if "simulated" in df.columns else pd.Series(False, index=df.index)
    out = df.assign(simulated=sim.astype(bool)).groupby("as_of").agg(
        n_rows=("state", "size"), simulated=("simulated", "all")).reset_index()
    return out.sort_values("as_of").reset_index(drop=True)


def default_publish_as_of(history: pd.DataFrame, cycle: int | None = None) -> pd.Timestamp | None:
    """The latest as-of date of ``cycle`` holding a snapshot that is not simulated (else the latest)."""
    dates = as_of_dates(history, cycle)
    if dates.empty:
        return None
    real = dates[~dates["simulated"]]
    return pd.Timestamp((real if len(real) else dates)["as_of"].iloc[-1])


def _keys(records: pd.DataFrame) -> pd.Series:
    """Row identity: SNAPSHOT_KEY, with ``model_version`` standing in where ``forecast_id`` is empty."""
    rec = records.copy()
    fid = rec["forecast_id"].astype(str) if "forecast_id" in rec.columns else pd.Series("", index=rec.index)
    rec["forecast_id"] = fid.where(fid.str.len() > 0, "version:" + rec["model_version"].astype(str))
    return rec[SNAPSHOT_KEY].astype(str).agg("|".join, axis=1)


#: what makes a forecast the same forecast, for rows recorded before ``forecast_id`` existed
_CONTENT = ["cycle", "as_of", "state", "district", "party", "incumbent", "model", "p_loss", "share_p10",
            "share_p50", "share_p90", "p_contested", "p_loss_if_contested", "field_known"]


def _legacy_content(records: pd.DataFrame, legacy_only: bool = False) -> pd.Series:
    """Content key of rows (numbers as stored); with ``legacy_only`` only rows without a forecast_id.
    A new row equal in content to a legacy row is the same forecast re-registered: already recorded."""
    if legacy_only and "forecast_id" in records.columns:
        records = records[records["forecast_id"].astype(str) == ""]
    if records.empty:
        return pd.Series(dtype=str)
    return records.reindex(columns=_CONTENT, fill_value="").astype(str).agg("|".join, axis=1)


def append_snapshot(snapshot: pd.DataFrame, root: str | Path | None = None) -> int:
    """Append the snapshot's new rows to the history; return how many were new (0: nothing changed)."""
    path = history_path(root)
    records = to_records(snapshot)
    records = records[~_keys(records).duplicated()]
    with file_lock(path.with_name(path.name + ".lock")):
        old_bytes = path.read_bytes() if path.is_file() else b""
        if old_bytes:
            existing, header = _read_stored(path)
            new = records[~_keys(records).isin(set(_keys(existing)))]
            new = new[~_legacy_content(new).isin(set(_legacy_content(existing, legacy_only=True)))]
        else:
            header, new = HISTORY_COLUMNS, records
        if new.empty:
            return 0                      # nothing to record: the file is left as it was, even if older
        if old_bytes:
            upgraded, added = _upgraded_text(path)
            if upgraded is not None:
                # an older store: upgraded (its rows keep their bytes) in the same write as the new rows
                old_bytes, header = upgraded.encode("utf-8"), header + added
        buf = io.StringIO()
        new.reindex(columns=header, fill_value="").to_csv(buf, index=False, header=not old_bytes,
                                                          lineterminator="\n")
        if old_bytes and not old_bytes.endswith(b"\n"):
            old_bytes += b"\n"
        write_file_atomic(path, old_bytes + buf.getvalue().encode("utf-8"))
        return int(len(new))


def merge_histories(*histories: pd.DataFrame) -> pd.DataFrame:
    """Union of stored histories, first occurrence of each key kept, earlier frames' order first."""
    frames = [h for h in histories if h is not None and len(h)]
    if not frames:
        return empty_history()
    cols = list(dict.fromkeys(c for h in frames for c in h.columns))
    df = pd.concat([h.reindex(columns=cols, fill_value="") for h in frames], ignore_index=True)
    df = df.fillna("")
    return df[~_keys(df).duplicated()].reset_index(drop=True)


def model_key(history: pd.DataFrame) -> pd.Series:
    """Per row, the identity of the model that made it, the same on every machine: the model's content
    hash (the first part of ``forecast_id``), else (rows stored before forecast ids) the recorded
    ``model_version``."""
    fid = history.get("forecast_id", pd.Series("", index=history.index)).fillna("").astype(str)
    version = history.get("model_version", pd.Series("", index=history.index)).fillna("").astype(str)
    return fid.str.split("-", n=1).str[0].where(fid.str.contains("-", regex=False), "version " + version)


def model_label(history: pd.DataFrame) -> pd.Series:
    """Per row, the model as a reader sees it: its name and the first 8 characters of its content hash
    (``ensemble_bayes #3f9c1a2b``), or the recorded version for rows stored before forecast ids."""
    key = model_key(history)
    name = history.get("model", pd.Series("", index=history.index)).fillna("").astype(str)
    return (name + " #" + key.str[:8]).where(~key.str.startswith("version "),
                                             name + " (" + key.str.removeprefix("version ") + ")")


def latest_snapshot(history: pd.DataFrame, cycle: int | None = None, as_of=None,
                    include_simulated: bool = True) -> pd.DataFrame:
    """Latest row per race (incumbent) of ``cycle`` (default: the latest cycle), with the previous
    snapshot's P(loss) in ``p_loss_prev`` / ``as_of_prev`` and the change in ``p_loss_change``.
    "Previous" is the same model's (``model_key``): a change of model is not a movement of the
    forecast, so after one ``p_loss_prev`` is empty and ``model_changed`` is true.

    The latest row is the one with the latest ``as_of``; on a tie, the one stored last.  A race that a
    later snapshot of its state leaves out (the member left the House) has no latest row.  With
    ``as_of``, only rows dated on or before it count (the forecast as it stood that day); with
    ``include_simulated=False``, simulated rows do not count either.
    """
    df = typed(history)
    if df.empty:
        return df.assign(p_loss_prev=pd.Series(dtype=float), as_of_prev=pd.Series(dtype="datetime64[ns]"),
                         p_loss_change=pd.Series(dtype=float), model_changed=pd.Series(dtype=bool))
    cycle = int(df["cycle"].max()) if cycle is None else int(cycle)
    df = df[df["cycle"] == cycle].copy()
    if as_of is not None:
        df = df[df["as_of"] <= pd.Timestamp(as_of).normalize()]
    if not include_simulated and "simulated" in df.columns:
        df = df[~df["simulated"].astype(bool)]
    df["_order"] = range(len(df))
    df = df.sort_values(["as_of", "_order"])
    race = ["cycle", "state", "district", "party", "incumbent"]
    # one row per race and as-of date (the last recorded), so "previous" means an earlier date
    per_date = df.drop_duplicates(race + ["as_of"], keep="last")
    per_date = per_date.assign(_model=model_key(per_date))
    latest = per_date.groupby(race, sort=False).tail(1)
    # a race left out of a later snapshot of its state is no longer on the roster (the member left the
    # House: features.contests.live_dating.roster_end): its older row is not the forecast as it stands
    state_last = per_date.groupby(["cycle", "state"])["as_of"].max().rename("_state_last")
    latest = latest.join(state_last, on=["cycle", "state"])
    latest = latest[latest["as_of"] >= latest["_state_last"]].drop(columns="_state_last")
    earlier = per_date.merge(latest[race + ["as_of"]].rename(columns={"as_of": "_latest_as_of"}), on=race)
    earlier = earlier[earlier["as_of"] < earlier["_latest_as_of"]]
    any_prev = earlier.groupby(race, sort=False).tail(1)[race + ["_model"]].rename(columns={"_model": "_prev_model"})
    same = earlier.merge(latest[race + ["_model"]], on=race + ["_model"])
    prev = same.groupby(race, sort=False).tail(1)
    prev = prev[race + ["p_loss", "as_of"]].rename(columns={"p_loss": "p_loss_prev", "as_of": "as_of_prev"})
    out = latest.merge(prev, on=race, how="left").merge(any_prev, on=race, how="left")
    out["p_loss_change"] = out["p_loss"] - out["p_loss_prev"]
    out["model_changed"] = out["_prev_model"].notna() & (out["_prev_model"] != out["_model"])
    out = out.drop(columns=["_model", "_prev_model"])
    out = out.drop(columns="_order").sort_values("p_loss", ascending=False, kind="stable")
    return out.reset_index(drop=True)
