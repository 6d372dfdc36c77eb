"""The Terraform benchmark (issue 11): benchmarks/generate_terraform.py and the checkov peer of run.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from policylint.inventory import load_paths

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import generate_terraform  # noqa: E402  (a script folder, not a package)
import terraform_peers  # noqa: E402


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "terraform-401"
    generate_terraform.generate("terraform-401", folder)
    return folder


def stats(folder: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((folder / generate_terraform.MARKER).read_text())["stats"]
    return loaded


def test_the_same_size_gives_the_same_bytes(repo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_terraform.generate("terraform-401", again)
    assert generate_terraform.digest(again) == generate_terraform.digest(repo)
    assert sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file()) == [
        ".policylint-bench", "account.tf", "company_groups.tf", "data_stores.tf", "kms.tf",
        "legacy_inline_policies.tf", "locals.tf", "modules/service-user/main.tf", "modules/service-user/outputs.tf",
        "modules/service-user/variables.tf", "modules/service-user/versions.tf", "modules/team-role/main.tf",
        "modules/team-role/outputs.tf", "modules/team-role/variables.tf", "modules/team-role/versions.tf",
        "outputs.tf", "partners.tf", "people.tf", "providers.tf", "services.tf", "teams.tf", "terraform.tfvars",
        "variables.tf", "versions.tf"]


@pytest.mark.parametrize("name, iam", [("terraform-400", 400), ("terraform-401", 401), ("terraform-1003", 1003)])
def test_the_size_is_the_number_of_iam_resources(name: str, iam: int) -> None:
    repo = generate_terraform.Repo(generate_terraform.size_of(name))
    repo.build()
    assert repo.iam_total() == iam
    assert sum(repo.count[k] for k in ("aws_iam_user", "aws_iam_user_group_membership")) == 2 * len(repo.humans) + \
        len(repo.services)


@pytest.mark.parametrize("name", ["terraform-399", "terraform-x", "aws-5000"])
def test_a_size_is_terraform_and_a_number_of_iam_resources(name: str) -> None:
    with pytest.raises(ValueError, match="expected a size terraform-N with N >= 400"):
        generate_terraform.size_of(name)


def test_policylint_reads_every_instance_the_generator_counts(repo: Path) -> None:
    """The HCL reader expands the for_each maps and modules independently: its inventory must match the count."""
    loaded = load_paths([str(repo)])
    counted = stats(repo)
    by_type = counted["iam_by_type"]
    assert isinstance(by_type, dict)
    assert [str(e) for e in loaded.errors] == []
    assert len([p for p in loaded.inventory.principals if ":user/" in p.id]) == by_type["aws_iam_user"]
    assert len(loaded.inventory.roles) == by_type["aws_iam_role"]
    # besides the `allowed-to-assume:` groups of who may assume roles of any root (`cfn_iam`)
    assert len([g for g in loaded.inventory.groups if ":group/" in g.id]) == by_type["aws_iam_group"]
    assert len(loaded.inventory.keys) == counted["domains"]


def test_fmt_aligns_one_line_attributes_as_terraform_fmt_does() -> None:
    text = 'locals {\n  a = 1\n  bbbbb = {\n    x = 1\n    yyy = 2\n  }\n  cc = "x"\n  dddddd = "y"\n' \
           '  e = [\n    1,\n  ]\n  p = <<EOF\nk = v\nEOF\n}'
    assert generate_terraform.fmt(text) == (
        'locals {\n  a = 1\n  bbbbb = {\n    x   = 1\n    yyy = 2\n  }\n  cc     = "x"\n  dddddd = "y"\n'
        '  e = [\n    1,\n  ]\n  p = <<EOF\nk = v\nEOF\n}')


def test_checkov_summary_line_is_read() -> None:
    out = "terraform scan results:\n\nPassed checks: 4393, Failed checks: 433, Skipped checks: 0\n\nCheck: CKV_AWS_1"
    assert terraform_peers.checks_of(out) == {"passed": 4393, "failed": 433, "skipped": 0, "parsing_errors": 0}
    assert terraform_peers.checks_of("Passed checks: 1, Failed checks: 2, Skipped checks: 3, Parsing errors: 4") == {
        "passed": 1, "failed": 2, "skipped": 3, "parsing_errors": 4}
    assert terraform_peers.checks_of("Traceback (most recent call last):") is None


def test_checkov_is_found_by_option_or_environment_and_skipped_when_absent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "checkov"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CHECKOV_BIN", raising=False)
    assert terraform_peers.find_checkov(None) is None
    assert terraform_peers.find_checkov(str(fake)) == str(fake)
    monkeypatch.setenv("CHECKOV_BIN", str(fake))
    assert terraform_peers.find_checkov(None) == str(fake)
    monkeypatch.setenv("CHECKOV_BIN", str(tmp_path / "missing"))
    assert terraform_peers.find_checkov(None) is None


def test_checkov_runs_offline_without_a_platform_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BC_API_KEY", "not-to-be-sent")
    monkeypatch.setenv("PRISMA_API_URL", "https://api0.prismacloud.io")
    monkeypatch.delenv("CHECKOV_RENDER_MAX_LEN", raising=False)
    default, render_all = terraform_peers.checkov_tools("/opt/checkov", "/tmp/repo", render_all=True)
    assert default.command == ["/opt/checkov", "-d", "/tmp/repo", "--framework", "terraform", "--quiet", "--compact"]
    for tool in (default, render_all):
        assert tool.env is not None
        assert "BC_API_KEY" not in tool.env and "PRISMA_API_URL" not in tool.env
        assert tool.env["BC_SKIP_MAPPING"] == "TRUE" and tool.env["CHECKOV_RUN_SCA_PACKAGE_SCAN_V2"] == "false"
    assert render_all.env is not None and render_all.env["CHECKOV_RENDER_MAX_LEN"] == "0"
    assert default.env is not None and "CHECKOV_RENDER_MAX_LEN" not in default.env
