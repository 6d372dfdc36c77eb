"""A deterministic synthetic Terraform repository of an AWS account's IAM, for benchmarks (issue 11).

    python benchmarks/generate_terraform.py SIZE OUTDIR [--check-determinism]   # SIZE: terraform-5000
                                                                                  #   (or terraform-N, N >= 400)

`terraform-N` is a repository in which Terraform would create exactly N IAM resources: resource instances of an
`aws_iam_*` type (users, groups, both membership resources, login profiles, access keys, roles, managed and inline
policies, every attachment type, instance profiles, the OIDC provider, the password policy), counting each
instance a `for_each` or `count` makes, in the root module and in every instance of a local module. Data sources
(`aws_iam_policy_document`) and the other resources (KMS keys and aliases, S3 buckets and their settings,
DynamoDB tables) are not IAM resources and are counted apart (`stats`). Checked against a real plan: see the
"Terraform (issue 11)" section of README.md.

The layout is the one platform teams write: one root module (`versions.tf` with an S3 backend, `providers.tf`,
`variables.tf` with defaults, a `terraform.tfvars` holding the teams, people and services, one file per concern)
and two local modules, `modules/team-role` (a team's application or deploy role: trust policy from a policy
document with `dynamic` statements, access policy, attachments, an inline logging policy, an instance profile by
`count`) and `modules/service-user` (a service user, its access key and a `jsonencode` policy), both called with
`for_each` over the team and service maps. People are `aws_iam_user` with `for_each` over a map in the tfvars;
a few hand-written legacy inline policies use heredoc JSON. Buckets and tables carry a `data-classification` tag
(`customer_pii`, `customer_financial`, `internal`, `public`). Planted defects, as a neglected account has them:
people with AdministratorAccess attached directly, console users with access keys, service users with broad
managed policies, an on-call group with `dynamodb:*` on every table, a vendor role without an ExternalId.

The same SIZE always gives byte-identical files: one seeded `random.Random`, only lists and insertion-ordered
dicts, no dates. Standard library only; the text is laid out as `terraform fmt` would leave it.
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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 1
MARKER = ".policylint-bench"  # as generate.py: only a folder holding it (or an empty one) is ever replaced
ACCOUNT = "210987654321"
ORG = "acme"
EMAIL_DOMAIN = "acme.example"
NAMED = re.compile(r"terraform-(\d+)\Z")
SIZES: dict[str, int] = {"terraform-5000": 5_000}

DOMAINS = ["payments", "orders", "identity", "catalog", "logistics", "billing", "analytics", "support",
           "checkout", "fraud", "search", "messaging", "pricing", "inventory", "marketing", "loyalty"]
TEAM_WORDS = ["core", "api", "platform", "data", "ledger", "sync", "edge", "insights", "pipeline", "gateway",
              "web", "mobile", "backend", "integrations", "tooling", "reliability"]
NOUNS = ["orders", "profiles", "events", "sessions", "invoices", "addresses", "carts", "tickets", "audit",
         "ledger", "reports", "exports", "features", "documents", "messages", "accounts", "contacts", "history",
         "snapshots", "payouts", "refunds", "shipments"]
SERVICE_WORDS = ["etl", "exporter", "sync", "ingest", "reporter", "backup", "migrator", "indexer", "notifier"]
GIVEN = ["anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo", "ines", "jonas", "kira", "liam",
         "maya", "noah", "olga", "paul", "quinn", "rosa", "sam", "tara", "umar", "vera", "will", "yusuf", "zoe",
         "amir", "bea", "chen", "dara", "eli", "fatima", "hana", "ivan", "jade", "kai", "lena", "marco", "nina",
         "omar", "priya", "rafael", "sofia", "tom", "victor", "wen", "yara", "minji", "jisoo", "hyun", "seo"]
FAMILY = ["smith", "garcia", "muller", "rossi", "dubois", "novak", "silva", "kowalski", "nielsen", "tanaka",
          "sato", "wang", "li", "zhang", "nguyen", "tran", "kumar", "singh", "patel", "ivanova", "petrov",
          "haddad", "mensah", "okafor", "costa", "lopez", "martin", "fischer", "weber", "meyer", "wagner",
          "jansen", "visser", "berg", "hansen", "larsen", "murphy", "kelly", "santos", "pereira", "yilmaz",
          "kaya", "cohen", "levi", "moreau", "kim", "park", "choi", "jung", "kang"]
RUNTIMES = {  # runtime -> (trusted service, AWS-managed policies of its application role)
    "ecs": ("ecs-tasks.amazonaws.com", ["service-role/AmazonECSTaskExecutionRolePolicy"]),
    "lambda": ("lambda.amazonaws.com", ["service-role/AWSLambdaBasicExecutionRole"]),
    "ec2": ("ec2.amazonaws.com", ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"]),
}
CLASSES = [("customer_pii", 0.30), ("customer_financial", 0.12), ("internal", 0.48), ("public", 0.10)]
BROAD_SERVICE_POLICIES = ["AmazonS3FullAccess", "AmazonDynamoDBFullAccess", "PowerUserAccess"]
DIRECT_USER_POLICIES = ["AdministratorAccess", "AdministratorAccess", "IAMFullAccess", "AmazonS3FullAccess"]
COMPANY_GROUPS = [  # resource name, group name, variable, managed policies, members (minimum, share of people)
    ("administrators", "administrators", "administrators", ["AdministratorAccess"], (2, 0.004)),
    ("security_audit", "security-audit", "security_auditors", ["SecurityAudit", "ReadOnlyAccess"], (2, 0.005)),
    ("billing", "billing", "billing_admins", ["job-function/Billing"], (1, 0.003)),
    ("data_science", "data-science", "data_scientists", ["AmazonAthenaFullAccess"], (3, 0.02)),
    ("oncall", "oncall", "oncall", [], (4, 0.03)),
]


def managed(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{name}"


@dataclass(frozen=True)
class Size:
    iam: int
    seed: int
    domains: int
    teams: int
    services: int
    partners: int


def size_of(name: str) -> Size:
    """`terraform-N`: N IAM resources; teams, services and domains grow with N, people fill the rest."""
    matched = NAMED.match(name)
    if matched is None or int(matched.group(1)) < 400:
        raise ValueError(f"expected a size terraform-N with N >= 400 (benchmarked: {', '.join(SIZES)}), "
                         f"found {name!r}")
    n = int(matched.group(1))
    return Size(n, 20261211 + n, max(3, min(len(DOMAINS), n // 600)), max(3, n // 125), max(4, n // 25),
                max(2, min(8, n // 1000)))


# --------------------------------------------------------------------------------------------------- the model


@dataclass
class Team:
    name: str
    domain: str
    runtime: str
    buckets: list[str]
    tables: list[str]
    allow_human_assume: bool
    view_only: bool
    members: list[str] = field(default_factory=list)


@dataclass
class Human:
    name: str
    team: str
    console: bool
    access_key: bool
    legacy_inline: bool = False
    direct_policy: str | None = None


@dataclass
class Service:
    name: str
    team: str
    write: bool
    extra_policies: list[str]
    owner: str = ""


class Repo:
    """The account's people, teams and stores; counts every resource instance Terraform would create."""

    def __init__(self, size: Size) -> None:
        self.size = size
        self.rng = random.Random(size.seed)
        self.count: Counter[str] = Counter()
        self.names: set[str] = set()
        self.domains = DOMAINS[: size.domains]
        self.teams: list[Team] = []
        self.buckets: dict[str, tuple[str, str, str]] = {}  # name -> (team, domain, classification)
        self.tables: dict[str, tuple[str, str, str]] = {}
        self.services: list[Service] = []
        self.humans: list[Human] = []
        self.partners: list[tuple[str, str, str]] = []  # name, account, external id
        self.company: dict[str, list[str]] = {}

    def unique(self, base: str, sep: str = "-") -> str:
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}{sep}{n}"
        self.names.add(name)
        return name

    def classification(self, domain: str) -> str:
        roll, total = self.rng.random(), 0.0
        if domain in ("payments", "billing") and roll < 0.35:
            return "customer_financial"
        for name, share in CLASSES:
            total += share
            if roll < total:
                return name
        return "internal"

    def build(self) -> None:
        self.make_fixed()
        self.make_teams()
        self.make_services()
        self.make_partners()
        self.make_company_groups_base()
        self.make_humans()
        self.assign()
        self.count_stores()

    def make_fixed(self) -> None:
        self.count.update({"aws_iam_openid_connect_provider": 1, "aws_iam_account_password_policy": 1,
                           "aws_kms_key": len(self.domains), "aws_kms_alias": len(self.domains)})
        self.buckets["artifacts"] = ("platform", self.domains[0], "internal")
        self.buckets["partner-exports"] = ("platform", self.domains[0], "customer_pii")

    def make_teams(self) -> None:
        rng = self.rng
        for i in range(self.size.teams):
            domain = self.domains[i % len(self.domains)]
            name = self.unique(f"{domain}-{rng.choice(TEAM_WORDS)}")
            buckets = [self.unique(f"{name}-{rng.choice(NOUNS)}") for _ in range(rng.choice([1, 1, 2, 2, 3]))]
            tables = [self.unique(f"{name}-{rng.choice(NOUNS)}") for _ in range(rng.choice([1, 1, 2]))]
            for b in buckets:
                self.buckets[b] = (name, domain, self.classification(domain))
            for t in tables:
                self.tables[t] = (name, domain, self.classification(domain))
            team = Team(name, domain, rng.choice(["ecs", "ecs", "lambda", "lambda", "ec2"]), buckets, tables,
                        rng.random() < 0.7, rng.random() < 0.5)
            self.teams.append(team)
            self.count_team(team)

    def count_team(self, team: Team) -> None:
        c = self.count
        # root: the group, its policy, the attachment, ViewOnlyAccess for some
        c.update({"aws_iam_group": 1, "aws_iam_policy": 1, "aws_iam_group_policy_attachment": 1 + team.view_only})
        # module.app_role: role, policy, attachment, the runtime's managed policies, inline logging, profile on EC2
        c.update({"aws_iam_role": 1, "aws_iam_policy": 1, "aws_iam_role_policy": 1,
                  "aws_iam_role_policy_attachment": 1 + len(RUNTIMES[team.runtime][1]),
                  "aws_iam_instance_profile": int(team.runtime == "ec2")})
        # module.deploy_role: role, policy, attachment (no logging, no profile)
        c.update({"aws_iam_role": 1, "aws_iam_policy": 1, "aws_iam_role_policy_attachment": 1})

    def make_services(self) -> None:
        rng = self.rng
        for i in range(self.size.services):
            team = self.teams[rng.randrange(len(self.teams))] if i >= len(self.teams) else self.teams[i]
            extra = [rng.choice(BROAD_SERVICE_POLICIES)] if rng.random() < 0.04 else []
            service = Service(self.unique(f"{team.name}-{rng.choice(SERVICE_WORDS)}"), team.name,
                              rng.random() < 0.6, extra)
            self.services.append(service)
            self.count.update({"aws_iam_user": 1, "aws_iam_access_key": 1, "aws_iam_policy": 1,
                               "aws_iam_user_policy_attachment": 1 + len(extra)})

    def make_partners(self) -> None:
        for i in range(self.size.partners):
            name = self.unique(["datadog-like", "billing-vendor", "auditor", "bi-partner", "support-desk",
                                "fraud-scoring", "translation", "logistics-partner"][i % 8])
            account = f"{(i + 1) * 111111111111 % 10**12:012d}"
            self.partners.append((name, account, f"{ORG}-{self.rng.getrandbits(64):016x}"))
        # partner roles + their attachment; the shared exports policy; the legacy vendor role + SecurityAudit
        self.count.update({"aws_iam_role": len(self.partners) + 1, "aws_iam_policy": 1,
                           "aws_iam_role_policy_attachment": len(self.partners) + 1,
                           "aws_s3_bucket_policy": 1})

    def make_company_groups_base(self) -> None:
        for _, _, _, policies, _ in COMPANY_GROUPS:
            self.count.update({"aws_iam_group": 1, "aws_iam_group_membership": 1,
                               "aws_iam_group_policy_attachment": len(policies) or 1})  # oncall: its own policy
        self.count["aws_iam_policy"] += 1  # oncall's

    def iam_total(self) -> int:
        return sum(n for kind, n in self.count.items() if kind.startswith("aws_iam_"))

    def make_humans(self) -> None:
        """People fill the IAM count up to exactly N: user + team membership, and what each one has on top."""
        rng = self.rng
        remaining = self.size.iam - self.iam_total()
        if remaining < 2:
            raise ValueError(f"size {self.size.iam} is too small for {len(self.teams)} teams")
        while remaining > 0:
            extras = [kind for kind, share in (("console", 0.7), ("access_key", 0.25), ("legacy", 0.02),
                                               ("direct", 0.005)) if rng.random() < share]
            while 2 + len(extras) > remaining or remaining - 2 - len(extras) == 1:
                missing = [e for e in ("console", "access_key") if e not in extras]
                if 2 + len(extras) < remaining and missing:
                    extras.append(missing[0])
                else:
                    extras.pop()
            team = self.teams[rng.randrange(len(self.teams))]
            name = self.unique(f"{rng.choice(GIVEN)}.{rng.choice(FAMILY)}", sep="")
            human = Human(name, team.name, "console" in extras, "access_key" in extras, "legacy" in extras,
                          rng.choice(DIRECT_USER_POLICIES) if "direct" in extras else None)
            self.humans.append(human)
            team.members.append(name)
            self.count.update({"aws_iam_user": 1, "aws_iam_user_group_membership": 1,
                               "aws_iam_user_login_profile": int(human.console),
                               "aws_iam_access_key": int(human.access_key),
                               "aws_iam_user_policy": int(human.legacy_inline),
                               "aws_iam_user_policy_attachment": int(human.direct_policy is not None)})
            remaining -= 2 + len(extras)

    def assign(self) -> None:
        rng = self.rng
        by_team = {t.name: t for t in self.teams}
        for service in self.services:
            members = by_team[service.team].members or [h.name for h in self.humans]
            service.owner = rng.choice(members)
        people = [h.name for h in self.humans]
        for _, _, variable, _, (least, share) in COMPANY_GROUPS:
            self.company[variable] = sorted(rng.sample(people, min(len(people), max(least, round(share *
                                                                                                len(people))))))

    def count_stores(self) -> None:
        buckets = len(self.buckets)
        self.count.update({"aws_s3_bucket": buckets, "aws_s3_bucket_server_side_encryption_configuration": buckets,
                           "aws_s3_bucket_public_access_block": buckets, "aws_dynamodb_table": len(self.tables),
                           "aws_s3_bucket_versioning": sum(1 for _, _, cls in self.buckets.values()
                                                           if cls.startswith("customer_"))})


# --------------------------------------------------------------------------------------------------- HCL text

ATTR = re.compile(r'^(\s*)("[^"]*"|[A-Za-z_][\w-]*)(\s*)=(?!=)\s*(.*)$')


def _depth(text: str) -> int:
    """Brackets opened minus closed on one line, outside string literals (and their ${...})."""
    depth, in_string, i = 0, False, 0
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        i += 1
    return depth


def fmt(text: str) -> str:
    """Align the `=` of consecutive one-line attributes at the same indent, as `terraform fmt` does."""
    lines = text.split("\n")
    out: list[str] = []
    run: list[tuple[str, str, str]] = []
    in_heredoc: str | None = None

    def flush() -> None:
        width = max((len(key) for _, key, _ in run), default=0)
        out.extend(f"{indent}{key.ljust(width)} = {value}" for indent, key, value in run)
        run.clear()

    for line in lines:
        if in_heredoc is not None:
            out.append(line)
            if line.strip() == in_heredoc:
                in_heredoc = None
            continue
        matched = ATTR.match(line)
        single = matched is not None and "<<" not in matched.group(4) and _depth(matched.group(4)) == 0
        if matched is not None and single and (not run or run[0][0] == matched.group(1)):
            run.append((matched.group(1), matched.group(2), matched.group(4)))
            continue
        flush()
        if matched is not None and single:
            run.append((matched.group(1), matched.group(2), matched.group(4)))
            continue
        if matched is not None and "<<" in matched.group(4):
            in_heredoc = matched.group(4).split("<<", 1)[1].lstrip("-").strip()
        out.append(line)
    flush()
    return "\n".join(out)


def hcl(value: Any) -> str:
    """A one-line HCL value: strings quoted (JSON escapes are HCL's), lists and single-line objects."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {hcl(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][\w-]*", name) else json.dumps(name)


def listing(values: list[str], indent: str) -> str:
    """A list of strings, one per line, as people write long lists (trailing comma)."""
    if not values:
        return "[]"
    return "[\n" + "".join(f"{indent}  {json.dumps(v)},\n" for v in values) + f"{indent}]"


def resource_name(user: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", user)


# --------------------------------------------------------------------------------------------------- root files

VERSIONS = f"""terraform {{
  required_version = ">= 1.5.0"

  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }}
  }}

  backend "s3" {{
    bucket         = "{ORG}-terraform-state"
    key            = "iam/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "{ORG}-terraform-locks"
    encrypt        = true
  }}
}}
"""

PROVIDERS = """provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = var.default_tags
  }
}
"""

VARIABLES = f"""variable "region" {{
  description = "Region of the account's regional resources (KMS keys, tables)."
  type        = string
  default     = "us-east-1"
}}

variable "account_id" {{
  description = "The AWS account this configuration manages."
  type        = string
  default     = "{ACCOUNT}"
}}

variable "org" {{
  description = "Prefix of bucket names, GitHub organisation."
  type        = string
  default     = "{ORG}"
}}

variable "email_domain" {{
  type    = string
  default = "{EMAIL_DOMAIN}"
}}

variable "default_tags" {{
  type = map(string)
  default = {{
    managed-by = "terraform"
    repository = "{ORG}/aws-iam"
  }}
}}

variable "teams" {{
  description = "Engineering teams: their data stores, the runtime of their application role, who may assume it."
  type = map(object({{
    domain             = string
    runtime            = string
    buckets            = list(string)
    tables             = list(string)
    allow_human_assume = bool
    view_only          = bool
  }}))
}}

variable "buckets" {{
  description = "S3 buckets by short name (the bucket is named <org>-<name>)."
  type = map(object({{
    team           = string
    domain         = string
    classification = string
  }}))
}}

variable "tables" {{
  description = "DynamoDB tables by name."
  type = map(object({{
    team           = string
    domain         = string
    classification = string
  }}))
}}

variable "users" {{
  description = "People with an IAM user, by user name."
  type = map(object({{
    team       = string
    console    = bool
    access_key = bool
  }}))
}}

variable "services" {{
  description = "Service users (legacy, access keys): their team, owner and whether they write."
  type = map(object({{
    team                = string
    owner               = string
    write               = bool
    extra_policy_arns   = list(string)
  }}))
}}

variable "direct_policy_attachments" {{
  description = "Managed policies attached to a person directly (to be moved to groups)."
  type = map(object({{
    user       = string
    policy_arn = string
  }}))
  default = {{}}
}}

variable "partners" {{
  description = "Third parties that assume a role in this account."
  type = map(object({{
    account_id  = string
    external_id = string
  }}))
  default = {{}}
}}
""" + "".join(f"""
variable "{variable}" {{
  type    = list(string)
  default = []
}}
""" for _, _, variable, _, _ in COMPANY_GROUPS) + """
variable "github_thumbprints" {
  type    = list(string)
  default = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}
"""

LOCALS = """locals {
  bucket_arns = { for name, bucket in aws_s3_bucket.data : name => bucket.arn }
  table_arns  = { for name, table in aws_dynamodb_table.data : name => table.arn }
  domain_keys = { for domain, key in aws_kms_key.data : domain => key.arn }

  console_users = { for name, user in var.users : name => user if user.console }
  key_users     = { for name, user in var.users : name => user if user.access_key }
  view_only     = { for name, team in var.teams : name => team if team.view_only }

  runtime_services = {
    ecs    = "ecs-tasks.amazonaws.com"
    lambda = "lambda.amazonaws.com"
    ec2    = "ec2.amazonaws.com"
  }
  runtime_policies = {
    ecs    = ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
    lambda = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    ec2 = [
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    ]
  }

  # spelled out, not module.app_role[...].arn: the roles' policies name the domain keys, whose policies name the roles
  app_role_arns = { for name, team in var.teams : name => "arn:aws:iam::${var.account_id}:role/teams/${name}-app" }
}
"""

KMS = """data "aws_iam_policy_document" "kms" {
  for_each = toset(var.domains)

  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }

  statement {
    sid       = "DomainTeamsUseTheKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [for name, team in var.teams : local.app_role_arns[name] if team.domain == each.key]
    }
  }
}

resource "aws_kms_key" "data" {
  for_each = toset(var.domains)

  description             = "Data of the ${each.key} domain (S3, DynamoDB)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms[each.key].json

  tags = {
    domain = each.key
  }
}

resource "aws_kms_alias" "data" {
  for_each = toset(var.domains)

  name          = "alias/${each.key}-data"
  target_key_id = aws_kms_key.data[each.key].key_id
}
"""

STORES = """resource "aws_s3_bucket" "data" {
  for_each = var.buckets

  bucket = "${var.org}-${each.key}"

  tags = {
    team                  = each.value.team
    "data-classification" = each.value.classification
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  for_each = var.buckets

  bucket = aws_s3_bucket.data[each.key].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.domain_keys[each.value.domain]
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  for_each = var.buckets

  bucket                  = aws_s3_bucket.data[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "customer" {
  for_each = { for name, bucket in var.buckets : name => bucket if startswith(bucket.classification, "customer_") }

  bucket = aws_s3_bucket.data[each.key].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_dynamodb_table" "data" {
  for_each = var.tables

  name         = each.key
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = local.domain_keys[each.value.domain]
  }

  point_in_time_recovery {
    enabled = true
  }

  tags = {
    team                  = each.value.team
    "data-classification" = each.value.classification
  }
}
"""

TEAMS = """resource "aws_iam_group" "team" {
  for_each = var.teams

  name = each.key
  path = "/teams/"
}

data "aws_iam_policy_document" "team" {
  for_each = var.teams

  statement {
    sid     = "TeamBuckets"
    actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    resources = concat(
      [for name in each.value.buckets : local.bucket_arns[name]],
      [for name in each.value.buckets : "${local.bucket_arns[name]}/*"],
    )
  }

  statement {
    sid       = "TeamTables"
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [for name in each.value.tables : local.table_arns[name]]
  }

  statement {
    sid       = "AssumeTeamRoles"
    actions   = ["sts:AssumeRole"]
    resources = ["arn:aws:iam::${var.account_id}:role/teams/${each.key}-*"]

    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}

resource "aws_iam_policy" "team" {
  for_each = var.teams

  name        = "${each.key}-team-access"
  path        = "/teams/"
  description = "What members of ${each.key} may do without assuming a role"
  policy      = data.aws_iam_policy_document.team[each.key].json
}

resource "aws_iam_group_policy_attachment" "team" {
  for_each = var.teams

  group      = aws_iam_group.team[each.key].name
  policy_arn = aws_iam_policy.team[each.key].arn
}

resource "aws_iam_group_policy_attachment" "team_view_only" {
  for_each = local.view_only

  group      = aws_iam_group.team[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
}

module "app_role" {
  source   = "./modules/team-role"
  for_each = var.teams

  name               = "${each.key}-app"
  team               = each.key
  account_id         = var.account_id
  trusted_services   = [local.runtime_services[each.value.runtime]]
  allow_human_assume = each.value.allow_human_assume
  bucket_arns        = [for name in each.value.buckets : local.bucket_arns[name]]
  table_arns         = [for name in each.value.tables : local.table_arns[name]]
  kms_key_arn        = local.domain_keys[each.value.domain]
  managed_policy_arns = local.runtime_policies[each.value.runtime]
  write_logs         = true
  instance_profile   = each.value.runtime == "ec2"
}

module "deploy_role" {
  source   = "./modules/team-role"
  for_each = var.teams

  name              = "${each.key}-deploy"
  team              = each.key
  account_id        = var.account_id
  oidc_provider_arn = aws_iam_openid_connect_provider.github.arn
  bucket_arns       = [local.bucket_arns["artifacts"]]
  write             = true
  oidc_subjects = [
    "repo:${var.org}/${each.key}:ref:refs/heads/main",
    "repo:${var.org}/${each.key}:environment:production",
  ]
  extra_statements = [
    {
      sid       = "Deploy"
      actions = [
        "ecs:UpdateService", "ecs:RegisterTaskDefinition",
        "lambda:UpdateFunctionCode", "lambda:PublishVersion",
      ]
      resources = ["*"]
    },
    {
      sid       = "PassTheAppRole"
      actions   = ["iam:PassRole"]
      resources = [module.app_role[each.key].arn]
    },
  ]
}
"""

PEOPLE = """resource "aws_iam_user" "human" {
  for_each = var.users

  name          = each.key
  path          = "/people/"
  force_destroy = true

  tags = {
    team  = each.value.team
    email = "${each.key}@${var.email_domain}"
  }
}

resource "aws_iam_user_group_membership" "human" {
  for_each = var.users

  user   = aws_iam_user.human[each.key].name
  groups = [aws_iam_group.team[each.value.team].name]
}

resource "aws_iam_user_login_profile" "human" {
  for_each = local.console_users

  user                    = aws_iam_user.human[each.key].name
  password_reset_required = true
}

resource "aws_iam_access_key" "human" {
  for_each = local.key_users

  user = aws_iam_user.human[each.key].name
}

resource "aws_iam_user_policy_attachment" "direct" {
  for_each = var.direct_policy_attachments

  user       = aws_iam_user.human[each.value.user].name
  policy_arn = each.value.policy_arn
}
"""

SERVICES = """module "service_user" {
  source   = "./modules/service-user"
  for_each = var.services

  name              = each.key
  team              = each.value.team
  owner             = each.value.owner
  bucket_arns       = [for name in var.teams[each.value.team].buckets : local.bucket_arns[name]]
  table_arns        = [for name in var.teams[each.value.team].tables : local.table_arns[name]]
  kms_key_arn       = local.domain_keys[var.teams[each.value.team].domain]
  write             = each.value.write
  extra_policy_arns = each.value.extra_policy_arns
}
"""

ACCOUNT_TF = """resource "aws_iam_account_password_policy" "this" {
  minimum_password_length        = 14
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = true
  allow_users_to_change_password = true
  max_password_age               = 90
  password_reuse_prevention      = 24
}

resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = var.github_thumbprints
}
"""


def company_groups_tf() -> str:
    blocks = []
    for resource, name, variable, policies, _ in COMPANY_GROUPS:
        blocks.append(f"""resource "aws_iam_group" "{resource}" {{
  name = "{name}"
  path = "/company/"
}}

resource "aws_iam_group_membership" "{resource}" {{
  name  = "{name}-members"
  group = aws_iam_group.{resource}.name
  users = [for name in var.{variable} : aws_iam_user.human[name].name]
}}
""")
        for policy in policies:
            suffix = re.sub(r"[^a-z0-9]+", "_", policy.rsplit("/", 1)[-1].lower())
            blocks.append(f"""resource "aws_iam_group_policy_attachment" "{resource}_{suffix}" {{
  group      = aws_iam_group.{resource}.name
  policy_arn = "{managed(policy)}"
}}
""")
    blocks.append("""resource "aws_iam_policy" "oncall" {
  name        = "oncall-incident-access"
  path        = "/company/"
  description = "Break-glass data access for the on-call rotation"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "IncidentTables"
        Effect   = "Allow"
        Action   = ["dynamodb:*"]
        Resource = "arn:aws:dynamodb:${var.region}:${var.account_id}:table/*"
      },
      {
        Sid      = "IncidentKeys"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:DescribeKey"]
        Resource = values(local.domain_keys)
      },
    ]
  })
}

resource "aws_iam_group_policy_attachment" "oncall" {
  group      = aws_iam_group.oncall.name
  policy_arn = aws_iam_policy.oncall.arn
}
""")
    return "\n".join(blocks)


PARTNERS = """resource "aws_iam_role" "partner" {
  for_each = var.partners

  name                 = "partner-${each.key}"
  path                 = "/partners/"
  max_session_duration = 3600

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${each.value.account_id}:root" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = each.value.external_id } }
    }]
  })
}

data "aws_iam_policy_document" "partner_exports" {
  statement {
    sid       = "ReadExports"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.data["partner-exports"].arn, "${aws_s3_bucket.data["partner-exports"].arn}/*"]
  }
}

resource "aws_iam_policy" "partner_exports" {
  name   = "partner-exports-read"
  path   = "/partners/"
  policy = data.aws_iam_policy_document.partner_exports.json
}

resource "aws_iam_role_policy_attachment" "partner" {
  for_each = var.partners

  role       = aws_iam_role.partner[each.key].name
  policy_arn = aws_iam_policy.partner_exports.arn
}

data "aws_iam_policy_document" "exports_bucket" {
  statement {
    sid       = "PartnersReadExports"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data["partner-exports"].arn}/*"]

    principals {
      type        = "AWS"
      identifiers = [for role in aws_iam_role.partner : role.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.data["partner-exports"].arn, "${aws_s3_bucket.data["partner-exports"].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "exports" {
  bucket = aws_s3_bucket.data["partner-exports"].id
  policy = data.aws_iam_policy_document.exports_bucket.json
}

# Set up by hand in 2019 and imported; the vendor never supported an external id.
resource "aws_iam_role" "legacy_monitoring_vendor" {
  name = "legacy-monitoring-vendor"

  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::464622532012:root"
      },
      "Action": "sts:AssumeRole"
    }
  ]
}
EOF
}

resource "aws_iam_role_policy_attachment" "legacy_monitoring_vendor" {
  role       = aws_iam_role.legacy_monitoring_vendor.name
  policy_arn = "arn:aws:iam::aws:policy/SecurityAudit"
}
"""

OUTPUTS = """output "team_role_arns" {
  value = { for name, role in module.app_role : name => role.arn }
}

output "deploy_role_arns" {
  value = { for name, role in module.deploy_role : name => role.arn }
}

output "service_users" {
  value = { for name, user in module.service_user : name => user.name }
}
"""

# --------------------------------------------------------------------------------------------------- modules

MODULE_VERSIONS = """terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
"""

TEAM_ROLE_VARIABLES = """variable "name" {
  description = "Name of the role."
  type        = string
}

variable "team" {
  type = string
}

variable "account_id" {
  type = string
}

variable "trusted_services" {
  description = "AWS services that may assume the role."
  type        = list(string)
  default     = []
}

variable "allow_human_assume" {
  description = "Whether people of the account may assume the role (with MFA)."
  type        = bool
  default     = false
}

variable "oidc_provider_arn" {
  type    = string
  default = null
}

variable "oidc_subjects" {
  description = "GitHub Actions subjects (repo:<org>/<repo>:...) that may assume the role."
  type        = list(string)
  default     = []
}

variable "bucket_arns" {
  type    = list(string)
  default = []
}

variable "table_arns" {
  type    = list(string)
  default = []
}

variable "kms_key_arn" {
  type    = string
  default = null
}

variable "write" {
  description = "Whether the role writes to its buckets and tables."
  type        = bool
  default     = true
}

variable "extra_statements" {
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []
}

variable "managed_policy_arns" {
  type    = list(string)
  default = []
}

variable "write_logs" {
  type    = bool
  default = false
}

variable "instance_profile" {
  type    = bool
  default = false
}

variable "max_session_duration" {
  type    = number
  default = 3600
}
"""

TEAM_ROLE_MAIN = """locals {
  s3_actions     = var.write ? ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] : ["s3:GetObject"]
  dynamo_read    = ["dynamodb:GetItem", "dynamodb:Query"]
  dynamo_write   = concat(local.dynamo_read, ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"])
  dynamo_actions = var.write ? local.dynamo_write : local.dynamo_read
}

data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = length(var.trusted_services) > 0 ? [var.trusted_services] : []

    content {
      sid     = "ServiceAssumes"
      actions = ["sts:AssumeRole"]

      principals {
        type        = "Service"
        identifiers = statement.value
      }
    }
  }

  dynamic "statement" {
    for_each = var.allow_human_assume ? [var.account_id] : []

    content {
      sid     = "PeopleAssumeWithMfa"
      actions = ["sts:AssumeRole", "sts:TagSession"]

      principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::${statement.value}:root"]
      }

      condition {
        test     = "Bool"
        variable = "aws:MultiFactorAuthPresent"
        values   = ["true"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.oidc_subjects) > 0 ? [var.oidc_subjects] : []

    content {
      sid     = "GitHubActions"
      actions = ["sts:AssumeRoleWithWebIdentity"]

      principals {
        type        = "Federated"
        identifiers = [var.oidc_provider_arn]
      }

      condition {
        test     = "StringEquals"
        variable = "token.actions.githubusercontent.com:aud"
        values   = ["sts.amazonaws.com"]
      }

      condition {
        test     = "StringLike"
        variable = "token.actions.githubusercontent.com:sub"
        values   = statement.value
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  path                 = "/teams/"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration

  tags = {
    team = var.team
  }
}

data "aws_iam_policy_document" "access" {
  dynamic "statement" {
    for_each = length(var.bucket_arns) > 0 ? [var.bucket_arns] : []

    content {
      sid       = "Objects"
      actions   = local.s3_actions
      resources = [for arn in statement.value : "${arn}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.bucket_arns) > 0 ? [var.bucket_arns] : []

    content {
      sid       = "Buckets"
      actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(var.table_arns) > 0 ? [var.table_arns] : []

    content {
      sid       = "Tables"
      actions   = local.dynamo_actions
      resources = concat(statement.value, [for arn in statement.value : "${arn}/index/*"])
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "DataKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.extra_statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_policy" "this" {
  name        = "${var.name}-access"
  path        = "/teams/"
  description = "Data access of the ${var.name} role"
  policy      = data.aws_iam_policy_document.access.json
}

resource "aws_iam_role_policy_attachment" "this" {
  role       = aws_iam_role.this.name
  policy_arn = aws_iam_policy.this.arn
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = toset(var.managed_policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = each.value
}

resource "aws_iam_role_policy" "logs" {
  count = var.write_logs ? 1 : 0

  name = "write-logs"
  role = aws_iam_role.this.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:*:${var.account_id}:log-group:/${var.team}/*"
    }]
  })
}

resource "aws_iam_instance_profile" "this" {
  count = var.instance_profile ? 1 : 0

  name = var.name
  role = aws_iam_role.this.name
}
"""

TEAM_ROLE_OUTPUTS = """output "arn" {
  value = aws_iam_role.this.arn
}

output "name" {
  value = aws_iam_role.this.name
}

output "instance_profile_name" {
  value = one(aws_iam_instance_profile.this[*].name)
}
"""

SERVICE_USER_VARIABLES = """variable "name" {
  type = string
}

variable "team" {
  type = string
}

variable "owner" {
  description = "The person answerable for the user and its key."
  type        = string
}

variable "bucket_arns" {
  type = list(string)
}

variable "table_arns" {
  type = list(string)
}

variable "kms_key_arn" {
  type = string
}

variable "write" {
  type    = bool
  default = false
}

variable "extra_policy_arns" {
  type    = list(string)
  default = []
}
"""

SERVICE_USER_MAIN = """locals {
  table_read  = ["dynamodb:GetItem", "dynamodb:Query"]
  table_write = concat(local.table_read, ["dynamodb:PutItem"])
}

resource "aws_iam_user" "this" {
  name          = var.name
  path          = "/service/"
  force_destroy = true

  tags = {
    team  = var.team
    owner = var.owner
  }
}

resource "aws_iam_access_key" "this" {
  user = aws_iam_user.this.name
}

resource "aws_iam_policy" "this" {
  name        = "${var.name}-access"
  path        = "/service/"
  description = "Data access of the ${var.name} service user"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadObjects"
        Effect   = "Allow"
        Action   = var.write ? ["s3:GetObject", "s3:PutObject"] : ["s3:GetObject"]
        Resource = [for arn in var.bucket_arns : "${arn}/*"]
      },
      {
        Sid      = "ListBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = var.bucket_arns
      },
      {
        Sid      = "Tables"
        Effect   = "Allow"
        Action   = var.write ? local.table_write : local.table_read
        Resource = var.table_arns
      },
      {
        Sid      = "DataKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = var.kms_key_arn
      },
    ]
  })
}

resource "aws_iam_user_policy_attachment" "this" {
  user       = aws_iam_user.this.name
  policy_arn = aws_iam_policy.this.arn
}

resource "aws_iam_user_policy_attachment" "extra" {
  for_each = toset(var.extra_policy_arns)

  user       = aws_iam_user.this.name
  policy_arn = each.value
}
"""

SERVICE_USER_OUTPUTS = """output "name" {
  value = aws_iam_user.this.name
}

output "access_key_id" {
  value = aws_iam_access_key.this.id
}
"""

# --------------------------------------------------------------------------------------------------- repo text


def tfvars(repo: Repo) -> str:
    parts = ["region = \"us-east-1\"\n", "domains = " + hcl(repo.domains) + "\n", "teams = {"]
    for t in repo.teams:
        parts.append(f"""  {key(t.name)} = {{
    domain             = {hcl(t.domain)}
    runtime            = {hcl(t.runtime)}
    buckets            = {hcl(t.buckets)}
    tables             = {hcl(t.tables)}
    allow_human_assume = {hcl(t.allow_human_assume)}
    view_only          = {hcl(t.view_only)}
  }}""")
    parts.append("}\n")
    parts.append("buckets = {")
    parts += [f"  {key(name)} = {hcl({'team': team, 'domain': domain, 'classification': cls})}"
              for name, (team, domain, cls) in repo.buckets.items()]
    parts.append("}\n")
    parts.append("tables = {")
    parts += [f"  {key(name)} = {hcl({'team': team, 'domain': domain, 'classification': cls})}"
              for name, (team, domain, cls) in repo.tables.items()]
    parts.append("}\n")
    parts.append("users = {")
    parts += [f"  {key(h.name)} = {hcl({'team': h.team, 'console': h.console, 'access_key': h.access_key})}"
              for h in repo.humans]
    parts.append("}\n")
    parts.append("services = {")
    for s in repo.services:
        value = {"team": s.team, "owner": s.owner, "write": s.write,
                 "extra_policy_arns": [managed(p) for p in s.extra_policies]}
        parts.append(f"  {key(s.name)} = {hcl(value)}")
    parts.append("}\n")
    parts.append("direct_policy_attachments = {")
    parts += [f"  {key(h.name + '-' + h.direct_policy.lower())} = "
              f"{hcl({'user': h.name, 'policy_arn': managed(h.direct_policy)})}"
              for h in repo.humans if h.direct_policy is not None]
    parts.append("}\n")
    parts.append("partners = {")
    parts += [f"  {key(name)} = {hcl({'account_id': account, 'external_id': external})}"
              for name, account, external in repo.partners]
    parts.append("}\n")
    for _, _, variable, _, _ in COMPANY_GROUPS:
        parts.append(f"{variable} = {listing(repo.company[variable], '')}\n")
    return fmt("\n".join(parts).rstrip("\n") + "\n")


def legacy_tf(repo: Repo) -> str:
    """Inline policies written by hand before the user map existed; heredoc JSON, as they were imported."""
    blocks = ["# Inline policies imported from the console in 2020-2021. Move them to groups (PLAT-1412).\n"]
    for h in repo.humans:
        if not h.legacy_inline:
            continue
        team = next(t for t in repo.teams if t.name == h.team)
        bucket = team.buckets[0]
        statements = [
            {"Sid": "LegacyExports", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": [f"arn:aws:s3:::{ORG}-{bucket}", f"arn:aws:s3:::{ORG}-{bucket}/*"]},
            {"Sid": "LegacyQueues", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
             "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{team.name}-*"},
        ]
        document = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
        blocks.append(f"""resource "aws_iam_user_policy" "legacy_{resource_name(h.name)}" {{
  name = "legacy-{h.name.replace('.', '-')}"
  user = aws_iam_user.human["{h.name}"].name

  policy = <<EOF
{document}
EOF
}}
""")
    return "\n".join(blocks)


def files_of(repo: Repo) -> dict[str, str]:
    team_role = {"main.tf": TEAM_ROLE_MAIN, "variables.tf": TEAM_ROLE_VARIABLES, "outputs.tf": TEAM_ROLE_OUTPUTS,
                 "versions.tf": MODULE_VERSIONS}
    service_user = {"main.tf": SERVICE_USER_MAIN, "variables.tf": SERVICE_USER_VARIABLES,
                    "outputs.tf": SERVICE_USER_OUTPUTS, "versions.tf": MODULE_VERSIONS}
    variables = VARIABLES + """
variable "domains" {
  description = "Business domains; each has a KMS key for its data."
  type        = list(string)
}
"""
    files = {"versions.tf": VERSIONS, "providers.tf": PROVIDERS, "variables.tf": variables, "locals.tf": LOCALS,
             "terraform.tfvars": tfvars(repo), "kms.tf": KMS, "data_stores.tf": STORES, "teams.tf": TEAMS,
             "people.tf": PEOPLE, "legacy_inline_policies.tf": legacy_tf(repo), "services.tf": SERVICES,
             "company_groups.tf": company_groups_tf(), "partners.tf": PARTNERS, "account.tf": ACCOUNT_TF,
             "outputs.tf": OUTPUTS}
    files.update({f"modules/team-role/{name}": text for name, text in team_role.items()})
    files.update({f"modules/service-user/{name}": text for name, text in service_user.items()})
    return {path: fmt(text) for path, text in files.items()}


# --------------------------------------------------------------------------------------------------- output


def stats_of(repo: Repo, files: dict[str, str]) -> dict[str, Any]:
    iam = {kind: n for kind, n in sorted(repo.count.items()) if kind.startswith("aws_iam_") and n}
    other = {kind: n for kind, n in sorted(repo.count.items()) if not kind.startswith("aws_iam_") and n}
    blocks = sum(len(re.findall(r'^resource "', text, re.M)) for path, text in files.items() if path.endswith(".tf"))
    customer = sum(1 for *_, cls in [*repo.buckets.values(), *repo.tables.values()] if cls.startswith("customer_"))
    return {
        "iam_resources": sum(iam.values()),
        "iam_by_type": iam,
        "other_resources": sum(other.values()),
        "other_by_type": other,
        "resource_blocks": blocks,
        "data_blocks": sum(len(re.findall(r'^data "', t, re.M)) for t in files.values()),
        "module_calls": sum(len(re.findall(r'^module "', t, re.M)) for t in files.values()),
        "teams": len(repo.teams),
        "domains": len(repo.domains),
        "people": len(repo.humans),
        "services": len(repo.services),
        "partners": len(repo.partners),
        "customer_stores": customer,
        "users": len(repo.humans) + len(repo.services),
        "files": len(files),
        "lines": sum(t.count("\n") for t in files.values()),
    }


def generate(size_name: str, outdir: str | Path) -> dict[str, Any]:
    """Write the repository of `size_name` into `outdir` (replacing a previous run there); return its stats."""
    size = size_of(size_name)
    out = Path(outdir)
    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()):
            raise SystemExit(f"refusing to replace {out}: it is not empty and was not made by this generator")
        shutil.rmtree(out)
    repo = Repo(size)
    repo.build()
    files = files_of(repo)
    stats = stats_of(repo, files)
    stats["bytes"] = 0
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        stats["bytes"] += len(data)
    (out / MARKER).write_text(json.dumps({"size": size_name, "generator": f"terraform-{GENERATOR_VERSION}",
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
    parser.add_argument("size", help=f"{' | '.join(SIZES)} (or terraform-N, N >= 400)")
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
