"""Files as they were at a git revision, copied out of git's object store: the working tree and index are never
touched. Only reads: `git rev-parse`, `git ls-tree`, `git cat-file`."""

from __future__ import annotations

import posixpath
import subprocess
from pathlib import Path

from policylint.errors import UsageError

SYMLINK_MODE = "120000"
MAX_LINK_HOPS = 8


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "--literal-pathspecs", *args], cwd=cwd, input=stdin, capture_output=True,
                              check=False)
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


def inside(root: Path, path: Path) -> str:
    """A path's place in the repository (posix, relative to its root); a usage error when it lies outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"expected paths inside the git repository at {root} (for `diff --base`), found "
                         f"{path}") from None


def export(root: Path, commit: str, paths: list[Path], target: Path) -> None:
    """Write the files under `paths` (inside root) as they are at `commit` into `target`, keeping their layout.
    A symbolic link to a file of the same commit is written as that file's content."""
    specs = [inside(root, p) or "." for p in paths]
    entries = _tree(root, commit, specs)
    blobs = {path: oid for path, (mode, kind, oid) in entries.items() if kind == "blob" and mode != SYMLINK_MODE}
    links = {path: oid for path, (mode, kind, oid) in entries.items() if mode == SYMLINK_MODE}
    if links:  # the files links point at may lie outside the paths asked for
        everything = _tree(root, commit, ["."])
        contents = _read(root, list(links.values()))
        for path, oid in links.items():
            found = _follow(path, contents[oid].decode("utf-8", "surrogateescape"), everything, root, commit)
            if found is not None:
                blobs[path] = found
    contents = _read(root, list(dict.fromkeys(blobs.values())))
    for path, oid in blobs.items():
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(contents[oid])


def _tree(root: Path, commit: str, specs: list[str]) -> dict[str, tuple[str, str, str]]:
    """path -> (mode, type, object id) of every file under the specs at the commit."""
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *specs], root)
    entries = {}
    for record in filter(None, listing.split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        entries[name.decode("utf-8", "surrogateescape")] = (mode, kind, oid)
    return entries


def _follow(path: str, link: str, tree: dict[str, tuple[str, str, str]], root: Path, commit: str) -> str | None:
    """The blob a symbolic link leads to inside the commit, following links a few hops; None when it leaves it."""
    for _ in range(MAX_LINK_HOPS):
        if link.startswith("/"):
            return None
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
        entry = tree.get(path)
        if entry is None or path.startswith("../"):
            return None
        mode, kind, oid = entry
        if mode != SYMLINK_MODE:
            return oid if kind == "blob" else None
        link = _read(root, [oid])[oid].decode("utf-8", "surrogateescape")
    return None


def _read(root: Path, oids: list[str]) -> dict[str, bytes]:
    """Object contents by id, in one `git cat-file --batch` (ids, unlike names, cannot contain a newline)."""
    if not oids:
        return {}
    out = _git(["cat-file", "--batch"], root, stdin="".join(f"{oid}\n" for oid in oids).encode())
    contents: dict[str, bytes] = {}
    position = 0
    for oid in oids:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        position = header_end + 1
        size = int(header[2])
        contents[oid] = out[position:position + size]
        position += size + 1
    return contents
