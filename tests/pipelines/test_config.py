"""The configuration file, through the CLI: found by walking up, validated with located errors, overridden by
options."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers import run_cli, write
from org import make_org


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_org(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # the config is found by walking up from here
    return tmp_path


def rules_of(output: str) -> list[tuple[str, str]]:
    return [(f["rule"], f["severity"]) for f in json.loads(output)["findings"]]


def test_pyproject_table_sets_paths_select_severity_and_fail_on(repo: Path) -> None:
    write(repo, "pyproject.toml", """
        [project]
        name = "acme-infra"

        [tool.policylint]
        paths = ["org"]
        select = ["PL1"]
        fail-on = "high"

        [tool.policylint.severity]
        PL101 = "medium"
    """)
    result = run_cli("check", "--format", "json", "--as-of", "2026-01-01")
    assert rules_of(result.out) == [("PL101", "medium"), ("PL104", "medium"), ("PL105", "medium")]
    assert result.code == 0  # nothing at or above "high" once PL101 is medium
    assert run_cli("check", "--as-of", "2026-01-01", "--fail-on", "medium").code == 1  # the option wins
    overridden = run_cli("check", "--format", "json", "--as-of", "2026-01-01", "--select", "PL104")
    assert rules_of(overridden.out) == [("PL104", "medium")]


def test_dot_policylint_yaml_wins_over_pyproject_in_the_same_folder(repo: Path) -> None:
    write(repo, "pyproject.toml", '[tool.policylint]\npaths = ["nowhere"]\n')
    write(repo, ".policylint.yaml", "paths: [org]\nignore: [PL104, PL105]\n")
    result = run_cli("check", "--format", "json", "--as-of", "2026-01-01")
    assert rules_of(result.out) == [("PL101", "critical")], result.err


def test_unknown_keys_and_rule_ids_are_located_errors(repo: Path) -> None:
    write(repo, ".policylint.yaml", "paths: [org]\nfail_on: high\n")
    result = run_cli("check")
    assert result.code == 2
    assert f"{repo / '.policylint.yaml'}:2:1: error: unknown key 'fail_on'; did you mean 'fail-on'?" in result.err
    write(repo, ".policylint.yaml", "paths: [org]\nselect: [PL101, PL777]\nseverity: {PL999: low}\n")
    result = run_cli("check")
    assert result.code == 2
    assert f"{repo / '.policylint.yaml'}:2:17: error: expected a rule id or prefix, found 'PL777'" in result.err
    assert f"{repo / '.policylint.yaml'}:3:12: error: expected a rule id in severity, found 'PL999'" in result.err


def test_toml_errors_name_the_line(repo: Path) -> None:
    write(repo, "pyproject.toml", '[tool.policylint]\npaths = ["org"]\nfail-on = "urgent"\nbogus = 1\n')
    result = run_cli("check")
    assert result.code == 2
    assert f"{repo / 'pyproject.toml'}:3:1: error: expected one of 'critical'" in result.err
    assert f"{repo / 'pyproject.toml'}:4:1: error: unknown key 'bogus'" in result.err
    write(repo, "pyproject.toml", '[tool.policylint]\npaths = ["org"\n')
    broken = run_cli("check")
    assert broken.code == 2 and f"{repo / 'pyproject.toml'}:2:" in broken.err and "expected valid TOML" in broken.err


def test_exclude_customer_data_and_policies_are_relative_to_the_config(repo: Path) -> None:
    write(repo, "org/fixtures/extra.yaml", "policylint: 1\npeople: [{id: kim.jh, status: active}]\n")  # a duplicate
    write(repo, "rules/ACME1.yaml", """
        id: ACME1
        title: Customer database
        severity: info
        subject: resource
        match: {properties: {customer_data: {const: true}}, required: [customer_data]}
        message: "{id} holds customer data"
        rationale: Inventory of customer data.
        remediation: None needed.
        references: [internal]
    """)
    write(repo, ".policylint.yaml", """
        paths: [org]
        exclude: [org/fixtures]
        customer-data: [customer_pii]
        policies: [rules]
        select: [ACME1]
    """)
    result = run_cli("check", "--format", "json", "--as-of", "2026-01-01")
    assert result.code == 0, result.out + result.err  # info does not fail at the default low
    assert rules_of(result.out) == [("ACME1", "info")]


def test_a_config_given_with_config_is_used_from_anywhere(repo: Path, tmp_path: Path) -> None:
    config = write(repo, "ci/policylint.yaml", "paths: [../org]\nselect: [PL101]\n")
    result = run_cli("check", "--config", str(config), "--format", "json", "--as-of", "2026-01-01")
    assert rules_of(result.out) == [("PL101", "critical")]


def test_every_toml_spelling_of_the_table_is_read(repo: Path) -> None:
    for text in ('[tool]\npolicylint.paths = ["org"]\npolicylint.select = ["PL101"]\n',
                 'tool.policylint = { paths = ["org"], select = ["PL101"] }\n'):
        write(repo, "pyproject.toml", text)
        assert rules_of(run_cli("check", "--format", "json", "--as-of", "2026-01-01").out) == [("PL101", "critical")]
    write(repo, "pyproject.toml", '[[tool.policylint]]\npaths = ["org"]\n')
    result = run_cli("check")
    assert result.code == 2 and "expected [tool.policylint] to be a table of settings, found an array" in result.err


def test_odd_config_files_are_errors_not_crashes(repo: Path) -> None:
    write(repo, "other.toml", '[tool.policylint]\nselect = ["PL101"]\npaths = ["org"]\n')
    result = run_cli("check", "--config", str(repo / "other.toml"), "--format", "json", "--as-of", "2026-01-01")
    assert rules_of(result.out) == [("PL101", "critical")]
    write(repo, "pyproject.toml", 'tool = "x"\n')
    assert run_cli("check", "--config", str(repo / "pyproject.toml"), str(repo / "org")).code in (0, 1)
    write(repo, "list.yaml", "- paths\n")
    result = run_cli("check", "--config", str(repo / "list.yaml"))
    assert result.code == 2 and "expected a mapping of settings, found a list" in result.err
    write(repo, "broken.yaml", "paths: [org\n")
    result = run_cli("check", "--config", str(repo / "broken.yaml"))
    assert result.code == 2 and result.err.startswith(f"{repo / 'broken.yaml'}:")
    assert "policylint: error" not in result.err  # located once, not wrapped in a second prefix


def test_a_config_above_the_repository_root_does_not_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, ".policylint.yaml", "select: [PL999]\n")  # e.g. in a home folder: would be an error if read
    project = make_org(tmp_path / "project").parent
    (project / ".git").mkdir()
    monkeypatch.chdir(project)
    result = run_cli("check", "org", "--as-of", "2026-01-01")
    assert result.code == 1, result.err


def test_configured_paths_are_reported_relative_to_the_working_directory(repo: Path) -> None:
    write(repo, ".policylint.yaml", "paths: [org]\nselect: [PL101]\n")
    gitlab = run_cli("check", "--format", "gitlab", "--as-of", "2026-01-01")
    # from a subfolder, a path above it is shown absolute (never with `..` that a CI server cannot place)
    assert [issue["location"]["path"] for issue in json.loads(gitlab.out)] == [str(repo / "org/access.yaml")]
    os.chdir(repo)
    gitlab = run_cli("check", "--format", "gitlab", "--as-of", "2026-01-01")
    assert [issue["location"]["path"] for issue in json.loads(gitlab.out)] == ["org/access.yaml"]
