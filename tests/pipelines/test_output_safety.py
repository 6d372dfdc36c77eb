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
    refused(org / "people.yaml", "check", str(org))


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
