"""`python -m bench [part ...]`: run every part (roundtrips, latency, imports, coldstart, codes, reports, overview, hotcode...) or
the named ones, then print the summary table. Options: --n (latency calls per operation), --repeat (import and
cold-start samples),
--count (codes), --conversions (reports), --stock-moto (latency and codes against unpatched moto; see
bench/motopatch.py)."""

from __future__ import annotations

import argparse
import datetime
import sys
import time

from bench import common

PARTS = (
    "roundtrips",
    "latency",
    "imports",
    "coldstart",
    "codes",
    "reports",
    "overview",
    "referrals",
    "loyalty",
    "messages",
    "events",
    "hotcode",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("parts", nargs="*", choices=[*PARTS, []], help="default: all")
    parser.add_argument("--n", type=int, default=300, help="latency: calls per operation (default 300)")
    parser.add_argument(
        "--repeat", type=int, default=7, help="imports, coldstart: fresh processes per module or function (default 7)"
    )
    parser.add_argument("--count", type=int, default=100_000, help="codes: how many (default 100,000)")
    parser.add_argument(
        "--conversions", type=int, default=100_000, help="reports: conversions seeded (default 100,000)"
    )
    parser.add_argument("--stock-moto", action="store_true", help="use moto without bench.motopatch")
    args = parser.parse_args(argv)
    parts = args.parts or list(PARTS)
    print(f"Passaparola benchmarks, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {common.machine()}")
    started = time.perf_counter()
    for part in PARTS:
        if part in parts:
            module = __import__(f"bench.{part}", fromlist=["run"])
            t0 = time.perf_counter()
            module.run(args)
            print(f"  ({part}: {time.perf_counter() - t0:.0f}s)")
    common.print_summary()
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
