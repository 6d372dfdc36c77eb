"""Whose IAM policy a gcloud dump is (`policylint/sources/gcp/naming.py`): the configuration, the document, a Cloud
KMS key's path, the file name, the folder, else the stem; two dumps of one project; key policies. On gcpdiag's real
`<project>/json-dumps/iam-policy.json` dumps (tests/corpus/gcp-iam-policy/gcpdiag) and on files in gcloud's shape."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from policylint.graph import grant_covers
from policylint.inventory import Loaded, load_paths
from policylint.model import Role
from policylint.sources.base import Options

from helpers import CORPUS, run_cli, write

HINT = ("; if the two files are of different projects, name each file's project in the configuration "
        "(`gcp-projects`, path glob -> project)")

GCPDIAG = CORPUS / "gcp-iam-policy" / "gcpdiag"
FIXTURES = Path(__file__).parent / "fixtures" / "gcp"
RING = "projects/acme-prod/locations/europe-west1/keyRings/customer-data"
KEY = f"{RING}/cryptoKeys/orders-db"
VIEWER = textwrap.dedent("""
    bindings:
    - members:
      - group:sre@acme.example
      role: roles/viewer
    etag: BwYF3b8Xq2E=
    version: 1
    """).lstrip()
DECRYPTER = textwrap.dedent("""
    bindings:
    - members:
      - user:lee.sy@acme.example
      role: roles/cloudkms.cryptoKeyDecrypter
    etag: BwYGm1bS5lI=
    version: 1
    """).lstrip()


def load(root: Path, projects: tuple[tuple[str, str], ...] = ()) -> Loaded:
    return load_paths([str(root)], Options(gcp_projects=projects), root=str(root))


def roles_of(loaded: Loaded) -> dict[str, Role]:
    return {r.id: r for r in loaded.inventory.roles}


def errors_of(loaded: Loaded) -> list[str]:
    return [str(e) for e in loaded.errors]


def target_of(role: Role) -> str:
    """The resource a role's binding is on: its id up to the role (`roles/…` or `projects/P/roles/…`)."""
    return ":".join(role.id.split(":")[:2])


# --- the order: configuration, document, path (keys), file name, folder, stem ------------------------------------

CUSTOM = textwrap.dedent("""
    bindings:
    - members:
      - serviceAccount:deployer@acme-analytics.iam.gserviceaccount.com
      role: projects/acme-analytics/roles/deployer
    etag: BwYF3b8Xq2E=
    version: 1
    """).lstrip()
BUCKET = """
    {
      "kind": "storage#policy",
      "resourceId": "projects/_/buckets/acme-exports",
      "version": 1,
      "etag": "CAE=",
      "bindings": [
        {
          "role": "roles/storage.legacyBucketReader",
          "members": [
            "projectViewer:acme-prod"
          ]
        }
      ]
    }
    """
ORDER_CASES = [  # (case, file, text, configuration, the policy's resource, basis)
    ("the configuration over the file name", "acme-prod.iam.yaml", VIEWER, (("*.yaml", "acme-dev"),),
     "gcp:projects/acme-dev", "config"),
    ("the configuration by folder glob", "gcpdiag/gke1/json-dumps/iam-policy.yaml", VIEWER,
     (("gcpdiag/apigee1/**", "acme-dev"), ("gcpdiag/gke1/**", "acme-prod")), "gcp:projects/acme-prod", "config"),
    ("the configuration over the custom roles' project, by number", "iam-policy.yaml", CUSTOM,
     (("*", "412345678901"),), "gcp:projects/412345678901", "config"),
    ("resource in the document", "iam-policy.yaml", "resource: projects/acme-prod\n" + VIEWER, (),
     "gcp:projects/acme-prod", "document"),
    ("a resource in the configured project", "iam-policy.yaml",
     "resource: //bigquery.googleapis.com/projects/acme-prod/datasets/orders\n" + VIEWER,
     (("*", "acme-prod"),), "gcp:projects/acme-prod/datasets/orders", "document"),
    ("the Cloud Storage JSON API's resourceId (gcpdiag's bucket-roles.json)", "bucket-roles.json", BUCKET, (),
     "gcp:projects/_/buckets/acme-exports", "document"),
    ("the project of the custom roles", "exports/iam-policy.yaml", CUSTOM, (), "gcp:projects/acme-analytics",
     "custom-roles"),
    ("custom roles agreeing with the file name", "exports/acme-analytics.iam.yaml", CUSTOM, (),
     "gcp:projects/acme-analytics", "custom-roles"),
    ("custom roles over a short folder name that cannot be a project id", "gke1/json-dumps/iam-policy.yaml", CUSTOM,
     (), "gcp:projects/acme-analytics", "custom-roles"),
    ("the file name", "exports/acme-prod.iam.yaml", VIEWER, (), "gcp:projects/acme-prod", "file-name"),
    ("a short file name", "exports/gke1.yaml", VIEWER, (), "gcp:projects/gke1", "file-name"),
    ("a generic file name: the folder", "acme-prod/iam-policy.yaml", VIEWER, (), "gcp:projects/acme-prod", "folder"),
    ("generic folders are skipped", "acme-prod/gcp/json-dumps/get-iam-policy.yaml", VIEWER, (),
     "gcp:projects/acme-prod", "folder"),
    ("a dated folder is skipped", "acme-prod/2026-11-01/iam_policy.yaml", VIEWER, (), "gcp:projects/acme-prod",
     "folder"),
    ("a folder name that cannot be a project's is skipped", "exports/acme[prod]/policy.yaml", VIEWER, (),
     "gcp:projects/policy", "fallback"),
    ("only folders under the run's root count", "iam-policy.yaml", VIEWER, (), "gcp:projects/iam-policy",
     "fallback"),
    # a project number, as the Cloud Console and Cloud Asset Inventory name projects
    ("a project number's folder", "123456789012/iam-policy.json", VIEWER, (), "gcp:projects/123456789012", "folder"),
    ("a project number's file", "exports/412345678901.json", VIEWER, (), "gcp:projects/412345678901", "file-name"),
    ("a dated number is no project number", "acme-prod/20261101/iam-policy.json", VIEWER, (),
     "gcp:projects/acme-prod", "folder"),
    # folders that say when or which copy, not whose
    ("latest is generic", "acme-prod/latest/iam-policy.json", VIEWER, (), "gcp:projects/acme-prod", "folder"),
    ("current is generic", "acme-prod/current/iam-policy.json", VIEWER, (), "gcp:projects/acme-prod", "folder"),
    ("a version is generic", "acme-prod/v2/iam-policy.json", VIEWER, (), "gcp:projects/acme-prod", "folder"),
    ("a dated snapshot folder is generic", "acme-prod/snapshot-2026-11-01/iam-policy.json", VIEWER, (),
     "gcp:projects/acme-prod", "folder"),
    # generic words before or after the project id are dropped, never the id cut
    ("a generic suffix", "shop-prod-iam-policy.json", VIEWER, (), "gcp:projects/shop-prod", "file-name"),
    ("a generic prefix", "iam-policy-shop-prod.json", VIEWER, (), "gcp:projects/shop-prod", "file-name"),
    ("a generic extension", "shop-prod.iam.json", VIEWER, (), "gcp:projects/shop-prod", "file-name"),
    ("a generic suffix after an underscore", "shop-prod_iam.json", VIEWER, (), "gcp:projects/shop-prod",
     "file-name"),
    ("a dated suffix", "shop-prod-2026-11-01.json", VIEWER, (), "gcp:projects/shop-prod", "file-name"),
    ("a flattened resource name", "projects_shop-prod_iam-policy.json", VIEWER, (), "gcp:projects/shop-prod",
     "file-name"),
    ("a word a project id ends in is kept", "prod-data.json", VIEWER, (), "gcp:projects/prod-data", "file-name"),
    ("a file name that cannot be a project id is not cut", "exports/ProjectAlpha.json", VIEWER, (),
     "gcp:projects/ProjectAlpha", "fallback"),
    ("a file name that cannot be a project id yields to the folder", "acme-prod/ProjectAlpha.json", VIEWER, (),
     "gcp:projects/acme-prod", "folder"),
    ("underscores are not read as hyphens", "proj_alpha_iam.json", VIEWER, (), "gcp:projects/proj_alpha",
     "fallback"),
]


@pytest.mark.parametrize(("case", "file", "text", "projects", "target", "basis"), ORDER_CASES,
                         ids=[c[0] for c in ORDER_CASES])
def test_the_policys_resource_in_order(tmp_path: Path, case: str, file: str, text: str,
                                       projects: tuple[tuple[str, str], ...], target: str, basis: str) -> None:
    write(tmp_path, file, text)
    loaded = load(tmp_path, projects)
    assert errors_of(loaded) == []
    (role,) = loaded.inventory.roles
    assert target_of(role) == target
    assert f"gcp-resource-from:{basis}" in role.flags
    # what stands for the policy (the project and its access control, or the bucket) says what named it
    assert {r.id: r.flags for r in loaded.inventory.resources if r.id.startswith(target)} == {
        r: (f"gcp-resource-from:{basis}",) for r in
        ((target,) if "/buckets/" in target or "/datasets/" in target else (f"{target}:access-control", target))}


CONTRADICTIONS = [  # (case, text, configuration, the errors, the resource used)
    ("resource in another project", "resource: projects/acme-dev\n" + VIEWER,
     ["1:11: error: expected resource to name project acme-prod or a resource in it (gcp-projects maps this file "
      "to acme-prod), found the string 'projects/acme-dev'"], "gcp:projects/acme-prod"),
    ("an organisation", "name: organizations/123456789012\n" + VIEWER,
     ["1:7: error: expected name to name project acme-prod or a resource in it (gcp-projects maps this file to "
      "acme-prod), found the string 'organizations/123456789012'"], "gcp:projects/acme-prod"),
    ("a custom role of another project", CUSTOM,
     ["4:9: error: expected the custom roles of project acme-prod (gcp-projects maps this file to it): a "
      "project's custom role can be granted only in it, found the string 'projects/acme-analytics/roles/deployer'"],
     "gcp:projects/acme-prod"),
    # R1 #5: the document's own name moved a pinned dump away, and "0 identities can reach customer data"
    ("a project number", "name: projects/123456789012\n" + VIEWER,
     ["1:7: error: expected name to name project acme-prod or a resource in it (gcp-projects maps this file to "
      "acme-prod), found the string 'projects/123456789012': a project number, which the files cannot tell to be "
      "acme-prod's or another's; read as acme-prod's policy: say which in gcp-projects (the number or the id) or in "
      "the document"], "gcp:projects/acme-prod"),
    ("a bucket, whose name does not say its project", BUCKET,
     ["3:17: error: expected resourceId to name project acme-prod or a resource in it (gcp-projects maps this file "
      "to acme-prod), found the string 'projects/_/buckets/acme-exports': `_` names no project; read as "
      "acme-prod's policy: say which in gcp-projects or in the document"], "gcp:projects/acme-prod"),
    ("any project", "name: projects/-\n" + VIEWER,
     ["1:7: error: expected name to name project acme-prod or a resource in it (gcp-projects maps this file to "
      "acme-prod), found the string 'projects/-': `-` names no project; read as acme-prod's policy: say which in "
      "gcp-projects or in the document"], "gcp:projects/acme-prod"),
]


@pytest.mark.parametrize(("case", "text", "errors", "target"), CONTRADICTIONS, ids=[c[0] for c in CONTRADICTIONS])
def test_the_configuration_against_the_document_is_an_error(tmp_path: Path, case: str, text: str,
                                                             errors: list[str], target: str) -> None:
    path = write(tmp_path, "iam-policy.yaml", text)
    loaded = load(tmp_path, (("*.yaml", "acme-prod"),))
    assert errors_of(loaded) == [f"{path}:{e}" for e in errors]
    assert {target_of(r) for r in loaded.inventory.roles} == {target}


def test_a_key_path_in_another_project_than_the_configurations_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, f"{KEY}/iam-policy.yaml", DECRYPTER)
    loaded = load(tmp_path, (("projects/**", "acme-dev"),))
    assert errors_of(loaded) == [f"{path}:1:1: error: expected the path to name project acme-dev or a resource in it "
                                 f"(gcp-projects maps this file to acme-dev), found the string '{KEY}'"]
    assert [target_of(r) for r in loaded.inventory.roles] == [
        "gcp:projects/acme-dev/locations/-/keyRings/-/cryptoKeys/-"]


def test_custom_roles_of_two_projects_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "iam-policy.yaml", """
        bindings:
        - members:
          - serviceAccount:deployer@acme-analytics.iam.gserviceaccount.com
          role: projects/acme-analytics/roles/deployer
        - members:
          - user:lee.sy@acme.example
          role: projects/acme-dev/roles/auditor
        etag: BwYF3b8Xq2E=
        version: 1
        """)
    loaded = load(tmp_path)
    assert errors_of(loaded) == [f"{path}:7:9: error: expected the custom roles of project acme-analytics: a project's "
                                 "custom role can be granted only in it, found the string "
                                 "'projects/acme-dev/roles/auditor'"]
    assert {target_of(r) for r in loaded.inventory.roles} == {"gcp:projects/acme-analytics"}


def test_a_pinned_dump_naming_a_project_number_keeps_its_reach(tmp_path: Path) -> None:
    """R1 #5 end to end: `name: projects/<number>` in a dump that gcp-projects pins moved its roles to the number's
    project, and the run said "0 identities can reach customer data"."""
    write(tmp_path, ".policylint.yaml", """
        gcp-projects:
          "prod-data/*": prod-data
        """)
    policy = write(tmp_path, "prod-data/iam-policy.json", """
        {
          "name": "projects/123456789012",
          "bindings": [
            {"role": "roles/storage.objectViewer",
             "members": ["serviceAccount:etl@prod-data.iam.gserviceaccount.com"]}
          ],
          "etag": "BwXhqDxQfT8=",
          "version": 1
        }
        """)
    write(tmp_path, "classify.yaml", """
        policylint: 1
        resources:
          - {id: "gcp:projects/prod-data/buckets/customer-exports", type: bucket, data: [customer_pii],
             records: 1000000, scope: "gcp:projects/prod-data", monitoring: true, logging: true}
        """)
    run = run_cli("check", str(tmp_path), "--config", str(tmp_path / ".policylint.yaml"), "--as-of", "2026-01-01")
    assert run.code == 2, run.out + run.err
    assert f"{policy}:2:11: error: expected name to name project prod-data" in run.out
    assert "; 1 identities can reach customer data." in run.out, run.out  # the service account; it was 0


CUSTOM_ELSEWHERE = textwrap.dedent("""
    bindings:
    - members:
      - serviceAccount:etl@prod-data.iam.gserviceaccount.com
      role: roles/storage.objectViewer
    - members:
      - group:auditors@acme.example
      role: projects/sandbox-lab1/roles/auditViewer
    etag: BwYF3b8Xq2E=
    version: 1
    """).lstrip()
CUSTOM_CASES = [  # (case, file, text, the errors, the resource used, basis)
    ("the folder and the service accounts name another project", "prod-data/iam-policy.yaml", CUSTOM_ELSEWHERE,
     ["7:9: error: expected the custom roles of project prod-data (the folder names it): a project's custom role can "
      "be granted only in it, found the string 'projects/sandbox-lab1/roles/auditViewer'; read as prod-data's policy: "
      "say which in gcp-projects"], "gcp:projects/prod-data", "folder"),
    ("the file name names another project", "exports/prod-data.iam.yaml", CUSTOM_ELSEWHERE,
     ["7:9: error: expected the custom roles of project prod-data (the file name names it): a project's custom role "
      "can be granted only in it, found the string 'projects/sandbox-lab1/roles/auditViewer'; read as prod-data's "
      "policy: say which in gcp-projects"], "gcp:projects/prod-data", "file-name"),
    ("the service accounts are of another project", "iam-policy.yaml", CUSTOM_ELSEWHERE,
     ["7:9: error: expected the custom roles of project prod-data (the service accounts it binds are of it): a "
      "project's custom role can be granted only in it, found the string 'projects/sandbox-lab1/roles/auditViewer'; "
      "read as sandbox-lab1's policy: say which in gcp-projects"], "gcp:projects/sandbox-lab1", "custom-roles"),
    ("the file name against custom roles and service accounts of one project", "exports/acme-prod.iam.yaml", CUSTOM,
     ["4:9: error: expected the custom roles of project acme-prod (the file name names it): a project's custom role "
      "can be granted only in it, found the string 'projects/acme-analytics/roles/deployer'; read as "
      "acme-analytics's policy: say which in gcp-projects"], "gcp:projects/acme-analytics", "custom-roles"),
]


@pytest.mark.parametrize(("case", "file", "text", "errors", "target", "basis"), CUSTOM_CASES,
                         ids=[c[0] for c in CUSTOM_CASES])
def test_one_custom_role_of_another_project_does_not_move_the_dump_silently(
        tmp_path: Path, case: str, file: str, text: str, errors: list[str], target: str, basis: str) -> None:
    """R1 #6: one binding of another project's custom role moved the whole dump to that project, without a word."""
    path = write(tmp_path, file, text)
    loaded = load(tmp_path)
    assert errors_of(loaded) == [f"{path}:{e}" for e in errors]
    assert {target_of(r) for r in loaded.inventory.roles} == {target}
    assert all(f"gcp-resource-from:{basis}" in r.flags for r in loaded.inventory.roles)


STATED_CASES = [  # (case, file, text, the errors, the resource used, basis)
    ("the document's name against the folder", "prod-data/iam-policy.yaml", "name: projects/sandbox-lab1\n" + VIEWER,
     ["1:7: error: expected name to name project prod-data or a resource in it (the folder names it), found the "
      "string 'projects/sandbox-lab1'; read as prod-data's policy: say which in gcp-projects"],
     "gcp:projects/prod-data", "folder"),
    ("a resource of another project against the file name", "exports/prod-data.iam.yaml",
     "resource: //bigquery.googleapis.com/projects/sandbox-lab1/datasets/orders\n" + VIEWER,
     ["1:11: error: expected resource to name project prod-data or a resource in it (the file name names it), found "
      "the string '//bigquery.googleapis.com/projects/sandbox-lab1/datasets/orders'; read as prod-data's policy: "
      "say which in gcp-projects"], "gcp:projects/prod-data", "file-name"),
    # nothing to disagree with: the path's name agrees, cannot be a project id, or the document names no project id
    ("agreeing with the folder", "prod-data/iam-policy.yaml", "name: projects/prod-data\n" + VIEWER, [],
     "gcp:projects/prod-data", "document"),
    ("a dataset of the folder's project", "prod-data/iam-policy.yaml",
     "resource: projects/prod-data/datasets/orders\n" + VIEWER, [], "gcp:projects/prod-data/datasets/orders",
     "document"),
    ("a short folder name", "gke1/json-dumps/iam-policy.yaml", "name: projects/acme-prod\n" + VIEWER, [],
     "gcp:projects/acme-prod", "document"),
    ("a bucket in a project's folder (gcpdiag's bucket-roles.json)", "prod-data/json-dumps/bucket-roles.json",
     BUCKET, [], "gcp:projects/_/buckets/acme-exports", "document"),
    ("an organisation", "prod-data/iam-policy.yaml", "name: organizations/123456789012\n" + VIEWER, [],
     "gcp:organizations/123456789012", "document"),
    ("a file named after its key", "keys/orders-db.iam.yaml", f"resource: {KEY}\n" + DECRYPTER, [],
     f"gcp:{KEY}", "document"),
    ("a folder named after its service account", "order-sync/iam-policy.yaml",
     "name: projects/acme-prod/serviceAccounts/order-sync@acme-prod.iam.gserviceaccount.com\n" + VIEWER, [],
     "gcp:projects/acme-prod/serviceAccounts/order-sync@acme-prod.iam.gserviceaccount.com", "document"),
]


@pytest.mark.parametrize(("case", "file", "text", "errors", "target", "basis"), STATED_CASES,
                         ids=[c[0] for c in STATED_CASES])
def test_the_documents_name_does_not_move_a_dump_silently(
        tmp_path: Path, case: str, file: str, text: str, errors: list[str], target: str, basis: str) -> None:
    """R4 g1: `name: projects/sandbox-lab1` in `prod-data/iam-policy.json` moved every role there without a word."""
    path = write(tmp_path, file, text)
    loaded = load(tmp_path)
    assert errors_of(loaded) == [f"{path}:{e}" for e in errors]
    assert {target_of(r) for r in loaded.inventory.roles} == {target}
    assert all(f"gcp-resource-from:{basis}" in r.flags for r in loaded.inventory.roles)


def test_a_dump_naming_another_project_than_its_folder_keeps_its_reach(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """R4 g1 end to end: the departed member's reach to the prod bucket was 2 -> 0 with no message."""
    monkeypatch.chdir(tmp_path)  # the run's root: its folders name projects
    policy = write(tmp_path, "prod-data/iam-policy.json", """
        {
          "name": "projects/sandbox-lab1",
          "bindings": [
            {"role": "roles/storage.objectViewer", "members": ["user:kim@example.com"]}
          ],
          "etag": "BwXhqDxQfT8=",
          "version": 1
        }
        """)
    write(tmp_path, "data.yaml", """
        policylint: 1
        people:
          - {id: kim, status: departed, departed: 2025-01-01, emails: [kim@example.com]}
        resources:
          - {id: "gcp:projects/prod-data/buckets/customer-exports", type: bucket, data: [customer_pii],
             records: 1000000, logging: true, log_retention_days: 730, monitoring: true}
        """)
    run = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert run.code == 2, run.out + run.err
    assert f"{policy}:2:11: error: expected name to name project prod-data" in run.out
    assert "; 2 identities can reach customer data." in run.out, run.out


@pytest.mark.parametrize(("layout", "projects"), [
    ({"123456789012/iam-policy.json": VIEWER, "210987654321/iam-policy.json": VIEWER},
     {"gcp:projects/123456789012", "gcp:projects/210987654321"}),
    ({"proj-alpha/latest/iam-policy.json": VIEWER, "proj-beta/latest/iam-policy.json": VIEWER},
     {"gcp:projects/proj-alpha", "gcp:projects/proj-beta"}),
    ({"ProjectAlpha.json": VIEWER, "ProjectBeta.json": VIEWER},
     {"gcp:projects/ProjectAlpha", "gcp:projects/ProjectBeta"}),
    ({"shop-prod-iam-policy.json": VIEWER, "iam-policy-shop-dev.json": VIEWER},
     {"gcp:projects/shop-prod", "gcp:projects/shop-dev"}),
], ids=["project numbers", "latest", "capitalised", "generic prefix and suffix"])
def test_dumps_of_two_projects_do_not_collide(tmp_path: Path, layout: dict[str, str], projects: set[str]) -> None:
    """R3 #7: each layout read both dumps as one project (`iam-policy`, `latest`, `roject`): an error, or one
    project's roles on the other's data."""
    for name, text in layout.items():
        write(tmp_path, name, text)
    loaded = load(tmp_path)
    assert errors_of(loaded) == []
    assert {target_of(r) for r in loaded.inventory.roles} == projects


def test_a_project_named_by_number_acts_as_any_service_account(tmp_path: Path) -> None:
    """Which accounts are a project number's own (`NAME@ID.iam.gserviceaccount.com`) the dump cannot say: its act-as
    key signs for every user-managed account (fail closed), not for `*@123456789012.iam…`, which is nobody."""
    write(tmp_path, "412345678901/iam-policy.yaml", """
        bindings:
        - members:
          - user:lee.sy@acme.example
          role: roles/iam.serviceAccountUser
        - members:
          - serviceAccount:412345678901-compute@developer.gserviceaccount.com
          - serviceAccount:orders-etl@acme-prod.iam.gserviceaccount.com
          role: roles/storage.objectViewer
        etag: BwYF3b8Xq2E=
        version: 1
        """)
    loaded = load(tmp_path)
    assert errors_of(loaded) == []
    (key,) = loaded.inventory.keys
    assert (key.id, key.signs_for) == ("gcp:projects/412345678901:act-as", (
        "gcp:serviceAccount:*.iam.gserviceaccount.com",
        "gcp:serviceAccount:412345678901-compute@developer.gserviceaccount.com",
        "gcp:serviceAccount:orders-etl@acme-prod.iam.gserviceaccount.com"))


# --- gcpdiag: `<test project>/json-dumps/iam-policy.json`, one project per folder -----------------------------

def test_a_gcpdiag_folder_loads_one_project_per_folder() -> None:
    run = run_cli("check", str(GCPDIAG), "--as-of", "2026-01-01")
    assert run.code == 1, run.out + run.err  # was exit 2: every dump was project `iam-policy`, ids twice
    assert ": error: " not in run.out
    loaded = load_paths([str(GCPDIAG)], root=str(GCPDIAG))
    assert errors_of(loaded) == []
    controls = {r.id: r.flags for r in loaded.inventory.resources if r.type == "access_control"}
    assert controls == {  # gke1 binds its custom roles (projects/gcpdiag-gke1-aaaa/roles/…); apigee1 names nothing
        "gcp:projects/gcpdiag-gke1-aaaa:access-control": ("gcp-resource-from:custom-roles",),
        "gcp:projects/apigee1:access-control": ("gcp-resource-from:folder",),
    }
    by_file: dict[str, set[str]] = {}
    for role in loaded.inventory.roles:
        by_file.setdefault(Path(role.location.file).relative_to(GCPDIAG).as_posix(), set()).add(target_of(role))
    assert by_file == {
        "gke1/json-dumps/iam-policy.json": {"gcp:projects/gcpdiag-gke1-aaaa"},
        "apigee1/json-dumps/iam-policy.json": {"gcp:projects/apigee1"},
        "apigee1/json-dumps/kms-key-iam-policy.json": {"gcp:projects/apigee1/locations/-/keyRings/-/cryptoKeys/-"},
    }
    assert len(roles_of(loaded)) == 8 + 4 + 1  # hand-counted bindings: none lost to a duplicate id


def test_the_configuration_names_gcpdiags_project_end_to_end(tmp_path: Path) -> None:
    """With `gcp-projects` the apigee1 folder is the project its key listing names, so its key policy reaches
    that key; without it the folder's name joins nothing the listing names."""
    shutil.copytree(GCPDIAG, tmp_path / "gcpdiag")
    config = write(tmp_path, ".policylint.yaml", """
        gcp-projects:
          "gcpdiag/apigee1/**": gcpdiag-apigee1-aaaa
        """)
    run = run_cli("check", str(tmp_path), "--config", str(config), "--as-of", "2026-01-01")
    assert run.code == 1 and ": error: " not in run.out, run.out + run.err
    role = ("gcp:projects/gcpdiag-apigee1-aaaa/locations/-/keyRings/-/cryptoKeys/-"
            ":roles/cloudkms.cryptoKeyEncrypterDecrypter")
    run = run_cli("facts", role, str(tmp_path), "--config", str(config), "--as-of", "2026-01-01")
    assert run.code == 0, run.out + run.err
    facts = json.loads(run.out)
    assert facts["flags"] == ["gcp-resource-from:config"]
    assert [(g["resource"], g["actions"]) for g in facts["grants"]] == [
        ("gcp:projects/gcpdiag-apigee1-aaaa/locations/*/keyRings/*/cryptoKeys/*", ["read", "write"])]
    key = "gcp:projects/gcpdiag-apigee1-aaaa/locations/us-central1/keyRings/apigee-keyring/cryptoKeys/apigee-key"
    for projects, covered in (((("gcpdiag/apigee1/**", "gcpdiag-apigee1-aaaa"),), True), ((), False)):
        loaded = load(tmp_path / "gcpdiag", tuple((g.removeprefix("gcpdiag/"), p) for g, p in projects))
        (policy,) = [r for r in loaded.inventory.roles if "cloudkms" in r.id]
        (listed,) = [k for k in loaded.inventory.keys if k.id == key]
        assert grant_covers(policy.grants[0], listed) is covered


# --- two dumps of one project ------------------------------------------------------------------------------------

def test_two_dumps_of_one_project_are_an_error_naming_both(tmp_path: Path) -> None:
    """Two dumps that share no role once merged silently into one project; now the project's access control, which
    each dump defines, is found twice."""
    first = write(tmp_path, "exports/2026-10/acme-prod.iam.yaml", VIEWER)
    second = write(tmp_path, "exports/2026-11/acme-prod.iam.yaml", VIEWER.replace("roles/viewer",
                                                                                "roles/bigquery.dataViewer"))
    run = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert run.code == 2, run.out + run.err
    assert [line for line in run.out.splitlines() if ": error: " in line] == [
        f"{second}:1:1: error: expected one IAM policy per account or project, found a second one of "
        f"'gcp:projects/acme-prod' (the first at {first}:1:1){HINT}"]


def test_identical_copies_of_one_dump_are_an_error_too(tmp_path: Path) -> None:
    """Which copy is current cannot be told from the files, and findings would be located in whichever sorts first:
    the run says so rather than merging them."""
    dump = (GCPDIAG / "gke1/json-dumps/iam-policy.json").read_text()
    first = write(tmp_path, "gke1/json-dumps/iam-policy.json", dump)
    second = write(tmp_path, "gke1-copy/json-dumps/iam-policy.json", dump)
    loaded = load(tmp_path)
    errors = errors_of(loaded)
    # the copy's folder names a project id its custom roles contradict; its service accounts side with the roles
    assert errors[0] == (f"{second}:2:3: error: expected one IAM policy per account or project, found a second one "
                         f"of 'gcp:projects/gcpdiag-gke1-aaaa' (the first at {first}:2:3){HINT}")
    assert (f"{second}:7:15: error: expected the custom roles of project gke1-copy (the folder names it): a project's "
            "custom role can be granted only in it, found the string "
            "'projects/gcpdiag-gke1-aaaa/roles/gke2_custom_role'; read as gcpdiag-gke1-aaaa's policy: say which in "
            "gcp-projects") in errors
    assert len(errors) == 2 + 8  # and each of its 8 bindings' roles
    assert all(str(second) in e.split(": error: ")[0] for e in errors)


# --- Cloud KMS key policies --------------------------------------------------------------------------------------

KEY_CASES = [  # (case, file, header, the policy's resource, its grants' resource, basis)
    ("the document's resource", "orders-db.iam.yaml", f"resource: {KEY}\n", KEY, KEY, "document"),
    ("the document's full resource name", "orders-db.iam.yaml", f"resource: //cloudkms.googleapis.com/{KEY}\n", KEY,
     KEY, "document"),
    ("the path's folders", f"{KEY}/iam-policy.yaml", "", KEY, KEY, "path"),
    ("the file name", f"exports/{KEY.replace('/', '_')}.iam.yaml", "", KEY, KEY, "path"),
    ("a key ring's folders", f"{RING}/get-iam-policy.yaml", "", RING, f"{RING}/cryptoKeys/*", "path"),
    ("no key named: every key of the folder's project", "acme-prod/kms-key-iam-policy.yaml", "",
     "projects/acme-prod/locations/-/keyRings/-/cryptoKeys/-",
     "projects/acme-prod/locations/*/keyRings/*/cryptoKeys/*", "folder"),
]


@pytest.mark.parametrize(("case", "file", "header", "target", "granted", "basis"), KEY_CASES,
                         ids=[c[0] for c in KEY_CASES])
def test_a_key_policy_grants_on_its_key(tmp_path: Path, case: str, file: str, header: str, target: str,
                                        granted: str, basis: str) -> None:
    write(tmp_path, file, header + DECRYPTER)
    loaded = load(tmp_path)
    assert errors_of(loaded) == []
    (role,) = loaded.inventory.roles
    assert (role.id, role.flags) == (f"gcp:{target}:roles/cloudkms.cryptoKeyDecrypter",
                                     (f"gcp-resource-from:{basis}",))
    assert [(g.resource, g.actions) for g in role.grants] == [(f"gcp:{granted}", ("read",))]
    # no project (nor its access control) claimed: the project's own dump may sit beside it
    assert [r.id for r in loaded.inventory.resources if r.type in ("project", "access_control")] == []


def _readers(folder: Path, key: str) -> list[str]:
    run = run_cli("facts", f"gcp:{key}", str(folder), "--as-of", "2026-01-01")
    assert run.code == 0, run.out + run.err
    return [reader["id"] for reader in json.loads(run.out)["readers"]]


@pytest.mark.parametrize(("policy", "readers"), [
    (f"{KEY}/iam-policy.yaml", {"orders-db": ["lee.sy"], "exports": []}),
    ("acme-prod/kms-key-iam-policy.yaml", {"orders-db": ["lee.sy"], "exports": ["lee.sy"]}),  # which: not known
])
def test_a_key_policy_lets_its_members_read_that_key(tmp_path: Path, policy: str,
                                                     readers: dict[str, list[str]]) -> None:
    write(tmp_path, policy, DECRYPTER)
    write(tmp_path, "acme-prod/json-dumps/iam-policy.yaml", VIEWER)  # the project's own policy beside it
    shutil.copy(FIXTURES / "kms-keys.yaml", tmp_path / "kms-keys.yaml")
    write(tmp_path, "org.yaml", """
        policylint: 1
        people:
          - {id: lee.sy, status: active, emails: [lee.sy@acme.example]}
        """)
    assert {name: _readers(tmp_path, f"{RING}/cryptoKeys/{name}") for name in readers} == readers
