"""`policylint diff --base REF` in a temporary git repository: new reach, new and resolved findings, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from helpers import git, run_cli, write
from org import ACCESS, PEOPLE, make_org

SARIF_SCHEMA = Path(__file__).parent.parent / "reporters" / "sarif-schema-2.1.0.json"



@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_org(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def diff(*args: str) -> tuple[int, dict[str, object]]:
    result = run_cli("diff", "--base", "main", "org", "--format", "json", "--as-of", "2026-01-01", *args)
    assert result.err == "" or result.code == 2, result.err
    return result.code, json.loads(result.out)


def test_a_new_group_membership_is_new_reach_with_path_and_records(repo: Path) -> None:
    write(repo, "org/people.yaml", PEOPLE.replace("members: [lee.sy]", "members: [lee.sy, park.mj]"))
    code, report = diff()
    assert code == 1
    [finding] = report["findings"]  # type: ignore[misc]
    assert (finding["rule"], finding["severity"], finding["subject"]) == (
        "PL900", "high", {"kind": "person", "id": "park.mj"})
    assert finding["message"] == ("park.mj gains a path to customer data: customer-db (33,700,000 records newly "
                                  "exposed)")
    assert finding["path"] == ["park.mj", "auth-platform", "customer-db-reader", "customer-db"]
    assert finding["location"] == {"file": "org/people.yaml", "line": 5, "column": 5}
    assert report["resolved"] == [] and report["base"] == "main"
    text = run_cli("diff", "--base", "main", "org", "--as-of", "2026-01-01")
    assert text.code == 1
    assert "org/people.yaml:5:5: HIGH PL900 park.mj gains a path to customer data" in text.out
    assert "    path: park.mj –member of→ auth-platform –assumes→ customer-db-reader –read→ customer-db" in text.out
    # the working tree and the index are untouched
    assert git(repo, "status", "--porcelain") == " M org/people.yaml\n"


def test_a_change_that_only_removes_access_reports_resolved_items_and_passes(repo: Path) -> None:
    write(repo, "org/access.yaml", ACCESS.replace("holders: [kim.jh]", "holders: [lee.sy]"))
    code, report = diff()
    assert code == 0
    assert report["findings"] == []
    assert [(f["rule"], f["subject"]["id"], f["location"]["file"]) for f in report["resolved"]] == [  # type: ignore
        ("PL101", "ak-7731", "org/access.yaml")]
    text = run_cli("diff", "--base", "main", "org", "--as-of", "2026-01-01")
    assert text.code == 0 and "resolved since main:" in text.out and "1 resolved since main." in text.out


def test_an_unchanged_tree_has_nothing_new(repo: Path) -> None:
    assert diff() == (0, diff()[1])
    assert diff()[1]["findings"] == []


def test_new_findings_are_reported_and_a_new_file_counts(repo: Path) -> None:
    write(repo, "org/more.yaml", "policylint: 1\ncredentials:\n  - {id: tok-9, type: token, principal: "
                                        "order-sync, holders: [kim.jh], status: active, created: 2025-12-01, "
                                        "expires: 2026-02-01}\n")
    code, report = diff()
    assert code == 1
    assert [(f["rule"], f["subject"]["id"]) for f in report["findings"]] == [("PL101", "tok-9")]  # type: ignore


def test_diff_sarif_marks_new_and_absent_results_and_validates(repo: Path) -> None:
    write(repo, "org/people.yaml", PEOPLE.replace("members: [lee.sy]", "members: [lee.sy, park.mj]"))
    write(repo, "org/access.yaml", ACCESS.replace("holders: [kim.jh]", "holders: [lee.sy]"))
    result = run_cli("diff", "--base", "main", "org", "--format", "sarif", "--as-of", "2026-01-01")
    assert result.code == 1
    document = json.loads(result.out)
    Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    results = document["runs"][0]["results"]
    assert sorted((r["ruleId"], r["baselineState"]) for r in results) == [("PL101", "absent"), ("PL900", "new")]
    assert "PL900" in {r["id"] for r in document["runs"][0]["tool"]["driver"]["rules"]}


def test_a_base_that_does_not_exist_is_a_clear_error(repo: Path) -> None:
    result = run_cli("diff", "--base", "no-such-branch", "org")
    assert result.code == 2
    assert "expected --base to name a commit of the repository" in result.err and "'no-such-branch'" in result.err
    assert "Traceback" not in result.err


def test_outside_a_git_repository_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_org(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run_cli("diff", "--base", "main", "org")
    assert result.code == 2
    assert f"expected a git repository at {tmp_path}" in result.err


def test_suppressed_findings_are_not_resolved_and_pl900_is_a_rule_like_any_other(repo: Path) -> None:
    exceptions = write(repo, "exceptions.yaml", "exceptions:\n  - {rule: PL101, subject: ak-7731, reason: migrating, "
                                                "owner: lee.sy, expires: 2030-01-01}\n")
    code, report = diff("--exceptions", str(exceptions))
    assert (code, report["findings"], report["resolved"]) == (0, [], [])
    write(repo, "org/people.yaml", PEOPLE.replace("members: [lee.sy]", "members: [lee.sy, park.mj]"))
    assert diff("--ignore", "PL900")[1]["findings"] == []
    code, report = diff("--select", "PL9")
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["PL900"]  # type: ignore[index]
    assert diff("--select", "PL101")[1]["findings"] == []
    write(repo, ".policylint.yaml", "paths: [org]\nseverity: {PL900: critical}\n")
    assert [f["severity"] for f in diff()[1]["findings"]] == ["critical"]  # type: ignore[index]


def test_paths_outside_the_repository_and_symlinks(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = make_org(tmp_path_factory.mktemp("elsewhere"))
    result = run_cli("diff", "--base", "main", str(elsewhere))
    assert result.code == 2 and "expected paths inside the git repository" in result.err
    (repo / "hr").mkdir()
    (repo / "org/people.yaml").rename(repo / "hr/people.yaml")
    (repo / "org/people.yaml").symlink_to("../hr/people.yaml")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "linked")
    assert diff() == (0, diff()[1]) and diff()[1]["findings"] == []


def test_a_renamed_inventory_folder_is_read_where_the_base_config_put_it(repo: Path) -> None:
    write(repo, ".policylint.yaml", "paths: [org]\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "config")
    git(repo, "mv", "org", "inventory")
    write(repo, ".policylint.yaml", "paths: [inventory]\n")
    result = run_cli("diff", "--base", "main", "--format", "json", "--as-of", "2026-01-01")
    assert result.code == 0, result.out
    assert json.loads(result.out)["findings"] == []


def test_the_catalog_lists_pl900_as_a_diff_rule() -> None:
    listed = run_cli("rules")
    assert any(line.startswith("PL900") and line.endswith("New path to customer data (diff only)")
               for line in listed.out.splitlines())
    assert "built in: computed by `policylint diff`" in run_cli("rules", "pl900").out
