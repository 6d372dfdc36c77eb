"""The SCIM 2.0 source: the RFC examples of the corpus, a roster and a groups export, detection, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from policylint.errors import InputError
from policylint.inventory import load_paths
from policylint.model import Group, Location, Person
from policylint.sources import SOURCES, Fragment, Options
from policylint.sources.hr import scim

from helpers import CORPUS, REPO, run_cli, write

FIXTURES = REPO / "tests" / "sources" / "fixtures" / "scim"
BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"
MANDY_ID = "902c246b-6245-4190-8e05-00816be7344a"
NO_ACTIVE = ("no active attribute; counted as active",)


def corpus(name: str) -> str:
    return str(CORPUS / "scim" / name)


def bjensen(path: str, line: int, column: int, *, full: bool = True, team: str | None = None) -> Person:
    emails = ("bjensen@example.com", "babs@jensen.org") if full else ()
    aliases = ("701984", BJENSEN_ID) if full else (BJENSEN_ID,)
    unknown = () if full else NO_ACTIVE  # the minimal user has no `active`: counted as active, and said
    return Person("bjensen@example.com", Location(path, line, column), "active", emails=emails, aliases=aliases,
                  contradictions=unknown, display_name="Babs Jensen" if full else None, team=team)


def bjensen_groups(path: str, line: int, column: int) -> tuple[Group, ...]:
    """The implied groups of bjensen's own `groups` list: three items of five lines each."""
    return tuple(Group(f"scim:group:{name}", Location(path, line + 5 * i, column), ("bjensen@example.com",))
                 for i, name in enumerate(("Tour%20Guides", "Employees", "US%20Employees")))


def load(path: str) -> Fragment:
    return scim.load(path, Path(path).read_text(encoding="utf-8"), Options())


def test_minimal_user() -> None:
    path = corpus("scim2-models__rfc7643-8.1-user-minimal.json")
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.people == (bjensen(path, 6, 17, full=False),)
    assert fragment.inventory.groups == fragment.implied.groups == ()


@pytest.mark.parametrize(("name", "user_line", "user_column", "groups_line", "groups_column", "team"), [
    ("scim2-models__rfc7643-8.2-user-full.json", 7, 17, 85, 9, None),
    ("scim2-models__rfc7643-8.3-enterprise_user.json", 8, 17, 86, 9, "Tour Operations"),
    ("directory-scimple__enterprise-user-example.json", 8, 14, 86, 5, "Tour Operations"),
])
def test_full_and_enterprise_users(name: str, user_line: int, user_column: int, groups_line: int,
                                   groups_column: int, team: str | None) -> None:
    # externalId and the enterprise employeeNumber are both 701984: one alias; displayName is never an alias, only
    # shown, as is the enterprise extension's department
    path = corpus(name)
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.people == (bjensen(path, user_line, user_column, team=team),)
    assert fragment.inventory.groups == ()
    assert fragment.implied.groups == bjensen_groups(path, groups_line, groups_column)


@pytest.mark.parametrize(("name", "line", "column"), [
    ("scim2-models__rfc7643-8.4-group.json", 6, 20),
    ("directory-scimple__group-example.json", 6, 17),
])
def test_group_whose_members_are_in_another_file_keeps_their_scim_ids(name: str, line: int, column: int) -> None:
    path = corpus(name)
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.people == ()
    assert fragment.inventory.groups == (
        Group("scim:group:Tour%20Guides", Location(path, line, column), (BJENSEN_ID, MANDY_ID)),)


def test_list_response_without_schemas_tells_users_from_groups_by_their_attributes() -> None:
    path = corpus("scim2-models__rfc7644-3.4.3-list_response-post_query.json")
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.people == (
        Person("jsmith", Location(path, 11, 25), "active", aliases=("2819c223-7f76-413861904646",),
               contradictions=NO_ACTIVE, display_name="Smith, James"),)
    assert fragment.inventory.groups == (Group("scim:group:Smith%20Family", Location(path, 16, 28)),)


def test_circular_groups_name_each_other() -> None:
    path = corpus("scim2-models__rfc7644-3.7.1-list_response-circular_reference.json")
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.groups == (
        Group("scim:group:Group%20A", Location(path, 12, 28), ("scim:group:Group%20B",)),
        Group("scim:group:Group%20B", Location(path, 33, 28), ("scim:group:Group%20A",)),
    )


def test_every_corpus_file_is_detected_as_scim_and_by_nothing_else() -> None:
    files = sorted((CORPUS / "scim").glob("*.json"))
    assert len(files) == 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert [name for name, source in SOURCES.items() if source.detect(str(path), text)] == ["scim"], path


def test_inactive_user_is_departed_on_the_utc_date_of_its_last_modification() -> None:
    path = str(FIXTURES / "users.json")
    fragment = load(path)
    assert fragment.errors == []
    kim, lee, amina, omar = fragment.inventory.people
    # 2025-06-14T23:40:00-07:00 is 2025-06-15 in UTC; the primary e-mail comes first though listed second
    assert kim == Person("kim.jh@acme.example", Location(path, 14, 19), "departed", date(2025, 6, 15),
                         ("kim.jh@acme.example", "jihoon.kim@gmail.example"),
                         ("00u2kim7QYT4TBTemp0g4", "5b1a6f6e-9d1c-4f0e-8a43-0c7f3c1d9a01", "0871"),
                         departed_basis="meta.lastModified", display_name="Ji-hoon Kim", team="Platform")
    assert lee == Person("lee.sy@acme.example", Location(path, 40, 19), "active", emails=("lee.sy@acme.example",),
                         aliases=("7d4e2b10-5c6a-4f3b-9e8d-1a2b3c4d5e6f",), display_name="Seo-yeon Lee")
    # attribute names ignore case (RFC 7643 §2.1); no `active` is unknown: counted as active, and said (PL003)
    assert amina == Person("amina.okafor", Location(path, 53, 19), "active", emails=("Amina.Okafor@acme.example",),
                           aliases=("0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",), contradictions=NO_ACTIVE)
    # departed without meta.lastModified: the date is unknown, and nothing claims to know it
    assert omar == Person("omar.haddad@acme.example", Location(path, 60, 19), "departed",
                          aliases=("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",))
    assert fragment.inventory.groups == ()
    assert fragment.implied.groups == (
        Group("scim:group:auth-platform", Location(path, 23, 9), ("kim.jh@acme.example", "lee.sy@acme.example")),
        Group("scim:group:Payments%20On-Call", Location(path, 46, 9), ("lee.sy@acme.example",)),
    )


def test_group_members_become_user_names_and_group_ids_of_the_same_file(tmp_path: Path) -> None:
    users = json.loads((FIXTURES / "users.json").read_text(encoding="utf-8"))
    groups = json.loads((FIXTURES / "groups.json").read_text(encoding="utf-8"))
    both = {**users, "Resources": users["Resources"] + groups["Resources"]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(both), encoding="utf-8")
    fragment = load(str(path))
    assert fragment.errors == []
    assert {g.id: g.members for g in fragment.inventory.groups} == {
        "scim:group:auth-platform": ("kim.jh@acme.example", "lee.sy@acme.example", "scim:group:SRE%20Leads"),
        "scim:group:SRE%20Leads": (),
    }
    # memberships the users list name a group of the file join it; the others are implied
    assert [(g.id, g.members) for g in fragment.implied.groups] == [
        ("scim:group:Payments%20On-Call", ("lee.sy@acme.example",))]


def test_a_groups_export_alone_keeps_scim_ids_for_members_it_does_not_define() -> None:
    path = str(FIXTURES / "groups.json")
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.groups == (
        Group("scim:group:auth-platform", Location(path, 8, 22),
              ("5b1a6f6e-9d1c-4f0e-8a43-0c7f3c1d9a01", "7d4e2b10-5c6a-4f3b-9e8d-1a2b3c4d5e6f",
               "scim:group:SRE%20Leads")),
        Group("scim:group:SRE%20Leads", Location(path, 19, 22)),
    )


def test_a_top_level_array_of_resources_and_an_empty_list_response(tmp_path: Path) -> None:
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "kim", "active": True}
    array = write(tmp_path, "array.json", json.dumps([user, {**user, "userName": "lee"}]))
    assert [p.id for p in load(str(array)).inventory.people] == ["kim", "lee"]
    empty = write(tmp_path, "empty.json",
                  '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0}')
    fragment = load(str(empty))
    assert fragment.errors == [] and fragment.inventory.people == ()


def test_a_one_line_export_is_located_by_column(tmp_path: Path) -> None:
    text = json.dumps(json.loads((FIXTURES / "users.json").read_text(encoding="utf-8")))
    path = write(tmp_path, "compact.json", text)
    (kim, *_) = load(str(path)).inventory.people
    assert kim.location == Location(str(path), 1, text.index('"kim.jh@acme.example"') + 1)


@pytest.mark.parametrize(("text", "native_file", "scim_file"), [
    ('{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "kim"}', False, True),
    ('{"schemas":["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",\n'
     '"urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "kim"}', False, True),
    ('{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": []}', False, True),
    ('[{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "ops"}]', False, True),
    ('{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []}', False, False),
    ('{"schemas": ["urn:scim:schemas:core:1.0"], "userName": "kim"}', False, False),  # SCIM 1.1
    ('policylint: 1\npeople: []\n', True, False),
    ('# "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]\nkind: Role\n', False, False),
])
def test_detection(text: str, native_file: bool, scim_file: bool) -> None:
    assert scim.detect("f.json", text) is scim_file
    assert SOURCES["native"].detect("f.json", text) is native_file


USER = '"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]'

NAMES = [
    ("displayName first",
     '"displayName": "Ji-hoon Kim", "name": {"formatted": "Mr. Ji-hoon Kim", "givenName": "Ji-hoon"}', "Ji-hoon Kim"),
    ("else name.formatted", '"displayName": "  ", "name": {"formatted": "Mr. Ji-hoon Kim", "givenName": "Ji-hoon"}',
     "Mr. Ji-hoon Kim"),
    ("else the given and family names", '"name": {"GivenName": "Ji-hoon", "familyName": "Kim"}', "Ji-hoon Kim"),
    ("a family name alone", '"name": {"familyName": "Kim"}', "Kim"),
    ("not text: left out, the person kept", '"displayName": 7, "name": "Kim"', None),
    ("none", '"nickName": "jh"', None),
]


@pytest.mark.parametrize(("case", "attributes", "expected"), NAMES, ids=[c for c, _, _ in NAMES])
def test_the_name_people_read(tmp_path: Path, case: str, attributes: str, expected: str | None) -> None:
    path = write(tmp_path, "users.json", '{' + USER + ',\n "userName": "kim.jh", "active": true, ' + attributes + '}')
    fragment = load(str(path))
    assert fragment.errors == []
    assert [(p.id, p.display_name, p.team) for p in fragment.inventory.people] == [("kim.jh", expected, None)]


LIST = '"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]'
UNKNOWN_ACTIVE = [
    ("a misspelt active", '"actve": false', "no active attribute (found 'actve'); counted as active"),
    ("another name for it", '"isActive": false', "no active attribute (found 'isActive'); counted as active"),
    ("null", '"active": null', "active is null; counted as active"),
    ("null, its name in capitals", '"Active": null', "Active is null; counted as active"),
    ("absent", '"nickName": "Kim"', "no active attribute; counted as active"),
]


@pytest.mark.parametrize(("case", "attribute", "said"), UNKNOWN_ACTIVE, ids=[c for c, _, _ in UNKNOWN_ACTIVE])
def test_a_user_whose_active_is_unknown_counts_as_active_and_says_so(tmp_path: Path, case: str, attribute: str,
                                                                     said: str) -> None:
    path = write(tmp_path, "users.json", '{' + USER + ',\n "userName": "kim",\n ' + attribute + '}')
    fragment = load(str(path))
    assert fragment.errors == []
    assert fragment.inventory.people == (Person("kim", Location(str(path), 2, 14), "active", contradictions=(said,)),)
BAD = [
    ("syntax", '{' + USER + ', "userName": "kim",\n}',
     "bad.json:2:1: error: expected valid JSON, found a syntax error (Expecting property name enclosed in double"
     " quotes)"),
    ("repeated key", '{' + USER + ',\n "active": true,\n "userName": "kim",\n "active": false}',
     "bad.json:4:2: error: duplicate key 'active' in a mapping (first at line 2); each key may appear once"),
    ("repeated key ignoring case", '{' + USER + ',\n "userName": "kim",\n "username": "lee"}',
     "bad.json:3:14: error: expected each attribute once (SCIM attribute names ignore case), found 'userName' and"
     " 'username'"),
    ("active as a string", '{' + USER + ',\n "userName": "kim",\n "active": "False"}',
     "bad.json:3:12: error: expected active, true or false, found the string 'False'"),
    ("no userName", '{' + USER + ',\n "active": false}',
     "bad.json:1:1: error: expected userName, a non-empty string, found null"),
    ("userName with a space", '{' + USER + ',\n "userName": "Kim Ji-hoon"}',
     "bad.json:2:14: error: expected userName without spaces, '*' or '#' (they cannot be policylint ids), found the"
     " string 'Kim Ji-hoon'"),
    ("emails not a list", '{' + USER + ',\n "userName": "kim",\n "emails": "kim@acme.example"}',
     "bad.json:3:12: error: expected emails, a list, found the string 'kim@acme.example'"),
    ("e-mail without value", '{' + USER + ',\n "userName": "kim",\n "emails": [{"value": "k@a.example"},\n'
     '   {"type": "work"}]}',
     "bad.json:4:4: error: expected the e-mail's value, a non-empty string, found null"),
    ("e-mail not a mapping", '{' + USER + ',\n "userName": "kim",\n "emails": ["kim@acme.example"]}',
     "bad.json:3:13: error: expected an e-mail, a mapping, found the string 'kim@acme.example'"),
    ("lastModified not a date", '{' + USER + ',\n "userName": "kim", "active": false,\n'
     ' "meta": {"lastModified": "last Tuesday"}}',
     "bad.json:3:27: error: expected meta.lastModified, an ISO 8601 date-time such as 2025-06-14T09:30:00Z, found"
     " the string 'last Tuesday'"),
    ("lastModified not a real date", '{' + USER + ',\n "userName": "kim", "active": false,\n'
     ' "meta": {"lastModified": "2025-02-30T00:00:00Z"}}',
     "bad.json:3:27: error: expected meta.lastModified, an ISO 8601 date-time such as 2025-06-14T09:30:00Z, found"
     " the string '2025-02-30T00:00:00Z'"),
    ("meta not a mapping", '{' + USER + ',\n "userName": "kim", "active": false,\n "meta": []}',
     "bad.json:3:10: error: expected meta, a mapping, found an empty list"),
    ("enterprise extension not a mapping", '{' + USER + ',\n "userName": "kim",\n'
     ' "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "0871"}',
     "bad.json:3:64: error: expected the enterprise extension, a mapping, found the string '0871'"),
    ("schemas not a list", '{"schemas": "urn:ietf:params:scim:schemas:core:2.0:User", "userName": "kim"}',
     "bad.json:1:13: error: expected schemas, a list of URNs, found the string"
     " 'urn:ietf:params:scim:schemas:core:2.0:User'"),
    ("resource of another type", '{' + LIST + ', "Resources": [\n {"schemas":'
     ' ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": "x"}]}',
     "bad.json:2:14: error: expected a SCIM User or Group, found the schemas"
     " ['urn:ietf:params:scim:schemas:core:2.0:schema']"),
    ("resource not a mapping", '{' + LIST + ', "Resources": [\n "kim"]}',
     "bad.json:2:2: error: expected a SCIM User or Group, a mapping, found the string 'kim'"),
    ("resource neither user nor group", '{' + LIST + ', "Resources": [\n {"id": "x"}]}',
     "bad.json:2:2: error: expected a SCIM User (with userName) or Group (with displayName), found neither"),
    ("Resources not a list", '{' + LIST + ',\n "Resources": {"userName": "kim"}}',
     "bad.json:2:15: error: expected Resources, a list, found a mapping"),
    ("not a mapping", '"urn:ietf:params:scim:schemas:core:2.0:User"',
     "bad.json:1:1: error: expected a SCIM resource or ListResponse, found the string"
     " 'urn:ietf:params:scim:schemas:core:2.0:User'"),
    ("group without displayName", '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],\n'
     ' "members": []}',
     "bad.json:1:1: error: expected displayName, a non-empty string, found null"),
    ("member without value", '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],\n'
     ' "displayName": "ops", "members": [\n  {"display": "Kim"}]}',
     "bad.json:3:3: error: expected the member's value, a SCIM id, found null"),
    ("id not a string", '{' + USER + ',\n "id": 7, "userName": "kim"}',
     "bad.json:2:8: error: expected id, a string, found the number 7"),
]


def errors_of(path: Path) -> list[str]:
    try:
        return [str(e) for e in load(str(path)).errors]
    except InputError as error:  # nothing in the file is usable
        return [str(error)]


@pytest.mark.parametrize(("case", "text", "message"), BAD, ids=[case for case, _, _ in BAD])
def test_bad_input_is_located(tmp_path: Path, case: str, text: str, message: str) -> None:
    path = write(tmp_path, "bad.json", text)
    assert errors_of(path) == [message.replace("bad.json", str(path))]


def test_bad_input_fails_the_run_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "users.json", '{' + USER + ',\n "userName": "kim",\n "active": "False"}')
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{path}:3:12: error: expected active, true or false, found the string 'False'" in result.out
    assert "Traceback" not in result.out + result.err


def test_a_bad_resource_is_dropped_and_the_others_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "users.json", '{' + LIST + ', "Resources": [\n'
                 ' {' + USER + ', "userName": "kim", "active": false},\n'
                 ' {' + USER + ', "userName": "lee", "active": "no"},\n'
                 ' {' + USER + ', "userName": "park"},\n'
                 ' {' + USER + ', "userName": "KIM", "active": true}]}')
    fragment = load(str(path))
    assert [(p.id, p.status) for p in fragment.inventory.people] == [("kim", "departed"), ("park", "active")]
    assert [str(e) for e in fragment.errors] == [
        f"{path}:3:91: error: expected active, true or false, found the string 'no'",
        f"{path}:5:74: error: expected each user name once in the file, found 'KIM' again (first at line 2)",
    ]


def test_repeated_scim_ids_and_group_names_name_the_first(tmp_path: Path) -> None:
    group = '"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]'
    path = write(tmp_path, "export.json", '{' + LIST + ', "Resources": [\n'
                 ' {' + USER + ', "id": "a1", "userName": "kim"},\n'
                 ' {' + USER + ', "id": "a1", "userName": "lee"},\n'
                 ' {' + group + ', "displayName": "ops"},\n'
                 ' {' + group + ', "displayName": "ops"}]}')
    fragment = load(str(path))
    assert [p.id for p in fragment.inventory.people] == ["kim"]
    assert [g.id for g in fragment.inventory.groups] == ["scim:group:ops"]
    assert [str(e) for e in fragment.errors] == [
        f"{path}:3:68: error: expected each SCIM id once in the file, found 'a1' again (first at line 2)",
        f"{path}:5:78: error: expected each group displayName once in the file, found 'scim:group:ops' again"
        " (first at line 4)",
    ]


def test_group_ids_encode_what_ids_cannot_hold() -> None:
    assert scim.group_id("Tour Guides") == "scim:group:Tour%20Guides"
    assert scim.group_id("50%*#\tops") == "scim:group:50%25%2A%23%09ops"


def test_a_credential_held_by_a_person_scim_says_left_is_pl101(tmp_path: Path) -> None:
    write(tmp_path, "roster.json", (FIXTURES / "users.json").read_text(encoding="utf-8"))
    write(tmp_path, "org.yaml", """
        policylint: 1
        principals:
          - {id: order-sync, type: service, owner: lee.sy@acme.example}
        credentials:
          - {id: ak-7731, type: access_key, principal: order-sync, holders: [kim.jh@acme.example],
             status: active, created: 2025-12-01, last_used: 2025-12-30}
        """)
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01", "--select", "PL101")
    assert result.code == 1, result.out + result.err
    assert result.out.splitlines()[0] == (
        f"{tmp_path / 'org.yaml'}:5:5: CRITICAL PL101 access_key ak-7731 is active but held by"
        " kim.jh@acme.example (departed 2025-06-15 per meta.lastModified)")


def test_the_people_of_a_roster_are_in_the_merged_inventory(tmp_path: Path) -> None:
    write(tmp_path, "roster.json", (FIXTURES / "users.json").read_text(encoding="utf-8"))
    loaded = load_paths([str(tmp_path)])
    assert loaded.errors == []
    assert [p.id for p in loaded.inventory.people] == [
        "kim.jh@acme.example", "lee.sy@acme.example", "amina.okafor", "omar.haddad@acme.example"]
    assert [g.id for g in loaded.inventory.groups] == ["scim:group:auth-platform", "scim:group:Payments%20On-Call"]
