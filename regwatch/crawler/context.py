"""What the spiders of one crawl look up in the settings: their configured source."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from regwatch.config import ConfigError, SourceConfig, load_sources


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
