"""The safe loader: plain data only, located values, and every hostile shape refused quickly and clearly."""

from __future__ import annotations

import time

import pytest
import yaml

from policylint.errors import InputError
from policylint.yamlsafe import MAX_DEPTH, YMap, decode, load_all, load_one, locate


def error_of(text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_one(text, "f.yaml")
    return str(caught.value)


def test_values_keep_their_positions() -> None:
    doc = load_one("people:\n  - {id: kim, status: departed}\n  - id: lee\n    status: active\n", "f.yaml")
    assert doc["people"][0].pos == (2, 5)
    assert doc["people"][1].pos == (3, 5)
    assert locate(doc, ["people", 1, "status"]) == (4, 13)
    assert locate(doc, ["people", 1, "status"], key=True) == (4, 5)
    assert locate(doc, ["people", 0, "status"]) == (2, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 0x1F\n", 31),
        ("a: 1_000\n", 1000),
        ("a: 0o17\n", "0o17"),  # YAML 1.1 has no 0o prefix: a string, as PyYAML reads it
        ("a: 017\n", 15),
        ("a: -1.5e+3\n", -1500.0),
        ("a: yes\n", True),
        ("a: Off\n", False),
        ("a: ~\n", None),
        ("a: '1'\n", "1"),
        ("a: 2024-02-01\n", "2024-02-01"),  # dates stay strings: the schema and model check them, located
        ("a: !!str 12\n", "12"),
        ("a: !!int '12'\n", 12),
        ("a: 1:30\n", 90),
    ],
)
def test_scalars_resolve_like_pyyaml_safe_loader_except_dates(text: str, expected: object) -> None:
    assert load_one(text, "f.yaml")["a"] == expected


@pytest.mark.parametrize(
    "text",
    ["a: 1\nb: [x, 'y', 2.5, null, true]\nc: {d: e}\n", "- 1\n- - 2\n  - 3\n", "x: 1.0\ny: -.inf\nz: 0b101\n"],
)
def test_same_data_as_pyyaml_safe_loader(text: str) -> None:
    assert load_one(text, "f.yaml") == yaml.safe_load(text)


def test_duplicate_key_is_an_error_naming_both_lines() -> None:
    message = error_of("id: kim\nstatus: active\nstatus: departed\n")
    assert message == ("f.yaml:3:1: error: duplicate key 'status' in a mapping (first at line 2);"
                       " each key may appear once")


def test_duplicate_key_in_flow_mapping() -> None:
    assert "f.yaml:1:17: error: duplicate key 'id'" in error_of("- {id: a, x: 1, id: b}\n")


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['echo hacked']\n",
        "x: !!python/name:os.system\n",
        "!!python/object:builtins.dict {}\n",
        "x: !Ref Something\n",
    ],
)
def test_code_tags_are_refused_not_executed(text: str) -> None:
    assert "unsupported tag" in error_of(text)


def test_merge_keys_merge_and_explicit_keys_win() -> None:
    doc = load_one("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert doc["m"] == {"x": 1, "y": 3}


def test_alias_bomb_is_refused_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    start = time.perf_counter()
    message = error_of("\n".join(lines) + "\n")
    assert "expected aliases to expand to at most 1,000,000 nodes" in message
    assert time.perf_counter() - start < 5


def test_recursive_alias_is_refused() -> None:
    assert "refers to itself" in error_of("a: &x [1, *x]\n")


def test_deep_nesting_is_refused_without_recursion() -> None:
    message = error_of("[" * 20_000 + "]" * 20_000 + "\n")
    # libyaml 0.2.5+ stops at 1,000 levels in its scanner, which can run ahead of our limit
    assert f"expected at most {MAX_DEPTH} levels of nesting" in message or "maximum nesting depth" in message


def test_nesting_past_our_limit_is_refused() -> None:
    text = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert error_of(text).startswith(f"f.yaml:1:{MAX_DEPTH + 1}: error: expected at most {MAX_DEPTH} levels")


def test_syntax_error_is_located() -> None:
    assert error_of("people:\n  - {id: kim\n") .startswith("f.yaml:3:1: error: invalid YAML:")


def test_mapping_keys_must_be_scalars() -> None:
    assert "expected a scalar mapping key" in error_of("? [a, b]\n: 1\n")


def test_invalid_utf8_is_located() -> None:
    with pytest.raises(InputError) as caught:
        decode(b"a: 1\nb: caf\xe9\n", "f.yaml")
    assert str(caught.value) == "f.yaml:2:7: error: expected UTF-8 text, found the invalid byte 0xe9"


def test_binary_content_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        decode(b"\x7fELF\x00\x01\x02", "f.yaml")
    assert "binary content" in str(caught.value)


def test_multi_document_streams() -> None:
    docs = load_all("a: 1\n---\nb: 2\n", "f.yaml")
    assert docs == [{"a": 1}, {"b": 2}]
    assert isinstance(docs[1], YMap) and docs[1].pos == (3, 1)
    assert "expected one YAML document, found 2" in error_of("a: 1\n---\nb: 2\n")


# -- opt-in local tags (CloudFormation's short forms) and collected duplicates ------------------------------------

TAGS = {"!Ref": "Ref", "!Join": "Fn::Join", "!If": "Fn::If", "!Sub": "Fn::Sub"}


def test_opted_in_tags_read_as_one_key_mappings_with_positions() -> None:
    doc = load_one("a: !Ref X\nb: !Join ['-', [x, !Ref Y]]\nc: !Sub\n  s: 1\nd: !Ref 123\n", "f.yaml", tags=TAGS)
    assert doc == {"a": {"Ref": "X"}, "b": {"Fn::Join": ["-", ["x", {"Ref": "Y"}]]}, "c": {"Fn::Sub": {"s": 1}},
                   "d": {"Ref": "123"}}
    assert isinstance(doc["a"], YMap) and doc["a"].pos == (1, 4) and doc["a"].value_pos["Ref"] == (1, 4)
    assert doc["b"].pos == (2, 4) and doc["b"]["Fn::Join"].item_pos == [(2, 11), (2, 16)]
    assert doc["b"]["Fn::Join"][1][1].pos == (2, 20)
    assert doc["c"].pos == (3, 4) and doc["c"]["Fn::Sub"].value_pos["s"] == (4, 6)
    assert locate(doc, ["b", "Fn::Join", 1, 1]) == (2, 20)


def test_opted_in_tags_survive_anchors_and_aliases() -> None:
    doc = load_one("a: &r !Ref X\nb: *r\n", "f.yaml", tags=TAGS)
    assert doc == {"a": {"Ref": "X"}, "b": {"Ref": "X"}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !Foo x\n", "f.yaml:1:4: error: unsupported tag !Foo: only plain YAML data is read"),
        ("a: !Foo [x]\n", "f.yaml:1:4: error: unsupported tag !Foo: only plain YAML data is read"),
        ("a: !Foo {x: 1}\n", "f.yaml:1:4: error: unsupported tag !Foo: only plain YAML data is read"),
        ("a: !!python/name:os.system\n", "f.yaml:1:4: error: unsupported tag !!python/name:os.system: only plain "
                                         "YAML data is read"),
        ("!Ref a: 1\n", "f.yaml:1:1: error: expected a scalar mapping key, found a !Ref tag"),
        ("? !Join [a]\n: 1\n", "f.yaml:1:11: error: expected a scalar mapping key, found a mapping or sequence"),
    ],
)
def test_tags_not_opted_into_are_still_refused(text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        load_one(text, "f.yaml", tags=TAGS)
    assert str(caught.value) == expected


def test_without_tags_short_forms_stay_refused() -> None:
    assert error_of("a: !Ref X\n") == "f.yaml:1:4: error: unsupported tag !Ref: only plain YAML data is read"


def test_duplicates_can_be_collected_instead_of_raised() -> None:
    found: list[InputError] = []
    doc = load_one("a: 1\nb: {c: 1, c: 2}\na: 3\n", "f.yaml", duplicates=found)
    assert doc == {"a": 3, "b": {"c": 2}}
    assert [str(e) for e in found] == [
        "f.yaml:2:11: error: duplicate key 'c' in a mapping (first at line 2); each key may appear once",
        "f.yaml:3:1: error: duplicate key 'a' in a mapping (first at line 1); each key may appear once",
    ]
    assert doc.key_pos["a"] == (3, 1)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("records: " + "9" * 31, "31"),
        ("records: -" + "9" * 5000, "5,000"),  # past Python's int-string limit (4,300 digits)
        ("records: 0x" + "f" * 31, "31"),
        ("records: 0b" + "1" * 31, "31"),
        ("records: 0" + "7" * 31, "32"),
        ("records: 1" + ":59" * 5000, "10,001"),  # sexagesimal: multiplied by 60 once per part, as it was read
        ("records: 1" + ":59" * 3000 + ".5", "6,002"),  # a sexagesimal float overflowed float() (exit 3)
        ("records: 0." + "1" * 40, "41"),
        ("records: !!int '" + "9" * 5000 + "'", "5,000"),
        ("records: !!float " + "9" * 400, "400"),
    ],
    ids=["decimal", "past the int limit", "hex", "binary", "octal", "sexagesimal", "sexagesimal float", "float",
         "tagged int", "tagged float"],
)
def test_a_number_with_too_many_digits_is_a_located_error(text: str, digits: str) -> None:
    started = time.perf_counter()
    assert error_of(f"id: db\n{text}\n") == (f"f.yaml:2:10: error: expected a number of at most 30 digits (quote it "
                                             f"to keep it as text), found one of {digits} digits")
    assert time.perf_counter() - started < 5  # bounded before it is converted: milliseconds, not a quadratic loop


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: " + "9" * 30, int("9" * 30)),
        ("a: 999_999_999_999_999_999_999_999_999_999", 10**30 - 1),  # underscores are no digits
        ("a: 1" + ":59" * 14, 60**14 + sum(59 * 60**i for i in range(14))),
        ("a: '" + "9" * 5000 + "'", "9" * 5000),  # quoted: text, however long
        ("a: 1.5e+300", 1.5e300),
    ],
    ids=["30 digits", "underscores", "sexagesimal of 29 digits", "quoted", "exponent"],
)
def test_numbers_within_the_bound_still_read(text: str, expected: object) -> None:
    assert load_one(text, "f.yaml")["a"] == expected
