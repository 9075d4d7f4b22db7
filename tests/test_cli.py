"""The CLI explains itself, refuses an old schema, exits 2 on bad config, writes safe digests."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import re
import shlex

import click
import pytest
from click.testing import CliRunner

from regwatch.app.cli import cli
from regwatch.config import SourceConfig
from regwatch.storage import ArticleRecord, ArticleStore, make_engine, sync_sources


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "sources.yaml").write_text(
        'sources:\n  - {id: demo-feed, name: 网信测试, kind: feed, start_urls: ["https://a.example/rss"], authority: 网信}\n',
        encoding="utf-8")
    p = tmp_path / "regwatch.yaml"
    p.write_text(f"database_url: sqlite:///{tmp_path}/r.db\nsources_file: {tmp_path}/sources.yaml\n"
                 f"digest_dir: {tmp_path}/digests\n", encoding="utf-8")
    return p


def run(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def _help_texts(command: click.Command, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    out = {path: CliRunner().invoke(cli, [*path, "--help"]).output}
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            out |= _help_texts(sub, (*path, name))
    return out


EXAMPLE = re.compile(r"^[ \t]*(?:[A-Z_]+=\S+[ \t]+)*regwatch[ \t]+([a-z].*?)(?:[ \t]{2,}|$)", re.M)


def test_every_example_in_the_help_is_a_command_that_parses():
    """The --help is the manual: each `regwatch …` example in it names real commands and options."""
    examples = {m.group(1) for text in _help_texts(cli).values() for m in EXAMPLE.finditer(text)}
    assert len(examples) >= 8, examples
    for example in sorted(examples):
        result = CliRunner().invoke(cli, [*shlex.split(example), "--help"])
        assert result.exit_code == 0, (example, result.output)
        assert "Usage: cli " + example.split()[0] in result.output.replace("regwatch", "cli"), (example, result.output)


def test_version_comes_from_the_package_metadata():
    from importlib.metadata import version

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and version("regwatch") in result.output


def test_environment_overrides_a_nested_setting_and_names_the_variable(config, monkeypatch):
    monkeypatch.setenv("REGWATCH_CRAWL__WINDOW_DAYS", "0")
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check"])
    assert result.exit_code == 2
    assert "crawl.window_days" in result.stderr and "REGWATCH_CRAWL__WINDOW_DAYS" in result.stderr


def test_config_check_passes_and_fails_with_exit_2(config, tmp_path):
    ok = run(config, "config", "check")
    assert ok.exit_code == 0 and "configuration is valid" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("crawl:\n  concurrent_per_domain: 99\n  colour: red\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "config", "check"])
    assert result.exit_code == 2
    assert "crawl.concurrent_per_domain" in result.output and "crawl.colour: unknown key" in result.output
    assert "Traceback" not in result.output


def test_commands_refuse_a_schema_that_is_behind(config):
    result = run(config, "sources", "list")
    assert result.exit_code == 2 and "regwatch db upgrade" in result.output
    assert run(config, "db", "upgrade").exit_code == 0
    listed = run(config, "sources", "list")
    assert listed.exit_code == 0 and "demo-feed" in listed.output and "never crawled" in listed.output


def test_digest_escapes_crawled_text_and_never_repeats(config, tmp_path):
    assert run(config, "db", "upgrade").exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path}/r.db")
    sync_sources(engine, [SourceConfig(id="demo-feed", name="x", kind="feed", start_urls=["https://a.example"], authority="网信")])
    now = datetime.now(timezone.utc)
    ArticleStore(engine).save_article(
        ArticleRecord("https://a.example/1", "javascript:alert(1)", "demo-feed", "<script>alert(1)</script>某公司被罚",
                      "正文", now, now, "h1", 2, True),
        [{"fingerprint": "f1", "authority": "网信", "province": "上海", "penalties": ["罚款"], "fine_org_yuan": 500000,
          "summary": "<img src=x onerror=alert(1)>案情"}])
    first = run(config, "digest")
    files = sorted((tmp_path / "digests").iterdir())
    assert first.exit_code == 0 and [f.suffix for f in files] == [".html", ".txt"]
    html = files[0].read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img" not in html
    assert 'href="javascript:' not in html
    assert "50万元" in files[1].read_text(encoding="utf-8")
    second = run(config, "digest")
    assert "no new cases" in second.output and len(list((tmp_path / "digests").iterdir())) == 2
