"""Markdown tables of the evaluation reports."""
from __future__ import annotations

import numpy as np
import pandas as pd


def md_table(df: pd.DataFrame, nd: dict | None = None) -> str:
    """``df`` as a Markdown table; ``nd`` gives decimals per column (default 3)."""
    nd = nd or {}
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    lines = [head, sep]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(fmt(r[c], nd.get(c, 3)) for c in df.columns) + " |")
    return "\n".join(lines)


def fmt(x, nd=3) -> str:
    """One cell: text as is, booleans yes/**no**, missing as a dash, integers whole, numbers to ``nd`` decimals."""
    if isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "**no**"
    if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{x:.{nd}f}"
