"""The CloudFormation source: the real templates of the corpus, each intrinsic, each resource type, bad input."""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from policylint.errors import InputError
from policylint.inventory import load_paths
from policylint.model import Credential, Grant, Group, Key, Location, Principal, Resource, Role
from policylint.sources import SOURCES
from policylint.sources.aws import cloudformation
from policylint.sources.aws.cfn_template import CfnTemplate, globs_overlap
from policylint.sources.aws.intrinsics import CFN_TAGS, Resolver
from policylint.sources.base import Fragment, Options
from policylint.yamlsafe import load_one

from helpers import CORPUS, run_cli, write

CFN = CORPUS / "cloudformation"
PREFIX = "aws-cloudformation-templates__"
ACCESS_CONTROL = "aws:iam::cfn:access-control"
ROOT = "aws:iam::cfn:root"
ESCAPE = ("aws:iam::*:access-control",)


def load(tmp_path: Path, text: str, name: str = "t.yaml") -> Fragment:
    path = write(tmp_path, name, text)
    return cloudformation.load(str(path), path.read_text(encoding="utf-8"), Options())


def nodes(fragment: Fragment) -> dict[str, Any]:
    return {node.id: node for node in fragment.inventory.nodes()}


def implied(fragment: Fragment) -> dict[str, Any]:
    return {node.id: node for node in fragment.implied.nodes()}


def grants_to(fragment: Fragment, holder: str) -> list[tuple[str, tuple[str, ...], str | None, str | None]]:
    return [(g.resource, g.actions, g.via, g.condition) for g in fragment.inventory.grants if g.to == holder]


def role_grants(role: Role) -> list[tuple[str, tuple[str, ...], str | None, str | None]]:
    return [(g.resource, g.actions, g.via, g.condition) for g in role.grants]


def corpus(name: str) -> Fragment:
    path = CFN / f"{PREFIX}{name}"
    return cloudformation.load(str(path), path.read_text(encoding="utf-8"), Options())


def at(fragment: Fragment, name: str, line: int, column: int) -> Location:
    return Location(str(CFN / f"{PREFIX}{name}"), line, column)


# -- the corpus ----------------------------------------------------------------------------------------------------

# file -> (principals, groups, roles, credentials, keys, resources, direct grants)
COUNTS = {
    "CloudFrontCustomOriginLambdaEdge_CloudFront.yaml": (0, 0, 2, 0, 1, 1, 1),
    "CreateHanaBackupSecureBackut.yaml": (0, 0, 2, 0, 1, 1, 0),
    "DMSAuroraToS3FullLoadAndOngoingReplication.json": (0, 0, 3, 0, 0, 3, 0),
    "ECS_EC2LaunchType_public-vpc.yml": (1, 0, 3, 0, 0, 0, 0),
    "EMRClusterWithAdditioanalSecurityGroups.json": (1, 0, 2, 0, 0, 0, 0),
    "IAM_Users_Groups_and_Policies.yaml": (1, 2, 0, 2, 0, 0, 3),
    "MANAGEDAD.cfn.yaml": (2, 0, 2, 0, 0, 1, 0),  # the domain credentials' secret
    "Neptune.yaml": (0, 0, 1, 0, 0, 2, 0),
    "S3CrossAccountReplicationWithKMS_destination.yml": (0, 0, 0, 0, 1, 1, 1),
    "S3CrossAccountReplicationWithKMS_source.yml": (0, 0, 1, 0, 1, 1, 0),
    "codestar_python-webservice-lambda_template.yml": (0, 0, 4, 0, 0, 2, 5),
    "example_usage_update_kms_policy.yaml": (0, 0, 0, 0, 0, 0, 0),
    "read_only_user.json": (1, 0, 0, 1, 0, 0, 6),
}


def test_the_table_names_every_corpus_template() -> None:
    assert sorted(p.name.removeprefix(PREFIX) for p in CFN.iterdir()) == sorted(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_corpus_template_is_detected_and_loads_without_error(name: str) -> None:
    path = CFN / f"{PREFIX}{name}"
    text = path.read_text(encoding="utf-8")
    assert [n for n, source in SOURCES.items() if source.detect(str(path), text)] == ["aws-cloudformation"]
    fragment = corpus(name)
    assert fragment.errors == []
    inv = fragment.inventory
    counts = (len(inv.principals), len(inv.groups), len(inv.roles), len(inv.credentials), len(inv.keys),
              len(inv.resources), len(inv.grants))
    assert counts == COUNTS[name]


def test_the_corpus_folder_loads_as_one_inventory_without_duplicate_ids() -> None:
    loaded = load_paths([str(CFN)])
    assert loaded.errors == []
    assert len(loaded.files) == len(COUNTS)


def test_iam_users_groups_and_policies() -> None:
    name = "IAM_Users_Groups_and_Policies.yaml"
    fragment = corpus(name)
    user = "aws:iam::cfn:user/aws-cloudformation-templates__IAM_Users_Groups_and_Policies-CFNUser"
    users_group = "aws:iam::cfn:group/aws-cloudformation-templates__IAM_Users_Groups_and_Policies-CFNUserGroup"
    admins = "aws:iam::cfn:group/aws-cloudformation-templates__IAM_Users_Groups_and_Policies-CFNAdminGroup"
    found = nodes(fragment)
    assert found[user] == Principal(user, at(fragment, name, 25, 3), "user")  # LoginProfile: a person's login
    assert found[users_group] == Group(users_group, at(fragment, name, 30, 3), (user,))
    assert found[admins] == Group(admins, at(fragment, name, 32, 3), (user,))
    assert found[f"{user}#CFNKeys"] == Credential(f"{user}#CFNKeys", at(fragment, name, 64, 3), "access_key", user,
                                                   None, "active")
    assert found[f"{user}#password"] == Credential(f"{user}#password", at(fragment, name, 28, 7), "password", user,
                                                    None, "active")
    assert grants_to(fragment, users_group) == [("aws:cloudformation:*", ("read",), "CFNUsers", None)]
    assert grants_to(fragment, admins) == [
        ("aws:cloudformation:*", ("read", "write", "delete", "admin"), "CFNAdmins", None),
        # a template does not list the account's roles: the roles CloudFormation may assume are taken as all
        (ACCESS_CONTROL, ("admin",), "privilege escalation: with ExecuteCloudFormationChangeSet, it can run code as a "
         "role that cloudformation.amazonaws.com may assume, so do whatever such a role can (taken as anything in its "
         "account: this file does not list the account's roles)", None),
    ]
    assert grants_to(fragment, user) == []
    assert set(implied(fragment)) == {ACCESS_CONTROL}


def test_read_only_user_holds_its_inline_and_managed_policies() -> None:
    fragment = corpus("read_only_user.json")
    user = "aws:iam::cfn:user/aws-cloudformation-templates__read_only_user-User"
    mfa = "arn:aws:iam::cfn:policy/aws-cloudformation-templates__read_only_user-MFAPolicy"
    keys = "arn:aws:iam::cfn:policy/aws-cloudformation-templates__read_only_user-AccessKeyPolicy"
    principal = nodes(fragment)[user]
    assert (principal.type, principal.identifiers) == ("user", ())
    held = grants_to(fragment, user)
    assert ("aws:s3:*", ("read",), "read_only_policy", None) in held
    assert ("aws:iam::cfn:mfa/${aws:username}", ("write", "delete"), mfa, "aws:MultiFactorAuthPresent=true") in held
    # managing its own access keys acts on the user itself, not on data: no grant (escalation is judged apart)
    assert not any(resource.startswith("aws:iam::cfn:user/") for resource, _, _, _ in held)
    # the access-key policy only lists the account's users (iam:ListUsers, no resource): metadata, no data
    assert {via for _, _, via, _ in held} == {"read_only_policy", mfa} and keys not in {v for _, _, v, _ in held}


def test_s3_cross_account_replication_source() -> None:
    name = "S3CrossAccountReplicationWithKMS_source.yml"
    fragment = corpus(name)
    stem = "aws-cloudformation-templates__S3CrossAccountReplicationWithKMS_source"
    key, bucket = f"aws:kms:cfn:cfn:key/{stem}-KmsKey", f"aws:s3:::{stem}-S3BucketSource"
    found = nodes(fragment)
    assert found[key] == Key(key, at(fragment, name, 23, 3), "encryption", "kms", rotation_days=365,
                             readable_by=(ROOT,), protects=(bucket,), auto_rotate=True, scope="aws")
    assert found[bucket] == Resource(bucket, at(fragment, name, 46, 3), "bucket", logging=False, scope="aws")
    role = found[f"aws:iam::cfn:role/{stem}-ReplicationRole"]
    assert role.assumable_by == ("aws:service:s3.amazonaws.com",)
    # its own bucket is named `${AWS::StackName}-${AWS::AccountId}-bucket`: a glob that names it is widened to it,
    # and the grants say what the template leaves open (R3 #4)
    stack = "template leaves open: AWS::StackName is not known before deployment"
    destination = "parameter AccountIdDestination has no Default"
    assert role_grants(role) == [
        ("aws:s3:::*-cfn-bucket", ("read",), "*-*-role-policy", stack),
        (bucket, ("read",), "*-*-role-policy", stack),
        ("aws:s3:::*-*-bucket", ("read", "write", "admin"), "*-*-role-policy", f"{stack}; {destination}"),
        (bucket, ("read", "write", "admin"), "*-*-role-policy", f"{stack}; {destination}"),
        (key, ("write",), "*-*-role-policy", None),
        ("aws:kms:*", ("write",), "*-*-role-policy", "kms:RequestAlias=alias/*-*-kms-key"),
    ]
    assert implied(fragment)[ROOT] == Principal(ROOT, at(fragment, name, 28, 9), "service", flags=("aws-root",))


def test_s3_cross_account_replication_destination_fails_closed_on_the_unknown_source_account() -> None:
    name = "S3CrossAccountReplicationWithKMS_destination.yml"
    fragment = corpus(name)
    stem = "aws-cloudformation-templates__S3CrossAccountReplicationWithKMS_destination"
    key, bucket = f"aws:kms:cfn:cfn:key/{stem}-KmsKey", f"aws:s3:::{stem}-S3BucketDestination"
    # `arn:aws:iam::${AccountIdSource}:root` with no Default: the root of some account the template does not name,
    # so anyone as far as reach goes (everyone the group holds), but not "anyone" to the rules (PL216)
    somebody = "*anyone-if:template leaves open: parameter AccountIdSource has no Default"
    assert nodes(fragment)[key].readable_by == (ROOT, somebody)
    assert nodes(fragment)[key].protects == (bucket,)
    assert [(g.to, g.resource, g.actions, g.via) for g in fragment.inventory.grants] == [
        (somebody, bucket, ("read", "write", "admin"), "bucket policy S3BucketDestinationPolicy")]
    assert {n.id: n for n in fragment.implied.nodes()}[somebody].members == ("*",)


def test_kms_key_policy_principal_resolved_from_a_parameter_default() -> None:
    name = "CloudFrontCustomOriginLambdaEdge_CloudFront.yaml"
    fragment = corpus(name)
    found = nodes(fragment)
    admin = "aws:iam::cfn:role/AdministratorAccess-example"
    key = "aws:kms:cfn:cfn:key/aws-cloudformation-templates__CloudFrontCustomOriginLambdaEdge_CloudFront-" \
          "LoggingBucketKMSKey"
    assert found[key].readable_by == (ROOT, admin)
    assert found[admin].flags == ("aws-allows-star-star",)
    assert role_grants(found[admin])[0] == ("aws:*", ("read", "write", "delete", "admin"),
                                            "arn:aws:iam::aws:policy/AdministratorAccess", None)
    assert role_grants(found[admin])[1][:2] == (ACCESS_CONTROL, ("admin",))
    edge = found["aws:iam::cfn:role/example-iam-lambda-edge-role-dev"]
    assert edge.assumable_by == ("aws:service:edgelambda.amazonaws.com", "aws:service:lambda.amazonaws.com")
    assert ("aws:logs:*", ("write",), "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", None) \
        in role_grants(edge)


def test_hana_backup_key_policy_names_parameters_without_default_so_anyone() -> None:
    fragment = corpus("CreateHanaBackupSecureBackut.yaml")
    found = nodes(fragment)
    key = "aws:kms:cfn:cfn:key/aws-cloudformation-templates__CreateHanaBackupSecureBackut-S3KmsSourceBucket"
    assert found[key].readable_by == (ROOT, "*anyone-if:template leaves open: parameter KMSAdminRole has no Default",
                                      "*anyone-if:template leaves open: parameter EC2RoleToRunBackup has no Default")
    assert found[key].protects == ("aws:s3:::aws-cloudformation-templates__CreateHanaBackupSecureBackut-"
                                   "OriginalBucket",)
    role = found["aws:iam::cfn:role/service-role/aws-cloudformation-templates__CreateHanaBackupSecureBackut-"
                 "S3ReplRole"]  # Path: /service-role/
    vias = {g.via for g in role.grants}
    assert vias == {"arn:aws:iam::cfn:policy/service-role/S3crrKmsForBucketPolicy1"}


def test_codestar_if_in_a_statement_list_keeps_the_statement_and_bucket_policy_grants() -> None:
    fragment = corpus("codestar_python-webservice-lambda_template.yml")
    stem = "aws-cloudformation-templates__codestar_python-webservice-lambda_template"
    found = nodes(fragment)
    build = found[f"aws:iam::cfn:role/{stem}-CodeBuildRole"]  # RoleName joins ProjectId: not known
    assert (f"aws:s3:::{stem}-WebsiteS3Bucket", ("read", "write", "admin"), "CodeStarWorkerCodeBuildPolicy", None) \
        in role_grants(build)
    pipeline = f"aws:iam::cfn:role/{stem}-CodePipelineTrustRole"
    assert grants_to(fragment, pipeline) == [
        (f"aws:s3:::{stem}-S3Bucket", ("read",), "bucket policy S3ArtifactBucketPolicy", "aws:SecureTransport=false"),
        (f"aws:s3:::{stem}-S3Bucket", ("write",), "bucket policy S3ArtifactBucketPolicy", None),
    ]


def test_managed_policies_attached_by_ref_and_unknown_aws_managed_policies() -> None:
    neptune = nodes(corpus("Neptune.yaml"))
    role = neptune["aws:iam::cfn:role/aws-cloudformation-templates__Neptune-NeptuneRole"]
    assert ("aws:s3:::*", ("read",), "arn:aws:iam::cfn:policy/aws-cloudformation-templates__Neptune-NeptuneS3Policy",
            None) in role_grants(role)
    assert {"aws:rds:cfn:cfn:cluster:aws-cloudformation-templates__Neptune-NeptuneDBCluster",
            "aws:rds:cfn:cfn:db:aws-cloudformation-templates__Neptune-NeptuneDBInstance"} <= set(neptune)
    emr = nodes(corpus("EMRClusterWithAdditioanalSecurityGroups.json"))
    service = emr["aws:iam::cfn:role/aws-cloudformation-templates__EMRClusterWithAdditioanalSecurityGroups-"
                  "EMRClusterServiceRole"]
    assert service.grants == (Grant("aws:*", ("read", "write", "delete"), service.grants[0].location,
                                    excluding=ESCAPE,
                                    via="arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole"),)


def test_instance_profile_assumes_its_role() -> None:
    found = nodes(corpus("ECS_EC2LaunchType_public-vpc.yml"))
    stem = "aws-cloudformation-templates__ECS_EC2LaunchType_public-vpc"
    profile = f"aws:iam::cfn:instance-profile/{stem}-EC2InstanceProfile"
    assert found[profile].type == "service"
    assert found[f"aws:iam::cfn:role/{stem}-EC2Role"].assumable_by == ("aws:service:ec2.amazonaws.com", profile)


# -- intrinsics ----------------------------------------------------------------------------------------------------

TEMPLATE = """
Parameters:
  Env: {Type: String, Default: prod}
  Open: {Type: String}
  Empty: {Type: String, Default: ''}
  Names: {Type: CommaDelimitedList, Default: 'a, b'}
Mappings:
  Buckets:
    prod: {name: prod-data, region: eu}
    test: {name: test-data, region: eu}
Resources:
  Alice: {Type: AWS::IAM::User, Properties: {UserName: alice, Path: /eng/}}
  Deploy: {Type: AWS::IAM::Role, Properties: {RoleName: !Sub 'deploy-${Env}'}}
  Anon: {Type: AWS::IAM::Role}
  Data: {Type: AWS::S3::Bucket, Properties: {BucketName: !Sub '${AWS::StackName}-data'}}
  Key: {Type: AWS::KMS::Key}
  Admins: {Type: AWS::IAM::ManagedPolicy}
"""


def resolve(tmp_path: Path, value: str) -> tuple[Any, Resolver]:
    path = write(tmp_path, "t.yaml", TEMPLATE)
    template = CfnTemplate(load_one(path.read_text(encoding="utf-8"), str(path), CFN_TAGS), str(path))
    resolver = template.resolver()
    return resolver.value(load_one(f"v: {value}\n", str(path), CFN_TAGS)["v"]), resolver


@pytest.mark.parametrize(
    ("case", "value", "expected"),
    [
        ("parameter default", "!Ref Env", "prod"),
        ("parameter without default", "!Ref Open", "*"),
        ("empty default is not given", "!Ref Empty", "*"),
        ("list parameter", "!Ref Names", ["a", "b"]),
        ("account", "!Ref AWS::AccountId", "cfn"),
        ("partition", "!Ref AWS::Partition", "aws"),
        ("region", "!Ref AWS::Region", "*"),
        ("user name", "!Ref Alice", "alice"),
        ("role name from a default", "!Ref Deploy", "deploy-prod"),
        ("generated name", "!Ref Anon", "t-Anon"),
        ("bucket with an open name", "!Ref Data", "t-Data"),
        ("key id", "!Ref Key", "t-Key"),
        ("managed policy gives its ARN", "!Ref Admins", "arn:aws:iam::cfn:policy/t-Admins"),
        ("unknown logical id", "!Ref Nowhere", "*"),
        ("GetAtt short", "!GetAtt Alice.Arn", "arn:aws:iam::cfn:user/eng/alice"),
        ("GetAtt list", "!GetAtt [Deploy, Arn]", "arn:aws:iam::cfn:role/deploy-prod"),
        ("GetAtt long form", "{'Fn::GetAtt': [Key, Arn]}", "arn:aws:kms:cfn:cfn:key/t-Key"),
        ("GetAtt key id", "!GetAtt Key.KeyId", "t-Key"),
        ("GetAtt policy ARN", "!GetAtt Admins.PolicyArn", "arn:aws:iam::cfn:policy/t-Admins"),
        ("GetAtt unknown attribute", "!GetAtt Alice.Nothing", "*"),
        ("Sub", "!Sub 'arn:${AWS::Partition}:s3:::${Data}/${Env}/*'", "arn:aws:s3:::t-Data/prod/*"),
        ("Sub attribute", "!Sub '${Deploy.Arn}'", "arn:aws:iam::cfn:role/deploy-prod"),
        ("Sub variables", "!Sub ['${B}/x-${Env}', {B: !GetAtt Data.Arn}]", "arn:aws:s3:::t-Data/x-prod"),
        ("Sub literal", "!Sub '${!aws:username}-${Open}'", "${aws:username}-*"),
        ("Join", "!Join [':', [a, !Ref Env, 3, true]]", "a:prod:3:true"),
        ("Join of a list value", "!Join ['-', !Ref Names]", "a-b"),
        ("Select", "!Select [1, [x, !Ref Env]]", "prod"),
        ("Select out of range", "!Select [5, [x]]", "*"),
        ("Split", "!Split [',', 'a,b']", ["a", "b"]),
        ("Select of Split", "!Select [1, !Split ['/', !Ref Env]]", "*"),
        ("FindInMap", "!FindInMap [Buckets, !Ref Env, name]", "prod-data"),
        ("FindInMap open key keeps every value", "!FindInMap [Buckets, !Ref Open, name]", ["prod-data", "test-data"]),
        ("FindInMap open key, one value", "!FindInMap [Buckets, !Ref Open, region]", "eu"),
        ("FindInMap missing", "!FindInMap [Buckets, dev, name]", "*"),
        ("FindInMap default", "!FindInMap [Buckets, dev, name, {DefaultValue: none}]", "none"),
        ("If gives both branches", "!If [C, a, [b, c]]", ["a", "b", "c"]),
        ("If with equal branches", "!If [C, a, a]", "a"),
        ("If with NoValue", "!If [C, a, !Ref AWS::NoValue]", "a"),
        ("If in a list", "[x, !If [C, y, !Ref AWS::NoValue]]", ["x", "y"]),
        ("NoValue in a mapping", "{a: 1, b: !Ref AWS::NoValue}", {"a": 1}),
        ("Base64", "!Base64 {Ref: Env}", "prod"),
        ("ImportValue", "!ImportValue other-stack-bucket", "*"),
        ("GetAZs", "!GetAZs ''", ["*"]),
        ("condition function as a value", "!Equals [a, b]", "*"),
        ("unknown function", "{'Fn::Nothing': 1}", "*"),
        ("a mapping with one plain key", "{Effect: Allow}", {"Effect": "Allow"}),
    ],
)
def test_intrinsics(tmp_path: Path, case: str, value: str, expected: Any) -> None:
    resolved, resolver = resolve(tmp_path, value)
    assert resolved == expected
    assert resolver.errors == []


def test_what_stays_open_is_noted_with_its_place(tmp_path: Path) -> None:
    _, resolver = resolve(tmp_path, "!Sub 'arn:aws:s3:::${Open}-${AWS::Region}'")
    assert resolver.notes == [((1, 4), "parameter Open has no Default"),
                              ((1, 4), "AWS::Region is not known before deployment")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!Join [only-one]", "expected Fn::Join [delimiter, [values]], found a list of 1"),
        ("!Join [',', {a: 1}]", "expected a list of values to join, found a mapping"),
        ("!Select [0]", "expected Fn::Select [index, [values]], found a list of 1"),
        ("!Split [',']", "expected Fn::Split [delimiter, text], found a list of 1"),
        ("!If [C, a]", "expected Fn::If [condition, value if true, value if false], found a list of 2"),
        ("!FindInMap [Buckets]", "expected Fn::FindInMap [MapName, TopLevelKey, SecondLevelKey], found a list of 1"),
        ("!GetAtt NoDot", "expected Fn::GetAtt [LogicalId, Attribute] or 'LogicalId.Attribute', found 'NoDot'"),
        ("!Sub [1, 2]", "expected Fn::Sub 'text' or [text, {variables}], found a list of 2"),
        ("!Ref [a]", "expected Ref to a logical id or parameter name, found a list of 1"),
    ],
)
def test_malformed_intrinsics_are_located_errors_and_open_values(tmp_path: Path, value: str, expected: str) -> None:
    resolved, resolver = resolve(tmp_path, value)
    assert resolved == "*"
    assert [(e.location.line, e.location.column, e.message) for e in resolver.errors] == [(1, 4, expected)]


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [("aws:s3:::*-cfn-bucket", "aws:s3:::prod-cfn-bucket", True), ("a*", "*b", True), ("a?c", "abc", True),
     ("a*", "b*", False), ("abc", "abd", False), ("*x*", "y", False), ("ab*", "a*c", True), ("a", "a*", True)],
)
def test_glob_overlap(first: str, second: str, overlap: bool) -> None:
    assert globs_overlap(first, second) is overlap
    assert globs_overlap(second, first) is overlap


def test_glob_overlap_against_brute_force() -> None:
    words = ["".join(w) for n in range(9) for w in itertools.product("ab", repeat=n)]  # long enough for 4+4

    def matches(glob: str, word: str) -> bool:
        body = "".join(".*" if c == "*" else "." if c == "?" else c for c in glob)
        return re.fullmatch(body, word) is not None

    rnd = random.Random(7)
    for _ in range(400):
        first, second = ("".join(rnd.choice("ab*?") for _ in range(rnd.randint(0, 4))) for _ in range(2))
        expected = any(matches(first, w) and matches(second, w) for w in words)
        assert globs_overlap(first, second) is expected, (first, second)


# -- resources -----------------------------------------------------------------------------------------------------


def test_users_groups_credentials_and_mfa(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          Kim:
            Type: AWS::IAM::User
            Properties:
              UserName: kim.jh
              Path: /staff/
              LoginProfile: {Password: !Ref Secret}
              Groups: [!Ref Readers, existing-group]
              Tags: [{Key: Email, Value: kim.jh@example.com}, {Key: team, Value: auth}]
              ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
          Bot:
            Type: AWS::IAM::User
            Properties:
              Policies:
                - PolicyName: read-orders
                  PolicyDocument:
                    Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: 'arn:aws:s3:::orders/*'}]
          Readers: {Type: AWS::IAM::Group}
          KimKey: {Type: AWS::IAM::AccessKey, Properties: {UserName: !Ref Kim, Status: Inactive}}
          BotKey: {Type: AWS::IAM::AccessKey, Properties: {UserName: !Ref Bot}}
          OtherKey: {Type: AWS::IAM::AccessKey, Properties: {UserName: someone-else}}
          OpenKey: {Type: AWS::IAM::AccessKey, Properties: {UserName: !Ref UserParam}}
          Mfa: {Type: AWS::IAM::VirtualMFADevice, Properties: {Users: [!Ref Kim]}}
          Add: {Type: AWS::IAM::UserToGroupAddition, Properties: {GroupName: ops, Users: [!Ref Bot]}}
        """)
    assert fragment.errors == []
    path = str(tmp_path / "t.yaml")
    kim, bot = "aws:iam::cfn:user/staff/kim.jh", "aws:iam::cfn:user/t-Bot"
    found = nodes(fragment)
    assert found[kim] == Principal(kim, Location(path, 2, 3), "user", identifiers=("kim.jh@example.com", "kim.jh"),
                                   flags=("aws-allows-star-star",))
    assert found[bot] == Principal(bot, Location(path, 11, 3), "service")
    assert found["aws:iam::cfn:group/t-Readers"].members == (kim,)
    assert found[f"{kim}#password"] == Credential(f"{kim}#password", Location(path, 7, 7), "password", kim, None,
                                                  "active", mfa=True)
    assert found[f"{kim}#KimKey"].status == "inactive"
    assert found[f"{bot}#BotKey"].status == "active"
    other = "aws:iam::cfn:user/someone-else"
    assert found[f"{other}#OtherKey"].principal == other
    assert found["aws:iam::cfn:access-key/t-OpenKey"].principal is None
    assert grants_to(fragment, bot) == [("aws:s3:::orders", ("read",), "read-orders", None)]
    assert grants_to(fragment, kim)[0] == ("aws:*", ("read", "write", "delete", "admin"),
                                           "arn:aws:iam::aws:policy/AdministratorAccess", None)
    hinted = implied(fragment)
    assert hinted["aws:iam::cfn:group/existing-group"] == Group("aws:iam::cfn:group/existing-group",
                                                                Location(path, 8, 15), (kim,))
    assert hinted["aws:iam::cfn:group/ops"].members == (bot,)
    assert hinted[other] == Principal(other, Location(path, 21, 3), "service")


def test_if_between_two_policy_documents_keeps_both(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          R:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: !If
                - Prod
                - {Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {Service: ec2.amazonaws.com}}]}
                - {Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {Service: ecs.amazonaws.com}}]}
        """)
    assert fragment.errors == []
    assert nodes(fragment)["aws:iam::cfn:role/t-R"].assumable_by == ("aws:service:ec2.amazonaws.com",
                                                                     "aws:service:ecs.amazonaws.com")


def test_policies_attach_to_the_identities_they_name(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          App: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {Statement: []}}}
          Ops: {Type: AWS::IAM::Group, Properties: {GroupName: ops}}
          Inline:
            Type: AWS::IAM::Policy
            Properties:
              PolicyName: tables
              PolicyDocument: {Statement: [{Effect: Allow, Action: 'dynamodb:Query', Resource: '*'}]}
              Roles: [!Ref App, legacy-role]
              Groups: [!Ref Ops]
          Shared:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              ManagedPolicyName: shared
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Action: 's3:*', Resource: '*'}
                  - {Effect: Deny, Action: 's3:*', Resource: 'arn:aws:s3:::secret/*'}
          Dev:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Statement: []}
              ManagedPolicyArns: [!Ref Shared, arn:aws:iam::111122223333:policy/theirs]
        """)
    assert fragment.errors == []
    found = nodes(fragment)
    assert role_grants(found["aws:iam::cfn:role/t-App"]) == [("aws:dynamodb:*", ("read",), "tables", None)]
    assert grants_to(fragment, "aws:iam::cfn:group/ops") == [("aws:dynamodb:*", ("read",), "tables", None)]
    assert grants_to(fragment, "aws:iam::cfn:role/legacy-role") == [("aws:dynamodb:*", ("read",), "tables", None)]
    assert implied(fragment)["aws:iam::cfn:role/legacy-role"] == Role("aws:iam::cfn:role/legacy-role",
                                                                      Location(str(tmp_path / "t.yaml"), 9, 14))
    dev = found["aws:iam::cfn:role/t-Dev"].grants
    (s3,) = [g for g in dev if g.resource == "aws:s3:*"]
    assert s3.excluding == ("aws:s3:::secret",)  # the deny in the same policy wins
    assert (dev[-1].resource, dev[-1].actions, dev[-1].via) == (
        "aws:*", ("read", "write", "delete"), "arn:aws:iam::111122223333:policy/theirs")


@pytest.mark.parametrize(
    ("case", "policy_type", "key", "identity"),
    [
        ("role policy", "AWS::IAM::RolePolicy", "RoleName",
         "{Type: AWS::IAM::Role, Properties: {RoleName: app, AssumeRolePolicyDocument: {Statement: []}}}"),
        ("user policy", "AWS::IAM::UserPolicy", "UserName", "{Type: AWS::IAM::User, Properties: {UserName: app}}"),
        ("group policy", "AWS::IAM::GroupPolicy", "GroupName",
         "{Type: AWS::IAM::Group, Properties: {GroupName: app}}"),
    ],
)
def test_a_policy_for_one_identity_is_held_with_its_other_policies(tmp_path: Path, case: str, policy_type: str,
                                                                   key: str, identity: str) -> None:
    fragment = load(tmp_path, f"""
        Resources:
          Holder: {identity}
          Reads:
            Type: {policy_type}
            Properties:
              PolicyName: reads
              PolicyDocument: {{Statement: [{{Effect: Allow, Action: 'dynamodb:Query', Resource: '*'}}]}}
              {key}: !Ref Holder
          Fence:
            Type: {policy_type}
            Properties:
              PolicyName: fence
              PolicyDocument:
                Statement: [{{Effect: Deny, Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:*:*:table/secret'}}]
              {key}: app
          Elsewhere:
            Type: {policy_type}
            Properties:
              PolicyName: elsewhere
              PolicyDocument: {{Statement: [{{Effect: Allow, Action: 's3:GetObject', Resource: '*'}}]}}
              {key}: legacy
        """)
    assert fragment.errors == []
    noun = key.removesuffix("Name").lower()
    held = f"aws:iam::cfn:{noun}/app"
    found = nodes(fragment)
    grants = role_grants(found[held]) if noun == "role" else grants_to(fragment, held)
    assert grants == [("aws:dynamodb:*", ("read",), "reads", None)]  # the deny in another policy applies too
    (read,) = found[held].grants if noun == "role" else [g for g in fragment.inventory.grants if g.to == held]
    assert read.excluding == ("aws:dynamodb:*:*:table/secret",)
    legacy = f"aws:iam::cfn:{noun}/legacy"  # named, not defined here: given its grants by id
    assert grants_to(fragment, legacy) == [("aws:s3:*", ("read",), "elsewhere", None)]
    assert implied(fragment)[legacy].location == Location(str(tmp_path / "t.yaml"), 21, len(f"      {key}: ") + 1)


def test_who_may_assume_a_role(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          Dev:
            Type: AWS::IAM::User
            Properties:
              Policies:
                - PolicyName: assume
                  PolicyDocument: {Statement: [{Effect: Allow, Action: 'sts:AssumeRole', Resource: '*'}]}
          Bystander: {Type: AWS::IAM::User}
          Named:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: sts:AssumeRole
                    Principal:
                      AWS: [!GetAtt Dev.Arn, '111122223333', !Sub 'arn:aws:iam::${AWS::AccountId}:role/gone']
                      Service: [lambda.amazonaws.com]
          Delegated:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {AWS: !Ref AWS::AccountId}}]
          Public:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: '*'}]
          Open:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {AWS: !Sub 'arn:aws:iam::${A}:root'}}]
          Sibling:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: sts:AssumeRole
                    Principal: {AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:role/${P}'}
        """)
    assert fragment.errors == []
    found = nodes(fragment)
    dev = "aws:iam::cfn:user/t-Dev"
    assert found["aws:iam::cfn:role/t-Named"].assumable_by == (
        dev, "aws:iam::111122223333:root", "aws:iam::cfn:role/gone", "aws:service:lambda.amazonaws.com")
    assert found["aws:iam::cfn:role/t-Delegated"].assumable_by == (ROOT, dev)  # IAM decides: Dev may sts:AssumeRole
    assert found["aws:iam::cfn:role/t-Public"].assumable_by == ("*",)
    # the root of an account the template leaves open: everyone as far as reach goes, not "anyone" to the rules
    assert found["aws:iam::cfn:role/t-Open"].assumable_by == (
        "*anyone-if:template leaves open: Ref A: not a parameter or resource of the template, or not known before "
        "deployment",)
    # a role ARN with an open name: the template's roles it could be
    assert set(found["aws:iam::cfn:role/t-Sibling"].assumable_by) == {
        f"aws:iam::cfn:role/t-{r}" for r in ("Named", "Delegated", "Public", "Open", "Sibling")}
    hinted = implied(fragment)
    assert hinted["aws:iam::111122223333:root"].type == "external"
    assert hinted["aws:iam::cfn:role/gone"] == Role("aws:iam::cfn:role/gone", hinted["aws:iam::cfn:role/gone"].location)
    assert hinted["aws:service:lambda.amazonaws.com"].flags == ("builtin",)
    assert hinted[ROOT].flags == ("aws-root",)


def test_keys(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          Reader: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {Statement: []}}}
          Signer:
            Type: AWS::KMS::Key
            Properties:
              KeyUsage: SIGN_VERIFY
              KeyPolicy:
                Statement:
                  - {Effect: Allow, Principal: {AWS: !GetAtt Reader.Arn}, Action: 'kms:Sign', Resource: '*'}
                  - {Effect: Allow, Principal: {AWS: 'arn:aws:iam::111122223333:root'}, Action: 'kms:Describe*',
                     Resource: '*'}
                  - {Effect: Allow, Principal: {Service: logs.amazonaws.com}, NotAction: 'kms:Delete*', Resource: '*'}
                  - {Effect: Deny, Principal: '*', Action: 'kms:*', Resource: '*'}
          Rotated: {Type: AWS::KMS::Key, Properties: {EnableKeyRotation: true, RotationPeriodInDays: 90}}
          Admins:
            Type: AWS::KMS::Key
            Properties:
              EnableKeyRotation: 'false'
              KeyPolicy:
                Statement: [{Effect: Allow, Principal: {AWS: 'arn:aws:iam::cfn:user/kms-admin'}, Action: 'kms:Put*',
                             Resource: '*'}]
          Alias: {Type: AWS::KMS::Alias, Properties: {AliasName: alias/data, TargetKeyId: !Ref Rotated}}
          Data:
            Type: AWS::S3::Bucket
            Properties:
              BucketEncryption:
                ServerSideEncryptionConfiguration:
                  - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: alias/data}
          Table:
            Type: AWS::DynamoDB::Table
            Properties: {SSESpecification: {SSEEnabled: true, KMSMasterKeyId: !GetAtt Rotated.Arn}}
          Writer:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Statement: []}
              Policies:
                - PolicyName: by-alias
                  PolicyDocument:
                    Statement:
                      - {Effect: Allow, Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:cfn:alias/data'}
        """)
    assert fragment.errors == []
    path = str(tmp_path / "t.yaml")
    found = nodes(fragment)
    signer, rotated, admins = (f"aws:kms:cfn:cfn:key/t-{k}" for k in ("Signer", "Rotated", "Admins"))
    assert found[signer] == Key(signer, Location(path, 3, 3), "signing", "kms", readable_by=(
        "aws:iam::cfn:role/t-Reader", "aws:service:logs.amazonaws.com"), auto_rotate=None, scope="aws")  # a
    # SIGN_VERIFY key cannot rotate by itself: not judged on it (PL307)
    assert found[rotated] == Key(rotated, Location(path, 14, 3), "encryption", "kms", rotation_days=90,
                                 readable_by=(ROOT,), auto_rotate=True, scope="aws",
                                 protects=("aws:s3:::t-Data", "aws:dynamodb:cfn:cfn:table/t-Table"))
    # kms:Put* includes kms:PutKeyPolicy: a key administrator can make itself a reader
    assert (found[admins].readable_by, found[admins].auto_rotate, found[admins].rotation_days) == (
        ("aws:iam::cfn:user/kms-admin",), False, None)
    assert implied(fragment)["aws:iam::cfn:user/kms-admin"].type == "service"
    # a grant on the alias (in any region) names the key it targets
    assert [(g.resource, g.actions) for g in found["aws:iam::cfn:role/t-Writer"].grants] == [
        ("aws:kms:eu-west-1:cfn:alias/data", ("write",)), (rotated, ("write",))]


def test_stores_classification_records_and_logging(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Parameters:
          Env: {Type: String, Default: prod}
        Resources:
          Orders:
            Type: AWS::S3::Bucket
            Condition: IsProd
            Properties:
              BucketName: !Sub 'orders-${Env}'
              Tags:
                - {Key: data-classification, Value: 'customer_pii, customer_orders'}
                - {Key: records, Value: '33700000'}
          Logged: {Type: AWS::S3::Bucket, Properties: {BucketName: logged, LoggingConfiguration: {}}}
          Quiet: {Type: AWS::S3::Bucket, Properties: {BucketName: quiet}}
          Users: {Type: AWS::DynamoDB::Table, Properties: {TableName: users}}
          Db: {Type: AWS::RDS::DBInstance, Properties: {EnableCloudwatchLogsExports: [error, audit]}}
          Cluster: {Type: AWS::RDS::DBCluster, Properties: {DBClusterIdentifier: main}}
          Trail:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: true
              EventSelectors:
                - DataResources: [{Type: 'AWS::S3::Object', Values: [!Sub 'arn:aws:s3:::${Orders}/']}]
                - ReadWriteType: WriteOnly
                  DataResources: [{Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::quiet/']}]
              AdvancedEventSelectors:
                - FieldSelectors:
                    - {Field: eventCategory, Equals: [Data]}
                    - {Field: resources.type, Equals: ['AWS::DynamoDB::Table']}
                    - Field: resources.ARN
                      StartsWith: [!Sub 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/us']
        """)
    assert fragment.errors == []
    path = str(tmp_path / "t.yaml")
    found = nodes(fragment)
    assert found["aws:s3:::orders-prod"] == Resource("aws:s3:::orders-prod", Location(path, 4, 3), "bucket",
                                                     ("customer_pii", "customer_orders"), 33700000, True,
                                                     scope="aws")
    assert found["aws:s3:::logged"].logging is True
    assert found["aws:s3:::quiet"].logging is False  # its trail records writes only
    assert found["aws:dynamodb:cfn:cfn:table/users"].logging is False  # `*` region: the prefix is not known
    assert (found["aws:rds:cfn:cfn:db:t-Db"].type, found["aws:rds:cfn:cfn:db:t-Db"].logging) == ("database", True)
    assert found["aws:rds:cfn:cfn:cluster:main"].logging is False


def test_trails_that_do_not_log_or_advanced_selectors_that_cover(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          Users: {Type: AWS::DynamoDB::Table, Properties: {TableName: users}}
          Bucket: {Type: AWS::S3::Bucket, Properties: {BucketName: b}}
          Off:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: false
              EventSelectors: [{DataResources: [{Type: 'AWS::S3::Object', Values: ['arn:aws:s3']}]}]
          On:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: true
              AdvancedEventSelectors:
                - FieldSelectors:
                    - {Field: eventCategory, Equals: [Data]}
                    - {Field: resources.type, Equals: ['AWS::DynamoDB::Table']}
                    - {Field: resources.ARN, Equals: [!GetAtt Users.Arn]}
        """)
    found = nodes(fragment)
    assert (found["aws:s3:::b"].logging, found["aws:dynamodb:cfn:cfn:table/users"].logging) == (False, True)


def test_grants_on_a_glob_that_could_name_an_open_named_store_reach_it(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          Data: {Type: AWS::S3::Bucket, Properties: {BucketName: !Sub '${AWS::StackName}-data'}}
          Reader:
            Type: AWS::IAM::User
            Properties:
              Policies:
                - PolicyName: p
                  PolicyDocument:
                    Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: 'arn:aws:s3:::prod-data/*'}]
        """)
    assert grants_to(fragment, "aws:iam::cfn:user/t-Reader") == [("aws:s3:::prod-data", ("read",), "p", None),
                                                                 ("aws:s3:::t-Data", ("read",), "p", None)]


def test_a_template_of_other_resources_contributes_nothing(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn: {Type: 'AWS::Serverless::Function', Properties: {Policies: [AmazonS3FullAccess]}}
        Outputs:
          A: {Value: 1}
          A: {Value: 2}
        """)
    assert (fragment.errors, fragment.inventory.nodes(), fragment.implied.nodes()) == ([], (), ())


# -- detection -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\n", True),
        ('{\n  "AWSTemplateFormatVersion" : "2010-09-09"\n}\n', True),
        ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n", True),
        ('{"Resources": {"A": {"Type": "AWS::IAM::Role"}}}\n', True),
        ('{"Description": "x", "Resources": {"A": {"Type": "AWS::IAM::Role"}}}', True),
        ("Outer:\n  Resources:\n    A: {Type: AWS::S3::Bucket}\n", False),
        ("Resources:\n  A:\n    Type: Custom::Thing\n", False),
        ("apiVersion: v1\nkind: ServiceAccount\n", False),
        ("policylint: 1\nresources: []\n", False),
        ('{"UserDetailList": []}\n', False),
    ],
)
def test_detection(text: str, template: bool) -> None:
    assert cloudformation.detect("t.yaml", text) is template


# -- bad input -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        ("a tag CloudFormation does not have", "Resources:\n  A:\n    Type: !Foo AWS::S3::Bucket\n",
         "t.yaml:3:11: error: unsupported tag !Foo: only plain YAML data is read"),
        ("Resources not a mapping", "AWSTemplateFormatVersion: '2010-09-09'\nResources: [a]\n",
         "t.yaml:2:12: error: expected 'Resources' to be a mapping of logical ids to resources, found a list of 1"),
        ("no Resources", "AWSTemplateFormatVersion: '2010-09-09'\n",
         "t.yaml:1:1: error: expected 'Resources' to be a mapping of logical ids to resources, found none"),
        ("not a mapping", "- AWSTemplateFormatVersion\n",
         "t.yaml:1:1: error: expected a CloudFormation template (a mapping with 'Resources'), found a list of 1"),
        ("broken YAML", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {a: [}\n",
         "t.yaml:2:17: error: invalid YAML: did not find expected node content"),
    ],
)
def test_unusable_files_raise_one_located_error(tmp_path: Path, case: str, text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path, text)
    assert str(caught.value) == f"{tmp_path}/{expected}"


@pytest.mark.parametrize(
    ("case", "resources", "expected"),
    [
        ("trust policy a number",
         "R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: 42}}",
         "3:68: expected 'AssumeRolePolicyDocument' of role 'R' to be a trust policy (a mapping with 'Statement'), "
         "found the number 42"),
        ("no trust policy", "R: {Type: AWS::IAM::Role}",
         "3:6: expected 'AssumeRolePolicyDocument' of role 'R' to be a trust policy (a mapping with 'Statement'), "
         "found none"),
        ("resource not a mapping", "R: [a]",
         "3:6: expected resource 'R' to be a mapping with 'Type', found a list of 1"),
        ("no Type", "R: {Properties: {}}", "3:6: expected resource 'R' to have a 'Type' string, found none"),
        ("Properties a list", "R: {Type: AWS::IAM::User, Properties: [a]}",
         "3:41: expected 'Properties' of 'R' to be a mapping, found a list of 1"),
        ("policy without Effect",
         "R: {Type: AWS::IAM::User, Properties: {Policies: [{PolicyName: p, PolicyDocument: {Statement: "
         "[{Action: 's3:*', Resource: '*'}]}}]}}",
         "3:98: policy 'p': expected 'Effect' to be 'Allow' or 'Deny', found none"),
        ("inline policy not a mapping", "R: {Type: AWS::IAM::User, Properties: {Policies: [p]}}",
         "3:53: expected an inline policy (PolicyName, PolicyDocument), found 'p'"),
        ("Policies not a list", "R: {Type: AWS::IAM::User, Properties: {Policies: p}}",
         "3:52: expected 'Policies' to be a list of inline policies, found 'p'"),
        ("policy document a string list",
         "P: {Type: AWS::IAM::Policy, Properties: {PolicyName: p, PolicyDocument: [a], Users: [u]}}",
         "3:75: expected 'PolicyDocument' of policy 'p' to be a policy document (a mapping with 'Statement'), "
         "found a list of 1"),
        ("role policy without its role",
         "P: {Type: AWS::IAM::RolePolicy, Properties: {PolicyName: p, PolicyDocument: {Statement: []}}}",
         "3:47: expected 'RoleName', found none"),
        ("user policy naming a list", "P: {Type: AWS::IAM::UserPolicy, Properties: {PolicyName: p, "
         "PolicyDocument: {Statement: []}, UserName: [{a: b}]}}",
         "3:107: expected 'UserName' to name things (strings), found a mapping"),
        ("access key status", "K: {Type: AWS::IAM::AccessKey, Properties: {UserName: u, Status: Enabled}}",
         "3:68: expected 'Status' to be Active or Inactive, found 'Enabled'"),
        ("access key without user", "K: {Type: AWS::IAM::AccessKey, Properties: {}}", "3:46: expected 'UserName', "
         "found none"),
        ("key usage", "K: {Type: AWS::KMS::Key, Properties: {KeyUsage: SIGN}}",
         "3:51: expected 'KeyUsage' to be one of ENCRYPT_DECRYPT, KEY_AGREEMENT, SIGN_VERIFY, GENERATE_VERIFY_MAC, "
         "found 'SIGN'"),
        ("rotation period", "K: {Type: AWS::KMS::Key, Properties: {EnableKeyRotation: true, RotationPeriodInDays: x}}",
         "3:88: expected 'RotationPeriodInDays' to be a number of days, found 'x'"),
        ("records tag", "B: {Type: AWS::S3::Bucket, Properties: {Tags: [{Key: records, Value: many}]}}",
         "3:50: expected the 'records' tag to be a whole number, found 'many'"),
        ("bad tag", "B: {Type: AWS::S3::Bucket, Properties: {Tags: [{Name: x}]}}",
         "3:50: expected a tag {Key, Value}, found a mapping"),
        ("malformed intrinsic", "B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Join [x]}}",
         "3:55: expected Fn::Join [delimiter, [values]], found a list of 1"),
        ("duplicate key in a resource read", "B: {Type: AWS::S3::Bucket, Properties: {BucketName: a, BucketName: b}}",
         "3:58: duplicate key 'BucketName' in a mapping (first at line 3); each key may appear once"),
    ],
)
def test_bad_entries_are_located_errors_and_the_rest_loads(tmp_path: Path, case: str, resources: str,
                                                           expected: str) -> None:
    fragment = load(tmp_path, f"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  {resources}\n  "
                              f"Other: {{Type: AWS::S3::Bucket, Properties: {{BucketName: other}}}}\n")
    assert [f"{e.location.line}:{e.location.column}: {e.message}" for e in fragment.errors] == [expected]
    assert "aws:s3:::other" in nodes(fragment)


def test_what_is_not_known_is_not_an_error_but_open(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref Nothing}}
          U:
            Type: AWS::IAM::User
            Properties:
              Policies:
                - PolicyName: p
                  PolicyDocument:
                    Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: !Sub 'arn:aws:s3:::${Nothing}/*'}]
          R:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: !ImportValue shared-trust
              Policies: [{PolicyName: p2, PolicyDocument: !ImportValue shared-policy}]
          K: {Type: AWS::KMS::Key, Properties: {KeyPolicy: !ImportValue shared-key-policy}}
        """)
    assert fragment.errors == []
    assert grants_to(fragment, "aws:iam::cfn:user/t-U") == [("aws:s3:::*", ("read",), "p", "template leaves open: Ref "
                                                             "Nothing: not a parameter or resource of the template, "
                                                             "or not known before deployment")]
    assert role_grants(nodes(fragment)["aws:iam::cfn:role/t-R"]) == [
        ("aws:*", ("read", "write", "delete"), "p2",  # a document not known: anything, saying why
         "template leaves open: the document of policy 'p2'")]
    assert nodes(fragment)["aws:iam::cfn:role/t-R"].assumable_by == ("*",)  # a trust policy not known: anyone
    assert nodes(fragment)["aws:kms:cfn:cfn:key/t-K"].readable_by == ("*",)
    assert "aws:s3:::t-B" in nodes(fragment)


def test_names_in_a_cycle_are_not_known_and_a_name_twice_is_an_error(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          A: {Type: AWS::IAM::Role, Properties: {RoleName: !Ref B, AssumeRolePolicyDocument: {Statement: []}}}
          B: {Type: AWS::IAM::Role, Properties: {RoleName: !Ref A, AssumeRolePolicyDocument: {Statement: []}}}
          C: {Type: AWS::IAM::Role, Properties: {RoleName: x, AssumeRolePolicyDocument: {Statement: []}}}
          D: {Type: AWS::IAM::Role, Properties: {RoleName: x, AssumeRolePolicyDocument: {Statement: []}}}
        """)
    assert [str(e) for e in fragment.errors] == [
        f"{tmp_path}/t.yaml:5:3: error: expected each IAM name once in the template, found 'x' again (first as "
        "C, line 4)"]
    assert [r.id for r in fragment.inventory.roles] == ["aws:iam::cfn:role/t-A", "aws:iam::cfn:role/t-B",
                                                        "aws:iam::cfn:role/x"]


def test_the_cli_reports_bad_templates_with_exit_2(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", "Resources:\n  B: {Type: AWS::S3::Bucket, Properties: {BucketName: fine}}\n")
    write(tmp_path, "bad.yaml", "Resources:\n  R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: 1}}\n")
    run = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert run.code == 2
    assert (f"{tmp_path}/bad.yaml:2:68: error: expected 'AssumeRolePolicyDocument' of role 'R' to be a trust policy "
            "(a mapping with 'Statement'), found the number 1") in run.out + run.err


def test_a_departed_persons_template_user_reaches_customer_data_end_to_end(tmp_path: Path) -> None:
    write(tmp_path, "stack.yaml", """
        AWSTemplateFormatVersion: '2010-09-09'
        Parameters:
          Pw: {Type: String, NoEcho: true}
        Resources:
          Orders:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: customer-orders
              Tags: [{Key: data-classification, Value: customer_pii}, {Key: records, Value: '1200000'}]
          Kim:
            Type: AWS::IAM::User
            Properties:
              UserName: kim.jh
              LoginProfile: {Password: !Ref Pw}
              Tags: [{Key: email, Value: Kim.JH@example.com}]
              Groups: [!Ref Analysts]
          Analysts:
            Type: AWS::IAM::Group
            Properties:
              Policies:
                - PolicyName: read-orders
                  PolicyDocument:
                    Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: !Sub '${Orders.Arn}/*'}]
          KimKey: {Type: AWS::IAM::AccessKey, Properties: {UserName: !Ref Kim}}
        """)
    write(tmp_path, "people.yaml", """
        policylint: 1
        people:
          - {id: kim.jh, status: departed, departed: 2025-06-14, emails: [kim.jh@example.com]}
        """)
    run = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert run.code == 1
    path = "kim.jh –holds→ aws:iam::cfn:user/kim.jh#KimKey –authenticates as→ aws:iam::cfn:user/kim.jh –member of→ " \
           "aws:iam::cfn:group/stack-Analysts –read→ aws:s3:::customer-orders"
    assert (f"{tmp_path}/stack.yaml:24:3: CRITICAL PL101 access_key aws:iam::cfn:user/kim.jh#KimKey is active but "
            f"held by kim.jh (departed 2025-06-14)\n    path: {path}") in run.out
    assert "CRITICAL PL101 password aws:iam::cfn:user/kim.jh#password" in run.out


def reached(folder: Path) -> dict[str, dict[str, str]]:
    """`reach` on a folder: identity -> each customer-data resource it reaches -> the path, `a → b → c`."""
    run = run_cli("reach", str(folder), "--format", "json", "--as-of", "2026-01-01")
    assert run.code == 0, run.out + run.err
    identities = json.loads(run.out)["identities"]
    return {i["id"]: {r["id"]: " → ".join(r["path"]) for r in i["resources"]} for i in identities}


def test_role_user_and_group_policy_resources_reach_customer_data_end_to_end(tmp_path: Path) -> None:
    write(tmp_path, "stack.yaml", """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          Orders:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: customer-orders
              Tags: [{Key: data-classification, Value: customer_pii}]
          App:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
          AppPolicy:
            Type: AWS::IAM::RolePolicy
            Properties:
              RoleName: !Ref App
              PolicyName: read
              PolicyDocument:
                Statement: [{Effect: Allow, Action: s3:GetObject, Resource: 'arn:aws:s3:::customer-orders/*'}]
          Other:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]
          OtherPolicy:
            Type: AWS::IAM::RolePolicy
            Properties:
              RoleName: !Ref Other
              PolicyName: read
              PolicyDocument:
                Statement: [{Effect: Allow, Action: s3:GetObject, Resource: 'arn:aws:s3:::supplier-orders/*'}]
          Fenced:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
              Policies:
                - PolicyName: all
                  PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}
          FencedDeny:
            Type: AWS::IAM::RolePolicy
            Properties:
              RoleName: !Ref Fenced
              PolicyName: fence
              PolicyDocument:
                Statement:
                  - Effect: Deny
                    Action: 's3:*'
                    Resource: ['arn:aws:s3:::customer-orders', 'arn:aws:s3:::customer-orders/*']
          Dev: {Type: AWS::IAM::User, Properties: {UserName: dev}}
          DevPolicy:
            Type: AWS::IAM::UserPolicy
            Properties:
              UserName: !Ref Dev
              PolicyName: everything
              PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}
          Ops: {Type: AWS::IAM::Group, Properties: {GroupName: ops}}
          OpsPolicy:
            Type: AWS::IAM::GroupPolicy
            Properties:
              GroupName: !Ref Ops
              PolicyName: read
              PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]}
          Kim: {Type: AWS::IAM::User, Properties: {UserName: kim, Groups: [!Ref Ops]}}
        """)
    orders = "aws:s3:::customer-orders"
    # not the ECS tasks (their policy names another bucket), nor EC2 (a RolePolicy denies what the inline allows)
    assert reached(tmp_path) == {
        "aws:iam::cfn:user/dev": {orders: f"aws:iam::cfn:user/dev → {orders}"},
        "aws:iam::cfn:user/kim": {orders: f"aws:iam::cfn:user/kim → aws:iam::cfn:group/ops → {orders}"},
        "aws:service:lambda.amazonaws.com": {
            orders: f"aws:service:lambda.amazonaws.com → aws:iam::cfn:role/stack-App → {orders}"},
    }


def test_a_literal_account_in_a_policy_names_the_templates_own_stores_end_to_end(tmp_path: Path) -> None:
    write(tmp_path, "stack.yaml", """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          Customers:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: Customers
              Tags: [{Key: data-classification, Value: customer_pii}]
          Db:
            Type: AWS::RDS::DBCluster
            Properties:
              DBClusterIdentifier: orders
              Tags: [{Key: data-classification, Value: customer_orders}]
          Tables:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
              Policies:
                - PolicyName: db
                  PolicyDocument:
                    Statement:
                      - Effect: Allow
                        Action: dynamodb:GetItem
                        Resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Customers'
          Sql:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]
              Policies:
                - PolicyName: db
                  PolicyDocument:
                    Statement:
                      - Effect: Allow
                        Action: rds-data:ExecuteStatement
                        Resource: 'arn:aws:rds:eu-west-1:111122223333:cluster:orders'
          Suppliers:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
              Policies:
                - PolicyName: db
                  PolicyDocument:
                    Statement:
                      - Effect: Allow
                        Action: dynamodb:GetItem
                        Resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Suppliers'
        """)
    # the account's own table, defined by another file, is still reached by the literal grant; another account's
    # table of the same name is not: only the template's own stores are taken to be in any account
    write(tmp_path, "accounts.yaml", """
        policylint: 1
        resources:
          - {id: "aws:dynamodb:eu-west-1:111122223333:table/Customers", type: table, data: [customer_pii]}
          - {id: "aws:dynamodb:eu-west-1:444455556666:table/Customers", type: table, data: [customer_pii]}
        """)
    table, cluster = "aws:dynamodb:cfn:cfn:table/Customers", "aws:rds:cfn:cfn:cluster:orders"
    theirs = "aws:dynamodb:eu-west-1:111122223333:table/Customers"
    lam, ecs = "aws:service:lambda.amazonaws.com", "aws:service:ecs-tasks.amazonaws.com"
    # not EC2: its policy names another table
    assert reached(tmp_path) == {
        lam: {table: f"{lam} → aws:iam::cfn:role/stack-Tables → {table}",
              theirs: f"{lam} → aws:iam::cfn:role/stack-Tables → {theirs}"},
        ecs: {cluster: f"{ecs} → aws:iam::cfn:role/stack-Sql → {cluster}"},
    }


def test_duplicate_keys_count_where_they_change_what_is_read(tmp_path: Path) -> None:
    fragment = load(tmp_path, """
        Resources:
          Fn: {Type: 'AWS::Lambda::Function', Properties: {Handler: a, Handler: b}}
          B: {Type: AWS::S3::Bucket, Properties: {BucketName: first}}
          B: {Type: AWS::S3::Bucket, Properties: {BucketName: second}}
        Outputs:
          A: {Value: 1}
          A: {Value: 2}
        """)
    assert [(e.location.line, e.location.column) for e in fragment.errors] == [(4, 3)]
    assert [r.id for r in fragment.inventory.resources] == ["aws:s3:::second"]


# Values of the wrong type that crashed the reader (exit 3), found by the fuzz test (tests/fuzz) or by looking for
# the same mistake beside what it found; each is now a located error.
FUZZ_CASES = [
    ("Select index infinite", "B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Select [.inf, [a, b]]}}",
     ["3:55: expected Fn::Select index to be a whole number, found the number inf"]),
    ("access key Status a list", "K: {Type: AWS::IAM::AccessKey, Properties: {UserName: u, Status: [Active]}}",
     ["3:68: expected 'Status' to be Active or Inactive, found a list of 1"]),
    ("BucketEncryption a boolean", "B: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: true}}",
     ["3:61: expected 'BucketEncryption' to be an encryption setting (a mapping), found the boolean true"]),
    ("SSESpecification a list", "T: {Type: AWS::DynamoDB::Table, Properties: {SSESpecification: [a]}}",
     ["3:66: expected 'SSESpecification' to be an encryption setting (a mapping), found a list of 1"]),
    ("encryption default a list", "B: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: "
     "{ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: [a]}]}}}",
     ["3:130: expected 'ServerSideEncryptionByDefault' to be an encryption default (a mapping), found a list of 1"]),
    ("encryption rule a string", "B: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: "
     "{ServerSideEncryptionConfiguration: [aws:kms]}}}",
     ["3:98: expected an encryption rule (a mapping), found 'aws:kms'"]),
    ("KeyUsage a list", "K: {Type: AWS::KMS::Key, Properties: {KeyUsage: [ENCRYPT_DECRYPT, SIGN_VERIFY]}}",
     ["3:51: expected 'KeyUsage' to be one of ENCRYPT_DECRYPT, KEY_AGREEMENT, SIGN_VERIFY, GENERATE_VERIFY_MAC, "
      "found a list of 2"]),
    ("records tag after a bad tag",
     "B: {Type: AWS::S3::Bucket, Properties: {Tags: [x, {Key: records, Value: many}]}}",
     ["3:50: expected a tag {Key, Value}, found 'x'",
      "3:53: expected the 'records' tag to be a whole number, found 'many'"]),
]


@pytest.mark.parametrize(("case", "resources", "expected"), FUZZ_CASES, ids=[c[0] for c in FUZZ_CASES])
def test_values_of_the_wrong_type_found_by_fuzzing_are_located_errors(tmp_path: Path, case: str, resources: str,
                                                                       expected: list[str]) -> None:
    fragment = load(tmp_path, f"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  {resources}\n  "
                              f"Other: {{Type: AWS::S3::Bucket, Properties: {{BucketName: other}}}}\n")
    assert [f"{e.location.line}:{e.location.column}: {e.message}" for e in fragment.errors] == expected
    assert "aws:s3:::other" in nodes(fragment)


# -- resource policies open to anyone, conditions on who, what a template leaves open (review round of issue 10) ---

PUBLIC_SITE = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      SiteBucket:
        Type: AWS::S3::Bucket
      SiteBucketPolicy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Ref SiteBucket
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: "*"
                Action: s3:GetObject
                Resource: !Sub "arn:aws:s3:::${SiteBucket}/*"
    """
SITE_DATA = """
    policylint: 1
    annotate:
      - {match: "aws:s3:::stack-SiteBucket", data: [customer_pii], records: 5000}
    people:
      - {id: kim.jh, status: active}
    principals:
      - {id: kim-console, type: user, person: kim.jh}
    """


def findings(folder: Path, *rules: str) -> list[str]:
    run = run_cli("check", str(folder), *(a for r in rules for a in ("--select", r)), "--as-of", "2026-01-01")
    assert ": error: " not in run.out, run.out
    return [line.split(": ", 1)[1] for line in run.out.splitlines() if re.search(r" PL\d+ ", line)]


def test_a_public_bucket_policy_on_customer_data_is_pl216_and_everyone_reaches_it(tmp_path: Path) -> None:
    """R2 #1 (`/tmp/newcomer/cfn2`): only PL401/PL402 and "0 identities can reach customer data"."""
    write(tmp_path, "stack.yaml", PUBLIC_SITE)
    write(tmp_path, "data.yaml", SITE_DATA)
    assert findings(tmp_path, "PL216") == [
        'CRITICAL PL216 resource aws:s3:::stack-SiteBucket is open to anyone ("*") with no condition on who '
        "(customer data it reaches: customer_pii; records counted: 5,000)"]
    assert reached(tmp_path) == {
        "kim.jh": {"aws:s3:::stack-SiteBucket": "kim.jh → aws:s3:::stack-SiteBucket"},
        "kim-console": {"aws:s3:::stack-SiteBucket": "kim-console → aws:s3:::stack-SiteBucket"}}


def test_key_queue_and_topic_policies_open_to_anyone_are_grants_to_anyone_on_them(tmp_path: Path) -> None:
    """R2 #1 (`/tmp/newcomer/cfn3`): a key policy and a queue policy open to `*` gave nothing at all."""
    write(tmp_path, "kms.yaml", """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          DataKey:
            Type: AWS::KMS::Key
            Properties:
              EnableKeyRotation: true
              KeyPolicy:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: "*"
                    Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]
                    Resource: "*"
          Queue:
            Type: AWS::SQS::Queue
          QueuePolicy:
            Type: AWS::SQS::QueuePolicy
            Properties:
              Queues: [!Ref Queue, "https://sqs.eu-west-1.amazonaws.com/111122223333/partner-orders"]
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {AWS: "*"}
                    Action: sqs:*
                    Resource: "*"
          Alerts:
            Type: AWS::SNS::Topic
            Properties: {TopicName: alerts}
          AlertsPolicy:
            Type: AWS::SNS::TopicPolicy
            Properties:
              Topics: [!Ref Alerts]
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {AWS: "*"}
                    Action: sns:Subscribe
                    Resource: !Ref Alerts
                    Condition: {StringEquals: {"aws:PrincipalOrgID": o-a1b2c3d4e5}}
        """)
    fragment = cloudformation.load(str(tmp_path / "kms.yaml"), (tmp_path / "kms.yaml").read_text(), Options())
    assert fragment.errors == []
    assert nodes(fragment)["aws:kms:cfn:cfn:key/kms-DataKey"].readable_by == ("*",)
    org = "*anyone-if:aws:PrincipalOrgID=o-a1b2c3d4e5"
    assert sorted((g.to, g.resource, g.actions) for g in fragment.inventory.grants) == [
        ("*", "aws:sqs:cfn:cfn:kms-Queue", ("read", "write", "delete", "admin")),
        ("*", "aws:sqs:eu-west-1:111122223333:partner-orders", ("read", "write", "delete", "admin")),
        (org, "aws:sns:cfn:cfn:alerts", ("write",))]
    assert implied(fragment)[org] == Group(org, Location(str(tmp_path / "kms.yaml"), 34, 9), ("*",))
    # the template's own queue is implied where it is defined (a queue holds data the way a store does)
    queue = "aws:sqs:cfn:cfn:kms-Queue"
    assert implied(fragment)[queue] == Resource(queue, Location(str(tmp_path / "kms.yaml"), 14, 3), "sqs", scope="aws",
                                                flags=("implied",))
    assert findings(tmp_path, "PL216") == [
        f'CRITICAL PL216 {kind} {node} is open to anyone ("*") with no condition on who (customer data it '
        "reaches: none; records counted: 0)" for kind, node in (("key", "aws:kms:cfn:cfn:key/kms-DataKey"),
                                         ("resource", "aws:sqs:cfn:cfn:kms-Queue"),
                                         ("resource", "aws:sqs:eu-west-1:111122223333:partner-orders"))]


def test_a_condition_on_who_narrows_anyone_and_others_do_not(tmp_path: Path) -> None:
    """R1 #7: any Condition used to defeat "open". Only one on who the caller is does: `*` then becomes everyone
    that condition admits (reached all the same, the condition on the path), and PL216, PL210, PL202 keep quiet."""
    write(tmp_path, "stack.yaml", """
        Resources:
          Exports:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: acme-customer-exports
              Tags: [{Key: data-classification, Value: customer_pii}, {Key: records, Value: '48000'}]
          ExportsPolicy:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref Exports
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: !Sub '${Exports.Arn}/*',
                     Condition: {StringEquals: {'aws:PrincipalOrgID': o-a1b2c3d4e5}}}
          OrgReader:
            Type: AWS::IAM::Role
            Properties:
              RoleName: org-reader
              AssumeRolePolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: {AWS: '*'}, Action: 'sts:AssumeRole',
                     Condition: {StringEquals: {'aws:PrincipalOrgID': o-a1b2c3d4e5}}}
              Policies:
                - PolicyName: read
                  PolicyDocument:
                    Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: !Sub '${Exports.Arn}/*'}]
          TlsReader:
            Type: AWS::IAM::Role
            Properties:
              RoleName: tls-reader
              AssumeRolePolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: {AWS: '*'}, Action: 'sts:AssumeRole',
                     Condition: {Bool: {'aws:SecureTransport': 'true'}}}
              Policies:
                - PolicyName: deploy
                  PolicyDocument:
                    Statement: [{Effect: Allow, Action: 'cloudformation:DescribeStacks', Resource: '*'}]
          TlsExports:
            Type: AWS::IAM::Role
            Properties:
              RoleName: tls-exports
              AssumeRolePolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: '*', Action: 'sts:AssumeRole',
                     Condition: {DateLessThan: {'aws:CurrentTime': '2027-01-01T00:00:00Z'}}}
              Policies:
                - PolicyName: read
                  PolicyDocument:
                    Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: !Sub '${Exports.Arn}/*'}]
        """)
    write(tmp_path, "people.yaml", """
        policylint: 1
        people: [{id: kim.jh, status: active}]
        principals: [{id: kim-console, type: user, person: kim.jh}]
        """)
    fragment = cloudformation.load(str(tmp_path / "stack.yaml"), (tmp_path / "stack.yaml").read_text(), Options())
    org = "*anyone-if:aws:PrincipalOrgID=o-a1b2c3d4e5"
    assert [(g.to, g.resource, g.condition) for g in fragment.inventory.grants] == [
        (org, "aws:s3:::acme-customer-exports", "aws:PrincipalOrgID=o-a1b2c3d4e5")]
    roles = nodes(fragment)
    assert (roles["aws:iam::cfn:role/org-reader"].assumable_by, roles["aws:iam::cfn:role/org-reader"].condition) == (
        (org,), "aws:PrincipalOrgID=o-a1b2c3d4e5")
    assert (roles["aws:iam::cfn:role/tls-reader"].assumable_by, roles["aws:iam::cfn:role/tls-reader"].condition) == (
        ("*",), "aws:SecureTransport=true")
    assert findings(tmp_path, "PL202", "PL210", "PL216") == [
        'HIGH PL210 role aws:iam::cfn:role/tls-reader can be assumed by anyone ("*") without a condition on who; it '
        "grants: aws:cloudformation:*",
        'CRITICAL PL202 role aws:iam::cfn:role/tls-exports is assumable by "*" and reaches 48,000 customer records '
        "(customer_pii); it grants: aws:s3:::acme-customer-exports"]
    stack = (tmp_path / "stack.yaml").read_text()
    write(tmp_path, "bucket/stack.yaml", stack[:stack.index("  OrgReader:")])  # the bucket and its policy alone
    write(tmp_path, "bucket/people.yaml", (tmp_path / "people.yaml").read_text())
    assert reached(tmp_path / "bucket")["kim.jh"] == {"aws:s3:::acme-customer-exports": (
        "kim.jh → aws:s3:::acme-customer-exports [if aws:PrincipalOrgID=o-a1b2c3d4e5]")}


def test_a_resource_an_undetermined_value_widens_says_so_in_its_grants_condition(tmp_path: Path) -> None:
    """R3 #4 (`/tmp/r3/cf2`): `!Sub "arn:aws:s3:::${OrdersBucketName}/*"` with a parameter gave `aws:s3:::*` with no
    condition, though the README says the condition says so. The stack's region widens nothing."""
    fragment = load(tmp_path, """
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          OrdersBucketName:
            Type: String
        Resources:
          Reader:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {Service: lambda.amazonaws.com}
                    Action: sts:AssumeRole
              Policies:
                - PolicyName: read
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: s3:GetObject
                        Resource: !Sub "arn:aws:s3:::${OrdersBucketName}/*"
                      - Effect: Allow
                        Action: dynamodb:Query
                        Resource: !Sub "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders"
                      - Effect: Deny
                        Action: s3:GetObject
                        Resource: !Join ["", ["arn:aws:s3:::", !ImportValue audit-bucket, "/*"]]
        """)
    assert fragment.errors == []
    assert role_grants(nodes(fragment)["aws:iam::cfn:role/t-Reader"]) == [
        ("aws:s3:::*", ("read",), "read", "template leaves open: parameter OrdersBucketName has no Default"),
        ("aws:dynamodb:*:cfn:table/orders", ("read",), "read", None)]  # the Deny of an import denies nothing
