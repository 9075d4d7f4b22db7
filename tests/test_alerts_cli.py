"""Alerts end to end through the CLI: crash safety (kill -9), the demo delivering once, dry runs, the outbox view."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from regwatch.app.cli import cli
from regwatch.config import load_settings
from regwatch.storage.db import make_engine, upgrade_schema
from regwatch.storage.models import Case, Delivery
from regwatch.storage.repository import ArticleStore
from tests.alert_servers import HookServer, MailServer
from tests.test_alerts import ISSUE_SHAPE, article, card


def write_config(tmp_path: Path, alerts: dict) -> Path:  # type: ignore[type-arg]
    cfg = tmp_path / "regwatch.yaml"
    cfg.write_text(yaml.safe_dump({"database_url": f"sqlite:///{tmp_path}/r.db", "digest_dir": str(tmp_path / "digests"),
                                   "data_dir": str(tmp_path), "alerts": alerts}, allow_unicode=True), encoding="utf-8")
    return cfg


def stored_cases(cfg: Path, n: int) -> list[int]:
    settings = load_settings(cfg)
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)
    store = ArticleStore(engine, settings.alerts.subscriptions)
    ids: list[int] = []
    for i in range(n):
        ids += store.save_article(article(i, f"第{i}篇"), [card(f"k{i}", summary=f"第{i}起：独特的案情描述{i}" * 3)]).case_ids
    return ids


def test_killing_the_sender_mid_batch_loses_nothing_and_repeats_only_the_one_in_flight(tmp_path):
    with HookServer(delay=0.4) as srv:
        cfg = write_config(tmp_path, {"channels": {"hook": {"type": "webhook", "url": f"{srv.url}/hook"}},
                                      "subscriptions": [{"name": "all", "channels": ["hook"]}]})
        ids = stored_cases(cfg, 8)
        cmd = [sys.executable, "-m", "regwatch", "--config", str(cfg), "alerts", "send"]
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(srv.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)  # the third request is now being answered: in flight
        os.kill(child.pid, signal.SIGKILL)
        child.wait()  # reaped: its claim is now held by a process that is gone
        before_restart = [r.headers["x-regwatch-delivery"] for r in srv.requests]
        assert 3 <= len(before_restart) < 8
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    keys = [r.headers["x-regwatch-delivery"] for r in srv.requests]
    assert set(keys) == {f"all/hook/case-{i}" for i in ids}  # every alert delivered
    repeated = [k for k, n in Counter(keys).items() if n > 1]
    assert len(repeated) <= 1 and set(repeated) <= {before_restart[-1]}  # only the one in flight, same key
    with Session(make_engine(load_settings(cfg).database_url)) as s:
        assert {d.state for d in s.scalars(select(Delivery))} == {"sent"}


def test_demo_delivers_its_cases_through_mail_and_webhook_once(tmp_path, monkeypatch):
    monkeypatch.setenv("REGWATCH_SMTP_PASSWORD", "smtp-pw-123")
    monkeypatch.setenv("REGWATCH_HOOK_SECRET", "hook-secret-456")
    with MailServer(user="alerts@example.com", password="smtp-pw-123") as smtp, HookServer() as hook:
        shape = yaml.safe_load(ISSUE_SHAPE)["alerts"]
        channels = shape["channels"]
        channels["sec-mail"].update(host="127.0.0.1", port=smtp.port, security="none")
        channels["soc-hook"]["url"] = f"{hook.url}/regwatch"
        for robot in ("wecom", "dingtalk", "feishu", "slack"):
            del channels[robot]
        # the issue's filtered subscription as written, plus one that wants every case
        shape["subscriptions"].append({"name": "everything", "channels": ["sec-mail", "soc-hook"], "mode": "immediate"})
        cfg = write_config(tmp_path, shape)
        workdir = tmp_path / "demo"
        demo = [sys.executable, "-m", "regwatch", "--config", str(cfg), "demo", "--workdir", str(workdir), "-q"]
        first = subprocess.run(demo + ["--fresh"], capture_output=True, text=True, timeout=300)  # Scrapy: one crawl per process
        assert first.returncode == 3, first.stdout + first.stderr  # 3: the demo's 公安部 source is blocked by design
        engine = make_engine(f"sqlite:///{workdir / 'regwatch.db'}")
        with Session(engine) as s:
            cases = set(s.scalars(select(Case.id)))
        assert len(cases) >= 10
        everything = [r for r in hook.requests if r.headers["x-regwatch-delivery"].startswith("everything/")]
        assert {r.json()["cases"][0]["id"] for r in everything} == cases  # every case, once per channel
        assert len(everything) == len(cases)
        assert len([m for m in smtp.messages if m["X-Regwatch-Delivery"].startswith("everything/")]) == len(cases)
        filtered = [r.json()["cases"][0] for r in hook.requests if r.headers["x-regwatch-delivery"].startswith("finance-")]
        assert all(c["industry"] == "金融" and c["province"] in ("上海", "北京") for c in filtered)
        assert f"alerts: {2 * len(cases) + 2 * len(filtered)} sent" in first.stdout
        sent = (len(hook.requests), len(smtp.messages))

        second = subprocess.run(demo, capture_output=True, text=True, timeout=300)
        assert second.returncode == 3, second.stdout + second.stderr
        assert "alerts: 0 sent" in second.stdout and (len(hook.requests), len(smtp.messages)) == sent
    assert "smtp-pw-123" not in first.stdout + first.stderr + second.stdout + second.stderr


def test_dry_run_says_where_without_secrets_and_sends_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("T_WECOM_URL", "http://127.0.0.1:9/cgi-bin/webhook/send?key=wecom-token-789")
    cfg = write_config(tmp_path, {"channels": {"wecom": {"type": "wecom", "url_env": "T_WECOM_URL"}},
                                  "subscriptions": [{"name": "all", "channels": ["wecom"]}]})
    ids = stored_cases(cfg, 2)
    result = CliRunner().invoke(cli, ["--config", str(cfg), "alerts", "send", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"all/wecom/case-{ids[0]} → wecom http://127.0.0.1:9/…" in result.output
    assert "2 deliveries due" in result.output and "wecom-token-789" not in result.output
    listing = CliRunner().invoke(cli, ["--config", str(cfg), "deliveries"])
    assert listing.output.count("pending") == 2


def test_failures_are_listed_masked_and_can_be_queued_again(tmp_path, monkeypatch):
    with HookServer(lambda n, r: (403, {}, b"forbidden: token hook-token-321 revoked") if n == 0 else (200, {}, b"ok")) as srv:
        monkeypatch.setenv("T_HOOK_URL", f"{srv.url}/hook/hook-token-321")
        cfg = write_config(tmp_path, {"channels": {"hook": {"type": "webhook", "url_env": "T_HOOK_URL"}},
                                      "subscriptions": [{"name": "all", "channels": ["hook"]}]})
        [case_id] = stored_cases(cfg, 1)
        sent = CliRunner().invoke(cli, ["--config", str(cfg), "alerts", "send"])
        assert sent.exit_code == 1 and "1 failed" in sent.output
        failed = CliRunner().invoke(cli, ["--config", str(cfg), "deliveries", "--failed"])
        assert f"all/hook/case-{case_id}" in failed.output and "HTTP 403" in failed.output
        assert "hook-token-321" not in failed.output + sent.output and "***" in failed.output
        assert CliRunner().invoke(cli, ["--config", str(cfg), "deliveries", "--retry", "1"]).exit_code == 0
        again = CliRunner().invoke(cli, ["--config", str(cfg), "alerts", "send"])
        assert again.exit_code == 0 and "1 sent" in again.output


def test_alerts_test_sends_one_message(tmp_path):
    with HookServer() as srv:
        cfg = write_config(tmp_path, {"channels": {"hook": {"type": "webhook", "url": f"{srv.url}/h"}}, "subscriptions": []})
        result = CliRunner().invoke(cli, ["--config", str(cfg), "alerts", "test", "hook"])
        unknown = CliRunner().invoke(cli, ["--config", str(cfg), "alerts", "test", "nope"])
    assert result.exit_code == 0 and "test message sent to hook" in result.output
    assert srv.requests[0].json()["event"] == "test"
    assert unknown.exit_code == 2 and "no channel 'nope'" in unknown.output
