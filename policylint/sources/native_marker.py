"""The native format's marker, `policylint: 1` at the top level, in any layout: YAML in block or flow style, JSON
pretty-printed or on one line, its keys in any order. And its near misses, which are located errors and never
skipped files: a top-level key that is a typo of the marker, or native sections with no marker at all."""

from __future__ import annotations

import json
import re

from policylint.errors import InputError
from policylint.model import Location

MARKER = "policylint"
SECTIONS = frozenset({"people", "principals", "groups", "roles", "grants", "credentials", "keys", "resources",
                      "annotate"})
# Sections no other format has at its top level: `groups` alone is a Prometheus rule file, `resources` alone a
# kustomization, `roles` alone an Ansible play; a file of only those is not taken for a native one.
_OWN_SECTIONS = frozenset({"people", "principals", "credentials", "grants", "annotate"})
_TYPOS = 2  # edits (Levenshtein) from `policylint` that still count as a misspelt marker: policylnt, policy-lint
_YAML_MARKER = re.compile(r"""^(?:\{[ \t]*)?["']?policylint["']?[ \t]*:""", re.MULTILINE)
_ANY_MARKER = re.compile(r"""(?:^|[{,\s])["']?policylint["']?\s*:""")  # JSON, or YAML in flow style
_STARTS_OBJECT = re.compile(r"\A\ufeff?\s*\{")
# a key at the start of a line (YAML's top level), or first in a flow mapping; `http://…` is not a key
_TOP_KEY = re.compile(r"""^(?:\{[ \t]*)?(["']?)([^\s"'#:{}\[\],-][^\s"':{}\[\],]*)\1[ \t]*:(?=[ \t\r\n]|$)""",
                      re.MULTILINE)


def is_native(text: str) -> bool:
    """The marker at the top level: a YAML key at the start of a line, or a key of a JSON object's top level. An
    object that is not JSON (YAML in flow style, or broken JSON) with the marker as a key counts: loading it says
    whether it is right (fail closed)."""
    if MARKER not in text:  # a plain search first: the regular expressions take 15 ms a MB
        return False
    if _YAML_MARKER.search(text) is not None:
        return True
    if _STARTS_OBJECT.match(text) is None or _ANY_MARKER.search(text) is None:
        return False
    keys = _json_keys(text)
    return keys is None or MARKER in keys


def near_miss(path: str, text: str) -> InputError | None:
    """The located error for a file that no source claims but was meant to be native; None when it was not."""
    keys = _top_keys(text)
    for key, at in keys.items():
        if key != MARKER and _distance(key.casefold(), MARKER) <= _TYPOS:
            return InputError(_location(path, text, at), f"expected the marker 'policylint: 1' at the top level, "
                                                         f"found {key!r}, a misspelling of it")
    if keys and set(keys) <= SECTIONS and set(keys) & _OWN_SECTIONS:
        first = min(keys.values())
        return InputError(_location(path, text, first), f"expected 'policylint: 1' at the top level of a file with "
                                                        f"native sections ({', '.join(sorted(keys))}), found no "
                                                        f"marker")
    return None


def _json_keys(text: str) -> list[str] | None:
    """The keys of a JSON object's top level; None when the text is not JSON."""
    try:
        value = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError):  # not JSON (JSONDecodeError), or a number past Python's int-string limit
        return None
    return list(value) if isinstance(value, dict) else []


def _top_keys(text: str) -> dict[str, int]:
    """Top-level keys and the offset of each one's first occurrence, of JSON when the text is a JSON object, else
    of YAML (keys at the start of a line)."""
    keys = _json_keys(text) if _STARTS_OBJECT.match(text) else None
    if keys is None:
        found: dict[str, int] = {}
        for match in _TOP_KEY.finditer(text):
            found.setdefault(match[2], match.start(2) - len(match[1]))
        return found
    offsets = {}
    for key in keys:
        written = re.search(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:", text)
        offsets[key] = written.start() if written else 0
    return offsets


def _location(path: str, text: str, offset: int) -> Location:
    line_start = text.rfind("\n", 0, offset) + 1
    return Location(path, text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]
