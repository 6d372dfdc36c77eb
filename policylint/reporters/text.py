"""`file:line:col: SEVERITY RULE message`, then the evidence path, as compilers and linters print."""

from __future__ import annotations

from policylint.exposure import Exposure
from policylint.redact import no_command_lines, printable
from policylint.report import Report
from policylint.reporters.paths import compact
from policylint.reporters.shown import escaped, escaped_reach
from policylint.reporters.summary import by_severity, skipped, unclassified


def render(report: Report) -> str:
    """Every value from an input escaped before it is placed on a line (`shown.escaped`), so the only line breaks
    are this format's own, and no line can start a CI workflow command."""
    return no_command_lines(_render(escaped(report)))


def _render(report: Report) -> str:
    lines = [str(error) for error in report.errors]
    if report.base is not None and (report.findings or report.resolved):
        lines.append(f"new since {report.base}:" if report.findings else f"nothing new since {report.base}")
    for f in report.findings:
        lines.append(f"{f.location}: {f.severity.upper()} {f.rule} {f.message}")
        if f.path:
            lines.append(f"    path: {compact(f.path)}")
    if report.resolved:
        lines.append(f"resolved since {report.base}:")
        lines.extend(f"{f.location}: resolved {f.rule} {f.message}" for f in report.resolved)
    for s in report.suppressed:
        until = f", until {s.expires.isoformat()}" if s.expires else ""
        owner = f", owner {s.owner}" if s.owner else ""
        lines.append(f"{s.finding.location}: suppressed {s.finding.rule} {s.finding.message}")
        lines.append(f"    by {s.by} at {s.location}: {s.reason}{owner}{until}")
    lines.extend(f"{n.location}: note: {n.message}" for n in report.notices)
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    """The last line alone: what the console shows when the report goes to files (`-o`) or holds only rows (csv)."""
    return no_command_lines(_summary(escaped(report)))


def _summary(report: Report) -> str:
    counts = ", ".join(f"{n} {severity}" for severity, n in by_severity(report).items() if n)
    found = f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''}"
    text = f"{found}{f' ({counts})' if counts else ''} in {report.files} file{'s' if report.files != 1 else ''}"
    text += f" with {len(report.rules)} rule{'s' if len(report.rules) != 1 else ''} as of {report.as_of.isoformat()};"
    note = unclassified(report)
    text += f" {report.exposed_identities} identities can reach customer data." if note is None else f" {note}."
    if report.suppressed:
        text += f" {len(report.suppressed)} suppressed."
    elif report.unlisted_suppressed:
        text += f" {report.unlisted_suppressed} suppressed (--show-suppressed lists them)."
    if report.resolved:
        text += f" {len(report.resolved)} resolved since {report.base}."
    if skipped(report):
        text += f" {skipped(report)}."
    if report.errors:
        text += f" {len(report.errors)} input error{'s' if len(report.errors) != 1 else ''}: fix them and run again."
    return text


def render_reach(as_of: str, exposures: list[Exposure], notes: tuple[str, ...] = ()) -> str:
    """`notes`: what the reader must know to trust the list (nothing classified, files skipped)."""
    return no_command_lines(_render_reach(as_of, escaped_reach(exposures), tuple(printable(n) for n in notes)))


def reached(e: Exposure) -> str:
    """What an identity reaches, never reading as 0 records where sizes are unknown: `33,700,000 records in 1
    resource`, `at least 1,200 records in 3 resources (2 more of unknown size)`, `2 resources of unknown size`."""
    known = e.reached - e.unknown
    if not known:
        return f"{e.unknown:,} resource{'s' if e.unknown != 1 else ''} of unknown size"
    text = f"{'at least ' if e.unknown else ''}{e.records:,} records in {e.reached:,} resource" + (
        "s" if e.reached != 1 else "")
    return text + (f" ({e.unknown:,} of them of unknown size)" if e.unknown else "")


def _render_reach(as_of: str, exposures: list[Exposure], notes: tuple[str, ...]) -> str:
    lines = [f"Who can reach customer data, as of {as_of}: {len(exposures)} identities"]
    lines.extend(f"note: {note}" for note in notes)
    for e in exposures:
        status = f", {e.status}" if e.status and e.status != "active" else ""
        name = f", {e.display_name}" if e.display_name else ""
        lines.append("")
        lines.append(f"{e.id} ({e.kind}{status}{name}): {reached(e)}")
        for r in e.resources:
            size = "records unknown" if r.records is None else f"{r.records:,} records"
            lines.append(f"  {r.id} [{', '.join(r.classes)}] {size}")
            lines.append(f"    path: {compact(r.path)}")
        if e.reached > len(e.resources):
            more = e.reached - len(e.resources)
            lines.append(f"  and {more:,} smaller resource{'s' if more != 1 else ''} (all of them: --show all)")
    return "\n".join(lines) + "\n"
