"""Files as they were at a git revision, copied out of git's object store: the working tree and index are never
touched. Only reads: `git rev-parse`, `git ls-tree`, `git cat-file`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from policylint.errors import UsageError


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("`diff` needs git, and no git command was found on PATH") from None
    if done.returncode != 0:
        raise _GitFailed(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


class _GitFailed(Exception):
    pass


def repository_root(folder: Path) -> Path:
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], folder).decode().strip())
    except _GitFailed:
        raise UsageError(f"expected a git repository at {folder} (for `diff --base`), found none") from None


def resolve_revision(root: Path, revision: str) -> str:
    if revision.startswith("-"):
        raise UsageError(f"expected a git revision for --base, found an option-like {revision!r}")
    try:
        return _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
                    root).decode().strip()
    except _GitFailed:
        raise UsageError(f"expected --base to name a commit of the repository at {root}, found no revision "
                         f"{revision!r} (try `git fetch` for a branch of a remote)") from None


def export(root: Path, commit: str, paths: list[Path], target: Path) -> None:
    """Write the files under `paths` (inside root) as they are at `commit` into `target`, keeping their layout."""
    specs = [p.resolve().relative_to(root.resolve()).as_posix() or "." for p in paths]
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", "--name-only", commit, "--", *specs], root)
    names = [n.decode("utf-8", "surrogateescape") for n in listing.split(b"\0") if n]
    if not names:
        return
    batch = "".join(f"{commit}:{name}\n" for name in names).encode("utf-8", "surrogateescape")
    out = _git(["cat-file", "--batch"], root, stdin=batch)
    position = 0
    for name in names:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        position = header_end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # a submodule or a missing object: nothing to read
        size = int(header[2])
        data = out[position:position + size]
        position += size + 1
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
