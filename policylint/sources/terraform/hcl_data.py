"""Data sources as the provider would read them before apply: `aws_iam_policy_document` built as the provider
builds it (statements, principals, conditions, `source_policy_documents`, `override_policy_documents`),
`google_iam_policy`'s bindings, `aws_caller_identity`, `aws_region` and `aws_partition` as the template's pseudo
parameters; any other is open (read from the provider at plan time)."""

from __future__ import annotations

import json
from typing import Any

from policylint.sources.terraform.hcl_blocks import nested_blocks
from policylint.sources.terraform.hcl_eval import argument
from policylint.sources.terraform.hcl_gcp import iam_policy
from policylint.sources.terraform.hcl_parse import Block
from policylint.sources.terraform.hcl_scope import Scope
from policylint.sources.terraform.hcl_values import Cfn, Encoded, Open, encode, first_open


class Data:
    """One instance of a data source: a policy document built, the account and region the template's, any other
    open."""

    def __init__(self, block: Block, address: str, scope: Scope) -> None:
        self.block = block
        self.address = address
        self.kind = block.labels[0]
        self._scope = scope
        self._document: Any = None

    def attribute(self, name: str) -> Any:
        if self.kind == "aws_iam_policy_document" and name in ("json", "minified_json"):
            if self._document is None:
                self._document = _policy_document(self.block, self._scope)
            return self._document
        if self.kind == "google_iam_policy" and name == "policy_data":
            return iam_policy(nested_blocks(self.block, "binding", self._scope) or [])
        if self.kind == "aws_caller_identity" and name in ("account_id", "id"):
            return Cfn({"Ref": "AWS::AccountId"})
        if self.kind == "aws_region" and name in ("name", "id", "region"):
            return Cfn({"Ref": "AWS::Region"})
        if self.kind == "aws_partition" and name == "partition":
            return "aws"
        if name in self.block.attributes:
            return argument(self.block.attributes[name], self._scope)
        return Open(f"{self.address}.{name} (a data source read at plan time)")


_STATEMENT_KEYS = (("sid", "Sid"), ("effect", "Effect"), ("actions", "Action"), ("not_actions", "NotAction"),
                   ("resources", "Resource"), ("not_resources", "NotResource"))


def _policy_document(block: Block, scope: Scope) -> Any:
    """`data "aws_iam_policy_document"`'s `json`, as the provider writes it (statements merged by `Sid` with the
    source and override documents); a document not known here makes it open."""
    statements: list[Any] = []
    for source in _documents(block, "source_policy_documents", scope):
        if isinstance(source, Open):
            return source
        statements = _merged(statements, source, replace=False)
    written = nested_blocks(block, "statement", scope) or []
    if "statement" in block.attributes:  # an argument where blocks belong (Terraform refuses it): as written
        value = argument(block.attributes["statement"], scope)
        if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return first_open(value) or Open("statements given as an argument, not known here")
        written = [*written, *value]
    own = [s for s in (_statement(b) for b in written) if s is not None]
    statements = _merged(statements, own, replace=True)
    for override in _documents(block, "override_policy_documents", scope):
        if isinstance(override, Open):
            return override
        statements = _merged(statements, override, replace=True)
    document: dict[str, Any] = {"Version": _attr(block, "version", scope) or "2012-10-17"}
    policy_id = _attr(block, "policy_id", scope)
    if policy_id is not None:
        document["Id"] = policy_id
    document["Statement"] = statements
    return encode(document)


def _attr(block: Block, name: str, scope: Scope) -> Any:
    attribute = block.attributes.get(name)
    return argument(attribute, scope) if attribute is not None else None


def _documents(block: Block, name: str, scope: Scope) -> list[Any]:
    value = _attr(block, name, scope)
    if value is None:
        return []
    if not isinstance(value, list):
        return [Open(f"{name} not known here")]
    found: list[Any] = []
    for item in value:
        if isinstance(item, Encoded):
            item = item.value
        elif isinstance(item, str):
            try:
                item = json.loads(item)
            except ValueError:
                return [Open(f"{name} holding text that is not JSON")]
        statements = item.get("Statement") if isinstance(item, dict) else None
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list):
            return [Open(f"{name} not known here")]
        found.append(statements)
    return found


def _merged(statements: list[Any], more: list[Any], replace: bool) -> list[Any]:
    result = list(statements)
    first: dict[str, int] = {}  # where each Sid first stands (one pass: a document may hold many statements)
    for place, statement in enumerate(result):
        sid = _sid(statement)
        if sid:
            first.setdefault(sid, place)
    for statement in more:
        sid = _sid(statement)
        index = first.get(sid) if sid else None
        if index is None:
            if sid:
                first[sid] = len(result)
            result.append(statement)
        elif replace:
            result[index] = statement
    return result


def _sid(statement: Any) -> str | None:
    sid = statement.get("Sid") if isinstance(statement, dict) else None
    return sid if isinstance(sid, str) and sid else None


def _statement(block: dict[str, Any]) -> dict[str, Any] | None:
    """A statement block as the provider writes it; None for a Deny whose condition is not known here: it may deny
    nothing (fail closed), where an Allow's such condition is left out (it may allow everything)."""
    statement: dict[str, Any] = {}
    for key, name in _STATEMENT_KEYS:
        value = block.get(key)
        if value is not None and value != []:
            statement[name] = value
    effect = statement.get("Effect")
    if effect is None:  # the provider's default
        statement["Effect"] = "Allow"
    elif not isinstance(effect, str):  # not known here: read as a template's open Effect is (it may allow), and said
        statement["Effect"] = first_open(effect) or Open("a statement's effect not known here")
    for positive, negative in (("Action", "NotAction"), ("Resource", "NotResource")):
        if positive in statement and negative in statement and first_open(statement[negative]) is not None:
            del statement[negative]  # a block whose every part is open (a `dynamic` over what is not known)
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(block.get(key))
        if principals is not None:
            statement[name] = principals
    conditions: dict[str, Any] = {}
    written = block.get("condition") or []
    for condition in written if isinstance(written, list) else [None]:  # not blocks: not known here
        test = condition.get("test") if isinstance(condition, dict) else None
        if isinstance(test, str) and isinstance(condition, dict):
            conditions.setdefault(test, {})[_key_text(condition.get("variable"))] = condition.get("values")
        elif statement.get("Effect") == "Deny":
            return None
    if conditions:
        statement["Condition"] = conditions
    if "Principal" in statement and "NotPrincipal" in statement and first_open(statement["NotPrincipal"]):
        del statement["NotPrincipal"]
    return statement


def _key_text(value: Any) -> str:
    """A condition key as text; a part not known here is `*` (`${oidc provider url}:sub` is `*:sub`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Cfn) and isinstance(value.value.get("Fn::Join"), list):
        return "".join(p if isinstance(p, str) else "*" for p in value.value["Fn::Join"][1])
    return "*"


def _principals(blocks: Any) -> Any:
    if not blocks:
        return None
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):  # not blocks: anyone (closed)
        return {"AWS": first_open(blocks) or Open("principals given as an argument, not known here")}
    merged: dict[str, list[Any]] = {}
    for principal in blocks:
        kind, identifiers = principal.get("type"), principal.get("identifiers")
        if not isinstance(kind, str):
            return {"AWS": Open("a principal type not known here")}
        items = identifiers if isinstance(identifiers, list) else [identifiers]
        merged.setdefault(kind, []).extend(items)
    if set(merged) == {"*"} and all(i == "*" for i in merged["*"]):
        return "*"
    return merged
