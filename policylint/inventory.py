"""Files and folders to one merged Inventory: discovery, detection, loading, the id checks across files, and the
stores and keys that platform files' grants name but no file defines (implied).

A broken file never hides the others: its errors are collected, every other file is still loaded.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from policylint.errors import InputError, SourceCrash, file_error
from policylint.fragcache import Cache
from policylint.model import ACCESS_CONTROL, Group, Inventory, Location, Node, Resource
from policylint.readpool import Job, Pool
from policylint.sources import CREDENTIAL_REPORT as credential_report  # the registry's: its reader when needed
from policylint.sources import (
    SOURCES,
    Fragment,
    Options,
    claimants,
    looks_like,
    native,
    terraform_hcl,
    terraform_plan,
)
from policylint.sources import kubernetes_names as kubernetes  # detection only: readers load lazily (`SOURCES`)
from policylint.sources.aws import authz_names as authz
from policylint.sources.aws import cloudformation_names as cloudformation
from policylint.sources.aws import policy_document_names as policy_document
from policylint.sources.base import Linker
from policylint.sources.hr import okta_names as okta
from policylint.sources.hr import scim_names as scim
from policylint.sources.implied import with_implied_targets
from policylint.sources.native_marker import near_miss
from policylint.walk import (
    DATA_SUFFIXES,
    NOT_ACCESS_CONTROL,
    TEMPLATE,
    Candidate,
    Skipped,
    discover,
    is_within,
    matches,
    read,
)
from policylint.yamlsafe import decode

_IGNORE = re.compile(rb"policylint:\s*ignore")  # the inline comment `suppress.INLINE` reads, as bytes
_TOO_DEEP = "expected data nested less deeply, found nesting too deep to read"
_NONE_OF_THEM = " (a native file has 'policylint: 1' at its top level)"


@dataclass(frozen=True, slots=True)
class Loaded:
    inventory: Inventory
    errors: list[InputError]
    files: list[str]
    commented: list[str]  # the files that hold a `# policylint: ignore` comment (the only ones read again)
    skipped: tuple[Skipped, ...] = ()  # walked files not read, with the reason (`walk.REASONS`), sorted by path
    notes: tuple[tuple[Location, str], ...] = ()  # what the sources say they left unchecked (`Fragment.notes`)


def _jobs(candidates: list[Candidate], options: Options, cache: Cache | None
          ) -> Iterator[tuple[tuple[Candidate, bool], Job | Fragment, str | None]]:
    """Each file as the pool reads it (its bytes, and its cache key), with whether it holds an inline ignore comment
    (so `suppress` reads only those files again); a file that cannot be read is its error. Files are read as the
    pool asks for them, so only a few are held at a time."""
    for candidate in candidates:
        data = read(candidate, options.max_file_bytes)
        if isinstance(data, InputError):
            yield (candidate, False), Fragment(Inventory(), [data]), None
            continue
        key = cache.key(candidate.path, data, candidate.explicit, options) if cache is not None else None
        yield (candidate, _IGNORE.search(data) is not None), Job(candidate.path, data, candidate.explicit, options), key


def fragment_of(path: str, data: bytes, explicit: bool, options: Options) -> Fragment | str:
    """The fragment of one file's bytes: located errors for what cannot be read, never a skipped file of ours (a
    skipped one: the reason)."""
    try:
        text = decode(data, path)
    except InputError as error:
        # a walked-into file is skipped only when it cannot be ours: one that names the marker, or that a source
        # recognises once its bad bytes are replaced, fails closed
        ours = explicit or _mentions_marker(data) or bool(claimants(path, data.decode("utf-8", "replace")))
        return Fragment(Inventory(), [error]) if ours else NOT_ACCESS_CONTROL
    names = claimants(path, text)
    if len(names) > 1:  # fail closed and visibly: no source wins by its place in the registry
        return Fragment(Inventory(), [file_error(path, f"expected one format to claim this file, found "
                                                       f"several: {', '.join(names)}")])
    if names:
        return _loaded(SOURCES[names[0]], path, text, options)
    missed = near_miss(path, text)
    if missed is not None:
        return Fragment(Inventory(), [missed])
    if kubernetes.is_template(text):
        if not explicit:
            return TEMPLATE
        return Fragment(Inventory(), [file_error(path, "expected rendered Kubernetes objects, found an unrendered "
                                                       "template: render it first (`helm template`)")])
    try:
        second = _second_look(path, text, options) if path.lower().endswith(DATA_SUFFIXES) else None
    except RecursionError:  # data nested too deeply to tell whose it is: never skipped as nobody's
        return Fragment(Inventory(), [file_error(path, _TOO_DEEP)])
    if second is not None:
        return second
    if not explicit:
        return NOT_ACCESS_CONTROL
    known = ", ".join(SOURCES)
    return Fragment(Inventory(), [file_error(path, f"expected an inventory file ({known}), found none of them"
                                             + _NONE_OF_THEM)])


def _loaded(source: Any, path: str, text: str, options: Options) -> Fragment:
    try:
        fragment: Fragment = source.load(path, text, options)
    except InputError as error:
        return Fragment(Inventory(), [error])
    except RecursionError:
        return Fragment(Inventory(), [file_error(path, _TOO_DEEP)])
    except Exception as exc:  # the boundary: a bug in one source must not hide every other file's findings
        return Fragment(Inventory(), [SourceCrash(path, source.NAME, exc)])
    # here, where the source is known: a native file's undefined name stays a broken reference (PL001), a typo
    # there would hide customer data; a platform file's is what its export does not list
    return fragment if source.NAME == native.NAME else with_implied_targets(fragment)


_LOADABLE = frozenset({native.NAME, kubernetes.NAME, cloudformation.NAME, authz.NAME, scim.NAME, okta.NAME,
                       policy_document.NAME, terraform_plan.NAME})
_LISTS_TOO = frozenset({okta.NAME, scim.NAME})  # formats whose export may be a JSON array at its top level


def _second_look(path: str, text: str, options: Options) -> Fragment | None:
    """A file no source claimed by its first lines, parsed: when its top level is access-control data of a known
    format, it is loaded as that format, or is a located error naming it; never skipped."""
    found = looks_like(path, text)
    if found is None:
        return None
    name, document = found
    if name == credential_report.NAME:
        return _encoded_report(path, text, document, options)
    if name == native.NAME and "policylint" not in document:
        keys = ", ".join(sorted(map(str, document)))
        return Fragment(Inventory(), [file_error(path, f"expected 'policylint: 1' at the top level of a file with "
                                                       f"native sections ({keys}), found no marker")])
    if name in _LOADABLE and (isinstance(document, dict) or name in _LISTS_TOO):
        fragment = _loaded(SOURCES[name], path, text, options)
        if not any(isinstance(e, SourceCrash) for e in fragment.errors):
            return fragment
    return Fragment(Inventory(), [file_error(path, f"expected a file that {name} recognises by its first lines, "
                                                   f"found one that is {name} data only once parsed: write it as "
                                                   f"the export does, or convert it to the native format")])


def _encoded_report(path: str, text: str, document: Any, options: Options) -> Fragment:
    """`aws iam get-credential-report` as JSON: its `Content` is the report, base64-encoded; errors in it are
    located at this file's `Content`, with the report's own line."""
    offset = text.find('"Content"')
    line = text.count("\n", 0, max(offset, 0)) + 1
    column = offset - text.rfind("\n", 0, max(offset, 0)) if offset >= 0 else 1
    how = ("decode it first: `aws iam get-credential-report --query Content --output text | base64 --decode > "
           "credential-report.csv`")
    try:
        report = base64.b64decode(str(document["Content"]), validate=True).decode("utf-8-sig")
    except (binascii.Error, ValueError):
        return Fragment(Inventory(), [InputError(Location(path, line, column), f"expected base64 of the credential "
                                                                               f"report's CSV, found other text: "
                                                                               f"{how}")])
    if not credential_report.detect(path, report):
        return Fragment(Inventory(), [InputError(Location(path, line, column), f"expected the credential report's "
                                                                               f"CSV in `Content`, found other data: "
                                                                               f"{how}")])
    fragment = _loaded(credential_report, path, report, options)
    at = Location(path, line, column)
    inner = [e if isinstance(e, SourceCrash) else
             InputError(at, f"{e.message} (line {e.location.line} of the decoded report)") for e in fragment.errors]
    return Fragment(_relocated(fragment.inventory, at), inner, _relocated(fragment.implied, at))


def _relocated(inventory: Inventory, at: Location) -> Inventory:
    """Every record located at `at`: the decoded report's lines are not this file's."""
    return Inventory(**{f.name: tuple(replace(item, location=at) if hasattr(item, "location") else item
                                      for item in getattr(inventory, f.name)) for f in fields(Inventory)})


def _again(node_id: str, first: Node, again: Any) -> str:
    """What a second definition of an id means: for a scope's access control, two policies of one account or
    project (a GCP dump whose project was read off a file or folder name, or two exports of one account)."""
    if isinstance(first, Resource) and first.type == ACCESS_CONTROL and isinstance(again, Resource):
        scope = node_id.removesuffix(":access-control")
        hint = ("; if the two files are of different projects, name each file's project in the configuration "
                "(`gcp-projects`, path glob -> project)") if node_id.startswith("gcp:") else ""
        return (f"expected one IAM policy per account or project, found a second one of {scope!r} (the first at "
                f"{first.location}){hint}")
    return f"expected each id once in the inventory, found {node_id!r} again (a {first.kind} first defined at " \
           f"{first.location})"


def _unmatched_globs(options: Options, walked: list[str], read: list[str]) -> list[InputError]:
    """A `gcp-projects` or `kubernetes-namespaces` glob that matches no file the run reads: a mistyped folder would
    silently stop pinning what it was written for (as an `annotate:` that matches nothing would hide data). A glob
    is judged only when the run walks the folder it names (its text before the first wildcard): not when one other
    folder is checked, and not on the sides of a `diff`, whose copies hold only what git tracks."""
    if not options.check_globs:
        return []
    walked_at = [Path(os.path.abspath(p)) for p in walked]
    errors = []
    for glob, where in options.globs_written:
        fixed = Path(os.path.abspath(Path(options.globs_root) / _fixed_folder(glob)))
        if not any(is_within(fixed, w) or is_within(w, fixed) for w in walked_at):
            continue
        if not any(matches(path, glob, options.globs_root) for path in read):
            errors.append(InputError(where, f"expected the path glob {glob!r} to match a file the run reads "
                                            f"(relative to {options.globs_root}), found none"))
    return errors


def _fixed_folder(glob: str) -> str:
    """The folders of a glob before its first wildcard (`infra/gcp/prod-*/x.json` -> `infra/gcp`)."""
    head = re.split(r"[*?\[]", glob, maxsplit=1)[0]
    return head if head.endswith("/") or ("/" not in head and head == glob) else os.path.dirname(head)


def _mentions_marker(data: bytes) -> bool:
    return any(marker in data for marker in (b"policylint", "policylint".encode("utf-16-le"),
                                             "policylint".encode("utf-16-be")))


def load_paths(paths: list[str], options: Options | None = None, exclude: tuple[str, ...] = (),
               root: str = ".", *, link: bool = True, on_file: Callable[[int, int], None] | None = None,
               cache: Cache | None = None) -> Loaded:
    """The merged inventory of the paths; `link=False` leaves out the sources' cross-file `link` step (tests);
    `on_file(done, total)` is told of each file read (progress on a long run); `cache` holds what unchanged files
    were read into (`fragcache`)."""
    options = replace(options or Options(), globs_root=root)  # configuration globs are relative to the root
    found = discover(paths, exclude, root, options.links_within)
    terraform = [c for c in found.candidates if c.path.lower().endswith(terraform_hcl.SUFFIXES)]
    options = replace(options, terraform_files=tuple(c.path for c in terraform), terraform_roots=tuple(sorted(
        {str(c.root) if c.root is not None else os.path.realpath(os.path.dirname(c.path) or ".") for c in terraform})))
    errors = list(found.errors) + _unmatched_globs(options, paths, [c.path for c in found.candidates])
    skipped = list(found.skipped)
    notes: list[tuple[Location, str]] = []
    fragments: list[Fragment] = []
    files: list[str] = []
    commented: list[str] = []
    with Pool(fragment_of, cache) as pool:
        for done, ((candidate, ignores), fragment) in enumerate(pool.read(_jobs(found.candidates, options, cache)), 1):
            if on_file is not None:
                on_file(done, len(found.candidates))
            if isinstance(fragment, str):
                skipped.append(Skipped(candidate.path, fragment))
                continue
            fragments.append(fragment)
            files.append(candidate.path)
            errors.extend(fragment.errors)
            notes.extend(fragment.notes)
            if ignores:
                commented.append(candidate.path)
    if not files and not errors:  # a run that checked nothing must not pass
        errors.extend(file_error(p, "expected inventory files here, found none" + _NONE_OF_THEM) for p in paths)
    inventory, duplicates = merge([f.inventory for f in fragments], [f.implied for f in fragments])
    errors.extend(duplicates)
    for source in SOURCES.values() if link else ():
        if isinstance(source, Linker):
            inventory = source.link(inventory)
    if cache is not None and cache.stored:
        cache.prune()
    errors.sort(key=lambda e: e.location)
    return Loaded(inventory, errors, files, commented, tuple(sorted(skipped, key=lambda s: (s.path, s.reason))),
                  tuple(sorted(set(notes))))


def merge(parts: list[Inventory], implied: list[Inventory] | None = None) -> tuple[Inventory, list[InputError]]:
    """One inventory; an id defined twice is an error naming both places, and only the first is kept.

    Implied nodes (see `Fragment.implied`) come after every definition and only fill ids nobody defined."""
    seen: dict[str, Node] = {}
    errors: list[InputError] = []
    merged: dict[str, list[Any]] = {f.name: [] for f in fields(Inventory)}
    for part in parts:
        for f in fields(Inventory):
            for item in getattr(part, f.name):
                node_id = getattr(item, "id", None)
                if node_id is not None:
                    first = seen.get(node_id)
                    if first is not None:
                        errors.append(InputError(item.location, _again(node_id, first, item)))
                        continue
                    seen[node_id] = item
                merged[f.name].append(item)
    groups = {group.id: number for number, group in enumerate(merged["groups"])}
    for part in implied or ():
        for f in fields(Inventory):
            for item in getattr(part, f.name):
                node_id = getattr(item, "id", None)
                if node_id is None or node_id not in seen:
                    if node_id is not None:
                        seen[node_id] = item
                    if isinstance(item, Group):
                        groups[item.id] = len(merged["groups"])
                    merged[f.name].append(item)
                elif isinstance(item, Group) and node_id in groups:
                    # a group several files imply (a SCIM user's groups, a binding's subjects): all its members
                    number = groups[node_id]
                    known = merged["groups"][number]
                    extra = tuple(m for m in item.members if m not in known.members)
                    merged["groups"][number] = replace(known, members=known.members + extra)
    return Inventory(**{name: tuple(items) for name, items in merged.items()}), errors
