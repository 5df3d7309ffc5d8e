"""One source of truth for states, cycles, primary systems and election rules."""
from __future__ import annotations

TRAIN_CYCLES = tuple(range(2002, 2026, 2))      # cycles with outcomes
LIVE_CYCLE = 2026
#: the date the committed live inputs run to (the 2026 roster, the FEC year-end reports): the live forecast's date
LIVE_AS_OF = "2025-12-31"
ALL_CYCLES = TRAIN_CYCLES + (LIVE_CYCLE,)
BACKTEST_CYCLES = tuple(range(2008, 2026, 2))

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}
STATE_BY_NAME = {v: k for k, v in STATES.items()}
# Non-voting delegates are not in the central table (voting members only).
DELEGATE_STATES = ("AS", "DC", "GU", "MP", "PR", "VI")

CENSUS_REGION = {
    **{s: "northeast" for s in ("CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA")},
    **{s: "midwest" for s in ("IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD")},
    **{s: "south" for s in ("DE", "FL", "GA", "MD", "NC", "SC", "VA", "WV", "AL", "KY", "MS", "TN",
                            "AR", "LA", "OK", "TX")},
    **{s: "west" for s in ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA")},
}

PARTIES = ("D", "R")

PRIMARY_SYSTEMS = (
    "closed", "semi-closed", "open", "top-two", "top-four", "runoff", "convention", "louisiana-jungle",
)
# States that require a majority in the first round (else a runoff); threshold in `runoff_threshold`.
RUNOFF_STATES = ("AL", "AR", "GA", "MS", "NC", "OK", "SC", "SD", "TX")


def top_two_rule(state: str, cycle: int) -> str | None:
    """Return 'top-two' / 'top-four' if the state's primary is all-candidate that cycle, else None."""
    if state == "CA" and cycle >= 2012:
        return "top-two"
    if state == "WA" and cycle >= 2008:
        return "top-two"
    if state == "AK" and cycle >= 2022:
        return "top-four"
    return None


def louisiana_jungle(state: str, cycle: int) -> bool:
    """Louisiana's House 'primary' is the November all-party election, except 2008 and 2010 and from
    2026 on, when it holds closed party primaries (with a runoff)."""
    return state == "LA" and cycle not in (2008, 2010) and cycle < 2026


def congress_for_cycle(cycle: int) -> int:
    """The Congress sitting during a cycle's primaries (2002 -> 107th)."""
    return (cycle - 1788) // 2


# Party of the president during each cycle's primaries (challenges to members of the president's party
# differ from the out-party's).
PRESIDENT_PARTY = {
    2002: "R", 2004: "R", 2006: "R", 2008: "R", 2010: "D", 2012: "D", 2014: "D", 2016: "D",
    2018: "R", 2020: "R", 2022: "D", 2024: "D", 2026: "R",
}


def runoff_threshold(state: str, cycle: int) -> float | None:
    """First-round share that avoids a runoff (NC 40%, 30% from 2018; SD 35%; other runoff states and
    Louisiana 50%); None where a plurality nominates."""
    if state == "NC":
        return 0.30 if cycle >= 2018 else 0.40
    if state == "SD":
        return 0.35
    if state in RUNOFF_STATES or state == "LA":
        return 0.5
    return None
