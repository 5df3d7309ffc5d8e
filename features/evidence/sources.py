"""The dated event sources, registered once: each one's committed file, reader, writer and aggregation.

The build (``features.table.build``) aggregates each source's events as of every row's date and
writes the event table; the as-of view (``features.view.asof``) reads the committed table back and
aggregates it again as of the view's date.  Both loop over ``EVENT_SOURCES``, so a new source is one
entry here.  Collecting the events from the raw files stays with each source's module (their raw
inputs differ).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from features.evidence import endorsements, misconduct, outside_spending, pro_israel_money


@dataclass(frozen=True)
class EventSource:
    """One dated event source.

    name : the source's key (``BuildResult.events[name]``)
    file : its committed table under ``data/processed/``
    read, write : the committed table's reader and writer
    aggregate : ``(events, rows, as_of) -> [DataFrame, ...]``: the source's columns per row as of its date
    needs : view columns the aggregation matches on (a view without them keeps the build's values)
    """

    name: str
    file: str
    read: Callable[[Path], pd.DataFrame]
    write: Callable[[pd.DataFrame, Path], None]
    aggregate: Callable[[pd.DataFrame, pd.DataFrame, object], list[pd.DataFrame]]
    needs: tuple[str, ...] = ()

    def columns(self, events: pd.DataFrame, rows: pd.DataFrame, as_of) -> pd.DataFrame:
        """The source's columns for ``rows`` as of ``as_of`` (one date, or a Series aligned with rows)."""
        return pd.concat(self.aggregate(events, rows, as_of), axis=1)


EVENT_SOURCES: tuple[EventSource, ...] = (
    EventSource("outside_spending", "outside_spending_events.csv", outside_spending.read_events,
                outside_spending.write_events,
                lambda ev, rows, when: [outside_spending.aggregate_spending(ev, rows, when)]),
    EventSource("misconduct", "misconduct_events.csv", misconduct.read_events, misconduct.write_events,
                lambda ev, rows, when: [misconduct.aggregate_misconduct(ev, rows, when)], needs=("bioguide_id",)),
    EventSource("pro_israel", "pro_israel_events.csv", pro_israel_money.read_events, pro_israel_money.write_events,
                lambda ev, rows, when: [pro_israel_money.aggregate_pro_israel(ev, rows, when),
                                        pro_israel_money.aggregate_norpac(ev, rows, when)], needs=("fec_id",)),
    EventSource("jstreet", "jstreet_events.csv", pro_israel_money.read_jstreet_events,
                pro_israel_money.write_jstreet_events,
                lambda ev, rows, when: [pro_israel_money.aggregate_jstreet(ev, rows, when)], needs=("fec_id",)),
    EventSource("endorsements", "endorsement_events.csv", endorsements.read_events, endorsements.write_events,
                lambda ev, rows, when: [endorsements.aggregate_endorsements(ev, rows, when)]),
)
SOURCES_BY_NAME = {s.name: s for s in EVENT_SOURCES}
