"""What makes a file an Okta users export, without the reader: the registry asks this of every file, and the
reader (`okta`) is imported only when a run has one."""

from __future__ import annotations

import re

NAME = "okta"
_STARTS_JSON = re.compile(r"\s*[\[{]")
_MARKERS = (re.compile(r'"status"\s*:'), re.compile(r'"profile"\s*:\s*\{'), re.compile(r'"login"\s*:'))


def detect(path: str, text: str) -> bool:
    """Okta's user keys anywhere in a JSON text, whatever their order and however large the first user."""
    return _STARTS_JSON.match(text) is not None and all(m.search(text) for m in _MARKERS)
