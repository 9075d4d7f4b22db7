"""Alerts: settings, the transactional outbox, rendering, every channel against local servers, retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.alerts import queue_digests, send_due
from regwatch.alerts.channels import WECOM_MAX_BYTES, split_blocks
from regwatch.alerts.render import chinese_number, statute_label, statute_labels
from regwatch.app.cli import cli
from regwatch.config import ConfigError, Settings, load_settings
from regwatch.config.alerts import AlertSettings
from regwatch.config import SourceConfig
from regwatch.storage.models import Delivery
from regwatch.storage.repository import ArticleRecord, ArticleStore, sync_sources
from tests.alert_servers import HookServer, MailServer, self_signed_cert

ISSUE_SHAPE = """
alerts:
  channels:
    sec-mail: {type: email, host: smtp.example.com, port: 465, security: ssl,   # ssl | starttls | none
               username: alerts@example.com, password_env: REGWATCH_SMTP_PASSWORD,
               from: alerts@example.com, to: [sec-team@example.com]}
    soc-hook: {type: webhook, url: https://soc.example.com/regwatch, secret_env: REGWATCH_HOOK_SECRET}
    wecom:    {type: wecom,    url_env: REGWATCH_WECOM_URL}
    dingtalk: {type: dingtalk, url_env: REGWATCH_DINGTALK_URL, secret_env: REGWATCH_DINGTALK_SECRET}
    feishu:   {type: feishu,   url_env: REGWATCH_FEISHU_URL, secret_env: REGWATCH_FEISHU_SECRET}
    slack:    {type: slack,    url_env: REGWATCH_SLACK_URL}
  subscriptions:
    - name: finance-and-data-law
      channels: [sec-mail, soc-hook]
      mode: immediate            # immediate (one message per new case) | daily | weekly (digest)
      filters: {industry: [金融], province: [上海, 北京], authority: [网信, 公安],
                statutes: ["数据安全法:45"], min_fine_yuan: 100000, keywords: [人脸]}
"""


def alerts(channels: dict, subscriptions: list, **extra) -> Settings:  # type: ignore[type-arg]
    return Settings(alerts=AlertSettings.model_validate({"channels": channels, "subscriptions": subscriptions, **extra}))


def article(n: int, title: str = "某公司被罚", url: str | None = None, source: str | None = None) -> ArticleRecord:
    now = clock.now()
    url = url or f"https://news.example/{n}"
    return ArticleRecord(url, url, source, title, "正文" * 20, now - timedelta(hours=1), now, f"h{n}", 100, True)


def card(fp: str, **kw) -> dict:  # type: ignore[type-arg]
    base = {"fingerprint": fp, "authority": "网信", "province": "上海", "industry": "金融", "penalties": ["罚款"],
            "fine_org_yuan": 500000 + 1000 * sum(map(ord, fp)), "statutes": ["数据安全法:45"], "summary": f"案情{fp}，涉及人脸信息。"}
    return base | kw


# -- settings ------------------------------------------------------------------------------------------

def test_the_issue_shape_validates_and_check_reports_missing_env_with_key_paths(tmp_path, monkeypatch):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(ISSUE_SHAPE + f"digest_dir: {tmp_path}/d\ndatabase_url: sqlite:///{tmp_path}/r.db\n", encoding="utf-8")
    s = load_settings(cfg)
    assert s.alerts.channels["sec-mail"].smtp_port == 465 and s.alerts.subscriptions[0].filters.min_fine_yuan == 100000
    result = CliRunner().invoke(cli, ["--config", str(cfg), "config", "check"])
    assert result.exit_code == 2
    assert "alerts.channels.sec-mail.password_env: environment variable REGWATCH_SMTP_PASSWORD is not set" in result.output
    for var in ("REGWATCH_SMTP_PASSWORD", "REGWATCH_HOOK_SECRET", "REGWATCH_WECOM_URL", "REGWATCH_DINGTALK_URL",
                "REGWATCH_DINGTALK_SECRET", "REGWATCH_FEISHU_URL", "REGWATCH_FEISHU_SECRET", "REGWATCH_SLACK_URL"):
        monkeypatch.setenv(var, "https://robot.example/hook?key=s3cr3t-token" if var.endswith("URL") else "s3cr3t-value")
    result = CliRunner().invoke(cli, ["--config", str(cfg), "config", "check"])
    assert result.exit_code == 0, result.output
    assert "s3cr3t" not in result.output


@pytest.mark.parametrize(("change", "problem"), [
    ("channels: [sec-mail, soc-hook]", "alerts.subscriptions[0].channels: unknown channel 'nope'"),
    ("to: [sec-team@example.com]", "alerts.channels.sec-mail.email.to: Value error, not an e-mail address: 'not-an-address'"),
    ("url: https://soc.example.com/regwatch", "alerts.channels.soc-hook.webhook.url: Value error, must be an http(s) URL"),
])
def test_bad_alert_settings_name_the_key_path(tmp_path, change, problem):
    broken = {"channels: [sec-mail, soc-hook]": "channels: [sec-mail, nope]",
              "to: [sec-team@example.com]": "to: [not-an-address]",
              "url: https://soc.example.com/regwatch": "url: ftp://soc.example.com/regwatch"}[change]
    cfg = tmp_path / "c.yaml"
    cfg.write_text(ISSUE_SHAPE.replace(change, broken), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert any(p.startswith(problem) for p in err.value.problems), err.value.problems
    result = CliRunner().invoke(cli, ["--config", str(cfg), "config", "check"])
    assert result.exit_code == 2 and problem.split(":")[0] in result.output


# -- rendering -----------------------------------------------------------------------------------------

def test_statutes_read_as_chinese_articles():
    assert [chinese_number(n) for n in (1, 10, 12, 27, 45, 100, 105, 110, 253, 1000, 1005)] == [
        "一", "十", "十二", "二十七", "四十五", "一百", "一百零五", "一百一十", "二百五十三", "一千", "一千零五"]
    assert statute_label("数据安全法:27") == "《数据安全法》第二十七条"
    assert statute_label("刑法:253之一") == "《刑法》第二百五十三条之一"
    assert statute_labels(["数据安全法:27", "网络安全法:21", "数据安全法:45"]) == [
        "《数据安全法》第二十七条、第四十五条", "《网络安全法》第二十一条"]


def test_digest_groups_cases_under_their_article_with_overview_flags_and_outlets(engine, tmp_path):
    from regwatch.alerts.digest import write_digest_files

    sync_sources(engine, [SourceConfig(id="cac", name="中国网信网", kind="cac", start_urls=["https://cac.example"], authority="网信"),
                          SourceConfig(id="secrss", name="安全内参", kind="secrss", start_urls=["https://s.example"], authority="媒体")])
    store = ArticleStore(engine)
    store.save_article(article(1, "网信部门查处3起案件", source="cac"), [
        card("a", summary="（一）上海某银行未履行数据安全保护义务案\n经查，该行……", one_case_two_checks=True, statutes=["数据安全法:27"]),
        card("b", summary="（二）北京某公司违法处理人脸信息案\n经查\x07，员工\u202e倒卖信息……", insider=True, province="北京",
             authority="公安", fine_org_yuan=None, fine_person_yuan=[20000], statutes=["刑法:253之一"]),
    ])
    store.save_article(article(2, "转载：网信部门查处案件", source="secrss"), [
        card("a", summary="（一）上海某银行未履行数据安全保护义务案\n经查，该行……")])
    files = write_digest_files(engine, tmp_path / "digests")
    html = files[0].read_text(encoding="utf-8")
    assert oct(files[0].stat().st_mode & 0o777) == "0o644"
    assert '<meta name="viewport"' in html
    assert html.count("网信部门查处3起案件") == 1  # the headline once, not once per case
    assert "<h3>上海某银行未履行数据安全保护义务案</h3>" in html and "<h3>北京某公司违法处理人脸信息案</h3>" in html
    assert "《数据安全法》第二十七条" in html and "《刑法》第二百五十三条之一" in html and "数据安全法:27" not in html
    assert "一案双查" in html and "内部人员" in html
    assert html.index("共 2 个案例") < html.index("<h3>")  # the overview comes first
    assert "最大罚款：59.7万元" in html and "网信 1、公安 1" in html
    assert '<a href="https://news.example/2">安全内参</a>' in html  # also reported by the second outlet
    assert "\x07" not in html and "\u202e" not in html


# -- the outbox is written with the case -----------------------------------------------------------------

def test_new_cases_owe_one_delivery_per_channel_merged_reports_none(engine):
    settings = alerts({"hook": {"type": "webhook", "url": "https://h.example/x"},
                       "mail": {"type": "email", "host": "localhost", "from": "a@example.com", "to": ["b@example.com"]}},
                      [{"name": "fin", "channels": ["hook", "mail"], "filters": {"industry": ["金融"], "min_fine_yuan": 100000}},
                       {"name": "daily-all", "channels": ["hook"], "mode": "daily"}])
    store = ArticleStore(engine, settings.alerts.subscriptions)
    first = store.save_article(article(1), [card("a"), card("b", industry="医疗"), card("c", fine_org_yuan=5000)])
    assert first.new_cases == 3
    again = store.save_article(article(2, "转载"), [card("a")])  # another outlet, same case
    assert again.merged_cases == 1
    store.save_article(article(1), [card("a"), card("b", industry="医疗"), card("c", fine_org_yuan=5000)])  # re-crawl
    with Session(engine) as s:
        keys = sorted(s.scalars(select(Delivery.idempotency_key)))
    a = first.case_ids[0]
    assert keys == [f"fin/hook/case-{a}", f"fin/mail/case-{a}"]


def test_a_failed_store_owes_nothing(engine):
    settings = alerts({"hook": {"type": "webhook", "url": "https://h.example/x"}}, [{"name": "all", "channels": ["hook"]}])
    store = ArticleStore(engine, settings.alerts.subscriptions)
    with pytest.raises(Exception):
        store.save_article(article(1), [card("a"), {"fingerprint": "x", "penalties": object()}])  # not JSON: the insert fails
    with Session(engine) as s:
        assert s.scalar(select(Delivery.id)) is None


def test_digests_follow_a_case_id_watermark(engine):
    settings = alerts({"hook": {"type": "webhook", "url": "https://h.example/x"}},
                      [{"name": "weekly-sh", "channels": ["hook"], "mode": "weekly", "filters": {"province": ["上海"]}}])
    store = ArticleStore(engine, settings.alerts.subscriptions)
    store.save_article(article(1), [card("a"), card("b", province="北京")])
    assert queue_digests(engine, settings, "weekly") == 1
    assert queue_digests(engine, settings, "weekly") == 0  # nothing new since the watermark
    store.save_article(article(2, "另一篇"), [card("c", province="北京")])
    assert queue_digests(engine, settings, "weekly") == 0  # new, but not wanted
    third = store.save_article(article(3, "第三篇"), [card("d")])
    assert queue_digests(engine, settings, "weekly") == 1
    with Session(engine) as s:
        rows = s.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert [(r.after_case_id, r.through_case_id) for r in rows][1] == (rows[0].through_case_id, third.case_ids[0])
    with HookServer() as hook:
        settings = alerts({"hook": {"type": "webhook", "url": hook.url}}, [s.model_dump() for s in settings.alerts.subscriptions])
        report = send_due(engine, settings)
    assert report.sent == 2
    first, second = (r.json() for r in hook.requests)
    assert [c["article_title"] for c in first["cases"]] == ["某公司被罚"] and first["event"] == "digest"
    assert [c["province"] for c in second["cases"]] == ["上海"] and len(second["cases"]) == 1


# -- channels against local servers ------------------------------------------------------------------------

def test_email_goes_out_as_multipart_with_escaped_title_and_encoded_chinese_subject(engine, monkeypatch):
    monkeypatch.setenv("T_SMTP_PASSWORD", "pw-very-secret")
    with MailServer(user="alerts@example.com", password="pw-very-secret") as smtp:
        settings = alerts({"mail": {"type": "email", "host": "127.0.0.1", "port": smtp.port, "security": "none",
                                    "username": "alerts@example.com", "password_env": "T_SMTP_PASSWORD",
                                    "from": "alerts@example.com", "to": ["sec@example.com", "soc@example.com"]}},
                          [{"name": "all", "channels": ["mail"], "mode": "daily"}])
        ArticleStore(engine, settings.alerts.subscriptions).save_article(
            article(1, "<script>alert(1)</script>某银行被罚"), [card("a", summary="<b>x</b>案情"), card("b")])
        queue_digests(engine, settings, "daily")
        report = send_due(engine, settings)
    assert report.sent == 1 and smtp.logins == ["alerts@example.com"]
    msg = smtp.messages[0]
    raw = bytes(smtp.envelopes[0].original_content)
    subject_line = next(line for line in raw.split(b"\n") if line.startswith(b"Subject:"))
    assert b"=?utf-8?" in subject_line.lower()  # RFC 2047, not raw UTF-8
    assert msg["Subject"].startswith("regwatch 执法案例摘要：2 个新案例（网信 2）")
    assert sorted(smtp.envelopes[0].rcpt_tos) == ["sec@example.com", "soc@example.com"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "<script>alert(1)</script>某银行被罚" in text  # plain text is plain
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;某银行被罚" in html and "<b>x</b>" not in html
    assert msg["X-Regwatch-Delivery"].startswith("all/mail/digest-")


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_email_over_tls_verifies_the_server_and_logs_in(engine, tmp_path, monkeypatch, security):
    cert = self_signed_cert(tmp_path)
    monkeypatch.setenv("T_SMTP_PASSWORD", "pw")
    with MailServer(user="u@example.com", password="pw", tls=security, cert=cert) as smtp:
        mail = {"type": "email", "host": "127.0.0.1", "port": smtp.port, "security": security, "username": "u@example.com",
                "password_env": "T_SMTP_PASSWORD", "from": "u@example.com", "to": ["sec@example.com"]}
        untrusted = alerts({"mail": mail}, [{"name": "all", "channels": ["mail"]}])
        ArticleStore(engine, untrusted.alerts.subscriptions).save_article(article(1), [card("a")])
        refused = send_due(engine, untrusted)  # the self-signed certificate is not trusted by default
        assert refused.retrying == 1 and "CERTIFICATE_VERIFY_FAILED" in refused.problems[0] and not smtp.messages
        trusted = alerts({"mail": mail | {"ca_file": str(cert[0])}}, [{"name": "all", "channels": ["mail"]}])
        with Session(engine) as s, s.begin():
            s.execute(update(Delivery).values(next_attempt_at=None))
        assert send_due(engine, trusted).sent == 1
    assert smtp.logins == ["u@example.com"] and smtp.messages[0]["Subject"].startswith("【网信·上海】")


def test_webhook_and_robot_signatures(engine, monkeypatch):
    clock.pin(datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc))
    monkeypatch.setenv("T_HOOK_SECRET", "hook-secret")
    monkeypatch.setenv("T_DING_SECRET", "SECding")
    monkeypatch.setenv("T_FEISHU_SECRET", "feishu-secret")
    try:
        with HookServer() as srv:
            monkeypatch.setenv("T_DING_URL", f"{srv.url}/ding/robot/send?access_token=ding-token-123")
            channels = {"hook": {"type": "webhook", "url": f"{srv.url}/hook", "secret_env": "T_HOOK_SECRET"},
                        "ding": {"type": "dingtalk", "url_env": "T_DING_URL", "secret_env": "T_DING_SECRET"},
                        "feishu": {"type": "feishu", "url": f"{srv.url}/feishu", "secret_env": "T_FEISHU_SECRET"},
                        "wecom": {"type": "wecom", "url": f"{srv.url}/wecom?key=abc"},
                        "slack": {"type": "slack", "url": f"{srv.url}/slack"}}
            settings = alerts(channels, [{"name": "all", "channels": list(channels)}])
            saved = ArticleStore(engine, settings.alerts.subscriptions).save_article(article(1), [card("a")])
            report = send_due(engine, settings)
        assert report.sent == 5, report.problems
        by_path = {r.path: r for r in srv.requests}
        hook = by_path["/hook"]
        expected = hmac.new(b"hook-secret", hook.body, hashlib.sha256).hexdigest()
        assert hook.headers["x-regwatch-signature"] == f"sha256={expected}"
        assert hook.headers["x-regwatch-delivery"] == f"all/hook/case-{saved.case_ids[0]}"
        body = hook.json()
        assert body["event"] == "case" and body["cases"][0]["statutes"] == ["数据安全法:45"]
        assert body["cases"][0]["statutes_text"] == ["《数据安全法》第四十五条"] and body["cases"][0]["fine_org_yuan"] == 597000

        ding = by_path["/ding/robot/send"]
        ts = ding.query["timestamp"][0]
        want = base64.b64encode(hmac.new(b"SECding", f"{ts}\nSECding".encode(), hashlib.sha256).digest()).decode()
        assert ding.query["sign"][0] == want and ding.query["access_token"] == ["ding-token-123"]
        assert abs(int(ts) - int(clock.now().timestamp() * 1000)) < 60_000
        assert ding.json()["msgtype"] == "markdown" and "某公司被罚" in ding.json()["markdown"]["text"]

        feishu = by_path["/feishu"].json()
        want = base64.b64encode(hmac.new(f"{feishu['timestamp']}\nfeishu-secret".encode(), b"", hashlib.sha256).digest()).decode()
        assert feishu["sign"] == want and feishu["msg_type"] == "post"

        wecom = by_path["/wecom"].json()
        assert wecom["msgtype"] == "markdown" and len(wecom["markdown"]["content"].encode()) <= WECOM_MAX_BYTES
        slack = by_path["/slack"].json()
        assert slack["blocks"][0]["type"] == "section" and all(len(b["text"]["text"]) <= 3000 for b in slack["blocks"])
    finally:
        clock.pin(None)


def test_a_long_digest_is_split_to_the_robot_limit_never_cut(engine):
    with HookServer() as srv:
        settings = alerts({"wecom": {"type": "wecom", "url": f"{srv.url}/wecom"}},
                          [{"name": "all", "channels": ["wecom"], "mode": "daily"}])
        cards = [card(f"c{i}", summary=f"第{i}号案件的标题很长很长\n" + f"案情{i}。" * 60) for i in range(30)]
        ArticleStore(engine).save_article(article(1), cards)
        queue_digests(engine, settings, "daily")
        assert send_due(engine, settings).sent == 1
    parts = [r.json()["markdown"]["content"] for r in srv.requests]
    assert len(parts) > 1 and all(len(p.encode()) <= WECOM_MAX_BYTES for p in parts)
    assert parts[-1].endswith(f"({len(parts)}/{len(parts)})")
    joined = "".join(parts)
    assert all(f"第{i}号案件的标题很长很长" in joined for i in range(30))


def test_split_blocks_keeps_every_character():
    blocks = ["甲" * 5000, "乙" * 10, "丙丁" * 3000]
    parts = split_blocks(blocks, lambda t: len(t.encode()) <= 4000)
    assert all(len(p.encode()) <= 4000 + 16 for p in parts)
    stripped = "".join(p.rsplit("\n\n(", 1)[0].replace("\n\n", "") for p in parts)
    assert stripped == "".join(blocks)


def test_apprise_channel_posts_to_a_json_endpoint(engine, monkeypatch):
    with HookServer() as srv:
        monkeypatch.setenv("T_APPRISE", srv.url.replace("http://", "json://") + "/apprise")
        settings = alerts({"any": {"type": "apprise", "url_env": "T_APPRISE"}}, [{"name": "all", "channels": ["any"]}])
        ArticleStore(engine, settings.alerts.subscriptions).save_article(article(1, "某平台被罚"), [card("a")])
        assert send_due(engine, settings).sent == 1
    body = srv.requests[0].json()
    assert srv.requests[0].path == "/apprise" and "某平台被罚" in body["title"] + body["message"]


# -- failures ---------------------------------------------------------------------------------------------

def _one_case_outbox(engine, url: str, **retry):  # type: ignore[no-untyped-def]
    settings = alerts({"hook": {"type": "webhook", "url": url}}, [{"name": "all", "channels": ["hook"]}],
                      retry={"base_seconds": 0, "max_seconds": 0, **retry})
    ArticleStore(engine, settings.alerts.subscriptions).save_article(article(1), [card("a"), card("b")])
    return settings


def test_an_endpoint_failing_n_times_then_recovering_gets_everything_once(engine):
    with HookServer(lambda n, r: (503, {}, b"busy") if n < 5 else (200, {}, b"ok")) as srv:
        settings = _one_case_outbox(engine, srv.url)
        report = send_due(engine, settings)
    assert report.sent == 2 and report.failed == 0 and report.retrying == 0
    delivered = [r.headers["x-regwatch-delivery"] for r in srv.requests[5:]]
    assert sorted(delivered) == sorted(set(delivered)) and len(delivered) == 2
    with Session(engine) as s:
        assert {d.state for d in s.scalars(select(Delivery))} == {"sent"}


def test_a_4xx_is_recorded_with_its_reason_and_not_retried(engine):
    with HookServer(lambda n, r: (410, {}, b"gone for good")) as srv:
        settings = _one_case_outbox(engine, srv.url)
        report = send_due(engine, settings)
        again = send_due(engine, settings)
    assert report.failed == 2 and len(srv.requests) == 2 and again.sent == again.failed == 0
    with Session(engine) as s:
        rows = s.scalars(select(Delivery)).all()
    assert {(d.state, d.attempts, d.last_error) for d in rows} == {("failed", 1, "HTTP 410: gone for good")}


def test_429_waits_for_retry_after(engine):
    with HookServer(lambda n, r: (429, {"Retry-After": "1"}, b"slow down") if n == 0 else (200, {}, b"ok")) as srv:
        settings = _one_case_outbox(engine, srv.url)
        first = send_due(engine, settings)
        assert first.retrying == 1 and first.sent == 1  # the other delivery went out
        assert send_due(engine, settings).sent == 0  # not before Retry-After
        import time
        time.sleep(1.1)
        assert send_due(engine, settings).sent == 1
    assert srv.requests[-1].at - srv.requests[0].at >= 1.0


def test_giving_up_after_max_attempts_is_a_failure_with_the_last_reason(engine):
    with HookServer(lambda n, r: (502, {}, b"bad gateway")) as srv:
        settings = _one_case_outbox(engine, srv.url, max_attempts=3)
        report = send_due(engine, settings)
    assert report.failed == 2 and len(srv.requests) == 6
    with Session(engine) as s:
        assert {d.last_error for d in s.scalars(select(Delivery))} == {"gave up after 3 attempts: HTTP 502: bad gateway"}


def test_the_commented_alerts_example_in_the_example_settings_is_valid():
    from regwatch.config import EXAMPLE_SETTINGS
    import yaml

    text = EXAMPLE_SETTINGS.read_text(encoding="utf-8")
    lines = text[text.index("# alerts:"):].splitlines()
    block = lines[: next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))]
    uncommented = "\n".join(line[2:] if line.startswith("# ") else "" for line in block)
    parsed = AlertSettings.model_validate(yaml.safe_load(uncommented)["alerts"])
    assert parsed.subscriptions[0].channels == ["sec-mail", "soc-hook"] and parsed.channels["phone"].type == "apprise"


def test_robot_tokens_never_reach_the_log_or_the_outbox(engine, monkeypatch, caplog):
    import logging

    with HookServer(lambda n, r: (400, {}, b"bad request for key=tok-secret-999")) as srv:
        monkeypatch.setenv("T_WECOM_URL", f"{srv.url}/wecom?key=tok-secret-999")
        settings = alerts({"wecom": {"type": "wecom", "url_env": "T_WECOM_URL"}}, [{"name": "all", "channels": ["wecom"]}])
        ArticleStore(engine, settings.alerts.subscriptions).save_article(article(1), [card("a")])
        with caplog.at_level(logging.INFO):
            report = send_due(engine, settings)
    assert report.failed == 1 and "***" in report.problems[0]
    with Session(engine) as s:
        [row] = s.scalars(select(Delivery))
    assert "tok-secret-999" not in row.last_error + " ".join(report.problems) + caplog.text


def test_two_senders_at_once_send_each_delivery_once(engine):
    from concurrent.futures import ThreadPoolExecutor

    with HookServer(delay=0.05) as srv:
        settings = alerts({"hook": {"type": "webhook", "url": srv.url}}, [{"name": "all", "channels": ["hook"]}])
        store = ArticleStore(engine, settings.alerts.subscriptions)
        for i in range(6):
            store.save_article(article(i, f"第{i}篇"), [card(f"p{i}", summary=f"第{i}起独特案情" * 4)])
        with ThreadPoolExecutor(3) as pool:
            reports = list(pool.map(lambda _: send_due(engine, settings), range(3)))
    keys = [r.headers["x-regwatch-delivery"] for r in srv.requests]
    assert len(keys) == len(set(keys)) == 6 and sum(r.sent for r in reports) == 6


def test_a_split_message_resumes_after_the_parts_already_delivered(engine):
    limited = b'{"errcode":45009,"errmsg":"api freq out of limit"}'
    with HookServer(lambda n, r: (200, {}, limited) if n == 2 else (200, {}, b'{"errcode":0}')) as srv:
        settings = alerts({"wecom": {"type": "wecom", "url": f"{srv.url}/wecom"}},
                          [{"name": "all", "channels": ["wecom"], "mode": "daily"}], retry={"base_seconds": 0})
        ArticleStore(engine).save_article(article(1), [card(f"c{i}", summary=f"第{i}号案件\n" + f"案情{i}。" * 80) for i in range(20)])
        queue_digests(engine, settings, "daily")
        report = send_due(engine, settings)
    assert report.sent == 1 and report.retrying == 0
    parts = [r.json()["markdown"]["content"] for r in srv.requests]
    assert parts[2] == parts[3]  # the rate-limited part again, then the rest
    delivered = parts[:2] + parts[3:]
    assert len(delivered) == len(set(delivered)) and delivered[-1].endswith(f"({len(delivered)}/{len(delivered)})")
