"""An IAM policy as `gcloud … get-iam-policy --format=yaml|json` prints it: each binding becomes one Role."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any

from policylint.errors import InputError
from policylint.flags import BUILTIN, GCP_ACT_AS, GCP_RESOURCE_FROM, PUBLIC
from policylint.iam.statements import OPEN_IN_TEMPLATE, TEMPLATE_PLACEHOLDER
from policylint.model import ACCESS_CONTROL, Grant, Group, Inventory, Key, Location, Principal, Resource, Role
from policylint.sources.base import Fragment, Options
from policylint.sources.gcp.common import Reader, shown
from policylint.sources.gcp.members import PREFIX, check_member, is_public, member_id, member_node
from policylint.sources.gcp.naming import Named, policy_resource
from policylint.sources.gcp.roles import Meaning, is_role_name, is_service_agent_role, meaning_of
from policylint.yamlsafe import YMap, YSeq

ACT_AS = ":act-as"  # suffix of the key that stands for a project's (or one account's) service-account tokens
# Data grants never cover access control, act-as keys or KMS keys: those need roles of their own.
EXCLUDED = ("*:access-control", "*" + ACT_AS, "*/cryptoKeys/*")
TOKEN_TTL = ("1h", 3600)  # lifetime of the access tokens Google mints for an impersonated service account
_PROJECT_NUMBER = re.compile(r"serviceAccount:(\d+)@cloudservices\.gserviceaccount\.com")
_COLLECTIONS = {"buckets": "bucket", "datasets": "dataset", "tables": "table", "topics": "topic",
                "subscriptions": "subscription", "secrets": "secret", "instances": "instance",
                "databases": "database", "repositories": "repository", "services": "service"}


@dataclass(frozen=True, slots=True)
class Target:
    """The resource a policy is attached to, and the ids its bindings' grants reach."""

    id: str
    kind: str  # project, organization, folder, service_account, resource
    data: tuple[str, ...]  # ids and globs of everything the resource holds
    keys: tuple[str, ...]  # globs of the KMS keys under it
    control: str | None  # its access-control resource (a glob above projects)
    act_as: str | None  # the act-as key(s) of its service accounts (a glob above projects)


def _target(name: str) -> Target:
    node_id = PREFIX + name
    parts = name.split("/")
    if len(parts) == 2 and parts[0] in ("organizations", "folders"):
        # which projects a folder or organisation holds is not in the file: all of GCP, failing closed
        keys = (PREFIX + "projects/*/locations/*/keyRings/*/cryptoKeys/*",)
        return Target(node_id, parts[0][:-1], (PREFIX + "*",), keys, PREFIX + "*:access-control", PREFIX + "*" + ACT_AS)
    if len(parts) == 2 and parts[0] == "projects":
        return Target(node_id, "project", (node_id, node_id + "/*"),
                      (node_id + "/locations/*/keyRings/*/cryptoKeys/*",), node_id + ":access-control",
                      node_id + ACT_AS)
    if len(parts) == 4 and parts[0] == "projects" and parts[2] == "serviceAccounts":
        return Target(node_id, "service_account", (), (), None, node_id + ACT_AS)
    if "/keyRings/" in name:  # a key ring or a key: its holders use keys, the keys are defined by `kms keys list`
        pattern = PREFIX + "/".join("*" if part == "-" else part for part in parts)  # `-`: a key not named
        keys = (pattern,) if "/cryptoKeys/" in name else (pattern + "/cryptoKeys/*",)
        return Target(node_id, "resource", (), keys, None, None)
    return Target(node_id, "resource", (node_id, node_id + "/*"), (), node_id, None)


def load_policy(document: Any, path: str, options: Options) -> Fragment:
    if not isinstance(document, YMap):
        raise InputError(Location(path, 1, 1), f"expected an IAM policy (a mapping with bindings), "
                                               f"found {shown(document)}")
    bindings = document.get("bindings", [])
    if not isinstance(bindings, YSeq):
        raise InputError(Location(path, *document.value_pos["bindings"]),
                         f"expected bindings to be a list of {{role, members}}, found {shown(bindings)}")
    reader = Reader(path)
    named = policy_resource(document, bindings, path, options, reader)
    target = _target(named.name)
    where = Location(path, *document.key_pos.get("bindings", document.pos))
    builder = _Bindings(reader, target, (f"{GCP_RESOURCE_FROM}{named.basis}",))
    if target.kind == "service_account":  # the account the policy belongs to exists, whether or not it is bound
        builder.member(f"serviceAccount:{target.id.split('/')[3]}", where)
    roles = [role for index, binding in enumerate(bindings)
             if (role := reader.guarded(builder.role, binding, bindings.item_pos[index])) is not None]
    control, project = _resources(target, document, where, named)
    implied = Inventory(
        principals=tuple(n for n in builder.members.values() if isinstance(n, Principal)),
        groups=tuple(n for n in builder.members.values() if isinstance(n, Group)),
        keys=_act_as_keys(target, _project_number(bindings), set(builder.members), where),
        resources=project,
    )
    return Fragment(Inventory(roles=tuple(roles), resources=control), reader.errors, implied)


def _project_number(bindings: YSeq) -> str | None:
    """The project's number, from its Google APIs service agent (N@cloudservices), which every project has."""
    for binding in bindings:
        members = binding.get("members") if isinstance(binding, YMap) else None
        for member in members if isinstance(members, YSeq) else ():
            match = _PROJECT_NUMBER.fullmatch(member) if isinstance(member, str) else None
            if match:
                return match[1]
    return None


class _Bindings:
    def __init__(self, reader: Reader, target: Target, flags: tuple[str, ...]) -> None:
        self.reader = reader
        self.target = target
        self.flags = flags  # every role's: what named the policy's resource
        self.members: dict[str, Principal | Group] = {}
        self.seen: dict[str, int] = {}  # role id -> bindings of it so far (version 3 repeats roles by condition)

    def role(self, binding: Any, pos: tuple[int, int]) -> Role:
        reader = self.reader
        if not isinstance(binding, YMap):
            raise InputError(reader.at(pos), f"expected a binding (a mapping with role and members), "
                                             f"found {shown(binding)}")
        role = reader.text(binding, "role", "a role such as roles/viewer or projects/P/roles/NAME")
        if not is_role_name(role):
            raise InputError(reader.of(binding, "role"), f"expected a role such as roles/viewer or "
                                                         f"projects/P/roles/NAME, found {shown(role)}")
        condition = self.condition(binding)
        holders, public = self.holders(binding)
        meaning = meaning_of(role)
        role_id = self.role_id(role)
        grants = tuple(_grants(self.target, meaning, role, condition, reader.of(binding, "role")))
        flags = (*meaning.flags, *((PUBLIC,) if public else ()), *((BUILTIN,) if self.agents(role, holders) else ()),
                 *self.flags)
        return Role(role_id, reader.at(pos), holders, grants, flags)

    def agents(self, role: str, holders: tuple[str, ...]) -> bool:
        """A service agent's role held by Google's service agents only: Google's own binding, which no user made
        (a user's account holding it is a choice someone can undo)."""
        return is_service_agent_role(role) and bool(holders) and all(
            h in self.members and BUILTIN in self.members[h].flags for h in holders)

    def role_id(self, role: str) -> str:
        base = f"{self.target.id}:{role}"
        count = self.seen[base] = self.seen.get(base, 0) + 1
        return base if count == 1 else f"{base}#{count}"

    def condition(self, binding: YMap) -> str | None:
        condition = binding.get("condition")
        if condition is None:
            return None
        if not isinstance(condition, YMap):
            raise InputError(self.reader.of(binding, "condition"),
                             f"expected condition to be a mapping with title and expression, found {shown(condition)}")
        expression = self.reader.text(condition, "expression", "a CEL expression")
        title = self.reader.optional_text(condition, "title", "a title")
        return condition_text(title, expression)

    def holders(self, binding: YMap) -> tuple[tuple[str, ...], bool]:
        members = binding.get("members")
        if not isinstance(members, YSeq):
            raise InputError(self.reader.of(binding, "members"),
                             f"expected members to be a list such as [user:alice@example.com], found {shown(members)}")
        holders: dict[str, None] = {}
        public = False
        for index, member in enumerate(members):
            location = self.reader.at(members.item_pos[index])
            checked = self.reader.guarded(check_member, member, location)
            if checked is None:
                continue
            public = public or is_public(checked)
            holders[member_id(checked)] = None
            self.member(checked, location)
        return tuple(holders), public

    def member(self, member: str, location: Location) -> None:
        node = member_node(member, location)
        if node is not None:
            self.members.setdefault(node.id, node)


def _grants(target: Target, meaning: Meaning, role: str, condition: str | None, at: Location) -> list[Grant]:
    def grant(resource: str, actions: tuple[Any, ...], excluding: tuple[str, ...] = ()) -> Grant:
        return Grant(resource, actions, at, excluding=excluding, condition=condition, via=role, actions_given=(role,))

    grants = [grant(p, meaning.data, EXCLUDED if "*" in p else ()) for p in target.data if meaning.data]
    grants += [grant(pattern, meaning.keys) for pattern in target.keys if meaning.keys]
    if meaning.control and target.control is not None:
        grants.append(grant(target.control, ("admin",)))
    # on a service account itself, whoever may change it (owner, setIamPolicy) may also act as it
    acts = meaning.act_as or (target.kind == "service_account" and (meaning.control or "*" in meaning.data))
    if acts and target.act_as is not None:
        grants.append(grant(target.act_as, ("read",)))
    return grants


def _act_as_keys(target: Target, number: str | None, named: set[str], where: Location) -> tuple[Key, ...]:
    """The Google-held keys that sign a project's (or one account's) service-account tokens, as one Key.

    Acting as a service account (actAs, getAccessToken, signJwt, creating its keys) is using this key; it mints
    tokens for the accounts in `signs_for`: `*@P.iam.gserviceaccount.com` (a glob over principal ids, for the
    accounts other files name), then each of them the policy names, and the project's default accounts it names:
    App Engine's `P@appspot…` and Compute's `N-compute@developer…` (N, the project number, from the project's own
    service agent `N@cloudservices…`)."""
    if target.act_as is None or "*" in target.act_as:
        return ()
    name = target.id[len(PREFIX):].split("/")
    project = name[1]
    if target.kind == "service_account":
        email = name[3]
        if project in ("-", "_"):
            project = email.partition("@")[2].partition(".")[0] if email.endswith(".iam.gserviceaccount.com") else ""
        signs_for: tuple[str, ...] = (f"{PREFIX}serviceAccount:{email}",)
    else:
        # a project named by its number: which accounts are its own (`NAME@ID.iam…`) is not known: all (fail closed)
        pattern = f"{PREFIX}serviceAccount:*{'' if project.isdigit() else '@' + project}.iam.gserviceaccount.com"
        defaults = {f"{PREFIX}serviceAccount:{project}@appspot.gserviceaccount.com"}
        number = project if project.isdigit() else number
        if number:
            defaults.add(f"{PREFIX}serviceAccount:{number}-compute@developer.gserviceaccount.com")
        signs_for = (pattern, *sorted(n for n in named if n in defaults or fnmatch.fnmatchcase(n, pattern)))
    return (Key(target.act_as, where, "signing", "kms", rotation_days=14, signs_for=signs_for,
                token_ttl=TOKEN_TTL[0], token_ttl_seconds=TOKEN_TTL[1], auto_rotate=True,
                scope=f"{PREFIX}projects/{project}" if project else "gcp", flags=(GCP_ACT_AS,)),)


def _resources(target: Target, document: YMap, where: Location,
               named: Named) -> tuple[tuple[Resource, ...], tuple[Resource, ...]]:
    """What the policy defines, and what it implies: a project's, folder's or organisation's access control is this
    very policy, so the dump defines it (a second dump of the same project is an error naming both files), and
    implies the project itself (other files may define it); a data store is implied, with itself as its access
    control; a service account or a KMS key ring or key is defined elsewhere (principal, key)."""
    flags = (f"{GCP_RESOURCE_FROM}{named.basis}",)
    if target.kind == "service_account" or "/keyRings/" in target.id:
        return (), ()
    if target.kind == "resource":
        name = target.id[len(PREFIX):].split("/")
        # a bucket's project is not in its name (projects/_/buckets/B): scope "gcp", any GCP access control
        known = len(name) >= 2 and name[0] == "projects" and name[1] not in ("_", "-")
        scope = f"{PREFIX}projects/{name[1]}" if known else "gcp"
        kind = _COLLECTIONS.get(name[-2], name[-2]) if len(name) >= 2 else "resource"
        return (), (Resource(target.id, where, kind, scope=scope, flags=flags),)
    return ((Resource(f"{target.id}:access-control", where, ACCESS_CONTROL, scope=target.id, flags=flags),),
            (Resource(target.id, where, target.kind, logging=_data_read_logged(document), scope=target.id,
                      flags=flags),))


def _data_read_logged(document: YMap) -> bool | None:
    """True when the policy turns on Data Access audit logs (DATA_READ) for all services, with no exemptions.

    Audit configs are inherited from folders and the organisation, so their absence here proves nothing: None."""
    configs = document.get("auditConfigs")
    for config in configs if isinstance(configs, YSeq) else ():
        if not isinstance(config, YMap) or config.get("service") != "allServices":
            continue
        logs = config.get("auditLogConfigs")
        for log in logs if isinstance(logs, YSeq) else ():  # anything else proves nothing, as no config does
            if isinstance(log, YMap) and log.get("logType") == "DATA_READ" and not log.get("exemptedMembers"):
                return True
    return None


class OpenTitle(str):
    """The title a Terraform plan gives a condition on what it leaves open (`plan_gcp`): made in memory, never read
    from a file, so no configuration can write the marker the rules read as "left open"."""


def condition_text(title: object, expression: object) -> str:
    """A binding's condition as one text, `"title": expression`: the title quoted, so that no text can move between
    it and the expression and read the same (a finding's evidence compares conditions by their text). What a
    Terraform plan leaves open (`OpenTitle`) reads `template leaves open: …`; an expression a file writes that starts
    like that marker, or like a template's placeholder, is quoted, so it never reads as one (that would make the
    grant "left open", which PL211 leaves to others)."""
    if isinstance(title, OpenTitle):
        return f"{OPEN_IN_TEMPLATE}{expression}"
    if title:
        return f"{json.dumps(str(title), ensure_ascii=False)}: {expression}"
    text = str(expression)
    return json.dumps(text, ensure_ascii=False) if text.startswith((OPEN_IN_TEMPLATE, TEMPLATE_PLACEHOLDER)) else text
