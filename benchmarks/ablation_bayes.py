"""Ablation of the Bayesian hurdle model (``forecasting.models.bayes``) in the rolling-origin backtest.

Runs ``forecasting.evaluation.studies.ablation_bayes`` (``python benchmarks/ablation_bayes.py --help``)."""
from forecasting.evaluation.studies.ablation_bayes import main

if __name__ == "__main__":
    main()
