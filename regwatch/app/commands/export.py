"""``regwatch export`` (the analysts' spreadsheet) and ``regwatch stats`` (the report's opening figures)."""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter
from pathlib import Path

import click

EXIT_USAGE = 2


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _period(week: str | None, first: str | None, last: str | None):  # type: ignore[no-untyped-def]
    from regwatch.reports.period import parse_period

    try:
        return parse_period(week, first, last)
    except ValueError as exc:
        _fail(str(exc))


def _filter(period, industry: tuple[str, ...] = (), province: tuple[str, ...] = (), authority: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    from regwatch.storage.case_query import CaseFilter

    return CaseFilter(period.since, period.until, industry, province, authority)


_period_options = [
    click.option("--week", metavar="YYYY-Www", help="ISO week in Beijing time, e.g. 2024-W23."),
    click.option("--from", "first", metavar="DATE", help="First day (Beijing time), e.g. 2024-06-03."),
    click.option("--to", "last", metavar="DATE", help="Last day, inclusive."),
]


def period_options(f):  # type: ignore[no-untyped-def]
    for option in reversed(_period_options):
        f = option(f)
    return f


@click.command("export")
@period_options
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="File to write (default: cases-PERIOD.csv in the current folder).")
@click.option("--format", "fmt", metavar="csv|xlsx", help="Output format (default: from the file suffix).")
@click.option("--industry", multiple=True, metavar="NAME", help="Only this industry (repeatable), e.g. 金融.")
@click.option("--province", multiple=True, metavar="NAME", help="Only this province (repeatable), e.g. 浙江.")
@click.option("--authority", multiple=True, metavar="NAME", help="Only this authority (repeatable): 网信, 公安 …")
@click.pass_obj
def export_cmd(app, week, first, last, output, fmt, industry, province, authority) -> None:  # type: ignore[no-untyped-def]
    """Write the cases of a week or a date range as a spreadsheet: one row per case.

    Columns as in the reports: 案例名称, 发布日期, 执法机关, 地区, 所属行业, 违法/犯罪主体,
    违法/犯罪性质, 影响范围, 触犯法条, 机构责任, 涉及领域, 处罚, 罚款(元, 单位), 罚款(元, 个人),
    一案双查, 内部人员, 来源, 链接 (every outlet that reported the case). Dates are Beijing time;
    lists are joined with 、. CSV is UTF-8 with BOM (Excel shows the Chinese); a cell that a
    spreadsheet would evaluate (starting with = + - @, tab, CR) gets a leading apostrophe.
    Without --week or --from/--to: the last complete week. Bad options exit 2.

    \b
    Examples:
      regwatch export --week 2024-W23 -o 2024-W23.xlsx
      regwatch export --from 2024-06-01 --to 2024-06-30 -o june.csv --authority 网信
      regwatch export --week 2024-W23 --industry 金融 --industry 医疗卫生 -o finance.csv
    """
    from regwatch.reports.export import ExportError, export_cases

    period = _period(week, first, last)
    output = output or Path(f"cases-{period.label}.{(fmt or 'csv').lower()}")
    engine = app.engine()
    try:
        n = export_cases(engine, _filter(period, industry, province, authority), output, fmt)
    except ExportError as exc:
        _fail(str(exc))
    click.echo(f"{output}: {n} cases, {period.first} – {period.last} (北京时间)")


def _padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (Chinese characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


def _table(title: str, counter: Counter[str], total: int, top: int) -> None:
    click.echo(f"\n{title}")
    if not counter:
        click.echo("  (none)")
    for name, n in counter.most_common(top):
        share = f"{100 * n / total:5.1f}%" if total else ""
        click.echo(f"  {_padded(name, 34)}{n:6}  {share}")


def _yuan(v: int) -> str:
    return f"{v / 10_000:,.1f} 万元" if v >= 10_000 else f"{v:,} 元"


@click.command("stats")
@period_options
@click.option("--chart", type=click.Path(path_type=Path, dir_okay=False), help="Also draw the figures into this PNG.")
@click.option("--font", type=click.Path(path_type=Path, dir_okay=False),
              help="CJK font file for the chart (default: an installed Noto CJK / WenQuanYi font).")
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True, help="Rows per table.")
@click.pass_obj
def stats_cmd(app, week, first, last, chart, font, top) -> None:  # type: ignore[no-untyped-def]
    """The figures a report opens with, over the cases of a week or date range (Beijing time).

    Cases by industry, authority, province, subject and nature; 数据安全 vs 个人信息; 一案双查
    and insider counts; administrative vs criminal (刑事处罚); total and largest fines; the
    most-cited statutes. --chart FILE.png draws them as bar charts with Chinese labels.

    \b
    Examples:
      regwatch stats --from 2024-01-01 --to 2024-06-30
      regwatch stats --week 2024-W23 --chart w23.png
    """
    from regwatch.reports.charts import NoCJKFont, cjk_font, render_chart
    from regwatch.reports.stats import collect_stats

    period = _period(week, first, last)
    if chart is not None:
        if chart.suffix.lower() != ".png":
            _fail(f"--chart {chart}: the chart is a PNG file (name it .png)")
        try:
            cjk_font(font)
        except NoCJKFont as exc:
            _fail(str(exc))
    stats = collect_stats(app.engine(), _filter(period))
    total = stats.cases
    click.echo(f"{period.first} – {period.last} (北京时间): {total} cases")
    _table("所属行业", stats.by_industry, total, top)
    _table("执法机关", stats.by_authority, total, top)
    _table("地区", stats.by_province, total, top)
    _table("违法/犯罪主体", stats.by_subject, total, top)
    _table("违法/犯罪性质", stats.by_nature, total, top)
    _table("涉及领域", stats.by_domain, total, top)
    _table("行政 / 刑事", Counter({"行政处罚": stats.administrative, "刑事处罚": stats.criminal}), total, top)
    _table("一案双查 / 内部人员", Counter({"一案双查": stats.one_case_two_checks, "内部人员": stats.insider}), total, top)
    click.echo(f"\n罚款: {stats.fined_cases} cases fined, total {_yuan(stats.fines_total_yuan)}")
    for fine in stats.largest_fines:
        click.echo(f"  {_yuan(fine.yuan):>14}  {fine.payer}  {fine.title[:60]}")
    _table("触犯法条", stats.statutes, total, top)
    if chart is not None:
        try:
            render_chart(stats, chart, f"{period.first} – {period.last}", font_file=font)
        except OSError as exc:
            _fail(f"--chart {chart}: cannot write: {exc.strerror or exc}")
        click.echo(f"\nchart: {chart}")
