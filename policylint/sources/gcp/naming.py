"""Whose IAM policy a dump is. `gcloud … get-iam-policy` prints bindings, an etag and a version, never the resource,
so the resource comes from, in this order:

1. the configuration: `gcp-projects` maps path globs to projects (`Options.gcp_project_for`); a resource the
   document or the path names inside that project is kept (a dataset of it), one outside it is a located error;
2. the document: a top-level `resource`, `name` or `resourceId` (the Cloud Storage JSON API's `storage#policy`
   has `resourceId: projects/_/buckets/B`);
3. the path, for a Cloud KMS key or key ring: its resource name written as folders or in the file name
   (`projects/P/locations/L/keyRings/R/cryptoKeys/K/iam-policy.json`, `projects_P_locations_L_keyRings_R.json`);
4. the document again: the project of the custom roles it binds (`projects/P/roles/X` can be granted only in
   project P and its resources; custom roles of two projects are a located error);
5. the file name, unless it is generic (`GENERIC_FILES`): the last part of its stem shaped like a project id
   (`testing__kubeflow-ci.iam.policy.yaml` names `kubeflow-ci`), else like a short name (`gke1.json`);
6. the nearest folder between the run's root and the file that is not generic (`GENERIC_FOLDERS`) and is shaped
   like a project id or a short name (`gke1/json-dumps/iam-policy.json` names `gke1`; `2026-11-01` is skipped);
7. else the file's stem (`iam-policy`), as before: nothing named the project, and the flag says so.

What named it is kept as the flag `gcp-resource-from:BASIS` on the roles and resources the dump defines. When the
configuration and the document disagree, the configuration's project is used and the disagreement is a located
error. A dump that names no resource and binds only Cloud KMS roles is the policy of a key of the project it
names no further (`projects/P/locations/-/keyRings/-/cryptoKeys/-`; `-` is GCP's "any"): it grants on every key
of the project, as the same bindings on the project would (fail closed), without claiming the project's policy.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.base import Options
from policylint.sources.gcp.common import Reader, shown
from policylint.yamlsafe import YMap, YSeq

# File stems (lower case, `_` read as `-`) that say "an IAM policy" and nothing of whose
GENERIC_FILES = frozenset({
    "iam", "policy", "policies", "bindings", "iam-policy", "iam-policies", "iampolicy", "iam-bindings",
    "get-iam-policy", "getiampolicy", "project-iam-policy", "project-policy", "project-iam", "policy-dump",
    "kms-key-iam-policy", "kms-iam-policy", "key-iam-policy", "crypto-key-iam-policy", "cryptokey-iam-policy",
    "iam-service-account-policy", "service-account-iam-policy", "service-account-policy", "sa-iam-policy",
    "sa-policy",
})
# Folder names that group exports rather than name a project
GENERIC_FOLDERS = frozenset({
    "json-dumps", "dumps", "dump", "json", "yaml", "exports", "export", "iam", "iam-policy", "iam-policies",
    "policies", "policy", "gcp", "gcloud", "google", "google-cloud", "data", "test-data", "testdata", "fixtures",
    "output", "out", "raw", "inventory", "snapshots", "snapshot", "projects", "project", "kms", "keys",
})
FIELDS = ("resource", "name", "resourceId")  # top-level fields that name the policy's resource
_SERVICE_HOST = re.compile(r"//(?P<host>[a-z0-9.-]+)\.googleapis\.com/(?P<name>.+)")
_STEM = re.compile(r"(?P<stem>.+?)\.(?:iam|policy)(?=[._-]|$)")
_PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
_NAME = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")  # a folder or file name that may be a project's (`gke1`)
_CUSTOM_ROLE = re.compile(r"projects/(?P<project>[^/\s]+)/roles/[A-Za-z0-9_.]+")
_SEP = r"[/._]+"
_KEY_PATH = re.compile(
    rf"projects{_SEP}(?P<project>[a-z][a-z0-9-]{{4,28}}[a-z0-9]){_SEP}locations{_SEP}(?P<location>[a-z0-9-]+)"
    rf"{_SEP}keyRings{_SEP}(?P<ring>[A-Za-z0-9_-]+?)(?:{_SEP}cryptoKeys{_SEP}(?P<key>[A-Za-z0-9_-]+?))?(?=[/.]|$)")
_UNNAMED_KEY = "/locations/-/keyRings/-/cryptoKeys/-"


@dataclass(frozen=True, slots=True)
class Named:
    """The resource a dump is the policy of (`projects/p`, `organizations/1`, …) and what named it."""

    name: str
    basis: str  # config, document, custom-roles, path, file-name, folder, fallback


def policy_resource(document: YMap, bindings: YSeq, path: str, options: Options, reader: Reader) -> Named:
    """The resource whose policy the dump is; disagreements with the configuration are recorded in `reader`."""
    configured = options.gcp_project_for(path)
    stated = _stated(document, reader)
    if stated is not None and not _disagrees(stated[0], configured, reader, stated[1], document):
        return Named(stated[0], "document")
    keyed = None if stated is not None else _key_in_path(path)
    if keyed is not None and not _disagrees(keyed, configured, reader, None, document):
        return Named(keyed, "path")
    project, basis = _project(bindings, path, configured, options.globs_root, reader)
    return Named(_unnamed(bindings, f"projects/{project}"), basis)


def _stated(document: YMap, reader: Reader) -> tuple[str, str] | None:
    """The resource name a top-level field gives, made relative (`//storage.googleapis.com/b` → a bucket)."""
    key = next((k for k in FIELDS if k in document), None)
    if key is None:
        return None
    given = document[key]
    if not isinstance(given, str) or not given.strip("/"):
        raise InputError(reader.of(document, key), f"expected {key} to be a resource name such as "
                                                   f"projects/my-project, found {shown(given)}")
    return _relative_name(given), key



def _relative_name(given: str) -> str:
    """`projects/p`, or a full resource name `//storage.googleapis.com/b` made relative (`projects/_/buckets/b`)."""
    full = _SERVICE_HOST.fullmatch(given)
    if full is None:
        return given.strip("/")
    if full["host"] == "storage" and "/" not in full["name"]:
        return f"projects/_/buckets/{full['name']}"
    return full["name"]


def _disagrees(name: str, configured: str | None, reader: Reader, key: str | None, document: YMap) -> bool:
    """Whether the configuration names another project than the document (or the path) does: a located error."""
    if configured is None:
        return False
    parts = name.split("/")
    project = parts[1] if len(parts) >= 2 and parts[0] == "projects" else ""
    if project in ("_", "-") or (project.isdigit() != configured.isdigit() and project):
        return False  # a bucket's name does not say its project; a number and an id cannot be compared
    if project == configured:
        return False
    where = reader.of(document, key) if key is not None else Location(reader.path, 1, 1)
    what = f"{key} to name" if key is not None else "the path to name"
    reader.errors.append(InputError(where, f"expected {what} project {configured} or a resource in it (gcp-projects "
                                           f"maps this file to {configured}), found {shown(name)}"))
    return True


def _key_in_path(path: str) -> str | None:
    """A Cloud KMS key (or key ring) whose resource name the path spells, as folders or in the file name."""
    matches = list(_KEY_PATH.finditer(PurePath(path).as_posix()))
    if not matches:
        return None
    found = matches[-1]  # the nearest the file
    ring = f"projects/{found['project']}/locations/{found['location']}/keyRings/{found['ring']}"
    return f"{ring}/cryptoKeys/{found['key']}" if found["key"] else ring


def _project(bindings: YSeq, path: str, configured: str | None, root: str, reader: Reader) -> tuple[str, str]:
    custom = _custom_role_project(bindings, configured, reader)
    if configured is not None:
        return configured, "config"
    if custom is not None:
        return custom, "custom-roles"
    named = _file_name(path)
    if named is not None:
        return named, "file-name"
    folder = _folder(path, root)
    if folder is not None:
        return folder, "folder"
    return _fallback(path), "fallback"


def _custom_role_project(bindings: YSeq, configured: str | None, reader: Reader) -> str | None:
    """The project whose custom roles the bindings grant. A project's custom role can be granted only in that
    project (or its resources), so custom roles of two projects, or of another than the configured one, are errors."""
    first: str | None = None
    for binding in bindings:
        role = binding.get("role") if isinstance(binding, YMap) else None
        match = _CUSTOM_ROLE.fullmatch(role) if isinstance(role, str) else None
        if match is None:
            continue
        first = first or match["project"]
        expected = configured or first
        if match["project"] != expected and match["project"].isdigit() == expected.isdigit():
            how = " (gcp-projects maps this file to it)" if expected == configured else ""
            reader.errors.append(InputError(reader.of(binding, "role"), f"expected the custom roles of project "
                                            f"{expected}{how}: a project's custom role can be granted only in it, "
                                            f"found {shown(role)}"))
    return first


def _file_name(path: str) -> str | None:
    """The project a file name names: the last part of its stem shaped like a project id, unless generic."""
    stem = _stem_of(path)
    if stem.lower().replace("_", "-") in GENERIC_FILES:
        return None
    parts = [p for p in re.split(r"[^a-z0-9-]+", stem) if p and p not in GENERIC_FILES]
    shaped = [p for p in parts if _PROJECT_ID.fullmatch(p)] or [p for p in parts if _NAME.fullmatch(p)]
    return shaped[-1] if shaped else None


def _folder(path: str, root: str) -> str | None:
    """The nearest folder between the run's root and the file that is not generic and may be a project's name.

    Only folders under the root count, so a run and `diff`'s run on a copy of the base name the same project."""
    absolute = Path(os.path.abspath(path)).parent
    try:
        folders = absolute.relative_to(os.path.abspath(root)).parts
    except ValueError:  # a file named outside the root: its folders as named
        folders = PurePath(path).parent.parts
    return next((f for f in reversed(folders) if f not in GENERIC_FOLDERS and _NAME.fullmatch(f)), None)


def _stem_of(path: str) -> str:
    name = PurePath(path).name
    match = _STEM.match(name)
    return match["stem"] if match else PurePath(name).stem


def _fallback(path: str) -> str:
    """What named the project before: the last part of the stem shaped like a project id, else the stem."""
    stem = _stem_of(path)
    ids = [part for part in re.split(r"[^a-z0-9-]+", stem) if _PROJECT_ID.fullmatch(part)]
    return ids[-1] if ids else stem


def _unnamed(bindings: YSeq, project: str) -> str:
    """The project, or a key of it the dump does not name when every binding is of a Cloud KMS role."""
    roles = [b.get("role") if isinstance(b, YMap) else None for b in bindings]
    if roles and all(isinstance(r, str) and r.startswith("roles/cloudkms.") for r in roles):
        return project + _UNNAMED_KEY
    return project

