"""The record of House incumbents who lost renomination, 2002-2024, by cycle, party and cause.

One row per incumbent whose ``lost`` is true in the central table.  The cause is derived from the
table where the data say it, in this order (the first rule that applies is the cause; every rule
that applies is listed in ``all_causes``):

1. ``redistricting pairing``  -- ``incumbent_vs_incumbent`` (two members drawn into one district);
2. ``Trump-aligned``          -- ``end_trump_against_inc``: Trump endorsed a challenger of a sitting
                                 Republican;
3. ``insurgent-left``         -- a Democrat whose challenger had an insurgent-left endorsement
                                 (``end_insurgent_chal``: Justice Democrats, Our Revolution, Sunrise,
                                 WFP, Sanders, Ocasio-Cortez, the Squad);
4. ``pro-Israel money``       -- at least ``PRO_ISRAEL_MIN_USD`` of pro-Israel outside spending against
                                 the incumbent or for the challenger (``os_pro_israel_against_inc``).

The rest come from the curated file ``data/overrides/defeat_causes.csv`` (one row per defeat with a
cause from ``CAUSES``, a one-line reason and a source URL).  A curated row also overrides a derived
cause (the derived one stays in ``all_causes``).  A defeat with neither is ``other/unclassified``:
the record never guesses.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from features.kernel.errors import InputError
from features.kernel.names import names_match
from features.kernel.paths import DATA_DIR

DEFEAT_CAUSES_CSV = DATA_DIR / "overrides" / "defeat_causes.csv"
PRO_ISRAEL_MIN_USD = 1_000_000
UNCLASSIFIED = "other/unclassified"
CAUSES = (
    "redistricting pairing", "redistricting (new territory)", "insurgent-left", "Trump-aligned",
    "pro-Israel money", "challenge from the right", "establishment challenge", "scandal",
    "age/generational", UNCLASSIFIED,
)
CURATED_COLUMNS = ["cycle", "state", "district", "party", "incumbent", "cause", "reason", "source_url"]
RECORD_COLUMNS = ["cycle", "state", "district", "party", "incumbent", "top_challenger", "other_incumbent",
                  "incumbent_share", "top_challenger_share", "cause", "cause_source", "reason", "source_url",
                  "all_causes"]
_URL = re.compile(r"^https?://\S+$")


def read_defeat_causes(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the curated causes file (``CURATED_COLUMNS``; ``row`` = 1-based data row)."""
    path = Path(path) if path else DEFEAT_CAUSES_CSV
    if not path.is_file():
        raise InputError(path, "defeat-causes file not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CURATED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {missing}", field=missing[0])
    recs = []
    for i, r in df.iterrows():
        row = int(i) + 1
        for col in ("cycle", "district"):
            if not r[col].strip().isdigit():
                raise InputError(path, f"not a number: {r[col]!r}", row=row, field=col)
        if r["party"].strip() not in ("D", "R"):
            raise InputError(path, f"party must be D or R, got {r['party']!r}", row=row, field="party")
        if r["cause"].strip() not in CAUSES:
            raise InputError(path, f"unknown cause {r['cause']!r} (known: {', '.join(CAUSES)})", row=row,
                             field="cause")
        if not r["reason"].strip():
            raise InputError(path, "a one-line reason is required", row=row, field="reason")
        if not _URL.match(r["source_url"].strip()):
            raise InputError(path, f"source_url must be an http(s) URL, got {r['source_url']!r}", row=row,
                             field="source_url")
        recs.append({"cycle": int(r["cycle"]), "state": r["state"].strip().upper(),
                     "district": int(r["district"]), "party": r["party"].strip(),
                     "incumbent": r["incumbent"].strip(), "cause": r["cause"].strip(),
                     "reason": r["reason"].strip(), "source_url": r["source_url"].strip(), "row": row})
    return pd.DataFrame.from_records(recs, columns=CURATED_COLUMNS + ["row"])


def derived_causes(row: pd.Series) -> list[tuple[str, str]]:
    """(cause, evidence) pairs the table supports for one defeat, in priority order."""
    out = []
    if _true(row.get("incumbent_vs_incumbent")):
        out.append(("redistricting pairing", f"incumbent_vs_incumbent (vs {row.get('other_incumbent')})"))
    if _true(row.get("end_trump_against_inc")):
        out.append(("Trump-aligned", "end_trump_against_inc"))
    if row.get("party") == "D" and _true(row.get("end_insurgent_chal")):
        out.append(("insurgent-left", "end_insurgent_chal"))
    pro_israel = pd.to_numeric(pd.Series([row.get("os_pro_israel_against_inc")]), errors="coerce").iloc[0]
    if pd.notna(pro_israel) and pro_israel >= PRO_ISRAEL_MIN_USD:
        out.append(("pro-Israel money", f"os_pro_israel_against_inc ${pro_israel:,.0f}"))
    return out


def defeat_record(table: pd.DataFrame, causes_path: str | Path | None = None,
                  cycles: tuple[int, int] = (2002, 2024)) -> pd.DataFrame:
    """Every incumbent who lost renomination in ``cycles`` (inclusive), with a cause.

    Parameters
    ----------
    table : the central table (``features.table.store.load_table()``).
    causes_path : curated causes CSV (default ``data/overrides/defeat_causes.csv``).
    cycles : first and last cycle.

    Returns
    -------
    DataFrame with ``RECORD_COLUMNS``: ``cause_source`` is 'derived: <evidence>', 'curated: row N'
    or 'none'; ``all_causes`` joins every applicable cause with '; '.

    Raises
    ------
    InputError
        A curated row that matches no defeat in the table (or more than one), naming its row.
    """
    curated = read_defeat_causes(causes_path)
    path = Path(causes_path) if causes_path else DEFEAT_CAUSES_CSV
    lost = table["lost"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    in_range = table["cycle"].between(*cycles).to_numpy()
    defeats = table[lost & in_range].sort_values(["cycle", "state", "district", "party"]).copy()

    curated_for: dict = {}
    for _, c in curated.iterrows():
        hit = defeats[(defeats["cycle"] == c["cycle"]) & (defeats["state"] == c["state"])
                      & (defeats["district"] == c["district"]) & (defeats["party"] == c["party"])]
        if c["incumbent"]:
            hit = hit[[names_match(n, c["incumbent"]) >= 0.5 or _surname_in(c["incumbent"], n)
                       for n in hit["incumbent"]]]
        if len(hit) != 1:
            raise InputError(path, f"matches {len(hit)} defeats in the table (need exactly 1): "
                                   f"{c['cycle']} {c['state']}-{c['district']} {c['party']} {c['incumbent']}",
                             row=int(c["row"]), field="incumbent" if c["incumbent"] else "district")
        if hit.index[0] in curated_for:
            raise InputError(path, "a second curated cause for the same defeat", row=int(c["row"]),
                             field="cause")
        curated_for[hit.index[0]] = c

    recs = []
    for idx, r in defeats.iterrows():
        derived = derived_causes(r)
        causes = [c for c, _ in derived]
        if idx in curated_for:
            c = curated_for[idx]
            cause, source, reason, url = c["cause"], f"curated: row {int(c['row'])}", c["reason"], c["source_url"]
            causes = [cause] + [x for x in causes if x != cause]
        elif derived:
            cause, evidence = derived[0]
            cause, source, reason, url = cause, f"derived: {evidence}", _derived_reason(cause, r), ""
        else:
            cause, source, reason, url = UNCLASSIFIED, "none", "", ""
            causes = [UNCLASSIFIED]
        recs.append({
            "cycle": int(r["cycle"]), "state": r["state"], "district": int(r["district"]), "party": r["party"],
            "incumbent": r["incumbent"], "top_challenger": r.get("top_challenger"),
            "other_incumbent": r.get("other_incumbent"), "incumbent_share": r.get("incumbent_share"),
            "top_challenger_share": r.get("top_challenger_share"), "cause": cause, "cause_source": source,
            "reason": reason, "source_url": url, "all_causes": "; ".join(causes)})
    return pd.DataFrame.from_records(recs, columns=RECORD_COLUMNS)


def defeat_counts(record: pd.DataFrame, by: str = "cause") -> pd.DataFrame:
    """Defeats per cycle (rows) by ``by`` ('cause' or 'party'; columns), with a ``total`` column and
    an ``all cycles`` row."""
    if by not in ("cause", "party"):
        raise ValueError("by must be 'cause' or 'party'")
    cols = [c for c in CAUSES if c in set(record["cause"])] if by == "cause" else ["D", "R"]
    counts = pd.crosstab(record["cycle"], record[by]).reindex(columns=cols, fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.loc["all cycles"] = counts.sum()
    counts.index.name = "cycle"
    counts.columns.name = None
    return counts


def defeat_rates(table: pd.DataFrame, cycles: tuple[int, int] = (2002, 2024)) -> pd.DataFrame:
    """Per cycle: incumbents seeking renomination, contested, lost, loss rate and loss rate if contested."""
    t = table[table["cycle"].between(*cycles)]
    lost = t["lost"].astype("boolean").fillna(False).astype(int)
    contested = t["contested"].astype("boolean").fillna(False).astype(int)
    out = pd.DataFrame({"cycle": t["cycle"], "lost": lost, "contested": contested}).groupby("cycle").agg(
        incumbents=("lost", "size"), contested=("contested", "sum"), lost=("lost", "sum"))
    out["loss_rate"] = out["lost"] / out["incumbents"]
    out["loss_rate_if_contested"] = out["lost"] / out["contested"].where(out["contested"] > 0)
    return out


def _derived_reason(cause: str, r: pd.Series) -> str:
    if cause == "redistricting pairing":
        return f"drawn into the same district as fellow member {r.get('other_incumbent')}"
    if cause == "Trump-aligned":
        return f"Trump endorsed the challenger ({r.get('top_challenger')})"
    if cause == "insurgent-left":
        return f"insurgent-left groups endorsed the challenger ({r.get('top_challenger')})"
    if cause == "pro-Israel money":
        amount = float(r.get("os_pro_israel_against_inc"))
        return f"${amount / 1e6:.1f}M of pro-Israel outside spending against the incumbent / for the challenger"
    return ""


def _true(value) -> bool:
    if value is None or value is pd.NA:
        return False
    try:
        return bool(pd.notna(value) and float(value) != 0)
    except (TypeError, ValueError):
        return str(value).strip().lower() in ("true", "yes")


def _surname_in(surname: str, name) -> bool:
    tokens = {t for t in re.split(r"[^a-z]+", str(name).lower()) if t}
    want = {t for t in re.split(r"[^a-z]+", surname.lower()) if t}
    return bool(want) and want <= tokens
