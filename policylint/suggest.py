"""The nearest ids to one that names nothing, for a usage error that says what was probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

SUGGESTED = 3


def nearest(name: str, ids: Iterable[str], count: int = SUGGESTED) -> list[str]:
    """Up to `count` ids that look most like `name`: case-insensitive matches first, then those that contain it or
    end like it (an id without its `aws:iam::123:user/` namespace), then the closest spellings."""
    known = list(ids)
    folded = name.casefold()
    exact = [i for i in known if i.casefold() == folded and i != name]
    tail = [i for i in known if i not in exact and (folded in i.casefold() or i.casefold().endswith(folded))]
    close = difflib.get_close_matches(name, known, n=count, cutoff=0.6)
    found: list[str] = []
    for candidate in (*exact, *sorted(tail, key=len), *close):
        if candidate not in found and candidate != name:
            found.append(candidate)
    return found[:count]


def did_you_mean(name: str, ids: Iterable[str]) -> str:
    """`; did you mean 'a', 'b'?` or "" when nothing is near."""
    found = nearest(name, ids)
    return f"; did you mean {', '.join(repr(f) for f in found)}?" if found else ""
