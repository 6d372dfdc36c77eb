"""Shared builders for the tests: run the CLI in-process, write inventories, read expectation markers."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli, main
from policylint.inventory import Loaded

AS_OF = date(2026, 1, 1)
REPO = Path(__file__).resolve().parent.parent
# Real public files (AWS, CloudFormation, GCP, Kubernetes, SCIM) vendored with their sources and licenses
# (tests/corpus/SOURCES.md): a user's clone has everything the tests read.
CORPUS = REPO / "tests" / "corpus"
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


def git(repo: Path, *args: str) -> str:
    """Git (a system tool, in /usr/bin) in a test's repository; its output."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


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


__all__ = ["AS_OF", "CORPUS", "REPO", "Run", "cli", "expected_markers", "git", "run_cli", "write"]


def loaded_errors(loaded: Loaded) -> list[tuple[str, int, str]]:
    """(file, line, the message's start) of each error of a loaded inventory."""
    return [(Path(e.location.file).name, e.location.line, e.message[:40]) for e in loaded.errors]


def loaded_ids(loaded: Loaded, part: str = "") -> set[str]:
    """The ids of a loaded inventory that contain `part`."""
    return {n.id for n in loaded.inventory.nodes() if part in n.id}


def check_output(folder: Path, as_of: str = "2026-12-01") -> tuple[int, str]:
    """`check` on a folder: its exit code and everything it printed, which never holds a traceback."""
    result = run_cli("check", str(folder), "--as-of", as_of)
    assert "Traceback" not in result.err + result.out
    return result.code, result.out + result.err


def random_edit(rng: random.Random, target: Path, files: list[Path], before: bytes) -> None:
    """One edit of the kinds a developer (or an attacker) makes: a value changed, a line removed, a file cut in half,
    deleted, duplicated beside itself, given another's content, or an ignore comment (or a blank line) appended."""
    lines = before.split(b"\n")
    kind = rng.randrange(7)
    if kind == 0:  # a value changed: a status, a date, a name
        words = [(i, w) for i, line in enumerate(lines) for w in line.split() if w.isalnum() and len(w) > 3]
        if words:
            i, word = rng.choice(words)
            lines[i] = lines[i].replace(word, rng.choice([b"departed", b"active", b"customer_pii", word[::-1]]), 1)
        target.write_bytes(b"\n".join(lines))
    elif kind == 1:  # a line removed
        if lines:
            del lines[rng.randrange(len(lines))]
        target.write_bytes(b"\n".join(lines))
    elif kind == 2:  # broken in half
        target.write_bytes(before[: len(before) // 2])
    elif kind == 3:  # removed
        target.unlink()
    elif kind == 4:  # copied beside itself: ids defined twice
        shutil.copyfile(target, target.with_name("copy-" + target.name))
    elif kind == 5:  # another file's content
        target.write_bytes(rng.choice(files).read_bytes())
    else:  # an ignore comment appended, or a blank line
        target.write_bytes(before + rng.choice([b'\n# policylint: ignore PL101 reason="reviewed" expires=2027-01-31\n',
                                                b"\n# policylint: ignore[PL101] reviewed\n", b"\n\n"]))
