"""`check --changed`, the pre-commit hook: what the staged tree adds to HEAD, wherever the finding is located.

Each case is a commit that passed the old hook (which reported only findings located in the changed files)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from helpers import git, run_cli, write
from org import HOOK_CREDENTIALS as CREDENTIALS
from org import HOOK_KEYS as KEYS
from org import HOOK_PEOPLE as PEOPLE
from org import HOOK_SERVICES as SERVICES
from org import SECOND_KEY, make_hook_org

AS_OF = "2026-12-01"
LEAVER_READS_THE_KEY = KEYS.replace("readable_by: [auth-platform]", "readable_by: [auth-platform, kim-console]")
COMMIT = ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m"]



@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean organisation, committed: no finding at HEAD."""
    make_hook_org(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, *COMMIT, "clean")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def hook(*args: str) -> tuple[int, list[tuple[str, str, str]], dict[str, object]]:
    """Everything staged (as `git commit -a` would), then the hook: exit code, (rule, subject, file:line) of each
    reported finding, and the JSON report."""
    git(Path.cwd(), "add", "-A")
    result = run_cli("check", "--changed", "--format", "json", "--as-of", AS_OF, *args)
    report = json.loads(result.out)
    found = [(f["rule"], f["subject"]["id"], f"{f['location']['file']}:{f['location']['line']}")
             for f in report["findings"]]
    return result.code, found, report


def test_a_clean_tree_passes(repo: Path) -> None:
    assert hook()[:2] == (0, [])


def test_a_second_key_blocks_though_the_finding_is_on_the_service_in_another_file(repo: Path) -> None:
    (repo / "inv/credentials.yaml").write_text(CREDENTIALS.lstrip() + SECOND_KEY)
    code, found, _ = hook()
    assert (code, found) == (1, [("PL106", "order-sync", "inv/services.yaml:3")])
    text = run_cli("check", "--changed", "--as-of", AS_OF)
    assert "new since HEAD:\ninv/services.yaml:3:5: LOW PL106 order-sync has 2 active access keys" in text.out


def test_a_departed_persons_account_among_a_keys_readers_blocks(repo: Path) -> None:
    write(repo, "inv/keys.yaml", LEAVER_READS_THE_KEY)
    code, found, _ = hook()
    assert code == 1
    assert ("PL102", "kim.jh", "inv/people.yaml:3") in found  # located on the person, in a file not changed
    assert ("PL900", "kim.jh", "inv/people.yaml:3") in found


def test_deleting_a_file_others_still_name_blocks(repo: Path) -> None:
    git(repo, "rm", "-q", "inv/services.yaml")
    code, found, _ = hook()
    assert (code, found) == (1, [("PL001", "ak-1", "inv/credentials.yaml:3"),
                                 ("PL001", "auth-jwt-signing", "inv/keys.yaml:3")])


def test_findings_already_at_head_do_not_block_and_a_harmless_change_passes(repo: Path) -> None:
    (repo / "inv/credentials.yaml").write_text(CREDENTIALS.lstrip() + SECOND_KEY)
    git(repo, "add", "-A")
    git(repo, *COMMIT, "legacy: two keys")
    assert run_cli("check", "--as-of", AS_OF).code == 1  # the legacy finding is there
    write(repo, "inv/people.yaml", PEOPLE + "  - {id: data-eng, members: [lee.sy]}\n")
    assert hook()[:2] == (0, [])


def test_an_input_error_anywhere_blocks(repo: Path) -> None:
    write(repo, "inv/keys.yaml", KEYS + "  - {id: broken\n")
    git(repo, "add", "-A")
    result = run_cli("check", "--changed", "--as-of", AS_OF)
    assert result.code == 2 and "inv/keys.yaml:" in result.out + result.err


def test_a_finding_that_gets_worse_blocks_and_says_what_is_new(repo: Path) -> None:
    """At HEAD the signing key (last rotated before kim left) is readable by kim: a legacy PL301. The commit adds
    another leaver to the readers: the same finding, worse."""
    write(repo, "inv/keys.yaml", KEYS.replace("rotated: 2026-10-01", "rotated: 2025-01-01"))
    write(repo, "inv/people.yaml", PEOPLE.replace("members: [lee.sy]", "members: [lee.sy, kim.jh]"))
    git(repo, "add", "-A")
    git(repo, *COMMIT, "legacy: kim reads the key through the group")
    assert "CRITICAL PL301 signing key auth-jwt-signing" in run_cli("check", "--as-of", AS_OF).out  # legacy
    write(repo, "inv/people.yaml", PEOPLE.replace("members: [lee.sy]", "members: [lee.sy, kim.jh, mo.k]").replace(
        "  - {id: lee.sy, status: active}",
        "  - {id: lee.sy, status: active}\n  - {id: mo.k, status: departed, departed: 2026-11-01}"))
    code, found, report = hook()
    assert code == 1 and ("PL301", "auth-jwt-signing", "inv/keys.yaml:3") in found
    [worse] = [f for f in report["findings"] if f["rule"] == "PL301"]  # type: ignore[attr-defined]
    assert worse["message"].endswith("(worse than at the base: + mo.k (departed 2026-11-01))")


def test_the_first_commit_of_a_new_repository_is_compared_with_nothing(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "inv/people.yaml", PEOPLE)
    write(tmp_path, "inv/credentials.yaml", CREDENTIALS.replace("holders: [lee.sy]", "holders: [kim.jh]"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--changed", "inv", "--as-of", AS_OF)
    assert result.code == 1 and "PL101" in result.out


def test_the_cached_base_gives_the_same_answer_as_a_full_run(repo: Path) -> None:
    write(repo, "inv/keys.yaml", LEAVER_READS_THE_KEY)
    first = hook()
    cache = list((repo / ".git/policylint").glob("base-*.json"))
    assert len(cache) == 2  # HEAD's, and what is staged, kept for when it is HEAD
    second = hook()
    assert second == first
    for entry in cache:
        entry.write_text("{not json")  # a broken cache is rebuilt, never trusted
    assert hook() == first
    assert git(repo, "status", "--porcelain") == "M  inv/keys.yaml\n"  # nothing written to the working tree


def test_what_is_not_staged_is_not_part_of_the_commit(repo: Path) -> None:
    """An untracked file the staged change relies on, an unstaged revert of a staged problem, a file untracked with
    `git rm --cached`: the hook judges the commit, not the working tree."""
    write(repo, "inv/more.yaml", "policylint: 1\nprincipals:\n  - {id: billing-svc, type: service, owner: lee.sy}\n")
    write(repo, "inv/people.yaml", PEOPLE.replace("members: [lee.sy]", "members: [lee.sy, billing-svc]"))
    git(repo, "add", "inv/people.yaml")  # more.yaml is forgotten: the commit names billing-svc, defined nowhere
    result = run_cli("check", "--changed", "--format", "json", "--as-of", AS_OF)
    assert result.code == 1
    assert [(f["rule"], f["subject"]["id"]) for f in json.loads(result.out)["findings"]] == [("PL001", "auth-platform")]
    git(repo, "reset", "-q", "--hard")
    (repo / "inv/more.yaml").unlink()

    write(repo, "inv/credentials.yaml", CREDENTIALS.replace("holders: [lee.sy]", "holders: [kim.jh]"))
    git(repo, "add", "-A")
    write(repo, "inv/credentials.yaml", CREDENTIALS)  # the staged problem, hidden by an unstaged revert
    result = run_cli("check", "--changed", "--as-of", AS_OF)
    assert result.code == 1 and "CRITICAL PL101 access_key ak-1 is active but held by kim.jh" in result.out
    git(repo, "reset", "-q", "--hard")

    git(repo, "rm", "-q", "--cached", "inv/services.yaml")  # still on disk, deleted from the commit
    result = run_cli("check", "--changed", "--format", "json", "--as-of", AS_OF)
    assert result.code == 1 and [(f["rule"], f["subject"]["id"]) for f in json.loads(result.out)["findings"]] == [
        ("PL001", "ak-1"), ("PL001", "auth-jwt-signing")]


def test_a_file_no_longer_read_is_not_resolved(repo: Path) -> None:
    """Excluding a file with findings, or making it unrecognisable, is no fix: PL901 says so, and blocks."""
    write(repo, "inv/credentials.yaml", CREDENTIALS.replace("holders: [lee.sy]", "holders: [kim.jh]"))
    git(repo, "add", "-A")
    git(repo, *COMMIT, "legacy: kim's key")
    write(repo, ".policylint.yaml", "paths: [inv]\nexclude: [inv/credentials.yaml]\n")
    code, found, report = hook()
    assert code == 1 and ("PL901", "inv/credentials.yaml", "inv/credentials.yaml:1") in found
    [unread] = [f for f in report["findings"] if f["rule"] == "PL901"]  # type: ignore[attr-defined]
    assert unread["message"].startswith("inv/credentials.yaml was read at the base and is not read now (excluded")
    git(repo, "reset", "-q", "--hard")
    write(repo, ".policylint.yaml", "paths: [inv/people.yaml, inv/services.yaml, inv/keys.yaml]\n")
    code, found, _ = hook()
    assert code == 1 and ("PL901", "inv/credentials.yaml", "inv/credentials.yaml:1") in found


def test_a_broken_rule_of_the_working_tree_is_its_error_not_the_bases(repo: Path) -> None:
    rule = (Path(__file__).resolve().parents[2] / "policies" / "PL101.yaml").read_text()
    broken = rule.replace("id: PL101", "id: ACME101").replace("references:", "references: []\nx:")
    write(repo, "rules/ACME101.yaml", broken)
    result = run_cli("check", "--changed", "--as-of", AS_OF, "--policies", "rules")
    assert result.code == 2 and "rules/ACME101.yaml" in result.out + result.err
    assert "at HEAD" not in result.out + result.err


def test_a_commit_outside_the_inventory_keeps_the_cached_base(repo: Path) -> None:
    write(repo, "README.md", "infra\n")
    git(repo, "add", "-A")
    assert hook()[:2] == (0, [])
    [cached] = list((repo / ".git/policylint").glob("base-*.json"))
    git(repo, *COMMIT, "docs")
    assert hook()[:2] == (0, [])  # a new HEAD, but the inventory's paths hold the same files: the same entry
    assert list((repo / ".git/policylint").glob("base-*.json")) == [cached]


def test_a_configuration_that_checks_less_does_not_pass_its_own_review(repo: Path) -> None:
    """Both sides are judged by the working tree's settings: ignoring a rule in the same commit as the problem it
    would report removes it from both. PL902 shows the change instead."""
    write(repo, "inv/credentials.yaml", CREDENTIALS.replace("holders: [lee.sy]", "holders: [kim.jh]"))
    write(repo, ".policylint.yaml", "paths: [inv]\nignore: [PL1, PL9]\ncustomer-data: [nothing*]\n")
    code, found, report = hook()
    assert code == 1 and found == [("PL902", ".policylint.yaml", ".policylint.yaml:1")]
    [changed] = report["findings"]  # type: ignore[misc]
    assert changed["message"] == (".policylint.yaml changes what is checked: customer-data: [] → [nothing*]; "
                                  "ignore: [] → [PL1, PL9]")
    git(repo, *COMMIT, "approved")
    assert hook()[:2] == (0, [])  # once on the base, it is not raised again


def test_run_from_outside_the_repository_with_its_config(repo: Path, tmp_path_factory: pytest.TempPathFactory,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "inv/credentials.yaml").write_text(CREDENTIALS.lstrip() + SECOND_KEY)
    git(repo, "add", "-A")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(elsewhere.parent))
    result = run_cli("check", "--changed", "--config", str(repo / ".policylint.yaml"), "--as-of", AS_OF)
    assert result.code == 1 and "LOW PL106 order-sync has 2 active access keys" in result.out, result.out + result.err


REPORT_HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
                 "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
                 "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
                 "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
                 "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
                 "cert_2_active,cert_2_last_rotated\n")
LEAVER_ROW = ("choi.dh,arn:aws:iam::111122223333:user/choi.dh,2022-01-10T09:00:00+00:00,true,"
              "2026-11-20T08:00:00+00:00,2026-01-10T09:00:00+00:00,N/A,true,true,2026-06-01T09:00:00+00:00,"
              "2026-11-28T10:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")


@pytest.mark.parametrize("how", ["deleted", "renamed", "excluded"])
def test_taking_the_roster_away_does_not_resolve_the_leavers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             how: str) -> None:
    """A leaver's active key is PL101 while the roster is read; deleting, renaming or excluding the roster makes
    the leaver unknowable, not fixed: PL903 blocks the commit."""
    write(tmp_path, "aws/credential-report.csv", REPORT_HEADER + LEAVER_ROW)
    write(tmp_path, "hr/roster.csv", "user_name,email,status,termination_date\n"
                                     "choi.dh,choi.dh@shopco.example,terminated,2025-05-30\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, *COMMIT, "legacy: a leaver's key")
    monkeypatch.chdir(tmp_path)
    assert {f[0] for f in hook()[1]} == set()  # HEAD already has the PL101s: nothing new
    if how == "deleted":
        git(tmp_path, "rm", "-q", "hr/roster.csv")
    elif how == "renamed":
        git(tmp_path, "mv", "hr/roster.csv", "hr/roster.csv.bak")
    else:
        write(tmp_path, ".policylint.yaml", "exclude: [hr]\n")
    code, found, report = hook()
    assert code == 1 and ("PL903", "hr/roster.csv", "hr/roster.csv:1") in found, found
    [gone] = [f for f in report["findings"] if f["rule"] == "PL903"]  # type: ignore[attr-defined]
    assert gone["message"].startswith("hr/roster.csv held the HR roster at the base, and no roster is read now")


def test_a_configuration_file_the_commit_adds_is_judged_against_none(repo: Path) -> None:
    """The base had no configuration file: a new one that ignores a rule or excludes a folder changes what is
    checked (PL902), and a file it excludes is no longer read (PL901)."""
    write(repo, ".policylint.yaml", "ignore: [PL101]\nexclude: [inv/keys.yaml]\n")
    code, found, _ = hook()
    assert code == 1 and ("PL902", ".policylint.yaml", ".policylint.yaml:1") in found, found
    assert ("PL901", "inv/keys.yaml", "inv/keys.yaml:1") in found


def test_a_pinned_folder_that_git_ignores_does_not_fail_every_commit(repo: Path) -> None:
    """The hook reads a copy of what is staged: a `gcp-projects` glob of a local, gitignored dump folder matches
    nothing there, and that is no error of the commit (`check` on the working tree judges the glob)."""
    write(repo, ".gitignore", "local-dumps/\n")
    write(repo, "local-dumps/prod/iam-policy.json", '{"bindings": [{"role": "roles/viewer", '
                                                    '"members": ["user:kim@example.com"]}]}')
    write(repo, ".policylint.yaml", 'gcp-projects:\n  "local-dumps/prod/*": prod-data\n')
    git(repo, "add", "-A")
    git(repo, *COMMIT, "pin a local dump")
    write(repo, "inv/notes.yaml", "policylint: 1\n")
    code, _, report = hook()
    assert report["errors"] == [] and code in (0, 1), report["errors"]


def test_one_roster_of_two_taken_away_blocks_and_a_renamed_roster_does_not(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting the SCIM roster while a one-person native file remains still takes the leavers away (PL903); a
    roster re-exported under a new name is a new file holding people, not a loss."""
    write(tmp_path, "aws/credential-report.csv", REPORT_HEADER + LEAVER_ROW)
    write(tmp_path, "hr/roster.csv", "user_name,email,status,termination_date\n"
                                     "choi.dh,choi.dh@shopco.example,terminated,2025-05-30\n")
    write(tmp_path, "hr/contractors.yaml", "policylint: 1\npeople: [{id: vendor.x, status: active}]\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, *COMMIT, "two rosters")
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "mv", "hr/roster.csv", "hr/roster-2026-12.csv")
    code, found, _ = hook()
    assert "PL903" not in {f[0] for f in found}, found
    git(tmp_path, "reset", "-q", "--hard")
    git(tmp_path, "rm", "-q", "hr/roster.csv")
    code, found, report = hook()
    assert code == 1 and ("PL903", "hr/roster.csv", "hr/roster.csv:1") in found, found
    [gone] = [f for f in report["findings"] if f["rule"] == "PL903"]  # type: ignore[attr-defined]
    assert "only hr/contractors.yaml is read now" in gone["message"]


def test_the_hooks_file_cache_is_kept_in_the_repository_not_the_users_folder(
        repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook reads copies of the staged and HEAD trees in temporary folders: their files' cache belongs to the
    repository they came from (deleting `.git/policylint` clears it), never to the user's cache folder."""
    own = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(own))
    write(repo, "org/notes.yaml", "# nothing\n")
    assert hook()[0] == 0
    assert list((repo / ".git" / "policylint" / "fragments").rglob("*.json"))
    assert not (own / "policylint" / "fragments").exists()


def test_no_cache_analyses_head_again(repo: Path) -> None:
    """`--no-cache` trusts no cache: a HEAD analysis altered on disk is not read."""
    assert hook()[0] == 0
    for cached in (repo / ".git" / "policylint").glob("base-*.json"):
        document = json.loads(cached.read_text())
        document["reached"] = {}  # as if nobody reached anything at HEAD: every path would be new
        cached.write_text(json.dumps(document))
    write(repo, "inv/notes.yaml", "# a staged tree not analysed yet\n")  # else both sides are the altered cache
    assert hook("--no-cache")[:2] == (0, [])
    assert hook()[0] == 1  # the altered cache, trusted without --no-cache, is what the test altered


def test_heads_cached_analysis_reads_back_equal_with_each_reached_set_written_once(tmp_path: Path) -> None:
    from policylint import basecache
    from policylint.evidence import Digests, evidence_json
    from policylint.pipeline import run
    from policylint.settings import Settings

    from helpers import REPO

    git(tmp_path, "init", "-q")
    result = run(Settings((str(REPO / "examples" / "acme"),), date(2026, 11, 27), cache=False))
    findings = tuple(result.report.findings)
    base = basecache.Base(basecache.Findings(findings), {"kim.jh": frozenset({"orders-db"}),
                                                         "lee.sy": frozenset({"orders-db"})}, ())
    basecache.store(tmp_path, "k" * 64, base)
    [index] = (tmp_path / ".git/policylint").glob("base-*.json")
    document = json.loads(index.read_text())
    distinct = {f.evidence.reached for f in findings}
    assert len(document["reached_sets"]) == len(distinct) < len(findings)
    assert len(document["reach_sets"]) == 1  # one set, reached by two
    again = basecache.load(tmp_path, "k" * 64)
    assert again is not None and again.reached == base.reached
    digests = Digests()
    for finding in findings:  # the digest settles most findings without reading the findings file
        assert again.findings.digest(finding.fingerprint) == digests.digest(finding.evidence)
    assert again.findings.all() == list(findings)
    assert [evidence_json(f.evidence) for f in again.findings.all()] == [evidence_json(f.evidence) for f in findings]
    # as made: each list's members in order and as a message names them ("+ kim.jh (departed 2025-06-14)")
    assert [f.evidence for f in again.findings.all()] == [f.evidence for f in findings]
    assert any(m.shown != m.key for f in findings for _, members in f.evidence.lists for m in members)


def test_a_findings_file_that_is_not_what_the_index_says_is_never_read(tmp_path: Path) -> None:
    from policylint import basecache
    from policylint.pipeline import run
    from policylint.settings import Settings

    from helpers import REPO

    git(tmp_path, "init", "-q")
    result = run(Settings((str(REPO / "examples" / "acme"),), date(2026, 11, 27), cache=False))
    base = basecache.Base(basecache.Findings(result.report.findings), {}, ())
    basecache.store(tmp_path, "k" * 64, base)
    [body] = (tmp_path / ".git/policylint").glob("base-*.jsonl")
    original = body.read_bytes()
    for damaged in (original[:-10], original.replace(b"PL101", b"PL109", 1), original + b"\n"):
        body.write_bytes(damaged)
        assert basecache.load(tmp_path, "k" * 64) is None
    body.unlink()
    body.symlink_to(tmp_path / "elsewhere.jsonl")
    (tmp_path / "elsewhere.jsonl").write_bytes(original)
    assert basecache.load(tmp_path, "k" * 64) is None  # never through a link
    body.unlink()
    body.write_bytes(original)
    assert basecache.load(tmp_path, "k" * 64) is not None


def test_an_unstaged_exception_does_not_pass_a_staged_problem(repo: Path) -> None:
    """The exceptions file (like the configuration, rules and baseline) is read from the working tree: with changes
    that are not staged it would judge the commit by something the commit does not contain. The hook says so, and
    fails, until they are staged or stashed."""
    write(repo, ".policylint.yaml", "paths: [inv]\nexceptions: exceptions.yaml\n")
    write(repo, "exceptions.yaml", "exceptions: []\n")
    git(repo, "add", "-A")
    git(repo, *COMMIT, "exceptions")
    write(repo, "inv/credentials.yaml", CREDENTIALS.replace("holders: [lee.sy]", "holders: [kim.jh]"))
    git(repo, "add", "inv/credentials.yaml")
    write(repo, "exceptions.yaml", "exceptions:\n  - {rule: PL101, subject: ak-1, reason: migrating, owner: lee.sy, "
                                   "expires: 2027-01-31}\n")  # written, never staged
    result = run_cli("check", "--changed", "--as-of", AS_OF)
    assert result.code == 2
    assert "exceptions.yaml:1:1: error: expected it as staged, found changes that are not" in result.out
    git(repo, "add", "exceptions.yaml")  # staged: the commit carries the exception it is judged by
    result = run_cli("check", "--changed", "--as-of", AS_OF)
    assert "expected it as staged" not in result.out and "1 suppressed" in result.out and "PL101" not in result.out
    assert result.code == 1  # the new path to customer data (PL900) is no exception's
    (repo / "exceptions.yaml").unlink()  # deleted in the working tree only
    assert run_cli("check", "--changed", "--as-of", AS_OF).code == 2
    git(repo, "rm", "-q", "--cached", "exceptions.yaml")
    write(repo, ".gitignore", "exceptions.yaml\n")  # kept out of every commit by git, and still read
    write(repo, "exceptions.yaml", "exceptions:\n  - {rule: PL101, subject: ak-1, reason: local, owner: lee.sy, "
                                   "expires: 2027-01-31}\n")
    git(repo, "add", ".gitignore")
    result = run_cli("check", "--changed", "--as-of", AS_OF)
    assert result.code == 2 and "exceptions.yaml:1:1: error: expected it as staged" in result.out


def test_unstaged_configuration_fails_visibly_but_pyproject_only_for_its_policylint_table(repo: Path) -> None:
    write(repo, ".policylint.yaml", "paths: [inv]\nfail-on: low\n")
    git(repo, "add", "-A")
    git(repo, *COMMIT, "configured")
    write(repo, ".policylint.yaml", "paths: [inv]\nfail-on: low\nignore: [PL1]\n")  # not staged
    result = run_cli("check", "--changed", "--as-of", AS_OF)
    assert result.code == 2 and ".policylint.yaml:1:1: error: expected it as staged" in result.out
    git(repo, "checkout", "--", ".policylint.yaml")
    (repo / ".policylint.yaml").unlink()
    git(repo, "rm", "-q", "--cached", ".policylint.yaml")
    write(repo, "pyproject.toml", '[project]\nname = "infra"\n\n[tool.policylint]\npaths = ["inv"]\n')
    git(repo, "add", "-A")
    git(repo, *COMMIT, "pyproject")
    write(repo, "pyproject.toml", '[project]\nname = "infra"\nversion = "2"\n\n[tool.policylint]\npaths = ["inv"]\n')
    assert run_cli("check", "--changed", "--as-of", AS_OF).code == 0  # other business of pyproject.toml: not ours
    write(repo, "pyproject.toml", '[project]\nname = "infra"\n\n[tool.policylint]\npaths = ["inv"]\nignore = ["PL1"]\n')
    result = run_cli("check", "--changed", "--as-of", AS_OF)
    assert result.code == 2 and "expected [tool.policylint] as staged" in result.out and "ignore" in result.out


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The trees the hook analyses (each run of the pipeline: HEAD's, the staged one), by their first path."""
    from policylint import diff, diffbase
    from policylint.pipeline import run

    seen: list[str] = []

    def counted(*args: object, **kwargs: object) -> object:
        seen.append(str(args[0].paths[0]))  # type: ignore[attr-defined]
        return run(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(diff, "run", counted)
    monkeypatch.setattr(diffbase, "run", counted)
    return seen


def test_a_commit_the_inventory_is_not_in_is_told_from_heads_analysis(repo: Path, analyses: list[str]) -> None:
    """A commit of code or documentation beside the inventory: the staged inventory is HEAD's, whose analysis is
    cached, so nothing is read again and the answer is the full comparison's."""
    write(repo, "inv/people.yaml", PEOPLE.replace("status: active", "status: departed, departed: 2026-11-01"))
    git(repo, "add", "-A")
    git(repo, *COMMIT, "lee.sy left")  # findings at HEAD now: none of them is new
    write(repo, "README.md", "# access configuration\n")
    first = hook()
    assert analyses  # HEAD analysed once, the first time
    analyses.clear()
    write(repo, "docs/how.md", "reviewed\n")
    again = hook()
    assert analyses == []  # told from HEAD's cached analysis: no tree read
    assert again == first == hook("--no-cache") and again[:2] == (0, [])


def test_a_hook_run_again_on_the_same_staged_tree_is_told_from_two_caches(repo: Path, analyses: list[str]) -> None:
    """The commit blocked, the hook tried again with nothing changed: the staged tree was kept when it was judged,
    so the same new and worse findings come from the caches alone; with a new path to customer data (PL900 shows a
    path, which needs the graph) the staged tree is analysed again."""
    write(repo, "inv/credentials.yaml", CREDENTIALS + SECOND_KEY)  # a second key: worse than at HEAD
    write(repo, "inv/keys.yaml", KEYS.replace("rotated: 2026-10-01", "rotated: 2025-10-01"))
    first = hook()
    assert first[0] == 1 and first[1]
    analyses.clear()
    again = hook()
    assert analyses == [] and again == first == hook("--no-cache")
    write(repo, "inv/more.yaml", "policylint: 1\npeople:\n  - {id: park.ms, status: active}\nroles:\n"
                                 "  - id: reporting\n    assumable_by: [park.ms]\n"
                                 "    grants:\n      - {resource: customer-db, actions: [read]}\n")
    gained = hook()
    assert ("PL900", "park.ms", "inv/more.yaml:3") in gained[1], gained[1]
    analyses.clear()
    assert hook()[:2] == gained[:2] and analyses  # a path to show: the staged tree analysed again


def test_inline_ignore_comments_are_told_from_the_caches_an_exceptions_file_by_a_run(repo: Path,
                                                                                      analyses: list[str]) -> None:
    """A cached side is judged with its inline comments, and keeps what they suppressed: the hook run again says
    what a run says, suppressed findings and stale comments included. An exceptions file is the working tree's: a
    cached side is judged without it, so with one the staged tree is analysed."""
    write(repo, "inv/credentials.yaml", CREDENTIALS + SECOND_KEY)  # PL106 on order-sync: two keys
    write(repo, "inv/services.yaml", SERVICES.replace(
        "owner: lee.sy}", 'owner: lee.sy}  # policylint: ignore PL106 reason="rotating" expires=2027-01-31'))
    write(repo, "inv/keys.yaml", KEYS.replace(
        "token_ttl: 1h}", 'token_ttl: 1h}  # policylint: ignore PL001 reason="nothing to ignore" expires=2027-01-31'))
    first = hook("--show-suppressed")
    assert first[2]["suppressed"] and first[2]["notices"]
    analyses.clear()
    again = hook("--show-suppressed")
    assert analyses == []  # told from the caches
    assert again == first == hook("--show-suppressed", "--no-cache")
    text = [run_cli("check", "--changed", "--as-of", AS_OF, *extra).out for extra in ((), ("--no-cache",))]
    assert text[0] == text[1] and "1 suppressed" in text[0]
    write(repo, "exceptions.yaml", "exceptions: []\n")
    write(repo, ".policylint.yaml", "paths: [inv]\nexceptions: exceptions.yaml\n")
    write(repo, "inv/credentials.yaml", CREDENTIALS)
    hook()
    analyses.clear()
    hook()
    assert analyses


def test_a_symbolic_link_in_the_inventory_leaves_the_hook_working(repo: Path) -> None:
    """A link among the staged paths: the staged tree has no id before the commit, so nothing is told from the
    cache and nothing is kept, and the hook still answers, as a full comparison does (it crashed with exit 3)."""
    (repo / "inv" / "keys-alias.yaml").symlink_to("keys.yaml")
    git(repo, "add", "-A")
    git(repo, *COMMIT, "an alias")
    write(repo, "src/app.py", "print('hello')\n")
    assert hook() == hook("--no-cache") and hook()[:2] == (0, [])
    write(repo, "inv/people.yaml", PEOPLE.replace("status: active", "status: departed, departed: 2026-11-01"))
    left = hook()
    assert left == hook() == hook("--no-cache") and left[0] == 1


def test_findings_are_in_the_same_order_told_from_the_caches_or_by_a_run(repo: Path) -> None:
    """A file no longer read (PL901, named in the working tree) among findings of the staged copy: ordered by the
    names shown, whichever way the report was made."""
    write(repo, "inv/a-teams.yaml", "policylint: 1\ngroups:\n  - {id: reviewers, members: [lee.sy]}\n")
    git(repo, "add", "-A")
    git(repo, *COMMIT, "reviewers")
    write(repo, "inv/a-teams.yaml", '{"hello": 1}\n')  # not an inventory any more, named first
    write(repo, "inv/people.yaml", PEOPLE.replace("status: active", "status: departed, departed: 2026-11-01"))
    first = hook()
    assert first[1][0][0] == "PL901" and len(first[1]) > 2
    assert hook() == first == hook("--no-cache")
    text = [run_cli("check", "--changed", "--as-of", AS_OF, *extra).out for extra in ((), ("--no-cache",))]
    assert text[0] == text[1]


def test_heads_analysis_outlives_the_staged_trees_tried_before_a_commit(repo: Path, analyses: list[str]) -> None:
    """Each staged tree the hook judges is kept; HEAD's analysis, read by every hook, is kept too however many
    trees a developer tries before committing (it was pruned after four)."""
    from policylint import basecache

    for number in range(basecache.KEEP * 2):
        write(repo, "inv/notes.yaml", f"# attempt {number}\n")
        analyses.clear()
        hook()
        if number:  # the staged tree only: HEAD was cached
            assert len(analyses) == 1 and "policylint-staged-" in analyses[0], number


def test_a_finding_carried_from_another_base_is_judged_again_when_it_is_new(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A staged tree's kept analysis carries the lines of the nodes it did not judge from the HEAD it was judged
    against, evidence paths included (a path is not in a node's digest). Against another HEAD (a commit reverted,
    a branch switched), such a finding can be new: it is judged by a run, so its path is this tree's."""
    from helpers import REPO

    shutil.copytree(REPO / "examples" / "acme", tmp_path / "acme")
    write(tmp_path, ".policylint.yaml", "paths: [acme]\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, *COMMIT, "B1")  # PL108 on ssh-db-maintenance, whose path crosses customer-db-admin's grant
    monkeypatch.chdir(tmp_path)
    roles = tmp_path / "acme" / "roles.yaml"
    roles.write_text(roles.read_text().replace("- {resource: customers-db, actions: [admin]}",
                                               "- {resource: customers-db, actions: [admin, read]}"))
    hook()  # T1 judged against B1, and kept: PL108's line carried from B1
    git(tmp_path, *COMMIT, "T1")
    credentials = tmp_path / "acme" / "credentials.yaml"
    credentials.write_text(credentials.read_text().replace("holders: [lindqvist.e, tanaka.y]",
                                                           "holders: [lindqvist.e]"))
    hook()
    git(tmp_path, *COMMIT, "P2")  # PL108 gone
    git(tmp_path, "revert", "--no-edit", "--no-commit", "HEAD")  # T1 staged again: PL108 new against P2
    told = hook()
    assert ("PL108", "ssh-db-maintenance") in {(rule, subject) for rule, subject, _ in told[1]}
    assert told == hook("--no-cache")


def test_verbose_says_what_came_from_the_cache(repo: Path) -> None:
    """Why a hook was slow is on standard error with `-v`: each side read from the cache or analysed."""
    write(repo, "inv/people.yaml", PEOPLE.replace("status: active", "status: departed, departed: 2026-11-01"))
    git(repo, "add", "-A")
    first = run_cli("check", "--changed", "-v", "--as-of", AS_OF).err
    assert "): analysed in " in first and "(no cached analysis of its files with these settings)" in first
    assert "what is staged: analysed in " in first
    again = run_cli("check", "--changed", "-v", "--as-of", AS_OF).err
    assert "): read from its cached analysis in " in again
    assert "what is staged: told from its cached analysis and the base's (no file read)" in again
    assert "(--no-cache)" in run_cli("check", "--changed", "-v", "--no-cache", "--as-of", AS_OF).err


def test_node_digests_that_do_not_read_back_judge_every_node(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The nodes' digests are parsed only when a run compares them; text that is not what the cache wrote reads as
    no digest at all, so every node is judged: slower, never a finding less."""
    from policylint import pipeline

    assert hook()[0] == 0
    for cached in (repo / ".git" / "policylint").glob("base-*.json"):
        document = json.loads(cached.read_text())
        document["nodes"] = document["nodes"][: len(document["nodes"]) // 2]  # cut: no longer JSON
        cached.write_text(json.dumps(document))
    judged: list[int] = []
    real = pipeline.run

    def counted(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        judged.append(len(result.unevaluated))
        return result

    monkeypatch.setattr("policylint.diff.run", counted)
    write(repo, "inv/people.yaml", PEOPLE.replace("status: active", "status: departed, departed: 2026-11-01"))
    found = hook()
    assert judged == [0]  # nothing left to the base
    assert found == hook("--no-cache") and found[0] == 1


def test_diff_of_a_clean_checkout_is_told_from_the_caches(repo: Path, analyses: list[str]) -> None:
    """`diff --base HEAD~1` on a working tree whose files are HEAD's, both trees analysed before (HEAD~1 as a
    hook's base, HEAD kept by it): no file read, and what a run says. An untracked file among the paths, or a run
    from elsewhere in the repository, is read as ever."""
    write(repo, "inv/people.yaml", PEOPLE.replace("status: active", "status: departed, departed: 2026-11-01"))
    write(repo, "inv/credentials.yaml", CREDENTIALS + SECOND_KEY)
    hook()
    git(repo, *COMMIT, "lee.sy left")

    def compared(*extra: str, where: Path = repo) -> tuple[int, str]:
        with pytest.MonkeyPatch.context() as patched:
            patched.chdir(where)
            result = run_cli("diff", "--base", "HEAD~1", "--format", "json", "--as-of", AS_OF, *extra)
        return result.code, result.out

    analyses.clear()
    told = compared()
    assert analyses == [] and told[0] == 1
    assert told == compared("--no-cache")
    write(repo, "inv/draft.yaml", "policylint: 1\nroles:\n  - {id: draft, assumable_by: [lee.sy]}\n")  # untracked
    analyses.clear()
    drafted = compared()
    assert analyses and drafted == compared("--no-cache") and drafted != told
    (repo / "inv" / "draft.yaml").unlink()
    analyses.clear()
    assert compared(where=repo / "inv")[0] == 1 and analyses  # another folder names files otherwise: a run


def test_a_file_named_like_a_quoted_name_is_hashed_as_itself(repo: Path) -> None:
    """The working tree's files are hashed here as git hashes blobs: a file named `"people.yaml".yaml` is not read
    as `people.yaml` (git's `--stdin-paths` unquotes such a name, which made a changed inventory pass as the base),
    and a name with one quote is no crash."""
    write(repo, '"notes.yaml".yaml', "policylint: 1\n")
    write(repo, "notes.yaml", "policylint: 1\n")
    write(repo, ".policylint.yaml", "paths: [.]\n")
    git(repo, "add", "-A")
    git(repo, *COMMIT, "notes")
    write(repo, '"notes.yaml".yaml', "policylint: 1\nroles:\n  - id: reporting\n    assumable_by: [kim-console]\n"
                                      "    grants:\n      - {resource: customer-db, actions: [read]}\n")
    for _ in range(2):  # and then with a file whose name has one quote
        told = run_cli("diff", "--base", "HEAD", "--format", "json", "--as-of", AS_OF)
        assert told.code == 1 and '"PL900"' in told.out, told.out + told.err
        full = run_cli("diff", "--base", "HEAD", "--format", "json", "--as-of", AS_OF, "--no-cache")
        assert (told.code, told.out) == (full.code, full.out)
        write(repo, '"oops.yaml', "policylint: 1\n")


def test_a_cached_finding_that_does_not_read_back_is_judged_by_a_run(repo: Path) -> None:
    """A findings file that passes its checksum but whose lines do not read back (written so by hand, or by a bug)
    never drops a finding: the comparison is made by a run."""
    import hashlib

    write(repo, "inv/credentials.yaml", CREDENTIALS + SECOND_KEY)
    write(repo, "inv/people.yaml", PEOPLE.replace("status: active", "status: departed, departed: 2026-11-01"))
    first = hook()
    assert first[0] == 1
    for index in (repo / ".git" / "policylint").glob("base-*.json"):
        document = json.loads(index.read_text())
        index.with_suffix(".jsonl").write_bytes(b"")
        document["offsets"] = [0] * len(document["offsets"])
        document["body"] = {"sha256": hashlib.sha256(b"").hexdigest(), "size": 0}
        index.write_text(json.dumps(document))
    assert hook() == first


def test_an_ignore_comment_naming_a_rule_taken_away_is_an_error_from_the_caches_too(repo: Path) -> None:
    """An ignore comment may name any rule that loads, selected or not; taking that rule away makes the comment an
    input error. The caches are keyed by every rule that loads, so the hook run again says so too (it passed)."""
    from helpers import REPO

    (repo / "rules").mkdir()
    (repo / "rules" / "ACME101.yaml").write_text(
        (REPO / "policies" / "PL001.yaml").read_text().replace("id: PL001", "id: ACME101"))
    write(repo, ".policylint.yaml", "paths: [inv]\npolicies: [rules]\nselect: [PL]\n")
    git(repo, "add", "-A")
    git(repo, *COMMIT, "a rule of our own")
    write(repo, "inv/services.yaml", SERVICES.replace(
        "owner: lee.sy}", 'owner: lee.sy}  # policylint: ignore ACME101 reason="x" expires=2027-01-31'))
    assert hook()[0] == 0
    (repo / "rules" / "ACME102.yaml").write_text((repo / "rules" / "ACME101.yaml").read_text().replace(
        "id: ACME101", "id: ACME102"))  # renamed: the folder is still there
    (repo / "rules" / "ACME101.yaml").unlink()
    gone = hook()
    assert gone[0] == 2 and gone == hook() == hook("--no-cache")


def test_who_gains_reach_is_told_alike_from_two_cached_sides_and_from_sets() -> None:
    """Two cached sides compare who reaches what by their sets' sorted lists, making a set only where the lists
    differ: the same answer as comparing the sets, on random sides (unsorted and repeated lists included)."""
    import random

    from policylint import basecache
    from policylint.diffcached import _gains

    rng = random.Random(5)
    resources = [f"db-{n}" for n in range(6)]
    for _ in range(400):
        sides = []
        for _side in range(2):
            lists = [sorted(rng.sample(resources, rng.randrange(4))) for _ in range(rng.randrange(1, 4))]
            if rng.random() < 0.2:
                lists.append([resources[1], resources[0], resources[0]])  # as no cache writes it
            numbers = {f"id-{n}": rng.randrange(len(lists)) for n in range(rng.randrange(5)) if rng.random() < 0.8}
            sides.append(basecache.Reached(numbers, lists))
        now, before = sides
        expected = any(not now[node] <= before.get(node, frozenset()) for node in now)
        assert _gains(now, before) == expected == _gains(dict(now), dict(before))


@pytest.mark.parametrize(("before", "after", "worse"), [
    ("[read]", "[read, write]", "+ write on customer-db with no condition"),
    ("[read, write]", "[read]", None),
])
def test_widening_a_grant_anyone_holds_blocks_and_narrowing_it_passes(repo: Path, before: str, after: str,
                                                                      worse: str | None) -> None:
    """At HEAD the customer database is open to anyone for reading (a legacy PL216, critical). Letting anyone write
    it too is the same finding on the same resource, worse: before grants were compared by action, it passed."""
    open_db = "grants:\n  - {to: \"*\", resource: customer-db, actions: %s}\n"
    write(repo, "inv/open.yaml", "policylint: 1\n" + open_db % before)
    git(repo, "add", "-A")
    git(repo, *COMMIT, "legacy: the database is open")
    assert "CRITICAL PL216" in run_cli("check", "--as-of", AS_OF).out
    write(repo, "inv/open.yaml", "policylint: 1\n" + open_db % after)
    code, found, report = hook()
    if worse is None:
        assert (code, found) == (0, [])
        return
    assert code == 1 and [rule for rule, _, _ in found] == ["PL216"]
    [finding] = report["findings"]  # type: ignore[misc]
    assert finding["message"].endswith(f"(worse than at the base: {worse})")


ADMIN_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'
LIST_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", ' \
              '"Resource": "*"}]}\n'


def test_a_file_outside_the_configurations_folder_keeps_its_id_in_the_copies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The configuration in a subfolder reads `../policies`: a bare policy document's id is its path, absolute
    outside the root. Each side of the comparison is read from a temporary copy, whose folder named the id: every
    finding at HEAD was new on every commit (and resolved too), so the hook blocked every commit."""
    write(tmp_path, "security/.policylint.yaml", "paths: [../policies]\n")
    write(tmp_path, "policies/admin.json", ADMIN_POLICY)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, *COMMIT, "legacy: an admin policy")
    monkeypatch.chdir(tmp_path / "security")
    assert run_cli("check", "--as-of", AS_OF).code == 1  # the legacy PL208
    write(tmp_path, "policies/list.json", LIST_POLICY)
    assert hook()[:2] == (0, [])
    assert hook()[:2] == (0, [])  # told from the two cached analyses
    git(tmp_path, *COMMIT, "a harmless policy")
    write(tmp_path, "policies/admin2.json", ADMIN_POLICY)
    code, found, _ = hook()
    assert (code, [(rule, subject) for rule, subject, _ in found]) == (
        1, [("PL208", "aws:policy-document:../policies/admin2.json")])  # from the root, as in every clone
    result = run_cli("diff", "--base", "HEAD", "--format", "json", "--as-of", AS_OF)  # the working tree against HEAD
    assert [f["subject"]["id"] for f in json.loads(result.out)["findings"]] == [
        "aws:policy-document:../policies/admin2.json"]
    # a baseline written in one clone holds in another (an absolute id named the clone's folder)
    assert run_cli("baseline", "-o", "baseline.json", "--as-of", AS_OF).code == 0
    git(tmp_path, "add", "-A")
    git(tmp_path, *COMMIT, "the baseline")
    git(tmp_path.parent, "clone", "-q", str(tmp_path), str(tmp_path.parent / "elsewhere"))
    monkeypatch.chdir(tmp_path.parent / "elsewhere" / "security")
    checked = run_cli("check", "--baseline", "baseline.json", "--as-of", AS_OF)
    assert checked.code == 0 and "matches no finding" not in checked.out + checked.err


def test_widening_a_role_anyone_can_assume_blocks(repo: Path) -> None:
    """PL202 (critical) named what the role reaches, not what it grants: letting everyone who may assume it write
    what they could only read was the same finding, and passed."""
    write(repo, "inv/services.yaml", SERVICES.replace("assumable_by: [order-sync]", 'assumable_by: ["*"]'))
    git(repo, "add", "-A")
    git(repo, *COMMIT, "legacy: anyone may assume the reader")
    assert "CRITICAL PL202" in run_cli("check", "--as-of", AS_OF).out
    write(repo, "inv/services.yaml", SERVICES.replace("assumable_by: [order-sync]", 'assumable_by: ["*"]')
          .replace("actions: [read]", "actions: [read, write]"))
    code, found, report = hook()
    assert code == 1 and ("PL202", "customer-db-reader") in [(rule, subject) for rule, subject, _ in found]
    [finding] = [f for f in report["findings"] if f["rule"] == "PL202"]  # type: ignore[attr-defined]
    assert finding["message"].endswith("(worse than at the base: + write on customer-db with no condition)")


def test_admin_on_a_glob_that_names_customer_data_is_a_finding_not_a_resolved_one(repo: Path) -> None:
    """A grant on `customer-*` names the customer database as the graph reads it; its facts said it held no
    customer data, so turning admin on the database into admin on the glob made PL201 look resolved."""
    write(repo, "inv/services.yaml", SERVICES.replace("actions: [read]", "actions: [admin]"))
    git(repo, "add", "-A")
    git(repo, *COMMIT, "legacy: admin on the database")
    write(repo, "inv/services.yaml", SERVICES.replace("actions: [read]", "actions: [admin]")
          .replace("resource: customer-db,", 'resource: "customer-*",'))
    code, _, report = hook()
    assert not any(f["rule"] == "PL201" for f in report["resolved"])  # type: ignore[attr-defined]
    [worse] = [f for f in report["findings"] if f["rule"] == "PL201"]  # type: ignore[attr-defined]
    assert code == 1 and worse["message"].endswith(  # a glob also names what is made later: wider
        "(worse than at the base: + admin on customer-* with no condition)")
    checked = json.loads(run_cli("check", "--format", "json", "--as-of", AS_OF).out)
    assert [f["message"] for f in checked["findings"] if f["rule"] == "PL201"] == [
        "role customer-db-reader grants full or admin access on customer data: customer-*"]
