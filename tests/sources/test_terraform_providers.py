"""Terraform plans (and HCL, through the same `fragment_of`): the Google and Kubernetes providers' resources, read by
the GCP and Kubernetes readers. Plans are written here in the shape `terraform show -json` prints them (no GCP or
Kubernetes provider is installed to make real ones), with the providers' attributes (google 6.x, kubernetes 2.x)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policylint.iam.trust import ANYONE_IF
from policylint.model import EVERYONE, Location
from policylint.sources import claimants
from policylint.sources.base import Fragment, Options
from policylint.sources.terraform import plan
from policylint.sources.terraform.plan_read import Plan, TfResource, config_address

from helpers import run_cli

PROJECT = "acme-shop-prod"
EXPORTER = f"order-exporter@{PROJECT}.iam.gserviceaccount.com"
EXPORTER_ID = f"gcp:serviceAccount:{EXPORTER}"
BUCKET_ID = f"gcp:projects/{PROJECT}/buckets/acme-order-exports"
OPEN = "template leaves open: "


def _resource(address: str, values: dict[str, Any]) -> dict[str, Any]:
    rtype, name = config_address(address).split(".")[-2:]
    provider = "kubernetes" if rtype.startswith("kubernetes_") else "google"
    return {"address": address, "mode": "managed", "type": rtype, "name": name,
            "provider_name": f"registry.terraform.io/hashicorp/{provider}", "schema_version": 1 if provider ==
            "kubernetes" and rtype.endswith("_v1") else 0, "values": values, "sensitive_values": {}}


def _change(resource: dict[str, Any], actions: list[str], unknown: dict[str, Any]) -> dict[str, Any]:
    after = None if actions == ["delete"] else resource["values"]
    return {key: resource[key] for key in ("address", "mode", "type", "name", "provider_name")} | {
        "change": {"actions": actions, "before": resource["values"] if actions != ["create"] else None,
                   "after": after, "after_unknown": unknown if after is not None else {},
                   "before_sensitive": False if actions == ["create"] else {}, "after_sensitive": {}}}


def _expressions(address: str, expressions: dict[str, Any]) -> dict[str, Any]:
    rtype, name = config_address(address).split(".")[-2:]
    provider = "kubernetes" if rtype.startswith("kubernetes_") else "google"
    return {"address": address, "mode": "managed", "type": rtype, "name": name, "provider_config_key": provider,
            "expressions": expressions, "schema_version": 0}


def plan_json(resources: list[dict[str, Any]], unknown: dict[str, dict[str, Any]] | None = None,
              expressions: Sequence[dict[str, Any]] = (), deleted: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    unknown = unknown or {}
    return {
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": [_change(r, ["create"], unknown.get(r["address"], {"id": True})) for r in resources]
        + [_change(r, ["delete"], {}) for r in deleted],
        "prior_state": {"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {
            "resources": list(deleted)}}},
        "configuration": {"provider_config": {
            "google": {"name": "google", "full_name": "registry.terraform.io/hashicorp/google", "expressions": {
                "project": {"constant_value": PROJECT}, "region": {"constant_value": "europe-west1"}}},
            "kubernetes": {"name": "kubernetes", "full_name": "registry.terraform.io/hashicorp/kubernetes"}},
            "root_module": {"resources": list(expressions)}},
        "timestamp": "2026-01-05T09:12:44Z", "applyable": True, "complete": True, "errored": False}


def _write(folder: Path, data: dict[str, Any], name: str = "plan.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _load(path: Path) -> Fragment:
    return plan.load(str(path), path.read_text(encoding="utf-8"), Options())


def _findings(*paths: Path) -> set[tuple[str, str]]:
    run = run_cli("check", *map(str, paths), "--format", "json", "--as-of", "2026-01-05")
    assert run.code in (0, 1), run.err + run.out
    return {(f["rule"], f["subject"]["id"]) for f in json.loads(run.out)["findings"]}


def _cluster(path: Path) -> str:
    """The Kubernetes cluster of a plan's objects: its own, named by its file (as `check` from here reads it)."""
    return f"k8s:{plan.escaped(Options().place(str(path)))}:"


def _as_manifests(found: set[tuple[str, str]], path: Path) -> set[tuple[str, str]]:
    """Findings with the plan's cluster written as the manifests' (`k8s:default:`), to compare the two."""
    return {(rule, subject.replace(_cluster(path), "k8s:default:", 1)) for rule, subject in found}


def _facts(node: str, path: Path) -> dict[str, Any]:
    run = run_cli("facts", node, str(path), "--as-of", "2026-01-05")
    assert run.code == 0, run.err + run.out
    facts: dict[str, Any] = json.loads(run.out)
    return facts


# -- Google Cloud -------------------------------------------------------------------------------------------------

def _metadata_free(values: dict[str, Any]) -> dict[str, Any]:
    return {"timeouts": None, **values}


EXPORTER_SA = _resource("google_service_account.exporter", _metadata_free({
    "account_id": "order-exporter", "project": PROJECT, "display_name": "Order exporter", "description":
    "Writes the nightly order exports", "disabled": False, "create_ignore_already_exists": None}))
EXPORTS_BUCKET = _resource("google_storage_bucket.exports", _metadata_free({
    "name": "acme-order-exports", "project": PROJECT, "location": "EU", "storage_class": "STANDARD",
    "force_destroy": False, "uniform_bucket_level_access": True, "public_access_prevention": "enforced",
    "labels": {"data-classification": "customer", "team": "orders"},
    "effective_labels": {"data-classification": "customer", "team": "orders"},
    "terraform_labels": {"data-classification": "customer", "team": "orders"},
    "logging": [], "encryption": [{"default_kms_key_name":
                                   f"projects/{PROJECT}/locations/europe-west1/keyRings/orders/cryptoKeys/exports"}],
    "versioning": [{"enabled": True}], "retention_policy": [], "lifecycle_rule": [], "cors": [], "website": []}))
EXPORTER_READS = _resource("google_storage_bucket_iam_member.exporter_reads", {
    "bucket": "acme-order-exports", "role": "roles/storage.objectViewer", "condition": []})
SA_UNKNOWN = {"email": True, "id": True, "member": True, "name": True, "unique_id": True}
READS_EXPRESSIONS = _expressions("google_storage_bucket_iam_member.exporter_reads", {
    "bucket": {"references": ["google_storage_bucket.exports.name", "google_storage_bucket.exports"]},
    "member": {"references": ["google_service_account.exporter.member", "google_service_account.exporter"]},
    "role": {"constant_value": "roles/storage.objectViewer"}})


def gcp_plan() -> dict[str, Any]:
    """A service account reading a customer-data bucket; its `member` known only after apply (provider < 6.8)."""
    return plan_json([EXPORTER_SA, EXPORTS_BUCKET, EXPORTER_READS], {
        "google_service_account.exporter": SA_UNKNOWN,
        "google_storage_bucket.exports": {"id": True, "self_link": True, "url": True, "project_number": True},
        "google_storage_bucket_iam_member.exporter_reads": {"member": True, "etag": True, "id": True,
                                                            "condition": []}}, [READS_EXPRESSIONS])


def test_a_gcp_plan_is_claimed_by_the_plan_reader_only(tmp_path: Path) -> None:
    path = _write(tmp_path, gcp_plan())
    assert claimants(str(path), path.read_text()) == ["terraform-plan"]


def test_a_bucket_binding_gives_a_service_account_the_customer_data(tmp_path: Path) -> None:
    path = _write(tmp_path, gcp_plan())
    facts = _facts(EXPORTER_ID, path)
    assert facts["reach"]["customer_data"] is True
    assert facts["reach"]["resources"] == [BUCKET_ID]
    assert facts["reach"]["path"] == [EXPORTER_ID, f"{BUCKET_ID}:roles/storage.objectViewer", BUCKET_ID]
    lines = path.read_text().splitlines()
    assert '"google_service_account.exporter"' in lines[facts["line"] - 1]  # defined by the plan, at its address


def test_the_bucket_is_a_classified_store_of_its_project_and_its_key_protects_it(tmp_path: Path) -> None:
    key = _resource("google_kms_crypto_key.exports", {
        "name": "exports", "key_ring": f"projects/{PROJECT}/locations/europe-west1/keyRings/orders",
        "purpose": "ENCRYPT_DECRYPT", "rotation_period": "7776000s", "skip_initial_version_creation": False,
        "labels": None, "destroy_scheduled_duration": "2592000s", "import_only": False, "timeouts": None,
        "version_template": [{"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protection_level": "HSM"}]})
    fragment = _load(_write(tmp_path, plan_json([EXPORTS_BUCKET, key])))
    (bucket,) = fragment.inventory.resources
    assert (bucket.id, bucket.type, bucket.data, bucket.scope) == (BUCKET_ID, "bucket", ("customer",),
                                                                   f"gcp:projects/{PROJECT}")
    (kms,) = fragment.inventory.keys
    assert (kms.id, kms.rotation_days, kms.auto_rotate, kms.storage, kms.protects) == (
        f"gcp:projects/{PROJECT}/locations/europe-west1/keyRings/orders/cryptoKeys/exports", 90, True, "hsm",
        (BUCKET_ID,))


def test_a_project_role_reaches_the_projects_buckets(tmp_path: Path) -> None:
    # the bucket is named in its project, so a project's storage role (`gcp:projects/P/*`) reaches it
    viewer = _resource("google_project_iam_member.analysts", {
        "project": PROJECT, "role": "roles/storage.objectViewer", "member": "group:analysts@acme.example",
        "condition": []})
    path = _write(tmp_path, plan_json([EXPORTS_BUCKET, viewer]))
    facts = _facts("gcp:group:analysts@acme.example", path)
    assert facts["reach"]["resources"] == [BUCKET_ID]


def test_an_unknown_member_is_anyone_the_template_leaves_open(tmp_path: Path) -> None:
    data = gcp_plan()
    data["configuration"]["root_module"]["resources"] = [_expressions(
        "google_storage_bucket_iam_member.exporter_reads", {
            "bucket": {"references": ["google_storage_bucket.exports.name", "google_storage_bucket.exports"]},
            "member": {"references": ["var.reader_member"]}})]  # a variable: not a resource of the plan
    path = _write(tmp_path, data)
    fragment = _load(path)
    what = "google_storage_bucket_iam_member.exporter_reads.member (known after apply)"
    anyone = ANYONE_IF + OPEN + what
    (role,) = fragment.inventory.roles
    assert role.assumable_by == (anyone,)
    assert {g.condition for g in role.grants} == {OPEN + what}
    assert [(g.id, g.members) for g in fragment.implied.groups] == [(anyone, (EVERYONE,))]
    # anyone reaches the customer data, and no rule on `*` takes it for a public grant
    assert BUCKET_ID in _facts(anyone, path)["reach"]["resources"]
    assert not {rule for rule, _ in _findings(path)} & {"PL210", "PL216"}


def test_an_unknown_project_is_all_of_gcp_and_an_unknown_role_is_owner(tmp_path: Path) -> None:
    binding = _resource("google_project_iam_binding.deployers", {
        "members": ["serviceAccount:deployer@acme-ci.iam.gserviceaccount.com"], "condition": []})
    expressions = _expressions("google_project_iam_binding.deployers", {
        "project": {"references": ["module.project.project_id", "module.project"]},
        "role": {"references": ["var.deployer_role"]},
        "members": {"constant_value": ["serviceAccount:deployer@acme-ci.iam.gserviceaccount.com"]}})
    path = _write(tmp_path, plan_json([binding], {"google_project_iam_binding.deployers": {
        "project": True, "role": True, "etag": True, "id": True, "condition": [], "members": [False]}},
        [expressions]))
    (role,) = _load(path).inventory.roles
    assert role.id == "gcp:organizations/-:roles/owner"
    assert role.assumable_by == ("gcp:serviceAccount:deployer@acme-ci.iam.gserviceaccount.com",)
    assert {(g.resource, g.condition) for g in role.grants} >= {(
        "gcp:*", OPEN + "google_project_iam_binding.deployers.project (known after apply); "
                        "google_project_iam_binding.deployers.role (known after apply)")}


def test_member_resources_merge_into_their_binding_and_imply_the_projects_policy(tmp_path: Path) -> None:
    members = [_resource(f'google_project_iam_member.viewers["{who}"]', {
        "project": PROJECT, "role": "roles/viewer", "member": who, "condition": []})
        for who in ("user:dana@acme.example", "user:omar@acme.example")]
    conditioned = _resource("google_project_iam_member.oncall", {
        "project": PROJECT, "role": "roles/viewer", "member": "group:oncall@acme.example",
        "condition": [{"title": "business hours", "description": None,
                       "expression": "request.time.getHours('Europe/Berlin') < 18"}]})
    path = _write(tmp_path, plan_json([*members, conditioned]))
    fragment = _load(path)
    roles = {r.id: r for r in fragment.inventory.roles}
    # one binding per role and condition, in the order of the addresses (`oncall` before `viewers`)
    assert {(r.id, r.assumable_by) for r in roles.values()} == {
        (f"gcp:projects/{PROJECT}:roles/viewer", ("gcp:group:oncall@acme.example",)),
        (f"gcp:projects/{PROJECT}:roles/viewer#2", ("gcp:user:dana@acme.example", "gcp:user:omar@acme.example"))}
    assert {g.condition for g in roles[f"gcp:projects/{PROJECT}:roles/viewer"].grants} == {
        '"business hours": request.time.getHours(\'Europe/Berlin\') < 18'}
    lines = path.read_text().splitlines()
    omar = next(p for p in fragment.implied.principals if p.id == "gcp:user:omar@acme.example")
    assert 'viewers[\\"user:omar@acme.example\\"]' in lines[omar.location.line - 1]  # at its own resource
    # members add to a policy that exists: its access control is implied, never a second definition
    assert fragment.inventory.resources == ()
    assert f"gcp:projects/{PROJECT}:access-control" in {r.id for r in fragment.implied.resources}


def test_an_authoritative_policy_defines_the_projects_access_control(tmp_path: Path) -> None:
    policy_data = json.dumps({"bindings": [
        {"role": "roles/owner", "members": ["group:platform-admins@acme.example"]},
        {"role": "roles/iam.serviceAccountTokenCreator", "members": [f"serviceAccount:{EXPORTER}"],
         "condition": {"title": "expires", "expression": "request.time < timestamp('2026-06-30T00:00:00Z')"}}],
        "auditConfigs": [{"service": "allServices", "auditLogConfigs": [
            {"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}, {"logType": "ADMIN_READ"}]}]})
    policy = _resource("google_project_iam_policy.shop", {"project": PROJECT, "policy_data": policy_data})
    fragment = _load(_write(tmp_path, plan_json([policy])))
    assert [r.id for r in fragment.inventory.resources] == [f"gcp:projects/{PROJECT}:access-control"]
    assert {r.id for r in fragment.inventory.roles} == {
        f"gcp:projects/{PROJECT}:roles/owner", f"gcp:projects/{PROJECT}:roles/iam.serviceAccountTokenCreator"}
    project = next(r for r in fragment.implied.resources if r.id == f"gcp:projects/{PROJECT}")
    assert project.logging is True  # DATA_READ for allServices: the reader's reading of auditConfigs


def test_no_file_or_folder_name_moves_a_plans_policy(tmp_path: Path) -> None:
    # the GCP reader takes a dump's project from its folder (`gke1/iam-policy.json`); a plan names its own
    viewer = _resource("google_project_iam_member.analysts", {
        "project": PROJECT, "role": "roles/viewer", "member": "group:analysts@acme.example", "condition": []})
    fragment = _load(_write(tmp_path / "acme-shop-staging", plan_json([viewer]), "acme-shop-staging.json"))
    assert fragment.errors == []
    assert [r.id for r in fragment.inventory.roles] == [f"gcp:projects/{PROJECT}:roles/viewer"]


def test_a_policy_data_that_is_not_json_is_a_located_error(tmp_path: Path) -> None:
    policy = _resource("google_organization_iam_policy.org", {"org_id": "812345678901",
                                                               "policy_data": "{bindings: [}"})
    path = _write(tmp_path, plan_json([policy]))
    fragment = _load(path)
    assert [(e.location.line, e.message) for e in fragment.errors] == [(
        fragment.errors[0].location.line, "expected policy_data to be the JSON of an IAM policy (data."
                                          "google_iam_policy), found a syntax error: Expecting property name "
                                          "enclosed in double quotes")]
    assert '"google_organization_iam_policy.org"' in path.read_text().splitlines()[fragment.errors[0].location.line - 1]


def test_an_unknown_policy_data_is_anyone_as_owner(tmp_path: Path) -> None:
    policy = _resource("google_folder_iam_policy.finance", {"folder": "folders/734019266301"})
    fragment = _load(_write(tmp_path, plan_json([policy], {"google_folder_iam_policy.finance": {
        "policy_data": True, "etag": True, "id": True}})))
    (role,) = fragment.inventory.roles
    assert role.id == "gcp:folders/734019266301:roles/owner"
    assert role.assumable_by == (ANYONE_IF + OPEN + "google_folder_iam_policy.finance.policy_data (known after apply)",)


def test_service_account_keys_and_key_ring_iam(tmp_path: Path) -> None:
    key = _resource("google_service_account_key.exporter", {
        "service_account_id": f"projects/{PROJECT}/serviceAccounts/{EXPORTER}", "key_algorithm": "KEY_ALG_RSA_2048",
        "public_key_type": "TYPE_X509_PEM_FILE", "private_key_type": "TYPE_GOOGLE_CREDENTIALS_FILE",
        "public_key_data": None, "keepers": None})
    ring_iam = _resource("google_kms_key_ring_iam_member.exporter", {
        "key_ring_id": f"{PROJECT}/europe-west1/orders", "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        "member": f"serviceAccount:{EXPORTER}", "condition": []})
    fragment = _load(_write(tmp_path, plan_json([EXPORTER_SA, key, ring_iam], {
        "google_service_account.exporter": SA_UNKNOWN,
        "google_service_account_key.exporter": {"id": True, "name": True, "private_key": True, "public_key": True,
                                                "valid_after": True, "valid_before": True}})))
    (credential,) = fragment.inventory.credentials
    assert (credential.id, credential.principal, credential.status, credential.created, credential.expires) == (
        f"{EXPORTER_ID}#key-google_service_account_key.exporter", EXPORTER_ID, "active", None, None)
    assert [p.id for p in fragment.inventory.principals] == [EXPORTER_ID]
    (role,) = fragment.inventory.roles
    assert role.id == f"gcp:projects/{PROJECT}/locations/europe-west1/keyRings/orders:" \
                      "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert {g.resource for g in role.grants} == {
        f"gcp:projects/{PROJECT}/locations/europe-west1/keyRings/orders/cryptoKeys/*"}


def test_a_service_accounts_own_policy_lets_its_users_act_as_it(tmp_path: Path) -> None:
    # `service_account_id = google_service_account.exporter.name`: unknown until apply, the account referenced
    acting = _resource("google_service_account_iam_member.ci_acts_as_exporter", {
        "role": "roles/iam.serviceAccountUser", "member": "serviceAccount:deployer@acme-ci.iam.gserviceaccount.com",
        "condition": []})
    expressions = _expressions("google_service_account_iam_member.ci_acts_as_exporter", {
        "service_account_id": {"references": ["google_service_account.exporter.name",
                                              "google_service_account.exporter"]},
        "role": {"constant_value": "roles/iam.serviceAccountUser"},
        "member": {"constant_value": "serviceAccount:deployer@acme-ci.iam.gserviceaccount.com"}})
    path = _write(tmp_path, plan_json([EXPORTER_SA, EXPORTS_BUCKET, EXPORTER_READS, acting], {
        "google_service_account.exporter": SA_UNKNOWN,
        "google_service_account_iam_member.ci_acts_as_exporter": {"service_account_id": True, "etag": True,
                                                                  "id": True, "condition": []},
        "google_storage_bucket_iam_member.exporter_reads": {"member": True, "etag": True, "id": True,
                                                            "condition": []}}, [READS_EXPRESSIONS, expressions]))
    fragment = _load(path)
    account = f"gcp:projects/{PROJECT}/serviceAccounts/{EXPORTER}"
    assert f"{account}:roles/iam.serviceAccountUser" in {r.id for r in fragment.inventory.roles}
    assert [(k.id, k.signs_for) for k in fragment.implied.keys] == [(f"{account}:act-as", (EXPORTER_ID,))]
    # the CI deployer acts as the exporter, and so reaches what the exporter reads
    reach = _facts("gcp:serviceAccount:deployer@acme-ci.iam.gserviceaccount.com", path)["reach"]
    assert reach["resources"] == [BUCKET_ID]


def test_a_datasets_access_blocks_are_its_bindings(tmp_path: Path) -> None:
    dataset = _resource("google_bigquery_dataset.orders", {
        "dataset_id": "orders", "project": PROJECT, "location": "EU", "friendly_name": "Orders",
        "labels": {"data-classification": "customer_pii", "records": "1200000"},
        "effective_labels": {"data-classification": "customer_pii", "records": "1200000"},
        "default_table_expiration_ms": None, "delete_contents_on_destroy": False,
        "default_encryption_configuration": [], "access": [
            {"role": "OWNER", "special_group": "projectOwners", "user_by_email": "", "group_by_email": "",
             "domain": "", "iam_member": "", "view": [], "dataset": [], "routine": []},
            {"role": "READER", "user_by_email": EXPORTER, "special_group": "", "group_by_email": "", "domain": "",
             "iam_member": "", "view": [], "dataset": [], "routine": []},
            {"role": "", "view": [{"project_id": PROJECT, "dataset_id": "reporting", "table_id": "daily"}],
             "user_by_email": "", "special_group": "", "group_by_email": "", "domain": "", "iam_member": "",
             "dataset": [], "routine": []}]})
    path = _write(tmp_path, plan_json([EXPORTER_SA, dataset]))
    fragment = _load(path)
    orders = f"gcp:projects/{PROJECT}/datasets/orders"
    (store,) = fragment.inventory.resources
    assert (store.id, store.type, store.data, store.records) == (orders, "dataset", ("customer_pii",), 1_200_000)
    assert {(r.id, r.assumable_by) for r in fragment.inventory.roles} == {
        (f"{orders}:roles/bigquery.dataOwner", (f"gcp:projectOwner:{PROJECT}",)),
        (f"{orders}:roles/bigquery.dataViewer", (EXPORTER_ID,))}
    assert _facts(EXPORTER_ID, path)["reach"]["resources"] == [orders]


def test_a_destroyed_binding_does_not_count(tmp_path: Path) -> None:
    leaving = _resource("google_storage_bucket_iam_member.contractor", {
        "bucket": "acme-order-exports", "role": "roles/storage.objectAdmin", "member": "user:lee@contractor.example",
        "condition": [], "etag": "CAE=",
        "id": "b/acme-order-exports/roles/storage.objectAdmin/user:lee@contractor.example"})
    path = _write(tmp_path, plan_json([EXPORTS_BUCKET], deleted=[leaving]))
    fragment = _load(path)
    assert fragment.inventory.roles == () and not any("lee@" in n.id for n in fragment.implied.nodes())


def test_hcl_values_name_the_configurations_own_resources() -> None:
    # what the HCL reader hands `fragment_of`: a member built around a service account's e-mail, an open variable
    where = Location("main.tf", 1, 1)
    account = TfResource("google_service_account.exporter", "google_service_account",
                         {"account_id": "order-exporter", "project": PROJECT}, {}, where, "")
    built = TfResource("google_project_iam_member.exporter", "google_project_iam_member", {
        "project": PROJECT, "role": "roles/bigquery.dataViewer", "member": {"Fn::Join": ["", [
            "serviceAccount:", {"Fn::GetAtt": ["google_service_account.exporter", "email"]}]]}}, {}, where, "")
    opened = TfResource("google_project_iam_member.partner", "google_project_iam_member", {
        "project": PROJECT, "role": "roles/bigquery.dataViewer",
        "member": {"Ref": "var.partner_member (a variable without a default)"}}, {}, where, "")
    read = Plan([account, built, opened], parameters=["var.partner_member (a variable without a default)"])
    fragment = plan.fragment_of(read, "main.tf", Options())
    roles = {r.id: r for r in fragment.inventory.roles}
    assert roles[f"gcp:projects/{PROJECT}:roles/bigquery.dataViewer"].assumable_by == (EXPORTER_ID,)
    assert roles[f"gcp:projects/{PROJECT}:roles/bigquery.dataViewer#2"].assumable_by == (
        ANYONE_IF + OPEN + "var.partner_member (a variable without a default)",)


# -- Kubernetes ---------------------------------------------------------------------------------------------------

def _metadata(name: str, namespace: str | None = None, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    meta = {"annotations": None, "generate_name": None, "labels": labels, "name": name}
    return [meta | ({"namespace": namespace} if namespace else {})]


META_UNKNOWN = {"metadata": [{"generation": True, "resource_version": True, "uid": True}], "id": True}
SECRET_READER = _resource("kubernetes_role_v1.secret_reader", {
    "metadata": _metadata("secret-reader", "payments"),
    "rule": [{"api_groups": [""], "resources": ["secrets"], "resource_names": None,
              "verbs": ["get", "list", "watch"]}]})
DANA_READS = _resource("kubernetes_role_binding_v1.dana", {
    "metadata": _metadata("dana-secret-reader", "payments"),
    "role_ref": [{"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": "secret-reader"}],
    "subject": [{"api_group": "rbac.authorization.k8s.io", "kind": "User", "name": "dana@acme.example",
                 "namespace": ""}]})
PAYMENTS = _resource("kubernetes_namespace_v1.payments", {
    "metadata": _metadata("payments", labels={"data-classification": "customer"}), "wait_for_default_service_account":
    False, "timeouts": None})
YAML = """\
apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels:
    data-classification: customer
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: secret-reader
  namespace: payments
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: dana-secret-reader
  namespace: payments
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: secret-reader
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: dana@acme.example
"""


def test_a_role_binding_v1_means_what_its_manifest_means(tmp_path: Path) -> None:
    resources = [PAYMENTS, SECRET_READER, DANA_READS]
    tf = _write(tmp_path / "tf", plan_json(resources, {r["address"]: META_UNKNOWN for r in resources}))
    (tmp_path / "yaml").mkdir()
    manifest = tmp_path / "yaml" / "rbac.yaml"
    manifest.write_text(YAML, encoding="utf-8")
    from_yaml = _findings(manifest)
    assert ("PL217", "k8s:default:user:dana@acme.example") in from_yaml  # reads every secret of payments
    assert _as_manifests(_findings(tf), tf) == from_yaml  # the plan's objects are in its own cluster
    cluster = _cluster(tf)
    assert _facts(f"{cluster}user:dana@acme.example", tf)["reach"]["resources"] == [f"{cluster}secrets:payments"]


def test_a_kubernetes_manifest_cluster_role_binding_is_read(tmp_path: Path) -> None:
    binding = _resource("kubernetes_manifest.ci_admin", {
        "manifest": {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                     "metadata": {"name": "ci-deployer-admin"},
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                 "name": "cluster-admin"},
                     "subjects": [{"kind": "ServiceAccount", "name": "ci-deployer", "namespace": "ci"}]},
        "computed_fields": None, "field_manager": [], "timeouts": [], "wait": [], "wait_for": None})
    path = _write(tmp_path, plan_json([binding], {"kubernetes_manifest.ci_admin": {"object": True}}))
    (role,) = _load(path).inventory.roles
    cluster = _cluster(path)
    assert (role.id, role.assumable_by) == (f"{cluster}clusterrolebinding:ci-deployer-admin",
                                            (f"{cluster}serviceaccount:ci/ci-deployer",))
    assert "k8s-cluster-admin" in role.flags
    assert ("PL207", f"{cluster}serviceaccount:ci/ci-deployer") in _findings(path)


def test_an_unknown_subject_is_anyone_and_an_unknown_role_is_unresolved(tmp_path: Path) -> None:
    binding = _resource("kubernetes_cluster_role_binding.ops", {
        "metadata": _metadata("ops-access"),
        "role_ref": [{"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole"}],
        "subject": [{"api_group": "rbac.authorization.k8s.io", "kind": "Group", "namespace": ""}]})
    path = _write(tmp_path, plan_json([binding], {"kubernetes_cluster_role_binding.ops": {
        **META_UNKNOWN, "role_ref": [{"name": True}], "subject": [{"name": True}]}}))
    fragment = _load(path)
    (role,) = fragment.inventory.roles
    what = "kubernetes_cluster_role_binding.ops.subject[0].name (known after apply)"
    assert role.assumable_by == (ANYONE_IF + OPEN + what,)
    assert role.condition == OPEN + what
    assert "k8s-role-unresolved" in role.flags
    assert {g.resource for g in role.grants} >= {f"{_cluster(path)}access-control"}
    assert any("kubernetes_cluster_role_binding.ops.role_ref[0].name (known after apply)" in (g.condition or "")
               for g in role.grants)
    assert (ANYONE_IF + OPEN + what, (EVERYONE,)) in {(g.id, g.members) for g in fragment.implied.groups}


TOKEN = "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkltTXhNakFpZlEu"  # a Secret's data: never read, never shown


def test_unknown_rule_parts_are_everything(tmp_path: Path) -> None:
    role = _resource("kubernetes_cluster_role_v1.operator", {
        "metadata": _metadata("payments-operator"), "aggregation_rule": [],
        "rule": [{"api_groups": [""], "resource_names": [], "non_resource_urls": []}]})
    path = _write(tmp_path, plan_json([role], {"kubernetes_cluster_role_v1.operator": {
        **META_UNKNOWN, "rule": [{"resources": True, "verbs": True}]}}))
    (definition,) = _load(path).inventory.roles
    assert definition.id == f"{_cluster(path)}clusterrole:payments-operator"
    assert "k8s-read-secrets-cluster" in definition.flags  # `*` resources with `*` verbs read every secret


def test_a_legacy_token_secret_and_a_destroyed_binding(tmp_path: Path) -> None:
    token = _resource("kubernetes_secret_v1.ci_token", {
        "metadata": [{"annotations": {"kubernetes.io/service-account.name": "ci-deployer"}, "generate_name": None,
                      "labels": None, "name": "ci-deployer-token", "namespace": "ci"}],
        "type": "kubernetes.io/service-account-token", "data": {"token": TOKEN},
        "binary_data": None, "immutable": False, "wait_for_service_account_token": True})
    leaving = _resource("kubernetes_cluster_role_binding_v1.old_admin", {
        "metadata": _metadata("old-admin"),
        "role_ref": [{"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}],
        "subject": [{"api_group": "rbac.authorization.k8s.io", "kind": "User", "name": "lee@contractor.example",
                     "namespace": ""}]})
    path = _write(tmp_path, plan_json([token], deleted=[leaving]))
    fragment = _load(path)
    assert [c.id for c in fragment.inventory.credentials] == [f"{_cluster(path)}secret:ci/ci-deployer-token"]
    assert fragment.inventory.roles == ()
    assert TOKEN not in run_cli("check", str(path)).out


# -- HCL: the same configuration, read from its `.tf` -------------------------------------------------------------

MAIN_TF = """\
provider "google" {
  project = "acme-shop-prod"
  region  = "europe-west1"
}

resource "google_service_account" "exporter" {
  account_id   = "order-exporter"
  display_name = "Order exporter"
  description  = "Writes the nightly order exports"
}

resource "google_storage_bucket" "exports" {
  name                        = "acme-order-exports"
  location                    = "EU"
  uniform_bucket_level_access = true
  labels = {
    data-classification = "customer"
    team                = "orders"
  }
}

resource "google_storage_bucket_iam_member" "exporter_reads" {
  bucket = google_storage_bucket.exports.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.exporter.member
}

resource "kubernetes_namespace_v1" "payments" {
  metadata {
    name   = "payments"
    labels = { data-classification = "customer" }
  }
}

resource "kubernetes_role_v1" "secret_reader" {
  metadata {
    name      = "secret-reader"
    namespace = kubernetes_namespace_v1.payments.metadata[0].name
  }
  rule {
    api_groups = [""]
    resources  = ["secrets"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_role_binding_v1" "dana" {
  metadata {
    name      = "dana-secret-reader"
    namespace = "payments"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.secret_reader.metadata[0].name
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "User"
    name      = "dana@acme.example"
  }
}
"""


def test_hcl_and_plan_of_one_configuration_agree(tmp_path: Path) -> None:
    hcl = tmp_path / "hcl"
    hcl.mkdir()
    (hcl / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    data = gcp_plan()
    kubernetes = [PAYMENTS, SECRET_READER, DANA_READS]
    data["planned_values"]["root_module"]["resources"] += kubernetes
    data["resource_changes"] += [_change(r, ["create"], META_UNKNOWN) for r in kubernetes]
    path = _write(tmp_path / "plan", data)
    from_plan = _as_manifests(_findings(path), path)  # HCL's objects are the manifests' cluster, the plan's its own
    assert {("PL103", EXPORTER_ID), ("PL401", BUCKET_ID), ("PL217", "k8s:default:user:dana@acme.example")} <= from_plan
    assert _findings(hcl) == from_plan
