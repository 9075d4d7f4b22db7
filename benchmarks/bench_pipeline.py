"""The full crawl pipeline over local pages vs bare ``trafilatura.extract`` over the same HTML.

Builds a site of list pages and article pages copied from the demo snapshot (the structure and
chrome of the real sites: 中国网信网, secrss, a GBK provincial site, WeChat), each copy with a
unique text, serves it locally, runs ``regwatch crawl`` on it twice (first crawl, then an
incremental re-run) and prints:

- pipeline pages/s (fetch → extract → dedupe → classify → store, one Scrapy process), once with
  the source's body selector configured and once with trafilatura doing the extraction;
- bare trafilatura pages/s over the same HTML and the ratio pipeline time ÷ bare-extraction time,
  in wall-clock time and in CPU time (the crawl process and its workers ÷ the bare loop; the CPU
  ratio holds on a busy machine, where wall-clock ratios swing with the other load);
- the re-run time as % of the first run.

Usage: python benchmarks/bench_pipeline.py [--pages 2000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

from regwatch.app.demo import DemoServer  # noqa: E402
from regwatch.storage.db import make_engine, upgrade_schema  # noqa: E402

PER_LIST = 20
DEMO_SITE = ROOT / "regwatch" / "demo" / "site"
#: Where the article text starts in each kind of demo page (cac, secrss, GBK provincial, WeChat).
BODY_MARKERS = ("BodyLabel", "article-body", "article-content", "js_content")
BODY_SELECTOR = "#BodyLabel, div.article-body, div.article-content"


def templates() -> list[tuple[bytes, str]]:
    """The demo snapshot's article pages (real site structure and chrome) with their encodings."""
    from regwatch.crawler.extraction import decode_html

    out = []
    for path in sorted(DEMO_SITE.rglob("*.htm*")):
        if "list" in path.name or "index" in path.name:
            continue
        html, enc = decode_html(path.read_bytes(), None)
        out.append((html, enc))
    return out


def variant(html: str, i: int) -> str:
    """A copy of a template whose text differs (a unique file number in the first sentence)."""
    start = max(html.find(m) for m in BODY_MARKERS)
    cut = html.find("。", start)
    return html[:cut] + f"（网信罚〔2026〕{i}号）" + html[cut:] if cut > 0 else html


def build_site(root: Path, pages: int) -> list[Path]:
    """``pages`` article pages made from the demo templates, listed on list pages of PER_LIST items."""
    base = templates()
    (root / "a").mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow:\n", encoding="utf-8")
    files, rows = [], []
    for i in range(pages):
        html, enc = base[i % len(base)]
        path = root / "a" / f"{i}.html"
        path.write_bytes(variant(html, i).encode(enc))
        files.append(path)
        rows.append(f'<li><a href="/a/{i}.html">第{i}篇</a><span class="date">2026-11-{1 + i % 25:02d}</span></li>')
    lists = [rows[k:k + PER_LIST] for k in range(0, len(rows), PER_LIST)]
    for n, chunk in enumerate(lists, start=1):
        nxt = f'<a class="next" href="/list_{n + 1}.html">下一页</a>' if n < len(lists) else ""
        (root / f"list_{n}.html").write_text(f"<html><body><ul class='news-list'>{''.join(chunk)}</ul>{nxt}</body></html>",
                                             encoding="utf-8")
    return files


CRAWL = """
import sys
from regwatch.config import load_settings
from regwatch.crawler.run import run_crawl
# Politeness waits are switched off: the benchmark measures the pipeline's own cost.
run_crawl(load_settings(sys.argv[1]), scrapy_overrides={"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 16})
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl(workdir: Path, base: str, pages: int, selectors: bool) -> tuple[float, float]:
    """Crawl in a child process (as `regwatch crawl` does).

    Returns (the crawl's own duration from its run record, CPU seconds of the crawl process and its workers).
    """
    options = {"list_item": "ul.news-list li", "date": ".date::text", "next_page": "a.next::attr(href)"}
    if selectors:
        options |= {"body": BODY_SELECTOR}
    sources = workdir / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": [{"id": "bench", "name": "bench", "kind": "listpage",
                                                    "start_urls": [f"{base}/list_1.html"], "authority": "网信",
                                                    "options": options}]}, allow_unicode=True), encoding="utf-8")
    config = workdir / "regwatch.yaml"
    config.write_text(yaml.safe_dump({"database_url": f"sqlite:///{workdir / 'bench.db'}", "sources_file": str(sources),
                                      "log_level": "WARNING",
                                      "crawl": {"download_delay": 0, "concurrent_per_domain": 4, "window_days": 3650,
                                                "max_list_pages": pages // PER_LIST + 1}}), encoding="utf-8")
    upgrade_schema(make_engine(f"sqlite:///{workdir / 'bench.db'}"))
    cpu = _children_cpu()
    subprocess.run([sys.executable, "-c", CRAWL, str(config)], check=True, cwd=ROOT)
    cpu = _children_cpu() - cpu
    engine = make_engine(f"sqlite:///{workdir / 'bench.db'}")
    with engine.connect() as conn:
        from sqlalchemy import text
        row = conn.execute(text("SELECT started_at, finished_at, new_articles, status FROM crawl_runs ORDER BY id DESC LIMIT 1")).one()
    from datetime import datetime

    start, end = (datetime.fromisoformat(str(v)) for v in row[:2])
    print(f"    run: status={row[3]} new_articles={row[2]} duration={(end - start).total_seconds():.2f}s cpu={cpu:.2f}s")
    return (end - start).total_seconds(), cpu


def bare_trafilatura(files: list[Path]) -> tuple[float, float]:
    """(wall-clock, CPU) seconds of ``trafilatura.extract`` over the pages."""
    import trafilatura

    from regwatch.crawler.extraction import decode_html

    htmls = [decode_html(f.read_bytes(), None)[0] for f in files]
    trafilatura.extract(htmls[0])
    t0, c0 = time.perf_counter(), time.process_time()
    for html in htmls:
        trafilatura.extract(html)
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        files = build_site(tmp_path / "site", args.pages)
        size = sum(f.stat().st_size for f in files) / len(files)
        print(f"site: {args.pages} article pages, {size / 1024:.1f} KB average, {args.pages // PER_LIST} list pages")
        bare, bare_cpu = bare_trafilatura(files)
        print(f"bare trafilatura.extract: {bare:.2f}s (cpu {bare_cpu:.2f}s), {args.pages / bare:.1f} pages/s")
        with DemoServer(root=tmp_path / "site") as server:
            for selectors in (True, False):
                label = "site selectors" if selectors else "trafilatura extraction"
                work = tmp_path / ("sel" if selectors else "traf")
                work.mkdir()
                print(f"pipeline with {label}:")
                first, first_cpu = crawl(work, server.base_url, args.pages, selectors)
                rerun, _ = crawl(work, server.base_url, args.pages, selectors)
                print(f"  first crawl: {first:.2f}s, {args.pages / first:.1f} pages/s, "
                      f"ratio pipeline/bare trafilatura = {first / bare:.2f} (cpu: {first_cpu / bare_cpu:.2f})")
                print(f"  re-run: {rerun:.2f}s = {100 * rerun / first:.1f}% of the first crawl")


if __name__ == "__main__":
    main()
