"""The bundled demo: a local HTTP server for the snapshot of the sites in ``regwatch/demo/site/``.

The server imitates what the spiders meet on the real sites: static list and article pages
(with ETag / Last-Modified and 304 answers), secrss's JSON list API with cursor paging, WeChat
article URLs (``/mp/s?__biz=…&mid=…&idx=…``), RSS/Atom feeds, and the 公安部 anti-bot challenge
for everything under ``/mps/``. Tests and benchmarks use it too.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from regwatch import clock

from importlib.resources import files

DEMO_DIR = Path(str(files("regwatch.demo")))
SITE_DIR = DEMO_DIR / "site"
PORT_FILE = "demo-port"
SECRSS_PAGE_SIZE = 3
CHALLENGE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script type="text/javascript">var $_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=82417;$_ts.cd="qEjrrqZ";
document.cookie="__jsl_clearance=1700000000.123|0|abc; path=/";window.location.reload();</script>
</head><body><noscript>请开启JavaScript并刷新该页</noscript></body></html>"""


class DemoServer:
    """Serves ``root`` on 127.0.0.1 in a background thread; ``base_url`` once started."""

    def __init__(self, root: Path = SITE_DIR, port: int = 0):
        self.root = Path(root)
        #: (path with query, HTTP status) of every request served, in order.
        self.hits: list[tuple[str, int]] = []
        handler = type("Handler", (_Handler,), {"site": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "DemoServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    site: DemoServer
    server_version = "regwatch-demo/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites do

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        if path.startswith("/mps/"):
            return self._send(HTTPStatus.PRECONDITION_FAILED, CHALLENGE_PAGE.encode(), "text/html; charset=utf-8")
        if path == "/secrss/api/articles":
            return self._json(self._secrss_list(query))
        if path == "/secrss/api/articles/group":
            return self._json(self._secrss_group(query))
        if path.startswith("/secrss/articles/"):
            path += ".html"
        if path.endswith("/s") and "__biz" in query:
            key = "_".join(query.get(k, [""])[0] for k in ("__biz", "mid", "idx"))
            path = f"/mp/{key}.html"
        self._file(path)

    def _file(self, path: str) -> None:
        target = (self.site.root / path.lstrip("/")).resolve()
        if self.site.root.resolve() not in target.parents or not target.is_file():
            return self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
        body = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".xml", ".json"):
            body = body.replace(b"{{BASE}}", self.site.base_url.encode())
            ctype = "application/xml" if target.suffix == ".xml" else "application/json; charset=utf-8"
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = formatdate(target.stat().st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            return self._send(HTTPStatus.NOT_MODIFIED, b"", None, {"ETag": etag, "Last-Modified": modified})
        self._send(HTTPStatus.OK, body, ctype, {"ETag": etag, "Last-Modified": modified})

    def _secrss_items(self) -> list[dict[str, Any]]:
        path = self.site.root / "secrss" / "articles.json"
        items = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        return sorted(items, key=lambda i: i["published_at"], reverse=True)

    def _secrss_list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        cursor = query.get("lastPublishedAt", ["9999"])[0]
        tag = query.get("tag", [None])[0]
        items = [i for i in self._secrss_items() if i["published_at"] < cursor
                 and (tag is None or tag in [t.get("title") for t in i.get("tags", [])])]
        return {"code": "10000", "msg": "操作成功", "data": items[:SECRSS_PAGE_SIZE]}

    def _secrss_group(self, query: dict[str, list[str]]) -> dict[str, Any]:
        author = query.get("author", [""])[0]
        rows = [{**i, "url": f"{self.site.base_url}/secrss/articles/{i['id']}"} for i in self._secrss_items()
                if author in (i.get("author"), i.get("source_author"))]
        return {"code": "10000", "msg": "操作成功", "data": {"list": rows}}

    def _json(self, payload: dict[str, Any]) -> None:
        self._send(HTTPStatus.OK, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, ctype: str | None, headers: dict[str, str] | None = None) -> None:
        self.site.hits.append((self.path, int(status)))
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET


def captured_at() -> datetime:
    """The instant the snapshot was captured (``regwatch/demo/snapshot.yaml``)."""
    raw = yaml.safe_load((DEMO_DIR / "snapshot.yaml").read_text(encoding="utf-8"))
    return clock.parse_instant(str(raw["captured_at"]))


def demo_port(workdir: Path, requested: int, fresh: bool) -> int:
    """The port of this workdir's demo server: the one recorded by its first run, so its URLs
    (and canonical article identities) stay the same from run to run; 0 picks a free one."""
    recorded = workdir / PORT_FILE
    if requested or fresh or not recorded.is_file():
        return requested
    try:
        return int(recorded.read_text().strip())
    except ValueError:
        return 0


def record_port(workdir: Path, port: int) -> None:
    (workdir / PORT_FILE).write_text(f"{port}\n")


def write_demo_sources(base_url: str, out: Path, template: Path = DEMO_DIR / "sources.yaml") -> Path:
    """The demo's sources file with the server's address filled in."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(template.read_text(encoding="utf-8").replace("{{BASE}}", base_url), encoding="utf-8")
    return out
