"""Settings and sources: validation with key paths, env overrides, secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from regwatch.config import EXAMPLE_SETTINGS, ConfigError, check_environment, load_settings, load_sources


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
