"""The httpx paths of every HTTP channel, replayed from vcrpy cassettes recorded against a local server.

A missing cassette is recorded again from ``HookServer`` answering like the real services do
(``tests/cassettes/robot_answers.yaml``); requests match on method and path, so the replay
needs no server and no network.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import vcr
from sqlalchemy import select
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.alerts import send_due
from regwatch.storage.models import Delivery
from regwatch.storage.repository import ArticleStore
from tests.alert_servers import HookServer
from tests.test_alerts import alerts, article, card

CASSETTE = Path(__file__).parent / "cassettes" / "robot_answers.yaml"
#: path -> (status, headers, body): what each service answers in the recording.
ANSWERS = {
    "/hook": (200, {"Content-Type": "text/plain"}, b"ok"),
    "/wecom": (200, {"Content-Type": "application/json"}, b'{"errcode":0,"errmsg":"ok"}'),
    "/ding": (200, {"Content-Type": "application/json"}, b'{"errcode":310000,"errmsg":"sign not match"}'),
    "/feishu": (200, {"Content-Type": "application/json"}, b'{"code":11232,"msg":"frequency limited"}'),
    "/slack": (429, {"Retry-After": "30", "Content-Type": "text/plain"}, b"rate_limited"),
    "/hook-down": (503, {"Content-Type": "text/plain"}, b"upstream down"),
}
EXPECTED = {  # channel -> (state, last_error)
    "hook": ("sent", ""),
    "wecom": ("sent", ""),
    "ding": ("failed", "dingtalk error 310000: sign not match"),
    "feishu": ("pending", "feishu error 11232: frequency limited"),
    "slack": ("pending", "HTTP 429 Too Many Requests"),
    "down": ("pending", "HTTP 503: upstream down"),
}


@pytest.fixture
def base_url():  # type: ignore[no-untyped-def]
    """A live recording server when the cassette is missing, else an address nothing listens on."""
    if CASSETTE.exists():
        yield "http://127.0.0.1:9"
        return
    with HookServer(lambda n, r: ANSWERS[r.path]) as srv:
        yield srv.url


def test_channel_answers_map_to_sent_retry_or_failed(engine, base_url):
    clock.pin(datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc))
    channels = {"hook": {"type": "webhook", "url": f"{base_url}/hook"},
                "wecom": {"type": "wecom", "url": f"{base_url}/wecom?key=k"},
                "ding": {"type": "dingtalk", "url": f"{base_url}/ding?access_token=t", "secret_file": __file__},
                "feishu": {"type": "feishu", "url": f"{base_url}/feishu"},
                "slack": {"type": "slack", "url": f"{base_url}/slack"},
                "down": {"type": "webhook", "url": f"{base_url}/hook-down"}}
    settings = alerts(channels, [{"name": "all", "channels": list(channels)}])
    recorder = vcr.VCR(record_mode="once", match_on=["method", "path"])
    try:
        ArticleStore(engine, settings.alerts.subscriptions).save_article(article(1), [card("a")])
        with recorder.use_cassette(str(CASSETTE)) as cassette:
            report = send_due(engine, settings)
        with Session(engine) as s:
            rows = {d.channel: d for d in s.scalars(select(Delivery))}
    finally:
        clock.pin(None)
    assert {ch: (d.state, d.last_error) for ch, d in rows.items()} == EXPECTED
    assert (report.sent, report.failed, report.retrying) == (2, 1, 3)
    slack_wait = (clock.as_utc(rows["slack"].next_attempt_at) - clock.as_utc(rows["slack"].created_at)).total_seconds()
    assert 29 <= slack_wait <= 40  # Retry-After: 30, not the backoff
    assert len(cassette.requests) == len(ANSWERS)
    assert sum("all/hook/case-" in str(r.headers.get("X-Regwatch-Delivery")) for r in cassette.requests) == 1
