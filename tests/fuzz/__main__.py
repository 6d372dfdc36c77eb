"""Run the fuzz cases on demand: `python -m tests.fuzz --cases 5000 [--seed N]` (from the repository root).

Prints the count of each outcome, then each distinct failure signature with how often it happened and the first
case to replay; `--case I` replays one case and prints its output (and `--keep DIR` leaves its files in DIR).
Exits 1 when any case failed (exit 3, a traceback, an unlocated error, a hang), else 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from .cases import OK, Result, inputs, lay_out, make_case, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=5000, help="how many cases (default 5000)")
    parser.add_argument("--seed", type=int, default=0, help="the seed (default 0)")
    parser.add_argument("--case", type=int, default=None, help="replay this one case and show its output")
    parser.add_argument("--keep", type=Path, default=None, help="with --case: write the case's files here")
    parser.add_argument("--only", default="", metavar="TEXT",
                        help="only the inputs whose path contains TEXT (case numbers then count over those)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds a case may take (default 20)")
    args = parser.parse_args(argv)
    files = [f for f in inputs() if args.only in f.as_posix()]
    if not files:
        parser.error(f"no input path contains {args.only!r}")
    if args.case is not None:
        return _replay(args.seed, args.case, args.timeout, files, args.keep)
    return _campaign(args.seed, args.cases, args.timeout, files, args.only)


def _replay(seed: int, number: int, limit: float, files: list[Path], keep: Path | None) -> int:
    case = make_case(seed, number, files)
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        print(f"wrote {lay_out(case, keep)}")
    result = next(iter(run(seed, range(number, number + 1), limit, files)))
    print(f"{case.describe()}\noutcome: {result.outcome} in {result.seconds:.2f} s")
    if result.signature:
        print(f"signature: {result.signature}")
    print(f"--- stdout ---\n{result.out[-4000:]}--- stderr ---\n{result.err[-4000:]}")
    return 1 if result.failed else 0


def _campaign(seed: int, count: int, limit: float, files: list[Path], only: str) -> int:
    print(f"{count} cases over {len(files)} files, seed {seed}, {limit:g} s per case", flush=True)
    start = time.perf_counter()
    outcomes: Counter[str] = Counter()
    failures: dict[str, list[Result]] = {}
    slowest: Result | None = None
    for result in run(seed, range(count), limit, files):
        outcomes[result.outcome] += 1
        if slowest is None or result.seconds > slowest.seconds:
            slowest = result
        if result.failed:
            failures.setdefault(result.signature or result.outcome, []).append(result)
    elapsed = time.perf_counter() - start
    print(f"done in {elapsed:.1f} s (slowest case {slowest.seconds if slowest else 0:.2f} s)")
    for outcome in (*OK, *sorted(set(outcomes) - set(OK))):
        print(f"  {outcome:<10} {outcomes[outcome]}")
    print(f"{sum(len(r) for r in failures.values())} failed cases, {len(failures)} distinct signatures")
    for signature, results in sorted(failures.items(), key=lambda item: -len(item[1])):
        first = results[0]
        print(f"  [{len(results)}] {first.outcome}: {signature}\n      e.g. {first.case.describe()}\n"
              f"      replay: {first.case.replay()}{f' --only {only}' if only else ''}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
