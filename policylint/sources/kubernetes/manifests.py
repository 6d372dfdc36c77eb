"""A Kubernetes YAML/JSON stream to located objects: multi-document files, `kind: List`, broken documents skipped.

One broken document does not hide the others: when the stream does not parse as a whole, each `---` document is
parsed on its own and only the broken ones are reported. Every object keeps the position of its mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from policylint.errors import InputError, found
from policylint.model import Location
from policylint.yamlsafe import YMap, YSeq, load_all

_DOCUMENT_START = re.compile(r"^---(?=[ \t]|\r?$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Manifest:
    """One Kubernetes object: its API group ("" for the core group), version, kind and body."""

    group: str
    version: str
    kind: str
    body: YMap
    location: Location

    @property
    def metadata(self) -> YMap | None:
        metadata = self.body.get("metadata")
        return metadata if isinstance(metadata, YMap) else None

    def meta(self, key: str) -> Any:
        metadata = self.metadata
        return None if metadata is None else metadata.get(key)

    def string_map(self, key: str) -> dict[str, str]:
        """metadata.labels or metadata.annotations, as strings (a non-string value is not a label we test)."""
        found = self.meta(key)
        if not isinstance(found, YMap):
            return {}
        return {str(k): v for k, v in found.items() if isinstance(v, str)}


def describe(value: Any) -> str:
    """How a value shows in an "expected …, found …" message."""
    return found(value, none="nothing")


def field_found(key: str, value: Any) -> str:
    """`no kind`, or `kind the number 3`: a field that is missing or has the wrong type."""
    return f"no {key}" if value is None else f"{key} {describe(value)}"


def read_manifests(path: str, text: str) -> tuple[list[Manifest], list[InputError]]:
    documents, errors = _documents(path, text)
    manifests: list[Manifest] = []
    for document, pos in documents:
        _collect(path, document, pos, manifests, errors)
    return manifests, errors


def _documents(path: str, text: str) -> tuple[list[tuple[Any, tuple[int, int]]], list[InputError]]:
    """Each document with the position of its start; one by one when the stream as a whole does not parse."""
    try:
        whole = load_all(text, path)
    except InputError:
        whole = None  # some document is broken: read them one by one, below
    if whole is not None and all(isinstance(d, YMap | YSeq) or d is None for d in whole):
        return [(d, _pos(d)) for d in whole], []
    documents: list[tuple[Any, tuple[int, int]]] = []
    errors: list[InputError] = []
    starts = [0, *(m.start() for m in _DOCUMENT_START.finditer(text) if m.start() > 0)]
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        offset = text.count("\n", 0, start)
        try:
            found = load_all(text[start:end], path)
        except InputError as error:
            where = error.location
            errors.append(InputError(Location(path, where.line + offset, where.column), error.message))
            continue
        for document in found:
            _shift(document, offset)
            documents.append((document, _pos(document, (offset + 1, 1))))
    return documents, errors


def _shift(document: Any, lines: int) -> None:
    """Move every recorded position of a document parsed on its own down by `lines` (aliases share nodes)."""
    if lines == 0:
        return
    seen: set[int] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if not isinstance(node, YMap | YSeq) or id(node) in seen:
            continue
        seen.add(id(node))
        node.pos = (node.pos[0] + lines, node.pos[1])
        if isinstance(node, YMap):
            for table in (node.key_pos, node.value_pos):
                for key, (line, column) in table.items():
                    table[key] = (line + lines, column)
            stack.extend(node.values())
        else:
            node.item_pos[:] = [(line + lines, column) for line, column in node.item_pos]
            stack.extend(node)


def _collect(path: str, document: Any, pos: tuple[int, int], into: list[Manifest], errors: list[InputError]) -> None:
    """The objects of one document: itself, or the items of a list (`kind: List`, `RoleBindingList`, …)."""
    pending: list[tuple[Any, tuple[int, int]]] = [(document, pos)]
    while pending:
        value, pos = pending.pop()
        if value is None:
            continue  # an empty document, e.g. after a trailing `---`
        if not isinstance(value, YMap):
            errors.append(InputError(Location(path, *pos), "expected a Kubernetes object (a mapping with apiVersion"
                                                             f" and kind), found {describe(value)}"))
            continue
        api_version, kind = value.get("apiVersion"), value.get("kind")
        if not isinstance(api_version, str) or not api_version or not isinstance(kind, str) or not kind:
            wrong = [field_found(key, v) for key, v in (("apiVersion", api_version), ("kind", kind))
                     if not isinstance(v, str) or not v]
            errors.append(InputError(Location(path, *pos), "expected a Kubernetes object with apiVersion and kind,"
                                                             f" found {' and '.join(wrong)}"))
            continue
        if kind.endswith("List") and "items" in value:
            items = value["items"]
            if items is None:
                continue
            if not isinstance(items, YSeq):
                errors.append(InputError(Location(path, *value.value_pos["items"]),
                                         f"expected items of a {kind} to be a list, found {describe(items)}"))
                continue
            pending.extend(reversed(list(zip(items, items.item_pos, strict=True))))
            continue
        group, _, version = api_version.rpartition("/")
        into.append(Manifest(group, version, kind, value, Location(path, *pos)))


def _pos(value: Any, default: tuple[int, int] = (1, 1)) -> tuple[int, int]:
    return value.pos if isinstance(value, YMap | YSeq) else default
