"""Deterministic synthetic AWS accounts, as `aws iam get-account-authorization-details` prints them, for benchmarks.

    python benchmarks/generate_aws.py SIZE OUTDIR [--check-determinism]   # SIZE: aws-1000 | aws-5000 | aws-20000
                                                                           #   (or aws-N for any N >= 20)

One folder per size, three files, as a team running policylint on its AWS account would have them:

- `aws/authorization-details.json`: the account's users, groups, roles and managed policies, in exactly the shape of
  the real exports in the corpus (`cloudsplaining__example.json`): 4-space indented JSON; `UserDetailList`
  (Path, UserName, UserId, Arn, CreateDate, GroupList, AttachedManagedPolicies, UserPolicyList only when the user
  has one, Tags), `GroupDetailList`, `RoleDetailList` (AssumeRolePolicyDocument, InstanceProfileList,
  RolePolicyList, AttachedManagedPolicies, Tags, RoleLastUsed), `Policies` (AWS-managed ones only when attached,
  every customer-managed one, with its PolicyVersionList);
- `hr/people.json`: the HR roster as a SCIM 2.0 ListResponse (the people behind the users, some departed);
- `data-stores.yaml`: native policylint file naming the account's buckets, tables, databases, queues, topics and
  KMS keys (the authorization details only name them inside policies), with an `annotate:` section declaring
  `aws:s3:::customer-*` and the other customer stores as customer data.

The same SIZE always gives byte-identical files: one seeded `random.Random`, only lists and insertion-ordered dicts
(never iteration over sets), timestamps relative to a fixed reference day. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 2
REFERENCE_DAY = date(2026, 11, 27)  # the benchmark's --as-of; every timestamp is relative to it
MARKER = ".policylint-bench"  # as generate.py: only a folder holding it (or an empty one) is ever replaced
ACCOUNT = "210987654321"
PARTNER_ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
REGION = "us-east-1"
AUTHZ_FILE = "aws/authorization-details.json"
ROSTER_FILE = "hr/people.json"
STORES_FILE = "data-stores.yaml"
USERS = re.compile(r"aws-(\d+)\Z")

SIZES: dict[str, int] = {"aws-1000": 1_000, "aws-5000": 5_000, "aws-20000": 20_000}

DOMAINS = [
    "payments", "orders", "identity", "search", "catalog", "logistics", "billing", "checkout", "fraud", "support",
    "marketing", "analytics", "messaging", "notifications", "inventory", "pricing", "recommendations", "reviews",
    "shipping", "returns", "loyalty", "ads", "media", "mobile", "web", "platform", "security", "data", "ml",
    "finance", "legal", "growth", "partners", "warehouse", "fulfillment", "accounts", "storage", "network",
    "observability", "compliance",
]
TEAM_WORDS = ["core", "api", "platform", "data", "infra", "web", "mobile", "ops", "sre", "ml", "backend",
              "integrations", "tooling", "ledger", "sync", "edge", "insights", "pipeline", "gateway"]
GIVEN = [
    "kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim", "han", "seo", "shin", "kwon",
    "anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo", "ines", "jonas", "kira", "liam", "maya",
    "noah", "olga", "paul", "quinn", "rosa", "sam", "tara", "umar", "vera", "will", "yusuf", "zoe", "amir", "bea",
    "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jade", "kai", "lena", "marco", "nina", "omar",
    "priya", "rafael", "sofia", "tom", "uma", "victor", "wen", "yara",
]
FAMILY = [
    "smith", "garcia", "muller", "rossi", "dubois", "novak", "silva", "kowalski", "nielsen", "tanaka", "sato",
    "wang", "li", "zhang", "nguyen", "tran", "kumar", "singh", "patel", "ivanova", "petrov", "haddad", "mensah",
    "okafor", "adeyemi", "costa", "lopez", "martin", "bernard", "fischer", "weber", "meyer", "wagner", "becker",
    "schulz", "hoffmann", "jansen", "devries", "bakker", "visser", "lindqvist", "berg", "hansen", "johansson",
    "larsen", "virtanen", "korhonen", "murphy", "kelly", "byrne", "walsh", "obrien", "santos", "pereira",
    "ferreira", "almeida", "yilmaz", "kaya", "demir", "sahin", "cohen", "levi", "friedman", "kaplan", "moreau",
]
NOUNS = ["orders", "profiles", "events", "sessions", "invoices", "addresses", "carts", "tickets", "audit", "ledger",
         "reports", "exports", "features", "metrics", "media", "documents", "messages", "accounts", "contacts",
         "history", "snapshots", "archive", "payouts", "refunds", "shipments"]
SERVICE_WORDS = ["deploy", "ci", "etl", "backup", "exporter", "sync", "monitor", "ingest", "reporter", "migrator"]
TAG_KEYS = ["email", "email", "email", "Email", "mail"]
REGION_LOCK = ["us-east-1", "us-west-2", "eu-west-1"]
PURPOSES = ["s3-read", "s3-readwrite", "dynamodb-read", "dynamodb-readwrite", "app-runtime", "ci-deploy",
            "operator", "analytics", "messaging", "kms-use", "logs", "lambda-invoke", "rds-ops", "assume-roles",
            "developer"]
OVER_PRIVILEGED = ["admin-everything", "iam-full", "lambda-deployer", "policy-editor", "key-minter"]
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

# --------------------------------------------------------------------------------------------------- AWS managed
# Documents as AWS publishes them, the large read-only ones cut to a representative part of their action lists.

_RO_SERVICES = ["acm", "apigateway", "athena", "autoscaling", "cloudformation", "cloudfront", "cloudtrail",
                "cloudwatch", "codebuild", "codecommit", "codedeploy", "codepipeline", "config", "dynamodb", "ec2",
                "ecr", "ecs", "eks", "elasticache", "elasticloadbalancing", "es", "events", "firehose", "glue",
                "iam", "kinesis", "kms", "lambda", "logs", "organizations", "rds", "redshift", "route53", "s3",
                "secretsmanager", "sns", "sqs", "ssm", "states", "sts", "tag", "waf"]
AWS_MANAGED: dict[str, tuple[str, int, list[dict[str, Any]]]] = {  # name -> (path, default version, statements)
    "AdministratorAccess": ("/", 1, [{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    "PowerUserAccess": ("/", 5, [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                                       "organizations:DescribeOrganization", "account:ListRegions",
                                       "account:GetAccountInformation"], "Resource": "*"}]),
    "ReadOnlyAccess": ("/", 118, [{"Sid": "ReadOnlyActions", "Effect": "Allow", "Resource": "*", "Action": [
        f"{service}:{verb}*" for service in _RO_SERVICES for verb in ("Describe", "Get", "List")]}]),
    "job-function/ViewOnlyAccess": ("/job-function/", 17, [{"Effect": "Allow", "Resource": "*", "Action": [
        f"{service}:{verb}*" for service in _RO_SERVICES for verb in ("Describe", "List")]}]),
    "SecurityAudit": ("/", 38, [{"Effect": "Allow", "Resource": "*", "Action": [
        "acm:Describe*", "cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors", "config:Describe*",
        "ec2:Describe*", "iam:GenerateCredentialReport", "iam:Get*", "iam:List*", "kms:Describe*", "kms:Get*",
        "kms:List*", "lambda:GetPolicy", "lambda:ListFunctions", "rds:Describe*", "s3:GetBucket*",
        "s3:GetAccountPublicAccessBlock", "s3:ListAllMyBuckets", "sns:GetTopicAttributes", "sns:ListTopics",
        "sqs:GetQueueAttributes", "sqs:ListQueues"]}]),
    "job-function/Billing": ("/job-function/", 9, [{"Effect": "Allow", "Resource": "*", "Action": [
        "aws-portal:*Billing", "aws-portal:*PaymentMethods", "aws-portal:*Usage", "budgets:ModifyBudget",
        "budgets:ViewBudget", "ce:*", "cur:*", "pricing:DescribeServices"]}]),
    "IAMFullAccess": ("/", 2, [{"Effect": "Allow", "Resource": "*", "Action": [
        "iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:ListRoots"]}]),
    "IAMUserChangePassword": ("/", 2, [
        {"Effect": "Allow", "Action": ["iam:ChangePassword"], "Resource": ["arn:aws:iam::*:user/${aws:username}"]},
        {"Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy"], "Resource": "*"}]),
    "AmazonS3FullAccess": ("/", 2, [{"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}]),
    "AmazonS3ReadOnlyAccess": ("/", 3, [{"Effect": "Allow", "Resource": "*", "Action": [
        "s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"]}]),
    "AmazonDynamoDBFullAccess": ("/", 17, [{"Effect": "Allow", "Resource": "*", "Action": [
        "dynamodb:*", "dax:*", "application-autoscaling:DescribeScalingPolicies", "cloudwatch:GetMetricStatistics",
        "kms:DescribeKey", "kms:ListAliases", "sns:ListTopics", "lambda:ListFunctions"]}]),
    "AmazonDynamoDBReadOnlyAccess": ("/", 12, [{"Effect": "Allow", "Resource": "*", "Action": [
        "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetItem", "dynamodb:Query",
        "dynamodb:Scan", "dynamodb:PartiQLSelect", "dax:Describe*", "dax:List*", "dax:GetItem",
        "cloudwatch:GetMetricStatistics"]}]),
    "AmazonEC2ReadOnlyAccess": ("/", 4, [{"Effect": "Allow", "Resource": "*", "Action": [
        "ec2:Describe*", "elasticloadbalancing:Describe*", "autoscaling:Describe*"]}]),
    "AmazonRDSReadOnlyAccess": ("/", 6, [{"Effect": "Allow", "Resource": "*", "Action": [
        "rds:Describe*", "rds:ListTagsForResource", "ec2:DescribeAccountAttributes", "ec2:DescribeVpcs"]}]),
    "AmazonSQSFullAccess": ("/", 2, [{"Effect": "Allow", "Action": ["sqs:*"], "Resource": "*"}]),
    "AmazonSNSReadOnlyAccess": ("/", 2, [{"Effect": "Allow", "Action": ["sns:GetTopicAttributes", "sns:List*",
                                                                         "sns:CheckIfPhoneNumberIsOptedOut"],
                                          "Resource": "*"}]),
    "CloudWatchLogsReadOnlyAccess": ("/", 8, [{"Effect": "Allow", "Resource": "*", "Action": [
        "logs:Describe*", "logs:Get*", "logs:List*", "logs:StartQuery", "logs:StopQuery", "logs:TestMetricFilter",
        "logs:FilterLogEvents", "logs:StartLiveTail", "logs:StopLiveTail"]}]),
    "AWSKeyManagementServicePowerUser": ("/", 2, [{"Effect": "Allow", "Resource": "*", "Action": [
        "kms:CreateAlias", "kms:CreateKey", "kms:DeleteAlias", "kms:Describe*", "kms:GenerateRandom", "kms:Get*",
        "kms:List*", "kms:TagResource", "kms:UntagResource", "iam:ListGroups", "iam:ListRoles", "iam:ListUsers"]}]),
    "service-role/AWSLambdaBasicExecutionRole": ("/service-role/", 1, [{"Effect": "Allow", "Resource": "*", "Action": [
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]}]),
    "service-role/AWSLambdaDynamoDBExecutionRole": ("/service-role/", 1, [{"Effect": "Allow", "Resource": "*",
                                                                             "Action": [
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]}]),
    "AmazonSSMManagedInstanceCore": ("/", 3, [{"Effect": "Allow", "Resource": "*", "Action": [
        "ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument",
        "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations",
        "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems", "ssm:UpdateAssociationStatus",
        "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
        "ec2messages:*"]}]),
    "service-role/AmazonECSTaskExecutionRolePolicy": ("/service-role/", 1, [{"Effect": "Allow", "Resource": "*",
                                                                              "Action": [
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"]}]),
}
TEAM_GROUP_MANAGED = [("job-function/ViewOnlyAccess", 0.25), ("CloudWatchLogsReadOnlyAccess", 0.10),
                      ("AmazonS3ReadOnlyAccess", 0.06), ("ReadOnlyAccess", 0.05), ("AmazonEC2ReadOnlyAccess", 0.05)]
COMPANY_GROUPS = [  # name, share of the people, minimum, managed policies
    ("Administrators", 0.003, 2, ["AdministratorAccess"]),
    ("SecurityAuditors", 0.005, 2, ["SecurityAudit", "ReadOnlyAccess"]),
    ("Billing", 0.003, 1, ["job-function/Billing"]),
    ("IAMAdmins", 0.002, 1, ["IAMFullAccess"]),
    ("DataScience", 0.02, 2, ["AmazonS3ReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess"]),
]
ROLE_KINDS = [  # kind, weight, trusted service, AWS-managed policies it may attach
    ("lambda", 30, "lambda.amazonaws.com", ["service-role/AWSLambdaBasicExecutionRole",
                                            "service-role/AWSLambdaDynamoDBExecutionRole"]),
    ("ec2", 12, "ec2.amazonaws.com", ["AmazonSSMManagedInstanceCore"]),
    ("ecs", 12, "ecs-tasks.amazonaws.com", ["service-role/AmazonECSTaskExecutionRolePolicy"]),
    ("glue", 4, "glue.amazonaws.com", []),
    ("states", 3, "states.amazonaws.com", []),
    ("account", 20, None, ["ReadOnlyAccess", "PowerUserAccess", "AmazonS3ReadOnlyAccess"]),
    ("sso", 9, None, ["job-function/ViewOnlyAccess", "PowerUserAccess", "ReadOnlyAccess"]),
    ("partner", 8, None, ["SecurityAudit", "AmazonS3ReadOnlyAccess"]),
    ("ci", 2, None, ["AmazonS3FullAccess"]),
]


@dataclass(frozen=True)
class Size:
    users: int
    seed: int
    domains: int


def size_of(name: str) -> Size:
    """`aws-N`: N users, a seed of its own, and a number of domains that grows with the account."""
    matched = USERS.match(name)
    if matched is None or int(matched.group(1)) < 20:
        raise ValueError(f"expected a size aws-N with N >= 20 (benchmarked: {', '.join(SIZES)}), found {name!r}")
    users = int(matched.group(1))
    return Size(users, 20261127 + users, max(4, min(len(DOMAINS), users // 500)))


# --------------------------------------------------------------------------------------------------- the account


class Account:
    def __init__(self, size: Size) -> None:
        self.size = size
        self.rng = random.Random(size.seed)
        self.names: dict[str, int] = {}
        self.stats: dict[str, int] = {}
        self.attached: dict[str, int] = {}  # policy ARN -> attachments, in first-attached order
        self.versions: dict[str, list[dict[str, Any]]] = {}  # customer-managed ARN -> its versions, default last
        self.policy_meta: dict[str, dict[str, Any]] = {}  # customer-managed ARN -> the entry without versions
        self.domains = DOMAINS[: size.domains]

    # ---- helpers

    def add(self, stat: str, n: int = 1) -> None:
        self.stats[stat] = self.stats.get(stat, 0) + n

    def unique(self, base: str, sep: str = "-") -> str:
        n = self.names.get(base, 0) + 1
        self.names[base] = n
        name = base if n == 1 else f"{base}{sep}{n}"
        if name != base and name in self.names:
            return self.unique(base, sep)
        self.names.setdefault(name, 1)
        return name

    def aws_id(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choice(ALPHABET) for _ in range(17))

    def stamp(self, days_back_min: int, days_back_max: int) -> str:
        day = REFERENCE_DAY - timedelta(days=self.rng.randint(days_back_min, days_back_max))
        moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(
            seconds=self.rng.randrange(86_400))
        return moment.strftime("%Y-%m-%d %H:%M:%S+00:00")

    def attach(self, arn: str) -> dict[str, str]:
        self.attached[arn] = self.attached.get(arn, 0) + 1
        return {"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn}

    def build(self) -> None:
        self.make_stores()
        self.make_people()
        self.make_policies()
        self.make_groups()
        self.make_users()
        self.make_roles()

    # ---- data stores (named in policies, declared in the native file)

    def make_stores(self) -> None:
        n = self.size.users
        counts = {"bucket": max(8, n // 10), "table": max(4, n // 20), "database": max(2, n // 100),
                  "queue": max(2, n // 50), "topic": max(2, n // 100), "key": max(2, n // 100)}
        self.stores: dict[str, dict[str, list[dict[str, Any]]]] = {d: {k: [] for k in counts} for d in self.domains}
        self.resources: list[dict[str, Any]] = []
        for kind, count in counts.items():
            for i in range(count):
                domain = self.domains[i % len(self.domains)]
                customer = kind in ("bucket", "table", "database") and (i < len(self.domains) // 2 + 1
                                                                        or self.rng.random() < 0.3)
                store = self.store(kind, domain, customer)
                self.stores[domain][kind].append(store)
                if kind != "key":
                    self.resources.append(store)
                self.add(f"stores_{kind}")
                self.add(f"stores_{kind}_customer", int(customer))

    def store(self, kind: str, domain: str, customer: bool) -> dict[str, Any]:
        noun = self.rng.choice(NOUNS)
        name = self.unique(f"customer-{noun}-{domain}" if customer else
                           f"{domain}-{noun}-{self.rng.choice(['prod', 'prod', 'staging', 'dev', 'logs'])}")
        arn = {
            "bucket": f"arn:aws:s3:::{name}",
            "table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}",
            "database": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}",
            "queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}",
            "topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}",
            "key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{self.uuid()}",
        }[kind]
        return {"kind": kind, "name": name, "arn": arn, "customer": customer}

    def uuid(self) -> str:
        digits = f"{self.rng.getrandbits(128):032x}"
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"

    # ---- people (the HR roster) and who has an AWS user

    def make_people(self) -> None:
        rng, n = self.rng, self.size.users
        self.humans = round(n * 0.9)
        self.people: list[dict[str, Any]] = []
        for i in range(round(self.humans * 1.1)):  # some people have no AWS user
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            local = self.unique(f"{given}.{family}", sep="")
            roll = rng.random()
            person = {"local": local, "given": given, "family": family, "email": f"{local}@example.com",
                      "active": roll >= 0.08, "employee": f"{100000 + i}", "scim_id": self.uuid(),
                      "created": self.stamp(400, 3000), "modified": self.stamp(1, 399)}
            self.people.append(person)
        self.add("people", len(self.people))
        self.add("people_departed", sum(1 for p in self.people if not p["active"]))

    # ---- policy documents

    def store_arns(self, domain: str, kind: str, customer_glob: float = 0.04) -> list[str]:
        """The ARNs one statement names for a kind of store: one or two stores, sometimes a glob."""
        rng = self.rng
        roll = rng.random()
        if kind == "bucket":
            if roll < customer_glob:
                return ["arn:aws:s3:::customer-*", "arn:aws:s3:::customer-*/*"]
            if roll < 0.15:
                return [f"arn:aws:s3:::{domain}-*", f"arn:aws:s3:::{domain}-*/*"]
        if kind == "table" and roll < 0.12:
            return [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{domain}-*"]
        pool = self.stores[domain][kind] or self.stores[self.domains[0]][kind]
        picked = rng.sample(pool, min(len(pool), rng.choice([1, 1, 1, 2])))
        if kind == "bucket":
            return [arn for s in picked for arn in (s["arn"], s["arn"] + "/*")]
        if kind == "table":
            return [arn for s in picked for arn in (s["arn"], s["arn"] + "/index/*")]
        return [s["arn"] for s in picked]

    def condition(self) -> dict[str, Any]:
        return self.rng.choice([
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            {"StringEquals": {"aws:RequestedRegion": self.rng.sample(REGION_LOCK, 2)}},
            {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
            {"StringEquals": {"aws:ResourceTag/team": self.rng.choice(TEAM_WORDS)}},
            {"DateLessThan": {"aws:CurrentTime": f"{REFERENCE_DAY.year + 1}-01-01T00:00:00Z"}},
        ])

    def service_statement(self, domain: str, service: str) -> dict[str, Any]:
        """One Allow statement on a service, with the action sets people write (wildcards included)."""
        rng = self.rng
        write = rng.random() < 0.4
        if service == "s3":
            actions = rng.choice([["s3:PutObject", "s3:PutObjectAcl", "s3:DeleteObject", "s3:GetObject"],
                                  ["s3:*"], ["s3:Put*", "s3:Get*", "s3:List*"]]) if write else \
                rng.choice([["s3:GetObject", "s3:ListBucket", "s3:GetObjectVersion", "s3:GetBucketLocation"],
                            ["s3:Get*", "s3:List*"], ["s3:GetObject"]])
            resource: Any = self.store_arns(domain, "bucket")
        elif service == "dynamodb":
            actions = rng.choice([["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                                   "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:Query"],
                                  ["dynamodb:*"]]) if write else \
                rng.choice([["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem",
                             "dynamodb:DescribeTable"], ["dynamodb:Get*", "dynamodb:Query", "dynamodb:Scan"]])
            resource = self.store_arns(domain, "table")
        elif service == "kms":
            actions = ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"] + (
                ["kms:Encrypt", "kms:ReEncrypt*"] if write else [])
            resource = self.store_arns(domain, "key")
        elif service == "ec2":
            if write:
                actions = ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"]
                resource = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*"
            else:
                actions, resource = ["ec2:Describe*"], "*"
        elif service == "lambda":
            actions = ["lambda:InvokeFunction", "lambda:GetFunction", "lambda:ListFunctions"]
            if write and rng.random() < 0.1:
                actions = ["lambda:UpdateFunctionConfiguration", "lambda:PublishVersion", "lambda:GetFunction"]
            resource = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{domain}-*"
        elif service == "iam":
            actions, resource = rng.choice([(["iam:Get*", "iam:List*"], "*"),
                                            (["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
                                             f"arn:aws:iam::{ACCOUNT}:role/{domain}-*"),
                                            (["iam:ChangePassword", "iam:GetUser"],
                                             "arn:aws:iam::*:user/${aws:username}")])
        elif service == "rds":
            actions = ["rds:StartDBInstance", "rds:StopDBInstance", "rds:CreateDBSnapshot", "rds:DescribeDBInstances"] \
                if write else ["rds:DescribeDBInstances", "rds:ListTagsForResource", "rds:DescribeDBSnapshots"]
            resource = self.store_arns(domain, "database")
        elif service == "sqs":
            actions = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] \
                if write else ["sqs:ReceiveMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
            resource = self.store_arns(domain, "queue")
        elif service == "sns":
            actions = ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"] if write else \
                ["sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"]
            resource = self.store_arns(domain, "topic")
        elif service == "logs":
            actions, resource = rng.choice([
                (["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                 f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{domain}-*"),
                (["logs:Describe*", "logs:Get*", "logs:FilterLogEvents", "logs:StartQuery"], "*")])
        else:  # sts
            actions, resource = ["sts:AssumeRole"], f"arn:aws:iam::{ACCOUNT}:role/{domain}-*"
        statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
        if isinstance(resource, list) and len(resource) == 1 and rng.random() < 0.5:
            statement["Resource"] = resource[0]
        if rng.random() < 0.12:
            statement["Condition"] = self.condition()
        return statement

    def deny_statement(self, domain: str) -> dict[str, Any]:
        rng = self.rng
        kind = rng.randrange(5)
        if kind == 0:
            return {"Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:DeleteObject*", "s3:PutBucketPolicy"],
                    "Resource": self.store_arns(domain, "bucket", customer_glob=0.3)}
        if kind == 1:
            return {"Effect": "Deny", "Action": "*", "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
        if kind == 2:
            return {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "cloudfront:*", "route53:*", "support:*"],
                    "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": REGION_LOCK}}}
        if kind == 3:
            return {"Effect": "Deny", "Action": ["dynamodb:DeleteTable", "dynamodb:DeleteBackup"], "Resource": "*"}
        return {"Effect": "Deny", "Action": "s3:*",
                "NotResource": [f"arn:aws:s3:::{domain}-*", f"arn:aws:s3:::{domain}-*/*"],
                "Condition": {"StringEquals": {"aws:PrincipalTag/sandbox": "true"}}}

    def statements(self, domain: str, purpose: str, count: int) -> list[dict[str, Any]]:
        rng = self.rng
        services = {
            "s3-read": ["s3", "kms"], "s3-readwrite": ["s3", "kms", "s3"], "dynamodb-read": ["dynamodb", "kms"],
            "dynamodb-readwrite": ["dynamodb", "dynamodb", "kms"], "app-runtime": ["s3", "dynamodb", "sqs", "sns"],
            "ci-deploy": ["lambda", "s3", "logs", "iam"], "operator": ["ec2", "rds", "logs", "sqs"],
            "analytics": ["s3", "dynamodb", "rds"], "messaging": ["sqs", "sns", "kms"], "kms-use": ["kms"],
            "logs": ["logs"], "lambda-invoke": ["lambda", "logs"], "rds-ops": ["rds", "ec2"],
            "assume-roles": ["sts", "iam"],
            "developer": ["s3", "dynamodb", "lambda", "logs", "ec2", "sqs", "sts"],
        }[purpose]
        found = []
        for i in range(count):
            roll = rng.random()
            if i and roll < 0.12:
                found.append(self.deny_statement(domain))
            elif i and roll < 0.15:
                found.append({"Effect": "Allow", "Action": "s3:*",
                              "NotResource": ["arn:aws:s3:::customer-*", "arn:aws:s3:::customer-*/*"]})
            else:
                found.append(self.service_statement(domain, services[i % len(services)]))
            if rng.random() < 0.5:
                found[-1] = {"Sid": f"{purpose.title().replace('-', '')}{i}", **found[-1]}
        return found

    def over_privileged(self, kind: str, domain: str) -> list[dict[str, Any]]:
        self.add(f"over_privileged_{kind.replace('-', '_')}")
        return {
            "admin-everything": [{"Sid": "AllowEverything", "Effect": "Allow", "Action": "*", "Resource": "*"}],
            "iam-full": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                         self.service_statement(domain, "s3")],
            "lambda-deployer": [{"Sid": "Deploy", "Effect": "Allow", "Resource": "*", "Action": [
                "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction", "lambda:GetFunction"]},
                self.service_statement(domain, "logs")],
            "policy-editor": [{"Effect": "Allow", "Action": ["iam:CreatePolicyVersion", "iam:GetPolicy*",
                                                             "iam:ListPolicyVersions"],
                               "Resource": f"arn:aws:iam::{ACCOUNT}:policy/*"}],
            "key-minter": [{"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:ListAccessKeys"],
                            "Resource": f"arn:aws:iam::{ACCOUNT}:user/*"}],
        }[kind]

    @staticmethod
    def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": statements}

    def inline(self, name: str, domain: str, over: float) -> dict[str, Any]:
        """An inline policy: 1–3 statements, or (share `over`) an over-privileged one."""
        self.add("inline_policies")
        if self.rng.random() < over:
            body = self.over_privileged(self.rng.choice(OVER_PRIVILEGED), domain)
            self.add("inline_over_privileged")
        else:
            body = self.statements(domain, self.rng.choice(PURPOSES), self.rng.randint(1, 3))
        self.add("statements", len(body))
        return {"PolicyName": name, "PolicyDocument": self.document(body)}

    # ---- customer-managed policies

    def make_policies(self) -> None:
        rng = self.rng
        count = max(len(self.domains) * 2, self.size.users // 20)
        over = max(1, round(count * 0.04))  # every `step`-th policy is over-privileged, the kinds in turn
        step = count // over
        self.domain_policies: dict[str, list[str]] = {d: [] for d in self.domains}
        for i in range(count):
            domain = self.domains[i % len(self.domains)]
            if (i + 1) % step == 0 and (i + 1) // step <= over:
                kind = OVER_PRIVILEGED[((i + 1) // step - 1) % len(OVER_PRIVILEGED)]
                name, body = self.unique(f"{domain}-{kind}"), self.over_privileged(kind, domain)
            else:
                purpose = PURPOSES[i // len(self.domains) % len(PURPOSES)] if i < len(self.domains) * 3 else \
                    rng.choice(PURPOSES)
                name = self.unique(f"{domain}-{purpose}")
                body = self.statements(domain, purpose, rng.randint(2, 8))
            arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
            self.add("statements", len(body))
            self.policy_versions(arn, body)
            self.domain_policies[domain].append(arn)
        self.add("policies_customer_managed", count)

    def policy_versions(self, arn: str, body: list[dict[str, Any]]) -> None:
        rng = self.rng
        n = rng.choice([1, 1, 1, 1, 2, 3])
        created = self.stamp(30, 2000)
        versions = []
        for k in range(1, n + 1):
            older = k < n
            statements = body[: max(1, len(body) - (n - k))] if older else body
            versions.append({"Document": self.document(statements), "VersionId": f"v{k}",
                             "IsDefaultVersion": not older, "CreateDate": created if k == 1 else self.stamp(1, 29)})
        versions.reverse()  # the CLI lists the newest first
        self.versions[arn] = versions
        self.policy_meta[arn] = {"PolicyName": arn.rsplit("/", 1)[1], "PolicyId": self.aws_id("ANPA"), "Arn": arn,
                                 "Path": "/", "DefaultVersionId": f"v{n}", "CreateDate": created,
                                 "UpdateDate": versions[0]["CreateDate"]}

    def some_policies(self, domain: str, low: int, high: int) -> list[str]:
        pool = self.domain_policies[domain]
        return self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))

    # ---- groups

    def make_groups(self) -> None:
        rng, n = self.rng, self.size.users
        self.groups: list[dict[str, Any]] = []
        self.team_groups: dict[str, list[dict[str, Any]]] = {d: [] for d in self.domains}
        self.project_groups: dict[str, list[dict[str, Any]]] = {d: [] for d in self.domains}
        self.oncall: dict[str, dict[str, Any]] = {}
        per_domain = self.humans / len(self.domains)
        for domain in self.domains:
            for _ in range(max(1, round(per_domain / 35))):
                managed = [name for name, share in TEAM_GROUP_MANAGED if rng.random() < share]
                self.team_groups[domain].append(self.group(f"{domain}-{rng.choice(TEAM_WORDS)}",
                                                           self.some_policies(domain, 1, 2), managed, 0.10))
            for _ in range(max(1, round(per_domain / 35))):
                self.project_groups[domain].append(self.group(f"{domain}-project-{rng.choice(NOUNS)}",
                                                              self.some_policies(domain, 1, 1), [], 0.05))
            self.oncall[domain] = self.group(f"{domain}-oncall", self.some_policies(domain, 0, 1),
                                             ["PowerUserAccess"] if rng.random() < 0.5 else [], 0.2)
        self.company = [(self.group(name, [], managed, 0.0), max(minimum, round(n * share)))
                        for name, share, minimum, managed in COMPANY_GROUPS]
        self.add("groups", len(self.groups))

    def group(self, base: str, customer: list[str], managed: list[str], inline: float) -> dict[str, Any]:
        name = self.unique(base)
        arn = f"arn:aws:iam::{ACCOUNT}:group/{name}"
        policies = [self.inline(f"{name}-inline", name.split("-")[0], 0.03)] if self.rng.random() < inline else []
        attached = [self.attach(a) for a in customer] + [self.attach(f"arn:aws:iam::aws:policy/{m}") for m in managed]
        entry = {"Path": "/", "GroupName": name, "GroupId": self.aws_id("AGPA"), "Arn": arn,
                 "CreateDate": self.stamp(200, 2500), "GroupPolicyList": policies, "AttachedManagedPolicies": attached}
        self.groups.append(entry)
        return entry

    # ---- users

    def make_users(self) -> None:
        rng, n = self.rng, self.size.users
        self.users: list[dict[str, Any]] = []
        with_user = rng.sample(range(len(self.people)), self.humans)
        with_user.sort()
        for slot, index in enumerate(with_user):
            domain = self.domains[slot % len(self.domains)]
            self.users.append(self.human(self.people[index], domain))
        for group, members in self.company:  # company-wide groups: a few people from anywhere
            for user in rng.sample(self.users, min(members, len(self.users))):
                user["GroupList"].append(group["GroupName"])
        for i in range(n - self.humans):
            domain = self.domains[i % len(self.domains)]
            self.users.append(self.service_user(domain))
        self.add("users", len(self.users))
        self.add("users_human", self.humans)
        self.add("users_service", n - self.humans)
        self.add("group_memberships", sum(len(u["GroupList"]) for u in self.users))
        for user in self.users:  # UserPolicyList only when there is one, and always before the attached list
            if not user["UserPolicyList"]:
                del user["UserPolicyList"]

    def user_entry(self, name: str, path: str) -> dict[str, Any]:
        return {"Path": path, "UserName": name, "UserId": self.aws_id("AIDA"),
                "Arn": f"arn:aws:iam::{ACCOUNT}:user{path}{name}", "CreateDate": self.stamp(30, 2200),
                "GroupList": [], "UserPolicyList": [], "AttachedManagedPolicies": [], "Tags": []}

    def human(self, person: dict[str, Any], domain: str) -> dict[str, Any]:
        rng = self.rng
        short = rng.random() < 0.4  # `kgarcia` style names join the roster only through an e-mail tag
        name = self.unique(f"{person['given'][0]}{person['family']}", sep="") if short else person["local"]
        user = self.user_entry(name, "/")
        groups = [rng.choice(self.team_groups[domain])]
        extra = rng.choices([0, 1, 2, 3], weights=[25, 40, 25, 10])[0]
        for _ in range(extra):
            groups.append(self.oncall[domain] if rng.random() < 0.1 else rng.choice(self.project_groups[domain]))
        user["GroupList"] = list(dict.fromkeys(g["GroupName"] for g in groups))
        if rng.random() < 0.2:
            user["UserPolicyList"].append(self.inline(rng.choice(["adhoc-access", "temp-access", "InlinePolicy",
                                                                  f"{name}-policy"]), domain, 0.04))
            self.add("users_with_inline")
        if rng.random() < 0.1:
            arn = rng.choice(["arn:aws:iam::aws:policy/IAMUserChangePassword", *self.domain_policies[domain]])
            user["AttachedManagedPolicies"].append(self.attach(arn))
        if rng.random() < 0.004:
            user["AttachedManagedPolicies"].append(self.attach("arn:aws:iam::aws:policy/AdministratorAccess"))
            self.add("users_admin_direct")
        if rng.random() < 0.55:
            email = person["email"] if rng.random() < 0.98 else f"{name}@contractor.example.net"
            user["Tags"].append({"Key": rng.choice(TAG_KEYS), "Value": email})
            self.add("users_with_email_tag")
        if rng.random() < 0.3:
            user["Tags"].append({"Key": "team", "Value": user["GroupList"][0]})
        return user

    def service_user(self, domain: str) -> dict[str, Any]:
        rng = self.rng
        user = self.user_entry(self.unique(f"svc-{domain}-{rng.choice(SERVICE_WORDS)}"), "/service/")
        user["GroupList"] = [rng.choice(self.team_groups[domain])["GroupName"]] if rng.random() < 0.3 else []
        for arn in self.some_policies(domain, 1, 2):
            user["AttachedManagedPolicies"].append(self.attach(arn))
        if rng.random() < 0.3:
            user["UserPolicyList"].append(self.inline(f"{user['UserName']}-inline", domain, 0.05))
            self.add("users_with_inline")
        owner = rng.choice(self.people)["email"] if rng.random() < 0.85 else \
            rng.choice(self.team_groups[domain])["GroupName"]  # a team name: what a roster cannot resolve
        user["Tags"] = [{"Key": "owner", "Value": owner}, {"Key": "purpose", "Value": "automation"}]
        return user

    # ---- roles

    def make_roles(self) -> None:
        rng = self.rng
        self.roles: list[dict[str, Any]] = []
        count = max(4, self.size.users // 5)
        weights = [k[1] for k in ROLE_KINDS]
        for i in range(count):
            domain = self.domains[i % len(self.domains)]
            kind, _, service, managed = ROLE_KINDS[0] if i == 0 else rng.choices(ROLE_KINDS, weights=weights)[0]
            self.roles.append(self.role(domain, kind, service, managed, trust_everyone=(i == count // 2)))
        self.add("roles", len(self.roles))

    def trust(self, kind: str, service: str | None, everyone: bool) -> dict[str, Any]:
        rng = self.rng
        if everyone:  # the planted defect: any AWS principal may assume it
            self.add("roles_trusting_everyone")
            statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
        elif service is not None:
            statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        elif kind == "account":
            statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                         "Action": "sts:AssumeRole"}
            if rng.random() < 0.5:
                statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        elif kind == "sso":
            statement = {"Effect": "Allow",
                         "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"},
                         "Action": "sts:AssumeRoleWithSAML",
                         "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}
        elif kind == "partner":
            statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{rng.choice(PARTNER_ACCOUNTS)}:root"},
                         "Action": "sts:AssumeRole",
                         "Condition": {"StringEquals": {"sts:ExternalId": self.uuid()}}}
        else:  # ci: a deploy user of this account
            deployers = [u for u in self.users if u["Path"] == "/service/"] or self.users
            statement = {"Effect": "Allow", "Principal": {"AWS": rng.choice(deployers)["Arn"]},
                         "Action": "sts:AssumeRole"}
        return {"Version": "2012-10-17", "Statement": [{"Sid": "", **statement} if rng.random() < 0.3 else statement]}

    def role(self, domain: str, kind: str, service: str | None, managed: list[str],
             trust_everyone: bool) -> dict[str, Any]:
        rng = self.rng
        name = self.unique(f"{domain}-{kind}-{rng.choice(NOUNS)}")
        path = "/service-role/" if service is not None and rng.random() < 0.3 else "/"
        arn = f"arn:aws:iam::{ACCOUNT}:role{path}{name}"
        role_id, created, trust = self.aws_id("AROA"), self.stamp(30, 2000), self.trust(kind, service, trust_everyone)
        profiles = []
        if kind == "ec2":
            profiles.append({"Path": path, "InstanceProfileName": name, "InstanceProfileId": self.aws_id("AIPA"),
                             "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile{path}{name}", "CreateDate": created,
                             "Roles": [{"Path": path, "RoleName": name, "RoleId": role_id, "Arn": arn,
                                        "CreateDate": created, "AssumeRolePolicyDocument": trust}]})
        inline = []
        if rng.random() < 0.5:
            inline.append(self.inline(rng.choice([f"{name}-policy", "inline", "AccessPolicy"]), domain, 0.03))
            self.add("roles_with_inline")
        attached = [self.attach(a) for a in self.some_policies(domain, 0, 2)]
        if managed and rng.random() < 0.7:
            attached.append(self.attach("arn:aws:iam::aws:policy/" + rng.choice(managed)))
        tags = [{"Key": "team", "Value": rng.choice(self.team_groups[domain])["GroupName"]}] \
            if rng.random() < 0.6 else []
        last_used = {"LastUsedDate": self.stamp(0, 500), "Region": rng.choice(REGION_LOCK)} \
            if rng.random() < 0.65 else {}
        return {"Path": path, "RoleName": name, "RoleId": role_id, "Arn": arn, "CreateDate": created,
                "AssumeRolePolicyDocument": trust, "InstanceProfileList": profiles, "RolePolicyList": inline,
                "AttachedManagedPolicies": attached, "Tags": tags, "RoleLastUsed": last_used}

    # ---- the files

    def managed_entries(self) -> list[dict[str, Any]]:
        """`Policies`: every customer-managed policy (attached or not), then the AWS-managed ones attached."""
        entries = []
        for arn, versions in self.versions.items():
            meta = self.policy_meta[arn]
            entries.append({**{k: meta[k] for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId")},
                            "AttachmentCount": self.attached.get(arn, 0), "PermissionsBoundaryUsageCount": 0,
                            "IsAttachable": True, "CreateDate": meta["CreateDate"], "UpdateDate": meta["UpdateDate"],
                            "PolicyVersionList": versions})
        aws = sorted(a for a in self.attached if a.startswith("arn:aws:iam::aws:policy/"))
        for arn in aws:
            name = arn.removeprefix("arn:aws:iam::aws:policy/")
            path, version, statements = AWS_MANAGED[name]
            entries.append({"PolicyName": name.rsplit("/", 1)[-1], "PolicyId": self.aws_id("ANPA"), "Arn": arn,
                            "Path": path, "DefaultVersionId": f"v{version}", "AttachmentCount": self.attached[arn],
                            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                            "CreateDate": "2015-02-06 18:39:46+00:00", "UpdateDate": "2024-06-18 16:41:27+00:00",
                            "PolicyVersionList": [{"Document": self.document(statements),
                                                   "VersionId": f"v{version}", "IsDefaultVersion": True,
                                                   "CreateDate": "2024-06-18 16:41:27+00:00"}]})
        self.add("policies_aws_managed", len(aws))
        return entries

    def authorization_details(self) -> str:
        document = {"UserDetailList": self.users, "GroupDetailList": self.groups, "RoleDetailList": self.roles,
                    "Policies": self.managed_entries()}
        return json.dumps(document, indent=4) + "\n"

    def roster(self) -> str:
        resources = []
        for person in self.people:
            resources.append({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "id": person["scim_id"], "externalId": person["employee"], "userName": person["email"],
                "name": {"givenName": person["given"].capitalize(), "familyName": person["family"].capitalize()},
                "displayName": f"{person['given'].capitalize()} {person['family'].capitalize()}",
                "emails": [{"value": person["email"], "type": "work", "primary": True}],
                "active": person["active"],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": person["employee"]},
                "meta": {"resourceType": "User", "created": person["created"].replace(" ", "T").replace("+00:00", "Z"),
                         "lastModified": person["modified"].replace(" ", "T").replace("+00:00", "Z")},
            })
        listing = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                   "totalResults": len(resources), "itemsPerPage": len(resources), "startIndex": 1,
                   "Resources": resources}
        return json.dumps(listing, indent=2) + "\n"

    def native(self) -> str:
        rng = self.rng
        types = {"bucket": "bucket", "table": "table", "database": "database", "queue": "queue", "topic": "topic"}
        lines = ["policylint: 1", f"# data stores of AWS account {ACCOUNT}: the authorization details name them only "
                                  "inside policies", "resources:"]
        for store in self.resources:
            record: dict[str, Any] = {"id": "aws:" + store["arn"].split(":", 2)[2], "type": types[store["kind"]]}
            record["logging"] = rng.random() < 0.8
            if record["logging"]:
                record["log_retention_days"] = rng.choice([30, 90, 365, 730])
            record["monitoring"] = rng.random() < 0.6
            lines.append("  - " + flow(record))
        annotations = [
            {"match": "aws:s3:::customer-*", "data": ["customer_pii"], "records": 25_000_000,
             "description": "every customer-* bucket holds customer records (data-governance register)"},
            {"match": f"aws:dynamodb:{REGION}:{ACCOUNT}:table/customer-*", "data": ["customer_pii", "customer_orders"],
             "records": 40_000_000},
            {"match": f"aws:rds:{REGION}:{ACCOUNT}:db:customer-*", "data": ["customer_payment"],
             "records": 12_000_000},
        ]
        lines.append("keys:")
        lines.extend("  - " + flow(key) for key in self.keys())
        lines.append("annotate:")
        lines.extend("  - " + flow(a) for a in annotations)
        return "\n".join(lines) + "\n"

    def keys(self) -> list[dict[str, Any]]:
        """The KMS keys policies name, each protecting some stores of its domain; a fifth never rotated."""
        rng, found = self.rng, []
        for domain in self.domains:
            stores = self.stores[domain]["bucket"] + self.stores[domain]["table"]
            for key in self.stores[domain]["key"]:
                created = REFERENCE_DAY - timedelta(days=rng.randint(60, 1500))
                rotated = created if rng.random() < 0.2 else REFERENCE_DAY - timedelta(days=rng.randint(1, 364))
                protects = rng.sample(stores, min(len(stores), rng.randint(1, 3)))
                found.append({"id": "aws:" + key["arn"].split(":", 2)[2], "purpose": "encryption", "storage": "kms",
                              "created": created.isoformat(), "rotated": max(created, rotated).isoformat(),
                              "rotation_days": 365, "protects": ["aws:" + s["arn"].split(":", 2)[2] for s in protects]})
        return found


def flow(value: Any) -> str:
    """A YAML flow mapping or sequence; strings always double-quoted (JSON escapes are valid YAML)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


# --------------------------------------------------------------------------------------------------- output


def generate(size_name: str, outdir: str | Path) -> dict[str, Any]:
    """Write the account of `size_name` into `outdir` (replacing a previous run there); return its stats."""
    size = size_of(size_name)
    out = Path(outdir)
    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()):
            raise SystemExit(f"refusing to replace {out}: it is not empty and was not made by this generator")
        shutil.rmtree(out)
    account = Account(size)
    account.build()
    files = {AUTHZ_FILE: account.authorization_details(), ROSTER_FILE: account.roster(),
             STORES_FILE: account.native()}
    stats = dict(sorted(account.stats.items()))
    stats["files"] = len(files)
    stats["bytes"] = 0
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        stats[f"bytes_{Path(rel).stem.replace('-', '_')}"] = len(data)
        stats["bytes"] += len(data)
    (out / MARKER).write_text(json.dumps({"size": size_name, "generator": f"aws-{GENERATOR_VERSION}",
                                          "stats": stats}, indent=1, sort_keys=True) + "\n")
    return stats


def digest(root: Path) -> str:
    """sha256 over every file (relative path and bytes), in sorted order (as run.py's hash_dir)."""
    hashed = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hashed.update(str(path.relative_to(root)).encode() + b"\0")
        hashed.update(path.read_bytes())
        hashed.update(b"\0")
    return hashed.hexdigest()


def check_determinism(size_name: str, outdir: Path) -> bool:
    """Generate the size again in a scratch folder; True when both folders hash the same."""
    with tempfile.TemporaryDirectory() as scratch:
        again = Path(scratch) / size_name
        generate(size_name, again)
        first, second = digest(outdir), digest(again)
    print(f"determinism {size_name}: {first[:16]}… vs {second[:16]}…: "
          f"{'identical' if first == second else 'DIFFERENT'}", file=sys.stderr)
    return first == second


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("size", help=f"{' | '.join(SIZES)} (or aws-N, N >= 20)")
    parser.add_argument("outdir")
    parser.add_argument("--check-determinism", action="store_true",
                        help="generate a second time in a scratch folder and compare the sha256 of both")
    args = parser.parse_args(argv)
    try:
        size_of(args.size)
    except ValueError as error:
        parser.error(str(error))
    stats = generate(args.size, args.outdir)
    print(json.dumps(stats, indent=1))
    if args.check_determinism:
        return 0 if check_determinism(args.size, Path(args.outdir)) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
