"""Race pages show money (receipts, cash, coverage date), endorsements, outside spending and links to
the FEC candidate pages, as of the snapshot's date, with every name from data escaped."""
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from features.kernel.paths import PROCESSED_DIR
from forecasting.live import snapshots
from forecasting.live.scoring import score_cycle
from forecasting.publish import publish
from forecasting.publish.race_facts import fec_url, safe_url
from tests.forecasting.live_fixtures import table, toy_model, watchlist  # noqa: F401  (fixtures)

EVIL = "<script>alert('x')</script> O'Brien & \"Co\""
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; O&#39;Brien &amp; &#34;Co&#34;"


def _usd(v):
    return f"${float(v):,.0f}"


@pytest.fixture(scope="module")
def store(tmp_path_factory, table, toy_model, watchlist):
    root = tmp_path_factory.mktemp("facts-store")
    snap = score_cycle(table, toy_model, 2026, "2025-12-31", watchlist=watchlist, now=pd.Timestamp("2026-11-26"),
                       states=["CA", "KY"], explain=False)
    snapshots.append_snapshot(snap, root)
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory, store, table):
    return publish(tmp_path_factory.mktemp("facts") / "site", snapshots.read_history(store),
                   backtest_dir=store / "none", table=table)


def _row(table, state, district, party="D"):
    return table[(table["cycle"] == 2026) & (table["state"] == state) & (table["district"] == district)
                 & (table["party"] == party)].iloc[0]


def test_ca34_shows_money_fec_links_and_the_endorsement(site, store, table):
    page = (site / "races" / "CA-34-D.html").read_text()
    row = _row(table, "CA", 34)
    money = page[page.index('id="money"'):page.index("</table>", page.index('id="money"'))]
    assert f"<td class=\"num\">{_usd(row['inc_receipts'])}</td><td class=\"num\">{_usd(row['inc_cash'])}</td>" in money
    assert _usd(row["chal_receipts"]) in money and _usd(row["chal_cash"]) in money
    assert f"through {pd.Timestamp(row['money_cvg_end']).date()}" in page
    hrefs = re.findall(r'href="(https://www\.fec\.gov/data/candidate/[^"]+)"', page)
    assert hrefs[0] == f"https://www.fec.gov/data/candidate/{row['fec_id']}/"
    snap = snapshots.read_history(store)
    named = snap.loc[(snap["state"] == "CA") & (snap["district"] == "34"), "challengers"].iloc[0]
    ids = dict(zip(row["challengers"].split(";"), row["challenger_ids"].split(";")))
    expected = [f"https://www.fec.gov/data/candidate/{ids[n.strip()]}/" for n in named.split(";") if n.strip() in ids]
    assert set(hrefs[1:]) == set(expected) and len(expected) >= 1
    ends = pd.read_csv(PROCESSED_DIR / "endorsement_events.csv", dtype=str)
    jd = ends[(ends["cycle"] == "2026") & (ends["state"] == "CA") & (ends["district"] == "34")].iloc[0]
    assert f"{jd['endorser']} ({jd['endorser_class']}) for {jd['candidate']}" in page


def test_outside_spending_is_listed_with_its_source(site):
    spend = pd.read_csv(PROCESSED_DIR / "outside_spending_events.csv", dtype=str, keep_default_na=False)
    ky = spend[(spend["cycle"] == "2026") & (spend["state"] == "KY") & (spend["district"] == "4")]
    assert len(ky) >= 1
    page = (site / "races" / "KY-04-R.html").read_text()
    for _, r in ky.iterrows():
        assert _usd(r["amount_usd"]) in page and f'href="{r["source_url"]}"' in page


def test_facts_obey_the_as_of_rule(tmp_path, table, toy_model):
    store = tmp_path / "store"
    snapshots.append_snapshot(score_cycle(table, toy_model, 2026, "2025-06-30", now=pd.Timestamp("2026-11-26"),
                                          states=["CA"], explain=False), store)
    out = publish(tmp_path / "site", snapshots.read_history(store), backtest_dir=tmp_path, table=table)
    page = (out / "races" / "CA-34-D.html").read_text()
    row = _row(table, "CA", 34)
    assert _usd(row["inc_receipts"]) not in page                     # the 2025-12-31 report is not known yet
    assert "No FEC report with a coverage period ending by 2025-06-30" in page
    assert "Justice Democrats" not in page                           # endorsement dated 2025-12-31


def test_names_urls_and_ids_from_data_are_escaped_or_refused(tmp_path, store, table):
    events = tmp_path / "events"
    # the event tables as a build would write them with hostile names (no manifest: it would refuse edits)
    shutil.copytree(PROCESSED_DIR, events, ignore=shutil.ignore_patterns("incumbent_primaries*", "manifest.json"))
    spend = pd.read_csv(events / "outside_spending_events.csv", dtype=str, keep_default_na=False)
    ky = (spend["cycle"] == "2026") & (spend["state"] == "KY") & (spend["district"] == "4")
    spend.loc[ky, "spender"] = EVIL
    spend.loc[ky, "source_url"] = "javascript:alert(1)"
    spend.to_csv(events / "outside_spending_events.csv", index=False)
    ends = pd.read_csv(events / "endorsement_events.csv", dtype=str, keep_default_na=False)
    ends.loc[(ends["cycle"] == "2026") & (ends["state"] == "CA") & (ends["district"] == "34"), "endorser"] = EVIL
    ends.to_csv(events / "endorsement_events.csv", index=False)
    tbl = table.copy()
    ca = (tbl["cycle"] == 2026) & (tbl["state"] == "CA") & (tbl["district"] == 34)
    tbl.loc[ca, "fec_id"] = '"><script>alert(1)</script>'
    tbl.loc[ca, "chal_name_fec"] = EVIL
    out = publish(tmp_path / "site", snapshots.read_history(store), backtest_dir=tmp_path, table=tbl,
                  events_dir=events)
    for name in ("KY-04-R.html", "CA-34-D.html"):
        page = (out / "races" / name).read_text()
        assert "<script>alert" not in page and "javascript:" not in page
        assert ESCAPED in page
    ca_page = (out / "races" / "CA-34-D.html").read_text()
    assert "Jimmy Gomez (incumbent," not in ca_page                    # a malformed FEC ID gets no link


def test_link_builders_accept_only_well_formed_input():
    assert fec_url("H8CA34266") == "https://www.fec.gov/data/candidate/H8CA34266/"
    assert fec_url("H8CA34266/../x") is None and fec_url(None) is None and fec_url("") is None
    assert safe_url("https://www.fec.gov/x") == "https://www.fec.gov/x"
    assert safe_url("javascript:alert(1)") is None and safe_url('https://x" onmouseover="y') is None
