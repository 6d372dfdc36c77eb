"""The hook's shortcuts, held to full runs through random edits and commits.

Three shortcuts make the pre-commit hook fast on a large inventory: the head runs the rules only on nodes whose digest
differs from the base's (`nodedigest`, `pipeline.Known`), the base's findings are read from its cache only where
a digest differs (`basecache`), and a staged tree analysed before is compared from the two caches alone
(`diffcached`: the hook run again, a commit the inventory is not in). After every edit the hook's report must equal:
- the same comparison with the head judged whole and the base analysed again (no digest, no cache), and
- an independent one: both trees exported and checked in full, a finding new when the base has no finding with its
  fingerprint or `evidence.added` finds something in it, resolved when the head has no finding with its fingerprint.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policylint import diff as diff_module
from policylint import diffcached, gitrev
from policylint.evidence import added
from policylint.pipeline import Result, run
from policylint.report import Report
from policylint.settings import Settings

from helpers import REPO, git, random_edit

AS_OF = date(2026, 11, 27)
INPUTS = [REPO / "examples" / "acme", REPO / "examples" / "shopco",
          *(REPO / "tests" / "corpus" / name for name in ("k8s-rbac", "scim", "aws-authz-details"))]
COMMIT = ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m"]


def _settings(root: Path, *, cache: bool = True) -> Settings:
    return Settings(paths=(str(root / "inv"),), as_of=AS_OF, exclude_root=str(root), cache=cache)


def _hook(root: Path, *, shortcuts: bool, monkeypatch: pytest.MonkeyPatch, skipped: list[int] | None = None,
          cached: dict[str, int] | None = None) -> Report:
    with monkeypatch.context() as patched:
        if not shortcuts:
            patched.setattr(diff_module, "_known", lambda before, commit: None)
        told = diffcached.compared

        def from_caches(*args: Any, **kwargs: Any) -> Report:
            if cached is not None:
                cached["from caches"] = cached.get("from caches", 0) + 1
            return told(*args, **kwargs)

        patched.setattr(diffcached, "compared", from_caches)

        def counted(*args: Any, **kwargs: Any) -> Result:
            result = run(*args, **kwargs)
            if skipped is not None and kwargs.get("known") is not None and kwargs["known"].digests:
                skipped.append(len(result.unevaluated))
            return result

        patched.setattr(diff_module, "run", counted)
        return diff_module.diff(_settings(root, cache=shortcuts), "HEAD", staged=True)


def _shown(report: Report) -> dict[str, object]:
    return {"findings": [(f.rule, f.subject_id, f.location, f.message, f.path) for f in report.findings],
            "resolved": [(f.rule, f.subject_id, f.message) for f in report.resolved],
            "errors": [(e.location, e.message) for e in report.errors],
            "notices": [(n.location, n.message) for n in report.notices],
            "suppressed": [(s.finding.fingerprint, s.by) for s in report.suppressed],
            "exposed": report.exposed_identities, "skipped": report.skipped, "files": report.files,
            "inputs": sorted(report.inputs), "customer": report.customer_resources, "classes": report.data_classes,
            "rules": [(r.id, r.severity) for r in report.rules], "base": report.base, "as_of": report.as_of}


def _independent(root: Path, folder: Path) -> tuple[set[str], set[str]]:
    """(fingerprints of new findings, of resolved ones), from both trees checked in full; the computed diff rules
    (PL9xx) are left out: they exist only in a comparison."""
    sides = {}
    for name, revision in (("base", "HEAD"), ("head", gitrev.INDEX)):
        copy = folder / name
        shutil.rmtree(copy, ignore_errors=True)
        gitrev.export(root, gitrev.resolve_revision(root, revision) if revision == "HEAD" else revision,
                      [root / "inv"], copy)
        settings = Settings(paths=(str(copy / "inv"),), as_of=AS_OF, exclude_root=str(copy), cache=False)
        sides[name] = run(settings).report
    before = {f.fingerprint: f for f in sides["base"].findings}
    head = sides["head"]
    new = {f.fingerprint for f in head.findings
           if f.fingerprint not in before or added(f.evidence, before[f.fingerprint].evidence)}
    remaining = {f.fingerprint for f in head.findings} | {s.finding.fingerprint for s in head.suppressed}
    return new, {fingerprint for fingerprint in before if fingerprint not in remaining}


def _edit(rng: random.Random, target: Path, files: list[Path], before: bytes) -> None:
    """`random_edit`, and the edits that make a finding worse without making a new one, or change nothing a rule
    sees but a suppression: someone leaves (a key's readers grow), a store's records change (up and down, so that a
    sum can stay the same), an ignore comment at the end of a line (no line moves)."""
    kind = rng.randrange(5)
    people = [f for f in files if b"status: active" in f.read_bytes()]
    stores = [f for f in files if re.search(rb"records: \d+", f.read_bytes())]
    if kind == 0 and people:
        chosen = rng.choice(people)
        text = chosen.read_bytes()
        spots = [m.start() for m in re.finditer(rb"status: active", text)]
        at = rng.choice(spots)
        chosen.write_bytes(text[:at] + b"status: departed, departed: 2026-11-01" + text[at + len(b"status: active"):])
    elif kind == 1 and stores:
        chosen = rng.choice(stores)
        shift = rng.choice([1, 1000, 250000])
        counts = iter([shift, -shift])
        chosen.write_bytes(re.sub(rb"records: (\d+)",
                                  lambda m: b"records: %d" % max(0, int(m[1]) + next(counts, 0)),
                                  chosen.read_bytes()))
    elif kind == 2:
        lines = before.split(b"\n")
        number = rng.randrange(len(lines))
        lines[number] += (b'  # policylint: ignore PL101,PL102,PL104,PL001,PL301,PL306 reason="reviewed" '
                          b'expires=2027-01-31')
        target.write_bytes(b"\n".join(lines))
    elif kind == 3 and (commented := [f for f in files if b"policylint: ignore PL" in f.read_bytes()]):
        chosen = rng.choice(commented)  # an ignore comment taken away, no line moving: the finding is back
        chosen.write_bytes(re.sub(rb"  # policylint: ignore PL[^\n]*", b"", chosen.read_bytes(), count=1))
    else:
        random_edit(rng, target, files, before)


def _edit_staged(rng: random.Random, root: Path) -> None:
    """One random edit of a file of the inventory (`_edit`), staged."""
    files = sorted(p for p in (root / "inv").rglob("*") if p.is_file())
    target = rng.choice(files)
    _edit(rng, target, files, target.read_bytes())
    git(root, "add", "-A")


@pytest.mark.slow  # random edits, each judged three ways
def test_the_hooks_shortcuts_equal_full_runs_through_random_edits(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    tally = {"judged": 0, "worse": 0}
    skipped: list[int] = []
    for seed in range(4):
        _random_edits(tmp_path / f"seed-{seed}", random.Random(seed), monkeypatch, tally, skipped)
    assert tally["judged"]  # the edits changed findings, so the comparison was tested on something
    assert tally["worse"]  # some finding the base had grew worse
    assert sum(skipped) > 0  # and the head left nodes to the base: the shortcut was taken
    assert tally.get("from caches", 0) > 8  # and some reports were told from two caches, no analysis
    assert tally.get("worse from caches", 0)  # some of them with worse findings (their messages read back whole)


def _random_edits(folder: Path, rng: random.Random, monkeypatch: pytest.MonkeyPatch, tally: dict[str, int],
                  skipped: list[int]) -> None:
    root = folder / "repo"
    for source in INPUTS:
        shutil.copytree(source, root / "inv" / source.name)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, *COMMIT, "start")
    monkeypatch.chdir(root)
    for step in range(8):
        _edit_staged(rng, root)
        fast = _hook(root, shortcuts=True, monkeypatch=monkeypatch, skipped=skipped)
        assert _shown(fast) == _shown(_hook(root, shortcuts=False, monkeypatch=monkeypatch)), step
        new, resolved = _independent(root, folder / "sides")
        assert {f.fingerprint for f in fast.findings if not f.rule.startswith("PL9")} == new, step
        assert {f.fingerprint for f in fast.resolved} == resolved, step
        tally["judged"] += len(new) + len(resolved)
        tally["worse"] += sum(1 for f in fast.findings if "worse than at the base" in f.message)
        # the same staged tree again: told from the two caches when they can tell it, and the same either way
        before = tally.get("from caches", 0)
        assert _shown(_hook(root, shortcuts=True, monkeypatch=monkeypatch, cached=tally)) == _shown(fast), step
        if tally.get("from caches", 0) > before:
            tally["worse from caches"] = tally.get("worse from caches", 0) + sum(
                1 for f in fast.findings if "worse than at the base" in f.message)
        if rng.random() < 0.5:
            git(root, *COMMIT, f"edit {step}")  # a new HEAD: the hook kept what it judged as its analysis
            # a commit that changes nothing the inventory reads: HEAD's analysis is the staged tree's too
            (root / "README.md").write_text(f"step {step}\n")
            git(root, "add", "-A")
            assert _shown(_hook(root, shortcuts=True, monkeypatch=monkeypatch, cached=tally)) == _shown(
                _hook(root, shortcuts=False, monkeypatch=monkeypatch)), step


def test_a_run_given_the_bases_digests_judges_only_what_changed(tmp_path: Path) -> None:
    """The shortcut is taken: on an unchanged tree no node is judged, and one edited person is judged again with
    the nodes whose facts name them."""
    from policylint.pipeline import Known

    root = tmp_path
    shutil.copytree(REPO / "examples" / "acme", root / "inv")
    base = run(_settings(root, cache=False), known=Known({}))
    again = run(_settings(root, cache=False), known=Known(base.digests))
    assert again.unevaluated == frozenset(base.digests) and again.report.findings == []
    people = root / "inv" / "people.yaml"
    people.write_text(people.read_text().replace("status: active", "status: departed", 1))
    edited = run(_settings(root, cache=False), known=Known(base.digests))
    judged = set(base.digests) - edited.unevaluated
    assert 0 < len(judged) < len(base.digests) / 2
    full = run(_settings(root, cache=False))
    assert {f.fingerprint for f in full.report.findings if f.subject_id in judged} == {
        f.fingerprint for f in edited.report.findings}
    commented = run(_settings(root, cache=False), known=Known(base.digests, frozenset({"inv/people.yaml"})))
    assert {n.id for n in full.analysis.inventory.people} <= set(base.digests) - commented.unevaluated


@pytest.mark.slow  # random edits, each judged three ways
def test_after_a_commit_the_next_hook_finds_head_cached_and_says_what_a_full_comparison_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook keeps what it judged as the next HEAD's analysis: the first hook after the commit reads HEAD from
    the cache (no analysis of HEAD), and its answer is still the full comparison's."""
    from policylint import diffbase

    root = tmp_path / "repo"
    for source in INPUTS[:2]:
        shutil.copytree(source, root / "inv" / source.name)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, *COMMIT, "start")
    monkeypatch.chdir(root)
    analysed: list[str] = []

    def counted(*args: Any, **kwargs: Any) -> Result:
        analysed.append(args[0].paths[0])
        return run(*args, **kwargs)

    monkeypatch.setattr(diffbase, "run", counted)
    rng = random.Random(7)
    for step in range(5):
        _edit_staged(rng, root)
        analysed.clear()
        fast = _hook(root, shortcuts=True, monkeypatch=monkeypatch)
        assert analysed == [] or step == 0, step  # HEAD (the previous step's staged tree) came from the cache
        assert _shown(fast) == _shown(_hook(root, shortcuts=False, monkeypatch=monkeypatch)), step
        git(root, *COMMIT, f"edit {step}")


@pytest.mark.slow  # random edits, each judged three ways
def test_exceptions_and_a_baseline_judge_the_nodes_they_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """A suppression decides what the head reports of a node whose facts did not change: a node an exception or a
    baseline entry names is judged (never left to the base), so stale-entry notices and the suppressed list are
    what a full comparison gives. What the hook judged is kept as the next HEAD's analysis without them (a base is
    judged without them), so after a commit HEAD is not analysed again."""
    from policylint import diffbase

    from helpers import run_cli

    root = tmp_path / "repo"
    shutil.copytree(REPO / "examples" / "acme", root / "inv")
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    assert run_cli("baseline", "inv", "-o", "baseline.json", "--as-of", AS_OF.isoformat()).code == 0
    (root / "exceptions.yaml").write_text(
        "exceptions:\n  - {rule: PL301, subject: '*signing*', reason: rotation booked, owner: sec@acme.example, "
        "expires: 2027-01-31}\n")
    git(root, "add", "-A")
    git(root, *COMMIT, "start")
    settings = replace(_settings(root), baseline=str(root / "baseline.json"), exceptions=str(root / "exceptions.yaml"))
    rng = random.Random(3)
    suppressed = 0
    analysed: list[str] = []

    def counted(*args: Any, **kwargs: Any) -> Result:
        analysed.append(args[0].paths[0])
        return run(*args, **kwargs)

    monkeypatch.setattr(diffbase, "run", counted)
    for step in range(6):
        _edit_staged(rng, root)
        analysed.clear()
        fast = diff_module.diff(settings, "HEAD", staged=True)
        assert analysed == [] or step == 0, step  # HEAD kept by the previous step's hook, though it was suppressed
        with monkeypatch.context() as patched:
            patched.setattr(diff_module, "_known", lambda before, commit: None)
            full = diff_module.diff(replace(settings, cache=False), "HEAD", staged=True)
        assert _shown(fast) == _shown(full), step
        suppressed += len(fast.suppressed)
        git(root, *COMMIT, f"edit {step}")  # the next HEAD: what the hook judged, kept without the suppressions
    assert suppressed  # the baseline and the exception were applied to something


def test_what_the_cache_holds_of_a_copy_names_the_working_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    """A rule whose message names its subject's file, a lone surrogate in an id of a JSON export, and a notice of
    one revision read again for another: no temporary copy's name, no crash, each notice under the name asked."""
    from helpers import run_cli

    root = tmp_path / "repo"
    shutil.copytree(REPO / "examples" / "shopco", root / "inv")
    (root / "rules").mkdir()
    rule = (REPO / "policies" / "PL001.yaml").read_text().replace("id: PL001", "id: ACME001").replace(
        'message: "{kind} {id} refers', 'message: "{kind} {id} in {file} refers')
    (root / "rules" / "ACME001.yaml").write_text(rule)
    (root / ".policylint.yaml").write_text("paths: [inv]\npolicies: [rules]\n")
    (root / "inv" / "groups.yaml").write_text("policylint: 1\ngroups:\n  - {id: g1, members: [nobody-1]}\n")
    (root / "inv" / "broken.yaml").write_text("policylint: 1\ngroups:\n  - [\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, *COMMIT, "start")
    git(root, "tag", "v1")
    monkeypatch.chdir(root)
    assert run_cli("diff", "--base", "v1", "--as-of", AS_OF.isoformat()).code == 2  # broken.yaml
    (root / "inv" / "broken.yaml").write_text("policylint: 1\n")  # mended: its error is HEAD's notice
    (root / "inv" / "groups.yaml").write_text("policylint: 1\n")  # g1 gone: its ACME001 finding is resolved
    details = root / "inv" / "aws" / "authorization-details.json"
    details.write_text(details.read_text().replace('"UserName": "choi.dh"', '"UserName": "choi.dh\\ud800"', 1))
    git(root, "add", "-A")
    for format_ in ("text", "json", "sarif"):
        result = run_cli("check", "--changed", "--format", format_, "--as-of", AS_OF.isoformat())
        assert result.code in (0, 1), result.err
        assert "policylint-base-" not in result.out + result.err and "policylint-staged-" not in result.out
    text = run_cli("check", "--changed", "--as-of", AS_OF.isoformat()).out
    assert "at v1" not in text and "at HEAD: " in text
    assert "ACME001 group g1 in inv/groups.yaml refers" in text


PROD_RULE = """id: ACME002
title: Customer data kept in the production folder
severity: high
subject: resource
match:
  required: [file, customer_data]
  properties:
    file: {pattern: "^inv/prod/"}
    customer_data: {const: true}
message: "{id} holds customer data and is defined in {file}"
rationale: |
  A team's own rule on where a store is defined.
remediation: |
  Review it.
references:
  - "ACME data handling standard"
"""


def test_a_rule_testing_file_judges_the_hook_as_check_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each side of a diff is read from a temporary copy; the facts still name its files as the working tree does,
    so a rule testing `file` fires in the hook exactly where `check` says it does."""
    from helpers import run_cli

    root = tmp_path / "repo"
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "ACME002.yaml").write_text(PROD_RULE)
    (root / ".policylint.yaml").write_text("paths: [inv]\npolicies: [rules]\n")
    (root / "inv" / "sandbox").mkdir(parents=True)
    (root / "inv" / "sandbox" / "db.yaml").write_text(
        "policylint: 1\nresources:\n  - {id: db1, type: database, data: [customer_pii], records: 10}\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, *COMMIT, "start")
    monkeypatch.chdir(root)
    assert "ACME002" not in run_cli("check", "--as-of", AS_OF.isoformat()).out
    (root / "inv" / "prod").mkdir()
    git(root, "mv", "inv/sandbox/db.yaml", "inv/prod/db.yaml")
    assert "ACME002 db1 holds customer data and is defined in inv/prod/db.yaml" in run_cli(
        "check", "--as-of", AS_OF.isoformat()).out
    hook = run_cli("check", "--changed", "--as-of", AS_OF.isoformat())
    assert hook.code == 1 and "ACME002 db1 holds customer data and is defined in inv/prod/db.yaml" in hook.out


@pytest.mark.slow  # random edits, each compared twice
def test_diff_of_a_clean_checkout_equals_a_run_through_random_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                     ) -> None:
    """`diff --base HEAD~1` on a clean checkout is told from the two cached analyses the hooks left (HEAD~1 as a
    base, HEAD kept), and says what `--no-cache` says, after every random edit committed through the hook."""
    from helpers import run_cli

    root = tmp_path / "repo"
    for source in INPUTS[:3]:
        shutil.copytree(source, root / "inv" / source.name)
    (root / ".policylint.yaml").write_text("paths: [inv]\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, *COMMIT, "start")
    monkeypatch.chdir(root)
    told = 0
    real = diffcached.compared

    def counted(*args: Any, **kwargs: Any) -> Report | None:
        nonlocal told
        found = real(*args, **kwargs)
        told += found is not None and args[3] != "HEAD"  # the diff's, not the hook's
        return found

    monkeypatch.setattr(diffcached, "compared", counted)
    rng = random.Random(11)
    for step in range(6):
        _edit_staged(rng, root)
        run_cli("check", "--changed", "--as-of", AS_OF.isoformat())  # keeps what is staged as the next HEAD
        git(root, *COMMIT, f"edit {step}")
        cached, full = (run_cli("diff", "--base", "HEAD~1", "--format", "json", "--show-suppressed", "--as-of",
                                AS_OF.isoformat(), *extra) for extra in ((), ("--no-cache",)))
        assert (cached.code, cached.out) == (full.code, full.out), step
    assert told >= 3  # most were told from the caches (not those where someone gains a path: PL900)
