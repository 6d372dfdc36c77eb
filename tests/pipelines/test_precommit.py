"""The real `pre-commit` tool, from PyPI, running this repository's hook in a temporary git repository.

The hook repository is a snapshot of this working tree's hook definition and package, committed, so the test checks
the hook as it is now, not as it was at the last commit; it is copied without git, so the test runs as well in a copy
of the tree or an unpacked sdist, which have no `.git`. pre-commit builds the hook's environment with pip, from the
package registry (cached in a temporary PRE_COMMIT_HOME for the session). pre-commit is the one installed beside the
Python running the tests: the README runs `.venv/bin/pytest` without activating the venv, so PATH has no `.venv/bin`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO, write
from org import ACCESS, HOOK_CREDENTIALS, HOOK_KEYS, HOOK_PEOPLE, PEOPLE, SECOND_KEY, make_hook_org

COMMIT = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m"]
# the hook's definition, and what pip needs to build the package it installs
HOOK_FILES = (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "LICENSE", "policylint", "policies")


def pre_commit() -> list[str]:
    """The pre-commit command installed with this Python (its script beside it, else its module), never from PATH."""
    script = Path(sys.executable).parent / "pre-commit"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pre_commit"]


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, check=check, capture_output=True, text=True,
                          env={**os.environ, "PRE_COMMIT_COLOR": "never"})


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree's hook and package as a git repository of its own, committed."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in HOOK_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, snapshot / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, snapshot / name)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, *COMMIT, "snapshot")
    return snapshot, git(snapshot, "rev-parse", "HEAD").stdout.strip()


def installed(folder: Path, hook_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory,
              monkeypatch: pytest.MonkeyPatch, write_inventory: Callable[[Path], object]) -> Path:
    """The hook installed as the README says, on an inventory `write_inventory` writes, committed."""
    if importlib.util.find_spec("pre_commit") is None:
        pytest.fail("pre-commit is not installed: `pip install '.[test]'` installs it")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path_factory.getbasetemp() / "pre-commit-cache"))
    repo_path, rev = hook_repo
    write(folder, ".pre-commit-config.yaml", f"""
        repos:
          - repo: {repo_path}
            rev: {rev}
            hooks:
              - id: policylint
    """)
    write_inventory(folder)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, *COMMIT, "clean inventory")
    subprocess.run([*pre_commit(), "install"], cwd=folder, check=True, capture_output=True)
    return folder


def _clean_inventory(folder: Path) -> None:
    write(folder, ".policylint.yaml", "paths: [inventory]\nfail-on: critical\n")
    write(folder, "inventory/people.yaml", PEOPLE)
    write(folder, "inventory/access.yaml", ACCESS.replace("holders: [kim.jh]", "holders: [lee.sy]"))
    write(folder, "README.md", "infra\n")


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    return installed(tmp_path, hook_repo, tmp_path_factory, monkeypatch, _clean_inventory)


# pre-commit builds a venv and installs the hook with pip, then git runs it on every commit: seconds, not milliseconds.
@pytest.mark.slow
def test_a_commit_giving_a_departed_person_a_key_is_rejected_and_the_fix_passes(project: Path) -> None:
    write(project, "inventory/access.yaml", ACCESS)  # holders: [kim.jh], who left in 2025
    git(project, "add", "-A")
    rejected = git(project, *COMMIT, "give kim the sync key", check=False)
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, output
    assert "inventory/access.yaml:8:5: CRITICAL PL101 access_key ak-7731 is active but held by kim.jh" in output
    assert git(project, "rev-list", "--count", "HEAD").stdout.strip() == "1"  # nothing was committed

    write(project, "inventory/access.yaml", ACCESS.replace("holders: [kim.jh]", "holders: [lee.sy, park.mj]"))
    git(project, "add", "-A")
    accepted = git(project, *COMMIT, "sync key to lee and park", check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(project, "rev-list", "--count", "HEAD").stdout.strip() == "2"


@pytest.mark.slow
def test_a_change_to_another_file_that_opens_the_path_is_reported_too(project: Path) -> None:
    """The finding is located in access.yaml, but the changed people.yaml lies on its evidence path."""
    write(project, "inventory/access.yaml", ACCESS.replace("holders: [kim.jh]", "holders: [auth-platform]"))
    git(project, "add", "-A")
    git(project, "-c", "core.hooksPath=/dev/null", *COMMIT, "group holds the key")  # no hook for this setup step
    write(project, "inventory/people.yaml", PEOPLE.replace("members: [lee.sy]", "members: [lee.sy, kim.jh]"))
    git(project, "add", "-A")
    rejected = git(project, *COMMIT, "kim back in the group", check=False)
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, output
    assert "inventory/access.yaml:8:5: CRITICAL PL101" in output


@pytest.mark.parametrize("path", ["", "/usr/bin:/bin"], ids=["no PATH", "system PATH"])
def test_pre_commit_is_found_beside_the_python_running_the_tests_without_path(
        path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", path)
    done = subprocess.run([*pre_commit(), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("pre-commit "), done.stdout + done.stderr


@pytest.fixture
def hook_org(tmp_path: Path, hook_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory,
             monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hook on a clean organisation whose problems land in files a commit does not touch (default fail-on)."""
    return installed(tmp_path, hook_repo, tmp_path_factory, monkeypatch, make_hook_org)


def _commit(repo: Path, message: str) -> tuple[bool, str]:
    done = git(repo, *COMMIT, message, check=False)
    return done.returncode == 0, done.stdout + done.stderr


def _problem_second_key(repo: Path) -> None:
    (repo / "inv/credentials.yaml").write_text(HOOK_CREDENTIALS.lstrip() + SECOND_KEY)
    git(repo, "add", "-A")


def _problem_leaver_reads_the_key(repo: Path) -> None:
    write(repo, "inv/keys.yaml", HOOK_KEYS.replace("readable_by: [auth-platform]",
                                                   "readable_by: [auth-platform, kim-console]"))
    git(repo, "add", "-A")


def _problem_file_deleted(repo: Path) -> None:
    git(repo, "rm", "-q", "inv/services.yaml")


@pytest.mark.slow
@pytest.mark.parametrize(("change", "expected"), [
    (_problem_second_key, "inv/services.yaml:3:5: LOW PL106 order-sync has 2 active access keys"),
    (_problem_leaver_reads_the_key, "inv/people.yaml:3:5: HIGH PL102 kim.jh is departed but still named in "
                                    "readable_by of auth-jwt-signing via kim-console"),
    (_problem_file_deleted, "inv/credentials.yaml:3:5: MEDIUM PL001 credential ak-1 refers to names that are not "
                            "defined (or are the wrong kind): principal: order-sync (defined nowhere)"),
], ids=["second active key", "a leaver's account reads the signing key", "a file others name is deleted"])
def test_commits_whose_finding_lands_in_another_file_are_blocked(hook_org: Path, change: Any, expected: str) -> None:
    change(hook_org)
    accepted, output = _commit(hook_org, "the change")
    assert not accepted, output
    assert expected in output
    assert git(hook_org, "rev-list", "--count", "HEAD").stdout.strip() == "1"


@pytest.mark.slow
def test_a_harmless_commit_passes_and_a_second_one_reads_head_from_the_cache(hook_org: Path) -> None:
    write(hook_org, "inv/people.yaml", HOOK_PEOPLE + "  - {id: data-eng, members: [lee.sy]}\n")
    git(hook_org, "add", "-A")
    accepted, output = _commit(hook_org, "a new group")
    assert accepted, output
    write(hook_org, "docs.md", "notes\n")
    git(hook_org, "add", "-A")
    accepted, output = _commit(hook_org, "docs only")  # the hook still runs: always_run
    assert accepted and "policylint" in output and "Passed" in output, output
    assert list((hook_org / ".git/policylint").glob("base-*.json"))
