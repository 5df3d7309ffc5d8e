"""2024 independent expenditures (FEC Schedule E totals) per incumbent, by spender class -- undated: leaky.

Source: ``fec-independent-expenditures-2024/`` (see its README): ``ie2024_house_spender_candidate_pairs.csv``
(spender committee ``sid`` x House candidate ``cid`` x side ``S``/``O``: the 2024-cycle total),
``ie2024_committees_top.tsv`` (spender names; the 355 smallest committees, $7.1M, have no name and
fall in the class ``other``).  Spenders get their class from ``features.evidence.outside_spending.spender_class``
(DESIGN section 3: pro-Israel, crypto, progressive, party-aligned, conservative, other), the one
mapping the project has.

Which cycles: 2024 only.  Every other cycle's columns are missing (not covered), not zero.

The leak.  The totals have **no dates and no primary/general split**: they include the general
election's money and money spent after the primary.  For any pre-primary view they are what the
year-end FEC totals are (``money_yearend``): the group carries its coverage end ``ie24_cvg_end``
(2024-12-31, the end of the cycle the file sums) in ``features.kernel.columns.DATED_GROUPS`` and is listed in
``features.kernel.columns.LEAKY_GROUPS``; ``features.view.asof.as_of_view`` blanks it in every leak-free money
mode and keeps it only in the ``yearend`` mode (``forecasting.evaluation.backtest.LEAKY_MONEY_MODES``, the
scoreboard's "year-end (leak)" rows), and ``assert_as_of`` refuses it in any view dated before
2024-12-31.  It is not a model feature group (``features.view.matrix``).

What precedes the primary.  UDP's 2024 IE totals can be checked against the dated pas2 transactions
(``fec-pro-israel-pac-transactions``, election-coded ``P2024``/``G2024``): :func:`udp_crosscheck`.
Where the primary-coded money dated before the primary equals the IE total, that total was spent
before the primary -- and that money is already in the table, dated, as ``pi_fec_*``
(``features.evidence.pro_israel_money``); the pre-primary views use only that, never the IE total.

Columns per 2024 row (the incumbent's party primary; a challenger is a same-party candidate the
FEC's 2024 candidate file places in the district, not a sitting member unless another incumbent of
the same race; opposite-party candidates -- general-election opponents -- are not counted):
``ie24_for_inc``, ``ie24_against_inc`` (S / O on the incumbent), ``ie24_for_chal``, ``ie24_against_chal``
(S / O on same-party challengers), per class ``ie24_<class>_against_inc`` (O on the incumbent + S on a
challenger) and ``ie24_<class>_for_inc`` (S on the incumbent + O on a challenger), ``ie24_cvg_end``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.evidence.outside_spending import spender_class
from features.kernel.errors import InputError
from features.kernel.rawio import parse_date, read_csv, require_columns, to_number

FOLDER = "fec-independent-expenditures-2024"
PAIRS = f"{FOLDER}/ie2024_house_spender_candidate_pairs.csv"
COMMITTEES = f"{FOLDER}/ie2024_committees_top.tsv"
CYCLE = 2024
#: the totals sum the whole 2023-2024 cycle: the date they run to (after every 2024 primary)
CVG_END = pd.Timestamp("2024-12-31")
UDP_ID = "C00799031"
CLASSES = ("pro_israel", "crypto", "progressive", "party_aligned", "conservative")
COLUMNS = (["ie24_for_inc", "ie24_against_inc", "ie24_for_chal", "ie24_against_chal"]
           + [f"ie24_{c}_{side}" for c in CLASSES for side in ("against_inc", "for_inc")] + ["ie24_cvg_end"])
PAIR_COLUMNS = ["sid", "cid", "side", "amount", "spender", "spender_class", "state", "district", "party", "ici",
                "source_row"]


def ie_pairs(raw: Path) -> pd.DataFrame:
    """The spender x candidate x side totals with spender name, class and the candidate's 2024 race.

    ``side`` is 'S' or 'O' (the two rows with a blank side cannot be placed and are dropped);
    ``state``/``district``/``party``/``ici`` come from the FEC 2024 candidate file
    (``features.evidence.money.candidate_money``, ghost and dormant committees dropped; NA if not listed).
    Bad input (a side other than S/O/blank, a non-number amount, a candidate id that is not a House
    id, a repeated key) is one ``InputError`` naming the file, row and field.
    """
    from features.evidence.money import candidate_money

    path = Path(raw) / PAIRS
    df = read_csv(raw, PAIRS, required=["sid", "cid", "side", "amount"], dtype=str, keep_default_na=False)
    df = df.reset_index(drop=True)
    df["source_row"] = np.arange(1, len(df) + 1)
    for col in ("sid", "cid", "side"):
        df[col] = df[col].str.strip()
    bad = ~df["side"].isin(["S", "O", ""])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"side must be S, O or blank, got {df['side'].iloc[i]!r}", row=i + 1, field="side")
    bad = ~df["cid"].str.match(r"^H\d[A-Z]{2}\d{5}$")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"not a House candidate id: {df['cid'].iloc[i]!r}", row=i + 1, field="cid")
    dup = df.duplicated(["sid", "cid", "side"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(path, "repeated (sid, cid, side) key", row=i + 1, field="sid")
    df["amount"] = to_number(df["amount"], path, "amount").astype(float)
    df = df[df["side"] != ""].copy()

    names = read_csv(raw, COMMITTEES, required=["sid", "name"], sep="\t", dtype=str, keep_default_na=False)
    names = names.assign(sid=names["sid"].str.strip()).drop_duplicates("sid").set_index("sid")["name"].str.strip()
    df["spender"] = df["sid"].map(names).astype("string")
    df["spender_class"] = df["spender"].map(lambda n: "other" if pd.isna(n) else spender_class(n)).astype("string")

    reg = candidate_money(raw, CYCLE, "yearend")
    reg = reg[reg["inactive"].isna()].drop_duplicates("fec_id").set_index("fec_id")
    hit = reg.reindex(df["cid"])
    df["state"] = hit["state"].astype("string").to_numpy()
    df["district"] = pd.array(hit["district"].to_numpy(), dtype="Int64")
    df["party"] = hit["party"].where(hit["party"].isin(["D", "R"])).astype("string").to_numpy()
    df["ici"] = hit["ici"].astype("string").to_numpy()
    return df[PAIR_COLUMNS].reset_index(drop=True)


def aggregate_ie24(pairs: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``COLUMNS`` for contest rows (cycle, state, district, party, fec_id): 2024 rows only, else missing."""
    require_columns(rows, ["cycle", "state", "district", "party", "fec_id"], "contest rows")
    out = pd.DataFrame(np.nan, index=rows.index, columns=COLUMNS[:-1])
    out["ie24_cvg_end"] = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    in_cycle = rows["cycle"].astype(int) == CYCLE
    race_ids: dict[tuple, set] = {}
    for key, ids in rows[in_cycle].groupby(["state", "district", "party"])["fec_id"]:
        race_ids[(key[0], int(key[1]), key[2])] = {f for f in ids if isinstance(f, str)}
    by_cid = {c: g for c, g in pairs.groupby("cid")}
    placed = pairs[pairs["state"].notna() & pairs["district"].notna() & pairs["party"].notna()]
    by_race = {(k[0], int(k[1]), k[2]): g for k, g in placed.groupby(["state", "district", "party"])}
    empty = pairs.iloc[0:0]
    for idx in rows.index[in_cycle.to_numpy()]:
        st, d, party, fec = (rows.at[idx, "state"], int(rows.at[idx, "district"]), rows.at[idx, "party"],
                             rows.at[idx, "fec_id"])
        inc = by_cid.get(fec, empty) if isinstance(fec, str) else empty
        same = by_race.get((st, d, party), empty)
        same = same[same["cid"] != fec]
        others = race_ids.get((st, d, party), set())
        chal = same[(same["ici"].fillna("") != "I") | same["cid"].isin(list(others))]
        rec = {"ie24_for_inc": inc.loc[inc["side"] == "S", "amount"].sum(),
               "ie24_against_inc": inc.loc[inc["side"] == "O", "amount"].sum(),
               "ie24_for_chal": chal.loc[chal["side"] == "S", "amount"].sum(),
               "ie24_against_chal": chal.loc[chal["side"] == "O", "amount"].sum()}
        for cls in CLASSES:
            name = cls.replace("_", "-")
            i, c = inc[inc["spender_class"] == name], chal[chal["spender_class"] == name]
            rec[f"ie24_{cls}_against_inc"] = (i.loc[i["side"] == "O", "amount"].sum()
                                              + c.loc[c["side"] == "S", "amount"].sum())
            rec[f"ie24_{cls}_for_inc"] = (i.loc[i["side"] == "S", "amount"].sum()
                                          + c.loc[c["side"] == "O", "amount"].sum())
        for k, v in rec.items():
            out.at[idx, k] = float(v)
        out.at[idx, "ie24_cvg_end"] = CVG_END
    return out


def udp_crosscheck(raw: Path, pairs: pd.DataFrame, primary_dates: pd.Series) -> pd.DataFrame:
    """UDP's 2024 IE totals against its dated pas2 transactions, per (candidate, side).

    Parameters
    ----------
    raw : the raw folder
    pairs : output of :func:`ie_pairs`
    primary_dates : 2024 primary date per state (index: state code)

    Returns
    -------
    One row per UDP (cid, side) of the IE file: ``ie_total``; the pas2 money of that side (24A for
    O, 24E for S) coded ``P2024``/``R2024`` (``pas2_primary``), coded ``G2024`` (``pas2_general``),
    primary-coded and dated before the state's primary (``pas2_before_primary``), and
    ``primary_coded`` = True where the primary-coded money equals the IE total within 1% (the total
    is primary money), ``pre_primary`` = True where the primary-coded money *filed before the
    primary* does (the total was public before the primary).  UDP's dates are the filing dates of
    its periodic reports, so money spent in the last weeks before a primary is dated after it.
    """
    from features.evidence.pro_israel_money import SOURCE

    path = Path(raw) / SOURCE
    tx = read_csv(raw, SOURCE, required=["pac_folder", "candidate_id", "date", "amount", "transaction_type",
                                         "election"], dtype=str, keep_default_na=False)
    tx = tx[(tx["pac_folder"] == "UnitedDemocracyProject") & tx["transaction_type"].isin(["24A", "24E"])]
    amount = to_number(tx["amount"], path, "amount")
    date = parse_date(tx["date"], path, "date", fmt="%Y-%m-%d")
    tx = tx.assign(amount=amount.to_numpy(), date=date.to_numpy(),
                   side=tx["transaction_type"].map({"24A": "O", "24E": "S"}))
    udp = pairs[pairs["sid"] == UDP_ID]
    rows = []
    for r in udp.itertuples(index=False):
        t = tx[(tx["candidate_id"] == r.cid) & (tx["side"] == r.side)]
        prim = t[t["election"].isin([f"P{CYCLE}", f"R{CYCLE}"])]
        day = primary_dates.get(r.state) if isinstance(r.state, str) else None
        before = prim[prim["date"] < pd.Timestamp(day)] if day is not None and pd.notna(day) else prim.iloc[0:0]
        rows.append({"cid": r.cid, "side": r.side, "state": r.state, "district": r.district,
                     "primary_date": day, "ie_total": r.amount, "pas2_primary": prim["amount"].sum(),
                     "pas2_general": t.loc[t["election"] == f"G{CYCLE}", "amount"].sum(),
                     "pas2_before_primary": before["amount"].sum()})
    out = pd.DataFrame(rows)
    if len(out):
        out["primary_coded"] = (out["pas2_primary"] - out["ie_total"]).abs() <= 0.01 * out["ie_total"]
        out["pre_primary"] = (out["pas2_before_primary"] - out["ie_total"]).abs() <= 0.01 * out["ie_total"]
    return out
