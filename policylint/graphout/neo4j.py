"""The access graph for Neo4j: `neo4j-admin database import full` CSV files, and the Cypher to ask it.

- `nodes.csv`: `id:ID,:LABEL,name,kind,…` — one row per node, labelled by kind (`Person`, `Resource`, `Set`, …),
  `name` the label people read; typed columns (`departed:boolean`, `records:long`, `data:string[]`) so that queries
  compare values, not strings. An empty cell is a property the node does not have.
- `relationships.csv`: `:START_ID,:END_ID,:TYPE,access:string[],condition` — the type is the relation in capitals
  (`GRANTS`, `MEMBER`, …).
- `queries.cypher`: who reaches a customer-data resource, and the departed people who reach customer data with
  their records; plain Cypher (Neo4j 5), one statement per query, run with `cypher-shell -f queries.cypher`.

Every text cell is safe for a spreadsheet too (`csvsafe.safe_cell`): the files are CSV and will be opened as such.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from policylint.csvsafe import safe_cell
from policylint.graphout.view import NODE_FIELDS, GraphNode, Value, View, unique_names

FILES = ("nodes.csv", "relationships.csv", "queries.cypher")
ARRAY_DELIMITER = ";"  # neo4j-admin's default --array-delimiter
NEO4J_TYPES = {"string": "", "boolean": ":boolean", "long": ":long", "strings": ":string[]"}
NODE_COLUMNS = [(name, kind) for name, kind in NODE_FIELDS if name != "label"]  # `name` is the label
PLACEHOLDER = "<a customer-data resource id>"


def neo4j(view: View) -> dict[str, str]:
    """The three files, by name."""
    ids = unique_names((node.id, safe_cell(node.id)) for node in view.nodes)
    return {"nodes.csv": nodes_csv(view, ids), "relationships.csv": relationships_csv(view, ids),
            "queries.cypher": queries(view, ids)}


def nodes_csv(view: View, ids: Mapping[str, str]) -> str:
    header = ["id:ID", ":LABEL", "name", *(name + NEO4J_TYPES[kind] for name, kind in NODE_COLUMNS)]
    rows = ([ids[node.id], node.kind.capitalize(), safe_cell(node.label),
             *(_cell(node.attributes.get(name)) for name, _ in NODE_COLUMNS)] for node in view.nodes)
    return _csv([header, *rows])


def relationships_csv(view: View, ids: Mapping[str, str]) -> str:
    header = [":START_ID", ":END_ID", ":TYPE", "access:string[]", "condition"]
    rows = ([ids[edge.source], ids[edge.target], edge.relation.upper(), _cell(edge.access or None),
             _cell(edge.condition)] for edge in view.edges)
    return _csv([header, *rows])


def _cell(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return safe_cell(ARRAY_DELIMITER.join(value))
    return safe_cell(value)


def _csv(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def cypher_string(text: str) -> str:
    """A Cypher string literal in double quotes (which Neo4j and GrandCypher both read): backslashes and quotes
    escaped, so nothing in the text can end it; the text holds no line breaks (`printable` escaped them)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def queries(view: View, ids: Mapping[str, str]) -> str:
    example = _largest_customer_resource(view.nodes)
    resource = cypher_string(ids[example.id]) if example is not None else cypher_string(PLACEHOLDER)
    where = ("the customer-data resource with the most records in this export" if example is not None
             else "this export has no customer-data resource: put a resource id in place of the placeholder")
    return QUERIES.format(resource=resource, where=where)


def _largest_customer_resource(nodes: Iterable[GraphNode]) -> GraphNode | None:
    found = [n for n in nodes if n.attributes.get("customer_data") is True]
    return min(found, key=lambda n: (-_records(n), n.id), default=None)


def _records(node: GraphNode) -> int:
    records = node.attributes.get("records")
    return records if isinstance(records, int) and not isinstance(records, bool) else -1


QUERIES = """\
// policylint: the access graph in Neo4j (5.x). Import the two CSV files beside this one into a new database:
//   neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv <database>
// then run this file: cypher-shell -d <database> -f queries.cypher
//
// Every relationship reads "can act as" or "can get to", so a path of any of them is a path of access; a path
// through a Set node (anyone, every resource, the ids a glob matches, admin of an access-control resource) is one
// too: a Set stands for all its members at once, which keeps the graph linear in size.

// (a) Who reaches a customer-data resource: every person and principal with a path to it
//     ({where}).
MATCH (who:Person|Principal)-[*1..]->(:Resource {{id: {resource}}})
RETURN DISTINCT who.id, who.kind, who.status, who.type
ORDER BY who.id;

// (b) Departed people who reach customer data: the resources each reaches and their records (the sum of the
//     known counts; unknown_records: how many of those resources have no known count, so records is a floor).
MATCH (person:Person {{departed: true}})-[*1..]->(resource:Resource {{customer_data: true}})
WITH DISTINCT person, resource
RETURN person.id AS person, person.departed_on AS departed_on, count(resource) AS resources,
       sum(resource.records) AS records, count(resource) - count(resource.records) AS unknown_records,
       collect(resource.id) AS reached
ORDER BY records DESC, person;
"""
