"""MLflow tracking: every train and backtest is a run; the published model is loaded by alias.

Default store: ``sqlite:///<repo>/mlruns.db`` with artifacts in ``<repo>/mlartifacts`` (no server).
``MLFLOW_TRACKING_URI`` replaces it (e.g. a shared server on PostgreSQL); for a SQLite URI the
artifacts go to ``mlartifacts`` beside the database file, for a server to the server's default.
Each run is tagged with its kind (train/backtest), the config, the git commit and the sha256 of
``data/processed/manifest.json`` (the data the run saw).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import subprocess
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from features.kernel.errors import InputError
from features.kernel.paths import PROCESSED_DIR, PROJECT_ROOT

EXPERIMENT = "primary-forecast"
REGISTERED_MODEL = "primary-forecast"
CHAMPION = "champion"
MODEL_ARTIFACT = "model"


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` if set, else the project's SQLite store."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{PROJECT_ROOT / 'mlruns.db'}"


def sqlite_path(uri: str | None = None) -> Path | None:
    """The database file of a SQLite tracking store; None for a server or a file store."""
    uri = uri or tracking_uri()
    return Path(uri[len("sqlite:///"):]) if uri.startswith("sqlite:///") else None


def artifact_location(uri: str | None = None) -> str | None:
    """Where a new experiment keeps its artifacts: ``mlartifacts`` beside a SQLite store."""
    db = sqlite_path(uri)
    if db is not None:
        return (db.resolve().parent / "mlartifacts").as_uri()
    return None      # a server or a file store chooses its own artifact root


_STORE_PROBLEMS = (
    ("database is locked", "is locked by another process (a training or re-scoring run is writing to it); "
                           "retry when it has finished"),
    ("file is not a database", "is corrupt (not a SQLite database); restore it from a backup or move it "
                               "aside and re-run `primary-forecast train --register`"),
    ("database disk image is malformed", "is corrupt (malformed SQLite file); restore it from a backup or "
                                         "move it aside and re-run `primary-forecast train --register`"),
    ("unable to open database file", "cannot be opened (missing folder or no permission)"),
    ("max retries exceeded", "cannot be reached (is the server running, and is the address right?)"),
    ("connection refused", "cannot be reached (is the server running, and is the address right?)"),
)


def store_problem(exc: BaseException) -> InputError | None:
    """An InputError saying the tracking store itself is locked, corrupt or unreadable, if ``exc``
    (or an exception it wraps) says so; None for anything else (e.g. no model registered)."""
    seen, chain = set(), []
    cur = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        chain.append(str(cur).lower())
        cur = cur.__cause__ or cur.__context__
    text = " ".join(chain)
    for needle, what in _STORE_PROBLEMS:
        if needle in text:
            db = sqlite_path()
            return InputError(str(db) if db is not None else tracking_uri(), f"the MLflow tracking store {what}", field="MLFLOW_TRACKING_URI")
    return None


def _mlflow():
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    # a server that is down is said within seconds, not after MLflow's default ~4 minutes of retries
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
    import mlflow
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return mlflow


def setup(experiment: str = EXPERIMENT) -> str:
    """Point MLflow at the tracking store and return the experiment id (created if needed)."""
    mlflow = _mlflow()
    uri = tracking_uri()
    db = sqlite_path(uri)
    if db is not None and db.parent.exists() and not db.parent.is_dir():
        raise InputError(str(db), f"the MLflow tracking store cannot be opened: {db.parent} is a file, not a "
                                  "folder", field="MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        exp = mlflow.get_experiment_by_name(experiment)
    except Exception as exc:
        problem = store_problem(exc)
        if problem is not None:
            raise problem from None
        raise
    if exp is not None:
        return exp.experiment_id
    return mlflow.create_experiment(experiment, artifact_location=artifact_location(uri))


def data_manifest_hash(path: Path | None = None) -> str | None:
    """sha256 of the processed-data manifest (None if it does not exist)."""
    path = Path(path) if path else PROCESSED_DIR / "manifest.json"
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_commit() -> str | None:
    """The checkout's HEAD commit, with ``-dirty`` when the tree has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = json.dumps(v) if isinstance(v, (list, tuple)) else v
    return out


@contextmanager
def start_run(kind: str, config: dict, run_name: str | None = None, nested: bool = False,
              tags: dict | None = None, experiment: str = EXPERIMENT):
    """An MLflow run tagged with kind, config name, git commit and data manifest hash.

    The config is logged as parameters (flattened) and as ``config.json``.
    """
    mlflow = _mlflow()
    exp_id = setup(experiment)
    all_tags = {"kind": kind, "config_name": str(config.get("name", "")),
                "git_commit": git_commit() or "unknown", "data_manifest_sha256": data_manifest_hash() or "missing"}
    all_tags.update(tags or {})
    with mlflow.start_run(experiment_id=exp_id, run_name=run_name, nested=nested, tags=all_tags) as run:
        if not nested:
            params = {k: str(v)[:500] for k, v in _flatten(config).items()}
            mlflow.log_params(params)
            mlflow.log_dict(config, "config.json")
        yield run


def log_metrics(metrics: dict, step: int | None = None, prefix: str = "") -> None:
    """Log finite numeric metrics (NaN and non-numbers skipped)."""
    mlflow = _mlflow()
    clean = {}
    for k, v in metrics.items():
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if f == f and abs(f) != float("inf"):
            clean[f"{prefix}{k}"] = f
    if clean:
        mlflow.log_metrics(clean, step=step)


def log_frame(df: pd.DataFrame, artifact_file: str) -> None:
    """Log a DataFrame as a CSV artifact."""
    mlflow = _mlflow()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(artifact_file).name
        df.to_csv(path, index=False)
        parent = str(Path(artifact_file).parent)
        mlflow.log_artifact(str(path), artifact_path=None if parent == "." else parent)


def _python_model_class():
    import mlflow.pyfunc

    class PrimaryForecastModel(mlflow.pyfunc.PythonModel):
        """pyfunc wrapper: ``predict(table)`` -> the model's prediction frame."""

        def load_context(self, context):
            path = context.artifacts["model"]
            with open(path, "rb") as fh:
                magic = fh.read(4)
            if magic.startswith((b"\x89HDF", b"CDF")):      # the Bayesian model saves its posterior as NetCDF
                from forecasting.models.bayes import BayesHurdleModel
                self.model = BayesHurdleModel.load(path)
            else:
                with open(path, "rb") as fh:
                    self.model = pickle.load(fh)

        def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
            return self.model.predict(model_input)

    return PrimaryForecastModel


def log_model(model, name: str = MODEL_ARTIFACT) -> str:
    """Log a fitted ``PrimaryModel`` as an MLflow pyfunc model; returns its model URI.

    The model URI is also stored in the run tag ``model_uri`` (``register_model`` reads it).
    """
    mlflow = _mlflow()
    with tempfile.TemporaryDirectory() as tmp:
        path = model.save(Path(tmp) / "model.pkl")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info = mlflow.pyfunc.log_model(
                name=name, python_model=_python_model_class()(), artifacts={"model": str(path)},
                pip_requirements=["primary-forecast"])
        mlflow.log_artifact(str(path.with_suffix(".pkl.json")), artifact_path="model_meta")
    mlflow.set_tag("model_uri", info.model_uri)
    return info.model_uri


#: the pooled backtest scores carried by a training run and a registered version
BACKTEST_METRICS = ("brier_skill", "brier_skill_ci_low", "brier_skill_ci_high", "brier_skill_pair", "auc",
                    "recall_top25")


def backtest_scores(model_name: str, board_path: Path | None = None) -> dict[str, float]:
    """The model's pooled out-of-sample scores in the committed backtest (pre-primary money), one set
    per horizon: ``{"year_end.brier_skill": 0.082, ...}``; empty if the model was not backtested."""
    from features.kernel.paths import REPORTS_DIR

    path = Path(board_path) if board_path is not None else REPORTS_DIR / "backtest" / "scoreboard.csv"
    if not path.is_file():
        return {}
    board = pd.read_csv(path)
    rows = board[(board["model"] == model_name) & (board["cycle"].astype(str) == "pooled")
                 & (board["money_mode"] == "preprimary")]
    out = {}
    for _, r in rows.iterrows():
        horizon = r.get("horizon", "day_before")
        for m in BACKTEST_METRICS:
            if m in r and pd.notna(r[m]):
                out[f"{horizon}.{m}"] = float(r[m])
    return out


def _describe_scores(model_name: str, scores: dict[str, float]) -> str:
    if not scores:
        return f"{model_name}: not in the committed backtest (reports/backtest/scoreboard.csv)."
    parts = []
    for horizon in ("year_end", "filing_deadline", "day_before"):
        if f"{horizon}.brier_skill" in scores:
            lo, hi = scores.get(f"{horizon}.brier_skill_ci_low"), scores.get(f"{horizon}.brier_skill_ci_high")
            ci = f" [{lo:.3f}, {hi:.3f}]" if lo is not None and hi is not None else ""
            parts.append(f"{horizon} {scores[f'{horizon}.brier_skill']:.3f}{ci}")
    return (f"{model_name}, fitted on every cycle with outcomes. Out of sample (rolling-origin backtest "
            f"2008-2024, pre-primary money), Brier skill against the base rate by horizon: "
            + "; ".join(parts) + ". Source: reports/backtest/scoreboard.csv.")


def register_model(run_id: str, name: str = REGISTERED_MODEL, alias: str = CHAMPION) -> str:
    """Register the model logged by run ``run_id`` under ``name`` and point ``alias`` at it.

    Returns the new model version.
    """
    mlflow = _mlflow()
    setup()
    client = mlflow.MlflowClient()
    try:
        run = client.get_run(run_id)
    except mlflow.exceptions.MlflowException as exc:
        raise InputError("mlflow", f"no run {run_id!r} in the tracking store {mlflow.get_tracking_uri()} "
                                   f"({str(exc).splitlines()[0]})", field="run_id") from None
    uri = run.data.tags.get("model_uri")
    if not uri:
        raise InputError("mlflow", f"run {run_id} logged no model (kind={run.data.tags.get('kind')!r}); "
                                   "register a train run", field="run_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        version = mlflow.register_model(uri, name, tags={"run_id": run_id,
                                                         "model": run.data.tags.get("model", "")})
    client.set_registered_model_alias(name, alias, version.version)
    model_name = run.data.tags.get("model", "")
    scores = backtest_scores(model_name)
    client.update_model_version(name, version.version, description=_describe_scores(model_name, scores))
    for key, value in scores.items():
        client.set_model_version_tag(name, version.version, f"backtest.{key}", f"{value:.4f}")
    client.update_registered_model(name, description=(
        "P(a sitting House member loses renomination) and the primary vote-share range, for every "
        "incumbent of a cycle; the version under the alias 'champion' is the published model. Each "
        "version's description gives its out-of-sample skill by horizon."))
    return str(version.version)


def load_champion(alias: str = CHAMPION, name: str = REGISTERED_MODEL):
    """The ``PrimaryModel`` the registry's ``alias`` points at."""
    mlflow = _mlflow()
    setup()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = mlflow.pyfunc.load_model(f"models:/{name}@{alias}")
    return loaded.unwrap_python_model().model


def champion_info(alias: str = CHAMPION, name: str = REGISTERED_MODEL) -> dict:
    """Version, run id and model name behind ``alias``."""
    mlflow = _mlflow()
    setup()
    mv = mlflow.MlflowClient().get_model_version_by_alias(name, alias)
    return {"name": name, "alias": alias, "version": str(mv.version), "run_id": mv.run_id,
            "model": (mv.tags or {}).get("model", "")}


def last_run(kind: str, config_name: str | None = None, model: str | None = None,
             experiment: str = EXPERIMENT):
    """The most recent finished top-level run of ``kind`` (optionally a config name / model tag)."""
    mlflow = _mlflow()
    exp_id = setup(experiment)
    filters = [f"tags.kind = '{kind}'", "attributes.status = 'FINISHED'"]
    if config_name:
        filters.append(f"tags.config_name = '{config_name}'")
    if model:
        filters.append(f"tags.model = '{model}'")
    runs = mlflow.MlflowClient().search_runs([exp_id], " and ".join(filters),
                                             order_by=["attributes.start_time DESC"], max_results=50)
    runs = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    return runs[0] if runs else None


def log_backtest(config: dict, timings: pd.DataFrame, board: pd.DataFrame, rel: pd.DataFrame,
                 files: dict | None = None, last_models: dict | None = None, log_models: bool = True) -> str:
    """Record a backtest: a parent run (config, pooled metrics per model and money mode, the
    scoreboard files) with a nested run per (model, money mode) holding per-cycle metrics
    (``step`` = cycle), pooled metrics, its reliability table and its last fold's fitted model.

    Returns the parent run id.
    """
    mlflow = _mlflow()
    pooled = board[board["cycle"] == "pooled"]
    with start_run("backtest", config, run_name=f"backtest-{config.get('name', '')}",
                   tags={"comparison": str(config.get("kind") == "comparison").lower()}) as parent:
        if "horizon" not in board.columns:
            board = board.assign(horizon="day_before")
            pooled = board[board["cycle"] == "pooled"]
        for _, r in pooled.iterrows():
            log_metrics({k: r[k] for k in r.index if k not in ("model", "money_mode", "cycle", "horizon")},
                        prefix=f"{r['model']}.{r['money_mode']}.{r['horizon']}.")
        from forecasting.evaluation.scoreboard import best_model
        best = best_model(board)
        if best:
            mlflow.set_tag("best_model", best)
        for name, path in (files or {}).items():
            mlflow.log_artifact(str(path), artifact_path="scoreboard")
        if "horizon" not in timings.columns:
            timings = timings.assign(horizon="day_before")
        if "horizon" not in rel.columns:
            rel = rel.assign(horizon="day_before")
        for (model, money, horizon), per in board.groupby(["model", "money_mode", "horizon"], sort=False):
            with start_run("backtest-model", config, run_name=f"{model}-{money}-{horizon}", nested=True,
                           tags={"model": model, "money_mode": money, "horizon": horizon}):
                mlflow.log_params({"model": model, "money_mode": money, "horizon": horizon})
                for _, r in per.iterrows():
                    values = {k: r[k] for k in r.index if k not in ("model", "money_mode", "cycle", "horizon")}
                    if r["cycle"] == "pooled":
                        log_metrics(values, prefix="pooled.")
                    else:
                        log_metrics(values, step=int(r["cycle"]))
                t = timings[(timings["model"] == model) & (timings["money_mode"] == money)
                            & (timings["horizon"] == horizon)]
                for _, r in t.iterrows():
                    log_metrics({k: r[k] for k in t.columns if k.startswith("diag_") or k.endswith("_seconds")},
                                step=int(r["cycle"]))
                log_frame(rel[(rel["model"] == model) & (rel["money_mode"] == money) & (rel["horizon"] == horizon)],
                          "reliability.csv")
                fitted = (last_models or {}).get((model, money)) if horizon == "day_before" else None
                if log_models and fitted is not None:
                    log_model(fitted)
        return parent.info.run_id


def best_from_last_comparison(money: str = "preprimary") -> tuple[str, str]:
    """(model name, backtest run id) with the best pooled Brier skill in the latest comparison run at the
    published horizon (reference models excluded)."""
    from forecasting.models.registry import REFERENCE_MODELS

    mlflow = _mlflow()
    exp_id = setup()
    runs = mlflow.MlflowClient().search_runs(
        [exp_id], "tags.kind = 'backtest' and tags.comparison = 'true' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"], max_results=20)
    runs = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    if not runs:
        raise LookupError("no finished comparison backtest in the tracking store; run "
                          "`primary-forecast backtest --config experiments/comparison.yaml` first")
    run = runs[0]
    from forecasting.evaluation.scoreboard import PUBLISHED_HORIZON

    by_horizon: dict[str, dict[str, float]] = {}
    for key, value in run.data.metrics.items():
        parts = key.split(".")
        if len(parts) == 3:                 # a run recorded before horizons: the day before the primary
            parts = [parts[0], parts[1], "day_before", parts[2]]
        if (len(parts) == 4 and parts[1] == money and parts[3] == "brier_skill"
                and parts[0] not in REFERENCE_MODELS):
            by_horizon.setdefault(parts[2], {})[parts[0]] = value
    # the champion is chosen at the published forecast's horizon (scoreboard.best_model)
    skills = by_horizon.get(PUBLISHED_HORIZON) or by_horizon.get("day_before") or {}
    if not skills:
        raise LookupError(f"comparison run {run.info.run_id} has no pooled brier_skill for money mode {money!r}")
    return max(skills, key=skills.get), run.info.run_id
