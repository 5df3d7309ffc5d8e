"""Candidate-level House results 2002-2020 from the FEC "Federal Elections" workbooks and fec20.

``load_fec_candidates(raw, cycle)`` returns one row per candidate x ballot line in a House race
(voting members only), with the primary, runoff and general votes as printed by the FEC and a few
derived flags. 2002-2018 come from the FEC workbooks in ``fec-federal-elections/``; 2020 from the
``fec20`` R package tables in ``fec20-rpackage/`` (names joined from ``candidates.csv``).

Traps handled here (see SOURCES.md section 1-2):
- the House sheet and its columns are located by header text (names drift by year);
- House rows only: FEC ID starting with ``H`` (2002-2012 sheets mix in the Senate), plus rows with
  no FEC ID but a numbered district and a name: write-in aggregates ('Scattered', 'W(D)') and
  candidates who never registered with the FEC, whose votes are in the primary totals the FEC
  shares are computed on (e.g. IA 2010, NY-10 2006); delegates (AS/DC/GU/MP/PR/VI) dropped;
  same-day special-election rows (``UNEXPIRED TERM``, ``03*`` in 2006) dropped;
- party cells are cleaned of U+00A0 and spaces (KS-1 2016 ``R\\xa0``), footnote marks and the
  ``Combined Parties`` suffix. ``party`` is the party line of the candidate's *primary*: the first
  component of fusion codes (``D/WF`` -> D, ``R/W`` -> R, ``W(R)/R`` -> R as a write-in), DFL/DNL -> D;
  write-in lines (``W(D)``, ``W(R)``) keep ``write_in = True`` and are never the D/R ballot line;
- a candidate's fusion total rows (NY ``D/WF Combined Parties``, 2002 ``D/IDP/L/WF``) are marked
  ``fusion_total`` when the same candidate has a separate row for the same primary line (this also
  marks the second listing of 2006 TX-15/21/23/25/28, whose March primaries were voided by a court
  and re-run as all-party November specials: the primary rows are kept, the November rows marked);
- a candidate is FEC ID + surname within a district (2010 IA-1 prints one ID for two people);
- the (I) flag is propagated to all of a candidate's rows in the district (2002 NY puts it on the
  fusion total row only);
- vote cells: numbers, ``Unopposed``, ``Winner``/``Loser``, ``*``/``**``/``C`` (convention),
  ``#`` (put on the ballot after the primary), ``Withdrew``, ``?`` (unknown), ``n/a``; anything else
  raises InputError naming the file, row and field.
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from features.kernel.constants import DELEGATE_STATES, STATES
from features.kernel.errors import InputError
from features.kernel.rawio import require_file

FEC_DIR = "fec-federal-elections"
FEC20_DIR = "fec20-rpackage"
FEC_WORKBOOKS = {
    2002: "2002fedresults.xls",
    2004: "federalelections2004.xls",
    2006: "federalelections2006.xls",
    2008: "federalelections2008.xls",
    2010: "federalelections2010.xls",
    2012: "federalelections2012.xls",
    2014: "federalelections2014.xls",
    2016: "federalelections2016.xlsx",
    2018: "federalelections2018.xlsx",
}
FEC20_CYCLE = 2020

COLUMNS = [
    "cycle", "state", "district", "fec_id", "name", "party", "incumbent_flag", "primary_votes",
    "primary_pct", "primary_unopposed", "runoff_votes", "runoff_pct", "general_votes", "source_file",
    "source_row",
    # extras (documented in load_fec_candidates)
    "party_raw", "write_in", "fusion_total", "primary_status", "runoff_status", "general_status",
    "general_pct",
    "ge_runoff_votes", "ge_runoff_pct", "ge_winner", "name_footnote", "footnote",
]

# canonical field -> accepted header texts (upper-cased, whitespace collapsed), in order of preference
_HEADERS: dict[str, tuple[str, ...]] = {
    "state": ("STATE ABBREVIATION", "STATE"),
    "district": ("DISTRICT", "D"),
    "fec_id": ("FEC ID#", "FEC ID"),
    "incumbent": ("INCUMBENT INDICATOR (I)", "INCUMBENT INDICATOR", "(I)"),
    "name": ("CANDIDATE NAME (LAST, FIRST)", "LAST NAME, FIRST", "CANDIDATE NAME"),
    "party": ("PARTY",),
    "primary_votes": ("PRIMARY VOTES", "PRIMARY RESULTS", "PRIMARY"),
    "primary_pct": ("PRIMARY %",),
    "runoff_votes": ("RUNOFF VOTES", "RUNOFF RESULTS", "RUNOFF"),
    "runoff_pct": ("RUNOFF %",),
    "general_votes": ("GENERAL VOTES", "GENERAL RESULTS", "GENERAL"),
    "general_pct": ("GENERAL %",),
}
_OPTIONAL_PREFIX = {
    "ge_runoff_votes": ("GE RUNOFF ELECTION VOTES", "GENERAL RUNOFF RESULTS", "GE RUNOFF"),
    "ge_runoff_pct": ("GE RUNOFF ELECTION %", "GENERAL RUNOFF %", "GE RUNOFF %"),
    "ge_winner": ("GE WINNER INDICATOR",),
    "footnote": ("FOOTNOTES", "NOTES"),
}

_D_CODES = {"D", "DEM", "DFL", "DNL", "D(UND)", "D(N)"}
_R_CODES = {"R", "REP", "GOP"}
_NBSP = "\u00a0"

# vote-cell tokens -> status (values compared after upper-casing and removing spaces)
_VOTE_TOKENS = {
    "": "none", "UNOPPOSED": "unopposed", "WINNER": "winner", "WINNER*": "winner", "LOSER": "loser",
    "*": "convention", "**": "convention", "C": "convention", "CONVENTION": "convention",
    "#": "substituted", "##": "substituted", "WITHDREW": "withdrew",
    "?": "unknown", "??": "unknown", "???": "unknown", "????": "unknown", "?????": "unknown",
    "N/A": "none", "COMBINEDPARTIES:": "none", "COMBINEDPARTIES": "none",
}
_PCT_TOKENS = {"", "?", "??", "???", "????", "?????", "G", "#", "*", "N/A", "CONVENTION",
               "COMBINEDPARTIES:", "COMBINEDPARTIES"}
_NUM_RE = re.compile(r"^\[?(\d[\d,]*(?:\.\d+)?)\]?(\**)$")


# ---------------------------------------------------------------------------------------------
# small cell parsers (public so other results modules can reuse them)
# ---------------------------------------------------------------------------------------------
def clean_text(value) -> str:
    """Cell -> str without NBSP, surrounding whitespace or doubled spaces ('' for blanks)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = str(value).replace(_NBSP, " ").replace("\r", " ").replace("\n", " ")
    return re.sub(r"\s+", " ", text).strip()


def parse_vote_cell(value, file, row, field: str) -> tuple[float, str]:
    """Parse a votes cell -> (votes or NaN, status).

    status is one of 'votes', 'unopposed', 'winner', 'loser', 'convention' (nominated or voted at
    a convention; votes may be given, e.g. VA 2014 '7,337**'), 'substituted' ('#': put on the ballot
    after the primary), 'withdrew', 'unknown' ('?'), 'none' (blank / n/a / a label), 'component'
    (a bracketed fusion component, 2002 NY general).
    """
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if np.isnan(value):
            return np.nan, "none"
        return float(value), "votes"
    text = clean_text(value)
    key = text.upper().replace(" ", "")
    if key.startswith("UNOPPOSED"):          # 'Unopposed', 'Unopposed (R)'
        return np.nan, "unopposed"
    if key.startswith("WITHDREW"):           # 'Withdrew', 'Withdrew -- after primary?' (2008)
        return np.nan, "withdrew"
    if key in _VOTE_TOKENS:
        return np.nan, _VOTE_TOKENS[key]
    m = _NUM_RE.match(text.replace(" ", ""))
    if m:
        votes = float(m.group(1).replace(",", ""))
        if m.group(2):
            return votes, "convention"
        return votes, "component" if text.startswith("[") else "votes"
    raise InputError(file, f"unparseable vote cell {text!r}", row=row, field=field)


def parse_pct_cell(value, file, row, field: str) -> float:
    """Parse a share cell (a 0-1 fraction); footnote tokens such as '?', 'G', '#' -> NaN."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = clean_text(value)
    if text.upper().replace(" ", "") in _PCT_TOKENS:
        return np.nan
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise InputError(file, f"unparseable share cell {text!r}", row=row, field=field) from None


def parse_party(raw_party: str, state: str = "") -> tuple[str, bool, bool]:
    """Party cell -> (primary-line party, write_in, combined).

    The primary line is the first component of a fusion code; 'D'/'R' for the major parties
    (DEM, DFL, DNL (ND Democratic-NPL), GOP, AK 'D(UND)' ...), otherwise the cleaned code.
    """
    text = clean_text(raw_party).upper()
    combined = "COMBINED" in text
    text = re.sub(r"COMBINED PARTIES:?", "", text).strip(" :")
    first = re.split(r"/| AND ", text)[0].strip().rstrip("*#").strip()
    first = first.replace(" ", "")
    write_in = False
    m = re.fullmatch(r"W\((.+)\)", first)
    if m:
        write_in, first = True, m.group(1).rstrip("*#")
    if state == "AK" and first == "N(D)":          # AK: nonpartisan candidate in the D primary
        first = "D"
    if first in _D_CODES:
        return "D", write_in, combined
    if first in _R_CODES:
        return "R", write_in, combined
    return first, write_in, combined


def parse_district(value, file, row) -> tuple[int | None, bool]:
    """District cell -> (district number, is_unexpired_term_special). 'S' (Senate) -> (None, False)."""
    text = clean_text(value).upper()
    if text in ("S", ""):
        return None, False
    special = "UNEXPIRED" in text or text.endswith("*")
    m = re.match(r"^(\d{1,2})", text)
    if not m:
        raise InputError(file, f"unparseable district {text!r}", row=row, field="DISTRICT")
    return int(m.group(1)), special


_FEC_ID = re.compile(r"^H\d[A-Z]{2}\d{5}$")


def clean_fec_id(text: str, state: str) -> str | None:
    """A House candidate ID 'H' + digit + state + 5 digits, or None.

    One typo is repaired when it is unambiguous: a '1'/'0' standing for 'I'/'O' in the state part
    when the repaired state is the row's state (2012 ID-2 Mike Simpson 'H81D02064' -> 'H8ID02064')."""
    text = clean_text(text).upper()
    if _FEC_ID.match(text):
        return text
    if len(text) == 9 and text.startswith("H"):
        fixed = text[:2] + text[2:4].replace("1", "I").replace("0", "O") + text[4:]
        if _FEC_ID.match(fixed) and fixed[2:4] == state:
            return fixed
    return None


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def clean_name(value) -> tuple[str, bool]:
    """Name cell -> (name without footnote marks, had_footnote_mark)."""
    text = clean_text(value)
    mark = bool(re.search(r"[#*]+\s*$", text))
    text = re.sub(r"[\s#*]+$", "", text)
    return text, mark


# ---------------------------------------------------------------------------------------------
# workbook reading
# ---------------------------------------------------------------------------------------------
def _norm_header(value) -> str:
    return clean_text(value).upper()


def open_workbook(path: Path) -> pd.ExcelFile:
    """Open a workbook once (sheet names and sheets are then read from the same handle)."""
    try:
        with warnings.catch_warnings():       # xlrd (.xls) is deprecated in pandas; calamine is not installed
            warnings.simplefilter("ignore", category=FutureWarning)
            warnings.filterwarnings("ignore", message=".*xlrd engine is deprecated.*")
            return pd.ExcelFile(path)
    except Exception as exc:  # xlrd/openpyxl raise many types
        raise InputError(path, f"cannot open workbook: {exc}") from exc


def _house_sheet(book: pd.ExcelFile, path: Path) -> str:
    for name in book.sheet_names:
        up = name.upper()
        if "HOUSE" in up and ("RESULT" in up or "RESUT" in up):
            return name
    raise InputError(path, f"no House results sheet (sheets: {book.sheet_names})", field="sheet")


def _locate_columns(header: list[str], path: Path) -> dict[str, int]:
    cols: dict[str, int] = {}
    for key, aliases in _HEADERS.items():
        for alias in aliases:
            if alias in header:
                cols[key] = header.index(alias)
                break
        else:
            raise InputError(path, f"expected header missing (one of {aliases})", row=1, field=key)
    for key, prefixes in _OPTIONAL_PREFIX.items():
        for prefix in prefixes:
            hits = [i for i, h in enumerate(header) if h.startswith(prefix)]
            if hits:
                cols[key] = hits[0]
                break
    return cols


def read_house_sheet(raw: Path, cycle: int) -> tuple[pd.DataFrame, Path, dict[str, int], int]:
    """Return (cells as objects, workbook path, column positions, header row index) for a cycle."""
    if cycle not in FEC_WORKBOOKS:
        raise InputError(FEC_DIR, f"no FEC workbook known for cycle {cycle}", field="cycle")
    path = require_file(raw, f"{FEC_DIR}/{FEC_WORKBOOKS[cycle]}")
    with open_workbook(path) as book:
        cells = pd.read_excel(book, sheet_name=_house_sheet(book, path), header=None, dtype=object)
    header_row = None
    for i in range(min(15, len(cells))):
        if any(_norm_header(v).startswith("FEC ID") for v in cells.iloc[i]):
            header_row = i
            break
    if header_row is None:
        raise InputError(path, "no header row with 'FEC ID' in the first 15 rows", field="FEC ID")
    header = [_norm_header(v) for v in cells.iloc[header_row]]
    return cells, path, _locate_columns(header, path), header_row


def load_fec_candidates(raw: Path, cycle: int) -> pd.DataFrame:
    """Candidate-level House results for one cycle (2002-2020), voting members only.

    Parameters
    ----------
    raw : the raw-data folder
    cycle : 2002, 2004, ..., 2020

    Returns
    -------
    DataFrame with one row per candidate x ballot line:
    cycle, state, district (0 = at-large), fec_id, name ("Last, First" as printed, footnote marks
    removed), party (primary-line party: 'D', 'R' or the cleaned other code), incumbent_flag,
    primary_votes, primary_pct (as printed by the FEC, 0-1), primary_unopposed, runoff_votes,
    runoff_pct, general_votes, source_file, source_row (1-based sheet row / CSV line), and extras:
    party_raw (the cell as printed, NBSP included), write_in, fusion_total (a fusion total
    duplicating the candidate's own line),
    primary_status / runoff_status (see ``parse_vote_cell``), general_pct, ge_runoff_votes,
    ge_runoff_pct (Louisiana December runoff), ge_winner, name_footnote, footnote.
    """
    raw = Path(raw)
    if cycle == FEC20_CYCLE:
        return _load_fec20(raw)
    cells, path, cols, header_row = read_house_sheet(raw, cycle)
    values = cells.to_numpy(dtype=object)
    records = []
    for i in range(header_row + 1, len(values)):
        row = values[i]
        sheet_row = i + 1
        fec_id = clean_text(row[cols["fec_id"]]).upper()
        name, mark = clean_name(row[cols["name"]])
        if not _is_house_candidate_row(fec_id, name, row[cols["district"]]):
            continue
        state = clean_text(row[cols["state"]]).upper()
        if state in DELEGATE_STATES:
            continue
        if state not in STATES:
            raise InputError(path, f"unknown state {state!r}", row=sheet_row, field="STATE")
        district, special = parse_district(row[cols["district"]], path, sheet_row)
        if district is None or special:
            continue
        fec_id = clean_fec_id(fec_id, state)
        cell = row[cols["party"]]
        party_raw = "" if clean_text(cell) == "" else str(cell)      # as printed (NBSP kept)
        party, write_in, combined = parse_party(party_raw, state)
        pv, pstat = parse_vote_cell(row[cols["primary_votes"]], path, sheet_row, "primary_votes")
        rv, rstat = parse_vote_cell(row[cols["runoff_votes"]], path, sheet_row, "runoff_votes")
        gv, gstat = parse_vote_cell(row[cols["general_votes"]], path, sheet_row, "general_votes")
        rec = {
            "cycle": cycle, "state": state, "district": district, "fec_id": fec_id, "name": name,
            "party": party, "incumbent_flag": clean_text(row[cols["incumbent"]]).upper() == "(I)",
            "primary_votes": pv,
            "primary_pct": parse_pct_cell(row[cols["primary_pct"]], path, sheet_row, "primary_pct"),
            "primary_unopposed": pstat == "unopposed", "runoff_votes": rv,
            "runoff_pct": parse_pct_cell(row[cols["runoff_pct"]], path, sheet_row, "runoff_pct"),
            "general_votes": gv, "source_file": f"{FEC_DIR}/{path.name}", "source_row": sheet_row,
            "party_raw": party_raw, "write_in": write_in, "fusion_total": combined,
            "primary_status": pstat, "runoff_status": rstat, "general_status": gstat,
            "general_pct": parse_pct_cell(row[cols["general_pct"]], path, sheet_row, "general_pct"),
            "ge_runoff_votes": np.nan, "ge_runoff_pct": np.nan, "ge_winner": False,
            "name_footnote": mark, "footnote": None,
        }
        if "ge_runoff_votes" in cols:
            rec["ge_runoff_votes"] = parse_vote_cell(row[cols["ge_runoff_votes"]], path, sheet_row,
                                                     "ge_runoff_votes")[0]
        if "ge_runoff_pct" in cols:
            rec["ge_runoff_pct"] = parse_pct_cell(row[cols["ge_runoff_pct"]], path, sheet_row,
                                                  "ge_runoff_pct")
        if "ge_winner" in cols:
            rec["ge_winner"] = clean_text(row[cols["ge_winner"]]).upper().startswith("W")
        if "footnote" in cols:
            rec["footnote"] = clean_text(row[cols["footnote"]]) or None
        records.append(rec)
    if not records:
        raise InputError(path, "no House candidate rows found", field="FEC ID")
    return _finish(pd.DataFrame.from_records(records))


_TOTAL_LABEL = re.compile(r"^(TOTAL|PARTY VOTES|DISTRICT VOTES|SENATE VOTES|DISTRICT \d+$)|:$", re.I)


def _is_house_candidate_row(fec_id: str, name: str, district_cell) -> bool:
    """House candidate rows: FEC ID starting with 'H', or no FEC ID but a numbered district and a
    candidate name (write-in aggregates such as 'Scattered' and candidates who never registered with
    the FEC: their votes are part of the primary the FEC shares are computed on)."""
    if fec_id.startswith("H"):
        return True
    if fec_id not in ("", "N/A", "NA") or not name or _TOTAL_LABEL.search(name):
        return False
    return bool(re.match(r"^\s*\d", clean_text(district_cell)))


def _candidate_key(df: pd.DataFrame) -> pd.Series:
    """A candidate within a district: FEC ID + last name (two 2010 IA-1 candidates share one ID);
    rows without an FEC ID are their own candidate."""
    last = (df["name"].fillna("").map(_strip_accents).str.split(",").str[0].str.upper()
            .str.replace(r"[^A-Z]", "", regex=True))
    key = df["state"] + "|" + df["district"].astype(str) + "|" + df["fec_id"].fillna("") + "|" + last
    return key.where(df["fec_id"].notna(), "row|" + df["source_row"].astype(str))


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Propagate the (I) flag per candidate and mark fusion totals duplicating a candidate's line."""
    df = df.copy()
    df["_cand"] = _candidate_key(df)
    df["incumbent_flag"] = df.groupby("_cand")["incumbent_flag"].transform("max").astype(bool)
    # one primary ballot line per candidate and party: a duplicate without its own primary cell
    # (or labelled 'Combined Parties') is the fusion total of that line.
    has_primary = df["primary_status"].ne("none")
    line = ["_cand", "party", "write_in"]
    n_line = df.groupby(line)["fec_id"].transform("size")
    n_with_primary = has_primary.groupby([df[c] for c in line]).transform("sum")
    dup = n_line > 1
    df["fusion_total"] = df["fusion_total"] | (dup & ~has_primary & (n_with_primary > 0))
    # still duplicated and none has a primary cell: keep the first non-combined row as the line
    still = dup & ~df["fusion_total"]
    if still.any():
        order = df[still].groupby(line).cumcount()
        df.loc[order.index[order > 0], "fusion_total"] = True
    for col in ("incumbent_flag", "primary_unopposed", "write_in", "fusion_total", "ge_winner",
                "name_footnote"):
        df[col] = df[col].astype(bool)
    df["district"] = df["district"].astype(int)
    df["cycle"] = df["cycle"].astype(int)
    df["source_row"] = df["source_row"].astype(int)
    return df[COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# 2020: fec20 R package tables
# ---------------------------------------------------------------------------------------------
_FEC20_REQUIRED = ["state", "district_id", "cand_id", "incumbent", "party", "primary_votes",
                   "primary_percent", "runoff_votes", "runoff_percent", "general_votes",
                   "general_percent", "won", "footnotes"]


def _load_fec20(raw: Path) -> pd.DataFrame:
    path = require_file(raw, f"{FEC20_DIR}/results_house.csv")
    cpath = require_file(raw, f"{FEC20_DIR}/candidates.csv")
    res = pd.read_csv(path, dtype=str, keep_default_na=False)
    cands = pd.read_csv(cpath, dtype=str, keep_default_na=False)
    for frame, p, req in ((res, path, _FEC20_REQUIRED), (cands, cpath, ["cand_id", "cand_name"])):
        missing = [c for c in req if c not in frame.columns]
        if missing:
            raise InputError(p, "expected column missing (header changed?)", row=1, field=missing[0])
    master = (cands.assign(cand_id=cands["cand_id"].map(clean_text).str.upper())
              .drop_duplicates("cand_id").set_index("cand_id"))
    names = master["cand_name"]
    affil = master["cand_pty_affiliation"] if "cand_pty_affiliation" in master else pd.Series(dtype=str)
    # an ID printed on several D/R rows of a district (TN-7 2020: incumbent Mark Green's row carries
    # Democrat Kiran Sreepada's ID): the row whose party contradicts the ID's registration gets
    # neither the ID nor its name (contests_overrides.csv restores the facts)
    ids = res["cand_id"].map(clean_text).str.upper()
    dr_row = res["party"].map(clean_text).isin(["DEM", "REP"])
    dup_id = dr_row & (ids.groupby([res["state"], res["district_id"], ids]).transform("size") > 1)
    records = []
    for i, row in enumerate(res.itertuples(index=False)):
        line = i + 2  # CSV line number (header = line 1)
        state = clean_text(row.state).upper()
        if state in DELEGATE_STATES:
            continue
        if state not in STATES:
            raise InputError(path, f"unknown state {state!r}", row=line, field="state")
        fec_id = clean_text(row.cand_id).upper()
        if not fec_id.startswith("H"):
            continue
        name = names.get(fec_id)
        fec_id = clean_fec_id(fec_id, state)
        district, special = parse_district(row.district_id, path, line)
        if district is None or special:
            continue
        party_raw = clean_text(row.party)
        party, write_in, combined = parse_party(party_raw, state)
        pv, pstat = parse_vote_cell(row.primary_votes, path, line, "primary_votes")
        rv, rstat = parse_vote_cell(row.runoff_votes, path, line, "runoff_votes")
        gv, gstat = parse_vote_cell(row.general_votes, path, line, "general_votes")
        inc = clean_text(row.incumbent).upper()
        if inc not in ("TRUE", "FALSE"):
            raise InputError(path, f"incumbent flag not TRUE/FALSE: {inc!r}", row=line, field="incumbent")
        if dup_id.iloc[i] and {affil.get(fec_id), party_raw} == {"DEM", "REP"}:
            name, fec_id = None, None
        records.append({
            "cycle": FEC20_CYCLE, "state": state, "district": district, "fec_id": fec_id,
            "name": _fec20_name(name) if isinstance(name, str) else None,
            "party": party, "incumbent_flag": inc == "TRUE", "primary_votes": pv,
            "primary_pct": parse_pct_cell(row.primary_percent, path, line, "primary_percent"),
            # the package turned 'Unopposed' into NA: flagged later (no primary votes in the line)
            "primary_unopposed": False, "runoff_votes": rv,
            "runoff_pct": parse_pct_cell(row.runoff_percent, path, line, "runoff_percent"),
            "general_votes": gv, "source_file": f"{FEC20_DIR}/{path.name}", "source_row": line,
            "party_raw": party_raw, "write_in": write_in, "fusion_total": combined,
            "primary_status": pstat, "runoff_status": rstat, "general_status": gstat,
            "general_pct": parse_pct_cell(row.general_percent, path, line, "general_percent"),
            "ge_runoff_votes": np.nan, "ge_runoff_pct": np.nan,
            "ge_winner": clean_text(row.won).upper() == "TRUE",
            "name_footnote": False, "footnote": clean_text(row.footnotes) or None,
        })
    return _finish(pd.DataFrame.from_records(records))


def _fec20_name(name: str) -> str:
    """'OCASIO-CORTEZ, ALEXANDRIA' -> 'Ocasio-Cortez, Alexandria' (FEC master names are upper case)."""
    text = re.sub(r"(?<=[ ,])(MR|MRS|MS|DR|HON|REV|CAPTAIN)\.?(?=\s|$)", " ", clean_text(name))
    text = re.sub(r"\s+", " ", text).strip().rstrip(",").strip().title()
    return re.sub(r"\b(Ii|Iii|Iv)\b", lambda m: m.group(1).upper(), text)


def general_winners(candidates: pd.DataFrame) -> pd.DataFrame:
    """November winners per district (Louisiana: the December runoff winner when one was held).

    Used to tell members sitting since January of the next cycle (they won this general) from members
    elected later in a special election. Returns state, district, fec_id, name.
    """
    cols = ["state", "district", "fec_id", "name"]
    df = candidates.copy()
    # rank: GE winner flag > December runoff votes > November votes > 'Unopposed' without votes
    df["_flag"] = df["ge_winner"].astype(bool).astype(int)
    df["_runoff"] = df["ge_runoff_votes"].fillna(-1.0)
    df["_votes"] = df["general_votes"].fillna(-1.0)
    df["_unopp"] = df["general_status"].eq("unopposed").astype(int)
    df = df[(df["_flag"] > 0) | (df["_runoff"] >= 0) | (df["_votes"] >= 0) | (df["_unopp"] > 0)]
    df = df.sort_values(["state", "district", "_flag", "_runoff", "_votes", "_unopp"],
                        ascending=[True, True, False, False, False, False])
    return df.drop_duplicates(["state", "district"])[cols].reset_index(drop=True)
