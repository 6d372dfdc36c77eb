"""Each AWS resource type of a plan as the CloudFormation properties it amounts to (`plan_cfn`)."""

from __future__ import annotations

from typing import Any

from policylint.iam.managed_policies import aws_managed_document, aws_managed_name
from policylint.sources.terraform import plan_aws_data, plan_aws_keys
from policylint.sources.terraform.plan_aws_data import Known, Linker
from policylint.sources.terraform.plan_cfn import Translation, configured, intrinsic, policy_text, tags
from policylint.sources.terraform.plan_read import TfResource

_KINDS = {"aws_iam_user": ("AWS::IAM::User", "UserName"), "aws_iam_group": ("AWS::IAM::Group", "GroupName"),
          "aws_iam_role": ("AWS::IAM::Role", "RoleName")}
_LISTS = {"user": "Users", "group": "Groups", "role": "Roles"}


def translate(t: Translation) -> None:
    """Identities, policies, keys and stores first; then what attaches to them (attachments, profiles, logging, key
    policies); last what adds to those (KMS grants to a key's policy) or names them by a known ARN (`Known`)."""
    first: list[TfResource] = []
    then: list[TfResource] = []
    last: list[TfResource] = []
    for resource in t.plan.resources:
        (first if resource.type in _FIRST else last if resource.type in _LAST else then).append(resource)
    for resource in first:
        _FIRST[resource.type](t, resource)
    for resource in then:
        reader = _THEN.get(resource.type)
        if reader is not None:
            reader(t, resource)
    if last:
        known = Known(t.plan)
        for resource in last:
            _LAST[resource.type](t, resource, known)


def _holder(t: Translation, r: TfResource) -> None:
    kind, name_property = _KINDS[r.type]
    props: dict[str, Any] = {name_property: t.text_of(r, "name"), "Path": r.values.get("path"),
                             "Tags": tags(t, r)}
    if r.type == "aws_iam_role":
        props["AssumeRolePolicyDocument"] = policy_text(t, r, "assume_role_policy")
        props["Policies"] = _inline_policies(t, r) or None
        arns = t.items(r, "managed_policy_arns") if configured(t, r, "managed_policy_arns") else []
        props["ManagedPolicyArns"] = [a for a in arns if isinstance(a, str | dict)] or None
    t.add(r, kind, props)


def _inline_policies(t: Translation, r: TfResource) -> list[dict[str, Any]]:
    """A role's `inline_policy` blocks; one not known until apply (the block, or its `policy`) is an open one, named
    by what is open when its name is too. AWS provider 5 computes both `inline_policy` and `managed_policy_arns` of a
    new role that sets neither (unknown until apply): those are the policies other resources attach, read from
    them. A role the plan keeps has what the provider read of it instead, so there an `inline_policy` unknown that
    no expression sets is the configuration's: a `dynamic` block over what is known only after apply (the plan's
    configuration leaves `dynamic` blocks out)."""
    if not (configured(t, r, "inline_policy") or r.kept):
        return []
    marks = r.unknown.get("inline_policy")
    if marks is True:
        opened = t.open(r, "inline_policy")
        return [{"PolicyName": opened["Ref"], "PolicyDocument": opened}]
    blocks = r.values.get("inline_policy")
    if intrinsic(blocks):  # an HCL configuration's `inline_policy = var.policies`, left open
        return [{"PolicyName": r.address, "PolicyDocument": blocks}]
    blocks = blocks if isinstance(blocks, list) else []
    marks = marks if isinstance(marks, list) else []
    policies = []
    for index in range(max(len(blocks), len(marks))):  # Terraform < 1.3 left out a block that held nothing known
        block = _dict(blocks[index]) if index < len(blocks) else {}
        mark = marks[index] if index < len(marks) else None
        unknown = index >= len(blocks) or mark is True or (isinstance(mark, dict) and mark.get("policy") is True)
        document = t.open(r, f"inline_policy[{index}].policy") if unknown else block.get("policy")
        if document:
            name = block.get("name") or (document["Ref"] if unknown else r.address)
            policies.append({"PolicyName": name, "PolicyDocument": document})
    return policies


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _policy(t: Translation, r: TfResource) -> None:
    t.add(r, "AWS::IAM::ManagedPolicy", {"ManagedPolicyName": t.text_of(r, "name"), "Path": r.values.get("path"),
                                         "PolicyDocument": policy_text(t, r)})


def _named_holder(t: Translation, noun: str, name: Any) -> str | None:
    """The logical id of the plan's user, group or role a name (or a `Ref` to it) names."""
    if isinstance(name, dict) and isinstance(name.get("Ref"), str):
        return name["Ref"] if name["Ref"] in t.resources else None
    return t.named({"user": "AWS::IAM::User", "group": "AWS::IAM::Group", "role": "AWS::IAM::Role"}[noun], name)


def _own_policy(t: Translation, arn: Any) -> str | None:
    if isinstance(arn, dict) and isinstance(arn.get("Ref"), str) and arn["Ref"] in t.resources:
        return arn["Ref"] if t.resources[arn["Ref"]]["Type"] == "AWS::IAM::ManagedPolicy" else None
    return t.policy_by_arn.get(arn) if isinstance(arn, str) else None


def _attach(t: Translation, r: TfResource, noun: str, name: Any, arn: Any, index: int) -> None:
    """One identity attaching one policy, as CloudFormation says it."""
    if name is None:
        return
    own = _own_policy(t, arn)
    if own is not None:
        t.resources[own]["Properties"].setdefault(_LISTS[noun], []).append(name)
        return
    holder = _named_holder(t, noun, name)
    if holder is not None and isinstance(arn, str):
        t.resources[holder]["Properties"].setdefault("ManagedPolicyArns", []).append(arn)
        return
    managed = aws_managed_name(arn) if isinstance(arn, str) else None
    document = aws_managed_document(managed) if managed else None
    t.add(r, "AWS::IAM::Policy", {"PolicyName": arn if isinstance(arn, str) else r.address,
                                  _LISTS[noun]: [name],
                                  "PolicyDocument": document or t.open(r, "policy_arn")},
          logical=f"{r.address}#{noun}{index}")


def _attachment(t: Translation, r: TfResource) -> None:
    noun = r.type.removeprefix("aws_iam_").removesuffix("_policy_attachment")
    _attach(t, r, noun, t.text_of(r, noun), t.value(r, "policy_arn"), 0)


def _policy_attachment(t: Translation, r: TfResource) -> None:
    arn = t.value(r, "policy_arn")
    for attr, noun in (("users", "user"), ("groups", "group"), ("roles", "role")):
        for index, name in enumerate(_names(t, r, attr)):
            _attach(t, r, noun, name, arn, index)


def _names(t: Translation, r: TfResource, attr: str) -> list[Any]:
    return [name for name in t.items(r, attr) if isinstance(name, str | dict)]


def _inline(t: Translation, r: TfResource) -> None:
    noun = r.type.removeprefix("aws_iam_").removesuffix("_policy")
    key = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[noun]
    t.add(r, f"AWS::IAM::{noun.capitalize()}Policy", {"PolicyName": r.values.get("name") or r.address,
                                                       key: t.text_of(r, noun), "PolicyDocument": policy_text(t, r)})


def _group_membership(t: Translation, r: TfResource) -> None:
    t.add(r, "AWS::IAM::UserToGroupAddition", {"GroupName": t.text_of(r, "group"), "Users": _names(t, r, "users")})


def _user_group_membership(t: Translation, r: TfResource) -> None:
    user = t.text_of(r, "user")
    for index, group in enumerate(_names(t, r, "groups")):
        t.add(r, "AWS::IAM::UserToGroupAddition", {"GroupName": group, "Users": [user]},
              logical=f"{r.address}#group{index}")


def _access_key(t: Translation, r: TfResource) -> None:
    status = r.values.get("status")
    t.add(r, "AWS::IAM::AccessKey", {"UserName": t.text_of(r, "user"),
                                     "Status": status if isinstance(status, str) else None})


def _login_profile(t: Translation, r: TfResource) -> None:
    user = _named_holder(t, "user", t.text_of(r, "user"))
    if user is not None:
        t.resources[user]["Properties"]["LoginProfile"] = {}
        t.property_at.setdefault(user, {})["LoginProfile"] = r.location  # the password is the login profile's


def _instance_profile(t: Translation, r: TfResource) -> None:
    role = t.text_of(r, "role")
    t.add(r, "AWS::IAM::InstanceProfile", {"InstanceProfileName": t.text_of(r, "name"), "Path": r.values.get("path"),
                                           "Roles": [role] if role is not None else []})


_FIRST = {"aws_iam_user": _holder, "aws_iam_group": _holder, "aws_iam_role": _holder, "aws_iam_policy": _policy,
          **plan_aws_data.FIRST, **plan_aws_keys.FIRST}
_THEN = {"aws_iam_role_policy_attachment": _attachment, "aws_iam_user_policy_attachment": _attachment,
         "aws_iam_group_policy_attachment": _attachment, "aws_iam_policy_attachment": _policy_attachment,
         "aws_iam_role_policy": _inline, "aws_iam_user_policy": _inline, "aws_iam_group_policy": _inline,
         "aws_iam_group_membership": _group_membership, "aws_iam_user_group_membership": _user_group_membership,
         "aws_iam_access_key": _access_key, "aws_iam_user_login_profile": _login_profile,
         "aws_iam_instance_profile": _instance_profile, **plan_aws_data.THEN, **plan_aws_keys.THEN}
_LAST: dict[str, Linker] = {**plan_aws_data.LAST, **plan_aws_keys.LAST}
READ = frozenset({*_FIRST, *_THEN, *_LAST})
