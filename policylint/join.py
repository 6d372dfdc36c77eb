"""Joining what separate sources read: cloud identities to the people of the HR roster, annotations onto resources.

Runs once on the merged inventory, before the graph. The joins only fill in: a principal that names its person
keeps it, and a resource keeps every attribute no annotation sets.

- A person whose departure date is on or before the run's date (`as_of`) is departed, whatever the roster's status
  says (active, leave): the date is the more specific statement, and reading it as "still here" would hide a leaver.
  The person keeps why (`departed_basis`) and the contradiction (PL003). A later date is a planned departure: the
  person is what the status says until then. Suspended stays suspended: rules treat it as a leaver already, and
  Okta dates a suspension by the same field. This is the one place for every roster format, as sources do not know
  the run's date.

- A principal with no `person` but with `identifiers` (e-mails, user names from tags, Kubernetes `User` names, GCP
  `user:` members) joins the person whose id, e-mail or alias equals one of them, case-insensitively; a bare user
  name also matches the part of an e-mail before the `@`. A key shared by two people joins nobody (a guess could
  tie an account to the wrong person). A joined principal is that person's account: its type becomes `user`.
- An owner that names no node but a person's e-mail or alias (an AWS `owner` tag) becomes that person.
- A group member that names no node but a roster's own id for a person (a SCIM group lists its users by SCIM id)
  becomes that person; a domain group (GCP `domain:example.com`, flag `gcp-domain`) gains every person and identity
  with an e-mail in the domain.
- An annotation (native `annotate:`) sets its attributes on every resource whose id matches its glob, in file
  order, so a later annotation overrides an earlier one. An annotation that matches no resource is an input error:
  a mistyped glob would otherwise leave customer data undeclared, and its paths unseen.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import replace
from datetime import date
from typing import Any

from policylint.errors import InputError
from policylint.model import EVERYONE, Annotation, Group, Inventory, Person, Principal, Resource

AMBIGUOUS = ""
DOMAIN_FLAG = "gcp-domain"


def join(inventory: Inventory, as_of: date | None = None) -> tuple[Inventory, list[InputError]]:
    """The inventory joined; `as_of` is the run's date, without which departure dates are taken as stated."""
    if as_of is not None:
        inventory = replace(inventory, people=tuple(_departed_by_date(p, as_of) for p in inventory.people))
    people = _PeopleIndex(inventory)
    defined = {node.id for node in inventory.nodes()}
    principals = _join_people(inventory, people, defined)
    groups = _join_groups(inventory, principals, people, defined)
    resources, errors = _annotate(inventory.resources, inventory.annotations)
    return replace(inventory, principals=principals, groups=groups, resources=resources), errors


def _departed_by_date(person: Person, as_of: date) -> Person:
    """The person as of `as_of`: departed when their departure date has come, though the roster says otherwise."""
    if person.departed is None or person.departed > as_of or person.status not in ("active", "leave"):
        return person
    said = "on leave" if person.status == "leave" else person.status
    return replace(person, status="departed",
                   departed_basis=f"{person.departed_basis or 'the departure date'}; the roster says {said}",
                   contradictions=(*person.contradictions, f"departed {person.departed.isoformat()} (on or before"
                                   f" {as_of.isoformat()}) but the roster says {said}; counted as departed"))


class _PeopleIndex:
    """Roster people by every name that may stand for them, casefolded; a name two people share names nobody."""

    def __init__(self, inventory: Inventory) -> None:
        self.people: dict[str, str] = {}
        self.local_parts: dict[str, str] = {}
        for someone in inventory.people:
            for key in (someone.id, *someone.emails, *someone.aliases):
                self._remember(self.people, key, someone.id)
            for email in someone.emails:
                self._remember(self.local_parts, email.partition("@")[0], someone.id)

    @staticmethod
    def _remember(table: dict[str, str], key: str, person: str) -> None:
        key = key.casefold()
        table[key] = person if table.get(key, person) == person else AMBIGUOUS

    def find(self, identifiers: tuple[str, ...]) -> str | None:
        for identifier in identifiers:
            found = self.people.get(identifier.casefold())
            if found is None and "@" not in identifier:
                found = self.local_parts.get(identifier.casefold())
            if found:  # AMBIGUOUS is falsy: try the next identifier
                return found
        return None


def _join_people(inventory: Inventory, people: _PeopleIndex, defined: set[str]) -> tuple[Principal, ...]:
    joined = []
    for principal in inventory.principals:
        if principal.person is None and principal.identifiers:
            found = people.find(principal.identifiers)
            if found:
                principal = replace(principal, person=found, type="user", owner=None)
        if principal.owner is not None and principal.owner not in defined:  # an owner tag may be an e-mail
            owner = people.find((principal.owner,))
            if owner:
                principal = replace(principal, owner=owner)
        joined.append(principal)
    return tuple(joined)


def _join_groups(inventory: Inventory, principals: tuple[Principal, ...], people: _PeopleIndex,
                 defined: set[str]) -> tuple[Group, ...]:
    """Members named by a roster's own ids (a SCIM group lists users by SCIM id) become the people they alias; a
    domain group (GCP `domain:example.com`) gains every person and identity with an e-mail in the domain."""
    domains = {g.id: g.id.rsplit(":", 1)[-1].casefold() for g in inventory.groups if DOMAIN_FLAG in g.flags}
    joined = []
    for group in inventory.groups:
        members = [m if m in defined or m == EVERYONE else (people.find((m,)) or m) for m in group.members]
        domain = domains.get(group.id)
        if domain is not None:
            members += [p.id for p in inventory.people if any(e.casefold().endswith("@" + domain) for e in p.emails)]
            members += [p.id for p in principals if any(i.casefold().endswith("@" + domain) for i in p.identifiers)]
        unique = tuple(dict.fromkeys(members))
        joined.append(group if unique == group.members else replace(group, members=unique))
    return tuple(joined)


def _annotate(resources: tuple[Resource, ...], annotations: tuple[Annotation, ...]
              ) -> tuple[tuple[Resource, ...], list[InputError]]:
    if not annotations:
        return resources, []
    matched: set[int] = set()
    annotated = []
    for resource in resources:
        changes: dict[str, Any] = {}
        for number, annotation in enumerate(annotations):
            if fnmatch.fnmatchcase(resource.id, annotation.pattern):
                matched.add(number)
                changes.update(_attributes(annotation))
        annotated.append(replace(resource, **changes) if changes else resource)
    ids = [r.id for r in resources]
    errors = [_unmatched(a, ids) for number, a in enumerate(annotations) if number not in matched]
    return tuple(annotated), errors


def _attributes(annotation: Annotation) -> dict[str, Any]:
    values = {"data": annotation.data, "records": annotation.records, "logging": annotation.logging,
              "log_retention_days": annotation.log_retention_days, "monitoring": annotation.monitoring}
    return {name: value for name, value in values.items() if value is not None}


def _unmatched(annotation: Annotation, ids: list[str]) -> InputError:
    near = difflib.get_close_matches(annotation.pattern, ids, n=1, cutoff=0.5)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return InputError(annotation.location, f"expected the annotation's match to name at least one resource, found "
                                           f"none matching {annotation.pattern!r}{hint}")
