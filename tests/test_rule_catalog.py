"""Every rule fires on its positive fixture, at exactly the marked (rule, subject, line), and not on its negative.

Fixtures live in tests/rules/<RULE>/positive.yaml and negative.yaml (or folders `positive/` and `negative/` when a
rule needs files of other formats); a rule without both fails this suite. Positive fixtures mark each expected
finding with `# expect: RULE subject-id` on the subject's defining line; formats without comments (JSON, CSV) list
them in `positive/expected.txt` as `RULE subject-id file:line`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.pipeline import run
from policylint.rules import builtin_policies, load_rules
from policylint.settings import Settings

from helpers import AS_OF, expected_markers

FIXTURES = Path(__file__).parent / "rules"
RULES, RULE_ERRORS = load_rules([builtin_policies()])
RULE_IDS = [rule.id for rule in RULES]


def test_builtin_rules_load_without_errors() -> None:
    assert RULE_ERRORS == []
    assert len(RULE_IDS) >= 24


def test_every_fixture_folder_names_a_rule() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(RULE_IDS)


def fixture_of(rule: str, name: str) -> Path:
    folder, file = FIXTURES / rule / name, FIXTURES / rule / f"{name}.yaml"
    assert folder.is_dir() or file.is_file(), f"{rule} has no {name} fixture ({file} or {folder}/)"
    return folder if folder.is_dir() else file


def expected_in(fixture: Path) -> set[tuple[str, str, str, int]]:
    """(rule, subject, file name, line) marked in a fixture file, or in every file of a fixture folder."""
    files = sorted(fixture.iterdir()) if fixture.is_dir() else [fixture]
    found = {(rule, subject, f.name, line) for f in files if f.name != "expected.txt"
             for rule, subject, line in expected_markers(f)}
    listed = fixture / "expected.txt"
    if fixture.is_dir() and listed.is_file():
        for entry in listed.read_text(encoding="utf-8").splitlines():
            if entry.strip():
                rule, subject, where = entry.split()
                file, line = where.rsplit(":", 1)
                found.add((rule, subject, file, int(line)))
    return found


def findings_of(path: Path, rule: str) -> set[tuple[str, str, str, int]]:
    report = run(Settings((str(path),), AS_OF, select=(rule,))).report
    assert [str(e) for e in report.errors] == []
    return {(f.rule, f.subject_id, Path(f.location.file).name, f.location.line)
            for f in report.findings if f.rule == rule}


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_fires_exactly_on_its_positive_fixture(rule: str) -> None:
    fixture = fixture_of(rule, "positive")
    expected = {m for m in expected_in(fixture) if m[0] == rule}
    assert expected, f"{fixture} marks no expected finding (# expect: {rule} subject-id)"
    assert findings_of(fixture, rule) == expected


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_is_silent_on_its_negative_fixture(rule: str) -> None:
    assert findings_of(fixture_of(rule, "negative"), rule) == set()
