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

Escalation is judged on the whole set of statements, as one identity holds them. An action of a method counts only where
the statement's resources can name what it acts on, as PL213 reads them (`iam.lint.mismatched`: `*` on one S3 bucket
changes no IAM policy). The methods found are grouped by what they gain (`escalation.by_gain`), each gain an
`Escalation` (a `ROLES` one also keeps the roles iam:PassRole names, and a condition on iam:PassRole that is only a
positive `iam:PassedToService` test keeps only the methods of the services it names: `_PASSED_TO`). Here every gain is
`admin` on the account's access control (fail closed: a policy alone shows neither the account's users nor its roles),
all of them one grant whose `via` (`VIA`) says `privilege escalation: with <methods>, it can <what they gain>` once per
gain, located at the first statement that allows one of their actions (`escalation_grants`). A reader that sees every
role of the account narrows a `ROLES` gain to those roles (`to_service_roles`, used by `sources/aws/permissions.py`; the
roles are named once every file is read: `naming_roles`, used by `sources/aws/link.py`).

`reads_every` tells which kinds of AWS data store (`DATA_STORES`) a grant reads every one of (facts, PL211).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from policylint.iam import actions, escalation
from policylint.iam.lint import mismatched
from policylint.iam.statements import (
    VARIABLE,
    Statement,
    access_control_id,
    allows_star_star,
    arn_to_id,
    glob_match,
    names_whole_store,
)
from policylint.iam.trust import service_name
from policylint.model import Action, Grant, Location

CLASSES: tuple[Action, ...] = ("read", "write", "delete", "admin")
ANY_ACCESS_CONTROL = "aws:iam::*:access-control"
# `Resource: "*"` for actions of more services than this (`*`, NotAction, ReadOnlyAccess) is one grant on `aws:*`;
# fewer keep one grant per service, so s3:* with kms:ListAliases does not read as every action on every key
COLLAPSE_SERVICES = 64
_SHOWN_METHODS = 3
_SHOWN_ROLES = 3
_SHOWN_SERVICES = 3
VIA = "privilege escalation: "  # how every escalation grant's `via` starts (facts.py tells them by it)
# AWS managed policies give no escalation (nobody can change them); on the caller itself, only the methods that
# act on someone else's credentials give nothing (a new key or password for yourself is still yourself), while
# putting or attaching a policy to yourself is the escalation itself
_MANAGED_BY_AWS = ":iam::aws:"
_SELF = ("${aws:username}", "${aws:userid}")
_HARMLESS_ON_SELF = frozenset({"iam:createaccesskey", "iam:createloginprofile", "iam:updateloginprofile"})
_Summary = dict[str, tuple[frozenset[Action], frozenset[str]]]
_NOWHERE = Location("", 0, 0)
# A condition that is nothing but iam:PassedToService tested positively, on service names without wildcards:
# StringEquals (or another equality operator, not written by `statements.condition_text`), StringLike, and their
# ForAnyValue: forms (on a key of one value the same test, and false where the key is missing). ForAllValues (true
# where the key is missing), IfExists, a wildcard, or any other clause besides keep the gain (fail closed). The
# whole text is matched, never one of its clauses: a value may hold " and " and read as a clause of its own
# (`StringLike aws:RequestedRegion=[*,x and iam:PassedToService=ec2.amazonaws.com]`), while a service name holds no
# space, so a text this pattern matches is one clause, and that clause is the test.
_SERVICE_NAME = r"[a-z0-9][a-z0-9.-]*"
_PASSED_TO = re.compile(rf"(?:(?:ForAnyValue:)?String(?:Like|Equals|EqualsIgnoreCase) )?"
                        rf"iam:passedtoservice=(?P<values>{_SERVICE_NAME}|\[{_SERVICE_NAME}(?:,{_SERVICE_NAME})+\])",
                        re.IGNORECASE)
_Pass = tuple[str, frozenset[str] | None, str | None]  # role id glob, services passed to (None: any), condition


@dataclass(frozen=True, slots=True)
class Escalation:
    """One gain of privilege escalation: the methods that give it, the grant on access control that stands for it
    (`escalation_grants` makes the evaluation's grants of them), and for a `ROLES` gain whose every method passes a
    role, the id globs of the roles iam:PassRole names (none: any role of the account)."""

    gain: escalation.Gain
    methods: tuple[str, ...]
    grant: Grant
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    grants: tuple[Grant, ...]
    star_star: bool  # some statement allows `*` on `*` without condition
    escalation: tuple[str, ...]  # privilege-escalation methods allowed without condition
    assume: tuple[tuple[str, tuple[str, ...], str | None], ...]  # (id glob, excluding, condition) of sts:AssumeRole
    escalations: tuple[Escalation, ...] = ()  # every method found (with a condition too), by gain


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
    grants: dict[_Key, _Built] = {}
    assume: list[tuple[str, tuple[str, ...], str | None]] = []
    results = _results(listed, account)
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
    return Evaluation((*made, *escalation_grants(escalating)), star, methods, tuple(assume), escalating)


_IDENTITY = re.compile(r"aws:iam::[^:*?\[]*:(?:user|role|group|instance-profile)/[^*?\[]+\Z")


def escalations(statements: Iterable[Statement], account: str, location: Location) -> tuple[Escalation, ...]:
    """Only the escalations `evaluate` would find: cheaper, for a whole set of policies."""
    return _escalating(_results(list(statements), account), account, location)[1]


def _results(listed: list[Statement], account: str) -> list[tuple[Statement, _AllowResult]]:
    """Each Allow of the set with what it gives under the set's Denies."""
    denies = _denies(listed)
    return [(allow, _allow(allow, _relevant(allow, denies), account)) for allow in listed if allow.effect == "Allow"]


def _escalating(results: list[tuple[Statement, _AllowResult]], account: str,
                location: Location) -> tuple[tuple[str, ...], tuple[Escalation, ...]]:
    """The escalation methods the allows complete together (those without condition), and one escalation per gain,
    its grant located at the first statement allowing an action of a method it shows."""
    plain: set[str] = set()
    conditional: dict[str, set[str]] = {}
    passes: list[_Pass] = []
    for _, result in results:
        plain |= result.plain
        for text, risky in result.conditional:
            conditional.setdefault(text, set()).update(risky)
        passes.extend(result.passes)
    methods = escalation.methods(plain)
    condition: str | None = None
    if not methods and conditional:
        methods, condition = escalation.methods(plain.union(*conditional.values())), " or ".join(sorted(conditional))
    if not methods:
        return (), ()
    found = []
    for gain, names in escalation.by_gain(methods):
        grant = _escalation(gain, names, account, location, condition)
        needed = set(grant.actions_given)
        at = next((s.location for s, allowed in results if needed & _named(allowed)), location)
        roles = _passable(gain, names, passes, account, condition is None)
        found.append(Escalation(gain, names, replace(grant, location=at), roles))
    return (methods if condition is None else ()), tuple(found)


def _named(result: _AllowResult) -> set[str]:
    """The escalation actions an allow gives (iam:PassRole to some services only is iam:PassRole)."""
    tokens = result.plain.union(*(risky for _, risky in result.conditional))
    return {token.partition(">")[0] for token in tokens}


def _passable(gain: escalation.Gain, names: tuple[str, ...], passes: list[_Pass], account: str,
              plain: bool) -> tuple[str, ...]:
    """The id globs of the roles a `ROLES` gain's methods hand to its services (iam:PassRole's resources, of the
    allows without condition when the gain has none); none (any role) when a method of it passes no role (it takes
    over what already runs, with whichever role) or a glob names every role of the account."""
    if gain.kind != escalation.ROLES or any(escalation.PASS not in escalation.METHODS[m] for m in names):
        return ()
    globs = {glob for glob, services, condition in passes
             if (condition is None or not plain) and (services is None or services & set(gain.services))}
    if not globs or any(_covers(g, f"aws:iam::{account}:role/*") for g in globs):
        return ()
    return tuple(sorted(globs))


_Key = tuple[str, tuple[str, ...], str | None, str]  # resource, excluding, condition, policy


@dataclass(frozen=True, slots=True)
class _AllowResult:
    """What one Allow gives under a set of denies: computed once per (statement, denies, account)."""

    grants: tuple[tuple[_Key, frozenset[Action], frozenset[str]], ...]
    plain: frozenset[str]  # escalation-relevant actions allowed without condition (`escalation.passed_to` too)
    conditional: tuple[tuple[str, frozenset[str]], ...]
    assume: tuple[tuple[str, tuple[str, ...], str | None], ...]
    passes: tuple[_Pass, ...]  # where iam:PassRole is allowed


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
    passes: list[_Pass] = []
    for part in _carve(allow, denies):
        for resource, built in _grants(allow, part, account):
            key = (resource, built.excluding, part.condition, allow.policy)
            grants.append((key, frozenset(built.classes), frozenset(built.given)))
        if "sts:assumerole" in part.actions:
            assume.append((arn_to_id(part.resource), part.excluding, part.condition))
        if _MANAGED_BY_AWS in part.resource:
            continue
        risky = _acting(part)
        if any(marker in part.resource for marker in _SELF):
            risky -= _HARMLESS_ON_SELF
        found = [(part.condition, risky - {escalation.PASS})]
        if escalation.PASS in risky:
            services, condition = _passed_to(part.condition)
            passes.append((VARIABLE.sub("*", arn_to_id(part.resource)), services, condition))
            found.append((condition, frozenset([escalation.PASS]) if services is None
                          else frozenset(map(escalation.passed_to, services))))
        for condition, tokens in found:
            if condition is None:
                plain |= tokens
            elif tokens:
                conditional.append((condition, tokens))
    return _AllowResult(tuple(grants), frozenset(plain), tuple(conditional), tuple(assume), tuple(passes))


def _acting(part: _Part) -> frozenset[str]:
    """The escalation actions of a part that can act on what its resource names (`iam.lint.mismatched`, PL213)."""
    risky = part.actions & escalation.ACTIONS
    if not risky or part.resource == "*":
        return risky
    return risky - _mismatched(tuple(sorted(risky)), part.resource)


@lru_cache(maxsize=4096)
def _mismatched(names: tuple[str, ...], resource: str) -> frozenset[str]:
    return frozenset(mismatched(Statement("Allow", names, None, (resource,), None, None, "", _NOWHERE)))


def _passed_to(condition: str | None) -> tuple[frozenset[str] | None, str | None]:
    """The services of escalation methods an iam:PassRole condition lets roles be passed to, when the condition is
    nothing but a positive `iam:PassedToService` test (`_PASSED_TO`), and no condition left; else (None, condition):
    passed to any service, under the condition as it stands."""
    found = _PASSED_TO.fullmatch(condition) if condition is not None else None
    if found is None:
        return None, condition
    values = found["values"].strip("[]").split(",")
    names = {service_name(v.lower()) for v in values} | {v.lower() for v in values}
    return frozenset(escalation.SERVICES & names), None


def _escalation(gain: escalation.Gain, methods: tuple[str, ...], account: str, location: Location,
                condition: str | None) -> Grant:
    """Admin on the account's access control; `via` names the simplest methods (fewest actions first) and the gain."""
    return Grant(access_control_id(account), ("admin",), location, condition=condition,
                 via=VIA + _clause(gain, methods), actions_given=_given_by(methods))


def escalation_grants(found: Iterable[Escalation]) -> tuple[Grant, ...]:
    """The grants that stand for the escalations of one evaluation: those narrowed to roles (`to_service_roles`) as
    they are, and the others, all admin on the same access control under the same condition, as one grant whose
    `via` names each gain once with its own methods, the `ROLES` gains of every service together."""
    listed = list(found)
    admin = [e for e in listed if e.grant.is_admin]
    narrowed = tuple(e.grant for e in listed if not e.grant.is_admin)
    if len(admin) <= 1:
        return (*(e.grant for e in admin), *narrowed)
    running = [m for e in admin if e.gain.kind == escalation.ROLES for m in e.methods]
    gains = [(e.gain, e.methods) for e in admin if e.gain.kind != escalation.ROLES]
    if running:
        gains.append((escalation.Gain(escalation.ROLES, _services_of(running)), tuple(running)))
    merged = replace(admin[0].grant, location=min(e.grant.location for e in admin),
                     via=VIA + "; ".join(_clause(gain, methods, len(gains) == 1) for gain, methods in gains),
                     actions_given=tuple(sorted(set().union(*(_given_by(methods) for _, methods in gains)))))
    return (merged, *narrowed)


def _clause(gain: escalation.Gain, methods: tuple[str, ...], alone: bool = True) -> str:
    return f"with {shown_list(_shown_methods(methods), len(methods))}, it can {_gained(gain, alone)}"


def _given_by(methods: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set().union(*(escalation.METHODS[m] for m in _shown_methods(methods)))))


def _ordered(methods: Iterable[str]) -> list[str]:
    """The simplest first: fewest actions, then by name."""
    return sorted(methods, key=lambda m: (len(escalation.METHODS[m]), m))


def _shown_methods(methods: tuple[str, ...]) -> list[str]:
    return _ordered(methods)[:_SHOWN_METHODS]


def _services_of(methods: list[str]) -> tuple[str, ...]:
    """The services the methods run code with, those of the simplest methods first."""
    return tuple(dict.fromkeys(s for m in _ordered(methods) for s in escalation.GAINS[m].services))


def shown_list(shown: list[str], total: int) -> str:
    """`a, b, c (+2 more)`."""
    return ", ".join(shown) + (f" (+{total - len(shown)} more)" if total > len(shown) else "")


def _services(services: tuple[str, ...]) -> str:
    """`a`, `a or b`, `a, b or c`, `a, b, c or 2 other services`."""
    if len(services) > _SHOWN_SERVICES:
        return f"{', '.join(services[:_SHOWN_SERVICES])} or {len(services) - _SHOWN_SERVICES} other services"
    return " or ".join(filter(None, (", ".join(services[:-1]), services[-1])))


def _gained(gain: escalation.Gain, alone: bool = True) -> str:
    """What the holder can do, after `it can` (no `NAME:` after a method name: a message would read `…Key: x` as a
    secret assignment and mask it). Running code as a service's roles is taken as anything in the account when no
    other gain is that already (`alone`)."""
    if gain.kind == escalation.IAM:
        return "change IAM policies, group members or role trust, so grant itself anything in its account"
    if gain.kind == escalation.USERS:
        return ("create access keys or console passwords for other IAM users and sign in as them, so do whatever "
                "they can (taken as anything in its account: which users it targets is not modelled)")
    return (f"run code as a role that {_services(gain.services)} may assume, so do whatever such a role can"
            + (" (taken as anything in its account: this file does not list the account's roles)" if alone
               else ""))


_NARROWED = re.compile(
    r"privilege escalation: with (?P<methods>.+), it can run code as a role that (?P<services>[^:;]+) may assume\Z")


def to_service_roles(found: Escalation) -> Grant:
    """A `ROLES` escalation narrowed to the roles that trust its services (and iam:PassRole names): no longer admin
    on access control (the reader gives the holder its way to those roles, a `runs-code-as:` group: `write` only
    records that it can hand them to a service). Which roles those are is known once every file is read: its `via`
    names them from then on (`naming_roles`)."""
    shown = shown_list(_shown_methods(found.methods), len(found.methods))
    via = f"{VIA}with {shown}, it can run code as a role that {_services(found.gain.services)} may assume"
    return replace(found.grant, actions=("write",), via=via)


def narrowed_services(grant: Grant) -> tuple[str, ...] | None:
    """The services of a grant `to_service_roles` made, whose roles `naming_roles` has not named yet; else None."""
    found = _NARROWED.match(grant.via or "") if grant.actions == ("write",) else None
    return None if found is None else tuple(re.split(r", | or ", found["services"]))


def naming_roles(grant: Grant, roles: list[str], passable: list[str]) -> Grant:
    """A grant of `to_service_roles` naming the roles it can run code as; without any, saying that no role read
    trusts its services yet (it still counts: a role that does may be added later). `passable`: the id globs of the
    roles it may pass, when it may not pass every role."""
    found = _NARROWED.match(grant.via or "")
    if found is None:
        return grant
    head, services = f"{VIA}with {found['methods']}, it ", found["services"]
    if roles:
        names = [r.split(":", 4)[-1] for r in roles]
        return replace(grant, via=f"{head}can run code as a role that {services} may assume: "
                                  f"{shown_list(names[:_SHOWN_ROLES], len(names))}")
    passing = f" that it may pass ({', '.join(passable)})" if passable else ""
    return replace(grant, via=f"{head}could run code as a role that {services} may assume, but no role read{passing} "
                              f"trusts {services} yet")


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


def _covers(outer: str, inner: str) -> bool:
    """Whether every ARN the glob `inner` names is named by `outer` too (sufficient test: `outer` matches `inner`'s
    text, its wildcards taken literally, where a `?` of `outer` may not stand for a wildcard of `inner`)."""
    return glob_match(inner, outer, text_is_glob=True)


# The AWS data stores: the kinds of resource that hold data (not access control, keys or identities), each with the
# id globs of every store of the kind (`{region}`, `{account}`: the grant's own, where its id names them; S3: every
# bucket, or every object of every bucket) and the
# actions that read the data itself: Cloudsplaining's data-exfiltration actions (s3:GetObject, ssm:GetParameter*,
# secretsmanager:GetSecretValue), reading DynamoDB items, and signing in to a database with IAM (RDS and Aurora,
# Redshift, Neptune). Not KMS keys: kms:Decrypt needs the ciphertext, read from a store (PL306 is about keys); not
# DocumentDB, whose data no IAM action reads.
DATA_STORES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("S3 buckets", "aws:s3:::*|aws:s3:::*/*", ("s3:getobject", "s3:getobjectversion")),
    ("DynamoDB tables", "aws:dynamodb:{region}:{account}:table/*",
     ("dynamodb:getitem", "dynamodb:batchgetitem", "dynamodb:query", "dynamodb:scan", "dynamodb:partiqlselect",
      "dynamodb:exporttabletopointintime")),
    ("RDS and Aurora databases", "aws:rds-db:{region}:{account}:dbuser:*", ("rds-db:connect",)),
    ("Redshift databases", "aws:redshift:{region}:{account}:dbuser:*",
     ("redshift:getclustercredentials", "redshift:getclustercredentialswithiam")),
    ("Neptune databases", "aws:neptune-db:{region}:{account}:*", ("neptune-db:readdataviaquery", "neptune-db:connect")),
    ("Secrets Manager secrets", "aws:secretsmanager:{region}:{account}:secret:*",
     ("secretsmanager:getsecretvalue", "secretsmanager:batchgetsecretvalue")),
    ("SSM parameters", "aws:ssm:{region}:{account}:parameter/*",
     ("ssm:getparameter", "ssm:getparameters", "ssm:getparametersbypath", "ssm:getparameterhistory")),
)
_READING: frozenset[Action] = frozenset({"read", "admin", "*"})


@lru_cache(maxsize=65536)
def reads_every(resource: str, actions_of: tuple[Action, ...], excluding: tuple[str, ...],
                given: tuple[str, ...]) -> tuple[str, ...]:
    """The kinds of AWS data store (`DATA_STORES`) a grant reads every one of in its scope: its id covers every
    store of the kind (`aws:s3:*`, `aws:s3:::*`, `aws:dynamodb:*:*:table/*`, `aws:*`), no exclusion of the same
    service carves some out, and an action it gives (as written: `s3:Get*`, `*`, a NotAction) reads their data.
    A Deny that removes the reading action but leaves the grant's other reads is not seen here (fail closed)."""
    if not _READING & set(actions_of):
        return ()
    parts = resource.split(":", 4)
    region, account = (parts[2], parts[3]) if len(parts) == 5 else ("*", "*")
    found = []
    for kind, template, reads in DATA_STORES:
        every = template.format(region=region or "*", account=account or "*").split("|")
        if any(_covers(resource, e) for e in every) and _gives(given, reads) \
                and not any(e != ANY_ACCESS_CONTROL and _may_overlap(e, every[0]) for e in excluding):
            found.append(kind)
    return tuple(found)


def _gives(given: tuple[str, ...], reads: tuple[str, ...]) -> bool:
    """Whether the actions as written (`NotAction X` for an excluded one) allow one of `reads`. NotAction entries
    of several statements may share a grant: each is read on its own (the union of what they allow)."""
    for written in given:
        pattern = written.removeprefix("NotAction ").lower()
        matched = any(fnmatch.fnmatchcase(r, pattern) for r in reads) if written.startswith("NotAction ") else None
        if matched is None and any(fnmatch.fnmatchcase(r, pattern) for r in reads):
            return True
        if matched is not None and not all(fnmatch.fnmatchcase(r, pattern) for r in reads):
            return True
    return False
