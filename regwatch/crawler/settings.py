"""Scrapy settings for regwatch — the one place crawl behaviour is set.

Values marked *from config* are taken from the regwatch settings file
(``config/regwatch.example.yaml`` documents them) by ``scrapy_settings()``, which both
``regwatch crawl`` and a standalone ``scrapy crawl <kind> -a source=<id>`` use.
"""

from __future__ import annotations

import os
from typing import Any

BOT_NAME = "regwatch"
SPIDER_MODULES = ["regwatch.crawler.spiders"]
NEWSPIDER_MODULE = "regwatch.crawler.spiders"

# Politeness: robots.txt, few concurrent requests per domain, AutoThrottle, retries with backoff.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1      # from config: crawl.concurrent_per_domain
DOWNLOAD_DELAY = 1.0                    # from config: crawl.download_delay
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0          # = crawl.download_delay
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
USER_AGENT = "regwatch/0.1"             # from config: user_agent (with a contact URL)
DOWNLOAD_MAXSIZE = 5_000_000            # from config: crawl.max_page_bytes; larger responses are dropped
DOWNLOAD_WARNSIZE = 2_000_000
COOKIES_ENABLED = False
HTTPCACHE_ENABLED = False               # never cache in production: conditional GET does the saving
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
CONCURRENT_ITEMS = 4                    # items of one response in the pipelines at once (default 100 costs CPU)
LOG_FORMATTER = "regwatch.crawler.logformatter.RegwatchLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"     # skipped duplicates are routine, not warnings

DOWNLOADER_MIDDLEWARES = {
    "regwatch.crawler.middlewares.ConditionalGetMiddleware": 570,
    "regwatch.crawler.middlewares.ChallengeDetectionMiddleware": 580,
}
ITEM_PIPELINES = {
    "regwatch.crawler.pipelines.ExtractPipeline": 100,
    "regwatch.crawler.pipelines.DedupePipeline": 200,
    "regwatch.crawler.pipelines.ClassifyPipeline": 300,
    "regwatch.crawler.pipelines.StorePipeline": 400,
}
EXTENSIONS = {
    "regwatch.crawler.store.CrawlStore": 400,
    "regwatch.crawler.extensions.CrawlRunRecorder": 500,
    "regwatch.crawler.extensions.ProgressReporter": 510,
}

# regwatch's own keys (from config).
REGWATCH_DATABASE_URL = None            # database_url
REGWATCH_SOURCES_FILE = None            # sources_file
REGWATCH_RULES_DIR = None               # rules_dir: the classifier's rules (None: the bundled ones)
REGWATCH_WINDOW_DAYS = 30               # crawl.window_days: older articles are not fetched
REGWATCH_MAX_LIST_PAGES = 5             # crawl.max_list_pages
REGWATCH_MAX_ITEMS_PER_PAGE = 200       # crawl.max_items_per_page: entries looked at per list / feed page
REGWATCH_RETRY_ATTEMPTS = 8             # crawl.retry_attempts: a failing article is given up after this many runs
REGWATCH_RETRY_BACKOFF = 600            # crawl.retry_backoff_seconds: wait before the 1st retry, doubling (≤ 1 day)
REGWATCH_PROGRESS = False               # one line per stored article on stderr
REGWATCH_ALERT_SUBSCRIPTIONS: list = []  # alerts.subscriptions (when channels are configured): new cases owe deliveries
# Worker processes for extraction + classification (0 = in-process); run_crawl hands one shared
# ``WorkerPool`` to its crawlers in REGWATCH_WORKER_POOL, else each crawl's CrawlStore starts its own.
REGWATCH_PROCESS_WORKERS = 1 if (os.cpu_count() or 1) > 1 else 0
REGWATCH_WORKER_POOL = None
# Set by the `scrapy` settings module when the regwatch configuration is invalid (reported at crawl start).
REGWATCH_CONFIG_ERROR = None

# Optional browser path for sites behind a JavaScript challenge (sources with options.browser):
# install scrapy-playwright and a browser, then these handlers are switched on by scrapy_settings().
PLAYWRIGHT_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}


def scrapy_settings(settings: Any = None, *, browser: bool = False, **overrides: Any) -> Any:
    """Scrapy ``Settings``: this module, then the regwatch configuration, then ``overrides``."""
    from scrapy.settings import Settings as ScrapySettings

    from regwatch.config import load_settings

    rw = settings if settings is not None else load_settings()
    s = ScrapySettings()
    s.setmodule(__name__, priority="project")
    s.setdict({
        "USER_AGENT": rw.user_agent,
        "CONCURRENT_REQUESTS_PER_DOMAIN": rw.crawl.concurrent_per_domain,
        "DOWNLOAD_DELAY": rw.crawl.download_delay,
        "AUTOTHROTTLE_START_DELAY": rw.crawl.download_delay,
        "DOWNLOAD_MAXSIZE": rw.crawl.max_page_bytes,
        "DOWNLOAD_WARNSIZE": min(rw.crawl.max_page_bytes, DOWNLOAD_WARNSIZE),
        "REGWATCH_DATABASE_URL": rw.database_url,
        "REGWATCH_SOURCES_FILE": str(rw.sources_file),
        "REGWATCH_RULES_DIR": str(rw.rules_dir) if rw.rules_dir else None,
        "REGWATCH_WINDOW_DAYS": rw.crawl.window_days,
        "REGWATCH_MAX_LIST_PAGES": rw.crawl.max_list_pages,
        "REGWATCH_ALERT_SUBSCRIPTIONS": list(rw.alerts.subscriptions) if rw.alerts.enabled else [],
        "REGWATCH_MAX_ITEMS_PER_PAGE": rw.crawl.max_items_per_page,
        "REGWATCH_RETRY_ATTEMPTS": rw.crawl.retry_attempts,
        "REGWATCH_RETRY_BACKOFF": rw.crawl.retry_backoff_seconds,
        "LOG_LEVEL": rw.log_level,
    }, priority="project")
    if browser:
        s.set("DOWNLOAD_HANDLERS", PLAYWRIGHT_HANDLERS, priority="project")
    s.setdict(overrides, priority="cmdline")
    return s
