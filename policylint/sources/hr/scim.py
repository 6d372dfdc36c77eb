"""SCIM 2.0 (RFC 7643, RFC 7644) as JSON: a `User`, a `Group`, or a `ListResponse` of them.

- A User is a person: id = `userName`; `emails[].value` (primary first) are its e-mails; `externalId`, the SCIM
  `id` and the enterprise extension's `employeeNumber` are aliases (never `displayName`: display names are not
  unique enough to join on). Its name as people read it is `displayName`, else `name.formatted`, else the given
  and family names; its team the enterprise extension's `department`. Both are only shown, never joined on: a
  value that is not text is left out rather than dropping the person.
- `active: false` means departed. SCIM has no departure date, so the date is `meta.lastModified` (when the
  account last changed, most likely when it was deactivated) and `departed_basis` says so. An absent or null
  `active` is "unknown" (RFC 7643 §4.1.1 gives no default): an unknown cannot be proven departed, so the person
  counts as active, and the record says so (`contradictions`, rule PL003), naming a near miss such as `actve`.
- A Group is `scim:group:<displayName>` (whitespace, '%', '*' and '#' percent-encoded); its `members` are SCIM ids,
  turned into the user name of the user (or the id of the group) with that id in the same file. A member the file
  does not define keeps its SCIM id, which is also an alias of the person in the file that defines them; if
  nothing resolves it, PL001 reports it.
- A User's own `groups` list adds the user to the group with that id (or `display` name): to a group of the same
  file, or else to a group the file implies (`Fragment.implied`), so a Users export alone still has memberships.
Attribute names and schema URNs are matched ignoring case, as RFC 7643 §2.1 says.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from policylint.errors import InputError
from policylint.model import Group, Inventory, Location, Person
from policylint.sources.base import Fragment, Options
from policylint.sources.hr._attributes import Fields, fields_of, indexes_of, inner, schemas_of
from policylint.sources.hr._json import JsonText, parse
from policylint.sources.hr._shared import (
    Problem,
    display_text,
    distinct,
    one_per_user_name,
    person_id,
    shown,
    timestamp_date,
)
from policylint.sources.hr.scim_names import NAME as NAME  # detection, imported without the reader
from policylint.sources.hr.scim_names import detect as detect

USER = "urn:ietf:params:scim:schemas:core:2.0:user"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:group"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:listresponse"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"
GROUP_PREFIX = "scim:group:"
_NOT_IN_IDS = re.compile(r"[\s%*#]")
_USER_ONLY = ("username", "active", "emails", "name", "password")


def group_id(display_name: str) -> str:
    return GROUP_PREFIX + _NOT_IN_IDS.sub(lambda m: quote(m.group(), safe=""), display_name)


@dataclass(frozen=True, slots=True)
class _Membership:
    """An item of a User's `groups`: the group's SCIM id and display name, and the steps to it from the user."""

    value: str | None
    display: str | None
    resource: int
    steps: tuple[str | int, ...]


@dataclass
class _User:
    person: Person
    scim_id: str | None
    groups: list[_Membership]


@dataclass
class _Group:
    id: str
    location: Location
    scim_id: str | None
    members: list[str] = field(default_factory=list)  # SCIM ids


def load(path: str, text: str, options: Options) -> Fragment:
    document = parse(text, path)
    reader = _Reader(document)
    for offset, value in _resources(document):
        reader.read(offset, value)
    return reader.fragment()


def _resources(document: JsonText) -> list[tuple[int, Any]]:
    """(offset, value) of each resource: the file's one resource, or the items of its list or ListResponse."""
    value, root = document.value, document.root
    if isinstance(value, list):
        return list(zip(document.items(root), value, strict=True))
    if not isinstance(value, dict):
        raise InputError(document.location(root), f"expected a SCIM resource or ListResponse, found {shown(value)}")
    try:
        fields = Fields(value)
        schemas = schemas_of(fields)
    except Problem as problem:
        raise InputError(document.location(document.find(root, problem.steps)), problem.message) from None
    if LIST_RESPONSE not in schemas:
        return [(root, value)]
    resources = fields.get("resources")
    if resources is None:  # RFC 7644 §3.4.2: absent when there are no results
        return []
    where = document.find(root, (fields.key("resources"),))
    if not isinstance(resources, list):
        raise InputError(document.location(where), f"expected Resources, a list, found {shown(resources)}")
    return list(zip(document.items(where), resources, strict=True))


class _Reader:
    """Reads the resources of one file, then links groups and members among them."""

    def __init__(self, document: JsonText) -> None:
        self.document = document
        self.errors: list[InputError] = []
        self.users: list[_User] = []
        self.groups: list[_Group] = []
        self.scim_ids: dict[str, Location] = {}

    def read(self, offset: int, value: Any) -> None:
        try:
            fields = fields_of(value, "a SCIM User or Group")
            scim_id = self._scim_id(fields)
            if _kind(fields) == "user":
                self.users.append(self._user(fields, offset, scim_id))
            else:
                self.groups.append(self._group(fields, offset, scim_id))
        except Problem as problem:
            where = self.document.find(offset, problem.steps)
            self.errors.append(InputError(self.document.location(where), problem.message))
            return
        if scim_id is not None:
            self.scim_ids[scim_id] = self.document.location(self.document.find_value(offset, (fields.key("id"),),
                                                                                     scim_id))

    def _scim_id(self, fields: Fields) -> str | None:
        scim_id = fields.get("id")
        if scim_id is None:
            return None
        if not isinstance(scim_id, str):
            raise Problem(f"expected id, a string, found {shown(scim_id)}", (fields.key("id"),))
        first = self.scim_ids.get(scim_id)
        if first is not None:
            raise Problem(f"expected each SCIM id once in the file, found {scim_id!r} again (first at line"
                          f" {first.line})", (fields.key("id"),))
        return scim_id

    def _user(self, fields: Fields, offset: int, scim_id: str | None) -> _User:
        try:
            user_name = person_id(fields.get("username"), "userName")
        except Problem as problem:
            raise problem.under(fields.key("username")) from None
        emails = _emails(fields)
        extension = _extension(fields)
        aliases = [v for v in (fields.get("externalid"), scim_id, extension.get("employeenumber"))
                   if isinstance(v, str)]
        location = self.document.location(self.document.find_value(offset, (fields.key("username"),), user_name))
        active = _active(fields)
        departed = None if active is not False else _last_modified(fields)
        person = Person(user_name, location, "departed" if active is False else "active", departed, emails,
                        distinct(aliases, besides=(user_name, *emails)),
                        None if departed is None else "meta.lastModified",
                        (_no_active(fields),) if active is None else (),
                        _display_name(fields), display_text(extension.get("department")))
        return _User(person, scim_id, self._memberships(fields, offset))

    def _memberships(self, fields: Fields, offset: int) -> list[_Membership]:
        found = []
        for index in indexes_of(fields, "groups"):
            entry = inner(fields, "groups", index, what="a group membership")
            value, display = entry.get("value"), entry.get("display")
            found.append(_Membership(value if isinstance(value, str) else None,
                                     display if isinstance(display, str) else None,
                                     offset, (fields.key("groups"), index)))
        return found

    def _group(self, fields: Fields, offset: int, scim_id: str | None) -> _Group:
        name = fields.get("displayname")
        if not isinstance(name, str) or not name.strip():
            raise Problem(f"expected displayName, a non-empty string, found {shown(name)}",
                          (fields.key("displayname"),))
        where = self.document.find_value(offset, (fields.key("displayname"),), name)
        group = _Group(group_id(name), self.document.location(where), scim_id)
        for index in indexes_of(fields, "members"):
            value = inner(fields, "members", index, what="a member").get("value")
            if not isinstance(value, str) or not value:
                raise Problem(f"expected the member's value, a SCIM id, found {shown(value)}",
                              (fields.key("members"), index))
            group.members.append(value)
        return group

    def fragment(self) -> Fragment:
        people = one_per_user_name((u.person for u in self.users), self.errors)
        kept = {id(p) for p in people}
        users = [u for u in self.users if id(u.person) in kept]
        groups = self._one_group_per_name()
        names = {g.scim_id: g.id for g in groups if g.scim_id is not None}
        names.update((u.scim_id, u.person.id) for u in users if u.scim_id is not None)
        members = {g.id: [names.get(m, m) for m in g.members] for g in groups}
        implied: dict[str, tuple[_Membership, list[str]]] = {}  # group id -> (first naming it, members)
        for user in users:
            for membership in user.groups:
                target = names.get(membership.value or "") or (
                    group_id(membership.display) if membership.display else None)
                if target in members:
                    members[target].append(user.person.id)
                elif target is not None:
                    implied.setdefault(target, (membership, []))[1].append(user.person.id)
        defined = tuple(Group(g.id, g.location, distinct(members[g.id])) for g in groups)
        return Fragment(Inventory(people=tuple(people), groups=defined), self.errors, Inventory(groups=tuple(
            Group(target, self._where(first), distinct(ids)) for target, (first, ids) in implied.items())))

    def _where(self, membership: _Membership) -> Location:
        return self.document.location(self.document.find(membership.resource, membership.steps))

    def _one_group_per_name(self) -> list[_Group]:
        first: dict[str, _Group] = {}
        for group in self.groups:
            seen = first.setdefault(group.id, group)
            if seen is not group:
                self.errors.append(InputError(group.location, f"expected each group displayName once in the file,"
                                                              f" found {group.id!r} again (first at line"
                                                              f" {seen.location.line})"))
        return list(first.values())


def _kind(fields: Fields) -> str:
    """'user' or 'group': by `schemas`, else `meta.resourceType`, else by the attributes only one of them has
    (a query may return resources without `schemas`, RFC 7644 §3.4.3)."""
    schemas = schemas_of(fields)
    if USER in schemas:
        return "user"
    if GROUP in schemas:
        return "group"
    if schemas:
        raise Problem(f"expected a SCIM User or Group, found the schemas {sorted(schemas)}", (fields.key("schemas"),))
    meta = fields.get("meta")
    resource_type = inner(fields, "meta", what="meta").get("resourcetype") if isinstance(meta, dict) else None
    if isinstance(resource_type, str) and resource_type.lower() in ("user", "group"):
        return resource_type.lower()
    if any(fields.get(name) is not None for name in _USER_ONLY):
        return "user"
    if fields.get("members") is not None or fields.get("displayname") is not None:
        return "group"
    raise Problem("expected a SCIM User (with userName) or Group (with displayName), found neither")


def _active(fields: Fields) -> bool | None:
    """`active`; None when absent or null: unknown."""
    active = fields.get("active")
    if active is not None and not isinstance(active, bool):
        raise Problem(f"expected active, true or false, found {shown(active)}", (fields.key("active"),))
    return active


def _no_active(fields: Fields) -> str:
    """How an unknown `active` reads, naming an attribute that may be a misspelling of it (`actve`, `isActive`)."""
    if "active" in fields.names:
        return f"{fields.key('active')} is null; counted as active"
    near = difflib.get_close_matches("active", list(fields.names), n=1, cutoff=0.75)
    found = f" (found {fields.names[near[0]]!r})" if near else ""
    return f"no active attribute{found}; counted as active"


def _last_modified(fields: Fields) -> date | None:
    if fields.get("meta") is None:
        return None
    meta = inner(fields, "meta", what="meta")
    modified = meta.get("lastmodified")
    try:
        return None if modified is None else timestamp_date(modified, "meta.lastModified")
    except Problem as problem:
        raise problem.under(fields.key("meta"), meta.key("lastmodified")) from None


def _emails(fields: Fields) -> tuple[str, ...]:
    primary: list[str] = []
    others: list[str] = []
    for index in indexes_of(fields, "emails"):
        email = inner(fields, "emails", index, what="an e-mail")
        value = email.get("value")
        if not isinstance(value, str) or not value.strip():
            raise Problem(f"expected the e-mail's value, a non-empty string, found {shown(value)}",
                          (fields.key("emails"), index))
        (primary if email.get("primary") is True else others).append(value)
    return distinct([*primary, *others])


def _display_name(fields: Fields) -> str | None:
    """`displayName`, else `name.formatted`, else the given and family names (RFC 7643 §4.1.1)."""
    name = fields.get("name")
    parts = {key.lower(): value for key, value in name.items()} if isinstance(name, dict) else {}
    given = " ".join(t for t in (display_text(parts.get("givenname")), display_text(parts.get("familyname"))) if t)
    return display_text(fields.get("displayname")) or display_text(parts.get("formatted")) or given or None


def _extension(fields: Fields) -> Fields:
    if fields.get(ENTERPRISE) is None:
        return Fields({})
    return inner(fields, ENTERPRISE, what="the enterprise extension")
