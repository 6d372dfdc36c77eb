"""Role trust policies: who may assume a role, as policylint ids, and the principals that naming them implies."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from policylint.errors import InputError
from policylint.flags import AWS_ROOT, BUILTIN, DELETED
from policylint.iam import actions
from policylint.iam.statements import Statement, parse_policy
from policylint.model import EVERYONE, Group, Location, Node, Principal, Role

_ACCOUNT = re.compile(r"\d{12}\Z")
_UNIQUE_ID = re.compile(r"A[A-Z]{3}[A-Z0-9]{13,}\Z")  # AIDA…/AROA…: what IAM shows for a deleted principal
_ASSUMING = ("sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity")
SERVICE_PREFIX = "aws:service:"
ANYONE_IF = "*anyone-if:"  # everyone a `*` principal's condition admits, when it narrows who (`anyone`)


def root_id(account: str) -> str:
    return f"aws:iam::{account}:root"


def principals_of_trust_policy(document: Any, account: str, path: str) -> tuple[list[str], list[str], list[InputError]]:
    """(ids that may assume the role, service principals that may), from a trust policy document.

    Same-account users, roles and the root are their ids; another account, whoever in it is named, is that
    account's root `aws:iam::<other>:root`; `*` is everyone (`anyone`: under a condition that narrows who, the
    group of everyone it admits); a SAML or web-identity provider is its own id; a bare unique id (a principal since
    deleted) is `aws:principal-id:<id>`. Other conditions do not narrow who may assume (fail closed); an
    unconditional Deny naming a principal removes it.
    """
    statements, errors = parse_policy(document, "trust policy", path, None)
    return (*principals_of(statements, account), errors)


def principals_of(statements: list[Statement], account: str) -> tuple[list[str], list[str]]:
    allowed: dict[str, None] = {}
    services: dict[str, None] = {}
    denied: set[str] = set()
    for statement in statements:
        if not assumes(statement):
            continue
        if statement.effect == "Allow":
            for principal in _named(statement):
                if principal.startswith("Service:"):
                    services[principal.removeprefix("Service:")] = None
                else:
                    allowed[_who(statement, principal, account)] = None
        elif statement.condition is None and statement.not_principals is None:
            denied.update(principal_id(p, account) for p in statement.principals if not p.startswith("Service:"))
            denied.update(p.removeprefix("Service:") for p in statement.principals if p.startswith("Service:"))
    everyone_denied = EVERYONE in denied
    return ([p for p in allowed if p not in denied and not (everyone_denied and p.startswith(ANYONE_IF))],
            [s for s in services if s not in denied])


def anyone(statement: Statement) -> str:
    """Who a statement's `*` (or NotPrincipal) lets act: `*`, anyone; under a condition that narrows who may act
    (`conditions`: aws:PrincipalOrgID, aws:SourceVpce, …; not sts:ExternalId, which anyone knowing it passes), the
    group of everyone the condition admits, `*anyone-if:<condition>`. That group holds everyone (who passes the
    condition is not known: fail closed), so what is reached stays the same; but it is not anyone, and the rules on
    `*` (PL202, PL210, PL216) leave it alone. Its id starts with `*`, as the graph's hubs do: a display path leaves it
    out and shows the condition on the next step."""
    if statement.narrows_who and statement.condition is not None:
        return ANYONE_IF + statement.condition
    return EVERYONE


def resource_principals(statement: Statement, account: str | None) -> list[str]:
    """The ids a resource-policy statement names: a NotPrincipal names everyone else (anyone, fail closed), a
    service its `aws:service:` principal. With no account known (a bare policy document), an ARN names its own
    principal rather than its account's root.

    A Deny with NotPrincipal names nobody: it denies everyone but those it lists (the documented "only this role"
    bucket policy), and taking it as a Deny to `*` would remove their grants too; which other principals it spares
    is not followed (fail closed), as a trust policy's such Deny is skipped (`principals_of`)."""
    if statement.not_principals is not None:
        return [anyone(statement)] if statement.effect == "Allow" else []
    found = []
    for principal in statement.principals:
        if principal == EVERYONE:
            found.append(anyone(statement))
        elif principal.startswith("Service:"):
            found.append(SERVICE_PREFIX + principal.removeprefix("Service:"))
        else:
            found.append(_who(statement, principal, account if account is not None else _own_account(principal)))
    return list(dict.fromkeys(found))


def _who(statement: Statement, principal: str, account: str) -> str:
    """A principal's id; `*` is `anyone(statement)`, and so is a principal of any account where the statement's
    condition narrows who (a template's `arn:aws:iam::${Param}:root`: some account it does not name, everyone as far
    as reach goes); a glob within an account (`role/${Name}`) is left to the reader, which knows that account's
    roles."""
    found = EVERYONE if principal == EVERYONE else principal_id(principal, account)
    if found == EVERYONE or (statement.narrows_who and found.startswith("aws:iam::*:")):  # any account: somebody
        return anyone(statement)
    return found


def _own_account(principal: str) -> str:
    name = principal.partition(":")[2]
    parts = name.split(":", 5)
    return parts[4] if len(parts) == 6 else name


def service_name(principal: str) -> str:
    """A service principal as trust policies name it in any partition: `ec2.amazonaws.com.cn` is `ec2.amazonaws.com`."""
    name, found, _ = principal.lower().partition(".amazonaws.com")
    return name + found if found else principal.lower()


def _named(statement: Statement) -> tuple[str, ...]:
    """The principals an Allow names: a NotPrincipal names everyone else (anyone, fail closed)."""
    return ("*",) if statement.not_principals is not None else statement.principals


def trust_routes(statements: list[Statement], account: str) -> list[tuple[str, str | None]]:
    """(assumer, condition) for each principal each Allow to assume names, as `principals_of` names it (a service
    as `aws:service:<principal>`); None: that route has no condition."""
    return [(SERVICE_PREFIX + principal.removeprefix("Service:") if principal.startswith("Service:")
             else _who(statement, principal, account), statement.condition)
            for statement in statements if statement.effect == "Allow" and assumes(statement)
            for principal in _named(statement)]


def assumer_conditions(routes: Iterable[tuple[str, str | None]],
                       assumable: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(assumer, condition) for each of `assumable` every route of which is conditional, in the order first named:
    an unconditional route wins (as a grant's does), the conditions of several routes are `or`-ed (`Role.conditions`;
    a Deny has left out whom it denies)."""
    found: dict[str, dict[str | None, None]] = {}
    for who, condition in routes:
        found.setdefault(who, {})[condition] = None
    kept = set(assumable)
    return tuple((who, " or ".join(c for c in conditions if c is not None)) for who, conditions in found.items()
                 if who in kept and None not in conditions)


def trust_condition(statements: list[Statement]) -> str | None:
    """The condition every Allow to assume the role carries (`or`-ed when they differ); None when one has none."""
    allowing = [s for s in statements if s.effect == "Allow" and assumes(s)]
    if not allowing or any(s.condition is None for s in allowing):
        return None
    return " or ".join(dict.fromkeys(s.condition for s in allowing if s.condition is not None))


def assumes(statement: Statement) -> bool:
    """Whether a statement allows (or denies) assuming a role: a trust policy's."""
    if statement.not_actions is not None:
        matches = actions.matcher(statement.not_actions)
        return not all(matches.match(a) for a in _ASSUMING)
    matches = actions.matcher(statement.actions)
    return any(matches.match(a) for a in _ASSUMING)


def principal_id(principal: str, account: str) -> str:
    """`AWS:<arn or account>`, `Federated:<provider>`, `CanonicalUser:<id>` or `*` as a policylint id."""
    if principal == "*":
        return "*"
    kind, _, name = principal.partition(":")
    if kind == "AWS":
        if _ACCOUNT.match(name):
            return root_id(name)
        if _UNIQUE_ID.match(name):
            return f"aws:principal-id:{name}"
        parts = name.split(":", 5)
        if len(parts) == 6 and parts[0] == "arn":
            other, resource = parts[4], parts[5]
            if other != account:
                return root_id(other)
            if parts[2] == "sts" and resource.startswith("assumed-role/"):
                return f"aws:iam::{other}:role/{resource.split('/')[1]}"
            return f"aws:{':'.join(parts[2:])}"
        return f"aws:principal:{name}"
    if kind == "Federated":
        parts = name.split(":", 5)
        return f"aws:{':'.join(parts[2:])}" if len(parts) == 6 else f"aws:federated:{name}"
    return f"aws:canonical-user:{name}"


def implied_principal(node_id: str, account: str, location: Location) -> Principal | Group | None:
    """The principal a trust policy implies by naming `node_id`, when no file of this account defines it:
    another account (external), the account's own root (service, flag `aws-root`), an identity provider (external),
    a deleted principal (flag `deleted`), everyone a condition admits (a group of everyone: `anyone`); None for
    same-account users and roles, which their own files define."""
    if node_id == "*":
        return None
    if node_id.startswith(ANYONE_IF):
        return Group(node_id, location, (EVERYONE,))
    if node_id.startswith(SERVICE_PREFIX):
        return Principal(node_id, location, "service", flags=(BUILTIN,))
    if node_id == root_id(account):
        # the root user is a login no roster names; `user` would make every account's root PL002
        return Principal(node_id, location, "service", flags=(AWS_ROOT,))
    if node_id.startswith("aws:principal-id:"):
        return Principal(node_id, location, "external", flags=(DELETED,))
    if node_id.startswith(f"aws:iam::{account}:") and not node_id.endswith(("-provider", ":root")) \
            and ":saml-provider/" not in node_id and ":oidc-provider/" not in node_id:
        return None
    return Principal(node_id, location, "external")


def implied_node(node_id: str, account: str, location: Location) -> Node | None:
    """What a policy naming `node_id` implies, when no file defines it: `implied_principal`'s, else a same-account
    role or group of that name, or a principal of unknown kind (a machine: `service`); None for `*`."""
    found = implied_principal(node_id, account, location)
    if found is not None or node_id == EVERYONE:
        return found
    if ":role/" in node_id:
        return Role(node_id, location)
    if ":group/" in node_id:
        return Group(node_id, location)
    return Principal(node_id, location, "service")
