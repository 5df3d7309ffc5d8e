"""``primary-forecast train --config ...`` fits a model on every cycle with outcomes and records it
in MLflow; ``primary-forecast register --run-id ID | --best [--alias champion]`` registers a trained
model and points the alias at it (scoring loads the model by alias)."""
from __future__ import annotations

from forecasting.models.training import train_model  # noqa: F401  (re-exported: the command's fitting step)
from forecasting.tracking import CHAMPION
from forecasting.cli import plain


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="fit a model on all cycles with outcomes; log an MLflow run",
                              description=plain(__doc__))
    p.add_argument("--config", required=True, help="model experiment YAML (experiments/boosted.yaml, ...)")
    p.add_argument("--table", default=None, help="central table CSV/Parquet (default data/processed)")
    p.add_argument("--register", action="store_true", help="also register it and set --alias")
    p.add_argument("--alias", default=CHAMPION, help=f"registry alias set with --register (default {CHAMPION})")
    p.set_defaults(func=run_train)

    r = subparsers.add_parser("register", help="register a trained model under an alias")
    who = r.add_mutually_exclusive_group(required=True)
    who.add_argument("--run-id", help="an MLflow train run id")
    who.add_argument("--best", action="store_true",
                     help="the model with the best pooled Brier skill (pre-primary money) in the latest "
                          "comparison backtest; uses its latest train run")
    r.add_argument("--alias", default=CHAMPION, help=f"registry alias to point at the model (default {CHAMPION})")
    r.set_defaults(func=run_register)


def run_train(args) -> int:
    import mlflow

    from features.kernel.errors import InputError
    from forecasting import tracking
    from forecasting.cli.backtest import load_table
    from forecasting.evaluation import metrics
    from forecasting.models.config import load_config

    config = load_config(args.config)
    if config["kind"] != "model":
        raise InputError(config["path"], "train needs a single-model config, not a comparison", field="models")
    spec = config["models"][0]
    table = load_table(args.table)
    from pathlib import Path
    events_dir = Path(args.table).parent if args.table else None
    # the run opens before the fit, so its duration is the training's
    with tracking.start_run("train", config, run_name=f"train-{spec['name']}",
                            tags={"model": spec["name"], "model_class": spec["model"], "money_mode": config["train"]["money"]}) as run:
        model, view, seconds = train_model(table, spec, config["train"]["money"], events_dir,
                                           horizons=config["train"]["horizons"], progress=True)
        pred = model.predict(view)
        y = view["lost"].astype(float).to_numpy()
        tracking.log_metrics({"fit_seconds": seconds, "n_train": len(view), "n_lost": y.sum(),
                              "in_sample_brier": metrics.brier(y, pred["p_loss"]),
                              "in_sample_auc": metrics.auc(y, pred["p_loss"])})
        # how good it is out of sample: the committed rolling-origin backtest's pooled scores
        tracking.log_metrics(tracking.backtest_scores(spec["name"]), prefix="backtest.")
        mlflow.log_param("train_cycles", ",".join(str(c) for c in model.train_cycles_))
        coef = getattr(model, "coef_table_", None)
        if coef is not None:
            tracking.log_frame(coef, "coef_table.csv")
        # a Bayesian model, or the Bayesian members of an ensemble: their convergence record
        for where, member in _all_members(model):
            if getattr(member, "idata_", None) is not None:
                from forecasting.models.bayes.diagnostics import log_bayes_fit
                log_bayes_fit(member, prefix=".".join([*where, "bayes"]))
        uri = tracking.log_model(model)
        run_id = run.info.run_id
    print(f"trained {spec['name']} on {len(view)} rows ({seconds:.1f} s); mlflow run {run_id}; model {uri}")
    if args.register:
        version = tracking.register_model(run_id, alias=args.alias)
        print(f"registered {tracking.REGISTERED_MODEL} version {version} as @{args.alias}")
    return 0


def _all_members(model, where: tuple = ()) -> list:
    """(path, model) for the model and every model inside it, depth first: a model per horizon is under
    its horizon's name (``year_end``), ensemble members under none (their names are the prefix)."""
    out = [(where, model)]
    members = getattr(model, "members", None)
    if isinstance(members, dict):                       # forecasting.models.by_horizon.HorizonModel
        for horizon, member in members.items():
            out += _all_members(member, (*where, horizon))
        return out
    for member in getattr(model, "members_", None) or []:
        out += _all_members(member, where)
    return out


def run_register(args) -> int:
    from features.kernel.errors import InputError
    from forecasting import tracking

    run_id = args.run_id
    if args.best:
        try:
            name, bt_run = tracking.best_from_last_comparison()
        except LookupError as exc:
            raise InputError("mlflow", str(exc)) from exc
        run = tracking.last_run("train", model=name)
        if run is None:
            raise InputError("mlflow", f"best model {name!r} (comparison run {bt_run}) has no train run; "
                             f"run `primary-forecast train --config experiments/{name}.yaml` first")
        run_id = run.info.run_id
        print(f"best pooled Brier skill in comparison run {bt_run}: {name} -> train run {run_id}")
    version = tracking.register_model(run_id, alias=args.alias)
    print(f"registered {tracking.REGISTERED_MODEL} version {version} as @{args.alias}")
    return 0
