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
- Roster records that share an e-mail or an alias (or whose id is the other's e-mail or alias), from any roster
  format, are one person: an Okta export keyed by login and a CSV roster keyed by user name that say different
  things must not read as two people, a leaver and a colleague who still holds the keys. If any of them says
  departed or suspended, every one of them counts as that (departed over suspended), from the earliest departure
  date any of them gives that is on or before the run's date (the person was gone from then; with no such date,
  the earliest given). Each record whose status differs from another's carries the contradiction, naming the
  other record's file:line and status (PL003), and a record that took another's status or date says so in its
  `departed_basis`. Names the records share then join accounts to the person, not to nobody. Every record shows the
  first display name and the first team any of them gives.
- An annotation (native `annotate:`) adds to every resource whose id matches its glob and never lowers what a
  source stated: the union of the data classes, the larger record count, and of logging, monitoring and log
  retention the riskier (false over true, the shorter retention). An annotation that would lower what the
  resource's own source states (a class it leaves out, fewer records, logging or monitoring true where the source
  says false, a longer retention) is an input error at the annotation, though the riskier values still apply: an
  annotation and a platform's own tag that disagree about customer data mean one of them is wrong, and a notice
  would let the run pass while someone believes the annotation took effect. An annotation that matches no
  resource is an input error too: a mistyped glob would otherwise leave customer data undeclared, and its paths
  unseen.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import replace
from datetime import date
from typing import Any

from policylint.errors import InputError
from policylint.flags import GCP_DOMAIN as DOMAIN_FLAG
from policylint.model import EVERYONE, Annotation, Group, Inventory, Person, PersonStatus, Principal, Resource

AMBIGUOUS = ""


def join(inventory: Inventory, as_of: date | None = None) -> tuple[Inventory, list[InputError]]:
    """The inventory joined; `as_of` is the run's date, without which departure dates are taken as stated."""
    roster = inventory.people
    if as_of is not None:
        roster = tuple(_departed_by_date(p, as_of) for p in roster)
    roster, same = _one_person_per_name(roster, as_of)
    if roster != inventory.people:
        inventory = replace(inventory, people=roster)
    people = _PeopleIndex(inventory, same)
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


LEAVING = ("departed", "suspended")
MAX_NAMED = 3  # other records a contradiction names; the rest are counted


def _names(person: Person) -> dict[str, str]:
    """Every name a roster record gives its person (id, e-mails, aliases), casefolded, to the name as written."""
    return {name.strip().casefold(): name.strip() for name in (person.id, *person.emails, *person.aliases)
            if name.strip()}


def _one_person_per_name(people: tuple[Person, ...], as_of: date | None
                         ) -> tuple[tuple[Person, ...], dict[str, str]]:
    """The records reconciled so that records of one person agree, and each record's id to the id of the first
    record of its person (for records that are the only one of their person: absent)."""
    parent = list(range(len(people)))

    def root(at: int) -> int:
        while parent[at] != at:
            parent[at] = parent[parent[at]]
            at = parent[at]
        return at

    first: dict[str, int] = {}
    linked: set[int] = set()  # records that share a name with another
    for number, person in enumerate(people):
        for name in (person.id, *person.emails, *person.aliases):
            other = first.setdefault(name.strip().casefold(), number) if name.strip() else number
            if other != number:
                linked.update((number, other))
                low, high = sorted((root(number), root(other)))
                parent[high] = low
    groups: dict[int, list[int]] = {}
    for number in sorted(linked):
        groups.setdefault(root(number), []).append(number)
    reconciled = list(people)
    same: dict[str, str] = {}
    for numbers in groups.values():
        if len(numbers) < 2:
            continue
        records = [people[n] for n in numbers]
        same.update((r.id, records[0].id) for r in records)
        for number, person in zip(numbers, _shared_names(_one_person(records, as_of)), strict=True):
            reconciled[number] = person
    return tuple(reconciled), same


def _shared_names(records: list[Person]) -> list[Person]:
    """Records of one person, each with the first name and the first team any of them gives (records in path
    order): an Okta export with the name and a CSV roster without it show one person by one name."""
    name = next((r.display_name for r in records if r.display_name), None)
    team = next((r.team for r in records if r.team), None)
    return [r if (r.display_name, r.team) == (name, team) else replace(r, display_name=name, team=team)
            for r in records]


def _one_person(records: list[Person], as_of: date | None) -> list[Person]:
    """Records of one person, each counting as a leaver when any says so, from the earliest past departure date."""
    leavers = [r for r in records if r.status in LEAVING]
    if not leavers:
        return records
    status: PersonStatus = "departed" if any(r.status == "departed" for r in leavers) else "suspended"
    dated = [(r.departed, number) for number, r in enumerate(leavers) if r.departed is not None]
    past = [(when, number) for when, number in dated if as_of is None or when <= as_of]
    source = leavers[min(past or dated)[1]] if dated else next(r for r in leavers if r.status == status)
    when = source.departed
    basis = f"the record at {source.location}" + (f" ({source.departed_basis})" if source.departed_basis else "")
    said = next(r for r in leavers if r.status == status)  # a record that says the status all take
    counted = f"{status}{' ' + when.isoformat() if when else ''}"
    by_status: dict[str, list[Person]] = {}
    for record in records:
        by_status.setdefault(record.status, []).append(record)
    result = []
    for record in records:
        differing = [r for said, rs in by_status.items() if said != record.status for r in rs[:MAX_NAMED + 1]]
        count = sum(len(rs) for said, rs in by_status.items() if said != record.status)
        changes: dict[str, Any] = {}
        if differing:
            changes["contradictions"] = (*record.contradictions, _disagreement(record, differing, count, counted))
        if record.status != status or record.departed != when:
            changes.update(status=status, departed=when, departed_basis=basis if record is not source
                           else f"the record at {said.location}")
        result.append(replace(record, **changes) if changes else record)
    return result


def _disagreement(record: Person, others: list[Person], count: int, counted: str) -> str:
    """What the other records of the person say against this one, naming where (at most MAX_NAMED of them)."""
    names = _names(record)
    shown = []
    for other in others[:MAX_NAMED]:
        shared = next((names[n] for n in _names(other) if n in names), None)
        by = "linked through other records" if shared is None else f"{'e-mail' if '@' in shared else 'name'} {shared}"
        shown.append(f"{other.id} at {other.location} ({by}), which says {_said(other)}")
    more = f", and {count - MAX_NAMED:,} more records" if count > MAX_NAMED else ""
    return (f"the same person as {' and as '.join(shown)}{more}, where this record says {_said(record)};"
            f" counted as {counted}")


def _said(person: Person) -> str:
    if person.status == "leave":
        return "on leave"
    if person.departed is not None and person.status in LEAVING:
        return f"{person.status} {person.departed.isoformat()}"
    return person.status


class _PeopleIndex:
    """Roster people by every name that may stand for them, casefolded; a name two people share names nobody
    (records of one person, `same`, share names without ambiguity: the first record is named)."""

    def __init__(self, inventory: Inventory, same: dict[str, str]) -> None:
        self.same = same
        self.people: dict[str, str] = {}
        self.local_parts: dict[str, str] = {}
        for someone in inventory.people:
            for key in (someone.id, *someone.emails, *someone.aliases):
                self._remember(self.people, key, someone.id)
            for email in someone.emails:
                self._remember(self.local_parts, email.partition("@")[0], someone.id)

    def _remember(self, table: dict[str, str], key: str, person: str) -> None:
        key = key.casefold()
        known = table.setdefault(key, person)
        if known != AMBIGUOUS and self.same.get(known, known) != self.same.get(person, person):
            table[key] = AMBIGUOUS

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
    lowered: dict[int, list[tuple[Resource, list[str]]]] = {}  # annotation -> (resource, what it would lower)
    annotated = []
    for resource in resources:
        added = resource
        for number, annotation in enumerate(annotations):
            if fnmatch.fnmatchcase(resource.id, annotation.pattern):
                matched.add(number)
                against = _lowers(resource, annotation)
                if against:
                    lowered.setdefault(number, []).append((resource, against))
                added = _added(added, annotation)
        annotated.append(added)
    ids = [r.id for r in resources]
    errors = [_unmatched(a, ids) for number, a in enumerate(annotations) if number not in matched]
    errors += [_contradicts(annotations[number], found) for number, found in sorted(lowered.items())]
    return tuple(annotated), errors


def _added(resource: Resource, annotation: Annotation) -> Resource:
    """The resource with what the annotation adds: more classes, more records, the riskier logging, monitoring and
    retention (false over true, the shorter retention); what neither states stays unknown."""
    changes: dict[str, Any] = {}
    if annotation.data is not None:
        changes["data"] = tuple(dict.fromkeys((*resource.data, *annotation.data)))
    if annotation.records is not None:
        changes["records"] = max(annotation.records, resource.records or 0)
    if annotation.logging is not None:
        changes["logging"] = annotation.logging and resource.logging is not False
    if annotation.monitoring is not None:
        changes["monitoring"] = annotation.monitoring and resource.monitoring is not False
    if annotation.log_retention_days is not None:
        stated = resource.log_retention_days
        changes["log_retention_days"] = min(annotation.log_retention_days,
                                            stated if stated is not None else annotation.log_retention_days)
    changes = {name: value for name, value in changes.items() if getattr(resource, name) != value}
    return replace(resource, **changes) if changes else resource


def _lowers(resource: Resource, annotation: Annotation) -> list[str]:
    """What the annotation says that is less than the resource's own source states, each as 'the annotation's
    value against the source's'."""
    lowers = []
    if annotation.data is not None and not set(resource.data) <= set(annotation.data):
        lowers.append(f"data [{', '.join(annotation.data)}] against the source's [{', '.join(resource.data)}]")
    if annotation.records is not None and resource.records is not None and annotation.records < resource.records:
        lowers.append(f"records {annotation.records:,} against the source's {resource.records:,}")
    for name in ("logging", "monitoring"):
        if getattr(annotation, name) is True and getattr(resource, name) is False:
            lowers.append(f"{name} true against the source's false")
    said, stated = annotation.log_retention_days, resource.log_retention_days
    if said is not None and stated is not None and said > stated:
        lowers.append(f"log_retention_days {said:,} against the source's {stated:,}")
    return lowers


def _contradicts(annotation: Annotation, found: list[tuple[Resource, list[str]]]) -> InputError:
    resource, lowers = found[0]
    more = f" (and {len(found) - 1:,} more resources)" if len(found) > 1 else ""
    return InputError(annotation.location, f"expected an annotation that adds to what a resource's source states and"
                                           f" never lowers it, found {'; '.join(lowers)} for {resource.id} (defined"
                                           f" at {resource.location}){more}; the riskier values are kept: correct"
                                           " the annotation or the source")


def _unmatched(annotation: Annotation, ids: list[str]) -> InputError:
    near = difflib.get_close_matches(annotation.pattern, ids, n=1, cutoff=0.5)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return InputError(annotation.location, f"expected the annotation's match to name at least one resource, found "
                                           f"none matching {annotation.pattern!r}{hint}")
