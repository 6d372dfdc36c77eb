"""Progress on a long run, on standard error: files read of the total, then each stage (tqdm).

Shown on a terminal, and only once the run has taken a second (a pre-commit hook that answers at once shows
nothing); never in a pipe or a CI log unless `--progress` asks for it. Only counts and stage names are written:
never a file name, which an attacker could make a terminal control sequence.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType
from typing import IO, Any

DELAY = 1.0  # seconds before anything is shown
FILES = "reading"


def wanted(asked: bool | None, stream: IO[str]) -> bool:
    """`--progress`/`--no-progress` when given; else on a terminal outside CI."""
    if asked is not None:
        return asked
    return stream.isatty() and not os.environ.get("CI")


class Shown:
    """The `pipeline.Progress` the CLI passes to a run, as a context manager that clears its lines at the end."""

    def __init__(self, stream: IO[str], delay: float = DELAY) -> None:
        self.stream = stream
        self.delay = delay
        self._bar: Any = None
        self._stage: str | None = None
        self._started = time.monotonic()  # of the current bar
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._ticker: threading.Thread | None = None

    def files(self, done: int, total: int) -> None:
        with self._lock:
            if self._stage != FILES:
                self._close()
                self._stage = FILES
                self._bar = self._new(total=total, unit=" files", desc="reading")
            self._bar.update(done - self._bar.n)

    def stage(self, name: str) -> None:
        if name in ("load", self._stage):  # "load" is shown as its files are read
            return
        with self._lock:
            self._close()
            self._stage = name
            self._bar = self._new(total=None, desc=name, bar_format="{desc}… {elapsed}")
        if self._ticker is None:  # a stage has no updates of its own: it is drawn, then its clock, every second
            self._ticker = threading.Thread(target=self._tick, name="policylint-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._done.wait(0.5):
            with self._lock:
                if self._bar is not None and self._stage != FILES and \
                        time.monotonic() - self._started >= self.delay:
                    self._bar.refresh()

    def _new(self, **settings: Any) -> Any:
        from tqdm import tqdm  # only when a run shows progress: it is not needed to start

        self._started = time.monotonic()
        return tqdm(file=self.stream, delay=self.delay, leave=False, dynamic_ncols=True, mininterval=0.2,
                    **settings)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Shown:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._done.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._close()
