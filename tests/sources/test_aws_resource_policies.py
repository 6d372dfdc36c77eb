"""Resource policies (bucket, queue, topic, table, secret and key policies) in bare documents and CloudFormation:
who they name (`iam.trust.resource_principals`), which conditions narrow who (`iam.conditions`), what a template
leaves open, and what the rules on `*` (PL202, PL210, PL216) say of them. Cases after R4's second review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policylint.iam.conditions import narrows_who
from policylint.inventory import load_paths

from helpers import run_cli, write

AS_OF = "2026-06-01"
EXPORTS = "arn:aws:s3:::acme-customer-exports"
PARTNER = "arn:aws:iam::999988887777:role/partner-export"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def findings(*args: str) -> list[str]:
    """`RULE subject` of each finding of a `check --format json` run."""
    result = run_cli("check", *args, "--format", "json", "--as-of", AS_OF)
    assert result.code in (0, 1), result.out + result.err
    return sorted(f"{f['rule']} {f['subject']['id']}" for f in json.loads(result.out)["findings"])


# -- a Deny with NotPrincipal (R4 #1) -----------------------------------------------------------------------------

ONLY_THE_PARTNER = [
    {"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": PARTNER},
     "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [EXPORTS, f"{EXPORTS}/*"]},
    {"Sid": "DenyEveryoneElse", "Effect": "Deny",
     "NotPrincipal": {"AWS": [PARTNER, "arn:aws:iam::999988887777:root"]},
     "Action": "s3:*", "Resource": [EXPORTS, f"{EXPORTS}/*"]},
]


def test_a_deny_to_everyone_but_the_partner_keeps_the_partners_grant_in_a_bare_document(tmp_path: Path) -> None:
    path = write(tmp_path, "bucket-policy.json", document(*ONLY_THE_PARTNER))
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert loaded.errors == []
    assert {(g.to, g.resource) for g in loaded.inventory.grants} == {
        ("aws:iam::999988887777:role/partner-export", "aws:s3:::acme-customer-exports")}


def test_a_deny_to_everyone_but_the_partner_keeps_the_partners_grant_in_a_template(tmp_path: Path) -> None:
    statements = json.dumps(ONLY_THE_PARTNER).replace(json.dumps([EXPORTS, f"{EXPORTS}/*"]),
                                                      '[{"Fn::GetAtt": "Exports.Arn"}, '
                                                      '{"Fn::Sub": "${Exports.Arn}/*"}]')
    path = write(tmp_path, "stack.yaml", f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Exports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-customer-exports
      Tags: [{{Key: data-classification, Value: customer_pii}}]
  ExportsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Exports
      PolicyDocument:
        Version: "2012-10-17"
        Statement: {statements}
""")
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert loaded.errors == []
    assert {(g.to, g.resource) for g in loaded.inventory.grants} == {
        ("aws:iam::999988887777:root", "aws:s3:::acme-customer-exports")}  # another account: its root, external


# -- conditions that narrow nothing (R4 #2) -----------------------------------------------------------------------

@pytest.mark.parametrize(("case", "condition", "narrows"), [
    ("org-id-exact", {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, True),
    ("source-ip-office", {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}, True),
    ("principal-arn-exact", {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}}, True),
    ("org-id-any-org", {"StringLike": {"aws:PrincipalOrgID": "o-*"}}, False),
    ("org-id-star", {"StringLike": {"aws:PrincipalOrgID": "*"}}, False),
    ("account-partial", {"StringLike": {"aws:PrincipalAccount": "*1*"}}, False),
    ("arn-any-account", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, False),
    ("source-arn-suffix", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*-logs"}}, False),
    ("org-paths-any", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-*/*"]}}, False),
    ("vpc-any", {"StringLike": {"aws:SourceVpc": "vpc-*"}}, False),
    ("userid-any-role-session", {"StringLike": {"aws:userid": "*:*"}}, False),
    ("userid-any-user", {"StringLike": {"aws:userid": "A*"}}, False),
    ("ipv4-halves", {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}, False),
    ("ipv4-zero-spaced", {"IpAddress": {"aws:SourceIp": ["0.0.0.0/0 "]}}, False),
    ("ipv6-zero", {"IpAddress": {"aws:SourceIp": ["0::/0"]}}, False),
    ("ipv6-zero-short", {"IpAddress": {"aws:SourceIp": "::/0"}}, False),
    ("via-service", {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}, False),
    ("service-name", {"StringEquals": {"aws:PrincipalServiceName": "sns.amazonaws.com"}}, False),
    ("external-id", {"StringEquals": {"sts:ExternalId": "acme"}}, False),
    ("null-org", {"Null": {"aws:PrincipalOrgID": "false"}}, False),
    ("secure-transport", {"Bool": {"aws:SecureTransport": "true"}}, False),
])
def test_which_conditions_narrow_who(case: str, condition: dict[str, Any], narrows: bool) -> None:
    assert narrows_who(condition) is narrows


@pytest.mark.parametrize(("case", "condition"), [
    ("org-id-any-org", {"StringLike": {"aws:PrincipalOrgID": "o-*"}}),
    ("ipv4-halves", {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}),
    ("via-service", {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}),
])
def test_a_bucket_open_under_a_condition_that_narrows_nothing_is_pl216(tmp_path: Path, case: str,
                                                                       condition: dict[str, Any]) -> None:
    path = write(tmp_path, "bucket-policy.json", document(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": f"{EXPORTS}/*",
         "Condition": condition}))
    assert "PL216 aws:s3:::acme-customer-exports" in findings(str(path), "--select", "PL216",
                                                              "--unclassified", "customer")


TRUST_WITH_EXTERNAL_ID = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vendor:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: sts:AssumeRole
            Condition: {StringEquals: {sts:ExternalId: acme-2024}}
      Policies:
        - PolicyName: read
          PolicyDocument: {Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::shop-orders/*"}]}
"""

KEY_VIA_SERVICE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: ViaS3Only
            Effect: Allow
            Principal: {AWS: "*"}
            Action: [kms:Decrypt, kms:GenerateDataKey]
            Resource: "*"
            Condition:
              StringEquals: {kms:ViaService: s3.eu-west-1.amazonaws.com}
"""


def test_a_trust_to_anyone_with_an_external_id_is_pl210(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", TRUST_WITH_EXTERNAL_ID)
    assert "PL210 aws:iam::cfn:role/t-Vendor" in findings(str(tmp_path), "--select", "PL210")


def test_a_key_open_to_anyone_via_a_service_is_pl216(tmp_path: Path) -> None:
    write(tmp_path, "key.yaml", KEY_VIA_SERVICE)
    assert findings(str(tmp_path), "--select", "PL216") == ["PL216 aws:kms:cfn:cfn:key/key-DataKey"]


# -- a template value opens only its own Resource entry (R4 #3) ---------------------------------------------------

READ = ["s3:GetObject", "s3:ListBucket"]


def test_a_placeholder_beside_a_literal_star_marks_only_its_own_entry(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "reader.json", document(
        {"Effect": "Allow", "Action": READ, "Resource": ["arn:aws:s3:::*", "${extra_bucket_arn}/*"]}))
    [role] = load_paths([str(path)], root=str(tmp_path)).inventory.roles
    assert sorted((g.resource, g.condition) for g in role.grants) == [
        ("aws:s3:*", "template placeholder ${extra_bucket_arn}"), ("aws:s3:::*", None)]
    monkeypatch.chdir(tmp_path)
    assert findings("reader.json", "--select", "PL211") == ["PL211 aws:policy-document:reader.json"]


def test_a_template_value_beside_a_literal_star_marks_only_its_own_entry(tmp_path: Path) -> None:
    path = write(tmp_path, "stack.yaml", """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ExtraBucket:
    Type: String
Resources:
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:ListBucket]
                Resource: ["*", !Sub "arn:aws:s3:::${ExtraBucket}/*"]
""")
    [role] = load_paths([str(path)], root=str(tmp_path)).inventory.roles
    conditions = {g.condition for g in role.grants}
    assert None in conditions and "template leaves open: parameter ExtraBucket has no Default" in conditions, conditions
    assert findings(str(path), "--select", "PL211") == ["PL211 aws:iam::cfn:role/stack-Reader"]


# -- table and secret policies (R4 #4) ----------------------------------------------------------------------------

TABLE_AND_SECRET = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: customers
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      Tags: [{Key: data-classification, Value: customer_pii}]
      ResourcePolicy:
        PolicyDocument:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: dynamodb:GetItem
              Resource: "*"
  ApiSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: payments/api-key
  ApiSecretPolicy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: !Ref ApiSecret
      BlockPublicPolicy: false
      ResourcePolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: secretsmanager:GetSecretValue
            Resource: "*"
"""


def test_a_tables_own_policy_and_a_secret_policy_open_to_anyone_are_pl216(tmp_path: Path) -> None:
    path = write(tmp_path, "data.yaml", TABLE_AND_SECRET)
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert loaded.errors == []
    assert {(g.to, g.resource) for g in loaded.inventory.grants} == {
        ("*", "aws:dynamodb:cfn:cfn:table/customers"), ("*", "aws:secretsmanager:cfn:cfn:secret:payments/api-key")}
    assert findings(str(path), "--select", "PL216") == [
        "PL216 aws:dynamodb:cfn:cfn:table/customers", "PL216 aws:secretsmanager:cfn:cfn:secret:payments/api-key"]


# -- a bare document does not know its account (R4 #6) -----------------------------------------------------------

@pytest.mark.parametrize(("case", "principal", "resource", "kind", "flags"), [
    ("account-number", "999988887777", "arn:aws:s3:::b-account/*", "external", ()),
    ("account-root-arn", "arn:aws:iam::999988887777:root", "arn:aws:s3:::b-account/*", "external", ()),
    ("own-account-named-by-its-arns", "111122223333", "arn:aws:sqs:eu-west-1:111122223333:orders", "service",
     ("aws-root",)),
])
def test_an_account_a_bare_document_names_is_another_unless_its_arns_name_it(
        tmp_path: Path, case: str, principal: str, resource: str, kind: str, flags: tuple[str, ...]) -> None:
    path = write(tmp_path, "policy.json", document(
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": ["s3:GetObject", "sqs:ReceiveMessage"],
         "Resource": resource}))
    loaded = load_paths([str(path)], root=str(tmp_path))
    account = "111122223333" if case.startswith("own") else "999988887777"
    [root] = [p for p in loaded.inventory.principals if p.id == f"aws:iam::{account}:root"]
    assert (root.type, root.flags) == (kind, flags)


def test_another_accounts_root_reaching_customer_data_is_pl203(tmp_path: Path) -> None:
    path = write(tmp_path, "bucket-policy.json", document(
        {"Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::b-account/*"}))
    assert "PL203 aws:iam::999988887777:root" in findings(str(path), "--select", "PL203",
                                                          "--unclassified", "customer")


def test_a_policy_whose_target_the_template_leaves_open_is_no_error_and_is_reported(tmp_path: Path) -> None:
    """`Bucket: !Ref ExternalBucket` or `Queues: [!Ref QueueUrl]`: the template does not say what the policy is
    attached to. That is a valid template (exit 1, not 2); the access it opens to anyone is reported on a stand-in
    for its targets, and on a store another file defines that the statement's ARNs match."""
    write(tmp_path, "policies.yaml", """
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          ExternalBucket: {Type: String}
          QueueUrl: {Type: String}
        Resources:
          ExtPolicy:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref ExternalBucket
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "arn:aws:s3:::acme-exports-*/*"}
          QueuePolicy:
            Type: AWS::SQS::QueuePolicy
            Properties:
              Queues: [!Ref QueueUrl]
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: "*", Action: sqs:SendMessage, Resource: "*"}
        """)
    write(tmp_path, "stores.yaml", """
        policylint: 1
        resources:
          - {id: "aws:s3:::acme-exports-eu", type: bucket, data: [customer_pii], records: 120000}
        """)
    result = run_cli("check", str(tmp_path), "--format", "json", "--as-of", AS_OF)
    assert result.code == 1, result.out + result.err
    report = json.loads(result.out)
    assert report["errors"] == []
    assert {f["subject"]["id"] for f in report["findings"] if f["rule"] == "PL216"} == {
        "aws:s3:::policies-ExtPolicy-targets", "aws:sqs:cfn:cfn:policies-QueuePolicy-targets",
        "aws:s3:::acme-exports-eu"}


def test_a_principal_the_template_leaves_open_is_somebody_unknown_not_anyone(tmp_path: Path) -> None:
    """`Principal: {AWS: !Ref PartnerArn}` names a partner the template does not show: still read as anyone for
    reach (fail closed), with the condition saying so, but not reported as open to anyone (PL216, PL210)."""
    write(tmp_path, "partner.yaml", """
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          PartnerArn: {Type: String}
        Resources:
          Exports:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: acme-partner-exports
              Tags: [{Key: data-classification, Value: customer_pii}]
          ExportsPolicy:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref Exports
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: {AWS: !Ref PartnerArn}, Action: s3:GetObject,
                     Resource: "arn:aws:s3:::acme-partner-exports/*"}
          PartnerRole:
            Type: AWS::IAM::Role
            Properties:
              RoleName: partner-reader
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Principal: {AWS: !Ref PartnerArn}, Action: sts:AssumeRole}]
        """)
    write(tmp_path, "people.yaml", "policylint: 1\nprincipals: [{id: svc, type: service}]\n")
    report = json.loads(run_cli("check", str(tmp_path), "--format", "json", "--as-of", AS_OF).out)
    assert report["errors"] == []
    assert {f["rule"] for f in report["findings"]} & {"PL202", "PL210", "PL216"} == set()
    reach = json.loads(run_cli("reach", str(tmp_path), "--format", "json", "--as-of", AS_OF).out)
    assert "svc" in {i["id"] for i in reach["identities"]}  # anyone, as far as reach goes
