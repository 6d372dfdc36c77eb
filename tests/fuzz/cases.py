"""Fuzz cases: which file each case mutates, how it is run, and what counts as a failure.

Case `i` of seed `s` mutates file `i mod n` of the sorted list of inputs with `random.Random(f"{s}:{i}")`, so a case
is replayed alone from its seed and number (`python -m tests.fuzz --seed S --case I`). Each case is one
`policylint check <folder> --as-of 2026-01-01 --format json` run in-process through `policylint.cli.main`, in a
fresh folder holding the mutated file (and, for one case in four of a multi-file inventory, its siblings too: some
code only runs across files, such as a Kubernetes binding whose role is in another file).
"""

from __future__ import annotations

import faulthandler
import json
import os
import random
import re
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from click.testing import CliRunner

import policylint
from policylint.cli import cli, main
from policylint.errors import InputError
from policylint.sources import SOURCES, Options
from policylint.yamlsafe import decode

from .mutate import mutate

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(policylint.__file__).resolve().parent
SUFFIXES = (".yaml", ".yml", ".json", ".csv")
# The inputs: fixtures, rule fixtures, reporter fixtures, examples, and the vendored corpus of real files.
ROOTS = ("tests/sources/fixtures", "tests/rules", "tests/reporters/fixtures", "examples", "tests/corpus")
# Folders that are one inventory over several files; a case may copy the whole folder with one file mutated.
GROUPS = ("examples/acme", "examples/shopco", "tests/sources/fixtures/gcp", "tests/sources/fixtures/scim",
          "tests/corpus/k8s-rbac", "tests/corpus/gcp-iam-policy", "tests/corpus/cloudformation")
ARGS = ("--as-of", "2026-01-01", "--format", "json")
LOCATED = re.compile(r"^.+:\d+:\d+: error: ", re.MULTILINE)
OK = ("exit 0", "exit 1", "exit 2")


def inputs(repo: Path = REPO) -> list[Path]:
    """Every input file, relative to the repository, in a stable order."""
    found = {p.relative_to(repo) for root in ROOTS if (repo / root).is_dir()
             for p in (repo / root).rglob("*") if p.is_file() and p.suffix in SUFFIXES}
    return sorted(found, key=lambda p: p.as_posix())


@dataclass(frozen=True, slots=True)
class Case:
    seed: int
    number: int
    file: Path  # relative to the repository
    mutations: tuple[str, ...]
    data: bytes
    group: Path | None  # the multi-file inventory copied around it, if any

    def replay(self) -> str:
        return f"python -m tests.fuzz --seed {self.seed} --case {self.number}"

    def describe(self) -> str:
        around = f" (with the rest of {self.group.as_posix()})" if self.group else ""
        return f"case {self.number} of seed {self.seed}: {'+'.join(self.mutations)} of {self.file.as_posix()}{around}"


def make_case(seed: int, number: int, files: list[Path], repo: Path = REPO) -> Case:
    file = files[number % len(files)]
    rng = random.Random(f"{seed}:{number}")
    data, names = mutate(rng, (repo / file).read_bytes(), file.suffix)
    group = next((Path(g) for g in GROUPS if file.is_relative_to(g)), None)
    small = group is not None and sum(p.stat().st_size for p in (repo / group).rglob("*") if p.is_file()) < 256_000
    return Case(seed, number, file, names, data, group if small and rng.random() < 0.25 else None)


@dataclass(frozen=True, slots=True)
class Result:
    case: Case
    outcome: str  # "exit 0" | "exit 1" | "exit 2" | "exit 3" | "traceback" | "unlocated" | "hang" | "exit N"
    seconds: float
    out: str
    err: str
    signature: str = ""  # for a failure: the exception type and the innermost policylint frame

    @property
    def failed(self) -> bool:
        return self.outcome not in OK


class CaseTimeout(BaseException):
    """Raised by the alarm in the middle of a case that runs too long; a BaseException, so that no `except
    Exception` on the way (the CLI's boundary, a source's) turns it into an ordinary exit 3."""

    def __init__(self, frame: FrameType | None) -> None:
        super().__init__("time limit")
        self.stack = traceback.extract_stack(frame) if frame else traceback.StackSummary()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise CaseTimeout after `seconds` (main thread only: signals are delivered there). A handler runs only
    between bytecodes: stuck inside C code (a regular expression backtracking), the process is ended after three
    times the limit with every thread's traceback, so that a run never hangs."""
    def alarm(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout(frame)

    faulthandler.dump_traceback_later(seconds * 3, exit=True, file=2)  # the real standard error, not a captured one
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def lay_out(case: Case, folder: Path, repo: Path = REPO) -> Path:
    """The case's files in `folder`: the mutated file, and its group's other files when it has one."""
    if case.group is None:
        target = folder / case.file.name
    else:
        shutil.copytree(repo / case.group, folder, dirs_exist_ok=True)
        target = folder / case.file.relative_to(case.group)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(case.data)
    return target


def run_case(case: Case, limit: float, scratch: Path) -> Result:
    """Run one case in a fresh folder under `scratch` (removed afterwards) and judge its outcome."""
    folder = scratch / f"case-{case.number}"
    folder.mkdir()
    cwd = os.getcwd()
    os.chdir(folder)  # no configuration file of the repository's applies
    try:
        lay_out(case, folder)
        return _judge(case, folder, limit)
    finally:
        os.chdir(cwd)
        shutil.rmtree(folder, ignore_errors=True)


def _judge(case: Case, folder: Path, limit: float) -> Result:
    start = time.perf_counter()
    code: int | None = None
    runner = CliRunner()
    with runner.isolation() as (out, err, _):
        try:
            with time_limit(limit):
                code = main(["check", str(folder), *ARGS])
        except CaseTimeout as timeout:
            signature = "hang in " + _innermost(timeout.stack)
        stdout, stderr = out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")
    seconds = time.perf_counter() - start
    if code is None:
        return Result(case, "hang", seconds, stdout, stderr, signature)
    outcome = _outcome(code, stdout, stderr)
    signature = diagnose(folder, limit) if outcome in ("exit 3", "traceback") else ""
    if outcome == "unlocated":
        signature = "unlocated error: " + _unlocated_message(stdout, stderr)
    return Result(case, outcome, seconds, stdout, stderr, signature)


def _outcome(code: int, out: str, err: str) -> str:
    if "Traceback" in out + err:
        return "traceback"
    if code == 3 or "internal error" in out + err:
        return "exit 3"
    if code == 2 and not _located(out, err):
        return "unlocated"
    return f"exit {code}"


def _errors(out: str) -> list[dict[str, object]]:
    try:
        report = json.loads(out)
    except ValueError:
        return []
    errors = report.get("errors", []) if isinstance(report, dict) else []
    return [e for e in errors if isinstance(e, dict)]


def _located(out: str, err: str) -> bool:
    """Every error of an exit 2 names file:line:col: in the JSON report, or on standard error when the run stopped
    before a report was made."""
    errors = _errors(out)
    if errors:
        return all(isinstance(e.get("file"), str) and e.get("file") and isinstance(e.get("line"), int)
                   and isinstance(e.get("column"), int) and e["line"] >= 1 and e["column"] >= 1  # type: ignore[operator]
                   for e in errors)
    lines = [line for line in err.splitlines() if line.strip()]
    return bool(lines) and all(LOCATED.match(line) or line.startswith(" ") for line in lines)


def _unlocated_message(out: str, err: str) -> str:
    errors = _errors(out)
    first = errors[0] if errors else {"message": err.strip().splitlines()[0] if err.strip() else "(no message)"}
    return str(first.get("message", ""))[:160]


def diagnose(folder: Path, limit: float) -> str:
    """The crash behind an exit 3, found again without the boundaries that turn it into a message: each file's
    source is run directly, then the command without the CLI's error boundary."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found = _source_crash(path)
        if found:
            return found
    try:
        with time_limit(limit), CliRunner().isolation():
            cli.main(args=["check", str(folder), *ARGS], prog_name="policylint", standalone_mode=False)
    except InputError:
        return "exit 3 with no crash found again"
    except Exception as exc:  # the crash we are looking for
        return signature(exc)
    return "exit 3 with no crash found again"


def _source_crash(path: Path) -> str:
    try:
        text = decode(path.read_bytes(), str(path))
    except InputError:
        return ""
    except Exception as exc:  # a crash while decoding
        return signature(exc)
    for source in SOURCES.values():
        try:
            if not source.detect(str(path), text):
                continue
            source.load(str(path), text, Options())
        except (InputError, RecursionError):  # what the inventory reports as a located error
            return ""
        except Exception as exc:  # the crash we are looking for
            return signature(exc)
        return ""
    return ""


def signature(exc: BaseException) -> str:
    return f"{type(exc).__name__} in {_innermost(traceback.extract_tb(exc.__traceback__))}"


def _innermost(stack: traceback.StackSummary) -> str:
    """The innermost frame in policylint's own code: `policylint/sources/gcp/keys.py:88 (_purpose)`."""
    for frame in reversed(stack):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(PACKAGE):
            return f"{path.relative_to(PACKAGE.parent).as_posix()}:{frame.lineno} ({frame.name})"
    return "(no policylint frame)"


def run(seed: int, cases: range, limit: float, files: list[Path] | None = None) -> Iterator[Result]:
    """The results of the cases, one by one, each in its own folder of one scratch folder."""
    files = files if files is not None else inputs()
    with tempfile.TemporaryDirectory(prefix="policylint-fuzz-") as scratch:
        for number in cases:
            yield run_case(make_case(seed, number, files), limit, Path(scratch))
