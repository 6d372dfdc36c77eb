"""Rules are data: YAML files validated against a meta-schema, whose `match` is a JSON Schema over facts.

Built-in rules live in the top-level `policies/` folder (shipped inside the wheel as `policylint/policies`);
user folders given with --policies load exactly the same way. Validators are compiled once, here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    """Every rule in the folders, sorted by id; a rule that cannot load is a located error, never skipped."""
    rules: dict[str, Rule] = {}
    errors: list[InputError] = []
    for folder in folders:
        if not folder.is_dir():
            errors.append(file_error(str(folder), "expected a folder of rule files, found no such folder"))
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                rule = load_rule(path)
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
    return [rules[i] for i in sorted(rules)], errors


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
