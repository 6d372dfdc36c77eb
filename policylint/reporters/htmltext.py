"""Small pieces of the audit page's text: escaping, numbers, status pills, chips."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from html import escape

GROUP_NAMES = {"departed": "Departed", "suspended": "Suspended", "unowned": "Accounts of nobody on the roster",
               "external": "Third parties", "leave": "On leave", "active": "Active", "service": "Services"}
# how a count of each group reads: (one, several)
GROUP_COUNTS = {"departed": ("departed", "departed"), "suspended": ("suspended", "suspended"),
                "unowned": ("account of nobody", "accounts of nobody"), "external": ("third party", "third parties"),
                "leave": ("on leave", "on leave"), "active": ("active", "active"), "service": ("service", "services")}


def esc(text: object) -> str:
    """Every text placed in the page, quotes too (it may land in an attribute)."""
    return escape(str(text), quote=True)


def breakable(text: str) -> str:
    """Escaped, with a line-break opportunity after each separator of an id (`aws:iam::…:user/…`, `customer_pii`),
    so a narrow column breaks it where a reader expects."""
    return "<wbr>".join(esc(part) for part in _AFTER_SEPARATOR.split(text))


_AFTER_SEPARATOR = re.compile(r"(?<=[_/:.#@-])(?=.)")


def plural(count: int, word: str, words: str | None = None) -> str:
    if words is None:
        words = "people" if word == "person" else word + "s"
    return f"{count:,} {word if count == 1 else words}"


def records(count: int | None) -> str:
    return "unknown" if count is None else f"{count:,}"


def short(count: int | None) -> str:
    """33,700,000 as 33.7M: for prose and narrow cells (tables give the full number)."""
    if count is None:
        return "unknown"
    for size, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if count >= size:
            return f"{count / size:.1f}".removesuffix(".0") + suffix
    return str(count)


def status_pill(status: str, departed: date | None = None) -> str:
    when = f" {departed.isoformat()}" if departed and status in ("departed", "suspended") else ""
    return f'<span class="pill s-{esc(status)}">{esc(status)}{when}</span>'


def chips(items: Iterable[tuple[str, str]]) -> str:
    """`(label, id)` pairs: an account with its platform."""
    inner = "".join(f'<span class="chip"><b>{esc(label)}</b>{breakable(text)}</span>' for label, text in items)
    return f'<div class="chips">{inner}</div>' if inner else ""
