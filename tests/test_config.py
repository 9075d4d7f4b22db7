"""Settings and sources: validation with key paths, env overrides, secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from regwatch.config import EXAMPLE_SETTINGS, ConfigError, SourceConfig, check_environment, load_settings, load_sources


def write(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_the_example_file_documents_valid_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("REGWATCH_DATA_DIR", str(tmp_path))
    s = load_settings(EXAMPLE_SETTINGS)
    assert s.database_url == f"sqlite:///{tmp_path / 'regwatch.db'}"
    assert s.digest_dir == tmp_path / "digests"
    assert s.sources_file.name == "sources.yaml" and s.sources_file.is_file()
    assert s.crawl.concurrent_per_domain in (1, 2)


def test_relative_paths_are_resolved_against_the_settings_file(tmp_path):
    s = load_settings(write(tmp_path, "c.yaml", "database_url: sqlite:///db/x.db\ndigest_dir: out\n"))
    assert s.database_url == f"sqlite:///{tmp_path / 'db' / 'x.db'}"
    assert s.digest_dir == tmp_path / "out"


def test_every_problem_is_reported_with_its_key_path(tmp_path):
    p = write(tmp_path, "bad.yaml", "databse_url: x\ncrawl:\n  download_delay: soon\n  max_list_pages: 0\nlog_level: LOUD\n")
    with pytest.raises(ConfigError) as err:
        load_settings(p)
    problems = "\n".join(err.value.problems)
    assert "databse_url: unknown key" in problems
    assert "crawl.download_delay:" in problems
    assert "crawl.max_list_pages:" in problems
    assert "log_level:" in problems
    assert len(err.value.problems) == 4


@pytest.mark.parametrize("body, expected", [
    ("database_url: [1, 2\n", "not valid YAML"),
    ("- just\n- a list\n", "top level must be a mapping"),
    ("database_url: mysql://root@localhost/x\n", "database_url: Value error, must be a sqlite"),
])
def test_malformed_files_are_explained(tmp_path, body, expected):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, "c.yaml", body))
    assert expected in str(err.value)


def test_missing_file_is_explained(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_environment_overrides_the_file_and_password_is_masked(tmp_path, monkeypatch):
    monkeypatch.setenv("REGWATCH_DATABASE_URL", "postgresql://bot:s3cret@db.internal/regwatch")
    s = load_settings(write(tmp_path, "c.yaml", "database_url: sqlite:///x.db\n"))
    assert s.database_url.endswith("@db.internal/regwatch")
    assert "s3cret" not in s.safe_database_url and "***" in s.safe_database_url


def test_sources_are_validated_per_entry(tmp_path):
    p = write(tmp_path, "sources.yaml", """sources:
  - {id: ok-1, name: A, kind: feed, start_urls: ["https://a.example/rss"], authority: 网信}
  - {id: ok-1, name: B, kind: feed, start_urls: ["https://b.example/rss"], authority: 公安}
  - {id: bad, name: C, kind: ftp, start_urls: ["ftp://c.example"], authority: 网信, schedule: "every day"}
""")
    with pytest.raises(ConfigError) as err:
        load_sources(p)
    problems = "\n".join(err.value.problems)
    assert "sources[ok-1].id: duplicate source id" in problems
    assert "sources[bad].kind:" in problems
    assert "sources[bad].start_urls:" in problems
    assert "sources[bad].schedule:" in problems


def test_environment_check_reports_unusable_paths(tmp_path):
    blocker = write(tmp_path, "file-not-folder", "x")
    s = load_settings(write(tmp_path, "c.yaml", f"digest_dir: {blocker}/digests\nsources_file: {tmp_path}/none.yaml\n"))
    problems = "\n".join(check_environment(s).problems)
    assert "digest_dir:" in problems and "sources_file" in problems and "file not found" in problems


# --- one validation path: environment, typed options, extraction data, limits, secrets ----------

def test_every_setting_has_an_environment_override(tmp_path, monkeypatch):
    monkeypatch.setenv("REGWATCH_CRAWL__WINDOW_DAYS", "10")
    monkeypatch.setenv("REGWATCH_CRAWL__DOWNLOAD_DELAY", "2.5")
    monkeypatch.setenv("REGWATCH_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("REGWATCH_RULES_DIR", str(tmp_path / "rules"))
    s = load_settings(write(tmp_path, "c.yaml", "crawl:\n  window_days: 3\n  max_list_pages: 2\n"))
    assert s.crawl.window_days == 10 and s.crawl.download_delay == 2.5  # the environment wins
    assert s.crawl.max_list_pages == 2  # the file's other nested keys stay
    assert s.log_level == "DEBUG" and s.rules_dir == tmp_path / "rules"


def test_each_documented_key_is_a_setting_and_each_setting_is_documented():
    import yaml

    from regwatch.config import Settings

    documented = yaml.safe_load(EXAMPLE_SETTINGS.read_text(encoding="utf-8"))
    text = EXAMPLE_SETTINGS.read_text(encoding="utf-8")
    for key, field in Settings.model_fields.items():
        assert key in documented, f"{key} is not documented in {EXAMPLE_SETTINGS.name}"
        nested = getattr(field.annotation, "model_fields", None)
        for sub in nested or {}:
            assert sub in documented[key], f"{key}.{sub} is not documented"
    assert "REGWATCH_CRAWL__WINDOW_DAYS" in text  # the naming rule of the overrides is shown


def test_a_bad_environment_value_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("REGWATCH_CRAWL__MAX_LIST_PAGES", "many")
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, "c.yaml", ""))
    assert err.value.problems == [
        "crawl.max_list_pages: Input should be a valid integer, unable to parse string as an integer "
        "(from the environment: REGWATCH_CRAWL__MAX_LIST_PAGES)"]


def sources(tmp_path: Path, entry: str) -> Path:
    return write(tmp_path, "sources.yaml", "sources:\n  - " + entry + "\n")


@pytest.mark.parametrize("entry, problem", [
    ('{id: a, name: A, kind: cac, start_urls: ["https://a.example/"], authority: 网信, options: {tag: x}}',
     "sources[a].options.tag: unknown key"),
    ('{id: a, name: A, kind: listpage, start_urls: ["https://a.example/"], authority: 网信}',
     "sources[a].options.list_item: Field required"),
    ('{id: a, name: A, kind: listpage, start_urls: ["https://a.example/"], authority: 网信, options: {list_item: "li >"}}',
     "sources[a].options.list_item: Value error, invalid CSS selector"),
    ('{id: a, name: A, kind: feed, start_urls: ["https://a.example/"], authority: 网信, options: {body: "p::text"}}',
     "sources[a].options.body: Value error, invalid CSS selector"),
    ('{id: a, name: A, kind: secrss, start_urls: ["https://a.example/api"], authority: 媒体, options: {article_url: "https://a.example/{x}"}}',
     "sources[a].options.article_url: Value error, must contain {id}"),
    ('{id: a, name: A, kind: mps, start_urls: ["https://a.example/"], authority: 公安, options: {browser: maybe}}',
     "sources[a].options.browser:"),
    ('{id: a, name: A, kind: feed, start_urls: ["http://a.example/x y"], authority: 网信}',
     "sources[a].start_urls: Value error, 'http://a.example/x y': contains whitespace"),
    ('{id: a, name: A, kind: feed, start_urls: ["https://a.example:99999/"], authority: 网信}',
     "sources[a].start_urls: Value error"),
])
def test_per_kind_options_and_urls_are_checked_with_their_key_path(tmp_path, entry, problem):
    with pytest.raises(ConfigError) as err:
        load_sources(sources(tmp_path, entry))
    assert len(err.value.problems) == 1 and err.value.problems[0].startswith(problem), err.value.problems


def test_options_are_typed_per_kind(tmp_path):
    (src,) = load_sources(sources(tmp_path, '{id: a, name: A, kind: listpage, start_urls: ["https://a.example/"], '
                                            'authority: 网信, options: {list_item: "ul li", date: "span::text"}}'))
    assert src.options.list_item == "ul li" and src.options.date == "span::text" and src.options.next_page is None
    feed = SourceConfig(id="f", name="F", kind="feed", start_urls=["https://a.example/"], authority="网信")
    assert feed.options.body is None and not hasattr(feed.options, "list_item")


def test_the_bundled_sources_validate_and_every_kind_has_its_spider():
    from scrapy.spiderloader import SpiderLoader

    from regwatch.config import BUNDLED_SOURCES, OPTIONS_BY_KIND, SOURCE_KINDS
    from regwatch.crawler.settings import scrapy_settings
    from regwatch.config import Settings

    assert {s.kind for s in load_sources(BUNDLED_SOURCES)} <= set(SOURCE_KINDS) == set(OPTIONS_BY_KIND)
    loader = SpiderLoader.from_settings(scrapy_settings(Settings()))
    assert set(loader.list()) == set(SOURCE_KINDS)
    assert all(loader.load(kind).kind == kind for kind in SOURCE_KINDS)


def test_extraction_data_is_validated_with_key_paths(tmp_path):
    from regwatch.config import EXTRACTION_FILE, load_extraction_rules

    good = load_extraction_rules()
    assert "utm_*" in good.tracking_params and good.challenge_statuses == {412, 521}
    bad = write(tmp_path, "extraction.yaml", EXTRACTION_FILE.read_text(encoding="utf-8")
                .replace("max_visible_chars: 300", "max_visible_chars: lots").replace("  statuses: [412, 521]", "  statuses: [412, 521]\n  colour: red"))
    with pytest.raises(ConfigError) as err:
        load_extraction_rules(bad)
    assert sorted(err.value.problems) == ["challenge.colour: unknown key",
                                          "challenge.max_visible_chars: Input should be a valid integer, unable to parse string as an integer"]


def test_config_check_reports_a_bad_rule_file_with_path_and_key(tmp_path):
    import shutil

    from click.testing import CliRunner

    from regwatch.app.cli import cli
    from regwatch.config import BUNDLED_RULES

    shutil.copytree(BUNDLED_RULES, tmp_path / "rules")
    labels = tmp_path / "rules" / "labels.yaml"
    labels.write_text(labels.read_text(encoding="utf-8").replace("criminal:", "criminal_typo:", 1), encoding="utf-8")
    config = write(tmp_path, "c.yaml", f"rules_dir: rules\ndatabase_url: sqlite:///{tmp_path}/x.db\ndigest_dir: out\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check"])
    assert result.exit_code == 2
    assert f"rules_dir ({labels}): criminal: missing" in result.stderr


def test_one_home_per_limit():
    """MAX_TEXT_CHARS / MAX_TITLE_CHARS are assigned only in regwatch/config/limits.py."""
    import ast

    root = Path(__file__).resolve().parents[1] / "regwatch"
    homes = [str(p.relative_to(root)) for p in root.rglob("*.py")
             for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(node, (ast.Assign, ast.AnnAssign))
             for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
             if isinstance(t, ast.Name) and t.id in ("MAX_TEXT_CHARS", "MAX_TITLE_CHARS")]
    assert sorted(homes) == ["config/limits.py", "config/limits.py"]


@pytest.mark.parametrize("text, secret", [
    ("postgresql://bot:p@ss@db.internal:5432/rw", "p@ss"),
    ("postgresql://bot:s3cret@db.internal/rw", "s3cret"),
    ("https://a.example/rss?password=hunter2&x=1", "hunter2"),
    ("https://a.example/rss?x=1&secret=abc", "abc"),
    ("https://a.example/rss?token=t0k", "t0k"),
    ("https://a.example/api?api_key=k3y&key=k2", "k3y"),
    ("https://a.example/api?key=k2", "k2"),
    ("connection failed: password=pw1 host=x", "pw1"),
])
def test_secrets_are_masked_in_every_form(text, secret):
    from regwatch.config import mask_secrets

    masked = mask_secrets(text)
    assert secret not in masked and "***" in masked


def test_masking_keeps_what_is_not_secret():
    from regwatch.config import mask_secrets

    for text in ("postgresql://postgres@127.0.0.1:5432/test", "https://a.example/list?page=2&author=公安部",
                 "http://host:8080/x?y=a@b", "sqlite:////tmp/x.db"):
        assert mask_secrets(text) == text


def test_config_errors_never_echo_a_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("REGWATCH_DATABASE_URL", "postgresql://bot:p@ss@db/x?password=hunter2")
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, "c.yaml", ""))
    assert "p@ss" not in str(err.value) and "hunter2" not in str(err.value) and "%40" in str(err.value)
