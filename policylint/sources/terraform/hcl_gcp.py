"""What the Google provider computes from a configuration's own values, where a plan would know it: a service
account's e-mail and `member`, and the ids (`projects/P/...`) of service accounts, key rings, keys and datasets.
A resource's project is its `project` argument, else the root module's `provider "google"` project; a value built
from what the configuration does not decide is `Open`, as any other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from policylint.sources.terraform.hcl_blocks import configuration
from policylint.sources.terraform.hcl_eval import argument
from policylint.sources.terraform.hcl_parse import Block
from policylint.sources.terraform.hcl_scope import Scope
from policylint.sources.terraform.hcl_values import Cfn, Open, encode, joined

_SA = ".iam.gserviceaccount.com"


def computed(kind: str, name: str, attribute: Callable[[str], Any], project: Any, address: str) -> Any | None:
    """The provider's value of a computed attribute of a Google resource; None when this does not know it. One that
    holds a project the configuration leaves open (a variable without a value) is the resource itself (`Fn::GetAtt`),
    as a plan's unknown value is: the plan's readers then name it under the plan's unknown project, and whatever
    names it (a key's service account, a key ring's keys) still meets it."""
    if not isinstance(project, str) and (kind, name) in _ON_PROJECT:
        return Cfn({"Fn::GetAtt": [address, name]})
    if kind == "google_service_account":
        email = joined([attribute("account_id"), "@", project, _SA])
        if name == "email":
            return email
        if name == "member":
            return joined(["serviceAccount:", email])
        if name in ("name", "id"):
            return joined(["projects/", project, "/serviceAccounts/", email])
    if kind == "google_kms_key_ring" and name == "id":
        return joined(["projects/", project, "/locations/", attribute("location"), "/keyRings/", attribute("name")])
    if kind == "google_kms_crypto_key" and name == "id":
        return joined([attribute("key_ring"), "/cryptoKeys/", attribute("name")])
    if kind == "google_bigquery_dataset" and name == "id":
        return joined(["projects/", project, "/datasets/", attribute("dataset_id")])
    if kind == "google_storage_bucket" and name in ("id", "name"):
        return attribute("name") if name == "id" else None
    if kind == "google_project_iam_custom_role" and name in ("id", "name"):
        return joined(["projects/", project, "/roles/", attribute("role_id")])
    if kind == "google_organization_iam_custom_role" and name in ("id", "name"):
        return joined(["organizations/", attribute("org_id"), "/roles/", attribute("role_id")])
    if kind == "google_project" and name in ("id", "project_id"):
        return joined(["projects/", attribute("project_id")]) if name == "id" else None
    return None


_ON_PROJECT = frozenset({
    ("google_service_account", "email"), ("google_service_account", "member"), ("google_service_account", "name"),
    ("google_service_account", "id"), ("google_kms_key_ring", "id"), ("google_bigquery_dataset", "id"),
    ("google_project_iam_custom_role", "id"), ("google_project_iam_custom_role", "name")})


def default_project(providers: list[Block], key: str, scope: Scope) -> Any:
    """The project of the root module's Google provider configuration a resource uses (`google`: the one without
    an `alias`; `google.prod`: `alias = "prod"`), else open."""
    for block in configuration(providers, key, scope):
        if "project" in block.attributes:
            return argument(block.attributes["project"], scope)
    return Open(f"the Google provider's project (no provider configuration {key} sets it)")


def iam_policy(bindings: list[dict[str, Any]]) -> Any:
    """`data "google_iam_policy"`'s `policy_data`: its `binding` blocks as the policy JSON the provider writes."""
    written = []
    for binding in bindings:
        entry: dict[str, Any] = {"role": binding.get("role"), "members": binding.get("members") or []}
        for condition in binding.get("condition") or []:
            entry["condition"] = {k: v for k, v in condition.items() if k in ("title", "description", "expression")}
        written.append(entry)
    return encode({"bindings": written})
