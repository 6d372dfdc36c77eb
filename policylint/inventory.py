"""Files and folders to one merged Inventory: discovery, detection, loading, the id checks across files, and the
stores and keys that platform files' grants name but no file defines (implied).

A broken file never hides the others: its errors are collected, every other file is still loaded.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

from policylint.errors import InputError, SourceCrash, file_error
from policylint.flags import IMPLIED
from policylint.model import ACCESS_CONTROL, Group, Inventory, Key, Location, Node, Principal, Resource
from policylint.sources import SOURCES, Fragment, Options, claimants, kubernetes, looks_like, native
from policylint.sources.aws import authz, cloudformation, credential_report, policy_document
from policylint.sources.base import Linker
from policylint.sources.hr import okta, scim
from policylint.sources.kubernetes import names as k8s_names
from policylint.sources.kubernetes.subjects import service_account_nodes
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
_NONE_OF_THEM = " (a native file has 'policylint: 1' at its top level)"


@dataclass(frozen=True, slots=True)
class Loaded:
    inventory: Inventory
    errors: list[InputError]
    files: list[str]
    commented: list[str]  # the files that hold a `# policylint: ignore` comment (the only ones read again)
    skipped: tuple[Skipped, ...] = ()  # walked files not read, with the reason (`walk.REASONS`), sorted by path


def _read(candidate: Candidate, options: Options) -> tuple[Fragment | str, bool]:
    """The fragment one file contributes (for a walked-into file that no source claims, the reason it is skipped:
    `walk.REASONS`), and whether it holds an inline ignore comment (so `suppress` reads only those files again)."""
    data = read(candidate, options.max_file_bytes)
    if isinstance(data, InputError):
        return Fragment(Inventory(), [data]), False
    ignores = _IGNORE.search(data) is not None
    return _fragment(candidate.path, data, candidate.explicit, options), ignores


def _fragment(path: str, data: bytes, explicit: bool, options: Options) -> Fragment | str:
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
    second = _second_look(path, text, options) if path.lower().endswith(DATA_SUFFIXES) else None
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
        return Fragment(Inventory(), [file_error(path, "expected data nested less deeply, found nesting too "
                                                       "deep to read")])
    except Exception as exc:  # the boundary: a bug in one source must not hide every other file's findings
        return Fragment(Inventory(), [SourceCrash(path, source.NAME, exc)])
    # here, where the source is known: a native file's undefined name stays a broken reference (PL001), a typo
    # there would hide customer data; a platform file's is what its export does not list
    return fragment if source.NAME == native.NAME else with_implied_targets(fragment)


_LOADABLE = frozenset({native.NAME, kubernetes.NAME, cloudformation.NAME, authz.NAME, scim.NAME, okta.NAME,
                       policy_document.NAME})
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
               root: str = ".", *, link: bool = True) -> Loaded:
    """The merged inventory of the paths; `link=False` leaves out the sources' cross-file `link` step (tests)."""
    options = replace(options or Options(), globs_root=root)  # configuration globs are relative to the root
    found = discover(paths, exclude, root, options.links_within)
    errors = list(found.errors) + _unmatched_globs(options, paths, [c.path for c in found.candidates])
    skipped = list(found.skipped)
    fragments: list[Fragment] = []
    files: list[str] = []
    commented: list[str] = []
    for candidate in found.candidates:
        fragment, ignores = _read(candidate, options)
        if isinstance(fragment, str):
            skipped.append(Skipped(candidate.path, fragment))
            continue
        fragments.append(fragment)
        files.append(candidate.path)
        errors.extend(fragment.errors)
        if ignores:
            commented.append(candidate.path)
    if not files and not errors:  # a run that checked nothing must not pass
        errors.extend(file_error(p, "expected inventory files here, found none" + _NONE_OF_THEM) for p in paths)
    inventory, duplicates = merge([f.inventory for f in fragments], [f.implied for f in fragments])
    errors.extend(duplicates)
    for source in SOURCES.values() if link else ():
        if isinstance(source, Linker):
            inventory = source.link(inventory)
    errors.sort(key=lambda e: e.location)
    return Loaded(inventory, errors, files, commented, tuple(sorted(skipped, key=lambda s: (s.path, s.reason))))


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


# -- what a platform file's grants name and no file defines ------------------------------------------------------
# An IAM policy naming `arn:aws:s3:::orders` in an authorization-details export is no broken reference: the export
# lists no buckets. Such a target is implied (flag `implied`): an unclassified store, or a key, in the scope its id
# gives, located at the first grant naming it, which a definition in any file replaces (`merge`) and `annotate:`
# can classify. Done once here, where the source that read the file is known, for every platform source alike (no
# source repeats it; the merge already keeps one of several implied copies), and before `link`, so that
# Kubernetes completes the built-in groups of the service accounts it implies.

_NOT_LITERAL = re.compile(r"[*?\[]|\$\{")  # a glob, or an IAM policy variable (`${aws:username}`): many ids
_AWS_IDENTITIES = frozenset({"iam", "sts"})  # ids of identities, not stores: an export lists its account's own
UNKNOWN_TYPE = "unknown"
_KMS_SIGNING = ("kms:sign", "kms:verify", "kms:generatemac", "kms:verifymac")
_KMS_ENCRYPTION = ("kms:decrypt", "kms:encrypt", "kms:reencrypt", "kms:generatedatakey", "kms:derivesharedsecret")


def with_implied_targets(fragment: Fragment) -> Fragment:
    """The fragment, also implying what its grants name literally and it defines nowhere (see above)."""
    targets = implied_targets(fragment.inventory, fragment.implied)
    if not targets:
        return fragment
    implied = fragment.implied
    return replace(fragment, implied=replace(
        implied, principals=(*implied.principals, *(n for n in targets if isinstance(n, Principal))),
        keys=(*implied.keys, *(n for n in targets if isinstance(n, Key))),
        resources=(*implied.resources, *(n for n in targets if isinstance(n, Resource)))))


def implied_targets(*parts: Inventory) -> list[Node]:
    """The nodes the grants of `parts` imply: for each literal id none of them defines, at its first grant."""
    defined = {node.id for part in parts for node in part.nodes()}
    first: dict[str, Location] = {}
    given: dict[str, set[str]] = {}  # the platform's actions on it, for what a key is used for
    for part in parts:
        for grant in (*(g for role in part.roles for g in role.grants), *part.grants):
            name = grant.resource
            if not name or name in defined or _NOT_LITERAL.search(name) is not None:
                continue
            if name not in first or grant.location < first[name]:
                first[name] = grant.location
            given.setdefault(name, set()).update(grant.actions_given)
    found: dict[str, Node] = {}
    for name, where in first.items():
        for node in implied_by(name, where, frozenset(given[name])):
            if node.id not in defined:
                found.setdefault(node.id, node)
    return list(found.values())


def implied_by(name: str, where: Location, given: frozenset[str] = frozenset()) -> tuple[Node, ...]:
    """What a literal id no file defines stands for, read off the id: an AWS store or KMS key (`given`: the
    actions granted on it), a Kubernetes service account's token key and the account, or else a resource of
    unknown type in its platform's scope."""
    if name.startswith("aws:"):
        return _aws_target(name, where, given)
    if name.startswith(k8s_names.SERVICE_ACCOUNT_PREFIX) and name.endswith(k8s_names.TOKEN_SUFFIX):
        namespace, _, account = name[len(k8s_names.SERVICE_ACCOUNT_PREFIX):-len(k8s_names.TOKEN_SUFFIX)].partition("/")
        principal, key = service_account_nodes(namespace, account, where)
        return principal, replace(key, flags=(*key.flags, IMPLIED))
    return (Resource(name, where, UNKNOWN_TYPE, scope=_platform_scope(name), flags=(IMPLIED,)),)


def _aws_target(name: str, where: Location, given: frozenset[str]) -> tuple[Node, ...]:
    """`aws:<service>:<region>:<account>:<resource>` (`iam.statements.arn_to_id`). The scope is the account when
    the id names one (a bucket's does not; CloudFormation's `cfn` is any account): `aws` is inside every account's."""
    parts = name.split(":", 4)
    if len(parts) < 5 or not parts[4]:
        return (Resource(name, where, UNKNOWN_TYPE, scope="aws", flags=(IMPLIED,)),)
    _, service, _, account, resource = parts
    if service in _AWS_IDENTITIES:
        return ()  # an identity no file defines: still a broken reference (PL001), perhaps a deleted one
    scope = f"aws:{account}" if account.isdigit() else "aws"
    if service == "kms":  # a key, or an alias of one
        return (Key(name, where, _kms_purpose(given), "kms", scope=scope, flags=(IMPLIED,)),)
    return (Resource(name, where, _aws_type(service, account, resource), scope=scope, flags=(IMPLIED,)),)


def _kms_purpose(given: frozenset[str]) -> Literal["signing", "encryption"]:
    """Encryption when what the grants allow on the key encrypts or decrypts and nothing of it could sign; else
    signing, the riskier, as CloudFormation reads a key of unknown usage (`kms:*`, `NotAction`, only `DescribeKey`)."""
    actions = {a.lower() for a in given}
    if any(a.startswith("notaction") or any(fnmatch.fnmatchcase(s, a) for s in _KMS_SIGNING) for a in actions):
        return "signing"
    return "encryption" if any(a.startswith(_KMS_ENCRYPTION) for a in actions) else "signing"


def _aws_type(service: str, account: str, resource: str) -> str:
    """CloudFormation's noun for the stores it defines (bucket, table, database); else `<service>:<type>`
    (`lambda:function`, `secretsmanager:secret`), or the service alone when the ARN has no type (`sns`, `sqs`)."""
    if service == "s3" and not account and "/" not in resource:
        return "bucket"
    if service == "dynamodb" and resource.startswith("table/"):
        return "table"
    if service == "rds" and resource.startswith(("db:", "cluster:")):
        return "database"
    kind = re.split(r"[/:]", resource, maxsplit=1)
    return f"{service}:{kind[0]}" if len(kind) > 1 else service


def _platform_scope(name: str) -> str | None:
    """The widest scope of a platform id (`k8s:<cluster>`, a GCP project, `gcp`); None for an id of no platform."""
    head, colon, rest = name.partition(":")
    if not colon:
        return None
    if head == "k8s":
        return f"k8s:{rest.partition(':')[0]}"
    project = re.match(r"projects/([^/_][^/]*)", rest) if head == "gcp" else None
    return f"gcp:projects/{project[1]}" if project else head
