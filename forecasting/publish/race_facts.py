"""What a race page shows besides the forecast: money, endorsements, outside spending, FEC links.

Every fact is taken as of the race's snapshot date with the as-of rule (``features.view.asof.as_of_view``:
money whose FEC coverage ends later is blanked) and the dated event tables
(``data/processed/endorsement_events.csv``, ``outside_spending_events.csv``: events dated on or
before the as-of date).  Links go only to FEC candidate pages built from well-formed FEC IDs, and to
``http(s)`` sources; every string is escaped by the templates.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from features.kernel.paths import PROCESSED_DIR
from features.view.asof import as_of_view
from forecasting.publish.formats import number as _num

FEC_ID = re.compile(r"^[HSP][0-9][A-Z0-9]{2}[0-9]{5}$")
FEC_CANDIDATE_URL = "https://www.fec.gov/data/candidate/{}/"
RACE = ("state", "district", "party", "incumbent")


def fec_url(fec_id) -> str | None:
    """The FEC candidate page (committees, filings) of a well-formed FEC candidate ID, else None."""
    if not isinstance(fec_id, str) or not FEC_ID.match(fec_id.strip()):
        return None
    return FEC_CANDIDATE_URL.format(fec_id.strip())


def safe_url(url) -> str | None:
    """``url`` if it is an http(s) URL, else None (no ``javascript:`` or relative links from data)."""
    if isinstance(url, str) and re.match(r"^https?://[^\s\"'<>]+$", url.strip()):
        return url.strip()
    return None


def _split(value) -> list[str]:
    if not isinstance(value, str):
        return []
    return [v.strip() for v in value.split(";") if v.strip()]


def _read_events(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def race_facts(table: pd.DataFrame | None, records: list[dict], events_dir: Path | None = None) -> dict:
    """Per race key ``(state, district, party, incumbent)``: ``money``, ``endorsements``,
    ``spending`` and ``fec`` (links), as of each record's ``as_of``.  Empty without a table."""
    if table is None or not records:
        return {}
    events_dir = Path(events_dir) if events_dir is not None else PROCESSED_DIR
    cycle = int(records[0]["cycle"])
    want = pd.DataFrame([{k: r[k] for k in RACE} | {"as_of": pd.Timestamp(r["as_of"])} for r in records])
    rows = table[table["cycle"] == cycle].merge(want, on=list(RACE), how="inner", suffixes=("", "_snap"))
    if rows.empty:
        return {}
    as_of = pd.to_datetime(rows["as_of_snap"] if "as_of_snap" in rows.columns else rows["as_of"])
    rows = rows.drop(columns=[c for c in ("as_of", "as_of_snap") if c in rows.columns])
    view = as_of_view(rows.reset_index(drop=True), as_of.reset_index(drop=True), events_dir=events_dir)
    ends = _read_events(events_dir / "endorsement_events.csv")
    spend = _read_events(events_dir / "outside_spending_events.csv")
    shown = {tuple(r[k] for k in RACE): r for r in records}
    out = {}
    for _, v in view.iterrows():
        key = (v["state"], int(v["district"]), v["party"], v["incumbent"])
        when = pd.Timestamp(v["as_of"])
        rec = shown.get(key, {})
        out[key] = {
            "as_of": when,
            "money": {"inc_receipts": _num(v.get("inc_receipts")), "inc_cash": _num(v.get("inc_cash")),
                      "chal_receipts": _num(v.get("chal_receipts")), "chal_cash": _num(v.get("chal_cash")),
                      "chal_name": _fec_display(v.get("chal_name_fec")),
                      "through": None if pd.isna(v.get("money_cvg_end")) else pd.Timestamp(v["money_cvg_end"]),
                      "source": None if pd.isna(v.get("money_source")) else str(v.get("money_source"))},
            "outside": {c: _num(v.get(c)) for c in ("os_for_inc", "os_against_inc", "os_for_chal", "os_against_chal")},
            "fec": _fec_links(v, rec.get("challengers")),
            "endorsements": _race_endorsements(ends, cycle, key, when),
            "spending": _race_spending(spend, cycle, key, when),
        }
    return out


def _fec_display(name) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    from features.kernel.names import fec_display_name
    return fec_display_name(name.strip())


def _fec_links(v: pd.Series, shown_challengers) -> list[dict]:
    """The incumbent's FEC page, then those of the challengers the forecast names (live-cycle field)."""
    links = []
    url = fec_url(v.get("fec_id"))
    if url:
        links.append({"name": v["incumbent"], "role": "incumbent", "fec_id": v["fec_id"].strip(), "url": url})
    names, ids = _split(v.get("challengers")), _split(v.get("challenger_ids"))
    shown = {n.lower() for n in _split(shown_challengers)}
    if len(names) == len(ids):
        for name, cid in zip(names, ids):
            url = fec_url(cid)
            if url and name.lower() in shown:
                links.append({"name": name, "role": "challenger", "fec_id": cid, "url": url})
    return links


def _match(df: pd.DataFrame, cycle: int, key: tuple) -> pd.DataFrame:
    if df.empty:
        return df
    state, district, party, _ = key
    return df[(df["cycle"] == str(cycle)) & (df["state"] == state) & (df["district"] == str(district))
              & (df["party"] == party)]


def _race_endorsements(ends: pd.DataFrame, cycle: int, key: tuple, when: pd.Timestamp) -> list[dict]:
    m = _match(ends, cycle, key)
    if m.empty:
        return []
    dates = pd.to_datetime(m["endorsement_date"].replace("", None), errors="coerce")
    m = m[dates.notna() & (dates <= when)].assign(_d=dates)
    return [{"endorser": r["endorser"], "endorser_class": r["endorser_class"], "candidate": r["candidate"],
             "role": r["candidate_role"], "date": r["_d"], "precision": r.get("date_precision", ""),
             "source": r.get("source_row") or r.get("source", "")}
            for _, r in m.sort_values("_d").iterrows()]


def _race_spending(spend: pd.DataFrame, cycle: int, key: tuple, when: pd.Timestamp) -> list[dict]:
    m = _match(spend, cycle, key)
    if m.empty:
        return []
    dates = pd.to_datetime(m["as_of"].replace("", None), errors="coerce")
    m = m[dates.notna() & (dates <= when)].assign(_d=dates)
    out = []
    for _, r in m.sort_values("_d").iterrows():
        side = (f"for {r['supports']}" if r["supports"] else "") + (f"against {r['opposes']}" if r["opposes"] else "")
        out.append({"spender": r["spender"], "spender_class": r["spender_class"], "side": side,
                    "amount": _num(pd.to_numeric(r["amount_usd"], errors="coerce")),
                    "amount_is": r.get("amount_is", ""), "date": r["_d"], "url": safe_url(r.get("source_url"))})
    return out
