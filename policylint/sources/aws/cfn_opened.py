"""What a template's undetermined values (a parameter without Default, `AWS::StackName`, an import, a Terraform
value known only after apply) leave open in the statements of its policies, read failing closed and said.

The CloudFormation reader resolves such a value as `*`. In a statement that is the risky reading only in some
places, so each statement is looked at again, by its place, with the open values marked:

- Resource: any resource, under a condition that starts `template leaves open: ` and names the value, as `*` is
  then an assumption, not what the template writes (the region a stack is deployed to widens nothing: it is one
  region); NotResource: the open entry names nothing to leave out.
- Action: any action on the statement's resources, under such a condition; NotAction: the open entry leaves no
  action out. So an Allow of an open action allows everything there, and a Deny of one (conditional: `evaluate`)
  denies nothing, while the actions it writes still deny.
- Effect: an Allow (a Deny under a condition denies nothing either way); Condition: what the template leaves open
  of it (the whole block, or an operator's keys) is left out and said by the statement's condition, which still
  counts: either way the statement is kept rather than dropped as an error (`readable`).
- Principal: anyone as far as reach goes, but not "anyone" to the rules (`_principal_marked`).

Only the entries so widened are marked when others are written: `["*", !Sub "arn:aws:s3:::${Extra}/*"]` still
gives `*` as written, and `[s3:GetObject, !Ref Extra]` still denies s3:GetObject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from policylint.errors import InputError
from policylint.iam.statements import OPEN_IN_TEMPLATE, Statement, parse_policy, split_open
from policylint.model import Location
from policylint.sources.aws.cfn_template import CfnTemplate
from policylint.sources.aws.intrinsics import Resolver, Template, union
from policylint.yamlsafe import YMap, YSeq

_MARK = re.compile("\x00(\\d+)\x00")
_DEEPEST = 20  # how deep statements are looked for (Resources → resource → Properties → Policies → … → Statement)
_EFFECTS = ("Allow", "Deny")


class _Marking(Resolver):
    """Resolves like `Resolver`, leaving a marker where a value is not known, so its place can be told."""

    def __init__(self, template: Template) -> None:
        super().__init__(template)
        self.opened: list[str] = []

    def unresolved(self, pos: tuple[int, int], what: str) -> str:
        self.opened.append(what)
        return f"\x00{len(self.opened) - 1}\x00"


class Opened:
    """The statements of a template whose undetermined values widen them, by the statement's place."""

    def __init__(self, template: CfnTemplate) -> None:
        self.template = template

    def parse(self, document: Any, policy: str, where: Location | None) -> tuple[list[Statement], list[InputError]]:
        """The statements of a resolved document (`parse_policy`), none dropped for what the template leaves open
        of its Effect or Condition (`readable`); `mark` then says what is open."""
        return parse_policy(self.readable(document), policy, self.template.path, where)

    def mark(self, statements: list[Statement], resources: bool = True) -> list[Statement]:
        """The statements, each holding only as the template is filled in where its values are open (see above);
        with `resources` False (a policy attached to a known target, whose ARNs are that target), all but its
        Resource and NotResource."""
        return [marked for s in statements for marked in self._marked(s, resources)]

    def mark_principals(self, statements: list[Statement]) -> list[Statement]:
        return self.mark(statements, resources=False)

    # -- reading ------------------------------------------------------------------------------------------------

    def readable(self, document: Any) -> Any:
        """The document with each statement whose Effect or Condition the template leaves open as the reader can
        read it: an open Effect is `Allow`, an open Condition (or operator) left out. A copy: the resolved
        properties are read by others too."""
        statements = document.get("Statement") if isinstance(document, YMap) else None
        if not isinstance(statements, YMap | YSeq):
            return document
        items = [statements] if isinstance(statements, YMap) else list(statements)
        fixed = [self._readable(item) for item in items]
        if all(f is i for f, i in zip(fixed, items, strict=True)):
            return document
        copy = _copied(document)
        if isinstance(statements, YMap):
            copy["Statement"] = fixed[0]
        else:
            listed = YSeq(statements.pos)
            listed.extend(fixed)
            listed.item_pos.extend(statements.item_pos)
            copy["Statement"] = listed
        return copy

    def _readable(self, item: Any) -> Any:
        raw = self._raw().get(item.pos) if isinstance(item, YMap) else None
        if raw is None or not self._filled_in(raw):
            return item
        copy = _copied(item)
        if copy.get("Effect") not in _EFFECTS and self.whats(raw, "Effect"):
            copy["Effect"] = "Allow"
        condition = copy.get("Condition")
        if "Condition" in copy and self.whats(raw, "Condition"):
            if isinstance(condition, YMap) and any(isinstance(v, YMap) for v in condition.values()):
                kept = _copied(condition)
                for operator in [k for k, v in condition.items() if not isinstance(v, YMap)]:
                    del kept[operator]
                copy["Condition"] = kept
            else:
                del copy["Condition"]
        return copy

    def _filled_in(self, raw: YMap) -> list[str]:
        """What the template leaves open of a statement's Effect and of its Condition's structure (its operators'
        mappings), where the reader would read neither: the whole statement holds only as it is filled in."""
        found: list[str] = []
        effect, whats = self._resolved(raw, "Effect")
        if whats and effect not in _EFFECTS:
            found += whats
        condition, whats = self._resolved(raw, "Condition")
        if not whats:
            return found
        if not isinstance(condition, YMap):
            return found + whats
        marking = [v for v in condition.values() if not isinstance(v, YMap)]
        return found + [whats[int(i)] for v in marking for i in _MARK.findall(_text(v))]

    def whats(self, raw: YMap, key: str) -> list[str]:
        """What the template leaves open of a raw mapping's value (a statement's Effect, a role's trust policy)."""
        return self._resolved(raw, key)[1]

    def _resolved(self, raw: YMap, key: str) -> tuple[Any, list[str]]:
        """A raw statement's value with open values marked, and what each marker stands for."""
        if key not in raw:
            return None, []
        marking = _Marking(self.template.context)
        value = union(marking.resolve(raw[key], raw.value_pos.get(key, raw.pos)))
        return value, marking.opened

    # -- marking ------------------------------------------------------------------------------------------------

    def _marked(self, statement: Statement, resources: bool) -> list[Statement]:
        if statement.location.file != self.template.path:
            return [statement]
        raw = self._raw().get((statement.location.line, statement.location.column))
        if raw is None:
            return [statement]
        statement = self._principal_marked(statement, raw)
        keys = ("Action", "NotAction", "Resource", "NotResource") if resources else ("Action", "NotAction")
        whats: dict[str, dict[str, None]] = {key: {} for key in keys}
        texts: dict[str, set[str]] = {key: set() for key in keys}
        for key in keys:
            for text, found in self._opened(raw.get(key), raw.value_pos.get(key, raw.pos)):
                whats[key].update(dict.fromkeys(found))
                texts[key].add(_MARK.sub("*", text))
        whole = [*self._filled_in(raw), *whats["NotAction"], *whats.get("NotResource", {})]
        if whole:
            return [_whole(statement, [*whole, *whats["Action"], *whats.get("Resource", {})], texts)]
        return _split(statement, whats, texts)

    def _principal_marked(self, statement: Statement, raw: YMap) -> Statement:
        """A principal the template leaves open (`Principal: {AWS: !Ref PartnerArn}`) reads as `*`: anyone, as far
        as reach goes (fail closed), but not "anyone" to the rules (PL202, PL210, PL216), as the template names
        somebody it does not show: the statement then holds "as the template is filled in" (`trust.anyone`)."""
        whats: dict[str, None] = {}
        for key in ("Principal", "NotPrincipal"):
            whats.update(dict.fromkeys(self.whats(raw, key)))
        if not whats:
            return statement
        return replace(statement, condition=_condition(statement, whats), narrows_who=True)

    def _opened(self, node: Any, pos: tuple[int, int]) -> Iterator[tuple[str, list[str]]]:
        """Each action or resource text of a statement that undetermined values widen, with what they are."""
        if node is None:
            return
        marking = _Marking(self.template.context)
        value = union(marking.resolve(node, pos))
        for text in (value if isinstance(value, YSeq) else [value]):
            if not isinstance(text, str):
                continue
            whats = [marking.opened[int(i)] for i in _MARK.findall(_widening(text))]
            if whats:
                yield text, whats

    def _raw(self) -> dict[tuple[int, int], YMap]:
        """The template's raw statements by place: collected once per template, whoever asks (one key's policy
        after another must not walk the whole template again)."""
        if self.template.raw_statements is None:
            self.template.raw_statements = {}
            _collect(self.template.document.get("Resources"), 0, self.template.raw_statements)
        return self.template.raw_statements


def _whole(statement: Statement, whats: list[str], texts: dict[str, set[str]]) -> Statement:
    """The statement, all of it holding only as the template is filled in: an open NotAction or NotResource entry
    leaves nothing out (no action left out is every action)."""
    not_actions = statement.not_actions
    actions = statement.actions
    if not_actions is not None:
        not_actions = tuple(a for a in not_actions if a not in texts["NotAction"])
        if not not_actions:
            actions, not_actions = ("*",), None
    not_resources = statement.not_resources
    if not_resources is not None and "NotResource" in texts:
        not_resources = tuple(r for r in not_resources if r not in texts["NotResource"])
    return replace(statement, actions=actions, not_actions=not_actions, not_resources=not_resources,
                   condition=_condition(statement, dict.fromkeys(whats)))


def _split(statement: Statement, whats: dict[str, dict[str, None]], texts: dict[str, set[str]]) -> list[Statement]:
    """What the statement gives as written (its written actions on its written resources), and under the
    condition, what its open actions give on every resource and every action gives on its open resources."""
    open_actions = tuple(a for a in statement.actions if a in texts["Action"])
    open_resources = tuple(r for r in statement.resources if r in texts.get("Resource", ()))
    opened = {**whats.get("Resource", {}), **(whats.get("Action", {}) if open_actions else {})}
    return split_open(statement, open_actions, open_resources,
                      lambda part: replace(part, condition=_condition(statement, opened)),
                      lambda part: replace(part, condition=_condition(statement, whats.get("Action", {}))))


def _condition(statement: Statement, whats: dict[str, None]) -> str:
    return OPEN_IN_TEMPLATE + "; ".join(whats) + (f" and {statement.condition}" if statement.condition else "")


def _copied(mapping: YMap) -> YMap:
    copy = YMap(mapping.pos)
    copy.update(mapping)
    copy.key_pos.update(mapping.key_pos)
    copy.value_pos.update(mapping.value_pos)
    return copy


def _text(value: Any) -> str:
    """The text of a resolved value, markers and all (a list or mapping: its parts')."""
    if isinstance(value, YMap):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, YSeq):
        return " ".join(_text(v) for v in value)
    return str(value)


def _collect(node: Any, depth: int, found: dict[tuple[int, int], YMap]) -> None:
    """The raw statements (mappings with `Effect`) under a node, by their place."""
    if isinstance(node, YMap):
        if "Effect" in node:
            found[node.pos] = node
        items: Any = node.values()
    elif isinstance(node, YSeq):
        items = node
    else:
        return
    if depth < _DEEPEST:
        for item in items:
            _collect(item, depth + 1, found)


def _widening(text: str) -> str:
    """The parts of an ARN (or `*`) that a marker in them widens: not the region, which is the stack's own."""
    parts = text.split(":", 5)
    return ":".join(parts[:3] + parts[4:]) if len(parts) == 6 else text
