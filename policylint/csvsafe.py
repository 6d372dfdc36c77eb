"""CSV cells a spreadsheet will not run: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a
formula (or becomes one) in Excel, LibreOffice and Google Sheets; it is written with a leading apostrophe, which the
spreadsheet shows as text (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (RFC 4180, CRLF line ends) whose every cell is safe; numbers stay numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell if isinstance(cell, int) else safe_cell(str(cell))
                         for cell in row])
    return out.getvalue()
