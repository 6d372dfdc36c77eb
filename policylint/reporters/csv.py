"""CSV for spreadsheets: `check` one row per finding, `reach` one row per identity and resource listed (README,
"CSV output").

Every value from an input is escaped first (`shown.escaped`: a control character, a line break included, is shown
as `\\x0a`, so a record is one line and nothing can act on a terminal or a CI log), and every cell is one a
spreadsheet shows as text, never runs (`csvsafe`). Rows only: the input errors and the summary go to the console
(the CLI), where they go with `-o` too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from policylint.csvsafe import rows_text
from policylint.exposure import Listed
from policylint.findings import Finding
from policylint.graph import Step
from policylint.redact import no_command_lines
from policylint.report import Report
from policylint.reporters.paths import compact
from policylint.reporters.shown import escaped, escaped_reach

CHECK_COLUMNS = ("severity", "rule", "title", "subject_kind", "subject", "file", "line", "column", "message", "path",
                 "fingerprint")
REACH_COLUMNS = ("identity", "kind", "status", "display_name", "resource", "classes", "records", "access", "path")


def render(report: Report) -> str:
    """With suppressed findings listed (`--show-suppressed`) or resolved ones (`diff`), a last column says which
    each row is: new, resolved or suppressed."""
    shown = escaped(report)
    rows = [(f, "new") for f in shown.findings]
    rows += [(f, "resolved") for f in shown.resolved]
    rows += [(s.finding, "suppressed") for s in shown.suppressed]
    if not shown.suppressed and shown.base is None:
        return _text(CHECK_COLUMNS, [_finding(f) for f, _ in rows])
    return _text((*CHECK_COLUMNS, "status"), [(*_finding(f), status) for f, status in rows])


def _finding(f: Finding) -> tuple[object, ...]:
    return (f.severity, f.rule, f.title, f.subject_kind, f.subject_id, f.location.file, f.location.line,
            f.location.column, f.message, compact(f.path), f.fingerprint)


def render_reach(as_of: str, exposures: Listed, notes: tuple[str, ...] = ()) -> str:
    return "".join(stream_reach(as_of, exposures, notes))


def stream_reach(as_of: str, exposures: Listed, notes: tuple[str, ...] = ()) -> Iterator[str]:
    """The header, then each identity's rows as the listing is read. `records` is empty where the count is unknown
    (never 0); `access` is how the path's last step gets to the resource (`read, write`, `admin`, `controls`)."""
    header = _text(REACH_COLUMNS, [])
    yield header
    for e in escaped_reach(exposures):
        if e.resources:
            rows = [(e.id, e.kind, e.status, e.display_name, r.id, ", ".join(r.classes), r.records, access(r.path),
                     compact(r.path)) for r in e.resources]
            yield _text(REACH_COLUMNS, rows)[len(header):]  # the writer keeps nothing between records


def access(path: Sequence[Step]) -> str:
    """The access the last step of a path gives: its actions, else its relation (`controls`, `reads key`)."""
    if not path:
        return ""
    last = path[-1]
    return ", ".join(last.access) or last.label


def _text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    return no_command_lines(rows_text(header, rows))
