"""Findings kept out of a report on purpose, and always accounted for: exceptions, inline comments, the baseline.

- An **exception** (exceptions file) names a rule, a subject (id or glob), a reason, an owner and an expiry date.
  Before `expires` (compared with --as-of) a matching finding is suppressed; from that day on it is reported
  again, its message saying the exception expired.
- An **inline comment** `# policylint: ignore PL104 reason="…" expires=2026-03-01` on a definition's line (or alone
  on the line just above it) does the same for the nodes defined on that line.
- The **baseline** (`policylint baseline`) lists findings by fingerprint (rule, kind, subject: it survives moved,
  reformatted and split files) with their evidence (evidence.py); an entry whose fingerprint is not that of its own
  rule and subject is a located error, not a label over another finding. A finding in it is suppressed without expiry
  while it is the same or narrower; one that got worse (a second departed reader) is reported, its message
  saying what is new. A baseline of the first format (no evidence) still matches on the fingerprint alone, and one
  of the second (grants named by resource alone) accepts any grant on a resource it names, each with a notice to
  write it again.
Every suppressed finding stays in the report (`--show-suppressed`); an exception, comment or baseline entry that
matches nothing is a notice, so the lists can only shrink.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from policylint.errors import InputError, file_error
from policylint.evidence import (
    GRANT_LISTS,
    Counts,
    Evidence,
    Member,
    evidence_from_json,
    evidence_json,
    grant_key,
    is_grant_key,
    reached_from_json,
)
from policylint.findings import Finding, Notice, Suppression, fingerprint, worsened
from policylint.jsonout import indented
from policylint.model import Location
from policylint.redact import printable_json
from policylint.sources.base import Options
from policylint.validate import schema_errors
from policylint.walk import Candidate, read
from policylint.yamlsafe import YMap, decode, load_one, scalar_spans

MAX_FILE_BYTES = Options().max_file_bytes  # the default cap; the run passes the configured one
BASELINE_MARKER = "policylint-baseline"
BASELINE_FORMAT = 3  # 1: fingerprints only; 2: and each finding's evidence; 3: and each grant by its actions
GRANTS_BY_RESOURCE = 2  # the format whose evidence names a grant by its resource alone (`_by_resource`)
YAML_SUFFIXES = (".yaml", ".yml")
INLINE = re.compile(r"#\s*policylint:\s*ignore\b(?P<rest>.*)$")
_RULES = re.compile(r"\s*(?P<rules>[A-Za-z][A-Za-z0-9_-]*[0-9]+(?:\s*,\s*[A-Za-z][A-Za-z0-9_-]*[0-9]+)*)")
_FIELD = re.compile(r"""\s*(?P<key>[a-z]+)=(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+))""")


@dataclass(frozen=True, slots=True)
class Exception_:
    """An accepted risk: one rule on the subjects a glob names, until a date. (Named so as not to shadow builtins.)"""

    rule: str
    subject: str
    reason: str
    owner: str | None
    expires: date
    location: Location
    file_line: tuple[str, int] | None = None  # inline comments: only the nodes defined on this file and line

    def covers(self, finding: Finding) -> bool:
        if finding.rule != self.rule.upper():
            return False
        if self.file_line is not None:
            return _same_file(finding.location.file, self.file_line[0]) and finding.location.line == self.file_line[1]
        return fnmatch.fnmatchcase(finding.subject_id, self.subject)


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    subject: str
    location: Location
    evidence: Evidence | None = None  # what was accepted; None in a baseline of the first format
    by_resource: bool = False  # its evidence names grants by resource alone (format 2): any grant on it accepted


@dataclass(frozen=True, slots=True)
class Suppressions:
    exceptions: tuple[Exception_, ...] = ()
    baseline: tuple[BaselineEntry, ...] = ()


def _same_file(a: str, b: str) -> bool:
    return a == b or Path(a).resolve() == Path(b).resolve()


def _document(path: str, what: str, max_bytes: int) -> tuple[Any, list[InputError]]:
    """The parsed file, or the located error that stops it from being read. Read as the walk reads inventory files
    (walk.read): a regular file only, at most `max_bytes`, so `baseline: /dev/zero` is an error, not a full memory."""
    try:
        data = read(Candidate(path, True, None), max_bytes)
        if isinstance(data, InputError):
            return None, [data]
        return load_one(decode(data, path), path), []
    except OSError as exc:
        return None, [file_error(path, f"expected a readable {what} file, found: {exc.strerror}")]
    except ValueError:  # a NUL in the name
        return None, [file_error(repr(path), f"expected a {what} file name, found one with a NUL character")]
    except InputError as error:
        return None, [error]


def load_exceptions(path: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[Exception_], list[InputError]]:
    document, unreadable = _document(path, "exceptions", max_bytes)
    if unreadable:
        return [], unreadable
    if not isinstance(document, YMap):
        return [], [file_error(path, "expected a mapping with an 'exceptions:' list, found "
                                     f"{'an empty file' if document is None else type(document).__name__}")]
    errors = [error for error, _ in schema_errors("exceptions", document, path)]
    if errors:
        return [], errors
    found: list[Exception_] = []
    items = document["exceptions"]
    for index, item in enumerate(items):
        where = Location(path, *items.item_pos[index])
        try:
            expires = date.fromisoformat(item["expires"])
        except ValueError:
            errors.append(InputError(Location(path, *item.value_pos["expires"]),
                                     f"expected a real date YYYY-MM-DD, found {item['expires']!r}"))
            continue
        found.append(Exception_(item["rule"], item["subject"], item["reason"], item["owner"], expires, where))
    return found, errors


def scan_inline(files: Iterable[str]) -> tuple[list[Exception_], list[InputError]]:
    """Every `# policylint: ignore …` comment in the files, tied to the line of the definition it is on (or, alone
    on its line, to the next line)."""
    found: list[Exception_] = []
    errors: list[InputError] = []
    for path in files:
        try:
            text = Path(path).read_text("utf-8", errors="replace")
        except OSError:
            continue  # the loader has reported it
        if "policylint:" not in text or not path.lower().endswith(YAML_SUFFIXES):
            continue  # JSON and CSV have no comments
        spans: list[tuple[tuple[int, int], tuple[int, int]]] | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            comment = INLINE.search(line)
            if comment is None:
                continue
            where = Location(path, number, comment.start() + 1)
            spans = scalar_spans(text) if spans is None else spans
            if spans is None or any(start <= (number, comment.start() + 1) < end for start, end in spans):
                continue  # inside a quoted or block scalar: text, not a comment
            target = number + 1 if line[: comment.start()].strip() == "" else number
            parsed = _inline(comment["rest"], where, (path, target))
            if isinstance(parsed, InputError):
                errors.append(parsed)
            else:
                found.extend(parsed)
    return found, errors


def _inline(rest: str, where: Location, target: tuple[str, int]) -> list[Exception_] | InputError:
    rules = _RULES.match(rest)
    if rules is None:
        return InputError(where, f"expected rule ids after 'policylint: ignore' (e.g. PL104), found {rest.strip()!r}")
    fields: dict[str, str] = {}
    position = rules.end()
    while (field := _FIELD.match(rest, position)) is not None:
        fields[field["key"]] = field["quoted"] if field["quoted"] is not None else field["bare"]
        position = field.end()
    if rest[position:].strip():
        return InputError(where, f"expected key=value pairs (reason=\"…\" expires=YYYY-MM-DD owner=…), found "
                                 f"{rest[position:].strip()!r}")
    unknown = sorted(set(fields) - {"reason", "expires", "owner"})
    if unknown:
        return InputError(where, f"expected only reason, expires and owner, found {', '.join(unknown)}")
    missing = [k for k in ("reason", "expires") if not fields.get(k)]
    if missing:
        return InputError(where, f"expected {' and '.join(missing)} in the ignore comment (an exception needs a "
                                 "reason and an expiry date), found none")
    try:
        expires = date.fromisoformat(fields["expires"])
    except ValueError:
        return InputError(where, f"expected expires=YYYY-MM-DD, found {fields['expires']!r}")
    return [Exception_(rule.strip().upper(), "*", fields["reason"], fields.get("owner"), expires, where, target)
            for rule in rules["rules"].split(",")]


def load_baseline(path: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[BaselineEntry], list[InputError]]:
    document, unreadable = _document(path, "baseline", max_bytes)
    if unreadable:
        return [], unreadable
    entries = document.get("findings") if isinstance(document, YMap) else None
    version = document.get(BASELINE_MARKER) if isinstance(document, YMap) else None
    if version not in (1, GRANTS_BY_RESOURCE, BASELINE_FORMAT) or isinstance(version, bool) \
            or not isinstance(entries, list):
        return [], [file_error(path, f"expected a baseline written by `policylint baseline` ({BASELINE_MARKER!r}: "
                                     f"{BASELINE_FORMAT} and a findings list), found "
                                     f"{_version_found(version) if isinstance(entries, list) else 'something else'}")]
    table = document.get("reached", {})  # what findings reach, each set once (render_baseline)
    if not isinstance(table, dict):
        return [], [file_error(path, f"expected 'reached' to map each set's name to the resources reached, found "
                                     f"{type(table).__name__}")]
    shared: dict[str, Counts] = {}
    found = []
    errors = []
    seen: dict[str, Location] = {}
    for index, entry in enumerate(entries):
        where = Location(path, *entries.item_pos[index])  # type: ignore[attr-defined]
        if not (isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)):
            return [], [InputError(where, "expected a baseline entry with a fingerprint, found something else")]
        try:
            evidence = _evidence(entry, table, shared) if version != 1 else None
        except ValueError as error:
            return [], [InputError(where, f"{error} in a baseline entry (`policylint baseline` writes them)")]
        wrong = _wrong_fingerprint(entry)
        if wrong:
            errors.append(InputError(where, wrong))
            continue
        if entry["fingerprint"] in seen:  # which of two would be accepted? `policylint baseline` writes one
            first = seen[entry["fingerprint"]]
            errors.append(InputError(where, f"expected one entry per finding, found a second for {entry['rule']} "
                                            f"{entry['subject']} (the first at line {first.line})"))
            continue
        seen[entry["fingerprint"]] = where
        by_resource = version == GRANTS_BY_RESOURCE and evidence is not None and _names_grants(evidence)
        if by_resource and evidence is not None:
            evidence = _by_resource(evidence)
        found.append(BaselineEntry(entry["fingerprint"], entry["rule"], entry["subject"], where, evidence,
                                   by_resource))
    return ([], errors) if errors else (found, [])


def _names_grants(evidence: Evidence) -> bool:
    return any(path in GRANT_LISTS and members for path, members in evidence.lists)


def _by_resource(evidence: Evidence) -> Evidence:
    """A format-2 entry's grants, each named by its resource alone, as what that format accepted: any grant on the
    resource (`*`, unconditional, excluding nothing)."""
    return replace(evidence, lists=tuple(
        (path, tuple(m if is_grant_key(m.key) else Member(grant_key(m.key, "*", None, []), m.shown) for m in members)
         if path in GRANT_LISTS else members) for path, members in evidence.lists))


def _evidence(entry: dict[str, Any], table: dict[str, Any], shared: dict[str, Counts]) -> Evidence:
    """An entry's evidence; its `reached` is written in place or names a set of the file's `reached` table."""
    name = entry.get("reached")
    if not isinstance(name, str):
        return evidence_from_json(entry)
    if name not in table:
        raise ValueError(f"expected reached to name a set of the baseline's 'reached' table, found {name!r}, "
                         "which it does not hold")
    if name not in shared:
        shared[name] = reached_from_json(table[name])
    return replace(evidence_from_json({**entry, "reached": {}}), reached=shared[name])


def _wrong_fingerprint(entry: dict[str, Any]) -> str | None:
    """Why the entry's fingerprint is not the one of its own rule and subject, or None when it is. The fingerprint
    is what is matched, the rule and subject what a reviewer reads: an entry that says "PL106 principal:x" and holds
    the fingerprint of a critical PL101 would hide that critical under a harmless-looking label."""
    rule, subject, written = entry.get("rule"), entry.get("subject"), entry["fingerprint"]
    kind, colon, node_id = subject.partition(":") if isinstance(subject, str) else ("", "", "")
    if not isinstance(rule, str) or not rule or not colon or not kind or not node_id:
        return (f"expected a baseline entry with its rule and subject (KIND:ID), as `policylint baseline` writes "
                f"them, found rule {rule!r} and subject {subject!r}")
    expected = fingerprint(rule, kind, node_id)
    if written != expected:
        return (f"expected the fingerprint of {rule} {subject}, {expected}, found {written!r}: the entry would "
                "suppress a finding other than the one it names; write the baseline again with `policylint baseline`")
    return None


def _version_found(version: Any) -> str:
    if version is None:
        return f"no {BASELINE_MARKER!r}"
    if isinstance(version, int) and not isinstance(version, bool) and version > BASELINE_FORMAT:
        return f"format {version}, which a newer policylint writes"
    return f"{BASELINE_MARKER!r}: {version!r}"


def render_baseline(findings: Iterable[Finding]) -> str:
    """The baseline file: reviewable JSON, one entry per finding, sorted. The fingerprint says which finding an
    entry is; its evidence (severity, records, the ids in each list, what it reaches) what was accepted. What a
    finding reaches is written once per set, in the `reached` table, and named by the entries: 300,000 keys reach
    19,000 sets of resources, written with each entry they would make the file four times larger."""
    table: dict[str, dict[str, int | None]] = {}
    names: dict[int, str] = {}  # by the id of a set, which the Evaluator holds once
    entries = sorted((_entry(f, table, names) for f in findings),
                     key=lambda e: (e["rule"], e["subject"], e["fingerprint"]))
    unique = [e for i, e in enumerate(entries) if i == 0 or e["fingerprint"] != entries[i - 1]["fingerprint"]]
    used = {e["reached"] for e in unique if isinstance(e["reached"], str)}
    document: dict[str, Any] = {BASELINE_MARKER: BASELINE_FORMAT, "findings": unique}
    if used:
        document["reached"] = {name: table[name] for name in sorted(used)}
    return printable_json(indented(document)) + "\n"  # a file to review: no raw control, bidi or lone surrogate


def _entry(finding: Finding, table: dict[str, dict[str, int | None]], names: dict[int, str]) -> dict[str, Any]:
    evidence = evidence_json(replace(finding.evidence, reached=()))
    reached = finding.evidence.reached
    if reached:
        name = names.get(id(reached))
        if name is None:
            written = dict(reached)
            name = names[id(reached)] = "r-" + hashlib.sha256(
                json.dumps(written, sort_keys=True).encode()).hexdigest()[:16]
            table[name] = written
        evidence["reached"] = name
    return {"rule": finding.rule, "subject": f"{finding.subject_kind}:{finding.subject_id}",
            "severity": evidence.pop("severity"), "title": finding.title, "fingerprint": finding.fingerprint,
            **evidence}


def apply(findings: list[Finding], suppressions: Suppressions, as_of: date, ran: set[str] | None = None
          ) -> tuple[list[Finding], list[Suppression], list[Notice]]:
    """(findings still reported, findings suppressed, notices of suppressions that match nothing). Suppressions
    of rules that did not run (`ran`: --select, --ignore) match nothing for a reason, and are not told."""
    kept: list[Finding] = []
    suppressed: list[Suppression] = []
    used_exceptions: set[int] = set()
    baseline = {entry.fingerprint: entry for entry in suppressions.baseline}
    used_baseline: set[str] = set()
    for finding in findings:
        verdict = _exception_for(finding, suppressions.exceptions, as_of, used_exceptions)
        if isinstance(verdict, Suppression):
            suppressed.append(verdict)
        elif verdict is not None:  # an expired exception: reported again, whatever the baseline says
            kept.append(verdict)
        elif finding.fingerprint in baseline:
            used_baseline.add(finding.fingerprint)
            entry = baseline[finding.fingerprint]
            new = () if entry.evidence is None else worsened(finding, entry.evidence)
            if new:
                kept.append(replace(finding, message=f"{finding.message} (worse than the baseline: {'; '.join(new)})"))
            else:
                suppressed.append(Suppression(finding, "baseline", "in the baseline", None, None, entry.location))
        else:
            kept.append(finding)
    def judged(rule: str) -> bool:
        return ran is None or rule.upper() in ran

    notices = [
        Notice(e.location, f"{'inline ignore' if e.file_line else 'exception'} for {e.rule} "
                           f"{'here' if e.file_line else repr(e.subject)} matches no finding: remove it")
        for number, e in enumerate(suppressions.exceptions) if number not in used_exceptions and judged(e.rule)
    ]
    notices += [Notice(entry.location, f"baseline entry {entry.rule} {entry.subject} matches no finding any more: "
                                       "run `policylint baseline` again to drop it")
                for fingerprint, entry in baseline.items() if fingerprint not in used_baseline and judged(entry.rule)]
    notices += [Notice(Location(file, 1, 1), "this baseline records no evidence (a file of the first format), so a "
                                             "finding in it stays suppressed however much worse it gets: write it "
                                             "again with `policylint baseline`")
                for file in sorted({e.location.file for e in suppressions.baseline if e.evidence is None})]
    notices += [Notice(Location(file, 1, 1), "this baseline names each grant by its resource alone (a file of the "
                                             "second format), so a grant on a resource it names stays suppressed "
                                             "however it widens (read to admin, a condition or an exclusion "
                                             "dropped): write it again with `policylint baseline`")
                for file in sorted({e.location.file for e in suppressions.baseline if e.by_resource})]
    return kept, suppressed, sorted(notices, key=lambda n: n.location)


def _exception_for(finding: Finding, exceptions: tuple[Exception_, ...], as_of: date, used: set[int]
                   ) -> Suppression | Finding | None:
    """A live exception suppresses; an expired one marks the finding; None when none applies."""
    expired: Exception_ | None = None
    for number, exception in enumerate(exceptions):
        if exception.covers(finding):
            used.add(number)
            if as_of < exception.expires:
                return Suppression(finding, "inline" if exception.file_line else "exception", exception.reason,
                                   exception.owner, exception.expires, exception.location)
            expired = expired or exception
    if expired is None:
        return None
    return replace(finding, message=f"{finding.message} (exception expired on {expired.expires.isoformat()}: "
                                    f"{expired.reason}; {expired.location})")


def unknown_rules(exceptions: Iterable[Exception_], rule_ids: set[str]) -> list[InputError]:
    return [InputError(e.location, f"expected a rule id that exists, found {e.rule!r}; `policylint rules` lists them")
            for e in exceptions if e.rule.upper() not in rule_ids]
