"""The analysts' spreadsheet: one row per case, the report's columns, CSV (UTF-8 with BOM) or XLSX.

Cells hold crawled text: a value a spreadsheet would evaluate (starting with = + - @, a tab or a
carriage return) gets a leading apostrophe, control characters are dropped and cells are bounded.
Rows are streamed from the database and written as they come, so memory stays flat.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from regwatch import clock
from regwatch.storage.case_query import CaseFilter, CaseRow, iter_cases

COLUMNS = ("案例名称", "发布日期", "执法机关", "地区", "所属行业", "违法/犯罪主体", "违法/犯罪性质", "影响范围",
           "触犯法条", "机构责任", "涉及领域", "处罚", "罚款(元, 单位)", "罚款(元, 个人)", "一案双查", "内部人员",
           "来源", "链接")
FORMATS = ("csv", "xlsx")
LIST_SEPARATOR = "、"
MAX_CELL_CHARS = 32_000  # Excel holds at most 32,767 characters in a cell
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STATUTE = re.compile(r"^(?P<law>[^:]+):(?P<article>\d+)(?P<rest>.*)$")


class ExportError(Exception):
    """The export cannot be written (bad format, unwritable file); the message is one line."""


def neutralise(value: str) -> str:
    """Text that no spreadsheet evaluates: control characters dropped, a formula start quoted, bounded."""
    if not value.isprintable():
        value = _CONTROL.sub("", value)
    value = value[:MAX_CELL_CHARS]
    return "'" + value if value.startswith(_FORMULA_START) else value


def readable_statute(code: str) -> str:
    """``网络安全法:27`` → ``《网络安全法》第27条``; ``刑法:253之一`` → ``《刑法》第253条之一``."""
    m = _STATUTE.match(code)
    return f"《{m['law']}》第{m['article']}条{m['rest']}" if m else code


def _joined(values: Iterable[Any]) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values if v not in (None, ""))


@lru_cache(maxsize=16384)
def _label_cell(values: tuple[Any, ...]) -> str:
    """A list of labels as one neutralised cell (label lists repeat from case to case)."""
    return neutralise(_joined(values))


@lru_cache(maxsize=4096)
def _short_cell(value: str | None) -> str:
    """A one-word field (authority, province, industry …): few distinct values, neutralised once each."""
    return neutralise(value or "")


@lru_cache(maxsize=4096)
def _local_day(instant: datetime | None, _zone: Any) -> str:
    """The local date of an instant (cases of a period share few distinct publish times); keyed by zone too."""
    return "" if instant is None else clock.to_local(instant).date().isoformat()


@lru_cache(maxsize=16384)
def _statutes_cell(codes: tuple[str, ...]) -> str:
    return neutralise(_joined(readable_statute(c) for c in codes))


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def case_cells(row: CaseRow) -> list[str | int | None]:
    """The row of ``COLUMNS`` for one case; numbers stay numbers, text is neutralised."""
    title = row.title if row.cases_in_article <= 1 else f"{row.title}（案例{row.position + 1}）"
    person = row.fine_person_yuan
    return [
        neutralise(title), _local_day(row.published_at, clock.local_zone()), _short_cell(row.authority), _short_cell(row.province),
        _short_cell(row.industry), _label_cell(row.subject), _label_cell(row.nature), _label_cell(row.impact),
        _statutes_cell(row.statutes), _short_cell(row.responsibility), _short_cell(row.domain),
        _label_cell(row.penalties), row.fine_org_yuan,
        person[0] if len(person) == 1 else _label_cell(person) if person else None,
        _yes(row.one_case_two_checks), _yes(row.insider), _label_cell(tuple(row.sources)),
        neutralise(_joined(row.urls))]


def format_for(path: Path, fmt: str | None) -> str:
    """The format asked for, else the file's suffix; ExportError when neither names csv or xlsx."""
    if fmt:
        if fmt.lower() not in FORMATS:
            raise ExportError(f"--format {fmt!r}: expected csv or xlsx")
        return fmt.lower()
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ExportError(f"{path}: cannot tell the format from the suffix {path.suffix or '(none)'!r}; "
                          "name the file .csv or .xlsx or give --format")
    return suffix


def _write_csv(out: Any, rows: Iterator[list[Any]]) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    n = 0
    for n, cells in enumerate(rows, 1):
        writer.writerow(["" if c is None else c for c in cells])
    return n


def _write_xlsx(path: Path, rows: Iterator[list[Any]]) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案例")
    ws.freeze_panes = "A2"
    ws.append(COLUMNS)
    n = 0
    for n, cells in enumerate(rows, 1):
        ws.append(cells)
    wb.save(path)
    return n


def export_cases(engine: Engine, flt: CaseFilter, path: Path, fmt: str | None = None) -> int:
    """Write the matching cases to ``path`` (replaced only once complete); returns the number of rows."""
    fmt = format_for(path, fmt)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write in {folder}: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    rows = (case_cells(r) for r in iter_cases(engine, flt))
    try:
        if fmt == "csv":
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
                n = _write_csv(out, rows)
        else:
            os.close(fd)
            n = _write_xlsx(tmp, rows)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n
