"""Without an HR roster nobody's person can be known: one notice says so, in every format, and PL002 (an account
of nobody) is kept for a roster that fails to join."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.facts import facts_of
from policylint.findings import Notice
from policylint.model import Location
from policylint.pipeline import run
from policylint.report import Report
from policylint.settings import Settings

from helpers import AS_OF, CORPUS, run_cli, write

REPORT = CORPUS / "aws-credential-report" / "synthetic__credential-report.csv"  # jane.doe, old.contractor: users
TEMPLATE = CORPUS / "cloudformation" / "aws-cloudformation-templates__IAM_Users_Groups_and_Policies.yaml"  # CFNUser
SCIM_USER = CORPUS / "scim" / "scim2-models__rfc7643-8.2-user-full.json"  # bjensen: a roster that joins neither
ACCT = "aws:iam::123456789012"
CFN_USER = "aws:iam::cfn:user/aws-cloudformation-templates__IAM_Users_Groups_and_Policies-CFNUser"


def no_roster(unchecked: str) -> str:
    return ("no HR roster among the inputs (no person from a SCIM, Okta or roster CSV export, nor a native "
            "`people:` section), so who has left, and whose account is whose, cannot be known; not checked: "
            f"{unchecked}. Add the roster export to the paths, or leave these rules out (`ignore:` in the "
            "configuration) where there is no roster to add.")


NO_ROSTER = no_roster("PL002 (accounts of nobody), PL101 (credentials of leavers), PL102 (leavers still named), "
                      "PL103 (whether a named owner is a current person; an identity with no owner at all is still "
                      "reported), PL108 (credentials people share), PL301 (signing keys leavers could copy), "
                      "PL304 (signing keys for everyone that people can read), PL306 (customer-data keys people can "
                      "read)")


def report_of(*paths: Path, select: tuple[str, ...] = ()) -> Report:
    report = run(Settings(tuple(str(p) for p in paths), AS_OF, select=select)).report
    assert [str(e) for e in report.errors] == []
    return report


def roster_notices(report: Report) -> list[Notice]:
    return [n for n in report.notices if "HR roster" in n.message]


def pl002(report: Report) -> set[str]:
    return {f.subject_id for f in report.findings if f.rule == "PL002"}


def test_without_a_roster_one_notice_and_no_pl002() -> None:
    report = report_of(REPORT, TEMPLATE)
    assert pl002(report) == set()
    # on the first input, as no file is to blame
    assert roster_notices(report) == [Notice(Location(str(REPORT), 4, 1), NO_ROSTER)]


def test_a_roster_that_joins_nobody_is_pl002_on_every_user_account() -> None:
    report = report_of(REPORT, TEMPLATE, SCIM_USER)
    assert pl002(report) == {f"{ACCT}:user/jane.doe", f"{ACCT}:user/contractors/old.contractor", CFN_USER}
    assert roster_notices(report) == []


def test_a_roster_that_joins_some_is_pl002_on_the_others(tmp_path: Path) -> None:
    roster = write(tmp_path, "roster.csv", """
        user_name,email,status
        jane.doe,jane.doe@example.com,active
        """)
    report = report_of(REPORT, TEMPLATE, roster)
    assert pl002(report) == {f"{ACCT}:user/contractors/old.contractor", CFN_USER}
    assert roster_notices(report) == []


@pytest.mark.parametrize(
    ("select", "expected"),
    [(("PL205", "PL101"), [no_roster("PL101 (credentials of leavers)")]),
     (("PL205", "PL104"), [])],
    ids=["names-only-the-selected", "none-selected-no-notice"],
)
def test_the_notice_names_only_the_rules_that_run(select: tuple[str, ...], expected: list[str]) -> None:
    assert [n.message for n in roster_notices(report_of(REPORT, select=select))] == expected


def test_the_principal_facts_say_whether_a_roster_was_read() -> None:
    for paths, roster in (([REPORT], False), ([REPORT, SCIM_USER], True)):
        analysis = run(Settings(tuple(str(p) for p in paths), AS_OF), findings=False).analysis
        jane = analysis.index.nodes[f"{ACCT}:user/jane.doe"]
        assert facts_of(jane, analysis.context)["roster"] is roster


def test_reach_and_facts_runs_have_no_notice() -> None:
    report = run(Settings((str(REPORT),), AS_OF), findings=False).report
    assert report.notices == ()


def cli_output(fmt: str) -> str:
    result = run_cli("check", str(REPORT), "--format", fmt, "--as-of", "2026-01-01")
    assert result.code == 1, result.err
    return result.out


def test_every_format_shows_the_notice() -> None:
    # located at the first account a roster would tell about (a user: it signs in with a password, line 4)
    assert f"{REPORT}:4:1: note: {NO_ROSTER}" in cli_output("text").splitlines()
    assert {"file": str(REPORT), "line": 4, "column": 1, "message": NO_ROSTER} in json.loads(
        cli_output("json"))["notices"]
    [run_] = json.loads(cli_output("sarif"))["runs"]
    notes = [n["message"]["text"] for n in run_["invocations"][0]["toolExecutionNotifications"]
             if n["level"] == "note"]
    assert notes == [NO_ROSTER]
    assert NO_ROSTER in cli_output("junit")
    github = [line for line in cli_output("github").splitlines() if line.startswith("::notice ")]
    assert [line.split("::")[-1] for line in github if "title=policylint notice" in line] == [NO_ROSTER]
    gitlab = [i for i in json.loads(cli_output("gitlab")) if i["check_name"] == "policylint-notice"]
    assert [(i["description"], i["severity"], i["location"]) for i in gitlab] == [
        (f"note: {NO_ROSTER}", "info", {"path": str(REPORT), "lines": {"begin": 4}})]


def test_no_notice_where_no_account_needs_a_roster(tmp_path: Path) -> None:
    """A folder of bare IAM policies, or an operator's manifests, has no person's account nor any owner."""
    write(tmp_path, "iam/deploy.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                                       '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::builds/*"}]}')
    report = run(Settings((str(tmp_path),), AS_OF)).report
    assert roster_notices(report) == []


def test_an_owner_named_without_a_roster_is_unknown_not_broken(tmp_path: Path) -> None:
    """Naming an owner, as PL103 asks, must not turn one finding into two (PL001 + PL103) when no roster is read;
    an identity with no owner at all is still PL103, and with a roster an unknown owner is both."""
    inventory = write(tmp_path, "access.yaml", """
        policylint: 1
        principals:
          - {id: orders-sync, type: service, owner: dave@corp.example}
          - {id: report-bot, type: service}
        """)
    found = {(f.rule, f.subject_id) for f in run(Settings((str(inventory),), AS_OF)).report.findings}
    assert found == {("PL103", "report-bot")}
    write(tmp_path, "people.yaml", "policylint: 1\npeople: [{id: lee.sy, status: active}]\n")
    found = {(f.rule, f.subject_id) for f in run(Settings((str(tmp_path),), AS_OF)).report.findings}
    assert {("PL103", "report-bot"), ("PL103", "orders-sync"), ("PL001", "orders-sync")} <= found
