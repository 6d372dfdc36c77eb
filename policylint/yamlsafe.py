"""Safe YAML loading with locations, for every source and for rule files.

Built on the event stream of PyYAML's parser (libyaml when present) and an iterative constructor of our own:
- only plain data is built: mappings, sequences, strings, numbers, booleans, null; any other tag is an error
  (nothing named in the input is ever imported or called), except the local tags a caller opts into with
  `tags`, which are read as data too: `!Ref X` becomes the one-key mapping `{"Ref": "X"}` (CloudFormation);
- a duplicate key in a mapping is an error (a second `status:` silently winning is a security bug here), unless
  the caller collects them (`duplicates`) to report those that matter to it;
- alias expansion is bounded (billion laughs) and so is nesting depth (no recursion anywhere);
- dates stay ISO strings: the schema checks their shape and the model parses them, so a bad date is located;
- every mapping and sequence records its own position and the position of each key and item.

It is also faster than PyYAML's own CSafeLoader construction, whose Python composer and resolver dominate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml
from yaml import events as ev

from policylint.errors import InputError, file_error
from policylint.model import Location
from policylint.redact import redact

try:
    from yaml import CSafeLoader as _Parser

    _BYTE_OFFSETS = True  # libyaml reports a reader error's position in bytes of the UTF-8 text
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

    _BYTE_OFFSETS = False

MAX_DEPTH = 100
MAX_ALIAS_EXPANSION = 1_000_000
MAX_DIGITS = 30  # of a number: 10^30 is past every count and duration; Python refuses ints past 4,300 digits
Pos = tuple[int, int]


class YMap(dict[Any, Any]):
    """A mapping that remembers where it and each of its keys and values stand (1-based line, column)."""

    __slots__ = ("key_pos", "pos", "value_pos")

    def __init__(self, pos: Pos) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[Any, Pos] = {}
        self.value_pos: dict[Any, Pos] = {}


class YSeq(list[Any]):
    """A sequence that remembers where it and each of its items stand."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: Pos) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Pos] = []


def position_of(value: Any, default: Pos = (1, 1)) -> Pos:
    return value.pos if isinstance(value, YMap | YSeq) else default


def locate(document: Any, path: list[Any] | tuple[Any, ...], *, key: bool = False) -> Pos:
    """The position of the value at `path` inside `document` (of its key when `key`), as near as known."""
    node, pos = document, position_of(document)
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, YMap) and step in node:
            pos = (node.key_pos if key and last else node.value_pos)[step]
            node = node[step]
        elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node):
            pos = node.item_pos[step]
            node = node[step]
        else:
            break
    return pos


# YAML 1.1 implicit scalars as PyYAML's SafeLoader resolves them, minus timestamps (kept as strings).
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_INT = re.compile(
    r"[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
)
_FLOAT = re.compile(
    r"(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NUMERIC_START = frozenset("0123456789+-.")
_TAG = "tag:yaml.org,2002:"
_SAFE_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp"))


class _TooManyDigits(Exception):
    """A number too long to read: the builder, which knows where it stands, reports it as an InputError."""

    def __init__(self, digits: int) -> None:
        super().__init__(f"expected a number of at most {MAX_DIGITS} digits (quote it to keep it as text), "
                         f"found one of {digits:,} digits")


def _bounded(digits: str) -> None:
    """Refuse a number before converting it: int() is quadratic in its digits, and 1:59:59:… multiplies as often."""
    count = len(digits) - digits.count(":") - digits.count(".")
    if count > MAX_DIGITS:
        raise _TooManyDigits(count)


def _sexagesimal(text: str) -> int | float:
    total: int | float = 0
    for part in text.split(":"):
        total = total * 60 + (float(part) if "." in part else int(part))
    return total


def _to_int(text: str) -> int:
    sign = -1 if text[0] == "-" else 1
    body = text.lstrip("+-").replace("_", "")
    _bounded(body[2:] if body.startswith(("0b", "0x")) else body)
    if ":" in body:
        return sign * int(_sexagesimal(body))
    if body.startswith("0b"):
        return sign * int(body[2:], 2)
    if body.startswith("0x"):
        return sign * int(body[2:], 16)
    if len(body) > 1 and body[0] == "0":
        return sign * int(body, 8)
    return sign * int(body)


def _to_float(text: str) -> float:
    body = text.replace("_", "").lower()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if body == ".inf":
        return sign * float("inf")
    if body == ".nan":
        return float("nan")
    _bounded(body.partition("e")[0])
    return sign * float(_sexagesimal(body) if ":" in body else body)


def _plain_scalar(text: str) -> Any:
    if text in _NULLS:
        return None
    found = _BOOLS.get(text)
    if found is not None:
        return found
    if text[0] in _NUMERIC_START:
        try:
            if _INT.match(text):
                return _to_int(text)
            if _FLOAT.match(text):
                return _to_float(text)
        except ValueError:  # "0x_": no digits, not a number (too many digits is _TooManyDigits, an error)
            return text
    return text


def _tagged_scalar(tag: str, text: str, where: Location) -> Any:
    name = tag[len(_TAG) :]
    if name in ("str", "timestamp"):
        return text
    if name == "null":
        return None
    try:
        value = _plain_scalar(text)
    except _TooManyDigits as error:
        raise InputError(where, str(error)) from None
    if name == "bool" and isinstance(value, bool):
        return value
    if not isinstance(value, bool) and isinstance(value, int | float) and name in ("int", "float"):
        if name == "float":
            return float(value)
        if isinstance(value, int):
            return value
    raise InputError(where, f"expected a value of tag !!{name}, found {redact(text)!r}")


class _Builder:
    """Turns one document's events into YMap / YSeq / scalars, iteratively."""

    def __init__(self, path: str, tags: Mapping[str, str] | None = None,
                 duplicates: list[InputError] | None = None) -> None:
        self.path = path
        self.tags = tags or {}  # local tag -> the key of the one-key mapping that stands for it
        self.duplicates = duplicates  # None: a duplicate key is an error; a list: it is recorded there
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded node count)
        self.open_anchors: set[str] = set()
        self.expanded = 0
        self.merged: dict[int, set[Any]] = {}  # id(mapping) -> keys that came from <<

    def where(self, mark: Any) -> Location:
        return Location(self.path, mark.line + 1, mark.column + 1)

    def check_tag(self, event: Any) -> None:
        tag = event.tag
        if tag is None or tag in ("!", _TAG + "map", _TAG + "seq") or tag in _SAFE_TAGS:
            return
        shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        raise InputError(self.where(event.start_mark), f"unsupported tag {shown}: only plain YAML data is read")

    def build(self, first: Any, next_event: Callable[[], Any]) -> Any:
        # Stack entries: [container, pending key (maps), key position, anchor, start count]
        stack: list[list[Any]] = []
        result: Any = None
        event = first
        while True:
            kind = type(event)
            if kind is ScalarEvent:  # most events: inlined, this loop is the cost of reading an inventory
                tag = event.tag
                if tag is None:
                    try:
                        value = _resolve(event.value) if event.implicit[0] else event.value
                    except _TooManyDigits as error:
                        raise InputError(self.where(event.start_mark), str(error)) from None
                elif tag in self.tags:  # a tagged scalar is never resolved: `!Ref 123` names "123"
                    if stack and type(stack[-1][0]) is YMap and stack[-1][1] is _NO_KEY:
                        raise InputError(self.where(event.start_mark),
                                         f"expected a scalar mapping key, found a {tag} tag")
                    mark = event.start_mark
                    value = self.tagged(self.tags[tag], event.value, (mark.line + 1, mark.column + 1))
                else:
                    self.check_tag(event)
                    where = self.where(event.start_mark)
                    value = event.value if tag == "!" else _tagged_scalar(tag, event.value, where)
                self.expanded += 1
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                if not stack:
                    return value
                top = stack[-1]
                into = top[0]
                mark = event.start_mark
                if type(into) is YSeq:
                    into.append(value)
                    into.item_pos.append((mark.line + 1, mark.column + 1))
                elif top[1] is _NO_KEY:
                    top[1], top[2] = value, (mark.line + 1, mark.column + 1)
                else:
                    self.set_key(into, top[1], top[2], value, (mark.line + 1, mark.column + 1))
                    top[1] = _NO_KEY
                event = next_event()
                continue
            elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                wrap = self.tags.get(event.tag) if event.tag is not None else None
                if wrap is None:
                    self.check_tag(event)
                if len(stack) >= MAX_DEPTH:
                    raise InputError(
                        self.where(event.start_mark),
                        f"expected at most {MAX_DEPTH} levels of nesting, found more",
                    )
                pos = (event.start_mark.line + 1, event.start_mark.column + 1)
                container: YMap | YSeq = YMap(pos) if kind is ev.MappingStartEvent else YSeq(pos)
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                stack.append([container, _NO_KEY, None, event.anchor, self.expanded, wrap])
                self.expanded += 1
                done = False
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                container, _, _, anchor, start, wrap = stack.pop()
                if wrap is not None:
                    container = self.tagged(wrap, container, container.pos)
                if anchor:
                    self.open_anchors.discard(anchor)
                    self.anchors[anchor] = (container, self.expanded - start)
                done, result = self.add(stack, container, event.start_mark, closing=True)
            elif kind is ev.AliasEvent:
                done, result = self.add(stack, self.alias(event), event.start_mark)
            else:
                raise InputError(self.where(event.start_mark), f"unexpected YAML event {kind.__name__}")
            if done:
                return result
            event = next_event()

    @staticmethod
    def tagged(key: str, value: Any, pos: Pos) -> YMap:
        """An opted-in local tag as data: the one-key mapping {key: value}, located where the tagged node is."""
        wrapped = YMap(pos)
        wrapped[key] = value
        wrapped.key_pos[key] = wrapped.value_pos[key] = pos
        return wrapped

    def alias(self, event: Any) -> Any:
        name = event.anchor
        if name in self.open_anchors:
            raise InputError(self.where(event.start_mark), f"alias *{name} refers to itself (recursive)")
        if name not in self.anchors:
            raise InputError(self.where(event.start_mark), f"alias *{name} names no anchor defined before it")
        value, weight = self.anchors[name]
        self.expanded += weight
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise InputError(
                self.where(event.start_mark),
                f"expected aliases to expand to at most {MAX_ALIAS_EXPANSION:,} nodes, found more"
                " (an alias bomb?)",
            )
        return value

    def add(self, stack: list[list[Any]], value: Any, mark: Any, closing: bool = False) -> tuple[bool, Any]:
        """Put a finished value into the open container; (True, value) when it completes the document."""
        if not stack:
            return True, value
        top = stack[-1]
        container = top[0]
        pos = value.pos if closing else (mark.line + 1, mark.column + 1)
        if type(container) is YSeq:
            container.append(value)
            container.item_pos.append(pos)
        elif top[1] is _NO_KEY:
            if isinstance(value, YMap | YSeq):
                raise InputError(self.where(mark), "expected a scalar mapping key, found a mapping or sequence")
            top[1], top[2] = value, pos
        else:
            self.set_key(container, top[1], top[2], value, pos)
            top[1] = _NO_KEY
        return False, None

    def set_key(self, mapping: YMap, key: Any, key_pos: Pos, value: Any, value_pos: Pos) -> None:
        if key == "<<" and isinstance(value, YMap | YSeq):
            if id(mapping) in self.merged:
                raise InputError(Location(self.path, *key_pos), "duplicate merge key '<<' in a mapping; "
                                 "merge several mappings with one `<<: [*a, *b]`")
            self.merge(mapping, value, key_pos)
            return
        merged = self.merged.get(id(mapping), _NOTHING_MERGED) if self.merged else _NOTHING_MERGED
        if key in mapping and key not in merged:
            first = mapping.key_pos[key]
            error = InputError(
                Location(self.path, *key_pos),
                f"duplicate key {key!r} in a mapping (first at line {first[0]}); each key may appear once",
            )
            if self.duplicates is None:
                raise error
            self.duplicates.append(error)  # the caller decides; the last value is kept, as PyYAML and AWS do
        if key in merged:
            merged.discard(key)  # an explicit key overrides one merged in with <<
        mapping[key] = value
        mapping.key_pos[key] = key_pos
        mapping.value_pos[key] = value_pos

    def merge(self, mapping: YMap, value: YMap | YSeq, key_pos: Pos) -> None:
        sources = [value] if isinstance(value, YMap) else list(value)
        merged = self.merged.setdefault(id(mapping), set())
        for source in sources:
            if not isinstance(source, YMap):
                raise InputError(Location(self.path, *key_pos), "expected a mapping to merge with <<")
            for k, v in source.items():
                if k not in mapping:
                    mapping[k] = v
                    mapping.key_pos[k] = source.key_pos[k]
                    mapping.value_pos[k] = source.value_pos[k]
                    merged.add(k)


_NO_KEY = object()
_NOTHING_MERGED: set[Any] = set()
ScalarEvent = ev.ScalarEvent
_RESOLVED: dict[str, Any] = {}
_RESOLVED_MAX = 200_000


def _resolve(text: str) -> Any:
    """_plain_scalar, memoised: inventories repeat the same keys and values (and share one string object each)."""
    try:
        return _RESOLVED[text]
    except KeyError:
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        value = _RESOLVED[text] = _plain_scalar(text)
        return value


def decode(data: bytes, path: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), or UTF-16 with its BOM (what PowerShell's `>` writes);
    binary or invalid bytes are a located error."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise file_error(path, "expected UTF-16 text after its byte-order mark, found invalid bytes") from None
    if b"\x00" in data[:8192]:
        raise file_error(path, "expected a UTF-8 text file, found binary content (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            Location(path, line, column), f"expected UTF-8 text, found the invalid byte 0x{data[exc.start]:02x}"
        ) from None


def load_all(text: str, path: str, tags: Mapping[str, str] | None = None,
             duplicates: list[InputError] | None = None) -> list[Any]:
    """Every document of a YAML stream, as located plain data.

    `tags` opts into local tags read as data (tag -> key: `{"!Ref": "Ref"}` reads `!Ref X` as `{"Ref": "X"}`);
    every other tag stays an error. `duplicates`, when given, collects duplicate keys as located errors instead
    of raising the first (the last value is kept): for a caller that reports those that matter to it."""
    parser = _Parser(text)
    documents: list[Any] = []
    try:
        next_event = parser.get_event
        while (kind := type(next_event())) is not ev.StreamEndEvent:
            if kind is ev.DocumentStartEvent:
                documents.append(_Builder(path, tags, duplicates).build(next_event(), next_event))
        return documents
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(Location(path, line, column), f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a control character: located by its offset in the text
        offset = len(text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")) if _BYTE_OFFSETS \
            else exc.position
        before = text[:offset]
        line, column = before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
        raise InputError(Location(path, line, column),
                         f"expected printable characters, found the control character #x{exc.character:04x}") from None
    except yaml.YAMLError as exc:
        raise InputError(Location(path, 1, 1), f"invalid YAML: {exc}") from None
    finally:
        parser.dispose()


def load_one(text: str, path: str, tags: Mapping[str, str] | None = None,
             duplicates: list[InputError] | None = None) -> Any:
    """The single document of a YAML file (None for an empty file); several documents are an error."""
    documents = load_all(text, path, tags, duplicates)
    if len(documents) > 1:
        raise InputError(Location(path, 1, 1), f"expected one YAML document, found {len(documents)}")
    return documents[0] if documents else None



def scalar_spans(text: str) -> list[tuple[Pos, Pos]] | None:
    """(start, end) positions (1-based line, column; end exclusive) of every scalar in a YAML text, so a `#` can be
    told apart from one inside a quoted or block scalar; None when the text does not scan (the loader says why)."""
    spans = []
    try:
        for token in yaml.scan(text, Loader=_Parser):
            if isinstance(token, yaml.ScalarToken):
                start, end = token.start_mark, token.end_mark
                spans.append(((start.line + 1, start.column + 1), (end.line + 1, end.column + 1)))
    except yaml.YAMLError:
        return None
    return spans
