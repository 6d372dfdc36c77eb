"""Joining what separate sources read: cloud identities to the people of the HR roster, annotations onto resources.

Runs once on the merged inventory, before the graph. Both steps only fill in: a principal that names its person
keeps it, and a resource keeps every attribute no annotation sets.

- A principal with no `person` but with `identifiers` (e-mails, user names from tags, Kubernetes `User` names, GCP
  `user:` members) joins the person whose id, e-mail or alias equals one of them, case-insensitively; a bare user
  name also matches the part of an e-mail before the `@`. A key shared by two people joins nobody (a guess could
  tie an account to the wrong person). A joined principal is that person's account: its type becomes `user`.
- An annotation (native `annotate:`) sets its attributes on every resource whose id matches its glob, in file
  order, so a later annotation overrides an earlier one. An annotation that matches no resource is an input error:
  a mistyped glob would otherwise leave customer data undeclared, and its paths unseen.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import replace
from typing import Any

from policylint.errors import InputError
from policylint.model import Annotation, Inventory, Principal, Resource

AMBIGUOUS = ""


def join(inventory: Inventory) -> tuple[Inventory, list[InputError]]:
    principals = _join_people(inventory)
    resources, errors = _annotate(inventory.resources, inventory.annotations)
    return replace(inventory, principals=principals, resources=resources), errors


def _join_people(inventory: Inventory) -> tuple[Principal, ...]:
    if not any(p.person is None and p.identifiers for p in inventory.principals):
        return inventory.principals
    people: dict[str, str] = {}  # casefolded key -> person id, or AMBIGUOUS
    local_parts: dict[str, str] = {}

    def remember(table: dict[str, str], key: str, person: str) -> None:
        key = key.casefold()
        table[key] = person if table.get(key, person) == person else AMBIGUOUS

    for someone in inventory.people:
        for key in (someone.id, *someone.emails, *someone.aliases):
            remember(people, key, someone.id)
        for email in someone.emails:
            remember(local_parts, email.partition("@")[0], someone.id)
    joined = []
    for principal in inventory.principals:
        if principal.person is None and principal.identifiers:
            found = _find(principal.identifiers, people, local_parts)
            if found:
                principal = replace(principal, person=found, type="user", owner=None)
        joined.append(principal)
    return tuple(joined)


def _find(identifiers: tuple[str, ...], people: dict[str, str], local_parts: dict[str, str]) -> str | None:
    for identifier in identifiers:
        found = people.get(identifier.casefold())
        if found is None and "@" not in identifier:
            found = local_parts.get(identifier.casefold())
        if found:  # AMBIGUOUS is falsy: try the next identifier
            return found
    return None


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
