"""Benchmark the pre-commit hook (`policylint check --changed`) as a developer meets it, whole process.

    python benchmarks/hook.py [--size repo] [--runs 7]

The generated organisation of SIZE (benchmarks/generate.py; `repo` is 500 people over ~70 files) is copied into a
fresh git repository with a `.policylint.yaml`, committed, and one file is changed as a developer would (a comment
line appended to a team's people file). Then, with the same staged change:
  - first run: no cache yet, so HEAD's tree is exported and analysed as well as the working tree (two analyses);
  - second and later runs: HEAD's analysis comes from `.git/policylint/` (one analysis), the case of every commit
    after the first on the same HEAD, and of every run of a hook that is re-run after a fix.
Reported: each run's wall time, the median/min/max of the cached runs, and the core count. Nothing is asserted.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="repo")
    parser.add_argument("--runs", type=int, default=7, help="cached runs after the first")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="policylint-hook-bench-") as folder:
        repo = prepare(options.size, Path(folder))
        command = [*cli_executable(), "check", "--changed", "--as-of", AS_OF]
        here = Path.cwd()
        os.chdir(repo)
        try:
            first = timed_process(command)
            cached = [timed_process(command) for _ in range(options.runs)]
        finally:
            os.chdir(here)
    times = [c[0] for c in cached]
    print(f"size {options.size}, {os.cpu_count()} cores, command: {' '.join(command[-4:])}")
    print(f"first run (no cache, two analyses): {first[0]:.3f} s, exit {first[1]}, peak {first[2]:.0f} MB")
    print(f"cached runs ({len(times)}): median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
          f"max {max(times):.3f} s, exit codes {sorted({c[1] for c in cached})}, "
          f"peak {max(c[2] for c in cached):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
