"""`file:line:col: SEVERITY RULE message`, then the evidence path, as compilers and linters print."""

from __future__ import annotations

import re

from policylint.exposure import Exposure
from policylint.pipeline import Report
from policylint.reporters.summary import by_severity

ARROW = " → "


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def _printable(text: str) -> str:
    """Control characters from inputs (an id with an escape sequence) shown, never sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render(report: Report) -> str:
    return _printable(_render(report))


def _render(report: Report) -> str:
    lines = [str(error) for error in report.errors]
    if report.base is not None and (report.findings or report.resolved):
        lines.append(f"new since {report.base}:" if report.findings else f"nothing new since {report.base}")
    for f in report.findings:
        lines.append(f"{f.location}: {f.severity.upper()} {f.rule} {f.message}")
        if f.path:
            lines.append(f"    path: {ARROW.join(f.path)}")
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


def _summary(report: Report) -> str:
    counts = ", ".join(f"{n} {severity}" for severity, n in by_severity(report).items() if n)
    found = f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''}"
    text = f"{found}{f' ({counts})' if counts else ''} in {report.files} file{'s' if report.files != 1 else ''}"
    text += f" with {len(report.rules)} rule{'s' if len(report.rules) != 1 else ''} as of {report.as_of.isoformat()};"
    text += f" {report.exposed_identities} identities can reach customer data."
    if report.suppressed:
        text += f" {len(report.suppressed)} suppressed."
    if report.resolved:
        text += f" {len(report.resolved)} resolved since {report.base}."
    if report.errors:
        text += f" {len(report.errors)} input error{'s' if len(report.errors) != 1 else ''}: fix them and run again."
    return text


def render_reach(as_of: str, exposures: list[Exposure]) -> str:
    return _printable(_render_reach(as_of, exposures))


def _render_reach(as_of: str, exposures: list[Exposure]) -> str:
    lines = [f"Who can reach customer data, as of {as_of}: {len(exposures)} identities"]
    for e in exposures:
        status = f", {e.status}" if e.status and e.status != "active" else ""
        lines.append("")
        lines.append(f"{e.id} ({e.kind}{status}): {e.records:,} records in {e.reached} resources")
        for r in e.resources:
            lines.append(f"  {r.id} [{', '.join(r.classes)}] {r.records:,} records")
            lines.append(f"    path: {ARROW.join(r.path)}")
        if e.reached > len(e.resources):
            more = e.reached - len(e.resources)
            lines.append(f"  and {more:,} smaller resource{'s' if more != 1 else ''} (all of them: --show all)")
    return "\n".join(lines) + "\n"
