"""regwatch: monitoring crawler for Chinese cybersecurity enforcement news.

Layers, bottom to top: ``regwatch.config`` (settings and bundled data), ``regwatch.classifiers``
and ``regwatch.storage``, ``regwatch.crawler`` and ``regwatch.alerts``, ``regwatch.app`` (CLI,
demo server). A layer imports only the layers below it.
"""

__version__ = "0.1.0"
