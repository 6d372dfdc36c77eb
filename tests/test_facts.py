"""Facts documents: what facts.py builds is exactly what facts_schema.py documents, for every kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from policylint.facts import facts_of
from policylint.facts_schema import facts_schema
from policylint.model import NODE_KINDS
from policylint.pipeline import run
from policylint.settings import Settings

from helpers import REPO, write

VALIDATORS = {kind: Draft202012Validator(facts_schema(kind)) for kind in NODE_KINDS}


def all_facts(paths: list[str]) -> list[dict[str, object]]:
    analysis = run(Settings(tuple(paths), date(2026, 11, 27)), findings=False).analysis
    assert analysis.errors == []
    return [facts_of(node, analysis.context) for node in analysis.inventory.nodes()]


def test_every_facts_document_of_the_example_matches_its_schema() -> None:
    documents = all_facts([str(REPO / "examples")])
    assert {d["kind"] for d in documents} == set(NODE_KINDS)
    for document in documents:
        errors = [e.message for e in VALIDATORS[str(document["kind"])].iter_errors(document)]
        assert errors == [], (document["id"], errors)


def test_every_fixture_facts_document_matches_its_schema() -> None:
    fixtures = sorted(str(p) for p in (REPO / "tests" / "rules").glob("*/*.yaml"))
    for path in fixtures:
        for document in all_facts([path]):
            assert VALIDATORS[str(document["kind"])].is_valid(document), (path, document["id"])


@pytest.mark.parametrize("kind", NODE_KINDS)
def test_facts_schema_is_a_valid_json_schema(kind: str) -> None:
    Draft202012Validator.check_schema(facts_schema(kind))


def test_departed_person_named_through_their_account(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", """
        policylint: 1
        people:
          - {id: kim, status: departed, departed: 2025-06-14}
        principals:
          - {id: kim-console, type: user, person: kim}
        groups:
          - {id: ops, members: [kim-console]}
        """)
    (person, *_) = all_facts([str(path)])
    assert person["named_in"] == [{"field": "members", "in": "ops", "via": "kim-console"}]


def test_key_readers_and_rotation(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", """
        policylint: 1
        people:
          - {id: kim, status: departed, departed: 2025-06-14}
          - {id: lee, status: departed, departed: 2023-01-01}
          - {id: ann, status: active}
        groups:
          - {id: auth, members: [kim, lee, ann]}
        keys:
          - {id: jwt, purpose: signing, storage: file, rotated: 2024-01-01, rotation_days: 90,
             readable_by: [auth], signs_for: ["*"], token_ttl: 365d}
        """)
    key = next(d for d in all_facts([str(path)]) if d["id"] == "jwt")
    assert [{k: v for k, v in r.items() if k != "departed_basis"} for r in key["readers"]] == [
        {"id": "kim", "status": "departed", "departed": "2025-06-14", "departed_after_rotation": True},
        {"id": "lee", "status": "departed", "departed": "2023-01-01", "departed_after_rotation": False},
        {"id": "ann", "status": "active", "departed": None, "departed_after_rotation": False},
    ]
    assert {r["departed_basis"] for r in key["readers"]} == {None}
    assert key["rotation_overdue_days"] == (date(2026, 11, 27) - date(2024, 1, 1)).days - 90
    assert key["token_ttl_seconds"] == 365 * 86400
    assert key["held_via"] == ["kim", "auth", "jwt"]


def test_holder_people_resolve_accounts_and_groups(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", """
        policylint: 1
        people:
          - {id: kim, status: active}
          - {id: lee, status: suspended}
        principals:
          - {id: lee-console, type: user, person: lee}
          - {id: svc, type: service, owner: kim}
        groups:
          - {id: oncall, members: [kim, lee-console, oncall]}
        credentials:
          - {id: shared, type: password, principal: svc, holders: [oncall], status: active}
          - {id: default, type: access_key, principal: svc, status: active}
        """)
    facts = {d["id"]: d for d in all_facts([str(path)])}
    assert facts["shared"]["holder_people"] == [
        {"id": "kim", "status": "active", "departed": None, "departed_basis": None},
        {"id": "lee", "status": "suspended", "departed": None, "departed_basis": None},
    ]
    assert facts["default"]["holders"] == [{"id": "kim", "kind": "person", "status": "active"}]
    assert facts["svc"]["active_access_keys"] == 1


def test_a_long_list_in_a_message_names_ten_and_counts_the_rest() -> None:
    from policylint.findings import render_message

    facts = {"readers": [{"id": f"p{i}", "status": "active"} for i in range(25)]}
    assert render_message("read by {readers}", facts) == (
        "read by p0, p1, p2, p3, p4, p5, p6, p7, p8, p9 and 15 more")


def test_held_via_never_goes_through_another_secret() -> None:
    """kim.jh (departed) reads a key that signs for every principal, so he can act as moreau.c's SSO account and
    reach her password; but he does not hold it: moreau.c does, and the evidence starts with her."""
    import json

    from helpers import REPO, run_cli

    shown = run_cli("facts", "pw-moreau.c", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27")
    assert json.loads(shown.out)["held_via"] == ["moreau.c", "pw-moreau.c"]
    check = run_cli("check", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27", "--select", "PL204",
                    "--format", "json")
    [finding] = [f for f in json.loads(check.out)["findings"] if f["subject"]["id"] == "pw-moreau.c"]
    assert finding["path"][:2] == ["moreau.c", "pw-moreau.c"]


def test_a_nodes_references_are_those_the_inventory_gives_it_in_the_same_order(tmp_path: Path) -> None:
    """`broken_refs` reads each node's references when its facts are made (`_references_of`), `named_in` from the
    whole inventory (`_references`): both must say the same, in the same order (a message lists them as found).
    Held against each other on every example and every rule fixture, where broken names, grants to and on
    credentials and keys, and self-grants occur."""
    from collections import defaultdict

    from policylint.facts import _references, _references_of

    odd = write(tmp_path, "odd.yaml", """
        policylint: 1
        principals:
          - {id: svc, type: service, owner: nobody-here}
        credentials:
          - {id: cred, type: api_key, principal: svc, holders: [svc, ghost], status: active}
        keys:
          - {id: key, purpose: signing, storage: file, readable_by: [svc, ghost-group], signs_for: [svc]}
        resources:
          - {id: db, type: database, data: [customer_pii]}
        grants:
          - {to: svc, resource: key, actions: [read]}
          - {to: cred, resource: db, actions: [read]}
          - {to: key, resource: key, actions: [admin]}
          - {to: missing, resource: cred, actions: [read]}
    """)
    paths = [str(odd), str(REPO / "examples"),
             *sorted(str(p) for p in (REPO / "tests" / "rules").glob("*/*.yaml"))]
    compared = 0
    for path in paths:
        analysis = run(Settings((path,), date(2026, 11, 27)), findings=False).analysis
        assert path != str(odd) or {"key", "cred"} <= {n.id for n in analysis.inventory.nodes()}
        whole: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for owner, field, name in _references(analysis.inventory):
            whole[owner].append((field, name))
        for node in analysis.inventory.nodes():
            assert list(_references_of(node, analysis.context)) == whole.get(node.id, []), (path, node.id)
            compared += bool(whole.get(node.id))
    assert compared > 100
