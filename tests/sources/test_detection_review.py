"""Detection, as the review of the walk found it wanting: a CloudFormation template is not authorization details, a
credential report may have a spreadsheet's first line and a field past the csv module's limit, and an inline
ignore comment is read in `Org.YAML` as the walk reads the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.inventory import load_paths
from policylint.sources import claimants, kubernetes
from policylint.sources.aws import authz
from policylint.suppress import scan_inline

from helpers import REPO, write

REPORT = (REPO / "examples/shopco/aws/credential-report.csv").read_text()
AUTHZ = (REPO / "examples/shopco/aws/authorization-details.json").read_text()
STACK = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"AppRole": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "read-orders", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::customer-orders/*"}]}}]}}},
}


@pytest.mark.parametrize("stack", [STACK, {k: v for k, v in STACK.items() if k != "AWSTemplateFormatVersion"}])
def test_a_template_whose_role_has_inline_policies_is_cloudformation_only(stack: dict[str, object]) -> None:
    text = json.dumps(stack, indent=2)
    assert not authz.detect("stack.json", text)
    assert claimants("stack.json", text) == ["aws-cloudformation"]


def test_authorization_details_are_claimed_by_their_top_level_keys_wherever_they_start() -> None:
    assert claimants("authz.json", AUTHZ) == ["aws-authorization-details"]
    padded = "{" + " " * 4100 + AUTHZ.lstrip()[1:]
    assert claimants("authz.json", padded) == ["aws-authorization-details"]
    # the keys only inside a value: not ours
    assert not authz.detect("x.json", json.dumps({"Items": [json.loads(AUTHZ)]}))
    # broken JSON with the keys near the top is still claimed: loading it says what is wrong
    assert authz.detect("authz.json", AUTHZ[:2000])


@pytest.mark.parametrize("first", ["sep=,\n", '"sep=,"\r\n', "# exported 2026-03-20 by ops\n", "\n# exported\n"])
def test_a_credential_report_below_a_spreadsheet_line_is_read(tmp_path: Path, first: str) -> None:
    write(tmp_path, "cr.csv", first + REPORT)
    assert claimants("cr.csv", first + REPORT) == ["aws-credential-report"]
    loaded = load_paths([str(tmp_path / "cr.csv")])
    assert loaded.errors == [] and len(loaded.inventory.credentials) == 7


def test_a_field_over_the_csv_limit_is_a_located_error(tmp_path: Path) -> None:
    header = REPORT.splitlines()[0]
    write(tmp_path, "cr.csv", f'{header}\nbob,"{"x" * 200_000}"\n')
    loaded = load_paths([str(tmp_path / "cr.csv")])
    assert [(e.location.line, type(e).__name__) for e in loaded.errors] == [(2, "InputError")]
    assert "found one it cannot read (field larger than field limit (131072))" in loaded.errors[0].message


BINDING = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ops}\n"
           "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n")


@pytest.mark.parametrize(("text", "template"), [
    (BINDING, False),
    ("# owner: {{platform-team}}\n" + BINDING, False),
    (BINDING + "subjects:  # {{ not a template }}\n  - {kind: User, name: a}\n", False),
    ("apiVersion: v1\nkind: ConfigMap\ndata:\n  t: |\n    {{ .Status }}\n  u: |-\n\n    {{ x }}\n---\n" + BINDING,
     False),
    ("{{- if .Values.rbac }}\n" + BINDING + "{{- end }}\n", True),
    (BINDING.replace("name: ops", "name: {{ .Release.Name }}"), True),
    (BINDING.replace("name: view", 'name: "{{ .Values.role }}"'), True),
    (BINDING + "---\napiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    x\n  b: {{ .Values.b }}\n", True),
])
def test_template_markers_count_outside_comments_and_block_scalars(text: str, template: bool) -> None:
    assert kubernetes.detect("rbac.yaml", text) is not template
    assert kubernetes.is_template(text) is template


def test_objects_below_a_long_comment_are_kubernetes() -> None:
    assert kubernetes.detect("rbac.yaml", "# " + "x" * 9000 + "\n#\n\n" + BINDING)


def test_inline_ignores_are_read_whatever_the_case_of_the_suffix(tmp_path: Path) -> None:
    text = ("policylint: 1\ncredentials:\n  - {id: ak-1, type: access_key, principal: svc}  "
            "# policylint: ignore PL104 reason=\"rotating\" expires=2099-01-01 owner=lee\n")
    for name in ("Org.YAML", "org.Yml"):
        write(tmp_path, name, text)
        found, errors = scan_inline([str(tmp_path / name)])
        assert errors == [] and [e.rule for e in found] == ["PL104"], (name, errors)
