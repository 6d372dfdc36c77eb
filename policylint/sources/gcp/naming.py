"""Whose IAM policy a dump is. `gcloud … get-iam-policy` prints bindings, an etag and a version, never the resource,
so the resource comes from, in this order:

1. the configuration: `gcp-projects` maps path globs to projects (`Options.gcp_project_for`); a resource the
   document or the path names inside that project is kept (a dataset of it); anything else the document names
   (another project, a project number, `projects/_/…` or `projects/-`, an organisation) is a located error naming
   both, and the configured project is used: a number or `_` cannot be told to be the configured project's;
2. the document: a top-level `resource`, `name` or `resourceId` (the Cloud Storage JSON API's `storage#policy`
   has `resourceId: projects/_/buckets/B`); a project id in it that a file name or folder able to be a project id
   (5, 6) contradicts is a located error, and the path's project is used: a field cannot move a dump silently;
3. the path, for a Cloud KMS key or key ring: its resource name written as folders or in the file name
   (`projects/P/locations/L/keyRings/R/cryptoKeys/K/iam-policy.json`, `projects_P_locations_L_keyRings_R.json`);
4. the document again: the project of the custom roles it binds (`projects/P/roles/X` can be granted only in
   project P and its resources). A file name or folder naming another project id is a located error, and that
   project is used unless the dump's own service accounts side with the custom roles (a folder named as a label);
   service accounts all of other projects are a located error too (the custom roles' project is used): one binding
   cannot move a dump silently. Custom roles of two projects are a located error;
5. the file name: its stem (after the last `__`, which stands for a folder in flattened names) without generic
   words before or after it (`GENERIC_AFFIXES` and dates: `shop-prod-iam-policy.json`,
   `iam-policy-shop-prod.json`, `2026-01-01_shop-prod.iam.yaml` all name `shop-prod`), used only whole and only
   when it can be a project: a project id, a project number (11 or 12 digits) or a short name (`gke1.json`);
6. the nearest folder between the run's root and the file that names a project the same way (`GENERIC_FOLDERS`,
   `GENERIC_COPIES`, dates and versions are skipped: `gke1/json-dumps/iam-policy.json` and `gke1/latest/…` name
   `gke1`);
7. else the file's stem without its generic words, whole (`ProjectAlpha.json` is `ProjectAlpha`, never cut), or
   the whole stem when nothing else is left (`iam-policy`): nothing named the project, and the flag says so.

What named it is kept as the flag `gcp-resource-from:BASIS` on the roles and resources the dump defines. A dump that
names no resource and binds only Cloud KMS roles is the policy of a key of the project it names no further
(`projects/P/locations/-/keyRings/-/cryptoKeys/-`; `-` is GCP's "any"): it grants on every key of the project, as
the same bindings on the project would (fail closed), without claiming the project's policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.base import Options
from policylint.sources.gcp.common import Reader, shown
from policylint.sources.gcp.members import is_service_agent
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
# Words before or after a project id in a file or folder name that say what the file is or which copy (dates too);
# few, since a project id may end in a word (`prod-data`, `acme-api-v2`)
GENERIC_AFFIXES = GENERIC_FILES | frozenset({"export", "exports", "dump", "dumps", "snapshot", "latest", "current"})
# Whole folder and file names that say which copy or when, not whose (versions such as `v2` too)
GENERIC_COPIES = frozenset({"latest", "current", "previous", "old", "new", "archive", "archived", "backup", "backups",
                            "history", "tmp", "temp"})
FIELDS = ("resource", "name", "resourceId")  # top-level fields that name the policy's resource
_SERVICE_HOST = re.compile(r"//(?P<host>[a-z0-9.-]+)\.googleapis\.com/(?P<name>.+)")
_STEM = re.compile(r"(?P<stem>.+?)\.(?:iam|policy)(?=[._-]|$)")
_PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
_NAME = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")  # a folder or file name that may be a project's (`gke1`)
# A project number (the Console's "Project number"): 11 or 12 digits in practice; 8-digit dates and 10- or 13-digit
# Unix times are not taken for one (a 10-digit number skipped can only collide: an error, never a silent misnaming)
_NUMBER = re.compile(r"[1-9]\d{10,11}")
_WORD = re.compile(r"[^-_.]+")
_DATE = re.compile(r"(?:19|20)\d{2}-?\d{2}-?\d{2}(?:t?\d{2}(?:-?\d{2}){1,2}z?)?")  # words joined by `-`, lower case
_VERSION = re.compile(r"v\d+(?:[-.]\d+)*")
_CUSTOM_ROLE = re.compile(r"projects/(?P<project>[^/\s]+)/roles/[A-Za-z0-9_.]+")
_USER_MANAGED = re.compile(r"serviceAccount:(?P<email>[^@\s]+@(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9])"
                           r"\.iam\.gserviceaccount\.com)")
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
        moved = None if configured is not None else _path_disagrees(stated, path, options.globs_root, reader, document)
        if moved is not None:
            return Named(_unnamed(bindings, f"projects/{moved[0]}"), moved[1])
        return Named(stated[0], "document")
    keyed = None if stated is not None else _key_in_path(options.place(path))
    if keyed is not None and not _disagrees(keyed, configured, reader, None, document):
        return Named(keyed, "path")
    project, basis = _project(bindings, path, configured, options, reader)
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
    """Whether the configuration names another project than the document (or the path) does: a located error.

    A project number and an id cannot be compared, and `_` or `-` names no project: neither is known to agree."""
    if configured is None:
        return False
    parts = name.split("/")
    project = parts[1] if len(parts) >= 2 and parts[0] == "projects" else ""
    if project == configured:
        return False
    where = reader.of(document, key) if key is not None else Location(reader.path, 1, 1)
    what = f"{key} to name" if key is not None else "the path to name"
    message = (f"expected {what} project {configured} or a resource in it (gcp-projects maps this file to "
               f"{configured}), found {shown(name)}")
    if project in ("_", "-"):
        message += f": `{project}` names no project; {_say_which(configured, 'gcp-projects')}"
    elif project and project.isdigit() != configured.isdigit():
        shape = "a project number" if project.isdigit() else "a project id"
        message += (f": {shape}, which the files cannot tell to be {configured}'s or another's; "
                    f"{_say_which(configured, 'gcp-projects (the number or the id)')}")
    reader.errors.append(InputError(where, message))
    return True


def _path_disagrees(stated: tuple[str, str], path: str, root: str, reader: Reader,
                    document: YMap) -> tuple[str, str] | None:
    """The project and basis of a file name or folder that can be a project id and names another project id than
    the document's field does: a located error, and the path's project is used (as against custom roles), so a
    dump is never moved silently. A number, `_` or `-`, or no project (an organisation) disagrees with nothing; nor
    does a name of the resource itself (`orders-db.iam.yaml` for its key, `order-sync.sa-policy.yaml` for
    `…/serviceAccounts/order-sync@…`); only folders under the run's root count (not a temporary folder's name)."""
    parts = stated[0].split("/")
    project = parts[1] if len(parts) >= 2 and parts[0] == "projects" else ""
    named = _file_name(path) or _folder(path, Options(globs_root=root), outside=False)
    own = set(re.split(r"[/@]", "/".join(parts[2:])))
    if named is None or not _PROJECT_ID.fullmatch(project) or not _PROJECT_ID.fullmatch(named[0]) \
            or named[0] == project or named[0] in own:
        return None
    reader.errors.append(InputError(
        reader.of(document, stated[1]),
        f"expected {stated[1]} to name project {named[0]} or a resource in it (the {named[1].replace('-', ' ')} "
        f"names it), found {shown(document[stated[1]])}; read as {named[0]}'s policy: say which in gcp-projects"))
    return named


def _say_which(used: str, where: str) -> str:
    return f"read as {used}'s policy: say which in {where} or in the document"


def _key_in_path(path: str) -> str | None:
    """A Cloud KMS key (or key ring) whose resource name the path spells, as folders or in the file name."""
    matches = list(_KEY_PATH.finditer(PurePath(path).as_posix()))
    if not matches:
        return None
    found = matches[-1]  # the nearest the file
    ring = f"projects/{found['project']}/locations/{found['location']}/keyRings/{found['ring']}"
    return f"{ring}/cryptoKeys/{found['key']}" if found["key"] else ring


def _project(bindings: YSeq, path: str, configured: str | None, options: Options, reader: Reader
             ) -> tuple[str, str]:
    roles = _custom_roles(bindings)
    if configured is not None:
        _foreign_roles(roles, configured, "gcp-projects maps this file to it", None, reader)
        return configured, "config"
    named = _file_name(path) or _folder(path, options)
    if not roles:
        return named or (_fallback(path), "fallback")
    custom = roles[0][0]
    accounts = _account_projects(bindings)
    other: tuple[str, str] | None = None  # another project the path or the service accounts name, and which
    if named is not None and named[0] != custom and _PROJECT_ID.fullmatch(named[0]):
        other = named[0], f"the {named[1].replace('-', ' ')} names it"
        if custom not in accounts or named[0] in accounts:  # one custom role must not move the dump
            _foreign_roles(roles, named[0], other[1], named[0], reader)
            return named
    elif accounts and custom not in accounts:
        other = max(accounts, key=accounts.count), "the service accounts it binds are of it"
    if other is not None:  # the custom roles (and the service accounts) win, with a located error
        _foreign_roles(roles[:1], other[0], other[1], custom, reader)
    _foreign_roles(roles, custom, None, None, reader)
    return custom, "custom-roles"


def _custom_roles(bindings: YSeq) -> list[tuple[str, YMap]]:
    """The project of each custom role the bindings grant, with its binding."""
    found = []
    for binding in bindings:
        role = binding.get("role") if isinstance(binding, YMap) else None
        match = _CUSTOM_ROLE.fullmatch(role) if isinstance(role, str) else None
        if match is not None:
            found.append((match["project"], binding))
    return found


def _foreign_roles(roles: list[tuple[str, YMap]], expected: str, why: str | None, used: str | None,
                   reader: Reader) -> None:
    """A located error for each custom role of another project than `expected`: a project's custom role can be
    granted only in that project (or its resources). `used`: the project the dump is read as, when not `expected`."""
    for project, binding in roles:
        if project == expected or project.isdigit() != expected.isdigit():
            continue
        message = (f"expected the custom roles of project {expected}{f' ({why})' if why else ''}: a project's "
                   f"custom role can be granted only in it, found {shown(binding.get('role'))}")
        if used is not None:
            message += f"; read as {used}'s policy: say which in gcp-projects"
        reader.errors.append(InputError(reader.of(binding, "role"), message))


def _account_projects(bindings: YSeq) -> list[str]:
    """The project of each of the dump's own service accounts it binds (`NAME@P.iam.gserviceaccount.com`; not
    Google's service agents), once per member."""
    projects = []
    for binding in bindings:
        members = binding.get("members") if isinstance(binding, YMap) else None
        for member in members if isinstance(members, YSeq) else ():
            account = _USER_MANAGED.fullmatch(member) if isinstance(member, str) else None
            if account is not None and not is_service_agent(account["email"]):
                projects.append(account["project"])
    return projects


def _file_name(path: str) -> tuple[str, str] | None:
    """The project a file name names: its stem without generic words, whole, when it can be a project's."""
    own = _own_name(_stem_of(path).rpartition("__")[2])
    return (own, "file-name") if own is not None and _can_be_project(own) else None


def _folder(path: str, options: Options, outside: bool = True) -> tuple[str, str] | None:
    """The nearest folder between the run's root and the file that names a project (as a file name does).

    Folders are those of the file's name in ids (`Options.place`): under the root, or from the root through `..` in
    its repository (never the clone's or a diff's copy's own folder name), so every clone and copy names the same
    project; a file outside the repository: the folders of its absolute path, unless not `outside`."""
    placed = PurePath(options.place(path))
    folders = placed.parent.parts if not placed.is_absolute() or outside else ()
    for folder in reversed(folders):
        own = _own_name(folder) if folder != ".." else None
        if own is not None and _can_be_project(own):
            return own, "folder"
    return None


def _can_be_project(name: str) -> bool:
    return bool(_PROJECT_ID.fullmatch(name) or _NUMBER.fullmatch(name) or _NAME.fullmatch(name))


def _own_name(name: str) -> str | None:
    """The name without the generic words before and after it (`iam-policy-shop-prod_2026-11-01`: `shop-prod`),
    as written; None when every word is generic."""
    if _generic(name):
        return None
    words = list(_WORD.finditer(name))
    first, last = 0, len(words)
    while first < last:
        cut = _generic_run(words[first:last])
        if cut == 0:
            break
        first, last = (first + cut, last) if cut > 0 else (first, last + cut)
    return name[words[first].start():words[last - 1].end()] if first < last else None


def _generic_run(words: list[re.Match[str]]) -> int:
    """How many words at the start (positive) or the end (negative) form one generic affix; 0: none do."""
    for size in range(len(words), 0, -1):
        head = "-".join(w[0] for w in words[:size])
        if _affix(head) or head == "projects":  # `projects_P_iam-policy.json`, a resource name flattened
            return size
        if _affix("-".join(w[0] for w in words[-size:])):
            return -size
    return 0


def _generic(name: str) -> bool:
    """Whether a whole name says what the file is, which copy or when, not whose (`json-dumps`, `latest`, `v2`)."""
    lower = name.lower().replace("_", "-")
    return (lower in GENERIC_FOLDERS or lower in GENERIC_COPIES or _VERSION.fullmatch(lower) is not None
            or _affix(name))


def _affix(words: str) -> bool:
    """Whether words before or after a name say what the file is or when (not `data`: `prod-data` is an id)."""
    lower = words.lower().replace("_", "-")
    return lower in GENERIC_AFFIXES or _DATE.fullmatch(lower) is not None


def _stem_of(path: str) -> str:
    name = PurePath(path).name
    match = _STEM.match(name)
    return match["stem"] if match else PurePath(name).stem


def _fallback(path: str) -> str:
    """Nothing named the project: the stem without its generic words, whole (never cut), else the stem."""
    stem = _stem_of(path)
    return _own_name(stem.rpartition("__")[2]) or stem


def _unnamed(bindings: YSeq, project: str) -> str:
    """The project, or a key of it the dump does not name when every binding is of a Cloud KMS role."""
    roles = [b.get("role") if isinstance(b, YMap) else None for b in bindings]
    if roles and all(isinstance(r, str) and r.startswith("roles/cloudkms.") for r in roles):
        return project + _UNNAMED_KEY
    return project

