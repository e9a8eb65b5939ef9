"""Benchmark: print every bulletin of one cycle (the 17 parishes and the municipal summary)
and print the figures. Not a test: run it again whenever the layout or the data grows.

    .venv/bin/python tests/bench_bulletins.py                 # the demo data, newest cycle
    .venv/bin/python tests/bench_bulletins.py --data bench/data --workers 1

Prints the seconds to print the cycle (wall clock and CPU, so that a busy machine can
be told from a slow program), and each bulletin's pages and size, against the targets:
the cycle in under 30 s on two cores, each bulletin at most 4 A4 pages and under 1 MB.
Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS, TARGET_PAGES, TARGET_BYTES = 30, 4, 1_000_000


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT / "data"))
    parser.add_argument("--year", type=int, default=None, help="default: the newest cycle")
    parser.add_argument("--lang", default=None, help="default: the municipality's first")
    parser.add_argument("--workers", type=int, default=0, help="0: one per core")
    parser.add_argument("--out", default=None, help="also write the PDFs under this folder")
    args = parser.parse_args(argv)

    from pypdf import PdfReader

    from cabildo.model.load import load_dataset
    from cabildo.model.settings import read as read_settings
    from cabildo.outputs import bulletins
    from cabildo.views.stats import Index

    start = time.perf_counter()
    data = load_dataset(Path(args.data))
    index = Index(data)
    loaded = time.perf_counter() - start
    year = args.year or data.current_year
    lang = args.lang or data.municipality.languages[0]
    cabildo = read_settings({})
    edition = bulletins.Edition.of(data, ROOT, "https://example.org", "A4", True)
    jobs = bulletins.plan(data, [year], [lang])

    start, cpu = time.perf_counter(), cpu_seconds()
    printer = bulletins.Printer(cabildo, data.municipality, edition)
    pdfs = bulletins.render_all(index, printer, jobs, args.workers)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    if args.out:
        bulletins.write(Path(args.out), pdfs)

    workers = min(args.workers or os.cpu_count() or 1, len(jobs))
    print(f"data: {args.data} (loaded in {loaded:.1f} s), cycle {year}, language {lang}")
    print(f"\n{'bulletin':<44} {'pages':>5} {'KB':>6} {'funded':>6}")
    worst_pages = worst_bytes = 0
    for job in jobs:
        pdf = pdfs[job.path]
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        funded = (len(index.parish_cycle(year, job.parish_id).funded) if job.parish_id
                  else len(index.cycles[year].funded))
        worst_pages, worst_bytes = max(worst_pages, pages), max(worst_bytes, len(pdf))
        print(f"{job.path:<44} {pages:>5} {len(pdf) / 1000:>6.0f} {funded:>6}")
    print(f"\n{len(jobs)} bulletins in {seconds:.1f} s on {workers} worker(s) "
          f"({cpu:.1f} CPU s, {seconds / len(jobs):.2f} s each); "
          f"at most {worst_pages} pages and {worst_bytes / 1000:.0f} KB")
    missed = []
    if seconds > TARGET_SECONDS:
        missed.append(f"the cycle took {seconds:.1f} s (target {TARGET_SECONDS} s)")
    if worst_pages > TARGET_PAGES:
        missed.append(f"a bulletin has {worst_pages} pages (target {TARGET_PAGES})")
    if worst_bytes >= TARGET_BYTES:
        missed.append(f"a bulletin weighs {worst_bytes} bytes (target under 1 MB)")
    for line in missed:
        print(f"MISSED: {line}", file=sys.stderr)
    if not missed:
        print(f"OK: under {TARGET_SECONDS} s, at most {TARGET_PAGES} pages, under 1 MB each")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
