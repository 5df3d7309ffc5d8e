"""Validating analyst inputs (watchlists, what-if overrides, experiment configs) with pydantic.

Each input is a pydantic v2 model (``features.evidence.watchlist``, ``forecasting.live.whatif``,
``forecasting.models.config``); this module holds what they share:

- :func:`read_yaml`: strict YAML (UTF-8 only, duplicate keys refused, dates left as text), one
  :class:`features.kernel.errors.InputError` naming the file and the line;
- :func:`validate`: run a model on a parsed document and turn pydantic's ``ValidationError`` into ONE
  ``InputError`` naming the file, the row (an entry label such as ``races[0] (CA-34 D)`` and, for a
  YAML file, the line) and the field (``endorsements[0].date``).  The first error in document order
  is reported, with a count of the others;
- field types used by more than one input: :data:`Dollars`, :func:`one_of`, :data:`HttpSource`.

Unknown fields are refused everywhere (``extra="forbid"``): a typo such as ``nmae`` would otherwise
silently drop a value.  The error names the unknown field and lists the allowed ones.
"""
from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Annotated, Any, Callable

import numpy as np
import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, HttpUrl, TypeAdapter, ValidationError

from features.kernel.errors import InputError


class StrictModel(BaseModel):
    """Base of every input model: unknown fields refused, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------
# strict YAML
# ---------------------------------------------------------------------------------------------
class DuplicateKey(yaml.YAMLError):
    """A mapping repeats a key (PyYAML would silently keep the last one)."""

    def __init__(self, key, line: int):
        super().__init__(f"duplicate key {key!r} at line {line}")
        self.key, self.line = key, line


class TooManyAliases(yaml.YAMLError):
    """A document uses more aliases than ``MAX_YAML_ALIASES`` (an expansion bomb)."""

    def __init__(self, line: int):
        super().__init__(f"too many aliases: more than {MAX_YAML_ALIASES}, or more than {MAX_YAML_NODES:,} "
                         f"values once expanded (from line {line})")
        self.line = line


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and leaves dates as text (validated by the models, so an
    impossible date such as 2025-02-30 is a clear error instead of a crash inside the parser), and
    refuses more than ``MAX_YAML_ALIASES`` aliases (a 'billion laughs' file would expand without end)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_YAML_ALIASES:
                raise TooManyAliases(self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)

    def construct_document(self, node):
        if _expanded_size(node, {}) > MAX_YAML_NODES:
            raise TooManyAliases(node.start_mark.line + 1)
        return super().construct_document(node)


def _expanded_size(node, memo: dict) -> int:
    """Nodes in the document once every alias is expanded (memoised: never expands anything)."""
    key = id(node)
    if key not in memo:
        memo[key] = 1                                    # a cycle counts once
        if isinstance(node, yaml.SequenceNode):
            memo[key] = 1 + sum(_expanded_size(n, memo) for n in node.value)
        elif isinstance(node, yaml.MappingNode):
            memo[key] = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    return memo[key]


def _strict_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _strict_mapping)
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def read_text(path: Path) -> str:
    """The file as UTF-8 text; InputError naming the line of the first byte that is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} "
                               f"(save the file as UTF-8)", row=f"line {line}") from None


def read_yaml(path: Path, text: str | None = None):
    """Parse a YAML file strictly: UTF-8 only, no duplicate keys, dates left as text; any problem is
    one InputError naming the file, the line and (for a duplicate) the key."""
    text = read_text(path) if text is None else text
    try:
        return yaml.load(text, Loader=StrictLoader)
    except DuplicateKey as exc:
        raise InputError(path, f"duplicate key at line {exc.line} (a repeated key would silently "
                               f"replace the first)", row=f"line {exc.line}", field=str(exc.key)) from None
    except TooManyAliases as exc:
        raise InputError(path, f"not accepted: {exc}", row=f"line {exc.line}") from None
    except RecursionError:
        raise InputError(path, "nested too deeply to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = f"line {mark.line + 1}" if mark is not None else None
        raise InputError(path, f"not valid YAML: {str(exc).splitlines()[0]}", row=row) from None


def yaml_line(text: str | None, loc: tuple) -> int | None:
    """1-based line of the YAML node at ``loc`` (keys and list indices), or of its deepest existing
    parent; None without text."""
    if not text:
        return None
    try:
        node = yaml.compose(text, Loader=StrictLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


# ---------------------------------------------------------------------------------------------
# ValidationError -> one InputError
# ---------------------------------------------------------------------------------------------
def _is_tag(part) -> bool:
    """Union-member tags pydantic puts in an error's location (ours are written '(tag)')."""
    return isinstance(part, str) and part.startswith("(") and part.endswith(")")


def dotted(loc: tuple) -> str:
    """('endorsements', 0, 'class') -> 'endorsements[0].class'."""
    out = ""
    for part in loc:
        if _is_tag(part):
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the field at ``loc`` (for the allowed keys of an unknown one)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or _is_tag(part):
            continue
        fields = getattr(current, "model_fields", {})
        info = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        if info is None:
            return None
        current = _inner_model(info.annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(tp) -> type[BaseModel] | None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in typing.get_args(tp):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _allowed(model: type[BaseModel] | None) -> str:
    if model is None:
        return ""
    names = [f.alias or name for name, f in model.model_fields.items()]
    return f" (allowed: {', '.join(sorted(names))})"


def describe(err: dict, model: type[BaseModel], what: str = "") -> str:
    """A one-line message for one pydantic error."""
    kind, loc = err["type"], err["loc"]
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}" + _allowed(_model_at(model, loc))
    if kind == "missing":
        return "required"
    if kind in ("value_error", "assertion_error"):
        return str(err.get("ctx", {}).get("error", err["msg"]))
    value = err.get("input")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return (what or "must be a mapping") if not [p for p in loc if not _is_tag(p)] \
            else f"must be a mapping, got {value!r}"
    return f"{err['msg'][0].lower()}{err['msg'][1:]}, got {value!r}"


def validate(model: type[BaseModel], doc, file, text: str | None = None,
             locate: Callable[[tuple], tuple[str | None, tuple]] | None = None, what: str = ""):
    """``model.model_validate(doc)``, or one InputError for the first problem.

    Parameters
    ----------
    model : the pydantic model of the whole document.
    doc : the parsed document (YAML / JSON).
    file : the file (or logical name, e.g. ``what-if``) named in the error.
    text : the YAML text, to name the line of the offending value.
    locate : ``loc -> (entry label or None, loc within the entry)``; default: no entry label.
    what : the message when the document itself is not a mapping.
    """
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    err = errors[0]
    loc = tuple(err["loc"])
    label, inner = locate(loc) if locate is not None else (None, loc)
    line = yaml_line(text, tuple(p for p in loc if not _is_tag(p)))
    row = label
    if line is not None:
        row = f"{label}, line {line}" if label else f"line {line}"
    message = describe(err, model, what)
    others = len({tuple(e["loc"]) for e in errors}) - 1
    if others > 0:
        message += f" (and {others} more problem{'s' if others > 1 else ''} after it)"
    raise InputError(file, message, row=row, field=dotted(inner) or None)


# ---------------------------------------------------------------------------------------------
# field types shared by the inputs
# ---------------------------------------------------------------------------------------------
#: a dollar amount as written: digits with optional '$', thousands commas in threes and cents
_AMOUNT = re.compile(r"\$?\s*(\d{1,3}(,\d{3})+|\d{1,3}(_\d{3})+|\d+)(\.\d+)?")
#: the most money a watchlist or what-if figure may state: $1 billion (the costliest House primaries
#: run to tens of millions)
MAX_DOLLARS = 1e9
#: the longest text a name or label may be
MAX_TEXT = 300
#: YAML aliases (``*name``) a file may use, and the nodes it may hold once they are expanded: a few
#: aliases are handy; a few dozen nested ones expand to billions of nodes ('billion laughs')
MAX_YAML_ALIASES = 100
MAX_YAML_NODES = 1_000_000


def parse_amount(value) -> float | None:
    """A dollar amount: a number or a string such as '$1,200,000'; None if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if np.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _AMOUNT.fullmatch(text):
        return None                        # '$1,2,3', '1e15', '12 dollars': not an amount as written
    text = text.replace(",", "").replace("$", "").replace("_", "").strip()
    try:
        out = float(text)
    except ValueError:
        return None
    return out if np.isfinite(out) else None


def _dollars(value) -> float:
    amount = parse_amount(value)
    if amount is None:
        raise ValueError(f"not a number of dollars: {value!r} (write e.g. 1250000 or '$1,250,000')")
    if amount < 0:
        raise ValueError(f"money cannot be negative: {value!r}")
    if amount > MAX_DOLLARS:
        raise ValueError(f"{value!r} is more than any House race has seen (at most ${MAX_DOLLARS:,.0f})")
    return amount


#: dollars: a non-negative number, or text such as '$1,250,000'
Dollars = Annotated[float, BeforeValidator(_dollars)]


def one_of(values, what: str, normalise: Callable[[Any], Any] | None = None):
    """A field type accepting only ``values`` (after ``normalise``): 'unknown <what> ...' otherwise."""
    known = tuple(values)

    def check(value):
        got = normalise(value) if normalise is not None else value
        if got not in known:
            raise ValueError(f"unknown {what} {value!r} (known: {', '.join(map(str, known))})")
        return got
    return Annotated[Any, BeforeValidator(check)]


def _text(value) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("required")
    if not isinstance(value, str):
        raise ValueError(f"must be text, got {value!r}")
    if len(value.strip()) > MAX_TEXT:
        raise ValueError(f"is {len(value.strip()):,} characters long (at most {MAX_TEXT})")
    return value.strip()


#: required, non-blank text (stripped)
Text = Annotated[str, BeforeValidator(_text)]

_URL = TypeAdapter(HttpUrl)


def _source(value: str) -> str:
    try:
        url = _URL.validate_python(value)
    except ValidationError:
        url = None
    if url is None or url.scheme not in ("http", "https") or any(c.isspace() for c in value):
        raise ValueError(f"source must be an http(s) URL, got {value!r}")
    return value


#: an http(s) URL, kept as written
HttpSource = Annotated[Text, AfterValidator(_source)]


def none_as(empty):
    """BeforeValidator turning a YAML ``null`` into ``empty`` (``[]``, ``{}``, ``''``)."""
    return BeforeValidator(lambda v: type(empty)() if v is None else v)


#: a cell starting with one of these is a formula to a spreadsheet (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` with a leading quote when a spreadsheet would evaluate it as a formula
    (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``); other values, and non-text, unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
