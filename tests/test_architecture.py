"""The pipeline's shape, checked: a stage imports only earlier stages; nothing below the CLI prints or exits."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "policylint"
STAGES = [
    {"model", "flags", "errors", "redact", "fastschema", "suggest", "csvsafe", "usercache", "jsonout"},
    {"yamlsafe", "validate", "gitrev", "walk"},
    {"config"},
    {"iam"},
    {"sources"},
    {"fragcodec", "fragcache", "readpool", "inventory"},
    {"join"},
    {"graph"},
    {"reach"},
    {"facts", "facts_schema"},
    {"rules"},
    {"evidence"},
    {"findings", "nodedigest"},
    {"suppress"},
    {"settings", "report"},
    {"pipeline", "basecache"},
    {"diffbase"},
    {"diffcached"},
    {"exposure", "diff", "graphout", "audit"},
    {"reporters", "output"},
    {"cli", "__main__", "progress"},
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}
MODULES = sorted(p for p in PACKAGE.rglob("*.py")
                 if (p.name != "__init__.py" or p.parent != PACKAGE) and p.parent.name != "schemas")


def stage_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def imported_stages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("policylint."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("policylint."))
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_stage_imports_only_earlier_stages(path: Path) -> None:
    stage = stage_of(path)
    assert stage in RANK, f"{stage} is not placed in the pipeline (tests/test_architecture.py STAGES)"
    later = {s for s in imported_stages(path) if RANK[s] > RANK[stage]}
    assert later == set(), f"{path.name} imports later stages {later}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_below_the_cli_prints_or_exits(path: Path) -> None:
    if stage_of(path) in ("cli", "__main__"):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    attributes = {f"{n.value.id}.{n.attr}" for n in ast.walk(tree)
                  if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
    assert "print" not in calls
    assert "sys.exit" not in attributes


def test_yaml_is_only_read_through_the_safe_loader() -> None:
    for path in MODULES:
        calls = {ast.unparse(n.func) for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(n, ast.Call)}
        assert not calls & {"yaml.load", "yaml.unsafe_load", "yaml.full_load", "yaml.load_all"}, path
