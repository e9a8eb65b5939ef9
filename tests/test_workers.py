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
