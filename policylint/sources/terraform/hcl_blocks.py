"""Nested blocks as a plan shows them: a list of objects per block type (`statement`, `inline_policy`, `rule`),
`dynamic` blocks expanded, one open block for a `dynamic` over what the configuration does not decide (besides the
blocks of its known items, when it decides some: `concat([aws_s3_bucket.a.arn], var.more)`)."""

from __future__ import annotations

from typing import Any

from lark import Tree

from policylint.sources.terraform.hcl_eval import argument
from policylint.sources.terraform.hcl_parse import Attribute, Block
from policylint.sources.terraform.hcl_scope import Scope, TfSet
from policylint.sources.terraform.hcl_values import Open, Partial


def nested_blocks(block: Block, name: str, scope: Scope) -> list[dict[str, Any]] | None:
    """A block's nested blocks of one type (`statement`, `inline_policy`, `rule`) as the list of objects a plan
    shows, `dynamic` ones expanded; None when it has none."""
    found: list[dict[str, Any]] = []
    seen = False
    for child in block.blocks:
        if child.type == name:
            seen = True
            found.append(_block_value(child, scope))
        elif child.type == "dynamic" and child.labels == (name,):
            seen = True
            found += _dynamic(child, scope)
    return found if seen else None


def configuration(providers: list[Block], key: str, scope: Scope) -> list[Block]:
    """The `provider` blocks of one provider configuration: `aws` the one without an `alias`, `google.prod` the
    `provider "google"` with `alias = "prod"` (what a resource's `provider = google.prod` names)."""
    name, _, alias = key.partition(".")
    found = []
    for block in providers:
        named = argument(block.attributes["alias"], scope) if "alias" in block.attributes else None
        if block.labels == (name,) and named == (alias or None):
            found.append(block)
    return found


def _block_value(block: Block, scope: Scope) -> dict[str, Any]:
    value: dict[str, Any] = {n: argument(a, scope) for n, a in block.attributes.items()}
    for kind in {b.type if b.type != "dynamic" else (b.labels[0] if b.labels else "") for b in block.blocks}:
        if kind:
            value[kind] = nested_blocks(block, kind, scope) or []
    return value


def _dynamic(block: Block, scope: Scope) -> list[dict[str, Any]]:
    each = block.attributes.get("for_each")
    content = next((b for b in block.blocks if b.type == "content"), None)
    if each is None or content is None:
        return []
    collection = argument(each, scope)
    iterator = block.attributes.get("iterator")
    name = block.labels[0]
    if iterator is not None:
        name = _bare(iterator) or name
    known = collection.known if isinstance(collection, Partial) else collection
    if isinstance(known, TfSet):
        pairs = [(v, v) for v in known]
    elif isinstance(known, list):
        pairs = list(enumerate(known))
    elif isinstance(known, dict):
        pairs = sorted(known.items())
    else:
        pairs = []
    if isinstance(collection, Open) or not isinstance(known, list | dict):
        # not known here, in whole or in part: one block more, what it iterates over open (fail closed: not none)
        opened = Open(f"dynamic {block.labels[0]} over a collection not known here")
        pairs.append((opened, opened))
    scope.names.budget.spend(len(pairs))
    return [_block_value(content, scope.with_vars(**{name: {"key": k, "value": v}})) for k, v in pairs]


def _bare(attribute: Attribute) -> str | None:
    """The name an `iterator = name` attribute gives (a bare identifier, not a value)."""
    node = attribute.expr
    while isinstance(node, Tree) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    return str(node.children[0]) if isinstance(node, Tree) and node.data == "identifier" else None
