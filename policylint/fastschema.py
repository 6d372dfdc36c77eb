r"""A JSON Schema (2020-12) validity check compiled to Python closures, for the hot paths.

The `jsonschema` package builds a validator object per subschema per instance, which made schema checks the
largest cost of a run (hundreds of thousands of small documents). This compiles a schema once into nested
closures for the keywords policylint's schemas and rules use. A schema with any other keyword is handed whole to
`jsonschema` instead, so the answer is always the standard one; `tests/test_fastschema.py` checks the two agree on
random schemas and documents. Nothing is generated as source or executed: closures only.

Only validity is answered here; error messages always come from `jsonschema` (see validate.py).

Patterns run on one of two engines. Python's `re` backtracks (`^(a+)+$` on 40 characters runs for hours), so
rules, which anyone can write, run on RE2 (linear time, no lookaround or backreferences): `RE2` compiles their
`pattern` and `patternProperties`, and its jsonschema validator class agrees. Built-in schemas, whose patterns are
ours and written to run in linear time on `re`, keep `PYTHON_RE` (they use `(?![\s\S])` for "end of text").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

if TYPE_CHECKING:
    from jsonschema import FormatChecker, ValidationError

Check = Callable[[Any], bool]
Search = Callable[[str], bool]  # a compiled pattern: does it occur in this text?


@dataclass(frozen=True, slots=True)
class Engine:
    """Where `pattern` and `patternProperties` are searched, and the jsonschema validator class that agrees."""

    search: Callable[[str], Search]
    # the jsonschema validator class (Draft 2020-12), made when first asked for: importing `jsonschema` takes about
    # 50 ms, and a run whose schemas all compile here (every built-in one) never needs it
    validator_class: Callable[[], Any]

    @property
    def validator(self) -> Any:
        return self.validator_class()

ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples", "format",
                         "deprecated", "readOnly", "writeOnly", "$defs", "definitions"})
SUPPORTED = frozenset({"type", "const", "enum", "properties", "required", "additionalProperties", "items",
                       "contains", "minItems", "maxItems", "uniqueItems", "minimum", "maximum", "exclusiveMinimum",
                       "exclusiveMaximum", "minLength", "maxLength", "pattern", "anyOf", "allOf", "oneOf", "not",
                       "$ref", "minProperties", "maxProperties", "if", "then", "else", "patternProperties",
                       "propertyNames"})


def compile_schema(schema: Any, engine: Engine | None = None) -> Check:
    """A function telling whether an instance is valid against `schema`; patterns on `engine` (Python's `re` unless
    told: RE2 for anything a user wrote, after `re2_problem` found nothing wrong with its patterns)."""
    engine = engine or PYTHON_RE
    if _only_supported(schema, schema, top=True):
        return _Compiler(schema, engine).compile(schema)
    is_valid: Check = engine.validator(schema).is_valid
    return is_valid


_LOCAL_REF = re.compile(r"#/\$defs/[A-Za-z0-9_-]+")


def _only_supported(schema: Any, root: Any, top: bool = False) -> bool:
    """Keywords we compile; `$ref` only to a plain `#/$defs/NAME` of the root; `$id` only at the root."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping):
        return False
    for key, value in schema.items():
        if key == "$id" and not top:
            return False
        if key in ANNOTATIONS and key not in ("$defs", "definitions"):
            continue
        if key not in SUPPORTED and key not in ("$defs", "definitions"):
            return False
        if key == "$ref" and not (isinstance(value, str) and _LOCAL_REF.fullmatch(value)
                                  and value[len("#/$defs/"):] in (root.get("$defs") or {})):
            return False
        if not all(_only_supported(sub, root) for sub in _subschemas(key, value)):
            return False
    return True


def _subschemas(key: str, value: Any) -> list[Any]:
    if key in ("$defs", "definitions", "properties", "patternProperties"):
        return list(value.values())
    if key in ("anyOf", "allOf", "oneOf"):
        return list(value)
    if key in ("additionalProperties", "items", "contains", "not", "if", "then", "else"):
        return [value]
    return []


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON means it: true is not 1, 1 is 1.0, containers compare item by item."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return False
    return bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# As jsonschema's default type checker: JSON objects are dicts and arrays are lists.
TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or float(v).is_integer()),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _all_of(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> bool:
        for one in checks:
            if not one(value):
                return False
        return True

    return check


def _equal_to(expected: Any) -> Check:
    """const, with fast paths for the scalars rules use."""
    if expected is None or isinstance(expected, bool):
        return lambda v: v is expected
    if isinstance(expected, str):
        return lambda v: isinstance(v, str) and v == expected
    return lambda v: json_equal(v, expected)


def _one_of_values(options: list[Any]) -> Check:
    """enum, with a set lookup when every option is a string."""
    if options and all(isinstance(o, str) for o in options):
        strings = frozenset(options)
        return lambda v: isinstance(v, str) and v in strings
    checks = [_equal_to(o) for o in options]
    return lambda v: any(c(v) for c in checks)


def _properties(props: list[tuple[str, Check]]) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name, one in props:
            if name in value and not one(value[name]):
                return False
        return True

    return check


def _every_item(item: Check) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for x in value:
            if not item(x):
                return False
        return True

    return check


def _some_item(item: Check) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for x in value:
            if item(x):
                return True
        return False

    return check


def _pattern_properties(patterns: list[tuple[Search, Check]]) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for found, one in patterns:
            for name, item in value.items():
                if found(name) and not one(item):
                    return False
        return True

    return check


def _additional(known: frozenset[str], patterns: list[Search], extra: Check) -> Check:
    """additionalProperties beside patternProperties: the keys neither named nor matched."""
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name, item in value.items():
            if name not in known and not any(found(name) for found in patterns) and not extra(item):
                return False
        return True

    return check


class _Compiler:
    def __init__(self, root: Any, engine: Engine) -> None:
        self.root = root
        self.engine = engine
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _always
        if schema is False:
            return _never
        return _all_of([c for key, value in schema.items() if (c := self.keyword(key, value, schema)) is not None])

    def ref(self, pointer: str) -> Check:
        if pointer not in self.refs:
            self.refs[pointer] = _never  # placeholder while compiling a recursive definition
            target = self.root["$defs"][pointer[len("#/$defs/"):]]
            compiled = self.compile(target)
            self.refs[pointer] = compiled
            if compiled is not _never:
                return compiled
        return lambda v: self.refs[pointer](v)

    def keyword(self, key: str, value: Any, schema: Mapping[str, Any]) -> Check | None:
        if key in ANNOTATIONS or key in ("then", "else"):
            return None
        if key == "type":
            tests = [TYPES[n] for n in ([value] if isinstance(value, str) else value)]
            return tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests)
        if key == "const":
            return _equal_to(value)
        if key == "enum":
            return _one_of_values(list(value))
        if key == "properties":
            return _properties([(name, self.compile(sub)) for name, sub in value.items()])
        if key == "required":
            names = frozenset(value)
            return lambda v: not isinstance(v, dict) or v.keys() >= names
        if key == "patternProperties":
            return _pattern_properties([(self.engine.search(p), self.compile(s)) for p, s in value.items()])
        if key == "additionalProperties":
            known = frozenset(schema.get("properties", {}))
            patterns = [self.engine.search(p) for p in schema.get("patternProperties", {})]
            if patterns:
                return _additional(known, patterns, self.compile(value))
            if value is False:
                return lambda v: not isinstance(v, dict) or known.issuperset(v)
            extra = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(extra(v[k]) for k in v if k not in known)
        if key == "items":
            return _every_item(self.compile(value))
        if key == "propertyNames":
            each_name = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(each_name(k) for k in v)
        if key == "contains":
            return _some_item(self.compile(value))
        if key == "uniqueItems":
            return None if not value else lambda v: not isinstance(v, list) or _unique(v)
        if key in _SIZES:
            kind, measure, compare = _SIZES[key]
            return lambda v: not kind(v) or compare(measure(v), value)
        if key == "pattern":
            found = self.engine.search(value)
            return lambda v: not isinstance(v, str) or found(v)
        if key in ("anyOf", "allOf", "oneOf"):
            subs = [self.compile(s) for s in value]
            if key == "anyOf":
                return lambda v: any(s(v) for s in subs)
            if key == "allOf":
                return _all_of(subs)
            return lambda v: sum(1 for s in subs if s(v)) == 1
        if key == "not":
            inner = self.compile(value)
            return lambda v: not inner(v)
        if key == "$ref":
            return self.ref(value)
        if key == "if":
            condition = self.compile(value)
            then = self.compile(schema.get("then", True))
            otherwise = self.compile(schema.get("else", True))
            return lambda v: then(v) if condition(v) else otherwise(v)
        raise AssertionError(f"unsupported keyword {key} slipped past _only_supported")


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _unique(items: list[Any]) -> bool:
    """uniqueItems: a set of JSON-equality keys for scalars (linear); pairwise only when containers are present."""
    seen: set[tuple[str, Any]] = set()
    for item in items:
        if isinstance(item, dict | list):
            return not any(json_equal(items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items)))
        key = ("b", item) if isinstance(item, bool) else ("v", item)  # 1 and 1.0 share a key, as JSON has them
        if key in seen:
            return False
        seen.add(key)
    return True


def _numeric(v: Any) -> bool:
    return _is_number(v)


def _sequence(v: Any) -> bool:
    return isinstance(v, list)


def _string(v: Any) -> bool:
    return isinstance(v, str)


def _mapping(v: Any) -> bool:
    return isinstance(v, dict)


def _identity(v: Any) -> Any:
    return v


_SIZES: dict[str, tuple[Check, Callable[[Any], Any], Callable[[Any, Any], bool]]] = {
    "minimum": (_numeric, _identity, lambda a, b: a >= b),
    "maximum": (_numeric, _identity, lambda a, b: a <= b),
    "exclusiveMinimum": (_numeric, _identity, lambda a, b: a > b),
    "exclusiveMaximum": (_numeric, _identity, lambda a, b: a < b),
    "minItems": (_sequence, len, lambda a, b: a >= b),
    "maxItems": (_sequence, len, lambda a, b: a <= b),
    "minLength": (_string, len, lambda a, b: a >= b),
    "maxLength": (_string, len, lambda a, b: a <= b),
    "minProperties": (_mapping, len, lambda a, b: a >= b),
    "maxProperties": (_mapping, len, lambda a, b: a <= b),
}


# -- the two pattern engines -------------------------------------------------------------------------------------


@cache
def _python_search(pattern: str) -> Search:
    regex = re.compile(pattern)
    return lambda text: regex.search(text) is not None


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would write each refused pattern to stderr; the caller reports it, located
RE2_MAX_REPEAT = 1000  # RE2 refuses larger counts, and reads a count too large to parse as literal text
_REPEAT_TOKENS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\{(\d+)(?:,(\d*))?\}", re.DOTALL)  # escape, class


def re2_problem(pattern: str) -> str | None:
    """Why RE2 cannot run `pattern` as JSON Schema means it (RE2's own words), or None when it can."""
    try:
        re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else "not a regular expression"
        return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    for token in _REPEAT_TOKENS.finditer(pattern):  # escapes and classes are skipped, repetitions are checked
        if any(_too_large(count) for count in token.groups()):
            return f"invalid repetition size: {token[0]} (at most {RE2_MAX_REPEAT})"
    return None


def _too_large(count: str | None) -> bool:
    digits = (count or "").lstrip("0")
    return len(digits) > len(str(RE2_MAX_REPEAT)) or int(digits or 0) > RE2_MAX_REPEAT


@cache
def _re2_search(pattern: str) -> Search:
    regex = re2.compile(pattern, _RE2_OPTIONS)
    return lambda text: regex.search(text) is not None


def _re2_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and not _re2_search(pattern)(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _re2_pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                            schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        found = _re2_search(pattern)
        for name, value in instance.items():
            if found(name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _re2_additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    from jsonschema import ValidationError

    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = [_re2_search(p) for p in schema.get("patternProperties", {})]
    extras = [name for name in instance if name not in known and not any(found(name) for found in patterns)]
    if validator.is_type(extra, "object"):
        for name in extras:
            yield from validator.descend(instance[name], extra, path=name)
    elif extra is False and extras:
        yield ValidationError(f"Additional properties are not allowed ({', '.join(map(repr, sorted(extras)))})")


# `jsonschema` is imported by the functions below, when first needed: a run whose rules were validated before and
# whose schemas all compile to closures (every built-in one) never imports it.


@cache
def _draft() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator


@cache
def _re2_validator() -> Any:
    """Draft 2020-12 with RE2 patterns. `unevaluatedProperties` would still search `patternProperties` with `re`:
    rules.py refuses the two together."""
    from jsonschema import validators

    return validators.extend(_draft(), {  # type: ignore[no-untyped-call]
        "pattern": _re2_pattern, "patternProperties": _re2_pattern_properties,
        "additionalProperties": _re2_additional_properties,
    })


@cache
def formats_but_regex() -> FormatChecker:
    """The meta-schema's formats but `regex`: `re` would judge a rule's patterns (and overflow on `a{99999999999}`);
    the caller checks them with `re2_problem` instead, and locates each."""
    from jsonschema import FormatChecker

    return FormatChecker([name for name in FormatChecker.checkers if name != "regex"])


PYTHON_RE = Engine(_python_search, _draft)
RE2 = Engine(_re2_search, _re2_validator)
