"""The nested block types the readers read, by what holds them: the one list both syntaxes use.

A provider's schema says which names of a resource are nested blocks. In Terraform's JSON syntax a block and an
object-valued argument are written alike, so the JSON reader takes these names as blocks (`hcl_parse`); in the
native syntax an argument written where one of these blocks belongs (`principals = var.x`) is Terraform's
"Unsupported argument", a located error here too (`misplaced`). Only what the readers read needs to be known: any
other nested block is read as written.

What holds a block is named by its type: a resource's or data source's (`aws_iam_policy_document`), a provider's
(`aws`), `terraform`, or the holding nested block's (`statement`); a `dynamic "statement"`'s `content` holds what a
`statement` holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policylint.errors import InputError

if TYPE_CHECKING:  # hcl_parse reads the list: the Block it makes is only named here
    from policylint.sources.terraform.hcl_parse import Block

_ROLE = frozenset({"metadata", "rule", "aggregation_rule"})
_BINDING = frozenset({"metadata", "subject", "role_ref"})
_OBJECT = frozenset({"metadata"})

NESTED: dict[str, frozenset[str]] = {
    # AWS
    "aws": frozenset({"default_tags", "assume_role", "assume_role_with_web_identity"}),
    "aws_iam_policy_document": frozenset({"statement"}),
    "statement": frozenset({"principals", "not_principals", "condition"}),
    "aws_iam_role": frozenset({"inline_policy"}),
    "aws_s3_bucket": frozenset({"logging", "versioning", "server_side_encryption_configuration"}),
    "server_side_encryption_configuration": frozenset({"rule"}),
    "rule": frozenset({"apply_server_side_encryption_by_default"}),
    "aws_s3_bucket_server_side_encryption_configuration": frozenset({"rule"}),
    "aws_dynamodb_table": frozenset({"server_side_encryption", "attribute"}),
    "aws_cloudtrail": frozenset({"event_selector", "advanced_event_selector"}),
    "event_selector": frozenset({"data_resource"}),
    "advanced_event_selector": frozenset({"field_selector"}),
    "aws_kms_grant": frozenset({"constraints"}),
    # Google
    "google_iam_policy": frozenset({"binding", "audit_config"}),
    "binding": frozenset({"condition"}),
    "audit_config": frozenset({"audit_log_config"}),
    "google_storage_bucket": frozenset({"logging", "encryption", "versioning"}),
    "google_bigquery_dataset": frozenset({"access", "default_encryption_configuration"}),
    "google_kms_crypto_key": frozenset({"version_template"}),
    # Kubernetes
    **{kind: _ROLE for kind in ("kubernetes_role", "kubernetes_role_v1", "kubernetes_cluster_role",
                                "kubernetes_cluster_role_v1")},
    **{kind: _BINDING for kind in ("kubernetes_role_binding", "kubernetes_role_binding_v1",
                                   "kubernetes_cluster_role_binding", "kubernetes_cluster_role_binding_v1")},
    **{kind: _OBJECT for kind in ("kubernetes_namespace", "kubernetes_namespace_v1", "kubernetes_service_account",
                                  "kubernetes_service_account_v1", "kubernetes_secret", "kubernetes_secret_v1")},
    "aggregation_rule": frozenset({"cluster_role_selectors"}),
    "cluster_role_selectors": frozenset({"match_expressions"}),
    # Terraform's own
    "terraform": frozenset({"backend", "cloud", "required_providers"}),
    "dynamic": frozenset({"content"}),
}
# blocks the provider also takes as an argument (`inline_policy = [{ … }]`: its "attributes as blocks" mode), with
# the arguments of each that the readers read: an argument left open is one such block, each of them open
EITHER_WAY: dict[tuple[str, str], tuple[str, ...]] = {("aws_iam_role", "inline_policy"): ("name", "policy")}
# in any resource or data source: Terraform's meta-blocks
_META = frozenset({"dynamic", "lifecycle", "provisioner", "connection"})
# the nested block types with labels (`dynamic "statement"`, `backend "s3"`): in JSON a level of keys per label
LABELS = {"dynamic": 1, "provisioner": 1, "backend": 1}
_HOLDERS = frozenset({"resource", "data"})


def nested(holder: str, top: bool = False) -> frozenset[str]:
    """The nested block types a block of this type holds that the readers read (`top`: a resource's or data
    source's, which may also hold Terraform's meta-blocks)."""
    found = NESTED.get(holder, frozenset())
    if holder.startswith("google_") and holder.endswith(("_iam_member", "_iam_binding")):
        found |= {"condition"}
    if holder.startswith("google_") and holder.endswith("_iam_audit_config"):
        found |= {"audit_log_config"}
    return found | _META if top else found


def holder(block: Block) -> tuple[str, bool]:
    """The type a top-level block's nested blocks are looked up by, and whether it is a resource's or data
    source's (`resource "aws_iam_role" "x"` holds what `aws_iam_role` holds)."""
    if block.type in _HOLDERS and block.labels:
        return block.labels[0], True
    if block.type == "provider" and block.labels:
        return block.labels[0], False
    return block.type, False


def misplaced(block: Block) -> list[InputError]:
    """Each argument of a top-level block (and the blocks in it) named like a nested block its type holds: what
    Terraform refuses as "Unsupported argument"."""
    kind, top = holder(block)
    return _misplaced(block, kind, top)


def _misplaced(block: Block, kind: str, top: bool) -> list[InputError]:
    blocks = nested(kind, top)
    found = [InputError(a.location, f"expected a {name!r} block ({name} {{ … }}), found an argument `{name} = …`, "
                                    "which Terraform refuses (Unsupported argument): read as the blocks it holds, else "
                                    "as not known here (fail closed)")
             for name, a in block.attributes.items()
             if name in blocks and name not in _META and (kind, name) not in EITHER_WAY]
    for child in block.blocks:
        if child.type == "dynamic" and child.labels:
            for content in child.children("content"):
                found += _misplaced(content, child.labels[0], False)
        else:
            found += _misplaced(child, child.type, False)
    return found
