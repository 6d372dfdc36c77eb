"""One digest of everything that decides a node's findings, so that a diff's head runs the rules only on the nodes
whose digest differs from the base's.

A rule tests a node's facts and nothing else, and a finding is made of the rule, the node's facts, where the node is
defined (the facts name the file and line; the column is added here) and the records of each customer-data resource
it reaches (the facts name those resources by id; their records are added here). Two nodes with one digest have the
same findings with the same evidence. Only the finding's evidence path (`facts.evidence_steps`) is not in the digest,
and a diff never compares paths.

File names are taken relative to the run's root, since a diff reads each side from its own copy.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable
from typing import Any

from policylint.facts import Context, Facts
from policylint.model import Node


class NodeDigests:
    def __init__(self, context: Context, root: str) -> None:
        self._nodes = context.index.nodes
        self._place = placer(root)
        self._sets: dict[int, tuple[list[str], str]] = {}  # by the id of a shared `reach.resources` list

    def digest(self, node: Node, facts: Facts) -> str:
        reach = facts["reach"]
        resources = reach["resources"]
        if not resources:
            shown_reach = reach
        else:  # a list shared by every node reaching the same set, with its classes: hashed once
            known = self._sets.get(id(resources))
            if known is None or known[0] is not resources:
                records = [[r, getattr(self._nodes.get(r), "records", None)] for r in resources]
                known = self._sets[id(resources)] = (resources, _hashed([records, reach["classes"]]))
            shown_reach = {**reach, "resources": known[1], "classes": None}
        shown = {**facts, "file": self._place(facts["file"]), "reach": shown_reach}
        return _hashed([node.location.column, shown])

def placer(root: str) -> Callable[[str], str]:
    """A file's name relative to the run's root (absolute when outside it), each name worked out once."""
    base = os.path.abspath(root)
    places: dict[str, str] = {}

    def place(file: str) -> str:
        found = places.get(file)
        if found is None:
            absolute = os.path.abspath(file)
            found = places[file] = absolute[len(base) + 1:] if absolute.startswith(base + os.sep) else absolute
        return found

    return place


def _hashed(value: Any) -> str:
    """Facts are plain JSON values (str, int, bool, None, lists, dicts in the order they are built). `marshal`'s
    first version writes each as one byte string (no references between objects, no interning flags: equal values,
    equal bytes) faster than `repr` or JSON; a value it cannot write is hashed by its `repr`, which can only make
    digests differ (a node judged); each is marked, so that neither reads as the other."""
    try:
        data = b"m" + marshal.dumps(value, 0)
    except ValueError:
        data = b"r" + repr(value).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()
