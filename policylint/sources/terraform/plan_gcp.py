"""A plan's Google Cloud IAM written as the `gcloud … get-iam-policy` documents it amounts to, one per resource, and
read by the GCP reader (`sources/gcp/policy.py`): one meaning for roles, members and conditions, no second copy.

- Every `google_{project,folder,organization,service_account,kms_key_ring,kms_crypto_key,storage_bucket,
  bigquery_dataset}_iam_{member,binding,policy}` of one resource (`plan_gcp_ids` names it) adds to that resource's
  document, with its `resource` field: the plan names each policy's resource, so no file or folder name can move
  it. Bindings of one role and condition are one binding, as in the policy IAM keeps; each member is located at
  its own resource's address. A `_policy`'s `policy_data` (`data.google_iam_policy`: JSON, or an HCL object) adds
  its bindings and `auditConfigs`, as an `_audit_config` adds its own.
- A project's, folder's or organisation's access control is defined by the plan only when an `_iam_policy` sets the
  whole policy; members and bindings add to a policy that exists already (a gcloud dump of it may define it), so
  theirs is implied.
- A BigQuery dataset's `access` blocks (and `google_bigquery_dataset_access`) are bindings on the dataset: a
  legacy role (`READER`, `WRITER`, `OWNER`) as its predefined role, `user_by_email`, `group_by_email`, `domain`,
  `special_group` and `iam_member` as members; an authorised view, dataset or routine is no member, and not read.
  A dataset whose `access` is not configured has BigQuery's default access, which the project's basic roles give.
- What the plan leaves open fails closed and the condition says so ("template leaves open: ADDRESS.member (known
  after apply)"): a member is anyone the template leaves open (the group `*anyone-if:<condition>` whose member is
  `*`, as for an open AWS principal), a role is `roles/owner`, the resource is `organizations/-` (all of GCP), a
  policy's `policy_data` is anyone as `roles/owner`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from policylint.errors import InputError, found
from policylint.iam.statements import OPEN_IN_TEMPLATE
from policylint.iam.trust import ANYONE_IF
from policylint.model import ACCESS_CONTROL, EVERYONE, Group, Inventory, Location, Role
from policylint.sources.base import Fragment, Options
from policylint.sources.gcp.policy import OpenTitle, condition_text, load_policy
from policylint.sources.terraform.plan_cfn import Translation, y
from policylint.sources.terraform.plan_gcp_ids import GcpNames, account_name, key_name, ring_name
from policylint.sources.terraform.plan_open import Opened, Places, attribute, joined
from policylint.sources.terraform.plan_read import TfResource
from policylint.yamlsafe import YMap, YSeq

_IAM = re.compile(r"google_(?P<on>project|folder|organization|service_account|kms_key_ring|kms_crypto_key|"
                  r"storage_bucket|bigquery_dataset)_iam_(?P<how>member|binding|policy|audit_config)")
ANYTHING = "organizations/-"  # a resource not known until apply: grants on all of GCP, failing closed
_OPEN_TITLE = OPEN_IN_TEMPLATE.removesuffix(": ")
_WIDEST = "roles/owner"
_LEGACY = {"OWNER": "roles/bigquery.dataOwner", "WRITER": "roles/bigquery.dataEditor",
           "READER": "roles/bigquery.dataViewer"}
_SPECIAL = {"projectOwners": "projectOwner", "projectWriters": "projectEditor", "projectReaders": "projectViewer"}
Member = str | Opened | None


@dataclass
class _Binding:
    role: Any
    condition: dict[str, Any] | None
    at: Location
    anyone: bool = False  # its members are left open: anyone, under its condition
    members: list[tuple[Any, Location]] = field(default_factory=list)
    malformed: Any = None  # members that are not a list, as given (the reader says what it expected)


@dataclass
class _Policy:
    name: str
    at: Location
    authoritative: bool = False
    bindings: dict[tuple[Any, ...], _Binding] = field(default_factory=dict)
    audit: list[Any] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Stated(Options):
    """The plan names each policy's resource itself: no `gcp-projects` glob, file or folder name may move it."""

    project: str | None = None

    def gcp_project_for(self, path: str) -> str | None:
        return self.project


def iam_fragment(t: Translation, names: GcpNames, path: str) -> Fragment:
    policies = _Policies(names)
    for resource in sorted(t.plan.resources, key=lambda r: r.address):
        match = _IAM.fullmatch(resource.type)
        if match is not None:
            policies.read(resource, match["on"], match["how"])
        elif resource.type == "google_bigquery_dataset":
            policies.dataset(resource)
        elif resource.type == "google_bigquery_dataset_access":
            policies.dataset_access(resource)
    return joined(*(_loaded(p, path) for p in policies.by_name.values()), Fragment(Inventory(), policies.errors))


class _Policies:
    def __init__(self, names: GcpNames) -> None:
        self.names = names
        self.by_name: dict[str, _Policy] = {}
        self.errors: list[InputError] = []

    def policy(self, name: str, at: Location) -> _Policy:
        return self.by_name.setdefault(name, _Policy(name, at))

    def read(self, r: TfResource, on: str, how: str) -> None:
        target, opened = self.target(r, on)
        policy = self.policy(target, r.location)
        if how == "policy":
            policy.authoritative = True
            self.policy_data(policy, r, opened)
        elif how == "audit_config":
            policy.audit.append({"service": r.values.get("service"), "auditLogConfigs": [
                {"logType": c.get("log_type"), "exemptedMembers": c.get("exempted_members") or []}
                for c in r.values.get("audit_log_config") or () if isinstance(c, dict)]})
        else:
            named = self.names.member_named
            members = [self.names.text(r, "member", named)] if how == "member" else \
                [self.names.item(m, named) for m in self.names.t.items(r, "members")]
            condition = _condition(attribute(r, "condition"), self.names)
            self.add(policy, self.names.text(r, "role"), condition, members, opened, r.location)

    def target(self, r: TfResource, on: str) -> tuple[str, list[str]]:
        """The resource a policy resource is on, and what of it the plan leaves open (then: all of GCP)."""
        names = self.names
        if on == "bigquery_dataset":
            name: str | Opened | None = names.dataset(r)
        elif on == "storage_bucket":
            bucket = names.text(r, "bucket")
            name = names.bucket(bucket.removeprefix("b/")) if isinstance(bucket, str) else bucket
        elif on == "service_account":
            account = names.text(r, "service_account_id", names.account_named)
            name = account_name(account) if isinstance(account, str) else account
        elif on in ("kms_key_ring", "kms_crypto_key"):
            ring = on == "kms_key_ring"
            given = names.text(r, "key_ring_id" if ring else "crypto_key_id", names.ring_named if ring else
                               names.key_named)
            name = (ring_name if ring else key_name)(given) if isinstance(given, str) else given
        else:
            attr = {"project": "project", "folder": "folder", "organization": "org_id"}[on]
            given = names.text(r, attr)
            plural = {"project": "projects", "folder": "folders", "organization": "organizations"}[on]
            name = f"{plural}/{given.removeprefix(plural + '/')}" if isinstance(given, str) and given else given
        if isinstance(name, str) and name:
            return name, []
        what = name.what if isinstance(name, Opened) else f"{r.address}: the resource it is on (not given)"
        return ANYTHING, [what]

    def policy_data(self, policy: _Policy, r: TfResource, opened: list[str]) -> None:
        value = self.names.t.value(r, "policy_data")
        if isinstance(value, dict) and ("Ref" in value or "Fn::GetAtt" in value or "Fn::Join" in value):
            data: Any = self.names.item(value, self.names.member_named)
        elif isinstance(value, str):
            try:
                data = json.loads(value)
            except json.JSONDecodeError as error:
                self.errors.append(InputError(r.location, "expected policy_data to be the JSON of an IAM policy (data."
                                                          f"google_iam_policy), found a syntax error: {error.msg}"))
                return
        else:
            data = value
        if isinstance(data, Opened):
            self.add(policy, _WIDEST, None, [data], opened, r.location)
            return
        if not isinstance(data, dict) or not isinstance(data.get("bindings", []), list):
            self.errors.append(InputError(r.location, "expected policy_data to be an IAM policy (an object with "
                                                      f"bindings), found {found(data)}"))
            return
        policy.audit += data.get("auditConfigs") or []
        for binding in data.get("bindings") or ():
            binding = binding if isinstance(binding, dict) else {}
            members = binding.get("members")
            members = [self.names.item(m, self.names.member_named) for m in members] \
                if isinstance(members, list) else members
            condition = binding.get("condition")
            self.add(policy, binding.get("role"), condition if isinstance(condition, dict) else None,
                     members, opened, r.location)

    def dataset(self, r: TfResource) -> None:
        """A dataset's `access` blocks: the dataset's policy, whole (its other grants are the project's)."""
        target = self.names.dataset(r)
        if not isinstance(target, str):
            return  # the policy of a dataset not named is not known: its own resources name it, or fail closed
        access = attribute(r, "access")
        configured = "access" in self.names.t.plan.references.get(r.config_address, {})
        if isinstance(access, Opened):
            if configured:  # else BigQuery's default access: the project's owners, editors and viewers
                self.add(self.policy(target, r.location), _LEGACY["OWNER"], None, [access], [], r.location)
            return
        for block in access if isinstance(access, list) else ():
            self.access(target, r, block if isinstance(block, dict) else {})

    def dataset_access(self, r: TfResource) -> None:
        target = self.names.dataset(r)
        if not isinstance(target, str):
            what = target.what if isinstance(target, Opened) else f"{r.address}: the dataset it is on (not given)"
            target = ANYTHING
            self.add(self.policy(target, r.location), _LEGACY["OWNER"], None, [], [what], r.location)
        self.access(target, r, {k: attribute(r, k) for k in (
            "role", "user_by_email", "group_by_email", "domain", "special_group", "iam_member")})

    def access(self, target: str, r: TfResource, block: dict[str, Any]) -> None:
        member = _access_member(block, target.split("/")[1], self.names)
        if member is None:
            return  # an authorised view, dataset or routine
        role = block.get("role")
        role = _LEGACY.get(role, role) if isinstance(role, str) else role
        self.add(self.policy(target, r.location), role if role is not None else _LEGACY["OWNER"], None, [member], [],
                 r.location)

    def add(self, policy: _Policy, role: Any, condition: Any, members: Any, opened: list[str], at: Location) -> None:
        """One binding's members, in the binding of its role and condition; what is open widens it (see above)."""
        whats = list(opened)
        if isinstance(role, Opened):
            whats.append(role.what)
            role = _WIDEST
        if isinstance(condition, Opened):
            whats.append(condition.what)
            condition = None
        if not isinstance(members, list):
            self.binding(policy, role, condition, whats, at).malformed = members  # the reader says what it expected
            return
        left_open = [m.what for m in members if isinstance(m, Opened)]
        known = [m for m in members if not isinstance(m, Opened)]
        if known or not left_open:
            self.binding(policy, role, condition, whats, at).members.extend((m, at) for m in known)
        if left_open:
            self.binding(policy, role, condition, whats + left_open, at, anyone=True)

    def binding(self, policy: _Policy, role: Any, condition: dict[str, Any] | None, whats: list[str],
                at: Location, anyone: bool = False) -> _Binding:
        if whats:
            own = f" and {_condition_text(condition)}" if condition else ""
            condition = {"title": OpenTitle(_OPEN_TITLE), "expression": "; ".join(dict.fromkeys(whats)) + own}
        key = (json.dumps(role), json.dumps(condition, sort_keys=True), anyone)
        return policy.bindings.setdefault(key, _Binding(role, condition, at, anyone))


def _condition(blocks: Any, names: GcpNames) -> dict[str, Any] | Opened | None:
    """A `condition` block (title, description, expression), as a policy's binding writes it."""
    if isinstance(blocks, Opened):
        return blocks
    block = blocks[0] if isinstance(blocks, list) and blocks else None
    if not isinstance(block, dict):
        return None
    parts = {k: v if isinstance(v, Opened) else names.item(v, names.member_named)
             for k in ("title", "expression") if (v := block.get(k)) is not None}
    return next((v for v in parts.values() if isinstance(v, Opened)), None) or parts


def _condition_text(condition: dict[str, Any]) -> str:
    return condition_text(condition.get("title"), condition.get("expression"))


def _access_member(block: dict[str, Any], project: str, names: GcpNames) -> Member:
    named = names.member_named
    for attr, prefix in (("user_by_email", None), ("group_by_email", "group:"), ("domain", "domain:"),
                         ("iam_member", ""), ("special_group", None)):
        value = block.get(attr)
        if value is None or value == "":
            continue
        text = names.item(value, named) if not isinstance(value, Opened) else value
        if not isinstance(text, str):
            return text
        if attr == "user_by_email":
            return ("serviceAccount:" if text.endswith("gserviceaccount.com") else "user:") + text
        if attr == "special_group":
            return f"{_SPECIAL[text]}:{project}" if text in _SPECIAL else text
        return f"{prefix}{text}"
    return None


def _loaded(policy: _Policy, path: str) -> Fragment:
    parts = policy.name.split("/")
    project = parts[1] if len(parts) > 1 and parts[0] == "projects" and parts[1] not in ("_", "-") else None
    places = Places()
    try:
        fragment = places.relocated(load_policy(_document(policy, places), path, _Stated(project=project)))
    except InputError as error:  # nothing of the policy usable: said where, as the reader says it
        return places.relocated(Fragment(Inventory(), [error]))
    anyone = {_condition_text(b.condition): b.at for b in policy.bindings.values() if b.anyone and b.condition}
    roles = tuple(_opened(role, anyone) for role in fragment.inventory.roles)
    groups = tuple(Group(ANYONE_IF + text, at, (EVERYONE,)) for text, at in anyone.items())
    control = () if policy.authoritative else \
        tuple(r for r in fragment.inventory.resources if r.type == ACCESS_CONTROL)
    inventory = replace(fragment.inventory, roles=roles,
                        resources=tuple(r for r in fragment.inventory.resources if r not in control))
    implied = replace(fragment.implied, groups=(*fragment.implied.groups, *groups),
                      resources=(*fragment.implied.resources, *control))
    return Fragment(inventory, fragment.errors, implied)


def _opened(role: Role, anyone: dict[str, Location]) -> Role:
    """A binding whose members the plan leaves open: assumable by everyone its condition admits."""
    text = next((g.condition for g in role.grants if g.condition in anyone), None)
    return role if text is None or role.assumable_by else replace(role, assumable_by=(ANYONE_IF + text,))


def _document(policy: _Policy, places: Places) -> YMap:
    pos = places.pos(policy.at)
    document = YMap(pos)
    _put(document, "resource", policy.name, pos)
    bindings = YSeq(pos)
    for binding in policy.bindings.values():
        at = places.pos(binding.at)
        item = YMap(at)
        _put(item, "role", binding.role, at)
        members = _members(binding.members, at, places) if binding.malformed is None else binding.malformed
        _put(item, "members", members, at)
        if binding.condition is not None:
            _put(item, "condition", y(binding.condition, at), at)
        bindings.append(item)
        bindings.item_pos.append(at)
    _put(document, "bindings", bindings, pos)
    if policy.audit:
        _put(document, "auditConfigs", y(policy.audit, pos), pos)
    return document


def _members(members: list[tuple[Any, Location]], at: tuple[int, int], places: Places) -> YSeq:
    listed = YSeq(at)
    for member, where in members:
        listed.append(member)
        listed.item_pos.append(places.pos(where))
    return listed


def _put(mapping: YMap, key: str, value: Any, pos: tuple[int, int]) -> None:
    mapping[key] = value
    mapping.key_pos[key] = mapping.value_pos[key] = pos
