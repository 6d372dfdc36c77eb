"""The flags registry (`policylint/flags.py`) is the one list: what sources set, what the README lists, what the
facts schema publishes and what rules may name all agree with it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from policylint import flags
from policylint.errors import InputError
from policylint.facts_schema import facts_schema
from policylint.fastschema import compile_schema
from policylint.rules import load_rule

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- flags: generated from policylint/flags.py by tests/test_flags.py -->", "<!-- flags: end -->"


def readme_table() -> str:
    rows = ["| flag | on | means |", "|---|---|---|"]
    rows += [f"| `{name}{'…' if name in flags.PREFIXES else ''}` | {kinds} | {meaning} |"
             for name, (kinds, meaning) in sorted(flags.FLAGS.items())]
    return "\n".join(rows)


def test_the_readme_lists_exactly_the_registry() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lost the generated flags table's markers"
    shown = text[text.index(START) + len(START):text.index(END)].strip()
    assert shown == readme_table(), "the README's flags table is stale; replace it with:\n" + readme_table()


def _string_constants(tree: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_no_source_writes_a_flag_literal_of_its_own() -> None:
    """Sources import flag names from the registry: a literal would be a flag no list has."""
    names = set(flags.FLAGS) - {flags.PUBLIC, flags.DELETED, flags.BUILTIN, flags.IMPLIED}  # also ordinary words
    for path in sorted((ROOT / "policylint").rglob("*.py")):
        if path.name == "flags.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
                      and isinstance(n.body[0], ast.Expr)}
        literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    and id(n) not in docstrings}
        assert not literals & names, f"{path.relative_to(ROOT)} spells flags {sorted(literals & names)}"


def test_every_registered_flag_is_set_by_some_source() -> None:
    """The registry lists no flag that nothing sets (the README once did)."""
    used: set[str] = set()
    for path in (ROOT / "policylint").rglob("*.py"):
        if path.name != "flags.py":
            used |= set(re.findall(r"\b[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
    constants = {name: value for name, value in vars(flags).items() if name.isupper() and isinstance(value, str)}
    unused = sorted(value for name, value in constants.items() if name not in used)
    assert unused == [], f"flags registered but set by no source: {unused}"


def test_the_facts_schema_publishes_the_registry_as_an_enum() -> None:
    items = facts_schema("principal")["properties"]["flags"]["items"]
    check = compile_schema(facts_schema("principal")["properties"]["flags"])
    assert set(items["anyOf"][0]["enum"]) == set(flags.FLAGS) - flags.PREFIXES
    assert check(["aws-root", "k8s-label:app=web"]) and not check(["aws_root"]) and not check(["k8s-label:"])


@pytest.mark.parametrize(("match", "hint"), [
    ("{properties: {flags: {contains: {const: aws_root}}}}", "did you mean 'aws-root'"),
    ("{properties: {principal_flags: {contains: {enum: [builtin, k8s-cluster-admn]}}}}", "k8s-cluster-admin"),
    ("{properties: {assumes: {items: {properties: {flags: {not: {contains: {const: gcp-basic}}}}}}}}", "gcp-basic"),
])
def test_a_rule_naming_an_unknown_flag_fails_to_load(tmp_path: Path, match: str, hint: str) -> None:
    rule = tmp_path / "X001.yaml"
    rule.write_text(f"id: X001\ntitle: t\nseverity: low\nsubject: principal\nmatch: {match}\nmessage: m\n"
                    "rationale: r\nremediation: r\nreferences: [x]\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_rule(rule)
    assert "expected a flag some source sets" in str(error.value) and hint in str(error.value)
    assert str(error.value).startswith(f"{rule}:5:")


def test_prefix_flags_and_known_flags_load(tmp_path: Path) -> None:
    rule = tmp_path / "X002.yaml"
    rule.write_text("id: X002\ntitle: t\nseverity: low\nsubject: role\nmatch: {properties: {flags: {contains: "
                    "{enum: [k8s-label:app=web, k8s-cluster-admin]}}}}\nmessage: m\nrationale: r\nremediation: r\n"
                    "references: [x]\n", encoding="utf-8")
    assert load_rule(rule).id == "X002"
