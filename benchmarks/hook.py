"""Benchmark the pre-commit hook (`policylint check --changed`) as a developer meets it, whole process.

    python benchmarks/hook.py [--size repo] [--runs 7]

The generated organisation of SIZE (benchmarks/generate.py; `repo` is 500 people over ~70 files, `enterprise`
50,000 people over 2,353 files) is copied into a fresh git repository with a `.policylint.yaml`, committed, and one
file is changed as a developer would (a comment line appended to a team's people file) and staged. Then:
  - first run: no cache yet: HEAD's tree is exported and analysed as well as the staged tree, every file parsed;
  - the same staged tree again (a hook re-run after a fix elsewhere): the staged tree was kept when it was judged,
    so the report comes from the two cached analyses, HEAD's and its own (`diffcached`), no file read;
  - after a one-file change (each run appends one more line to the file and stages it): HEAD's analysis cached,
    the changed file parsed, the others from the fragment cache: every commit after the first on one HEAD;
  - after a one-record change (each run makes one more person of the same file leave, and stages it): as above,
    and the nodes whose facts the leaver changes judged again (the rest keep HEAD's findings by digest);
  - a developer's day: someone leaves, the hook runs, the change is committed, and again: each hook's HEAD is the
    tree the previous hook judged (kept as the next HEAD's analysis), so HEAD is never analysed again;
  - a commit the inventory is not in (a documentation file beside it): the staged inventory is HEAD's, told from
    HEAD's cached analysis alone;
  - `diff --base HEAD~2` on the clean checkout at the end (HEAD~2 is a leaver's commit, and each tree was judged by a
    hook): told from the two cached analyses, no file read;
  - the same with `--no-cache`: every file parsed (what the hook cost before the fragment cache).
Reported: the median/min/max of each kind, peak RSS of the process, and the core count. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import AS_OF, cli_executable, ensure_generated, timed_process


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=repo,
                   check=True, capture_output=True)


def prepare(size: str, folder: Path) -> Path:
    source = ensure_generated(size)
    repo = folder / "repo"
    shutil.copytree(source, repo / "inventory")
    (repo / ".policylint.yaml").write_text("paths: [inventory]\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "inventory")
    changed = sorted((repo / "inventory").rglob("*.yaml"))[0]
    with changed.open("a", encoding="utf-8") as handle:
        handle.write("# reviewed by the benchmark\n")
    git(repo, "add", "-A")
    return repo


def edit(repo: Path, number: int) -> None:
    """One more change to the same file, staged: the next commit's one-file change."""
    changed = sorted((repo / "inventory").rglob("*.yaml"))[0]
    with changed.open("a", encoding="utf-8") as handle:
        handle.write(f"# reviewed again by the benchmark ({number})\n")
    git(repo, "add", "-A")


def leave(repo: Path, number: int) -> None:
    """One more person of the same people file leaves (a real change to what the rules see), staged."""
    people = next(f for f in sorted((repo / "inventory").rglob("*.yaml"))
                  if "\npeople:" in (text := f.read_text(encoding="utf-8")) and "status: active" in text)
    text = people.read_text(encoding="utf-8")
    at = text.find("status: active")
    if at < 0:
        raise SystemExit(f"{people}: nobody active is left to leave (run {number})")
    people.write_text(text[:at] + "status: departed, departed: 2026-11-01" + text[at + len("status: active"):],
                      encoding="utf-8")
    git(repo, "add", "-A")


def aside(repo: Path, number: int) -> None:
    """A change beside the inventory (documentation, code), staged: what most commits of a monorepo are."""
    (repo / "docs").mkdir(exist_ok=True)
    (repo / "docs" / "access.md").write_text(f"Reviewed by the benchmark ({number}).\n", encoding="utf-8")
    git(repo, "add", "-A")


def summary(name: str, runs: list[tuple[float, int, float]]) -> str:
    times = [r[0] for r in runs]
    return (f"{name} ({len(times)} runs): median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
            f"max {max(times):.3f} s, exit codes {sorted({r[1] for r in runs})}, peak {max(r[2] for r in runs):.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="repo")
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind after the first")
    parser.add_argument("--no-uncached", action="store_true", help="leave out the --no-cache runs (slow at scale)")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="policylint-hook-bench-") as folder:
        repo = prepare(options.size, Path(folder))
        command = [*cli_executable(), "check", "--changed", "--as-of", AS_OF]
        here = Path.cwd()
        os.chdir(repo)
        try:
            first = timed_process(command)
            again = [timed_process(command) for _ in range(options.runs)]
            changed = []
            uncached = []
            left = []
            committed = []
            outside = []
            for number in range(options.runs):
                edit(repo, number)
                changed.append(timed_process(command))
                leave(repo, number)
                left.append(timed_process(command))
                git(repo, "commit", "-q", "-m", f"leaver {number}")
                leave(repo, 100 + number)
                committed.append(timed_process(command))
                git(repo, "commit", "-q", "-m", f"leaver {100 + number}")
                aside(repo, number)
                outside.append(timed_process(command))
                git(repo, "commit", "-q", "-m", f"documentation {number}")
            # a clean checkout compared with the commit before the last leaver's: both trees judged by a hook
            compare = [*cli_executable(), "diff", "--base", "HEAD~2", "--as-of", AS_OF]
            diffs = [timed_process(compare) for _ in range(options.runs)]
            for number in range(options.runs):
                if not options.no_uncached:
                    edit(repo, 1000 + number)
                    uncached.append(timed_process([*command, "--no-cache"]))
        finally:
            os.chdir(here)
    print(f"size {options.size}, {os.cpu_count()} cores, command: {' '.join(command[-4:])}")
    print(f"first run (no cache: HEAD and the staged tree analysed, every file parsed): {first[0]:.3f} s, "
          f"exit {first[1]}, peak {first[2]:.0f} MB")
    print(summary("the same staged tree again (told from its cached analysis and HEAD's)", again))
    print(summary("after a one-file change (HEAD's analysis cached; one file parsed)", changed))
    print(summary("after a one-record change (a person leaves; HEAD's analysis cached)", left))
    print(summary("the next commit's hook (HEAD is the tree the previous hook judged)", committed))
    print(summary("a commit the inventory is not in (documentation beside it; HEAD cached)", outside))
    print(summary("diff --base HEAD~2 on a clean checkout (both trees judged by a hook: told from the caches)",
                  diffs))
    if uncached:
        print(summary("after a one-file change, --no-cache (HEAD analysed again; every file parsed)", uncached))
    return 0


if __name__ == "__main__":
    sys.exit(main())
