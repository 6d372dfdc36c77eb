"""GitHub Actions workflow commands: one annotation per finding and input error, then a plain summary line.

Values are escaped exactly as the Actions toolkit does (`@actions/core` `escapeData`/`escapeProperty`), so no id,
message or file name can end a command early or start a new one.
"""

from __future__ import annotations

from policylint.model import Location
from policylint.report import Report
from policylint.reporters.paths import compact
from policylint.reporters.shown import escaped
from policylint.reporters.summary import by_severity, unclassified

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


def render(report: Report) -> str:
    report = escaped(report)  # control characters from inputs shown as escapes, then the toolkit's own escaping
    lines = [_command("error", e.location, "policylint input error", e.message)
             for e in sorted(report.errors, key=lambda e: (e.location, e.message))]
    for f in sorted(report.findings):
        message = f"{f.message}\npath: {compact(f.path)}" if f.path else f.message
        lines.append(_command(COMMANDS[f.severity], f.location, f"{f.rule} {f.title}", message))
    for n in sorted(report.notices, key=lambda n: (n.location, n.message)):
        lines.append(_command("notice", n.location, "policylint notice", n.message))
    note = unclassified(report)
    if note is not None:
        lines.append(f"::warning title=policylint: nothing is customer data::{escape_data(note)}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _command(name: str, location: Location, title: str, message: str) -> str:
    properties = {"file": location.file, "line": str(location.line), "col": str(location.column), "title": title}
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name} {listed}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _summary(report: Report) -> str:
    counts = ", ".join(f"{n} {severity}" for severity, n in by_severity(report).items() if n)
    text = f"policylint: {_plural(len(report.findings), 'finding')}{f' ({counts})' if counts else ''}"
    text += f" in {_plural(report.files, 'file')} as of {report.as_of.isoformat()}"
    extras = [_plural(len(report.errors), "input error")] if report.errors else []
    if report.suppressed:
        extras.append(f"{len(report.suppressed)} suppressed")
    if report.resolved:
        extras.append(f"{len(report.resolved)} resolved")
    return f"{text}{'; ' + ', '.join(extras) if extras else ''}."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
