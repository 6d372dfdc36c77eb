"""The audit page's headline: what it cannot know, each person who has left and can still reach customer data (what
they reach, how, and what still gives them access, to revoke), the totals and the inputs read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from policylint.audit import Access, Audit, Holder
from policylint.exposure import ExposedResource
from policylint.reporters.htmltext import (
    basis_words,
    breakable,
    chips,
    esc,
    path_text,
    plural,
    reach_words,
    short,
    status_pill,
    within,
)
from policylint.reporters.summary import by_severity, unclassified
from policylint.reporters.svgpath import draw

MAX_INPUTS = 60  # input files named in the page
HEADLINE_BUDGET = 3_000_000  # characters of leavers' cards listed (the stores' and the findings' have their own)


def headline(audit: Audit, anchors: dict[str, str], findings: dict[tuple[str, str], str]) -> str:
    """`anchors`: each store listed below by id; `findings`: each finding listed below by (rule, subject)."""
    parts = ['<section id="headline"><h2>People who have left and can still reach customer data</h2>',
             *_alerts(audit)]
    cards = within((_leaver(holder, audit, anchors, findings) for holder in audit.headline), HEADLINE_BUDGET)
    parts += cards
    if audit.leavers > len(cards):
        why = (f"the page lists {len(cards):,}" if len(cards) == len(audit.headline)
               else f"the page lists {len(cards):,}, to stay small enough for a browser to open")
        parts.append(f'<p class="muted">and {audit.leavers - len(cards):,} more ({why}; <code>policylint reach '
                     "--status departed --status suspended --format json</code> lists every one).</p>")
    parts += [_totals(audit), _inputs(audit), "</section>"]
    return "".join(parts)


def _alerts(audit: Audit) -> Iterable[str]:
    """What the page cannot know first: it must never read as safe when it cannot tell."""
    errors = len(audit.report.errors)
    if errors:
        yield (f'<div class="alert unknown"><a href="#problems">{plural(errors, "input error")}</a>: this report may '
               "miss what those files hold.</div>")
    note = unclassified(audit.report)
    if note:
        yield f'<div class="alert unknown">{esc(note[0].upper() + note[1:])}.</div>'
    if not audit.totals.people:
        yield ('<div class="alert unknown">No HR roster among the inputs, so who has left cannot be known: add the '
               "roster export to the inputs.</div>")
    elif audit.leavers:
        most = audit.headline[0]
        who = esc(name(most)) if audit.leavers == 1 else f"The most exposed, {esc(name(most))},"
        yield (f'<div class="alert"><strong>{plural(audit.leavers, "person")} who '
               f'{"has" if audit.leavers == 1 else "have"} left can still reach customer data.</strong> '
               f"{who} can reach {reach_words(most.records, most.reached, most.unknown, short)}.</div>")
    elif not note:
        yield '<div class="alert calm">Nobody who has left can reach customer data.</div>'


def name(holder: Holder) -> str:
    return holder.display_name or holder.id


def _leaver(holder: Holder, audit: Audit, anchors: dict[str, str], findings: dict[tuple[str, str], str]) -> str:
    team = f'<span class="muted">team {esc(holder.team)}</span>' if holder.team else ""
    named = f"<code>{esc(holder.id)}</code>" if holder.display_name else ""
    basis = (f'<p class="small muted">Departure date: {basis_words(holder.basis)}.</p>'
             if holder.basis and holder.departed else "")
    rows = "".join(_reached_row(r, anchors) for r in holder.resources)
    more = holder.reached - len(holder.resources)
    if more > 0:
        rows += f'<tr><td colspan="4" class="muted">and {plural(more, "more store")}</td></tr>'
    picture = ""
    if holder.resources:
        largest = holder.resources[0]
        which = ("the largest store" if largest.records is not None
                 else "a store of unknown size (it may be the largest)")
        picture = (f"<figure>{draw(largest.path, audit.left, audit.customer)}<figcaption class=\"small muted\">"
                   f"How: the path to <code>{esc(largest.id)}</code>, {which} {esc(holder.id)} can reach; "
                   "every store, with its path, below.</figcaption></figure>")
    accounts = chips((a.platform, a.id) for a in holder.accounts)
    return (f'<article class="card leaver"><header><h3>{esc(name(holder))}</h3>{named}'
            f'{status_pill(holder.status, holder.departed)}{team}</header>{basis}'
            f'<p class="big">Can reach {reach_words(holder.records, holder.reached, holder.unknown, _full, True)}.'
            "</p>"
            + (f'<div class="small muted accounts">Accounts {accounts}</div>' if holder.accounts else "")
            + f'{_revoke(holder, findings)}{picture}<table><thead><tr><th style="width:22%">Store</th>'
            '<th style="width:18%">Data</th><th class="num" style="width:10%">Records</th><th>Path</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></article>")


def _full(count: int) -> str:
    return f"{count:,}"


def _revoke(holder: Holder, findings: dict[tuple[str, str], str]) -> str:
    """What still gives them access, each with what to do and the findings on it: the auditor's to-do list."""
    accounts = {a.id for a in holder.accounts}
    items = "".join(f"<li>{_access(a, accounts, findings)}</li>" for a in holder.access)
    more = holder.access_total - len(holder.access)
    if more > 0:
        items += f'<li class="muted">and {more:,} more</li>'
    if not items:
        items = ("<li>No credential, key or group of theirs leads to customer data: the access is through their "
                 "accounts above; disable them.</li>")
    return f'<div class="revoke"><h4>Still active: what to revoke</h4><ul>{items}</ul></div>'


def _access(access: Access, accounts: set[str], findings: dict[tuple[str, str], str]) -> str:
    how = "as their account" if access.via in accounts else "through"
    via = f" ({how} <code>{breakable(access.via)}</code>)" if access.via else ""
    dates = "; ".join(f"{label} {when.isoformat()}" for label, when in _dates(access))
    rules = ", ".join(f'<a href="#{findings[rule, access.id]}">{esc(rule)}</a>' if (rule, access.id) in findings
                      else esc(rule) for rule in access.rules)
    return (f"{_lead(access)} <code>{breakable(access.id)}</code>{' they can read' if access.kind == 'key' else ''}"
            f"{via}" + (f' <span class="muted">({dates})</span>' if dates else "")
            + ("" if access.customer else ' <span class="muted">(does not itself lead to customer data)</span>')
            + (f' <span class="small">· findings {rules}</span>' if rules else ""))


def _lead(access: Access) -> str:
    """What to do, and to what: `Revoke access key`, `Rotate signing key`, `Remove their grant (read) on`."""
    if access.kind == "credential":
        return f"<strong>Revoke</strong> {esc(access.type.replace('_', ' '))}"  # access key, password, token
    if access.kind == "key":
        return f"<strong>Rotate</strong> {esc(access.type)} key"
    if access.kind == "grant":
        return f"<strong>Remove their grant</strong> ({esc(access.type)}) on" if access.type else (
            "<strong>Remove their grant</strong> on")
    return {"account": "<strong>Disable</strong> account", "group": "<strong>Remove them from</strong> group",
            "role": "<strong>Remove them from</strong> role"}[access.kind]


def _dates(access: Access) -> Iterable[tuple[str, date]]:
    for label, when in (("created", access.created), ("last used", access.last_used),
                        ("last rotated", access.rotated)):
        if when is not None:
            yield label, when


def _reached_row(resource: ExposedResource, anchors: dict[str, str]) -> str:
    store = f"<code>{breakable(resource.id)}</code>"
    if resource.id in anchors:
        store = f'<a href="#{anchors[resource.id]}">{store}</a>'
    full = "unknown" if resource.records is None else f"{resource.records:,} records"
    return (f"<tr><td>{store}</td><td class=\"small\">{breakable(', '.join(resource.classes))}</td>"
            f'<td class="num" title="{esc(full)}">{short(resource.records)}</td>'
            f'<td class="path-text">{esc(path_text(resource.path))}</td></tr>')


def _totals(audit: Audit) -> str:
    totals, report = audit.totals, audit.report
    people = sum(n for _, n, _ in totals.people)
    principals = sum(n for _, n, _ in totals.principals)
    names = {"user": "user accounts", "service": "services", "external": "third parties"}
    reach = ("", "all", "reach data")
    tiles = [
        _tile(f"{totals.stores:,}", "customer-data stores", ("", ""), _store_lines(audit)),
        _tile(f"{people:,}", "people on the roster", reach,
              [(status, f"{n:,}", f"{reaching:,}") for status, n, reaching in totals.people]),
        _tile(f"{principals:,}", "accounts, services and third parties", reach,
              [(names[kind], f"{n:,}", f"{reaching:,}") for kind, n, reaching in totals.principals]),
        _tile(f"{len(report.findings):,}", "findings", ("", ""),
              [*((severity, f"{n:,}") for severity, n in by_severity(report).items()),
               ("suppressed", f"{len(report.suppressed):,}"), ("input errors", f"{len(report.errors):,}")]),
    ]
    return f'<h3 style="margin-top:22px">In numbers</h3><div class="grid">{"".join(tiles)}</div>'


def _store_lines(audit: Audit) -> list[tuple[str, str]]:
    """Stores someone reaches and the records in them: summed over the stores of known size (a customer may be in
    several), and the stores of unknown size beside them, never as 0 records."""
    totals = audit.totals
    known = totals.reached - totals.unknown
    lines = [("reachable by someone", f"{totals.reached:,}")]
    if known:
        those = ("those" if not totals.unknown else "the one of known size" if known == 1
                 else f"the {known:,} of known size")
        lines.append((f"records in {those}" + (", summed" if known > 1 else ""), f"{totals.records:,}"))
    if totals.unknown:
        lines.append(("of unknown size", f"{totals.unknown:,}"))
    return lines


def _tile(number: str, label: str, heads: tuple[str, ...], lines: Iterable[tuple[str, ...]]) -> str:
    """A number, what it counts, and a small table of its parts (first column: the part; then right-aligned)."""
    lines = list(lines)
    if not lines:
        return f'<div class="tile"><div class="n">{esc(number)}</div><div class="l">{esc(label)}</div></div>'
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
