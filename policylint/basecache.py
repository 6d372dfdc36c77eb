"""What a diff needs of its base (findings, who reaches which customer data, the base's input errors), cached by the
content of the base's inventory paths and everything else that decides it, so the pre-commit hook analyses HEAD
once, not on every commit.

The cache lives in the repository's own folder (`.git/policylint/`), never in the working tree. It is plain JSON, and
a file that does not read back exactly is ignored and rebuilt: a broken cache costs time, never a finding.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from policylint import __version__, gitrev
from policylint.errors import UsageError
from policylint.evidence import Counts, evidence_from_json, evidence_json, reached_from_json
from policylint.findings import Finding, Notice
from policylint.fragcache import program_id
from policylint.graph import Step
from policylint.model import Location
from policylint.settings import Settings, rule_set

FORMAT = 3  # 3: each distinct reached set written once
KEEP = 8  # cached bases kept per repository: the newest ones (a branch switch back and forth stays cached)


@dataclass(frozen=True, slots=True)
class Base:
    findings: tuple[Finding, ...]
    reached: dict[str, frozenset[str]]  # identity id -> the customer-data resources it reaches
    notices: tuple[Notice, ...]
    files: tuple[str, ...] = ()  # the files read, relative to the repository (PL901: a file no longer read)
    roster: tuple[str, ...] = ()  # the files that defined people, relative to the repository (PL903: roster gone)
    by_fingerprint: dict[str, Finding] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_fingerprint", {f.fingerprint: f for f in self.findings})


def key(content: str, settings: Settings, paths: tuple[str, ...], exclude: tuple[str, ...] | None, cwd: Path) -> str:
    """Everything the base's analysis depends on: its files (`gitrev.content_id` of the paths read), the settings
    and rules it is judged by, the program, and where it is run from (file names are reported relative to the
    working directory)."""
    rules, _ = rule_set(list(settings.policies), settings.select, settings.ignore, settings.extra_rules)
    described = {
        "format": FORMAT, "version": __version__, "program": program_id(), "content": content,
        "cwd": str(cwd.resolve()),
        "paths": list(paths), "exclude": list(settings.exclude if exclude is None else exclude),
        "exclude_root": settings.exclude_root, "as_of": settings.as_of.isoformat(),
        "patterns": list(settings.patterns), "unclassified": settings.unclassified,
        "options": repr(settings.options),
        "rules": [[r.id, settings.severity.get(r.id, r.severity), r.message, r.title, list(r.subjects),
                   json.dumps(r.match, sort_keys=True, default=str)] for r in rules],
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _folder(root: Path) -> Path | None:
    try:
        found = gitrev.git_dir(root)
    except UsageError:  # no git at all: no cache
        return None
    return None if found is None else found / "policylint"


def load(root: Path, wanted: str) -> Base | None:
    folder = _folder(root)
    if folder is None:
        return None
    try:
        document = json.loads((folder / f"base-{wanted}.json").read_text("utf-8"))
        return _decoded(document) if document.get("key") == wanted else None
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # missing or unreadable: the base is analysed again


def store(root: Path, wanted: str, base: Base) -> None:
    """Written atomically; a cache that cannot be written is only a slower next run."""
    folder = _folder(root)
    if folder is None:
        return
    try:
        if folder.is_symlink():  # `.git/policylint` leading elsewhere: nothing is written through it
            return
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"key": wanted, **_encoded(base)}, ensure_ascii=False)
        handle, temporary = tempfile.mkstemp(prefix=".base-", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, folder / f"base-{wanted}.json")
        _prune(folder)
    except OSError:
        return


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("base-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)


def _encoded(base: Base) -> dict[str, Any]:
    sets: dict[Any, int] = {}  # each distinct reached set once (300,000 findings reach a few thousand sets)
    return {
        "findings": [_finding_out(f, sets) for f in base.findings],
        "reached_sets": [dict(counts) for counts in sets],
        "reached": {node: sorted(resources) for node, resources in base.reached.items()},
        "notices": [[*_location_out(n.location), n.message] for n in base.notices],
        "files": list(base.files),
        "roster": list(base.roster),
    }


def _decoded(document: dict[str, Any]) -> Base:
    sets = [reached_from_json(counts) for counts in document["reached_sets"]]
    return Base(
        tuple(_finding_in(f, sets) for f in document["findings"]),
        {node: frozenset(resources) for node, resources in document["reached"].items()},
        tuple(Notice(Location(file, line, column), message) for file, line, column, message in document["notices"]),
        tuple(document["files"]),
        tuple(document["roster"]),
    )


def _location_out(location: Location) -> list[Any]:
    return [location.file, location.line, location.column]


_SPECIAL = {"location", "evidence", "path"}


def _finding_out(finding: Finding, sets: dict[Any, int]) -> dict[str, Any]:
    evidence = evidence_json(finding.evidence)
    del evidence["reached"]
    evidence["reached_set"] = sets.setdefault(finding.evidence.reached, len(sets))
    return {"location": _location_out(finding.location), "evidence": evidence,
            "path": [[s.node, s.kind, s.relation, list(s.access), s.condition, s.through] for s in finding.path],
            **{f.name: getattr(finding, f.name) for f in fields(Finding) if f.name not in _SPECIAL}}


def _finding_in(item: dict[str, Any], sets: list[Counts]) -> Finding:
    values = {f.name: _tuples(item[f.name]) for f in fields(Finding) if f.name not in _SPECIAL}
    path = tuple(Step(node, kind, relation, tuple(access), condition, through)
                 for node, kind, relation, access, condition, through in item["path"])
    evidence = item["evidence"]
    return Finding(location=Location(*item["location"]), path=path,
                   evidence=evidence_from_json(evidence, sets[evidence["reached_set"]]), **values)


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples the finding held."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value
