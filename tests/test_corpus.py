"""Every real file of the vendored corpus (tests/corpus) loads: without error, or, when it holds no access-control
data of its own, with one clear reason. Never a traceback, file by file and all at once. Every file says where it
comes from and under which license."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.inventory import load_paths

from helpers import CORPUS, run_cli

# One folder per format; SOURCES.md and LICENSES/ say where the files come from and under which terms.
# Terraform's folders are modules, not files: tests/sources/test_terraform_corpus.py and test_terraform_example.py
# check them folder by folder, with their own SOURCES.md and licences.
TERRAFORM = {"terraform", "terraform-plans-generated", "terraform-example"}
FORMATS = sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name != "LICENSES" and p.name not in TERRAFORM)
FILES = sorted(p for folder in FORMATS for p in folder.rglob("*") if p.is_file())
# Files that are not inventories on their own, and the reason policylint gives for each.
NO_INVENTORY = {
}
# Files that load without error and hold nothing policylint models.
EMPTY = {
    "aws-cloudformation-templates__example_usage_update_kms_policy.yaml",  # only a Custom:: resource and a Lambda
}


def test_the_corpus_is_there() -> None:
    assert len(FILES) >= 48, f"expected the vendored corpus at {CORPUS}"


def test_each_corpus_file_has_its_source_and_license_text() -> None:
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    rows = {line.split("`")[1]: line.split("|")[6].strip() for line in sources.splitlines() if line.startswith("| `")}
    assert sorted(rows) == sorted(p.relative_to(CORPUS).as_posix() for p in FILES)
    texts = {"Apache-2.0": "Apache-2.0.txt", "BSD-3-Clause": "BSD-3-Clause.salesforce-cloudsplaining.txt"}
    assert {name for name in rows.values() if name in texts} == set(texts)
    for license_name, text in texts.items():
        assert (CORPUS / "LICENSES" / text).is_file(), license_name
    assert set(rows.values()) - set(texts) == {"CC0 / project's own"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_corpus_file_loads(path: Path) -> None:
    loaded = load_paths([str(path)])
    messages = [str(e) for e in loaded.errors]
    reason = NO_INVENTORY.get(path.parent.name)
    if reason is None:
        assert messages == []
        assert bool(loaded.inventory.nodes()) != (path.name in EMPTY), f"{path.name}: nodes or not, unexpectedly"
    else:
        assert len(messages) == 1 and reason in messages[0], messages


# Folders whose files describe the same identities several times (dumps of the same AWS accounts; the RFC 7643
# examples, all of user bjensen): read together, their ids collide, as two rosters naming one person would.
SAME_ACCOUNTS = {"aws-authz-details", "scim"}


@pytest.mark.parametrize("folder", [p.name for p in FORMATS])
def test_each_format_folder_checks_as_a_whole(folder: str) -> None:
    if folder in NO_INVENTORY or folder in SAME_ACCOUNTS:
        pytest.skip(f"{folder}: not one inventory (see NO_INVENTORY, SAME_ACCOUNTS)")
    for command in ("check", "reach"):
        result = run_cli(command, str(CORPUS / folder), "--as-of", "2026-01-01")
        assert result.code in (0, 1), result.out[-3000:] + result.err
        assert "Traceback" not in result.err


def test_all_formats_check_together_without_a_traceback() -> None:
    folders = [str(p) for p in FORMATS if p.name not in NO_INVENTORY]
    result = run_cli("check", *folders, "--as-of", "2026-01-01")
    assert result.code != 3 and "Traceback" not in result.err
    errors = [line for line in result.out.splitlines() if ": error: " in line]
    assert all("expected each id once in the inventory" in line and any(f in line for f in SAME_ACCOUNTS)
               for line in errors), errors
