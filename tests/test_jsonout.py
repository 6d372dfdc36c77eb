"""`jsonout`: `indented` writes exactly the text `json.dumps(indent=2, ensure_ascii=False)` writes, and what
`compact` writes reads back, whatever the value."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.jsonout import compact, indented, indented_with, placeholder

TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=20)  # surrogates and controls too
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_the_text_is_the_one_json_writes(value: Any) -> None:
    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_what_orjson_does_not_write_is_written_by_json() -> None:
    for value in ({"id": "\ud800"}, {"records": 2**64}, {1: "a key that is no text"}):
        assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_what_is_written_compact_reads_back(value: Any) -> None:
    assert json.loads(compact(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, VALUES, max_size=3), st.lists(VALUES, max_size=4), st.integers(0, 2))
def test_a_list_written_item_by_item_is_the_text_of_the_whole(head: dict[str, Any], items: list[Any],
                                                            depth: int) -> None:
    """`indented_with` writes what `indented` writes for the document holding the list, at any depth."""
    token = placeholder()
    document: Any = {**head, "items": token, "after": 1}
    whole: Any = {**head, "items": items, "after": 1}
    for _ in range(depth):  # SARIF's results are in a run, in the runs list
        document, whole = {"runs": [document], "version": "2.1.0"}, {"runs": [whole], "version": "2.1.0"}
    assert "".join(indented_with(document, token, iter(items))) == json.dumps(whole, indent=2, ensure_ascii=False)
