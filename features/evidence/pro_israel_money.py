"""Pro-Israel PAC money in House primaries from FEC records, as dated events aggregated as of a date.

Source: ``fec-pro-israel-pac-transactions/pro_israel_pac_candidate_transactions_2015_2025.csv``
(FEC pas2 bulk + daily filings, 2015-2025; transactions from 2026 were dropped upstream).  Spender
class: pro-Israel (DESIGN section 3) -- United Democracy Project (UDP, AIPAC's super PAC, from 2022:
independent expenditures 24A oppose / 24E support), AIPAC PAC (from 2022) and NORPAC direct
contributions (24K/24Z).  J Street is kept out of the bloc (it opposes it; ``features.evidence.outside_spending``
treats it the same way) and USINPAC is negligible.

Which cycles: UDP and AIPAC PAC exist only from the 2022 cycle, so 0 before 2022 is the truth, not
a gap (NORPAC gave direct contributions 2016-2025).  Only transactions labelled for the cycle's
primary or runoff (``P{cycle}``, ``R{cycle}``) count; general-election money never does.

Odd-year primary labels (``assign_odd_year``): AIPAC PAC labels the contributions it gives in odd
years ``P2023`` / ``P2025`` (J Street a handful), primary money for the next even year's cycle.  A
``P{odd}`` row belongs to the cycle odd + 1 and counts only if dated on or before that cycle's
primary in its state (the calendar ``assign_yearless`` uses; a later row would be ambiguous: none
is in the file), except where the candidate's district had a House special election in that odd
year (``odd_year_specials``: a winner sworn in that year, or a special race of 538's races.csv), whose
primary the label may mean: AIPAC PAC's P2025 money to Patronis (FL-1), Fine (FL-6) and Van Epps
(TN-7), J Street's to Grijalva (AZ-7) and Walkinshaw (VA-11) is not moved (no P2023 row goes to a
2023 special's district: VA-4, RI-1, UT-2).  A negative ``P{odd}`` row counts only as the reversal
of a counted row (one refund per row); AIPAC PAC's 293 rows of -$500 dated 2023-10-16 and most of
its -$6 rows of November 2025 reverse items that are not in the file (earmarked money, not in pas2)
and are not counted.  Counted: AIPAC PAC P2023 308 rows, $271,820 (cycle 2024); P2025 288 rows,
$149,489 (cycle 2026); J Street P2023 1 row, $1,000 (Huffman, 2024).  Each row stays dated by its
own date, so money given in June 2023 enters a 2024 forecast as of any later date.

NORPAC's rows are labelled ``P`` without a year (every one of them, even those dated in October of
an election year), so the label says nothing about which election the money was for, and the cycle
is assigned from the transaction date (``assign_yearless``): a row dated on or before the primary
of its state in the cycle the date falls in (odd years belong to the next even year's cycle) is that
cycle's primary money.  A row dated after that primary (to the end of the year) is ambiguous and is
not counted.  Checked on J Street's fully labelled House 24K rows: 98.5% of those the rule counts
are labelled the primary of that very cycle, 98.1% of those dated after the primary ``G`` (AIPAC
PAC's labels are no reference: it gives ``G`` money before primaries and labels odd years
``P2023``/``P2025``: those are assigned by ``assign_odd_year``).  Also not counted: rows to a committee that is not the candidate's own (a
Senate committee, or another candidate's: NORPAC's rows to "KAINE FOR VIRGINIA" under Gottheimer's
id, "TEAM FINE" under Estes'), rows without a House office to place them, and a refund of a row
that is not counted (or is not in the file: Schneider's -$1,000 of 2021-01-20).

The as-of rule: each transaction is dated (its transaction date, else its filing image's date);
only those dated on or before the as-of date count, so the 2024 UDP money against Bowman (NY-16) and
Bush (MO-1) enters a pre-primary forecast only as far as it was spent by the day before the primary.
Refunds (negative amounts) are netted (a counted one: see above for the year-less and odd-year rows).  Join on FEC candidate id, never on the name (README).

Columns per row: ``pi_fec_against_inc`` (UDP against the incumbent + UDP for a same-race
challenger), ``pi_fec_for_inc`` (UDP for the incumbent + UDP against a challenger + AIPAC PAC /
NORPAC contributions to the incumbent), ``pi_fec_last_date``.

J Street PAC (C00441949) has its own columns, never the bloc's: ``js_fec_for_inc`` (J Street
money to the incumbent), ``js_fec_against_inc`` (J Street money to a same-race challenger),
``js_fec_last_date``; primary/runoff-labelled (``P``/``R``) direct contributions (24K/24Z: the PAC
makes no independent expenditures in the file), dated per transaction and aggregated as of a date
like the bloc.  The file starts in 2015, so J Street covers the cycles 2016-2026 (2026: to
2025-12-31); before 2016 its columns are missing (the PAC existed, the file does not cover it),
not zero.  A J Street recipient counts as a challenger only where the FEC's own candidate file of
that cycle (``weballYY`` via ``features.evidence.money``, ghost and dormant committees dropped) places them in
the incumbent's state, district and party, and only if they are not a sitting member there unless
that member is another incumbent of the same race: the pas2 ``office`` field is the candidate's
first registration (Payne Sr.'s old NJ-10 committee in 2016, McNerney's CA-9 in 2022 were not
challengers).  Exact duplicate rows (``exact_dup_count`` > 1) are kept as in the bloc (pas2 has no
sub_id to tell a repeated item from a double import).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from features.evidence.event_tables import read_event_csv, write_event_csv
from features.kernel.errors import InputError
from features.kernel.rawio import parse_date, read_csv, require_columns, to_number

SOURCE = "fec-pro-israel-pac-transactions/pro_israel_pac_candidate_transactions_2015_2025.csv"
BLOC = {"UnitedDemocracyProject": "udp", "AIPAC": "aipac_pac", "NORPAC": "norpac"}
#: PACs whose primary money is labelled ``P`` with no year: the cycle comes from the date (``assign_yearless``)
YEARLESS = ("NORPAC",)
#: decisions of ``assign_yearless`` (``reason``); only ``REASON_COUNTED`` rows count
REASON_COUNTED = "on or before the state's primary"
REASON_AFTER = "after the state's primary of the cycle (ambiguous: general or next cycle)"
REASON_RECIPIENT = "recipient is not the candidate's House committee"
REASON_NO_OFFICE = "no House office"
REASON_REFUND = "refund of a row that is not counted or not in the file"
REASON_SPECIAL = "the candidate's district had a special election in the label's odd year"
#: an odd-year primary label ``P{odd}`` (AIPAC PAC's P2023 / P2025, J Street's few): ``assign_odd_year``
_ODD_PRIMARY = re.compile(r"^P(\d{3}[13579])$")
#: the state and district of a House candidate id (its first registration, like pas2's ``office``)
_ID_OFFICE = re.compile(r"^H\d([A-Z]{2})(\d{2})")
JSTREET = {"JStreetPAC": "jstreet"}
EVENT_COLUMNS = ["candidate_id", "state", "district", "party", "pac", "kind", "election_type", "cycle", "date",
                 "amount", "source_row"]
#: J Street events also carry the recipient's incumbent/challenger status in that cycle's FEC file
JSTREET_EVENT_COLUMNS = EVENT_COLUMNS + ["ici"]
COLUMNS = ["pi_fec_against_inc", "pi_fec_for_inc", "pi_fec_last_date"]
#: the PACs of the bloc columns (``COLUMNS``): UDP and AIPAC PAC, whose money the FEC file covers the
#: same way in every cycle (none before 2022).  NORPAC's money has its own columns (``NORPAC_COLUMNS``):
#: counted in the bloc it made the bloc mean different things in different cycles (NORPAC's small
#: contributions alone before 2022, AIPAC PAC's from 2022), and the logit fitted on <= 2020 read
#: Engel's 2020 NORPAC money as a loss signal for the 244 members AIPAC PAC funded in 2022 (pooled
#: ensemble skill 0.223 -> 0.193, ensemble_bayes 0.232 -> 0.189; README).
BLOC_COLUMN_PACS = ("udp", "aipac_pac")
NORPAC_COLUMNS = ["norpac_fec_against_inc", "norpac_fec_for_inc", "norpac_fec_last_date"]
JSTREET_COLUMNS = ["js_fec_for_inc", "js_fec_against_inc", "js_fec_last_date"]
#: first cycle the transactions file covers for J Street (it starts in 2015)
JSTREET_FIRST_CYCLE = 2016
_OFFICE = re.compile(r"^House ([A-Z]{2})-(\d{2})$")
_PARTY = {"DEM": "D", "REP": "R"}


_RACE = ["cycle", "state", "district", "party"]


def _row_frame(rows: pd.DataFrame, when: pd.Series, valid: np.ndarray) -> pd.DataFrame:
    """The valid rows' positions, race keys, own candidate id and as-of date, as merge keys."""
    fec = rows["fec_id"].to_numpy(dtype=object)
    out = pd.DataFrame({"i": np.arange(len(rows)), "cycle": pd.to_numeric(rows["cycle"]).to_numpy(dtype=np.int64),
                        "state": rows["state"].astype(str).to_numpy(dtype=object),
                        "district": pd.to_numeric(rows["district"]).to_numpy(dtype=np.int64),
                        "party": rows["party"].astype(str).to_numpy(dtype=object),
                        "fec": np.array([f if isinstance(f, str) else None for f in fec], dtype=object),
                        "w": pd.to_datetime(when).to_numpy(dtype="datetime64[ns]")})
    return out[valid]


def _event_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Events with plain merge keys; those whose race is not known never match a race."""
    ev = events[["candidate_id", "kind", "date", "amount"]].copy()
    ev["candidate_id"] = events["candidate_id"].astype(object).where(events["candidate_id"].notna(), None)
    ev["kind"] = events["kind"].astype(str).to_numpy(dtype=object)
    ev["cycle"] = pd.to_numeric(events["cycle"]).to_numpy(dtype=np.int64)
    for col in ("state", "party"):
        ev[col] = events[col].astype(object).where(events[col].notna(), None)
    ev["district"] = pd.to_numeric(events["district"], errors="coerce").astype(float)
    return ev


def _support_against(frame: pd.DataFrame, events: pd.DataFrame, chal_for: tuple[str, ...],
                     keep_challenger=None):
    """(support, against, last date) per row of ``frame`` (``_row_frame``) from the money dated by its as-of
    date (``events``, ``_event_frame``): money for the incumbent (matched on the row's own candidate id) or
    against a same-race challenger (other candidate ids) supports; money against the incumbent, or
    of a kind in ``chal_for`` for a challenger, opposes.  ``keep_challenger(chal)`` (a boolean mask over
    the race's matched events) may narrow them further.  Net refunds never go below 0.  Three Series
    indexed by the frame's ``i``; a row with no money dated by its as-of date is absent from them."""
    inc = frame[frame["fec"].notna()].merge(events.drop(columns=_RACE[1:]), left_on=["cycle", "fec"],
                                             right_on=["cycle", "candidate_id"])
    inc = inc[inc["date"] <= inc["w"]]
    races = events.dropna(subset=["state", "district", "party"]).astype({"district": np.int64})
    chal = frame.merge(races, on=_RACE)
    chal = chal[(chal["date"] <= chal["w"]) & (chal["candidate_id"] != chal["fec"])]
    if keep_challenger is not None:
        chal = chal[keep_challenger(chal)]

    def total(part: pd.DataFrame, kinds) -> pd.Series:
        return part.loc[part["kind"].isin(list(kinds))].groupby("i")["amount"].sum()

    support = total(inc, ("for", "contribution")).add(total(chal, ("against",)), fill_value=0.0)
    against = total(inc, ("against",)).add(total(chal, chal_for), fill_value=0.0)
    last = pd.concat([inc[["i", "date"]], chal[["i", "date"]]]).groupby("i")["date"].max()
    return support.clip(lower=0.0), against.clip(lower=0.0), last


def pro_israel_events(raw: Path, calendar: pd.DataFrame | None = None,
                      specials: set | None = None) -> pd.DataFrame:
    """Primary/runoff money of the pro-Israel bloc (``EVENT_COLUMNS``), House candidates only.

    ``calendar`` (cycle, state, primary_date; default ``features.contests.calendar.build_calendar(raw)``)
    dates the primaries that NORPAC's year-less rows (``assign_yearless``) and the odd-year ``P{odd}``
    rows (``assign_odd_year``) are assigned to; ``specials`` (default ``odd_year_specials(raw)``) are
    the odd-year House special elections whose districts' ``P{odd}`` rows are not moved.
    """
    return _pac_events(raw, BLOC, calendar, specials)


def _read_source(raw: Path) -> pd.DataFrame:
    df = read_csv(raw, SOURCE, required=["pac_folder", "candidate_id", "candidate_name", "office", "party", "date",
                                         "amount", "transaction_type", "recipient", "election"],
                  dtype=str, keep_default_na=False)
    df = df.reset_index(drop=True)
    df["source_row"] = np.arange(1, len(df) + 1)
    return df


def _row_error(path: Path, df: pd.DataFrame, exc: InputError) -> InputError:
    """``exc`` raised on a filtered frame, re-named to the file's row."""
    return InputError(path, exc.reason, row=int(df["source_row"].iloc[int(exc.row) - 1]), field=exc.field)


_NAME_NOISE = {"JR", "SR", "II", "III", "IV", "HON", "DR", "MR", "MRS", "MS"}


def _names_candidate(name: str, recipient: str) -> bool:
    """Whether a recipient committee's name carries one of the candidate's names (a recipient word of
    3+ letters equal to a name, or of 4+ letters starting one: "MARC FOR US" is Marcus Molinaro's),
    and is not a Senate committee."""
    rec = re.findall(r"[A-Z]+", recipient.upper())
    if "SENATE" in rec:
        return False
    names = {w for w in re.findall(r"[A-Z]+", name.upper()) if len(w) >= 3 and w not in _NAME_NOISE}
    return any(w in names or (len(w) >= 4 and any(n.startswith(w) for n in names)) for w in rec if len(w) >= 3)


def assign_yearless(rows: pd.DataFrame, calendar: pd.DataFrame, path: Path | str = SOURCE) -> pd.DataFrame:
    """Cycle of year-less ``P`` rows (NORPAC) from their transaction date, with the reason.

    Parameters
    ----------
    rows : DataFrame
        Raw rows (``candidate_id, candidate_name, office, date, amount, recipient, source_row``;
        ``date`` and ``amount`` already parsed).
    calendar : DataFrame
        ``cycle, state, primary_date``.
    path : file named in errors.

    Returns
    -------
    DataFrame on ``rows``' index: ``cycle`` (Int64; NA where not counted) and ``reason`` (one of the
    ``REASON_*`` constants).  A row dated in year Y belongs to cycle C = Y (even) or Y + 1 (odd) and
    counts if dated on or before its state's C primary; a later row is ambiguous and does not count;
    nor does a row to a committee that is not the candidate's (``_names_candidate``), one without a
    House office, or a negative amount unless it reverses (same candidate, opposite amount, the
    latest earlier such row) a counted row, whose cycle it then takes (dated by its own date).
    """
    prim = {(int(c), s): pd.Timestamp(d) for c, s, d in zip(calendar["cycle"], calendar["state"],
                                                          calendar["primary_date"]) if pd.notna(d)}
    cycle = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    reason = pd.Series(REASON_COUNTED, index=rows.index, dtype=object)
    state = rows["office"].str.extract(_OFFICE)[0]
    for i in rows.sort_values(["date", "source_row"]).index:
        r = rows.loc[i]
        c = r["date"].year + r["date"].year % 2
        if pd.isna(state[i]):
            reason[i] = REASON_NO_OFFICE
            continue
        if not _names_candidate(r["candidate_name"], r["recipient"]):
            reason[i] = REASON_RECIPIENT
            continue
        if (c, state[i]) not in prim:
            raise InputError(path, f"no {state[i]} primary date for the {c} cycle in the calendar",
                             row=int(r["source_row"]), field="date")
        if r["amount"] < 0:     # a refund follows the row it reverses; unknown original: not counted
            orig = rows[(rows["candidate_id"] == r["candidate_id"]) & (rows["amount"] == -r["amount"])
                        & (rows["date"] <= r["date"]) & (rows.index != i)]
            j = orig.sort_values(["date", "source_row"]).index[-1] if len(orig) else None
            if j is None or reason[j] != REASON_COUNTED:
                reason[i] = REASON_REFUND
                continue
            cycle[i] = cycle[j]   # nets, on its own date, against the cycle of the row it reverses
            continue
        if r["date"] > prim[(c, state[i])]:
            reason[i] = REASON_AFTER
            continue
        cycle[i] = c
    return pd.DataFrame({"cycle": cycle, "reason": reason}, index=rows.index)


def odd_year_specials(raw: Path) -> set[tuple[int, str, int]]:
    """(year, state, district) of House special elections held in an odd year.

    Two sources: a House term that starts in an odd year more than a month after that Congress's first
    day (the winner of a special election sworn in that year: ``features.contests.legislators.house_service``, the
    congress-legislators terms, e.g. VA-4, RI-1, UT-2 in 2023; FL-1, FL-6, VA-11, AZ-7, TN-7 in 2025),
    and a special House race of 538's ``races.csv`` dated in an odd year.  District 0 is at-large.
    Not seen: a special whose winner was not sworn in by the end of the year and that races.csv does
    not list (TX-18's special of 2025-11-04, decided in 2026); no ``P{odd}`` row of the file goes to
    a TX-18 candidate.  A late-sworn regular member (NY-22 2021, Tenney) reads as a special; no
    ``P2021`` label of the bloc or J Street is in the file.
    """
    from features.contests.calendar import RACES
    from features.contests.legislators import congress_start, house_service

    out: set[tuple[int, str, int]] = set()
    hs = house_service(raw)
    hs = hs[hs["district"].notna() & hs["state"].notna()]
    # a month's grace: the 114th Congress first met on 2015-01-06, so every 2015 term starts after 01-03
    late = hs["start_date"] > hs["congress"].map(congress_start) + pd.Timedelta(days=31)
    for d, st, dist in zip(hs.loc[late, "start_date"], hs.loc[late, "state"], hs.loc[late, "district"]):
        if d.year % 2:
            out.add((int(d.year), str(st), int(dist)))
    races = read_csv(raw, RACES, required=["type", "state_abbrev", "special", "date", "office_seat_name"],
                     dtype=str, keep_default_na=False)
    races = races[(races["type"] == "HouseRace") & (races["special"] == "true")]
    when = pd.to_datetime(races["date"], format="%m/%d/%y", errors="coerce")
    seat = races["office_seat_name"].str.extract(r"District (\d+)")[0]
    for d, st, dist in zip(when, races["state_abbrev"], seat):
        if pd.notna(d) and d.year % 2:
            out.add((int(d.year), str(st), int(dist) if pd.notna(dist) else 0))
    return out


def assign_odd_year(rows: pd.DataFrame, calendar: pd.DataFrame, specials: set,
                    path: Path | str = SOURCE) -> pd.DataFrame:
    """Cycle of odd-year primary rows (label ``P{Y}``, Y odd: AIPAC PAC's P2023 / P2025).

    Parameters
    ----------
    rows : DataFrame
        Raw rows (``pac_folder, candidate_id, office, election, date, amount, source_row``; ``date`` and
        ``amount`` parsed).
    calendar : DataFrame
        ``cycle, state, primary_date``.
    specials : set of (year, state, district)
        Odd-year House special elections (``odd_year_specials``); district 0 is at-large.
    path : file named in errors.

    Returns
    -------
    DataFrame on ``rows``' index: ``cycle`` (Int64; NA where not counted) and ``reason`` (one of the
    ``REASON_*`` constants).  A ``P{Y}`` row belongs to the primary of cycle Y + 1 and counts if dated
    on or before its state's Y + 1 primary (the same calendar as ``assign_yearless``); a later row is
    ambiguous (general, or the cycle after) and does not count.  The state and district are the pas2
    ``office``, else those of the candidate id (the same first registration); a row with neither does
    not count.  Nor does a row whose district had a special election in year Y (``REASON_SPECIAL``:
    the label may mean that special's primary, e.g. AIPAC PAC's P2025 money to Patronis (FL-1) and
    Fine (FL-6) in Jan-Mar 2025, or Van Epps (TN-7) in Oct-Nov 2025).  A negative amount counts only
    if it reverses a counted row (same PAC and candidate, opposite amount, the latest earlier such
    row not reversed yet: the rule of ``assign_yearless``, one refund per row), whose cycle it takes,
    dated by its own date; else
    ``REASON_REFUND``.  Nearly all of AIPAC PAC's negative ``P2023``/``P2025`` rows reverse items that
    are not in the file (293 x -$500 of 2023-10-16, most followed by +$500 ``G2023`` rows a week
    later: redesignations of earmarked money, which pas2 does not carry): netted, they would
    subtract money never added from the member's ``P2024``/``P2026`` total (Cartwright's 2024
    $11,600 -> $1,100).
    """
    prim = {(int(c), s): pd.Timestamp(d) for c, s, d in zip(calendar["cycle"], calendar["state"],
                                                          calendar["primary_date"]) if pd.notna(d)}
    cycle = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    reason = pd.Series(REASON_COUNTED, index=rows.index, dtype=object)
    office = rows["office"].str.extract(_OFFICE)
    by_id = rows["candidate_id"].str.extract(_ID_OFFICE)
    state = office[0].fillna(by_id[0])
    district = pd.to_numeric(office[1].fillna(by_id[1]))
    reversed_: set = set()
    for i in rows.sort_values(["date", "source_row"]).index:
        r = rows.loc[i]
        m = _ODD_PRIMARY.match(r["election"])
        if m is None:
            raise InputError(path, f"not an odd-year primary label: {r['election']!r}",
                             row=int(r["source_row"]), field="election")
        year = int(m.group(1))
        if pd.isna(state[i]):
            reason[i] = REASON_NO_OFFICE
            continue
        st, dist = state[i], int(district[i])
        if (year, st, dist) in specials or (year, st, 0) in specials:
            reason[i] = REASON_SPECIAL
            continue
        if (year + 1, st) not in prim:
            raise InputError(path, f"no {st} primary date for the {year + 1} cycle in the calendar",
                             row=int(r["source_row"]), field="date")
        if r["amount"] < 0:     # as in assign_yearless, but each counted row is reversed at most once
            orig = rows[(rows["pac_folder"] == r["pac_folder"]) & (rows["candidate_id"] == r["candidate_id"])
                        & (rows["amount"] == -r["amount"]) & (rows["date"] <= r["date"]) & (rows.index != i)
                        & cycle.notna() & ~rows.index.isin(list(reversed_))]
            if not len(orig):
                reason[i] = REASON_REFUND
                continue
            j = orig.sort_values(["date", "source_row"]).index[-1]
            reversed_.add(j)
            cycle[i] = cycle[j]
            continue
        if r["date"] > prim[(year + 1, st)]:
            reason[i] = REASON_AFTER
            continue
        cycle[i] = year + 1
    return pd.DataFrame({"cycle": cycle, "reason": reason}, index=rows.index)


def _pac_events(raw: Path, pacs: dict[str, str], calendar: pd.DataFrame | None = None,
                specials: set | None = None) -> pd.DataFrame:
    df = _read_source(raw)
    path = Path(raw) / SOURCE
    df = df[df["pac_folder"].isin(list(pacs)) & df["candidate_id"].str.startswith("H")]
    yearless = df["pac_folder"].isin(YEARLESS) & (df["election"] == "P")
    elec = df["election"].str.extract(r"^([PR])(\d{4})$")
    df = df[elec[0].notna() | yearless].assign(election_type=elec[0].where(~yearless, "P"),
                                               cycle=pd.to_numeric(elec[1]))
    kind = df["transaction_type"].map({"24A": "against", "24E": "for", "24K": "contribution",
                                       "24Z": "contribution"})
    df = df[kind.notna()].assign(kind=kind)
    try:      # errors name the row of the file, not of the filtered frame
        amount = to_number(df["amount"], path, "amount")
        date = parse_date(df["date"], path, "date", fmt="%Y-%m-%d")
    except InputError as exc:
        raise _row_error(path, df, exc) from None
    if date.isna().any():
        i = int(np.flatnonzero(date.isna().to_numpy())[0])
        raise InputError(path, "transaction without a date", row=int(df["source_row"].iloc[i]), field="date")
    odd = df["election"].str.match(_ODD_PRIMARY)
    if yearless.loc[df.index].any() or odd.any():
        if calendar is None:
            from features.contests.calendar import build_calendar
            calendar = build_calendar(raw)
    if yearless.loc[df.index].any():
        sel = yearless.loc[df.index]
        got = assign_yearless(df[sel].assign(date=date[sel], amount=amount[sel]), calendar, path)
        df.loc[got.index, "cycle"] = got["cycle"].astype("float")
    if odd.any():
        if specials is None:
            specials = odd_year_specials(raw)
        got = assign_odd_year(df[odd].assign(date=date[odd], amount=amount[odd]), calendar, specials, path)
        df.loc[got.index, "cycle"] = got["cycle"].astype("float")
    keep = df["cycle"].notna()
    df, amount, date = df[keep], amount[keep], date[keep]
    office = df["office"].str.extract(_OFFICE)
    ev = pd.DataFrame({
        "candidate_id": df["candidate_id"], "state": office[0], "district": pd.to_numeric(office[1]),
        "party": df["party"].map(_PARTY), "pac": df["pac_folder"].map(pacs), "kind": df["kind"],
        "election_type": df["election_type"], "cycle": df["cycle"], "date": date, "amount": amount,
        "source_row": df["source_row"]})
    # a single-seat state's office is "-00" or "-01" upstream: at-large is 0
    return _typed(ev).sort_values(["cycle", "candidate_id", "date", "source_row"]).reset_index(drop=True)


def _typed(ev: pd.DataFrame) -> pd.DataFrame:
    ev = ev.copy()
    ev["district"] = pd.to_numeric(ev["district"]).astype("Int64")
    ev["cycle"] = pd.to_numeric(ev["cycle"]).astype(int)
    ev["date"] = pd.to_datetime(ev["date"]).astype("datetime64[ns]")
    ev["amount"] = pd.to_numeric(ev["amount"]).astype(float)
    ev["source_row"] = pd.to_numeric(ev["source_row"]).astype(int)
    for c in ("candidate_id", "state", "party", "pac", "kind", "election_type"):
        ev[c] = ev[c].astype("string")
    return ev[EVENT_COLUMNS]


def write_events(df: pd.DataFrame, path) -> None:
    write_event_csv(df, path, EVENT_COLUMNS, date_cols=("date",), sort_by=("cycle", "candidate_id", "date",
                                                                           "source_row"))


def read_events(path) -> pd.DataFrame:
    return _typed(read_event_csv(path, EVENT_COLUMNS, "pro-Israel money"))


def aggregate_norpac(events: pd.DataFrame, rows: pd.DataFrame, as_of) -> pd.DataFrame:
    """``NORPAC_COLUMNS``: NORPAC's money alone, aggregated as the bloc's (``aggregate_pro_israel``)."""
    return aggregate_pro_israel(events, rows, as_of, pacs=("norpac",), prefix="norpac_fec")


def aggregate_pro_israel(events: pd.DataFrame, rows: pd.DataFrame, as_of, pacs=BLOC_COLUMN_PACS,
                         prefix: str = "pi_fec") -> pd.DataFrame:
    """``COLUMNS`` for contest rows (cycle, state, district, party, fec_id) as of a date (or Series).

    Only the money of ``pacs`` (event ``pac`` codes) counts; ``prefix`` names the columns."""
    require_columns(rows, ["cycle", "state", "district", "party", "fec_id"], "contest rows")
    events = events[events["pac"].isin(list(pacs))]
    when = (pd.to_datetime(as_of).reindex(rows.index) if isinstance(as_of, pd.Series)
            else pd.Series(pd.Timestamp(as_of), index=rows.index))
    cycles = {int(c) for c in events["cycle"].unique()}
    valid = (pd.to_numeric(rows["cycle"]).astype(int).isin(cycles) & when.notna()).to_numpy()
    ev = _event_frame(events)
    s_, a_, l_ = _support_against(_row_frame(rows, when, valid), ev, chal_for=("for",))
    support = s_.reindex(range(len(rows)), fill_value=0.0).to_numpy(dtype=float)
    against = a_.reindex(range(len(rows)), fill_value=0.0).to_numpy(dtype=float)
    last = l_.reindex(range(len(rows))).to_numpy(dtype="datetime64[ns]")
    out = pd.DataFrame({f"{prefix}_against_inc": against, f"{prefix}_for_inc": support,
                        f"{prefix}_last_date": last}, index=rows.index)
    out[f"{prefix}_last_date"] = out[f"{prefix}_last_date"].astype("datetime64[ns]")
    return out


# ---------------------------------------------------------------------------------------------
# J Street: its own dated columns, never part of the bloc


def jstreet_events(raw: Path, calendar: pd.DataFrame | None = None, specials: set | None = None) -> pd.DataFrame:
    """J Street PAC primary/runoff money (``JSTREET_EVENT_COLUMNS``), House candidates only.

    Its few odd-year ``P{odd}`` rows are assigned like the bloc's (``assign_odd_year``; ``calendar``
    and ``specials`` as in ``pro_israel_events``).

    ``state``, ``district``, ``party`` and ``ici`` are the recipient's registration in the FEC
    candidate file of the transaction's cycle (``features.evidence.money.candidate_money``, ghost and
    dormant committees dropped); NA where the cycle's file does not list the candidate as active
    (such money can still reach the incumbent's own row, matched on the candidate id, never a
    challenger's race).
    """
    from features.evidence.money import YEAREND_SOURCES, candidate_money

    ev = _pac_events(raw, JSTREET, calendar, specials)
    ev["ici"] = pd.Series(pd.NA, index=ev.index, dtype="string")
    for col in ("state", "party"):
        ev[col] = pd.Series(pd.NA, index=ev.index, dtype="string")
    ev["district"] = pd.Series(pd.NA, index=ev.index, dtype="Int64")
    for cycle in sorted(ev["cycle"].unique()):
        if int(cycle) not in YEAREND_SOURCES:
            continue
        reg = candidate_money(raw, int(cycle), "yearend")
        reg = reg[reg["inactive"].isna()].drop_duplicates("fec_id").set_index("fec_id")
        sel = ev["cycle"] == cycle
        ids = ev.loc[sel, "candidate_id"]
        known = ids.isin(reg.index)
        idx = ids[known].index
        hit = reg.loc[ids[known]]
        ev.loc[idx, "state"] = hit["state"].to_numpy()
        ev.loc[idx, "district"] = hit["district"].to_numpy()
        ev.loc[idx, "party"] = hit["party"].where(hit["party"].isin(["D", "R"])).to_numpy()
        ev.loc[idx, "ici"] = hit["ici"].to_numpy()
    return _typed_js(ev)


def _typed_js(ev: pd.DataFrame) -> pd.DataFrame:
    out = _typed(ev)
    out["ici"] = ev["ici"].astype("string").to_numpy()
    return out[JSTREET_EVENT_COLUMNS]


def write_jstreet_events(df: pd.DataFrame, path) -> None:
    write_event_csv(df, path, JSTREET_EVENT_COLUMNS, date_cols=("date",),
                    sort_by=("cycle", "candidate_id", "date", "source_row"))


def read_jstreet_events(path) -> pd.DataFrame:
    return _typed_js(read_event_csv(path, JSTREET_EVENT_COLUMNS, "J Street money"))


def aggregate_jstreet(events: pd.DataFrame, rows: pd.DataFrame, as_of) -> pd.DataFrame:
    """``JSTREET_COLUMNS`` for contest rows (cycle, state, district, party, fec_id) as of a date (or Series).

    ``js_fec_for_inc``: J Street money to the incumbent (and against a challenger); ``js_fec_against_inc``:
    money to a same-race challenger (and against the incumbent); only transactions dated on or
    before the row's as-of date.  Cycles before ``JSTREET_FIRST_CYCLE`` are missing (not covered).
    """
    require_columns(rows, ["cycle", "state", "district", "party", "fec_id"], "contest rows")
    when = (pd.to_datetime(as_of).reindex(rows.index) if isinstance(as_of, pd.Series)
            else pd.Series(pd.Timestamp(as_of), index=rows.index))
    ev = _event_frame(events)
    ev["ici"] = events["ici"].fillna("").astype(str).to_numpy(dtype=object)
    # a race's incumbent-flagged recipient is a challenger here only if they are a member of this race
    members = {(int(c), st, int(d), p, f) for c, st, d, p, f in
               zip(rows["cycle"], rows["state"], rows["district"], rows["party"], rows["fec_id"]) if isinstance(f, str)}

    def keep(chal: pd.DataFrame) -> np.ndarray:
        member = np.array([k in members for k in zip(chal["cycle"], chal["state"], chal["district"],
                                                       chal["party"], chal["candidate_id"])], dtype=bool)
        return (chal["ici"] != "I").to_numpy() | member

    covered = (pd.to_numeric(rows["cycle"]).astype(int) >= JSTREET_FIRST_CYCLE).to_numpy()
    valid = covered & when.notna().to_numpy()
    s_, a_, l_ = _support_against(_row_frame(rows, when, valid), ev, chal_for=("for", "contribution"),
                                  keep_challenger=keep)
    support = np.where(valid, s_.reindex(range(len(rows)), fill_value=0.0).to_numpy(dtype=float), np.nan)
    against = np.where(valid, a_.reindex(range(len(rows)), fill_value=0.0).to_numpy(dtype=float), np.nan)
    last = l_.reindex(range(len(rows))).to_numpy(dtype="datetime64[ns]")
    out = pd.DataFrame({"js_fec_for_inc": support, "js_fec_against_inc": against, "js_fec_last_date": last},
                       index=rows.index)
    out["js_fec_last_date"] = out["js_fec_last_date"].astype("datetime64[ns]")
    return out
