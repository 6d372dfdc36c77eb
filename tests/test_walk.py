"""Every walked file is accounted for, and files are read safely (issues 8 and 9).

Each odd shape users really produce ends in a finding or a located error, never a pass: the file holds a critical
finding (PL101: a departed person's active key; PL109: the root account's access key) and the run says so.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from policylint.inventory import load_paths
from policylint.sources import Options
from policylint.walk import EXCLUDED, NOT_ACCESS_CONTROL, NOT_DATA, Skipped

from helpers import run_cli, write

ORG = {  # a departed engineer's active key: CRITICAL PL101
    "policylint": 1,
    "people": [{"id": "kim.jh", "status": "departed", "departed": "2025-06-14"}],
    "credentials": [{"id": "ak-1", "type": "access_key", "principal": "kim.jh", "status": "active",
                     "created": "2025-12-01", "last_used": "2025-12-30"}],
}
ORG_YAML = """
policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14}
credentials:
  - {id: ak-1, type: access_key, principal: kim.jh, status: active, created: 2025-12-01, last_used: 2025-12-30}
"""
PL101 = "CRITICAL PL101 access_key ak-1 is active but held by kim.jh"


def check(*paths: Path | str, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    result = run_cli("check", *map(str, paths), "--as-of", "2026-01-01", "--fail-on", "critical", *extra)
    assert "Traceback" not in result.out + result.err
    return result.code, result.out


# -- issue 8, point 5: the silent skips, each now a finding or a located error ---------------------------------------

@pytest.mark.parametrize("key", ["policylnt", "policy-lint", "Policylint", "policylint_", "plicylint"])
def test_a_misspelt_marker_is_a_located_error(tmp_path: Path, key: str) -> None:
    write(tmp_path, "org.yaml", ORG_YAML.replace("policylint: 1", f"{key}: 1"))
    code, out = check(tmp_path)
    assert code == 2
    assert (f"{tmp_path / 'org.yaml'}:1:1: error: expected the marker 'policylint: 1' at the top level, found "
            f"{key!r}, a misspelling of it") in out


def test_a_misspelt_marker_in_json_is_located_on_its_line(tmp_path: Path) -> None:
    (tmp_path / "org.json").write_text(json.dumps({**{"policylnt": 1}, **{k: v for k, v in ORG.items()
                                                                         if k != "policylint"}}, indent=2))
    code, out = check(tmp_path)
    assert code == 2
    assert f"{tmp_path / 'org.json'}:2:3: error: expected the marker 'policylint: 1' at the top level, found " \
           "'policylnt', a misspelling of it" in out


def test_native_sections_without_the_marker_are_a_located_error(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", ORG_YAML.replace("policylint: 1\n", ""))
    code, out = check(tmp_path)
    assert code == 2
    assert (f"{tmp_path / 'org.yaml'}:1:1: error: expected 'policylint: 1' at the top level of a file with native "
            "sections (credentials, people), found no marker") in out


@pytest.mark.parametrize("case", ["indent=2", "indent=4, marker last", "one line, marker last", "sorted keys"])
def test_native_json_in_any_layout_is_read(tmp_path: Path, case: str) -> None:
    org = ORG if "last" not in case else {**{k: v for k, v in ORG.items() if k != "policylint"}, "policylint": 1}
    indent = {"indent=2": 2, "indent=4, marker last": 4}.get(case)
    (tmp_path / "org.json").write_text(json.dumps(org, indent=indent, sort_keys=case == "sorted keys"))
    code, out = check(tmp_path)
    assert code == 1 and PL101 in out, out


@pytest.mark.parametrize("name", ["Org.YAML", "ORG.YML", "org.Json", "People.CSV"])
def test_suffixes_in_any_case_are_read(tmp_path: Path, name: str) -> None:
    if name.lower().endswith(".json"):
        (tmp_path / name).write_text(json.dumps(ORG))
        expected = PL101
    elif name.lower().endswith(".csv"):  # a roster that says kim left, beside the key in a native file
        write(tmp_path, name, "username,status,termination date\nkim.jh,terminated,2025-06-14\n")
        write(tmp_path, "keys.yaml", ORG_YAML.replace("people:\n  - {id: kim.jh, status: departed, departed: "
                                                      "2025-06-14}\n", ""))
        expected = PL101
    else:
        write(tmp_path, name, ORG_YAML)
        expected = PL101
    code, out = check(tmp_path)
    assert code == 1 and expected in out, out


def test_a_folder_linked_inside_the_walked_folder_is_read(tmp_path: Path) -> None:
    # exports kept in a hidden folder, the current one linked: the walk follows the link
    write(tmp_path, "inventory/.exports/2026-11/org.yaml", ORG_YAML)
    (tmp_path / "inventory/current").symlink_to(".exports/2026-11")
    code, out = check(tmp_path / "inventory")
    assert code == 1 and f"{tmp_path / 'inventory/current/org.yaml'}:5:5: {PL101}" in out, out


def test_a_folder_linked_out_of_the_walked_folder_is_a_located_error(tmp_path: Path) -> None:
    write(tmp_path, "elsewhere/org.yaml", ORG_YAML)
    write(tmp_path, "inventory/people.yaml", "policylint: 1\npeople: [{id: lee.sy, status: active}]\n")
    (tmp_path / "inventory/elsewhere").symlink_to("../elsewhere")
    code, out = check(tmp_path / "inventory")
    assert code == 2
    assert (f"{tmp_path / 'inventory/elsewhere'}:1:1: error: expected a folder inside {tmp_path / 'inventory'}, found "
            f"a symbolic link to {tmp_path / 'elsewhere'}, outside it (not read)") in out


def test_a_folder_link_loop_ends_and_each_file_is_read_once(tmp_path: Path) -> None:
    write(tmp_path, "inventory/org.yaml", ORG_YAML)
    (tmp_path / "inventory/again").symlink_to(".")
    (tmp_path / "inventory/team").mkdir()
    (tmp_path / "inventory/team/up").symlink_to("..")
    loaded = load_paths([str(tmp_path / "inventory")])
    assert loaded.files == [str(tmp_path / "inventory/org.yaml")] and loaded.errors == []


def test_a_file_linked_inside_the_walked_folder_is_read_once(tmp_path: Path) -> None:
    write(tmp_path, "inventory/hr/org.yaml", ORG_YAML)
    (tmp_path / "inventory/org.yaml").symlink_to("hr/org.yaml")
    loaded = load_paths([str(tmp_path / "inventory")])
    assert loaded.files == [str(tmp_path / "inventory/hr/org.yaml")] and loaded.errors == []


REPORT_HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
                 "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
                 "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
                 "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
                 "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
                 "cert_2_active,cert_2_last_rotated")
ROOT_ROW = ("<root_account>,arn:aws:iam::123456789012:root,2018-04-10T11:22:33+00:00,not_supported,"
            "2025-09-14T06:10:00+00:00,not_supported,not_supported,true,true,2019-01-01T00:00:00+00:00,"
            "2025-12-20T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")
PL109 = "CRITICAL PL109"


def _spreadsheet(line: str, delimiter: str = ",", upper: bool = False) -> str:
    """A line as a spreadsheet saves it: every field quoted, names as typed."""
    cells = line.split(",")
    return delimiter.join(f'"{c.upper() if upper else c}"' for c in cells)


@pytest.mark.parametrize("case", ["as exported", "every field quoted", "a leading blank line",
                                  "header upper case with spaces, BOM and CRLF"])
def test_a_credential_report_resaved_by_a_spreadsheet_is_read(tmp_path: Path, case: str) -> None:
    header, row = REPORT_HEADER, ROOT_ROW
    if case != "as exported":
        header, row = _spreadsheet(header, upper="upper" in case), _spreadsheet(row)
    if "spaces" in case:
        header = header.replace('","', '" , "')
    text = ("\n" if "blank" in case else "") + header + "\n" + row + "\n"
    if "CRLF" in case:
        text = "\ufeff" + text.replace("\n", "\r\n")
    (tmp_path / "credential-report.csv").write_bytes(text.encode())
    code, out = check(tmp_path)
    assert code == 1 and PL109 in out, out
    line = 3 if "blank" in case else 2
    assert f"{tmp_path / 'credential-report.csv'}:{line}:" in out


@pytest.mark.parametrize(("delimiter", "named"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_credential_report_with_another_delimiter_is_a_located_error(tmp_path: Path, delimiter: str,
                                                                       named: str) -> None:
    text = "\n" + _spreadsheet(REPORT_HEADER, delimiter) + "\n" + _spreadsheet(ROOT_ROW, delimiter) + "\n"
    (tmp_path / "credential-report.csv").write_text(text)
    code, out = check(tmp_path)
    assert code == 2
    assert (f"{tmp_path / 'credential-report.csv'}:2:1: error: expected the credential report's columns separated "
            f"by commas, found them separated by {named} (export it again, or save it as comma-separated CSV)") in out


KIM_KEY = """
policylint: 1
credentials:
  - {id: ak-1, type: access_key, principal: kim.jh, status: active, created: 2025-12-01, last_used: 2025-12-30}
"""


@pytest.mark.slow  # a SCIM export of a few thousand users, read whole
def test_a_scim_export_with_sorted_keys_and_schemas_past_64_kb_is_read(tmp_path: Path) -> None:
    groups = [{"display": f"team-{n:05}", "value": f"{n:08x}-0000-4000-8000-000000000000"} for n in range(1500)]
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "kim.jh", "active": False,
            "groups": groups, "id": "5b1a6f6e", "meta": {"lastModified": "2025-06-14T09:00:00Z"}}
    text = json.dumps(user, indent=2, sort_keys=True)
    assert text.index('"schemas"') > 65536
    (tmp_path / "scim-users.json").write_text(text)
    write(tmp_path, "keys.yaml", KIM_KEY)
    code, out = check(tmp_path)
    assert code == 1 and PL101 in out, out


def test_an_okta_export_whose_first_user_is_past_64_kb_is_read(tmp_path: Path) -> None:
    padding = {f"custom{n:05}": "x" * 20 for n in range(3000)}
    user = {"_links": {"self": {"href": "https://acme.okta.com/api/v1/users/00u1"}}, "id": "00u1",
            "profile": {**padding, "email": "kim.jh@acme.example", "login": "kim.jh"},
            "status": "DEPROVISIONED", "statusChanged": "2025-06-14T09:00:00.000Z"}
    text = json.dumps([user], indent=2, sort_keys=True)
    assert text.index('"status"') > 65536
    (tmp_path / "okta-users.json").write_text(text)
    write(tmp_path, "keys.yaml", KIM_KEY)
    code, out = check(tmp_path)
    assert code == 1 and PL101 in out, out


# -- every walked file is accounted for ------------------------------------------------------------------------------

def test_each_walked_file_is_read_or_skipped_with_its_reason(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", ORG_YAML)
    write(tmp_path, "README.md", "# inventory\n")
    write(tmp_path, "deploy/values.yaml", "replicas: 2\n")
    write(tmp_path, "alerts/rules.yaml", "groups:\n  - name: api\n    rules: []\n")  # Prometheus: not ours
    write(tmp_path, "fixtures/old.yaml", ORG_YAML)
    write(tmp_path, ".git/config.yaml", "x: 1\n")  # hidden folders are not walked, nor counted
    write(tmp_path, ".policylint.yaml", "exclude: [fixtures]\n")  # nor hidden files
    loaded = load_paths([str(tmp_path)], exclude=("fixtures",), root=str(tmp_path))
    assert loaded.errors == [] and loaded.files == [str(tmp_path / "org.yaml")]
    assert loaded.skipped == (
        Skipped(str(tmp_path / "README.md"), NOT_DATA),
        Skipped(str(tmp_path / "alerts/rules.yaml"), NOT_ACCESS_CONTROL),
        Skipped(str(tmp_path / "deploy/values.yaml"), NOT_ACCESS_CONTROL),
        Skipped(str(tmp_path / "fixtures/old.yaml"), EXCLUDED),
    )


def test_a_file_two_formats_claim_is_a_located_error(tmp_path: Path) -> None:
    write(tmp_path, "both.yaml", "policylint: 1\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci}\n")
    loaded = load_paths([str(tmp_path)])
    assert [str(e) for e in loaded.errors] == [
        f"{tmp_path / 'both.yaml'}:1:1: error: expected one format to claim this file, found several: kubernetes, "
        "native"]


# -- issue 9: reading files safely -----------------------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_walked_fifo_is_a_located_error_and_never_blocks(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", ORG_YAML)
    os.mkfifo(tmp_path / "pipe.yaml")
    code, out = check(tmp_path)
    assert code == 2 and PL101 in out
    assert f"{tmp_path / 'pipe.yaml'}:1:1: error: expected a regular file, found a named pipe (FIFO) (not read)" in out
    code, out = check(tmp_path / "pipe.yaml")
    assert code == 2 and "found a named pipe (FIFO)" in out


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX") or not Path("/dev/zero").exists(), reason="POSIX only")
def test_a_socket_and_a_device_are_located_errors(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "agent.json"))
        loaded = load_paths([str(tmp_path), "/dev/zero"])
    assert [str(e) for e in loaded.errors] == [
        "/dev/zero:1:1: error: expected a regular file, found a character device (not read)",
        f"{tmp_path / 'agent.json'}:1:1: error: expected a regular file, found a socket (not read)",
    ]


@pytest.mark.parametrize("target", ["/dev/zero", "{outside}/.git-credentials", "{outside}/.env"])
def test_a_link_out_of_the_walked_folder_is_a_located_error_and_is_not_read(tmp_path: Path, target: str) -> None:
    outside = tmp_path / "home"
    write(outside, ".git-credentials", "https://kim:ghp_0123456789abcdefghijklmnopqrstuvwxyzAB@github.com\n")
    write(outside, ".env", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    write(tmp_path, "inventory/org.yaml", ORG_YAML)
    link = tmp_path / "inventory/roster.csv"
    link.symlink_to(target.format(outside=outside))
    code, out = check(tmp_path / "inventory")
    assert code == 2 and PL101 in out
    assert (f"{link}:1:1: error: expected a file inside {tmp_path / 'inventory'}, found a symbolic link to "
            f"{Path(os.path.realpath(link))}, outside it (not read)") in out
    assert "ghp_" not in out and "wJalr" not in out


def test_a_named_link_out_of_the_working_directory_is_a_located_error(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "home/secrets.yaml", "token: hunter2\n")
    write(tmp_path, "repo/org.yaml", ORG_YAML)
    (tmp_path / "repo/people.yaml").symlink_to("../home/secrets.yaml")
    (tmp_path / "repo/current.yaml").symlink_to("org.yaml")
    monkeypatch.chdir(tmp_path / "repo")
    loaded = load_paths(["people.yaml", "current.yaml"])
    assert [str(e) for e in loaded.errors] == [
        f"people.yaml:1:1: error: expected a file inside {tmp_path / 'repo'}, found a symbolic link to "
        f"{tmp_path / 'home/secrets.yaml'}, outside it (not read)"]
    assert loaded.files == ["current.yaml"]


def test_a_file_past_the_size_cap_is_a_located_error(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", ORG_YAML)
    write(tmp_path, "big.yaml", ORG_YAML.replace("kim.jh", "lee.sy").replace("ak-1", "ak-2") + "#" * 2048 + "\n")
    loaded = load_paths([str(tmp_path)], Options(max_file_bytes=1024))
    assert [str(e) for e in loaded.errors] == [
        f"{tmp_path / 'big.yaml'}:1:1: error: expected a file of at most 1,024 bytes (the `max-file-size` setting), "
        "found 2,253 bytes (not read)"]
    assert {c.id for c in loaded.inventory.credentials} == {"ak-1"}
    assert load_paths([str(tmp_path)], Options(max_file_bytes=2**20)).errors == []


def test_the_size_cap_is_a_configuration_key_in_megabytes(tmp_path: Path) -> None:
    from policylint.config import load_config

    write(tmp_path, ".policylint.yaml", "max-file-size: 512\n")
    assert load_config(tmp_path / ".policylint.yaml").max_file_size == 512
    write(tmp_path, ".policylint.yaml", "max-file-size: lots\n")
    with pytest.raises(Exception, match="max-file-size"):
        load_config(tmp_path / ".policylint.yaml")


def test_under_diff_a_link_may_lead_anywhere_in_the_repository(tmp_path: Path) -> None:
    write(tmp_path, "repo/hr/org.yaml", ORG_YAML)
    (tmp_path / "repo/org").mkdir()
    (tmp_path / "repo/org/people.yaml").symlink_to("../hr/org.yaml")
    (tmp_path / "repo/org/secrets.yaml").symlink_to("../../home.yaml")
    write(tmp_path, "home.yaml", "token: hunter2\n")
    loaded = load_paths([str(tmp_path / "repo/org")], Options(links_within=str(tmp_path / "repo")))
    assert loaded.files == [str(tmp_path / "repo/org/people.yaml"), str(tmp_path / "repo/org/secrets.yaml")]
    assert [str(e) for e in loaded.errors] == [
        f"{tmp_path / 'repo/org/secrets.yaml'}:1:1: error: expected a file inside {tmp_path / 'repo'}, found a "
        f"symbolic link to {tmp_path / 'home.yaml'}, outside it (not read)"]


def test_the_summary_counts_skipped_files_and_verbose_lists_them(tmp_path: Path) -> None:
    write(tmp_path, "org/people.yaml", "policylint: 1\npeople:\n  - {id: lee.sy, status: active}\n")
    write(tmp_path, "org/README.md", "# the access repository\n")
    write(tmp_path, "org/package.json", '{"name": "infra", "version": "1.0.0"}\n')
    quiet = run_cli("check", str(tmp_path / "org"), "--as-of", "2026-01-01")
    assert quiet.code == 0 and quiet.err == ""
    assert ("2 files skipped: 1 not a data file, 1 not access-control data (--verbose lists them)."
            in quiet.out.splitlines()[-1])
    loud = run_cli("check", str(tmp_path / "org"), "--as-of", "2026-01-01", "--verbose")
    assert loud.err.splitlines() == [f"skipped {tmp_path}/org/README.md: not a data file",
                                     f"skipped {tmp_path}/org/package.json: not access-control data"]
    document = json.loads(run_cli("check", str(tmp_path / "org"), "--as-of", "2026-01-01", "--format", "json").out)
    assert document["summary"]["skipped_files"] == [
        {"file": f"{tmp_path}/org/README.md", "reason": "not a data file"},
        {"file": f"{tmp_path}/org/package.json", "reason": "not access-control data"}]
