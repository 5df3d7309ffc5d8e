"""Person-name normalization and matching across the raw sources.

The sources spell the same member many ways: FEC "Crowley, Joseph", "Kennedy, Robert, Jr.",
"Andrews, Robert E. #"; Voteview/538 "SCHWARZ, John J. H. (Joe)"; congress-legislators
first/last/nickname; 538 2022 "Joe Crowley"; Miller-Camberg "GRIJALVA, RAU\ufffd\ufffdL M."
(UTF-8 bytes already replaced by U+FFFD) and 538 2018 "Osme\u0331a" (UTF-8 read as Latin-1 then
written as Mac Roman). Everything here is pure string work: no raw files are read.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import pandas as pd

SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "md", "phd", "dds", "esq", "dr", "rev", "hon",
                      "mr", "mrs", "ms"})
# Particles that belong to the surname when a name is written "First Last".
SURNAME_PARTICLES = frozenset({"van", "von", "de", "del", "della", "la", "le", "di", "da", "du", "st",
                               "mac", "ten", "ter", "des", "dos", "san"})

# Groups of interchangeable given names (a name may sit in several groups, e.g. "al").
NICKNAME_GROUPS: tuple[frozenset[str], ...] = tuple(frozenset(g.split()) for g in (
    "william bill billy will willie",
    "robert bob bobby rob robbie bert",
    "james jim jimmy jamie",
    "michael mike mikey mick",
    "charles chuck charlie chas",
    "richard dick rick ricky rich richie",
    "thomas tom tommy",
    "joseph joe joey",
    "daniel dan danny",
    "steven stephen steve stevie",
    "christopher chris kit",
    "edward ed eddie ted ned",
    "theodore ted teddy",
    "anthony tony",
    "katherine catherine kathryn kathleen kathy cathy kate katie kat",
    "peter pete",
    "gerald gerry jerry",
    "jerrold jerry",
    "andrew andy drew",
    "donald don donnie",
    "ronald ron ronnie",
    "gregory greg",
    "lawrence laurence larry",
    "samuel sam sammy",
    "patrick pat",
    "patricia pat patty trish",
    "david dave davey",
    "matthew matt",
    "douglas doug",
    "benjamin ben benny",
    "nicholas nick nicky",
    "timothy tim timmy",
    "frederick fred freddie",
    "alexander alex al",
    "alexandra alexandria alex",
    "albert al bert",
    "alan allan allen al",
    "alfred al fred",
    "kenneth ken kenny",
    "raymond ray",
    "leonard len lenny",
    "jeffrey jeffery geoffrey jeff",
    "john jack johnny jon",
    "jonathan jon",
    "margaret maggie peggy meg",
    "elizabeth liz beth betsy betty",
    "susan sue susie suzanne",
    "deborah debra debbie deb",
    "barbara barb",
    "jennifer jen jenny",
    "rebecca becky",
    "cynthia cindy",
    "gwendolyn gwen",
    "sandra sandy",
    "janice janet jan",
    "henry hank",
    "vincent vince",
    "zachary zach zack",
    "walter walt",
    "harold hal",
    "eugene gene",
    "clifford cliff",
    "melvin mel",
    "randall randolph randy",
    "terence terrence terry",
    "stanley stan",
    "louis lewis lou",
    "francis frank fran",
    "philip phillip phil",
    "jacob jake",
    "joshua josh",
    "nathaniel nathan nate",
    "bradley brad",
    "abraham abe",
    "russell russ",
    "jacqueline jackie",
    "valerie val",
    "virginia ginny",
    "judith judy",
    "mitchell mitch",
    "ernest ernie",
    "augustus gus",
    "frances fran",
    "cathleen cathy",
    "gabriel gabe",
    "edwin ed",
    "lucia lucy",
    "luis lou",
    "maxwell max",
    "solomon sol",
    "ignatius iggy",
))
_NICK_INDEX: dict[str, set[str]] = {}
for _g in NICKNAME_GROUPS:
    for _n in _g:
        _NICK_INDEX.setdefault(_n, set()).update(_g)

_BAD_CHARS = set("\ufffdÃÂÌâ€±¤¦§¨©ª«¬®¯°²³´µ¶·¸¹º»¼½¾¿√")


def _badness(s: str) -> int:
    return sum(ch in _BAD_CHARS or unicodedata.combining(ch) > 0 for ch in s)


def _is_missing(s) -> bool:
    return s is None or (not isinstance(s, str) and pd.isna(s))


def fix_mojibake(s):
    """Undo common mis-decodings of UTF-8 text; drop U+FFFD replacement marks.

    Handles UTF-8 read as cp1252/Latin-1 ("RaÃºl" -> "Raúl"), 538's UTF-8 -> Latin-1 -> Mac Roman
    chain ("OsmeÌ±a" or "Osme\u0331a" -> "Osmeña"), non-breaking spaces, and bytes already lost
    to U+FFFD ("RAU\ufffd\ufffdL" -> "RAUL", "O\ufffd\ufffd\ufffdROURKE" -> "OROURKE"). Missing values pass through.
    """
    if _is_missing(s):
        return s
    s = str(s)
    best, best_bad = s, _badness(s)
    if best_bad:
        attempts = (
            lambda t: t.encode("cp1252").decode("utf-8"),
            lambda t: t.encode("latin-1").decode("utf-8"),
            lambda t: t.encode("utf-8").decode("mac_roman").encode("latin-1").decode("utf-8"),
            lambda t: t.encode("latin-1").decode("mac_roman").encode("latin-1").decode("utf-8"),
        )
        for fn in attempts:
            try:
                cand = fn(s)
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            bad = _badness(cand)
            if bad < best_bad:
                best, best_bad = cand, bad
    return best.replace("\ufffd", "").replace("\xa0", " ")


def strip_accents(s: str) -> str:
    """'Sánchez' -> 'Sanchez' (NFKD, combining marks dropped)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


@dataclass(frozen=True)
class ParsedName:
    """A name split into lower-case ASCII parts."""
    first: str                      # '' if unknown
    middles: tuple[str, ...]
    last: str                       # surname, words joined by single spaces ('ocasio cortez')
    nicknames: tuple[str, ...]      # from "(Joe)" or quotes

    @property
    def last_parts(self) -> tuple[str, ...]:
        return tuple(self.last.split())


def _clean_token_text(s: str) -> str:
    s = strip_accents(fix_mojibake(s)).lower()
    s = s.replace("#", " ").replace("*", " ")
    s = re.sub(r"[\u2018\u2019'`]", "", s)          # O'Rourke -> orourke
    s = re.sub(r"[-\u2010-\u2015]", " ", s)           # Ocasio-Cortez -> ocasio cortez
    s = re.sub(r"[^a-z ,]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _drop_suffixes(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in SUFFIXES]


def parse_name(s) -> ParsedName:
    """Split a raw name in either 'LAST, FIRST MIDDLE' or 'First Middle Last' form."""
    if _is_missing(s):
        return ParsedName("", (), "", ())
    return _parse_name(str(s))


@lru_cache(maxsize=65536)
def _parse_name(s: str) -> ParsedName:
    if not s.strip():
        return ParsedName("", (), "", ())
    raw = fix_mojibake(str(s))
    nicks: list[str] = []
    # nicknames in parentheses or quotes: "(Joe)", '"Buddy"', '“Buddy”'
    for m in re.findall(r"\(([^)]*)\)|\"([^\"]*)\"|\u201c([^\u201d]*)\u201d", raw):
        nick = " ".join(p for p in m if p)
        nicks.extend(_clean_token_text(nick).replace(",", " ").split())
    raw = re.sub(r"\([^)]*\)|\"[^\"]*\"|\u201c[^\u201d]*\u201d", " ", raw)
    text = _clean_token_text(raw)
    # comma-separated parts that are only suffixes ("Henry C. Johnson, Jr.") carry no name
    parts = [p for p in text.split(",") if _drop_suffixes(p.split())]
    if len(parts) >= 2:                                  # "Last, First Middle[, Jr.]"
        last_tokens = _drop_suffixes(parts[0].split())
        given = _drop_suffixes(" ".join(parts[1:]).split())
        first = given[0] if given else ""
        return ParsedName(first, tuple(given[1:]), " ".join(last_tokens), tuple(nicks))
    tokens = _drop_suffixes(" ".join(parts).split())
    if not tokens:
        return ParsedName("", (), "", tuple(nicks))
    if len(tokens) == 1:
        return ParsedName("", (), tokens[0], tuple(nicks))
    last = [tokens[-1]]
    i = len(tokens) - 2
    while i >= 1 and tokens[i] in SURNAME_PARTICLES:
        last.insert(0, tokens[i])
        i -= 1
    return ParsedName(tokens[0], tuple(tokens[1:i + 1]), " ".join(last), tuple(nicks))


def normalize_name(s) -> str:
    """Canonical 'first middle last' form: lower-case ASCII, no punctuation, suffixes or nicknames.

    'CROWLEY, Joseph' and 'Joseph Crowley' both give 'joseph crowley';
    'Kennedy, Robert, Jr.' gives 'robert kennedy'; 'Ocasio-Cortez, Alexandria' gives
    'alexandria ocasio cortez'. Missing -> ''.
    """
    p = parse_name(s)
    return " ".join(t for t in (p.first, *p.middles, p.last) if t)


def name_tokens(s) -> frozenset[str]:
    """All name words (given, middle, surname parts and nicknames), normalized."""
    p = parse_name(s)
    return frozenset(t for t in (p.first, *p.middles, *p.last_parts, *p.nicknames) if t)


def nickname_equivalent(a: str, b: str) -> bool:
    """True if two given names are the same or interchangeable (Bill ~ William, Jimmy ~ James)."""
    if not a or not b:
        return False
    if a == b:
        return True
    return b in _NICK_INDEX.get(a, ())


@lru_cache(maxsize=65536)
def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap two adjacent letters).

    Returns early with the length difference when that already exceeds 2 (only small distances matter).
    """
    if abs(len(a) - len(b)) > 2:
        return abs(len(a) - len(b))
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _last_score(pa: ParsedName, pb: ParsedName) -> float:
    la, lb = pa.last.replace(" ", ""), pb.last.replace(" ", "")
    if not la or not lb:
        return 0.0
    if la == lb:
        return 1.0
    # "Debbie Wasserman Schultz" parses surname 'schultz' with middle 'wasserman'
    for x, y in ((pa, pb), (pb, pa)):
        words = [*x.middles, *x.last_parts]
        for k in range(1, len(words) + 1):
            if "".join(words[-k:]) == y.last.replace(" ", ""):
                return 1.0
    if set(pa.last_parts) & set(pb.last_parts):       # 'roybal allard' ~ 'allard'
        return 0.85
    # typos and lost characters: 'Synder' ~ 'Snyder', 'Valezquez' ~ 'Velazquez', 'Chvez' ~ 'Chavez'
    d = edit_distance(la, lb)
    if d == 1 and min(len(la), len(lb)) >= 4:
        return 0.8
    if d == 2 and min(len(la), len(lb)) >= 7:
        return 0.7
    return 0.0


def _given_names(p: ParsedName) -> tuple[str, ...]:
    return tuple(t for t in (p.first, *p.nicknames) if t)


def _first_score(pa: ParsedName, pb: ParsedName) -> float | None:
    ga, gb = _given_names(pa), _given_names(pb)
    if not ga or not gb:
        return None
    best = 0.0
    for x in ga:
        for y in gb:
            if nickname_equivalent(x, y):
                return 1.0
            if len(x) >= 3 and len(y) >= 3 and (x.startswith(y) or y.startswith(x)):
                best = max(best, 0.85)
            elif len(x) == 1 or len(y) == 1:
                if x[0] == y[0]:
                    best = max(best, 0.75)
            elif _ratio(x, y) >= 0.8:
                best = max(best, 0.7)
    # members known by their middle name ('F. James Sensenbrenner', 'J. Gresham Barrett')
    for x, y in ((pa, pb), (pb, pa)):
        mids = [m for m in x.middles if len(m) > 1]
        if any(nickname_equivalent(m, g) for m in mids for g in _given_names(y)):
            best = max(best, 0.9)
    return best


def names_match(a, b) -> float:
    """Similarity score in [0, 1] of two person names written in any supported form.

    1.0 = same surname and same (or nickname-equivalent) given name; about 0.85-0.95 = same surname
    with an initial, a middle-name-as-first or a prefix; 0.5 = same surname, different given names;
    0 = different surnames. Surname similarity is tolerant of lost characters (mojibake) and
    compound surnames.
    """
    pa, pb = parse_name(a), parse_name(b)
    last = _last_score(pa, pb)
    if last == 0.0:
        return 0.0
    first = _first_score(pa, pb)
    if first is None:
        return round(last * 0.75, 4)
    return round(last * (0.5 + 0.5 * first), 4)


def display_name(s):
    """A readable 'First Last' form of a source name ('OCASIO-CORTEZ, ALEXANDRIA' -> 'Alexandria Ocasio-Cortez')."""
    if _is_missing(s):
        return s
    text = fix_mojibake(str(s)).replace("#", "").strip()
    if "," in text:
        last, _, rest = text.partition(",")
        rest = rest.strip()
        suffix = ""
        for suf in (" Jr.", " Jr", " Sr.", " II", " III", " IV"):
            if rest.endswith(suf):
                rest, suffix = rest[: -len(suf)].strip(), suf
        text = f"{rest} {last.strip()}{suffix}".strip()
    text = " ".join(text.split())
    if text.isupper():
        text = " ".join(w.capitalize() if not w.startswith("MC") else "Mc" + w[2:].capitalize()
                        for w in text.split())
        text = "-".join(part[:1].upper() + part[1:] for part in text.split("-"))
    return text.replace('"', "")


_HONORIFICS = {"MR", "MRS", "MS", "DR", "HON", "REV", "MR.", "MRS.", "MS.", "DR.", "HON.", "REV."}


def fec_display_name(name: str) -> str:
    """'LANKFORD, JAMES PAUL MR.' -> 'James Paul Lankford' (FEC summary style to display style)."""
    if "," not in name:
        return name
    last, first = name.split(",", 1)
    words = [w for w in first.split() if w.upper() not in _HONORIFICS]
    return " ".join(w.capitalize() if w.isupper() else w for w in words + last.split())


def dedupe_key(name: str) -> str:
    """Key for de-duplicating names written 'LAST, FIRST' or 'First Last'."""
    if "," in name:
        last, first = name.split(",", 1)
        name = f"{first} {last}"
    tokens = name.lower().replace(".", " ").split()
    return " ".join(sorted(t for t in tokens if len(t) > 1 and t.upper() not in _HONORIFICS))
