"""The typed model every source produces: the contract between sources and the rest of the pipeline.

Frozen records that carry the Location where they were defined; no I/O and no behaviour beyond derived values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

PersonStatus = Literal["active", "departed", "suspended", "leave"]
PrincipalType = Literal["user", "service", "external"]
CredentialStatus = Literal["active", "inactive", "revoked", "expired"]
Action = Literal["read", "write", "delete", "admin", "*"]
NodeKind = Literal["person", "principal", "group", "role", "credential", "key", "resource"]

NODE_KINDS: tuple[NodeKind, ...] = ("person", "principal", "group", "role", "credential", "key", "resource")
EVERYONE = "*"
ACCESS_CONTROL = "access_control"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    location: Location
    status: PersonStatus
    departed: date | None = None
    emails: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # user names and logins that also name this person (joining, see join.py)
    departed_basis: str | None = None  # why the person counts as departed when the roster does not plainly say so:
    # where `departed` was inferred from ("meta.lastModified"), or a past date overriding the status (join.py)
    contradictions: tuple[str, ...] = ()  # what the record says against itself, against another record of the same
    # person (join.py), or leaves out, and how it was read
    display_name: str | None = None  # as the roster writes it (SCIM displayName, Okta first and last name, a column)
    team: str | None = None  # department or team, where the roster has one
    kind: NodeKind = field(default="person", init=False)


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    location: Location
    type: PrincipalType
    person: str | None = None
    owner: str | None = None
    identifiers: tuple[str, ...] = ()  # e-mails or user names that find its person when `person` is not set
    flags: tuple[str, ...] = ()  # platform facts rules can test, e.g. "aws-root", "deleted", "builtin"
    kind: NodeKind = field(default="principal", init=False)


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    location: Location
    members: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    kind: NodeKind = field(default="group", init=False)


@dataclass(frozen=True, slots=True)
class Grant:
    """Actions on a resource; held by a role, or given directly to an identity (`to`).

    `resource` is an id, "*" (every resource), or a glob over ids (`aws:s3:::customer-*`): every resource and key
    whose id matches, except those matching a pattern of `excluding` (IAM `NotResource`). A grant on a key lets
    the holder use the key. `condition` marks a grant that holds only under a condition: it still counts for
    reach (fail closed) and is shown in evidence. `via` names what the platform calls the grant (a policy, a
    role binding), and `actions_given` keeps the platform's own action names.
    """

    resource: str
    actions: tuple[Action, ...]
    location: Location
    to: str | None = None
    excluding: tuple[str, ...] = ()
    condition: str | None = None
    via: str | None = None
    actions_given: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return "admin" in self.actions or "*" in self.actions


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    location: Location
    assumable_by: tuple[str, ...] = ()
    grants: tuple[Grant, ...] = ()
    flags: tuple[str, ...] = ()
    condition: str | None = None  # who may assume it may do so only under this condition (an IAM trust Condition
    # every route carries, a trust policy not known): the condition of each assumer `conditions` does not list
    conditions: tuple[tuple[str, str], ...] = ()  # (assumer, the condition it may assume it under) for each assumer
    # every route of which is conditional, where the routes differ (a trust's statements of other principals)
    kind: NodeKind = field(default="role", init=False)


@dataclass(frozen=True, slots=True)
class Credential:
    id: str
    location: Location
    type: str
    principal: str | None
    holders: tuple[str, ...] | None  # None: the default holders of DESIGN.md
    status: CredentialStatus
    created: date | None = None
    last_used: date | None = None
    expires: date | None = None
    mfa: bool | None = None
    flags: tuple[str, ...] = ()
    contradictions: tuple[str, ...] = ()  # as for Person: e.g. no status, though the secret was used; read as active
    kind: NodeKind = field(default="credential", init=False)


@dataclass(frozen=True, slots=True)
class Key:
    id: str
    location: Location
    purpose: Literal["signing", "encryption"]
    storage: str
    created: date | None = None
    rotated: date | None = None
    rotation_days: int | None = None
    readable_by: tuple[str, ...] = ()
    signs_for: tuple[str, ...] = ()
    token_ttl: str | None = None
    token_ttl_seconds: int | None = None
    protects: tuple[str, ...] = ()
    auto_rotate: bool | None = None  # the platform rotates it by itself (AWS EnableKeyRotation, GCP rotationPeriod)
    scope: str | None = None  # the account, cluster or project it lives in; None: the whole inventory
    flags: tuple[str, ...] = ()
    kind: NodeKind = field(default="key", init=False)


@dataclass(frozen=True, slots=True)
class Resource:
    id: str
    location: Location
    type: str
    data: tuple[str, ...] = ()
    records: int | None = None
    logging: bool | None = None
    log_retention_days: int | None = None
    monitoring: bool | None = None
    scope: str | None = None  # the account, cluster or project; admin on its access_control reaches it
    flags: tuple[str, ...] = ()
    kind: NodeKind = field(default="resource", init=False)


Node = Person | Principal | Group | Role | Credential | Key | Resource

PLATFORMS = ("aws", "gcp", "kubernetes", "roster", "native")


def platform_of(node_id: str, kind: str) -> str:
    """Which platform a node belongs to, by the namespace of its id (`aws:…`, `gcp:…`, `k8s:…`): people are the
    roster's, and ids a user wrote in the native format are `native`."""
    if node_id.startswith("aws:"):
        return "aws"
    if node_id.startswith("gcp:"):
        return "gcp"
    if node_id.startswith("k8s:"):
        return "kubernetes"
    return "roster" if kind == "person" else "native"


@dataclass(frozen=True, slots=True)
class Annotation:
    """Attributes set on every resource whose id matches `pattern` (a glob), whichever source defined it."""

    pattern: str
    location: Location
    data: tuple[str, ...] | None = None
    records: int | None = None
    logging: bool | None = None
    log_retention_days: int | None = None
    monitoring: bool | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    """Everything the sources read, merged; ids are unique across all kinds."""

    people: tuple[Person, ...] = ()
    principals: tuple[Principal, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    grants: tuple[Grant, ...] = ()
    credentials: tuple[Credential, ...] = ()
    keys: tuple[Key, ...] = ()
    resources: tuple[Resource, ...] = ()
    annotations: tuple[Annotation, ...] = ()

    def nodes(self) -> tuple[Node, ...]:
        return (
            *self.people,
            *self.principals,
            *self.groups,
            *self.roles,
            *self.credentials,
            *self.keys,
            *self.resources,
        )
