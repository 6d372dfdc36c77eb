"""Lines and columns in a JSON text parsed by `json.loads`, found by scanning the text for what names an object.

`json.loads` is many times faster than a parser that keeps positions, and an export names each of its objects
uniquely: IAM users, groups, roles and managed policies by their `"Arn"`, inline policies by their `"PolicyName"`
after their owner. One regex pass finds every `"Arn"`; the first occurrence of an ARN is its object's (an instance
profile repeats its role's ARN after the role's own).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left

from policylint.model import Location

_ARN_KEY = re.compile(r'"Arn"\s*:\s*"((?:[^"\\]|\\.)*)"')
_NAME_KEYS: dict[str, re.Pattern[str]] = {}


class Locator:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._arns: dict[str, int] = {}
        self._keys: dict[str, Location] = {}
        for match in _ARN_KEY.finditer(text):
            self._arns.setdefault(match.group(1), match.start())

    def at(self, offset: int) -> Location:
        line = bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return Location(self.path, line + 1, offset - start + 1)

    def arn_offset(self, arn: str) -> int | None:
        return self._arns.get(arn)

    def of_arn(self, arn: str, default: Location) -> Location:
        offset = self._arns.get(arn)
        return default if offset is None else self.at(offset)

    def key(self, key: str, after: int = 0, default: Location | None = None) -> Location:
        """The first `"key":` at or after `after` (a section, say)."""
        if not after and key in self._keys:
            return self._keys[key]
        match = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(self.text, after)
        found = self.at(match.start()) if match else default or Location(self.path, 1, 1)
        if not after:
            self._keys[key] = found
        return found

    def named(self, key: str, name: str, after: int, default: Location) -> Location:
        """The first `"key": "name"` at or after `after`: an inline policy after its owner."""
        pattern = _NAME_KEYS.get(key)
        if pattern is None:
            pattern = _NAME_KEYS[key] = re.compile(re.escape(json.dumps(key)) + r'\s*:\s*"((?:[^"\\]|\\.)*)"')
        quoted = json.dumps(name)[1:-1]
        for match in pattern.finditer(self.text, after):
            if match.group(1) == quoted:
                return self.at(match.start())
        return default
