"""Forked worker pools finish: CI once waited 80 minutes on a page-render pool whose last
worker had swallowed the SIGTERM of `Pool.terminate()` (the build's own handler, inherited
by the fork, lost the signal while the worker went back to wait for work)."""
import subprocess
import sys
import textwrap

from conftest import ROOT

RACE = textwrap.dedent("""
    import os, signal, sys
    from cabildo.pelican.build import _on_signal
    from cabildo.workers import run_forked

    def job(n):  # uneven jobs: workers come back for work while the pool is closing
        return sum(range((n * 7919) % 20000))

    signal.signal(signal.SIGTERM, _on_signal(os.getpid()))  # as the build does
    for i in range(400):
        assert sorted(run_forked(job, range(20), 2)) == sorted(map(job, range(20)))
    print("done")
""")


def test_pools_close_under_the_builds_signal_handler():
    """400 pools in a row (the old `with Pool()` hung within 50 to 300 here)."""
    done = subprocess.run([sys.executable, "-c", RACE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "done", done.stderr


FAILING = textwrap.dedent("""
    import multiprocessing
    from cabildo.workers import run_forked

    def job(n):
        if n == 7:
            raise ValueError("job 7 failed")
        return n

    try:
        list(run_forked(job, range(40), 2))
    except ValueError as exc:
        print(exc, len(multiprocessing.active_children()))
""")


def test_a_failing_job_stops_the_pool_and_reports_its_error():
    done = subprocess.run([sys.executable, "-c", FAILING], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "job 7 failed 0", done.stderr


ORPHANED = textwrap.dedent("""
    import os, time
    from cabildo.workers import forked_pool

    with forked_pool(1) as pool:
        pool.submit(int).result()  # the worker started, and now waits for work
        print(*pool._processes, flush=True)
        os.kill(os.getpid(), 9)  # then the process that forked it is killed
""")


def test_a_pool_s_workers_end_when_the_process_that_forked_them_is_killed():
    """A killed build cannot leave workers behind, waiting for work forever (the bench
    found one, left by a server stopped with its process group in the middle of a
    build)."""
    import os
    import time
    # (its output read up to the line it prints: a worker left behind keeps the pipe open)
    build = subprocess.Popen([sys.executable, "-c", ORPHANED], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    workers = [int(pid) for pid in build.stdout.readline().split()]
    assert build.wait(timeout=60) == -9 and len(workers) == 1
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in workers if _running(pid)]
    for pid in alive:  # (cleaned up before failing)
        os.kill(pid, 9)
    build.stdout.close()
    assert not alive, "a worker outlived the process that forked it"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"  # a zombie has ended, unreaped
    except OSError:
        return False


STOPPED = textwrap.dedent("""
    import os, signal, time
    from cabildo import workers

    def nothing():
        return 1

    side = workers.Background(nothing)  # the open data's process, as the build starts it
    time.sleep(0.5)  # done: its worker waits for work
    os.kill(next(iter(side._pool._processes)), signal.SIGTERM)  # `kill` of the group
    time.sleep(0.2)
    workers.stop_all()  # the build, interrupted by that signal too, stops what it started
    print("stopped", flush=True)
""")


def test_a_build_stopped_with_its_process_group_ends():
    """The server stopped with its process group in the middle of a build (the bench
    does; so would a service manager) waited forever with multiprocessing's Pool: its
    worker, killed while waiting for work, still held the lock `terminate()` takes."""
    build = subprocess.Popen([sys.executable, "-c", STOPPED], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = build.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        build.kill()
        build.communicate()
        raise AssertionError("stopping the pool waited forever") from None
    assert build.returncode == 0 and out.strip() == "stopped", err


KILLED = textwrap.dedent("""
    import os, signal
    from cabildo.workers import WorkerLost, run_forked

    def job(n):
        if n == 5:  # as the kernel's out-of-memory killer does
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    try:
        list(run_forked(job, range(20), 2))
    except WorkerLost as exc:
        print(exc)
""")


def test_a_worker_killed_in_the_middle_of_its_work_fails_the_work():
    """multiprocessing's Pool waited forever for the result of a killed worker."""
    done = subprocess.run([sys.executable, "-c", KILLED], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.startswith("a worker process stopped before finishing its work"), \
        done.stderr
