"""Where the raw inputs and the project's derived tables live.

The raw public files are never committed; they are read from a configurable folder:
the ``--raw`` CLI option, else the ``PRIMARY_FORECAST_RAW`` environment variable,
else ``../shared/data/raw`` next to the project checkout.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
PROCESSED_DIR = DATA_DIR / "processed"
CALENDAR_DIR = DATA_DIR / "calendar"
WATCHLIST_DIR = DATA_DIR / "watchlist"
REPORTS_DIR = PROJECT_ROOT / "reports"
EXPERIMENTS_DIR = PROJECT_ROOT / "experiments"

RAW_ENV_VAR = "PRIMARY_FORECAST_RAW"
DEFAULT_RAW_DIR = PROJECT_ROOT.parent / "shared" / "data" / "raw"


def raw_dir(override: str | os.PathLike | None = None) -> Path:
    """Return the raw-data folder: explicit override, then env var, then the default."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(RAW_ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_RAW_DIR
