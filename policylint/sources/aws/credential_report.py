"""The IAM credential report (`aws iam get-credential-report`, CSV): each user's password, access keys and
signing certificates as credentials of that user's principal.

Credential ids are the user's id plus `#password`, `#access-key-1`/`-2`, `#certificate-1`/`-2`; a key or
certificate exists when it was ever rotated (`last_rotated` is a date). An empty or N/A `…_active` or
`password_enabled` cell is unknown: a secret whose dates show it exists (last used, rotated, changed) counts as
active, as one that has worked may work still, and carries the contradiction (rule PL003).
The `<root_account>` row is the account's root user `aws:iam::<acct>:root`, implied with flag `aws-root` and admin on
the account's access control. Its `password_enabled` is always `not_supported`: root always has a password (whoever
controls the account's e-mail can reset it), carrying the row's `mfa_active` (unknown when empty: no MFA, PL112) and
`password_last_used` (root used recently: PL111); its keys are PL109's.
The users themselves are defined by the files that hold their policies (authorization details, CloudFormation);
this file only implies them, as `user` principals when they can sign in (a password or MFA) and `service`
otherwise, with their user name as identifier for the join to people.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from policylint.errors import InputError
from policylint.flags import AWS_ROOT as ROOT
from policylint.iam.statements import access_control_id, arn_to_id
from policylint.model import ACCESS_CONTROL, Credential, Grant, Inventory, Location, Principal, PrincipalType, Resource
from policylint.redact import redact
from policylint.sources.aws.credential_report_names import DELIMITERS, dialect, first_line
from policylint.sources.aws.credential_report_names import NAME as NAME  # detection, without the reader
from policylint.sources.aws.credential_report_names import detect as detect
from policylint.sources.base import Fragment, Options

COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
    "cert_2_active", "cert_2_last_rotated",
)
ROOT_USER = "<root_account>"
_ABSENT = frozenset(("N/A", "no_information", "not_supported", ""))
_BOOLEANS = {"true": True, "false": False}


def _header(path: str, number: int, line: str) -> list[str]:
    delimiter, names = dialect(line) or (",", [])
    if delimiter != ",":
        raise InputError(Location(path, number, 1), f"expected the credential report's columns separated by commas, "
                                                    f"found them separated by {DELIMITERS[delimiter]} (export it "
                                                    f"again, or save it as comma-separated CSV)")
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise InputError(Location(path, number, 1), f"expected the credential report's columns "
                                                    f"{', '.join(missing)}, found a header without them")
    return names


def load(path: str, text: str, options: Options) -> Fragment:
    lines = text.lstrip("\ufeff").splitlines()
    start, line = first_line(lines)
    header = _header(path, start + 1, line)
    errors: list[InputError] = []
    credentials: list[Credential] = []
    implied: dict[str, Principal] = {}
    rows = lines[start + 1:]
    for number, (line, fields) in enumerate(zip(rows, _records(path, start + 2, rows), strict=False),
                                            start=start + 2):
        if isinstance(fields, InputError):
            errors.append(fields)
            break
        if not fields:
            continue
        row = _Row(path, number, line, header, fields)
        try:
            principal, found = row.read()
        except InputError as error:
            errors.append(error)
            continue
        implied.setdefault(principal.id, principal)
        credentials.extend(found)
    roots = [p for p in implied.values() if ROOT in p.flags]
    implied_inventory = Inventory(
        principals=tuple(implied.values()),
        resources=tuple(Resource(access_control_id(_account(p.id)), p.location, ACCESS_CONTROL,
                                 scope=f"aws:{_account(p.id)}") for p in implied.values() if ROOT in p.flags),
        grants=tuple(Grant(access_control_id(_account(p.id)), ("admin",), p.location, to=p.id,
                           via="account root user") for p in roots),
    )
    return Fragment(Inventory(credentials=tuple(credentials)), errors, implied_inventory)


def _records(path: str, first: int, rows: list[str]) -> Iterable[list[str] | InputError]:
    """The rows' fields; a row the csv module refuses (a field over its 131,072-character limit) ends them with
    a located error, never a crash."""
    reader = csv.reader(rows)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield InputError(Location(path, first + reader.line_num - 1, 1),
                             f"expected a credential report row of CSV fields, found one it cannot read ({error})")
            return
        yield fields


def _account(node_id: str) -> str:
    return node_id.split(":")[3]


@dataclass
class _Row:
    path: str
    number: int
    line: str
    header: list[str]
    fields: list[str]

    def at(self, column: str | None = None) -> Location:
        """The row, or one of its fields (its column counted on the raw line, which a report never quotes)."""
        if column is None or '"' in self.line:
            return Location(self.path, self.number, 1)
        index = self.header.index(column)
        return Location(self.path, self.number, sum(len(f) + 1 for f in self.fields[:index]) + 1)

    def value(self, column: str) -> str:
        return self.fields[self.header.index(column)]

    def flag(self, column: str) -> bool | None:
        text = self.value(column)
        if text in _ABSENT:
            return None
        if text not in _BOOLEANS:
            raise InputError(self.at(column), f"expected {column} to be true, false or N/A, found {redact(text)!r}")
        return _BOOLEANS[text]

    def day(self, column: str) -> date | None:
        text = self.value(column)
        if text in _ABSENT:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise InputError(self.at(column), f"expected {column} to be an ISO timestamp "
                                              f"(2025-01-31T12:00:00+00:00) or N/A, found {redact(text)!r}") from None

    def read(self) -> tuple[Principal, list[Credential]]:
        if len(self.fields) != len(self.header):
            raise InputError(self.at(), f"expected {len(self.header)} fields in a credential report row, "
                                        f"found {len(self.fields)}")
        user, arn = self.value("user"), self.value("arn")
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" \
                or not (parts[5] == "root" or parts[5].startswith("user/")):
            raise InputError(self.at("arn"), f"expected an IAM user or root ARN 'arn:aws:iam::<account>:user/…', "
                                             f"found {redact(arn)!r}")
        principal_id = arn_to_id(arn)
        mfa = self.flag("mfa_active")
        if user == ROOT_USER:
            principal = Principal(principal_id, self.at(), "service", flags=(ROOT,))
            password = True
            doubts: tuple[str, ...] = ()
        else:
            password, doubts = self.active("password_enabled", "password", ("password_last_used", "was last used"),
                                           ("password_last_changed", "was last changed"))
            kind: PrincipalType = "user" if password or mfa else "service"
            principal = Principal(principal_id, self.at(), kind, identifiers=(user,))
        return principal, self.credentials(principal_id, password, mfa, doubts)

    def active(self, column: str, noun: str, *evidence: tuple[str, str]) -> tuple[bool, tuple[str, ...]]:
        """Whether the secret of an `…_active` or `password_enabled` cell is active, and the contradiction when the
        cell is empty or N/A though a date (`evidence`: column, what it says happened) shows the secret exists:
        then it counts as active, as a key that has worked may work still (fail closed)."""
        flag = self.flag(column)
        if flag is not None:
            return flag, ()
        for dated, happened in evidence:
            day = self.day(dated)
            if day is not None:
                said = repr(self.value(column)) if self.value(column) else "empty"
                return True, (f"{column} is {said} but the {noun} {happened} {day.isoformat()}; counted as active",)
        return False, ()

    def credentials(self, owner: str, password: bool, mfa: bool | None, doubts: tuple[str, ...]
                    ) -> list[Credential]:
        found = []
        if password:
            found.append(Credential(f"{owner}#password", self.at("password_enabled"), "password", owner, None,
                                    "active", self.day("password_last_changed"), self.day("password_last_used"),
                                    self.day("password_next_rotation"), mfa, contradictions=doubts))
        for n in (1, 2):
            found.extend(self.secret(owner, f"access_key_{n}", f"access-key-{n}", "access_key",
                                     f"access_key_{n}_last_used_date"))
            found.extend(self.secret(owner, f"cert_{n}", f"certificate-{n}", "certificate", None))
        return found

    def secret(self, owner: str, prefix: str, suffix: str, kind: str, used: str | None) -> list[Any]:
        noun = "key" if kind == "access_key" else kind
        evidence = (((used, "was last used"),) if used else ()) + ((f"{prefix}_last_rotated", "was last rotated"),)
        active, doubts = self.active(f"{prefix}_active", noun, *evidence)
        created = self.day(f"{prefix}_last_rotated")
        if created is None and not active:
            return []  # never issued (or deleted): nothing to hold
        last_used = self.day(used) if used else None
        return [Credential(f"{owner}#{suffix}", self.at(f"{prefix}_active"), kind, owner, None,
                           "active" if active else "inactive", created, last_used, contradictions=doubts)]
