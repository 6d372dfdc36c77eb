"""Every rule fires on its positive fixture, at exactly the marked (rule, subject, line), and not on its negative.

Fixtures live in tests/rules/<RULE>/positive.yaml and negative.yaml; a rule without both fails this suite.
Positive fixtures mark each expected finding with `# expect: RULE subject-id` on the subject's defining line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.pipeline import check
from policylint.rules import builtin_policies, load_rules

from helpers import AS_OF, expected_markers

FIXTURES = Path(__file__).parent / "rules"
RULES, RULE_ERRORS = load_rules([builtin_policies()])
RULE_IDS = [rule.id for rule in RULES]


def test_builtin_rules_load_without_errors() -> None:
    assert RULE_ERRORS == []
    assert len(RULE_IDS) >= 24


def test_every_fixture_folder_names_a_rule() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(RULE_IDS)


def findings_of(path: Path, rule: str) -> set[tuple[str, str, int]]:
    report = check([str(path)], AS_OF, select=(rule,))
    assert [str(e) for e in report.errors] == []
    return {(f.rule, f.subject_id, f.location.line) for f in report.findings if f.rule == rule}


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_fires_exactly_on_its_positive_fixture(rule: str) -> None:
    fixture = FIXTURES / rule / "positive.yaml"
    assert fixture.is_file(), f"{rule} has no positive fixture at {fixture}"
    expected = {m for m in expected_markers(fixture) if m[0] == rule}
    assert expected, f"{fixture} marks no expected finding (# expect: {rule} subject-id)"
    assert findings_of(fixture, rule) == expected


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_is_silent_on_its_negative_fixture(rule: str) -> None:
    fixture = FIXTURES / rule / "negative.yaml"
    assert fixture.is_file(), f"{rule} has no negative fixture at {fixture}"
    assert findings_of(fixture, rule) == set()
