"""The digest in a real browser (headless Chromium, skipped when it is not installed): fits a phone screen."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from regwatch.alerts.digest import write_digest_files
from regwatch.storage.repository import ArticleStore
from tests.test_alerts import article, card

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE_WIDTH = 390
MEASURE = """<script>window.addEventListener("load", () => { document.body.insertAdjacentHTML("beforeend",
  `<p id="measure">${document.documentElement.scrollWidth}x${window.innerWidth}</p>`); });</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium)")
def test_the_digest_fits_a_phone_screen_in_chromium(sqlite_url, tmp_path):
    from regwatch.storage.db import make_engine, upgrade_schema

    engine = make_engine(sqlite_url)
    upgrade_schema(engine)
    long_url = "https://news.example/" + "a" * 300
    ArticleStore(engine).save_article(article(1, "某平台" * 30, url=long_url), [
        card("a", summary="（一）" + "很长的案件标题" * 12 + "\n案情" + "x" * 400), card("b")])
    html = write_digest_files(engine, tmp_path / "digests")[0]
    page = tmp_path / "measure.html"
    page.write_text(html.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--window-size={PHONE_WIDTH},800",
                          "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'id="measure">(\d+)x(\d+)<', dom)
    assert found, dom[-500:]
    content_width, viewport = map(int, found.groups())
    assert viewport <= 500  # headless Chromium's narrowest window
    assert content_width <= viewport, (content_width, viewport)  # nothing runs off the side of the screen
