"""Terraform configuration in HCL (`*.tf`, `*.tf.json`, and the `*.tfvars` they take values from).

A Terraform module is a folder, not a file: its variables, locals and resources are spread over its files, and a
root module instantiates the local modules it calls. So the walked Terraform files are read as a `Project`, once
per run: every folder holding one, each parsed file by file (`hcl_parse`; a syntax error is located in its file and
hides nothing else). A root module is a walked folder that no other walked folder calls as a local module (a module
that only modules of a cycle call is a root too: nothing is left unread). Each root is evaluated (`hcl_module`)
into the resource instances Terraform would create, with what the configuration leaves open marked (`hcl_values`),
and those are read exactly as a plan's are (`plan.fragment_of`): one meaning for IAM, keys and stores across
CloudFormation, plan JSON and HCL. Every record is located at its resource block (`file:line:col`), in the module
file that declares it.

The records of a root module are the fragment of its first file (by name); its other files, and the files of the
modules it calls, contribute their own syntax errors. A module's folder is read in full (a module is all its
files), also when only one of its files was named or walked, but never outside the run's tree: a local module
whose folder is outside it is read as a remote one (its outputs open). Unnamed resources (KMS keys, `name_prefix`)
are named `<root module folder>:<address>`.

The account: a root module's default `provider "aws"` block (no `alias`) gives it when it names exactly one
(`allowed_account_ids`, or the account of `assume_role { role_arn }`), and its `region` the region; the IAM ids are
then that account's, and, as a state's known ARNs do,
they join an authorization-details export of it. Otherwise they stay in the template's unknown account (`cfn`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from policylint.errors import InputError
from policylint.model import Inventory, Location
from policylint.sources.base import Fragment, Options
from policylint.sources.terraform.hcl_eval import evaluate
from policylint.sources.terraform.hcl_module import Folder, Module, as_values, nested_blocks
from policylint.sources.terraform.hcl_parse import Block, parse
from policylint.sources.terraform.hcl_scope import Budget, Scope
from policylint.sources.terraform.hcl_values import Open, template_value
from policylint.sources.terraform.plan import escaped, fragment_of, relative
from policylint.sources.terraform.plan_cfn import intrinsic
from policylint.sources.terraform.plan_open import joined
from policylint.sources.terraform.plan_read import Plan, TfResource

NAME = "terraform-hcl"
CONFIGURATION = (".tf", ".tf.json")
VALUES = (".tfvars", ".tfvars.json")
SUFFIXES = CONFIGURATION + VALUES
_AUTO_VALUES = ("terraform.tfvars", "terraform.tfvars.json")


def detect(path: str, text: str) -> bool:
    """A Terraform file by its name: configuration (`.tf`, `.tf.json`) or values (`.tfvars`, `.tfvars.json`)."""
    return os.path.basename(path).lower().endswith(SUFFIXES)


def load(path: str, text: str, options: Options) -> Fragment:
    return _project(path, options).fragment(path, text)


def _project(path: str, options: Options) -> Project:
    walked = options.terraform_files or (path,)
    key = (walked, options.terraform_roots, options.globs_root, options.links_within, options.max_file_bytes,
           _stamps(walked))
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
        self._texts: dict[str, str] = {}
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
        if path in self._texts:
            return self._texts[path]
        try:
            if os.path.getsize(path) > self.options.max_file_bytes:
                return InputError(Location(path, 1, 1), "expected a Terraform file under the size limit "
                                                        "(`max-file-size`), found a larger one")
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            return InputError(Location(path, 1, 1), f"expected a readable UTF-8 Terraform file, found "
                                                    f"{type(error).__name__}")
        self._texts[path] = text
        return text

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
            for other in sorted(set(files) - set(configuration) - set(values)):  # `-var-file`'s, not applied
                self.note(Location(other, 1, 1), "values Terraform applies only when asked (`-var-file`): read for "
                                                  "their syntax only; the variables take their defaults or "
                                                  "terraform.tfvars's, and those without are left open")
            if configuration:
                overrides = [f for f in configuration if _override_file(os.path.basename(f))]
                bodies = [b for b in (self.parsed(f).body for f in configuration if f not in overrides) if b]
                tfvars = [b for b in (self.parsed(f).body for f in values) if b is not None]
                self._folders[path] = Folder(path, bodies, tfvars,
                                             [b for b in (self.parsed(f).body for f in overrides) if b])
        return self._folders[path]

    def read_file(self, path: str) -> str | Open:
        """A file a configuration reads (`file`, `templatefile`): inside the tree only, and never one the walk would
        not open either (`.git/config`, `.env`: a hidden file or folder), as its text could end up in a name."""
        real = os.path.realpath(path)
        root = next((r for r in self._allowed if real.startswith(r.rstrip(os.sep) + os.sep)), None)
        within = Path(os.path.relpath(real, root)).parts if root is not None else ()
        hidden = any(part.startswith(".") for part in within)
        if root is None or hidden or not os.path.isfile(path):
            return Open(f"file {path!r} (outside the checked tree, hidden, or not there)")
        text = self.text(path)
        return Open(f"file {path!r} (not readable)") if isinstance(text, InputError) else text

    def root_of(self, module: Module) -> str:
        return module.folder.path

    def note(self, at: Location, text: str) -> None:
        self._notes[(at, text)] = None

    # -- roots ----------------------------------------------------------------------------------------------------

    def _find_roots(self) -> set[str]:
        """The walked folders read as root modules: those no other walked folder calls, and those that say they are
        one (a provider configuration, a backend, values Terraform loads), whoever calls them: a decoy calling a
        root with `count = 0` must not turn it off. A walked folder nothing instantiates after all (a cycle of
        modules, calls that make no instance) becomes a root too (`_unread_folders`)."""
        folders = sorted({os.path.dirname(p) for p in self.walked if p.lower().endswith(CONFIGURATION)})
        called: set[str] = set()
        roots: set[str] = set()
        for path in folders:
            folder = self.folder(path)
            if folder is None:
                continue
            called |= {t for t in (folder.local_source(b) for b in folder.modules.values()) if t and t != path}
            if folder.providers or folder.backend or folder.tfvars:
                roots.add(path)
        return roots | {f for f in folders if f not in called and self.folder(f) is not None}

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
        self._texts.setdefault(path, text.lstrip("\ufeff"))
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
        by name (a file Terraform ignores, or one the walk left out, never carries them)."""
        walked = sorted(p for p in self.walked if os.path.dirname(p) == folder and p.lower().endswith(CONFIGURATION)
                        and not ignored(os.path.basename(p)))
        return walked[0] if walked else None

    def _root_fragment(self, path: str) -> Fragment:
        if path not in self._fragments:
            folder = self.folder(path)
            assert folder is not None
            module = Module(folder, self)
            parameters: dict[str, None] = {}
            resources = [as_values(r, parameters) for r in module.resources()]
            first = self.members(path)[0]
            by_provider: dict[str, list[TfResource]] = {}
            for resource in resources:  # each AWS provider configuration (`alias`) is an account of its own
                key = resource.provider if resource.provider.startswith("aws") else "aws"
                by_provider.setdefault(key, []).append(resource)
            parts = []
            for key, group in sorted(by_provider.items(), key=lambda item: item[0] != "aws"):
                account, region = _provider(folder, key)
                defaults = template_value(_default_tags(folder, key), parameters)
                if defaults:  # the provider's `default_tags`, under each resource's own (as a plan's `tags_all`)
                    group = [_with_tags(r, defaults) for r in group]
                # several roots (environments) or configurations whose accounts no provider names: each its own
                several = len(self._roots) > 1 or len(by_provider) > 1
                label = escaped(relative(path or ".", self.options.globs_root)) + ("" if key == "aws" else f".{key}")
                plan = Plan(resources=group, parameters=list(parameters), provider_account=account,
                            configuration=True, region=region, account=label if account is None and several else None)
                parts.append(fragment_of(plan, first, self.options, names=path or "."))
            fragment = joined(*parts) if parts else fragment_of(Plan(configuration=True), first, self.options)
            context = [p.error for f, p in self._parsed.items() if p.error is not None and f not in self.walked]
            self._fragments[path] = Fragment(fragment.inventory, list(fragment.errors) + context, fragment.implied,
                                             tuple(self._notes))
        return self._fragments[path]


def _default_tags(folder: Folder, key: str) -> Any:
    """A provider configuration's `default_tags { tags = {…} }`: every resource it makes carries them."""
    scope = Scope(Module(folder, _NoFiles()))
    alias = key.partition(".")[2] or None
    for block in folder.providers:
        named = evaluate(block.attributes["alias"].expr, scope) if "alias" in block.attributes else None
        if block.labels == ("aws",) and named == alias:
            for defaults in nested_blocks(block, "default_tags", scope) or []:
                return defaults.get("tags") or {}
    return {}


def _with_tags(resource: TfResource, defaults: Any) -> TfResource:
    own = resource.values.get("tags")
    if own is not None and (not isinstance(own, dict) or intrinsic(own)):
        return resource  # its own tags are left open: they stand (the reader reads every key as open)
    merged = {**defaults, **(own or {})} if isinstance(defaults, dict) else defaults
    return replace(resource, values={**resource.values, "tags_all": merged})


def _override_file(name: str) -> bool:
    stem = name.lower().removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def ignored(name: str) -> bool:
    """A file name Terraform ignores in a module folder: hidden, or an editor's backup (`x.tf~`, `#x.tf#`)."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def _provider(folder: Folder, key: str = "aws") -> tuple[str | None, str | None]:
    """The AWS account and region a root module's provider configuration names (`aws`: the one without an
    `alias`; `aws.security`: `alias = "security"`): the account from `allowed_account_ids` (exactly one) or
    `assume_role { role_arn }`. Each configuration's resources are in its own account."""
    accounts: set[str] = set()
    region: str | None = None
    scope = Scope(Module(folder, _NoFiles()))
    alias = key.partition(".")[2] or None
    for block in folder.providers:
        named = evaluate(block.attributes["alias"].expr, scope) if "alias" in block.attributes else None
        if block.labels != ("aws",) or named != alias:
            continue
        allowed = block.attributes.get("allowed_account_ids")
        value = evaluate(allowed.expr, scope) if allowed is not None else None
        if isinstance(value, list):
            accounts.update(v for v in value if isinstance(v, str) and v.isdigit() and len(v) == 12)
        for assume in nested_blocks(block, "assume_role", scope) or []:
            arn = assume.get("role_arn")
            parts = arn.split(":") if isinstance(arn, str) else []
            if len(parts) > 4 and parts[4].isdigit() and len(parts[4]) == 12:
                accounts.add(parts[4])
        named = evaluate(block.attributes["region"].expr, scope) if "region" in block.attributes else None
        region = named if isinstance(named, str) else region
    return (accounts.pop() if len(accounts) == 1 else None), region


class _NoFiles:
    """A provider block's scope: its variables and locals, no module calls or files."""

    def __init__(self) -> None:
        self.budget = Budget()

    def folder(self, path: str | None) -> Folder | None:
        return None

    def read_file(self, path: str) -> str | Open:
        return Open(f"file {path!r} (read in a provider block)")

    def root_of(self, module: Module) -> str:
        return module.folder.path

    def note(self, at: Location, text: str) -> None:
        pass  # a provider block calls no module

    def used(self, path: str) -> None:
        pass


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
