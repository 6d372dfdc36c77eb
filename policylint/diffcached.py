"""A comparison's answer from two cached analyses, with no file read and no graph built. The hook's: what is staged
was analysed before, by the hook run on this tree already (a commit tried again after a fix elsewhere, a message
edited), or as HEAD itself (a commit that changes nothing the inventory reads: code, documentation). `diff --base
REF`'s: the working tree's files are those of a tree analysed before (a clean checkout of HEAD, once HEAD was a
hook's base or kept by one).

Each cached side holds every finding with the digest of its evidence, who reaches which customer data, the files
it read and what its report said beside its findings (`basecache.Summary`), so the comparison `diff._compared`
makes of two runs is made here of two caches. It is taken only where it gives the same report; anything it cannot
tell from the caches is left to the full comparison:
- no exceptions file or baseline (a cached side is judged without them; its inline ignore comments are applied,
  and what they suppressed is kept with it), no error but the rule files' as they are now outside its files, and
  no bug met reading one (exit 3);
- no identity that reaches a customer-data resource the base did not (PL900 shows a path, which needs the graph);
- no new or worse finding among those the staged tree's analysis carried from another base (kept by a hook judged
  against an earlier HEAD: a branch switched, a commit reverted): its evidence path is where it was last judged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from policylint import basecache, gitrev
from policylint.errors import InputError
from policylint.evidence import Digests
from policylint.findings import Finding, Notice, worse_than
from policylint.report import Report, tree_named
from policylint.rules import Rule
from policylint.settings import Settings


@dataclass(frozen=True, slots=True)
class Cached:
    side: basecache.Base
    summary: basecache.Summary


def head_of(settings: Settings, before: basecache.Base, key: str | None, rule_errors: list[InputError], root: Path
            ) -> Cached | None:
    """The staged tree's cached analysis (`key`: `diffbase.next_head_key`), when the report can be told from it and
    the base's alone."""
    if settings.exceptions or settings.baseline:  # a cached side is judged without them
        return None
    return _usable(None if key is None else before if key == before.key else basecache.load(root, key), before,
                   rule_errors)


def worktree_of(settings: Settings, root: Path, before: basecache.Base, rule_errors: list[InputError]
                ) -> Cached | None:
    """The working tree's cached analysis (`diff --base REF`), when its files under the paths are, byte for byte,
    those of a tree analysed before (`gitrev.worktree_content_id`: no link, no file git could not hold, no line-end
    conversion), it is read from the repository's top folder by paths written relative to it (so its files are
    named as a copy's are), and the report can be told from it and the base's alone."""
    if not settings.cache or settings.exceptions or settings.baseline or Path.cwd().resolve() != root.resolve():
        return None
    if any(Path(p).is_absolute() or os.path.normpath(p) != p or p.split(os.sep)[0] == ".." for p in settings.paths):
        return None
    content = gitrev.worktree_content_id(root, [Path(p) for p in settings.paths])
    if content is None:
        return None
    key = basecache.key(content, settings, settings.paths, None, Path.cwd())
    return _usable(before if key == before.key else basecache.load(root, key), before, rule_errors)


def _usable(side: basecache.Base | None, before: basecache.Base, rule_errors: list[InputError]) -> Cached | None:
    """The side, when it can stand for a run: it kept its report, no source crashed reading it, the input errors it
    had outside its own files are the rule files' as they are now (`rule_errors`), and nobody reaches customer data
    the base did not let them reach (PL900 shows a path, which needs the graph)."""
    if side is None or side.summary is None or side.summary.crashed:
        return None
    if sorted((e.location, e.message) for e in side.summary.errors) != sorted(
            (e.location, e.message) for e in rule_errors):
        return None
    if _gains(side.reached, before.reached):
        return None
    return Cached(side, side.summary)


def _gains(now: Mapping[str, frozenset[str]], before: Mapping[str, frozenset[str]]) -> bool:
    """Whether an identity reaches a resource now that it did not reach before. Identities share their sets (a
    few thousand sets for 100,000 identities): each pair of sets is compared once, two cached sides by their sorted
    lists as written (no set is made where they are equal)."""
    if isinstance(now, basecache.Reached) and isinstance(before, basecache.Reached):
        return _gains_written(now, before)
    nothing: frozenset[str] = frozenset()
    settled: set[tuple[int, int]] = set()  # pairs of (now, before) sets with nothing gained; both kept alive
    for node, resources in now.items():
        had = before.get(node, nothing)
        pair = (id(resources), id(had))
        if pair in settled:
            continue
        if not resources <= had:
            return True
        settled.add(pair)
    return False


def compared(settings: Settings, head: Cached, before: basecache.Base, base: str, rules: list[Rule], root: Path,
             on_files: list[Finding], errors: list[InputError]) -> Report | None:
    """The report `diff` gives for these two sides, or None where only a run can give it. `on_files`: the findings
    of the rules on files (PL901-PL903); `errors`: those of the rule files, and of the inputs that are not staged."""
    now, earlier = head.side.findings, before.findings
    new = _new(now, before, head.side.carried_from is None or head.side.carried_from == before.key)
    if new is None:
        return None
    summary = head.summary
    kept_out = {s.finding.fingerprint for s in summary.suppressed}  # suppressed now: not resolved
    resolved = tuple(sorted(found for fingerprint in earlier.missing_from(now) - kept_out
                            if (found := earlier.get(fingerprint)) is not None))
    labelled = (Notice(n.location, f"at {base}: {n.message}") for n in before.notices)
    shown = tree_named(root)
    return Report(
        settings.as_of, sorted([*new, *on_files]),
        sorted([*errors, *(InputError(n.location, n.message) for n in head.side.notices)], key=lambda e: e.location),
        len(head.side.files), tuple(rules), summary.exposed, suppressed=summary.suppressed,
        notices=tuple(sorted([*summary.notices, *labelled], key=lambda n: n.location)), resolved=resolved, base=base,
        skipped=tuple((shown(file), reason) for file, reason in summary.skipped),
        customer_resources=summary.customer_resources, inputs=tuple(shown(file) for file in head.side.files),
        patterns=settings.patterns, data_classes=summary.data_classes, unclassified=settings.unclassified)


def _new(now: basecache.Findings, before: basecache.Base, fresh: bool) -> list[Finding] | None:
    """The head's findings that are new or worse, marked; one whose evidence digest is the base's is never read.
    None when one of them was carried into the head's analysis from another base than this one (`fresh` False): its
    evidence path is the one it had where it was last judged, not this tree's, and only a run can tell it."""
    digests = Digests()
    found = []
    for fingerprint in now.differing(before.findings):
        finding = now.get(fingerprint)
        if finding is None:  # its line does not read back: only a run can say what it is
            return None
        if is_new(finding, before, digests):
            if not fresh and now.carried(fingerprint):
                return None
            found.append(marked(finding, before))
    return found


def is_new(finding: Finding, before: basecache.Base, digests: Digests) -> bool:
    """Not at the base, or worse than it was. An evidence whose digest is the base's is the same, so the base's
    copy of the finding is read only for a finding that changed."""
    earlier = before.findings.digest(finding.fingerprint)
    if earlier is None:
        return True
    if earlier == digests.digest(finding.evidence):
        return False
    found = before.findings.get(finding.fingerprint)
    return found is None or bool(worse_than(finding, found))


def marked(finding: Finding, before: basecache.Base) -> Finding:
    """A finding that was at the base but grew says what is new, so a reviewer sees why it blocks."""
    earlier = before.findings.get(finding.fingerprint)
    if earlier is None:
        return finding
    added = worse_than(finding, earlier)
    return replace(finding, message=f"{finding.message} (worse than at the base: {'; '.join(added)})")


def _gains_written(now: basecache.Reached, before: basecache.Reached) -> bool:
    settled: set[tuple[int, int]] = set()  # pairs of set numbers (now, before) with nothing gained
    for node, number in now.numbers.items():
        was = before.numbers.get(node)
        if was is None:
            if now.lists[number]:
                return True
            continue
        if (number, was) in settled:
            continue
        if now.lists[number] != before.lists[was] and not now.set(number) <= before.set(was):
            return True
        settled.add((number, was))
    return False
