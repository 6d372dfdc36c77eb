"""Secrets seen in inputs never appear in output; identifiers stay readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.redact import looks_secret, redact

from helpers import run_cli, write

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


@pytest.mark.parametrize("text", [AWS_SECRET, GITHUB_TOKEN, "-----BEGIN RSA PRIVATE KEY-----",
                                  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"])
def test_secret_shapes_are_recognised(text: str) -> None:
    assert looks_secret(text)


@pytest.mark.parametrize("text", ["AKIAIOSFODNN7EXAMPLE", "CustomerDatabaseReaderRole2024", "kim.jh@example.com",
                                  "arn:aws:iam::123456789012:role/customer-db-reader", "auth-jwt-signing"])
def test_identifiers_are_not_masked(text: str) -> None:
    assert not looks_secret(text)


def test_a_secret_pasted_into_an_inventory_never_reaches_the_output(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", f"""
        policylint: 1
        people:
          - {{id: kim, status: active, emails: "{GITHUB_TOKEN}"}}
        credentials:
          - {{id: ak-1, type: access_key, principal: kim, status: active, secret: "{AWS_SECRET}"}}
        """)
    for output in ("text", "json"):
        result = run_cli("check", str(path), "--format", output)
        assert result.code == 2
        assert GITHUB_TOKEN not in result.out + result.err
        assert AWS_SECRET not in result.out + result.err
        assert "<redacted>" in result.out


def test_resource_paths_of_the_platforms_are_not_secrets() -> None:
    for name in ("gcp:projects/testing__kubeflow-images-public:roles/storage.objectViewer",
                 "gcp:projects/kubeflow-ci/locations/global/keyRings/ci-ring/cryptoKeys/signing-key-2024",
                 "k8s:default:serviceaccount:kube-system/argocd-application-controller",
                 "aws:iam::cfn:instance-profile/AWSMAD-LinuxEC2DomainJoinRole-AWSManagedAD"):
        assert redact(name) == name
    assert redact("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == "<redacted>"
    assert redact("token: yhMjh5FncqpKwMooJYeKbA-mOv_2V5JLVCwGcg0vC4E") == "<redacted>"  # base64url, dashes and all


def test_control_characters_in_ids_never_reach_the_terminal(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", 'policylint: 1\npeople: [{id: kim, status: departed, departed: 2025-01-01}]\n'
                                'principals: [{id: "svc\\e]0;pwned\\a", type: service, owner: kim}]\n')
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "svc\\x1b]0;pwned\\x07" in result.out
