"""Mutated copies of every fixture, example and corpus file: never an exit 3, a traceback, an unlocated error or a
hang. CI runs a few hundred cases; `python -m tests.fuzz --cases 5000` runs thousands on demand."""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path
from typing import NoReturn

import pytest

from policylint.redact import redact
from policylint.sources import native

from .cases import REPO, ROOTS, Case, _outcome, inputs, make_case, run, run_case
from .mutate import MUTATIONS, mutate, slots

CASES = 300  # about 10 s on one core
SEED = int(os.environ.get("POLICYLINT_FUZZ_SEED", "0"))
LIMIT = 20.0  # seconds a case may take; the slowest (an 800 kB authorization dump) takes about one
GOOD = b"policylint: 1\npeople:\n  - {id: kim.jh, status: departed, departed: 2025-06-14}\n"


@pytest.mark.slow
def test_mutated_inputs_never_crash() -> None:
    failures = [f"{r.case.describe()}: {r.outcome} {r.signature}\n    replay: {r.case.replay()}"
                for r in run(SEED, range(CASES), LIMIT) if r.failed]
    assert failures == []


def test_every_root_has_inputs() -> None:
    files = inputs()
    assert {root for root in ROOTS if any(f.is_relative_to(root) for f in files)} == set(ROOTS)
    assert Path("examples/shopco/aws/storage.yaml") in files and Path("examples/README.md") not in files


def test_a_case_is_replayed_exactly_from_its_seed_and_number() -> None:
    files = inputs()
    first, again, other = make_case(7, 123, files), make_case(7, 123, files), make_case(8, 123, files)
    assert (first.file, first.mutations, first.data, first.group) == (again.file, again.mutations, again.data,
                                                                      again.group)
    assert first.file == other.file and first.data != other.data


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_mutation_changes_the_file(name: str) -> None:
    data = (REPO / "examples/shopco/aws/storage.yaml").read_bytes()
    changed = [MUTATIONS[name](random.Random(seed), data, ".yaml") != data for seed in range(10)]
    assert changed.count(True) >= 8, changed  # a value may be replaced by an equal one (`Allow` by `Allow`)


def test_yaml_values_are_found_in_blocks_lists_and_flow_mappings() -> None:
    text = "a: 1\nb:\n  - x\n  - {id: kim, emails: [k@x.com, j@x.com]}\nc:\n  d: [1, 2]\n"
    assert [text[s.start: s.end] for s in slots(text, ".yaml")] == [
        "1", "\n  - x\n  - {id: kim, emails: [k@x.com, j@x.com]}", "x", "kim", "[k@x.com, j@x.com]",
        "\n  d: [1, 2]", "[1, 2]",
    ]


def test_json_values_and_csv_fields_are_found() -> None:
    text = '{"a": [1, {"b": "c"}], "d": null}'
    assert [text[s.start: s.end] for s in slots(text, ".json")] == ['[1, {"b": "c"}]', '"c"', "null"]
    csv = "user,arn\nkim,arn:x\n"
    assert [csv[s.start: s.end] for s in slots(csv, ".csv")] == ["user", "arn", "kim", "arn:x"]


def test_mutations_are_stacked_and_named() -> None:
    names = [mutate(random.Random(n), GOOD, ".yaml")[1] for n in range(200)]
    assert {len(n) for n in names} == {1, 2, 3}
    assert {m for n in names for m in n} == set(MUTATIONS)


def _case(data: bytes = GOOD) -> Case:
    return Case(0, 0, Path("people.yaml"), ("none",), data, None)


def test_a_crash_is_a_failure_with_its_signature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(path: str, text: str, options: object) -> NoReturn:
        redact(None)  # type: ignore[arg-type]  # a TypeError raised inside policylint's own code
        raise AssertionError("not reached")

    monkeypatch.setattr(native, "load", crash)
    result = run_case(_case(), LIMIT, tmp_path)
    assert (result.failed, result.outcome) == (True, "exit 3")
    assert re.fullmatch(r"TypeError in policylint/redact\.py:\d+ \(_secret_spans\)", result.signature), result.signature


def test_a_hang_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(path: str, text: str, options: object) -> NoReturn:
        time.sleep(10)
        raise AssertionError("not reached")

    monkeypatch.setattr(native, "load", hang)
    result = run_case(_case(), 0.2, tmp_path)
    assert (result.failed, result.outcome) == (True, "hang")
    assert result.seconds < 5


def test_a_clean_run_passes_and_an_input_error_must_be_located(tmp_path: Path) -> None:
    assert run_case(_case(), LIMIT, tmp_path).outcome == "exit 0"
    bad = GOOD.replace(b"status: departed", b"status: gone")
    assert run_case(_case(bad), LIMIT, tmp_path).outcome == "exit 2"
    unlocated = json.dumps({"errors": [{"file": "a.yaml", "line": 0, "column": 0, "message": "bad"}]})
    located = json.dumps({"errors": [{"file": "a.yaml", "line": 3, "column": 5, "message": "bad"}]})
    assert (_outcome(2, unlocated, ""), _outcome(2, located, ""), _outcome(2, "", "policylint: error: bad\n"),
            _outcome(2, "", "a.yaml:3:5: error: bad\n"), _outcome(0, "Traceback (most recent", "")) == (
        "unlocated", "exit 2", "unlocated", "exit 2", "traceback")
