"""Okta users as the Okta Users API returns them: `GET /api/v1/users` (a JSON array) or one user object.

- A user is a person: id = `profile.login`; e-mails `profile.email`, then `profile.secondEmail`; alias
  `profile.employeeNumber` (the Okta `id` is not: nothing else in an inventory names a person by it). Shown, never
  joined on: the name `profile.displayName`, else `firstName` and `lastName`; the team `profile.department`.
- `status` DEPROVISIONED (deactivated) → departed, SUSPENDED → suspended, both dated by `statusChanged` with
  `departed_basis: statusChanged` (it is when the account changed, not an HR date). A user whose
  `transitioningToStatus` is DEPROVISIONED is being deactivated: departed, date unknown. STAGED, PROVISIONED,
  ACTIVE, RECOVERY, LOCKED_OUT and PASSWORD_EXPIRED → active: the person still has, or is being given, an account.
  A user without a status (absent or null; the API always sends one, so the export was edited) counts as active
  and says so (`contradictions`, rule PL003): an unknown is never read as "left"; any other value is an error.
- `GET /api/v1/users` leaves DEPROVISIONED users out unless a search asks for them
  (`?search=status eq "DEPROVISIONED"`, merged with the others): a roster without its leavers cannot say who left.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from policylint.errors import InputError
from policylint.model import Inventory, Person, PersonStatus
from policylint.sources.base import Fragment, Options
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
from policylint.sources.hr.okta_names import NAME as NAME  # detection, imported without the reader
from policylint.sources.hr.okta_names import detect as detect

STATUSES: dict[str, PersonStatus] = {
    "STAGED": "active",
    "PROVISIONED": "active",
    "ACTIVE": "active",
    "RECOVERY": "active",
    "LOCKED_OUT": "active",
    "PASSWORD_EXPIRED": "active",
    "SUSPENDED": "suspended",
    "DEPROVISIONED": "departed",
}


def load(path: str, text: str, options: Options) -> Fragment:
    document = parse(text, path)
    errors: list[InputError] = []
    people = []
    for offset, user in _users(document):
        try:
            people.append(_person(document, offset, user))
        except Problem as problem:
            errors.append(InputError(document.location(document.find(offset, problem.steps)), problem.message))
    return Fragment(Inventory(people=tuple(one_per_user_name(people, errors))), errors)


def _users(document: JsonText) -> list[tuple[int, Any]]:
    value = document.value
    if isinstance(value, list):
        return list(zip(document.items(document.root), value, strict=True))
    if isinstance(value, dict):
        return [(document.root, value)]
    raise InputError(document.location(document.root), f"expected a list of Okta users, found {shown(value)}")


def _person(document: JsonText, offset: int, user: Any) -> Person:
    if not isinstance(user, dict):
        raise Problem(f"expected an Okta user, a mapping, found {shown(user)}")
    status = user.get("status")
    if status is not None and (not isinstance(status, str) or status not in STATUSES):
        raise Problem(f"expected status, one of {', '.join(STATUSES)}, found {shown(status)}", ("status",))
    profile = user.get("profile")
    if not isinstance(profile, dict):
        raise Problem(f"expected profile, a mapping, found {shown(profile)}", ("profile",))
    try:
        login = person_id(profile.get("login"), "profile.login")
    except Problem as problem:
        raise problem.under("profile", "login") from None
    emails = distinct(_text(profile, name) for name in ("email", "secondEmail"))
    aliases = distinct((_text(profile, "employeeNumber"),), besides=(login, *emails))
    where = document.location(document.find_value(offset, ("profile", "login"), login))
    return replace(_status(user, status, Person(login, where, "active", emails=emails, aliases=aliases)),
                   display_name=_name(profile), team=display_text(profile.get("department")))


def _status(user: dict[str, Any], status: str | None, person: Person) -> Person:
    """The person with the status, departure date and its basis the user's status fields give."""
    person_status = "active" if status is None else STATUSES[status]
    if user.get("transitioningToStatus") == "DEPROVISIONED" and person_status != "departed":
        return replace(person, status="departed")
    if person_status == "active":
        unknown = f"{'status is null' if 'status' in user else 'no status'}; counted as active"
        return replace(person, contradictions=(unknown,)) if status is None else person
    changed = user.get("statusChanged")
    try:
        since = None if changed is None else timestamp_date(changed, "statusChanged")
    except Problem as problem:
        raise problem.under("statusChanged") from None
    return replace(person, status=person_status, departed=since,
                   departed_basis=None if since is None else "statusChanged")


def _name(profile: dict[str, Any]) -> str | None:
    full = " ".join(t for t in (display_text(profile.get("firstName")), display_text(profile.get("lastName"))) if t)
    return display_text(profile.get("displayName")) or full or None


def _text(profile: dict[str, Any], name: str) -> str:
    """A profile attribute that is text (or absent, or null: then empty); a number is read as its digits."""
    value = profile.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Problem(f"expected profile.{name}, a string, found {shown(value)}", ("profile", name))
    return str(value)
