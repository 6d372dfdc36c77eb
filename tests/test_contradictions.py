"""Records that contradict themselves, or leave their status out, fail closed and visibly (issue 8, point 6).

Through the CLI, one case per roster format and the credential report: each ends in a finding (exit 1) or a located
error (exit 2), never exit 0. A departure date that has come makes the person departed whatever the status says;
a record without a status counts as active; a credential-report key with an empty active cell that has been used
counts as active; each is reported by PL003 on its line, and a leaver's active key is PL101.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli, write

AS_OF = "2026-01-01"
REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
    "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
    "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
ACCOUNT = "aws:iam::111122223333"
KIM_KEY = f"{ACCOUNT}:user/kim.jh#access-key-1"


def report_row(user: str, key_active: str, *, rotated: str = "2025-01-10T10:00:00+00:00",
               used: str = "2025-12-29T07:14:40+00:00", password: str = "false") -> str:
    """A credential-report row of an IAM user with one access key, as `aws iam get-credential-report` writes it."""
    return (f"{user},arn:aws:iam::111122223333:user/{user},2022-04-01T09:00:00+00:00,{password},N/A,N/A,N/A,false,"
            f"{key_active},{rotated},{used},ap-northeast-2,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")


def credential_report(*rows: str) -> str:
    return "\n".join((REPORT_HEADER, *rows)) + "\n"


def scim_users(*users: str) -> str:
    resources = ",\n".join(users)
    return ('{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1,\n'
            f' "Resources": [\n{resources}\n]}}\n')


def scim_user(user_name: str, active: str) -> str:
    return ('  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "8c2b1f60-3c1d-4e8e-9a7b-2f1e0d9c",\n'
            f'   "userName": "{user_name}", {active},\n'
            f'   "emails": [{{"value": "{user_name}@acme.example", "primary": true}}],\n'
            '   "meta": {"resourceType": "User", "lastModified": "2025-06-14T18:00:00Z"}}')


def findings(folder: Path, *select: str) -> tuple[int, set[tuple[str, str, str, int, str]]]:
    """The exit code and (rule, subject, file, line, message) of each finding of a check of `folder`."""
    options = [arg for rule in select for arg in ("--select", rule)]
    result = run_cli("check", str(folder), "--as-of", AS_OF, "--format", "json", *options)
    report = json.loads(result.out)
    assert report["errors"] == [], report["errors"]
    return result.code, {(f["rule"], f["subject"]["id"], Path(f["location"]["file"]).name, f["location"]["line"],
                          f["message"]) for f in report["findings"]}


def test_a_csv_roster_that_says_active_after_the_departure_date_is_a_leaver_whose_key_is_pl101(
        tmp_path: Path) -> None:
    write(tmp_path, "roster.csv", "Employee ID,Username,Work Email,Employment Status,Termination Date\n"
                                  "E-0871,kim.jh,kim.jh@acme.example,Active,2025-06-14\n"
                                  "E-0932,lee.sy,lee.sy@acme.example,Active,2026-03-31\n")
    write(tmp_path, "credential-report.csv", credential_report(report_row("kim.jh", "true"),
                                                               report_row("lee.sy", "true")))
    code, found = findings(tmp_path, "PL003", "PL101")
    assert code == 1
    assert found == {
        ("PL003", "kim.jh", "roster.csv", 2, "person kim.jh: departed 2025-06-14 (on or before 2026-01-01) but the"
                                             " roster says active; counted as departed"),
        ("PL101", KIM_KEY, "credential-report.csv", 2, f"access_key {KIM_KEY} is active but held by kim.jh"
                                                       " (departed 2025-06-14 per the departure date; the roster"
                                                       " says active)"),
        # lee.sy leaves in March: a planned departure, active until then
    }


def test_a_csv_roster_row_without_a_status_counts_as_active_and_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "roster.csv", "Username,Work Email,Employment Status,Termination Date\n"
                                  "kim.jh,kim.jh@acme.example,,\n")
    assert findings(tmp_path, "PL003") == (1, {
        ("PL003", "kim.jh", "roster.csv", 2, "person kim.jh: no status in 'Employment Status'; counted as active"),
    })


def test_a_native_person_active_after_the_departure_date_is_reported_and_departed(tmp_path: Path) -> None:
    write(tmp_path, "people.yaml", """
        policylint: 1
        people:
          - {id: kim.jh, status: active, departed: 2025-06-14}
        groups:
          - {id: auth-platform, members: [kim.jh]}
        """)
    assert findings(tmp_path, "PL003", "PL102") == (1, {
        ("PL003", "kim.jh", "people.yaml", 3, "person kim.jh: departed 2025-06-14 (on or before 2026-01-01) but the"
                                              " roster says active; counted as departed"),
        ("PL102", "kim.jh", "people.yaml", 3, "kim.jh is departed but still named in members of auth-platform"),
    })


def test_a_native_person_without_a_status_is_a_located_error(tmp_path: Path) -> None:
    path = write(tmp_path, "people.yaml", "policylint: 1\npeople:\n  - {id: kim.jh, departed: 2025-06-14}\n")
    result = run_cli("check", str(path), "--as-of", AS_OF)
    assert result.code == 2
    assert result.out.splitlines()[0] == (f"{path}:3:5: error: expected the key 'status', found a mapping without"
                                          " it (at people[0])")


@pytest.mark.parametrize(("case", "active", "said"), [
    ("active misspelt", '"actve": false', "no active attribute (found 'actve'); counted as active"),
    ("active null", '"active": null', "active is null; counted as active"),
])
def test_a_scim_user_whose_active_is_unknown_counts_as_active_and_is_reported(tmp_path: Path, case: str,
                                                                              active: str, said: str) -> None:
    write(tmp_path, "users.json", scim_users(scim_user("kim.jh", active)))
    assert findings(tmp_path, "PL003") == (1, {("PL003", "kim.jh", "users.json", 4, f"person kim.jh: {said}")})


def test_an_okta_user_without_a_status_counts_as_active_and_is_reported(tmp_path: Path) -> None:
    users = [{"id": "00u1a2b3c4d5e6f7g8h9", "statusChanged": "2025-04-02T10:15:00.000Z",
              "profile": {"login": "kim.jh@acme.example", "email": "kim.jh@acme.example"}},
             {"id": "00u9h8g7f6e5d4c3b2a1", "status": "ACTIVE", "statusChanged": "2024-01-10T10:00:00.000Z",
              "profile": {"login": "lee.sy@acme.example", "email": "lee.sy@acme.example"}}]
    write(tmp_path, "users.json", json.dumps(users, indent=2))
    assert findings(tmp_path, "PL003") == (1, {
        ("PL003", "kim.jh@acme.example", "users.json", 6, "person kim.jh@acme.example: no status; counted as active"),
    })


def test_a_used_key_whose_active_cell_is_empty_is_active_and_reported(tmp_path: Path) -> None:
    write(tmp_path, "credential-report.csv", credential_report(report_row("ci-build", "", rotated="N/A")))
    key = f"{ACCOUNT}:user/ci-build#access-key-1"
    assert findings(tmp_path, "PL003", "PL104") == (1, {
        ("PL003", key, "credential-report.csv", 2, f"credential {key}: access_key_1_active is empty but the key was"
                                                   " last used 2025-12-29; counted as active"),
    })


def test_a_leavers_key_whose_active_cell_is_empty_is_pl101(tmp_path: Path) -> None:
    # the breach pattern across formats: SCIM says kim.jh left; the report's active cell for the key is blank
    write(tmp_path, "users.json", scim_users(scim_user("kim.jh", '"active": false')))
    write(tmp_path, "credential-report.csv", credential_report(report_row("kim.jh", "")))
    assert findings(tmp_path, "PL003", "PL101") == (1, {
        ("PL003", KIM_KEY, "credential-report.csv", 2, f"credential {KIM_KEY}: access_key_1_active is empty but the"
                                                       " key was last used 2025-12-29; counted as active"),
        ("PL101", KIM_KEY, "credential-report.csv", 2, f"access_key {KIM_KEY} is active but held by kim.jh"
                                                       " (departed 2025-06-14 per meta.lastModified)"),
    })


def test_a_password_whose_enabled_cell_is_empty_but_was_used_is_active_and_reported(tmp_path: Path) -> None:
    row = report_row("kim.jh", "false", rotated="N/A", used="N/A", password="")
    row = row.replace(",,N/A,N/A,N/A,false,", ",,2025-12-22T09:30:00+00:00,2025-07-01T08:00:00+00:00,N/A,false,", 1)
    write(tmp_path, "credential-report.csv", credential_report(row))
    password = f"{ACCOUNT}:user/kim.jh#password"
    assert findings(tmp_path, "PL003") == (1, {
        ("PL003", password, "credential-report.csv", 2, f"credential {password}: password_enabled is empty but the"
                                                        " password was last used 2025-12-22; counted as active"),
    })


def test_an_okta_leaver_whom_the_csv_roster_calls_active_is_one_person_and_their_key_is_pl101(
        tmp_path: Path) -> None:
    # Okta keys people by login (an e-mail), the HR roster by user name: one person, two records that disagree
    users = [{"id": "00u1a2b3c4d5e6f7g8h9", "status": "DEPROVISIONED", "statusChanged": "2025-06-01T00:00:00.000Z",
              "profile": {"login": "kim.jh@acme.example", "email": "kim.jh@acme.example"}},
             {"id": "00u9h8g7f6e5d4c3b2a1", "status": "ACTIVE", "statusChanged": "2024-01-10T10:00:00.000Z",
              "profile": {"login": "lee.sy@acme.example", "email": "lee.sy@acme.example"}}]
    write(tmp_path, "okta-users.json", json.dumps(users, indent=2))
    write(tmp_path, "roster.csv", "username,email,status\nkim.jh,KIM.JH@acme.example,active\n"
                                  "lee.sy,lee.sy@acme.example,active\n")
    write(tmp_path, "inventory.yaml", """
        policylint: 1
        principals:
          - {id: svc, type: service, owner: lee.sy}
        credentials:
          - {id: k1, type: access_key, principal: svc, holders: [kim.jh], status: active, created: 2025-12-01,
             last_used: 2025-12-20}
        """)
    code, found = findings(tmp_path, "PL003", "PL101")
    assert code == 1
    assert found == {
        ("PL003", "kim.jh@acme.example", "okta-users.json", 7,
         f"person kim.jh@acme.example: the same person as kim.jh at {tmp_path / 'roster.csv'}:2:1 (e-mail"
         " kim.jh@acme.example), which says active, where this record says departed 2025-06-01; counted as departed"
         " 2025-06-01"),
        ("PL003", "kim.jh", "roster.csv", 2,
         f"person kim.jh: the same person as kim.jh@acme.example at {tmp_path / 'okta-users.json'}:7:16 (e-mail"
         " KIM.JH@acme.example), which says departed 2025-06-01, where this record says active; counted as departed"
         " 2025-06-01"),
        ("PL101", "k1", "inventory.yaml", 5,
         f"access_key k1 is active but held by kim.jh (departed 2025-06-01 per the record at"
         f" {tmp_path / 'okta-users.json'}:7:16 (statusChanged))"),
        # lee.sy: both records say active
    }


def test_consistent_records_are_not_reported(tmp_path: Path) -> None:
    write(tmp_path, "roster.csv", "Username,Work Email,Employment Status,Termination Date\n"
                                  "kim.jh,kim.jh@acme.example,Terminated,2025-06-14\n"
                                  "lee.sy,lee.sy@acme.example,Active,2026-03-31\n"
                                  "park.dw,park.dw@acme.example,,2025-10-31\n")
    write(tmp_path, "credential-report.csv", credential_report(report_row("lee.sy", "true"),
                                                               report_row("ci-build", "false")))
    assert findings(tmp_path, "PL003") == (0, set())
