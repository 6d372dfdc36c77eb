"""`-o` through the CLI: never over one of the run's inputs (exit 2, the input byte-identical), a device or a pipe
written in place (`-o /dev/stdout` is standard output)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, run_cli, write
from org import make_org

AS_OF = ("--as-of", "2026-01-01")
EXCEPTIONS = """
exceptions:
  - {rule: PL104, subject: ak-7731, reason: sync job paused, owner: lee.sy, expires: 2026-03-01}
"""


def refused(target: Path, *args: str) -> None:
    before = target.read_bytes()
    result = run_cli(*args, "-o", str(target), *AS_OF)
    assert result.code == 2, result
    assert "expected -o to name a file that is not one of the run's inputs" in result.err
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith(f".{target.name}")) == []


def test_a_walked_inventory_file_is_not_overwritten(tmp_path: Path) -> None:
    org = make_org(tmp_path)  # exit 1 must not become 0 by the roster being removed before the run
    # --format: without it, the suffix .yaml names no format, a usage error before the walk could refuse the file
    refused(org / "people.yaml", "check", str(org), "--format", "text")


def test_a_named_inventory_file_is_not_overwritten(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    refused(org / "access.yaml", "check", str(org / "people.yaml"), str(org / "access.yaml"), "--format", "json")


def test_the_baseline_is_not_overwritten(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert run_cli("baseline", str(org), "-o", str(baseline), *AS_OF).code == 0
    refused(baseline, "check", str(org), "--baseline", str(baseline))


def test_the_exceptions_are_not_overwritten(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    exceptions = write(tmp_path, "exceptions.yaml", EXCEPTIONS)
    refused(exceptions, "check", str(org), "--exceptions", str(exceptions))


def test_the_configuration_is_not_overwritten(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    config = write(tmp_path, ".policylint.yaml", "fail-on: high\n")
    refused(config, "check", str(org), "--config", str(config))


def test_baseline_never_writes_over_an_inventory_file(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    refused(org / "access.yaml", "baseline", str(org))


def test_a_report_beside_the_inventory_is_still_written(tmp_path: Path) -> None:
    """Only inputs are refused: a report in the walked folder, even one a previous run wrote, is replaced."""
    org = make_org(tmp_path)
    report = org / "report.json"
    for _ in range(2):
        result = run_cli("check", str(org), "--format", "json", "-o", str(report), *AS_OF)
        assert result.code == 1 and result.out == ""
        assert report.read_text().startswith("{\n")


@pytest.mark.skipif(sys.platform == "win32", reason="no /dev/stdout")
def test_dev_stdout_is_standard_output(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    done = subprocess.run([sys.executable, "-m", "policylint", "check", str(org), "-o", "/dev/stdout", *AS_OF],
                          capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 1, done.stderr
    assert "CRITICAL PL101 access_key ak-7731 is active but held by kim.jh" in done.stdout
    assert Path("/dev/stdout").is_symlink() or Path("/dev/stdout").is_char_device()


def test_a_rule_file_of_the_run_is_not_overwritten(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    rule = (Path(__file__).resolve().parents[2] / "policies" / "PL101.yaml").read_text()
    mine = write(tmp_path, "rules/ACME101.yaml", rule.replace("id: PL101", "id: ACME101"))
    refused(mine, "check", str(org), "--policies", str(tmp_path / "rules"))


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
@pytest.mark.parametrize("command", ["check", "baseline"])
def test_a_committed_link_as_the_report_is_refused_and_its_target_untouched(tmp_path: Path, command: str,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A pull request commits `policylint.sarif -> ~/.ssh/authorized_keys`; CI runs `-o policylint.sarif`."""
    victim = write(tmp_path, "home/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ci@runner\n")
    org = make_org(tmp_path / "repo")
    (org / "policylint.sarif").symlink_to(victim)
    monkeypatch.chdir(org)
    result = run_cli(command, ".", "-o", "policylint.sarif", *AS_OF)
    assert result.code == 2, result
    assert "expected -o to name a file reached through no symbolic link, found policylint.sarif" in result.err
    assert victim.read_text() == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ci@runner\n"
    assert sorted(p.name for p in victim.parent.iterdir()) == ["authorized_keys"]
    assert (org / "policylint.sarif").is_symlink()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
@pytest.mark.parametrize("command", ["check", "baseline"])
def test_a_committed_linked_folder_on_the_way_to_the_report_is_refused(tmp_path: Path, command: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`out -> /elsewhere`: the stale-report step must not clear /elsewhere/report.sarif, the run not write it."""
    elsewhere = write(tmp_path, "elsewhere/report.sarif", "precious\n").parent
    org = make_org(tmp_path / "repo")
    (org / "out").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.chdir(org)
    result = run_cli(command, ".", "-o", "out/report.sarif", *AS_OF)
    assert result.code == 2, result
    assert "found out, a symbolic link to" in result.err
    assert (elsewhere / "report.sarif").read_text() == "precious\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["report.sarif"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_private_report_keeps_its_mode_across_runs(tmp_path: Path) -> None:
    org = make_org(tmp_path / "org")
    report = write(tmp_path, "reports/findings.json", "{}\n")
    report.chmod(0o600)
    for _ in range(2):
        result = run_cli("check", str(org), "--format", "json", "-o", str(report), *AS_OF)
        assert result.code == 1, result
        assert report.read_text().startswith("{\n") and "ak-7731" in report.read_text()
        assert report.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_run_that_fails_early_leaves_no_stale_report_and_keeps_the_mode(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    org = make_org(tmp_path / "org")
    report = write(tmp_path, "reports/findings.json", '{"findings": ["from last week"]}\n')
    report.chmod(0o640)
    monkeypatch.chdir(org)
    subprocess.run(["git", "init", "-q", "."], check=True)
    result = run_cli("diff", "--base", "no-such-branch", ".", "-o", str(report), *AS_OF)
    assert result.code == 2, result
    assert report.read_text() == ""  # nothing from the earlier run is left to be uploaded
    assert report.stat().st_mode & 0o777 == 0o640
