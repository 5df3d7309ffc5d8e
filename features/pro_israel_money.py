"""Pro-Israel PAC money in House primaries from FEC records, as dated events aggregated as of a date.

Source: ``fec-pro-israel-pac-transactions/pro_israel_pac_candidate_transactions_2015_2025.csv``
(FEC pas2 bulk + daily filings, 2015-2025; transactions from 2026 were dropped upstream).  Spender
class: pro-Israel (DESIGN section 3) -- United Democracy Project (UDP, AIPAC's super PAC, from 2022:
independent expenditures 24A oppose / 24E support), AIPAC PAC (from 2022) and NORPAC direct
contributions (24K/24Z).  J Street is kept out of the bloc (it opposes it; ``features.outside_spending``
treats it the same way) and USINPAC is negligible.

Which cycles: UDP and AIPAC PAC exist only from the 2022 cycle, so 0 before 2022 is the truth, not
a gap (NORPAC gave direct contributions 2016-2025).  Only transactions labelled for the cycle's
primary or runoff (``P{cycle}``, ``R{cycle}``) count; general-election money never does.

NORPAC's rows are labelled ``P`` without a year (every one of them, even those dated in October of
an election year), so the label says nothing about which election the money was for, and the cycle
is assigned from the transaction date (``assign_yearless``): a row dated on or before the primary
of its state in the cycle the date falls in (odd years belong to the next even year's cycle) is that
cycle's primary money.  A row dated after that primary (to the end of the year) is ambiguous and is
not counted.  Checked on J Street's fully labelled House 24K rows: 98.5% of those the rule counts
are labelled the primary of that very cycle, 98.1% of those dated after the primary ``G`` (AIPAC
PAC's labels are no reference: it gives ``G`` money before primaries and labels odd years
``P2023``/``P2025``).  Also not counted: rows to a committee that is not the candidate's own (a
Senate committee, or another candidate's: NORPAC's rows to "KAINE FOR VIRGINIA" under Gottheimer's
id, "TEAM FINE" under Estes'), rows without a House office to place them, and a refund of a row
that is not counted (or is not in the file: Schneider's -$1,000 of 2021-01-20).

The as-of rule: each transaction is dated (its transaction date, else its filing image's date);
only those dated on or before the as-of date count, so the 2024 UDP money against Bowman (NY-16) and
Bush (MO-1) enters a pre-primary forecast only as far as it was spent by the day before the primary.
Refunds (negative amounts) are netted.  Join on FEC candidate id, never on the name (README).

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
that cycle (``weballYY`` via ``features.money``, ghost and dormant committees dropped) places them in
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

from features.errors import InputError
from features.event_tables import read_event_csv, write_event_csv
from features.rawio import parse_date, read_csv, require_columns, to_number

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


def _support_against(inc: pd.DataFrame, chal: pd.DataFrame, chal_for: tuple[str, ...]):
    """(support, against, last date) of one row from the money dated by its as-of date: money for the
    incumbent or against a same-race challenger supports; money against the incumbent, or of a kind in
    ``chal_for`` for a challenger, opposes.  Net refunds never go below 0; no money -> NaT."""
    s = (inc.loc[inc["kind"].isin(["for", "contribution"]), "amount"].sum()
         + chal.loc[chal["kind"] == "against", "amount"].sum())
    a = inc.loc[inc["kind"] == "against", "amount"].sum() + chal.loc[chal["kind"].isin(chal_for), "amount"].sum()
    used = pd.concat([inc, chal])
    last = used["date"].max().to_datetime64() if len(used) else np.datetime64("NaT")
    return max(s, 0.0), max(a, 0.0), last


def pro_israel_events(raw: Path, calendar: pd.DataFrame | None = None) -> pd.DataFrame:
    """Primary/runoff money of the pro-Israel bloc (``EVENT_COLUMNS``), House candidates only.

    ``calendar`` (cycle, state, primary_date; default ``features.calendar.build_calendar(raw)``)
    dates the primaries that NORPAC's year-less rows are assigned to (``assign_yearless``).
    """
    return _pac_events(raw, BLOC, calendar)


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


def _pac_events(raw: Path, pacs: dict[str, str], calendar: pd.DataFrame | None = None) -> pd.DataFrame:
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
    if yearless.loc[df.index].any():
        if calendar is None:
            from features.calendar import build_calendar
            calendar = build_calendar(raw)
        sel = yearless.loc[df.index]
        got = assign_yearless(df[sel].assign(date=date[sel], amount=amount[sel]), calendar, path)
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
    by_cycle = {int(c): g for c, g in events.groupby("cycle")}
    against = np.zeros(len(rows))
    support = np.zeros(len(rows))
    last = np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, (cycle, st, d, party, fec, w) in enumerate(zip(rows["cycle"], rows["state"], rows["district"],
                                                          rows["party"], rows["fec_id"], when)):
        g = by_cycle.get(int(cycle))
        if g is None or pd.isna(w):
            continue
        g = g[g["date"] <= w]
        inc = g[g["candidate_id"] == fec] if isinstance(fec, str) else g.iloc[0:0]
        chal = g[(g["state"] == st) & (g["district"] == int(d)) & (g["party"] == party)
                 & (g["candidate_id"] != fec)]
        support[i], against[i], last[i] = _support_against(inc, chal, chal_for=("for",))
    out = pd.DataFrame({f"{prefix}_against_inc": against, f"{prefix}_for_inc": support,
                        f"{prefix}_last_date": last}, index=rows.index)
    out[f"{prefix}_last_date"] = out[f"{prefix}_last_date"].astype("datetime64[ns]")
    return out


# ---------------------------------------------------------------------------------------------
# J Street: its own dated columns, never part of the bloc


def jstreet_events(raw: Path) -> pd.DataFrame:
    """J Street PAC primary/runoff money (``JSTREET_EVENT_COLUMNS``), House candidates only.

    ``state``, ``district``, ``party`` and ``ici`` are the recipient's registration in the FEC
    candidate file of the transaction's cycle (``features.money.candidate_money``, ghost and
    dormant committees dropped); NA where the cycle's file does not list the candidate as active
    (such money can still reach the incumbent's own row, matched on the candidate id, never a
    challenger's race).
    """
    from features.money import YEAREND_SOURCES, candidate_money

    ev = _pac_events(raw, JSTREET)
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
    by_id = {(int(c), f): g for (c, f), g in events.groupby(["cycle", "candidate_id"])}
    placed = events[events["state"].notna() & events["district"].notna() & events["party"].notna()]
    placed = placed.assign(ici=placed["ici"].fillna(""))
    by_race = {(int(k[0]), k[1], int(k[2]), k[3]): g
               for k, g in placed.groupby(["cycle", "state", "district", "party"])}
    race_ids: dict[tuple, set] = {}
    for key, ids in rows.groupby(["cycle", "state", "district", "party"])["fec_id"]:
        race_ids[(int(key[0]), key[1], int(key[2]), key[3])] = {f for f in ids if isinstance(f, str)}
    empty = placed.iloc[0:0]
    n = len(rows)
    support, against = np.full(n, np.nan), np.full(n, np.nan)
    last = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, (cycle, st, d, party, fec, w) in enumerate(zip(rows["cycle"], rows["state"], rows["district"],
                                                          rows["party"], rows["fec_id"], when)):
        if int(cycle) < JSTREET_FIRST_CYCLE or pd.isna(w):
            continue
        support[i] = against[i] = 0.0
        key = (int(cycle), st, int(d), party)
        inc = by_id.get((int(cycle), fec), empty) if isinstance(fec, str) else empty
        same = by_race.get(key, empty)
        if inc.empty and same.empty:
            continue
        inc = inc[inc["date"] <= w]
        same = same[(same["date"] <= w) & (same["candidate_id"] != fec)]
        others = race_ids.get(key, set())
        chal = same[(same["ici"] != "I") | same["candidate_id"].isin(list(others))]
        support[i], against[i], last[i] = _support_against(inc, chal, chal_for=("for", "contribution"))
    out = pd.DataFrame({"js_fec_for_inc": support, "js_fec_against_inc": against, "js_fec_last_date": last},
                       index=rows.index)
    out["js_fec_last_date"] = out["js_fec_last_date"].astype("datetime64[ns]")
    return out
