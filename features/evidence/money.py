"""FEC candidate money (receipts, cash on hand) per cycle, and the money features of a contest row.

Two kinds of source, kept apart because only one of them respects the as-of rule (DESIGN.md section 4):

- ``preprimary``: FEC candidate summaries copied while the cycle was under way (``fec_preprimary/``), and
  for the live cycle 2026 the ``weball26`` file (68% of House rows run to 2025-12-31; states with early
  primaries carry Feb-Mar 2026 pre-primary reports instead, e.g. TX, NC, AR, IL, and a few others such
  as Peltola AK 2026-02-13). Each row carries its coverage end (``cvg_end``) and :func:`race_money`
  only uses rows with ``cvg_end <= as_of``: one snapshot per candidate, so a candidate whose row runs
  past the as-of date has no money at that date.
  No pre-primary snapshot exists for 2002-2010 (those cycles return an empty table); 2018 has two
  (``PREPRIMARY_FILES``: mid-2017, the money known at the end of 2017, and spring 2018).
- ``yearend``: the ``weballYY`` full-cycle totals (2010-2024). They include money raised after the
  primary, so they LEAK the outcome of past cycles. They go to separate ``*_ye`` columns, are
  normally used unfiltered (an as-of filter would drop them all), and carry their real coverage end
  in ``money_ye_cvg_end`` so the leak test and the model matrix can see them for what they are.

A coverage end is the date a figure runs to; the report itself is public some days later (e.g. the
year-end report is due Jan 31). The as-of rule here compares coverage ends, as the project's rule
states; a stricter variant would add the filing lag.

Coverage-end dates later than the file's snapshot (its download/commit date) are FEC data-entry
quirks (e.g. 2090-07-01) and become NaT; rows with NaT coverage are never used under the as-of rule.
Registered candidates that never filed (candidate-summary formats: no money and no coverage date)
are not rows of the output.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.dates import as_of_series
from features.kernel.constants import ALL_CYCLES, congress_for_cycle, louisiana_jungle, top_two_rule
from features.kernel.errors import InputError
from features.kernel.names import names_match, parse_name
from features.contests.legislators import congress_of_date, congress_start
from features.contests.roster_2026 import read_weball_file
from features.kernel.rawio import parse_date, read_csv, require_columns, to_number

KINDS = ("preprimary", "yearend")

MONEY_COLUMNS = ["cycle", "fec_id", "name", "state", "district", "party", "ici", "receipts", "cash",
                 "cvg_end", "source_file", "source_row", "kind", "source", "party_raw", "inactive"]

# cycle -> the pre-primary files of the cycle: (source label, path under raw, format, snapshot date).
# The snapshot date is when the copy was taken (fec_preprimary/README.md; SOURCES-2.md section 5):
# coverage ending after it is impossible.  A cycle may have several copies (2018: one of mid-2017, the
# one pre-primary source for TX and IL, and one of spring 2018): per candidate, the latest coverage end
# on or before the as-of date wins (``race_money``).
PREPRIMARY_FILES: dict[int, list[tuple[str, str, str, str]]] = {
    2012: [("fec-pre-2012", "fec_preprimary/2012/CandidateSummaryAction.csv", "summary-old", "2012-08-29")],
    2014: [("fec-pre-2014", "fec_preprimary/2014/CandidateSummaryAction.csv", "summary-old", "2014-04-08")],
    2016: [("fec-pre-2016", "fec_preprimary/2016/CandidateSummary.csv", "summary-2016", "2016-04-19")],
    2018: [("fec-pre-2018-early", "fec_preprimary/2018-early/CandidateSummaryAction.csv", "summary-old",
            "2017-12-31"),
           ("fec-pre-2018", "fec_preprimary/2018/CandidateSummaryAction.csv", "summary-old", "2018-05-01")],
    2020: [("fec-pre-2020", "fec_preprimary/2020/weball20.txt", "weball", "2020-03-01")],
    2022: [("fec-pre-2022", "fec_preprimary/2022/weball22.txt", "weball", "2022-03-22")],
    2024: [("fec-pre-2024", "fec_preprimary/2024/candidate_summary_2024.csv", "summary-new", "2024-03-07")],
    2026: [("fec-pre-2026", "fec_weball/weball26.txt", "weball", "2026-03-24")],
}
YEAREND_SOURCES: dict[int, tuple[str, str, str]] = {
    **{c: (f"fec_weball/weball{c % 100:02d}.txt", "weball", "2019-03-25") for c in (2010, 2012, 2014, 2016, 2018)},
    **{c: (f"fec_weball/weball{c % 100:02d}.txt", "weball", "2025-04-30") for c in (2020, 2022, 2024)},
    # The live cycle has no year-end file yet: its "full-cycle to date" total is weball26 itself.
    2026: ("fec_weball/weball26.txt", "weball", "2026-03-24"),
}

# Raw column names per format -> output names.
_FORMATS = {
    "weball": dict(fec_id="CAND_ID", name="CAND_NAME", state="CAND_OFFICE_ST", district="CAND_OFFICE_DISTRICT",
                   party="CAND_PTY_AFFILIATION", ici="CAND_ICI", receipts="TTL_RECEIPTS", cash="COH_COP",
                   cvg_end="CVG_END_DT"),
    "summary-old": dict(fec_id="can_id", name="can_nam", state="can_off_sta", district="can_off_dis",
                        party="can_par_aff", ici="can_inc_cha_ope_sea", receipts="tot_rec",
                        cash="cas_on_han_clo_of_per", cvg_end="cov_end_dat", office="can_off"),
    "summary-new": dict(fec_id="Cand_Id", name="Cand_Name", state="Cand_Office_St", district="Cand_Office_Dist",
                        party="Cand_Party_Affiliation", ici="Cand_Incumbent_Challenger_Open_Seat",
                        receipts="Total_Receipt", cash="Cash_On_Hand_COP", cvg_end="Coverage_End_Date",
                        office="Cand_Office"),
    # the FEC viewer layout of 2016: spelled-out headers, no total receipts (``Total Contributions`` is
    # individual + party + other-committee + candidate contributions: loans are not in it), money as
    # "$1,234.56 " with negatives in parentheses, the second "Candidate State" column is the ZIP code
    "summary-2016": dict(fec_id="Candidate ID", name="Candidate Name", state="Candidate Office State",
                         district="Candidate Office District", party="Candidate Party Affiliation",
                         ici="Candidate Incumbant Challenger Open Seat", receipts="Total Contributions",
                         cash="Cash on Hand Close of Period", cvg_end="Coverage End Date",
                         office="Candidate Office"),
}
_DATE_FORMAT = {"weball": "%m/%d/%Y", "summary-old": "%Y-%m-%d", "summary-new": "%m/%d/%Y",
                "summary-2016": "%m/%d/%Y"}
_PARTY = {"DEM": "D", "DFL": "D", "DNL": "D", "REP": "R", "GOP": "R"}
_ICI = {"I": "I", "C": "C", "O": "O", "INCUMBENT": "I", "CHALLENGER": "C", "OPEN": "O"}


# ----------------------------------------------------------------------------------------------
# Names

NAME_MATCH_MIN = 0.7   # features.kernel.names.names_match: surname + (initial | nickname | missing given name)


def surname_token(name) -> str:
    """Last word of the parsed surname ('Ocasio-Cortez, Alexandria' and 'Alexandria Ocasio-Cortez' -> 'cortez')."""
    last = parse_name(name).last
    return last.split()[-1] if last else ""


def is_same_person(a, b) -> bool:
    """True when ``features.kernel.names.names_match`` scores two names as the same person."""
    return names_match(a, b) >= NAME_MATCH_MIN


# ----------------------------------------------------------------------------------------------
# Reading the FEC files


def _read_raw(raw: Path, relpath: str, fmt: str) -> tuple[pd.DataFrame, Path]:
    if fmt == "weball":
        df, path = read_weball_file(raw, relpath, index_col=False)
    else:
        df = read_csv(raw, relpath, dtype=str, keep_default_na=False, encoding="latin-1")
        path = Path(raw) / relpath
        if fmt == "summary-2016":          # "Coverage End Date " and "Campaign Report  URL" carry spaces
            df.columns = [str(c).strip() for c in df.columns]
    require_columns(df, list(_FORMATS[fmt].values()), path)
    return df, path


def _district(series: pd.Series, rows: pd.Series, path: Path, field: str) -> pd.Series:
    s = series.astype("string").str.strip()
    out = pd.to_numeric(s.mask(s == ""), errors="coerce")
    bad = out.isna() & s.ne("") & s.notna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, f"not a district number: {s.iloc[i]!r}", row=int(rows.iloc[i]), field=field)
    return out.astype("Int64")


def candidate_money(raw: Path, cycle: int, kind: str) -> pd.DataFrame:
    """House candidates' receipts and cash on hand from one FEC summary file.

    Parameters
    ----------
    raw : the raw-data folder
    cycle : election year (2012-2026 but 2010 have a pre-primary source, 2018 two of them;
        2010-2026 a year-end one). Other cycles of ``ALL_CYCLES`` return an empty table.
    kind : ``'preprimary'`` or ``'yearend'`` (year-end totals leak the primary outcome)

    Returns
    -------
    DataFrame with ``MONEY_COLUMNS``: cycle, fec_id, name, state, district (Int64, 0 = at-large),
    party ('D', 'R' or 'other'), ici ('I'/'C'/'O'/NA), receipts, cash (float dollars), cvg_end
    (Timestamp; NaT when impossible), source_file (path under raw), source_row (1-based data row),
    kind, source (short label), party_raw. House rows only (``H`` candidate IDs).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if cycle not in ALL_CYCLES:
        raise ValueError(f"unknown cycle {cycle}; expected one of {ALL_CYCLES}")
    if kind == "preprimary":
        files = PREPRIMARY_FILES.get(cycle, [])
    else:
        files = [(f"fec-ye-{cycle}", *YEAREND_SOURCES[cycle])] if cycle in YEAREND_SOURCES else []
    if not files:
        return _empty_money()
    parts = [_file_money(Path(raw), cycle, kind, *f) for f in files]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _file_money(raw: Path, cycle: int, kind: str, label: str, relpath: str, fmt: str,
                snapshot: str) -> pd.DataFrame:
    """House candidates' money from one FEC file (``candidate_money``'s columns)."""
    df, path = _read_raw(raw, relpath, fmt)
    cols = _FORMATS[fmt]
    df = df.reset_index(drop=True)
    df["_row"] = np.arange(1, len(df) + 1)
    if fmt == "weball":   # ghost committees: a senator's twin ID, a dormant old committee
        from features.contests.fec_active import inactive_reasons
        from features.kernel.constants import LIVE_CYCLE
        df["_inactive"] = inactive_reasons(df, cycle, live=cycle == LIVE_CYCLE, file=path)
    else:
        df["_inactive"] = pd.Series(pd.NA, index=df.index, dtype="string")
    ids = df[cols["fec_id"]].astype("string").str.strip()
    house = ids.str.startswith("H", na=False)
    if "office" in cols:  # candidate-summary formats also carry the office letter
        house &= df[cols["office"]].astype("string").str.strip().eq("H")
    df = df[house]

    receipts_s = df[cols["receipts"]].astype("string").str.strip()
    dates_s = df[cols["cvg_end"]].astype("string").str.strip()
    if fmt != "weball":  # registered candidates that never filed: no money, no coverage date
        df = df[dates_s.ne("") | (receipts_s.ne("") & receipts_s.ne("0"))]
    rows = df["_row"]
    out = pd.DataFrame({
        "cycle": cycle,
        "fec_id": df[cols["fec_id"]].astype("string").str.strip(),
        "name": df[cols["name"]].astype("string").str.strip().str.replace(r"\s+", " ", regex=True),
        "state": df[cols["state"]].astype("string").str.strip(),
        "district": _district(df[cols["district"]], rows, path, cols["district"]),
        "party_raw": df[cols["party"]].astype("string").str.strip(),
    }, index=df.index)
    out["party"] = out["party_raw"].map(lambda p: _PARTY.get(p, "other") if isinstance(p, str) else "other")
    out["ici"] = df[cols["ici"]].astype("string").str.strip().str.upper().map(_ICI).astype("string")
    for col in ("receipts", "cash"):
        s = df[cols[col]].astype("string").str.strip()
        # Empty money cells in a filed summary mean zero (fec_preprimary/README.md, format notes).
        s = s.mask(s.eq("") & dates_s.loc[df.index].ne(""), "0")
        # accounting negatives: "($547.49)" (the 2016 layout)
        s = s.str.replace(r"^\(\s*\$?([0-9.,]+)\s*\)$", r"-\1", regex=True)
        out[col] = _to_number_rows(s, rows, path, cols[col])
    cvg = _parse_date_rows(df[cols["cvg_end"]], rows, path, cols["cvg_end"], _DATE_FORMAT[fmt])
    out["cvg_end"] = cvg.mask(cvg > pd.Timestamp(snapshot))
    out["source_file"] = pd.Series(relpath, index=out.index, dtype="string")
    out["source_row"] = rows.astype(int)
    out["kind"] = pd.Series(kind, index=out.index, dtype="string")
    out["source"] = pd.Series(label, index=out.index, dtype="string")
    out["inactive"] = df["_inactive"].astype("string")
    out["cycle"] = out["cycle"].astype(int)
    return out[MONEY_COLUMNS].reset_index(drop=True)


def _to_number_rows(s: pd.Series, rows: pd.Series, path: Path, field: str) -> pd.Series:
    try:
        return to_number(s, path, field)
    except InputError as exc:  # re-label the row with the file's own data-row number
        bad = rows.iloc[exc.row - 1] if exc.row is not None else None
        raise InputError(path, exc.reason, row=int(bad) if bad is not None else None, field=field) from None


def _parse_date_rows(s: pd.Series, rows: pd.Series, path: Path, field: str, fmt: str) -> pd.Series:
    try:
        return parse_date(s, path, field, fmt=fmt)
    except InputError as exc:
        bad = rows.iloc[exc.row - 1] if exc.row is not None else None
        raise InputError(path, exc.reason, row=int(bad) if bad is not None else None, field=field) from None


def _empty_money() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype="object") for c in MONEY_COLUMNS})
    df["cycle"] = df["cycle"].astype(int)
    df["district"] = df["district"].astype("Int64")
    df["receipts"] = df["receipts"].astype(float)
    df["cash"] = df["cash"].astype(float)
    df["cvg_end"] = pd.to_datetime(df["cvg_end"])
    return df


# ----------------------------------------------------------------------------------------------
# Features of a contest row

_OUT = {
    "preprimary": dict(inc_receipts="inc_receipts", inc_cash="inc_cash", chal_receipts="chal_receipts",
                       chal_cash="chal_cash", chal_name_fec="chal_name_fec", money_ratio="money_ratio",
                       cvg_end="money_cvg_end", source="money_source"),
    "yearend": dict(inc_receipts="inc_receipts_ye", inc_cash="inc_cash_ye", chal_receipts="chal_receipts_ye",
                    chal_cash="chal_cash_ye", chal_name_fec="chal_name_fec_ye", money_ratio="money_ratio_ye",
                    cvg_end="money_ye_cvg_end", source="money_ye_source"),
}


#: pre-primary money columns -> their names at the early-warning horizon (``features.kernel.columns`` money_early)
EARLY_NAMES = {"inc_receipts": "inc_receipts_early", "inc_cash": "inc_cash_early",
               "chal_receipts": "chal_receipts_early", "chal_cash": "chal_cash_early",
               "chal_name_fec": "chal_name_fec_early", "money_ratio": "money_ratio_early",
               "money_cvg_end": "money_early_cvg_end", "money_source": "money_early_source"}


def race_money(contests: pd.DataFrame, money: pd.DataFrame, as_of=None, prefix: str = "",
               seated: dict[str, dict[int, pd.Timestamp]] | None = None) -> pd.DataFrame:
    """Incumbent and top-challenger money for each contest row, as of a date.

    Parameters
    ----------
    contests : contest rows (``cycle, state, district, party, incumbent`` and, if known, ``fec_id``)
    money : output of :func:`candidate_money` (one kind; several files of that kind may be
        concatenated: per candidate the latest usable coverage end wins)
    as_of : Timestamp, or Series aligned with ``contests`` (one date per row). Only money rows with
        ``cvg_end <= as_of`` are used; a NaT as-of or a NaT coverage end uses nothing. Required for
        pre-primary money. For year-end money ``None`` means unfiltered (``pd.Timestamp.max`` is
        the same): those totals leak the outcome by construction and carry their real coverage end
        in ``money_ye_cvg_end``, so the model matrix and the leak test can see them for what they are.
    prefix : ``''`` names the columns after the money kind (``money`` or ``money_yearend`` group of
        ``features.kernel.columns``); ``'ye'`` forces the year-end names; any other string is prepended to
        the kind's names (e.g. to keep two snapshots side by side).

    Returns
    -------
    DataFrame on ``contests.index`` with, for pre-primary money, ``inc_receipts, inc_cash,
    chal_receipts, chal_cash, chal_name_fec, money_ratio, money_cvg_end, money_source`` and, for
    year-end money, ``inc_receipts_ye, inc_cash_ye, chal_receipts_ye, chal_cash_ye, money_ratio_ye,
    money_ye_cvg_end`` plus ``chal_name_fec_ye, money_ye_source``.

    The incumbent is found by ``fec_id`` (any district: FEC registration districts lag redistricting),
    else by surname + first initial among the state's rows (FEC incumbents and the same district
    first). The challenger is the same-district candidate with the largest receipts among those of
    the incumbent's party (any party in top-two/top-four and Louisiana all-party contests), excluding
    the incumbent, FEC duplicates of the incumbent (a second ID with the same name or identical
    money), committees ``features.contests.fec_active`` finds inactive (``inactive`` column: a sitting
    senator's twin, OK-2 Mullin 2026; a dormant old committee, MA-8 Kennedy 2026) and members who are the incumbent of another contest row in ``contests`` (FEC
    registration districts lag redistricting); a member-vs-member opponent named in
    ``other_incumbent`` is taken from any district. With ``seated`` (FEC ID -> {Congress: first
    day}, ``features.contests.legislators.member_fec_ids``), the committee of someone who sits in Congress,
    either chamber, in the Congress of the row's as-of date (or of its primary, whichever is earlier)
    and had taken the seat by then is not a challenger either: a senator's old House committee, a
    member who left during that Congress, or the incumbent's second ID under another name (2020 AZ-9
    Sinema, WI-7 Duffy; 2016 PA-3 "KELLY, GEORGE J JR").  A former member of an earlier Congress
    running again stays a challenger (2026 MO-1 Bush, MD-6 Trone). Where the incumbent took the seat in
    a special election of the Congress sitting during the cycle, a registrant the FEC lists for an
    open seat (``ici`` 'O') is a candidate of that special election, not a challenger (2014 SC-1
    Sanford: Limehouse; 2018 GA-6 Handel: Moody; 2022 OH-15 Carey: Hwang). ``money_ratio`` = inc / (inc + chal) receipts, counting a challenger without a money row
    as 0; NA when the incumbent has no money row or both are 0. ``money_cvg_end`` is the latest
    coverage end among the rows used.
    """
    require_columns(contests, ["cycle", "state", "district", "party", "incumbent"], "contests")
    require_columns(money, ["cycle", "fec_id", "name", "state", "district", "party", "receipts", "cash",
                            "cvg_end"], "money")
    kinds = set(money["kind"].dropna().unique()) if "kind" in money.columns else {"preprimary"}
    if len(kinds) > 1:
        raise ValueError(f"race_money needs one kind of money at a time, got {sorted(kinds)}")
    kind = kinds.pop() if kinds else "preprimary"
    if prefix == "ye":
        kind, prefix = "yearend", ""
    names = _OUT[kind]
    if as_of is None and kind == "preprimary" and len(money):
        raise ValueError("pre-primary money needs an as_of date (Timestamp or Series)")
    as_of_s = None if as_of is None else as_of_series(as_of, contests.index)
    by_state = _pools(money)
    # FEC IDs of the members who are the incumbent of some contest row, per (cycle, state): FEC
    # registration districts lag redistricting (2022: Nadler is still filed under NY-10), so a member
    # running elsewhere must not become another district's "challenger"; a member-vs-member opponent
    # (``other_incumbent``) is looked up in any district.
    members: dict[tuple[int, str], set[str]] = {}
    # each row's incumbent in the whole file (their latest report may postdate the as-of date): whether
    # a special election of the cycle's Congress seated them (``_seated_by_special``)
    special: dict = {}
    for idx, row in contests.iterrows():
        key = (int(row["cycle"]), row["state"])
        hit = _find_incumbent(row, by_state.get(key, []))
        if hit is not None:
            members.setdefault(key, set()).add(hit["fec_id"])
        inc_id = str(hit["fec_id"]).strip().upper() if hit is not None else ""
        special[idx] = bool(inc_id) and _seated_by_special((seated or {}).get(inc_id), key[0], inc_id)
    records = []
    for idx, row in contests.iterrows():
        key = (int(row["cycle"]), row["state"])
        pool = by_state.get(key, [])
        if as_of_s is not None:
            a = as_of_s.loc[idx]
            pool = [r for r in pool if pd.notna(a) and pd.notna(r["cvg_end"]) and r["cvg_end"] <= a]
        else:
            a = pd.NaT
        when = _seated_by(a, row.get("primary_date"))
        records.append(_race_record(row, _latest_per_candidate(pool), names, members.get(key, set()),
                                    seated or {}, when, special[idx]))
    out = pd.DataFrame.from_records(records, index=contests.index, columns=list(names.values()))
    for c in (names["inc_receipts"], names["inc_cash"], names["chal_receipts"], names["chal_cash"],
              names["money_ratio"]):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out[names["cvg_end"]] = pd.to_datetime(out[names["cvg_end"]]).astype("datetime64[ns]")
    for c in (names["chal_name_fec"], names["source"]):
        out[c] = out[c].astype("string")
    return out.add_prefix(prefix) if prefix else out


def _pools(money: pd.DataFrame) -> dict[tuple[int, str], list[dict]]:
    """Money rows as plain records grouped by (cycle, state): the per-contest work stays in Python."""
    m = pd.DataFrame({
        "cycle": money["cycle"].astype(int), "state": money["state"].astype(object),
        "fec_id": money["fec_id"].astype(object), "name": money["name"].astype(object),
        "district": money["district"].astype(object).where(money["district"].notna(), None),
        "party": money["party"].astype(object),
        "ici": _first_column(money, ("ici",)).map(lambda v: v if isinstance(v, str) else None),
        "receipts": money["receipts"].astype(float), "cash": money["cash"].astype(float),
        "cvg_end": pd.to_datetime(money["cvg_end"]),
        "source": _first_column(money, ("source", "source_file")),
        "inactive": _first_column(money, ("inactive",)).map(lambda v: v if isinstance(v, str) else None),
    })
    m["_last"] = [surname_token(n) for n in m["name"]]
    pools: dict[tuple[int, str], list[dict]] = {}
    for rec in m.to_dict("records"):
        pools.setdefault((rec["cycle"], rec["state"]), []).append(rec)
    return pools


def _first_column(df: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    for name in names:
        if name in df.columns:
            return df[name].astype(object)
    return pd.Series(None, index=df.index, dtype=object)


def _latest_per_candidate(pool: list[dict]) -> list[dict]:
    """One row per FEC ID: the latest coverage end (several files of one kind concatenated)."""
    best: dict[str, dict] = {}
    for r in pool:
        cur = best.get(r["fec_id"])
        if cur is None or (pd.notna(r["cvg_end"]) and (pd.isna(cur["cvg_end"]) or r["cvg_end"] > cur["cvg_end"])):
            best[r["fec_id"]] = r
    return list(best.values())


@lru_cache(maxsize=65536)
def _same_person_cached(a: str, b: str) -> bool:
    return is_same_person(a, b)


def _matches(rec: dict, name, last: str) -> bool:
    """Whether a money record is the person ``name`` (surname pre-filter, then names_match)."""
    return bool(last) and rec["_last"] == last and _same_person_cached(str(rec["name"]), str(name))


def _find_incumbent(row, pool: list[dict]) -> dict | None:
    fec_id = row.get("fec_id")
    if isinstance(fec_id, str) and fec_id.strip():
        for r in pool:
            if r["fec_id"] == fec_id.strip():
                return r
    name = row["incumbent"]
    last = surname_token(name)
    cand = [r for r in pool if _matches(r, name, last)]
    if not cand:
        return None

    # prefer FEC incumbents, then the same district, then the same party, then the most money
    district = None if pd.isna(row["district"]) else int(row["district"])

    def score(r):
        money = r["receipts"] if pd.notna(r["receipts"]) else -1.0
        return (r["ici"] == "I", r["district"] == district, r["party"] == row["party"], money)
    return max(cand, key=score)


def _seated_by(as_of, primary_date) -> pd.Timestamp:
    """The date at which a member's committee stops counting as a challenger's: the as-of date or the
    primary, whichever is earlier (NaT if neither is known)."""
    dates = [pd.Timestamp(d) for d in (as_of, primary_date) if d is not None and pd.notna(d)]
    return min(dates) if dates else pd.NaT


def _sits(days: dict[int, pd.Timestamp] | None, when: pd.Timestamp) -> bool:
    """True if ``days`` (Congress -> first day) seats its holder in ``when``'s Congress by ``when``."""
    if not days:
        return False
    first = days.get(congress_of_date(when))
    return first is not None and first <= when


def _seated_by_special(days: dict[int, pd.Timestamp] | None, cycle: int, fec_id: str) -> bool:
    """True if a special election of the Congress sitting during ``cycle``'s primaries seated the member
    whose ``days`` (Congress -> first day) and FEC ID are given: new in that Congress (not in the one
    before) and either seated after its first week (the exact day is known for current members) or,
    in their first Congress ever, registered with the FEC in this cycle (ID ``H8...`` for 2018), which
    a member elected in the previous November is not."""
    c = congress_for_cycle(cycle)
    if not days or c not in days or (c - 1) in days:
        return False
    return (days[c] > congress_start(c) + pd.Timedelta(days=7)
            or (min(days) == c and fec_id[1:2] == str(cycle % 10)))


def _race_record(row, pool: list[dict], names: dict, members: set[str],
                 seated: dict[str, dict[int, pd.Timestamp]], when: pd.Timestamp,
                 special: bool = False) -> dict:
    """One row's money; with ``special`` (the incumbent won this Congress's special election) an FEC
    "open seat" registrant ran for that open seat and is not a challenger (2018 GA-6 Handel: Moody)."""
    rec = dict.fromkeys(names.values(), pd.NA)
    inc = _find_incumbent(row, pool)
    cycle, state, party = int(row["cycle"]), row["state"], row["party"]
    all_party = bool(top_two_rule(state, cycle)) or louisiana_jungle(state, cycle)
    inc_last = surname_token(row["incumbent"])
    district = None if pd.isna(row["district"]) else int(row["district"])
    other = row.get("other_incumbent")
    other = other if isinstance(other, str) and other.strip() else None
    other_last = surname_token(other) if other else ""
    field = []
    for r in pool:
        if r is inc:
            continue
        is_other = other is not None and _matches(r, other, other_last)
        if not is_other and (district is None or r["district"] != district or r["fec_id"] in members):
            continue
        if not all_party and r["party"] != party:
            continue
        if isinstance(r["inactive"], str):
            continue      # features.contests.fec_active: a senator's twin committee or a dormant old one
        if not is_other and pd.notna(when) and _sits(seated.get(str(r["fec_id"]).upper()), when):
            continue      # a committee of someone sitting in Congress
        if special and r["ici"] == "O":
            continue      # a candidate in the special election the incumbent won, not a challenger
        if _matches(r, row["incumbent"], inc_last):
            continue
        if inc is not None and (r["fec_id"] == inc["fec_id"] or _matches(r, inc["name"], inc["_last"])
                                or (r["receipts"] == inc["receipts"] and r["cash"] == inc["cash"]
                                    and r["cvg_end"] == inc["cvg_end"])):
            continue      # a second FEC ID of the incumbent (same committee, identical money)
        field.append(r)
    chal = max(field, key=lambda r: r["receipts"] if pd.notna(r["receipts"]) else -np.inf) if field else None
    used = [r for r in (inc, chal) if r is not None]
    if inc is not None:
        rec[names["inc_receipts"]] = inc["receipts"]
        rec[names["inc_cash"]] = inc["cash"]
    if chal is not None:
        rec[names["chal_receipts"]] = chal["receipts"]
        rec[names["chal_cash"]] = chal["cash"]
        rec[names["chal_name_fec"]] = chal["name"]
    if inc is not None and pd.notna(inc["receipts"]):
        c = chal["receipts"] if chal is not None and pd.notna(chal["receipts"]) else 0.0
        total = inc["receipts"] + c
        rec[names["money_ratio"]] = inc["receipts"] / total if total > 0 else pd.NA
    if used:
        rec[names["cvg_end"]] = max((r["cvg_end"] for r in used if pd.notna(r["cvg_end"])), default=pd.NaT)
        rec[names["source"]] = ";".join(dict.fromkeys(str(r["source"]) for r in used))
    return rec


# ----------------------------------------------------------------------------------------------
# Snapshots taken after the primary


def snapshot_dates(money_source: pd.Series) -> pd.Series:
    """The date the pre-primary file behind each row's money was copied (``PREPRIMARY_FILES``).

    ``money_source`` holds ``fec-pre-YYYY`` labels (several joined by ``;``: the latest copy counts);
    anything else, or missing, gives NaT.
    """
    dates = {label: pd.Timestamp(snap) for files in PREPRIMARY_FILES.values() for label, _, _, snap in files}

    def one(value) -> pd.Timestamp:
        if not isinstance(value, str):
            return pd.NaT
        found = [dates[s.strip()] for s in value.split(";") if s.strip() in dates]
        return max(found) if found else pd.NaT

    return pd.to_datetime(pd.Series([one(v) for v in money_source], index=money_source.index))


def post_primary_snapshot(table: pd.DataFrame, source: str = "money_source") -> pd.Series:
    """True where a row's pre-primary money (the labels in column ``source``; ``money_early_source`` for
    the year-end vintage) comes from a file copied on or after its primary day.

    Such a file was assembled when the result was known: which report is a candidate's latest, and
    whether a candidate still files at all, can reflect the outcome (a beaten member stops filing).
    2012's copy (2012-08-29) is post-primary for every state but MA, NH, RI, DE and LA; 2014's and
    2018's for TX and IL; 2022's for TX; 2024's (2024-03-07) for the 5 March primaries; 2026's
    (2026-03-24) for the March 2026 primaries.  ``features.view.asof`` masks that money in the
    pre-primary mode and ``assert_as_of`` refuses it.
    """
    if source not in table.columns or "primary_date" not in table.columns:
        return pd.Series(False, index=table.index)
    snap = snapshot_dates(table[source])
    primary = pd.to_datetime(table["primary_date"])
    return (snap.notna() & primary.notna() & (snap >= primary)).astype(bool)
