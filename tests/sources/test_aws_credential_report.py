"""The IAM credential report source (`aws iam get-credential-report`, CSV), on the corpus file and fixtures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from policylint.inventory import Loaded, load_paths
from policylint.model import Credential, Grant, Location, Principal
from policylint.pipeline import run
from policylint.settings import Settings
from policylint.sources.aws import credential_report

from helpers import AS_OF, run_cli, write

REPORT = Path(__file__).parent / "fixtures" / "aws" / "credential-report.csv"  # a copy of the corpus file
HEADER = REPORT.read_text().splitlines()[0]
ACCT = "aws:iam::123456789012"


def load(path: Path) -> Loaded:
    loaded = load_paths([str(path)])
    assert [str(e) for e in loaded.errors] == []
    return loaded


def test_the_corpus_report_hand_checked() -> None:
    loaded = load(REPORT)
    at = str(REPORT)
    credentials = {c.id: c for c in loaded.inventory.credentials}
    assert sorted(credentials) == sorted([
        f"{ACCT}:root#password",
        f"{ACCT}:user/ci/deploy-bot#access-key-1", f"{ACCT}:user/ci/deploy-bot#access-key-2",
        f"{ACCT}:user/jane.doe#password", f"{ACCT}:user/jane.doe#access-key-1",
        f"{ACCT}:user/contractors/old.contractor#password", f"{ACCT}:user/contractors/old.contractor#access-key-1",
        f"{ACCT}:user/svc/analytics-etl#access-key-1", f"{ACCT}:user/svc/analytics-etl#access-key-2",
        f"{ACCT}:user/svc/analytics-etl#certificate-1",
    ])
    assert credentials[f"{ACCT}:root#password"] == Credential(
        f"{ACCT}:root#password", Location(at, 2, 73), "password", f"{ACCT}:root", None, "active",
        None, date(2025, 9, 14), None, True)
    assert credentials[f"{ACCT}:user/ci/deploy-bot#access-key-2"] == Credential(
        f"{ACCT}:user/ci/deploy-bot#access-key-2", Location(at, 3, 189), "access_key", f"{ACCT}:user/ci/deploy-bot",
        None, "active", date(2025, 10, 1), date(2025, 11, 30))
    assert credentials[f"{ACCT}:user/jane.doe#password"] == Credential(
        f"{ACCT}:user/jane.doe#password", Location(at, 4, 76), "password", f"{ACCT}:user/jane.doe", None, "active",
        date(2025, 6, 1), date(2025, 11, 28), None, True)
    never_used = credentials[f"{ACCT}:user/contractors/old.contractor#access-key-1"]
    assert (never_used.status, never_used.created, never_used.last_used) == ("active", date(2022, 3, 3), None)
    # key 2 was deactivated: it still exists (it has a rotation date), inactive, with its last use
    second = credentials[f"{ACCT}:user/svc/analytics-etl#access-key-2"]
    assert (second.status, second.created, second.last_used) == ("inactive", date(2024, 5, 5), date(2024, 6, 1))
    certificate = credentials[f"{ACCT}:user/svc/analytics-etl#certificate-1"]
    assert (certificate.type, certificate.status, certificate.created) == ("certificate", "active", date(2024, 5, 5))


def test_the_report_implies_its_users_and_the_root() -> None:
    loaded = load(REPORT)
    principals = {p.id: p for p in loaded.inventory.principals}
    assert principals[f"{ACCT}:root"] == Principal(f"{ACCT}:root", Location(str(REPORT), 2, 1), "service",
                                                   flags=("aws-root",))
    assert [(p.id, p.type, p.identifiers) for p in principals.values() if p.id != f"{ACCT}:root"] == [
        (f"{ACCT}:user/ci/deploy-bot", "service", ("deploy-bot",)),  # no password, no MFA
        (f"{ACCT}:user/jane.doe", "user", ("jane.doe",)),
        (f"{ACCT}:user/contractors/old.contractor", "user", ("old.contractor",)),  # a password, no MFA
        (f"{ACCT}:user/svc/analytics-etl", "service", ("analytics-etl",)),
    ]
    assert [(r.id, r.type, r.scope) for r in loaded.inventory.resources] == [
        (f"{ACCT}:access-control", "access_control", "aws:123456789012")]
    assert loaded.inventory.grants == (Grant(f"{ACCT}:access-control", ("admin",), Location(str(REPORT), 2, 1),
                                             to=f"{ACCT}:root", via="account root user"),)


def test_definitions_in_authorization_details_win_over_the_reports_users(tmp_path: Path) -> None:
    details = write(tmp_path, "details.json", """
        {"UserDetailList": [{"UserName": "deploy-bot", "Path": "/ci/",
          "Arn": "arn:aws:iam::123456789012:user/ci/deploy-bot", "GroupList": [], "AttachedManagedPolicies": [],
          "Tags": [{"Key": "email", "Value": "platform@example.com"}]}]}
        """)
    report = write(tmp_path, "report.csv", REPORT.read_text())
    loaded = load_paths([str(details), str(report)])
    assert [str(e) for e in loaded.errors] == []
    bot = next(p for p in loaded.inventory.principals if p.id == f"{ACCT}:user/ci/deploy-bot")
    assert (bot.location.file, bot.type, bot.identifiers) == (str(details), "user",
                                                              ("deploy-bot", "platform@example.com"))
    keys = [c for c in loaded.inventory.credentials if c.principal == bot.id]
    assert [c.id.split("#")[1] for c in keys] == ["access-key-1", "access-key-2"]


def test_detection() -> None:
    assert credential_report.detect(str(REPORT), REPORT.read_text())
    assert credential_report.detect("r.csv", "\ufeff" + REPORT.read_text())
    assert not credential_report.detect("roster.csv", "id,email,status\nkim,kim@example.com,active\n")


ROW = ("bob,arn:aws:iam::123456789012:user/bob,2021-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,"
       "true,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (ROW.replace(",false,N/A,false,N/A", ",false,N/A"), "2:1: error: expected 22 fields in a credential report "
                                                            "row, found 20"),
        (ROW.replace("false,true,2021", "false,yes,2021"), "2:90: error: expected access_key_1_active to be true, "
                                                           "false or N/A, found 'yes'"),
        (ROW.replace("true,2021-01-01T00:00:00+00:00", "true,last tuesday"), "2:95: error: expected "
         "access_key_1_last_rotated to be an ISO timestamp (2025-01-31T12:00:00+00:00) or N/A, found 'last tuesday'"),
        (ROW.replace("arn:aws:iam::123456789012:user/bob", "bob@example.com"), "2:5: error: expected an IAM user or "
         "root ARN 'arn:aws:iam::<account>:user/…', found 'bob@example.com'"),
    ],
    ids=["short-row", "bad-boolean", "bad-date", "bad-arn"],
)
def test_a_bad_row_is_a_located_error_and_the_others_load(tmp_path: Path, row: str, expected: str) -> None:
    path = write(tmp_path, "report.csv", f"{HEADER}\n{row}\n{ROW.replace('bob', 'eve')}\n")
    loaded = load_paths([str(path)])
    assert [str(e) for e in loaded.errors] == [f"{path}:{expected}"]
    assert [c.id for c in loaded.inventory.credentials] == [f"{ACCT}:user/eve#access-key-1"]


def test_a_header_without_the_reports_columns_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "report.csv", "user,arn,user_creation_time,password_enabled\nbob,x,y,z\n")
    run = run_cli("check", str(path))
    assert run.code == 2
    assert f"{path}:1:1: error: expected the credential report's columns password_last_used" in run.err + run.out


# The rules on the root user and on passwords: each cause is one finding, on the credential it is about.
ROOT_AND_PASSWORDS = ("PL104", "PL109", "PL111", "PL112", "PL113", "PL204")


def findings(path: Path, select: tuple[str, ...] = ROOT_AND_PASSWORDS) -> set[tuple[str, str]]:
    report = run(Settings((str(path),), AS_OF, select=select)).report
    assert [str(e) for e in report.errors] == []
    return {(f.rule, f.subject_id.removeprefix(f"{ACCT}:")) for f in report.findings}


NO_KEY = "false,N/A,N/A,N/A,N/A"  # active, last rotated, last used date, region, service


def root_row(password_last_used: str = "no_information", mfa_active: str = "true", key_1: str = NO_KEY,
             key_2: str = NO_KEY) -> str:
    """A `<root_account>` row as the report writes it (password_enabled and the rotation dates `not_supported`)."""
    return (f"<root_account>,arn:aws:iam::123456789012:root,2018-04-10T11:22:33+00:00,not_supported,"
            f"{password_last_used},not_supported,not_supported,{mfa_active},{key_1},{key_2},false,N/A,false,N/A")


def test_root_and_passwords_give_one_finding_per_cause(tmp_path: Path) -> None:
    """As of 2026-01-01: root signed in 60 days ago without MFA, has an active key unused for 200 days and a
    deactivated one used 30 days ago; alice signs in without MFA, bob with it."""
    path = write(tmp_path, "report.csv", "\n".join([
        HEADER,
        root_row("2025-11-02T09:14:03+00:00", "false",
                 key_1="true,2019-03-01T10:05:00+00:00,2025-06-15T03:00:00+00:00,us-east-1,s3",
                 key_2="false,2020-01-01T00:00:00+00:00,2025-12-02T21:40:00+00:00,us-east-1,iam"),
        "alice,arn:aws:iam::123456789012:user/alice,2022-03-03T03:03:03+00:00,true,2025-09-01T10:00:00+00:00,"
        "2022-03-03T03:03:03+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "bob,arn:aws:iam::123456789012:user/bob,2022-03-03T03:03:03+00:00,true,2025-12-30T10:00:00+00:00,"
        "2025-06-01T10:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    ]) + "\n")
    assert findings(path) == {
        ("PL111", "root#password"),  # used 60 days ago: not PL104, root unused is the goal
        ("PL112", "root#password"),  # no MFA: the root's, not PL113's
        ("PL109", "root#access-key-1"),  # active: PL109 (which says when it was last used), not PL104 nor PL111
        ("PL111", "root#access-key-2"),  # deactivated, but used 30 days ago
        ("PL113", "user/alice#password"),  # no MFA, reaches no customer data: not PL204
        ("PL104", "user/alice#password"),  # unused for 122 days: a cause of its own
    }


@pytest.mark.parametrize(
    ("password_last_used", "fires"),
    [("2026-01-01T00:10:00+00:00", True), ("2025-10-03T16:45:00+00:00", True),  # today; 90 days ago
     ("2025-10-02T16:45:00+00:00", False), ("no_information", False),  # 91 days ago; never (since October 2014)
     ("2026-02-01T00:00:00+00:00", True)],  # after --as-of (a report newer than the run's date): recent
    ids=["today", "90-days", "91-days", "never", "after-as-of"],
)
def test_root_used_in_the_last_90_days_is_pl111(tmp_path: Path, password_last_used: str, fires: bool) -> None:
    path = write(tmp_path, "report.csv", f"{HEADER}\n{root_row(password_last_used)}\n")
    assert findings(path) == ({("PL111", "root#password")} if fires else set())


@pytest.mark.parametrize(
    ("mfa_active", "fires"),
    [("true", False), ("false", True), ("", True), ("N/A", True)],  # unknown counts as no MFA (fail closed)
    ids=["mfa", "no-mfa", "empty", "n-a"],
)
def test_root_without_mfa_is_pl112(tmp_path: Path, mfa_active: str, fires: bool) -> None:
    path = write(tmp_path, "report.csv", f"{HEADER}\n{root_row(mfa_active=mfa_active)}\n")
    assert findings(path) == ({("PL112", "root#password")} if fires else set())


def test_a_root_password_unused_for_years_is_no_finding(tmp_path: Path) -> None:
    """The corpus's root (MFA, last sign-in 2025-09-14) at a date long after: unused is what CIS 1.7 asks."""
    path = write(tmp_path, "report.csv", f"{HEADER}\n{root_row('2023-09-14T06:10:00+00:00')}\n")
    assert findings(path) == set()
