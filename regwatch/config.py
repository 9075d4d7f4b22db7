"""Settings: one YAML file, documented in ``config/regwatch.example.yaml``, plus env overrides.

Lookup order for the file: ``--config`` / ``REGWATCH_CONFIG``, then ``config/regwatch.yaml``,
then ``config/regwatch.example.yaml`` (the documented defaults). Relative paths in the file are
resolved against the project root (the folder that holds ``config/``).

Environment overrides (they win over the file):
``REGWATCH_DATABASE_URL``, ``REGWATCH_DIGEST_DIR``, ``REGWATCH_SOURCES_FILE``, ``REGWATCH_USER_AGENT``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from regwatch import PROJECT_ROOT

CONFIG_DIR = PROJECT_ROOT / "config"
ENV_OVERRIDES = {
    "REGWATCH_DATABASE_URL": "database_url",
    "REGWATCH_DIGEST_DIR": "digest_dir",
    "REGWATCH_SOURCES_FILE": "sources_file",
    "REGWATCH_USER_AGENT": "user_agent",
}
SOURCE_KINDS = ("secrss", "cac", "listpage", "feed", "mps")


class ConfigError(Exception):
    """A configuration file is missing or invalid; ``problems`` lists each one as 'key: reason'."""

    def __init__(self, file: Path | str, problems: list[str]):
        self.file = str(file)
        self.problems = problems
        super().__init__(f"{file}: " + "; ".join(problems))

    def report(self) -> str:
        lines = [f"configuration error in {self.file}:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrawlSettings(_Strict):
    """Politeness and bounds for every spider."""

    concurrent_per_domain: int = Field(1, ge=1, le=4)
    download_delay: float = Field(1.0, ge=0)
    max_page_bytes: int = Field(5_000_000, ge=10_000)
    max_list_pages: int = Field(5, ge=1)
    window_days: int = Field(30, ge=1)


class Settings(_Strict):
    """The whole configuration; see ``config/regwatch.example.yaml`` for each key."""

    database_url: str = "sqlite:///var/regwatch.db"
    user_agent: str = "regwatch/0.1 (+https://github.com/regwatch/regwatch; enforcement-news monitor)"
    sources_file: Path = Path("config/sources.yaml")
    digest_dir: Path = Path("var/digests")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    crawl: CrawlSettings = CrawlSettings()

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, v: str) -> str:
        if not v.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgresql+psycopg2:")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return v

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password masked, for display."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)


class SourceConfig(_Strict):
    """One crawl source from ``config/sources.yaml``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    kind: Literal["secrss", "cac", "listpage", "feed", "mps"]
    start_urls: list[str] = Field(min_length=1)
    authority: Literal["网信", "公安", "媒体"]
    region: str | None = None
    schedule: str = "0 */6 * * *"
    enabled: bool = True
    options: dict[str, Any] = {}

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, v: list[str]) -> list[str]:
        for url in v:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return v

    @field_validator("schedule")
    @classmethod
    def _cron(cls, v: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(v)
        except ValueError as exc:
            raise ValueError(f"not a 5-field cron expression: {exc}") from None
        return v


def _problems(exc: ValidationError, prefix: str = "") -> list[str]:
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        out.append(f"{prefix}{path}: {msg}")
    return out


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.safe_load(f)
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, [f"not valid YAML: {exc}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"cannot read: {exc}"]) from None


def default_config_path() -> Path:
    """The settings file used when none is given."""
    if os.environ.get("REGWATCH_CONFIG"):
        return Path(os.environ["REGWATCH_CONFIG"])
    local = CONFIG_DIR / "regwatch.yaml"
    return local if local.exists() else CONFIG_DIR / "regwatch.example.yaml"


def _resolve(p: Path) -> Path:
    return p if p.is_absolute() else PROJECT_ROOT / p


def _resolve_sqlite(url: str) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(_resolve(Path(url[len(prefix):])))
    return url


def load_settings(path: str | Path | None = None) -> Settings:
    """Read, validate and resolve the settings; raise ConfigError listing every problem."""
    path = Path(path) if path else default_config_path()
    raw = _read_yaml(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(path, ["top level must be a mapping of keys"])
    for env, key in ENV_OVERRIDES.items():
        if os.environ.get(env):
            raw[key] = os.environ[env]
    try:
        s = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(path, _problems(exc)) from None
    return s.model_copy(update={
        "database_url": _resolve_sqlite(s.database_url),
        "sources_file": _resolve(s.sources_file),
        "digest_dir": _resolve(s.digest_dir),
    })


def load_sources(path: str | Path) -> list[SourceConfig]:
    """Read ``sources.yaml`` (``sources: [...]``); ids must be unique."""
    path = Path(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise ConfigError(path, ["sources: must be a list of source entries"])
    problems: list[str] = []
    sources: list[SourceConfig] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw["sources"]):
        label = entry.get("id", i) if isinstance(entry, dict) else i
        try:
            src = SourceConfig.model_validate(entry)
        except ValidationError as exc:
            problems += _problems(exc, prefix=f"sources[{label}].")
            continue
        if src.id in seen:
            problems.append(f"sources[{src.id}].id: duplicate source id")
        seen.add(src.id)
        sources.append(src)
    if problems:
        raise ConfigError(path, problems)
    return sources


@dataclass
class CheckReport:
    """What ``regwatch config check`` found."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_environment(settings: Settings) -> CheckReport:
    """Check paths the settings point at: sources file readable, output folders creatable."""
    report = CheckReport()
    try:
        sources = load_sources(settings.sources_file)
        report.notes.append(f"sources_file: {len(sources)} sources ({sum(s.enabled for s in sources)} enabled)")
    except ConfigError as exc:
        report.problems += [f"sources_file ({exc.file}): {p}" for p in exc.problems]
    dirs = {"digest_dir": settings.digest_dir}
    if settings.database_url.startswith("sqlite:///") and settings.database_url != "sqlite:///:memory:":
        dirs["database_url"] = Path(settings.database_url[len("sqlite:///"):]).parent
    for key, d in dirs.items():
        existing = next((p for p in [d, *d.parents] if p.exists()), None)
        if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK):
            report.problems.append(f"{key}: folder {d} cannot be created (nearest existing parent {existing} is not a writable folder)")
    report.notes.append(f"database_url: {settings.safe_database_url}")
    return report
