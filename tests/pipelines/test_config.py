"""The configuration file, through the CLI: found by walking up, validated with located errors, overridden by
options."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from helpers import run_cli, write
from org import make_org


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_org(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # the config is found by walking up from here
    return tmp_path


def rules_of(output: str) -> list[tuple[str, str]]:
    return [(f["rule"], f["severity"]) for f in json.loads(output)["findings"]]


def test_pyproject_table_sets_paths_select_severity_and_fail_on(repo: Path) -> None:
    write(repo, "pyproject.toml", """
        [project]
        name = "acme-infra"

        [tool.policylint]
        paths = ["org"]
        select = ["PL1"]
        fail-on = "high"

        [tool.policylint.severity]
        PL101 = "medium"
    """)
    result = run_cli("check", "--format", "json", "--as-of", "2026-01-01")
    assert rules_of(result.out) == [("PL101", "medium"), ("PL104", "medium"), ("PL105", "medium")]
    assert result.code == 0  # nothing at or above "high" once PL101 is medium
    assert run_cli("check", "--as-of", "2026-01-01", "--fail-on", "medium").code == 1  # the option wins
    overridden = run_cli("check", "--format", "json", "--as-of", "2026-01-01", "--select", "PL104")
    assert rules_of(overridden.out) == [("PL104", "medium")]


def test_dot_policylint_yaml_wins_over_pyproject_in_the_same_folder(repo: Path) -> None:
    write(repo, "pyproject.toml", '[tool.policylint]\npaths = ["nowhere"]\n')
    write(repo, ".policylint.yaml", "paths: [org]\nignore: [PL104, PL105]\n")
    result = run_cli("check", "--format", "json", "--as-of", "2026-01-01")
    assert rules_of(result.out) == [("PL101", "critical")], result.err


def test_unknown_keys_and_rule_ids_are_located_errors(repo: Path) -> None:
    write(repo, ".policylint.yaml", "paths: [org]\nfail_on: high\n")
    result = run_cli("check")
    assert result.code == 2
    assert f"{repo / '.policylint.yaml'}:2:1: error: unknown key 'fail_on'; did you mean 'fail-on'?" in result.err
    write(repo, ".policylint.yaml", "paths: [org]\nselect: [PL101, PL777]\nseverity: {PL999: low}\n")
    result = run_cli("check")
    assert result.code == 2
    assert f"{repo / '.policylint.yaml'}:2:17: error: expected a rule id or prefix, found 'PL777'" in result.err
    assert f"{repo / '.policylint.yaml'}:3:12: error: expected a rule id in severity, found 'PL999'" in result.err


def test_toml_errors_name_the_line(repo: Path) -> None:
    write(repo, "pyproject.toml", '[tool.policylint]\npaths = ["org"]\nfail-on = "urgent"\nbogus = 1\n')
    result = run_cli("check")
    assert result.code == 2
    assert f"{repo / 'pyproject.toml'}:3:1: error: expected one of 'critical'" in result.err
    assert f"{repo / 'pyproject.toml'}:4:1: error: unknown key 'bogus'" in result.err
    write(repo, "pyproject.toml", '[tool.policylint]\npaths = ["org"\n')
    broken = run_cli("check")
    assert broken.code == 2 and f"{repo / 'pyproject.toml'}:2:" in broken.err and "expected valid TOML" in broken.err


def test_exclude_customer_data_and_policies_are_relative_to_the_config(repo: Path) -> None:
    write(repo, "org/fixtures/extra.yaml", "policylint: 1\npeople: [{id: kim.jh, status: active}]\n")  # a duplicate
    write(repo, "rules/ACME1.yaml", """
        id: ACME1
        title: Customer database
        severity: info
        subject: resource
        match: {properties: {customer_data: {const: true}}, required: [customer_data]}
        message: "{id} holds customer data"
        rationale: Inventory of customer data.
        remediation: None needed.
        references: [internal]
    """)
    write(repo, ".policylint.yaml", """
        paths: [org]
        exclude: [org/fixtures]
        customer-data: [customer_pii]
        policies: [rules]
        select: [ACME1]
    """)
    result = run_cli("check", "--format", "json", "--as-of", "2026-01-01")
    assert result.code == 0, result.out + result.err  # info does not fail at the default low
    assert rules_of(result.out) == [("ACME1", "info")]


def test_a_config_given_with_config_is_used_from_anywhere(repo: Path, tmp_path: Path) -> None:
    (repo / ".git").mkdir()  # `../org` stays inside the repository that holds ci/
    config = write(repo, "ci/policylint.yaml", "paths: [../org]\nselect: [PL101]\n")
    result = run_cli("check", "--config", str(config), "--format", "json", "--as-of", "2026-01-01")
    assert rules_of(result.out) == [("PL101", "critical")]


def test_every_toml_spelling_of_the_table_is_read(repo: Path) -> None:
    for text in ('[tool]\npolicylint.paths = ["org"]\npolicylint.select = ["PL101"]\n',
                 'tool.policylint = { paths = ["org"], select = ["PL101"] }\n'):
        write(repo, "pyproject.toml", text)
        assert rules_of(run_cli("check", "--format", "json", "--as-of", "2026-01-01").out) == [("PL101", "critical")]
    write(repo, "pyproject.toml", '[[tool.policylint]]\npaths = ["org"]\n')
    result = run_cli("check")
    assert result.code == 2 and "expected [tool.policylint] to be a table of settings, found an array" in result.err


def test_odd_config_files_are_errors_not_crashes(repo: Path) -> None:
    write(repo, "other.toml", '[tool.policylint]\nselect = ["PL101"]\npaths = ["org"]\n')
    result = run_cli("check", "--config", str(repo / "other.toml"), "--format", "json", "--as-of", "2026-01-01")
    assert rules_of(result.out) == [("PL101", "critical")]
    write(repo, "pyproject.toml", 'tool = "x"\n')
    assert run_cli("check", "--config", str(repo / "pyproject.toml"), str(repo / "org")).code in (0, 1)
    write(repo, "list.yaml", "- paths\n")
    result = run_cli("check", "--config", str(repo / "list.yaml"))
    assert result.code == 2 and "expected a mapping of settings, found a list" in result.err
    write(repo, "broken.yaml", "paths: [org\n")
    result = run_cli("check", "--config", str(repo / "broken.yaml"))
    assert result.code == 2 and result.err.startswith(f"{repo / 'broken.yaml'}:")
    assert "policylint: error" not in result.err  # located once, not wrapped in a second prefix


def test_a_config_above_the_repository_root_does_not_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, ".policylint.yaml", "select: [PL999]\n")  # e.g. in a home folder: would be an error if read
    project = make_org(tmp_path / "project").parent
    (project / ".git").mkdir()
    monkeypatch.chdir(project)
    result = run_cli("check", "org", "--as-of", "2026-01-01")
    assert result.code == 1, result.err


def test_configured_paths_are_reported_relative_to_the_working_directory(repo: Path) -> None:
    write(repo, ".policylint.yaml", "paths: [org]\nselect: [PL101]\n")
    gitlab = run_cli("check", "--format", "gitlab", "--as-of", "2026-01-01")
    # from a subfolder, a path above it is shown absolute (never with `..` that a CI server cannot place)
    assert [issue["location"]["path"] for issue in json.loads(gitlab.out)] == [str(repo / "org/access.yaml")]
    os.chdir(repo)
    gitlab = run_cli("check", "--format", "gitlab", "--as-of", "2026-01-01")
    assert [issue["location"]["path"] for issue in json.loads(gitlab.out)] == ["org/access.yaml"]


@pytest.mark.parametrize("written", ["100000", "99999999999999999999999", "4097", "0", "1_000", "0x10", "0o20", "12.0",
                                     "+12", "012", "'64'", "true"])
@pytest.mark.parametrize("kind", ["yaml", "toml"])
def test_max_file_size_is_a_plain_decimal_number_of_mb_up_to_4096(repo: Path, written: str, kind: str) -> None:
    """`max-file-size: 100000` allocated 100 GB before reading a byte (MemoryError, exit 3), a huge one overflowed;
    `1_000` and `0x10` were read as numbers nobody meant."""
    if kind == "yaml":
        write(repo, ".policylint.yaml", f"paths: [org]\nmax-file-size: {written}  # MB\n")
        where = f"{repo / '.policylint.yaml'}:2:16"
    else:
        written = written.replace("'", '"')
        write(repo, "pyproject.toml", f'[tool.policylint]\npaths = ["org"]\nmax-file-size = {written}\n')
        where = f"{repo / 'pyproject.toml'}:3:1"
    result = run_cli("check", "--as-of", "2026-01-01")
    if kind == "toml" and written in ("012", "+12"):  # TOML refuses a leading zero; `+12` is its own spelling
        assert result.code == 2, result
        return
    assert result.code == 2, result
    assert result.err.startswith(f"{where}: error: expected max-file-size to be a whole number of MB from 1 to 4096, "
                                 f"in plain decimal digits, found "), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


@pytest.mark.parametrize("text", ["max-file-size: 1\n", "max-file-size: 4096 # the most\n", "{max-file-size: 64}\n"])
def test_plain_sizes_up_to_4096_mb_are_read(repo: Path, text: str) -> None:
    write(repo, ".policylint.yaml", "paths: [org]\n" + text if not text.startswith("{") else text)
    result = run_cli("check", str(repo / "org"), "--as-of", "2026-01-01", "--select", "PL101")
    assert result.code == 1, result


@pytest.mark.skipif(sys.platform == "win32", reason="no RLIMIT_AS")
def test_a_large_cap_never_allocates_it_up_front(repo: Path) -> None:
    """At 4096 MB a 1 KB file is read with memory for 1 KB: the read goes a chunk at a time."""
    import subprocess

    write(repo, ".policylint.yaml", "paths: [org]\nmax-file-size: 4096\n")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000)); "
    done = subprocess.run([sys.executable, "-c", limit + "from policylint.cli import main; raise SystemExit(main("
                           "['check', '--as-of', '2026-01-01', '--select', 'PL101']))"],
                          cwd=repo / "sub", capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr  # was MemoryError, exit 3: read(4 GB + 1) allocated it all


@pytest.mark.parametrize(("text", "column"), [
    ("paths: [org, /proc/self/pagemap]\n", 14),
    ("paths: [../../etc]\n", 9),
    ("policies: [/usr/share/policylint-rules]\n", 12),
    ("baseline: /dev/zero\n", 11),
    ("exceptions: ../outside/exceptions.yaml\n", 13),
])
def test_paths_in_a_configuration_stay_inside_its_repository(repo: Path, text: str, column: int) -> None:
    (repo / ".git").mkdir()
    write(repo, ".policylint.yaml", text)
    result = run_cli("check", "--as-of", "2026-01-01")
    assert result.code == 2, result
    assert result.err.startswith(f"{repo / '.policylint.yaml'}:1:{column}: error: expected "), result.err
    assert f"to name a path inside {repo} (the repository that holds this configuration), found " in result.err


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_a_committed_link_out_of_the_repository_in_the_configuration_is_refused(repo: Path) -> None:
    (repo / ".git").mkdir()
    (repo / "baseline.json").symlink_to("/dev/zero")
    write(repo, ".policylint.yaml", "paths: [org]\nbaseline: baseline.json\n")
    result = run_cli("check", "--as-of", "2026-01-01")
    assert result.code == 2, result
    assert "expected baseline to name a path inside" in result.err and "'baseline.json'" in result.err


@pytest.mark.skipif(sys.platform == "win32", reason="no /dev")
@pytest.mark.parametrize("option", ["--baseline", "--exceptions"])
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_baseline_or_exceptions_is_a_located_error_not_a_full_memory(repo: Path, option: str,
                                                                                   device: str) -> None:
    result = run_cli("check", str(repo / "org"), option, device, "--as-of", "2026-01-01")
    assert result.code == 2, result
    assert f"{device}:1:1: error: expected a regular file, found a character device (not read)" in result.out


def test_an_oversized_baseline_or_exceptions_file_is_a_located_error(tmp_path: Path) -> None:
    from policylint.suppress import load_baseline, load_exceptions

    baseline = write(tmp_path, "baseline.json", '{"policylint-baseline": 2, "findings": []}' + " " * 2**20)
    exceptions = write(tmp_path, "exceptions.yaml", "exceptions: []\n" + "#" * 2**20 + "\n")
    assert load_baseline(str(baseline)) == ([], [])  # the default cap (256 MB)
    for load, path in ((load_baseline, baseline), (load_exceptions, exceptions)):
        found, errors = load(str(path), max_bytes=2**20)
        assert found == []
        assert [str(e) for e in errors] == [f"{path}:1:1: error: expected a file of at most 1 MB (the "
                                            f"`max-file-size` setting), found {path.stat().st_size:,} bytes "
                                            "(not read)"]


def test_the_repository_bound_can_be_given(tmp_path: Path) -> None:
    """`diff` loads the base's configuration from an export with no `.git`: it names the export as the bound."""
    from policylint.config import load_config
    from policylint.errors import InputErrors

    config = write(tmp_path, "export/ci/.policylint.yaml", "paths: [../org]\n")
    with pytest.raises(InputErrors, match=r"expected paths to name a path inside .*ci \(the repository"):
        load_config(config)
    assert load_config(config, within=tmp_path / "export").paths == (str(tmp_path / "export" / "org"),)


def test_path_globs_map_files_to_gcp_projects_and_kubernetes_namespaces(tmp_path: Path) -> None:
    """`gcp-projects` and `kubernetes-namespaces` reach the sources through Options, relative to the config's
    folder, the first matching glob winning; a value that cannot be a project or namespace is a located error."""
    from policylint.config import load_config
    from policylint.settings import Given, resolve

    config = write(tmp_path, ".policylint.yaml", """\
        gcp-projects:
          "gcpdiag/gke1/**": gcp-project-1
          "gcpdiag/*/iam-policy.json": fallback-project
        kubernetes-namespaces:
          deploy/argocd: argocd
        """)
    loaded = load_config(config, within=tmp_path)
    assert loaded.gcp_projects == (("gcpdiag/gke1/**", "gcp-project-1"), ("gcpdiag/*/iam-policy.json",
                                                                         "fallback-project"))
    options = replace(resolve(Given(config_file=config)).options, globs_root=str(tmp_path))
    assert options.gcp_project_for(str(tmp_path / "gcpdiag/gke1/iam-policy.json")) == "gcp-project-1"
    assert options.gcp_project_for(str(tmp_path / "gcpdiag/fw/iam-policy.json")) == "fallback-project"
    assert options.gcp_project_for(str(tmp_path / "other/iam-policy.json")) is None
    assert options.namespace_for(str(tmp_path / "deploy/argocd/install.yaml")) == "argocd"
    assert options.namespace_for(str(tmp_path / "deploy/other.yaml")) is None

    write(tmp_path, ".policylint.yaml", "kubernetes-namespaces:\n  deploy: Not_A_Namespace\n")
    result = run_cli("check", str(tmp_path), "--config", str(tmp_path / ".policylint.yaml"))
    assert result.code == 2 and ".policylint.yaml:2:11:" in result.err, result.err


def test_a_path_glob_that_matches_no_file_is_a_located_error(tmp_path: Path) -> None:
    """A mistyped folder (`argo-cd` for `argocd`) would silently stop pinning the namespace or project it was
    written for; judged when the whole tree is walked, not when one folder of it is checked."""
    write(tmp_path, "deploy/argocd/install.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: argocd\n")
    write(tmp_path, "other/people.yaml", "policylint: 1\npeople: [{id: lee.sy, status: active}]\n")
    config = write(tmp_path, ".policylint.yaml", 'kubernetes-namespaces:\n  "deploy/argo-cd/*.yaml": argocd\n'
                                                 'gcp-projects:\n  "deploy/argocd/*.yaml": shop-prod\n')
    result = run_cli("check", str(tmp_path), "--config", str(config), "--as-of", "2026-01-01")
    assert result.code == 2
    assert (f"{config}:2:3: error: expected the path glob 'deploy/argo-cd/*.yaml' to match a file the run reads "
            f"(relative to {tmp_path}), found none") in result.out
    assert "'deploy/argocd/*.yaml' to match" not in result.out
    assert run_cli("check", str(tmp_path / "other"), "--config", str(config), "--as-of", "2026-01-01").code == 0


def test_a_path_glob_is_judged_where_the_run_walks_its_folder(tmp_path: Path) -> None:
    """With `paths:` configured the glob is still judged (its folder is walked); a glob of a folder the run does
    not walk is not; the pre-commit hook's copy of what git tracks does not judge globs (a pinned folder that is
    gitignored exists only in the working tree)."""
    write(tmp_path, "infra/gcp/prod-data/iam-policy.json", '{"bindings": [{"role": "roles/viewer", '
                                                            '"members": ["user:kim@example.com"]}]}')
    config = write(tmp_path, ".policylint.yaml", 'paths: [infra]\ngcp-projects:\n  "infra/gcp/prod-dta/*": prod-data\n'
                                                 '  "local/gcp/*": local-project\n')
    result = run_cli("check", "--config", str(config), "--as-of", "2026-01-01")
    assert result.code == 2 and "'infra/gcp/prod-dta/*' to match" in result.out
    assert "'local/gcp/*' to match" not in result.out  # `local` is not walked: not judged


def test_without_a_configuration_ids_do_not_depend_on_the_folder_a_run_starts_from(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a file leaves unnamed is named by its path from the run's root: the repository's root when no
    configuration file says otherwise, so a baseline written from one folder matches a run from another."""
    (tmp_path / ".git").mkdir()
    write(tmp_path / "infra" / "iam", "deploy.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    subjects = []
    for start, target in ((tmp_path, "infra"), (tmp_path / "infra", "."), (tmp_path / "infra" / "iam", ".")):
        monkeypatch.chdir(start)
        document = json.loads(run_cli("check", target, "--format", "json", "--select", "PL211").out)
        subjects.append({f["subject"]["id"] for f in document["findings"]})
    assert subjects == [{"aws:policy-document:infra/iam/deploy.json"}] * 3
