"""`policylint graph`: every format read back by a real reader and compared with the analysis graph."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pydot
import pytest
from grandcypher import GrandCypher

from policylint.csvsafe import FORMULA_STARTS, safe_cell
from policylint.exposure import exposures
from policylint.graphout import FORMATS, dot, export_view, graphml, neo4j
from policylint.graphout import json as json_export
from policylint.graphout.view import View
from policylint.pipeline import Analysis, run
from policylint.redact import UNPRINTABLE
from policylint.settings import Settings
from policylint.suggest import did_you_mean

from helpers import REPO, run_cli, write

# pydot's parser still calls pyparsing's camelCase names, which pyparsing 3.3 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:'\\w+' deprecated - use:DeprecationWarning")

ACME = REPO / "examples" / "acme"
AS_OF = date(2026, 11, 27)  # the README's date


@pytest.fixture(scope="module")
def acme() -> Analysis:
    return run(Settings((str(ACME),), AS_OF), findings=False).analysis


def analysis_edges(analysis: Analysis) -> dict[tuple[str, str], dict[str, object]]:
    return {(u, v): data for u, targets in analysis.graph.succ.items() for v, data in targets.items()}


def brute_force_kept(analysis: Analysis, sources: list[str], targets: list[str]) -> set[str]:
    """Per node, a path search from every source and to every target: what --from/--to keep, by definition."""
    graph = nx.DiGraph(list(analysis_edges(analysis)))
    graph.add_nodes_from(analysis.graph.succ)
    return {n for n in graph
            if (not sources or any(nx.has_path(graph, s, n) for s in sources))
            and (not targets or any(nx.has_path(graph, n, t) for t in targets))}


KIM = {"kind": "person", "label": "kim.jh", "status": "departed", "departed": True, "departed_on": "2025-06-14",
       "location": f"{ACME}/people.yaml:27:5"}
ORDERS_DB = {"kind": "resource", "label": "orders-db", "type": "database", "data": "customer_orders",
             "records": 212400000, "customer_data": True, "location": f"{ACME}/data.yaml:19:5"}


def test_graphml_reads_back_into_networkx_as_the_analysis_graph(acme: Analysis) -> None:
    read = nx.read_graphml(io.StringIO(graphml(export_view(acme))))
    edges = analysis_edges(acme)
    assert isinstance(read, nx.DiGraph) and not read.is_multigraph()
    assert set(read.nodes) == set(acme.graph.succ)
    assert set(read.edges) == set(edges)
    for (u, v), data in edges.items():
        expected = {"relation": data["kind"]} | ({"access": ",".join(data["actions"])} if data.get("actions") else {})
        assert read.edges[u, v] == expected | ({"condition": data["condition"]} if "condition" in data else {})
    for node_id, node in acme.index.nodes.items():
        assert read.nodes[node_id]["kind"] == node.kind
    customer = {r.id for r in acme.reach.resources}
    assert {n for n, d in read.nodes(data=True) if d.get("customer_data")} == customer
    assert read.nodes["kim.jh"] == KIM
    assert read.nodes["orders-db"] == ORDERS_DB
    assert read.nodes["iam#admin"] == {"kind": "set", "label": "admin of iam"}
    assert read.nodes["*principals"] == {"kind": "set", "label": "every principal"}
    assert read.nodes["auth-jwt-signing"]["purpose"] == "signing"
    assert read.nodes["ak-kim-jh-cloud"] | {"location": ""} == {
        "kind": "credential", "label": "ak-kim-jh-cloud", "type": "access_key", "status": "active", "location": ""}


def test_graphml_declares_a_typed_key_for_every_attribute(acme: Analysis) -> None:
    root = ElementTree.fromstring(graphml(export_view(acme)))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.findall("g:key", ns)}
    assert keys == {
        ("node", "kind"): "string", ("node", "label"): "string", ("node", "status"): "string",
        ("node", "departed"): "boolean", ("node", "departed_on"): "string", ("node", "type"): "string",
        ("node", "purpose"): "string", ("node", "data"): "string", ("node", "records"): "long",
        ("node", "customer_data"): "boolean", ("node", "scope"): "string", ("node", "flags"): "string",
        ("node", "location"): "string",
        ("edge", "relation"): "string", ("edge", "access"): "string", ("edge", "condition"): "string"}


def test_json_is_node_link_and_agrees_with_graphml(acme: Analysis) -> None:
    view = export_view(acme)
    text = json_export(view)
    document = json.loads(text)
    assert [n["id"] for n in document["nodes"]] == sorted(acme.graph.succ)
    assert [(e["source"], e["target"]) for e in document["edges"]] == sorted(analysis_edges(acme))
    graph = nx.node_link_graph(document, edges="edges")
    from_graphml = nx.read_graphml(io.StringIO(graphml(view)))
    assert set(graph.edges) == set(from_graphml.edges)
    joined = {n: {k: ",".join(v) if isinstance(v, list) else v for k, v in d.items()}
              for n, d in graph.nodes(data=True)}
    assert joined == dict(from_graphml.nodes(data=True))
    assert graph.nodes["orders-db"]["data"] == ["customer_orders"]
    assert json_export(export_view(acme)) == text  # deterministic


def test_dot_parses_and_marks_departed_people_and_customer_data(acme: Analysis) -> None:
    [parsed] = pydot.graph_from_dot_data(dot(export_view(acme)))
    nodes = {_undot(n.get_name()): n for n in parsed.get_nodes() if n.get_name() not in ("graph", "node", "edge")}
    assert set(nodes) == set(acme.graph.succ)
    assert {(_undot(e.get_source()), _undot(e.get_destination())) for e in parsed.get_edges()} == set(
        analysis_edges(acme))
    assert len(parsed.get_edges()) == len(analysis_edges(acme))
    kim, orders, admin = nodes["kim.jh"], nodes["orders-db"], nodes["iam#admin"]
    assert (kim.get("label"), kim.get("fillcolor"), kim.get("shape")) == (
        '"kim.jh\\n(departed 2025-06-14)"', '"#f8d7da"', '"ellipse"')
    assert (orders.get("label"), orders.get("shape")) == (
        '"orders-db\\n(customer data, 212,400,000 records)"', '"cylinder"')
    assert (admin.get("label"), admin.get("kind")) == ('"admin of iam"', '"set"')
    assert nodes["lee.sy"].get("fillcolor") == '"#cfe2ff"'


def _undot(name: str) -> str:
    """A DOT quoted string as pydot keeps it (quotes and escapes included), read back."""
    assert name.startswith('"') and name.endswith('"'), name
    return re.sub(r"\\(.)", r"\1", name[1:-1])


def test_neo4j_files_are_in_the_import_format(acme: Analysis) -> None:
    files = neo4j(export_view(acme))
    assert sorted(files) == ["nodes.csv", "queries.cypher", "relationships.csv"]
    nodes = list(csv.reader(io.StringIO(files["nodes.csv"])))
    assert nodes[0] == ["id:ID", ":LABEL", "name", "kind", "status", "departed:boolean", "departed_on", "type",
                        "purpose", "data:string[]", "records:long", "customer_data:boolean", "scope",
                        "flags:string[]", "location"]
    rows = {row[0]: row for row in nodes[1:]}
    assert len(rows) == len(nodes) - 1 == acme.graph.number_of_nodes()
    assert rows["kim.jh"] == ["kim.jh", "Person", "kim.jh", "person", "departed", "true", "2025-06-14", "", "", "", "",
                              "", "", "", f"{ACME}/people.yaml:27:5"]
    assert rows["orders-db"] == ["orders-db", "Resource", "orders-db", "resource", "", "", "", "database", "",
                                 "customer_orders", "212400000", "true", "", "", f"{ACME}/data.yaml:19:5"]
    assert rows["iam#admin"] == ["iam#admin", "Set", "admin of iam", "set", *[""] * 11]
    relationships = list(csv.reader(io.StringIO(files["relationships.csv"])))
    assert relationships[0] == [":START_ID", ":END_ID", ":TYPE", "access:string[]", "condition"]
    assert ["swiftship-logistics", "shipments-queue", "GRANTS", "read", ""] in relationships
    assert {(r[0], r[1]) for r in relationships[1:]} == set(analysis_edges(acme))
    assert {r[2] for r in relationships[1:]} == {"IS", "MEMBER", "ASSUMES", "HOLDS", "AUTHENTICATES", "GRANTS",
                                                 "CONTROLS", "READS_KEY", "MINTS"}


def load_neo4j_import(files: dict[str, str]) -> nx.DiGraph:
    """The two CSV files read as neo4j-admin reads them (typed columns, `;` arrays, an empty cell: no property),
    into the graph GrandCypher queries: labels and relationship types in `__labels__`."""
    graph = nx.DiGraph()
    header, *rows = csv.reader(io.StringIO(files["nodes.csv"]))
    for row in rows:
        properties = dict(_typed(column, cell) for column, cell in zip(header[2:], row[2:], strict=True) if cell)
        graph.add_node(row[0], id=row[0], __labels__={row[1]}, **properties)
    header, *rows = csv.reader(io.StringIO(files["relationships.csv"]))
    for row in rows:
        properties = dict(_typed(column, cell) for column, cell in zip(header[3:], row[3:], strict=True) if cell)
        graph.add_edge(row[0], row[1], __labels__={row[2]}, **properties)
    return graph


def _typed(column: str, cell: str) -> tuple[str, object]:
    name, _, kind = column.partition(":")
    value = {"boolean": lambda c: c == "true", "long": int, "string[]": lambda c: c.split(";")}.get(
        kind, lambda c: c)(cell)
    return name, value


def cypher_statements(text: str) -> list[str]:
    return [s.strip() for s in re.split(r";\s*$", text, flags=re.M) if s.strip() and "MATCH" in s]


def longest_shortest_path(graph: nx.DiGraph) -> int:
    return max(max(nx.single_source_shortest_path_length(graph, n).values()) for n in graph)


def test_the_cypher_queries_run_and_agree_with_reach(acme: Analysis) -> None:
    """GrandCypher runs openCypher over NetworkX. Of queries.cypher it cannot run an unbounded `[*1..]` (it needs
    an upper bound: the longest shortest path, beyond which no path adds a node it reaches) nor `WITH`: query (a)
    runs as written but for the bound; query (b) runs up to its `WITH DISTINCT`, returning the distinct
    (person, resource) rows, and its count and sum are done here."""
    files = neo4j(export_view(acme))
    graph = load_neo4j_import(files)
    bound = f"[*1..{longest_shortest_path(graph)}]"
    who_query, departed_query = (q.replace("[*1..]", bound) for q in cypher_statements(files["queries.cypher"]))
    assert 'Resource {id: "orders-db"}' in who_query  # the largest customer-data resource
    found = GrandCypher(graph).run(who_query)
    orders = next(i for i, r in enumerate(acme.reach.resources) if r.id == "orders-db")
    expected = sorted(n.id for n in (*acme.inventory.people, *acme.inventory.principals)
                      if acme.reach.resource_bits(n.id) >> orders & 1)
    assert found["who.id"] == expected
    pairs_query = departed_query.split("WITH DISTINCT")[0] + (
        "RETURN DISTINCT person.id, person.departed_on, resource.id, resource.records")
    rows = GrandCypher(graph).run(pairs_query)
    per_person: dict[str, tuple[int, int]] = {}
    for person, resource_records in zip(rows["person.id"], rows["resource.records"], strict=True):
        count, records = per_person.get(person, (0, 0))
        per_person[person] = (count + 1, records + (resource_records or 0))
    departed = {e.id: (e.reached, e.records) for e in exposures(acme, None)
                if e.kind == "person" and e.status == "departed"}  # a person's own account shows their status too
    assert per_person == departed == {"kim.jh": (10, 588694000)}


@pytest.mark.parametrize(("case", "sources", "targets"), [
    ("from one person", ["kim.jh"], []),
    ("to one store", [], ["orders-db"]),
    ("from a leaver to a store", ["kim.jh"], ["identity-db"]),
    ("from two to two", ["adeyemi.f", "swiftship-logistics"], ["card-vault", "shipments-queue"]),
    ("from a store: only itself", ["orders-db"], []),
])
def test_from_and_to_keep_what_a_brute_force_search_keeps(acme: Analysis, case: str, sources: list[str],
                                                          targets: list[str]) -> None:
    view = export_view(acme, sources, targets)
    kept = brute_force_kept(acme, sources, targets)
    assert {n.id for n in view.nodes} == kept
    assert {(e.source, e.target) for e in view.edges} == {e for e in analysis_edges(acme) if set(e) <= kept}


def test_an_unknown_id_is_a_usage_error_naming_the_nearest(acme: Analysis) -> None:
    result = run_cli("graph", str(ACME), "--as-of", "2026-11-27", "--from", "kim.j", "--to", "orders-db")
    suggestion = did_you_mean("kim.j", acme.index.nodes)
    assert (result.code, result.out) == (2, "")
    assert result.err == ("policylint: error: expected --from to name a node of the inventory, found 'kim.j', which "
                          f"no node has (ids are case-sensitive){suggestion}\n")
    assert suggestion.startswith("; did you mean 'kim.jh'")
    result = run_cli("graph", str(ACME), "--as-of", "2026-11-27", "--to", "Orders-DB")
    assert result.code == 2 and "(ids are case-sensitive); did you mean 'orders-db'" in result.err


def test_the_cli_writes_each_format_to_stdout_or_to_a_file(tmp_path: Path) -> None:
    for name in ("graphml", "dot", "json"):
        printed = run_cli("graph", str(ACME), "--as-of", "2026-11-27", "--format", name)
        written = run_cli("graph", str(ACME), "--as-of", "2026-11-27", "--format", name,
                          "-o", str(tmp_path / f"g.{name}"))
        assert (printed.code, written.code, written.out) == (0, 0, "")
        assert (tmp_path / f"g.{name}").read_text(encoding="utf-8") == printed.out
    assert run_cli("graph", str(ACME), "--as-of", "2026-11-27").out.startswith("<?xml")  # GraphML by default


def test_neo4j_writes_a_folder_and_needs_one(tmp_path: Path) -> None:
    result = run_cli("graph", str(ACME), "--as-of", "2026-11-27", "--format", "neo4j", "-o", str(tmp_path / "neo"))
    assert (result.code, result.out) == (0, "")
    assert sorted(p.name for p in (tmp_path / "neo").iterdir()) == ["nodes.csv", "queries.cypher",
                                                                    "relationships.csv"]
    missing = run_cli("graph", str(ACME), "--format", "neo4j")
    assert missing.code == 2 and "expected -o DIR with --format neo4j" in missing.err
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert run_cli("graph", str(ACME), "--format", "neo4j", "-o", str(tmp_path / "file")).code == 2


def test_an_input_is_never_overwritten() -> None:
    before = (ACME / "people.yaml").read_bytes()
    for format_ in ("graphml", "dot", "json"):
        result = run_cli("graph", str(ACME), "--as-of", "2026-11-27", "--format", format_, "-o",
                         str(ACME / "people.yaml"))
        assert result.code == 2 and "which is the input" in result.err
    assert (ACME / "people.yaml").read_bytes() == before


def test_the_cli_offers_every_format() -> None:
    from policylint.cli import GRAPH_FORMATS

    assert GRAPH_FORMATS == FORMATS


K8S_USER = '<img src=x onerror=alert(1)>"; DROP TABLE x; --\n\\'
NATIVE_STORE = '=HYPERLINK("x")\\"\'})//\\'  # a customer-data store: its id is the example in queries.cypher


def _hostile(folder: Path) -> None:
    """Ids as platforms allow them: a Kubernetes subject's name holds anything, a native id anything but spaces."""
    write(folder, "rbac.yaml", f"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {{name: bind, namespace: shop}}
        subjects:
          - {{kind: User, name: {json.dumps(K8S_USER)}, apiGroup: rbac.authorization.k8s.io}}
          - {{kind: Group, name: "@ops '\\u202e", apiGroup: rbac.authorization.k8s.io}}
        roleRef: {{kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}}
        """)
    write(folder, "org.yaml", f"""
        policylint: 1
        people: [{{id: "-kim", status: departed, departed: 2025-01-01}}]
        principals: [{{id: "+svc", type: service, owner: "-kim"}}]
        credentials: [{{id: "<b>key</b>", type: access_key, principal: "+svc", status: active}}]
        resources: [{{id: {json.dumps(NATIVE_STORE)}, type: database, data: ["-cmd|' /C calc'!A0", customer_pii],
                      records: 10}}]
        grants: [{{to: "+svc", resource: {json.dumps(NATIVE_STORE)}, actions: [read]}}]
        """)


def test_hostile_ids_stay_inert_in_every_format(tmp_path: Path) -> None:
    _hostile(tmp_path)
    analysis = run(Settings((str(tmp_path),), date(2026, 1, 1)), findings=False).analysis
    assert analysis.errors == []
    view = export_view(analysis)
    ids = {n.id for n in view.nodes}
    user = next(i for i in ids if i.startswith("k8s:") and ":user:" in i)
    assert user.endswith(':user:<img src=x onerror=alert(1)>"; DROP TABLE x; --\\x0a\\')  # shown, never raw
    assert {NATIVE_STORE, "-kim", "+svc", "<b>key</b>"} <= ids
    _check_texts(view)
    _check_graphml(view, ids)
    _check_dot(view, ids)
    assert {n["id"] for n in json.loads(json_export(view))["nodes"]} == ids
    _check_neo4j(view, ids)


def _check_texts(view: View) -> None:
    files = neo4j(view)
    for text in (graphml(view), dot(view), json_export(view), *files.values()):
        assert {c for c in UNPRINTABLE.findall(text)} <= {"\n"}


def _check_graphml(view: View, ids: set[str]) -> None:
    text = graphml(view)
    root = ElementTree.fromstring(text)
    assert {e.tag.split("}")[1] for e in root.iter()} == {"graphml", "key", "graph", "node", "edge", "data"}
    assert set(nx.read_graphml(io.StringIO(text)).nodes) == ids


def _check_dot(view: View, ids: set[str]) -> None:
    [parsed] = pydot.graph_from_dot_data(dot(view))
    names = [_undot(n.get_name()) for n in parsed.get_nodes() if n.get_name() not in ("graph", "node", "edge")]
    assert sorted(names) == sorted(ids)  # every id one quoted string: nothing ended it early
    assert len(parsed.get_edges()) == len(view.edges)


def _check_neo4j(view: View, ids: set[str]) -> None:
    files = neo4j(view)
    nodes = list(csv.reader(io.StringIO(files["nodes.csv"])))
    relationships = list(csv.reader(io.StringIO(files["relationships.csv"])))
    for row in [*nodes, *relationships]:
        assert not [cell for cell in row if cell.startswith(FORMULA_STARTS)], row
    assert {row[0] for row in nodes[1:]} == {safe_cell(i) for i in ids}
    statements = cypher_statements(files["queries.cypher"])
    assert len(statements) == 2
    [literal] = re.findall(r'Resource \{id: ("(?:[^"\\]|\\.)*")\}', statements[0])
    assert json.loads(literal) == safe_cell(NATIVE_STORE)  # the id, escaped: nothing in it ends the string
    graph = load_neo4j_import(files)
    query = statements[0].replace("[*1..]", f"[*1..{longest_shortest_path(graph)}]")
    assert GrandCypher(graph).run(query)["who.id"] == ["'+svc", "'-kim"]


def test_the_readme_graph_commands_parse() -> None:
    """Every `policylint graph …` command the README shows parses with the real CLI (runs nothing)."""
    from policylint.cli import cli

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\.venv/bin/policylint graph ([^|#\n]*)", readme, flags=re.M)
    assert len(commands) == 4
    formats = []
    for command in commands:
        with cli.commands["graph"].make_context("graph", command.split()) as context:
            formats.append(context.params["output"])
    assert formats == ["graphml", "dot", "json", "neo4j"]


def test_names_that_redact_alike_are_numbered_apart() -> None:
    """Ids that redact to the same text (`<redacted>`) stay apart, numbered in order; each name is given once, so
    a file of 40,000 such ids is not 40,000² steps (a hostile input hung `graph` for minutes)."""
    from policylint.graphout.view import unique_names

    names = unique_names([("plain", "plain"), *((f"secret-{n}", "<redacted>") for n in range(5000)),
                          ("other", "<redacted> (2)")])
    assert names["plain"] == "plain" and names["secret-0"] == "<redacted>"
    assert [names[f"secret-{n}"] for n in (1, 2, 4999)] == ["<redacted> (2)", "<redacted> (3)", "<redacted> (5000)"]
    assert len(set(names.values())) == len(names) == 5002


def test_a_refused_neo4j_target_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "nodes.csv").write_text("earlier\n", encoding="utf-8")
    (out / "queries.cypher").symlink_to(tmp_path / "elsewhere.cypher")
    run = run_cli("graph", str(ACME), "--format", "neo4j", "-o", str(out))
    assert run.code == 2 and "symbolic link" in run.err
    assert (out / "nodes.csv").read_text(encoding="utf-8") == "earlier\n"
    assert sorted(p.name for p in out.iterdir()) == ["nodes.csv", "queries.cypher"]
    assert not (tmp_path / "elsewhere.cypher").exists()
