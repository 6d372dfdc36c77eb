"""Issue 9, hardening: anyone can commit the files policylint reads and write the rules it runs, so no value and no
rule may hang a run or end it with an internal error. A rule's patterns run on RE2 (linear time); a rule that
cannot run is that rule's located error while every other rule still runs; every number is bounded before it is
converted; the built-in validation patterns run in linear time on long values."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policylint.suppress import _FIELD, _RULES, INLINE
from policylint.validate import packaged_schema

from helpers import REPO, Run, run_cli, write

SLOW = "a" * 40  # `^(a+)+$` backtracks 2^40 times on this id followed by anything else
ORG = f"""
policylint: 1
people:
  - {{id: kim.jh, status: departed, departed: 2025-06-14}}
  - {{id: lee.sy, status: active}}
principals:
  - {{id: order-sync, type: service, owner: lee.sy}}
  - {{id: {SLOW}, type: service, owner: lee.sy}}
  - {{id: {SLOW}-sync, type: service, owner: lee.sy}}
  - {{id: report-bot, type: service, owner: kim.jh}}
roles:
  - id: customer-db-reader
    assumable_by: [order-sync]
    grants:
      - {{resource: customer-db, actions: [read]}}
credentials:
  - {{id: ak-7731, type: access_key, principal: order-sync, holders: [kim.jh], status: active,
     created: 2025-11-01, last_used: 2025-12-30}}
resources:
  - {{id: customer-db, type: database, data: [customer_pii], records: 33700000,
     logging: true, log_retention_days: 730, monitoring: true}}
"""
DEPARTED_KEY = "CRITICAL PL101 access_key ak-7731 is active but held by kim.jh (departed 2025-06-14)"
SERVICE = "LOW ACME001 order-sync is a service"  # the user rule that always loads


def rule(rule_id: str, match: str, subject: str = "principal") -> str:
    """A user rule whose `match` starts on line 6, column 3."""
    body = textwrap.indent(textwrap.dedent(match).strip("\n"), "  ")
    return (f"id: {rule_id}\ntitle: A rule a team wrote\nseverity: low\nsubject: {subject}\nmatch:\n{body}\n"
            'message: "{id} is a {type}"\nrationale: Hardening.\nremediation: Fix the rule.\n'
            'references: ["issue 9"]\n')


GOOD_RULE = rule("ACME001", "properties:\n  id: {const: order-sync}")


def check_with(tmp_path: Path, bad_rule: str) -> Run:
    org = write(tmp_path, "org.yaml", ORG)
    write(tmp_path, "rules/acme001.yaml", GOOD_RULE)
    write(tmp_path, "rules/acme002.yaml", bad_rule)
    return run_cli("check", str(org), "--as-of", "2026-01-01", "--policies", str(tmp_path / "rules"))


def run_in_subprocess(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a backtracking regex would hold the GIL in C, where no in-process timer stops it."""
    return subprocess.run([sys.executable, "-m", "policylint", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, check=False)


# -- rule patterns run on RE2 -------------------------------------------------------------------------------------


def test_a_catastrophic_pattern_in_a_user_rule_runs_in_linear_time(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ORG)
    write(tmp_path, "rules/acme002.yaml", rule("ACME002", 'properties:\n  id: {pattern: "^(a+)+$"}'))
    result = run_in_subprocess("check", str(org), "--as-of", "2026-01-01", "--policies", str(tmp_path / "rules"),
                               "--select", "ACME", "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    found = {(f["rule"], f["subject"]["id"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {("ACME002", SLOW)}
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(?=svc)", "invalid perl operator: (?="),
        ("(a)\\\\1", "invalid escape sequence: \\1"),
        ("a{99999999999}", "invalid repetition size: {99999999999} (at most 1000)"),
        ("x{2,1001}", "invalid repetition size: {2,1001}"),
        ("[a-", "missing ]: [a-"),
    ],
    ids=["lookahead", "backreference", "repetition past int", "repetition past RE2's limit", "unclosed class"],
)
def test_a_pattern_re2_cannot_run_is_that_rules_located_error(tmp_path: Path, pattern: str, problem: str) -> None:
    result = check_with(tmp_path, rule("ACME002", f'properties:\n  id: {{pattern: "{pattern}"}}'))
    shown = pattern.replace("\\\\", "\\")
    assert result.code == 2, result.out + result.err
    assert (f"{tmp_path}/rules/acme002.yaml:7:19: error: expected a regular expression RE2 runs (linear time: "
            f"no lookaround, no backreferences, repetitions up to 1000), found the string {shown!r} ({problem})"
            ) in result.out.splitlines(), result.out
    assert DEPARTED_KEY in result.out and SERVICE in result.out  # every other rule still ran
    assert "ACME002" not in result.out.replace("acme002.yaml", "")
    assert result.err == ""  # RE2 does not write its complaint to stderr


def test_a_pattern_properties_key_re2_cannot_run_is_located_at_the_key(tmp_path: Path) -> None:
    result = check_with(tmp_path, rule("ACME002", 'patternProperties:\n  "^(?!type)": {type: string}'))
    assert result.code == 2
    assert (f"{tmp_path}/rules/acme002.yaml:7:5: error: expected a regular expression RE2 runs (linear time: no "
            "lookaround, no backreferences, repetitions up to 1000), found the string '^(?!type)' (invalid perl "
            "operator: (?!)") in result.out.splitlines(), result.out
    assert DEPARTED_KEY in result.out and SERVICE in result.out


def test_pattern_properties_in_a_rule_run_on_re2(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ORG)
    write(tmp_path, "rules/acme002.yaml", rule("ACME002", """
        required: [owner]
        properties:
          owner: {patternProperties: {"^(i+)+d$": {pattern: "^(l|e|e\\\\.)+sy$"}}, additionalProperties: true}
          id: {pattern: "^(a+)+$"}
        """))
    result = run_in_subprocess("check", str(org), "--as-of", "2026-01-01", "--policies", str(tmp_path / "rules"),
                               "--select", "ACME", "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert {(f["rule"], f["subject"]["id"]) for f in json.loads(result.stdout)["findings"]} == {("ACME002", SLOW)}


# -- rules whose schema cannot run ---------------------------------------------------------------------------------


def _chain(count: int, step: str) -> str:
    defs = "\n".join(f"  d{i}: {step.format(next=f'#/$defs/d{i + 1}')}" for i in range(count))
    return f'$ref: "#/$defs/d0"\n$defs:\n{defs}\n  d{count}: {{required: [owner]}}'


@pytest.mark.parametrize(
    ("match", "where", "message"),
    [
        ('$ref: "#/$defs/loop"\n$defs:\n  loop: {$ref: "#/$defs/loop"}', "8:5",
         "expected a $ref to reach a property or an item before it comes back to the same definition, found the "
         "cycle loop → loop, which never ends"),
        ('$defs:\n  a: {allOf: [{$ref: "#/$defs/b"}]}\n  b: {not: {$ref: "#/$defs/a"}}\nproperties:\n'
         '  owner: {$ref: "#/$defs/a"}', "7:5",
         "expected a $ref to reach a property or an item before it comes back to the same definition, found the "
         "cycle a → b → a, which never ends"),
        (_chain(40, '{{anyOf: [{{$ref: "{next}"}}]}}'), "8:5",
         "expected at most 32 schemas applied to one value ($refs followed), found more"),
        (_chain(400, '{{properties: {{owner: {{$ref: "{next}"}}}}}}'), "6:3",
         "expected a match schema that compiles, found one nested too deeply (through its $refs) to compile"),
        ("properties:\n  records: {multipleOf: .nan}", "7:27", "expected a finite number in match, found nan"),
        ("properties:\n  records: {maximum: -.inf}", "7:24", "expected a finite number in match, found -inf"),
        ("patternProperties: {'^o': true}\nunevaluatedProperties: false", "7:3",
         "expected additionalProperties beside patternProperties, found unevaluatedProperties (it would search the "
         "patterns with a backtracking engine)"),
        ("properties:\n  records: {minimum: 1" + "0" * 40 + "}", "7:24",
         "expected a number of at most 30 digits (quote it to keep it as text), found one of 41 digits"),
    ],
    ids=["self reference", "mutual reference", "chain of refs on one value", "chain too deep to compile",
         "NaN", "infinity", "unevaluatedProperties with patterns", "number too long"],
)
def test_a_schema_that_cannot_run_is_that_rules_located_error(tmp_path: Path, match: str, where: str,
                                                              message: str) -> None:
    result = check_with(tmp_path, rule("ACME002", match))
    assert result.code == 2, result.out + result.err
    assert f"{tmp_path}/rules/acme002.yaml:{where}: error: {message}" in result.out.splitlines(), result.out
    assert DEPARTED_KEY in result.out and SERVICE in result.out  # every other rule still ran


def test_a_ref_cycle_through_a_property_is_a_recursive_rule_that_runs(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ORG)
    write(tmp_path, "rules/acme002.yaml", rule("ACME002", """
        $ref: "#/$defs/active_all_the_way"
        $defs:
          active_all_the_way:
            properties:
              owner: {$ref: "#/$defs/active_all_the_way"}
              status: {const: active}
        """))
    result = run_cli("check", str(org), "--as-of", "2026-01-01", "--policies", str(tmp_path / "rules"),
                     "--select", "ACME", "--format", "json")
    assert result.code == 1, result.out
    owned_by_active_people = {"order-sync", SLOW, f"{SLOW}-sync"}  # not report-bot, whose owner has left
    assert {f["subject"]["id"] for f in json.loads(result.out)["findings"]} == owned_by_active_people


# -- built-in validation patterns run in linear time ---------------------------------------------------------------


def _schema_patterns(schema: object) -> set[str]:
    if isinstance(schema, dict):
        own = {schema["pattern"]} if isinstance(schema.get("pattern"), str) else set()
        return own.union(*(_schema_patterns(v) for v in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_schema_patterns(v) for v in schema))
    return set()


# As each is used: jsonschema searches a schema's patterns; suppress.py searches for INLINE and matches the others.
BUILTIN_PATTERNS = sorted(
    {("search", p) for name in ("inventory", "rule", "exceptions", "config")
     for p in _schema_patterns(packaged_schema(name))}
    | {("search", INLINE.pattern), ("match", _RULES.pattern), ("match", _FIELD.pattern)})
# Long runs of the characters these patterns accept, each ended by one they refuse: where backtracking would bite.
HOSTILE = """
import re, sys
use = getattr(re.compile(sys.argv[2]), sys.argv[1])
for start in ("", "A", "a", "#"):
    for run in ("A", "a", "1", "-", "_", ":", "a:", "A1", "A1,", "1-", "#", "# ", "a=", " "):
        for end in ("", "!", "\\n", " ", "*", "\\x01", "a", "1"):
            use(start + run * (100_000 // len(run)) + end)
print("done")
"""


@pytest.mark.parametrize(("use", "pattern"), BUILTIN_PATTERNS)
def test_builtin_patterns_run_in_linear_time_on_100k_characters(use: str, pattern: str) -> None:
    # linear: about a millisecond per value; the rule id patterns as they were took minutes for one
    result = subprocess.run([sys.executable, "-c", HOSTILE, use, pattern], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout == "done\n"


def test_a_long_rule_id_and_a_long_exception_rule_are_refused_quickly(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ORG)
    long_id = "PL" + "1" * 100_000 + "X"
    write(tmp_path, "rules/acme002.yaml", rule(long_id, "properties:\n  id: {const: order-sync}"))
    exceptions = write(tmp_path, "exceptions.yaml", f"exceptions:\n  - {{rule: {long_id}, subject: order-sync, "
                                                    "reason: accepted, owner: lee.sy, expires: 2030-01-01}\n")
    result = run_in_subprocess("check", str(org), "--as-of", "2026-01-01", "--policies", str(tmp_path / "rules"),
                               "--exceptions", str(exceptions))
    assert result.returncode == 2, result.stdout + result.stderr
    shown = "'PL" + "1" * 95 + "...'"
    assert (f"{tmp_path}/rules/acme002.yaml:1:5: error: expected a rule id such as PL101 or ACME7: capitals, ending "
            f"in digits, found the string {shown} (at id)") in result.stdout.splitlines(), result.stdout
    assert (f"{exceptions}:2:12: error: expected a rule id such as PL104, found the string {shown} "
            "(at exceptions[0].rule)") in result.stdout.splitlines(), result.stdout


# -- every number is bounded before it is converted ----------------------------------------------------------------

FIXTURES = REPO / "tests" / "sources" / "fixtures"
HUGE = "9" * 5000  # past Python's int-string limit (4,300 digits): int() and json.loads raise ValueError
SCIM_USERS = (FIXTURES / "scim" / "users.json").read_text(encoding="utf-8")
GCP_IAM = (FIXTURES / "gcp" / "acme-analytics.iam.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("keys.yaml", "policylint: 1\nkeys:\n  - {id: jwt, purpose: signing, storage: kms, token_ttl: "
                      + "9" * 5000 + "d}\n",
         "keys.yaml:3:58: error: expected a duration: 90s, 15m, 24h, 90d, 2w, found the string '<redacted>...' "
         "(at keys[0].token_ttl)"),
        ("data.yaml", "policylint: 1\nresources:\n  - {id: db, type: database, records: 1" + ":59" * 3000 + "}\n",
         "data.yaml:3:39: error: expected a number of at most 30 digits (quote it to keep it as text), found one "
         "of 6,001 digits"),
        ("kms-keys.yaml", "name: projects/acme-prod/locations/europe-west1/keyRings/customer-data/cryptoKeys/"
                          "orders-db\ncreateTime: '2023-02-01T10:00:00.123456789Z'\npurpose: ENCRYPT_DECRYPT\n"
                          "rotationPeriod: " + "9" * 400 + "s\n"
                          "primary: {name: projects/acme-prod/locations/europe-west1/keyRings/customer-data/cryptoKeys/"
                          "orders-db/cryptoKeyVersions/1, state: ENABLED, protectionLevel: HSM, "
                          "createTime: '2025-11-16T10:00:00Z'}\n",
         "kms-keys.yaml:4:17: error: expected rotationPeriod to be a duration in seconds such as 7776000s, found the "
         "string '<redacted>...'"),
        ("stack.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B: {Type: AWS::S3::Bucket, Properties: "
                       "{Tags: [{Key: records, Value: '" + "9" * 5000 + "'}]}}\n",
         "stack.yaml:3:50: error: expected the 'records' tag to be a whole number, found '" + "9" * 5000 + "'"),
        ("stack.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  K: {Type: AWS::KMS::Key, Properties: "
                       "{EnableKeyRotation: true, RotationPeriodInDays: '" + "9" * 5000 + "'}}\n",
         "stack.yaml:3:88: error: expected 'RotationPeriodInDays' to be a number of days, found '" + "9" * 5000
         + "'"),
        ("users.json",
         SCIM_USERS.replace('"totalResults": 4', f'"totalResults": {HUGE}'),
         "users.json:3:19: error: expected a number of at most 30 digits (quote it to keep it as text), found one of "
         "5,000 digits"),
        ("acme-analytics.iam.json",
         GCP_IAM.replace('"version": 3', f'"version": {HUGE}'),
         "acme-analytics.iam.json:29:14: error: expected a number of at most 30 digits (quote it to keep it as text), "
         "found one of 5,000 digits"),
    ],
    ids=["native token_ttl", "sexagesimal records", "gcp rotationPeriod", "cloudformation records tag",
         "cloudformation rotation days", "scim json", "gcp iam json"],
)
def test_a_number_or_duration_too_long_to_convert_is_a_located_error(tmp_path: Path, name: str, text: str,
                                                                     expected: str) -> None:
    path = write(tmp_path, name, text)
    result = run_cli("check", str(path), "--as-of", "2026-01-01")
    assert result.code == 2, result.out + result.err
    assert f"{tmp_path}/{expected}" in result.out.splitlines(), result.out


@pytest.mark.parametrize("show", ["9" * 5000, "²"], ids=["past the int limit", "a digit int() does not read"])
def test_a_show_count_int_cannot_read_is_a_usage_error(tmp_path: Path, show: str) -> None:
    org = write(tmp_path, "org.yaml", ORG)
    result = run_cli("reach", str(org), "--as-of", "2026-01-01", "--show", show)
    assert result.code == 2, result.out + result.err
    assert f"expected --show to be a positive number or 'all', found {show!r}" in result.out + result.err


@pytest.mark.parametrize(("key", "where", "shown"), [("1", "7:5", "the number 1"), ("true", "7:5", "the boolean true"),
                                                     ("null", "7:5", "null")])
def test_a_key_yaml_reads_as_no_text_is_a_located_error(tmp_path: Path, key: str, where: str, shown: str) -> None:
    """`properties: {1: …}`: a facts document's keys are text; a number as a key crashed the hook's cache key and
    the evidence plan (exit 3) instead of being the rule's error."""
    result = check_with(tmp_path, rule("ACME002", f"properties:\n  {key}: {{const: x}}\n  status: {{const: y}}"))
    assert result.code == 2, result.out + result.err
    assert (f"{tmp_path}/rules/acme002.yaml:{where}: error: expected each key of match to be text, found {shown}"
            in result.out.splitlines()), result.out
    assert DEPARTED_KEY in result.out and SERVICE in result.out


def test_a_rule_file_that_leads_out_of_its_folder_or_to_a_device_is_not_read(tmp_path: Path) -> None:
    """A committed link in a rules folder to `/dev/zero` grew without bound (a FIFO would hang), and one to a file
    elsewhere was read and its values echoed in errors: each is that rule file's located error."""
    write(tmp_path, "elsewhere/private.yaml", "id: AcmeInternal7\ntitle: secret plans\n")
    rules = tmp_path / "rules"
    write(tmp_path, "rules/acme001.yaml", GOOD_RULE)
    (rules / "acme002.yaml").symlink_to("/dev/zero")
    (rules / "acme003.yaml").symlink_to(tmp_path / "elsewhere" / "private.yaml")
    write(tmp_path, "rules/big/README", "")
    org = write(tmp_path, "org.yaml", ORG)
    result = run_in_subprocess("check", str(org), "--as-of", "2026-01-01", "--policies", str(rules), timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{rules}/acme002.yaml:1:1: error: expected ") for line in lines), result.stdout
    assert any(line.startswith(f"{rules}/acme003.yaml:1:1: error: expected ") for line in lines), result.stdout
    assert "AcmeInternal7" not in result.stdout + result.stderr
    assert DEPARTED_KEY in result.stdout and SERVICE in result.stdout
