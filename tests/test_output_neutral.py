"""No secret from an input reaches any output, and no input can act on a terminal or a CI log: property-tested over
the shapes of secrets, the fields and file names of the formats policylint reads, and every command and format."""

from __future__ import annotations

import re
import string
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policylint.redact import UNPRINTABLE, looks_secret, printable

from helpers import run_cli, write

FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab", "csv")
ALNUM = string.ascii_letters + string.digits


def _random(size: int, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    # with a digit: Hypothesis also tries string literals of the code under test, and a "password" that is one of
    # the output format's own words (SARIF's `artifactLocation`) is in every output without having leaked
    return st.text(alphabet=alphabet, min_size=size, max_size=size).filter(lambda r: any(c.isdigit() for c in r))


# each: (the secret, the text an input holds it in); the secret is what must never be printed
SECRETS = st.one_of(
    _random(36).map(lambda r: ("ghp_" + r,) * 2),
    _random(20).map(lambda r: ("glpat-" + r,) * 2),
    _random(24).map(lambda r: ("xoxb-1234-5678-" + r,) * 2),
    _random(24).map(lambda r: ("sk_live_" + r,) * 2),
    _random(35).map(lambda r: ("AIza" + r,) * 2),
    _random(64, "0123456789abcdef").map(lambda r: (r, r)),
    _random(30).map(lambda r: ("eyJhbGciOiJIUzI1NiJ9.eyJ" + r, "eyJhbGciOiJIUzI1NiJ9.eyJ" + r + ".c2ln")),
    _random(16).map(lambda r: (r, f"postgres://admin:{r}@db.internal:5432/app")),
    _random(16).map(lambda r: (r, f"DB_PASSWORD={r}")),
    _random(16).map(lambda r: ("MIIE" + r, f"-----BEGIN PRIVATE KEY-----MIIE{r}-----END PRIVATE KEY-----")),
    _random(16).map(lambda r: ("lQOY" + r, f"-----BEGIN PGP PRIVATE KEY BLOCK-----lQOY{r}")),
    _random(59).map(lambda r: ("github_pat_11ABCDEFG0abcdefghijkl_" + r,) * 2),
    _random(40, ALNUM + "+/").map(lambda r: (r, f"aws_secret_access_key={r}")),
    # a bare random key (AWS secret access key): recognised by its entropy, whose limits test_redact measures
    st.randoms(use_true_random=False).map(lambda rnd: "".join(rnd.choice(ALNUM + "+/") for _ in range(40)))
    .filter(looks_secret).map(lambda r: (r, r)),
)


def _native(value: str, where: str) -> tuple[str, str]:
    """(file name, text) of a native inventory holding `value` in one field."""
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    person = {"person id": f"{{id: {quoted}, status: departed, departed: 2025-01-01}}",
              "e-mail": f"{{id: kim, status: departed, departed: 2025-01-01, emails: [{quoted}]}}",
              "departure date": f"{{id: kim, status: departed, departed: {quoted}}}",
              "status": f"{{id: kim, status: {quoted}}}"}[where]
    holder = quoted if where == "person id" else "kim"
    return "org.yaml", (f"policylint: 1\npeople: [{person}]\n"
                        f"principals: [{{id: svc, type: service, owner: {holder}}}]\n"
                        f"credentials: [{{id: ak-1, type: access_key, principal: svc, holders: [{holder}], "
                        "status: active}]\n"
                        "resources: [{id: db, type: database, data: [customer_pii], records: 10}]\n"
                        "grants: [{to: svc, resource: db, actions: [read]}]\n")


def _csv(value: str, where: str) -> tuple[str, str]:
    cell = '"' + value.replace('"', '""') + '"'
    if where == "roster header":
        return "roster.csv", f"{cell},email\nkim,kim@example.com\n"
    if where == "roster cell":
        return "roster.csv", f"user,email,status\nkim,kim@example.com,{cell}\n"
    user = value.replace('"', '""') if where == "credential report user" else "kim"
    rotated = cell if where == "credential report date" else "2021-04-01T09:00:00+00:00"
    return "credential-report.csv", (CREDENTIAL_REPORT.replace("{user}", f'"{user}"').replace("{rotated}", rotated)
                                     .replace("{arn}", f'"arn:aws:iam::111122223333:user/{user}"'))


CREDENTIAL_REPORT = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
    "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
    "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
    "{user},{arn},2021-04-01T09:00:00+00:00,false,N/A,N/A,N/A,false,true,{rotated},"
    "N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")
NATIVE = ("person id", "e-mail", "departure date", "status")
# where the value is shown (masked) in the text output: it is echoed, so the test proves redaction, not silence
ECHOED = {"person id", "departure date", "status", "roster header", "roster cell", "credential report user",
          "credential report date", "file name"}
PLACES = st.sampled_from([*NATIVE, "roster header", "roster cell", "credential report user",
                          "credential report date", "file name"])


def _inventory(folder: Path, value: str, where: str) -> None:
    if where == "file name":
        name = value[:200] + ".yaml"
        write(folder, name, _native("kim", "person id")[1])
        return
    name, text = (_native if where in NATIVE else _csv)(value, where)
    write(folder, name, text)


def _outputs(folder: Path) -> dict[str, str]:
    runs = {f"check --format {f}": run_cli("check", str(folder), "--format", f, "--as-of", "2026-01-01")
            for f in FORMATS}
    runs |= {f"reach --format {f}": run_cli("reach", str(folder), "--format", f, "--as-of", "2026-01-01")
             for f in ("text", "json", "csv")}
    return {command: run.out + run.err for command, run in runs.items()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=SECRETS, where=PLACES)
def test_no_secret_in_any_field_reaches_any_output(tmp_path_factory: object, secret: tuple[str, str],
                                                    where: str) -> None:
    folder = tmp_path_factory.mktemp("org")  # type: ignore[attr-defined]
    shown, held = secret
    assume(where != "file name" or "/" not in held)  # a file name cannot hold a URL
    _inventory(folder, held, where)
    outputs = _outputs(folder)
    for command, output in outputs.items():
        assert shown not in output, (command, where)
        assert shown.replace("/", "\\/") not in output, (command, where)  # as JSON may escape it
    if where in ECHOED:
        assert "<redacted>" in outputs["check --format text"], where


HOSTILE_ID = "x\n::add-mask::CRITICAL\n::stop-commands::zz\x1b[31m\u202edesrever\x9b2J\u2028"


def _hostile(folder: Path) -> None:
    write(folder, "org.yaml", f"""
        policylint: 1
        people: [{{id: kim, status: departed, departed: 2025-01-01}}]
        principals: [{{id: svc, type: service, owner: kim}}]
        groups: [{{id: team, members: [kim, {HOSTILE_ID!r}]}}]
        credentials: [{{id: {HOSTILE_ID!r}, type: access_key, principal: svc, holders: [kim], status: active}}]
        resources: [{{id: db, type: database, data: [customer_pii], records: 10}}]
        grants: [{{to: svc, resource: db, actions: [read]}}]
        """.replace("'", '"'))
    write(folder, "evil\n::error::x\x1b]0;t\x07.yaml", "policylint: 1\npeople: [{id: bad, status: gone}]\n")


def test_no_input_reaches_a_terminal_or_starts_a_workflow_command(tmp_path: Path) -> None:
    _hostile(tmp_path)
    for command, output in _outputs(tmp_path).items():
        lines = output.replace("\r\n", "\n") if command.endswith("csv") else output  # CSV records end in CRLF
        raw = sorted({hex(ord(c)) for c in UNPRINTABLE.findall(lines) if c not in "\n"})
        assert raw == [], command
        commands = [line for line in output.splitlines() if line.startswith("::")]
        if command != "check --format github":
            assert commands == [], command
        else:  # the github format's own commands, one per finding and error, each with its values escaped
            assert all(re.match(r"::(error|warning|notice) file=[^\n]*::", line) for line in commands)
            assert not any("::add-mask::" in line.split("::", 2)[1] for line in commands)


def test_the_escaper_leaves_nothing_raw() -> None:
    every = "".join(chr(c) for c in [*range(0x20), *range(0x7f, 0xa0), 0x61c, 0x200e, 0x200f, *range(0x2028, 0x202f),
                                     *range(0x2066, 0x206a), 0xfeff])
    shown = printable(every + "ok → ✓")
    assert UNPRINTABLE.search(shown) is None
    assert shown.endswith("ok → ✓") and shown.startswith("\\x00\\x01")
    assert printable("\u202e") == "\\u202e" and printable("\x9b") == "\\x9b"


def test_facts_never_print_a_secret(tmp_path: Path) -> None:
    """Needs the CLI to print `shown.redacted_document(facts_of(...))`."""
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    write(tmp_path, "org.yaml", _native(token, "e-mail")[1])
    result = run_cli("facts", "kim", str(tmp_path), "--as-of", "2026-01-01")
    assert result.code == 0 and '"kim"' in result.out
    assert token not in result.out + result.err


def test_every_report_field_is_placed_as_from_inputs_or_not() -> None:
    """A field added to Report must be placed, so that nothing new reaches an output without being redacted."""
    from dataclasses import fields

    from policylint.report import Report
    from policylint.reporters.shown import FROM_INPUTS, NOT_SHOWN_OR_OURS

    assert {f.name for f in fields(Report)} == FROM_INPUTS | NOT_SHOWN_OR_OURS


def test_an_error_prints_on_one_line_redacted_and_escaped() -> None:
    from policylint.errors import InputError, SourceCrash, UsageError
    from policylint.model import Location

    error = InputError(Location("::evil\n.yaml", 3, 7), "expected a date, found 'DB_PASSWORD=hunter2'\x1b[2J")
    assert str(error) == "\\x3a:evil\\x0a.yaml:3:7: error: expected a date, found 'DB_PASSWORD=<redacted>'\\x1b[2J"
    assert str(UsageError("found postgres://a:pw@db\u202e")) == "found postgres://a:<redacted>@db\\u202e"
    crash = SourceCrash("x.yaml", "scim", ValueError("boom"))
    assert crash.exit_code == 3 and str(crash).startswith("x.yaml:1:1: error: internal error while reading")


def test_the_report_mapping_keeps_each_error_type_and_exit_code() -> None:
    from datetime import date

    from policylint.errors import SourceCrash
    from policylint.report import Report
    from policylint.reporters.shown import redacted

    crash = SourceCrash("DB_PASSWORD=hunter2.yaml", "scim", ValueError("boom"))
    [shown] = redacted(Report(date(2026, 1, 1), [], [crash], 1, (), 0)).errors
    assert type(shown) is SourceCrash and shown.exit_code == 3
    assert (shown.location.file, shown.message) == ("DB_PASSWORD=<redacted>", crash.message)


def test_json_text_is_the_same_document_with_nothing_raw() -> None:
    import json

    from policylint.redact import printable_json

    value = {"id": "a\x9b2J\u202eb\u2028c\x7f\ud800", "ok": "인사 → ✓"}
    dumped = printable_json(json.dumps(value, ensure_ascii=False))
    assert UNPRINTABLE.search(dumped) is None
    assert json.loads(dumped) == value
    assert "인사 → ✓" in dumped
