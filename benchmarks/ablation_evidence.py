"""Ablation of the evidence families (ideology, challenger quality, pro-Israel money, misconduct) in the rolling-origin backtest.

Runs ``forecasting.evaluation.studies.ablation_evidence`` (``python benchmarks/ablation_evidence.py --help``)."""
from forecasting.evaluation.studies.ablation_evidence import main

if __name__ == "__main__":
    main()
