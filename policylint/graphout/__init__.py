"""`policylint graph`: the access graph written for graph tools (GraphML, DOT, JSON) and for Neo4j.

Nodes are the model's nodes (person, principal, group, role, credential, key, resource) with what a graph user
asks of them (status and departure, types, data classes, records, whether a resource holds customer data, scope,
purpose), and the graph's hubs: `*` (anyone), `*resources` (every resource), `*principals` (every principal),
`<id>#admin` (admin of an access-control resource), `*match:<glob>|-<excluded>` (the ids a glob matches),
`*match:mint:<glob>` (the principals a key signs for). A hub is a set, and it is kept as one node of kind `set` with
a label saying which ("anyone", "every resource", "admin of <id>", "ids matching <glob> except <excluded>",
"principals matching <glob>"): expanding it would take one edge per holder and member, holders ×
targets, quadratic in the inventory. A path through a set node is a path of access like any other. The implied
groups `*anyone-if:<condition>` are groups of the model and stay of kind `group`, labelled "anyone if <condition>".

Edges are the graph's: `relation` (is, member, assumes, holds, authenticates, grants, controls, reads_key, mints),
`access` (a grant's actions) and `condition` (the edge holds only under it; it still counts, fail closed).

`--from`/`--to` keep only what lies on paths from the sources and to the targets: two searches, linear.
"""

from __future__ import annotations

from collections.abc import Callable

from policylint.graphout.formats import dot, graphml, json
from policylint.graphout.neo4j import neo4j
from policylint.graphout.view import View, export_view

# The formats written as one text (standard output or the file -o names); neo4j writes a folder of files
TEXT_FORMATS: dict[str, Callable[[View], str]] = {"graphml": graphml, "dot": dot, "json": json}
FORMATS = (*TEXT_FORMATS, "neo4j")

__all__ = ["FORMATS", "TEXT_FORMATS", "View", "dot", "export_view", "graphml", "json", "neo4j"]
