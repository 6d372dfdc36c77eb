"""The base's side of a diff: where its inventory was (its own configuration file), its analysis (from the cache
in `.git/policylint/`, else read from a copy of the git tree), and, after the pre-commit hook judged what is staged,
that analysis kept as the next HEAD's, so the first hook after a commit finds HEAD cached.

Names: each side is read from a temporary copy; what a report, a notice or the cache holds names the working tree's
files (`report.copy_named`), never the copy: as the head's report names them, so a finding read from the
cache reads as the one a run makes.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from policylint import basecache, gitrev
from policylint.config import Config, load_config
from policylint.errors import InputError, PolicylintError, SourceCrash, UsageError
from policylint.findings import Finding, Notice
from policylint.model import Location, Person, Principal
from policylint.nodedigest import placer
from policylint.pipeline import Known, Result, Timer, run
from policylint.report import copy_named, mapped_suppression
from policylint.settings import Settings
from policylint.walk import is_within

HEAD = "HEAD"


@dataclass(frozen=True, slots=True)
class Layout:
    """The base's own configuration file: where its inventory was, and what the working tree's changes in it."""

    paths: tuple[str, ...]
    exclude: tuple[str, ...]
    changes: tuple[str, ...]  # `key: before → now` for each setting that decides what is checked



def within(file: str, folder: Path) -> bool:
    return is_within(Path(os.path.abspath(file)), Path(os.path.abspath(folder)))


def relative(file: str, side: Path) -> str:
    """A read file's place in its side (a symbolic link is named as itself: the base names it so too)."""
    try:
        return Path(os.path.abspath(file)).relative_to(os.path.abspath(side)).as_posix()
    except ValueError:
        return file


def base_of(settings: Settings, root: Path, commit: str, layout: Layout | None, timer: Timer | None = None
            ) -> basecache.Base:
    """What the comparison needs of the base: from the cache when this tree was analysed with these settings."""
    said = timer.said if timer is not None else []
    started = time.perf_counter()
    old_paths, base_exclude = (layout.paths, layout.exclude) if layout is not None else (settings.paths, None)
    for path in (*settings.paths, *old_paths, settings.exclude_root):
        gitrev.inside(root, Path(path))
    key = basecache.key(gitrev.content_id(root, commit, [Path(p) for p in old_paths]), settings, old_paths,
                        base_exclude, Path.cwd())
    cached = basecache.load(root, key) if settings.cache else None  # `--no-cache`: HEAD analysed again
    if cached is not None:
        said.append(f"the base ({commit[:12]}): read from its cached analysis in {time.perf_counter() - started:.1f} s")
        return cached
    with tempfile.TemporaryDirectory(prefix="policylint-base-") as folder:
        copy = Path(folder)
        link_errors = gitrev.export(root, commit, [Path(p) for p in old_paths], copy)
        base_settings = replace(
            settings, paths=tuple(moved(copy, root, p) for p in old_paths), baseline=None, exceptions=None,
            exclude=settings.exclude if base_exclude is None else base_exclude,
            exclude_root=moved(copy, root, settings.exclude_root), copy_of=(str(copy), str(root)),
        )
        result = run(base_settings, known=Known({}))  # every node's digest, for the head's run to compare
        findings = relocated_findings(result.report.findings, copy, root)
        found = as_base(result, copy, root, link_errors, findings, base_settings.exclude_root)
    if settings.cache:
        basecache.store(root, key, found)
    why = "--no-cache" if not settings.cache else "no cached analysis of its files with these settings"
    said.append(f"the base ({commit[:12]}): analysed in {time.perf_counter() - started:.1f} s ({why})")
    return replace(found, key=key)


def moved(copy: Path, root: Path, path: str) -> str:
    """Where a working-tree path is in the copy of the base."""
    return str(copy / gitrev.inside(root, Path(path)))


def relocated_findings(findings: Iterable[Finding], copy: Path, root: Path) -> basecache.Findings:
    """Findings of a copy, as the working tree names its files: where each is, and what its message says (a rule's
    message may name its subject's file)."""
    named = copy_named(copy, root)
    return basecache.Findings(replace(f, location=replace(f.location, file=named(f.location.file)),
                                      message=named(f.message)) for f in findings)


def original(file: str, copy: Path, root: Path) -> str:
    """A file of the base copy, named as the working tree names it (relative to the working directory when it can)."""
    try:
        original = root.resolve() / Path(file).resolve().relative_to(copy.resolve())
    except ValueError:
        return file
    here = Path.cwd().resolve()
    return str(original.relative_to(here)) if original.is_relative_to(here) else str(original)


def layout_at(config: Config, root: Path, commit: str) -> Layout | None:
    """Where the inventory was at the base (`paths`, `exclude`) by the base's own configuration file, when the
    working tree's comes from the repository and existed there; None to use the working tree's."""
    if config.file is None:
        return None
    try:
        place = gitrev.inside(root, Path(config.file))
    except UsageError:
        return None
    with tempfile.TemporaryDirectory(prefix="policylint-base-config-") as folder:
        copy = Path(folder)
        gitrev.export(root, commit, [Path(config.file)], copy)
        if not (copy / place).is_file():
            # a configuration file the change adds: the base was read with none (its `exclude` left nothing out,
            # and what the new file ignores or narrows is a change PL902 shows)
            old = Config()
        else:
            try:
                old = load_config(copy / place, within=copy)
            except PolicylintError:
                return None  # a base whose configuration does not load is read by the working tree's
        root_at_base = str(copy / Path(place).parent)
        paths = tuple(original(p, copy, root) for p in old.paths or (root_at_base,))
        return Layout(paths, old.exclude, _config_changes(_judging(old, copy, root), _judging(config, None, root)))


def _judging(config: Config, copy: Path | None, root: Path) -> dict[str, object]:
    """The settings of a configuration file that decide how the inventory is judged, comparable across the base's
    copy and the working tree. `paths` and `exclude` are left to PL901, which names each file they stop reading
    (a renamed inventory folder changes `paths` and reads the same files)."""
    def named(path: str) -> str:
        return original(path, copy, root) if copy is not None else path

    return {
        "customer-data": sorted(config.customer_data), "unclassified": config.unclassified or "known",
        "select": sorted(s.value.upper() for s in config.select),
        "ignore": sorted(s.value.upper() for s in config.ignore),
        "severity": sorted(f"{rule.upper()}={s.value}" for rule, s in config.severity.items()),
        "policies": sorted(named(p) for p in config.policies), "fail-on": config.fail_on or "low",
        "baseline": named(config.baseline) if config.baseline else None,
        "exceptions": named(config.exceptions) if config.exceptions else None,
        "roster-columns": sorted(f"{k}={v}" for k, v in config.roster_columns.items()),
        "classification-keys": sorted(config.classification_keys), "max-file-size": config.max_file_size,
    }


def _config_changes(before: dict[str, object], now: dict[str, object]) -> tuple[str, ...]:
    return tuple(f"{key}: {_setting(before[key])} → {_setting(now[key])}" for key in before if before[key] != now[key])


def _setting(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "none" if value is None else str(value)


def as_base(result: Result, copy: Path, root: Path, link_errors: list[InputError], findings: basecache.Findings,
            exclude_root: str) -> basecache.Base:
    """What a comparison needs of a side read from `copy` as its base: its findings, who reaches which customer data
    (each distinct reached set decoded once), its own input errors as notices (named with the base's revision when
    shown: one cached analysis serves every revision with the same tree), the files it read and the roster's, and
    each node's digest."""
    own = [e for e in result.report.errors if within(e.location.file, copy)]  # the working tree's rules: not its own
    named = copy_named(copy, root)  # an error names other places in the copy too ("defined at …")
    notices = tuple(_named_notice(e.location, e.message, named) for e in [*link_errors, *own])
    reach = result.analysis.reach
    reached: dict[str, frozenset[str]] = {}
    identities: list[Person | Principal] = [*result.analysis.inventory.people, *result.analysis.inventory.principals]
    for node in identities:
        bits = reach.resource_bits(node.id)
        if bits:
            reached[node.id] = reach.resource_ids(bits)
    files = tuple(sorted(relative(f, copy) for f in result.analysis.files))
    roster = tuple(sorted({relative(f, copy) for f in {p.location.file for p in result.analysis.inventory.people}}))
    place = placer(exclude_root)
    known = Known(result.digests, frozenset(place(f) for f in result.analysis.commented))
    report = result.report
    summary = basecache.Summary(report.exposed_identities, report.customer_resources or 0,
                                tuple(named(c) for c in report.data_classes),
                                tuple((relative(f, copy), named(reason)) for f, reason in result.analysis.skipped),
                                tuple(_named_notice(n.location, n.message, named) for n in report.notices),
                                tuple(_named_notice(e.location, e.message, named) for e in report.errors
                                      if not within(e.location.file, copy)),
                                any(isinstance(e, SourceCrash) for e in report.errors),
                                tuple(mapped_suppression(s, named) for s in report.suppressed))
    return basecache.Base(findings, reached, notices, files, roster, known, summary)


def _named_notice(location: Location, message: str, named: Callable[[str], str]) -> Notice:
    return Notice(replace(location, file=named(location.file)), named(message))


def next_head_key(settings: Settings, root: Path, base_layout: bool) -> str | None:
    """The cache key analysing the staged tree as a commit would have, when the hook's run of it is that analysis:
    the same paths and exclusions the staged configuration names, and a tree id that can be known before the commit
    (no symbolic link among the paths)."""
    if not settings.cache:
        return None
    try:
        layout = layout_at(settings.config, root, gitrev.INDEX) if base_layout else None
        paths, exclude = (layout.paths, layout.exclude) if layout is not None else (settings.paths, None)
        if ([os.path.abspath(p) for p in paths] != [os.path.abspath(p) for p in settings.paths]
                or tuple(settings.exclude if exclude is None else exclude) != tuple(settings.exclude)):
            return None
        return basecache.key(gitrev.content_id(root, gitrev.INDEX, [Path(p) for p in paths]), settings, paths,
                             exclude, Path.cwd())
    except PolicylintError:
        return None


def keep_as_next_head(settings: Settings, root: Path, copy: Path, staged: Result, before: basecache.Base,
                      link_errors: list[InputError], key: str | None) -> None:
    """After the hook judged what is staged, keep that analysis as the base of the tree it will commit, so that
    the next hook (HEAD is then this tree) reads it from the cache instead of analysing HEAD again. Its findings are
    the head's own and, on every node the head did not judge, the base's (equal by digest), carried as written.
    Kept only when it is what analysing that commit would give (`key`: `next_head_key`, None otherwise). A base is
    judged without an exceptions file or a baseline: what they suppressed is kept among its findings, and with
    either in the settings its report (`basecache.Summary`) is not kept, since it said what they suppressed."""
    if key is None or basecache.stored(root, key):  # stored: the same tree judged again (a hook run twice)
        return
    own = relocated_findings(staged.report.findings if staged.as_base is None else staged.as_base, copy, root)
    findings = basecache.Joined(before.findings, staged.unevaluated, own)
    found = replace(as_base(staged, copy, root, link_errors, findings, moved(copy, root, settings.exclude_root)),
                    carried_from=before.key)
    basecache.store(root, key, replace(found, summary=None) if settings.exceptions or settings.baseline else found)
