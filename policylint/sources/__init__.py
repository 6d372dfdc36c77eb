"""Input formats. One module per format, registered here explicitly; each satisfies `base.Source`. Detection is
the registry's decision (`claimants`), never the order of SOURCES."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

from policylint.errors import InputError
from policylint.model import Inventory
from policylint.sources import gcp_names, kubernetes_names, native
from policylint.sources.aws import authz_names, cloudformation_names, credential_report_names, policy_document_names
from policylint.sources.base import Fragment, Options, Source
from policylint.sources.hr import okta_names, roster_csv_names, scim_names
from policylint.sources.native_marker import MARKER, SECTIONS
from policylint.sources.terraform import hcl_names as terraform_hcl
from policylint.sources.terraform import plan_names as terraform_plan
from policylint.yamlsafe import load_all


class Lazy:
    """A source whose reader is imported only when a file needs it: its cheap `detect` (the reader's own function,
    kept in a light `*_names` module the reader imports it from) comes with the registry, its module with the first
    `load`. The pre-commit hook on a run without such files never pays for it (the Terraform grammar and evaluator
    were a third of the start-up; the other readers about 50 ms of what was left)."""

    def __init__(self, name: str, detect: Callable[[str, str], bool], module: str) -> None:
        self.NAME = name
        self.detect = detect
        self.module = module  # the reader's module name

    def load(self, path: str, text: str, options: Options) -> Fragment:
        source: Source = importlib.import_module(self.module)
        return source.load(path, text, options)


class LazyLinker(Lazy):
    """A lazy source that also completes the merged inventory (`base.Linker`). Its `link` runs whenever `links` says
    the inventory holds records it could change, whoever read them (a Terraform plan's Kubernetes bindings, a
    native file's AWS groups, a fragment from the cache), not only when this source read a file; the reader is
    imported then. `links` may say yes too often, never too rarely: when it says no, `link` would change nothing."""

    def __init__(self, name: str, detect: Callable[[str, str], bool], module: str,
                 links: Callable[[Inventory], bool]) -> None:
        super().__init__(name, detect, module)
        self.links = links

    def link(self, inventory: Inventory) -> Inventory:
        if not self.links(inventory):
            return inventory
        linked: Inventory = importlib.import_module(self.module).link(inventory)
        return linked


_AWS, _HR = "policylint.sources.aws.", "policylint.sources.hr."
# the registry's entry, for the inventory stage's base64-wrapped report (`inventory._encoded_report`)
CREDENTIAL_REPORT = Lazy(credential_report_names.NAME, credential_report_names.detect, _AWS + "credential_report")

SOURCES: dict[str, Source] = {
    native.NAME: native,
    cloudformation_names.NAME: Lazy(cloudformation_names.NAME, cloudformation_names.detect, _AWS + "cloudformation"),
    kubernetes_names.NAME: LazyLinker(kubernetes_names.NAME, kubernetes_names.detect, "policylint.sources.kubernetes",
                                      kubernetes_names.links),
    authz_names.NAME: LazyLinker(authz_names.NAME, authz_names.detect, _AWS + "authz", authz_names.links),
    credential_report_names.NAME: CREDENTIAL_REPORT,
    policy_document_names.NAME: Lazy(policy_document_names.NAME, policy_document_names.detect,
                                     _AWS + "policy_document"),
    scim_names.NAME: Lazy(scim_names.NAME, scim_names.detect, _HR + "scim"),
    okta_names.NAME: Lazy(okta_names.NAME, okta_names.detect, _HR + "okta"),
    roster_csv_names.NAME: Lazy(roster_csv_names.NAME, roster_csv_names.detect, _HR + "roster_csv"),
    gcp_names.NAME: Lazy(gcp_names.NAME, gcp_names.detect, "policylint.sources.gcp"),
    terraform_plan.NAME: Lazy(terraform_plan.NAME, terraform_plan.detect, "policylint.sources.terraform.plan"),
    terraform_hcl.NAME: Lazy(terraform_hcl.NAME, terraform_hcl.detect, "policylint.sources.terraform.hcl"),
}


def claimants(path: str, text: str) -> list[str]:
    """The names of every source that recognises the file, sorted. Every source is asked, so the order above never
    decides: the caller takes a file that exactly one source claims, and reports one that several claim. A file
    Terraform's name says is its (`main.tf`) is Terraform's alone: HCL that spells a GCP binding is still HCL."""
    if terraform_hcl.detect(path, text):  # named as Terraform (`.tf`, `.tfvars`): Terraform's, whatever it holds
        return [terraform_hcl.NAME]
    return sorted(name for name, source in SOURCES.items() if source.detect(path, text))


# The second look (`looks_like`): what a parsed top level of each format has, for a file no source claimed
_KUBERNETES_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount",
                               "Secret", "List", "RoleList", "ClusterRoleList", "RoleBindingList",
                               "ClusterRoleBindingList", "ServiceAccountList", "SecretList"})
_DETAIL_LISTS = frozenset({"UserDetailList", "GroupDetailList", "RoleDetailList"})
_SCIM = "urn:ietf:params:scim:"
REPORT_FORMAT = "text/csv"  # `aws iam get-credential-report` JSON: {"Content": <base64 CSV>, "ReportFormat": …}


def looks_like(path: str, text: str) -> tuple[str, Any] | None:
    """The source whose data a file's parsed top level looks like, with the parsed document, for a data file that
    no source claimed by its first lines (a marker written with escapes, a mapping indented as a whole, keys after
    kilobytes of blanks); None when it parses to nothing of ours, or does not parse at all. Only JSON and YAML
    files are parsed, and only when nothing claimed them: the cost stays off every file a source recognises."""
    name = path.lower()
    documents: list[Any] = []
    try:  # a RecursionError (JSON nested deeper than the parser goes) is the caller's: fail closed, never skipped
        documents = [json.loads(text.lstrip("\ufeff"))]
    except ValueError:
        if name.endswith((".yaml", ".yml")):
            try:
                documents = load_all(text, path)
            except (InputError, RecursionError):
                return None
    for document in documents:
        found = _format_of(document)
        if found is not None:
            return found, document
    return None


def _format_of(value: Any) -> str | None:
    if isinstance(value, list):
        if value and all(_okta_user(v) for v in value):
            return okta_names.NAME
        if _scim(value) is not None:
            return scim_names.NAME
        # a JSON array of one format's objects (`jq .items`): an item of ours among others is enough
        names = {_format_of(item) for item in value if isinstance(item, dict)} - {None}
        return names.pop() if len(names) == 1 else None
    if not isinstance(value, dict):
        return None
    keys = {k for k in value if isinstance(k, str)}
    checks = (
        (native.NAME, MARKER in keys),
        (kubernetes_names.NAME, isinstance(value.get("apiVersion"), str) and isinstance(value.get("kind"), str)
                                and value["kind"] in _KUBERNETES_KINDS),
        (cloudformation_names.NAME, authz_names.cfn_resources(value)),
        (authz_names.NAME, bool(keys & _DETAIL_LISTS)),
        (credential_report_names.NAME, str(value.get("ReportFormat", "")).lower() == REPORT_FORMAT
                                       and "Content" in keys),
        (scim_names.NAME, _scim(value) is not None),
        (okta_names.NAME, _okta_user(value)),
        (gcp_names.NAME, "apiVersion" not in keys and _items_with(value.get("bindings"), "role")),
        (native.NAME, bool(keys) and keys <= SECTIONS and any(_items_with(value[k], "id") for k in keys)),
        # an IAM policy document whatever its key order or spelling, or the CLI's output around one
        (policy_document_names.NAME, policy_document_names.is_document(value)),
        (terraform_plan.NAME, "format_version" in keys and (isinstance(value.get("planned_values"), dict)
                                                            or isinstance(value.get("values"), dict))),
    )
    return next((name for name, matched in checks if matched), None)


def _scim(value: Any) -> str | None:
    if isinstance(value, list):
        return scim_names.NAME if value and all(_scim(v) for v in value) else None
    if not isinstance(value, dict):
        return None
    schemas = value.get("schemas")
    if isinstance(schemas, list) and any(isinstance(s, str) and s.lower().startswith(_SCIM) for s in schemas):
        return scim_names.NAME
    return _scim(value.get("Resources")) if isinstance(value.get("Resources"), list) else None


def _okta_user(value: Any) -> bool:
    return (isinstance(value, dict) and "status" in value and isinstance(value.get("profile"), dict)
            and "login" in value["profile"])


def _items_with(items: Any, key: str) -> bool:
    """A non-empty list of mappings, each with `key` (native sections hold mappings with ids)."""
    return isinstance(items, list) and bool(items) and all(isinstance(i, dict) and key in i for i in items)


__all__ = [
    "CREDENTIAL_REPORT",
    "REPORT_FORMAT",
    "SOURCES",
    "Fragment",
    "Lazy",
    "LazyLinker",
    "Options",
    "Source",
    "claimants",
    "looks_like",
    "terraform_hcl",
    "terraform_plan",
]
