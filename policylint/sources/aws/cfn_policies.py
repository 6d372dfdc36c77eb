"""A template's resource policies (S3 bucket, S3 access point, SQS queue, SNS topic, Secrets Manager secret
policies, a DynamoDB table's own `ResourcePolicy`), and what its values leave open.

- A resource policy gives its actions to the principals it names (`iam.resource_policy`) on the resources it is
  attached to: a bucket policy's `Bucket`, a queue policy's `Queues`, a topic policy's `Topics`, a secret
  policy's `SecretId`, the table whose property it is, an access point's `Bucket` (what an access point's policy
  gives on its `accesspoint/…/object/*` is the bucket's objects; that the bucket policy delegates to access points
  is not checked: fail closed). Its `Resource`
  can only name that resource (`*` in a queue or topic policy is the queue or topic itself), so every grant is on
  the target's id; a target the template does not determine leaves the statement's own ARNs (a bucket policy) or
  every queue or topic (fail closed). `*` is anyone; under a condition on who (aws:PrincipalOrgID, …) it is the
  group of everyone that condition admits (`trust.anyone`), implied here.
- Where a value the template does not determine (a parameter without Default, `AWS::StackName`, an import) widens
  a statement, its grants say so: their condition starts `template leaves open: ` and names the value
  (`cfn_opened.Opened`), as `*` is then an assumption, not what the template writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlparse

from policylint.flags import IMPLIED
from policylint.iam.policy import Statement, parse_policy
from policylint.iam.resource_policy import evaluate_for
from policylint.iam.statements import OPEN_IN_TEMPLATE, arn_to_id
from policylint.iam.trust import ANYONE_IF, implied_principal, resource_principals
from policylint.model import Grant, Location, Resource
from policylint.sources.aws.cfn_opened import Opened
from policylint.sources.aws.cfn_template import REGION, SCOPE, CfnResource, CfnTemplate
from policylint.sources.aws.cfn_values import Found, account_roots
from policylint.sources.aws.intrinsics import ACCOUNT, Choice
from policylint.yamlsafe import YMap, YSeq

_MARK = re.compile("\x00(\\d+)\x00")
_DEEPEST = 20  # how deep statements are looked for (Resources → resource → Properties → Policies → … → Statement)
# type -> (the property naming its targets, the target's type, its name property, the id of one named so)
_POLICIES = {
    "AWS::S3::BucketPolicy": ("Bucket", "AWS::S3::Bucket", "BucketName", "aws:s3:::{name}"),
    "AWS::SQS::QueuePolicy": ("Queues", "AWS::SQS::Queue", "QueueName", f"aws:sqs:{REGION}:{ACCOUNT}:{{name}}"),
    "AWS::SNS::TopicPolicy": ("Topics", "AWS::SNS::Topic", "TopicName", f"aws:sns:{REGION}:{ACCOUNT}:{{name}}"),
    "AWS::SecretsManager::ResourcePolicy": ("SecretId", "AWS::SecretsManager::Secret", "Name",
                                            f"aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{{name}}"),
    "AWS::S3::AccessPoint": ("Bucket", "AWS::S3::Bucket", "BucketName", "aws:s3:::{name}"),
}
# the property holding the document, when not `PolicyDocument`
_DOCUMENT = {"AWS::SecretsManager::ResourcePolicy": "ResourcePolicy", "AWS::S3::AccessPoint": "Policy"}
_NOUN = {"AWS::SecretsManager::ResourcePolicy": "secret policy", "AWS::S3::AccessPoint": "access point policy"}
_OPTIONAL = frozenset({"AWS::S3::AccessPoint"})  # a resource whose policy is optional: none gives nothing


def principal_ids(found: Found, ids: list[str], where: Location) -> list[str]:
    """`Found.principal_ids`, but everyone-a-condition-admits groups (their ids hold `*`, no glob) pass as they are,
    implied."""
    groups = [i for i in ids if i.startswith(ANYONE_IF)]
    for group in groups:
        found.implied.add(implied_principal(group, ACCOUNT, where))
    return [*found.principal_ids([i for i in ids if not i.startswith(ANYONE_IF)], where), *groups]


# what a resource policy whose document is not known may say; its statements hold "as the template is filled in"
_ANYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
                                                    "Resource": "*"}]}


class ResourcePolicies:
    """Bucket, queue and topic policies: grants to the principals they name, on the resources they are attached to."""

    def __init__(self, template: CfnTemplate, found: Found, opened: Opened) -> None:
        self.template = template
        self.found = found
        self.opened = opened

    def build(self) -> None:
        for resource in self.template.of_type(*_POLICIES):
            props = self.found.properties(resource)
            key = _DOCUMENT.get(resource.type, "PolicyDocument")
            if key not in props and resource.type in _OPTIONAL:
                continue
            noun = _NOUN.get(resource.type, resource.type.split("::")[-1][:-len("Policy")].lower() + " policy")
            self._policy(resource, props, key, f"{noun} {resource.logical}", self._targets(resource))
        for resource in self.template.of_type("AWS::DynamoDB::Table"):
            self._table(resource)

    def _table(self, resource: CfnResource) -> None:
        """A table's own `ResourcePolicy` (`{PolicyDocument: …}`): its grants are on the table."""
        props = self.found.properties(resource)
        named = self.template.named(resource.logical)
        if "ResourcePolicy" not in props or named is None:
            return
        holder = self.found.mapping(props, "ResourcePolicy", "a resource policy")
        if "PolicyDocument" in holder:
            self._policy(resource, holder, "PolicyDocument", f"table policy {resource.logical}", [named.id])

    def _policy(self, resource: CfnResource, props: YMap, key: str, policy: str, targets: list[str] | None) -> None:
        where = self.found.at(props.value_pos.get(key, props.pos))
        statements: list[Statement] = []
        documents = self.found.documents(props, key, policy)
        if documents is None:  # not known before deployment: it may give anything to anyone (fail closed)
            found, _ = parse_policy(_ANYTHING, policy, self.template.path, where)
            statements += [replace(s, condition=f"{OPEN_IN_TEMPLATE}the {policy}'s document", narrows_who=True)
                           for s in found]
        for document in documents or ():
            found, errors = self.opened.parse(account_roots(document), policy, where)
            statements += self.opened.mark_principals(found) if targets is not None else self.opened.mark(found)
            self.found.errors.extend(errors)
        named: dict[str, list[Statement]] = {}
        for statement in statements:
            for principal in principal_ids(self.found, resource_principals(statement, ACCOUNT), where):
                named.setdefault(principal, []).append(statement)
        given: dict[tuple[Any, ...], Grant] = {}
        stand_in = None if targets is not None else self._stand_in(resource, props)
        for grants in evaluate_for(named, ACCOUNT, resource.location).values():
            for grant in _on(grants, targets):
                given.setdefault((grant.to, grant.resource, grant.actions, grant.condition, grant.excluding), grant)
                if stand_in is not None:  # what the policy opens is seen even where nothing read matches its ARNs
                    grant = replace(grant, resource=stand_in, excluding=())
                    given.setdefault((grant.to, grant.resource, grant.actions, grant.condition, ()), grant)
        self.found.grants.extend(given.values())

    def _stand_in(self, resource: CfnResource, props: YMap) -> str:
        """For a policy whose targets the template leaves open (`Bucket: !Ref ExternalBucket`): an implied node for
        "what this policy is attached to", located at the property, so the access it gives is reported (PL216)
        even when no file defines a store its ARNs match; its grants also stay on the ARNs' globs."""
        key, kind, _, form = _POLICIES[resource.type]
        node_id = form.format(name=f"{self.template.generated(resource.logical)}-targets")
        where = self.found.at(props.key_pos.get(key, props.pos))
        self.found.implied.add(Resource(node_id, where, kind.split("::")[-1].lower(), scope=SCOPE, flags=(IMPLIED,)))
        return node_id

    def _targets(self, resource: CfnResource) -> list[str] | None:
        """The ids of what the policy is attached to; None where the template does not determine them (a bucket
        policy then gives what its statements' ARNs name)."""
        key, kind, name_property, form = _POLICIES[resource.type]
        raw = resource.properties.get(key)
        found = []
        for item in (raw if isinstance(raw, YSeq) else [raw]):
            own = self._own(item, kind, name_property, form)
            value = own or _target_of(resource.type, self.template.resolver().value(item))
            if value is None:
                return None
            found.append(value)
        return found

    def _own(self, item: Any, kind: str, name_property: str, form: str) -> str | None:
        """The id of the template's own bucket, queue or topic that `Ref` or `Fn::GetAtt` names."""
        logical = _logical(item)
        target = next((r for r in self.template.resources if r.logical == logical and r.type == kind), None)
        if target is None or logical is None:
            return None
        named = self.template.named(logical)
        if named is not None:  # a bucket: named as the template names its stores
            return named.id
        name = self.found.properties(target).get(name_property)
        if not isinstance(name, str) or "*" in name:
            name = self.template.generated(target.logical)
        node_id = form.format(name=name)
        # a queue or topic, not a store the template reads: unclassified until annotated, located where it is defined
        self.found.implied.add(Resource(node_id, target.location, node_id.split(":")[1], scope=SCOPE, flags=(IMPLIED,)))
        return node_id


def _on(grants: list[Grant], targets: list[str] | None) -> Iterator[Grant]:
    """The grants on each target (a resource policy's ARNs can only name what it is attached to)."""
    if targets is None:
        yield from grants
        return
    for grant in grants:
        for target in targets:
            yield replace(grant, resource=target, excluding=())


def _logical(item: Any) -> str | None:
    if isinstance(item, YMap) and len(item) == 1:
        (function, argument), = item.items()
        if function == "Ref" and isinstance(argument, str):
            return argument
        if function == "Fn::GetAtt":
            if isinstance(argument, str):
                return argument.split(".", 1)[0]
            if isinstance(argument, YSeq) and argument and isinstance(argument[0], str):
                return str(argument[0])
    return None


def _target_of(kind: str, value: Any) -> str | None:
    """A target given as the template resolves it: a bucket name, a queue URL, a topic ARN; None when open."""
    if isinstance(value, Choice) or not isinstance(value, str) or not value or "*" in value:
        return None
    if kind in ("AWS::S3::BucketPolicy", "AWS::S3::AccessPoint"):
        return arn_to_id(value) if value.startswith("arn:") else f"aws:s3:::{value}"
    if kind in ("AWS::SNS::TopicPolicy", "AWS::SecretsManager::ResourcePolicy"):
        return arn_to_id(value) if value.startswith("arn:") else None
    url = urlparse(value)
    path = [p for p in url.path.split("/") if p]
    if len(path) != 2:
        return arn_to_id(value) if value.startswith("arn:") else None
    host = (url.hostname or "").split(".")
    region = host[1] if len(host) > 2 and host[0] == "sqs" else "*"
    return f"aws:sqs:{region}:{path[0]}:{path[1]}"
