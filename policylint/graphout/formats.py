"""GraphML, DOT and JSON text of a `View`: pure functions, each escaping for its own format.

The view's texts are already redacted and free of control characters; what each format adds is its own escaping:
XML by ElementTree (and the two non-characters XML 1.0 forbids, which `printable` leaves), DOT's quoted strings,
JSON by the json module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from xml.etree import ElementTree

from policylint.graphout.view import EDGE_FIELDS, NODE_FIELDS, GraphEdge, GraphNode, Value, View
from policylint.jsonout import indented

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_SCHEMA = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
GRAPHML_TYPES = {"string": "string", "boolean": "boolean", "long": "long", "strings": "string"}
LIST_SEPARATOR = ","  # a list attribute (data classes, a grant's actions) in a format that has no lists
_NOT_XML = re.compile("[\ufffe\uffff]")


def graphml(view: View) -> str:
    """GraphML with one typed `<key>` per attribute (NetworkX, Gephi, yEd, Cytoscape read it); lists joined by `,`."""
    root = ElementTree.Element("graphml", {"xmlns": GRAPHML_NS,
                                           "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                                           "xsi:schemaLocation": f"{GRAPHML_NS} {GRAPHML_SCHEMA}"})
    for scope, fields in (("node", NODE_FIELDS), ("edge", EDGE_FIELDS)):
        for name, kind in fields:
            ElementTree.SubElement(root, "key", {"id": f"{scope}.{name}", "for": scope, "attr.name": name,
                                                 "attr.type": GRAPHML_TYPES[kind]})
    graph = ElementTree.SubElement(root, "graph", {"id": "policylint", "edgedefault": "directed"})
    for node in view.nodes:
        _graphml_data(ElementTree.SubElement(graph, "node", {"id": _xml(node.id)}), "node", node.attributes)
    for edge in view.edges:
        element = ElementTree.SubElement(graph, "edge", {"source": _xml(edge.source), "target": _xml(edge.target)})
        _graphml_data(element, "edge", edge.attributes)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def _graphml_data(element: ElementTree.Element, scope: str, attributes: Mapping[str, Value]) -> None:
    for name, value in attributes.items():
        ElementTree.SubElement(element, "data", {"key": f"{scope}.{name}"}).text = _xml(_plain(value))


def _plain(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    return str(value)


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# How DOT draws each kind: (shape, fill colour)
DOT_STYLE = {
    "person": ("ellipse", "#cfe2ff"), "principal": ("box", "#e2e3e5"), "group": ("folder", "#d1e7dd"),
    "role": ("hexagon", "#fff3cd"), "credential": ("note", "#ffe5d0"), "key": ("octagon", "#e0cffc"),
    "resource": ("cylinder", "#ffffff"), "set": ("box", "#f8f9fa"),
}
MARKED = "#f8d7da"  # departed people and customer-data resources: filled red and outlined thick


def dot(view: View) -> str:
    """Graphviz DOT: every id and value quoted and escaped, nodes shaped and coloured by kind, departed people and
    customer-data resources marked (red, thick outline, a second label line); every attribute kept for tools."""
    lines = ['digraph "policylint" {', '  graph [rankdir="LR"];',
             '  node [style="filled", fontname="Helvetica", fontsize="10"];',
             '  edge [fontname="Helvetica", fontsize="9"];']
    lines += [f"  {dot_string(node.id)} [{_dot_attributes(_dot_node(node))}];" for node in view.nodes]
    lines += [f"  {dot_string(edge.source)} -> {dot_string(edge.target)} [{_dot_attributes(_dot_edge(edge))}];"
              for edge in view.edges]
    return "\n".join([*lines, "}"]) + "\n"


def dot_string(text: str) -> str:
    """A DOT quoted string."""
    return f'"{_dot_escaped(text)}"'


def _dot_escaped(text: str) -> str:
    """`"` and `\\` escaped (Graphviz reads `\\\\` as a pair, and a label shows it as one backslash); the text holds
    no line breaks (`printable` escaped them), so nothing in it can end the string or start a statement."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot_attributes(attributes: list[tuple[str, str]]) -> str:
    return ", ".join(f"{name}={value}" for name, value in attributes)


def _dot_node(node: GraphNode) -> list[tuple[str, str]]:
    shape, fill = DOT_STYLE.get(node.kind, DOT_STYLE["set"])
    notes = _dot_notes(node)
    label = _dot_escaped(node.label) + (f"\\n({_dot_escaped(', '.join(notes))})" if notes else "")  # DOT: a 2nd line
    style = [("shape", dot_string(shape)), ("fillcolor", dot_string(MARKED if notes else fill))]
    if notes:
        style += [("color", '"#b02a37"'), ("penwidth", '"2"')]
    if node.kind == "set":
        style += [("style", '"filled,dashed,rounded"')]
    kept = [(name, dot_string(_plain(value))) for name, value in node.attributes.items() if name != "label"]
    return [("label", f'"{label}"'), *style, *kept]


def _dot_notes(node: GraphNode) -> list[str]:
    """What the second label line says: departed, or customer data with its records."""
    if node.attributes.get("departed") is True:
        return ["departed" + (f" {node.attributes['departed_on']}" if "departed_on" in node.attributes else "")]
    if node.attributes.get("customer_data") is True:
        records = node.attributes.get("records")
        return ["customer data"] + ([f"{records:,} records"] if isinstance(records, int) else [])
    return []


def _dot_edge(edge: GraphEdge) -> list[tuple[str, str]]:
    label = ", ".join(edge.access) if edge.access else edge.relation
    if edge.condition is not None:
        label += f" [if {edge.condition}]"
    drawn = [("label", dot_string(label))] + ([("style", '"dashed"')] if edge.condition is not None else [])
    return drawn + [(name, dot_string(_plain(value))) for name, value in edge.attributes.items()]


def json(view: View) -> str:
    """`{"directed": true, "multigraph": false, "graph": {}, "nodes": [...], "edges": [...]}`: NetworkX's
    node-link form (`networkx.node_link_graph(document, edges="edges")` reads it), lists as JSON lists."""
    document = {
        "directed": True, "multigraph": False, "graph": {"name": "policylint access graph"},
        "nodes": [{"id": node.id, **_json_values(node.attributes)} for node in view.nodes],
        "edges": [{"source": edge.source, "target": edge.target, **_json_values(edge.attributes)}
                  for edge in view.edges],
    }
    return indented(document) + "\n"


def _json_values(attributes: Mapping[str, Value]) -> dict[str, object]:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in attributes.items()}
