"""A `terraform show -json` document read into its managed AWS resource instances, each with the values the plan
decides, the attributes it leaves unknown (`after_unknown`), where it stands in the file, and what its
configuration's expressions reference.

A plan's resources are `planned_values` (the root module and every nested `child_modules`), less every address
that `resource_changes` only deletes; their unknown attributes come from that change's `after_unknown`. A state's
are `values.root_module`. Each instance is located at the first `"address"` naming it, one regex pass over the text
(each address found is decoded: Terraform writes `<`, `>` and `&` as `\\u003c`… and other non-ASCII text as it is).

What the plan cannot be trusted to hold is a located error (`Plan.errors`), and what was read is still read: a plan
Terraform wrote when planning failed (`"errored": true`, at that key), and modules nested deeper than `_DEEPEST`
(at the first one not read).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from policylint.errors import InputError
from policylint.model import Location

_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_ERRORED = re.compile(r'"errored"\s*:\s*true')
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')
_DEEPEST = 64  # modules nested deeper than this are not read, and said so (Terraform itself stops far earlier)
_NESTING = 8  # how deep nested blocks' references are read (`rule.apply_server_side_encryption_by_default.…`)
_PROVIDERS = ("aws_", "google_", "kubernetes_")  # the resource types read (`plan_aws`, `plan_gcp`, `plan_k8s`)


@dataclass(frozen=True, slots=True)
class TfResource:
    address: str  # the instance's: module.app["x"].aws_iam_role.this[0]
    type: str
    values: dict[str, Any]
    unknown: dict[str, Any]  # after_unknown: attribute -> True, or a nested mapping / list of them
    location: Location
    module: str  # the module path of its configuration: "" or "module.app."
    provider: str = ""  # HCL: the root module's provider configuration it uses (`aws`, `aws.security`)

    @property
    def config_address(self) -> str:
        return config_address(self.address)


@dataclass
class Plan:
    resources: list[TfResource] = field(default_factory=list)
    references: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # config address -> attr -> refs
    arns: list[str] = field(default_factory=list)  # every managed resource's known `arn`, state and plan
    parameters: list[str] = field(default_factory=list)  # what an HCL configuration leaves open (`hcl_values.Open`)
    configuration: bool = False  # read from HCL: resources in several files, policy documents as objects
    region: str | None = None  # the region a configuration's provider names (a plan's is read off its ARNs)
    account: str | None = None  # the account label of a root module whose account no provider names, when several
    provider_account: str | None = None  # the account its AWS provider configuration names (`allowed_account_ids`)
    errors: list[InputError] = field(default_factory=list)  # what makes the plan incomplete, located


def config_address(address: str) -> str:
    """The configuration address of an instance address (without `[0]`, `["key"]`)."""
    return _INSTANCE_KEY.sub("", address)


class _Positions:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._first: dict[str, int] = {}
        for match in _ADDRESS.finditer(text):
            self._first.setdefault(_decoded(match.group(1)), match.start())

    def of(self, address: str) -> Location:
        return self.at(self._first.get(address, 0))

    def at(self, offset: int) -> Location:
        line = bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return Location(self.path, line + 1, offset - start + 1)


def _decoded(text: str) -> str:
    """A JSON string's text as the parsed document holds it (`\\u003c` is `<`); most addresses have no escape."""
    if "\\" not in text:
        return text
    try:
        found = json.loads(f'"{text}"')
    except ValueError:  # not a string the parser read (the regex met it somewhere else): never an address
        return text
    return found if isinstance(found, str) else text


def read_plan(data: dict[str, Any], text: str, path: str) -> Plan:
    positions = _Positions(text, path)
    plan = Plan()
    # a deposed object (`create_before_destroy`) has a change of its own at the same address: only ever `delete`
    changes = {c["address"]: c for c in _list(data.get("resource_changes"))
               if isinstance(c, dict) and isinstance(c.get("address"), str) and c.get("deposed") is None}
    planned = data.get("planned_values")
    root = _dict(planned).get("root_module") if isinstance(planned, dict) else _dict(data.get("values")).get(
        "root_module")
    if data.get("errored") is True:
        found = _ERRORED.search(text)
        plan.errors.append(InputError(positions.at(found.start() if found else 0), _INCOMPLETE))
    for item in _module_resources(root, 0, _Deeper(positions, plan.errors)):
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
    plan.arns += [r["values"]["arn"] for r in _module_resources(prior, 0, None)  # not a data source's (the caller's)
                  if r.get("mode", "managed") == "managed" and isinstance(_dict(r.get("values")).get("arn"), str)]
    configuration = _dict(data.get("configuration"))
    _read_references(_dict(configuration.get("root_module")), "", plan.references, 0)
    plan.provider_account, plan.region = _provider_config(_dict(configuration.get("provider_config")))
    return plan


_INCOMPLETE = ("expected a complete plan, found '\"errored\": true': Terraform wrote what it had planned when "
               "planning failed, so resources may be missing from it; fix the errors 'terraform plan' reported and "
               "plan again (what the plan holds is still read)")


@dataclass(frozen=True, slots=True)
class _Deeper:
    """Where to say that a module nested deeper than `_DEEPEST` is not read."""

    positions: _Positions
    errors: list[InputError]

    def report(self, module: dict[str, Any]) -> None:
        address = module.get("address")
        shown = address if isinstance(address, str) else "a module"
        where = self.positions.of(address) if isinstance(address, str) else self.positions.at(0)
        self.errors.append(InputError(where, f"expected modules nested at most {_DEEPEST} deep, found {shown} "
                                             "deeper: its resources and its modules' are not read"))


def _module_resources(module: Any, depth: int, deeper: _Deeper | None) -> list[dict[str, Any]]:
    if not isinstance(module, dict):
        return []
    if depth > _DEEPEST:
        if deeper is not None:
            deeper.report(module)
        return []
    found = [r for r in _list(module.get("resources")) if isinstance(r, dict)]
    for child in _list(module.get("child_modules")):
        found += _module_resources(child, depth + 1, deeper)
    return found


def _read_references(module: dict[str, Any], prefix: str, into: dict[str, dict[str, list[str]]], depth: int) -> None:
    """What each resource's expressions reference, by configuration address (`configuration.root_module`)."""
    if depth > _DEEPEST:
        return
    for resource in _list(module.get("resources")):
        if not isinstance(resource, dict) or not isinstance(resource.get("address"), str):
            continue
        found: dict[str, list[str]] = {}
        for attr, expression in _dict(resource.get("expressions")).items():
            _expression_references(attr, expression, found, 0)
        into[prefix + resource["address"]] = found
    for name, call in _dict(module.get("module_calls")).items():
        _read_references(_dict(_dict(call).get("module")), f"{prefix}module.{name}.", into, depth + 1)


def _expression_references(attr: str, expression: Any, into: dict[str, list[str]], depth: int) -> None:
    """An attribute's references; a nested block's (a list of mappings of expressions) also by the path of each of
    its attributes, every block's together: `server_side_encryption.kms_key_arn`."""
    into.setdefault(attr, []).extend(r for r in _list(_dict(expression).get("references")) if isinstance(r, str))
    if depth < _NESTING:
        for block in expression if isinstance(expression, list) else ():
            for inner, value in _dict(block).items():
                _expression_references(f"{attr}.{inner}", value, into, depth + 1)


def _provider_config(configs: dict[str, Any]) -> tuple[str | None, str | None]:
    """The account and region the default AWS provider configuration writes as constants, as the HCL reader reads
    them from the provider block: `allowed_account_ids` (exactly one) or `assume_role`'s `role_arn`."""
    expressions = _dict(_dict(configs.get("aws")).get("expressions"))
    allowed = _dict(expressions.get("allowed_account_ids")).get("constant_value")
    accounts = {a for a in (allowed if isinstance(allowed, list) else [])
                if isinstance(a, str) and _ACCOUNT.fullmatch(a)}
    for assume in _list(expressions.get("assume_role")):
        arn = _dict(_dict(assume).get("role_arn")).get("constant_value")
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) > 4 and _ACCOUNT.fullmatch(parts[4]):
            accounts.add(parts[4])
    region = _dict(expressions.get("region")).get("constant_value")
    return (accounts.pop() if len(accounts) == 1 else None), region if isinstance(region, str) else None


_ACCOUNT = re.compile(r"\d{12}")


def _module_of(address: str) -> str:
    parts = config_address(address).split(".")
    return "".join(f"module.{parts[i + 1]}." for i in range(0, len(parts) - 2, 2) if parts[i] == "module")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
