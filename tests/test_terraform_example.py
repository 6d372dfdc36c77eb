"""The Terraform example organisation (examples/terraform): the breach pattern as a platform team writes it in
Terraform, found exactly, in the HCL (what pre-commit sees) and in the plan JSON (what CI sees after `terraform
plan`), with the same findings."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from policylint.cli import cli

from helpers import REPO, run_cli

EXAMPLE = REPO / "examples" / "terraform"
ROSTER = EXAMPLE / "hr" / "people.yaml"
PLAN = REPO / "tests" / "corpus" / "terraform-example" / "plan.json"  # how it was made: README.md beside it
AS_OF = "2026-03-01"

USER = "aws:iam::731946220845:user/"
SIGNING_KEY = "aws:kms:eu-west-1:731946220845:key/examples%2Fterraform:aws_kms_key.token_signing"
DATA_KEY = "aws:kms:eu-west-1:731946220845:key/examples%2Fterraform:module.customer_data.aws_kms_key.this"
TABLE = "aws:dynamodb:eu-west-1:731946220845:table/customer-accounts"
BUCKET = "aws:s3:::kestrelpay-prod-customer-exports"
MATEO_KEY = USER + 'mateo.ruiz#module.team_access["auth"].aws_iam_access_key.cli["mateo.ruiz"]'
TEAM = "examples/terraform/modules/team-access/main.tf"
STORE = "examples/terraform/modules/data-store/main.tf"
LOGIN = f"{TEAM}:17"  # aws_iam_user_login_profile.member: the block that gives each member a console password

# Hand-checked against the configuration (examples/terraform/README.md tells the story); nothing else may fire.
EXPECTED = {
    # mateo.ruiz left on 2025-09-12 and is still a member of the auth team in terraform.tfvars
    ("PL101", MATEO_KEY, f"{TEAM}:28"),
    ("PL101", USER + "mateo.ruiz#password", LOGIN),
    ("PL102", "mateo.ruiz", "examples/terraform/hr/people.yaml:14"),
    # auth group -> auth-operator signs with the token-signing key (key policy and IAM policy both allow kms:Sign)
    ("PL301", SIGNING_KEY, "examples/terraform/auth.tf:5"),
    # auth-operator and customer-analytics decrypt with the key that encrypts customer-accounts
    ("PL306", DATA_KEY, f"{STORE}:5"),
    # console passwords: Terraform cannot say whether a user has MFA (no resource enables it), so none is assumed
    ("PL204", USER + "priya.raman#password", LOGIN),
    ("PL204", USER + "mateo.ruiz#password", LOGIN),
    ("PL204", USER + "jonas.weber#password", LOGIN),
    ("PL204", USER + "amara.osei#password", LOGIN),
    ("PL204", USER + "li.wen#password", LOGIN),
    ("PL113", USER + "tomas.novak#password", LOGIN),  # sre: no role, reaches no customer data
    ("PL113", USER + "grace.mwangi#password", LOGIN),
    # no CloudTrail data events for the table; no monitoring anywhere; the exports' access-log retention is set on
    # a bucket this configuration does not hold (unknown: fail closed)
    ("PL401", TABLE, f"{STORE}:17"),
    ("PL402", TABLE, f"{STORE}:17"),
    ("PL402", BUCKET, f"{STORE}:51"),
    ("PL403", BUCKET, f"{STORE}:51"),
}
# Not expected, each on purpose: PL307 on the token-signing key (an asymmetric SIGN_VERIFY key cannot rotate by
# itself; PL307 says it does not judge those), PL103/PL203 on the account's own root (trusting it delegates to the
# account's IAM policies: it is not an external principal), PL215 on the sre group (its team has no roles:
# `count = 0`, no policy).


@pytest.fixture(autouse=True)
def _at_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids of unnamed resources (KMS keys) hold their file relative to the run's root: run from the repository."""
    monkeypatch.chdir(REPO)


def check(*paths: str, select: str | None = None) -> dict[str, Any]:
    extra = ("--select", select) if select else ()
    result = run_cli("check", *paths, "--format", "json", "--as-of", AS_OF, *extra)
    assert result.code == 1, result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def located(finding: dict[str, Any]) -> str:
    where = finding["location"]
    return f"{Path(os.path.relpath(where['file'], REPO)).as_posix()}:{where['line']}"


def test_the_terraform_example_finds_exactly_the_planted_problems() -> None:
    report = check("examples/terraform")
    assert report["errors"] == []
    assert report["summary"]["files"] == 13  # 12 .tf/.tfvars files and the roster
    assert {(f["rule"], f["subject"]["id"], located(f)) for f in report["findings"]} == EXPECTED


def test_the_leavers_access_key_reaches_the_customer_table_through_the_auth_team() -> None:
    [finding] = [f for f in check("examples/terraform", select="PL101")["findings"]
                 if f["subject"]["id"] == MATEO_KEY]
    path = finding["path"]
    assert path[:3] == ["mateo.ruiz", MATEO_KEY, USER + "mateo.ruiz"]
    assert "aws:iam::731946220845:group/auth" in path
    assert "aws:iam::731946220845:role/auth-operator [if aws:MultiFactorAuthPresent=true]" in path  # its trust's
    assert path[-1] == TABLE


_KMS = "aws:kms:eu-west-1:731946220845:key/"
_KEY_FILE = re.compile(re.escape(_KMS).join(["(", r")[^:\s,()]+:"]))


def normalised(report: dict[str, Any], keys: dict[str, str] | None = None) -> set[tuple[str, str]]:
    """(rule, message), an unnamed key's file (`examples%2Fterraform`, the plan's path) left out of its id; a key the
    plan knows the id of (`keys`: id -> address) named by its address, as the configuration can only name it."""
    found = set()
    for finding in report["findings"]:
        message = finding["message"]
        for key_id, address in (keys or {}).items():
            message = message.replace(f"{_KMS}{key_id}", f"{_KMS}<file>:{address}")
        found.add((finding["rule"], _KEY_FILE.sub(r"\1<file>:", message)))
    return found


def _key_ids(plan: dict[str, Any]) -> dict[str, str]:
    """The plan's KMS keys: id -> address (every module's)."""
    found: dict[str, str] = {}
    modules = [plan["planned_values"]["root_module"]]
    while modules:
        module = modules.pop()
        modules += module.get("child_modules", [])
        found.update({r["values"]["key_id"]: r["address"] for r in module.get("resources", [])
                      if r["type"] == "aws_kms_key" and r["values"].get("key_id")})
    return found


def test_the_plan_of_the_same_configuration_gives_the_same_findings(tmp_path: Path) -> None:
    shutil.copy(PLAN, tmp_path / "plan.json")
    shutil.copy(ROSTER, tmp_path / "people.yaml")
    hcl, plan = check("examples/terraform"), check(str(tmp_path))
    assert plan["errors"] == []
    assert normalised(plan, _key_ids(json.loads(PLAN.read_text(encoding="utf-8")))) == normalised(hcl)
    assert plan["summary"]["identities_reaching_customer_data"] == hcl["summary"]["identities_reaching_customer_data"]


def test_the_plan_is_terraforms_own_output_for_this_configuration() -> None:
    """Guards the fixture: a real plan (no changes against the applied state) of every resource of the example."""
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    assert plan["terraform_version"] == "1.11.4" and plan["errored"] is False
    assert {tuple(c["change"]["actions"]) for c in plan["resource_changes"]} == {("no-op",)}
    addresses = {c["address"] for c in plan["resource_changes"] if c["mode"] == "managed"}
    assert len(addresses) == 41 and 'module.team_access["auth"].aws_iam_access_key.cli["mateo.ruiz"]' in addresses
    variables = plan["variables"]["teams"]["value"]
    assert set(variables["auth"]["members"]) == {"priya.raman", "mateo.ruiz", "jonas.weber"}


# -- the README's Terraform section --------------------------------------------------------------------------------

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_shows_what_check_prints_for_the_example() -> None:
    shown = re.search(r"```text\n(examples/terraform/.*?)```", README, flags=re.S)
    assert shown is not None
    result = run_cli("check", "examples/terraform", "--as-of", AS_OF)
    printed = result.out.splitlines()
    for line in shown.group(1).splitlines():
        if line != "...":
            assert line in printed, line


def test_the_readme_plan_commands_run_real_policylint_options() -> None:
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
              if b.startswith(("# .github/workflows/terraform.yml", "# GitLab CI: the Terraform plan"))]
    assert len(blocks) == 2
    commands = []
    for block in blocks:
        yaml.safe_load(block)
        assert "terraform show -json" in block
        commands += [command.split("policylint ", 1)[1] for line in block.splitlines()
                     for command in line.split("&&") if command.strip().startswith(("policylint ", "- policylint "))]
    assert len(commands) == 2
    for command in commands:
        name, *args = shlex.split(command)
        assert name == "check"
        with cli.commands[name].make_context(name, args) as context:  # parses every option, runs nothing
            assert context.params["output"] in ("sarif", "gitlab")
            assert any(p.endswith("tfplan.json") for p in context.params["paths"])
