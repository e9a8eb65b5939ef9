"""Forked worker pools, for the page renderer and the bulletin printer.

Workers are forked so that they share the loaded records without pickling them. Two
things make a forked pool hang forever, and both happened in CI:

- The build installs a Python-level SIGTERM handler (to keep output/ intact), and a fork
  inherits it. `Pool.terminate()` stops workers with SIGTERM; a worker waiting for work
  in `sem_wait` can take the signal just before it blocks, the Python handler never runs,
  and `terminate()` then waits for it without end. Workers therefore restore the
  default actions at once (SIGTERM kills, SIGINT is left to the parent).
- Leaving the `with Pool()` block calls `terminate()` even after every job is done. A
  pool that finished is closed and joined instead: workers leave on their own.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import Any


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
    """Have the kernel stop this forked process when its parent dies (Linux). A pool
    whose workers are killed with their parent (`kill` of the process group) refills
    itself while the parent is still stopping, and the new worker, holding both ends of
    its task queue, would wait for work forever, orphaned."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: as before
        return
    if os.getppid() != parent:  # the parent died before that: nobody waits for us
        os._exit(1)


def _pool(workers: int) -> Pool:
    # What this process holds now (the records, the index) is never collected while it
    # builds: full collections in it and in its forks then walk only the new objects,
    # and the forks do not copy the pages the collector would write to. `thaw()` at the
    # end of the build (a server builds again and again in one process).
    gc.freeze()
    return multiprocessing.get_context("fork").Pool(workers, initializer=_default_signals,
                                                    initargs=(os.getpid(),))


def thaw() -> None:
    """Let what the build held be collected again (see _pool)."""
    gc.unfreeze()


def _end(pool: Pool, failed: bool) -> None:
    """Terminate a pool only when something failed; a finished one is closed and joined."""
    if failed:
        _free_task_queue(pool)
        pool.terminate()
    else:
        pool.close()
    pool.join()


def _free_task_queue(pool: Pool) -> None:
    """Free the task queue's read lock when a killed worker holds it. A worker waiting
    for work holds that lock, and `terminate()` first takes it: it waited forever when
    that worker had been killed (`kill` of the process group, a service manager stopping
    a server in the middle of a build; CPython's bpo-22393). Live workers hold it only
    until the work or the pool's stop signal reaches them, well within the second
    waited here; the workers are not killed here (one killed while it sends a result
    would hold the result queue's lock instead)."""
    from multiprocessing.pool import TERMINATE
    handler = getattr(pool, "_worker_handler", None)
    notifier = getattr(pool, "_change_notifier", None)
    lock = getattr(getattr(pool, "_inqueue", None), "_rlock", None)
    if handler is None or notifier is None or lock is None:  # (another Pool than 3.11's)
        return
    handler._state = TERMINATE  # no new worker from now on (the pool's own first step)
    notifier.put(None)
    handler.join()  # (its last step tells the workers to stop once the work is out)
    if lock.acquire(timeout=1.0):
        lock.release()
    else:
        lock.release()  # held by a dead worker


@contextmanager
def forked_pool(workers: int) -> Iterator[Pool]:
    pool = _pool(workers)
    try:
        yield pool
    except BaseException:
        _end(pool, failed=True)
        raise
    _end(pool, failed=False)


def run_forked(function: Callable[[Any], Any], jobs: Iterable[Any],
               workers: int) -> Iterator[Any]:
    """function(job) for every job over `workers` forked processes, results as they come."""
    with forked_pool(workers) as pool:
        yield from pool.imap_unordered(function, jobs, chunksize=1)


_BACKGROUND: list[Pool] = []  # started and not yet waited for


class Background:
    """`function()` run in one forked process while the build goes on, waited for by
    `wait()`. A build that fails before waiting stops it with `stop_all()`."""

    def __init__(self, function: Callable[[], Any]):
        self._pool = _pool(1)
        _BACKGROUND.append(self._pool)
        self._result = self._pool.apply_async(function)

    def wait(self) -> Any:
        _BACKGROUND.remove(self._pool)
        try:
            value = self._result.get()
        except BaseException:
            _end(self._pool, failed=True)
            raise
        _end(self._pool, failed=False)
        return value


def stop_all() -> None:
    """Stop what `Background` started and nobody waited for (the build failed)."""
    while _BACKGROUND:
        _end(_BACKGROUND.pop(), failed=True)
