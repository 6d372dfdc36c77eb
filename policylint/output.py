"""Writing a report or a baseline to the file `-o` names: never over one of the run's inputs, never half-written.

A regular file (or a new one) is written to a temporary file in the same folder, flushed to disk and renamed over
the target, so a full disk or a kill leaves the old file or the new one, never a truncated one. A target that exists
and is not a regular file (`/dev/stdout`, `/dev/null`, a pipe) is opened and written in place: replacing it would
turn a device node into a regular file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from policylint.errors import UsageError
from policylint.redact import printable

IN_PLACE_ROOTS = ("/dev/", "/proc/")  # /dev/stdout leads to /proc/self/fd/1: whatever fd 1 is, it is written to


def refuse_links(path: Path) -> None:
    """A usage error when `path`, or a folder on the way to it (as written, from the working directory or from /),
    is a symbolic link: a link committed to a repository (`policylint.sarif -> ~/.bashrc`, `out -> /etc`) would
    make `-o` write, or clear, a file outside it. Device paths (`/dev/stdout`, which leads to /proc/self/fd/1) are
    links by design and are allowed."""
    written = str(path)
    if written.startswith(IN_PLACE_ROOTS):
        return
    prefix = Path(path.anchor) if path.is_absolute() else Path()
    for part in path.parts[1:] if path.is_absolute() else path.parts:
        prefix = prefix / part
        if part in (".", "..") or not os.path.islink(prefix):
            continue
        try:
            leads = printable(os.readlink(prefix))
        except OSError:
            leads = "somewhere else"
        raise UsageError(f"expected -o to name a file reached through no symbolic link, found "
                         f"{printable(str(prefix))}, a symbolic link to {leads} (name the real path instead)")


def refuse_inputs(path: Path, inputs: Iterable[str | Path]) -> None:
    """A usage error when `path` is one of the inputs: the same path once resolved, or the same file (a hard link,
    a symbolic link); checked before anything is written, so a refused run touches nothing."""
    target = Path(path)
    for name in inputs:
        if _same_file(target, Path(name)):
            raise UsageError(f"expected -o to name a file that is not one of the run's inputs, found "
                             f"{printable(str(path))}, which is the input {printable(str(name))}")


def write_output(path: Path, text: str | Iterable[str], inputs: Iterable[str | Path], *,
                 what: str = "the report") -> None:
    """Write `text` (or its pieces, in order, as they are made) to `path` (refused when it is one of `inputs`):
    atomically for a regular file, in place for a device or a pipe. A path through a symbolic link is refused
    (`refuse_links`)."""
    refuse_links(path)
    refuse_inputs(path, inputs)
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise _cannot_write(path, what, exc) from None
    try:
        if existing is not None and (not stat.S_ISREG(existing.st_mode) or _in_place(path)):
            _write_in_place(path, text)
        else:
            _write_atomically(Path(os.path.realpath(path)), text, existing)
    except OSError as exc:
        raise _cannot_write(path, what, exc) from None


def _same_file(target: Path, name: Path) -> bool:
    if target.resolve() == name.resolve():
        return True
    try:
        return os.path.samefile(target, name)
    except FileNotFoundError:
        return False  # one of them does not exist: resolved paths said everything there is to say
    except OSError:
        return target.absolute() == name.absolute()


def _in_place(path: Path) -> bool:
    return str(path).startswith(IN_PLACE_ROOTS) or os.path.realpath(path).startswith(IN_PLACE_ROOTS)


def _write_in_place(path: Path, text: str | Iterable[str]) -> None:
    # appending: a pipe or a terminal has no end to truncate, and /dev/stdout redirected with >> keeps its lines
    with open(path, "a", encoding="utf-8") as stream:
        stream.writelines((text,) if isinstance(text, str) else text)


def _write_atomically(target: Path, text: str | Iterable[str], existing: os.stat_result | None) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.writelines((text,) if isinstance(text, str) else text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(existing.st_mode) if existing else _default_mode())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _default_mode() -> int:
    """What `open(path, "w")` would have given a new file: 0o666 less the umask (mkstemp's own is 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """The rename itself on disk too (a folder cannot be opened for this on Windows, where NTFS journals it)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _cannot_write(path: Path, what: str, exc: OSError) -> UsageError:
    return UsageError(f"expected to write {what} to {printable(str(path))}, found: {exc.strerror or exc}")
