"""A CloudFormation template read into its parts: parameters, mappings, and the resources policylint names.

Ids follow the contract with the account `cfn` (a template does not know the account it is deployed to), and
the region `cfn` too where an ARN has one (KMS, DynamoDB, RDS). A node's name is its name property (`UserName`,
`BucketName`, …) when the template determines it. Otherwise CloudFormation makes one up at deployment
(`<stack name>-<logical id>-<random>`), and policylint names it `<template file stem>-<logical id>`: the logical id
alone would make two templates' `S3Bucket` (or `KmsKey`, whose id AWS always generates) one duplicate id. Where a
name property is only partly determined (`${AWS::StackName}-bucket`), the node also keeps it as a glob
(`pattern`): a grant or a principal whose glob could name the same thing is taken to name the node (fail closed).

A key's, table's, database's or secret's pattern leaves its region and account open
(`aws:dynamodb:*:*:table/Customers`), and a secret's its suffix (AWS ends the ARN with six random characters): a
policy of the template that names them literally (`arn:aws:dynamodb:eu-west-1:111122223333:table/Customers`) names
the template's own store wherever it is deployed. The grant keeps its literal id as well, so it still reaches that
account's store when another file defines it; and only this template's grants are widened, so a policy in another
file does not reach this template's stores by an account it names. Rewriting literal accounts to `cfn` instead
would lose the grant on the real account's store (fail open). The cost is fail closed: a policy naming another
account's `Customers` table is taken to reach this template's `Customers` too (a deny naming it, in turn, is not
taken to protect this template's table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policylint.errors import InputError
from policylint.iam.statements import arn_to_id, globs_overlap
from policylint.model import Location
from policylint.sources.aws.intrinsics import ACCOUNT, NOVALUE, UNRESOLVED, Resolver, Template, describe
from policylint.yamlsafe import YMap, YSeq

REGION = ACCOUNT  # the region a template is deployed to is not known either
# A template does not know its account: its stores and keys are in AWS, account unknown, which the access control
# of every account controls (graph.scopes_meet); admin in any account's authorization details reaches them.
SCOPE = "aws"
_LIST_PARAMETER = ("CommaDelimitedList", "List<")
_NAMING_DEPTH = 20  # names that name names that name…: how far one name is followed


@dataclass(frozen=True, slots=True)
class Kind:
    """How CloudFormation names one resource type: the property holding its name, its ARN, what `Ref` gives."""

    noun: str
    name_property: str | None
    arn: str  # with {name} and {path}
    ref_gives_arn: bool = False
    arn_attributes: tuple[str, ...] = ("Arn",)


KINDS: dict[str, Kind] = {
    "AWS::IAM::User": Kind("user", "UserName", f"arn:aws:iam::{ACCOUNT}:user{{path}}{{name}}"),
    "AWS::IAM::Role": Kind("role", "RoleName", f"arn:aws:iam::{ACCOUNT}:role{{path}}{{name}}"),
    "AWS::IAM::Group": Kind("group", "GroupName", f"arn:aws:iam::{ACCOUNT}:group{{path}}{{name}}"),
    "AWS::IAM::ManagedPolicy": Kind("policy", "ManagedPolicyName", f"arn:aws:iam::{ACCOUNT}:policy{{path}}{{name}}",
                                    ref_gives_arn=True, arn_attributes=("PolicyArn",)),
    "AWS::IAM::InstanceProfile": Kind("instance-profile", "InstanceProfileName",
                                      f"arn:aws:iam::{ACCOUNT}:instance-profile{{path}}{{name}}"),
    "AWS::KMS::Key": Kind("key", None, f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{{name}}"),
    "AWS::S3::Bucket": Kind("bucket", "BucketName", "arn:aws:s3:::{name}"),
    "AWS::DynamoDB::Table": Kind("table", "TableName", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{{name}}"),
    "AWS::RDS::DBInstance": Kind("database", "DBInstanceIdentifier", f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{{name}}",
                                 arn_attributes=("DBInstanceArn",)),
    "AWS::RDS::DBCluster": Kind("database", "DBClusterIdentifier", f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{{name}}",
                                arn_attributes=("DBClusterArn",)),
    "AWS::SecretsManager::Secret": Kind("secret", "Name", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{{name}}",
                                        ref_gives_arn=True, arn_attributes=("Id",)),
}
# Neptune and DocumentDB are RDS underneath: same ARNs, same properties
for _engine in ("Neptune", "DocDB"):
    KINDS[f"AWS::{_engine}::DBInstance"] = KINDS["AWS::RDS::DBInstance"]
    KINDS[f"AWS::{_engine}::DBCluster"] = KINDS["AWS::RDS::DBCluster"]


@dataclass(frozen=True, slots=True)
class CfnResource:
    """One entry of `Resources`, checked: a mapping with a `Type`, its `Properties` a mapping."""

    logical: str
    type: str
    properties: YMap
    location: Location
    condition: str | None


@dataclass(frozen=True, slots=True)
class Named:
    """A resource the template names: its policylint id, what `Ref` and `Fn::GetAtt … Arn` give, its glob."""

    logical: str
    kind: Kind
    name: str
    arn: str
    id: str
    pattern: str  # the id with what the template leaves open as `*`; == id when the name is determined


class CfnTemplate:
    """The template's sections, with a resolver that knows its parameters, mappings and names."""

    def __init__(self, document: YMap, path: str) -> None:
        self.path = path
        self.stem = Path(path).name.rsplit(".", 1)[0]
        self.errors: list[InputError] = []
        self.document = document
        self.parameters = self._parameters()
        self.mappings = self._section("Mappings")
        self.resources = self._resources()
        self._by_logical = {r.logical: r for r in self.resources}
        self._named: dict[str, Named | None] = {}
        self._naming: set[str] = set()
        self._cycles = 0
        self._own: dict[tuple[str, ...], list[Named]] = {}
        self._own_ids: dict[tuple[str, ...], frozenset[str]] = {}
        self._by_name: dict[str, dict[str, list[str]]] = {}
        self.raw_statements: dict[tuple[int, int], YMap] | None = None  # `cfn_policies.Opened`'s, by place
        self.context = Template(path, self.parameters, self.mappings, self._ref, self._attribute)

    def at(self, pos: tuple[int, int]) -> Location:
        return Location(self.path, *pos)

    def resolver(self) -> Resolver:
        return Resolver(self.context)

    # -- sections -----------------------------------------------------------------------------------------------

    def _section(self, key: str) -> YMap:
        value = self.document.get(key)
        if value is None or isinstance(value, YMap):
            return value or YMap(self.document.pos)
        self.errors.append(InputError(self.at(self.document.value_pos[key]),
                                      f"expected '{key}' to be a mapping, found {describe(value)}"))
        return YMap(self.document.pos)

    def _parameters(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, spec in self._section("Parameters").items():
            if not isinstance(spec, YMap):
                continue  # CloudFormation rejects it; nothing here depends on it but the value, which stays open
            default = spec.get("Default", UNRESOLVED)
            if default == "":  # an empty Default means "not given" (a condition usually tests for it)
                default = UNRESOLVED
            kind = spec.get("Type")
            if isinstance(kind, str) and kind.startswith(_LIST_PARAMETER):
                default = _list(default, spec.pos)
            found[str(name)] = default
        return found

    def _resources(self) -> list[CfnResource]:
        section = self.document.get("Resources")
        where = self.at(self.document.value_pos["Resources"]) if "Resources" in self.document else \
            self.at(self.document.pos)
        if not isinstance(section, YMap):
            found = "none" if section is None else describe(section)
            raise InputError(where, f"expected 'Resources' to be a mapping of logical ids to resources, found {found}")
        resources = []
        for logical, body in section.items():
            resource = self._resource(str(logical), body, section.key_pos[logical], section.value_pos[logical])
            if resource is not None:
                resources.append(resource)
        return resources

    def _resource(self, logical: str, body: Any, key: tuple[int, int], pos: tuple[int, int]) -> CfnResource | None:
        """One resource, located at its logical id."""
        if not isinstance(body, YMap):
            return self._bad(pos, f"expected resource {logical!r} to be a mapping with 'Type', "
                                  f"found {describe(body)}")
        kind = body.get("Type")
        if not isinstance(kind, str):
            where = body.value_pos["Type"] if "Type" in body else body.pos
            found = "none" if kind is None else describe(kind)
            return self._bad(where, f"expected resource {logical!r} to have a 'Type' string, found {found}")
        properties = body.get("Properties")
        if properties is None:
            properties = YMap(body.pos)
        elif not isinstance(properties, YMap):
            return self._bad(body.value_pos["Properties"], f"expected 'Properties' of {logical!r} to be a mapping, "
                                                           f"found {describe(properties)}")
        condition = body.get("Condition")
        return CfnResource(logical, kind, properties, self.at(key), condition if isinstance(condition, str) else None)

    def _bad(self, pos: tuple[int, int], message: str) -> CfnResource | None:
        """A resource left out: its located error."""
        self.errors.append(InputError(self.at(pos), message))
        return None

    def of_type(self, *types: str) -> Iterator[CfnResource]:
        return (r for r in self.resources if r.type in types)

    # -- names --------------------------------------------------------------------------------------------------

    def named(self, logical: str) -> Named | None:
        """The names of a resource whose type policylint knows; resolved once, and cycles stay open."""
        if logical in self._named:
            return self._named[logical]
        resource = self._by_logical.get(logical)
        if resource is None or resource.type not in KINDS:
            return None
        if logical in self._naming or len(self._naming) >= _NAMING_DEPTH:  # a cycle, or a chain too long
            self._cycles += 1  # every name on the way is then not known (two of them must not meet in one)
            return None
        self._naming.add(logical)
        cycles = self._cycles
        try:
            found = self._name(resource, KINDS[resource.type], lambda: self._cycles > cycles)
        finally:
            self._naming.discard(logical)
        self._named[logical] = found
        return found

    def _name(self, resource: CfnResource, kind: Kind, cyclic: Callable[[], bool]) -> Named:
        resolver = self.resolver()  # its errors are reported where the property is read for the model
        path = resolver.value(resource.properties.get("Path", "/"))
        path = path if isinstance(path, str) and path.startswith("/") and path.endswith("/") else "/*/"
        settled = "/" if UNRESOLVED in path else path  # an id has no glob in it: the path it names stays open
        given = resolver.value(resource.properties[kind.name_property]) \
            if kind.name_property and kind.name_property in resource.properties else NOVALUE
        partial: str | None = None
        if isinstance(given, str | int) and not isinstance(given, bool) and UNRESOLVED not in str(given) \
                and not cyclic():
            name = str(given)
        else:  # CloudFormation makes one up (`<stack>-<logical id>-<random>`), or it is not determined
            name = self.generated(resource.logical)
            partial = None if given is NOVALUE else given if isinstance(given, str) else UNRESOLVED
        arn = kind.arn.format(path=settled, name=name)
        pattern = arn_to_id(kind.arn.format(path=path, name=partial or name))
        if kind.noun in ("key", "table", "database", "secret"):  # deployed to any region and account: see above
            pattern = pattern.replace(f":{REGION}:{ACCOUNT}:", ":*:*:", 1)
        if kind.noun == "secret":  # AWS ends a secret's ARN with `-` and six random characters: `secret:db-AbCdEf`
            pattern += "-??????"
        return Named(resource.logical, kind, name, arn, arn_to_id(arn), pattern)

    def generated(self, logical: str) -> str:
        """The name of a resource the template does not name: the file stem stands for the stack's name."""
        return f"{self.stem}-{logical}"

    def _ref(self, logical: str) -> Any:
        named = self.named(logical)
        if named is None:
            return None
        return named.arn if named.kind.ref_gives_arn else named.name

    def _attribute(self, logical: str, attribute: str) -> Any:
        named = self.named(logical)
        if named is None:
            return None
        if attribute in named.kind.arn_attributes:
            return named.arn
        if named.kind.noun == "key" and attribute == "KeyId":
            return named.name
        if named.kind.noun == "table" and attribute == "StreamArn":
            return named.arn + "/stream/*"
        return None

    def ids(self, noun: str, names: list[str]) -> list[str]:
        """The ids of IAM identities named by name (a `Users` list, `GroupName`): the template's own, matched by
        their name or, for a glob, every one it could name; a name the template does not define is the id it
        would have (`aws:iam::cfn:user/<name>`), and a name left open that names none of its own is the glob of what
        it could be (`aws:iam::cfn:group/*`): an identity outside the template (a remote module's) is not lost."""
        found: dict[str, None] = {}
        own = self.own(noun)
        by_name = self._by_name.get(noun)
        if by_name is None:
            by_name = self._by_name[noun] = {}
            for n in own:
                by_name.setdefault(n.name, []).append(n.id)
        for name in names:
            matched = [n.id for n in own if _names_overlap(name, n)] if UNRESOLVED in name else by_name.get(name)
            if matched:
                found.update(dict.fromkeys(matched))
            else:  # a name left open that names none of the template's own: one it does not define (fail closed)
                found[f"aws:iam::{ACCOUNT}:{noun}/{name.replace(UNRESOLVED, '*')}"] = None
        return list(found)

    def own(self, *nouns: str) -> list[Named]:
        """The template's own resources of these kinds, named."""
        if nouns not in self._own:
            self._own[nouns] = [n for n in (self.named(r.logical) for r in self.resources)
                                if n is not None and n.kind.noun in nouns]
        return self._own[nouns]

    def own_ids(self, *nouns: str) -> frozenset[str]:
        """The ids of `own(*nouns)`, for a lookup by id (a trust principal per role: linear, not roles x roles)."""
        key = ("ids", *nouns)
        if key not in self._own_ids:
            self._own_ids[key] = frozenset(n.id for n in self.own(*nouns))
        return self._own_ids[key]


def _names_overlap(name: str, named: Named) -> bool:
    return globs_overlap(name, named.name) or globs_overlap(name, named.pattern.rsplit("/", 1)[-1])


def _list(value: Any, pos: tuple[int, int]) -> Any:
    if not isinstance(value, str) or value == UNRESOLVED:
        return value
    items = YSeq(pos)
    for part in value.split(","):
        items.append(part.strip())
        items.item_pos.append(pos)
    return items


