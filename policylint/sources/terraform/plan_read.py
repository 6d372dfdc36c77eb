"""A `terraform show -json` document read into its managed AWS resource instances, each with the values the plan
decides, the attributes it leaves unknown (`after_unknown`), where it stands in the file, and what its
configuration's expressions reference.

A plan's resources are `planned_values` (the root module and every nested `child_modules`), less every address
that `resource_changes` only deletes; their unknown attributes come from that change's `after_unknown`. A state's
are `values.root_module`. Each instance is located at the first `"address"` naming it, one regex pass over the text.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from policylint.model import Location

_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')
_DEEPEST = 64  # modules nested deeper than this are not followed (Terraform itself stops far earlier)
_PROVIDERS = ("aws_", "google_", "kubernetes_")  # the resource types read (`plan_aws`, `plan_gcp`, `plan_k8s`)


@dataclass(frozen=True, slots=True)
class TfResource:
    address: str  # the instance's: module.app["x"].aws_iam_role.this[0]
    type: str
    values: dict[str, Any]
    unknown: dict[str, Any]  # after_unknown: attribute -> True, or a nested mapping / list of them
    location: Location
    module: str  # the module path of its configuration: "" or "module.app."

    @property
    def config_address(self) -> str:
        return config_address(self.address)


@dataclass
class Plan:
    resources: list[TfResource] = field(default_factory=list)
    references: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # config address -> attr -> refs
    arns: list[str] = field(default_factory=list)  # every managed resource's known `arn`, state and plan
    parameters: list[str] = field(default_factory=list)  # what an HCL configuration leaves open (`hcl_values.Open`)


def config_address(address: str) -> str:
    """The configuration address of an instance address (without `[0]`, `["key"]`)."""
    return _INSTANCE_KEY.sub("", address)


class _Positions:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._first: dict[str, int] = {}
        for match in _ADDRESS.finditer(text):
            self._first.setdefault(match.group(1), match.start())

    def of(self, address: str) -> Location:
        offset = self._first.get(_quoted(address), 0)
        line = bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return Location(self.path, line + 1, offset - start + 1)


def _quoted(text: str) -> str:
    return json.dumps(text)[1:-1]


def read_plan(data: dict[str, Any], text: str, path: str) -> Plan:
    positions = _Positions(text, path)
    plan = Plan()
    # a deposed object (`create_before_destroy`) has a change of its own at the same address: only ever `delete`
    changes = {c["address"]: c for c in _list(data.get("resource_changes"))
               if isinstance(c, dict) and isinstance(c.get("address"), str) and c.get("deposed") is None}
    planned = data.get("planned_values")
    root = _dict(planned).get("root_module") if isinstance(planned, dict) else _dict(data.get("values")).get(
        "root_module")
    for item in _module_resources(root, 0):
        address = item.get("address")
        change = _dict(changes.get(address, {}).get("change"))
        if not isinstance(address, str) or _list(change.get("actions")) == ["delete"]:
            continue  # a resource being destroyed grants nothing once the plan is applied
        if item.get("mode", "managed") != "managed" or not str(item.get("type", "")).startswith(_PROVIDERS):
            continue
        values = _dict(item.get("values"))
        unknown = _dict(change.get("after_unknown"))
        plan.resources.append(TfResource(address, str(item["type"]), values, unknown, positions.of(address),
                                         _module_of(address)))
        if isinstance(values.get("arn"), str):
            plan.arns.append(values["arn"])
    prior = _dict(_dict(data.get("prior_state")).get("values")).get("root_module")
    plan.arns += [r["values"]["arn"] for r in _module_resources(prior, 0)  # a data source's (the caller's) is not
                  if r.get("mode", "managed") == "managed" and isinstance(_dict(r.get("values")).get("arn"), str)]
    _read_references(_dict(_dict(data.get("configuration")).get("root_module")), "", plan.references, 0)
    return plan


def _module_resources(module: Any, depth: int) -> list[dict[str, Any]]:
    if not isinstance(module, dict) or depth > _DEEPEST:
        return []
    found = [r for r in _list(module.get("resources")) if isinstance(r, dict)]
    for child in _list(module.get("child_modules")):
        found += _module_resources(child, depth + 1)
    return found


def _read_references(module: dict[str, Any], prefix: str, into: dict[str, dict[str, list[str]]], depth: int) -> None:
    """What each resource's expressions reference, by configuration address (`configuration.root_module`)."""
    if depth > _DEEPEST:
        return
    for resource in _list(module.get("resources")):
        if not isinstance(resource, dict) or not isinstance(resource.get("address"), str):
            continue
        expressions = _dict(resource.get("expressions"))
        into[prefix + resource["address"]] = {
            attr: [r for r in _list(_dict(e).get("references")) if isinstance(r, str)]
            for attr, e in expressions.items()}
    for name, call in _dict(module.get("module_calls")).items():
        _read_references(_dict(_dict(call).get("module")), f"{prefix}module.{name}.", into, depth + 1)


def _module_of(address: str) -> str:
    parts = config_address(address).split(".")
    return "".join(f"module.{parts[i + 1]}." for i in range(0, len(parts) - 2, 2) if parts[i] == "module")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
