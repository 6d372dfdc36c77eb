"""Reporters: pure functions from a report to text. Registered here by format name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from policylint.exposure import Listed, Summary
from policylint.redact import redact
from policylint.report import Report
from policylint.reporters import csv as csv_format
from policylint.reporters import github, gitlab, junit, sarif
from policylint.reporters import json as json_format
from policylint.reporters import text as text_format
from policylint.reporters.shown import redacted, redacted_reach, redacted_summary

Render = Callable[[Report], str]
T = TypeVar("T")
RenderReach = Callable[[str, Listed, tuple[str, ...]], str]
StreamReach = Callable[[str, Listed, tuple[str, ...]], Iterator[str]]  # text to write as it comes, in order


def _redacting(render: Callable[[Report], T]) -> Callable[[Report], T]:
    """Every format is reached through here, whole or in pieces: the one place secrets from inputs are masked
    (`shown.redacted`)."""
    return lambda report: render(redacted(report))


def _redacting_reach(stream: StreamReach) -> StreamReach:
    return lambda as_of, exposures, notes: stream(as_of, redacted_reach(exposures), tuple(redact(n) for n in notes))


def _whole(stream: StreamReach) -> RenderReach:
    return lambda as_of, exposures, notes: "".join(stream(as_of, exposures, notes))


def reach_summary(as_of: str, summary: Summary, notes: tuple[str, ...], command: str) -> str:
    """`reach`'s default text where the list is longer than `exposure.SUMMARY_AFTER` (text only)."""
    return text_format.render_reach_summary(as_of, redacted_summary(summary), tuple(redact(n) for n in notes),
                                            redact(command))


CHECK: dict[str, Render] = {
    "text": _redacting(text_format.render),
    "json": _redacting(json_format.render),
    "sarif": _redacting(sarif.render),
    "junit": _redacting(junit.render),
    "github": _redacting(github.render),
    "gitlab": _redacting(gitlab.render),
    "csv": _redacting(csv_format.render),
}
# formats written in pieces as they are made (a report's text is never held whole): the same text as CHECK's
STREAM_CHECK: dict[str, Callable[[Report], Iterator[str]]] = {
    "text": _redacting(text_format.stream),
    "json": _redacting(json_format.stream),
    "sarif": _redacting(sarif.stream),
}
# `reach` writes each identity as it is traced (memory bounded by the graph, not by the output); REACH is the
# same text whole
STREAM_REACH: dict[str, StreamReach] = {
    "text": _redacting_reach(text_format.stream_reach),
    "json": _redacting_reach(json_format.stream_reach),
    "jsonl": _redacting_reach(json_format.stream_lines),
    "csv": _redacting_reach(csv_format.stream_reach),
}
REACH: dict[str, RenderReach] = {name: _whole(stream) for name, stream in STREAM_REACH.items()}
SUMMARY: Render = _redacting(text_format.summary)  # the text format's last line, for the console
ROWS_ONLY = frozenset({"csv", "jsonl"})  # formats with no place for input errors, notes and the summary: the console
# has them
# The format an output file's name means (`-o report.sarif`), where `--format` does not say; a format only the
# registry knows is offered (`.html` once the html report is registered).
SUFFIXES = {suffix: name for suffix, name in (
    (".sarif", "sarif"), (".json", "json"), (".xml", "junit"), (".csv", "csv"), (".txt", "text"), (".html", "html"),
) if name in CHECK}
