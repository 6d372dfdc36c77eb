"""`reach` streams: each identity is traced and written as it is read, the text the whole list would give, in JSON
Lines too; past a size, the default text output is a summary that names the command for the whole list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from test_reach_oracle import PATTERNS, inventories  # the oracle's random inventories, not a copy of them

from policylint import cli, exposure
from policylint.exposure import Exposure, exposures, next_hops, summary_of
from policylint.graph import Graph, build_graph, build_index
from policylint.model import Inventory
from policylint.pipeline import Analysis, Result, run
from policylint.reach import Reach, compute_reach, follow, paths_to
from policylint.redact import printable_json
from policylint.reporters import REACH, ROWS_ONLY, summary
from policylint.reporters.json import identity
from policylint.settings import Settings

from helpers import REPO, run_cli, write

EXAMPLES = [("acme", "2026-11-27"), ("shopco", "2026-03-21"), ("terraform", "2026-03-01")]
FORMATS = ["text", "json", "jsonl", "csv"]


def result_of(folder: Path, as_of: str) -> Result:
    return run(Settings((str(folder),), date.fromisoformat(as_of)), findings=False)


def analysis_of(folder: Path, as_of: str) -> Analysis:
    return result_of(folder, as_of).analysis


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    return {name: result_of(REPO / "examples" / name, as_of) for name, as_of in EXAMPLES}


@pytest.fixture(scope="module")
def examples(results: dict[str, Result]) -> dict[str, Analysis]:
    return {name: result.analysis for name, result in results.items()}


@pytest.mark.parametrize(("name", "as_of"), EXAMPLES)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("show", [None, "2", "all"])
def test_the_streamed_output_is_the_whole_list_rendered_at_once(results: dict[str, Result], name: str, as_of: str,
                                                                 fmt: str, show: str | None) -> None:
    """What the command writes identity by identity is what the list, traced first and rendered whole, gives."""
    given_show = () if show is None else ("--show", show)
    streamed = run_cli("reach", str(REPO / "examples" / name), "--as-of", as_of, "--format", fmt, *given_show)
    assert streamed.code == 0, streamed
    shown = None if show == "all" or (show is None and fmt == "csv") else int(show or 10)
    whole = list(exposures(results[name].analysis, shown))
    report = results[name].report
    notes = tuple(note for note in (summary.unclassified(report), summary.skipped(report)) if note)
    assert streamed.out == REACH[fmt](as_of, whole, () if fmt in ROWS_ONLY else notes)


@pytest.mark.parametrize(("name", "as_of"), EXAMPLES)
def test_the_json_document_is_written_item_by_item_as_json_dumps_writes_it_whole(
        examples: dict[str, Analysis], name: str, as_of: str) -> None:
    whole = list(exposures(examples[name], None))
    notes = ("a note with [] and ##[a command] in it", "line\nbreak\u2028")
    document = {"as_of": as_of, "notes": list(notes), "identities": [identity(e) for e in whole]}
    at_once = printable_json(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    assert REACH["json"](as_of, whole, notes) == at_once
    assert REACH["json"](as_of, [], notes) == printable_json(json.dumps(
        {**document, "identities": []}, indent=2, ensure_ascii=False)) + "\n"


@pytest.mark.parametrize("show", [(), ("--show", "all"), ("--to", "customers-db")])
def test_json_lines_are_the_items_of_the_json_document_one_per_line(show: tuple[str, ...]) -> None:
    args = ("reach", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27", *show)
    lines = run_cli(*args, "--format", "jsonl")
    document = json.loads(run_cli(*args, "--format", "json").out)
    assert lines.code == 0 and lines.out.endswith("\n")
    assert [json.loads(line) for line in lines.out.splitlines()] == document["identities"]
    assert lines.err == "".join(f"note: {note}\n" for note in document["notes"])  # notes are not identities


# Kubernetes names its users as free text: here with a line break and a line separator, which no line may end at
RBAC = """
    apiVersion: v1
    kind: Namespace
    metadata:
      name: billing
      labels:
        data-classification: customer_pii
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: read-secrets
      namespace: billing
    rules:
      - apiGroups: [""]
        resources: ["secrets"]
        verbs: ["get"]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: read-secrets
      namespace: billing
    subjects:
      - kind: User
        name: "kim\\njh@acme.example"
        apiGroup: rbac.authorization.k8s.io
      - kind: User
        name: "lee\\u2028sy@acme.example"
        apiGroup: rbac.authorization.k8s.io
    roleRef:
      kind: Role
      name: read-secrets
      apiGroup: rbac.authorization.k8s.io
    """


def test_a_line_break_in_an_id_never_ends_a_json_line(tmp_path: Path) -> None:
    write(tmp_path, "rbac.yaml", RBAC)
    result = run_cli("reach", str(tmp_path), "--as-of", "2026-01-01", "--format", "jsonl")
    assert result.code == 0, result
    kim, lee = "k8s:default:user:kim\njh@acme.example", "k8s:default:user:lee\u2028sy@acme.example"
    assert [(item["id"], item["resources"][0]["path"]) for item in map(json.loads, result.out.split("\n")[:-1])] == [
        (kim, [kim, "k8s:default:rolebinding:billing/read-secrets", "k8s:default:secrets:billing"]),
        (lee, [lee, "k8s:default:rolebinding:billing/read-secrets", "k8s:default:secrets:billing"])]
    assert "\u2028" not in result.out


def test_an_identity_is_traced_when_it_is_read_not_before(examples: dict[str, Analysis],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    traced: list[str] = []
    original = exposure.path_steps
    monkeypatch.setattr(exposure, "path_steps", lambda path, graph: traced.append("path") or original(path, graph))
    listing = exposures(examples["acme"], None)
    assert traced == [] and len(listing) == 62
    first = next(iter(listing))
    assert (first.id, first.reached, len(first.resources), len(traced)) == ("adeyemi.f", 10, 10, 10)


@pytest.mark.parametrize(("name", "as_of"), EXAMPLES)
def test_the_kept_next_hops_give_the_paths_a_search_per_resource_gives(examples: dict[str, Analysis], name: str,
                                                                       as_of: str) -> None:
    assert_hops_follow_each_search(examples[name].graph, examples[name].reach)


@given(inventories())
def test_the_kept_next_hops_give_the_paths_a_search_per_resource_gives_on_random_inventories(
        inv: Inventory) -> None:
    graph = build_graph(inv, build_index(inv))
    assert_hops_follow_each_search(graph, compute_reach(graph, inv, PATTERNS))


def assert_hops_follow_each_search(graph: Graph, reach: Reach) -> None:
    hops = next_hops(graph, reach, reach.resource_mask)
    some = next_hops(graph, reach, reach.resource_mask & 0b1010101)  # a part of them, as --show N traces
    for bit, resource in enumerate(reach.resources):
        searched = paths_to(graph, resource.id)
        for node_id in searched:
            assert hops.follow(node_id, bit) == follow(searched, node_id), (node_id, resource.id)
            if 0b1010101 >> bit & 1:
                assert some.follow(node_id, bit) == follow(searched, node_id), (node_id, resource.id)


SUMMED = """
    policylint: 1
    people:
      - {id: ana, status: active, name: Ana Lima}
      - {id: ben, status: active}
      - {id: cho, status: departed, departed: 2025-05-01, name: Cho Min}
      - {id: dan, status: suspended}
      - {id: eve, status: active}
      - {id: fay, status: active}
    principals:
      - {id: cho-cloud, type: user, person: cho}
      - {id: etl, type: service, owner: ana}
    resources:
      - {id: orders, type: database, data: [customer_orders], records: 5000000}
      - {id: customers, type: database, data: [customer_pii], records: 1000000}
      - {id: tickets, type: bucket, data: [customer_support]}
      - {id: archive, type: bucket, data: [customer_pii], records: 90000000}
      - {id: wiki, type: bucket, data: [internal], records: 10}
    grants:
      - {to: ana, resource: orders, actions: [read]}
      - {to: ana, resource: customers, actions: [read]}
      - {to: etl, resource: orders, actions: [write]}
      - {to: etl, resource: customers, actions: [write]}
      - {to: ben, resource: orders, actions: [read]}
      - {to: cho-cloud, resource: customers, actions: [read]}
      - {to: dan, resource: tickets, actions: [read]}
      - {to: eve, resource: tickets, actions: [read]}
      - {to: fay, resource: wiki, actions: [read]}
    """


def test_the_summary_names_the_top_identities_people_who_left_first(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", SUMMED)
    summary = summary_of(exposures(analysis_of(tmp_path, "2026-01-01")), top=4)
    assert (summary.identities, summary.people, summary.left) == (7, 5, 2)  # fay reaches no customer data
    assert (summary.stores, summary.records, summary.unknown) == (3, 6_000_000, 1)  # nobody reaches the archive
    assert [(e.id, e.status, e.records, e.reached, e.unknown, e.resources) for e in summary.top] == [
        ("cho", "departed", 1_000_000, 1, 0, ()), ("cho-cloud", "departed", 1_000_000, 1, 0, ()),
        ("dan", "suspended", 0, 1, 1, ()), ("ana", "active", 6_000_000, 2, 0, ())]
    assert [e.id for e in summary_of(exposures(analysis_of(tmp_path, "2026-01-01")), top=7).top] == [
        "cho", "cho-cloud", "dan", "ana", "etl", "ben", "eve"]


def test_past_the_threshold_the_default_text_is_the_summary_and_the_command_for_the_whole_list(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "org", "org.yaml", SUMMED)
    monkeypatch.setattr(cli, "SUMMARY_AFTER", 6)
    monkeypatch.setattr(cli, "SUMMARY_TOP", 4)
    folder = str(tmp_path / "org")
    result = run_cli("reach", folder, "--as-of", "2026-01-01", "--platform", "native", "--platform", "roster")
    assert result.code == 0, result
    assert result.out == (
        "Who can reach customer data, as of 2026-01-01: 7 identities\n"
        "note: narrowed by --platform native, --platform roster: not every identity that reaches customer data is "
        "listed\n"
        "\n"
        "5 people (2 of them departed or suspended) and 2 principals reach 3 customer-data stores holding at "
        "least 6,000,000 records (1 of them of unknown size).\n"
        "\n"
        "The 4 identities that reach the most records, people who have left (departed or suspended) and their "
        "own accounts first:\n"
        "\n"
        "cho (person, departed, Cho Min): 1,000,000 records in 1 resource\n"
        "cho-cloud (principal, departed, Cho Min): 1,000,000 records in 1 resource\n"
        "dan (person, suspended): 1 resource of unknown size\n"
        "ana (person, Ana Lima): 6,000,000 records in 2 resources\n"
        "\n"
        "and 3 more. Every identity, with its largest stores and a path to each:\n"
        f"  policylint reach {folder} --as-of 2026-01-01 --platform native --platform roster --show 10\n"
        "(--show all lists every store; --format jsonl writes one identity per line, for a pipeline; --from ID "
        "lists one identity's paths)\n")
    whole = run_cli("reach", folder, "--as-of", "2026-01-01", "--platform", "native", "--platform", "roster",
                    "--show", "10")  # the command it names: the whole list
    assert [line for line in whole.out.splitlines() if line and not line.startswith(" ")] == [
        "Who can reach customer data, as of 2026-01-01: 7 identities",
        "note: narrowed by --platform native, --platform roster: not every identity that reaches customer data is "
        "listed",
        "ana (person, Ana Lima): 6,000,000 records in 2 resources", "ben (person): 5,000,000 records in 1 resource",
        "cho (person, departed, Cho Min): 1,000,000 records in 1 resource",
        "dan (person, suspended): 1 resource of unknown size", "eve (person): 1 resource of unknown size",
        "etl (principal): 6,000,000 records in 2 resources",
        "cho-cloud (principal, departed, Cho Min): 1,000,000 records in 1 resource"]
    for other in (("--format", "json"), ("--format", "jsonl"), ("--from", "ana"), ("--show", "all")):
        assert "more. Every identity" not in run_cli("reach", folder, "--as-of", "2026-01-01", *other).out
    monkeypatch.setattr(cli, "SUMMARY_AFTER", 7)  # at the threshold: the whole list
    assert run_cli("reach", folder, "--as-of", "2026-01-01", "--platform", "native", "--platform", "roster"
                   ).out == whole.out


def test_the_command_a_summary_names_is_quoted_for_the_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "two words; rm -rf ~"
    write(folder, "org.yaml", SUMMED)
    monkeypatch.setattr(cli, "SUMMARY_AFTER", 1)
    result = run_cli("reach", str(folder), "--customer-data", "customer*", "--unclassified", "known")
    assert f"  policylint reach '{folder}' --customer-data 'customer*' --unclassified known --show 10\n" in result.out


def test_summary_exposures_carry_no_resources(examples: dict[str, Analysis]) -> None:
    top = summary_of(exposures(examples["acme"]), top=2).top
    assert [(e.id, e.status, e.records, e.reached) for e in top] == [
        ("kim.jh", "departed", 588_694_000, 10), ("kim.jh-cloud", "departed", 588_694_000, 10)]
    assert all(isinstance(e, Exposure) and e.resources == () for e in top)


def test_the_readme_says_when_the_text_is_a_summary_and_how_long_it_is() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"Where more than {exposure.SUMMARY_AFTER} identities reach customer data" in readme
    assert f"the {exposure.SUMMARY_TOP} identities that reach the most records" in readme
    assert f"with `--show {exposure.DEFAULT_SHOWN}`" in readme
