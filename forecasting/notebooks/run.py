"""Execute the analyst notebooks with papermill and render them to HTML.

The kernel is always the interpreter running this code: a throw-away Jupyter kernel spec pointing at
``sys.executable`` is written to a temporary folder put on ``JUPYTER_PATH`` for the run, so a fresh
machine needs no ``ipykernel install`` and a notebook never runs in another environment's Python.

``run_race`` renders ``reports/race_<ST>-<NN>-<cycle>.html``; ``run_all(fast=True)`` executes every
notebook with sampling and fitting shrunk (what CI runs).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from features.kernel.errors import InputError
from features.kernel.paths import PROJECT_ROOT, REPORTS_DIR

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = {
    "race": "race_forecast.ipynb",
    "history": "history.ipynb",
    "model_comparison": "model_comparison.ipynb",
}
#: parameters that make each notebook fast (CI): a quick model, tiny MCMC, quick boosting
FAST_PARAMETERS = {
    "race": {"model_name": "logit", "draws": 20},
    "history": {},
    "model_comparison": {"fast": True},
}
KERNEL_NAME = "primary-forecast-runner"
DEFAULT_TIMEOUT = 1800           # seconds per cell


@contextmanager
def interpreter_kernel(name: str = KERNEL_NAME):
    """A kernel spec named ``name`` that runs ``sys.executable``, visible to Jupyter while the
    context is open (``JUPYTER_PATH`` is restored afterwards)."""
    with tempfile.TemporaryDirectory(prefix="pf-kernel-") as tmp:
        spec_dir = Path(tmp) / "kernels" / name
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                         "--IPKernelApp.log_level=ERROR"],
                "display_name": f"Python ({Path(sys.executable).parent.parent.name})", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = tmp + (os.pathsep + old if old else "")
        try:
            yield name
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old


def notebook_path(name: str) -> Path:
    """The source notebook ``name`` (a key of ``NOTEBOOKS``)."""
    if name not in NOTEBOOKS:
        raise InputError("notebook", f"unknown notebook {name!r} (known: {', '.join(NOTEBOOKS)})", field="name")
    path = NOTEBOOK_DIR / NOTEBOOKS[name]
    if not path.is_file():
        raise InputError(path, "notebook file not found")
    return path


def execute(name: str, parameters: dict | None = None, out_ipynb: Path | None = None, html: Path | None = None,
            hide_code: bool = True, timeout: int = DEFAULT_TIMEOUT) -> dict:
    """Execute notebook ``name`` with papermill, optionally rendering HTML.

    Parameters
    ----------
    name : key of ``NOTEBOOKS``.
    parameters : papermill parameters (override the notebook's ``parameters`` cell).
    out_ipynb : where to keep the executed notebook (default: a temporary file, deleted).
    html : render the executed notebook to this HTML file.
    hide_code : leave the code cells' input out of the HTML (a report for readers).
    timeout : seconds per cell.

    Returns
    -------
    dict with ``name``, ``seconds``, ``ipynb`` (or None) and ``html`` (or None).

    Raises
    ------
    papermill.PapermillExecutionError when a cell fails (its traceback names the cell).
    """
    import papermill as pm

    src = notebook_path(name)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pf-nb-") as tmp, interpreter_kernel() as kernel:
        target = Path(out_ipynb) if out_ipynb else Path(tmp) / src.name
        target.parent.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(str(src), str(target), parameters=parameters or {}, kernel_name=kernel,
                            cwd=str(PROJECT_ROOT), progress_bar=sys.stderr.isatty(), log_output=False,
                            execution_timeout=timeout)
        if html:
            render_html(target, Path(html), hide_code=hide_code)
    return {"name": name, "seconds": round(time.perf_counter() - t0, 1),
            "ipynb": Path(out_ipynb) if out_ipynb else None, "html": Path(html) if html else None}


def render_html(ipynb: Path, html: Path, hide_code: bool = True) -> Path:
    """Render an executed notebook to a standalone HTML file (nbconvert)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(ipynb), as_version=4)
    exporter = HTMLExporter(exclude_input=hide_code, exclude_input_prompt=hide_code,
                            exclude_output_prompt=hide_code)
    body, _ = exporter.from_notebook_node(nb)
    html.parent.mkdir(parents=True, exist_ok=True)
    tmp = html.with_suffix(html.suffix + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html)                      # a failed render never leaves half a report
    return html


def race_report_name(state: str, district: int, cycle: int) -> str:
    """'race_CA-34-2026.html' (at-large districts: '00')."""
    return f"race_{str(state).upper()}-{int(district):02d}-{int(cycle)}.html"


def run_race(state: str, district: int, cycle: int, party: str | None = None, as_of: str | None = None,
             whatif=None, out_dir: Path | None = None, model_name: str | None = None, draws: int | None = None,
             keep_ipynb: bool = False, hide_code: bool = True, extra: dict | None = None) -> dict:
    """Run the race notebook for one race and render ``<out_dir>/race_<ST>-<NN>-<cycle>.html``.

    The race, the as-of date and the what-if are checked here first (one clear InputError naming the
    field) so a bad value never costs a kernel start.
    """
    from features.evidence.neighbours import find_race
    from features.table.store import load_table
    from features.kernel.dates import parse_as_of
    from forecasting.live.whatif import parse_overrides

    table = load_table()
    row = find_race(table, cycle, state, district, party, source="notebook race")
    if as_of is None:
        as_of = _default_as_of(table, row)
    parse_as_of(as_of, int(cycle), source="notebook race")
    parse_overrides(whatif)                # bad JSON or values: one clear error, before any kernel starts
    if isinstance(whatif, str):
        whatif = json.loads(whatif) if whatif.strip() else {}
    params = {"cycle": int(cycle), "state": row["state"], "district": int(row["district"]), "party": row["party"],
              "as_of": str(pd_date(as_of)), "model_name": model_name}
    if whatif is not None:                 # else the notebook's own example what-if
        params["whatif"] = whatif
    if draws is not None:
        params["draws"] = int(draws)
    params.update(extra or {})
    out_dir = Path(out_dir) if out_dir else REPORTS_DIR
    html = out_dir / race_report_name(row["state"], row["district"], cycle)
    ipynb = html.with_suffix(".ipynb") if keep_ipynb else None
    return execute("race", params, out_ipynb=ipynb, html=html, hide_code=hide_code)


def run_all(fast: bool = True, out_dir: Path | None = None, html: bool = False) -> list[dict]:
    """Execute every notebook (``fast``: with ``FAST_PARAMETERS``); executed copies go to ``out_dir``
    when given (and HTML beside them with ``html``)."""
    results = []
    for name in NOTEBOOKS:
        params = dict(FAST_PARAMETERS[name]) if fast else {}
        ipynb = Path(out_dir) / NOTEBOOKS[name] if out_dir else None
        page = ipynb.with_suffix(".html") if (ipynb and html) else None
        results.append(execute(name, params, out_ipynb=ipynb, html=page))
    return results


def _default_as_of(table, row) -> str:
    """Live cycle: the date the committed FEC money runs to (weball26: 2025-12-31); a past cycle: the
    eve of the race's primary (what the backtest forecasts)."""
    import pandas as pd

    if pd.isna(row["lost"]):
        rows = table[table["cycle"] == row["cycle"]]
        cvg = pd.to_datetime(rows["money_cvg_end"]).max() if "money_cvg_end" in rows else pd.NaT
        return (cvg if pd.notna(cvg) else pd.Timestamp.now()).date().isoformat()
    return (pd.Timestamp(row["primary_date"]) - pd.Timedelta(days=1)).date().isoformat()


def pd_date(value) -> str:
    import pandas as pd

    return pd.Timestamp(value).date().isoformat()
