"""JSON exports read by the json module, with positions found on demand by walking the text.

A roster export can hold tens of thousands of users: yamlsafe gives every value a position but reads a
20,000-user Okta export in about 2 s, the json module in about 0.2 s. So values come from `json`, and where an
item or a value stands is found by skipping over the text with the same decoder, only for the items of one
array (once) and for values an error is about. A repeated key is an error here too, as it is in YAML.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from policylint.errors import InputError
from policylint.model import Location
from policylint.yamlsafe import load_one

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NEWLINE = re.compile(r"\n")
_SKIPPER = json.JSONDecoder()


class _RepeatedKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _RepeatedKey
    return mapping


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs)


class JsonText:
    """A parsed JSON file: its value, and the offsets and locations of the values inside it."""

    def __init__(self, path: str, text: str, value: Any) -> None:
        self.path = path
        self.text = text
        self.value = value
        self.root = _WHITESPACE.match(text).end()  # type: ignore[union-attr]  # matches the empty string
        self._line_starts: list[int] | None = None  # offsets where lines start, found once when first needed

    def location(self, offset: int) -> Location:
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        line = bisect_right(self._line_starts, offset)
        return Location(self.path, line, offset - self._line_starts[line - 1] + 1)

    def items(self, start: int) -> list[int]:
        """The offsets of the items of the array that starts at `start`."""
        text, offsets = self.text, []
        at = self._skip_space(start + 1)
        while text[at] != "]":
            offsets.append(at)
            at = self._skip_space(_SKIPPER.raw_decode(text, at)[1])
            if text[at] == ",":
                at = self._skip_space(at + 1)
        return offsets

    def find(self, start: int, steps: Sequence[str | int]) -> int:
        """The offset of the value at `steps` below the value at `start`; as near to it as exists."""
        for step in steps:
            found = self._member(start, step)
            if found is None:
                break
            start = found
        return start

    def find_value(self, start: int, steps: Sequence[str | int], value: str) -> int:
        """`find` for a string value known to be there, fast: the first `"key":` after `start` whose value it is
        (a walk skips every value before it, which costs a whole parse again over a big export)."""
        match = _key_pattern(str(steps[-1])).search(self.text, start)
        if match is not None and self.text[match.end()] == '"':
            at = match.end()
            if _SKIPPER.raw_decode(self.text, at)[0] == value:
                return at
        return self.find(start, steps)

    def _member(self, start: int, step: str | int) -> int | None:
        text = self.text
        if text[start] == "[" and isinstance(step, int):
            items = self.items(start)
            return items[step] if 0 <= step < len(items) else None
        if text[start] != "{" or not isinstance(step, str):
            return None
        at = self._skip_space(start + 1)
        while text[at] != "}":
            key, at = _SKIPPER.raw_decode(text, at)
            at = self._skip_space(self._skip_space(at) + 1)  # past the colon
            if key == step:
                return at
            at = self._skip_space(_SKIPPER.raw_decode(text, at)[1])
            if text[at] == ",":
                at = self._skip_space(at + 1)
        return None

    def _skip_space(self, at: int) -> int:
        return _WHITESPACE.match(self.text, at).end()  # type: ignore[union-attr]  # matches the empty string


@lru_cache(maxsize=64)
def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(re.escape(json.dumps(key)) + r"[ \t\n\r]*:[ \t\n\r]*")


def parse(text: str, path: str) -> JsonText:
    """The JSON file's value; invalid JSON and repeated keys are located errors."""
    try:
        return JsonText(path, text, _DECODER.decode(text))
    except json.JSONDecodeError as exc:
        raise InputError(Location(path, exc.lineno, exc.colno),
                         f"expected valid JSON, found a syntax error ({exc.msg})") from None
    except RecursionError:
        raise InputError(Location(path, 1, 1), "expected JSON nested less than a thousand levels deep,"
                                               " found deeper nesting") from None
    except _RepeatedKey:
        load_one(text, path)  # the YAML reader names the repeated key and where it stands
        raise InputError(Location(path, 1, 1), "expected each key once in a JSON object, found one"
                                               " twice") from None
    except ValueError:  # a number past Python's int-string limit: the YAML reader bounds numbers and locates it
        load_one(text, path)
        raise InputError(Location(path, 1, 1), "expected numbers of at most 4,300 digits, found a longer one") \
            from None
