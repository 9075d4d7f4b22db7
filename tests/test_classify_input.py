"""`regwatch classify` on hostile input: each bad line named (FILE: line N: reason), the good
lines still classified, non-JSONL input refused unless --plain, exit status 1 on any bad line."""

from __future__ import annotations

import codecs
import json

import pytest
from click.testing import CliRunner

from regwatch.app.commands.classify import MAX_JSON_DEPTH, classify_cmd

GOOD = json.dumps({"id": "good", "title": "处罚", "text": "某区网信办对某公司罚款5万元。"}, ensure_ascii=False).encode()


pytestmark = pytest.mark.usefixtures("shared_classifier")


def classify(data: bytes, *args: str):
    return CliRunner().invoke(classify_cmd, [*args, "-"], input=data)


def ids(result) -> list:  # type: ignore[no-untyped-def]
    return [json.loads(line)["id"] for line in result.stdout.split("\n") if line]


@pytest.mark.parametrize("bad, reason", [
    (b'{"id": "x", "title": "\xff\xfe", "text": "t"}', "not UTF-8"),
    (b'{"id": "x", "title": ', "not JSON"),
    (b"[" * 5000 + b"]" * 5000, "JSON nested deeper"),
    (b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", "JSON nested deeper"),
    (b'{"a": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b', "text": "t"}', "JSON nested deeper"),
    (b'{"id": "x"}', "no 'title' and no 'text'"),
    (b'{"id": "x", "title": "  ", "text": ""}', "no 'title' and no 'text'"),
    (b'{"id": "x", "title": 5, "text": "t"}', "'title' must be a string"),
    (b'{"id": "x", "text": ["t"]}', "'text' must be a string"),
    (b'{"id": {"a": 1}, "text": "t"}', "'id' must be a string or an integer"),
    (b'{}', "no 'title' and no 'text'"),
    (b"", "empty line"),
    (b"42", "expected a JSON object, got int"),
    (b'"just a string"', "expected a JSON object, got str"),
    (b"null", "expected a JSON object, got NoneType"),
])
def test_each_bad_line_is_named_and_the_others_are_classified(bad, reason):
    result = classify(GOOD + b"\n" + bad + b"\n" + GOOD.replace(b'"good"', b'"after"') + b"\n")
    assert result.exit_code == 1
    assert f"-: line 2: {reason}" in result.stderr, result.stderr
    assert ids(result) == ["good", "after"]
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_clean_file_exits_0_and_keeps_ids_and_line_numbers():
    rows = GOOD + b"\n" + json.dumps({"title": "无编号", "text": "某公司被约谈。"}, ensure_ascii=False).encode() + b"\n"
    result = classify(rows)
    assert result.exit_code == 0 and not result.stderr
    assert ids(result) == ["good", 2]


def test_a_bom_is_stripped_and_the_file_accepted():
    result = classify(codecs.BOM_UTF8 + GOOD + b"\n")
    assert result.exit_code == 0 and ids(result) == ["good"]


def test_u2028_inside_a_json_string_does_not_split_the_row():
    row = json.dumps({"id": "ls", "title": "处罚", "text": "某区网信办\u2028对某公司罚款5万元。\u2029"}, ensure_ascii=False)
    result = classify(row.encode() + b"\n")
    assert result.exit_code == 0, result.stderr
    assert ids(result) == ["ls"]
    assert result.stdout.splitlines() == result.stdout.split("\n")[:-1], "U+2028 must be escaped in the output"


def test_crlf_line_ends_are_accepted():
    result = classify(GOOD + b"\r\n" + GOOD + b"\r\n")
    assert result.exit_code == 0 and ids(result) == ["good", "good"]


@pytest.mark.parametrize("data, reason", [
    (b"", "empty input"),
    (b"\n\n  \n", "empty input"),
    (b'[{"id": "a", "text": "t"}]', "a JSON array"),
    ("某公司被罚\n某市警方对某公司予以警告。\n".encode(), "not JSON Lines"),
    (b"\xff\xfe\x00garbage", "not JSON Lines"),
])
def test_input_that_is_not_jsonl_is_refused(data, reason):
    result = classify(data)
    assert result.exit_code == 1
    assert reason in result.stderr and "--plain" in result.stderr
    assert result.stdout == ""


def test_plain_says_the_input_is_one_article():
    result = classify("某公司被罚\n某市警方对某公司予以警告，责令限期整改。\n".encode(), "--plain")
    assert result.exit_code == 0 and json.loads(result.stdout)["is_enforcement"]
    assert classify(b"\xff\xfe", "--plain").exit_code == 1
    assert "empty input" in classify(b"  \n", "--plain").stderr


def test_a_line_longer_than_the_limit_is_refused_and_reading_goes_on(monkeypatch):
    from regwatch.app.commands import classify as module

    monkeypatch.setattr(module, "MAX_LINE_BYTES", 100)
    long_row = json.dumps({"id": "long", "text": "某" * 200}, ensure_ascii=False).encode()
    result = classify(GOOD + b"\n" + long_row + b"\n" + GOOD + b"\n")
    assert result.exit_code == 1 and "line 2: line longer than 100 bytes" in result.stderr
    assert ids(result) == ["good", "good"]
