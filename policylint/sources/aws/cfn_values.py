"""What one template contributes, collected as it is read, and the checked readers of resolved properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from policylint.errors import InputError
from policylint.iam.policy import implied_principal
from policylint.iam.statements import globs_overlap, is_arn
from policylint.model import (
    EVERYONE,
    Credential,
    Grant,
    Group,
    Inventory,
    Key,
    Location,
    Node,
    Principal,
    Resource,
    Role,
)
from policylint.sources.aws.cfn_template import CfnResource, CfnTemplate
from policylint.sources.aws.intrinsics import ACCOUNT, UNRESOLVED, describe
from policylint.yamlsafe import YMap, YSeq

_GLOB = ("*", "?")


class Implied:
    """Nodes the template names without defining them; the first one of an id is kept (groups gather members)."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}

    def add(self, node: Node | None) -> None:
        if node is None:
            return
        known = self.nodes.get(node.id)
        if known is None:
            self.nodes[node.id] = node
        elif isinstance(known, Group) and isinstance(node, Group):
            members = tuple(dict.fromkeys((*known.members, *node.members)))
            self.nodes[node.id] = Group(known.id, known.location, members)

    def inventory(self, defined: set[str]) -> Inventory:
        kept = [n for n in self.nodes.values() if n.id not in defined]
        return Inventory(
            principals=tuple(n for n in kept if isinstance(n, Principal)),
            groups=tuple(n for n in kept if isinstance(n, Group)),
            roles=tuple(n for n in kept if isinstance(n, Role)),
            resources=tuple(n for n in kept if isinstance(n, Resource)),
        )


@dataclass
class Found:
    """The model records the template defines, its errors, and the properties of each resource, resolved once."""

    template: CfnTemplate
    implied: Implied
    errors: list[InputError] = field(default_factory=list)
    principals: list[Principal] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    mfa: set[str] = field(default_factory=set)  # users an AWS::IAM::VirtualMFADevice names
    _resolved: dict[str, YMap] = field(default_factory=dict)

    def inventory(self) -> Inventory:
        return Inventory(principals=tuple(self.principals), groups=tuple(self.groups), roles=tuple(self.roles),
                         grants=tuple(self.grants), credentials=tuple(self.credentials), keys=tuple(self.keys),
                         resources=tuple(self.resources))

    def at(self, pos: tuple[int, int]) -> Location:
        return Location(self.template.path, *pos)

    def error(self, pos: tuple[int, int], message: str) -> None:
        self.errors.append(InputError(self.at(pos), message))

    def properties(self, resource: CfnResource) -> YMap:
        """The resource's properties with intrinsics resolved (what is not known before deployment is `*`)."""
        if resource.logical not in self._resolved:
            resolver = self.template.resolver()
            value = resolver.resolve(resource.properties)
            self.errors.extend(resolver.errors)
            self._resolved[resource.logical] = value if isinstance(value, YMap) else YMap(resource.properties.pos)
        return self._resolved[resource.logical]

    def list_of(self, props: YMap, key: str, what: str) -> list[Any]:
        value = props.get(key)
        if value is None:
            return []
        if isinstance(value, YSeq):
            return list(value)
        self.error(props.value_pos[key], f"expected '{key}' to be a list of {what}, found {describe(value)}")
        return []

    def mapping(self, props: YMap, key: str, what: str) -> YMap:
        """A property that must be a mapping; absent, empty. Of another type, a located error and empty."""
        value = props.get(key)
        if isinstance(value, YMap):
            return value
        empty = YMap(props.value_pos.get(key, props.pos))
        if value is not None and value != UNRESOLVED:
            self.error(props.value_pos[key], f"expected '{key}' to be {what} (a mapping), found {describe(value)}")
        return empty

    def strings(self, props: YMap, key: str, required: bool = False) -> list[str]:
        """A property that names things: one string or a list of them; a name not known before deployment is `*`."""
        value = props.get(key)
        if value is None:
            if required:
                self.error(props.pos, f"expected '{key}', found none")
            return []
        items = list(value) if isinstance(value, YSeq) else [value]
        names = []
        for index, item in enumerate(items):
            if isinstance(item, str | int) and not isinstance(item, bool):
                names.append(str(item))
            else:
                pos = value.item_pos[index] if isinstance(value, YSeq) else props.value_pos[key]
                self.error(pos, f"expected '{key}' to name things (strings), found {describe(item)}")
        return names

    def documents(self, props: YMap, key: str, owner: str, kind: str = "policy document") -> list[Any] | None:
        """The policy documents of a property: one, or each branch of an `Fn::If`; None when it is not known before
        deployment (`Fn::ImportValue`, …); none, with a located error, when it is not a policy document."""
        value = props.get(key)
        if value == UNRESOLVED:
            return None
        if isinstance(value, str):  # the policy as JSON text
            return [value]
        items = list(value) if isinstance(value, YSeq) and value else [value]
        if all(isinstance(item, YMap) for item in items):
            return items
        found = "none" if value is None else describe(value)
        self.error(props.value_pos[key] if key in props else props.pos,
                   f"expected '{key}' of {owner} to be a {kind} (a mapping with 'Statement'), found {found}")
        return []

    # -- principals ---------------------------------------------------------------------------------------------

    def principal_ids(self, ids: list[str], where: Location) -> list[str]:
        """Principal ids from a policy, each implied when the template does not define it. An id with a glob (its
        ARN built from something not known before deployment) names the template's users and roles it could
        be, or, when it could be none of them, anyone (`*`)."""
        own = self.template.own("user", "role")
        found: dict[str, None] = {}
        for node_id in ids:
            if node_id == EVERYONE:
                found[EVERYONE] = None
            elif any(c in node_id for c in _GLOB):
                matched = [n.id for n in own if fnmatchcase(n.id, node_id) or globs_overlap(node_id, n.pattern)]
                found.update(dict.fromkeys(matched or [EVERYONE]))
            else:
                found[node_id] = None
                if node_id not in self.template.own_ids("user", "role"):
                    self.imply(node_id, where)
        return list(found)

    def imply(self, node_id: str, where: Location) -> None:
        """A principal named here: the account root, a service, another account, or a same-account identity
        the template does not define."""
        node = implied_principal(node_id, ACCOUNT, where)
        if node is not None:
            self.implied.add(node)
        elif ":role/" in node_id:
            self.implied.add(Role(node_id, where))
        elif ":group/" in node_id:
            self.implied.add(Group(node_id, where))
        else:
            self.implied.add(Principal(node_id, where, "service"))


def account_roots(document: Any) -> Any:
    """A policy whose principal is the template's own account, bare (`!Ref AWS::AccountId`), names its root ARN
    instead: `cfn` is not a 12-digit account id, so the policy reader would not know it for one."""
    root = f"arn:aws:iam::{ACCOUNT}:root"
    statements = document.get("Statement") if isinstance(document, YMap) else None
    for statement in statements if isinstance(statements, YSeq) else [statements]:
        for key in ("Principal", "NotPrincipal"):
            named = statement.get(key) if isinstance(statement, YMap) else None
            if not isinstance(named, YMap):
                continue
            value = named.get("AWS")
            if value == ACCOUNT:
                named["AWS"] = root
            elif isinstance(value, YSeq):
                value[:] = [root if v == ACCOUNT else v for v in value]
    return document


def tags_of(props: YMap, found: Found) -> dict[str, str]:
    """`Tags: [{Key, Value}]` as a mapping; a value not known before deployment is `*`."""
    tags: dict[str, str] = {}
    for index, tag in enumerate(found.list_of(props, "Tags", "tags")):
        if isinstance(tag, dict) and isinstance(tag.get("Key"), str) and tag.get("Value") is not None:
            value = tag["Value"]
            tags[tag["Key"]] = str(value).lower() if isinstance(value, bool) else str(value)
        else:
            found.error(props["Tags"].item_pos[index], f"expected a tag {{Key, Value}}, found {describe(tag)}")
    return tags


def arn_or_star(text: str) -> str:
    """A value used as an ARN: itself when it reads as one, else `*` (it names something not known)."""
    return text if is_arn(text) else UNRESOLVED
