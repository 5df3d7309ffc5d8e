"""The skill targets (``scoreboard.TARGETS``), measured on the committed backtest: a benchmark, not a test.

Runs ``forecasting.evaluation.studies.targets`` (``python benchmarks/targets.py --help``)."""
from forecasting.evaluation.studies.targets import main

if __name__ == "__main__":
    raise SystemExit(main())
