"""Shared builders for the tests: run the CLI in-process, write inventories, read expectation markers."""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli, main

AS_OF = date(2026, 1, 1)
REPO = Path(__file__).resolve().parent.parent


def _corpus() -> Path:
    """The shared corpus of real public files: POLICYLINT_CORPUS, else beside the repository (as in CI), else beside
    the local repository this checkout was cloned from (a clean clone in /tmp to run `.ci/run`)."""
    if "POLICYLINT_CORPUS" in os.environ:
        return Path(os.environ["POLICYLINT_CORPUS"])
    beside = REPO.parent / "shared" / "corpus"
    if beside.is_dir():
        return beside
    origin = subprocess.run(["git", "config", "--get", "remote.origin.url"], cwd=REPO, capture_output=True,
                            text=True, check=False).stdout.strip()
    cloned_from = Path(origin) if origin and Path(origin).is_dir() else None
    return cloned_from.resolve().parent / "shared" / "corpus" if cloned_from else beside


CORPUS = _corpus()
EXPECT = re.compile(r"#\s*expect:\s*(?P<rule>[A-Z][A-Z0-9_-]*[0-9]+)\s+(?P<subject>\S+)")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str) -> Run:
    """The real entry point (`main`, with its error boundary), output captured."""
    runner = CliRunner()
    captured: dict[str, int] = {}

    def invoke() -> None:
        captured["code"] = main(list(args))

    with runner.isolation() as (out, err, _):
        invoke()
        return Run(captured["code"], out.getvalue().decode(), err.getvalue().decode())


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def expected_markers(path: Path) -> set[tuple[str, str, int]]:
    """(rule, subject id, line) for each `# expect: RULE subject` comment in a fixture."""
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in EXPECT.finditer(line):
            found.add((match["rule"], match["subject"], number))
    return found


__all__ = ["AS_OF", "CORPUS", "REPO", "Run", "cli", "expected_markers", "run_cli", "write"]
