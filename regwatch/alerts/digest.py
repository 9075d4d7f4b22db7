"""Digest files: the cases stored since the previous file digest, as HTML + text in a folder.

The default channel when no alert channel is configured (``regwatch digest``, ``regwatch run``).
The watermark is the highest case id a digest covered (ids only grow), recorded as a ``folder``
delivery after the files are written: a failure can repeat a digest but never lose one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.alerts.render import AlertView, case_views
from regwatch.storage.db import writer
from regwatch.storage.models import Case, Delivery
from regwatch.storage.outbox import SENT, committed_case_watermark

FOLDER_CHANNEL = "folder"
FILE_MODE = 0o644


def last_folder_watermark(session: Session) -> int:
    """The highest case id the last file digest covered (0: none yet)."""
    return session.scalar(select(func.max(Delivery.through_case_id)).where(
        Delivery.channel == FOLDER_CHANNEL, Delivery.state == SENT)) or 0


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, FILE_MODE)  # a digest is for reading, not a secret (mkstemp makes 0600)
    os.replace(tmp, path)


def write_digest_files(engine: Engine, out_dir: Path) -> list[Path]:
    """Write ``digest-<UTC time>.html`` and ``.txt`` of the cases stored since the previous one.

    Returns the files written, or nothing when no case is new.
    """
    until = clock.now()
    with Session(engine) as s, s.begin():
        through = committed_case_watermark(s)
        after = last_folder_watermark(s)
        ids = list(s.scalars(select(Case.id).where(Case.id > after, Case.id <= through).order_by(Case.id)))
        view = AlertView("digest", case_views(s, ids), title="regwatch 执法案例摘要",
                         period=f"截至 {clock.to_local(until):%Y-%m-%d %H:%M} {clock.zone_label()}")
    if not ids:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "digest-" + until.strftime("%Y%m%dT%H%M%S%fZ")
    files = [out_dir / f"{stem}.html", out_dir / f"{stem}.txt"]
    _write_atomic(files[0], view.render_html())
    _write_atomic(files[1], view.render_text())
    with Session(writer(engine)) as s, s.begin():
        s.add(Delivery(idempotency_key=f"{FOLDER_CHANNEL}:{stem}", subscription="local", channel=FOLDER_CHANNEL,
                       digest_key=stem, covers_until=until, after_case_id=after, through_case_id=ids[-1],
                       state=SENT, attempts=1, sent_at=until))
    return files
