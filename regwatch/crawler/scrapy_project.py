"""Settings module for the ``scrapy`` command: crawler/settings.py with the regwatch config applied.

``scrapy crawl cac -a source=cac-wxfb -O items.jsonl`` then behaves like ``regwatch crawl``
(same database, politeness and pipelines). Importing this module never exits: a broken config
is kept in ``REGWATCH_CONFIG_ERROR`` and stops the crawl when it starts, with the config report.
"""

from regwatch.crawler.settings import *  # noqa: F401,F403
from regwatch.crawler.settings import scrapy_settings as _scrapy_settings
from regwatch.config import ConfigError as _ConfigError

try:
    globals().update({k: v for k, v in _scrapy_settings().copy_to_dict().items() if k.isupper()})
except _ConfigError as _exc:
    REGWATCH_CONFIG_ERROR = _exc.report()
