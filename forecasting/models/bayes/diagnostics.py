"""What a Bayesian fit needs to be trusted: convergence summaries and their MLflow record.

``diagnostics_summary(idata)`` returns a flat dict (max R-hat, min bulk/tail ESS, divergences, ...);
``log_bayes_fit(model)`` logs it with the sampler settings, the model graph (when graphviz is
installed) and the input data's shape to the active MLflow run (or the one passed in).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

RHAT_OK = 1.01
ESS_OK = 400


def diagnostics_summary(idata) -> dict:
    """Convergence summary of a posterior.

    Parameters
    ----------
    idata : arviz.InferenceData
        With ``posterior`` and (for divergences / step sizes) ``sample_stats``.

    Returns
    -------
    dict
        ``max_rhat`` (None with one chain), ``worst_rhat_var``, ``min_ess_bulk``, ``min_ess_tail``,
        ``worst_ess_var``, ``divergences``, ``n_draws_total``, ``chains_sampled``, ``draws_per_chain``,
        ``mean_step_size``, ``converged`` (R-hat < 1.01, bulk and tail ESS >= 400, no divergences).
    """
    import arviz as az

    post = idata.posterior
    chains, draws = int(post.sizes["chain"]), int(post.sizes["draw"])
    out: dict = {"chains_sampled": chains, "draws_per_chain": draws, "n_draws_total": chains * draws}
    if chains > 1:
        rhat = az.rhat(post)
        worst = {v: float(np.nanmax(rhat[v].values)) for v in rhat.data_vars if rhat[v].size}
        var = max(worst, key=worst.get)
        out["max_rhat"], out["worst_rhat_var"] = round(worst[var], 4), var
    else:
        out["max_rhat"], out["worst_rhat_var"] = None, None            # undefined with one chain
    bulk = az.ess(post, method="bulk")
    tail = az.ess(post, method="tail")
    mins_b = {v: float(np.nanmin(bulk[v].values)) for v in bulk.data_vars if bulk[v].size}
    mins_t = {v: float(np.nanmin(tail[v].values)) for v in tail.data_vars if tail[v].size}
    vb = min(mins_b, key=mins_b.get)
    out["min_ess_bulk"], out["worst_ess_var"] = round(mins_b[vb], 1), vb
    out["min_ess_tail"] = round(min(mins_t.values()), 1)
    div = 0
    if "sample_stats" in idata.groups() and "diverging" in idata.sample_stats:
        div = int(np.asarray(idata.sample_stats["diverging"].values).sum())
    out["divergences"] = div
    if "sample_stats" in idata.groups() and "step_size" in idata.sample_stats:
        out["mean_step_size"] = round(float(np.asarray(idata.sample_stats["step_size"].values).mean()), 4)
    out["converged"] = bool(out["max_rhat"] is not None and out["max_rhat"] < RHAT_OK
                            and out["min_ess_bulk"] >= ESS_OK and out["min_ess_tail"] >= ESS_OK and div == 0)
    return out


def posterior_table(idata, var_names: list[str] | None = None):
    """ArviZ summary (mean, sd, 94% HDI, R-hat, ESS) of the named variables, a DataFrame."""
    import arviz as az

    if var_names is None:
        var_names = [v for v in idata.posterior.data_vars if not v.endswith("_z")]
    return az.summary(idata, var_names=var_names, round_to=3)


def log_bayes_fit(model, run=None, prefix: str = "bayes") -> dict:
    """Log a fitted Bayesian model's trust record to MLflow.

    Parameters
    ----------
    model : BayesHurdleModel
        A fitted model (``idata_``, ``fit_diagnostics_``, ``data_shape_``, ``model_``).
    run : mlflow.ActiveRun, optional
        Only used to check a run is active; logging goes to the active run (start one first).
    prefix : str
        Prefix of parameter / metric names.

    Returns
    -------
    dict
        What was logged: ``params``, ``metrics`` and ``artifacts`` (names).
    """
    import mlflow

    if run is None and mlflow.active_run() is None:
        raise RuntimeError("log_bayes_fit needs an active MLflow run (mlflow.start_run())")
    diag = dict(model.fit_diagnostics_)
    params = {f"{prefix}.sampler.{k}": v for k, v in model.full_sampler_config.items()}
    params[f"{prefix}.config_id"] = model.config_id()
    params[f"{prefix}.features"] = ",".join(model.feature_columns_)[:500]
    for k, v in getattr(model, "data_shape_", {}).items():
        params[f"{prefix}.data.{k}"] = v
    mlflow.log_params(params)

    metrics = {f"{prefix}.{k}": float(v) for k, v in diag.items()
               if isinstance(v, (int, float, bool, np.integer, np.floating)) and not isinstance(v, str)}
    metrics = {k: v for k, v in metrics.items() if np.isfinite(v)}
    mlflow.log_metrics(metrics)

    artifacts = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "model_config.json").write_text(json.dumps(model.full_model_config, indent=2, sort_keys=True))
        (tmp / "fit_diagnostics.json").write_text(json.dumps(diag, indent=2, sort_keys=True, default=str))
        posterior_table(model.idata_).to_csv(tmp / "posterior_summary.csv")
        artifacts += ["model_config.json", "fit_diagnostics.json", "posterior_summary.csv"]
        graph = model_graph_file(model, tmp / "model_graph")
        if graph is not None:
            artifacts.append(graph.name)
        for name in artifacts:
            mlflow.log_artifact(str(tmp / name), artifact_path=prefix)
    return {"params": params, "metrics": metrics, "artifacts": artifacts}


def model_graph_file(model, stem: Path) -> Path | None:
    """Render the PyMC model graph to ``stem``.svg; None when graphviz (or the model) is unavailable."""
    pm_model = getattr(model, "model_", None)
    if pm_model is None:
        return None
    try:
        import graphviz  # noqa: F401
        import pymc as pm

        graph = pm.model_to_graphviz(pm_model)
        out = graph.render(str(stem), format="svg", cleanup=True)
        return Path(out)
    except Exception:  # graphviz python package or the dot binary missing
        return None
