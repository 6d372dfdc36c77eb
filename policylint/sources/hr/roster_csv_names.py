"""What makes a file an HR roster (CSV), without the reader: the registry asks this of every file, and the reader
(`roster_csv`) is imported only when a run has one."""

from __future__ import annotations

import csv
import re
from pathlib import Path

NAME = "roster-csv"
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "username", "user name", "login", "user id", "userid", "okta username", "employee id",
           "employeeid", "employee number", "employee no"),
    "email": ("email", "e mail", "mail", "work email", "work e mail", "email address", "primary email",
              "business email"),
    "status": ("status", "employment status", "employee status", "user status", "account status",
               "okta user status"),
    "departed": ("termination date", "terminated", "terminated on", "end date", "departed", "departure date",
                 "departed on", "last day", "last working day", "exit date", "separation date", "offboarding date"),
    "name": ("name", "full name", "display name", "employee name", "preferred name"),
    "team": ("team", "department", "dept", "team name", "department name"),
    "manager": ("manager", "manager email", "manager id"),
}
# Names that mark a CSV as a roster (with a status column): e-mails and user names, not a bare "id".
_PERSON_COLUMNS = frozenset(DEFAULT_COLUMNS["email"] + DEFAULT_COLUMNS["id"][1:])
_CREDENTIAL_REPORT = ["user", "arn", "user creation time"]  # its first columns, as `normal` writes them
_SEPARATORS = re.compile(r"[\s_.-]+")
_DELIMITERS = (",", ";", "\t")
_HEADER_CHARS = 65536


def normal(name: str) -> str:
    return _SEPARATORS.sub(" ", name.casefold()).strip()


def detect(path: str, text: str) -> bool:
    line = first_line(text)
    try:
        names = [normal(n) for n in next(csv.reader([line], delimiter=delimiter(line)), [])]
    except csv.Error:
        return False
    if names[:3] == _CREDENTIAL_REPORT:  # the AWS IAM credential report, in any dialect, is another source's
        return False
    header = set(names)
    if header & set(DEFAULT_COLUMNS["status"]) and header & _PERSON_COLUMNS:
        return True
    # columns renamed in the configuration cannot be seen here: a roster so named is still taken
    return path.lower().endswith(".csv") and "roster" in Path(path).stem.lower()


def first_line(text: str) -> str:
    """The header line: the first with a name in it (spreadsheets may save blank or empty rows above it)."""
    start = 0
    while start < min(len(text), _HEADER_CHARS):
        end = text.find("\n", start, start + _HEADER_CHARS)
        line = text[start: end if end >= 0 else start + _HEADER_CHARS].rstrip("\r")
        if line.strip(' \t,;"'):
            return line
        start = len(text) if end < 0 else end + 1
    return ""


def delimiter(line: str) -> str:
    return max(_DELIMITERS, key=line.count)
