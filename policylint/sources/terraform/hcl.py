"""Terraform configuration in HCL (`*.tf`, `*.tf.json`, and the `*.tfvars` they take values from).

A Terraform module is a folder, not a file: its variables, locals and resources are spread over its files, and a
root module instantiates the local modules it calls. So the walked Terraform files are read as a `Project`, once
per run: every folder holding one, each parsed file by file (`hcl_parse`; a syntax error is located in its file and
hides nothing else). A root module is a walked folder that says it is one (a provider configuration, a backend,
values files), that no other walked folder calls as a local module, or that Terraform could run as it is and only
roots that do not say so call (a decoy's call must not turn it off); a module that only modules of a cycle call,
or that no call instantiates, is a root too: nothing is left unread. Each root is evaluated (`hcl_module`)
into the resource instances Terraform would create, with what the configuration leaves open marked (`hcl_values`),
and those are read exactly as a plan's are (`plan.fragment_of`): one meaning for IAM, keys and stores across
CloudFormation, plan JSON and HCL. Every record is located at its resource block (`file:line:col`), in the module
file that declares it.

The records of a root module are the fragment of its first readable file (by name); its other files, and the
files of the modules it calls, contribute their own errors. A module's folder is read in full (a module is all its
files), also when only one of its files was named or walked, but never outside the run's tree: a local module
whose folder is outside it is read as a remote one (its outputs open). Unnamed resources (KMS keys, `name_prefix`)
are named `<root module folder>:<address>`. Evaluation is bounded (`hcl_scope.Budget`): what is past a bound is
open and a located error, never a hang, a crash or a silently missing instance.

The account: a root module's default `provider "aws"` block (no `alias`) gives it when it names exactly one
(`allowed_account_ids`, or the account of `assume_role { role_arn }`), and its `region` the region; the IAM ids are
then that account's, and, as a state's known ARNs do, they join an authorization-details export of it. Otherwise
the account is named by the root's folder relative to the run's root (`envs%2Fprod`; the run's root itself is the
template's unknown account, `cfn`): an environment's ids never depend on whether another is checked too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from policylint.errors import InputError
from policylint.model import Inventory, Location
from policylint.sources.base import Fragment, Options
from policylint.sources.terraform.hcl_module import Folder, Module, as_values
from policylint.sources.terraform.hcl_names import CONFIGURATION, SUFFIXES
from policylint.sources.terraform.hcl_names import NAME as NAME  # the source, for whoever imports the reader
from policylint.sources.terraform.hcl_names import detect as detect
from policylint.sources.terraform.hcl_parse import Block, parse
from policylint.sources.terraform.hcl_providers import (
    aws_account,
    default_labels,
    default_tags,
    with_labels,
    with_tags,
)
from policylint.sources.terraform.hcl_scope import Budget, TooLarge
from policylint.sources.terraform.hcl_values import Open
from policylint.sources.terraform.plan import account_label, escaped, fragment_of
from policylint.sources.terraform.plan_open import joined
from policylint.sources.terraform.plan_read import Plan, TfResource
from policylint.yamlsafe import decode

_AUTO_VALUES = ("terraform.tfvars", "terraform.tfvars.json")


def load(path: str, text: str, options: Options) -> Fragment:
    return _project(path, options).fragment(path, text)


def _project(path: str, options: Options) -> Project:
    walked = options.terraform_files or (path,)
    key = (walked, options.terraform_roots, options.globs_root, options.top, options.links_within,
           options.max_file_bytes, _stamps(walked))
    project = _PROJECTS.get(key)
    if project is None:
        _PROJECTS.clear()  # one run's project at a time
        project = _PROJECTS[key] = Project(list(walked), options)
    return project


_PROJECTS: dict[tuple[Any, ...], Project] = {}


def _stamps(paths: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    stamps = []
    for path in paths:
        try:
            stat = os.stat(path)
            stamps.append((stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((0, 0))
    return tuple(stamps)


@dataclass
class _Parsed:
    body: Block | None
    error: InputError | None


class Project:
    """The run's Terraform: folders, their parsed files, the root modules and their fragments."""

    def __init__(self, walked: list[str], options: Options) -> None:
        self.options = options
        self.walked = {os.path.normpath(p) for p in walked}
        roots = options.terraform_roots or tuple(os.path.dirname(p) or "." for p in walked)
        allowed = {os.path.realpath(r) for r in (*roots, *([options.links_within] if options.links_within else []))}
        if options.links_within is None:  # a local module may be anywhere in the repository the checked folder is in
            allowed |= {r for r in map(_repository, sorted(allowed)) if r is not None}
        self._allowed = sorted(allowed)
        self._parsed: dict[str, _Parsed] = {}
        self._folders: dict[str, Folder | None] = {}
        self._texts: dict[str, str | InputError] = {}
        self._fragments: dict[str, Fragment] = {}
        self._notes: dict[tuple[Location, str], None] = {}
        self.budget = Budget()
        self._used: set[str] = set()  # the folders a root's evaluation instantiated as a module
        self._extra: set[str] | None = None
        self._roots = self._find_roots()

    # -- files and folders ----------------------------------------------------------------------------------------

    def _inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self._allowed)

    def members(self, folder: str) -> list[str]:
        """The Terraform files of a folder, by name; a link leading out of the tree is not one."""
        try:
            names = sorted(e.name for e in os.scandir(folder or ".") if e.name.lower().endswith(SUFFIXES)
                           and not ignored(e.name))
        except OSError:
            return []
        paths = [os.path.normpath(os.path.join(folder, n)) for n in names]
        return [p for p in paths if os.path.isfile(p) and self._inside(p)]

    def text(self, path: str) -> str | InputError:
        """A file's text, decoded as the walk decodes it (so that a file the walk cannot read is one this cannot)."""
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    def _read(self, path: str) -> str | InputError:
        try:
            if os.path.getsize(path) > self.options.max_file_bytes:
                return InputError(Location(path, 1, 1), "expected a Terraform file under the size limit "
                                                        "(`max-file-size`), found a larger one")
            with open(path, "rb") as handle:
                return decode(handle.read(), path)
        except OSError as error:
            return InputError(Location(path, 1, 1), f"expected a readable Terraform file, found {error.strerror}")
        except InputError as error:
            return error

    def parsed(self, path: str) -> _Parsed:
        if path not in self._parsed:
            text = self.text(path)
            if isinstance(text, InputError):
                self._parsed[path] = _Parsed(None, text)
            else:
                try:
                    self._parsed[path] = _Parsed(parse(path, text), None)
                except InputError as error:
                    self._parsed[path] = _Parsed(None, error)
                except RecursionError:
                    self._parsed[path] = _Parsed(None, InputError(Location(path, 1, 1), "expected Terraform nested "
                                                                  "less deeply, found nesting too deep to read"))
        return self._parsed[path]

    def folder(self, path: str | None) -> Folder | None:
        """A module folder inside the tree, parsed; None: outside it, or holding no configuration."""
        if path is None:
            return None
        path = os.path.normpath(path)
        if path not in self._folders:
            self._folders[path] = None
            files = self.members(path) if self._inside(path or ".") else []
            configuration = [f for f in files if f.lower().endswith(CONFIGURATION)]
            values = [f for f in files if os.path.basename(f).lower() in _AUTO_VALUES
                      or f.lower().endswith((".auto.tfvars", ".auto.tfvars.json"))]
            asked = sorted(set(files) - set(configuration) - set(values))  # `-var-file`'s: applied or not
            for other in asked:
                self.note(Location(other, 1, 1), "values Terraform applies only when asked (`-var-file`): the "
                                                  "variables they set are read as not known here, as they may hold "
                                                  "either value (fail closed)")
            if configuration:
                overrides = [f for f in configuration if _override_file(os.path.basename(f))]
                bodies = [b for b in (self.parsed(f).body for f in configuration if f not in overrides) if b]
                tfvars = [b for b in (self.parsed(f).body for f in values) if b is not None]
                self._folders[path] = Folder(path, bodies, tfvars,
                                             [b for b in (self.parsed(f).body for f in overrides) if b],
                                             [b for b in (self.parsed(f).body for f in asked) if b is not None])
        return self._folders[path]

    def read_file(self, path: str) -> str | Open:
        """A file a configuration reads (`file`, `templatefile`): inside the tree only, and never one the walk would
        not open either (`.git/config`, `.env`: a hidden file or folder), as its text could end up in a name."""
        real = os.path.realpath(path)
        root = next((r for r in self._allowed if real.startswith(r.rstrip(os.sep) + os.sep)), None)
        within = Path(os.path.relpath(real, root)).parts if root is not None else ()
        hidden = any(part.startswith(".") for part in within)
        if root is None or hidden or not os.path.isfile(path):
            # named as ids name files (`Options.place`): the reason is part of a grant's condition, the same in
            # every clone, working folder and diff's copy
            return Open(f"file {self.options.place(path)!r} (outside the checked tree, hidden, or not there)")
        text = self.text(path)
        return Open(f"file {self.options.place(path)!r} (not readable)") if isinstance(text, InputError) else text

    def root_of(self, module: Module) -> str:
        return module.folder.path

    def note(self, at: Location, text: str) -> None:
        self._notes[(at, text)] = None

    # -- roots ----------------------------------------------------------------------------------------------------

    def _find_roots(self) -> set[str]:
        """The walked folders read as root modules. A folder is one when it says so (a provider configuration, a
        backend, values files), whoever calls it; when no walked folder calls it; and when Terraform could run it
        as it is (every variable has a default) and only roots that do not say so call it: such a call may be a
        decoy passing inputs that make nothing, and must not turn off what the folder makes on its own. A walked
        folder nothing instantiates after all (a cycle of modules, calls that make no instance) becomes a root too
        (`_unread_folders`)."""
        folders = [f for f in sorted({os.path.dirname(p) for p in self.walked if p.lower().endswith(CONFIGURATION)})
                   if self.folder(f) is not None]
        callers: dict[str, set[str]] = {}
        for path in folders:
            folder = self.folder(path)
            assert folder is not None
            for target in {t for t in (folder.local_source(b) for b in folder.modules.values()) if t and t != path}:
                callers.setdefault(target, set()).add(path)
        said = {f for f in folders if _says_root(self.folder(f))}
        top = {f for f in folders if f not in callers}
        decoyed = {f for f in folders if f in callers and _runnable(self.folder(f))
                   and all(c in top and c not in said for c in callers[f])}
        return said | top | decoyed

    def used(self, path: str) -> None:
        self._used.add(path)

    def _unread_folders(self) -> set[str]:
        """The walked folders that no root's evaluation instantiated: read as roots of their own (fail closed)."""
        if self._extra is None:
            for root in sorted(self._roots):
                self._root_fragment(root)
            folders = {os.path.dirname(p) for p in self.walked if p.lower().endswith(CONFIGURATION)}
            self._extra = {f for f in folders - self._roots - self._used if self.folder(f) is not None}
        return self._extra

    # -- fragments ------------------------------------------------------------------------------------------------

    def fragment(self, path: str, text: str) -> Fragment:
        path = os.path.normpath(path)
        if not isinstance(self._texts.get(path), str):
            self._texts[path] = text.lstrip("\ufeff")
        own = self.parsed(path)
        errors = [own.error] if own.error is not None else []
        folder = os.path.dirname(path)
        if path != self._carrier(folder):
            return Fragment(Inventory(), errors)
        parsed_folder = self.folder(folder)
        errors += parsed_folder.errors if parsed_folder is not None else []
        if folder in self._roots or folder in self._unread_folders():
            root = self._root_fragment(folder)
            return Fragment(root.inventory, errors + root.errors, root.implied, root.notes)
        return Fragment(Inventory(), errors)

    def _carrier(self, folder: str) -> str | None:
        """The file that carries a folder's records and its folder-wide errors: its first walked configuration file
        by name that can be read (a file Terraform ignores, one the walk left out, and one too large or not text,
        which the walk does not read and which has its own error, never carry them)."""
        walked = sorted(p for p in self.walked if os.path.dirname(p) == folder and p.lower().endswith(CONFIGURATION)
                        and not ignored(os.path.basename(p)))
        return next((p for p in walked if self._inside(p) and not isinstance(self.text(p), InputError)), None)

    def _root_fragment(self, path: str) -> Fragment:
        if path not in self._fragments:
            already = len(self.budget.errors)
            fragment = self._evaluated(path)
            context = [p.error for f, p in self._parsed.items() if p.error is not None and f not in self.walked]
            failed = self.budget.located()[already:]
            self._fragments[path] = Fragment(fragment.inventory, list(fragment.errors) + context + failed,
                                             fragment.implied, tuple(self._notes))
        return self._fragments[path]

    def _evaluated(self, path: str) -> Fragment:
        """A root module's resources, read as a plan's: each AWS provider configuration's as an account of its own
        (the one it names, else one named by the root's folder), with their default tags and labels."""
        folder = self.folder(path)
        assert folder is not None
        first = self._carrier(path) or self.members(path)[0]
        parameters: dict[str, None] = {}
        try:
            made = Module(folder, self).resources()
        except TooLarge as large:  # every evaluation is located where it is started; this is the last safety net
            self.budget.fail(Location(first, 1, 1), f"expected a configuration within the bounds of any real one, "
                                                    f"found {large}: its resources are not read")
            made = []
        resources = [self._written(r, parameters) for r in made]
        keys = self.options.classification_keys
        by_provider: dict[str, list[TfResource]] = {}
        labelled: dict[str, Any] = {}  # each Google provider configuration's `default_labels`
        for resource in resources:  # each AWS provider configuration (`alias`) is an account of its own
            if resource.provider.startswith("google"):
                if resource.provider not in labelled:
                    labelled[resource.provider] = default_labels(folder, resource.provider, self.budget, parameters)
                labels = labelled[resource.provider]
                resource = with_labels(resource, labels, keys) if labels or "labels" in resource.values else resource
            key = resource.provider if resource.provider.startswith("aws") else "aws"
            by_provider.setdefault(key, []).append(resource)
        parts = []
        for key, group in sorted(by_provider.items(), key=lambda item: item[0] != "aws"):
            account, region = aws_account(folder, key, self.budget)
            defaults = default_tags(folder, key, self.budget, parameters)
            if defaults:  # the provider's `default_tags`, under each resource's own (as a plan's `tags_all`)
                group = [with_tags(r, defaults, keys) for r in group]
            plan = Plan(resources=group, parameters=list(parameters), provider_account=account, configuration=True,
                        region=region, account=None if account is not None else self._label(path, key))
            parts.append(fragment_of(plan, first, self.options, names=path or "."))
        return joined(*parts) if parts else fragment_of(Plan(configuration=True), first, self.options)

    def _written(self, resource: TfResource, parameters: dict[str, None]) -> TfResource:
        """A resource with its values as the template says them; one past the run's `Budget.TEMPLATE` open."""
        values = {}
        for name, value in resource.values.items():
            try:
                self.budget.write(value)
            except TooLarge as large:
                self.budget.fail(resource.location, f"expected resources within the bounds of any real "
                                                    f"configuration, found {large}: {resource.address}.{name} is read "
                                                    "as not known here (fail closed)")
                value = Open(f"{resource.address}.{name} ({large}; not read)")
            values[name] = value
        return as_values(replace(resource, values=values), parameters)

    def _label(self, path: str, key: str) -> str | None:
        """The account of a root module's AWS provider configuration that names none: the root's folder, relative to
        the run's root (as a plan names what it leaves unnamed), so that two environments are two accounts and
        neither's ids depend on whether the other is checked too; the run's root itself is the template's unknown
        account (`cfn`). An `alias` is an account of its own: `<folder>.aws.<alias>`."""
        return account_label(escaped(self.options.place(path or ".")), key)


def _says_root(folder: Folder | None) -> bool:
    """Whether a folder says it is a root module: a provider configuration, a backend, values for its variables."""
    return folder is not None and bool(folder.providers or folder.backend or folder.tfvars or folder.asked)


def _runnable(folder: Folder | None) -> bool:
    """Whether Terraform could run a folder as a root module as it is: every variable has a default."""
    return folder is not None and all("default" in v.attributes for v in folder.variables.values())


def _override_file(name: str) -> bool:
    stem = name.lower().removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def ignored(name: str) -> bool:
    """A file name Terraform ignores in a module folder: hidden, or an editor's backup (`x.tf~`, `#x.tf#`)."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def _repository(folder: str) -> str | None:
    """The root of the git repository a folder is in (the nearest parent holding `.git`), if any."""
    current = folder
    for _ in range(64):
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return None
