"""Settings: one YAML file, documented in ``regwatch/config/regwatch.example.yaml``, plus env overrides.

This package is the bottom layer: it imports nothing of the project. Its data files (the example
settings, ``sources.yaml``, ``extraction.yaml``, ``rules/``) are package data, read with
``importlib.resources`` so an installed wheel works from any directory. One validation path: a
pydantic model per file — settings (here), sources with each kind's options
(``regwatch.config.sources``), extraction data (``regwatch.config.extraction``); the classifier's
rules are checked by their own loader, which ``regwatch config check`` runs as well.

Lookup order for the settings file: ``--config`` / ``REGWATCH_CONFIG``, then ``regwatch.yaml`` in
the user config folder (``regwatch config check`` prints it), then the bundled example (the
documented defaults). Relative paths in a file are resolved against that file's folder. Runtime
files (database, digests, demo) go to ``data_dir``: ``./var`` of a git checkout, else the user
data folder (platformdirs).

Environment overrides (they win over the file): every key, as ``REGWATCH_`` + the key path in
upper case with ``__`` between levels, e.g. ``REGWATCH_DATABASE_URL``, ``REGWATCH_RULES_DIR``,
``REGWATCH_CRAWL__WINDOW_DAYS=10``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from importlib.resources import files
from importlib.resources.abc import Traversable

import platformdirs

from .errors import ConfigError, problems_of, read_yaml
from .extraction import EXTRACTION_FILE, ExtractionRules, load_extraction_rules
from .limits import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from .masking import mask_secrets
from .sources import OPTIONS_BY_KIND, SOURCE_KINDS, SourceConfig, load_sources

__all__ = [
    "BUNDLED_RULES", "BUNDLED_SOURCES", "CHECKOUT_ROOT", "EXAMPLE_SETTINGS", "EXTRACTION_FILE", "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS", "OPTIONS_BY_KIND", "PACKAGE_DATA", "SOURCE_KINDS", "CheckReport", "ConfigError",
    "CrawlSettings", "ExtractionRules", "Settings", "SourceConfig", "check_environment", "database_url_problem",
    "default_config_path", "default_data_dir", "load_extraction_rules", "load_settings", "load_sources",
    "mask_secrets", "user_config_file",
]
from .alerts import AlertSettings
from .daemon import DaemonSettings

#: The bundled configuration data (example settings, sources, extraction data, rules).
PACKAGE_DATA: Traversable = files(__name__)
EXAMPLE_SETTINGS = Path(str(PACKAGE_DATA / "regwatch.example.yaml"))
BUNDLED_SOURCES = Path(str(PACKAGE_DATA / "sources.yaml"))
BUNDLED_RULES = Path(str(PACKAGE_DATA / "rules"))
_CHECKOUT = Path(__file__).resolve().parents[2]
#: The git checkout this code runs from, or None when installed from a wheel.
CHECKOUT_ROOT: Path | None = _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / ".git").exists() else None
ENV_PREFIX = "REGWATCH_"
_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg", "postgresql+psycopg2")


def default_data_dir() -> Path:
    """Where runtime files go unless ``data_dir`` says otherwise."""
    return CHECKOUT_ROOT / "var" if CHECKOUT_ROOT else Path(platformdirs.user_data_dir("regwatch"))


def user_config_file() -> Path:
    """The settings file picked up automatically when present."""
    return Path(platformdirs.user_config_dir("regwatch")) / "regwatch.yaml"


def database_url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable database URL, or None (the URL itself is never echoed)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if any(c.isspace() for c in url) and not url.startswith("sqlite:"):
        return "contains whitespace (percent-encode it)"
    authority = url.split("://", 1)[-1].split("/", 1)[0]
    if authority.count("@") > 1:
        return "the user or password holds an unencoded '@': write it as %40"
    try:
        parsed = make_url(url)
        port = parsed.port
    except (ArgumentError, ValueError):
        return "not a database URL (expected sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME)"
    if parsed.drivername not in _DATABASE_SCHEMES:
        return f"must be a sqlite:/// or postgresql:// URL (not {parsed.drivername!r})"
    if parsed.drivername == "sqlite":
        if not url.startswith("sqlite:///") and url != "sqlite://":
            return "a SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db"
        return None
    if port is not None and not 0 < port < 65536:
        return f"port {port} is out of range"
    if not parsed.database:
        return "names no database (postgresql://USER@HOST:PORT/DBNAME)"
    if not parsed.host and "host" not in parsed.query:
        return "names no host (postgresql://USER@HOST:PORT/DBNAME)"
    return None


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


class Settings(BaseSettings):
    """The whole configuration; see ``regwatch/config/regwatch.example.yaml`` for each key.

    Built by ``load_settings`` from the file's values; the environment (``REGWATCH_KEY``,
    ``REGWATCH_SECTION__KEY``) wins over the file.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", env_ignore_empty=True,
                                      extra="forbid", frozen=True)

    data_dir: Path | None = None
    database_url: str | None = None
    user_agent: str = "regwatch/0.1 (+https://github.com/regwatch/regwatch; enforcement-news monitor)"
    sources_file: Path | None = None
    rules_dir: Path | None = None
    digest_dir: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    timezone: str = "Asia/Shanghai"
    crawl: CrawlSettings = CrawlSettings()
    alerts: AlertSettings = AlertSettings()

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        return env_settings, init_settings  # the environment wins over the file
    daemon: DaemonSettings = DaemonSettings()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str | None) -> str | None:
        if v is not None and (problem := database_url_problem(v)):
            raise ValueError(problem)
        return v

    @field_validator("user_agent")
    @classmethod
    def _header_safe(cls, v: str) -> str:
        if not v.strip() or any(c in v for c in "\r\n\x00"):
            raise ValueError("must be one non-empty line")
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        from zoneinfo import available_timezones

        if v not in available_timezones() and v not in ("Asia/Shanghai", "UTC"):
            raise ValueError(f"unknown time zone {v!r} (an IANA name such as Asia/Shanghai)")
        return v

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password masked, for display."""
        return mask_secrets(self.database_url or "")


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


def _env_name(loc: tuple[Any, ...]) -> str:
    return ENV_PREFIX + "__".join(str(p).upper() for p in loc)


def _with_env_source(problem: str, loc: tuple[Any, ...]) -> str:
    """Say which environment variable a bad value came from."""
    for depth in range(len(loc), 0, -1):
        name = _env_name(loc[:depth])
        if os.environ.get(name):
            return f"{problem} (from the environment: {name})"
    return problem


def load_settings(path: str | Path | None = None) -> Settings:
    """Read, validate and resolve the settings; raise ConfigError listing every problem.

    Unset paths get their defaults: ``data_dir`` (see ``default_data_dir``), the database
    ``data_dir/regwatch.db``, digests in ``data_dir/digests``, the bundled ``sources.yaml`` and
    ``rules/``.
    """
    path = Path(path) if path else default_config_path()
    raw = read_yaml(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(path, ["top level must be a mapping of keys"])
    try:
        s = Settings(**{str(k): v for k, v in raw.items()})
    except ValidationError as exc:
        errors = exc.errors()
        raise ConfigError(path, [_with_env_source(p, e["loc"]) for p, e in zip(problems_of(errors), errors)]) from None
    base = path.resolve().parent
    data_dir = _resolve(s.data_dir, base) if s.data_dir else default_data_dir()
    return s.model_copy(update={
        "data_dir": data_dir,
        "database_url": _resolve_sqlite(s.database_url, base) if s.database_url else f"sqlite:///{data_dir / 'regwatch.db'}",
        "sources_file": _resolve(s.sources_file, base) if s.sources_file else BUNDLED_SOURCES,
        "rules_dir": _resolve(s.rules_dir, base) if s.rules_dir else BUNDLED_RULES,
        "digest_dir": _resolve(s.digest_dir, base) if s.digest_dir else data_dir / "digests",
    })


@dataclass
class CheckReport:
    """What ``regwatch config check`` found: problems (each 'key (file): reason') and notes."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _writable_folder_problem(key: str, folder: Path) -> str | None:
    existing = next((p for p in [folder, *folder.parents] if p.exists()), None)
    if existing is None or not existing.is_dir():
        return f"{key}: folder {folder} cannot be created ({existing} is not a folder)"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{key}: folder {folder} cannot be created or written ({existing} is read-only for this user)"
    return None


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and url not in ("sqlite:///:memory:", "sqlite:///"):
        return Path(url[len("sqlite:///"):])
    return None


def check_environment(settings: Settings) -> CheckReport:
    """Check what the settings point at without touching the database: the sources file (every
    entry and each kind's options, CSS selectors included), the extraction data, and that the
    output folders and the SQLite file are writable. The CLI adds the rules and a database
    connection."""
    report = CheckReport()
    try:
        sources = load_sources(settings.sources_file)
        report.notes.append(f"sources_file: {settings.sources_file}: {len(sources)} sources "
                            f"({sum(s.enabled for s in sources)} enabled)")
    except ConfigError as exc:
        report.problems += [f"sources_file ({exc.file}): {p}" for p in exc.problems]
    try:
        load_extraction_rules()
    except ConfigError as exc:
        report.problems += [f"extraction ({exc.file}): {p}" for p in exc.problems]
    folders = {"digest_dir": settings.digest_dir}
    db_file = _sqlite_file(settings.database_url or "")
    if db_file is not None:
        folders["database_url"] = db_file.parent
        if db_file.exists() and (not db_file.is_file() or not os.access(db_file, os.R_OK | os.W_OK)):
            report.problems.append(f"database_url: database file {db_file} is read-only or unreadable for this user")
    for key, folder in folders.items():
        if problem := _writable_folder_problem(key, folder):
            report.problems.append(problem)
    report.problems += settings.alerts.missing_secrets()
    report.notes.append(f"database_url: {settings.safe_database_url}")
    report.notes.append(f"rules_dir: {settings.rules_dir}")
    return report
