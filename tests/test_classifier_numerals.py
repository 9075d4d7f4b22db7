"""Numerals and fine amounts: the converter against cn2an, and amounts in decision sentences."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regwatch.classifiers import EnforcementClassifier
from regwatch.classifiers.numerals import amount_to_yuan, cn_to_int

cn2an = pytest.importorskip("cn2an")


@pytest.fixture(scope="module")
def clf() -> EnforcementClassifier:
    return EnforcementClassifier()


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=10**13 - 1))
def test_cn_to_int_round_trips_cn2an(n: int) -> None:
    assert cn_to_int(cn2an.an2cn(n)) == n
    assert cn_to_int(cn2an.an2cn(n, "up")) == n  # financial capitals 壹贰叁 / 拾佰仟


@pytest.mark.parametrize("text, value", [
    ("一亿二千万", 120_000_000), ("两亿五千万", 250_000_000), ("5千万", 50_000_000),
    ("一百一十万", 1_100_000), ("十五", 15), ("二千零五", 2005), ("2亿5000万", 250_000_000),
])
def test_cn_to_int_big_units(text: str, value: int) -> None:
    assert cn_to_int(text) == value


def test_cn_to_int_rejects_non_numerals() -> None:
    assert cn_to_int("第") is None
    assert cn_to_int("") is None


@pytest.mark.parametrize("number, unit, yuan", [("5", "千万", 50_000_000), ("1.2", "万", 12_000), ("3", "百万", 3_000_000)])
def test_amount_to_yuan_compound_units(number: str, unit: str, yuan: int) -> None:
    assert amount_to_yuan(number, unit) == yuan


@pytest.mark.parametrize("text, org", [
    ("市网信办依法对该公司处罚款两亿五千万元。", 250_000_000),
    ("区公安分局对涉事公司罚款5千万元。", 50_000_000),
    ("县网信办对该平台罚款一亿二千万元。", 120_000_000),
])
def test_fine_amounts_in_decisions(clf: EnforcementClassifier, text: str, org: int) -> None:
    case = clf.classify("", text).cases[0]
    assert case.fine_org_yuan == org


def test_provision_range_is_not_added_to_the_fine(clf: EnforcementClassifier) -> None:
    text = ("市网信办对该科技公司罚款8万元。根据该法规定，情节严重的，处五十万元以下罚款，"
            "对直接负责的主管人员处一万元以上十万元以下罚款。")
    case = clf.classify("", text).cases[0]
    assert case.fine_org_yuan == 80_000
    assert case.fine_person_yuan == []


def test_fines_on_persons_and_on_the_organisation_kept_apart(clf: EnforcementClassifier) -> None:
    text = ("经查，该物流公司未履行数据安全保护义务。区网信办依法对该公司处罚款十二万元，"
            "对直接负责的主管人员王某处罚款二万元，对其他直接责任人员处罚款一万元。")
    case = clf.classify("", text).cases[0]
    assert case.fine_org_yuan == 120_000
    assert sorted(case.fine_person_yuan) == [10_000, 20_000]
