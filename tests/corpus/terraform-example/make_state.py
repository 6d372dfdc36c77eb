"""Write the Terraform state that `examples/terraform` would have once applied, from a `terraform show -json` plan.

The plan of a configuration nobody has applied yet leaves every ARN, id and policy built from them unknown; the plan
CI sees on a pull request is against a state in which they exist. This builds that state without AWS: each resource
instance of the plan's `planned_values`, its values as planned, and each value the plan leaves unknown as AWS gives
it (ARNs in the example's account and region, ids, creation dates; an access key id in AWS's documented example
form, no secret). A value the previous state already has is kept, so running it again on the plan made against its
own state converges (README.md: the third plan has no changes).

    python3 make_state.py PLAN_JSON PREVIOUS_STATE_OR_- > terraform.tfstate
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

ACCOUNT = "731946220845"
REGION = "eu-west-1"
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
SCHEMA_VERSIONS = {"aws_dynamodb_table": 1}  # `terraform providers schema -json`: every other type used is 0
CREATED = "2024-03-18T09:12:44Z"
KEYS_CREATED = {"priya.raman": "2024-03-18T09:31:07Z", "mateo.ruiz": "2024-05-06T14:02:51Z",
                "amara.osei": "2025-02-10T10:47:19Z"}
LINEAGE = "6f1d7c1e-3b7a-4e57-9a43-0d6a2e1f5b8c"
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
NAMES = frozenset({"role", "user", "group", "bucket", "policy_arn", "target_key_id"})  # set to another's attribute
EXPRESSIONS: dict[str, dict[str, Any]] = {}  # configuration address -> its expressions (the plan's `configuration`)


def digest(address: str, length: int) -> str:
    raw = hashlib.sha256(address.encode()).digest()
    return "".join(_BASE32[b % 32] for b in raw[:length])


def key_uuid(address: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(address.encode()).digest()[:16], version=4))


def resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", ())
    for child in module.get("child_modules", ()):
        yield from resources(child)


def computed(item: dict[str, Any], values: dict[str, Any], found: dict[str, Instance]) -> dict[str, Any]:
    """What AWS returns for the attributes the plan leaves unknown, by resource type."""
    kind, address, name = item["type"], item["address"], values.get("name")
    iam = f"arn:aws:iam::{ACCOUNT}"
    if kind in ("aws_iam_user", "aws_iam_group"):
        prefix = "AIDA" if kind == "aws_iam_user" else "AGPA"
        noun = "user" if kind == "aws_iam_user" else "group"
        return {"arn": f"{iam}:{noun}/{name}", "id": name, "unique_id": prefix + digest(address, 17)}
    if kind == "aws_iam_role":
        return {"arn": f"{iam}:role/{name}", "id": name, "unique_id": "AROA" + digest(address, 17),
                "create_date": CREATED, "name_prefix": "", "inline_policy": [], "managed_policy_arns": []}
    if kind == "aws_iam_policy":
        return {"arn": f"{iam}:policy/{name}", "id": f"{iam}:policy/{name}", "policy_id": "ANPA" + digest(address, 17),
                "attachment_count": 1, "name_prefix": ""}
    if kind in ("aws_iam_role_policy", "aws_iam_group_policy"):
        holder = values.get("role") or values.get("group")
        return {"id": f"{holder}:{name}", "name_prefix": ""}
    if kind == "aws_iam_role_policy_attachment":
        return {"id": f"{values['role']}-20240318091245{digest(address, 12).lower()}"}
    if kind == "aws_iam_group_membership":
        return {"id": name}
    if kind == "aws_iam_user_login_profile":
        return {"id": values["user"], "password": None, "encrypted_password": None, "key_fingerprint": None}
    if kind == "aws_iam_access_key":
        return {"id": "AKIA" + digest(address, 9) + "EXAMPLE", "create_date": KEYS_CREATED[values["user"]],
                "secret": None, "encrypted_secret": None, "ses_smtp_password_v4": None,
                "encrypted_ses_smtp_password_v4": None, "key_fingerprint": None}
    if kind == "aws_kms_key":
        key = key_uuid(address)
        return {"arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}", "id": key, "key_id": key, "multi_region": False,
                "rotation_period_in_days": 365 if values.get("enable_key_rotation") else None,
                "policy": json.dumps(default_key_policy(), separators=(",", ":"))}
    if kind == "aws_kms_alias":
        target = sibling(item, "aws_kms_key", found)
        return {"arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:{name}", "id": name, "name_prefix": "",
                "target_key_arn": target["arn"], "target_key_id": target["key_id"]}
    if kind == "aws_dynamodb_table":
        key = sibling(item, "aws_kms_key", found)
        return {"arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}", "id": name, "read_capacity": 0,
                "write_capacity": 0, "stream_arn": "", "stream_label": "", "stream_view_type": "",
                "ttl": [{"attribute_name": "", "enabled": False}],
                "point_in_time_recovery": [{"enabled": True, "recovery_period_in_days": 35}],
                "server_side_encryption": [{"enabled": True, "kms_key_arn": key["arn"]}],
                "global_secondary_index": [dict(index, read_capacity=0, write_capacity=0)
                                           for index in values["global_secondary_index"]]}
    if kind == "aws_s3_bucket":
        return bucket(values["bucket"])
    if kind.startswith("aws_s3_bucket_"):
        own = sibling(item, "aws_s3_bucket", found)
        extra = {"bucket": own["bucket"], "id": own["bucket"]}
        if kind == "aws_s3_bucket_server_side_encryption_configuration":
            key = sibling(item, "aws_kms_key", found)
            extra["rule"] = [{"apply_server_side_encryption_by_default": [
                {"kms_master_key_id": key["arn"], "sse_algorithm": "aws:kms"}], "bucket_key_enabled": True}]
        return extra
    return {}


def default_key_policy() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*", "Resource": "*"}]}


def bucket(name: str) -> dict[str, Any]:
    return {"arn": f"arn:aws:s3:::{name}", "id": name, "bucket_domain_name": f"{name}.s3.amazonaws.com",
            "bucket_regional_domain_name": f"{name}.s3.{REGION}.amazonaws.com", "bucket_prefix": "",
            "hosted_zone_id": "Z1BKCTXD74EZPE", "region": REGION, "acceleration_status": "", "acl": None,
            "cors_rule": [], "grant": [{"id": digest(name, 32).lower(), "permissions": ["FULL_CONTROL"],
                                        "type": "CanonicalUser", "uri": ""}],
            "lifecycle_rule": [], "logging": [], "object_lock_configuration": [], "object_lock_enabled": False,
            "policy": "", "replication_configuration": [], "request_payer": "BucketOwner",
            "server_side_encryption_configuration": [], "versioning": [{"enabled": False, "mfa_delete": False}],
            "website": [], "website_domain": None, "website_endpoint": None}


def sibling(item: dict[str, Any], kind: str, found: dict[str, Instance]) -> dict[str, Any]:
    """The values of the one resource of a type in the same module instance (the example has one of each)."""
    return next(i.values for i in found.values() if i.module == item_module(item) and i.type == kind)


def item_module(item: dict[str, Any]) -> str:
    """The module instance of a planned resource: `module.customer_data`, or "" for the root module."""
    own = f"{item['type']}.{item['name']}"
    return item["address"].rsplit("." + own, 1)[0] if item["address"] != own and not item["address"].startswith(
        own + "[") else ""


@dataclass
class Instance:
    module: str
    type: str
    name: str
    values: dict[str, Any]


def instance(item: dict[str, Any], change: dict[str, Any], prior: dict[str, Any],
             found: dict[str, Instance]) -> Instance:
    """The planned values; each value the plan leaves unknown as the previous state has it, else as AWS gives it."""
    values = dict(item["values"])
    unknown = {k for k, v in change.get("after_unknown", {}).items() if v}
    for attr in unknown:
        values[attr] = referenced(item, attr, found) if values.get(attr) is None else values[attr]
    for attr, value in computed(item, values, found).items():
        if values.get(attr) is None or attr in unknown:
            values[attr] = prior[attr] if prior.get(attr) is not None else value
    return Instance(item_module(item), item["type"], item["name"], values)


def referenced(item: dict[str, Any], attr: str, found: dict[str, Instance]) -> Any:
    """An attribute that is another resource's attribute (`role = aws_iam_role.app.id`), as applying would set it."""
    references = EXPRESSIONS.get(config_of(item), {}).get(attr, {}).get("references", ())
    if attr not in NAMES or len(references) > 2:  # only `x = aws_y.z.attr`: a document built from several is not
        return None
    for reference in references:
        parts = reference.split(".")
        if len(parts) == 3 and parts[0].startswith("aws_"):
            own = [i for i in found.values() if i.module == item_module(item) and i.type == parts[0]
                   and i.values.get(parts[2]) is not None and i.name == parts[1]]
            if len(own) == 1:
                return own[0].values[parts[2]]
    return None


def config_of(item: dict[str, Any]) -> str:
    """The configuration address of a planned resource: its module calls without instance keys."""
    calls = re.findall(r'module\.([\w-]+)(?:\[[^\]]*\])?\.', item_module(item) + ".")
    return "".join(f"module.{call}." for call in calls) + f"{item['type']}.{item['name']}"


def read_configuration(module: dict[str, Any], prefix: str) -> None:
    for resource in module.get("resources", ()):
        EXPRESSIONS[prefix + resource["address"]] = resource.get("expressions", {})
    for name, call in module.get("module_calls", {}).items():
        read_configuration(call.get("module", {}), f"{prefix}module.{name}.")


def aws_reads(found: dict[str, Instance]) -> None:
    """What AWS reports on a role and a bucket once their inline policies, attachments and settings exist."""
    roles = {i.values["name"]: i.values for i in found.values() if i.type == "aws_iam_role"}
    buckets = {i.values["bucket"]: i.values for i in found.values() if i.type == "aws_s3_bucket"}
    for one in found.values():
        values = one.values
        if one.type == "aws_iam_role_policy":
            held = roles[values["role"]]["inline_policy"]
            if values["name"] not in [p["name"] for p in held]:
                held.append({"name": values["name"], "policy": values["policy"]})
        elif one.type == "aws_iam_role_policy_attachment" and values.get("policy_arn"):
            arns = roles[values["role"]]["managed_policy_arns"]
            arns[:] = sorted({*arns, values["policy_arn"]})
        elif one.type == "aws_s3_bucket_logging":
            buckets[values["bucket"]]["logging"] = [{"target_bucket": values["target_bucket"],
                                                     "target_prefix": values["target_prefix"]}]
        elif one.type == "aws_s3_bucket_server_side_encryption_configuration":
            buckets[values["bucket"]]["server_side_encryption_configuration"] = [{"rule": values["rule"]}]


def main(plan_path: str, previous_path: str) -> None:
    with open(plan_path, encoding="utf-8") as file:
        plan = json.load(file)
    previous: dict[str, Any] = {}
    if previous_path != "-":
        with open(previous_path, encoding="utf-8") as file:
            previous = json.load(file)
    prior = {address_of(r, i): i["attributes"] for r in previous.get("resources", ()) for i in r["instances"]}
    read_configuration(plan["configuration"]["root_module"], "")
    changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
    items = [r for r in resources(plan["planned_values"]["root_module"]) if r["mode"] == "managed"]
    found: dict[str, Instance] = {}
    for item in sorted(items, key=lambda r: r["type"] not in ("aws_kms_key", "aws_s3_bucket")):  # named by others
        found[item["address"]] = instance(item, changes.get(item["address"], {}), prior.get(item["address"], {}),
                                          found)
    aws_reads(found)
    print(json.dumps(state_of(items, found, plan, previous), indent=2))


def state_of(items: list[dict[str, Any]], found: dict[str, Instance], plan: dict[str, Any],
             previous: dict[str, Any]) -> dict[str, Any]:
    """State format 4: one entry per resource (module, type, name), its instances by `index_key`."""
    entries: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item in items:
        one = found[item["address"]]
        entry = entries.setdefault((one.module, one.type, item["name"]), {
            **({"module": one.module} if one.module else {}), "mode": "managed", "type": one.type,
            "name": item["name"], "provider": PROVIDER, "instances": []})
        key = {"index_key": item["index"]} if item.get("index") is not None else {}
        entry["instances"].append({**key, "schema_version": SCHEMA_VERSIONS.get(one.type, 0),
                                   "attributes": one.values, "sensitive_attributes": [
                                       [{"type": "get_attr", "value": attr}]
                                       for attr, marked in sorted(item.get("sensitive_values", {}).items())
                                       if marked is True]})
    return {"version": 4, "terraform_version": plan["terraform_version"], "serial": previous.get("serial", 0) + 1,
            "lineage": previous.get("lineage", LINEAGE), "outputs": outputs_of(plan),
            "resources": [entries[k] for k in sorted(entries)], "check_results": None}


def outputs_of(plan: dict[str, Any]) -> dict[str, Any]:
    """The root module's outputs as applying records them: those the plan knows."""
    return {name: {"value": output["value"], "type": output["type"], **({"sensitive": True} if output["sensitive"]
                                                                        else {})}
            for name, output in plan["planned_values"].get("outputs", {}).items() if "value" in output}


def address_of(resource: dict[str, Any], one: dict[str, Any]) -> str:
    module = f"{resource['module']}." if resource.get("module") else ""
    key = one.get("index_key")
    return f"{module}{resource['type']}.{resource['name']}" + ("" if key is None else f"[{json.dumps(key)}]")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
