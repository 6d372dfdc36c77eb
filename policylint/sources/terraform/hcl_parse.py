"""Terraform's HCL files as located blocks and attribute expressions, parsed by python-hcl2's grammar.

We parse with python-hcl2's grammar and post-lexer into the raw Lark tree (the grammar's own nodes; each block and
attribute located by its first token), not python-hcl2's dictionary output, which keeps expressions as text and
drops where they are. `hcl_eval` evaluates
the expressions. A `.tf.json` file (Terraform's JSON syntax) becomes the same blocks: its strings are templates,
parsed as HCL strings are.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from typing import Any

import hcl2
import lark
from hcl2.postlexer import PostLexer
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.terraform.hcl_schema import LABELS, holder, nested
from policylint.usercache import user_cache
from policylint.yamlsafe import YMap, YSeq, load_all

_SKIP = frozenset({"new_line_or_comment"})


@dataclass(frozen=True, slots=True)
class JsonExpr:
    """An expression written in Terraform's JSON syntax: a plain JSON value whose strings are templates."""

    value: Any
    line: int
    column: int


Expr = Tree[Any] | JsonExpr


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    location: Location


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    location: Location
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def children(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.type == kind]


def parse(path: str, text: str) -> Block:
    """The file's top-level body as a block of type `""`; a syntax error is located."""
    if path.lower().endswith(".json"):
        return _json_body(path, text)
    try:
        tree = _parser().parse(_heredoc_ends(text if text.endswith("\n") else text + "\n"))
    except UnexpectedInput as error:
        raise InputError(Location(path, max(error.line, 1), max(error.column, 1)),
                         f"expected Terraform HCL, found {_unexpected(error)}") from None
    except LarkError as error:
        raise InputError(Location(path, 1, 1), f"expected Terraform HCL, found {type(error).__name__}") from None
    if "\\u" in text or "\\U" in text:
        _check_escapes(tree, path)
    body = next(c for c in tree.children if isinstance(c, Tree))
    top = Block("", (), Location(path, 1, 1))
    _fill(top, body, path)
    return top


def _check_escapes(tree: Tree[Any], path: str) -> None:
    """A quoted string's `\\uD800` (a UTF-16 surrogate, which UTF-8 cannot encode) is Terraform's "Invalid escape
    sequence": a located error, before any text holds it."""
    for token in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "STRING_CHARS"):
        for match in _ESCAPE.finditer(str(token)):
            code = match.group(1) or match.group(2)
            if code and _SURROGATES.start <= int(code, 16) < _SURROGATES.stop:
                raise InputError(Location(path, token.line or 1, (token.column or 1) + match.start()),
                                 f"expected an escape of a character UTF-8 encodes, found {match.group(0)!r}, a "
                                 "UTF-16 surrogate (Terraform: Invalid escape sequence)")


_OPENER = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?$", re.MULTILINE)


def _heredoc_ends(text: str) -> str:
    """The text with trailing blanks cut from each line that closes a heredoc (`  EOF  `): Terraform ends the heredoc
    there, python-hcl2's grammar does not (it would run on and swallow the blocks after it). Lines keep their
    number; nothing else changes."""
    markers = set(_OPENER.findall(text))
    if not markers:
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip(" \t\r")
        if stripped in markers and line.rstrip("\r") != line.rstrip(" \t\r"):
            lines[index] = line.rstrip(" \t\r") + ("\r" if line.endswith("\r") else "")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """python-hcl2's grammar and post-lexer, without `propagate_positions` (a third of the parse time): positions are
    read off each block's and attribute's first token. The compiled tables are cached in the user's cache folder
    (never a shared temporary folder: the cache is a pickle), when it can be written."""
    grammar = os.path.join(os.path.dirname(hcl2.__file__), "hcl2.lark")
    return Lark.open(grammar, parser="lalr", propagate_positions=False, postlex=PostLexer(), cache=_cache_file())


def _cache_file() -> str | bool:
    folder = user_cache()
    return False if folder is None else str(folder / f"hcl2-{version('python-hcl2')}-lark-{lark.__version__}.grammar")


def _start(node: Tree[Any]) -> tuple[int, int]:
    """Where a node starts: its first token's line and column."""
    for token in node.scan_values(lambda v: isinstance(v, Token)):
        return token.line or 1, token.column or 1
    return 1, 1


def _unexpected(error: UnexpectedInput) -> str:
    if isinstance(error, UnexpectedCharacters):
        return f"an unexpected character {error.char!r}"
    if isinstance(error, UnexpectedToken):
        return f"an unexpected {error.token.type.lower().replace('_', ' ')} {str(error.token)[:40]!r}"
    if isinstance(error, UnexpectedEOF):
        return "the end of the file (an unclosed block or string)"
    return "a syntax error"


def _fill(block: Block, body: Tree[Any], path: str) -> None:
    for item in body.children:
        if not isinstance(item, Tree) or item.data in _SKIP:
            continue
        location = Location(path, *_start(item))
        if item.data == "attribute":
            name = _name(item.children[0])
            block.attributes[name] = Attribute(name, item.children[-1], location)
        elif item.data == "block":
            parts = [c for c in item.children if isinstance(c, Tree) and c.data not in _SKIP and c.data != "body"]
            inner = next(c for c in item.children if isinstance(c, Tree) and c.data == "body")
            child = Block(_name(parts[0]), tuple(_label(p) for p in parts[1:]), location)
            _fill(child, inner, path)
            block.blocks.append(child)


def _name(node: Tree[Any]) -> str:
    return str(node.children[0])


def _label(node: Tree[Any]) -> str:
    if node.data == "string":
        return "".join(unescape(str(p.children[0])) for p in node.children
                       if isinstance(p, Tree) and isinstance(p.children[0], Token))
    return _name(node)


_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.DOTALL)
_SURROGATES = range(0xD800, 0xE000)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(chars: str) -> str:
    """A quoted string's characters as HCL reads them (`\\n`, `\\"`, `\\u00e9`), and `$${` / `%%{` as written."""
    if chars.startswith("$${") or chars.startswith("%%{"):
        return chars[1:]

    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        if code:
            point = int(code, 16)
            return chr(point) if point <= 0x10FFFF and point not in _SURROGATES else "\ufffd"
        return _SIMPLE.get(match.group(3), "\\" + match.group(3))

    return _ESCAPE.sub(one, chars)


@lru_cache(maxsize=4096)
def expression(text: str) -> Tree[Any] | None:
    """One expression's tree (a `${…}` in a heredoc, a template file or a `.tf.json` string); None: not one."""
    try:
        tree = _parser().parse(f"x = {text}\n")
    except (LarkError, RecursionError):
        return None
    body = next(c for c in tree.children if isinstance(c, Tree))
    attributes = [c for c in body.children if isinstance(c, Tree) and c.data == "attribute"]
    found = attributes[0].children[-1] if len(attributes) == 1 else None
    return found if isinstance(found, Tree) else None


# -- Terraform's JSON syntax --------------------------------------------------------------------------------------

# the block types whose JSON form nests a label level per label (`resource` -> type -> name -> body)
_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1, "locals": 0,
           "terraform": 0, "moved": 0, "import": 0, "check": 1}


def _json_document(path: str, text: str) -> list[Any]:
    """The JSON file's documents, located; invalid JSON a located error that says so (the YAML reader, which gives
    every key its place, accepts more than JSON: a trailing comma, a comment)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(Location(path, error.lineno, error.colno),
                         f"expected Terraform JSON, found invalid JSON: {error.msg}") from None
    except RecursionError:
        raise InputError(Location(path, 1, 1), "expected Terraform JSON nested less than a thousand levels deep, "
                                               "found deeper nesting") from None
    except ValueError:  # a number past Python's int-string limit
        raise InputError(Location(path, 1, 1), "expected Terraform JSON with numbers of at most 4,300 digits, found "
                                               "a longer one") from None
    try:
        return load_all(text, path)
    except InputError as error:  # valid JSON the YAML reader refuses (a surrogate escape, a repeated key)
        raise InputError(error.location, "expected Terraform JSON, found " +
                         error.message.replace("invalid YAML: ", "invalid JSON: ")) from None


def _json_body(path: str, text: str) -> Block:
    documents = _json_document(path, text)
    top = Block("", (), Location(path, 1, 1))
    if not documents or not isinstance(documents[0], dict):
        raise InputError(Location(path, 1, 1), "expected a Terraform JSON object at the top level, found "
                                               f"{type(documents[0]).__name__ if documents else 'nothing'}")
    document = documents[0]
    if path.lower().endswith(".tfvars.json"):  # variables' values: each key an attribute, not a block
        for name, value in document.items():
            at = _pos(document, name)
            top.attributes[str(name)] = Attribute(str(name), JsonExpr(_plain(value), *at), Location(path, *at))
        return top
    for kind, value in document.items():
        if kind == "//":
            continue
        _json_blocks(top, str(kind), value, (), _LABELS.get(str(kind), 0), path, _pos(document, kind), None)
    return top


def _pos(mapping: Any, key: Any) -> tuple[int, int]:
    return mapping.key_pos.get(key, (1, 1)) if isinstance(mapping, YMap) else (1, 1)


def _json_blocks(parent: Block, kind: str, value: Any, labels: tuple[str, ...], more: int, path: str,
                 pos: tuple[int, int], holds: frozenset[str] | None) -> None:
    """A block (and those in it) from its JSON value: `more` label levels of keys, then its body, whose keys are the
    nested blocks `holds` names (`hcl_schema`; None: found from the block once its labels are known), or
    arguments."""
    if more and isinstance(value, list):  # Terraform's JSON allows a list of objects at any label level
        for item in value:
            _json_blocks(parent, kind, item, labels, more, path, pos, holds)
        return
    if more and isinstance(value, dict):
        for label, inner in value.items():
            _json_blocks(parent, kind, inner, (*labels, str(label)), more - 1, path, _pos(value, label), holds)
        return
    for body in value if isinstance(value, list) else [value]:
        block = Block(kind, labels, Location(path, *pos))
        inner = holds if holds is not None else nested(*holder(block))
        if kind == "dynamic" and labels:
            inner = nested("dynamic")
        for name, item in body.items() if isinstance(body, dict) else ():
            at = _pos(body, name)
            if name == "//":
                continue
            if kind == "locals" or not _nested_block(name, item, inner):
                block.attributes[str(name)] = Attribute(str(name), JsonExpr(_plain(item), *at), Location(path, *at))
            else:
                what = nested(labels[0]) if kind == "dynamic" and labels else nested(str(name))
                _json_blocks(block, str(name), item, (), LABELS.get(str(name), 0), path, at, what)
        parent.blocks.append(block)


def _nested_block(name: Any, item: Any, holds: frozenset[str]) -> bool:
    """In JSON syntax a nested block and an object-valued attribute look alike: the schema decides; we know the
    nested block types the readers read (`hcl_schema`)."""
    return name in holds and isinstance(item, dict | list) and not (
        isinstance(item, list) and any(not isinstance(i, dict) for i in item))


def _plain(value: Any) -> Any:
    if isinstance(value, YMap | dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, YSeq | list):
        return [_plain(v) for v in value]
    return value
