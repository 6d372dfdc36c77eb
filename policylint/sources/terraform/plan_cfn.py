"""A plan's AWS resources written as the CloudFormation template they amount to, so the CloudFormation reader
(`cfn_iam`, `cfn_data`, `cfn_policies`) gives them the one meaning policylint has for IAM, keys and stores: no
second copy of policy semantics. Every property is located at its resource's `"address"` in the plan.

- A value the plan leaves unknown (`after_unknown`) is a `Ref` to the resource the configuration's expression
  references (`aws_iam_role.app.arn`, or `aws_iam_role.app` as Terraform 0.12 and 0.13 list it) when it names
  exactly one resource instance of the plan; otherwise a
  parameter without default, which the reader takes as `*` with a condition saying so ("template leaves open:
  parameter aws_iam_role.app.name (known after apply) has no Default"). A list (or an item of one) unknown until
  apply is every instance of every resource it references, else such a parameter; a policy document unknown until
  apply is always such a parameter: a document built from a bucket's ARN is not that ARN.
- Terraform's attachment resources become what CloudFormation says in place: the plan's own policy names the
  identity in its `Users`/`Groups`/`Roles`; another policy ARN joins the identity's `ManagedPolicyArns`, or, for
  an identity the plan does not define, an `AWS::IAM::Policy` holding that policy's document (AWS-managed), or a
  document not known (fail closed). A login profile is the user's `LoginProfile`; a membership resource is an
  `AWS::IAM::UserToGroupAddition`; an `aws_s3_bucket_logging` is the bucket's `LoggingConfiguration`.
- A key whose configuration sets no `policy` has AWS's default key policy (no `KeyPolicy`), unless an
  `aws_kms_key_policy` names it: that is its `KeyPolicy`. An `aws_secretsmanager_secret_policy` is an
  `AWS::SecretsManager::ResourcePolicy`, as the secret's own `policy` attribute is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from policylint.model import Location
from policylint.sources.terraform.plan_read import Plan, TfResource
from policylint.yamlsafe import YMap, YSeq

Pos = tuple[int, int]
_ARN_ATTRS = frozenset({"arn"})


def _wanted(attr: str) -> str:
    """The attribute a reference to a whole resource stands for: Terraform 0.12 and 0.13 plans list
    `${aws_iam_role.app.id}` as `aws_iam_role.app`, so the referencing attribute says which (`policy_arn`: its ARN,
    `role`: its name)."""
    return "arn" if attr == "arn" or attr.endswith("_arn") else "id"


def y(value: Any, pos: Pos, columns: list[int] | None = None) -> Any:
    """Plain JSON as the located mappings and sequences the CloudFormation reader reads, every place at `pos`; with
    `columns`, each mapping at a column of its own on that line (the reader tells statements apart by place)."""
    if isinstance(value, dict):
        if columns is not None:
            columns[0] += 1
            pos = (pos[0], columns[0])
        mapping = YMap(pos)
        for key, item in value.items():
            mapping[key] = y(item, pos, columns)
            mapping.key_pos[key] = pos
            mapping.value_pos[key] = _place_of(mapping[key], pos)
        return mapping
    if isinstance(value, list):
        items = YSeq(pos)
        for item in value:
            items.append(y(item, pos, columns))
            items.item_pos.append(_place_of(items[-1], pos))
        return items
    return value


def _place_of(node: Any, pos: Pos) -> Pos:
    return node.pos if isinstance(node, YMap) else pos


class Translation:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.parameters: dict[str, Any] = {}
        self.resources: dict[str, dict[str, Any]] = {}  # logical id (the address) -> {Type, Properties}
        self.at: dict[str, Location] = {}
        self.by_config: dict[str, list[TfResource]] = {}
        self.policy_by_arn: dict[str, str] = {}  # the known ARN of the plan's first policy with it -> its address
        self._named: dict[tuple[str, str], str] = {}  # (type, its name property's value) -> the first logical id
        self.key_by_id: dict[str, str] = {}  # the known id or ARN of the plan's key -> its address
        self.known_names: dict[str, str] = {}  # a key's address -> its id, when the plan knows it
        self.classification_keys: tuple[str, ...] = ("data-classification",)  # `Options.classification_keys`
        # a property another resource writes (a login profile's `LoginProfile`): located at that resource
        self.property_at: dict[str, dict[str, Location]] = {}
        for resource in plan.resources:
            key_id = resource.values.get("key_id") if resource.type == "aws_kms_key" else None
            if isinstance(key_id, str) and key_id and not resource.unknown.get("key_id"):
                self.known_names[resource.address] = key_id
        for name in plan.parameters:  # an HCL configuration's open values (`{"Ref": name}` in its resources' values)
            self.parameters[name] = {"Type": "String"}
        for resource in plan.resources:
            self.by_config.setdefault(resource.config_address, []).append(resource)
            if resource.type == "aws_iam_policy" and isinstance(resource.values.get("arn"), str):
                self.policy_by_arn.setdefault(resource.values["arn"], resource.address)
            if resource.type == "aws_kms_key":  # a key policy's `key_id` may be the key's id or its ARN
                for attr in ("key_id", "id", "arn"):
                    if isinstance(resource.values.get(attr), str):
                        self.key_by_id.setdefault(resource.values[attr], resource.address)

    def document(self, path: str) -> YMap:
        """The template; a resource from another file than `path` (an HCL module's) is placed at a line of its own
        (the `index`-th resource at line `index`), which `placed` maps back to where it is."""
        top = YMap((1, 1))
        top["Parameters"] = y(self.parameters, (1, 1))
        top.key_pos["Parameters"] = top.value_pos["Parameters"] = (1, 1)
        resources = YMap((1, 1))
        self.placed: dict[tuple[int, int], Location] = {}
        spread = self.plan.configuration or any(at.file != path for at in self.at.values())
        lines = len(self.resources) + 2
        for index, (logical, body) in enumerate(self.resources.items(), start=2):
            pos = (index, 1) if spread else (self.at[logical].line, self.at[logical].column)
            if spread:
                self.placed[pos] = self.at[logical]
            resources[logical] = y(body, pos, [0] if spread else None)
            resources.key_pos[logical] = resources.value_pos[logical] = pos
            properties = resources[logical].get("Properties")
            for key, at in self.property_at.get(logical, {}).items():
                if isinstance(properties, YMap) and key in properties:
                    place = (lines, 1) if spread else (at.line, at.column)
                    if spread:
                        self.placed[place] = at
                        lines += 1
                    properties.key_pos[key] = place
        top["Resources"] = resources
        top.key_pos["Resources"] = top.value_pos["Resources"] = (1, 1)
        return top

    # -- values -------------------------------------------------------------------------------------------------

    def value(self, resource: TfResource, attr: str) -> Any:
        """The attribute as the template would say it: the plan's value, a reference, or an open parameter."""
        if resource.unknown.get(attr) is True:
            return self.reference(resource, attr) or self.open(resource, attr)
        return resource.values.get(attr)

    def reference(self, resource: TfResource, attr: str) -> dict[str, Any] | None:
        """What a value unknown until apply stands for: the one resource instance its expression references, when
        it references nothing else (`var.ro ? aws_iam_policy.ro.arn : aws_iam_policy.rw.arn` may be either: open)."""
        found, keyed = self._referenced(resource, attr)
        if len(found) != 1 or len(found[0][0]) != 1 or self._references_more(resource, attr, keyed):
            return None
        return self._ref_to(found[0][0][0], found[0][1])

    def _references_more(self, resource: TfResource, attr: str, keyed: bool) -> bool:
        """Whether the expression references anything besides resources (a variable, a local, a data source…);
        the resource's own `each.key` or `count.index` is not more where it picks the instance (`keyed`)."""
        return any((ref.split(".")[0] in _NOT_RESOURCES or "." not in ref) and not (keyed and ref in _OWN_KEYS)
                   for ref in self.plan.references.get(resource.config_address, {}).get(attr, []))

    def items(self, resource: TfResource, attr: str) -> list[Any]:
        """A list attribute: each known item; what an item unknown until apply stands for, every instance of every
        resource its expression references (`[aws_iam_role.a.name, aws_iam_role.b.name]`), or else an open
        parameter. A list whose items are not known is never read as shorter than it is."""
        unknown = resource.unknown.get(attr)
        value = resource.values.get(attr)
        known = value if isinstance(value, list) else [] if unknown is True or value is None else [value]
        marks = unknown if isinstance(unknown, list) else []
        found = [item for index, item in enumerate(known) if not (index < len(marks) and marks[index] is True)]
        if unknown is True or True in marks:
            referenced = [self._ref_to(target, wanted) for targets, wanted in self._referenced(resource, attr)[0]
                          for target in targets]
            found += [ref for ref in referenced if ref not in found] or [self.open(resource, attr)]
        return found

    def _referenced(self, resource: TfResource, attr: str) -> tuple[list[tuple[list[TfResource], str]], bool]:
        """The plan's instances of each resource an attribute's expression references, and the attribute wanted;
        and whether the resource's own instance key picked one of them.

        A reference names a resource of the same module instance (`module.team["a"].`), and only the instances its
        keys name when it names keys (`aws_iam_role.r["reader"]`). Terraform lists a reference whose index is not
        a constant up to that index: `aws_iam_role.r[each.key].id` is `aws_iam_role.r` and `each.key`. So a bare
        reference beside the resource's own `each.key` (or `count.index`) is the instance of its own key, when
        there is one (hashicorp/terraform#32204); any other index (`each.value.role`, `var.k`) is every instance."""
        found: list[tuple[list[TfResource], str]] = []
        seen: set[str] = set()
        references = self.plan.references.get(resource.config_address, {}).get(attr, [])
        own_key = resource.key if _OWN_KEYS & set(references) else ""
        keyed = False
        for ref in references:
            parsed = _REFERENCE.match(ref)
            if parsed is None or ref.split(".")[0] in _NOT_RESOURCES:
                continue
            local = parsed.group("local")
            target = resource.module + local
            instances = [i for i in self.by_config.get(target, ()) if i.module_instance == resource.module_instance]
            if target in seen or not instances:
                continue
            seen.add(target)
            mine = [m for m in map(_REFERENCE.match, references) if m is not None and m.group("local") == local]
            keys = {m.group("key") for m in mine if m.group("key")}
            if not keys and own_key and all(m.group(0) == local for m in mine):  # `x[each.key]`: only `x` listed
                keys = {own_key}
            chosen = [i for i in instances if i.key in keys]
            keyed = keyed or (bool(chosen) and keys == {own_key})
            attributes = [m.group("rest")[1:].split(".")[0] for m in mine if m.group("rest")]
            found.append((chosen or instances, next((a for a in attributes if a), _wanted(attr))))
        return found, keyed

    def _ref_to(self, target: TfResource, attr: str) -> dict[str, Any]:
        if target.type == "aws_iam_policy" or attr not in _ARN_ATTRS:
            return {"Ref": target.address}  # a policy's Ref is its ARN (its `id` is its ARN too); else the name
        return {"Fn::GetAtt": [target.address, "Arn"]}

    def open(self, resource: TfResource, attr: str) -> dict[str, Any]:
        name = f"{resource.address}.{attr} (known after apply)"
        self.parameters[name] = {"Type": "String"}
        return {"Ref": name}

    def text_of(self, resource: TfResource, attr: str) -> Any:
        """A value that is a name or an ARN: a string, or what stands for it."""
        value = self.value(resource, attr)
        return value if isinstance(value, str | dict) else None

    # -- resources ----------------------------------------------------------------------------------------------

    def add(self, resource: TfResource, kind: str, properties: dict[str, Any], logical: str | None = None) -> None:
        logical = logical or resource.address
        self.resources[logical] = {"Type": kind, "Properties": {k: v for k, v in properties.items()
                                                                  if v is not None}}
        self.at[logical] = resource.location
        name = properties.get(_NAME_PROPERTIES.get(kind, ""))
        if name is not None:
            self._named.setdefault((kind, _hashable(name)), logical)

    def named(self, kind: str, name: Any) -> str | None:
        """The logical id of the first resource of the type whose name property is the name (a value or a `Ref`):
        looked up, not scanned, so each attachment costs the same however large the plan."""
        return self._named.get((kind, _hashable(name))) if name is not None else None

    def props(self, logical: str) -> dict[str, Any]:
        return dict(self.resources[logical]["Properties"])


_NOT_RESOURCES = frozenset({"var", "local", "data", "module", "each", "count", "path", "self", "terraform"})
_OWN_KEYS = frozenset({"each.key", "count.index"})
# a reference to a resource: `type.name`, an instance key (`["a.b"]`, `[0]`), then an attribute path
_REFERENCE = re.compile(r'(?P<local>[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)(?P<key>\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?'
                        r"(?P<rest>(?:\..*)?)\Z", re.DOTALL)
_NAME_PROPERTIES = {"AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName", "AWS::IAM::Role": "RoleName",
                    "AWS::S3::Bucket": "BucketName"}


def _hashable(value: Any) -> str:
    """A name as a key: its JSON, so a `Ref` (or an open parameter) is one too and never meets a text name."""
    return json.dumps(value, sort_keys=True)


def tags(translation: Translation, resource: TfResource) -> list[dict[str, Any]] | None:
    """A resource's tags: `tags_all` (its own under its provider's `default_tags`), else its own. What is left open
    may set any class: a classification key whose value is not known stays what stands for it (the reader reads it
    as `*`), a whole map left open (`tags = var.tags`, or not known until apply) leaves every classification key
    open, and so does a `tags_all` not known until apply under default tags, but for the keys the resource's own
    tags set. No key is ever made of what stands for a map. AWS provider 5 leaves a new untagged resource's
    `tags_all` unknown until apply: without default tags it is the resource's own."""
    own = open_map(translation, resource, "tags")
    every = open_map(translation, resource, "tags_all")
    if every is None and resource.unknown.get("tags_all") is True and resource.provider in translation.plan.defaults:
        every = {**dict.fromkeys(translation.classification_keys, translation.open(resource, "tags_all")),
                 **(own or {})}
    known = every or own
    if known is None:
        return None
    return [{"Key": k, "Value": v if isinstance(v, str) or intrinsic(v) else str(v)} for k, v in known.items()]


def open_map(translation: Translation, resource: TfResource, attr: str) -> dict[str, Any] | None:
    """A map of tags or labels as the reader reads it (None: not set): its known entries; a classification key
    whose value is not known until apply, what stands for it; a whole map not known (one the configuration sets:
    `configured`), or left open by an HCL configuration, every classification key so. A key other than a
    classification key whose value is not known is left out (a `records` count not known is not a malformed one)."""
    value = resource.values.get(attr)
    mark = resource.unknown.get(attr)
    keys = translation.classification_keys
    if intrinsic(value) or (mark is True and configured(translation, resource, attr)):
        return dict.fromkeys(keys, value if intrinsic(value) else translation.open(resource, attr))
    if not isinstance(value, dict):
        return None
    marked = [k for k, m in mark.items() if m is True and k in keys] if isinstance(mark, dict) else []
    return {**{str(k): v for k, v in value.items()}, **{k: translation.open(resource, f"{attr}.{k}") for k in marked}}


def configured(t: Translation, r: TfResource, attr: str) -> bool:
    """Whether an attribute is the configuration's: known, or set by an expression of it (or the plan does not say
    what its configuration sets: fail closed). One the provider computes, unknown until apply and set by no
    expression (`aws_s3_bucket.policy` in provider v4 and later), is the remote resource's, read from whatever sets
    it (`aws_s3_bucket_policy`)."""
    return r.unknown.get(attr) is not True or not t.plan.references or \
        attr in t.plan.references.get(r.config_address, {})


def intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Ref", "Fn::Join", "Fn::GetAtt")


def policy_text(translation: Translation, resource: TfResource, attr: str = "policy") -> Any:
    """A policy document attribute: its JSON text, or what stands for a document not known. Never a reference: a
    document built from others' attributes (`jsonencode({Resource = aws_s3_bucket.customers.arn})`) is not them."""
    if resource.unknown.get(attr) is True:
        return translation.open(resource, attr)
    value = resource.values.get(attr)
    return value if isinstance(value, str | dict) and value != "" else None


Reader = Callable[[Translation, TfResource], None]
