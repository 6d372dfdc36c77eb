"""The one door from inputs to outputs: a report whose every string that came from an input is redacted (for every
format) or escaped (for the human-readable ones), so no format has to remember to do it value by value.

`redacted` is applied once to every report and reach listing the registry (`reporters.CHECK`, `REACH`) renders;
the text, github and junit formats apply `escaped` first thing, gitlab and sarif to the text a person reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from policylint.exposure import ExposedResource, Exposure, Listed, Summary
from policylint.redact import printable, redact
from policylint.report import Change, Report, mapped, mapped_path

# Report fields, by whether an input can put text in them: a field added to Report must be placed in one (a test
# fails otherwise), so nothing new reaches an output unredacted.
FROM_INPUTS = frozenset({"findings", "errors", "rules", "suppressed", "notices", "resolved", "base", "skipped",
                         "patterns", "data_classes"})
NOT_SHOWN_OR_OURS = frozenset({"as_of", "files", "exposed_identities", "customer_resources", "unclassified",
                               "unlisted_suppressed",
                               "inputs"})  # dates and counts; `inputs` is compared with -o, never shown


def redacted(report: Report) -> Report:
    """Every string from an input with its secrets masked (`redact`); rule documentation too (--policies)."""
    return mapped(report, _memo(redact), rule_text=True)


def escaped(report: Report) -> Report:
    """Every string from an input with its control characters shown as escapes (`printable`)."""
    return mapped(report, _memo(printable), rule_text=False)


def redacted_reach(exposures: Listed) -> Listed:
    """Lazily, as the listing is read (`reach` streams): each identity changed when it is written."""
    return MappedListing(exposures, _memo(redact))


def escaped_reach(exposures: Listed) -> Listed:
    return MappedListing(exposures, _memo(printable))


def redacted_summary(summary: Summary) -> Summary:
    return replace(summary, top=tuple(redacted_reach(list(summary.top))))


def redacted_document(value: Any) -> Any:
    """A JSON document (the facts of a node) with every string, key or value, redacted."""
    change = _memo(redact)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return change(item)
        if isinstance(item, dict):
            return {walk(k): walk(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v) for v in item]
        return item

    return walk(value)


def _memo(change: Change) -> Change:
    """Ids repeat across paths and messages: each distinct string is changed once per report."""
    seen: dict[str, str] = {}

    def changed(text: str) -> str:
        if text not in seen:
            seen[text] = change(text)
        return seen[text]

    return changed


@dataclass(frozen=True, slots=True)
class MappedListing:
    """A reach listing whose every string from an input is changed as it is read; counted as the listing is."""

    exposures: Listed
    change: Change  # memoised: the distinct strings of a listing are bounded by the graph's

    def __len__(self) -> int:
        return len(self.exposures)

    def __iter__(self) -> Iterator[Exposure]:
        return (_mapped_exposure(e, self.change) for e in self.exposures)


# Built directly, not with `dataclasses.replace`, and a step kept when nothing in it changes (nearly every one):
# `--show all` at 50,000 people maps 7M paths twice, and `replace` on each step was a third of its time.
def _mapped_exposure(e: Exposure, change: Change) -> Exposure:
    return Exposure(change(e.id), e.kind, None if e.status is None else change(e.status), e.records,
                    tuple(_resource(r, change) for r in e.resources), e.reached, e.unknown,
                    None if e.display_name is None else change(e.display_name))


def _resource(resource: ExposedResource, change: Change) -> ExposedResource:
    return ExposedResource(change(resource.id), tuple(change(c) for c in resource.classes), resource.records,
                           mapped_path(resource.path, change))



