"""What the race pages and the index say about the second target: P(lose the seat to the same party).

In a top-two (CA, WA) or top-four (AK) primary every candidate runs on one ballot and the leaders go
to November, so a member can keep the "nomination" (finish in the top two) and still lose the seat to
a same-party rival in November (Stark 2012, Honda 2016; Gomez against David Kim 2020-2024).  A race
page there shows both numbers with one plain sentence saying what each means, and P(a same-party
challenger reaches November with the member).  Two sitting members in one race (CA-40 Calvert and
Kim 2026) are one contest: one page, one coherence line, counted once in expected defeats.

Everything here works on snapshot records (``forecasting.live.snapshots`` columns, one dict per member);
it returns plain text and numbers, which the Jinja templates escape.
"""
from __future__ import annotations


import pandas as pd

from forecasting.publish.formats import number as _num
from forecasting.publish.formats import pct

from forecasting.models.pairs import expected_defeats as _sum_defeats
from forecasting.models.targets import SEVERAL_ADVANCE_SYSTEMS

PARTY_MEMBER = {"D": "Democrat", "R": "Republican"}
_FINALISTS = {"top-two": "top two", "top-four": "top four"}


def november_system(rec: dict) -> str | None:
    """'top-two' / 'top-four' when the race sends several finalists to November, else None."""
    system = str(rec.get("primary_system") or "").strip().lower()
    if system in SEVERAL_ADVANCE_SYSTEMS:
        return system
    return "top-two" if not system and _num(rec.get("p_same_party_rival_november")) is not None else None


def explanation(rec: dict, others: list[str] | None = None) -> str | None:
    """One plain sentence saying what each number means, for a race decided in November; else None.

    ``others``: the other sitting members in the same race (a member-vs-member contest), whose seat
    chances are rescaled together (``pair_summary``)."""
    system = november_system(rec)
    if system is None:
        return None
    who = str(rec.get("incumbent") or "the incumbent")
    fellow = "fellow " + PARTY_MEMBER.get(str(rec.get("party")), "party member")
    top = _FINALISTS[system]
    when = rec.get("primary_date")
    on = f" on {pd.Timestamp(when).date().isoformat()}" if when is not None and not pd.isna(when) else ""
    seat, rival = _num(rec.get("p_lose_seat_same_party")), _num(rec.get("p_same_party_rival_november"))
    first = (f"In a {system} primary every candidate runs on one ballot and the {top} go to November, so "
             f"{pct(rec.get('p_loss'))} is the chance that {who} loses the nomination (finishes outside the "
             f"{top}{on})")
    if seat is None:
        return first + ("; the chance of losing the seat to a same-party rival in November is not available "
                        "from this model version.")
    if others:
        return (first + f", and {pct(seat)} is the chance that {who} loses the seat to a {fellow}, here above all "
                f"to {' and '.join(others)}, the other sitting member in this race: in the primary, or in "
                f"November if both finish in the {top} (the {pct(rival)} chance that a same-party challenger "
                f"reaches November is the model's November stage alone, which does not know that two members "
                f"run; the box above says how the members' chances fit together).")
    return (first + f", and {pct(seat)} is the chance that {who} loses the seat to a {fellow}: in the "
            f"primary, or in November after a same-party challenger finishes in the {top} too "
            f"({pct(rival)} chance that one does and the seat is decided between them).")


def pair_summary(members: list[dict]) -> dict | None:
    """Two or more sitting members in one race (one page): their chances side by side and whether they
    are coherent (in a top-two race exactly one keeps the seat once both are on the ballot: the chances
    of losing it sum to k - 1; elsewhere the same holds for the nomination)."""
    if len(members) < 2:
        return None
    k = len(members)
    seat_race = any(november_system(m) for m in members)
    col = "p_lose_seat_same_party" if seat_race else "p_loss"
    values = [_num(m.get(col)) for m in members]
    names = [str(m.get("incumbent")) for m in members]
    known = all(bool(m.get("field_known")) for m in members)
    rows = [{"incumbent": n, "p_loss": _num(m.get("p_loss")), "value": v,
             "p_lose_seat_same_party": _num(m.get("p_lose_seat_same_party"))}
            for n, m, v in zip(names, members, values)]
    out = {"k": k, "column": col, "rows": rows, "field_known": known, "total": None, "if_both": None}
    what = "the seat" if seat_race else "the nomination"
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    keep = "exactly one keeps the seat" if k == 2 else f"exactly one of the {k} keeps the seat"
    if not seat_race:
        keep = "exactly one is renominated" if k == 2 else f"{k - 1} of them lose the nomination"
    if any(v is None for v in values):
        out["sentence"] = (f"{listed} are sitting members in one race: one contest, shown together here. "
                           f"Their chances of losing {what} are not available from this model version.")
        return out
    total = sum(values)
    out["total"] = total
    if known:
        out["sentence"] = (f"{listed} are sitting members in one race: one contest, shown together here and "
                           f"counted once in expected defeats. Both are on the ballot, so {keep}: their "
                           f"chances of losing {what} sum to {pct(total)}.")
        return out
    # before the field is final each forecast still allows for the other member not filing; if both
    # run, the chances are rescaled to sum to k - 1 (the models' rule, the ratio between them kept)
    scaled = [v * (k - 1) / total if total > 0 else (k - 1) / k for v in values]
    out["if_both"] = [{"incumbent": n, "value": s} for n, s in zip(names, scaled)]
    deadline = members[0].get("filing_deadline")
    until = (f" (the filing deadline is {pd.Timestamp(deadline).date().isoformat()})"
             if deadline is not None and not pd.isna(deadline) else "")
    both = " and ".join(f"{r['incumbent']} {pct(r['value'])}" for r in out["if_both"])
    out["sentence"] = (f"{listed} are sitting members in one race: one contest, shown together here and "
                       f"counted once in expected defeats. Until the field is final{until} the forecasts are "
                       f"not yet conditioned on both being on the ballot (their chances of losing {what} "
                       f"sum to {pct(total)}); if both are on the ballot, {keep}: at the model's ratio, {both} "
                       f"chance of losing {what}.")
    return out


def expected_defeats(latest: pd.DataFrame) -> dict:
    """Expected number of members losing the nomination and losing the seat to the same party, each
    contest counted once (``forecasting.models.pairs.expected_defeats``: a member-vs-member contest's
    chances sum to the one defeat it produces once both run), and the number of such contests."""
    key = [c for c in ("cycle", "state", "district", "party") if c in latest.columns]
    n_pairs = int((latest.groupby(key).size() >= 2).sum()) if len(latest) and key else 0
    seat = (_sum_defeats(latest, "p_lose_seat_same_party")
            if "p_lose_seat_same_party" in latest.columns
            and pd.to_numeric(latest["p_lose_seat_same_party"], errors="coerce").notna().any() else None)
    return {"nomination": _sum_defeats(latest, "p_loss"), "seat": seat, "n_member_contests": n_pairs}
