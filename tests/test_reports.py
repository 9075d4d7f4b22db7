"""Reports: the analysts' CSV / XLSX (read back with csv and openpyxl) and the stats with their chart."""

from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from regwatch import clock
from regwatch.app.cli import cli
from regwatch.config import SourceConfig
from regwatch.reports.export import COLUMNS, ExportError, export_cases, neutralise, readable_statute
from regwatch.reports.period import parse_period, parse_week
from regwatch.reports.stats import collect_stats
from regwatch.storage import ArticleRecord, ArticleStore, sync_sources
from regwatch.storage.case_query import CaseFilter

SOURCES = [SourceConfig(id="cac", name="中国网信网", kind="cac", start_urls=["https://example.org/"], authority="网信"),
           SourceConfig(id="secrss", name="安全内参", kind="secrss", start_urls=["https://example.org/"], authority="媒体")]
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR"]
# 2024-W23 is Monday 2024-06-03 … Sunday 2024-06-09 (Beijing time).
WEEK = parse_week("2024-W23")


def card(n: int, **kw) -> dict:
    values = dict(industry="金融", subject=["政企机构"], nature=["建设运维管理疏失"], impact=["公众利益"],
                  statutes=["数据安全法:27", "刑法:253之一"], responsibility="未履行安全保护义务", domain="数据安全",
                  authority="网信", province="浙江", penalties=["罚款", "责令改正"], fine_org_yuan=100_000 + n,
                  fine_person_yuan=[], one_case_two_checks=False, insider=False, keywords=[], fingerprint=f"fp-{n}",
                  summary="")
    values.update(kw)
    return values


def save(store: ArticleStore, n: int, title: str, published: datetime | None, cards: list[dict],
         source: str = "cac") -> None:
    url = f"https://example.org/{source}/{n}"
    store.save_article(ArticleRecord(canonical_url=url, url=url, source_id=source, title=title, text=f"正文 {n}",
                                     published_at=published, fetched_at=clock.now(), content_hash=f"h{n}",
                                     raw_size=10, is_enforcement=True), cards)


@pytest.fixture
def cases(engine):
    """Cases in 2024-W23 (hostile titles, a date-only article, a two-case article, a case two outlets report) and outside it."""
    sync_sources(engine, SOURCES)
    store = ArticleStore(engine)
    inside = clock.local_midnight(date(2024, 6, 5))
    for i, title in enumerate(HOSTILE):
        save(store, i, title, inside, [card(i)])
    # Date-only article of Sunday 2024-06-09, stored as Beijing midnight = 2024-06-08 16:00 UTC.
    save(store, 10, "某银行数据泄露被罚", clock.local_midnight(date(2024, 6, 9)),
         [card(10, subject=["政企机构", "内部人员"], insider=True, one_case_two_checks=True, fine_person_yuan=[50_000],
               penalties=["罚款", "刑事处罚"], domain="个人信息", province="广东")])
    save(store, 11, "两起案件通报", inside, [card(11, industry="医疗卫生"), card(12, authority="公安", fine_org_yuan=None)])
    save(store, 13, "同一案件的转载", inside, [card(0)], source="secrss")  # same fingerprint as case 0: merged
    # Outside the week: Monday 2024-06-10 00:00 Beijing, and Sunday 2024-06-02 23:59 Beijing.
    save(store, 20, "下周的案件", clock.local_midnight(date(2024, 6, 10)), [card(20)])
    save(store, 21, "上周的案件", datetime(2024, 6, 2, 15, 59, tzinfo=timezone.utc), [card(21)])
    return engine


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM so Excel reads the Chinese"
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def read_xlsx(path: Path) -> list[list]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"cell {cell.coordinate} is a formula: {cell.value!r}"
    return [list(r) for r in ws.iter_rows(values_only=True)]


def evaluable(value) -> bool:
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_has_the_report_columns_one_row_per_case_and_no_formula(cases, tmp_path, fmt):
    out = tmp_path / f"w23.{fmt}"
    n = export_cases(cases, CaseFilter(WEEK.since, WEEK.until), out)
    rows = read_csv(out) if fmt == "csv" else read_xlsx(out)
    assert tuple(rows[0]) == COLUMNS
    body = rows[1:]
    # 6 hostile + date-only + 2 of the two-case article; the reprint is merged; 2 outside the week.
    assert n == len(body) == 9
    by_title = {r[0]: dict(zip(COLUMNS, r)) for r in body}
    assert not [c for r in body for c in r if evaluable(c)]
    for title in HOSTILE:
        assert "'" + title in by_title, f"hostile title {title!r} not shown quoted"
    sunday = by_title["某银行数据泄露被罚"]
    assert sunday["发布日期"] == "2024-06-09"
    assert sunday["违法/犯罪主体"] == "政企机构、内部人员"
    assert sunday["触犯法条"] == "《数据安全法》第27条、《刑法》第253条之一"
    assert sunday["一案双查"] == "是" and sunday["内部人员"] == "是"
    assert str(sunday["罚款(元, 个人)"]) == "50000"
    merged = by_title["'" + HOSTILE[0]]
    assert merged["来源"] == "中国网信网、安全内参"
    assert merged["链接"] == "https://example.org/cac/0、https://example.org/secrss/13"
    assert {"两起案件通报（案例1）", "两起案件通报（案例2）"} <= set(by_title)
    assert by_title["两起案件通报（案例2）"]["罚款(元, 单位)"] in ("", None)


def test_export_filters_like_subscriptions(cases, tmp_path):
    out = tmp_path / "f.csv"
    assert export_cases(cases, CaseFilter(WEEK.since, WEEK.until, provinces=["广东"]), out) == 1
    assert export_cases(cases, CaseFilter(WEEK.since, WEEK.until, authorities=["公安"]), out) == 1
    assert export_cases(cases, CaseFilter(WEEK.since, WEEK.until, industries=["医疗卫生", "金融"]), out) == 9
    assert export_cases(cases, CaseFilter(WEEK.since, WEEK.until, industries=["医疗卫生"]), out) == 1


def test_stats_count_the_reports_opening_figures(cases):
    stats = collect_stats(cases, CaseFilter(WEEK.since, WEEK.until))
    assert stats.cases == 9
    assert stats.by_industry == {"金融": 8, "医疗卫生": 1}
    assert stats.by_authority == {"网信": 8, "公安": 1}
    assert stats.by_domain == {"数据安全": 8, "个人信息": 1}
    assert (stats.criminal, stats.administrative) == (1, 8)
    assert (stats.insider, stats.one_case_two_checks) == (1, 1)
    fines = [100_000 + n for n in (0, 1, 2, 3, 4, 5, 10, 11)] + [50_000]
    assert stats.fines_total_yuan == sum(fines)
    assert stats.largest_fines[0].yuan == 100_011
    assert stats.statutes["《数据安全法》第27条"] == 9


def test_neutralise_and_statutes():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("普通标题 =1") == "普通标题 =1"
    assert neutralise("a\x00b\x1bc") == "abc"
    assert len(neutralise("长" * 40_000)) == 32_000
    assert readable_statute("个人信息保护法:66") == "《个人信息保护法》第66条"
    assert readable_statute("odd") == "odd"


def test_periods_are_beijing_weeks_and_inclusive_ranges():
    assert (WEEK.first, WEEK.last) == (date(2024, 6, 3), date(2024, 6, 9))
    assert WEEK.since == datetime(2024, 6, 2, 16, 0, tzinfo=timezone.utc)
    p = parse_period(None, "2024-06-01", "2024-06-30")
    assert p.until == datetime(2024, 6, 30, 16, 0, tzinfo=timezone.utc)
    last_week = parse_period(None, None, None, today=date(2024, 6, 12))
    assert (last_week.first, last_week.label) == (date(2024, 6, 3), "2024-W23")
    for bad in [("2024-W54", None, None), ("24-23", None, None), (None, "2024-06-02", "2024-06-01"),
                (None, "2024-06-01", None), ("2024-W23", "2024-06-01", "2024-06-02"), (None, "June", "2024-06-01")]:
        with pytest.raises(ValueError):
            parse_period(*bad)


def test_export_refuses_what_it_cannot_write(cases, tmp_path):
    flt = CaseFilter(WEEK.since, WEEK.until)
    out = tmp_path / "out"
    out.mkdir()
    (out / "taken.csv").mkdir()
    for path, fmt in [(out / "x.pdf", None), (out / "x.csv", "ods"), (out / "missing" / "x.csv", None),
                      (out / "taken.csv", None)]:
        with pytest.raises(ExportError):
            export_cases(cases, flt, path, fmt)
    assert [p.name for p in out.iterdir()] == ["taken.csv"], "a failed export leaves no partial file"


@pytest.fixture
def config(tmp_path, sqlite_url):
    from regwatch.storage.db import make_engine, upgrade_schema

    upgrade_schema(make_engine(sqlite_url))
    path = tmp_path / "regwatch.yaml"
    path.write_text(yaml.safe_dump({"database_url": sqlite_url}), encoding="utf-8")
    return path


@pytest.mark.parametrize("args, message", [
    (["export", "--week", "2024-23"], "expected an ISO week like 2024-W23"),
    (["export", "--from", "2024-06-09", "--to", "2024-06-01"], "is after --to"),
    (["export", "--week", "2024-W23", "--format", "pdf"], "expected csv or xlsx"),
    (["export", "--week", "2024-W23", "-o", "/nonexistent-dir/x.csv"], "does not exist"),
    (["stats", "--week", "2024-W23", "--chart", "x.jpg"], "PNG"),
])
def test_cli_bad_input_is_one_line_and_exit_2(config, args, message):
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_stats_chart_is_a_png_whose_font_draws_every_label(cases, tmp_path):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from regwatch.reports.charts import NoCJKFont, cjk_font, render_chart

    try:
        family = cjk_font()
    except NoCJKFont as exc:
        pytest.fail(f"{exc} (.ci/run installs fonts-wqy-microhei)")
    stats = collect_stats(cases, CaseFilter(WEEK.since, WEEK.until))
    out = tmp_path / "w23.png"
    render_chart(stats, out, "2024-W23")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
    font = FT2Font(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    labels = "".join([*stats.by_industry, *stats.by_subject, *stats.by_nature, *stats.statutes, "网络安全执法案例统计行政刑事一案双查"])
    missing = {ch for ch in labels if not ch.isspace() and font.get_char_index(ord(ch)) == 0}
    assert not missing, f"font {family} has no glyph for {missing}: the chart would show boxes"
