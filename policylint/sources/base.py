"""What every source module offers: `detect` a file by its content, `load` it into a model fragment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from policylint.errors import InputError
from policylint.model import Inventory, Location
from policylint.walk import matches


@dataclass(frozen=True, slots=True)
class Fragment:
    """What one file contributed: the model records it defines and the located errors it has.

    `implied` holds nodes the file names and whose existence it implies without defining them: a GCP member, a
    Kubernetes `User` subject, an AWS account's access-control resource. Many files may imply the same node: the
    merge keeps one of them, silently, and a definition in `inventory` always wins over an implied one.
    """

    inventory: Inventory
    errors: list[InputError] = field(default_factory=list)
    implied: Inventory = field(default_factory=Inventory)
    # what the file leaves unchecked without being wrong (a Terraform module from the registry, not read): the run's
    # notices, never its errors
    notes: tuple[tuple[Location, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Options:
    """Settings (from the config file) that change how formats are read; the defaults suit most exports."""

    # roster CSV: our field name -> the CSV's column name (fields: id, email, status, departed, name, team, manager)
    roster_columns: Mapping[str, str] = field(default_factory=dict)
    # tag and label names whose value classifies a resource's data (AWS tags, GCP and Kubernetes labels)
    classification_keys: tuple[str, ...] = ("data-classification",)
    # a larger file is a located error, never read (`max-file-size` in the config, in MB): a link to /dev/zero or a
    # stray dump must not fill the memory
    max_file_bytes: int = 256 * 2**20
    # where a symbolic link may lead; None: inside the walked folder (the working directory for a file named on the
    # command line). `diff` sets the repository, on both sides.
    links_within: str | None = None
    # (path glob, value) pairs from the configuration, globs relative to `globs_root` (the
    # run's exclude root, set by `inventory.load_paths`): the GCP project a policy
    # dump is of (`gcp-projects`), the namespace of a manifest's objects that name none (`kubernetes-namespaces`)
    gcp_projects: tuple[tuple[str, str], ...] = ()
    kubernetes_namespaces: tuple[tuple[str, str], ...] = ()
    globs_root: str = "."
    # where each of those globs is written (file:line:col): a glob that matches no walked file is an error
    globs_written: tuple[tuple[str, Location], ...] = ()
    check_globs: bool = True  # False on the sides of a `diff` (copies of what git tracks)
    # the run's walked Terraform files (set by `inventory.load_paths`): which folders are root modules; and the
    # folders a module they call may be read from (each walked folder, resolved)
    terraform_files: tuple[str, ...] = ()
    terraform_roots: tuple[str, ...] = ()
    # the top folder of the git repository the root is in (a diff's side: the copy of it), or None
    top: str | None = None

    def place(self, path: str) -> str:
        """The file's name in ids and cache keys: its path from the run's root (posix), `../` and all when it is
        outside the root but inside the repository (the configuration in a subfolder reading `../iam`), else its
        absolute path. The same in every clone, and in a diff's copy (an id naming the clone's or the temporary
        copy's folder differs between them: each finding on it would be new, and a baseline of it match nothing)."""
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, os.path.abspath(self.globs_root))
        if not _outside(relative) or (self.top is not None
                                      and not _outside(os.path.relpath(absolute, os.path.abspath(self.top)))):
            return Path(relative).as_posix()
        return Path(absolute).as_posix()

    def gcp_project_for(self, path: str) -> str | None:
        """The project the configuration says the file at `path` dumps; None: read it off the document."""
        return next((value for glob, value in self.gcp_projects if matches(path, glob, self.globs_root)), None)

    def namespace_for(self, path: str) -> str | None:
        """The namespace the configuration gives the file's objects that name none; None: not configured."""
        return next((value for glob, value in self.kubernetes_namespaces if matches(path, glob, self.globs_root)),
                    None)


def _outside(relative: str) -> bool:
    return relative == os.pardir or relative.startswith(os.pardir + os.sep)


class Source(Protocol):
    NAME: str

    def detect(self, path: str, text: str) -> bool:
        """Whether the file is in this format, by a cheap look at its content (and, at most, its name)."""
        ...

    def load(self, path: str, text: str, options: Options) -> Fragment:
        """The model records the file defines, with located errors; raises InputError when nothing is usable."""
        ...


@runtime_checkable
class Linker(Protocol):
    """A source that also needs the whole merged inventory (a Kubernetes binding whose role is in another file)
    offers `link`: it runs once, after every file is merged, and may only complete what its own files defined."""

    def link(self, inventory: Inventory) -> Inventory: ...
