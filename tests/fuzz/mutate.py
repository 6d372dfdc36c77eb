"""A deterministic mutator of inventory files: the bad input real users and real exports produce.

Every mutation is a function of a seeded `random.Random` and the file's bytes, so a case is replayed exactly from its
seed. The mutations work on the text, not on a parsed tree: they keep the rest of the file (its tags, comments and
line numbers) as it was, and they can produce what no parser would (a truncated flow mapping, a NUL in a key).
"""

from __future__ import annotations

import importlib
import inspect
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import cast

import policylint
from policylint.sources import SOURCES, Lazy

Mutation = Callable[[random.Random, bytes, str], bytes]

# A YAML `key: value` line (the key possibly after list dashes) and a YAML list item holding a scalar.
_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)*)(?P<key>[^\s#\-\[\]{},][^#\n]*?):(?P<sep> +|$)(?P<value>.*)$")
_ITEM_LINE = re.compile(r"^(?P<indent> *)- +(?P<value>[^\s#\-\[{].*)$")
_FLOW_KEY = re.compile(r"[{,] *[^\s,{}\[\]:'\"#]+: +")
_JSON_KEY = re.compile(r'"(?:[^"\\\n]|\\.)*"\s*:\s*')
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_NUMBER = re.compile(r"(?<![\w.:/@-])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.:/@-])")

# Values of the wrong type (YAML flow syntax, which is also what JSON accepts where the value is JSON).
WRONG_TYPES = (
    "true", "false", "null", "0", "-1", "3.5", "[]", "{}", '["a", "b"]', '{"a": 1}', '""', '"*"', "[[1]]",
    '{"Ref": "Missing"}', '{"Fn::GetAtt": ["A", "B"]}', '{"Fn::Sub": 1}', '{"Fn::Join": [",", "x"]}',
    '{"Fn::If": ["C", 1]}', '{"Fn::Select": ["9", []]}', '{"Fn::Split": [1, 2]}', '{"Fn::ImportValue": {}}',
    '{"Fn::FindInMap": ["M"]}', '{"Fn::Base64": [1]}', '{"Fn::Cidr": []}', '{"Fn::GetAZs": 3}',
    '{"Condition": 1}', '{"Statement": "x"}', '{"Effect": [1]}', '"arn:aws:iam::*:role/*"', '["*"]', '[null]',
    '[{}]', '[true, 1]', '"2025-06-14"', '{"": ""}', '{"members": "x"}', '{"kind": 1}', '"👩\u200d💻"',
)
YAML_ONLY = ("yes", "no", "on", "~", "12:30:00", "0x1F", "0o17", ".nan", ".inf", "-.inf", "=", "!Ref", "&a x",
             "*undefined", "1_000", "2025-06-14 00:00:00", "!!set {a, b}")
BAD_DATES = (
    "2025-02-30", "2025-13-01", "0000-00-00", "0001-01-01", "9999-12-31T23:59:60Z", "2025-06-14T25:61:00Z",
    "10000-01-01", "2025-1-1", "2025-06-14T00:00:00+99:00", "14/06/2025", "yesterday", "1749859200", "N/A", "",
    "2025-W24", "2025-06-14T00:00:00.Z", "-2025-01-01", "+2025-06-14", "2025-06-14T00:00:00.123456789123Z",
    "2025-06-14T", "Mon, 14 Jun 2025 00:00:00 GMT", "no_information", "not_supported",
)
HUGE_NUMBERS = (
    "9" * 5000, "1e999", "-1e999", "1" + "0" * 30, "18446744073709551616", "-9223372036854775809",
    "0." + "0" * 400 + "1", "1e-400", ".inf", "-.inf", ".nan", "NaN", "Infinity", "-0", "1_000_000",
    "0x7fffffffffffffff", "99999999999999999999.5", "1" * 400,
)
TAGS = ("!Ref ", "!GetAtt ", "!Sub ", "!Join ", "!Select ", "!If ", "!Base64 ", "!Equals ", "!Not ", "!Condition ",
        "!FindInMap ", "!ImportValue ", "!Split ", "!Cidr ", "!GetAZs ", "!And ", "!Or ", "!Transform ",
        "!!binary ", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "!!timestamp ", "!!set ", "!!omap ",
        "!!map ", "!!seq ", "!!python/object/apply:os.system ", "!custom ", "!<tag:yaml.org,2002:str> ", "!! ")
BAD_BYTES = (b"\x00", b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x1b[31m", "\u2028".encode(), b"\x85",
             "\ufffe".encode(), b"\x7f", b"\t", b"\r", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xfe\xff", b"\x00" * 64)
CSV_FIELDS = ("", "N/A", "not_supported", "no_information", "true", "TRUE", "2025-13-45T00:00:00+00:00",
              "9" * 5000, '"', '"a,b"', 'a"b', "a,b,c", "\x00", "=cmd|' /C calc'!A0", "-1", "1e999")


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a value is in the text: characters [start, end) hold it (a YAML block value spans its lines)."""

    start: int
    end: int
    yaml: bool  # a YAML value (flow syntax allowed, and YAML-only values), else a JSON or CSV one
    column: int | None = None  # a YAML key's column: its value may be a block, indented past it


def slots(text: str, suffix: str) -> list[Slot]:
    """The values of a file that a mutation may replace: JSON values after a key, YAML values after a key or in
    a list, CSV fields."""
    if suffix == ".csv":
        return _csv_slots(text)
    found = _json_slots(text) if text.lstrip().startswith(("{", "[")) else []
    return found or _yaml_slots(text)


def _json_slots(text: str) -> list[Slot]:
    decoder = json.JSONDecoder()
    found = []
    for match in _JSON_KEY.finditer(text):
        try:
            _, end = decoder.raw_decode(text, match.end())
        except (ValueError, RecursionError):  # not JSON there (any more), or nested too deeply to read
            continue
        found.append(Slot(match.end(), end, yaml=False))
    return found


def _yaml_slots(text: str) -> list[Slot]:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found = []
    for number, line in enumerate(lines):
        body = line.rstrip("\r\n")
        match = _KEY_LINE.match(body)
        if match:
            column = len(match["indent"]) + len(match["dash"])
            end = _block_end(lines, number, column, empty=not match["value"].strip())
            found.append(Slot(offsets[number] + match.start("value"), offsets[end] - _eol(lines[end - 1]), yaml=True,
                              column=column))
            continue
        item = _ITEM_LINE.match(body)
        if item:
            found.append(Slot(offsets[number] + item.start("value"), offsets[number] + len(body), yaml=True))
        found.extend(Slot(offsets[number] + start, offsets[number] + end, yaml=True) for start, end in _flow(body))
    return found


def _flow(line: str) -> list[tuple[int, int]]:
    """The values of a flow mapping's entries on one line (`{id: kim, status: active}`): to the next `,` or closing
    bracket outside brackets and quotes."""
    spans = []
    for match in _FLOW_KEY.finditer(line):
        depth, quote, end = 0, "", match.end()
        while end < len(line):
            char = line[end]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "[{":
                depth += 1
            elif char in "]}" and depth:
                depth -= 1
            elif not depth and char in ",]}":
                break
            end += 1
        if end > match.end():
            spans.append((match.end(), end))
    return spans


def _block_end(lines: list[str], number: int, column: int, *, empty: bool) -> int:
    """The line after a key's value: its block (deeper lines, or a list at the key's own column) when it has one."""
    end = number + 1
    while end < len(lines):
        stripped = lines[end].strip()
        indent = len(lines[end]) - len(lines[end].lstrip(" "))
        if stripped and not (indent > column or (empty and indent == column and stripped.startswith("- "))):
            break
        end += 1
    while end > number + 1 and not lines[end - 1].strip():  # trailing blank lines are not the value's
        end -= 1
    return end


def _eol(line: str) -> int:
    return len(line) - len(line.rstrip("\r\n"))


def _csv_slots(text: str) -> list[Slot]:
    found = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start = offset
        for field in line.rstrip("\r\n").split(","):
            found.append(Slot(start, start + len(field), yaml=False))
            start += len(field) + 1
        offset += len(line)
    return found


def replace_value(rng: random.Random, data: bytes, suffix: str, choices: tuple[str, ...]) -> bytes | None:
    """One value of the file replaced by one of `choices` (None when the file has no value to replace)."""
    text = data.decode("utf-8", "surrogateescape")
    candidates = slots(text, suffix)
    if not candidates:
        return None
    slot = rng.choice(candidates)
    new = rng.choice(choices)
    if suffix != ".csv" and not slot.yaml and new in YAML_ONLY:
        new = json.dumps(new)
    return _put(text, slot, new)


def _put(text: str, slot: Slot, new: str) -> bytes:
    """The text with the slot's value replaced: after a bare `key:` (its value a block) an inline value needs a
    space."""
    if slot.yaml and not text[slot.start: slot.end].strip(" ")[:1].strip() and not new.startswith(("\n", "\r")):
        new = " " + new
    return (text[: slot.start] + new + text[slot.end:]).encode("utf-8", "surrogateescape")


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def truncate(rng: random.Random, data: bytes, suffix: str) -> bytes:
    return data[: rng.randrange(len(data))] if data else data


def delete_lines(rng: random.Random, data: bytes, suffix: str) -> bytes:
    lines = _lines(data)
    if len(lines) < 2:
        return truncate(rng, data, suffix)
    start = rng.randrange(len(lines))
    return b"".join(lines[:start] + lines[start + rng.randint(1, 5):])


def duplicate_key(rng: random.Random, data: bytes, suffix: str) -> bytes:
    """A key given twice in one mapping: its whole entry copied right after itself (JSON: before itself)."""
    text = data.decode("utf-8", "surrogateescape")
    if suffix == ".csv":  # a column given twice
        lines = text.splitlines(keepends=True)
        header = lines[0].rstrip("\r\n").split(",") if lines else []
        if not header:
            return truncate(rng, data, suffix)
        header.insert(rng.randrange(len(header)), rng.choice(header))
        return (",".join(header) + "\n" + "".join(lines[1:])).encode("utf-8", "surrogateescape")
    json_keys = [m for m in _JSON_KEY.finditer(text)]
    if json_keys and text.lstrip().startswith(("{", "[")):
        match = rng.choice(json_keys)
        slot = next((s for s in _json_slots(text) if s.start == match.end()), None)
        if slot is not None:
            entry = text[match.start(): slot.end]
            return (text[: match.start()] + entry + ", " + text[match.start():]).encode("utf-8", "surrogateescape")
    lines = text.splitlines(keepends=True)
    keyed = [(n, m) for n, line in enumerate(lines) if (m := _KEY_LINE.match(line.rstrip("\r\n")))]
    if not keyed:
        return delete_lines(rng, data, suffix)
    number, match = rng.choice(keyed)
    column = len(match["indent"]) + len(match["dash"])
    end = _block_end(lines, number, column, empty=not match["value"].strip())
    first = " " * column + lines[number][column:]  # the copy is a sibling key, not a new list item
    copy = [first if first.endswith("\n") else first + "\n", *lines[number + 1: end]]
    if not lines[end - 1].endswith("\n"):
        copy[0] = "\n" + copy[0]
    return "".join(lines[:end] + copy + lines[end:]).encode("utf-8", "surrogateescape")


def wrong_type(rng: random.Random, data: bytes, suffix: str) -> bytes:
    """A value of the wrong type: a literal one, another value of the same file (a real shape in the wrong place),
    or the value itself wrapped in a list or unwrapped from one."""
    choice = rng.randrange(3) if suffix != ".csv" else 0
    mutated = None
    if choice == 1:
        mutated = transplant(rng, data, suffix)
    elif choice == 2:
        mutated = reshape(rng, data, suffix)
    choices = CSV_FIELDS if suffix == ".csv" else WRONG_TYPES + YAML_ONLY
    return mutated or replace_value(rng, data, suffix, choices) or delete_lines(rng, data, suffix)


def transplant(rng: random.Random, data: bytes, suffix: str) -> bytes | None:
    """One value replaced by another value of the same file, re-indented when it is a YAML block."""
    text = data.decode("utf-8", "surrogateescape")
    candidates = slots(text, suffix)
    if len(candidates) < 2:
        return None
    target, donor = rng.sample(candidates, 2)
    value = text[donor.start: donor.end]
    if "\n" in value:
        if target.column is None:
            return None
        value = _reindent(value, target.column + 2)
    return _put(text, target, value)


def _reindent(block: str, column: int) -> str:
    lines = block.split("\n")
    shift = column - min((len(line) - len(line.lstrip(" ")) for line in lines[1:] if line.strip()), default=column)
    return "\n".join([lines[0], *(" " * shift + line if shift >= 0 else line[-shift:] for line in lines[1:])])


def reshape(rng: random.Random, data: bytes, suffix: str) -> bytes | None:
    """One value wrapped in a list (a mapping where a list of them is read), or a list replaced by its first item."""
    text = data.decode("utf-8", "surrogateescape")
    candidates = slots(text, suffix)
    if not candidates:
        return None
    slot = rng.choice(candidates)
    value = text[slot.start: slot.end]
    new = (_unwrap if rng.random() < 0.5 else _wrap)(value, slot)
    return None if new is None else _put(text, slot, new)


def _wrap(value: str, slot: Slot) -> str | None:
    if "\n" not in value:
        return f"[{value}]"
    lines = value.split("\n")
    first = next((n for n, line in enumerate(lines) if n and line.strip()), None)
    if first is None:
        return None
    indent = len(lines[first]) - len(lines[first].lstrip(" "))
    return "\n".join([*lines[:first], " " * indent + "- " + lines[first][indent:],
                      *("  " + line if line.strip() else line for line in lines[first + 1:])])


def _unwrap(value: str, slot: Slot) -> str | None:
    if not slot.yaml:
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return None
        items = list(parsed.values()) if isinstance(parsed, dict) else parsed if isinstance(parsed, list) else []
        return json.dumps(items[0]) if items else "null"
    if "\n" not in value:
        spans = _flow("{x: " + value[1:]) if value.startswith("[") else []
        return value[1:][: spans[0][1] - 4] if spans else None
    lines = value.split("\n")
    first = next((n for n, line in enumerate(lines) if n and line.strip()), None)
    if first is None or not lines[first].lstrip(" ").startswith("- "):
        return None
    indent = len(lines[first]) - len(lines[first].lstrip(" "))
    end = next((n for n in range(first + 1, len(lines)) if lines[n].strip()
                and len(lines[n]) - len(lines[n].lstrip(" ")) <= indent), len(lines))
    return "\n".join([*lines[:first], " " * indent + "  " + lines[first][indent + 2:], *lines[first + 1: end]])


def known_key(rng: random.Random, data: bytes, suffix: str) -> bytes:
    """A key some source reads (a string in its code), added beside another key with a value of the wrong type:
    what a missing field given wrongly looks like, which replacing the file's own values never makes."""
    text = data.decode("utf-8", "surrogateescape")
    key, value = rng.choice(_keys_for(text, suffix) if rng.random() < 0.7 else KNOWN_KEYS), rng.choice(WRONG_TYPES)
    if text.lstrip().startswith(("{", "[")) and suffix != ".csv":
        keys = list(_JSON_KEY.finditer(text))
        if keys:
            at = rng.choice(keys).start()
            return (text[:at] + json.dumps(key) + ": " + value + ", " + text[at:]).encode("utf-8", "surrogateescape")
    lines = text.splitlines(keepends=True)
    keyed = [(n, m) for n, line in enumerate(lines) if (m := _KEY_LINE.match(line.rstrip("\r\n")))]
    if suffix == ".csv" or not keyed:
        return wrong_type(rng, data, suffix)
    number, match = rng.choice(keyed)
    column = len(match["indent"]) + len(match["dash"])
    end = _block_end(lines, number, column, empty=not match["value"].strip())
    added = f"{' ' * column}{key}: {value}\n"
    if not lines[end - 1].endswith("\n"):
        added = "\n" + added
    return "".join([*lines[:end], added, *lines[end:]]).encode("utf-8", "surrogateescape")


def _known_keys(modules: list[Path]) -> tuple[str, ...]:
    """The quoted names in the sources' code: the keys they read (and some other words, which do no harm)."""
    words: set[str] = set()
    for module in modules:
        words.update(_QUOTED_NAME.findall(module.read_text(encoding="utf-8")))
    return tuple(sorted(words))


def _keys_for(text: str, suffix: str) -> tuple[str, ...]:
    """The names in the code of the source that reads this file (its package: `aws`, `gcp`, …), which makes a
    key its reader looks for about ten times likelier than among every source's names."""
    try:
        source = next((s for s in SOURCES.values() if s.detect("input" + suffix, text)), None)
    except Exception:  # a crash in detection is the run's to find and report, not the mutator's
        source = None
    return KNOWN_KEYS if source is None else SOURCE_KEYS[source.NAME]


def _source_keys() -> dict[str, tuple[str, ...]]:
    found = {}
    for name, source in SOURCES.items():
        reader = importlib.import_module(source.module) if isinstance(source, Lazy) else source
        module = Path(inspect.getfile(cast(ModuleType, reader)))
        package = module.parent if module.name == "__init__.py" or module.parent.name != "sources" else None
        found[name] = _known_keys(sorted(package.rglob("*.py")) if package else [module])
    return found


_QUOTED_NAME = re.compile(r"""["']([A-Za-z][A-Za-z0-9_]{1,40})["']""")
KNOWN_KEYS = _known_keys(sorted((Path(policylint.__file__).parent / "sources").rglob("*.py")))
SOURCE_KEYS = _source_keys()


def tag(rng: random.Random, data: bytes, suffix: str) -> bytes:
    """A tag put before a value: CloudFormation's short forms, YAML's own, and ones nobody defines."""
    text = data.decode("utf-8", "surrogateescape")
    candidates = slots(text, suffix) if suffix != ".csv" else []
    if not candidates:
        at = rng.randrange(len(text) + 1)
        return (text[:at] + rng.choice(TAGS) + text[at:]).encode("utf-8", "surrogateescape")
    slot = rng.choice(candidates)
    return _put(text, Slot(slot.start, slot.start, slot.yaml), rng.choice(TAGS))


def bad_date(rng: random.Random, data: bytes, suffix: str) -> bytes:
    text = data.decode("utf-8", "surrogateescape")
    dates = list(_DATE.finditer(text))
    if not dates:
        return replace_value(rng, data, suffix, BAD_DATES) or truncate(rng, data, suffix)
    match = rng.choice(dates)
    return (text[: match.start()] + rng.choice(BAD_DATES) + text[match.end():]).encode("utf-8", "surrogateescape")


def bad_bytes(rng: random.Random, data: bytes, suffix: str) -> bytes:
    """NUL, invalid UTF-8, control characters and line separators, inserted or overwriting a byte."""
    at = rng.randrange(len(data) + 1)
    skip = rng.choice((0, 1)) if at < len(data) else 0
    return data[:at] + rng.choice(BAD_BYTES) + data[at + skip:]


def bom_crlf(rng: random.Random, data: bytes, suffix: str) -> bytes:
    """Byte order marks, Windows and old-Mac line ends, UTF-16, and a last line without its end."""
    choice = rng.randrange(7)
    if choice == 0:
        return b"\xef\xbb\xbf" + data
    if choice == 1:
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if choice == 2:
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    if choice == 3:
        return b"".join(line.rstrip(b"\n") + b"\r\n" if rng.random() < 0.5 else line for line in _lines(data))
    if choice == 4:
        return data.decode("utf-8", "replace").encode(rng.choice(("utf-16", "utf-16-le", "utf-32")))
    if choice == 5:
        at = rng.randrange(len(data) + 1)
        return data[:at] + b"\xef\xbb\xbf" + data[at:]
    return b"\xef\xbb\xbf" + data.rstrip(b"\r\n").replace(b"\n", b"\r\n")


def deep_nesting(rng: random.Random, data: bytes, suffix: str) -> bytes:
    depth = rng.choice((30, 99, 100, 101, 200, 1000, 5000))
    kind = rng.randrange(3)
    if kind == 0:
        nested = "[" * depth + "]" * depth
    elif kind == 1:
        nested = '{"a": ' * depth + "1" + "}" * depth
    else:
        nested = "- " * min(depth, 300) + "x"
        text = data.decode("utf-8", "surrogateescape")
        items = [m for m in re.finditer(r"^( *)- ", text, re.MULTILINE)]
        if items:
            match = rng.choice(items)
            return (text[: match.start()] + match[1] + nested + "\n" + text[match.start():]).encode(
                "utf-8", "surrogateescape")
        nested = "[" * depth + "]" * depth
    return replace_value(rng, data, suffix, (nested,)) or data + b"\nx: " + nested.encode() + b"\n"


def huge_number(rng: random.Random, data: bytes, suffix: str) -> bytes:
    text = data.decode("utf-8", "surrogateescape")
    numbers = list(_NUMBER.finditer(text))
    if not numbers or rng.random() < 0.3:
        return replace_value(rng, data, suffix, HUGE_NUMBERS) or truncate(rng, data, suffix)
    match = rng.choice(numbers)
    return (text[: match.start()] + rng.choice(HUGE_NUMBERS) + text[match.end():]).encode("utf-8", "surrogateescape")


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate,
    "delete-lines": delete_lines,
    "duplicate-key": duplicate_key,
    "wrong-type": wrong_type,
    "known-key": known_key,
    "tag": tag,
    "bad-date": bad_date,
    "bad-bytes": bad_bytes,
    "bom-crlf": bom_crlf,
    "deep-nesting": deep_nesting,
    "huge-number": huge_number,
}
# wrong types find the most: most of a source's code reads values, and each value can be of the wrong type
WEIGHTS = {name: {"wrong-type": 4, "known-key": 3}.get(name, 1) for name in MUTATIONS}


def mutate(rng: random.Random, data: bytes, suffix: str) -> tuple[bytes, tuple[str, ...]]:
    """One to three mutations applied in turn, and their names."""
    count = rng.choices((1, 2, 3), weights=(7, 2, 1))[0]
    names = tuple(rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=count))
    for name in names:
        data = MUTATIONS[name](rng, data, suffix)
    return data, names
