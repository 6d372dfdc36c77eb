"""AWS-managed policies a template attaches by ARN (`arn:aws:iam::aws:policy/...`) but does not contain.

A small table, keyed by the policy's name, of the common ones. The documents are AWS's own (AWS Managed Policy
Reference), cut down to their statements on services policylint models (IAM, STS, KMS, S3, DynamoDB, RDS) plus
short ones kept whole; `ReadOnlyAccess`, whose real document lists hundreds of actions, is approximated from above
by every `Get*`/`List*`/`Describe*`/… action (it reads data: `s3:GetObject`, `dynamodb:Query`).

A policy the table does not know (or a customer-managed ARN the template does not define) is kept as one grant
named by its ARN (`via`) of read, write and delete on every AWS resource and key (`aws:*`), but not admin on access
control: its content is unknown, so it is assumed to reach data (fail closed) without claiming an escalation that
would flag every service role.
"""

from __future__ import annotations

from typing import Any

from policylint.iam.policy import ANY_ACCESS_CONTROL
from policylint.model import Grant, Location

_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
_ECR_PULL = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
             "ecr:BatchGetImage"]


def _allow(actions: list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


_DOCUMENTS: dict[str, list[dict[str, Any]]] = {
    "AdministratorAccess": [_allow(["*"])],
    "PowerUserAccess": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        _allow(["account:GetAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
                "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                "organizations:DescribeOrganization"]),
    ],
    "ReadOnlyAccess": [_allow(["*:Get*", "*:List*", "*:Describe*", "*:BatchGet*", "*:Query*", "*:Scan*",
                               "*:Search*", "*:Select*", "*:Lookup*", "*:View*"])],
    "AmazonS3FullAccess": [_allow(["s3:*", "s3-object-lambda:*"])],
    "AmazonS3ReadOnlyAccess": [_allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
                                       "s3-object-lambda:List*"])],
    "AmazonDynamoDBFullAccess": [_allow(["dynamodb:*", "dax:*"])],
    "AmazonDynamoDBReadOnlyAccess": [_allow(["dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*",
                                             "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
                                             "dynamodb:PartiQLSelect", "dax:Describe*", "dax:List*", "dax:GetItem",
                                             "dax:BatchGetItem", "dax:Query", "dax:Scan"])],
    "AmazonRDSFullAccess": [_allow(["rds:*"])],
    "AmazonRDSReadOnlyAccess": [_allow(["rds:Describe*", "rds:ListTagsForResource"])],
    "AmazonRDSDataFullAccess": [_allow(["rds-data:*"])],
    "IAMFullAccess": [_allow(["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization",
                              "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy",
                              "organizations:ListChildren", "organizations:ListParents",
                              "organizations:ListPoliciesForTarget", "organizations:ListRoots",
                              "organizations:ListPolicies", "organizations:ListTargetsForPolicy"])],
    "IAMReadOnlyAccess": [_allow(["iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails",
                                  "iam:Get*", "iam:List*", "iam:SimulateCustomPolicy",
                                  "iam:SimulatePrincipalPolicy"])],
    "AWSKeyManagementServicePowerUser": [_allow(["kms:CreateAlias", "kms:CreateKey", "kms:DeleteAlias",
                                                 "kms:Describe*", "kms:GenerateRandom", "kms:Get*", "kms:List*",
                                                 "kms:TagResource", "kms:UntagResource", "iam:ListGroups",
                                                 "iam:ListRoles", "iam:ListUsers"])],
    "AWSLambdaBasicExecutionRole": [_allow(_LOGS)],
    "AWSLambdaVPCAccessExecutionRole": [_allow([*_LOGS, "ec2:CreateNetworkInterface",
                                                "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                                                "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
                                                "ec2:UnassignPrivateIpAddresses"])],
    "AWSXrayWriteOnlyAccess": [_allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords",
                                       "xray:GetSamplingRules", "xray:GetSamplingTargets",
                                       "xray:GetSamplingStatisticSummaries"])],
    "CloudWatchLogsFullAccess": [_allow(["logs:*", "cloudwatch:GenerateQuery"])],
    "AmazonSSMManagedInstanceCore": [_allow([
        "ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument",
        "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations",
        "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems",
        "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
        "ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel", "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint",
        "ec2messages:GetMessages", "ec2messages:SendReply"])],
    "AmazonECSTaskExecutionRolePolicy": [_allow([*_ECR_PULL, "logs:CreateLogStream", "logs:PutLogEvents"])],
    "AmazonEC2ContainerServiceforEC2Role": [_allow([
        "ec2:DescribeTags", "ecs:CreateCluster", "ecs:DeregisterContainerInstance", "ecs:DiscoverPollEndpoint",
        "ecs:Poll", "ecs:RegisterContainerInstance", "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState",
        "ecs:Submit*", *_ECR_PULL, "logs:CreateLogStream", "logs:PutLogEvents"])],
}


def aws_managed_name(arn: str) -> str | None:
    """`arn:aws:iam::aws:policy/service-role/X` -> `X`; None for an ARN that is not an AWS-managed policy's."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and parts[4] == "aws" \
            and parts[5].startswith("policy/"):
        return parts[5].rsplit("/", 1)[-1]
    return None


def aws_managed_document(name: str) -> dict[str, Any] | None:
    """The (cut-down) document of an AWS-managed policy the table knows."""
    statements = _DOCUMENTS.get(name)
    return None if statements is None else {"Version": "2012-10-17", "Statement": statements}


def unknown_policy_grant(arn: str, location: Location) -> Grant:
    """What a policy whose content the template does not show is assumed to allow (see the module docstring)."""
    return Grant("aws:*", ("read", "write", "delete"), location, excluding=(ANY_ACCESS_CONTROL,), via=arn)


KNOWN = frozenset(_DOCUMENTS)
