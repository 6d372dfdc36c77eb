"""The configuration file: `.policylint.yaml`, or `[tool.policylint]` in `pyproject.toml`, found by walking up.

The nearest folder (from the working directory up) that has either file holds the configuration; when one folder
has both, `.policylint.yaml` wins. Paths in it are relative to its folder. The command line overrides it, option by
option. Unknown keys and values are located errors (exit 2), like any other input.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policylint.errors import InputError, InputErrors, file_error
from policylint.model import Location
from policylint.validate import schema_errors
from policylint.walk import Candidate, is_within, read
from policylint.yamlsafe import YMap, YSeq, decode, load_one

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

YAML_NAME = ".policylint.yaml"
CONFIG_MAX_BYTES = 256 * 2**20  # read as the walk reads an input: a regular file, at most the default cap
TOML_NAME = "pyproject.toml"


@dataclass(frozen=True, slots=True)
class Setting:
    """One value from the file, with where it is written (for errors that come later, like unknown rule ids)."""

    value: str
    location: Location


@dataclass(frozen=True, slots=True)
class Config:
    file: str | None = None  # None: no configuration file was found
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    customer_data: tuple[str, ...] = ()
    fail_on: str | None = None
    select: tuple[Setting, ...] = ()
    ignore: tuple[Setting, ...] = ()
    policies: tuple[str, ...] = ()
    severity: dict[str, Setting] = field(default_factory=dict)
    baseline: str | None = None
    exceptions: str | None = None
    roster_columns: dict[str, str] = field(default_factory=dict)
    classification_keys: tuple[str, ...] = ()
    unclassified: str | None = None  # "customer": data stores of unknown classification count as customer data
    max_file_size: int | None = None  # MB; a larger input file is a located error (Options.max_file_bytes)
    gcp_projects: tuple[tuple[str, str], ...] = ()  # (path glob, project), in the order written
    kubernetes_namespaces: tuple[tuple[str, str], ...] = ()  # (path glob, namespace), in the order written
    path_globs: tuple[Setting, ...] = ()  # the globs of both, where written: one that matches no file is an error


def find_config(start: Path) -> Path | None:
    """The nearest `.policylint.yaml`, or `pyproject.toml` with a [tool.policylint] table, from start upwards; the
    walk stops at the root of the repository (a folder with `.git`), so a file above it never applies."""
    for folder in (start, *start.parents):
        if (folder / YAML_NAME).is_file():
            return folder / YAML_NAME
        toml = folder / TOML_NAME
        if toml.is_file() and _has_tool_table(toml):
            return toml
        if (folder / ".git").exists():
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    text = path.read_text("utf-8", errors="replace")
    if "policylint" not in text:
        return False
    try:
        tool = tomllib.loads(text).get("tool")
    except (tomllib.TOMLDecodeError, RecursionError):
        return True  # ours or not, a broken pyproject.toml that mentions us is reported, not skipped
    return isinstance(tool, dict) and "policylint" in tool


def shown_path(path: str | Path) -> str:
    """A path as reports should show it: relative to the working directory when it lies below it (CI annotations
    and code-quality reports want repository-relative paths), else absolute; `..` folded away."""
    absolute = Path(os.path.normpath(Path(path).absolute()))
    try:
        return absolute.relative_to(Path.cwd().absolute()).as_posix() or "."
    except ValueError:
        return str(absolute)


def load_config(path: Path | None, within: Path | None = None) -> Config:
    """The configuration in `path`; every path it names must lie inside `within` (default: the git repository that
    holds the file, else its folder; `diff` passes the folder it exported the base's file to)."""
    if path is None:
        return Config()
    data = read(Candidate(str(path), True, None), CONFIG_MAX_BYTES)
    if isinstance(data, InputError):
        raise InputErrors([data])
    text = decode(data, str(path))
    document = _toml(text, str(path)) if path.suffix == ".toml" else load_one(text, str(path))
    if document is None:
        document = YMap((1, 1))
    if not isinstance(document, YMap):
        found = "a list" if isinstance(document, list) else f"the value {document!r}"
        raise InputErrors([file_error(str(path), f"expected a mapping of settings, found {found}")])
    errors = [error for error, _ in schema_errors("config", document, str(path))]
    size = _size_error(document, text, str(path), toml=path.suffix == ".toml")
    if size is not None:  # `max-file-size` said once, plainly
        errors = [e for e in errors if e.location != size.location] + [size]
    if errors:
        raise InputErrors(sorted(errors, key=lambda e: e.location))
    base = path.parent
    root = Path(os.path.abspath(within)) if within is not None else repository_of(base)

    def at(*steps: Any) -> Location:
        node: Any = document
        pos = document.pos
        for step in steps:
            if isinstance(node, YMap) and step in node:
                pos, node = node.value_pos[step], node[step]
            elif isinstance(node, YSeq) and isinstance(step, int) and step < len(node.item_pos):
                pos, node = node.item_pos[step], node[step]
        return Location(str(path), *pos)

    def inside(key: str, value: str, where: Location) -> None:
        """A path in the file stays inside the repository that holds it: a committed configuration must not make
        the run read `/proc/self/pagemap` or `../../home/ci/.ssh/id_rsa`."""
        target = Path(os.path.abspath(base / value))
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            resolved = target
        if not (is_within(target, root) and is_within(resolved, root.resolve())):
            outside.append(InputError(where, f"expected {key} to name a path inside {root} (the repository that "
                                             f"holds this configuration), found {value!r}, which leads outside it"))

    outside: list[InputError] = []
    for key in ("paths", "policies"):
        for index, value in enumerate(document.get(key) or ()):
            inside(key, value, at(key, index))
    for key in ("baseline", "exceptions"):
        if key in document:
            inside(key, document[key], at(key))
    if outside:
        raise InputErrors(outside)

    def settings(key: str) -> tuple[Setting, ...]:
        return tuple(Setting(v, at(key, i)) for i, v in enumerate(document.get(key) or ()))

    def relative(value: str) -> str:
        return shown_path(base / value)

    def strings(key: str) -> tuple[str, ...]:
        return tuple(document.get(key) or ())

    return Config(
        file=str(path),
        paths=tuple(relative(p) for p in strings("paths")),
        exclude=tuple(e.removeprefix("./") for e in strings("exclude")),
        customer_data=strings("customer-data"),
        fail_on=document.get("fail-on"),
        select=settings("select"),
        ignore=settings("ignore"),
        policies=tuple(relative(p) for p in strings("policies")),
        severity={rule: Setting(value, Location(str(path), *document["severity"].key_pos[rule]))
                  for rule, value in (document.get("severity") or {}).items()},
        baseline=relative(document["baseline"]) if "baseline" in document else None,
        exceptions=relative(document["exceptions"]) if "exceptions" in document else None,
        roster_columns=dict(document.get("roster-columns") or {}),
        classification_keys=strings("classification-keys"),
        unclassified=document.get("unclassified"),
        max_file_size=document.get("max-file-size"),
        gcp_projects=tuple((g.removeprefix("./"), v) for g, v in (document.get("gcp-projects") or {}).items()),
        kubernetes_namespaces=tuple((g.removeprefix("./"), v)
                                    for g, v in (document.get("kubernetes-namespaces") or {}).items()),
        path_globs=tuple(Setting(g.removeprefix("./"), Location(str(path), *document[key].key_pos[g]))
                         for key in ("gcp-projects", "kubernetes-namespaces") for g in (document.get(key) or {})),
    )


MAX_FILE_SIZE = 4096  # MB: the schema's maximum for `max-file-size`
_DECIMAL = re.compile(r"[1-9][0-9]{0,3}")
_TOKEN = re.compile(r"[^\s,#}\]]+")
_TOML_VALUE = re.compile(r"[^=\n]*=[ \t]*([^\s,#}\]]+)")


def _size_error(document: YMap, text: str, path: str, *, toml: bool) -> InputError | None:
    """`max-file-size` as written: a whole number of MB from 1 to MAX_FILE_SIZE in plain decimal (not `1_000`,
    `0x10`, `12.0` or a number too big to hold), else a located error stating the range."""
    if "max-file-size" not in document:
        return None
    line, column = document.value_pos["max-file-size"]
    lines = text.splitlines()
    written = lines[line - 1][column - 1:] if 0 < line <= len(lines) else ""
    token = _TOML_VALUE.match(written) if toml else _TOKEN.match(written)
    raw = (token.group(1) if toml else token.group()) if token else repr(document["max-file-size"])
    value = document["max-file-size"]
    if _DECIMAL.fullmatch(raw) and isinstance(value, int) and not isinstance(value, bool) \
            and 1 <= value <= MAX_FILE_SIZE:
        return None
    return InputError(Location(path, line, column), f"expected max-file-size to be a whole number of MB from 1 to "
                                                    f"{MAX_FILE_SIZE}, in plain decimal digits, found {raw}")


def repository_of(folder: Path) -> Path:
    """The root of the git repository that holds `folder` (the nearest folder with `.git`), else `folder`; absolute,
    as written (the caller compares resolved paths with it resolved)."""
    start = Path(os.path.abspath(folder))
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


_TABLE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def _toml(text: str, path: str) -> YMap | None:
    """[tool.policylint] as a YMap whose keys carry the lines they are written on (tomllib gives no positions)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(str(exc), text)
        raise InputErrors([InputError(Location(path, line, column), f"expected valid TOML, found: {exc}")]) from None
    except RecursionError:
        raise InputErrors([InputError(Location(path, 1, 1), "expected valid TOML, found arrays or tables nested "
                                                            "too deeply to read")]) from None
    tool = data.get("tool")
    table = tool.get("policylint") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputErrors([InputError(Location(path, *_key_lines(text).get(("tool", "policylint"), (1, 1))),
                                      "expected [tool.policylint] to be a table of settings, found "
                                      f"{'an array of tables' if isinstance(table, list) else repr(table)}")])
    positioned: YMap = _positioned(table, ("tool", "policylint"), _key_lines(text), (1, 1))
    return positioned


def _toml_position(message: str, text: str) -> tuple[int, int]:
    found = re.search(r"line (\d+), column (\d+)", message)
    if found:
        return int(found[1]), int(found[2])
    if "end of document" in message:
        lines = text.splitlines() or [""]
        return len(lines), len(lines[-1]) + 1
    return 1, 1


def _key_lines(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """(table..., key) -> (line, column) of each `key =` line, and of each [table] header."""
    positions: dict[tuple[str, ...], tuple[int, int]] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header and not line.lstrip().startswith("[["):
            table = tuple(part.strip().strip("\"'") for part in header[1].split("."))
            positions.setdefault(table, (number, line.index("[") + 1))
            continue
        key = _KEY.match(line)
        if key:
            name = key[1] or key[2] or key[3]
            positions.setdefault((*table, name), (number, line.index(name) + 1))
    return positions


def _positioned(value: Any, where: tuple[str, ...], positions: dict[tuple[str, ...], tuple[int, int]],
                pos: tuple[int, int]) -> Any:
    if isinstance(value, dict):
        mapping = YMap(positions.get(where, pos))
        for key, item in value.items():
            key_pos = positions.get((*where, key), mapping.pos)
            mapping[key] = _positioned(item, (*where, key), positions, key_pos)
            mapping.key_pos[key] = key_pos
            mapping.value_pos[key] = key_pos
        return mapping
    if isinstance(value, list):
        sequence = YSeq(pos)
        for item in value:
            sequence.append(_positioned(item, where, positions, pos))
            sequence.item_pos.append(pos)
        return sequence
    return value


def config_rule_errors(config: Config, rule_ids: set[str], *, select: bool = True, ignore: bool = True
                       ) -> list[InputError]:
    """Rule ids in the configuration that name no rule: located, since a typo would silently check less."""
    errors = []
    checked = [*(config.select if select else ()), *(config.ignore if ignore else ())]
    for setting in checked:
        if not any(rule.startswith(setting.value.upper()) for rule in rule_ids):
            errors.append(InputError(setting.location, f"expected a rule id or prefix, found {setting.value!r}, "
                                                       "which names no rule (`policylint rules` lists them)"))
    for rule, setting in config.severity.items():
        if rule.upper() not in rule_ids:
            errors.append(InputError(setting.location, f"expected a rule id in severity, found {rule!r}, which "
                                                       "names no rule (`policylint rules` lists them)"))
    return errors
