"""IAM privilege escalation: sets of actions that, held together, let an identity give itself more access, and what
each set gains.

The reference is Cloudsplaining's list (`PRIVILEGE_ESCALATION_METHODS`, after Rhino Security Labs' research and the
pathfinding.cloud additions): each method is named as there, with the actions it needs, all lower case.

Methods differ in what they gain (Cloudsplaining sorts them into Bishop Fox's five categories; pathfinding.cloud into
self-escalation, principal access, new-passrole and existing-passrole). We keep three gains, by what the holder can
reach afterwards:

- `IAM`: it changes IAM itself (a policy version, an attached or inline policy, a group's members, a role's trust):
  it can grant itself anything in its account. Admin on the account's access-control resource, as DESIGN.md has it.
- `USERS`: it creates or resets another IAM user's access key or console password (pathfinding.cloud's "principal
  access") and signs in as that user: whatever any user it may target can do. Which users matter is not modelled
  (acting as a user is no edge the model has), so it counts as admin on the account's access control (fail closed).
- `ROLES`: it runs code as a role an AWS service may assume, by passing an existing role to a new compute resource
  (iam:PassRole with ec2:RunInstances, lambda:CreateFunction, …) or by changing an existing one that already runs
  with a role (lambda:UpdateFunctionCode, glue:UpdateDevEndpoint, ec2-instance-connect:SendSSHPublicKey, …):
  whatever the roles that trust the service (`Gain.services`, their trust policies' service principals, after
  pathfinding.cloud's write-ups) can do, and of those, when it passes one, only the roles iam:PassRole names. Where
  the account's roles are not all known, it counts as admin on the account's access control (fail closed); an
  authorization-details export lists every role with its trust policy, so there the holder reaches the roles that
  trust the service, in that file or any other (`sources/aws/permissions.py`, `sources/aws/link.py`).

iam:PassRole allowed only where `iam:PassedToService` names some services passes roles to those services only: in
the set of allowed actions it is `passed_to(service)` for each of them rather than `iam:passrole`.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from typing import Literal

PASS = "iam:passrole"
METHODS: dict[str, frozenset[str]] = {name: frozenset(actions) for name, actions in {
    # IAM permissions on other users
    "CreateAccessKey": ["iam:createaccesskey"],
    "CreateLoginProfile": ["iam:createloginprofile"],
    "UpdateLoginProfile": ["iam:updateloginprofile"],
    "AddUserToGroup": ["iam:addusertogroup"],
    # permissions on policies
    "CreateNewPolicyVersion": ["iam:createpolicyversion"],
    "SetExistingDefaultPolicyVersion": ["iam:setdefaultpolicyversion"],
    "AttachUserPolicy": ["iam:attachuserpolicy"],
    "AttachGroupPolicy": ["iam:attachgrouppolicy"],
    "AttachRolePolicy": ["iam:attachrolepolicy"],
    "PutUserPolicy": ["iam:putuserpolicy"],
    "PutGroupPolicy": ["iam:putgrouppolicy"],
    "PutRolePolicy": ["iam:putrolepolicy"],
    # updating an assume-role policy
    "UpdateRolePolicyToAssumeIt": ["iam:updateassumerolepolicy"],
    # iam:PassRole to a new compute resource
    "CreateEC2WithExistingIP": [PASS, "ec2:runinstances"],
    "PassExistingRoleToNewLambdaThenInvoke": [PASS, "lambda:createfunction", "lambda:invokefunction"],
    "PassExistingRoleToNewLambdaThenTriggerWithNewDynamo": [
        PASS, "lambda:createfunction", "lambda:createeventsourcemapping", "dynamodb:createtable", "dynamodb:putitem"],
    "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo": [
        PASS, "lambda:createfunction", "lambda:createeventsourcemapping"],
    "PassExistingRoleToNewGlueDevEndpoint": [PASS, "glue:createdevendpoint"],
    "PassExistingRoleToCloudFormation": [PASS, "cloudformation:createstack"],
    "PassExistingRoleToNewDataPipeline": [PASS, "datapipeline:createpipeline"],
    # AWS services that run code as an existing role
    "UpdateExistingGlueDevEndpoint": ["glue:updatedevendpoint"],
    "EditExistingLambdaFunctionWithRole": ["lambda:updatefunctioncode"],
    # pathfinding.cloud additions
    "AccessExistingBedrockCodeInterpreterSession": [
        "bedrock-agentcore:startcodeinterpretersession", "bedrock-agentcore:invokecodeinterpreter"],
    "ExecuteCloudFormationChangeSet": ["cloudformation:createchangeset", "cloudformation:executechangeset"],
    "ModifyEC2InstanceUserDataThenRestart": ["ec2:modifyinstanceattribute", "ec2:stopinstances", "ec2:startinstances"],
    "ModifyExistingEC2LaunchTemplate": ["ec2:createlaunchtemplateversion", "ec2:modifylaunchtemplate"],
    "EC2InstanceConnectSendSSHPublicKey": ["ec2-instance-connect:sendsshpublickey", "ec2:describeinstances"],
    "ECSExecuteCommandOnRunningTask": ["ecs:executecommand", "ecs:describetasks"],
    "UpdateAndInvokeLambdaFunction": ["lambda:updatefunctioncode", "lambda:invokefunction"],
    "UpdateLambdaFunctionAndAddPermission": ["lambda:updatefunctioncode", "lambda:addpermission"],
    "CreatePresignedSageMakerNotebookUrl": ["sagemaker:createpresignednotebookinstanceurl"],
    "UpdateSageMakerNotebookLifecycleConfig": [
        "sagemaker:createnotebookinstancelifecycleconfig", "sagemaker:stopnotebookinstance",
        "sagemaker:updatenotebookinstance", "sagemaker:startnotebookinstance"],
    "PassExistingRoleToNewAppRunnerService": [PASS, "apprunner:createservice"],
    "PassExistingRoleToNewBedrockCodeInterpreter": [
        PASS, "bedrock-agentcore:createcodeinterpreter", "bedrock-agentcore:startcodeinterpretersession",
        "bedrock-agentcore:invokecodeinterpreter"],
    "PassExistingRoleToNewCloudFormationStackSet": [
        PASS, "cloudformation:createstackset", "cloudformation:createstackinstances"],
    "PassRoleToUpdateCloudFormationStackSet": [PASS, "cloudformation:updatestackset"],
    "PassExistingRoleToNewCodeBuildProjectThenBuild": [PASS, "codebuild:createproject", "codebuild:startbuild"],
    "PassExistingRoleToNewCodeBuildProjectThenBuildBatch": [
        PASS, "codebuild:createproject", "codebuild:startbuildbatch"],
    "PassExistingRoleToNewEC2SpotInstance": [PASS, "ec2:requestspotinstances"],
    "PassExistingRoleToNewECSClusterServiceTask": [
        PASS, "ecs:createcluster", "ecs:registertaskdefinition", "ecs:createservice"],
    "PassExistingRoleToNewECSClusterRunTask": [
        PASS, "ecs:createcluster", "ecs:registertaskdefinition", "ecs:runtask"],
    "PassExistingRoleToNewECSService": [PASS, "ecs:registertaskdefinition", "ecs:createservice"],
    "PassExistingRoleToNewECSTaskViaRunTask": [PASS, "ecs:registertaskdefinition", "ecs:runtask"],
    "PassExistingRoleToNewECSTaskViaStartTask": [PASS, "ecs:registertaskdefinition", "ecs:starttask"],
    "PassExistingRoleToNewGlueJobThenRun": [PASS, "glue:createjob", "glue:startjobrun"],
    "PassExistingRoleToNewGlueJobViaTrigger": [PASS, "glue:createjob", "glue:createtrigger"],
    "PassExistingRoleToUpdatedGlueJobThenRun": [PASS, "glue:updatejob", "glue:startjobrun"],
    "PassExistingRoleToUpdatedGlueJobViaTrigger": [PASS, "glue:updatejob", "glue:createtrigger"],
    "PassExistingRoleToNewLambdaThenAddPermission": [PASS, "lambda:createfunction", "lambda:addpermission"],
    "PassExistingRoleToNewSageMakerNotebookInstance": [PASS, "sagemaker:createnotebookinstance"],
    "PassExistingRoleToNewSageMakerTrainingJob": [PASS, "sagemaker:createtrainingjob"],
    "PassExistingRoleToNewSageMakerProcessingJob": [PASS, "sagemaker:createprocessingjob"],
    "CreateAndRotateAccessKey": ["iam:createaccesskey", "iam:deleteaccesskey"],
    "AttachUserPolicyThenCreateAccessKey": ["iam:attachuserpolicy", "iam:createaccesskey"],
    "CreatePolicyVersionThenAssumeRole": ["iam:createpolicyversion", "sts:assumerole"],
    "PutUserPolicyThenCreateAccessKey": ["iam:putuserpolicy", "iam:createaccesskey"],
    "AttachRolePolicyThenUpdateAssumeRolePolicy": ["iam:attachrolepolicy", "iam:updateassumerolepolicy"],
    "CreatePolicyVersionThenUpdateAssumeRolePolicy": ["iam:createpolicyversion", "iam:updateassumerolepolicy"],
    "PutRolePolicyThenUpdateAssumeRolePolicy": ["iam:putrolepolicy", "iam:updateassumerolepolicy"],
}.items()}
ACTIONS: frozenset[str] = frozenset().union(*METHODS.values())

GainKind = Literal["iam", "users", "roles"]
IAM: GainKind = "iam"
USERS: GainKind = "users"
ROLES: GainKind = "roles"
_KINDS: tuple[GainKind, ...] = (IAM, USERS, ROLES)


@dataclass(frozen=True, slots=True)
class Gain:
    """What a method gains: `IAM`, `USERS`, or `ROLES` of the AWS services named (their trust policies' principals)."""

    kind: GainKind
    services: tuple[str, ...] = ()


_EC2 = Gain(ROLES, ("ec2.amazonaws.com",))
_LAMBDA = Gain(ROLES, ("lambda.amazonaws.com",))
_GLUE = Gain(ROLES, ("glue.amazonaws.com",))
_CLOUDFORMATION = Gain(ROLES, ("cloudformation.amazonaws.com",))
_ECS = Gain(ROLES, ("ecs-tasks.amazonaws.com",))
_SAGEMAKER = Gain(ROLES, ("sagemaker.amazonaws.com",))
_BEDROCK = Gain(ROLES, ("bedrock-agentcore.amazonaws.com",))
_CODEBUILD = Gain(ROLES, ("codebuild.amazonaws.com",))
# the pipeline's role trusts Data Pipeline and EMR; its resource role (the instances it starts) trusts EC2
_DATAPIPELINE = Gain(ROLES, ("datapipeline.amazonaws.com", "ec2.amazonaws.com", "elasticmapreduce.amazonaws.com"))
_APPRUNNER = Gain(ROLES, ("tasks.apprunner.amazonaws.com",))  # the service's instance role
_USER_CREDENTIALS = frozenset(
    {"CreateAccessKey", "CreateLoginProfile", "UpdateLoginProfile", "CreateAndRotateAccessKey"})
_SERVICE_ROLES: dict[str, Gain] = {
    "CreateEC2WithExistingIP": _EC2,
    "PassExistingRoleToNewEC2SpotInstance": _EC2,
    "ModifyEC2InstanceUserDataThenRestart": _EC2,
    "ModifyExistingEC2LaunchTemplate": _EC2,
    "EC2InstanceConnectSendSSHPublicKey": _EC2,
    "PassExistingRoleToNewLambdaThenInvoke": _LAMBDA,
    "PassExistingRoleToNewLambdaThenTriggerWithNewDynamo": _LAMBDA,
    "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo": _LAMBDA,
    "PassExistingRoleToNewLambdaThenAddPermission": _LAMBDA,
    "EditExistingLambdaFunctionWithRole": _LAMBDA,
    "UpdateAndInvokeLambdaFunction": _LAMBDA,
    "UpdateLambdaFunctionAndAddPermission": _LAMBDA,
    "PassExistingRoleToNewGlueDevEndpoint": _GLUE,
    "UpdateExistingGlueDevEndpoint": _GLUE,
    "PassExistingRoleToNewGlueJobThenRun": _GLUE,
    "PassExistingRoleToNewGlueJobViaTrigger": _GLUE,
    "PassExistingRoleToUpdatedGlueJobThenRun": _GLUE,
    "PassExistingRoleToUpdatedGlueJobViaTrigger": _GLUE,
    "PassExistingRoleToCloudFormation": _CLOUDFORMATION,
    "ExecuteCloudFormationChangeSet": _CLOUDFORMATION,
    "PassExistingRoleToNewCloudFormationStackSet": _CLOUDFORMATION,
    "PassRoleToUpdateCloudFormationStackSet": _CLOUDFORMATION,
    "PassExistingRoleToNewDataPipeline": _DATAPIPELINE,
    "ECSExecuteCommandOnRunningTask": _ECS,
    "PassExistingRoleToNewECSClusterServiceTask": _ECS,
    "PassExistingRoleToNewECSClusterRunTask": _ECS,
    "PassExistingRoleToNewECSService": _ECS,
    "PassExistingRoleToNewECSTaskViaRunTask": _ECS,
    "PassExistingRoleToNewECSTaskViaStartTask": _ECS,
    "CreatePresignedSageMakerNotebookUrl": _SAGEMAKER,
    "UpdateSageMakerNotebookLifecycleConfig": _SAGEMAKER,
    "PassExistingRoleToNewSageMakerNotebookInstance": _SAGEMAKER,
    "PassExistingRoleToNewSageMakerTrainingJob": _SAGEMAKER,
    "PassExistingRoleToNewSageMakerProcessingJob": _SAGEMAKER,
    "AccessExistingBedrockCodeInterpreterSession": _BEDROCK,
    "PassExistingRoleToNewBedrockCodeInterpreter": _BEDROCK,
    "PassExistingRoleToNewCodeBuildProjectThenBuild": _CODEBUILD,
    "PassExistingRoleToNewCodeBuildProjectThenBuildBatch": _CODEBUILD,
    "PassExistingRoleToNewAppRunnerService": _APPRUNNER,
}
GAINS: dict[str, Gain] = {
    name: _SERVICE_ROLES.get(name) or Gain(USERS if name in _USER_CREDENTIALS else IAM) for name in METHODS}


SERVICES: frozenset[str] = frozenset(s for gain in GAINS.values() for s in gain.services)


def passed_to(service: str) -> str:
    """iam:PassRole allowed only for passing roles to one service (`iam:PassedToService`), as an allowed action."""
    return f"{PASS}>{service}"


def methods(allowed: Set[str]) -> tuple[str, ...]:
    """The methods whose every action is allowed, leaving out those that only add actions to another found one."""
    found = [(name, needs) for name, needs in METHODS.items() if _allows(name, needs, allowed)]
    return tuple(sorted(name for name, needs in found if not any(other < needs for _, other in found)))


def _allows(name: str, needs: frozenset[str], allowed: Set[str]) -> bool:
    if PASS not in needs:
        return needs <= allowed
    passes = PASS in allowed or any(passed_to(s) in allowed for s in GAINS[name].services)
    return passes and needs - {PASS} <= allowed


def by_gain(found: Iterable[str]) -> list[tuple[Gain, tuple[str, ...]]]:
    """The methods found, grouped by what they gain: `IAM` first, then `USERS`, then `ROLES` by service."""
    groups: dict[Gain, list[str]] = {}
    for name in sorted(found):
        groups.setdefault(GAINS[name], []).append(name)
    ordered = sorted(groups.items(), key=lambda item: (_KINDS.index(item[0].kind), item[0].services))
    return [(gain, tuple(names)) for gain, names in ordered]
