"""Every bad input gets a located "expected … found …" message and exit 2; never a traceback; never a pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run_cli, write

GOOD = """
policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14}
credentials:
  - {id: ak-1, type: access_key, principal: kim.jh, status: active, created: 2025-12-01, last_used: 2025-12-30}
"""

BIG_BOMB = "policylint: 1\n" + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

CASES = [
    ("syntax", "policylint: 1\npeople:\n  - {id: kim, status: active\n", "bad.yaml:4:1: error: invalid YAML"),
    ("duplicate key", "policylint: 1\npeople:\n  - id: kim\n    status: active\n    status: departed\n",
     "bad.yaml:5:5: error: duplicate key 'status' in a mapping (first at line 4)"),
    ("unknown key", "policylint: 1\npeople:\n  - {id: kim, staus: active}\n",
     "bad.yaml:3:15: error: unknown key 'staus' (at people[0]); did you mean 'status'?"),
    ("unknown section", "policylint: 1\nprincipels: []\n",
     "bad.yaml:2:1: error: unknown key 'principels'; did you mean 'principals'?"),
    ("wrong type", "policylint: 1\ngroups:\n  - {id: team, members: kim}\n",
     "bad.yaml:3:25: error: expected a list, found the string 'kim' (at groups[0].members)"),
    ("bad enum", "policylint: 1\npeople:\n  - {id: kim, status: gone}\n",
     "bad.yaml:3:23: error: expected one of 'active', 'departed', 'suspended', 'leave', found the string 'gone'"),
    ("invalid date", "policylint: 1\npeople:\n  - {id: kim, status: departed, departed: 2025-02-30}\n",
     "bad.yaml:3:43: error: expected a real date YYYY-MM-DD, found '2025-02-30'"),
    ("date shape", "policylint: 1\npeople:\n  - {id: kim, status: departed, departed: 14/06/2025}\n",
     "bad.yaml:3:43: error: expected an ISO date, YYYY-MM-DD, found the string '14/06/2025'"),
    ("python tag", "policylint: 1\npeople: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
     "bad.yaml:2:9: error: unsupported tag !!python/object/apply:os.system"),
    ("alias bomb", BIG_BOMB, "bad.yaml:8:8: error: expected aliases to expand to at most 1,000,000 nodes"),
    ("not native", "kind: Deployment\n", "bad.yaml:1:1: error: expected an inventory file (native, "),
    ("missing version", "policylint: 2\n", "bad.yaml:1:13: error: expected 1, found the number 2"),
    ("two documents", "policylint: 1\n---\npeople: []\n", "bad.yaml:1:1: error: expected one YAML document, found 2"),
    ("empty native", "policylint:\n", "bad.yaml:1:12: error: expected 1, found null"),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_named_explicitly(tmp_path: Path, name: str, text: str, message: str) -> None:
    bad = write(tmp_path, "bad.yaml", text)
    result = run_cli("check", str(bad), "--as-of", "2026-01-01")
    assert result.code == 2, result.out + result.err
    assert f"{tmp_path}/{message}" in result.out, result.out
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("invalid utf-8", b"policylint: 1\npeople:\n  - {id: caf\xe9, status: active}\n",
         "bad.yaml:3:13: error: expected UTF-8 text, found the invalid byte 0xe9"),
        ("binary", b"\x7fELF\x02\x01\x01\x00\x00policylint: 1", "bad.yaml:1:1: error: expected a UTF-8 text file, "
         "found binary content"),
    ],
)
def test_undecodable_file(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(data)
    result = run_cli("check", str(bad))
    assert result.code == 2
    assert f"{bad.parent}/{message}" in result.out


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "policylint: 1\nx: " + "[" * 20_000 + "]" * 20_000 + "\n")
    result = run_cli("check", str(bad))
    assert result.code == 2
    # our limit (100 levels), or libyaml's own (1,000) when its scanner reads that far ahead first
    assert f"{bad}:2:" in result.out and "nesting" in result.out


def test_nothing_is_executed_by_a_python_tag(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    bad = write(tmp_path, "bad.yaml", f"policylint: 1\npeople: !!python/object/apply:os.system ['touch {marker}']\n")
    assert run_cli("check", str(bad)).code == 2
    assert not marker.exists()


def test_same_id_in_two_files_names_both(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "policylint: 1\npeople:\n  - {id: kim, status: active}\n")
    write(tmp_path, "b.yaml", "policylint: 1\nprincipals:\n  - {id: kim, type: service}\n")
    result = run_cli("check", str(tmp_path))
    assert result.code == 2
    assert (f"{tmp_path}/b.yaml:3:5: error: expected each id once in the inventory, found 'kim' again "
            f"(a person first defined at {tmp_path}/a.yaml:3:5)") in result.out


def test_a_grant_with_nothing_defined_on_either_side_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", """
        policylint: 1
        grants:
          - {to: "*", resource: no-such-db, actions: [read]}
        """)
    result = run_cli("check", str(path))
    assert result.code == 2
    assert (f"{path}:3:5: error: expected the grant's resource to be defined, found 'no-such-db' defined nowhere"
            " (granted to '*', which is no node either)") in result.out


def test_missing_path(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nope.yaml"))
    assert result.code == 2
    assert f"{tmp_path}/nope.yaml:1:1: error: expected a file or folder, found no such path" in result.out


def test_broken_file_never_hides_the_findings_of_a_good_one(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "broken.yaml", "policylint: 1\npeople:\n  - {id: lee, status: active\n")
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 2  # fail closed: findings shown, but the run does not pass
    assert f"{tmp_path}/broken.yaml:4:1: error: invalid YAML" in result.out
    assert f"{tmp_path}/good.yaml:5:5: CRITICAL PL101" in result.out


def test_invalid_entity_is_dropped_but_the_rest_of_its_file_is_checked(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", GOOD + "  - {id: ak-2, type: access_key, principal: kim.jh, status: sideways}\n")
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01", "--format", "json")
    assert result.code == 2
    assert '"rule": "PL101"' in result.out and "sideways" in result.out


def test_walking_a_folder_skips_files_of_other_formats(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "deploy/values.yaml", "replicas: {{ .Values.n }}\n")  # a Helm template: not ours
    (tmp_path / "logo.yaml").write_bytes(b"\x89PNG\x00\x00")
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 1, result.out
    assert "error" not in result.out


def test_a_folder_without_inventory_files_does_not_pass(tmp_path: Path) -> None:
    write(tmp_path, "deploy.yaml", "kind: Deployment\n")
    result = run_cli("check", str(tmp_path))
    assert result.code == 2
    assert f"{tmp_path}:1:1: error: expected inventory files here, found none" in result.out


def test_bad_as_of_is_a_usage_error() -> None:
    result = run_cli("check", "--as-of", "yesterday")
    assert result.code == 2
    assert "Invalid value for '--as-of'" in result.err


def test_a_walked_native_file_that_is_not_utf8_fails_closed(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD)
    (tmp_path / "latin1.yaml").write_bytes(b"policylint: 1\n# owner: Jos\xe9\npeople: []\n")
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{tmp_path}/latin1.yaml:2:13: error: expected UTF-8 text, found the invalid byte 0xe9" in result.out


@pytest.mark.parametrize("header", ['"policylint": 1', "'policylint': 1"])
def test_quoted_markers_are_native(tmp_path: Path, header: str) -> None:
    write(tmp_path, "org.yaml", GOOD.replace("policylint: 1", header))
    assert "CRITICAL PL101" in run_cli("check", str(tmp_path), "--as-of", "2026-01-01").out


def test_flow_style_files_are_native(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", "{policylint: 1, people: [{id: kim, status: departed}],\n"
                                " credentials: [{id: ak, type: access_key, principal: kim, status: active}]}\n")
    assert "CRITICAL PL101" in run_cli("check", str(tmp_path), "--as-of", "2026-01-01").out


def test_a_second_merge_key_is_a_duplicate(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", """
        policylint: 1
        people:
          - <<: {status: active}
            <<: {status: departed, departed: 2025-01-01}
            id: kim
        """)
    result = run_cli("check", str(bad))
    assert result.code == 2
    assert f"{bad}:4:5: error: duplicate merge key '<<'" in result.out


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("  - {id: db, type: database, records: 0x_}", "expected an integer, found the string '0x_'"),
        ("  - {id: db, type: database, records: " + "9" * 5000 + "}",
         "expected a number of at most 30 digits (quote it to keep it as text), found one of 5,000 digits"),
        ("  - {id: db, type: database, records: 1.0e+300}", "expected maximum 1000000000000"),
        ('  - {id: "db\\n", type: database}', "expected an identifier, unique across the inventory"),
        ("  - {id: db, type: database, description: \"a\x07b\"}", "found the control character #x0007"),
    ],
    ids=["bad hex", "huge int", "huge float", "id with newline", "control character"],
)
def test_hostile_scalars_are_located_errors(tmp_path: Path, line: str, message: str) -> None:
    bad = write(tmp_path, "bad.yaml", "policylint: 1\nresources:\n" + line + "\n")
    result = run_cli("check", str(bad))
    assert result.code == 2, result.out + result.err
    assert f"{bad}:3:" in result.out and message in result.out, result.out


def test_secrets_in_any_error_are_redacted(tmp_path: Path) -> None:
    token = "ghp_" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNb"
    bad = write(tmp_path, "bad.yaml", f"""
        policylint: 1
        people:
          - {{id: kim, status: departed, departed: {{secret: "{token}"}}}}
          - {{id: lee, status: active, {token}: 1}}
        resources:
          - {{id: db, type: database, records: !!int "{token}"}}
        """)
    result = run_cli("check", str(bad), "--format", "json")
    assert result.code == 2
    assert token not in result.out + result.err


def test_the_same_file_twice_is_read_once(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    result = run_cli("check", str(good), str(good), str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 1
    assert "error" not in result.out


def test_a_bug_in_one_source_is_exit_3_on_that_file_and_the_others_still_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policylint.sources import kubernetes

    def broken(path: str, text: str, options: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(kubernetes, "load", broken)
    write(tmp_path, "rbac.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n")
    write(tmp_path, "org.yaml", """
        policylint: 1
        people: [{id: kim, status: departed, departed: 2025-01-01}]
        principals: [{id: svc, type: service, owner: kim}]
    """)
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 3
    assert f"{tmp_path / 'rbac.yaml'}:1:1: error: internal error while reading this file as kubernetes (KeyError" \
        in result.out
    assert "PL103" in result.out and "Traceback" not in result.out + result.err


def test_a_walked_file_with_a_bad_byte_that_a_source_recognises_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "rbac.yaml").write_bytes(b"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: caf\xe9}\n")
    write(tmp_path, "org.yaml", "policylint: 1\npeople: [{id: kim, status: active}]\n")
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{tmp_path / 'rbac.yaml'}:3:21: error: expected UTF-8 text, found the invalid byte 0xe9" in result.out
    (tmp_path / "notes.yaml").write_bytes(b"just: some \xe9 notes\n")  # nothing of ours: skipped, as before
    assert f"{tmp_path / 'notes.yaml'}" not in run_cli("check", str(tmp_path), "--as-of", "2026-01-01").out


def test_utf16_exports_are_read(tmp_path: Path) -> None:
    text = "policylint: 1\npeople: [{id: kim, status: departed, departed: 2025-01-01}]\n" \
           "principals: [{id: svc, type: service, owner: kim}]\n"
    (tmp_path / "org.yaml").write_bytes(text.encode("utf-16"))  # with its BOM, as PowerShell's `>` writes
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 1 and "org.yaml:3:14: HIGH PL103" in result.out
