"""What a diff needs of its base (findings, who reaches which customer data, the base's input errors), cached by the
content of the base's inventory paths and everything else that decides it, so the pre-commit hook analyses HEAD
once, not on every commit.

The cache lives in the repository's own folder (`.git/policylint/`), never in the working tree, as two files of
plain JSON: an index (`base-<key>.json`: each finding's fingerprint and evidence digest, who reaches what, the
base's notices and files) and the findings themselves (`base-<key>.jsonl`, one per line). A comparison reads the
index whole and only the lines of the findings it cannot settle by digest (one that changed, one resolved): at
enterprise size that is a few lines of 400 MB. The index carries the findings file's sha256, checked when it is
opened: a file that does not read back exactly is ignored and rebuilt, so a broken cache costs time, never a
finding.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import tempfile
import time
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from policylint import __version__, gitrev
from policylint.errors import UsageError
from policylint.evidence import Counts, Digests, Member, evidence_from_json, evidence_json, reached_from_json
from policylint.findings import Finding, Notice, Suppression
from policylint.fragcache import program_id
from policylint.graph import Step
from policylint.jsonout import compact
from policylint.model import Location
from policylint.pipeline import Known
from policylint.settings import Settings, rule_set

FORMAT = 6  # 6: what a report of the side says beside its findings (5: what each finding reaches in the index, so
# a line is carried as it is; 4: index and findings apart, a finding read only when its digest differs, node
# digests; 3: sets once)
KEEP = 4  # cached bases kept per repository: the newest ones (HEAD, the next HEAD, a branch switched back to)


@dataclass(frozen=True, slots=True)
class Entry:
    """One finding as the cache holds it: its line (the finding but for what it reaches), and what it reaches."""

    fingerprint: str
    subject: str
    digest: str  # of its evidence (`evidence.Digests`)
    line: bytes
    reached: dict[str, int | None]  # resource id -> records (None: unknown), as JSON holds it
    carried: bool = False  # carried from another analysis, not judged on this tree (`Findings.carried`)


class Findings:
    """The base's findings by fingerprint, each with the digest of its evidence (`evidence.Digests`)."""

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self._held = {f.fingerprint: f for f in findings}
        self._digests = Digests()

    def fingerprints(self) -> Iterator[str]:
        return iter(self._held)

    def digest(self, fingerprint: str) -> str | None:
        """None: the base has no such finding."""
        found = self._held.get(fingerprint)
        return None if found is None else self._digests.digest(found.evidence)

    def get(self, fingerprint: str) -> Finding | None:
        return self._held.get(fingerprint)

    def subject(self, fingerprint: str) -> str | None:
        """The id of the node the finding is on, without reading the finding."""
        found = self._held.get(fingerprint)
        return None if found is None else found.subject_id

    def carried(self, fingerprint: str) -> bool:
        """Whether the finding was carried from another analysis as its line was written, not judged on this tree:
        its evidence is this tree's (equal by digest), its evidence path the one it had when last judged."""
        return False

    def differing(self, other: Findings) -> Iterator[str]:
        """The fingerprints of these findings that the other has not, or has with another evidence digest."""
        return (f for f in self.fingerprints() if other.digest(f) != self.digest(f))

    def missing_from(self, other: Findings) -> set[str]:
        """The fingerprints of these findings that the other has not."""
        return {f for f in self.fingerprints() if other.digest(f) is None}

    def all(self) -> list[Finding]:
        return [found for fingerprint in self.fingerprints() if (found := self.get(fingerprint)) is not None]

    def entries(self, subjects: Container[str] | None = None, carried: bool = False) -> Iterator[Entry]:
        """The findings on these subjects (None: all), as the cache writes them (`carried`: as carried into another
        analysis)."""
        for finding in self._held.values():
            if subjects is None or finding.subject_id in subjects:
                yield Entry(finding.fingerprint, finding.subject_id, self._digests.digest(finding.evidence),
                            compact(_finding_out(finding)) + b"\n",  # a lone surrogate: escaped, and read back
                            dict(finding.evidence.reached), carried)


class _Stored(Findings):
    """Findings in a cache's findings file, each decoded when it is asked for."""

    def __init__(self, body: mmap.mmap | None, numbers: dict[str, int], digests: list[str], offsets: list[int],
                 subjects: list[str], reaches: list[int], sets: list[Any], carried: int = 0) -> None:
        super().__init__()
        self._carried = carried  # the first findings, carried from another analysis
        self._body, self._numbers, self._digest_of, self._offsets = body, numbers, digests, offsets
        self._subjects, self._reaches = subjects, reaches  # each finding's subject and reached set
        self._written: list[Any] = sets  # the reached sets as written
        self._sets: list[Counts | None] = [None] * len(sets)  # each decoded once, when a finding names it
        self._decoded: dict[str, Finding] = {}

    def fingerprints(self) -> Iterator[str]:
        return iter(self._numbers)

    def digest(self, fingerprint: str) -> str | None:
        number = self._numbers.get(fingerprint)
        return None if number is None else self._digest_of[number]

    def subject(self, fingerprint: str) -> str | None:
        number = self._numbers.get(fingerprint)
        return None if number is None else self._subjects[number]

    def carried(self, fingerprint: str) -> bool:
        number = self._numbers.get(fingerprint)
        return number is not None and number < self._carried

    def differing(self, other: Findings) -> Iterator[str]:
        if not isinstance(other, _Stored):
            return super().differing(other)
        theirs, their_digests, mine = other._numbers, other._digest_of, self._digest_of  # one lookup each, not three
        return (f for f, n in self._numbers.items() if (m := theirs.get(f)) is None or their_digests[m] != mine[n])

    def missing_from(self, other: Findings) -> set[str]:
        if not isinstance(other, _Stored):
            return super().missing_from(other)
        return set(self._numbers.keys() - other._numbers.keys())

    def get(self, fingerprint: str) -> Finding | None:
        number = self._numbers.get(fingerprint)
        if number is None or self._body is None:
            return None
        if fingerprint not in self._decoded:
            try:
                self._decoded[fingerprint] = _finding_in(json.loads(self._line(number)),
                                                         self._set(self._reaches[number]))
            except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
                return None  # a line that does not read back: as if the cache had no copy of it
        return self._decoded[fingerprint]

    def entries(self, subjects: Container[str] | None = None, carried: bool = False) -> Iterator[Entry]:
        """Each line as it is written, never decoded: carried into the next cache as it is."""
        for fingerprint, number in self._numbers.items():
            subject = self._subjects[number]
            if subjects is None or subject in subjects:
                yield Entry(fingerprint, subject, self._digest_of[number], self._line(number),
                            self._written[self._reaches[number]], carried or number < self._carried)

    def _line(self, number: int) -> bytes:
        return b"" if self._body is None else self._body[self._offsets[number]:self._offsets[number + 1]]

    def _set(self, number: int) -> Counts:
        found = self._sets[number]
        if found is None:
            found = self._sets[number] = reached_from_json(self._written[number])
        return found


class Joined(Findings):
    """The findings of two caches' worth: those of `carried` on the subjects named, and `new` (the next HEAD's,
    made of the base's findings on the nodes the head did not judge and the head's own)."""

    def __init__(self, carried: Findings, subjects: Container[str], new: Findings) -> None:
        super().__init__()
        self._carried, self._subjects, self._new = carried, subjects, new

    def entries(self, subjects: Container[str] | None = None, carried: bool = False) -> Iterator[Entry]:
        if subjects is not None:
            raise ValueError("expected the whole of a joined set of findings")
        yield from self._carried.entries(self._subjects, carried=True)
        yield from self._new.entries(carried=carried)


@dataclass(frozen=True, slots=True)
class Summary:
    """What a report of this side says beside its findings and input errors, as the working tree names it: enough
    for a diff whose head is this side to be told from the cache alone (`diffcached`)."""

    exposed: int  # identities that reach customer data
    customer_resources: int
    data_classes: tuple[str, ...]  # the classes present when none is customer data (`Report.data_classes`)
    skipped: tuple[tuple[str, str], ...]  # (file relative to the repository, why no source reads it)
    notices: tuple[Notice, ...]  # the run's own: no roster, what the sources left unchecked
    errors: tuple[Notice, ...] = ()  # its input errors outside its files (a rule file's), as location and message
    crashed: bool = False  # one of its errors is a bug met reading a file (exit 3)
    suppressed: tuple[Suppression, ...] = ()  # what its inline ignore comments kept out of its findings


@dataclass(frozen=True, slots=True)
class Base:
    findings: Findings
    reached: Mapping[str, frozenset[str]]  # identity id -> the customer-data resources it reaches
    notices: tuple[Notice, ...]
    files: tuple[str, ...] = ()  # the files read, relative to the repository (PL901: a file no longer read)
    roster: tuple[str, ...] = ()  # the files that defined people, relative to the repository (PL903: roster gone)
    # each node's digest, and the files with an inline ignore comment (`pipeline.run`)
    known: Known = field(default_factory=lambda: Known({}))
    summary: Summary | None = None
    key: str | None = None  # the key it is cached under, when it is
    carried_from: str | None = None  # the key of the analysis its carried findings came from (`Findings.carried`)


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
        # every rule that loads, selected or not: an ignore comment naming none of them is an input error
        "known_rules": sorted(r.id for r in rule_set(list(settings.policies), extra=settings.extra_rules)[0]),
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
    if folder is None or folder.is_symlink():
        return None
    try:
        document = json.loads(_read(folder / f"base-{wanted}.json"))
        if document.get("key") != wanted:
            return None
        body = _opened(folder / f"base-{wanted}.jsonl", document["body"])
        if isinstance(body, bool):
            return None
        found = _decoded(document, body)
        _used(folder / f"base-{wanted}.json")
        return found
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None  # missing or unreadable: the base is analysed again


def store(root: Path, wanted: str, base: Base) -> None:
    """The findings file first, written as it is made, then the index naming its digest, each renamed into place
    whole; a cache that cannot be written is only a slower next run."""
    folder = _folder(root)
    if folder is None:
        return
    try:
        if folder.is_symlink():  # `.git/policylint` leading elsewhere: nothing is written through it
            return
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".base-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                index = _encoded(base, out)
            os.replace(temporary, folder / f"base-{wanted}.jsonl")
        finally:
            Path(temporary).unlink(missing_ok=True)
        _write(folder, f"base-{wanted}.json", compact({"key": wanted, **index}))
        _prune(folder)
    except (OSError, ValueError):  # ValueError: what JSON cannot hold (a value no input should carry)
        return


def stored(root: Path, wanted: str) -> bool:
    """Whether an entry with this key is there (read or not: `load` says whether it can be trusted)."""
    folder = _folder(root)
    return folder is not None and (folder / f"base-{wanted}.json").is_file()


def _write(folder: Path, name: str, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".base-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, folder / name)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(path: Path) -> bytes:
    """A regular file of the cache, never through a link."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()


def _opened(path: Path, described: Any) -> mmap.mmap | bool | None:
    """The findings file, mapped, when it is exactly what the index says (False otherwise; None: empty). A mapping
    keeps reading the file it mapped even when another run replaces or prunes it."""
    if not isinstance(described, dict) or not isinstance(described.get("size"), int):
        return False
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size != described["size"]:
            return False
        if size == 0:
            return None if described.get("sha256") == hashlib.sha256(b"").hexdigest() else False
        body = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    if hashlib.sha256(body).hexdigest() != described.get("sha256"):
        body.close()
        return False
    return body


def _used(index: Path) -> None:
    """An entry read is as new as one written: HEAD's, read by every hook, is never pruned for the staged trees a
    developer tries one after another before committing."""
    if os.utime in os.supports_follow_symlinks:  # elsewhere, it is pruned sooner: never wrong
        with contextlib.suppress(OSError):
            os.utime(index, follow_symlinks=False)


def _prune(folder: Path) -> None:
    """The KEEP entries last written or read stay; an older one goes with its findings file. A findings file with no
    index is removed only when it is an hour old: another run writes its findings file before its index."""
    entries = sorted(folder.glob("base-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".jsonl").unlink(missing_ok=True)
    kept = {entry.name for entry in entries[:KEEP]}
    for body in folder.glob("base-*.jsonl"):
        if body.name[:-1] not in kept and time.time() - body.stat().st_mtime > 3600:
            body.unlink(missing_ok=True)


def _encoded(base: Base, out: BinaryIO) -> dict[str, Any]:
    """The index, the findings written to `out` as they come."""
    sets: dict[tuple[Any, ...], int] = {}  # each distinct reached set once (300,000 findings reach a few thousand)
    seen: dict[int, tuple[dict[str, int | None], int]] = {}  # the same set object again: by its id, kept alive
    written: list[dict[str, int | None]] = []
    fingerprints: list[str] = []
    subjects: list[str] = []
    digests: list[str] = []
    reaches: list[int] = []
    offsets = [0]
    body = hashlib.sha256()
    carried = 0
    for entry in base.findings.entries():
        if entry.carried:
            if carried != len(fingerprints):
                raise ValueError("expected the carried findings first")
            carried += 1
        fingerprints.append(entry.fingerprint)
        subjects.append(entry.subject)
        digests.append(entry.digest)
        out.write(entry.line)
        body.update(entry.line)
        offsets.append(offsets[-1] + len(entry.line))
        known = seen.get(id(entry.reached))
        if known is None or known[0] is not entry.reached:
            key = tuple(entry.reached.items())
            if key not in sets:
                sets[key] = len(written)
                written.append(entry.reached)
            known = seen[id(entry.reached)] = (entry.reached, sets[key])
        reaches.append(known[1])
    reach_sets: dict[frozenset[str], int] = {}
    index = {
        "fingerprints": fingerprints,
        "subjects": subjects,
        "digests": digests,
        "offsets": offsets,
        "reaches": reaches,
        "reached_sets": written,
        "reached": {node: reach_sets.setdefault(resources, len(reach_sets))
                    for node, resources in base.reached.items()},
        "reach_sets": [sorted(resources) for resources in reach_sets],
        "notices": [[*_location_out(n.location), n.message] for n in base.notices],
        "files": list(base.files),
        "roster": list(base.roster),
        # a text of its own, parsed only by a run that compares digests (half the index's parse, for nothing, when
        # the report is told from two caches)
        "nodes": compact(dict(base.known.digests)).decode(),
        "commented": sorted(base.known.commented),
        "body": {"sha256": body.hexdigest(), "size": offsets[-1]},
        "summary": None if base.summary is None else _summary_out(base.summary),
        "carried": carried, "carried_from": base.carried_from,
    }
    return index


def _summary_out(summary: Summary) -> dict[str, Any]:
    return {"exposed": summary.exposed, "customer_resources": summary.customer_resources,
            "data_classes": list(summary.data_classes), "skipped": [list(pair) for pair in summary.skipped],
            "notices": [[*_location_out(n.location), n.message] for n in summary.notices],
            "errors": [[*_location_out(n.location), n.message] for n in summary.errors], "crashed": summary.crashed,
            "suppressed": [_suppression_out(s) for s in summary.suppressed]}


def _suppression_out(suppression: Suppression) -> dict[str, Any]:
    finding = suppression.finding
    return {"finding": {**_finding_out(finding), "reached": dict(finding.evidence.reached)}, "by": suppression.by,
            "reason": suppression.reason, "owner": suppression.owner,
            "expires": None if suppression.expires is None else suppression.expires.isoformat(),
            "location": _location_out(suppression.location)}


def _suppression_in(item: Any) -> Suppression:
    by, expires, owner = item["by"], item["expires"], item["owner"]
    if by not in ("exception", "inline", "baseline") or not (owner is None or isinstance(owner, str)):
        raise ValueError("expected a suppression")
    return Suppression(_finding_in(item["finding"], reached_from_json(item["finding"]["reached"])), by,
                       str(item["reason"]), owner, None if expires is None else date.fromisoformat(expires),
                       Location(*item["location"]))


def _summary_in(item: Any) -> Summary | None:
    if item is None:
        return None
    exposed, resources = item["exposed"], item["customer_resources"]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (exposed, resources)):
        raise ValueError("expected counts in the summary")
    return Summary(exposed, resources, tuple(str(c) for c in item["data_classes"]),
                   tuple((str(file), str(reason)) for file, reason in item["skipped"]),
                   _notices_in(item["notices"]), _notices_in(item["errors"]), item["crashed"] is True,
                   tuple(_suppression_in(s) for s in item["suppressed"]))


def _all_of(kind: type, *lists: Any) -> bool:
    """Every item of the lists is exactly of this type (a bool is no int here), checked in C: 300,000 findings."""
    return all(isinstance(items, list) and set(map(type, items)) <= {kind} for items in lists)


def _is_notice(item: Any) -> bool:
    return (isinstance(item, list) and len(item) == 4 and isinstance(item[0], str) and isinstance(item[3], str)
            and all(isinstance(n, int) and not isinstance(n, bool) for n in item[1:3]))


def _notices_in(items: Any) -> tuple[Notice, ...]:
    if not all(_is_notice(item) for item in items):
        raise ValueError("expected notices as file, line, column and message")
    return tuple(Notice(Location(str(file), int(line), int(column)), str(message))
                 for file, line, column, message in items)


def _decoded(document: dict[str, Any], body: mmap.mmap | None) -> Base:
    fingerprints, digests, offsets = document["fingerprints"], document["digests"], document["offsets"]
    subjects, reaches, nodes = document["subjects"], document["reaches"], document["nodes"]
    written = document["reached_sets"]
    if not (len(fingerprints) == len(digests) == len(subjects) == len(reaches) == len(offsets) - 1
            and _all_of(str, fingerprints, digests, subjects) and _all_of(int, offsets, reaches)
            and isinstance(nodes, str) and _all_of(dict, written)
            and (not reaches or (min(reaches) >= 0 and max(reaches) < len(written)))):
        raise ValueError("expected a digest, a subject, an offset and a reached set for each finding, and the "
                         "nodes' digests")
    size = 0 if body is None else len(body)
    if offsets[0] != 0 or offsets[-1] != size or offsets != sorted(offsets):
        raise ValueError("expected each finding's line inside the findings file, in order")
    if not (_all_of(str, document["files"], document["roster"], document["commented"])
            and all(_is_notice(n) for n in document["notices"])):
        raise ValueError("expected files by name, and notices as file, line, column and message")
    carried, carried_from = document["carried"], document["carried_from"]
    if not isinstance(carried, int) or not 0 <= carried <= len(fingerprints) or not (
            carried_from is None or isinstance(carried_from, str)):
        raise ValueError("expected how many findings were carried, and from where")
    numbers = dict(zip(fingerprints, range(len(fingerprints)), strict=True))
    return Base(
        _Stored(body, numbers, digests, offsets, subjects, reaches, written, carried),
        Reached(document["reached"], document["reach_sets"]),
        tuple(Notice(Location(file, line, column), message) for file, line, column, message in document["notices"]),
        tuple(document["files"]),
        tuple(document["roster"]),
        Known(_Digests(nodes), frozenset(str(f) for f in document["commented"])),
        _summary_in(document["summary"]),
        str(document["key"]),
        carried_from,
    )


class Reached(Mapping[str, frozenset[str]]):
    """Who reaches which customer-data resources, as the index holds it: each identity's set by number, each set a
    sorted list; a set is made when first asked for (100,000 identities share a few thousand)."""

    def __init__(self, numbers: Any, lists: Any) -> None:
        if not (isinstance(numbers, dict) and _all_of(list, lists) and _all_of(int, list(numbers.values()))
                and (not numbers or (min(numbers.values()) >= 0 and max(numbers.values()) < len(lists)))):
            raise ValueError("expected each identity's reached set by number")
        self.numbers: dict[str, int] = numbers
        self.lists: list[list[Any]] = lists
        self._sets: list[frozenset[str] | None] = [None] * len(lists)

    def set(self, number: int) -> frozenset[str]:
        found = self._sets[number]
        if found is None:
            found = self._sets[number] = frozenset(self.lists[number])  # an id that is no text matches nothing
        return found

    def __getitem__(self, node: str) -> frozenset[str]:
        return self.set(self.numbers[node])

    def __iter__(self) -> Iterator[str]:
        return iter(self.numbers)

    def __len__(self) -> int:
        return len(self.numbers)


class _Digests(Mapping[str, str]):
    """Each node's digest, parsed when first asked for. Text that is not what the cache writes reads as no digest at
    all: every node is then judged, which costs time and never a finding."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._parsed: dict[str, str] = {}

    def _digests(self) -> dict[str, str]:
        if self._text is not None:
            try:
                found = json.loads(self._text)
            except (ValueError, RecursionError):
                found = None
            if isinstance(found, dict) and all(isinstance(d, str) for d in found.values()):
                self._parsed = found
            self._text = None
        return self._parsed

    def __getitem__(self, node: str) -> str:
        return self._digests()[node]

    def get(self, node: str, default: Any = None) -> Any:  # once per node of a run: one call, not Mapping's three
        return self._digests().get(node, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._digests())

    def __len__(self) -> int:
        return len(self._digests())


def _location_out(location: Location) -> list[Any]:
    return [location.file, location.line, location.column]


_SPECIAL = {"location", "evidence", "path"}


def _finding_out(finding: Finding) -> dict[str, Any]:
    evidence = evidence_json(finding.evidence)
    del evidence["reached"]  # in the index, each distinct set once
    # each list's members as the finding holds them, in its order and as a message names them (a baseline keeps the
    # keys only; a finding read back from here is reported as made: "+ kim.jh (departed 2025-06-14)")
    evidence["lists"] = [[path, [m.key if m.shown == m.key else [m.key, m.shown] for m in members]]
                         for path, members in finding.evidence.lists]
    return {"location": _location_out(finding.location), "evidence": evidence,
            "path": [[s.node, s.kind, s.relation, list(s.access), s.condition, s.through] for s in finding.path],
            **{f.name: getattr(finding, f.name) for f in fields(Finding) if f.name not in _SPECIAL}}


def _finding_in(item: dict[str, Any], reached: Counts) -> Finding:
    values = {f.name: _tuples(item[f.name]) for f in fields(Finding) if f.name not in _SPECIAL}
    path = tuple(Step(node, kind, relation, tuple(access), condition, through)
                 for node, kind, relation, access, condition, through in item["path"])
    written = item["evidence"]
    lists = tuple((str(path), tuple(Member(m, m) if isinstance(m, str) else Member(str(m[0]), str(m[1]))
                                    for m in members)) for path, members in written["lists"])
    keys = {path: [m.key for m in members] for path, members in lists}
    evidence = replace(evidence_from_json({**written, "lists": keys}, reached), lists=lists)
    return Finding(location=Location(*item["location"]), path=path, evidence=evidence, **values)


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples the finding held."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value
