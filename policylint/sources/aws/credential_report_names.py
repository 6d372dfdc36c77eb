"""What makes a file an IAM credential report, without the reader: the registry asks this of every file, and the
reader (`credential_report`) is imported only when a run has a report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

NAME = "aws-credential-report"
HEADER = "user,arn,user_creation_time"
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}  # what spreadsheets save "CSV" with
_PREAMBLE = re.compile(r"""[ \t]*(?:"?sep=.?"?[ \t]*[,;\t]*[ \t]*\r?\n?$|#)""", re.IGNORECASE)
_HEAD = 65536  # where detection looks for the header (blank lines above it included)


def detect(path: str, text: str) -> bool:
    """The report's first three columns on the first non-blank line, however a spreadsheet re-saved it (quoted,
    upper case, spaces around names, another delimiter: `load` then says which)."""
    return dialect(first_line(io.StringIO(text[:_HEAD].lstrip("\ufeff")))[1]) is not None


def first_line(lines: Iterable[str]) -> tuple[int, str]:
    """(index, text) of the first line that is not blank, Excel's `sep=,` or a `# exported …` comment: a
    spreadsheet may save those above the header."""
    return next(((n, line.rstrip("\r\n")) for n, line in enumerate(lines) if line.strip(" \t\r\n,;\"")
                 and not _PREAMBLE.match(line.lstrip("\ufeff"))), (0, ""))


def dialect(line: str) -> tuple[str, list[str]] | None:
    """(delimiter, normalised column names) when the line is the report's header, in any of the delimiters."""
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
        except csv.Error:  # a carriage return inside the line, say: not the report's header
            return None
        names = [name.strip().lower() for name in cells]
        if names[:3] == HEADER.split(","):
            return delimiter, names
    return None
