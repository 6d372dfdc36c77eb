"""Files and folders to one merged Inventory: discovery, detection, loading, and the id checks across files.

A broken file never hides the others: its errors are collected, every other file is still loaded.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

from policylint.errors import InputError, SourceCrash, file_error
from policylint.model import Group, Inventory, Node
from policylint.sources import SOURCES, Fragment, Options, Source
from policylint.sources.base import Linker
from policylint.yamlsafe import decode

SUFFIXES = (".yaml", ".yml", ".json", ".csv")
_IGNORE = re.compile(rb"policylint:\s*ignore")  # the inline comment `suppress.INLINE` reads, as bytes
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv"})


@dataclass(frozen=True, slots=True)
class Loaded:
    inventory: Inventory
    errors: list[InputError]
    files: list[str]
    commented: list[str]  # the files that hold a `# policylint: ignore` comment (the only ones read again)


def discover(paths: list[str], exclude: tuple[str, ...] = (), root: str = "."
             ) -> tuple[list[tuple[str, bool]], list[InputError]]:
    """(file, named explicitly) for every candidate file, in a stable order; missing paths are errors.

    Walked files matching an `exclude` glob (relative to `root`; `dir/**` or `dir` leaves out a folder) are left out;
    a file named explicitly is always read."""
    found: dict[Path, tuple[str, bool]] = {}  # by resolved path: a file given twice, or inside a folder, reads once
    errors: list[InputError] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            found[path.resolve()] = (given, True)
        elif path.is_dir():
            for f in _walk(path):
                try:
                    if not _excluded(f, exclude, root):
                        found.setdefault(f.resolve(), (str(f), False))
                except (RuntimeError, OSError):  # a symbolic link loop: never skipped silently
                    errors.append(file_error(str(f), "expected a readable file, found a symbolic link loop"))
        elif path.is_symlink():
            errors.append(file_error(given, "expected a file or folder, found a symbolic link that leads nowhere"))
        else:
            errors.append(file_error(given, "expected a file or folder, found no such path"))
    return list(found.values()), errors


def _excluded(path: Path, exclude: tuple[str, ...], root: str) -> bool:
    if not exclude:
        return False
    try:
        relative = path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return False
    parents = [p.as_posix() for p in PurePosixPath(relative).parents if p.as_posix() != "."]
    return any(fnmatch.fnmatchcase(relative, glob) or fnmatch.fnmatchcase(relative, glob.rstrip("/") + "/*")
               or any(fnmatch.fnmatchcase(parent, glob.rstrip("/")) for parent in parents)
               for glob in exclude)


def _walk(root: Path) -> list[Path]:
    files: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        files.extend(Path(folder) / n for n in sorted(names) if n.endswith(SUFFIXES) and not n.startswith("."))
    return files


def _read(path: str, explicit: bool, options: Options) -> tuple[Fragment | None, bool]:
    """The fragment one file contributes (None for a walked-into file that no source recognises), and whether it
    holds an inline ignore comment (so `suppress` reads only those files again)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Fragment(Inventory(), [file_error(path, f"expected a readable file, found: {exc.strerror}")]), False
    ignores = _IGNORE.search(data) is not None
    return _fragment(path, data, explicit, options), ignores


def _fragment(path: str, data: bytes, explicit: bool, options: Options) -> Fragment | None:
    """The fragment of one file's bytes: located errors for what cannot be read, never a skipped file of ours."""
    try:
        text = decode(data, path)
    except InputError as error:
        # a walked-into file is skipped only when it cannot be ours: one that names the marker, or that a source
        # recognises once its bad bytes are replaced, fails closed
        ours = explicit or _mentions_marker(data) or _detected(path, data.decode("utf-8", "replace")) is not None
        return Fragment(Inventory(), [error]) if ours else None
    source = _detected(path, text)
    if source is not None:
        try:
            return source.load(path, text, options)
        except InputError as error:
            return Fragment(Inventory(), [error])
        except RecursionError:
            return Fragment(Inventory(), [file_error(path, "expected data nested less deeply, found nesting too "
                                                           "deep to read")])
        except Exception as exc:  # the boundary: a bug in one source must not hide every other file's findings
            return Fragment(Inventory(), [SourceCrash(path, source.NAME, exc)])
    if not explicit:
        return None
    known = ", ".join(SOURCES)
    return Fragment(Inventory(), [file_error(path, f"expected an inventory file ({known}), found none of them"
                                             " (a native file has 'policylint: 1' at its top level)")])


def _detected(path: str, text: str) -> Source | None:
    return next((source for source in SOURCES.values() if source.detect(path, text)), None)


def _mentions_marker(data: bytes) -> bool:
    return any(marker in data for marker in (b"policylint", "policylint".encode("utf-16-le"),
                                             "policylint".encode("utf-16-be")))


def load_paths(paths: list[str], options: Options | None = None, exclude: tuple[str, ...] = (),
               root: str = ".", *, link: bool = True) -> Loaded:
    """The merged inventory of the paths; `link=False` leaves out the sources' cross-file `link` step (tests)."""
    options = options or Options()
    candidates, errors = discover(paths, exclude, root)
    fragments: list[Fragment] = []
    files: list[str] = []
    commented: list[str] = []
    for path, explicit in candidates:
        fragment, ignores = _read(path, explicit, options)
        if fragment is not None:
            fragments.append(fragment)
            files.append(path)
            errors.extend(fragment.errors)
            if ignores:
                commented.append(path)
    if not files and not errors:  # a run that checked nothing must not pass
        errors.extend(file_error(p, "expected inventory files here, found none (a native file has 'policylint: 1' "
                                    "at its top level)") for p in paths)
    inventory, duplicates = merge([f.inventory for f in fragments], [f.implied for f in fragments])
    errors.extend(duplicates)
    for source in SOURCES.values() if link else ():
        if isinstance(source, Linker):
            inventory = source.link(inventory)
    errors.sort(key=lambda e: e.location)
    return Loaded(inventory, errors, files, commented)


def merge(parts: list[Inventory], implied: list[Inventory] | None = None) -> tuple[Inventory, list[InputError]]:
    """One inventory; an id defined twice is an error naming both places, and only the first is kept.

    Implied nodes (see `Fragment.implied`) come after every definition and only fill ids nobody defined."""
    seen: dict[str, Node] = {}
    errors: list[InputError] = []
    merged: dict[str, list[Any]] = {f.name: [] for f in fields(Inventory)}
    for part in parts:
        for f in fields(Inventory):
            for item in getattr(part, f.name):
                node_id = getattr(item, "id", None)
                if node_id is not None:
                    first = seen.get(node_id)
                    if first is not None:
                        errors.append(InputError(
                            item.location,
                            f"expected each id once in the inventory, found {node_id!r} again"
                            f" (a {first.kind} first defined at {first.location})",
                        ))
                        continue
                    seen[node_id] = item
                merged[f.name].append(item)
    groups = {group.id: number for number, group in enumerate(merged["groups"])}
    for part in implied or ():
        for f in fields(Inventory):
            for item in getattr(part, f.name):
                node_id = getattr(item, "id", None)
                if node_id is None or node_id not in seen:
                    if node_id is not None:
                        seen[node_id] = item
                    if isinstance(item, Group):
                        groups[item.id] = len(merged["groups"])
                    merged[f.name].append(item)
                elif isinstance(item, Group) and node_id in groups:
                    # a group several files imply (a SCIM user's groups, a binding's subjects): all its members
                    number = groups[node_id]
                    known = merged["groups"][number]
                    extra = tuple(m for m in item.members if m not in known.members)
                    merged["groups"][number] = replace(known, members=known.members + extra)
    return Inventory(**{name: tuple(items) for name, items in merged.items()}), errors
