"""2024 House incumbent renomination contests from the curated 2024 file.

Source: ``curated-2024-primaries/incumbent_primaries_2024.csv`` (385 incumbents; see its README).  The
roster and outcomes are reliable; the results are partial and sometimes rounded, and this module keeps
them exactly as the file holds them:

- Percentages (0-100 in the file) become fractions; missing shares stay missing.  NY-16 Bowman keeps the
  file's 41.32% (the README flags the 54.5/45.5 figure quoted elsewhere as suspect).
- ``contested`` blank = not verified -> NA (never inferred here).  Uncontested rows (``false``) get
  ``incumbent_share`` NA, the same rule as 2022 (NJ-1 Norcross's 100% is not a contest share).
- ``lost`` = outcome ``lost`` or ``incumbent-vs-incumbent-lost``: Carl (AL-1), Bowman (NY-16), Good
  (VA-5), Bush (MO-1).  ``advanced-top-two`` = renominated.  LA's November all-party election rows are
  ``renominated``.
- ``incumbent_vs_incumbent`` from the ``incumbent-vs-incumbent-*`` outcomes (AL-1 Moore/Carl).
- Top-two / top-four rows: any share goes in both ``incumbent_share`` and ``incumbent_share_all``.
- ``primary_system_hint`` only carries contest-level systems (top-two, top-four, runoff, Louisiana,
  convention where no primary result is recorded); voter-access labels are left to the calendar.
- ``went_to_runoff`` from ``runoff`` (TX-23 Gonzales only), ``runoff_share`` from ``runoff_incumbent_pct``.
- ``n_candidates`` and ``challenger_advanced`` are not in the file: NA.
- FEC ids come from congress-legislators (the id with a House row in ``weball24`` preferred);
  ``special_election_member`` from legislators term dates (seated in the 118th after 2023-01-03).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.contests.results_538_2022 import _pick_fec_id, house_specials, identity_lookup, special_member
from features.contests.roster_2026 import finalize_contest_rows
from features.kernel.constants import STATES
from features.kernel.errors import InputError
from features.kernel.rawio import parse_date, read_csv, require_file, to_number

CYCLE = 2024
CURATED = "curated-2024-primaries/incumbent_primaries_2024.csv"
WEBALL24 = "fec_weball/weball24.txt"
CONGRESS_START = pd.Timestamp("2023-01-03")      # 118th Congress
REQUIRED = ["state", "district", "party", "incumbent", "bioguide_id", "primary_date", "primary_type",
            "contested", "incumbent_votes", "total_votes", "incumbent_pct", "top_challenger",
            "top_challenger_party", "top_challenger_pct", "runoff", "runoff_incumbent_pct", "outcome", "notes"]
OUTCOMES = {"renominated": False, "advanced-top-two": False, "lost": True,
            "incumbent-vs-incumbent-lost": True, "incumbent-vs-incumbent-won": False}
# Only contest-level systems become a hint (build.py lets a hint override the calendar); the file's
# voter-access labels (closed/semi-closed/open) are approximate and the calendar's are kept instead.
SYSTEM_HINT = {"runoff-state": "runoff", "jungle-louisiana": "louisiana-jungle", "top-two": "top-two",
               "top-four": "top-four", "convention": "convention", "closed": pd.NA,
               "semi-closed": pd.NA, "open": pd.NA}
BOOL_TEXT = {"true": True, "false": False}


def read_curated_2024(raw: Path) -> pd.DataFrame:
    """The curated 2024 file, validated: unknown state/party/outcome or a bad number -> InputError."""
    path = require_file(raw, CURATED)
    df = read_csv(raw, CURATED, unique_rows=True, required=REQUIRED, dtype=str, keep_default_na=False)
    df = df.apply(lambda s: s.str.strip())
    df["line"] = np.arange(2, len(df) + 2)

    def check(mask, field, what):
        if mask.any():
            i = int(np.flatnonzero(mask.to_numpy())[0])
            raise InputError(path, f"{what} {df[field].iloc[i]!r}", row=i + 1, field=field)

    check(~df["state"].isin(list(STATES)), "state", "unknown state")
    check(~df["party"].isin(["D", "R"]), "party", "party must be D or R, got")
    check(~df["district"].str.fullmatch(r"\d+"), "district", "district must be an integer, got")
    check(~df["outcome"].isin(list(OUTCOMES)), "outcome", "unknown outcome")
    check(~df["contested"].str.lower().isin(["true", "false", ""]), "contested",
          "contested must be true/false/blank, got")
    check(~df["runoff"].str.lower().isin(["true", "false", ""]), "runoff", "runoff must be true/false/blank, got")
    check(~df["primary_type"].isin(list(SYSTEM_HINT) + [""]), "primary_type", "unknown primary_type")
    for col in ("incumbent_votes", "total_votes", "incumbent_pct", "top_challenger_pct", "runoff_incumbent_pct"):
        df[col + "_n"] = to_number(df[col], path, col)
        if col.endswith("pct"):
            check((df[col + "_n"] < 0) | (df[col + "_n"] > 100), col, "percentage out of 0-100:")
    df["primary_date_t"] = parse_date(df["primary_date"], path, "primary_date", fmt="%Y-%m-%d")
    df["district_n"] = df["district"].astype(int)
    return df


def contest_rows_2024(raw: Path) -> pd.DataFrame:
    """Contest rows (TEAM_NOTES contract) for 2024 from the curated file (module docstring for rules).

    Extra columns: ``outcome_2024`` (the file's outcome label), ``notes``.
    """
    raw = Path(raw)
    cur = read_curated_2024(raw)
    _, ids_by_bio, house_ids, terms, previous = identity_lookup(raw, WEBALL24, 118)
    specials = house_specials(raw)
    rows = []
    for r in cur.itertuples():
        contested = BOOL_TEXT.get(r.contested.lower(), pd.NA)
        all_cand = r.primary_type in ("top-two", "top-four", "jungle-louisiana")
        share = r.incumbent_pct_n / 100.0 if pd.notna(r.incumbent_pct_n) else np.nan
        if contested is False:
            share = np.nan
        ivi = r.outcome.startswith("incumbent-vs-incumbent")
        other = cur[(cur["state"] == r.state) & (cur["district_n"] == r.district_n) & (cur["party"] == r.party)
                    & (cur["line"] != r.line) & cur["outcome"].str.startswith("incumbent-vs-incumbent")]
        went = BOOL_TEXT.get(r.runoff.lower(), False)
        bio = r.bioguide_id or pd.NA
        rows.append({
            "cycle": CYCLE, "state": r.state, "district": r.district_n, "party": r.party,
            "incumbent": r.incumbent, "bioguide_id": bio,
            "fec_id": _pick_fec_id(ids_by_bio.get(bio, ()) if isinstance(bio, str) else (), r.state, house_ids),
            "primary_date": r.primary_date_t,
            # CT/UT 'convention' only when no primary result is recorded (UT-2 Maloy went to a primary)
            "primary_system_hint": pd.NA if r.primary_type == "convention" and pd.notna(r.incumbent_pct_n)
            else SYSTEM_HINT.get(r.primary_type, pd.NA),
            "contested": contested, "n_candidates": pd.NA, "incumbent_vs_incumbent": ivi,
            "other_incumbent": ";".join(other["incumbent"]) if ivi and len(other) else pd.NA,
            "special_election_member": special_member(terms, bio, r.primary_date_t, CONGRESS_START,
                                                      previous, r.state, specials),
            "lost": OUTCOMES[r.outcome], "incumbent_share": share,
            "incumbent_share_all": share if all_cand else np.nan,
            "top_challenger": r.top_challenger or pd.NA, "top_challenger_party": r.top_challenger_party or pd.NA,
            "top_challenger_share": r.top_challenger_pct_n / 100.0 if pd.notna(r.top_challenger_pct_n) else np.nan,
            "went_to_runoff": went,
            "runoff_share": r.runoff_incumbent_pct_n / 100.0 if went and pd.notna(r.runoff_incumbent_pct_n)
            else np.nan,
            "challenger_advanced": pd.NA, "result_source": "curated-2024",
            "source_row": f"{CURATED}:line {r.line}", "outcome_2024": r.outcome, "notes": r.notes or pd.NA,
        })
    return finalize_contest_rows(pd.DataFrame(rows))
