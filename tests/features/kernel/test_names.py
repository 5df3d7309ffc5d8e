"""Name normalization and matching on spellings taken from the raw files."""
from __future__ import annotations

import pandas as pd
import pytest

from features.kernel.names import (
    edit_distance,
    fix_mojibake,
    name_tokens,
    names_match,
    nickname_equivalent,
    normalize_name,
    parse_name,
)


@pytest.mark.parametrize("raw, fixed", [
    ("GRIJALVA, RAU\ufffd\ufffdL M.", "GRIJALVA, RAUL M."),            # Miller-Camberg 2012 AZ-3 incname
    ("VELA\ufffd\ufffdZQUEZ, NYDIA", "VELAZQUEZ, NYDIA"),
    ("Cristina Osme\u0331a", "Cristina Osmeña"),                     # 538 2018 rep file read as UTF-8
    ("Cristina OsmeÌ±a", "Cristina Osmeña"),                         # same bytes read as Latin-1
    ("RaÃºl Grijalva", "Raúl Grijalva"),                              # UTF-8 read as cp1252
    ("Nydia M. Velázquez", "Nydia M. Velázquez"),                    # clean text untouched
    ("PEÑA", "PEÑA"),
    ("D\xa0", "D "),
])
def test_fix_mojibake(raw, fixed):
    assert fix_mojibake(raw) == fixed


def test_fix_mojibake_passes_missing_through():
    assert fix_mojibake(None) is None
    assert pd.isna(fix_mojibake(pd.NA))


@pytest.mark.parametrize("raw, norm", [
    ("Crowley, Joseph", "joseph crowley"),                           # FEC 2018 NY-14
    ("Joseph Crowley", "joseph crowley"),
    ("Kennedy, Robert, Jr.", "robert kennedy"),                      # FEC 2018 AL-1
    ("Andrews, Robert E. #", "robert e andrews"),                    # FEC 2008 NJ-1 footnote mark
    ("SCHWARZ, John J. H. (Joe)", "john j h schwarz"),               # 538 aging bioname
    ("Ocasio-Cortez, Alexandria", "alexandria ocasio cortez"),
    ("Alexandria Ocasio-Cortez", "alexandria ocasio cortez"),
    ("O'ROURKE, BETO", "beto orourke"),
    ("GRIJALVA, RAU\ufffd\ufffdL M.", "raul m grijalva"),
    ("Nydia M. Velázquez", "nydia m velazquez"),
    ('Wittman, Robert J. "Rob"', "robert j wittman"),                # FEC 2012 VA-1
    ("CLAY, WILLIAM LACY JR", "william lacy clay"),                  # fec20 candidates
    ("Chris Van Hollen", "chris van hollen"),
    (None, ""),
])
def test_normalize_name(raw, norm):
    assert normalize_name(raw) == norm


def test_parse_name_keeps_nicknames():
    p = parse_name('Henry C. "Hank" Johnson, Jr.')
    assert p.last == "johnson" and p.first == "henry" and "hank" in p.nicknames
    assert "joe" in name_tokens("SCHWARZ, John J. H. (Joe)")


@pytest.mark.parametrize("a, b", [
    ("bill", "william"), ("jimmy", "james"), ("chuck", "charles"), ("ted", "edward"), ("steve", "stephen"),
    ("kathy", "katherine"), ("jerry", "gerald"), ("larry", "lawrence"), ("tim", "timothy"), ("rob", "robert"),
])
def test_nicknames(a, b):
    assert nickname_equivalent(a, b) and nickname_equivalent(b, a)


def test_nicknames_do_not_overreach():
    assert not nickname_equivalent("bill", "robert")
    assert not nickname_equivalent("james", "john")


def test_edit_distance():
    assert edit_distance("synder", "snyder") == 1                    # FEC 2004 AR-2 typo for Vic Snyder
    assert edit_distance("valezquez", "velazquez") == 2              # FEC 2014 NY-7 typo
    assert edit_distance("smith", "smithson") == 3


@pytest.mark.parametrize("a, b, low", [
    ("Crowley, Joseph", "Joe Crowley", 1.0),
    ("SCHWARZ, John J. H. (Joe)", "Schwarz, Joe", 1.0),
    ("Wasserman Schultz, Debbie", "Debbie Wasserman Schultz", 1.0),
    ("GRIJALVA, RAU\ufffd\ufffdL M.", "Raúl M. Grijalva", 1.0),
    ("Sensenbrenner, F. James Jr.", "SENSENBRENNER, Frank James, Jr.", 0.85),
    ("Synder, Vic", "Snyder, Vic", 0.75),
])
def test_names_match_same_person(a, b, low):
    assert names_match(a, b) >= low


@pytest.mark.parametrize("a, b, high", [
    ("Smith, Adam", "Smith, Christopher H.", 0.5),                   # same surname, different people
    ("Crowley, Joseph", "Ocasio-Cortez, Alexandria", 0.0),
    ("Johnson, Eddie Bernice", "Johnson, Sam", 0.5),
])
def test_names_match_different_people(a, b, high):
    assert names_match(a, b) <= high
