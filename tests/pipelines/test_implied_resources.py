"""Resources and keys a platform's policy names and no file defines are implied, unclassified nodes (not PL001).

An authorization-details export lists identities and their policies, never the buckets, tables and keys those
policies name: such a target is implied (flag `implied`), in the scope its id gives, located at the first grant
that names it. A definition in any file replaces it, `annotate:` classifies it, `--unclassified customer` counts it.
A native file's undefined name stays PL001: there it is most likely a typo that hides customer data.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_reach_oracle import PATTERNS, Oracle, customer, inventories

from policylint.graph import admin_hub, build_graph, build_index
from policylint.inventory import load_paths, merge
from policylint.model import Group, Inventory, Key, Location, Principal, Resource
from policylint.pipeline import run
from policylint.reach import compute_reach
from policylint.settings import Settings
from policylint.sources.implied import implied_by, implied_targets

from helpers import AS_OF, run_cli, write

ACCT = "111122223333"
OTHER = "444455556666"
ORDERS = "aws:s3:::acme-orders-prod"
TABLE = f"aws:dynamodb:eu-west-1:{ACCT}:table/Orders"
KEY = f"aws:kms:eu-west-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET = f"aws:secretsmanager:eu-west-1:{ACCT}:secret:prod/orders-db-AbCdEf"
ETL = f"aws:iam::{ACCT}:role/service-role/orders-etl"
ANALYST = f"aws:iam::{ACCT}:user/mora.analyst"
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ETL_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadRawOrders", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::acme-orders-prod", "arn:aws:s3:::acme-orders-prod/raw/*"]},
    {"Sid": "WriteOrdersTable", "Effect": "Allow",
     "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query"],
     "Resource": [f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/Orders",
                  f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/Orders/index/*"]},
    {"Sid": "DecryptOrders", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
     "Resource": f"arn:aws:kms:eu-west-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
    {"Sid": "DatabasePassword", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
     "Resource": f"arn:aws:secretsmanager:eu-west-1:{ACCT}:secret:prod/orders-db-AbCdEf"},
    {"Sid": "TheirOwnPrefix", "Effect": "Allow", "Action": "dynamodb:GetItem",
     "Resource": f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/${{aws:username}}"},
]}
ANALYST_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::acme-orders-prod", "arn:aws:s3:::acme-orders-prod/exports/*"]}]}


def export(account: str = ACCT) -> dict[str, Any]:
    """`aws iam get-account-authorization-details`, as the CLI prints it: a user with an inline policy, a Lambda
    execution role with one, no buckets, tables or keys (the export has none to list)."""
    document: dict[str, Any] = json.loads(json.dumps(_export()).replace(ACCT, account))
    return document


def _export() -> dict[str, Any]:
    return {
        "UserDetailList": [{
            "Path": "/", "UserName": "mora.analyst", "UserId": "AIDAQ3EGRSZSEXAMPLE1",
            "Arn": f"arn:aws:iam::{ACCT}:user/mora.analyst", "CreateDate": "2024-02-12 08:14:51+00:00",
            "UserPolicyList": [{"PolicyName": "orders-exports-read", "PolicyDocument": ANALYST_POLICY}],
            "GroupList": [], "AttachedManagedPolicies": [],
            "Tags": [{"Key": "email", "Value": "mora@acme.example"}],
        }],
        "GroupDetailList": [],
        "RoleDetailList": [{
            "Path": "/service-role/", "RoleName": "orders-etl", "RoleId": "AROAQ3EGRSZSEXAMPLE2",
            "Arn": f"arn:aws:iam::{ACCT}:role/service-role/orders-etl",
            "CreateDate": "2023-11-03 16:40:12+00:00", "AssumeRolePolicyDocument": LAMBDA_TRUST,
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": "orders-etl-access", "PolicyDocument": ETL_POLICY}],
            "AttachedManagedPolicies": [{
                "PolicyName": "AWSLambdaBasicExecutionRole",
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
            "Tags": [], "RoleLastUsed": {"LastUsedDate": "2025-12-30 02:00:07+00:00", "Region": "eu-west-1"},
        }],
        "Policies": [],
    }


def write_export(folder: Path, name: str = "authorization-details.json", account: str = ACCT) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(export(account), indent=4), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


def findings(*paths: Path, unclassified: str = "known") -> list[tuple[str, str]]:
    report = run(Settings(tuple(map(str, paths)), AS_OF, unclassified=unclassified)).report
    assert [str(e) for e in report.errors] == []
    return sorted((f.rule, f.subject_id) for f in report.findings)


# --- what is implied --------------------------------------------------------------------------------------------

def test_an_export_implies_what_its_policies_name_and_breaks_no_reference(tmp_path: Path) -> None:
    path = write_export(tmp_path)
    loaded = load_paths([str(path)])
    assert [str(e) for e in loaded.errors] == []
    implied = {n.id: n for n in loaded.inventory.nodes() if "implied" in getattr(n, "flags", ())}
    assert sorted(implied) == sorted([ORDERS, TABLE, KEY, SECRET])
    # located at the first grant naming each: the analyst's policy (the user comes first) names only the bucket
    analyst, etl = line_of(path, '"orders-exports-read"'), line_of(path, '"orders-etl-access"')
    assert {i: n.location.line for i, n in implied.items()} == {ORDERS: analyst, TABLE: etl, KEY: etl, SECRET: etl}
    bucket, table, secret, key = implied[ORDERS], implied[TABLE], implied[SECRET], implied[KEY]
    assert isinstance(bucket, Resource) and (bucket.type, bucket.scope, bucket.data) == ("bucket", "aws", ())
    assert isinstance(table, Resource) and (table.type, table.scope) == ("table", f"aws:{ACCT}")
    assert isinstance(secret, Resource) and (secret.type, secret.scope) == ("secretsmanager:secret", f"aws:{ACCT}")
    # read off what the grant does with it: kms:Decrypt and kms:GenerateDataKey encrypt
    assert isinstance(key, Key) and (key.purpose, key.storage, key.scope) == ("encryption", "kms", f"aws:{ACCT}")
    # the table named by a policy variable is one table per caller: a glob over the account's tables, no PL001
    assert [f for f in findings(path) if f[0] == "PL001"] == []
    etl = next(r for r in loaded.inventory.roles if r.id == ETL)
    assert f"aws:dynamodb:eu-west-1:{ACCT}:table/*" in {g.resource for g in etl.grants}


def test_the_cloudsplaining_example_has_no_broken_reference_left() -> None:
    example = Path(__file__).parents[1] / "corpus" / "aws-authz-details" / "cloudsplaining__example.json"
    loaded = load_paths([str(example)])
    bucket = "aws:s3:::aws-quick-setup-config-recording-200611803367-1clff"
    assert [(r.id, r.type, r.scope, r.flags) for r in loaded.inventory.resources if r.type != "access_control"] == [
        (bucket, "bucket", "aws", ("implied",))]
    assert [rule for rule, _ in findings(example) if rule == "PL001"] == []


@pytest.mark.parametrize(("case", "node_id", "type_", "scope"), [
    ("bucket", ORDERS, "bucket", "aws"),
    ("object prefix: its bucket", "aws:s3:::acme-exports", "bucket", "aws"),
    ("table", TABLE, "table", f"aws:{ACCT}"),
    ("RDS instance", f"aws:rds:eu-west-1:{ACCT}:db:orders-primary", "database", f"aws:{ACCT}"),
    ("Aurora cluster", f"aws:rds:eu-west-1:{ACCT}:cluster:orders", "database", f"aws:{ACCT}"),
    ("function", f"aws:lambda:eu-west-1:{ACCT}:function:export-orders", "lambda:function", f"aws:{ACCT}"),
    ("queue: no type in the ARN", f"aws:sqs:eu-west-1:{ACCT}:orders-dlq", "sqs", f"aws:{ACCT}"),
    ("a template's account", "aws:dynamodb:cfn:cfn:table/Orders", "table", "aws"),
    ("an AWS-owned resource", "aws:cloudformation:us-west-2:aws:transform/Serverless-2016-10-31",
     "cloudformation:transform", "aws"),
    ("a GCP dataset", "gcp:projects/shop-analytics/datasets/orders", "unknown", "gcp:projects/shop-analytics"),
    ("a GCP bucket: no project in its name", "gcp:projects/_/buckets/shop-exports", "unknown", "gcp"),
    ("a Kubernetes object", "k8s:default:configmap:payments/settings", "unknown", "k8s:default"),
])
def test_a_resource_is_typed_and_scoped_by_its_id(case: str, node_id: str, type_: str, scope: str) -> None:
    where = Location("authorization-details.json", 12, 7)
    assert implied_by(node_id, where) == (Resource(node_id, where, type_, scope=scope, flags=("implied",)),), case


@pytest.mark.parametrize(("case", "given", "purpose"), [
    ("decrypting and data keys", ["kms:Decrypt", "kms:GenerateDataKey*"], "encryption"),
    ("signing", ["kms:Sign", "kms:Verify"], "signing"),
    ("encrypting and signing", ["kms:Encrypt", "kms:Sign"], "signing"),
    ("every KMS action: could sign", ["kms:*"], "signing"),
    ("a NotAction: could sign", ["NotAction iam:*"], "signing"),
    ("only describing it: usage unknown", ["kms:DescribeKey"], "signing"),
    ("nothing said", [], "signing"),
])
def test_a_kms_key_or_alias_is_a_key_for_what_its_grants_do(case: str, given: list[str], purpose: str) -> None:
    where = Location("authorization-details.json", 12, 7)
    for node_id in (KEY, f"aws:kms:eu-west-1:{ACCT}:alias/orders"):
        assert implied_by(node_id, where, frozenset(given)) == (
            Key(node_id, where, purpose, "kms", scope=f"aws:{ACCT}", flags=("implied",)),), case


def test_an_iam_id_is_no_store() -> None:
    """Identities (and IAM's own objects) are no data store: an undefined one stays a broken reference."""
    assert implied_by(f"aws:iam::{ACCT}:mfa/mora.analyst", Location("authorization-details.json", 12, 7)) == ()


# --- definitions win, native files keep PL001 -------------------------------------------------------------------

def test_a_definition_in_another_file_replaces_the_implied_node(tmp_path: Path) -> None:
    write_export(tmp_path / "aws")
    write(tmp_path, "storage.yaml", """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          OrdersBucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: acme-orders-prod
              Tags:
                - {Key: data-classification, Value: customer_orders}
                - {Key: records, Value: "4200000"}
    """)
    loaded = load_paths([str(tmp_path)])
    assert [str(e) for e in loaded.errors] == []
    [bucket] = [r for r in loaded.inventory.resources if r.id == ORDERS]
    assert (bucket.location.file.endswith("storage.yaml"), bucket.flags, bucket.data) == (
        True, (), ("customer_orders",))
    assert sum("implied" in r.flags for r in loaded.inventory.resources) == 2  # the table and the secret


def test_two_exports_naming_one_bucket_imply_it_once(tmp_path: Path) -> None:
    first = write_export(tmp_path, "a-prod.json")
    write_export(tmp_path, "b-shared.json", account=OTHER)
    loaded = load_paths([str(tmp_path)])
    assert [str(e) for e in loaded.errors] == []
    assert [r.location.file for r in loaded.inventory.resources if r.id == ORDERS] == [str(first)]


def test_a_native_file_naming_an_undefined_store_is_still_pl001(tmp_path: Path) -> None:
    write_export(tmp_path)
    native = write(tmp_path, "access.yaml", f"""
        policylint: 1
        roles:
          - id: orders-support
            assumable_by: [{ANALYST}]
            grants:
              - {{resource: "aws:s3:::acme-orders-prd", actions: [read]}}
    """)
    loaded = load_paths([str(tmp_path)])
    assert "aws:s3:::acme-orders-prd" not in {n.id for n in loaded.inventory.nodes()}
    assert ("PL001", "orders-support") in findings(tmp_path)
    report = run(Settings((str(tmp_path),), AS_OF, select=("PL001",))).report
    assert {(f.subject_id, f.location.file) for f in report.findings} == {("orders-support", str(native))}


# --- classification: annotate, --unclassified customer ---------------------------------------------------------

def test_an_annotated_implied_bucket_is_customer_data_and_reach_finds_the_path(tmp_path: Path) -> None:
    write_export(tmp_path)
    write(tmp_path, "customer-data.yaml", f"""
        policylint: 1
        annotate:
          - {{match: "{ORDERS}", data: [customer_orders], records: 4200000}}
    """)
    analysis = run(Settings((str(tmp_path),), AS_OF)).analysis
    [bucket] = [r for r in analysis.inventory.resources if r.id == ORDERS]
    assert (bucket.data, bucket.records, bucket.flags) == (("customer_orders",), 4200000, ("implied",))
    assert [r.id for r in analysis.reach.resources] == [ORDERS]
    assert analysis.reach.path(ANALYST) == [ANALYST, ORDERS]
    assert analysis.reach.path(ETL) == [ETL, ORDERS]
    result = run_cli("reach", str(tmp_path), "--format", "json", "--as-of", "2026-01-01")
    assert result.code == 0, result.err
    shown = {i["id"]: [(r["id"], r["records"], r["path"]) for r in i["resources"]]
             for i in json.loads(result.out)["identities"]}
    assert shown[ANALYST] == [(ORDERS, 4200000, [ANALYST, ORDERS])]


def test_unclassified_customer_counts_implied_stores_through_the_cli(tmp_path: Path) -> None:
    path = write_export(tmp_path)
    known = run_cli("reach", str(path), "--format", "json", "--as-of", "2026-01-01")
    assert known.code == 0 and json.loads(known.out)["identities"] == []
    result = run_cli("reach", str(path), "--format", "json", "--as-of", "2026-01-01", "--unclassified", "customer")
    assert result.code == 0, result.err
    reached = {i["id"]: sorted((r["id"], r["classes"]) for r in i["resources"])
               for i in json.loads(result.out)["identities"]}
    stores = [(TABLE, ["unclassified"]), (ORDERS, ["unclassified"]), (SECRET, ["unclassified"])]
    # through the role Lambda assumes; the key is no store: never customer data itself
    assert reached == {"aws:service:lambda.amazonaws.com": stores, ANALYST: [(ORDERS, ["unclassified"])]}


def test_an_accounts_access_control_reaches_its_own_stores_and_the_buckets(tmp_path: Path) -> None:
    """A table's id names its account; a bucket's does not, so every account's access control reaches it."""
    write_export(tmp_path, "prod.json")
    write_export(tmp_path, "shared.json", account=OTHER)
    graph = run(Settings((str(tmp_path),), AS_OF)).analysis.graph
    other_table = f"aws:dynamodb:eu-west-1:{OTHER}:table/Orders"
    controlled = {a: set(graph.succ[admin_hub(f"aws:iam::{a}:access-control")]) & {ORDERS, TABLE, other_table}
                  for a in (ACCT, OTHER)}
    assert controlled == {ACCT: {ORDERS, TABLE}, OTHER: {ORDERS, other_table}}


# --- Kubernetes: a service account named only in resourceNames -------------------------------------------------

MINTER = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deploy-token-minter
  namespace: ci
rules:
  - apiGroups: [""]
    resources: ["serviceaccounts/token"]
    resourceNames: ["deployer"]
    verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deploy-token-minter
  namespace: ci
subjects:
  - kind: User
    name: jenkins@acme.example
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: deploy-token-minter
  apiGroup: rbac.authorization.k8s.io
"""
SECRETS_TO_ALL_ACCOUNTS = """
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read-ci-secrets
  namespace: ci
subjects:
  - kind: Group
    name: system:serviceaccounts:ci
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: view-secrets
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: view-secrets
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
"""


def test_a_token_named_in_resource_names_implies_the_account_and_its_key(tmp_path: Path) -> None:
    write(tmp_path, "minter.yaml", MINTER)
    write(tmp_path, "secrets.yaml", SECRETS_TO_ALL_ACCOUNTS)
    account, token = "k8s:default:serviceaccount:ci/deployer", "k8s:default:serviceaccount:ci/deployer#token"
    loaded = load_paths([str(tmp_path)])
    nodes = {n.id: n for n in loaded.inventory.nodes()}
    principal, key, group = nodes[account], nodes[token], nodes["k8s:default:group:system:serviceaccounts:ci"]
    assert isinstance(principal, Principal) and principal.type == "service"
    assert isinstance(key, Key) and key.signs_for == (account,) and "implied" in key.flags
    # implied before `link`, which then gives the account the built-in groups of its namespace
    assert isinstance(group, Group) and account in group.members
    assert [rule for rule, _ in findings(tmp_path) if rule == "PL001"] == []
    write(tmp_path, "ci-secrets.yaml", """
        policylint: 1
        annotate:
          - {match: "k8s:default:secrets:ci", data: [customer_payment]}
    """)
    # minting the token is acting as the account: without the implied key, this path was missed
    jenkins = "k8s:default:user:jenkins@acme.example"
    assert run(Settings((str(tmp_path),), AS_OF)).analysis.reach.path(jenkins) == [
        jenkins, "k8s:default:rolebinding:ci/deploy-token-minter", token, account,
        "k8s:default:group:system:serviceaccounts:ci", "k8s:default:rolebinding:ci/read-ci-secrets",
        "k8s:default:secrets:ci"]


# --- reach over implied nodes, against the brute-force oracle --------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_reach_over_implied_resources_matches_the_oracle(inventory: Inventory) -> None:
    """The random inventories name `ghost`, defined nowhere: implied, and annotated as customer data, it is an
    ordinary resource for reach, and a grant on it reaches it."""
    implied = [replace(n, data=("customer_pii",)) if isinstance(n, Resource) else n
               for n in implied_targets(inventory)]
    merged, errors = merge([inventory], [Inventory(resources=tuple(n for n in implied if isinstance(n, Resource)))])
    assert errors == []
    named = {g.resource for g in (*inventory.grants, *(g for r in inventory.roles for g in r.grants))}
    assert ("ghost" in {n.id for n in merged.nodes()}) == ("ghost" in named)
    index = build_index(merged)
    reach = compute_reach(build_graph(merged, index), merged, PATTERNS)
    oracle = Oracle(merged)
    for node in merged.nodes():
        expected = oracle.reached(node)
        want = sorted(r.id for r in merged.resources if r.id in expected and customer(r))
        assert sorted(r.id for r in reach.reached_resources(node.id)) == want, node.id
