"""Benchmark: build the full-scale dataset cold, then again with nothing changed.

    python tests/bench.py --out bench        # what `invoke bench` runs

Generates the synthetic full-scale Torres data into OUT/data, builds it twice
into OUT/output in a child process (cold, then unchanged), then the pages alone
(no bulletins, no search index) with and without maps, and prints pages written,
seconds, pages per second and peak memory; then times `validate` on data/ and
on OUT/data.
Exits 1 when the cold build misses the target (60 s, 1 GB).

Peak memory is the child's peak resident set size, read with wait4 so each
run is measured on its own (RUSAGE_CHILDREN would keep the largest so far).
The build runs in one process; should it ever fork workers, ru_maxrss would
give the largest single process, not their sum, and this must change.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60
TARGET_MB = 1024


def _run(args: list[str]) -> tuple[float, float, float]:
    """Run `python -m pelican.plugins.cabildo ARGS` in the project; return (seconds, CPU seconds, peak MB).

    CPU seconds tell a slow build from a busy machine (other builds and tests
    share the two cores)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "pelican.plugins.cabildo", *args], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"cabildo {' '.join(args)} failed with exit code {child.returncode}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB


def _pages(output: Path) -> int:
    return sum(1 for _ in output.rglob("*.html"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="bench", help="folder for the data and the site")
    parser.add_argument("--scale", default="full", choices=("demo", "full"))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    from tools.demo import generate

    out = Path(args.out).resolve()
    data, output = out / "data", out / "output"
    start = time.perf_counter()
    generate(data, args.scale, args.seed)
    print(f"generated the {args.scale} dataset into {data} "
          f"({time.perf_counter() - start:.1f} s)")

    shutil.rmtree(output, ignore_errors=True)  # the first build is cold
    build = ["build", "--quiet", "--data", str(data), "--output", str(output)]
    rows = []
    pages_only = ["--set", "CABILDO_BULLETINS=false", "--set", "CABILDO_SEARCH=false"]
    for label, extra in (("cold", []), ("unchanged", []), ("pages", pages_only),
                         ("no maps", pages_only + ["--set", "CABILDO_MAPS=false"])):
        if label in ("pages", "no maps"):
            shutil.rmtree(output, ignore_errors=True)
        seconds, cpu, mb = _run(build + extra)
        pages = _pages(output)
        rows.append((label, pages, seconds, pages / seconds, cpu, mb))
    validations = [(name, *_run(["validate", "--data", str(folder)]))
                   for name, folder in (("demo", ROOT / "data"), (args.scale, data))]

    head = f"{'seconds':>8} {'pages/s':>8} {'CPU s':>8} {'peak MB':>8}"
    print(f"\n{'build':<10} {'pages':>6} {head}")
    for label, pages, seconds, rate, cpu, mb in rows:
        print(f"{label:<10} {pages:>6} {seconds:>8.1f} {rate:>8.0f} {cpu:>8.1f} {mb:>8.0f}")
    print(f"\n{'validate':<10} {'':>6} {head.replace('pages/s', '       ')}")
    for name, seconds, cpu, mb in validations:
        print(f"{name:<10} {'':>6} {seconds:>8.2f} {'':>8} {cpu:>8.2f} {mb:>8.0f}")

    # The maps' cost, measured on the pages alone (bulletins and search indexing vary more
    # from run to run than the maps cost).
    maps_cpu = rows[2][4] - rows[3][4]
    print(f"\nmaps: {maps_cpu:.1f} CPU s, {100 * maps_cpu / rows[3][4]:.0f}% over the pages built "
          "without maps (target: at most 20%; CPU time, since other work shares the cores)")
    _, _, cold_seconds, _, _, cold_mb = rows[0]
    if cold_seconds > TARGET_SECONDS or cold_mb > TARGET_MB:
        print(f"\nFAIL: the cold build must take under {TARGET_SECONDS} s and "
              f"{TARGET_MB} MB", file=sys.stderr)
        return 1
    print(f"\nOK: cold build under {TARGET_SECONDS} s and {TARGET_MB} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
