"""Which files a run reads, and reading them safely. Every file a walk meets is either a candidate to read or
skipped with a reason from the small vocabulary below; hidden files and folders (`.git`, `.venv`, `.env`) and
SKIPPED_DIRS are not walked: each such folder (but `.git`) is counted as skipped, hidden files are not. A file's
symbolic link to a hidden path (`.env`, `.git/config`), or any link into `.git`, is a located error and is not read,
even inside the walked folder.

Only regular files are read: a named pipe, socket or device is a located error, never opened for long (a FIFO
would block the run forever, `/dev/zero` would fill the memory). A symbolic link, to a file or a folder, is followed
only while its target stays inside the walked folder (for a path named on the command line: the working directory):
otherwise it is a located error and is not read, so a link to `~/.git-credentials` never reaches an error message.
Folders linked inside the walked folder are walked once, after the real folders, so a file keeps its real path.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from policylint.errors import InputError, file_error

DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv")  # compared ignoring case: `Org.YAML` is read
READ_SUFFIXES = (*DATA_SUFFIXES, ".tf", ".tfvars")  # and Terraform's configuration and values (`.tf.json`: JSON)
READ_CHUNK = 2**20  # bytes read at a time
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv"})
# Why a walked file is not read (`Skipped.reason`): the summary counts them, `--verbose` lists them.
NOT_ACCESS_CONTROL = "not access-control data"  # a data file (by its suffix) that no source claims
NOT_DATA = "not a data file"  # any other suffix: never opened
EXCLUDED = "excluded by the configuration"  # matched an `exclude` glob
NOT_WALKED = "hidden or tool folder, not walked"  # a folder: `.github`, `.venv`, SKIPPED_DIRS (not `.git` itself)
TEMPLATE = "an unrendered template: render it first"  # a Helm/Go template of Kubernetes objects
REASONS = (NOT_ACCESS_CONTROL, NOT_DATA, EXCLUDED, NOT_WALKED, TEMPLATE)
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str  # one of REASONS


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to read; `root` (resolved) is where a symbolic link on the way to it may lead, None: anywhere."""

    path: str
    explicit: bool
    root: Path | None


@dataclass(frozen=True, slots=True)
class Discovery:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def discover(paths: list[str], exclude: tuple[str, ...] = (), root: str = ".", within: str | None = None
             ) -> Discovery:
    """Every candidate file in a stable order, each once (by its resolved path), and the skipped ones, sorted.

    Walked files matching an `exclude` glob (relative to `root`; `dir/**` or `dir` leaves out a folder) are skipped;
    a file named explicitly is always read. `within` (`diff`: the repository) is where every symbolic link may lead,
    instead of each walked folder and the working directory."""
    bound = Path(within).resolve() if within is not None else None
    found = _Found(exclude, root, bound)
    cwd = bound or Path.cwd().resolve()
    for given in paths:
        path = Path(given)
        if path.is_symlink() and not path.exists():
            found.errors.append(file_error(given, "expected a file or folder, found a symbolic link that leads "
                                                  "nowhere"))
        elif not path.exists():
            found.errors.append(file_error(given, "expected a file or folder, found no such path"))
        elif path.is_symlink() and not is_within(path.resolve(), cwd):
            found.errors.append(_outside(given, path.resolve(), cwd))
        elif path.is_dir():
            found.walk(path)
        else:
            found.add(Candidate(given, True, None))
    found.skipped.sort(key=lambda s: s.path)
    return Discovery(list(found.candidates.values()), found.skipped, found.errors)


class _Found:
    def __init__(self, exclude: tuple[str, ...], root: str, bound: Path | None) -> None:
        self.exclude = exclude
        self.root = root
        self.bound = bound
        self.candidates: dict[Path, Candidate] = {}  # by resolved path: a file given twice, or inside a folder
        self.skipped: list[Skipped] = []
        self.errors: list[InputError] = []

    def add(self, candidate: Candidate) -> None:
        """A file once: named explicitly, else by its real path rather than by a link to it."""
        key = Path(os.path.realpath(candidate.path))
        known = self.candidates.get(key)
        if known is None or (not known.explicit and os.path.islink(known.path) and not candidate.explicit
                             and not os.path.islink(candidate.path)):
            self.candidates[key] = candidate

    def walk(self, top: Path) -> None:
        root = self.bound or top.resolve()
        seen: set[Path] = set()  # resolved folders walked: a linked folder is walked once, a loop ends
        queue = [top]
        while queue:
            start = queue.pop(0)
            target = start.resolve()
            if not is_within(target, root):
                self.errors.append(_outside(str(start), target, root, "folder"))
            elif target not in seen:
                queue.extend(self._tree(start, root, seen))

    def _tree(self, start: Path, root: Path, seen: set[Path]) -> list[Path]:
        """Walks the real folders under start; returns the linked folders met, to walk after them."""
        links: list[Path] = []
        for folder, dirs, names in os.walk(start):
            here = Path(folder)
            seen.add(here.resolve())
            kept = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
            self.skipped.extend(Skipped(str(here / d), NOT_WALKED) for d in sorted(dirs)
                                if d not in kept and d != ".git")
            links.extend(here / d for d in kept if (here / d).is_symlink())
            dirs[:] = [d for d in kept if not (here / d).is_symlink()]
            for name in sorted(n for n in names if not n.startswith(".")):
                self._file(here / name, root)
        return links

    def _file(self, path: Path, root: Path) -> None:
        try:
            excluded = _excluded(path, self.exclude, self.root)
        except (RuntimeError, OSError):  # a symbolic link loop: never skipped silently
            self.errors.append(file_error(str(path), "expected a readable file, found a symbolic link loop"))
            return
        if excluded:
            self.skipped.append(Skipped(str(path), EXCLUDED))
        elif not path.name.lower().endswith(READ_SUFFIXES):
            self.skipped.append(Skipped(str(path), NOT_DATA))
        else:
            self.add(Candidate(str(path), False, root))


def _excluded(path: Path, exclude: tuple[str, ...], root: str) -> bool:
    return any(matches(path, glob, root) for glob in exclude)


def matches(path: str | Path, glob: str, root: str) -> bool:
    """Whether a file matches a configuration glob written relative to `root` (`dir/**` or `dir` is a folder)."""
    try:
        relative = Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return False
    parents = [p.as_posix() for p in PurePosixPath(relative).parents if p.as_posix() != "."]
    return (fnmatch.fnmatchcase(relative, glob) or fnmatch.fnmatchcase(relative, glob.rstrip("/") + "/*")
            or any(fnmatch.fnmatchcase(parent, glob.rstrip("/")) for parent in parents))


def is_within(path: Path, root: Path) -> bool:
    """Whether `path` is `root` or below it, as written (callers resolve or normalise both alike)."""
    return path == root or root in path.parents


def _leads_into_hidden(path: str, target: Path, bound: Path) -> bool:
    """Whether following links to the file reaches a hidden path the walk never enters: a file linked to a hidden
    file or into a hidden folder (`.env`, `.git/config`), or any link into `.git`. A folder linked to a hidden
    folder other than `.git` (`current -> .exports/2026-11`) is walked: linking it names it."""
    given = Path(os.path.abspath(path))
    introduced = _hidden(target, bound) - _hidden(given, None)
    if not introduced:
        return False
    if ".git" in introduced or not os.path.islink(path):
        return ".git" in introduced
    return bool(_hidden(target, bound) - _hidden(Path(os.path.realpath(given.parent)), bound))


def _hidden(path: Path, root: Path | None) -> set[str]:
    """The hidden names (`.env`, `.git`) on the path, below root when it is inside it."""
    if root is not None and is_within(path, root):
        path = path.relative_to(root)
    return {part for part in path.parts if part.startswith(".") and part not in (".", "..")}


def _outside(path: str, target: Path, root: Path, what: str = "file") -> InputError:
    return file_error(path, f"expected a {what} inside {root}, found a symbolic link to {target}, outside it "
                            "(not read)")


MAX_FILE_SIZE = "the `max-file-size` setting"


def read(candidate: Candidate, max_bytes: int, limit: str = MAX_FILE_SIZE) -> bytes | InputError:
    """The file's bytes, or the located error that says why it is not read. The kind and size are checked on the
    path before opening it, and again on the opened descriptor (opened non-blocking: a FIFO swapped in between
    cannot hang the run); the read itself stops one byte past the cap."""
    path = candidate.path
    target = Path(os.path.realpath(path))
    if candidate.root is not None and not is_within(target, candidate.root):
        return _outside(path, target, candidate.root)
    if _leads_into_hidden(path, target, candidate.root or Path.cwd().resolve()):
        return file_error(path, f"expected a file outside hidden files and folders, found a symbolic link to "
                                f"{target}, a hidden path (not read)")
    try:
        refused = _refused(path, os.stat(path), max_bytes, limit)
        if refused is not None:
            return refused
        descriptor = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        found = "a symbolic link that leads nowhere" if os.path.islink(path) else "no such file"
        return file_error(path, f"expected a readable file, found {found}")
    except OSError as exc:
        return file_error(path, f"expected a readable file, found: {exc.strerror}")
    with os.fdopen(descriptor, "rb") as opened:
        refused = _refused(path, os.fstat(descriptor), max_bytes, limit)
        if refused is not None:
            return refused
        data = _read_at_most(opened, max_bytes + 1)
    if len(data) > max_bytes:
        return _too_big(path, f"more than {_size(max_bytes)}", max_bytes, limit)
    return data


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Up to `limit` bytes, read a chunk at a time: memory grows with what the file holds, never with the cap (one
    `read(limit)` would allocate all of a 4 GB cap before reading a byte)."""
    data = bytearray()
    while len(data) < limit:
        chunk = stream.read(min(READ_CHUNK, limit - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _refused(path: str, info: os.stat_result, max_bytes: int, limit: str = MAX_FILE_SIZE) -> InputError | None:
    kind = next((name for test, name in _KINDS if test(info.st_mode)), None)
    if kind is not None or not stat.S_ISREG(info.st_mode):
        return file_error(path, f"expected a regular file, found {kind or 'a special file'} (not read)")
    if info.st_size > max_bytes:
        return _too_big(path, _size(info.st_size), max_bytes, limit)
    return None


def _too_big(path: str, found: str, max_bytes: int, limit: str = MAX_FILE_SIZE) -> InputError:
    return file_error(path, f"expected a file of at most {_size(max_bytes)} ({limit}), found {found} (not read)")


def _size(count: int) -> str:
    return f"{count // 2**20:,} MB" if count % 2**20 == 0 else f"{count:,} bytes"


def repository_top(start: str) -> str | None:
    """The top folder of the git repository `start` is in (the one holding `.git`, a folder, or a file for a
    worktree or submodule), found by looking, without running git; None outside one."""
    folder = Path(os.path.abspath(start))
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return str(candidate)
    return None
