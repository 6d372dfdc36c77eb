"""A file that is access-control data is never skipped silently (the review of the walk): a file no source claims
by its first lines is parsed once more and, when its top level is one of ours, read or a located error; an
unrendered template, and each folder the walk does not enter, are skipped with their own reason; a symbolic link
never leads the walk into a hidden path."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from policylint.inventory import load_paths
from policylint.walk import NOT_ACCESS_CONTROL, NOT_WALKED, TEMPLATE, Skipped

from helpers import REPO, run_cli, write

PL101 = "CRITICAL PL101 access_key ak-1 is active but held by kim.jh"
ORG_YAML = """policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14}
credentials:
  - {id: ak-1, type: access_key, principal: kim.jh, status: active, created: 2025-12-01, last_used: 2025-12-30}
"""
ORG = {"policylint": 1, "people": [{"id": "kim.jh", "status": "departed", "departed": "2025-06-14"}],
       "credentials": [{"id": "ak-1", "type": "access_key", "principal": "kim.jh", "status": "active",
                        "created": "2025-12-01", "last_used": "2025-12-30"}]}
ROOT_KEY = "CRITICAL PL109"
REPORT = (REPO / "examples/shopco/aws/credential-report.csv").read_text()
BINDING = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: contractor-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: User, name: contractor@example.com, apiGroup: rbac.authorization.k8s.io}
"""
PL207 = "CRITICAL PL207 principal k8s:default:user:contractor@example.com"


def check(*paths: Path | str) -> tuple[int, str]:
    result = run_cli("check", *map(str, paths), "--as-of", "2026-01-01", "--fail-on", "critical", "-v")
    assert "Traceback" not in result.out + result.err
    return result.code, result.out + result.err


# -- 1: Helm/Go template markers count only outside comments and block scalars ----------------------------------------

def test_a_template_in_a_configmap_block_scalar_does_not_hide_the_binding_after_it(tmp_path: Path) -> None:
    write(tmp_path, "rbac.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alert-templates}\ndata:\n"
                                 "  slack.tmpl: |\n    {{ define \"slack.title\" }}[{{ .Status }}]{{ end }}\n"
                                 "  other: >-\n    {{ .Labels }}\n---\n" + BINDING)
    code, out = check(tmp_path)
    assert code == 1 and PL207 in out, out


@pytest.mark.parametrize("above", ["# owner: {{platform-team}}\n", "#" + " padding" * 1500 + "\n"])
def test_a_comment_above_the_objects_does_not_hide_them(tmp_path: Path, above: str) -> None:
    write(tmp_path, "rbac.yaml", above + BINDING)
    code, out = check(tmp_path)
    assert code == 1 and PL207 in out, out


def test_an_unrendered_template_is_skipped_with_its_own_reason(tmp_path: Path) -> None:
    write(tmp_path, "chart/templates/binding.yaml",
          "{{- if .Values.rbac.create }}\n" + BINDING.replace("contractor-admin", "{{ .Release.Name }}-admin")
          + "{{- end }}\n")
    write(tmp_path, "org.yaml", ORG_YAML)
    loaded = load_paths([str(tmp_path)])
    assert loaded.skipped == (Skipped(str(tmp_path / "chart/templates/binding.yaml"), TEMPLATE),)
    code, out = check(tmp_path)
    assert "1 an unrendered template: render it first" in out, out
    code, out = check(tmp_path / "chart/templates/binding.yaml")
    assert code == 2 and "found an unrendered template: render it first" in out, out


# -- 3: a second look at the files no source claims -------------------------------------------------------------------

def test_a_native_mapping_indented_as_a_whole_is_read(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text("".join("  " + line + "\n" for line in ORG_YAML.splitlines()))
    code, out = check(tmp_path)
    assert code == 1 and PL101 in out, out


@pytest.mark.parametrize(("name", "text"), [
    ("org.json", json.dumps(ORG).replace('"policylint"', '"polic\\u0079lint"')),
    ("org.yaml", ORG_YAML.replace("policylint:", '"polic\\x79lint":')),
])
def test_an_escaped_native_marker_is_read(tmp_path: Path, name: str, text: str) -> None:
    write(tmp_path, name, text)
    code, out = check(tmp_path)
    assert code == 1 and PL101 in out, out


def test_native_sections_without_a_marker_are_a_located_error(tmp_path: Path) -> None:
    write(tmp_path, "keys.yaml", "keys:\n  - {id: jwt, purpose: signing, storage: file, readable_by: [ops]}\n"
                                 "resources:\n  - {id: customers-db, type: database}\n")
    write(tmp_path, "org.yaml", ORG_YAML)
    code, out = check(tmp_path)
    assert code == 2 and (f"{tmp_path / 'keys.yaml'}:1:1: error: expected 'policylint: 1' at the top level of a "
                          "file with native sections (keys, resources), found no marker") in out, out


def test_the_raw_credential_report_json_is_decoded_and_read(tmp_path: Path) -> None:
    write(tmp_path, "credential-report.json", json.dumps({
        "Content": base64.b64encode(REPORT.encode()).decode(), "ReportFormat": "text/csv",
        "GeneratedTime": "2026-03-20T10:00:00+00:00"}, indent=4))
    code, out = check(tmp_path)
    assert code == 1 and f"{tmp_path / 'credential-report.json'}:2:5: {ROOT_KEY}" in out, out


def test_a_credential_report_json_that_is_not_base64_says_how_to_decode_it(tmp_path: Path) -> None:
    write(tmp_path, "credential-report.json", json.dumps({"Content": REPORT, "ReportFormat": "text/csv"}))
    code, out = check(tmp_path)
    assert code == 2 and "found other text: decode it first: `aws iam get-credential-report" in out, out


def test_scim_with_an_escaped_urn_is_read(tmp_path: Path) -> None:
    users = json.loads((REPO / "tests/sources/fixtures/scim/users.json").read_text()) \
        if (REPO / "tests/sources/fixtures/scim/users.json").exists() else None
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "kim.jh",
            "active": False}
    text = json.dumps(users or {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                                "totalResults": 1, "Resources": [user]})
    write(tmp_path, "scim.json", text.replace("urn:ietf", "urn\\u003aietf"))
    loaded = load_paths([str(tmp_path)])
    assert loaded.files == [str(tmp_path / "scim.json")] and loaded.inventory.people, loaded


def test_a_json_array_of_kubernetes_objects_is_a_located_error(tmp_path: Path) -> None:
    write(tmp_path, "items.json", json.dumps([{"apiVersion": "rbac.authorization.k8s.io/v1",
                                              "kind": "ClusterRoleBinding", "metadata": {"name": "x"}}]))
    loaded = load_paths([str(tmp_path)])
    assert [e.message for e in loaded.errors] == [
        "expected a file that kubernetes recognises by its first lines, found one that is kubernetes data only "
        "once parsed: write it as the export does, or convert it to the native format"]


def test_other_data_files_are_still_skipped(tmp_path: Path) -> None:
    write(tmp_path, "values.yaml", "replicaCount: 2\nresources:\n  - limits\n")
    write(tmp_path, "rules.yaml", "groups:\n  - {name: alerts, rules: []}\n")
    write(tmp_path, "org.yaml", ORG_YAML)
    loaded = load_paths([str(tmp_path)])
    assert loaded.errors == [] and [s.reason for s in loaded.skipped] == [NOT_ACCESS_CONTROL] * 2


# -- 4 and 5: folders the walk does not enter, links into hidden paths ------------------------------------------------

def test_each_folder_not_walked_is_counted(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", ORG_YAML)
    for folder in (".git", ".k8s", "venv", "node_modules", "__pycache__"):
        write(tmp_path, f"{folder}/org.yaml", ORG_YAML)
    loaded = load_paths([str(tmp_path)])
    assert loaded.skipped == tuple(Skipped(str(tmp_path / f), NOT_WALKED)
                                   for f in (".k8s", "__pycache__", "node_modules", "venv"))
    _code, out = check(tmp_path)
    assert "4 hidden or tool folder, not walked" in out and f"skipped {tmp_path / '.k8s'}" in out, out


@pytest.mark.parametrize(("name", "target"), [("roster.csv", ".env"), ("git-roster.csv", ".git/config"),
                                              ("inv/roster.csv", "../.env")])
def test_a_link_to_a_hidden_file_is_a_located_error_and_not_read(tmp_path: Path, name: str, target: str) -> None:
    write(tmp_path, ".env", "ADMIN_PW=Summer2026!,SMTP_CREDENTIALS=correct-horse-battery\n")
    write(tmp_path, ".git/config", "[core]\n\tsecret = Summer2026!\n")
    write(tmp_path, "inv/org.yaml", ORG_YAML)
    (tmp_path / name).symlink_to(target)
    for folder in (tmp_path, tmp_path / "inv"):
        code, out = check(folder)
        if folder in (tmp_path / name).parents:
            # inside the walked folder: a hidden path; from the folder below: outside it. Never read either way.
            assert code == 2 and f"{tmp_path / name}:1:1: error: expected a file " in out, out
            assert "a hidden path (not read)" in out or "outside it (not read)" in out, out
            assert "Summer2026" not in out and "correct-horse" not in out


def test_a_folder_linked_into_git_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, ".git/exports/org.yaml", ORG_YAML)
    write(tmp_path, "org.yaml", ORG_YAML.replace("kim.jh", "lee"))
    (tmp_path / "exports").symlink_to(".git/exports")
    loaded = load_paths([str(tmp_path)])
    assert [e.message.split(",")[0] for e in loaded.errors] == ["expected a file outside hidden files and folders"]
