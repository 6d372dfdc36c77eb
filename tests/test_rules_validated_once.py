"""Built-in rules are validated once per installed version, byte for byte, not on every run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policylint import rules
from policylint.rules import builtin_policies, load_rules


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built-in rules standing in for them, and an empty cache folder."""
    copy = tmp_path / "policies"
    shutil.copytree(builtin_policies(), copy)
    monkeypatch.setattr(rules, "builtin_policies", lambda: copy)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rules._load_rules.cache_clear()
    yield copy
    rules._load_rules.cache_clear()


def _load(folder: Path) -> tuple[int, list[str]]:
    rules._load_rules.cache_clear()
    loaded, errors = load_rules([folder])
    return len(loaded), [str(e) for e in errors]


def _no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("validated again")
    monkeypatch.setattr(rules, "schema_errors", refuse)
    monkeypatch.setattr(rules, "_check_match", refuse)


def test_a_second_run_skips_the_checks_the_first_passed(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    count, errors = _load(fresh)
    assert errors == [] and count == len(list(fresh.glob("*.yaml")))
    _no_validation(monkeypatch)
    assert _load(fresh) == (count, [])


def test_an_edited_rule_file_is_validated_again(fresh: Path) -> None:
    _load(fresh)
    first = sorted(fresh.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("severity:", "severty:", 1), encoding="utf-8")
    errors = _load(fresh)[1]
    assert f"{first}:3:1: error: unknown key 'severty'; did you mean 'severity'?" in errors


def test_rules_that_failed_are_never_marked(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (fresh / "PLX01.yaml").write_text("id: PLX01\n", encoding="utf-8")
    assert _load(fresh)[1] != []
    assert list((fresh.parent / "cache").rglob("rules-validated-*")) == []


def test_user_rule_folders_are_always_validated(fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    _load(fresh)
    mine = tmp_path / "mine"
    shutil.copytree(fresh, mine)
    _no_validation(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        _load(mine)


def test_a_cache_that_cannot_be_written_costs_time_not_checks(fresh: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "blocked").write_text("a file, not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    assert _load(fresh)[1] == [] and _load(fresh)[1] == []
