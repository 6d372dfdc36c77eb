"""Files as they were at a git revision, copied out of git's object store: the working tree and index are never
touched. Only reads: `git rev-parse`, `git ls-tree`, `git cat-file`."""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import subprocess
from pathlib import Path

from policylint.errors import InputError, UsageError, file_error
from policylint.walk import READ_SUFFIXES

SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
INDEX = ":index"  # as a revision: what is staged (`git ls-files -s`), the pre-commit hook's side
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
        raise UsageError(f"expected a git repository at {folder} (for `diff --base` or `check --changed`), "
                         "found none") from None


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


def export(root: Path, commit: str, paths: list[Path], target: Path) -> list[InputError]:
    """Write the files under `paths` (inside root) as they are at `commit` into `target`, keeping their layout, and
    return the located errors of the symbolic links that cannot be followed.

    A symbolic link is never a second copy of a file: one to a file or folder that is exported anyway is left out
    (its target is read once, as a walk of the working tree reads it once), one to a file or folder elsewhere in the
    commit is written as a copy of it. One that leaves the repository or leads nowhere is an error and is not read
    (links whose names are not data files, `README.md -> ../README.md`, are left out as a walk skips them)."""
    specs = [inside(root, p) or "." for p in paths]
    entries = _tree(root, commit, specs)
    blobs = {path: oid for path, (mode, kind, oid) in entries.items() if kind == "blob" and mode != SYMLINK_MODE}
    links = {path: oid for path, (mode, kind, oid) in entries.items() if mode == SYMLINK_MODE}
    errors: list[InputError] = []
    if links:  # the files links point at may lie outside the paths asked for
        everything = _tree(root, commit, ["."])
        contents = _read(root, list(links.values()))
        for path, oid in links.items():
            found = _follow(path, contents[oid].decode("utf-8", "surrogateescape"), everything, root)
            if found is None:
                if not _other_suffix(path):
                    errors.append(_leaves(root, path, commit))
            elif not _exported(found, specs):
                blobs.update(_copied(path, found, everything, specs))
    contents = _read(root, list(dict.fromkeys(blobs.values())))
    for path, oid in blobs.items():
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(contents[oid])
    return errors


def _exported(path: str, specs: list[str]) -> bool:
    return any(spec == "." or path == spec or path.startswith(spec + "/") for spec in specs)


def _copied(link: str, found: str, tree: dict[str, tuple[str, str, str]], specs: list[str]) -> dict[str, str]:
    """link path -> blob for a link to `found`: the file itself, or a folder's files that are not exported anyway."""
    entry = tree.get(found)
    if entry is not None:
        return {link: entry[2]}
    prefix = "" if found == "." else found + "/"
    return {link + "/" + path[len(prefix):]: oid for path, (mode, kind, oid) in tree.items()
            if path.startswith(prefix) and kind == "blob" and mode != SYMLINK_MODE and not _exported(path, specs)}


def _other_suffix(path: str) -> bool:
    name = posixpath.basename(path)
    return "." in name.lstrip(".") and not name.lower().endswith(READ_SUFFIXES)


def _leaves(root: Path, path: str, commit: str) -> InputError:
    return file_error(os.path.relpath(root / path), f"expected a symbolic link to a file or folder of the repository "
                                                    f"{'as staged' if commit == INDEX else 'at ' + commit[:12]}, "
                                                    "found one that leads out of it or nowhere "
                                                    f"(not read)")


def _tree(root: Path, commit: str, specs: list[str]) -> dict[str, tuple[str, str, str]]:
    """path -> (mode, type, object id) of every file under the specs at the commit (or in the index: INDEX)."""
    if commit == INDEX:
        return _index(root, specs)
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *specs], root)
    entries = {}
    for record in filter(None, listing.split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        entries[name.decode("utf-8", "surrogateescape")] = (mode, kind, oid)
    return entries


def _index(root: Path, specs: list[str]) -> dict[str, tuple[str, str, str]]:
    """The staged files under the specs, as `_tree` lists a commit's (a submodule is a `commit` entry, never read)."""
    listing = _git(["ls-files", "-s", "-z", "--full-name", "--", *specs], root)
    entries = {}
    for record in filter(None, listing.split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, oid, stage = meta.decode().split()
        path = name.decode("utf-8", "surrogateescape")
        if stage != "0":
            raise UsageError(f"expected a staged file without merge conflicts, found {path!r} unresolved "
                             "(resolve it and `git add` it first)")
        entries[path] = (mode, "commit" if mode == GITLINK_MODE else "blob", oid)
    return entries


def _follow(path: str, link: str, tree: dict[str, tuple[str, str, str]], root: Path) -> str | None:
    """Where a symbolic link leads inside the commit (a file or a folder), following links a few hops; None when it
    leaves the repository or leads nowhere."""
    for _ in range(MAX_LINK_HOPS):
        if link.startswith("/"):
            return None
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
        if path == ".." or path.startswith("../"):
            return None
        entry = tree.get(path)
        if entry is None:
            return path if path == "." or any(name.startswith(path + "/") for name in tree) else None
        mode, kind, oid = entry
        if mode != SYMLINK_MODE:
            return path if kind == "blob" else None
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


def has_commits(root: Path) -> bool:
    """Whether HEAD names a commit (a new repository's first commit has none to compare with)."""
    try:
        _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
    except _GitFailed:
        return False
    return True


def content_id(root: Path, commit: str, paths: list[Path]) -> str:
    """An id of what `export` would write for these paths at the commit: the same files give the same id, whatever
    the commit, so a commit that changes nothing under the paths (documentation, code) keeps a cached analysis.
    A symbolic link may lead anywhere in the commit, so with one among them the whole tree is part of the id (of the
    index: none, a `UsageError`: its tree is not known before the commit)."""
    specs = [inside(root, p) or "." for p in paths]
    entries = _tree(root, commit, specs)
    if not any(mode == SYMLINK_MODE for mode, _kind, _oid in entries.values()):
        return content_id_of(entries)
    if commit == INDEX:  # no tree yet: what is staged has no id of its own before it is committed
        raise UsageError("expected the staged tree to have an id, found a symbolic link among the paths (the "
                         "whole tree is part of the id, and a staged tree has none before the commit)")
    listed = "\0".join(f"{path}\0{mode}\0{oid}" for path, (mode, _kind, oid) in sorted(entries.items()))
    listed += "\0tree\0" + _git(["rev-parse", "--verify", f"{commit}^{{tree}}"], root).decode().strip()
    return hashlib.sha256(listed.encode("utf-8", "surrogateescape")).hexdigest()


def worktree_content_id(root: Path, paths: list[Path]) -> str | None:
    """`content_id` of the files on disk under the paths, when they are exactly what a git tree could hold and
    export: regular files only (no symbolic link, no nested repository), each hashed here as git hashes a blob, as it
    is on disk (no filter, no line-end conversion), tracked or not. A working tree whose files are a commit's finds
    that commit's cached analysis; None when the files cannot be told as a tree's."""
    files: dict[str, str] = {}
    for spec in [inside(root, p) or "." for p in paths]:
        start = root / spec
        if start.is_symlink():
            return None
        if start.is_file():
            files[Path(spec).as_posix()] = spec
            continue
        for folder, folders, names in os.walk(start):
            here = Path(folder)
            if here == root:
                folders[:] = [f for f in folders if f != ".git"]
                names = [n for n in names if n != ".git"]
            elif ".git" in folders or ".git" in names:
                return None  # a repository of its own (a submodule): a tree holds it as one entry
            for name in [*folders, *names]:
                if (here / name).is_symlink():
                    return None
            for name in names:
                if not (here / name).is_file():
                    return None
                relative = (here / name).relative_to(root).as_posix()
                files[relative] = relative
    try:
        algorithm = _git(["rev-parse", "--show-object-format"], root).decode().strip()
    except _GitFailed:
        return None
    if algorithm not in ("sha1", "sha256"):
        return None
    entries = {}
    for name in files:
        found = _blob_id(root / name, algorithm)
        if found is None:
            return None
        entries[name] = found
    return content_id_of(entries)


def _blob_id(path: Path, algorithm: str) -> tuple[str, str, str] | None:
    """(mode, "blob", id) of a regular file as git would store it (the id of `blob <size>\\0` and the bytes; no
    name involved), read in pieces; None for anything else (a FIFO swapped in, a file that changes as it is read)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None
        blob = hashlib.new(algorithm, b"blob %d\0" % info.st_size)
        read = 0
        while piece := handle.read(1 << 20):
            blob.update(piece)
            read += len(piece)
    if read != info.st_size:
        return None
    return ("100755" if info.st_mode & stat.S_IXUSR else "100644", "blob", blob.hexdigest())


def content_id_of(entries: dict[str, tuple[str, str, str]]) -> str:
    """The id of a tree's listing (path, mode, object id of each entry) with no symbolic link among them."""
    listed = "\0".join(f"{path}\0{mode}\0{oid}" for path, (mode, _kind, oid) in sorted(entries.items()))
    return hashlib.sha256(listed.encode("utf-8", "surrogateescape")).hexdigest()


def git_dir(root: Path) -> Path | None:
    """The repository's own folder (`.git`, or the main one's for a worktree): private to this clone."""
    try:
        found = Path(_git(["rev-parse", "--git-common-dir"], root).decode().strip())
    except _GitFailed:
        return None
    return found if found.is_absolute() else root / found


def unstaged(root: Path, paths: list[Path]) -> list[str]:
    """Which of these files or folders (inside the repository) differ in the working tree from what is staged:
    changed, deleted, untracked or ignored (a file git leaves out of every commit), each as `git status` names it
    (relative to the repository)."""
    specs = [spec for path in paths if (spec := inside(root, path))]
    if not specs:
        return []
    listing = _git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", *specs],
                   root)
    found = []
    records = listing.split(b"\0")
    skip = False
    for record in records:
        if skip or len(record) < 4:
            skip = False
            continue
        status, name = record[:2].decode(), record[3:].decode("utf-8", "surrogateescape")
        if status[0] in "RC":  # a rename or copy names its source next: not a path of its own here
            skip = True
        if status[1] != " ":
            found.append(name)
    return sorted(found)


def staged_paths(root: Path, paths: list[str]) -> set[str]:
    """Which of these files (relative to the repository) are staged."""
    if not paths:
        return set()
    return set(_index(root, paths))
