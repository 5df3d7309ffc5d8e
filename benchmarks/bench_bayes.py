"""Benchmark the Bayesian hurdle fit on every cycle with an outcome: nutpie (numba or JAX) vs PyMC's NUTS.

    .venv/bin/python benchmarks/bench_bayes.py [--samplers nutpie,nutpie+jax,pymc] [--draws 1000
        --tune 1000 --chains 2] [--out reports/benchmarks_bayes.md]

Each sampler fits the default model (``experiments/bayes.yaml`` settings unless overridden) on the
table as of the day before each primary with pre-primary money, then predicts every row.  Reported:
wall time of the fit (graph compilation included: nutpie JIT-compiles with numba on every fit,
PyMC's C backend caches compiled modules on disk), prediction time, and the convergence record
(max R-hat, min bulk/tail ESS, divergences) with bulk ESS per second.  A benchmark, not a test: the
numbers depend on the machine and on what else runs on it (load averages are recorded).
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}"


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samplers", default="nutpie,nutpie+jax,pymc",
                        help="comma-separated: nutpie (numba), nutpie+jax, pymc")
    parser.add_argument("--config", default=str(ROOT / "experiments" / "bayes.yaml"))
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--tune", type=int, default=None)
    parser.add_argument("--chains", type=int, default=None)
    parser.add_argument("--out", default=str(ROOT / "reports" / "benchmarks_bayes.md"))
    args = parser.parse_args(argv)

    import pymc

    from features.table.store import load_table
    from features.view.asof import as_of_view
    from forecasting.models.bayes import BayesHurdleModel
    from forecasting.models.config import load_config

    spec = load_config(args.config)["models"][0]
    sampler_config = dict(spec["sample_kwargs"])
    for key in ("draws", "tune", "chains"):
        if getattr(args, key) is not None:
            sampler_config[key] = getattr(args, key)
    table = load_table()
    view = as_of_view(table)
    train = view[view["lost"].notna()]

    rows, shape = [], None
    for sampler in args.samplers.split(","):
        name, _, backend = sampler.partition("+")
        settings = {k: v for k, v in sampler_config.items() if k != "backend"}
        settings.update(sampler=name, **({"backend": backend} if backend else {}))
        model = BayesHurdleModel(sampler_config=settings,
                                 random_seed=spec["random_seed"], **spec["kwargs"])
        load_before = _load()
        t0 = time.perf_counter()
        model.fit(train)
        fit_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        model.predict(view)
        pred_s = time.perf_counter() - t1
        d = model.fit_diagnostics_
        shape = model.data_shape_
        rhat = "n/a" if d["max_rhat"] is None else f"{d['max_rhat']:.4f}"
        rows.append(f"| {sampler} | {fit_s:.0f} | {d['sampling_seconds']:.0f} | {pred_s:.1f} | {rhat} | "
                    f"{d['min_ess_bulk']:.0f} | {d['min_ess_tail']:.0f} | {d['divergences']} | "
                    f"{d['min_ess_bulk'] / fit_s:.1f} | {load_before} / {_load()} |")
        print(rows[-1], file=sys.stderr, flush=True)

    cfg = ", ".join(f"{k}={v}" for k, v in sorted(sampler_config.items()) if k not in ("sampler", "backend"))
    lines = [
        "# Bayesian hurdle model: fit benchmarks",
        "",
        "Regenerate with `.venv/bin/python benchmarks/bench_bayes.py` (writes this file).",
        "",
        f"Machine: {_machine()}; PyMC {pymc.__version__}. Other jobs may share the 2 cores: the load",
        "average (1 min) before / after each fit is recorded; under contention, times inflate up to 2x.",
        "",
        f"Data: every cycle with an outcome as of the day before each primary, pre-primary money: "
        f"{shape['rows']} rows ({shape['contest_rows']} with a known `contested`, {shape['share_rows']} "
        f"contested with a share), {shape['features']} covariates after preprocessing, "
        f"{shape.get('n_cycle_party', 0)} cycle x party, {shape.get('n_region', 0)} regions, "
        f"{shape.get('n_state', 0)} states." if shape else "",
        f"Sampler settings: {cfg}.",
        "",
        "| sampler | fit wall (s) | of which pm.sample (s) | predict all rows (s) | max R-hat | min bulk ESS | "
        "min tail ESS | divergences | bulk ESS / s | load before / after |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Fit wall time includes the compilation of the log-density: nutpie compiles it with numba on every",
        "fit (~40 s here, not cached across processes), with JAX (`nutpie+jax`) in ~5 s, whose sampling is",
        "slower (each step calls back into Python); PyMC's C backend caches compiled modules under",
        "`~/.pytensor`, so its first fit on a machine is slower than later ones. Target: < 3 min.",
    ]
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
