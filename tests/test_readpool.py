"""Reading on every core (`readpool`): the same fragments, in the same order, as reading one file after another;
a worker that fails costs time, never a file."""

from __future__ import annotations

import os
import runpy
import shutil
from pathlib import Path

import pytest

from policylint import fragcache, readpool
from policylint.inventory import fragment_of, load_paths
from policylint.sources.base import Fragment, Options

REPO = Path(__file__).resolve().parent.parent
INPUTS = [REPO / "examples" / "acme", REPO / "examples" / "shopco", REPO / "examples" / "terraform",
          *(REPO / "tests" / "corpus" / name for name in ("k8s-rbac", "gcp-iam-policy", "aws-authz-details", "scim",
                                                          "aws-credential-report", "cloudformation"))]


def _loaded(folder: Path, cache: fragcache.Cache | None = None) -> tuple[object, ...]:
    loaded = load_paths([str(folder)], root=str(folder), cache=cache)
    return (loaded.inventory, [(type(e), e.location, e.message) for e in loaded.errors], loaded.files,
            loaded.skipped, loaded.commented, loaded.notes)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    for source in INPUTS:
        shutil.copytree(source, tmp_path / "inv" / source.name)
    (tmp_path / "inv" / "broken.yaml").write_text("policylint: 1\npeople:\n  - {id: a, status: [\n")
    return tmp_path / "inv"


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers from the first file on, two of them, whatever this machine has."""
    monkeypatch.setattr(readpool, "START_AFTER_BYTES", 0)
    monkeypatch.setattr(readpool, "workers", lambda: 2)


def test_workers_read_what_one_process_reads_in_the_same_order(inputs: Path, eager: None,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    parallel = _loaded(inputs)
    with monkeypatch.context() as patch:
        patch.setattr(readpool, "workers", lambda: 1)
        assert _loaded(inputs) == parallel


def test_every_file_goes_to_a_worker_once_they_are_started(inputs: Path, eager: None) -> None:
    jobs = [((path, False), readpool.Job(str(path), path.read_bytes(), False, Options()), None)
            for path in sorted(inputs.rglob("*.yaml"))]
    with readpool.Pool(fragment_of, None) as pool:
        read = list(pool.read(jobs))
    assert pool.sent == len(jobs) > 30
    assert [_shape(r) for _, r in read] == [_shape(fragment_of(str(p), p.read_bytes(), False, Options()))
                                            for (p, _), _ in read]


def test_what_workers_read_is_kept_in_the_cache(inputs: Path, eager: None, tmp_path: Path) -> None:
    cache = fragcache.Cache(tmp_path / "entries", str(inputs))
    (tmp_path / "entries").mkdir()
    first = _loaded(inputs, cache)
    assert cache.stored > 30 and cache.hits == 0
    again = fragcache.Cache(tmp_path / "entries", str(inputs))
    assert _loaded(inputs, again) == first
    assert again.hits == cache.stored


def flaky(path: str, data: bytes, explicit: bool, options: Options) -> Fragment | str:
    """Fails in every worker process, reads in the parent."""
    if os.environ.get("POLICYLINT_TEST_PARENT") != str(os.getpid()):
        raise MemoryError("a worker ran out of memory")
    return fragment_of(path, data, explicit, options)


def test_a_failing_worker_costs_time_never_a_file(inputs: Path, eager: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYLINT_TEST_PARENT", str(os.getpid()))
    expected = _loaded(inputs)
    jobs = [((path, False), readpool.Job(str(path), path.read_bytes(), False, Options()), None)
            for path in sorted(inputs.rglob("*.yaml"))]
    with readpool.Pool(flaky, None) as pool:
        read = list(pool.read(jobs))
    assert pool.sent > 0
    assert [tag for tag, _ in read] == [tag for tag, _, _ in jobs]
    assert [_shape(r) for _, r in read] == [_shape(fragment_of(str(p), p.read_bytes(), False, Options()))
                                            for (p, _), _ in read]
    assert _loaded(inputs) == expected


def _shape(read: Fragment | str) -> object:
    if isinstance(read, str):
        return read
    return read.inventory, read.implied, [(type(e), e.location, e.message) for e in read.errors], read.notes


def test_a_worker_importing_the_main_module_again_does_not_run_the_command() -> None:
    """Workers start from a clean process that imports `python -m policylint`'s main module under another name."""
    runpy.run_module("policylint.__main__", run_name="__mp_main__")
