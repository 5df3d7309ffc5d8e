"""Where the champion's Brier loss lies, and how far the data here can take it: a benchmark, not a test.

Runs ``forecasting.evaluation.studies.skill_budget`` (``python benchmarks/skill_budget.py --help``)."""
from forecasting.evaluation.studies.skill_budget import main

if __name__ == "__main__":
    raise SystemExit(main())
