"""Which GCP grants "read every data store of a kind" (PL211, `facts.wide_reads`): a data role held on a whole
project, folder or organisation, not on one bucket or dataset; not Google's own service-agent roles (flagged
`builtin` by `policylint/sources/gcp/policy.py`); a conditional grant still, with its condition shown; a grant whose
resource a template left open, not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.facts import _reads_every
from policylint.iam.statements import OPEN_IN_TEMPLATE, TEMPLATE_PLACEHOLDER
from policylint.inventory import load_paths
from policylint.model import Grant, Location

from helpers import CORPUS, run_cli, write

GKE1 = CORPUS / "gcp-iam-policy" / "gcpdiag" / "gke1" / "json-dumps" / "iam-policy.json"
# `gsutil iam get gs://shop-orders` / the Cloud Storage JSON API's bucket policy (R1 #8, R3 #3)
BUCKET = """
    {
      "kind": "storage#policy",
      "resourceId": "projects/_/buckets/shop-orders",
      "version": 1,
      "etag": "CAE=",
      "bindings": [
        {"role": "roles/storage.objectViewer",
         "members": ["serviceAccount:etl@shop-analytics.iam.gserviceaccount.com"]},
        {"role": "roles/storage.legacyBucketOwner", "members": ["projectOwner:shop-analytics"]}
      ]
    }
    """


def facts(node: str, *args: str) -> dict[str, object]:
    run = run_cli("facts", node, *args, "--as-of", "2026-01-01")
    assert run.code == 0, run.out + run.err
    document: dict[str, object] = json.loads(run.out)
    return document


def findings(path: Path, *options: str) -> list[tuple[str, str]]:
    run = run_cli("check", str(path), "--format", "json", "--as-of", "2026-01-01", *options)
    assert run.code in (0, 1), run.out + run.err
    return sorted((f["rule"], f["subject"]["id"]) for f in json.loads(run.out)["findings"])


# --- one bucket is not every bucket ------------------------------------------------------------------------------

def test_a_bucket_policy_reads_that_bucket_not_every_bucket(tmp_path: Path) -> None:
    """`gcp:projects/_/buckets/B/*` (the bucket's objects) was read as "every Cloud Storage bucket"."""
    write(tmp_path, "shop-orders.json", BUCKET)
    role = "gcp:projects/_/buckets/shop-orders:roles/storage.objectViewer"
    assert facts(role, str(tmp_path))["wide_reads"] == []
    assert [f for f in findings(tmp_path) if f[0] == "PL211"] == []


def test_full_access_on_one_customer_bucket_is_one_finding(tmp_path: Path) -> None:
    """legacyBucketOwner on a customer-data bucket was PL201 and PL211 at once: one cause, one finding."""
    write(tmp_path, "shop-orders.json", BUCKET)
    owner = "gcp:projects/_/buckets/shop-orders:roles/storage.legacyBucketOwner"
    assert [f for f in findings(tmp_path, "--unclassified", "customer") if f[1] == owner] == [("PL201", owner)]


@pytest.mark.parametrize(("resource", "kinds"), [
    ("gcp:projects/shop-analytics/*", ["Cloud Storage buckets"]),  # a project's policy
    ("gcp:*", ["Cloud Storage buckets"]),  # an organisation's or a folder's: every project below
    ("gcp:projects/_/buckets/shop-orders/*", []),  # a bucket's objects
    ("gcp:projects/shop-analytics/datasets/orders/*", []),  # a dataset's tables
    ("gcp:projects/shop-analytics/locations/*/keyRings/*/cryptoKeys/*", []),
])
def test_only_a_project_folder_or_organisation_grant_reads_every_store(resource: str, kinds: list[str]) -> None:
    grant = Grant(resource, ("read",), Location("policy.json", 1, 1), via="roles/storage.objectViewer",
                  actions_given=("roles/storage.objectViewer",))
    assert _reads_every(grant) == kinds


# --- Google's service agents -------------------------------------------------------------------------------------

def test_service_agent_roles_held_by_service_agents_are_builtin_and_no_pl211() -> None:
    """gcpdiag's gke1 dump: `roles/pubsub.serviceAgent` to the Pub/Sub service agent, which every project that uses
    Pub/Sub has and no user can remove, was PL211 ("reads every Pub/Sub subscription")."""
    roles = {r.id: r for r in load_paths([str(GKE1)]).inventory.roles}
    project = "gcp:projects/gcpdiag-gke1-aaaa"
    agents = {r for r, role in roles.items() if "builtin" in role.flags}
    assert agents == {f"{project}:roles/{name}" for name in (
        "pubsub.serviceAgent", "compute.serviceAgent", "container.serviceAgent", "containerregistry.ServiceAgent")}
    assert roles[f"{project}:roles/pubsub.serviceAgent"].grants  # still reaching what it reaches
    assert [f for f in findings(GKE1) if f[0] == "PL211"] == []


def test_a_service_agent_role_granted_to_a_users_account_is_not_builtin(tmp_path: Path) -> None:
    """Granting a service agent's role to one's own account is a choice a user made, and can undo."""
    write(tmp_path, "shop-analytics.iam.yaml", """
        bindings:
        - members:
          - serviceAccount:service-412345678902@gcp-sa-pubsub.iam.gserviceaccount.com
          - serviceAccount:etl@shop-analytics.iam.gserviceaccount.com
          role: roles/pubsub.serviceAgent
        etag: BwYF3b8Xq2E=
        version: 1
        """)
    (role,) = load_paths([str(tmp_path)]).inventory.roles
    assert "builtin" not in role.flags
    assert findings(tmp_path, "--select", "PL211") == [
        ("PL211", "gcp:projects/shop-analytics:roles/pubsub.serviceAgent")]


# --- conditions --------------------------------------------------------------------------------------------------

def test_a_conditional_project_read_is_pl211_and_shows_its_condition(tmp_path: Path) -> None:
    write(tmp_path, "shop-analytics.iam.yaml", """
        bindings:
        - condition:
            expression: request.time < timestamp("2026-03-01T00:00:00Z")
            title: until-march
          members:
          - group:analysts@shop.example
          role: roles/bigquery.dataViewer
        etag: BwYF3b8Xq2E=
        version: 3
        """)
    role = "gcp:projects/shop-analytics:roles/bigquery.dataViewer"
    assert facts(role, str(tmp_path))["wide_reads"] == [
        'BigQuery datasets (gcp:projects/shop-analytics/*) [if "until-march": request.time < '
        'timestamp("2026-03-01T00:00:00Z")]']
    assert findings(tmp_path, "--select", "PL211") == [("PL211", role)]


@pytest.mark.parametrize("condition", [
    f"{OPEN_IN_TEMPLATE}OrdersBucketName (a parameter)",
    f"{TEMPLATE_PLACEHOLDER}${{bucket_arn}}",
])
def test_a_resource_a_template_left_open_is_not_a_choice_to_read_every_store(condition: str) -> None:
    """A CloudFormation parameter or a Terraform placeholder read as `*` (fail closed) still reaches every bucket,
    but nobody chose to read every bucket: not PL211."""
    grant = Grant("aws:s3:::*/*", ("read",), Location("template.yaml", 1, 1), condition=condition,
                  actions_given=("s3:GetObject",))
    assert _reads_every(grant) == []
    assert _reads_every(Grant("aws:s3:::*/*", ("read",), Location("template.yaml", 1, 1),
                              actions_given=("s3:GetObject",))) != []
