"""What a user's fresh clone promises: the tests need nothing outside the repository and no tool from PATH, the
version is written once, and the license the package declares is the one shipped."""

from __future__ import annotations

import ast
import importlib.metadata
import sys
from pathlib import Path

import pytest

import policylint

from helpers import CORPUS, REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# every test module but this one, whose patterns name what the others must not
TESTS = sorted(p for p in (REPO / "tests").rglob("*.py") if CORPUS not in p.parents and p != Path(__file__).resolve())
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
RUNNERS = {"run", "Popen", "call", "check_call", "check_output"}
SYSTEM_TOOLS = {"git"}  # in /usr/bin on every machine the tests run on; anything else comes with the venv


def relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def outside_references(tree: ast.AST) -> list[str]:
    """Where a test module reaches for something a user's clone does not have."""
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr == "which") or (
                isinstance(node, ast.ImportFrom) and any(alias.name == "which" for alias in node.names)):
            found.append(f"line {node.lineno}: shutil.which looks on PATH")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                "shared/corpus" in node.value or "POLICYLINT_CORPUS" in node.value):
            found.append(f"line {node.lineno}: {node.value!r} is outside the repository")
        elif isinstance(node, ast.Attribute) and node.attr == "parent" and isinstance(node.value, ast.Name) \
                and node.value.id == "REPO":
            found.append(f"line {node.lineno}: REPO.parent is outside the repository")
        elif isinstance(node, ast.Call):
            found += tool_from_path(node)
    return found


def tool_from_path(call: ast.Call) -> list[str]:
    """A subprocess whose program is a bare name other than a system tool is looked up on PATH."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in RUNNERS and isinstance(func.value, ast.Name)
            and func.value.id == "subprocess" and call.args and isinstance(call.args[0], ast.List)
            and call.args[0].elts):
        return []
    program = call.args[0].elts[0]
    if isinstance(program, ast.Constant) and program.value not in SYSTEM_TOOLS:
        return [f"line {call.lineno}: {program.value!r} is looked up on PATH"]
    return []


@pytest.mark.parametrize("path", TESTS, ids=relative)
def test_tests_need_nothing_outside_the_repository_or_on_path(path: Path) -> None:
    assert outside_references(ast.parse(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(("case", "source", "expected"), [
    ("which", "import shutil\nshutil." "which('pre-commit')\n", ["line 2: shutil.which looks on PATH"]),
    ("which imported", "from shutil import which\n", ["line 1: shutil.which looks on PATH"]),
    ("tool on PATH", "import subprocess\nsubprocess.run(['pre-commit', 'install'])\n",
     ["line 2: 'pre-commit' is looked up on PATH"]),
    ("git", "import subprocess\nsubprocess.run(['git', 'init'])\n", []),
    ("beside python", "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'pre_commit'])\n", []),
    ("shared corpus", "x = REPO.parent / 'shared' / 'corpus'\n", ["line 1: REPO.parent is outside the repository"]),
    ("environment", "import os\nos.environ['POLICYLINT_CORPUS']\n",
     ["line 2: 'POLICYLINT_CORPUS' is outside the repository"]),
])
def test_the_outside_reference_check_sees_each_kind(case: str, source: str, expected: list[str]) -> None:
    assert outside_references(ast.parse(source)) == expected


def test_the_version_is_written_once_in_the_package() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"] == {"path": "policylint/__init__.py"}
    assert importlib.metadata.version("policylint") == policylint.__version__


def test_the_declared_license_is_the_apache_license_shipped_in_full() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("Apache License\n                           Version 2.0, January 2004")
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    assert "LICENSE" in PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
