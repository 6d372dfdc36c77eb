"""Terraform plan and state JSON (`terraform show -json plan.out > plan.json`, `terraform show -json`).

The plan's AWS resources (`plan_read`: `planned_values` with nested `child_modules`, less what `resource_changes`
only deletes; a state's `values`) are written as the CloudFormation template they amount to (`plan_aws`,
`plan_cfn`) and read by the CloudFormation reader, so both formats mean one thing and name one node: the account is
the one the IAM resources' known ARNs name (`plan_account`) or the provider configuration names, else one labelled
by the plan's folder relative to the run's root (`envs%2Fprod`; the run's root itself: the template's unknown
`cfn`), as the HCL reader labels that folder's root module; the scope is `aws` (see `cfn_template`), and values the
plan leaves unknown are `*` under a condition saying so. Resources of an aliased AWS provider configuration
(`provider = aws.prod`) are in the account that configuration names, never the default's (`by_provider`). Every
record is located at its resource's `"address"` in the plan. Its Google Cloud and Kubernetes resources are written
as the gcloud outputs and manifests they amount to and read by the GCP and Kubernetes readers (`plan_gcp`,
`plan_gcp_stores`, `plan_k8s`), its Kubernetes objects in a cluster named by its file.

A resource the plan leaves unnamed (`name_prefix`, `bucket_prefix`, every KMS key) is named `<file>:<address>`,
the file's path relative to the run's root (`Options.globs_root`, absolute outside it) with each `/` written `%2F`
(and `%` as `%25`): `aws:iam::cfn:role/envs%2Fprod%2Fplan.json:aws_iam_role.app`. Two environments' `plan.json`
then name two roles, and the id does not depend on the file's stem. A literal `/` would cut the name short where an
ARN's `/` ends it (`arn:aws:s3:::name/key`, `table/name/index/…`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace

from policylint.errors import InputError
from policylint.iam.policy import access_control_id
from policylint.model import ACCESS_CONTROL, Location, Resource
from policylint.sources.aws.cfn_data import Data
from policylint.sources.aws.cfn_iam import Iam
from policylint.sources.aws.cfn_template import SCOPE, CfnTemplate
from policylint.sources.aws.cfn_values import Found, Implied
from policylint.sources.aws.cloudformation import widen
from policylint.sources.aws.intrinsics import ACCOUNT
from policylint.sources.base import Fragment, Options
from policylint.sources.terraform.plan_account import (
    accounts_of,
    in_account,
    in_template_account,
    provider_arns,
    region_of,
)
from policylint.sources.terraform.plan_aws import translate
from policylint.sources.terraform.plan_cfn import Translation
from policylint.sources.terraform.plan_gcp import iam_fragment
from policylint.sources.terraform.plan_gcp_ids import GcpNames
from policylint.sources.terraform.plan_gcp_stores import stores_fragment
from policylint.sources.terraform.plan_k8s import k8s_fragment
from policylint.sources.terraform.plan_names import NAME as NAME  # the source, for whoever imports the reader
from policylint.sources.terraform.plan_names import detect as detect
from policylint.sources.terraform.plan_open import joined, relocated
from policylint.sources.terraform.plan_read import Plan, Provider, TfResource, read_plan
from policylint.yamlsafe import YMap


def load(path: str, text: str, options: Options) -> Fragment:
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        raise InputError(Location(path, error.lineno, error.colno),
                         f"expected JSON from 'terraform show -json', found a syntax error: {error.msg}") from None
    except RecursionError:
        raise InputError(Location(path, 1, 1), "expected JSON nested less than a thousand levels deep, found deeper "
                                               "nesting") from None
    if not isinstance(data, dict) or not (isinstance(data.get("planned_values"), dict)
                                          or isinstance(data.get("values"), dict) or data.keys() == {"format_version"}):
        shown = type(data).__name__ if not isinstance(data, dict) else "an object without either"
        raise InputError(Location(path, 1, 1), "expected 'terraform show -json' output (an object with "
                                               f"'planned_values' or 'values'), found {shown}")
    read = read_plan(data, text, path)
    fragment = joined(*(fragment_of(part, path, options) for part in by_provider(read, path, options)))
    return replace(fragment, errors=[*read.errors, *fragment.errors]) if read.errors else fragment


def by_provider(read: Plan, path: str, options: Options) -> list[Plan]:
    """The plan as one part per AWS provider configuration its resources use (`provider = aws.prod`; Google and
    Kubernetes resources go with the default's), each in the account that configuration names (`plan_read`), never
    another's: where it names none, the account its folder labels (`account_label`), as the HCL reader labels the
    root module of that folder, so two environments' accounts never meet and a plan names its ids as its HCL does.
    The prior state's ARNs of resources the plan no longer has (being destroyed) say which account only when there
    is one configuration. Its Kubernetes objects are in a cluster named by the file (`plan_k8s`)."""
    groups: dict[str, list[TfResource]] = {}
    for resource in read.resources:
        groups.setdefault(_aws_key(resource.provider), []).append(resource)
    several = len(groups) > 1
    folder = escaped(options.place(os.path.dirname(path) or "."))
    parts = []
    for key, group in sorted(groups.items(), key=lambda item: item[0] != "aws") or [("aws", [])]:
        provider = read.providers.get(key, Provider())
        arns = read.arns if not several else [*(r.values["arn"] for r in group if isinstance(r.values.get("arn"), str)),
                                             *(read.prior[r.address] for r in group if r.address in read.prior)]
        parts.append(replace(read, resources=group, arns=arns, provider_account=provider.account,
                             region=provider.region, account=account_label(folder, key) if provider.account is None
                             else None, cluster=escaped(options.place(path))))
    return parts


def account_label(folder: str, key: str) -> str | None:
    """The account of an AWS provider configuration that names none: the root module's folder relative to the run's
    root (`envs%2Fprod`; the run's root itself is the template's unknown account, `cfn`: None), and an `alias` an
    account of its own (`envs%2Fprod.aws.audit`, at the run's root `aws.audit`), as the HCL reader labels them."""
    if key == "aws":
        return None if folder == "." else folder
    key = key.replace(":", "%3A")  # a module's own configuration: `module.x:aws.prod`
    return key if folder == "." else f"{folder}.{key}"


def _aws_key(provider: str) -> str:
    """The AWS provider configuration a resource's configuration key names (`aws`, `aws.prod`, `module.x:aws`); the
    default one for another provider's resources."""
    return provider if provider.rpartition(":")[2].split(".")[0] == "aws" else "aws"


def fragment_of(read: Plan, path: str, options: Options, names: str | None = None) -> Fragment:
    """What a plan's resources amount to, read by the platforms' own readers (the HCL reader's too: `names` is the
    root module's folder, which names what the configuration leaves unnamed, instead of the plan's file)."""
    translation = Translation(read)
    translation.classification_keys = options.classification_keys
    translate(translation)
    region = read.region or region_of(read.arns)
    accounts = replace(accounts_of(read.arns + provider_arns(read.resources, read.provider_account),
                                   read.provider_account), region=region)
    translation.resources = in_template_account(translation.resources, accounts.single, region)
    label = read.account or read.provider_account  # where no ARN names one alone: the configuration's, or its label
    if accounts.single is None and label is not None:
        accounts = replace(accounts, label=label)
    template = _PlanTemplate(translation.document(path), path, names or path, options,
                             translation.known_names)
    implied = Implied()
    found = Found(template, implied, errors=list(template.errors))
    Iam(template, found, implied).build()
    stores = Data(template, found, options)
    stores.build()
    widen(found, stores.patterns())
    inventory = found.inventory()
    if inventory.nodes():
        implied.add(Resource(access_control_id(ACCOUNT), Location(path, 1, 1), ACCESS_CONTROL, scope=SCOPE))
    defined = {node.id for node in inventory.nodes()}
    aws = in_account(placed(Fragment(inventory, found.errors, implied.inventory(defined)), path, translation.placed),
                     accounts)
    unnamed = escaped(options.place(names or path))  # GCP and Kubernetes name it alike
    gcp = GcpNames(translation, unnamed)
    return joined(aws, iam_fragment(translation, gcp, path), stores_fragment(translation, gcp, path, options),
                  k8s_fragment(translation, path, options, unnamed))


def placed(fragment: Fragment, path: str, where: dict[tuple[int, int], Location]) -> Fragment:
    """The fragment with every location at a line `Translation.document` placed a resource at, where it is."""
    if not where:
        return fragment
    return relocated(fragment, lambda location: _place(location, path, where),
                     lambda text: _LINE.sub(lambda m: _line_of(m, where), text))


_LINE = re.compile(r"\bline (\d+)\b")  # a message naming a place of the template ("first as X, line 14")


def _line_of(match: re.Match[str], where: dict[tuple[int, int], Location]) -> str:
    found = where.get((int(match.group(1)), 1))
    return match.group(0) if found is None else f"{found.file}:{found.line}"


def _place(location: Location, path: str, where: dict[tuple[int, int], Location]) -> Location:
    if location.file != path:
        return location
    return where.get((location.line, location.column)) or where.get((location.line, 1)) or location


class _PlanTemplate(CfnTemplate):
    """The plan's template, naming what the plan leaves unnamed by its file and address (see above)."""

    def __init__(self, document: YMap, path: str, names: str, options: Options, known: dict[str, str]) -> None:
        self._file = escaped(options.place(names))  # set before the reader names anything
        self._known = known
        super().__init__(document, path)
        self.context = replace(self.context, open_text="{}")  # "aws_iam_role.app.name (known after apply)"

    def generated(self, logical: str) -> str:
        """A key the plan knows the id of (a state's, a no-op plan's) is named by it, as its ARN and an export name
        it; else the resource is named by its file and address."""
        return self._known.get(logical) or f"{self._file}:{escaped(logical)}"


def escaped(text: str) -> str:
    return text.replace("%", "%25").replace("/", "%2F")
