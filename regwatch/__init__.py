"""regwatch: monitoring crawler for Chinese cybersecurity enforcement news."""

from pathlib import Path

__version__ = "0.1.0"

#: The checkout (or install) root: it holds ``config/``, ``scrapy.cfg`` and ``demo/``.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
