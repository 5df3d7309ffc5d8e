"""Evaluation: the rolling-origin backtest, metrics, scoreboards, the champion, defeat counts."""
