"""A Terraform module instance: its variables, locals, resources, data sources and module calls, and the resource
instances it (and the local modules it calls) would create, as the `TfResource`s the plan reader makes.

- Variables: the caller's argument (evaluated in the caller's scope), else a root module's `terraform.tfvars` /
  `*.auto.tfvars` (what Terraform loads without `-var-file`), else the default, else `Open`.
- Resources: one instance per `count` index or `for_each` key (`aws_iam_role.app["data"]`, as a plan addresses
  it); a `count` or `for_each` not known here is one instance (fail closed: the resource exists), keyed
  `[*]`, and one known in part (`toset(concat(["kim"], var.extra))`) is its known instances and that one besides.
  Attributes and nested blocks (`dynamic` ones expanded) are evaluated; an attribute Terraform computes is the
  CloudFormation intrinsic that stands for it (`.arn`: `Fn::GetAtt`, `.id`: `Ref`), or `Open`.
- Data sources (`hcl_data`): `aws_iam_policy_document` is built as the provider builds it (statements, principals,
  conditions, `source_policy_documents`, `override_policy_documents`); `aws_caller_identity`, `aws_region` and
  `aws_partition` are the template's pseudo parameters; any other is `Open` (read from the provider at plan time).
- Module calls: a local source (`./`, `../`) among the walked folders is instantiated with its arguments (each
  `count`/`for_each` instance: `module.team["data"].`); any other source (the registry, git, a folder outside the
  walk) is not read: its outputs are `Open`, and `Project` says so.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from lark import Token, Tree

from policylint.errors import InputError
from policylint.model import Location
from policylint.redact import redact
from policylint.sources.terraform.hcl_blocks import nested_blocks
from policylint.sources.terraform.hcl_data import Data
from policylint.sources.terraform.hcl_eval import argument, step_into
from policylint.sources.terraform.hcl_gcp import computed, default_project
from policylint.sources.terraform.hcl_parse import Attribute, Block, JsonExpr
from policylint.sources.terraform.hcl_schema import EITHER_WAY, holder, misplaced, nested
from policylint.sources.terraform.hcl_scope import Budget, Scope, TooLarge
from policylint.sources.terraform.hcl_types import Mismatch, conform
from policylint.sources.terraform.hcl_values import (
    AtLeast,
    Cfn,
    Missing,
    Open,
    Partial,
    first_open,
    joined,
    number,
    template_value,
)
from policylint.sources.terraform.plan_read import TfResource

_META = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"})
_CALL_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
_PROJECT_SCOPED = frozenset({
    "google_project_iam_member", "google_project_iam_binding", "google_project_iam_policy", "google_service_account",
    "google_kms_key_ring", "google_storage_bucket", "google_bigquery_dataset", "google_bigquery_dataset_iam_member",
    "google_bigquery_dataset_iam_binding", "google_bigquery_dataset_iam_policy", "google_project_iam_custom_role",
    "google_bigquery_dataset_access", "google_project_iam_audit_config"})
DEEPEST_MODULE = 16  # local modules calling local modules, deeper than Terraform configurations go
_REF_IS_ARN = frozenset({"aws_iam_policy"})  # CloudFormation's Ref of a managed policy is its ARN
_IDENTITY_PROVIDERS = {"aws_iam_openid_connect_provider": ("oidc-provider", "url"),
                       "aws_iam_saml_provider": ("saml-provider", "name")}
_NAMED_BY_REF = frozenset({"id", "name", "bucket", "key_id", "user", "group", "role"})


class Folder:
    """A module's files, parsed: the blocks of every `.tf` / `.tf.json` in one folder, and its auto tfvars."""

    def __init__(self, path: str, bodies: list[Block], tfvars: list[Block], overrides: Sequence[Block] = (),
                 asked: Sequence[Block] = ()) -> None:
        self.path = path
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.modules: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self.providers: list[Block] = []
        self.backend = False  # a `terraform { backend … }` or `cloud` block: a root module's
        self.errors: list[InputError] = []  # what Terraform refuses in the folder as a whole (an address twice)
        for body in bodies:
            for block in body.blocks:
                self._add(block)
        for body in overrides:  # `override.tf`, `*_override.tf`: merged into what they name, after every other file
            for block in body.blocks:
                self._override(block)
        for body in [*bodies, *overrides]:
            for block in body.blocks:
                self.errors += misplaced(block)
        self.tfvars: dict[str, Attribute] = {}
        for body in tfvars:
            self.tfvars.update(body.attributes)
        self.asked: dict[str, Attribute] = {}  # what a values file only `-var-file` applies sets: either may hold
        for body in asked:
            for name, attribute in body.attributes.items():
                self.asked.setdefault(name, attribute)

    def _add(self, block: Block) -> None:
        labels = block.labels
        if block.type == "variable" and len(labels) == 1:
            self.variables[labels[0]] = block
        elif block.type == "locals":
            self.locals.update(block.attributes)
        elif block.type == "resource" and len(labels) == 2:
            self._once(self.resources, (labels[0], labels[1]), block, ".".join(labels))
        elif block.type == "data" and len(labels) == 2:
            self._once(self.data, (labels[0], labels[1]), block, "data." + ".".join(labels))
        elif block.type == "module" and len(labels) == 1:
            self._once(self.modules, labels[0], block, "module." + labels[0])
        elif block.type == "output" and len(labels) == 1:
            self.outputs[labels[0]] = block
        elif block.type == "provider":
            self.providers.append(block)
        elif block.type == "terraform" and any(b.type in ("backend", "cloud") for b in block.blocks):
            self.backend = True

    def _override(self, block: Block) -> None:
        """Terraform's override: each argument replaces the original's, and nested blocks of a type replace all of
        that type; `locals` one by one. A block that overrides nothing is read as declared."""
        kinds: dict[str, Any] = {"resource": self.resources, "data": self.data, "module": self.modules,
                                 "variable": self.variables, "output": self.outputs}
        into = kinds.get(block.type)
        key: Any = block.labels if len(block.labels) == 2 else (block.labels[0] if block.labels else None)
        if block.type == "locals":
            self.locals.update(block.attributes)
        elif into is not None and key in into:
            original = into[key]
            replaced = {b.type for b in block.blocks}
            into[key] = Block(original.type, original.labels, original.location,
                              {**original.attributes, **block.attributes},
                              [b for b in original.blocks if b.type not in replaced] + block.blocks)
        else:
            self._add(block)

    def _once(self, into: dict[Any, Block], key: Any, block: Block, address: str) -> None:
        """A block whose address the module declares already is Terraform's error too: the first one is read."""
        first = into.setdefault(key, block)
        if first is not block:
            self.errors.append(InputError(block.location, f"expected each address once in a module, found {address} "
                                                          f"again (first at {first.location})"))

    def local_source(self, call: Block) -> str | None:
        """The folder a module call's literal local `source` names, normalised; None for any other source."""
        source = call.attributes.get("source")
        value = argument(source, Scope(_NoNames())) if source is not None else None
        if not isinstance(value, str) or not value.startswith(("./", "../")):
            return None
        return os.path.normpath(os.path.join(self.path, value))


class Memo:
    """Values computed once each; one asked for while it is being computed refers to itself: open."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._busy: set[str] = set()

    def get(self, key: str, compute: Callable[[], Any], name: str) -> Any:
        if key in self._values:
            return self._values[key]
        if key in self._busy:
            return Open(f"{name} refers to itself")
        self._busy.add(key)
        try:
            value = compute()
        finally:
            self._busy.discard(key)
        self._values[key] = value
        return value


class _NoNames:
    def __init__(self) -> None:
        self.budget = Budget()

    def lookup(self, root: str, steps: list[Any], scope: Scope) -> Any:
        return Open("a module source that is not a literal")

    def read_file(self, path: str) -> str | Open:
        return Open("a file read in a module source")


class Files(Protocol):
    """Where a module's files come from (`hcl.Project`): the folder a local module call names, a file a function
    reads, the root module's folder."""

    def folder(self, path: str | None) -> Folder | None: ...

    def read_file(self, path: str) -> str | Open: ...

    def root_of(self, module: Module) -> str: ...

    def note(self, at: Location, text: str) -> None: ...

    def used(self, path: str) -> None: ...

    @property
    def budget(self) -> Budget: ...


class Module:
    """One instance of a module: the root, or a call's (each `count`/`for_each` instance of it)."""

    def __init__(self, folder: Folder, project: Files, prefix: str = "", config: str = "",
                 inputs: dict[str, Argument] | None = None, depth: int = 0) -> None:
        self.folder = folder
        self.project = project
        self.prefix = prefix  # the instance's address prefix: `module.team["data"].`
        self.config = config  # its configuration's: `module.team.`
        self.inputs = inputs  # None: the root module (tfvars apply)
        self.depth = depth
        self.parent: Module | None = None
        self.providers: dict[str, str] = {}  # a provider name here -> the root's configuration (`aws.security`)
        self.budget = project.budget
        self._memo = Memo()
        self._resources: dict[tuple[str, str], Any] = {}
        self._values_of: dict[tuple[str, str], Any] = {}
        self._data: dict[tuple[str, str], Any] = {}
        self._calls: dict[str, Any] = {}

    # -- the Names interface ---------------------------------------------------------------------------------------

    def lookup(self, root: str, steps: list[Any], scope: Scope) -> Any:
        if root == "var":
            return _then(self._once(f"var.{steps[0]}", lambda: self._variable(str(steps[0]), scope)), steps[1:])
        if root == "local":
            return _then(self._once(f"local.{steps[0]}", lambda: self._local(str(steps[0]), scope)), steps[1:])
        if root == "path" and steps:
            where = {"module": self.folder.path, "root": self.project.root_of(self), "cwd": "."}
            return _then(where.get(str(steps[0]), Open(f"path.{steps[0]}")), steps[1:])
        if root == "terraform" and steps and steps[0] == "workspace":
            return Open("terraform.workspace (the workspace a run selects)")
        if root == "data" and len(steps) >= 2:
            return _then(self._data_value(str(steps[0]), str(steps[1]), scope), steps[2:])
        if root == "module" and steps:
            return _then(self._call_value(str(steps[0]), scope), steps[1:])
        if root in ("each", "count", "self"):
            raise Missing(f"{root} outside a resource that sets it")
        if steps and (root, str(steps[0])) in self.folder.resources:
            return _then(self._resource_value(root, str(steps[0]), scope), steps[1:])
        raise Missing(f"a reference to {root}{'.' + str(steps[0]) if steps else ''}, which this module does not "
                      f"declare")

    def read_file(self, path: str) -> str | Open:
        return self.project.read_file(path)

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        return self._memo.get(key, compute, key)

    def scope(self, **variables: Any) -> Scope:
        return Scope(self, dict(variables))

    def google_project(self, provider: str) -> Any:
        """The project a Google resource without `project` is in: that of the root module's provider configuration
        it uses (`google`, or `google.prod` for `provider = google.prod`)."""
        if self.parent is not None:
            return self.parent.google_project(provider)
        return self._once(f"provider.{provider}.project", lambda: default_project(
            self.folder.providers, provider, self.scope()))

    # -- variables and locals -------------------------------------------------------------------------------------

    def _variable(self, name: str, scope: Scope) -> Any:
        block = self.folder.variables.get(name)
        if block is None:
            raise Missing(f"var.{name}, which this module does not declare")
        kind = block.attributes.get("type")
        if self.inputs is not None and name in self.inputs:
            given = self.inputs[name]
        elif self.inputs is None and name in self.folder.asked:
            where = os.path.basename(self.folder.asked[name].location.file)
            return Open(f"var.{name} (set by {where}, which Terraform applies only with -var-file)")
        elif self.inputs is None and name in self.folder.tfvars:
            given = Argument(self.folder.tfvars[name], self.scope())
        elif "default" in block.attributes:
            given = Argument(block.attributes["default"], self.scope())
        else:
            where = "the caller does not set it" if self.inputs is not None else "no tfvars sets it"
            return Open(f"var.{name} (a variable without a default; {where})")
        value = given.value()
        nullable = block.attributes.get("nullable")
        if value is None and nullable is not None and argument(nullable, self.scope()) is False \
                and "default" in block.attributes:  # `nullable = false`: null is the default
            given = Argument(block.attributes["default"], self.scope())
            value = given.value()
        if kind is None:
            return value
        try:
            return conform(value, kind.expr, self.scope())
        except Mismatch as mismatch:  # Terraform refuses the configuration: said where, and open (fail closed)
            self.budget.fail(given.attribute.location, f"expected a value of var.{name}'s type, found one Terraform "
                                                       f"cannot convert to it ({mismatch}); it is read as not known "
                                                       "here (fail closed)")
            return Open(f"var.{name} (a value Terraform cannot convert to its type)")

    def _local(self, name: str, scope: Scope) -> Any:
        attribute = self.folder.locals.get(name)
        if attribute is None:
            raise Missing(f"local.{name}, which this module does not declare")
        return argument(attribute, self.scope())

    # -- resources -------------------------------------------------------------------------------------------------

    def _resource_value(self, kind: str, name: str, scope: Scope) -> Any:
        """A resource as references see it: its one instance, or the map (`for_each`) or list (`count`) of them;
        built once (a `for_each` resource referenced per instance must not rebuild its map each time)."""
        key = (kind, name)
        if key not in self._values_of:
            instances = self.resource_instances(kind, name)
            block = self.folder.resources[key]
            if "for_each" in block.attributes:
                value: Any = {k: instance for k, instance in instances}
            elif "count" in block.attributes:
                value = [instance for _, instance in instances]
            else:
                value = instances[0][1] if instances else Open(f"{kind}.{name}")
            if self._resources.get(key):  # a reference made while its instances were being made sees none: not kept
                self._values_of[key] = value
            return value
        return self._values_of[key]

    def resource_instances(self, kind: str, name: str) -> list[tuple[Any, Instance]]:
        key = (kind, name)
        if key not in self._resources:
            self._resources[key] = []  # a count referring to its own resource sees none
            block = self.folder.resources[key]
            self._resources[key] = [(k, Instance(self, block, f"{self.prefix}{kind}.{name}{suffix}", scope))
                                    for k, suffix, scope in self._expand(block)]
        return list(self._resources[key])

    def _expand(self, block: Block) -> list[tuple[Any, str, Scope]]:
        """Each instance a block's `count` or `for_each` makes: (its key, its address suffix, its scope). One not
        known here, or past the budget, is one instance standing for all, keyed `[*]` (fail closed: the resource
        exists); past the budget is also a located error, as what it stands for was not expanded."""
        self.budget.enter()  # a block's instances are a top-level expression of their own
        try:
            return self._instances(block, f"{'.'.join(block.labels)}")
        finally:
            self.budget.leave()

    def _instances(self, block: Block, name: str) -> list[tuple[Any, str, Scope]]:
        """The instances of a `for_each` or `count`, as `_expand` says; one with known and open parts
        (`concat(["kim"], var.extra)`, the `length` of it) makes the known instances and an open one besides (fail
        closed both ways: neither the known instances nor any other are lost)."""
        if "for_each" in block.attributes:
            known, more = _each(argument(block.attributes["for_each"], self.scope()))
            why = "not known here"
            if known and not self._fit(block, "for_each", len(known)):
                known, more, why = {}, True, "past the evaluation budget"
            made = [(k, f"[{json.dumps(k, ensure_ascii=False)}]", self.scope(each={"key": k, "value": v}))
                    for k, v in known.items()]
            if more:
                opened = Open(f"for_each of {block.type} {name} ({why})")
                made.append(("*", "[*]", self.scope(each={"key": opened, "value": opened})))
            return made
        if "count" in block.attributes:
            least, more = _count(number(argument(block.attributes["count"], self.scope())))  # `"2"` is 2 too
            why = "not known here"
            if least and not self._fit(block, "count", least):
                least, more, why = 0, True, "past the evaluation budget"
            counted = [(i, f"[{i}]", self.scope(count={"index": i})) for i in range(least)]
            if more:
                opened = Open(f"count of {block.type} {name} ({why})")
                counted.append((least, "[*]", self.scope(count={"index": opened})))
            return counted
        return [(None, "", self.scope())]

    def _fit(self, block: Block, meta: str, count: int) -> bool:
        """Whether the instances fit the budget; if not, a located error says what was not expanded."""
        try:
            self.budget.instances(count)
        except TooLarge as large:
            self.budget.fail(block.attributes[meta].location,
                             f"expected instances within the bounds of any real configuration, found {meta} of "
                             f"{block.type} {'.'.join(block.labels)} making {count:,}: {large}; read as one instance, "
                             "[*], standing for all of them (fail closed)")
            return False
        return True

    def resources(self) -> list[TfResource]:
        """Every managed resource instance of this module and of the local modules it calls."""
        found: list[TfResource] = []
        for kind, name in self.folder.resources:
            for _, instance in self.resource_instances(kind, name):
                found.append(instance.tf_resource())
        for call in self.folder.modules:
            for _, child in self._call_instances(call):
                if isinstance(child, Outputs):
                    found += child.module.resources()
        return found

    # -- data sources ---------------------------------------------------------------------------------------------

    def _data_value(self, kind: str, name: str, scope: Scope) -> Any:
        block = self.folder.data.get((kind, name))
        if block is None:
            raise Missing(f"data.{kind}.{name}, which this module does not declare")
        key = (kind, name)
        if key not in self._data:
            self._data[key] = [(k, Data(block, f"{self.prefix}data.{kind}.{name}{suffix}", s))
                               for k, suffix, s in self._expand(block)]
        instances = self._data[key]
        if "for_each" in block.attributes:
            return {k: v for k, v in instances}
        if "count" in block.attributes:
            return [v for _, v in instances]
        return instances[0][1]

    # -- module calls ---------------------------------------------------------------------------------------------

    def _call_value(self, name: str, scope: Scope) -> Any:
        block = self.folder.modules.get(name)
        if block is None:
            raise Missing(f"module.{name}, which this module does not declare")
        instances = self._call_instances(name)
        if "for_each" in block.attributes:
            return {k: v for k, v in instances}
        if "count" in block.attributes:
            return [v for _, v in instances]
        return instances[0][1]

    def _chain(self) -> list[str]:
        """The folders of this module instance and every module it is part of."""
        chain: list[str] = []
        module: Module | None = self
        while module is not None:
            chain.append(module.folder.path)
            module = module.parent
        return chain

    def provider_of(self, local: str) -> str:
        """The root's provider configuration a provider name of this module stands for."""
        return self.providers.get(local, self.providers.get(local.split(".")[0], local) if "." not in local
                                  else local)

    def _passed_providers(self, call: Block) -> dict[str, str]:
        """What a module call's `providers = { aws = aws.security }` passes (by default, its own defaults)."""
        passed = {k: v for k, v in self.providers.items() if "." not in k}
        given = call.attributes.get("providers")
        node = given.expr if given is not None else None
        for key, value in _provider_pairs(node):
            passed[key] = self.provider_of(value)
        return passed

    def _call_instances(self, name: str) -> list[tuple[Any, Any]]:
        if name not in self._calls:
            self._calls[name] = []
            block = self.folder.modules[name]
            target = self.project.folder(self.folder.local_source(block))
            if target is not None and target.path in self._chain():
                self.project.note(block.location, f"module {name!r} calls a module it is part of (Terraform refuses "
                                                  "such a cycle): not read again")
                target = None
            elif target is None or self.depth >= DEEPEST_MODULE:
                self.project.note(block.location, _unread(block, self.folder, self.depth >= DEEPEST_MODULE))
            made: list[tuple[Any, Any]] = []
            for key, suffix, scope in self._expand(block):
                if target is None or self.depth >= DEEPEST_MODULE:
                    made.append((key, _Remote(name, block, self.depth >= DEEPEST_MODULE)))
                    continue
                inputs = {arg: Argument(attribute, scope) for arg, attribute in block.attributes.items()
                          if arg not in _CALL_META}
                child = Module(target, self.project, f"{self.prefix}module.{name}{suffix}.",
                               f"{self.config}module.{name}.", inputs, self.depth + 1)
                child.parent = self
                child.providers = self._passed_providers(block)
                self.project.used(target.path)
                made.append((key, Outputs(child)))
            self._calls[name] = made
        return list(self._calls[name])


def _each(value: Any) -> tuple[dict[Any, Any], bool]:
    """The instances a `for_each` value makes that are known here (key: `each.value`), and whether it makes others
    besides (it is open, in whole or in part: an open item of a set, the open part of a `Partial`)."""
    more = isinstance(value, Open)
    if isinstance(value, Partial):
        value = value.known
    if isinstance(value, dict):
        return dict(value), more
    if isinstance(value, list):
        return {v: v for v in value if isinstance(v, str)}, more or any(not isinstance(v, str) for v in value)
    return {}, True


def _count(value: Any) -> tuple[int, bool]:
    """How many instances a `count` value makes that are known here, and whether it may make more (it is open;
    `AtLeast`: at least that many)."""
    if isinstance(value, AtLeast):
        return max(value.least, 0), True
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return max(int(value), 0), False
    return 0, True


def _unread(call: Block, folder: Folder, too_deep: bool) -> str:
    source = argument(call.attributes["source"], Scope(_NoNames())) if "source" in call.attributes else None
    shown = repr(_shown_source(source)) if isinstance(source, str) else "not given"
    why = (f"it is nested deeper than {DEEPEST_MODULE} modules" if too_deep
           else "its source is not a folder of the checked tree" if folder.local_source(call) is not None
           else "its source is not a local folder (a registry, git or archive module)")
    return (f"module {call.labels[0]!r} (source {shown}) is not read, as {why}: the resources it creates are not "
            "checked, and its outputs are taken as anything (fail closed). Check its source too, or a plan of "
            "the configuration (`terraform show -json`).")


def _shown_source(source: str) -> str:
    """A module source as a note shows it: without its query, which may be a presigned URL's credentials
    (`?X-Amz-Credential=…&X-Amz-Signature=…`), and with anything else shaped like a secret masked."""
    base, query, _ = source.partition("?")
    return redact(base) + ("?<redacted>" if query else "")


@dataclass(frozen=True)
class Argument:
    """What sets a variable (a module call's argument, a tfvars value, the default), evaluated in its own scope when
    first used."""

    attribute: Attribute
    scope: Scope

    def value(self) -> Any:
        return argument(self.attribute, self.scope)


def _then(value: Any, steps: list[Any]) -> Any:
    for step in steps:
        value = step_into(value, step)
    return value


class Outputs:
    """A module instance as its callers see it: its outputs."""

    def __init__(self, module: Module) -> None:
        self.module = module

    def attribute(self, name: str) -> Any:
        block = self.module.folder.outputs.get(name)
        if block is None or "value" not in block.attributes:
            raise Missing(f"an output ({name}) the module does not declare")
        value = block.attributes["value"]
        return self.module._once(f"output.{name}", lambda: argument(value, self.module.scope()))



class _Remote:
    def __init__(self, name: str, block: Block, too_deep: bool) -> None:
        why = "nested too deeply to follow" if too_deep else "a source policylint does not read"
        self.reason = f"module.{name} output (its module is {why})"

    def attribute(self, name: str) -> Any:
        return Open(f"{self.reason[:-1]}: {name})")


class Instance:
    """One instance of a resource block: its attributes evaluated on demand (references between resources)."""

    def __init__(self, module: Module, block: Block, address: str, scope: Scope) -> None:
        self.module = module
        self.block = block
        self.address = address
        self.kind = block.labels[0]
        self._scope = scope
        self._memo = Memo()

    def attribute(self, name: str) -> Any:
        return self._memo.get(name, lambda: self._compute(name), f"{self.address}.{name}")

    def _compute(self, name: str) -> Any:
        if name in self.block.attributes and name not in _META:
            value = argument(self.block.attributes[name], self._scope)
            if value is not None or name not in _NAMED_BY_REF:
                return value  # a name set to null is the provider's to choose (`name_prefix`): computed, below
        nested = nested_blocks(self.block, name, self._scope)
        if nested is not None:
            return nested
        if self.kind.startswith("google_"):
            if name == "project":
                return self.module.google_project(self.provider())
            found = computed(self.kind, name, self.attribute, self.attribute("project"), self.address)
            return found if found is not None else Open(f"{self.address}.{name} (known after apply)")
        if name == "arn" and self.kind in _IDENTITY_PROVIDERS:  # the ARN the provider names it by, account and all
            kind, named = _IDENTITY_PROVIDERS[self.kind]
            value = self.attribute(named)
            value = value.split("://", 1)[-1] if isinstance(value, str) else value
            return joined(["arn:aws:iam::", Cfn({"Ref": "AWS::AccountId"}), f":{kind}/", value])
        if name == "arn":
            return Cfn({"Ref": self.address} if self.kind in _REF_IS_ARN else {"Fn::GetAtt": [self.address, "Arn"]})
        if name in _NAMED_BY_REF:
            return Cfn({"Ref": self.address})
        return Open(f"{self.address}.{name} (known after apply)")

    def provider(self) -> str:
        """The root's provider configuration this resource uses: its `provider = aws.x`, else its type's default."""
        written = _traversal_text(self.block.attributes["provider"].expr) if "provider" in self.block.attributes \
            else None
        return self.module.provider_of(written or self.kind.split("_")[0])

    def tf_resource(self) -> TfResource:
        names = [n for n in self.block.attributes if n not in _META]
        names += sorted({b.type if b.type != "dynamic" else (b.labels[0] if b.labels else "") for b in
                         self.block.blocks} - set(_META) - {""})
        if self.kind in _PROJECT_SCOPED and "project" not in names:
            names.append("project")  # the provider's default, as a plan shows it
        values = {name: self.attribute(name) for name in names}
        # an argument written where a nested block belongs (`inline_policy = [{…}]`, which the provider takes; any
        # other Terraform refuses, and `hcl_schema.misplaced` says so): blocks as written; left open, one block of
        # what the readers read, open, else not known until apply, as a plan says of a block it cannot know
        unknown: dict[str, Any] = {}
        for name in nested(*holder(self.block)) & set(self.block.attributes) & set(values):
            value = values[name]
            if isinstance(value, dict):
                values[name] = [value]
            elif not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
                opened = first_open(value) or Open(f"{self.address}.{name} (not known here)")
                keys = EITHER_WAY.get((self.kind, name))
                if keys:
                    values[name] = [dict.fromkeys(keys, opened)]
                else:
                    del values[name]
                    unknown[name] = True
        return TfResource(self.address, self.kind, values, unknown, self.block.location, self.module.config,
                          self.provider())


def as_values(resource: TfResource, parameters: dict[str, None]) -> TfResource:
    """The resource with its values as the template says them (`hcl_values.template_value`)."""
    values = {k: template_value(v, parameters) for k, v in resource.values.items()}
    return TfResource(resource.address, resource.type, values, {}, resource.location, resource.module,
                      resource.provider)


__all__ = ["DEEPEST_MODULE", "Data", "Folder", "Instance", "Location", "Module", "Outputs", "as_values",
           "nested_blocks"]


def _traversal_text(node: Any) -> str | None:
    """A bare reference's text (`aws.security`), not its value: how `provider` and `providers` name a provider."""
    if not isinstance(node, Tree):
        return node.value if isinstance(node, JsonExpr) and isinstance(node.value, str) else None
    names = [str(t) for t in node.scan_values(lambda v: isinstance(v, Token) and v.type == "NAME")]
    return ".".join(names) if names else None


def _provider_pairs(node: Any) -> list[tuple[str, str]]:
    """The (name, provider) pairs of a `providers = { aws = aws.security }` object."""
    if isinstance(node, JsonExpr):
        return [(str(k), str(v)) for k, v in node.value.items()] if isinstance(node.value, dict) else []
    pairs = []
    objects = list(node.find_data("object")) if isinstance(node, Tree) else []
    for element in objects[0].children if objects else []:
        if isinstance(element, Tree) and element.data == "object_elem":
            parts = [c for c in element.children if isinstance(c, Tree)]
            key, value = _traversal_text(parts[0]), _traversal_text(parts[-1])
            if key and value:
                pairs.append((key, value))
    return pairs
