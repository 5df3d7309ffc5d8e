"""Outside (independent) spending in House primaries, as dated events, aggregated per race as of a date.

Source: ``curated-outside-spending/primary_outside_spending.csv`` (hand-curated press/OpenSecrets
figures, 2018-2026; see its README). It is a sample of the races the press covered, so the
absence of a row is NOT zero spending: every aggregate carries ``os_covered`` and amounts are NA
for races without a usable row. Rows with ``amount_usd == 0`` are true zeros.

The as-of rule. Each figure is dated by ``as_of`` (the day it was reported); a month-level date
(``YYYY-MM``) is taken as the END of that month, so it is never used before the month is over.
A figure is usable for a forecast made on date ``d`` only if its date is ``<= d``. Many figures
describe money spent before the primary but were reported after it (e.g. UDP's $14.5M in NY-16 2024
is dated 2024-07-30): those are used only by an as-of after their report date, never by a
pre-primary forecast. (FEC 24/48-hour reports would have shown most of that money before the
primary; the curated file does not hold those filings, so we do not pretend it does.)

Snapshots. The same spender in the same race often has several figures (running totals). They are
never summed: for each (race, spender) only the rows with the latest date ``<= d`` are used. On
that date, a combined figure (both ``supports`` and ``opposes`` filled) is the spender's total and
is used alone; otherwise the one-sided rows (e.g. "for Newman" and "against Lipinski") are distinct
money and are added.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from features.evidence.event_tables import read_event_csv, write_event_csv
from features.kernel.dates import as_of_series
from features.kernel.errors import InputError
from features.kernel.names import names_match
from features.kernel.rawio import race_keys, read_csv, require_columns, to_number

SOURCE = "curated-outside-spending/primary_outside_spending.csv"
NAME_MATCH_MIN = 0.7

EVENT_COLUMNS = ["cycle", "state", "district", "party", "race_incumbent", "spender", "spender_class", "supports",
                 "opposes", "amount_usd", "amount_is", "as_of", "as_of_precision", "pre_primary", "spender_type",
                 "pooled_districts", "source_url", "note", "source_row"]

SPENDER_CLASSES = ("pro-israel", "crypto", "progressive", "party-aligned", "conservative", "other")

# Ordered (pattern, class) rules on the lower-cased spender name; first match wins. Blocs follow the
# source README's suggestion (pro-Israel: UDP, DMFI, AIPAC; crypto: Fairshake, Protect Progress,
# Defend American Jobs, Protect Our Future; progressive: JD, WFP, CPC PAC, Leaders We Deserve, American
# Priorities; GOP establishment -> party-aligned: CLF, Defending Main Street, Winning for Women, Hispanic
# Leadership Alliance; GOP insurgent -> conservative: Club for Growth / School Freedom Fund, House
# Freedom Fund, MAGA KY). "All outside groups" tallies are 'other'; mixed coalitions take their
# first-named bloc. Additions: DCCC and House Majority PAC (party-aligned); Yachad PAC
# (pro-Israel); Medicare for All PAC, Indivisible, TakeAction MN, Fight Corporate Monopolies
# (progressive); Ken Griffin's Conservatives for American Excellence (party-aligned: it attacked an
# HFC member for the establishment side); SBA List (conservative). J Street (liberal, opposes the
# AIPAC bloc), EMILY's List, NARAL, unions, business and single-candidate PACs stay 'other'.
# FEC committee names of the 2024 independent-expenditure file (features.evidence.ie_2024) add: HMP (House
# Majority PAC's FEC name) and NRCC (party-aligned, like the DCCC); House Freedom Action and Protect
# Freedom PAC (conservative, beside the House Freedom Fund); AFSCME Working Families Fund is a union
# ('other', not the Working Families Party).  AFP Action, Mainstream Democrats, RJC, LCV stay 'other'.
_CLASS_RULES: tuple[tuple[str, str], ...] = (
    (r"^all |j street|afscme", "other"),
    (r"united democracy project|\budp\b|democratic majority for israel|\bdmfi\b|aipac|israel|yachad", "pro-israel"),
    (r"protect progress|fairshake|defend american jobs|protect our future|crypto", "crypto"),
    (r"justice democrats|working families|progressive caucus|cpc pac|leaders we deserve|american priorities"
     r"|medicare for all|indivisible|takeaction mn|fight corporate monopolies|progressive pacs", "progressive"),
    (r"club for growth|school freedom fund|house freedom (fund|action)|maga ky|susan b\. anthony"
     r"|protect freedom (pac|political action)", "conservative"),
    (r"congressional leadership fund|\bclf\b|defending main street|winning for women|hispanic leadership alliance"
     r"|\bdccc\b|house majority pac|\bhmp\b|\bnrcc\b|conservatives for american excellence|establishment-allied",
     "party-aligned"),
)

# Output columns (features.kernel.columns GROUPS['outside_spending']) plus coverage flags.
OS_COLUMNS = ["os_for_inc", "os_against_inc", "os_for_chal", "os_against_chal", "os_pro_israel_against_inc",
              "os_pro_israel_for_inc", "os_crypto", "os_progressive", "os_party_aligned", "os_conservative",
              "os_last_date"]


def spender_class(spender: str) -> str:
    """Bloc of a spender name ('pro-israel', 'crypto', 'progressive', 'party-aligned', 'conservative', 'other')."""
    s = str(spender).lower()
    for pattern, cls in _CLASS_RULES:
        if re.search(pattern, s):
            return cls
    return "other"


def _period_end(value: str, path, row: int, field: str) -> tuple[pd.Timestamp, str]:
    """'YYYY-MM-DD' -> that day; 'YYYY-MM' -> last day of the month; 'YYYY' -> Dec 31 (period END)."""
    v = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return pd.Timestamp(v), "day"
        if re.fullmatch(r"\d{4}-\d{2}", v):
            return pd.Timestamp(v + "-01") + pd.offsets.MonthEnd(0), "month"
        if re.fullmatch(r"\d{4}", v):
            return pd.Timestamp(v + "-12-31"), "year"
    except ValueError:
        pass
    raise InputError(path, f"not a date (YYYY-MM-DD, YYYY-MM or YYYY): {v!r}", row=row, field=field)


def _district_list(value: str, path, row: int) -> list[int]:
    v = str(value).strip().upper()
    if v in ("AL", "0", "00"):
        return [0]
    parts = v.split(";")
    if not all(p.strip().isdigit() for p in parts):
        raise InputError(path, f"not a district: {value!r}", row=row, field="district")
    return [int(p) for p in parts]


def spending_events(raw: Path) -> pd.DataFrame:
    """One row per curated outside-spending figure (pooled multi-district rows: one row per district).

    Returns ``EVENT_COLUMNS``: cycle (int), state, district (int, 0 = at-large), party ('D'/'R'),
    race_incumbent, spender, spender_class, supports, opposes (names; several separated by '; '),
    amount_usd (float), amount_is, as_of (Timestamp; period END for month-level dates),
    as_of_precision ('day'/'month'/'year'), pre_primary (bool), spender_type ('single'/'aggregate'),
    pooled_districts (e.g. '3;4' for a figure pooled over WA-3 and WA-4, else NA), source_url, note,
    source_row (1-based data row in the CSV).

    A pooled figure is repeated on each district it covers with its full amount and flagged: it
    shows that those races were covered, but it is never summed (nor are 'aggregate' rows).
    """
    path = Path(raw) / SOURCE
    df = read_csv(raw, SOURCE, unique_rows=True, required=["cycle", "state", "district", "party", "race_incumbent", "spender",
                                         "supports", "opposes", "amount_usd", "amount_is", "as_of",
                                         "pre_primary", "spender_type", "source_url", "note"],
                  dtype=str, keep_default_na=False)
    amounts = to_number(df["amount_usd"], path, "amount_usd")
    records = []
    for i, r in df.iterrows():
        row = int(i) + 1
        cycle, state, party = race_keys(r, path, row)
        stype = r["spender_type"].strip().lower()
        if stype not in ("single", "aggregate"):
            raise InputError(path, f"spender_type must be single or aggregate, got {r['spender_type']!r}",
                             row=row, field="spender_type")
        pre = r["pre_primary"].strip().lower()
        if pre not in ("true", "false"):
            raise InputError(path, f"pre_primary must be true or false, got {r['pre_primary']!r}",
                             row=row, field="pre_primary")
        when, precision = _period_end(r["as_of"], path, row, "as_of")
        districts = _district_list(r["district"], path, row)
        for d in districts:
            records.append({
                "cycle": cycle, "state": state, "district": d, "party": party,
                "race_incumbent": r["race_incumbent"].strip(), "spender": r["spender"].strip(),
                "spender_class": spender_class(r["spender"]),
                "supports": r["supports"].strip() or pd.NA, "opposes": r["opposes"].strip() or pd.NA,
                "amount_usd": amounts.iloc[i], "amount_is": r["amount_is"].strip(), "as_of": when,
                "as_of_precision": precision, "pre_primary": pre == "true", "spender_type": stype,
                "pooled_districts": r["district"].strip() if len(districts) > 1 else pd.NA,
                "source_url": r["source_url"].strip(), "note": r["note"].strip() or pd.NA, "source_row": row,
            })
    return _typed(pd.DataFrame.from_records(records, columns=EVENT_COLUMNS))


def _typed(ev: pd.DataFrame) -> pd.DataFrame:
    ev = ev.copy()
    ev["cycle"] = ev["cycle"].astype(int)
    ev["district"] = ev["district"].astype(int)
    ev["amount_usd"] = ev["amount_usd"].astype(float)
    ev["as_of"] = pd.to_datetime(ev["as_of"]).astype("datetime64[ns]")
    ev["pre_primary"] = ev["pre_primary"].astype(bool)
    ev["source_row"] = ev["source_row"].astype(int)
    for c in ("state", "party", "race_incumbent", "spender", "spender_class", "supports", "opposes", "amount_is",
              "as_of_precision", "spender_type", "pooled_districts", "source_url", "note"):
        ev[c] = ev[c].astype("string")
    return ev


def write_events(df: pd.DataFrame, path) -> None:
    """Write the events table as CSV (ISO dates, true/false, stable row order)."""
    write_event_csv(df, path, EVENT_COLUMNS, date_cols=("as_of",), bool_cols=("pre_primary",),
                    sort_by=("cycle", "state", "district", "source_row"))


def read_events(path) -> pd.DataFrame:
    """Read an events CSV written by :func:`write_events` (or the build) back with its types."""
    df = read_event_csv(path, EVENT_COLUMNS, "outside-spending", bool_cols=("pre_primary",))
    df["amount_usd"] = to_number(df["amount_usd"], path, "amount_usd")
    return _typed(df)


# ---------------------------------------------------------------------------------------------
# Aggregation per race


def _names(cell) -> list[str]:
    if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
        return []
    return [p.strip() for p in str(cell).split(";") if p.strip()]


def _is_incumbent(names: list[str], incumbent) -> bool:
    return any(names_match(n, incumbent) >= NAME_MATCH_MIN for n in names)


def _usable(ev: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """Rows dated on or before ``when``; per spender only its latest such date (snapshots never summed)."""
    ev = ev[ev["as_of"] <= when]
    if ev.empty:
        return ev
    latest = ev.groupby("spender")["as_of"].transform("max")
    ev = ev[ev["as_of"] == latest]
    combined = ev["supports"].notna() & ev["opposes"].notna()
    has_combined = combined.groupby(ev["spender"]).transform("any")
    return ev[combined | ~has_combined]


def aggregate_spending(events: pd.DataFrame, races: pd.DataFrame, as_of, include_post_primary: bool = False
                       ) -> pd.DataFrame:
    """Outside-spending features of each race as of a date.

    Parameters
    ----------
    events : output of :func:`spending_events` (or :func:`read_events`)
    races : rows with ``cycle, state, district, party, incumbent`` (other columns are ignored; a
        ``top_challenger`` column is NOT used: who the top challenger was is known only from the result,
        so every non-incumbent candidate counts as a challenger)
    as_of : Timestamp, or Series aligned with ``races``
    include_post_primary : also sum rows flagged ``pre_primary=false`` (post-primary tallies)

    Returns
    -------
    DataFrame on ``races.index`` with the ``features.kernel.columns`` 'outside_spending' columns and
    ``os_covered`` (bool: the race has a curated row dated on or before ``as_of``), ``os_in_file``
    (bool: the race has a curated row at any date; a diagnostic, NOT a model input, since which races
    were curated reflects what became newsworthy) and ``os_n_figures`` (rows summed). Amounts are
    dollars of ``single``-spender, non-pooled, pre-primary rows, after the snapshot rule; NA when
    no such row is usable (not covered, or only 'aggregate'/pooled tallies); 0 is a true zero.
    A combined for/against figure goes to the incumbent's side (against the incumbent if it opposes
    them, for the incumbent if it supports them), never to both sides.
    ``os_pro_israel_against_inc`` = pro-Israel money opposing the incumbent or supporting a
    challenger; ``os_pro_israel_for_inc`` = supporting the incumbent or opposing a challenger; the
    other class columns are that bloc's total in the race, all directions. ``os_last_date`` = the
    latest date among the race's rows dated on or before ``as_of`` (aggregates included).
    """
    require_columns(races, ["cycle", "state", "district", "party", "incumbent"], "races")
    require_columns(events, EVENT_COLUMNS, "outside-spending events")
    when_s = as_of_series(as_of, races.index)
    groups = {k: g for k, g in events.groupby(["cycle", "state", "district", "party"], sort=False)}

    records = []
    for idx, race in races.iterrows():
        key = (int(race["cycle"]), race["state"], int(race["district"]), race["party"])
        ev = groups.get(key)
        rec = {c: np.nan for c in OS_COLUMNS}
        rec.update(os_last_date=pd.NaT, os_covered=False, os_in_file=ev is not None, os_n_figures=0)
        when = when_s.loc[idx]
        if ev is not None and pd.notna(when):
            dated = ev[ev["as_of"] <= when]
            if len(dated):
                sums = _race_sums(dated, race["incumbent"], when, include_post_primary)
                if sums["os_n_figures"]:      # only aggregate tallies: amounts stay unknown (NA)
                    rec.update(sums)
                rec["os_covered"] = True
                rec["os_last_date"] = dated["as_of"].max()
        records.append(rec)
    cols = OS_COLUMNS + ["os_covered", "os_in_file", "os_n_figures"]
    out = pd.DataFrame.from_records(records, index=races.index, columns=cols)
    out["os_last_date"] = pd.to_datetime(out["os_last_date"]).astype("datetime64[ns]")
    out[["os_covered", "os_in_file"]] = out[["os_covered", "os_in_file"]].astype(bool)
    out["os_n_figures"] = out["os_n_figures"].astype(int)
    return out


def _race_sums(dated: pd.DataFrame, incumbent, when, include_post_primary: bool) -> dict:
    sums = dict.fromkeys(OS_COLUMNS[:-1], 0.0)
    pool = dated[(dated["spender_type"] == "single") & dated["pooled_districts"].isna()]
    if not include_post_primary:
        pool = pool[pool["pre_primary"]]
    pool = _usable(pool, when)
    for _, e in pool.iterrows():
        amount = float(e["amount_usd"])
        sup, opp = _names(e["supports"]), _names(e["opposes"])
        sup_inc, opp_inc = _is_incumbent(sup, incumbent), _is_incumbent(opp, incumbent)
        if opp_inc:
            side = "os_against_inc"
        elif sup_inc:
            side = "os_for_inc"
        elif sup:
            side = "os_for_chal"
        elif opp:
            side = "os_against_chal"
        else:
            continue          # neither side named: cannot be placed (aggregates carry such tallies)
        sums[side] += amount
        cls = e["spender_class"]
        if cls == "pro-israel":
            key = "os_pro_israel_against_inc" if side in ("os_against_inc", "os_for_chal") else "os_pro_israel_for_inc"
            sums[key] += amount
        elif cls in ("crypto", "progressive", "party-aligned", "conservative"):
            sums["os_" + cls.replace("-", "_")] += amount
    sums["os_n_figures"] = len(pool)
    return sums
