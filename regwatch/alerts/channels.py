"""Channel senders: one message (``AlertView``) to one configured channel, or a ``DeliveryError``.

Each sender speaks its service's real format and size limit; a message longer than the limit is
split between blocks (overview, article, case) into numbered parts ``(1/3)``, never cut. HTTP
channels use httpx so the outbox sees status codes and ``Retry-After``: 2xx is sent, 429 and 5xx
and network errors are worth a retry, any other 4xx (or a robot's error code) is permanent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote_plus

import httpx

from regwatch import clock
from regwatch.alerts.render import AlertView
from regwatch.config.alerts import (
    AppriseChannel,
    DingtalkChannel,
    EmailChannel,
    FeishuChannel,
    MissingSecret,
    SlackChannel,
    WebhookChannel,
    WecomChannel,
)

USER_AGENT = "regwatch-alerts/1"
#: Size limits (UTF-8 bytes of the message text) per robot, with room for the part marker.
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 18_000
FEISHU_MAX_BYTES = 18_000
SLACK_MAX_BLOCK_CHARS = 3000
SLACK_MAX_BLOCKS = 50
#: Robots answer HTTP 200 with these error codes when a message came too fast: retry later.
ROBOT_RATE_LIMITED = {45009, 130101, 11232, 9499}
MAX_RETRY_AFTER = 24 * 3600.0

# httpx logs every request URL at INFO, and robot URLs hold their token: keep it to warnings.
if logging.getLogger("httpx").level == logging.NOTSET:
    logging.getLogger("httpx").setLevel(logging.WARNING)


class DeliveryError(Exception):
    """A send failed: ``permanent`` (4xx, rejected) or worth a retry (after ``retry_after`` seconds if given)."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Sender(Protocol):
    #: Parts of a split message a previous attempt delivered (skipped now); ``on_part(n)`` after each.
    parts_done: int
    on_part: Callable[[int], None] | None

    def send(self, view: AlertView, key: str) -> None: ...

    def describe(self) -> str: ...


class _Parts:
    """Sends the parts of a split message in order, resuming after those already delivered."""

    parts_done = 0
    on_part: Callable[[int], None] | None = None

    def _send_parts(self, parts: list[Any], post: Callable[[Any], None]) -> None:
        for n, part in enumerate(parts, 1):
            if n <= self.parts_done:
                continue
            post(part)
            self.parts_done = n
            if self.on_part is not None:
                self.on_part(n)


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (None when absent or unreadable)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min((clock.as_utc(when) - clock.now()).total_seconds(), MAX_RETRY_AFTER))


def split_blocks(blocks: list[str], fits: Callable[[str], bool], joiner: str = "\n\n") -> list[str]:
    """Pack blocks into as few messages as fit; a block too long alone is split by lines, then characters."""
    pieces: list[str] = []
    for block in blocks:
        if fits(block):
            pieces.append(block)
            continue
        line_pieces: list[str] = []
        for line in block.split("\n"):
            while line and not fits(line):
                cut = len(line)
                while cut > 1 and not fits(line[:cut]):
                    cut = cut * 3 // 4
                line_pieces.append(line[:cut])
                line = line[cut:]
            if line:
                line_pieces.append(line)
        pieces += line_pieces
    messages: list[str] = []
    for piece in pieces:
        if messages and fits(messages[-1] + joiner + piece):
            messages[-1] += joiner + piece
        else:
            messages.append(piece)
    if len(messages) > 1:
        messages = [f"{m}\n\n({i}/{len(messages)})" for i, m in enumerate(messages, 1)]
    return messages


def _bytes_fit(limit: int) -> Callable[[str], bool]:
    # 16 bytes kept for the "(12/34)" part marker
    return lambda text: len(text.encode("utf-8")) <= limit - 16


def _robot_md(text: str) -> str:
    """Crawled text inside robot markdown: markup characters replaced by look-alikes, so it cannot link or format."""
    return text.translate(str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "`": "'", "#": "＃",
                                         "_": "＿", "|": "｜", "~": "～"}))


def _robot_link(text: str, url: str) -> str:
    return f"[{_robot_md(text)}]({url.replace(')', '%29').replace(' ', '%20')})" if url else _robot_md(text)


class _HttpSender(_Parts):
    """POSTs JSON with httpx and maps the answer to sent / retry / permanent failure."""

    def __init__(self, name: str, config: Any, client: httpx.Client):
        self.name, self.config, self.client = name, config, client

    def describe(self) -> str:
        return str(self.config.describe())

    def _url(self) -> str:
        try:
            return str(self.config.target_url())
        except MissingSecret as exc:
            raise DeliveryError(str(exc)) from None

    def _post(self, url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self._post_bytes(url, content, headers)

    def _post_bytes(self, url: str, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        try:
            resp = self.client.post(url, content=content, timeout=self.config.timeout, headers={
                "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **(headers or {})})
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: cannot reach the {self.config.type} endpoint") from None
        if resp.status_code == 429:
            raise DeliveryError("HTTP 429 Too Many Requests", retry_after=retry_after_seconds(resp.headers.get("Retry-After")))
        if resp.status_code >= 500:
            raise DeliveryError(f"HTTP {resp.status_code}: {resp.text[:200]}",
                                retry_after=retry_after_seconds(resp.headers.get("Retry-After")))
        if not 200 <= resp.status_code < 300:
            raise DeliveryError(f"HTTP {resp.status_code}: {resp.text[:200]}", permanent=True)
        return resp

    def _check_robot_answer(self, resp: httpx.Response, code_keys: tuple[str, ...] = ("errcode",)) -> None:
        try:
            answer = resp.json()
        except ValueError:
            return
        if not isinstance(answer, dict):
            return
        code = next((answer[k] for k in code_keys if k in answer), 0)
        if code in (0, None):
            return
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        reason = f"{self.config.type} error {code}: {str(message)[:200]}"
        raise DeliveryError(reason, permanent=code not in ROBOT_RATE_LIMITED)


class WebhookSender(_HttpSender):
    """Generic JSON webhook: the body documented in the README, signed with the shared secret."""

    config: WebhookChannel

    def send(self, view: AlertView, key: str) -> None:
        body = {"event": view.kind, "delivery": key, "subject": view.subject,
                "sent_at": clock.now().isoformat(), "text": view.render_text(),
                "overview": _overview_json(view) if len(view.cases) > 1 else None,
                "cases": [c.as_json() for c in view.cases]}
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"X-Regwatch-Delivery": key, "X-Regwatch-Event": view.kind}
        try:
            secret = self.config.secret()
        except MissingSecret as exc:
            raise DeliveryError(str(exc)) from None
        if secret:
            headers["X-Regwatch-Signature"] = "sha256=" + hmac.new(secret.encode(), content, hashlib.sha256).hexdigest()
        self._post_bytes(self._url(), content, headers)


def _overview_json(view: AlertView) -> dict[str, Any]:
    ov = view.overview
    return {"total": ov.total, "by_authority": dict(ov.by_authority), "by_province": dict(ov.by_province),
            "by_industry": dict(ov.by_industry), "total_fines_yuan": ov.total_fines,
            "largest_fine_case": ov.largest.id if ov.largest else None}


class WecomSender(_HttpSender):
    """企业微信 group robot: ``msgtype: markdown``, at most 4096 bytes per message."""

    config: WecomChannel

    def send(self, view: AlertView, key: str) -> None:
        url = self._url()
        self._send_parts(split_blocks(view.markdown_blocks(_robot_md, _robot_link), _bytes_fit(WECOM_MAX_BYTES)),
                         lambda part: self._check_robot_answer(
                             self._post(url, {"msgtype": "markdown", "markdown": {"content": part}})))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉: base64(HMAC-SHA256(key=secret, msg="timestamp\\nsecret")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书: base64(HMAC-SHA256(key="timestamp\\nsecret", msg=empty))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingtalkSender(_HttpSender):
    """钉钉 custom robot: ``msgtype: markdown``; signed requests carry ``timestamp`` and ``sign`` in the query."""

    config: DingtalkChannel

    def send(self, view: AlertView, key: str) -> None:
        base = self._url()
        try:
            secret = self.config.secret()
        except MissingSecret as exc:
            raise DeliveryError(str(exc)) from None
        title = view.subject[:60]

        def post(part: str) -> None:
            url = base
            if secret:
                ts = int(clock.now().timestamp() * 1000)
                url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
            self._check_robot_answer(self._post(url, {"msgtype": "markdown", "markdown": {"title": title, "text": part}}))

        self._send_parts(split_blocks(view.markdown_blocks(_robot_md, _robot_link), _bytes_fit(DINGTALK_MAX_BYTES)), post)


class FeishuSender(_HttpSender):
    """飞书 custom bot: rich-text ``post`` messages; signed requests carry ``timestamp`` and ``sign`` in the body."""

    config: FeishuChannel

    def send(self, view: AlertView, key: str) -> None:
        url = self._url()
        try:
            secret = self.config.secret()
        except MissingSecret as exc:
            raise DeliveryError(str(exc)) from None
        text = view.render_text()
        blocks = [b for b in text.split("\n\n") if b.strip()]
        parts = split_blocks(blocks, _bytes_fit(FEISHU_MAX_BYTES))

        def post(part: str) -> None:
            body: dict[str, Any] = {"msg_type": "post", "content": {"post": {"zh_cn": {
                "title": view.subject[:100], "content": [[{"tag": "text", "text": line}] for line in part.split("\n")]}}}}
            if secret:
                ts = int(clock.now().timestamp())
                body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
            self._check_robot_answer(self._post(url, body), ("code", "StatusCode"))

        self._send_parts(parts, post)


def _slack_escape(text: str) -> str:
    """Slack mrkdwn: &, <, > as entities; formatting characters neutralised."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.translate(str.maketrans({"*": "＊", "_": "＿", "~": "～", "`": "'"}))


def _slack_link(text: str, url: str) -> str:
    return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{_slack_escape(text)}>" if url else _slack_escape(text)


class SlackSender(_HttpSender):
    """Slack incoming webhook: ``text`` plus mrkdwn section blocks (3000 characters each, 50 per message)."""

    config: SlackChannel

    def send(self, view: AlertView, key: str) -> None:
        url = self._url()
        md = [b.replace("#### ", "*").replace("### ", "*") for b in view.markdown_blocks(_slack_escape, _slack_link)]
        sections = split_blocks(md, lambda t: len(t) <= SLACK_MAX_BLOCK_CHARS - 10)
        chunks = [sections[i:i + SLACK_MAX_BLOCKS] for i in range(0, len(sections), SLACK_MAX_BLOCKS)]
        self._send_parts(chunks, lambda chunk: self._post(url, {
            "text": _slack_escape(view.subject),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in chunk]}))


class AppriseSender(_Parts):
    """Any apprise URL (ServerChan, PushPlus, Telegram …); apprise splits for its services' limits."""

    def __init__(self, name: str, config: AppriseChannel, client: httpx.Client | None = None):
        self.name, self.config = name, config

    def describe(self) -> str:
        return self.config.describe()

    def send(self, view: AlertView, key: str) -> None:
        import apprise

        try:
            urls = self.config.urls()
        except MissingSecret as exc:
            raise DeliveryError(str(exc)) from None
        notifier = apprise.Apprise()
        if not notifier.add(urls):
            raise DeliveryError("apprise does not understand the configured URL(s)", permanent=True)
        body = "\n\n".join(view.markdown_blocks(_robot_md, _robot_link))
        if not notifier.notify(title=view.subject, body=body, body_format=apprise.NotifyFormat.MARKDOWN):
            raise DeliveryError("apprise could not deliver (see the log for the service's answer)")


class EmailSender(_Parts):
    """SMTP (ssl / starttls / none, optional login): multipart/alternative text + HTML."""

    def __init__(self, name: str, config: EmailChannel, client: httpx.Client | None = None):
        self.name, self.config = name, config

    def describe(self) -> str:
        return self.config.describe()

    def build(self, view: AlertView, key: str) -> EmailMessage:
        cfg = self.config
        msg = EmailMessage()
        msg["Subject"] = view.subject
        msg["From"] = cfg.sender
        msg["To"] = ", ".join(cfg.to)
        msg["Date"] = format_datetime(clock.to_local(clock.now()))
        # the same delivery always has the same Message-ID, so a repeat after a crash is recognisable
        msg["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@regwatch>"
        msg["X-Regwatch-Delivery"] = key
        msg.set_content(view.render_text())
        msg.add_alternative(view.render_html(), subtype="html")
        return msg

    def send(self, view: AlertView, key: str) -> None:
        cfg = self.config
        msg = self.build(view, key)
        try:
            password = cfg.password()
        except MissingSecret as exc:
            raise DeliveryError(str(exc)) from None
        try:
            context = ssl.create_default_context(cafile=cfg.ca_file) if cfg.security != "none" else None
            if cfg.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.smtp_port, timeout=cfg.timeout, context=context)
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.smtp_port, timeout=cfg.timeout)
            with smtp:
                if cfg.security == "starttls":
                    smtp.starttls(context=context)
                if cfg.username and password:
                    smtp.login(cfg.username, password)
                refused = smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"SMTP refused every recipient ({', '.join(map(str, codes))})",
                                permanent=all(c >= 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            raise DeliveryError(f"SMTP {exc.smtp_code}: {text[:200]}", permanent=exc.smtp_code >= 500) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"SMTP: {str(exc)[:200]}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {type(exc).__name__}: {str(exc)[:200]}") from None
        if refused:
            raise DeliveryError(f"SMTP refused {', '.join(sorted(refused))}", permanent=True)


SENDERS: dict[str, type] = {"email": EmailSender, "webhook": WebhookSender, "wecom": WecomSender,
                            "dingtalk": DingtalkSender, "feishu": FeishuSender, "slack": SlackSender,
                            "apprise": AppriseSender}


def sender_for(name: str, config: Any, client: httpx.Client) -> Sender:
    """The sender of a configured channel."""
    return SENDERS[config.type](name, config, client)  # type: ignore[no-any-return]
