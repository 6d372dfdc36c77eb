"""Every command reads the inventory one way: `check`, `reach` and `facts` agree under every configuration key, from
any folder of the repository, because each goes configuration → `settings.resolve` → `pipeline.run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli, write

AS_OF = "2026-12-01"
NATIVE = """
policylint: 1
principals:
  - {id: order-sync, type: service, owner: lee.sy}
  - {id: report-bot, type: service, owner: lee.sy}
groups:
  - {id: auth-platform, members: [lee.sy, kim.jh]}
roles:
  - id: orders-reader
    assumable_by: [order-sync, auth-platform]
    grants:
      - {resource: orders-db, actions: [read]}
  - id: tickets-reader
    assumable_by: [report-bot]
    grants:
      - {resource: tickets-db, actions: [read]}
resources:
  - {id: orders-db, type: database, data: [orders_pii], records: 5000, logging: true, log_retention_days: 400, monitoring: true}
  - {id: tickets-db, type: database, records: 700, logging: true, log_retention_days: 400, monitoring: true}
"""
# A roster exported by an HR system whose column names are its own (`roster-columns` maps them).
ROSTER = ("Login,Mail,State,Left On\nkim.jh,kim.jh@example.com,Terminated,2025-06-14\n"
          "lee.sy,lee.sy@example.com,Active,\n")
EXTRA = "policylint: 1\ngrants:\n  - {to: lee.sy, resource: tickets-db, actions: [read]}\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, "inventory/access.yaml", NATIVE)
    (tmp_path / "inventory/hr-roster.csv").write_text(ROSTER)
    write(tmp_path, "inventory/old/extra.yaml", EXTRA)
    (tmp_path / ".git").mkdir()  # the repository's root: the config search stops here
    monkeypatch.chdir(tmp_path)
    return tmp_path


def reaching(where: Path, *args: str) -> tuple[int, set[str], int, set[str]]:
    """From `where`: check's count of identities reaching customer data and the subjects of its findings, and
    the identities `reach` lists."""
    check = run_cli("check", "--format", "json", "--as-of", AS_OF, *args)
    assert check.code in (0, 1), check.out + check.err
    document = json.loads(check.out)
    reach = run_cli("reach", "--format", "json", "--as-of", AS_OF, *args)
    assert reach.code == 0, reach.err
    listed = {i["id"] for i in json.loads(reach.out)["identities"]}
    subjects = {f["subject"]["id"] for f in document["findings"]}
    return document["summary"]["identities_reaching_customer_data"], listed, len(listed), subjects


CONFIG = """
paths: [inventory]
customer-data: ["orders*"]
exclude: [inventory/old]
roster-columns: {id: Login, email: Mail, status: State, departed: Left On}
"""


@pytest.mark.parametrize("folder", [".", "inventory", "inventory/old"])
def test_check_and_reach_agree_under_the_config_from_any_folder(repo: Path, folder: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, ".policylint.yaml", CONFIG)
    monkeypatch.chdir(repo / folder)
    counted, listed, n, _ = reaching(repo / folder)
    # orders-db is customer data by `customer-data`; tickets-db is not, and the excluded grant is not read
    assert listed == {"order-sync", "lee.sy", "kim.jh"} and counted == n
    facts = run_cli("facts", "kim.jh", "--as-of", AS_OF)
    assert facts.code == 0, facts.err
    person = json.loads(facts.out)
    assert person["status"] == "departed" and person["reach"]["customer_data"] is True


def test_without_the_config_the_same_commands_agree_on_the_defaults(repo: Path) -> None:
    counted, listed, _, _ = reaching(repo, "inventory/access.yaml")
    assert (counted, listed) == (0, set())  # nothing is classified customer* by default


@pytest.mark.parametrize("how", ["option", "config"])
def test_unclassified_customer_counts_every_unclassified_store(repo: Path, how: str) -> None:
    write(repo, ".policylint.yaml", CONFIG + ("unclassified: customer\n" if how == "config" else ""))
    args = ("--unclassified", "customer") if how == "option" else ()
    _, listed, _, _ = reaching(repo, *args)
    assert "report-bot" in listed and "order-sync" in listed  # tickets-db has no classification: it counts now
    reach = run_cli("reach", "--as-of", AS_OF, *args)
    assert "tickets-db [unclassified] 700 records" in reach.out


def test_nothing_classified_is_said_out_loud_in_every_format(repo: Path) -> None:
    """Nothing matches `customer*` here (the store is `orders_pii`): every format says so, and names the classes."""
    said = "no data class matches the customer-data patterns (customer*), so who can reach customer data is unknown"
    args = ("inventory/access.yaml", "--as-of", AS_OF)
    text = run_cli("check", *args)
    assert "0 identities can reach customer data" not in text.out
    assert said in text.out and "the classes present are orders_pii" in text.out
    document = json.loads(run_cli("check", *args, "--format", "json").out)
    assert document["summary"]["customer_data_resources"] == 0 and said in document["summary"]["warning"]
    sarif = json.loads(run_cli("check", *args, "--format", "sarif").out)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes if said in n["message"]["text"]] == ["warning"]
    github = run_cli("check", *args, "--format", "github").out
    assert f"::warning title=policylint: nothing is customer data::{said}" in github
    junit = run_cli("check", *args, "--format", "junit").out
    assert said in junit
    gitlab = json.loads(run_cli("check", *args, "--format", "gitlab").out)
    assert any(said in item["description"] for item in gitlab)
    reach = run_cli("reach", *args)
    assert reach.out.splitlines()[1].startswith(f"note: {said}")
    assert said in json.loads(run_cli("reach", *args, "--format", "json").out)["notes"][0]


def test_a_store_with_no_class_at_all_and_no_store_at_all(repo: Path) -> None:
    write(repo, "inventory/access.yaml", NATIVE.replace("data: [orders_pii], ", ""))
    text = run_cli("check", "inventory/access.yaml", "--as-of", AS_OF)
    assert "no resource is classified as customer data, so who can reach it is unknown, not none" in text.out
    assert "--unclassified customer" in text.out
    write(repo, "inventory/access.yaml", "policylint: 1\ngrants:\n  - {to: lee.sy, resource: orders-db, actions: [read]}\n")
    text = run_cli("check", "inventory/access.yaml", "--as-of", AS_OF, "--unclassified", "customer")
    assert "no data store is defined, so who can reach customer data is unknown, not none" in text.out


def test_data_classes_match_whatever_their_case(repo: Path) -> None:
    write(repo, "inventory/access.yaml", NATIVE.replace("data: [orders_pii]", "data: [Customer_PII]"))
    counted, listed, _, _ = reaching(repo, "inventory/access.yaml")
    assert listed == {"order-sync"} and counted == 1


@pytest.mark.parametrize("command", ["check", "reach", "baseline"])
def test_every_command_takes_config(repo: Path, command: str) -> None:
    config = write(repo, "elsewhere.yaml", CONFIG.replace("orders*", "nothing*"))
    args = ["-o", str(repo / "b.json")] if command == "baseline" else []
    result = run_cli(command, "--config", str(config), "--as-of", AS_OF, *args)
    assert result.code in (0, 1), result.err
    if command == "reach":
        assert "0 identities" in result.out and "no data class matches" in result.out


def test_suppressed_findings_are_counted_even_when_not_listed(repo: Path) -> None:
    write(repo, "exceptions.yaml", "exceptions:\n  - {rule: PL001, subject: auth-platform, reason: members move to the roster "
                                   "next sprint, owner: lee.sy, expires: 2030-01-01}\n")
    args = ("inventory/access.yaml", "--as-of", AS_OF, "--exceptions", "exceptions.yaml")
    text = run_cli("check", *args)
    assert "1 suppressed (--show-suppressed lists them)." in text.out.splitlines()[-1]
    assert json.loads(run_cli("check", *args, "--format", "json").out)["summary"]["suppressed"] == 1


def test_an_unknown_record_count_is_never_shown_as_zero(repo: Path) -> None:
    write(repo, "inventory/access.yaml", NATIVE.replace("data: [orders_pii], records: 5000, ", "data: [customer_pii], "))
    reach = run_cli("reach", "inventory/access.yaml", "--as-of", AS_OF)
    assert "order-sync (principal): 1 resource of unknown size" in reach.out
    assert "  orders-db [customer_pii] records unknown" in reach.out
    document = json.loads(run_cli("reach", "inventory/access.yaml", "--as-of", AS_OF, "--format", "json").out)
    [sync] = [i for i in document["identities"] if i["id"] == "order-sync"]
    assert sync["resources_of_unknown_size"] == 1 and sync["resources"][0]["records"] is None
