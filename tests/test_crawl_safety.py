"""Never miss a case: kill -9 at many points, failing servers, bad links, two crawls at once.

Real crawls in child processes (as `regwatch crawl` runs) against local servers with fixed URLs;
the clock is pinned (REGWATCH_NOW) so the demo's dates stay inside the crawl window.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regwatch.app.demo import DEMO_DIR, DemoServer, write_demo_sources
from regwatch.storage.db import make_engine, upgrade_schema
from regwatch.storage.models import Article, CaseReport, CrawlRun, PendingArticle

NOW = "2026-11-27T12:00:00+08:00"
EXPECTED = yaml.safe_load((DEMO_DIR / "expected.yaml").read_text(encoding="utf-8"))
DEMO_SOURCES = ["secrss", "cac-wxfb", "sh-wxsh", "wx-wangxinzhongguo", "wx-xianwangjing"]  # mps is blocked by design
#: Delays (s) after which a crawl is killed: before the spiders open, while lists and articles load, near the end.
#: When to kill a crawl, as fractions of how long a whole crawl takes on this machine (measured first).
KILL_POINTS = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.9, 0.95]


def regwatch(config: Path, *args: str, now: str = NOW, mark: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGWATCH_CONFIG": str(config), "REGWATCH_NOW": now, "REGWATCH_TEST_MARK": mark}
    return subprocess.run([sys.executable, "-m", "regwatch.app.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def write_config(tmp: Path, sources: Path | list[dict[str, Any]], database_url: str | None = None, **crawl: Any) -> Path:
    if isinstance(sources, list):
        path = tmp / "sources.yaml"
        path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
        sources = path
    url = database_url or f"sqlite:///{tmp / 'rw.db'}"
    config = tmp / "regwatch.yaml"
    config.write_text(yaml.safe_dump({"database_url": url, "sources_file": str(sources), "digest_dir": str(tmp / "digests"),
                                      "crawl": {"download_delay": 0, "concurrent_per_domain": 4, **crawl}}), encoding="utf-8")
    upgrade_schema(make_engine(url))
    return config


def processes_marked(mark: str) -> list[int]:
    """Live (not zombie) processes whose environment holds ``REGWATCH_TEST_MARK=mark``."""
    needle = f"REGWATCH_TEST_MARK={mark}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        found.append(int(entry))
    return found


def path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def stored_paths(engine) -> list[str]:
    with Session(engine) as s:
        return [path_of(u) for u in s.scalars(select(Article.url))]


@pytest.fixture(scope="module")
def demo_server():
    with DemoServer() as server:  # one server, one port: the URLs stay the same across every crawl
        yield server


def check_complete(engine) -> None:
    """Every demo article stored exactly once, each enforcement article with its cases, no run left running."""
    expected = [e for e in EXPECTED if e["source"] != "mps"]
    assert sorted(stored_paths(engine)) == sorted(e["path"] for e in expected)
    with Session(engine) as s:
        reports = {path_of(url): n for url, n in s.execute(
            select(Article.url, func.count(CaseReport.id)).outerjoin(CaseReport, CaseReport.article_id == Article.id)
            .group_by(Article.url)).all()}
        assert s.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.status == "running")) == 0
        assert s.scalar(select(func.count()).select_from(PendingArticle)) == 0
    for entry in expected:
        assert reports[entry["path"]] == entry["cases"], entry["path"]


def test_kill_9_at_any_moment_loses_nothing(tmp_path, demo_server):
    """kill -9 of `regwatch crawl` at many points, then a normal crawl: nothing lost, no process left."""
    kills = lost = leftovers = 0
    at_kill: list[int] = []  # articles stored when the crawl was killed
    timing = tmp_path / "timing"
    timing.mkdir()
    started = time.monotonic()
    whole = regwatch(write_config(timing, write_demo_sources(demo_server.base_url, timing / "sources.yaml")),
                     "crawl", "-q", *sum((["--source", s] for s in DEMO_SOURCES), []))
    assert whole.returncode == 0, whole.stdout + whole.stderr
    duration = time.monotonic() - started
    for delay in [round(duration * point, 2) for point in KILL_POINTS]:
        work = tmp_path / f"kill-{delay}"
        work.mkdir()
        config = write_config(work, write_demo_sources(demo_server.base_url, work / "sources.yaml"))
        mark = uuid.uuid4().hex
        env = {**os.environ, "REGWATCH_CONFIG": str(config), "REGWATCH_NOW": NOW, "REGWATCH_TEST_MARK": mark}
        args = [sys.executable, "-m", "regwatch.app.cli", "crawl", "-q", *sum((["--source", s] for s in DEMO_SOURCES), [])]
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        engine = make_engine(f"sqlite:///{work / 'rw.db'}")
        at_kill.append(len(stored_paths(engine)))
        deadline = time.monotonic() + 15
        while processes_marked(mark) and time.monotonic() < deadline:
            time.sleep(0.2)
        leftovers += len(processes_marked(mark))
        again = regwatch(config, "crawl", "-q", *sum((["--source", s] for s in DEMO_SOURCES), []))
        assert again.returncode == 0, again.stdout + again.stderr
        expected = {e["path"] for e in EXPECTED if e["source"] != "mps"}
        lost += len(expected - set(stored_paths(engine)))
        check_complete(engine)
        with Session(engine) as s:
            statuses = [r.status for r in s.scalars(select(CrawlRun).order_by(CrawlRun.id))]
        assert "running" not in statuses
        engine.dispose()
    print(f"whole crawl {duration:.1f}s; kills tried {kills}, articles lost {lost}, processes left behind {leftovers}; "
          f"stored at each kill: {at_kill}")
    assert kills >= len(KILL_POINTS) - 3, "the crawl ended before most kills: the kill points are too late"
    assert lost == 0 and leftovers == 0


def test_a_killed_run_is_closed_as_interrupted(tmp_path, demo_server):
    config = write_config(tmp_path, write_demo_sources(demo_server.base_url, tmp_path / "sources.yaml"))
    env = {**os.environ, "REGWATCH_CONFIG": str(config), "REGWATCH_NOW": NOW}
    proc = subprocess.Popen([sys.executable, "-m", "regwatch.app.cli", "crawl", "-q", "--source", "secrss"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = make_engine(f"sqlite:///{tmp_path / 'rw.db'}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once its run is recorded as running
        with Session(engine) as s:
            if s.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.status == "running")):
                break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert regwatch(config, "crawl", "-q", "--source", "sh-wxsh").returncode == 0
    with Session(engine) as s:
        runs = {r.source_id: r for r in s.scalars(select(CrawlRun))}
    assert runs["secrss"].status == "interrupted" and runs["secrss"].finished_at is not None
    assert runs["sh-wxsh"].status == "ok"


class FlakySite:
    """A local site of fixed pages: ``fail[path] = n`` answers 503 to the first n requests of ``path``."""

    def __init__(self, pages: dict[str, str]):
        self.pages = pages
        self.fail: dict[str, int] = {}
        self.hits: list[tuple[str, int]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                path = self.path
                if path == "/robots.txt":
                    return self._send(HTTPStatus.OK, b"User-agent: *\nDisallow:\n")
                if site.fail.get(path, 0) > 0:
                    site.fail[path] -= 1
                    return self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"busy")
                if path not in site.pages:
                    return self._send(HTTPStatus.NOT_FOUND, b"not found")
                body = site.pages[path].encode()
                etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(HTTPStatus.NOT_MODIFIED, b"", etag)
                self._send(HTTPStatus.OK, body, etag)

            def _send(self, status: HTTPStatus, body: bytes, etag: str | None = None) -> None:
                site.hits.append((self.path, int(status)))
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def article_page(n: int) -> str:
    return (f"<html><head><title>第{n}篇</title></head><body><h1>第{n}篇通报</h1><div class='body'><p>"
            f"某市网信办依法对某科技有限公司作出行政处罚，第{n}号案件，责令改正并罚款{n}万元。该公司未履行数据安全保护义务。"
            "</p></div></body></html>")


def list_page(links: list[str]) -> str:
    items = "".join(f"<li><a href='{href}'>条目</a><span class='date'>2026-11-20</span></li>" for href in links)
    return f"<html><body><ul class='news'>{items}</ul></body></html>"


def flaky_source(site: FlakySite) -> list[dict[str, Any]]:
    return [{"id": "flaky", "name": "flaky", "kind": "listpage", "authority": "网信", "start_urls": [f"{site.base_url}/list.html"],
             "options": {"list_item": "ul.news li", "date": ".date::text", "body": "div.body"}}]


@pytest.fixture
def flaky_site():
    site = FlakySite({"/list.html": list_page(["/a/1.html", "/a/2.html", "/a/3.html"]),
                      **{f"/a/{n}.html": article_page(n) for n in (1, 2, 3)}})
    yield site
    site.close()


def test_an_article_that_fails_arrives_on_a_later_run(tmp_path, flaky_site):
    flaky_site.fail["/a/2.html"] = 3  # Scrapy retries twice: the whole first run sees 503
    config = write_config(tmp_path, flaky_source(flaky_site))
    engine = make_engine(f"sqlite:///{tmp_path / 'rw.db'}")

    first = regwatch(config, "crawl", "-q")
    assert first.returncode == 3 and "HTTP 503" in first.stdout and "kept for retry" in first.stdout, first.stdout
    assert first.stderr == ""
    assert sorted(stored_paths(engine)) == ["/a/1.html", "/a/3.html"]
    with Session(engine) as s:
        (pending,) = s.scalars(select(PendingArticle)).all()
        assert pending.url.endswith("/a/2.html") and pending.attempts == 1 and "HTTP 503" in pending.reason

    soon = regwatch(config, "crawl", "-q", now="2026-11-27T12:01:00+08:00")  # backoff not over: not retried yet
    assert soon.returncode == 0, soon.stdout
    assert ("/a/2.html", 200) not in flaky_site.hits

    later = regwatch(config, "crawl", "-q", now="2026-11-27T14:00:00+08:00")
    assert later.returncode == 0, later.stdout
    assert sorted(stored_paths(engine)) == ["/a/1.html", "/a/2.html", "/a/3.html"]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(PendingArticle)) == 0


def test_an_article_failing_every_time_is_given_up_visibly(tmp_path, flaky_site):
    flaky_site.fail["/a/3.html"] = 10_000
    config = write_config(tmp_path, flaky_source(flaky_site), retry_attempts=2, retry_backoff_seconds=60)
    assert regwatch(config, "crawl", "-q").returncode == 3
    last = regwatch(config, "crawl", "-q", now="2026-11-27T13:00:00+08:00")
    assert last.returncode == 3 and "gave up on 1 article" in last.stdout, last.stdout
    listing = regwatch(config, "sources", "list").stdout
    assert "1 article(s) given up" in listing
    hits = len(flaky_site.hits)
    assert regwatch(config, "crawl", "-q", now="2026-11-28T13:00:00+08:00").returncode == 0
    assert ("/a/3.html", 503) not in flaky_site.hits[hits:]  # given up: not fetched again


def test_a_list_page_rests_once_its_failed_article_is_recorded(tmp_path, flaky_site):
    """Recorded as pending (here: given up at once) counts as handled: the list page may answer 304."""
    flaky_site.fail["/a/2.html"] = 3
    config = write_config(tmp_path, flaky_source(flaky_site), retry_attempts=1)
    assert regwatch(config, "crawl", "-q").returncode == 3
    flaky_site.hits.clear()
    assert regwatch(config, "crawl", "-q").returncode == 0
    assert ("/list.html", 304) in flaky_site.hits and not any(p.startswith("/a/") for p, _ in flaky_site.hits)


def test_bad_links_are_skipped_and_counted_and_items_are_bounded(tmp_path):
    links = ["javascript:void(0)", "mailto:office@example.org", "http://[::1", "http://127.0.0.1:99999/x", "/a/1.html", "/a/2.html"]
    site = FlakySite({"/list.html": list_page(links), "/a/1.html": article_page(1), "/a/2.html": article_page(2),
                      "/many.html": list_page([f"/m/{n}.html" for n in range(12)]),
                      **{f"/m/{n}.html": article_page(100 + n) for n in range(12)}})
    try:
        sources = flaky_source(site) + [{"id": "many", "name": "many", "kind": "listpage", "authority": "网信",
                                         "start_urls": [f"{site.base_url}/many.html"],
                                         "options": {"list_item": "ul.news li", "body": "div.body"}}]
        config = write_config(tmp_path, sources, max_items_per_page=6)
        proc = regwatch(config, "crawl", "-q")
    finally:
        site.close()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'rw.db'}")
    with Session(engine) as s:
        runs = {r.source_id: r for r in s.scalars(select(CrawlRun))}
    assert runs["flaky"].status == "ok" and runs["flaky"].new_articles == 2
    assert "bad links 4" in runs["flaky"].message  # javascript:, mailto:, malformed host, malformed port
    assert runs["many"].new_articles == 6 and "over the item limit 6" in runs["many"].message
    assert len([p for p, _ in site.hits if p.startswith("/m/")]) == 6


def test_an_unreachable_source_exits_3_with_one_readable_line(tmp_path):
    import socket

    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = write_config(tmp_path, [{"id": "down", "name": "down", "kind": "feed", "authority": "网信",
                                      "start_urls": [f"http://127.0.0.1:{port}/feed.xml"]}])
    for args in (("crawl", "-q"), ("crawl",)):
        proc = regwatch(config, *args)
        assert proc.returncode == 3, proc.stdout + proc.stderr
        (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith("down")]
        assert "error" in line and "connection refused" in line
        assert "Traceback" not in proc.stderr
        if "-q" in args:
            assert proc.stderr == ""
    verbose = regwatch(config, "crawl", "-v")
    assert verbose.returncode == 3 and "Scrapy" in verbose.stderr  # -v: the log is back


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_crawls_at_once_on_one_database(tmp_path, demo_server, backend, request):
    races = tracebacks = 0
    for attempt in range(2 if backend == "sqlite" else 1):  # (one fresh PostgreSQL database per test)
        work = tmp_path / f"race-{attempt}"
        work.mkdir()
        url = f"sqlite:///{work / 'rw.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
        config = write_config(work, write_demo_sources(demo_server.base_url, work / "sources.yaml"), url)
        env = {**os.environ, "REGWATCH_CONFIG": str(config), "REGWATCH_NOW": NOW}
        args = [sys.executable, "-m", "regwatch.app.cli", "crawl", "-q", *sum((["--source", s] for s in DEMO_SOURCES), [])]
        procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
        races += 1
        for p, (out, err) in zip(procs, outs):
            tracebacks += ("Traceback" in err) + ("IntegrityError" in out + err)
            assert p.returncode == 0, out + err
            rows = [ln.split() for ln in out.splitlines()[1:] if ln.strip()]
            assert [r[0] for r in rows] == DEMO_SOURCES  # each process prints its own runs, once each
        engine = make_engine(url)
        check_complete(engine)
        new = {s: 0 for s in DEMO_SOURCES}
        for out, _ in outs:
            for r in (ln.split() for ln in out.splitlines()[1:] if ln.strip()):
                new[r[0]] += int(r[3])
        with Session(engine) as s:
            per_source = dict(s.execute(select(Article.source_id, func.count()).group_by(Article.source_id)).all())
            assert s.scalar(select(func.count()).select_from(CrawlRun)) == 2 * len(DEMO_SOURCES)
        # Every article counted new by exactly one of the two processes (not both, not the other's run).
        assert sum(new.values()) == sum(per_source.values())
        engine.dispose()
    print(f"{backend}: races tried {races}, tracebacks {tracebacks}")
    assert tracebacks == 0
