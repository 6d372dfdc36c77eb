"""What a set of identity-policy statements lets its holder do, as grants on id globs.

Evaluated together, as IAM does for one identity: an explicit unconditional Deny wins over every Allow of the set
(the denied actions are removed, or the denied resources become the grant's `excluding`); a Deny with a Condition
may not apply, so it denies nothing here (fail closed: the allow is kept as it is); an Allow with a Condition
still grants, marked by its condition. Actions expand against the action data (`actions.py`) and
group into read/write/delete/admin per resource; an action only counts on resources of the services its ARNs name
(s3:GetObject on a DynamoDB table grants nothing), so `Resource: "*"` becomes one grant per service
(`aws:s3:*`), or `aws:*` when the actions span many services.

Admin on a data store does not reach the account's access control: every grant excludes the access-control ids
(`aws:iam::*:access-control`); only the privilege-escalation methods (`escalation.py`) grant admin there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from policylint.iam import actions, escalation
from policylint.iam.statements import (
    Statement,
    access_control_id,
    allows_star_star,
    arn_to_id,
    glob_match,
    names_whole_store,
)
from policylint.model import Action, Grant, Location

CLASSES: tuple[Action, ...] = ("read", "write", "delete", "admin")
ANY_ACCESS_CONTROL = "aws:iam::*:access-control"
# `Resource: "*"` for actions of more services than this (`*`, NotAction, ReadOnlyAccess) is one grant on `aws:*`;
# fewer keep one grant per service, so s3:* with kms:ListAliases does not read as every action on every key
COLLAPSE_SERVICES = 64
_SHOWN_METHODS = 3
# AWS managed policies give no escalation (nobody can change them); on the caller itself, only the methods that
# act on someone else's credentials give nothing (a new key or password for yourself is still yourself), while
# putting or attaching a policy to yourself is the escalation itself
_MANAGED_BY_AWS = ":iam::aws:"
_SELF = ("${aws:username}", "${aws:userid}")
_HARMLESS_ON_SELF = frozenset({"iam:createaccesskey", "iam:createloginprofile", "iam:updateloginprofile"})
_Summary = dict[str, tuple[frozenset[Action], frozenset[str]]]


@dataclass(frozen=True, slots=True)
class Evaluation:
    grants: tuple[Grant, ...]
    star_star: bool  # some statement allows `*` on `*` without condition
    escalation: tuple[str, ...]  # privilege-escalation methods allowed without condition
    assume: tuple[tuple[str, tuple[str, ...], str | None], ...]  # (id glob, excluding, condition) of sts:AssumeRole


@dataclass(frozen=True, slots=True)
class _Part:
    """Some of an allow's actions on one resource pattern, with what a deny carved out and the conditions."""

    actions: frozenset[str]
    resource: str  # an ARN glob, as written
    excluding: tuple[str, ...]
    condition: str | None


def effective_grants(statements: Iterable[Statement], account: str, location: Location) -> list[Grant]:
    return list(evaluate(statements, account, location).grants)


def evaluate(statements: Iterable[Statement], account: str, location: Location) -> Evaluation:
    listed = list(statements)
    denies = _denies(listed)
    grants: dict[_Key, _Built] = {}
    assume: list[tuple[str, tuple[str, ...], str | None]] = []
    results = [(allow, _allow(allow, _relevant(allow, denies), account)) for allow in listed
               if allow.effect == "Allow"]
    for allow, found in results:
        for key, classes, given in found.grants:
            built = grants.get(key)
            if built is None:
                built = grants[key] = _Built(allow.location, key[1])
            built.classes |= classes
            built.given |= given
        assume.extend(found.assume)
    # actions on an IAM identity itself (sts:AssumeRole on a role, iam:GetUser) are not access to data: who may
    # assume a role is its trust (`assume`), and what IAM actions can escalate is `escalation`
    made = [b.grant(r, c, via) for (r, _, c, via), b in grants.items() if not _IDENTITY.match(r)]
    methods, escalating = _escalating(results, account, location)
    star = any(allows_star_star(s) for s in listed)
    return Evaluation((*made, *escalating), star, methods, tuple(assume))


_IDENTITY = re.compile(r"aws:iam::[^:*?\[]*:(?:user|role|group|instance-profile)/[^*?\[]+\Z")


def escalation_grants(statements: Iterable[Statement], account: str, location: Location) -> tuple[Grant, ...]:
    """Only the admin grant on access control that `evaluate` would give: cheaper, for a whole set of policies."""
    listed = list(statements)
    denies = _denies(listed)
    results = [(a, _allow(a, _relevant(a, denies), account)) for a in listed if a.effect == "Allow"]
    return _escalating(results, account, location)[1]


def _escalating(results: list[tuple[Statement, _AllowResult]], account: str,
                location: Location) -> tuple[tuple[str, ...], tuple[Grant, ...]]:
    """The escalation methods the allows complete together, and the admin grant on access control they give,
    located at the first statement allowing an action of the first method shown."""
    plain: set[str] = set()
    conditional: dict[str, set[str]] = {}
    for _, found in results:
        plain |= found.plain
        for text, risky in found.conditional:
            conditional.setdefault(text, set()).update(risky)
    methods = escalation.methods(plain)
    condition: str | None = None
    if not methods and conditional:
        methods, condition = escalation.methods(plain.union(*conditional.values())), " or ".join(sorted(conditional))
    if not methods:
        return (), ()
    grant = _escalation(methods, account, location, condition)
    needed = set(grant.actions_given)
    at = next((s.location for s, found in results
               if needed & found.plain or any(needed & risky for _, risky in found.conditional)), location)
    return (methods if condition is None else ()), (replace(grant, location=at),)


_Key = tuple[str, tuple[str, ...], str | None, str]  # resource, excluding, condition, policy


@dataclass(frozen=True, slots=True)
class _AllowResult:
    """What one Allow gives under a set of denies: computed once per (statement, denies, account)."""

    grants: tuple[tuple[_Key, frozenset[Action], frozenset[str]], ...]
    plain: frozenset[str]  # escalation-relevant actions allowed without condition
    conditional: tuple[tuple[str, frozenset[str]], ...]
    assume: tuple[tuple[str, tuple[str, ...], str | None], ...]


def _denies(statements: list[Statement]) -> tuple[Statement, ...]:
    """The denies that count: a Deny with a Condition may not apply, so it denies nothing (fail closed)."""
    return tuple(s for s in statements if s.effect == "Deny" and s.condition is None)


def touches(statements: Iterable[Statement], deny: Statement) -> bool:
    """Whether the deny can change what the Allows of the statements grant (it names one of their actions)."""
    if deny.condition is not None:
        return False
    return any(_denied(_allowed(s.actions, s.not_actions), deny.actions, deny.not_actions)
               for s in statements if s.effect == "Allow")


def _relevant(allow: Statement, denies: tuple[Statement, ...]) -> tuple[Statement, ...]:
    """The denies that name some of the allow's actions: the others cannot change what it grants."""
    if not denies:
        return denies
    allowed = _allowed(allow.actions, allow.not_actions)
    return tuple(d for d in denies if _denied(allowed, d.actions, d.not_actions))


@lru_cache(maxsize=65536)
def _allow(allow: Statement, denies: tuple[Statement, ...], account: str) -> _AllowResult:
    grants = []
    plain: set[str] = set()
    conditional = []
    assume = []
    for part in _carve(allow, denies):
        for resource, built in _grants(allow, part, account):
            key = (resource, built.excluding, part.condition, allow.policy)
            grants.append((key, frozenset(built.classes), frozenset(built.given)))
        if "sts:assumerole" in part.actions:
            assume.append((arn_to_id(part.resource), part.excluding, part.condition))
        if _MANAGED_BY_AWS in part.resource:
            continue
        risky = part.actions & escalation.ACTIONS
        if any(marker in part.resource for marker in _SELF):
            risky -= _HARMLESS_ON_SELF
        if part.condition is None:
            plain |= risky
        elif risky:
            conditional.append((part.condition, frozenset(risky)))
    return _AllowResult(tuple(grants), frozenset(plain), tuple(conditional), tuple(assume))


def _escalation(methods: tuple[str, ...], account: str, location: Location, condition: str | None) -> Grant:
    """Admin on the account's access control; `via` names the simplest methods found (fewest actions first)."""
    shown = sorted(methods, key=lambda m: (len(escalation.METHODS[m]), m))[:_SHOWN_METHODS]
    more = f" (+{len(methods) - len(shown)} more)" if len(methods) > len(shown) else ""
    given = sorted(set().union(*(escalation.METHODS[m] for m in shown)))
    return Grant(access_control_id(account), ("admin",), location, condition=condition,
                 via=f"privilege escalation: {', '.join(shown)}{more}", actions_given=tuple(given))


class _Built:
    """A grant being assembled from the parts that share its resource, exclusions, condition and policy."""

    __slots__ = ("classes", "excluding", "given", "location")

    def __init__(self, location: Location, excluding: tuple[str, ...]) -> None:
        self.location = location
        self.excluding = excluding
        self.classes: set[Action] = set()
        self.given: set[str] = set()

    def grant(self, resource: str, condition: str | None, via: str) -> Grant:
        kinds = tuple(c for c in CLASSES if c in self.classes)
        return Grant(resource, kinds, self.location, excluding=self.excluding, condition=condition, via=via,
                     actions_given=tuple(sorted(self.given)))


def _grants(statement: Statement, part: _Part, account: str) -> list[tuple[str, _Built]]:
    summary = _summary(part.actions)
    scope = _service(part.resource)
    chosen = {svc: summary[svc] for svc in sorted(summary) if glob_match(svc, scope)}
    if not chosen:
        return []
    if part.resource == "*" and len(chosen) <= COLLAPSE_SERVICES:
        groups = [(f"aws:{svc}:*", {svc: v}) for svc, v in chosen.items()]
    else:
        groups = [(arn_to_id(part.resource), chosen)]
    found = []
    for resource, group in groups:
        excluding = tuple(e for e in part.excluding if _may_overlap(e, resource))
        if glob_match(access_control_id(account), resource) and ANY_ACCESS_CONTROL not in excluding:
            excluding = (*excluding, ANY_ACCESS_CONTROL)
        built = _Built(statement.location, excluding)
        services: set[str] = set()
        for classes, names in group.values():
            built.classes |= classes
            services |= names
        built.given = {g for g in _given(statement) if any(glob_match(s, _given_service(g)) for s in services)}
        found.append((resource, built))
    return found


def _given(statement: Statement) -> tuple[str, ...]:
    if statement.not_actions is not None:
        return tuple(f"NotAction {a}" for a in statement.not_actions)
    return statement.actions


def _given_service(given: str) -> str:
    """The services a written action names: a NotAction names every other service."""
    if given == "*" or given.startswith("NotAction "):
        return "*"
    return given.partition(":")[0].lower()


def _carve(allow: Statement, denies: tuple[Statement, ...]) -> list[_Part]:
    """The allow's actions per resource pattern, after every deny of the set."""
    allowed = _allowed(allow.actions, allow.not_actions)
    if allow.not_resources is not None:
        targets = [("*", tuple(arn_to_id(r) for r in allow.not_resources if names_whole_store(r)))]
    else:
        targets = [(r, ()) for r in allow.resources]
    parts = [_Part(allowed, r, excluding, allow.condition) for r, excluding in targets]
    for deny in denies:
        hit_all = _denied(allowed, deny.actions, deny.not_actions)
        if not hit_all:
            continue
        carved: list[_Part] = []
        for part in parts:
            hit = part.actions & hit_all
            if not hit:
                carved.append(part)
                continue
            rest = part.actions - hit
            if rest:
                carved.append(_Part(rest, part.resource, part.excluding, part.condition))
            carved.extend(_apply(deny, _Part(hit, part.resource, part.excluding, part.condition)))
        parts = carved
    return parts


def _apply(deny: Statement, part: _Part) -> list[_Part]:
    """What is left of `part` (actions all matched by the deny's actions) once the (unconditional) deny applies."""
    if deny.not_resources is None:
        if any(_covers(d, part.resource) for d in deny.resources):
            return []
        carved = tuple(arn_to_id(d) for d in deny.resources if _may_overlap(d, part.resource) and names_whole_store(d))
        return [_Part(part.actions, part.resource, part.excluding + carved, part.condition)]
    exempt = deny.not_resources
    if any(_covers(n, part.resource) for n in exempt):
        return [part]
    if any(_may_overlap(n, part.resource) and not _covers(part.resource, n) for n in exempt):
        return [part]  # an overlap a glob cannot express: keep the whole pattern (fail closed)
    return [_Part(part.actions, n, part.excluding, part.condition) for n in exempt if _covers(part.resource, n)]


@lru_cache(maxsize=4096)
def _allowed(patterns: tuple[str, ...], not_patterns: tuple[str, ...] | None) -> frozenset[str]:
    if not_patterns is None:
        return frozenset().union(*(actions.expand(p) for p in patterns))
    excluded = actions.matcher(not_patterns)
    return frozenset(a for a in actions.every_action() if not excluded.match(a))


@lru_cache(maxsize=4096)
def _denied(allowed: frozenset[str], patterns: tuple[str, ...], not_patterns: tuple[str, ...] | None) -> frozenset[str]:
    matched = frozenset(filter(actions.matcher(not_patterns if not_patterns is not None else patterns).match, allowed))
    return matched if not_patterns is None else allowed - matched


@lru_cache(maxsize=4096)
def _summary(allowed: frozenset[str]) -> _Summary:
    """ARN service -> (the classes of the actions that act on it, the services those actions belong to)."""
    classes: dict[str, set[Action]] = {}
    owners: dict[str, set[str]] = {}
    for svc, kind, owner in actions.facets(allowed):
        classes.setdefault(svc, set()).add(kind)
        owners.setdefault(svc, set()).add(owner)
    return {svc: (frozenset(classes[svc]), frozenset(owners[svc])) for svc in classes}


def _service(glob: str) -> str:
    """The service part of an ARN glob or id glob; `*` for `*` and for globs too short to have one."""
    skip = 2 if glob.startswith("arn:") else 1
    parts = glob.split(":", skip + 1)
    if len(parts) <= skip or (len(parts) == skip + 1 and parts[skip].endswith("*")):
        return "*"
    return parts[skip]


def _may_overlap(a: str, b: str) -> bool:
    """Whether two ARN (or id) globs could name a common resource, judged by their service parts only."""
    first, second = _service(a), _service(b)
    return glob_match(first, second) or glob_match(second, first)


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    """A glob whose `*` may stand for any text, and `?` for one character that is not itself a wildcard."""
    body = "".join(".*" if c == "*" else "[^*?]" if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body + r"\Z", re.DOTALL)


def _covers(outer: str, inner: str) -> bool:
    """Whether every ARN the glob `inner` names is named by `outer` too (sufficient test: `outer` matches `inner`'s
    text, its wildcards taken literally, where a `?` of `outer` may not stand for a wildcard of `inner`)."""
    return _glob(outer).match(inner) is not None
