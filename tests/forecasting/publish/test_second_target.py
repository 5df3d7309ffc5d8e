"""The second target end to end: snapshot columns, the history migration, feeds, race pages.

Real rows throughout: the committed central table scored with the deterministic ``ToyModel`` (whose
November stage is the real ``SamePartyNovember`` fitted on the real table), the committed snapshot
history ``data/snapshots/history.csv`` for the migration, CA-34 (Gomez, top-two) and the CA-40
member-vs-member contest (Calvert and Kim, 2026).
"""
from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from features.kernel.errors import InputError
from forecasting.live import snapshots
from forecasting.live.scoring import score_cycle
from forecasting.publish import publish, second_target
from tests.forecasting.live_fixtures import table, toy_model  # noqa: F401  (fixtures)

NOW = pd.Timestamp("2026-11-26")
COMMITTED = snapshots.history_path()
#: the store's header before the second target (and before forecast ids): what the committed file was written with
PRE_8 = [c for c in snapshots.HISTORY_COLUMNS
         if c not in snapshots.SECOND_TARGET_COLUMNS + snapshots.CONTESTED_SHARE_COLUMNS + ["forecast_id"]]


@pytest.fixture(scope="module")
def scored(table, toy_model):
    """CA, WA and NY as of 2025-12-31 (field not final) and 2026-03-09 (CA's deadline 2026-03-06 passed)."""
    return {d: score_cycle(table, toy_model, 2026, d, now=NOW, states=["CA", "WA", "NY"], explain=False)
            for d in ("2025-12-31", "2026-03-09")}


def _row(df, state, district, incumbent=None):
    m = (df["state"] == state) & (df["district"].astype(int) == district)
    if incumbent:
        m &= df["incumbent"].str.contains(incumbent)
    assert m.sum() == 1, (state, district, incumbent)
    return df[m].iloc[0]


# ---- scoring ---------------------------------------------------------------------------------
def test_snapshot_carries_the_second_target(scored):
    snap = scored["2025-12-31"]
    assert set(snapshots.SECOND_TARGET_COLUMNS) <= set(snap.columns)
    top_two = snap["state"].isin(["CA", "WA"])
    # everywhere: P(lose the seat to the same party) >= P(lose the nomination)
    assert (snap["p_lose_seat_same_party"] >= snap["p_loss"] - 1e-12).all()
    # closed/open primaries (NY): the second target is the first, no November rival column
    ny = snap[snap["state"] == "NY"]
    assert np.allclose(ny["p_lose_seat_same_party"], ny["p_loss"])
    assert ny["p_same_party_rival_november"].isna().all() and ny["p_lose_general"].isna().all()
    # top-two: both November columns, and outside member pairs the composition holds exactly
    tt = snap[top_two]
    assert tt["p_same_party_rival_november"].between(0, 1).all() and tt["p_lose_general"].between(0, 1).all()
    single = tt[~tt.duplicated(["state", "district", "party"], keep=False)]
    assert np.allclose(single["p_lose_seat_same_party"],
                       single["p_loss"] + single["p_same_party_rival_november"] * single["p_lose_general"])
    gomez = _row(snap, "CA", 34)
    assert gomez["p_lose_seat_same_party"] > gomez["p_loss"]        # the November fight adds risk


# ---- the history migration ---------------------------------------------------------------------
def _committed_text() -> str:
    if not COMMITTED.is_file():
        pytest.skip("no committed snapshot history")
    return COMMITTED.read_text(encoding="utf-8")


def _legacy_text() -> str:
    """The committed rows in the header they were first written with (PRE_8): the file as it stood
    before the second target, whatever the committed file's header is now."""
    real = pd.read_csv(io.StringIO(_committed_text()), dtype=str, keep_default_na=False)
    buf = io.StringIO()
    real[PRE_8].to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("source", ["committed", "legacy"])
def test_the_real_history_is_upgraded_without_losing_or_rewriting_a_value(tmp_path, source, scored):
    text = _committed_text() if source == "committed" else _legacy_text()
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    header = _records(text)[0]
    expected_added = [c for c in snapshots.HISTORY_COLUMNS if c not in header]
    if source == "legacy":
        assert expected_added == (["forecast_id"] + snapshots.SECOND_TARGET_COLUMNS
                                  + snapshots.CONTESTED_SHARE_COLUMNS)
    before = snapshots.read_history(path)          # an old file reads with the new columns empty
    assert list(before.columns) == snapshots.HISTORY_COLUMNS
    assert snapshots.migrate_history(path) == expected_added
    after_text = path.read_text(encoding="utf-8")
    old_lines, new_lines = text.split("\n"), after_text.split("\n")
    assert len(old_lines) == len(new_lines)
    # every stored record keeps its characters; only empty fields are appended
    for old, new in zip(old_lines[1:], new_lines[1:]):
        assert new == old + "," * len(expected_added) if old else new == old
    old_rec, new_rec = _records(text), _records(after_text)
    assert new_rec[0] == header + expected_added
    assert all(n[:len(header)] == o and not any(n[len(header):]) for o, n in zip(old_rec[1:], new_rec[1:]))
    assert snapshots.read_history(path).equals(before)
    assert snapshots.migrate_history(path) == []                     # a second run changes nothing
    assert path.read_text(encoding="utf-8") == after_text
    # appending a new model's snapshot to the upgraded store keeps every earlier byte
    snap = scored["2026-03-09"].assign(forecast_id=lambda d: d["forecast_id"] + "-migration-test")
    assert snapshots.append_snapshot(snap, path) == len(snap)
    final = path.read_text(encoding="utf-8")
    assert final.startswith(after_text)
    stored = snapshots.read_history(path).iloc[len(before):]
    assert (stored["p_lose_seat_same_party"] != "").all()


def test_append_to_an_old_store_upgrades_it_in_the_same_write(tmp_path, scored):
    path = tmp_path / "history.csv"
    path.write_text(_legacy_text(), encoding="utf-8")
    legacy = path.read_text()
    snap = scored["2025-12-31"]
    n = snapshots.append_snapshot(snap, path)
    assert n == len(snap)
    text = path.read_text()
    lines = legacy.split("\n")
    assert all(t.startswith(line) for line, t in zip(lines[1:-1], text.split("\n")[1:len(lines) - 1]))
    hist = snapshots.read_history(path)
    gomez = hist[(hist["state"] == "CA") & (hist["district"] == "34") & (hist["forecast_id"] != "")]
    assert float(gomez["p_lose_seat_same_party"].iloc[0]) == pytest.approx(
        float(_row(snap, "CA", 34)["p_lose_seat_same_party"]), abs=1e-6)


def _corrupt(text: str, how: str) -> str:
    lines = text.split("\n")
    header = lines[0].split(",")
    if how == "unknown column":
        lines[0] += ",p_win_lottery"
        lines[1:] = [ln + "," if ln else ln for ln in lines[1:]]
    elif how == "duplicate column":
        lines[0] = lines[0].replace("share_p50", "share_p10")
    elif how == "empty column":
        lines[0] += ","
        lines[1:] = [ln + "," if ln else ln for ln in lines[1:]]
    elif how == "extra field":
        lines[5] += ",surprise"
    elif how == "missing field":
        rec = _records(lines[5])[0][:-1]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(rec)
        lines[5] = buf.getvalue()
    elif how in ("not a number", "not a probability"):
        rec = _records(lines[5])[0]
        rec[header.index("p_loss")] = "about 5%" if how == "not a number" else "1.7"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(rec)
        lines[5] = buf.getvalue()
    return "\n".join(lines)


@pytest.mark.parametrize("how, row, field", [
    ("unknown column", "header", "p_win_lottery"),
    ("duplicate column", "header", "share_p10"),
    ("empty column", "header", f"column {len(PRE_8) + 1}"),
    ("extra field", 5, f"extra field {len(PRE_8) + 1}"),
    ("missing field", 5, PRE_8[-1]),
    ("not a number", 5, "p_loss"),
    ("not a probability", 5, "p_loss"),
])
def test_a_malformed_history_is_one_clear_error_and_left_untouched(tmp_path, scored, how, row, field):
    path = tmp_path / "history.csv"
    path.write_text(_corrupt(_legacy_text(), how), encoding="utf-8")
    before = path.read_bytes()
    for action in (lambda: snapshots.read_history(path), lambda: snapshots.migrate_history(path),
                   lambda: snapshots.append_snapshot(scored["2025-12-31"], path)):
        with pytest.raises(InputError) as err:
            action()
        assert (err.value.row, err.value.field) == (row, field), str(err.value)
        assert "history.csv" in str(err.value) and f"field '{field}'" in str(err.value)
    assert path.read_bytes() == before


# ---- feeds and pages ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site_dec31(tmp_path_factory, scored):
    root = tmp_path_factory.mktemp("st-store")
    snapshots.append_snapshot(scored["2025-12-31"], root)
    snapshots.append_snapshot(scored["2026-03-09"], root)
    out = tmp_path_factory.mktemp("st-site") / "site"
    return publish(out, snapshots.read_history(root), backtest_dir=root / "none", as_of="2025-12-31")


@pytest.fixture(scope="module")
def site_mar09(tmp_path_factory, scored):
    root = tmp_path_factory.mktemp("st-store-m")
    snapshots.append_snapshot(scored["2026-03-09"], root)
    out = tmp_path_factory.mktemp("st-site-m") / "site"
    return publish(out, snapshots.read_history(root), backtest_dir=root / "none", as_of="2026-03-09")


def _feed(site):
    csv_rows = pd.read_csv(site / "forecast.csv", dtype={"district": int})
    doc = json.loads((site / "forecast.json").read_text())
    return csv_rows, pd.DataFrame(doc["records"]), doc


def _shown(page: str, element_id: str) -> tuple[str, float]:
    m = re.search(rf'id="{element_id}" data-value="([0-9.]+)">([^<]+)<', page)
    assert m, element_id
    return m.group(2), float(m.group(1))


def test_feeds_carry_both_numbers(site_dec31, scored):
    rows, recs, doc = _feed(site_dec31)
    for col in snapshots.SECOND_TARGET_COLUMNS:
        assert col in rows.columns and col in doc["columns"]
    snap = scored["2025-12-31"]
    for frame in (rows, recs):
        g = _row(frame, "CA", 34)
        assert g["p_lose_seat_same_party"] == pytest.approx(_row(snap, "CA", 34)["p_lose_seat_same_party"], abs=1e-6)
        assert g["p_same_party_rival_november"] == pytest.approx(
            _row(snap, "CA", 34)["p_same_party_rival_november"], abs=1e-6)
        ny = frame[frame["state"] == "NY"]
        assert ny["p_same_party_rival_november"].isna().all()              # empty outside top-two
        assert np.allclose(ny["p_lose_seat_same_party"], ny["p_loss"], atol=1e-6)


def test_ca34_page_shows_both_numbers_and_says_what_each_means(site_dec31):
    rows, _, _ = _feed(site_dec31)
    g = _row(rows, "CA", 34)
    page = (site_dec31 / "races" / "CA-34-D.html").read_text()
    text, value = _shown(page, "p-lose-seat")
    assert value == pytest.approx(g["p_lose_seat_same_party"], abs=1e-6)
    assert text == second_target.pct(g["p_lose_seat_same_party"])
    text, value = _shown(page, "p-rival-november")
    assert value == pytest.approx(g["p_same_party_rival_november"], abs=1e-6)
    assert f'id="p-loss">{second_target.pct(g["p_loss"])}<' in page
    sentence = re.search(r'id="two-numbers">([^<]+)<', page).group(1)
    assert "top-two primary" in sentence and "loses the nomination" in sentence
    assert "loses the seat to a fellow Democrat" in sentence and "November" in sentence
    for v in ("p_loss", "p_lose_seat_same_party", "p_same_party_rival_november"):
        assert second_target.pct(g[v]) in sentence
    # a closed primary has no such sentence
    ny = next(p for p in (site_dec31 / "races").glob("NY-*.html"))
    assert 'id="two-numbers"' not in ny.read_text()


def _pair(frame):
    pair = frame[(frame["state"] == "CA") & (frame["district"].astype(int) == 40)]
    assert sorted(pair["incumbent"].str.split().str[-1]) == ["Calvert", "Kim"]
    return pair


def test_member_vs_member_is_one_coherent_contest_once_both_run(site_mar09):
    rows, recs, _ = _feed(site_mar09)
    for frame in (rows, recs):
        pair = _pair(frame)
        assert pair["field_known"].astype(str).str.lower().eq("true").all()
        # exactly one keeps the seat: the chances of losing it sum to one
        assert pair["p_lose_seat_same_party"].sum() == pytest.approx(1.0, abs=2e-6)
        assert (pair["p_lose_seat_same_party"] >= pair["p_loss"] - 1e-6).all()
    page = (site_mar09 / "races" / "CA-40-R.html").read_text()
    assert page.count('<section class="member">') == 2 and page.count('id="member-contest"') == 1
    note = re.search(r'id="pair-note">([^<]+)<', page).group(1)
    assert "one contest" in note and "sum to 100.0%" in note and "exactly one keeps the seat" in note
    index = (site_mar09 / "index.html").read_text()
    assert index.count('href="races/CA-40-R.html"') == 2            # both rows link to the one page
    m = re.search(r"Expected defeats: ([0-9.]+) members losing the nomination, ([0-9.]+) losing the seat", index)
    assert float(m.group(1)) == pytest.approx(rows["p_loss"].sum(), abs=0.05)
    assert float(m.group(2)) == pytest.approx(rows["p_lose_seat_same_party"].sum(), abs=0.05)
    # counted once: the pair adds exactly one expected seat loss, not one per member
    other = rows[~((rows["state"] == "CA") & (rows["district"] == 40))]["p_lose_seat_same_party"].sum()
    assert float(m.group(2)) == pytest.approx(other + 1.0, abs=0.05)


def test_member_vs_member_before_the_field_is_final_says_what_both_running_means(site_dec31):
    rows, _, _ = _feed(site_dec31)
    pair = _pair(rows)
    assert not pair["field_known"].astype(str).str.lower().eq("true").any()
    page = (site_dec31 / "races" / "CA-40-R.html").read_text()
    if_both = [float(v) for v in re.findall(r'<td class="num" data-value="([0-9.]+)">[^<]+</td></tr>', page)]
    assert len(if_both) == 2 and sum(if_both) == pytest.approx(1.0, abs=2e-6)
    seat = pair.set_index("incumbent")["p_lose_seat_same_party"]
    assert if_both[0] / if_both[1] == pytest.approx(seat.iloc[0] / seat.iloc[1], rel=1e-4)   # ratio kept
    note = re.search(r'id="pair-note">([^<]+)<', page).group(1)
    assert "filing deadline is 2026-03-06" in note and "if both are on the ballot" in note


def test_second_target_text_is_escaped(tmp_path, scored):
    evil = "<script>alert('x')</script> O'Brien"
    snap = scored["2025-12-31"].copy()
    snap.loc[(snap["state"] == "CA") & (snap["district"].isin([34, 40])), "incumbent"] = (
        evil + " " + snap["incumbent"])
    snapshots.append_snapshot(snap, tmp_path / "s")
    out = publish(tmp_path / "site", snapshots.read_history(tmp_path / "s"), backtest_dir=tmp_path)
    for page in ("CA-34-D.html", "CA-40-R.html"):
        text = (out / "races" / page).read_text()
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; O&#39;Brien" in text


# ---- notebooks (their numbers come from these library functions) -----------------------------
def test_race_notebook_functions_show_both_numbers(table, toy_model):
    from forecasting.notebooks import support as ns

    race = ns.race_forecast(table, toy_model, "toy-test", 2026, "CA", 34, None, "2025-12-31", None)
    summary = ns.forecast_summary(race)["value"]
    assert summary["P(loses renomination)"] == ns.pct(race.score["p_loss"])
    assert summary["P(loses the seat to the same party)"] == ns.pct(race.score["p_lose_seat_same_party"])
    assert summary["P(a same-party challenger reaches November with the member)"] == ns.pct(
        race.score["p_same_party_rival_november"])
    sentence = ns.race_sentence(race)
    assert second_target.pct(race.score["p_lose_seat_same_party"]) in sentence and "top-two primary" in sentence
    wi = ns.run_whatif(toy_model, race, {"chal_receipts": 3_000_000})
    assert "P(loses the seat to the same party) %" in ns.whatif_frame(wi).index


def test_model_comparison_shows_both_scoreboards():
    from forecasting.notebooks import support as ns

    bt = ns.load_backtest()
    if "scoreboard_same_party" not in bt:
        pytest.skip("no second-target scoreboard in reports/backtest")
    two = ns.pooled_two_targets(bt)
    board = bt["scoreboard_same_party"]
    logit = board[(board["model"] == "logit") & (board["cycle"] == "pooled") & (board["money_mode"] == "preprimary")]
    assert two.loc["logit", ("lose the seat to the same party", "Brier skill")] == pytest.approx(
        float(logit["brier_skill"].iloc[0]))
    assert two.loc["logit", ("lose the seat to the same party", "events")] > two.loc["logit", ("lose the nomination", "events")]


def test_a_model_from_before_the_second_target_is_flagged_and_its_pages_say_so(tmp_path, table, toy_model):
    import copy

    from forecasting.live.live_model import predates_second_target

    old = copy.deepcopy(toy_model)
    del old.same_party_                                     # as unpickled from a pre-#8 registry
    assert predates_second_target(old) and not predates_second_target(toy_model)
    snap = score_cycle(table, old, 2026, "2025-12-31", now=NOW, states=["CA"], explain=False)
    assert snap[snapshots.SECOND_TARGET_COLUMNS].isna().all().all()
    snapshots.append_snapshot(snap, tmp_path / "s")
    assert (snapshots.read_history(tmp_path / "s")["p_lose_seat_same_party"] == "").all()
    out = publish(tmp_path / "site", snapshots.read_history(tmp_path / "s"), backtest_dir=tmp_path)
    page = (out / "races" / "CA-34-D.html").read_text()
    assert "not available from this model version" in page
    assert "losing the seat to a same-party rival" not in (out / "index.html").read_text()



def test_checking_our_work_publishes_the_second_scoreboard(tmp_path, scored):
    from features.kernel.paths import REPORTS_DIR

    backtest = REPORTS_DIR / "backtest"
    from forecasting.publish.checking import second_target_tables

    tables = second_target_tables(backtest)
    if tables is None:
        pytest.skip("no second-target scoreboard in reports/backtest")
    snapshots.append_snapshot(scored["2025-12-31"], tmp_path / "s")
    out = publish(tmp_path / "site", snapshots.read_history(tmp_path / "s"), backtest_dir=backtest)
    page = (out / "checking-our-work.html").read_text()
    assert 'id="pooled-second-target"' in page
    path = backtest / tables["source"]
    board = pd.read_csv(path, dtype={"cycle": str})
    logit = board[(board["model"] == "logit") & (board["cycle"] == "pooled") & (board["money_mode"] == "preprimary")].iloc[0]
    table_html = page[page.index('id="pooled-second-target"'):].split("</table>")[0]
    assert f"{logit['brier_skill']:.3f}" in table_html and f">{int(logit['n_lost'])}<" in table_html
    generals = pd.read_csv(path.parent / "same_party_generals.csv")
    gomez = generals[(generals["cycle"] == 2022) & (generals["state"] == "CA") & (generals["district"] == 34)].iloc[0]
    assert "CA-34 (D)" in page and f"{100 * gomez['general_margin']:+.1f} pts" in page   # the 2022 near miss


def test_index_lists_the_seat_number_beside_the_nomination(site_dec31):
    rows, _, _ = _feed(site_dec31)
    index = (site_dec31 / "index.html").read_text()
    g = _row(rows, "CA", 34)
    tr = index[index.index('href="races/CA-34-D.html"'):].split("</tr>")[0]
    cells = re.findall(r'<td class="num[^"]*" data-sort="([0-9.]*)">(?:<span class="bar"[^>]*></span> )?([^<]*)</td>', tr)
    assert (f"{g['p_loss']:.6f}", second_target.pct(g["p_loss"])) in cells
    assert (f"{g['p_lose_seat_same_party']:.6f}", second_target.pct(g["p_lose_seat_same_party"])) in cells


def test_run_all_retrains_and_registers_the_champion_before_forecasting(tmp_path, monkeypatch):
    """``make run`` never forecasts with a stale registered champion (one from before the second
    target): it trains ``experiments/champion.yaml``'s model and registers it first, every time."""
    import forecasting.cli as cli
    from forecasting.cli import run_all

    ran = []
    monkeypatch.setattr(cli, "main", lambda argv=None: ran.append(argv) or 0)
    assert run_all.run(type("Args", (), {"out": str(tmp_path / "site"), "rebuild": False, "raw": None,
                                         "backtest": False, "as_of": None})()) == 0
    kinds = [step[0] for step in ran]
    assert kinds[-3:] == ["train", "forecast", "publish"]
    train = ran[kinds.index("train")]
    assert "--register" in train and train[train.index("--alias") + 1] == "champion"
    settings = run_all.champion_settings()
    assert train[train.index("--config") + 1].endswith(settings["config"])


# ---- the second target on the committed snapshot ------------------------------------
def test_the_committed_ca34_2026_page_as_of_2025_12_31_shows_both_numbers(tmp_path, table):
    """The CA-34 page published from the committed store (``make run``'s snapshot as of 2025-12-31)
    shows the recorded P(lose the nomination), P(lose the seat to the same party) and P(a same-party
    challenger reaches November), with the sentence saying what each means."""
    hist = snapshots.read_history(COMMITTED)
    out = publish(tmp_path / "site", hist, backtest_dir=tmp_path / "none", as_of="2025-12-31", table=table)
    latest = snapshots.latest_snapshot(hist, 2026, as_of="2025-12-31")
    want = _row(latest, "CA", 34)
    assert want["incumbent"] == "Jimmy Gomez" and want["as_of"] == pd.Timestamp("2025-12-31")
    assert not want["simulated"] and 0 < want["p_loss"] < want["p_lose_seat_same_party"] < 1
    rows, recs, _ = _feed(out)
    for frame in (rows, recs):
        got = _row(frame, "CA", 34)
        for col in ("p_loss", "p_lose_seat_same_party", "p_same_party_rival_november"):
            assert got[col] == pytest.approx(want[col], abs=1e-6), col
    page = (out / "races" / "CA-34-D.html").read_text()
    assert f'id="p-loss">{second_target.pct(want["p_loss"])}<' in page
    for element, col in (("p-lose-seat", "p_lose_seat_same_party"), ("p-rival-november", "p_same_party_rival_november")):
        text, value = _shown(page, element)
        assert value == pytest.approx(want[col], abs=1e-6) and text == second_target.pct(want[col])
    sentence = re.search(r'id="two-numbers">([^<]+)<', page).group(1)
    assert sentence == second_target.explanation(want.to_dict()).replace("'", "&#39;")
    assert "loses the nomination (finishes outside the top two on 2026-06-02)" in sentence
    assert f"{second_target.pct(want['p_lose_seat_same_party'])} is the chance that Jimmy Gomez loses the seat to a fellow Democrat" in sentence
    # and the member-vs-member contest in the same snapshot is one page, counted once
    pair = _pair(latest)
    assert (out / "races" / "CA-40-R.html").read_text().count('<section class="member">') == len(pair) == 2
