"""`-o FILE`: the report goes to the file, the exit code still reflects the findings, errors still reach stderr."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft4Validator

from helpers import run_cli, write
from org import make_org

SARIF_SCHEMA = Path(__file__).parent.parent / "reporters" / "sarif-schema-2.1.0.json"


def test_output_file_keeps_the_exit_code(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    out = tmp_path / "report.sarif"
    result = run_cli("check", str(org), "--format", "sarif", "-o", str(out), "--as-of", "2026-01-01")
    assert result.code == 1 and result.out == ""
    document = json.loads(out.read_text())
    Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)  # every SARIF the tests make
    results = document["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["PL101", "PL104", "PL105"]
    clean = run_cli("check", str(org), "--select", "PL2", "-o", str(tmp_path / "clean.txt"), "--as-of", "2026-01-01")
    assert clean.code == 0 and (tmp_path / "clean.txt").read_text().startswith("0 findings")


def test_output_file_with_input_errors_still_fails_and_says_so(tmp_path: Path) -> None:
    org = make_org(tmp_path)
    write(org, "broken.yaml", "policylint: 1\npeople: [{id: x, status: gone}]\n")
    result = run_cli("check", str(org), "--format", "json", "-o", str(tmp_path / "r.json"), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{org / 'broken.yaml'}:2:" in result.err
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["errors"] == 1
