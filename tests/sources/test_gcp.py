"""The GCP source: IAM policies, service-account keys and KMS keys as gcloud prints them, on the corpus and fixtures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from policylint.inventory import Loaded, load_paths
from policylint.model import Credential, CredentialStatus, Grant, Group, Key, Location, Principal, Resource, Role
from policylint.sources import gcp
from policylint.sources.gcp.members import member_node
from policylint.sources.gcp.policy import EXCLUDED, OpenTitle, condition_text

from helpers import CORPUS, run_cli, write

POLICIES = CORPUS / "gcp-iam-policy"
FIXTURES = Path(__file__).parent / "fixtures" / "gcp"
CI = POLICIES / "testing__kubeflow-ci.iam.policy.yaml"
KUBEFLOW = sorted(POLICIES.glob("testing__*.yaml"))  # the corpus also holds gcpdiag's dumps (test_gcp_projects.py)
SA = "gcp:serviceAccount:"
FROM_FILE_NAME = ("gcp-resource-from:file-name",)


def load(*paths: Path) -> Loaded:
    loaded = load_paths([str(p) for p in paths])
    assert [str(e) for e in loaded.errors] == []
    return loaded


def roles_of(loaded: Loaded) -> dict[str, Role]:
    return {r.id: r for r in loaded.inventory.roles}


def nodes_of(loaded: Loaded) -> dict[str, Principal | Group]:
    return {n.id: n for n in (*loaded.inventory.principals, *loaded.inventory.groups)}


# --- the corpus: real `gcloud projects get-iam-policy --format=yaml` dumps (Kubeflow) ---------------------------

@pytest.mark.parametrize(
    ("name", "project", "roles", "principals", "groups", "builtin"),
    [   # hand-counted: `- ` bindings, distinct `serviceAccount:`/`user:`/`group:` members, Google service agents
        ("testing__kubeflow-ci.iam.policy.yaml", "kubeflow-ci", 30, 59, 2, 7),
        ("testing__kubeflow-images-public.iam.policy.yaml", "kubeflow-images-public", 6, 11, 1, 7),
        ("testing__kubeflow-releasing.iam.policy.yaml", "kubeflow-releasing", 11, 9, 1, 6),
    ],
)
def test_every_corpus_policy_loads(name: str, project: str, roles: int, principals: int, groups: int,
                                   builtin: int) -> None:
    loaded = load(POLICIES / name)
    inventory = loaded.inventory
    assert len(inventory.roles) == roles
    assert all(r.id.startswith(f"gcp:projects/{project}:roles/") for r in inventory.roles)
    assert len(inventory.principals) == principals
    assert len(inventory.groups) == groups
    assert sum("builtin" in p.flags for p in inventory.principals) == builtin
    assert not any("deleted" in n.flags for n in (*inventory.principals, *inventory.groups))  # none in the corpus
    assert [(r.id, r.type, r.scope, r.flags) for r in inventory.resources] == [  # the dump defines its access control
        (f"gcp:projects/{project}:access-control", "access_control", f"gcp:projects/{project}", FROM_FILE_NAME),
        (f"gcp:projects/{project}", "project", f"gcp:projects/{project}", FROM_FILE_NAME),
    ]
    assert [k.id for k in inventory.keys] == [f"gcp:projects/{project}:act-as"]


def test_corpus_owner_and_editor_bindings_hand_checked() -> None:
    roles = roles_of(load(CI))
    owner = roles["gcp:projects/kubeflow-ci:roles/owner"]
    assert owner.location == Location(str(CI), 161, 3)
    assert owner.assumable_by == ("gcp:group:ci-team@kubeflow.org",
                                  f"{SA}kubeflow-releasing@kubeflow-releasing.iam.gserviceaccount.com",
                                  "gcp:user:jlewi@kubeflow.org")
    assert owner.flags == ("gcp-basic-role", "gcp-resource-from:file-name")
    at = Location(str(CI), 165, 9)
    assert owner.grants == (
        Grant("gcp:projects/kubeflow-ci", ("*",), at, via="roles/owner", actions_given=("roles/owner",)),
        Grant("gcp:projects/kubeflow-ci/*", ("*",), at, excluding=EXCLUDED, via="roles/owner",
              actions_given=("roles/owner",)),
        Grant("gcp:projects/kubeflow-ci/locations/*/keyRings/*/cryptoKeys/*", ("*",), at, via="roles/owner",
              actions_given=("roles/owner",)),
        Grant("gcp:projects/kubeflow-ci:access-control", ("admin",), at, via="roles/owner",
              actions_given=("roles/owner",)),
        Grant("gcp:projects/kubeflow-ci:act-as", ("read",), at, via="roles/owner", actions_given=("roles/owner",)),
    )
    editor = roles["gcp:projects/kubeflow-ci:roles/editor"]
    assert editor.location == Location(str(CI), 102, 3)
    assert editor.assumable_by == (f"{SA}593963025935-compute@developer.gserviceaccount.com",
                                   f"{SA}593963025935@cloudservices.gserviceaccount.com",
                                   f"{SA}service-593963025935@containerregistry.iam.gserviceaccount.com")
    assert [(g.resource, g.actions) for g in editor.grants] == [
        ("gcp:projects/kubeflow-ci", ("read", "write", "delete")),
        ("gcp:projects/kubeflow-ci/*", ("read", "write", "delete")),
        ("gcp:projects/kubeflow-ci/locations/*/keyRings/*/cryptoKeys/*", ("read", "write")),
        ("gcp:projects/kubeflow-ci:act-as", ("read",)),
    ]
    admins = roles["gcp:projects/kubeflow-ci:roles/resourcemanager.projectIamAdmin"]
    assert [(g.resource, g.actions) for g in admins.grants] == [("gcp:projects/kubeflow-ci:access-control",
                                                                 ("admin",))]
    assert roles["gcp:projects/kubeflow-ci:roles/logging.logWriter"].grants == ()
    assert len(roles["gcp:projects/kubeflow-ci:roles/source.admin"].assumable_by) == 30


def test_corpus_act_as_key_signs_for_the_projects_own_accounts() -> None:
    (key,) = load(CI).inventory.keys
    assert key.signs_for[0] == f"{SA}*@kubeflow-ci.iam.gserviceaccount.com"
    # the 46 accounts of kubeflow-ci the policy names, and the Compute default account of project 593963025935
    assert len(key.signs_for) == 1 + 46 + 1
    assert f"{SA}593963025935-compute@developer.gserviceaccount.com" in key.signs_for
    assert f"{SA}688881552167-compute@developer.gserviceaccount.com" not in key.signs_for  # another project's
    assert (key.purpose, key.storage, key.auto_rotate, key.token_ttl_seconds, key.scope, key.flags) == (
        "signing", "kms", True, 3600, "gcp:projects/kubeflow-ci", ("gcp-act-as",))


def test_corpus_repeated_members_count_once_and_trailing_spaces_are_not_kept() -> None:
    releasing = roles_of(load(POLICIES / "testing__kubeflow-releasing.iam.policy.yaml"))
    assert releasing["gcp:projects/kubeflow-releasing:roles/editor"].assumable_by == (
        "gcp:group:release-team@kubeflow.org", f"{SA}67369850431-compute@developer.gserviceaccount.com",
        f"{SA}67369850431@cloudservices.gserviceaccount.com",
        f"{SA}service-67369850431@containerregistry.iam.gserviceaccount.com")
    public = roles_of(load(POLICIES / "testing__kubeflow-images-public.iam.policy.yaml"))
    assert public["gcp:projects/kubeflow-images-public:roles/storage.admin"].assumable_by[1] == (
        f"{SA}kubeflow-releasing@kubeflow-releasing.iam.gserviceaccount.com")
    assert len(public["gcp:projects/kubeflow-images-public:roles/sourcerepo.serviceAgent"].assumable_by) == 1


def test_the_corpus_loads_as_one_folder_with_each_member_once() -> None:
    inventory = load(*KUBEFLOW).inventory
    ids = [n.id for n in (*inventory.principals, *inventory.groups)]
    assert len(ids) == len(set(ids))
    assert ids.count("gcp:user:jlewi@kubeflow.org") == 1  # owner of all three projects
    assert len(inventory.roles) == 30 + 6 + 11


def test_corpus_check_finds_every_basic_role_holder_but_googles_own_agents() -> None:
    run = run_cli("check", *map(str, KUBEFLOW), "--as-of", "2026-01-01", "--select", "PL110", "--select", "PL209")
    assert run.code == 1, run.out + run.err
    assert "Traceback" not in run.out + run.err
    found = {line.split()[4] for line in run.out.splitlines() if " PL209 " in line}
    assert found == {  # hand-checked: Owner and Editor members of the three projects, service agents left out
        "gcp:group:ci-team@kubeflow.org", "gcp:group:release-team@kubeflow.org", "gcp:user:jlewi@kubeflow.org",
        f"{SA}kubeflow-releasing@kubeflow-releasing.iam.gserviceaccount.com",
        f"{SA}593963025935-compute@developer.gserviceaccount.com",
        f"{SA}760823423706-compute@developer.gserviceaccount.com",
        f"{SA}67369850431-compute@developer.gserviceaccount.com",
    }
    assert f"{CI}:164:5: HIGH PL209 principal gcp:user:jlewi@kubeflow.org" in run.out
    assert " PL110 " not in run.out  # no deleted member in the corpus


# --- members -------------------------------------------------------------------------------------------------

def test_each_member_type_becomes_its_node() -> None:
    path = FIXTURES / "acme-prod.iam.yaml"
    nodes = nodes_of(load(path))

    def at(line: int) -> Location:
        return Location(str(path), line, 5)

    assert nodes == {
        f"{SA}order-sync@acme-prod.iam.gserviceaccount.com": Principal(
            f"{SA}order-sync@acme-prod.iam.gserviceaccount.com", at(9), "service"),
        "gcp:deleted:serviceAccount:legacy-etl@acme-prod.iam.gserviceaccount.com?uid=109876543210987654321": Principal(
            "gcp:deleted:serviceAccount:legacy-etl@acme-prod.iam.gserviceaccount.com?uid=109876543210987654321",
            at(10), "service", flags=("deleted",)),
        "gcp:domain:acme.example": Group("gcp:domain:acme.example", at(13), flags=("gcp-domain",)),
        f"{SA}service-412345678901@compute-system.iam.gserviceaccount.com": Principal(
            f"{SA}service-412345678901@compute-system.iam.gserviceaccount.com", at(16), "service",
            flags=("builtin",)),
        "gcp:group:data-eng@acme.example": Group("gcp:group:data-eng@acme.example", at(19)),
        f"{SA}412345678901-compute@developer.gserviceaccount.com": Principal(
            f"{SA}412345678901-compute@developer.gserviceaccount.com", at(20), "service"),
        f"{SA}412345678901@cloudservices.gserviceaccount.com": Principal(
            f"{SA}412345678901@cloudservices.gserviceaccount.com", at(21), "service", flags=("builtin",)),
        "gcp:group:sre@acme.example": Group("gcp:group:sre@acme.example", at(24)),
        "gcp:user:lee.sy@acme.example": Principal("gcp:user:lee.sy@acme.example", at(25), "user",
                                                  identifiers=("lee.sy@acme.example",)),
        "gcp:principalSet://iam.googleapis.com/projects/412345678901/locations/global/workloadIdentityPools/github/"
        "attribute.repository/acme/orders": Principal(
            "gcp:principalSet://iam.googleapis.com/projects/412345678901/locations/global/workloadIdentityPools/"
            "github/attribute.repository/acme/orders", at(28), "external", flags=("gcp-principal-set",)),
        "gcp:deleted:user:kim.jh@acme.example?uid=113245209871234567890": Principal(
            "gcp:deleted:user:kim.jh@acme.example?uid=113245209871234567890", at(31), "user", flags=("deleted",)),
        "gcp:user:oncall-lead@acme.example": Principal("gcp:user:oncall-lead@acme.example", at(39), "user",
                                                       identifiers=("oncall-lead@acme.example",)),
        f"{SA}deployer@acme-prod.iam.gserviceaccount.com": Principal(
            f"{SA}deployer@acme-prod.iam.gserviceaccount.com", at(42), "service"),
        "gcp:principal://iam.googleapis.com/locations/global/workforcePools/acme-okta/subject/park.mj@acme.example":
            Principal("gcp:principal://iam.googleapis.com/locations/global/workforcePools/acme-okta/subject/"
                      "park.mj@acme.example", at(45), "user", identifiers=("park.mj@acme.example",),
                      flags=("gcp-federated",)),
        "gcp:deleted:group:contractors@acme.example?uid=987654321098765432101": Group(
            "gcp:deleted:group:contractors@acme.example?uid=987654321098765432101", at(48), flags=("deleted",)),
    }


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("allUsers", None),
        ("allAuthenticatedUsers", None),
        ("principalSet://goog/public:all", None),
        ("principal://iam.googleapis.com/projects/4/locations/global/workloadIdentityPools/gh/subject/repo:a/b",
         Principal("gcp:principal://iam.googleapis.com/projects/4/locations/global/workloadIdentityPools/gh/subject/"
                   "repo:a/b", Location("m", 1, 1), "external", flags=("gcp-federated",))),
        ("principalSet://iam.googleapis.com/locations/global/workforcePools/okta/group/eng",
         Group("gcp:principalSet://iam.googleapis.com/locations/global/workforcePools/okta/group/eng",
               Location("m", 1, 1), flags=("gcp-principal-set",))),
        ("projectOwner:acme-prod", Group("gcp:projectOwner:acme-prod", Location("m", 1, 1),
                                         members=("gcp:projects/acme-prod:roles/owner",), flags=("gcp-convenience",))),
        ("deleted:principal://iam.googleapis.com/locations/global/workforcePools/okta/subject/kim",
         Principal("gcp:deleted:principal://iam.googleapis.com/locations/global/workforcePools/okta/subject/kim",
                   Location("m", 1, 1), "service", flags=("deleted",))),
        ("serviceAccount:ci@gcp-sa-cloudbuild.iam.gserviceaccount.com",
         Principal(f"{SA}ci@gcp-sa-cloudbuild.iam.gserviceaccount.com", Location("m", 1, 1), "service",
                   flags=("builtin",))),
    ],
)
def test_member_node_is_a_function_of_the_member_alone(member: str, expected: Principal | Group | None) -> None:
    assert member_node(member, Location("m", 1, 1)) == expected


def test_public_members_are_everyone_and_flag_the_binding() -> None:
    path = FIXTURES / "acme-public-assets.bucket-policy.json"
    loaded = load(path)
    roles = roles_of(loaded)
    public = roles["gcp:projects/_/buckets/acme-public-assets:roles/storage.objectViewer"]
    assert (public.assumable_by, public.flags) == (("*",), ("public", "gcp-resource-from:document"))
    assert roles["gcp:projects/_/buckets/acme-public-assets:roles/storage.legacyBucketOwner"].assumable_by == (
        "gcp:projectEditor:acme-prod", "gcp:projectOwner:acme-prod")
    assert loaded.inventory.resources == (
        Resource("gcp:projects/_/buckets/acme-public-assets", Location(str(path), 2, 3), "bucket", scope="gcp",
                 flags=("gcp-resource-from:document",)),)
    assert [(g.resource, g.actions) for g in public.grants] == [
        ("gcp:projects/_/buckets/acme-public-assets", ("read",)),
        ("gcp:projects/_/buckets/acme-public-assets/*", ("read",)),
    ]


# --- bindings and grants -------------------------------------------------------------------------------------

def test_roles_map_to_grants_on_the_right_targets() -> None:
    roles = roles_of(load(FIXTURES / "acme-prod.iam.yaml"))

    def shown(role: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(g.resource, g.actions) for g in roles[f"gcp:projects/acme-prod:{role}"].grants]

    data = ["gcp:projects/acme-prod", "gcp:projects/acme-prod/*"]
    keys = "gcp:projects/acme-prod/locations/*/keyRings/*/cryptoKeys/*"
    assert shown("roles/viewer") == [(d, ("read",)) for d in data]
    assert shown("roles/bigquery.dataEditor") == [(d, ("read", "write", "delete")) for d in data]
    assert shown("roles/compute.serviceAgent") == [(d, ("read", "write")) for d in data]  # judged by its name
    assert shown("roles/iam.serviceAccountTokenCreator") == [("gcp:projects/acme-prod:act-as", ("read",))]
    assert shown("roles/iam.workloadIdentityUser") == [("gcp:projects/acme-prod:act-as", ("read",))]
    assert shown("projects/acme-prod/roles/deployer") == [*((d, ("read", "write", "delete")) for d in data),
                                                          (keys, ("read", "write"))]
    assert roles["gcp:projects/acme-prod:projects/acme-prod/roles/deployer"].flags == (
        "gcp-custom-role", "gcp-resource-from:custom-roles")  # a project's custom role names it
    assert shown("roles/owner#2")[3] == ("gcp:projects/acme-prod:access-control", ("admin",))


def test_a_condition_is_kept_on_every_grant_and_a_repeated_role_gets_a_new_id() -> None:
    path = FIXTURES / "acme-analytics.iam.json"
    roles = roles_of(load(path))
    assert list(roles) == ["gcp:projects/acme-analytics:roles/bigquery.dataViewer",
                           "gcp:projects/acme-analytics:roles/bigquery.dataViewer#2",
                           "gcp:projects/acme-analytics:roles/bigquery.jobUser"]
    plain, conditional = roles["gcp:projects/acme-analytics:roles/bigquery.dataViewer"], \
        roles["gcp:projects/acme-analytics:roles/bigquery.dataViewer#2"]
    assert {g.condition for g in plain.grants} == {None}
    assert {g.condition for g in conditional.grants} == {
        '"reporting-only": resource.name.startsWith("projects/acme-analytics/datasets/reporting")'}
    assert conditional.location == Location(str(path), 10, 5)
    assert conditional.grants[0].location == Location(str(path), 19, 15)


def test_an_owner_condition_without_title_keeps_the_expression(tmp_path: Path) -> None:
    path = write(tmp_path, "acme-dev.iam.yaml", """
        bindings:
        - condition:
            expression: request.time < timestamp("2026-02-01T00:00:00Z")
          members:
          - user:lee.sy@acme.example
          role: roles/owner
        etag: BwYF3b8Xq2E=
        version: 3
        """)
    (role,) = load(path).inventory.roles
    assert {g.condition for g in role.grants} == {'request.time < timestamp("2026-02-01T00:00:00Z")'}


def test_project_resource_logging_comes_from_data_read_audit_logs() -> None:
    loaded = load(FIXTURES / "acme-prod.iam.yaml", FIXTURES / "acme-analytics.iam.json")
    logging = {r.id: r.logging for r in loaded.inventory.resources}
    assert logging == {"gcp:projects/acme-analytics": None, "gcp:projects/acme-analytics:access-control": None,
                       "gcp:projects/acme-prod": True, "gcp:projects/acme-prod:access-control": None}


def test_an_organisation_policy_reaches_all_of_gcp() -> None:
    path = FIXTURES / "acme-org.iam.yaml"
    loaded = load(path)
    roles = roles_of(loaded)
    admin = roles["gcp:organizations/123456789012:roles/resourcemanager.organizationAdmin"]
    assert [(g.resource, g.actions, g.excluding) for g in admin.grants] == [("gcp:*:access-control", ("admin",), ())]
    viewer = roles["gcp:organizations/123456789012:roles/viewer"]
    assert [(g.resource, g.actions, g.excluding) for g in viewer.grants] == [("gcp:*", ("read",), EXCLUDED)]
    assert roles["gcp:organizations/123456789012:roles/iam.securityReviewer"].grants == ()
    assert [(r.id, r.type, r.scope) for r in loaded.inventory.resources] == [
        ("gcp:organizations/123456789012:access-control", "access_control", "gcp:organizations/123456789012"),
        ("gcp:organizations/123456789012", "organization", "gcp:organizations/123456789012"),
    ]
    assert loaded.inventory.keys == ()


def test_a_service_account_policy_acts_as_that_account_only() -> None:
    path = FIXTURES / "order-sync.sa-policy.yaml"
    loaded = load(path)
    email = "order-sync@acme-prod.iam.gserviceaccount.com"
    name = f"gcp:projects/acme-prod/serviceAccounts/{email}"
    (role,) = loaded.inventory.roles
    assert (role.id, [(g.resource, g.actions) for g in role.grants]) == (
        f"{name}:roles/iam.serviceAccountTokenCreator", [(f"{name}:act-as", ("read",))])
    assert loaded.inventory.keys == (
        Key(f"{name}:act-as", Location(str(path), 1, 1), "signing", "kms", rotation_days=14,
            signs_for=(f"{SA}{email}",), token_ttl="1h", token_ttl_seconds=3600, auto_rotate=True,
            scope="gcp:projects/acme-prod", flags=("gcp-act-as",)),)
    assert [p.id for p in loaded.inventory.principals] == [f"{SA}{email}", "gcp:user:park.mj@acme.example"]
    assert loaded.inventory.resources == ()


@pytest.mark.parametrize(
    ("file", "header", "target"),
    [
        ("kubeflow-ci.iam.policy.yaml", "", "gcp:projects/kubeflow-ci"),
        ("export__acme-prod.iam.json", "", "gcp:projects/acme-prod"),
        ("acme-prod.policy.yaml", "", "gcp:projects/acme-prod"),
        ("acme-prod.yaml", "", "gcp:projects/acme-prod"),
        ("2026-01-01_acme-prod.iam.yaml", "", "gcp:projects/acme-prod"),
        ("policy.yaml", "resource: projects/acme-prod\n", "gcp:projects/acme-prod"),
        ("policy.yaml", "resource: //cloudresourcemanager.googleapis.com/projects/acme-prod\n",
         "gcp:projects/acme-prod"),
        ("policy.yaml", "name: folders/998877665544\n", "gcp:folders/998877665544"),
        ("policy.yaml", "resource: //storage.googleapis.com/acme-exports\n", "gcp:projects/_/buckets/acme-exports"),
        ("policy.yaml", "resource: projects/acme-prod/datasets/orders\n", "gcp:projects/acme-prod/datasets/orders"),
    ],
)
def test_the_policys_resource_comes_from_its_field_or_file_name(tmp_path: Path, file: str, header: str,
                                                                target: str) -> None:
    path = write(tmp_path, file, header + "bindings:\n- members:\n  - group:sre@acme.example\n  role: roles/viewer\n")
    (role,) = load(path).inventory.roles
    assert role.id == f"{target}:roles/viewer"


# --- service-account keys and KMS keys -----------------------------------------------------------------------

def test_user_managed_service_account_keys_become_credentials() -> None:
    path = FIXTURES / "sa-keys.yaml"
    loaded = load(path)
    account = f"{SA}order-sync@acme-prod.iam.gserviceaccount.com"

    def key(line: int, key_id: str, status: CredentialStatus, created: date, expires: date | None,
            flags: tuple[str, ...] = ("gcp-user-managed", "last-use-unknown")) -> Credential:
        return Credential(f"{account}#key-{key_id}", Location(str(path), line, 1), "access_key", account, None,
                          status, created=created, expires=expires, flags=flags)

    assert loaded.inventory.credentials == (
        key(2, "3f1c2a9b8e7d6c5b4a39281706f5e4d3c2b1a098", "active", date(2024, 3, 14), None),
        key(9, "9a8b7c6d5e4f30211f2e3d4c5b6a79880a1b2c3d", "inactive", date(2023, 1, 5), None),
        key(17, "77e1d2c3b4a5968778695a4b3c2d1e0f11223344", "active", date(2025, 11, 1), date(2026, 11, 1),
            ("gcp-user-managed", "last-use-unknown", "gcp-user-provided")),
    )  # the fourth, SYSTEM_MANAGED key is Google's: no credential
    assert loaded.inventory.principals == (Principal(account, Location(str(path), 2, 1), "service"),)


def test_service_account_keys_as_json() -> None:
    path = FIXTURES / "sa-keys.json"
    account = f"{SA}deployer@acme-prod.iam.gserviceaccount.com"
    assert load(path).inventory.credentials == (
        Credential(f"{account}#key-5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2", Location(str(path), 2, 3),
                   "access_key", account, None, "active", created=date(2022, 8, 30),
                   flags=("gcp-user-managed", "last-use-unknown")),)


def test_kms_keys_become_keys() -> None:
    path = FIXTURES / "kms-keys.yaml"
    ring = "gcp:projects/acme-prod/locations/europe-west1/keyRings/customer-data/cryptoKeys"
    assert load(path).inventory.keys == (
        Key(f"{ring}/orders-db", Location(str(path), 2, 1), "encryption", "hsm", date(2023, 2, 1),
            date(2025, 11, 16), 90, auto_rotate=True, scope="gcp:projects/acme-prod"),
        Key(f"{ring}/exports", Location(str(path), 19, 1), "encryption", "kms", date(2022, 6, 10),
            date(2022, 6, 10), None, auto_rotate=False, scope="gcp:projects/acme-prod"),
        Key("gcp:projects/acme-prod/locations/global/keyRings/auth/cryptoKeys/id-token-signing",
            Location(str(path), 34, 1), "signing", "kms", date(2024, 9, 1), None, None, auto_rotate=None,
            scope="gcp:projects/acme-prod"),
    )


def test_kms_keys_as_json() -> None:
    path = FIXTURES / "kms-keys.json"
    assert load(path).inventory.keys == (
        Key("gcp:projects/acme-analytics/locations/us/keyRings/warehouse/cryptoKeys/bq-cmek",
            Location(str(path), 2, 3), "encryption", "kms", date(2024, 1, 15), date(2025, 1, 15), 365,
            auto_rotate=True, scope="gcp:projects/acme-analytics"),)


@pytest.mark.parametrize(("period", "days"), [("7776000s", 90), ("7776001s", 91), ("86400.5s", 2), ("3600s", 1)])
def test_rotation_period_rounds_up_to_whole_days(tmp_path: Path, period: str, days: int) -> None:
    path = write(tmp_path, "keys.yaml", f"""
        ---
        name: projects/p1/locations/global/keyRings/r/cryptoKeys/k
        purpose: ENCRYPT_DECRYPT
        rotationPeriod: {period}
        """)
    (key,) = load(path).inventory.keys
    assert key.rotation_days == days


# --- across files, and through the graph ---------------------------------------------------------------------

def test_every_fixture_loads_together(tmp_path: Path) -> None:
    loaded = load(FIXTURES)
    assert len(loaded.files) == 9
    assert [p.id for p in loaded.inventory.principals].count(f"{SA}order-sync@acme-prod.iam.gserviceaccount.com") == 1


def _reach(folder: Path) -> dict[str, dict[str, list[str]]]:
    run = run_cli("reach", str(folder), "--format", "json", "--as-of", "2026-01-01")
    assert run.code == 0, run.out + run.err
    return {i["id"]: {r["id"]: r["path"] for r in i["resources"]} for i in json.loads(run.out)["identities"]}


ROSTER = """
    policylint: 1
    people:
      - {id: lee.sy, status: active, emails: [lee.sy@acme.example]}
    annotate:
      - {match: "gcp:projects/acme-prod", data: [customer_pii], records: 1200000}
    """


def test_token_creator_reaches_data_as_the_service_account(tmp_path: Path) -> None:
    write(tmp_path, "acme-prod.iam.yaml", """
        bindings:
        - members:
          - serviceAccount:order-sync@acme-prod.iam.gserviceaccount.com
          role: roles/bigquery.dataEditor
        - members:
          - user:lee.sy@acme.example
          role: roles/iam.serviceAccountTokenCreator
        etag: BwYF3b8Xq2E=
        version: 1
        """)
    write(tmp_path, "org.yaml", ROSTER)
    assert _reach(tmp_path)["lee.sy"] == {"gcp:projects/acme-prod": [
        "lee.sy", "gcp:user:lee.sy@acme.example", "gcp:projects/acme-prod:roles/iam.serviceAccountTokenCreator",
        "gcp:projects/acme-prod:act-as", f"{SA}order-sync@acme-prod.iam.gserviceaccount.com",
        "gcp:projects/acme-prod:roles/bigquery.dataEditor", "gcp:projects/acme-prod"]}


def test_a_viewer_reaches_data_but_no_service_account(tmp_path: Path) -> None:
    write(tmp_path, "acme-prod.iam.yaml", """
        bindings:
        - members:
          - serviceAccount:order-sync@acme-prod.iam.gserviceaccount.com
          role: roles/bigquery.dataEditor
        - members:
          - user:lee.sy@acme.example
          role: roles/viewer
        etag: BwYF3b8Xq2E=
        version: 1
        """)
    write(tmp_path, "org.yaml", ROSTER)
    assert _reach(tmp_path)["lee.sy"] == {"gcp:projects/acme-prod": [
        "lee.sy", "gcp:user:lee.sy@acme.example", "gcp:projects/acme-prod:roles/viewer", "gcp:projects/acme-prod"]}


def test_an_organisation_admin_reaches_every_projects_data_through_its_access_control(tmp_path: Path) -> None:
    write(tmp_path, "acme-org.iam.yaml", """
        bindings:
        - members:
          - user:lee.sy@acme.example
          role: roles/resourcemanager.organizationAdmin
        etag: BwYEu9F4dKw=
        resource: organizations/123456789012
        version: 1
        """)
    write(tmp_path, "acme-prod.iam.yaml", """
        bindings:
        - members:
          - group:data-eng@acme.example
          role: roles/bigquery.dataViewer
        etag: BwYF3b8Xq2E=
        version: 1
        """)
    write(tmp_path, "org.yaml", ROSTER)
    assert _reach(tmp_path)["lee.sy"] == {"gcp:projects/acme-prod": [
        "lee.sy", "gcp:user:lee.sy@acme.example", "gcp:organizations/123456789012:roles/resourcemanager."
        "organizationAdmin", "gcp:projects/acme-prod:access-control", "gcp:projects/acme-prod"]}


def test_kms_keys_are_used_by_key_roles_not_by_viewers(tmp_path: Path) -> None:
    write(tmp_path, "acme-prod.iam.yaml", """
        bindings:
        - members:
          - user:lee.sy@acme.example
          role: roles/cloudkms.cryptoKeyDecrypter
        - members:
          - user:park.mj@acme.example
          role: roles/viewer
        etag: BwYF3b8Xq2E=
        version: 1
        """)
    (tmp_path / "kms-keys.yaml").write_text((FIXTURES / "kms-keys.yaml").read_text())
    write(tmp_path, "org.yaml", """
        policylint: 1
        people:
          - {id: lee.sy, status: active, emails: [lee.sy@acme.example]}
          - {id: park.mj, status: active, emails: [park.mj@acme.example]}
        """)
    key = "gcp:projects/acme-prod/locations/europe-west1/keyRings/customer-data/cryptoKeys/exports"
    run = run_cli("facts", key, str(tmp_path), "--as-of", "2026-01-01")
    assert run.code == 0, run.out + run.err
    facts = json.loads(run.out)
    assert [r["id"] for r in facts["readers"]] == ["lee.sy"]
    assert facts["held_via"] == ["lee.sy", "gcp:user:lee.sy@acme.example",
                                 "gcp:projects/acme-prod:roles/cloudkms.cryptoKeyDecrypter", key]


def test_acting_as_reaches_an_account_only_another_file_names(tmp_path: Path) -> None:
    write(tmp_path, "acme-prod.iam.yaml", """
        bindings:
        - members:
          - user:lee.sy@acme.example
          role: roles/iam.serviceAccountTokenCreator
        etag: BwYF3b8Xq2E=
        version: 1
        """)
    write(tmp_path, "acme-analytics.iam.yaml", """
        bindings:
        - members:
          - serviceAccount:etl@acme-prod.iam.gserviceaccount.com
          role: roles/bigquery.dataViewer
        etag: BwYF3cQ1ZrM=
        version: 1
        """)
    write(tmp_path, "org.yaml", ROSTER.replace("acme-prod", "acme-analytics"))
    assert "gcp:projects/acme-analytics" in _reach(tmp_path)["lee.sy"]


# --- detection and bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "ours"),
    [
        ("bindings:\n- members:\n  - user:a@b.example\n  role: roles/viewer\netag: BwY=\n", True),
        ('{\n  "bindings": [\n    {\n      "members": ["user:a@b.example"],\n      "role": "roles/viewer"\n', True),
        ("bindings:\n- members: [user:a@b.example]\n  role: projects/p1/roles/custom\n", True),
        ("---\nkeyType: USER_MANAGED\nname: projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1\n", True),
        ("---\nname: projects/p/locations/global/keyRings/r/cryptoKeys/k\npurpose: ENCRYPT_DECRYPT\n", True),
        ("apiVersion: iam.cnrm.cloud.google.com/v1beta1\nkind: IAMPolicy\nspec:\n  bindings:\n"
         "  - role: roles/viewer\n", False),
        ("policylint: 1\nroles: [{id: r, grants: [{resource: 'roles/x', actions: [read]}]}]\n", False),
        ("Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyUsage: ENCRYPT_DECRYPT\n", False),
        ("etag: BwY=\nversion: 1\n", False),  # a policy with no bindings says nothing
    ],
)
def test_detection_by_content(text: str, ours: bool) -> None:
    assert gcp.detect("x.yaml", text) is ours


POLICY_CASES = [
    ("bindings not a list", "bindings:\n  role: roles/owner\n",
     ["2:3: error: expected bindings to be a list of {role, members}, found a mapping"]),
    ("binding not a mapping", "bindings:\n- roles/owner\n- members: [user:a@acme.example]\n  role: roles/viewer\n",
     ["2:3: error: expected a binding (a mapping with role and members), found the string 'roles/owner'"]),
    ("member without prefix", "bindings:\n- members:\n  - alice@acme.example\n  - user:bob@acme.example\n"
     "  role: roles/viewer\n",
     ["3:5: error: expected a member such as user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, allUsers, "
      "allAuthenticatedUsers, deleted:user:EMAIL?uid=N, principal://… or principalSet://…, "
      "found the string 'alice@acme.example'"]),
    ("unknown member kind", "bindings:\n- members:\n  - users:alice@acme.example\n  role: roles/viewer\n",
     ["3:5: error: expected a member such as user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, "
      "allUsers, allAuthenticatedUsers, deleted:user:EMAIL?uid=N, principal://… or principalSet://…, "
      "found the string 'users:alice@acme.example'"]),
    ("member not a string", "bindings:\n- members:\n  - {user: alice}\n  role: roles/viewer\n",
     ["3:5: error: expected a member such as user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, "
      "allUsers, allAuthenticatedUsers, deleted:user:EMAIL?uid=N, principal://… or principalSet://…, "
      "found a mapping"]),
    ("no role", "bindings:\n- members:\n  - user:a@acme.example\n- members: [user:b@acme.example]\n"
     "  role: roles/viewer\n",
     ["2:3: error: expected role to be a role such as roles/viewer or projects/P/roles/NAME, found nothing"]),
    ("not a role", "bindings:\n- members: [user:a@acme.example]\n  role: owner\n- members: [user:b@acme.example]\n"
     "  role: roles/viewer\n",
     ["3:9: error: expected a role such as roles/viewer or projects/P/roles/NAME, found the string 'owner'"]),
    ("members not a list", "bindings:\n- members: user:a@acme.example\n  role: roles/viewer\n",
     ["2:12: error: expected members to be a list such as [user:alice@example.com]"
      ", found the string 'user:a@acme.example'"]),
    ("condition without expression", "bindings:\n- condition:\n    title: temporary\n  members:\n"
     "  - user:a@acme.example\n  role: roles/owner\n",
     ["3:5: error: expected expression to be a CEL expression, found nothing"]),
    ("two documents", "bindings:\n- members: [user:a@acme.example]\n  role: roles/viewer\n---\nbindings: []\n",
     ["1:1: error: expected one IAM policy, found 2 YAML documents"]),
    ("broken JSON", '{\n  "bindings": [\n    {"role": "roles/viewer", "members": ["user:a@acme.example"]\n  ]\n}\n',
     ["4:3: error: invalid YAML: did not find expected ',' or '}'"]),
]


@pytest.mark.parametrize(("name", "text", "errors"), POLICY_CASES, ids=[c[0] for c in POLICY_CASES])
def test_bad_policies_give_located_errors(tmp_path: Path, name: str, text: str, errors: list[str]) -> None:
    path = write(tmp_path, "acme-prod.iam.yaml", text)
    run = run_cli("check", str(path), "--as-of", "2026-01-01")
    assert run.code == 2, run.out + run.err
    assert [line for line in run.out.splitlines() if ": error: " in line] == [f"{path}:{e}" for e in errors]
    assert "Traceback" not in run.out + run.err


def test_a_bad_member_drops_only_itself(tmp_path: Path) -> None:
    path = write(tmp_path, "acme-prod.iam.yaml", POLICY_CASES[2][1])
    loaded = load_paths([str(path)])
    (role,) = loaded.inventory.roles
    assert role.assumable_by == ("gcp:user:bob@acme.example",)
    assert len(loaded.errors) == 1


KEY = "name: projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1\n"
KMS = "name: projects/p/locations/global/keyRings/r/cryptoKeys/k\n"
KEY_CASES = [
    ("bad rotationPeriod", f"---\n{KMS}purpose: ENCRYPT_DECRYPT\nrotationPeriod: 90d\n---\n"
     "name: projects/p/locations/global/keyRings/r/cryptoKeys/k2\npurpose: ENCRYPT_DECRYPT\n",
     ["4:17: error: expected rotationPeriod to be a duration in seconds such as 7776000s, found the string '90d'"], 1),
    ("bad purpose", f"---\n{KMS}purpose: ENCRYPTION\n",
     ["3:10: error: expected purpose to be one of ENCRYPT_DECRYPT, RAW_ENCRYPT_DECRYPT, ASYMMETRIC_DECRYPT, "
      "KEY_ENCAPSULATION, ASYMMETRIC_SIGN, MAC, found the string 'ENCRYPTION'"], 0),
    ("bad key name", "---\nname: keyRings/r/cryptoKeys/k\npurpose: ENCRYPT_DECRYPT\n",
     ["2:7: error: expected name to be projects/P/locations/L/keyRings/R/cryptoKeys/K, "
      "found the string 'keyRings/r/cryptoKeys/k'"], 0),
    ("bad protection level", f"---\n{KMS}primary:\n  protectionLevel: VAULT\npurpose: ENCRYPT_DECRYPT\n",
     ["4:20: error: expected protectionLevel to be one of SOFTWARE, HSM, EXTERNAL, EXTERNAL_VPC"
      ", found the string 'VAULT'"], 0),
    ("bad keyType", f"---\nkeyType: MANAGED\n{KEY}validAfterTime: '2024-03-14T09:26:53Z'\n",
     ["2:10: error: expected keyType USER_MANAGED or SYSTEM_MANAGED, found the string 'MANAGED'"], 0),
    ("bad timestamp", f"---\nkeyType: USER_MANAGED\n{KEY}validAfterTime: yesterday\n",
     ["4:17: error: expected validAfterTime to be an RFC 3339 timestamp such as 2024-01-31T12:00:00Z, "
      "found the string 'yesterday'"], 0),
    ("impossible date", f"---\nkeyType: USER_MANAGED\n{KEY}validAfterTime: '2024-02-30T09:26:53Z'\n",
     ["4:17: error: expected validAfterTime to be a real date, found '2024-02-30T09:26:53Z'"], 0),
    ("bad disabled", f"---\ndisabled: 'no'\nkeyType: USER_MANAGED\n{KEY}validAfterTime: '2024-03-14T09:26:53Z'\n",
     ["2:11: error: expected disabled to be true or false, found the string 'no'"], 0),
    ("bad service-account key name",
     "---\nkeyType: USER_MANAGED\nname: serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1\n"
     "validAfterTime: '2024-03-14T09:26:53Z'\n",
     ["3:7: error: expected name to be projects/P/serviceAccounts/EMAIL/keys/KEY_ID, "
      "found the string 'serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1'"], 0),
    ("record not a mapping", '[\n  "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1",\n  {\n'
     '    "keyType": "USER_MANAGED",\n    "name": "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k2",\n'
     '    "validAfterTime": "2024-03-14T09:26:53Z"\n  }\n]\n',
     ["2:3: error: expected each record to be a service-account key (a mapping), "
      "found the string 'projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1'"], 1),
]


@pytest.mark.parametrize(("name", "text", "errors", "kept"), KEY_CASES, ids=[c[0] for c in KEY_CASES])
def test_bad_key_lists_give_located_errors_and_keep_the_rest(tmp_path: Path, name: str, text: str,
                                                             errors: list[str], kept: int) -> None:
    path = write(tmp_path, "keys.yaml", text)
    run = run_cli("check", str(path), "--as-of", "2026-01-01")
    assert run.code == 2, run.out + run.err
    assert [line for line in run.out.splitlines() if ": error: " in line] == [f"{path}:{e}" for e in errors]
    loaded = load_paths([str(path)])
    assert len(loaded.inventory.keys) + len(loaded.inventory.credentials) == kept


# Values of the wrong type the fuzz test (tests/fuzz) found crashing the reader (unhashable in a lookup: exit 3).
FUZZ_KEY_CASES = [
    ("purpose a list", f"---\n{KMS}purpose: [ENCRYPT_DECRYPT, ASYMMETRIC_SIGN]\n",
     ["3:10: error: expected purpose to be one of ENCRYPT_DECRYPT, RAW_ENCRYPT_DECRYPT, ASYMMETRIC_DECRYPT, "
      "KEY_ENCAPSULATION, ASYMMETRIC_SIGN, MAC, found a list"]),
    ("protection level a mapping", f"---\n{KMS}primary:\n  protectionLevel: {{level: HSM}}\npurpose: ENCRYPT_DECRYPT\n",
     ["4:20: error: expected protectionLevel to be one of SOFTWARE, HSM, EXTERNAL, EXTERNAL_VPC, found a mapping"]),
]


@pytest.mark.parametrize(("name", "text", "errors"), FUZZ_KEY_CASES, ids=[c[0] for c in FUZZ_KEY_CASES])
def test_kms_values_of_the_wrong_type_found_by_fuzzing_are_located_errors(tmp_path: Path, name: str, text: str,
                                                                          errors: list[str]) -> None:
    path = write(tmp_path, "keys.yaml", text)
    run = run_cli("check", str(path), "--as-of", "2026-01-01")
    assert run.code == 2, run.out + run.err
    assert [line for line in run.out.splitlines() if ": error: " in line] == [f"{path}:{e}" for e in errors]


def test_audit_log_configs_of_the_wrong_type_prove_no_logging(tmp_path: Path) -> None:
    # a number here crashed the reader (exit 3): it is read like any other config that proves nothing
    path = write(tmp_path, "acme-prod.iam.yaml", """
        auditConfigs:
        - auditLogConfigs: 5
          service: allServices
        bindings:
        - members:
          - user:lee@example.com
          role: roles/viewer
        """)
    loaded = load_paths([str(path)])
    assert [str(e) for e in loaded.errors] == []
    assert [(r.id, r.logging) for r in loaded.inventory.resources if r.id == "gcp:projects/acme-prod"] == [
        ("gcp:projects/acme-prod", None)]


def test_a_policy_named_only_projects_is_read_with_an_unknown_project(tmp_path: Path) -> None:
    """Found by the fuzz harness (seed 0, case 2680): `name: projects` has no project id to scope it by."""
    policy = tmp_path / "sa-policy.yaml"
    policy.write_text("bindings:\n- members:\n  - user:park.mj@acme.example\n"
                      "  role: roles/iam.serviceAccountTokenCreator\netag: BwYF3dA9kQ8=\nname: projects\n")
    loaded = load_paths([str(policy)])
    assert loaded.errors == []
    assert [r.scope for r in loaded.inventory.resources if r.id.endswith("projects")] == ["gcp"]


def test_no_text_moves_between_a_conditions_title_and_its_expression_and_reads_the_same() -> None:
    """A finding's evidence compares conditions by text: `t` with `x ? false: true` (narrow) and `t: x ? false`
    with `true` (anyone) read alike when the title was written bare."""
    narrow = condition_text("t", '!resource.name.startsWith("projects/_/buckets/x") ? false: true')
    wide = condition_text('t: !resource.name.startsWith("projects/_/buckets/x") ? false', "true")
    assert narrow != wide and narrow.startswith('"t": ')
    # what a Terraform plan leaves open keeps the marker the rules read as left open; no file can write it
    assert condition_text(OpenTitle("template leaves open"), "x.member (known after apply)") == \
        "template leaves open: x.member (known after apply)"
    assert condition_text("template leaves open", "x") == '"template leaves open": x'
    assert condition_text(None, "template placeholder x") == '"template placeholder x"'


@pytest.mark.parametrize("condition", [
    {"title": "office hours", "expression": 'request.time.getHours("UTC") < 18'},
    {"title": "template leaves open", "expression": 'request.time.getHours("UTC") < 18'},
    {"expression": "template placeholder x"},
])
def test_a_dump_cannot_write_the_marker_of_what_a_template_leaves_open(tmp_path: Path,
                                                                       condition: dict[str, str]) -> None:
    """A grant a template left open is read as `*` and PL211 leaves it to others; a dump whose condition spelled
    that marker silenced PL211 on a project-wide read."""
    write(tmp_path, "proj.iam.policy.yaml", json.dumps({"bindings": [
        {"members": ["user:alice@example.com"], "role": "roles/storage.objectViewer", "condition": condition}],
        "etag": "BwX=", "version": 3}))
    result = run_cli("check", str(tmp_path), "--as-of", "2026-12-01", "--select", "PL211")
    assert "HIGH PL211" in result.out, result.out
