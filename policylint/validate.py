"""JSON Schema validation of loaded YAML, with errors a person can act on: located, "expected … found …".

Used for inventories and rule files alike. Validators are built once per schema and cached.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from policylint.errors import InputError, found
from policylint.fastschema import Check, compile_schema
from policylint.model import Location
from policylint.redact import redact
from policylint.yamlsafe import locate

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError


@cache
def packaged_schema(name: str) -> dict[str, Any]:
    """One of the JSON Schemas shipped in `policylint/schemas/`."""
    text = resources.files("policylint.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def validator_for(name: str) -> Draft202012Validator:
    """`jsonschema`'s validator, for the messages of a document that fails `check_for` (imported then only)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(packaged_schema(name))


@cache
def check_for(name: str) -> Check:
    return compile_schema(packaged_schema(name))


def schema_errors(name: str, document: Any, path: str) -> list[tuple[InputError, tuple[Any, ...]]]:
    """Every violation of packaged schema `name` as (located error, path of the offending value), in order."""
    if check_for(name)(document):  # the fast, common case; messages come from jsonschema only when needed
        return []
    validator = validator_for(name)
    found = []
    for error in validator.iter_errors(document):
        for leaf in _leaves(error):
            found.append((_located(leaf, document, path), tuple(leaf.absolute_path)))
    found.sort(key=lambda pair: (pair[0].location.line, pair[0].location.column))
    return found


def _leaves(error: ValidationError) -> list[ValidationError]:
    """For anyOf/oneOf, report the alternative that got furthest, or the one of the value's own type."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        deepest = max(len(e.absolute_path) for e in error.context)
        best = [e for e in error.context if len(e.absolute_path) == deepest]
        if deepest == len(error.absolute_path):
            best = [e for e in best if e.validator != "type"]
        if len(best) >= 1 and (deepest > len(error.absolute_path) or len(best) == 1):
            return _leaves(best[0])
    return [error]


def _located(error: ValidationError, document: Any, path: str) -> InputError:
    where = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(_schema_of(error).get("properties", {}))
        extras = [k for k in error.instance if k not in allowed]
        key = extras[0] if extras else None
        line, column = locate(document, [*where, key], key=True) if key is not None else locate(document, where)
        hint = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; expected one of: {', '.join(allowed)}"
        shown = redact(str(key))
        return InputError(Location(path, line, column), f"unknown key {shown!r}{_context(where)}{suggestion}")
    line, column = locate(document, where)
    return InputError(Location(path, line, column), f"{_describe(error)}{_context(where)}")


def _schema_of(error: ValidationError) -> dict[str, Any]:
    return dict(error.schema) if isinstance(error.schema, Mapping) else {}


def _context(where: list[Any]) -> str:
    if not where:
        return ""
    shown = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in where)
    return f" (at {shown.lstrip('.')})"


def _describe(error: ValidationError) -> str:
    shown = found(error.instance)
    schema, kind = _schema_of(error), error.validator
    if kind == "type":
        return f"expected {_types(error.validator_value)}, found {shown}"
    if kind == "enum":
        allowed: list[Any] = list(error.validator_value)  # type: ignore[arg-type]
        return f"expected one of {', '.join(map(_literal, allowed))}, found {shown}"
    if kind == "const":
        return f"expected {_literal(error.validator_value)}, found {shown}"
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a key"
        return f"expected the key {missing!r}, found a mapping without it"
    if kind == "pattern":
        described = schema.get("description")
        return f"expected {described or 'a value matching ' + repr(error.validator_value)}, found {shown}"
    if kind == "uniqueItems":
        return f"expected each item once, found a repeated item in {shown}"
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems", "minLength"):
        return f"expected {kind} {error.validator_value}, found {shown}"
    if kind == "minProperties":
        described = schema.get("description")
        return f"expected {described or f'at least {error.validator_value} keys'}, found {shown}"
    if kind in ("anyOf", "oneOf"):
        described = schema.get("description")
        return f"expected {described or 'one of the allowed forms (see `policylint schema`)'}, found {shown}"
    # error.message repeats the value unredacted: say it in our own words
    return f"expected a value that satisfies {kind} {_literal(error.validator_value)}, found {shown}"


def _types(value: Any) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
             "number": "a number", "boolean": "true or false", "null": "null"}
    listed = [value] if isinstance(value, str) else list(value)
    return " or ".join(names.get(v, v) for v in listed)


def _literal(value: Any) -> str:
    return "null" if value is None else repr(value)

