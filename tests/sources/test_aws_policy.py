"""IAM policy evaluation against hand-worked cases: deny, wildcards, NotAction/NotResource, conditions, escalation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policylint.iam import actions
from policylint.iam.policy import (
    Evaluation,
    arn_to_id,
    condition_text,
    effective_grants,
    evaluate,
    implied_principal,
    parse_policy,
    principals_of_trust_policy,
)
from policylint.inventory import load_paths
from policylint.model import Grant, Group, Location
from policylint.sources.aws import policy_document
from policylint.yamlsafe import load_one

from helpers import CORPUS

ACCOUNT = "123456789012"
AT = Location("p.json", 1, 1)
NO_CONTROL = ("aws:iam::*:access-control",)
ALL: tuple[str, ...] = ("read", "write", "delete", "admin")


def run(*statements: dict[str, Any], policy: str = "p") -> Evaluation:
    parsed, errors = parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, policy, "p.json", AT)
    assert errors == []
    return evaluate(parsed, ACCOUNT, AT)


def shown(evaluation: Evaluation) -> list[tuple[Any, ...]]:
    return sorted((g.resource, g.actions, g.excluding, g.condition, g.actions_given) for g in evaluation.grants)


def escalation_of(evaluation: Evaluation) -> Grant | None:
    """The one escalation grant (one gain) of an evaluation, if any."""
    found = [g for g in evaluation.grants if g.resource == f"aws:iam::{ACCOUNT}:access-control"]
    assert len(found) <= 1
    return found[0] if found else None


# --- explicit deny ------------------------------------------------------------------------------------------------

def test_a_deny_on_some_resources_becomes_the_grants_exclusion() -> None:
    # Allow s3:* on *, Deny s3:* on customer-* buckets: every S3 id but those. s3:* also acts on S3 Object Lambda
    # access points (arn:aws:s3-object-lambda:…), which the deny does not name.
    result = run({"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                 {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::customer-*"})
    assert shown(result) == [
        ("aws:s3-object-lambda:*", ALL, (), None, ("s3:*",)),
        ("aws:s3:*", ALL, ("aws:s3:::customer-*",), None, ("s3:*",)),
    ]


def test_a_deny_covering_the_allowed_resource_removes_those_actions() -> None:
    result = run({"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::b/*"},
                 {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "arn:aws:s3:::*"})
    assert shown(result) == [("aws:s3:::b", ("read",), (), None, ("s3:DeleteObject", "s3:GetObject"))]


def test_a_deny_of_everything_leaves_nothing() -> None:
    result = run({"Effect": "Allow", "Action": "*", "Resource": "*"},
                 {"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert result.grants == ()
    assert result.escalation == ()
    assert result.star_star  # the policy still allows *:* (CIS looks at the policy), though nothing is left


def test_a_deny_with_not_action_denies_every_other_action() -> None:
    result = run({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data"},
                 {"Effect": "Deny", "NotAction": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"})
    assert shown(result) == [("aws:s3:::data", ("read",), (), None, ("s3:*",))]


def test_a_deny_with_not_resource_narrows_the_allow_to_the_exempt_resources() -> None:
    result = run({"Effect": "Deny", "Action": "*", "NotResource": ["arn:aws:s3:::public-*"]},
                 {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert shown(result) == [("aws:s3:::public-*", ("read",), (), None, ("s3:GetObject",))]


def test_a_conditional_deny_denies_nothing() -> None:
    # fail closed: the deny may not apply (here: when signed in without MFA), so the allow is kept as it is
    allow = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::b/*"}
    result = run(allow, {"Effect": "Deny", "Action": "*", "Resource": "*",
                         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
    assert shown(result) == shown(run(allow)) == [
        ("aws:s3:::b", ("read", "delete"), (), None, ("s3:DeleteObject", "s3:GetObject"))]


def test_a_deny_in_one_policy_wins_over_an_allow_in_another() -> None:
    allow, _ = parse_policy({"Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}}, "allow", "a", AT)
    deny, _ = parse_policy({"Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}}, "deny", "d", AT)
    assert effective_grants([*allow, *deny], ACCOUNT, AT) == []
    assert len(effective_grants(allow, ACCOUNT, AT)) == 2  # iam:* alone: the IAM grant and its escalation


# --- wildcards, NotAction, NotResource ----------------------------------------------------------------------------

def test_action_wildcards_match_case_insensitively_and_with_question_marks() -> None:
    result = run({"Effect": "Allow", "Action": ["s3:Get*", "S3:?utObject"], "Resource": "arn:aws:s3:::b/*"})
    assert shown(result) == [("aws:s3:::b", ("read", "write"), (), None, ("S3:?utObject", "s3:Get*"))]
    assert "s3:putobject" in actions.expand("S3:?utObject")
    assert actions.expand("s3:?etObject") == {"s3:getobject"}


def test_star_on_star_is_admin_everywhere_and_escalates() -> None:
    result = run({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert [(g.resource, g.actions, g.excluding) for g in result.grants] == [
        ("aws:*", ALL, NO_CONTROL),
        (f"aws:iam::{ACCOUNT}:access-control", ("admin",), ()),
    ]
    assert result.star_star
    assert "CreateAccessKey" in result.escalation


def test_an_allow_with_not_action_grants_every_other_action() -> None:
    # PowerUserAccess-like: no IAM, yet Lambda code updates still run as other roles (Cloudsplaining's list)
    result = run({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert shown(result)[0] == ("aws:*", ALL, NO_CONTROL, None, ("NotAction iam:*",))
    assert not any("iam:passrole" in e.grant.actions_given for e in result.escalations)
    assert result.escalation[:2] == ("AccessExistingBedrockCodeInterpreterSession",
                                     "CreatePresignedSageMakerNotebookUrl")
    # what they gain is the roles of the services whose existing resources it can change, one grant per service
    assert [e.gain.services for e in result.escalations] == [
        ("bedrock-agentcore.amazonaws.com",), ("cloudformation.amazonaws.com",), ("ec2.amazonaws.com",),
        ("ecs-tasks.amazonaws.com",), ("glue.amazonaws.com",), ("lambda.amazonaws.com",),
        ("sagemaker.amazonaws.com",)]
    assert "EditExistingLambdaFunctionWithRole" in result.escalation
    assert not result.star_star


def test_an_allow_with_not_resource_excludes_those_resources() -> None:
    result = run({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"})
    assert shown(result) == [("aws:s3:*", ("read",), ("aws:s3:::secret",), None, ("s3:GetObject",))]


B = "arn:aws:s3:::customer-orders"
TABLE = "arn:aws:dynamodb:eu-west-1:1:table/Customers"


def test_a_deny_or_not_resource_that_leaves_part_of_a_stores_data_does_not_exclude_the_store() -> None:
    # Hand-worked: each of these users can still read objects of the bucket (or rows of the table) in real IAM.
    get = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{B}/*"}
    cases = [
        [get, {"Effect": "Deny", "Action": "s3:*", "Resource": B}],  # a bucket-only ARN matches no object
        [get, {"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"{B}/archive/*"}],  # one prefix only
        [{"Effect": "Allow", "Action": "s3:*", "NotResource": B}],  # the objects are not the bucket
        [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": f"{B}/private/*"}],
        [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": f"{TABLE}*"},
         {"Effect": "Deny", "Action": "dynamodb:*", "Resource": f"{TABLE}/index/*"}],
    ]
    for statements in cases:
        grants = run(*statements).grants
        assert any("aws:s3:::customer-orders" not in g.excluding and "aws:dynamodb:eu-west-1:1:table/Customers"
                   not in g.excluding for g in grants), statements
    # while a deny of every object, or of the whole table, does take the store away
    assert run(get, {"Effect": "Deny", "Action": "s3:*", "Resource": f"{B}/*"}).grants == ()
    kept = run({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
               {"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"{B}/*"}).grants
    assert [g.excluding for g in kept if g.resource == "aws:s3:*"] == [("aws:s3:::customer-orders",)]


def test_escalating_on_ones_own_user_is_escalation_but_a_key_for_oneself_is_not() -> None:
    me = "arn:aws:iam::*:user/${aws:username}"
    for action in ("iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:*"):
        found = escalation_of(run({"Effect": "Allow", "Action": action, "Resource": me}))
        assert found is not None and found.actions == ("admin",), action
    assert escalation_of(run({"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:CreateLoginProfile"],
                              "Resource": me})) is None


def test_iam_database_authentication_reaches_the_accounts_databases() -> None:
    grants = run({"Effect": "Allow", "Action": "rds-db:connect",
                  "Resource": "arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABCDEFGHIJKL01234/app"}).grants
    assert [g.resource for g in grants] == ["aws:rds:eu-west-1:123456789012:*"]


def test_an_action_counts_only_on_resources_of_its_services() -> None:
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    assert run({"Effect": "Allow", "Action": "s3:GetObject", "Resource": table}).grants == ()
    result = run({"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"})
    assert shown(result) == [("aws:kms:*", ("write",), (), None, ("kms:Decrypt",)),
                             ("aws:s3:*", ("read",), (), None, ("s3:GetObject",))]


def test_permissions_management_is_admin_on_the_resource_but_not_on_access_control() -> None:
    result = run({"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "*"})
    assert shown(result) == [("aws:s3:*", ("admin",), (), None, ("s3:PutBucketPolicy",))]
    assert escalation_of(result) is None


def test_an_action_the_data_does_not_know_is_kept_and_mapped_by_its_verb() -> None:
    result = run({"Effect": "Allow", "Action": ["s3:GetObjekt", "newsvc:DoThing", "newsvc:*"], "Resource": "*"})
    assert shown(result) == [("aws:newsvc:*", ("write", "admin"), (), None, ("newsvc:*", "newsvc:DoThing")),
                             ("aws:s3:*", ("read",), (), None, ("s3:GetObjekt",))]


@pytest.mark.parametrize(
    ("action", "kind"),
    [("s3:GetObject", "read"), ("s3:ListBucket", "read"), ("s3:PutObject", "write"), ("s3:DeleteObject", "delete"),
     ("s3:PutBucketPolicy", "admin"), ("s3:PutObjectTagging", "write"), ("ec2:TerminateInstances", "delete"),
     ("kms:ScheduleKeyDeletion", "delete"), ("kms:Decrypt", "write"), ("iam:PassRole", "write"),
     ("iam:AttachUserPolicy", "admin")],
)
def test_access_levels_map_to_actions(action: str, kind: str) -> None:
    assert actions.info(action.lower()).action == kind


# --- conditions ---------------------------------------------------------------------------------------------------

def test_a_conditional_allow_grants_with_its_condition() -> None:
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/by-date"
    result = run({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table,
                  "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
                                "Bool": {"aws:SecureTransport": True}}})
    assert shown(result) == [("aws:dynamodb:eu-west-1:123456789012:table/orders", ("read",), (),
                              "IpAddress aws:SourceIp=[10.0.0.0/8,192.168.0.0/16] and aws:SecureTransport=true",
                              ("dynamodb:GetItem",))]
    assert not run({"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}).star_star


def test_an_escalation_that_needs_a_conditional_allow_is_conditional() -> None:
    result = run({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*",
                  "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}})
    grant = escalation_of(result)
    assert grant is not None
    assert (grant.actions, grant.condition, grant.via) == (
        ("admin",), "DateGreaterThan aws:TokenIssueTime=2020-01-01T00:00:01Z",
        "privilege escalation: with CreateNewPolicyVersion, it can change IAM policies, group members or role trust, "
        "so grant itself anything in its account")
    assert result.escalation == ()  # only unconditional methods count here


# --- privilege escalation -----------------------------------------------------------------------------------------

def test_escalation_combines_actions_of_several_statements() -> None:
    passrole = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    lambdas = {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}
    grant = escalation_of(run(passrole, lambdas))
    assert grant is not None
    assert grant.via == ("privilege escalation: with PassExistingRoleToNewLambdaThenInvoke, it can run code as a role "
                         "that lambda.amazonaws.com may assume, so do whatever such a role can (taken as anything in "
                         "its account: this file does not list the account's roles)")
    assert grant.actions_given == ("iam:passrole", "lambda:createfunction", "lambda:invokefunction")
    assert escalation_of(run(passrole)) is None
    denied = {"Effect": "Deny", "Action": "lambda:InvokeFunction", "Resource": "*"}
    assert escalation_of(run(passrole, lambdas, denied)) is None


def test_the_escalation_grant_points_at_the_statement_that_allows_it() -> None:
    document = load_one('{"Statement": [\n {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},\n'
                        ' {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}]}', "p.json")
    statements, errors = parse_policy(document, "p", "p.json", None)
    assert errors == []
    grant = escalation_of(evaluate(statements, ACCOUNT, AT))
    assert grant is not None
    assert (grant.location, grant.via) == (
        Location("p.json", 3, 2), "privilege escalation: with CreateAccessKey, it can create access keys or console "
        "passwords for other IAM users and sign in as them, so do whatever they can (taken as anything in its "
        "account: which users it targets is not modelled)")


@pytest.mark.parametrize(
    "resource",
    ["arn:aws:iam::*:user/${aws:username}",  # the caller's own keys
     "arn:aws:iam::aws:policy/fp4-*"],  # AWS managed policies cannot be changed (IAM Vulnerable fp4)
)
def test_resources_that_cannot_escalate(resource: str) -> None:
    action = "iam:CreateAccessKey" if "user" in resource else "iam:CreatePolicyVersion"
    assert escalation_of(run({"Effect": "Allow", "Action": action, "Resource": resource})) is None


def test_escalation_on_a_customer_policy_pattern_counts() -> None:  # IAM Vulnerable fn2
    result = run({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::*:policy/fn2-*"})
    assert result.escalation == ("CreateNewPolicyVersion",)


# --- ARNs and ids -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("arn", "node_id"),
    [("*", "aws:*"),
     ("arn:aws:s3:::b/*", "aws:s3:::b"),
     ("arn:aws:s3:::customer-*", "aws:s3:::customer-*"),
     ("arn:aws:s3:::*/*", "aws:s3:::*"),
     ("arn:aws-cn:s3:::b", "aws:s3:::b"),
     ("arn:aws:iam::123456789012:user/ci/deploy", "aws:iam::123456789012:user/ci/deploy"),
     ("arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2025",
      "aws:dynamodb:eu-west-1:123456789012:table/orders"),
     ("arn:aws:kms:eu-west-1:123456789012:key/1234abcd", "aws:kms:eu-west-1:123456789012:key/1234abcd"),
     ("arn:aws:s3:*", "aws:s3:*"),
     # a policy variable is each caller's own value: any value (fail closed)
     ("arn:aws:dynamodb:eu-west-1:123456789012:table/${aws:username}", "aws:dynamodb:eu-west-1:123456789012:table/*"),
     ("arn:aws:s3:::home-${aws:PrincipalTag/team}/*", "aws:s3:::home-*")],
)
def test_arn_to_id(arn: str, node_id: str) -> None:
    assert arn_to_id(arn) == node_id


def test_a_policy_variable_reaches_every_store_it_could_name_and_denies_none() -> None:
    allowed = run({"Effect": "Allow", "Action": "dynamodb:GetItem",
                   "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/${aws:username}"})
    assert [g.resource for g in allowed.grants] == ["aws:dynamodb:eu-west-1:123456789012:table/*"]
    denied = run({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::customer-*/*"},
                 {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::customer-${aws:username}/*"})
    assert [(g.resource, g.excluding) for g in denied.grants] == [("aws:s3:::customer-*", ())]


def test_a_template_placeholder_is_any_resource_said_in_the_condition_and_denies_nothing() -> None:
    """R2 #3: Terraform's `${bucket_arn}` was an exit-2 error. A `${…}` that is no IAM policy variable reads as
    `*` (the whole Resource when that leaves no ARN), the grant says so, and a Deny of it takes nothing away."""
    result = run({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "${bucket_arn}/*"},
                 {"Effect": "Allow", "Action": "dynamodb:Query",
                  "Resource": "arn:aws:dynamodb:${region}:${account_id}:table/orders"},
                 {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::${aws:username}-home"})
    assert shown(result) == [
        ("aws:dynamodb:*:*:table/orders", ("read",), (), "template placeholder ${region}, ${account_id}",
         ("dynamodb:Query",)),
        ("aws:s3:*", ("read", "write"), (), "template placeholder ${bucket_arn}", ("s3:GetObject", "s3:PutObject")),
        ("aws:s3:::*-home", ("read",), (), None, ("s3:ListBucket",))]  # a policy variable is no placeholder
    denied = run({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::customer-*/*"},
                 {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${exports_bucket}/*"})
    assert [(g.resource, g.excluding, g.condition) for g in denied.grants] == [("aws:s3:::customer-*", (), None)]


READ_CUSTOMERS = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::customer-*/*"}


def test_a_deny_whose_actions_a_template_fills_in_takes_nothing_away() -> None:
    """`"Action": "${denied}"` was an error, `"*"` from a template's open value denied every Allow: a Deny we cannot
    read denies nothing we can be sure of; its written actions still deny."""
    for deny in ({"Effect": "Deny", "Action": "${denied_actions}", "Resource": "*"},
                 {"Effect": "Deny", "NotAction": ["${kept_actions}"], "Resource": "*"}):
        assert [(g.resource, g.condition) for g in run(READ_CUSTOMERS, deny).grants] == [("aws:s3:::customer-*", None)]
    partly = run(READ_CUSTOMERS, {"Effect": "Deny", "Action": ["s3:GetObject", "${more}"], "Resource": "*"})
    assert partly.grants == ()


def test_an_allow_whose_actions_a_template_fills_in_allows_any_such_action_and_says_so() -> None:
    result = run({"Effect": "Allow", "Action": ["s3:${verb}Object", "s3:ListBucket"],
                  "Resource": "arn:aws:s3:::customer-*/*"})
    assert shown(result) == [
        ("aws:s3:::customer-*", ("read",), (), None, ("s3:ListBucket",)),
        ("aws:s3:::customer-*", ("read", "write", "delete"), (), "template placeholder ${verb}", ("s3:*Object",))]
    whole = run({"Effect": "Allow", "NotAction": ["iam:*", "${also}"], "Resource": "arn:aws:s3:::customer-*/*"})
    assert [(g.resource, g.condition, g.actions_given) for g in whole.grants] == [
        ("aws:s3:::customer-*", "template placeholder ${also}", ("NotAction iam:*",))]


def test_an_effect_or_condition_a_template_fills_in_is_an_allow_under_that_condition() -> None:
    result = run({"Effect": "${effect}", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::customer-*/*"},
                 {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:*:*:table/orders",
                  "Condition": "${condition}"},
                 {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "arn:aws:sqs:*:*:orders",
                  "Condition": {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": "${more}"}})
    assert sorted((g.resource, g.condition) for g in result.grants) == [
        ("aws:dynamodb:*:*:table/orders", "template placeholder ${condition}"),
        ("aws:s3:::customer-*", "template placeholder ${effect}"),
        ("aws:sqs:*:*:orders", "template placeholder ${more} and aws:SecureTransport=true")]


# --- trust policies -----------------------------------------------------------------------------------------------

def test_trust_policy_principals() -> None:
    document = {"Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
            "AWS": ["arn:aws:iam::123456789012:root", "210987654321", "arn:aws:iam::123456789012:user/ci/deploy",
                    "arn:aws:sts::123456789012:assumed-role/admin/alice@example.com",
                    "arn:aws:iam::999999999999:role/partner", "AROAJQABLZS4A3QDU576Q"],
            "Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}},
        {"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
         "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/okta"}},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}},
        {"Effect": "Allow", "Action": "sts:TagSession", "Principal": {"AWS": "arn:aws:iam::555555555555:root"}},
    ]}
    ids, services, errors = principals_of_trust_policy(document, ACCOUNT, "t.json")
    assert errors == []
    assert ids == ["aws:iam::123456789012:root", "aws:iam::210987654321:root", "aws:iam::123456789012:user/ci/deploy",
                   "aws:iam::123456789012:role/admin", "aws:iam::999999999999:root",
                   "aws:principal-id:AROAJQABLZS4A3QDU576Q", "aws:iam::123456789012:saml-provider/okta"]
    assert services == ["lambda.amazonaws.com"]


def test_anyone_under_a_condition_on_who_is_everyone_that_condition_admits_not_anyone() -> None:
    """R1 #7: `*` with aws:PrincipalOrgID is a group of everyone (reach fails closed) that is not `*` (no PL202,
    PL210, PL216); with aws:SecureTransport alone it stays `*`. A Deny to everyone takes both away."""
    org = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}

    def trust(*statements: dict[str, Any]) -> list[str]:
        ids, _, errors = principals_of_trust_policy({"Statement": list(statements)}, ACCOUNT, "t.json")
        assert errors == []
        return ids

    anyone_in_org = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}, "Condition": org}
    assert trust(anyone_in_org) == ["*anyone-if:aws:PrincipalOrgID=o-a1b2c3d4e5"]
    assert trust({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*",
                  "Condition": {"Bool": {"aws:SecureTransport": "true"}}}) == ["*"]
    assert trust({"Effect": "Allow", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": "111122223333"},
                  "Condition": org}) == ["*anyone-if:aws:PrincipalOrgID=o-a1b2c3d4e5"]
    assert trust(anyone_in_org, {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*"}) == []
    group = implied_principal("*anyone-if:aws:PrincipalOrgID=o-a1b2c3d4e5", ACCOUNT, AT)
    assert group == Group("*anyone-if:aws:PrincipalOrgID=o-a1b2c3d4e5", AT, ("*",))


def test_a_trust_policy_as_url_encoded_text() -> None:
    text = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%22%2A%22%2C" \
           "%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
    assert principals_of_trust_policy(text, ACCOUNT, "t.json") == (["*"], [], [])


# --- malformed documents: located errors --------------------------------------------------------------------------

def errors_of(text: str) -> list[str]:
    document = load_one(text, "bad.json")
    _, errors = parse_policy(document, "bad", "bad.json", None)
    return [str(e) for e in errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}',
         "bad.json:1:16: error: policy 'bad': expected 'Effect' to be 'Allow' or 'Deny', found none"),
        ('{"Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}',
         "bad.json:1:27: error: policy 'bad': expected 'Effect' to be 'Allow' or 'Deny', found 'Permit'"),
        ('{"Statement": {"Effect": "Allow", "Action": 42, "Resource": "*"}}',
         "bad.json:1:45: error: policy 'bad': expected 'Action' to be a string or a non-empty list of strings, "
         "found a number 42"),
        ('{"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3GetObject"], "Resource": "*"}]}',
         "bad.json:1:63: error: policy 'bad': expected an action 'service:Action' or '*' in 'Action', "
         "found 's3GetObject'"),
        ('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "bucket/*"}]}',
         "bad.json:1:74: error: policy 'bad': expected an ARN 'arn:partition:service:region:account:resource' or "
         "'*' in 'Resource', found 'bucket/*'"),
        ('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:Put*", "Resource": "*"}]}',
         "bad.json:1:75: error: policy 'bad': expected either 'Action' or 'NotAction', found both"),
        ('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}',
         "bad.json:1:16: error: policy 'bad': expected 'Resource' or 'NotResource' in the statement, found neither"),
        ('{"Version": "2012-10-17"}',
         "bad.json:1:1: error: policy 'bad': expected a 'Statement' in the policy document, found none"),
        ('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": "yes"}]}',
         "bad.json:1:81: error: policy 'bad': expected 'Condition' to map operators to mappings of condition keys "
         "to values, found a string 'yes'"),
        ('["s3:GetObject"]',
         "bad.json:1:1: error: policy 'bad': expected a policy document (a mapping with 'Statement'), found a list"),
    ],
    ids=["no-effect", "bad-effect", "action-number", "action-no-colon", "bad-arn", "action-and-notaction",
         "no-resource", "no-statement", "condition-string", "list"],
)
def test_malformed_statements_are_located_errors(text: str, expected: str) -> None:
    assert errors_of(text) == [expected]


def test_a_bad_statement_is_left_out_and_the_others_kept() -> None:
    document = load_one('{"Statement": [\n {"Effect": "Allow", "Action": 1, "Resource": "*"},\n'
                        ' {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}', "bad.json")
    statements, errors = parse_policy(document, "bad", "bad.json", None)
    assert [s.location for s in statements] == [Location("bad.json", 3, 2)]
    assert [e.location for e in errors] == [Location("bad.json", 2, 32)]


def test_text_that_is_not_json_is_an_error_at_the_documents_position() -> None:
    statements, errors = parse_policy("%7B%22Statement", "inline", "a.json", Location("a.json", 7, 9))
    assert statements == []
    assert [str(e) for e in errors] == [
        "a.json:7:9: error: policy 'inline': expected a policy document as JSON, found text that does not parse "
        "(Unterminated string starting at: line 1 column 2 (char 1))"]


# --- the corpus's bare policy documents (not inventory files: parse + evaluate only) ---------------------------

def corpus_policy(name: str) -> Evaluation:
    path = CORPUS / "aws-iam-policy" / name
    statements, errors = parse_policy(json.loads(Path(path).read_text()), name, str(path), Location(str(path), 1, 1))
    assert errors == []
    return evaluate(statements, ACCOUNT, Location(str(path), 1, 1))


def test_corpus_wildcards_policy() -> None:
    result = corpus_policy("cloudsplaining__wildcards.json")
    assert shown(result) == [("aws:ecr:*", ALL, (), None, ("ecr:*",)),
                             ("aws:s3-object-lambda:*", ALL, (), None, ("s3:*",)),
                             ("aws:s3:*", ALL, (), None, ("s3:*",))]
    assert (result.star_star, result.escalation) == (False, ())


def test_corpus_explicit_actions_policy() -> None:
    # ECR pull and push on every repository (GetRepositoryPolicy is Read), and each user's own access keys: that
    # is Cloudsplaining's example of a resource constraint that is not privilege escalation
    result = corpus_policy("cloudsplaining__explicit-actions.json")
    assert [(g.resource, g.actions) for g in result.grants] == [
        ("aws:ecr:*", ("read", "write")),
        ("aws:iam::*:user/${aws:username}", ("read", "write", "delete")),
    ]
    assert result.grants[1].actions_given == ("iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
                                              "iam:UpdateAccessKey")
    assert (result.star_star, result.escalation) == (False, ())


@pytest.mark.parametrize(("name", "flags"), [
    ("cloudsplaining__wildcards.json", ["aws-credential-exposure:ecr:GetAuthorizationToken", "aws-policy-document"]),
    # the user's own access keys (`${aws:username}`) are scoped: only the registry token is on every resource
    ("cloudsplaining__explicit-actions.json",
     ["aws-credential-exposure:ecr:GetAuthorizationToken", "aws-policy-document"]),
])
def test_a_bare_policy_document_is_one_subject_at_its_file(name: str, flags: list[str]) -> None:
    path = CORPUS / "aws-iam-policy" / name
    loaded = load_paths([str(path)], root=str(CORPUS))
    assert loaded.errors == []
    [role] = loaded.inventory.roles
    assert (role.id, role.location, role.assumable_by) == (
        f"aws:policy-document:aws-iam-policy/{name}", Location(str(path), 1, 1), ())
    assert sorted(role.flags) == flags
    assert [g.resource for g in role.grants] == [g.resource for g in corpus_policy(name).grants]
    assert policy_document.detect(str(path), path.read_text())
    assert not policy_document.detect("d.json", (CORPUS / "aws-authz-details" /
                                                 "cloudsplaining__example_authz_v2.json").read_text())


def test_a_condition_reads_the_same_in_any_order_and_no_value_reads_as_a_clause() -> None:
    """A finding's evidence compares grants' conditions by their text: the same condition written in another order
    is the same text, and a value holding ` and ` (a StringNotEquals on a string no request has: true for all)
    never reads as the two clauses it spells."""
    both = {"Bool": {"aws:SecureTransport": True}, "StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}
    assert condition_text(both) == condition_text(dict(reversed(both.items()))) == \
        "aws:SecureTransport=true and aws:SourceVpce=vpce-1a2b"
    spelled = condition_text({"StringNotEquals": {"aws:SourceIp": "1.2.3.4 and aws:SourceVpce=vpce-1a2b"}})
    assert spelled == 'StringNotEquals aws:SourceIp="1.2.3.4 and aws:SourceVpce=vpce-1a2b"'
    assert spelled != condition_text({"StringNotEquals": {"aws:SourceIp": "1.2.3.4"},
                                      "StringEquals": {"aws:SourceVpce": "vpce-1a2b"}})
    assert condition_text({"StringEquals": {"aws:PrincipalTag/team": ["a,b", ""]}}) == \
        'aws:PrincipalTag/team=["a,b",""]'
    # values that look like secrets are shown redacted, and the text still tells two such conditions apart
    token = "Q2xlYXJseU5vdEFSZWFsQ2xlYXJseU5vdEFSZWFs"
    narrow = condition_text({"StringLike": {"aws:Referer": f"https://shop.example.com/export?token={token}"}})
    wide = condition_text({"StringLike": {"aws:Referer": "https://shop.example.com/export?token=*"}})
    assert token not in narrow and narrow != wide
    assert wide == 'StringLike aws:Referer="https://shop.example.com/export?token=<redacted> [1 wildcard]"'
    # no digest of a secret is shown: a short password would be found from it
    assert condition_text({"StringEquals": {"aws:RequestTag/cfg": "password=Summer2024!"}}) == \
        'aws:RequestTag/cfg="password=<redacted>"'
    # a looser test is another condition: ignoring case admits more than the exact value, ArnEquals takes globs
    assert condition_text({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}) != \
        condition_text({"StringEquals": {"aws:SourceArn": "arn:aws:sns:*:*:*"}})
    assert condition_text({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "ops"}}) == \
        "StringEqualsIgnoreCase aws:PrincipalTag/team=ops"
