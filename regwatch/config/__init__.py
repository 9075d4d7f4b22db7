"""Settings: one YAML file, documented in ``regwatch/config/regwatch.example.yaml``, plus env overrides.

This package is the bottom layer: it imports nothing of the project. Its data files (the example
settings, ``sources.yaml``, ``extraction.yaml``, ``rules/``) are package data, read with
``importlib.resources`` so an installed wheel works from any directory.

Lookup order for the settings file: ``--config`` / ``REGWATCH_CONFIG``, then ``regwatch.yaml`` in
the user config folder (``regwatch config check`` prints it), then the bundled example (the
documented defaults). Relative paths in a file are resolved against that file's folder. Runtime
files (database, digests, demo) go to ``data_dir``: ``./var`` of a git checkout, else the user
data folder (platformdirs).

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

from importlib.resources import files
from importlib.resources.abc import Traversable

import platformdirs

#: The bundled configuration data (example settings, sources, extraction data, rules).
PACKAGE_DATA: Traversable = files(__name__)
EXAMPLE_SETTINGS = Path(str(PACKAGE_DATA / "regwatch.example.yaml"))
BUNDLED_SOURCES = Path(str(PACKAGE_DATA / "sources.yaml"))
_CHECKOUT = Path(__file__).resolve().parents[2]
#: The git checkout this code runs from, or None when installed from a wheel.
CHECKOUT_ROOT: Path | None = _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / ".git").exists() else None


def default_data_dir() -> Path:
    """Where runtime files go unless ``data_dir`` says otherwise."""
    return CHECKOUT_ROOT / "var" if CHECKOUT_ROOT else Path(platformdirs.user_data_dir("regwatch"))


def user_config_file() -> Path:
    """The settings file picked up automatically when present."""
    return Path(platformdirs.user_config_dir("regwatch")) / "regwatch.yaml"

ENV_OVERRIDES = {
    "REGWATCH_DATA_DIR": "data_dir",
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
    max_items_per_page: int = Field(200, ge=1)
    window_days: int = Field(30, ge=1)
    retry_attempts: int = Field(8, ge=1)
    retry_backoff_seconds: float = Field(600, ge=0)


class Settings(_Strict):
    """The whole configuration; see ``config/regwatch.example.yaml`` for each key."""

    data_dir: Path | None = None
    database_url: str | None = None
    user_agent: str = "regwatch/0.1 (+https://github.com/regwatch/regwatch; enforcement-news monitor)"
    sources_file: Path | None = None
    digest_dir: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    crawl: CrawlSettings = CrawlSettings()

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgresql+psycopg2:")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return v

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password masked, for display."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url or "").render_as_string(hide_password=True)


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
    local = user_config_file()
    return local if local.exists() else EXAMPLE_SETTINGS


def _resolve(p: Path, base: Path) -> Path:
    p = p.expanduser()
    return p if p.is_absolute() else base / p


def _resolve_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(_resolve(Path(url[len(prefix):]), base))
    return url


def load_settings(path: str | Path | None = None) -> Settings:
    """Read, validate and resolve the settings; raise ConfigError listing every problem.

    Unset paths get their defaults: ``data_dir`` (see ``default_data_dir``), the database
    ``data_dir/regwatch.db``, digests in ``data_dir/digests``, the bundled ``sources.yaml``.
    """
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
    base = path.resolve().parent
    data_dir = _resolve(s.data_dir, base) if s.data_dir else default_data_dir()
    return s.model_copy(update={
        "data_dir": data_dir,
        "database_url": _resolve_sqlite(s.database_url, base) if s.database_url else f"sqlite:///{data_dir / 'regwatch.db'}",
        "sources_file": _resolve(s.sources_file, base) if s.sources_file else BUNDLED_SOURCES,
        "digest_dir": _resolve(s.digest_dir, base) if s.digest_dir else data_dir / "digests",
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
