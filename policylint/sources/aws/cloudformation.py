"""AWS CloudFormation templates (YAML or JSON): IAM identities and policies, KMS keys, data stores, trails.

Short-form intrinsics (`!Ref`, `!Sub`, …) are read as data by the safe loader (`CFN_TAGS`), never constructed;
`intrinsics` resolves them where the template determines the value and leaves the rest as `*` (fail closed).
The account is `cfn` and the scope `aws` (account unknown: every account's access control controls its stores and
keys, failing closed): a template does not know where it is deployed. What each resource type
becomes is told in `cfn_iam` (users, groups, roles, policies, access keys) and `cfn_data` (keys, stores, trails).
A resource with a `Condition` is kept: it exists when the condition holds (fail closed). Other resource types
(Lambda, EC2, SAM's `AWS::Serverless::*`, …) contribute nothing; a template of only those loads without error and
adds nothing. A duplicate key is an error where it changes what is read (a section, a
logical id, a key inside a resource read for the model); elsewhere (`Outputs`, other resources) it is ignored.
"""

from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatchcase

from policylint.errors import InputError
from policylint.iam.policy import access_control_id
from policylint.iam.statements import globs_overlap
from policylint.model import ACCESS_CONTROL, Grant, Location, Resource
from policylint.sources.aws.cfn_data import Data
from policylint.sources.aws.cfn_iam import Iam
from policylint.sources.aws.cfn_template import KINDS, SCOPE, CfnTemplate
from policylint.sources.aws.cfn_values import Found, Implied
from policylint.sources.aws.cloudformation_names import NAME as NAME  # detection, imported without the reader
from policylint.sources.aws.cloudformation_names import detect as detect
from policylint.sources.aws.intrinsics import ACCOUNT, CFN_TAGS, describe
from policylint.sources.base import Fragment, Options
from policylint.yamlsafe import YMap, load_one

_READ = ("AWS::IAM::", "AWS::KMS::", "AWS::S3::", "AWS::CloudTrail::Trail", *KINDS)


def load(path: str, text: str, options: Options) -> Fragment:
    duplicates: list[InputError] = []
    document = load_one(text, path, tags=CFN_TAGS, duplicates=duplicates)
    if not isinstance(document, YMap):
        shown = "an empty file" if document is None else describe(document)
        raise InputError(Location(path, 1, 1), f"expected a CloudFormation template (a mapping with 'Resources'), "
                                               f"found {shown}")
    template = CfnTemplate(document, path)
    implied = Implied()
    found = Found(template, implied, errors=[*template.errors, *_read_duplicates(template, duplicates)])
    Iam(template, found, implied).build()
    data = Data(template, found, options)
    data.build()
    widen(found, data.patterns())
    inventory = found.inventory()
    if inventory.nodes():
        implied.add(Resource(access_control_id(ACCOUNT), Location(path, 1, 1), ACCESS_CONTROL, scope=SCOPE))
    defined = {node.id for node in inventory.nodes()}
    return Fragment(inventory, found.errors, implied.inventory(defined))


def _read_duplicates(template: CfnTemplate, duplicates: list[InputError]) -> list[InputError]:
    """The duplicate keys that change what this source reads: a section or a logical id given twice, or a key
    twice inside a resource it reads; elsewhere (Outputs, Metadata, other resources) they change nothing."""
    def at(location: Location) -> tuple[int, int]:
        return location.line, location.column

    document = template.document
    sections = {document.key_pos[k] for k in ("Resources", "Parameters", "Mappings") if k in document}
    starts = sorted((at(r.location), r.type.startswith(_READ)) for r in template.resources)
    if not starts:
        return [e for e in duplicates if at(e.location) in sections]
    later = [pos for pos in document.key_pos.values() if pos > document.key_pos["Resources"]]
    ends = [pos for pos, _ in starts[1:]] + [min(later, default=(1 << 30, 0))]
    read = [(first, end) for (first, reads), end in zip(starts, ends, strict=True) if reads]
    return [e for e in duplicates if at(e.location) in sections or any(at(e.location) == p for p, _ in starts)
            or any(first <= at(e.location) < end for first, end in read)]


def widen(found: Found, patterns: dict[str, list[str]]) -> None:
    """A grant whose glob could name a key or store whose name the template leaves partly open names it too."""
    open_ended = {node_id: globs for node_id, globs in patterns.items() if globs != [node_id]}
    if not open_ended:
        return
    named: dict[str, list[str]] = {}  # grant resource -> the open-named ids it may name besides what it matches

    def widened(grant: Grant) -> list[Grant]:
        if grant.resource not in named:
            named[grant.resource] = [node_id for node_id, globs in open_ended.items()
                                     if not fnmatchcase(node_id, grant.resource)
                                     and any(globs_overlap(grant.resource, g) for g in globs)]
        return [grant, *(replace(grant, resource=node_id) for node_id in named[grant.resource])]

    found.grants[:] = [w for g in found.grants for w in widened(g)]
    found.roles[:] = [replace(r, grants=tuple(w for g in r.grants for w in widened(g))) for r in found.roles]
