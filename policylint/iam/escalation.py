"""IAM privilege escalation: sets of actions that, held together, let an identity give itself more access.

The reference is Cloudsplaining's list (`PRIVILEGE_ESCALATION_METHODS`, after Rhino Security Labs' research and the
pathfinding.cloud additions): each method is named as there, with the actions it needs, all lower case.
An identity allowed every action of a method can change the account's access control, so it counts as `admin` on
the account's access-control resource (DESIGN.md): escalation then shows up in reach.
"""

from __future__ import annotations

from collections.abc import Set

_PASS = "iam:passrole"
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
    "CreateEC2WithExistingIP": [_PASS, "ec2:runinstances"],
    "PassExistingRoleToNewLambdaThenInvoke": [_PASS, "lambda:createfunction", "lambda:invokefunction"],
    "PassExistingRoleToNewLambdaThenTriggerWithNewDynamo": [
        _PASS, "lambda:createfunction", "lambda:createeventsourcemapping", "dynamodb:createtable", "dynamodb:putitem"],
    "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo": [
        _PASS, "lambda:createfunction", "lambda:createeventsourcemapping"],
    "PassExistingRoleToNewGlueDevEndpoint": [_PASS, "glue:createdevendpoint"],
    "PassExistingRoleToCloudFormation": [_PASS, "cloudformation:createstack"],
    "PassExistingRoleToNewDataPipeline": [_PASS, "datapipeline:createpipeline"],
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
    "PassExistingRoleToNewAppRunnerService": [_PASS, "apprunner:createservice"],
    "PassExistingRoleToNewBedrockCodeInterpreter": [
        _PASS, "bedrock-agentcore:createcodeinterpreter", "bedrock-agentcore:startcodeinterpretersession",
        "bedrock-agentcore:invokecodeinterpreter"],
    "PassExistingRoleToNewCloudFormationStackSet": [
        _PASS, "cloudformation:createstackset", "cloudformation:createstackinstances"],
    "PassRoleToUpdateCloudFormationStackSet": [_PASS, "cloudformation:updatestackset"],
    "PassExistingRoleToNewCodeBuildProjectThenBuild": [_PASS, "codebuild:createproject", "codebuild:startbuild"],
    "PassExistingRoleToNewCodeBuildProjectThenBuildBatch": [
        _PASS, "codebuild:createproject", "codebuild:startbuildbatch"],
    "PassExistingRoleToNewEC2SpotInstance": [_PASS, "ec2:requestspotinstances"],
    "PassExistingRoleToNewECSClusterServiceTask": [
        _PASS, "ecs:createcluster", "ecs:registertaskdefinition", "ecs:createservice"],
    "PassExistingRoleToNewECSClusterRunTask": [
        _PASS, "ecs:createcluster", "ecs:registertaskdefinition", "ecs:runtask"],
    "PassExistingRoleToNewECSService": [_PASS, "ecs:registertaskdefinition", "ecs:createservice"],
    "PassExistingRoleToNewECSTaskViaRunTask": [_PASS, "ecs:registertaskdefinition", "ecs:runtask"],
    "PassExistingRoleToNewECSTaskViaStartTask": [_PASS, "ecs:registertaskdefinition", "ecs:starttask"],
    "PassExistingRoleToNewGlueJobThenRun": [_PASS, "glue:createjob", "glue:startjobrun"],
    "PassExistingRoleToNewGlueJobViaTrigger": [_PASS, "glue:createjob", "glue:createtrigger"],
    "PassExistingRoleToUpdatedGlueJobThenRun": [_PASS, "glue:updatejob", "glue:startjobrun"],
    "PassExistingRoleToUpdatedGlueJobViaTrigger": [_PASS, "glue:updatejob", "glue:createtrigger"],
    "PassExistingRoleToNewLambdaThenAddPermission": [_PASS, "lambda:createfunction", "lambda:addpermission"],
    "PassExistingRoleToNewSageMakerNotebookInstance": [_PASS, "sagemaker:createnotebookinstance"],
    "PassExistingRoleToNewSageMakerTrainingJob": [_PASS, "sagemaker:createtrainingjob"],
    "PassExistingRoleToNewSageMakerProcessingJob": [_PASS, "sagemaker:createprocessingjob"],
    "CreateAndRotateAccessKey": ["iam:createaccesskey", "iam:deleteaccesskey"],
    "AttachUserPolicyThenCreateAccessKey": ["iam:attachuserpolicy", "iam:createaccesskey"],
    "CreatePolicyVersionThenAssumeRole": ["iam:createpolicyversion", "sts:assumerole"],
    "PutUserPolicyThenCreateAccessKey": ["iam:putuserpolicy", "iam:createaccesskey"],
    "AttachRolePolicyThenUpdateAssumeRolePolicy": ["iam:attachrolepolicy", "iam:updateassumerolepolicy"],
    "CreatePolicyVersionThenUpdateAssumeRolePolicy": ["iam:createpolicyversion", "iam:updateassumerolepolicy"],
    "PutRolePolicyThenUpdateAssumeRolePolicy": ["iam:putrolepolicy", "iam:updateassumerolepolicy"],
}.items()}
ACTIONS: frozenset[str] = frozenset().union(*METHODS.values())


def methods(allowed: Set[str]) -> tuple[str, ...]:
    """The methods whose every action is allowed, leaving out those that only add actions to another found one."""
    found = [(name, needs) for name, needs in METHODS.items() if needs <= allowed]
    return tuple(sorted(name for name, needs in found if not any(other < needs for _, other in found)))
