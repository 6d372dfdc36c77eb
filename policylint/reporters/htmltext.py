"""Small pieces of the audit page's text: escaping, numbers, status pills, chips."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from html import escape

from policylint.graph import Step
from policylint.reporters.paths import compact, edge

GROUP_NAMES = {"departed": "Departed", "suspended": "Suspended", "unowned": "Accounts of nobody on the roster",
               "external": "Third parties", "leave": "On leave", "active": "Active", "service": "Services"}
# how a count of each group of people reads: (one, several)
PEOPLE_COUNTS = {"departed": ("person who left", "people who left"),
                 "suspended": ("suspended person", "suspended people"),
                 "leave": ("person on leave", "people on leave"), "active": ("active person", "active people")}
# how a count of each group of accounts reads
ACCOUNT_COUNTS = {"unowned": ("account of nobody", "accounts of nobody"), "external": ("third party", "third parties"),
                  "service": ("service", "services")}


MAX_TEXT_STEPS = 40  # steps of a path said in text; of a longer one, the first and last half of these


def path_text(path: Sequence[Step], head: int = MAX_TEXT_STEPS // 2, tail: int = MAX_TEXT_STEPS // 2) -> str:
    """A path as one line (`paths.compact`); of one longer than `head + tail` steps, the first `head` and the last
    `tail` around how many are left out and where every one is, so that a page of long paths stays linear in their
    number."""
    if len(path) <= head + tail:
        return compact(path)
    left_out = len(path) - head - tail
    return (f"{compact(path[:head])} … {left_out:,} more steps (every one: policylint check or reach --format json) …"
            + "".join(edge(step) + step.node for step in path[-tail:]))


def within(items: Iterable[str], budget: int) -> list[str]:
    """The items, rendered one at a time, for as long as they stay within `budget` characters in all (the first
    always): the page's size bound, so that no inventory makes a page a browser cannot open."""
    listed: list[str] = []
    used = 0
    for item in items:
        used += len(item)
        if listed and used > budget:
            break
        listed.append(item)
    return listed


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


def reach_words(records: int, reached: int, unknown: int, number: Callable[[int], str], strong: bool = False) -> str:
    """How much customer data can be reached, as a reader cannot misreport it: records are summed over the stores (a
    customer may be in several), and a store of unknown size is never read as 0 records (nor counted twice)."""
    def b(text: str) -> str:
        return f"<strong>{text}</strong>" if strong else text

    known = reached - unknown
    if not reached:
        return "no customer-data store"
    if not known:
        return f"{b(f'{reached:,}')} customer-data {'store' if reached == 1 else 'stores'} of unknown size"
    where = (f"across {b(f'{known:,}')} stores (a customer may be in several)" if known > 1
             else f"in {b('1')} store")
    if not unknown:
        return f"{b(number(records))} customer records {where}"
    return (f"at least {b(number(records))} customer records {where}, and {b(f'{unknown:,}')} more "
            f"{'store' if unknown == 1 else 'stores'} of unknown size")


# Why a person counts as having left when the roster does not plainly say (`Person.departed_basis`), in plain words
BASES = {"meta.lastModified": "the roster (SCIM) gives no departure date, so the date is when their account record "
                              "last changed (meta.lastModified), most likely when it was deactivated",
         "statusChanged": "the roster (Okta) gives no departure date, so the date is when their account's status "
                          "last changed (statusChanged), most likely when it was deactivated"}


def basis_words(basis: str) -> str:
    """`meta.lastModified` as a data-protection officer reads it (escaped); a basis we do not know is shown as it is."""
    if basis in BASES:
        return esc(BASES[basis])
    known = [BASES[key] for key in BASES if key in basis]
    return f"as the inputs have it: {esc(basis)}" + "".join(f"; {esc(words)}" for words in known)


def status_pill(status: str, departed: date | None = None) -> str:
    when = f" {departed.isoformat()}" if departed and status in ("departed", "suspended") else ""
    return f'<span class="pill s-{esc(status)}">{esc(status)}{when}</span>'


def chips(items: Iterable[tuple[str, str]]) -> str:
    """`(label, id)` pairs: an account with its platform."""
    inner = "".join(f'<span class="chip"><b>{esc(label)}</b>{breakable(text)}</span>' for label, text in items)
    return f'<div class="chips">{inner}</div>' if inner else ""
