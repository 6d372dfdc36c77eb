"""Rules are data: YAML files validated against a meta-schema, whose `match` is a JSON Schema over facts.

Built-in rules live in the top-level `policies/` folder (shipped inside the wheel as `policylint/policies`);
user folders given with --policies load exactly the same way. Validators are compiled once, here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from policylint.errors import InputError, InputErrors, file_error
from policylint.facts_schema import facts_schema
from policylint.fastschema import Check, compile_schema
from policylint.model import NODE_KINDS, Location
from policylint.validate import schema_errors
from policylint.yamlsafe import YMap, decode, load_one, locate

SEVERITIES = ("critical", "high", "medium", "low", "info")  # most severe first
LOCAL_REF = re.compile(r"#/\$defs/[A-Za-z0-9_-]+")
PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)*)\}")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: str
    subjects: tuple[str, ...]
    match: dict[str, Any]
    message: str
    rationale: str
    remediation: str
    references: tuple[str, ...]
    location: Location
    matches: Check  # the compiled `match`: facts -> is this a finding?


def builtin_policies() -> Path:
    """The built-in rule folder: inside the installed package, or beside it in a source checkout."""
    packaged = Path(__file__).parent / "policies"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "policies"


def load_rules(folders: list[Path]) -> tuple[list[Rule], list[InputError]]:
    """Every rule in the folders, sorted by id; a rule that cannot load is a located error, never skipped.
    Read once per process (a run asks several times: settings, the run, its suppressions)."""
    rules, errors = _load_rules(tuple(str(folder) for folder in folders))
    return list(rules), list(errors)


@cache
def _load_rules(names: tuple[str, ...]) -> tuple[tuple[Rule, ...], tuple[InputError, ...]]:
    folders = [Path(name) for name in names]
    rules: dict[str, Rule] = {}
    errors: list[InputError] = []
    for folder in folders:
        if not folder.is_dir():
            found = "a file" if folder.exists() else "no such folder"
            errors.append(file_error(str(folder), f"expected a folder of rule files, found {found}"))
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                rule = load_rule(path)
            except OSError as exc:
                errors.append(file_error(str(path), f"expected a readable rule file, found: {exc.strerror}"))
                continue
            except InputError as error:
                errors.append(error)
                continue
            except InputErrors as many:
                errors.extend(many.errors)
                continue
            if rule.id in rules:
                first = rules[rule.id].location
                errors.append(InputError(rule.location, f"expected each rule id once, found {rule.id} again "
                                                        f"(first defined at {first})"))
                continue
            rules[rule.id] = rule
    return tuple(rules[i] for i in sorted(rules)), tuple(errors)


def load_rule(path: Path) -> Rule:
    name = str(path)
    document = load_one(decode(path.read_bytes(), name), name)
    if not isinstance(document, YMap):
        raise InputError(Location(name, 1, 1), "expected a rule: a mapping with id, title, severity, subject, match…")
    problems = schema_errors("rule", document, name)
    if problems:
        raise InputErrors([error for error, _ in problems])
    _check_match(document, name)
    subject = document["subject"]
    subjects = NODE_KINDS if subject == "any" else (subject,) if isinstance(subject, str) else tuple(subject)
    _check_placeholders(document, subjects, name)
    return Rule(
        id=document["id"],
        title=document["title"],
        severity=document["severity"],
        subjects=subjects,
        match=document["match"],
        message=document["message"],
        rationale=document["rationale"],
        remediation=document["remediation"],
        references=tuple(document["references"]),
        location=Location(name, *document.value_pos["id"]),
        matches=compile_schema(document["match"]),
    )


def _check_match(document: YMap, name: str) -> None:
    try:
        Draft202012Validator.check_schema(document["match"])
    except SchemaError as error:
        line, column = locate(document, ["match", *error.path])
        raise InputError(Location(name, line, column), f"expected a valid JSON Schema in match: {error.message}") \
            from None
    # JSON Schema ignores keywords it does not know, so a typo (`requried`) would silently never match
    for where, problem in _vocabulary_problems(document["match"], document["match"], ("match",)):
        line, column = locate(document, list(where), key=True)
        raise InputError(Location(name, line, column), problem)


SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SCHEMA_ONE = frozenset({"not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames",
                        "unevaluatedItems", "unevaluatedProperties", "contentSchema"})
OTHER_KEYWORDS = frozenset({
    "$schema", "$ref", "$comment", "type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains",
    "minContains", "maxProperties", "minProperties", "required", "dependentRequired", "title", "description",
    "default", "deprecated", "readOnly", "writeOnly", "examples", "format", "contentEncoding", "contentMediaType",
})
KEYWORDS = SCHEMA_MAPS | SCHEMA_LISTS | SCHEMA_ONE | OTHER_KEYWORDS


def _vocabulary_problems(schema: Any, root: Any, where: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Unknown keywords, and references that leave the rule (rules are self-contained: `#/$defs/NAME` only)."""
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        here = (*where, key)
        if key not in KEYWORDS:
            hint = difflib.get_close_matches(str(key), sorted(KEYWORDS), n=1)
            yield here, f"unknown JSON Schema keyword {key!r} in match{f'; did you mean {hint[0]!r}?' if hint else ''}"
        elif key == "$ref" and not (isinstance(value, str) and LOCAL_REF.fullmatch(value)
                                    and value[len("#/$defs/"):] in (root.get("$defs") or {})):
            yield here, f"expected $ref to name a definition in this rule's $defs ('#/$defs/NAME'), found {value!r}"
        elif key in SCHEMA_MAPS and isinstance(value, dict):
            for sub_key, sub in value.items():
                yield from _vocabulary_problems(sub, root, (*here, sub_key))
        elif key in SCHEMA_LISTS and isinstance(value, list):
            for index, sub in enumerate(value):
                yield from _vocabulary_problems(sub, root, (*here, index))
        elif key in SCHEMA_ONE:
            yield from _vocabulary_problems(value, root, here)


def _check_placeholders(document: YMap, subjects: tuple[str, ...], name: str) -> None:
    """Every {placeholder} of the message must name a facts field of every subject kind."""
    for placeholder in PLACEHOLDER.findall(document["message"]):
        for kind in subjects:
            schema: dict[str, Any] | None = facts_schema(kind)
            for step in placeholder.split("."):
                schema = (schema or {}).get("properties", {}).get(step)
            if schema is None:
                line, column = document.value_pos["message"]
                raise InputError(Location(name, line, column),
                                 f"expected message placeholders to name facts of {kind}, found {{{placeholder}}}"
                                 f" (see `policylint schema facts {kind}`)")
