"""Memory of a long-running ``regwatch daemon``: its RSS over many crawl cycles against the demo server.

Starts the demo server and the real daemon (a child process, as an operator runs it) with every
demo source on ``schedule: 1s``, waits until ``--cycles`` crawls have finished (each one a child
process of the daemon), and prints the daemon's RSS (from /proc, the daemon alone, not its crawl
children) after the first cycles and at the end. Goal: growth under 10 MB over 200 cycles.

Usage: python benchmarks/bench_daemon.py [--cycles 200] [--parallel 2]
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regwatch.app.demo import DemoServer, write_demo_sources
from regwatch.storage.db import make_engine, upgrade_schema
from regwatch.storage.models import CrawlRun

WARM_UP_CYCLES = 10


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def finished_crawls(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.finished_at.is_not(None))) or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200, help="crawls to wait for (default 200)")
    parser.add_argument("--parallel", type=int, default=2, help="daemon.max_parallel_crawls (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name, DemoServer() as server:
        tmp = Path(tmp_name)
        sources = write_demo_sources(server.base_url, tmp / "sources.yaml")
        data = yaml.safe_load(sources.read_text(encoding="utf-8"))
        data["sources"] = [dict(s, schedule="1s") for s in data["sources"]]
        sources.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        url = f"sqlite:///{tmp / 'rw.db'}"
        config = tmp / "regwatch.yaml"
        config.write_text(yaml.safe_dump({
            "database_url": url, "sources_file": str(sources), "digest_dir": str(tmp / "digests"),
            "log_level": "WARNING", "crawl": {"download_delay": 0, "concurrent_per_domain": 4},
            "daemon": {"jitter_seconds": 0, "max_parallel_crawls": args.parallel, "outbox_every": "5s"}}),
            encoding="utf-8")
        engine = make_engine(url)
        upgrade_schema(engine)
        log = (tmp / "daemon.log").open("wb")
        began = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "regwatch", "--config", str(config), "daemon"],
                                stdout=log, stderr=subprocess.STDOUT)
        samples: list[tuple[int, float]] = []
        try:
            last = -1
            while (done := finished_crawls(engine)) < args.cycles:
                if proc.poll() is not None:
                    sys.exit(f"the daemon exited ({proc.returncode}):\n{(tmp / 'daemon.log').read_text()[-3000:]}")
                if done != last:
                    samples.append((done, rss_mb(proc.pid)))
                    if done % 20 == 0 or done < 5:
                        print(f"  {done:4} crawls  daemon RSS {samples[-1][1]:6.1f} MB", flush=True)
                    last = done
                time.sleep(0.5)
            samples.append((done, rss_mb(proc.pid)))
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=120)
        elapsed = time.monotonic() - began
        warm = next(mb for n, mb in samples if n >= WARM_UP_CYCLES)
        peak = max(mb for _, mb in samples)
        final = samples[-1][1]
        print(f"daemon over {samples[-1][0]} crawl cycles ({elapsed:.0f} s, {args.parallel} in parallel, exit {code}):")
        print(f"  RSS after {WARM_UP_CYCLES} cycles {warm:.1f} MB, at the end {final:.1f} MB, peak {peak:.1f} MB")
        print(f"  growth {final - warm:+.1f} MB (goal: under 10 MB)")


if __name__ == "__main__":
    main()
