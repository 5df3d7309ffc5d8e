"""Explicit schema of the central table, checked with pandera before anything is written."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from features.kernel.columns import CONTRACT, KEY
from features.kernel.constants import ALL_CYCLES, LIVE_CYCLE, PRIMARY_SYSTEMS, STATES
from features.kernel.errors import InputError

_share = pa.Check.in_range(0.0, 1.0)

TABLE_SCHEMA = pa.DataFrameSchema(
    {
        "cycle": pa.Column(int, pa.Check.isin(list(ALL_CYCLES))),
        "state": pa.Column(str, pa.Check.isin(list(STATES))),
        "district": pa.Column(int, pa.Check.in_range(0, 60)),
        "party": pa.Column(str, pa.Check.isin(["D", "R"])),
        "incumbent": pa.Column(str, pa.Check.str_length(min_value=2)),
        "bioguide_id": pa.Column(str, pa.Check.str_matches(r"^[A-Z]\d{6}$"), nullable=True),
        "fec_id": pa.Column(str, pa.Check.str_matches(r"^H\d[A-Z]{2}\d{5}$"), nullable=True),
        "primary_date": pa.Column("datetime64[ns]", nullable=True),
        "primary_system": pa.Column(str, pa.Check.isin(list(PRIMARY_SYSTEMS)), nullable=True),
        "contested": pa.Column("boolean", nullable=True),
        "incumbent_vs_incumbent": pa.Column("boolean", nullable=True),
        "lost": pa.Column("boolean", nullable=True),
        "lost_to_same_party": pa.Column("boolean", nullable=True, required=False),
        "incumbent_share": pa.Column(float, _share, nullable=True),
        "top_challenger": pa.Column(str, nullable=True),
        "top_challenger_share": pa.Column(float, _share, nullable=True),
        "incumbent_age": pa.Column(float, pa.Check.in_range(20, 100), nullable=True),
        "tenure_years": pa.Column(float, pa.Check.in_range(0, 70), nullable=True),
        "pres_lean": pa.Column(float, pa.Check.in_range(-0.6, 0.6), nullable=True),
    },
    checks=[
        # past cycles all have an outcome; the live cycle has none
        pa.Check(lambda df: df.loc[df["cycle"] < LIVE_CYCLE, "lost"].notna().all(),
                 error="every row before the live cycle has an outcome"),
        pa.Check(lambda df: df.loc[df["cycle"] == LIVE_CYCLE, "lost"].isna().all(),
                 error="the live cycle has no outcomes"),
        pa.Check(lambda df: ~df.duplicated(KEY), error="key (cycle, state, district, party, incumbent) is unique"),
        # the second target contains the first: losing the nomination is losing to the same party
        pa.Check(lambda df: "lost_to_same_party" not in df
                 or (df["lost_to_same_party"].isna() == df["lost"].isna()).all()
                 and (~df["lost"].fillna(False) | df["lost_to_same_party"].fillna(False)).all(),
                 error="lost_to_same_party is known exactly where lost is, and true wherever lost is"),
    ],
    strict=False,
    coerce=False,
)


def validate_table(df: pd.DataFrame, name: str = "incumbent_primaries") -> pd.DataFrame:
    """Validate the central table; raise InputError naming the first failing row and field."""
    missing = [c for c in CONTRACT if c not in df.columns]
    if missing:
        raise InputError(name, "contract column missing", field=missing[0])
    try:
        return TABLE_SCHEMA.validate(df, lazy=False)
    except pa.errors.SchemaError as exc:
        row = None
        if exc.failure_cases is not None and "index" in exc.failure_cases and len(exc.failure_cases):
            row = exc.failure_cases["index"].iloc[0]
        field = getattr(exc.schema, "name", None)
        raise InputError(name, f"schema check failed: {str(exc).splitlines()[0]}", row=row, field=field) from exc
