"""Detection is the registry's decision: every real file of the repository (the vendored corpus, the source, rule and
reporter fixtures, the examples) is claimed by exactly one source, whatever the order of SOURCES."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policylint.sources import claimants
from policylint.yamlsafe import decode

from helpers import REPO, write

FOLDERS = ("tests/corpus", "tests/sources/fixtures", "tests/rules", "tests/reporters/fixtures", "examples")
# Files no source claims, and why that is right.
NOT_INVENTORY = {
    "README.md": "documentation",
    "SOURCES.md": "where the corpus files come from",
    "expected.txt": "a rule fixture's expected findings",
    "ACME001.yaml": "a rule of the reporter tests' own policy folder, read by --policies",
    "make_state.py": "the script that made the Terraform example's state, to plan it offline",
}
NOT_INVENTORY_FOLDERS = {"LICENSES": "the corpus files' licences and notices"}
FILES = sorted(p.relative_to(REPO).as_posix() for folder in FOLDERS for p in (REPO / folder).rglob("*") if p.is_file())


def test_every_folder_is_there() -> None:
    assert [folder for folder in FOLDERS if not (REPO / folder).is_dir()] == []


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_claimed_by_exactly_one_source(name: str) -> None:
    path = REPO / name
    claimed = claimants(name, decode(path.read_bytes(), name))
    if path.name in NOT_INVENTORY or NOT_INVENTORY_FOLDERS.keys() & set(path.parts):
        assert claimed == []
    else:
        assert len(claimed) == 1, claimed



def test_the_terraform_reader_is_imported_only_when_a_file_needs_it(tmp_path: Path) -> None:
    """Start-up: the grammar, the evaluator and the plan translation were a third of it, on every run, Terraform
    or not."""
    probe = ("import sys, policylint.cli\n"
             "from policylint.cli import main\n"
             "code = main(['check', sys.argv[1], '--as-of', '2026-01-01'])\n"
             "print(code, 'policylint.sources.terraform.hcl' in sys.modules, 'lark' in sys.modules,\n"
             "      'policylint.sources.terraform.plan' in sys.modules)\n")
    native = write(tmp_path / "native", "org.yaml", "policylint: 1\npeople:\n  - {id: kim, status: active}\n")
    terraform = write(tmp_path / "tf", "main.tf", 'resource "aws_iam_user" "kim" {\n  name = "kim"\n}\n')
    for folder, imported in ((native.parent, "False False False"), (terraform.parent, "True True True")):
        shown = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[-1]
        assert shown.split(" ", 1)[1] == imported, shown
