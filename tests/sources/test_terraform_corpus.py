"""Real public Terraform (`tests/corpus/terraform`, where SOURCES.md and LICENSES/ say where each folder comes from)
and the plans Terraform 1.11 made of some of those folders (`tests/corpus/terraform-plans-generated`, a tree of its
own: a walk must never meet a plan beside the `.tf` it was made from). Every folder and every plan loads through the
inventory stage without a crash, and with an error only at a block Terraform or AWS itself rejects: the test beds
(checkov's) hold configurations Terraform refuses, and those must be reported where they are, never read as if they
were fine nor dropped. A resource block of a kind the readers model becomes a node located at that block: nothing
read disappears in silence."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

from policylint.errors import InputError, SourceCrash
from policylint.inventory import load_paths
from policylint.model import Location
from policylint.sources.base import Options
from policylint.sources.terraform.plan import escaped

from helpers import CORPUS, run_cli

TERRAFORM = CORPUS / "terraform"
PLANS = CORPUS / "terraform-plans-generated"
CHECKOV = "bridgecrewio__checkov/tests/terraform"


@dataclass(frozen=True)
class Block:
    """Lines `first`..`last` of one file (relative to the folder): one block of the configuration."""

    file: str
    first: int
    last: int

    def holds(self, folder: Path, location: Location) -> bool:
        return (Path(location.file).resolve() == (folder / self.file).resolve()
                and self.first <= location.line <= self.last)


@dataclass(frozen=True)
class Rejected:
    """Blocks Terraform or AWS refuses together (the same name twice, say): at least `least` of them must be
    reported, each where it is; which ones is the reader's choice (the one it keeps is the one it met first)."""

    blocks: tuple[Block, ...]
    least: int = 1


@dataclass(frozen=True)
class Verdict:
    """What a folder must and may report. `rejects`: what Terraform (validate, plan) or the AWS API refuses, which a
    reader must report. `may`: blocks a reader may report, not must (a reference to a block that is not there, a
    policy for a bucket that has several); nothing outside those is an error."""

    rejects: tuple[Rejected, ...] = ()
    may: tuple[Block, ...] = ()


def _blocks(file: str, *spans: tuple[int, int]) -> tuple[Block, ...]:
    return tuple(Block(file, first, last) for first, last in spans)


def _same(file: str, *spans: tuple[int, int]) -> Rejected:
    """Blocks that name the same thing: all but one are refused."""
    return Rejected(_blocks(file, *spans), len(spans) - 1)


# Every vendored folder (the root modules: examples, scenarios, test beds; their local modules are read through
# them) and what it must report. The line spans are the blocks' first and last lines in the vendored files.
FOLDERS: dict[str, Verdict] = {
    "terraform-aws-modules__terraform-aws-iam/examples/iam-user": Verdict(),
    "terraform-aws-modules__terraform-aws-iam/examples/iam-policy": Verdict(),
    "terraform-aws-modules__terraform-aws-iam/examples/iam-group-with-policies": Verdict(),
    "terraform-aws-modules__terraform-aws-iam/examples/iam-assumable-role": Verdict(),
    "terraform-aws-modules__terraform-aws-iam/examples/iam-group-with-assumable-roles-policy": Verdict(),
    "terraform-aws-modules__terraform-aws-iam/examples/iam-github-oidc": Verdict(),
    "terraform-aws-modules__terraform-aws-iam/examples/iam-role-for-service-accounts-eks": Verdict(),
    "terraform-aws-modules__terraform-aws-kms/examples/complete": Verdict(),
    "bridgecrewio__terragoat/terraform/aws": Verdict(),
    "bridgecrewio__terragoat/terraform/gcp": Verdict(),
    # fail4's statement has no Effect (AWS: MalformedPolicyDocument); Terraform: "Reference to undeclared
    # resource" aws_ssoadmin_permission_set.example (lines 139-140, 172-173).
    f"{CHECKOV}/checks/resource/aws/example_IAMAdminPolicyDocument": Verdict(
        rejects=(Rejected(_blocks("iam.tf", (100, 116))),), may=_blocks("iam.tf", (138, 169), (171, 194))),
    # Five roles named "fail-default" (AWS: EntityAlreadyExists); pass2's trust policy is "" (Terraform: "is an
    # empty string, which is not a valid JSON value").
    f"{CHECKOV}/checks/resource/aws/example_IAMRoleAllowAssumeFromAccount": Verdict(rejects=(
        _same("main.tf", (1, 15), (17, 30), (32, 50), (52, 79), (102, 129)),
        Rejected(_blocks("main.tf", (81, 84))))),
    # fail_0's policy is not JSON (a comma before `]`: Terraform: "contains an invalid JSON"). The principals of
    # fail_1, fail_3 (lists), pass_2 ("foo") and pass_3 (a list) are not principals (AWS: MalformedPolicyDocument).
    # Every heredoc of pass.tf and fail.tf ends with `POLICY  ` (trailing spaces), which Terraform accepts.
    f"{CHECKOV}/checks/resource/aws/example_KMSKeyWildcardPrincipal": Verdict(
        rejects=(Rejected(_blocks("fail.tf", (1, 26))),),
        may=_blocks("fail.tf", (28, 43), (62, 77)) + _blocks("pass.tf", (39, 54), (56, 71))),
    # Terraform: Duplicate resource "aws_kms_key" configuration (unknown2, lines 20 and 26).
    f"{CHECKOV}/checks/resource/aws/example_KMSRotation": Verdict(rejects=(_same("main.tf", (20, 24), (26, 30)),)),
    # Twelve buckets named "bucket" (S3 names are global); Terraform: Duplicate resource "aws_s3_bucket_policy"
    # (fail_w_condition, lines 305 and 363); references to undeclared aws_s3_bucket.b, .example_bucket, .logs and
    # three policy documents; seven policies for the one bucket "bucket" (it holds one).
    f"{CHECKOV}/checks/resource/aws/example_S3AllowsAnyPrincipal": Verdict(
        rejects=(_same("main.tf", (2, 4), (6, 28), (30, 52), (54, 74), (76, 98), (100, 120), (217, 244), (276, 303),
                       (334, 361), (392, 417), (419, 441), (443, 461)),
                 _same("main.tf", (305, 332), (363, 390))),
        may=_blocks("main.tf", (122, 144), (146, 168), (171, 174), (176, 185), (188, 215), (247, 274), (463, 486),
                    (510, 520), (526, 544))),
    # Two groups named "test-group"; the second membership names it with no users.
    f"{CHECKOV}/graph/checks/resources/IAMUsersAreMembersAtLeastOneGroup": Verdict(
        rejects=(_same("main.tf", (11, 13), (30, 32)),), may=_blocks("main.tf", (24, 28))),
    # Every policy names an undeclared google_kms_crypto_key; some members have no type ("jameswoolfenden").
    f"{CHECKOV}/checks/resource/gcp/example_GoogleKMSKeyIsPublic": Verdict(
        may=_blocks("main.tf", (8, 16), (25, 33), (35, 53), (55, 65), (68, 73), (76, 83), (85, 92), (94, 98),
                    (100, 104))),
    # Ten datasets "example_dataset" in the provider's project, which the folder does not name.
    f"{CHECKOV}/checks/resource/gcp/example_GoogleBigQueryDatasetPublicACL": Verdict(
        may=_blocks("main.tf", (3, 13), (15, 25), (27, 37), (39, 49), (51, 64), (66, 79), (81, 96), (100, 110),
                    (112, 125), (127, 137))),
    # Four cluster roles and ten roles of the default namespace, all named "terraform-example"; the pass2 roles'
    # `rule {}` has no verbs (the provider requires them; Kubernetes: "verbs: Required value").
    f"{CHECKOV}/checks/resource/kubernetes/example_WildcardRoles": Verdict(rejects=(
        _same("main.tf", (1, 16), (18, 33), (35, 46), (48, 59)),
        _same("main.tf", (61, 80), (82, 101), (103, 122), (124, 143), (145, 164), (166, 185), (187, 206),
              (208, 227), (229, 240), (242, 253)),
        Rejected(_blocks("main.tf", (229, 240))), Rejected(_blocks("main.tf", (242, 253))))),
    # Four tables named "GameScores" (AWS: ResourceInUseException).
    f"{CHECKOV}/checks/resource/aws/example_DynamoDBTablesEncrypted": Verdict(
        rejects=(_same("main.tf", (3, 20), (24, 36), (38, 54), (56, 72)),)),
    f"{CHECKOV}/graph/checks/resources/IAMUserHasNoConsoleAccess": Verdict(),
    f"{CHECKOV}/graph/checks/resources/KmsKeyPolicyIsDefined": Verdict(),
    "terraform-google-modules__terraform-google-iam/test/fixtures/authoritative": Verdict(),
    "terraform-google-modules__terraform-google-iam/examples/project": Verdict(),
    "terraform-google-modules__terraform-google-iam/examples/member_iam": Verdict(),
    "hashicorp__terraform-provider-kubernetes/examples/resources/cluster_role_binding_v1": Verdict(),
    "hashicorp__terraform-provider-kubernetes/_examples/eks/eks-oidc": Verdict(),
    "hashicorp__terraform-provider-kubernetes/_examples/kubernetes_manifest/terraform-operator": Verdict(),
    "RhinoSecurityLabs__cloudgoat/cloudgoat/scenarios/aws/lambda_privesc/terraform": Verdict(),
    "RhinoSecurityLabs__cloudgoat/cloudgoat/scenarios/aws/detection_evasion/terraform": Verdict(),
    "RhinoSecurityLabs__cloudgoat/cloudgoat/scenarios/aws/secrets_in_the_cloud/terraform": Verdict(),
}

# The errors a generated plan reports (a fragment of each message, in order): the names a test bed gives twice.
PLAN_ERRORS: dict[str, list[str]] = {
    f"{CHECKOV}/checks/resource/aws/example_DynamoDBTablesEncrypted": ["table/GameScores' again"] * 3,
    f"{CHECKOV}/graph/checks/resources/IAMUsersAreMembersAtLeastOneGroup": ["'test-group' again"],
}
# Plans made with `-var` values the folder leaves to its caller: the HCL cannot know them, so ids differ.
PLANNED_WITH_VARIABLES = {"RhinoSecurityLabs__cloudgoat/cloudgoat/scenarios/aws/lambda_privesc/terraform"}
GENERATED = sorted(p.parent.relative_to(PLANS).as_posix() for p in PLANS.rglob("plan.json"))

# Resource types each block of which is a node of its own (an identity, a credential, a key, a store, a role).
NODE_TYPES = frozenset({
    "aws_iam_user", "aws_iam_group", "aws_iam_role", "aws_iam_access_key", "aws_iam_instance_profile",
    "aws_kms_key", "aws_s3_bucket", "aws_dynamodb_table", "aws_db_instance", "aws_rds_cluster",
    "aws_secretsmanager_secret",
    "google_service_account", "google_kms_crypto_key", "google_storage_bucket", "google_bigquery_dataset",
    "kubernetes_role", "kubernetes_role_v1", "kubernetes_cluster_role", "kubernetes_cluster_role_v1",
    "kubernetes_service_account", "kubernetes_service_account_v1",
})
HEADER = re.compile(r'^resource\s+"?([\w-]+)"?\s+"?([\w-]+)"?\s*\{')
TOP = re.compile(r"^(resource|data|module|variable|output|locals|provider|terraform|import|moved)\b")
REPEATED = re.compile(r"^\s+(count|for_each)\s*=", re.MULTILINE)


def _root_blocks(folder: Path) -> list[tuple[str, str, Block, str]]:
    """(type, name, block, text) of every resource block in the folder's own files (its root module); a block runs
    to the next top-level block (a heredoc's `}` at the start of a line does not end it)."""
    found = []
    for path in sorted(folder.glob("*.tf")):
        lines = path.read_text(encoding="utf-8").splitlines()
        starts = [number for number, line in enumerate(lines) if TOP.match(line)] + [len(lines)]
        for start, end in pairwise(starts):
            match = HEADER.match(lines[start])
            if match:
                block = Block(path.name, start + 1, end)
                found.append((match.group(1), match.group(2), block, "\n".join(lines[start + 1:end])))
    return found


def _described(errors: list[InputError]) -> list[str]:
    return [str(error) for error in errors]


def _findings(path: Path) -> set[tuple[str, str]]:
    """(rule, subject) of a whole check, with the file a subject's id names for an unnamed resource left out, and
    the account a folder labels where no provider names one (a root module's, a plan's file's) written `cfn`."""
    run = run_cli("check", str(path), "--format", "json", "--as-of", "2026-01-01")
    assert run.code in (0, 1, 2), run.err
    report = json.loads(run.out)
    folder = f":{escaped(Options().place(str(path if path.is_dir() else path.parent)))}:"
    return {(f["rule"], re.sub(r"[\w.%-]*%2F[\w.%-]*:", "", f["subject"]["id"].replace(folder, ":cfn:")))
            for f in report["findings"]}


def test_every_vendored_folder_is_in_the_table() -> None:
    roots = {p.parent.relative_to(TERRAFORM).as_posix() for p in TERRAFORM.rglob("*.tf")}
    modules = set(_sources_rows()["modules"])
    assert sorted(roots - modules) == sorted(FOLDERS)


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_each_folder_loads_with_errors_only_where_terraform_rejects_it(folder: str) -> None:
    base = TERRAFORM / folder
    loaded = load_paths([str(base)])
    assert _described([e for e in loaded.errors if isinstance(e, SourceCrash)]) == []
    assert loaded.files, f"{folder}: nothing read"
    verdict = FOLDERS[folder]
    allowed = [block for rejected in verdict.rejects for block in rejected.blocks] + list(verdict.may)
    assert _described([e for e in loaded.errors if not any(b.holds(base, e.location) for b in allowed)]) == []
    for rejected in verdict.rejects:
        reported = {b for b in rejected.blocks if any(b.holds(base, e.location) for e in loaded.errors)}
        assert len(reported) >= rejected.least, (rejected, _described(loaded.errors))


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_no_resource_block_of_a_modelled_kind_disappears(folder: str) -> None:
    """Each such block of the root module, written once (no count, no for_each) and not refused, is a node there."""
    base = TERRAFORM / folder
    verdict = FOLDERS[folder]
    refused = {(b.file, b.first) for b in [*(b for r in verdict.rejects for b in r.blocks), *verdict.may]}
    expected = [(f"{rtype}.{name}", block) for rtype, name, block, text in _root_blocks(base)
                if rtype in NODE_TYPES and (block.file, block.first) not in refused and not REPEATED.search(text)]
    nodes = load_paths([str(base)]).inventory.nodes()
    missing = [address for address, block in expected if not any(block.holds(base, n.location) for n in nodes)]
    assert missing == []


def test_trailing_spaces_after_a_heredoc_marker_end_it() -> None:
    """Terraform ends a heredoc at `POLICY  ` (python-hcl2 8.1 does not: amplify-education/python-hcl2#343, which
    reads pass.tf as one key whose policy swallows the four after it, and cannot parse fail.tf). The well-formed
    keys pass_0, pass_1 and pass_4 load, each at its block, without an error."""
    base = TERRAFORM / CHECKOV / "checks/resource/aws/example_KMSKeyWildcardPrincipal"
    loaded = load_paths([str(base)])
    well_formed = _blocks("pass.tf", (1, 18), (20, 37), (73, 110))
    assert _described([e for e in loaded.errors if any(b.holds(base, e.location) for b in well_formed)]) == []
    assert [b.first for b in well_formed if any(b.holds(base, k.location) for k in loaded.inventory.keys)] == [
        1, 20, 73]


def test_a_role_named_by_prefix_keeps_the_policies_attached_to_it() -> None:
    """terraform-aws-iam's iam-assumable-role example names two roles with `role_name_prefix`: their names are known
    only after apply, and the attachments and the inline policy name them by reference (`aws_iam_role.this[0].name`),
    as a plan's `configuration` does. A grant that disappears with the name is a path to data nobody sees."""
    base = TERRAFORM / "terraform-aws-modules__terraform-aws-iam/examples/iam-assumable-role"
    loaded = load_paths([str(base)], root=str(base))  # the run's root: the template's unknown account, `cfn`
    roles = {r.id.rsplit(":", 1)[-1]: r for r in loaded.inventory.roles}
    custom = roles["module.iam_assumable_role_custom.aws_iam_role.this[0]"]
    inline = roles["module.iam_assumable_role_inline_policy.aws_iam_role.this[0]"]
    held = {g.via for g in [*custom.grants, *(g for g in loaded.inventory.grants if g.to == custom.id)]}
    assert held == {"arn:aws:iam::aws:policy/AmazonCognitoReadOnly",
                    "arn:aws:iam::aws:policy/AlexaForBusinessFullAccess", "arn:aws:iam::cfn:policy/example"}
    assert [g.resource for g in [*inline.grants, *(g for g in loaded.inventory.grants if g.to == inline.id)]
            if g.resource.startswith("aws:ecr")] != []


def test_the_plans_are_a_tree_of_their_own() -> None:
    assert list(TERRAFORM.rglob("*.json")) == []
    assert GENERATED and all((TERRAFORM / folder).is_dir() for folder in GENERATED)
    assert set(GENERATED) <= set(FOLDERS)


@pytest.mark.parametrize("folder", GENERATED)
def test_each_generated_plan_is_terraforms_plan_of_its_folder(folder: str) -> None:
    plan = json.loads((PLANS / folder / "plan.json").read_text(encoding="utf-8"))
    assert plan["terraform_version"] == "1.11.4" and plan["errored"] is False
    planned = {r["address"] for r in plan["configuration"]["root_module"].get("resources", [])}
    written = {f"{rtype}.{name}" for rtype, name, _, _ in _root_blocks(TERRAFORM / folder)}
    data = {a for a in planned if a.startswith("data.")}
    assert planned - data == written
    assert plan["configuration"]["provider_config"].keys() == {"aws"}


@pytest.mark.parametrize("folder", GENERATED)
def test_each_generated_plan_loads(folder: str) -> None:
    loaded = load_paths([str(PLANS / folder / "plan.json")])
    assert _described([e for e in loaded.errors if isinstance(e, SourceCrash)]) == []
    messages = _described(loaded.errors)
    expected = PLAN_ERRORS.get(folder, [])
    assert len(messages) == len(expected), messages
    assert all(fragment in message for fragment, message in zip(expected, messages, strict=True)), messages


@pytest.mark.parametrize("folder", [f for f in GENERATED if f not in PLANNED_WITH_VARIABLES])
def test_a_folder_and_its_plan_give_the_same_findings(folder: str) -> None:
    assert _findings(TERRAFORM / folder) == _findings(PLANS / folder / "plan.json")


def _sources_rows() -> dict[str, list[str]]:
    """The folders, the local modules and the license of each row of SOURCES.md's folder table."""
    rows: dict[str, list[str]] = {"folders": [], "modules": [], "licenses": []}
    section = ""
    for line in (TERRAFORM / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        section = line if line.startswith("## ") else section
        if section != "## Folders" or not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        folder, license_name, modules = cells[0].strip("`"), cells[1], cells[2]
        repo = folder.split("/")[0]
        rows["folders"].append(folder)
        rows["licenses"].append(f"{license_name}.{repo}.txt")
        rows["modules"] += [(f"{repo}/{m}" if m != "." else repo) for m in re.findall(r"`([^`]+)`", modules)]
    return rows


def test_each_folder_has_its_source_and_license_text() -> None:
    rows = _sources_rows()
    assert sorted(rows["folders"]) == sorted(FOLDERS)
    assert sorted({p.name for p in (TERRAFORM / "LICENSES").iterdir()}) == sorted(set(rows["licenses"]))
    listed = set(rows["folders"]) | set(rows["modules"])
    files = [p for p in TERRAFORM.rglob("*") if p.is_file() and "LICENSES" not in p.parts and p.name != "SOURCES.md"]
    assert sorted(p.relative_to(TERRAFORM).as_posix() for p in files
                  if p.parent.relative_to(TERRAFORM).as_posix() not in listed) == []
    assert {p.suffix for p in files} == {".tf"}
