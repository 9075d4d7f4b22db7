"""Edition conventions follow the case's own date (editions.yaml), not any year in the text."""
from __future__ import annotations

import datetime

import pytest

from regwatch.classifiers import EnforcementClassifier, classify

INSIDER_2019 = ("2019年5月，某银行支行员工张某利用工作便利，查询并出售客户个人信息3000余条。"
                "当地公安机关以涉嫌侵犯公民个人信息罪对张某刑事拘留。")
NOTE_2021 = "（注：《中华人民共和国个人信息保护法》已于2021年11月1日起施行。）"
NO_YEAR = ("某银行支行员工张某利用工作便利，查询并出售客户个人信息3000余条。"
           "当地公安机关以涉嫌侵犯公民个人信息罪对张某刑事拘留。")


@pytest.fixture(scope="module")
def clf() -> EnforcementClassifier:
    return EnforcementClassifier()


def statutes(result) -> list[str]:
    return result.cases[0].statutes


def test_old_case_keeps_old_edition_print(clf):
    assert "刑法:253" in statutes(clf.classify("", INSIDER_2019))


def test_a_law_date_in_the_text_does_not_switch_the_edition(clf):
    result = clf.classify("", INSIDER_2019 + NOTE_2021)
    assert "刑法:253" in statutes(result) and "刑法:253之一" not in statutes(result)


def test_a_later_case_date_switches_the_edition(clf):
    text = INSIDER_2019.replace("2019年5月", "2023年5月")
    assert "刑法:253之一" in statutes(clf.classify("", text))


@pytest.mark.parametrize("published, expected", [
    (datetime.date(2019, 8, 1), "刑法:253"),
    (datetime.date(2024, 3, 1), "刑法:253之一"),
    (None, "刑法:253之一"),  # no date at all: no dated convention applies
])
def test_publication_date_dates_a_case_without_a_year(clf, published, expected):
    assert expected in statutes(clf.classify("", NO_YEAR, published=published))


def test_case_year_prefers_the_text_over_the_publication_date(clf):
    assert clf.editions.case_year("2019年3月，某公司被罚。", datetime.date(2024, 1, 1)) == 2019
    assert clf.editions.case_year("依据2021年修订的条例，某公司被罚。", datetime.date(2020, 1, 1)) == 2020


@pytest.mark.parametrize("title, text, published, year", [
    ("湖南网警“净网2019”典型案例", "某公司被罚。", None, 2019),  # a campaign named with its year
    ("护网—2025 | 某医院被警告", "某医院被警告。", datetime.date(2026, 1, 5), 2025),  # the title beats the publication date
    ("2020年某市典型案例", "某公司被罚。", None, 2020),
    ("某公司被罚", "2019年3月，某公司被罚。", None, 2019),  # the case text beats the title
    ("", "某公司违反《数据安全法》第二十七条，被罚款5万元。", None, 2021),  # no date: not older than its law
    ("", "某公司违反《数据安全法》第二十七条，被罚款5万元。", datetime.date(2024, 3, 1), 2024),
    ("", "某公司违反《网络安全法》第二十一条，被罚款5万元。", None, None),
])
def test_a_case_without_a_date_of_its_own_is_dated_by_title_campaign_or_law(clf, title, text, published, year):
    assert clf.editions.case_year(text, published, title) == year


def test_a_campaign_year_in_the_title_dates_the_conventions_of_a_case(clf):
    assert "刑法:253" in statutes(clf.classify("“净网2019”专项行动典型案例", NO_YEAR))
    assert "刑法:253之一" in statutes(clf.classify("“净网2023”专项行动典型案例", NO_YEAR))


def test_loan_fraud_is_175_of_1_and_printed_175_by_the_old_edition(clf):
    base = "王某伪造购销合同，向某农商银行骗取贷款300万元。法院以骗取贷款罪判处王某有期徒刑二年。"
    assert "刑法:175之一" in statutes(clf.classify("", "2023年，" + base))
    assert "刑法:175" in statutes(clf.classify("", "2019年，" + base))


def test_module_level_classify_accepts_published():
    result = classify("", NO_YEAR, published=datetime.date(2019, 8, 1))
    assert "刑法:253" in result.cases[0].statutes
