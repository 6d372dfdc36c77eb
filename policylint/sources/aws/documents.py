"""An authorization-details document read into identities and the policies they hold, each entry checked.

An invalid entry (no name, an ARN of the wrong shape, a policy that does not parse) is a located error and is left
out; the rest of the file still loads. Managed policies are those of the file's `Policies` list, at their default
version; one attached but not listed stays `unresolved` (the export was filtered, or it names a policy by a wrong
ARN, as in Cloudsplaining's managed_policy_mismatch example).

Each policy the account can change (inline and customer-managed ones, not AWS-managed) is linted (`iam.lint`),
and a role's trust policy too: the identity holding it carries the flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from policylint.errors import InputError
from policylint.iam.lint import lint
from policylint.iam.managed_policies import aws_managed_document, aws_managed_name
from policylint.iam.statements import Statement, allows_star_star, arn_to_id, parse_policy
from policylint.model import Location
from policylint.redact import redact
from policylint.sources.aws.locate import Locator

IdentityKind = Literal["user", "group", "role"]
_IDENTITY_ARN = re.compile(r"arn:[^:]+:iam::([^:]+):(user|group|role)/\S+\Z")
_SECTIONS: dict[IdentityKind, tuple[str, str, str]] = {  # kind -> (list, name key, inline policy list)
    "user": ("UserDetailList", "UserName", "UserPolicyList"),
    "group": ("GroupDetailList", "GroupName", "GroupPolicyList"),
    "role": ("RoleDetailList", "RoleName", "RolePolicyList"),
}
_AWS_MANAGED = ":iam::aws:policy/"  # AWS's own policies: nobody can change them, so they are not linted
_EMAIL_TAGS = frozenset(("email", "mail", "e-mail"))
_OWNER_TAGS = frozenset(("owner", "owner-email", "technical-owner"))


@dataclass(frozen=True, slots=True)
class Policy:
    key: str  # a managed policy's ARN; `<owner ARN>#<name>` for an inline one
    name: str  # for Grant.via
    statements: tuple[Statement, ...]
    star_star: bool  # allows `*` on `*` without condition
    has_deny: bool  # some statement denies without condition (a conditional Deny denies nothing here)
    flags: tuple[str, ...] = ()  # its lint flags (none for an AWS-managed policy)


@dataclass(frozen=True, slots=True)
class Identity:
    kind: IdentityKind
    id: str
    name: str
    account: str
    location: Location
    policies: tuple[Policy, ...]  # inline and attached managed policies of its own
    unresolved: tuple[str, ...] = ()  # attached managed policies the file does not list, nor the table (their ARNs)
    groups: tuple[str, ...] = ()  # a user's group names
    trust: Any = None  # a role's AssumeRolePolicyDocument
    identifiers: tuple[str, ...] = ()  # a user's name and e-mail tags
    console: bool = False  # a user the file shows signing in (an e-mail tag, PasswordLastUsed, LoginProfile)
    owner: str | None = None  # an `owner` tag: who answers for a machine user (a roster id or e-mail)
    trust_flags: tuple[str, ...] = ()  # a role's: the lint flags of its trust policy

    @property
    def lint_flags(self) -> tuple[str, ...]:
        """The lint flags of its own policies and of its trust policy, sorted."""
        return tuple(sorted({flag for policy in self.policies for flag in policy.flags}.union(self.trust_flags)))


@dataclass
class Document:
    path: str
    users: list[Identity] = field(default_factory=list)
    groups: list[Identity] = field(default_factory=list)
    roles: list[Identity] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def read_document(data: dict[str, Any], where: Locator) -> Document:
    reader = _Reader(where)
    managed = reader.managed(reader.section(data, "Policies"))
    document = Document(where.path, errors=reader.errors)
    targets: tuple[tuple[IdentityKind, list[Identity]], ...] = (
        ("user", document.users), ("group", document.groups), ("role", document.roles))
    for kind, target in targets:
        entries = reader.section(data, _SECTIONS[kind][0])
        target.extend(i for i in (reader.identity(kind, entry, managed) for entry in entries) if i is not None)
    return document


_JSON_TYPES = {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number"}


def describe(value: Any) -> str:
    """A JSON value as an error message names it."""
    if isinstance(value, str):
        return f"the string {redact(value)!r}"
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


class _Reader:
    def __init__(self, where: Locator) -> None:
        self.where = where
        self.errors: list[InputError] = []

    def fail(self, at: Location, message: str) -> None:
        self.errors.append(InputError(at, message))

    def section(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        at = self.where.key(key)
        if not isinstance(value, list):
            self.fail(at, f"expected '{key}' to be a list, found {describe(value)}")
            return []
        entries = [e for e in value if isinstance(e, dict)]
        if len(entries) < len(value):
            bad = next(e for e in value if not isinstance(e, dict))
            self.fail(at, f"expected every entry of '{key}' to be an object, found {describe(bad)}")
        return entries

    def text(self, entry: dict[str, Any], key: str, at: Location, what: str) -> str | None:
        value = entry.get(key)
        if isinstance(value, str) and value:
            return value
        self.fail(at, f"expected {what} to have a string '{key}', found {describe(value)}")
        return None

    def managed(self, entries: list[dict[str, Any]]) -> dict[str, Policy]:
        found = {}
        for entry in entries:
            arn = entry.get("Arn")
            at = self.where.of_arn(arn, self.where.key("Policies")) if isinstance(arn, str) else \
                self.where.key("Policies")
            name = self.text(entry, "PolicyName", at, "a managed policy")
            if name is None or self.text(entry, "Arn", at, f"managed policy {name!r}") is None:
                continue
            document = self.default_version(entry, name, at)
            if document is not None:
                policy = self.policy(str(arn), name, document, at)
                if policy is not None:
                    found[str(arn)] = policy
        return found

    def default_version(self, entry: dict[str, Any], name: str, at: Location) -> Any:
        versions = entry.get("PolicyVersionList")
        if not isinstance(versions, list):
            self.fail(at, f"expected managed policy {name!r} to have a list 'PolicyVersionList', "
                          f"found {describe(versions)}")
            return None
        default = entry.get("DefaultVersionId")
        for version in versions:
            if isinstance(version, dict) and (version.get("IsDefaultVersion") is True
                                              or (default is not None and version.get("VersionId") == default)):
                return version.get("Document")
        self.fail(at, f"expected managed policy {name!r} to have its default version in 'PolicyVersionList', "
                      f"found none of {len(versions)} marked IsDefaultVersion")
        return None

    def aws_managed(self, arn: str, at: Location) -> Policy | None:
        """An AWS-managed policy the file does not list, from the table of well-known ones (`iam.managed_policies`)."""
        name = aws_managed_name(arn)
        document = aws_managed_document(name) if name is not None else None
        return None if name is None or document is None else self.policy(arn, name, document, at)

    def policy(self, key: str, name: str, document: Any, at: Location) -> Policy | None:
        statements, errors = parse_policy(document, name, self.where.path, at)
        self.errors.extend(errors)
        if errors and not statements:
            return None
        star = any(allows_star_star(s) for s in statements)
        denies = any(s.effect == "Deny" and s.condition is None for s in statements)
        return Policy(key, name, tuple(statements), star, denies, () if _AWS_MANAGED in key else lint(statements))

    def identity(self, kind: IdentityKind, entry: dict[str, Any], managed: dict[str, Policy]) -> Identity | None:
        section, name_key, inline_key = _SECTIONS[kind]
        arn = entry.get("Arn")
        at = self.where.of_arn(arn, self.where.key(section)) if isinstance(arn, str) else self.where.key(section)
        name = self.text(entry, name_key, at, f"a {kind} in '{section}'")
        if name is None or self.text(entry, "Arn", at, f"{kind} {name!r}") is None:
            return None
        matched = _IDENTITY_ARN.match(str(arn))
        if matched is None or matched.group(2) != kind:
            self.fail(at, f"expected {kind} {name!r} to have an ARN 'arn:aws:iam::<account>:{kind}/…', "
                          f"found {redact(str(arn))!r}")
            return None
        offset = self.where.arn_offset(str(arn)) or 0
        policies = [*self.inline(entry, inline_key, str(arn), offset, at)]
        unresolved = []
        for attached in self.attached(entry, at):
            if attached in managed:
                policies.append(managed[attached])
            elif (known := self.aws_managed(attached, at)) is not None:
                policies.append(known)  # an export filtered to identities (--filter User Group Role) lists none
            else:
                unresolved.append(attached)
        extra: dict[str, Any] = {}
        if kind == "user":
            extra = self.user_extra(entry, name, at)
        elif kind == "role":
            trust = entry.get("AssumeRolePolicyDocument")
            # its errors are told where the trust policy is read for who may assume the role (permissions.py)
            statements, _ = parse_policy(trust, "trust policy", self.where.path, at)
            extra = {"trust": trust, "trust_flags": lint(statements)}
        return Identity(kind, arn_to_id(str(arn)), name, matched.group(1), at, tuple(policies), tuple(unresolved),
                        **extra)

    def inline(self, entry: dict[str, Any], key: str, owner: str, offset: int, at: Location) -> list[Policy]:
        found = []
        for item in self.listed(entry, key, at):
            name = self.text(item, "PolicyName", at, f"an inline policy of {owner}")
            if name is None:
                continue
            where = self.where.named("PolicyName", name, offset, at)
            policy = self.policy(f"{owner}#{name}", f"{name} (inline)", item.get("PolicyDocument"), where)
            if policy is not None:
                found.append(policy)
        return found

    def attached(self, entry: dict[str, Any], at: Location) -> list[str]:
        found = []
        for item in self.listed(entry, "AttachedManagedPolicies", at):
            arn = self.text(item, "PolicyArn", at, "an attached managed policy")
            if arn is not None:
                found.append(arn)
        return found

    def listed(self, entry: dict[str, Any], key: str, at: Location) -> list[dict[str, Any]]:
        value = entry.get(key) or []
        if not isinstance(value, list):
            self.fail(at, f"expected '{key}' to be a list of objects, found {describe(value)}")
            return []
        bad = [v for v in value if not isinstance(v, dict)]
        if bad:
            self.fail(at, f"expected '{key}' to be a list of objects, found {describe(bad[0])} in it")
            return []
        return value

    def user_extra(self, entry: dict[str, Any], name: str, at: Location) -> dict[str, Any]:
        groups = entry.get("GroupList") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            shown = describe(groups) if not isinstance(groups, list) else \
                f"{describe(next(g for g in groups if not isinstance(g, str)))} in it"
            self.fail(at, f"expected 'GroupList' of user {name!r} to be a list of group names, found {shown}")
            groups = []
        tags = [(str(t.get("Key", "")).lower(), t.get("Value")) for t in self.listed(entry, "Tags", at)]
        emails = [value for key, value in tags if key in _EMAIL_TAGS and isinstance(value, str) and value]
        owners = [value for key, value in tags if key in _OWNER_TAGS and isinstance(value, str) and value]
        console = bool(emails) or "PasswordLastUsed" in entry or "LoginProfile" in entry
        return {"groups": tuple(groups), "identifiers": (name, *emails), "console": console,
                "owner": owners[0] if owners else None}
