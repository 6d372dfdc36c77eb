"""Reading many files on every core: the files a run must parse (not found in the fragment cache) go to worker
processes once enough of them are waiting to pay for starting the workers; everything else stays in this process.

Results come back in the order of the files, whatever order the workers finish in, so a run reads the same with one
core or many. A worker sends back the fragment as the cache's JSON (`fragcache.encoded`), which this process decodes
and keeps in the cache; a file whose fragment the cache does not keep (a bug report), a worker that fails, or a pool
that cannot start: the file is read again here, so what a run says never depends on the pool.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from policylint.fragcache import Cache, Read, decoded, encoded
from policylint.sources.base import Options
from policylint.sources.terraform.hcl_names import SUFFIXES as TERRAFORM_SUFFIXES

if TYPE_CHECKING:  # the process machinery is imported when workers start, not on every run
    from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor

START_AFTER_BYTES = 2 * 2**20  # files waiting to be parsed before the workers start: a one-file change never does
IN_FLIGHT_PER_WORKER = 16  # files handed to each worker ahead of the one read next (bounds the bytes held)

T = TypeVar("T")
Parse = Callable[[str, bytes, bool, Options], Read]  # `inventory.fragment_of`


@dataclass(frozen=True, slots=True)
class Job:
    path: str
    data: bytes
    explicit: bool
    options: Options


MAX_WORKERS = 8  # each holds a file's parse in memory; beyond this, a machine's cores are rarely all the run's


def workers() -> int:
    """The cores this process may run on, at most `MAX_WORKERS`."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        count = os.cpu_count() or 1
    return min(count, MAX_WORKERS)


class Pool:
    """Reads files in the order they are given; `parse` runs here or in a worker. Use as a context manager."""

    def __init__(self, parse: Parse, cache: Cache | None, count: int | None = None) -> None:
        self.parse = parse
        self.cache = cache
        self.count = workers() if count is None else count
        self._executor: ProcessPoolExecutor | None = None
        self._waiting = 0  # bytes parsed here while the workers were not started
        self._broken = self.count < 2
        self.sent = 0  # files handed to the workers

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *_: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)

    def read(self, jobs: Iterable[tuple[T, Job | Read, str | None]]) -> Iterator[tuple[T, Read]]:
        """Each item's fragment, in order: an item is a tag passed through, a job (or what a file already is, such
        as an error reading it) and its cache key (None: not cached)."""
        pending: deque[_Pending[T]] = deque()
        for tag, job, key in jobs:
            pending.append(self._begin(tag, job, key))
            while pending and (pending[0].ready() or self._in_flight(pending) > self.count * IN_FLIGHT_PER_WORKER):
                yield self._finish(pending.popleft())
        while pending:
            yield self._finish(pending.popleft())

    def _begin(self, tag: T, job: Job | Read, key: str | None) -> _Pending[T]:
        if not isinstance(job, Job):
            return _Pending(tag, None, None, job, kept=True)
        cached = self.cache.load(key, job.path, len(job.data)) if self.cache is not None and key is not None else None
        if cached is not None:
            return _Pending(tag, job, key, cached, kept=True)
        return _Pending(tag, job, key, *self._submit(job))

    def _submit(self, job: Job) -> tuple[Read | None, bool, Future[bytes | None] | None]:
        """(the fragment read here, False, None), or (None, False, what a worker will send back)."""
        if self._broken or job.path.lower().endswith(TERRAFORM_SUFFIXES):  # a module reads its folder: here
            return self._here(job), False, None
        if self._executor is None:
            self._waiting += len(job.data)
            if self._waiting < START_AFTER_BYTES:
                return self._here(job), False, None
            self._executor = _start(self.count)
            if self._executor is None:
                self._broken = True
                return self._here(job), False, None
        try:
            submitted = self._executor.submit(_parsed, self.parse, job)
        except (RuntimeError, OSError):  # workers that cannot start (a broken pool is a RuntimeError): read here
            self._broken = True
            return self._here(job), False, None
        self.sent += 1
        return None, False, submitted

    def _here(self, job: Job) -> Read:
        return _on_the_reading_thread(self.parse, job)

    def _finish(self, item: _Pending[T]) -> tuple[T, Read]:
        job, key = item.job, item.key
        if item.future is None:
            assert item.read is not None
            if not item.kept and job is not None and self.cache is not None and key is not None:
                self.cache.store(key, job.path, item.read)
            return item.tag, item.read
        assert job is not None
        try:
            body = item.future.result()
        except Exception as failed:  # a worker that failed: the file is read here, as without workers
            self._broken = self._broken or type(failed).__name__ == "BrokenProcessPool"
            body = None
        if body is None:
            read = self._here(job)
            if self.cache is not None and key is not None:
                self.cache.store(key, job.path, read)
            return item.tag, read
        if self.cache is not None and key is not None:
            self.cache.store_encoded(key, job.path, body)
        return item.tag, decoded(json.loads(body), job.path)

    @staticmethod
    def _in_flight(pending: deque[_Pending[T]]) -> int:
        return sum(1 for item in pending if item.future is not None)


@dataclass(slots=True)
class _Pending(Generic[T]):
    tag: T
    job: Job | None
    key: str | None
    read: Read | None  # the fragment, when it is known here
    kept: bool  # from the cache (or never parsed): nothing to keep
    future: Future[bytes | None] | None = None  # what a worker will send back

    def ready(self) -> bool:
        return self.future is None or self.future.done()


def _start(count: int) -> ProcessPoolExecutor | None:
    """Workers started from a clean process (`forkserver` where there is one, else `spawn`), never forked from this
    one (its threads, a progress display's among them, must not be copied mid-work)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    try:
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["policylint.inventory"])
        return ProcessPoolExecutor(max_workers=count, mp_context=context)
    except (OSError, ValueError, RuntimeError):
        return None


def _parsed(parse: Parse, job: Job) -> bytes | None:
    """In a worker: the file's fragment as the cache's JSON; None when the cache would not keep it (read it again in
    the parent, where its errors are made as in any run)."""
    return encoded(_on_the_reading_thread(parse, job), job.path)


_READING: list[ThreadPoolExecutor] = []  # this process's reading thread, made on first use


def _on_the_reading_thread(parse: Parse, job: Job) -> Read:
    """`parse` of the job, on a thread of its own that does nothing else: every file is read with the same stack
    beneath it, in this process and in every worker, so how deeply nested a file may be before the JSON parser
    gives up is the same whether the file came from the cache, a worker or this process (a file read in the parent
    at a deeper stack was once skipped where a worker read it)."""
    if not _READING:
        from concurrent.futures import ThreadPoolExecutor

        _READING.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="policylint-read"))
    return _READING[0].submit(parse, job.path, job.data, job.explicit, job.options).result()
