"""The compiled schema check agrees with the `jsonschema` package: on random schemas and documents, on every
built-in rule against every fixture's facts, and on the inventory schema against every fixture."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from policylint.facts import facts_of
from policylint.fastschema import RE2, compile_schema, json_equal, re2_problem
from policylint.pipeline import run
from policylint.rules import builtin_policies, load_rules
from policylint.settings import Settings
from policylint.sources import native
from policylint.validate import check_for, packaged_schema
from policylint.yamlsafe import load_one

from helpers import REPO

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 2.5, -1.5]),
                    st.sampled_from(["", "a", "kim", "customer_pii", "2025-01-01"]))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b", "status", "reach"]), inner, max_size=3)),
    max_leaves=8,
)
names = st.sampled_from(["a", "b", "status", "reach"])
key_patterns = st.sampled_from(["^s", "a", "^re.ch$", "^(a|b)+$"])  # what Python's re and RE2 read alike
types = st.sampled_from(["object", "array", "string", "number", "integer", "boolean", "null"])


def schemas() -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        st.booleans(),
        st.builds(lambda t: {"type": t}, st.one_of(types, st.lists(types, min_size=1, max_size=2, unique=True))),
        st.builds(lambda v: {"const": v}, scalars),
        st.builds(lambda v: {"enum": v}, st.lists(scalars, min_size=1, max_size=3)),
        st.builds(lambda k, n: {k: n}, st.sampled_from(["minimum", "maximum", "exclusiveMinimum",
                                                        "exclusiveMaximum"]), st.integers(-2, 2)),
        st.builds(lambda k, n: {k: n}, st.sampled_from(["minItems", "maxItems", "minLength", "maxLength",
                                                        "minProperties", "maxProperties"]), st.integers(0, 2)),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(["^c", "a", "^\\d{4}-", "pii$"])),
        st.builds(lambda r: {"required": r}, st.lists(names, max_size=2, unique=True)),
        st.just({"uniqueItems": True}),
    )

    def compound(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.builds(lambda p: {"properties": p}, st.dictionaries(names, inner, max_size=2)),
            st.builds(lambda p, a: {"properties": p, "additionalProperties": a},
                      st.dictionaries(names, inner, max_size=2), inner),
            st.builds(lambda p, q, a: {"properties": p, "patternProperties": q, "additionalProperties": a},
                      st.dictionaries(names, inner, max_size=1), st.dictionaries(key_patterns, inner, max_size=2),
                      inner),
            st.builds(lambda s: {"items": s}, inner),
            st.builds(lambda s: {"contains": s}, inner),
            st.builds(lambda s: {"propertyNames": s}, inner),
            st.builds(lambda s: {"not": s}, inner),
            st.builds(lambda k, s: {k: s}, st.sampled_from(["anyOf", "allOf", "oneOf"]),
                      st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, inner, inner, inner),
            st.builds(lambda a, b: {**a, **b} if isinstance(a, dict) and isinstance(b, dict) else a, inner, inner),
        )

    return st.recursive(leaf, compound, max_leaves=6)


@pytest.mark.slow  # 1,500 random cases: ~5 s
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas(), documents)
def test_agrees_with_jsonschema_on_random_schemas(schema: Any, document: Any) -> None:
    assert compile_schema(schema)(document) == Draft202012Validator(schema).is_valid(document), (schema, document)


@given(documents, documents)
def test_json_equality(a: Any, b: Any) -> None:
    assert json_equal(a, b) == Draft202012Validator({"const": a}).is_valid(b)


def test_unsupported_keywords_fall_back_to_jsonschema() -> None:
    schema = {"properties": {"a": {"multipleOf": 3}}, "propertyNames": {"pattern": "^[a-z]$"}}
    check = compile_schema(schema)
    assert check({"a": 6}) and not check({"a": 7}) and not check({"AB": 1})


def test_agrees_on_every_builtin_rule_and_every_fixture() -> None:
    rules, errors = load_rules([builtin_policies()])
    assert errors == []
    fixtures = sorted((REPO / "tests" / "rules").glob("*/*.yaml"))
    compared = 0
    for fixture in fixtures:
        analysis = run(Settings((str(fixture),), date(2026, 1, 1)), findings=False).analysis
        for node in analysis.inventory.nodes():
            facts = facts_of(node, analysis.context)
            for rule in rules:
                if node.kind in rule.subjects:
                    assert rule.matches(facts) == Draft202012Validator(rule.match).is_valid(facts), (rule.id, node.id)
                    compared += 1
        text = fixture.read_text(encoding="utf-8")
        if not native.detect(str(fixture), text):  # a platform's file (a multi-document manifest, a template)
            continue
        document = load_one(text, str(fixture))
        assert check_for("inventory")(document) == Draft202012Validator(packaged_schema("inventory")).is_valid(
            document)
    assert compared > 1000


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas(), documents)
def test_the_re2_engine_agrees_with_jsonschema_on_random_schemas(schema: Any, document: Any) -> None:
    # the patterns drawn are read alike by both engines, so all three answers must be one
    expected = Draft202012Validator(schema).is_valid(document)
    assert compile_schema(schema, RE2)(document) == expected, (schema, document)
    assert RE2.validator(schema).is_valid(document) == expected, (schema, document)


CATASTROPHIC = "^(a+)+$"  # Python's re backtracks 2^40 times on 40 a's and one other character
FAST, SLOW = "a" * 40, "a" * 40 + "!"


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"properties": {"id": {"pattern": CATASTROPHIC}}}, {"id": FAST}, {"id": SLOW}),
        ({"properties": {"id": {"pattern": CATASTROPHIC}}, "multipleOf": 1}, {"id": FAST}, {"id": SLOW}),
        ({"propertyNames": {"pattern": CATASTROPHIC}}, {FAST: 1}, {SLOW: 1}),
        ({"patternProperties": {CATASTROPHIC: {"type": "integer"}}}, {SLOW: "x", FAST: 1}, {SLOW: "x", FAST: "x"}),
        ({"patternProperties": {CATASTROPHIC: True}, "additionalProperties": False}, {FAST: 1}, {FAST: 1, SLOW: 1}),
        ({"patternProperties": {CATASTROPHIC: True}, "additionalProperties": False, "multipleOf": 1}, {FAST: 1},
         {FAST: 1, SLOW: 1}),
    ],
    ids=["pattern", "pattern in jsonschema", "propertyNames in jsonschema", "patternProperties",
         "additionalProperties", "additionalProperties in jsonschema"],
)
def test_rule_patterns_run_in_linear_time_on_re2(schema: dict[str, Any], valid: Any, invalid: Any) -> None:
    started = time.perf_counter()
    check = compile_schema(schema, RE2)
    assert check(valid) and not check(invalid)
    assert time.perf_counter() - started < 5  # microseconds on RE2; hours on re


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("^(a+)+$", None),
        ("^gcp:", None),
        ("a{1000}", None),
        ("[{99999}]", None),  # braces in a class are characters, not a repetition
        ("[]{99999}]", None),  # and so is a ] first in a class
        ("\\{99999}", None),
        ("(?=a)", "invalid perl operator: (?="),
        ("(?<!a)b", "invalid perl operator: (?<!"),
        ("(a)\\1", "invalid escape sequence: \\1"),
        ("a{99999999999}", "invalid repetition size: {99999999999} (at most 1000)"),  # RE2 alone reads it as text
        ("a{1001}", "invalid repetition size: {1001}"),
        ("(a{100}){100}", "invalid repetition size: {100}"),
        ("\\Z", "invalid escape sequence: \\Z"),
    ],
)
def test_re2_problem_names_what_re2_cannot_run(pattern: str, problem: str | None) -> None:
    assert re2_problem(pattern) == problem
