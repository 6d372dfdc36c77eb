"""The AWS benchmark generator (benchmarks/generate_aws.py): byte-identical output, and files policylint loads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from policylint.inventory import load_paths
from policylint.sources import SOURCES

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import generate_aws  # noqa: E402  (a script folder, not a package)

AWS_SOURCE = "aws-authorization-details"


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "aws-50"
    generate_aws.generate("aws-50", folder)
    return folder


def test_the_same_size_gives_the_same_bytes(account: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_aws.generate("aws-50", again)
    assert generate_aws.digest(again) == generate_aws.digest(account)
    assert sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file()) == [
        ".policylint-bench", "aws/authorization-details.json", "data-stores.yaml", "hr/people.json"]


def test_the_export_has_the_shape_of_the_real_ones(account: Path) -> None:
    details = json.loads((account / generate_aws.AUTHZ_FILE).read_text())
    assert list(details) == ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"]
    assert len(details["UserDetailList"]) == 50
    assert list(details["GroupDetailList"][0]) == [
        "Path", "GroupName", "GroupId", "Arn", "CreateDate", "GroupPolicyList", "AttachedManagedPolicies"]
    assert list(details["RoleDetailList"][0]) == [
        "Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument", "InstanceProfileList",
        "RolePolicyList", "AttachedManagedPolicies", "Tags", "RoleLastUsed"]
    assert list(details["Policies"][0]) == [
        "PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount",
        "PermissionsBoundaryUsageCount", "IsAttachable", "CreateDate", "UpdateDate", "PolicyVersionList"]


@pytest.mark.parametrize("name", ["aws-19", "aws-x", "repo"])
def test_a_size_is_aws_and_a_number_of_users(name: str) -> None:
    with pytest.raises(ValueError, match="expected a size aws-N with N >= 20"):
        generate_aws.size_of(name)


def test_the_files_load_with_no_errors(account: Path) -> None:
    if AWS_SOURCE not in SOURCES:
        pytest.skip(f"the {AWS_SOURCE} source is not registered in policylint.sources yet")
    loaded = load_paths([str(account)])
    assert [str(e) for e in loaded.errors] == []
    assert sorted(Path(f).relative_to(account).as_posix() for f in loaded.files) == [
        "aws/authorization-details.json", "data-stores.yaml", "hr/people.json"]
    details = json.loads((account / generate_aws.AUTHZ_FILE).read_text())
    expected = sorted("aws:" + u["Arn"].split(":", 2)[2] for u in details["UserDetailList"])
    assert sorted(p.id for p in loaded.inventory.principals if ":user/" in p.id) == expected
