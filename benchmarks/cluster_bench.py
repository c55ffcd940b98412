"""Benchmark a build on Dask against the local process pool: wall time and peak memory of the whole process tree.

    python benchmarks/cluster_bench.py --mirror MIRROR/syria                 # every article of the mirror
    python benchmarks/cluster_bench.py --mirror MIRROR/syria --count 300     # the oldest 300

The mirror is read once, here, and the oldest ``--count`` articles kept as an
edition grouped by year (pickled to a file). Each mode then writes that edition's PDF
in a fresh child process, without the cache: ``pool`` with the local render pool
(``--jobs``, all cores by default), ``cluster-1`` and ``cluster-2`` on a Dask
LocalCluster of one and two worker processes (``--scheduler local:N``), which the
child starts and stops (both counted). Reading on a cluster is left out of the
figures: its cache keys hash deeplybook's code, and a read is the same work wherever
it runs.

This process samples the resident memory of the child and all its descendants (the
render workers; the cluster's nannies, workers and, inside the child, its scheduler)
every 50 ms: "peak" is the largest total the whole tree held at once. The last line
gives each cluster mode's cost as a ratio to the pool's; the PDFs' bytes are compared.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure as measure_tools  # noqa: E402  (a sibling module, not a package)

MODES = {"pool": None, "cluster-1": "local:1", "cluster-2": "local:2"}


def run_child(args: argparse.Namespace) -> None:
    """Write the PDF in one mode; print the stages' seconds and the PDF's digest as JSON."""
    from deeplybook import engines
    from deeplybook.cache import code_fingerprint
    from deeplybook.themes import load
    from deeplybook.writers.pdf import theme_fingerprint, write_pdf

    edition = pickle.loads(Path(args.edition).read_bytes())
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with engines.engine(MODES[args.child]) as engine:
        timings["start"] = time.perf_counter() - started
        mark = time.perf_counter()
        write_pdf(edition, args.out, jobs=args.jobs)
        timings["pdf"] = time.perf_counter() - mark
        workers = engine.workers if engine.distributed else args.jobs or os.cpu_count()
        mark = time.perf_counter()
    timings["stop"] = time.perf_counter() - mark
    digest = hashlib.sha256(Path(args.out).read_bytes()).hexdigest()
    # What the book's bytes depend on besides the edition: a checkout edited between two
    # modes makes other bytes for that reason alone.
    made_by = code_fingerprint() + theme_fingerprint(load("default"))
    print(json.dumps({**timings, "articles": len(edition.articles), "workers": workers, "digest": digest,
                      "made_by": made_by}))


def _edition(mirror: Path, count: int):
    """The oldest ``count`` articles of the mirror (all for 0) as an edition grouped by year; the seconds it took."""
    import deeplybook

    started = time.perf_counter()
    everything = deeplybook.make_edition(deeplybook.read([mirror], cache=True), title="Syria Deeply")
    chosen = everything.articles[:count] if count else everything.articles
    return deeplybook.make_edition(chosen, title="Syria Deeply", group_by=["year"]), time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True, help="a News Deeply site folder (mirror/syria)")
    parser.add_argument("--count", type=int, default=0, help="the oldest COUNT articles only (default: all)")
    parser.add_argument("--jobs", type=int, help="processes of the local pool (default: all cores)")
    parser.add_argument("--modes", default=",".join(MODES), help="which builds to run, comma separated")
    parser.add_argument("--child", choices=tuple(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--edition", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args)
        return

    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as folder:
        work = Path(folder)
        edition, seconds = _edition(args.mirror, args.count)
        (work / "edition.pickle").write_bytes(pickle.dumps(edition))
        size = f"the oldest {args.count} articles" if args.count else "every article"
        print(f"Cluster benchmark: {size} of {args.mirror.name} ({len(edition.articles)}, read in {seconds:.0f} s), "
              f"{os.cpu_count()} cores")
        # One build time for every mode, so that their PDFs can be compared byte for byte.
        env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1700000000")}
        results = {}
        for mode in args.modes.split(","):
            command = [sys.executable, __file__, "--mirror", str(args.mirror), "--child", mode,
                       "--out", str(work / f"{mode}.pdf"), "--edition", str(work / "edition.pickle")]
            if args.jobs:
                command += ["--jobs", str(args.jobs)]
            measured = measure_tools.run(command, env=env, quiet=True)
            figures = json.loads(measured.stdout.strip().splitlines()[-1])
            results[mode] = (measured, figures)
            print(f"  {mode:10} {figures['workers']} workers  {measured.seconds:6.1f} s wall "
                  f"(cluster start {figures['start']:4.1f}, PDF {figures['pdf']:6.1f}, "
                  f"cluster stop {figures['stop']:4.1f})  peak {measured.peak_mb:6.0f} MB  {figures['articles']} articles")
        if "pool" in results:
            base, base_figures = results["pool"]
            for mode, (measured, figures) in results.items():
                if mode != "pool":
                    same = ("same bytes" if figures["digest"] == base_figures["digest"] else
                            "other bytes: deeplybook or its theme changed between the runs"
                            if figures["made_by"] != base_figures["made_by"] else "OTHER BYTES")
                    print(f"  {mode} / pool: wall x{measured.seconds / base.seconds:.2f}, "
                          f"PDF x{figures['pdf'] / base_figures['pdf']:.2f}, "
                          f"peak memory x{measured.peak_mb / base.peak_mb:.2f}; {same}")


if __name__ == "__main__":
    main()
