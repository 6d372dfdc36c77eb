"""The audit page's findings (each with its picture, filterable), suppressed findings, input errors and notes."""

from __future__ import annotations

import re

from policylint.audit import Audit
from policylint.findings import Finding
from policylint.graph import Step
from policylint.model import platform_of
from policylint.reporters.htmlglossary import glossary
from policylint.reporters.htmltext import esc, path_text, plural, within
from policylint.reporters.svgpath import draw, legend
from policylint.rules import SEVERITIES, Rule

MAX_FINDINGS = 2000  # findings listed with their pictures (the JSON and SARIF formats list every one)
SUPPRESSED_BUDGET = 1_000_000  # characters of suppressed findings listed
FINDINGS_BUDGET = 12_000_000  # characters of findings listed: with the other sections' bounds, a page under ~20 MB


def ordered(audit: Audit) -> list[Finding]:
    """The findings as the page lists them: most severe first."""
    return sorted(audit.report.findings,
                  key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.location, f.subject_id))


def anchors(audit: Audit, listed: int) -> dict[tuple[str, str], str]:
    """The first of the `listed` findings of each (rule, subject), by its anchor in the page."""
    return {(f.rule, f.subject_id): f"finding-{n}" for n, f in reversed(list(enumerate(ordered(audit)[:listed])))}


def cards(audit: Audit) -> list[str]:
    """The findings' cards the page lists: the first MAX_FINDINGS, fewer when they would pass FINDINGS_BUDGET."""
    rules = {rule.id: rule for rule in audit.report.rules}
    first: dict[str, int] = {}  # each rule's first finding, which gives its why and how in print

    def card(number: int, finding: Finding) -> str:
        first.setdefault(finding.rule, number)
        return _finding(finding, number, rules.get(finding.rule), audit, first[finding.rule])

    return within((card(n, f) for n, f in enumerate(ordered(audit)[:MAX_FINDINGS])), FINDINGS_BUDGET)


def findings(audit: Audit, listed: list[str]) -> str:
    """The section, with the `listed` cards (`cards`)."""
    every = ordered(audit)
    more = len(every) - len(listed)
    why = (f"the page lists {len(listed):,}" if len(listed) == MAX_FINDINGS
           else f"the page lists {len(listed):,}, to stay small enough for a browser to open")
    tail = (f'<p class="muted">and {more:,} more findings ({why}; '
            "<code>policylint check --format json</code> lists every one).</p>") if more > 0 else ""
    empty = "" if every else '<p class="muted">No findings.</p>'
    return ('<section id="findings" class="major"><h2>Findings</h2>'
            '<p class="lede">Every finding of the run, most severe first, with why it matters, how to fix it, and a '
            "picture of its evidence path: from who holds the access to what it reaches.</p>"
            f'<div class="legend">{legend()}</div>{glossary(audit)}{_filters(every)}{empty}{"".join(listed)}{tail}'
            "</section>")


def _filters(ordered: list[Finding]) -> str:
    """Hidden until the script runs: with it off, every finding is simply listed."""
    if not ordered:
        return ""
    severities = [s for s in SEVERITIES if any(f.severity == s for f in ordered)]
    rules = sorted({f.rule for f in ordered})
    platforms = sorted({platform_of(f.subject_id, f.subject_kind) for f in ordered})
    return ('<form class="filters" id="filters" hidden>'
            f'{_select("severity", "Severity", severities)}{_select("rule", "Rule", rules)}'
            f'{_select("platform", "Platform", platforms)}'
            '<label>Text<input type="search" name="text" placeholder="id, file, message…" autocomplete="off">'
            '</label><output id="shown" aria-live="polite"></output></form>')


def _select(name: str, label: str, values: list[str]) -> str:
    options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
    return f'<label>{esc(label)}<select name="{name}"><option value="">all</option>{options}</select></label>'


def _finding(finding: Finding, number: int, rule: Rule | None, audit: Audit, first: int) -> str:
    platform = platform_of(finding.subject_id, finding.subject_kind)
    path = finding.path or (Step(finding.subject_id, finding.subject_kind),)
    caption = (f'<span class="path-text">{esc(path_text(finding.path))}</span>' if finding.path
               else '<span class="small muted">No path: the finding is about this node itself.</span>')
    return (f'<article class="card finding {esc(finding.severity)}" id="finding-{number}" '
            f'data-severity="{esc(finding.severity)}" '
            f'data-rule="{esc(finding.rule)}" data-platform="{esc(platform)}">'
            f'<header><span class="pill sev-{esc(finding.severity)}">{esc(finding.severity.upper())}</span>'
            f'<strong>{esc(finding.rule)}</strong><h3>{esc(finding.title)}</h3></header>'
            f'<p class="message">{esc(finding.message)}</p>'
            f'<p class="where">{esc(finding.subject_kind)} <code>{esc(finding.subject_id)}</code> · '
            f'<code>{esc(finding.location)}</code> · {esc(platform)}</p>'
            f"<figure>{draw(path, audit.left, audit.customer)}<figcaption>{caption}</figcaption></figure>"
            f"{_why(rule, None if first == number else first)}</article>")


def _why(rule: Rule | None, first: int | None) -> str:
    """On screen every card is whole (the filters may hide the first of a rule); on paper the why and how of a rule
    are printed once, with its `first` finding (None: this one)."""
    if rule is None:
        return ""
    references = ", ".join(f"<code>{esc(ref)}</code>" for ref in rule.references)
    once = ('<p class="print-only small muted">Why it matters and how to fix it: as for the '
            f'<a href="#finding-{first}">first {esc(rule.id)} finding</a> above.</p>') if first is not None else ""
    return (f'{once}<div class="why{"" if first is None else " repeat"}"><div><h4>Why it matters</h4>'
            f'{_paragraphs(rule.rationale)}</div>'
            f'<div><h4>How to fix it</h4>{_paragraphs(rule.remediation)}'
            + (f'<p class="small muted">References: {references}</p>' if references else "") + "</div></div>")


def _paragraphs(text: str) -> str:
    """Rule texts are wrapped by hand: a blank line starts a paragraph, a single line break is a space."""
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()))
    return "".join(f"<p>{esc(p)}</p>" for p in paragraphs if p)


def suppressed(audit: Audit) -> str:
    listed = sorted(audit.report.suppressed, key=lambda s: (SEVERITIES.index(s.finding.severity), s.finding.rule,
                                                            s.finding.location))
    rows = within((
        f'<tr><td><span class="pill sev-{esc(s.finding.severity)}">{esc(s.finding.severity)}</span> '
        f"<strong>{esc(s.finding.rule)}</strong> {esc(s.finding.message)}<br>"
        f'<code class="muted">{esc(s.finding.location)}</code></td><td>{esc(s.by)}</td><td>{esc(s.reason)}</td>'
        f"<td>{esc(s.owner or '—')}</td><td>{esc(s.expires.isoformat() if s.expires else 'never')}</td>"
        f"<td><code>{esc(s.location)}</code></td></tr>" for s in listed), SUPPRESSED_BUDGET)
    more = len(listed) - len(rows)
    tail = (f'<p class="muted">and {more:,} more (the page lists {len(rows):,}, to stay small enough for a browser to '
            "open; <code>policylint check --show-suppressed --format json</code> lists every one).</p>"
            ) if more > 0 else ""
    body = ('<div class="card" style="padding:6px 12px"><table><thead><tr><th style="width:36%">Finding</th>'
            '<th style="width:9%">By</th><th>Reason</th><th style="width:11%">Owner</th>'
            '<th style="width:10%">Expires</th><th style="width:15%">Written at</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>{tail}"
            ) if rows else '<p class="muted">No finding is suppressed.</p>'
    return ('<section id="suppressed"><h2>Suppressed findings</h2>'
            '<p class="lede">Findings an exception, an inline comment or the baseline keeps out of the findings above: '
            f"{plural(len(listed), 'finding')}, each with who accepted it, why, and until when.</p>{body}</section>")


def problems(audit: Audit) -> str:
    report = audit.report
    if not report.errors and not report.notices:
        return ""
    errors = "".join(f"<li><code>{esc(e.location)}</code>: {esc(e.message)}</li>" for e in report.errors)
    notes = "".join(f"<li><code>{esc(n.location)}</code>: {esc(n.message)}</li>" for n in report.notices)
    return ('<section id="problems"><h2>Input errors and notes</h2>'
            + (f'<div class="alert"><strong>{plural(len(report.errors), "input error")}</strong>: this report may miss '
               f"what these files hold; fix them and run again.<ul>{errors}</ul></div>" if errors else "")
            + (f'<div class="card"><h4>Notes</h4><ul>{notes}</ul></div>' if notes else "") + "</section>")
