"""What spiders, middlewares and pipelines of one crawl share: the database engine and the source."""

from __future__ import annotations

from threading import Lock

from scrapy.settings import BaseSettings
from sqlalchemy import Engine

from regwatch.config import ConfigError, SourceConfig, load_sources

_engines: dict[str, Engine] = {}
_lock = Lock()


def engine_for(settings: BaseSettings) -> Engine:
    """The engine of the crawl's database (``REGWATCH_DATABASE_URL``)."""
    url = settings.get("REGWATCH_DATABASE_URL")
    if not url:
        raise ConfigError("crawler settings", ["REGWATCH_DATABASE_URL: not set"])
    return engine_for_url(url)


def engine_for_url(url: str) -> Engine:
    """One engine per database URL per process, on a schema that is up to date."""
    from regwatch.storage.db import ensure_schema_current, make_engine

    with _lock:
        if url not in _engines:
            engine = make_engine(url)
            ensure_schema_current(engine)
            _engines[url] = engine
        return _engines[url]


def find_source(settings: BaseSettings, source_id: str | None, kind: str) -> SourceConfig:
    """The configured source ``source_id`` (or the first enabled one of ``kind``)."""
    path = settings.get("REGWATCH_SOURCES_FILE")
    sources = load_sources(path)
    if source_id is None:
        of_kind = [s for s in sources if s.kind == kind and s.enabled]
        if not of_kind:
            raise ConfigError(path, [f"no enabled source of kind {kind!r}; pass -a source=ID"])
        return of_kind[0]
    for src in sources:
        if src.id == source_id:
            if src.kind != kind:
                raise ConfigError(path, [f"sources[{source_id}].kind: is {src.kind!r}, this spider crawls {kind!r}"])
            return src
    raise ConfigError(path, [f"no source with id {source_id!r}"])
