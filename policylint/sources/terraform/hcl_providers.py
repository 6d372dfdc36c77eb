"""What a root module's provider configurations say about the resources made with them: the AWS account and region
(`allowed_account_ids`, `assume_role { role_arn }`), the tags AWS puts on every resource (`default_tags`) and the
labels Google does (`default_labels`). A provider block is evaluated in the root module's scope (its variables and
locals), without module calls or files.

Tags and labels the configuration leaves open stay open: an open map of default tags may set any classification
key, so every classification key the resource does not set itself is open (the readers read it as any class), and
no key is ever made up of the intrinsic that stands for the open map."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from policylint.model import Location
from policylint.sources.terraform.hcl_blocks import configuration, nested_blocks
from policylint.sources.terraform.hcl_eval import argument
from policylint.sources.terraform.hcl_module import Folder, Module
from policylint.sources.terraform.hcl_scope import Budget, Scope
from policylint.sources.terraform.hcl_values import Open, template_value
from policylint.sources.terraform.plan_cfn import intrinsic
from policylint.sources.terraform.plan_read import TfResource

OPEN_CLASS = "*"  # a label value the GCP reader reads as any class (its labels hold text only)


def aws_account(folder: Folder, key: str, budget: Budget) -> tuple[str | None, str | None]:
    """The AWS account and region a root module's provider configuration names (`aws`: the one without an
    `alias`; `aws.security`: `alias = "security"`): the account from `allowed_account_ids` (exactly one) or
    `assume_role { role_arn }`. Each configuration's resources are in its own account."""
    accounts: set[str] = set()
    region: str | None = None
    scope = _scope(folder, budget)
    for block in configuration(folder.providers, key, scope):
        allowed = block.attributes.get("allowed_account_ids")
        value = argument(allowed, scope) if allowed is not None else None
        if isinstance(value, list):
            accounts.update(v for v in value if isinstance(v, str) and v.isdigit() and len(v) == 12)
        for assume in nested_blocks(block, "assume_role", scope) or []:
            arn = assume.get("role_arn")
            parts = arn.split(":") if isinstance(arn, str) else []
            if len(parts) > 4 and parts[4].isdigit() and len(parts[4]) == 12:
                accounts.add(parts[4])
        named = argument(block.attributes["region"], scope) if "region" in block.attributes else None
        region = named if isinstance(named, str) else region
    return (accounts.pop() if len(accounts) == 1 else None), region


def default_tags(folder: Folder, key: str, budget: Budget, parameters: dict[str, None]) -> Any:
    """An AWS provider configuration's `default_tags { tags = {…} }` as the template says them: a map, or the
    intrinsic that stands for one left open."""
    scope = _scope(folder, budget)
    for block in configuration(folder.providers, key, scope):
        for defaults in nested_blocks(block, "default_tags", scope) or []:
            return _as_map(defaults.get("tags"), "default_tags", parameters)
    return {}


def default_labels(folder: Folder, key: str, budget: Budget, parameters: dict[str, None]) -> Any:
    """A Google provider configuration's `default_labels`, as `default_tags`."""
    scope = _scope(folder, budget)
    for block in configuration(folder.providers, key, scope):
        if "default_labels" in block.attributes:
            return _as_map(argument(block.attributes["default_labels"], scope), "default_labels", parameters)
    return {}


def _as_map(value: Any, what: str, parameters: dict[str, None]) -> Any:
    written = template_value(value, parameters)
    if written is None:
        return {}
    if isinstance(written, dict) and (intrinsic(written) or all(isinstance(k, str) for k in written)):
        return written
    return template_value(Open(f"the provider's {what} (not a map)"), parameters)


def with_tags(resource: TfResource, defaults: Any, keys: tuple[str, ...]) -> TfResource:
    """The resource with its provider's default tags under its own (a plan's `tags_all`)."""
    own = resource.values.get("tags")
    if own is not None and (not isinstance(own, dict) or intrinsic(own)):
        return resource  # its own tags are left open: they stand (the reader reads every key as open)
    merged = {**_opened(defaults, keys), **(own or {})}
    return replace(resource, values={**resource.values, "tags_all": merged})


def with_labels(resource: TfResource, defaults: Any, keys: tuple[str, ...]) -> TfResource:
    """The resource with its provider's default labels under its own (the provider's `effective_labels`). The GCP
    reader reads labels that are text only: a classification key whose value is left open is `OPEN_CLASS`."""
    own = resource.values.get("labels")
    if own is None and not defaults:
        return resource
    own_map = _opened(own, keys) if own is not None else {}
    merged = {**_opened(defaults, keys), **own_map}
    effective = {k: OPEN_CLASS if k in keys and not isinstance(v, str) else v for k, v in merged.items()}
    values = {**resource.values, "effective_labels": effective}
    if own is not None and intrinsic(own):
        values["labels"] = {}  # open: what it may set is in `effective_labels`, never a label named after it
    return replace(resource, values=values)


def _opened(tags: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """A map of tags or labels; one left open as a whole is every classification key, open."""
    if isinstance(tags, dict) and not intrinsic(tags):
        return tags
    return dict.fromkeys(keys, tags)


def _scope(folder: Folder, budget: Budget) -> Scope:
    return Scope(Module(folder, NoFiles(budget)))


class NoFiles:
    """A provider block's scope: its variables and locals, no module calls or files."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def folder(self, path: str | None) -> Folder | None:
        return None

    def read_file(self, path: str) -> str | Open:
        return Open(f"file {path!r} (read in a provider block)")

    def root_of(self, module: Module) -> str:
        return module.folder.path

    def note(self, at: Location, text: str) -> None:
        pass  # a provider block calls no module

    def used(self, path: str) -> None:
        pass
