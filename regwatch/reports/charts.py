"""``CaseStats`` as one PNG of bar charts (matplotlib, Agg), labelled in Chinese with a CJK font.

The font is looked up among the installed ones (``CJK_FAMILIES``; Debian: ``fonts-wqy-microhei``
or ``fonts-noto-cjk``, which ``.ci/run`` and ``deploy/Dockerfile`` install) unless a font file is
given; with none, ``NoCJKFont`` says what to install instead of drawing boxes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from regwatch.reports.stats import CaseStats

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback")
CJK_FILE_HINTS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehan", "droidsansfallback", "simhei", "msyh", "uming")
TOP = 10


class NoCJKFont(Exception):
    """No font that can draw Chinese was found."""


def cjk_font(font_file: Path | None = None) -> str:
    """The family name of a CJK font matplotlib can use (registering ``font_file`` when given)."""
    from matplotlib import font_manager

    if font_file is not None:
        if not font_file.is_file():
            raise NoCJKFont(f"font file {font_file} not found")
        font_manager.fontManager.addfont(str(font_file))
        return font_manager.FontProperties(fname=str(font_file)).get_name()
    for rescan in (False, True):
        if rescan:  # matplotlib's font cache predates a font installed since: look at the system's fonts again
            for path in font_manager.findSystemFonts():
                if any(k in Path(path).name.lower() for k in CJK_FILE_HINTS):
                    font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in installed:
                return family
    raise NoCJKFont("no CJK font found for the chart labels: install one (Debian/Ubuntu: apt-get install "
                    "fonts-wqy-microhei, or fonts-noto-cjk) or pass --font FILE.ttf/.ttc/.otf")


def _bars(ax, counter: Counter[str], title: str, colour: str) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.ticker import MaxNLocator

    items = counter.most_common(TOP)[::-1]
    labels, values = [k for k, _ in items], [v for _, v in items]
    ax.barh(labels, values, color=colour, height=0.6 if len(values) > 3 else 0.4)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=12)
    for y, v in enumerate(values):
        ax.text(v, y, f" {v}", va="center", fontsize=9)
    ax.set_xlim(0, max(values, default=1) * 1.18)
    ax.tick_params(axis="y", labelsize=9)
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def render_chart(stats: CaseStats, path: Path, period_label: str, *, font_file: Path | None = None) -> None:
    """Draw the report's opening charts into ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    family = cjk_font(font_file)
    with matplotlib.rc_context({"font.family": [family], "font.sans-serif": [family], "axes.unicode_minus": False}):
        fig, axes = plt.subplots(3, 3, figsize=(16, 14), dpi=110)
        fines = f"{stats.fines_total_yuan / 10_000:,.1f} 万元"
        fig.suptitle(f"网络安全执法案例统计  {period_label}  共 {stats.cases} 起，罚款合计 {fines}", fontsize=16)
        panels = [
            (stats.by_industry, "所属行业", "#4472c4"),
            (stats.by_authority, "执法机关", "#ed7d31"),
            (stats.by_province, "地区", "#70ad47"),
            (stats.by_subject, "违法/犯罪主体", "#5b9bd5"),
            (stats.by_nature, "违法/犯罪性质", "#a5a5a5"),
            (stats.by_domain, "涉及领域（数据安全 / 个人信息）", "#ffc000"),
            (Counter({"行政处罚": stats.administrative, "刑事处罚": stats.criminal}), "行政 / 刑事", "#c00000"),
            (Counter({"一案双查": stats.one_case_two_checks, "内部人员": stats.insider,
                      "有罚款": stats.fined_cases}), "一案双查、内部人员、罚款", "#7030a0"),
            (stats.statutes, "触犯法条（前十）", "#264478"),
        ]
        for ax, (counter, title, colour) in zip(axes.flat, panels):
            _bars(ax, counter, title, colour)
        fig.tight_layout(rect=(0, 0, 1, 0.96))
        fig.savefig(path, format="png")
        plt.close(fig)
