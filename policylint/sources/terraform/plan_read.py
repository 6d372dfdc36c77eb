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
_MODULE_INSTANCE = re.compile(rf"(?:module\.[\w-]+(?:{_INSTANCE_KEY.pattern})?\.)+")
_OWN_KEY = re.compile(rf"{_INSTANCE_KEY.pattern}\Z")
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
    kept: bool = False  # the plan keeps the object (`update`, `no-op`): what its provider computed stays known

    @property
    def config_address(self) -> str:
        return config_address(self.address)

    @property
    def module_instance(self) -> str:
        """The module instance it is in: "" or `module.team["a"].` (its references name that instance's own)."""
        found = _MODULE_INSTANCE.match(self.address)
        return found.group(0) if found else ""

    @property
    def key(self) -> str:
        """Its own instance key as the address writes it (`["a"]`, `[0]`), or "" for a single instance."""
        found = _OWN_KEY.search(self.address[len(self.module_instance):])
        return found.group(0) if found else ""


@dataclass(frozen=True, slots=True)
class Provider:
    """What an AWS provider configuration names: its account and region (None: not known)."""

    account: str | None = None
    region: str | None = None


@dataclass
class Plan:
    resources: list[TfResource] = field(default_factory=list)
    references: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # config address -> attr -> refs
    arns: list[str] = field(default_factory=list)  # every managed resource's known `arn`, state and plan
    parameters: list[str] = field(default_factory=list)  # what an HCL configuration leaves open (`hcl_values.Open`)
    configuration: bool = False  # read from HCL: resources in several files, policy documents as objects
    region: str | None = None  # the region a configuration's provider names (a plan's is read off its ARNs)
    account: str | None = None  # the account label of a root module's provider configuration that names none
    provider_account: str | None = None  # the account its AWS provider configuration names (`allowed_account_ids`)
    #                                      (of a plan: its default configuration's; `plan.by_provider` splits it)
    errors: list[InputError] = field(default_factory=list)  # what makes the plan incomplete, located
    providers: dict[str, Provider] = field(default_factory=dict)  # a plan's AWS provider configurations, by key
    prior: dict[str, str] = field(default_factory=dict)  # address -> the ARN its prior state knows
    # the Kubernetes cluster of its default provider's objects: None, `default` (a manifest's); a plan's, its file
    cluster: str | None = None
    defaults: frozenset[str] = frozenset()  # the provider configurations setting `default_tags` / `default_labels`


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
    configuration = _dict(data.get("configuration"))
    keys: dict[str, str] = {}  # configuration address -> its provider configuration's key
    _read_references(_dict(configuration.get("root_module")), "", plan.references, keys, 0)
    for item in _module_resources(root, 0, _Deeper(positions, plan.errors)):
        address = item.get("address")
        change = _dict(changes.get(address, {}).get("change"))
        if not isinstance(address, str) or _list(change.get("actions")) == ["delete"]:
            continue  # a resource being destroyed grants nothing once the plan is applied
        if item.get("mode", "managed") != "managed" or not str(item.get("type", "")).startswith(_PROVIDERS):
            continue
        values = _dict(item.get("values"))
        unknown = _dict(change.get("after_unknown"))
        kind = str(item["type"])
        provider = keys.get(config_address(address)) or kind.split("_")[0]
        kept = _list(change.get("actions")) in (["update"], ["no-op"])
        plan.resources.append(TfResource(address, kind, values, unknown, positions.of(address), _module_of(address),
                                         provider, kept))
        if isinstance(values.get("arn"), str):
            plan.arns.append(values["arn"])
    prior = _dict(_dict(data.get("prior_state")).get("values")).get("root_module")
    for resource in _module_resources(prior, 0, None):  # not a data source's ARN (the caller's)
        if resource.get("mode", "managed") == "managed" and isinstance(_dict(resource.get("values")).get("arn"), str):
            plan.arns.append(resource["values"]["arn"])
            plan.prior.setdefault(str(resource.get("address")), resource["values"]["arn"])
    variables = {name: _dict(v).get("value") for name, v in _dict(data.get("variables")).items()}
    plan.providers = {key: _provider_config(_dict(config), variables)
                      for key, config in _dict(configuration.get("provider_config")).items()
                      if _dict(config).get("name") == "aws"}
    plan.defaults = frozenset(key for key, config in _dict(configuration.get("provider_config")).items()
                              if {"default_tags", "default_labels"} & _dict(_dict(config).get("expressions")).keys())
    default = plan.providers.get("aws", Provider())
    plan.provider_account, plan.region = default.account, default.region
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


def _read_references(module: dict[str, Any], prefix: str, into: dict[str, dict[str, list[str]]],
                     keys: dict[str, str], depth: int) -> None:
    """What each resource's expressions reference, and the key of the provider configuration it uses, by
    configuration address (`configuration.root_module`)."""
    if depth > _DEEPEST:
        return
    for resource in _list(module.get("resources")):
        if not isinstance(resource, dict) or not isinstance(resource.get("address"), str):
            continue
        found: dict[str, list[str]] = {}
        for attr, expression in _dict(resource.get("expressions")).items():
            _expression_references(attr, expression, found, 0)
        into[prefix + resource["address"]] = found
        if isinstance(resource.get("provider_config_key"), str):
            keys[prefix + resource["address"]] = resource["provider_config_key"]
    for name, call in _dict(module.get("module_calls")).items():
        _read_references(_dict(_dict(call).get("module")), f"{prefix}module.{name}.", into, keys, depth + 1)


def _expression_references(attr: str, expression: Any, into: dict[str, list[str]], depth: int) -> None:
    """An attribute's references; a nested block's (a list of mappings of expressions) also by the path of each of
    its attributes, every block's together: `server_side_encryption.kms_key_arn`."""
    into.setdefault(attr, []).extend(r for r in _list(_dict(expression).get("references")) if isinstance(r, str))
    if depth < _NESTING:
        for block in expression if isinstance(expression, list) else ():
            for inner, value in _dict(block).items():
                _expression_references(f"{attr}.{inner}", value, into, depth + 1)


def _provider_config(config: dict[str, Any], variables: dict[str, Any]) -> Provider:
    """The account and region an AWS provider configuration names, as the HCL reader reads them from the provider
    block: `allowed_account_ids` (exactly one) or `assume_role`'s `role_arn`, written as constants or, in the root
    module's configurations, from variables (`role_arn = var.prod_role`, `"arn:aws:iam::${var.account}:role/x"`:
    the plan gives their values, not the text around them). What names no account names none: the account is then
    not known, never another configuration's."""
    expressions = _dict(config.get("expressions"))
    known = variables if "module_address" not in config else {}  # a module's variables: the plan has no values
    accounts = {a for a in _values(expressions.get("allowed_account_ids"), known) if _ACCOUNT.fullmatch(a)}
    for assume in _list(expressions.get("assume_role")):
        for value in _values(_dict(assume).get("role_arn"), known):
            parts = value.split(":")
            if len(parts) > 4 and _ACCOUNT.fullmatch(parts[4]):
                accounts.add(parts[4])
            elif _ACCOUNT.fullmatch(value):  # `arn:aws:iam::${var.account}:role/x`: the account is the variable
                accounts.add(value)
    region = [r for r in _values(expressions.get("region"), {}) if r]
    return Provider(accounts.pop() if len(accounts) == 1 else None, region[0] if len(region) == 1 else None)


def _values(expression: Any, variables: dict[str, Any]) -> list[str]:
    """The texts an expression's constant (a string or a list of them) holds, or the variables it references do;
    none when it references anything else (a local, a data source: not in the plan)."""
    expression = _dict(expression)
    if "constant_value" in expression:
        found = [expression["constant_value"]]
    else:
        references = [r for r in _list(expression.get("references")) if isinstance(r, str)]
        if not references or not all(r.startswith("var.") and r[4:] in variables for r in references):
            return []
        found = [variables[r[4:]] for r in dict.fromkeys(references)]
    flat = [v for item in found for v in (item if isinstance(item, list) else [item])]
    return [v for v in flat if isinstance(v, str)]


_ACCOUNT = re.compile(r"\d{12}")


def _module_of(address: str) -> str:
    parts = config_address(address).split(".")
    return "".join(f"module.{parts[i + 1]}." for i in range(0, len(parts) - 2, 2) if parts[i] == "module")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
