"""Reports for analysts: the weekly spreadsheet (``export``) and the figures reports open with (``stats``).

Layer: above storage, beside crawler and alerts; reads cases through ``regwatch.storage.case_query``.
"""

from regwatch.reports.export import COLUMNS, ExportError, export_cases, neutralise
from regwatch.reports.period import Period, parse_period
from regwatch.reports.stats import CaseStats, collect_stats

__all__ = ["COLUMNS", "CaseStats", "ExportError", "Period", "collect_stats", "export_cases", "neutralise",
           "parse_period"]
