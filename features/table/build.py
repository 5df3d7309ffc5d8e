"""Build the central table from the raw public files.

``build_table(raw)`` runs every step and returns the validated table, the event tables and a
summary; ``write_outputs`` writes them under ``data/`` atomically and all together (one staged
folder swapped in), so a build that fails or is killed leaves the committed tables untouched.
``check_raw_rows`` / ``check_table_counts`` refuse raw files and tables with fewer rows (or a
different number of losers) than the accepted build's manifest records.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from features.kernel.columns import GROUPS
from features.kernel import constants
from features.kernel.constants import LIVE_CYCLE, TRAIN_CYCLES
from features.kernel.errors import InputError
from features.kernel.paths import CALENDAR_DIR, PROCESSED_DIR
from features.table.schema import validate_table
from features.table.store import TABLE_NAME, normalize_types, ordered_columns, write_table_csv

LIVE_AS_OF = pd.Timestamp(constants.LIVE_AS_OF)
Progress = Callable[[str], None]


@dataclass
class BuildResult:
    table: pd.DataFrame
    calendar: pd.DataFrame
    #: each dated event source's events, by its name in ``features.evidence.sources.EVENT_SOURCES``
    events: dict[str, pd.DataFrame] = field(default_factory=dict)
    match_report: dict = field(default_factory=dict)


STEPS = ("results 2002-2020", "results 2022", "results 2024", "field 2026", "calendar", "incumbents",
         "november generals", "districts", "money", "outside spending", "endorsements", "evidence",
         "validate")


def build_table(raw: Path, progress: Progress | None = None) -> BuildResult:
    """Run every build step on the raw folder and return the validated outputs."""
    from features.contests import (
        calendar,
        generals_medsl,
        legislators,
        live_dating,
        results_538_2022,
        results_2024,
        results_fec_cycles,
        roster_2026,
    )
    from features.districts import district
    from features.evidence import endorsements, money, outside_spending

    say = progress or (lambda msg: None)
    raw = Path(raw)

    say(STEPS[0])
    fec = results_fec_cycles.fec_contest_rows(raw, cycles=range(2002, 2021, 2),
                                              sitting_fn=lambda cyc: legislators.sitting_members(raw, cyc))
    say(STEPS[1])
    r22 = results_538_2022.contest_rows_2022(raw)
    say(STEPS[2])
    r24 = results_2024.contest_rows_2024(raw)
    say(STEPS[3])
    r26 = roster_2026.live_contest_rows(raw, as_of=LIVE_AS_OF)   # with the members who left
    rows = pd.concat([fec, r22, r24, r26], ignore_index=True)

    say(STEPS[4])
    cal = calendar.build_calendar(raw)
    rows = _attach_calendar(rows, cal)

    say(STEPS[5])
    matched = legislators.match_bioguide(rows, raw)
    match_report = legislators.match_rate(matched)
    rows = legislators.incumbent_attributes(matched, raw)
    rows = _display_names(rows, legislators.display_names(raw))

    say(STEPS[6])
    generals = generals_medsl.general_features(raw, rows)
    match_report["november_unmatched_nominees"] = len(generals.attrs.get("unmatched_nominees", []))
    rows = rows.join(generals)

    say(STEPS[7])
    dist = pd.concat([district.district_features(raw, c) for c in TRAIN_CYCLES + (LIVE_CYCLE,)],
                     ignore_index=True)
    rows = rows.merge(dist, on=["cycle", "state", "district"], how="left", validate="many_to_one")
    from features.districts.pres_2000s import fill_pres_2000s  # 2002-2008: Gore 2000 / Kerry 2004 by district
    rows = fill_pres_2000s(raw, rows)
    rows["pres_lean"] = district.pres_lean(rows["d_pres_share"], rows["national_d_share"], rows["party"])
    from features.districts.redistricting_2026 import apply_new_plans  # 2026 TX/FL: lean on the new plans
    rows = apply_new_plans(rows, raw)
    rows = live_dating.date_live_rows(rows, raw, field_date=LIVE_AS_OF)      # roster, lines, field dates
    rows = rows.sort_values(["cycle", "state", "district", "party", "incumbent"]).reset_index(drop=True)
    rows["beat_incumbent_in_primary"] = legislators.beat_incumbent_flags(rows)
    rows["last_primary_share"] = legislators.last_primary_share(rows)
    from features.evidence import challenger_history
    rows = rows.join(challenger_history.challenger_history(rows))

    say(STEPS[8])
    pre_primary = pd.to_datetime(rows["primary_date"]) - pd.Timedelta(days=1)
    live = rows["cycle"] == LIVE_CYCLE
    as_of = pre_primary.where(~live, LIVE_AS_OF)
    seated = legislators.member_fec_ids(raw)
    parts, parts_early, parts_ye = [], [], []
    for cycle, idx in rows.groupby("cycle").groups.items():
        sub = rows.loc[idx]
        pre = money.candidate_money(raw, int(cycle), "preprimary")
        parts.append(money.race_money(sub, pre, as_of.loc[idx], seated=seated))
        # the money known at the early-warning horizon (December 31 of the year before the election)
        early = min(pd.Timestamp(int(cycle) - 1, 12, 31), pd.Timestamp(LIVE_AS_OF))
        parts_early.append(money.race_money(sub, pre, early, seated=seated).rename(columns=money.EARLY_NAMES))
        if int(cycle) != LIVE_CYCLE:
            ye = money.candidate_money(raw, int(cycle), "yearend")
            parts_ye.append(money.race_money(sub, ye, pd.Timestamp.max, prefix="ye", seated=seated))
    rows = rows.join(pd.concat(parts)).join(pd.concat(parts_early)).join(pd.concat(parts_ye))

    from features.evidence.sources import SOURCES_BY_NAME as SOURCES

    def join_source(rows: pd.DataFrame, name: str) -> pd.DataFrame:
        return rows.join(SOURCES[name].columns(events[name], rows, as_of.reindex(rows.index)))

    say(STEPS[9])
    events = {"outside_spending": outside_spending.spending_events(raw)}
    rows = join_source(rows, "outside_spending")

    say(STEPS[10])
    events["endorsements"] = endorsements.endorsement_events(raw)
    rows = join_source(rows, "endorsements")

    say(STEPS[11])
    from features.evidence import ie_2024, misconduct, pro_israel_money
    events["misconduct"] = misconduct.misconduct_events(raw)
    specials = pro_israel_money.odd_year_specials(raw)     # read once for the bloc and J Street
    events["pro_israel"] = pro_israel_money.pro_israel_events(raw, cal, specials)
    events["jstreet"] = pro_israel_money.jstreet_events(raw, cal, specials)
    rows = _evidence(raw, rows)
    for name in ("misconduct", "pro_israel", "jstreet"):
        rows = join_source(rows, name)
    # undated 2024 IE totals: leaky (features.kernel.columns.LEAKY_GROUPS), blanked in every pre-primary view
    rows = rows.join(ie_2024.aggregate_ie24(ie_2024.ie_pairs(raw), rows))

    say(STEPS[12])
    rows = _provenance(rows)
    rows = normalize_types(rows)
    rows = rows[ordered_columns(rows)]
    validate_table(rows)
    return BuildResult(rows, cal, events, match_report)


def _evidence(raw: Path, rows: pd.DataFrame) -> pd.DataFrame:
    """The member's ideology, the challengers' quality and the rematch (each column carries its date)."""
    from features.evidence import challenger_history, challenger_quality, ideology

    rows = rows.join(ideology.ideology_features(raw, rows))
    field = challenger_quality.field_names(raw, rows)          # the ballot, once, for both
    rows = rows.join(challenger_quality.challenger_quality(raw, rows, field=field))
    return rows.join(challenger_history.rematch(rows, field))


def _attach_calendar(rows: pd.DataFrame, cal: pd.DataFrame) -> pd.DataFrame:
    cols = ["cycle", "state", "primary_date", "runoff_date", "filing_deadline", "primary_system"]
    merged = rows.merge(cal[cols], on=["cycle", "state"], how="left", suffixes=("", "_cal"),
                        validate="many_to_one")
    if "primary_date" in rows.columns:
        merged["primary_date"] = pd.to_datetime(merged["primary_date"]).fillna(
            pd.to_datetime(merged["primary_date_cal"]))
        merged = merged.drop(columns=["primary_date_cal"])
    hint = merged.get("primary_system_hint")
    if hint is not None:
        merged["primary_system"] = hint.where(hint.notna(), merged["primary_system"])
    missing = merged["primary_date"].isna() & (merged["cycle"] < LIVE_CYCLE)
    if missing.any():
        r = merged[missing].iloc[0]
        raise InputError("calendar", f"no primary date for {r['state']} {r['cycle']}", field="primary_date")
    return merged


def _display_names(rows: pd.DataFrame, known: pd.Series) -> pd.DataFrame:
    """One readable name per member across sources; the source spelling stays in ``incumbent_source_name``."""
    from features.kernel.names import display_name

    rows = rows.copy()
    rows["incumbent_source_name"] = rows["incumbent"]
    rows["incumbent"] = rows["bioguide_id"].map(known).fillna(rows["incumbent"].map(display_name))
    for col in ("top_challenger", "other_incumbent"):
        if col in rows.columns:
            rows[col] = rows[col].map(display_name)
    return rows


def _provenance(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.copy()
    rows["source_results"] = rows.get("result_source")
    if "source_district" not in rows.columns:
        rows["source_district"] = rows.get("demog_source")
    rows["source_money"] = rows.get("money_source")
    rows["source_outside"] = rows["os_covered"].map({True: "curated-outside-spending", False: None}) \
        if "os_covered" in rows else None
    rows["source_endorsements"] = rows["end_covered"].map({True: "curated-endorsements/538", False: None}) \
        if "end_covered" in rows else None
    return rows


# ---------------------------------------------------------------------------------------------
# Summary, manifest and atomic writing
# ---------------------------------------------------------------------------------------------
def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """Share of rows (past cycles) with at least one value in each feature group."""
    past = table[table["cycle"] < LIVE_CYCLE]
    out = {}
    for group in ("incumbent", "district", "money", "money_yearend", "outside_spending", "endorsements"):
        cols = [c for c in GROUPS[group] if c in past.columns and not c.endswith(("_source", "_date", "_end"))]
        cols = [c for c in cols if c not in ("demog_source", "pres_lean_lines", "chal_name_fec")]
        out[group] = float(past[cols].notna().any(axis=1).mean()) if cols else 0.0
    for col in ("incumbent_age", "tenure_years", "pres_lean", "bioguide_id", "incumbent_share",
                "latino_share", "inc_receipts", "inc_receipts_ye"):
        if col in past.columns:
            out[col] = float(past[col].notna().mean())
    return pd.DataFrame({"coverage": out}).rename_axis("feature")


def missing_by_group(table: pd.DataFrame) -> pd.DataFrame:
    """Missing cells per feature group: count, total cells, and the worst column."""
    out = {}
    for group, cols in GROUPS.items():
        cols = [c for c in cols if c in table.columns]
        if not cols:
            continue
        na = table[cols].isna().sum()
        out[group] = {"missing": int(na.sum()), "cells": int(len(table) * len(cols)),
                      "worst_column": f"{na.idxmax()} ({int(na.max())})"}
    return pd.DataFrame(out).T


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Rows, contested and lost per cycle."""
    g = table.groupby("cycle")
    return pd.DataFrame({
        "rows": g.size(),
        "contested": g["contested"].sum(min_count=0).astype(int),
        "contested_unknown": g["contested"].apply(lambda s: int(s.isna().sum())),
        "lost": g["lost"].sum(min_count=0).astype(int),
        "incumbent_share_known": g["incumbent_share"].apply(lambda s: int(s.notna().sum())),
    })


def raw_checksums(raw: Path) -> dict[str, str]:
    """sha256 of every raw data file (READMEs and source notes included: they document the data)."""
    out = {}
    for path in sorted(Path(raw).rglob("*")):
        if path.is_file():
            out[str(path.relative_to(raw))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def count_csv_rows(path: Path) -> int:
    """Data rows (records after the header) of a CSV file, quoted line breaks counted once."""
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)


def raw_row_counts(raw: Path) -> dict[str, int]:
    """Data rows of every raw CSV file, keyed like ``raw_checksums``."""
    return {str(p.relative_to(raw)): count_csv_rows(p) for p in sorted(Path(raw).rglob("*.csv")) if p.is_file()}


def expected_counts(out_dir: Path = PROCESSED_DIR) -> dict:
    """The row counts the last accepted build recorded (``manifest.json`` beside the outputs, else
    the committed one): ``raw_rows`` per raw CSV, ``rows`` and ``lost`` per cycle."""
    for path in (Path(out_dir) / "manifest.json", PROCESSED_DIR / "manifest.json"):
        if path.is_file():
            try:
                doc = json.loads(path.read_text())
            except json.JSONDecodeError as exc:
                raise InputError(path, f"manifest is not valid JSON: {exc}") from exc
            return {k: doc.get(k, {}) for k in ("raw_rows", "rows", "lost")}
    return {"raw_rows": {}, "rows": {}, "lost": {}}


def check_raw_rows(raw: Path, expected: dict) -> None:
    """A raw CSV with fewer data rows than the accepted build read is an error (a truncated file)."""
    for rel, n_expected in sorted(expected.get("raw_rows", {}).items()):
        path = Path(raw) / rel
        if path.is_file():
            n = count_csv_rows(path)
            if n < int(n_expected):
                raise InputError(path, f"{n} data rows, but the accepted build read {n_expected} "
                                       f"(truncated?); restore the file, or rebuild with --accept-counts "
                                       f"if the source really shrank", field="rows")


def check_table_counts(table: pd.DataFrame, expected: dict) -> None:
    """Per past cycle: fewer rows, or a different number of losers, than the accepted build is an
    error naming the cycle's results source."""
    rows, lost = expected.get("rows", {}), expected.get("lost", {})
    for cycle, sub in table.groupby("cycle"):
        src = sub["result_source"].dropna().mode() if "result_source" in sub else pd.Series(dtype=object)
        where = src.iloc[0] if len(src) else f"results {cycle}"
        key = str(int(cycle))
        if key in rows and len(sub) < int(rows[key]):
            raise InputError(where, f"cycle {cycle} has {len(sub)} incumbent rows, the accepted build "
                                    f"had {rows[key]} (rebuild with --accept-counts if that is right)",
                             row=f"cycle {cycle}", field="rows")
        n_lost = int(sub["lost"].sum()) if sub["lost"].notna().any() else None
        if key in lost and lost[key] is not None and n_lost != int(lost[key]):
            raise InputError(where, f"cycle {cycle} has {n_lost} defeated incumbents, the accepted build "
                                    f"had {lost[key]} (rebuild with --accept-counts if that is right)",
                             row=f"cycle {cycle}", field="lost")


def write_outputs(result: BuildResult, raw: Path, out_dir: Path = PROCESSED_DIR,
                  calendar_dir: Path | None = None) -> dict:
    """Write table, event tables, calendar and manifest, all together.

    Everything is staged in a temporary folder beside ``out_dir`` and swapped in as one unit
    (``features.kernel.atomic``): a crash at any point leaves either all the old outputs or all the
    new ones.  The calendar goes to ``data/calendar`` only when ``out_dir`` is the default
    ``data/processed``; with another ``out_dir`` it is written to ``out_dir/calendar`` and the
    committed calendar is not touched.
    """
    from features.contests.calendar import write_calendar
    from features.evidence.sources import EVENT_SOURCES
    from features.kernel import atomic as atomic_outputs

    out_dir = Path(out_dir).resolve()
    default = out_dir == PROCESSED_DIR.resolve()
    if calendar_dir is None:
        calendar_dir = CALENDAR_DIR if default else out_dir / "calendar"
    calendar_dir = Path(calendar_dir).resolve()
    separate_calendar = calendar_dir.parent != out_dir
    parent = out_dir.parent
    files = {
        f"{TABLE_NAME}.csv": lambda p: write_table_csv(result.table, p),
        f"{TABLE_NAME}.parquet": lambda p: result.table.to_parquet(p, index=False),
    }
    for source in EVENT_SOURCES:
        files[source.file] = lambda p, source=source: source.write(result.events[source.name], p)
    with atomic_outputs.build_lock(parent):
        atomic_outputs.finish_locked(parent, discard_uncommitted=True)
        stage = atomic_outputs.new_stage(parent)
        try:
            tables = stage / "processed"
            tables.mkdir()
            for name, writer in files.items():
                writer(tables / name)
                os.chmod(tables / name, 0o644)
            cal_stage = stage / "calendar" if separate_calendar else tables / calendar_dir.name
            write_calendar(result.calendar, cal_stage)
            manifest = {
                "build_date": date.today().isoformat(),
                "raw_dir_name": Path(raw).name,
                "raw_files": raw_checksums(raw),
                "raw_rows": raw_row_counts(raw),
                "outputs": {name: hashlib.sha256((tables / name).read_bytes()).hexdigest()
                            for name in files if name.endswith(".csv")},
                "rows": {str(k): int(v) for k, v in result.table.groupby("cycle").size().items()},
                "lost": {str(k): int(v.sum()) for k, v in result.table.groupby("cycle")["lost"]
                         if v.notna().any()},
                "rows_total": int(len(result.table)),
                "bioguide_match": result.match_report,
            }
            (tables / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            os.chmod(tables, 0o755)
            targets = {"processed": out_dir}
            if separate_calendar:
                os.chmod(cal_stage, 0o755)
                targets["calendar"] = calendar_dir
            atomic_outputs.commit_folders(stage, targets)
        except BaseException:
            if not (stage / atomic_outputs.JOURNAL).is_file():
                shutil.rmtree(stage, ignore_errors=True)      # never committed: the old outputs stand
            raise
    return manifest
