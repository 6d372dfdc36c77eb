"""The CSV roster source: default and configured columns, statuses, dates, row lines, detection, bad input."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from policylint.errors import InputError
from policylint.model import Location, Person
from policylint.sources import SOURCES, Fragment, Options
from policylint.sources.hr import roster_csv

from helpers import CORPUS, REPO, run_cli, write

FIXTURES = REPO / "tests" / "sources" / "fixtures" / "roster_csv"
HRIS_COLUMNS = {"id": "Associate", "email": "Contact", "status": "Employment", "departed": "Left On"}


def load(path: Path, **columns: str) -> Fragment:
    text = path.read_bytes().decode("utf-8")  # as the loader reads it: line endings kept
    return roster_csv.load(str(path), text, Options(roster_columns=columns))


def test_default_columns() -> None:
    path = FIXTURES / "roster.csv"
    fragment = load(path)
    assert fragment.errors == []
    at = str(path)
    assert fragment.inventory.people == (
        Person("kim.jh", Location(at, 2, 1), "departed", date(2025, 6, 14), ("kim.jh@acme.example",), ("E-0871",),
               display_name="Kim, Ji-hoon", team="Platform"),
        # the row above has a quoted cell over two lines: this row starts on line 4
        Person("lee.sy", Location(at, 4, 1), "suspended", None, ("lee.sy@acme.example",), ("E-0932",),
               display_name="Lee, Seo-yeon", team="Payments"),
        Person("amina.okafor", Location(at, 5, 1), "active", None, ("Amina.Okafor@acme.example",), ("E-1001",),
               display_name="Amina Okafor", team="Platform"),
        Person("omar.haddad", Location(at, 6, 1), "leave", None, ("omar.haddad@acme.example",), ("E-1010",),
               display_name="Omar Haddad", team="Support"),
        # line 7 is blank; a blank status with a termination date is departed
        Person("jonas.berg", Location(at, 8, 1), "departed", date(2025, 12, 31), ("jonas.berg@acme.example",),
               ("E-0412",), display_name="Jonas Berg", team="Data"),
        Person("sofia.rossi", Location(at, 9, 1), "departed", date(2025, 11, 25), ("sofia.rossi@acme.example",),
               ("E-0600",), display_name="Sofia Rossi", team="Finance"),
        Person("li.wei", Location(at, 10, 1), "active", None, ("li.wei@acme.example",), ("E-0601",),
               display_name="Wei Li", team="Finance"),
    )


def test_configured_columns_and_semicolons() -> None:
    path = FIXTURES / "hris-roster.csv"
    fragment = load(path, **HRIS_COLUMNS)
    assert fragment.errors == []
    assert [(p.id, p.status, p.departed, p.emails, p.location.line) for p in fragment.inventory.people] == [
        ("kim.jh", "departed", date(2025, 6, 14), ("kim.jh@acme.example",), 2),
        ("lee.sy", "active", None, ("lee.sy@acme.example",), 3),
        ("park.ms", "leave", None, ("park.ms@acme.example",), 4),
    ]


def test_configured_name_and_team_columns_and_blank_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", """
        Login,Status,Preferred,Legal Name,Org Unit
        kim.jh,Terminated,JH Kim,Kim Ji-hoon,Platform
        lee.sy,Active,,Lee Seo-yeon,
        """)
    fragment = load(path, name="Preferred", team="Org Unit")
    assert fragment.errors == []
    assert [(p.id, p.display_name, p.team) for p in fragment.inventory.people] == [
        ("kim.jh", "JH Kim", "Platform"), ("lee.sy", None, None)]  # only the configured column: no guess


def test_the_first_name_column_with_a_name_in_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", """
        username,status,display name,full name,dept
        kim.jh,terminated,,Kim Ji-hoon,Platform
        """)
    assert [(p.display_name, p.team) for p in load(path).inventory.people] == [("Kim Ji-hoon", "Platform")]


def test_configured_columns_through_the_configuration_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "inventory/hris-roster.csv", (FIXTURES / "hris-roster.csv").read_text(encoding="utf-8"))
    write(tmp_path, "inventory/org.yaml", """
        policylint: 1
        credentials:
          - {id: ak-1, type: access_key, principal: kim.jh, status: active, created: 2025-12-01,
             last_used: 2025-12-30}
        """)
    write(tmp_path, ".policylint.yaml", """
        roster-columns: {id: Associate, email: Contact, status: Employment, departed: Left On}
        """)
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "inventory", "--as-of", "2026-01-01", "--select", "PL101")
    assert result.code == 1, result.out + result.err
    assert result.out.splitlines()[0] == (
        f"{Path('inventory') / 'org.yaml'}:3:5: CRITICAL PL101 access_key ak-1 is active but held by kim.jh"
        " (departed 2025-06-14)")


def test_without_an_id_column_the_first_email_is_the_id(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "Mail,Status,End Date\nKim.JH@acme.example,left,2025-06-14T23:30:00-02:00\n")
    (kim,) = load(path).inventory.people
    assert kim == Person("Kim.JH@acme.example", Location(str(path), 2, 1), "departed", date(2025, 6, 15),
                         ("Kim.JH@acme.example",))


@pytest.mark.parametrize(("status", "expected"), [
    ("Active", "active"), ("EMPLOYED", "active"), ("current", "active"), ("Terminated", "departed"),
    ("departed", "departed"), ("Left", "departed"), ("inactive", "departed"), ("offboarded", "departed"),
    ("Suspended", "suspended"), ("leave", "leave"), ("On Leave", "leave"), ("on_leave", "leave"),
    ("DEPROVISIONED", "departed"), ("LOCKED_OUT", "active"), ("Password Expired", "active"),
])
def test_status_words(tmp_path: Path, status: str, expected: str) -> None:
    path = write(tmp_path, "people.csv", f"username,email,status\nkim,kim@acme.example,{status}\n")
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.people[0].status == expected


def test_a_blank_status_without_a_date_counts_as_active_and_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "Username,Work Email,Employment Status,Termination Date\n"
                                         "kim,kim@acme.example, ,\n"
                                         "lee,lee@acme.example,,2025-06-14\n")
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.people == (
        Person("kim", Location(str(path), 2, 1), "active", None, ("kim@acme.example",),
               contradictions=("no status in 'Employment Status'; counted as active",)),
        # a blank status with a departure date is departed, as the date says: nothing is left unknown
        Person("lee", Location(str(path), 3, 1), "departed", date(2025, 6, 14), ("lee@acme.example",)),
    )


def test_every_departure_column_is_read_and_the_earliest_date_wins(tmp_path: Path) -> None:
    # an HRIS export with both columns: "Termination Date" is filled in by payroll later, "Last Day" by the manager
    path = write(tmp_path, "people.csv", "Username,Work Email,Employment Status,Termination Date,Last Day\n"
                                         "kim.jh,kim.jh@acme.example,Active,,2025-06-14\n"
                                         "lee.sy,lee.sy@acme.example,Terminated,2025-07-31,14 Jun 2025\n"
                                         "park.dw,park.dw@acme.example,Terminated,2025-03-31,2025-03-31\n"
                                         "cho.ej,cho.ej@acme.example,Active,,\n")
    fragment = load(path)
    assert fragment.errors == []
    at = str(path)
    assert fragment.inventory.people == (
        # a blank termination date does not hide the last day (the join then counts kim.jh as departed)
        Person("kim.jh", Location(at, 2, 1), "active", date(2025, 6, 14), ("kim.jh@acme.example",)),
        Person("lee.sy", Location(at, 3, 1), "departed", date(2025, 6, 14), ("lee.sy@acme.example",),
               contradictions=("the departure dates disagree ('Termination Date' says 2025-07-31; 'Last Day' says"
                               " 2025-06-14); counted from the earliest, 2025-06-14",)),
        Person("park.dw", Location(at, 4, 1), "departed", date(2025, 3, 31), ("park.dw@acme.example",)),
        Person("cho.ej", Location(at, 5, 1), "active", None, ("cho.ej@acme.example",)),
    )


def test_a_bad_date_in_a_second_departure_column_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "username,email,status,termination date,last day\n"
                                         "kim,kim@acme.example,left,2025-06-14,03/04/2025\n")
    fragment = load(path)
    assert fragment.inventory.people == ()
    assert [str(e) for e in fragment.errors] == [
        f"{path}:2:38: error: expected a date in 'last day' (YYYY-MM-DD, a month by name such as 14 Jun 2025, or a"
        " day and month that cannot be swapped), found the string '03/04/2025': the day and the month could be"
        " either way round"]


def test_a_leaver_dated_only_by_a_later_departure_column_holds_their_key_as_a_leaver(tmp_path: Path) -> None:
    write(tmp_path, "roster.csv", "email,status,last day,termination date\nkim@acme.example,active,2025-01-01,\n")
    write(tmp_path, "inventory.yaml", """
        policylint: 1
        principals:
          - {id: svc, type: service, owner: kim@acme.example}
        credentials:
          - {id: k1, type: access_key, principal: svc, holders: [kim@acme.example], status: active,
             created: 2026-03-01, last_used: 2026-03-20}
        """)
    run = run_cli("check", str(tmp_path), "--as-of", "2026-03-21", "--select", "PL101", "--select", "PL003")
    assert run.code == 1, run.out + run.err
    assert [line for line in run.out.splitlines() if " PL" in line] == [
        f"{tmp_path / 'inventory.yaml'}:5:5: CRITICAL PL101 access_key k1 is active but held by kim@acme.example"
        " (departed 2025-01-01 per the departure date; the roster says active)",
        f"{tmp_path / 'roster.csv'}:2:1: HIGH PL003 person kim@acme.example: departed 2025-01-01 (on or before"
        " 2026-03-21) but the roster says active; counted as departed",
    ]


@pytest.mark.parametrize(("written", "expected"), [
    ("2025-06-14", date(2025, 6, 14)),
    ("2025-06-14T09:30:00Z", date(2025, 6, 14)),
    ("2025-06-14 23:30:00", date(2025, 6, 14)),
    ("2025-06-14T23:30:00-05:00", date(2025, 6, 15)),
    ("2025/06/14", date(2025, 6, 14)),
    ("14/06/2025", date(2025, 6, 14)),
    ("06/14/2025", date(2025, 6, 14)),
    ("14.06.2025", date(2025, 6, 14)),
    ("06/06/2025", date(2025, 6, 6)),
    ("14 Jun 2025", date(2025, 6, 14)),
    ("14-Jun-2025", date(2025, 6, 14)),
    ("June 14, 2025", date(2025, 6, 14)),
    ("Sept 3, 2025", date(2025, 9, 3)),
])
def test_dates(tmp_path: Path, written: str, expected: date) -> None:
    path = write(tmp_path, "people.csv", f'username,email,status,termination date\nkim,k@a.example,left,"{written}"\n')
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.people[0].departed == expected


DATE_EXPECTED = ("expected a date in 'termination date' (YYYY-MM-DD, a month by name such as 14 Jun 2025, or a day"
                 " and month that cannot be swapped), found the string")
BAD_ROWS = [
    ("ambiguous date", "kim,k@a.example,left,03/04/2025",
     f"people.csv:2:22: error: {DATE_EXPECTED} '03/04/2025': the day and the month could be either way round"),
    ("no such day", "kim,k@a.example,left,2025-02-30", f"people.csv:2:22: error: {DATE_EXPECTED} '2025-02-30'"),
    ("two-digit year", "kim,k@a.example,left,6/14/25", f"people.csv:2:22: error: {DATE_EXPECTED} '6/14/25'"),
    ("not a month", "kim,k@a.example,left,14 Juin 2025", f"people.csv:2:22: error: {DATE_EXPECTED} '14 Juin 2025'"),
    ("unknown status", "kim,k@a.example,gone fishing,",
     "people.csv:2:17: error: expected a status in 'status' (active, departed, suspended, leave, or a word for"
     " one of them), found the string 'gone fishing'"),
    ("blank user name", ",k@a.example,active,",
     "people.csv:2:1: error: expected a user name in 'username', a non-empty string, found an empty string"),
    ("user name with a space", '"Kim Ji-hoon",k@a.example,active,',
     "people.csv:2:1: error: expected a user name in 'username' without spaces, '*' or '#' (they cannot be"
     " policylint ids), found the string 'Kim Ji-hoon'"),
    ("too few cells", "kim,k@a.example,active",
     "people.csv:2:1: error: expected 4 cells as in the header, found 3"),
    ("too many cells", "kim,k@a.example,active,,extra",
     "people.csv:2:1: error: expected 4 cells as in the header, found 5"),
    ("broken quoting", 'kim,"k@a.example"x,active,',
     "people.csv:2:1: error: expected a well-formed CSV row, found ',' expected after '\"'"),
]


@pytest.mark.parametrize(("case", "row", "message"), BAD_ROWS, ids=[case for case, _, _ in BAD_ROWS])
def test_bad_rows_are_located(tmp_path: Path, case: str, row: str, message: str) -> None:
    path = write(tmp_path, "people.csv", f"username,email,status,termination date\n{row}\n")
    result = run_cli("check", str(path), "--as-of", "2026-01-01")
    assert result.code == 2
    assert message.replace("people.csv", str(path)) in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_a_bad_row_is_dropped_and_the_others_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", 'username,email,status,notes\n'
                                         'kim,kim@a.example,left,"two\nlines"\n'
                                         'lee,lee@a.example,resting,\n'
                                         'park,park@a.example,active,\n'
                                         'KIM,kim2@a.example,active,\n')
    fragment = load(path)
    assert [(p.id, p.location.line) for p in fragment.inventory.people] == [("kim", 2), ("park", 5)]
    assert [str(e) for e in fragment.errors] == [
        f"{path}:4:19: error: expected a status in 'status' (active, departed, suspended, leave, or a word for one"
        " of them), found the string 'resting'",
        f"{path}:6:1: error: expected each user name once in the file, found 'KIM' again (first at line 2)",
    ]


def test_a_cell_error_after_a_multi_line_cell_is_on_the_right_line(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", 'username,notes,email,status\nkim,"one\r\ntwo",kim@a.example,nope\n')
    (error,) = load(path).errors
    assert error.location == Location(str(path), 3, 20)


BAD_HEADERS = [
    ("no status column", "username,email\nkim,k@a.example\n", {"id": "username"},
     "people.csv:1:1: error: expected a status column (status, employment status, employee status, user status,"
     " account status, okta user status), found the columns 'username', 'email'"),
    ("configured column missing", "username,email,status\nkim,k@a.example,active\n", {"departed": "Left On"},
     "people.csv:1:1: error: expected the column 'Left On' (roster_columns.departed), found the columns"
     " 'username', 'email', 'status'"),
    ("repeated column", "username,Email,status,E-Mail,email\nkim,a,active,b,c\n", {},
     "people.csv:1:1: error: expected each column once, found 'email' 2 times"),
    ("unknown field", "username,email,status\nkim,k@a.example,active\n", {"mail": "email"},
     "people.csv:1:1: error: expected roster_columns fields among id, email, status, departed, name, team,"
     " manager, found 'mail'"),
]


@pytest.mark.parametrize(("case", "text", "columns", "message"), BAD_HEADERS, ids=[c for c, _, _, _ in BAD_HEADERS])
def test_bad_headers_stop_the_file(tmp_path: Path, case: str, text: str, columns: dict[str, str],
                                   message: str) -> None:
    path = write(tmp_path, "people.csv", text)
    with pytest.raises(InputError) as raised:
        load(path, **columns)
    assert str(raised.value) == message.replace("people.csv", str(path))


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("people.csv", "Employee ID,Work Email,Employment Status\n", True),
    ("people.csv", "username;status\n", True),
    ("people.csv", "Login\tAccount Status\n", True),
    ("people.csv", "id,status,amount\n", False),  # an orders table: no e-mail or user name column
    ("people.csv", "email,name,address\n", False),  # no status column
    ("hris-roster.csv", "Associate;Contact;Employment\n", True),  # renamed columns: taken by its name
    ("hris-export.csv", "Associate;Contact;Employment\n", False),
    ("roster.yaml", "policylint: 1\n", False),
    ("report.csv", "user,arn,user_creation_time,password_enabled,status,email\n", False),
])
def test_detection(name: str, text: str, expected: bool) -> None:
    assert roster_csv.detect(name, text) is expected


def test_the_credential_report_of_the_corpus_is_not_a_roster() -> None:
    for path in (CORPUS / "aws-credential-report").glob("*.csv"):
        assert roster_csv.detect(str(path), path.read_text(encoding="utf-8")) is False


def test_fixtures_are_detected_as_rosters_and_by_nothing_else() -> None:
    for path in FIXTURES.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert [name for name, source in SOURCES.items() if source.detect(str(path), text)] == ["roster-csv"]
