"""Rules are data: YAML files validated against a meta-schema, whose `match` is a JSON Schema over facts.

Built-in rules live in the top-level `policies/` folder (shipped inside the wheel as `policylint/policies`);
user folders given with --policies load exactly the same way. Validators are compiled once, here.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from policylint import __version__, flags
from policylint.errors import InputError, InputErrors, file_error, found
from policylint.facts_schema import facts_schema
from policylint.fastschema import RE2, Check, compile_schema, formats_but_regex, re2_problem
from policylint.model import NODE_KINDS, Location
from policylint.usercache import user_cache
from policylint.validate import schema_errors
from policylint.walk import Candidate, read
from policylint.yamlsafe import YMap, decode, load_one, locate

SEVERITIES = ("critical", "high", "medium", "low", "info")  # most severe first
LOCAL_REF = re.compile(r"#/\$defs/[A-Za-z0-9_-]+")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\}")  # k8s_label, as facts spell flags


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
    rules, errors = _load_rules(tuple(str(folder) for folder in folders), _signature(folders))
    return list(rules), list(errors)


def _signature(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """What a cached read of the folders stands for: where they are and each rule file's size and time (another
    working directory, or an edited rule, is read again)."""
    found = []
    for folder in folders:
        try:
            for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
                status = path.stat()
                found.append((str(path.resolve()), status.st_mtime_ns, status.st_size))
        except OSError:
            found.append((str(folder), -1, -1))
    return (*((os.path.abspath(folder), 0, 0) for folder in folders), *found)


@cache
def _load_rules(names: tuple[str, ...], signature: tuple[tuple[str, int, int], ...]
                ) -> tuple[tuple[Rule, ...], tuple[InputError, ...]]:
    """`signature` (`_signature`) is only part of the cache's key."""
    folders = [Path(name) for name in names]
    rules: dict[str, Rule] = {}
    errors: list[InputError] = []
    for folder in folders:
        if not folder.is_dir():
            found = "a file" if folder.exists() else "no such folder"
            errors.append(file_error(str(folder), f"expected a folder of rule files, found {found}"))
            continue
        paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        marker = _validated_marker(paths) if folder == builtin_policies() else None
        validated = marker is not None and marker.exists()
        before = len(errors)
        for path in paths:
            try:
                rule = load_rule(path, validated=validated)
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
        if marker is not None and not validated and len(errors) == before:
            _mark(marker)
    return tuple(rules[i] for i in sorted(rules)), tuple(errors)


def _validated_marker(paths: list[Path]) -> Path | None:
    """Where this installed version records that its built-in rules, byte for byte as they are now, passed every
    check: they are then validated once per installed version, not on every run (the meta-schema checks were a third
    of a one-file pre-commit run). Keyed by the files' contents, so an edited rule file is checked again; None
    when the rule files cannot be read or there is no cache of the user's own (the rules are then validated, and
    their errors reported, as usual)."""
    digest = hashlib.sha256(__version__.encode())
    try:
        for path in paths:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    folder = user_cache()
    return None if folder is None else folder / f"rules-validated-{digest.hexdigest()[:32]}"


def _mark(marker: Path) -> None:
    """Written atomically (a concurrent run sees it whole or not at all); a cache that cannot be written costs
    time, never a check."""
    try:
        handle, temporary = tempfile.mkstemp(dir=marker.parent, prefix=".rules-")
        os.close(handle)
        os.replace(temporary, marker)
    except OSError:
        return


RULE_MAX_BYTES = 1024 * 1024  # a rule is a page of YAML; a rule file past this is an error, not read


def load_rule(path: Path, *, validated: bool = False) -> Rule:
    """`validated`: the file is byte for byte a built-in rule this installed version has validated before
    (`_validated_marker`), so the meta-schema checks are not run again; it is still read and compiled."""
    name = str(path)
    data = read(Candidate(name, True, Path(os.path.realpath(path.parent))), RULE_MAX_BYTES,
                "the most a rule file may hold")
    if isinstance(data, InputError):  # a link out of its folder, a device, a FIFO, a file far too big for a rule
        raise data
    document = load_one(decode(data, name), name)
    if not isinstance(document, YMap):
        raise InputError(Location(name, 1, 1), "expected a rule: a mapping with id, title, severity, subject, match…")
    if not validated:
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
        matches=_compiled(document, name),
    )


def _compiled(document: YMap, name: str) -> Check:
    try:
        return compile_schema(document["match"], RE2)
    except RecursionError:  # a long chain of $refs, each into a property: finite, but deeper than Python's stack
        raise InputError(Location(name, *document.value_pos["match"]),
                         "expected a match schema that compiles, found one nested too deeply (through its $refs)"
                         " to compile") from None


def _check_match(document: YMap, name: str) -> None:
    """A match that cannot run as written is this rule's located error: the other rules still run. `jsonschema` is
    imported here, once a rule file needs checking: not for built-in rules validated before (`_validated_marker`)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    for where, key in _unnamed_keys(document["match"], ("match",)):
        line, column = locate(document, list(where), key=True)
        raise InputError(Location(name, line, column), f"expected each key of match to be text, found {found(key)}")
    try:
        Draft202012Validator.check_schema(document["match"], format_checker=formats_but_regex())
    except SchemaError as error:
        line, column = locate(document, ["match", *error.path])
        raise InputError(Location(name, line, column), f"expected a valid JSON Schema in match: {error.message}") \
            from None
    # JSON Schema ignores keywords it does not know, so a typo (`requried`) would silently never match
    problems = _vocabulary_problems(document["match"], document["match"], ("match",))
    for where, problem, key in [*problems, *_number_problems(document["match"], ("match",))]:
        line, column = locate(document, list(where), key=key)
        raise InputError(Location(name, line, column), problem)
    for where, problem in _flag_problems(document["match"], ("match",), in_flags=False):
        line, column = locate(document, list(where))
        raise InputError(Location(name, line, column), problem)
    for where, problem in _ref_problems(document["match"]):
        line, column = locate(document, ["match", *where], key=bool(where))
        raise InputError(Location(name, line, column), problem)


def _unnamed_keys(value: Any, where: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Keys YAML reads as something other than text (`1:`, `true:`, `null:`): a facts document's keys are all text,
    so a schema naming a property by a number means nothing, and nothing else may sort or hash it as text."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                yield (*where, key), key
            else:
                yield from _unnamed_keys(inner, (*where, key))
    elif isinstance(value, list):
        for number, inner in enumerate(value):
            yield from _unnamed_keys(inner, (*where, number))


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


Problem = tuple[tuple[Any, ...], str, bool]  # where, what is wrong, located at the key (else at the value)


def _vocabulary_problems(schema: Any, root: Any, where: tuple[Any, ...]) -> Iterator[Problem]:
    """Unknown keywords, references that leave the rule (rules are self-contained: `#/$defs/NAME` only), and
    patterns RE2 cannot run."""
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        here = (*where, key)
        if key not in KEYWORDS:
            hint = difflib.get_close_matches(str(key), sorted(KEYWORDS), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            yield here, f"unknown JSON Schema keyword {key!r} in match{suggestion}", True
        elif key == "$ref" and not (isinstance(value, str) and LOCAL_REF.fullmatch(value)
                                    and value[len("#/$defs/"):] in (root.get("$defs") or {})):
            yield (here, f"expected $ref to name a definition in this rule's $defs ('#/$defs/NAME'), found {value!r}",
                   True)
        elif key == "pattern" and isinstance(value, str) and (problem := re2_problem(value)) is not None:
            yield here, _pattern_message(value, problem), False
        elif key == "unevaluatedProperties" and _uses_pattern_properties(root):
            yield (here, "expected additionalProperties beside patternProperties, found unevaluatedProperties "
                         "(it would search the patterns with a backtracking engine)", True)
        elif key in SCHEMA_MAPS and isinstance(value, dict):
            for sub_key, sub in value.items():
                if key == "patternProperties" and (problem := re2_problem(str(sub_key))) is not None:
                    yield (*here, sub_key), _pattern_message(str(sub_key), problem), True
                yield from _vocabulary_problems(sub, root, (*here, sub_key))
        elif key in SCHEMA_LISTS and isinstance(value, list):
            for index, sub in enumerate(value):
                yield from _vocabulary_problems(sub, root, (*here, index))
        elif key in SCHEMA_ONE:
            yield from _vocabulary_problems(value, root, here)


def _flag_problems(schema: Any, where: tuple[Any, ...], in_flags: bool) -> Iterator[tuple[tuple[Any, ...], str]]:
    """A flag named (`const`, `enum`) under a facts field of flags (`flags`, `principal_flags`) that no source sets:
    a typo such as `aws_root` would never match."""
    if isinstance(schema, list):
        for index, sub in enumerate(schema):
            yield from _flag_problems(sub, (*where, index), in_flags)
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        here = (*where, key)
        if in_flags and key in ("const", "enum"):
            for index, flag in enumerate(value if key == "enum" and isinstance(value, list) else [value]):
                if isinstance(flag, str) and not flags.is_known(flag):
                    hint = difflib.get_close_matches(flag, sorted(flags.FLAGS), n=1)
                    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                    yield ((*here, index) if key == "enum" else here,
                           f"expected a flag some source sets (policylint/flags.py), found {found(flag)}{suggestion}")
        elif key == "properties" and isinstance(value, dict):
            for field, sub in value.items():
                yield from _flag_problems(sub, (*here, field), in_flags or str(field).endswith("flags"))
        elif key in SCHEMA_MAPS and isinstance(value, dict):
            for sub_key, sub in value.items():
                yield from _flag_problems(sub, (*here, sub_key), in_flags)
        elif key in SCHEMA_LISTS or key in SCHEMA_ONE:
            yield from _flag_problems(value, here, in_flags)


def _pattern_message(pattern: str, problem: str) -> str:
    return (f"expected a regular expression RE2 runs (linear time: no lookaround, no backreferences, repetitions up "
            f"to 1000), found {found(pattern)} ({problem})")


def _uses_pattern_properties(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "patternProperties" in schema or any(_uses_pattern_properties(v) for v in schema.values())
    return isinstance(schema, list) and any(_uses_pattern_properties(v) for v in schema)


def _number_problems(value: Any, where: tuple[Any, ...]) -> Iterator[Problem]:
    """JSON has no NaN or infinity (`.nan`, `.inf` in YAML); `multipleOf: .nan` would crash the check itself."""
    if isinstance(value, float) and not math.isfinite(value):
        yield where, f"expected a finite number in match, found {value}", False
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _number_problems(sub, (*where, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _number_problems(sub, (*where, index))


# Schemas applied to the same value as the one holding them; every other subschema descends into a part of it.
SAME_VALUE_ONE = ("not", "if", "then", "else")
SAME_VALUE_LISTS = ("allOf", "anyOf", "oneOf")
MAX_SAME_VALUE_DEPTH = 32  # subschemas applied to one value, $refs followed: built-in rules need 2


def _same_value(schema: Any) -> list[Any]:
    if not isinstance(schema, dict):
        return []
    subs = [schema[key] for key in SAME_VALUE_ONE if key in schema]
    subs += [sub for key in SAME_VALUE_LISTS if isinstance(schema.get(key), list) for sub in schema[key]]
    dependent = schema.get("dependentSchemas")
    return subs + list(dependent.values()) if isinstance(dependent, dict) else subs


def _refs(schema: Any) -> set[str]:
    """The definitions `schema` applies to the value it checks itself (not to a property or an item of it)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    found = {ref[len("#/$defs/"):]} if isinstance(ref, str) else set()
    for sub in _same_value(schema):
        found |= _refs(sub)
    return found


def _depth(schema: Any, ref_depth: dict[str, int]) -> int:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    below = [ref_depth[ref[len("#/$defs/"):]]] if isinstance(ref, str) else []
    return 1 + max([*below, *(_depth(sub, ref_depth) for sub in _same_value(schema))], default=0)


def _ref_problems(match: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """A $ref cycle that never moves to a property or an item recurses for ever; a long chain of $refs on one
    value overflows the stack. Definitions are settled in dependency order (no recursion over the chain)."""
    defs: dict[str, Any] = match.get("$defs") or {}
    waiting = {name: _refs(schema) for name, schema in defs.items()}
    users: dict[str, list[str]] = {}
    for name, targets in waiting.items():
        for target in targets:
            users.setdefault(target, []).append(name)
    ready = [name for name, targets in waiting.items() if not targets]
    depth: dict[str, int] = {}
    while ready:
        name = ready.pop()
        depth[name] = _depth(defs[name], depth)
        for user in users.get(name, ()):
            waiting[user].discard(name)
            if not waiting[user]:
                ready.append(user)
    stuck = [name for name in defs if name not in depth]
    if stuck:  # each waits on another stuck one: follow them round to a cycle
        cycle = [stuck[0]]
        while (step := min(waiting[cycle[-1]])) not in cycle:
            cycle.append(step)
        shown = " → ".join([*cycle[cycle.index(step):], step])
        yield (("$defs", step), f"expected a $ref to reach a property or an item before it comes back to the same "
                                f"definition, found the cycle {shown}, which never ends")
        return
    for where, schema in [*((("$defs", name), defs[name]) for name in defs), ((), match)]:
        if _depth(schema, depth) > MAX_SAME_VALUE_DEPTH:
            yield (where, f"expected at most {MAX_SAME_VALUE_DEPTH} schemas applied to one value ($refs followed), "
                          f"found more")
            return


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
