"""The Okta users source: every status, the departure date, detection, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from policylint.errors import InputError
from policylint.model import Location, Person
from policylint.sources import SOURCES, Fragment, Options
from policylint.sources.hr import okta

from helpers import REPO, run_cli, write

USERS = REPO / "tests" / "sources" / "fixtures" / "okta" / "users.json"


def load(path: Path) -> Fragment:
    return okta.load(str(path), path.read_text(encoding="utf-8"), Options())


def test_every_status_of_the_users_api() -> None:
    fragment = load(USERS)
    assert fragment.errors == []
    at = {p.id: p for p in fragment.inventory.people}
    assert [(p.id, p.status, p.departed, p.departed_basis) for p in fragment.inventory.people] == [
        ("amina.okafor@acme.example", "active", None, None),  # ACTIVE
        ("kim.jh@acme.example", "departed", date(2025, 6, 14), "statusChanged"),  # DEPROVISIONED
        ("lee.sy@acme.example", "suspended", date(2025, 9, 2), "statusChanged"),  # SUSPENDED
        ("new.hire@acme.example", "active", None, None),  # STAGED
        ("park.ms@acme.example", "active", None, None),  # PROVISIONED
        ("omar.haddad@acme.example", "active", None, None),  # RECOVERY
        ("sofia.rossi@acme.example", "active", None, None),  # LOCKED_OUT
        ("li.wei@acme.example", "active", None, None),  # PASSWORD_EXPIRED
        ("jonas.berg@acme.example", "departed", None, None),  # ACTIVE, transitioningToStatus DEPROVISIONED
    ]
    path = str(USERS)
    assert at["amina.okafor@acme.example"] == Person(
        "amina.okafor@acme.example", Location(path, 19, 16), "active",
        emails=("amina.okafor@acme.example", "amina@okafor.example"), aliases=("1001",),
        display_name="Amina Okafor", team="Platform")
    assert at["kim.jh@acme.example"] == Person(
        "kim.jh@acme.example", Location(path, 62, 16), "departed", date(2025, 6, 14), ("kim.jh@acme.example",),
        ("0871",), "statusChanged", display_name="Ji-hoon Kim")


def test_the_one_line_form_the_api_sends(tmp_path: Path) -> None:
    text = json.dumps(json.loads(USERS.read_text(encoding="utf-8")), separators=(",", ":"))
    path = write(tmp_path, "users.json", text)
    people = load(path).inventory.people
    assert len(people) == 9
    assert people[1].location == Location(str(path), 1, text.index('"kim.jh@acme.example"') + 1)


def test_a_single_user_object(tmp_path: Path) -> None:
    (first, *_) = json.loads(USERS.read_text(encoding="utf-8"))
    path = write(tmp_path, "user.json", json.dumps(first, indent=2))
    assert [p.id for p in load(path).inventory.people] == ["amina.okafor@acme.example"]


def test_detected_as_okta_and_by_nothing_else() -> None:
    text = USERS.read_text(encoding="utf-8")
    assert [name for name, source in SOURCES.items() if source.detect(str(USERS), text)] == ["okta"]


@pytest.mark.parametrize(("text", "expected"), [
    ('[{"id":"00u1","status":"ACTIVE","profile":{"login":"kim@acme.example"}}]', True),
    ('{"id":"00u1","status":"DEPROVISIONED","statusChanged":null,"profile":{"email":"k@a.example","login":"k"}}',
     True),
    ('[{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"Everyone"}}]', False),  # a groups export
    ('[{"status":"ACTIVE","login":"kim"}]', False),
    ('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim","active":true}', False),
    ('status,login\nACTIVE,kim\n', False),
])
def test_detection(text: str, expected: bool) -> None:
    assert okta.detect("users.json", text) is expected


def user(**fields: object) -> str:
    base: dict[str, object] = {"id": "00u1", "status": "ACTIVE", "statusChanged": "2025-01-01T00:00:00.000Z",
                               "profile": {"login": "kim@acme.example", "email": "kim@acme.example"}}
    return json.dumps([{**base, **fields}], indent=1)


BAD = [
    ("syntax", '[{"id": "00u1", "status": "ACTIVE", "profile": {"login": "kim"}}', "users.json:1:65: error:"
     " expected valid JSON, found a syntax error (Expecting ',' delimiter)"),
    ("unknown status", user(status="GONE"),
     "users.json:4:13: error: expected status, one of STAGED, PROVISIONED, ACTIVE, RECOVERY, LOCKED_OUT,"
     " PASSWORD_EXPIRED, SUSPENDED, DEPROVISIONED, found the string 'GONE'"),
    ("status a list", user(status=["ACTIVE"]),
     "users.json:4:13: error: expected status, one of STAGED, PROVISIONED, ACTIVE, RECOVERY, LOCKED_OUT,"
     " PASSWORD_EXPIRED, SUSPENDED, DEPROVISIONED, found a list"),
    ("lower-case status", user(status="deprovisioned"),
     "users.json:4:13: error: expected status, one of STAGED, PROVISIONED, ACTIVE, RECOVERY, LOCKED_OUT,"
     " PASSWORD_EXPIRED, SUSPENDED, DEPROVISIONED, found the string 'deprovisioned'"),
    ("no profile", user(profile=None), "users.json:6:14: error: expected profile, a mapping, found null"),
    ("no login", user(profile={"email": "kim@acme.example"}),
     "users.json:6:14: error: expected profile.login, a non-empty string, found null"),
    ("login with a space", user(profile={"login": "Kim Ji-hoon"}),
     "users.json:7:13: error: expected profile.login without spaces, '*' or '#' (they cannot be policylint ids),"
     " found the string 'Kim Ji-hoon'"),
    ("e-mail not a string", user(profile={"login": "kim", "email": ["kim@acme.example"]}),
     "users.json:8:13: error: expected profile.email, a string, found a list"),
    ("statusChanged not a date", user(status="DEPROVISIONED", statusChanged="yesterday"),
     "users.json:5:20: error: expected statusChanged, an ISO 8601 date-time such as 2025-06-14T09:30:00Z, found"
     " the string 'yesterday'"),
    ("user not a mapping", '["kim@acme.example"]',
     "users.json:1:2: error: expected an Okta user, a mapping, found the string 'kim@acme.example'"),
    ("repeated key", '[{"id": "00u1", "status": "ACTIVE",\n "status": "DEPROVISIONED", "profile": {"login": "k"}}]',
     "users.json:2:2: error: duplicate key 'status' in a mapping (first at line 1); each key may appear once"),
]


def errors_of(path: Path) -> list[str]:
    try:
        return [str(e) for e in load(path).errors]
    except InputError as error:  # nothing in the file is usable
        return [str(error)]


@pytest.mark.parametrize(("case", "text", "message"), BAD, ids=[case for case, _, _ in BAD])
def test_bad_input_is_located(tmp_path: Path, case: str, text: str, message: str) -> None:
    path = write(tmp_path, "users.json", text)
    assert errors_of(path) == [message.replace("users.json", str(path))]


def test_bad_input_fails_the_run_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "users.json", user(status="GONE"))
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{path}:4:13: error: expected status, one of STAGED," in result.out
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize(("case", "text", "said"), [
    ("absent", user(status=None).replace('  "status": null,\n', ""), "no status; counted as active"),
    ("null", user(status=None), "status is null; counted as active"),
])
def test_a_user_without_a_status_counts_as_active_and_says_so(tmp_path: Path, case: str, text: str,
                                                               said: str) -> None:
    path = write(tmp_path, "users.json", text)
    fragment = load(path)
    assert fragment.errors == []
    (kim,) = fragment.inventory.people
    assert kim == Person("kim@acme.example", kim.location, "active", emails=("kim@acme.example",),
                         contradictions=(said,))


NAMES = [
    ("displayName first", {"displayName": "JH Kim", "firstName": "Ji-hoon", "lastName": "Kim"}, "JH Kim"),
    ("else the first and last names", {"displayName": None, "firstName": "Ji-hoon", "lastName": "Kim"}, "Ji-hoon Kim"),
    ("a last name alone", {"firstName": "", "lastName": "Kim"}, "Kim"),
    ("not text: left out, the user kept", {"displayName": ["JH"], "department": 12}, None),
]


@pytest.mark.parametrize(("case", "profile", "expected"), NAMES, ids=[c for c, _, _ in NAMES])
def test_the_name_people_read_and_the_team(tmp_path: Path, case: str, profile: dict[str, object],
                                           expected: str | None) -> None:
    team = {"department": "Platform"} if "department" not in profile else {}
    path = write(tmp_path, "users.json", user(profile={"login": "kim@acme.example", **team, **profile}))
    fragment = load(path)
    assert fragment.errors == []
    assert [(p.id, p.display_name, p.team) for p in fragment.inventory.people] == [
        ("kim@acme.example", expected, "Platform" if team else None)]


def test_a_user_being_deprovisioned_without_a_status_is_departed(tmp_path: Path) -> None:
    path = write(tmp_path, "users.json", user(status=None, transitioningToStatus="DEPROVISIONED"))
    (kim,) = load(path).inventory.people
    assert (kim.status, kim.departed, kim.contradictions) == ("departed", None, ())


def test_a_bad_user_is_dropped_and_the_others_kept(tmp_path: Path) -> None:
    users = json.loads(USERS.read_text(encoding="utf-8"))[:3]
    users[1]["status"] = "GONE"
    users[2]["profile"]["login"] = "AMINA.OKAFOR@acme.example"
    path = write(tmp_path, "users.json", json.dumps(users, indent=2))
    fragment = load(path)
    assert [p.id for p in fragment.inventory.people] == ["amina.okafor@acme.example"]
    assert [str(e) for e in fragment.errors] == [
        f"{path}:47:15: error: expected status, one of STAGED, PROVISIONED, ACTIVE, RECOVERY, LOCKED_OUT,"
        " PASSWORD_EXPIRED, SUSPENDED, DEPROVISIONED, found the string 'GONE'",
        f"{path}:103:16: error: expected each user name once in the file, found 'AMINA.OKAFOR@acme.example' again"
        " (first at line 19)",
    ]


def test_a_credential_held_by_a_deprovisioned_user_is_pl101(tmp_path: Path) -> None:
    write(tmp_path, "okta-users.json", USERS.read_text(encoding="utf-8"))
    write(tmp_path, "org.yaml", """
        policylint: 1
        credentials:
          - {id: deploy-token, type: api_key, principal: kim.jh@acme.example, status: active,
             created: 2025-12-01, last_used: 2025-12-30}
        """)
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01", "--select", "PL101")
    assert result.code == 1, result.out + result.err
    assert result.out.splitlines()[0] == (
        f"{tmp_path / 'org.yaml'}:3:5: CRITICAL PL101 api_key deploy-token is active but held by"
        " kim.jh@acme.example (departed 2025-06-14 per statusChanged)")
