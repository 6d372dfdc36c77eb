"""CSV cells a spreadsheet shows as text, never runs."""

from __future__ import annotations

import csv
import io

import pytest

from policylint.csvsafe import rows_text, safe_cell


@pytest.mark.parametrize("formula", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_start_is_neutralised(formula: str) -> None:
    assert safe_cell(formula) == "'" + formula


def test_plain_text_is_unchanged() -> None:
    assert safe_cell("kim.jh") == "kim.jh" and safe_cell("a=b") == "a=b"


def test_a_document_reads_back_with_its_cells_and_numbers() -> None:
    text = rows_text(["id", "records"], [["=cmd|' /C calc'!A0", 33_700_000], ["line\nbreak, comma", None]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["id", "records"], ["'=cmd|' /C calc'!A0", "33700000"], ["line\nbreak, comma", ""]]
