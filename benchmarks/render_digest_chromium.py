"""Render the demo's digest in headless Chromium (phone and desktop widths) and print where the PNGs are.

Usage: python benchmarks/render_digest_chromium.py [OUT_DIR]
Needs `chromium` (Debian: apt-get install -y chromium). Runs the demo crawl into a temporary
folder, writes the digest files, then screenshots the HTML at 390 px (a phone) and 1024 px.
Look at the pictures: the overview first, cases under their article, flags, statutes in words.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def screenshot(html: Path, png: Path, width: int, height: int = 2400) -> float:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found (apt-get install -y chromium)")
    started = time.perf_counter()
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={png}", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="regwatch-digest-"))
    out.mkdir(parents=True, exist_ok=True)
    work = out / "demo"
    subprocess.run([sys.executable, "-m", "regwatch", "demo", "--fresh", "--workdir", str(work), "-q"], check=True,
                   capture_output=True, timeout=600)
    html = sorted((work / "digests").glob("digest-*.html"))[-1]
    print(f"digest: {html} ({html.stat().st_size} bytes)")
    for name, width in (("phone", 390), ("desktop", 1024)):
        png = out / f"digest-{name}.png"
        took = screenshot(html, png, width)
        print(f"{name:8} {width:5} px  {png}  ({took:.1f} s)")


if __name__ == "__main__":
    main()
