"""What a run is asked to do: the configuration file and the command line, merged once into one `Settings`.

Every command (check, diff, baseline, reach, facts, the pre-commit hook) builds its settings here and hands them to
`pipeline.run`, so no command can read the inventory differently from another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from policylint.config import Config, config_rule_errors, find_config, load_config, repository_of, shown_path
from policylint.errors import InputError, InputErrors
from policylint.findings import select_rules
from policylint.rules import Rule, builtin_policies, load_rules
from policylint.sources import Options

DEFAULT_PATTERNS = ("customer*",)
UNCLASSIFIED = ("known", "customer")  # how a data store with no classification counts: `--unclassified`


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run is asked to do, from the command line and the configuration file together."""

    paths: tuple[str, ...]
    as_of: date
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    policies: tuple[Path, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity, overriding the rule's own
    exclude: tuple[str, ...] = ()  # globs of walked files to leave out, relative to exclude_root
    exclude_root: str = "."
    options: Options = field(default_factory=Options)
    exceptions: str | None = None  # exceptions file
    baseline: str | None = None  # baseline file
    unclassified: str = "known"  # "customer": a data store of unknown classification counts as customer data
    extra_rules: tuple[Rule, ...] = ()  # rules computed outside the facts (diff's PL900), selectable like any other
    config: Config = field(default_factory=Config)  # the configuration file they came from (diff reads the base's)
    cache: bool = True  # read unchanged files from the fragment cache (`fragcache`); `--no-cache` reads them all
    # a diff's side read from a copy of a git tree: (the copy, the folder it stands for); the facts name its files
    # as the working tree names them, so a rule testing `file` judges both sides, and `check`, alike
    copy_of: tuple[str, str] | None = None
    cache_within: str | None = None  # the folder whose repository keeps that cache (None: the run's root); `diff`
    # reads copies of git trees in temporary folders, and keeps their cache in the repository they came from

    def inputs(self) -> tuple[str, ...]:
        """The files the run reads besides the inventory: a report must never be written over one of them."""
        named = (self.config.file, self.baseline, self.exceptions)
        rules = (f for folder in self.policies if folder.is_dir() for f in folder.rglob("*") if f.is_file())
        return tuple(str(p) for p in (*named, *self.policies, *rules) if p)


@dataclass(frozen=True, slots=True)
class Given:
    """What the command line says; empty means "as configured"."""

    paths: tuple[str, ...] = ()
    config_file: Path | None = None
    as_of: datetime | date | None = None
    patterns: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    policies: tuple[Path, ...] = ()
    baseline: str | None = None
    exceptions: str | None = None
    unclassified: str | None = None
    cache: bool = True


def today() -> date:
    return datetime.now(timezone.utc).date()


def rule_set(policies: list[Path], select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
             extra: tuple[Rule, ...] = ()) -> tuple[list[Rule], list[InputError]]:
    rules, errors = load_rules([builtin_policies(), *policies])
    return select_rules(sorted([*rules, *extra], key=lambda r: r.id), select, ignore), errors


def resolve(given: Given, extra: tuple[Rule, ...] = ()) -> Settings:
    """The command line over the configuration file (the one named, else the nearest), option by option."""
    config = load_config(given.config_file or find_config(Path.cwd()))
    # the run's root: what configuration globs, and the names of what a file leaves unnamed (a plan's unnamed
    # resources, a bare policy's id, an HCL root's unknown account), are relative to; without a configuration file,
    # the repository's root, so that ids do not depend on the folder a run starts from (baselines)
    root = str(Path(config.file).parent) if config.file else shown_path(repository_of(Path.cwd()))
    configured = config.paths or ((shown_path(root),) if config.file else (".",))
    policies = given.policies or tuple(Path(p) for p in config.policies)
    rules, _ = rule_set(list(policies), extra=extra)  # a rule that fails to load is reported by the run
    config_errors = config_rule_errors(config, {r.id for r in rules}, select=not given.select,
                                       ignore=not given.ignore)
    if config_errors:
        raise InputErrors(config_errors)
    as_of = given.as_of.date() if isinstance(given.as_of, datetime) else given.as_of
    return Settings(
        paths=given.paths or configured,
        as_of=as_of or today(),
        patterns=given.patterns or config.customer_data or DEFAULT_PATTERNS,
        policies=policies,
        select=given.select or tuple(s.value for s in config.select),
        ignore=given.ignore or tuple(s.value for s in config.ignore),
        severity={rule.upper(): setting.value for rule, setting in config.severity.items()},
        exclude=config.exclude,
        exclude_root=root,
        options=Options(dict(config.roster_columns), config.classification_keys or Options().classification_keys,
                        config.max_file_size * 2**20 if config.max_file_size else Options().max_file_bytes,
                        gcp_projects=config.gcp_projects, kubernetes_namespaces=config.kubernetes_namespaces,
                        globs_written=tuple((g.value, g.location) for g in config.path_globs)),
        exceptions=given.exceptions or config.exceptions,
        baseline=given.baseline or config.baseline,
        unclassified=given.unclassified or config.unclassified or "known",
        extra_rules=extra,
        config=config,
        cache=given.cache,
    )
