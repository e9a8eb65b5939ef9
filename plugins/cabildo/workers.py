"""Forked worker pools, for the page renderer and the bulletin printer.

Workers are forked so that they share the loaded records without pickling them. They
run in `concurrent.futures`' process pool, not `multiprocessing.Pool`: when a worker
dies in the middle of its work (the kernel's out-of-memory killer, a crash in a
library), that pool waits for its result forever, where this one fails the work it
held (`WorkerLost`), and the build ends with a message, `output/` as it was.

Workers restore the default signal actions at once: the build's own SIGTERM handler
(which keeps output/ intact), inherited by the fork, is not theirs to run.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any


class WorkerLost(RuntimeError):
    """A worker process ended before it finished its work."""

    def __init__(self) -> None:
        super().__init__(
            "a worker process stopped before finishing its work (killed: perhaps the "
            "machine ran out of memory); with CABILDO_WORKERS = 1 the build uses less")


def can_fork(workers: int) -> bool:
    return workers > 1 and "fork" in multiprocessing.get_all_start_methods()


def worker_count(wanted: int, jobs: int) -> int:
    """`wanted` workers (0: one per core), never more than there are jobs."""
    return min(wanted or os.cpu_count() or 1, jobs)


def _default_signals(parent: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(parent)


def die_with(parent: int) -> None:
    """Have the kernel stop this forked process when its parent dies (Linux): a build
    killed with its process group (a service manager stopping a server) leaves no
    worker behind, waiting for work that never comes."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: as before
        return
    if os.getppid() != parent:  # the parent died before that: nobody waits for us
        os._exit(1)


def _pool(workers: int) -> ProcessPoolExecutor:
    # What this process holds now (the records, the index) is never collected while it
    # builds: full collections in it and in its forks then walk only the new objects,
    # and the forks do not copy the pages the collector would write to. `thaw()` at the
    # end of the build (a server builds again and again in one process).
    gc.freeze()
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_default_signals, initargs=(os.getpid(),))


def thaw() -> None:
    """Let what the build held be collected again (see _pool)."""
    gc.unfreeze()


def _end(pool: ProcessPoolExecutor, failed: bool) -> None:
    """A finished pool's workers leave on their own; a failed one's are stopped."""
    if failed:
        # (a private attribute: Python 3.14's terminate_workers() does this)
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=failed)


def _result(future: Future[Any]) -> Any:
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerLost() from None


@contextmanager
def forked_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    pool = _pool(workers)
    try:
        yield pool
    except BaseException:
        _end(pool, failed=True)
        raise
    _end(pool, failed=False)


def run_forked(function: Callable[[Any], Any], jobs: Iterable[Any],
               workers: int) -> Iterator[Any]:
    """function(job) for every job over `workers` forked processes, results as they come
    (the first job to fail stops the others and raises its error)."""
    with forked_pool(workers) as pool:
        pending = {pool.submit(function, job) for job in jobs}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield _result(future)


_BACKGROUND: list[ProcessPoolExecutor] = []  # started and not yet waited for


class Background:
    """`function()` run in one forked process while the build goes on, waited for by
    `wait()`. A build that fails before waiting stops it with `stop_all()`."""

    def __init__(self, function: Callable[[], Any]):
        self._pool = _pool(1)
        _BACKGROUND.append(self._pool)
        self._result = self._pool.submit(function)

    def wait(self) -> Any:
        _BACKGROUND.remove(self._pool)
        try:
            value = _result(self._result)
        except BaseException:
            _end(self._pool, failed=True)
            raise
        _end(self._pool, failed=False)
        return value


def stop_all() -> None:
    """Stop what `Background` started and nobody waited for (the build failed)."""
    while _BACKGROUND:
        _end(_BACKGROUND.pop(), failed=True)
