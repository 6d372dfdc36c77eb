"""Secrets seen in inputs never appear in output; identifiers stay readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.redact import looks_secret, no_command_lines, printable, printable_json, redact

from helpers import run_cli, write

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


@pytest.mark.parametrize("text", [AWS_SECRET, GITHUB_TOKEN, "-----BEGIN RSA PRIVATE KEY-----",
                                  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"])
def test_secret_shapes_are_recognised(text: str) -> None:
    assert looks_secret(text)


@pytest.mark.parametrize("text", ["AKIAIOSFODNN7EXAMPLE", "CustomerDatabaseReaderRole2024", "kim.jh@example.com",
                                  "arn:aws:iam::123456789012:role/customer-db-reader", "auth-jwt-signing",
                                  "PassExistingRoleToNewGlueDevEndpoint", "PassExistingRoleToNewEC2SpotInstance",
                                  "PassExistingRoleToNewECSClusterRunTask", "PassExistingRoleToUpdatedGlueJobThenRun"])
def test_identifiers_are_not_masked(text: str) -> None:
    assert not looks_secret(text)


def test_every_escalation_method_name_is_shown_as_it_is() -> None:
    """policylint's own names for escalation methods appear in PL205 messages, which are redacted like any."""
    from policylint.iam.escalation import METHODS
    assert [m for m in METHODS if looks_secret(m)] == []


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
    assert redact(f"aws_secret_access_key = {AWS_SECRET}") == "aws_secret_access_key = <redacted>"
    # base64url, dashes and all
    assert redact("token: yhMjh5FncqpKwMooJYeKbA-mOv_2V5JLVCwGcg0vC4E") == "token: <redacted>"


def test_control_characters_in_ids_never_reach_the_terminal(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", 'policylint: 1\npeople: [{id: kim, status: departed, departed: 2025-01-01}]\n'
                                'principals: [{id: "svc\\e]0;pwned\\a", type: service, owner: kim}]\n')
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "svc\\x1b]0;pwned\\x07" in result.out


# (case, text as an input holds it, the secret in it, what stays readable)
SHAPES = [
    ("GitHub classic token", f"token {GITHUB_TOKEN} leaked", GITHUB_TOKEN, "token "),
    ("GitHub fine-grained", "github_pat_11ABCDEFG0abcdefghijkl_" + "x1Y2z3" * 10, "github_pat_11ABCDEFG0abcdefghijkl_",
     ""),
    ("GitLab personal token", "glpat-xT9kq2LmN4pR7sV1wZ3y", "glpat-xT9kq2LmN4pR7sV1wZ3y", ""),
    ("GitLab deploy token", "deploy with gldt-Ab3dE6gH9jK2mN5pQ8sT", "gldt-Ab3dE6gH9jK2mN5pQ8sT", "deploy with "),
    ("Slack bot token", "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrSt", "xoxb-1234567890", ""),
    ("Slack webhook", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
     "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", ""),
    ("Stripe secret key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", ""),
    ("Google API key", "key AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
     "key "),
    ("Google OAuth secret", "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", "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", ""),
    ("Google access token", "ya29.a0AfH6SMBx3kQ9vZr2LmN4pR7sV1wZ3yT", "ya29.a0AfH6SMBx3kQ9vZr2LmN4pR7sV1wZ3yT", ""),
    ("AWS secret access key", f"secret {AWS_SECRET}", AWS_SECRET, "secret "),
    ("AWS session token", "FwoGZXIvYXdzEBYaDHqa0AP1kQ9vZr2LmN4pR7sV1wZ3yT8u", "FwoGZXIvYXdzEBYaDHqa0AP1kQ9vZr2", ""),
    ("JWT", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "Bearer "),
    ("64-hex key", "key_hex 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 end",
     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", " end"),
    ("PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x\n-----END RSA PRIVATE KEY-----\nafter",
     "MIIEowIBAAKCAQEA7x", "\nafter"),
    ("PEM shortened, no END", "found '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhki...'", "MIIEvQIBADAN",
     "found '"),
    ("OpenSSH private key",
     "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----",
     "b3BlbnNzaC1rZXktdjE", ""),
    ("PGP private key block",
     "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0\n-----END PGP PRIVATE KEY BLOCK-----", "lQOYBF0", ""),
    ("URL with a password", "postgres://admin:hunter2@db.internal:5432/app", "hunter2", "postgres://admin:"),
    ("git credentials line", "https://kim:s3cr3t-pass@github.com", "s3cr3t-pass", "@github.com"),
    (".env assignment", "DB_PASSWORD=hunter2", "hunter2", "DB_PASSWORD="),
    ("assignment inside an id", "aws:iam::111122223333:user/DB_PASSWORD=hunter2", "hunter2",
     "aws:iam::111122223333:user/DB_PASSWORD="),
    ("env secret key", "STRIPE_SECRET_KEY=abc123", "abc123", "STRIPE_SECRET_KEY="),
    ("JSON password", '{"password": "correct horse"}', "correct horse", '{"password": "'),
    ("YAML client secret", "clientSecret: q8Zk2", "q8Zk2", "clientSecret: "),
    ("authorization header", "Authorization: Bearer abc.def.ghi", "abc.def.ghi", "Authorization: Bearer "),
    ("api key setting", "api-key=0123abcd", "0123abcd", "api-key="),
    ("shadow line", "root:$6$rounds=5000$saltsalt$Yx8fz0Jq1lQ8mZP/eX3Qw.:19000:0:99999:7:::", "$6$rounds=5000$salt",
     "root:"),
]


@pytest.mark.parametrize(("text", "secret", "kept"), [pytest.param(t, s, k, id=case) for case, t, s, k in SHAPES])
def test_each_secret_shape_is_masked_and_only_its_span(text: str, secret: str, kept: str) -> None:
    shown = redact(text)
    assert secret not in shown
    assert "<redacted>" in shown
    assert kept in shown
    assert redact(shown) == shown  # masking twice changes nothing


@pytest.mark.parametrize("text", [pytest.param(t, id=t[:40]) for t in [
    "AKIAIOSFODNN7EXAMPLE",  # an access key id names a key: real exports use it as a node id
    "aws:iam::111122223333:user/choi.dh#access-key-1",
    "aws:iam::200611803367:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc",
    "SSMQuickSetupEnableExplorerInlinePolicy",
    "aws:iam::200611803367:role/stacksets-exec-b5520cb2730c2f54b523d6375a319abb",  # a generated hex part
    "aws:iam::200611803367:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE",
    "AWSOrganizationsServiceTrustPolicy",
    "5b1a6f6e-9d1c-4f0e-8a43-0c7f3c1d9a01",  # SCIM ids are UUIDs
    "aws_access_key_id=AKIAIOSFODNN7EXAMPLE",  # a setting about a key, not the key
    "token_ttl: 365d",
    "key: auth-jwt-signing",  # a bare `key` names something
    "public_key: ssh-ed25519",
    "signing key auth-jwt-signing (last rotated 2024-11-18, created 2023-03-01) is reachable by lee.sy",
    "expected a status column (status, state, employment_status), found the columns 'user', 'email'",
    "arn:aws:iam::123456789012:role/customer-db-reader",
    "https://github.com/policylint/policylint/issues",
    "sha1 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",  # 40 hex: a commit, not a 64-hex key
    "glob-pattern-for-customer-data-in-the-warehouse",
    "path: kim.jh → auth-platform → auth-jwt-signing → order-sync",
    "/tmp/pytest-of-root/pytest-159/test_a_bug_in_one_source_is_ex0/rbac.yaml",  # a path: short words, few digits
    "k8s:default:secret:payments/payments-api-token",  # `secret:` inside an id is no key
    "credential aws:iam::111122223333:user/kim.jh#password: password_enabled is empty",
]])
def test_look_alikes_are_not_masked(text: str) -> None:
    assert redact(text) == text


def test_every_secret_shape_is_found_in_linear_time() -> None:
    """Long hostile inputs (a repeated prefix, a run that almost matches) cost time in proportion to their length."""
    import time

    for unit in ("eyJ", "ghp_", "a=", "password=", "x://a:", "-----BEGIN ", "$6$", "A1b2C3d4/", "a" * 63 + ":"):
        text = unit * (200_000 // len(unit))
        started = time.perf_counter()
        redact(text)
        assert time.perf_counter() - started < 2.0, unit


@pytest.mark.parametrize(("text", "secret"), [
    ("ADMIN_PW=Summer2026!", "Summer2026!"),
    ("SMTP_CREDENTIALS=correct-horse-battery", "correct-horse-battery"),
    ("MYSQL_ROOT_PWD=Tr0ub4dor&3", "Tr0ub4dor"),
    ("LDAP_BIND_PASS=hunter2hunter2", "hunter2hunter2"),
    ("FTP_PASSWD=letmein-2026", "letmein-2026"),
    ("REGISTRY_CREDS=deploy:s3cr3t-pull", "deploy:s3cr3t-pull"),
    ("PROXY_AUTH=svc-proxy:W1nter!", "svc-proxy:W1nter!"),
    ("MAILGUN_APIKEY=0f3c9a7e1d", "0f3c9a7e1d"),
    ("smtpAuth: hunter2hunter2", "hunter2hunter2"),
])
def test_secret_names_ending_in_short_forms_are_masked(text: str, secret: str) -> None:
    shown = redact(text)
    assert secret not in shown
    assert shown.startswith(text.split("=")[0].split(":")[0])  # the name stays readable


@pytest.mark.parametrize("text", ["COMPASS=north", "BYPASS=enabled", "AUTHOR=kim.jh", "OAUTH_PROVIDER=okta",
                                  "auth_method=saml", "credentials_rotated=2026-11-01", "DBPWDHASH=on",
                                  "creds_expiry: 90d", "NPW=3", "authority: root-ca"])
def test_names_that_only_look_like_the_short_forms_are_not_masked(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(("case", "url", "shown"), [
    ("a GCS V4 signed URL (RSA signature, 512 hex)",
     "https://storage.googleapis.com/b/m.zip?X-Goog-Date=20260101T000000Z&X-Goog-Signature=" + "ab12" * 128,
     "https://storage.googleapis.com/b/m.zip?X-Goog-Date=20260101T000000Z&X-Goog-Signature=<redacted>"),
    ("an S3 signature version 2 URL",
     "https://b.s3.amazonaws.com/m.zip?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D",
     "https://b.s3.amazonaws.com/m.zip?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=<redacted>"),
    ("an Azure SAS token", "https://b.blob.core.windows.net/c/m.zip?sv=2020-08-04&sig=abcDEF123xyz%3D&se=2026",
     "https://b.blob.core.windows.net/c/m.zip?sv=2020-08-04&sig=<redacted>&se=2026"),
])
def test_the_signature_of_a_signed_url_is_masked(case: str, url: str, shown: str) -> None:
    assert redact(url) == shown


@pytest.mark.parametrize(("case", "text", "shown"), [
    ("a command at the start of a line", "::stop-commands::x", "\\x3a:stop-commands::x"),
    ("after blanks, which the runner trims", "  \t::add-mask::y", "  \t\\x3a:add-mask::y"),
    ("the runner's older syntax, anywhere", "id ##[stop-commands]tok", "id \\x23#[stop-commands]tok"),
    ("a colon pair inside a line is data", "aws:iam::123:root", "aws:iam::123:root"),
    ("one # is data", "#[x] and # [y]", "#[x] and # [y]"),
])
def test_no_line_reads_as_a_workflow_command(case: str, text: str, shown: str) -> None:
    assert no_command_lines(text) == shown


def test_invisible_characters_are_shown_so_two_ids_never_look_alike() -> None:
    assert printable("kim.jh\u200b") == "kim.jh\\u200b"
    assert printable("\u3164") == "\\u3164" and printable("a\U000e0041b") == "a\\U000e0041b"
    assert printable_json('"kim.jh\u200b ##[x] \U000e0041"') == '"kim.jh\\u200b \\u0023#[x] \\udb40\\udc41"'
    assert json.loads(printable_json(json.dumps("kim\u200b ##[x] \U000e0041", ensure_ascii=False))) == (
        "kim\u200b ##[x] \U000e0041")


@pytest.mark.parametrize("token", [
    "shpat_" + "a1" * 16, "SK" + "0f" * 16, "key-" + "aB3" * 10 + "xy", "pul-" + "ab" * 20,
    "hvs.CAESIJlWh9x7bTdDgn2b3Z9kQ", "MTA4NjY3NzM4OTQ5NTk1MTM2NQ.GbXQ7l.abcdefghijklmnopqrstuvwxyz012345"])
def test_vendor_tokens_with_a_prefix_are_masked(token: str) -> None:
    assert redact(f"service {token} ok") == "service <redacted> ok"


def test_a_gcp_key_id_is_not_a_mailgun_key() -> None:
    key = "gcp:serviceAccount:etl@p.iam.gserviceaccount.com#key-6d2f0b9e4c1a7835e2f90d4b6a1c3e5f7a9b0c2d"
    assert redact(key) == key
