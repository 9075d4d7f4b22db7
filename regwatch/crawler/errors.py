"""One readable line for a failed request: HTTP status, DNS, timeout, refused connection …"""

from __future__ import annotations

from typing import Any

#: (exception class path, reason) in the order they are tried; the first match names the failure.
_KNOWN = (
    ("scrapy.exceptions.CannotResolveHostError", "DNS lookup failed"),
    ("scrapy.exceptions.DownloadConnectionRefusedError", "connection refused"),
    ("scrapy.exceptions.DownloadTimeoutError", "timed out"),
    ("scrapy.exceptions.ResponseDataLossError", "response cut short"),
    ("scrapy.exceptions.DownloadCancelledError", "download cancelled (larger than crawl.max_page_bytes?)"),
    ("twisted.internet.error.DNSLookupError", "DNS lookup failed"),
    ("twisted.internet.error.ConnectionRefusedError", "connection refused"),
    ("twisted.internet.error.TimeoutError", "timed out"),
    ("twisted.internet.error.TCPTimedOutError", "timed out"),
    ("twisted.web._newclient.ResponseNeverReceived", "no response (connection lost)"),
    ("twisted.internet.error.ConnectionLost", "connection lost"),
    ("twisted.internet.error.ConnectionDone", "connection closed"),
)


def failure_reason(failure: Any) -> str:
    """A short reason for a Twisted ``Failure`` of a request (never a traceback)."""
    from scrapy.spidermiddlewares.httperror import HttpError
    from scrapy.utils.misc import load_object

    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    for path, reason in _KNOWN:
        try:
            known = load_object(path)
        except (ImportError, AttributeError, NameError):  # a Scrapy or Twisted version without it
            continue
        if failure.check(known):
            return reason
    message = failure.getErrorMessage().strip().splitlines()
    name = getattr(failure.type, "__name__", "error")
    return (f"{name}: {message[0]}" if message else name)[:200]


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"
