"""Export speed and memory: ``regwatch export`` of 100,000 cases to CSV and to XLSX.

Fills a fresh database (SQLite by default, or ``--db URL``) with ``--cases`` cases (every tenth
reported by a second outlet, some with hostile titles), then times ``export_cases`` for one
period holding all of them and samples this process's RSS while it runs. Goal: CSV under 5 s,
memory flat (the rows are streamed, not collected).

Usage: python benchmarks/bench_export.py [--cases 100000] [--db postgresql://…/bench]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from regwatch import clock
from regwatch.reports.export import export_cases
from regwatch.storage.case_query import CaseFilter
from regwatch.storage.db import make_engine, upgrade_schema
from regwatch.storage.models import Article, Case, CaseReport, Source

CHUNK = 5000
FIRST_DAY = date(2024, 1, 1)
INDUSTRIES = ("金融", "互联网", "医疗卫生", "教育培训", "交通运输", "生活服务")
PROVINCES = ("北京", "上海", "浙江", "广东", "江苏", "四川")


def populate(engine, n: int) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    with engine.begin() as conn:
        conn.execute(insert(Source), [{"id": "cac", "name": "中国网信网", "kind": "cac", "authority": "网信", "enabled": True,
                                       "updated_at": now},
                                      {"id": "secrss", "name": "安全内参", "kind": "secrss", "authority": "媒体",
                                       "enabled": True, "updated_at": now}])
    extra = n // 10
    for start in range(0, n + extra, CHUNK):
        stop = min(start + CHUNK, n + extra)
        articles, cases, reports = [], [], []
        for i in range(start, stop):
            day = clock.local_midnight(FIRST_DAY + timedelta(days=i % 180))
            title = f"=HYPERLINK(\"x\",\"{i}\")" if i % 997 == 0 else f"某{INDUSTRIES[i % 6]}企业违法处理个人信息案 {i}"
            articles.append({"id": i + 1, "canonical_url": f"https://example.org/a/{i}", "url": f"https://example.org/a/{i}",
                             "source_id": "cac" if i < n else "secrss", "title": title, "published_at": day,
                             "fetched_at": now, "updated_at": now, "text": "", "content_hash": f"h{i}", "raw_size": 0,
                             "status": "classified", "is_enforcement": True, "reasons": []})
            if i < n:
                cases.append({"id": i + 1, "article_id": i + 1, "position": 0, "fingerprint": f"f{i}", "published_at": day,
                              "created_at": now, "updated_at": now, "summary": "", "industry": INDUSTRIES[i % 6],
                              "subject": ["政企机构"], "nature": ["建设运维管理疏失"], "impact": ["公众利益"],
                              "statutes": ["个人信息保护法:51", "个人信息保护法:66"], "responsibility": "未履行安全保护义务",
                              "domain": "个人信息", "authority": "网信", "province": PROVINCES[i % 6],
                              "penalties": ["罚款", "责令改正"], "fine_org_yuan": 10_000 * (i % 50),
                              "fine_person_yuan": [20_000] if i % 7 == 0 else [], "one_case_two_checks": i % 11 == 0,
                              "insider": i % 13 == 0, "keywords": []})
                reports.append({"case_id": i + 1, "article_id": i + 1, "position": 0})
            else:  # a second outlet reporting case (i - n) * 10
                reports.append({"case_id": (i - n) * 10 + 1, "article_id": i + 1, "position": 0})
        with engine.begin() as conn:
            conn.execute(insert(Article), articles)
            if cases:
                conn.execute(insert(Case), cases)
            conn.execute(insert(CaseReport), reports)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed_export(engine, flt: CaseFilter, out: Path) -> tuple[int, float, float, float]:  # type: ignore[no-untyped-def]
    """(rows, wall seconds, CPU seconds of this process, peak RSS growth in MB while exporting).

    CPU seconds say what the export costs on a busy machine (wall time there includes waiting for
    a core); with PostgreSQL the server's own work is not in them.
    """
    base, peak, running = rss_mb(), [0.0], [True]

    def sample() -> None:
        while running[0]:
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    began, cpu = time.perf_counter(), time.process_time()
    rows = export_cases(engine, flt, out)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    running[0] = False
    sampler.join()
    return rows, seconds, cpu, max(peak[0], rss_mb()) - base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument("--formats", default="csv,xlsx", help="comma-separated (default csv,xlsx)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        engine = make_engine(args.db or f"sqlite:///{tmp / 'bench.db'}")
        upgrade_schema(engine)
        began = time.perf_counter()
        populate(engine, args.cases)
        print(f"{args.cases:,} cases stored in {time.perf_counter() - began:.1f} s ({engine.dialect.name})")
        flt = CaseFilter(clock.local_midnight(FIRST_DAY), clock.local_midnight(FIRST_DAY + timedelta(days=181)))
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for suffix in args.formats.split(","):
            out = tmp / f"cases.{suffix}"
            rows, seconds, cpu, grew = timed_export(engine, flt, out)
            print(f"  {suffix:4}: {rows:,} rows in {seconds:.2f} s, CPU {cpu:.2f} s ({rows / seconds:,.0f} rows/s), "
                  f"{out.stat().st_size / 1e6:.1f} MB file, RSS grew {grew:.1f} MB while exporting")
        print("goal: 100,000 cases under 5 s (CSV), memory flat")


if __name__ == "__main__":
    main()
