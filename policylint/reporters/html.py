"""`policylint report -o audit.html`: the auditor's report, one self-contained page (no request leaves it).

Pure: `render(audit) -> str`. The audit is redacted and made printable once, field by field (`audit.mapped`), and
every text is escaped where it is placed (`esc`), so an id such as `<img src=x onerror=…>` is shown as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from policylint import __version__
from policylint.audit import MAX_LISTED, MAX_PEOPLE, MAX_REACHED, MAX_STORES, Audit, Holder, Store, mapped
from policylint.exposure import ExposedResource
from policylint.redact import printable, redact
from policylint.reporters import htmlfindings
from policylint.reporters.htmlassets import CSP, SCRIPT, STYLE, script_hash
from policylint.reporters.htmltext import (
    GROUP_COUNTS,
    GROUP_NAMES,
    breakable,
    chips,
    esc,
    plural,
    records,
    short,
    status_pill,
)
from policylint.reporters.paths import compact
from policylint.reporters.summary import by_severity, unclassified
from policylint.reporters.svgpath import draw

MAX_INPUTS = 60  # input files named in the page


def render(audit: Audit) -> str:
    shown = mapped(audit, lru_cache(maxsize=1 << 16)(visible))
    body = "".join([_masthead(shown), '<main class="wrap">', _headline(shown), _stores(shown), _people(shown),
                    htmlfindings.findings(shown), htmlfindings.suppressed(shown), htmlfindings.problems(shown),
                    "</main>", _footer(shown)])
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
    """One line for the console: what the page says first."""
    counts = ", ".join(f"{n} {severity}" for severity, n in by_severity(audit.report).items() if n)
    left = f"{plural(audit.leavers, 'person')} who left can reach customer data"
    return (f"{plural(len(audit.report.findings), 'finding')}{f' ({counts})' if counts else ''}; {left}; "
            f"{len(audit.report.suppressed)} suppressed; as of {audit.report.as_of.isoformat()}")


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


def _headline(audit: Audit) -> str:
    parts = ['<section id="headline"><h2>People who have left and can still reach customer data</h2>']
    errors = len(audit.report.errors)
    if errors:
        parts.append(f'<div class="alert unknown"><a href="#problems">{plural(errors, "input error")}</a>: this '
                     "report may miss what those files hold.</div>")
    note = unclassified(audit.report)
    if note:
        parts.append(f'<div class="alert unknown">{esc(note[0].upper() + note[1:])}.</div>')
    if not audit.totals.people:
        parts.append('<div class="alert unknown">No HR roster among the inputs, so who has left cannot be known: '
                     'add the roster export to the inputs.</div>')
    elif audit.leavers:
        most = audit.headline[0]
        who = esc(_name(most)) if audit.leavers == 1 else f"The most exposed, {esc(_name(most))},"
        parts.append(f'<div class="alert"><strong>{plural(audit.leavers, "person")} who '
                     f'{"has" if audit.leavers == 1 else "have"} left can still reach customer data.</strong> '
                     f'{who} can reach {short(most.records)} customer records in {plural(most.reached, "store")}.'
                     "</div>")
    elif not note:
        parts.append('<div class="alert calm">Nobody who has left can reach customer data.</div>')
    anchors = _store_anchors(audit)
    parts += [_leaver(holder, audit, anchors) for holder in audit.headline]
    if audit.leavers > len(audit.headline):
        parts.append(f'<p class="muted">and {audit.leavers - len(audit.headline):,} more (the page lists '
                     f'{MAX_LISTED}).</p>')
    parts += [_totals(audit), _inputs(audit), "</section>"]
    return "".join(parts)


def _name(holder: Holder) -> str:
    return holder.display_name or holder.id


def _leaver(holder: Holder, audit: Audit, anchors: dict[str, str]) -> str:
    team = f'<span class="muted">team {esc(holder.team)}</span>' if holder.team else ""
    named = f"<code>{esc(holder.id)}</code>" if holder.display_name else ""
    unknown = f" (and {plural(holder.unknown, 'store')} of unknown size)" if holder.unknown else ""
    rows = "".join(_reached_row(r, anchors) for r in holder.resources)
    more = holder.reached - len(holder.resources)
    if more > 0:
        rows += f'<tr><td colspan="4" class="muted">and {plural(more, "smaller store")}</td></tr>'
    picture = ""
    if holder.resources:
        largest = holder.resources[0]
        picture = (f"<figure>{draw(largest.path, audit.left, audit.customer)}<figcaption class=\"small muted\">"
                   f"How: the path to <code>{esc(largest.id)}</code>, the largest store {esc(holder.id)} can reach; "
                   "every store, with its path, below.</figcaption></figure>")
    accounts = chips((a.platform, a.id) for a in holder.accounts)
    return (f'<article class="card leaver"><header><h3>{esc(_name(holder))}</h3>{named}'
            f'{status_pill(holder.status, holder.departed)}{team}</header>'
            f'<p class="big">Can reach <strong>{records(holder.records)}</strong> customer records in '
            f'<strong>{holder.reached}</strong> {"store" if holder.reached == 1 else "stores"}{unknown}.</p>'
            + (f'<div class="small muted accounts">Accounts {accounts}</div>' if holder.accounts else "")
            + f'{picture}<table><thead><tr><th style="width:22%">Store</th><th style="width:18%">Data</th>'
            '<th class="num" style="width:10%">Records</th><th>Path</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></article>")


def _reached_row(resource: ExposedResource, anchors: dict[str, str]) -> str:
    name = f"<code>{breakable(resource.id)}</code>"
    if resource.id in anchors:
        name = f'<a href="#{anchors[resource.id]}">{name}</a>'
    full = "unknown" if resource.records is None else f"{resource.records:,} records"
    return (f"<tr><td>{name}</td><td class=\"small\">{breakable(', '.join(resource.classes))}</td>"
            f'<td class="num" title="{esc(full)}">{short(resource.records)}</td>'
            f'<td class="path-text">{esc(compact(resource.path))}</td></tr>')


def _store_anchors(audit: Audit) -> dict[str, str]:
    return {store.id: f"store-{number}" for number, store in enumerate(audit.stores, start=1)}


def _totals(audit: Audit) -> str:
    totals, report = audit.totals, audit.report
    people = sum(n for _, n, _ in totals.people)
    principals = sum(n for _, n, _ in totals.principals)
    names = {"user": "user accounts", "service": "services", "external": "third parties"}
    unknown = f" and {plural(totals.unknown, 'store')} of unknown size" if totals.unknown else ""
    reach = ("", "all", "reach data")
    tiles = [
        _tile(f"{totals.stores:,}", "customer-data stores", ("", ""),
              [("reachable by someone", f"{totals.reached:,}"),
               ("records in those", records(totals.records) + unknown)]),
        _tile(f"{people:,}", "people on the roster", reach,
              [(status, f"{n:,}", f"{reaching:,}") for status, n, reaching in totals.people]),
        _tile(f"{principals:,}", "accounts, services and third parties", reach,
              [(names[kind], f"{n:,}", f"{reaching:,}") for kind, n, reaching in totals.principals]),
        _tile(f"{len(report.findings):,}", "findings", ("", ""),
              [*((severity, f"{n:,}") for severity, n in by_severity(report).items()),
               ("suppressed", f"{len(report.suppressed):,}"), ("input errors", f"{len(report.errors):,}")]),
    ]
    return f'<h3 style="margin-top:22px">In numbers</h3><div class="grid">{"".join(tiles)}</div>'


def _tile(number: str, label: str, heads: tuple[str, ...], lines: Iterable[tuple[str, ...]]) -> str:
    """A number, what it counts, and a small table of its parts (first column: the part; then right-aligned)."""
    head = "".join(f'<th{"" if n == 0 else " class=num"}>{esc(h)}</th>' for n, h in enumerate(heads))
    rows = "".join("<tr>" + "".join(f'<td{"" if n == 0 else " class=num"}>{esc(v)}</td>' for n, v in enumerate(line))
                   + "</tr>" for line in lines)
    head = f"<thead><tr>{head}</tr></thead>" if any(heads) else ""
    return (f'<div class="tile"><div class="n">{esc(number)}</div><div class="l">{esc(label)}</div>'
            f"<table>{head}<tbody>{rows}</tbody></table></div>")


def _inputs(audit: Audit) -> str:
    files = audit.report.inputs
    listed = "".join(f"<li><code>{esc(f)}</code></li>" for f in files[:MAX_INPUTS])
    more = f"<li>and {len(files) - MAX_INPUTS:,} more</li>" if len(files) > MAX_INPUTS else ""
    return (f'<p class="small muted">Read from {plural(len(files), "file")}, as of '
            f'{audit.report.as_of.isoformat()}:</p><ul class="small" style="columns:2;margin:4px 0">{listed}{more}'
            "</ul>")


def _stores(audit: Audit) -> str:
    parts = ['<section id="stores" class="major"><h2>Who can reach each customer-data store</h2>'
             '<p class="lede">Every identity with a path to the store, the riskiest first: people who have left '
             "and their accounts, accounts of nobody on the roster, third parties; then everyone else. Each path "
             "is a shortest one.</p>"]
    anchors = _store_anchors(audit)
    parts += [_store(store, anchors[store.id]) for store in audit.stores]
    if not audit.stores:
        parts.append('<p class="muted">No customer-data store is reachable by any identity.</p>')
    if audit.totals.reached > len(audit.stores):
        parts.append(f'<p class="muted">and {audit.totals.reached - len(audit.stores):,} smaller stores (the page '
                     f"lists {MAX_STORES}).</p>")
    return "".join(parts) + "</section>"


RISKY = ("departed", "suspended", "unowned", "external")


def _store(store: Store, anchor: str) -> str:
    counts = "".join(f'<span class="pill s-{esc(group)}">{plural(n, *GROUP_COUNTS[group])}</span> '
                     for group, n in store.groups)
    size = "records unknown" if store.records is None else f"{store.records:,} records"
    rows, others = [], []
    for group, _ in store.groups:
        members = [r for r in store.reachers if r.group == group]
        if group in RISKY and members:
            rows.append(f'<tr class="group"><td colspan="3">{esc(GROUP_NAMES[group])}</td></tr>')
            rows += [f"<tr><td><code>{breakable(r.id)}</code></td>"
                     f"<td>{'person' if r.kind == 'person' else 'account'}</td>"
                     f'<td class="path-text">{esc(compact(r.path))}</td></tr>' for r in members]
        elif members:
            listed = "".join(f'<span class="chip" title="{esc(compact(r.path))}">{breakable(r.id)}</span>'
                             for r in members)
            others.append(f'<h4>{esc(GROUP_NAMES[group])}</h4><div class="chips">{listed}</div>')
    table = ('<table><thead><tr><th style="width:26%">Identity</th><th style="width:10%">Kind</th><th>Path</th>'
             f'</tr></thead><tbody>{"".join(rows)}</tbody></table>') if rows else ""
    more = store.total - len(store.reachers)
    tail = (f'<p class="small muted">and {more:,} more (the page lists the first {MAX_LISTED}, riskiest first).</p>'
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
            f"first, then by the customer records they can reach (the {MAX_REACHED} largest stores each).</p>"
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
    reach = (f"{records(holder.records)}<br><span class=\"muted small\">{plural(holder.reached, 'store')}</span>"
             if holder.reached else '<span class="muted">none</span>')
    when = (f'<div class="small muted">{holder.departed.isoformat()}</div>'
            if holder.departed and holder.status in ("departed", "suspended") else "")
    return (f"<tr><td>{name}</td><td>{status_pill(holder.status)}{when}</td>"
            f"<td>{chips((a.platform, a.id) for a in holder.accounts)}</td><td class=\"num\">{reach}</td>"
            f'<td class="small">{stores}</td></tr>')


def _footer(audit: Audit) -> str:
    return (f'<footer><div class="wrap">Made by policylint {esc(__version__)} as of '
            f"{audit.report.as_of.isoformat()}. Every count is complete; lists stop at {MAX_LISTED} identities per "
            f"store (the riskiest first), {MAX_STORES} stores, {MAX_PEOPLE:,} people and {MAX_REACHED} stores per "
            "person, and say how many more there are. Paths are shortest paths; a path that holds only under a "
            "condition still counts.</div></footer>")
