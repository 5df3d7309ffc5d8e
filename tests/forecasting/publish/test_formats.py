"""How a vote share reads: the range given a contest, with the chance of no opponent said apart."""
from __future__ import annotations

import math

from forecasting.publish.formats import pct, share_words, vote_share


def _rec(**kw):
    base = {"share_p10": 0.42, "share_p50": 0.71, "share_p90": 1.0, "p_contested": 0.8, "field_known": False,
            "share_if_contested_p10": 0.40, "share_if_contested_p50": 0.62, "share_if_contested_p90": 0.78}
    return {**base, **kw}


def test_the_range_is_given_a_contest_and_the_no_opponent_chance_apart():
    v = vote_share(_rec())
    assert v["conditional"] and (v["low"], v["median"], v["high"]) == (0.40, 0.62, 0.78)
    assert math.isclose(v["p_unopposed"], 0.2) and not v["unopposed"]
    assert share_words(_rec()) == "40%-78% if challenged (median 62%); 20% chance of no opponent"


def test_a_known_field_says_unopposed_or_gives_no_chance_of_it():
    assert vote_share(_rec(field_known=True, p_contested=0.0, share_if_contested_p10=None))["unopposed"]
    assert share_words(_rec(field_known=True, p_contested=0.0)) == "no same-party opponent on the ballot"
    on_ballot = vote_share(_rec(field_known=True, p_contested=1.0))
    assert on_ballot["p_unopposed"] is None and on_ballot["high"] == 0.78


def test_a_record_from_before_the_conditional_share_keeps_its_mixed_range():
    old = _rec(share_if_contested_p10=None, share_if_contested_p50=float("nan"), share_if_contested_p90="")
    v = vote_share(old)
    assert not v["conditional"] and v["high"] == 1.0 and v["p_unopposed"] is None
    assert share_words(old) == "42%-100% (median 71%)"


def test_a_tiny_chance_of_no_opponent_is_not_shown():
    assert vote_share(_rec(p_contested=0.999))["p_unopposed"] is None
    assert pct(0.0004) == "<0.1%"
    assert pct(0.004, 0) == "<1%" and pct(0.996, 0) == ">99%" and pct(0.9996) == ">99.9%"
    assert pct(0.0) == "0.0%" and pct(1.0, 0) == "100%" and pct(0.006, 0) == "1%"
