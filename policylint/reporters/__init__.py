"""Reporters: pure functions from a report to text. Registered here by format name."""

from __future__ import annotations

from collections.abc import Callable

from policylint.exposure import Exposure
from policylint.redact import redact
from policylint.report import Report
from policylint.reporters import csv as csv_format
from policylint.reporters import github, gitlab, junit, sarif
from policylint.reporters import json as json_format
from policylint.reporters import text as text_format
from policylint.reporters.shown import redacted, redacted_reach

Render = Callable[[Report], str]
RenderReach = Callable[[str, list[Exposure], tuple[str, ...]], str]


def _redacting(render: Render) -> Render:
    """Every format is reached through here: the one place secrets from inputs are masked (`shown.redacted`)."""
    return lambda report: render(redacted(report))


def _redacting_reach(render: RenderReach) -> RenderReach:
    return lambda as_of, exposures, notes: render(as_of, redacted_reach(exposures), tuple(redact(n) for n in notes))


CHECK: dict[str, Render] = {
    "text": _redacting(text_format.render),
    "json": _redacting(json_format.render),
    "sarif": _redacting(sarif.render),
    "junit": _redacting(junit.render),
    "github": _redacting(github.render),
    "gitlab": _redacting(gitlab.render),
    "csv": _redacting(csv_format.render),
}
REACH: dict[str, RenderReach] = {
    "text": _redacting_reach(text_format.render_reach),
    "json": _redacting_reach(json_format.render_reach),
    "csv": _redacting_reach(csv_format.render_reach),
}
SUMMARY: Render = _redacting(text_format.summary)  # the text format's last line, for the console
ROWS_ONLY = frozenset({"csv"})  # formats with no place for input errors, notes and the summary: the console has them
# The format an output file's name means (`-o report.sarif`), where `--format` does not say; a format only the
# registry knows is offered (`.html` once the html report is registered).
SUFFIXES = {suffix: name for suffix, name in (
    (".sarif", "sarif"), (".json", "json"), (".xml", "junit"), (".csv", "csv"), (".txt", "text"), (".html", "html"),
) if name in CHECK}
