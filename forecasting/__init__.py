"""Models, backtests, scoring, scheduling, publishing and the command line."""
