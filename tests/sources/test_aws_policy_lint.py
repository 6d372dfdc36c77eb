"""The IAM policy lint (`iam/lint.py`) and bare policy documents (`sources/aws/policy_document.py`).

The lint cases are our own, written after Parliament's unit tests (duo-labs/parliament, tests/unit and
community_auditors/tests, BSD-3-Clause): the same situations, our semantics. `aws_policy_lint_vs_parliament.md`
beside this file is the table of what each gives and why they differ.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from policylint.errors import InputError
from policylint.iam import actions
from policylint.iam.lint import CREDENTIAL_ACTIONS, lint
from policylint.iam.statements import globs_overlap, parse_policy
from policylint.inventory import load_paths
from policylint.model import Location, Principal, Role
from policylint.sources import looks_like
from policylint.sources.aws import policy_document
from policylint.sources.base import Options

from helpers import CORPUS, REPO, git, run_cli, write

AT = Location("p.json", 1, 1)
FINDING = re.compile(r"(?:CRITICAL|HIGH|MEDIUM|LOW|INFO) PL\d+ ")
COMMIT = ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m"]


def flags_of(*statements: dict[str, Any]) -> list[str]:
    parsed, errors = parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, "p", "p.json", AT)
    assert errors == []
    return list(lint(parsed))


def allow(action: str | list[str], resource: str | list[str] = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


BUCKET = "arn:aws:s3:::examplebucket"

# (case, statements, flags): each after a Parliament unit test of the same name or idea
CASES: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    ("correct-simple", [allow("s3:listallmybuckets")], []),
    ("multiple-statements-one-bad", [allow("s3:listallmybuckets"), allow(["iam:listusers", "iam:list"])],
     ["aws-unknown-action:iam:list"]),
    ("unknown-prefix", [allow("333:listallmybuckets")], ["aws-unknown-action:333:listallmybuckets"]),
    ("unknown-action", [allow("s3:zzz")], ["aws-unknown-action:s3:zzz"]),
    ("wildcard-matching-nothing", [allow("s3:zzz*")], ["aws-unknown-action:s3:zzz*"]),
    ("mixed-case-wildcards", [allow(["iAm:li*sTuS*rs", "ses:Describe*", "logs:GetLogDelivery", "iq:*"])], []),
    ("typo-in-a-deny-widens-access", [allow("s3:*", f"{BUCKET}/*"),
                                      {"Effect": "Deny", "Action": "s3:DeleteObjekt", "Resource": f"{BUCKET}/*"}],
     ["aws-unknown-action:s3:DeleteObjekt"]),
    ("typo-in-not-action", [{"Effect": "Allow", "NotAction": ["iam:*", "organisations:*"], "Resource": "*"}],
     ["aws-allow-not-action", "aws-unknown-action:organisations:*"]),
    ("condition-on-a-known-action", [allow("s3:listbucket", BUCKET, Condition={
        "DateGreaterThan": {"aws:CurrentTime": "2019-07-16T12:00:00Z"}})], []),
    ("redshift-dbuser", [allow("redshift:GetClusterCredentials",
                               "arn:aws:redshift:us-west-2:123456789012:dbuser:the_cluster/the_user")], []),
    ("lambda-layer-wildcards", [allow("lambda:AddLayerVersionPermission",
                                      "arn:aws:lambda:*:123456789012:layer:sol-*:*")], []),
    ("own-mfa-device", [allow(["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
                              "arn:aws:iam::*:mfa/${aws:username}")], []),
    ("action-without-resource-types-on-star", [allow("guardduty:ListDetectors")], []),
    ("object-action-on-a-bucket", [allow("s3:GetObject", BUCKET)], ["aws-resource-mismatch:s3:GetObject"]),
    ("object-action-on-objects", [allow("s3:getobject", "arn:aws:s3:::my_corporate_bucket/*")], []),
    ("star-resource-only-action-on-an-arn", [allow(["s3:ListAllMyBuckets", "s3:ListBucket"], BUCKET)],
     ["aws-resource-mismatch:s3:ListAllMyBuckets"]),
    ("wildcards-with-some-matching-action", [
        allow(["s3:*Bucket*", "s3:*Object*"], ["arn:aws:s3:::bucket1", "arn:aws:s3:::bucket1/*"]),
        allow("s3:*Object", "arn:aws:s3:::bucket2/*")], []),
    ("service-of-another-arn", [allow("dynamodb:Get*", f"{BUCKET}/*")], ["aws-resource-mismatch:dynamodb:Get*"]),
    ("kms-alias-arn", [allow("kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3")],
     ["aws-resource-mismatch:kms:Decrypt"]),
    ("mismatch-given-by-another-statement", [allow("sns:ListTopics", "arn:aws:sns:*:*:*"), allow("sns:ListTopics")],
     []),
    ("mismatch-in-a-deny-is-not-checked", [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": BUCKET}], []),
    ("short-arn", [allow("s3:GetObject", "arn:aws:s3:*")], []),
    ("credentials-exposure", [allow(["redshift:getclustercredentials", "ecr:getauthorizationtoken"])],
     ["aws-credential-exposure:ecr:GetAuthorizationToken",
      "aws-credential-exposure:redshift:GetClusterCredentials"]),
    ("wildcards-ecr-s3", [allow(["ecr:*", "s3:*"])], ["aws-credential-exposure:ecr:GetAuthorizationToken"]),
    ("own-access-keys-are-scoped", [allow(["iam:CreateAccessKey", "iam:UpdateAccessKey"],
                                          "arn:aws:iam::*:user/${aws:username}")], []),
    ("every-users-access-keys", [allow("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/*")],
     ["aws-credential-exposure:iam:CreateAccessKey"]),
    ("credentials-denied-on-every-resource", [allow("ec2:*"), {"Effect": "Deny", "Action": "ec2:GetPassword*",
                                                                "Resource": "*"}], []),
    ("a-conditional-deny-denies-nothing", [
        allow("sts:AssumeRole"), {"Effect": "Deny", "Action": "sts:*", "Resource": "*",
                                  "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}],
     ["aws-credential-exposure:sts:AssumeRole"]),
    ("not-resource-with-deny", [{"Effect": "Deny", "Action": "s3:*",
                                 "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}],
     []),
    ("not-resource-with-allow", [{"Effect": "Allow", "Action": "s3:*",
                                  "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}],
     ["aws-allow-not-resource"]),
    ("not-principal-with-deny", [{"Effect": "Deny", "NotPrincipal": {"AWS": [
        "arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]}, "Action": "s3:*",
        "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]}], []),
    ("not-principal-with-allow", [
        {"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob"]}, "Action": "s3:*",
         "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]}], ["aws-open-principal"]),
    ("public-bucket-policy", [allow("s3:GetObject", f"{BUCKET}/*", Principal="*", Sid="AddPerm")],
     ["aws-open-principal"]),
    ("open-principal-under-a-condition", [allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": "*"}, Condition={
        "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})], []),
    ("named-principals", [allow("s3:GetObject", f"{BUCKET}/*", Principal=principal) for principal in (
        {"AWS": ["arn:aws:iam::000000000000:root", "arn:aws:iam::111111111111:root"]}, {"AWS": "000000000000"},
        {"AWS": "arn:aws:iam::000000000000:user/alice"}, {"Federated": "cognito-identity.amazonaws.com"},
        {"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity 00000000000000"})], []),
    ("deny-with-any-principal", [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                  "Resource": "arn:aws:s3:::examplebucket/taxdocuments/*",
                                  "Condition": {"Null": {"aws:MultiFactorAuthAge": True}}}], []),
    ("trust-policy-of-a-service", [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                    "Action": "sts:AssumeRole"}], []),
    ("trust-policy-open-to-all", [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
     ["aws-open-principal"]),
]


def public(condition: dict[str, Any]) -> list[dict[str, Any]]:
    return [allow("s3:GetObject", f"{BUCKET}/*", Principal="*", Condition=condition)]


# (case, condition on a `"Principal": "*"` Allow, whether anyone may still act: R1 #7, any Condition used to count)
CONDITIONS: list[tuple[str, dict[str, Any], bool]] = [
    ("tls-only", {"Bool": {"aws:SecureTransport": "true"}}, True),
    ("a-time-window", {"DateLessThan": {"aws:CurrentTime": "2026-12-31T00:00:00Z"}}, True),
    ("principal-arn-like-anything", {"StringLike": {"aws:PrincipalArn": "*"}}, True),
    ("any-account-but-one", {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}, True),
    ("organisation-if-exists", {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, True),
    ("for-all-values-passes-an-absent-key", {"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/*"]}},
     True),
    ("every-address", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, True),
    ("a-role-name-in-any-account", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy"}}, True),
    ("a-policy-variable", {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}, True),
    ("organisation", {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, False),
    ("organisation-paths-with-a-wildcard",  # S3: only a value without any wildcard is fixed (R4 #2)
     {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}, True),
    ("organisation-paths",
     {"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"]}}, False),
    ("an-account-and-tls", {"StringEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]},
                            "Bool": {"aws:SecureTransport": "true"}}, False),
    ("any-role-of-one-account", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}, True),
    ("a-role-of-one-account", {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/deploy"}}, False),
    ("a-vpc-endpoint", {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, False),
    ("an-office-network", {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}, False),
    ("a-service-for-a-source-bucket", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::acme-logs"},
                                       "StringEquals": {"aws:SourceAccount": "111122223333"}}, False),
    ("key-callers-of-one-account", {"StringEquals": {"kms:CallerAccount": "111122223333",
                                                     "kms:ViaService": "s3.eu-west-1.amazonaws.com"}}, False),
    ("key-names-are-not-case-sensitive", {"StringEquals": {"AWS:principalorgid": "o-a1b2c3d4e5"}}, False),
]


@pytest.mark.parametrize(("condition", "open_to_anyone"), [(c, o) for _, c, o in CONDITIONS],
                         ids=[name for name, _, _ in CONDITIONS])
def test_only_a_condition_on_who_the_caller_is_narrows_any_principal(condition: dict[str, Any],
                                                                     open_to_anyone: bool) -> None:
    assert flags_of(*public(condition)) == (["aws-open-principal"] if open_to_anyone else [])


@pytest.mark.parametrize(("statements", "expected"), [(s, e) for _, s, e in CASES], ids=[c for c, _, _ in CASES])
def test_lint(statements: list[dict[str, Any]], expected: list[str]) -> None:
    found = flags_of(*statements)
    if "aws-allow-not-action" in expected:  # every credential action outside IAM, which are many: tested below
        found = [f for f in found if not f.startswith("aws-credential-exposure:")]
    assert found == expected


def test_not_action_exposes_every_credential_action_it_does_not_name() -> None:
    found = flags_of({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    exposed = {f.removeprefix("aws-credential-exposure:").lower() for f in found if "credential" in f}
    assert "sts:assumerole" in exposed and "ecr:getauthorizationtoken" in exposed
    assert not any(a.startswith("iam:") for a in exposed)
    # a name of Cloudsplaining's list that is no IAM action (the SSO portal's) is never given by a wildcard
    assert "sso:getrolecredentials" in CREDENTIAL_ACTIONS and "sso:getrolecredentials" not in exposed


def test_a_policy_is_linted_on_its_own_so_a_deny_elsewhere_keeps_the_exposure() -> None:
    """Fail closed: a Deny in another policy of the same identity does not take the finding away."""
    assert flags_of(allow("sts:AssumeRole")) == ["aws-credential-exposure:sts:AssumeRole"]
    assert flags_of({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}) == []


# --- the action data --------------------------------------------------------------------------------------------

def test_known_matches_are_lower_case_and_empty_for_what_the_data_does_not_know() -> None:
    assert actions.known_matches("S3:GetObject") == {"s3:getobject"}
    assert actions.known_matches("s3:GetObjekt") == frozenset()
    assert actions.known_matches("s3:Get*Acl") >= {"s3:getobjectacl", "s3:getbucketacl"}
    assert actions.known_matches("newsvc:*") == frozenset()


def test_resource_arns_and_display_names_come_from_the_data() -> None:
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in actions.resource_arns("s3:getobject")
    assert actions.resource_arns("s3:listallmybuckets") == ()
    assert actions.resource_arns("newsvc:dothing") == ()
    assert actions.display_name("ecr:getauthorizationtoken") == "ecr:GetAuthorizationToken"
    assert actions.display_name("newsvc:dothing") == "newsvc:dothing"


def _brute_overlap(first: str, second: str, alphabet: str = "ab/", longest: int = 5) -> bool:
    def matches(text: str, glob: str) -> bool:
        body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
        return re.fullmatch(body, text, re.DOTALL) is not None
    return any(matches(text, first) and matches(text, second)
               for n in range(longest + 1) for text in map("".join, itertools.product(alphabet, repeat=n)))


def test_globs_overlap_agrees_with_a_brute_force_search() -> None:
    globs = ["", "a", "b", "*", "?", "a*", "*b", "a/*", "*/*", "?b", "a?b", "**", "a*b*", "b/a"]
    for first, second in itertools.product(globs, repeat=2):
        assert globs_overlap(first, second) == _brute_overlap(first, second), (first, second)


# --- bare policy documents --------------------------------------------------------------------------------------

DOCUMENT = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/*"}
  ]
}
"""


def test_a_document_is_a_role_nobody_assumes_holding_its_grants(tmp_path: Path) -> None:
    path = write(tmp_path, "iam/admin.json", DOCUMENT)
    fragment = policy_document.load(str(path), path.read_text(), Options(globs_root=str(tmp_path)))
    assert fragment.errors == []
    [role] = fragment.inventory.roles
    assert isinstance(role, Role)
    assert (role.id, role.location, role.assumable_by) == ("aws:policy-document:iam/admin.json",
                                                           Location(str(path), 1, 1), ())
    assert role.flags[:2] == ("aws-allows-star-star", "aws-credential-exposure:airflow:CreateCliToken")
    assert {"aws-policy-document", "aws-unknown-action:s3:GetObjekt"} <= set(role.flags)
    assert {g.resource for g in role.grants} >= {"aws:*", "aws:iam::cfn:access-control"}
    assert [r.id for r in fragment.implied.resources] == ["aws:iam::cfn:access-control"]


def test_its_id_is_its_path_from_the_root_so_a_copy_names_it_alike(tmp_path: Path) -> None:
    tree, copy = tmp_path / "repo", tmp_path / "copy-of-base"
    assert Options(globs_root=str(tree)).place(str(tree / "iam/a.json")) == \
        Options(globs_root=str(copy)).place(str(copy / "iam/a.json")) == "iam/a.json"
    outside = tmp_path / "elsewhere" / "b.json"
    assert Options(globs_root=str(tree)).place(str(outside)) == outside.as_posix()
    # outside the root but in its repository (the configuration in a subfolder, `paths: [../iam]`): from the root,
    # in the working tree, another clone and a diff's copy alike
    for top in (tree, tmp_path / "clone", copy):
        assert Options(globs_root=str(top / "sec"), top=str(top)).place(str(top / "iam/a.json")) == "../iam/a.json"
    assert Options(globs_root=str(tree / "sec"), top=str(tree)).place(str(outside)) == outside.as_posix()


def test_a_bad_statement_is_a_located_error_and_the_rest_is_still_linted(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", """\
        {
          "Version": "2012-10-17",
          "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"}},
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
          ]
        }
        """)
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert [str(e) for e in loaded.errors] == [
        f"{path}:4:63: error: policy 'p.json': expected 'Resource' to be a string or a non-empty list of strings, "
        "found a mapping"]
    [role] = loaded.inventory.roles
    assert role.flags == ("aws-credential-exposure:ecr:GetAuthorizationToken", "aws-policy-document")


STAR = {"Effect": "Allow", "Action": "*", "Resource": "*"}
BEFORE_STAR = {  # a statement whose first key is the one named, before the `*`-on-`*` one
    "Condition": {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, "Effect": "Deny",
                  "Action": "iam:*", "Resource": "*"},
    "NotResource": {"NotResource": "arn:aws:s3:::acme-audit-logs/*", "Effect": "Deny", "Action": "s3:DeleteObject"},
    "NotPrincipal": {"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/breakglass"}, "Effect": "Deny",
                     "Action": "iam:*", "Resource": "*"},
    "NotAction": {"NotAction": "iam:*", "Effect": "Allow", "Resource": "arn:aws:s3:::acme-site/*"},
}
SOURCE_RANGES = [f"198.51.{n // 256}.{n % 256}/32" for n in range(300)]  # a Condition past the first 4 KB


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# (case, file text): each a policy document that allows `*` on `*` (R1 #2, R2 #16: these were skipped with exit 0)
SHAPES: list[tuple[str, str]] = [
    ("jq-sorted", json.dumps(policy(STAR), indent=2, sort_keys=True)),  # `jq -S .`: Statement first, Action first
    *((f"{key}-first", json.dumps(policy(first, STAR), indent=2)) for key, first in BEFORE_STAR.items()),
    ("policy-name-first", json.dumps({"PolicyName": "deploy", **policy(STAR)}, indent=2)),
    ("escaped-version", '{"\\u0056ersion": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
                        '"Resource": "*"}]}'),
    ("escaped-effect", '{"Version": "2012-10-17", "Statement": [{"\\u0045ffect": "Allow", "Action": "*", '
                       '"Resource": "*"}]}'),
    ("statement-object", json.dumps({"Version": "2012-10-17", "Statement": STAR})),
    ("blanks-first", " " * 5000 + json.dumps(policy(STAR))),
    ("a-long-condition-first", json.dumps(policy(  # its `Effect` past the first 4 KB: read by the second look
        {"Condition": {"NotIpAddress": {"aws:SourceIp": SOURCE_RANGES}}, "Sid": "OfficeOnly", "Effect": "Deny",
         "Action": "*", "Resource": "*"}, STAR), indent=2)),
    ("get-policy-version", json.dumps({"PolicyVersion": {
        "Document": policy(STAR), "VersionId": "v3", "IsDefaultVersion": True,
        "CreateDate": "2025-10-04T19:15:09+00:00"}}, indent=4)),
    ("get-role-policy", json.dumps({"RoleName": "app-role", "PolicyDocument": policy(STAR), "PolicyName": "inline"},
                                   indent=4)),
    ("get-user-policy", json.dumps({"UserName": "ci-release", "PolicyName": "release", "PolicyDocument": policy(STAR)},
                                   indent=4)),
    ("get-group-policy", json.dumps({"GroupName": "admins", "PolicyName": "all", "PolicyDocument": policy(STAR)},
                                    indent=4)),
    # the IAM API's own form of a policy (URL-encoded JSON text), as an SDK that does not decode it prints it
    ("url-encoded-document", json.dumps({"RoleName": "app-role", "PolicyName": "inline",
                                         "PolicyDocument": quote(json.dumps(policy(STAR)))}, indent=4)),
]


@pytest.mark.parametrize("text", [t for _, t in SHAPES], ids=[name for name, _ in SHAPES])
def test_a_document_is_read_whatever_its_key_order_spelling_or_wrapper(tmp_path: Path, text: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam" / "policy.json").write_text(text, encoding="utf-8")  # as is: `write` would dedent the blanks
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "iam", "--select", "PL208", "--as-of", "2026-03-02")
    assert result.code == 1, result.out + result.err
    assert [line.split(": ", 1)[1].split(" holds")[0] for line in result.out.splitlines() if FINDING.search(line)] \
        == ["CRITICAL PL208 role aws:policy-document:iam/policy.json"]


@pytest.mark.parametrize("text", ['{"name": "infra", "version": "1.0.0", "dependencies": {"aws-cdk-lib": "2.100.0"}}',
                                  '{"Statement": "see the wiki", "Effect": "none"}',
                                  '{"Version": "2012-10-17", "Statement": []}',
                                  '{"RoleName": "", "PolicyName": "", "PolicyDocument": ""}'])  # a CLI skeleton
def test_json_without_statements_of_an_effect_is_not_a_policy_document(text: str) -> None:
    assert (policy_document.detect("p.json", text), looks_like("p.json", text)) == (False, None)


PUBLIC_EXPORTS = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PublicRead",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::acme-customer-exports/*"
    }
  ]
}
"""
CLASSIFIED = """\
policylint: 1
annotate:
  - {match: "aws:s3:::acme-customer-exports", data: [customer_pii], records: 5000000}
people:
  - {id: kim.jh, status: active}
principals:
  - {id: kim-laptop, type: user, person: kim.jh}
"""


def test_a_bare_resource_policy_gives_what_it_allows_to_the_principals_it_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """R1 #7: a bare bucket policy open to `*` set the flag and granted nobody anything. Its statements that name
    a Principal are a resource policy: `*` (everyone) reads the bucket, PL216 fires on the bucket, reach counts it,
    and the document keeps its flag as evidence."""
    write(tmp_path, "buckets/exports-policy.json", PUBLIC_EXPORTS)
    write(tmp_path, "data.yaml", CLASSIFIED)
    monkeypatch.chdir(tmp_path)
    loaded = load_paths(["."], root=".")
    assert loaded.errors == []
    [grant] = loaded.inventory.grants
    assert (grant.to, grant.resource, grant.actions, grant.condition, grant.via) == (
        "*", "aws:s3:::acme-customer-exports", ("read",), None, "exports-policy.json")
    [document] = loaded.inventory.roles
    assert (document.grants, document.flags) == ((), ("aws-open-principal", "aws-policy-document"))
    result = run_cli("check", ".", "--select", "PL216", "--as-of", "2026-03-02")
    assert [line.split(": ", 1)[1] for line in result.out.splitlines() if FINDING.search(line)] == [
        'CRITICAL PL216 resource aws:s3:::acme-customer-exports is open to anyone ("*") with no condition on who '
        "(customer data it reaches: customer_pii; records counted: 5,000,000)"]
    reach = run_cli("reach", ".", "--as-of", "2026-03-02")
    assert "kim.jh" in reach.out and "aws:s3:::acme-customer-exports" in reach.out, reach.out


@pytest.mark.parametrize(("condition", "to"), [
    ({"StringLike": {"aws:PrincipalArn": "*"}}, "*"),  # names anyone: still open (R1 #7)
    ({"Bool": {"aws:SecureTransport": "true"}}, "*"),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, "*anyone-if:aws:PrincipalOrgID=o-a1b2c3d4e5"),
])
def test_a_bare_queue_policy_is_open_unless_its_condition_narrows_who(tmp_path: Path, condition: dict[str, Any],
                                                                      to: str) -> None:
    path = write(tmp_path, "queue-policy.json", json.dumps(policy(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage",
         "Resource": "arn:aws:sqs:eu-west-1:111122223333:orders", "Condition": condition})))
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert loaded.errors == []
    assert [(g.to, g.resource) for g in loaded.inventory.grants] == [(to, "aws:sqs:eu-west-1:111122223333:orders")]
    assert "aws:sqs:eu-west-1:111122223333:orders" in {r.id for r in loaded.inventory.resources}  # implied
    result = run_cli("check", str(path), "--select", "PL216", "--as-of", "2026-03-02")
    assert ("PL216 resource aws:sqs:eu-west-1:111122223333:orders is open" in result.out) is (to == "*"), result.out


def test_a_bare_key_policy_makes_the_key_it_is_attached_to_with_the_readers_it_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key policy's `Resource: "*"` is the key it is attached to, which a bare document does not name: that key
    is the document's own (`#key`), readable by the principals the policy names (by their own ids)."""
    path = write(tmp_path, "kms-key-policy.json", json.dumps({"Version": "2012-10-17", "Id": "key-default-1",
                                                              "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
         "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"},
        {"Sid": "Allow describing the key", "Effect": "Allow", "Principal": "*", "Action": "kms:DescribeKey",
         "Resource": "*"}]}))
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert loaded.errors == []
    [key] = loaded.inventory.keys
    assert (key.id, key.readable_by) == ("aws:policy-document:kms-key-policy.json#key",
                                         ("aws:iam::111122223333:root", "aws:iam::111122223333:role/app"))
    assert loaded.inventory.grants == ()  # using the key is reading it; kms:DescribeKey to anyone reads no data
    kinds = {n.id: n.kind for n in loaded.inventory.nodes()}
    # the document names no account of its own: 111122223333 is another account (R4 #6), its role a principal
    assert (kinds["aws:iam::111122223333:root"], kinds["aws:iam::111122223333:role/app"]) == ("principal",
                                                                                            "principal")
    open_key = write(tmp_path, "open/key-policy.json", json.dumps(policy(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
         "Resource": "*"})))
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", str(open_key.relative_to(tmp_path)), "--select", "PL216", "--as-of", "2026-03-02")
    assert [line.split(": ", 1)[1] for line in result.out.splitlines() if FINDING.search(line)] == [
        'CRITICAL PL216 key aws:policy-document:open/key-policy.json#key is open to anyone ("*") with no condition '
        "on who (customer data it reaches: none; records counted: 0)"]


def test_a_bare_trust_policy_is_the_role_that_anyone_may_assume(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "trust-policy.json", json.dumps(policy(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}})))
    loaded = load_paths([str(path)], root=str(tmp_path))
    [role] = loaded.inventory.roles
    assert (role.assumable_by, role.condition, loaded.inventory.grants) == (("*",), "aws:SecureTransport=true", ())
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "trust-policy.json", "--select", "PL210", "--as-of", "2026-03-02")
    assert [line.split(": ", 1)[1] for line in result.out.splitlines() if FINDING.search(line)] == [
        'HIGH PL210 role aws:policy-document:trust-policy.json can be assumed by anyone ("*") without a condition on '
        "who; it grants: none"]


def test_terraform_placeholders_are_read_as_any_resource_not_an_error(tmp_path: Path) -> None:
    """R2 #3 (`tf-interp.json`): exit 2 on `${bucket_arn}/*`; now any bucket, and the grant says why."""
    path = write(tmp_path, "tf-interp.json", json.dumps(policy(
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "${bucket_arn}/*"},
        {"Effect": "Allow", "Action": "dynamodb:Query",
         "Resource": "arn:aws:dynamodb:${region}:${account_id}:table/orders"}), indent=2))
    loaded = load_paths([str(path)], root=str(tmp_path))
    assert loaded.errors == []
    [role] = loaded.inventory.roles
    assert [(g.resource, g.condition) for g in role.grants] == [
        ("aws:s3:*", "template placeholder ${bucket_arn}"),
        ("aws:dynamodb:*:*:table/orders", "template placeholder ${region}, ${account_id}")]
    result = run_cli("check", str(path), "--select", "PL001", "--as-of", "2026-03-02")
    assert (result.code, ": error: " in result.out) == (0, False), result.out


def test_a_document_that_is_no_object_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", '["Statement", {"Effect": "Allow"}]')
    with pytest.raises(InputError, match=r"expected an IAM policy document \(a JSON object with 'Statement'\), "
                                         r"found a list"):
        policy_document.load(str(path), path.read_text(), Options())


def test_the_corpus_documents_check_with_findings_not_errors() -> None:
    result = run_cli("check", str(CORPUS / "aws-iam-policy"), "--as-of", "2026-01-01")
    assert result.code == 1, result.out + result.err
    assert ": error: " not in result.out
    assert result.out.count("HIGH PL215 role aws:policy-document:") == 2


def test_the_readme_section_shows_what_check_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Bare IAM policy documents"):]
    document = re.search(r"```json\n(.*?)```", section, flags=re.S)
    shown = re.search(r"```text\n(iam/deploy-policy\.json.*?)```", section, flags=re.S)
    assert document is not None and shown is not None
    json.loads(document[1])
    write(tmp_path, "iam/deploy-policy.json", document[1])
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "iam/", "--as-of", "2026-03-02")
    assert result.code == 1
    printed = [line for line in result.out.splitlines() if FINDING.search(line)]
    assert printed == shown[1].splitlines()


def test_the_pre_commit_hook_passes_a_commit_that_leaves_the_documents_findings_as_they_were(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10: every commit of a repository of policy files failed the hook. Now a finding already at HEAD does
    not block (the document's id is the same in HEAD's copy and in the staged one), and a new typo does."""
    write(tmp_path, "iam/deploy-policy.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                                              '"Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}\n')
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, *COMMIT, "policies")
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "README.md", "Policies of the deploy pipeline.\n")
    git(tmp_path, "add", "-A")
    assert run_cli("check", "--changed", "--as-of", "2026-03-02").code == 0
    write(tmp_path, "iam/deploy-policy.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                                              '"Action": ["ecr:GetAuthorizationToken", "ecr:PutImagee"], '
                                              '"Resource": "*"}]}\n')
    git(tmp_path, "add", "-A")
    result = run_cli("check", "--changed", "--as-of", "2026-03-02")
    assert result.code == 1
    assert [line.split(": ", 1)[1] for line in result.out.splitlines() if FINDING.search(line)] == [
        "MEDIUM PL212 role aws:policy-document:iam/deploy-policy.json holds a policy naming actions the AWS action "
        "data does not know: ecr:PutImagee"]


# --- the same lint on CloudFormation templates and authorization details ----------------------------------------

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Deployer:
    Type: AWS::IAM::User
    Properties:
      UserName: deployer
      Groups: [!Ref Ops]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/PowerUserAccess]   # AWS's own NotAction: not linted
  Ops:
    Type: AWS::IAM::Group
    Properties:
      GroupName: ops
  OpsPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: ops
      Groups: [!Ref Ops]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: "ec2:GetPasswordData", Resource: "*"}
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref AppRole]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: ["s3:GetObject"], Resource: "arn:aws:s3:::acme-app"}
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: "*"}, Action: "sts:AssumeRole"}
"""


def test_cloudformation_identities_carry_the_flags_of_the_policies_they_hold(tmp_path: Path) -> None:
    path = write(tmp_path, "stack.yaml", TEMPLATE)
    loaded = load_paths([str(path)])
    assert loaded.errors == []
    flags = {n.id: n.flags for n in loaded.inventory.nodes() if isinstance(n, Principal | Role) or ":group/" in n.id}
    assert flags == {
        "aws:iam::cfn:user/deployer": (),
        "aws:iam::cfn:group/ops": ("aws-credential-exposure:ec2:GetPasswordData",),
        "aws:iam::cfn:role/app": ("aws-open-principal", "aws-resource-mismatch:s3:GetObject"),
    }


def test_authorization_details_identities_carry_the_flags_of_their_policies() -> None:
    folder = REPO / "tests" / "rules" / "PL212" / "positive"
    loaded = load_paths([str(folder / "authorization-details.json")])
    flags = {n.id.rsplit(":", 1)[1]: n.flags for n in loaded.inventory.nodes() if ":111122223333:" in n.id
             and isinstance(n, Principal | Role)}
    assert flags == {
        "user/ci-release": ("aws-unknown-action:s3:GetObjectVerison",),  # ReadOnlyAccess (AWS's) is not linted
        "user/svc-metrics": (),
        "role/etl-nightly": ("aws-unknown-action:athena:GetQueryResult",),
    }


def test_the_facts_give_each_prefix_flags_values_for_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "p.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
                              '["s3:GetObjekt", "sts:AssumeRole"], "Resource": "*"}]}')
    monkeypatch.chdir(tmp_path)
    result = run_cli("facts", "aws:policy-document:p.json", "p.json", "--as-of", "2026-03-02")
    assert result.code == 0, result.err
    facts = json.loads(result.out)
    assert facts["flag_values"] == {"aws_credential_exposure": ["sts:AssumeRole"],
                                    "aws_unknown_action": ["s3:GetObjekt"]}
    assert "aws-policy-document" in facts["flags"]
