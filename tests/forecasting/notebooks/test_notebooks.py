"""The analyst notebooks execute (papermill, shrunk settings) and the what-if fails clearly on bad input.

Every notebook runs end to end on the real central table with a fast model and tiny draws (about a
minute in all); MLflow points at an empty temporary store so the notebooks take their fallbacks and
the test never depends on what happens to be registered on the machine.
"""
from __future__ import annotations

import json

import nbformat
import pytest

from features.kernel.errors import InputError
from forecasting.live import whatif as wi
from forecasting.notebooks import run as nr
from tests.forecasting.live_fixtures import WATCHLIST_2026, ToyModel, real_table

AS_OF = "2025-12-31"
CA34 = (2026, "CA", 34, "D")


@pytest.fixture(scope="module")
def table():
    return real_table()


@pytest.fixture(scope="module")
def toy(table):
    return ToyModel().fit(table[table["lost"].notna()])


@pytest.fixture(scope="module")
def watchlist(table):
    from features.evidence.watchlist import load_watchlist
    return load_watchlist(WATCHLIST_2026, table)


@pytest.fixture(scope="module")
def view(table, watchlist):
    return wi.race_view(table, 2026, "CA", AS_OF, watchlist)


@pytest.fixture
def empty_mlflow(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'absent' / 'mlruns.db'}")


# ---- what-if -----------------------------------------------------------------------------------
def test_race_view_is_what_score_cycle_scores(table, toy, watchlist, view):
    from forecasting.live.scoring import score_cycle

    scored = score_cycle(table, toy, 2026, AS_OF, watchlist=watchlist, states=["CA"], explain=False)
    p_score = float(scored.loc[scored["district"] == 34, "p_loss"].iloc[0])
    res = wi.whatif_delta(toy, view, CA34, {})
    assert res["before"]["p_loss"] == pytest.approx(p_score, abs=1e-12)
    assert res["delta"]["p_loss"] == 0


def test_outside_spending_whatif_moves_the_columns_a_watchlist_entry_would(view):
    rows = wi.race_rows(view, CA34)
    out = wi.apply_whatif(rows, {"os_against_chal": {"amount": 10_000_000, "class": "pro-israel"},
                                 "os_for_chal": 250_000})
    r = out.iloc[0]
    assert r["os_against_chal"] == 10_000_000 and r["os_for_chal"] == 250_000
    assert r["os_pro_israel_for_inc"] == 10_000_000        # against the challenger = for the incumbent
    assert bool(r["os_covered"]) and r["os_last_date"] <= r["as_of"]
    assert rows.iloc[0]["watchlist_sources"] == r["watchlist_sources"]   # the watchlist's record is kept
    from features.view.asof import assert_as_of
    assert_as_of(out)


def test_endorsement_and_receipts_whatifs_move_p_loss(toy, view):
    base = wi.whatif_delta(toy, view, CA34, {})["before"]["p_loss"]
    assert wi.race_rows(view, CA34).iloc[0]["end_insurgent_chal"] == 1    # Justice Democrats (watchlist)
    removed = wi.whatif_delta(toy, view, CA34, {"unendorse": "justice-democrats"})
    assert removed["after"]["p_loss"] < base
    rich = wi.whatif_delta(toy, view, CA34, json.dumps({"chal_receipts": 5_000_000}))
    assert rich["after"]["p_loss"] > base
    changed = wi.apply_whatif(wi.race_rows(view, CA34), {"chal_receipts": 5_000_000})
    inc = changed.iloc[0]["inc_receipts"]
    assert changed.iloc[0]["money_ratio"] == pytest.approx(inc / (inc + 5_000_000))
    # removing one insurgent class keeps the insurgent flag while another remains
    both = wi.apply_whatif(wi.race_rows(view, CA34), {"endorse": ["sanders"], "unendorse": ["justice-democrats"]})
    assert both.iloc[0]["end_insurgent_chal"] == 1 and both.iloc[0]["end_jd_chal"] == 0
    by_name = wi.parse_overrides({"endorse": {"endorser": "Donald Trump", "side": "challenger"}})
    assert by_name["endorse"][0]["class"] == "trump"


@pytest.mark.parametrize("overrides, field", [
    ({"os_against_chal": -10}, "os_against_chal"),
    ({"os_for_inc": {"amount": -1, "class": "crypto"}}, "os_for_inc.amount"),
    ({"os_for_inc": {"amount": 5, "class": "bankers"}}, "os_for_inc.class"),
    ({"chal_receipts": "a lot"}, "chal_receipts"),
    ({"endorse": {"endorser": "Acme Widgets PAC"}}, "endorse[0].endorser"),
    ({"endorse": "bowling-league"}, "endorse[0].class"),
    ({"unendorse": {"class": "aoc", "side": "referee"}}, "unendorse[0].side"),
    ({"outside_spending": [{"side": "sideways", "amount": 1}]}, "outside_spending[0].side"),
    ({"os_against_challenger": 1}, "os_against_challenger"),
    ('{"os_for_inc": ', "whatif"),
])
def test_bad_whatif_values_get_one_clear_error(overrides, field):
    with pytest.raises(InputError) as exc:
        wi.parse_overrides(overrides)
    assert exc.value.field == field
    assert "what-if" in str(exc.value)


def test_unknown_race_in_whatif(toy, view):
    with pytest.raises(InputError) as exc:
        wi.whatif_delta(toy, view, (2026, "CA", 99), {})
    assert exc.value.field == "district"


def test_cli_rejects_bad_whatif_before_starting_a_kernel(capsys):
    from forecasting.cli import main

    code = main(["notebook", "race", "--state", "CA", "--district", "34", "--cycle", "2026",
                 "--whatif", '{"os_against_chal": -5000000}'])
    err = capsys.readouterr().err
    assert code == 2 and "os_against_chal" in err and "negative" in err
    assert main(["notebook", "race", "--state", "CA", "--district", "34", "--whatif", "{not json"]) == 2
    assert main(["notebook", "race", "--state", "ZZ", "--district", "1"]) == 2
    assert "state" in capsys.readouterr().err
    assert main(["notebook", "race", "--state", "CA", "--district", "34", "--as-of", "2099-01-01"]) == 2
    assert "future" in capsys.readouterr().err


# ---- the notebooks run -------------------------------------------------------------------------
def _errors(path):
    nb = nbformat.read(str(path), as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o["output_type"] == "error"]


def _text(path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            parts.append(o.get("text", "") if o["output_type"] == "stream" else o.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_race_notebook_renders_the_ca34_report(tmp_path, empty_mlflow):
    res = nr.run_race("CA", 34, 2026, as_of=AS_OF, whatif={"os_against_chal": 10_000_000, "chal_receipts": 2e6},
                      out_dir=tmp_path, keep_ipynb=True, **nr.FAST_PARAMETERS["race"])
    assert res["html"] == tmp_path / "race_CA-34-2026.html" and res["html"].is_file()
    assert not _errors(res["ipynb"])
    text = _text(res["ipynb"])
    assert "Jimmy Gomez" in text and "Crowley" in text and "Gonzales-Torres" in text
    assert "fitted logit" in text and "P(loses renomination)" in text
    html = res["html"].read_text()
    assert "Comparable past races" in html and "<img" in html
    assert "ns.race_forecast" not in html          # a report: code cells hidden


def test_history_and_model_comparison_notebooks_execute(tmp_path, empty_mlflow):
    for name in ("history", "model_comparison"):
        res = nr.execute(name, nr.FAST_PARAMETERS[name], out_ipynb=tmp_path / f"{name}.ipynb")
        assert not _errors(res["ipynb"]), name
    history = _text(tmp_path / "history.ipynb")
    assert "redistricting pairing" in history and "Cantor" in history
    comparison = _text(tmp_path / "model_comparison.ipynb")
    assert "fitted in this notebook" in comparison          # no MLflow store: the fallbacks ran


def test_notebook_cli_parses_and_every_notebook_has_a_parameters_cell():
    from forecasting.cli import build_parser

    args = build_parser().parse_args(["notebook", "all", "--fast"])
    assert args.fast and callable(args.func)
    for name in nr.NOTEBOOKS:
        nb = nbformat.read(str(nr.notebook_path(name)), as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, name
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert max(len(c.source.splitlines()) for c in code) <= 20, f"{name}: a cell longer than a screen"
    assert nr.race_report_name("WY", 0, 2022) == "race_WY-00-2022.html"


def test_without_a_registry_the_race_model_falls_back_without_creating_a_store(table, tmp_path, monkeypatch):
    from forecasting.notebooks import support as ns

    store = tmp_path / "nowhere" / "mlruns.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}")
    model, version, note = ns.race_model(table, None, "champion", fallback="base_rate")
    assert model.name == "base_rate" and version.startswith("base_rate-unregistered")
    assert "no MLflow tracking store" in note and not store.exists()


def test_notebook_helpers_read_mlflow_runs_and_the_champion(table, tmp_path, monkeypatch):
    """With a tracking store holding train runs, the comparison notebook reads them and the race
    notebook loads the champion by alias (a throw-away SQLite store)."""
    from forecasting import tracking
    from forecasting.models.registry import make_model
    from forecasting.notebooks import support as ns

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    train = table[table["lost"].notna() & table["cycle"].between(2016, 2022)]
    logit = make_model("logit").fit(train)
    with tracking.start_run("train", {"name": "logit"}, tags={"model": "logit"}):
        tracking.log_frame(logit.coef_table_, "coef_table.csv")
    boosted = make_model("boosted", max_iter=20, share_max_iter=10, calibration=None).fit(train)
    with tracking.start_run("train", {"name": "boosted"}, tags={"model": "boosted"}) as run:
        tracking.log_model(boosted)
    tracking.register_model(run.info.run_id)

    coef, source = ns.logit_coefficients(table)
    assert source.startswith("MLflow train run") and set(coef["part"]) == {"contested", "loss", "share"}
    model, source = ns.boosted_model(table)
    assert source == "MLflow train run" and model.max_iter == 20
    model, version, note = ns.race_model(table, None, "champion", fallback="base_rate", cycle=2026)
    assert model.name == "boosted" and note.startswith("registered model @champion") and version.startswith("boosted#")
    assert ns.bayes_summary()[0] is None                 # no Bayesian train run: said, not failed


@pytest.mark.slow
def test_race_notebook_with_a_tiny_bayesian_fit(tmp_path, empty_mlflow):
    res = nr.run_race("CA", 34, 2026, as_of=AS_OF, out_dir=tmp_path, keep_ipynb=True, model_name="bayes",
                      draws=20)
    assert not _errors(res["ipynb"]) and "bayes-unregistered-draws20" in _text(res["ipynb"])
