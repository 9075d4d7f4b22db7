"""The classify and eval click commands."""
from __future__ import annotations

import json

from click.testing import CliRunner

from regwatch.app.commands.classify import classify_cmd, eval_cmd


def test_classify_jsonl_reports_bad_lines_and_continues():
    rows = [json.dumps({"id": "x1", "title": "", "text": "某区网信办对某公司罚款5万元。"}, ensure_ascii=False),
            "{not json", json.dumps({"id": "x2", "title": "新规", "text": "某标准发布。"}, ensure_ascii=False)]
    result = CliRunner().invoke(classify_cmd, ["-"], input="\n".join(rows) + "\n")
    assert result.exit_code == 1
    assert "line 2" in result.stderr
    preds = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["id"] for p in preds] == ["x1", "x2"]
    assert preds[0]["is_enforcement"] and preds[0]["cases"][0]["fine_org_yuan"] == 50000
    assert not preds[1]["is_enforcement"]


def test_classify_plain_text_article():
    article = "某公司被罚\n某市警方对某公司予以警告，责令限期整改。\n"
    refused = CliRunner().invoke(classify_cmd, ["-"], input=article)
    assert refused.exit_code == 1 and "--plain" in refused.stderr and not refused.stdout
    result = CliRunner().invoke(classify_cmd, ["--plain", "-"], input=article)
    assert result.exit_code == 0
    pred = json.loads(result.stdout)
    assert pred["is_enforcement"] and pred["cases"][0]["penalties"] == ["警告", "责令改正"]


def test_eval_requires_the_scorer(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("", encoding="utf-8")
    result = CliRunner().invoke(eval_cmd, [str(gold), "--scorer", str(tmp_path / "missing.py")])
    assert result.exit_code != 0 and "scorer not found" in result.output
