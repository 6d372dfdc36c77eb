"""`policylint report -o audit.html`: the auditor's report, one self-contained page (no request leaves it).

Pure: `render(audit) -> str`. The audit is redacted and made printable once, field by field (`audit.mapped`), and
every text is escaped where it is placed (`esc`), so an id such as `<img src=x onerror=…>` is shown as text.
"""

from __future__ import annotations

from functools import lru_cache

from policylint import __version__
from policylint.audit import MAX_LISTED, MAX_PEOPLE, MAX_REACHED, MAX_STORES, Audit, Count, Holder, Store, mapped
from policylint.redact import printable, redact
from policylint.reporters import htmlfindings
from policylint.reporters.htmlassets import CSP, SCRIPT, STYLE, script_hash
from policylint.reporters.htmlheadline import headline
from policylint.reporters.htmltext import (
    ACCOUNT_COUNTS,
    GROUP_NAMES,
    PEOPLE_COUNTS,
    breakable,
    chips,
    esc,
    path_text,
    plural,
    short,
    status_pill,
    within,
)
from policylint.reporters.summary import by_severity, unclassified

STORES_BUDGET = 4_000_000  # characters of store cards listed (the headline's and the findings' have their own)


def render(audit: Audit) -> str:
    """Every list is bounded by a count and its section by a size (`within`): whatever the inventory, the page stays
    under ~20 MB, linear in what it lists, and says what it left out and where to find it."""
    shown = mapped(audit, lru_cache(maxsize=1 << 16)(visible))
    anchors = _store_anchors(shown)
    stores = within((_store(store, anchors[store.id]) for store in shown.stores), STORES_BUDGET)
    anchors = {store.id: anchors[store.id] for store in shown.stores[:len(stores)]}
    cards = htmlfindings.cards(shown)
    body = "".join([_masthead(shown), '<main class="wrap">',
                    headline(shown, anchors, htmlfindings.anchors(shown, len(cards))), _stores(shown, stores),
                    _people(shown), htmlfindings.findings(shown, cards), htmlfindings.suppressed(shown),
                    htmlfindings.problems(shown), "</main>", _footer(shown)])
    return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP.format(script=script_hash()))}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f'<title>Access audit as of {audit.report.as_of.isoformat()} · policylint</title>'
            f"<style>{STYLE}</style></head><body>{body}<script>{SCRIPT}</script></body></html>\n")


def visible(text: str) -> str:
    """Redacted, and every control character escaped but the line break (harmless in a page; rule texts have it)."""
    return "\n".join(printable(line) for line in redact(text).split("\n"))


def summary_line(audit: Audit) -> str:
    """One line for the console: what the page says first, with the same warnings, so that it never reads as safe
    when the run cannot know (no roster, nothing classified as customer data, input errors)."""
    report = audit.report
    counts = ", ".join(f"{n} {severity}" for severity, n in by_severity(report).items() if n)
    parts = [f"{plural(len(report.findings), 'finding')}{f' ({counts})' if counts else ''}"]
    if not audit.totals.people:
        parts.append("who has left cannot be known: no HR roster among the inputs")
    elif unclassified(report) is None or audit.leavers:
        read = " in the files read" if report.errors else ""
        parts.append(f"{plural(audit.leavers, 'person')} who left can reach customer data{read}")
    if unclassified(report) is not None:
        parts.append("who can reach customer data is unknown: no store is classified as customer data")
    if report.errors:
        parts.append(f"{plural(len(report.errors), 'input error')}: the report may miss what those files hold")
    parts += [f"{len(report.suppressed)} suppressed", f"as of {report.as_of.isoformat()}"]
    return "; ".join(parts)


def _masthead(audit: Audit) -> str:
    report = audit.report
    links = [("headline", "Headline"), ("stores", "Customer-data stores"), ("people", "People"),
             ("findings", f"Findings ({len(report.findings)})"),
             ("suppressed", f"Suppressed ({len(report.suppressed)})")]
    if report.errors or report.notices:
        links.append(("problems", f"Input errors and notes ({len(report.errors) + len(report.notices)})"))
    nav = "".join(f'<a href="#{anchor}">{esc(text)}</a>' for anchor, text in links)
    return ('<header class="masthead"><div class="wrap"><div class="brand">policylint · access audit</div>'
            '<h1>Who can reach customer data</h1>'
            f'<p class="meta">As of <time>{report.as_of.isoformat()}</time> · {plural(report.files, "input file")} · '
            f'{plural(len(report.rules), "rule")}</p><nav>{nav}</nav></div></header>')


def _store_anchors(audit: Audit) -> dict[str, str]:
    return {store.id: f"store-{number}" for number, store in enumerate(audit.stores, start=1)}


def _stores(audit: Audit, cards: list[str]) -> str:
    """The section, with the store `cards` listed (the largest first)."""
    parts = ['<section id="stores" class="major"><h2>Who can reach each customer-data store</h2>'
             '<p class="lede">Every identity with a path to the store, the riskiest first: people who have left '
             "and their accounts, accounts of nobody on the roster, third parties; then everyone else. Each path "
             "is a shortest one. The largest stores first; a store of unknown size first of all: it may be the "
             "largest.</p>", *cards]
    if not audit.stores:
        parts.append('<p class="muted">No customer-data store is reachable by any identity.</p>')
    more = audit.totals.reached - len(cards)
    if more > 0:
        why = (f"the page lists the largest {len(cards):,}" if len(cards) == len(audit.stores)
               else f"the page lists {len(cards):,}, to stay small enough for a browser to open")
        parts.append(f'<p class="muted">and {plural(more, "more store")} ({why}; '
                     "<code>policylint reach --to STORE --format json</code> lists who reaches any one).</p>")
    return "".join(parts) + "</section>"


RISKY = ("departed", "suspended", "unowned", "external")


def _count(count: Count) -> str:
    """A person and their own accounts are one person: `1 person who left (and their account)`."""
    if count.group in ACCOUNT_COUNTS:
        words = plural(count.accounts, *ACCOUNT_COUNTS[count.group])
    else:
        words = plural(count.people, *PEOPLE_COUNTS[count.group])
        if count.accounts:
            theirs = ("their account" if count.accounts == 1 else f"their {count.accounts:,} accounts"
                      ) if count.people == 1 else f"{count.accounts:,} of their accounts"
            words += f" (and {theirs})"
    return f'<span class="pill s-{esc(count.group)}">{words}</span> '


def _store(store: Store, anchor: str) -> str:
    counts = "".join(_count(count) for count in store.groups)
    size = "size unknown: no record count" if store.records is None else plural(store.records, "record")
    rows, others = [], []
    for group in (count.group for count in store.groups):
        members = [r for r in store.reachers if r.group == group]
        if group in RISKY and members:
            rows.append(f'<tr class="group"><td colspan="3">{esc(GROUP_NAMES[group])}</td></tr>')
            rows += [f"<tr><td><code>{breakable(r.id)}</code></td>"
                     f"<td>{'person' if r.kind == 'person' else 'account'}</td>"
                     f'<td class="path-text">{esc(path_text(r.path))}</td></tr>' for r in members]
        elif members:
            listed = "".join(f'<span class="chip" title="{esc(path_text(r.path))}">{breakable(r.id)}</span>'
                             for r in members)
            others.append(f'<h4>{esc(GROUP_NAMES[group])}</h4><div class="chips">{listed}</div>')
    table = ('<table><thead><tr><th style="width:26%">Identity</th><th style="width:10%">Kind</th><th>Path</th>'
             f'</tr></thead><tbody>{"".join(rows)}</tbody></table>') if rows else ""
    more = store.total - len(store.reachers)
    tail = (f'<p class="small muted">and {more:,} more (the page lists the first {len(store.reachers):,}, riskiest '
            "first).</p>"
            if more > 0 else "")
    return (f'<article class="card store" id="{anchor}"><header><h3><code>{breakable(store.id)}</code></h3>'
            f'<span class="muted small">{esc(store.type)} · {breakable(", ".join(store.classes))}</span>'
            f'<span class="records">{size}</span></header>'
            f'<p class="small">{plural(store.total, "identity", "identities")} can reach it: {counts}</p>'
            f'{table}{"".join(others)}{tail}</article>')


def _people(audit: Audit) -> str:
    rows = "".join(_person_row(h) for h in audit.people)
    more = audit.people_total - len(audit.people)
    tail = f'<p class="muted">and {more:,} more (the page lists {MAX_PEOPLE:,}).</p>' if more > 0 else ""
    return ('<section id="people" class="major"><h2>What each person can reach</h2>'
            '<p class="lede">Everyone on the roster with their accounts on every platform, those who have left '
            "first, then by the customer records they can reach, summed over the stores (a customer may be in "
            f"several; the {MAX_REACHED} largest stores listed each).</p>"
            '<div class="card" style="padding:6px 12px"><table class="fixed"><thead><tr>'
            '<th style="width:25%">Person</th><th style="width:13%">Status</th><th style="width:24%">Accounts</th>'
            '<th class="num" style="width:13%">Records</th><th style="width:25%">Largest stores</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>{tail}</section>")


def _person_row(holder: Holder) -> str:
    who = f"<code>{breakable(holder.id)}</code>" + (f' · {esc(holder.team)}' if holder.team else "")
    name = (f"<strong>{esc(holder.display_name)}</strong><br><span class=\"small muted\">{who}</span>"
            if holder.display_name else who)
    stores = "".join(f'<div><code>{breakable(r.id)}</code> <span class="muted nowrap">{short(r.records)}</span></div>'
                     for r in holder.resources[:3])
    if holder.reached > 3:
        stores += f'<div class="muted">and {holder.reached - 3:,} more</div>'
    reach = _reach_cell(holder)
    when = (f'<div class="small muted">{holder.departed.isoformat()}</div>'
            if holder.departed and holder.status in ("departed", "suspended") else "")
    return (f"<tr><td>{name}</td><td>{status_pill(holder.status)}{when}</td>"
            f"<td>{chips((a.platform, a.id) for a in holder.accounts)}</td><td class=\"num\">{reach}</td>"
            f'<td class="small">{stores}</td></tr>')


def _reach_cell(holder: Holder) -> str:
    """Records summed over the stores of known size; stores of unknown size said beside them, never as 0."""
    if not holder.reached:
        return '<span class="muted">none</span>'
    known = holder.reached - holder.unknown
    number = "unknown" if not known else f"{'≥ ' if holder.unknown else ''}{holder.records:,}"
    stores = plural(holder.reached, "store") + (f", {holder.unknown:,} of unknown size" if holder.unknown else "")
    return f'{number}<br><span class="muted small">{stores}</span>'


def _footer(audit: Audit) -> str:
    return (f'<footer><div class="wrap">Made by policylint {esc(__version__)} as of '
            f"{audit.report.as_of.isoformat()}. Every count is complete; lists stop at {MAX_LISTED} identities per "
            f"store (the riskiest first), {MAX_STORES} stores, {MAX_PEOPLE:,} people and {MAX_REACHED} stores per "
            "person, and say how many more there are. Records are summed over the stores (a customer may be in "
            "several); a store of unknown size is never counted as 0 records. Paths are shortest paths; a path that "
            "holds only under a condition still counts.</div></footer>")
