"""`file:line:col: SEVERITY RULE message`, then the evidence path, as compilers and linters print."""

from __future__ import annotations

from collections.abc import Iterator

from policylint.exposure import Exposure, Listed, Summary
from policylint.redact import no_command_lines, printable
from policylint.report import Report
from policylint.reporters.paths import compact
from policylint.reporters.shown import escaped, escaped_reach
from policylint.reporters.summary import by_severity, skipped, unclassified

LINES_PER_PIECE = 2000  # a report of 300,000 findings is written in pieces, never held whole (86 MB of text)


def render(report: Report) -> str:
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """The report in pieces of whole lines, in order. Every value from an input escaped before it is placed on a
    line (`shown.escaped`), so the only line breaks are this format's own, and no line can start a CI workflow
    command."""
    for lines in _pieces(escaped(report)):
        yield no_command_lines("\n".join(lines) + "\n")


def _pieces(report: Report) -> Iterator[list[str]]:
    lines = [str(error) for error in report.errors]
    if report.base is not None and (report.findings or report.resolved):
        lines.append(f"new since {report.base}:" if report.findings else f"nothing new since {report.base}")
    for f in report.findings:
        lines.append(f"{f.location}: {f.severity.upper()} {f.rule} {f.message}")
        if f.path:
            lines.append(f"    path: {compact(f.path)}")
        if len(lines) >= LINES_PER_PIECE:
            yield lines
            lines = []
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
    yield lines


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


def render_reach(as_of: str, exposures: Listed, notes: tuple[str, ...] = ()) -> str:
    """`notes`: what the reader must know to trust the list (nothing classified, files skipped)."""
    return "".join(stream_reach(as_of, exposures, notes))


def stream_reach(as_of: str, exposures: Listed, notes: tuple[str, ...] = ()) -> Iterator[str]:
    """The listing as it is read: its head, then whole lines per identity (`reach` writes each as it comes)."""
    shown = escaped_reach(exposures)
    yield _lines(_head(as_of, len(shown), notes))
    for e in shown:
        yield _lines(["", *_identity(e)])


def reached(e: Exposure) -> str:
    """What an identity reaches, never reading as 0 records where sizes are unknown: `33,700,000 records in 1
    resource`, `at least 1,200 records in 3 resources (2 more of unknown size)`, `2 resources of unknown size`."""
    known = e.reached - e.unknown
    if not known:
        return f"{e.unknown:,} resource{'s' if e.unknown != 1 else ''} of unknown size"
    text = f"{'at least ' if e.unknown else ''}{e.records:,} records in {e.reached:,} resource" + (
        "s" if e.reached != 1 else "")
    return text + (f" ({e.unknown:,} of them of unknown size)" if e.unknown else "")


def _head(as_of: str, identities: int, notes: tuple[str, ...]) -> list[str]:
    return [f"Who can reach customer data, as of {as_of}: {identities} identities",
            *(f"note: {printable(note)}" for note in notes)]


def _title(e: Exposure) -> str:
    status = f", {e.status}" if e.status and e.status != "active" else ""
    name = f", {e.display_name}" if e.display_name else ""
    return f"{e.id} ({e.kind}{status}{name}): {reached(e)}"


def _identity(e: Exposure) -> list[str]:
    lines = [_title(e)]
    for r in e.resources:
        size = "records unknown" if r.records is None else f"{r.records:,} records"
        lines.append(f"  {r.id} [{', '.join(r.classes)}] {size}")
        lines.append(f"    path: {compact(r.path)}")
    if e.reached > len(e.resources):
        more = e.reached - len(e.resources)
        lines.append(f"  and {more:,} smaller resource{'s' if more != 1 else ''} (all of them: --show all)")
    return lines


def _lines(lines: list[str]) -> str:
    """Whole lines, each ended: a line that could start a CI workflow command is neutralised line by line."""
    return no_command_lines("".join(line + "\n" for line in lines))


def render_reach_summary(as_of: str, summary: Summary, notes: tuple[str, ...], command: str) -> str:
    """`reach` where the whole list is more than anyone reads: the totals, the identities that reach the most (one
    line each, as the list has them), and the command that writes the whole list."""
    top = list(escaped_reach(list(summary.top)))
    more = summary.identities - len(top)
    lines = [*_head(as_of, summary.identities, notes), "", _totals(summary), "",
             f"The {len(top):,} identities that reach the most records, people who have left (departed or "
             "suspended) and their own accounts first:", "", *(_title(e) for e in top), "",
             f"{f'and {more:,} more. ' if more else ''}Every identity, with its largest stores and a path to each:",
             f"  {printable(command)}",
             "(--show all lists every store; --format jsonl writes one identity per line, for a pipeline; --from ID "
             "lists one identity's paths)"]
    return _lines(lines)


def _totals(summary: Summary) -> str:
    people = "1 person" if summary.people == 1 else f"{summary.people:,} people"
    principals = f"{summary.identities - summary.people:,} principal" + (
        "s" if summary.identities - summary.people != 1 else "")
    return (f"{people} ({summary.left:,} of them departed or suspended) and {principals} reach "
            f"{_stores(summary)}.")


def _stores(summary: Summary) -> str:
    stores = f"{summary.stores:,} customer-data store{'s' if summary.stores != 1 else ''}"
    if summary.unknown == summary.stores:
        return f"{stores} of unknown size"
    at_least = "at least " if summary.unknown else ""
    unknown = f" ({summary.unknown:,} of them of unknown size)" if summary.unknown else ""
    return f"{stores} holding {at_least}{summary.records:,} records{unknown}"
