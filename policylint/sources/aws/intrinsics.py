"""CloudFormation intrinsic functions, resolved where the template itself determines the value.

Short-form tags (`!Ref X`) are read by `yamlsafe` as the long form (`{"Ref": "X"}`) through `CFN_TAGS`, so this
module only sees long forms. Resolution fails closed: whatever the template does not determine (a parameter
without `Default`, `AWS::Region`, `AWS::StackName`, `Fn::ImportValue`, an unknown `Ref`) becomes `*` in its
place, so an ARN built from it is a glob that matches more, never less; each such place is noted on the resolver
(not reported: an open value in a valid template is no error, and the `*` it leaves shows in ids, grants and
evidence). `Fn::If` and
a `Fn::FindInMap` whose keys are not determined keep every branch (a `Choice`): spliced into lists (a
statement, an action or a resource exists under either condition) and reduced to their union elsewhere.
Condition functions (`Fn::Equals`, `Fn::And`, …) are never evaluated: both branches of every `Fn::If` count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policylint import yamlsafe
from policylint.errors import InputError
from policylint.model import Location
from policylint.redact import redact
from policylint.yamlsafe import Pos, YMap, YSeq, position_of

UNRESOLVED = "*"
MAX_DEPTH = 2 * yamlsafe.MAX_DEPTH + 10
ACCOUNT = "cfn"  # a template does not know the account it is deployed to (the contract's account id)
_SHORT = ("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub",
          "Transform", "Length", "ToJsonString", "And", "Equals", "If", "Not", "Or")
CFN_TAGS: dict[str, str] = {"!Ref": "Ref", "!Condition": "Condition", **{f"!{n}": f"Fn::{n}" for n in _SHORT}}
PSEUDO: dict[str, str | None] = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::Region": None,  # a template is deployed to any region: `*`
    "AWS::StackName": None,
    "AWS::StackId": None,
    "AWS::NotificationARNs": None,
}
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NOVALUE: Any = _NoValue()  # `Ref: AWS::NoValue`: the property or item is absent


@dataclass(frozen=True, slots=True)
class Choice:
    """Several values the template may take (`Fn::If` branches, undetermined `Fn::FindInMap` keys)."""

    options: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Template:
    """What intrinsics may read: parameters' defaults, `Mappings`, and the template's own logical ids."""

    path: str
    parameters: dict[str, Any]  # name -> its Default, or UNRESOLVED (a list param: a YSeq)
    mappings: dict[str, Any]
    ref: Callable[[str], Any]  # logical id -> the value `Ref` returns, or None when it is not determined
    attribute: Callable[[str, str], Any]  # (logical id, attribute) -> the `Fn::GetAtt` value, or None
    # what a parameter without a Default is said to be (a Terraform translation's parameter names say it all)
    open_text: str = "parameter {} has no Default"


class Resolver:
    """Resolves a template value; records errors (malformed intrinsics) and notes (what became `*`)."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.errors: list[InputError] = []
        self.notes: list[tuple[Pos, str]] = []
        self.depth = 0

    def at(self, pos: Pos) -> Location:
        return Location(self.template.path, *pos)

    def unresolved(self, pos: Pos, what: str) -> str:
        self.notes.append((pos, what))
        return UNRESOLVED

    def malformed(self, pos: Pos, expected: str, found: Any) -> str:
        self.errors.append(InputError(self.at(pos), f"expected {expected}, found {describe(found)}"))
        return UNRESOLVED

    def value(self, node: Any, pos: Pos | None = None) -> Any:
        """The resolved value in a single-value position: a Choice is reduced to its union."""
        return union(self.resolve(node, pos))

    def resolve(self, node: Any, pos: Pos | None = None) -> Any:
        where = position_of(node, pos or (1, 1))
        if not isinstance(node, YMap | YSeq):
            return node
        if self.depth >= MAX_DEPTH:  # yamlsafe bounds nesting; its tags may double it: stay far from the stack's end
            return self.malformed(where, f"at most {MAX_DEPTH} levels of nesting", "more")
        self.depth += 1
        try:
            return self._container(node, where)
        finally:
            self.depth -= 1

    def _container(self, node: YMap | YSeq, where: Pos) -> Any:
        if isinstance(node, YMap):
            if len(node) == 1:
                (key, argument), = node.items()
                function = FUNCTIONS.get(key) if isinstance(key, str) else None
                if function is not None and (key != "Condition" or isinstance(argument, str)):
                    return function(self, argument, node.value_pos[key])
                if isinstance(key, str) and key.startswith("Fn::"):
                    return self.unresolved(where, f"{key} is not a function policylint evaluates")
            resolved = YMap(where)
            for key, item in node.items():
                value = self.value(item, node.value_pos[key])
                if value is not NOVALUE:
                    resolved[key] = value
                    resolved.key_pos[key], resolved.value_pos[key] = node.key_pos[key], node.value_pos[key]
            return resolved
        items = YSeq(where)
        for item, item_pos in zip(node, node.item_pos, strict=True):
            value = self.resolve(item, item_pos)
            for option in value.options if isinstance(value, Choice) else (value,):
                if option is not NOVALUE:
                    items.append(option)
                    items.item_pos.append(item_pos)
        return items

    def text(self, node: Any, pos: Pos) -> str:
        """A resolved value as the text it contributes to a string; anything not a scalar is `*`."""
        value = self.resolve(node, pos)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        if value is NOVALUE:
            return ""
        return UNRESOLVED  # a list, a mapping or several choices in a string: any text

    # -- the functions ------------------------------------------------------------------------------------------

    def ref(self, name: Any, pos: Pos) -> Any:
        if not isinstance(name, str):
            return self.malformed(pos, "Ref to a logical id or parameter name", name)
        if name == "AWS::NoValue":
            return NOVALUE
        if name in PSEUDO:
            found = PSEUDO[name]
            return found if found is not None else self.unresolved(pos, f"{name} is not known before deployment")
        if name in self.template.parameters:
            default = self.template.parameters[name]
            if default is UNRESOLVED:
                return self.unresolved(pos, self.template.open_text.format(name))
            return default
        found = self.template.ref(name)
        if found is None:
            return self.unresolved(pos, f"Ref {name}: not a parameter or resource of the template, or not known "
                                        "before deployment")
        return found

    def get_att(self, argument: Any, pos: Pos) -> Any:
        if isinstance(argument, str) and "." in argument:
            logical, attribute = argument.split(".", 1)
        elif isinstance(argument, YSeq) and len(argument) == 2 and isinstance(argument[0], str):
            logical, attribute = argument[0], self.text(argument[1], argument.item_pos[1])
        else:
            return self.malformed(pos, "Fn::GetAtt [LogicalId, Attribute] or 'LogicalId.Attribute'", argument)
        found = self.template.attribute(logical, attribute)
        if found is None:
            return self.unresolved(pos, f"Fn::GetAtt {logical}.{attribute} is not known before deployment")
        return found

    def sub(self, argument: Any, pos: Pos) -> Any:
        variables: YMap = YMap(pos)
        if isinstance(argument, YSeq) and len(argument) == 2 and isinstance(argument[1], YMap):
            argument, variables = argument[0], argument[1]
        if not isinstance(argument, str):
            return self.malformed(pos, "Fn::Sub 'text' or [text, {variables}]", argument)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} stays as the text ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return self.text(variables[name], variables.value_pos[name])
            if "." in name and name not in self.template.parameters and name not in PSEUDO:
                return self._sub_attribute(name, pos)
            return self.text(_ref_node(name, pos), pos)

        return _SUB_VAR.sub(replace, argument)

    def _sub_attribute(self, name: str, pos: Pos) -> str:
        logical, attribute = name.split(".", 1)
        found = self.template.attribute(logical, attribute)
        if isinstance(found, str):
            return found
        return self.unresolved(pos, f"${{{name}}} is not known before deployment")

    def join(self, argument: Any, pos: Pos) -> Any:
        if not (isinstance(argument, YSeq) and len(argument) == 2 and isinstance(argument[0], str)):
            return self.malformed(pos, "Fn::Join [delimiter, [values]]", argument)
        values = self.resolve(argument[1], argument.item_pos[1])
        if not isinstance(values, YSeq):
            return UNRESOLVED if values == UNRESOLVED else self.malformed(pos, "a list of values to join", values)
        return argument[0].join(self.text(v, p) for v, p in zip(values, values.item_pos, strict=True))

    def select(self, argument: Any, pos: Pos) -> Any:
        if not (isinstance(argument, YSeq) and len(argument) == 2):
            return self.malformed(pos, "Fn::Select [index, [values]]", argument)
        index, values = self.value(argument[0], argument.item_pos[0]), self.resolve(argument[1], argument.item_pos[1])
        try:
            number = int(index)
        except OverflowError:  # `.inf`
            return self.malformed(pos, "Fn::Select index to be a whole number", index)
        except (TypeError, ValueError):
            return self.unresolved(pos, "Fn::Select index is not known before deployment")
        if isinstance(values, YSeq) and 0 <= number < len(values) and values[number] != UNRESOLVED:
            return values[number]
        return self.unresolved(pos, "Fn::Select from values not known before deployment")

    def split(self, argument: Any, pos: Pos) -> Any:
        if not (isinstance(argument, YSeq) and len(argument) == 2 and isinstance(argument[0], str) and argument[0]):
            return self.malformed(pos, "Fn::Split [delimiter, text]", argument)
        parts = YSeq(pos)
        for part in self.text(argument[1], argument.item_pos[1]).split(argument[0]):
            parts.append(part)
            parts.item_pos.append(pos)
        return parts

    def find_in_map(self, argument: Any, pos: Pos) -> Any:
        if not (isinstance(argument, YSeq) and len(argument) in (3, 4)):
            return self.malformed(pos, "Fn::FindInMap [MapName, TopLevelKey, SecondLevelKey]", argument)
        keys = [self.text(k, p) for k, p in zip(argument[:3], argument.item_pos[:3], strict=True)]
        found: list[Any] = [self.template.mappings]
        for key in keys:
            found = [v for level in found if isinstance(level, YMap)
                     for k, v in level.items() if key == UNRESOLVED or str(k) == key]
        if not found:
            fallback = argument[3] if len(argument) == 4 and isinstance(argument[3], YMap) else None
            if fallback is not None and "DefaultValue" in fallback:
                return self.resolve(fallback["DefaultValue"], fallback.value_pos["DefaultValue"])
            return self.unresolved(pos, f"Fn::FindInMap {'/'.join(keys)} is not in Mappings")
        if UNRESOLVED in keys:
            self.notes.append((pos, f"Fn::FindInMap {'/'.join(keys)}: every value of the map is kept"))
        return found[0] if len(found) == 1 else Choice(tuple(self.resolve(v, pos) for v in found))

    def if_(self, argument: Any, pos: Pos) -> Any:
        if not (isinstance(argument, YSeq) and len(argument) == 3 and isinstance(argument[0], str)):
            return self.malformed(pos, "Fn::If [condition, value if true, value if false]", argument)
        branches = zip(argument[1:], argument.item_pos[1:], strict=True)
        return Choice(tuple(self.resolve(branch, where) for branch, where in branches))

    def base64(self, argument: Any, pos: Pos) -> Any:
        return self.resolve(argument, pos)  # the encoding does not matter here: the value before it does

    def list_unknown(self, argument: Any, pos: Pos) -> Any:
        self.notes.append((pos, "a list that is not known before deployment"))
        unknown = YSeq(pos)
        unknown.append(UNRESOLVED)
        unknown.item_pos.append(pos)
        return unknown

    def unknown(self, argument: Any, pos: Pos) -> Any:
        return self.unresolved(pos, "a value that is not known before deployment")


def _ref_node(name: str, pos: Pos) -> YMap:
    node = YMap(pos)
    node["Ref"] = name
    node.key_pos["Ref"] = node.value_pos["Ref"] = pos
    return node


FUNCTIONS: dict[str, Callable[[Resolver, Any, Pos], Any]] = {
    "Ref": Resolver.ref,
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Sub": Resolver.sub,
    "Fn::Join": Resolver.join,
    "Fn::Select": Resolver.select,
    "Fn::Split": Resolver.split,
    "Fn::FindInMap": Resolver.find_in_map,
    "Fn::If": Resolver.if_,
    "Fn::Base64": Resolver.base64,
    "Fn::GetAZs": Resolver.list_unknown,
    "Fn::Cidr": Resolver.list_unknown,
    "Fn::ImportValue": Resolver.unknown,
    "Fn::Transform": Resolver.unknown,
    "Fn::Length": Resolver.unknown,
    "Fn::ToJsonString": Resolver.unknown,
    # condition functions are never evaluated (every Fn::If branch counts); as values they are not known
    "Fn::Equals": Resolver.unknown,
    "Fn::And": Resolver.unknown,
    "Fn::Or": Resolver.unknown,
    "Fn::Not": Resolver.unknown,
    "Condition": Resolver.unknown,
}


def union(value: Any) -> Any:
    """A Choice in a single-value position: its one value when the options agree, else a list of them all
    (for a policy's Action, Resource or Principal, the union; a name that is a list counts as not known)."""
    if not isinstance(value, Choice):
        return value
    options = [union(o) for o in value.options if o is not NOVALUE]
    if not options:
        return NOVALUE
    if all(o == options[0] for o in options):
        return options[0]
    merged = YSeq(position_of(options[0], position_of(options[-1])))
    for option in options:
        for item in option if isinstance(option, YSeq) else (option,):
            if item not in merged:
                merged.append(item)
                merged.item_pos.append(merged.pos)
    return merged


def describe(value: Any) -> str:
    """How an error message names what it found."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return repr(redact(str(value)))
