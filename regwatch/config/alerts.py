"""Alert settings: delivery channels and the subscriptions that route new cases to them.

The ``alerts:`` section of the settings file (documented in ``regwatch.example.yaml``). Secrets
never live in the file: ``*_env`` keys name environment variables, ``*_file`` keys name files
(first line read). A subscription names the channels it goes to; an unknown name is reported with
its key path (``alerts.subscriptions[0].channels: unknown channel 'x'``).

This module is part of the bottom layer: it imports nothing of the project.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_known_channels: ContextVar[frozenset[str] | None] = ContextVar("_known_channels", default=None)

ChannelName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")]


class MissingSecret(Exception):
    """A channel's secret is named (``*_env`` / ``*_file``) but cannot be read."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _SecretSource(_Model):
    """Helpers for keys given literally, by environment variable (``KEY_env``) or file (``KEY_file``)."""

    def _secret(self, key: str) -> str | None:
        env, path = getattr(self, f"{key}_env", None), getattr(self, f"{key}_file", None)
        if env:
            value = os.environ.get(env)
            if not value:
                raise MissingSecret(f"environment variable {env} is not set")
            return value.strip()
        if path:
            try:
                return Path(path).expanduser().read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise MissingSecret(f"cannot read {key}_file {path}: {exc.strerror}") from None
        return getattr(self, key) if key in type(self).model_fields else None

    def missing(self) -> list[str]:
        """'key: reason' for each ``*_env`` / ``*_file`` that cannot be read now."""
        out = []
        for name in type(self).model_fields:
            if name.endswith(("_env", "_file")) and getattr(self, name):
                try:
                    self._secret(name.rsplit("_", 1)[0])
                except MissingSecret as exc:
                    out.append(f"{name}: {exc}")
        return out

    def secrets(self) -> list[str]:
        """Every secret value this channel can read now (for masking)."""
        out = []
        for name in type(self).model_fields:
            if name.endswith(("_env", "_file")) and getattr(self, name):
                try:
                    value = self._secret(name.rsplit("_", 1)[0])
                except MissingSecret:
                    continue
                if value:
                    out.append(value)
        return out


def _one_of(model: Any, key: str, required: bool = True) -> None:
    given = [k for k in (key, f"{key}_env", f"{key}_file") if getattr(model, k, None)]
    if len(given) > 1:
        raise ValueError(f"give only one of {key}, {key}_env, {key}_file")
    if required and not given:
        raise ValueError(f"{key}_env (or {key} / {key}_file) is required")


class _UrlChannel(_SecretSource):
    """A channel posting to an HTTP URL; robot URLs embed their token, so keep them in the environment."""

    url: str | None = None
    url_env: str | None = None
    url_file: str | None = None
    timeout: float = Field(15.0, gt=0, le=300)

    @field_validator("url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v

    @model_validator(mode="after")
    def _url_given(self) -> "_UrlChannel":
        _one_of(self, "url")
        return self

    def target_url(self) -> str:
        url = self._secret("url") or ""
        if not url.startswith(("http://", "https://")):
            raise MissingSecret("the channel URL is not an http(s) URL")
        return url

    def describe(self) -> str:
        """Where it goes, without any token: the URL's scheme and host."""
        try:
            parts = urlsplit(self.target_url())
        except MissingSecret as exc:
            return f"{self.type} (unavailable: {exc})"  # type: ignore[attr-defined]
        return f"{self.type} {parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}/…"  # type: ignore[attr-defined]

    def secrets(self) -> list[str]:
        out = super().secrets()
        try:
            url = self.target_url()
        except MissingSecret:
            return out
        parts = urlsplit(url)
        out += [p for p in (parts.query, parts.path.rsplit("/", 1)[-1] if (self.url_env or self.url_file) else "") if len(p) >= 6]
        return out


class EmailChannel(_SecretSource):
    """SMTP: ``security`` ssl (port 465), starttls (587) or none (25)."""

    type: Literal["email"]
    host: str
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    timeout: float = Field(30.0, gt=0, le=300)
    #: CA certificates (PEM) to trust besides the system's, for a server signed by a private CA.
    ca_file: str | None = None

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        if not _ADDRESS.match(v):
            raise ValueError(f"{v!r} is not an e-mail address")
        return v

    @field_validator("to")
    @classmethod
    def _addresses(cls, v: list[str]) -> list[str]:
        bad = [a for a in v if not _ADDRESS.match(a)]
        if bad:
            raise ValueError(f"not an e-mail address: {', '.join(map(repr, bad))}")
        return v

    @model_validator(mode="after")
    def _auth(self) -> "EmailChannel":
        if (self.password_env or self.password_file) and not self.username:
            raise ValueError("username is required with password_env / password_file")
        if self.password_env and self.password_file:
            raise ValueError("give only one of password_env, password_file")
        return self

    @property
    def smtp_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587, "none": 25}[self.security]

    def password(self) -> str | None:
        return self._secret("password")

    def describe(self) -> str:
        return f"email {self.host}:{self.smtp_port} ({self.security}) → {', '.join(self.to)}"


class WebhookChannel(_UrlChannel):
    """Generic JSON webhook, signed with HMAC-SHA256 of the body when a secret is set."""

    type: Literal["webhook"]
    secret_env: str | None = None
    secret_file: str | None = None

    def secret(self) -> str | None:
        return self._secret("secret")


class WecomChannel(_UrlChannel):
    """企业微信 group robot (markdown, 4096 bytes per message)."""

    type: Literal["wecom"]


class DingtalkChannel(_UrlChannel):
    """钉钉 custom robot; with a secret, requests are signed (timestamp + sign in the query)."""

    type: Literal["dingtalk"]
    secret_env: str | None = None
    secret_file: str | None = None

    def secret(self) -> str | None:
        return self._secret("secret")


class FeishuChannel(_UrlChannel):
    """飞书 custom bot; with a secret, requests are signed (timestamp + sign in the body)."""

    type: Literal["feishu"]
    secret_env: str | None = None
    secret_file: str | None = None

    def secret(self) -> str | None:
        return self._secret("secret")


class SlackChannel(_UrlChannel):
    """Slack incoming webhook."""

    type: Literal["slack"]


class AppriseChannel(_SecretSource):
    """Any service apprise knows (ServerChan ``schan://``, PushPlus ``pushplus://``, Telegram ``tgram://`` …).

    ``url_env`` / ``url_file`` hold one or more apprise URLs separated by spaces or commas.
    """

    type: Literal["apprise"]
    url: str | None = None
    url_env: str | None = None
    url_file: str | None = None

    @model_validator(mode="after")
    def _url_given(self) -> "AppriseChannel":
        _one_of(self, "url")
        return self

    def urls(self) -> list[str]:
        return [u for u in re.split(r"[\s,]+", self._secret("url") or "") if u]

    def describe(self) -> str:
        try:
            schemes = sorted({u.split("://", 1)[0] for u in self.urls()})
        except MissingSecret as exc:
            return f"apprise (unavailable: {exc})"
        return f"apprise {', '.join(s + '://…' for s in schemes)}"

    def secrets(self) -> list[str]:
        out = super().secrets()
        try:
            out += [u.split("://", 1)[-1] for u in self.urls()]
        except MissingSecret:
            pass
        return out


Channel = Annotated[
    Union[EmailChannel, WebhookChannel, WecomChannel, DingtalkChannel, FeishuChannel, SlackChannel, AppriseChannel],
    Field(discriminator="type"),
]


class SubscriptionFilters(_Model):
    """Which cases a subscription wants. Every key given must match; within a key, any value."""

    industry: list[str] = []
    province: list[str] = []
    authority: list[str] = []
    #: ``数据安全法:45`` (one article) or ``数据安全法`` (any article of that law).
    statutes: list[str] = []
    #: The organisation fine or any person's fine is at least this much.
    min_fine_yuan: int | None = Field(None, ge=0)
    #: Any of these words in the case summary, its keywords or the article title.
    keywords: list[str] = []


class Subscription(_Model):
    """New cases matching ``filters`` go to ``channels``: one message per case, or a daily / weekly digest."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")
    channels: list[str] = Field(min_length=1)
    mode: Literal["immediate", "daily", "weekly"] = "immediate"
    filters: SubscriptionFilters = SubscriptionFilters()

    @field_validator("channels")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        known = _known_channels.get()
        if known is not None:
            for name in v:
                if name not in known:
                    raise PydanticCustomError(
                        "unknown_channel", "unknown channel '{name}' (configured: {known})",
                        {"name": name, "known": ", ".join(sorted(known)) or "none"})
        if len(set(v)) != len(v):
            raise ValueError("a channel is listed twice")
        return v


class RetrySettings(_Model):
    """How the sender retries a delivery that failed for a passing reason (network, 5xx, 429)."""

    max_attempts: int = Field(8, ge=1, le=100)
    #: First retry after about this many seconds, doubling each time (with jitter) up to ``max_seconds``.
    base_seconds: float = Field(30.0, ge=0)
    max_seconds: float = Field(3600.0, ge=0)


class AlertSettings(_Model):
    """The ``alerts:`` section."""

    channels: dict[ChannelName, Channel] = {}
    subscriptions: list[Subscription] = []
    retry: RetrySettings = RetrySettings()

    @model_validator(mode="wrap")
    @classmethod
    def _channels_in_scope(cls, data: Any, handler: Any) -> Any:
        """Subscriptions are checked against the channel names of the same section."""
        names = frozenset(data.get("channels") or {}) if isinstance(data, dict) else None
        token = _known_channels.set(names if isinstance(data, dict) and isinstance(data.get("channels") or {}, dict) else None)
        try:
            return handler(data)
        finally:
            _known_channels.reset(token)

    @field_validator("subscriptions")
    @classmethod
    def _unique_names(cls, v: list[Subscription]) -> list[Subscription]:
        names = [s.name for s in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate subscription name {', '.join(map(repr, dup))}")
        return v

    @property
    def enabled(self) -> bool:
        """Whether anything is delivered through channels (else digests go to files)."""
        return bool(self.channels and self.subscriptions)

    def missing_secrets(self) -> list[str]:
        """'alerts.channels.NAME.KEY: reason' for each secret that cannot be read now."""
        return [f"alerts.channels.{name}.{problem}" for name, ch in self.channels.items() for problem in ch.missing()]

    def secrets(self) -> list[str]:
        """Every secret value readable now, longest first (what ``mask`` hides)."""
        found = {v for ch in self.channels.values() for v in ch.secrets() if v}
        return sorted(found, key=len, reverse=True)


def mask(text: str, secrets: list[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for value in secrets:
        text = text.replace(value, "***")
    return text
