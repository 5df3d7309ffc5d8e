"""The published site in a real headless Chromium: the index lists the races, sorting works, a race
page opens; a screenshot is saved to reports/site_screenshot.png.

Uses the python ``playwright`` package driving the system Chromium (``/usr/bin/chromium``, no browser
download); without playwright it falls back to ``chromium --dump-dom`` / ``--screenshot``.
Skipped when Chromium is absent.
"""
from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import pandas as pd
import pytest

from features.paths import REPORTS_DIR
from forecasting import snapshots
from forecasting.publish import publish
from forecasting.scoring import score_cycle
from tests.forecasting.live_fixtures import table, toy_model, watchlist  # noqa: F401  (fixtures)

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = REPORTS_DIR / "site_screenshot.png"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed (/usr/bin/chromium)")]


@pytest.fixture(scope="module")
def site(tmp_path_factory, table, toy_model, watchlist):
    """The real published history when there is one, else toy-model snapshots of the real table."""
    history = snapshots.read_history()
    if history.empty:
        store = tmp_path_factory.mktemp("store")
        for d in ("2025-12-31", "2026-03-10"):
            snapshots.append_snapshot(score_cycle(table, toy_model, 2026, d, watchlist=watchlist,
                                                  now=pd.Timestamp("2026-11-26")), store)
        history = snapshots.read_history(store)
    out = publish(tmp_path_factory.mktemp("www") / "site", history)
    return out, snapshots.latest_snapshot(history, as_of=snapshots.default_publish_as_of(history))


@pytest.fixture(scope="module")
def server(site):
    root, _ = site
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_site_in_headless_chromium(site, server, tmp_path):
    pytest.importorskip("playwright.sync_api", reason="playwright absent: see test_site_dump_dom")
    from playwright.sync_api import sync_playwright

    _, latest = site
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900})
        try:
            page = ctx.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server}/index.html")
            rows = page.locator("#races tbody tr")
            assert rows.count() == len(latest)
            first = rows.nth(0).locator("td").nth(1).inner_text()
            assert first == latest.iloc[0]["incumbent"]                   # highest P(loss) first
            assert "Jimmy Gomez" in page.locator("#races").inner_text()

            # sort by P(loss): the inline script reorders the rows
            page.locator("#races th", has_text="P(loss)").click()
            values = [float(v) for v in page.eval_on_selector_all(
                "#races tbody tr td:nth-child(4)", "els => els.map(e => e.dataset.sort)")]
            assert values == sorted(values)
            page.locator("#races th", has_text="P(loss)").click()
            page.screenshot(path=str(SCREENSHOT))

            page.locator('a[href="races/CA-34-D.html"]').click()
            page.wait_for_load_state()
            assert page.url.endswith("/races/CA-34-D.html")
            assert "Jimmy Gomez" in page.locator("h2").first.inner_text()
            assert page.locator("#p-loss").inner_text().endswith("%")
            assert page.locator("svg.timeline circle").count() >= 1
            page.screenshot(path=str(SCREENSHOT.with_name("site_race_screenshot.png")), full_page=True)

            page.goto(f"{server}/checking-our-work.html")
            assert "Checking our work" in page.locator("h1").inner_text()
            feed = page.goto(f"{server}/forecast.json")
            assert feed.ok and len(feed.json()["records"]) == len(latest)
        finally:
            ctx.close()
    assert errors == []
    assert SCREENSHOT.stat().st_size > 10_000


def test_site_dump_dom(site, server, tmp_path):
    """The same checks through Chromium's command line (no playwright needed)."""
    _, latest = site
    cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
           f"{server}/races/CA-34-D.html"]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    assert "Jimmy Gomez" in dom and 'id="p-loss"' in dom
    index = subprocess.run(cmd[:-1] + [f"{server}/index.html"], capture_output=True, text=True, timeout=60).stdout
    assert index.count('href="races/') == len(latest)
    if not SCREENSHOT.exists():
        shot = tmp_path / "shot.png"
        subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile2'}",
                        f"--screenshot={shot}", "--window-size=1280,900", f"{server}/index.html"],
                       capture_output=True, timeout=60)
        if shot.exists():
            shutil.copyfile(shot, SCREENSHOT)


PHONE_SHOT = REPORTS_DIR / "site_phone_index.png"


def _expected(latest, state=None, party=None, band=None, words=()):
    from forecasting.publish.site import probability_band

    keep = []
    for r in latest.itertuples():
        text = f"{r.state}-{r.district if r.district else 'AL'} {r.incumbent} {r.challengers or ''}".lower()
        if ((state is None or r.state == state) and (party is None or r.party == party)
                and (band is None or probability_band(r.p_loss) == band) and all(w in text for w in words)):
            keep.append(r.incumbent)
    return keep


def test_index_at_phone_width_with_search_and_filters(site, server, tmp_path):
    pytest.importorskip("playwright.sync_api", reason="playwright absent")
    from playwright.sync_api import sync_playwright

    _, latest = site
    latest = latest.assign(challengers=latest["challengers"].fillna(""))
    errors = []
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
        try:
            page = ctx.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server}/index.html")
            # nothing wider than the phone: no sideways scrolling of the page
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            visible = "#races tbody tr:not([hidden])"

            def shown():
                return page.eval_on_selector_all(visible, "els => els.map(e => e.cells[1].textContent)")

            assert len(shown()) == len(latest)
            # the essential columns are on screen: race, incumbent, P(loss), share range
            box = page.locator(f"{visible} td:nth-child(5)").first.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390
            assert not page.locator("#races tbody tr td:nth-child(3)").first.is_visible()   # challengers hidden

            page.fill("#f-search", "gomez")
            assert shown() == _expected(latest, words=["gomez"]) and "Jimmy Gomez" in shown()
            assert page.locator("#f-count").inner_text() == f"{len(shown())} of {len(latest)} races"
            page.fill("#f-search", "")
            page.select_option("#f-state", "CA")
            assert shown() == _expected(latest, state="CA") and len(shown()) > 1
            page.select_option("#f-state", "")
            page.select_option("#f-party", "R")
            page.select_option("#f-band", "1")
            assert shown() == _expected(latest, party="R", band=1)
            page.screenshot(path=str(PHONE_SHOT), full_page=False)
            # the filter is in the URL, so a filtered view can be shared
            assert "party=R" in page.url and "band=1" in page.url
            page.goto(f"{server}/index.html?state=NY&party=D")
            assert shown() == _expected(latest, state="NY", party="D")

            page.goto(f"{server}/races/CA-34-D.html")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            assert page.locator("#money").is_visible()
            page.screenshot(path=str(PHONE_SHOT.with_name("site_phone_race.png")), full_page=True)
            page.goto(f"{server}/checking-our-work.html")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(PHONE_SHOT.with_name("site_phone_checking.png")), full_page=True)
        finally:
            ctx.close()
    assert errors == []
