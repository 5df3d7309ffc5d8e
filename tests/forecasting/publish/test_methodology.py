"""The site's methodology page comes from the repository's docs, is linked from every page, and race
pages carry share metadata (escaped like every name from data)."""
from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, select_autoescape

from forecasting.publish import site


def test_the_methodology_page_renders_the_docs_and_escapes_raw_html(tmp_path):
    env = Environment(loader=FileSystemLoader(str(site.TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters.update(date=site._date, pct=site.pct)
    doc = tmp_path / "m.md"
    doc.write_text("# Methodology\n\n| horizon | skill |\n|---|---|\n| year_end | 0.082 |\n\n<script>alert(1)</script>\n")
    site._render_methodology(env, tmp_path, {"cycle": 2026, "as_of": None}, source=doc)
    page = (tmp_path / "methodology.html").read_text()
    assert "<table>" in page and "<td>year_end</td>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="methodology.html"' in page


def test_the_real_methodology_is_published():
    assert "Brier skill" in site.METHODOLOGY_MD.read_text()


def test_race_pages_carry_escaped_share_metadata(tmp_path):
    from forecasting.live import snapshots
    from forecasting.publish import publish
    from tests.bad_input.test_store import _snapshot

    store = tmp_path / "store"
    snapshots.append_snapshot(_snapshot(incumbent='Jimmy "<b>" Gomez'), store)
    out = publish(tmp_path / "site", store, backtest_dir=tmp_path / "no-backtest")
    page = next((out / "races").glob("CA-*.html")).read_text()
    assert '<meta property="og:title" content="Jimmy &#34;&lt;b&gt;&#34; Gomez (CA-34): 1.3% chance' in page
    assert 'og:description' in page and "<b>" not in page.split("</head>")[0]
    assert (out / "methodology.html").is_file()
