"""`diff`'s copy of the base out of git: a committed symbolic link is never a second copy of a file, and one that
leaves the repository is a located error and is not read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint import gitrev

from helpers import git, run_cli, write

ORG = "policylint: 1\npeople:\n  - {id: kim.jh, status: active}\n"



def commit(repo: Path) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "c")
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write(root, "org/people.yaml", ORG)
    write(root, "exports/aws/roles.yaml", "policylint: 1\nroles: [{id: r}]\n")
    git(root, "init", "-q", "-b", "main")
    return root


def exported(repo: Path, paths: list[str], tmp_path: Path) -> tuple[list[str], list[str]]:
    target = tmp_path / "copy"
    errors = gitrev.export(repo, commit(repo), [repo / p for p in paths], target)
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    return files, [str(e) for e in errors]


def test_a_link_to_an_exported_file_or_folder_is_left_out(repo: Path, tmp_path: Path) -> None:
    (repo / "org/current.yaml").symlink_to("people.yaml")
    (repo / "org/all").symlink_to(".")
    assert exported(repo, ["org"], tmp_path) == (["org/people.yaml"], [])


def test_a_link_elsewhere_in_the_repository_is_written_as_a_copy(repo: Path, tmp_path: Path) -> None:
    (repo / "org/roles.yaml").symlink_to("../exports/aws/roles.yaml")
    (repo / "org/aws").symlink_to("../exports/aws")
    assert exported(repo, ["org"], tmp_path) == (["org/aws/roles.yaml", "org/people.yaml", "org/roles.yaml"], [])


def test_a_link_out_of_the_repository_is_a_located_error_and_is_not_read(repo: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "home/.git-credentials", "https://kim:secret@github.com\n")
    (repo / "org/roster.csv").symlink_to(tmp_path / "home/.git-credentials")
    (repo / "org/zero.yaml").symlink_to("../../../dev/zero")
    (repo / "org/gone.yaml").symlink_to("nowhere.yaml")
    (repo / "org/README.md").symlink_to("../../README.md")  # not a data file: left out, as a walk skips it
    monkeypatch.chdir(repo)
    files, errors = exported(repo, ["org"], tmp_path)
    head = git(repo, "rev-parse", "HEAD").strip()[:12]
    assert files == ["org/people.yaml"]
    assert errors == [f"org/{name}:1:1: error: expected a symbolic link to a file or folder of the repository at "
                      f"{head}, found one that leads out of it or nowhere (not read)"
                      for name in ("gone.yaml", "roster.csv", "zero.yaml")]


def test_diff_reads_a_committed_link_once(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "org/current.yaml").symlink_to("people.yaml")
    commit(repo)
    monkeypatch.chdir(repo)
    result = run_cli("diff", "--base", "main", "org", "--format", "json", "--as-of", "2026-01-01")
    report = json.loads(result.out)
    assert result.code == 0, result.out
    assert report["findings"] == [] and report["notices"] == []
