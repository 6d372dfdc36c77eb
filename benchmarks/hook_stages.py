"""Where the pre-commit hook's time goes, in process: run in a repository with something staged.

    cd REPO && python /path/to/benchmarks/hook_stages.py [--as-of 2026-11-27]

Prints the pipeline's stage timings for the staged tree (load, graph, reach, facts, digests, rules, suppress), the
time spent getting HEAD's analysis (from `.git/policylint/` when cached) and comparing the two, and the total. One
run; nothing is asserted. `benchmarks/hook.py` measures the whole process as a developer meets it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from policylint import diff
from policylint.pipeline import Timer
from policylint.settings import Given, resolve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-11-27")
    options = parser.parse_args()
    spent: dict[str, float] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def inner(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
        return inner

    diff.base_of = timed("HEAD's analysis", diff.base_of)
    diff._compared = timed("comparison", diff._compared)
    diff.keep_as_next_head = timed("kept as next HEAD", diff.keep_as_next_head)
    settings = resolve(Given(as_of=date.fromisoformat(options.as_of)))
    timer = Timer()
    started = time.perf_counter()
    report = diff.diff(settings, diff.HEAD, timer, base_layout=True, staged=True)
    total = time.perf_counter() - started
    for name, seconds in [*timer.seconds.items(), *spent.items()]:
        print(f"{name:>16}: {seconds:7.2f} s")
    print(f"{'total':>16}: {total:7.2f} s ({len(report.findings)} findings new or worse)")


if __name__ == "__main__":  # worker processes import the main module again
    main()
